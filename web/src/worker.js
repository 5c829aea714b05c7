// The Web Worker that owns the WebAssembly module and the compiled models.
//
// The page never calls the module directly: LsrlClient (lsrl-client.js) posts
// { id, method, args } here and gets back { id, result } (or { id, error } when
// the call itself could not be made, e.g. the module failed to load). Every
// result has the shape { ok, diagnostics, ... } described in docs/api.md.
//
// Running here keeps the page responsive during a long compile or run; the
// client cancels by terminating this worker and starting a new one.
//
// The module (lsrl.mjs + lsrl.wasm, emitted by em++) is loaded with a dynamic
// import so the bundler leaves it as its own file: by default it sits one level
// above this script (build/site/lsrl.mjs beside build/site/assets/worker.js);
// an embedder can point elsewhere with init's moduleUrl / wasmUrl, or hand
// over the wasm bytes themselves (wasmBinary).

let modulePromise = null;  // Promise<{ module, session }>
let loadOptions = { firstModelId: 1 };
let highestModelId = 0;

function loadModule() {
  const moduleUrl = loadOptions.moduleUrl || new URL('../lsrl.mjs', import.meta.url).href;
  return import(/* @vite-ignore */ moduleUrl).then(async (imported) => {
    const factory = imported.default;
    const settings = {};
    if (loadOptions.wasmUrl) settings.locateFile = () => loadOptions.wasmUrl;
    if (loadOptions.wasmBinary) settings.wasmBinary = loadOptions.wasmBinary;
    // No console noise from the runtime: errors come back as diagnostics.
    settings.print = () => {};
    settings.printErr = () => {};
    const module = await factory(settings);
    const firstId = Math.max(loadOptions.firstModelId || 1, highestModelId + 1);
    const session = new module.Session(firstId);
    return { module, session };
  });
}

function engine() {
  if (!modulePromise) modulePromise = loadModule();
  return modulePromise;
}

// A diagnostic without a source position.
function failure(message) {
  return {
    ok: false,
    diagnostics: [{ file: '', line: 0, col: 0, length: 0, severity: 'error', message, rendered: `error: ${message}` }],
  };
}

// Arguments arrive from other code: check their types here, so that a wrong
// call gets a diagnostic rather than an Embind type error.
function needString(value, what) {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}
function needInt(value, what) {
  if (!Number.isInteger(value)) throw new TypeError(`${what} must be an integer`);
  return value;
}
function needFloat64(value, what) {
  if (!(value instanceof Float64Array)) throw new TypeError(`${what} must be a Float64Array`);
  return value;
}

const methods = {
  async init(args) {
    loadOptions = { ...loadOptions, ...(args || {}) };
    const { module } = await engine();
    return { version: module.version(), targets: module.targets() };
  },

  async compile({ source, options }) {
    const { session } = await engine();
    const opts = options || {};
    const params = Object.entries(opts.params || {}).map(([name, value]) => [String(name), String(value)]);
    const result = session.compile(needString(source, 'source'), {
      target: opts.target === undefined ? 'dag' : String(opts.target),
      activations: opts.activations === undefined ? 'paper' : String(opts.activations),
      linearChains: opts.linearChains === undefined ? 'keep' : String(opts.linearChains),
      // Passed as it is: the module answers anything but a whole number with
      // a message, where Number() here would quietly turn '' or null into 0.
      maxLength: opts.maxLength,
      filename: opts.filename === undefined ? '<input>' : String(opts.filename),
      params,
    });
    if (result.ok && result.model_id > highestModelId) highestModelId = result.model_id;
    return result;
  },

  async run({ modelId, data, steps, dim, precision, trace }) {
    const { session } = await engine();
    return session.run(needInt(modelId, 'modelId'), needFloat64(data, 'tokens'), needInt(steps, 'steps'),
                       needInt(dim, 'dim'), precision === undefined ? 'f64' : String(precision), !!trace);
  },

  // Many prompts through one model: data holds every prompt's tokens in
  // order, lengths each prompt's step count. Answers { ok, diagnostics,
  // outputs: { rows, dim, data } (every prompt's, in order), lengths, texts,
  // fidelities, run_ms }; the client cuts the outputs into prompts.
  async runBatch({ modelId, data, lengths, dim, precision, compareWithProgram }) {
    const { session } = await engine();
    if (!Array.isArray(lengths) || !lengths.every(Number.isInteger)) throw new TypeError('lengths must be an array of integers');
    return session.runBatch(needInt(modelId, 'modelId'), needFloat64(data, 'tokens'), lengths, needInt(dim, 'dim'),
                            precision === undefined ? 'f64' : String(precision), compareWithProgram !== false);
  },

  async parseTokens({ text, inputDim }) {
    const { module } = await engine();
    return module.parseTokens(needString(text, 'text'), needInt(inputDim, 'inputDim'));
  },

  async parseCsv({ text, inputDim }) {
    const { module } = await engine();
    return module.parseCsv(needString(text, 'text'), needInt(inputDim, 'inputDim'));
  },

  async encodeText({ text, modelId }) {
    const { session } = await engine();
    return session.encodeText(needString(text, 'text'), needInt(modelId, 'modelId'));
  },

  async continuousPrompt({ fnText, dIn, cells, query }) {
    const { module } = await engine();
    const q = Array.from(query || [], Number);
    return module.continuousPrompt(needString(fnText, 'fnText'), needInt(dIn, 'dIn'), needInt(cells, 'cells'), q);
  },

  async dictionaryPrompt({ query, pairs, vocab }) {
    const { module } = await engine();
    if (!Array.isArray(pairs)) throw new TypeError('pairs must be an array of [key, value]');
    const table = pairs.map((pair) => [String(pair[0]), String(pair[1])]);
    return module.dictionaryPrompt(needString(query, 'query'), table, needString(vocab, 'vocab'));
  },

  async evaluateFunction({ fnText, dIn, data, count }) {
    const { module } = await engine();
    return module.evaluateFunction(needString(fnText, 'fnText'), needInt(dIn, 'dIn'), needFloat64(data, 'points'),
                                   needInt(count, 'count'));
  },

  // The noise lab (docs/api.md): options as compile's plus forms, sigmas,
  // trials, seed and the prompt ({ kind: 'dictionary', pairs } or
  // { kind: 'continuous', function, cells, query }).
  async noiseSweep({ source, options }) {
    const { module } = await engine();
    const opts = options || {};
    const params = Object.entries(opts.params || {}).map(([name, value]) => [String(name), String(value)]);
    return module.noiseSweep(needString(source, 'source'), { ...opts, params });
  },

  // The exercises view: every check of an exercise file's text, graded by
  // the core's rules (as lsrlc grade grades them).
  async gradeProgram({ source, exercise, filename }) {
    const { module } = await engine();
    return module.gradeProgram(needString(source, 'source'), needString(exercise, 'exercise'),
                               filename === undefined ? 'exercise.lsrl' : String(filename));
  },

  async exportModel({ modelId, format }) {
    const { session } = await engine();
    return session.exportModel(needInt(modelId, 'modelId'), needString(format, 'format'));
  },

  async release({ modelId }) {
    const { session } = await engine();
    return { ok: true, diagnostics: [], released: session.release(needInt(modelId, 'modelId')) };
  },

  // A test hook (tests/web/page-memory.test.mjs): takes the module's free
  // memory, growing it to its ceiling, until less than `leaveBytes` is left,
  // so the next operation that needs more runs out of memory for real.
  async testExhaustMemory({ leaveBytes = 1 << 20 }) {
    const { module } = await engine();
    let taken = 0;
    for (let chunk = 256 << 20; chunk >= leaveBytes; chunk >>= 1) {
      while (module._malloc(chunk)) taken += chunk;
    }
    return { ok: true, diagnostics: [], taken, heapBytes: module.HEAP8.buffer.byteLength };
  },
};

// A module that ran out of memory (a std::bad_alloc turned into a message)
// keeps the memory it grew to, and one that trapped is unusable: either way
// this worker is done. The client terminates it, which frees the memory, and
// starts a fresh one.
function outOfMemory(result) {
  return !!(result && result.ok === false && (result.diagnostics || []).some((d) => /out of memory/i.test(String(d.message))));
}

// Buffers worth moving rather than copying back to the page: every number
// array of a result crosses once, as the Float64Array the module made; the
// client gives it its shape.
function transferables(result) {
  const list = [];
  for (const key of ['outputs', 'tokens', 'values']) {
    if (result && result[key] && result[key].data && result[key].data.buffer) list.push(result[key].data.buffer);
  }
  if (result && result.trace && Array.isArray(result.trace.series)) {
    for (const s of result.trace.series) if (s.values && s.values.buffer) list.push(s.values.buffer);
  }
  for (const graded of Array.isArray(result?.results) ? result.results : []) {
    if (graded.outputs && graded.outputs.data) list.push(graded.outputs.data.buffer);
  }
  if (result && result.bytes && result.bytes.buffer) list.push(result.bytes.buffer);
  return list;
}

self.onmessage = async (event) => {
  const { id, method, args } = event.data || {};
  const handler = Object.prototype.hasOwnProperty.call(methods, method) ? methods[method] : null;
  if (!handler) {
    self.postMessage({ id, result: failure(`unknown method '${method}'`) });
    return;
  }
  let result;
  let restart = false;
  try {
    result = await handler(args || {});
    restart = outOfMemory(result);
  } catch (error) {
    if (error instanceof TypeError || (error && error.name === 'BindingError')) {
      result = failure(`${method}: ${error.message}`);
    } else if (method === 'init') {
      // The module could not be loaded: nothing else can work.
      modulePromise = null;
      self.postMessage({ id, error: { message: `could not load the LSRL engine: ${error && error.message ? error.message : error}` } });
      return;
    } else {
      // A trap inside the module (out of memory, a bug) leaves it unusable:
      // the client replaces this worker; the models compiled so far are gone.
      modulePromise = null;
      restart = true;
      const detail = error && error.message ? error.message : String(error);
      result = failure(`${method}: the engine stopped (${detail})`);
    }
  }
  if (restart) modulePromise = null;
  try {
    self.postMessage({ id, result, restart }, transferables(result));
  } catch (error) {
    self.postMessage({ id, result: failure(`${method}: could not send the result (${error.message})`) });
  }
};
