#!/usr/bin/env bash
# run.sh BUILD_DIR SECONDS: runs every libFuzzer target for SECONDS each,
# starting from fuzz/corpus/<name without fuzz_> when it exists. A crash,
# leak or sanitizer report fails the run.
set -euo pipefail
build=$1; secs=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for bin in "$build"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin"); short=${name#fuzz_}
  work=$(mktemp -d); seeds=()
  [ -d "$here/corpus/$short" ] && seeds+=("$here/corpus/$short")
  printf '%-28s ' "$name"
  if "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$work/" "$work" "${seeds[@]}" > "$work/log" 2>&1; then
    echo "ok ($(grep -Eo '#[0-9]+' "$work/log" | tail -1 | tr -d '#') runs in ${secs}s)"
  else
    echo "FAILED"; tail -40 "$work/log"; status=1
  fi
  rm -rf "$work"
done
exit $status
