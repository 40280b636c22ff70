#!/usr/bin/env python3
"""run_eval.py: runs build/wyzer on every clip of a corpus (see
gen_corpus.py) and reports wake detection, false wakes per hour, transcript
WER, command success, per-voice/per-SNR breakdowns and a DET curve over wake
thresholds (gnuplot).  Writes results.json and summary.md."""
import argparse
import collections
import concurrent.futures as cf
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wzrun  # noqa: E402

DEFAULT_THRESHOLD = "1e-40"  # wake.words default in config_keys.h


def load_manifest(corpus):
    return [json.loads(l) for l in open(os.path.join(corpus, "manifest.jsonl"))]


def score(row, res):
    ev = res["events"]
    wakes = [e for e in ev if e.get("event") == "wake"]
    out = {"file": row["file"], "kind": row["kind"], "voice": row["voice"],
           "snr": row["snr"], "noise": row["noise"], "format": row["format"],
           "rc": res["rc"], "timed_out": res["timed_out"],
           "wall_s": round(res["wall_s"], 2),
           "wakes": [e.get("audio_ms") for e in wakes],
           "duration_ms": row["duration_ms"]}
    # A run is broken if it timed out, died by a signal or exited with a code
    # other than 0 (all fine) / 1 (a request ended in an error).
    out["broken"] = res["timed_out"] or res["rc"] not in (0, 1) or \
        not any(e.get("event") == "ready" for e in ev) or \
        any(e.get("event") in ("_bad_line", "worker_exit") for e in ev) or \
        res.get("sanitizer", False)
    if out["broken"]:
        out["stderr_tail"] = res["stderr_tail"][-600:]
    # No clip says the stop phrase, and no positive says the wake word while
    # Wyzer thinks or speaks, so those interruptions are Wyzer hearing itself
    # (with --echo). A negative's wake word during a reply is counted as a
    # false wake instead: the clip's own speech goes on under the reply.
    out["self_triggers"] = [e.get("reason") for e in ev
                            if e.get("event") == "interrupted" and
                            (row["kind"] == "positive" or e.get("reason") == "stop")]
    out["own_voice"] = sum(1 for e in ev if e.get("event") == "own_voice")
    out["replies"] = sum(1 for e in ev if e.get("event") == "tts_start")
    if row["kind"] == "negative":
        out["false_wakes"] = len(wakes)
        return out
    # Detected: a wake whose end lies between the start of "hey wiser" and
    # the end of the command (the phrase was heard, maybe late).
    hit = [w for w in wakes
           if row["lead_ms"] <= w.get("audio_ms", -1) <= row["speech_end_ms"]]
    out["detected"] = bool(hit)
    out["wake_err_ms"] = hit[0]["audio_ms"] - row["wake_end_ms"] if hit else None
    out["extra_wakes"] = len(wakes) - (1 if hit else 0)
    tr = wzrun.first(ev, "transcript")
    out["transcript"] = tr.get("text") if tr else None
    ref = wzrun.norm_words(row["text"])
    hyp = wzrun.norm_words(out["transcript"]) if tr else []
    out["ref_words"] = len(ref)
    out["word_errors"] = wzrun.edit_distance(ref, hyp)
    tc = wzrun.first(ev, "tool_call")
    out["tool_call"] = [tc.get("name"), tc.get("args")] if tc else None
    out["expected"] = [row["tool"], row["args"]]
    out["command_ok"] = bool(tc) and tc.get("name") == row["tool"] and \
        wzrun.norm_args(tc.get("args") or {}) == wzrun.norm_args(row["args"])
    return out


def rescore(row, keep):
    """Scores a clip from the events kept by an earlier run (--rescore)."""
    base = os.path.join(keep, row["file"])
    events = []
    for line in open(base + ".events.jsonl", errors="replace"):
        try:
            events.append(json.loads(line))
        except ValueError:
            events.append({"event": "_bad_line", "line": line[:200]})
    rc, timed_out = 0, False
    if os.path.exists(base + ".rc"):
        rc, t = (int(x) for x in open(base + ".rc").read().split())
        timed_out = bool(t)
    err = open(base + ".stderr.log", errors="replace").read()
    return {"rc": rc, "events": events, "wall_s": 0.0, "timed_out": timed_out,
            "sanitizer": "Sanitizer" in err or "runtime error:" in err,
            "stderr_tail": open(base + ".stderr.log", errors="replace").read()[-2000:]}


def run_all(rows, corpus, wyzer, jobs, sets=(), keep=None, label="",
            from_kept=False, extra=()):
    results = [None] * len(rows)

    def one(i):
        if from_kept:
            return i, score(rows[i], rescore(rows[i], keep))
        clip = os.path.join(corpus, rows[i]["file"])
        res = wzrun.run_wyzer(wyzer, clip, sets=sets, keep_dir=keep,
                              extra=extra)
        return i, score(rows[i], res)

    done = 0
    with cf.ThreadPoolExecutor(max_workers=jobs) as ex:
        for i, r in ex.map(one, range(len(rows))):
            results[i] = r
            done += 1
            if done % 10 == 0 or done == len(rows):
                print("  %s%d/%d clips" % (label, done, len(rows)),
                      file=sys.stderr, flush=True)
    return results


def pct(a, b):
    return 100.0 * a / b if b else float("nan")


def shown(v, fmt="%.1f"):
    """A figure for summary.md; "–" where it has no count to come from
    (NaN: a corpus of negatives only, or nothing woken)."""
    return "–" if v != v else fmt % v


def pcs(v):
    return shown(v, "%.1f%%")


def summarize(res):
    pos = [r for r in res if r["kind"] == "positive"]
    neg = [r for r in res if r["kind"] == "negative"]
    neg_h = sum(r["duration_ms"] for r in neg) / 3.6e6
    fw = sum(r["false_wakes"] for r in neg)
    s = {"positives": len(pos), "negatives": len(neg),
         "negative_hours": round(neg_h, 3),
         "detected": sum(r["detected"] for r in pos),
         "false_wakes": fw,
         "broken_runs": [r["file"] for r in res if r["broken"]]}
    s["detection_rate"] = pct(s["detected"], len(pos))
    s["false_wakes_per_hour"] = fw / neg_h if neg_h else float("nan")
    ok = sum(r["command_ok"] for r in pos)
    s["command_success"] = pct(ok, len(pos))
    s["command_ok"] = ok
    det = [r for r in pos if r["detected"]]
    s["command_success_given_wake"] = pct(sum(r["command_ok"] for r in det), len(det))
    clean10 = [r for r in pos if r["snr"] is None or r["snr"] >= 10]
    s["command_success_clean_to_10db"] = pct(sum(r["command_ok"] for r in clean10), len(clean10))
    s["command_clean_to_10db_n"] = len(clean10)
    wr = [r for r in det if r["transcript"] is not None]
    s["wer"] = pct(sum(r["word_errors"] for r in wr), sum(r["ref_words"] for r in wr))
    s["wer_utterances"] = len(wr)
    s["extra_wakes_in_positives"] = sum(r["extra_wakes"] for r in pos)
    s["replies"] = sum(r["replies"] for r in res)
    s["self_triggers"] = sum(len(r["self_triggers"]) for r in res)
    s["self_trigger_clips"] = [r["file"] + ":" + ",".join(r["self_triggers"])
                               for r in res if r["self_triggers"]]
    s["own_voice_ignored"] = sum(r["own_voice"] for r in res)
    return s


def breakdown(res, key):
    groups = collections.OrderedDict()
    def order(r):
        v = r[key]
        if v is None:
            return (0, 0, "")
        if isinstance(v, (int, float)):
            return (1, -v, "")  # SNR: clean, 20, 15, 10, 5
        return (2, 0, str(v))
    for r in sorted(res, key=order):
        groups.setdefault("clean" if r[key] is None else str(r[key]), []).append(r)
    rows = []
    for k, rs in groups.items():
        pos = [r for r in rs if r["kind"] == "positive"]
        neg = [r for r in rs if r["kind"] == "negative"]
        det = [r for r in pos if r["detected"] and r["transcript"] is not None]
        neg_h = sum(r["duration_ms"] for r in neg) / 3.6e6
        rows.append({
            key: k, "positives": len(pos),
            "detection": pct(sum(r["detected"] for r in pos), len(pos)),
            "command_success": pct(sum(r["command_ok"] for r in pos), len(pos)),
            "wer": pct(sum(r["word_errors"] for r in det), sum(r["ref_words"] for r in det)),
            "negative_h": round(neg_h, 3),
            "false_wakes": sum(r["false_wakes"] for r in neg)})
    return rows


def md_table(rows):
    if not rows:
        return ""
    keys = list(rows[0].keys())
    fmt = lambda v: shown(v) if isinstance(v, float) else str(v)
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for r in rows:
        lines.append("| " + " | ".join(fmt(r[k]) for k in keys) + " |")
    return "\n".join(lines)


def det_curve(rows, corpus, wyzer, jobs, thresholds, npos, nneg, outdir,
              main_res, extra=()):
    pos = [r for r in rows if r["kind"] == "positive"][:npos]
    neg = [r for r in rows if r["kind"] == "negative"][:nneg]
    subset = set(r["file"] for r in pos + neg)
    pts = []
    for th in thresholds:
        if th == DEFAULT_THRESHOLD:
            # The main run used the default threshold: reuse its results.
            res = [r for r in main_res if r["file"] in subset]
        else:
            sets = ["wake.words=hey wyzer/%s/" % th]
            res = run_all(pos + neg, corpus, wyzer, jobs, sets=sets,
                          label="DET %s: " % th, extra=extra)
        s = summarize(res)
        pts.append({"threshold": th, "miss_rate": 100.0 - s["detection_rate"],
                    "false_wakes_per_hour": s["false_wakes_per_hour"],
                    "false_wakes": s["false_wakes"],
                    "negative_h": s["negative_hours"], "positives": len(pos),
                    "broken": len(s["broken_runs"])})
    dat = os.path.join(outdir, "det.dat")
    with open(dat, "w") as f:
        f.write("# threshold false_wakes_per_hour miss_rate_percent\n")
        for p in pts:
            f.write("%s %.4f %.2f\n" % (p["threshold"], p["false_wakes_per_hour"],
                                        p["miss_rate"]))
    gp = os.path.join(outdir, "det.gp")
    with open(gp, "w") as f:
        f.write("""set terminal pngcairo size 800,600
set output '%s'
set title 'Wake word DET curve (hey wyzer)'
set xlabel 'false wakes per hour'
set ylabel 'miss rate (%%)'
set grid
set key off
set xrange [0:*]
set yrange [0:100]
plot '%s' using 2:3 with linespoints pt 7, '' using 2:3:1 with labels offset 1,1
set terminal svg size 800,600
set output '%s'
replot
""" % (os.path.join(outdir, "det.png"), dat, os.path.join(outdir, "det.svg")))
    try:
        subprocess.run(["gnuplot", gp], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("gnuplot failed: %s" % e, file=sys.stderr)
    return pts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="build/eval/corpus")
    ap.add_argument("--wyzer", default="build/wyzer")
    ap.add_argument("--out", default="build/eval")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="first N clips only")
    ap.add_argument("--det", default="1e-20,1e-25,1e-30,1e-35,1e-40",
                    help="wake thresholds for the DET curve ('' to skip)")
    ap.add_argument("--det-pos", type=int, default=40)
    ap.add_argument("--det-neg", type=int, default=10)
    ap.add_argument("--echo", default="30:+6",
                    help="wyzer --echo DELAY_MS:GAIN_DB for every run, so the "
                    "replies reach the microphone and self-triggers count "
                    "('' for none)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="wyzer --set for every run (repeatable), to evaluate a setting")
    ap.add_argument("--rescore", action="store_true",
                    help="score the main run from OUT/runs/ instead of running it")
    a = ap.parse_args()
    rows = load_manifest(a.corpus)
    if a.limit:
        rows = rows[:a.limit]
    os.makedirs(a.out, exist_ok=True)
    print("eval: %d clips from %s" % (len(rows), a.corpus), file=sys.stderr)
    extra = ["--echo", a.echo] if a.echo else []
    for kv in a.set:
        extra += ["--set", kv]
    res = run_all(rows, a.corpus, a.wyzer, a.jobs,
                  keep=os.path.join(a.out, "runs"), from_kept=a.rescore,
                  extra=extra)
    s = summarize(res)
    bv = breakdown(res, "voice")
    bs = breakdown(res, "snr")
    bn = breakdown(res, "noise")
    bf = breakdown(res, "format")
    det = []
    if a.det:
        det = det_curve(rows, a.corpus, a.wyzer, a.jobs, a.det.split(","),
                        a.det_pos, a.det_neg, a.out, res, extra)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    out = {"summary": s, "by_voice": bv, "by_snr": bs, "by_noise": bn,
           "by_format": bf, "det": det, "clips": res, "commit": commit}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(out, f, indent=1)
    md = ["# Wyzer end-to-end evaluation", "",
          "commit %s, corpus %s (%d positives, %d negatives = %.2f h), echo %s" % (
              commit, a.corpus, s["positives"], s["negatives"], s["negative_hours"],
              a.echo or "off") + "".join(", --set " + kv for kv in a.set), "",
          "| figure | value |", "|---|---|",
          "| wake detection | %s (%d/%d) |" % (pcs(s["detection_rate"]), s["detected"], s["positives"]),
          "| false wakes per hour (negatives) | %.2f (%d in %.2f h) |" % (
              s["false_wakes_per_hour"], s["false_wakes"], s["negative_hours"]),
          "| extra wakes inside positive clips | %d |" % s["extra_wakes_in_positives"],
          "| transcript WER (woken clips) | %s (%d utterances) |" % (pcs(s["wer"]), s["wer_utterances"]),
          "| command success (all positives) | %s (%d/%d) |" % (pcs(s["command_success"]), s["command_ok"], s["positives"]),
          "| command success, clean to 10 dB | %s (n=%d) |" % (
              pcs(s["command_success_clean_to_10db"]), s["command_clean_to_10db_n"]),
          "| command success given a wake | %s |" % pcs(s["command_success_given_wake"]),
          "| self-triggers (interruptions no clip asked for) | %d in %d replies %s |" % (
              s["self_triggers"], s["replies"], " ".join(s["self_trigger_clips"][:10])),
          "| phrases ignored as the reply's own voice (`own_voice`) | %d |" % s["own_voice_ignored"],
          "| broken runs (crash/hang/bad exit) | %d %s |" % (
              len(s["broken_runs"]), " ".join(s["broken_runs"][:10])), "",
          "## By voice", "", md_table(bv), "", "## By SNR", "", md_table(bs), "",
          "## By noise", "", md_table(bn), "", "## By format", "", md_table(bf), ""]
    if det:
        md += ["## DET (wake threshold sweep; det.png / det.svg)", "", md_table(det), ""]
    with open(os.path.join(a.out, "summary.md"), "w") as f:
        f.write("\n".join(md))
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
