#!/usr/bin/env bash
# em++ build of the WebAssembly module (and the native lsrlc it is compared
# with), then the Node tests in tests/wasm/: every example's outputs against
# lsrlc's, structured errors, bad input, and the worker + client protocol.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build-site.sh --engine-only
export LSRLC="$PWD/${LSRL_NATIVE_BUILD:-build}/lsrlc" LSRL_WASM_DIR="$PWD/${LSRL_WASM_BUILD:-build-wasm}"
node --test tests/wasm/*.test.mjs
