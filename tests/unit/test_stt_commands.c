/* test_stt_commands.c: command sentence accuracy of the PocketSphinx engine
 * with the test grammar, on clips synthesised at test time with four Flite
 * voices and espeak-ng. Asserts >= 90% of sentences exactly right (the full
 * two-pass decision included: a clip routed to the LM counts as wrong). */
#define WZ_TEST_TIMEOUT_S 300 /* ctest caps it at 120; the alarm is for slow ASan runs by hand */
#include "wz_test.h"

#include "speech_test_util.h"

double stt_pocketsphinx_last_fit(const stt *s);

static void test_command_sentence_accuracy(void)
{
    wz_config cfg;
    config_init(&cfg);
    stt *s;
    char err[512];
    ASSERT_EQ(0, stt_create(&s, &cfg, err, sizeof err));
    char *j = su_slurp(su_data("commands.jsgf"));
    ASSERT_EQ(0, stt_set_grammar(s, j, err, sizeof err));
    char *txt = su_slurp(su_data("commands.txt"));
    const char *voices[] = {"slt", "awb", "rms", "kal16", "espeak"};
    int ok = 0, total = 0;
    for (size_t v = 0; v < WZ_ARRAY_LEN(voices); v++) {
        char *copy = strdup(txt), *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            int16_t *pcm;
            size_t n;
            ASSERT_EQ(0, su_synth(voices[v], line, &pcm, &n));
            stt_result r;
            ASSERT_EQ(0, su_decode(s, pcm, n, &r));
            bool right = strcmp(r.text, line) == 0;
            ok += right;
            total++;
            fprintf(stderr, "  %s %-6s %-7s fit %5.2f '%s'%s\n", right ? "ok " : "BAD", voices[v], r.pass,
                    stt_pocketsphinx_last_fit(s), r.text, right ? "" : " (wrong)");
            free(pcm);
        }
        free(copy);
    }
    fprintf(stderr, "  command sentence accuracy: %d/%d = %.1f%%\n", ok, total, 100.0 * ok / total);
    ASSERT_GE(100.0 * ok / total, 90.0);
    free(txt);
    free(j);
    stt_destroy(s);
}

int main(void)
{
    RUN(test_command_sentence_accuracy);
    return TEST_SUMMARY();
}
