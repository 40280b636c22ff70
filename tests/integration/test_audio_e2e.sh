#!/usr/bin/env bash
# test_audio_e2e.sh: spoken requests through the whole assistant with a WAV
# file as the microphone (--input), generated at test time with Flite and
# sox: wake word + command, a negative clip, and barge-in over a long reply
# with simulated loudspeaker echo (--echo 30:+6) and the LLM stand-in.
. "$(dirname "$0")/lib.sh"

# clip OUT PART...: PART is "say:TEXT" (Flite, voice $VOICE, default slt) or
# "pause:SECONDS".
# sox -R: without it sox dithers with a random seed, so every run heard a
# slightly different clip (the "what time is it" clip below was read as a
# whole command at its pause in some runs and not in others).
clip() {
  local out=$1; shift
  local parts=() i=0
  for p in "$@"; do
    i=$((i + 1))
    case "$p" in
      say:*) flite -voice "${VOICE:-slt}" -t "${p#say:}" -o "$TMP/part$i.wav" ;;
      pause:*) sox -R -n -r 16000 -c 1 -b 16 "$TMP/part$i.wav" trim 0 "${p#pause:}" ;;
    esac
    sox -R -q "$TMP/part$i.wav" -r 16000 -c 1 -b 16 "$TMP/p$i.wav"
    parts+=("$TMP/p$i.wav")
  done
  sox -R -q "${parts[@]}" "$out"
}

order_ok() { # FILE EVENT...: the events occur in this order
  python3 - "$@" <<'PY'
import json, sys
evs = [json.loads(l)["event"] for l in open(sys.argv[1])]
pos = 0
for want in sys.argv[2:]:
    if want not in evs[pos:]:
        sys.exit(f"missing {want} after position {pos}: {evs}")
    pos = evs.index(want, pos) + 1
PY
}

# --- wake word + command ------------------------------------------------------
clip "$TMP/timer.wav" pause:0.5 "say:Hey wiser." pause:0.3 "say:Set a timer for five minutes." pause:1.5
"$WYZER" --events --input "$TMP/timer.wav" --fast --output "$TMP/timer-out.wav" > "$TMP/timer.jsonl" 2> "$TMP/timer.err"
rc=$?
[ $rc -eq 0 ] && ok "wake + command: exit 0" || fail "wake + command" "exit $rc: $(tail -3 "$TMP/timer.err")"
if order_ok "$TMP/timer.jsonl" wake speech_start speech_end transcript tool_call response tts_start tts_end 2> "$TMP/o"; then
  ok "wake -> speech_start -> speech_end -> transcript -> tool_call -> response -> tts_start -> tts_end"
else fail "event order" "$(cat "$TMP/o")"; fi
grep -q '"event":"tool_call","t_ms":[0-9]*,"name":"timer_start","args":{"seconds":300}' "$TMP/timer.jsonl" \
  && ok "tool_call timer_start {\"seconds\":300}" || fail "timer args" "$(grep -E 'transcript|tool_call' "$TMP/timer.jsonl")"
in_n=$(soxi -s "$TMP/timer.wav"); out_n=$(soxi -s "$TMP/timer-out.wav" 2>/dev/null || echo 0)
[ "$out_n" -ge "$in_n" ] && ok "--output covers the input timeline ($out_n >= $in_n samples)" || fail "--output length" "$out_n < $in_n"
start=$(first_ev "$TMP/timer.jsonl" tts_start audio_ms)
peak=$(sox "$TMP/timer-out.wav" -n trim "$(echo "$start/1000" | bc -l)" 1 stat 2>&1 | awk '/Maximum amplitude/{print $3}')
silent_before=$(sox "$TMP/timer-out.wav" -n trim 0 "$(echo "$start/1000" | bc -l)" stat 2>&1 | awk '/Maximum amplitude/{print $3}')
python3 -c "import sys; sys.exit(0 if float('$peak') > 0.05 and float('$silent_before') == 0 else 1)" \
  && ok "reply audio in --output starts at tts_start ($start ms)" || fail "reply audio" "peak after $peak, before $silent_before"
# Speech starts right after tts_start: Flite's 140-260 ms lead of near
# silence is trimmed from a reply's first sentence (orch_speak), leaving the
# 50 ms margin before the onset.
speech_after=$(python3 - "$TMP/timer-out.wav" "$start" <<'PY'
import sys, wave, struct
w = wave.open(sys.argv[1]); rate = w.getframerate()
at = int(float(sys.argv[2]) * rate / 1000); w.setpos(at)
d = w.readframes(rate)
x = struct.unpack('<%dh' % (len(d) // 2), d)
print(next((i * 1000 // rate for i, v in enumerate(x) if abs(v) > 300), 9999))
PY
)
[ "$speech_after" -le 100 ] && ok "reply speech begins $speech_after ms after tts_start (lead trimmed)" \
  || fail "reply lead" "first sample above 300 comes $speech_after ms after tts_start"

# The brain read "set a timer for five minutes" as a whole command at the
# pause, so the utterance ended after listen.complete_silence_ms; with that
# off it ends after the full listen.end_silence_ms, and the reply comes later
# on the audio timeline (--fast waits for the brain's verdict, so this repeats).
grep -q '"event":"speech_end","t_ms":[0-9]*,"audio_ms":[0-9]*,"reason":"complete"' "$TMP/timer.jsonl" \
  && ok "speech_end reason complete (a whole command ends the utterance sooner)" \
  || fail "complete end" "$(grep speech_end "$TMP/timer.jsonl")"
"$WYZER" --events --input "$TMP/timer.wav" --fast --set listen.complete_silence_ms=0 > "$TMP/timer-off.jsonl" 2>/dev/null
start_off=$(first_ev "$TMP/timer-off.jsonl" tts_start audio_ms)
grep -q '"reason":"silence"' "$TMP/timer-off.jsonl" && [ "$start_off" -gt "$start" ] \
  && ok "complete_silence_ms=0: ends on silence, reply at $start_off ms instead of $start ms" \
  || fail "complete off" "tts_start $start_off vs $start; $(grep speech_end "$TMP/timer-off.jsonl")"

# "what time is it" is a whole command no more words could change (no
# template goes on from it), so it ends sooner still: after
# listen.closed_silence_ms; with that at 0, after complete_silence_ms.
clip "$TMP/time.wav" pause:0.5 "say:Hey wiser." pause:0.3 "say:What time is it?" pause:1.5
"$WYZER" --events --input "$TMP/time.wav" --fast > "$TMP/time.jsonl" 2>/dev/null
"$WYZER" --events --input "$TMP/time.wav" --fast --set listen.closed_silence_ms=0 > "$TMP/time-off.jsonl" 2>/dev/null
t_closed=$(first_ev "$TMP/time.jsonl" tts_start audio_ms); t_open=$(first_ev "$TMP/time-off.jsonl" tts_start audio_ms)
grep -q '"event":"speech_end","t_ms":[0-9]*,"audio_ms":[0-9]*,"reason":"closed"' "$TMP/time.jsonl" \
  && grep -q '"reason":"complete"' "$TMP/time-off.jsonl" && [ "$t_closed" -lt "$t_open" ] \
  && grep -q '"name":"get_time"' "$TMP/time.jsonl" \
  && ok "closed command: speech_end reason closed, reply at $t_closed ms (closed_silence_ms=0: complete, $t_open ms)" \
  || fail "closed end" "tts_start $t_closed vs $t_open; $(grep -h speech_end "$TMP/time.jsonl" "$TMP/time-off.jsonl")"

# --- said straight on: the command's first words are kept ----------------------
# With no pause after "wyzer", the gaps between the command's own words are
# short quiet runs too; the one between "set a timer" and "for" was taken for
# the pause after the wake word, and the request became "timer for five
# minutes" (docs/listening.md, "Where the command starts").
for v in slt kal16; do
  VOICE=$v clip "$TMP/straight-$v.wav" pause:0.5 "say:Hey wiser set a timer for five minutes" pause:1.5
  "$WYZER" --events --input "$TMP/straight-$v.wav" --fast > "$TMP/straight-$v.jsonl" 2>/dev/null
  said=$(first_ev "$TMP/straight-$v.jsonl" transcript text)
  [ "$said" = "set a timer for five minutes" ] && ok "said straight on ($v): '$said'" \
    || fail "straight on ($v)" "transcript '$said'"
done

# --- a negative clip: no wake -------------------------------------------------------
clip "$TMP/neg.wav" pause:0.3 "say:The wise writer said hey there to her neighbour." pause:1
"$WYZER" --events --input "$TMP/neg.wav" --fast > "$TMP/neg.jsonl" 2>/dev/null
rc=$?
[ $rc -eq 0 ] && [ "$(count "$TMP/neg.jsonl" '"event":"wake"')" = 0 ] && ok "negative clip: no wake, exit 0" \
  || fail "negative clip" "exit $rc: $(grep wake "$TMP/neg.jsonl")"

# --- corrupt input: exit 2 with a clear message -------------------------------------------
head -c 100 "$TMP/timer.wav" > "$TMP/bad.wav"
"$WYZER" --input "$TMP/bad.wav" --fast > /dev/null 2> "$TMP/bad.err"; rc=$?
[ $rc -eq 2 ] && grep -q "bad.wav" "$TMP/bad.err" && ok "corrupt WAV: exit 2 naming the file" || fail "corrupt WAV" "exit $rc: $(tail -2 "$TMP/bad.err")"

# --- barge-in over a long reply, with loudspeaker echo ------------------------------------
python3 "$WZ_SOURCE_DIR/tests/standins/llm_standin.py" --port 0 --port-file "$TMP/port" \
  --text "Once upon a time a small robot lived in a quiet workshop by the sea. Every morning it swept the floor and polished the tools. One day a storm broke the windows and the robot had to fix them all alone. It worked through the night and the next day as well. When the sun came back the workshop shone brighter than ever before. The end of a long tale about patience and care." \
  2> /dev/null &
CLEANUP_PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
clip "$TMP/barge.wav" pause:0.5 "say:Hey wiser." pause:0.3 "say:Tell me a story about a robot." pause:6 \
  "say:Hey wiser." pause:0.3 "say:What time is it?" pause:3
"$WYZER" --events --input "$TMP/barge.wav" --fast --echo 30:+6 --set llm.backend=ollama \
  --set llm.url=http://127.0.0.1:$(cat "$TMP/port") > "$TMP/barge.jsonl" 2> "$TMP/barge.err"
rc=$?
if order_ok "$TMP/barge.jsonl" wake transcript tts_start wake interrupted transcript tool_call 2> "$TMP/o"; then
  ok "barge-in: wake during the reply interrupts it and starts the next request"
else fail "barge-in" "$(cat "$TMP/o") $(tail -3 "$TMP/barge.err")"; fi
grep -q '"event":"interrupted","t_ms":[0-9]*,"reason":"wake"' "$TMP/barge.jsonl" && ok "interrupted reason wake" || fail "interrupted" "missing"
grep -q '"name":"get_time"' "$TMP/barge.jsonl" && ok "second request answered (get_time)" || fail "second request" "$(grep transcript "$TMP/barge.jsonl")"
wakes=$(count "$TMP/barge.jsonl" '"event":"wake"')
[ "$wakes" = 2 ] && ok "no self-trigger under --echo 30:+6 (2 wakes for 2 spoken wake words)" || fail "self-trigger" "$wakes wake events"
[ $rc -eq 0 ] && ok "barge-in run exit 0" || fail "barge-in exit" "$rc"
# The first request's last pause may go unanswered (AUDIO_END overtook it);
# the barge-in's capture must not wait for that answer (--fast waited 30 s
# for it in about one run in three before the fix).
! grep -q "no answer from the brain on a pause" "$TMP/barge.err" && ok "the barge-in's capture owes no answer from the last request" \
  || fail "stale pause answer" "$(grep 'no answer' "$TMP/barge.err")"
# While the reply plays, the search also spots "hey W AY Z" (the early line),
# so the reply is held before the whole phrase is reported; the whole phrase's
# report is 60 ms (stage 2's wait, inline in file mode) before its wake event.
# How far ahead depends on the voice and on the search's cepstral mean (p50
# 60 ms on the evaluation corpus, 0 on some clips; docs/listening.md), so
# the same barge-in is said in four voices and two must be held >= 20 ms
# ahead. A hold for the whole phrase's candidate starts at its report, so only
# the early line can put it ahead.
for v in rms awb kal16; do
  VOICE=$v clip "$TMP/barge-$v.wav" pause:0.5 "say:Hey wiser." pause:0.3 "say:Tell me a story about a robot." \
    pause:6 "say:Hey wiser." pause:0.3 "say:What time is it?" pause:3
  "$WYZER" --events --input "$TMP/barge-$v.wav" --fast --echo 30:+6 --set llm.backend=ollama \
    --set llm.url=http://127.0.0.1:$(cat "$TMP/port") > "$TMP/barge-$v.jsonl" 2> /dev/null
done
if python3 - "$TMP/barge.jsonl" "$TMP"/barge-{rms,awb,kal16}.jsonl > "$TMP/o" 2>&1 <<'PY'
import json, sys
aheads = []
for path in sys.argv[1:]:
    ev = [json.loads(l) for l in open(path) if l.startswith("{")]
    wakes = [e for e in ev if e["event"] == "wake"]
    if len(wakes) != 2:
        sys.exit("%s: %d wake events, want 2" % (path, len(wakes)))
    held = [e for e in ev if e["event"] == "playback_held" and e["audio_ms"] <= wakes[1]["detect_ms"]]
    if not held:
        sys.exit("%s: no playback_held before the barge-in's wake event" % path)
    aheads.append(wakes[1]["detect_ms"] - 60 - held[-1]["audio_ms"])
print("held %s ms before the whole phrase was reported (slt, rms, awb, kal16)" % aheads)
if sum(a >= 20 for a in aheads) < 2:
    sys.exit("held %s ms before the whole phrase's report, want at least 20 in two voices" % aheads)
PY
then ok "barge-in: reply held from the start of the phrase ($(cat "$TMP/o"))"
else fail "early hold" "$(cat "$TMP/o")"; fi

# --- barge-in early in the first reply after start-up ------------------------------------------
# ~2.2 s into the first reply the canceller is still learning (it takes
# 5 dB out of the echo here, 40 dB a few seconds later): it takes as much out
# of the user's phrase as out of the echo, so the energy test alone drops the
# phrase as the reply's own voice. The phrase's level does not follow the
# reply's at all (ref_corr -0.13), which clears it (docs/listening.md,
# "Own-voice check"). A little later in this reply the phrase follows the
# reply more (0.45-0.58: the residual echo is as loud as the voice) and is
# still dropped; from ~3 s in the energy test hears it too.
clip "$TMP/early.wav" pause:0.5 "say:Hey wiser." pause:0.3 "say:Tell me a story about a robot." pause:2.2 \
  "say:Hey wiser." pause:0.3 "say:What time is it?" pause:3
"$WYZER" --events --input "$TMP/early.wav" --fast --echo 30:+6 --set llm.backend=ollama \
  --set llm.url=http://127.0.0.1:$(cat "$TMP/port") > "$TMP/early.jsonl" 2> "$TMP/early.err"
rc=$?
python3 - "$TMP/early.jsonl" > "$TMP/o" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
tts = [e["audio_ms"] for e in ev if e["event"] == "tts_start"]
cut = [e["audio_ms"] for e in ev if e["event"] == "interrupted" and e["reason"] == "wake"]
own = [e for e in ev if e["event"] == "own_voice"]
if not tts or len(cut) != 1 or own:
    sys.exit(f"tts_start {tts}, interrupted {cut}, own_voice {own}")
if not 0 < cut[0] - tts[0] <= 2500:
    sys.exit(f"the barge-in came {cut[0] - tts[0]} ms into the reply, not early in it")
print(f"interrupted {cut[0] - tts[0]} ms into the first reply")
PY
[ $? -eq 0 ] && [ $rc -eq 0 ] && grep -q '"name":"get_time"' "$TMP/early.jsonl" \
  && ok "barge-in early in the first reply: $(cat "$TMP/o"), next request answered" \
  || fail "early barge-in" "exit $rc: $(cat "$TMP/o")"

# --- "stop" during the reply ------------------------------------------------------------------
clip "$TMP/stop.wav" pause:0.5 "say:Hey wiser." pause:0.3 "say:Tell me a story about a robot." pause:5 \
  "say:Stop." pause:4
"$WYZER" --events --input "$TMP/stop.wav" --fast --echo 30:+6 --output "$TMP/stop-out.wav" \
  --set llm.backend=ollama --set llm.url=http://127.0.0.1:$(cat "$TMP/port") > "$TMP/stop.jsonl" 2> "$TMP/stop.err"
rc=$?
python3 - "$TMP/stop.jsonl" "$TMP/stop-out.wav" > "$TMP/o" 2>&1 <<'PY'
import json, struct, sys, wave
ev = [json.loads(l) for l in open(sys.argv[1])]
names = [e["event"] for e in ev]
cut = [e for e in ev if e["event"] == "interrupted"]
if len(cut) != 1 or cut[0]["reason"] != "stop" or not cut[0]["was_playing"]:
    sys.exit("want one interrupted(stop) while playing, got %s" % cut)
after = names[names.index("interrupted") + 1:]
if "transcript" in after or "wake" in after or "tts_start" in after:
    sys.exit("a new request or reply after the stop: %s" % after)
w = wave.open(sys.argv[2])
rate, n = w.getframerate(), w.getnframes()
pcm = struct.unpack("<%dh" % n, w.readframes(n))
# The reply was held while the phrase waited for its check (bargein.hold),
# and is silent from that moment on.
held = [e for e in ev if e["event"] == "playback_held"]
if len(held) != 1 or held[0]["keyword"] != "stop" or not 0 < cut[0]["audio_ms"] - held[0]["audio_ms"] <= 200:
    sys.exit("want one playback_held(stop) up to 200 ms before the stop, got %s" % held)
t = held[0]["audio_ms"]
rest = pcm[t * rate // 1000:]
peak = max((abs(x) for x in rest), default=0)
if peak > 300:
    sys.exit("reply audio goes on after the hold: peak %d from %d ms" % (peak, t))
print("held at %d ms, stopped at %d ms, silent from the hold" % (t, cut[0]["audio_ms"]))
PY
[ $? -eq 0 ] && [ $rc -eq 0 ] && ok "stop phrase during the reply: reply cut, no new request ($(cat "$TMP/o"))" \
  || fail "stop phrase" "exit $rc: $(cat "$TMP/o") $(tail -2 "$TMP/stop.err")"

# --- a phrase like the stop phrase ("Stock.") during the reply: held, checked, rejected --------
# The reply holds while the candidate is checked, then plays on from the very
# sample where it stopped: after the resume, the output is the output of the
# same run with bargein.hold = false, shifted by the hold.
clip "$TMP/stock.wav" pause:0.5 "say:Hey wiser." pause:0.3 "say:Tell me a story about a robot." pause:5 \
  "say:Stock." pause:4
for hold in true false; do
  "$WYZER" --events --input "$TMP/stock.wav" --fast --echo 30:+6 --output "$TMP/stock-$hold.wav" \
    --set bargein.hold=$hold --set llm.backend=ollama --set llm.url=http://127.0.0.1:$(cat "$TMP/port") \
    > "$TMP/stock-$hold.jsonl" 2> "$TMP/stock-$hold.err" || fail "stock run (hold $hold)" "$(tail -2 "$TMP/stock-$hold.err")"
done
python3 - "$TMP/stock-true.jsonl" "$TMP/stock-true.wav" "$TMP/stock-false.wav" > "$TMP/o" 2>&1 <<'PY'
import json, struct, sys, wave
ev = [json.loads(l) for l in open(sys.argv[1])]
def pcm(path):
    w = wave.open(path)
    return struct.unpack("<%dh" % w.getnframes(), w.readframes(w.getnframes()))
held = [e for e in ev if e["event"] == "playback_held"]
res = [e for e in ev if e["event"] == "playback_resumed"]
if any(e["event"] == "interrupted" for e in ev):
    sys.exit("the reply was interrupted")
if len(held) != 1 or len(res) != 1 or res[0]["held_ms"] != res[0]["audio_ms"] - held[0]["audio_ms"]:
    sys.exit("want one playback_held and one playback_resumed, got %s %s" % (held, res))
a, b = pcm(sys.argv[2]), pcm(sys.argv[3])
h, r = held[0]["audio_ms"] * 16, res[0]["audio_ms"] * 16
if a[:h] != b[:h] or any(a[h:r]) or a[r:r + 32000] != b[h:h + 32000] or len(a) - len(b) != r - h:
    sys.exit("the held output is not the reply with %d ms of silence at %d ms" % (res[0]["held_ms"], h // 16))
print("held %d ms at %d ms, then played on from the same sample" % (res[0]["held_ms"], h // 16))
PY
[ $? -eq 0 ] && ok "stop-like phrase during the reply: $(cat "$TMP/o")" || fail "hold and resume" "$(cat "$TMP/o")"

# --- the reply says the wake word and the stop phrase ----------------------------------------
# A 200 ms echo is longer than the canceller's 128 ms filter, so the echo
# passes it nearly whole, as with a speaker the canceller cannot model. The
# own-voice check must hold every phrase of it (docs/listening.md). The run
# without the check shows that this reply does trigger the detectors.
python3 "$WZ_SOURCE_DIR/tests/standins/llm_standin.py" --port 0 --port-file "$TMP/port2" \
  --text "Once upon a time a small robot lived in a quiet workshop by the sea. Stop. Hey wiser. Stop now. Stop that. Hey wiser, stop. Please stop. Hey wiser." \
  2> /dev/null &
CLEANUP_PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/port2" ] && break; sleep 0.05; done
clip "$TMP/self.wav" pause:0.5 "say:Hey wiser." pause:0.3 "say:Tell me a story about a robot." pause:20
for check in false true; do
  "$WYZER" --events --input "$TMP/self.wav" --fast --echo 200:+6 --set llm.backend=ollama \
    --set llm.url=http://127.0.0.1:$(cat "$TMP/port2") --set bargein.echo_check=$check \
    > "$TMP/self-$check.jsonl" 2> "$TMP/self-$check.err" || fail "own-voice run (check=$check)" "exit $?"
done
n_off=$(count "$TMP/self-false.jsonl" '"event":"interrupted"')
[ "$n_off" -ge 1 ] && ok "without the own-voice check the reply interrupts itself ($n_off times)" \
  || fail "own-voice precondition" "the reply no longer triggers the detectors, so this test proves nothing"
n_on=$(count "$TMP/self-true.jsonl" '"event":"interrupted"')
n_own=$(count "$TMP/self-true.jsonl" '"event":"own_voice"')
[ "$n_on" = 0 ] && [ "$n_own" -ge 1 ] && ok "with it: no interruption, $n_own phrases ignored as the reply's own voice" \
  || fail "own-voice check" "$n_on interruptions, $n_own own_voice events"
# The echo follows the reply's level closely (0.81-1.00 measured, where the
# user's phrases clearly below 0.4 are cleared); a broken measure shows here.
python3 -c '
import json, sys
c = [json.loads(l).get("ref_corr") for l in open(sys.argv[1]) if "\"own_voice\"" in l]
sys.exit(0 if c and all(x is not None and x >= 0.8 for x in c) else "ref_corr %s" % c)' "$TMP/self-true.jsonl" 2> "$TMP/o" \
  && ok "the reply's own phrases follow its level (ref_corr >= 0.8)" || fail "ref_corr" "$(cat "$TMP/o")"
order_ok "$TMP/self-true.jsonl" wake transcript tts_start own_voice tts_end 2> "$TMP/o" \
  && ok "the reply plays to its end" || fail "own-voice reply" "$(cat "$TMP/o")"
summary
