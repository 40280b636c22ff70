/* vad.h: per-frame voice activity detection with onset smoothing and
 * hangover, adapting to the noise floor.
 *
 * Method (chosen by bench/bench_vad.c; see docs/listening.md): a 512-point
 * FFT of each frame is summed into 12 log-spaced bands from 200 to 5000 Hz.
 * Each band's noise floor is the minimum of its smoothed power over the last
 * ~2 s (minimum statistics: speech has pauses, stationary noise does not),
 * so a fan or hum is adopted as noise within ~2 s. A frame is raw speech
 * when the mean positive band SNR exceeds threshold_db. The output turns on
 * after onset_frames raw-speech frames out of the last onset_frames+1, and
 * stays on for hangover_ms after the last raw-speech frame.
 *
 * Frame-in/decision-out on caller memory; vad_process() allocates nothing,
 * takes no lock and makes no system call, so it is safe on the audio thread
 * (the core calls it from its processing thread). One vad per thread. */
#ifndef WZ_VAD_H
#define WZ_VAD_H

#include <stdbool.h>
#include <stdint.h>

#include "common/wz.h"

struct wz_config;

typedef struct {
    int frame_samples;  /* 16 kHz samples per frame: 160..480 (10..30 ms) */
    float threshold_db; /* mean band SNR that marks raw speech */
    int onset_frames;   /* raw-speech frames (of the last onset_frames+1) to turn on */
    int hangover_ms;    /* stay on this long after the last raw-speech frame */
    float min_level_dbfs; /* frames quieter than this are never speech */
} vad_config;

typedef struct vad vad;

/* Defaults for 20 ms frames (the values bench_vad chose). */
void vad_config_init(vad_config *vc);

/* vad_config_init() plus frame_samples from cfg->audio_frame_ms. */
void vad_config_from(vad_config *vc, const struct wz_config *cfg);

/* Allocates a detector. On error *out is NULL and WZ_INVAL (bad config) or
 * WZ_NOMEM is returned. Free with vad_destroy(). */
int vad_create(vad **out, const vad_config *vc) WZ_MUST_CHECK;
void vad_destroy(vad *v);

/* Forgets the noise floor and the onset/hangover state. */
void vad_reset(vad *v);

/* One frame of n samples (n must equal frame_samples). Returns 1 (speech),
 * 0 (no speech) or WZ_INVAL (wrong n). */
int vad_process(vad *v, const int16_t *frame, int n);

/* The last frame's raw (unsmoothed) decision, its level in dBFS and its
 * mean band SNR in dB; for level meters and debugging. */
bool vad_raw(const vad *v);
float vad_level_dbfs(const vad *v);
float vad_snr_db(const vad *v);

#endif
