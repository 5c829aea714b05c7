#!/usr/bin/env bash
# em++ build of the WebAssembly module (and the native lsrlc it is compared
# with), then the Node tests in tests/wasm/: every example's outputs against
# lsrlc's, structured errors, bad input, the worker + client protocol, and
# determinism: bit-identical outputs to lsrlc's on every example and generated
# program, target and precision, and the hostile corpus answered in time.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build-site.sh --engine-only
# The native program generator the determinism test compares on.
cmake --build "${LSRL_NATIVE_BUILD:-build}" --target lsrl_generate_programs -j "${LSRL_JOBS:-2}"
export LSRLC="$PWD/${LSRL_NATIVE_BUILD:-build}/lsrlc" LSRL_WASM_DIR="$PWD/${LSRL_WASM_BUILD:-build-wasm}"
node --test tests/wasm/*.test.mjs
