// The blog's own script: counts clicks on its button and listens to the
// widgets' lsrl-run events (a widget tells its page each time it ran).
const clicks = document.getElementById('host-clicks');
document.getElementById('host-button').addEventListener('click', () => {
  clicks.textContent = String(Number(clicks.textContent) + 1);
});
const runs = document.getElementById('host-runs');
document.addEventListener('lsrl-run', () => {
  runs.textContent = String(Number(runs.textContent) + 1);
}, true);
document.body.dataset.hostScript = 'ran';
