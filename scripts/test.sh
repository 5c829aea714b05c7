#!/usr/bin/env bash
# Runs every test: installs what is missing, builds everything (native,
# sanitizers, wasm, site) and runs each stage in scripts/test.d/ in name order.
# Stops at the first failing stage and exits non-zero.
#   bash scripts/test.sh            all stages
#   bash scripts/test.sh 10 20      only the stages whose names start with 10 or 20
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
status=0
started=$(date +%s)
for stage in scripts/test.d/*.sh; do
  name="$(basename "$stage")"
  if [ $# -gt 0 ]; then
    wanted=0
    for prefix in "$@"; do
      case "$name" in "$prefix"*) wanted=1 ;; esac
    done
    [ "$wanted" -eq 1 ] || continue
  fi
  echo "=== $name ==="
  stage_start=$(date +%s)
  if ! bash "$stage"; then
    echo "=== FAILED: $name (after $(( $(date +%s) - stage_start )) s) ==="
    status=1
    break
  fi
  echo "=== passed: $name ($(( $(date +%s) - stage_start )) s) ==="
done
echo "=== total: $(( $(date +%s) - started )) s ==="
exit $status
