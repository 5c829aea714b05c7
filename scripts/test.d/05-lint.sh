#!/usr/bin/env bash
# Style and lint, before anything is built: ESLint on web/ (web/eslint.config.js).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d web/node_modules/eslint ] || [ ! -d web/node_modules/@eslint/js ]; then
  (cd web && npm install --no-audit --no-fund --loglevel=error)
fi
(cd web && npx --no-install eslint --max-warnings 0 .)
echo "05-lint: ESLint found nothing in web/"
