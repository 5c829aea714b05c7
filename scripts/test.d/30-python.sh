#!/usr/bin/env bash
# PyTorch checks of exported weights (tests/python/): the safetensors files
# `lsrlc export` writes, loaded through the generated loader into
# torch.nn.RNN / GRU / LSTM (float64, CPU), must compute what `lsrlc run`
# computes (1e-9 relative). Needs the native build (10-native.sh) and Debian's
# python3-torch; uses /usr/bin/python3 so no virtualenv shadows it.
# LSRL_NATIVE_BUILD overrides the build directory (default: build).
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir="${LSRL_NATIVE_BUILD:-build}"
if [ ! -x "$build_dir/lsrlc" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" -j "${LSRL_JOBS:-2}" --target lsrlc
fi
LSRLC="$PWD/$build_dir/lsrlc" /usr/bin/python3 tests/python/test_torch_export.py
