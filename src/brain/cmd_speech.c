/* cmd_speech.c: `wyzer transcribe` and `wyzer say`. */
#include "brain/cmd_speech.h"

#include <jansson.h>
#include <portaudio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brain/stt.h"
#include "brain/tts.h"
#include "core/wav.h"

/* Longest `say` output buffered: 5 min at 48 kHz. */
#define SAY_MAX_SAMPLES (300 * 48000)
/* Longest grammar file read. */
#define GRAMMAR_FILE_MAX (256 * 1024)

static int play_portaudio(const wz_config *cfg, const int16_t *pcm, size_t n, int rate, char *err, size_t errlen);

static cmd_grammar_provider_fn grammar_provider;
static cmd_player_fn player = play_portaudio;

void cmd_speech_set_grammar_provider(cmd_grammar_provider_fn fn) { grammar_provider = fn; }
void cmd_speech_set_player(cmd_player_fn fn) { player = fn ? fn : play_portaudio; }

static char *read_text_file(const char *path, char *err, size_t errlen)
{
    char *buf;
    int rc = wz_read_file(path, GRAMMAR_FILE_MAX, &buf, NULL);
    if (rc == WZ_IO)
        snprintf(err, errlen, "cannot open %s", path);
    else if (rc != WZ_OK)
        snprintf(err, errlen, "%s is larger than %d bytes", path, GRAMMAR_FILE_MAX);
    return buf;
}

static void usage_transcribe(void)
{
    fprintf(stderr, "usage: wyzer transcribe [--grammar commands|none] [--grammar-file FILE.jsgf] [--json] FILE.wav...\n");
}

static int transcribe_one(stt *s, const char *path, bool json)
{
    int16_t *pcm;
    size_t n;
    wav_info info;
    char err[512];
    int rc = wav_read_16k_mono(path, &pcm, &n, &info, err, sizeof err);
    if (rc != WZ_OK) {
        fprintf(stderr, "wyzer transcribe: %s\n", err);
        return 1;
    }
    int64_t t0 = wz_now_ns();
    stt_result r;
    rc = stt_begin(s);
    for (size_t i = 0; rc == WZ_OK && i < n; i += 320) /* 20 ms chunks, like core sends */
        rc = stt_feed(s, pcm + i, WZ_MIN((size_t)320, n - i));
    if (rc == WZ_OK)
        rc = stt_finish(s, &r);
    double secs = (double)(wz_now_ns() - t0) / 1e9;
    free(pcm);
    if (rc != WZ_OK) {
        fprintf(stderr, "wyzer transcribe: %s: %s%s%s\n", path, wz_strerror(rc),
                stt_last_error(s)[0] ? ": " : "", stt_last_error(s));
        return 1;
    }
    double rtf = n ? secs / ((double)n / WZ_SAMPLE_RATE) : 0;
    if (json) {
        json_t *o = json_pack("{s:s, s:s, s:f, s:f, s:s}", "file", path, "text", r.text, "confidence",
                              r.confidence, "rtf", rtf, "pass", r.pass);
        char *line = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
        if (line)
            printf("%s\n", line);
        free(line);
        json_decref(o);
    } else {
        printf("%s\t%s\n", path, r.text);
    }
    fflush(stdout);
    return 0;
}

int cmd_transcribe(const wz_config *cfg, int argc, char **argv)
{
    const char *grammar = "none", *grammar_file = NULL;
    bool json = false;
    int first_file = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--grammar") == 0 && i + 1 < argc) {
            grammar = argv[++i];
        } else if (strcmp(argv[i], "--grammar-file") == 0 && i + 1 < argc) {
            grammar_file = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage_transcribe();
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "wyzer transcribe: unknown option %s\n", argv[i]);
            usage_transcribe();
            return 2;
        } else {
            first_file = i;
            break;
        }
    }
    if (strcmp(grammar, "commands") != 0 && strcmp(grammar, "none") != 0) {
        fprintf(stderr, "wyzer transcribe: --grammar takes commands or none, not '%s'\n", grammar);
        return 2;
    }
    if (first_file >= argc) {
        usage_transcribe();
        return 2;
    }
    char err[1024];
    char *jsgf = NULL;
    if (grammar_file) {
        if (!(jsgf = read_text_file(grammar_file, err, sizeof err))) {
            fprintf(stderr, "wyzer transcribe: %s\n", err);
            return 2;
        }
    } else if (strcmp(grammar, "commands") == 0) {
        if (!grammar_provider) {
            fprintf(stderr, "wyzer transcribe: no command grammar is built in yet; pass --grammar-file FILE.jsgf\n");
            return 2;
        }
        if (!(jsgf = grammar_provider(cfg, err, sizeof err))) {
            fprintf(stderr, "wyzer transcribe: command grammar: %s\n", err);
            return 2;
        }
    }
    stt *s;
    if (stt_create(&s, cfg, err, sizeof err) != WZ_OK) {
        fprintf(stderr, "wyzer: %s\n", err);
        free(jsgf);
        return 2;
    }
    if (jsgf && stt_set_grammar(s, jsgf, err, sizeof err) != WZ_OK) {
        fprintf(stderr, "wyzer transcribe: grammar: %s\n", err);
        free(jsgf);
        stt_destroy(s);
        return 2;
    }
    free(jsgf);
    int failed = 0;
    for (int i = first_file; i < argc; i++)
        failed |= transcribe_one(s, argv[i], json);
    stt_destroy(s);
    return failed ? 1 : 0;
}

static int play_portaudio(const wz_config *cfg, const int16_t *pcm, size_t n, int rate, char *err, size_t errlen)
{
    PaError pe = Pa_Initialize();
    if (pe != paNoError) {
        snprintf(err, errlen, "PortAudio: %s", Pa_GetErrorText(pe));
        return WZ_IO;
    }
    PaStream *st = NULL;
    pe = Pa_OpenDefaultStream(&st, 0, 1, paInt16, rate, 512, NULL, NULL);
    if (pe == paNoError)
        pe = Pa_StartStream(st);
    if (pe == paNoError)
        pe = Pa_WriteStream(st, pcm, (unsigned long)n);
    if (st) {
        Pa_StopStream(st); /* waits for the buffered audio to play out */
        Pa_CloseStream(st);
    }
    Pa_Terminate();
    if (pe != paNoError) {
        snprintf(err, errlen, "PortAudio default output: %s", Pa_GetErrorText(pe));
        return WZ_IO;
    }
    return WZ_OK;
}

int cmd_say(const wz_config *cfg, int argc, char **argv)
{
    const char *text = NULL, *output = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--output") == 0 && i + 1 < argc)
            output = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "wyzer say: unknown option %s\nusage: wyzer say \"TEXT\" [--output FILE.wav]\n", argv[i]);
            return 2;
        } else if (!text)
            text = argv[i];
        else {
            fprintf(stderr, "wyzer say: quote the text as one argument\n");
            return 2;
        }
    }
    if (!text) {
        fprintf(stderr, "usage: wyzer say \"TEXT\" [--output FILE.wav]\n");
        return 2;
    }
    char err[1024];
    tts *t;
    if (tts_create(&t, cfg, err, sizeof err) != WZ_OK) {
        fprintf(stderr, "wyzer: %s\n", err);
        return 2;
    }
    int rc = tts_begin(t, text);
    size_t cap = 16000 * 10, total = 0;
    int16_t *pcm = malloc(cap * sizeof *pcm);
    int rate = WZ_SAMPLE_RATE;
    bool done = false;
    if (!pcm)
        rc = WZ_NOMEM;
    while (rc == WZ_OK && !done) {
        if (cap - total < 4096) {
            if (cap >= SAY_MAX_SAMPLES) {
                rc = WZ_TOOBIG;
                break;
            }
            int16_t *p = realloc(pcm, cap * 2 * sizeof *p);
            if (!p) {
                rc = WZ_NOMEM;
                break;
            }
            pcm = p;
            cap *= 2;
        }
        size_t n;
        rc = tts_pull(t, pcm + total, 4096, &n, &rate, &done, -1);
        total += n;
    }
    if (rc != WZ_OK) {
        fprintf(stderr, "wyzer say: %s%s%s\n", wz_strerror(rc), tts_last_error(t)[0] ? ": " : "", tts_last_error(t));
    } else if (output) {
        rc = wav_write_file(output, pcm, total, rate);
        if (rc != WZ_OK)
            fprintf(stderr, "wyzer say: cannot write %s: %s\n", output, wz_strerror(rc));
    } else {
        rc = player(cfg, pcm, total, rate, err, sizeof err);
        if (rc != WZ_OK)
            fprintf(stderr, "wyzer say: %s (use --output FILE.wav to write a file instead)\n", err);
    }
    free(pcm);
    tts_destroy(t);
    return rc == WZ_OK ? 0 : 1;
}
