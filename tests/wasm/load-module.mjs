// Loads the em++ build of the core (lsrl.mjs + lsrl.wasm) in Node.
//
// Emscripten 3.1.6's ES-module output has two Node quirks, both handled here
// rather than by patching its glue:
// - it fetches lsrl.wasm with the global fetch (present since Node 18), which
//   cannot read file paths: we hand it the bytes (wasmBinary) instead;
// - its Node branch reads `__dirname` and `require`, which ES modules lack: we
//   provide both as globals before the factory runs.
// LSRL_WASM_DIR overrides where the module is (default: build-wasm/).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const wasmDir = path.resolve(process.env.LSRL_WASM_DIR || path.join(repoDir, 'build-wasm'));

export async function loadModule() {
  const moduleFile = path.join(wasmDir, 'lsrl.mjs');
  const wasmFile = path.join(wasmDir, 'lsrl.wasm');
  if (!fs.existsSync(moduleFile) || !fs.existsSync(wasmFile)) {
    throw new Error(`${wasmDir} has no lsrl.mjs / lsrl.wasm: build them with emcmake cmake -S . -B build-wasm && ninja -C build-wasm`);
  }
  globalThis.__dirname ??= wasmDir;
  globalThis.require ??= createRequire(moduleFile);
  const { default: createLsrlModule } = await import(pathToFileURL(moduleFile).href);
  return createLsrlModule({ wasmBinary: fs.readFileSync(wasmFile), print: () => {}, printErr: () => {} });
}

// { rows, dim, data } (the module's flat rows) -> number[][].
export function rows(flat) {
  const out = [];
  for (let r = 0; r < flat.rows; r++) out.push(Array.from(flat.data.subarray(r * flat.dim, (r + 1) * flat.dim)));
  return out;
}

// number[][] -> { data: Float64Array, steps, dim }.
export function flatten(tokens) {
  const steps = tokens.length;
  const dim = steps ? tokens[0].length : 0;
  const data = new Float64Array(steps * dim);
  tokens.forEach((row, s) => row.forEach((x, u) => { data[s * dim + u] = x; }));
  return { data, steps, dim };
}
