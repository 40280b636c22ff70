/* test_tool_volume.c: the volume tool against a real PulseAudio server
 * (null sink) started here; levels are checked with pactl. */
#include "tools_fixture.h"

static bool start_pulse(void)
{
    char rt[300];
    snprintf(rt, sizeof rt, "/tmp/wz-pulse-XXXXXX");
    if (!mkdtemp(rt)) return false;
    chmod(rt, 0700);
    setenv("XDG_RUNTIME_DIR", rt, 1);
    unsetenv("PULSE_SERVER");
    fx_sh("pulseaudio -D --exit-idle-time=-1 -n --load=module-native-protocol-unix "
          "--load='module-null-sink sink_name=spk rate=16000 channels=1' 2>&1",
          NULL, 0);
    for (int i = 0; i < 50; i++) {
        if (fx_sh("pactl info >/dev/null 2>&1", NULL, 0) == 0) return true;
        usleep(100000);
    }
    return false;
}

static void stop_pulse(void)
{
    char cmd[400];
    fx_sh("pactl exit 2>/dev/null", NULL, 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", getenv("XDG_RUNTIME_DIR"));
    fx_sh(cmd, NULL, 0);
}

static int sink_level(void)
{
    char buf[512];
    fx_sh("pactl get-sink-volume @DEFAULT_SINK@", buf, sizeof buf);
    char *pct = strchr(buf, '%');
    if (!pct) return -1;
    while (pct > buf && pct[-1] >= '0' && pct[-1] <= '9') pct--;
    return atoi(pct);
}

static bool sink_muted(void)
{
    char buf[128];
    fx_sh("pactl get-sink-mute @DEFAULT_SINK@", buf, sizeof buf);
    return strstr(buf, "yes") != NULL;
}

static void volume(tools *t, const char *args, const char *spoken)
{
    tool_result r;
    ASSERT_EQ(WZ_OK, fx_call(t, "volume", args, &r));
    if (!r.ok) TEST_FAIL_AT("volume %s failed: %s", args, r.error);
    ASSERT_STREQ(spoken, r.spoken);
    tool_result_clear(&r);
}

static void test_volume_against_pulseaudio(void)
{
    if (!start_pulse()) {
        fprintf(stderr, "  SKIP: PulseAudio could not start here\n");
        return;
    }
    tools *t = fx_tools(NULL);
    volume(t, "{\"action\":\"set\",\"level\":30}", "Volume set to 30 percent.");
    ASSERT_EQ(30, sink_level());
    volume(t, "{\"action\":\"up\"}", "Volume up, now 40 percent.");
    ASSERT_EQ(40, sink_level());
    volume(t, "{\"action\":\"down\"}", "Volume down, now 30 percent.");
    ASSERT_EQ(30, sink_level());
    volume(t, "{\"action\":\"set\",\"level\":95}", "Volume set to 95 percent.");
    volume(t, "{\"action\":\"up\"}", "Volume up, now 100 percent."); /* capped, not 105 */
    ASSERT_EQ(100, sink_level());
    volume(t, "{\"action\":\"set\",\"level\":5}", "Volume set to 5 percent.");
    volume(t, "{\"action\":\"down\"}", "Volume down, now 0 percent.");
    ASSERT_EQ(0, sink_level());
    ASSERT_TRUE(!sink_muted());
    volume(t, "{\"action\":\"mute\"}", "Muted.");
    ASSERT_TRUE(sink_muted());
    volume(t, "{\"action\":\"unmute\"}", "Sound is back on.");
    ASSERT_TRUE(!sink_muted());
    tools_destroy(t);
    stop_pulse();
}

static void test_volume_without_a_server_fails_cleanly(void)
{
    setenv("PULSE_SERVER", "unix:/nonexistent/wyzer-test", 1);
    tools *t = fx_tools(NULL);
    tool_result r;
    ASSERT_EQ(WZ_OK, fx_call(t, "volume", "{\"action\":\"up\"}", &r));
    ASSERT_TRUE(!r.ok);
    ASSERT_STREQ("I couldn't change the volume.", r.spoken);
    tool_result_clear(&r);
    tools_destroy(t);
}

int main(void)
{
    RUN(test_volume_against_pulseaudio);
    RUN(test_volume_without_a_server_fails_cleanly);
    return TEST_SUMMARY();
}
