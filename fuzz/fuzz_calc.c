/* fuzz_calc.c: the spoken-arithmetic parser and the spoken-number parsers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brain/calc.h"
#include "brain/numwords.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    double v;
    char err[64], out[64];
    if (calc_eval(text, &v, err, sizeof err) == WZ_OK) calc_format(v, out, sizeof out);
    /* the same bytes as a word list for numwords */
    const char *words[32];
    size_t n = 0;
    for (char *save = NULL, *w = strtok_r(text, " ", &save); w && n < 32; w = strtok_r(NULL, " ", &save)) words[n++] = w;
    long secs;
    (void)numwords_parse(words, n, &v);
    if (numwords_duration(words, n, &secs)) numwords_format_duration(secs, n & 1, out, sizeof out);
    free(text);
    return 0;
}
