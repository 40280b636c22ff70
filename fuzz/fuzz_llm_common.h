/* fuzz_llm_common.h: drives an LLM stream decoder with fuzz input. The first
 * byte picks how the input is cut into feeds, so line reassembly across
 * arbitrary chunk borders is exercised too. */
#ifndef WZ_FUZZ_LLM_COMMON_H
#define WZ_FUZZ_LLM_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "brain/llm.h"
#include "brain/sentence.h"

#include <string.h>

static void fuzz_sentence(void *ctx, const char *s)
{
    (void)ctx;
    char copy[SENTENCE_MAX_BYTES + 1];
    size_t n = strlen(s);
    if (n > SENTENCE_MAX_BYTES)
        __builtin_trap(); /* the splitter's cap must hold */
    memcpy(copy, s, n + 1);
    sentence_strip_markdown(copy);
}

static void fuzz_delta(void *ctx, const char *t, size_t n)
{
    sentence_feed(ctx, t, n); /* the splitter sees what TTS would */
}

static int fuzz_llm_stream(const llm_backend *b, const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t step = (size_t)data[0] % 17 + 1;
    data++;
    size--;
    sentence_splitter sp;
    sentence_init(&sp, fuzz_sentence, NULL);
    llm_stream s;
    /* Small caps so the size limits are reached by the fuzzer. */
    if (llm_stream_init(&s, b, 512, 4096, fuzz_delta, &sp) != WZ_OK)
        return 0;
    int rc = WZ_OK;
    for (size_t i = 0; i < size && rc == WZ_OK; i += step)
        rc = llm_stream_feed(&s, (const char *)data + i, WZ_MIN(step, size - i));
    if (rc == WZ_OK)
        rc = llm_stream_finish(&s);
    if (rc == WZ_OK) {
        /* A finished reply must be well formed: object args, named calls. */
        for (size_t i = 0; i < s.reply.ncalls; i++)
            if (!json_is_object(s.reply.calls[i].args) || !s.reply.calls[i].name[0])
                __builtin_trap();
        json_t *m = b->assistant_message(&s.reply);
        json_decref(m);
    }
    sentence_flush(&sp);
    llm_stream_uninit(&s);
    return 0;
}

#endif
