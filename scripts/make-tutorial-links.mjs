#!/usr/bin/env node
// Regenerates the playground links of docs/tutorial.md from its programs.
// Each step is a ```lsrl block (or an `example` named in the comment) followed
// by a line  <!-- playground: {JSON} -->  holding the rest of the page's state
// (target, params, prompt; see web/src/ui/state.js), and then a markdown link
// whose target this script rewrites to
//   http://localhost:8000/index.html#j=<base64url(JSON state)>
// (the uncompressed form of web/src/ui/share.js: deterministic, unlike #z=).
// With --check it changes nothing and exits 1 when a link is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tutorialPath = join(root, 'docs', 'tutorial.md');
const PAGE = 'http://localhost:8000/index.html';

function stateFor(source, extra) {
  return {
    v: 1,
    example: extra.example ?? null,
    source,
    params: extra.params ?? {},
    target: extra.target ?? 'gated-linear-rnn',
    activations: 'paper',
    linearChains: 'keep',
    maxLength: 4096,
    precision: 'f64',
    prompt: extra.prompt ?? { kind: 'tokens', text: '' },
  };
}

const base64url = (text) => Buffer.from(text, 'utf8').toString('base64url');

const lines = readFileSync(tutorialPath, 'utf8').split('\n');
let block = null;  // the last ```lsrl block's lines, until a comment uses it
let inBlock = false;
let changed = 0;
for (let i = 0; i < lines.length; i++) {
  const line = lines[i];
  if (inBlock) {
    if (line.startsWith('```')) inBlock = false;
    else block.push(line);
    continue;
  }
  if (line.startsWith('```lsrl')) {
    inBlock = true;
    block = [];
    continue;
  }
  const m = /^<!-- playground: (.*) -->$/.exec(line);
  if (!m) continue;
  const extra = JSON.parse(m[1]);
  const source = extra.example
    ? readFileSync(join(root, 'examples', `${extra.example}.lsrl`), 'utf8')
    : block && `${block.join('\n')}\n`;
  if (!source) throw new Error(`docs/tutorial.md:${i + 1}: a playground comment needs a program block above it or an example`);
  block = null;
  const link = /^\[(.*)\]\((.*)\)$/.exec(lines[i + 1] || '');
  if (!link) throw new Error(`docs/tutorial.md:${i + 2}: the line after a playground comment must be a [text](link)`);
  const url = `${PAGE}#j=${base64url(JSON.stringify(stateFor(source, extra)))}`;
  if (link[2] !== url) {
    changed++;
    lines[i + 1] = `[${link[1]}](${url})`;
  }
}
if (process.argv.includes('--check')) {
  if (changed) {
    console.error(`make-tutorial-links: ${changed} link(s) in docs/tutorial.md are stale; run node scripts/make-tutorial-links.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(tutorialPath, lines.join('\n'));
  console.log(`make-tutorial-links: ${changed} link(s) rewritten`);
}
