/* ipcq.c: bounded MPMC ring of byte messages over shared or private memory.
 *
 * Layout: one header followed by `capacity` fixed slots of (4-byte length +
 * max_bytes). The ring indices are guarded by a mutex held only for the
 * memcpy; waiting happens on two futex sequence words (data_seq, space_seq)
 * outside the lock, so a process that dies while waiting leaves no state
 * behind, unlike a process-shared condition variable. */
#include "ipc/ipcq.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define IPCQ_MAGIC 0x57595a51u /* "WYZQ" */

struct ipcq {
    uint32_t magic;
    uint32_t shared;          /* 1: mmap'd across processes */
    size_t capacity;
    size_t max_bytes;
    size_t slot_bytes;
    size_t map_bytes;
    pthread_mutex_t lock;
    uint64_t head, tail;      /* guarded by lock; tail - head = depth */
    _Atomic uint32_t data_seq;  /* bumped after every send */
    _Atomic uint32_t space_seq; /* bumped after every receive or reset */
    _Atomic uint32_t closed;
    ipcq_stats stats;         /* guarded by lock */
    _Alignas(16) unsigned char slots[];
};

static long futex_wait(ipcq *q, _Atomic uint32_t *word, uint32_t seen, int timeout_ms)
{
    struct timespec ts, *tp = NULL;
    if (timeout_ms >= 0) {
        ts.tv_sec = timeout_ms / 1000;
        ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
        tp = &ts;
    }
    int op = q->shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE;
    return syscall(SYS_futex, (uint32_t *)word, op, seen, tp, NULL, 0);
}

static void futex_wake_all(ipcq *q, _Atomic uint32_t *word)
{
    int op = q->shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE;
    syscall(SYS_futex, (uint32_t *)word, op, INT_MAX, NULL, NULL, 0);
}

static void lock(ipcq *q)
{
    int rc = pthread_mutex_lock(&q->lock);
    if (rc == EOWNERDEAD) {
        /* The holder died mid-operation. Indices are only advanced after the
         * copy completes, so the ring is consistent; mark the mutex usable. */
        pthread_mutex_consistent(&q->lock);
    }
}

static void unlock(ipcq *q) { pthread_mutex_unlock(&q->lock); }

static int create(ipcq **out, size_t capacity, size_t max_bytes, bool shared)
{
    *out = NULL;
    if (capacity < 1 || max_bytes < 16 || max_bytes > (64u << 20) || capacity > (1u << 20))
        return WZ_INVAL;
    size_t slot = (sizeof(uint32_t) + max_bytes + 15) & ~(size_t)15;
    size_t bytes = sizeof(ipcq) + slot * capacity;
    ipcq *q;
    if (shared) {
        void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return WZ_NOMEM;
        q = p;
    } else {
        q = calloc(1, bytes);
        if (!q)
            return WZ_NOMEM;
    }
    q->magic = IPCQ_MAGIC;
    q->shared = shared;
    q->capacity = capacity;
    q->max_bytes = max_bytes;
    q->slot_bytes = slot;
    q->map_bytes = bytes;
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    if (shared) {
        pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
        pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    }
    pthread_mutex_init(&q->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    *out = q;
    return WZ_OK;
}

int ipcq_create_shared(ipcq **out, size_t capacity, size_t max_bytes)
{
    return create(out, capacity, max_bytes, true);
}

int ipcq_create_local(ipcq **out, size_t capacity, size_t max_bytes)
{
    return create(out, capacity, max_bytes, false);
}

void ipcq_destroy(ipcq *q)
{
    if (!q)
        return;
    if (q->shared) {
        munmap(q, q->map_bytes);
    } else {
        pthread_mutex_destroy(&q->lock);
        free(q);
    }
}

static unsigned char *slot_at(ipcq *q, uint64_t idx)
{
    return q->slots + (size_t)(idx % q->capacity) * q->slot_bytes;
}

/* Copies the message in if more than `reserve` slots are free. Lock held. */
static int push_locked(ipcq *q, const void *data, size_t len, size_t reserve)
{
    size_t free_slots = q->capacity - (size_t)(q->tail - q->head);
    if (free_slots <= reserve)
        return WZ_FULL;
    unsigned char *s = slot_at(q, q->tail);
    uint32_t l = (uint32_t)len;
    memcpy(s, &l, sizeof l);
    memcpy(s + sizeof l, data, len);
    q->tail++;
    q->stats.sent++;
    return WZ_OK;
}

static int64_t deadline_after(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : wz_now_ms() + timeout_ms;
}

static int remaining_ms(int64_t deadline)
{
    if (deadline < 0)
        return -1;
    int64_t r = deadline - wz_now_ms();
    return r < 0 ? 0 : (int)r;
}

int ipcq_send(ipcq *q, const void *data, size_t len, int timeout_ms)
{
    int64_t deadline = deadline_after(timeout_ms);
    if (len > q->max_bytes) {
        lock(q);
        q->stats.rejected_toobig++;
        unlock(q);
        return WZ_TOOBIG;
    }
    for (;;) {
        if (atomic_load(&q->closed))
            return WZ_CLOSED;
        uint32_t seen = atomic_load(&q->space_seq);
        lock(q);
        int rc = push_locked(q, data, len, 0);
        unlock(q);
        if (rc == WZ_OK) {
            atomic_fetch_add(&q->data_seq, 1);
            futex_wake_all(q, &q->data_seq);
            return WZ_OK;
        }
        int left = remaining_ms(deadline);
        if (left == 0)
            return WZ_TIMEDOUT;
        futex_wait(q, &q->space_seq, seen, left);
    }
}

int ipcq_try_send(ipcq *q, const void *data, size_t len, size_t reserve)
{
    if (atomic_load(&q->closed))
        return WZ_CLOSED;
    lock(q);
    int rc;
    if (len > q->max_bytes) {
        q->stats.rejected_toobig++;
        rc = WZ_TOOBIG;
    } else {
        rc = push_locked(q, data, len, reserve);
        if (rc == WZ_FULL)
            q->stats.rejected_full++;
    }
    unlock(q);
    if (rc == WZ_OK) {
        atomic_fetch_add(&q->data_seq, 1);
        futex_wake_all(q, &q->data_seq);
    }
    return rc;
}

int ipcq_recv(ipcq *q, void *buf, size_t cap, size_t *len, int timeout_ms)
{
    int64_t deadline = deadline_after(timeout_ms);
    for (;;) {
        uint32_t seen = atomic_load(&q->data_seq);
        lock(q);
        if (q->tail != q->head) {
            unsigned char *s = slot_at(q, q->head);
            uint32_t l;
            memcpy(&l, s, sizeof l);
            int rc = WZ_OK;
            if (l > cap) {
                rc = WZ_TOOBIG;
                q->stats.rejected_toobig++;
            } else {
                memcpy(buf, s + sizeof l, l);
                *len = l;
                q->stats.received++;
            }
            q->head++;
            unlock(q);
            atomic_fetch_add(&q->space_seq, 1);
            futex_wake_all(q, &q->space_seq);
            return rc;
        }
        unlock(q);
        if (atomic_load(&q->closed))
            return WZ_CLOSED;
        int left = remaining_ms(deadline);
        if (left == 0)
            return WZ_TIMEDOUT;
        futex_wait(q, &q->data_seq, seen, left);
    }
}

void ipcq_close(ipcq *q)
{
    atomic_store(&q->closed, 1);
    atomic_fetch_add(&q->data_seq, 1);
    atomic_fetch_add(&q->space_seq, 1);
    futex_wake_all(q, &q->data_seq);
    futex_wake_all(q, &q->space_seq);
}

size_t ipcq_reset(ipcq *q)
{
    lock(q);
    size_t dropped = (size_t)(q->tail - q->head);
    q->head = q->tail;
    unlock(q);
    atomic_store(&q->closed, 0);
    atomic_fetch_add(&q->space_seq, 1);
    futex_wake_all(q, &q->space_seq);
    return dropped;
}

bool ipcq_is_closed(const ipcq *q) { return atomic_load(&((ipcq *)q)->closed) != 0; }
size_t ipcq_capacity(const ipcq *q) { return q->capacity; }
size_t ipcq_max_bytes(const ipcq *q) { return q->max_bytes; }

size_t ipcq_depth(ipcq *q)
{
    lock(q);
    size_t d = (size_t)(q->tail - q->head);
    unlock(q);
    return d;
}

void ipcq_get_stats(ipcq *q, ipcq_stats *out)
{
    lock(q);
    *out = q->stats;
    unlock(q);
}
