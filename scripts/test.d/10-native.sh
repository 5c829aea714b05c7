#!/usr/bin/env bash
# Native Release build of everything (lsrl_core, lsrlc, benchmarks, lsrl_tests)
# and the whole GoogleTest suite through ctest. ctest's closing summary line
# ("100% tests passed, 0 tests failed out of N") is what CI reads.
# LSRL_NATIVE_BUILD overrides the build directory (default: build).
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir="${LSRL_NATIVE_BUILD:-build}"
jobs="${LSRL_JOBS:-2}"

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLSRL_BUILD_TESTS=ON >/dev/null
cmake --build "$build_dir" -j "$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout 300
