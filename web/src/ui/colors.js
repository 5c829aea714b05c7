// Diverging colours centred at 0 (blue below, white at 0, red above), for the
// hidden-state heatmaps and the continuous_ua plots. A 512-entry lookup table
// from d3-scale-chromatic's RdBu keeps canvas filling fast on big layers.
// "symlog" compresses large magnitudes (the f_ifelse lambda of 1e10 next to
// 0/1 flags) so small values stay visible.

import { interpolateRdBu } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';
import { el } from './dom.js';

const LUT_SIZE = 512;
const LUT = (() => {
  const table = new Uint8ClampedArray(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    // RdBu runs red (0) -> blue (1); flip it so negatives are blue.
    const c = rgb(interpolateRdBu(1 - i / (LUT_SIZE - 1)));
    table[i * 3] = c.r;
    table[i * 3 + 1] = c.g;
    table[i * 3 + 2] = c.b;
  }
  return table;
})();

// Maps a value to [0, 1] with 0.5 at zero.
export function makeNormalizer(maxAbs, { log = false } = {}) {
  const m = maxAbs > 0 && Number.isFinite(maxAbs) ? maxAbs : 1;
  if (!log) return (v) => 0.5 + Math.max(-1, Math.min(1, v / m)) / 2;
  // symlog, linear below c: 0.01 (so 0/1 flags and small counts stay
  // distinguishable next to 1e10), or a hundredth of a small range.
  const c = Math.min(0.01, m / 100);
  const top = Math.log1p(m / c);
  return (v) => {
    const s = Math.sign(v) * Math.log1p(Math.abs(v) / c) / top;
    return 0.5 + Math.max(-1, Math.min(1, s)) / 2;
  };
}

export function colorIndex(t) {
  if (!Number.isFinite(t)) return -1;
  return Math.round(Math.max(0, Math.min(1, t)) * (LUT_SIZE - 1));
}

// Writes the colour of normalized t into an RGBA buffer at pixel p. NaN and
// infinities are drawn grey so they stand out.
export function putColor(buffer, p, t) {
  const i = colorIndex(t);
  if (i < 0) {
    buffer[p * 4] = buffer[p * 4 + 1] = buffer[p * 4 + 2] = 128;
  } else {
    buffer[p * 4] = LUT[i * 3];
    buffer[p * 4 + 1] = LUT[i * 3 + 1];
    buffer[p * 4 + 2] = LUT[i * 3 + 2];
  }
  buffer[p * 4 + 3] = 255;
}

export function cssColor(t) {
  const i = colorIndex(t);
  if (i < 0) return 'rgb(128,128,128)';
  return `rgb(${LUT[i * 3]},${LUT[i * 3 + 1]},${LUT[i * 3 + 2]})`;
}

export function maxAbsOf(values) {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a > m && Number.isFinite(a)) m = a;
  }
  return m;
}

// The values a colour bar marks: -max, the middle of each half and max
// (linear); for symlog, the decade nearest the middle of each half, so the
// ticks show how the scale compresses.
export function legendTicks(maxAbs, { log = false } = {}) {
  const m = maxAbs > 0 && Number.isFinite(maxAbs) ? maxAbs : 1;
  if (!log) return [-m, -m / 2, 0, m / 2, m];
  const norm = makeNormalizer(m, { log: true });
  let mid = 0;
  for (let e = -6; e <= 20; e++) {
    const v = 10 ** e;
    if (v >= m) break;
    if (mid === 0 || Math.abs(norm(v) - 0.75) < Math.abs(norm(mid) - 0.75)) mid = v;
  }
  return mid ? [-m, -mid, 0, mid, m] : [-m, 0, m];
}

function tickText(v) {
  if (v === 0) return '0';
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-2 ? v.toExponential(0).replace('e+', 'e') : String(Number(v.toPrecision(2)));
}

// A colour bar with ticks under it (each tick at its value's colour).
export function legend(maxAbs, { log = false, label = '' } = {}) {
  const W = 160;
  const canvas = el('canvas', { width: W, height: 10, class: 'legend-bar', 'aria-hidden': 'true' });
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const img = ctx.createImageData(W, 10);
    for (let x = 0; x < W; x++) for (let y = 0; y < 10; y++) putColor(img.data, y * W + x, x / (W - 1));
    ctx.putImageData(img, 0, 0);
  }
  const norm = makeNormalizer(maxAbs, { log });
  const ticks = legendTicks(maxAbs, { log });
  const scale = el('span', { class: 'legend-scale' }, canvas,
    el('span', { class: 'legend-ticks' }, ...ticks.map((v) => el('span', {
      class: 'tick', style: { left: `${(norm(v) * 100).toFixed(2)}%` }, text: tickText(v),
    }))));
  return el('span', {
    class: 'legend', role: 'img',
    'aria-label': `${label || 'colour scale'}: blue ${tickText(-maxAbs)}, white 0, red ${tickText(maxAbs)}${log ? ', symlog' : ''}`,
  },
  label ? el('span', { class: 'legend-label', text: label }) : null,
  scale,
  log ? el('span', { class: 'muted', text: 'symlog' }) : null);
}
