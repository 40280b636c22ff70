/* log.c: stderr logger with time, role and pid on every line. */
#include "common/log.h"
#include "common/wz.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static atomic_int g_level = LOG_INFO;
static _Thread_local char t_role[16] = "main";

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void log_set_level(log_level lvl) { atomic_store(&g_level, (int)lvl); }
log_level log_get_level(void) { return (log_level)atomic_load(&g_level); }
void log_set_role(const char *role) { (void)wz_strlcpy(t_role, role, sizeof t_role); }
const char *log_get_role(void) { return t_role; }

int log_parse_level(const char *s, log_level *out)
{
    for (int i = 0; i < (int)WZ_ARRAY_LEN(level_names); i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (log_level)i;
            return WZ_OK;
        }
    }
    return WZ_INVAL;
}

void log_msg(log_level lvl, const char *fmt, ...)
{
    if ((int)lvl < atomic_load(&g_level) || lvl >= LOG_OFF)
        return;
    char line[2048];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%02d:%02d:%02d.%03d %s[%d] %s: ", tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (int)(tv.tv_usec / 1000), t_role, (int)getpid(), level_names[lvl]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (size_t)(m < 0 ? 0 : m);
    if (len > sizeof line - 2)
        len = sizeof line - 2; /* long messages are cut at 2 KiB; logs are for humans */
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
