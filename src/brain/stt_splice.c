/* stt_splice.c: carrier words from the grammar pass, slot words from the LM
 * pass, joined by time (see stt_splice.h). */
#include "brain/stt_splice.h"

#include <limits.h>
#include <math.h>
#include <string.h>

bool stt_seg_is_filler(const char *w)
{
    /* "(NULL)": a grammar pass's empty transition (a loop or an optional
     * part taken), zero or one frame long */
    return !w[0] || w[0] == '<' || w[0] == '[' || w[0] == '+' || w[0] == '(';
}

bool stt_seg_is_slot(const char *w)
{
    return w[0] == STT_SLOT_MARK;
}

static bool is_carrier(const char *w)
{
    return !stt_seg_is_filler(w) && !stt_seg_is_slot(w);
}

/* Appends w without its "(2)" pronunciation mark. */
static int append(char *text, size_t cap, size_t *len, const char *w)
{
    size_t n = strcspn(w, "(");
    if (*len + (*len ? 1 : 0) + n + 1 > cap)
        return WZ_TOOBIG;
    if (*len)
        text[(*len)++] = ' ';
    memcpy(text + *len, w, n);
    *len += n;
    text[*len] = '\0';
    return WZ_OK;
}

/* The LM's acoustic score over frames sf..ef: each LM segment contributes
 * its score times the share of its frames inside the range. Scores are not
 * uniform inside a segment, so this is an estimate; segments are words of
 * 10-50 frames, so the error is confined to the two boundary words. */
static double lm_over(const stt_seg *l, size_t nl, int sf, int ef)
{
    double sum = 0;
    for (size_t i = 0; i < nl; i++) {
        int lo = WZ_MAX(sf, l[i].sf), hi = WZ_MIN(ef, l[i].ef);
        if (hi >= lo)
            sum += l[i].ascr * (double)(hi - lo + 1) / (double)(l[i].ef - l[i].sf + 1);
    }
    return sum;
}

/* Appends the LM words whose middle frame lies in lo..hi; returns how many
 * (negative on overflow). */
static int lm_words_in(const stt_seg *l, size_t nl, int lo, int hi, char *text, size_t cap, size_t *len)
{
    int n = 0;
    for (size_t i = 0; i < nl; i++) {
        int mid = l[i].sf + (l[i].ef - l[i].sf) / 2;
        if (stt_seg_is_filler(l[i].word) || mid < lo || mid > hi)
            continue;
        if (append(text, cap, len, l[i].word) != WZ_OK)
            return -1;
        n++;
    }
    return n;
}

int stt_splice(const stt_seg *g, size_t ng, const stt_seg *l, size_t nl, char *text, size_t cap,
               stt_splice_stats *st)
{
    memset(st, 0, sizeof *st);
    st->worst_word = INFINITY;
    size_t len = 0;
    bool empty_slot = false;
    if (cap)
        text[0] = '\0';
    for (size_t i = 0; i < ng;) {
        if (is_carrier(g[i].word)) {
            if (append(text, cap, &len, g[i].word) != WZ_OK)
                goto toobig;
            st->carrier_words++;
        }
        /* A run of non-carrier segments is a slot when it holds a slot word;
         * its span reaches from the carrier word before to the one after. */
        size_t j = i;
        bool slot = false;
        while (j < ng && !is_carrier(g[j].word))
            slot |= stt_seg_is_slot(g[j++].word);
        if (j == i)
            j = i + 1; /* a carrier word: one segment */
        if (slot) {
            int lo = i == 0 ? INT_MIN : g[i].sf, hi = j == ng ? INT_MAX : g[j - 1].ef;
            int n = lm_words_in(l, nl, lo, hi, text, cap, &len);
            if (n < 0)
                goto toobig;
            st->slots++;
            st->slot_words += n;
            empty_slot |= n == 0;
        } else {
            for (size_t k = i; k < j; k++) {
                int frames = g[k].ef - g[k].sf + 1;
                double lm = lm_over(l, nl, g[k].sf, g[k].ef);
                st->carrier_frames += frames;
                st->gram_ascr += g[k].ascr;
                st->lm_ascr += lm;
                double m = (g[k].ascr - lm) / frames;
                if (is_carrier(g[k].word))
                    st->worst_word = WZ_MIN(st->worst_word, m);
            }
        }
        i = j;
    }
    if (!st->carrier_words)
        st->worst_word = 0;
    return empty_slot ? WZ_NOTFOUND : WZ_OK;
toobig:
    if (cap)
        text[0] = '\0';
    return WZ_TOOBIG;
}
