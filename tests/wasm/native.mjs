// The native lsrlc and the examples, for tests that compare the WebAssembly
// module with the command line.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

import { repoDir } from './load-module.mjs';

export const lsrlcPath = path.resolve(process.env.LSRLC || path.join(repoDir, 'build', 'lsrlc'));
export const examplesDir = path.join(repoDir, 'examples');

// [{ name, file, source, companion }] for every examples/*.lsrl.
export function examples() {
  return fs.readdirSync(examplesDir)
    .filter((f) => f.endsWith('.lsrl'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.lsrl'.length);
      const companionFile = path.join(examplesDir, `${name}.example.json`);
      return {
        name,
        file: path.join(examplesDir, f),
        source: fs.readFileSync(path.join(examplesDir, f), 'utf8'),
        companion: fs.existsSync(companionFile) ? JSON.parse(fs.readFileSync(companionFile, 'utf8')) : {},
      };
    });
}

export function paramArgs(params) {
  return Object.entries(params || {}).flatMap(([name, value]) => ['--param', `${name}=${value}`]);
}

// Writes tokens (number[][]) as a CSV lsrlc reads with --input-file; JS's
// number-to-string gives the shortest text that reads back as the same double.
export function writeTokensCsv(tokens) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsrl-wasm-test-'));
  const file = path.join(dir, 'tokens.csv');
  fs.writeFileSync(file, tokens.map((row) => row.map((x) => String(x)).join(',')).join('\n') + '\n');
  return file;
}

// `lsrlc run FILE ... --json` -> the parsed JSON. Throws with lsrlc's stderr
// if it fails.
export function nativeRun(file, args) {
  const result = spawnSync(lsrlcPath, ['run', file, ...args, '--json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`lsrlc run ${file} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

// `lsrlc check FILE` -> { status, stderr }.
export function nativeCheck(file, args = []) {
  const result = spawnSync(lsrlcPath, ['check', file, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function nativeCompileJson(file, args) {
  return JSON.parse(execFileSync(lsrlcPath, ['compile', file, ...args, '--json'], { encoding: 'utf8' }));
}
