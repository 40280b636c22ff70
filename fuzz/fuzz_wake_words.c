/* fuzz_wake_words: wake_parse_words() on arbitrary bytes (the wake.words
 * config value). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/wake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    wake_phrase p[WAKE_MAX_PHRASES];
    char err[128];
    int n = wake_parse_words(s, p, WAKE_MAX_PHRASES, err, sizeof(err));
    if (n > 0) {
        for (int i = 0; i < n; i++) {
            size_t l = strnlen(p[i].phrase, WAKE_PHRASE_MAX);
            if (l == 0 || l >= WAKE_PHRASE_MAX || !(p[i].threshold >= 1e-80 && p[i].threshold <= 1.0))
                abort();
        }
    }
    free(s);
    return 0;
}
