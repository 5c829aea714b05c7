#!/usr/bin/env bash
# Coverage-guided fuzzing in the test command: builds the libFuzzer targets
# (clang++ -fsanitize=fuzzer,address,undefined) and runs each of fuzz_build,
# fuzz_compile and fuzz_run for a bounded time from the checked-in seeds and
# dictionary, after replaying every kept regression input (scripts/fuzz.sh
# does the work). A crash, a sanitizer report, an input slower than
# LSRL_FUZZ_TIMEOUT seconds or one above LSRL_FUZZ_RSS_MB fails the stage.
# 50 s per target keeps the stage near 3 minutes plus the build on 2 cores;
# LSRL_FUZZ_SECONDS overrides it (docs/reliability.md records longer runs).
set -euo pipefail
cd "$(dirname "$0")/../.."
export LSRL_FUZZ_SECONDS="${LSRL_FUZZ_SECONDS:-50}"
export LSRL_FUZZ_TIMEOUT="${LSRL_FUZZ_TIMEOUT:-10}"
export LSRL_FUZZ_RSS_MB="${LSRL_FUZZ_RSS_MB:-2048}"
bash scripts/fuzz.sh
