/* fuzz_intents.c: the template loader and matcher, and the router.
 * First byte even: the input (rest) is a request routed through the shipped
 * templates (data/intents), and asked whether more words could extend it.
 * Odd: the input is "TEMPLATES\0REQUEST": random template text is loaded,
 * the request matched and checked for extensions, and the JSGF exported. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brain/intents.h"
#include "brain/router.h"

static router *shipped;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 64 * 1024) return 0;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    if ((data[0] & 1) == 0) {
        if (!shipped) {
            char err[256];
            if (router_create(&shipped, WZ_SOURCE_DATA_DIR "/intents", err, sizeof err)) abort();
        }
        router_result res;
        (void)router_route(shipped, text, &res);
        router_result_clear(&res);
        (void)router_extendable(shipped, text);
    } else {
        size_t tl = strlen(text);
        const char *req = tl + 1 < size - 1 ? text + tl + 1 : "";
        intents *it = NULL;
        char err[256];
        if (intents_load_string(text, "fuzz", &it, err, sizeof err) == WZ_OK) {
            intents_match m;
            intents_words w;
            if (intents_match_text(it, req, &m)) {
                json_decref(m.args);
                if (intents_tokenize(req, &w) == WZ_OK) (void)intents_extendable(it, &w, 0, w.n, m.intent);
            }
            free(intents_to_jsgf(it));
            intents_free(it);
        }
    }
    free(text);
    return 0;
}
