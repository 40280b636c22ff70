/* test_refalign: the echo reference picked by time stamps (core/refalign.h)
 * and the seqlock that carries the stamps (core/stamp.h).
 *
 * The played signal is its own index (sample j has value j mod 30000), so
 * every reference sample says which played sample it is. */
#include <pthread.h>

#include "core/refalign.h"
#include "common/wz.h"
#include "core/stamp.h"
#include "wz_test.h"

#define RATE 16000
#define CHUNK 160 /* one 10 ms device period */

static int16_t val(int64_t j) { return (int16_t)(j % 30000); }

static refalign *make(int lead_ms, int out_rate)
{
    refalign_config c;
    refalign_config_init(&c);
    c.lead_ms = lead_ms;
    c.out_rate = out_rate;
    refalign *ra = NULL;
    ASSERT_EQ(WZ_OK, refalign_create(&ra, &c));
    return ra;
}

static void push_upto(refalign *ra, int64_t end)
{
    int16_t buf[CHUNK];
    while ((int64_t)refalign_pushed(ra) < end) {
        int64_t j0 = (int64_t)refalign_pushed(ra);
        size_t n = (size_t)WZ_MIN((int64_t)CHUNK, end - j0);
        for (size_t i = 0; i < n; i++)
            buf[i] = val(j0 + (int64_t)i);
        refalign_push(ra, buf, n);
    }
}

/* Output: played index j is at the DAC at out_t0 + j/RATE; input: captured
 * index c was at the ADC at in_t0 + c/RATE. Stamps are taken at the given
 * indices, as the callbacks would publish them. */
static refalign_stamp at(int64_t t0_ns, uint64_t index)
{
    refalign_stamp s = {index, t0_ns + (int64_t)index * 1000000000LL / RATE};
    return s;
}

static void test_reference_is_the_sample_at_the_dac_plus_lead(void)
{
    refalign *ra = make(10, RATE);
    /* Capture started 0.5 s after playback's time origin: captured c is at
     * the ADC when played c + 8000 is at the DAC; lead 10 ms = 160. */
    int64_t out_t0 = 1000000000LL, in_t0 = out_t0 + 500000000LL;
    int16_t ref[CHUNK + 1];
    for (uint64_t c = 0; c < 100 * CHUNK; c += CHUNK) {
        push_upto(ra, (int64_t)c + 8000 + 160 + 480); /* the output runs 30 ms ahead */
        size_t n = refalign_take(ra, c, CHUNK, true, at(in_t0, c + CHUNK), at(out_t0, c + 8000), ref);
        ASSERT_EQ(CHUNK, n);
        for (size_t i = 0; i < n; i++)
            ASSERT_EQ(val((int64_t)(c + i) + 8000 + 160), ref[i]);
    }
    refalign_stats st;
    refalign_get_stats(ra, &st);
    ASSERT_EQ(0, st.resyncs);
    ASSERT_EQ(0, st.late);
    refalign_destroy(ra);
}

static void test_jitter_below_the_step_keeps_the_reference_continuous(void)
{
    refalign *ra = make(0, RATE);
    int16_t ref[CHUNK + 1];
    int64_t expect = -1;
    for (uint64_t c = 10 * CHUNK; c < 200 * CHUNK; c += CHUNK) {
        push_upto(ra, (int64_t)c + 1000);
        /* +-0.5 ms of stamp jitter, alternating */
        int64_t jit = (c / CHUNK) % 2 ? 500000 : -500000;
        refalign_stamp in = at(jit, c), out = at(0, c);
        size_t n = refalign_take(ra, c, CHUNK, true, in, out, ref);
        for (size_t i = 0; i < n; i++) {
            if (expect >= 0)
                ASSERT_EQ(val(expect), ref[i]); /* no gap, no repeat */
            expect = ref[i] + 1;
        }
    }
    refalign_stats st;
    refalign_get_stats(ra, &st);
    ASSERT_EQ(0, st.resyncs);
    refalign_destroy(ra);
}

/* 50 chunks on a steady timeline (played p at the DAC when captured p is
 * at the ADC, 30 ms written ahead), so the cursor is placed and settled. */
static void settle(refalign *ra, uint64_t *c, int16_t *ref)
{
    for (; *c < 50 * CHUNK; *c += CHUNK) {
        push_upto(ra, (int64_t)*c + 480);
        refalign_take(ra, *c, CHUNK, true, at(0, *c), at(0, *c), ref);
    }
}

static void test_output_stall_resyncs_and_is_silence_until_played(void)
{
    refalign *ra = make(0, RATE);
    int16_t ref[CHUNK + 1];
    uint64_t c = 0;
    settle(ra, &c, ref);
    /* The output stalls for 1.5 s: nothing more is played, the last output
     * stamp stays; after the 30 ms already written the reference is
     * silence, counted late. */
    int64_t stall_ns = 1500000000LL;
    refalign_stamp last_out = at(0, c);
    uint64_t stall_at = c, stall_end = c + 24000;
    for (; c < stall_end; c += CHUNK) {
        size_t n = refalign_take(ra, c, CHUNK, true, at(0, c), last_out, ref);
        for (size_t i = 0; i < n && c >= stall_at + 480; i++)
            ASSERT_EQ(0, ref[i]);
    }
    refalign_stats st;
    refalign_get_stats(ra, &st);
    ASSERT_GE(st.late, 23000);
    /* Then the output resumes: played index p is now at the DAC at
     * p/RATE + 1.5 s. The reference follows the new timeline after 3
     * chunks (one late stamp alone does not move it). */
    uint64_t p0 = c - 24000;
    for (int k = 0; k < 20; k++, c += CHUNK) {
        push_upto(ra, (int64_t)(c - 24000) + 480);
        size_t n = refalign_take(ra, c, CHUNK, true, at(0, c), at(stall_ns, p0 + 160), ref);
        for (size_t i = 0; i < n && k >= 2; i++)
            ASSERT_EQ(val((int64_t)(c + i) - 24000), ref[i]);
    }
    refalign_get_stats(ra, &st);
    ASSERT_EQ(1, st.resyncs);
    refalign_destroy(ra);
}

static void test_a_persistent_step_is_followed_within_100_ms(void)
{
    refalign *ra = make(0, RATE);
    int16_t ref[CHUNK + 1];
    uint64_t c = 0;
    settle(ra, &c, ref);
    /* An output underrun inserted 9 ms of silence: played p is now at the
     * DAC 9 ms later (144 samples). */
    int64_t step_ns = 9000000;
    int ok_from = -1;
    for (int k = 0; k < 20; k++, c += CHUNK) {
        push_upto(ra, (int64_t)c + 480);
        size_t n = refalign_take(ra, c, CHUNK, true, at(0, c), at(step_ns, c), ref);
        ASSERT_EQ(CHUNK, n);
        if (ok_from < 0 && ref[0] == val((int64_t)c - 144))
            ok_from = k;
    }
    ASSERT_TRUE(ok_from >= 0);
    ASSERT_LE(ok_from, 10);
    refalign_destroy(ra);
}

static void test_rates_differ_and_counts_follow_the_ratio(void)
{
    refalign *ra = make(0, 44100);
    int16_t ref[1024];
    size_t total = 0;
    for (uint64_t c = 0; c < 1000 * CHUNK; c += CHUNK) {
        push_upto(ra, (int64_t)(c * 44100 / RATE) + 2000);
        refalign_stamp in = at(0, c), out = {c * 44100 / RATE, (int64_t)c * 1000000000LL / RATE};
        size_t n = refalign_take(ra, c, CHUNK, true, in, out, ref);
        ASSERT_LE(n, refalign_max_out(ra, CHUNK));
        total += n;
    }
    ASSERT_EQ((size_t)441000, total); /* 10 s at 44.1 kHz: no drift in the count */
    refalign_destroy(ra);
}

static void test_without_stamps_the_most_recent_audio(void)
{
    refalign *ra = make(10, RATE);
    int16_t ref[CHUNK + 1];
    push_upto(ra, 5000);
    refalign_stamp none = {0, 0};
    size_t n = refalign_take(ra, 0, CHUNK, false, none, none, ref);
    ASSERT_EQ(CHUNK, n);
    ASSERT_EQ(val(5000 - CHUNK), ref[0]);
    ASSERT_EQ(val(4999), ref[CHUNK - 1]);
    refalign_destroy(ra);
}

static void test_bad_config(void)
{
    refalign_config c;
    refalign_config_init(&c);
    c.step_ms = c.resync_ms + 1;
    refalign *ra = (refalign *)1;
    ASSERT_EQ(WZ_INVAL, refalign_create(&ra, &c));
    ASSERT_TRUE(ra == NULL);
    refalign_config_init(&c);
    c.in_rate = 10;
    ASSERT_EQ(WZ_INVAL, refalign_create(&ra, &c));
}

/* ---- stamp seqlock ---------------------------------------------------- */

static stamp_cell cell;
static atomic_bool stop_writer;

static void *writer(void *arg)
{
    WZ_UNUSED(arg);
    for (uint64_t i = 1; !atomic_load(&stop_writer); i++)
        stamp_publish(&cell, i, (int64_t)i * 7 + 3);
    return NULL;
}

/* Reads race a writer that publishes as fast as it can. The loop runs until
 * it has seen the writer move 100 times (not for a fixed number of spins:
 * on a loaded CI machine the writer may not be scheduled for a while), with
 * a 30 s bound that fails the test instead of hanging it. */
static void test_stamp_reads_are_never_torn(void)
{
    uint64_t ix;
    int64_t t;
    stamp_init(&cell);
    ASSERT_TRUE(!stamp_read(&cell, &ix, &t)); /* nothing published */
    atomic_store(&stop_writer, false);
    pthread_t th;
    ASSERT_EQ(0, pthread_create(&th, NULL, writer, NULL));
    long reads = 0, moves = 0;
    uint64_t last = 0;
    int64_t deadline = wz_now_ms() + 30000;
    while (moves < 100 && wz_now_ms() < deadline) {
        for (int i = 0; i < 1000; i++) {
            if (!stamp_read(&cell, &ix, &t))
                continue;
            ASSERT_EQ((int64_t)ix * 7 + 3, t); /* both fields from one publish */
            ASSERT_GE(ix, last);               /* never goes back */
            moves += ix != last;
            last = ix;
            reads++;
        }
    }
    atomic_store(&stop_writer, true);
    pthread_join(th, NULL);
    ASSERT_GE(moves, 100);
    ASSERT_GE(reads, moves);
}

int main(void)
{
    RUN(test_reference_is_the_sample_at_the_dac_plus_lead);
    RUN(test_jitter_below_the_step_keeps_the_reference_continuous);
    RUN(test_output_stall_resyncs_and_is_silence_until_played);
    RUN(test_a_persistent_step_is_followed_within_100_ms);
    RUN(test_rates_differ_and_counts_follow_the_ratio);
    RUN(test_without_stamps_the_most_recent_audio);
    RUN(test_bad_config);
    RUN(test_stamp_reads_are_never_torn);
    return TEST_SUMMARY();
}
