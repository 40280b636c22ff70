/* audio_io_internal.h: pieces shared by the audio backends (not public).
 *
 * play_queue: the producer side of playback. audio_io_play() resamples reply
 * audio from its rate to the backend's output rate and appends it to an SPSC
 * ring whose consumer is the output (PortAudio callback, or the file
 * backend's frame clock). Runs on the core thread only. */
#ifndef WZ_AUDIO_IO_INTERNAL_H
#define WZ_AUDIO_IO_INTERNAL_H

#include "core/audio_io.h"
#include "core/resample.h"
#include "core/ring.h"

/* Resampler quality for playback and capture: speexdsp 3 ("VoIP" quality)
 * keeps its passband ripple and aliasing far below what the echo canceller
 * and PocketSphinx notice, at a fraction of quality 5's cost. */
#define AUDIO_RESAMPLE_QUALITY 3

typedef struct {
    ring *ring;      /* samples at out_rate; consumer is the output side */
    resampler *rs;   /* in_rate -> out_rate; recreated when in_rate changes */
    int in_rate;
    int out_rate;
    int16_t scratch[1024];
} play_queue;

WZ_MUST_CHECK int play_queue_init(play_queue *q, int out_rate, size_t capacity);
void play_queue_uninit(play_queue *q);
/* Returns input samples accepted; never blocks. */
size_t play_queue_push(play_queue *q, const int16_t *pcm, size_t n, int rate);
/* Pending samples counted at 16 kHz. */
size_t play_queue_pending_16k(const play_queue *q);
/* Core side of a flush: forget the resampler's history. */
void play_queue_reset_producer(play_queue *q);

/* Average the channels of n interleaved s16 frames into mono. */
void audio_downmix_s16(const int16_t *in, int channels, size_t n, int16_t *out);

#endif
