#!/usr/bin/env python3
"""hold_set.py: what the user says over a reply that is NOT the wake word.
Does the reply pause (bargein.hold), for how long, and is it cut?

File mode, --fast, --echo 30:+6 (deterministic), the LLM stand-in reading a
long reply.  Each session: "hey wiser, tell me a long story about the sea",
GAP ms of the reply, then one phrase below over it, in each Flite voice.
Counted from 200 ms before the phrase on: `playback_held` events (the
reply paused while a candidate was checked), how long each pause lasted
(`playback_resumed` held_ms), and `interrupted` events (the reply cut: a
false barge-in).  The phrases are everyday remarks and near misses of "hey
wyzer"; several of them ("hey, why not") already wake Wyzer with nothing
playing (docs/listening.md), so a cut reply is not always the hold's doing.

  python3 eval/hold_set.py --wyzer build/wyzer [--set bargein.hold=false]
"""
import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_corpus as gc  # noqa: E402
import latency as lat  # noqa: E402
import wzrun  # noqa: E402

PHRASES = [
    "hey, what is this",
    "they were wise",
    "hey, why not",
    "why is her car so loud",
    "the writer is wiser than the kaiser",
    "hey there, how are you",
    "hi, mike",
    "say why you left",
    "okay, whatever you say",
    "is that right",
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wyzer", default="build/wyzer")
    ap.add_argument("--gap", type=int, default=4000, help="ms of the reply before the phrase")
    ap.add_argument("--voices", default="slt,rms,awb,kal16")
    ap.add_argument("--echo", default="30:+6")
    ap.add_argument("--set", action="append", default=[], help="extra wyzer --set")
    a = ap.parse_args()
    n = held = cut = 0
    pauses = []
    with tempfile.TemporaryDirectory() as tmp:
        st = lat.Standin(tmp, lat.LONG_REPLY, 200)
        try:
            for v in a.voices.split(","):
                for text in PHRASES:
                    clip = os.path.join(tmp, "clip.wav")
                    labels = lat.build_clip(clip, [
                        ("sil", 800), ("say", v, gc.WAKE_TEXT), ("sil", 300),
                        ("say", v, "tell me a long story about the sea"), ("sil", a.gap),
                        ("say", v, text), ("sil", 4000)])
                    res = wzrun.run_wyzer(a.wyzer, clip, fast=True,
                                          sets=["llm.backend=ollama", "llm.url=" + st.url] + a.set,
                                          extra=["--echo", a.echo])
                    t0 = labels[2][1] - 200
                    ev = [e for e in res["events"] if e.get("audio_ms", -1) >= t0]
                    playing = any(e.get("event") == "tts_start" for e in res["events"])
                    h = [e for e in ev if e.get("event") == "playback_held"]
                    r = [e["held_ms"] for e in ev if e.get("event") == "playback_resumed"]
                    c = [e for e in ev if e.get("event") == "interrupted"]
                    n += 1
                    held += len(h)
                    cut += len(c)
                    pauses += r
                    print("%-6s %-38s %s held %d, resumed after %s ms, cut %d" %
                          (v, '"%s"' % text, "" if playing else "(NO REPLY)", len(h), r or "-", len(c)))
        finally:
            st.stop()
    print("%d sessions: %d holds, %d resumed (pause p50 %s ms, max %s ms), %d replies cut" %
          (n, held, len(pauses), wzrun.pctl(pauses, 50), max(pauses) if pauses else None, cut))


if __name__ == "__main__":
    main()
