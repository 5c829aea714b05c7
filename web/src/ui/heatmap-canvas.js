// One heatmap on a canvas: a matrix drawn one pixel per cell and scaled up by
// CSS (pixelated), with a hover callback that maps the mouse back to a cell.
// Used by the hidden-state heatmaps and the continuous_ua plots.

import { el, showTooltip, hideTooltip } from './dom.js';
import { makeNormalizer, putColor } from './colors.js';

// rows x cols values; at(r, c) returns the value of a cell.
// options: maxAbs (colour range), log, cellW/cellH preferred pixel sizes,
// maxWidth/maxHeight of the drawing, flipY (row 0 at the bottom),
// tooltip(r, c, value) -> [lines], className.
export function heatmapCanvas(rows, cols, at, options = {}) {
  const {
    maxAbs = 1, log = false, cellW = 10, cellH = 10, maxWidth = 720, maxHeight = 360,
    minWidth = 0, flipY = false, tooltip = null, className = 'heatmap', label = '',
  } = options;
  const canvas = el('canvas', {
    width: Math.max(1, cols), height: Math.max(1, rows), class: className, role: 'img', 'aria-label': label,
  });
  const ctx = canvas.getContext('2d');
  if (ctx && rows > 0 && cols > 0) {
    const image = ctx.createImageData(cols, rows);
    const norm = makeNormalizer(maxAbs, { log });
    for (let r = 0; r < rows; r++) {
      const y = flipY ? rows - 1 - r : r;
      for (let c = 0; c < cols; c++) putColor(image.data, y * cols + c, norm(at(r, c)));
    }
    ctx.putImageData(image, 0, 0);
  }
  const width = Math.max(minWidth, Math.min(maxWidth, Math.max(1, cols) * cellW));
  const height = Math.min(maxHeight, Math.max(1, rows) * cellH);
  canvas.style.width = `${Math.max(1, Math.round(width))}px`;
  canvas.style.height = `${Math.max(1, Math.round(height))}px`;
  canvas.dataset.rows = rows;
  canvas.dataset.cols = cols;

  if (tooltip) {
    canvas.addEventListener('mousemove', (event) => {
      const box = canvas.getBoundingClientRect();
      const c = Math.floor(((event.clientX - box.left) / box.width) * cols);
      let r = Math.floor(((event.clientY - box.top) / box.height) * rows);
      if (flipY) r = rows - 1 - r;
      if (r < 0 || r >= rows || c < 0 || c >= cols) return hideTooltip();
      showTooltip(event, tooltip(r, c, at(r, c)));
    });
    canvas.addEventListener('mouseleave', hideTooltip);
  }
  return canvas;
}
