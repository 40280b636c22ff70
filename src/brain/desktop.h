/* desktop.h: XDG desktop entries: finding an application by a spoken name
 * and turning its Exec key into an argv (desktop entry spec: general string
 * escapes, double-quote quoting, field codes removed). Nothing here runs a
 * shell; the caller execs the argv.
 *
 * Thread-safe (no globals). Not for the audio thread (file I/O). */
#ifndef WZ_DESKTOP_H
#define WZ_DESKTOP_H

#include <stddef.h>

#include "common/wz.h"

#define DESKTOP_EXEC_MAX 2048  /* bytes of an Exec value */
#define DESKTOP_ARGS_MAX 64    /* arguments after splitting */
#define DESKTOP_FILES_MAX 4096 /* entries scanned per search */

typedef struct desktop_app {
    char id[256];               /* file name, e.g. "firefox-esr.desktop" */
    char path[1024];            /* full path of the entry */
    char name[256];             /* Name= */
    char exec[DESKTOP_EXEC_MAX];/* raw Exec= */
    int score;                  /* 100 exact name ... 50 weak match */
} desktop_app;

/* Splits an Exec value into argv. buf (cap bytes) holds the strings; argv
 * gets up to max pointers into it plus a NULL. Returns WZ_OK, WZ_PROTO for
 * bad quoting or an empty command, WZ_TOOBIG when buf or argv is too small. */
int desktop_exec_argv(const char *exec, char *buf, size_t cap, char **argv, size_t max, size_t *argc) WZ_MUST_CHECK;

/* Searches $XDG_DATA_HOME/applications then each $XDG_DATA_DIRS/applications
 * for the Type=Application entry (not Hidden, not NoDisplay) whose Name,
 * GenericName or file name best matches query (case-insensitive; exact beats
 * prefix beats word-substring). Returns WZ_OK and *out, or WZ_NOTFOUND. */
int desktop_find(const char *query, desktop_app *out) WZ_MUST_CHECK;

#endif
