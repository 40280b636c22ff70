/* textin.h: non-blocking line reader for `--text -` (one request per line).
 * Lines longer than CORE_STDIN_LINE_MAX are rejected with an error and
 * skipped, never cut. Not thread-safe; one reader per fd. */
#ifndef WZ_TEXTIN_H
#define WZ_TEXTIN_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int fd;
    bool eof;
    bool skipping;      /* inside an over-long line */
    size_t len;
    char buf[4096 + 1];
} textin;

void textin_init(textin *t, int fd);
/* Returns 1 and a NUL-terminated, trimmed, non-empty line in out; 0 when no
 * complete line is available yet (check t->eof); never blocks. Over-long
 * lines are logged and skipped. */
int textin_next(textin *t, char *out, size_t cap);

#endif
