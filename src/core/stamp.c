/* stamp.c: seqlock for one (index, time) pair (see stamp.h). */
#include "core/stamp.h"

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "stamps must be lock-free for the audio callback");

/* A callback publishes once per 10 ms period, and a write takes a few
 * nanoseconds, so a reader that sees 100 torn reads in a row is facing a
 * writer that is not running normally; it gives up rather than spin. */
#define STAMP_READ_TRIES 100

void stamp_init(stamp_cell *c)
{
    atomic_init(&c->seq, 0);
    atomic_init(&c->index, 0);
    atomic_init(&c->time_ns, 0);
}

void stamp_publish(stamp_cell *c, uint64_t index, int64_t time_ns)
{
    uint_fast64_t s = atomic_load_explicit(&c->seq, memory_order_relaxed);
    /* 0 means "never written", so the first publish goes 0 -> 1 -> 2. */
    atomic_store_explicit(&c->seq, s + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release); /* odd seq before the fields */
    atomic_store_explicit(&c->index, index, memory_order_relaxed);
    atomic_store_explicit(&c->time_ns, time_ns, memory_order_relaxed);
    atomic_store_explicit(&c->seq, s + 2, memory_order_release); /* fields before even seq */
}

bool stamp_read(const stamp_cell *c, uint64_t *index, int64_t *time_ns)
{
    stamp_cell *m = (stamp_cell *)c; /* C11 atomic loads take non-const pointers */
    for (int i = 0; i < STAMP_READ_TRIES; i++) {
        uint_fast64_t s1 = atomic_load_explicit(&m->seq, memory_order_acquire);
        if (s1 == 0)
            return false;
        if (s1 & 1)
            continue;
        uint64_t ix = atomic_load_explicit(&m->index, memory_order_relaxed);
        int64_t t = atomic_load_explicit(&m->time_ns, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire); /* fields before the re-check */
        if (atomic_load_explicit(&m->seq, memory_order_relaxed) == s1) {
            *index = ix;
            *time_ns = t;
            return true;
        }
    }
    return false;
}
