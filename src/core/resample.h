/* resample.h: a mono s16 sample-rate converter (wraps speexdsp's resampler).
 *
 * One resampler converts one stream from in_rate to out_rate. Equal rates are
 * a plain copy (no filter delay). Quality is speexdsp's 0-10 scale: 3 is
 * speexdsp's "VoIP" default and costs about 1% of a core for 48->16 kHz;
 * 5 is its desktop default.
 *
 * Thread safety: a resampler is owned by one thread at a time.
 * Audio-thread safety: resampler_process(), resampler_reset() and
 * resampler_out_max() allocate nothing and make no system call, so they are
 * safe in an audio callback. resampler_create()/destroy() are not. */
#ifndef WZ_RESAMPLE_H
#define WZ_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/wz.h"

/* Rates outside this range are rejected with WZ_INVAL. */
#define RESAMPLER_MIN_RATE 1000
#define RESAMPLER_MAX_RATE 384000

typedef struct resampler resampler;

/* Creates a converter. quality 0-10. On error *out is NULL and WZ_INVAL
 * (bad rate or quality) or WZ_NOMEM is returned. Free with resampler_destroy. */
WZ_MUST_CHECK int resampler_create(resampler **out, int in_rate, int out_rate, int quality);

/* Converts up to *in_n input samples (mono s16) into at most *out_n output
 * samples. On return *in_n = samples consumed, *out_n = samples produced.
 * Unconsumed input must be offered again. Allocation-free. Returns WZ_OK or
 * WZ_INVAL (NULL arguments). */
WZ_MUST_CHECK int resampler_process(resampler *r, const int16_t *in, size_t *in_n, int16_t *out,
                                    size_t *out_n);

/* Upper bound on the output produced from in_n input samples (for sizing
 * buffers): ceil(in_n * out_rate / in_rate) + 2. */
size_t resampler_out_max(const resampler *r, size_t in_n);

/* Drops the filter's initial delay, so the first output sample lines up with
 * the first input sample (used for files, where timing alignment matters).
 * Call right after create or reset. */
void resampler_skip_zeros(resampler *r);

/* Pushes the filter's remaining tail out by feeding silence. Writes at most
 * *out_n samples; on return *out_n = produced. Use once at end of stream. */
WZ_MUST_CHECK int resampler_drain(resampler *r, int16_t *out, size_t *out_n);

/* Clears the filter history (e.g. after a barge-in flush). Allocation-free. */
void resampler_reset(resampler *r);

int resampler_in_rate(const resampler *r);
int resampler_out_rate(const resampler *r);

/* Frees r; NULL is ignored. */
void resampler_destroy(resampler *r);

#endif
