#!/bin/bash
# test_realtime: the core's frame thread runs SCHED_FIFO (audio.realtime_priority)
# when audio arrives in real time, and never with --fast or with
# audio.realtime_priority=0. Read from the kernel with ps (class FF / TS).
. "$(dirname "$0")/lib.sh"
sox -q -n -r 16000 -c 1 -b 16 "$TMP/quiet.wav" synth 4 whitenoise vol 0.01
# --fast runs through its file in a fraction of real time: give it enough
# audio to be seen running (~10 s of CPU for 180 s of audio)
sox -q -n -r 16000 -c 1 -b 16 "$TMP/long.wav" synth 180 whitenoise vol 0.01

# classes of the core's threads while it runs on the input. The core logs
# "listening (...)" once its audio is open and sets its priority right after,
# so wait for that line (it can take seconds on a loaded machine: sampling a
# fixed 1 s after start failed beside other live-audio tests), then sample.
run_classes() { # input, extra args...
  local input=$1; shift
  "$WYZER" --log-level info --input "$input" "$@" >/dev/null 2>"$TMP/err" &
  local main=$! core="" i cls=""
  CLEANUP_PIDS+=("$main")
  for i in $(seq 600); do
    grep -q "listening (" "$TMP/err" && break
    kill -0 "$main" 2>/dev/null || break
    sleep 0.05
  done
  sleep 0.2
  core=$(pid_of_comm "$main" wyzer-core)
  [ -n "$core" ] && cls=$(ps -L -o cls= -p "$core" | sort | uniq -c | tr -s ' \n' ' ')
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
