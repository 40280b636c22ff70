#!/usr/bin/env python3
"""endpoint_complete.py: what listen.complete_silence_ms costs and saves.

Commands are synthesised in two halves with a hesitation between them
(0/250/350/450 ms, the set bench_endpoint uses, plus the synthesisers' own
pauses), in 4 Flite and 2 espeak-ng voices, clean. Each clip runs through the
whole assistant (--no-hotword --fast, so the brain's verdict on each pause
decides exactly as it would in real time) once per setting. Reported per
setting:
  - cut: the utterance ended before the second half was said (speech_end
    audio_ms before the second half's start), so the rest was lost;
  - changed: the tool call differs from the one with the feature off;
  - reply delay: from the true end of speech to tts_start, p50 / p95.

Usage: python3 eval/endpoint_complete.py --wyzer build/wyzer [--settings 0,150,250]
"""
import argparse
import concurrent.futures as cf
import json
import os
import sys
import tempfile

import gen_corpus as gc
import wzrun

HALVES = [
    ("set a timer for", "five minutes"), ("remind me to", "call my sister tomorrow"),
    ("what is the weather", "in paris"), ("play some music by", "the beatles"),
    ("turn off the lights,", "in the kitchen"), ("add milk, eggs,", "and bread to the list"),
]
VOICES = [("flite", "slt"), ("flite", "awb"), ("flite", "rms"), ("flite", "kal16"),
          ("espeak", "en-us"), ("espeak", "en+m3")]
GAPS_MS = [0, 250, 350, 450]


def make_clips(tmp):
    clips = []
    for ei, (engine, voice) in enumerate(VOICES):
        for hi, (a, b) in enumerate(HALVES):
            pa = gc.synth(engine, voice, 1.0, a, tmp)
            pb = gc.synth(engine, voice, 1.0, b, tmp)
            for g in GAPS_MS:
                pcm = gc.silence(500) + pa + gc.silence(g) + pb + gc.silence(1500)
                path = os.path.join(tmp, "c_%d_%d_%d.wav" % (ei, hi, g))
                gc.write_wav16(path, pcm)
                second = 500 + (len(pa) // 2) * 1000 // gc.RATE + g
                end = second + (len(pb) // 2) * 1000 // gc.RATE
                clips.append({"path": path, "voice": voice, "text": a + " " + b, "gap": g,
                              "second_ms": second, "end_ms": end})
    return clips


def p_ms(xs, p):
    v = wzrun.pctl(xs, p)
    return None if v is None else round(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wyzer", default="build/wyzer")
    ap.add_argument("--settings", default="0,150,250")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    wzrun.kill_children_on_exit()
    settings = [int(x) for x in a.settings.split(",")]
    with tempfile.TemporaryDirectory(prefix="wz-epc.") as tmp:
        clips = make_clips(tmp)

        def one(job):
            c, cs = job
            res = wzrun.run_wyzer(a.wyzer, c["path"], extra=["--no-hotword"],
                                  sets=["listen.complete_silence_ms=%d" % cs])
            ev = res["events"]
            se = wzrun.first(ev, "speech_end")
            tc = wzrun.first(ev, "tool_call")
            ts = wzrun.first(ev, "tts_start")
            return (c["path"], cs), {
                "reason": se.get("reason") if se else None,
                "end_ms": se.get("audio_ms") if se else None,
                "tool": [tc.get("name"), tc.get("args")] if tc else None,
                "reply_ms": ts.get("audio_ms") - c["end_ms"] if ts else None}

        jobs = [(c, cs) for cs in settings for c in clips]
        with cf.ThreadPoolExecutor(max_workers=a.jobs) as ex:
            R = dict(ex.map(one, jobs))
    print("%d clips (%d voices x %d commands x hesitations %s ms), --no-hotword --fast"
          % (len(clips), len(VOICES), len(HALVES), "/".join(map(str, GAPS_MS))))
    print("| complete_silence_ms | ended early (complete) | cut (rest lost) | tool call changed "
          "| reply delay p50 / p95 ms, all clips | reply delay p50 ms, the clips that ended early (same clips, first setting) |")
    print("|---|---|---|---|---|---|")
    base = settings[0]
    for cs in settings:
        rows = [(c, R[(c["path"], cs)]) for c in clips]
        early = [c for c, r in rows if r["reason"] == "complete"]
        cut = [c for c, r in rows if r["end_ms"] is not None and r["end_ms"] < c["second_ms"]]
        changed = [c for c, r in rows if r["tool"] != R[(c["path"], base)]["tool"]]
        d = [r["reply_ms"] for _, r in rows if r["reply_ms"] is not None]
        de = [r["reply_ms"] for c, r in rows if c in early and r["reply_ms"] is not None]
        db = [R[(c["path"], base)]["reply_ms"] for c in early if R[(c["path"], base)]["reply_ms"] is not None]
        print("| %d | %d | %d | %d | %s / %s | %s (%s) |" % (
            cs, len(early), len(cut), len(changed), p_ms(d, 50), p_ms(d, 95), p_ms(de, 50), p_ms(db, 50)))
        for c in cut:
            print("  cut: %s, %d ms hesitation: \"%s\"" % (c["voice"], c["gap"], c["text"]), file=sys.stderr)
        for c in changed:
            print("  changed: %s, %d ms: \"%s\": %s -> %s" % (
                c["voice"], c["gap"], c["text"], json.dumps(R[(c["path"], settings[0])]["tool"]),
                json.dumps(R[(c["path"], cs)]["tool"])), file=sys.stderr)


if __name__ == "__main__":
    main()
