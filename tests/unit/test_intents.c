/* test_intents.c: spoken numbers, durations, the calculator, template syntax
 * and the JSGF grammar exported for PocketSphinx. */
#include <math.h>
#include <stdbool.h>
#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brain/calc.h"
#include "brain/intents.h"
#include "brain/numwords.h"
#include "wz_test.h"
#include "slot_fillers.h"

static size_t split(char *s, const char **words)
{
    size_t n = 0;
    for (char *save = NULL, *w = strtok_r(s, " ", &save); w; w = strtok_r(NULL, " ", &save)) words[n++] = w;
    return n;
}

static double num(const char *text, int *ok)
{
    char buf[256];
    const char *w[32];
    snprintf(buf, sizeof buf, "%s", text);
    double v = -1;
    *ok = numwords_parse(w, split(buf, w), &v);
    return v;
}

static long dur(const char *text)
{
    char buf[256];
    const char *w[32];
    snprintf(buf, sizeof buf, "%s", text);
    long s = -1;
    return numwords_duration(w, split(buf, w), &s) ? s : -1;
}

static void test_spoken_numbers(void)
{
    int ok;
    ASSERT_EQ(105, num("one hundred and five", &ok));
    ASSERT_TRUE(ok);
    ASSERT_EQ(25, num("twenty five", &ok));
    ASSERT_EQ(100, num("a hundred", &ok));
    ASSERT_EQ(2001, num("two thousand and one", &ok));
    ASSERT_EQ(1234567, num("one million two hundred thirty four thousand five hundred sixty seven", &ok));
    ASSERT_TRUE(ok);
    ASSERT_EQ(150, num("150", &ok));
    ASSERT_EQ(1000, num("1,000", &ok));
    ASSERT_TRUE(fabs(num("two point five", &ok) - 2.5) < 1e-9);
    ASSERT_TRUE(fabs(num("2.5", &ok) - 2.5) < 1e-9);
    ASSERT_EQ(0, num("zero", &ok));
    ASSERT_TRUE(ok);
}

static void test_non_numbers_rejected(void)
{
    static const char *bad[] = {"one two", "and five", "five and", "a", "hundred hundred",
                                "twenty twenty", "thousand million", "banana", "1.2.3", "point five",
                                "twenty zero", "five 5"};
    for (size_t i = 0; i < WZ_ARRAY_LEN(bad); i++) {
        int ok;
        num(bad[i], &ok);
        if (ok) TEST_FAIL_AT("\"%s\" parsed as a number", bad[i]);
    }
}

static void test_durations(void)
{
    ASSERT_EQ(150, dur("two minutes and thirty seconds"));
    ASSERT_EQ(5400, dur("an hour and a half"));
    ASSERT_EQ(1800, dur("half an hour"));
    ASSERT_EQ(90, dur("one and a half minutes"));
    ASSERT_EQ(3725, dur("1 hour 2 minutes and 5 seconds"));
    ASSERT_EQ(60, dur("a minute"));
    ASSERT_EQ(3600, dur("an hour"));
    /* a bare unit is no duration: "set a timer for ... five minutes" must not be
       heard as "set a timer for hour" at the pause */
    ASSERT_EQ(-1, dur("hour"));
    ASSERT_EQ(-1, dur("five"));
    ASSERT_EQ(-1, dur("minutes"));
    ASSERT_EQ(-1, dur("five minutes and"));
    ASSERT_EQ(-1, dur("zero seconds"));
}

static void test_duration_formatting(void)
{
    char buf[64];
    numwords_format_duration(150, false, buf, sizeof buf);
    ASSERT_STREQ("2 minutes and 30 seconds", buf);
    numwords_format_duration(3661, false, buf, sizeof buf);
    ASSERT_STREQ("1 hour, 1 minute and 1 second", buf);
    numwords_format_duration(300, true, buf, sizeof buf);
    ASSERT_STREQ("5 minute", buf);
    numwords_format_duration(5400, true, buf, sizeof buf);
    ASSERT_STREQ("1 hour 30 minute", buf);
}

static double calc(const char *e)
{
    double v = NAN;
    char err[64];
    if (calc_eval(e, &v, err, sizeof err)) TEST_FAIL_AT("calc \"%s\": %s", e, err);
    return v;
}

static void test_calculator(void)
{
    ASSERT_EQ(56, calc("seven times eight"));
    ASSERT_EQ(9, calc("square root of 81"));
    ASSERT_EQ(12, calc("15 percent of 80"));
    ASSERT_EQ(1024, calc("two to the power of ten"));
    ASSERT_EQ(7, calc("1 + 2 * 3"));
    ASSERT_EQ(9, calc("(1 + 2) * 3"));
    ASSERT_EQ(-3, calc("minus three"));
    ASSERT_EQ(25, calc("five squared"));
    ASSERT_EQ(63, calc("one hundred minus thirty seven"));
    ASSERT_EQ(3, calc("12 divided by 4"));
    ASSERT_EQ(2, calc("10 - 4 - 4")); /* left associative */
    char buf[32];
    calc_format(1.0 / 3, buf, sizeof buf);
    ASSERT_STREQ("0.3333", buf);
    calc_format(56, buf, sizeof buf);
    ASSERT_STREQ("56", buf);
}

static void test_calculator_errors(void)
{
    double v;
    char err[64];
    ASSERT_EQ(WZ_INVAL, calc_eval("1 / 0", &v, err, sizeof err));
    ASSERT_STREQ("division by zero", err);
    ASSERT_EQ(WZ_INVAL, calc_eval("square root of minus four", &v, err, sizeof err));
    ASSERT_EQ(WZ_INVAL, calc_eval("the capital of france", &v, err, sizeof err));
    ASSERT_EQ(WZ_INVAL, calc_eval("2 +", &v, err, sizeof err));
    ASSERT_EQ(WZ_INVAL, calc_eval("", &v, err, sizeof err));
    ASSERT_EQ(WZ_INVAL, calc_eval("10 ^ 1000", &v, err, sizeof err)); /* not finite */
    char deep[200] = "";
    for (int i = 0; i < 60; i++) strcat(deep, "(");
    ASSERT_EQ(WZ_INVAL, calc_eval(deep, &v, err, sizeof err));
}

static void test_template_syntax_errors(void)
{
    static const char *bad[] = {
        "hello\n",                            /* template before @intent */
        "@intent a b\nset [the timer\n",      /* missing ] */
        "@intent a b\nset (x|y\n",            /* missing ) */
        "@intent a b\n{x:colour}\n",          /* unknown slot type */
        "@intent a b\n[maybe]\n",             /* can match empty text */
        "@intent a b\nHello\n",               /* upper case */
        "@intent a b\n@intent a c\n",         /* duplicate */
        "@bogus\n",                           /* unknown directive */
        "@intent a b\n(a|b) (c|d) (e|f) (g|h) (i|j) (k|l) (m|n) (o|p) (q|r) (s|t)\n", /* 1024 */
    };
    for (size_t i = 0; i < WZ_ARRAY_LEN(bad); i++) {
        intents *it = NULL;
        char err[160] = "";
        if (intents_load_string(bad[i], "t", &it, err, sizeof err) == WZ_OK)
            TEST_FAIL_AT("accepted bad template %zu: %s", i, bad[i]);
        ASSERT_TRUE(it == NULL);
        ASSERT_CONTAINS(err, "t:");
    }
}

static void test_template_slots_and_args(void)
{
    intents *it = NULL;
    char err[160];
    ASSERT_EQ(0, intents_load_string("@intent vol volume\n@arg action set\n@arg step 5\n"
                                     "set [the] (volume|sound) to {level:percent}\n",
                                     "t", &it, err, sizeof err));
    intents_match m;
    ASSERT_TRUE(intents_match_text(it, "set the sound to 40 percent", &m));
    char *s = json_dumps(m.args, JSON_SORT_KEYS | JSON_COMPACT);
    ASSERT_STREQ("{\"action\":\"set\",\"level\":40,\"step\":5}", s);
    free(s);
    json_decref(m.args);
    ASSERT_TRUE(!intents_match_text(it, "set the sound to 140 percent", &m)); /* percent is 0-100 */
    ASSERT_TRUE(!intents_match_text(it, "set the sound", &m));
    intents_free(it);
}

static intents *load_data(void)
{
    char dir[1024], err[256];
    snprintf(dir, sizeof dir, "%s/data/intents", getenv("WZ_SOURCE_DIR"));
    intents *it = NULL;
    if (intents_load_dir(dir, &it, err, sizeof err)) TEST_FAIL_AT("load: %s", err);
    return it;
}

static void test_jsgf_shape(void)
{
    intents *it = load_data();
    char *g = intents_to_jsgf(it);
    ASSERT_TRUE(g != NULL);
    ASSERT_CONTAINS(g, "#JSGF V1.0;");
    ASSERT_CONTAINS(g, "public <command> = <one> (<conj> <one>)* | <control> | [<prefix>] <freetext>;");
    ASSERT_CONTAINS(g, "<control> = <i_control_stop> | ");
    ASSERT_CONTAINS(g, "<i_timer_start> = ");
    ASSERT_TRUE(strchr(g, '{') == NULL); /* every slot became a rule or was left out */
    /* Free-text templates stand alone, their slot a loop of slot fillers;
     * a typed slot named like a rule keeps its rule (timer names). */
    ASSERT_TRUE(strstr(g, "<i_web_search>") == NULL);
    ASSERT_CONTAINS(g, "<freetext> = <t_remember> | <t_recall> | <t_forget> | <t_web_search>;");
    ASSERT_CONTAINS(g, "<t_web_search> = (search|look up) (the web|online|the internet) for <text> | ");
    ASSERT_CONTAINS(g, "<t_forget> = forget (that|about) <text> | ");
    ASSERT_CONTAINS(g, "<i_recall> = what do you (remember|know) [about me] | ");
    ASSERT_CONTAINS(g, "(set|start|create|make) [a|an] timer for <duration> (called|named) <name>");
    ASSERT_CONTAINS(g, "<text> = (<textword1> | <textword2>)+;");
    ASSERT_CONTAINS(g, "<textword1> = _the | _to | ");
    free(g);
    intents_free(it);
}

/* Every word the grammar can produce must be in the recogniser's dictionary. */
static void test_jsgf_words_in_dictionary(void)
{
    const char *dict = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
    FILE *f = fopen(dict, "r");
    if (!f) {
        fprintf(stderr, "  SKIP: %s not installed\n", dict);
        return;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *d = malloc((size_t)size + 2);
    d[0] = '\n';
    size_t got = fread(d + 1, 1, (size_t)size, f);
    d[got + 1] = 0;
    fclose(f);
    intents *it = load_data();
    char *g = intents_to_jsgf(it);
    int missing = 0;
    for (char *save = NULL, *w = strtok_r(strchr(g, '\n'), " \n\t;=|()[]*+", &save); w;
         w = strtok_r(NULL, " \n\t;=|()[]*+", &save)) {
        if (w[0] == '<' || strcmp(w, "grammar") == 0 || strcmp(w, "wyzer") == 0 || strcmp(w, "public") == 0)
            continue;
        char key[128];
        snprintf(key, sizeof key, "\n%s ", w[0] == '_' ? w + 1 : w); /* a slot filler sounds like the word */
        bool pron = false;
        for (size_t i = 0; i < intents_pron_count(it); i++) {
            const char *pw, *ph;
            intents_pron(it, i, &pw, &ph);
            pron |= strcmp(pw, w) == 0;
        }
        if (!strstr(d, key) && !pron) {
            fprintf(stderr, "  not in dictionary: %s\n", w);
            missing++;
        }
    }
    ASSERT_EQ(0, missing);
    free(g);
    free(d);
    intents_free(it);
}

/* The grammar really loads into PocketSphinx. */
static void test_jsgf_loads_in_pocketsphinx(void)
{
    const char *hmm = "/usr/share/pocketsphinx/model/en-us/en-us";
    const char *dict = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
    FILE *f = fopen(dict, "r");
    if (!f) {
        fprintf(stderr, "  SKIP: pocketsphinx model not installed\n");
        return;
    }
    fclose(f);
    cmd_ln_t *cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-dict", dict, "-logfn", "/dev/null", NULL);
    ASSERT_TRUE(cfg != NULL);
    ps_decoder_t *ps = ps_init(cfg);
    ASSERT_TRUE(ps != NULL);
    intents *it = load_data();
    for (size_t i = 0; i < intents_pron_count(it); i++) {
        const char *w, *ph;
        intents_pron(it, i, &w, &ph);
        ASSERT_TRUE(ps_add_word(ps, w, ph, 1) >= 0);
    }
    char *g = intents_to_jsgf(it);
    test_add_slot_fillers(ps, g); /* "_the" as the speech engine adds them */
    ASSERT_EQ(0, ps_set_jsgf_string(ps, "commands", g));
    ASSERT_EQ(0, ps_set_search(ps, "commands"));
    free(g);
    intents_free(it);
    ps_free(ps);
    cmd_ln_free_r(cfg);
}

int main(void)
{
    RUN(test_spoken_numbers);
    RUN(test_non_numbers_rejected);
    RUN(test_durations);
    RUN(test_duration_formatting);
    RUN(test_calculator);
    RUN(test_calculator_errors);
    RUN(test_template_syntax_errors);
    RUN(test_template_slots_and_args);
    RUN(test_jsgf_shape);
    RUN(test_jsgf_words_in_dictionary);
    RUN(test_jsgf_loads_in_pocketsphinx);
    return TEST_SUMMARY();
}
