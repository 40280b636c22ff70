/* bench_llm.c: what wyzer's LLM path adds on top of the server.
 *
 * Starts the stand-in server (tests/standins/llm_standin.py) with a fixed
 * time to first token (TTFT, default 200 ms, no delay between tokens) and
 * runs N requests through convo_run() for each backend, measuring:
 *   first delta:    request start -> first content delta, minus TTFT
 *   first sentence: request start -> first on_sentence(), minus TTFT
 * The first sentence needs the token after its full stop (the splitter must
 * see the whitespace), so it also includes one inter-token gap of the
 * stand-in. Both numbers include the stand-in's own Python time per request,
 * so they are an upper bound on wyzer's overhead.
 *
 *   bench_llm [requests=30] [ttft_ms=200] */
#include <stdio.h>
#include <stdlib.h>

#include "../tests/unit/llm_standin_run.h"
#include "brain/convo.h"

typedef struct {
    int64_t t0_ns, first_sentence_ns;
} probe;

static void on_sentence(void *ctx, const char *s)
{
    probe *p = ctx;
    if (!p->first_sentence_ns)
        p->first_sentence_ns = wz_now_ns();
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof(double), cmp);
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

typedef struct {
    int64_t t0_ns, first_ns;
} delta_probe;

static void on_delta(void *ctx, const char *t, size_t n)
{
    delta_probe *p = ctx;
    if (!p->first_ns)
        p->first_ns = wz_now_ns();
}

static int bench_backend(const char *backend, const standin *srv, int n, int ttft)
{
    convo_config c;
    convo_config_init(&c);
    snprintf(c.llm.backend, sizeof(c.llm.backend), "%s", backend);
    snprintf(c.llm.url, sizeof(c.llm.url), "%s", srv->url);
    convo *cv = NULL;
    if (convo_new(&c, &cv) != WZ_OK)
        return 1;
    double *sent = calloc((size_t)n, sizeof(double)), *delta = calloc((size_t)n, sizeof(double));
    json_t *msgs = json_pack("[{s:s, s:s}]", "role", "user", "content", "hi");
    for (int i = 0; i < n; i++) {
        probe p = { wz_now_ns(), 0 };
        convo_request rq = { .user_text = "What is the capital of France?", .on_sentence = on_sentence,
                             .ctx = &p };
        convo_result res;
        if (convo_run(cv, &rq, &res) != WZ_OK) {
            fprintf(stderr, "request failed: %s\n", res.err.message);
            return 1;
        }
        sent[i] = (double)(p.first_sentence_ns - p.t0_ns) / 1e6 - ttft;
        convo_history_clear(cv);
        /* The raw client alone, for the first-delta figure. */
        delta_probe d = { wz_now_ns(), 0 };
        llm_reply r;
        llm_error e;
        if (llm_chat(convo_llm(cv), msgs, NULL, on_delta, &d, &r, &e) != WZ_OK) {
            fprintf(stderr, "request failed: %s\n", e.message);
            return 1;
        }
        llm_reply_clear(&r);
        delta[i] = (double)(d.first_ns - d.t0_ns) / 1e6 - ttft;
    }
    printf("%-7s first delta    overhead over %d ms TTFT: p50 %6.2f ms  p99 %6.2f ms  (n=%d)\n",
           backend, ttft, pct(delta, n, 0.5), pct(delta, n, 0.99), n);
    printf("%-7s first sentence overhead over %d ms TTFT: p50 %6.2f ms  p99 %6.2f ms  (n=%d)\n",
           backend, ttft, pct(sent, n, 0.5), pct(sent, n, 0.99), n);
    json_decref(msgs);
    free(sent);
    free(delta);
    convo_free(cv);
    return 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 30;
    int ttft = argc > 2 ? atoi(argv[2]) : 200;
    if (n < 1 || ttft < 0)
        return 2;
    char scen[256];
    snprintf(scen, sizeof(scen),
             "{\"responses\":[{\"text\":\"The capital of France is Paris. It is on the Seine.\","
             "\"ttft_ms\":%d}]}", ttft);
    standin srv;
    standin_start(&srv, scen);
    int rc = bench_backend("ollama", &srv, n, ttft) || bench_backend("openai", &srv, n, ttft);
    standin_stop(&srv);
    return rc;
}
