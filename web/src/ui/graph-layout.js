// Graph layout without the DOM, shared by the page (a fallback) and the
// layout worker (web/src/layout-worker.js), where it runs off the main
// thread: dagre's layout takes seconds on a few hundred nodes.
//
// computeLayout({ nodes: [{ id, width, height }], edges: [[from, to]], rankdir })
//   -> { width, height, nodes: [{ id, x, y, width, height }], edges: [{ v, w, points }] }
// (x, y: the node's centre, as dagre gives them).

import { Graph, layout } from '@dagrejs/dagre';

// Above this many nodes the layout is not dagre's: its ranking and ordering
// recurse as deep as the graph is long (a 3,000-line program overflowed the
// stack) and take seconds. layeredLayout below is iterative.
export const DAGRE_LIMIT = 300;

export function computeLayout({ nodes, edges, rankdir = 'TB' }) {
  const g = new Graph();
  g.setGraph({ rankdir, nodesep: 18, ranksep: 26, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(String(n.id), { width: n.width, height: n.height });
  for (const [from, to] of edges) {
    if (g.hasNode(String(from)) && g.hasNode(String(to))) g.setEdge(String(from), String(to));
  }
  if (nodes.length > DAGRE_LIMIT) layeredLayout(g, rankdir);
  else layout(g);
  const { width = 0, height = 0 } = g.graph();
  return {
    width,
    height,
    nodes: g.nodes().map((id) => {
      const n = g.node(id);
      return { id, x: n.x, y: n.y, width: n.width, height: n.height };
    }),
    edges: g.edges().map((e) => ({ v: e.v, w: e.w, points: (g.edge(e).points || []).map((p) => ({ x: p.x, y: p.y })) })),
  };
}

// A plain layered layout for big graphs, with no recursion: each node's rank
// is its longest distance from a source (Kahn's order), nodes of a rank sit
// side by side in the order the program made them, edges are straight. Sets
// the same fields dagre's layout sets (node x/y, edge points, graph size).
export function layeredLayout(g, rankdir = 'TB') {
  const GAP_X = 18;
  const GAP_Y = 26;
  const MARGIN = 8;
  const ids = g.nodes();
  const indegree = new Map(ids.map((id) => [id, 0]));
  for (const e of g.edges()) indegree.set(e.w, indegree.get(e.w) + 1);
  const rank = new Map(ids.map((id) => [id, 0]));
  const queue = ids.filter((id) => indegree.get(id) === 0);
  for (let head = 0; head < queue.length; head += 1) {
    const id = queue[head];
    for (const e of g.outEdges(id) || []) {
      rank.set(e.w, Math.max(rank.get(e.w), rank.get(id) + 1));
      indegree.set(e.w, indegree.get(e.w) - 1);
      if (indegree.get(e.w) === 0) queue.push(e.w);
    }
  }
  // A cycle (never from the compiler) leaves nodes unranked: put them last.
  const maxRank = Math.max(0, ...rank.values());
  for (const id of ids) if (indegree.get(id) > 0) rank.set(id, maxRank + 1);
  const ranks = [];
  for (const id of ids) (ranks[rank.get(id)] ||= []).push(id);
  const horizontal = rankdir === 'LR';
  let along = MARGIN; // position of the current rank along the rank axis
  let across = 0; // widest rank
  for (const row of ranks) {
    if (!row) continue;
    const thickness = Math.max(...row.map((id) => (horizontal ? g.node(id).width : g.node(id).height)));
    let offset = MARGIN;
    for (const id of row) {
      const n = g.node(id);
      const size = horizontal ? n.height : n.width;
      if (horizontal) { n.x = along + thickness / 2; n.y = offset + size / 2; } else { n.x = offset + size / 2; n.y = along + thickness / 2; }
      offset += size + GAP_X;
    }
    across = Math.max(across, offset - GAP_X + MARGIN);
    along += thickness + GAP_Y;
  }
  for (const e of g.edges()) {
    const a = g.node(e.v);
    const b = g.node(e.w);
    const from = horizontal ? { x: a.x + a.width / 2, y: a.y } : { x: a.x, y: a.y + a.height / 2 };
    const to = horizontal ? { x: b.x - b.width / 2, y: b.y } : { x: b.x, y: b.y - b.height / 2 };
    g.edge(e).points = [from, to];
  }
  const size = along - GAP_Y + MARGIN;
  Object.assign(g.graph(), horizontal ? { width: size, height: across } : { width: across, height: size });
}

// A layout as typed arrays, for postMessage: moved rather than copied, where
// the objects of a 6,000-node layout took the page tens of milliseconds to
// receive. ids: the node ids in order; boxes: x, y, width, height per node;
// ends: the two node indices per edge; starts: each edge's first point in
// points (x, y pairs), with one entry past the end.
export function packLayout(lay) {
  const index = new Map(lay.nodes.map((n, i) => [n.id, i]));
  const boxes = new Float64Array(lay.nodes.length * 4);
  lay.nodes.forEach((n, i) => boxes.set([n.x, n.y, n.width, n.height], i * 4));
  const ends = new Int32Array(lay.edges.length * 2);
  const starts = new Int32Array(lay.edges.length + 1);
  let count = 0;
  lay.edges.forEach((e, i) => {
    ends[i * 2] = index.get(e.v);
    ends[i * 2 + 1] = index.get(e.w);
    starts[i] = count;
    count += e.points.length;
  });
  starts[lay.edges.length] = count;
  const points = new Float64Array(count * 2);
  let k = 0;
  for (const e of lay.edges) for (const p of e.points) { points[k++] = p.x; points[k++] = p.y; }
  return { width: lay.width, height: lay.height, ids: lay.nodes.map((n) => n.id), boxes, ends, starts, points };
}

export function unpackLayout(packed) {
  const { ids, boxes, ends, starts, points } = packed;
  const nodes = ids.map((id, i) => ({ id, x: boxes[i * 4], y: boxes[i * 4 + 1], width: boxes[i * 4 + 2], height: boxes[i * 4 + 3] }));
  const edges = [];
  for (let i = 0; i + 1 < starts.length; i += 1) {
    const pts = [];
    for (let k = starts[i]; k < starts[i + 1]; k += 1) pts.push({ x: points[k * 2], y: points[k * 2 + 1] });
    edges.push({ v: ids[ends[i * 2]], w: ids[ends[i * 2 + 1]], points: pts });
  }
  return { width: packed.width, height: packed.height, nodes, edges };
}
