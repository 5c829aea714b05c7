// Hidden states of the compiled model: one heatmap per layer (time across,
// units down, diverging colours centred at 0, hover for layer/unit/step/
// value), beside the layer's sizes and the part of the path graph (after
// debranching) that the layer computes, so each drawing sits next to the
// states it produces.

import { el, replaceChildren, formatNumber } from './dom.js';
import { heatmapCanvas } from './heatmap-canvas.js';
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
// ({type, inputDim, hiddenDim, outputDim, params, nonzeros, detail}).
function describeLayer(entry) {
  if (!entry || typeof entry !== 'object') return '';
  const dims = [entry.inputDim, entry.hiddenDim, entry.outputDim].every(Number.isFinite)
    ? `in ${entry.inputDim} → state ${entry.hiddenDim} → out ${entry.outputDim}` : '';
  const counts = Number.isFinite(entry.params) ? `${formatNumber(entry.params)} params, ${formatNumber(entry.nonzeros)} non-zero` : '';
  return [entry.type, dims, counts].filter(Boolean).join(' · ');
}

// One layer of the PathModel ({label, inputDim, stateDim, outputDim, ops:
// [{kind, inputDim, outputDim, label}]}): its LinState, then its
// feed-forward ops, in order.
function pathLayerNodes(layer) {
  return [
    { kind: 'LinState', name: layer.label || '', dim: layer.stateDim },
    ...(layer.ops || []).map((op) => ({ kind: op.kind, name: op.label || '', dim: op.outputDim })),
  ];
}

export class HiddenStatesView {
  constructor(container) {
    this.container = container;
    this.log = true;
    this.selected = new Map(); // layer -> series label shown
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

    const rows = [];
    for (let layer = 0; layer < layerCount; layer++) {
      const info = layersInfo[layer];
      const list = byLayer.get(layer) || [];
      const side = el('div', { class: 'layer-side' },
        el('div', { class: 'layer-title', text: `layer ${layer}` }),
        el('div', { class: 'layer-sizes muted', text: describeLayer(info) }));
      if (aligned) {
        side.appendChild(pathChips(pathLayerNodes(pathLayers[layer])));
      }
      const plot = el('div', { class: 'layer-plot' });
      if (list.length === 0) {
        plot.appendChild(el('p', { class: 'muted', text: trace ? 'no recorded states for this layer' : 'no trace for this run' }));
      } else {
        const current = list.find((s) => s.label === this.selected.get(layer)) || list[0];
        if (list.length > 1) {
          const pick = el('select', { 'aria-label': `series of layer ${layer}` },
            ...list.map((s) => el('option', { value: s.label, text: `${s.kind}: ${s.label} (${s.dim})` })));
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
      }
      rows.push(el('div', { class: 'layer-row', dataset: { layer } }, side, plot));
    }
    if (layerCount === 0) {
      parts.push(el('p', { class: 'muted', text: 'The target "dag" runs the program node by node: pick a compiled target to see the model\'s layers.' }));
    }
    replaceChildren(this.container, ...parts, ...rows);
  }

  heatmap(layer, series, steps) {
    const dim = series.dim;
    const values = series.values;
    const maxAbs = maxAbsOf(values);
    const canvas = heatmapCanvas(dim, steps, (unit, step) => values[step * dim + unit], {
      maxAbs,
      log: this.log,
      cellW: Math.max(2, Math.min(28, Math.floor(720 / Math.max(1, steps)))),
      cellH: Math.max(1, Math.min(18, Math.floor(360 / Math.max(1, dim)))),
      maxWidth: 720,
      maxHeight: 480,
      className: 'heatmap hidden-heatmap',
      label: `layer ${layer} ${series.label}`,
      tooltip: (unit, step, v) => [`layer ${layer} · ${series.kind} ${series.label}`, `unit ${unit}, step ${step}`, `value ${formatNumber(v)}`],
    });
    canvas.dataset.layer = layer;
    return el('div', { class: 'heatmap-box' }, canvas,
      el('div', { class: 'heatmap-axes muted small' }, `time → (${steps} steps), units ↓ (${dim}) `, legend(maxAbs, { log: this.log })));
  }
}
