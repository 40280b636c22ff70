#!/usr/bin/env bash
# idle_cpu.sh BUILD_DIR [SECONDS]: CPU that Wyzer's processes use while they
# listen and nothing is said, through a real audio server: a private,
# headless PulseAudio (tests/pulse_env.sh) whose microphone is fed quiet
# room noise (pink, -55 dBFS) in real time, and `wyzer` (its default device)
# running live against it. Per process (main, core, brain): CPU seconds
# from /proc/PID/stat over the measured span, as % of one core, and then
# each process's resident memory (VmRSS, and its peak VmHWM) from
# /proc/PID/status. The first 10 s (start-up, model loading) are left out.
set -uo pipefail
build=$(cd "${1:-build}" && pwd)
secs=${2:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
export WZ_SOURCE_DIR=$src WZ_BUILD_DIR=$build
source "$src/tests/pulse_env.sh"
pulse_env_start
work=$PULSE_DIR/idle
mkdir -p "$work"
sox -q -n -r 16000 -c 1 -b 16 "$work/noise.wav" synth $((secs + 30)) pinknoise gain -55
pulse_mic_feed "$work/noise.wav"
"$build/wyzer" --quiet --set llm.backend=none \
  > /dev/null 2> "$work/wyzer.err" &
main=$!

ticks() { # PID: utime + stime in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}
child() { # PARENT COMM
  local p
  for p in $(pgrep -P "$1"); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && { echo "$p"; return; }
  done
}

sleep 10
core=$(child "$main" wyzer-core)
brain=$(child "$main" wyzer-brain)
if [ -z "$core" ] || [ -z "$brain" ]; then
  echo "idle_cpu: wyzer did not start its workers:" >&2
  tail -5 "$work/wyzer.err" >&2
  kill "$main" 2>/dev/null
  exit 1
fi
# The core's own threads: the frame thread (its main thread) and the rest:
# PortAudio's callback threads, libpulse's mainloops (through ALSA's pulse
# plugin) and the wake word's stage-2 thread.
thread_ticks() { # PID: "frame OTHER" in clock ticks
  local t frame=0 other=0 v
  for t in /proc/$1/task/*; do
    v=$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)
    if [ "${t##*/}" = "$1" ]; then frame=$v; else other=$((other + v)); fi
  done
  echo "$frame $other"
}
declare -A t0
for p in "$main" "$core" "$brain"; do t0[$p]=$(ticks "$p"); done
read -r f0 o0 <<< "$(thread_ticks "$core")"
start=$(date +%s.%N)
sleep "$secs"
end=$(date +%s.%N)
hz=$(getconf CLK_TCK)
echo "CPU while listening idle (live through PulseAudio, quiet pink noise at the microphone, ${secs} s):"
for pair in "main:$main" "core:$core" "brain:$brain"; do
  name=${pair%%:*}; p=${pair#*:}
  awk -v a="${t0[$p]}" -v b="$(ticks "$p")" -v hz="$hz" -v s="$start" -v e="$end" -v n="$name" \
    'BEGIN { printf "  %-5s %5.2f%% of one core\n", n, 100 * (b - a) / hz / (e - s) }'
done
read -r f1 o1 <<< "$(thread_ticks "$core")"
awk -v f="$((f1 - f0))" -v o="$((o1 - o0))" -v hz="$hz" -v s="$start" -v e="$end" \
  'BEGIN { printf "        (frame thread %.2f%%, audio I/O and other threads %.2f%%)\n", 100 * f / hz / (e - s), 100 * o / hz / (e - s) }'
echo "Resident memory at the end (VmRSS, peak VmHWM):"
for pair in "main:$main" "core:$core" "brain:$brain"; do
  name=${pair%%:*}; p=${pair#*:}
  awk -v n="$name" '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 }
    END { printf "  %-5s %6.1f MB (peak %.1f MB)\n", n, r / 1024, h / 1024 }' "/proc/$p/status"
done
kill "$main" 2>/dev/null
wait "$main" 2>/dev/null
exit 0
