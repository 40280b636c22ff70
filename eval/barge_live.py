#!/usr/bin/env python3
"""barge_live.py: live barge-in latency, run by eval/barge_live.sh (which
starts the private PulseAudio server and its stereo "room" sink).

Each session: the user says "hey wiser ... tell me a long story about the
sea"; the LLM stand-in (tests/standins/llm_standin.py, Ollama wire format)
answers at length; 1.5-3 s into the spoken reply the user says "hey wiser"
again. Measured on the recording of the room (see barge_live.sh):
  barge-in = end of reply audio after the wake word - end of the wake word
where the user's voice is left minus right, and the reply the right channel.
Only a barge-in that happened counts (an `interrupted` event, reason wake,
after the user's wake word); the rest are reported as missed.
Also reported from Wyzer's own events: interrupted.audio_ms - wake.audio_ms
(both on the capture timeline), the part the core can see."""
import argparse
import array
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_corpus as gc  # noqa: E402
import latency as lat  # noqa: E402
import wzrun  # noqa: E402

RATE = 16000
LEAD_MS = 200  # silence around each thing the user says, so pacat's start-up clips nothing
THRESH = 300   # the level latency.py calls sound
# The reply has stopped where it stays silent this long: its own sentence
# gaps are shorter (a 100 ms gap right after the wake word read as a 0 ms
# barge-in), and after a barge-in nothing plays for seconds.
QUIET_MS = 800


def write_raw(path, pcm):
    with open(path, "wb") as f:
        f.write(gc.silence(LEAD_MS) + pcm + gc.silence(LEAD_MS))
    return LEAD_MS + len(pcm) * 1000 // (2 * RATE)  # where the speech ends in the file, ms


def say(path):
    """Plays a raw 16 kHz mono file into the room's left channel; returns
    the monotonic time it started."""
    t = time.monotonic()
    with open(path, "rb") as f:
        subprocess.run(["pacat", "-p", "-d", "room", "--raw", "--channel-map=front-left", "--channels=1",
                        "--rate=16000", "--format=s16le", "--latency-msec=20"], stdin=f, check=True)
    return t


def count(events, name):
    return sum(1 for e in events if e.get("event") == name)


def wait_events(path, pred, timeout):
    """Reads the events file every 50 ms until pred(events) holds (True) or
    timeout seconds pass (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred(wzrun.read_events(path)):
            return True
        time.sleep(0.05)
    return False


def idle(events):
    states = [e for e in events if e.get("event") == "state"]
    return bool(states) and states[-1].get("to") == "idle"


def first_above(x, start, thresh=THRESH):
    for i in range(max(0, start), len(x)):
        if abs(x[i]) > thresh:
            return i
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wyzer", default="build/wyzer")
    ap.add_argument("--out", default="build/eval/barge-live")
    ap.add_argument("--n", type=int, default=8, help="sessions (barge-ins)")
    ap.add_argument("--set", action="append", default=[], help="extra --set for wyzer")
    ap.add_argument("--report", metavar="DIR", help="only measure the sessions recorded in DIR again")
    a = ap.parse_args()
    if a.report:
        return report(a.report)
    os.makedirs(a.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="wz-barge-live.")
    wzrun.kill_children_on_exit()
    clips = []
    for i in range(a.n):
        v = lat.VOICES[i % len(lat.VOICES)]
        pa = os.path.join(tmp, "a%d.raw" % i)
        pb = os.path.join(tmp, "b%d.raw" % i)
        ask = gc.synth("flite", v, 1.0, gc.WAKE_TEXT, tmp) + gc.silence(300) + \
            gc.synth("flite", v, 1.0, "tell me a long story about the sea", tmp)
        write_raw(pa, ask)
        wake_pcm = gc.synth("flite", v, 1.0, gc.WAKE_TEXT, tmp)
        b_end = write_raw(pb, wake_pcm)
        b = array.array("h")
        b.frombytes(open(pb, "rb").read())
        clips.append({"voice": v, "a": pa, "b": pb, "b_end_ms": b_end, "b_onset": first_above(b, 0)})

    # A reply of ~20 s: long enough to interrupt, short enough that a missed
    # barge-in ends before the next session.
    reply = ". ".join(lat.LONG_REPLY.split(". ")[:4]) + "."
    st = lat.Standin(tmp, reply, 200)
    rec_path = os.path.join(a.out, "room.raw")
    rec = subprocess.Popen(["parec", "-d", "room.monitor", "--format=s16le", "--rate=16000", "--channels=2",
                            "--raw", "--latency-msec=10"], stdout=open(rec_path, "wb"))
    t_rec = time.monotonic()
    ev_path = os.path.join(a.out, "events.jsonl")
    env = wzrun.sandbox_env(tmp)
    cmd = [a.wyzer, "--events", "--log-level", "debug"]
    for s in wzrun.SANDBOX_SETS + ["llm.backend=ollama", "llm.url=" + st.url] + a.set:
        cmd += ["--set", s]
    w = subprocess.Popen(cmd, stdout=open(ev_path, "wb"), stderr=open(os.path.join(a.out, "stderr.log"), "wb"),
                         env=env, start_new_session=True)
    t_w = time.monotonic()
    if not wait_events(ev_path, lambda evs: count(evs, "ready") > 0, 90):
        print("barge_live: wyzer never became ready; see %s/stderr.log" % a.out, file=sys.stderr)
        return 1
    time.sleep(1.0)
    for i, c in enumerate(clips):
        n_tts = count(wzrun.read_events(ev_path), "tts_start")
        c["t_a"] = say(c["a"])
        c["replied"] = wait_events(ev_path, lambda evs: count(evs, "tts_start") > n_tts, 15)
        time.sleep(1.5 + 0.5 * (i % 4))
        c["t_b"] = say(c["b"])
        # After the barge-in Wyzer listens for a request that never comes
        # and goes back to idle; a missed one plays the reply to its end.
        time.sleep(1.0)
        wait_events(ev_path, idle, 40)
        time.sleep(0.8)
        print("  session %d (%s): reply %s" % (i, c["voice"], "yes" if c["replied"] else "NO"),
              file=sys.stderr, flush=True)
    w.send_signal(signal.SIGTERM)
    try:
        w.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(w.pid, 9)
    rec.terminate()
    rec.wait()
    st.stop()

    meta = {"t_rec": t_rec, "t_w": t_w, "clips": [{k: c[k] for k in ("voice", "b_end_ms", "b_onset", "t_a", "t_b",
                                                                   "replied")} for c in clips]}
    json.dump(meta, open(os.path.join(a.out, "sessions.json"), "w"), indent=1)
    shutil.rmtree(tmp, ignore_errors=True)
    return report(a.out)


def report(out):
    """Measures the sessions recorded in out (room.raw, events.jsonl,
    sessions.json) and writes barge_live.md / barge_live.json there."""
    meta = json.load(open(os.path.join(out, "sessions.json")))
    t_rec, t_w, clips = meta["t_rec"], meta["t_w"], meta["clips"]
    rec_path = os.path.join(out, "room.raw")
    raw = array.array("h")
    raw.frombytes(open(rec_path, "rb").read()[:os.path.getsize(rec_path) // 4 * 4])
    left, right = raw[0::2], raw[1::2]
    user = array.array("i", (l - r for l, r in zip(left, right)))
    evs = wzrun.read_events(os.path.join(out, "events.jsonl"))
    rows = []
    for i, c in enumerate(clips):
        guess = int((c["t_b"] - t_rec) * RATE) - RATE // 2
        on = first_above(user, guess)
        row = {"session": i, "voice": c["voice"], "replied": c["replied"], "value_ms": None}
        if on is None:
            row["error"] = "the wake word is not in the recording"
            rows.append(row)
            continue
        wake_end = (on - c["b_onset"]) / 16.0 + c["b_end_ms"]
        playing = any(abs(x) > THRESH for x in right[int(wake_end - 400) * 16:int(wake_end - 200) * 16])
        stop = lat.sound_end_ms(right, int(wake_end) - lat.STOP_SEARCH_MS, quiet_ms=QUIET_MS)
        t0 = (c["t_b"] - t_w) * 1000 - 500
        held = [e for e in evs if e.get("event") == "playback_held" and t0 <= e.get("t_ms", 0) <= t0 + 5000]
        intr = [e for e in evs if e.get("event") == "interrupted" and e.get("reason") == "wake"
                and e.get("t_ms", 0) >= t0 and e.get("t_ms", 0) <= t0 + 5000]
        row.update(wake_end_ms=round(wake_end), playing=playing, barged=bool(intr),
                   stop_ms=stop and round(stop))
        if playing and intr and stop is not None:
            row["value_ms"] = round(stop - wake_end)
        if intr and held and held[-1]["t_ms"] <= intr[0]["t_ms"]:
            row["held_ms"] = intr[0]["audio_ms"] - held[-1]["audio_ms"]  # stage 2's check, reply held
        rows.append(row)

    xs = [r["value_ms"] for r in rows if r["value_ms"] is not None]
    checks = [r["held_ms"] for r in rows if "held_ms" in r]
    resumed = [e["held_ms"] for e in evs if e.get("event") == "playback_resumed"]
    own = count(evs, "own_voice")
    summ = {"n": len(rows), "measured": len(xs), "p50_ms": wzrun.pctl(xs, 50), "p95_ms": wzrun.pctl(xs, 95),
            "max_ms": max(xs) if xs else None, "held_p50_ms": wzrun.pctl(checks, 50),
            "held_max_ms": max(checks) if checks else None, "resumed": len(resumed),
            "resumed_max_ms": max(resumed) if resumed else None,
            "underruns": sum(e.get("new_underruns", 0) for e in evs if e.get("event") == "xrun"),
            "missed": sum(1 for r in rows if r.get("playing") and not r.get("barged")),
            "not_playing": sum(1 for r in rows if not r.get("playing")),
            "own_voice": own, "replies": count(evs, "tts_start")}
    json.dump({"summary": summ, "rows": rows}, open(os.path.join(out, "barge_live.json"), "w"),
              indent=1)
    with open(os.path.join(out, "barge_live.md"), "w") as f:
        f.write("# Live barge-in (PulseAudio room, echo 6 dB over the user)\n\n")
        f.write("| sessions | measured | p50 ms | p95 ms | max ms | missed | no reply playing |\n")
        f.write("|---|---|---|---|---|---|---|\n")
        f.write("| %d | %d | %s | %s | %s | %d | %d |\n\n" % (
            summ["n"], summ["measured"], summ["p50_ms"], summ["p95_ms"], summ["max_ms"], summ["missed"],
            summ["not_playing"]))
        f.write("reply held for stage 2 before a barge-in: p50 %s ms, max %s ms (capture clock); "
                "held and played on (candidate rejected): %d times, longest %s ms; own_voice drops: %d; "
                "output underruns: %d; replies: %d\n\n" % (
                    summ["held_p50_ms"], summ["held_max_ms"], summ["resumed"], summ["resumed_max_ms"],
                    summ["own_voice"], summ["underruns"], summ["replies"]))
        for r in rows:
            f.write("- %s\n" % json.dumps(r))
    print(open(os.path.join(out, "barge_live.md")).read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
