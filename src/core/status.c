/* status.c: one live status line on an interactive terminal:
 *
 *   [listening] mic ▮▮▮▮▮▯▯▯▯▯  you: what time is it  wyzer: It's 8:11 AM.
 *
 * Shown only when stdout is a TTY and neither --quiet nor --events is set,
 * redrawn at most 10 times a second of audio, cut to the terminal width. */
#include "core/core_priv.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define STATUS_PERIOD_MS 100
#define METER_BARS 10

void status_init(core *c)
{
    c->status_tty = isatty(STDOUT_FILENO) && !c->l->opts->quiet && !c->l->opts->events;
}

static int term_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

void status_update(core *c)
{
    if (!c->status_tty || c->frames * c->frame_ms < c->next_status_ms)
        return;
    c->next_status_ms = c->frames * c->frame_ms + STATUS_PERIOD_MS;
    /* -60 dBFS (quiet room) .. 0 dBFS (full scale) over the bars. */
    float db = vad_level_dbfs(c->vad);
    int bars = (int)((db + 60.0f) / 60.0f * METER_BARS + 0.5f);
    bars = bars < 0 ? 0 : bars > METER_BARS ? METER_BARS : bars;
    char meter[METER_BARS * 3 + 1];
    size_t m = 0;
    for (int i = 0; i < METER_BARS; i++) {
        const char *g = i < bars ? "\xe2\x96\xae" : "\xe2\x96\xaf"; /* ▮ ▯ */
        memcpy(meter + m, g, 3);
        m += 3;
    }
    meter[m] = '\0';
    char line[512];
    int n = snprintf(line, sizeof line, "[%s] mic %s  you: %s  wyzer: %s", fsm_state_name(fsm_get(&c->fsm)), meter,
                     c->last_heard[0] ? c->last_heard : "-", c->last_said[0] ? c->last_said : "-");
    /* Cut to the terminal width, counting the meter's 3-byte glyphs once. */
    int visible_max = term_width() - 1 + METER_BARS * 2;
    if (n > visible_max && visible_max > 0)
        line[visible_max] = '\0';
    printf("\r\033[K%s", line);
    fflush(stdout);
}

void status_clear(core *c)
{
    if (!c->status_tty)
        return;
    printf("\r\033[K");
    fflush(stdout);
}
