/* jschema.h: the JSON Schema subset Wyzer uses for tool arguments:
 * type (object, string, integer, number, boolean, array), properties,
 * required, additionalProperties (false only), enum, minimum, maximum,
 * minLength, maxLength, items. Unknown keywords are ignored.
 *
 * Pure over jansson values; thread-safe; no allocation. */
#ifndef WZ_JSCHEMA_H
#define WZ_JSCHEMA_H

#include <jansson.h>
#include <stddef.h>

#include "common/wz.h"

#define JSCHEMA_DEPTH_MAX 16

/* Validates value against schema. Returns WZ_OK, or WZ_INVAL with the first
 * problem in err, e.g. "level: 150 is above the maximum 100". */
int jschema_validate(const json_t *schema, const json_t *value, char *err, size_t errlen) WZ_MUST_CHECK;

#endif
