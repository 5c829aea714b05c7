#!/usr/bin/env bash
# PyTorch checks of exported weights (tests/python/): the safetensors files
# `lsrlc export` writes for every target, read back by an independent parser
# and loaded through the generated loader (torch.nn.RNN / GRU / LSTM, and the
# gated, linear, Hawk/Griffin and Mamba modules written in it; float64, CPU),
# must compute what `lsrlc run` computes (docs/targets.md section 8 states the
# tolerances). Needs the native build (10-native.sh) and Debian's
# python3-torch; uses /usr/bin/python3 so no virtualenv shadows it.
# LSRL_JOBS lsrlc processes run at a time (default 2).
# LSRL_NATIVE_BUILD overrides the build directory (default: build).
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir="${LSRL_NATIVE_BUILD:-build}"
if [ ! -x "$build_dir/lsrlc" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" -j "${LSRL_JOBS:-2}" --target lsrlc
fi
LSRLC="$PWD/$build_dir/lsrlc" /usr/bin/python3 tests/python/test_torch_export.py
