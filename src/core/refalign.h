/* refalign.h: picks, for each chunk of captured microphone samples, the
 * played samples that were at the loudspeaker's converter when the chunk
 * was at the microphone's: the echo canceller's reference, by time stamps.
 *
 * Inputs, all on the core thread:
 * - the played signal, in order (what the output callback wrote, at the
 *   output rate), appended with refalign_push(); kept as history_ms of
 *   history indexed by its running sample count;
 * - the latest output stamp: played sample index P meets the DAC at time
 *   Tp (PortAudio outputBufferDacTime);
 * - the latest input stamp: captured sample index C met the ADC at time Tc
 *   (PortAudio inputBufferAdcTime).
 * Captured sample c then met the ADC at Tc + (c - C) / in_rate, and the
 * played sample at the DAC at that time is P + (t - Tp) * out_rate. The
 * reference is taken lead_ms later than that: the echo canceller can only
 * model an echo that follows its reference (its tail, aec.tail_ms, covers
 * the lead plus the acoustic delay), so a reference a little early is
 * harmless and one a little late is not.
 *
 * The reference is read with a cursor that advances by exactly the chunk's
 * length at the output rate, so it has no gaps or repeats: time-stamp
 * jitter (within 0.5 ms on the PulseAudio path) and clock drift are absorbed
 * by slewing the cursor one sample per chunk along a smoothed error; a
 * step that persists (smoothed error beyond step_ms: an output underrun
 * shifted the DAC timeline) or a jump beyond resync_ms (an output stall, a
 * restarted stream) for 3 takes in a row moves it at once. Played samples not in the history
 * yet are silence (counted as late).
 *
 * Without stamps (refalign_take with have_stamps false) the target is the
 * most recently played audio, which is what the backend did before stamps.
 *
 * Allocation only in refalign_create(); the rest allocates nothing and makes
 * no system call. One thread. */
#ifndef WZ_REFALIGN_H
#define WZ_REFALIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wz.h"

typedef struct {
    int in_rate, out_rate; /* Hz, 1000..384000 */
    int history_ms;        /* played audio kept (default 2000) */
    int lead_ms;           /* reference taken this much early (default 10) */
    int resync_ms;         /* jump at once when the raw error exceeds this (default 40) */
    int step_ms;           /* jump when the smoothed error exceeds this (default 6) */
} refalign_config;

typedef struct {
    uint64_t resyncs;      /* cursor jumps (not counting the first placement) */
    uint64_t late;         /* reference samples not yet played when needed */
    int64_t last_error;    /* target - cursor at the last take, output samples */
} refalign_stats;

typedef struct refalign refalign;

/* history 2000 ms, lead 10 ms, resync 40 ms, step 6 ms; rates 16 kHz. */
void refalign_config_init(refalign_config *c);

/* WZ_INVAL for bad rates or limits, WZ_NOMEM. On error *out is NULL. */
WZ_MUST_CHECK int refalign_create(refalign **out, const refalign_config *c);
void refalign_destroy(refalign *ra); /* NULL is ignored */

/* Appends n played samples (output rate); their indices continue from the
 * previous push, starting at 0. */
void refalign_push(refalign *ra, const int16_t *played, size_t n);
/* Running count of samples pushed. */
uint64_t refalign_pushed(const refalign *ra);

typedef struct {
    uint64_t index;  /* running sample count of the stamped sample */
    int64_t time_ns; /* when it met the converter (any clock shared by both) */
} refalign_stamp;

/* The reference for captured samples [cap_index, cap_index + k): writes
 * the matching number of output-rate samples (k * out_rate / in_rate, the
 * remainder carried to the next call) to dst and returns it. dst must hold
 * refalign_max_out(ra, k). in/out are the latest stamps; ignored unless
 * have_stamps. */
size_t refalign_take(refalign *ra, uint64_t cap_index, size_t k, bool have_stamps, refalign_stamp in,
                     refalign_stamp out, int16_t *dst);
size_t refalign_max_out(const refalign *ra, size_t k);

void refalign_get_stats(const refalign *ra, refalign_stats *st);

#endif
