#!/bin/bash
# echo_live_runs.sh: the live echo reference, run after run, for comparing
# builds (docs/audio.md, Known problems; docs/benchmarks.md, "Live echo
# reference"). Starts a private PulseAudio server (tests/pulse_env.sh), makes
# the loudspeaker's monitor the microphone, and runs
# tests/tools/wz_audio_probe echo N times for each build directory given,
# alternating between them, optionally beside busy loops. Prints one line per
# run: ERLE of the default canceller, the lowest 500 ms window correlation
# (below 0.97: the echo path most likely stepped during the run; see
# docs/benchmarks.md), underruns, resyncs.
#
#   bench/echo_live_runs.sh [--runs N] [--burn K] BUILD_DIR [BUILD_DIR...]
#
# Keeps each run's mic.wav/ref.wav under $WZ_ECHO_OUT (default: a temporary
# directory, removed at exit).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
runs=12 burn=0
while [ $# -gt 0 ]; do
    case "$1" in
    --runs) runs=$2; shift 2 ;;
    --burn) burn=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || { echo "usage: $0 [--runs N] [--burn K] BUILD_DIR [BUILD_DIR...]" >&2; exit 2; }
for b in "$@"; do
    [ -x "$b/tests/tools/wz_audio_probe" ] || { echo "$0: no $b/tests/tools/wz_audio_probe (build it first)" >&2; exit 2; }
done
command -v flite >/dev/null && command -v sox >/dev/null || { echo "$0: needs flite and sox (scripts/install-deps.sh)" >&2; exit 2; }
export WZ_SOURCE_DIR=$here WZ_BUILD_DIR=$1
source "$here/tests/pulse_env.sh"
pulse_env_start
out=${WZ_ECHO_OUT:-$PULSE_DIR/runs}
mkdir -p "$out"
burners=()
stop_burners() { [ ${#burners[@]} -gt 0 ] && kill "${burners[@]}" 2>/dev/null; burners=(); }
trap 'stop_burners; pulse_env_cleanup' EXIT
for _ in $(seq 1 "$burn"); do
    sh -c 'while :; do :; done' &
    burners+=($!)
done
pulse_echo_reply "$out" # the reply test_echo_live.sh plays
export PULSE_SOURCE=spk.monitor
get() { grep "^$1=" "$2" | head -n1 | cut -d= -f2; }
for i in $(seq 1 "$runs"); do
    k=0
    for b in "$@"; do
        k=$((k + 1))
        d="$out/b$k-r$i"
        mkdir -p "$d"
        "$b/tests/tools/wz_audio_probe" echo "$out/reply.wav" 10000 500 "$d" > "$d/echo.txt" 2> "$d/err.txt"
        printf 'build %d run %2d: erle_db %5s  win_corr_min %s  underruns %s  ref_resyncs %s\n' "$k" "$i" \
            "$(get erle_db "$d/echo.txt")" "$(get win_corr_min "$d/echo.txt")" \
            "$(get underruns "$d/echo.txt")" "$(get ref_resyncs "$d/echo.txt")"
    done
done
