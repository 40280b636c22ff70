/* slot_fillers.h: adds a grammar's free-text slot fillers ("_the") to a bare
 * PocketSphinx decoder, pronounced like the word without the mark, as the
 * speech engine does (stt_pocketsphinx.c add_missing). Include after
 * wz_test.h. */
#ifndef WZ_SLOT_FILLERS_H
#define WZ_SLOT_FILLERS_H

#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <stdlib.h>
#include <string.h>

static inline void test_add_slot_fillers(ps_decoder_t *ps, const char *jsgf)
{
    char *copy = strdup(jsgf);
    ASSERT_TRUE(copy != NULL);
    for (char *save = NULL, *w = strtok_r(copy, " \n\t;=|()[]*+", &save); w; w = strtok_r(NULL, " \n\t;=|()[]*+", &save)) {
        char *ph = w[0] == '_' ? ps_lookup_word(ps, w + 1) : NULL, *have = ph ? ps_lookup_word(ps, w) : NULL;
        if (ph && !have)
            ASSERT_TRUE(ps_add_word(ps, w, ph, 0) >= 0);
        ckd_free(ph);
        ckd_free(have);
    }
    free(copy);
}

#endif
