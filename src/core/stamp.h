/* stamp.h: one (sample index, time) pair published by an audio callback and
 * read by the core thread, through a seqlock.
 *
 * The live backend's callbacks know when their samples meet the converter:
 * PortAudio's outputBufferDacTime for the first sample an output callback
 * writes, inputBufferAdcTime for the first sample an input callback
 * delivers. Each callback publishes that pair (the sample's index in its
 * ring's running total, and the time in nanoseconds on PortAudio's clock);
 * the core reads the latest pair and extrapolates at the stream's rate
 * (core/refalign.h).
 *
 * Seqlock protocol: the writer makes the sequence odd, stores both fields,
 * makes it even again; the reader retries while the sequence is odd or
 * changed under it. Fields are relaxed atomics so nothing is a data race.
 *
 * Thread safety: exactly one writer thread (the callback) and any number of
 * readers. Audio-thread safety: stamp_publish() is wait-free, allocates
 * nothing and makes no system call. stamp_read() may retry (bounded, see
 * stamp.c) and is for the core thread. */
#ifndef WZ_STAMP_H
#define WZ_STAMP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    atomic_uint_fast64_t seq;   /* even: stable; odd: being written; 0: never written */
    atomic_uint_fast64_t index; /* ring running total of the stamped sample */
    atomic_int_fast64_t time_ns;
} stamp_cell;

/* Zeroes c: nothing published yet. Only while no callback runs. */
void stamp_init(stamp_cell *c);

/* Writer (audio callback): publishes that sample `index` meets the
 * converter at time_ns. */
void stamp_publish(stamp_cell *c, uint64_t index, int64_t time_ns);

/* Reader: the latest consistent pair. false when nothing was published yet
 * (or, after 100 torn reads in a row, the writer never stood still). */
bool stamp_read(const stamp_cell *c, uint64_t *index, int64_t *time_ns);

#endif
