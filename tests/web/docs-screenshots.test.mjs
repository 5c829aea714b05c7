// The README's screenshots of discrete_ua on lstm: every docs/*.png it links
// exists, and the pair is a real PNG at 1400 and 390 px wide (re-take them
// with scripts/screenshots.sh).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoDir } from './helpers.mjs';

function pngWidth(file) {
  const head = fs.readFileSync(file).subarray(0, 24);
  assert.equal(head.subarray(1, 4).toString('latin1'), 'PNG', `${file} is a PNG`);
  return head.readUInt32BE(16);
}

test('the README links discrete_ua-on-lstm screenshots at 1400 and 390 px that exist', () => {
  const readme = fs.readFileSync(path.join(repoDir, 'README.md'), 'utf8');
  const linked = [...readme.matchAll(/\((docs\/[\w.-]+\.png)\)/g)].map((m) => m[1]);
  for (const file of linked) assert.ok(fs.existsSync(path.join(repoDir, file)), `${file} exists`);
  for (const width of [1400, 390]) {
    const file = `docs/screenshot-discrete-ua-lstm-${width}.png`;
    assert.ok(linked.includes(file), `the README links ${file}`);
    assert.equal(pngWidth(path.join(repoDir, file)), width);
  }
});
