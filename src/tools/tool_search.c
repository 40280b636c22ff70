/* tool_search.c: web_search opens search.url ("%s" = the URL-encoded query)
 * with xdg-open, run by argv. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "brain/tools_internal.h"

static int run(tools *t, const json_t *args, tool_result *out)
{
    const char *query = json_string_value(json_object_get(args, "query"));
    char *esc = curl_easy_escape(NULL, query, 0);
    if (!esc) return WZ_NOMEM;
    char url[2048];
    const char *tmpl = t->cfg.search_url, *pct = strstr(tmpl, "%s");
    int n = pct ? snprintf(url, sizeof url, "%.*s%s%s", (int)(pct - tmpl), tmpl, esc, pct + 2)
                : snprintf(url, sizeof url, "%s%s", tmpl, esc);
    curl_free(esc);
    if (n < 0 || (size_t)n >= sizeof url) return tool_fail(t, out, "search.failed", NULL, "search URL too long");
    out->result = json_pack("{s:s, s:s}", "query", query, "url", url);
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return tool_fail(t, out, "search.failed", NULL, "search.url is not an http(s) URL");
    char *argv[] = {"xdg-open", url, NULL};
    int rc = tool_spawn(argv);
    if (rc == WZ_NOTFOUND) return tool_fail(t, out, "open.no_opener", NULL, "xdg-open not found");
    if (rc) return tool_fail(t, out, "search.failed", NULL, wz_strerror(rc));
    tool_say(t, out, "search.done", json_pack("{s:s}", "query", query));
    return WZ_OK;
}

const tool_def tool_web_search = {
    .name = "web_search",
    .description = "Open a web search for the query in the user's browser.",
    .schema = "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":300}},"
              "\"required\":[\"query\"],\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run,
};
