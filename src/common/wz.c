/* wz.c: error strings, clock and small string helpers. */
#include "common/wz.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *wz_strerror(int err)
{
    switch (err) {
#define WZ_ERR_CASE(name, val, msg) case (val): return msg;
        WZ_ERRORS(WZ_ERR_CASE)
#undef WZ_ERR_CASE
    }
    return "unknown error";
}

int64_t wz_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void wz_sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

int wz_strlcpy(char *dst, const char *src, size_t cap)
{
    if (cap == 0)
        return WZ_TOOBIG;
    size_t n = strlen(src);
    if (n >= cap) {
        memcpy(dst, src, cap - 1);
        dst[cap - 1] = '\0';
        return WZ_TOOBIG;
    }
    memcpy(dst, src, n + 1);
    return WZ_OK;
}

int wz_read_file(const char *path, size_t cap, char **out, size_t *len)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return WZ_IO;
    char *buf = malloc(cap + 2);
    if (!buf) {
        fclose(f);
        return WZ_NOMEM;
    }
    size_t n = fread(buf, 1, cap + 1, f);
    bool bad = ferror(f);
    fclose(f);
    if (bad || n > cap) {
        free(buf);
        return bad ? WZ_IO : WZ_TOOBIG;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return WZ_OK;
}
