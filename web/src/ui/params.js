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
        if (document.activeElement !== input && input.value !== String(spec.value)) input.value = String(spec.value);
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
      const box = el('input', {
        id, type: 'number', step, min: spec.min ?? undefined, max: spec.max ?? undefined,
        value: String(spec.value), dataset: { param: spec.name },
      });
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
        slider = el('input', {
          type: 'range', min: spec.min, max: spec.max, step, value: String(spec.value),
          'aria-label': spec.name, dataset: { paramSlider: spec.name },
        });
        slider.addEventListener('input', () => {
          box.value = slider.value;
          commit(slider.value);
        });
        elements.push(slider);
      }
      box.addEventListener('input', () => {
        const ok = valid(box.value);
        box.classList.toggle('invalid', !ok);
        if (!ok) return;
        if (slider) slider.value = box.value;
        commit(box.value);
      });
      this.inputs.set(spec.name, elements);
      controls = slider ? [slider, box] : [box];
    }
    const range = spec.kind !== 'choice' && (spec.min != null || spec.max != null)
      ? el('span', { class: 'param-range', text: `[${spec.min ?? '−∞'}, ${spec.max ?? '∞'}]` })
      : null;
    return el('div', { class: 'param', dataset: { name: spec.name } },
      el('div', { class: 'param-label' }, label, range), el('div', { class: 'param-controls' }, ...controls), doc);
  }
}
