/* replies.h: spoken reply templates from data/replies.ini (read by libinih):
 *
 *   [timer]
 *   set = Timer set for {duration}.
 *
 * replies_format(r, "timer.set", vars) fills {name} placeholders from a JSON
 * object (strings as is, integers in digits, reals with up to 4 decimals).
 * A missing key renders as the key itself so a gap is audible, not fatal.
 *
 * Read-only after load: formatting is thread-safe. Not for the audio thread. */
#ifndef WZ_REPLIES_H
#define WZ_REPLIES_H

#include <jansson.h>
#include <stddef.h>

#include "common/wz.h"

#define REPLIES_MAX 512       /* entries */
#define REPLIES_TEXT_MAX 400  /* bytes per template */

typedef struct replies replies;

/* Loads path. On error returns WZ_IO/WZ_PROTO/WZ_TOOBIG with err set. */
int replies_load(const char *path, replies **out, char *err, size_t errlen) WZ_MUST_CHECK;
void replies_free(replies *r);

/* The raw template for "section.key", or NULL. */
const char *replies_get(const replies *r, const char *key);

/* Renders into out (always NUL-terminated; truncated at cap). vars may be
 * NULL; it is borrowed, not stolen. Returns WZ_NOTFOUND for an unknown key. */
int replies_format(const replies *r, const char *key, const json_t *vars, char *out, size_t cap);

#endif
