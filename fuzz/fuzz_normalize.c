/* fuzz_normalize.c: norm_text must never crash, overrun or return a string
 * longer than its buffer, whatever bytes it gets. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brain/normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > NORM_MAX_INPUT + 16)
        return 0;
    char *in = malloc(size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    /* A small and a generous output buffer exercise both the overflow path
     * and full normalisation. */
    char small[32];
    size_t bigcap = 8 * size + 64;
    char *big = malloc(bigcap);
    if (norm_text(in, small, sizeof small) == 0 && strlen(small) >= sizeof small)
        abort();
    if (norm_text(in, big, bigcap) == 0 && strlen(big) >= bigcap)
        abort();
    free(big);
    free(in);
    return 0;
}
