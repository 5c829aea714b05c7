// Target, activations, linear chains, max length and precision pickers.
// Targets come from the core (client.ready().targets); those it lists as
// unavailable are shown disabled with the reason. "dag" (the program's own
// semantics, no compilation) is always first. A picker whose option the
// chosen target ignores is disabled (the target list says which it reads).

import { el, replaceChildren } from './dom.js';
import { MAX_LENGTH_LIMIT, isValidMaxLength } from './state.js';

export const DAG_TARGET = {
  name: 'dag',
  description: 'the program itself (no compilation)',
  available: true,
  reason: '',
  supports_multi: true,
  has_activation_modes: false,
  uses_linear_chains: false,
  uses_max_length: false,
};

const LINEAR_CHAINS_TITLE =
  'keep: each Linear op the compiler kept apart gets a layer of its own, so the model follows the program\'s f64 ' +
  'arithmetic exactly; fuse: one affine map per MLP layer, the paper\'s layer count, but a program that cancels ' +
  'large constants (f_ifelse\'s lambda) may then give results different from the program\'s';
const MAX_LENGTH_TITLE =
  `the longest prompt the model is built for (1 to ${MAX_LENGTH_LIMIT} tokens): Hawk, Griffin and Mamba hold ` +
  'some states in a causal convolution this many tokens wide, GRU and LSTM bound their values over this many ' +
  'steps; a value other than the default overrides the program\'s Input(..., max_length=...)';

export class TargetPicker {
  constructor({ target, activations, linearChains, maxLength, precision, reason }, { onChange = () => {} } = {}) {
    this.targetSelect = target;
    this.activationsSelect = activations;
    this.linearChainsSelect = linearChains;
    this.maxLengthInput = maxLength;
    this.precisionSelect = precision;
    this.reasonNode = reason;
    this.targets = [DAG_TARGET];
    const changed = () => {
      this.updateOptions();
      onChange(this.value());
    };
    for (const select of [target, activations, linearChains, precision]) select.addEventListener('change', changed);
    // Every keystroke: a length the compiler refuses shows its message at once
    // (the page debounces the recompile).
    maxLength.addEventListener('input', changed);
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
  set({ target, activations, linearChains, maxLength, precision }) {
    let chosen = this.info(target);
    if (!chosen || chosen.available === false) {
      chosen = this.targets.find((t) => t.available !== false && t.name !== 'dag') || DAG_TARGET;
    }
    this.targetSelect.value = chosen.name;
    if (activations) this.activationsSelect.value = activations;
    if (linearChains) this.linearChainsSelect.value = linearChains;
    if (maxLength !== undefined) this.maxLengthInput.value = Number.isFinite(maxLength) ? String(maxLength) : '';
    if (precision) this.precisionSelect.value = precision;
    this.updateOptions();
    return chosen.name;
  }

  // maxLength is what the box holds as a number (NaN when it holds none):
  // the compiler, not the page, says what is wrong with it.
  value() {
    return {
      target: this.targetSelect.value,
      activations: this.activationsSelect.value,
      linearChains: this.linearChainsSelect.value,
      maxLength: this.maxLengthInput.valueAsNumber,
      precision: this.precisionSelect.value,
    };
  }

  updateOptions() {
    const t = this.info(this.targetSelect.value);
    const modes = !!t?.has_activation_modes;
    this.activationsSelect.disabled = !modes;
    this.activationsSelect.title = modes
      ? 'paper: sigmoid/tanh/GeLU/SiLU replaced by ReLU (exact); standard: the real activations'
      : 'this target has one activation mode';
    const chains = !!t?.uses_linear_chains;
    this.linearChainsSelect.disabled = !chains;
    this.linearChainsSelect.title = chains
      ? LINEAR_CHAINS_TITLE
      : 'this target runs the program\'s Linear ops as they are: there is nothing to keep apart or fuse';
    const horizon = !!t?.uses_max_length;
    this.maxLengthInput.disabled = !horizon;
    this.maxLengthInput.title = horizon ? MAX_LENGTH_TITLE : 'only GRU, LSTM, Hawk, Griffin and Mamba need a maximum sequence length';
    this.maxLengthInput.classList.toggle('invalid', horizon && !isValidMaxLength(this.value().maxLength));
    this.targetSelect.title = t?.description || '';
    if (this.reasonNode) this.reasonNode.textContent = t?.description || '';
  }
}
