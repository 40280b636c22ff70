/* test_cmd_speech.c: `wyzer say --output` then `wyzer transcribe` on the
 * result (grammar file and general pass, text and JSON output), and the
 * usage errors. */
#define WZ_TEST_TIMEOUT_S 60
#include "wz_test.h"

#include <fcntl.h>

#include "app/config.h"
#include "brain/cmd_speech.h"
#include "speech_test_util.h"

/* Runs fn with stdout captured into out. */
static int capture(int (*fn)(const wz_config *, int, char **), const wz_config *cfg, int argc, char **argv,
                   char *out, size_t cap)
{
    char path[] = "/tmp/wz-cmd-XXXXXX";
    int fd = mkstemp(path);
    fflush(stdout);
    int saved = dup(1);
    dup2(fd, 1);
    int rc = fn(cfg, argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, out, cap - 1);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return rc;
}

static void test_say_then_transcribe(void)
{
    wz_config cfg;
    config_init(&cfg);
    char wav[64];
    snprintf(wav, sizeof wav, "/tmp/wz-say-%d.wav", (int)getpid());
    char *say[] = {"say", "Open Firefox.", "--output", wav};
    ASSERT_EQ(0, cmd_say(&cfg, 4, say));
    char gfile[1024];
    snprintf(gfile, sizeof gfile, "%s", su_data("commands.jsgf"));
    char out[4096];
    char *tr[] = {"transcribe", "--grammar-file", gfile, wav};
    ASSERT_EQ(0, capture(cmd_transcribe, &cfg, 4, tr, out, sizeof out));
    char want[256];
    snprintf(want, sizeof want, "%s\topen firefox\n", wav);
    ASSERT_STREQ(want, out);
    char *trj[] = {"transcribe", "--json", "--grammar-file", gfile, wav};
    ASSERT_EQ(0, capture(cmd_transcribe, &cfg, 5, trj, out, sizeof out));
    fprintf(stderr, "  %s", out);
    ASSERT_CONTAINS(out, "\"text\":\"open firefox\"");
    ASSERT_CONTAINS(out, "\"confidence\":");
    ASSERT_CONTAINS(out, "\"rtf\":");
    ASSERT_CONTAINS(out, "\"file\":");
    unlink(wav);
}

static void test_transcribe_general_pass_on_real_speech(void)
{
    wz_config cfg;
    config_init(&cfg);
    char out[4096];
    char *tr[] = {"transcribe", "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0930.wav"};
    ASSERT_EQ(0, capture(cmd_transcribe, &cfg, 2, tr, out, sizeof out));
    fprintf(stderr, "  %s", out);
    ASSERT_CONTAINS(out, "he might even have been made");
}

static void test_usage_errors_exit_2(void)
{
    wz_config cfg;
    config_init(&cfg);
    char out[256];
    char *a[] = {"transcribe"};
    ASSERT_EQ(2, capture(cmd_transcribe, &cfg, 1, a, out, sizeof out));
    char *b[] = {"transcribe", "--grammar", "commands", "x.wav"};
    ASSERT_EQ(2, capture(cmd_transcribe, &cfg, 4, b, out, sizeof out)); /* no provider yet */
    char *c[] = {"say"};
    ASSERT_EQ(2, cmd_say(&cfg, 1, c));
    wz_strlcpy(cfg.tts_voice, "nope", sizeof cfg.tts_voice);
    char *d[] = {"say", "hi", "--output", "/tmp/never.wav"};
    ASSERT_EQ(2, cmd_say(&cfg, 4, d));
}

static void test_missing_file_exit_1(void)
{
    wz_config cfg;
    config_init(&cfg);
    char out[256];
    char *a[] = {"transcribe", "/nonexistent.wav"};
    ASSERT_EQ(1, capture(cmd_transcribe, &cfg, 2, a, out, sizeof out));
}

int main(void)
{
    RUN(test_say_then_transcribe);
    RUN(test_transcribe_general_pass_on_real_speech);
    RUN(test_usage_errors_exit_2);
    RUN(test_missing_file_exit_1);
    return TEST_SUMMARY();
}
