/* ev.h: the --events machine interface: JSON Lines on stdout.
 *
 * Every line is {"event": NAME, "t_ms": MS, ...fields}, where t_ms counts
 * milliseconds since the run started on the monotonic clock (all processes
 * share the start time, passed down by main). docs/events.md lists them all.
 *
 * Thread-safe. Not for the audio callback. When events are disabled,
 * ev_emit() only frees the fields. */
#ifndef WZ_EV_H
#define WZ_EV_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* A sink receives one complete JSON line (with trailing newline). */
typedef void (*ev_sink_fn)(const char *line, size_t len, void *ctx);

void ev_init(int64_t start_ns, bool enabled);
bool ev_enabled(void);
int64_t ev_start_ns(void);
/* Milliseconds since start for a monotonic timestamp in ns. */
int64_t ev_ms_since_start(int64_t mono_ns);

/* Default sink: write(2) to fd, whole lines under a mutex. */
void ev_set_fd(int fd);
/* Replace the sink for the calling thread (brain threads route events to
 * the core through the queue; the core writes them). NULL restores fd. */
void ev_set_sink(ev_sink_fn fn, void *ctx);

/* Emits an event. Takes ownership of fields (may be NULL). */
void ev_emit(const char *event, json_t *fields);
/* Convenience: fields built with json_pack() syntax, e.g.
 *   ev_emitf("state", "{s:s, s:s}", "from", "idle", "to", "listening"); */
void ev_emitf(const char *event, const char *fmt, ...);
/* Writes an already-serialised event line through the current sink. */
void ev_write_line(const char *line, size_t len);

#endif
