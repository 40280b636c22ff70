/* rt.c: see rt.h. */
#include "core/rt.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "common/wz.h"

int rt_raise(int prio, char *err, size_t errlen)
{
    if (prio < 1 || prio > 99) {
        snprintf(err, errlen, "real-time priority %d out of range 1..99", prio);
        return WZ_INVAL;
    }
    /* The guard first: never run SCHED_FIFO without it. RLIMIT_RTTIME counts
     * CPU time consumed under a real-time policy without blocking. */
    struct rlimit guard = {.rlim_cur = RT_GUARD_MS * 1000, .rlim_max = 2 * RT_GUARD_MS * 1000};
    struct rlimit have;
    if (getrlimit(RLIMIT_RTTIME, &have) == 0 && have.rlim_max != RLIM_INFINITY && have.rlim_max < guard.rlim_max) {
        guard.rlim_max = have.rlim_max; /* an unprivileged process cannot raise it */
        guard.rlim_cur = WZ_MIN(guard.rlim_cur, have.rlim_max);
    }
    if (setrlimit(RLIMIT_RTTIME, &guard) != 0) {
        snprintf(err, errlen, "cannot set the real-time CPU guard (RLIMIT_RTTIME): %s", strerror(errno));
        return WZ_IO;
    }
    struct sched_param sp = {.sched_priority = prio};
    /* pid 0 is the calling thread on Linux */
    if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) != 0) {
        int e = errno;
        snprintf(err, errlen, "cannot use real-time priority %d: %s (needs CAP_SYS_NICE or an rtprio limit, "
                 "see docs/audio.md)", prio, strerror(e));
        return e == EPERM ? WZ_UNSUPP : WZ_IO;
    }
    return WZ_OK;
}
