#!/usr/bin/env bash
# Style and lint, before anything is built: clang-format on the C++ (.clang-format,
# applied to every file once; a file it would change fails the stage) and ESLint on
# web/ (web/eslint.config.js).
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t cpp < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find core cli wasm bench fuzz tests -name '*.[ch]pp')
if ! clang-format --dry-run --Werror "${cpp[@]}" 2>/tmp/lsrl-clang-format.log; then
  grep -m 20 'error' /tmp/lsrl-clang-format.log >&2 || true
  echo "05-lint: clang-format would change the files above: run clang-format -i on them" >&2
  exit 1
fi
echo "05-lint: clang-format changes nothing in ${#cpp[@]} C++ files"
if [ ! -d web/node_modules/eslint ] || [ ! -d web/node_modules/@eslint/js ]; then
  (cd web && npm install --no-audit --no-fund --loglevel=error)
fi
(cd web && npx --no-install eslint --max-warnings 0 .)
echo "05-lint: ESLint found nothing in web/"
