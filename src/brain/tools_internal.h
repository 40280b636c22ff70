/* tools_internal.h: what tool handlers in src/tools/ share. Not for other
 * modules: they use tools.h. */
#ifndef WZ_TOOLS_INTERNAL_H
#define WZ_TOOLS_INTERNAL_H

#include <sys/types.h>

#include "brain/replies.h"
#include "brain/tools.h"

#define TIMERS_MAX 32
#define TIMER_NAME_MAX 64
#define FACTS_MAX 500
#define FACT_TEXT_MAX 500
#define STATE_FILE_MAX (1024 * 1024) /* timers.json / memory.json larger than this are corrupt */

typedef int (*tool_handler)(tools *t, const json_t *args, tool_result *out);

/* One tool. Defined in src/tools/tool_NAME.c as `const tool_def tool_NAME`. */
typedef struct tool_def {
    const char *name;
    const char *description; /* one line, shown to the LLM */
    const char *schema;      /* JSON Schema text of the arguments object */
    tool_risk risk;
    tool_handler run;
} tool_def;

typedef struct timer_entry {
    int id;
    char name[TIMER_NAME_MAX];
    long seconds;        /* requested length, for the announcement */
    int64_t deadline_ms; /* Unix wall-clock ms, so a restart keeps it */
    bool late;           /* expired while Wyzer was not running */
} timer_entry;

struct tools {
    wz_config cfg;
    replies *rep;
    const tool_def *const *defs;
    json_t **schemas; /* parsed, one per def */
    size_t ndefs;
    tools_clock_fn clock;
    void *clock_ctx;
    char state_dir[CONFIG_STR_MAX];
    char memory_dir[CONFIG_STR_MAX];
    timer_entry timers[TIMERS_MAX];
    size_t ntimers;
    int next_timer_id;
    json_t *facts; /* array of {"id","fact","created_ms"} */
    int next_fact_id;
    bool curl_inited;
};

int64_t tools_now_ms(tools *t);

/* Renders reply key into out->spoken. Steals vars (may be NULL). */
void tool_say(tools *t, tool_result *out, const char *key, json_t *vars);
/* Sets ok=false, error and the spoken reply in one go. Steals vars. */
int tool_fail(tools *t, tool_result *out, const char *key, json_t *vars, const char *error);

/* Runs argv (no shell) and waits up to timeout_ms; stdout goes to out (capped
 * at cap-1 bytes, NUL-terminated; may be NULL). Returns WZ_OK and the exit
 * status in *status, WZ_NOTFOUND if argv[0] cannot be run, WZ_TIMEDOUT. */
int tool_run(char *const argv[], char *out, size_t cap, int timeout_ms, int *status);
/* Starts argv detached (double fork, new session, stdio on /dev/null) and
 * returns at once. WZ_NOTFOUND if argv[0] is not an executable in PATH. */
int tool_spawn(char *const argv[]);
/* True if file is an executable path or found in $PATH. */
bool tool_in_path(const char *file);

/* Atomic write: path.tmp, fsync, rename, fsync of the folder. Creates dir. */
int tool_write_atomic(const char *dir, const char *name, const char *data, size_t len);
/* Loads dir/name as JSON. Missing file: *out = NULL, WZ_OK. Corrupt or
 * oversized file: moved aside to name.corrupt-<ms>, warning logged, *out =
 * NULL, WZ_OK (never prevents start-up). */
int tool_load_json(tools *t, const char *dir, const char *name, json_t **out);

/* Renames dir/name to name.corrupt-<ms> with a warning naming why. */
void tool_move_aside(tools *t, const char *dir, const char *name, const char *why);

/* Timers and facts persistence (tool_timer.c, tool_memory.c). */
void timers_load(tools *t);
void timers_mark_late(tools *t);
int timers_save(tools *t);
void memory_load(tools *t);
int memory_save(tools *t);

#endif
