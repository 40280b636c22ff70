#!/usr/bin/env bash
# test_live_pulse.sh: the whole assistant live, through PortAudio, against a
# real (private, headless) PulseAudio server: "hey wyzer ... what time is it"
# is spoken into the pipe source (the microphone), and the reply must reach
# the null sink's monitor (the loudspeaker). Skips (77) only if PulseAudio
# cannot start.
set -u
: "${WZ_SOURCE_DIR:?}" "${WZ_BUILD_DIR:?}"
source "$WZ_SOURCE_DIR/tests/pulse_env.sh"
pulse_env_start
. "$WZ_SOURCE_DIR/tests/integration/lib.sh"
# lib.sh sets its own EXIT trap; keep pulse_env's too, or the PulseAudio
# daemon (and the sink anchor) outlive the test.
trap 'cleanup; pulse_env_cleanup' EXIT
# ALSA's pulse plugin leaks a little on unload (see test_audio_live.sh).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

flite -voice slt -t "Hey wiser." -o "$TMP/a.wav"
flite -voice slt -t "What time is it?" -o "$TMP/b.wav"
# A 0.3 s pause after the wake word, as people make: said straight on, this
# clip's command is heard live as "or what time is ed" in about one run in
# three (the grammar pass's margin -0.91 nats/frame against its -0.9 bar,
# the LM taking the end of "wiser" for "or"; docs/speech.md). That is the
# recogniser's weakness, which make eval measures; this test is about the
# live audio path.
sox -q "$TMP/a.wav" "$TMP/a_pause.wav" pad 0 0.3
sox -q "$TMP/a_pause.wav" "$TMP/b.wav" -r 16000 -c 1 -b 16 "$TMP/request.wav" pad 0 0.3

# The microphone is live from the start: quiet room noise flows while the
# brain loads. That audio counts on the core's timeline but is not listened
# to, and the wake word's positions must be on the same timeline (they once
# lagged by the loading time, so the request began inside "hey wiser").
sox -R -q -n -r 16000 -c 1 -b 16 "$TMP/room.wav" synth 60 whitenoise vol 0.002
pulse_mic_feed "$TMP/room.wav" 0 0
"$WYZER" --events --log-level debug > "$TMP/events.jsonl" 2> "$TMP/stderr.log" &
W=$!
CLEANUP_PIDS+=("$W")
# The checks below need the core to hear at least 200 ms before the brain is
# ready. Loaded by a parallel ctest it does, but alone on an idle machine the
# brain is ready after 80-180 ms of audio. So the brain is held back 600 ms
# while it loads, as a slow disk or a busy machine would.
brain=
for _ in $(seq 300); do
  brain=$(pgrep -P "$W" -x wyzer-brain | head -1)
  [ -n "$brain" ] && break
  sleep 0.01
done
[ -n "$brain" ] && kill -STOP "$brain" && sleep 0.6 && kill -CONT "$brain"
if wait_for "$TMP/events.jsonl" '"event":"ready"' 60; then ok "live session ready"
else fail "live session" "$(tail -5 "$TMP/stderr.log")"; summary; exit 1; fi
kill "$PULSE_FEED_PID" 2>/dev/null; wait "$PULSE_FEED_PID" 2>/dev/null; PULSE_FEED_PID=""
ev() { first_ev "$TMP/events.jsonl" "$1" "$2"; } # ev EVENT FIELD
loaded_ms=$(ev ready audio_ms)
[ "${loaded_ms:-0}" -ge 200 ] && ok "audio heard while the brain loaded: $loaded_ms ms" \
  || fail "audio before ready" "ready.audio_ms = '$loaded_ms'; the check below needs at least 200 ms"
# Live, the wake word's stage-2 check has its own thread, one real-time
# priority step below the frame thread (needs the privilege: root here).
core=$(pgrep -P "$W" -x wyzer-core | head -1)
if [ "$(id -u)" = 0 ] && [ -n "$core" ]; then
  threads=$(ps -L -o cls=,rtprio= -p "$core" | tr -s ' ' | sed 's/^ //' | sort | uniq -c | tr -s ' \n' ' ')
  case "$threads" in *"FF 10"*"FF 9"*|*"FF 9"*"FF 10"*) ok "frame thread FIFO 10, stage-2 thread FIFO 9 ($threads)" ;;
    *) fail "thread priorities" "$threads" ;; esac
fi
pulse_spk_record_start "$TMP/played.raw"
pulse_mic_feed "$TMP/request.wav" 1000 8000
wait_for "$TMP/events.jsonl" '"event":"wake"' 30 && ok "wake word heard from the PulseAudio microphone" \
  || fail "wake" "$(grep -E 'error' "$TMP/stderr.log" | tail -3)"
wait_for "$TMP/events.jsonl" '"event":"tts_end"' 60 && ok "reply played (tts_end)" || fail "reply" "$(tail -5 "$TMP/events.jsonl")"
pulse_mic_wait
sleep 0.5
pulse_spk_record_stop
grep -q '"name":"get_time"' "$TMP/events.jsonl" && ok "get_time called" || fail "get_time" "$(grep transcript "$TMP/events.jsonl")"
# One timeline: the request starts after the wake word (the pause between
# the two clips, plus the wake word's end-position error, < 700 ms), and
# none of "hey wiser" is in it.
wake_ms=$(ev wake audio_ms); start_ms=$(ev speech_start audio_ms); said=$(ev transcript text)
gap=$(( ${start_ms:-0} - ${wake_ms:-0} ))
[ "$gap" -ge 0 ] && [ "$gap" -lt 700 ] && ok "request starts $gap ms after the wake word" \
  || fail "timeline" "wake word ends at $wake_ms ms, request starts at $start_ms ms"
[ "$said" = "what time is it" ] && ok "transcript: $said" || fail "transcript" "'$said'"

# A stalled core (stopped for 0.6 s, as a page-fault storm would stall it)
# starves the loudspeaker: the device's underruns must come out as an
# `xrun` event and in the heartbeat counters the brain receives.
xruns() { grep -c '"event":"xrun"' "$TMP/events.jsonl"; }
n0=$(xruns)
kill -STOP "$core"; sleep 0.6; kill -CONT "$core"
for _ in $(seq 100); do [ "$(xruns)" -gt "$n0" ] && break; sleep 0.1; done
if [ "$(xruns)" -gt "$n0" ]; then ok "xrun event after a 0.6 s stall: $(grep '"event":"xrun"' "$TMP/events.jsonl" | tail -1)"
else fail "xrun" "no new xrun event within 10 s of a 0.6 s stall ($n0 before)"; fi
sleep 1.2 # two heartbeats
counts=$(grep '"event":"xrun"' "$TMP/events.jsonl" | tail -1 |
  python3 -c 'import json, sys; e = json.loads(sys.stdin.read()); print("overruns %d, underruns %d" % (e["overruns"], e["underruns"]))')
grep -q "heartbeat from core: .*$counts\$" "$TMP/stderr.log" \
  && ok "heartbeats carry the same counts ($counts)" \
  || fail "heartbeat counters" "want '$counts', last: $(grep 'heartbeat from core' "$TMP/stderr.log" | tail -1)"

kill -INT "$W"
wait "$W"; rc=$?
[ $rc -eq 0 ] && ok "SIGINT: exit 0" || fail "exit" "$rc"

# The feeder has closed the FIFO, so the microphone now delivers nothing: a
# second session must say so (`mic` silent), hear again once fed, and still
# stop on SIGTERM by itself (it used to hang in Pa_StopStream on a source
# with no next period, until main's SIGKILL).
"$WYZER" --events > "$TMP/events2.jsonl" 2> "$TMP/stderr2.log" &
W2=$!
CLEANUP_PIDS+=("$W2")
wait_for "$TMP/events2.jsonl" '"event":"ready"' 60 || fail "second session" "$(tail -5 "$TMP/stderr2.log")"
wait_for "$TMP/events2.jsonl" '"state":"silent"' 15 && ok "silent microphone reported: $(grep '"event":"mic"' "$TMP/events2.jsonl" | head -1)" \
  || fail "mic silent event" "$(tail -3 "$TMP/stderr2.log")"
pulse_mic_feed "$TMP/request.wav" 500 1000
wait_for "$TMP/events2.jsonl" '"state":"ok"' 15 && ok "microphone back reported" || fail "mic ok event" "$(tail -3 "$TMP/events2.jsonl")"
wait_for "$TMP/events2.jsonl" '"event":"wake"' 30 && ok "and heard again: wake" || fail "wake after silence" "$(tail -3 "$TMP/events2.jsonl")"
wait_for "$TMP/events2.jsonl" '"event":"tts_end"' 60 || fail "second reply" "$(tail -3 "$TMP/events2.jsonl")"
pulse_mic_wait
for _ in $(seq 100); do [ "$(grep -c '"state":"silent"' "$TMP/events2.jsonl")" -ge 2 ] && break; sleep 0.1; done
[ "$(grep -c '"state":"silent"' "$TMP/events2.jsonl")" -ge 2 ] && ok "silent again after the feeder closed" \
  || fail "second mic silent" "$(grep '"event":"mic"' "$TMP/events2.jsonl")"
kill -TERM "$W2"
wait "$W2"; rc=$?
if [ $rc -eq 0 ] && grep -q 'core (pid [0-9]*) stopped: exit 0' "$TMP/stderr2.log" && ! grep -q 'SIGKILL' "$TMP/stderr2.log"; then
  ok "SIGTERM with a silent microphone: the core stopped by itself, exit 0"
else fail "shutdown with a silent microphone" "rc $rc; $(grep -E 'stopped|SIGKILL|killed' "$TMP/stderr2.log")"; fi

bytes=$(stat -c %s "$TMP/played.raw" 2>/dev/null || echo 0)
peak=0
[ "$bytes" -gt 0 ] && peak=$(sox -t raw -r 16000 -e signed-integer -b 16 -c 1 "$TMP/played.raw" -n stat 2>&1 | awk '/Maximum amplitude/{print $3}')
python3 -c "import sys; sys.exit(0 if float('$peak') > 0.05 else 1)" \
  && ok "reply audio reached the sink ($bytes bytes, peak $peak)" || fail "sink" "$bytes bytes, peak $peak"
summary
