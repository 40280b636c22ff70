#!/bin/bash
# test_realtime: the core's frame thread runs SCHED_FIFO (audio.realtime_priority)
# when audio arrives in real time, and never with --fast or with
# audio.realtime_priority=0. Read from the kernel with ps (class FF / TS).
. "$(dirname "$0")/lib.sh"
sox -q -n -r 16000 -c 1 -b 16 "$TMP/quiet.wav" synth 4 whitenoise vol 0.01
# --fast runs through its file in a fraction of real time: give it enough
# audio to be seen running (~10 s of CPU for 180 s of audio)
sox -q -n -r 16000 -c 1 -b 16 "$TMP/long.wav" synth 180 whitenoise vol 0.01

# classes of the core's threads while it runs on a real-time paced file
run_classes() { # input, extra args...
  local input=$1; shift
  "$WYZER" --quiet --input "$input" "$@" >/dev/null 2>"$TMP/err" &
  local main=$! core="" i seen=0 cls=""
  CLEANUP_PIDS+=("$main")
  # sample for up to 1.5 s after the core appears (it raises itself once its
  # audio is open); stop early once FF shows
  for i in $(seq 100); do
    core=$(pid_of_comm "$main" wyzer-core)
    if [ -n "$core" ]; then
      cls=$(ps -L -o cls= -p "$core" | sort | uniq -c | tr -s ' \n' ' ')
      seen=$((seen + 1))
      grep -q FF <<<"$cls" && break
      [ $seen -ge 20 ] && break
    fi
    sleep 0.05
  done
  echo "$cls"
  kill "$main" 2>/dev/null
  wait "$main" 2>/dev/null
}

c=$(run_classes "$TMP/quiet.wav")
if grep -q 'FF' <<<"$c"; then ok "real-time input: a core thread is SCHED_FIFO ($c)"; else fail "no FF thread" "$c $(tail -3 "$TMP/err")"; fi

c=$(run_classes "$TMP/quiet.wav" --set audio.realtime_priority=0)
if grep -q 'TS' <<<"$c" && ! grep -q 'FF' <<<"$c"; then ok "audio.realtime_priority=0: normal scheduling ($c)"; else fail "priority 0" "classes: '$c'"; fi

c=$(run_classes "$TMP/long.wav" --fast)
if grep -q 'TS' <<<"$c" && ! grep -q 'FF' <<<"$c"; then ok "--fast: normal scheduling ($c)"; else fail "--fast" "classes: '$c'"; fi
summary
