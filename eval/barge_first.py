#!/usr/bin/env python3
"""barge_first.py: barge-ins into the FIRST reply after start-up, where the
echo canceller is still learning (docs/listening.md, "Own-voice check").

File mode, --fast, --echo 30:+6 (deterministic), the LLM stand-in reading a
long reply.  Each session: "hey wiser, tell me a long story about the sea",
GAP ms of silence, then "hey wiser, what time is it" over the reply, in each
Flite voice.  Prints whether the user's wake word interrupted the reply and
the own-voice figures of every wake word candidate from the debug log
(kept_db, echo_db, ref_corr).

  python3 eval/barge_first.py --wyzer build/wyzer [--gaps 1500,2000,2500,3000]
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wyzer", default="build/wyzer")
    ap.add_argument("--gaps", default="1500,2000,2500,3000",
                    help="ms of silence between the request and the barge-in")
    ap.add_argument("--voices", default="slt,rms,awb,kal16")
    ap.add_argument("--echo", default="30:+6")
    ap.add_argument("--set", action="append", default=[], help="extra wyzer --set")
    a = ap.parse_args()
    heard = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        st = lat.Standin(tmp, lat.LONG_REPLY, 200)
        try:
            for v in a.voices.split(","):
                for gap in (int(x) for x in a.gaps.split(",")):
                    clip = os.path.join(tmp, "clip.wav")
                    labels = lat.build_clip(clip, [
                        ("sil", 800), ("say", v, gc.WAKE_TEXT), ("sil", 300),
                        ("say", v, "tell me a long story about the sea"), ("sil", gap),
                        ("say", v, gc.WAKE_TEXT), ("sil", 300), ("say", v, "what time is it"),
                        ("sil", 6000)])
                    res = wzrun.run_wyzer(a.wyzer, clip, fast=True,
                                          sets=["llm.backend=ollama", "llm.url=" + st.url] + a.set,
                                          extra=["--echo", a.echo, "--log-level", "debug"],
                                          keep_dir=tmp)
                    ev = res["events"]
                    tts = [e["audio_ms"] for e in ev if e.get("event") == "tts_start"]
                    user_start = labels[2][1]
                    ok = any(e.get("event") == "interrupted" and e.get("reason") == "wake"
                             and e.get("audio_ms", -1) >= user_start - 200 for e in ev)
                    total += 1
                    heard += ok
                    into = user_start - tts[0] if tts else None
                    print("%-6s gap %4d ms: wake word %s ms into the reply, %s" %
                          (v, gap, into, "heard" if ok else "MISSED"))
                    for line in wzrun.candidate_lines(os.path.join(tmp, "clip.wav.stderr.log")):
                        print("    " + line)
        finally:
            st.stop()
    print("heard %d of %d" % (heard, total))


if __name__ == "__main__":
    main()
