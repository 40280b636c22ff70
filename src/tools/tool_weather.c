/* tool_weather.c: weather from Open-Meteo (no key): geocoding for a named
 * place, else weather.latitude/longitude; libcurl with timeouts and a cap on
 * the response size. */
#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brain/tools_internal.h"
#include "common/log.h"

#define WEATHER_CONNECT_TIMEOUT_MS 3000
#define WEATHER_TOTAL_TIMEOUT_MS 8000
#define WEATHER_BODY_MAX (512 * 1024) /* a 2-day forecast is ~2 KB */

typedef struct { char *buf; size_t len; bool overflow; } body;

static size_t on_data(char *p, size_t sz, size_t n, void *ud)
{
    body *b = ud;
    size_t k = sz * n;
    if (b->len + k > WEATHER_BODY_MAX) {
        b->overflow = true;
        return 0; /* aborts the transfer */
    }
    char *nb = realloc(b->buf, b->len + k + 1);
    if (!nb) return 0;
    memcpy(nb + b->len, p, k);
    b->buf = nb;
    b->len += k;
    b->buf[b->len] = 0;
    return k;
}

/* GET url -> JSON object. WZ_IO unreachable/timeout, WZ_HTTP non-200,
 * WZ_TOOBIG over the cap, WZ_PROTO not JSON. why says which. */
static int get_json(const char *url, json_t **out, char *why, size_t whylen)
{
    CURL *c = curl_easy_init();
    body b = {0};
    long status = 0;
    *out = NULL;
    if (!c) return WZ_NOMEM;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)WEATHER_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)WEATHER_TOTAL_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "wyzer/" WZ_VERSION);
    CURLcode cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    int rc = WZ_OK;
    if (b.overflow) {
        snprintf(why, whylen, "response larger than %d bytes", WEATHER_BODY_MAX);
        rc = WZ_TOOBIG;
    } else if (cc != CURLE_OK) {
        snprintf(why, whylen, "%s", curl_easy_strerror(cc));
        rc = WZ_IO;
    } else if (status != 200) {
        snprintf(why, whylen, "HTTP %ld", status);
        rc = WZ_HTTP;
    } else {
        json_error_t je;
        *out = json_loadb(b.buf ? b.buf : "", b.len, 0, &je);
        if (!json_is_object(*out)) {
            json_decref(*out);
            *out = NULL;
            snprintf(why, whylen, "malformed JSON: %s", je.text);
            rc = WZ_PROTO;
        }
    }
    free(b.buf);
    return rc;
}

static int fail_for(tools *t, tool_result *out, int rc, const char *why)
{
    return tool_fail(t, out, rc == WZ_PROTO || rc == WZ_TOOBIG ? "weather.bad_reply" : "weather.unreachable", NULL, why);
}

static int geocode(tools *t, const char *place, double *lat, double *lon, char *name, size_t cap, tool_result *out)
{
    char url[2048], why[256];
    char *esc = curl_easy_escape(NULL, place, 0);
    if (!esc) return WZ_NOMEM;
    snprintf(url, sizeof url, "%s/v1/search?name=%s&count=1&language=en&format=json", t->cfg.weather_geocode_url, esc);
    curl_free(esc);
    json_t *j;
    int rc = get_json(url, &j, why, sizeof why);
    if (rc) return fail_for(t, out, rc, why), rc;
    json_t *r0 = json_array_get(json_object_get(j, "results"), 0);
    json_t *jl = json_object_get(r0, "latitude"), *jo = json_object_get(r0, "longitude"), *jn = json_object_get(r0, "name");
    if (!r0 || !json_is_number(jl) || !json_is_number(jo)) {
        json_decref(j);
        tool_fail(t, out, "weather.not_found", json_pack("{s:s}", "location", place), "place not found");
        return WZ_NOTFOUND;
    }
    *lat = json_number_value(jl);
    *lon = json_number_value(jo);
    wz_strlcpy(name, json_is_string(jn) ? json_string_value(jn) : place, cap);
    json_decref(j);
    return WZ_OK;
}

static bool daily_num(const json_t *daily, const char *key, int idx, double *v)
{
    json_t *x = json_array_get(json_object_get(daily, key), (size_t)idx);
    if (!json_is_number(x)) return false;
    *v = json_number_value(x);
    return true;
}

static void sky_words(tools *t, int code, char *buf, size_t cap)
{
    char key[48];
    snprintf(key, sizeof key, "weather_code.%d", code);
    const char *s = replies_get(t->rep, key);
    wz_strlcpy(buf, s ? s : replies_get(t->rep, "weather_code.unknown") ? replies_get(t->rep, "weather_code.unknown") : "", cap);
}

static int run(tools *t, const json_t *args, tool_result *out)
{
    const char *place = json_string_value(json_object_get(args, "location"));
    const char *day = json_string_value(json_object_get(args, "day"));
    int idx = day && strcmp(day, "tomorrow") == 0 ? 1 : 0;
    double lat = t->cfg.weather_latitude, lon = t->cfg.weather_longitude;
    char name[256] = "", url[2048], why[256], sky[96], rain[160] = "";
    if (place) {
        int rc = geocode(t, place, &lat, &lon, name, sizeof name, out);
        if (rc) return WZ_OK; /* geocode() filled the failure */
    } else if (lat == 0 && lon == 0) {
        return tool_fail(t, out, "weather.no_location", NULL, "no location: set weather.latitude/longitude");
    } else {
        wz_strlcpy(name, replies_get(t->rep, "weather.here") ? replies_get(t->rep, "weather.here") : "", sizeof name);
    }
    snprintf(url, sizeof url,
             "%s/v1/forecast?latitude=%.4f&longitude=%.4f&current=temperature_2m,weather_code"
             "&daily=weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max"
             "&timezone=auto&forecast_days=2",
             t->cfg.weather_url, lat, lon);
    json_t *j;
    int rc = get_json(url, &j, why, sizeof why);
    if (rc) return fail_for(t, out, rc, why);
    json_t *cur = json_object_get(j, "current"), *daily = json_object_get(j, "daily");
    json_t *ct = json_object_get(cur, "temperature_2m"), *cc = json_object_get(cur, "weather_code");
    double hi, lo, code, pop = -1;
    if (!json_is_number(ct) || !json_is_number(cc) || !daily_num(daily, "temperature_2m_max", idx, &hi) ||
        !daily_num(daily, "temperature_2m_min", idx, &lo) || !daily_num(daily, "weather_code", idx, &code)) {
        json_decref(j);
        return tool_fail(t, out, "weather.bad_reply", NULL, "forecast is missing fields");
    }
    daily_num(daily, "precipitation_probability_max", idx, &pop);
    sky_words(t, (int)(idx ? code : json_number_value(cc)), sky, sizeof sky);
    if (pop >= 10) { /* below 10 % a rain remark is noise */
        json_t *rv = json_pack("{s:i}", "pop", (int)lround(pop));
        replies_format(t->rep, "weather.rain", rv, rain, sizeof rain);
        json_decref(rv);
    }
    out->result = json_pack("{s:s, s:f, s:f, s:s, s:f, s:i, s:s, s:f, s:f, s:f}", "location", name, "latitude", lat,
                            "longitude", lon, "day", idx ? "tomorrow" : "today", "temperature",
                            json_number_value(ct), "weather_code", (int)(idx ? code : json_number_value(cc)),
                            "description", sky, "high", hi, "low", lo, "precipitation_probability", pop);
    tool_say(t, out, idx ? "weather.tomorrow" : "weather.now",
             json_pack("{s:s, s:i, s:s, s:i, s:i, s:s}", "place", name, "temp", (int)lround(json_number_value(ct)),
                       "sky", sky, "high", (int)lround(hi), "low", (int)lround(lo), "rain", rain));
    json_decref(j);
    return WZ_OK;
}

const tool_def tool_weather = {
    .name = "weather",
    .description = "Weather forecast for today or tomorrow, for a named place or the configured location.",
    .schema = "{\"type\":\"object\",\"properties\":{"
              "\"location\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":100,\"description\":\"city name; omit for home\"},"
              "\"day\":{\"type\":\"string\",\"enum\":[\"today\",\"tomorrow\"]}},\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run,
};
