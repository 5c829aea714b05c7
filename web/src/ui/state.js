// The page's whole state: what a share link, an embed and the autosave carry.
// Everything that reproduces what the user sees lives here and nowhere else:
//   { v, example, source, params: {name: "value"}, target, activations,
//     linearChains, maxLength, precision, prompt: {kind, ...} }
// Prompt kinds: tokens {text} | csv {text} | text {text} |
//   continuous {function, cells, query: [numbers]} |
//   dictionary {query, pairs: [[key, value], ...]}
//
// sanitizeState() is the gate for anything read from a URL or localStorage:
// it keeps only fields of the right type and size, so a hand-made link can
// not put an object where a string is expected (and no value is ever used as
// HTML anyway; see dom.js).

export const STATE_VERSION = 1;
export const DEFAULT_EXAMPLE = 'more_ones';
export const DEFAULT_TARGET = 'gated-linear-rnn';
export const PROMPT_KINDS = ['tokens', 'csv', 'text', 'continuous', 'dictionary'];
export const PRECISIONS = ['f64', 'f32', 'f16'];
export const ACTIVATIONS = ['paper', 'standard'];
export const LINEAR_CHAINS = ['keep', 'fuse'];
// The core's default and range for the maximum sequence length
// (api::CompileOptions::max_sequence_length, api::kMaxSequenceLengthLimit).
export const DEFAULT_MAX_LENGTH = 4096;
export const MAX_LENGTH_LIMIT = 65536;

export function isValidMaxLength(value) {
  return Number.isInteger(value) && value >= 1 && value <= MAX_LENGTH_LIMIT;
}

// Limits on what a link may carry (a link is text someone else wrote).
const MAX_SOURCE = 200_000;
// The longest prompt text the page keeps (a link, the autosave, the box):
// enough for a million short tokens. A longer text in the box is refused with
// this figure (ui/prompt.js), never shortened or dropped.
export const MAX_PROMPT_CHARS = 8_000_000;
const MAX_TEXT = MAX_PROMPT_CHARS;
const MAX_PAIRS = 1000;
const MAX_NAME = 200;

export function defaultState() {
  return {
    v: STATE_VERSION,
    example: DEFAULT_EXAMPLE,
    source: '',
    params: {},
    target: DEFAULT_TARGET,
    activations: 'paper',
    linearChains: 'keep',
    maxLength: DEFAULT_MAX_LENGTH,
    precision: 'f64',
    prompt: { kind: 'tokens', text: '' },
  };
}

function str(value, max, fallback = '') {
  return typeof value === 'string' && value.length <= max ? value : fallback;
}
function num(value, fallback) {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function sanitizePrompt(raw) {
  const prompt = { kind: 'tokens', text: '' };
  if (!raw || typeof raw !== 'object') return prompt;
  const kind = PROMPT_KINDS.includes(raw.kind) ? raw.kind : 'tokens';
  prompt.kind = kind;
  if (kind === 'tokens' || kind === 'csv' || kind === 'text') {
    prompt.text = str(raw.text, MAX_TEXT);
  } else if (kind === 'continuous') {
    delete prompt.text;
    prompt.function = str(raw.function, 2000, 'sin(3*x1)*x2');
    prompt.cells = Math.max(1, Math.min(2000, Math.round(num(raw.cells, 6))));
    prompt.query = Array.isArray(raw.query)
      ? raw.query.slice(0, 16).map((q) => num(Number(q), 0.5))
      : [0.5, 0.5];
  } else if (kind === 'dictionary') {
    delete prompt.text;
    prompt.query = str(raw.query, MAX_NAME);
    prompt.pairs = Array.isArray(raw.pairs)
      ? raw.pairs
          .slice(0, MAX_PAIRS)
          .filter((p) => Array.isArray(p) && p.length === 2)
          .map(([k, v]) => [str(k, MAX_NAME), str(v, MAX_NAME)])
      : [];
  }
  return prompt;
}

export function sanitizeState(raw) {
  const state = defaultState();
  if (!raw || typeof raw !== 'object') return state;
  state.example = typeof raw.example === 'string' && raw.example.length <= MAX_NAME ? raw.example : null;
  state.source = str(raw.source, MAX_SOURCE);
  if (raw.params && typeof raw.params === 'object' && !Array.isArray(raw.params)) {
    for (const [name, value] of Object.entries(raw.params).slice(0, 100)) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name.length <= MAX_NAME &&
          (typeof value === 'string' || typeof value === 'number') && String(value).length <= MAX_NAME) {
        state.params[name] = String(value);
      }
    }
  }
  state.target = /^[a-z0-9-]{1,40}$/.test(raw.target) ? raw.target : DEFAULT_TARGET;
  state.activations = ACTIVATIONS.includes(raw.activations) ? raw.activations : 'paper';
  state.linearChains = LINEAR_CHAINS.includes(raw.linearChains) ? raw.linearChains : 'keep';
  // While typing, the page may hold a length the compiler refuses (it says
  // why); what comes back from a link or storage is a valid one.
  state.maxLength = isValidMaxLength(raw.maxLength) ? raw.maxLength : DEFAULT_MAX_LENGTH;
  state.precision = PRECISIONS.includes(raw.precision) ? raw.precision : 'f64';
  state.prompt = sanitizePrompt(raw.prompt);
  return state;
}

export function cloneState(state) {
  return JSON.parse(JSON.stringify(state));
}
