"""wzrun.py: shared helpers for the eval scripts: run build/wyzer on a clip
in a sandbox (temporary XDG dirs, host-changing tools replaced by logging
stand-ins), parse its --events output, score transcripts and tool calls,
start the LLM stand-in, and kill every child a script started on exit."""
import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
STUBBIN = os.path.join(HERE, "stubbin")
# No network here: the weather tool must fail at once, not after a DNS wait.
SANDBOX_SETS = ["weather.url=http://127.0.0.1:9",
                "weather.geocode_url=http://127.0.0.1:9"]


CHILDREN = []  # Popen objects killed on any exit (exception, SIGTERM)


def _kill_children():
    for p in CHILDREN:
        if p.poll() is None:
            p.kill()
            p.wait()


def kill_children_on_exit():
    """Call once from a script's __main__: children die with the script."""
    atexit.register(_kill_children)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def start_llm_standin(port_file, args):
    """Starts tests/standins/llm_standin.py with args (plus --port-file) and
    waits up to 10 s for its port. Returns (Popen, base URL)."""
    if os.path.exists(port_file):
        os.unlink(port_file)  # a previous stand-in's port
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "tests", "standins", "llm_standin.py"),
                          "--port-file", port_file] + list(args),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    CHILDREN.append(p)
    for _ in range(200):
        if os.path.exists(port_file):
            return p, "http://127.0.0.1:%s" % open(port_file).read().strip()
        if p.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError("LLM stand-in did not start (no port in %s)" % port_file)


def sandbox_env(tmp):
    """The environment for one sandboxed wyzer: its own XDG state, data and
    config under tmp, and the stand-in commands of eval/stubbin first on PATH."""
    env = dict(os.environ)
    env.update(XDG_STATE_HOME=os.path.join(tmp, "state"),
               XDG_DATA_HOME=os.path.join(tmp, "data"),
               XDG_CONFIG_HOME=os.path.join(tmp, "config"),
               PATH=STUBBIN + ":" + env.get("PATH", "/usr/bin:/bin"),
               WZ_EVAL_TOOL_LOG=os.path.join(tmp, "tools.log"))
    env.pop("WYZER_LLM_BACKEND", None)
    return env


def read_events(path):
    """The JSON Lines of an --events stdout; a line that is not JSON becomes
    {"event": "_bad_line", "line": ...}. A missing file has none."""
    events = []
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return events
    for line in lines:
        try:
            events.append(json.loads(line))
        except ValueError:
            events.append({"event": "_bad_line", "line": line[:200]})
    return events


def run_wyzer(wyzer, clip, out_wav=None, fast=True, sets=(), extra=(),
              timeout=None, keep_dir=None):
    """Runs one session; returns dict(rc, events, stderr_tail, wall_s,
    timed_out).  Never raises on wyzer failures: they are results."""
    tmp = tempfile.mkdtemp(prefix="wz-eval.")
    env = sandbox_env(tmp)
    cmd = [wyzer, "--input", clip, "--events"]
    if fast:
        cmd.append("--fast")
    if out_wav:
        cmd += ["--output", out_wav]
    for s in list(SANDBOX_SETS) + list(sets):
        cmd += ["--set", s]
    cmd += list(extra)
    if timeout is None:
        timeout = 60 + 3 * wav_seconds(clip)
    t0 = time.monotonic()
    timed_out = False
    with open(os.path.join(tmp, "stdout"), "wb") as so, \
            open(os.path.join(tmp, "stderr"), "wb") as se:
        p = subprocess.Popen(cmd, stdout=so, stderr=se, env=env,
                             start_new_session=True)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(p.pid, 9)
            rc = p.wait()
    wall = time.monotonic() - t0
    events = read_events(os.path.join(tmp, "stdout"))
    err = open(os.path.join(tmp, "stderr"), errors="replace").read()
    if keep_dir:
        os.makedirs(keep_dir, exist_ok=True)
        base = os.path.join(keep_dir, os.path.basename(clip))
        shutil.copy(os.path.join(tmp, "stdout"), base + ".events.jsonl")
        shutil.copy(os.path.join(tmp, "stderr"), base + ".stderr.log")
        with open(base + ".rc", "w") as f:
            f.write("%d %d\n" % (rc, timed_out))
    shutil.rmtree(tmp, ignore_errors=True)
    # Sanitizer builds exit 1 on a report, like a failed request: look for
    # the report itself.
    sanitizer = "Sanitizer" in err or "runtime error:" in err
    return {"rc": rc, "events": events, "stderr_tail": err[-2000:], "sanitizer": sanitizer,
            "wall_s": wall, "timed_out": timed_out, "cmd": cmd}


def candidate_lines(stderr_log):
    """The core's debug lines on wake word and stop phrase candidates heard
    while a reply played (--log-level debug): the phrase, kept_db, echo_db,
    ref_corr, and whether it was dropped as the reply's own voice."""
    with open(stderr_log, errors="replace") as f:
        return [l.split("debug: ", 1)[-1].rstrip() for l in f
                if "kept through the canceller" in l]


def wav_seconds(path):
    try:
        with wave.open(path) as w:
            return w.getnframes() / float(w.getframerate())
    except Exception:  # float WAVs: ask sox
        out = subprocess.run(["soxi", "-D", path], capture_output=True,
                             text=True).stdout.strip()
        return float(out or 0)


def norm_words(text):
    text = (text or "").lower().replace("-", " ")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return [w.strip("'") for w in text.split() if w.strip("'")]


def edit_distance(ref, hyp):
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def norm_args(v):
    """Args compare case- and whitespace-insensitively (speech has no case)."""
    if isinstance(v, dict):
        return {k: norm_args(x) for k, x in v.items()}
    if isinstance(v, str):
        return " ".join(norm_words(v))
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def first(events, name, after_ms=None):
    for e in events:
        if e.get("event") == name:
            return e
    return None


def pctl(xs, p):
    """The p-th percentile of xs, interpolated; None for no values."""
    if not xs:
        return None
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return round(xs[lo] + (xs[hi] - xs[lo]) * (k - lo), 1)
