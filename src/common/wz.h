/* wz.h: the one error type shared by every Wyzer module, plus tiny helpers.
 *
 * Functions return 0 (WZ_OK) or a negative wz_err; values come back through
 * out-parameters. wz_strerror() and the enum are generated from WZ_ERRORS so
 * they can never disagree. */
#ifndef WZ_H
#define WZ_H

#include <stddef.h>
#include <stdint.h>

#define WZ_ERRORS(X)                                              \
    X(OK,          0,   "success")                                \
    X(NOMEM,      -1,   "out of memory")                          \
    X(INVAL,      -2,   "invalid argument")                       \
    X(IO,         -3,   "input/output error")                     \
    X(TIMEDOUT,   -4,   "timed out")                              \
    X(FULL,       -5,   "queue full")                             \
    X(CLOSED,     -6,   "closed by peer")                         \
    X(TOOBIG,     -7,   "size limit exceeded")                    \
    X(PROTO,      -8,   "malformed data")                         \
    X(NOTFOUND,   -9,   "not found")                              \
    X(UNSUPP,     -10,  "unsupported")                            \
    X(CANCELED,   -11,  "canceled")                               \
    X(ENGINE,     -12,  "engine failure")                         \
    X(HTTP,       -13,  "HTTP error")                             \
    X(CONFIG,     -14,  "configuration error")                    \
    X(AGAIN,      -15,  "try again")

typedef enum {
#define WZ_ERR_ENUM(name, val, msg) WZ_##name = (val),
    WZ_ERRORS(WZ_ERR_ENUM)
#undef WZ_ERR_ENUM
} wz_err;

/* Returns a static, human-readable description; never NULL. */
const char *wz_strerror(int err);

#define WZ_MUST_CHECK __attribute__((warn_unused_result))
#define WZ_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define WZ_MIN(a, b) ((a) < (b) ? (a) : (b))
#define WZ_MAX(a, b) ((a) > (b) ? (a) : (b))
#define WZ_UNUSED(x) ((void)(x))

/* Audio format everywhere between modules: PCM s16le, 16 kHz, mono. */
#define WZ_SAMPLE_RATE 16000

/* Monotonic clock (CLOCK_MONOTONIC, shared by all processes on the host). */
int64_t wz_now_ns(void);
static inline int64_t wz_now_ms(void) { return wz_now_ns() / 1000000; }

/* Sleep that resumes after signals until the time has passed. */
void wz_sleep_ms(int64_t ms);

/* Bounded string copy that always NUL-terminates. Returns WZ_TOOBIG (and
 * still terminates) when src did not fit. */
int wz_strlcpy(char *dst, const char *src, size_t cap);

/* Reads a whole file of at most cap bytes into a new NUL-terminated buffer
 * (*out, for free(); *len gets its length if len is not NULL). WZ_IO if it
 * cannot be opened (errno says why) or read, WZ_TOOBIG if it is over cap,
 * WZ_NOMEM; *out is NULL then. For data and configuration files fed from
 * outside: the cap bounds what they can make Wyzer allocate. */
int wz_read_file(const char *path, size_t cap, char **out, size_t *len) WZ_MUST_CHECK;

#endif
