/* stt_splice.h: fills a command grammar's free-text slots with the words the
 * general pass heard in the same stretch of audio.
 *
 * The command grammar cannot hold free text, so a slot such as the query of
 * "search for {query:text}" is a loop over filler words whose names start
 * with '_' (STT_SLOT_MARK, e.g. "_the"). The grammar pass then aligns the
 * carrier words ("search for") and the slot; the general (LM) pass has the
 * better guess at the slot's words. stt_splice() keeps the grammar's carrier
 * words and, for each slot, the LM's words whose middle frame lies between
 * the carrier word before the slot and the carrier word after it (or the
 * edge of the utterance).
 *
 * Pure functions on segment arrays: no decoder, no allocation, any thread. */
#ifndef WZ_STT_SPLICE_H
#define WZ_STT_SPLICE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/wz.h"

#define STT_SLOT_MARK '_'
#define STT_SEG_WORD_MAX 64

/* One segment of a best path, as ps_seg_iter gives it. */
typedef struct stt_seg {
    char word[STT_SEG_WORD_MAX]; /* dictionary word, "(2)" variants kept */
    int sf, ef;                  /* first and last frame, inclusive */
    double ascr;                 /* acoustic score of the segment, nats */
} stt_seg;

/* What the decision needs besides the text. "Carrier frames" are the
 * grammar path's frames outside every slot span. */
typedef struct stt_splice_stats {
    int slots;           /* slot spans found (0: a path without free text) */
    int slot_words;      /* LM words placed into slots */
    int carrier_frames;  /* grammar frames outside the slot spans */
    int carrier_words;   /* carrier words (not silence or noise) */
    double gram_ascr;    /* grammar acoustic score over the carrier frames, nats */
    double lm_ascr;      /* LM acoustic score over the same frames (each LM
                          * segment counted in proportion to its overlap), nats */
    double worst_word;   /* lowest per-frame margin (grammar minus LM, nats)
                          * of one carrier word; 0 without carrier words */
} stt_splice_stats;

/* True for silence and noise fillers ("<sil>", "<s>", "[NOISE]", "+...+")
 * and the grammar's empty transitions ("(NULL)"). */
bool stt_seg_is_filler(const char *word);
/* True for a slot filler word ("_the"). */
bool stt_seg_is_slot(const char *word);

/* Builds "carrier words + slot words" into text (single spaces, "(2)"
 * variant marks dropped) and fills *st. A path without slot words is
 * copied as it is (st->slots = 0). Returns WZ_OK; WZ_NOTFOUND when a slot
 * got no LM words (text is then the carrier words alone); WZ_TOOBIG when
 * text does not fit in cap (text is then ""). */
int stt_splice(const stt_seg *g, size_t ng, const stt_seg *l, size_t nl, char *text, size_t cap,
               stt_splice_stats *st) WZ_MUST_CHECK;

#endif
