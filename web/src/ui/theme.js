// The colour theme: it follows the system (prefers-color-scheme) until the
// user picks light or dark with the theme button; the choice is kept in
// localStorage. The stylesheet does the colours (light-dark() and
// color-scheme); this module pins <html data-theme> and tells the views that
// draw colours themselves (the editor) which theme is in force.

const KEY = 'lsrl-playground:theme';
export const THEME_CHOICES = ['system', 'light', 'dark'];

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const systemQuery = () => (typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null);

export class Theme {
  constructor() {
    const saved = storage()?.getItem(KEY);
    this.choice = THEME_CHOICES.includes(saved) ? saved : 'system';
    this.listeners = new Set();
    systemQuery()?.addEventListener('change', () => {
      if (this.choice === 'system') this.apply();
    });
    this.apply();
  }

  // 'light' or 'dark': what is shown now.
  get resolved() {
    if (this.choice !== 'system') return this.choice;
    return systemQuery()?.matches ? 'dark' : 'light';
  }

  set(choice) {
    if (!THEME_CHOICES.includes(choice)) return;
    this.choice = choice;
    try {
      if (choice === 'system') storage()?.removeItem(KEY);
      else storage()?.setItem(KEY, choice);
    } catch {
      // storage may be disabled: the choice lasts for this page only
    }
    this.apply();
  }

  next() {
    this.set(THEME_CHOICES[(THEME_CHOICES.indexOf(this.choice) + 1) % THEME_CHOICES.length]);
  }

  apply() {
    const root = document.documentElement;
    // Pinned only when the user chose: with no attribute the stylesheet's
    // color-scheme follows the system by itself.
    if (this.choice === 'system') delete root.dataset.theme;
    else root.dataset.theme = this.choice;
    root.dataset.themeResolved = this.resolved;
    for (const listener of this.listeners) listener(this.resolved, this.choice);
  }

  subscribe(listener) {
    this.listeners.add(listener);
    listener(this.resolved, this.choice);
    return () => this.listeners.delete(listener);
  }
}

// The theme button: shows the choice, and a click moves to the next one.
export function mountThemeToggle(button, theme) {
  const labels = { system: 'theme: system', light: 'theme: light', dark: 'theme: dark' };
  theme.subscribe((resolved, choice) => {
    button.textContent = labels[choice];
    // The name starts with the visible text (what a voice user says).
    button.setAttribute('aria-label', `${labels[choice]}, ${choice === 'system' ? `following the system (now ${resolved})` : 'pinned'}; press for the next`);
  });
  button.addEventListener('click', () => theme.next());
}
