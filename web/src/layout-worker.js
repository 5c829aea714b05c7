// The graph layout worker: lays out the page's computation graphs off the
// main thread (ui/graph-layout.js), so a big graph never freezes the page.
// Message in: { id, graph: { nodes: [{ id, width, height }], edges, rankdir } };
// out: { id, layout } or { id, error }.

import { computeLayout } from './ui/graph-layout.js';

self.onmessage = (event) => {
  const { id, graph } = event.data || {};
  try {
    self.postMessage({ id, layout: computeLayout(graph) });
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
};
