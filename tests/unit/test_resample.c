/* test_resample.c: the speexdsp wrapper keeps pitch and length, honours the
 * in/out counts, and rejects bad arguments. */
#include <math.h>

#include "core/resample.h"
#include "wz_test.h"

static void sine(int16_t *x, size_t n, double hz, int rate, double amp)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (int16_t)lrint(amp * sin(2 * M_PI * hz * (double)i / rate));
}

static double crossings_hz(const int16_t *x, size_t n, int rate)
{
    int c = 0;
    for (size_t i = 1; i < n; i++)
        if (x[i - 1] < 0 && x[i] >= 0)
            c++;
    return (double)c * rate / (double)n;
}

/* Converts 1 s of a 1 kHz tone in 160-sample blocks (as a live stream
 * would) and checks the output rate, pitch and level. */
static void check_tone(int in_rate, int out_rate)
{
    static int16_t in[96000], out[100000];
    sine(in, (size_t)in_rate, 1000, in_rate, 10000);
    resampler *r = NULL;
    ASSERT_EQ(WZ_OK, resampler_create(&r, in_rate, out_rate, 5));
    size_t done = 0, produced = 0;
    while (done < (size_t)in_rate) {
        size_t in_n = WZ_MIN((size_t)160, (size_t)in_rate - done);
        size_t out_n = sizeof(out) / 2 - produced;
        ASSERT_EQ(WZ_OK, resampler_process(r, in + done, &in_n, out + produced, &out_n));
        ASSERT_TRUE(in_n > 0);
        done += in_n;
        produced += out_n;
    }
    /* The filter delays a few dozen samples; the rest is there. */
    ASSERT_GE(produced, out_rate - 100);
    ASSERT_LE(produced, out_rate);
    size_t skip = 200; /* filter warm-up */
    double hz = crossings_hz(out + skip, produced - skip, out_rate);
    ASSERT_GE(hz, 995);
    ASSERT_LE(hz, 1005);
    double s = 0;
    for (size_t i = skip; i < produced; i++)
        s += (double)out[i] * out[i];
    double rms = sqrt(s / (double)(produced - skip));
    ASSERT_GE(rms, 7071 * 0.97);
    ASSERT_LE(rms, 7071 * 1.03);
    resampler_destroy(r);
}

static void test_48k_to_16k(void) { check_tone(48000, 16000); }
static void test_44k1_to_16k(void) { check_tone(44100, 16000); }
static void test_16k_to_48k(void) { check_tone(16000, 48000); }
static void test_22k05_to_16k(void) { check_tone(22050, 16000); }
static void test_same_rate_is_copy(void)
{
    int16_t in[100], out[60];
    for (int i = 0; i < 100; i++)
        in[i] = (int16_t)(i * 7);
    resampler *r = NULL;
    ASSERT_EQ(WZ_OK, resampler_create(&r, 16000, 16000, 3));
    size_t in_n = 100, out_n = 60;
    ASSERT_EQ(WZ_OK, resampler_process(r, in, &in_n, out, &out_n));
    ASSERT_EQ(60, in_n);
    ASSERT_EQ(60, out_n);
    ASSERT_EQ(0, memcmp(in, out, sizeof(out)));
    resampler_destroy(r);
}

/* A small output buffer limits consumption; nothing is lost. */
static void test_partial_consumption(void)
{
    int16_t in[4800], out[64];
    sine(in, 4800, 1000, 48000, 8000);
    resampler *r = NULL;
    ASSERT_EQ(WZ_OK, resampler_create(&r, 48000, 16000, 3));
    size_t in_n = 4800, out_n = 64;
    ASSERT_EQ(WZ_OK, resampler_process(r, in, &in_n, out, &out_n));
    ASSERT_EQ(64, out_n);
    ASSERT_LE(in_n, 64 * 3 + 3);
    ASSERT_GE(in_n, 64 * 3 - 3);
    resampler_destroy(r);
}

/* skip_zeros + drain: output length equals input length x ratio. */
static void test_aligned_length(void)
{
    static int16_t in[44100], out[20000];
    sine(in, 44100, 1000, 44100, 8000);
    resampler *r = NULL;
    ASSERT_EQ(WZ_OK, resampler_create(&r, 44100, 16000, 5));
    resampler_skip_zeros(r);
    size_t in_n = 44100, out_n = 20000;
    ASSERT_EQ(WZ_OK, resampler_process(r, in, &in_n, out, &out_n));
    ASSERT_EQ(44100, in_n);
    size_t tail = 20000 - out_n;
    ASSERT_EQ(WZ_OK, resampler_drain(r, out + out_n, &tail));
    ASSERT_GE(out_n + tail, 16000);
    ASSERT_LE(out_n + tail, 16002);
    /* The first upward crossing of the output is at t=0 like the input:
     * a sine starting at 0 is positive for the first 0.5 ms. */
    ASSERT_GE(out[3], 1000);
    resampler_destroy(r);
}

static void test_bad_arguments(void)
{
    resampler *r = (resampler *)1;
    ASSERT_EQ(WZ_INVAL, resampler_create(&r, 0, 16000, 3));
    ASSERT_TRUE(r == NULL);
    ASSERT_EQ(WZ_INVAL, resampler_create(&r, 16000, 16000, 11));
    ASSERT_EQ(WZ_INVAL, resampler_create(&r, 16000, 10000000, 3));
    ASSERT_EQ(WZ_INVAL, resampler_create(NULL, 16000, 16000, 3));
}

int main(void)
{
    RUN(test_48k_to_16k);
    RUN(test_44k1_to_16k);
    RUN(test_16k_to_48k);
    RUN(test_22k05_to_16k);
    RUN(test_same_rate_is_copy);
    RUN(test_partial_consumption);
    RUN(test_aligned_length);
    RUN(test_bad_arguments);
    return TEST_SUMMARY();
}
