/* bench_router.c: router latency per request over the spec table
 * (tests/data/router_cases.tsv): every phrasing, commands and non-commands,
 * routed ROUNDS times. Prints p50/p99/max in microseconds, plus the template
 * load time and the JSGF export time. Target: p99 under 1 ms.
 *
 * Usage: bench_router [SOURCE_DIR]   (default: the source tree it was built from) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brain/router.h"
#include "common/wz.h"

#define ROUNDS 200
#define CASES_MAX 1024

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *src = argc > 1 ? argv[1] : WZ_SOURCE_DATA_DIR "/..";
    char path[1024], line[2048], err[256];
    static char texts[CASES_MAX][512];
    size_t n = 0;
    snprintf(path, sizeof path, "%s/tests/data/router_cases.tsv", src);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_router: cannot open %s\n", path);
        return 1;
    }
    while (n < CASES_MAX && fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        line[strcspn(line, "\t\n")] = 0;
        snprintf(texts[n++], sizeof texts[0], "%.500s", line);
    }
    fclose(f);

    router *r = NULL;
    snprintf(path, sizeof path, "%s/data/intents", src);
    int64_t t0 = wz_now_ns();
    if (router_create(&r, path, err, sizeof err)) {
        fprintf(stderr, "bench_router: %s\n", err);
        return 1;
    }
    int64_t load_ns = wz_now_ns() - t0;
    t0 = wz_now_ns();
    char *g = intents_to_jsgf(router_intents(r));
    int64_t jsgf_ns = wz_now_ns() - t0;

    size_t total = n * ROUNDS, k = 0, matched = 0;
    int64_t *lat = malloc(total * sizeof *lat);
    static int64_t best[CASES_MAX]; /* per phrasing, the fastest of all rounds: its cost without preemption */
    for (size_t i = 0; i < n; i++) best[i] = INT64_MAX;
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t i = 0; i < n; i++) {
            router_result res;
            int64_t s = wz_now_ns();
            (void)router_route(r, texts[i], &res);
            lat[k] = wz_now_ns() - s;
            if (lat[k] < best[i]) best[i] = lat[k];
            k++;
            matched += res.kind != ROUTER_NONE;
            router_result_clear(&res);
        }
    }
    qsort(lat, total, sizeof *lat, cmp_i64);
    size_t slowest = 0;
    for (size_t i = 1; i < n; i++)
        if (best[i] > best[slowest]) slowest = i;
    printf("router: %zu phrasings x %d rounds = %zu requests (%zu matched), %zu template sentences\n", n, ROUNDS,
           total, matched, intents_sentence_count(router_intents(r)));
    printf("router latency: p50 %.1f us, p99 %.1f us, max %.1f us\n", lat[total / 2] / 1e3,
           lat[total * 99 / 100] / 1e3, lat[total - 1] / 1e3);
    printf("costliest phrasing (best of %d rounds): %.1f us \"%s\"\n", ROUNDS, best[slowest] / 1e3, texts[slowest]);
    /* router_extendable: the brain asks it at every pause after a whole
     * command (HEARD), to tell closed commands from open ones. */
    static bool one[CASES_MAX]; /* the phrasing is one command */
    size_t whole = 0, closed = 0;
    for (size_t i = 0; i < n; i++) {
        router_result res;
        (void)router_route(r, texts[i], &res);
        one[i] = res.kind == ROUTER_CONTROL || res.ncalls == 1;
        router_result_clear(&res);
        whole += one[i];
    }
    k = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t i = 0; i < n; i++) {
            if (!one[i]) continue;
            int64_t s = wz_now_ns();
            bool ext = router_extendable(r, texts[i]);
            lat[k++] = wz_now_ns() - s;
            if (round == 0) closed += !ext;
        }
    }
    qsort(lat, k, sizeof *lat, cmp_i64);
    printf("extendable check: %zu whole commands (%zu closed) x %d rounds: p50 %.1f us, p99 %.1f us, max %.1f us\n",
           whole, closed, ROUNDS, lat[k / 2] / 1e3, lat[k * 99 / 100] / 1e3, lat[k - 1] / 1e3);
    /* Worst cases by construction: 63 words (the cap is 64) that offer many
     * split points and slot spans but never match. */
    static const char *const pattern[][3] = {
        {"", "pause and ", "xyzzy"},
        {"set a timer for ", "one and ", "minutes and xyzzy"},
        {"what is ", "one plus ", "banana"},
    };
    char adversarial[3][1024];
    for (size_t i = 0; i < 3; i++) {
        size_t len = (size_t)snprintf(adversarial[i], sizeof adversarial[i], "%s", pattern[i][0]);
        int words = 0;
        for (const char *p = adversarial[i]; *p; p++) words += *p == ' ';
        while (words + 2 + 3 < 63) {
            len += (size_t)snprintf(adversarial[i] + len, sizeof adversarial[i] - len, "%s", pattern[i][1]);
            words += 2;
        }
        snprintf(adversarial[i] + len, sizeof adversarial[i] - len, "%s", pattern[i][2]);
    }
    for (size_t i = 0; i < WZ_ARRAY_LEN(adversarial); i++) {
        int64_t fastest = INT64_MAX;
        for (int round = 0; round < 20; round++) {
            router_result res;
            int64_t s = wz_now_ns();
            (void)router_route(r, adversarial[i], &res);
            int64_t d = wz_now_ns() - s;
            if (d < fastest) fastest = d;
            router_result_clear(&res);
        }
        intents_words w;
        int rc = intents_tokenize(adversarial[i], &w);
        printf("adversarial %zu (%zu words%s, no match): %.1f us\n", i + 1, w.n, rc ? ", REJECTED AS TOO LONG" : "",
               fastest / 1e3);
    }
    printf("template load %.2f ms, JSGF export %.2f ms (%zu bytes)\n", load_ns / 1e6, jsgf_ns / 1e6, g ? strlen(g) : 0);
    free(g);
    free(lat);
    router_destroy(r);
    return 0;
}
