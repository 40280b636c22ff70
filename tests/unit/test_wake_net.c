/* test_wake_net: the wake word's stage-3 network (core/wake_net.c): weights
 * files that parse and ones that do not, the features it computes, and its
 * output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sphinxbase/err.h>

#include "core/wake_net.h"
#include "wz_test.h"

/* A 200 ms window, no audio after the end, pool 1: 18 front-end frames of
 * 13 cepstra. */
#define SMALL_FRAMES 18
#define SMALL_INPUTS (SMALL_FRAMES * WAKE_NET_CEP)

/* A weights file with every weight zero except b2 and, if pick >= 0, a
 * hidden unit that passes input `pick` on (w1 = 1, w2 = 1). */
static char *small_net(int inputs, double b2, int pick)
{
    size_t cap = 64 + (size_t)inputs * 12;
    char *s = malloc(cap), *p = s;
    p += sprintf(p, "# a test net\nwyzer-wake-net 1\nwindow_ms 200\nafter_ms 0\npool 1\ninputs %d\nhidden 1\n",
                 inputs);
    const char *rows[] = {"mean", "scale", "w1"};
    for (int r = 0; r < 3; r++) {
        p += sprintf(p, "%s", rows[r]);
        for (int i = 0; i < inputs; i++)
            p += sprintf(p, " %s", r == 1 ? "1" : r == 2 && i == pick ? "1" : "0");
        p += sprintf(p, "\n");
    }
    sprintf(p, "b1 0\nw2 %d\nb2 %g\n", pick >= 0, b2);
    return s;
}

static int parse(const char *text, wake_net **n, char *err, size_t errlen)
{
    return wake_net_parse(n, text, strlen(text), err, errlen);
}

static void test_constant_net(void)
{
    char *t = small_net(SMALL_INPUTS, 2.0, -1);
    wake_net *n;
    char err[200] = "";
    ASSERT_EQ(WZ_OK, parse(t, &n, err, sizeof(err)));
    ASSERT_EQ(3200, wake_net_before(n));
    ASSERT_EQ(0, wake_net_after(n));
    ASSERT_EQ(SMALL_INPUTS, wake_net_inputs(n));
    int16_t pcm[3200] = {0};
    float s = wake_net_score(n, pcm);
    ASSERT_LE(fabs(s - 1.0 / (1.0 + exp(-2.0))), 1e-5);
    wake_net_free(n);
    free(t);
}

/* Quiet first half, loud second half: c0 (less the window's loudest
 * frame) is at most 0 everywhere and rises into the loud half; c1..c12
 * have the window mean taken off, so each sums to ~0 over the frames. */
static void test_features(void)
{
    char *t = small_net(SMALL_INPUTS, 0.0, -1);
    wake_net *n;
    char err[200] = "";
    ASSERT_EQ(WZ_OK, parse(t, &n, err, sizeof(err)));
    int16_t pcm[3200];
    uint32_t r = 1;
    for (int i = 0; i < 3200; i++) {
        r = r * 1664525u + 1013904223u;
        int noise = (int)(r >> 22) - 512;
        pcm[i] = (int16_t)(i < 1600 ? noise / 16 : noise * 8 + (int)(6000 * sin(i * 0.3)));
    }
    float f[SMALL_INPUTS];
    ASSERT_EQ(WZ_OK, wake_net_features(n, pcm, f));
    float top = -1e30f;
    for (int k = 0; k < SMALL_FRAMES; k++) {
        ASSERT_LE(f[k * WAKE_NET_CEP], 1e-4);
        top = fmaxf(top, f[k * WAKE_NET_CEP]);
    }
    ASSERT_LE(fabs(top), 1e-4); /* the loudest frame is the reference */
    ASSERT_GE(f[(SMALL_FRAMES - 1) * WAKE_NET_CEP] - f[0], 3.0);
    for (int c = 1; c < WAKE_NET_CEP; c++) {
        double sum = 0, mag = 0;
        for (int k = 0; k < SMALL_FRAMES; k++) {
            sum += f[k * WAKE_NET_CEP + c];
            mag += fabs(f[k * WAKE_NET_CEP + c]);
        }
        ASSERT_LE(fabs(sum), 1e-3 * (mag + 1));
    }
    wake_net_free(n);
    free(t);
}

/* One hidden unit that passes on the last frame's c0: the score is
 * sigmoid(tanh(c0 - max c0)), so 0.5 exactly when the last frame is the
 * loudest and less when it is quieter. */
static void test_weights_are_applied(void)
{
    int last_c0 = (SMALL_FRAMES - 1) * WAKE_NET_CEP;
    char *t = small_net(SMALL_INPUTS, 0.0, last_c0);
    wake_net *n;
    char err[200] = "";
    ASSERT_EQ(WZ_OK, parse(t, &n, err, sizeof(err)));
    int16_t rising[3200], falling[3200];
    for (int i = 0; i < 3200; i++) { /* a tone fading in, and out (no onset click) */
        double tone = 8000 * sin(i * 0.2);
        rising[i] = (int16_t)(tone * (i + 1) / 3200.0);
        falling[i] = (int16_t)(tone * (3200 - i) / 3200.0);
    }
    ASSERT_LE(fabs(wake_net_score(n, rising) - 0.5), 1e-3);
    ASSERT_LE(wake_net_score(n, falling), 0.3);
    wake_net_free(n);
    free(t);
}

static void expect_error(const char *text, const char *want)
{
    wake_net *n = (wake_net *)1;
    char err[200] = "";
    ASSERT_EQ(WZ_CONFIG, parse(text, &n, err, sizeof(err)));
    ASSERT_TRUE(n == NULL);
    ASSERT_CONTAINS(err, want);
}

static void test_rejects(void)
{
    expect_error("", "not a wake net file");
    expect_error("wyzer-wake-net 2\n", "not a wake net file");
    expect_error("wyzer-wake-net 1\nwindow_ms 5000\n", "window_ms");
    expect_error("wyzer-wake-net 1\nwindow_ms 200\nafter_ms 0\npool 1\ninputs 0\n", "line 5: expected \"inputs N\"");
    expect_error("wyzer-wake-net 1\nwindow_ms 200\nafter_ms 0\npool 1\ninputs 13\nhidden 1\nmean 0\n",
                 "\"mean\" needs 13 finite numbers");
    /* the sizes parse, but 13 inputs do not fit a 200 ms window */
    char *t = small_net(13, 0.0, -1);
    expect_error(t, "do not match the window: 18 frames");
    free(t);
    /* a NaN weight, and text after the last field */
    t = small_net(SMALL_INPUTS, 0.0, -1);
    char *nan = strstr(t, "b1 0");
    nan[3] = 'x';
    expect_error(t, "\"b1\" needs 1 finite numbers");
    free(t);
    t = small_net(SMALL_INPUTS, 0.0, -1);
    size_t l = strlen(t);
    char *more = malloc(l + 16);
    memcpy(more, t, l);
    strcpy(more + l, "extra 1\n");
    expect_error(more, "unexpected text after b2");
    free(more);
    free(t);
}

static void test_load_missing_file(void)
{
    wake_net *n;
    char err[200] = "";
    ASSERT_EQ(WZ_IO, wake_net_load(&n, "/nonexistent/hey_wyzer.net", err, sizeof(err)));
    ASSERT_TRUE(n == NULL);
    ASSERT_CONTAINS(err, "cannot open /nonexistent/hey_wyzer.net");
}

int main(void)
{
    err_set_logfp(NULL);
    RUN(test_constant_net);
    RUN(test_features);
    RUN(test_weights_are_applied);
    RUN(test_rejects);
    RUN(test_load_missing_file);
    return TEST_SUMMARY();
}
