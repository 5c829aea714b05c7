// Heatmaps on a canvas: a matrix drawn one pixel per cell and scaled up by
// CSS (pixelated). heatmapFigure() puts one between its axes (labels and
// ticks), with a marker column (the step cursor), a hover tooltip, and the
// keyboard: focus the plot and the arrow keys walk its cells, reading each
// value out, so nothing in it needs a mouse. Used by the hidden-state
// heatmaps and the continuous_ua plots.

import { el, showTooltip, hideTooltip, formatNumber } from './dom.js';
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
      const cell = cellAt(canvas, event, rows, cols, flipY);
      if (!cell) return hideTooltip();
      showTooltip(event, tooltip(cell.r, cell.c, at(cell.r, cell.c)));
    });
    canvas.addEventListener('mouseleave', hideTooltip);
  }
  return canvas;
}

function cellAt(canvas, event, rows, cols, flipY) {
  const box = canvas.getBoundingClientRect();
  const c = Math.floor(((event.clientX - box.left) / box.width) * cols);
  let r = Math.floor(((event.clientY - box.top) / box.height) * rows);
  if (flipY) r = rows - 1 - r;
  if (r < 0 || r >= rows || c < 0 || c >= cols) return null;
  return { r, c };
}

// Up to maxTicks whole indices in [0, n): a round stride (1, 2, 5 x 10^k)
// from 0, each placed on its cell's centre.
export function indexTicks(n, maxTicks = 6) {
  if (!(n > 0)) return [];
  let stride;
  for (let k = 0; ; k++) {
    const base = 10 ** Math.floor(k / 3);
    stride = [1, 2, 5][k % 3] * base;
    if (Math.ceil(n / stride) <= maxTicks) break;
  }
  const ticks = [];
  for (let i = 0; i < n; i += stride) ticks.push({ at: (i + 0.5) / n, text: String(i) });
  return ticks;
}

// Ticks over a continuous [lo, hi] axis: lo, quarters, hi.
export function rangeTicks(lo, hi, count = 5) {
  return Array.from({ length: count }, (_, i) => {
    const v = lo + ((hi - lo) * i) / (count - 1);
    return { at: i / (count - 1), text: formatNumber(Number(v.toPrecision(3))) };
  });
}

function tickRow(ticks, vertical) {
  return ticks.map((t) => el('span', {
    class: 'tick',
    style: vertical ? { top: `${(t.at * 100).toFixed(3)}%` } : { left: `${(t.at * 100).toFixed(3)}%` },
    text: t.text,
  }));
}

// A heatmap between its axes. options: those of heatmapCanvas, plus
// xAxis/yAxis {label, ticks: [{at: 0..1 from the left/top, text}]},
// describe(r, c, value) -> [lines] (the tooltip and the keyboard's readout),
// onPick(r, c) (a click, or the keyboard moving to a cell).
// Returns {node, canvas, setMarker(column | null)}.
export function heatmapFigure(rows, cols, at, options = {}) {
  const { xAxis = null, yAxis = null, describe = null, onPick = null, flipY = false, label = '' } = options;
  const canvas = heatmapCanvas(rows, cols, at, { ...options, tooltip: describe });
  const width = canvas.style.width;
  const height = canvas.style.height;
  const marker = el('div', { class: 'plot-marker', hidden: true, 'aria-hidden': 'true' });
  const focusCell = el('div', { class: 'plot-focus-cell', hidden: true, 'aria-hidden': 'true' });
  const area = el('div', { class: 'plot-area', style: { width, height } }, canvas, marker, focusCell);
  const readout = el('div', { class: 'plot-readout small', 'aria-live': 'polite' });
  // The keyboard: the plot is one stop in the Tab order; arrows move a cell.
  canvas.tabIndex = 0;
  canvas.setAttribute('aria-label', `${label}: ${rows} × ${cols}; arrow keys read the values`);
  let cell = null;
  const show = (next) => {
    cell = next;
    const shownRow = flipY ? rows - 1 - cell.r : cell.r;
    Object.assign(focusCell.style, {
      left: `${(cell.c / cols) * 100}%`, top: `${(shownRow / rows) * 100}%`,
      width: `${100 / cols}%`, height: `${100 / rows}%`,
    });
    focusCell.hidden = false;
    if (describe) readout.textContent = describe(cell.r, cell.c, at(cell.r, cell.c)).join(' · ');
    onPick?.(cell.r, cell.c);
  };
  canvas.addEventListener('keydown', (event) => {
    const moves = {
      ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [flipY ? 1 : -1, 0], ArrowDown: [flipY ? -1 : 1, 0],
      Home: [0, -cols], End: [0, cols],
    };
    const move = moves[event.key];
    if (!move || rows < 1 || cols < 1) return;
    event.preventDefault();
    const from = cell || { r: flipY ? 0 : 0, c: 0 };
    const step = event.shiftKey ? 10 : 1;
    show({
      r: Math.max(0, Math.min(rows - 1, from.r + (cell ? move[0] * step : 0))),
      c: Math.max(0, Math.min(cols - 1, from.c + (cell ? move[1] * step : 0))),
    });
  });
  canvas.addEventListener('blur', () => { focusCell.hidden = true; });
  canvas.addEventListener('click', (event) => {
    const hit = cellAt(canvas, event, rows, cols, flipY);
    if (hit) show(hit);
  });
  const node = el('div', { class: 'plot' },
    el('div', { class: 'plot-ylabel', text: yAxis?.label || '' }),
    el('div', { class: 'plot-yticks', style: { height } }, ...tickRow(yAxis?.ticks || [], true)),
    area,
    el('div', { class: 'plot-xticks', style: { width } }, ...tickRow(xAxis?.ticks || [], false)),
    el('div', { class: 'plot-xlabel', style: { width }, text: xAxis?.label || '' }),
    readout);
  return {
    node,
    canvas,
    setMarker(column) {
      const on = Number.isInteger(column) && column >= 0 && column < cols;
      marker.hidden = !on;
      if (on) {
        marker.style.left = `${(column / cols) * 100}%`;
        marker.style.width = `${100 / cols}%`;
        marker.dataset.column = String(column);
      }
    },
  };
}
