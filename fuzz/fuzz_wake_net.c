/* fuzz_wake_net: wake_net_parse() on arbitrary bytes (a stage-3 weights
 * file, data/wake/hey_wyzer.net). A parsed net must score a window. */
#include <stdint.h>
#include <stdlib.h>

#include <sphinxbase/err.h>

#include "core/wake_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int16_t pcm[(WAKE_NET_MAX_WINDOW_MS + WAKE_NET_MAX_AFTER_MS) * 16];
    err_set_logfp(NULL);
    wake_net *n = NULL;
    char err[200];
    if (wake_net_parse(&n, (const char *)data, size, err, sizeof(err)) == WZ_OK) {
        if (wake_net_before(n) + wake_net_after(n) > (int)(sizeof(pcm) / sizeof(pcm[0])))
            abort();
        float s = wake_net_score(n, pcm);
        if (!(s >= 0.0f && s <= 1.0f))
            abort();
        wake_net_free(n);
    } else if (n) {
        abort();
    }
    return 0;
}
