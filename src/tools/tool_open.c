/* tool_open.c: open an http(s) URL, an existing file, a well-known folder or
 * an application from its XDG desktop entry. URLs, files and folders go to
 * xdg-open; applications run from their parsed Exec argv. No shell, ever:
 * whatever the LLM sends, only these four kinds of target can be opened. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "brain/desktop.h"
#include "brain/tools_internal.h"

static const struct { const char *spoken, *dir; } folders[] = {
    {"home", ""},           {"downloads", "Downloads"}, {"download", "Downloads"},
    {"documents", "Documents"}, {"document", "Documents"}, {"music", "Music"},
    {"pictures", "Pictures"}, {"photos", "Pictures"},   {"videos", "Videos"},
    {"desktop", "Desktop"},  {"templates", "Templates"}, {"public", "Public"},
};

static bool has_prefix_ci(const char *s, const char *p) { return strncasecmp(s, p, strlen(p)) == 0; }

/* "the Downloads folder" -> "downloads"; "the terminal app" -> "terminal" */
static void normalise(const char *in, char *out, size_t cap)
{
    static const char *const lead[] = {"the ", "my ", "a ", "an "};
    static const char *const tail[] = {" folder", " directory", " app", " application", " program"};
    while (isspace((unsigned char)*in)) in++;
    for (bool again = true; again;) {
        again = false;
        for (size_t i = 0; i < WZ_ARRAY_LEN(lead); i++)
            if (has_prefix_ci(in, lead[i])) in += strlen(lead[i]), again = true;
    }
    wz_strlcpy(out, in, cap);
    size_t n = strlen(out);
    while (n && isspace((unsigned char)out[n - 1])) out[--n] = 0;
    for (size_t i = 0; i < WZ_ARRAY_LEN(tail); i++) {
        size_t tl = strlen(tail[i]);
        if (n > tl && strcasecmp(out + n - tl, tail[i]) == 0) out[n -= tl] = 0;
    }
}

static bool safe_url(const char *s)
{
    if (!has_prefix_ci(s, "http://") && !has_prefix_ci(s, "https://")) return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f) return false;
    return strlen(s) > 8;
}

static int xdg_open(tools *t, tool_result *out, const char *what, const char *key, const char *name)
{
    char *argv[] = {"xdg-open", (char *)what, NULL};
    int rc = tool_spawn(argv);
    if (rc == WZ_NOTFOUND) return tool_fail(t, out, "open.no_opener", NULL, "xdg-open not found");
    if (rc) return tool_fail(t, out, "open.failed", json_pack("{s:s}", "target", name), wz_strerror(rc));
    tool_say(t, out, key, json_pack("{s:s}", "name", name));
    return WZ_OK;
}

static int open_app(tools *t, tool_result *out, const char *target, const char *q)
{
    desktop_app app;
    char buf[DESKTOP_EXEC_MAX * 2], *argv[DESKTOP_ARGS_MAX + 1];
    size_t argc;
    if (desktop_find(q, &app))
        return tool_fail(t, out, "open.not_found", json_pack("{s:s}", "target", target), "no matching application");
    out->result = json_pack("{s:s, s:s, s:s, s:s}", "kind", "app", "name", app.name, "entry", app.path, "target", target);
    if (desktop_exec_argv(app.exec, buf, sizeof buf, argv, WZ_ARRAY_LEN(argv), &argc))
        return tool_fail(t, out, "open.failed", json_pack("{s:s}", "target", app.name), "bad Exec line in desktop entry");
    int rc = tool_spawn(argv);
    if (rc) return tool_fail(t, out, "open.failed", json_pack("{s:s}", "target", app.name),
                             rc == WZ_NOTFOUND ? "program in Exec not found" : wz_strerror(rc));
    tool_say(t, out, "open.app", json_pack("{s:s}", "name", app.name));
    return WZ_OK;
}

static int run(tools *t, const json_t *args, tool_result *out)
{
    const char *target = json_string_value(json_object_get(args, "target"));
    const char *home = getenv("HOME");
    char q[512], path[1024];
    struct stat st;
    normalise(target, q, sizeof q);
    if (safe_url(q)) {
        out->result = json_pack("{s:s, s:s}", "kind", "url", "target", q);
        return xdg_open(t, out, q, "open.url", q);
    }
    if (strstr(q, "://") || has_prefix_ci(q, "file:") || has_prefix_ci(q, "javascript:"))
        return tool_fail(t, out, "open.not_allowed", NULL, "only http and https URLs are allowed");
    if (q[0] == '/' || (q[0] == '~' && q[1] == '/')) {
        snprintf(path, sizeof path, "%s%s", q[0] == '~' ? (home ? home : "") : "", q[0] == '~' ? q + 1 : q);
        out->result = json_pack("{s:s, s:s}", "kind", "file", "target", path);
        if (stat(path, &st) != 0)
            return tool_fail(t, out, "open.not_found", json_pack("{s:s}", "target", target), "no such file");
        const char *base = strrchr(path, '/');
        return xdg_open(t, out, path, "open.file", base && base[1] ? base + 1 : path);
    }
    for (size_t i = 0; i < WZ_ARRAY_LEN(folders); i++) {
        if (strcasecmp(q, folders[i].spoken) != 0) continue;
        snprintf(path, sizeof path, "%s%s%s", home ? home : "", folders[i].dir[0] ? "/" : "", folders[i].dir);
        out->result = json_pack("{s:s, s:s}", "kind", "folder", "target", path);
        if (!home || stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            return tool_fail(t, out, "open.not_found", json_pack("{s:s}", "target", target), "no such folder");
        return xdg_open(t, out, path, "open.folder", folders[i].spoken);
    }
    return open_app(t, out, target, q);
}

const tool_def tool_open = {
    .name = "open",
    .description = "Open an installed application by name, a folder (home, downloads, documents, music, pictures, "
                   "videos, desktop), an existing file path, or an http(s) URL.",
    .schema = "{\"type\":\"object\",\"properties\":{\"target\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":400}},"
              "\"required\":[\"target\"],\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run,
};
