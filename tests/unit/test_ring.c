/* test_ring.c: the SPSC sample ring: capacity rounding, wrap-around, full and
 * empty behaviour, and a two-thread stress test that checks every sample
 * arrives once and in order. */
#include <pthread.h>

#include "core/ring.h"
#include "wz_test.h"

static void test_capacity_rounds_to_power_of_two(void)
{
    ring *r = NULL;
    ASSERT_EQ(WZ_OK, ring_create(&r, 1000));
    ASSERT_EQ(1024, ring_capacity(r));
    ASSERT_EQ(0, ring_readable(r));
    ASSERT_EQ(1024, ring_writable(r));
    ring_destroy(r);
    ASSERT_EQ(WZ_OK, ring_create(&r, 512));
    ASSERT_EQ(512, ring_capacity(r));
    ring_destroy(r);
    ASSERT_EQ(WZ_INVAL, ring_create(&r, 0));
    ASSERT_TRUE(r == NULL);
    ASSERT_EQ(WZ_INVAL, ring_create(&r, RING_MAX_CAPACITY + 1));
}

static void test_full_and_empty(void)
{
    ring *r = NULL;
    ASSERT_EQ(WZ_OK, ring_create(&r, 8));
    int16_t in[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, out[12] = {0};
    ASSERT_EQ(8, ring_write(r, in, 12)); /* only 8 fit */
    ASSERT_EQ(0, ring_write(r, in, 1));
    ASSERT_EQ(8, ring_readable(r));
    ASSERT_EQ(8, ring_read(r, out, 12));
    for (int i = 0; i < 8; i++)
        ASSERT_EQ(i + 1, out[i]);
    ASSERT_EQ(0, ring_read(r, out, 1));
    ring_destroy(r);
}

static void test_wrap_around_keeps_order(void)
{
    ring *r = NULL;
    ASSERT_EQ(WZ_OK, ring_create(&r, 8));
    int16_t v = 0, expect = 0, buf[5];
    for (int round = 0; round < 100; round++) {
        int16_t in[5];
        for (int i = 0; i < 5; i++)
            in[i] = v++;
        ASSERT_EQ(5, ring_write(r, in, 5));
        ASSERT_EQ(5, ring_read(r, buf, 5));
        for (int i = 0; i < 5; i++)
            ASSERT_EQ(expect++, buf[i]);
    }
    ring_destroy(r);
}

static void test_skip_and_zeros(void)
{
    ring *r = NULL;
    ASSERT_EQ(WZ_OK, ring_create(&r, 16));
    int16_t in[4] = {9, 9, 9, 9}, out[8];
    ASSERT_EQ(4, ring_write(r, in, 4));
    ASSERT_EQ(3, ring_write_zeros(r, 3));
    ASSERT_EQ(2, ring_skip(r, 2));
    ASSERT_EQ(5, ring_read(r, out, 8));
    ASSERT_EQ(9, out[0]);
    ASSERT_EQ(9, out[1]);
    ASSERT_EQ(0, out[2]);
    ASSERT_EQ(0, out[4]);
    ASSERT_EQ(4, ring_write(r, in, 4));
    ASSERT_EQ(4, ring_skip_all(r));
    ASSERT_EQ(0, ring_readable(r));
    ring_destroy(r);
}

/* A flush mark cancels what was queued before it and keeps what came after. */
static void test_skip_to_mark(void)
{
    ring *r = NULL;
    ASSERT_EQ(WZ_OK, ring_create(&r, 16));
    int16_t a[6] = {1, 1, 1, 1, 1, 1}, b[3] = {2, 2, 2}, out[16];
    ASSERT_EQ(6, ring_write(r, a, 6));
    ASSERT_EQ(2, ring_read(r, out, 2));
    size_t mark = ring_write_total(r);
    ASSERT_EQ(6, mark);
    ASSERT_EQ(3, ring_write(r, b, 3));
    ASSERT_EQ(4, ring_skip_to(r, mark));
    ASSERT_EQ(0, ring_skip_to(r, mark)); /* already passed */
    ASSERT_EQ(0, ring_skip_to(r, 2));    /* older mark */
    ASSERT_EQ(6, ring_read_total(r));
    ASSERT_EQ(3, ring_read(r, out, 16));
    ASSERT_EQ(2, out[0]);
    ASSERT_EQ(2, out[2]);
    ring_destroy(r);
}

/* Producer writes a counter sequence in odd-sized blocks, consumer reads in
 * other odd sizes; every value must arrive once, in order. 2^22 samples
 * through a 1024-sample ring wrap it 4096 times (quick enough under ASan on
 * a busy 2-core machine). */
#define STRESS_N (1u << 22)

static void *producer(void *arg)
{
    ring *r = arg;
    uint32_t v = 0;
    int16_t block[37];
    while (v < STRESS_N) {
        size_t n = WZ_MIN((size_t)(1 + v % 37), (size_t)(STRESS_N - v));
        for (size_t i = 0; i < n; i++)
            block[i] = (int16_t)(v + i);
        size_t done = 0;
        while (done < n)
            done += ring_write(r, block + done, n - done);
        v += (uint32_t)n;
    }
    return NULL;
}

static void test_two_thread_stress(void)
{
    ring *r = NULL;
    ASSERT_EQ(WZ_OK, ring_create(&r, 1024));
    pthread_t th;
    ASSERT_EQ(0, pthread_create(&th, NULL, producer, r));
    uint32_t expect = 0;
    int16_t buf[53];
    size_t reads = 0;
    while (expect < STRESS_N) {
        size_t n = ring_read(r, buf, 1 + reads++ % 53);
        for (size_t i = 0; i < n; i++, expect++)
            if (buf[i] != (int16_t)expect)
                TEST_FAIL_AT("sample %u: expected %d, got %d", expect, (int16_t)expect, buf[i]);
        ASSERT_LE(ring_readable(r), 1024);
    }
    pthread_join(th, NULL);
    ASSERT_EQ(0, ring_readable(r));
    ring_destroy(r);
}

int main(void)
{
    RUN(test_capacity_rounds_to_power_of_two);
    RUN(test_full_and_empty);
    RUN(test_wrap_around_keeps_order);
    RUN(test_skip_and_zeros);
    RUN(test_skip_to_mark);
    RUN(test_two_thread_stress);
    return TEST_SUMMARY();
}
