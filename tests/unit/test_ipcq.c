/* test_ipcq.c: bounded queues, for both the shared-memory (processes) and
 * the local (threads) backing. */
#include "ipc/ipcq.h"
#include "wz_test.h"

#include <pthread.h>
#include <stdint.h>

typedef int (*create_fn)(ipcq **, size_t, size_t);
static create_fn g_create;

static ipcq *make(size_t cap, size_t bytes)
{
    ipcq *q = NULL;
    ASSERT_EQ(WZ_OK, g_create(&q, cap, bytes));
    return q;
}

static void test_capacity_and_depth(void)
{
    ipcq *q = make(50, 256);
    ASSERT_EQ(50, ipcq_capacity(q));
    ASSERT_EQ(0, ipcq_depth(q));
    for (int i = 0; i < 50; i++)
        ASSERT_EQ(WZ_OK, ipcq_try_send(q, &i, sizeof i, 0));
    ASSERT_EQ(50, ipcq_depth(q));
    int x = 99;
    ASSERT_EQ(WZ_FULL, ipcq_try_send(q, &x, sizeof x, 0));
    ipcq_stats st;
    ipcq_get_stats(q, &st);
    ASSERT_EQ(1, st.rejected_full);
    ipcq_destroy(q);
}

static void test_fifo_order(void)
{
    ipcq *q = make(8, 64);
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 8; i++) {
            int v = round * 100 + i;
            ASSERT_EQ(WZ_OK, ipcq_send(q, &v, sizeof v, 0));
        }
        for (int i = 0; i < 8; i++) {
            int v = -1;
            size_t len = 0;
            ASSERT_EQ(WZ_OK, ipcq_recv(q, &v, sizeof v, &len, 0));
            ASSERT_EQ(sizeof v, len);
            ASSERT_EQ(round * 100 + i, v);
        }
    }
    ipcq_destroy(q);
}

static void test_reserve_keeps_room_for_control(void)
{
    ipcq *q = make(10, 64);
    int v = 1;
    int sent = 0;
    while (ipcq_try_send(q, &v, sizeof v, 3) == WZ_OK)
        sent++;
    ASSERT_EQ(7, sent); /* 3 of 10 slots stay free for control */
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(WZ_OK, ipcq_try_send(q, &v, sizeof v, 0));
    ASSERT_EQ(WZ_FULL, ipcq_try_send(q, &v, sizeof v, 0));
    ipcq_destroy(q);
}

static void test_recv_timeout_on_empty(void)
{
    ipcq *q = make(4, 64);
    char buf[64];
    size_t len;
    int64_t t0 = wz_now_ms();
    ASSERT_EQ(WZ_TIMEDOUT, ipcq_recv(q, buf, sizeof buf, &len, 50));
    ASSERT_GE(wz_now_ms() - t0, 45); /* it waited, rather than returning at once */
    ASSERT_EQ(WZ_TIMEDOUT, ipcq_recv(q, buf, sizeof buf, &len, 0));
    ipcq_destroy(q);
}

static void test_send_timeout_on_full(void)
{
    ipcq *q = make(2, 64);
    int v = 7;
    ASSERT_EQ(WZ_OK, ipcq_send(q, &v, sizeof v, 0));
    ASSERT_EQ(WZ_OK, ipcq_send(q, &v, sizeof v, 0));
    int64_t t0 = wz_now_ms();
    ASSERT_EQ(WZ_TIMEDOUT, ipcq_send(q, &v, sizeof v, 50));
    ASSERT_GE(wz_now_ms() - t0, 45);
    ASSERT_EQ(2, ipcq_depth(q));
    ipcq_destroy(q);
}

static void test_oversize_rejected_not_truncated(void)
{
    ipcq *q = make(4, 64);
    char big[65] = { 0 };
    ASSERT_EQ(WZ_TOOBIG, ipcq_send(q, big, sizeof big, 0));
    ASSERT_EQ(WZ_TOOBIG, ipcq_try_send(q, big, sizeof big, 0));
    ASSERT_EQ(0, ipcq_depth(q));
    ASSERT_EQ(WZ_OK, ipcq_send(q, big, 64, 0)); /* exactly the bound is fine */
    char small[8];
    size_t len = 0;
    ASSERT_EQ(WZ_TOOBIG, ipcq_recv(q, small, sizeof small, &len, 0)); /* receiver too small */
    ASSERT_EQ(0, ipcq_depth(q)); /* dropped and counted, not cut */
    ipcq_stats st;
    ipcq_get_stats(q, &st);
    ASSERT_EQ(3, st.rejected_toobig);
    ipcq_destroy(q);
}

static void test_close_wakes_and_drains(void)
{
    ipcq *q = make(4, 64);
    int v = 5;
    ASSERT_EQ(WZ_OK, ipcq_send(q, &v, sizeof v, 0));
    ipcq_close(q);
    ASSERT_TRUE(ipcq_is_closed(q));
    ASSERT_EQ(WZ_CLOSED, ipcq_send(q, &v, sizeof v, 0));
    ASSERT_EQ(WZ_CLOSED, ipcq_try_send(q, &v, sizeof v, 0));
    size_t len;
    int got = 0;
    ASSERT_EQ(WZ_OK, ipcq_recv(q, &got, sizeof got, &len, 0)); /* what was queued drains */
    ASSERT_EQ(5, got);
    ASSERT_EQ(WZ_CLOSED, ipcq_recv(q, &got, sizeof got, &len, 1000));
    ASSERT_EQ(0, ipcq_reset(q));
    ASSERT_TRUE(!ipcq_is_closed(q));
    ipcq_destroy(q);
}

static void *closer(void *arg)
{
    wz_sleep_ms(50);
    ipcq_close(arg);
    return NULL;
}

static void test_close_wakes_blocked_receiver(void)
{
    ipcq *q = make(4, 64);
    pthread_t t;
    pthread_create(&t, NULL, closer, q);
    char buf[64];
    size_t len;
    int64_t t0 = wz_now_ms();
    ASSERT_EQ(WZ_CLOSED, ipcq_recv(q, buf, sizeof buf, &len, 5000));
    ASSERT_LE(wz_now_ms() - t0, 4000); /* woken by close, not by the timeout */
    pthread_join(t, NULL);
    ipcq_destroy(q);
}

typedef struct { ipcq *q; int n; } producer_arg;

static void *producer(void *arg)
{
    producer_arg *p = arg;
    for (int i = 0; i < p->n; i++)
        if (ipcq_send(p->q, &i, sizeof i, -1) != WZ_OK)
            abort();
    return NULL;
}

static void test_threads_blocking_transfer_in_order(void)
{
    ipcq *q = make(3, 64);
    producer_arg a = { q, 20000 };
    pthread_t t;
    pthread_create(&t, NULL, producer, &a);
    for (int i = 0; i < a.n; i++) {
        int v;
        size_t len;
        ASSERT_EQ(WZ_OK, ipcq_recv(q, &v, sizeof v, &len, 5000));
        ASSERT_EQ(i, v);
    }
    pthread_join(t, NULL);
    ipcq_destroy(q);
}

static void test_reset_drops_contents(void)
{
    ipcq *q = make(4, 64);
    int v = 1;
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(WZ_OK, ipcq_send(q, &v, sizeof v, 0));
    ASSERT_EQ(3, ipcq_reset(q));
    ASSERT_EQ(0, ipcq_depth(q));
    ipcq_destroy(q);
}

/* Shared only: two processes, and a sender killed mid-stream. */
static void test_across_processes(void)
{
    ipcq *q = make(5, 128);
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 5000; i++)
            if (ipcq_send(q, &i, sizeof i, 5000) != WZ_OK)
                _exit(1);
        _exit(0);
    }
    for (int i = 0; i < 5000; i++) {
        int v;
        size_t len;
        ASSERT_EQ(WZ_OK, ipcq_recv(q, &v, sizeof v, &len, 5000));
        ASSERT_EQ(i, v);
    }
    int st;
    waitpid(pid, &st, 0);
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ipcq_destroy(q);
}

static void test_peer_killed_while_waiting_leaves_queue_usable(void)
{
    ipcq *q = make(2, 64);
    int v = 3;
    ASSERT_EQ(WZ_OK, ipcq_send(q, &v, sizeof v, 0));
    ASSERT_EQ(WZ_OK, ipcq_send(q, &v, sizeof v, 0));
    pid_t pid = fork();
    if (pid == 0) {
        int r = ipcq_send(q, &v, sizeof v, -1); /* blocks: queue full */
        _exit(r == WZ_OK ? 0 : 1);
    }
    wz_sleep_ms(50);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    size_t len;
    int got;
    ASSERT_EQ(WZ_OK, ipcq_recv(q, &got, sizeof got, &len, 100));
    ASSERT_EQ(WZ_OK, ipcq_send(q, &v, sizeof v, 100));
    ASSERT_EQ(2, ipcq_depth(q));
    ipcq_destroy(q);
}

static void test_invalid_arguments(void)
{
    ipcq *q = NULL;
    ASSERT_EQ(WZ_INVAL, g_create(&q, 0, 64));
    ASSERT_EQ(WZ_INVAL, g_create(&q, 4, 1));
    ASSERT_TRUE(q == NULL);
}

static void run_all(const char *label)
{
    fprintf(stderr, "-- %s\n", label);
    RUN(test_capacity_and_depth);
    RUN(test_fifo_order);
    RUN(test_reserve_keeps_room_for_control);
    RUN(test_recv_timeout_on_empty);
    RUN(test_send_timeout_on_full);
    RUN(test_oversize_rejected_not_truncated);
    RUN(test_close_wakes_and_drains);
    RUN(test_close_wakes_blocked_receiver);
    RUN(test_threads_blocking_transfer_in_order);
    RUN(test_reset_drops_contents);
    RUN(test_invalid_arguments);
}

int main(void)
{
    g_create = ipcq_create_shared;
    run_all("shared (processes)");
    RUN(test_across_processes);
    RUN(test_peer_killed_while_waiting_leaves_queue_usable);
    g_create = ipcq_create_local;
    run_all("local (threads)");
    return TEST_SUMMARY();
}
