/* rt.h: real-time scheduling for the core's frame thread.
 *
 * Under load a normal-priority thread waits behind every runnable process:
 * with both cores busy the 20 ms frame chain took up to 15 ms (p99) instead
 * of 1.6 ms. The core asks the kernel for SCHED_FIFO, as audio servers do,
 * with a CPU-time guard: a frame thread that never blocks for RT_GUARD_MS
 * gets SIGXCPU (and SIGKILL at twice that), so a bug cannot freeze the
 * machine; the supervisor then restarts the core. */
#ifndef WZ_RT_H
#define WZ_RT_H

#include <stddef.h>

#define RT_GUARD_MS 200

/* Moves the calling thread to SCHED_FIFO at prio (1..99; children forked
 * later start at normal priority). On failure (no CAP_SYS_NICE and no
 * RLIMIT_RTPRIO) returns a wz_err and writes the reason into err; the caller
 * carries on at normal priority. */
int rt_raise(int prio, char *err, size_t errlen);

#endif
