// Runs web/src/worker.js inside a Node worker thread as if it were a browser
// module worker: `self`, `self.onmessage` and `self.postMessage` map onto the
// thread's parentPort. Used by web-worker-shim.mjs for the client tests.

import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import path from 'node:path';

// Emscripten's Node branch reads these (see load-module.mjs).
globalThis.__dirname = workerData.wasmDir;
globalThis.require = createRequire(path.join(workerData.wasmDir, 'lsrl.mjs'));
globalThis.self = globalThis;
globalThis.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);

// Messages that arrive while the worker script is still loading wait here.
const early = [];
parentPort.on('message', (data) => {
  if (typeof globalThis.onmessage === 'function') globalThis.onmessage({ data });
  else early.push(data);
});
await import(workerData.workerUrl);
for (const data of early.splice(0)) globalThis.onmessage({ data });
