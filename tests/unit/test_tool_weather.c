/* test_tool_weather.c: the weather tool against a local stand-in that replays
 * Open-Meteo's response shapes (tests/standins/openmeteo_standin.py): the
 * configured location, geocoding, tomorrow, unknown places, no location,
 * an offline server (closed port), HTTP 500, malformed JSON, an oversized
 * body and a server slower than the timeout. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "tools_fixture.h"

static int server_pid = -1, port;
static char reqlog[700];

static void start_server(void)
{
    char portfile[700], script[1024], buf[32];
    fx_tools(NULL) ? (void)0 : (void)0; /* creates fx_dir */
    snprintf(portfile, sizeof portfile, "%s/port", fx_dir);
    snprintf(reqlog, sizeof reqlog, "%s/requests.log", fx_dir);
    snprintf(script, sizeof script, "%s/tests/standins/openmeteo_standin.py", getenv("WZ_SOURCE_DIR"));
    server_pid = fork();
    if (server_pid == 0) {
        execlp("python3", "python3", script, portfile, reqlog, (char *)NULL);
        _exit(127);
    }
    fx_wait_file(portfile, buf, sizeof buf);
    port = atoi(buf);
}

static void stop_server(void)
{
    if (server_pid > 0) kill(server_pid, SIGTERM), waitpid(server_pid, NULL, 0);
}

static tools *weather_tools(const char *mode, bool located)
{
    char url[128], geo[128];
    snprintf(url, sizeof url, "weather.url=http://127.0.0.1:%d/%s", port, mode);
    snprintf(geo, sizeof geo, "weather.geocode_url=http://127.0.0.1:%d/%s", port, mode);
    const char *s[] = {url, geo, located ? "weather.latitude=52.52" : "weather.latitude=0",
                       located ? "weather.longitude=13.41" : "weather.longitude=0", NULL};
    return fx_tools(s);
}

static void check(tools *t, const char *args, bool ok, const char *spoken, const char *error)
{
    tool_result r;
    ASSERT_EQ(WZ_OK, fx_call(t, "weather", args, &r));
    if (r.ok != ok) TEST_FAIL_AT("%s: ok=%d (%s)", args, r.ok, r.error);
    ASSERT_STREQ(spoken, r.spoken);
    if (error) ASSERT_CONTAINS(r.error, error);
    tool_result_clear(&r);
}

static void test_configured_location_today_and_tomorrow(void)
{
    start_server();
    tools *t = weather_tools("ok", true);
    check(t, NULL, true, "In your area it's 7 degrees and overcast. Today's high is 9 with a low of 2.", NULL);
    check(t, "{\"day\":\"tomorrow\"}", true,
          "Tomorrow in your area: light rain, high 8, low 5, and a 80 percent chance of rain.", NULL);
    tools_destroy(t);
    stop_server();
}

static void test_geocoded_location(void)
{
    char log[4096];
    start_server();
    tools *t = weather_tools("ok", false);
    check(t, "{\"location\":\"New York\"}", true,
          "In New York it's 7 degrees and overcast. Today's high is 9 with a low of 2.", NULL);
    fx_wait_file(reqlog, log, sizeof log);
    ASSERT_CONTAINS(log, "/ok/v1/search?name=New%20York&count=1");
    ASSERT_CONTAINS(log, "/ok/v1/forecast?latitude=40.7143&longitude=-74.0060");
    check(t, "{\"location\":\"Atlantis\"}", false, "I couldn't find a place called Atlantis.", "place not found");
    tools_destroy(t);
    stop_server();
}

static void test_no_location_configured(void)
{
    start_server();
    tools *t = weather_tools("ok", false);
    check(t, NULL, false,
          "I don't know where you are. Set weather.latitude and weather.longitude, or ask for a city.", "no location");
    tools_destroy(t);
    stop_server();
}

static void test_server_failures(void)
{
    start_server();
    tools *t = weather_tools("error500", true);
    check(t, NULL, false, "I couldn't reach the weather service.", "HTTP 500");
    tools_destroy(t);
    t = weather_tools("malformed", true);
    check(t, NULL, false, "The weather service sent a reply I couldn't read.", "malformed JSON");
    tools_destroy(t);
    t = weather_tools("huge", true);
    check(t, NULL, false, "The weather service sent a reply I couldn't read.", "larger than");
    tools_destroy(t);
    t = weather_tools("malformed", false); /* geocoding fails the same way */
    check(t, "{\"location\":\"Berlin\"}", false, "The weather service sent a reply I couldn't read.", "malformed");
    tools_destroy(t);
    stop_server();
}

static void test_offline_closed_port(void)
{
    /* a port that was just free: nothing listens there */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ASSERT_EQ(0, bind(s, (struct sockaddr *)&a, sizeof a));
    getsockname(s, (struct sockaddr *)&a, &len);
    port = ntohs(a.sin_port);
    close(s);
    tools *t = weather_tools("ok", true);
    check(t, NULL, false, "I couldn't reach the weather service.", "connect");
    tools_destroy(t);
}

static void test_slow_server_times_out(void)
{
    start_server();
    tools *t = weather_tools("slow", true);
    int64_t t0 = wz_now_ms();
    check(t, NULL, false, "I couldn't reach the weather service.", "Timeout");
    int64_t took = wz_now_ms() - t0;
    ASSERT_GE(took, 7000);
    ASSERT_LE(took, 12000); /* the 8 s total timeout, not the server's 20 s */
    tools_destroy(t);
    stop_server();
}

int main(void)
{
    RUN(test_configured_location_today_and_tomorrow);
    RUN(test_geocoded_location);
    RUN(test_no_location_configured);
    RUN(test_server_failures);
    RUN(test_offline_closed_port);
    RUN(test_slow_server_times_out);
    return TEST_SUMMARY();
}
