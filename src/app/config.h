/* config.h: Wyzer's configuration: defaults, INI file, environment, CLI.
 *
 * Precedence is CLI > environment (WYZER_<SECTION>_<KEY>) > file > default.
 * Apply them in that reverse order: config_init(), config_load_file(),
 * config_apply_env(), then config_set() for each CLI flag.
 *
 * A wz_config is plain data (fixed arrays, no pointers), so it can be copied
 * and survives fork() unchanged. Not thread-safe to modify; read-only after
 * start-up. */
#ifndef WZ_CONFIG_H
#define WZ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "app/config_keys.h"
#include "common/wz.h"

#define CONFIG_STR_MAX 512

typedef enum { CFG_STR, CFG_INT, CFG_DBL, CFG_BOOL } cfg_type;
typedef enum { CFG_FROM_DEFAULT, CFG_FROM_FILE, CFG_FROM_ENV, CFG_FROM_CLI } cfg_origin;

enum {
#define CFG_ENUM(sec, key, type, def, min, max, choices, help) CFG_K_##sec##_##key,
    CONFIG_KEYS(CFG_ENUM)
#undef CFG_ENUM
    CFG_NKEYS
};

#define CFG_FIELD_STR(name) char name[CONFIG_STR_MAX];
#define CFG_FIELD_INT(name) long name;
#define CFG_FIELD_DBL(name) double name;
#define CFG_FIELD_BOOL(name) bool name;

typedef struct wz_config {
#define CFG_FIELD(sec, key, type, def, min, max, choices, help) CFG_FIELD_##type(sec##_##key)
    CONFIG_KEYS(CFG_FIELD)
#undef CFG_FIELD
    cfg_origin origin[CFG_NKEYS];
    int origin_line[CFG_NKEYS];   /* line in the file, for CFG_FROM_FILE */
    char file[CONFIG_STR_MAX];    /* the file that was loaded, or "" */
} wz_config;

/* Fills every key with its default. Never fails. */
void config_init(wz_config *cfg);

/* Loads an INI file. Unknown sections or keys and bad values are errors; on
 * error, err holds "FILE:LINE: message naming the key" and WZ_CONFIG (or
 * WZ_IO if the file cannot be read) is returned. Keys set before the error
 * stay set; callers exit on error. */
int config_load_file(wz_config *cfg, const char *path, char *err, size_t errlen);

/* Applies every WYZER_<SECTION>_<KEY> variable that is set. On a bad value,
 * err names the variable and WZ_CONFIG is returned. */
int config_apply_env(wz_config *cfg, char *err, size_t errlen);

/* Sets "section.key" to a string value, validated exactly like a file value. */
int config_set(wz_config *cfg, const char *dotted_key, const char *value, cfg_origin origin,
               char *err, size_t errlen);

/* Default file: $XDG_CONFIG_HOME/wyzer/wyzer.conf, else ~/.config/wyzer/wyzer.conf.
 * Returns 0 and fills buf, or WZ_NOTFOUND if neither variable is usable. */
int config_default_path(char *buf, size_t cap);

/* Prints the effective configuration as INI, each key with its origin. */
void config_print(const wz_config *cfg, FILE *out);

/* Table access, for docs and tests. */
int config_key_count(void);
const char *config_key_name(int i, char *buf, size_t cap); /* "section.key" */

#endif
