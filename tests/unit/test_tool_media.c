/* test_tool_media.c: the media tool against a real MPRIS player (mpv with
 * Debian's mpv-mpris plugin) on a private session D-Bus, playing sox tones
 * into a PulseAudio null sink (or mpv's null output if PulseAudio cannot
 * start). PlaybackStatus and Metadata are read back with busctl. */
#include <signal.h>
#include <sys/wait.h>

#include "tools_fixture.h"

static const char *const plugin_paths[] = {"/usr/lib/mpv-mpris/mpris.so", "/etc/mpv/scripts/mpris.so",
                                           "/usr/lib/x86_64-linux-gnu/mpv/scripts/mpris.so"};

static char bus_addr[512];
static int dbus_pid = -1, mpv_pid = -1;
static bool pulse_up;

static const char *find_plugin(void)
{
    for (size_t i = 0; i < WZ_ARRAY_LEN(plugin_paths); i++)
        if (access(plugin_paths[i], R_OK) == 0) return plugin_paths[i];
    return NULL;
}

static bool start_bus(void)
{
    char out[1024];
    if (fx_sh("dbus-daemon --session --fork --print-address=1 --print-pid=1 2>/dev/null", out, sizeof out) != 0)
        return false;
    char *nl = strchr(out, '\n');
    if (!nl) return false;
    *nl = 0;
    wz_strlcpy(bus_addr, out, sizeof bus_addr);
    dbus_pid = atoi(nl + 1);
    setenv("DBUS_SESSION_BUS_ADDRESS", bus_addr, 1);
    return dbus_pid > 0;
}

static void start_pulse(void)
{
    char rt[300];
    snprintf(rt, sizeof rt, "/tmp/wz-pulse-XXXXXX");
    if (!mkdtemp(rt)) return;
    setenv("XDG_RUNTIME_DIR", rt, 1);
    fx_sh("pulseaudio -D --exit-idle-time=-1 -n --load=module-native-protocol-unix "
          "--load='module-null-sink sink_name=spk rate=16000 channels=1' 2>&1", NULL, 0);
    for (int i = 0; i < 50 && !pulse_up; i++) {
        pulse_up = fx_sh("pactl info >/dev/null 2>&1", NULL, 0) == 0;
        if (!pulse_up) usleep(100000);
    }
}

static char *prop(const char *name, char *buf, size_t cap)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "busctl --address='%s' get-property org.mpris.MediaPlayer2.mpv /org/mpris/MediaPlayer2 "
             "org.mpris.MediaPlayer2.Player %s 2>/dev/null",
             bus_addr, name);
    fx_sh(cmd, buf, cap);
    return buf;
}

static bool wait_prop(const char *name, const char *want)
{
    char buf[4096];
    for (int i = 0; i < 100; i++) {
        if (strstr(prop(name, buf, sizeof buf), want)) return true;
        usleep(50000);
    }
    fprintf(stderr, "  %s is %s, wanted %s\n", name, buf, want);
    return false;
}

static bool start_mpv(const char *plugin)
{
    char a[600], b[600], script[700];
    snprintf(a, sizeof a, "%s/a.wav", fx_dir);
    snprintf(b, sizeof b, "%s/b.wav", fx_dir);
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "sox -n -r 16000 -c 1 '%s' synth 60 sine 440 && sox -n -r 16000 -c 1 '%s' synth 60 sine 660", a, b);
    if (fx_sh(cmd, NULL, 0) != 0) return false;
    snprintf(script, sizeof script, "--script=%s", plugin);
    mpv_pid = fork();
    if (mpv_pid == 0) {
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execlp("mpv", "mpv", "--no-config", "--no-video", "--idle=yes", "--no-terminal", script,
               pulse_up ? "--ao=pulse" : "--ao=null", a, b, (char *)NULL);
        _exit(127);
    }
    return wait_prop("PlaybackStatus", "\"Playing\"");
}

static void stop_all(void)
{
    if (mpv_pid > 0) kill(mpv_pid, SIGTERM), waitpid(mpv_pid, NULL, 0);
    if (dbus_pid > 0) kill(dbus_pid, SIGTERM);
    if (pulse_up) {
        char cmd[400];
        fx_sh("pactl exit 2>/dev/null", NULL, 0);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", getenv("XDG_RUNTIME_DIR"));
        fx_sh(cmd, NULL, 0);
    }
}

static void media(tools *t, const char *action, const char *spoken)
{
    char args[64];
    tool_result r;
    snprintf(args, sizeof args, "{\"action\":\"%s\"}", action);
    ASSERT_EQ(WZ_OK, fx_call(t, "media", args, &r));
    if (!r.ok) TEST_FAIL_AT("media %s failed: %s", action, r.error);
    ASSERT_STREQ(spoken, r.spoken);
    ASSERT_STREQ("org.mpris.MediaPlayer2.mpv", json_string_value(json_object_get(r.result, "player")));
    tool_result_clear(&r);
}

static void test_media_controls_mpv_over_mpris(void)
{
    const char *plugin = find_plugin();
    if (!plugin) {
        fprintf(stderr, "  SKIP: mpv-mpris plugin not installed\n");
        return;
    }
    if (!start_bus()) TEST_FAIL_AT("dbus-daemon --session did not start");
    start_pulse();
    fprintf(stderr, "  audio output: %s\n", pulse_up ? "PulseAudio null sink" : "mpv null output");
    tools *t = fx_tools(NULL);
    if (!start_mpv(plugin)) {
        stop_all();
        TEST_FAIL_AT("mpv did not appear on the bus as Playing");
    }
    char buf[4096];
    media(t, "pause", "Paused.");
    ASSERT_TRUE(wait_prop("PlaybackStatus", "\"Paused\""));
    media(t, "play", "Playing.");
    ASSERT_TRUE(wait_prop("PlaybackStatus", "\"Playing\""));
    media(t, "toggle", "Okay.");
    ASSERT_TRUE(wait_prop("PlaybackStatus", "\"Paused\""));
    media(t, "toggle", "Okay.");
    ASSERT_TRUE(wait_prop("PlaybackStatus", "\"Playing\""));
    ASSERT_TRUE(strstr(prop("Metadata", buf, sizeof buf), "a.wav") != NULL);
    media(t, "next", "Next track.");
    ASSERT_TRUE(wait_prop("Metadata", "b.wav"));
    media(t, "previous", "Previous track.");
    ASSERT_TRUE(wait_prop("Metadata", "a.wav"));
    tools_destroy(t);
    stop_all();
}

static void test_media_with_no_player(void)
{
    if (!start_bus()) TEST_FAIL_AT("dbus-daemon --session did not start");
    tools *t = fx_tools(NULL);
    tool_result r;
    ASSERT_EQ(WZ_OK, fx_call(t, "media", "{\"action\":\"pause\"}", &r));
    ASSERT_TRUE(!r.ok);
    ASSERT_STREQ("No media player is running.", r.spoken);
    tool_result_clear(&r);
    tools_destroy(t);
    stop_all();
}

static void test_media_with_no_bus(void)
{
    setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/wyzer-bus", 1);
    tools *t = fx_tools(NULL);
    tool_result r;
    ASSERT_EQ(WZ_OK, fx_call(t, "media", "{\"action\":\"play\"}", &r));
    ASSERT_TRUE(!r.ok);
    ASSERT_STREQ("No media player is running.", r.spoken);
    tool_result_clear(&r);
    tools_destroy(t);
}

int main(void)
{
    RUN(test_media_controls_mpv_over_mpris);
    RUN(test_media_with_no_player);
    RUN(test_media_with_no_bus);
    return TEST_SUMMARY();
}
