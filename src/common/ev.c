/* ev.c: JSON Lines event writer. */
#include "common/ev.h"
#include "common/wz.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t g_start_ns;
static bool g_enabled;
static int g_fd = STDOUT_FILENO;
static _Thread_local ev_sink_fn g_sink; /* per thread: brain threads route to the queue */
static _Thread_local void *g_sink_ctx;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

void ev_init(int64_t start_ns, bool enabled)
{
    g_start_ns = start_ns;
    g_enabled = enabled;
}

bool ev_enabled(void) { return g_enabled; }
int64_t ev_start_ns(void) { return g_start_ns; }
int64_t ev_ms_since_start(int64_t mono_ns) { return (mono_ns - g_start_ns) / 1000000; }

void ev_set_fd(int fd)
{
    pthread_mutex_lock(&g_lock);
    g_fd = fd;
    pthread_mutex_unlock(&g_lock);
}

void ev_set_sink(ev_sink_fn fn, void *ctx)
{
    g_sink = fn;
    g_sink_ctx = ctx;
}

static void write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; /* stdout gone: nothing useful left to do with events */
        }
        p += n;
        len -= (size_t)n;
    }
}

void ev_write_line(const char *line, size_t len)
{
    if (g_sink) {
        g_sink(line, len, g_sink_ctx);
        return;
    }
    pthread_mutex_lock(&g_lock);
    write_all(g_fd, line, len);
    pthread_mutex_unlock(&g_lock);
}

void ev_emit(const char *event, json_t *fields)
{
    if (!g_enabled) {
        json_decref(fields);
        return;
    }
    json_t *obj = json_object();
    json_object_set_new(obj, "event", json_string(event));
    json_object_set_new(obj, "t_ms", json_integer(ev_ms_since_start(wz_now_ns())));
    if (json_is_object(fields))
        json_object_update(obj, fields);
    json_decref(fields);
    char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (!s)
        return;
    size_t len = strlen(s);
    char *line = realloc(s, len + 2);
    if (!line) {
        free(s);
        return;
    }
    line[len] = '\n';
    line[len + 1] = '\0';
    ev_write_line(line, len + 1);
    free(line);
}

void ev_emitf(const char *event, const char *fmt, ...)
{
    if (!g_enabled)
        return;
    va_list ap;
    va_start(ap, fmt);
    json_error_t jerr;
    json_t *fields = json_vpack_ex(&jerr, 0, fmt, ap);
    va_end(ap);
    ev_emit(event, fields);
}
