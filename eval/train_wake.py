#!/usr/bin/env python3
"""train_wake.py: trains the wake word's stage-3 network (src/core/wake_net.h).

Input: the candidates that `bench_wake --corpus DIR --fresh --dump PREFIX`
wrote for the training corpus (eval/gen_corpus.py --train): the cepstra of
1.6 s before each stage-1 candidate's end to 0.2 s after, labelled from the
manifest. Output: the weights file that src/core/wake_net.c reads
(docs/listening.md, "Stage 3").

The network: the window's cepstra (c1..c12 less their window mean, c0 less
its window maximum), averaged `pool` frames at a time, standardised; one
tanh hidden layer; a logistic output. Trained with Adam on cross-entropy
plus L2, positives weighted to balance the classes; --ensemble nets from
successive seeds are merged into one that averages their logits.
Deterministic for a given --seed.

  --shifts MS,... each candidate is learnt from windows that end this much
                  later (negative: earlier) than the candidate does, so the
                  net does not depend on exactly where stage 1 puts the end
                  (live, after a reply, it puts it 100 ms earlier or more).

  --eval PREFIX   also scores the candidates dumped from another corpus
                  (the evaluation corpus, the held-out negatives) and prints
                  how the net would change the accepts there, per threshold.

Needs numpy (python3-numpy, scripts/install-deps.sh).
"""
import argparse
import glob
import os
import sys

import numpy as np

CEP = 13
DUMP_BEFORE_MS, DUMP_AFTER_MS, DUMP_FRAMES = 1600, 200, 180
REC = np.dtype([("clip", "<i4"), ("label", "<i4"), ("start_ms", "<i4"),
                ("end_ms", "<i4"), ("accepted", "<i4"), ("by_rule", "<i4"),
                ("frames", "<i4"), ("snr", "<i4"),
                ("cep", "<f4", (DUMP_FRAMES, CEP))])


def load(prefix):
    files = sorted(glob.glob(prefix + ".*"))
    files = [f for f in files if f.rsplit(".", 1)[1].isdigit()]
    if not files:
        sys.exit("train_wake: no dump files %s.<pid> (run bench_wake --dump)" % prefix)
    return np.concatenate([np.fromfile(f, dtype=REC) for f in files])


def frames_of(window_ms, after_ms):
    """Front-end frames of a window, as wake_net.c counts them (25.6 ms
    frames every 10 ms)."""
    n = (window_ms + after_ms) * 16
    return (n - 410) // 160 + 1


def features(recs, window_ms, after_ms, pool, shift_ms=0):
    """wake_net_features() on the dumped cepstra, of the window that ends
    shift_ms (a multiple of 10) later than the candidate's."""
    nf = frames_of(window_ms, after_ms)
    off = (DUMP_BEFORE_MS - window_ms + shift_ms) // 10
    if off < 0 or after_ms > DUMP_AFTER_MS or off + nf > DUMP_FRAMES:
        sys.exit("train_wake: window %d+%d ms is outside the dump" % (window_ms, after_ms))
    if (recs["frames"] < off + nf).any():
        sys.exit("train_wake: a dumped window has fewer frames than %d" % (off + nf))
    slots = nf // pool
    first = nf - slots * pool
    c = recs["cep"][:, off + first:off + nf, :].astype(np.float64)
    norm = np.empty((len(recs), 1, CEP))
    norm[:, 0, 1:] = c[:, :, 1:].mean(axis=1)
    norm[:, 0, 0] = c[:, :, 0].max(axis=1)
    c = c - norm
    c = c.reshape(len(recs), slots, pool, CEP).mean(axis=2)
    return c.reshape(len(recs), slots * CEP)


def train(x, y, hidden, seed, epochs, l2, lr=0.003, batch=256):
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    p = {"w1": rng.normal(0, 1 / np.sqrt(d), (hidden, d)), "b1": np.zeros(hidden),
         "w2": rng.normal(0, 1 / np.sqrt(hidden), hidden), "b2": np.zeros(1)}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    wpos = (y == 0).sum() / max(1, (y == 1).sum())
    sw = np.where(y == 1, wpos, 1.0)
    t = 0
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            xb, yb, wb = x[idx], y[idx], sw[idx]
            h = np.tanh(xb @ p["w1"].T + p["b1"])
            z = h @ p["w2"] + p["b2"][0]
            q = 1 / (1 + np.exp(-z))
            g = (q - yb) * wb / wb.sum()  # d loss / d z
            grads = {"w2": h.T @ g + l2 * p["w2"], "b2": np.array([g.sum()])}
            gh = np.outer(g, p["w2"]) * (1 - h * h)
            grads["w1"] = gh.T @ xb + l2 * p["w1"]
            grads["b1"] = gh.sum(axis=0)
            t += 1
            for k in p:
                m[k] = 0.9 * m[k] + 0.1 * grads[k]
                v[k] = 0.999 * v[k] + 0.001 * grads[k] ** 2
                mh = m[k] / (1 - 0.9 ** t)
                vh = v[k] / (1 - 0.999 ** t)
                p[k] -= lr * mh / (np.sqrt(vh) + 1e-8)
    return p


def score(p, x):
    h = np.tanh(x @ p["w1"].T + p["b1"])
    return 1 / (1 + np.exp(-(h @ p["w2"] + p["b2"][0])))


def write_net(path, a, mean, scale, p, note):
    with open(path + ".tmp", "w") as f:
        f.write("# Wyzer wake word, stage 3 (src/core/wake_net.h). Written by\n")
        f.write("# eval/train_wake.py; do not edit. %s\n" % note)
        f.write("wyzer-wake-net 1\nwindow_ms %d\nafter_ms %d\npool %d\ninputs %d\nhidden %d\n"
                % (a.window_ms, a.after_ms, a.pool, len(mean), len(p["b1"])))

        def row(key, vals):
            f.write(key + " " + " ".join("%.6g" % x for x in np.ravel(vals)) + "\n")
        row("mean", mean)
        row("scale", scale)
        f.write("w1\n")
        for r in p["w1"]:
            row("", r)
        row("b1", p["b1"])
        row("w2", p["w2"])
        row("b2", p["b2"])
    os.replace(path + ".tmp", path)


def report(name, recs, s, thresholds):
    """How the net would change accepts on a dumped corpus: per threshold,
    positives found and candidates accepted on negatives, (a) the net alone
    on every stage-1 candidate, (b) stage 2's accepts that the net also
    passes, (c) stage 2's phrase accepts plus its rule accepts that the net
    passes."""
    pos_clips = np.unique(recs["clip"][recs["label"] != 0])
    cand = recs["label"] != 2
    onpos = cand & (recs["label"] != 0)
    onneg = cand & (recs["label"] == 0)
    acc = recs["accepted"] == 1
    rule = recs["by_rule"] == 1

    def tally(ok):
        found = len(np.unique(recs["clip"][onpos & ok]))
        return found, int((onneg & ok).sum())
    f0, n0 = tally(acc)
    print("%s: %d positive clips; stage 2 now: %d found, %d accepted on negatives"
          % (name, len(pos_clips), f0, n0))
    print("| threshold | net alone | stage 2 and net | phrase, or rule and net |")
    print("|---|---|---|---|")
    for t in thresholds:
        net = s >= t
        cells = [tally(net), tally(acc & net), tally(acc & (~rule | net))]
        print("| %.2f | %s |" % (t, " | ".join("%d / %d" % c for c in cells)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", action="append", required=True,
                    help="dump prefix of a training corpus (repeatable)")
    ap.add_argument("--eval", action="append", default=[], help="dump prefix to score (repeatable)")
    ap.add_argument("--out", help="weights file to write")
    ap.add_argument("--window-ms", dest="window_ms", type=int, default=1200)
    ap.add_argument("--after-ms", dest="after_ms", type=int, default=100)
    ap.add_argument("--pool", type=int, default=5)
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--shifts", default="-100,-60,-30,0,30,60",
                    help="window ends relative to each candidate's, ms (default -100,-60,-30,0,30,60)")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--l2", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ensemble", type=int, default=3,
                    help="nets trained from seeds seed.. seed+N-1, averaged")
    ap.add_argument("--no-truth", action="store_true",
                    help="train on stage-1 candidates only, not the true ends")
    a = ap.parse_args()
    recs = np.concatenate([load(t) for t in a.train])
    keep = recs["label"] >= 0
    if a.no_truth:
        keep &= recs["label"] != 2
    recs = recs[keep]
    shifts = [int(v) for v in a.shifts.split(",")]
    if any(v % 10 for v in shifts):
        sys.exit("train_wake: --shifts must be multiples of 10 ms")
    x = np.concatenate([features(recs, a.window_ms, a.after_ms, a.pool, v) for v in shifts])
    y = np.tile((recs["label"] > 0).astype(np.float64), len(shifts))
    mean = x.mean(axis=0)
    scale = 1 / (x.std(axis=0) + 1e-3)
    xs = (x - mean) * scale
    print("training on %d windows (%d candidates at %d shifts): %d positive (%d at true ends), "
          "%d negative; %d inputs" % (len(y), len(recs), len(shifts), int(y.sum()),
                                      int((recs["label"] == 2).sum()) * len(shifts),
                                      int((y == 0).sum()), x.shape[1]))
    # An ensemble averages the nets' logits: one net whose hidden layer is
    # theirs side by side, with output weights and bias divided by their count.
    nets = [train(xs, y, a.hidden, a.seed + k, a.epochs, a.l2) for k in range(a.ensemble)]
    p = {"w1": np.concatenate([q["w1"] for q in nets]),
         "b1": np.concatenate([q["b1"] for q in nets]),
         "w2": np.concatenate([q["w2"] for q in nets]) / a.ensemble,
         "b2": sum(q["b2"] for q in nets) / a.ensemble}
    s = score(p, xs)
    print("training set: positives scored p10 %.3f p50 %.3f; negatives p50 %.3f p99 %.3f max %.3f"
          % (np.percentile(s[y == 1], 10), np.median(s[y == 1]), np.median(s[y == 0]),
             np.percentile(s[y == 0], 99), s[y == 0].max()))
    ths = [0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95]
    for prefix in a.eval:
        er = load(prefix)
        es = score(p, (features(er, a.window_ms, a.after_ms, a.pool) - mean) * scale)
        report(prefix, er, es, ths)
    if a.out:
        write_net(a.out, a, mean, scale, p,
                  "%d windows, shifts %s ms, seeds %d-%d, %d epochs, l2 %g"
                  % (len(y), a.shifts, a.seed, a.seed + a.ensemble - 1, a.epochs, a.l2))
        print("wrote %s" % a.out)


if __name__ == "__main__":
    sys.exit(main())
