// The trace table, like the paper's Fig. 3: one row per named program
// variable, one column per time step, LinState rows (the only memory between
// steps) marked. Comes from a run of the program itself (target "dag").

import { el, replaceChildren, formatNumber, downloadRow, csvText } from './dom.js';

const MAX_COLUMNS = 80;
// Rows (variables) put in the table at a time: a program of thousands of
// lines has thousands of variables; the next rows come as the table
// scrolls near its end (or on the "more" button), so no render is long.
export const ROW_BATCH = 150;
const MAX_COMPONENTS_SHOWN = 4;

function cellText(values, offset, dim) {
  const shown = Math.min(dim, MAX_COMPONENTS_SHOWN);
  const parts = [];
  for (let j = 0; j < shown; j++) parts.push(formatNumber(values[offset + j]));
  const text = parts.join(', ');
  if (dim === 1) return text;
  return `[${text}${dim > shown ? ', …' : ''}]`;
}

// A trace as CSV: one row per step, one column per component of every
// variable (label[j] for wide ones).
export function traceCsv(trace) {
  const series = trace.series || [];
  const header = ['step', ...series.flatMap((s) => (s.dim === 1 ? [s.label || s.kind] : Array.from({ length: s.dim }, (_, j) => `${s.label || s.kind}[${j}]`)))];
  const rows = [];
  for (let t = 0; t < trace.steps; t++) {
    const row = [t];
    for (const s of series) for (let j = 0; j < s.dim; j++) row.push(s.values[t * s.dim + j]);
    rows.push(row);
  }
  return csvText(header, rows);
}

export function traceJson(trace) {
  return JSON.stringify({
    steps: trace.steps,
    series: (trace.series || []).map((s) => ({ label: s.label, kind: s.kind, layer: s.layer, dim: s.dim, values: Array.from(s.values) })),
  });
}

export class TraceTable {
  // cursor: the shared StepCursor (optional): a click on a column moves it,
  // and its step's column is marked (the window of columns follows it).
  constructor(container, { cursor = null } = {}) {
    this.container = container;
    this.cursor = cursor;
    cursor?.subscribe((step, source) => this.markStep(step, source));
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

  markStep(step, source) {
    const table = this.container.querySelector('#trace-table');
    if (!table || !this.last) return;
    if (step !== null && step < this.last.steps && (step < this.offset || step >= this.offset + MAX_COLUMNS) && source !== 'trace') {
      // The step is outside the columns shown: show the window holding it.
      this.offset = Math.floor(step / MAX_COLUMNS) * MAX_COLUMNS;
      this.render(this.last);
      return;
    }
    for (const cell of table.querySelectorAll('.cursor')) cell.classList.remove('cursor');
    if (step === null) return;
    const column = step - this.offset + 3; // after variable, kind, dim
    for (const row of table.rows) row.cells[column]?.classList.add('cursor');
    const th = table.tHead?.rows[0]?.cells[column];
    if (th && source !== 'trace') {
      const scroller = table.closest('.table-scroll');
      if (scroller) scroller.scrollLeft = Math.max(0, th.offsetLeft - scroller.clientWidth / 2);
    }
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
      ...Array.from({ length: last - first }, (_, k) => el('th', { class: 'num', dataset: { step: first + k }, text: `t=${first + k}` })));
    const makeRow = (s) => {
      const isState = s.kind === 'LinState';
      const cells = [];
      for (let t = first; t < last; t++) {
        const td = el('td', { class: 'num', dataset: { step: t }, text: cellText(s.values, t * s.dim, s.dim) });
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
    };

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
    const body = el('tbody', {}, ...series.slice(0, ROW_BATCH).map(makeRow));
    const table = el('table', { class: 'trace-table', id: 'trace-table' }, el('thead', {}, head), body);
    table.dataset.variables = String(series.length);
    let shown = Math.min(series.length, ROW_BATCH);
    const more = el('button', { type: 'button', class: 'small', id: 'trace-more' });
    const moreRow = el('div', { class: 'trace-more muted small' }, more);
    const showMore = () => {
      const next = series.slice(shown, shown + ROW_BATCH);
      body.append(...next.map(makeRow));
      shown += next.length;
      table.dataset.rowsShown = String(shown);
      if (this.cursor) this.markStep(this.cursor.step, 'trace');
      updateMore();
    };
    const updateMore = () => {
      moreRow.hidden = shown >= series.length;
      more.textContent = `show ${Math.min(ROW_BATCH, series.length - shown)} more of ${series.length - shown} variables not yet shown`;
    };
    more.addEventListener('click', showMore);
    table.dataset.rowsShown = String(shown);
    updateMore();
    if (this.cursor) {
      table.addEventListener('click', (event) => {
        const cell = event.target.closest('[data-step]');
        if (cell) this.cursor.set(Number(cell.dataset.step), 'trace');
      });
    }
    replaceChildren(this.container,
      el('div', { class: 'trace-controls muted' }, ...controls,
        el('span', { class: 'legend-note' }, el('span', { class: 'state-mark', text: ' ⟳' }), ' = LinState (memory)')),
      this.scroller = el('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'trace table (scrolls)' }, table),
      moreRow,
      downloadRow('download the trace', [
        { label: 'CSV', id: 'download-trace-csv', what: 'the trace', make: () => ({ data: traceCsv(trace), filename: 'trace.csv', type: 'text/csv' }) },
        { label: 'JSON', id: 'download-trace-json', what: 'the trace', make: () => ({ data: traceJson(trace), filename: 'trace.json', type: 'application/json' }) },
      ]));
    // Near the end of the rows shown, the next batch comes.
    this.scroller.addEventListener('scroll', () => {
      const box = this.scroller;
      if (shown < series.length && box.scrollTop + box.clientHeight > box.scrollHeight - 200) showMore();
    }, { passive: true });
    if (this.cursor) this.markStep(this.cursor.step, 'run');
  }
}
