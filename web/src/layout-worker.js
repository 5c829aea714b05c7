// The graph layout worker: lays out the page's computation graphs off the
// main thread (ui/graph-layout.js), so a big graph never freezes the page.
// Message in: { id, graph: { nodes: [{ id, width, height }], edges, rankdir } };
// out: { id, packed } (graph-layout.js's packLayout, its arrays moved) or { id, error }.

import { computeLayout, packLayout } from './ui/graph-layout.js';

self.onmessage = (event) => {
  const { id, graph } = event.data || {};
  try {
    const packed = packLayout(computeLayout(graph));
    self.postMessage({ id, packed }, [packed.boxes.buffer, packed.ends.buffer, packed.starts.buffer, packed.points.buffer]);
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
};
