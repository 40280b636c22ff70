/* wz_audio_probe.c: test tool for the live audio backend.
 *
 *   wz_audio_probe live CAPTURE_MS OUT.wav [TONE_AT_MS TONE_MS TONE_HZ TONE_RATE]
 *       Opens audio_io_open_live (device from $WZ_AUDIO_DEVICE, default
 *       device otherwise; $WZ_AUDIO_OUTPUT sets audio.output_device; WYZER_* variables apply as for wyzer), captures CAPTURE_MS of 16 kHz frames into OUT.wav,
 *       and at TONE_AT_MS queues a sine of TONE_MS at TONE_HZ, generated at
 *       TONE_RATE (so playback resampling is exercised). Creates
 *       $WZ_PROBE_READY_FILE, if set, once capture has started.
 *   wz_audio_probe echo PLAY.wav CAPTURE_MS PLAY_AT_MS OUTDIR
 *       Like live, but queues PLAY.wav at PLAY_AT_MS, keeps the capture and
 *       the echo reference the core would get, writes OUTDIR/mic.wav and
 *       OUTDIR/ref.wav, and prints how they line up: lag_ms (cross-
 *       correlation peak; positive = the echo follows its reference),
 *       corr (normalised peak); over 500 ms windows where the reference is
 *       active: windows, windows_corr90 (those correlating >= 0.9),
 *       win_lag_min_ms/win_lag_max_ms over those, win_corr_min; erle_db: echo return
 *       loss enhancement of the echo canceller (core/aec.h, default
 *       configuration) run on the pair, over the active reference from 1 s
 *       after its onset; erle_control_db is the same with the reference
 *       300 ms late (outside what the canceller can model), the figure a
 *       misaligned reference gives. Meant for a microphone that hears the
 *       loudspeaker (tests/integration/test_echo_live.sh).
 *   wz_audio_probe analyze FILE.wav
 *       The same measurements on a file, to compare with.
 *   wz_audio_probe list
 *       audio_io_list_devices().
 *
 * Prints key=value lines: frames, overruns, underruns, timeouts, and for
 * the capture (and, prefixed ref_, the echo reference): energy (sum of
 * squares / 1e6), active_ms (20 ms frames above -40 dBFS RMS),
 * first_active_ms, peak, freq_hz (zero crossings in active frames). Exit 0 unless opening
 * failed (exit 2, like wyzer). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/config.h"
#include "common/log.h"
#include "core/aec.h"
#include "core/audio_io.h"
#include "core/wav.h"

#define FRAME 320
#define ACTIVE_RMS 327.0 /* -40 dBFS */

typedef struct {
    double energy;
    int active_ms;
    int first_active_ms; /* -1: none */
    int pos_ms;
    int peak;
    int crossings; /* upward, with +-1000 hysteresis, in active frames */
    bool low;
} measure;

static void measure_frame(measure *m, const int16_t *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        s += (double)x[i] * x[i];
        if (abs(x[i]) > m->peak)
            m->peak = abs(x[i]);
    }
    m->energy += s / 1e6;
    if (sqrt(s / (double)n) > ACTIVE_RMS) {
        m->active_ms += (int)(n / 16);
        if (m->first_active_ms < 0)
            m->first_active_ms = m->pos_ms;
        for (size_t i = 0; i < n; i++) {
            if (x[i] < -1000)
                m->low = true;
            else if (m->low && x[i] > 1000) {
                m->low = false;
                m->crossings++;
            }
        }
    }
    m->pos_ms += (int)(n / 16);
}

static void print_measure(const char *prefix, const measure *m)
{
    printf("%senergy=%.1f\n%sactive_ms=%d\n%sfirst_active_ms=%d\n%speak=%d\n%sfreq_hz=%d\n", prefix, m->energy,
           prefix, m->active_ms, prefix, m->first_active_ms, prefix, m->peak, prefix,
           m->active_ms ? m->crossings * 1000 / m->active_ms : 0);
}

static int analyze(const char *path)
{
    int16_t *pcm = NULL;
    size_t n = 0;
    wav_info info;
    char err[256];
    if (wav_read_16k_mono(path, &pcm, &n, &info, err, sizeof(err)) != WZ_OK) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    measure m = {.first_active_ms = -1};
    for (size_t i = 0; i + FRAME <= n; i += FRAME)
        measure_frame(&m, pcm + i, FRAME);
    printf("samples=%zu\n", n);
    print_measure("", &m);
    free(pcm);
    return 0;
}


/* Tells the harness capture is running (audio fed earlier is lost): creates
 * $WZ_PROBE_READY_FILE, if set. */
static void tell_ready(void)
{
    const char *ready = getenv("WZ_PROBE_READY_FILE");
    FILE *fp = ready ? fopen(ready, "w") : NULL;
    if (fp)
        fclose(fp);
}
/* Defaults plus the WYZER_* variables, as wyzer itself takes them. */
static int probe_config(wz_config *cfg)
{
    config_init(cfg);
    char err[256] = "";
    int rc = config_apply_env(cfg, err, sizeof(err));
    if (rc != WZ_OK)
        fprintf(stderr, "wz_audio_probe: %s\n", err);
    return rc;
}

static int live(int argc, char **argv)
{
    int capture_ms = atoi(argv[2]);
    const char *out = argv[3];
    int tone_at = argc > 4 ? atoi(argv[4]) : -1, tone_ms = argc > 5 ? atoi(argv[5]) : 0;
    double tone_hz = argc > 6 ? atof(argv[6]) : 1000;
    int tone_rate = argc > 7 ? atoi(argv[7]) : 16000;

    wz_config cfg;
    if (probe_config(&cfg) != WZ_OK)
        return 2;
    if (getenv("WZ_AUDIO_OUTPUT"))
        wz_strlcpy(cfg.audio_output_device, getenv("WZ_AUDIO_OUTPUT"), sizeof(cfg.audio_output_device));
    char err[512] = "";
    audio_io *a = NULL;
    int rc = audio_io_open_live(&a, &cfg, getenv("WZ_AUDIO_DEVICE"), 20, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "wz_audio_probe: %s (%s)\n", err, wz_strerror(rc));
        return 2;
    }
    size_t tone_n = (size_t)tone_ms * (size_t)tone_rate / 1000, tone_done = 0;
    int16_t *tone = calloc(tone_n + 1, sizeof(int16_t));
    for (size_t i = 0; i < tone_n; i++)
        tone[i] = (int16_t)lrint(12000 * sin(2 * M_PI * tone_hz * (double)i / tone_rate));

    wav_writer *w = NULL;
    if (wav_writer_open(&w, out, 16000) != WZ_OK) {
        fprintf(stderr, "wz_audio_probe: cannot write %s\n", out);
        return 2;
    }
    if (audio_io_start(a) != WZ_OK) {
        fprintf(stderr, "wz_audio_probe: start failed\n");
        return 2;
    }
    tell_ready();
    measure mic = {.first_active_ms = -1}, ref = {.first_active_ms = -1};
    int timeouts = 0;
    int16_t frame[FRAME], rframe[FRAME];
    size_t max_pending = 0;
    int64_t t_first = -1, t_tone = -1;
    while (audio_io_position_ms(a) < capture_ms && timeouts < 50) {
        if (tone_at >= 0 && audio_io_position_ms(a) >= tone_at && tone_done < tone_n) {
            if (t_tone < 0)
                t_tone = wz_now_ms() - t_first;
            tone_done += audio_io_play(a, tone + tone_done, tone_n - tone_done, tone_rate);
            max_pending = WZ_MAX(max_pending, audio_io_play_pending(a));
        }
        rc = audio_io_read_frame(a, frame, rframe, 2000);
        if (rc == WZ_TIMEDOUT) {
            timeouts++;
            continue;
        }
        if (rc)
            break;
        if (t_first < 0)
            t_first = wz_now_ms();
        measure_frame(&mic, frame, FRAME);
        measure_frame(&ref, rframe, FRAME);
        if (wav_writer_write(w, frame, FRAME) != WZ_OK)
            break;
    }
    audio_io_stats st;
    audio_io_stats(a, &st);
    printf("frames=%llu\noverruns=%llu\nunderruns=%llu\ntimeouts=%d\nposition_ms=%lld\n",
           (unsigned long long)st.frames, (unsigned long long)st.overruns, (unsigned long long)st.underruns,
           timeouts, (long long)audio_io_position_ms(a));
    print_measure("", &mic);
    print_measure("ref_", &ref);
    /* Wall time from the first frame to queueing the tone and to the end:
     * equal to the audio positions when capture arrives in real time. */
    printf("wall_ms_at_tone=%lld\nwall_ms_total=%lld\n", (long long)t_tone, (long long)(wz_now_ms() - t_first));
    printf("tone_queued=%zu\nmax_pending=%zu\n", tone_done, max_pending);
    audio_io_close(a);
    free(tone);
    return wav_writer_close(w) == WZ_OK ? 0 : 1;
}

/* ---- echo: reference vs. what the microphone heard ------------------- */

#define LAG_MIN_MS (-100)
#define LAG_MAX_MS 200

static bool frame_active(const int16_t *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)x[i] * x[i];
    return sqrt(s / (double)n) > ACTIVE_RMS;
}

/* Best lag L (samples, LAG_MIN..LAG_MAX ms) maximising the normalised
 * correlation of mic[n] with ref[n - L] over n in [a, b). */
static int best_lag(const int16_t *mic, const int16_t *ref, size_t len, size_t a, size_t b, double *corr)
{
    int best = 0;
    double bestc = -2;
    for (int L = LAG_MIN_MS * 16; L <= LAG_MAX_MS * 16; L++) {
        double xy = 0, xx = 0, yy = 0;
        for (size_t n = a; n < b; n++) {
            long j = (long)n - L;
            if (j < 0 || (size_t)j >= len)
                continue;
            xy += (double)mic[n] * ref[j];
            xx += (double)ref[j] * ref[j];
            yy += (double)mic[n] * mic[n];
        }
        double c = xx > 0 && yy > 0 ? xy / sqrt(xx * yy) : 0;
        if (c > bestc) {
            bestc = c;
            best = L;
        }
    }
    *corr = bestc;
    return best;
}

/* ERLE of the default canceller over frames whose reference is active,
 * from skip samples after the reference's onset. ref is taken shift
 * samples late (0: as given). */
static double erle_db(const int16_t *mic, const int16_t *ref, size_t len, size_t onset, size_t skip, size_t shift)
{
    aec_config ac;
    aec_config_init(&ac);
    aec *a = NULL;
    if (aec_create(&a, &ac) != WZ_OK)
        return -99;
    int16_t r[FRAME], out[FRAME];
    int lat = aec_latency_samples(a);
    int16_t *clean = calloc(len + FRAME, sizeof(int16_t));
    for (size_t f = 0; f + FRAME <= len; f += FRAME) {
        for (size_t i = 0; i < FRAME; i++)
            r[i] = f + i >= shift ? ref[f + i - shift] : 0;
        aec_process(a, mic + f, r, out);
        memcpy(clean + f, out, sizeof(out));
    }
    aec_destroy(a);
    double pm = 0, po = 0;
    for (size_t f = onset + skip; f + FRAME + (size_t)lat <= len; f += FRAME) {
        if (!frame_active(ref + f, FRAME))
            continue;
        for (size_t i = 0; i < FRAME; i++) {
            pm += (double)mic[f + i] * mic[f + i];
            po += (double)clean[f + i + (size_t)lat] * clean[f + i + (size_t)lat];
        }
    }
    free(clean);
    return 10 * log10((pm + 1) / (po + 1));
}

static void echo_report(const int16_t *mic, const int16_t *ref, size_t len)
{
    size_t onset = len;
    for (size_t f = 0; f + FRAME <= len; f += FRAME)
        if (frame_active(ref + f, FRAME)) {
            onset = f;
            break;
        }
    size_t mic_onset = len;
    for (size_t f = 0; f + FRAME <= len; f += FRAME)
        if (frame_active(mic + f, FRAME)) {
            mic_onset = f;
            break;
        }
    printf("ref_onset_ms=%ld\nmic_onset_ms=%ld\n", onset < len ? (long)onset / 16 : -1L,
           mic_onset < len ? (long)mic_onset / 16 : -1L);
    if (onset >= len)
        return;
    double c;
    int lag = best_lag(mic, ref, len, onset, len, &c);
    printf("lag_ms=%.1f\ncorr=%.3f\n", lag / 16.0, c);
    /* Windows of 500 ms with the reference active in at least half; lags
     * are reported over the windows that correlate (>= 0.9): one that
     * straddles an output underrun's gap has no single lag. */
    int wmin = 1 << 30, wmax = -(1 << 30), nwin = 0, ngood = 0;
    double cmin = 2;
    for (size_t w = onset; w + 8000 <= len; w += 8000) {
        int act = 0;
        for (size_t f = w; f < w + 8000; f += FRAME)
            act += frame_active(ref + f, FRAME);
        if (act < 8000 / FRAME / 2)
            continue;
        int l = best_lag(mic, ref, len, w, w + 8000, &c);
        if (c >= 0.9) {
            wmin = WZ_MIN(wmin, l);
            wmax = WZ_MAX(wmax, l);
            ngood++;
        }
        cmin = WZ_MIN(cmin, c);
        nwin++;
    }
    printf("windows=%d\nwindows_corr90=%d\nwin_lag_min_ms=%.1f\nwin_lag_max_ms=%.1f\nwin_corr_min=%.3f\n", nwin,
           ngood, ngood ? wmin / 16.0 : 0.0, ngood ? wmax / 16.0 : 0.0, nwin ? cmin : 0.0);
    printf("erle_db=%.1f\nerle_control_db=%.1f\n", erle_db(mic, ref, len, onset, 16000, 0),
           erle_db(mic, ref, len, onset, 16000, 300 * 16));
}

static int echo(char **argv)
{
    const char *play = argv[2], *dir = argv[5];
    int capture_ms = atoi(argv[3]), play_at = atoi(argv[4]);
    int16_t *pcm = NULL;
    size_t pcm_n = 0, pcm_done = 0;
    wav_info info;
    char err[512] = "";
    if (wav_read_16k_mono(play, &pcm, &pcm_n, &info, err, sizeof(err)) != WZ_OK) {
        fprintf(stderr, "wz_audio_probe: %s\n", err);
        return 2;
    }
    wz_config cfg;
    if (probe_config(&cfg) != WZ_OK)
        return 2;
    audio_io *a = NULL;
    int rc = audio_io_open_live(&a, &cfg, getenv("WZ_AUDIO_DEVICE"), 20, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "wz_audio_probe: %s (%s)\n", err, wz_strerror(rc));
        return 2;
    }
    size_t len = (size_t)capture_ms * 16;
    int16_t *mic = calloc(len + FRAME, sizeof(int16_t)), *ref = calloc(len + FRAME, sizeof(int16_t));
    if (audio_io_start(a) != WZ_OK) {
        fprintf(stderr, "wz_audio_probe: start failed\n");
        return 2;
    }
    tell_ready();
    size_t got = 0;
    int timeouts = 0;
    while (got < len && timeouts < 10) {
        if (audio_io_position_ms(a) >= play_at && pcm_done < pcm_n)
            pcm_done += audio_io_play(a, pcm + pcm_done, pcm_n - pcm_done, 16000);
        rc = audio_io_read_frame(a, mic + got, ref + got, 2000);
        if (rc == WZ_TIMEDOUT) {
            timeouts++;
            continue;
        }
        if (rc)
            break;
        got += FRAME;
    }
    audio_io_stats st;
    audio_io_stats(a, &st);
    printf("frames=%llu\noverruns=%llu\nunderruns=%llu\ntimeouts=%d\nref_resyncs=%llu\nref_late_ms=%llu\n",
           (unsigned long long)st.frames, (unsigned long long)st.overruns, (unsigned long long)st.underruns,
           timeouts, (unsigned long long)st.ref_resyncs, (unsigned long long)st.ref_late_ms);
    audio_io_close(a);
    char path[1024];
    wav_writer *w = NULL;
    const int16_t *sig[2] = {mic, ref};
    const char *names[2] = {"mic", "ref"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%s.wav", dir, names[i]);
        if (wav_writer_open(&w, path, 16000) == WZ_OK) {
            if (wav_writer_write(w, sig[i], got) != WZ_OK)
                fprintf(stderr, "wz_audio_probe: cannot write %s\n", path);
            if (wav_writer_close(w) != WZ_OK)
                fprintf(stderr, "wz_audio_probe: cannot write %s\n", path);
        }
    }
    echo_report(mic, ref, got);
    free(mic);
    free(ref);
    free(pcm);
    return got == len ? 0 : 1;
}

int main(int argc, char **argv)
{
    log_set_role("probe");
    if (argc >= 4 && strcmp(argv[1], "live") == 0)
        return live(argc, argv);
    if (argc == 6 && strcmp(argv[1], "echo") == 0)
        return echo(argv);
    if (argc == 3 && strcmp(argv[1], "analyze") == 0)
        return analyze(argv[2]);
    if (argc == 2 && strcmp(argv[1], "list") == 0)
        return audio_io_list_devices(stdout) == WZ_OK ? 0 : 1;
    fprintf(stderr, "usage: wz_audio_probe live CAPTURE_MS OUT.wav [TONE_AT_MS TONE_MS TONE_HZ TONE_RATE]\n"
                    "       wz_audio_probe echo PLAY.wav CAPTURE_MS PLAY_AT_MS OUTDIR\n"
                    "       wz_audio_probe analyze FILE.wav | list\n");
    return 2;
}
