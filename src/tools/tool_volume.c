/* tool_volume.c: volume of the default PulseAudio/PipeWire sink through
 * pactl, run by argv (never a shell). Up/down move 10 points, capped at 100. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brain/tools_internal.h"

#define PACTL_TIMEOUT_MS 3000
#define VOLUME_STEP 10

static int pactl(char *const argv[], char *out, size_t cap)
{
    int status = 0;
    int rc = tool_run(argv, out, cap, PACTL_TIMEOUT_MS, &status);
    return rc ? rc : (status == 0 ? WZ_OK : WZ_ENGINE);
}

/* "Volume: front-left: 32768 /  50% / -18.06 dB, ..." -> 50 (first channel). */
static int volume_parse_percent(const char *text)
{
    const char *pct = strchr(text, '%');
    if (!pct) return -1;
    const char *p = pct;
    while (p > text && p[-1] >= '0' && p[-1] <= '9') p--;
    if (p == pct || pct - p > 4) return -1;
    return atoi(p);
}

static int get_level(void)
{
    char buf[512];
    char *argv[] = {"pactl", "get-sink-volume", "@DEFAULT_SINK@", NULL};
    if (pactl(argv, buf, sizeof buf)) return -1;
    return volume_parse_percent(buf);
}

static int set_level(const char *spec)
{
    char arg[16];
    snprintf(arg, sizeof arg, "%s", spec);
    char *argv[] = {"pactl", "set-sink-volume", "@DEFAULT_SINK@", arg, NULL};
    return pactl(argv, NULL, 0);
}

static int run(tools *t, const json_t *args, tool_result *out)
{
    const char *action = json_string_value(json_object_get(args, "action"));
    json_t *lv = json_object_get(args, "level");
    char spec[16];
    int rc;
    if (!tool_in_path("pactl")) return tool_fail(t, out, "volume.failed", NULL, "pactl not found");
    if (strcmp(action, "mute") == 0 || strcmp(action, "unmute") == 0) {
        char *argv[] = {"pactl", "set-sink-mute", "@DEFAULT_SINK@", action[0] == 'm' ? "1" : "0", NULL};
        rc = pactl(argv, NULL, 0);
    } else if (strcmp(action, "set") == 0) {
        if (!lv) return tool_fail(t, out, "general.invalid_args", NULL, "level is required for set");
        snprintf(spec, sizeof spec, "%d%%", (int)json_number_value(lv));
        rc = set_level(spec);
    } else {
        int now = get_level();
        int target = now < 0 ? -1 : now + (action[0] == 'u' ? VOLUME_STEP : -VOLUME_STEP);
        if (target > 100) target = 100; /* pactl +10% would pass 100% and distort */
        if (target < 0 && now >= 0) target = 0;
        snprintf(spec, sizeof spec, "%d%%", target);
        rc = now < 0 ? WZ_ENGINE : set_level(spec);
    }
    if (rc) return tool_fail(t, out, "volume.failed", NULL, rc == WZ_NOTFOUND ? "pactl not found" : "pactl failed");
    int level = get_level();
    out->result = json_pack("{s:s, s:i}", "action", action, "level", level);
    char key[32];
    snprintf(key, sizeof key, "volume.%s", action);
    tool_say(t, out, key, json_pack("{s:i}", "level", level));
    return WZ_OK;
}

const tool_def tool_volume = {
    .name = "volume",
    .description = "Change the system output volume: up, down, set to a level 0-100, mute or unmute.",
    .schema = "{\"type\":\"object\",\"properties\":{"
              "\"action\":{\"type\":\"string\",\"enum\":[\"up\",\"down\",\"set\",\"mute\",\"unmute\"]},"
              "\"level\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100,\"description\":\"percent, for set\"}},"
              "\"required\":[\"action\"],\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run,
};
