/* command_accuracy.h: command sentence accuracy of the PocketSphinx engine
 * with tests/data/commands.jsgf on clips synthesised at test time, padded
 * with endpointer silence. Asserts >= 90% of sentences exactly right (the
 * full two-pass decision included: a clip routed to the LM counts as wrong).
 * Split over two test executables to stay inside ctest's 120 s. */
#ifndef WZ_COMMAND_ACCURACY_H
#define WZ_COMMAND_ACCURACY_H

#include "speech_test_util.h"

double stt_pocketsphinx_last_margin(const stt *s);

static inline void command_accuracy(const char *const *voices, size_t nvoices)
{
    wz_config cfg;
    config_init(&cfg);
    stt *s;
    char err[512];
    ASSERT_EQ(0, stt_create(&s, &cfg, err, sizeof err));
    char *j = su_slurp(su_data("commands.jsgf"));
    ASSERT_EQ(0, stt_set_grammar(s, j, err, sizeof err));
    char *txt = su_slurp(su_data("commands.txt"));
    int ok = 0, total = 0;
    for (size_t v = 0; v < nvoices; v++) {
        char *copy = strdup(txt), *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            int16_t *pcm;
            size_t n;
            ASSERT_EQ(0, su_synth(voices[v], line, &pcm, &n));
            /* Padded with endpointer silence, as the brain will see it. */
            size_t pn;
            int16_t *padded = su_pad(pcm, n, &pn);
            stt_result r;
            ASSERT_EQ(0, su_decode(s, padded, pn, &r));
            free(padded);
            bool right = strcmp(r.text, line) == 0;
            ok += right;
            total++;
            fprintf(stderr, "  %s %-6s %-7s margin %5.2f '%s'%s\n", right ? "ok " : "BAD", voices[v], r.pass,
                    stt_pocketsphinx_last_margin(s), r.text, right ? "" : " (wrong)");
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

#endif
