#!/usr/bin/env bash
# Coverage-guided fuzzing (clang's libFuzzer, with ASan and UBSan) of every
# entry point that takes a stranger's text: fuzz_build (source -> program),
# fuzz_compile (source -> model on every target, then a run), fuzz_run (a
# compiled example + an arbitrary prompt, every precision), fuzz_exercise (an
# exercise file's text -> parsed and graded checks). Each target runs
# for LSRL_FUZZ_SECONDS (default 45, libFuzzer seed 1 so a run is repeatable) from the checked-in seeds (examples/,
# tests/corpus/, fuzz/regressions/) with a per-input timeout and a memory cap:
# a slow or memory-hungry input is a finding like a crash. Every file in
# fuzz/regressions/<target>/ is replayed first: what a fuzzer once found stays
# fixed. Findings are written to test-artifacts/fuzz/.
#   bash scripts/fuzz.sh     (the test command's stage 25-fuzz.sh runs it)
#   LSRL_FUZZ_SECONDS=600 bash scripts/fuzz.sh     (10 minutes per target, in turn)
#   LSRL_FUZZ_SECONDS=600 LSRL_FUZZ_TARGETS=compile bash scripts/fuzz.sh   (one target)
# LSRL_FUZZ_BUILD overrides the build directory (default: build-fuzz);
# LSRL_FUZZ_TARGETS the targets to run (default: build compile run exercise).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${LSRL_FUZZ_BUILD:-build-fuzz}"
jobs="${LSRL_JOBS:-2}"
seconds="${LSRL_FUZZ_SECONDS:-45}"
# Per-input limits: a program that keeps the compiler busy this long, or this
# much memory, is a bug (docs/reliability.md).
timeout_s="${LSRL_FUZZ_TIMEOUT:-20}"
rss_mb="${LSRL_FUZZ_RSS_MB:-2048}"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DLSRL_FUZZ=ON -DLSRL_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j "$jobs" --target fuzz_build fuzz_compile fuzz_run fuzz_exercise

artifacts="$PWD/test-artifacts/fuzz"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"

# Seeds. fuzz_compile reads two selector bytes (target, options) before the
# source; fuzz_run three (example, target, prompt kind + precision + trace).
shopt -s nullglob
sources=(examples/*.lsrl tests/corpus/*.lsrl tests/corpus/*/*.lsrl tests/programs/*/*.lsrl)
mkdir -p "$work/build" "$work/compile" "$work/run" "$work/exercise"
cp exercises/*.json "$work/exercise/"
i=0
for file in "${sources[@]}"; do
  i=$((i + 1))
  cp "$file" "$work/build/seed_$i.lsrl"
  for target in 0 1 2 3 4 5 6 7 8 9; do
    { printf "\\x$(printf %02x "$target")\\x$(printf %02x $((i % 4)))"; cat "$file"; } > "$work/compile/seed_${i}_$target"
  done
done
for example in 0 1 2 3 4; do
  for target in 0 1 2 3 4; do
    for kind in 0 1 2 3 4 5 9 10 11; do
      { printf "\\x$(printf %02x "$example")\\x$(printf %02x "$target")\\x$(printf %02x "$kind")"
        printf '1 0 1 1;0,0 CAN?OTT 0.5\n1e308\n'; } \
        > "$work/run/seed_${example}_${target}_$kind"
    done
  done
done

status=0
for name in ${LSRL_FUZZ_TARGETS:-build compile run exercise}; do
  case "$name" in
    build | compile | run | exercise) ;;
    *) echo "fuzz.sh: unknown target '$name' in LSRL_FUZZ_TARGETS (build, compile, run or exercise)"; exit 2 ;;
  esac
  binary="$build_dir/fuzz_$name"
  regressions="fuzz/regressions/$name"
  # 1. Replay every kept finding.
  kept=("$regressions"/*)
  if [ "${#kept[@]}" -gt 0 ]; then
    "$binary" -timeout="$timeout_s" -rss_limit_mb="$rss_mb" "${kept[@]}" >"$work/replay_$name.log" 2>&1 || {
      echo "fuzz_$name: a kept regression input fails again"; tail -40 "$work/replay_$name.log"; status=1; }
  fi
  # 2. A bounded fuzzing run from the seeds.
  if ! "$binary" "$work/$name" -seed=1 -dict=fuzz/lsrl.dict -max_total_time="$seconds" -timeout="$timeout_s" \
       -rss_limit_mb="$rss_mb" -max_len=4096 -print_final_stats=1 -artifact_prefix="$artifacts/${name}_" \
       >"$work/fuzz_$name.log" 2>&1; then
    echo "fuzz_$name: finding (kept in $artifacts):"
    grep -E "ERROR|SUMMARY|Test unit written|timeout|out-of-memory" "$work/fuzz_$name.log" | head -20
    tail -60 "$work/fuzz_$name.log"
    status=1
  fi
  runs=$(grep -Eo "stat::number_of_executed_units: *[0-9]+" "$work/fuzz_$name.log" | grep -Eo "[0-9]+$" || echo "?")
  cov=$(grep -Eo "cov: [0-9]+" "$work/fuzz_$name.log" | tail -1 || echo "cov: ?")
  echo "fuzz_$name: $runs inputs in ${seconds} s, $cov edges"
done
exit $status
