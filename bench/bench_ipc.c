/* bench_ipc.c: IPC round-trip latency and throughput.
 *
 * For 640-byte (20 ms of 16 kHz audio) and 32 KiB (a TTS chunk) messages:
 * round trip = send to an echo peer + receive its reply, p50/p99/max over
 * N trips after a warm-up; throughput = one-way messages per second.
 * Measured for the shared-memory queue between processes, the local queue
 * between threads, and, as the baseline the design was chosen against, an
 * AF_UNIX SOCK_SEQPACKET socketpair between processes. */
#include "ipc/ipcq.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRIPS 20000
#define WARMUP 2000
#define THROUGHPUT_MSGS 100000

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void report(const char *impl, size_t bytes, int64_t *ns, int n, double msgs_per_s)
{
    qsort(ns, (size_t)n, sizeof *ns, cmp_i64);
    printf("%-26s %6zu B  p50 %7.1f us  p99 %7.1f us  max %8.1f us  %9.0f msg/s\n", impl, bytes,
           ns[n / 2] / 1e3, ns[(int)(n * 0.99)] / 1e3, ns[n - 1] / 1e3, msgs_per_s);
}

/* --- queues ------------------------------------------------------------- */

typedef struct { ipcq *in, *out; size_t bytes; int count; } echo_arg;

static void echo_loop(echo_arg *a)
{
    char *buf = malloc(a->bytes);
    for (int i = 0; i < a->count; i++) {
        size_t len;
        if (ipcq_recv(a->in, buf, a->bytes, &len, -1) != WZ_OK)
            break;
        if (ipcq_send(a->out, buf, len, -1) != WZ_OK)
            break;
    }
    free(buf);
}

static void *echo_thread(void *p) { echo_loop(p); return NULL; }

static void *sink_thread(void *p)
{
    echo_arg *a = p;
    char *buf = malloc(a->bytes);
    for (int i = 0; i < a->count; i++) {
        size_t len;
        if (ipcq_recv(a->in, buf, a->bytes, &len, -1) != WZ_OK)
            break;
    }
    free(buf);
    return NULL;
}

static void bench_queue(bool shared, size_t bytes)
{
    ipcq *a, *b;
    int (*create)(ipcq **, size_t, size_t) = shared ? ipcq_create_shared : ipcq_create_local;
    if (create(&a, 50, bytes) != WZ_OK || create(&b, 50, bytes) != WZ_OK) {
        fprintf(stderr, "queue create failed\n");
        exit(1);
    }
    int total = TRIPS + WARMUP;
    echo_arg ea = { a, b, bytes, total };
    pid_t pid = 0;
    pthread_t t;
    if (shared) {
        pid = fork();
        if (pid == 0) {
            echo_loop(&ea);
            _exit(0);
        }
    } else {
        pthread_create(&t, NULL, echo_thread, &ea);
    }
    char *msg = calloc(1, bytes), *back = malloc(bytes);
    int64_t *ns = malloc(sizeof *ns * TRIPS);
    for (int i = 0; i < total; i++) {
        int64_t t0 = wz_now_ns();
        size_t len;
        if (ipcq_send(a, msg, bytes, -1) != WZ_OK || ipcq_recv(b, back, bytes, &len, -1) != WZ_OK) {
            fprintf(stderr, "round trip failed\n");
            exit(1);
        }
        if (i >= WARMUP)
            ns[i - WARMUP] = wz_now_ns() - t0;
    }
    if (shared)
        waitpid(pid, NULL, 0);
    else
        pthread_join(t, NULL);

    /* Throughput: one-way stream into a draining peer. */
    echo_arg sa = { a, NULL, bytes, THROUGHPUT_MSGS };
    if (shared) {
        pid = fork();
        if (pid == 0) {
            sink_thread(&sa);
            _exit(0);
        }
    } else {
        pthread_create(&t, NULL, sink_thread, &sa);
    }
    int64_t t0 = wz_now_ns();
    for (int i = 0; i < THROUGHPUT_MSGS; i++)
        if (ipcq_send(a, msg, bytes, -1) != WZ_OK)
            exit(1);
    if (shared)
        waitpid(pid, NULL, 0);
    else
        pthread_join(t, NULL);
    double secs = (wz_now_ns() - t0) / 1e9;
    report(shared ? "queue, processes (shm)" : "queue, threads", bytes, ns, TRIPS, THROUGHPUT_MSGS / secs);
    free(msg);
    free(back);
    free(ns);
    ipcq_destroy(a);
    ipcq_destroy(b);
}

/* --- baseline: SOCK_SEQPACKET ------------------------------------------- */

static void bench_seqpacket(size_t bytes)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) {
        perror("socketpair");
        return;
    }
    int sz = (int)(bytes * 64);
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    int total = TRIPS + WARMUP;
    char *msg = calloc(1, bytes), *back = malloc(bytes);
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        for (int i = 0; i < total; i++) {
            ssize_t n = recv(sv[1], back, bytes, 0);
            if (n <= 0 || send(sv[1], back, (size_t)n, 0) != n)
                _exit(1);
        }
        for (;;)
            if (recv(sv[1], back, bytes, 0) <= 0)
                _exit(0);
    }
    close(sv[1]);
    int64_t *ns = malloc(sizeof *ns * TRIPS);
    for (int i = 0; i < total; i++) {
        int64_t t0 = wz_now_ns();
        if (send(sv[0], msg, bytes, 0) != (ssize_t)bytes || recv(sv[0], back, bytes, 0) != (ssize_t)bytes) {
            fprintf(stderr, "seqpacket round trip failed\n");
            exit(1);
        }
        if (i >= WARMUP)
            ns[i - WARMUP] = wz_now_ns() - t0;
    }
    int64_t t0 = wz_now_ns();
    for (int i = 0; i < THROUGHPUT_MSGS; i++)
        if (send(sv[0], msg, bytes, 0) != (ssize_t)bytes)
            exit(1);
    close(sv[0]);
    waitpid(pid, NULL, 0);
    double secs = (wz_now_ns() - t0) / 1e9;
    report("SOCK_SEQPACKET (baseline)", bytes, ns, TRIPS, THROUGHPUT_MSGS / secs);
    free(msg);
    free(back);
    free(ns);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    printf("IPC round trip (%d trips after %d warm-up) and one-way throughput (%d messages)\n",
           TRIPS, WARMUP, THROUGHPUT_MSGS);
    size_t sizes[] = { 640, 32768 };
    for (size_t i = 0; i < 2; i++) {
        bench_queue(true, sizes[i]);
        bench_queue(false, sizes[i]);
        bench_seqpacket(sizes[i]);
    }
    return 0;
}
