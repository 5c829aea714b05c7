// Computation graphs drawn as SVG: the program's DAG (before debranching)
// and the compiled path (after), nodes coloured by kind. The layout is
// computed off the main thread (web/src/layout-worker.js, dagre or an
// iterative layered layout: ui/graph-layout.js); a big drawing puts only the
// nodes and edges near the visible part of its box in the DOM, and adds the
// rest as the box scrolls or zooms.
// graph = {nodes: [{id, kind, name, dim, line, layer?}], edges: [[from, to]],
//          input, output}

import { el, svg, replaceChildren, downloadFile } from './dom.js';
import { computeLayout, unpackLayout, layeredLayout, DAGRE_LIMIT } from './graph-layout.js';

export { layeredLayout, DAGRE_LIMIT };

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
const NODE_H = 34;
// Drawings with more nodes than this are virtualised (see renderGraph).
export const VIRTUAL_NODES = 400;
// At most this many nodes in the DOM at once (a far zoomed-out view).
const MAX_DRAWN_NODES = 1200;
// What is drawn beyond the visible part of the box, in layout pixels.
const VIRTUAL_MARGIN = 400;

function nodeLines(node) {
  const name = node.name ? String(node.name) : '';
  const kind = String(node.kind || '?');
  const first = name || kind;
  const second = name ? `${kind} · ${node.dim ?? ''}` : `width ${node.dim ?? ''}`;
  return [first.length > 28 ? `${first.slice(0, 27)}…` : first, second];
}

// What the layout needs: each node's box, the edges, the direction.
export function layoutRequest(graph, rankdir = 'TB') {
  const nodes = (Array.isArray(graph?.nodes) ? graph.nodes : []).map((node) => {
    const [a, b] = nodeLines(node);
    return { id: String(node.id), width: Math.max(64, Math.max(a.length, b.length) * CHAR_W + 18), height: NODE_H };
  });
  const edges = (Array.isArray(graph?.edges) ? graph.edges : []).map((edge) => {
    const [from, to] = Array.isArray(edge) ? edge : [edge?.from, edge?.to];
    return [String(from), String(to)];
  });
  return { nodes, edges, rankdir };
}

// A laid-out graph as an SVG. Returns { svg, total, update(rect), fullCopy() }:
// update(rect) (in layout pixels: x, y, w, h) puts in the DOM the nodes and
// edges near rect, for drawings of more than VIRTUAL_NODES nodes (smaller
// ones are drawn whole); fullCopy() is a detached SVG with every node (the
// SVG download).
export function renderGraph(graph, lay, { onNodeClick = null, className = 'graph' } = {}) {
  const byId = new Map((graph.nodes || []).map((n) => [String(n.id), n]));
  const { width = 0, height = 0 } = lay;
  const root = svg('svg', {
    class: className,
    viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
    width: Math.ceil(width),
    height: Math.ceil(height),
    role: 'group',
    'aria-label': `graph of ${lay.nodes.length} nodes`,
  });
  root.dataset.nodes = String(lay.nodes.length);
  // One marker id per drawing: two drawings on a page must not share one.
  const arrowId = `arrow-${(drawingCount += 1)}`;
  const defs = () => svg('defs', {},
    svg('marker', { id: arrowId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#78909c' })));
  const makeEdge = (e) => {
    const d = e.points.map((p, i) => `${i ? 'L' : 'M'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
    return svg('path', { d, class: 'edge', 'marker-end': `url(#${arrowId})` });
  };
  const makeNode = (pos) => {
    const node = byId.get(pos.id) || { id: pos.id, kind: '?' };
    const [a, b] = nodeLines(node);
    const isEnd = String(graph.output) === pos.id;
    const group = svg('g', {
      class: `node kind-${node.kind}${isEnd ? ' output' : ''}`,
      transform: `translate(${(pos.x - pos.width / 2).toFixed(1)},${(pos.y - pos.height / 2).toFixed(1)})`,
      'data-kind': node.kind,
      'data-id': pos.id,
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
    return group;
  };
  const edges = lay.edges.filter((e) => e.points.length >= 2);
  const fill = (target) => {
    target.appendChild(defs());
    for (const e of edges) target.appendChild(makeEdge(e));
    for (const pos of lay.nodes) target.appendChild(makeNode(pos));
    return target;
  };
  const fullCopy = () => fill(root.cloneNode(false));
  if (lay.nodes.length <= VIRTUAL_NODES) {
    fill(root);
    return { svg: root, total: lay.nodes.length, update() {}, fullCopy };
  }
  // Virtualised: edge and node layers filled from what is near the view.
  root.appendChild(defs());
  const edgeLayer = root.appendChild(svg('g', { class: 'edges' }));
  const nodeLayer = root.appendChild(svg('g', { class: 'nodes' }));
  const edgeBoxes = edges.map((e) => {
    const box = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
    for (const p of e.points) {
      if (p.x < box.x0) box.x0 = p.x;
      if (p.x > box.x1) box.x1 = p.x;
      if (p.y < box.y0) box.y0 = p.y;
      if (p.y > box.y1) box.y1 = p.y;
    }
    return box;
  });
  const drawnNodes = new Map(); // index -> element
  const drawnEdges = new Map();
  root.classList.add('virtual');
  return {
    svg: root,
    total: lay.nodes.length,
    fullCopy,
    update(rect) {
      const x0 = rect.x - VIRTUAL_MARGIN;
      const x1 = rect.x + rect.w + VIRTUAL_MARGIN;
      const y0 = rect.y - VIRTUAL_MARGIN;
      const y1 = rect.y + rect.h + VIRTUAL_MARGIN;
      const wantNodes = new Set();
      lay.nodes.forEach((p, i) => {
        if (wantNodes.size < MAX_DRAWN_NODES && p.x + p.width / 2 >= x0 && p.x - p.width / 2 <= x1 && p.y + p.height / 2 >= y0 && p.y - p.height / 2 <= y1) wantNodes.add(i);
      });
      const wantEdges = new Set();
      edgeBoxes.forEach((b, i) => {
        if (wantEdges.size < 2 * MAX_DRAWN_NODES && b.x1 >= x0 && b.x0 <= x1 && b.y1 >= y0 && b.y0 <= y1) wantEdges.add(i);
      });
      // Keep a node that has the focus: removing it would drop the focus.
      for (const [i, node] of drawnNodes) {
        if (!wantNodes.has(i) && !node.contains(document.activeElement)) { node.remove(); drawnNodes.delete(i); }
      }
      for (const [i, edge] of drawnEdges) if (!wantEdges.has(i)) { edge.remove(); drawnEdges.delete(i); }
      for (const i of wantEdges) if (!drawnEdges.has(i)) drawnEdges.set(i, edgeLayer.appendChild(makeEdge(edges[i])));
      for (const i of wantNodes) if (!drawnNodes.has(i)) drawnNodes.set(i, nodeLayer.appendChild(makeNode(lay.nodes[i])));
      root.dataset.drawnNodes = String(drawnNodes.size);
    },
  };
}

// Lays out and draws one graph on the main thread (small graphs, tests and
// the fallback when no worker can start). Returns the SVG element.
export function drawGraph(graph, { rankdir = 'TB', onNodeClick = null, className = 'graph' } = {}) {
  const drawing = renderGraph(graph, computeLayout(layoutRequest(graph, rankdir)), { onNodeClick, className });
  drawing.update({ x: 0, y: 0, w: Infinity, h: Infinity });
  return drawing.svg;
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

// The layout worker's address: beside the page's bundles (assets/), or
// where the embedder says (GraphsView's layoutWorkerUrl).
function defaultLayoutWorkerUrl() {
  return typeof document === 'undefined' ? null : new URL('assets/layout-worker.js', document.baseURI).href;
}

// One drawing that is laid out only when it scrolls into view, and again
// only when its graph changes. The layout runs in a worker of its own; a
// newer graph terminates a layout still running for an older one, and a
// result for an older graph is never drawn.
class LazyDrawing {
  constructor(host, options, layoutWorkerUrl) {
    this.host = host;
    this.options = options;
    this.layoutWorkerUrl = layoutWorkerUrl;
    this.worker = null;
    this.busy = null; // { key, resolve, reject } of the layout in the worker
    this.graph = null;
    this.key = null;
    this.drawnKey = null;
    this.pendingKey = null;
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

  // The layout of `graph`, from the worker (or, with no worker, here).
  layout(graph, key) {
    const request = layoutRequest(graph, this.options.rankdir);
    if (this.busy) {
      // A layout for an older graph is still running: stop it.
      this.worker?.terminate();
      this.worker = null;
      this.busy.reject(Object.assign(new Error('superseded'), { superseded: true }));
      this.busy = null;
    }
    if (!this.worker && this.layoutWorkerUrl && typeof Worker === 'function') {
      try {
        this.worker = new Worker(this.layoutWorkerUrl, { type: 'module' });
        this.worker.onmessage = (event) => {
          const busy = this.busy;
          this.busy = null;
          if (!busy) return;
          if (event.data?.error) busy.reject(new Error(event.data.error));
          else busy.resolve(unpackLayout(event.data.packed));
        };
        this.worker.onerror = (event) => {
          event?.preventDefault?.();
          const busy = this.busy;
          this.busy = null;
          this.worker?.terminate();
          this.worker = null;
          this.layoutWorkerUrl = null; // no worker: lay out here from now on
          if (busy) busy.resolve(computeLayout(busy.request));
        };
      } catch {
        this.worker = null;
        this.layoutWorkerUrl = null;
      }
    }
    if (!this.worker) return Promise.resolve().then(() => computeLayout(request));
    return new Promise((resolve, reject) => {
      this.busy = { key, request, resolve, reject };
      this.worker.postMessage({ id: key.length, graph: request });
    });
  }

  schedule() {
    if (!this.visible || this.drawnKey === this.key || !this.graph || this.pendingKey === this.key) return;
    const { graph, key } = this;
    this.pendingKey = key;
    if (!graph.nodes.length) {
      this.pendingKey = null;
      this.drawnKey = key;
      replaceChildren(this.host);
      this.onDrawn?.(null);
      this.host.dataset.drawn = 'true';
      return;
    }
    this.layout(graph, key).then((lay) => {
      if (key !== this.key) return; // a newer graph came: never draw an older one
      this.pendingKey = null;
      this.drawnKey = key;
      const drawing = renderGraph(graph, lay, this.options);
      replaceChildren(this.host, drawing.svg);
      this.onDrawn?.(drawing);
      this.host.dataset.drawn = 'true';
    }).catch((error) => {
      if (error?.superseded || key !== this.key) return;
      this.pendingKey = null;
      this.drawnKey = key;
      // Whatever goes wrong in a layout, the panel says so instead of
      // keeping an older drawing or throwing into the page.
      replaceChildren(this.host, el('p', { class: 'graph-error', role: 'status', text: `This graph (${graph.nodes.length} nodes) could not be drawn: ${error?.message || error}. The rest of the page is unaffected.` }));
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

// The colours the screen draws a graph with, resolved (light-dark() and the
// variables of the theme in force): each asked of a probe element placed in
// the drawing for a moment, so nodes not in the DOM (a virtualised drawing)
// get them too.
function screenColors(source, dark) {
  const cache = new Map();
  const fallback = { fill: dark ? '#e3e6ec' : '#1d2330', stroke: '#90a4ae' };
  return (probeClass, kind, property) => {
    const key = `${probeClass}|${kind}|${property}`;
    if (cache.has(key)) return cache.get(key);
    let value = '';
    if (source.isConnected) {
      const probe = probeClass === 'edge'
        ? svg('path', { class: 'edge' })
        : svg('g', { class: `node kind-${kind}` }, svg('text', { class: probeClass }));
      source.appendChild(probe);
      value = getComputedStyle(probeClass === 'edge' ? probe : probe.firstChild)[property];
      probe.remove();
    }
    const color = value && value !== 'none' ? value : fallback[property];
    cache.set(key, color);
    return color;
  };
}

// A drawing as a standalone SVG file at its natural size, with every node
// (a virtualised drawing too), in the colours of the theme on screen (light
// or dark): the text and edge colours are written on the elements and an
// opaque background of the card's colour is drawn first, so the file reads
// the same on a white page, a dark page or a transparent viewer.
export function svgFileText(drawing) {
  const source = drawing.svg || drawing;
  const copy = drawing.fullCopy ? drawing.fullCopy() : source.cloneNode(true);
  const box = source.viewBox.baseVal;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(box.width));
  copy.setAttribute('height', String(box.height));
  copy.removeAttribute('style');
  copy.classList.remove('virtual');
  const dark = document.documentElement.dataset.themeResolved === 'dark';
  const card = source.closest('.card, .w-panel') || document.body;
  const bg = getComputedStyle(card).backgroundColor;
  const background = bg && !/rgba\(0, 0, 0, 0\)|transparent/.test(bg) ? bg : (dark ? '#1b1f26' : '#ffffff');
  const color = screenColors(source, dark);
  for (const text of copy.querySelectorAll('text')) {
    const kind = text.closest('g.node')?.dataset.kind || '';
    text.setAttribute('fill', color(text.getAttribute('class') || 'node-name', kind, 'fill'));
  }
  for (const edge of copy.querySelectorAll('path.edge')) edge.setAttribute('stroke', color('edge', '', 'stroke'));
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
    // A virtualised drawing follows the view, once per frame. The box's size
    // and scroll position are kept as the browser reports them (a resize
    // observer, scroll events), so following the view never makes the
    // browser lay out the page in the middle of a task.
    this.size = { w: 800, h: 640 };
    this.scroll = { x: 0, y: 0 };
    host.addEventListener('scroll', () => {
      this.scroll = { x: host.scrollLeft, y: host.scrollTop };
      this.scheduleView();
    }, { passive: true });
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver((entries) => {
        const box = entries[entries.length - 1].contentRect;
        this.size = { w: box.width || 800, h: box.height || 640 };
        this.scheduleView();
      }).observe(host);
    }
  }

  // A new drawing ({ svg, update, ... } from renderGraph, or none) in the
  // box: shown at its natural size.
  set(drawing) {
    this.view = drawing;
    this.drawing = drawing ? drawing.svg : null;
    if (drawing) this.apply(1);
  }

  scheduleView() {
    if (!this.view || this.viewFrame) return;
    this.viewFrame = requestAnimationFrame(() => {
      this.viewFrame = null;
      this.updateView();
    });
  }

  // What the box shows, in the drawing's own pixels.
  updateView() {
    if (!this.view) return;
    const s = this.scale || 1;
    this.view.update({ x: this.scroll.x / s, y: this.scroll.y / s, w: this.size.w / s, h: this.size.h / s });
  }

  // After a scroll set here (zoom, fit): the position is known without asking.
  scrolledTo(x, y) {
    this.host.scrollLeft = x;
    this.host.scrollTop = y;
    this.scroll = { x: Math.max(0, x), y: Math.max(0, y) };
    this.updateView();
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
    this.updateView(); // reads no layout: the size and scroll are kept
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
    this.scrolledTo(x * this.scale - px, y * this.scale - py);
  }

  // The whole drawing in the box (never above its natural size).
  fit() {
    if (!this.drawing) return;
    const { width, height } = this.natural();
    const maxHeight = parseFloat(getComputedStyle(this.host).maxHeight) || this.host.clientHeight || height;
    this.apply(Math.min(1, this.host.clientWidth / width, maxHeight / height));
    this.scrolledTo(0, 0);
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
      if (viewport.view) downloadFile(svgFileText(viewport.view), filename, 'image/svg+xml');
    }, { id: `${id}-svg` }));
}

// Both drawings: the program's DAG (before debranching) and the path the
// compiler made of it (after debranching, before the size optimisations),
// top to bottom. Clicking a node puts the editor on its line.
export class GraphsView {
  // layoutWorkerUrl: web/src/layout-worker.js as built (default: assets/
  // beside the page); null lays out on the main thread.
  constructor(container, { onNodeClick = () => {}, layoutWorkerUrl = defaultLayoutWorkerUrl() } = {}) {
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
    this.programDrawing = new LazyDrawing(this.programHost, { rankdir: 'TB', onNodeClick: this.onNodeClick, className: 'graph program-graph' }, layoutWorkerUrl);
    this.pathDrawing = new LazyDrawing(this.pathHost, { rankdir: 'TB', onNodeClick: this.onNodeClick, className: 'graph path-graph' }, layoutWorkerUrl);
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
