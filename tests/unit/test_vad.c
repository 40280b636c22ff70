/* test_vad: the VAD on noise, on a noise step, on speech in noise, and
 * its argument checks. */
#include <math.h>

#include "core/vad.h"
#include "synth.h"
#include "wz_test.h"

#define FRAME 320

static vad *make(void)
{
    vad_config vc;
    vad_config_init(&vc);
    vad *v = NULL;
    ASSERT_EQ(WZ_OK, vad_create(&v, &vc));
    return v;
}

/* speech decisions over [from, to) samples of x */
static int count_speech(vad *v, const int16_t *x, int n, int from, int to)
{
    int c = 0;
    for (int f = 0; f + FRAME <= n; f += FRAME) {
        int s = vad_process(v, x + f, FRAME);
        ASSERT_TRUE(s == 0 || s == 1);
        if (f >= from && f < to) c += s;
    }
    return c;
}

static int16_t *noise(int n, float dbfs, int pink, uint32_t seed)
{
    float *nz = malloc(sizeof(float) * (size_t)n);
    int16_t *x = malloc(sizeof(int16_t) * (size_t)n);
    synth_noise(nz, n, pink, seed);
    float g = 32768.0f * powf(10.0f, dbfs / 20.0f);
    for (int i = 0; i < n; i++) x[i] = (int16_t)fmaxf(-32768.f, fminf(32767.f, g * nz[i]));
    free(nz);
    return x;
}

static void test_rejects_bad_args(void)
{
    vad_config vc;
    vad_config_init(&vc);
    vc.frame_samples = 100;
    vad *v = (vad *)1;
    ASSERT_EQ(WZ_INVAL, vad_create(&v, &vc));
    ASSERT_TRUE(v == NULL);
    v = make();
    int16_t z[FRAME] = {0};
    ASSERT_EQ(WZ_INVAL, vad_process(v, z, FRAME - 1));
    vad_destroy(v);
}

static void test_silence_and_steady_noise_are_not_speech(void)
{
    int n = 16000 * 6;
    int16_t *z = calloc((size_t)n, sizeof(int16_t));
    vad *v = make();
    ASSERT_EQ(0, count_speech(v, z, n, 0, n));
    vad_destroy(v);
    int16_t *x = noise(n, -30.0f, 1, 5);
    v = make();
    /* after the first 0.5 s the floor is known: at most 2% of frames */
    ASSERT_LE(count_speech(v, x, n, 8000, n), (n - 8000) / FRAME / 50);
    vad_destroy(v);
    free(z);
    free(x);
}

static void test_adapts_to_noise_step(void)
{
    /* -50 dBFS for 3 s, then -25 dBFS: speech-like for a moment, then noise */
    int n = 16000 * 9;
    int16_t *a = noise(n, -50.0f, 0, 7), *b = noise(n, -25.0f, 0, 8);
    for (int i = 16000 * 3; i < n; i++) a[i] = b[i];
    vad *v = make();
    int late = count_speech(v, a, n, 16000 * 6, n); /* 3 s after the step */
    ASSERT_EQ(0, late);
    vad_destroy(v);
    free(a);
    free(b);
}

static void test_speech_in_noise_detected(void)
{
    int ns = 0;
    int16_t *s = synth_flite("slt", "please turn off the lights in the kitchen", 1.0f, &ns);
    ASSERT_TRUE(s != NULL);
    synth_normalize(s, ns, -6.0f);
    int lead = 16000 * 2, n = lead + ns + 16000;
    int16_t *x = calloc((size_t)n, sizeof(int16_t));
    memcpy(x + lead, s, sizeof(int16_t) * (size_t)ns);
    synth_add_noise(x, n, synth_active_power(s, ns), 10.0f, 1, 11);
    vad *v = make();
    int hits = count_speech(v, x, n, lead + 3200, lead + ns - 3200);
    int frames = (ns - 6400) / FRAME;
    fprintf(stderr, "  speech frames marked: %d of %d\n", hits, frames);
    ASSERT_GE(hits, frames * 7 / 10); /* pauses between words may be off */
    vad_reset(v);
    ASSERT_LE(count_speech(v, x, lead, 8000, lead), 2); /* noise before the speech */
    vad_destroy(v);
    free(s);
    free(x);
}

int main(void)
{
    RUN(test_rejects_bad_args);
    RUN(test_silence_and_steady_noise_are_not_speech);
    RUN(test_adapts_to_noise_step);
    RUN(test_speech_in_noise_detected);
    return TEST_SUMMARY();
}
