// Node tests of the page's pure pieces (no browser): the state gate for
// links and localStorage, the URL hash round trip, diagnostics placed in the
// editor, the graph contraction for big programs, the diverging colour scale.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Text } from '../../web/node_modules/@codemirror/state/dist/index.js';
import { sanitizeState, defaultState } from '../../web/src/ui/state.js';
import { encodeStateHash, decodeStateHash, MAX_STATE_BYTES } from '../../web/src/ui/share.js';
import { deflateRawSync } from 'node:zlib';
import { toEditorDiagnostics } from '../../web/src/ui/editor.js';
import { contractUnnamed } from '../../web/src/ui/graphs.js';
import { makeNormalizer } from '../../web/src/ui/colors.js';

test('sanitizeState keeps well-typed fields and drops the rest', () => {
  const state = sanitizeState({
    example: { evil: true },
    source: 'input = Input(dim=1)\nreturn input',
    params: { n: 5, form: 'original', 'bad name': '1', nested: { a: 1 }, __proto__: { x: 1 } },
    target: '<script>',
    activations: 'weird',
    precision: 'f16',
    prompt: { kind: 'dictionary', query: 'CAN', pairs: [['CAN', 'OTT'], ['bad'], 'x', [1, 2]] },
  });
  assert.equal(state.example, null);
  assert.equal(state.source, 'input = Input(dim=1)\nreturn input');
  assert.deepEqual(state.params, { n: '5', form: 'original' });
  assert.equal(state.target, defaultState().target);
  assert.equal(state.activations, 'paper');
  assert.equal(state.precision, 'f16');
  assert.deepEqual(state.prompt, { kind: 'dictionary', query: 'CAN', pairs: [['CAN', 'OTT'], ['', '']] });
  assert.deepEqual(sanitizeState('not an object'), defaultState());
  assert.equal(state.linearChains, 'keep', 'missing: the default');
  assert.equal(state.maxLength, 4096, 'missing: the default');
  assert.equal(sanitizeState({ linearChains: 'fuse', maxLength: 100 }).linearChains, 'fuse');
  assert.equal(sanitizeState({ linearChains: 'fuse', maxLength: 100 }).maxLength, 100);
  for (const maxLength of [0, 65537, 2.5, '100', null, NaN, 1e300]) {
    assert.equal(sanitizeState({ maxLength }).maxLength, 4096, `maxLength ${maxLength}`);
  }
  assert.equal(sanitizeState({ linearChains: 'auto' }).linearChains, 'keep');
  assert.deepEqual(sanitizeState({ prompt: { kind: 'continuous', cells: 1e9, query: ['0.2', 'x'] } }).prompt,
    { kind: 'continuous', function: 'sin(3*x1)*x2', cells: 2000, query: [0.2, 0.5] });
});

test('a state survives the URL hash round trip, markup included', async () => {
  const state = sanitizeState({
    example: 'more_ones',
    source: '# <script>alert(1)</script> ünïcode ✓\ninput = Input(dim=1)\nreturn input\n',
    params: { mu: '20' },
    target: 'linear-rnn',
    activations: 'standard',
    linearChains: 'fuse',
    maxLength: 12,
    precision: 'f32',
    prompt: { kind: 'tokens', text: '1 0 1 <b>' },
  });
  const hash = await encodeStateHash(state);
  assert.match(hash, /^[zj]=[A-Za-z0-9_-]+$/, 'only URL-safe characters');
  assert.deepEqual(await decodeStateHash(`#${hash}`), state);
  assert.equal(await decodeStateHash('#z=not-deflate-data'), null);
  assert.equal(await decodeStateHash('#j=!!!'), null);
  assert.equal(await decodeStateHash(''), null);
});

test('diagnostics land on their line and column in the editor', () => {
  const doc = Text.of(['input = Input(dim=1)', 'x = f_notx(input)', 'return x']);
  const marks = toEditorDiagnostics(doc, [
    { line: 2, col: 5, length: 6, severity: 'error', message: "unknown name 'f_notx'" },
    { line: 0, col: 0, length: 0, severity: 'error', message: 'no position' },
    { line: 9, col: 1, length: 1, severity: 'error', message: 'past the end' },
    { line: 3, col: 50, length: 4, severity: 'warning', message: 'past the line end' },
  ]);
  assert.equal(marks.length, 2);
  assert.equal(doc.sliceString(marks[0].from, marks[0].to), 'f_notx');
  assert.equal(marks[0].severity, 'error');
  assert.equal(doc.lineAt(marks[1].from).number, 3);
  assert.equal(marks[1].severity, 'warning');
});

test('big graphs contract to their named variables, keeping reachability', () => {
  // input -> (unnamed a) -> b -> (unnamed c) -> (unnamed d) -> out; input -> out
  const graph = {
    nodes: [
      { id: 0, kind: 'Input', name: 'input' }, { id: 1, kind: 'Linear', name: '' },
      { id: 2, kind: 'LinState', name: 'b' }, { id: 3, kind: 'ReLU', name: '' },
      { id: 4, kind: 'Linear', name: '' }, { id: 5, kind: 'Linear', name: '' },
    ],
    edges: [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [0, 5]],
    input: 0,
    output: 5,
  };
  const small = contractUnnamed(graph);
  assert.deepEqual(small.nodes.map((n) => n.id), [0, 2, 5]);
  const edges = small.edges.map(([a, b]) => `${a}->${b}`).sort();
  assert.deepEqual(edges, ['0->2', '0->5', '2->5']);
});

test('the diverging colour scale is centred at zero', () => {
  for (const log of [false, true]) {
    const norm = makeNormalizer(1e10, { log });
    assert.equal(norm(0), 0.5);
    assert.ok(norm(1) > 0.5 && norm(-1) < 0.5);
    assert.ok(Math.abs(norm(1) - 0.5 - (0.5 - norm(-1))) < 1e-12, 'symmetric');
    assert.equal(norm(1e10), 1);
    assert.equal(norm(-1e12), 0);
  }
  // symlog keeps a unit value visible next to 1e10; linear does not.
  assert.ok(makeNormalizer(1e10, { log: true })(1) > 0.55);
  assert.ok(makeNormalizer(1e10)(1) < 0.5 + 1e-9);
});

// Share links come from anywhere: thousands of damaged and hostile ones
// (flipped, cut and inserted characters; JSON of the wrong types, with
// markup, prototype keys and huge strings; a decompression bomb) never throw,
// decode to null or to a state sanitizeState leaves as it is, never pollute
// Object.prototype, and stay within the size caps.
test('damaged and hostile share links decode to null or a clean state, never throw', async () => {
  let seed = 20261206;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const good = await encodeStateHash({ source: 'x = Input(dim=1)\nreturn x', prompt: '1 0 1', target: 'gru' });
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=&#%!';
  const b64 = (text) => Buffer.from(text).toString('base64url');
  const hostile = [
    { source: 42, prompt: ['x'], target: { toString: 1 } },
    JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "source": "<script>alert(1)</script>"}'),
    { source: 'y'.repeat(3 << 20), prompt: null, params: { n: '<img src=x onerror=alert(1)>' } },
    [1, 2, 3], null, 'text', 1e308,
  ];
  const links = [];
  for (const value of hostile) links.push(`#j=${b64(JSON.stringify(value))}`);
  // A decompression bomb: a 64 MB program in a link of about 64 KB.
  const bomb = Buffer.concat([Buffer.from('{"prompt": "1", "source": "'), Buffer.alloc(64 << 20, 0x61), Buffer.from('"}')]);
  links.push(`#z=${deflateRawSync(bomb).toString('base64url')}`);
  links.push(`#j=${b64('{"source": "' + 'a'.repeat(MAX_STATE_BYTES) + '"}')}`);
  for (let i = 0; i < 3000; i++) {
    const chars = good.split('');
    const edits = 1 + Math.floor(random() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * chars.length);
      const kind = random();
      if (kind < 0.4) chars[at] = alphabet[Math.floor(random() * alphabet.length)];
      else if (kind < 0.7) chars.splice(at, 1 + Math.floor(random() * 8));
      else chars.splice(at, 0, alphabet[Math.floor(random() * alphabet.length)]);
    }
    links.push(`#${chars.join('')}`);
  }
  let decoded = 0;
  for (const link of links) {
    const state = await decodeStateHash(link);
    assert.equal(({}).polluted, undefined, 'Object.prototype polluted');
    if (state === null) continue;
    decoded++;
    assert.equal(typeof state, 'object');
    assert.deepEqual(sanitizeState(state), state, link.slice(0, 80));
    assert.ok(JSON.stringify(state).length <= MAX_STATE_BYTES);
  }
  assert.ok(decoded > 0, 'some damaged links still decode (to a sanitized state)');
  assert.equal(await decodeStateHash(links[hostile.length]), null, 'the decompression bomb is dropped');
});
