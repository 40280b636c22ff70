/* log.h: leveled logging to stderr, one line per call:
 *   12:00:01.234 core[4242] info: message
 *
 * Thread-safe: each line is formatted into a local buffer and written with a
 * single write(2). Not for the audio callback (it does I/O). The role is per
 * thread, so --single-process threads keep their names. */
#ifndef WZ_LOG_H
#define WZ_LOG_H

typedef enum { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF } log_level;

void log_set_level(log_level lvl);
log_level log_get_level(void);
/* Parses debug|info|warn|error; returns 0 or WZ_INVAL. */
int log_parse_level(const char *s, log_level *out);
/* Role shown in each line ("main", "core", "brain"); per thread. */
void log_set_role(const char *role);
const char *log_get_role(void);

void log_msg(log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
