#!/usr/bin/env bash
# test_eval_ci.sh: the CI subset of the end-to-end evaluation (eval/ci.sh):
# ~32 synthetic clips through the real binary; fails on an accuracy
# regression (wake detection, command success, WER, false wakes) or on any
# crash, hang or unexpected exit code.
set -euo pipefail
: "${WZ_SOURCE_DIR:?}" "${WZ_BUILD_DIR:?}"
export WYZER=${WYZER:-$WZ_BUILD_DIR/wyzer}
exec bash "$WZ_SOURCE_DIR/eval/ci.sh" "$WZ_BUILD_DIR"
