/* paths.h: where Wyzer finds its data files and keeps its state.
 *
 *   data    paths.data_dir, else the source tree's data/ (a build run from
 *           its checkout), else /usr/share/wyzer
 *   state   paths.state_dir, else $XDG_STATE_HOME/wyzer, else
 *           ~/.local/state/wyzer (timers)
 *   memory  paths.memory_dir, else $XDG_DATA_HOME/wyzer, else
 *           ~/.local/share/wyzer (remembered facts)
 * Each returns WZ_OK and fills buf, or WZ_TOOBIG / WZ_NOTFOUND. The state
 * folders are created (mode 0700) when missing. */
#ifndef WZ_PATHS_H
#define WZ_PATHS_H

#include <stddef.h>

#include "app/config.h"

int paths_data_dir(const wz_config *cfg, char *buf, size_t cap) WZ_MUST_CHECK;
int paths_state_dir(const wz_config *cfg, char *buf, size_t cap) WZ_MUST_CHECK;
int paths_memory_dir(const wz_config *cfg, char *buf, size_t cap) WZ_MUST_CHECK;

/* mkdir -p with the given mode. */
int paths_mkdirs(const char *dir, int mode) WZ_MUST_CHECK;

#endif
