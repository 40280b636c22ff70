/* wav.h: WAV (RIFF/WAVE) reader and writer.
 *
 * Reader: PCM 8-bit (unsigned), 16/24/32-bit signed integer, 32-bit IEEE
 * float, in plain WAVE_FORMAT_PCM / WAVE_FORMAT_IEEE_FLOAT or
 * WAVE_FORMAT_EXTENSIBLE, 1-WAV_MAX_CHANNELS channels, any rate in
 * [RESAMPLER_MIN_RATE, RESAMPLER_MAX_RATE]. wav_parse() works on memory and
 * is fuzzed (fuzz/fuzz_wav.c); it never reads past len and never allocates.
 *
 * Writer: mono s16 at any rate. The header is written at open with a
 * "size unknown" data length (0xFFFFFFFF, which the reader accepts as "up to
 * end of file"), so a file whose writer crashed stays readable;
 * wav_writer_close() patches the real sizes.
 *
 * Thread safety: functions share no state; a wav_writer is used by one thread.
 * None of these functions is for the audio callback (they do file I/O). */
#ifndef WZ_WAV_H
#define WZ_WAV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wz.h"

/* Caps on externally fed files. 1 GiB holds 9 h of 16 kHz mono s16 or 1.5 h
 * of 48 kHz stereo 32-bit; nothing Wyzer reads is near that. */
#define WAV_MAX_FILE_BYTES ((size_t)1 << 30)
#define WAV_MAX_CHANNELS 32

typedef struct {
    int rate;
    int channels;
    int bits;      /* bits per sample: 8, 16, 24 or 32 */
    bool is_float; /* 32-bit IEEE float */
    int64_t frames;
} wav_info;

/* Parses a WAV image in memory. On success fills *info, points *samples into
 * data at the first sample frame and sets *sample_bytes to a whole number of
 * frames (a partial trailing frame is dropped). Chunks other than fmt and data
 * are skipped; fmt must come before data.
 * Errors (err holds one line of text):
 *   WZ_PROTO   not RIFF/WAVE, missing or malformed fmt/data, data chunk
 *              longer than the file (truncated), inconsistent block align
 *   WZ_UNSUPP  valid WAV in a format we do not decode (e.g. A-law, 64-bit
 *              float, 12-bit), or rate/channel count outside the caps
 *   WZ_INVAL   NULL arguments
 * err may be NULL when errlen is 0. */
WZ_MUST_CHECK int wav_parse(const uint8_t *data, size_t len, wav_info *info, const uint8_t **samples,
                            size_t *sample_bytes, char *err, size_t errlen);

/* Converts nframes interleaved frames of the parsed format to mono s16 by
 * averaging the channels. out must hold nframes samples. */
void wav_to_mono_s16(const wav_info *info, const uint8_t *samples, size_t nframes, int16_t *out);

/* Reads a whole file (at most WAV_MAX_FILE_BYTES) and converts it to mono s16
 * at 16 kHz (channel average, then speexdsp resampling at quality 5 with the
 * filter delay removed, so timing is preserved). On success the caller frees
 * *pcm with free(); *info describes the file as stored. On error *pcm is NULL,
 * *n is 0 and err names the file and the problem; returns WZ_IO (cannot
 * read), WZ_TOOBIG, WZ_PROTO, WZ_UNSUPP or WZ_NOMEM. */
WZ_MUST_CHECK int wav_read_16k_mono(const char *path, int16_t **pcm, size_t *n, wav_info *info, char *err,
                                    size_t errlen);

typedef struct wav_writer wav_writer;

/* Creates (truncates) path as a mono s16 WAV at rate. Returns WZ_IO or
 * WZ_INVAL on failure (nothing to close then). */
WZ_MUST_CHECK int wav_writer_open(wav_writer **out, const char *path, int rate);
/* Appends n samples. WZ_TOOBIG once the data would pass the 4 GiB RIFF
 * limit (nothing written then); WZ_IO on a write error. */
WZ_MUST_CHECK int wav_writer_write(wav_writer *w, const int16_t *pcm, size_t n);
/* Samples written so far. */
uint64_t wav_writer_samples(const wav_writer *w);
/* Patches the header sizes, closes the file and frees w (always, even on
 * error). Returns WZ_IO if a write or close failed. NULL is ignored. */
int wav_writer_close(wav_writer *w);
/* Writes a whole mono s16 file in one call. */
WZ_MUST_CHECK int wav_write_file(const char *path, const int16_t *pcm, size_t n, int rate);

#endif
