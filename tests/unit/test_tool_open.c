/* test_tool_open.c: desktop entry Exec splitting, and the open tool with a
 * temporary XDG data folder whose test .desktop entry writes a marker file
 * (a real child process), plus URLs, folders and files through a fake
 * xdg-open that records its arguments. */
#include "brain/desktop.h"
#include "tools_fixture.h"

static void split_ok(const char *exec, const char *const *want, size_t n)
{
    char buf[1024], *argv[DESKTOP_ARGS_MAX + 1];
    size_t argc = 99;
    int rc = desktop_exec_argv(exec, buf, sizeof buf, argv, WZ_ARRAY_LEN(argv), &argc);
    if (rc) TEST_FAIL_AT("split \"%s\": %s", exec, wz_strerror(rc));
    if (n != argc) TEST_FAIL_AT("split \"%s\": %zu args, first extra \"%s\"", exec, argc, argv[argc - 1]);
    ASSERT_EQ(n, argc);
    for (size_t i = 0; i < n; i++) ASSERT_STREQ(want[i], argv[i]);
    ASSERT_TRUE(argv[n] == NULL);
}

static void test_exec_field_codes_and_quoting(void)
{
    split_ok("firefox %u", (const char *[]){"firefox"}, 1);
    split_ok("gimp-2.10 %U --new", (const char *[]){"gimp-2.10", "--new"}, 2);
    split_ok("\"/opt/My App/run\" --file=%f x", (const char *[]){"/opt/My App/run", "--file=", "x"}, 3);
    split_ok("sh -c \"echo \\\\\"hi\\\\\" \\\\$HOME\"", (const char *[]){"sh", "-c", "echo \"hi\" $HOME"}, 3);
    /* \s is a space before splitting (spec: escapes apply before quoting) */
    split_ok("a\\sb c", (const char *[]){"a", "b", "c"}, 3);
    split_ok("\"a\\sb\" c", (const char *[]){"a b", "c"}, 2);
    split_ok("app 100%% %i %c %k", (const char *[]){"app", "100%"}, 2);
    split_ok("  spaced    out  ", (const char *[]){"spaced", "out"}, 2);
}

static void test_exec_bad_lines_rejected(void)
{
    char buf[64], *argv[4];
    size_t argc;
    ASSERT_EQ(WZ_PROTO, desktop_exec_argv("\"unterminated", buf, sizeof buf, argv, 4, &argc));
    ASSERT_EQ(WZ_PROTO, desktop_exec_argv("%U %f", buf, sizeof buf, argv, 4, &argc));
    ASSERT_EQ(WZ_PROTO, desktop_exec_argv("", buf, sizeof buf, argv, 4, &argc));
    ASSERT_EQ(WZ_TOOBIG, desktop_exec_argv("a b c d e", buf, sizeof buf, argv, 4, &argc));
    ASSERT_EQ(WZ_TOOBIG, desktop_exec_argv("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                           buf, sizeof buf, argv, 4, &argc));
}

static char apps[700], marker[700];

/* XDG_DATA_HOME with test entries; XDG_DATA_DIRS empty of applications so
 * nothing installed on the machine can match. */
static void make_apps(void)
{
    char home[600], path[800], text[2000], sys[600];
    fx_tools(NULL) ? (void)0 : (void)0; /* creates fx_dir */
    snprintf(home, sizeof home, "%s/data home", fx_dir); /* a space, to test quoting */
    snprintf(apps, sizeof apps, "%s/applications", home);
    mkdir(home, 0700);
    mkdir(apps, 0700);
    snprintf(sys, sizeof sys, "%s/sys", fx_dir);
    mkdir(sys, 0700);
    setenv("XDG_DATA_HOME", home, 1);
    setenv("XDG_DATA_DIRS", sys, 1);
    snprintf(marker, sizeof marker, "%s/marker.txt", home);
    snprintf(path, sizeof path, "%s/org.example.MarkerMaker.desktop", apps);
    snprintf(text, sizeof text,
             "[Desktop Entry]\nType=Application\nName=Marker Maker\nName[de]=Markierer\n"
             "GenericName=Test Marker\nExec=/usr/bin/touch \"%s\" %%U\n\n"
             "[Desktop Action other]\nName=Other\nExec=/bin/false\n",
             marker);
    fx_write(path, text);
    snprintf(path, sizeof path, "%s/hidden.desktop", apps);
    fx_write(path, "[Desktop Entry]\nType=Application\nName=Secret Marker\nHidden=true\nExec=/bin/true\n");
    snprintf(path, sizeof path, "%s/link.desktop", apps);
    fx_write(path, "[Desktop Entry]\nType=Link\nName=Marker Link\nURL=http://x\nExec=/bin/true\n");
    snprintf(path, sizeof path, "%s/broken.desktop", apps);
    fx_write(path, "[Desktop Entry]\nType=Application\nName=Broken Thing\nExec=/nonexistent/wyzer-binary %f\n");
}

static void wait_marker(void)
{
    for (int i = 0; i < 250; i++) {
        if (access(marker, F_OK) == 0) return;
        usleep(20000);
    }
    TEST_FAIL_AT("the app never ran: %s missing", marker);
}

static void test_open_app_from_desktop_entry(void)
{
    make_apps();
    tools *t = fx_tools(NULL);
    tool_result r;
    ASSERT_EQ(WZ_OK, fx_call(t, "open", "{\"target\":\"marker maker\"}", &r));
    if (!r.ok) TEST_FAIL_AT("open failed: %s", r.error);
    ASSERT_STREQ("Opening Marker Maker.", r.spoken);
    ASSERT_STREQ("app", json_string_value(json_object_get(r.result, "kind")));
    tool_result_clear(&r);
    wait_marker();
    tools_destroy(t);
}

static void test_open_fuzzy_names(void)
{
    make_apps();
    tools *t = fx_tools(NULL);
    static const char *const names[] = {"the Marker Maker app", "Marker", "markermaker", "test marker"};
    for (size_t i = 0; i < WZ_ARRAY_LEN(names); i++) {
        char args[200];
        tool_result r;
        unlink(marker);
        snprintf(args, sizeof args, "{\"target\":\"%s\"}", names[i]);
        ASSERT_EQ(WZ_OK, fx_call(t, "open", args, &r));
        if (!r.ok) TEST_FAIL_AT("open %s: %s", names[i], r.error);
        ASSERT_STREQ("Marker Maker", json_string_value(json_object_get(r.result, "name")));
        tool_result_clear(&r);
        wait_marker();
    }
    tools_destroy(t);
}

static void test_open_refuses_hidden_links_and_unknowns(void)
{
    make_apps();
    tools *t = fx_tools(NULL);
    tool_result r;
    ASSERT_EQ(WZ_OK, fx_call(t, "open", "{\"target\":\"secret\"}", &r)); /* Hidden=true */
    ASSERT_TRUE(!r.ok);
    ASSERT_STREQ("I couldn't find secret.", r.spoken);
    tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, fx_call(t, "open", "{\"target\":\"marker link\"}", &r)); /* Type=Link is not an app */
    ASSERT_TRUE(!r.ok);
    tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, fx_call(t, "open", "{\"target\":\"broken thing\"}", &r));
    ASSERT_TRUE(!r.ok);
    ASSERT_CONTAINS(r.error, "program in Exec not found");
    tool_result_clear(&r);
    tools_destroy(t);
}

static void test_open_urls_folders_files(void)
{
    char log[700], got[2048], home[700], dl[800];
    make_apps();
    fx_fake_opener(log, sizeof log);
    snprintf(home, sizeof home, "%s/home", fx_dir);
    snprintf(dl, sizeof dl, "%s/Downloads", home);
    mkdir(home, 0700);
    mkdir(dl, 0700);
    setenv("HOME", home, 1);
    tools *t = fx_tools(NULL);
    tool_result r;
    ASSERT_EQ(WZ_OK, fx_call(t, "open", "{\"target\":\"https://example.org/a?b=c\"}", &r));
    ASSERT_STREQ("Opening the page.", r.spoken);
    tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, fx_call(t, "open", "{\"target\":\"my downloads folder\"}", &r));
    ASSERT_STREQ("Opening your downloads folder.", r.spoken);
    tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, fx_call(t, "open", "{\"target\":\"/etc/hostname\"}", &r));
    ASSERT_STREQ("Opening hostname.", r.spoken);
    tool_result_clear(&r);
    /* three detached openers: they may finish in any order */
    int lines = 0;
    for (int i = 0; i < 250 && lines < 3; i++) {
        fx_wait_file(log, got, sizeof got);
        lines = 0;
        for (const char *p = got; (p = strchr(p, '\n')); p++) lines++;
        if (lines < 3) usleep(20000);
    }
    ASSERT_EQ(3, lines);
    char want[900];
    snprintf(want, sizeof want, "%s\n", dl);
    ASSERT_CONTAINS(got, "https://example.org/a?b=c\n");
    ASSERT_CONTAINS(got, want);
    ASSERT_CONTAINS(got, "/etc/hostname\n");
    tools_destroy(t);
}

static void test_open_rejects_everything_else(void)
{
    static const char *const bad[] = {"file:///etc/passwd", "javascript:alert(1)", "ftp://example.org/x",
                                      "https://exa mple.org", "/nonexistent/file", "documents"};
    char log[700], home[700];
    make_apps();
    fx_fake_opener(log, sizeof log);
    snprintf(home, sizeof home, "%s/emptyhome", fx_dir);
    mkdir(home, 0700);
    setenv("HOME", home, 1); /* no Documents folder there */
    tools *t = fx_tools(NULL);
    for (size_t i = 0; i < WZ_ARRAY_LEN(bad); i++) {
        char args[200];
        tool_result r;
        snprintf(args, sizeof args, "{\"target\":\"%s\"}", bad[i]);
        ASSERT_EQ(WZ_OK, fx_call(t, "open", args, &r));
        if (r.ok) TEST_FAIL_AT("opened %s", bad[i]);
        tool_result_clear(&r);
    }
    usleep(200000);
    ASSERT_TRUE(access(log, F_OK) != 0); /* xdg-open never ran */
    tools_destroy(t);
}

int main(void)
{
    RUN(test_exec_field_codes_and_quoting);
    RUN(test_exec_bad_lines_rejected);
    RUN(test_open_app_from_desktop_entry);
    RUN(test_open_fuzzy_names);
    RUN(test_open_refuses_hidden_links_and_unknowns);
    RUN(test_open_urls_folders_files);
    RUN(test_open_rejects_everything_else);
    return TEST_SUMMARY();
}
