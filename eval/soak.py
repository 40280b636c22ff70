#!/usr/bin/env python3
"""soak.py: drives a live build/wyzer session (PulseAudio set up by
soak.sh) for a bounded time and checks that it keeps running.

  speech   "hey wiser" + a request, in a loop, written in real time to the
           pipe source (silence in between, so the mic never starves);
           requests alternate router commands, timers and LLM questions
  faults   SIGKILL of the brain at random moments; SIGSTOP of the brain
           for 5 s (the queues fill while it stalls; the watchdog may
           restart it); an LLM stand-in that drops every third connection
           mid-stream; corrupt WAVs fed to separate --input sessions
  records  RSS and fd count of every wyzer process every 2 s (/proc),
           dropped audio frames (error events), every request's outcome:
           answered (response ok), clear error (error event or response
           ok:false), or no answer within 30 s
Fails if RSS grows > 1 MB per 10 min (least-squares slope after a 60 s
warm-up, for processes alive >= 120 s), an fd count grows, a request gets
no answer, or a corrupt WAV crashes/hangs wyzer."""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_corpus as gc  # noqa: E402
import wzrun  # noqa: E402

REQUESTS = ["what time is it", "set a timer for one hour",
            "who was the first president of the united states",
            "what's the date", "remember that my car is parked on level three",
            "how far away is the moon from the earth", "what do you remember",
            "how much time is left"]


def proc_stat(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        fds = len(os.listdir("/proc/%d/fd" % pid))
        return rss, fds
    except (OSError, StopIteration):
        return None


def children(pid):
    out = {}
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                for c in f.read().split():
                    with open("/proc/%s/comm" % c) as g:
                        out[g.read().strip()] = int(c)
    except OSError:
        pass
    return out


def response_delays(events):
    """Live response delay per answered request: tts_start.audio_ms minus
    speech_end.audio_ms (docs/events.md; end-of-speech detection included,
    since speech_end.audio_ms is the end of the last speech)."""
    out, end = [], None
    for e in events:
        if e.get("event") == "speech_end":
            end = e.get("audio_ms")
        elif e.get("event") == "tts_start" and end is not None:
            out.append(e.get("audio_ms") - end)
            end = None
        elif e.get("event") in ("error", "wake"):
            end = None
    return out


def slope_kb_per_10min(samples):
    """Least-squares slope of (t_s, rss_kb) samples, in KB per 600 s."""
    n = len(samples)
    if n < 3:
        return 0.0
    mt = sum(t for t, _ in samples) / n
    mr = sum(r for _, r in samples) / n
    den = sum((t - mt) ** 2 for t, _ in samples)
    return 600.0 * sum((t - mt) * (r - mr) for t, r in samples) / den if den else 0.0


class Feeder(threading.Thread):
    """Writes 16 kHz s16 mono to the pipe source in real time."""

    def __init__(self, fifo, clips, stop):
        super().__init__(daemon=True)
        self.fifo, self.clips, self.stop = fifo, clips, stop
        self.said = []  # (wall time the request ended, text)

    def run(self):
        fd = os.open(self.fifo, os.O_WRONLY)
        chunk = 640  # 20 ms
        t_next = time.monotonic()
        i = 0
        while not self.stop.is_set():
            text, pcm = self.clips[i % len(self.clips)]
            i += 1
            for off in range(0, len(pcm), chunk):
                if self.stop.is_set():
                    break
                os.write(fd, pcm[off:off + chunk].ljust(chunk, b"\0"))
                t_next += 0.02
                d = t_next - time.monotonic()
                if d > 0:
                    time.sleep(d)
            self.said.append((time.monotonic(), text))
        os.close(fd)


def corrupt_wavs(tmp, good):
    data = open(good, "rb").read()
    cases = {
        "truncated_header.wav": data[:30],
        "garbage.wav": bytes(random.Random(7).randrange(256) for _ in range(50000)),
        "huge_data_size.wav": data[:40] + (0x7FFFFFF0).to_bytes(4, "little") + data[44:],
        "zero_channels.wav": data[:22] + b"\0\0" + data[24:],
        "bad_rate.wav": data[:24] + (0).to_bytes(4, "little") + data[28:],
        "cut_mid_sample.wav": data[:len(data) // 2 + 1],
        "empty.wav": b"",
    }
    out = []
    for name, body in cases.items():
        p = os.path.join(tmp, name)
        with open(p, "wb") as f:
            f.write(body)
        out.append(p)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wyzer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fifo", required=True)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-faults", action="store_true",
                    help="no brain kills or stalls (for a steady-state RSS figure)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tmp = tempfile.mkdtemp(prefix="wz-soakrun.")
    fails = []

    # LLM stand-in: every third request drops the connection mid-stream.
    steps = []
    for k in range(3000):
        steps.append({"text": "Here is a short answer number %d." % k, "ttft_ms": 200}
                     if k % 3 != 2 else {"text": "This answer will be cut off midway.",
                                         "drop_after_chunks": 2})
    scen = os.path.join(tmp, "scenario.json")
    json.dump({"responses": steps}, open(scen, "w"))
    llm, url = wzrun.start_llm_standin(os.path.join(tmp, "port"), ["--scenario", scen])

    clips = []
    for i, text in enumerate(REQUESTS):
        v = "rms" if i in (2, 5) else ["rms", "slt", "kal16"][i % 3]
        pcm = (gc.silence(1000) + gc.synth("flite", v, 1.0, gc.WAKE_TEXT, tmp) + gc.silence(300)
               + gc.synth("flite", v, 1.0, text, tmp) + gc.silence(9000))
        clips.append((text, pcm))

    env = dict(os.environ, XDG_STATE_HOME=os.path.join(tmp, "state"),
               XDG_DATA_HOME=os.path.join(tmp, "data"),
               XDG_CONFIG_HOME=os.path.join(tmp, "config"),
               PATH=os.path.join(HERE, "stubbin") + ":" + os.environ.get("PATH", ""))
    ev_path = os.path.join(a.out, "events.jsonl")
    err_path = os.path.join(a.out, "stderr.log")
    cmd = [a.wyzer, "--events", "--set", "llm.backend=ollama", "--set", "llm.url=" + url,
           "--set", "weather.url=http://127.0.0.1:9", "--device", "pulse"]
    stop = threading.Event()
    feeder = Feeder(a.fifo, clips, stop)
    feeder.start()  # the pipe source yields nothing until a writer opens it
    wz = subprocess.Popen(cmd, stdout=open(ev_path, "w"), stderr=open(err_path, "w"), env=env)
    wzrun.CHILDREN.append(wz)
    t0 = time.monotonic()
    samples = {}  # pid -> (role, [(t, rss, fds)])
    faults = []
    next_kill = t0 + rng.uniform(60, 120) if not a.no_faults else float("inf")
    next_stall = t0 + a.seconds / 2 if not a.no_faults else float("inf")
    stalled = False
    while time.monotonic() - t0 < a.seconds and wz.poll() is None:
        now = time.monotonic()
        procs = {"wyzer": wz.pid}
        procs.update(children(wz.pid))
        for role, pid in procs.items():
            st = proc_stat(pid)
            if st:
                samples.setdefault(pid, (role, []))[1].append((now - t0, st[0], st[1]))
        brain = procs.get("wyzer-brain")
        if brain and now >= next_kill:
            os.kill(brain, signal.SIGKILL)
            faults.append({"t_s": round(now - t0, 1), "fault": "SIGKILL brain", "pid": brain})
            next_kill = now + rng.uniform(60, 150)
        if brain and not stalled and now >= next_stall:
            os.kill(brain, signal.SIGSTOP)
            faults.append({"t_s": round(now - t0, 1), "fault": "SIGSTOP brain 5 s", "pid": brain})
            time.sleep(5)
            try:
                os.kill(brain, signal.SIGCONT)
            except ProcessLookupError:
                faults[-1]["outcome"] = "killed by the watchdog while stopped"
            stalled = True
        time.sleep(2)
    alive_at_end = wz.poll() is None
    if not alive_at_end:
        fails.append("wyzer exited during the soak with %s" % wz.returncode)
    wz.send_signal(signal.SIGTERM)
    try:
        rc = wz.wait(timeout=10)
    except subprocess.TimeoutExpired:
        fails.append("wyzer did not stop within 10 s of SIGTERM")
        wz.kill()
        rc = wz.wait()
    stop.set()
    feeder.join(timeout=5)
    llm.kill()
    llm.wait()

    # Requests: a wake opens one; a response (ok: answered, else clear
    # error), an error event or a listen_timeout (no speech after the wake:
    # clear) closes it.  A new wake or the end of the run with one still
    # open (and > 30 s old) counts as no answer.
    events = []
    for line in open(ev_path):
        try:
            events.append(json.loads(line))
        except ValueError:
            fails.append("bad event line: %r" % line[:100])
    outcomes = {"answered": 0, "clear_error": 0, "listen_timeout": 0, "no_answer": 0}
    no_answer = []
    open_req = None
    dropped = 0
    last_t = events[-1].get("t_ms", 0) if events else 0
    for e in events:
        name = e.get("event")
        if name == "error" and "audio_dropped" in e:
            dropped = max(dropped, e["audio_dropped"])
        if name == "wake" and open_req is None:
            open_req = e
        elif name == "wake" and open_req.get("event") == "wake" and not open_req.get("_speech"):
            pass  # a second wake while listening is ignored by the core
        elif open_req and name == "speech_end":
            open_req["_speech"] = True
        elif open_req and name == "response":
            outcomes["answered" if e.get("ok") else "clear_error"] += 1
            open_req = None
        elif open_req and name == "error":
            outcomes["clear_error"] += 1
            open_req = None
        elif open_req and name == "listen_timeout":
            outcomes["listen_timeout"] += 1
            open_req = None
        elif open_req and name == "wake":
            outcomes["no_answer"] += 1
            no_answer.append(open_req)
            open_req = e
    if open_req and last_t - open_req.get("t_ms", 0) > 30000:
        outcomes["no_answer"] += 1
        no_answer.append(open_req)
    # State survives brain restarts: once a timer was set (1 hour, it cannot
    # expire during a soak) every timer_status answer must list one, and
    # once a fact was stored every recall must list one.
    lost, timer_set, fact_set, tool = [], False, False, None
    for e in events:
        if e.get("event") == "tool_result" and e.get("ok"):
            if e.get("name") == "timer_start":
                timer_set = True
            elif e.get("name") == "remember":
                fact_set = True
            tool = e.get("name")
        elif e.get("event") == "response":
            text = e.get("text", "")
            if tool == "timer_status" and timer_set and "don't have any timers" in text:
                lost.append(("timer", e.get("t_ms"), text))
            if tool == "recall" and fact_set and "don't remember anything" in text:
                lost.append(("fact", e.get("t_ms"), text))
            tool = None
    if lost:
        fails.append("state lost after a restart: %s" % lost[:3])
    if outcomes["no_answer"]:
        fails.append("%d request(s) got no answer: %s" % (outcomes["no_answer"], no_answer[:5]))
    n_req = sum(outcomes.values())
    if n_req == 0:
        fails.append("no request reached the brain (is the live audio path working?)")

    mem = []
    for pid, (role, s) in samples.items():
        life = s[-1][0] - s[0][0]
        warm = [(t, r) for t, r, _ in s if t - s[0][0] >= 60]
        slope = slope_kb_per_10min(warm) if life >= 120 else None
        fd_first = next((f for t, _, f in s if t - s[0][0] >= 60), s[0][2])
        row = {"role": role, "pid": pid, "lived_s": round(life), "rss_first_kb": s[0][1],
               "rss_last_kb": s[-1][1], "rss_max_kb": max(r for _, r, _ in s),
               "rss_slope_kb_per_10min": None if slope is None else round(slope),
               "fds_after_warmup": fd_first, "fds_last": s[-1][2], "fds_max": max(f for *_, f in s)}
        mem.append(row)
        if slope is not None and slope > 1024:
            fails.append("%s pid %d: RSS grows %.0f KB per 10 min" % (role, pid, slope))
        if life >= 120 and s[-1][2] > fd_first:
            fails.append("%s pid %d: fds %d -> %d" % (role, pid, fd_first, s[-1][2]))
    with open(os.path.join(a.out, "samples.tsv"), "w") as f:
        f.write("pid\trole\tt_s\trss_kb\tfds\n")
        for pid, (role, s) in samples.items():
            for t, r, d in s:
                f.write("%d\t%s\t%.1f\t%d\t%d\n" % (pid, role, t, r, d))

    # Corrupt WAVs: each must end with a clear error (exit 2 and a message),
    # never a signal or a hang.
    good = os.path.join(tmp, "good.wav")
    import wave
    with wave.open(good, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(clips[0][1][:32000])
    corrupt = []
    for p in corrupt_wavs(tmp, good):
        try:
            r = subprocess.run([a.wyzer, "--input", p, "--fast", "--events"], env=env,
                               capture_output=True, text=True, timeout=60)
            msgs = [l for l in r.stderr.splitlines() if "error" in l or l.startswith("wyzer:")]
            res = {"file": os.path.basename(p), "rc": r.returncode, "message": msgs[:2]}
            if r.returncode < 0 or r.returncode > 3:
                fails.append("corrupt %s: exit %d" % (res["file"], r.returncode))
        except subprocess.TimeoutExpired:
            res = {"file": os.path.basename(p), "rc": "timeout"}
            fails.append("corrupt %s: hang" % res["file"])
        corrupt.append(res)

    # LLM that drops connections, through typed requests (every request
    # reaches the LLM, whatever the wake word does): each must end with a
    # response (ok, or ok:false with an error event), none may hang.
    drop_scen = os.path.join(tmp, "drop.json")
    json.dump({"responses": [{"text": "A complete answer number %d." % k} if k % 2 == 0 else
                             {"text": "This answer is cut off after two chunks.", "drop_after_chunks": 2}
                             for k in range(20)]}, open(drop_scen, "w"))
    llm2, url2 = wzrun.start_llm_standin(os.path.join(tmp, "port2"), ["--scenario", drop_scen])
    qs = ["who was the first president of the united states", "tell me a joke",
          "how far away is the moon", "explain photosynthesis", "what is a black hole",
          "name a famous painter"]
    llm_drop = {"requests": len(qs), "answered": 0, "clear_error": 0, "no_answer": 0}
    try:
        r = subprocess.run([a.wyzer, "--events", "--text", "-", "--set", "llm.backend=ollama",
                            "--set", "llm.url=" + url2],
                           input="\n".join(qs) + "\n", env=env, capture_output=True, text=True,
                           timeout=120)
        resp = [json.loads(l) for l in r.stdout.splitlines() if '"event":"response"' in l]
        llm_drop["answered"] = sum(1 for e in resp if e.get("ok"))
        llm_drop["clear_error"] = sum(1 for e in resp if not e.get("ok"))
        llm_drop["no_answer"] = len(qs) - len(resp)
        llm_drop["rc"] = r.returncode
    except subprocess.TimeoutExpired:
        llm_drop["no_answer"] = len(qs)
        llm_drop["rc"] = "timeout"
    llm2.kill()
    llm2.wait()
    if llm_drop["no_answer"]:
        fails.append("LLM drops: %d request(s) got no answer" % llm_drop["no_answer"])

    restarts = [e for e in events if e.get("event") == "worker_restart"]
    exits = [e for e in events if e.get("event") == "worker_exit"]
    delays = sorted(response_delays(events))
    pick = lambda p: delays[min(len(delays) - 1, int(round(p / 100.0 * (len(delays) - 1))))] if delays else None
    report = {"seconds": round(time.monotonic() - t0), "exit_code": rc, "requests": outcomes,
              "response_delay_ms": {"n": len(delays), "p50": pick(50), "p95": pick(95)},
              "requests_spoken": len(feeder.said), "wakes": sum(1 for e in events if e.get("event") == "wake"), "faults": faults,
              "worker_exits": len(exits), "worker_restarts": len(restarts),
              "audio_dropped": dropped, "state_lost": lost, "llm_drops": llm_drop, "processes": mem, "corrupt_wavs": corrupt,
              "failures": fails}
    json.dump(report, open(os.path.join(a.out, "soak.json"), "w"), indent=1)
    print(json.dumps(report, indent=1))
    shutil.rmtree(tmp, ignore_errors=True)
    print("SOAK %s" % ("FAILED:\n  " + "\n  ".join(fails) if fails else "PASSED"))
    return 1 if fails else 0


if __name__ == "__main__":
    wzrun.kill_children_on_exit()
    sys.exit(main())
