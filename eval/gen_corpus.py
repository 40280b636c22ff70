#!/usr/bin/env python3
"""gen_corpus.py: deterministic speech corpus for the end-to-end evaluation.

Synthesises positives ("hey wiser" + a router command) and negatives (speech
without the wake word, confusable words included) with flite and espeak-ng,
mixes white/pink noise or real background speech (librivox recordings from
pocketsphinx-testdata) at a chosen SNR, converts to the formats users have
(16 kHz mono, 44.1 kHz stereo, 48 kHz float) with sox, and writes a JSON Lines
manifest with the labels.  Same --seed and --size give the same corpus.
--heldout writes negatives only, from sentences kept out of tuning, for an
honest false-wake rate (docs/eval.md).  --train writes the set the wake
word's stage-3 classifier learns from (eval/train_wake.py): other voices and
other sentences than both of those sets, so they stay honest tests; in 3 of
10 of its positives, and before some of its negatives' sentences, a loud
sound (noise, babble or plucked chords) ends 50-500 ms before the speech.
--loud writes the evaluation corpus's positives with such a sound right
before each phrase, to measure the wake word heard just after one.

Only the python3 standard library plus flite, espeak-ng and sox (called as
subprocesses).  audioop (stdlib up to Python 3.12; Debian 12 ships 3.11) does
the sample arithmetic.
"""
import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import warnings
import wave

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # noqa: E402

RATE = 16000
WAKE_TEXT = "hey wiser"  # "wyzer" spelled the way synthesisers say it right
LIBRIVOX = "/usr/share/pocketsphinx/test/data/librivox"

# (engine, voice, label).  Flite voices are fixed; espeak-ng voices+variants.
VOICES = [
    ("flite", "slt", "flite-slt"),
    ("flite", "awb", "flite-awb"),
    ("flite", "rms", "flite-rms"),
    ("flite", "kal16", "flite-kal16"),
    ("espeak", "en-us", "espeak-en-us"),
    ("espeak", "en+m3", "espeak-en+m3"),
    ("espeak", "en+f3", "espeak-en+f3"),
    ("espeak", "en-gb-x-rp", "espeak-en-gb-x-rp"),
]
# Speaking rates as a factor of the voice's normal speed (1.0 = default).
RATES = [0.85, 1.0, 1.15]
SNRS = [None, 20, 15, 10, 5]  # None: clean
NOISES = ["white", "pink", "babble"]
FORMATS = ["s16_16k_mono", "s16_44k1_stereo", "f32_48k_mono"]

# --train: voices the evaluation corpus does not have, so the classifier is
# scored on voices it never heard (en+m1 is one of bench_wake's own voices).
TRAIN_VOICES = [
    ("espeak", v, "espeak-" + v) for v in (
        "en+m1", "en+m2", "en+m4", "en+m5", "en+m6", "en+m7", "en+f1",
        "en+f5", "en-gb-scotland", "en-029", "en-us-nyc", "en-gb-x-gbclan",
        "en-gb-x-gbcwmd", "en-us+Annie", "en-us+david", "en-us+linda",
        "en-us+steph", "en-us+john", "en+klatt", "en-us+Alex", "en+iven",
        "en-us+edward", "en+grandma", "en-us+travis")
] + [("flite", "kal", "flite-kal")] + [
    # Flite has five voices, and the evaluation corpus uses four of them as
    # they are; these are the four shifted in pitch and formants (sox pitch,
    # in cents): relatives of those voices, not the voices themselves.
    ("flite", "%s@%+d" % (v, c), "flite-%s%+d" % (v, c)) for v, c in (
        ("slt", -400), ("slt", 300), ("awb", 400), ("awb", -300),
        ("rms", 400), ("rms", -300), ("kal16", 300), ("kal16", -400))
]
TRAIN_RATES = [0.8, 0.9, 1.0, 1.1, 1.25]

SIZES = {
    # positives, negative clips, seconds per negative clip
    "ci": (24, 8, 20.0),
    "full": (120, 60, 62.0),  # 60 x 62 s = 1.03 h of negatives,
    "train": (990, 165, 30.0),  # --train: 1.4 h of negatives, 33 voices
}

CONFUSABLE = [
    "wiser", "wise", "why is her", "hey there", "writer", "geyser",
    "the older you get the wiser you become", "that was a wise choice",
    "why is her car still in the driveway", "hey there, how are you doing",
    "the writer finished her new book", "we watched the geyser erupt",
    "hey, why is her phone ringing", "he is a wiser man than me",
    "a wise writer once said so", "hey there writer", "hey, wise guy",
    "hey sir, hey sister", "hazy weather today", "the riser on the stairs",
]
# --heldout: negatives only, from sentences no stage-2 rule was fitted on
# (docs/listening.md), for an honest false-wake rate. Near misses a household
# says: "hey"/"hi"/"they"/"say" before "why"/"my"/"wise", and words that
# rhyme with "wyzer".
HELDOUT_CONFUSABLE = [
    "hey, why don't we order pizza tonight", "hey, my phone is ringing again",
    "hi, why are you still up", "they said why they were late",
    "say why you think so", "why, sir, that is very kind of you",
    "the visor on my cap is broken", "a wise old owl lived in the oak",
    "hey sis, how was your day", "the kaiser roll was still warm",
    "hey, wait for me", "wise up and listen to her",
    "the miser counted his coins", "they were wiser than us",
    "hey, my keys are gone", "he is the wiser of the two",
    "hey, what's for dinner", "she ordered an appetizer",
    "the tyres are wider now", "hey, Tyson, come here",
    "hi, my name is Tom", "why is it so cold in here",
    "the geysers at the park were quiet", "hey there, long time no see",
]
# --train: near misses of the same kinds, for the classifier to learn from.
TRAIN_CONFUSABLE = [
    "hey, why is the door open", "hey why so quiet", "hey, my coffee is cold",
    "they wise up eventually", "a wiser choice would be tea", "why sir, of course",
    "say why not", "the advisor called twice", "hey, wider please",
    "hey there neighbour", "the fire is getting bigger", "hey, why are you here",
    "may i sit here", "why is it raining", "hey you, over there",
    "buy a visor for the sun", "the wiser owl stayed quiet", "hey wait, why",
    "high rise buildings", "hey, my turn now", "hi there, why not",
    "they realised it was wiser", "hey, the dryer is done", "why is her cat so big",
]
TRAIN_SUBJ = ["the mechanic", "my cousin", "a tall woman", "the pilot",
              "our neighbours", "the chef", "he", "the twins", "somebody",
              "the gardener", "my aunt", "the waiter"]
TRAIN_VERB = ["hurried to", "spoke about", "hunted for", "sat near",
              "fixed", "worried about", "washed", "walked past", "sang about",
              "pointed at", "joked about", "brought"]
TRAIN_OBJ = ["the shop", "the green door", "a quick message", "the lake",
             "the back porch", "the airport", "a rusty bike", "the field",
             "the radio show", "a glass of water", "the gym", "the beach"]
TRAIN_TAIL = ["this evening", "after school", "before the game",
              "on monday", "for ten minutes", "twice", "without asking",
              "with a smile", "at midnight", "last month"]

HELDOUT_SUBJ = ["the postman", "my sister", "an old cat", "the doctor",
                "the bus", "his uncle", "they", "the students", "everyone",
                "the farmer", "a stranger", "our landlord"]
HELDOUT_VERB = ["ran towards", "argued about", "searched for", "stood by",
                "repaired", "remembered", "swept", "passed", "read about",
                "smiled at", "complained about", "lifted"]
HELDOUT_OBJ = ["the bakery", "the blue car", "a short note", "the bridge",
               "the dining room", "the harbour", "a broken chair", "the orchard",
               "the morning paper", "a bowl of soup", "the museum", "the valley"]
HELDOUT_TAIL = ["at dawn", "before dinner", "after the storm",
                "on friday", "for an hour", "once more", "in silence",
                "very slowly", "in the evening", "yesterday"]

PROSE_SUBJ = ["the neighbour", "my brother", "a small dog", "the teacher",
              "our train", "the old man", "she", "the children", "nobody",
              "the manager", "my friend from work", "the baker"]
PROSE_VERB = ["walked to", "talked about", "looked for", "waited near",
              "painted", "forgot about", "cleaned", "drove past", "wrote about",
              "laughed at", "asked about", "carried"]
PROSE_OBJ = ["the market", "the red house", "a long letter", "the river",
             "the kitchen table", "the station", "an old bicycle", "the garden",
             "the evening news", "a cup of coffee", "the library", "the hills"]
PROSE_TAIL = ["this morning", "after lunch", "before the rain started",
              "on sunday", "for a while", "again", "without a word",
              "with great care", "in the afternoon", "last week"]


# Each set's sentences: its near misses and its prose pools (subject, verb,
# object, tail). "eval": the evaluation corpus; --heldout and --train have
# their own.
SENTENCES = {
    "eval": (CONFUSABLE, (PROSE_SUBJ, PROSE_VERB, PROSE_OBJ, PROSE_TAIL)),
    "heldout": (HELDOUT_CONFUSABLE,
                (HELDOUT_SUBJ, HELDOUT_VERB, HELDOUT_OBJ, HELDOUT_TAIL)),
    "train": (TRAIN_CONFUSABLE, (TRAIN_SUBJ, TRAIN_VERB, TRAIN_OBJ, TRAIN_TAIL)),
}


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def read_wav16(path):
    """Reads any WAV through sox as 16 kHz mono s16; returns bytes.  Every
    sox call has -R: sox dithers with a random seed otherwise."""
    out = subprocess.run(["sox", "-R", path, "-t", "raw", "-r", str(RATE), "-c", "1",
                          "-b", "16", "-e", "signed-integer", "-"],
                         check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE).stdout
    return out


def trim(pcm, thresh=250, win=160, pad=640):
    """Cuts leading/trailing silence (10 ms windows below an RMS threshold),
    keeping 40 ms either side so weak onsets (stop closures) survive."""
    n = len(pcm) // 2
    first, last = None, None
    for i in range(0, n - win + 1, win):
        if audioop.rms(pcm[2 * i:2 * (i + win)], 2) > thresh:
            if first is None:
                first = i
            last = i + win
    if first is None:
        return b""
    first, last = max(0, first - pad), min(n, last + pad)
    return pcm[2 * first:2 * last]


def synth(engine, voice, rate, text, tmp):
    path = os.path.join(tmp, "tts.wav")
    if engine == "flite":
        voice, _, cents = voice.partition("@")  # "slt@-400": shifted (--train)
        # duration_stretch > 1 is slower speech.
        run(["flite", "-voice", voice, "--setf",
             "duration_stretch=%.3f" % (1.0 / rate), "-t", text, "-o", path])
        if cents:
            shifted = os.path.join(tmp, "shifted.wav")
            run(["sox", "-R", path, shifted, "pitch", cents])
            os.replace(shifted, path)
    else:
        run(["espeak-ng", "-v", voice, "-s", str(int(round(165 * rate))),
             "-w", path, text])
    return trim(read_wav16(path))


def silence(ms):
    return b"\0\0" * (RATE * ms // 1000)


def noise_pcm(kind, nsamples, rng, tmp):
    if kind == "babble":
        files = sorted(f for f in os.listdir(LIBRIVOX) if f.endswith(".wav"))
        pcm = b"".join(read_wav16(os.path.join(LIBRIVOX, f)) for f in files)
        start = rng.randrange(len(pcm) // 2)
        pcm = pcm[2 * start:] + pcm[:2 * start]
        reps = (2 * nsamples) // len(pcm) + 1
        return (pcm * reps)[:2 * nsamples]
    path = os.path.join(tmp, "noise.wav")
    synth_kind = "whitenoise" if kind == "white" else "pinknoise"
    # sox's noise generator is seeded explicitly: deterministic output.
    run(["sox", "-R", "-n", "-r", str(RATE), "-c", "1", "-b", "16", path,
         "synth", "%.3f" % (nsamples / RATE), synth_kind, "vol", "0.3"])
    return read_wav16(path)[:2 * nsamples].ljust(2 * nsamples, b"\0")


def tones_pcm(nsamples, rng, tmp):
    """Music-like sound: chords of plucked notes, 150-600 ms each."""
    path = os.path.join(tmp, "note.wav")
    out = b""
    while len(out) < 2 * nsamples:
        root = 110.0 * 2 ** (rng.randrange(0, 36) / 12.0)
        notes = []
        for step in rng.choice([(0, 4, 7), (0, 3, 7), (0, 5, 9), (0, 7, 12)]):
            notes += ["pluck", "%.1f" % (root * 2 ** (step / 12.0))]
        run(["sox", "-R", "-n", "-r", str(RATE), "-c", "1", "-b", "16", path,
             "synth", "%.3f" % (rng.randrange(150, 600) / 1000.0)] + notes)
        out += read_wav16(path)
    return out[:2 * nsamples]


def loud_sound(speech_rms, rng, tmp):
    """For --train and --loud: 0.3-4 s of noise, babble or music 0 to +10 dB
    above the speech, then 50-500 ms of silence: what a phrase said right
    after a door, the television or the end of a reply has before it."""
    n = RATE * rng.randrange(300, 4000) // 1000
    kind = rng.choice(NOISES + ["tones"])
    pcm = tones_pcm(n, rng, tmp) if kind == "tones" else noise_pcm(kind, n, rng, tmp)
    gain = speech_rms * 10 ** (rng.uniform(0, 10) / 20.0) / (audioop.rms(pcm, 2) or 1)
    return audioop.mul(pcm, 2, gain) + silence(rng.randrange(50, 500))


def mix(speech, speech_rms, kind, snr, rng, tmp):
    """Adds noise so that speech power / noise power = snr dB."""
    n = len(speech) // 2
    noise = noise_pcm(kind, n, rng, tmp)
    nrms = audioop.rms(noise, 2) or 1
    gain = speech_rms / (nrms * 10 ** (snr / 20.0))
    return audioop.add(speech, audioop.mul(noise, 2, gain), 2)


def write_wav16(path, pcm):
    """Writes 16 kHz mono s16 bytes as a WAV file."""
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm)


def write_final(pcm, fmt, path, tmp):
    raw = os.path.join(tmp, "final.wav")
    write_wav16(raw, pcm)
    if fmt == "s16_16k_mono":
        os.replace(raw, path)
        return
    if fmt == "s16_44k1_stereo":
        args = ["-r", "44100", "-c", "2", "-b", "16", "-e", "signed-integer"]
    else:
        args = ["-r", "48000", "-c", "1", "-b", "32", "-e", "floating-point"]
    run(["sox", "-R", raw] + args + [path])


def load_commands(tsv):
    """Router phrasings with a single tool call, speakable as written."""
    out = []
    for line in open(tsv, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        text, kind, expected = line.rstrip("\n").split("\t")
        if kind in ("multi", "control", "none"):
            continue
        # Digits and symbols are read out as words, so their args would
        # differ from the table's; keep the phrasings a person says.
        if any(c.isdigit() or c in "%*+/" for c in text):
            continue
        out.append((text, kind, json.loads(expected)))
    return out


def prose(rng, kind):
    return " ".join(rng.choice(p) for p in SENTENCES[kind][1])


def condition(rng, i, train):
    voices = TRAIN_VOICES if train else VOICES
    voice = voices[i % len(voices)]
    # Voices cycle with period 8 and SNRs with period 5 shifted per voice
    # round, so every (voice, SNR) pair comes up within 40 clips.
    snr = SNRS[(i + i // len(voices)) % len(SNRS)]
    return {
        "voice": voice,
        "rate": rng.choice(TRAIN_RATES if train else RATES),
        "snr": snr,
        "noise": None if snr is None else rng.choice(NOISES),
        "format": rng.choice(FORMATS),
    }


def finish(pcm, speech_rms, cond, rng, tmp, path):
    if cond["snr"] is not None:
        pcm = mix(pcm, speech_rms, cond["noise"], cond["snr"], rng, tmp)
    write_final(pcm, cond["format"], path, tmp)


def make_positive(i, cmd, rng, tmp, outdir, kind):
    train = kind == "train"
    cond = condition(rng, i, train)
    eng, voice, label = cond["voice"]
    wake = synth(eng, voice, cond["rate"], WAKE_TEXT, tmp)
    text, tool, args = cmd
    speech = synth(eng, voice, cond["rate"], text, tmp)
    lead = rng.randrange(500, 1500)
    pause = 0 if rng.random() < 0.2 else rng.randrange(100, 700)
    before = b""
    if train and rng.random() < 0.4:
        # Training only: speech shortly before the phrase in 4 of 10, so that
        # stage 3 learns the phrase rather than the pause before it.
        said = synth(eng, voice, cond["rate"], prose(rng, kind), tmp)
        before = said + silence(rng.randrange(100, 600))
    if (train and rng.random() < 0.3) or kind == "loud":
        # ... and a loud sound right before it in 3 of 10: the phrase, not
        # the quiet before it, is what the window's level is measured on.
        # --loud: every evaluation positive, each after a loud sound.
        before += loud_sound(audioop.rms(wake, 2), rng, tmp)
    pcm = silence(lead) + before + wake + silence(pause) + speech + silence(2000)
    lead += len(before) * 1000 // (2 * RATE)
    wake_end = lead + len(wake) * 1000 // (2 * RATE)
    speech_start = wake_end + pause
    speech_end = speech_start + len(speech) * 1000 // (2 * RATE)
    rms = audioop.rms(wake + speech, 2)
    name = "pos_%04d.wav" % i
    finish(pcm, rms, cond, rng, tmp, os.path.join(outdir, name))
    return {"file": name, "kind": "positive", "voice": label,
            "rate": cond["rate"], "snr": cond["snr"], "noise": cond["noise"],
            "format": cond["format"], "text": text, "wake_text": WAKE_TEXT,
            "tool": tool, "args": args, "lead_ms": lead, "pause_ms": pause,
            "wake_end_ms": wake_end, "speech_start_ms": speech_start,
            "speech_end_ms": speech_end,
            "duration_ms": len(pcm) * 1000 // (2 * RATE)}


def make_negative(i, seconds, commands, rng, tmp, outdir, kind):
    cond = condition(rng, i, kind == "train")
    eng, voice, label = cond["voice"]
    parts, texts, speech_only = [silence(300)], [], []
    total = 300
    while total < seconds * 1000:
        r = rng.random()
        if r < 0.35:
            t = rng.choice(SENTENCES[kind][0])
        elif r < 0.55:
            t = rng.choice(commands)[0]  # a command said without the wake word
        else:
            t = prose(rng, kind)
        s = synth(eng, voice, cond["rate"], t, tmp)
        gap = silence(rng.randrange(300, 1200))
        if kind == "train" and rng.random() < 0.15:
            # Near misses after loud sounds too, as the positives have them.
            parts.append(loud_sound(audioop.rms(s, 2), rng, tmp))
        parts += [s, gap]
        speech_only.append(s)
        texts.append(t)
        total += (len(s) + len(gap)) * 1000 // (2 * RATE)
    pcm = b"".join(parts)
    rms = audioop.rms(b"".join(speech_only), 2)
    name = "neg_%04d.wav" % i
    finish(pcm, rms, cond, rng, tmp, os.path.join(outdir, name))
    return {"file": name, "kind": "negative", "voice": label,
            "rate": cond["rate"], "snr": cond["snr"], "noise": cond["noise"],
            "format": cond["format"], "text": " | ".join(texts),
            "tool": None, "args": None, "wake_end_ms": None,
            "speech_end_ms": None,
            "duration_ms": len(pcm) * 1000 // (2 * RATE)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="ci")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="build/eval/corpus")
    ap.add_argument("--cases", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
        "router_cases.tsv"))
    ap.add_argument("--heldout", action="store_true",
                    help="negatives only, from sentences kept out of tuning")
    ap.add_argument("--loud", action="store_true",
                    help="positives only: the evaluation corpus's, each said "
                    "right after a loud sound")
    ap.add_argument("--train", action="store_true",
                    help="the wake classifier's training set (other voices "
                    "and sentences); implies --size train")
    a = ap.parse_args()
    if a.train:
        a.size = "train"
    npos, nneg, neg_s = SIZES[a.size]
    if a.heldout + a.loud + a.train > 1:
        ap.error("--heldout, --loud and --train are different sets: choose one")
    if a.heldout:
        npos = 0
    if a.loud:
        nneg = 0
    os.makedirs(a.out, exist_ok=True)
    commands = load_commands(a.cases)
    rng = random.Random(a.seed)
    order = list(range(len(commands)))
    rng.shuffle(order)
    kind = "heldout" if a.heldout else "train" if a.train else "loud" if a.loud else "eval"
    rows = []
    with tempfile.TemporaryDirectory(prefix="wz-corpus.") as tmp:
        for i in range(npos):
            # Each clip has its own generator: a clip does not depend on how
            # many were made before it, only on (seed, index).
            crng = random.Random("%d/%s/%d" % (a.seed, "trainpos" if a.train else "pos", i))
            rows.append(make_positive(i, commands[order[i % len(order)]],
                                      crng, tmp, a.out, kind))
        for i in range(nneg):
            crng = random.Random("%d/%s/%d" % (a.seed, "neg" if kind == "eval" else kind, i))
            rows.append(make_negative(i, neg_s, commands, crng, tmp, a.out, kind))
    man = os.path.join(a.out, "manifest.jsonl")
    with open(man + ".tmp", "w") as f:
        for r in rows:
            f.write(json.dumps(r, sort_keys=True) + "\n")
    os.replace(man + ".tmp", man)
    neg_h = sum(r["duration_ms"] for r in rows if r["kind"] == "negative") / 3.6e6
    digest = hashlib.sha256(open(man, "rb").read()).hexdigest()[:12]
    print("corpus %s%s: %d positives, %d negatives (%.2f h), manifest %s (%s)"
          % (a.size, {"heldout": " (held out)", "loud": " (after loud sounds)"}.get(kind, ""),
             npos, nneg, neg_h,
             man, digest))


if __name__ == "__main__":
    sys.exit(main())
