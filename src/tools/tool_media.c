/* tool_media.c: media control of an MPRIS player over the session D-Bus
 * (sd-bus). Prefers a player that is Playing, else the first one found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "brain/tools_internal.h"

#define MPRIS_PREFIX "org.mpris.MediaPlayer2."
#define MPRIS_PATH "/org/mpris/MediaPlayer2"
#define MPRIS_PLAYER "org.mpris.MediaPlayer2.Player"
#define DBUS_TIMEOUT_US (2 * 1000 * 1000) /* a hung player must not hang the brain */

/* Finds the player to control; writes its bus name into name. */
static int pick_player(sd_bus *bus, char *name, size_t cap)
{
    sd_bus_error err = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    const char *n;
    int found = 0;
    int r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "ListNames", &err, &reply, "");
    sd_bus_error_free(&err);
    if (r < 0) return WZ_IO;
    if (sd_bus_message_enter_container(reply, 'a', "s") < 0) {
        sd_bus_message_unref(reply);
        return WZ_PROTO;
    }
    while (sd_bus_message_read(reply, "s", &n) > 0) {
        if (strncmp(n, MPRIS_PREFIX, strlen(MPRIS_PREFIX)) != 0) continue;
        char *status = NULL;
        sd_bus_error e2 = SD_BUS_ERROR_NULL;
        bool playing = sd_bus_get_property_string(bus, n, MPRIS_PATH, MPRIS_PLAYER, "PlaybackStatus", &e2, &status) >= 0 &&
                       strcmp(status, "Playing") == 0;
        sd_bus_error_free(&e2);
        free(status);
        if (!found || playing) wz_strlcpy(name, n, cap);
        found = 1;
        if (playing) break;
    }
    sd_bus_message_unref(reply);
    return found ? WZ_OK : WZ_NOTFOUND;
}

static const char *method_for(const char *action)
{
    if (strcmp(action, "play") == 0) return "Play";
    if (strcmp(action, "pause") == 0) return "Pause";
    if (strcmp(action, "toggle") == 0) return "PlayPause";
    if (strcmp(action, "next") == 0) return "Next";
    if (strcmp(action, "previous") == 0) return "Previous";
    return NULL;
}

static int run(tools *t, const json_t *args, tool_result *out)
{
    const char *action = json_string_value(json_object_get(args, "action"));
    const char *method = method_for(action);
    sd_bus *bus = NULL;
    char player[256];
    if (!method) return tool_fail(t, out, "general.invalid_args", NULL, "unknown action");
    if (sd_bus_open_user(&bus) < 0) return tool_fail(t, out, "media.no_player", NULL, "no session D-Bus");
    sd_bus_set_method_call_timeout(bus, DBUS_TIMEOUT_US);
    int rc = pick_player(bus, player, sizeof player);
    if (rc) {
        sd_bus_flush_close_unref(bus);
        return tool_fail(t, out, "media.no_player", NULL, rc == WZ_NOTFOUND ? "no MPRIS player" : "D-Bus ListNames failed");
    }
    sd_bus_error err = SD_BUS_ERROR_NULL;
    int r = sd_bus_call_method(bus, player, MPRIS_PATH, MPRIS_PLAYER, method, &err, NULL, "");
    char why[TOOLS_ERROR_MAX];
    snprintf(why, sizeof why, "%.100s.%s: %.100s", player, method, r < 0 ? (err.message ? err.message : "failed") : "ok");
    sd_bus_error_free(&err);
    sd_bus_flush_close_unref(bus);
    out->result = json_pack("{s:s, s:s}", "action", action, "player", player);
    if (r < 0) return tool_fail(t, out, "media.failed", NULL, why);
    char key[32];
    snprintf(key, sizeof key, "media.%s", action);
    tool_say(t, out, key, NULL);
    return WZ_OK;
}

const tool_def tool_media = {
    .name = "media",
    .description = "Control the active media player (MPRIS): play, pause, toggle, next or previous track.",
    .schema = "{\"type\":\"object\",\"properties\":{"
              "\"action\":{\"type\":\"string\",\"enum\":[\"play\",\"pause\",\"toggle\",\"next\",\"previous\"]}},"
              "\"required\":[\"action\"],\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run,
};
