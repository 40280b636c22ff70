/* test_stt_whisper.c: the whisper-server and openai STT clients against
 * tests/standins/whisper_standin.py (a stand-in for Whisper servers, which
 * Debian 12 lacks): request shapes, success, 500, non-JSON, oversized body,
 * slow server, connection dropped mid-body, server down, cancel; plus the
 * response parser. */
#include "wz_test.h"

#include <signal.h>
#include <sys/wait.h>
#include <pthread.h>

#include "brain/stt.h"
#include "brain/stt_whisper.h"
#include "common/wz.h"

static pid_t server_pid;
static int server_port;

static void start_server(void)
{
    int fds[2];
    ASSERT_EQ(0, pipe(fds));
    server_pid = fork();
    if (server_pid == 0) {
        dup2(fds[1], 1);
        char path[1024];
        snprintf(path, sizeof path, "%s/tests/standins/whisper_standin.py", getenv("WZ_SOURCE_DIR"));
        execlp("python3", "python3", path, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char line[32] = "";
    FILE *f = fdopen(fds[0], "r");
    ASSERT_TRUE(fgets(line, sizeof line, f) != NULL);
    server_port = atoi(line);
    ASSERT_TRUE(server_port > 0);
}

static void stop_server(void)
{
    kill(server_pid, SIGTERM);
    waitpid(server_pid, NULL, 0);
}

static stt *make(const char *engine, const char *mode, long timeout_ms, const char *key)
{
    wz_config cfg;
    config_init(&cfg);
    wz_strlcpy(cfg.stt_engine, engine, sizeof cfg.stt_engine);
    snprintf(cfg.stt_url, sizeof cfg.stt_url, "http://127.0.0.1:%d/%s/", server_port, mode);
    cfg.stt_timeout_ms = timeout_ms;
    wz_strlcpy(cfg.stt_api_key, key, sizeof cfg.stt_api_key);
    wz_strlcpy(cfg.stt_model, "tiny.en", sizeof cfg.stt_model);
    stt *s;
    char err[512];
    if (stt_create(&s, &cfg, err, sizeof err))
        TEST_FAIL_AT("%s", err);
    return s;
}

static int run(stt *s, stt_result *r)
{
    static int16_t pcm[16000];
    for (int i = 0; i < 16000; i++)
        pcm[i] = (int16_t)((i % 40) * 200 - 4000);
    int rc = stt_begin(s);
    for (int i = 0; rc == 0 && i < 16000; i += 320)
        rc = stt_feed(s, pcm + i, 320);
    return rc ? rc : stt_finish(s, r);
}

static void test_whisper_server_request_shape_and_success(void)
{
    start_server();
    stt *s = make("whisper-server", "ok", 5000, "");
    static const int16_t wake[8000];
    ASSERT_EQ(WZ_UNSUPP, stt_adapt(s, wake, WZ_ARRAY_LEN(wake))); /* and it is not sent */
    stt_result r;
    int rc = run(s, &r);
    if (rc)
        TEST_FAIL_AT("%s", stt_last_error(s));
    /* 1 s of 16 kHz s16 = 32000 bytes + 44-byte header; trimmed text. */
    ASSERT_STREQ("inference fields=file,response_format bytes=32044 model=- auth=-", r.text);
    ASSERT_STREQ("whisper", r.pass);
    stt_destroy(s);
    stop_server();
}

static void test_openai_request_shape_with_key(void)
{
    start_server();
    stt *s = make("openai", "ok", 5000, "sk-test");
    stt_result r;
    int rc = run(s, &r);
    if (rc)
        TEST_FAIL_AT("%s", stt_last_error(s));
    ASSERT_STREQ("openai fields=file,model,response_format bytes=32044 model=tiny.en auth=Bearer sk-test", r.text);
    stt_destroy(s);
    stop_server();
}

static void expect_error(const char *mode, long timeout_ms, int want, const char *msg_part)
{
    start_server();
    stt *s = make("whisper-server", mode, timeout_ms, "");
    stt_result r;
    int64_t t0 = wz_now_ms();
    ASSERT_EQ(want, run(s, &r));
    fprintf(stderr, "  %s: %s (%lld ms)\n", mode, stt_last_error(s), (long long)(wz_now_ms() - t0));
    ASSERT_STREQ("", r.text);
    ASSERT_CONTAINS(stt_last_error(s), "127.0.0.1");
    ASSERT_CONTAINS(stt_last_error(s), msg_part);
    stt_destroy(s);
    stop_server();
}

static void test_http_500(void) { expect_error("e500", 5000, WZ_HTTP, "HTTP 500"); }
static void test_non_json(void) { expect_error("garbage", 5000, WZ_PROTO, "not JSON"); }
static void test_oversized_body(void) { expect_error("big", 5000, WZ_TOOBIG, "larger than"); }
static void test_slow_server_times_out(void) { expect_error("slow", 500, WZ_TIMEDOUT, "stt.timeout_ms"); }
static void test_connection_dropped_mid_body(void) { expect_error("drop", 5000, WZ_IO, "inference"); }

static void test_server_down(void)
{
    server_port = 1; /* nothing listens on port 1 */
    stt *s = make("whisper-server", "ok", 2000, "");
    stt_result r;
    ASSERT_EQ(WZ_IO, run(s, &r));
    fprintf(stderr, "  down: %s\n", stt_last_error(s));
    ASSERT_CONTAINS(stt_last_error(s), "127.0.0.1:1");
    stt_destroy(s);
}

static stt *cancel_target;
static void *cancel_later(void *arg)
{
    wz_sleep_ms(300);
    stt_cancel(cancel_target);
    return NULL;
}

static void test_cancel_aborts_request(void)
{
    start_server();
    stt *s = make("whisper-server", "slow", 10000, "");
    cancel_target = s;
    pthread_t th;
    pthread_create(&th, NULL, cancel_later, NULL);
    stt_result r;
    int64_t t0 = wz_now_ms();
    ASSERT_EQ(WZ_CANCELED, run(s, &r));
    int64_t took = wz_now_ms() - t0;
    pthread_join(th, NULL);
    fprintf(stderr, "  canceled after %lld ms\n", (long long)took);
    ASSERT_LE(took, 1000); /* 300 ms + the 50 ms poll slice, far before the 3 s answer */
    stt_destroy(s);
    stop_server();
}

static void test_bad_url_is_config_error(void)
{
    wz_config cfg;
    config_init(&cfg);
    wz_strlcpy(cfg.stt_engine, "openai", sizeof cfg.stt_engine);
    wz_strlcpy(cfg.stt_url, "localhost:8080", sizeof cfg.stt_url);
    stt *s;
    char err[512] = "";
    ASSERT_EQ(WZ_CONFIG, stt_create(&s, &cfg, err, sizeof err));
    ASSERT_CONTAINS(err, "openai");
    ASSERT_CONTAINS(err, "stt.url");
}

#define J1 "{\"text\":\"  hi there \\n\"}"
#define J2 "{\"error\":{\"message\":\"no model\"}}"
#define J3 "{\"text\":\"0123456789abcdefXYZ\"}"

static void test_parser(void)
{
    char t[16], e[256];
    ASSERT_EQ(0, stt_whisper_parse_response(J1, strlen(J1), t, sizeof t, e, sizeof e));
    ASSERT_STREQ("hi there", t);
    ASSERT_EQ(WZ_PROTO, stt_whisper_parse_response(J2, strlen(J2), t, sizeof t, e, sizeof e));
    ASSERT_CONTAINS(e, "no model");
    ASSERT_EQ(WZ_PROTO, stt_whisper_parse_response("[1]", 3, t, sizeof t, e, sizeof e));
    ASSERT_EQ(WZ_PROTO, stt_whisper_parse_response("{\"text\":5}", 10, t, sizeof t, e, sizeof e));
    ASSERT_EQ(WZ_TOOBIG, stt_whisper_parse_response(J3, strlen(J3), t, sizeof t, e, sizeof e));
    ASSERT_STREQ("", t);
}

int main(void)
{
    RUN(test_parser);
    RUN(test_bad_url_is_config_error);
    RUN(test_whisper_server_request_shape_and_success);
    RUN(test_openai_request_shape_with_key);
    RUN(test_http_500);
    RUN(test_non_json);
    RUN(test_oversized_body);
    RUN(test_slow_server_times_out);
    RUN(test_connection_dropped_mid_body);
    RUN(test_server_down);
    RUN(test_cancel_aborts_request);
    return TEST_SUMMARY();
}
