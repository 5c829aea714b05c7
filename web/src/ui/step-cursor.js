// The step cursor: one time step picked in any view (an output row, a trace
// column, a column of a heatmap, the step box) and shown in all of them, so
// the same moment can be read across the outputs, the program's variables
// and every layer's hidden state. Mirrored on <body data-step> for the tests.

export class StepCursor {
  constructor() {
    this.step = null;
    this.steps = 0;
    this.listeners = new Set();
  }

  // The run on screen has this many steps: a cursor past its end moves to
  // the last one.
  setSteps(steps) {
    this.steps = Math.max(0, steps | 0);
    if (this.step !== null && this.step >= this.steps) this.set(this.steps ? this.steps - 1 : null, 'run');
    else this.notify('run');
  }

  // source: which view moved it ('outputs', 'trace', 'heatmap', 'box', 'run'),
  // so that view need not scroll to it again.
  set(step, source = '') {
    const next = step === null || !this.steps ? null : Math.max(0, Math.min(this.steps - 1, Math.round(Number(step))));
    if (Number.isNaN(next)) return;
    this.step = next;
    if (next === null) delete document.body.dataset.step;
    else document.body.dataset.step = String(next);
    this.notify(source);
  }

  move(delta, source = '') {
    this.set(this.step === null ? 0 : this.step + delta, source);
  }

  notify(source) {
    for (const listener of this.listeners) listener(this.step, source);
  }

  // Returns the function that unsubscribes.
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
