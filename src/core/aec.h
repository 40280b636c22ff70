/* aec.h: acoustic echo cancellation for barge-in: speexdsp's adaptive echo
 * canceller (MDF) followed by speex_preprocess as residual echo suppressor.
 *
 * Per frame the caller passes the microphone frame and the reference: the
 * samples that went to the loudspeaker during the same frame (silence when
 * nothing plays). The tail (cfg aec.tail_ms, default 128 ms) must cover the
 * loudspeaker-to-microphone delay plus the room's reverberation.
 *
 * Frame-in/frame-out on caller memory; aec_process() allocates nothing and
 * takes no lock (speexdsp allocates only in its init functions), so it is
 * safe on the audio thread; the core calls it from its processing thread.
 * One aec per thread. */
#ifndef WZ_AEC_H
#define WZ_AEC_H

#include <stdbool.h>
#include <stdint.h>

#include "common/wz.h"

struct wz_config;

typedef struct {
    int frame_samples;   /* 16 kHz samples per frame (160..480) */
    int tail_ms;         /* echo path length the filter models (16..1000) */
    bool residual;       /* run the residual echo suppressor (default true) */
    bool denoise;        /* preprocessor noise suppression; the residual echo
                          * suppressor acts only with it on (default true) */
} aec_config;

typedef struct aec aec;

/* 20 ms frames, 128 ms tail, residual suppressor and denoise on. */
void aec_config_init(aec_config *ac);
/* aec_config_init() plus audio.frame_ms and aec.tail_ms from cfg. */
void aec_config_from(aec_config *ac, const struct wz_config *cfg);

/* On error *out is NULL and WZ_INVAL or WZ_NOMEM is returned. */
int aec_create(aec **out, const aec_config *ac) WZ_MUST_CHECK;
void aec_destroy(aec *a);

/* Delay of out relative to mic, in samples: one frame with the residual
 * suppressor, 0 without. Wake-word positions measured on the output are
 * this much later on the input timeline. */
int aec_latency_samples(const aec *a);

/* Forgets the learned echo path (e.g. after the output device changed). */
void aec_reset(aec *a);

/* One frame: out = mic with the echo of ref removed. mic, ref and out hold
 * frame_samples samples each; out may alias mic. */
void aec_process(aec *a, const int16_t *mic, const int16_t *ref, int16_t *out);

/* One frame while nothing plays: out = mic through the noise suppressor
 * only, at a sixth of aec_process()'s cost. The canceller is skipped; its
 * filter stays as learned, and the suppressor's noise estimate stays
 * current. Call it only once the reference has been silent for longer than
 * the tail, so that the canceller's own history of the reference is silence
 * too: then resuming with aec_process() at the next playback is the same as
 * having fed it every silent frame (tests/unit/test_aec.c measures it). */
void aec_idle(aec *a, const int16_t *mic, int16_t *out);

#endif
