// The compact embed (embed.html): outputs and plots, the program only when
// the snippet asked for it (?editor=1), and a link back to the full page.
import { startPlayground } from './ui/app.js';

const showEditor = new URLSearchParams(window.location.search).get('editor') === '1';
document.body.classList.toggle('with-editor', showEditor);
const editorSection = document.getElementById('editor-section');
if (editorSection) editorSection.hidden = !showEditor;
if (!showEditor) document.getElementById('editor')?.remove();
startPlayground({ embed: true });
