/* tool_time.c: get_time and get_date, in the local time zone. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "brain/tools_internal.h"

static struct tm local_now(tools *t)
{
    time_t now = (time_t)(tools_now_ms(t) / 1000);
    struct tm tm;
    localtime_r(&now, &tm);
    return tm;
}

static int run_time(tools *t, const json_t *args, tool_result *out)
{
    (void)args;
    struct tm tm = local_now(t);
    char spoken[32], iso[32];
    int h12 = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
    /* "5:07 PM": no leading zero on the hour, as people say it */
    snprintf(spoken, sizeof spoken, "%d:%02d %s", h12, tm.tm_min, tm.tm_hour < 12 ? "AM" : "PM");
    strftime(iso, sizeof iso, "%H:%M", &tm);
    out->result = json_pack("{s:s, s:s}", "time", iso, "spoken", spoken);
    tool_say(t, out, "time.now", json_pack("{s:s}", "time", spoken));
    return WZ_OK;
}

static int run_date(tools *t, const json_t *args, tool_result *out)
{
    (void)args;
    struct tm tm = local_now(t);
    char weekday[16], month[16], iso[16];
    strftime(weekday, sizeof weekday, "%A", &tm);
    strftime(month, sizeof month, "%B", &tm);
    strftime(iso, sizeof iso, "%Y-%m-%d", &tm);
    out->result = json_pack("{s:s, s:s}", "date", iso, "weekday", weekday);
    tool_say(t, out, "time.date", json_pack("{s:s, s:s, s:i}", "weekday", weekday, "month", month, "day", tm.tm_mday));
    return WZ_OK;
}

const tool_def tool_get_time = {
    .name = "get_time",
    .description = "Get the current local time.",
    .schema = "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run_time,
};

const tool_def tool_get_date = {
    .name = "get_date",
    .description = "Get today's date and weekday.",
    .schema = "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run_date,
};
