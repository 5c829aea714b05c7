// The full playground page (index.html).
import { startPlayground } from './ui/app.js';
import { mountExercises } from './ui/exercises.js';

mountExercises(startPlayground({ embed: false }));
