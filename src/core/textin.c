/* textin.c: poll-driven line splitter for stdin requests. */
#include "core/textin.h"
#include "common/log.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

void textin_init(textin *t, int fd)
{
    memset(t, 0, sizeof *t);
    t->fd = fd;
}

/* Pops one line from the buffer into out if there is one. */
static int pop_line(textin *t, char *out, size_t cap)
{
    for (;;) {
        char *nl = memchr(t->buf, '\n', t->len);
        if (!nl && !(t->eof && t->len))
            return 0;
        size_t n = nl ? (size_t)(nl - t->buf) : t->len;
        size_t consumed = nl ? n + 1 : n;
        bool skip = t->skipping;
        t->skipping = false;
        char *s = t->buf, *e = t->buf + n;
        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        size_t len = (size_t)(e - s);
        int got = 0;
        if (!skip && len > 0 && len < cap) {
            memcpy(out, s, len);
            out[len] = '\0';
            got = 1;
        } else if (!skip && len >= cap) {
            log_error("stdin request of %zu bytes is longer than the %zu-byte limit; skipped",
                      len, cap - 1);
        }
        memmove(t->buf, t->buf + consumed, t->len - consumed);
        t->len -= consumed;
        if (got)
            return 1;
    }
}

int textin_next(textin *t, char *out, size_t cap)
{
    if (pop_line(t, out, cap))
        return 1;
    while (!t->eof) {
        struct pollfd p = { .fd = t->fd, .events = POLLIN };
        if (poll(&p, 1, 0) <= 0)
            break;
        size_t room = sizeof t->buf - 1 - t->len;
        if (room == 0) {
            /* A full buffer with no newline: the line is too long. */
            log_error("stdin request longer than %zu bytes; skipped", sizeof t->buf - 1);
            t->len = 0;
            t->skipping = true;
            room = sizeof t->buf - 1;
        }
        ssize_t n = read(t->fd, t->buf + t->len, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            t->eof = true;
            break;
        }
        t->len += (size_t)n;
        if (memchr(t->buf, '\n', t->len))
            break;
    }
    return pop_line(t, out, cap);
}
