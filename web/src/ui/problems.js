// The list of errors under the editor: each diagnostic as the compiler wrote
// it (FILE:LINE:COL: error: ..., the source line and a caret), clickable to
// jump to its place. Text only.

import { el, replaceChildren } from './dom.js';

export class ProblemsList {
  constructor(container, { onGoTo = () => {} } = {}) {
    this.container = container;
    this.onGoTo = onGoTo;
    this.show([]);
  }

  // stage: where the problems came from ("program", "prompt", "run")
  show(diagnostics, stage = 'program') {
    const list = diagnostics || [];
    this.container.hidden = list.length === 0;
    this.container.dataset.stage = stage;
    replaceChildren(
      this.container,
      ...list.map((d) => {
        const where = d.line >= 1 ? `${d.line}:${d.col || 1}` : '';
        const item = el(
          'div',
          {
            class: `problem ${d.severity === 'warning' ? 'warning' : 'error'}`,
            dataset: { line: d.line || 0, col: d.col || 0 },
            title: where ? 'go to this line' : '',
          },
          el('div', { class: 'problem-head' },
            where ? el('span', { class: 'problem-where', text: stage === 'program' ? `line ${where}` : `at ${where}` }) : null,
            el('span', { class: 'problem-stage', text: stage }),
            el('span', { class: 'problem-message', text: d.message || '' })),
          d.rendered ? el('pre', { class: 'problem-rendered', text: d.rendered }) : null,
        );
        if (d.line >= 1 && stage === 'program') item.addEventListener('click', () => this.onGoTo(d.line, d.col));
        return item;
      }),
    );
  }
}
