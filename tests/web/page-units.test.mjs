// Node unit tests of the page modules behind issue 13's fixes (no browser).
// Run: node --test tests/web/page-units.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { contractUnnamed, layeredLayout } from '../../web/src/ui/graphs.js';
import { evaluationPoints } from '../../web/src/ui/approximation.js';
import { formatParam, isLogRange } from '../../web/src/ui/params.js';
import { precisionProblems } from '../../web/src/ui/precision.js';

// dagre is a dependency of web/ (web/package.json): resolved from there.
const { Graph } = createRequire(new URL('../../web/package.json', import.meta.url))('@dagrejs/dagre');

test('contractUnnamed handles a 50,000-node unnamed chain (no recursion)', () => {
  const n = 50_000;
  const nodes = [{ id: 0, kind: 'Input' }];
  const edges = [];
  for (let i = 1; i <= n; i++) { nodes.push({ id: i, kind: 'Linear' }); edges.push([i - 1, i]); }
  nodes.push({ id: n + 1, kind: 'Linear', name: 'y' });
  edges.push([n, n + 1]);
  const small = contractUnnamed({ nodes, edges, input: 0, output: n + 1 });
  assert.deepEqual(small.nodes.map((x) => x.id), [0, n + 1]);
  assert.deepEqual(small.edges, [['0', String(n + 1)]]);
});

test('layeredLayout ranks a 5,000-node chain top to bottom with finite positions', () => {
  const g = new Graph();
  g.setGraph({});
  g.setDefaultEdgeLabel(() => ({}));
  for (let i = 0; i < 5000; i++) g.setNode(String(i), { width: 60, height: 30 });
  for (let i = 1; i < 5000; i++) g.setEdge(String(i - 1), String(i));
  layeredLayout(g, 'TB');
  for (let i = 1; i < 5000; i++) assert.ok(g.node(String(i)).y > g.node(String(i - 1)).y);
  const { width, height } = g.graph();
  assert.ok(Number.isFinite(width) && Number.isFinite(height) && height > 5000 * 30);
});

test('approximation queries never sit on a prompt cell centre for 12 or 36 cells', () => {
  for (const cells of [12, 36, 60]) {
    for (const [x1, x2] of evaluationPoints(12, 12, 2)) {
      for (const x of [x1, x2]) {
        const offset = Math.abs(x * cells - Math.floor(x * cells) - 0.5);
        assert.ok(offset > 1e-3, `x = ${x} is at a centre of ${cells} cells`);
      }
    }
  }
});

test('params: 1e10 reads short; [1e3, 1e15] is a log range; f16 overflow is named', () => {
  assert.equal(formatParam(1e10), '1e10');
  assert.equal(formatParam(1000), '1000');
  assert.equal(formatParam(1.5e-7), '1.5e-7');
  assert.ok(isLogRange({ min: 1000, max: 1e15 }));
  assert.ok(!isLogRange({ min: 1, max: 12 }));
  const params = [{ name: 'lam', kind: 'float', value: 1e10, min: 1000 }, { name: 'mu', kind: 'float', value: 1000 }];
  const f16 = precisionProblems(params, 'f16');
  assert.deepEqual(f16.map((p) => p.name), ['lam']);
  assert.match(f16[0].message, /lam = 1e10 is beyond f16's largest finite value \(65,504\)/);
  assert.deepEqual(precisionProblems(params, 'f32'), []);
  assert.deepEqual(precisionProblems(params, 'f64'), []);
});

test('a packed layout (the layout worker\'s message) unpacks to the same layout', async () => {
  const { computeLayout, packLayout, unpackLayout } = await import('../../web/src/ui/graph-layout.js');
  const graph = {
    nodes: [{ id: 'a', width: 80, height: 34 }, { id: 'b', width: 64, height: 34 }, { id: 'c', width: 100, height: 34 }],
    edges: [['a', 'b'], ['a', 'c'], ['b', 'c']],
    rankdir: 'TB',
  };
  const lay = computeLayout(graph);
  const packed = packLayout(lay);
  for (const key of ['boxes', 'ends', 'starts', 'points']) assert.ok(ArrayBuffer.isView(packed[key]), `${key} is a typed array`);
  assert.deepEqual(unpackLayout(packed), lay);
});

test('layer widths: runs of equal layers are counted, not repeated', async () => {
  const { layerWidthRuns } = await import('../../web/src/ui/summary.js');
  const layers = [
    { type: 'LSTM', hidden: 8 }, { type: 'LSTM', hidden: 8 }, { type: 'LSTM', hidden: 8 },
    { type: 'LSTM', hidden: 4 }, { type: 'Linear', out: 1 },
  ];
  assert.deepEqual(layerWidthRuns(layers), ['LSTM 8 ×3', 'LSTM 4', 'Linear 1']);
  assert.deepEqual(layerWidthRuns(null), []);
});
