/* ring.h: lock-free single-producer/single-consumer ring of int16 samples.
 *
 * The bridge between the audio callback and the core thread. Capacity is a
 * power of two (rounded up at create) so indices wrap with a mask. The write
 * and read counters are C11 atomics on separate cache lines; the producer
 * publishes with a release store and the consumer observes it with an acquire
 * load (and vice versa for freed space), so the samples themselves need no
 * further synchronisation.
 *
 * Thread safety: exactly one producer thread may call ring_write*() and
 * exactly one consumer thread ring_read()/ring_skip*(); ring_readable() and
 * ring_writable() may be called from either (they return a snapshot that
 * can only grow for the side that calls it). ring_reset() needs both sides
 * idle.
 * Audio-thread safety: everything except create/destroy is wait-free,
 * allocates nothing and makes no system call. */
#ifndef WZ_RING_H
#define WZ_RING_H

#include <stddef.h>
#include <stdint.h>

#include "common/wz.h"

/* Largest capacity accepted: 2^26 samples (64 Mi samples, 128 MiB). */
#define RING_MAX_CAPACITY ((size_t)1 << 26)

typedef struct ring ring;

/* Allocates a ring holding at least min_capacity samples (rounded up to a
 * power of two). WZ_INVAL for 0 or more than RING_MAX_CAPACITY, WZ_NOMEM.
 * The only allocation the ring ever makes. Free with ring_destroy(). */
WZ_MUST_CHECK int ring_create(ring **out, size_t min_capacity);
void ring_destroy(ring *r); /* NULL is ignored */

size_t ring_capacity(const ring *r);
/* Samples the consumer can read now. */
size_t ring_readable(const ring *r);
/* Space the producer can fill now. */
size_t ring_writable(const ring *r);

/* Producer: copies up to n samples in; returns how many fit (the rest is
 * not written: the caller counts an overrun). */
size_t ring_write(ring *r, const int16_t *src, size_t n);
/* Producer: appends up to n zero samples; returns how many fit. */
size_t ring_write_zeros(ring *r, size_t n);

/* Consumer: copies up to n samples out; returns how many were read. */
size_t ring_read(ring *r, int16_t *dst, size_t n);
/* Consumer: drops up to n samples; returns how many were dropped. */
size_t ring_skip(ring *r, size_t n);
/* Consumer: drops everything readable now; returns how many. */
size_t ring_skip_all(ring *r);

/* Running totals, for position bookkeeping across threads: samples ever
 * written (producer's counter) and ever read or skipped (consumer's). Both
 * wrap at SIZE_MAX; compare them only by difference. Either side may call. */
size_t ring_write_total(const ring *r);
size_t ring_read_total(const ring *r);
/* Consumer: drops samples until the read total reaches write_total (a value
 * ring_write_total() returned earlier), so a producer can cancel exactly
 * what it had queued up to that moment and nothing it queued after. A value
 * already passed is a no-op. Returns samples dropped. */
size_t ring_skip_to(ring *r, size_t write_total);

/* Empties the ring. Only while neither side is running. */
void ring_reset(ring *r);

#endif
