#!/usr/bin/env bash
# The whole native suite under AddressSanitizer and UndefinedBehaviorSanitizer:
# a build with -DLSRL_SANITIZE=ON at -O1 -g1 with assertions on (Eigen's index
# checks are part of what we want to hit; -O1 and line-only debug info keep
# the build and the run fast on 2 cores), then
#   1. every test of lsrl_tests through ctest, as the native stage runs them
#      (its closing line counts the same tests), with the CLI and hostile
#      tests driving the sanitized lsrlc. The property suites draw a fifth of
#      their random programs, prompts and dictionaries (LSRL_TEST_SCALE=0.2,
#      tests/core/test_scale.hpp): the same code paths, in the time budget
#      (docs/reliability.md records the measured time);
#   2. the sanitized lsrlc directly on every file of tests/corpus/ and every
#      example, with hostile inputs: any sanitizer report, crash or exit status
#      other than 0/1 fails the stage.
# LSRL_ASAN_BUILD overrides the build directory (default: build-asan);
# LSRL_TEST_SCALE the property suites' scale (1 runs them at full size).
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir="${LSRL_ASAN_BUILD:-build-asan}"
jobs="${LSRL_JOBS:-2}"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
      -DLSRL_SANITIZE=ON -DLSRL_BUILD_TESTS=ON >/dev/null
cmake --build "$build_dir" -j "$jobs" --target lsrlc lsrl_tests

# 1. The whole suite. ctest runs each test in a process of its own, two at
# a time; a sanitizer report aborts that process and fails its test.
LSRL_TEST_SCALE="${LSRL_TEST_SCALE:-0.2}" ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout 900

# 2. lsrlc on every corpus file and example, directly.
lsrlc="$build_dir/lsrlc"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
failures=0
count=0
# Runs lsrlc with the given arguments; status 0 or 1 and no sanitizer report
# is a pass (1 is the contract's "error reported"), anything else a failure.
probe() {
  count=$((count + 1))
  local status=0
  "$lsrlc" "$@" >/dev/null 2>"$log" </dev/null || status=$?
  if { [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; } || grep -q -E "ERROR: AddressSanitizer|runtime error:|LeakSanitizer" "$log"; then
    echo "FAIL (status $status): lsrlc $*"
    head -40 "$log"
    failures=$((failures + 1))
  fi
}

shopt -s nullglob
for file in tests/corpus/*.lsrl tests/corpus/*/*.lsrl examples/*.lsrl; do
  probe check "$file"
  probe compile "$file" --target gated-linear-rnn --json
  probe compile "$file" --target linear-rnn
  probe run "$file" --input "1 0 1"
  probe run "$file" --input "0.5,0.25,1,0 1,1e308,-1e308,0"
  probe run "$file" --input ",,; ;x,1e999"
  probe run "$file" --text "CAN?é€"
  probe run "$file" --trace --precision f16 --input "1 1 0 0 1"
done
probe run examples/discrete_ua.lsrl --target gated-linear-rnn --dict examples/data/country_capitals.csv --query CAN --trace
probe run examples/discrete_ua.lsrl --dict examples/data/country_capitals.csv --query "C"
probe run examples/continuous_ua.lsrl --prompt-fn "sin(3*x1)*x2" --cells 6 --query 0.3,0.7 --target gated-linear-rnn
probe run examples/continuous_ua.lsrl --prompt-fn "((((x1" --cells 6 --query 0.3,0.7
probe run examples/continuous_ua.lsrl --prompt-fn "1/x1" --cells 3 --query 2,-1
echo "sanitized lsrlc: $count runs, $failures failures"
[ "$failures" -eq 0 ]
