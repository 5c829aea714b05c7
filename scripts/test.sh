#!/usr/bin/env bash
# Runs every test: installs what is missing, builds everything (native,
# sanitizers, wasm, site) and runs each stage in scripts/test.d/ in order.
# Stops at the first failing stage and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
status=0
for stage in scripts/test.d/*.sh; do
  echo "=== $(basename "$stage") ==="
  if ! bash "$stage"; then
    echo "=== FAILED: $(basename "$stage") ==="
    status=1
    break
  fi
done
exit $status
