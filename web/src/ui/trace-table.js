// The trace table, like the paper's Fig. 3: one row per named program
// variable, one column per time step, LinState rows (the only memory between
// steps) marked. Comes from a run of the program itself (target "dag").

import { el, replaceChildren, formatNumber } from './dom.js';

const MAX_COLUMNS = 80;
const MAX_COMPONENTS_SHOWN = 4;

function cellText(values, offset, dim) {
  const shown = Math.min(dim, MAX_COMPONENTS_SHOWN);
  const parts = [];
  for (let j = 0; j < shown; j++) parts.push(formatNumber(values[offset + j]));
  const text = parts.join(', ');
  if (dim === 1) return text;
  return `[${text}${dim > shown ? ', …' : ''}]`;
}

export class TraceTable {
  constructor(container) {
    this.container = container;
    this.showUnnamed = false;
    this.offset = 0;
    this.last = null;
    this.clear('The trace of the program\'s variables appears here after a run.');
  }

  clear(message) {
    this.last = null;
    replaceChildren(this.container, el('p', { class: 'muted', text: message }));
  }

  setStale(stale) {
    this.container.classList.toggle('stale', !!stale);
  }

  // trace: {steps, series: [{label, kind, layer, dim, values}]}
  render(trace) {
    this.setStale(false);
    this.last = trace;
    if (!trace || !trace.series || trace.steps === 0) {
      this.clear('No trace: the run had no steps, or it was too long to trace.');
      return;
    }
    const steps = trace.steps;
    if (this.offset >= steps) this.offset = 0;
    const series = trace.series.filter((s) => this.showUnnamed || (s.label && !/^[#%_]/.test(s.label)));
    const first = this.offset;
    const last = Math.min(steps, first + MAX_COLUMNS);

    const head = el('tr', {}, el('th', { class: 'var', text: 'variable' }), el('th', { text: 'kind' }),
      el('th', { text: 'dim' }),
      ...Array.from({ length: last - first }, (_, k) => el('th', { class: 'num', text: `t=${first + k}` })));
    const rows = series.map((s) => {
      const isState = s.kind === 'LinState';
      const cells = [];
      for (let t = first; t < last; t++) {
        const td = el('td', { class: 'num', text: cellText(s.values, t * s.dim, s.dim) });
        if (s.dim > MAX_COMPONENTS_SHOWN) {
          td.title = Array.from(s.values.slice(t * s.dim, (t + 1) * s.dim), formatNumber).join(', ');
        }
        cells.push(td);
      }
      return el('tr', { class: isState ? 'linstate' : '', dataset: { label: s.label, kind: s.kind } },
        el('th', { class: 'var', scope: 'row' },
          isState ? el('span', { class: 'state-mark', title: 'LinState: carried to the next step', text: '⟳ ' }) : null,
          s.label || '(unnamed)'),
        el('td', { class: `kind kind-${s.kind}`, text: s.kind }),
        el('td', { class: 'num', text: String(s.dim) }),
        ...cells);
    });

    const toggle = el('input', { type: 'checkbox', checked: this.showUnnamed });
    toggle.addEventListener('change', () => {
      this.showUnnamed = toggle.checked;
      this.render(this.last);
    });
    const controls = [el('label', { class: 'inline' }, toggle, ' show unnamed nodes')];
    if (steps > MAX_COLUMNS) {
      const start = el('input', { type: 'number', min: 0, max: steps - 1, step: MAX_COLUMNS, value: String(first), class: 'narrow' });
      start.addEventListener('change', () => {
        const v = Math.max(0, Math.min(steps - 1, Math.round(Number(start.value) || 0)));
        this.offset = v;
        this.render(this.last);
      });
      controls.push(el('label', { class: 'inline' }, ` steps from `, start, ` (${MAX_COLUMNS} of ${steps} shown)`));
    }
    replaceChildren(this.container,
      el('div', { class: 'trace-controls muted' }, ...controls,
        el('span', { class: 'legend-note' }, el('span', { class: 'state-mark', text: ' ⟳' }), ' = LinState (memory)')),
      el('div', { class: 'table-scroll' },
        el('table', { class: 'trace-table', id: 'trace-table' }, el('thead', {}, head), el('tbody', {}, ...rows))));
  }
}
