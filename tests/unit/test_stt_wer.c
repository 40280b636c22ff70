/* test_stt_wer.c: word error rate of the general (LM) pass on the real read
 * speech in Debian's pocketsphinx-testdata (5 LibriVox clips, 71 words).
 * Measured 26.8% (19/71 words) with the forward-pass-only LM decoder; 29%
 * in REFERENCE.md with the default passes. The bound guards regressions. */
#define WZ_TEST_TIMEOUT_S 110
#include "wz_test.h"

#include "speech_test_util.h"

#define LIBRIVOX "/usr/share/pocketsphinx/test/data/librivox"
#define WER_BOUND 0.32

static void test_librivox_wer_within_bound(void)
{
    wz_config cfg;
    config_init(&cfg);
    stt *s;
    char err[512];
    ASSERT_EQ(0, stt_create(&s, &cfg, err, sizeof err));
    char path[600];
    snprintf(path, sizeof path, "%s/transcription", LIBRIVOX);
    char *tr = su_slurp(path);
    ASSERT_TRUE(tr != NULL);
    int errors = 0, words = 0, files = 0;
    char *save = NULL;
    for (char *line = strtok_r(tr, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        /* "<s> words </s> (fileid)" */
        char *open = strrchr(line, '('), *close = open ? strchr(open, ')') : NULL;
        char *end = strstr(line, "</s>");
        ASSERT_TRUE(open && close && end);
        *close = '\0';
        *end = '\0';
        const char *ref = strstr(line, "<s>") ? strstr(line, "<s>") + 3 : line;
        snprintf(path, sizeof path, "%s/%s.wav", LIBRIVOX, open + 1);
        int16_t *pcm;
        size_t n;
        wav_info info;
        ASSERT_EQ(0, wav_read_16k_mono(path, &pcm, &n, &info, err, sizeof err));
        stt_result r;
        ASSERT_EQ(0, su_decode(s, pcm, n, &r));
        int nref, e = su_word_errors(ref, r.text, &nref);
        fprintf(stderr, "  %d/%d errors: %s\n", e, nref, r.text);
        errors += e;
        words += nref;
        files++;
        free(pcm);
    }
    ASSERT_EQ(5, files);
    double wer = (double)errors / words;
    fprintf(stderr, "  WER %.1f%% (%d/%d words)\n", 100 * wer, errors, words);
    ASSERT_LE(wer, WER_BOUND);
    free(tr);
    stt_destroy(s);
}

/* Word error counting itself: substitution, deletion and insertion. */
static void test_word_errors_levenshtein(void)
{
    int n;
    ASSERT_EQ(0, su_word_errors("go forward ten meters", "go forward ten meters", &n));
    ASSERT_EQ(4, n);
    ASSERT_EQ(1, su_word_errors("go forward ten meters", "go forward two meters", &n));
    ASSERT_EQ(1, su_word_errors("go forward ten meters", "go forward meters", &n));
    ASSERT_EQ(2, su_word_errors("go forward ten meters", "oh go forward ten meters now", &n));
    ASSERT_EQ(4, su_word_errors("go forward ten meters", "", &n));
}

int main(void)
{
    RUN(test_word_errors_levenshtein);
    RUN(test_librivox_wer_within_bound);
    return TEST_SUMMARY();
}
