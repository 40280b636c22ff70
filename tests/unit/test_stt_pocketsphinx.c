/* test_stt_pocketsphinx.c: the PocketSphinx engine on real and synthetic
 * speech: creation errors, streaming order, cancel, grammar vs LM decision,
 * grammar words missing from the dictionary. */
#define WZ_TEST_TIMEOUT_S 100
#include "wz_test.h"

#include "brain/flite_glue.h"
#include "speech_test_util.h"

#define GOFORWARD "/usr/share/pocketsphinx/test/data/goforward.raw"

double stt_pocketsphinx_last_margin(const stt *s);

static stt *make(bool grammar)
{
    char err[512];
    stt *s = su_stt(grammar, err, sizeof err);
    if (!s)
        TEST_FAIL_AT("%s", err);
    return s;
}

static int16_t *read_raw(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ASSERT_TRUE(f != NULL);
    int16_t *b = malloc(16000 * 2 * 30);
    *n = fread(b, 2, 16000 * 30, f);
    fclose(f);
    return b;
}

static void test_missing_model_names_engine_and_key(void)
{
    wz_config cfg;
    config_init(&cfg);
    wz_strlcpy(cfg.stt_hmm, "/nonexistent/hmm", sizeof cfg.stt_hmm);
    stt *s = (stt *)1;
    char err[512] = "";
    ASSERT_NE(0, stt_create(&s, &cfg, err, sizeof err));
    ASSERT_TRUE(s == NULL);
    ASSERT_CONTAINS(err, "pocketsphinx");
    ASSERT_CONTAINS(err, "/nonexistent/hmm");
    ASSERT_CONTAINS(err, "stt.hmm");
}

static void test_unknown_engine_is_config_error(void)
{
    wz_config cfg;
    config_init(&cfg);
    wz_strlcpy(cfg.stt_engine, "vosk", sizeof cfg.stt_engine);
    stt *s;
    char err[512] = "";
    ASSERT_EQ(WZ_CONFIG, stt_create(&s, &cfg, err, sizeof err));
    ASSERT_CONTAINS(err, "vosk");
    ASSERT_CONTAINS(err, "stt.engine");
}

static void test_goforward_general_pass(void)
{
    stt *s = make(false);
    size_t n;
    int16_t *pcm = read_raw(GOFORWARD, &n);
    stt_result r;
    ASSERT_EQ(0, su_decode(s, pcm, n, &r));
    fprintf(stderr, "  lm: '%s' conf %.2f\n", r.text, r.confidence);
    ASSERT_STREQ("lm", r.pass);
    int nref, e = su_word_errors("go forward ten meters", r.text, &nref);
    ASSERT_LE(e, 1); /* measured: 0 errors */
    free(pcm);
    stt_destroy(s);
}

static void test_goforward_grammar_pass_wins(void)
{
    stt *s = make(true);
    size_t n;
    int16_t *pcm = read_raw(GOFORWARD, &n);
    stt_result r;
    ASSERT_EQ(0, su_decode(s, pcm, n, &r));
    fprintf(stderr, "  '%s' pass %s conf %.2f margin %.3f\n", r.text, r.pass, r.confidence,
            stt_pocketsphinx_last_margin(s));
    ASSERT_STREQ("go forward ten meters", r.text);
    ASSERT_STREQ("grammar", r.pass);
    free(pcm);
    stt_destroy(s);
}

/* Streaming: decoding happens during feed (a partial exists before finish),
 * and finish yields the final text after the last feed. */
static void test_streaming_decodes_during_feed(void)
{
    stt *s = make(true);
    size_t n;
    int16_t *pcm = read_raw(GOFORWARD, &n);
    ASSERT_EQ(0, stt_begin(s));
    char part[256] = "";
    for (size_t i = 0; i < n; i += 320)
        ASSERT_EQ(0, stt_feed(s, pcm + i, WZ_MIN(320, n - i)));
    ASSERT_EQ(0, stt_partial(s, part, sizeof part));
    fprintf(stderr, "  partial before finish: '%s'\n", part);
    ASSERT_CONTAINS(part, "forward");
    stt_result r;
    ASSERT_EQ(0, stt_finish(s, &r));
    ASSERT_STREQ("go forward ten meters", r.text);
    free(pcm);
    stt_destroy(s);
}

static void test_cancel_mid_utterance_then_reuse(void)
{
    stt *s = make(true);
    size_t n;
    int16_t *pcm = read_raw(GOFORWARD, &n);
    ASSERT_EQ(0, stt_begin(s));
    ASSERT_EQ(0, stt_feed(s, pcm, n / 2));
    stt_cancel(s);
    ASSERT_EQ(WZ_CANCELED, stt_feed(s, pcm + n / 2, 320));
    stt_result r;
    ASSERT_EQ(WZ_CANCELED, stt_finish(s, &r));
    ASSERT_STREQ("", r.text);
    /* The next utterance is unaffected by the abandoned one. */
    ASSERT_EQ(0, su_decode(s, pcm, n, &r));
    ASSERT_STREQ("go forward ten meters", r.text);
    free(pcm);
    stt_destroy(s);
}

/* Free-form requests must not be forced into the grammar, also with the
 * leading and trailing silence a real endpointer leaves. */
static void test_out_of_grammar_goes_to_lm(void)
{
    stt *s = make(true);
    char *txt = su_slurp(su_data("free_requests.txt"));
    int lm = 0, total = 0;
    for (char *line = strtok(txt, "\n"); line; line = strtok(NULL, "\n")) {
        int16_t *pcm;
        size_t n;
        ASSERT_EQ(0, su_synth("slt", line, &pcm, &n));
        stt_result r;
        ASSERT_EQ(0, su_decode(s, pcm, n, &r));
        fprintf(stderr, "  %-7s margin %6.3f '%s'\n", r.pass, stt_pocketsphinx_last_margin(s), r.text);
        lm += strcmp(r.pass, "lm") == 0;
        total++;
        size_t pn;
        int16_t *padded = su_pad(pcm, n, &pn);
        ASSERT_EQ(0, su_decode(s, padded, pn, &r));
        fprintf(stderr, "  padded: %-7s margin %6.3f '%s'\n", r.pass, stt_pocketsphinx_last_margin(s), r.text);
        lm += strcmp(r.pass, "lm") == 0;
        total++;
        free(padded);
        free(pcm);
    }
    ASSERT_EQ(total, lm);
    free(txt);
    stt_destroy(s);
}

/* stt_heard mid-utterance takes the reading stt_finish takes: the grammar's
 * command when it wins, nothing for a request the grammar does not hold. */
static void test_heard_agrees_with_finish(void)
{
    stt *s = make(true);
    size_t n;
    int16_t *pcm = read_raw(GOFORWARD, &n);
    char text[256];
    ASSERT_EQ(0, stt_begin(s));
    ASSERT_EQ(0, stt_feed(s, pcm, n));
    ASSERT_EQ(1, su_heard(s, text, sizeof text));
    ASSERT_STREQ("go forward ten meters", text);
    stt_result r;
    ASSERT_EQ(0, stt_finish(s, &r));
    ASSERT_STREQ(text, r.text);
    free(pcm);

    char *txt = su_slurp(su_data("free_requests.txt"));
    char *line = strtok(txt, "\n");
    ASSERT_EQ(0, su_synth("slt", line, &pcm, &n));
    ASSERT_EQ(0, stt_begin(s));
    ASSERT_EQ(0, stt_feed(s, pcm, n));
    int said = su_heard(s, text, sizeof text);
    ASSERT_EQ(0, stt_finish(s, &r));
    fprintf(stderr, "  '%s': heard %d, finish took the %s pass\n", line, said, r.pass);
    ASSERT_STREQ("lm", r.pass);
    ASSERT_EQ(0, said);
    free(pcm);
    free(txt);
    stt_destroy(s);

    s = make(false); /* no grammar: it cannot tell */
    ASSERT_EQ(0, stt_begin(s));
    ASSERT_EQ(WZ_UNSUPP, su_heard(s, text, sizeof text));
    stt_destroy(s);
}

static void test_grammar_word_missing_from_dict_gets_flite_pronunciation(void)
{
    char ph[128];
    ASSERT_EQ(0, flite_glue_pronounce("zorblax", ph, sizeof ph));
    fprintf(stderr, "  zorblax -> %s\n", ph);
    ASSERT_CONTAINS(ph, "Z");
    stt *s = make(false);
    char err[256];
    int rc = stt_set_grammar(s, "#JSGF V1.0;\ngrammar g;\npublic <c> = open zorblax | stop;\n", err, sizeof err);
    if (rc)
        TEST_FAIL_AT("%s", err);
    stt_destroy(s);
}

static void test_bad_grammar_is_rejected(void)
{
    stt *s = make(false);
    char err[256] = "";
    ASSERT_NE(0, stt_set_grammar(s, "#JSGF V1.0;\ngrammar g;\npublic <c> = (open | ;\n", err, sizeof err));
    ASSERT_TRUE(err[0] != '\0');
    stt_destroy(s);
}

int main(void)
{
    RUN(test_missing_model_names_engine_and_key);
    RUN(test_unknown_engine_is_config_error);
    RUN(test_goforward_general_pass);
    RUN(test_goforward_grammar_pass_wins);
    RUN(test_streaming_decodes_during_feed);
    RUN(test_cancel_mid_utterance_then_reuse);
    RUN(test_out_of_grammar_goes_to_lm);
    RUN(test_heard_agrees_with_finish);
    RUN(test_grammar_word_missing_from_dict_gets_flite_pronunciation);
    RUN(test_bad_grammar_is_rejected);
    return TEST_SUMMARY();
}
