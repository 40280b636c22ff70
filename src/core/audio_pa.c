/* audio_pa.c: the live audio backend on PortAudio.
 *
 * Two streams: capture, and playback when an output device exists. (One
 * full-duplex stream would align them for free, but PortAudio's ALSA host API
 * busy-loops at 100% of a core in full-duplex mode on ALSA's pulse plugin,
 * measured here; two half-duplex streams cost under 1%.) The PortAudio
 * callbacks are the only code on the audio threads. They allocate nothing,
 * take no lock, do no I/O, logging or system call: they downmix into a
 * preallocated buffer and move samples through three SPSC rings
 * (core/ring.h):
 *   capture ring  input callback -> core    microphone, mono, input rate
 *   play ring     core -> output callback   reply audio, mono, output rate
 *   played ring   output callback -> core   what was actually output (the
 *                                           echo reference), mono, output rate
 * Each callback also publishes, through a seqlock (core/stamp.h), the
 * running index of its first sample and PortAudio's time stamp for it
 * (outputBufferDacTime, inputBufferAdcTime). The core thread resamples
 * capture and reference to 16 kHz; for each chunk of capture it takes the
 * played samples that were at the DAC when that chunk was at the ADC
 * (core/refalign.h, take_reference). Counters are relaxed atomics. */
#include <fcntl.h>
#include <portaudio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/log.h"
#include "core/audio_io_internal.h"
#include "core/refalign.h"
#include "core/stamp.h"

/* Device period: 10 ms. Half the default 20 ms frame, so a frame is ready
 * at most 10 ms after its last sample was captured, and a barge-in flush
 * takes effect within 10 ms. Shorter periods gain little and raise the risk
 * of underruns through the ALSA->PulseAudio path. */
#define PA_PERIOD_MS 10
/* Capture and reference rings hold 1 s: the core thread can stall that long
 * (e.g. a page-fault storm while the brain loads a model) before audio is
 * lost. */
#define PA_CAPTURE_RING_MS 1000
/* Largest callback chunk handled in one piece; bigger callbacks are split. */
#define PA_CB_CHUNK 4096
/* Core-side read granularity at the device rate. */
#define PA_CORE_CHUNK 1024

typedef struct {
    audio_io base; /* must be first */
    PaStream *in_stream, *out_stream;
    bool running;
    bool pa_held; /* owns one pa_acquire() reference */
    bool has_out;
    int in_rate, out_rate;
    int in_ch, out_ch;
    ring *cap_ring;
    ring *played_ring;
    play_queue pq; /* its ring is the play ring */
    /* Barge-in: the core stores the play ring's write total; the callback
     * drops everything before it. */
    atomic_size_t flush_to;
    /* audio_io_play_hold: the callback plays silence and keeps the ring. */
    atomic_bool hold;
    atomic_uint_fast64_t overruns;
    atomic_uint_fast64_t underruns;
    /* Callback time stamps: capture ring index -> ADC time, played ring
     * index -> DAC time. */
    stamp_cell in_stamp, out_stamp;
    /* Callback-only scratch (mono). */
    int16_t cb_mic[PA_CB_CHUNK];
    int16_t cb_play[PA_CB_CHUNK];
    /* Core-only state. */
    resampler *cap_rs, *ref_rs;
    refalign *ra;
    int16_t dev_mic[PA_CORE_CHUNK], dev_ref[PA_CORE_CHUNK];
    int16_t *ref_aligned; /* one capture chunk's reference at the output rate */
    int16_t *stage, *stage_ref; /* 16 kHz samples not yet returned as a frame */
    size_t stage_n, stage_ref_n, stage_cap;
} audio_pa;

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit counters must be lock-free for the audio callback");
_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2, "the hold flag must be lock-free for the audio callback");

/* ---- PortAudio lifetime and stderr noise ---------------------------- */

static int pa_refs; /* see audio_io.h: setup is single-threaded */

/* PortAudio's ALSA and JACK host APIs print dozens of probe lines ("Cannot
 * connect to server socket", "Unknown PCM cards.pcm.rear", ...) to stderr
 * while they enumerate devices. They are harmless and bury real messages, so
 * point fd 2 at /dev/null around those calls (not at debug level, where they
 * may help). Returns the saved fd, or -1 if nothing was redirected. */
static int quiet_begin(void)
{
    if (log_get_level() <= LOG_DEBUG)
        return -1;
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved < 0 || nul < 0 || dup2(nul, STDERR_FILENO) < 0) {
        if (saved >= 0)
            close(saved);
        if (nul >= 0)
            close(nul);
        return -1;
    }
    close(nul);
    return saved;
}

static void quiet_end(int saved)
{
    if (saved < 0)
        return;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

static int pa_acquire(char *err, size_t errlen)
{
    if (pa_refs > 0) {
        pa_refs++;
        return WZ_OK;
    }
    int q = quiet_begin();
    PaError e = Pa_Initialize();
    quiet_end(q);
    if (e != paNoError) {
        snprintf(err, errlen, "PortAudio initialisation failed: %s", Pa_GetErrorText(e));
        return WZ_ENGINE;
    }
    pa_refs = 1;
    return WZ_OK;
}

static void pa_release(void)
{
    if (pa_refs <= 0 || --pa_refs > 0)
        return;
    int q = quiet_begin();
    Pa_Terminate();
    quiet_end(q);
}

/* ---- device selection -------------------------------------------------- */

static int channels_of(const PaDeviceInfo *d, bool input)
{
    return input ? d->maxInputChannels : d->maxOutputChannels;
}

/* Resolves "" (default), an index, or a case-insensitive name substring to a
 * device that has channels in the wanted direction. paNoDevice if none. */
static PaDeviceIndex find_device(const char *spec, bool input)
{
    int count = Pa_GetDeviceCount();
    if (!spec || !*spec)
        return input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
    char *end = NULL;
    long idx = strtol(spec, &end, 10);
    if (end != spec && *end == '\0') {
        if (idx < 0 || idx >= count)
            return paNoDevice;
        const PaDeviceInfo *d = Pa_GetDeviceInfo((PaDeviceIndex)idx);
        return d && channels_of(d, input) > 0 ? (PaDeviceIndex)idx : paNoDevice;
    }
    for (PaDeviceIndex i = 0; i < count; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        if (d && d->name && channels_of(d, input) > 0 && strcasestr(d->name, spec))
            return i;
    }
    return paNoDevice;
}

/* ---- the audio callback (audio thread) ------------------------------- */

/* PortAudio's times are seconds on its own clock (CLOCK_REALTIME through
 * the ALSA host API); 0 means the host API does not know. */
static void publish_stamp(stamp_cell *c, size_t index, PaTime t)
{
    if (t > 0)
        stamp_publish(c, (uint64_t)index, (int64_t)(t * 1e9));
}

static int pa_in_callback(const void *input, void *output, unsigned long nframes,
                          const PaStreamCallbackTimeInfo *time_info, PaStreamCallbackFlags flags, void *user)
{
    WZ_UNUSED(output);
    audio_pa *p = user;
    const int16_t *in = input;
    bool lost = false;
    if (flags & paInputOverflow)
        atomic_fetch_add_explicit(&p->overruns, 1, memory_order_relaxed);
    /* The first sample of this buffer gets the next capture index. */
    publish_stamp(&p->in_stamp, ring_write_total(p->cap_ring), time_info->inputBufferAdcTime);
    while (nframes > 0) {
        size_t k = nframes < PA_CB_CHUNK ? (size_t)nframes : PA_CB_CHUNK;
        if (in) {
            audio_downmix_s16(in, p->in_ch, k, p->cb_mic);
            in += k * (size_t)p->in_ch;
        } else {
            memset(p->cb_mic, 0, k * sizeof(int16_t));
        }
        lost |= ring_write(p->cap_ring, p->cb_mic, k) < k;
        nframes -= k;
    }
    if (lost)
        atomic_fetch_add_explicit(&p->overruns, 1, memory_order_relaxed);
    return paContinue;
}

static int pa_out_callback(const void *input, void *output, unsigned long nframes,
                           const PaStreamCallbackTimeInfo *time_info, PaStreamCallbackFlags flags, void *user)
{
    WZ_UNUSED(input);
    audio_pa *p = user;
    int16_t *out = output;
    if (flags & paOutputUnderflow)
        atomic_fetch_add_explicit(&p->underruns, 1, memory_order_relaxed);
    /* The first sample written below gets the next played index. */
    publish_stamp(&p->out_stamp, ring_write_total(p->played_ring), time_info->outputBufferDacTime);
    /* hold first: a release that follows a flush must find the flush done */
    bool hold = atomic_load_explicit(&p->hold, memory_order_acquire);
    ring_skip_to(p->pq.ring, atomic_load_explicit(&p->flush_to, memory_order_acquire));
    while (nframes > 0) {
        size_t k = nframes < PA_CB_CHUNK ? (size_t)nframes : PA_CB_CHUNK;
        size_t got = hold ? 0 : ring_read(p->pq.ring, p->cb_play, k);
        memset(p->cb_play + got, 0, (k - got) * sizeof(int16_t));
        for (size_t i = 0; i < k; i++)
            for (int c = 0; c < p->out_ch; c++)
                *out++ = p->cb_play[i];
        /* A full reference ring means the core is not reading; the
         * capture side counts that stall as an overrun. */
        ring_write(p->played_ring, p->cb_play, k);
        nframes -= k;
    }
    return paContinue;
}

/* ---- core thread ------------------------------------------------------- */

/* Moves everything the output callback has written into the alignment
 * history (the played ring's read total stays equal to refalign_pushed). */
static void drain_played(audio_pa *p)
{
    size_t r;
    while ((r = ring_read(p->played_ring, p->dev_ref, PA_CORE_CHUNK)) > 0)
        refalign_push(p->ra, p->dev_ref, r);
}

/* Output start-up: through ALSA's pulse plugin the output callback ran
 * briefly at stream start and then not at all for 1.3-1.9 s (measured with
 * the callbacks' currentTime stamps), then steadily. Reply audio queued in
 * that window played that much late, and so did its echo reference. So start
 * the output first and wait, up to PA_OUTPUT_WARMUP_MAX_MS, until it runs at
 * real-time pace: two consecutive 100 ms windows each producing at least
 * 80 ms of audio. Only then start capture. */
#define PA_OUTPUT_WARMUP_MAX_MS 4000
#define PA_OUTPUT_WINDOW_MS 100

static void wait_output_running(audio_pa *p)
{
    size_t min_per_window = (size_t)p->out_rate * PA_OUTPUT_WINDOW_MS * 8 / 10 / 1000;
    int64_t t0 = wz_now_ms();
    size_t prev = ring_write_total(p->played_ring);
    int good = 0;
    while (good < 2) {
        if (wz_now_ms() - t0 > PA_OUTPUT_WARMUP_MAX_MS) {
            log_warn("audio output is not running at real-time pace after %d ms; starting capture anyway",
                     PA_OUTPUT_WARMUP_MAX_MS);
            return;
        }
        wz_sleep_ms(PA_OUTPUT_WINDOW_MS);
        /* Keep the reference ring from filling up meanwhile. */
        size_t now = ring_write_total(p->played_ring);
        good = now - prev >= min_per_window ? good + 1 : 0;
        prev = now;
        drain_played(p);
    }
    log_debug("audio output running after %lld ms", (long long)(wz_now_ms() - t0));
}

static int pa_start(audio_io *a)
{
    audio_pa *p = (audio_pa *)a;
    if (p->running)
        return WZ_OK;
    PaError e = paNoError;
    if (p->out_stream) {
        int q0 = quiet_begin();
        e = Pa_StartStream(p->out_stream);
        quiet_end(q0);
        if (e == paNoError)
            wait_output_running(p); /* logs, so not inside quiet_begin */
    }
    int q = quiet_begin();
    if (e == paNoError) {
        e = Pa_StartStream(p->in_stream);
        if (e != paNoError && p->out_stream)
            Pa_StopStream(p->out_stream);
    }
    quiet_end(q);
    if (e != paNoError) {
        log_error("PortAudio: cannot start the streams: %s", Pa_GetErrorText(e));
        return WZ_ENGINE;
    }
    p->running = true;
    return WZ_OK;
}

/* Resamples n device-rate samples into stage (+*stage_n). */
static void to_stage(resampler *rs, const int16_t *in, size_t n, int16_t *stage, size_t *stage_n, size_t cap)
{
    size_t done = 0;
    while (done < n && *stage_n < cap) {
        size_t in_n = n - done, out_n = cap - *stage_n;
        if (resampler_process(rs, in + done, &in_n, stage + *stage_n, &out_n) != WZ_OK ||
            (in_n == 0 && out_n == 0))
            break;
        done += in_n;
        *stage_n += out_n;
    }
}

/* Moves the reference for the k capture samples starting at capture index
 * cap_index into stage_ref: the played samples that were at the DAC when
 * those were at the ADC, by the callbacks' latest time stamps
 * (core/refalign.h). Before stamps exist (or on a host API without them)
 * the target is the most recently played audio of the same duration. */
static void take_reference(audio_pa *p, uint64_t cap_index, size_t k)
{
    drain_played(p);
    refalign_stamp in = {0}, out = {0}; /* read only when have */
    bool have = stamp_read(&p->in_stamp, &in.index, &in.time_ns) &&
                stamp_read(&p->out_stamp, &out.index, &out.time_ns);
    size_t n = refalign_take(p->ra, cap_index, k, have, in, out, p->ref_aligned);
    for (size_t done = 0; done < n; done += PA_CORE_CHUNK)
        to_stage(p->ref_rs, p->ref_aligned + done, WZ_MIN(n - done, (size_t)PA_CORE_CHUNK), p->stage_ref,
                 &p->stage_ref_n, p->stage_cap);
}

static int pa_read_frame(audio_io *a, int16_t *frame, int16_t *ref, int timeout_ms)
{
    audio_pa *p = (audio_pa *)a;
    size_t n = a->frame_samples;
    if (!p->running && pa_start(a) != WZ_OK)
        return WZ_ENGINE;
    int64_t deadline = timeout_ms >= 0 ? wz_now_ns() + (int64_t)timeout_ms * 1000000 : INT64_MAX;
    while (p->stage_n < n) {
        size_t avail = ring_readable(p->cap_ring);
        if (avail == 0) {
            int64_t left_ms = (deadline - wz_now_ns()) / 1000000;
            if (left_ms <= 0)
                return WZ_TIMEDOUT;
            /* Sleep for about the audio still missing, in 1-10 ms steps: the
             * callback cannot wake us (that would be a system call on the
             * audio thread). */
            int64_t need_ms = (int64_t)(n - p->stage_n) * 1000 / WZ_SAMPLE_RATE;
            wz_sleep_ms(WZ_MIN(WZ_MAX(need_ms / 2, (int64_t)1), WZ_MIN(left_ms, (int64_t)10)));
            continue;
        }
        size_t k = WZ_MIN(avail, (size_t)PA_CORE_CHUNK);
        uint64_t cap_index = ring_read_total(p->cap_ring);
        ring_read(p->cap_ring, p->dev_mic, k);
        to_stage(p->cap_rs, p->dev_mic, k, p->stage, &p->stage_n, p->stage_cap);
        if (p->has_out)
            take_reference(p, cap_index, k);
    }
    memcpy(frame, p->stage, n * sizeof(*frame));
    p->stage_n -= n;
    memmove(p->stage, p->stage + n, p->stage_n * sizeof(*frame));
    if (p->has_out) {
        size_t r = WZ_MIN(n, p->stage_ref_n);
        if (ref) {
            memcpy(ref, p->stage_ref, r * sizeof(*ref));
            memset(ref + r, 0, (n - r) * sizeof(*ref));
        }
        p->stage_ref_n -= r;
        memmove(p->stage_ref, p->stage_ref + r, p->stage_ref_n * sizeof(*ref));
    } else if (ref) {
        memset(ref, 0, n * sizeof(*ref));
    }
    return WZ_OK;
}

static bool pa_input_ended(const audio_io *a) { WZ_UNUSED(a); return false; }

static size_t pa_play(audio_io *a, const int16_t *pcm, size_t n, int rate)
{
    audio_pa *p = (audio_pa *)a;
    return p->has_out ? play_queue_push(&p->pq, pcm, n, rate) : 0;
}

static size_t pa_play_pending(const audio_io *a)
{
    const audio_pa *p = (const audio_pa *)a;
    if (!p->has_out)
        return 0;
    size_t h = ring_write_total(p->pq.ring), t = ring_read_total(p->pq.ring);
    size_t f = atomic_load_explicit(&((audio_pa *)p)->flush_to, memory_order_relaxed);
    /* Samples before a pending flush mark are as good as gone. */
    if (f - t <= h - t)
        t = f;
    return (size_t)((uint64_t)(h - t) * WZ_SAMPLE_RATE / (uint64_t)p->out_rate);
}

static void pa_play_flush(audio_io *a)
{
    audio_pa *p = (audio_pa *)a;
    if (!p->has_out)
        return;
    atomic_store_explicit(&p->flush_to, ring_write_total(p->pq.ring), memory_order_release);
    play_queue_reset_producer(&p->pq);
}

static void pa_play_hold(audio_io *a, bool hold)
{
    atomic_store_explicit(&((audio_pa *)a)->hold, hold, memory_order_release);
}

static void pa_stats(const audio_io *a, audio_io_stats *out)
{
    audio_pa *p = (audio_pa *)a;
    out->overruns = atomic_load_explicit(&p->overruns, memory_order_relaxed);
    out->underruns = atomic_load_explicit(&p->underruns, memory_order_relaxed);
    if (p->ra) {
        refalign_stats rs;
        refalign_get_stats(p->ra, &rs);
        out->ref_resyncs = rs.resyncs;
        out->ref_late_ms = rs.late * 1000 / (uint64_t)p->out_rate;
    }
}

static void pa_close(audio_io *a)
{
    audio_pa *p = (audio_pa *)a;
    int q = quiet_begin();
    PaStream *streams[2] = {p->in_stream, p->out_stream};
    for (int i = 0; i < 2; i++) {
        if (!streams[i])
            continue;
        /* Abort, not stop: Pa_StopStream joins the callback thread, and on
         * ALSA that thread waits for the device's next period before it
         * looks at the stop request. A source that delivers nothing (a pipe
         * source without a writer, a default input switched to a dead
         * device) has no next period, so the core hung there until main's
         * SIGKILL. Pa_AbortStream cancels the thread at its poll(); the
         * few milliseconds of audio it drops do not matter on the way out. */
        if (p->running)
            Pa_AbortStream(streams[i]);
        Pa_CloseStream(streams[i]);
    }
    quiet_end(q);
    if (p->pa_held)
        pa_release();
    ring_destroy(p->cap_ring);
    ring_destroy(p->played_ring);
    play_queue_uninit(&p->pq);
    resampler_destroy(p->cap_rs);
    resampler_destroy(p->ref_rs);
    refalign_destroy(p->ra);
    free(p->ref_aligned);
    free(p->stage);
    free(p->stage_ref);
    free(p);
}

static const audio_io_vtable pa_vt = {
    .name = "portaudio",
    .start = pa_start,
    .read_frame = pa_read_frame,
    .input_ended = pa_input_ended,
    .play = pa_play,
    .play_pending = pa_play_pending,
    .play_flush = pa_play_flush,
    .play_hold = pa_play_hold,
    .stats = pa_stats,
    .close = pa_close,
};

/* ---- opening ----------------------------------------------------------- */

/* Opens one half-duplex stream on dev, trying 16 kHz first (no
 * resampling), then the device's default rate, then 48 and 44.1 kHz; mono
 * first, then stereo. latency_ms 0: the device's default low latency. */
static int open_one(audio_pa *p, PaDeviceIndex dev, bool input, int latency_ms, char *err, size_t errlen)
{
    const PaDeviceInfo *d = Pa_GetDeviceInfo(dev);
    int rates[] = {WZ_SAMPLE_RATE, (int)d->defaultSampleRate, 48000, 44100};
    PaError last = paNoError;
    int q = quiet_begin();
    for (size_t r = 0; r < WZ_ARRAY_LEN(rates); r++) {
        if (rates[r] < RESAMPLER_MIN_RATE || rates[r] > RESAMPLER_MAX_RATE)
            continue;
        for (int ch = 1; ch <= WZ_MIN(2, channels_of(d, input)); ch++) {
            PaStreamParameters sp = {
                .device = dev,
                .channelCount = ch,
                .sampleFormat = paInt16,
                .suggestedLatency = latency_ms > 0 ? latency_ms / 1000.0
                                    : input       ? d->defaultLowInputLatency
                                                  : d->defaultLowOutputLatency,
            };
            PaStream *st = NULL;
            last = Pa_OpenStream(&st, input ? &sp : NULL, input ? NULL : &sp, rates[r],
                                 (unsigned long)(rates[r] * PA_PERIOD_MS / 1000), paNoFlag,
                                 input ? pa_in_callback : pa_out_callback, p);
            if (last == paNoError) {
                quiet_end(q);
                if (input) {
                    p->in_stream = st;
                    p->in_rate = rates[r];
                    p->in_ch = ch;
                } else {
                    p->out_stream = st;
                    p->out_rate = rates[r];
                    p->out_ch = ch;
                }
                return WZ_OK;
            }
        }
    }
    quiet_end(q);
    snprintf(err, errlen, "cannot open audio %s device '%s': %s%s", input ? "input" : "output", d->name,
             Pa_GetErrorText(last),
             input ? ". Without a working microphone, use --input FILE.wav, or try `make demo`" : "");
    return WZ_ENGINE;
}

static int alloc_buffers(audio_pa *p, size_t frame_samples)
{
    /* Without an output device the reference side still gets (unused)
     * buffers at 16 kHz, so every path below stays uniform. */
    int out_rate = p->has_out ? p->out_rate : WZ_SAMPLE_RATE;
    p->out_rate = out_rate;
    if (ring_create(&p->cap_ring, (size_t)p->in_rate * PA_CAPTURE_RING_MS / 1000) ||
        ring_create(&p->played_ring, (size_t)out_rate * PA_CAPTURE_RING_MS / 1000) ||
        play_queue_init(&p->pq, out_rate, (size_t)out_rate * AUDIO_IO_PLAY_QUEUE_MS / 1000) ||
        resampler_create(&p->cap_rs, p->in_rate, WZ_SAMPLE_RATE, AUDIO_RESAMPLE_QUALITY) ||
        resampler_create(&p->ref_rs, out_rate, WZ_SAMPLE_RATE, AUDIO_RESAMPLE_QUALITY))
        return WZ_NOMEM;
    refalign_config rc;
    refalign_config_init(&rc);
    rc.in_rate = p->in_rate;
    rc.out_rate = out_rate;
    if (refalign_create(&p->ra, &rc) != WZ_OK)
        return WZ_NOMEM;
    p->ref_aligned = calloc(refalign_max_out(p->ra, PA_CORE_CHUNK), sizeof(int16_t));
    /* Room for a frame plus one converted chunk of either signal. */
    p->stage_cap = frame_samples + WZ_MAX(resampler_out_max(p->cap_rs, PA_CORE_CHUNK),
                                          resampler_out_max(p->ref_rs, PA_CORE_CHUNK)) + 16;
    p->stage = calloc(p->stage_cap, sizeof(int16_t));
    p->stage_ref = calloc(p->stage_cap, sizeof(int16_t));
    return p->stage && p->stage_ref && p->ref_aligned ? WZ_OK : WZ_NOMEM;
}

int audio_io_open_live(audio_io **out, const wz_config *cfg, const char *device_override, int frame_ms,
                       char *err, size_t errlen)
{
    if (!out || !cfg)
        return WZ_INVAL;
    *out = NULL;
    if (frame_ms < 10 || frame_ms > 30) {
        snprintf(err, errlen, "audio frame must be 10-30 ms, got %d", frame_ms);
        return WZ_INVAL;
    }
    int rc = pa_acquire(err, errlen);
    if (rc)
        return rc;
    const char *in_spec = device_override && *device_override ? device_override : cfg->audio_input_device;
    const char *out_spec = cfg->audio_output_device;
    if (device_override && *device_override && find_device(device_override, false) != paNoDevice)
        out_spec = device_override;
    PaDeviceIndex in_dev = find_device(in_spec, true);
    if (in_dev == paNoDevice) {
        if (*in_spec)
            snprintf(err, errlen,
                     "no audio input device matches '%s' (see --list-devices). Without a microphone, use "
                     "--input FILE.wav, or try `make demo`",
                     in_spec);
        else
            snprintf(err, errlen,
                     "no usable audio input device (PortAudio found %d device%s). Without a microphone, use "
                     "--input FILE.wav, or try `make demo`",
                     Pa_GetDeviceCount() > 0 ? Pa_GetDeviceCount() : 0, Pa_GetDeviceCount() == 1 ? "" : "s");
        pa_release();
        return WZ_NOTFOUND;
    }
    PaDeviceIndex out_dev = find_device(out_spec, false);
    if (out_dev == paNoDevice)
        log_warn("no audio output device%s%s%s: replies will not be heard", *out_spec ? " matches '" : "",
                 out_spec, *out_spec ? "'" : "");

    audio_pa *p = calloc(1, sizeof(*p));
    if (!p) {
        pa_release();
        return WZ_NOMEM;
    }
    p->base.vt = &pa_vt;
    p->base.frame_ms = frame_ms;
    p->base.frame_samples = (size_t)WZ_SAMPLE_RATE / 1000 * (size_t)frame_ms;
    p->has_out = out_dev != paNoDevice;
    atomic_init(&p->flush_to, 0);
    atomic_init(&p->hold, false);
    atomic_init(&p->overruns, 0);
    atomic_init(&p->underruns, 0);
    stamp_init(&p->in_stamp);
    stamp_init(&p->out_stamp);
    p->pa_held = true;
    /* The callbacks use the rings, which exist before the streams start;
     * the streams only start in audio_io_start(). */
    rc = open_one(p, in_dev, true, 0, err, errlen);
    if (rc == WZ_OK && p->has_out &&
        open_one(p, out_dev, false, (int)cfg->audio_output_latency_ms, err, errlen) != WZ_OK) {
        log_warn("%s: replies will not be heard", err);
        p->has_out = false;
    }
    if (rc == WZ_OK && alloc_buffers(p, p->base.frame_samples) != WZ_OK) {
        snprintf(err, errlen, "out of memory");
        rc = WZ_NOMEM;
    }
    if (rc) {
        pa_close(&p->base);
        return rc;
    }
    const PaStreamInfo *ii = Pa_GetStreamInfo(p->in_stream);
    const PaStreamInfo *oi = p->has_out ? Pa_GetStreamInfo(p->out_stream) : NULL;
    log_info("audio: in '%s' (%d ch, %d Hz, latency %.0f ms), out '%s' (%d ch, %d Hz, latency %.0f ms), %d ms frames",
             Pa_GetDeviceInfo(in_dev)->name, p->in_ch, p->in_rate, ii ? ii->inputLatency * 1000 : -1.0,
             p->has_out ? Pa_GetDeviceInfo(out_dev)->name : "none", p->out_ch, p->out_rate,
             oi ? oi->outputLatency * 1000 : -1.0, frame_ms);
    *out = &p->base;
    return WZ_OK;
}

int audio_io_list_devices(FILE *out)
{
    char err[256];
    if (pa_acquire(err, sizeof(err)) != WZ_OK) {
        fprintf(out, "%s\n", err);
        return WZ_ENGINE;
    }
    int count = Pa_GetDeviceCount();
    PaDeviceIndex din = Pa_GetDefaultInputDevice(), dout = Pa_GetDefaultOutputDevice();
    if (count <= 0) {
        fprintf(out, "No audio devices found. Without a sound card, use --input FILE.wav "
                     "(and --output FILE.wav), or try `make demo`.\n");
        pa_release();
        return WZ_OK;
    }
    fprintf(out, "%5s  %3s  %3s  %7s  %-8s  %s\n", "index", "in", "out", "rate", "host", "name");
    for (PaDeviceIndex i = 0; i < count; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        if (!d)
            continue;
        const PaHostApiInfo *h = Pa_GetHostApiInfo(d->hostApi);
        const char *mark = i == din && i == dout ? "  [default in+out]"
                           : i == din           ? "  [default in]"
                           : i == dout          ? "  [default out]"
                                                : "";
        fprintf(out, "%5d  %3d  %3d  %7.0f  %-8s  %s%s\n", i, d->maxInputChannels, d->maxOutputChannels,
                d->defaultSampleRate, h && h->name ? h->name : "?", d->name ? d->name : "?", mark);
    }
    pa_release();
    return WZ_OK;
}
