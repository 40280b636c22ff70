/* opts.h: run options from the command line that are not configuration keys
 * (what to do this run, rather than how Wyzer is set up). Plain data. */
#ifndef WZ_OPTS_H
#define WZ_OPTS_H

#include <stdbool.h>

#include "app/config.h"

typedef struct wz_opts {
    bool events;            /* --events: JSON Lines on stdout */
    bool quiet;             /* --quiet: errors only, no status line */
    bool single_process;    /* --single-process */
    bool fast;              /* --fast: file input on an audio-time clock */
    bool no_hotword;        /* --no-hotword */
    const char *text;       /* --text REQUEST ("-": one request per stdin line) */
    const char *input;      /* --input FILE.wav */
    const char *output;     /* --output FILE.wav */
    const char *echo;       /* --echo DELAY_MS:GAIN_DB */
    const char *device;     /* --device NAME|INDEX */
} wz_opts;

/* Exit codes shared by main and the workers. A worker that exits with
 * WZ_EXIT_OK or WZ_EXIT_FAILED finished its run (text or file input); with
 * WZ_EXIT_USAGE it cannot start and must not be restarted; anything else
 * (or a signal) is a crash and gets restarted. */
enum {
    WZ_EXIT_OK = 0,
    WZ_EXIT_FAILED = 1,     /* a request ended in an error */
    WZ_EXIT_USAGE = 2,      /* bad command line, config, input file or engine */
    WZ_EXIT_CRASH = 70,
};

#endif
