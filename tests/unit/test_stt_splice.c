/* test_stt_splice.c: carrier words from the grammar path, slot words from
 * the LM path by time (stt_splice.h), on hand-made segment lists. */
#include <math.h>

#include "brain/stt_splice.h"
#include "wz_test.h"

/* Frames are 10 ms; scores are what the two passes would give, in nats. */
#define SEG(w, s, e, a) {w, s, e, a}

static void test_slot_at_end_takes_lm_words_after_the_carrier(void)
{
    /* "search for chocolate cake": the LM misheard the carrier ("surge
     * for"), the grammar's slot fillers are nonsense; the splice keeps the
     * grammar's carrier and the LM's slot words. */
    const stt_seg g[] = {SEG("<sil>", 0, 29, -30), SEG("search", 30, 60, -60), SEG("for(2)", 61, 75, -30),
                         SEG("_she", 76, 110, -90), SEG("(NULL)", 110, 110, 0), SEG("_on", 111, 150, -95),
                         SEG("<sil>", 151, 200, -50)};
    const stt_seg l[] = {SEG("<s>", 0, 29, -30), SEG("surge", 30, 58, -55), SEG("for", 59, 76, -31),
                         SEG("chocolate", 77, 120, -80), SEG("cake", 121, 150, -60), SEG("</s>", 151, 200, -50)};
    char text[128];
    stt_splice_stats st;
    ASSERT_EQ(WZ_OK, stt_splice(g, WZ_ARRAY_LEN(g), l, WZ_ARRAY_LEN(l), text, sizeof text, &st));
    ASSERT_STREQ("search for chocolate cake", text);
    ASSERT_EQ(1, st.slots);
    ASSERT_EQ(2, st.slot_words);
    ASSERT_EQ(2, st.carrier_words);
    ASSERT_EQ(30 + 31 + 15, st.carrier_frames); /* <sil>, search, for: the slot span starts after "for" */
    ASSERT_TRUE(fabs(st.gram_ascr - (-120.0)) < 1e-9);
}

static void test_slot_between_carriers_ends_at_the_next_carrier(void)
{
    /* "look up the moon online": the LM word whose middle lies in the
     * grammar's "online" is the carrier's, not the slot's. */
    const stt_seg g[] = {SEG("look", 0, 20, -1), SEG("up", 21, 35, -1), SEG("_the", 36, 45, -1),
                         SEG("_moon", 46, 80, -1), SEG("online", 81, 130, -1)};
    const stt_seg l[] = {SEG("look", 0, 20, -1), SEG("up", 21, 37, -1), SEG("the", 38, 47, -1),
                         SEG("moon", 48, 84, -1), SEG("on", 85, 100, -1), SEG("line", 101, 130, -1)};
    char text[128];
    stt_splice_stats st;
    ASSERT_EQ(WZ_OK, stt_splice(g, WZ_ARRAY_LEN(g), l, WZ_ARRAY_LEN(l), text, sizeof text, &st));
    ASSERT_STREQ("look up the moon online", text);
    ASSERT_EQ(2, st.slot_words);
}

static void test_path_without_slot_is_copied_with_variants_dropped(void)
{
    const stt_seg g[] = {SEG("<sil>", 0, 9, -5), SEG("set", 10, 30, -20), SEG("a", 31, 35, -5),
                         SEG("timer", 36, 70, -30), SEG("(NULL)", 70, 70, 0), SEG("for(2)", 71, 90, -10)};
    const stt_seg l[] = {SEG("set", 10, 30, -20)};
    char text[128];
    stt_splice_stats st;
    ASSERT_EQ(WZ_OK, stt_splice(g, WZ_ARRAY_LEN(g), l, WZ_ARRAY_LEN(l), text, sizeof text, &st));
    ASSERT_STREQ("set a timer for", text);
    ASSERT_EQ(0, st.slots);
    ASSERT_EQ(4, st.carrier_words);
}

static void test_slot_the_lm_heard_nothing_in_is_not_found(void)
{
    const stt_seg g[] = {SEG("remember", 0, 40, -1), SEG("_the", 41, 60, -1)};
    const stt_seg l[] = {SEG("remember", 0, 45, -1), SEG("<sil>", 46, 60, -1)};
    char text[128];
    stt_splice_stats st;
    ASSERT_EQ(WZ_NOTFOUND, stt_splice(g, WZ_ARRAY_LEN(g), l, WZ_ARRAY_LEN(l), text, sizeof text, &st));
    ASSERT_STREQ("remember", text);
    ASSERT_EQ(0, st.slot_words);
}

static void test_lm_score_is_prorated_over_carrier_frames(void)
{
    /* The carrier "forget" covers frames 0-19. The LM heard "for" (0-9,
     * -10 nats) and "gotten" (10-39, -30 nats): a third of "gotten" lies
     * under the carrier, so the LM's score there is -10 + -10 = -20, and
     * "gotten" (middle frame 24) goes into the slot. */
    const stt_seg g[] = {SEG("forget", 0, 19, -25), SEG("_it", 20, 39, -1)};
    const stt_seg l[] = {SEG("for", 0, 9, -10), SEG("gotten", 10, 39, -30)};
    char text[128];
    stt_splice_stats st;
    ASSERT_EQ(WZ_OK, stt_splice(g, WZ_ARRAY_LEN(g), l, WZ_ARRAY_LEN(l), text, sizeof text, &st));
    ASSERT_STREQ("forget gotten", text);
    ASSERT_EQ(20, st.carrier_frames);
    ASSERT_TRUE(fabs(st.gram_ascr - (-25.0)) < 1e-9);
    ASSERT_TRUE(fabs(st.lm_ascr - (-20.0)) < 1e-9);
}

static void test_text_that_does_not_fit_is_toobig_and_empty(void)
{
    const stt_seg g[] = {SEG("remember", 0, 40, -1), SEG("_the", 41, 60, -1)};
    const stt_seg l[] = {SEG("remember", 0, 40, -1), SEG("antidisestablishmentarianism", 41, 60, -1)};
    char text[16];
    stt_splice_stats st;
    ASSERT_EQ(WZ_TOOBIG, stt_splice(g, WZ_ARRAY_LEN(g), l, WZ_ARRAY_LEN(l), text, sizeof text, &st));
    ASSERT_STREQ("", text);
}

int main(void)
{
    RUN(test_slot_at_end_takes_lm_words_after_the_carrier);
    RUN(test_slot_between_carriers_ends_at_the_next_carrier);
    RUN(test_path_without_slot_is_copied_with_variants_dropped);
    RUN(test_slot_the_lm_heard_nothing_in_is_not_found);
    RUN(test_lm_score_is_prorated_over_carrier_frames);
    RUN(test_text_that_does_not_fit_is_toobig_and_empty);
    return TEST_SUMMARY();
}
