/* test_audio_file.c: the file audio backend: pacing, output alignment with
 * the input timeline, playback at other rates, flush, echo simulation and
 * error handling. */
#include <math.h>

#include "core/audio_io.h"
#include "core/wav.h"
#include "wz_test.h"

static char dir[] = "/tmp/wz_test_audio_file_XXXXXX";
#define FRAME 320 /* 20 ms at 16 kHz */

static void path_of(char *buf, size_t cap, const char *name) { snprintf(buf, cap, "%s/%s", dir, name); }

/* Writes n samples of a constant-amplitude 300 Hz tone (or silence). */
static void make_input(const char *path, size_t n, double amp)
{
    int16_t *x = malloc(n * sizeof(*x));
    for (size_t i = 0; i < n; i++)
        x[i] = (int16_t)lrint(amp * sin(2 * M_PI * 300 * (double)i / 16000));
    ASSERT_EQ(WZ_OK, wav_write_file(path, x, n, 16000));
    free(x);
}

static void tone(int16_t *x, size_t n, double hz, int rate, double amp)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (int16_t)lrint(amp * sin(2 * M_PI * hz * (double)i / rate));
}

static audio_io *open_file(const char *in, const char *out, bool fast, const char *echo)
{
    audio_io *a = NULL;
    char err[256] = "";
    int rc = audio_io_open_file(&a, in, out, fast, echo, 20, err, sizeof(err));
    if (rc)
        TEST_FAIL_AT("open_file: %s (%s)", wz_strerror(rc), err);
    ASSERT_EQ(WZ_OK, audio_io_start(a));
    return a;
}

/* Reads frames until the input ends; returns the number of frames. */
static int drain_input(audio_io *a)
{
    int16_t frame[FRAME], ref[FRAME];
    int k = 0;
    while (!audio_io_input_ended(a)) {
        ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, ref, 1000));
        k++;
    }
    return k;
}

static size_t first_nonzero(const int16_t *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (x[i] != 0)
            return i;
    return n;
}

static void test_fast_mode_does_not_sleep(void)
{
    char in[256];
    path_of(in, sizeof(in), "in10s.wav");
    make_input(in, 160000, 3000); /* 10 s */
    audio_io *a = open_file(in, NULL, true, NULL);
    int64_t t0 = wz_now_ms();
    ASSERT_EQ(500, drain_input(a));
    int64_t took = wz_now_ms() - t0;
    ASSERT_LE(took, 1000); /* 10 s of audio; real-time pacing would need 10000 ms */
    ASSERT_EQ(10000, audio_io_position_ms(a));
    audio_io_stats st;
    audio_io_stats(a, &st);
    ASSERT_EQ(500, st.frames);
    ASSERT_EQ(0, st.overruns);
    audio_io_close(a);
}

static void test_real_time_pacing(void)
{
    char in[256];
    path_of(in, sizeof(in), "in05.wav");
    make_input(in, 8000, 3000); /* 0.5 s */
    audio_io *a = open_file(in, NULL, false, NULL);
    int64_t t0 = wz_now_ms();
    ASSERT_EQ(25, drain_input(a));
    int64_t took = wz_now_ms() - t0;
    ASSERT_GE(took, 480);
    ASSERT_LE(took, 1500); /* paced, not slowed down (loose: CI machines are loaded) */
    audio_io_close(a);
}

static void test_timeout_before_frame_is_due(void)
{
    char in[256];
    path_of(in, sizeof(in), "in05t.wav");
    make_input(in, 8000, 3000);
    audio_io *a = open_file(in, NULL, false, NULL);
    int16_t frame[FRAME];
    ASSERT_EQ(WZ_TIMEDOUT, audio_io_read_frame(a, frame, NULL, 0));
    ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, NULL, 100));
    ASSERT_EQ(20, audio_io_position_ms(a));
    audio_io_close(a);
}

static void test_silence_after_end(void)
{
    char in[256];
    path_of(in, sizeof(in), "short.wav");
    make_input(in, 500, 8000); /* 1.56 frames */
    audio_io *a = open_file(in, NULL, true, NULL);
    int16_t frame[FRAME];
    ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, NULL, 0));
    ASSERT_TRUE(!audio_io_input_ended(a));
    ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, NULL, 0));
    ASSERT_TRUE(audio_io_input_ended(a));
    ASSERT_NE(0, frame[100]);        /* sample 420 of the input */
    ASSERT_EQ(0, frame[FRAME - 1]); /* padding past sample 500 */
    ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, NULL, 0));
    ASSERT_EQ(FRAME, first_nonzero(frame, FRAME));
    audio_io_close(a);
}

static void read_out(const char *path, int16_t **pcm, size_t *n)
{
    wav_info info;
    char err[256];
    ASSERT_EQ(WZ_OK, wav_read_16k_mono(path, pcm, n, &info, err, sizeof(err)));
    ASSERT_EQ(16000, info.rate);
    ASSERT_EQ(1, info.channels);
}

static void test_output_length_equals_input_when_silent(void)
{
    char in[256], out[256];
    path_of(in, sizeof(in), "in3s.wav");
    path_of(out, sizeof(out), "out3s.wav");
    make_input(in, 48000, 3000);
    audio_io *a = open_file(in, out, true, NULL);
    ASSERT_EQ(150, drain_input(a));
    audio_io_close(a);
    int16_t *pcm;
    size_t n;
    read_out(out, &pcm, &n);
    ASSERT_EQ(48000, n);
    ASSERT_EQ(n, first_nonzero(pcm, n));
    free(pcm);
}

/* A tone queued after frame 50 (1.000 s) starts at output sample 16000
 * exactly and ends 8000 samples later; the ref signal matches it. */
static void test_played_tone_at_right_offset(void)
{
    char in[256], out[256];
    path_of(in, sizeof(in), "in2s.wav");
    path_of(out, sizeof(out), "out2s.wav");
    make_input(in, 32000, 3000);
    audio_io *a = open_file(in, out, true, NULL);
    int16_t frame[FRAME], ref[FRAME], t[8000];
    for (int i = 0; i < 50; i++)
        ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, ref, 0));
    tone(t, 8000, 1000, 16000, 10000);
    t[0] = 5000; /* a sine starts at 0; make sample 0 visible */
    ASSERT_EQ(8000, audio_io_play(a, t, 8000, 16000));
    ASSERT_EQ(8000, audio_io_play_pending(a));
    ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, ref, 0));
    ASSERT_EQ(0, memcmp(ref, t, sizeof(ref)));
    ASSERT_EQ(8000 - FRAME, audio_io_play_pending(a));
    drain_input(a);
    ASSERT_EQ(0, audio_io_play_pending(a));
    audio_io_close(a);
    int16_t *pcm;
    size_t n;
    read_out(out, &pcm, &n);
    ASSERT_EQ(32000, n);
    ASSERT_EQ(16000, first_nonzero(pcm, n));
    ASSERT_EQ(0, memcmp(pcm + 16000, t, sizeof(t)));
    ASSERT_EQ(n - 24000, first_nonzero(pcm + 24000, n - 24000));
    free(pcm);
}

/* Reply audio at 22050 Hz is resampled to 16 kHz: same duration, same pitch. */
static void test_play_other_rate(void)
{
    char in[256], out[256];
    path_of(in, sizeof(in), "in1s.wav");
    path_of(out, sizeof(out), "out1s.wav");
    make_input(in, 16000, 0);
    audio_io *a = open_file(in, out, true, NULL);
    static int16_t t[11025];
    tone(t, 11025, 500, 22050, 10000);
    ASSERT_EQ(11025, audio_io_play(a, t, 11025, 22050));
    drain_input(a);
    audio_io_close(a);
    int16_t *pcm;
    size_t n;
    read_out(out, &pcm, &n);
    /* Upward crossings with +-1000 hysteresis, so the resampler's tiny
     * ringing at the tone's edges does not count. */
    size_t nz = 0, crossings = 0;
    bool low = false;
    for (size_t i = 0; i < n; i++) {
        nz += abs(pcm[i]) > 500;
        if (pcm[i] < -1000)
            low = true;
        else if (low && pcm[i] > 1000) {
            low = false;
            crossings++;
        }
    }
    ASSERT_GE(crossings, 248); /* 0.5 s of 500 Hz */
    ASSERT_LE(crossings, 252);
    ASSERT_GE(nz, 7000); /* ~8000 samples of tone, minus the near-zero ones */
    ASSERT_LE(nz, 8100);
    free(pcm);
}

/* A 1 s silent input (file name) with t, 1 s of 1 kHz tone, queued;
 * mark (unless 0) replaces the tone's first sample after the first frame. */
static audio_io *open_playing(const char *name, int16_t *t, int16_t mark)
{
    char in[256];
    path_of(in, sizeof(in), name);
    make_input(in, 16000, 0);
    audio_io *a = open_file(in, NULL, true, NULL);
    tone(t, 16000, 1000, 16000, 10000);
    if (mark)
        t[FRAME] = mark;
    ASSERT_EQ(16000, audio_io_play(a, t, 16000, 16000));
    return a;
}

static void test_flush_drops_queued_audio(void)
{
    static int16_t t[16000];
    audio_io *a = open_playing("in1f.wav", t, 0);
    int16_t frame[FRAME], ref[FRAME];
    ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, ref, 0));
    ASSERT_NE(FRAME, first_nonzero(ref, FRAME));
    audio_io_play_flush(a);
    ASSERT_EQ(0, audio_io_play_pending(a));
    ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, ref, 0));
    ASSERT_EQ(FRAME, first_nonzero(ref, FRAME));
    audio_io_close(a);
}

/* A held reply plays silence and keeps its place: released, it goes on with
 * the very next sample; a flush while held drops it and nothing plays. */
static void test_hold_keeps_place(void)
{
    static int16_t t[16000];
    audio_io *a = open_playing("in1h.wav", t, 7777);
    int16_t frame[FRAME], ref[FRAME];
    ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, ref, 0));
    ASSERT_EQ(0, memcmp(ref, t, sizeof(ref)));
    audio_io_play_hold(a, true);
    for (int i = 0; i < 5; i++) {
        ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, ref, 0));
        ASSERT_EQ(FRAME, first_nonzero(ref, FRAME));
    }
    ASSERT_EQ(16000 - FRAME, audio_io_play_pending(a));
    audio_io_play_hold(a, false);
    ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, ref, 0));
    ASSERT_EQ(7777, ref[0]);
    ASSERT_EQ(0, memcmp(ref, t + FRAME, sizeof(ref)));

    audio_io_play_hold(a, true);
    audio_io_play_flush(a);
    ASSERT_EQ(0, audio_io_play_pending(a));
    audio_io_play_hold(a, false);
    ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, ref, 0));
    ASSERT_EQ(FRAME, first_nonzero(ref, FRAME));
    audio_io_close(a);
}

static void test_play_queue_full_refuses(void)
{
    char in[256];
    path_of(in, sizeof(in), "in1q.wav");
    make_input(in, 16000, 0);
    audio_io *a = open_file(in, NULL, true, NULL);
    static int16_t t[16000];
    size_t total = 0;
    for (int i = 0; i < 20; i++)
        total += audio_io_play(a, t, 16000, 16000);
    /* The 10 s queue rounds up to 2^18 samples (16.4 s). */
    ASSERT_EQ(262144, total);
    ASSERT_EQ(0, audio_io_play(a, t, 1, 16000));
    audio_io_close(a);
}

/* --echo 100:-6: the mic hears the played tone 1600 samples later at half
 * amplitude, on top of the input; ref is the undelayed played signal. */
static void test_echo_mixing(void)
{
    char in[256];
    path_of(in, sizeof(in), "in1e.wav");
    make_input(in, 16000, 0);
    audio_io *a = open_file(in, NULL, true, "100:-6");
    int16_t frame[FRAME], ref[FRAME];
    static int16_t mic[16000], refs[16000], t[4000];
    for (int i = 0; i < 4000; i++)
        t[i] = 10000;
    for (int k = 0; k < 50; k++) {
        if (k == 10)
            ASSERT_EQ(4000, audio_io_play(a, t, 4000, 16000));
        ASSERT_EQ(WZ_OK, audio_io_read_frame(a, frame, ref, 0));
        memcpy(mic + k * FRAME, frame, sizeof(frame));
        memcpy(refs + k * FRAME, ref, sizeof(ref));
    }
    ASSERT_EQ(3200, first_nonzero(refs, 16000));
    ASSERT_EQ(3200 + 1600, first_nonzero(mic, 16000));
    ASSERT_EQ(5012, mic[5000]); /* 10000 x 10^(-6/20) = 5011.9 */
    ASSERT_EQ(0, mic[3200 + 1600 + 4000]);
    audio_io_close(a);
}

static void test_echo_spec_validation(void)
{
    int d = -1;
    double g = 0;
    char err[200] = "";
    ASSERT_EQ(WZ_OK, audio_io_parse_echo("30:+6", &d, &g, err, sizeof(err)));
    ASSERT_EQ(30, d);
    ASSERT_EQ(6, g);
    ASSERT_EQ(WZ_OK, audio_io_parse_echo("0:-10.5", &d, &g, err, sizeof(err)));
    ASSERT_EQ(-105, lrint(g * 10));
    const char *bad[] = {"", "30", "30:", ":6", "abc:6", "30:6dB", "-5:6", "30:nan", "30:6:1", " 30:6"};
    for (size_t i = 0; i < WZ_ARRAY_LEN(bad); i++) {
        err[0] = 0;
        if (audio_io_parse_echo(bad[i], &d, &g, err, sizeof(err)) != WZ_INVAL)
            TEST_FAIL_AT("'%s' accepted", bad[i]);
        ASSERT_CONTAINS(err, "--echo");
    }
    ASSERT_EQ(WZ_INVAL, audio_io_parse_echo("3000:0", &d, &g, err, sizeof(err)));
    ASSERT_CONTAINS(err, "delay must be");
    ASSERT_EQ(WZ_INVAL, audio_io_parse_echo("30:+40", &d, &g, err, sizeof(err)));
    ASSERT_CONTAINS(err, "gain must be");
}

static void test_open_errors(void)
{
    char in[256], bad[256], err[256] = "";
    audio_io *a = (audio_io *)1;
    path_of(bad, sizeof(bad), "corrupt.wav");
    FILE *fp = fopen(bad, "wb");
    fputs("RIFF\x10\0\0\0WAVEjunkjunk", fp);
    fclose(fp);
    ASSERT_EQ(WZ_PROTO, audio_io_open_file(&a, bad, NULL, true, NULL, 20, err, sizeof(err)));
    ASSERT_TRUE(a == NULL);
    ASSERT_CONTAINS(err, "corrupt.wav");
    path_of(in, sizeof(in), "ok.wav");
    make_input(in, 1600, 0);
    ASSERT_EQ(WZ_INVAL, audio_io_open_file(&a, in, NULL, true, "x", 20, err, sizeof(err)));
    ASSERT_CONTAINS(err, "DELAY_MS:GAIN_DB");
    ASSERT_EQ(WZ_INVAL, audio_io_open_file(&a, in, NULL, true, NULL, 5, err, sizeof(err)));
    ASSERT_EQ(WZ_IO, audio_io_open_file(&a, in, "/nonexistent/dir/o.wav", true, NULL, 20, err, sizeof(err)));
    ASSERT_CONTAINS(err, "/nonexistent/dir/o.wav");
}

/* Stereo 44.1 kHz input is converted exactly like the WAV reader does. */
static void test_input_any_format(void)
{
    char in[256], cmd[600];
    path_of(in, sizeof(in), "st.wav");
    snprintf(cmd, sizeof(cmd), "sox -q -n -r 44100 -c 2 -b 24 '%s' synth 1.0 sine 1000 vol 0.5", in);
    ASSERT_EQ(0, system(cmd));
    audio_io *a = open_file(in, NULL, true, NULL);
    ASSERT_EQ(50, drain_input(a));
    audio_io_close(a);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(test_fast_mode_does_not_sleep);
    RUN(test_real_time_pacing);
    RUN(test_timeout_before_frame_is_due);
    RUN(test_silence_after_end);
    RUN(test_output_length_equals_input_when_silent);
    RUN(test_played_tone_at_right_offset);
    RUN(test_play_other_rate);
    RUN(test_flush_drops_queued_audio);
    RUN(test_hold_keeps_place);
    RUN(test_play_queue_full_refuses);
    RUN(test_echo_mixing);
    RUN(test_echo_spec_validation);
    RUN(test_open_errors);
    RUN(test_input_any_format);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return TEST_SUMMARY();
}
