// The full playground page (index.html).
import { startPlayground } from './ui/app.js';

startPlayground({ embed: false });
