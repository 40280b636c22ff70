/* cmn_window.h: a cepstral mean that follows the input within seconds, for
 * PocketSphinx's live decoding.
 *
 * PocketSphinx subtracts a running cepstral mean from every frame. Live, it
 * starts from the acoustic model's -cmninit, counts it as 500 frames (5 s)
 * and moves only every 800 frames or at the end of an utterance. These
 * helpers keep the library's running sum and count but fold them into the
 * mean as often as the caller asks, fading the sum to a shorter window
 * (docs/listening.md, "The search's cepstral mean follows the input"). They
 * work on the cmn_t that ps_get_feat() exposes, as the library's own
 * cmn_live_update() does; floating-point builds only. The keyphrase search
 * (core/wake.c) folds its mean with them; the recogniser
 * (brain/stt_pocketsphinx.c) sets its decoders' through cmn_window_of(). */
#ifndef WZ_CMN_WINDOW_H
#define WZ_CMN_WINDOW_H

#include <pocketsphinx.h>
#include <sphinxbase/cmn.h>
#include <stdbool.h>
#include <stdint.h>

#define CMN_WINDOW_MAX_CEP 32

typedef struct {
    mfcc_t mean[CMN_WINDOW_MAX_CEP], sum[CMN_WINDOW_MAX_CEP];
    int32 nframe;
} cmn_window_state;

/* d's live mean, or NULL if it has none or more than CMN_WINDOW_MAX_CEP
 * cepstra. */
cmn_t *cmn_window_of(ps_decoder_t *d);

/* The current mean counts as `frames` frames of audio. */
void cmn_window_seed(cmn_t *c, int frames);

/* The mean becomes the average of the running sum; the sum then fades to
 * `window` frames. */
void cmn_window_fold(cmn_t *c, int window);

/* Counts n more samples decoded; true (and *due rewound to every_samples)
 * when a fold is due. */
static inline bool cmn_window_due(int64_t *due, size_t n, int64_t every_samples)
{
    *due -= (int64_t)n;
    if (*due > 0)
        return false;
    *due = every_samples;
    return true;
}

void cmn_window_save(const cmn_t *c, cmn_window_state *to);
void cmn_window_load(cmn_t *c, const cmn_window_state *from);

#endif
