#!/usr/bin/env bash
# The README's screenshots of a big model: discrete_ua (the paper's
# dictionary lookup) compiled for lstm, at a desktop and a phone width,
# written to docs/. Needs build/site (bash scripts/build-site.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
node tests/web/screenshot.mjs --example discrete_ua --target lstm --width 1400 --height 900 \
  --out docs/screenshot-discrete-ua-lstm-1400.png
node tests/web/screenshot.mjs --example discrete_ua --target lstm --width 390 --height 844 \
  --out docs/screenshot-discrete-ua-lstm-390.png
