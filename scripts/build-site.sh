#!/usr/bin/env bash
# Builds the static site into build/site/: the native lsrlc (build/), the
# WebAssembly module (build-wasm/, em++), the page's npm packages (web/) and
# the bundles (web/build.mjs). Safe to run again: each step only redoes what
# changed. Expects the tools of scripts/install-deps.sh.
#   --engine-only   stop after lsrlc and the wasm module (the Node tests' needs)
# LSRL_NATIVE_BUILD, LSRL_WASM_BUILD, LSRL_SITE_DIR move the three outputs
# (defaults: build, build-wasm, build/site).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${LSRL_JOBS:-2}"
native_build="${LSRL_NATIVE_BUILD:-build}"
wasm_build="${LSRL_WASM_BUILD:-build-wasm}"
site_dir="${LSRL_SITE_DIR:-build/site}"
# Debian's emscripten runs its JS optimizer with node and needs the system's
# node modules (acorn) on NODE_PATH.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"

configure() {  # configure DIR [cmake-wrapper]: keeps an existing build's generator
  local dir="$1"; shift
  if [ -f "$dir/CMakeCache.txt" ]; then
    "$@" cmake -S . -B "$dir" >/dev/null
  else
    "$@" cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
}

echo "build-site: native lsrlc ($native_build/)"
configure "$native_build"
cmake --build "$native_build" --target lsrlc -j "$jobs"

echo "build-site: WebAssembly module ($wasm_build/)"
configure "$wasm_build" emcmake
cmake --build "$wasm_build" --target lsrl_wasm -j "$jobs"

if [ "${1:-}" = "--engine-only" ]; then exit 0; fi

echo "build-site: npm packages (web/node_modules)"
(cd web && npm install --no-audit --no-fund --loglevel=error)

echo "build-site: bundles ($site_dir/)"
node web/build.mjs --out "$site_dir" --wasm-dir "$wasm_build" --examples examples
