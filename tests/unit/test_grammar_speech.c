/* test_grammar_speech.c: the JSGF grammar and the router agree on real
 * recognition. Sentences are synthesised with espeak-ng (16 kHz via sox),
 * decoded by PocketSphinx with the grammar exported from data/intents, and
 * the hypothesis is routed. Every hypothesis the grammar produces must be
 * routable (the grammar never hears what the router cannot parse), and
 * the recognised request must give the expected tool and arguments. */
#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>

#include "brain/router.h"
#include "tools_fixture.h"
#include "slot_fillers.h"

static const struct { const char *say, *tool, *args; } cases[] = {
    {"set a timer for five minutes", "timer_start", "{\"seconds\":300}"},
    {"set a timer for two minutes and thirty seconds", "timer_start", "{\"seconds\":150}"},
    {"what time is it", "get_time", "{}"},
    {"what's the date today", "get_date", "{}"},
    {"pause the music", "media", "{\"action\":\"pause\"}"},
    {"next song", "media", "{\"action\":\"next\"}"},
    {"turn the volume up", "volume", "{\"action\":\"up\"}"},
    {"set the volume to fifty percent", "volume", "{\"action\":\"set\",\"level\":50}"},
    {"what's the weather tomorrow", "weather", "{\"day\":\"tomorrow\"}"},
    {"cancel all timers", "timer_cancel", "{}"},
    {"what is seven times eight", "calculate", "{\"expression\":\"seven times eight\"}"},
    {"open firefox", "open", "{\"target\":\"firefox\"}"},
    {"how much time is left on my timer", "timer_status", "{}"},
    {"how is the system doing", "system_info", "{}"},
};

/* The hypothesis with slot marks dropped ("search for _the _car" ->
 * "search for the car"): what the engine's splice would give if the general
 * pass agreed with the fillers. */
static void drop_marks(char *h)
{
    char *o = h;
    for (const char *p = h; *p; p++)
        if (!(*p == '_' && (p == h || p[-1] == ' ')))
            *o++ = *p;
    *o = '\0';
}

static char *decode(ps_decoder_t *ps, const char *say)
{
    char cmd[1024], raw[512];
    snprintf(raw, sizeof raw, "%s/say.raw", fx_dir);
    snprintf(cmd, sizeof cmd,
             "espeak-ng -v en-us --stdout \"%s\" | sox -t wav - -r 16000 -c 1 -b 16 -e signed -t raw '%s'", say, raw);
    if (fx_sh(cmd, NULL, 0) != 0) TEST_FAIL_AT("synthesis failed: %s", cmd);
    FILE *f = fopen(raw, "rb");
    ASSERT_TRUE(f != NULL);
    int16_t buf[2048];
    size_t n;
    ps_start_utt(ps);
    while ((n = fread(buf, 2, WZ_ARRAY_LEN(buf), f)) > 0) ps_process_raw(ps, buf, n, FALSE, FALSE);
    ps_end_utt(ps);
    fclose(f);
    int32 score;
    const char *hyp = ps_get_hyp(ps, &score);
    char *h = strdup(hyp ? hyp : "");
    drop_marks(h);
    return h;
}

static void test_recognised_commands_route_as_expected(void)
{
    const char *hmm = "/usr/share/pocketsphinx/model/en-us/en-us";
    const char *dict = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
    if (access(dict, R_OK) != 0 || fx_sh("command -v espeak-ng >/dev/null && command -v sox >/dev/null", NULL, 0)) {
        fprintf(stderr, "  SKIP: needs pocketsphinx-en-us, espeak-ng and sox\n");
        return;
    }
    fx_tools(NULL) ? (void)0 : (void)0; /* temp folder */
    char dir[1024], err[256];
    snprintf(dir, sizeof dir, "%s/data/intents", getenv("WZ_SOURCE_DIR"));
    router *r = NULL;
    if (router_create(&r, dir, err, sizeof err)) TEST_FAIL_AT("%s", err);
    const intents *it = router_intents(r);
    cmd_ln_t *cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-dict", dict, "-logfn", "/dev/null", NULL);
    ps_decoder_t *ps = ps_init(cfg);
    ASSERT_TRUE(ps != NULL);
    for (size_t i = 0; i < intents_pron_count(it); i++) {
        const char *w, *ph;
        intents_pron(it, i, &w, &ph);
        ps_add_word(ps, w, ph, 1);
    }
    char *g = intents_to_jsgf(it);
    test_add_slot_fillers(ps, g);
    ASSERT_EQ(0, ps_set_jsgf_string(ps, "commands", g));
    ASSERT_EQ(0, ps_set_search(ps, "commands"));
    free(g);
    int right = 0, unroutable = 0;
    for (size_t i = 0; i < WZ_ARRAY_LEN(cases); i++) {
        char *hyp = decode(ps, cases[i].say);
        router_result res;
        router_route(r, hyp, &res);
        char *got = res.ncalls == 1 ? json_dumps(res.calls[0].args, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
        json_error_t je;
        json_t *want = json_loads(cases[i].args, 0, &je);
        char *wants = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT);
        bool ok = res.ncalls == 1 && strcmp(res.calls[0].tool, cases[i].tool) == 0 && strcmp(got, wants) == 0;
        if (hyp[0] && res.kind == ROUTER_NONE) unroutable++;
        right += ok;
        fprintf(stderr, "  %s \"%s\" -> \"%s\" -> %s %s\n", ok ? "ok  " : "MISS", cases[i].say, hyp,
                res.ncalls ? res.calls[0].tool : "(none)", got ? got : "");
        free(got);
        free(wants);
        json_decref(want);
        router_result_clear(&res);
        free(hyp);
    }
    fprintf(stderr, "  %d of %zu recognised and routed as expected\n", right, WZ_ARRAY_LEN(cases));
    ASSERT_EQ(0, unroutable);       /* the grammar never outruns the router */
    /* Recognition of one synthetic voice is not perfect (measured 11 of 14:
     * "seven" heard as "two", "next song" as a free-text "note that ...");
     * the routing of whatever is heard must be. */
    ASSERT_GE(right, 10);
    ps_free(ps);
    cmd_ln_free_r(cfg);
    router_destroy(r);
}

int main(void)
{
    RUN(test_recognised_commands_route_as_expected);
    return TEST_SUMMARY();
}
