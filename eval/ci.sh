#!/usr/bin/env bash
# ci.sh [BUILD]: the short end-to-end eval for CI (docs/eval.md).
# Generates the --size ci corpus (24 positives, 8 x 20 s negatives, seed 1),
# runs every clip through BUILD/wyzer --fast (2 workers) and fails on a clear
# regression below the accuracy floors here.  No timing is checked.
#
# Floors come from measured runs of this exact corpus (docs/benchmarks.md,
# "End-to-end evaluation"), set a margin below them so run-to-run noise
# (thread timing in --fast mode) does not trip them; raise them when wyzer
# gets better.
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=${EVAL_CI_OUT:-$BUILD/eval/ci}
WYZER=${WYZER:-$BUILD/wyzer}

MIN_DETECTION=${MIN_DETECTION:-30}        # % of positives woken (measured 45.8, 11/24, at 0ceaedc;
                                          # 50.0, 12/24, with the 1e-30 default)
MIN_COMMAND=${MIN_COMMAND:-0}             # % right tool + args (measured 4.2, 1/24: too few clips to
                                          # guard; the full `make eval` measures it)
MAX_WER=${MAX_WER:-150}                   # % on woken positives (measured 107.3: noisy clips add
                                          # words, so WER can pass 100%)
MAX_FALSE_WAKES=${MAX_FALSE_WAKES:-2}     # in the 8 negative clips, 0.05 h (measured 0; 1 with 1e-30)
MAX_SELF_TRIGGERS=${MAX_SELF_TRIGGERS:-0} # every run has --echo 30:+6 (measured 0 in 14 replies)

python3 "$ROOT/eval/gen_corpus.py" --size ci --seed 1 --out "$OUT/corpus"
python3 "$ROOT/eval/run_eval.py" --corpus "$OUT/corpus" --wyzer "$WYZER" \
  --out "$OUT" --jobs 2 --det "" > "$OUT/summary.txt"
python3 - "$OUT/results.json" "$MIN_DETECTION" "$MIN_COMMAND" "$MAX_WER" "$MAX_FALSE_WAKES" \
  "$MAX_SELF_TRIGGERS" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["summary"]
min_det, min_cmd, max_wer, max_fw, max_st = (float(x) for x in sys.argv[2:7])
checks = [
    ("wake detection %", r["detection_rate"], ">=", min_det),
    ("command success %", r["command_success"], ">=", min_cmd),
    ("transcript WER %", r["wer"], "<=", max_wer),
    ("false wakes", r["false_wakes"], "<=", max_fw),
    ("self-triggers under --echo 30:+6", r["self_triggers"], "<=", max_st),
    ("broken runs (crash, hang, bad exit)", len(r["broken_runs"]), "<=", 0),
]
bad = 0
for name, v, op, lim in checks:
    ok = v >= lim if op == ">=" else v <= lim
    bad += not ok
    print("%-4s %-38s %8.2f %s %g" % ("ok" if ok else "FAIL", name, v, op, lim))
if r["broken_runs"]:
    print("broken:", " ".join(r["broken_runs"]))
sys.exit(1 if bad else 0)
PY
