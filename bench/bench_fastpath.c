/* bench_fastpath.c: time from a request reaching the brain's orchestrator to
 * its first RESPONSE_TEXT and its first TTS_AUDIO, on the fast path (router
 * + tool + Flite), read from the messages' own send timestamps.
 * Target: <= 30 ms to the first TTS_AUDIO. */
#include "app/config.h"
#include "brain/orch.h"
#include "ipc/msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS 60

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    char dir[] = "/tmp/wz-bench-fastpath.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    setenv("XDG_STATE_HOME", dir, 1);
    setenv("XDG_DATA_HOME", dir, 1);
    static wz_config cfg;
    config_init(&cfg);
    char err[1024];
    orch *o;
    if (orch_create(&o, &cfg, err, sizeof err) != WZ_OK) {
        fprintf(stderr, "orch: %s\n", err);
        return 1;
    }
    ipcq *q;
    if (ipcq_create_local(&q, 4096, 65536) != WZ_OK)
        return 1;
    const char *requests[] = { "what time is it", "what's the date today", "what is seven times eight" };
    size_t nreq = WZ_ARRAY_LEN(requests);
    int64_t *text_ns = calloc(ROUNDS * nreq, sizeof *text_ns), *audio_ns = calloc(ROUNDS * nreq, sizeof *audio_ns);
    uint8_t *buf = malloc(65536);
    int n = 0;
    _Atomic bool cancel = false;
    for (int i = 0; i < ROUNDS; i++) {
        for (size_t k = 0; k < nreq; k++) {
            reply r = { .to_core = q, .req_id = (uint64_t)n + 1, .cancel = &cancel };
            int64_t t0 = wz_now_ns();
            orch_handle(o, &r, requests[k]);
            int64_t first_text = -1, first_audio = -1;
            size_t len;
            while (ipcq_recv(q, buf, 65536, &len, 0) == WZ_OK) {
                msg m;
                if (msg_decode(buf, len, &m, err, sizeof err) != WZ_OK)
                    continue;
                if (m.type == MSG_RESPONSE_TEXT && first_text < 0)
                    first_text = m.t_ns - t0;
                if (m.type == MSG_TTS_AUDIO && first_audio < 0)
                    first_audio = m.t_ns - t0;
            }
            if (first_text < 0 || first_audio < 0) {
                fprintf(stderr, "no reply for '%s'\n", requests[k]);
                return 1;
            }
            text_ns[n] = first_text;
            audio_ns[n] = first_audio;
            n++;
        }
    }
    qsort(text_ns, (size_t)n, sizeof *text_ns, cmp_i64);
    qsort(audio_ns, (size_t)n, sizeof *audio_ns, cmp_i64);
    printf("fast path, %d requests (%zu phrasings, default voice %s):\n", n, nreq, cfg.tts_voice);
    printf("  request -> first RESPONSE_TEXT  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", text_ns[n / 2] / 1e6,
           text_ns[n * 99 / 100] / 1e6, text_ns[n - 1] / 1e6);
    printf("  request -> first TTS_AUDIO      p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (target <= 30 ms)\n",
           audio_ns[n / 2] / 1e6, audio_ns[n * 99 / 100] / 1e6, audio_ns[n - 1] / 1e6);
    orch_destroy(o);
    ipcq_destroy(q);
    free(text_ns);
    free(audio_ns);
    free(buf);
    return 0;
}
