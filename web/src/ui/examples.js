// The examples menu. The site build writes a manifest next to index.html:
//   examples.json = [{ name: "more_ones", source: "...lsrl text...",
//                      companion: { title, description, prompt, params } | null }, ...]
// (built from examples/*.lsrl and examples/NAME.example.json; a companion's
// prompt is {kind: "tokens"|"text", text} | {kind: "continuous", function,
// cells, query} | {kind: "dictionary", query, pairs}).

import { el, replaceChildren } from './dom.js';

export const MANIFEST_URL = 'examples.json';

export async function loadExamples(url = MANIFEST_URL) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  const manifest = await response.json();
  const list = Array.isArray(manifest) ? manifest : Array.isArray(manifest?.examples) ? manifest.examples : [];
  return list
    .filter((e) => e && typeof e.name === 'string' && typeof e.source === 'string')
    .map((e) => ({
      name: e.name,
      source: e.source,
      companion: e.companion && typeof e.companion === 'object' ? e.companion : {},
    }));
}

// A pretty title for the menu ("discrete_ua" -> companion title or the name).
export function exampleTitle(example) {
  const title = typeof example.companion?.title === 'string' ? example.companion.title : '';
  return title ? `${example.name} — ${title}` : example.name;
}

export class ExamplesMenu {
  // select: a <select>; description: an element for the example's description
  constructor(select, description, { onPick = () => {} } = {}) {
    this.select = select;
    this.description = description;
    this.examples = [];
    select.addEventListener('change', () => {
      const example = this.examples.find((e) => e.name === select.value);
      if (example) onPick(example);
    });
  }

  setExamples(examples) {
    this.examples = examples;
    replaceChildren(
      this.select,
      el('option', { value: '', text: '(your program)' }),
      ...examples.map((e) => el('option', { value: e.name, text: exampleTitle(e) })),
    );
  }

  find(name) {
    return this.examples.find((e) => e.name === name) || null;
  }

  // Shows which example the editor holds; null when the user's own program.
  setCurrent(name) {
    const example = name ? this.find(name) : null;
    this.select.value = example ? example.name : '';
    const text = typeof example?.companion?.description === 'string' ? example.companion.description : '';
    this.description.textContent = text;
    this.description.hidden = !text;
  }
}
