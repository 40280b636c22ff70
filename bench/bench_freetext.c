/* bench_freetext.c: spoken commands with free-text slots, end to end through
 * the PocketSphinx engine with the product grammar and the router.
 *
 *   build/bench/bench_freetext [--voices slt,awb,...] [--snr DB] [--group G] [WZ_SOURCE_DIR]
 *
 * Reads tests/data/speech_commands.tsv (text, kind, expected as in
 * router_cases.tsv), synthesises every line with each voice (Flite slt, awb,
 * rms, kal16; espeak-ng en-us and en+m3 by default), pads it as the
 * endpointer does (300 ms before, 600 ms after), optionally adds pink noise at
 * --snr dB, decodes it with stt (grammar from data/intents), applies the
 * brain's doubtful-chain rule and routes the transcript. Groups:
 *   freetext  commands with a query/fact slot: right tool, exact args, slot WER
 *   plain     other commands: exact args
 *   free      free-form requests (kind none): how many the grammar took, and
 *             how many were routed to a tool (both should be 0)
 * The slot WER counts a clip routed to the wrong tool as all slot words wrong.
 * One line per clip: verdict, group, voice, pass, the grammar's margin and
 * its worst carrier word's margin (stt_pocketsphinx.c), text, call; for an LM
 * win also the grammar's reading. Clips are decoded one after another on one
 * engine (the decoders' cepstral mean carries over), so compare runs made in
 * the same order.
 * Every line is first routed as text; a line whose text does not route as
 * labelled is a broken table and stops the bench. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/synth.h"
#include "../tests/unit/speech_test_util.h"
#include "app/config.h"
#include "brain/intents.h"
#include "brain/router.h"
#include "brain/stt.h"

double stt_pocketsphinx_last_margin(const stt *s);
double stt_pocketsphinx_last_word_margin(const stt *s);

/* The brain's rule (brain.c BRAIN_CHAIN_MIN_CONF): a chain read by the
 * grammar below this confidence is replaced by the LM text. */
#define CHAIN_MIN_CONF 0.83
#define LINES_MAX 128

typedef enum { G_FREETEXT, G_PLAIN, G_FREE, G_COUNT } group;
static const char *const group_names[G_COUNT] = {"freetext", "plain", "free"};

typedef struct {
    char text[256], tool[64];
    json_t *args; /* NULL for kind none */
    group g;
} line_t;

typedef struct {
    int n, grammar, tool_ok, exact, routed, slot_words, slot_errors;
} tally;

static int load_lines(const char *path, line_t *out, int max)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    char buf[1024];
    int n = 0;
    while (fgets(buf, sizeof buf, f) && n < max) {
        if (buf[0] == '#' || buf[0] == '\n')
            continue;
        buf[strcspn(buf, "\r\n")] = '\0';
        char *kind = strchr(buf, '\t'), *exp = kind ? strchr(kind + 1, '\t') : NULL;
        if (!exp)
            continue;
        *kind++ = '\0';
        *exp++ = '\0';
        line_t *l = &out[n++];
        wz_strlcpy(l->text, buf, sizeof l->text);
        wz_strlcpy(l->tool, kind, sizeof l->tool);
        json_error_t je;
        l->args = strcmp(kind, "none") == 0 ? NULL : json_loads(exp, 0, &je);
        l->g = !l->args ? G_FREE : (json_object_get(l->args, "query") || json_object_get(l->args, "fact"))
                                      ? G_FREETEXT : G_PLAIN;
    }
    fclose(f);
    return n;
}

/* The free-text value of args ("" if none). */
static const char *slot_text(const json_t *args)
{
    const json_t *v = json_object_get(args, "query");
    if (!v)
        v = json_object_get(args, "fact");
    return json_is_string(v) ? json_string_value(v) : "";
}

static bool routes_as(const router *r, const char *text, const line_t *l, router_result *res)
{
    router_route(r, text, res);
    if (!l->args)
        return res->kind == ROUTER_NONE;
    return res->kind == ROUTER_TOOLS && res->ncalls == 1 && strcmp(res->calls[0].tool, l->tool) == 0 &&
           json_equal(res->calls[0].args, l->args);
}

static int16_t *speak(const char *voice, const char *text, int *n)
{
    static const char *const flite_voices[] = {"slt", "awb", "rms", "kal16"};
    for (size_t i = 0; i < WZ_ARRAY_LEN(flite_voices); i++)
        if (strcmp(voice, flite_voices[i]) == 0)
            return synth_flite(voice, text, 1.0f, n);
    return synth_espeak(voice, 165, text, n);
}

static void decode_line(stt *s, const router *r, const char *voice, float snr, const line_t *l, tally *t)
{
    int n = 0;
    int16_t *pcm = speak(voice, l->text, &n);
    if (!pcm) {
        fprintf(stderr, "synthesis failed: %s '%s'\n", voice, l->text);
        exit(1);
    }
    size_t pn;
    int16_t *padded = su_pad(pcm, (size_t)n, &pn);
    if (snr > -100)
        synth_add_noise(padded, (int)pn, synth_active_power(pcm, n), snr, 1, (uint32_t)(n + 7));
    stt_result res;
    if (su_decode(s, padded, pn, &res) != 0) {
        fprintf(stderr, "decode failed\n");
        exit(1);
    }
    router_result rr;
    router_route(r, res.text, &rr);
    if (strcmp(res.pass, "grammar") == 0 && res.confidence < CHAIN_MIN_CONF && rr.ncalls > 1) {
        router_result_clear(&rr);
        wz_strlcpy(res.text, res.alt_text, sizeof res.text);
        wz_strlcpy(res.pass, "lm", sizeof res.pass);
        router_route(r, res.text, &rr);
    }
    t->n++;
    t->grammar += strcmp(res.pass, "grammar") == 0;
    t->routed += rr.kind != ROUTER_NONE;
    bool tool_ok = l->args && rr.kind == ROUTER_TOOLS && rr.ncalls == 1 && strcmp(rr.calls[0].tool, l->tool) == 0;
    bool exact = tool_ok && json_equal(rr.calls[0].args, l->args);
    t->tool_ok += tool_ok;
    t->exact += exact;
    if (l->g == G_FREETEXT) {
        int nref, e = su_word_errors(slot_text(l->args), tool_ok ? slot_text(rr.calls[0].args) : "", &nref);
        t->slot_words += nref;
        t->slot_errors += e;
    }
    char *got = rr.ncalls ? json_dumps(rr.calls[0].args, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    const char *verdict = l->g == G_FREE ? (rr.kind == ROUTER_NONE ? "ok  " : "BAD ") : exact ? "ok  " : tool_ok ? "tool" : "BAD ";
    printf("%s %-8s %-6s %-7s %5.2f %5.2f '%s' -> %s %s", verdict, group_names[l->g], voice, res.pass,
           stt_pocketsphinx_last_margin(s), stt_pocketsphinx_last_word_margin(s), res.text, rr.ncalls ? rr.calls[0].tool : rr.kind == ROUTER_CONTROL ? "control" : "-",
           got ? got : "");
    if (strcmp(res.pass, "lm") == 0 && res.alt_text[0])
        printf(" (grammar: '%s')", res.alt_text);
    printf("\n");
    fflush(stdout);
    free(got);
    router_result_clear(&rr);
    free(padded);
    free(pcm);
}

int main(int argc, char **argv)
{
    const char *src = ".", *voices_arg = "slt,awb,rms,kal16,en-us,en+m3", *only = NULL;
    float snr = -1000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--voices") == 0 && i + 1 < argc)
            voices_arg = argv[++i];
        else if (strcmp(argv[i], "--snr") == 0 && i + 1 < argc)
            snr = (float)atof(argv[++i]);
        else if (strcmp(argv[i], "--group") == 0 && i + 1 < argc)
            only = argv[++i];
        else
            src = argv[i];
    }
    char path[1024], err[512];
    static line_t lines[LINES_MAX];
    snprintf(path, sizeof path, "%s/tests/data/speech_commands.tsv", src);
    int nl = load_lines(path, lines, LINES_MAX);
    snprintf(path, sizeof path, "%s/data/intents", src);
    router *r = NULL;
    if (router_create(&r, path, err, sizeof err) != WZ_OK) {
        fprintf(stderr, "router: %s\n", err);
        return 2;
    }
    for (int i = 0; i < nl; i++) {
        router_result rr;
        bool ok = routes_as(r, lines[i].text, &lines[i], &rr);
        router_result_clear(&rr);
        if (!ok) {
            fprintf(stderr, "speech_commands.tsv: '%s' does not route as labelled\n", lines[i].text);
            return 2;
        }
    }
    wz_config cfg;
    config_init(&cfg);
    stt *s = NULL;
    if (stt_create(&s, &cfg, err, sizeof err) != WZ_OK) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    char *jsgf = intents_to_jsgf(router_intents(r));
    if (!jsgf || stt_set_grammar(s, jsgf, err, sizeof err) != WZ_OK) {
        fprintf(stderr, "grammar: %s\n", err);
        return 2;
    }
    free(jsgf);
    tally t[G_COUNT] = {0};
    char *voices = strdup(voices_arg), *save = NULL;
    int64_t t0 = wz_now_ns();
    for (char *v = strtok_r(voices, ",", &save); v; v = strtok_r(NULL, ",", &save))
        for (int i = 0; i < nl; i++)
            if (!only || strcmp(only, group_names[lines[i].g]) == 0)
                decode_line(s, r, v, snr, &lines[i], &t[lines[i].g]);
    printf("\nvoices %s, %s, %.0f s\n", voices_arg, snr > -100 ? "pink noise" : "clean",
           (double)(wz_now_ns() - t0) / 1e9);
    if (snr > -100)
        printf("SNR %.0f dB\n", snr);
    printf("| group | clips | grammar pass | right tool | exact args | slot WER | routed to a tool |\n"
           "|---|---|---|---|---|---|---|\n");
    for (int g = 0; g < G_COUNT; g++) {
        if (!t[g].n)
            continue;
        char wer[32] = "-";
        if (g == G_FREETEXT)
            snprintf(wer, sizeof wer, "%.1f%%", 100.0 * t[g].slot_errors / WZ_MAX(t[g].slot_words, 1));
        printf("| %s | %d | %d | %s | %s | %s | %d |\n", group_names[g], t[g].n, t[g].grammar,
               g == G_FREE ? "-" : (snprintf(path, 32, "%d", t[g].tool_ok), path),
               g == G_FREE ? "-" : (snprintf(err, 32, "%d", t[g].exact), err), wer, t[g].routed);
    }
    free(voices);
    stt_destroy(s);
    router_destroy(r);
    for (int i = 0; i < nl; i++)
        json_decref(lines[i].args);
    return 0;
}
