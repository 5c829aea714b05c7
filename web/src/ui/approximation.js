// continuous_ua's picture (the paper's figure): the target function f next to
// what the model computes in context, over a grid of queries. The compiled
// model is reused; for each grid point the prompt is rebuilt with that query
// and the model run once, so the grid costs grid² runs: it is drawn row by row
// and stops as soon as a newer run starts or the user cancels.

import { el, replaceChildren, formatNumber } from './dom.js';
import { heatmapFigure, rangeTicks } from './heatmap-canvas.js';
import { legend, maxAbsOf } from './colors.js';
import { asRows } from './outputs.js';

export const GRID_2D = 12;
export const GRID_1D = 48;
// The queries' prompts are kept for the next run (a new mu or form changes
// the model, not the prompts) when they hold at most this many numbers.
const PROMPT_CACHE_VALUES = 2_000_000;

// The queries: one per plot cell, jittered inside it by the R2 sequence
// (Roberts' additive recurrence with the plastic number) instead of sitting
// on the plot cell's centre. Centred points coincide with the prompt's cell
// centres whenever the cells per axis are an odd multiple of the plot's G,
// where the model is exact, and the max error would read 0.
const R2_A1 = 0.7548776662466927;
const R2_A2 = 0.5698402909980532;

export function evaluationPoints(G, rows, dIn) {
  const frac = (v) => v - Math.floor(v);
  const points = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < G; c++) {
      const n = r * G + c + 1;
      const u1 = 0.1 + 0.8 * frac(0.5 + n * R2_A1);
      const u2 = 0.1 + 0.8 * frac(0.5 + n * R2_A2);
      points.push(dIn === 2 ? [(c + u1) / G, (r + u2) / G] : [(c + u1) / G]);
    }
  }
  return points;
}

function firstComponent(v) {
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Number(v[0]);
  return Number(v);
}

export class ApproximationView {
  constructor(section, container) {
    this.section = section;
    this.container = container;
    // What does not depend on the model: f at the points, and each query's
    // prompt. A parameter of the program (mu, the form) changes neither.
    this.targetCache = { key: null, values: null };
    this.promptCache = { key: null, prompts: new Map(), values: 0 };
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
    const points = evaluationPoints(G, rows, dIn);
    const status = el('div', { class: 'approx-status muted', id: 'approx-status', text: 'evaluating f…' });
    const targetBox = el('div', { class: 'approx-plot', id: 'approx-target' });
    const modelBox = el('div', { class: 'approx-plot', id: 'approx-model' });
    const errorBox = el('div', { class: 'approx-plot', id: 'approx-error' });
    const legendBox = el('div', { class: 'approx-legend' });
    const errorLegendBox = el('div', { class: 'approx-legend', id: 'approx-error-legend' });
    replaceChildren(this.container,
      el('div', { class: 'approx-pair' },
        el('figure', {}, el('figcaption', { text: `target f(${dIn === 2 ? 'x1, x2' : 'x1'}) = ${prompt.function}` }), targetBox),
        el('figure', {}, el('figcaption', { text: `model output in context (${prompt.cells} cells per axis)` }), modelBox),
        el('figure', {}, el('figcaption', { text: 'error: model − f' }), errorBox)),
      legendBox, errorLegendBox,
      el('p', { class: 'muted small', text: `Each plot cell is one query at a jittered point inside it (not its centre), so the error is measured between the prompt's cell centres too.` }),
      status);
    this.container.dataset.complete = 'false';
    delete this.container.dataset.maxError;

    const targetKey = JSON.stringify([prompt.function, dIn, G, rows]);
    let target = this.targetCache.key === targetKey ? this.targetCache.values : null;
    if (!target) {
      const evaluated = await client.evaluateFunction(prompt.function, dIn, points);
      if (!isCurrent()) return 'superseded';
      if (!evaluated.ok) {
        status.textContent = (evaluated.diagnostics || []).map((d) => d.message).join('; ') || 'could not evaluate f';
        return 'failed';
      }
      target = Array.from(evaluated.values || [], firstComponent);
      this.targetCache = { key: targetKey, values: target };
    }
    const promptKey = JSON.stringify([prompt.function, dIn, prompt.cells, G, rows]);
    if (this.promptCache.key !== promptKey) this.promptCache = { key: promptKey, prompts: new Map(), values: 0 };
    const prompts = this.promptCache;
    const approx = new Float64Array(points.length).fill(NaN);
    let maxAbs = maxAbsOf(target);
    // Both plots span the unit square (or interval): x1 across, x2 up.
    const axes = {
      xAxis: { label: 'x1 →', ticks: rangeTicks(0, 1) },
      yAxis: dIn === 2 ? { label: 'x2 ↑', ticks: rangeTicks(1, 0) } : null,
    };
    const where = (r, c) => (dIn === 2 ? `x1 ${formatNumber(points[r * G + c][0])}, x2 ${formatNumber(points[r * G + c][1])}` : `x1 ${formatNumber(points[c][0])}`);
    const draw = (box, values, name) => {
      const figure = heatmapFigure(rows, G, (r, c) => values[r * G + c], {
        maxAbs, log: false, cellW: dIn === 2 ? 18 : 6, cellH: dIn === 2 ? 18 : 40, maxWidth: 300, flipY: true,
        className: 'heatmap approx-heatmap', label: name, ...axes,
        describe: (r, c, v) => [name, where(r, c), `value ${formatNumber(v)}`],
      });
      replaceChildren(box, figure.node);
    };
    const drawLegend = () => replaceChildren(legendBox, legend(maxAbs, { label: 'colour scale (target and model)' }));
    const errors = () => Float64Array.from(approx, (v, i) => v - target[i]);
    const drawError = () => {
      const err = errors();
      const errMax = maxAbsOf(err);
      const figure = heatmapFigure(rows, G, (r, c) => err[r * G + c], {
        maxAbs: errMax, log: false, cellW: dIn === 2 ? 18 : 6, cellH: dIn === 2 ? 18 : 40, maxWidth: 300, flipY: true,
        className: 'heatmap approx-heatmap', label: 'error', ...axes,
        describe: (r, c, v) => ['model − f', where(r, c), `error ${formatNumber(v)}`],
      });
      replaceChildren(errorBox, figure.node);
      replaceChildren(errorLegendBox, legend(errMax, { label: 'colour scale (error)' }));
    };
    draw(targetBox, target, 'target f');
    draw(modelBox, approx, 'model');
    drawLegend();

    const started = performance.now();
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < G; c++) {
        const i = r * G + c;
        let tokens = prompts.prompts.get(i);
        if (!tokens) {
          tokens = await client.continuousPrompt(prompt.function, dIn, prompt.cells, points[i]);
          if (!isCurrent()) return 'superseded';
          if (!tokens.ok) {
            status.textContent = (tokens.diagnostics || []).map((d) => d.message).join('; ') || 'could not build the prompt';
            return 'failed';
          }
          const size = (tokens.tokens?.length || 0) * (tokens.tokens?.[0]?.length || 0);
          if (prompts.values + size <= PROMPT_CACHE_VALUES) {
            prompts.prompts.set(i, tokens);
            prompts.values += size;
          }
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
      drawError();
      status.textContent = `ran ${(r + 1) * G} of ${points.length} queries…`;
    }
    const combined = Math.max(maxAbs, maxAbsOf(approx));
    if (combined !== maxAbs) {
      maxAbs = combined;
      draw(targetBox, target, 'target f');
      draw(modelBox, approx, 'model');
      drawLegend();
    }
    drawError();
    // NaN-aware: one query the model could not answer makes the max NaN.
    let maxErr = 0;
    let sumErr = 0;
    for (let i = 0; i < points.length; i++) {
      const e = Math.abs(approx[i] - target[i]);
      maxErr = Number.isNaN(e) || Number.isNaN(maxErr) ? NaN : Math.max(maxErr, e);
      sumErr += e;
    }
    status.textContent = `${points.length} queries in ${formatNumber(Math.round(performance.now() - started))} ms; ` +
      `max |error| ${formatNumber(maxErr)}, mean |error| ${formatNumber(sumErr / points.length)} ` +
      `at ${points.length} points off the cell centres (the grid of ${prompt.cells} cells per axis bounds the error by f's variation over one cell)`;
    this.container.dataset.maxError = String(maxErr);
    this.container.dataset.complete = 'true';
    return 'done';
  }
}
