// continuous_ua's picture (the paper's figure): the target function f next to
// what the model computes in context, over a grid of queries. The compiled
// model is reused; for each grid point the prompt is rebuilt with that query
// and the model run once, so the grid costs grid² runs: it is drawn row by row
// and stops as soon as a newer run starts or the user cancels.

import { el, replaceChildren, formatNumber } from './dom.js';
import { heatmapCanvas } from './heatmap-canvas.js';
import { legend, maxAbsOf } from './colors.js';
import { asRows } from './outputs.js';

export const GRID_2D = 12;
export const GRID_1D = 48;

function firstComponent(v) {
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Number(v[0]);
  return Number(v);
}

export class ApproximationView {
  constructor(section, container) {
    this.section = section;
    this.container = container;
    this.hide();
  }

  hide() {
    this.section.hidden = true;
    replaceChildren(this.container);
  }

  setStale(stale) {
    this.container.classList.toggle('stale', !!stale);
  }

  // Returns 'done' | 'superseded' | 'failed'. Throws the client's
  // cancellation error through so the caller sees it.
  async run({ client, modelId, prompt, dIn, precision, isCurrent }) {
    this.section.hidden = false;
    this.setStale(false);
    if (dIn > 2) {
      replaceChildren(this.container, el('p', { class: 'muted', text: `The grid plot is drawn for d_in ≤ 2 (this program has d_in = ${dIn}).` }));
      return 'done';
    }
    const G = dIn === 2 ? GRID_2D : GRID_1D;
    const rows = dIn === 2 ? G : 1;
    const points = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < G; c++) points.push(dIn === 2 ? [(c + 0.5) / G, (r + 0.5) / G] : [(c + 0.5) / G]);
    }
    const status = el('div', { class: 'approx-status muted', id: 'approx-status', text: 'evaluating f…' });
    const targetBox = el('div', { class: 'approx-plot', id: 'approx-target' });
    const modelBox = el('div', { class: 'approx-plot', id: 'approx-model' });
    const legendBox = el('div', { class: 'approx-legend' });
    replaceChildren(this.container,
      el('div', { class: 'approx-pair' },
        el('figure', {}, el('figcaption', { text: `target f(${dIn === 2 ? 'x1, x2' : 'x1'}) = ${prompt.function}` }), targetBox),
        el('figure', {}, el('figcaption', { text: `model output in context (${prompt.cells} cells per axis)` }), modelBox)),
      legendBox, status);
    this.container.dataset.complete = 'false';
    delete this.container.dataset.maxError;

    const evaluated = await client.evaluateFunction(prompt.function, dIn, points);
    if (!isCurrent()) return 'superseded';
    if (!evaluated.ok) {
      status.textContent = (evaluated.diagnostics || []).map((d) => d.message).join('; ') || 'could not evaluate f';
      return 'failed';
    }
    const target = Array.from(evaluated.values || [], firstComponent);
    const approx = new Float64Array(points.length).fill(NaN);
    let maxAbs = maxAbsOf(target);
    const draw = (box, values, name) => {
      const canvas = heatmapCanvas(rows, G, (r, c) => values[r * G + c], {
        maxAbs, log: false, cellW: dIn === 2 ? 18 : 6, cellH: dIn === 2 ? 18 : 40, maxWidth: 300, flipY: true,
        className: 'heatmap approx-heatmap', label: name,
        tooltip: (r, c, v) => [name, dIn === 2 ? `x1 ${formatNumber(points[r * G + c][0])}, x2 ${formatNumber(points[r * G + c][1])}` : `x1 ${formatNumber(points[c][0])}`,
          `value ${formatNumber(v)}`],
      });
      replaceChildren(box, canvas);
    };
    const drawLegend = () => replaceChildren(legendBox, legend(maxAbs, { label: 'colour scale (both plots)' }));
    draw(targetBox, target, 'target f');
    draw(modelBox, approx, 'model');
    drawLegend();

    const started = performance.now();
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < G; c++) {
        const i = r * G + c;
        const tokens = await client.continuousPrompt(prompt.function, dIn, prompt.cells, points[i]);
        if (!isCurrent()) return 'superseded';
        if (!tokens.ok) {
          status.textContent = (tokens.diagnostics || []).map((d) => d.message).join('; ') || 'could not build the prompt';
          return 'failed';
        }
        const result = await client.run(modelId, tokens.tokens, { precision, trace: false });
        if (!isCurrent()) return 'superseded';
        if (!result.ok) {
          status.textContent = (result.diagnostics || []).map((d) => d.message).join('; ') || 'run failed';
          return 'failed';
        }
        const out = asRows(result.outputs);
        approx[i] = out.count ? Number(out.row(out.count - 1)[0]) : NaN;
      }
      draw(modelBox, approx, 'model');
      status.textContent = `ran ${(r + 1) * G} of ${points.length} queries…`;
    }
    const combined = Math.max(maxAbs, maxAbsOf(approx));
    if (combined !== maxAbs) {
      maxAbs = combined;
      draw(targetBox, target, 'target f');
      draw(modelBox, approx, 'model');
      drawLegend();
    }
    let maxErr = 0;
    let sumErr = 0;
    for (let i = 0; i < points.length; i++) {
      const e = Math.abs(approx[i] - target[i]);
      maxErr = Math.max(maxErr, e);
      sumErr += e;
    }
    status.textContent = `${points.length} queries in ${formatNumber(Math.round(performance.now() - started))} ms; ` +
      `max |error| ${formatNumber(maxErr)}, mean |error| ${formatNumber(sumErr / points.length)} ` +
      `(the grid of ${prompt.cells} cells per axis bounds the error by f's variation over one cell)`;
    this.container.dataset.maxError = String(maxErr);
    this.container.dataset.complete = 'true';
    return 'done';
  }
}
