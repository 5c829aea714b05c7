// The program editor: CodeMirror 6 with Python highlighting (LSRL is a Python
// subset), the compiler's diagnostics underlined at their line:col with the
// message on hover, and completion of primitives and sugar with signatures.

import { EditorState, Compartment, Prec } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, drawSelection, dropCursor, rectangularSelection,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  indentOnInput, syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentUnit, syntaxTree,
} from '@codemirror/language';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import {
  autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap,
} from '@codemirror/autocomplete';
import { lintGutter, setDiagnostics, lintKeymap } from '@codemirror/lint';
import { python, localCompletionSource } from '@codemirror/lang-python';
import { oneDark } from '@codemirror/theme-one-dark';

import { LSRL_COMPLETIONS, LSRL_CONSTANTS, LSRL_KEYWORDS } from './completions.js';

const completionOptions = [
  ...LSRL_COMPLETIONS.map((c) => ({
    label: c.label,
    type: c.kind === 'build-time' ? 'method' : 'function',
    detail: c.signature,
    info: c.doc ? `${c.kind}: ${c.doc}` : c.kind,
    boost: c.kind === 'primitive' ? 2 : c.kind === 'sugar' ? 1 : 0,
  })),
  ...LSRL_CONSTANTS.map((c) => ({ label: c.label, type: 'constant', info: c.doc })),
  ...LSRL_KEYWORDS.map((k) => ({ label: k, type: 'keyword' })),
];

function lsrlCompletionSource(context) {
  const node = syntaxTree(context.state).resolveInner(context.pos, -1);
  if (node.name === 'Comment' || node.name === 'String' || node.name === 'FormatString') return null;
  const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
  if (!word) return context.explicit ? { from: context.pos, options: completionOptions } : null;
  // After a dot only the "lsrl." prefix makes sense; offer the names there too.
  const before = context.state.sliceDoc(Math.max(0, word.from - 5), word.from);
  if (before.endsWith('.') && !before.endsWith('lsrl.')) return null;
  if (word.from === word.to && !context.explicit) return null;
  return { from: word.from, options: completionOptions, validFor: /^[A-Za-z0-9_]*$/ };
}

// Diagnostics from the core are 1-based line and column with a length in
// characters; those without a position (line 0) are shown only in the list
// under the editor, never as a mark.
export function toEditorDiagnostics(doc, diagnostics) {
  const out = [];
  for (const d of diagnostics || []) {
    if (!d || !(d.line >= 1) || d.line > doc.lines) continue;
    const line = doc.line(d.line);
    const col = Math.max(1, d.col || 1);
    const from = Math.min(line.from + col - 1, line.to);
    const to = Math.min(from + Math.max(1, d.length || 1), line.to);
    out.push({
      from,
      to: Math.max(from, to),
      severity: d.severity === 'warning' ? 'warning' : d.severity === 'note' ? 'info' : 'error',
      message: d.message || 'error',
      source: 'lsrl',
    });
  }
  return out;
}

// One Dark's line numbers are 3.9:1 on its background; these read at 4.5:1 or more.
const DARK_GUTTERS = EditorView.theme({ '.cm-gutters': { color: '#a3abba' } }, { dark: true });

// How long Tab moves the focus (instead of indenting) after Escape.
export const TAB_ESCAPE_MS = 10000;

// Longer programs are not syntax-highlighted (see followSize).
export const HIGHLIGHT_MAX_LINES = 1500;

export class ProgramEditor {
  // parent: element; onChange(source): called on user edits (not on setSource);
  // onRun(): Ctrl/Cmd+Enter; onTabEscape(): Escape pressed, so the next Tab
  // leaves the editor instead of indenting (CodeMirror's own escape hatch).
  constructor(parent, { source = '', onChange = () => {}, onRun = () => {}, onTabEscape = () => {}, readOnly = false } = {}) {
    this.onChange = onChange;
    this.suppressChange = false;
    this.readOnly = new Compartment();
    this.theme = new Compartment();
    this.language = new Compartment();
    this.highlighting = source.split('\n').length <= HIGHLIGHT_MAX_LINES;
    const listener = EditorView.updateListener.of((update) => {
      if (update.docChanged) this.followSize(update.state.doc.lines);
      if (update.docChanged && !this.suppressChange) this.onChange(update.state.doc.toString());
    });
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: source,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightSpecialChars(),
          history(),
          drawSelection(),
          dropCursor(),
          EditorState.allowMultipleSelections.of(true),
          indentOnInput(),
          indentUnit.of('    '),
          this.theme.of([]),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          bracketMatching(),
          closeBrackets(),
          autocompletion({ override: [lsrlCompletionSource, localCompletionSource], activateOnTyping: true }),
          rectangularSelection(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          this.language.of(this.highlighting ? python() : []),
          // Long lines wrap: no sideways scrolling, which a narrow screen
          // cannot afford and a keyboard cannot reach.
          EditorView.lineWrapping,
          lintGutter(),
          // Above the default keymap, whose Mod-Enter inserts a blank line.
          Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => { onRun(); return true; } }])),
          EditorView.domEventHandlers({
            keydown: (event, view) => {
              if (event.key !== 'Escape') return false;
              // CodeMirror gives Tab back to the page for 2 s after Escape;
              // set after its own handler, the window is long enough to read
              // the page's note and act on it.
              setTimeout(() => view.setTabFocusMode(TAB_ESCAPE_MS), 0);
              onTabEscape(TAB_ESCAPE_MS);
              return false;
            },
          }),
          keymap.of([
            ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap,
            ...completionKeymap, ...lintKeymap, indentWithTab,
          ]),
          this.readOnly.of(EditorState.readOnly.of(readOnly)),
          // tabindex 0 says what contenteditable already does (the text is a Tab
          // stop), so checkers see the editor's scroller as keyboard-reachable
          // when a resized editor scrolls.
          EditorView.contentAttributes.of({ 'aria-label': 'LSRL program', spellcheck: 'false', tabindex: '0' }),
          listener,
        ],
      }),
    });
  }

  get source() {
    return this.view.state.doc.toString();
  }

  // Replaces the whole program (an example, a link) without firing onChange.
  setSource(text) {
    if (text === this.source) return;
    this.suppressChange = true;
    try {
      this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
    } finally {
      this.suppressChange = false;
    }
  }

  setDiagnostics(diagnostics) {
    const marks = toEditorDiagnostics(this.view.state.doc, diagnostics);
    this.view.dispatch(setDiagnostics(this.view.state, marks));
  }

  // 'dark' uses One Dark's colours (the default highlighting is for light
  // backgrounds); 'light' the default ones.
  // A program of thousands of lines is shown as plain text: the Python
  // grammar's background parse of it runs in slices of up to 100 ms on the
  // main thread (CodeMirror's own budget), which the page must not spend.
  followSize(lines) {
    const wanted = lines <= HIGHLIGHT_MAX_LINES;
    if (wanted === this.highlighting) return;
    this.highlighting = wanted;
    // After the update in progress: an update listener may not dispatch.
    queueMicrotask(() => this.view.dispatch({ effects: this.language.reconfigure(wanted ? python() : []) }));
    this.view.dom.dataset.highlighting = wanted ? 'on' : 'off';
  }

  setTheme(resolved) {
    this.view.dispatch({ effects: this.theme.reconfigure(resolved === 'dark' ? [Prec.highest(DARK_GUTTERS), oneDark] : []) });
  }

  setReadOnly(readOnly) {
    this.view.dispatch({ effects: this.readOnly.reconfigure(EditorState.readOnly.of(readOnly)) });
  }

  // Moves the cursor to a 1-based line (and column) and shows it.
  goTo(lineNumber, col = 1) {
    const doc = this.view.state.doc;
    if (!(lineNumber >= 1) || lineNumber > doc.lines) return;
    const line = doc.line(lineNumber);
    const pos = Math.min(line.from + Math.max(0, col - 1), line.to);
    this.view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
    this.view.focus();
  }
}
