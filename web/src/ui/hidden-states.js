// Hidden states of the compiled model: one heatmap per layer (time across,
// units down, diverging colours centred at 0, hover for layer/unit/step/
// value), beside the layer's sizes and the part of the path graph (after
// debranching) that the layer computes, so each drawing sits next to the
// states it produces.

import { el, replaceChildren, formatNumber } from './dom.js';
import { heatmapFigure, indexTicks } from './heatmap-canvas.js';
import { legend, maxAbsOf } from './colors.js';
import { pathChips } from './graphs.js';

const KIND_ORDER = ['state', 'cell', 'output'];
function kindRank(kind) {
  const i = KIND_ORDER.indexOf(kind);
  if (i >= 0) return i;
  if (String(kind).startsWith('gate')) return 10;
  if (String(kind).startsWith('op')) return 20;
  return 30;
}

// "GRU · 3 → 8 → 8 · 120 params" from a summary layer
// ({type, input_dim, hidden_dim, output_dim, params, nonzeros, detail}).
function describeLayer(entry) {
  if (!entry || typeof entry !== 'object') return '';
  const dims = [entry.input_dim, entry.hidden_dim, entry.output_dim].every(Number.isFinite)
    ? `in ${entry.input_dim} → state ${entry.hidden_dim} → out ${entry.output_dim}` : '';
  const counts = Number.isFinite(entry.params) ? `${formatNumber(entry.params)} params, ${formatNumber(entry.nonzeros)} non-zero` : '';
  return [entry.type, dims, counts].filter(Boolean).join(' · ');
}

// One layer of the PathModel ({label, input_dim, state_dim, output_dim, ops:
// [{kind, input_dim, output_dim, label}]}): its LinState, then its
// feed-forward ops, in order.
function pathLayerNodes(layer) {
  return [
    { kind: 'LinState', name: layer.label || '', dim: layer.state_dim },
    ...(layer.ops || []).map((op) => ({ kind: op.kind, name: op.label || '', dim: op.output_dim })),
  ];
}

// Above this many layers the view folds (see render).
export const FOLD_LAYERS = 12;
const BLOCK_LAYERS = 12;

export class HiddenStatesView {
  // cursor: the shared StepCursor (optional): its step is marked on every
  // heatmap, and a click or arrow key on a heatmap moves it.
  constructor(container, { cursor = null } = {}) {
    this.container = container;
    this.cursor = cursor;
    this.figures = [];
    this.cursorNotes = []; // folded rows: what their summary says about the cursor's step
    cursor?.subscribe((step) => {
      for (const figure of this.figures) figure.setMarker(step);
      for (const note of this.cursorNotes) note.update(step);
    });
    this.log = true;
    this.selected = new Map(); // layer -> series label shown
    this.showAll = false; // a folded (big) model: every layer row open
    this.last = null;
    this.clear('Hidden states of the compiled model appear here after a run.');
  }

  clear(message) {
    this.last = null;
    replaceChildren(this.container, el('p', { class: 'muted', text: message }));
  }

  setStale(stale) {
    this.container.classList.toggle('stale', !!stale);
  }

  // summary: compile summary; path: summary.path (the PathModel's layers);
  // trace: run trace (or null)
  render({ summary, path, trace, note = '' }) {
    this.setStale(false);
    this.last = { summary, path, trace, note };
    this.figures = [];
    this.cursorNotes = [];
    const layersInfo = Array.isArray(summary?.layers) ? summary.layers : [];
    const series = (trace?.series || []).filter((s) => Number.isInteger(s.layer) && s.layer >= 0);
    const byLayer = new Map();
    for (const s of series) {
      if (!byLayer.has(s.layer)) byLayer.set(s.layer, []);
      byLayer.get(s.layer).push(s);
    }
    for (const list of byLayer.values()) list.sort((a, b) => kindRank(a.kind) - kindRank(b.kind));

    const pathLayers = Array.isArray(path) ? path : [];
    const layerCount = Math.max(layersInfo.length, byLayer.size ? Math.max(...byLayer.keys()) + 1 : 0);
    // The path's layers sit beside the heatmaps when they are the model's
    // layers (linear-rnn, gated-linear-rnn); other targets build several of
    // their own layers from one path layer.
    const aligned = pathLayers.length > 0 && pathLayers.length === layerCount;

    const logBox = el('input', { type: 'checkbox', checked: this.log });
    logBox.addEventListener('change', () => {
      this.log = logBox.checked;
      this.render(this.last);
    });
    const parts = [el('div', { class: 'hidden-controls muted' },
      el('label', { class: 'inline' }, logBox, ' symlog colours (keeps small values visible next to large constants)'),
      note ? el('span', { class: 'note', text: ` ${note}` }) : null)];
    if (!aligned && pathLayers.length && layerCount) {
      parts.push(el('p', { class: 'muted small', text: `The compiled path has ${pathLayers.length} layer${pathLayers.length === 1 ? '' : 's'}; this target builds ${layerCount} layers of its own from them.` }));
    }

    // Big models (gru, lstm and mamba build ~84 layers for discrete_ua) fold:
    // layers grouped in blocks, each layer a collapsed row whose heatmap is
    // drawn only when opened, a filter, and "show all" that opens every row
    // but draws each heatmap only as it scrolls near the viewport.
    const big = layerCount > FOLD_LAYERS;
    const buildPlot = (layer) => {
      const list = byLayer.get(layer) || [];
      const plot = el('div', { class: 'layer-plot' });
      if (list.length === 0) {
        plot.appendChild(el('p', { class: 'muted', text: trace ? 'no recorded states for this layer' : 'no trace for this run' }));
        return plot;
      }
      const current = list.find((x) => x.label === this.selected.get(layer)) || list[0];
      if (list.length > 1) {
        const pick = el('select', { 'aria-label': `series of layer ${layer}` },
          ...list.map((x) => el('option', { value: x.label, text: `${x.kind}: ${x.label} (${x.dim})` })));
        pick.value = current.label;
        pick.addEventListener('change', () => {
          this.selected.set(layer, pick.value);
          this.render(this.last);
        });
        plot.appendChild(pick);
      } else {
        plot.appendChild(el('div', { class: 'muted small', text: `${current.kind}: ${current.label} (${current.dim})` }));
      }
      plot.appendChild(this.heatmap(layer, current, trace.steps));
      return plot;
    };
    const rows = [];
    for (let layer = 0; layer < layerCount; layer++) {
      const info = layersInfo[layer];
      const side = el('div', { class: 'layer-side' },
        el('div', { class: 'layer-title', text: `layer ${layer}` }),
        el('div', { class: 'layer-sizes muted', text: describeLayer(info) }));
      if (aligned) {
        side.appendChild(pathChips(pathLayerNodes(pathLayers[layer])));
      }
      const searchText = [`layer ${layer}`, describeLayer(info), ...(byLayer.get(layer) || []).map((x) => `${x.kind} ${x.label}`)].join(' ').toLowerCase();
      if (!big) {
        rows.push(el('div', { class: 'layer-row', dataset: { layer } }, side, buildPlot(layer)));
        continue;
      }
      // A closed (or filtered-out) row has no heatmap to mark: its summary
      // says where the step cursor is and what the layer holds there, so the
      // cursor is visible on every row, folded or not.
      const cursorNote = this.cursorNote(layer, byLayer.get(layer) || []);
      const row = el('details', { class: 'layer-row folded', dataset: { layer, search: searchText } },
        el('summary', {}, `layer ${layer} · ${describeLayer(info) || 'no summary'}`, cursorNote.node), side);
      row.drawn = false;
      row.draw = () => {
        if (row.drawn) return;
        row.drawn = true;
        row.appendChild(buildPlot(layer));
      };
      row.addEventListener('toggle', () => {
        if (row.open && (!this.showAll || row.near)) row.draw();
      });
      rows.push(row);
    }
    if (layerCount === 0) {
      parts.push(el('p', { class: 'muted', text: 'The target "dag" runs the program node by node: pick a compiled target to see the model\'s layers.' }));
    }
    if (!big) {
      replaceChildren(this.container, ...parts, ...rows);
      return;
    }
    // Blocks: runs of layers of the same type, at most BLOCK_LAYERS each.
    const blocks = [];
    for (let layer = 0; layer < layerCount; layer++) {
      const type = layersInfo[layer]?.type || '';
      const last = blocks[blocks.length - 1];
      if (last && last.type === type && last.rows.length < BLOCK_LAYERS) last.rows.push(rows[layer]);
      else blocks.push({ type, first: layer, rows: [rows[layer]] });
    }
    const blockEls = blocks.map((b) => {
      // A closed block hides its rows: its summary names the cursor's step.
      const cursorNote = el('span', { class: 'row-cursor block-cursor' });
      const update = (step) => { cursorNote.textContent = step === null || step === undefined ? '' : ` · ▸ step ${step}`; };
      update(this.cursor?.step ?? null);
      this.cursorNotes.push({ update });
      return el('details', { class: 'layer-block', open: true },
        el('summary', {}, `layers ${b.first}–${b.first + b.rows.length - 1}${b.type ? ` (${b.type})` : ''}`, cursorNote), ...b.rows);
    });
    const observer = typeof IntersectionObserver === 'function'
      ? new IntersectionObserver((entries) => {
        for (const e of entries) {
          e.target.near = e.isIntersecting;
          if (e.isIntersecting && e.target.open) e.target.draw();
        }
      }, { rootMargin: '400px' })
      : null;
    const filter = el('input', { type: 'search', id: 'layer-filter', placeholder: 'filter layers: number, type, series', 'aria-label': 'filter layers' });
    const count = el('span', { class: 'muted small', id: 'layer-filter-count' });
    const applyFilter = () => {
      const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const row of rows) {
        // A bare number picks the layer of that number; other words match
        // the layer's title, sizes and series.
        const hit = words.every((w) => (/^\d+$/.test(w) ? row.dataset.layer === w : row.dataset.search.includes(w)));
        row.hidden = !hit;
        if (hit) shown += 1;
      }
      for (const [i, b] of blocks.entries()) blockEls[i].hidden = b.rows.every((r) => r.hidden);
      count.textContent = words.length ? `${shown} of ${layerCount} layers` : `${layerCount} layers, folded: open one, or show all`;
    };
    filter.addEventListener('input', applyFilter);
    const showAll = el('button', { type: 'button', class: 'small', id: 'layers-show-all', text: this.showAll ? 'fold all' : 'show all' });
    showAll.addEventListener('click', () => {
      this.showAll = !this.showAll;
      showAll.textContent = this.showAll ? 'fold all' : 'show all';
      for (const row of rows) row.open = this.showAll;
    });
    for (const row of rows) {
      observer?.observe(row);
      if (!observer) row.near = true;
      if (this.showAll) row.open = true;
    }
    parts.push(el('div', { class: 'layer-filter row' }, filter, showAll, count));
    applyFilter();
    replaceChildren(this.container, ...parts, ...blockEls);
  }

  // The step cursor in a folded row's summary: "step 12: |state| ≤ 3.5"
  // (the largest magnitude of the layer's shown series at that step).
  cursorNote(layer, list) {
    const node = el('span', { class: 'row-cursor', dataset: { layer } });
    const update = (step) => {
      const series = list.find((x) => x.label === this.selected.get(layer)) || list[0];
      const steps = series ? Math.floor(series.values.length / Math.max(1, series.dim)) : 0;
      if (step === null || step === undefined || !series || step >= steps) {
        node.textContent = '';
        delete node.dataset.step;
        return;
      }
      let max = 0;
      for (let u = 0; u < series.dim; u++) max = Math.max(max, Math.abs(series.values[step * series.dim + u]));
      node.dataset.step = String(step);
      node.textContent = ` · ▸ step ${step}: |${series.label || series.kind}| ≤ ${formatNumber(max)}`;
    };
    update(this.cursor?.step ?? null);
    this.cursorNotes.push({ update });
    return { node };
  }

  heatmap(layer, series, steps) {
    const dim = series.dim;
    const values = series.values;
    const maxAbs = maxAbsOf(values);
    const figure = heatmapFigure(dim, steps, (unit, step) => values[step * dim + unit], {
      maxAbs,
      log: this.log,
      cellW: Math.max(2, Math.min(28, Math.floor(720 / Math.max(1, steps)))),
      cellH: Math.max(1, Math.min(18, Math.floor(360 / Math.max(1, dim)))),
      maxWidth: 720,
      maxHeight: 480,
      className: 'heatmap hidden-heatmap',
      label: `layer ${layer} ${series.label}`,
      xAxis: { label: `time step → (${steps})`, ticks: indexTicks(steps, 8) },
      yAxis: { label: `unit ↓ (${dim})`, ticks: indexTicks(dim, 5) },
      describe: (unit, step, v) => [`layer ${layer} · ${series.kind} ${series.label}`, `unit ${unit}, step ${step}`, `value ${formatNumber(v)}`],
      onPick: (unit, step) => this.cursor?.set(step, 'heatmap'),
    });
    figure.canvas.dataset.layer = layer;
    figure.setMarker(this.cursor?.step ?? null);
    this.figures.push(figure);
    return el('div', { class: 'heatmap-box' }, figure.node,
      el('div', { class: 'heatmap-axes muted small' }, legend(maxAbs, { log: this.log, label: 'value' })));
  }
}
