/* lm-top-words.c: prints the N most probable words of a PocketSphinx
 * language model (unigram probability), one per line, most probable first.
 * Only plain words (a-z and ') are printed. Used by gen-text-slot.sh.
 *
 *   lm-top-words LM.bin N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sphinxbase/err.h>
#include <sphinxbase/logmath.h>
#include <sphinxbase/ngram_model.h>

typedef struct {
    int32 logp;
    const char *word;
} entry;

static int by_prob(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    return x->logp != y->logp ? (x->logp < y->logp ? 1 : -1) : strcmp(x->word, y->word);
}

static int plain(const char *w)
{
    return w[0] && strspn(w, "abcdefghijklmnopqrstuvwxyz'") == strlen(w);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: lm-top-words LM.bin N\n");
        return 2;
    }
    err_set_logfp(NULL); /* the model loader reports on stderr */
    logmath_t *lmath = logmath_init(1.0001, 0, 0);
    ngram_model_t *lm = lmath ? ngram_model_read(NULL, argv[1], NGRAM_AUTO, lmath) : NULL;
    if (!lm) {
        fprintf(stderr, "lm-top-words: cannot read %s\n", argv[1]);
        return 1;
    }
    int n = (int)ngram_model_get_counts(lm)[0], k = 0;
    entry *e = malloc(sizeof *e * (size_t)n);
    if (!e)
        return 1;
    for (int wid = 0; wid < n; wid++) {
        const char *w = ngram_word(lm, wid);
        if (w && plain(w)) {
            e[k].word = w;
            e[k].logp = ngram_prob(lm, &w, 1);
            k++;
        }
    }
    qsort(e, (size_t)k, sizeof *e, by_prob);
    for (int i = 0; i < k && i < atoi(argv[2]); i++)
        printf("%s\n", e[i].word);
    free(e);
    ngram_model_free(lm);
    logmath_free(lmath);
    return 0;
}
