// Share links, embed snippets (an iframe and the <lsrl-playground> element) and the URL hash that carries the whole state.
// Hash format: "#z=" + base64url(deflate-raw(JSON)) where the browser has
// CompressionStream, else "#j=" + base64url(JSON). Both are read back.
// The decoded state goes through sanitizeState() before anything uses it.

import { el, replaceChildren } from './dom.js';
import { sanitizeState } from './state.js';
import { loadExamples } from './examples.js';

function bytesToBase64Url(bytes) {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64UrlToBytes(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function pipeThrough(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

export async function encodeStateHash(state) {
  const json = new TextEncoder().encode(JSON.stringify(state));
  if (typeof CompressionStream === 'function') {
    try {
      return `z=${bytesToBase64Url(await pipeThrough(json, new CompressionStream('deflate-raw')))}`;
    } catch {
      // fall through to the uncompressed form
    }
  }
  return `j=${bytesToBase64Url(json)}`;
}

// Size caps on a link: the hash's text, and the state it decodes to. A
// program may be 1 MB (the core's source limit) and a prompt 200,000
// characters, so 4 MB of state is plenty; a few kilobytes of deflate can
// claim gigabytes (a decompression bomb), so the inflated bytes are counted
// as they arrive and the link is dropped as soon as they pass the cap.
export const MAX_LINK_CHARS = 8 << 20;
export const MAX_STATE_BYTES = 4 << 20;

async function inflateCapped(bytes, limit) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new RangeError('the link holds more than a state can');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

// Returns a sanitized state, or null when the hash carries none (or is
// damaged, or beyond the caps: a broken link opens the default page rather
// than failing).
export async function decodeStateHash(hash) {
  const text = (hash || '').replace(/^#/, '');
  if (text.length > MAX_LINK_CHARS) return null;
  const params = new URLSearchParams(text);
  try {
    let bytes = null;
    if (params.has('z')) {
      bytes = await inflateCapped(base64UrlToBytes(params.get('z')), MAX_STATE_BYTES);
    } else if (params.has('j')) {
      bytes = base64UrlToBytes(params.get('j'));
      if (bytes.length > MAX_STATE_BYTES) return null;
    } else {
      return null;
    }
    return sanitizeState(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return null;
  }
}

// The page a link should point to, next to the current one.
function siblingUrl(file, hash, query = '') {
  const url = new URL(file, window.location.href);
  url.search = query;
  url.hash = hash;
  return url.toString();
}

export async function shareUrl(state) {
  return siblingUrl('index.html', await encodeStateHash(state));
}

export async function embedUrl(state, { showEditor = false } = {}) {
  return siblingUrl('embed.html', await encodeStateHash(state), showEditor ? 'editor=1' : '');
}

export function iframeSnippet(url) {
  // The URL holds only base64url characters after '#', and what precedes it
  // is this page's own address; quotes are escaped anyway.
  const safe = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return `<iframe src="${safe}" width="100%" height="640" style="border:1px solid #ccd;border-radius:6px" ` +
    `title="LSRL Playground" loading="lazy"></iframe>`;
}

const escapeHtml = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// The <lsrl-playground> snippet for a state: the script tag (the site's
// lsrl-playground.js) and the element. A shipped example left unedited is
// named (example="..."); any other program goes in as the element's text.
// exampleSource: the source of state.example as shipped (or null).
export function componentSnippet(state, { scriptUrl, exampleSource = null }) {
  const attrs = [];
  if (state.example && exampleSource !== null && exampleSource === state.source) attrs.push(['example', state.example]);
  attrs.push(['target', state.target]);
  if (state.prompt?.kind === 'tokens' && state.prompt.text) attrs.push(['prompt', state.prompt.text]);
  attrs.push(['panels', 'program prompt outputs trace']);
  const open = `<lsrl-playground ${attrs.map(([k, v]) => `${k}="${escapeHtml(v)}"`).join(' ')}>`;
  const body = attrs[0][0] === 'example' ? '' : `\n${escapeHtml(state.source.replace(/\s+$/, ''))}\n`;
  return `<script type="module" src="${escapeHtml(scriptUrl)}"></script>\n${open}${body}</lsrl-playground>`;
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

// The share and embed buttons and the popover that shows a link or snippet.
// getState() returns the current state.
export function mountShare({ shareButton, embedButton, panel, getState }) {
  const close = () => {
    panel.hidden = true;
    replaceChildren(panel);
  };

  const show = (title, field, extra = []) => {
    const note = el('span', { class: 'share-note', id: 'share-note', role: 'status' });
    const copy = el('button', {
      type: 'button',
      text: 'Copy',
      on: {
        click: async () => {
          field.select();
          note.textContent = (await copyText(field.value)) ? 'copied' : 'select and copy (Ctrl+C)';
        },
      },
    });
    // A non-modal dialog named by its title; Escape or × closes it.
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-labelledby', 'share-title');
    replaceChildren(
      panel,
      el('div', { class: 'share-head' }, el('strong', { id: 'share-title', text: title }),
        el('button', { type: 'button', class: 'close', text: '×', 'aria-label': 'close', on: { click: close } })),
      field,
      el('div', { class: 'share-actions' }, copy, note, ...extra),
    );
    panel.hidden = false;
    field.focus();
    field.select();
    return note;
  };

  shareButton.addEventListener('click', async () => {
    const state = getState();
    const url = await shareUrl(state);
    history.replaceState(null, '', url);
    const field = el('input', { type: 'text', readonly: true, class: 'share-url', id: 'share-url', value: url, 'aria-label': 'link to this view' });
    const open = el('a', { href: url, target: '_blank', rel: 'noopener', text: 'open in a new tab' });
    const note = show('Link to exactly this view', field, [open]);
    // Say whether the link is on the clipboard: a silent copy leaves the user
    // guessing, and a refused one (no permission, no secure context) needs
    // the selected field instead.
    const copied = await copyText(url);
    note.textContent = copied ? 'copied to the clipboard' : 'selected: press Ctrl+C (⌘+C) to copy';
    if (copied) {
      shareButton.textContent = 'Copied ✓';
      clearTimeout(shareButton.resetTimer);
      shareButton.resetTimer = setTimeout(() => { shareButton.textContent = 'Share'; }, 2000);
    }
  });

  embedButton.addEventListener('click', async () => {
    const field = el('textarea', { class: 'share-snippet', id: 'embed-snippet', rows: 4, readonly: true, 'aria-label': 'iframe snippet' });
    const withEditor = el('input', { type: 'checkbox', id: 'embed-with-editor' });
    const preview = el('a', { target: '_blank', rel: 'noopener', text: 'preview' });
    const update = async () => {
      const url = await embedUrl(getState(), { showEditor: withEditor.checked });
      field.value = iframeSnippet(url);
      preview.href = url;
    };
    withEditor.addEventListener('change', update);
    await update();
    // The web component: one script tag and the element (docs/embedding.md).
    const component = el('textarea', { class: 'share-snippet', id: 'component-snippet', rows: 6, readonly: true, 'aria-label': 'web component snippet' });
    const state = getState();
    let exampleSource = null;
    try {
      exampleSource = (await loadExamples()).find((e) => e.name === state.example)?.source ?? null;
    } catch {
      // no manifest: the snippet carries the program inline
    }
    component.value = componentSnippet(state, { scriptUrl: new URL('lsrl-playground.js', window.location.href).href, exampleSource });
    show('Embed this view in a page', field, [
      el('label', {}, withEditor, ' show the program'),
      preview,
      el('div', { class: 'share-component' },
        el('strong', { text: 'or as a web component' }), ' (a live widget in the page itself, see docs/embedding.md):',
        component),
    ]);
  });

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !panel.hidden) close();
  });
}
