// Computation graphs drawn as SVG with dagre's layout: the program's DAG
// (before debranching) and the compiled path (after), nodes coloured by kind.
// graph = {nodes: [{id, kind, name, dim, line, layer?}], edges: [[from, to]],
//          input, output}

import { Graph, layout } from '@dagrejs/dagre';
import { el, svg, replaceChildren, downloadFile } from './dom.js';

export const KIND_COLORS = {
  Input: '#2e7d32',
  Linear: '#1565c0',
  ReLU: '#a84a00',
  LinState: '#6a1b9a',
  Concat: '#616161',
  Multi: '#c62828',
  Slice: '#00727d',
  Output: '#37474f',
};

function kindColor(kind) {
  return KIND_COLORS[kind] || '#455a64';
}

const CHAR_W = 6.6;
let drawingCount = 0;

// Above this many nodes the drawing does not use dagre: its ranking and
// ordering recurse as deep as the graph is long (a 3,000-line program
// overflowed the stack) and take seconds. layeredLayout below is iterative.
export const DAGRE_LIMIT = 300;
const NODE_H = 34;

function nodeLines(node) {
  const name = node.name ? String(node.name) : '';
  const kind = String(node.kind || '?');
  const first = name || kind;
  const second = name ? `${kind} · ${node.dim ?? ''}` : `width ${node.dim ?? ''}`;
  return [first.length > 28 ? `${first.slice(0, 27)}…` : first, second];
}

// Lays out and draws one graph. options: rankdir ('TB' | 'LR'), onNodeClick(node),
// maxWidth (px; the SVG scales down to fit), className.
export function drawGraph(graph, { rankdir = 'TB', onNodeClick = null, className = 'graph', maxWidth = 0 } = {}) {
  const nodes = Array.isArray(graph?.nodes) ? graph.nodes : [];
  const edges = Array.isArray(graph?.edges) ? graph.edges : [];
  const g = new Graph();
  g.setGraph({ rankdir, nodesep: 18, ranksep: 26, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const byId = new Map();
  for (const node of nodes) {
    const id = String(node.id);
    byId.set(id, node);
    const [a, b] = nodeLines(node);
    g.setNode(id, { width: Math.max(64, Math.max(a.length, b.length) * CHAR_W + 18), height: NODE_H });
  }
  for (const edge of edges) {
    const [from, to] = Array.isArray(edge) ? edge : [edge?.from, edge?.to];
    if (byId.has(String(from)) && byId.has(String(to))) g.setEdge(String(from), String(to));
  }
  if (nodes.length > DAGRE_LIMIT) layeredLayout(g, rankdir);
  else layout(g);
  const { width = 0, height = 0 } = g.graph();
  const root = svg('svg', {
    class: className,
    viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
    width: Math.ceil(maxWidth ? Math.min(width, maxWidth) : width),
    height: Math.ceil(maxWidth && width > maxWidth ? (height * maxWidth) / width : height),
    role: 'group',
    'aria-label': `graph of ${nodes.length} nodes`,
  });
  // One marker id per drawing: two drawings on a page must not share one.
  const arrowId = `arrow-${(drawingCount += 1)}`;
  root.appendChild(svg('defs', {},
    svg('marker', { id: arrowId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#78909c' }))));
  for (const e of g.edges()) {
    const points = g.edge(e).points || [];
    if (points.length < 2) continue;
    const d = points.map((p, i) => `${i ? 'L' : 'M'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
    root.appendChild(svg('path', { d, class: 'edge', 'marker-end': `url(#${arrowId})` }));
  }
  for (const id of g.nodes()) {
    const pos = g.node(id);
    const node = byId.get(id);
    const [a, b] = nodeLines(node);
    const isEnd = String(graph.output) === id;
    const group = svg('g', {
      class: `node kind-${node.kind}${isEnd ? ' output' : ''}`,
      transform: `translate(${(pos.x - pos.width / 2).toFixed(1)},${(pos.y - pos.height / 2).toFixed(1)})`,
      'data-kind': node.kind,
      'data-id': id,
    },
    // The title is the node's name for assistive tech too: it starts with
    // the two lines drawn in the box.
    svg('title', { text: `${a} ${b}${node.line ? `, line ${node.line}` : ''}${node.layer != null ? `, layer ${node.layer}` : ''}${onNodeClick && node.line ? ': go to the line' : ''}` }),
    svg('rect', { width: pos.width, height: pos.height, rx: 6, fill: kindColor(node.kind), 'fill-opacity': 0.14, stroke: kindColor(node.kind), 'stroke-width': isEnd ? 2.5 : 1.4 }),
    svg('text', { x: pos.width / 2, y: 14, class: 'node-name', text: a }),
    svg('text', { x: pos.width / 2, y: 27, class: 'node-kind', fill: kindColor(node.kind), text: b }));
    if (onNodeClick && node.line) {
      // A button for the keyboard too: Tab reaches it, Enter or Space acts.
      group.classList.add('clickable');
      group.setAttribute('tabindex', '0');
      group.setAttribute('role', 'button');
      group.addEventListener('click', () => onNodeClick(node));
      group.addEventListener('keydown', (event) => {
        if (event.key !== 'Enter' && event.key !== ' ') return;
        event.preventDefault();
        onNodeClick(node);
      });
    }
    root.appendChild(group);
  }
  return root;
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

// A path (a chain of nodes) as a wrapped row of chips joined by arrows: the
// hidden-state view puts one such row beside each layer's heatmap.
export function pathChips(nodes) {
  const parts = [];
  nodes.forEach((node, i) => {
    if (i) parts.push(el('span', { class: 'chip-arrow', 'aria-hidden': 'true', text: '→' }));
    parts.push(el('span', {
      // Colours come from the kind's class (the stylesheet has them for both themes).
      class: `path-chip kind-${node.kind}`,
      title: `${node.kind}${node.name ? ` (${node.name})` : ''}, width ${node.dim}`,
    }, el('b', { text: node.kind }), ` ${node.dim}`, node.name ? el('span', { class: 'chip-name', text: ` ${node.name}` }) : null));
  });
  return el('div', { class: 'path-chips' }, ...parts);
}

export function kindLegend(kinds) {
  return el('div', { class: 'kind-legend' },
    ...kinds.map((k) => el('span', { class: `kind-chip kind-${k}`, text: k })));
}

// Big programs (the sugar expands into hundreds of nodes) are drawn by
// default as the graph of their NAMED variables: unnamed nodes are
// contracted away and each named node is linked to the nearest named nodes
// it reads through them. The full drawing stays one click away; dagre's
// layout of ~500 nodes takes long enough to freeze the page for a moment.
export const FULL_GRAPH_LIMIT = 120;

export function contractUnnamed(graph) {
  const nodes = graph.nodes || [];
  const keep = new Set(nodes.filter((n) => n.name || n.kind === 'Input' || String(n.id) === String(graph.output))
    .map((n) => String(n.id)));
  const preds = new Map(nodes.map((n) => [String(n.id), []]));
  for (const [a, b] of graph.edges || []) preds.get(String(b))?.push(String(a));
  // For each node, the kept nodes it reads directly or through unnamed ones:
  // computed in topological order with an explicit stack (a program of
  // thousands of lines is a chain deeper than the call stack).
  const memo = new Map();
  const visiting = new Set();
  const sources = (start) => {
    const stack = [start];
    while (stack.length) {
      const id = stack[stack.length - 1];
      if (memo.has(id)) { stack.pop(); continue; }
      if (!visiting.has(id)) {
        visiting.add(id);
        for (const p of preds.get(id) || []) if (!keep.has(p) && !memo.has(p) && !visiting.has(p)) stack.push(p);
        continue;
      }
      const out = new Set();
      for (const p of preds.get(id) || []) {
        if (keep.has(p)) out.add(p);
        else for (const q of memo.get(p) || []) out.add(q);
      }
      memo.set(id, out);
      visiting.delete(id);
      stack.pop();
    }
    return memo.get(start);
  };
  const edges = [];
  for (const id of keep) for (const from of sources(id)) edges.push([from, id]);
  return {
    nodes: nodes.filter((n) => keep.has(String(n.id))),
    edges,
    input: graph.input,
    output: graph.output,
  };
}

// When the browser is idle (or soon): drawing waits for the outputs.
const whenIdle = (fn) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(fn, { timeout: 400 }) : setTimeout(fn, 50));

// One drawing that is laid out only when it scrolls into view, and again
// only when its graph changes.
class LazyDrawing {
  constructor(host, options) {
    this.host = host;
    this.options = options;
    this.graph = null;
    this.key = null;
    this.drawnKey = null;
    this.visible = false;
    this.observer = typeof IntersectionObserver === 'function'
      ? new IntersectionObserver((entries) => {
        this.visible = entries.some((e) => e.isIntersecting);
        if (this.visible) this.schedule();
      }, { rootMargin: '300px' })
      : null;
    if (this.observer) this.observer.observe(host);
    else this.visible = true;
  }

  set(graph) {
    const key = JSON.stringify([graph.nodes.map((n) => [n.id, n.kind, n.name, n.dim]), graph.edges]);
    if (key === this.key) return;
    this.graph = graph;
    this.key = key;
    this.host.dataset.drawn = 'false';
    this.onDrawn?.(null);
    // The previous drawing goes at once: it never stands under new captions.
    this.drawnKey = null;
    replaceChildren(this.host, el('p', { class: 'muted graph-pending', text: graph.nodes.length ? `laying out ${graph.nodes.length} nodes…` : '' }));
    this.schedule();
  }

  schedule() {
    if (!this.visible || this.drawnKey === this.key || !this.graph || this.pending) return;
    this.pending = true;
    whenIdle(() => {
      this.pending = false;
      if (this.drawnKey === this.key || !this.graph) return;
      this.drawnKey = this.key;
      try {
        if (this.graph.nodes.length) {
          const drawing = drawGraph(this.graph, this.options);
          replaceChildren(this.host, drawing);
          this.onDrawn?.(drawing);
        } else {
          replaceChildren(this.host);
          this.onDrawn?.(null);
        }
      } catch (error) {
        // Whatever goes wrong in a layout, the panel says so instead of
        // keeping an older drawing or throwing into the page.
        replaceChildren(this.host, el('p', { class: 'graph-error', role: 'status', text: `This graph (${this.graph.nodes.length} nodes) could not be drawn: ${error?.message || error}. The rest of the page is unaffected.` }));
      }
      this.host.dataset.drawn = 'true';
    });
  }
}

// The styles a drawing needs outside the page (a downloaded SVG file); the
// colours are not here: they are copied from the screen (see svgFileText).
const SVG_FILE_STYLE = `
svg { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
.edge { fill: none; stroke-width: 1.3; }
.node-name { font-size: 11.5px; font-weight: 600; text-anchor: middle; font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
.node-kind { font-size: 10px; text-anchor: middle; }
`;

// The colour an element is drawn with, resolved (light-dark() and the
// variables of the theme in force); `fallback` when it is not on screen.
function resolvedColor(node, property, fallback) {
  const value = node.isConnected ? getComputedStyle(node)[property] : '';
  return value && value !== 'none' ? value : fallback;
}

// A drawing as a standalone SVG file at its natural size, in the colours of
// the theme on screen (light or dark): the text and edge colours are written
// on the elements and an opaque background of the card's colour is drawn
// first, so the file reads the same on a white page, a dark page or a
// transparent viewer.
export function svgFileText(drawing) {
  const copy = drawing.cloneNode(true);
  const box = drawing.viewBox.baseVal;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(box.width));
  copy.setAttribute('height', String(box.height));
  copy.removeAttribute('style');
  const dark = document.documentElement.dataset.themeResolved === 'dark';
  const card = drawing.closest('.card, .w-panel') || document.body;
  const background = resolvedColor(card, 'backgroundColor', dark ? '#1b1f26' : '#ffffff');
  const originals = drawing.querySelectorAll('text, path.edge, marker path');
  copy.querySelectorAll('text, path.edge, marker path').forEach((node, i) => {
    const original = originals[i];
    if (node.tagName === 'text') node.setAttribute('fill', resolvedColor(original, 'fill', dark ? '#e3e6ec' : '#1d2330'));
    else if (node.classList.contains('edge')) node.setAttribute('stroke', resolvedColor(original, 'stroke', '#90a4ae'));
  });
  copy.dataset.theme = dark ? 'dark' : 'light';
  const backdrop = svg('rect', { x: 0, y: 0, width: box.width, height: box.height, fill: background, class: 'backdrop' });
  copy.insertBefore(backdrop, copy.firstChild);
  copy.insertBefore(svg('style', { text: SVG_FILE_STYLE }), copy.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 4;

// Zoom, pan and fit for one drawing in its scrolling box: the SVG is drawn
// at scale x its natural size and the box scrolls over it. Ctrl/Cmd+wheel
// or the buttons zoom (around the pointer, or the box's centre), dragging
// pans, and with the box focused + - 0 zoom, fit, and the arrows scroll.
class GraphViewport {
  constructor(host, { name }) {
    this.host = host;
    this.drawing = null;
    this.scale = 1;
    host.tabIndex = 0;
    host.setAttribute('role', 'region');
    host.setAttribute('aria-label', `${name} (scrolls; + and - zoom, 0 fits)`);
    host.addEventListener('wheel', (event) => {
      if (!this.drawing || !(event.ctrlKey || event.metaKey)) return;
      event.preventDefault();
      this.zoomBy(Math.exp(-event.deltaY / 300), event);
    }, { passive: false });
    host.addEventListener('keydown', (event) => {
      if (!this.drawing || event.target !== host) return;
      if (event.key === '+' || event.key === '=') this.zoomBy(1.25);
      else if (event.key === '-') this.zoomBy(0.8);
      else if (event.key === '0') this.fit();
      else return;
      event.preventDefault();
    });
    let drag = null;
    host.addEventListener('pointerdown', (event) => {
      if (!this.drawing || event.button !== 0 || event.target.closest('.node.clickable')) return;
      drag = { x: event.clientX, y: event.clientY, left: host.scrollLeft, top: host.scrollTop, id: event.pointerId };
      host.classList.add('panning');
    });
    host.addEventListener('pointermove', (event) => {
      if (!drag || event.pointerId !== drag.id) return;
      host.scrollLeft = drag.left - (event.clientX - drag.x);
      host.scrollTop = drag.top - (event.clientY - drag.y);
    });
    const end = () => { drag = null; host.classList.remove('panning'); };
    host.addEventListener('pointerup', end);
    host.addEventListener('pointercancel', end);
    host.addEventListener('pointerleave', end);
  }

  // A new drawing (or none) in the box: shown at its natural size.
  set(drawing) {
    this.drawing = drawing;
    if (drawing) this.apply(1);
  }

  natural() {
    const box = this.drawing.viewBox.baseVal;
    return { width: box.width || 1, height: box.height || 1 };
  }

  apply(scale) {
    this.scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, scale));
    const { width, height } = this.natural();
    this.drawing.setAttribute('width', String(Math.max(1, Math.round(width * this.scale))));
    this.drawing.setAttribute('height', String(Math.max(1, Math.round(height * this.scale))));
    this.host.dataset.scale = this.scale.toFixed(4);
  }

  // Zooms keeping the point under the pointer (or the box's centre) still.
  zoomBy(factor, event = null) {
    if (!this.drawing) return;
    const box = this.host.getBoundingClientRect();
    const px = event ? event.clientX - box.left : this.host.clientWidth / 2;
    const py = event ? event.clientY - box.top : this.host.clientHeight / 2;
    const x = (this.host.scrollLeft + px) / this.scale;
    const y = (this.host.scrollTop + py) / this.scale;
    this.apply(this.scale * factor);
    this.host.scrollLeft = x * this.scale - px;
    this.host.scrollTop = y * this.scale - py;
  }

  // The whole drawing in the box (never above its natural size).
  fit() {
    if (!this.drawing) return;
    const { width, height } = this.natural();
    const maxHeight = parseFloat(getComputedStyle(this.host).maxHeight) || this.host.clientHeight || height;
    this.apply(Math.min(1, this.host.clientWidth / width, maxHeight / height));
    this.host.scrollLeft = 0;
    this.host.scrollTop = 0;
  }
}

// The buttons over one drawing: zoom out, zoom in, fit, download as SVG.
function viewportControls(viewport, { id, filename }) {
  const button = (text, label, onClick, extra = {}) => el('button', {
    type: 'button', class: 'small', text, 'aria-label': label, title: label, on: { click: onClick }, ...extra,
  });
  return el('div', { class: 'graph-tools', role: 'group', 'aria-label': 'graph view' },
    button('−', 'zoom out', () => viewport.zoomBy(0.8), { id: `${id}-zoom-out` }),
    button('+', 'zoom in', () => viewport.zoomBy(1.25), { id: `${id}-zoom-in` }),
    button('fit', 'fit the whole graph in view', () => viewport.fit(), { id: `${id}-fit` }),
    button('SVG', 'download this graph as an SVG file', () => {
      if (viewport.drawing) downloadFile(svgFileText(viewport.drawing), filename, 'image/svg+xml');
    }, { id: `${id}-svg` }));
}

// Both drawings: the program's DAG (before debranching) and the path the
// compiler made of it (after debranching, before the size optimisations),
// top to bottom. Clicking a node puts the editor on its line.
export class GraphsView {
  constructor(container, { onNodeClick = () => {} } = {}) {
    this.container = container;
    this.onNodeClick = onNodeClick;
    this.showAll = false;
    this.last = null;
    this.meta = el('div', { class: 'graph-meta muted' });
    this.programCaption = el('figcaption');
    this.programToggle = el('button', { type: 'button', class: 'small', hidden: true });
    this.programToggle.addEventListener('click', () => {
      this.showAll = !this.showAll;
      if (this.last) this.render(this.last);
    });
    this.programHost = el('div', { class: 'graph-scroll', id: 'program-graph' });
    this.pathCaption = el('figcaption');
    this.pathHost = el('div', { class: 'graph-scroll', id: 'path-graph' });
    this.programDrawing = new LazyDrawing(this.programHost, { rankdir: 'TB', onNodeClick: this.onNodeClick, className: 'graph program-graph' });
    this.pathDrawing = new LazyDrawing(this.pathHost, { rankdir: 'TB', onNodeClick: this.onNodeClick, className: 'graph path-graph' });
    const programView = new GraphViewport(this.programHost, { name: 'the program\'s graph' });
    const pathView = new GraphViewport(this.pathHost, { name: 'the path graph' });
    this.programDrawing.onDrawn = (drawing) => programView.set(drawing);
    this.pathDrawing.onDrawn = (drawing) => pathView.set(drawing);
    replaceChildren(container, this.meta,
      el('div', { class: 'graph-pair' },
        el('figure', { class: 'graph-figure' }, el('div', { class: 'row' }, this.programCaption, this.programToggle),
          viewportControls(programView, { id: 'program-graph', filename: 'program-graph.svg' }), this.programHost),
        el('figure', { class: 'graph-figure' }, this.pathCaption,
          viewportControls(pathView, { id: 'path-graph', filename: 'path-graph.svg' }), this.pathHost)));
    this.programCaption.textContent = 'The program\'s graph appears here after a build.';
  }

  setStale(stale) {
    this.container.classList.toggle('stale', !!stale);
  }

  render({ program, path }) {
    this.setStale(false);
    this.last = { program, path };
    if (!program || !program.nodes?.length) {
      this.programCaption.textContent = 'No graph.';
      return;
    }
    const kinds = [...new Set([...program.nodes, ...(path?.nodes || [])].map((n) => n.kind))];
    replaceChildren(this.meta, kindLegend(kinds));
    const big = program.nodes.length > FULL_GRAPH_LIMIT;
    const shown = big && !this.showAll ? contractUnnamed(program) : program;
    this.programCaption.textContent = big && !this.showAll
      ? `before debranching: the program's ${shown.nodes.length} named variables (of ${program.nodes.length} nodes)`
      : `before debranching: the program (${program.nodes.length} nodes, ${program.edges?.length ?? 0} edges)`;
    this.programToggle.hidden = !big;
    this.programToggle.textContent = this.showAll ? 'named variables only' : `draw all ${program.nodes.length} nodes`;
    this.programDrawing.set(shown);
    if (path && path.nodes?.length) {
      this.pathCaption.textContent = `after debranching: a path (${path.nodes.length} nodes), before the size optimisations`;
      this.pathDrawing.set(path);
    } else {
      this.pathCaption.textContent = 'after debranching: pick a compiled target (not "dag") to see the path the compiler makes';
      this.pathDrawing.set({ nodes: [], edges: [] });
    }
  }
}
