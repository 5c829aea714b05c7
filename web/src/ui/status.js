// The job bar: what the page is doing (compiling, running, drawing the grid),
// how long it has been at it, and the Cancel button for long jobs. The
// state is mirrored on <body data-status> for the browser tests.

import { el, replaceChildren } from './dom.js';

export class StatusBar {
  constructor(container, cancelButton, { onCancel = () => {} } = {}) {
    this.container = container;
    this.cancelButton = cancelButton;
    this.timer = null;
    this.started = 0;
    cancelButton.disabled = true;
    cancelButton.addEventListener('click', () => onCancel());
    this.set('idle', 'starting…');
  }

  // kind: 'busy' | 'ok' | 'error' | 'cancelled' | 'idle'
  set(kind, text) {
    clearInterval(this.timer);
    this.timer = null;
    document.body.dataset.status = kind;
    this.cancelButton.disabled = kind !== 'busy';
    const label = el('span', { class: 'status-text', text });
    const elapsed = el('span', { class: 'status-elapsed muted' });
    replaceChildren(this.container, el('span', { class: `status-dot ${kind}` }), label, elapsed);
    this.container.dataset.kind = kind;
    if (kind === 'busy') {
      if (!this.started) this.started = performance.now();
      const tick = () => {
        const s = (performance.now() - this.started) / 1000;
        elapsed.textContent = s >= 0.5 ? ` ${s.toFixed(1)} s` : '';
      };
      tick();
      this.timer = setInterval(tick, 250);
    } else {
      this.started = 0;
    }
  }
}
