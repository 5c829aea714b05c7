// The model summary: target, layers and their widths, the paper's layer
// bound, parameter count, non-zeros, build / compile / run times, and which
// debranching rules fired.

import { el, replaceChildren, formatNumber, downloadFile } from './dom.js';

function ms(v) {
  return Number.isFinite(v) ? `${formatNumber(Number(v.toFixed(v < 10 ? 2 : 1)))} ms` : '—';
}

// Each layer as "type width", runs of equal ones as "type width ×n".
export function layerWidthRuns(layers) {
  if (!Array.isArray(layers)) return [];
  const runs = [];
  for (const l of layers) {
    let text = String(l);
    if (l && typeof l === 'object') {
      const widths = ['state', 'state_dim', 'hidden', 'width', 'out', 'out_dim']
        .map((k) => l[k]).filter((v) => typeof v === 'number');
      text = `${l.type || l.kind || 'layer'}${widths.length ? ` ${widths[0]}` : ''}`;
    }
    const last = runs[runs.length - 1];
    if (last && last.text === text) last.count += 1;
    else runs.push({ text, count: 1 });
  }
  return runs.map((r) => (r.count > 1 ? `${r.text} ×${r.count}` : r.text));
}

// Above this many entries the list folds: its first few, then the rest one
// click away (gru, lstm and mamba build 84 layers for discrete_ua).
export const FOLD_WIDTHS = 8;

function layerWidths(layers) {
  const runs = layerWidthRuns(layers);
  if (runs.length <= FOLD_WIDTHS) return runs.join(', ');
  const shown = runs.slice(0, FOLD_WIDTHS - 2).join(', ');
  return el('details', { class: 'widths', id: 'layer-widths' },
    el('summary', { text: `${shown}, … (${runs.length - FOLD_WIDTHS + 2} more)` }),
    el('div', { class: 'small', text: runs.join(', ') }));
}

// "37 layers within the paper's bound of 37 (k + 2 per gated layer; 22 ReLU,
// 4 kept Linear, 6 product layers)", or null when the target has no bound.
function layerBoundText(b) {
  if (!b || typeof b !== 'object' || !Number.isFinite(b.bound) || !Number.isFinite(b.layers)) return null;
  const depth = [`${b.relu_layers} ReLU`];
  if (b.linear_chains === 'keep') depth.push(`${b.kept_linear_layers} kept Linear`);
  depth.push(`${b.product_layers} product layers`);
  return `${b.layers} layers ${b.layers <= b.bound ? 'within' : 'above'} the paper's bound of ${b.bound} ` +
    `(k + 2 per gated layer; ${depth.join(', ')})`;
}

// "prompts of at most 4096 tokens in [0, 26] (vocabulary)": what the model's
// weights were built for (the static range analysis); null without one.
function inputDomainText(d) {
  if (!d || typeof d !== 'object' || !Array.isArray(d.lower) || !Array.isArray(d.upper) || !d.lower.length) return null;
  const lo = Math.min(...d.lower.map(Number));
  const hi = Math.max(...d.upper.map(Number));
  const range = d.lower.every((v) => Number(v) === lo) && d.upper.every((v) => Number(v) === hi)
    ? `[${formatNumber(lo)}, ${formatNumber(hi)}]`
    : d.lower.map((v, i) => `[${formatNumber(Number(v))}, ${formatNumber(Number(d.upper[i]))}]`).join(' × ');
  return `prompts of at most ${formatNumber(d.max_length)} tokens (${d.max_length_source}) in ${range} (${d.bounds_source})`;
}

export class SummaryView {
  // onExport(format) -> Promise<{ok, diagnostics, bytes, filename, loader?, loader_filename?}>
  constructor(container, { onExport = null } = {}) {
    this.container = container;
    this.onExport = onExport;
    replaceChildren(container, el('p', { class: 'muted', text: 'The compiled model is summarised here.' }));
  }

  setStale(stale) {
    this.container.classList.toggle('stale', !!stale);
  }

  render({ summary, info, runMs, steps }) {
    this.setStale(false);
    const s = summary || {};
    const rows = [
      ['target', s.target || '—'],
      ['layers', Array.isArray(s.layers) ? String(s.layers.length) : s.layers != null ? String(s.layers) : '—'],
      ['layer widths', layerWidths(s.layers) || '—'],
      ['layer bound', layerBoundText(s.layer_bound)],
      // The prompts the model is built for: its weights depend on these, never on a prompt.
      ['built for', inputDomainText(s.input_domain)],
      ['widest', s.maxWidth != null ? formatNumber(s.maxWidth) : s.max_width != null ? formatNumber(s.max_width) : null],
      ['parameters', s.params != null ? formatNumber(s.params) : '—'],
      ['non-zeros', s.nonzeros != null ? formatNumber(s.nonzeros) : '—'],
      ['input / output width', info ? `${info.input_dim} / ${info.output_dim}` : '—'],
      ['build', ms(s.build_ms)],
      ['compile', ms(s.compile_ms)],
      ['run', Number.isFinite(runMs) ? `${ms(runMs)}${steps ? ` (${steps} steps)` : ''}` : '—'],
    ].filter(([, v]) => v != null);
    // The bound's rule in full, on hover: it counts the layers without the output head.
    const titles = { 'layer bound': s.layer_bound?.rule ? `${s.layer_bound.rule}; the count leaves out the output head` : null };
    const table = el('table', { class: 'summary-table', id: 'summary-table' },
      el('tbody', {}, ...rows.map(([k, v]) => el('tr', { dataset: { key: k } },
        el('th', { text: k }), typeof v === 'string' ? el('td', { text: v, title: titles[k] }) : el('td', {}, v)))));
    const parts = [table];
    if (s.rule_counts && typeof s.rule_counts === 'object') {
      const entries = Object.entries(s.rule_counts).filter(([, n]) => Number(n) > 0);
      if (entries.length) {
        parts.push(el('details', { class: 'rules' },
          el('summary', { text: `compiler rules applied (${entries.reduce((a, [, n]) => a + Number(n), 0)})` }),
          el('table', { class: 'rules-table' }, el('tbody', {},
            ...entries.map(([rule, n]) => el('tr', {}, el('td', { text: rule }), el('td', { class: 'num', text: String(n) })))))));
      }
    }
    if (this.onExport && s.target && s.target !== 'dag') parts.push(this.exportButtons());
    replaceChildren(this.container, ...parts);
  }

  // Download the compiled weights (the same files as `lsrlc export`).
  exportButtons() {
    const note = el('span', { class: 'muted small export-note' });
    const button = (format, label) => el('button', {
      type: 'button', class: 'small', text: label, dataset: { export: format },
      on: {
        click: async () => {
          note.textContent = 'exporting…';
          try {
            const result = await this.onExport(format);
            if (!result?.ok) {
              note.textContent = (result?.diagnostics || []).map((d) => d.message).join('; ') || 'export failed';
              return;
            }
            download(result.bytes, result.filename);
            if (result.loader && result.loader_filename) download(new TextEncoder().encode(result.loader), result.loader_filename);
            note.textContent = `saved ${result.filename}${result.loader_filename ? ` and ${result.loader_filename}` : ''}`;
          } catch (error) {
            note.textContent = error?.cancelled ? 'cancelled' : String(error?.message || error);
          }
        },
      },
    });
    return el('div', { class: 'row export-row' }, el('span', { class: 'muted small', text: 'weights:' }),
      button('json', 'JSON'), button('safetensors', 'safetensors + PyTorch loader'), note);
  }
}

function download(bytes, filename) {
  downloadFile(bytes, filename || 'model.bin');
}
