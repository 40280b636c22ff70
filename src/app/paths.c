/* paths.c: data and state folders. */
#include "app/paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef WZ_SOURCE_DATA_DIR
#define WZ_SOURCE_DATA_DIR "/usr/share/wyzer"
#endif

int paths_mkdirs(const char *dir, int mode)
{
    char tmp[CONFIG_STR_MAX + 64];
    if (wz_strlcpy(tmp, dir, sizeof tmp) != WZ_OK)
        return WZ_TOOBIG;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST)
            return WZ_IO;
        *p = '/';
    }
    if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST)
        return WZ_IO;
    return WZ_OK;
}

static int fmt(char *buf, size_t cap, const char *a, const char *b)
{
    int n = snprintf(buf, cap, "%s%s", a, b);
    return n < 0 || (size_t)n >= cap ? WZ_TOOBIG : WZ_OK;
}

int paths_data_dir(const wz_config *cfg, char *buf, size_t cap)
{
    if (cfg->paths_data_dir[0])
        return fmt(buf, cap, cfg->paths_data_dir, "");
    struct stat st;
    if (stat(WZ_SOURCE_DATA_DIR, &st) == 0 && S_ISDIR(st.st_mode))
        return fmt(buf, cap, WZ_SOURCE_DATA_DIR, "");
    return fmt(buf, cap, "/usr/share/wyzer", "");
}

/* key, else $XDG_VAR/wyzer, else ~/FALLBACK/wyzer; created if missing. */
static int user_dir(const char *key, const char *xdg_var, const char *fallback, char *buf, size_t cap)
{
    int rc;
    const char *xdg = getenv(xdg_var);
    const char *home = getenv("HOME");
    if (key[0])
        rc = fmt(buf, cap, key, "");
    else if (xdg && xdg[0] == '/')
        rc = fmt(buf, cap, xdg, "/wyzer");
    else if (home && home[0]) {
        char tmp[CONFIG_STR_MAX];
        rc = fmt(tmp, sizeof tmp, home, fallback);
        if (rc == WZ_OK)
            rc = fmt(buf, cap, tmp, "/wyzer");
    } else
        return WZ_NOTFOUND;
    if (rc == WZ_OK)
        rc = paths_mkdirs(buf, 0700);
    return rc;
}

int paths_state_dir(const wz_config *cfg, char *buf, size_t cap)
{
    return user_dir(cfg->paths_state_dir, "XDG_STATE_HOME", "/.local/state", buf, cap);
}

int paths_memory_dir(const wz_config *cfg, char *buf, size_t cap)
{
    return user_dir(cfg->paths_memory_dir, "XDG_DATA_HOME", "/.local/share", buf, cap);
}
