// DOM building without HTML strings. Everything the page shows that came from
// a user, an example or a shared link goes through textContent or attribute
// setters here, never innerHTML, so markup in a program or prompt is shown as
// text and a <script> in a link never runs.

const SVG_NS = 'http://www.w3.org/2000/svg';

// Attributes we allow callers to set by name. Event-handler attributes
// (onclick=...) and javascript: URLs are refused so that a value from outside
// can never become code even if a caller passes it through by mistake.
function setAttribute(node, name, value) {
  if (value === undefined || value === null || value === false) return;
  if (/^on/i.test(name)) throw new Error(`refusing to set event attribute ${name}`);
  const text = value === true ? '' : String(value);
  if ((name === 'href' || name === 'src') && /^\s*javascript:/i.test(text)) {
    throw new Error(`refusing javascript: URL in ${name}`);
  }
  node.setAttribute(name, text);
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

// el('div', {class: 'x', text: 'hello', on: {click: f}, dataset: {line: 3}}, child, ...)
// Strings among the children become text nodes.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  applyProps(node, props);
  append(node, children);
  return node;
}

export function svg(tag, props = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  applyProps(node, props);
  append(node, children);
  return node;
}

function applyProps(node, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (key === 'text') node.textContent = value == null ? '' : String(value);
    else if (key === 'class') setAttribute(node, 'class', value);
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else if (key === 'dataset') for (const [k, v] of Object.entries(value)) node.dataset[k] = String(v);
    else if (key === 'style') Object.assign(node.style, value);
    else if (key === 'value') node.value = value;
    else if (key === 'checked' || key === 'disabled' || key === 'selected') node[key] = !!value;
    else setAttribute(node, key, value);
  }
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function replaceChildren(node, ...children) {
  clear(node);
  append(node, children);
  return node;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

// A formatted number for tables: integers as they are, others to 6
// significant digits, huge or tiny ones in exponent form.
export function formatNumber(v) {
  if (typeof v !== 'number') return String(v);
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (Object.is(v, -0)) return '0';
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-4)) return v.toExponential(3);
  return String(Number(v.toPrecision(6)));
}

export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

// A tooltip shared by every plot: one element, positioned near the mouse.
let tooltipNode = null;
export function showTooltip(event, lines) {
  if (!tooltipNode) {
    tooltipNode = el('div', { class: 'tooltip', role: 'tooltip' });
    document.body.appendChild(tooltipNode);
  }
  replaceChildren(tooltipNode, ...lines.map((line) => el('div', { text: line })));
  tooltipNode.hidden = false;
  const pad = 14;
  const x = Math.min(event.clientX + pad, window.innerWidth - tooltipNode.offsetWidth - 4);
  const y = Math.min(event.clientY + pad, window.innerHeight - tooltipNode.offsetHeight - 4);
  tooltipNode.style.left = `${Math.max(0, x)}px`;
  tooltipNode.style.top = `${Math.max(0, y)}px`;
}
export function hideTooltip() {
  if (tooltipNode) tooltipNode.hidden = true;
}

// Saves data (a string, bytes or a Blob) as a file through a temporary link.
export function downloadFile(data, filename, type = 'application/octet-stream') {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: filename || 'download' });
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// A CSV field: quoted when it holds a comma, a quote or a line break.
export function csvField(value) {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : String(value)) : String(value ?? '');
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvText(header, rows) {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

// "download: CSV JSON" buttons. formats: [{label, id, make: () => ({data,
// filename, type})}].
export function downloadRow(title, formats) {
  return el('div', { class: 'download-row' },
    el('span', { class: 'muted small', text: `${title}:` }),
    ...formats.map((f) => el('button', {
      type: 'button', class: 'small', text: f.label, id: f.id, title: `download ${f.what || ''} as ${f.label}`.replace(/\s+/g, ' '),
      on: { click: () => { const { data, filename, type } = f.make(); downloadFile(data, filename, type); } },
    })));
}
