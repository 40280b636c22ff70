#!/usr/bin/env python3
"""latency.py: real-time (no --fast) latency runs of build/wyzer.

  fast path   "hey wiser" + a router command; latency = first non-silent
              sample of --output after the labelled end of speech minus
              that end (so end-of-speech detection is included).
  LLM path    a free question answered by the LLM stand-in
              (tests/standins/llm_standin.py, --ttft-ms 200) over the
              Ollama wire format; same measure.
  barge-in    a long LLM reply; "hey wiser" said during it; measure from
              the end of that wake word to the end of reply audio
              (negative: it stopped before the wake word ended).
  stop        the same reply; "stop" said during it; the same measure from
              the end of "stop", and no new request may start.
Each session says a first request (a router command) and then the measured
one, 9 s apart; the first is reported separately.
Every run uses --echo 30:+6 (the reply leaks back into the microphone 30 ms
later, 6 dB louder), and counts self-triggers: wake events while speaking
that are not the user's wake word.
Clips are synthesised here (flite, deterministic), 16 kHz mono."""
import argparse
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_corpus as gc  # noqa: E402
import wzrun  # noqa: E402

ECHO = "30:+6"
FAST_CMDS = ["what time is it", "what's the date", "set a timer for five minutes",
             "turn the volume up", "what's the weather", "next song",
             "how much time is left", "system status", "pause the music",
             "cancel the timer"]
LLM_QS = ["tell me a story about a dragon who lives in the mountains",
          "who was the first president of the united states",
          "how far away is the moon from the earth",
          "explain how photosynthesis works in simple words"]
VOICES = ["rms", "slt", "kal16", "awb"]
LONG_REPLY = " ".join(
    "Sentence number %d of a deliberately long answer keeps talking for a while so that "
    "the user has time to interrupt it." % i for i in range(1, 13))


def build_clip(path, parts):
    """parts: list of ("sil", ms) or ("say", voice, text).  Returns labels:
    list of (text, start_ms, end_ms) for each spoken part."""
    labels, pcm = [], b""
    with tempfile.TemporaryDirectory() as tmp:
        for p in parts:
            if p[0] == "sil":
                pcm += gc.silence(p[1])
            else:
                s = gc.synth("flite", p[1], 1.0, p[2], tmp)
                start = len(pcm) * 1000 // (2 * gc.RATE)
                pcm += s
                labels.append((p[2], start, len(pcm) * 1000 // (2 * gc.RATE)))
    gc.write_wav16(path, pcm)
    return labels


def read_out(path):
    """--output as a list of (16 kHz mono) samples, via sox."""
    if not os.path.exists(path):
        return []
    raw = gc.read_wav16(path)
    import array
    a = array.array("h")
    a.frombytes(raw[: len(raw) // 2 * 2])
    return a


# Barge-in: the reply must be playing 200-400 ms before the end of the wake
# word, and its stop is looked for from 200 ms before that end.
STOP_SEARCH_MS = 200
# What the user says to stop a reply (bargein.stop_phrase's default).
STOP_TEXT = "stop"


def first_sound_ms(samples, after_ms, thresh=300):
    i = max(0, after_ms * 16)
    while i < len(samples):
        if abs(samples[i]) > thresh:
            return i / 16.0
        i += 1
    return None


def sound_end_ms(samples, after_ms, thresh=300, quiet_ms=100):
    """Start of the first silent run of quiet_ms after after_ms."""
    i, run_start = max(0, after_ms * 16), None
    q = quiet_ms * 16
    while i < len(samples):
        if abs(samples[i]) > thresh:
            run_start = None
        elif run_start is None:
            run_start = i
        elif i - run_start >= q:
            return run_start / 16.0
        i += 1
    return run_start / 16.0 if run_start is not None else None


def self_triggers(events, user_wakes, user_stops=()):
    """Wake events while speaking whose audio_ms is not within a user's
    wake word (detected start - 200 ms .. end + 1500 ms), and stop-phrase barge-ins
    not within a "stop" the user said (the same window)."""
    state, n = "idle", 0
    for e in events:
        if e.get("event") == "state":
            state = e.get("to")
        elif e.get("event") == "interrupted" and e.get("reason") == "stop":
            t = e.get("audio_ms", -1)
            if not any(s - 200 <= t <= e2 + 1500 for s, e2 in user_stops):
                n += 1  # the reply stopped itself
        elif e.get("event") == "wake" and state in ("speaking", "thinking"):
            # detect_ms, not audio_ms: audio_ms of every wake after the first
            # turn is wrong (bug reported in docs/benchmarks.md).
            t = e.get("detect_ms", -1)
            if not any(s - 200 <= t <= e2 + 1500 for s, e2 in user_wakes):
                n += 1
    return n


class Standin:
    def __init__(self, tmp, text, ttft_ms):
        self.p, self.url = wzrun.start_llm_standin(
            os.path.join(tmp, "port"), ["--ttft-ms", str(ttft_ms), "--text", text])

    def stop(self):
        self.p.kill()
        self.p.wait()


def session(v, first, second, tail_ms, after=()):
    """Clip parts: two requests 9 s apart (the first one right after start-up,
    reported apart), then tail_ms of silence and the optional after parts."""
    return [("sil", 800), ("say", v, gc.WAKE_TEXT), ("sil", 300), ("say", v, first), ("sil", 9000),
            ("say", v, gc.WAKE_TEXT), ("sil", 300), ("say", v, second), ("sil", tail_ms)] + list(after)


def reply_delay_ms(samples, after_ms, before_ms=None):
    """ms from after_ms to the first reply sound; None if none (or none
    before before_ms)."""
    fs = first_sound_ms(samples, after_ms)
    return None if fs is None or (before_ms is not None and fs >= before_ms) else round(fs - after_ms)


def one(wyzer, tmp, name, parts, sets=(), keep=None):
    clip = os.path.join(tmp, name + ".wav")
    out = os.path.join(tmp, name + ".out.wav")
    labels = build_clip(clip, parts)
    res = wzrun.run_wyzer(wyzer, clip, out_wav=out, fast=False, sets=sets,
                          extra=["--echo", ECHO], keep_dir=keep)
    return labels, res, read_out(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wyzer", default="build/wyzer")
    ap.add_argument("--out", default="build/eval/latency")
    ap.add_argument("--n-fast", type=int, default=len(FAST_CMDS))
    ap.add_argument("--n-llm", type=int, default=len(LLM_QS))
    ap.add_argument("--n-barge", type=int, default=3)
    ap.add_argument("--n-stop", type=int, default=4)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a configuration override for every run (repeatable)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    keep = os.path.join(a.out, "runs")
    R = {"fast": [], "llm": [], "barge": [], "stop": [], "self_triggers": 0, "replies": 0,
         "broken": []}
    with tempfile.TemporaryDirectory(prefix="wz-lat.") as tmp:
        def record(kind, name, labels, res, samples, end_ms, measure):
            wakes = [(s, e) for t, s, e in labels if t == gc.WAKE_TEXT]
            stops = [(s, e) for t, s, e in labels if t == STOP_TEXT]
            st = self_triggers(res["events"], wakes, stops)
            replies = sum(1 for e in res["events"] if e.get("event") == "tts_start")
            R["self_triggers"] += st
            R["replies"] += replies
            broken = res["timed_out"] or res["rc"] not in (0, 1)
            if broken:
                R["broken"].append({"clip": name, "rc": res["rc"],
                                    "timed_out": res["timed_out"],
                                    "stderr": res["stderr_tail"][-400:]})
            row = {"clip": name, "rc": res["rc"], "self_triggers": st,
                   "replies": replies, "value_ms": measure,
                   "woke": any(e.get("event") == "wake" for e in res["events"]),
                   "tool_call": [e.get("name") for e in res["events"] if e.get("event") == "tool_call"],
                   "transcript": [e.get("text") for e in res["events"] if e.get("event") == "transcript"]}
            R[kind].append(row)
            print("  %s %s: %s ms (self-triggers %d)" % (kind, name, measure, st),
                  file=sys.stderr, flush=True)

        for i in range(a.n_fast):
            v = VOICES[i % len(VOICES)]
            name = "fast_%02d" % i
            # Two turns per session: the first request after start-up and a
            # second one 9 s later, reported separately (the first one has
            # failed with "queue full" in real time, see docs/benchmarks.md).
            labels, res, smp = one(a.wyzer, tmp, name, session(
                v, FAST_CMDS[i % len(FAST_CMDS)], FAST_CMDS[(i + 1) % len(FAST_CMDS)], 7000), sets=a.set, keep=keep)
            end2 = labels[3][2]
            record("fast", name, labels, res, smp, end2, reply_delay_ms(smp, end2))
            R["fast"][-1]["first_turn_ms"] = reply_delay_ms(smp, labels[1][2], labels[2][1])

        st = Standin(tmp, "It is a short answer from the test server.", 200)
        try:
            for i in range(a.n_llm):
                v = VOICES[i % len(VOICES)]
                name = "llm_%02d" % i
                labels, res, smp = one(a.wyzer, tmp, name, session(
                    v, "what time is it", LLM_QS[i % len(LLM_QS)], 8000),
                    sets=a.set + ["llm.backend=ollama", "llm.url=" + st.url], keep=keep)
                end = labels[-1][2]
                record("llm", name, labels, res, smp, end, reply_delay_ms(smp, end))
                R["llm"][-1]["first_turn_ms"] = reply_delay_ms(smp, labels[1][2], labels[2][1])
        finally:
            st.stop()

        def interrupt(kind, n, said, reason):
            """Sessions whose long reply the user interrupts with `said`,
            which must end it with an `interrupted` of this reason."""
            for i in range(n):
                v = VOICES[i % len(VOICES)]
                name = "%s_%02d" % (kind, i)
                # The reply starts ~1-2 s after the question; the user
                # interrupts 5 s into the clip's silence, well inside it.
                labels, res, smp = one(a.wyzer, tmp, name, session(
                    v, "what time is it", "tell me a long story about the sea", 5000,
                    after=[("say", v, said), ("sil", 8000)]),
                    sets=a.set + ["llm.backend=ollama", "llm.url=" + st.url], keep=keep)
                said_end = labels[-1][2]
                # Reply audio must be playing when the user speaks, or the
                # run measures nothing.
                playing = any(abs(x) > 300 for x in smp[(said_end - 400) * 16:(said_end - 200) * 16])
                # The reply has stopped where it stays silent for 800 ms:
                # its own sentence gaps are shorter, and a 100 ms gap right
                # after the wake word read as a 0 ms barge-in.  The search
                # starts STOP_SEARCH_MS before the end of what was said, so
                # a reply held before that end measures negative.
                stop = sound_end_ms(smp, said_end - STOP_SEARCH_MS, quiet_ms=800)
                # Only an interruption that happened counts: an `interrupted`
                # of this reason for what the user said.  Otherwise the
                # reply went on and the next silence is just a sentence gap.
                barged = any(e.get("event") == "interrupted" and e.get("reason") == reason
                             and e.get("audio_ms", -1) >= labels[-1][1] - 200
                             for e in res["events"])
                val = round(stop - said_end) if (playing and barged and stop is not None) else None
                record(kind, name, labels, res, smp, said_end, val)
                row = R[kind][-1]
                row["reply_playing_at_wake"] = playing
                row["barge_in_detected"] = barged
                row["interrupted"] = [e for e in res["events"] if e.get("event") == "interrupted"]
                # Two requests per session; a third transcript is a request
                # the interruption started.
                row["new_request"] = sum(1 for e in res["events"] if e.get("event") == "transcript") > 2

        st = Standin(tmp, LONG_REPLY, 200)
        try:
            interrupt("barge", a.n_barge, gc.WAKE_TEXT, "wake")
            interrupt("stop", a.n_stop, STOP_TEXT, "stop")
        finally:
            st.stop()

    summ = {}
    for k in ("fast", "llm", "barge", "stop"):
        xs = [r["value_ms"] for r in R[k] if r["value_ms"] is not None]
        summ[k] = {"n": len(R[k]), "measured": len(xs), "p50_ms": wzrun.pctl(xs, 50),
                   "p95_ms": wzrun.pctl(xs, 95), "max_ms": max(xs) if xs else None}
    firsts = [r.get("first_turn_ms") for r in R["fast"] + R["llm"]]
    summ["first_turn"] = {"n": len(firsts), "answered": sum(x is not None for x in firsts),
                          "values_ms": firsts}
    R["summary"] = summ
    with open(os.path.join(a.out, "latency.json"), "w") as f:
        json.dump(R, f, indent=1)
    md = ["# Latency (real-time pacing, --echo %s)" % ECHO, "",
          "| run | clips | measured | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|---|"]
    names = {"fast": "response, fast path (router)", "llm": "response, LLM path (stand-in TTFT 200 ms)",
             "barge": "barge-in: end of wake word to end of reply audio",
             "stop": "stop phrase: end of \"stop\" to end of reply audio"}
    for k in ("fast", "llm", "barge", "stop"):
        s = summ[k]
        f = lambda v: "-" if v is None else "%.0f" % v
        md.append("| %s | %d | %d | %s | %s | %s |" % (names[k], s["n"], s["measured"],
                                                     f(s["p50_ms"]), f(s["p95_ms"]), f(s["max_ms"])))
    for k in ("barge", "stop"):
        summ[k]["missed"] = sum(1 for r in R[k] if r.get("reply_playing_at_wake")
                                and not r.get("barge_in_detected"))
        summ[k]["not_playing"] = sum(1 for r in R[k] if not r.get("reply_playing_at_wake"))
    summ["stop"]["new_requests"] = sum(1 for r in R["stop"] if r.get("new_request"))
    ft = summ["first_turn"]
    md += ["", "barge-in: %d missed (reply playing, wake word not acted on), %d with no reply "
           "playing at the wake word" % (summ["barge"]["missed"], summ["barge"]["not_playing"]),
           "", "stop phrase: %d missed (reply playing, \"stop\" not acted on), %d with no reply "
           "playing, %d that started a new request" % (
               summ["stop"]["missed"], summ["stop"]["not_playing"], summ["stop"]["new_requests"])]
    md += ["", "the first request of each session (a router command) was answered in %d of %d "
           "sessions (%s ms); the table measures the second request" % (
               ft["answered"], ft["n"], ", ".join(str(x) for x in ft["values_ms"] if x is not None) or "-"),
           "", "self-triggers: %d over %d replies; broken runs: %d" % (
        R["self_triggers"], R["replies"], len(R["broken"])), ""]
    with open(os.path.join(a.out, "latency.md"), "w") as f:
        f.write("\n".join(md))
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    wzrun.kill_children_on_exit()
    sys.exit(main())
