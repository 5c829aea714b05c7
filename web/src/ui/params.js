// Controls for the program's param(...)s: a slider with a number box for
// bounded numbers, a number box otherwise, a menu for choices. The controls
// are rebuilt only when the set of params changes, so typing in one of them
// never loses focus on a re-run.

import { el, replaceChildren } from './dom.js';

function specKey(params) {
  return JSON.stringify((params || []).map((p) => [p.name, p.kind, p.min, p.max, p.choices, p.default]));
}

function numberStep(spec) {
  if (spec.kind === 'int') return 1;
  if (spec.min != null && spec.max != null && spec.max > spec.min) {
    const span = spec.max - spec.min;
    return Number((span / 100).toPrecision(1));
  }
  return 'any';
}

// A number as the box shows it: short forms for big and tiny magnitudes
// (1e10, not the 11 digits a narrow box cuts to "1000000").
export function formatParam(value) {
  const v = Number(value);
  if (!Number.isFinite(v)) return String(value);
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4)) {
    return v.toExponential().replace(/\.?0+e/, 'e').replace('e+', 'e');
  }
  return String(v);
}

// A slider over a range of positive numbers spanning three decades or more
// moves logarithmically: linear, most of [1, 1e15] would sit in its last pixel.
export function isLogRange(spec) {
  return spec.min != null && spec.max != null && spec.min > 0 && spec.max / spec.min >= 1000;
}

export class ParamsControls {
  constructor(container, { onChange = () => {} } = {}) {
    this.container = container;
    this.onChange = onChange;
    this.key = null;
    this.inputs = new Map(); // name -> [elements showing the value]
    this.render([]);
  }

  // params: info.params from a successful compile
  render(params) {
    const key = specKey(params);
    if (key !== this.key) {
      this.key = key;
      this.build(params || []);
    }
    for (const spec of params || []) {
      for (const input of this.inputs.get(spec.name) || []) {
        const shown = input.toView ? input.toView(spec.value) : String(spec.value);
        if (document.activeElement !== input && input.value !== shown) input.value = shown;
      }
    }
  }

  build(params) {
    this.inputs.clear();
    if (params.length === 0) {
      replaceChildren(this.container, el('p', { class: 'muted', text: 'This program declares no param(...).' }));
      return;
    }
    replaceChildren(this.container, ...params.map((spec) => this.control(spec)));
  }

  control(spec) {
    const id = `param-${spec.name}`;
    const label = el('label', { for: id, class: 'param-name', text: spec.name });
    const doc = spec.doc ? el('span', { class: 'param-doc', text: spec.doc }) : null;
    const commit = (value) => this.onChange(spec.name, String(value), spec);
    let controls;
    if (spec.kind === 'choice') {
      const select = el('select', { id, dataset: { param: spec.name } },
        ...(spec.choices || []).map((c) => el('option', { value: c, text: c })));
      select.value = String(spec.value);
      select.addEventListener('change', () => commit(select.value));
      this.inputs.set(spec.name, [select]);
      controls = [select];
    } else {
      const step = numberStep(spec);
      // A text box (inputmode decimal): a number box would rewrite 1e10 as
      // 10000000000, wider than the box.
      const box = el('input', {
        id, type: 'text', inputmode: 'decimal', spellcheck: 'false', autocomplete: 'off',
        value: formatParam(spec.value), dataset: { param: spec.name },
        title: `${spec.kind === 'int' ? 'a whole number' : 'a number'}${spec.min != null ? ` ≥ ${formatParam(spec.min)}` : ''}${spec.max != null ? ` ≤ ${formatParam(spec.max)}` : ''} (1e10 style accepted)`,
      });
      box.toView = formatParam;
      const valid = (text) => {
        const v = Number(text);
        if (text.trim() === '' || !Number.isFinite(v)) return false;
        if (spec.kind === 'int' && !Number.isInteger(v)) return false;
        if (spec.min != null && v < spec.min) return false;
        if (spec.max != null && v > spec.max) return false;
        return true;
      };
      const elements = [box];
      let slider = null;
      if (spec.min != null && spec.max != null && spec.max > spec.min) {
        const log = isLogRange(spec);
        const toSlider = (v) => String(log ? Math.log10(Number(v)) : Number(v));
        // A log slider position back to a value: 3 significant digits (whole
        // for int params), clamped to the range.
        const fromSlider = (pos) => {
          if (!log) return Number(pos);
          let v = Number(Math.pow(10, Number(pos)).toPrecision(3));
          if (spec.kind === 'int') v = Math.round(v);
          return Math.min(spec.max, Math.max(spec.min, v));
        };
        slider = el('input', {
          type: 'range',
          min: log ? Math.log10(spec.min) : spec.min,
          max: log ? Math.log10(spec.max) : spec.max,
          step: log ? 'any' : step,
          value: toSlider(spec.value),
          'aria-label': `${spec.name}${log ? ' (logarithmic)' : ''}`,
          dataset: { paramSlider: spec.name, scale: log ? 'log' : 'linear' },
        });
        slider.toView = toSlider;
        slider.addEventListener('input', () => {
          const v = fromSlider(slider.value);
          box.value = formatParam(v);
          box.classList.remove('invalid');
          commit(v);
        });
        elements.push(slider);
      }
      box.addEventListener('input', () => {
        const ok = valid(box.value);
        box.classList.toggle('invalid', !ok);
        if (!ok) return;
        if (slider) slider.value = slider.toView(box.value);
        commit(Number(box.value));
      });
      this.inputs.set(spec.name, elements);
      controls = slider ? [slider, box] : [box];
    }
    const range = spec.kind !== 'choice' && (spec.min != null || spec.max != null)
      ? el('span', { class: 'param-range', text: `[${spec.min != null ? formatParam(spec.min) : '−∞'}, ${spec.max != null ? formatParam(spec.max) : '∞'}]${isLogRange(spec) ? ' log scale' : ''}` })
      : null;
    return el('div', { class: 'param', dataset: { name: spec.name } },
      el('div', { class: 'param-label' }, label, range), el('div', { class: 'param-controls' }, ...controls), doc);
  }
}
