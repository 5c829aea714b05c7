#!/usr/bin/env bash
# Mutation testing of the core: deliberate faults, applied to core/ one at a
# time, each followed by an incremental build of lsrl_tests and a run of the
# native tests that should notice it. Prints one line per mutant (caught or
# not, and by which test) and a Markdown table at the end (docs/testing.md
# holds the last measured one).
#
#   bash scripts/mutants.sh [BUILD_DIR] [MUTANT_ID ...]
#
# BUILD_DIR (default build) must be a configured native build with
# LSRL_BUILD_TESTS=ON (scripts/test.sh makes one). With MUTANT_IDs only those
# run. Not part of scripts/test.sh: every mutant rebuilds the core file it
# touches and relinks the test binary.
#
# The script edits files under core/ in this checkout and always puts them
# back (git checkout -- core/ on exit, on Ctrl-C and on error); it refuses to
# start when core/ has uncommitted changes, so that nothing of yours is lost.
# Do not commit while it runs.
#
# Each mutant names the tests it runs (a --gtest_filter): the suites whose
# claim the fault breaks, not the whole suite, so that the run takes minutes,
# not hours. The property suites run at LSRL_TEST_SCALE=0.25 and the generated
# programs at LSRL_GEN_COUNT=150 (their default seeds). Every test of the
# selection runs (no fail-fast), so the table names each test that failed.
# Before the mutants, every filter is run
# once on the unmodified core and must pass, so a caught mutant is the fault's
# doing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
[ $# -gt 0 ] && shift
case "$build" in /*) ;; *) build="$root/$build" ;; esac
if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
  echo "mutants.sh: $build is not a configured build directory (run scripts/test.sh 10 first)" >&2
  exit 2
fi
cd "$root"
if [ -n "$(git status --porcelain -- core)" ]; then
  echo "mutants.sh: core/ has uncommitted changes; commit or stash them first" >&2
  exit 2
fi
restore() { git checkout -q -- core; }
trap restore EXIT
trap 'restore; exit 130' INT TERM

export LSRL_MUTANT_BUILD="$build"
export LSRL_MUTANT_JOBS="${LSRL_MUTANT_JOBS:-2}"
python3 - "$@" <<'PY'
import os
import re
import subprocess
import sys
import time

ROOT = os.getcwd()
BUILD = os.environ["LSRL_MUTANT_BUILD"]
JOBS = os.environ["LSRL_MUTANT_JOBS"]
TIMEOUT = 1200  # seconds per test run; a hang counts as caught, and says so

# Test selections (gtest filters), by the part of the core a fault is in.
COMPILER = ("CompileRules.*:CompileProperty.*:CompileOptimize.*:Examples.*:RegressionPrograms.*:"
            "GeneratedPrograms.EveryTargetMatchesTheDag")
LINEAR = "LinearRnn.*:RuntimeKernels/*:RuntimeScalar.*:CompileRules.*:CompileProperty.*:Examples.*"
CELLS = ("TargetsRnn.*:TargetsGatedRnn.*:Cells/TargetsCells.*:TargetsGru.*:TargetsProgramCorpus.*:"
         "Targets/TargetsOnExamples.PaperModeMatchesTheProgramOnEveryExample/*")
CELLS_STANDARD = (CELLS + ":Targets/TargetsOnExamples.DiscreteUaStandardActivationsAnswerAllQueries/lstm:"
                  "Targets/TargetsOnExamples.DiscreteUaStandardActivationsAnswerAllQueries/gru")
STREAM = ("Stream/TargetsStream.*:TargetsHawk.*:TargetsMamba.*:TargetsGriffin.*:TargetsStreamErrors.*:"
          "TargetsProgramCorpus.*:Targets/TargetsOnExamples.PaperModeMatchesTheProgramOnEveryExample/*")
RANGES = "RangeAnalysis.*:TargetsGru.*:TargetsProgramCorpus.*:FixedWeights.PromptsOutsideTheDomainOrLongerThanTAreRefusedBeforeRunning"

# (id, file, text to replace (must occur exactly once), replacement, the fault, tests)
MUTANTS = [
    # --- the kernels of every executor (core/runtime/kernels.cpp, activations.hpp) ---
    ("dense-sign", "core/runtime/kernels.cpp",
     "for (int k = 0; k < kBlock; ++k) acc[k] = acc[k] + column[k] * xc;",
     "for (int k = 0; k < kBlock; ++k) acc[k] = acc[k] - column[k] * xc;",
     "dense kernel subtracts its terms (a sign in a kernel)", LINEAR),
    ("sparse-bias-dropped", "core/runtime/kernels.hpp",
     "y[r] = csr_row_terms(m, r, start[r], x);", "y[r] = csr_row_terms(m, r, T{}, x);",
     "compressed-row kernel drops the bias (and the accumulated start)", LINEAR),
    ("relu-wrong-half", "core/runtime/activations.hpp",
     "y[i] = x[i] > zero ? x[i] : zero;", "y[i] = x[i] < zero ? x[i] : zero;",
     "ReLU keeps the negative part", LINEAR),
    ("multi-square", "core/runtime/activations.hpp",
     "y[i] = x[i] * x[i + half];", "y[i] = x[i] * x[i];",
     "Multi multiplies the first half by itself (gate halves mixed up)", LINEAR),
    ("skip-negative-inputs", "core/runtime/kernels.cpp",
     "if (xc == zero) continue;", "if (xc < zero) continue;",
     "dense kernel skips negative inputs instead of zeros", LINEAR),
    ("nan-in-last-column", "core/targets/linear_rnn.cpp",
     "for (std::size_t i = 0; i < row.size(); ++i) row[i] = from_scalar((*x)[i]);",
     "for (std::size_t i = 0; i < row.size(); ++i) row[i] = i > 0 && i + 1 == row.size() ? std::nan(\"\") : from_scalar((*x)[i]);",
     "linear RNNs output NaN in the last of several columns", LINEAR),
    # --- the compiler's rewrites (core/compile/) ---
    ("fuse-rounds-differently", "core/compile/fuse_linear_linear.cpp",
     "if (!composition_rounds_alike(A2, b2, A1, b1)) return false;", "",
     "Linear chains fused even where the fused weights round differently (a weight's last bit)", COMPILER),
    ("fuse-bias-dropped", "core/compile/fuse_linear_linear.cpp",
     "n.b = add(multiply(A2, b1), b2);", "n.b = b2;",
     "fusing two Linears drops the first one's bias", COMPILER),
    ("memoryless-with-memory", "core/compile/opt_memoryless_layers.cpp",
     "if (s.kind != StageKind::State || s.A.nonZeros() != 0) continue;", "if (s.kind != StageKind::State) continue;",
     "a layer whose state has memory (A != 0) is merged as memoryless (the condition fails)", COMPILER),
    ("case1b-ones-dropped", "core/compile/case_1_multi.cpp",
     "for (int j = 0; j < d; ++j) bias[2 * h + d + j] = Num(1);                // ... times one",
     "for (int j = 1; j < d; ++j) bias[2 * h + d + j] = Num(1);                // ... times one",
     "case 1B carries its first bypassed unit times 0 instead of 1", COMPILER),
    ("case2-init-dropped", "core/compile/case_2_fuse_states.cpp",
     "stack_vectors(biases), stack_vectors(inits), prov);",
     "stack_vectors(biases), stack_vectors(biases), prov);",
     "case 2 fuses LinStates with their biases as initial states", COMPILER),
    ("case7b-constant-condition", "core/compile/case_7_linear_relu.cpp",
     "if (is_constant_node(g.node(u))) {", "if (true) {",
     "case 7B relinks a varying Linear to the ReLU as if it were constant (its condition fails)", COMPILER),
    ("case6-bypass-remembers", "core/compile/case_6_state_bypass.cpp",
     "w.A = NumSparse(w.dim, w.dim);", "w.A = sparse_identity(w.dim);",
     "case 6 turns a Linear reader into a LinState that accumulates (A = I instead of 0)", COMPILER),
    ("relu-identity-abs", "core/compile/bypasses.cpp",
     "const NumSparse neg = negate(eye);\n  return hstack",
     "const NumSparse neg = eye;\n  return hstack",
     "f_relu_identity reads back relu(v) + relu(-v), the absolute value, instead of v", COMPILER),
    ("constant-units-no-fixed-point", "core/compile/opt_constant_units.cpp",
     "if (!step(i, s1, s2) || !(NumKey(s1[i]) == NumKey(s2))) {", "if (!step(i, s1, s2)) {",
     "a state whose value still changes after its first step is taken for a constant (the condition fails)", COMPILER),
    ("dead-units-ignore-recurrence", "core/compile/opt_dead_units.cpp",
     "if (s.kind == StageKind::State) {", "if (false) {",
     "dead-unit removal ignores what a state reads from itself", COMPILER),
    # --- the cell targets (rnn, gated-rnn, gru, lstm) ---
    ("cell-bias-dropped", "core/targets/cell_stack.cpp",
     "b_ih_[unit] += scale * pre.b[row] + shift;", "b_ih_[unit] += shift;",
     "cell gates drop the pre-activation's bias", CELLS),
    ("rnn-recurrence-sign", "core/targets/rnn.cpp",
     "for (std::size_t u = 0; u < pre.size(); ++u) L.s[u] = act_relu<T>(pre[u] + rec[u]);",
     "for (std::size_t u = 0; u < pre.size(); ++u) L.s[u] = act_relu<T>(pre[u] - rec[u]);",
     "gated RNN subtracts its recurrent term", CELLS),
    ("gru-update-order", "core/targets/gru.cpp",
     "L.h[u] = (L.h[u] - n[u]) * z[u] + n[u];", "L.h[u] = (n[u] - L.h[u]) * z[u] + n[u];",
     "GRU update with z's sign reversed", CELLS),
    ("gru-reset-ignored", "core/targets/gru.cpp",
     "n[u] = act.tanh(check(pre[u] + r[u] * rec[u]));", "n[u] = act.tanh(check(pre[u] + rec[u]));",
     "GRU candidate ignores the reset gate", CELLS),
    ("lstm-gates-swapped", "core/targets/lstm.cpp",
     "L.c[u] = gate[kF][u] * L.c[u] + gate[kI][u] * gate[kG][u];",
     "L.c[u] = gate[kI][u] * L.c[u] + gate[kF][u] * gate[kG][u];",
     "LSTM input and forget gates swapped", CELLS),
    ("lstm-standard-activation", "core/targets/lstm.cpp",
     "v[u] = g == kG ? act.tanh(pre[u] + rec[u]) : act.sigmoid(pre[u] + rec[u]);",
     "v[u] = g == kG ? act.sigmoid(pre[u] + rec[u]) : act.sigmoid(pre[u] + rec[u]);",
     "LSTM candidate uses sigmoid instead of tanh (a wrong activation in standard mode)", CELLS_STANDARD),
    ("lstm-saturation-inexact", "core/targets/lstm.cpp",
     "constexpr double kSaturate = kExactSaturation;", "constexpr double kSaturate = 20.0;",
     "LSTM saturates its gates at 20 (sigmoid 1 - 2e-9, not exactly 1)", CELLS_STANDARD),
    # --- the residual-stream targets (hawk, griffin, mamba) ---
    ("conv-window-short", "core/targets/stream_blocks.hpp",
     "if (history_.size() > width_) history_.pop_back();", "if (history_.size() >= width_) history_.pop_back();",
     "causal convolution keeps one token too few (off by one in its window)", STREAM),
    ("hawk-first-token", "core/targets/hawk.cpp",
     "if (position == 0) {", "if (position < 0) {",
     "RG-LRU never resets at the first token", STREAM),
    ("hawk-mlp-halves-swapped", "core/targets/hawk.cpp",
     "g[j] = gate_act<T>(g[j], paper) * v[j];", "g[j] = gate_act<T>(v[j], paper) * g[j];",
     "gated MLP activates the value half instead of the gate half", STREAM),
    ("hawk-lru-multiplier", "core/targets/hawk.cpp",
     "r.h[j] = a * r.h[j] + multiplier * (u[j] * gate_x);", "r.h[j] = a * r.h[j] + (u[j] * gate_x);",
     "RG-LRU drops its sqrt(1 - a^2) input factor", STREAM),
    ("mamba-gate-half", "core/targets/mamba.cpp",
     "y[e] = y[e] * mamba_act<T>(xz[E + e], paper);", "y[e] = y[e] * mamba_act<T>(xz[e], paper);",
     "Mamba gates its output with the x half of in_proj instead of z (halves swapped)", STREAM),
    ("mamba-half-decay", "core/targets/mamba.cpp",
     "std::exp(from_scalar(dt) * from_scalar(p.A[e]))", "std::exp(from_scalar(dt) * from_scalar(p.A[e]) / 2)",
     "Mamba discretises with exp(dt A / 2)", STREAM),
    # --- the static range analysis ---
    ("range-negative-weights", "core/targets/range_analysis.cpp",
     "return w > 0.0 ? Interval{w * lo, w * hi} : Interval{w * hi, w * lo};", "return Interval{w * lo, w * hi};",
     "interval times a negative weight keeps its ends in order (unsound bounds)", RANGES),
    ("range-half-length", "core/targets/range_analysis.cpp",
     "domain.max_length = std::max(1, options.max_sequence_length);",
     "domain.max_length = std::max(1, options.max_sequence_length / 2);",
     "bounds cover only half the declared maximum length", RANGES),
]


def build():
    r = subprocess.run(["cmake", "--build", BUILD, "--target", "lsrl_tests", "-j", JOBS],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode == 0, r.stdout


def run_tests(filter_):
    env = dict(os.environ)
    env.setdefault("LSRL_TEST_SCALE", "0.25")
    env.setdefault("LSRL_GEN_COUNT", "150")
    cmd = [os.path.join(BUILD, "lsrl_tests"), "--gtest_filter=" + filter_, "--gtest_brief=1"]
    start = time.time()
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                           timeout=TIMEOUT, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return False, ["(timed out after %d s)" % TIMEOUT], time.time() - start
    failed = []
    for line in r.stdout.splitlines():
        m = re.match(r"\[  FAILED  \] ([A-Za-z_][\w/]*\.[\w/]+)", line)
        if m and m.group(1) not in failed:
            failed.append(m.group(1))
    if r.returncode != 0 and not failed:
        failed.append("(test binary exited with status %d: %s)" % (r.returncode,
                      (r.stdout.strip().splitlines() or ["no output"])[-1][:120]))
    return r.returncode == 0, failed, time.time() - start


def apply(mutant):
    ident, path, old, new = mutant[0], mutant[1], mutant[2], mutant[3]
    full = os.path.join(ROOT, path)
    text = open(full).read()
    count = text.count(old)
    if count != 1:
        raise SystemExit("mutant %s: the text to replace occurs %d times in %s (the core changed: update the mutant)"
                         % (ident, count, path))
    open(full, "w").write(text.replace(old, new))


def restore(path):
    subprocess.run(["git", "checkout", "-q", "--", path], check=True, cwd=ROOT)


wanted = sys.argv[1:]
mutants = [m for m in MUTANTS if not wanted or m[0] in wanted]
unknown = set(wanted) - {m[0] for m in MUTANTS}
if unknown:
    raise SystemExit("unknown mutants: " + ", ".join(sorted(unknown)))
# Every replacement must still match the core before anything runs.
for m in mutants:
    n = open(os.path.join(ROOT, m[1])).read().count(m[2])
    if n != 1:
        raise SystemExit("mutant %s: the text to replace occurs %d times in %s" % (m[0], n, m[1]))

print("building the unmodified core", flush=True)
ok, log = build()
if not ok:
    print(log[-3000:])
    raise SystemExit("the unmodified core does not build")
for filter_ in sorted({m[5] for m in mutants}):
    passed, failed, seconds = run_tests(filter_)
    print("baseline %-60.60s %s (%.0f s)" % (filter_, "passes" if passed else "FAILS: " + ", ".join(failed), seconds),
          flush=True)
    if not passed:
        raise SystemExit("a test selection fails on the unmodified core; fix that first")

rows = []
for m in mutants:
    ident, path, description, filter_ = m[0], m[1], m[4], m[5]
    apply(m)
    try:
        built, log = build()
        if not built:
            # A mutant that does not compile tests nothing: a fault of the
            # script's, reported as not caught.
            caught, by, seconds = False, ["(the mutant does not compile: " + log.strip().splitlines()[-1][:100] + ")"], 0.0
        else:
            passed, failed, seconds = run_tests(filter_)
            caught, by = not passed, failed
    finally:
        restore(path)
    rows.append((ident, description, caught, by))
    print("%-30s %-9s %s (%.0f s)" % (ident, "caught" if caught else "NOT CAUGHT", ", ".join(by), seconds), flush=True)

print()
print("| mutant | fault | caught by |")
print("|---|---|---|")
for ident, description, caught, by in rows:
    print("| %s | %s | %s |" % (ident, description, ", ".join(by[:3]) + (" and %d more" % (len(by) - 3) if len(by) > 3 else "")
                              if caught else "**not caught**"))
missed = [r[0] for r in rows if not r[2]]
print()
print("%d mutants, %d caught" % (len(rows), len(rows) - len(missed)))
# Rebuild the unmodified core, so the build directory matches the sources.
build()
sys.exit(1 if missed else 0)
PY
