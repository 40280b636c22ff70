/* audio_io.h: the core's microphone and loudspeaker, behind one small vtable.
 *
 * Two backends: live (PortAudio, audio_pa.c) and file (--input/--output WAV,
 * audio_file.c). The core loop sees the same thing from both: 16 kHz mono
 * s16 capture frames of frame_ms, each paired with the reference signal
 * (what was played during that frame) for the echo canceller, and a
 * non-blocking playback queue that takes any rate.
 *
 * Frame size: 20 ms by default (audio.frame_ms, 10-30 allowed); see
 * docs/audio.md for why.
 *
 * Thread safety: an audio_io is driven by one thread (the core thread); all
 * functions below are for that thread. The live backend runs PortAudio's
 * callback on its own thread and talks to the core thread only through
 * lock-free SPSC rings (core/ring.h) and atomics. None of these functions may
 * be called from an audio callback.
 * PortAudio setup and teardown (audio_io_open_live, audio_io_close of a live
 * backend, audio_io_list_devices) use a process-wide reference count and
 * must not run concurrently with each other. */
#ifndef WZ_AUDIO_IO_H
#define WZ_AUDIO_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "app/config.h"
#include "common/wz.h"

/* Playback queue capacity: 10 s at the output rate. A reply is streamed by
 * the TTS faster than real time; what does not fit is refused (audio_io_play
 * returns less than n) and the caller offers it again later. */
#define AUDIO_IO_PLAY_QUEUE_MS 10000

/* --echo limits: delays beyond 2 s or gains outside -60..+20 dB are not a
 * room anyone lives in. */
#define AUDIO_IO_ECHO_MAX_DELAY_MS 2000
#define AUDIO_IO_ECHO_MIN_GAIN_DB (-60.0)
#define AUDIO_IO_ECHO_MAX_GAIN_DB 20.0

typedef struct audio_io_stats {
    uint64_t frames;    /* capture frames returned by audio_io_read_frame */
    uint64_t overruns;  /* capture lost: ring full in the callback, or device input overflow */
    uint64_t underruns; /* device output underflows reported by PortAudio (0 in file mode) */
    /* Live echo reference (0 in file mode, which is sample-exact): times the
     * time-stamp alignment jumped (output stall, restarted stream), and
     * reference samples, in ms, that had not been played yet when needed. */
    uint64_t ref_resyncs;
    uint64_t ref_late_ms;
} audio_io_stats;

typedef struct audio_io audio_io;

/* Backend operations; each backend embeds struct audio_io as its first
 * member. Semantics are those of the public functions below. */
typedef struct audio_io_vtable {
    const char *name;
    int (*start)(audio_io *a);
    int (*read_frame)(audio_io *a, int16_t *frame, int16_t *ref, int timeout_ms);
    bool (*input_ended)(const audio_io *a);
    size_t (*play)(audio_io *a, const int16_t *pcm, size_t n, int rate);
    size_t (*play_pending)(const audio_io *a);
    void (*play_flush)(audio_io *a);
    void (*play_hold)(audio_io *a, bool hold);
    void (*stats)(const audio_io *a, audio_io_stats *out);
    void (*close)(audio_io *a);
} audio_io_vtable;

struct audio_io {
    const audio_io_vtable *vt;
    int frame_ms;         /* 10-30 */
    size_t frame_samples; /* 16 * frame_ms */
    uint64_t frames;      /* frames delivered: the input audio clock */
};

/* Opens PortAudio capture (and playback, if an output device exists) on the
 * devices named by device_override (applies to input, and to output when
 * that device can play), else cfg->audio_input_device /
 * cfg->audio_output_device ("" = default; a case-insensitive name substring
 * or an index from audio_io_list_devices). frame_ms 10-30.
 * Errors: WZ_NOTFOUND when no usable input device exists or none matches (err
 * names `make demo` and `--input FILE.wav`; the caller exits 2), WZ_INVAL,
 * WZ_ENGINE (PortAudio failed; err has its text), WZ_NOMEM. On error *out is
 * NULL. PortAudio's ALSA/JACK probe chatter on stderr is hidden while it
 * initialises unless the log level is debug (fd 2 is pointed at /dev/null for
 * those calls, so other threads' stderr output in that window is lost). */
WZ_MUST_CHECK int audio_io_open_live(audio_io **out, const wz_config *cfg, const char *device_override,
                                     int frame_ms, char *err, size_t errlen);

/* Opens the file backend: in_wav is read whole (any format wav_read_16k_mono
 * accepts); out_wav (NULL: none) receives one frame of playback per captured
 * frame, 16 kHz mono, so it is sample-aligned with the input; fast = no
 * real-time pacing; echo_spec "DELAY_MS:GAIN_DB" (NULL: none) mixes the
 * played signal into the microphone. Errors: WZ_IO/WZ_PROTO/WZ_UNSUPP/
 * WZ_TOOBIG for the input file, WZ_IO for the output file, WZ_INVAL for a bad
 * echo spec or frame_ms; err explains (the caller exits 2). */
WZ_MUST_CHECK int audio_io_open_file(audio_io **out, const char *in_wav, const char *out_wav, bool fast,
                                     const char *echo_spec, int frame_ms, char *err, size_t errlen);

/* Parses "DELAY_MS:GAIN_DB" (e.g. "30:+6", "120:-10.5"). WZ_INVAL with err
 * on anything else or out of the limits above. */
WZ_MUST_CHECK int audio_io_parse_echo(const char *spec, int *delay_ms, double *gain_db, char *err,
                                      size_t errlen);

/* Starts capture and playback (live) or the audio clock (file). Idempotent.
 * read_frame starts a stopped backend itself. */
WZ_MUST_CHECK int audio_io_start(audio_io *a);

/* Next capture frame (frame_samples of 16 kHz mono s16) into frame, and the
 * playback signal audible during it into ref (same length; zeros when
 * nothing played; ref may be NULL). Blocks up to timeout_ms (<0: no limit):
 * live waits for the device, file sleeps to the audio clock unless fast.
 * Returns WZ_OK, WZ_TIMEDOUT (nothing written), or WZ_IO (file: writing
 * --output failed). After the input file ends it returns silence frames and
 * audio_io_input_ended() is true. */
WZ_MUST_CHECK int audio_io_read_frame(audio_io *a, int16_t *frame, int16_t *ref, int timeout_ms);
bool audio_io_input_ended(const audio_io *a);

/* Queues reply audio at any rate (1000-384000 Hz; the backend resamples).
 * Never blocks; returns the number of input samples accepted (less than n
 * when the queue is full; 0 if the backend cannot play). */
size_t audio_io_play(audio_io *a, const int16_t *pcm, size_t n, int rate);
/* Queued samples not yet played, counted at 16 kHz. */
size_t audio_io_play_pending(const audio_io *a);
/* Barge-in: drops all queued playback. File: at once. Live: the callback
 * drops it at its next period (within one 10 ms device buffer). */
void audio_io_play_flush(audio_io *a);
/* Holds playback (true): the output plays silence and keeps what is queued,
 * which plays on from where it stopped once released (false). A flush
 * empties the queue whether held or not; the hold stays as set. Live: takes
 * effect at the callback's next period, like a flush. */
void audio_io_play_hold(audio_io *a, bool hold);

/* Input timeline position: frames returned x frame_ms (the audio clock). */
int64_t audio_io_position_ms(const audio_io *a);
void audio_io_stats_get(const audio_io *a, audio_io_stats *out);
/* The core loop calls audio_io_stats(a, &st). A function of that name would
 * clash with the audio_io_stats type, so it is this function-like macro
 * (which only expands when followed by a parenthesis). */
#define audio_io_stats(a, out) audio_io_stats_get((a), (out))

/* Stops, closes files/devices and frees a. NULL is ignored. */
void audio_io_close(audio_io *a);

/* Prints the --list-devices table: index, name, in/out channels, default
 * rate and which devices are the defaults. Returns WZ_OK, or WZ_ENGINE if
 * PortAudio cannot initialise. Zero devices is not an error (the table says
 * so and names --input). */
int audio_io_list_devices(FILE *out);

#endif
