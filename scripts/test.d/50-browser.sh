#!/usr/bin/env bash
# Browser tests: builds the site (native lsrlc, the wasm module, web/'s npm
# packages, the bundles) if needed, then drives the real page in headless
# Debian Chromium (tests/web/*.test.mjs, playwright-core, no browser
# download). Screenshots go to test-artifacts/web/.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x /usr/bin/chromium ]; then
  echo "50-browser: /usr/bin/chromium is missing: install Debian's chromium (scripts/install-deps.sh does)" >&2
  exit 1
fi
if [ ! -d web/node_modules/playwright-core ] || [ ! -d web/node_modules/@codemirror/view ]; then
  (cd web && npm install --no-audit --no-fund --loglevel=error)
fi
# build-site.sh only redoes what changed, so running it always keeps the site
# in step with the sources.
bash scripts/build-site.sh
mkdir -p test-artifacts/web
node --test --test-concurrency=1 tests/web/
