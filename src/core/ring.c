/* ring.c: SPSC sample ring with C11 atomics (see ring.h for the protocol). */
#include "core/ring.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* 64 bytes is the cache line on x86-64 and most ARM cores; keeping the two
 * counters apart stops the producer and consumer from bouncing one line. */
#define CACHE_LINE 64

struct ring {
    _Alignas(CACHE_LINE) atomic_size_t head; /* total written; producer stores */
    _Alignas(CACHE_LINE) atomic_size_t tail; /* total read; consumer stores */
    _Alignas(CACHE_LINE) size_t mask;
    int16_t *buf;
};

_Static_assert(ATOMIC_LONG_LOCK_FREE == 2 || ATOMIC_LLONG_LOCK_FREE == 2,
               "the ring needs lock-free word-sized atomics");

int ring_create(ring **out, size_t min_capacity)
{
    if (!out)
        return WZ_INVAL;
    *out = NULL;
    if (min_capacity == 0 || min_capacity > RING_MAX_CAPACITY)
        return WZ_INVAL;
    size_t cap = 1;
    while (cap < min_capacity)
        cap <<= 1;
    ring *r = aligned_alloc(CACHE_LINE, sizeof(*r));
    if (!r)
        return WZ_NOMEM;
    memset(r, 0, sizeof(*r));
    r->buf = calloc(cap, sizeof(int16_t));
    if (!r->buf) {
        free(r);
        return WZ_NOMEM;
    }
    r->mask = cap - 1;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    *out = r;
    return WZ_OK;
}

void ring_destroy(ring *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r);
}

size_t ring_capacity(const ring *r) { return r->mask + 1; }

size_t ring_readable(const ring *r)
{
    size_t t = atomic_load_explicit(&((ring *)r)->tail, memory_order_acquire);
    size_t h = atomic_load_explicit(&((ring *)r)->head, memory_order_acquire);
    return h - t;
}

size_t ring_writable(const ring *r) { return ring_capacity(r) - ring_readable(r); }

/* Copies n samples between the ring at logical index pos and flat memory,
 * in at most two pieces around the wrap point. */
static void copy_in(ring *r, size_t pos, const int16_t *src, size_t n)
{
    size_t cap = r->mask + 1, i = pos & r->mask, first = WZ_MIN(n, cap - i);
    if (src) {
        memcpy(r->buf + i, src, first * sizeof(int16_t));
        memcpy(r->buf, src + first, (n - first) * sizeof(int16_t));
    } else {
        memset(r->buf + i, 0, first * sizeof(int16_t));
        memset(r->buf, 0, (n - first) * sizeof(int16_t));
    }
}

static void copy_out(const ring *r, size_t pos, int16_t *dst, size_t n)
{
    size_t cap = r->mask + 1, i = pos & r->mask, first = WZ_MIN(n, cap - i);
    memcpy(dst, r->buf + i, first * sizeof(int16_t));
    memcpy(dst + first, r->buf, (n - first) * sizeof(int16_t));
}

static size_t produce(ring *r, const int16_t *src, size_t n)
{
    size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
    size_t k = WZ_MIN(n, r->mask + 1 - (h - t));
    if (k == 0)
        return 0;
    copy_in(r, h, src, k);
    atomic_store_explicit(&r->head, h + k, memory_order_release);
    return k;
}

size_t ring_write(ring *r, const int16_t *src, size_t n) { return src ? produce(r, src, n) : 0; }
size_t ring_write_zeros(ring *r, size_t n) { return produce(r, NULL, n); }

static size_t consume(ring *r, int16_t *dst, size_t n)
{
    size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t h = atomic_load_explicit(&r->head, memory_order_acquire);
    size_t k = WZ_MIN(n, h - t);
    if (k == 0)
        return 0;
    if (dst)
        copy_out(r, t, dst, k);
    atomic_store_explicit(&r->tail, t + k, memory_order_release);
    return k;
}

size_t ring_read(ring *r, int16_t *dst, size_t n) { return dst ? consume(r, dst, n) : 0; }
size_t ring_skip(ring *r, size_t n) { return consume(r, NULL, n); }
size_t ring_skip_all(ring *r) { return consume(r, NULL, SIZE_MAX); }

size_t ring_write_total(const ring *r)
{
    return atomic_load_explicit(&((ring *)r)->head, memory_order_acquire);
}

size_t ring_read_total(const ring *r)
{
    return atomic_load_explicit(&((ring *)r)->tail, memory_order_acquire);
}

size_t ring_skip_to(ring *r, size_t write_total)
{
    size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t h = atomic_load_explicit(&r->head, memory_order_acquire);
    size_t d = write_total - t; /* wraps to a huge value when already passed */
    if (d == 0 || d > h - t)
        return 0;
    atomic_store_explicit(&r->tail, write_total, memory_order_release);
    return d;
}

void ring_reset(ring *r)
{
    atomic_store(&r->head, 0);
    atomic_store(&r->tail, 0);
}
