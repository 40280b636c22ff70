/* test_tts.c: Flite TTS (streaming, rate, non-silence, cancel, TTS -> STT
 * round trip) and the Piper engine's plumbing against tests/standins/
 * piper_standin (a stand-in for Piper, which Debian 12 lacks). */
#define WZ_TEST_TIMEOUT_S 100
#include "wz_test.h"

#include <math.h>
#include <signal.h>
#include <sys/wait.h>

#include "brain/tts.h"
#include "speech_test_util.h"

int tts_piper_pid(const tts *t);

static tts *make_flite(const char *voice)
{
    wz_config cfg;
    config_init(&cfg);
    wz_strlcpy(cfg.tts_voice, voice, sizeof cfg.tts_voice);
    tts *t;
    char err[512];
    if (tts_create(&t, &cfg, err, sizeof err))
        TEST_FAIL_AT("tts_create: %s", err);
    return t;
}

/* Pulls a whole sentence; returns samples (caller frees) and the rate. */
static int16_t *synth_all(tts *t, const char *text, size_t *total, int *rate, int *chunks)
{
    ASSERT_EQ(0, tts_begin(t, text));
    size_t cap = 16000 * 30;
    int16_t *all = malloc(cap * 2);
    *total = 0;
    *chunks = 0;
    bool done = false;
    while (!done) {
        size_t n;
        int rc = tts_pull(t, all + *total, WZ_MIN((size_t)4096, cap - *total), &n, rate, &done, 10000);
        if (rc)
            TEST_FAIL_AT("tts_pull: %s (%s)", wz_strerror(rc), tts_last_error(t));
        *total += n;
        *chunks += n > 0;
    }
    return all;
}

static double rms(const int16_t *s, size_t n)
{
    double acc = 0;
    for (size_t i = 0; i < n; i++)
        acc += (double)s[i] * s[i];
    return n ? sqrt(acc / n) : 0;
}

static void test_flite_voices_nonsilent_at_16k(void)
{
    const char *voices[] = {"slt", "awb", "rms", "kal16"};
    for (size_t v = 0; v < 4; v++) {
        tts *t = make_flite(voices[v]);
        size_t n;
        int rate, chunks;
        int16_t *pcm = synth_all(t, "The kitchen timer is done.", &n, &rate, &chunks);
        fprintf(stderr, "  %s: %zu samples at %d Hz in %d chunks, rms %.0f\n", voices[v], n, rate, chunks,
                rms(pcm, n));
        ASSERT_EQ(16000, rate);
        ASSERT_GE(n, 16000 * 0.8); /* > 0.8 s of speech */
        ASSERT_GE(rms(pcm, n), 300);
        ASSERT_GE(chunks, 2); /* streamed, not one blob */
        free(pcm);
        tts_destroy(t);
    }
}

/* tts_speech_onset: a tone at -30 dBFS after 300 ms of faint noise (Flite's
 * lead is below -50 dBFS) starts 50 ms before the tone at any rate; faint
 * noise alone has no onset; and each Flite voice's own lead is found where
 * the first sample above 300 (-41 dBFS) comes, less 20-80 ms. */
static void test_speech_onset(void)
{
    int rates[] = {16000, 22050, 48000};
    for (size_t r = 0; r < 3; r++) {
        int rate = rates[r];
        size_t n = (size_t)rate, tone_at = (size_t)rate * 3 / 10;
        int16_t *x = malloc(n * sizeof *x);
        uint32_t seed = 1;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1664525u + 1013904223u;
            x[i] = (int16_t)((int)(seed >> 24) % 61 - 30); /* |x| <= 30: -61 dBFS */
        }
        ASSERT_EQ(n, tts_speech_onset(x, n, rate));
        for (size_t i = tone_at; i < n; i++)
            x[i] = (int16_t)(1036 * sin(2 * M_PI * 440 * (double)(i - tone_at) / rate));
        size_t on = tts_speech_onset(x, n, rate), want = tone_at - (size_t)rate / 20;
        fprintf(stderr, "  %d Hz: onset %.1f ms (tone at 300 ms)\n", rate, 1000.0 * on / rate);
        ASSERT_TRUE(on + (size_t)rate / 100 >= want && on <= want);
        free(x);
    }
    const char *voices[] = {"slt", "awb", "rms", "kal16"};
    for (size_t v = 0; v < 4; v++) {
        tts *t = make_flite(voices[v]);
        size_t n;
        int rate, chunks;
        int16_t *pcm = synth_all(t, "Here you go.", &n, &rate, &chunks);
        size_t loud = 0;
        while (loud < n && abs(pcm[loud]) <= 300)
            loud++;
        size_t on = tts_speech_onset(pcm, n, rate);
        fprintf(stderr, "  %s: onset %.0f ms, first sample above 300 at %.0f ms\n", voices[v],
                1000.0 * on / rate, 1000.0 * loud / rate);
        ASSERT_TRUE(on < loud);
        ASSERT_GE(1000.0 * (double)(loud - on) / rate, 20.0);
        ASSERT_LE(1000.0 * (double)(loud - on) / rate, 80.0);
        ASSERT_GE(1000.0 * on / rate, 80.0); /* the lead that gets trimmed */
        free(pcm);
        tts_destroy(t);
    }
}

static void test_unknown_voice_names_key(void)
{
    wz_config cfg;
    config_init(&cfg);
    wz_strlcpy(cfg.tts_voice, "hal9000", sizeof cfg.tts_voice);
    tts *t;
    char err[512] = "";
    ASSERT_NE(0, tts_create(&t, &cfg, err, sizeof err));
    ASSERT_CONTAINS(err, "flite");
    ASSERT_CONTAINS(err, "tts.voice");
}

static void test_flite_first_chunk_before_done(void)
{
    tts *t = make_flite("slt");
    ASSERT_EQ(0, tts_begin(t, "This is a longer sentence, so that synthesis takes a while. "
                              "It has a second sentence as well, and then a third one to be sure."));
    int16_t buf[512];
    size_t n;
    int rate;
    bool done;
    ASSERT_EQ(0, tts_pull(t, buf, 512, &n, &rate, &done, 5000));
    ASSERT_TRUE(n > 0);
    ASSERT_TRUE(!done);
    tts_destroy(t);
}

bool tts_flite_busy(tts *t);

static void test_flite_cancel_stops_synthesis(void)
{
    tts *t = make_flite("slt");
    static char text[4000];
    text[0] = '\0';
    for (int i = 0; i < 30; i++)
        strcat(text, "This sentence repeats to make a long reply. ");
    ASSERT_EQ(0, tts_begin(t, text));
    int16_t buf[512];
    size_t n;
    int rate;
    bool done;
    ASSERT_EQ(0, tts_pull(t, buf, 512, &n, &rate, &done, 5000));
    tts_cancel(t);
    ASSERT_EQ(WZ_CANCELED, tts_pull(t, buf, 512, &n, &rate, &done, 1000));
    /* The worker leaves synthesis (it was blocked on a full ring or still
     * synthesising): wait at most 2 s. */
    for (int i = 0; i < 200 && tts_flite_busy(t); i++)
        wz_sleep_ms(10);
    ASSERT_TRUE(!tts_flite_busy(t));
    /* And the engine is usable again. */
    size_t total;
    int chunks;
    int16_t *pcm = synth_all(t, "Hello.", &total, &rate, &chunks);
    ASSERT_TRUE(total > 1000);
    free(pcm);
    tts_destroy(t);
}

static void test_flite_round_trip_through_grammar(void)
{
    wz_config cfg;
    config_init(&cfg);
    stt *s;
    char err[512];
    ASSERT_EQ(0, stt_create(&s, &cfg, err, sizeof err));
    char *j = su_slurp(su_data("commands.jsgf"));
    ASSERT_EQ(0, stt_set_grammar(s, j, err, sizeof err));
    tts *t = make_flite("slt");
    /* Digits on purpose: the normaliser must turn them into grammar words. */
    const char *said[] = {"Set a timer for 5 minutes", "What time is it?", "Set the volume to 30 percent"};
    const char *want[] = {"set a timer for five minutes", "what time is it", "set the volume to thirty percent"};
    for (int i = 0; i < 3; i++) {
        size_t n;
        int rate, chunks;
        int16_t *pcm = synth_all(t, said[i], &n, &rate, &chunks);
        stt_result r;
        ASSERT_EQ(0, su_decode(s, pcm, n, &r));
        fprintf(stderr, "  '%s' -> '%s' (%s)\n", said[i], r.text, r.pass);
        ASSERT_STREQ(want[i], r.text);
        free(pcm);
    }
    free(j);
    tts_destroy(t);
    stt_destroy(s);
}

/* ---- Piper plumbing, with the stand-in ---- */

static char model_path[256];

static void make_model(int rate)
{
    snprintf(model_path, sizeof model_path, "/tmp/wz-piper-%d.onnx", (int)getpid());
    FILE *f = fopen(model_path, "w");
    fputs("stand-in model\n", f);
    fclose(f);
    char jp[300];
    snprintf(jp, sizeof jp, "%s.json", model_path);
    f = fopen(jp, "w");
    fprintf(f, "{\"audio\": {\"sample_rate\": %d}, \"num_speakers\": 1}\n", rate);
    fclose(f);
}

static void drop_model(void)
{
    char jp[300];
    snprintf(jp, sizeof jp, "%s.json", model_path);
    unlink(jp);
    unlink(model_path);
}

static tts *make_piper(void)
{
    wz_config cfg;
    config_init(&cfg);
    wz_strlcpy(cfg.tts_engine, "piper", sizeof cfg.tts_engine);
    snprintf(cfg.tts_piper_binary, sizeof cfg.tts_piper_binary, "%s/tests/piper_standin", getenv("WZ_BUILD_DIR"));
    wz_strlcpy(cfg.tts_piper_model, model_path, sizeof cfg.tts_piper_model);
    tts *t;
    char err[512];
    if (tts_create(&t, &cfg, err, sizeof err))
        TEST_FAIL_AT("%s", err);
    return t;
}

static void test_piper_sentence_in_audio_out_at_model_rate(void)
{
    make_model(22050);
    tts *t = make_piper();
    size_t n;
    int rate, chunks;
    int16_t *pcm = synth_all(t, "Hello from the piper stand-in.", &n, &rate, &chunks);
    fprintf(stderr, "  %zu samples at %d Hz, rms %.0f\n", n, rate, rms(pcm, n));
    ASSERT_EQ(22050, rate);
    ASSERT_GE(n, 22050 * 1.0);
    ASSERT_GE(rms(pcm, n), 300);
    free(pcm);
    /* A second sentence on the same process. */
    pcm = synth_all(t, "Second one.", &n, &rate, &chunks);
    ASSERT_GE(n, 22050 * 0.4);
    free(pcm);
    tts_destroy(t);
    drop_model();
}

static void test_piper_restarts_after_kill(void)
{
    make_model(16000);
    tts *t = make_piper();
    int pid1 = tts_piper_pid(t);
    ASSERT_TRUE(pid1 > 0);
    kill(pid1, SIGKILL);
    wz_sleep_ms(100);
    size_t n;
    int rate, chunks;
    int16_t *pcm = synth_all(t, "Back again.", &n, &rate, &chunks);
    ASSERT_NE(pid1, tts_piper_pid(t));
    ASSERT_GE(n, 16000 * 0.4);
    free(pcm);
    tts_destroy(t);
    drop_model();
}

static void test_piper_missing_binary_and_model_are_clear_errors(void)
{
    make_model(22050);
    wz_config cfg;
    config_init(&cfg);
    wz_strlcpy(cfg.tts_engine, "piper", sizeof cfg.tts_engine);
    wz_strlcpy(cfg.tts_piper_binary, "/nonexistent/piper", sizeof cfg.tts_piper_binary);
    wz_strlcpy(cfg.tts_piper_model, model_path, sizeof cfg.tts_piper_model);
    tts *t;
    char err[512] = "";
    ASSERT_NE(0, tts_create(&t, &cfg, err, sizeof err));
    ASSERT_CONTAINS(err, "piper");
    ASSERT_CONTAINS(err, "tts.piper_binary");
    snprintf(cfg.tts_piper_binary, sizeof cfg.tts_piper_binary, "%s/tests/piper_standin", getenv("WZ_BUILD_DIR"));
    wz_strlcpy(cfg.tts_piper_model, "/nonexistent/voice.onnx", sizeof cfg.tts_piper_model);
    ASSERT_NE(0, tts_create(&t, &cfg, err, sizeof err));
    ASSERT_CONTAINS(err, "tts.piper_model");
    drop_model();
}

int main(void)
{
    RUN(test_flite_voices_nonsilent_at_16k);
    RUN(test_unknown_voice_names_key);
    RUN(test_speech_onset);
    RUN(test_flite_first_chunk_before_done);
    RUN(test_flite_cancel_stops_synthesis);
    RUN(test_flite_round_trip_through_grammar);
    RUN(test_piper_sentence_in_audio_out_at_model_rate);
    RUN(test_piper_restarts_after_kill);
    RUN(test_piper_missing_binary_and_model_are_clear_errors);
    return TEST_SUMMARY();
}
