/* audio_io.c: backend dispatch and the shared playback queue. */
#include "core/audio_io_internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int audio_io_start(audio_io *a) { return a->vt->start(a); }

int audio_io_read_frame(audio_io *a, int16_t *frame, int16_t *ref, int timeout_ms)
{
    if (!frame)
        return WZ_INVAL;
    int rc = a->vt->read_frame(a, frame, ref, timeout_ms);
    if (rc == WZ_OK)
        a->frames++;
    return rc;
}

bool audio_io_input_ended(const audio_io *a) { return a->vt->input_ended(a); }

size_t audio_io_play(audio_io *a, const int16_t *pcm, size_t n, int rate)
{
    if (!pcm || n == 0 || rate < RESAMPLER_MIN_RATE || rate > RESAMPLER_MAX_RATE)
        return 0;
    return a->vt->play(a, pcm, n, rate);
}

size_t audio_io_play_pending(const audio_io *a) { return a->vt->play_pending(a); }
void audio_io_play_flush(audio_io *a) { a->vt->play_flush(a); }
void audio_io_play_hold(audio_io *a, bool hold) { a->vt->play_hold(a, hold); }

int64_t audio_io_position_ms(const audio_io *a) { return (int64_t)a->frames * a->frame_ms; }

void audio_io_stats_get(const audio_io *a, audio_io_stats *out)
{
    memset(out, 0, sizeof(*out));
    a->vt->stats(a, out);
    out->frames = a->frames;
}

void audio_io_close(audio_io *a)
{
    if (a)
        a->vt->close(a);
}

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int audio_io_parse_echo(const char *spec, int *delay_ms, double *gain_db, char *err, size_t errlen)
{
    const char *why = "expected DELAY_MS:GAIN_DB, e.g. 30:+6";
    if (!spec || !delay_ms || !gain_db)
        goto bad;
    char *end = NULL;
    errno = 0;
    long d = strtol(spec, &end, 10);
    if (end == spec || *end != ':' || errno || spec[0] == '-' || spec[0] == '+' || spec[0] == ' ')
        goto bad;
    const char *g = end + 1;
    errno = 0;
    double db = strtod(g, &end);
    if (end == g || *end != '\0' || errno || !isfinite(db) || *g == ' ')
        goto bad;
    if (d < 0 || d > AUDIO_IO_ECHO_MAX_DELAY_MS) {
        seterr(err, errlen, "--echo '%s': delay must be 0-%d ms", spec, AUDIO_IO_ECHO_MAX_DELAY_MS);
        return WZ_INVAL;
    }
    if (db < AUDIO_IO_ECHO_MIN_GAIN_DB || db > AUDIO_IO_ECHO_MAX_GAIN_DB) {
        seterr(err, errlen, "--echo '%s': gain must be %g to %+g dB", spec, AUDIO_IO_ECHO_MIN_GAIN_DB,
               AUDIO_IO_ECHO_MAX_GAIN_DB);
        return WZ_INVAL;
    }
    *delay_ms = (int)d;
    *gain_db = db;
    return WZ_OK;
bad:
    seterr(err, errlen, "--echo '%s': %s", spec ? spec : "(null)", why);
    return WZ_INVAL;
}

int play_queue_init(play_queue *q, int out_rate, size_t capacity)
{
    memset(q, 0, sizeof(*q));
    q->out_rate = out_rate;
    return ring_create(&q->ring, capacity);
}

void play_queue_uninit(play_queue *q)
{
    ring_destroy(q->ring);
    resampler_destroy(q->rs);
    memset(q, 0, sizeof(*q));
}

size_t play_queue_push(play_queue *q, const int16_t *pcm, size_t n, int rate)
{
    if (!q->rs || rate != q->in_rate) {
        resampler_destroy(q->rs);
        q->rs = NULL;
        if (resampler_create(&q->rs, rate, q->out_rate, AUDIO_RESAMPLE_QUALITY) != WZ_OK)
            return 0;
        q->in_rate = rate;
    }
    size_t accepted = 0;
    while (accepted < n) {
        size_t space = ring_writable(q->ring);
        if (space == 0)
            break;
        size_t in_n = n - accepted, out_n = WZ_MIN(space, WZ_ARRAY_LEN(q->scratch));
        if (resampler_process(q->rs, pcm + accepted, &in_n, q->scratch, &out_n) != WZ_OK)
            break;
        /* We are the only producer, so the space we saw is still there. */
        ring_write(q->ring, q->scratch, out_n);
        accepted += in_n;
        if (in_n == 0 && out_n == 0)
            break;
    }
    return accepted;
}

size_t play_queue_pending_16k(const play_queue *q)
{
    uint64_t n = ring_readable(q->ring);
    return (size_t)(n * WZ_SAMPLE_RATE / (uint64_t)q->out_rate);
}

void play_queue_reset_producer(play_queue *q) { resampler_reset(q->rs); }

void audio_downmix_s16(const int16_t *in, int channels, size_t n, int16_t *out)
{
    if (channels == 1) {
        memmove(out, in, n * sizeof(*out));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int32_t s = 0;
        for (int c = 0; c < channels; c++)
            s += in[i * (size_t)channels + (size_t)c];
        out[i] = (int16_t)(s / channels);
    }
}
