/* wake_net.h: stage 3 of the wake word, a small neural network that scores
 * a stage-1 candidate from the sound of its last second.
 *
 * Features: the model's MFCCs (13 cepstra, 10 ms frames, PocketSphinx's
 * front end with the acoustic model's parameters) of the window_ms of audio
 * that ends after_ms past the candidate's end. c1..c12 have the window's
 * mean taken off, c0 the window's loudest frame, so level and channel do
 * not matter; `pool` frames at a time are averaged. The network: the
 * features standardised (mean, scale), one tanh hidden layer, a logistic
 * output: the probability that the window ends in the wake phrase.
 *
 * The weights are data (data/wake/hey_wyzer.net), trained by
 * eval/train_wake.py on eval/gen_corpus.py --train: voices and sentences
 * that the evaluation corpus and the held-out set do not have. Format:
 * docs/listening.md, "Weights file". wake_net_load() parses it (fuzzed by
 * fuzz/fuzz_wake_net.c); a file that does not parse, or whose sizes are
 * out of range, is an error, never a crash.
 *
 * Cost: a new front end over ~1.3 s of audio (a new one per window:
 * PocketSphinx's noise removal carries an estimate from one utterance to the
 * next) plus one small matrix product, p50 0.9 ms (bench_wake --net-cost);
 * it allocates. Not for the audio callback. One wake_net per thread. */
#ifndef WZ_WAKE_NET_H
#define WZ_WAKE_NET_H

#include <stddef.h>
#include <stdint.h>

#include "common/wz.h"

#define WAKE_NET_CEP 13
#define WAKE_NET_MAX_FILE (4u << 20)  /* bytes of a weights file */
#define WAKE_NET_MAX_INPUTS 2048
#define WAKE_NET_MAX_HIDDEN 256
#define WAKE_NET_MAX_WINDOW_MS 1600
#define WAKE_NET_MAX_AFTER_MS 200

typedef struct wake_net wake_net;

/* Reads a weights file. WZ_IO (cannot read), WZ_CONFIG (does not parse, with
 * the line in err) or WZ_NOMEM; *out is NULL then. */
int wake_net_load(wake_net **out, const char *path, char *err, size_t errlen) WZ_MUST_CHECK;

/* The same from a buffer (len bytes, need not be NUL-terminated). */
int wake_net_parse(wake_net **out, const char *text, size_t len, char *err, size_t errlen)
    WZ_MUST_CHECK;

void wake_net_free(wake_net *n);

/* Samples of audio the net wants before and after a candidate's end. */
int wake_net_before(const wake_net *n);
int wake_net_after(const wake_net *n);

/* The window's features (wake_net_inputs() floats) into out. pcm holds
 * wake_net_before() + wake_net_after() samples, the candidate's end at
 * wake_net_before(). WZ_ENGINE if the front end fails. */
int wake_net_features(wake_net *n, const int16_t *pcm, float *out) WZ_MUST_CHECK;
int wake_net_inputs(const wake_net *n);

/* The probability (0..1) that the window ends in the wake phrase, or a
 * negative number if the front end failed. Uses the net's scratch: one
 * thread at a time. */
float wake_net_score(wake_net *n, const int16_t *pcm);

/* The front end's cepstra of n samples: at most max_frames frames of
 * WAKE_NET_CEP floats into out. Returns the frame count or a negative
 * wz_err. A front end of its own per call: for tools that study the
 * features (bench_wake --dump), not for the frame path. */
int wake_net_cepstra(const int16_t *pcm, int n, float *out, int max_frames);

#endif
