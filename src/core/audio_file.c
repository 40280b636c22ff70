/* audio_file.c: the file audio backend (--input, --output, --echo, --fast).
 *
 * The input WAV is the microphone, the output WAV the loudspeaker, and one
 * audio clock drives both: every captured frame writes exactly one frame of
 * output (what played during it, or silence), so sample k of the output is
 * the same instant as sample k of the input. Everything runs on the calling
 * (core) thread; there is no callback. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "core/audio_io_internal.h"
#include "core/wav.h"

typedef struct {
    audio_io base; /* must be first */
    int16_t *in;   /* whole input, 16 kHz mono */
    size_t in_n;
    size_t in_pos;
    bool ended;
    bool fast;
    bool started;
    int64_t t0_ns; /* wall time of input sample 0 (real-time pacing) */
    play_queue pq; /* 16 kHz */
    wav_writer *out;
    bool out_failed;
    bool hold;     /* audio_io_play_hold */
    /* --echo: a delay line of the played signal, echo_delay samples long. */
    bool echo;
    size_t echo_delay;
    float echo_gain;
    int16_t *echo_line;
    size_t echo_pos;
    int16_t *played; /* one frame */
} audio_file;

static int file_start(audio_io *a)
{
    audio_file *f = (audio_file *)a;
    if (!f->started) {
        f->started = true;
        f->t0_ns = wz_now_ns();
    }
    return WZ_OK;
}

static int16_t sat16(float x)
{
    if (x > 32767.0f)
        return 32767;
    if (x < -32768.0f)
        return -32768;
    return (int16_t)lrintf(x);
}

/* Real-time pacing: frame k is complete at t0 + (k+1) * frame_ms. */
static int pace(audio_file *f, int timeout_ms)
{
    int64_t due = f->t0_ns + (int64_t)(f->base.frames + 1) * f->base.frame_ms * 1000000;
    int64_t wait_ms = (due - wz_now_ns() + 999999) / 1000000;
    if (wait_ms <= 0)
        return WZ_OK;
    if (timeout_ms >= 0 && wait_ms > timeout_ms) {
        wz_sleep_ms(timeout_ms);
        return WZ_TIMEDOUT;
    }
    wz_sleep_ms(wait_ms);
    return WZ_OK;
}

static int file_read_frame(audio_io *a, int16_t *frame, int16_t *ref, int timeout_ms)
{
    audio_file *f = (audio_file *)a;
    size_t n = a->frame_samples;
    file_start(a);
    if (!f->fast) {
        int rc = pace(f, timeout_ms);
        if (rc)
            return rc;
    }
    size_t k = f->in_pos < f->in_n ? WZ_MIN(n, f->in_n - f->in_pos) : 0;
    memcpy(frame, f->in + f->in_pos, k * sizeof(*frame));
    memset(frame + k, 0, (n - k) * sizeof(*frame));
    f->in_pos += k;
    if (f->in_pos >= f->in_n)
        f->ended = true;

    size_t got = f->hold ? 0 : ring_read(f->pq.ring, f->played, n);
    memset(f->played + got, 0, (n - got) * sizeof(*f->played));

    if (f->echo) {
        for (size_t i = 0; i < n; i++) {
            int16_t delayed = f->played[i];
            if (f->echo_delay) {
                delayed = f->echo_line[f->echo_pos];
                f->echo_line[f->echo_pos] = f->played[i];
                f->echo_pos = (f->echo_pos + 1) % f->echo_delay;
            }
            frame[i] = sat16((float)frame[i] + f->echo_gain * (float)delayed);
        }
    }
    if (ref)
        memcpy(ref, f->played, n * sizeof(*ref));
    if (f->out && !f->out_failed) {
        int rc = wav_writer_write(f->out, f->played, n);
        if (rc) {
            f->out_failed = true;
            log_error("--output: write failed: %s", wz_strerror(rc));
            return WZ_IO;
        }
    }
    return WZ_OK;
}

static bool file_input_ended(const audio_io *a) { return ((const audio_file *)a)->ended; }

static size_t file_play(audio_io *a, const int16_t *pcm, size_t n, int rate)
{
    return play_queue_push(&((audio_file *)a)->pq, pcm, n, rate);
}

static size_t file_play_pending(const audio_io *a) { return play_queue_pending_16k(&((const audio_file *)a)->pq); }

static void file_play_flush(audio_io *a)
{
    audio_file *f = (audio_file *)a;
    ring_skip_all(f->pq.ring); /* we are the consumer too */
    play_queue_reset_producer(&f->pq);
}

static void file_play_hold(audio_io *a, bool hold) { ((audio_file *)a)->hold = hold; }

static void file_stats(const audio_io *a, audio_io_stats *out) { WZ_UNUSED(a); WZ_UNUSED(out); }

static void file_close(audio_io *a)
{
    audio_file *f = (audio_file *)a;
    if (f->out && wav_writer_close(f->out) != WZ_OK)
        log_error("--output: could not finish the WAV file");
    play_queue_uninit(&f->pq);
    free(f->in);
    free(f->echo_line);
    free(f->played);
    free(f);
}

static const audio_io_vtable file_vt = {
    .name = "file",
    .start = file_start,
    .read_frame = file_read_frame,
    .input_ended = file_input_ended,
    .play = file_play,
    .play_pending = file_play_pending,
    .play_flush = file_play_flush,
    .play_hold = file_play_hold,
    .stats = file_stats,
    .close = file_close,
};

int audio_io_open_file(audio_io **out, const char *in_wav, const char *out_wav, bool fast, const char *echo_spec,
                       int frame_ms, char *err, size_t errlen)
{
    if (!out || !in_wav)
        return WZ_INVAL;
    *out = NULL;
    if (frame_ms < 10 || frame_ms > 30) {
        snprintf(err, errlen, "audio frame must be 10-30 ms, got %d", frame_ms);
        return WZ_INVAL;
    }
    int delay_ms = 0;
    double gain_db = 0;
    if (echo_spec && audio_io_parse_echo(echo_spec, &delay_ms, &gain_db, err, errlen) != WZ_OK)
        return WZ_INVAL;

    audio_file *f = calloc(1, sizeof(*f));
    if (!f)
        return WZ_NOMEM;
    f->base.vt = &file_vt;
    f->base.frame_ms = frame_ms;
    f->base.frame_samples = (size_t)WZ_SAMPLE_RATE / 1000 * (size_t)frame_ms;
    f->fast = fast;
    wav_info info;
    int rc = wav_read_16k_mono(in_wav, &f->in, &f->in_n, &info, err, errlen);
    if (rc)
        goto fail;
    rc = play_queue_init(&f->pq, WZ_SAMPLE_RATE, (size_t)WZ_SAMPLE_RATE * AUDIO_IO_PLAY_QUEUE_MS / 1000);
    if (rc)
        goto fail_nomem;
    f->played = calloc(f->base.frame_samples, sizeof(int16_t));
    if (!f->played)
        goto fail_nomem;
    if (echo_spec) {
        f->echo = true;
        f->echo_gain = (float)pow(10.0, gain_db / 20.0);
        f->echo_delay = (size_t)delay_ms * WZ_SAMPLE_RATE / 1000;
        if (f->echo_delay && !(f->echo_line = calloc(f->echo_delay, sizeof(int16_t))))
            goto fail_nomem;
    }
    if (out_wav) {
        rc = wav_writer_open(&f->out, out_wav, WZ_SAMPLE_RATE);
        if (rc) {
            snprintf(err, errlen, "%s: cannot create the output WAV file", out_wav);
            goto fail;
        }
    }
    log_debug("file audio: %s, %d Hz, %d ch, %d-bit%s, %lld frames -> %zu samples at 16 kHz", in_wav, info.rate,
              info.channels, info.bits, info.is_float ? " float" : "", (long long)info.frames, f->in_n);
    *out = &f->base;
    return WZ_OK;
fail_nomem:
    rc = WZ_NOMEM;
    snprintf(err, errlen, "out of memory");
fail:
    file_close(&f->base);
    return rc;
}
