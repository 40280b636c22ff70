/* whisper_response.c: parse the JSON answer of Whisper transcription servers. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "brain/stt_whisper.h"

static void copy_trimmed(const char *s, size_t n, char *out, size_t cap, int *rc)
{
    while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    if (n + 1 > cap) {
        *rc = WZ_TOOBIG;
        return;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    /* Embedded NULs (valid in JSON as \u0000) would silently cut the text;
     * replace them with spaces. */
    for (size_t i = 0; i < n; i++)
        if (out[i] == '\0')
            out[i] = ' ';
}

int stt_whisper_parse_response(const char *body, size_t len, char *text, size_t cap, char *err,
                               size_t errlen)
{
    int rc = WZ_OK;
    if (cap)
        text[0] = '\0';
    if (len > STT_WHISPER_MAX_RESPONSE) {
        snprintf(err, errlen, "response larger than %d bytes", STT_WHISPER_MAX_RESPONSE);
        return WZ_TOOBIG;
    }
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_ALLOW_NUL, &je);
    if (!root) {
        snprintf(err, errlen, "response is not JSON (%s at byte %d)", je.text, je.position);
        return WZ_PROTO;
    }
    json_t *t = json_is_object(root) ? json_object_get(root, "text") : NULL;
    if (json_is_string(t)) {
        copy_trimmed(json_string_value(t), json_string_length(t), text, cap, &rc);
        if (rc != WZ_OK) {
            snprintf(err, errlen, "transcript longer than %zu bytes", cap ? cap - 1 : 0);
            if (cap)
                text[0] = '\0';
        }
    } else {
        json_t *e = json_is_object(root) ? json_object_get(root, "error") : NULL;
        json_t *m = json_is_object(e) ? json_object_get(e, "message") : e;
        if (json_is_string(m))
            snprintf(err, errlen, "server error: %.200s", json_string_value(m));
        else
            snprintf(err, errlen, "response JSON has no string \"text\"");
        rc = WZ_PROTO;
    }
    json_decref(root);
    return rc;
}
