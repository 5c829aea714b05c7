// Builds the static site into one folder (default build/site/):
//   index.html, embed.html           the pages (web/*.html)
//   styles/                          web/styles/ as is (if the pages link it)
//   assets/main.js, assets/embed.js  the page code, bundled by esbuild (plus
//                                    shared chunks and any CSS they import)
//   assets/worker.js                 the Web Worker (web/src/worker.js)
//   assets/layout-worker.js          the graph layout worker (web/src/layout-worker.js)
//   assets/lsrl-client.js            LsrlClient on its own, for embedders
//   lsrl-playground.js               the <lsrl-playground> web component (one ES module)
//   lsrl.mjs, lsrl.wasm              the WebAssembly module from the em++ build
//   exercises/                       the graded exercises (exercises/*.json)
//   examples/                        docs/examples/ (the embedding example page)
//   examples.json                    every examples/NAME.lsrl with its companion
//                                    examples/NAME.example.json (or null)
//   build-info.json                  version, file sizes and the gzip total
//
// Usage: node web/build.mjs [--out DIR] [--wasm-dir DIR] [--examples DIR]
// Safe to run again: it replaces what it wrote before.

import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const repoDir = path.dirname(webDir);

function parseArgs(argv) {
  const options = {
    out: path.join(repoDir, 'build', 'site'),
    wasmDir: path.join(repoDir, 'build-wasm'),
    examples: path.join(repoDir, 'examples'),
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--out') options.out = path.resolve(value);
    else if (flag === '--wasm-dir') options.wasmDir = path.resolve(value);
    else if (flag === '--examples') options.examples = path.resolve(value);
    else throw new Error(`unknown argument ${flag}: use --out DIR, --wasm-dir DIR, --examples DIR`);
    i++;
  }
  return options;
}

function copyTree(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target);
    else if (entry.isFile()) fs.copyFileSync(source, target);
  }
}

// [{ name, source, companion }] sorted by name, with more_ones (the page's
// default) first.
function examplesManifest(dir) {
  if (!fs.existsSync(dir)) return [];
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.lsrl')).map((f) => f.slice(0, -'.lsrl'.length)).sort();
  names.sort((a, b) => (a === 'more_ones' ? -1 : b === 'more_ones' ? 1 : 0));
  return names.map((name) => {
    const source = fs.readFileSync(path.join(dir, `${name}.lsrl`), 'utf8');
    const companionPath = path.join(dir, `${name}.example.json`);
    let companion = null;
    if (fs.existsSync(companionPath)) {
      try {
        companion = JSON.parse(fs.readFileSync(companionPath, 'utf8'));
      } catch (error) {
        throw new Error(`${companionPath}: not valid JSON (${error.message})`, { cause: error });
      }
    }
    return { name, source, companion };
  });
}

function gzipSize(file) {
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const out = options.out;
  const assets = path.join(out, 'assets');
  fs.rmSync(assets, { recursive: true, force: true });
  fs.mkdirSync(assets, { recursive: true });

  // The module from the em++ build.
  for (const file of ['lsrl.mjs', 'lsrl.wasm']) {
    const source = path.join(options.wasmDir, file);
    if (!fs.existsSync(source)) throw new Error(`${source} is missing: build the wasm module first (scripts/build-site.sh does)`);
    fs.copyFileSync(source, path.join(out, file));
  }

  // The page code. The worker is its own bundle (a module worker); lsrl.mjs is
  // loaded by it at run time, not bundled.
  const common = {
    bundle: true,
    format: 'esm',
    minify: true,
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    logLevel: 'warning',
    legalComments: 'none',
  };
  const pageEntries = ['main', 'embed']
    .map((name) => path.join(webDir, 'src', `${name}.js`))
    .filter((entry) => {
      if (fs.existsSync(entry)) return true;
      console.warn(`build.mjs: warning: ${path.relative(repoDir, entry)} does not exist; its page will not work`);
      return false;
    });
  if (pageEntries.length > 0) {
    await build({
      ...common,
      entryPoints: pageEntries,
      outdir: assets,
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      loader: { '.css': 'css', '.svg': 'file', '.png': 'file', '.woff2': 'file' },
    });
  }
  // The worker, and the client as a module of its own for embedders.
  await build({
    ...common,
    entryPoints: ['worker', 'layout-worker', 'lsrl-client'].map((name) => path.join(webDir, 'src', `${name}.js`)),
    outdir: assets,
  });

  // The <lsrl-playground> web component: one self-contained module at the
  // site's root, so that its URL tells it where the engine is (docs/embedding.md).
  await build({
    ...common,
    entryPoints: [path.join(webDir, 'src', 'lsrl-playground.js')],
    outfile: path.join(out, 'lsrl-playground.js'),
    loader: { '.css': 'css', '.svg': 'file', '.png': 'file', '.woff2': 'file' },
  });

  // Pages and static files.
  for (const page of ['index.html', 'embed.html']) {
    const source = path.join(webDir, page);
    if (fs.existsSync(source)) fs.copyFileSync(source, path.join(out, page));
    else console.warn(`build.mjs: warning: web/${page} does not exist`);
  }
  for (const dir of ['styles', 'public']) {
    const source = path.join(webDir, dir);
    if (fs.existsSync(source)) copyTree(source, dir === 'public' ? out : path.join(out, dir));
  }

  // The graded exercises (scripts/make-exercises.mjs writes exercises/) and
  // the embedding example page (docs/examples/), as they are.
  for (const [from, to] of [[path.join(repoDir, 'exercises'), path.join(out, 'exercises')],
                            [path.join(repoDir, 'docs', 'examples'), path.join(out, 'examples')]]) {
    fs.rmSync(to, { recursive: true, force: true });
    if (fs.existsSync(from)) copyTree(from, to);
  }

  const examples = examplesManifest(options.examples);
  fs.writeFileSync(path.join(out, 'examples.json'), JSON.stringify(examples));

  // What a first visit downloads: the module, the worker, the page's JS.
  const loaded = ['lsrl.wasm', 'lsrl.mjs', 'assets/worker.js', 'assets/main.js']
    .concat(fs.existsSync(path.join(assets, 'chunks')) ? fs.readdirSync(path.join(assets, 'chunks')).filter((f) => f.endsWith('.js')).map((f) => `assets/chunks/${f}`) : [])
    .filter((file) => fs.existsSync(path.join(out, file)));
  const sizes = {};
  let gzipTotal = 0;
  for (const file of loaded) {
    const full = path.join(out, file);
    const gz = gzipSize(full);
    sizes[file] = { bytes: fs.statSync(full).size, gzip: gz };
    gzipTotal += gz;
  }
  const info = { builtAt: new Date().toISOString(), examples: examples.length, files: sizes, gzipTotal };
  fs.writeFileSync(path.join(out, 'build-info.json'), JSON.stringify(info, null, 2));
  console.log(`site built in ${path.relative(process.cwd(), out) || '.'}: ${examples.length} examples, ` +
              `wasm + JS loaded by the page: ${(gzipTotal / 1024).toFixed(0)} KiB gzipped`);
}

main().catch((error) => {
  console.error(`build.mjs: error: ${error.message}`);
  process.exit(1);
});
