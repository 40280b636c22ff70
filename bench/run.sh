#!/usr/bin/env bash
# run.sh BUILD_DIR: runs every benchmark and prints its figures.
# docs/benchmarks.md records them with the machine they came from.
set -uo pipefail
build=${1:-build}
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo; echo "== $(basename "$b")"
  "$b" || echo "$(basename "$b") FAILED (exit $?)"
done

echo; echo "== idle_cpu.sh (live, through a private PulseAudio)"
bash "$(dirname "$0")/idle_cpu.sh" "$build" 60 || echo "idle_cpu.sh FAILED (exit $?)"
