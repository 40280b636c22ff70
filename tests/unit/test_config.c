/* test_config.c: defaults, file/env/CLI precedence, and clear errors. */
#include "app/config.h"
#include "wz_test.h"

#include <stdlib.h>

static char g_path[256];

static const char *write_conf(const char *text)
{
    char dir[128];
    snprintf(g_path, sizeof g_path, "%s/test.conf", wz_test_tmpdir(dir, sizeof dir, "config-"));
    FILE *f = fopen(g_path, "w");
    fputs(text, f);
    fclose(f);
    return g_path;
}

static void test_defaults(void)
{
    wz_config c;
    config_init(&c);
    ASSERT_EQ(50, c.ipc_queue_capacity);
    ASSERT_STREQ("pocketsphinx", c.stt_engine);
    ASSERT_STREQ("flite", c.tts_engine);
    ASSERT_TRUE(c.wake_enabled);
    ASSERT_EQ(CFG_FROM_DEFAULT, c.origin[CFG_K_ipc_queue_capacity]);
}

static void test_every_default_is_valid(void)
{
    /* Each default must pass the same validation as a file value. */
    wz_config c;
    config_init(&c);
    char err[512], name[128];
    FILE *f = fopen(write_conf(""), "w");
    for (int i = 0; i < config_key_count(); i++) {
        config_key_name(i, name, sizeof name);
        char *dot = strchr(name, '.');
        *dot = '\0';
        fprintf(f, "[%s]\n", name);
    }
    fclose(f);
    ASSERT_EQ(WZ_OK, config_load_file(&c, g_path, err, sizeof err));
}

static void test_file_values(void)
{
    wz_config c;
    config_init(&c);
    char err[512] = "";
    write_conf("; comment\n[ipc]\nqueue_capacity = 12\n\n[tts]\nvoice = kal16\n[wake]\nenabled = no\n");
    ASSERT_EQ(WZ_OK, config_load_file(&c, g_path, err, sizeof err));
    ASSERT_EQ(12, c.ipc_queue_capacity);
    ASSERT_STREQ("kal16", c.tts_voice);
    ASSERT_TRUE(!c.wake_enabled);
    ASSERT_EQ(CFG_FROM_FILE, c.origin[CFG_K_ipc_queue_capacity]);
    ASSERT_EQ(3, c.origin_line[CFG_K_ipc_queue_capacity]);
}

static void test_precedence_cli_over_env_over_file(void)
{
    wz_config c;
    config_init(&c);
    char err[512] = "";
    write_conf("[ipc]\nqueue_capacity = 12\n[llm]\nmodel = from-file\nbackend = ollama\n");
    ASSERT_EQ(WZ_OK, config_load_file(&c, g_path, err, sizeof err));
    setenv("WYZER_IPC_QUEUE_CAPACITY", "20", 1);
    setenv("WYZER_LLM_MODEL", "from-env", 1);
    ASSERT_EQ(WZ_OK, config_apply_env(&c, err, sizeof err));
    ASSERT_EQ(WZ_OK, config_set(&c, "ipc.queue_capacity", "30", CFG_FROM_CLI, err, sizeof err));
    ASSERT_EQ(30, c.ipc_queue_capacity);                     /* cli wins */
    ASSERT_EQ(CFG_FROM_CLI, c.origin[CFG_K_ipc_queue_capacity]);
    ASSERT_STREQ("from-env", c.llm_model);                   /* env beats file */
    ASSERT_EQ(CFG_FROM_ENV, c.origin[CFG_K_llm_model]);
    ASSERT_STREQ("ollama", c.llm_backend);                   /* file beats default */
    ASSERT_EQ(CFG_FROM_FILE, c.origin[CFG_K_llm_backend]);
}

static void test_unknown_key_names_file_line_key(void)
{
    wz_config c;
    config_init(&c);
    char err[512] = "";
    write_conf("[ipc]\nqueue_capacity = 10\n\nqueue_capacty = 12\n");
    ASSERT_EQ(WZ_CONFIG, config_load_file(&c, g_path, err, sizeof err));
    char want[300];
    snprintf(want, sizeof want, "%s:4: unknown key 'ipc.queue_capacty'", g_path);
    ASSERT_STREQ(want, err);
}

static void test_unknown_section(void)
{
    wz_config c;
    config_init(&c);
    char err[512] = "";
    write_conf("[nope]\nx = 1\n");
    ASSERT_EQ(WZ_CONFIG, config_load_file(&c, g_path, err, sizeof err));
    ASSERT_CONTAINS(err, ":2: unknown section [nope]");
}

static void test_bad_values(void)
{
    wz_config c;
    char err[512];
    struct { const char *text, *expect; } cases[] = {
        { "[ipc]\nqueue_capacity = lots\n", ":2: bad value for 'ipc.queue_capacity': 'lots' is not an integer" },
        { "[ipc]\nqueue_capacity = 0\n", "0 is out of range [4, 100000]" },
        { "[stt]\nengine = vosk\n", "'vosk' is not one of pocketsphinx|whisper-server|openai" },
        { "[wake]\nenabled = maybe\n", "'maybe' is not a boolean" },
        { "[llm]\ntemperature = 9\n", "9 is out of range [0, 2]" },
        { "[ipc\nqueue_capacity = 4\n", ":1: syntax error" },
        { "queue_capacity = 4\n", "outside any [section]" },
    };
    for (size_t i = 0; i < WZ_ARRAY_LEN(cases); i++) {
        config_init(&c);
        err[0] = '\0';
        write_conf(cases[i].text);
        ASSERT_EQ(WZ_CONFIG, config_load_file(&c, g_path, err, sizeof err));
        ASSERT_CONTAINS(err, cases[i].expect);
    }
}

static void test_overlong_line_is_an_error(void)
{
    static char text[8192];
    int n = snprintf(text, sizeof text, "[llm]\nmodel = ");
    memset(text + n, 'x', 6000);
    strcpy(text + n + 6000, "\n[ipc]\nqueue_capacity = 10\n");
    wz_config c;
    config_init(&c);
    char err[512] = "";
    write_conf(text);
    ASSERT_EQ(WZ_CONFIG, config_load_file(&c, g_path, err, sizeof err));
    ASSERT_CONTAINS(err, ":2: line is too long");
}

static void test_env_error_names_variable(void)
{
    wz_config c;
    config_init(&c);
    char err[512] = "";
    setenv("WYZER_AUDIO_FRAME_MS", "7", 1);
    ASSERT_EQ(WZ_CONFIG, config_apply_env(&c, err, sizeof err));
    ASSERT_CONTAINS(err, "WYZER_AUDIO_FRAME_MS");
    ASSERT_CONTAINS(err, "out of range");
}

static void test_missing_file(void)
{
    wz_config c;
    config_init(&c);
    char err[512] = "";
    ASSERT_EQ(WZ_IO, config_load_file(&c, "/nonexistent/wyzer.conf", err, sizeof err));
    ASSERT_CONTAINS(err, "/nonexistent/wyzer.conf: cannot open config file");
}

static void test_default_path_follows_xdg(void)
{
    char buf[256];
    setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
    ASSERT_EQ(WZ_OK, config_default_path(buf, sizeof buf));
    ASSERT_STREQ("/x/cfg/wyzer/wyzer.conf", buf);
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/u", 1);
    ASSERT_EQ(WZ_OK, config_default_path(buf, sizeof buf));
    ASSERT_STREQ("/home/u/.config/wyzer/wyzer.conf", buf);
}

/* The shipped example documents every key, and its values are valid. */
static void test_example_documents_every_key(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/wyzer.conf.example", getenv("WZ_SOURCE_DIR"));
    FILE *in = fopen(path, "r");
    ASSERT_TRUE(in != NULL);
    FILE *out = fopen(write_conf(""), "w");
    char line[1024];
    while (fgets(line, sizeof line, in)) {
        /* ";key = value" lines are the commented-out settings. */
        if (line[0] == ';' && line[1] >= 'a' && line[1] <= 'z' && strstr(line, " = "))
            fputs(line + 1, out);
        else if (line[0] == '[')
            fputs(line, out);
    }
    fclose(in);
    fclose(out);
    wz_config c;
    config_init(&c);
    char err[512] = "";
    ASSERT_EQ(WZ_OK, config_load_file(&c, g_path, err, sizeof err));
    char name[128];
    for (int i = 0; i < config_key_count(); i++)
        if (c.origin[i] != CFG_FROM_FILE)
            TEST_FAIL_AT("wyzer.conf.example does not document %s", config_key_name(i, name, sizeof name));
}

int main(void)
{
    RUN(test_defaults);
    RUN(test_every_default_is_valid);
    RUN(test_file_values);
    RUN(test_precedence_cli_over_env_over_file);
    RUN(test_unknown_key_names_file_line_key);
    RUN(test_unknown_section);
    RUN(test_bad_values);
    RUN(test_overlong_line_is_an_error);
    RUN(test_env_error_names_variable);
    RUN(test_missing_file);
    RUN(test_default_path_follows_xdg);
    RUN(test_example_documents_every_key);
    unlink(g_path);
    return TEST_SUMMARY();
}
