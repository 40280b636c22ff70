/* test_wav.c: the WAV reader on every supported format (generated with sox at
 * test time), corrupt and truncated files, and the writer round trip. */
#include <math.h>
#include <stdint.h>

#include "core/wav.h"
#include "wz_test.h"

static char dir[] = "/tmp/wz_test_wav_XXXXXX";

static void sh(const char *cmd)
{
    if (system(cmd) != 0)
        TEST_FAIL_AT("command failed: %s", cmd);
}

static void path_of(char *buf, size_t cap, const char *name) { snprintf(buf, cap, "%s/%s", dir, name); }

/* Upward zero crossings per second of x (a sine of f Hz has f). */
static double crossings_hz(const int16_t *x, size_t n, int rate)
{
    int c = 0;
    for (size_t i = 1; i < n; i++)
        if (x[i - 1] < 0 && x[i] >= 0)
            c++;
    return (double)c * rate / (double)n;
}

static double rms(const int16_t *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)x[i] * x[i];
    return n ? sqrt(s / (double)n) : 0;
}

/* Generates 0.5 s of a 1 kHz sine at amplitude 0.5 with sox in the given
 * format, reads it back and checks the header and the converted signal. */
static void check_format(const char *sox_fmt, int rate, int channels, int bits, bool is_float)
{
    char path[256], cmd[1024], err[256] = "";
    path_of(path, sizeof(path), "in.wav");
    snprintf(cmd, sizeof(cmd), "sox -q -n -r %d -c %d %s '%s' synth 0.5 sine 1000 vol 0.5", rate, channels,
             sox_fmt, path);
    sh(cmd);
    int16_t *pcm = NULL;
    size_t n = 0;
    wav_info info;
    int rc = wav_read_16k_mono(path, &pcm, &n, &info, err, sizeof(err));
    if (rc)
        TEST_FAIL_AT("%s: %s", sox_fmt, err);
    ASSERT_EQ(rate, info.rate);
    ASSERT_EQ(channels, info.channels);
    ASSERT_EQ(bits, info.bits);
    ASSERT_EQ(is_float, info.is_float);
    ASSERT_EQ(rate / 2, info.frames);
    /* 0.5 s at 16 kHz, within a sample of rounding. */
    ASSERT_GE(n, 7999);
    ASSERT_LE(n, 8001);
    /* Skip 10 ms at each end (filter edges), then check pitch and level:
     * amplitude 0.5 is 16384 peak, RMS 11585. 8-bit quantisation and the
     * resampler's passband ripple stay well inside 5%. */
    double hz = crossings_hz(pcm + 160, n - 320, 16000);
    ASSERT_GE(hz, 990);
    ASSERT_LE(hz, 1010);
    double r = rms(pcm + 160, n - 320);
    ASSERT_GE(r, 11585 * 0.95);
    ASSERT_LE(r, 11585 * 1.05);
    free(pcm);
}

static void test_s16_16k_mono(void) { check_format("-b 16 -e signed-integer", 16000, 1, 16, false); }
static void test_u8(void) { check_format("-b 8 -e unsigned-integer", 16000, 1, 8, false); }
static void test_s24_extensible(void) { check_format("-b 24 -e signed-integer", 16000, 1, 24, false); }
static void test_s32(void) { check_format("-b 32 -e signed-integer", 16000, 1, 32, false); }
static void test_float32(void) { check_format("-b 32 -e floating-point", 16000, 1, 32, true); }
static void test_stereo_44k1(void) { check_format("-b 16 -e signed-integer", 44100, 2, 16, false); }
static void test_stereo_48k_s24(void) { check_format("-b 24 -e signed-integer", 48000, 2, 24, false); }
static void test_6ch_48k_float(void) { check_format("-b 32 -e floating-point", 48000, 6, 32, true); }
static void test_8k_upsample(void) { check_format("-b 16 -e signed-integer", 8000, 1, 16, false); }

/* Stereo with the signal in one channel only: the downmix is the average. */
static void test_downmix_is_average(void)
{
    char path[256], cmd[1024], err[256] = "";
    path_of(path, sizeof(path), "lr.wav");
    snprintf(cmd, sizeof(cmd),
             "sox -q -n -r 16000 -c 2 -b 16 '%s' synth 0.25 sine 1000 vol 0.5 remix 1 0", path);
    sh(cmd);
    int16_t *pcm = NULL;
    size_t n = 0;
    wav_info info;
    ASSERT_EQ(WZ_OK, wav_read_16k_mono(path, &pcm, &n, &info, err, sizeof(err)));
    ASSERT_EQ(2, info.channels);
    double r = rms(pcm, n);
    ASSERT_GE(r, 11585 / 2 * 0.97);
    ASSERT_LE(r, 11585 / 2 * 1.03);
    free(pcm);
}

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *fp = fopen(path, "wb");
    ASSERT_TRUE(fp != NULL);
    ASSERT_EQ(n, fwrite(b, 1, n, fp));
    fclose(fp);
}

static int read_expect_error(const char *name, const void *bytes, size_t n, char *err, size_t errlen)
{
    char path[256];
    path_of(path, sizeof(path), name);
    write_bytes(path, bytes, n);
    int16_t *pcm = (int16_t *)1;
    size_t got = 99;
    wav_info info;
    int rc = wav_read_16k_mono(path, &pcm, &got, &info, err, errlen);
    ASSERT_TRUE(pcm == NULL);
    ASSERT_EQ(0, got);
    return rc;
}

/* A valid 16-bit mono header for 8 samples, used as a base to corrupt. */
static const uint8_t good_hdr[44] = {'R', 'I', 'F', 'F', 52, 0, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' ',
                                     16, 0, 0, 0, 1, 0, 1, 0, 0x80, 0x3e, 0, 0, 0, 0x7d, 0, 0,
                                     2, 0, 16, 0, 'd', 'a', 't', 'a', 16, 0, 0, 0};

static void test_good_minimal_header(void)
{
    uint8_t b[60] = {0};
    memcpy(b, good_hdr, 44);
    wav_info info;
    const uint8_t *s;
    size_t sb;
    char err[200];
    ASSERT_EQ(WZ_OK, wav_parse(b, sizeof(b), &info, &s, &sb, err, sizeof(err)));
    ASSERT_EQ(8, info.frames);
    ASSERT_EQ(16, sb);
    ASSERT_TRUE(s == b + 44);
}

static void test_truncated_data(void)
{
    uint8_t b[50] = {0}; /* header promises 16 data bytes, 6 present */
    memcpy(b, good_hdr, 44);
    char err[200] = "";
    ASSERT_EQ(WZ_PROTO, read_expect_error("trunc.wav", b, sizeof(b), err, sizeof(err)));
    ASSERT_CONTAINS(err, "truncated");
    ASSERT_CONTAINS(err, "trunc.wav");
}

static void test_truncated_real_file(void)
{
    char path[256], cut[256], cmd[1024], err[256] = "";
    path_of(path, sizeof(path), "full.wav");
    path_of(cut, sizeof(cut), "cut.wav");
    snprintf(cmd, sizeof(cmd), "sox -q -n -r 16000 -c 1 -b 16 '%s' synth 0.5 sine 440 && head -c 5000 '%s' > '%s'",
             path, path, cut);
    sh(cmd);
    int16_t *pcm = NULL;
    size_t n = 0;
    wav_info info;
    ASSERT_EQ(WZ_PROTO, wav_read_16k_mono(cut, &pcm, &n, &info, err, sizeof(err)));
    ASSERT_CONTAINS(err, "truncated");
}

static void test_empty_and_garbage(void)
{
    char err[200] = "";
    ASSERT_EQ(WZ_PROTO, read_expect_error("empty.wav", "", 0, err, sizeof(err)));
    ASSERT_CONTAINS(err, "not a WAV file");
    const char junk[] = "this is not audio at all, just some text in a file";
    ASSERT_EQ(WZ_PROTO, read_expect_error("junk.wav", junk, sizeof(junk), err, sizeof(err)));
    ASSERT_CONTAINS(err, "not a WAV file");
    ASSERT_EQ(WZ_PROTO, read_expect_error("hdr.wav", good_hdr, 12, err, sizeof(err)));
    ASSERT_CONTAINS(err, "no fmt chunk");
    ASSERT_EQ(WZ_PROTO, read_expect_error("nodata.wav", good_hdr, 36, err, sizeof(err)));
    ASSERT_CONTAINS(err, "no data chunk");
}

static void test_bad_fmt_fields(void)
{
    uint8_t b[60] = {0};
    char err[200] = "";
    memcpy(b, good_hdr, 44);
    b[34] = 12; /* 12-bit samples */
    ASSERT_EQ(WZ_UNSUPP, read_expect_error("b12.wav", b, sizeof(b), err, sizeof(err)));
    ASSERT_CONTAINS(err, "12 bits");

    memcpy(b, good_hdr, 44);
    b[22] = 0; /* zero channels */
    ASSERT_EQ(WZ_UNSUPP, read_expect_error("c0.wav", b, sizeof(b), err, sizeof(err)));
    ASSERT_CONTAINS(err, "channel count 0");

    memcpy(b, good_hdr, 44);
    b[32] = 3; /* block align 3 for 1 x 16 bit */
    ASSERT_EQ(WZ_PROTO, read_expect_error("ba.wav", b, sizeof(b), err, sizeof(err)));
    ASSERT_CONTAINS(err, "block align");

    memcpy(b, good_hdr, 44);
    b[24] = 10; b[25] = 0; /* 10 Hz */
    ASSERT_EQ(WZ_UNSUPP, read_expect_error("rate.wav", b, sizeof(b), err, sizeof(err)));
    ASSERT_CONTAINS(err, "sample rate 10");

    memcpy(b, good_hdr, 44);
    b[16] = 200; /* fmt chunk size past the end of the file */
    ASSERT_EQ(WZ_PROTO, read_expect_error("fmtsz.wav", b, sizeof(b), err, sizeof(err)));
    ASSERT_CONTAINS(err, "fmt chunk");
}

static void test_data_before_fmt(void)
{
    uint8_t b[12 + 8 + 4 + 24] = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E',
                                  'd', 'a', 't', 'a', 4, 0, 0, 0};
    memcpy(b + 24, good_hdr + 12, 24);
    char err[200] = "";
    ASSERT_EQ(WZ_PROTO, read_expect_error("order.wav", b, sizeof(b), err, sizeof(err)));
    ASSERT_CONTAINS(err, "before fmt");
}

static void test_alaw_unsupported(void)
{
    char path[256], cmd[1024], err[256] = "";
    path_of(path, sizeof(path), "alaw.wav");
    snprintf(cmd, sizeof(cmd), "sox -q -n -r 8000 -c 1 -e a-law '%s' synth 0.1 sine 440", path);
    sh(cmd);
    int16_t *pcm = NULL;
    size_t n = 0;
    wav_info info;
    ASSERT_EQ(WZ_UNSUPP, wav_read_16k_mono(path, &pcm, &n, &info, err, sizeof(err)));
    ASSERT_CONTAINS(err, "format tag 0x0006");
}

static void test_missing_file(void)
{
    int16_t *pcm = NULL;
    size_t n = 0;
    wav_info info;
    char err[256] = "";
    ASSERT_EQ(WZ_IO, wav_read_16k_mono("/nonexistent/x.wav", &pcm, &n, &info, err, sizeof(err)));
    ASSERT_CONTAINS(err, "/nonexistent/x.wav");
    ASSERT_CONTAINS(err, "No such file");
}

static void test_writer_round_trip(void)
{
    char path[256], err[256] = "";
    path_of(path, sizeof(path), "rt.wav");
    int16_t x[1000];
    for (int i = 0; i < 1000; i++)
        x[i] = (int16_t)(i * 61 - 30000);
    wav_writer *w = NULL;
    ASSERT_EQ(WZ_OK, wav_writer_open(&w, path, 16000));
    ASSERT_EQ(WZ_OK, wav_writer_write(w, x, 300));
    ASSERT_EQ(WZ_OK, wav_writer_write(w, x + 300, 700));
    ASSERT_EQ(1000, wav_writer_samples(w));
    ASSERT_EQ(WZ_OK, wav_writer_close(w));
    int16_t *pcm = NULL;
    size_t n = 0;
    wav_info info;
    ASSERT_EQ(WZ_OK, wav_read_16k_mono(path, &pcm, &n, &info, err, sizeof(err)));
    ASSERT_EQ(1000, n);
    ASSERT_EQ(0, memcmp(x, pcm, sizeof(x)));
    free(pcm);
    /* sox agrees about the header. */
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "test \"$(soxi -s '%s')\" = 1000 && test \"$(soxi -r '%s')\" = 16000", path,
             path);
    sh(cmd);
}

static void test_unclosed_writer_is_readable(void)
{
    /* A writer that never closed leaves 0xFFFFFFFF sizes: read to EOF. */
    char path[256], err[256] = "";
    path_of(path, sizeof(path), "open.wav");
    int16_t x[100] = {0};
    x[50] = 1234;
    wav_writer *w = NULL;
    ASSERT_EQ(WZ_OK, wav_writer_open(&w, path, 16000));
    ASSERT_EQ(WZ_OK, wav_writer_write(w, x, 100));
    int16_t *pcm = NULL;
    size_t n = 0;
    wav_info info;
    /* Close, then put back the "unknown" sizes open() wrote, as if the
     * process had died before close. */
    ASSERT_EQ(WZ_OK, wav_writer_close(w));
    FILE *fp = fopen(path, "r+b");
    ASSERT_TRUE(fp != NULL);
    uint8_t ff[4] = {0xff, 0xff, 0xff, 0xff};
    fseek(fp, 4, SEEK_SET);
    fwrite(ff, 1, 4, fp);
    fseek(fp, 40, SEEK_SET);
    fwrite(ff, 1, 4, fp);
    fclose(fp);
    ASSERT_EQ(WZ_OK, wav_read_16k_mono(path, &pcm, &n, &info, err, sizeof(err)));
    ASSERT_EQ(100, n);
    ASSERT_EQ(1234, pcm[50]);
    free(pcm);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_s16_16k_mono);
    RUN(test_u8);
    RUN(test_s24_extensible);
    RUN(test_s32);
    RUN(test_float32);
    RUN(test_stereo_44k1);
    RUN(test_stereo_48k_s24);
    RUN(test_6ch_48k_float);
    RUN(test_8k_upsample);
    RUN(test_downmix_is_average);
    RUN(test_good_minimal_header);
    RUN(test_truncated_data);
    RUN(test_truncated_real_file);
    RUN(test_empty_and_garbage);
    RUN(test_bad_fmt_fields);
    RUN(test_data_before_fmt);
    RUN(test_alaw_unsupported);
    RUN(test_missing_file);
    RUN(test_writer_round_trip);
    RUN(test_unclosed_writer_is_readable);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return TEST_SUMMARY();
}
