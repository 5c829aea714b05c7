// Target, activations and precision pickers. Targets come from the core
// (client.ready().targets); those it lists as unavailable are shown disabled
// with the reason. "dag" (the program's own semantics, no compilation) is
// always first.

import { el, replaceChildren } from './dom.js';

export const DAG_TARGET = {
  name: 'dag',
  description: 'the program itself (no compilation)',
  available: true,
  reason: '',
  supportsMulti: true,
  hasActivationModes: false,
};

export class TargetPicker {
  constructor({ target, activations, precision, reason }, { onChange = () => {} } = {}) {
    this.targetSelect = target;
    this.activationsSelect = activations;
    this.precisionSelect = precision;
    this.reasonNode = reason;
    this.targets = [DAG_TARGET];
    const changed = () => {
      this.updateActivations();
      onChange(this.value());
    };
    target.addEventListener('change', changed);
    activations.addEventListener('change', changed);
    precision.addEventListener('change', changed);
  }

  setTargets(targets) {
    const list = (targets || []).filter((t) => t && typeof t.name === 'string');
    const dag = list.find((t) => t.name === 'dag') || DAG_TARGET;
    this.targets = [dag, ...list.filter((t) => t.name !== 'dag')];
    replaceChildren(
      this.targetSelect,
      ...this.targets.map((t) => {
        const label = `${t.name} — ${t.description || ''}${t.available === false ? ` (unavailable: ${t.reason || 'not supported yet'})` : ''}`;
        return el('option', {
          value: t.name,
          text: label,
          disabled: t.available === false,
          title: t.available === false ? t.reason || 'not supported yet' : t.description || '',
        });
      }),
    );
  }

  info(name) {
    return this.targets.find((t) => t.name === name) || null;
  }

  // Picks a target; an unknown or unavailable one falls back to the first
  // available compiled target. Returns the name actually chosen.
  set({ target, activations, precision }) {
    let chosen = this.info(target);
    if (!chosen || chosen.available === false) {
      chosen = this.targets.find((t) => t.available !== false && t.name !== 'dag') || DAG_TARGET;
    }
    this.targetSelect.value = chosen.name;
    if (activations) this.activationsSelect.value = activations;
    if (precision) this.precisionSelect.value = precision;
    this.updateActivations();
    return chosen.name;
  }

  value() {
    return {
      target: this.targetSelect.value,
      activations: this.activationsSelect.value,
      precision: this.precisionSelect.value,
    };
  }

  updateActivations() {
    const t = this.info(this.targetSelect.value);
    const modes = !!t?.hasActivationModes;
    this.activationsSelect.disabled = !modes;
    this.activationsSelect.title = modes
      ? 'paper: sigmoid/tanh/GeLU/SiLU replaced by ReLU (exact); standard: the real activations'
      : 'this target has one activation mode';
    this.targetSelect.title = t?.description || '';
    if (this.reasonNode) this.reasonNode.textContent = t?.description || '';
  }
}
