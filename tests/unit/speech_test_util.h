/* speech_test_util.h: helpers shared by the speech tests (audio generated at
 * test time with flite/espeak-ng, WER by word-level Levenshtein). */
#ifndef WZ_SPEECH_TEST_UTIL_H
#define WZ_SPEECH_TEST_UTIL_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/config.h"
#include "brain/stt.h"
#include "core/wav.h"

/* Synthesises text with the flite CLI ("slt", "awb", "rms", "kal16") or
 * espeak-ng ("espeak") into a temporary WAV and reads it as 16 kHz mono.
 * Returns 0 or -1. Caller frees *pcm. */
static inline int su_synth(const char *engine, const char *text, int16_t **pcm, size_t *n)
{
    char path[] = "/tmp/wz-speech-XXXXXX.wav";
    int fd = mkstemps(path, 4);
    if (fd < 0)
        return -1;
    close(fd);
    char cmd[1024];
    if (strcmp(engine, "espeak") == 0)
        snprintf(cmd, sizeof cmd, "espeak-ng -v en-us -w %s '%s' 2>/dev/null", path, text);
    else
        snprintf(cmd, sizeof cmd, "flite -voice %s -t '%s' -o %s 2>/dev/null", engine, text, path);
    int rc = system(cmd);
    wav_info info;
    char err[256];
    if (rc == 0)
        rc = wav_read_16k_mono(path, pcm, n, &info, err, sizeof err);
    unlink(path);
    return rc == 0 ? 0 : -1;
}

/* Pads a clip the way core's endpointer delivers it: 300 ms of near-silence
 * (low noise, as a real microphone never gives digital zero) before and
 * listen.end_silence_ms = 600 ms after. Returns a new buffer. */
static inline int16_t *su_pad(const int16_t *pcm, size_t n, size_t *out_n)
{
    size_t pre = 4800, post = 9600;
    int16_t *o = malloc((pre + n + post) * sizeof *o);
    unsigned seed = 1;
    for (size_t i = 0; i < pre + n + post; i++) {
        seed = seed * 1103515245u + 12345u;
        o[i] = (int16_t)((int)((seed >> 16) % 61) - 30);
    }
    for (size_t i = 0; i < n; i++)
        o[pre + i] = (int16_t)WZ_MAX(-32768, WZ_MIN(32767, (int)o[pre + i] + pcm[i]));
    *out_n = pre + n + post;
    return o;
}

/* stt_heard, asked again every 5 ms while it says WZ_AGAIN (it never waits
 * for the general pass itself), as the brain's main loop does. */
static inline int su_heard(stt *s, char *text, size_t cap)
{
    int rc, again = 0;
    while ((rc = stt_heard(s, text, cap)) == WZ_AGAIN) {
        again++;
        usleep(5000);
    }
    fprintf(stderr, "  stt_heard: %d after %d x WZ_AGAIN\n", rc, again);
    return rc;
}

/* Splits lower-cased words of s into w (max 128 words of <= 63 chars). */
static inline int su_words(const char *s, char w[][64], int max)
{
    int n = 0;
    while (*s && n < max) {
        while (*s && !isalnum((unsigned char)*s) && *s != '\'')
            s++;
        if (!*s)
            break;
        int k = 0;
        while (*s && (isalnum((unsigned char)*s) || *s == '\'')) {
            if (k < 63)
                w[n][k++] = (char)tolower((unsigned char)*s);
            s++;
        }
        w[n][k] = '\0';
        n++;
    }
    return n;
}

/* Word edit distance between reference and hypothesis; *nref gets the number
 * of reference words. WER = errors / nref. */
static inline int su_word_errors(const char *ref, const char *hyp, int *nref)
{
    static char r[128][64], h[128][64];
    int nr = su_words(ref, r, 128), nh = su_words(hyp, h, 128);
    int d[129][129];
    for (int i = 0; i <= nr; i++)
        d[i][0] = i;
    for (int j = 0; j <= nh; j++)
        d[0][j] = j;
    for (int i = 1; i <= nr; i++)
        for (int j = 1; j <= nh; j++) {
            int sub = d[i - 1][j - 1] + (strcmp(r[i - 1], h[j - 1]) != 0);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    *nref = nr;
    return d[nr][nh];
}

/* Reads a whole text file (<= 1 MiB) into a NUL-terminated malloc'd buffer. */
static inline char *su_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = malloc(1 << 20);
    size_t n = b ? fread(b, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (b)
        b[n] = '\0';
    return b;
}

/* Runs one whole utterance through s in 20 ms chunks. */
static inline int su_decode(stt *s, const int16_t *pcm, size_t n, stt_result *res)
{
    int rc = stt_begin(s);
    for (size_t i = 0; rc == 0 && i < n; i += 320)
        rc = stt_feed(s, pcm + i, n - i < 320 ? n - i : 320);
    return rc ? rc : stt_finish(s, res);
}

static inline const char *su_data(const char *name)
{
    static char p[1024];
    const char *d = getenv("WZ_TEST_DATA");
    snprintf(p, sizeof p, "%s/%s", d ? d : "tests/data", name);
    return p;
}

/* The default PocketSphinx engine, with the test command grammar
 * (tests/data/commands.jsgf) if grammar. NULL on failure, the reason in err. */
static inline stt *su_stt(bool grammar, char *err, size_t errlen)
{
    wz_config cfg;
    config_init(&cfg);
    stt *s = NULL;
    if (stt_create(&s, &cfg, err, errlen))
        return NULL;
    char *j = grammar ? su_slurp(su_data("commands.jsgf")) : NULL;
    if (grammar && (!j || stt_set_grammar(s, j, err, errlen))) {
        if (!j)
            snprintf(err, errlen, "cannot read %.400s", su_data("commands.jsgf"));
        free(j);
        stt_destroy(s);
        return NULL;
    }
    free(j);
    return s;
}

#endif
