// Writes the graded exercises: one data file per exercise (exercises/ID.json)
// and the index of the set (exercises/index.json). The format is
// docs/exercises.md.
//
// The expected outputs of every check are computed HERE, by plain JavaScript
// functions written from each exercise's statement, never by running an LSRL
// program: a wrong reference solution cannot make its own checks pass. The
// reference solutions live in tests/exercises/solutions/ and the tests grade
// them against these files.
//
// Usage: node scripts/make-exercises.mjs            writes exercises/
//        node scripts/make-exercises.mjs --check    exits 1 (naming the files)
//                                                   when exercises/ differs
//        node scripts/make-exercises.mjs --out DIR  writes into DIR instead

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FORMAT = 'lsrl-exercise/1';
export const INDEX_FORMAT = 'lsrl-exercise-index/1';

// ---- deterministic inputs -------------------------------------------------
// A small seeded generator (mulberry32) so the files are the same on every run.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const intIn = (rand, lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const bits = (rand, n) => Array.from({ length: n }, () => intIn(rand, 0, 1));
const ints = (rand, n, lo, hi) => Array.from({ length: n }, () => intIn(rand, lo, hi));
// Numbers with one decimal: exact in the files and in f64 sums of a few terms.
const tenths = (rand, n, lo, hi) => Array.from({ length: n }, () => intIn(rand, lo * 10, hi * 10) / 10);
const column = (values) => values.map((v) => [v]);
const round = (x) => Math.round(x * 1e9) / 1e9; // sums of tenths without 0.30000000000000004

// ---- the independent functions ---------------------------------------------
// Each takes the tokens (number[][]) and returns one row per step (number[])
// or null for a step that is not graded.
const perStep = (f) => (tokens) => {
  const out = [];
  const state = {};
  tokens.forEach((token, t) => out.push(f(token, t, state, tokens)));
  return out;
};

const runningSum = perStep(([x], t, s) => [(s.sum = round((s.sum || 0) + x))]);
const countTokens = perStep((_x, t) => [t + 1]);
const countZeros = perStep(([x], t, s) => [(s.zeros = (s.zeros || 0) + (x === 0 ? 1 : 0))]);
const moreOnes = perStep(([x], t, s) => {
  s.ones = (s.ones || 0) + x;
  s.zeros = (s.zeros || 0) + (1 - x);
  return [s.ones > s.zeros ? 1 : 0];
});
const mod3 = perStep((_x, t) => [t % 3]);
const delay2 = perStep((_x, t, s, tokens) => [t >= 2 ? tokens[t - 2][0] : 0]);
const firstToken = perStep((_x, t, s, tokens) => [tokens[0][0]]);
const reachedFive = perStep(([x], t, s) => {
  s.sum = (s.sum || 0) + x;
  return [s.sum >= 5 ? 1 : 0];
});
const pick = perStep(([a, b, c]) => [c === 1 ? a : b]);
const noisyFlagSum = perStep(([x, c], t, s) => [(s.sum = round((s.sum || 0) + (c > 0.5 ? x : 0)))]);
const weightedSum = perStep(([x, w], t, s) => [(s.sum = round((s.sum || 0) + round(w * x)))]);
const pattern123 = perStep((_x, t, s, tokens) => [
  t >= 2 && tokens[t - 2][0] === 1 && tokens[t - 1][0] === 2 && tokens[t][0] === 3 ? 1 : 0,
]);
const storeQuery = perStep((_x, t, s, tokens) => [tokens[0][0], t >= 1 ? tokens[1][0] : 0]);
// prompt: q, k1, v1, k2, v2, ...: only the last step is graded.
const lookupOne = (tokens) => {
  const q = tokens[0][0];
  let answer = 0;
  for (let i = 1; i + 1 < tokens.length; i += 2) if (tokens[i][0] === q) answer = tokens[i + 1][0];
  return tokens.map((_, t) => (t === tokens.length - 1 ? [answer] : null));
};
// prompt: the query (n tokens), then n-token keys each followed by its
// n-token value: the last n steps are graded, one token of the value each.
const dictionaryLookup = (n) => (tokens) => {
  const ids = tokens.map((row) => row[0]);
  const query = ids.slice(0, n).join(',');
  let value = null;
  for (let i = n; i + 2 * n <= ids.length; i += 2 * n) {
    if (ids.slice(i, i + n).join(',') === query) value = ids.slice(i + n, i + 2 * n);
  }
  if (!value) throw new Error('dictionaryLookup: a check whose query is not among the keys');
  return ids.map((_, t) => (t >= ids.length - n ? [value[t - (ids.length - n)]] : null));
};

// ---- check inputs ------------------------------------------------------------
function letters(word) {
  return Array.from(word, (ch) => [ch.charCodeAt(0) - 64]); // A = 1 ... Z = 26 ('?' = 0)
}
function dictionaryPrompt(query, pairs) {
  return letters(query + pairs.map(([k, v]) => k + v).join(''));
}
function lookupPrompt(rand, pairs) {
  const keys = [];
  while (keys.length < pairs) {
    const k = intIn(rand, 1, 9);
    if (!keys.includes(k)) keys.push(k);
  }
  const values = ints(rand, pairs, 1, 9);
  const q = keys[intIn(rand, 0, pairs - 1)];
  return [[q], ...keys.flatMap((k, i) => [[k], [values[i]]])];
}

// ---- the set ------------------------------------------------------------------
const STARTER_NOTE = '# Replace the line below with your program. Press the check button to grade it.\n';

function definitions() {
  const rand = random(12);
  return [
    {
      id: 'running_sum',
      title: '1. The first LinState: a running sum',
      statement:
        'Each token is one number. At every step output the sum of all tokens so far (the current one included).\n\n' +
        'Example: tokens 1 2 3 give outputs 1 3 6.\n\n' +
        'A LinState is the only memory an LSRL program has: s_t = A s_{t-1} + B x_t + bias.',
      starter: `${STARTER_NOTE}input = Input(dim=1)\nreturn input\n`,
      hints: [
        'One LinState of width 1 is enough.',
        'Keep the old sum (A = [[1]]) and add the token (B = [[1]]), starting from init_state = [[0]].',
      ],
      target: 'linear-rnn',
      inputs: [[1, 2, 3], tenths(rand, 8, -5, 5), tenths(rand, 12, -10, 10)].map(column),
      expected: runningSum,
    },
    {
      id: 'count_tokens',
      title: '2. Counting the steps',
      statement:
        'Whatever the tokens are, output at step t how many tokens have been seen: 1, 2, 3, ...\n\n' +
        'Example: tokens 7 -2 0 give outputs 1 2 3.',
      starter: `${STARTER_NOTE}input = Input(dim=1)\nreturn input\n`,
      hints: [
        'The token must not change the count: B = [[0]].',
        'A LinState takes a bias= that is added at every step; or count f_constant(input, 1).',
      ],
      target: 'linear-rnn',
      inputs: [[7, -2, 0], tenths(rand, 6, -9, 9), ints(rand, 10, 0, 1)].map(column),
      expected: countTokens,
    },
    {
      id: 'count_zeros',
      title: '3. How many zeros so far',
      statement:
        'Every token is 0 or 1. Output at every step how many of the tokens so far were 0.\n\n' +
        'Example: tokens 1 0 0 1 0 give outputs 0 1 2 2 3.',
      starter: `${STARTER_NOTE}input = Input(dim=1)\nreturn LinState(input, A=[[1]], B=[[1]], init_state=[[0]])\n`,
      hints: ['f_not(x) is 1 - x: it turns a 0 into a 1.', 'Feed f_not(input) into a counting LinState.'],
      target: 'linear-rnn',
      inputs: [[1, 0, 0, 1, 0], bits(rand, 10), bits(rand, 14)].map(column),
      expected: countZeros,
    },
    {
      id: 'more_ones',
      title: '4. More ones than zeros (the paper\'s Fig. 1)',
      statement:
        'Every token is 0 or 1. Output 1 at a step if the tokens so far hold more ones than zeros, and 0 otherwise ' +
        '(a tie is 0).\n\nExample: tokens 1 0 1 1 0 0 give outputs 1 0 1 1 1 0.',
      starter: `${STARTER_NOTE}input = Input(dim=1)\nctr1s = LinState(input, A=[[1]], B=[[1]], init_state=[[0]])\nreturn ctr1s\n`,
      hints: [
        'Count the ones and the zeros with two LinStates.',
        'f_larger(x, y, mu=10) is 1 when x exceeds y by at least 1/mu and 0 when x <= y.',
      ],
      target: 'linear-rnn',
      inputs: [[1, 0, 1, 1, 0, 0], bits(rand, 12), bits(rand, 16), [0, 0, 1, 1, 1, 1, 0]].map(column),
      expected: moreOnes,
    },
    {
      id: 't_mod_3',
      title: '5. The step modulo 3',
      statement:
        'Number the steps t = 0, 1, 2, ... from the first token. Output t mod 3 at every step: 0 1 2 0 1 2 ...\n\n' +
        'The tokens are only a clock; their values do not matter. A plain counter followed by a "mod" is not something ' +
        'a linear recurrence computes, and a counter that grows forever loses precision.',
      starter: `${STARTER_NOTE}input = Input(dim=1)\nt = LinState(input, A=[[1]], B=[[0]], init_state=[[-1]], bias=[[1]])\nreturn t\n`,
      hints: [
        'f_modulo_counter(x, n) is the paper\'s rotating unit vector: it gives t mod n.',
        'A rotation by 2 pi / 3 per step comes back to the start every 3 steps.',
      ],
      target: 'linear-rnn',
      tolerance: 1e-3,
      inputs: [ints(rand, 7, 0, 1), ints(rand, 11, -3, 3), ints(rand, 4, 0, 9)].map(column),
      expected: mod3,
    },
    {
      id: 'delay_2',
      title: '6. Delay by two steps',
      statement:
        'Output the token seen two steps ago, and 0 for the first two steps.\n\n' +
        'Example: tokens 4 5 6 7 give outputs 0 0 4 5.',
      starter: `${STARTER_NOTE}input = Input(dim=1)\nreturn input\n`,
      hints: [
        'A LinState of width 3 can be a shift register: A moves every slot one place down, B writes the token into the last slot.',
        'A = [[0,1,0],[0,0,1],[0,0,0]], B = [[0],[0],[1]]; slot 0 then holds the token from two steps ago.',
      ],
      target: 'linear-rnn',
      inputs: [[4, 5, 6, 7], tenths(rand, 9, -5, 5), ints(rand, 3, 1, 9)].map(column),
      expected: delay2,
    },
    {
      id: 'first_token',
      title: '7. Remember the first token',
      statement:
        'Output the first token of the sequence at every step. Tokens are numbers between -10 and 10.\n\n' +
        'Example: tokens 3 8 -1 give outputs 3 3 3.',
      starter: `${STARTER_NOTE}input = Input(dim=1)\nreturn input\n`,
      hints: [
        'Count the steps, and find the first one with f_smaller(count, 1.5, mu=10).',
        'f_ifelse(cond, t, f) is t where cond is 1 and f where it is 0 (paper Eq. 7); add input or 0 to a LinState that keeps it.',
      ],
      target: 'linear-rnn',
      inputs: [[3, 8, -1], tenths(rand, 8, -10, 10), tenths(rand, 5, -10, 10), [0, 5, 5]].map(column),
      expected: firstToken,
    },
    {
      id: 'reach_five',
      title: '8. Threshold: has the total reached 5?',
      statement:
        'Tokens are whole numbers from 0 to 3. Output 1 from the first step at which the running total is at least 5, ' +
        'and 0 before.\n\nExample: tokens 2 2 0 1 3 give outputs 0 0 0 1 1.',
      starter: `${STARTER_NOTE}input = Input(dim=1)\ntotal = LinState(input, A=[[1]], B=[[1]], init_state=[[0]])\nreturn total\n`,
      hints: [
        'f_step(x, mu) is 0 for x <= 0 and 1 for x >= 1/mu: a steep ramp, not a true jump.',
        'The total is a whole number, so "total >= 5" is "total - 4.5 > 0": f_step(total - 4.5, mu=10).',
      ],
      target: 'linear-rnn',
      inputs: [[2, 2, 0, 1, 3], ints(rand, 8, 0, 3), ints(rand, 10, 0, 1), [0, 0, 0, 0]].map(column),
      expected: reachedFive,
    },
    {
      id: 'pick_original',
      title: '9. A conditional with f_ifelse (paper Eq. 7)',
      statement:
        'Each token is [a, b, c] with c either 0 or 1 and a, b between -50 and 50. Output a when c is 1 and b when c is 0.\n\n' +
        'Example: tokens 5,-3,1 5,-3,0 give outputs 5 -3.\n\nUse only ReLUs and linear maps: the exercise is graded on a linear RNN, ' +
        'which has no multiplicative gates.',
      starter: `${STARTER_NOTE}input = Input(dim=3)\nreturn input[0]\n`,
      hints: [
        'input[0], input[1] and input[2] are the three components.',
        'f_ifelse(cond, t, f, large_constant=1e4) is the paper\'s Eq. 7: the constant must exceed every |t| and |f|.',
      ],
      target: 'linear-rnn',
      inputs: [
        [[5, -3, 1], [5, -3, 0]],
        Array.from({ length: 8 }, () => [...tenths(rand, 2, -50, 50), intIn(rand, 0, 1)]),
        Array.from({ length: 6 }, () => [...ints(rand, 2, -50, 50), intIn(rand, 0, 1)]),
      ],
      expected: pick,
    },
    {
      id: 'noisy_flag_sum',
      title: '10. A conditional with f_ifelse_step (paper Eq. 9)',
      statement:
        'Each token is [x, c] where the flag c is noisy: about 0 (at most 0.2) or about 1 (at least 0.8). Output the running ' +
        'sum of the x whose flag is about 1.\n\nExample: tokens 2,0.9 5,0.1 1,0.85 give outputs 2 2 3.',
      starter: `${STARTER_NOTE}input = Input(dim=2)\nx = input[0]\nc = input[1]\nreturn LinState(x, A=[[1]], B=[[1]], init_state=[[0]])\n`,
      hints: [
        'f_ifelse treats c as exactly 0 or 1; a flag of 0.9 leaks into the result.',
        'f_ifelse_step(cond, t, f, large_constant, mu) first sharpens the condition with steps at 1/2 (Eq. 9).',
      ],
      target: 'linear-rnn',
      inputs: [
        [[2, 0.9], [5, 0.1], [1, 0.85]],
        Array.from({ length: 10 }, () => [intIn(rand, -20, 20), rand() < 0.5 ? intIn(rand, 0, 2) / 10 : intIn(rand, 8, 10) / 10]),
        Array.from({ length: 7 }, () => [intIn(rand, 0, 9), rand() < 0.5 ? 0.05 : 0.95]),
      ],
      expected: noisyFlagSum,
    },
    {
      id: 'weighted_sum',
      title: '11. A multiplicative gate: f_ifelse_mul (paper Eq. 10)',
      statement:
        'Each token is [x, w] with a weight w between 0 and 1. Output the running sum of w * x.\n\n' +
        'Example: tokens 10,0.5 4,1 6,0 give outputs 5 9 9.\n\nA product of two inputs needs a multiplicative gate: this ' +
        'exercise is graded on a gated linear RNN.',
      starter: `${STARTER_NOTE}input = Input(dim=2)\nx = input[0]\nw = input[1]\nreturn LinState(x, A=[[1]], B=[[1]], init_state=[[0]])\n`,
      hints: [
        'f_ifelse_mul(cond, t, None) is cond * t (paper Eq. 10 with a zero false branch); Multi(Concat([a, b])) is a * b.',
        'On a linear RNN the multiplicative forms are refused: change nothing but the form to see why the target matters.',
      ],
      target: 'gated-linear-rnn',
      inputs: [
        [[10, 0.5], [4, 1], [6, 0]],
        Array.from({ length: 9 }, () => [intIn(rand, -20, 20), intIn(rand, 0, 10) / 10]),
        Array.from({ length: 5 }, () => [tenths(rand, 1, -5, 5)[0], intIn(rand, 0, 4) / 4]),
      ],
      expected: weightedSum,
    },
    {
      id: 'pattern_123',
      title: '12. A shift-register match: spot 1 2 3',
      statement:
        'Tokens are whole numbers from 0 to 4. Output 1 at a step when this token and the two before it are 1, 2, 3 in that ' +
        'order, and 0 otherwise.\n\nExample: tokens 1 2 3 3 1 2 3 give outputs 0 0 1 0 0 0 1.',
      starter: `${STARTER_NOTE}input = Input(dim=1)\nreturn f_eq(input, 3, mu=10)\n`,
      hints: [
        'Keep the last three tokens in a shift-register LinState (see exercise 6).',
        'f_eq(x, value, mu=10) is 1 when x equals a whole number; combine three of them with f_and.',
      ],
      target: 'linear-rnn',
      inputs: [[1, 2, 3, 3, 1, 2, 3], ints(rand, 12, 0, 4), [3, 2, 1, 2, 3, 1, 2, 3], ints(rand, 9, 1, 3)].map(column),
      expected: pattern123,
    },
    {
      id: 'store_query',
      title: '13. Storing a query',
      statement:
        'The first two tokens are a query (whole numbers 1 to 26). Output two numbers at every step: the query\'s first and ' +
        'second token, with 0 for a token not seen yet. The tokens after the query must not change it.\n\n' +
        'Example: tokens 3 9 4 4 give outputs 3,0 3,9 3,9 3,9.\n\nThis is the first part of the paper\'s dictionary lookup (Listing 2).',
      starter: `${STARTER_NOTE}input = Input(dim=1)\nreturn Concat([input, input])\n`,
      hints: [
        'Find the first and the second step with a step counter and f_larger / f_smaller.',
        'Write the token into slot i of a LinState (A = eye(2)) only at step i, with f_ifelse_opt(cond, nonneg(input), None).',
      ],
      target: 'linear-rnn',
      inputs: [[3, 9, 4, 4], ints(rand, 6, 1, 26), ints(rand, 3, 1, 26), ints(rand, 9, 1, 26)].map(column),
      expected: storeQuery,
    },
    {
      id: 'lookup_one',
      title: '14. Key -> value lookup',
      statement:
        'The prompt is a query q, then key/value pairs: q k1 v1 k2 v2 ... (whole numbers 1 to 9, keys all different, ' +
        'one of them equal to q). At the last step output the value whose key equals q. Only the last step is graded.\n\n' +
        'Example: tokens 4 2 7 4 5 9 1 give 5 at the last step (key 4 has value 5).',
      starter: `${STARTER_NOTE}input = Input(dim=1)\nreturn input\n`,
      hints: [
        'Store the query (exercise 13); keys are at the odd steps 1, 3, 5, ... and values at the even steps after them.',
        'Remember whether the previous token was a key equal to the query; when it was, add the current token to an answer LinState.',
        'The multiplicative f_ifelse_mul gates make this easy on a gated linear RNN.',
      ],
      target: 'gated-linear-rnn',
      inputs: [
        [[4], [2], [7], [4], [5], [9], [1]],
        lookupPrompt(rand, 3),
        lookupPrompt(rand, 5),
        lookupPrompt(rand, 4),
      ],
      expected: lookupOne,
    },
    {
      id: 'dictionary_lookup',
      title: '15. The paper\'s dictionary lookup (Listing 2)',
      statement:
        'Tokens are letters: ? = 0, A = 1, ..., Z = 26. The prompt is a 3-letter query, then 3-letter keys each followed by ' +
        'its 3-letter value, e.g. CAN AUS VIE CAN OTT FRA PAR. The last three outputs must spell the value whose key equals ' +
        'the query (O, T, T = 15, 20, 20 here); only they are graded.\n\n' +
        'This is the paper\'s universal in-context approximation of token maps (Sec. 4).',
      starter: `${STARTER_NOTE}vocab("?ABCDEFGHIJKLMNOPQRSTUVWXYZ")\ninput = Input(dim=1)\nreturn input\n`,
      hints: [
        'Counters: f_modulo_counter(input, 3) for the position inside a key or value, f_modulo_counter(input, 6) for key or value.',
        'Store the query (exercise 13); while reading a key compare each token with the query\'s token at the same position.',
        'A shift register of "this token matched" flags (exercise 12) tells at a value\'s first token whether the whole key matched.',
        'The shipped example discrete_ua is one solution: try it only after your own.',
      ],
      target: 'gated-linear-rnn',
      inputs: [
        dictionaryPrompt('CAN', [['AUS', 'VIE'], ['CAN', 'OTT'], ['FRA', 'PAR']]),
        dictionaryPrompt('FRA', [['AUS', 'VIE'], ['CAN', 'OTT'], ['FRA', 'PAR']]),
        dictionaryPrompt('AUS', [['AUS', 'VIE'], ['CAN', 'OTT'], ['GER', 'BER'], ['JAP', 'TOK']]),
        dictionaryPrompt('ABC', [['ABD', 'XXX'], ['ABC', 'YES'], ['ACC', 'ZZZ']]),
      ],
      expected: dictionaryLookup(3),
    },
  ];
}

// ---- writing -------------------------------------------------------------------
// Indented JSON with every array of numbers (a token, an expected row) and
// every list of them (a check's input or expected outputs) on one line.
function compactJson(value) {
  const row = String.raw`(?:\[[-0-9.e+,]*\]|null)`;
  const rows = new RegExp(String.raw`\[\s*(?:${row}\s*,\s*)*${row}\s*\]`, 'g');
  return JSON.stringify(value, null, 1)
    .replace(/\[[-0-9.e+,\s]*\]/g, (m) => m.replace(/\s+/g, ''))
    .replace(rows, (m) => m.replace(/\s+/g, ''));
}

export function buildExercises() {
  const files = new Map();
  const ids = [];
  for (const d of definitions()) {
    const checks = d.inputs.map((input, i) => ({
      name: `check ${i + 1}`,
      input,
      expected: d.expected(input),
    }));
    const exercise = {
      format: FORMAT,
      id: d.id,
      title: d.title,
      statement: d.statement,
      starter: d.starter,
      hints: d.hints,
      target: d.target,
      tolerance: d.tolerance ?? 1e-2,
      checks,
    };
    files.set(`${d.id}.json`, `${compactJson(exercise)}\n`);
    ids.push(d.id);
  }
  const index = {
    format: INDEX_FORMAT,
    title: 'LSRL: from the first LinState to the dictionary lookup',
    exercises: ids.map((id) => `${id}.json`),
  };
  files.set('index.json', `${JSON.stringify(index, null, 1)}\n`);
  return files;
}

function main() {
  const argv = process.argv.slice(2);
  const check = argv.includes('--check');
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? path.resolve(argv[outIndex + 1]) : path.join(repoDir, 'exercises');
  const files = buildExercises();
  if (check) {
    const differing = [];
    for (const [name, text] of files) {
      const file = path.join(out, name);
      if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) differing.push(name);
    }
    const extra = fs.existsSync(out) ? fs.readdirSync(out).filter((f) => f.endsWith('.json') && !files.has(f)) : [];
    if (differing.length || extra.length) {
      console.error(`make-exercises: ${out} is out of date: ${[...differing, ...extra.map((f) => `${f} (not generated)`)].join(', ')}; ` +
                    'run node scripts/make-exercises.mjs');
      process.exit(1);
    }
    console.log(`make-exercises: ${files.size} files up to date`);
    return;
  }
  fs.mkdirSync(out, { recursive: true });
  for (const [name, text] of files) fs.writeFileSync(path.join(out, name), text);
  console.log(`make-exercises: wrote ${files.size} files into ${path.relative(process.cwd(), out) || '.'}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
