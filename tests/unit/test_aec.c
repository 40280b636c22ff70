/* test_aec: synthetic echo (far-end speech delayed 30 ms, 6 dB louder than
 * the reference) plus a different near-end talker. Asserts conservative
 * bounds; prints the measured figures. */
#include <math.h>

#include "core/aec.h"
#include "synth.h"
#include "wz_test.h"

#define FRAME 320
#define DELAY 480 /* 30 ms */

typedef struct {
    float erle_db;        /* echo-only section: mic power / output power */
    float near_gain_db;   /* double talk: projection of output on the near-end */
} aec_figures;

static aec_figures measure(int residual)
{
    int nf = 0, nn = 0;
    int16_t *far = synth_flite("slt", "The weather today is mostly sunny with a light breeze from the "
                               "west, and temperatures will reach twenty two degrees in the afternoon. "
                               "Tomorrow brings clouds and some rain in the evening.", 1.0f, &nf);
    int16_t *near = synth_flite("awb", "Hey wiser, stop. What time is it in London?", 1.0f, &nn);
    ASSERT_TRUE(far && near && nf > 16000 * 8 && nn > 16000);
    synth_normalize(far, nf, -12.0f);  /* played at -12 dBFS peak, echo at -6 */
    synth_normalize(near, nn, -12.0f);

    int total = nf + DELAY;
    total -= total % FRAME;
    int near_at = 16000 * 5; /* near-end talks from 5 s: echo path has converged */
    int16_t *ref = calloc((size_t)total, sizeof(int16_t));
    int16_t *mic = calloc((size_t)total, sizeof(int16_t));
    int16_t *out = calloc((size_t)total, sizeof(int16_t));
    float *nearsig = calloc((size_t)total, sizeof(float));
    for (int i = 0; i < total; i++) {
        ref[i] = i < nf ? far[i] : 0;
        float echo = i >= DELAY && i - DELAY < nf ? 2.0f * far[i - DELAY] : 0.0f; /* +6 dB */
        float nv = i >= near_at && i - near_at < nn ? near[i - near_at] : 0.0f;
        nearsig[i] = nv;
        float m = echo + nv;
        mic[i] = (int16_t)(m > 32767.f ? 32767.f : m < -32768.f ? -32768.f : m);
    }
    aec_config ac;
    aec_config_init(&ac);
    ac.residual = residual != 0;
    ac.denoise = residual != 0;
    aec *a;
    ASSERT_EQ(WZ_OK, aec_create(&a, &ac));
    for (int f = 0; f < total; f += FRAME)
        aec_process(a, mic + f, ref + f, out + f);
    int lat = aec_latency_samples(a);
    aec_destroy(a);
    memmove(out, out + lat, sizeof(int16_t) * (size_t)(total - lat)); /* realign */
    memset(out + total - lat, 0, sizeof(int16_t) * (size_t)lat);

    /* echo only: 2 s .. 5 s */
    double pm = 0, po = 0;
    for (int i = 2 * 16000; i < near_at; i++) {
        pm += (double)mic[i] * mic[i];
        po += (double)out[i] * out[i];
    }
    aec_figures fig;
    fig.erle_db = (float)(10.0 * log10(pm / (po + 1.0)));
    /* double talk: least-squares gain of the near-end inside the output */
    double xy = 0, xx = 0;
    for (int i = near_at; i < near_at + nn && i < total; i++) {
        xy += (double)out[i] * nearsig[i];
        xx += (double)nearsig[i] * nearsig[i];
    }
    fig.near_gain_db = (float)(20.0 * log10(fabs(xy / xx) + 1e-9));
    free(far); free(near); free(ref); free(mic); free(out); free(nearsig);
    return fig;
}

static void test_echo_removed_near_end_kept(void)
{
    aec_figures fig = measure(1);
    fprintf(stderr, "  aec+residual: echo reduction %.1f dB, near-end gain %.1f dB\n", fig.erle_db,
            fig.near_gain_db);
    ASSERT_GE(fig.erle_db, 10.0);
    ASSERT_GE(fig.near_gain_db, -4.0);
    ASSERT_LE(fig.near_gain_db, 2.0);
}

static void test_canceller_alone(void)
{
    aec_figures fig = measure(0);
    fprintf(stderr, "  aec alone:    echo reduction %.1f dB, near-end gain %.1f dB\n", fig.erle_db,
            fig.near_gain_db);
    ASSERT_GE(fig.erle_db, 6.0);
    ASSERT_GE(fig.near_gain_db, -3.0);
}

static void test_silent_reference_passes_mic(void)
{
    aec_config ac;
    aec_config_init(&ac);
    aec *a;
    ASSERT_EQ(WZ_OK, aec_create(&a, &ac));
    int nn = 0;
    int16_t *near = synth_flite("kal16", "hey wiser what time is it", 1.0f, &nn);
    ASSERT_TRUE(near != NULL);
    synth_normalize(near, nn, -6.0f);
    nn -= nn % FRAME;
    int16_t zero[FRAME] = {0};
    int16_t *out = calloc((size_t)nn, sizeof(int16_t));
    for (int f = 0; f < nn; f += FRAME)
        aec_process(a, near + f, zero, out + f);
    int lat = aec_latency_samples(a);
    double xy = 0, xx = 0;
    for (int i = 0; i + lat < nn; i++) {
        xy += (double)out[i + lat] * near[i];
        xx += (double)near[i] * near[i];
    }
    free(out);
    double g = 20.0 * log10(fabs(xy / xx) + 1e-9);
    ASSERT_TRUE(xy > 0);
    fprintf(stderr, "  no playback: near-end gain %.2f dB\n", g);
    ASSERT_GE(g, -1.0);
    aec_destroy(a);
    free(near);
}

/* ERLE in dB over [a, b) of mic against out (out already realigned). */
static double erle_over(const int16_t *mic, const int16_t *out, int a, int b)
{
    double pm = 0, po = 0;
    for (int i = a; i < b; i++) {
        pm += (double)mic[i] * mic[i];
        po += (double)out[i] * out[i];
    }
    return 10.0 * log10(pm / (po + 1.0));
}

/* The core skips the canceller (aec_idle) once nothing has played for
 * longer than the tail. A reply, 4 s of quiet room noise, a second reply:
 * the second reply's echo must be removed as well as when every quiet frame
 * went through aec_process(), so the filter survives the skipped frames. */
static void test_idle_frames_skipped(void)
{
    int nf = 0;
    int16_t *far = synth_flite("slt", "The weather today is mostly sunny with a light breeze from the "
                               "west, and temperatures will reach twenty two degrees.", 1.0f, &nf);
    ASSERT_TRUE(far && nf > 16000 * 4);
    synth_normalize(far, nf, -12.0f);
    int gap = 16000 * 4, hold = 16000 * 6 / 10; /* the core's CORE_ECHO_HOLD_MS */
    int b_at = nf + gap, total = 2 * nf + gap + DELAY;
    total -= total % FRAME;
    int16_t *ref = calloc((size_t)total, sizeof(int16_t));
    int16_t *mic = calloc((size_t)total, sizeof(int16_t));
    int16_t *out[2] = {calloc((size_t)total, sizeof(int16_t)), calloc((size_t)total, sizeof(int16_t))};
    float *room = malloc(sizeof(float) * (size_t)total);
    synth_noise(room, total, 1, 7);
    for (int i = 0; i < total; i++) {
        int k = i < nf ? i : i >= b_at && i - b_at < nf ? i - b_at : -1;
        ref[i] = k >= 0 ? far[k] : 0;
        int e = i - DELAY;
        int ke = e < 0 ? -1 : e < nf ? e : e >= b_at && e - b_at < nf ? e - b_at : -1;
        float m = (ke >= 0 ? 2.0f * far[ke] : 0.0f) + 30.0f * room[i]; /* room noise ~ -60 dBFS */
        mic[i] = (int16_t)(m > 32767.f ? 32767.f : m < -32768.f ? -32768.f : m);
    }
    aec_config ac;
    aec_config_init(&ac);
    int lat = 0;
    uint64_t skipped = 0;
    for (int run = 0; run < 2; run++) {
        aec *a;
        ASSERT_EQ(WZ_OK, aec_create(&a, &ac));
        for (int f = 0; f < total; f += FRAME) {
            bool quiet = f >= nf + hold && f + FRAME <= b_at;
            if (run == 1 && quiet) {
                aec_idle(a, mic + f, out[run] + f);
                skipped++;
            } else {
                aec_process(a, mic + f, ref + f, out[run] + f);
            }
        }
        lat = aec_latency_samples(a);
        aec_destroy(a);
        memmove(out[run], out[run] + lat, sizeof(int16_t) * (size_t)(total - lat));
        memset(out[run] + total - lat, 0, sizeof(int16_t) * (size_t)lat);
    }
    ASSERT_TRUE(skipped > (uint64_t)(gap - hold) / FRAME - 2);
    double first_all = erle_over(mic, out[0], 2 * 16000, nf);
    double second_all = erle_over(mic, out[0], b_at, b_at + nf);
    double second_skip = erle_over(mic, out[1], b_at, b_at + nf);
    double onset_all = erle_over(mic, out[0], b_at, b_at + 16000);
    double onset_skip = erle_over(mic, out[1], b_at, b_at + 16000);
    fprintf(stderr, "  idle frames: first reply %.1f dB; second reply %.1f dB processed, %.1f dB "
            "skipped (first second %.1f / %.1f dB)\n", first_all, second_all, second_skip, onset_all,
            onset_skip);
    ASSERT_GE(second_all, 10.0);                 /* the filter was still converged ... */
    ASSERT_GE(second_skip, second_all - 1.0);    /* ... and skipping the quiet frames kept it */
    ASSERT_GE(onset_skip, onset_all - 1.5);
    /* the skipped frames are the microphone through the noise suppressor,
     * not silence: the room noise is still there, only attenuated */
    double pm = 0, po = 0;
    for (int i = nf + hold; i + FRAME <= b_at - FRAME; i++) {
        pm += (double)mic[i] * mic[i];
        po += (double)out[1][i] * out[1][i];
    }
    ASSERT_TRUE(po > 0 && po < pm);
    free(far); free(ref); free(mic); free(out[0]); free(out[1]); free(room);
}

static void test_bad_config(void)
{
    aec_config ac;
    aec_config_init(&ac);
    ac.tail_ms = 5;
    aec *a = (aec *)1;
    ASSERT_EQ(WZ_INVAL, aec_create(&a, &ac));
    ASSERT_TRUE(a == NULL);
}

int main(void)
{
    RUN(test_echo_removed_near_end_kept);
    RUN(test_canceller_alone);
    RUN(test_silent_reference_passes_mic);
    RUN(test_idle_frames_skipped);
    RUN(test_bad_config);
    return TEST_SUMMARY();
}
