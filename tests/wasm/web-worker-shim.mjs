// A browser-like `Worker` for Node (module workers only), so LsrlClient and
// web/src/worker.js run unchanged in node:test.

import { Worker as ThreadWorker } from 'node:worker_threads';

import { wasmDir } from './load-module.mjs';

const hostUrl = new URL('./worker-host.mjs', import.meta.url);

export class NodeWebWorker {
  constructor(url, options = {}) {
    if (options.type !== 'module') throw new Error('only module workers are supported');
    this.onmessage = null;
    this.onerror = null;
    this.terminated = false;
    this._thread = new ThreadWorker(hostUrl, { workerData: { workerUrl: String(url), wasmDir } });
    this._thread.on('message', (data) => this.onmessage && this.onmessage({ data }));
    this._thread.on('error', (error) => this.onerror && this.onerror({ message: error.message, preventDefault() {} }));
  }

  postMessage(message, transfer) {
    this._thread.postMessage(message, transfer);
  }

  terminate() {
    this.terminated = true;
    this._thread.terminate();
  }
}

export function installWorkerShim() {
  globalThis.Worker = NodeWebWorker;
}
