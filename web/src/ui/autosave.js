// The editor content (with the rest of the state, so a reload shows the same
// run) kept in localStorage. A shared link takes precedence over it on load;
// the saved copy is what a plain reload of the page brings back.

import { sanitizeState } from './state.js';
import { debounce } from './dom.js';

const KEY = 'lsrl-playground:state:v1';

export function loadSaved(storage = safeStorage()) {
  if (!storage) return null;
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    const state = sanitizeState(JSON.parse(raw));
    return state.source ? state : null;
  } catch {
    return null;
  }
}

export function clearSaved(storage = safeStorage()) {
  try {
    storage?.removeItem(KEY);
  } catch {
    // storage may be disabled (private mode); nothing to clear then
  }
}

// Returns save(state), debounced; saving failures (quota, disabled storage)
// are ignored: autosave is a convenience, never a reason to stop.
export function makeAutosave(storage = safeStorage(), delayMs = 300) {
  const write = (state) => {
    if (!storage) return;
    try {
      storage.setItem(KEY, JSON.stringify(state));
    } catch {
      // see above
    }
  };
  const save = debounce(write, delayMs);
  save.now = write;
  return save;
}

function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
