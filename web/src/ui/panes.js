// Resizable panes: a splitter between the program column and the outputs
// column, and a handle under the editor for its height. Both are ARIA
// separators in the Tab order: the arrow keys move them (Shift for bigger
// steps), Home and End go to the ends, Enter (or a double click) puts them
// back; a pointer drags them. The sizes are kept in localStorage, so a
// reload keeps the layout the user made.

import { el } from './dom.js';

const KEY = 'lsrl-playground:panes';

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function loadSizes() {
  try {
    const saved = JSON.parse(storage()?.getItem(KEY) || '{}');
    return saved && typeof saved === 'object' ? saved : {};
  } catch {
    return {}; // a corrupt entry is ignored: the default layout
  }
}

function saveSizes(sizes) {
  try {
    storage()?.setItem(KEY, JSON.stringify(sizes));
  } catch {
    // storage may be full or disabled: the sizes last for this page only
  }
}

// One separator. spec: { label, orientation ('vertical': it moves sideways),
// min, max, initial, step, bigStep, unit (shown to assistive tech), apply(value),
// fromPointer(event, startValue, start) -> value }.
function separator(spec, onCommit) {
  let value = spec.initial;
  const handle = el('div', {
    class: `splitter splitter-${spec.orientation}`,
    role: 'separator',
    tabindex: 0,
    'aria-orientation': spec.orientation,
    'aria-label': spec.label,
    'aria-valuemin': spec.min,
    'aria-valuemax': spec.max,
    title: `${spec.label}: drag, or focus and use the arrow keys (Enter resets)`,
  });
  const set = (next, commit = true) => {
    value = Math.round(Math.max(spec.min, Math.min(spec.max, next)));
    handle.setAttribute('aria-valuenow', String(value));
    handle.setAttribute('aria-valuetext', `${value}${spec.unit}`);
    spec.apply(value);
    if (commit) onCommit(value);
  };
  set(value, false);
  const [less, more] = spec.orientation === 'vertical' ? ['ArrowLeft', 'ArrowRight'] : ['ArrowUp', 'ArrowDown'];
  handle.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? spec.bigStep : spec.step;
    if (event.key === less) set(value - step);
    else if (event.key === more) set(value + step);
    else if (event.key === 'Home') set(spec.min);
    else if (event.key === 'End') set(spec.max);
    else if (event.key === 'Enter') set(spec.reset);
    else return;
    event.preventDefault();
  });
  handle.addEventListener('dblclick', () => set(spec.reset));
  handle.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    handle.setPointerCapture?.(event.pointerId);
    handle.classList.add('dragging');
    const start = { x: event.clientX, y: event.clientY, value };
    const move = (e) => set(spec.fromPointer(e, start), false);
    const end = (e) => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
      handle.classList.remove('dragging');
      set(spec.fromPointer(e, start));
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  });
  return handle;
}

export const SPLIT_DEFAULT = 51; // % of the layout's width for the program column
export const EDITOR_DEFAULT = 360; // px

// layout: <main class="layout"> with .column.left and .column.right;
// editor: the editor's element (#editor).
export function mountPanes({ layout, left, editor }) {
  const sizes = loadSizes();
  const commit = (name) => (value) => {
    sizes[name] = value;
    saveSizes(sizes);
  };
  if (layout && left && left.parentNode === layout) {
    const columns = separator({
      label: 'resize the program and outputs columns',
      orientation: 'vertical',
      min: 25, max: 75, step: 2, bigStep: 10, unit: '% for the program',
      initial: Number.isFinite(sizes.split) ? sizes.split : SPLIT_DEFAULT,
      reset: SPLIT_DEFAULT,
      apply: (v) => layout.style.setProperty('--split', `${v}%`),
      fromPointer: (event) => {
        const box = layout.getBoundingClientRect();
        return ((event.clientX - box.left) / Math.max(1, box.width)) * 100;
      },
    }, commit('split'));
    columns.id = 'column-splitter';
    left.after(columns);
  }
  if (editor) {
    const rows = separator({
      label: 'resize the editor\'s height',
      orientation: 'horizontal',
      min: 120, max: 1600, step: 24, bigStep: 120, unit: ' px',
      initial: Number.isFinite(sizes.editor) ? sizes.editor : EDITOR_DEFAULT,
      reset: EDITOR_DEFAULT,
      apply: (v) => editor.style.setProperty('--editor-height', `${v}px`),
      fromPointer: (event, start) => start.value + (event.clientY - start.y),
    }, commit('editor'));
    rows.id = 'editor-splitter';
    editor.after(rows);
  }
}
