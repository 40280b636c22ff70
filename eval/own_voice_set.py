#!/usr/bin/env python3
"""own_voice_set.py: replies that say the wake word, the stop phrase and
words like them, heard back through a simulated loudspeaker, with no user
speech over them: every wake word or stop phrase candidate is the reply's own
voice (docs/listening.md, "Own-voice check").

File mode, --fast (deterministic), the LLM stand-in reading TEXT below, for
each Flite voice (the reply in that voice too) and each --echo.  Each session
asks twice, 16 s apart, so the first reply after start-up and a later one
are both heard; the second request's wake word may cut into the first
reply, which is a real barge-in, not a self-trigger.  Prints the own-voice
figures (kept_db, echo_db, ref_corr) of every candidate from the debug log
and counts the candidates dropped as the reply's own voice.

  python3 eval/own_voice_set.py --wyzer build/wyzer [--echoes 30:+6,10:+0,100:+6,200:+6]
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

TEXT = ("Stop. Hey wiser. The store had it in stock. Hey, why is her car there? Stop now. "
        "A wise writer stopped by the shop. Hey wiser, stop. They were wiser than the kaiser. "
        "Please stop. Hey there, wiser. Top of the stock. Hey wiser. Stop that.")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wyzer", default="build/wyzer")
    ap.add_argument("--echoes", default="30:+6,10:+0,100:+6,200:+6")
    ap.add_argument("--voices", default="slt,rms,awb,kal16")
    ap.add_argument("--set", action="append", default=[], help="extra wyzer --set")
    a = ap.parse_args()
    dropped = 0
    with tempfile.TemporaryDirectory() as tmp:
        st = lat.Standin(tmp, TEXT, 200)
        try:
            for echo in a.echoes.split(","):
                for v in a.voices.split(","):
                    clip = os.path.join(tmp, "clip.wav")
                    lat.build_clip(clip, [
                        ("sil", 800), ("say", v, gc.WAKE_TEXT), ("sil", 300),
                        ("say", v, "tell me a story about the sea"), ("sil", 16000),
                        ("say", v, gc.WAKE_TEXT), ("sil", 300), ("say", v, "tell me another story"),
                        ("sil", 16000)])
                    wzrun.run_wyzer(a.wyzer, clip, fast=True,
                                    sets=["llm.backend=ollama", "llm.url=" + st.url,
                                          "tts.voice=" + v] + a.set,
                                    extra=["--echo", echo, "--log-level", "debug"], keep_dir=tmp)
                    print("echo %s, voice %s:" % (echo, v))
                    for line in wzrun.candidate_lines(os.path.join(tmp, "clip.wav.stderr.log")):
                        dropped += "reply's own voice" in line
                        print("    " + line)
        finally:
            st.stop()
    print("%d candidates dropped as the reply's own voice" % dropped)


if __name__ == "__main__":
    main()
