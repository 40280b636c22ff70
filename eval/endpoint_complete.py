#!/usr/bin/env python3
"""endpoint_complete.py: what listen.complete_silence_ms costs and saves.

Requests are synthesised in two halves with a hesitation between them
(0/250/350/450 ms, the set bench_endpoint uses, plus the synthesisers' own
pauses), in 4 Flite and 2 espeak-ng voices, clean; the first 6 pairs are
bench_endpoint's commands, the next 3 start with a whole command nothing in
the grammar extends ("what time is it ... in tokyo"), and 3 such commands are
also said alone. Each clip runs through the whole assistant (--no-hotword
--fast, so the brain's verdict on each pause decides exactly as it would in
real time) once per setting. A setting is "COMPLETE" or "COMPLETE/CLOSED":
listen.complete_silence_ms and listen.closed_silence_ms (0 = as complete).
Reported per setting:
  - ended early: speech_end reason complete or closed;
  - cut: the utterance ended before the second half was said (speech_end
    audio_ms before the second half's start), so the rest was lost;
  - changed: the tool call differs from the one with the first setting;
  - reply delay: from the true end of speech to tts_start, p50 / p95.

Usage: python3 eval/endpoint_complete.py --wyzer build/wyzer [--settings 0/0,250/0,250/120]
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
    ("what time is it", "in tokyo"), ("turn the volume up", "a little bit"),
    ("how much time is left", "on the pasta timer"),
]
N_BENCH = 6  # the first 6 pairs are bench_endpoint's commands
ALONE = ["what time is it", "turn the volume up", "cancel all timers"]
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
                              "second_ms": second, "end_ms": end,
                              "group": "halves" if hi < N_BENCH else "closed+more"})
        for ai, a in enumerate(ALONE):
            pa = gc.synth(engine, voice, 1.0, a, tmp)
            path = os.path.join(tmp, "a_%d_%d.wav" % (ei, ai))
            gc.write_wav16(path, gc.silence(500) + pa + gc.silence(1500))
            end = 500 + (len(pa) // 2) * 1000 // gc.RATE
            clips.append({"path": path, "voice": voice, "text": a, "gap": None,
                          "second_ms": end, "end_ms": end, "group": "alone"})
    return clips


def p_ms(xs, p):
    v = wzrun.pctl(xs, p)
    return None if v is None else round(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wyzer", default="build/wyzer")
    ap.add_argument("--settings", default="0/0,250/0,250/120")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", help="also write every clip's result here")
    a = ap.parse_args()
    wzrun.kill_children_on_exit()
    settings = [tuple(int(v) for v in (x + "/0").split("/")[:2]) for x in a.settings.split(",")]
    with tempfile.TemporaryDirectory(prefix="wz-epc.") as tmp:
        clips = make_clips(tmp)

        def one(job):
            c, cs = job
            res = wzrun.run_wyzer(a.wyzer, c["path"], extra=["--no-hotword"],
                                  sets=["listen.complete_silence_ms=%d" % cs[0],
                                        "listen.closed_silence_ms=%d" % cs[1]])
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
    print("%d clips (%d voices x (%d requests x hesitations %s ms + %d commands alone)), --no-hotword --fast"
          % (len(clips), len(VOICES), len(HALVES), "/".join(map(str, GAPS_MS)), len(ALONE)))
    if a.json:
        with open(a.json, "w") as f:
            json.dump([dict(c, setting=list(cs), **R[(c["path"], cs)]) for cs in settings for c in clips], f)
    n_h = sum(c["group"] == "halves" for c in clips)
    n_m = sum(c["group"] == "closed+more" for c in clips)
    n_a = len(clips) - n_h - n_m
    print("| complete / closed silence ms | ended early (complete + closed) | cut: %d bench_endpoint halves "
          "| cut: %d closed command + more | tool call changed | reply delay p50 / p95 ms, all clips "
          "| reply delay p50 ms, %d commands alone | reply delay p50 ms, early and not cut (same clips, first setting) |"
          % (n_h, n_m, n_a))
    print("|---|---|---|---|---|---|---|---|")
    base = settings[0]
    for cs in settings:
        rows = [(c, R[(c["path"], cs)]) for c in clips]
        early = [c for c, r in rows if r["reason"] in ("complete", "closed")]
        closed = [c for c, r in rows if r["reason"] == "closed"]
        cut = [c for c, r in rows if r["end_ms"] is not None and r["end_ms"] < c["second_ms"]]
        changed = [c for c, r in rows if r["tool"] != R[(c["path"], base)]["tool"]]
        d = [r["reply_ms"] for _, r in rows if r["reply_ms"] is not None]
        da = [r["reply_ms"] for c, r in rows if c["group"] == "alone" and r["reply_ms"] is not None]
        kept = [c for c in early if c not in cut]
        de = [R[(c["path"], cs)]["reply_ms"] for c in kept if R[(c["path"], cs)]["reply_ms"] is not None]
        db = [R[(c["path"], base)]["reply_ms"] for c in kept if R[(c["path"], base)]["reply_ms"] is not None]
        print("| %d / %d | %d (%d + %d) | %d | %d | %d | %s / %s | %s | %s (%s) |" % (
            cs[0], cs[1], len(early), len(early) - len(closed), len(closed),
            sum(c["group"] == "halves" for c in cut), sum(c["group"] == "closed+more" for c in cut),
            len(changed), p_ms(d, 50), p_ms(d, 95), p_ms(da, 50), p_ms(de, 50), p_ms(db, 50)))
        for c in cut:
            print("  %d/%d cut: %s, %s ms hesitation: \"%s\"" % (cs[0], cs[1], c["voice"], c["gap"], c["text"]),
                  file=sys.stderr)
        for c in changed:
            print("  %d/%d changed: %s, %s ms: \"%s\": %s -> %s" % (cs[0], cs[1],
                c["voice"], c["gap"], c["text"], json.dumps(R[(c["path"], base)]["tool"]),
                json.dumps(R[(c["path"], cs)]["tool"])), file=sys.stderr)


if __name__ == "__main__":
    main()
