#!/usr/bin/env bash
# demo.sh BUILD_DIR: the main job on bundled sample audio, no microphone:
# "hey wyzer ... what time is it" is synthesised with Wyzer's own TTS, played
# into Wyzer as its microphone (real-time pacing), and the spoken reply is
# written to demo-reply.wav, sample-aligned with the input.
set -euo pipefail
build=${1:-build}
wyzer=$build/wyzer
work=$build/demo
mkdir -p "$work"
export XDG_STATE_HOME=$work/state XDG_DATA_HOME=$work/data   # keep demo timers out of yours

# The wake word is spelled "wiser" for the synthesiser (see docs/speech.md).
"$wyzer" -q say "Hey wiser." --output "$work/wake.wav"
"$wyzer" -q say "What time is it?" --output "$work/command.wav"
sox -q "$work/wake.wav" "$work/command.wav" -r 16000 -c 1 "$work/request.wav" pad 0.5 1.5
echo "== Wyzer demo: $work/request.wav (\"hey wyzer ... what time is it\") as the microphone"
echo

"$wyzer" --quiet --events --input "$work/request.wav" --output demo-reply.wav > "$work/events.jsonl"
python3 - "$work/events.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    t, ev = e["t_ms"], e["event"]
    show = {
        "ready": lambda: "wyzer is ready",
        "wake": lambda: f'wake word "{e["keyword"]}" (ends at {e["audio_ms"]} ms of audio)',
        "speech_end": lambda: f'you stopped speaking at {e["audio_ms"]} ms of audio',
        "transcript": lambda: f'you>    {e["text"]}',
        "intent": lambda: f'intent  {e["name"]} {json.dumps(e["slots"])}',
        "tool_call": lambda: f'tool    {e["name"]}({json.dumps(e["args"])})',
        "response": lambda: f'wyzer>  {e["text"]}',
        "tts_start": lambda: f'reply audio starts at {e["audio_ms"]} ms of audio',
        "error": lambda: f'ERROR   {e["component"]}: {e["message"]}',
    }.get(ev)
    if show:
        print(f"{t:6d} ms  {show()}")
PY
echo
echo "The spoken reply is in demo-reply.wav (16 kHz mono, aligned with the input)."
