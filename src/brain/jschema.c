/* jschema.c: a small JSON Schema validator over jansson values. */
#include "brain/jschema.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *path, const char *msg, const char *extra)
{
    snprintf(err, errlen, "%s%s%s%s", path[0] ? path : "arguments", ": ", msg, extra ? extra : "");
    return WZ_INVAL;
}

static bool type_is(const char *type, const json_t *v)
{
    if (strcmp(type, "object") == 0) return json_is_object(v);
    if (strcmp(type, "string") == 0) return json_is_string(v);
    if (strcmp(type, "integer") == 0)
        return json_is_integer(v) || (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)));
    if (strcmp(type, "number") == 0) return json_is_number(v);
    if (strcmp(type, "boolean") == 0) return json_is_boolean(v);
    if (strcmp(type, "array") == 0) return json_is_array(v);
    if (strcmp(type, "null") == 0) return json_is_null(v);
    return false;
}

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int check(const json_t *schema, const json_t *v, const char *path, int depth, char *err, size_t errlen);

static int check_object(const json_t *schema, const json_t *v, const char *path, int depth, char *err,
                        size_t errlen)
{
    const json_t *props = json_object_get(schema, "properties"), *req = json_object_get(schema, "required");
    size_t i;
    const json_t *r;
    char sub[256];
    json_array_foreach(req, i, r) {
        if (json_is_string(r) && !json_object_get(v, json_string_value(r)))
            return fail(err, errlen, json_string_value(r), "is required", NULL);
    }
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)v, key, val) {
        const json_t *ps = json_object_get(props, key);
        snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", key);
        if (!ps) {
            if (json_is_false(json_object_get(schema, "additionalProperties")))
                return fail(err, errlen, sub, "is not a known argument", NULL);
            continue;
        }
        int rc = check(ps, val, sub, depth + 1, err, errlen);
        if (rc) return rc;
    }
    return WZ_OK;
}

static int check(const json_t *schema, const json_t *v, const char *path, int depth, char *err, size_t errlen)
{
    char msg[128];
    if (depth > JSCHEMA_DEPTH_MAX) return fail(err, errlen, path, "nested too deep", NULL);
    if (!json_is_object(schema)) return WZ_OK;
    const json_t *type = json_object_get(schema, "type");
    if (json_is_string(type) && !type_is(json_string_value(type), v))
        return fail(err, errlen, path, "must be of type ", json_string_value(type));
    const json_t *en = json_object_get(schema, "enum");
    if (json_is_array(en)) {
        size_t i;
        const json_t *e;
        bool found = false;
        json_array_foreach(en, i, e) found |= json_equal((json_t *)e, (json_t *)v) != 0;
        if (!found) {
            char *s = json_dumps(en, JSON_COMPACT);
            int rc = fail(err, errlen, path, "must be one of ", s ? s : "the allowed values");
            free(s);
            return rc;
        }
    }
    if (json_is_number(v)) {
        double d = json_number_value(v);
        const json_t *mn = json_object_get(schema, "minimum"), *mx = json_object_get(schema, "maximum");
        if (json_is_number(mn) && d < json_number_value(mn)) {
            snprintf(msg, sizeof msg, "%g is below the minimum %g", d, json_number_value(mn));
            return fail(err, errlen, path, msg, NULL);
        }
        if (json_is_number(mx) && d > json_number_value(mx)) {
            snprintf(msg, sizeof msg, "%g is above the maximum %g", d, json_number_value(mx));
            return fail(err, errlen, path, msg, NULL);
        }
    }
    if (json_is_string(v)) {
        size_t len = utf8_len(json_string_value(v));
        const json_t *mn = json_object_get(schema, "minLength"), *mx = json_object_get(schema, "maxLength");
        if (json_is_integer(mn) && (long long)len < json_integer_value(mn))
            return fail(err, errlen, path, "is too short", NULL);
        if (json_is_integer(mx) && (long long)len > json_integer_value(mx))
            return fail(err, errlen, path, "is too long", NULL);
    }
    if (json_is_array(v) && json_is_object(json_object_get(schema, "items"))) {
        size_t i;
        const json_t *e;
        char sub[256];
        json_array_foreach(v, i, e) {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            int rc = check(json_object_get(schema, "items"), e, sub, depth + 1, err, errlen);
            if (rc) return rc;
        }
    }
    if (json_is_object(v)) return check_object(schema, v, path, depth, err, errlen);
    return WZ_OK;
}

int jschema_validate(const json_t *schema, const json_t *value, char *err, size_t errlen)
{
    if (errlen) err[0] = 0;
    if (!value) return fail(err, errlen, "", "missing", NULL);
    return check(schema, value, "", 0, err, errlen);
}
