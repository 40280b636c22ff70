/* wake_net.c: the wake word's stage-3 network (see wake_net.h). */
#include "core/wake_net.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/cmd_ln.h>
#include <sphinxbase/fe.h>

#define NET_MAGIC "wyzer-wake-net"
#define NET_VERSION 1

struct wake_net {
    int pool, inputs, hidden;
    int before, after;   /* samples of a window before and after the candidate's end */
    int frames;          /* front-end frames of a window */
    float *mean, *scale; /* [inputs] */
    float *w1, *b1;      /* [hidden][inputs], [hidden] */
    float *w2, b2;       /* [hidden] */
    float *x;            /* scratch: [inputs] */
    float *cep;          /* scratch: [frames + 1][WAKE_NET_CEP] */
    cmd_ln_t *fe_cfg;    /* the front end's parameters */
};

static int set_err(char *err, size_t errlen, int line, const char *msg)
{
    if (err && errlen && line > 0)
        snprintf(err, errlen, "line %d: %s", line, msg);
    else if (err && errlen)
        snprintf(err, errlen, "%s", msg);
    return WZ_CONFIG;
}

/* ---- parsing ---- */

typedef struct {
    const char *p, *end;
    int line;
} reader;

/* Skips blanks, newlines (counted) and # comments to the end of their line. */
static void skip_space(reader *r)
{
    while (r->p < r->end) {
        char c = *r->p;
        if (c == '#') {
            while (r->p < r->end && *r->p != '\n') r->p++;
        } else if (c == '\n') {
            r->line++;
            r->p++;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            r->p++;
        } else {
            return;
        }
    }
}

/* The next token (at most cap-1 bytes) into tok; false at the end. */
static bool token(reader *r, char *tok, size_t cap)
{
    skip_space(r);
    size_t n = 0;
    while (r->p < r->end && !strchr(" \t\r\n#", *r->p)) {
        if (n + 1 >= cap)
            return false;
        tok[n++] = *r->p++;
    }
    tok[n] = '\0';
    return n > 0;
}

static bool expect(reader *r, const char *key)
{
    char tok[32];
    return token(r, tok, sizeof(tok)) && !strcmp(tok, key);
}

static bool number(reader *r, double *out)
{
    char tok[64], *end;
    if (!token(r, tok, sizeof(tok)))
        return false;
    errno = 0;
    *out = strtod(tok, &end);
    return *end == '\0' && errno == 0 && isfinite(*out);
}

static int int_field(reader *r, const char *key, int lo, int hi, int *out, char *err, size_t errlen)
{
    double v;
    char msg[96];
    if (!expect(r, key) || !number(r, &v) || v != (int)v || v < lo || v > hi) {
        snprintf(msg, sizeof(msg), "expected \"%s N\" with N from %d to %d", key, lo, hi);
        return set_err(err, errlen, r->line, msg);
    }
    *out = (int)v;
    return WZ_OK;
}

static int float_field(reader *r, const char *key, float *out, int n, char *err, size_t errlen)
{
    char msg[96];
    if (!expect(r, key)) {
        snprintf(msg, sizeof(msg), "expected \"%s\"", key);
        return set_err(err, errlen, r->line, msg);
    }
    for (int i = 0; i < n; i++) {
        double v;
        if (!number(r, &v) || fabs(v) > 1e6) {
            snprintf(msg, sizeof(msg), "\"%s\" needs %d finite numbers; number %d is not one", key, n,
                     i + 1);
            return set_err(err, errlen, r->line, msg);
        }
        out[i] = (float)v;
    }
    return WZ_OK;
}

/* The front end's parameters: the acoustic model's (its feat.params). */
static cmd_ln_t *frontend_config(void)
{
    return cmd_ln_init(NULL, fe_get_args(), TRUE, "-samprate", "16000", "-lowerf", "130", "-upperf", "6800",
                       "-nfilt", "25", "-transform", "dct", "-lifter", "22", "-remove_silence", "no", NULL);
}

/* n samples through a new front end made from cfg: the frame count or a
 * negative wz_err. */
static int cepstra(cmd_ln_t *cfg, const int16_t *pcm, int n, float *out, int max_frames)
{
    fe_t *fe = fe_init_auto_r(cfg);
    mfcc_t **cep = (mfcc_t **)ckd_calloc_2d((size_t)max_frames, WAKE_NET_CEP, sizeof(mfcc_t));
    const int16 *p = pcm;
    size_t ns = (size_t)n;
    int32 nf = max_frames;
    int rc = !fe || !cep ? WZ_NOMEM : WZ_OK;
    if (rc == WZ_OK && (fe_get_output_size(fe) != WAKE_NET_CEP || fe_start_utt(fe) < 0 ||
                        fe_process_frames(fe, &p, &ns, cep, &nf, NULL) < 0))
        rc = WZ_ENGINE;
    for (int f = 0; rc == WZ_OK && f < nf; f++)
        for (int c = 0; c < WAKE_NET_CEP; c++)
            out[f * WAKE_NET_CEP + c] = (float)cep[f][c];
    if (cep)
        ckd_free_2d(cep);
    if (fe)
        fe_free(fe);
    return rc == WZ_OK ? nf : rc;
}

int wake_net_cepstra(const int16_t *pcm, int n, float *out, int max_frames)
{
    cmd_ln_t *cfg = frontend_config();
    int rc = cfg ? cepstra(cfg, pcm, n, out, max_frames) : WZ_ENGINE;
    if (cfg)
        cmd_ln_free_r(cfg);
    return rc;
}

/* Frames of a window: the front end's own count, from a silent one. */
static int setup_frames(wake_net *n)
{
    int total = n->before + n->after, max = total / 160 + 2;
    int16_t *z = calloc((size_t)total, sizeof(*z));
    n->cep = malloc(sizeof(float) * (size_t)max * WAKE_NET_CEP);
    if (!z || !n->cep) {
        free(z);
        return WZ_NOMEM;
    }
    n->fe_cfg = frontend_config();
    n->frames = n->fe_cfg ? cepstra(n->fe_cfg, z, total, n->cep, max) : WZ_ENGINE;
    free(z);
    return n->frames < 0 ? n->frames : WZ_OK;
}

int wake_net_parse(wake_net **out, const char *text, size_t len, char *err, size_t errlen)
{
    *out = NULL;
    if (len > WAKE_NET_MAX_FILE)
        return set_err(err, errlen, 0, "file is over 4 MiB");
    wake_net *n = calloc(1, sizeof(*n));
    if (!n)
        return WZ_NOMEM;
    reader r = {text, text + len, 1};
    int rc, window_ms, after_ms;
    double v;
    if (!expect(&r, NET_MAGIC) || !number(&r, &v) || v != NET_VERSION) {
        wake_net_free(n);
        return set_err(err, errlen, r.line, "not a wake net file (\"" NET_MAGIC " 1\")");
    }
    if ((rc = int_field(&r, "window_ms", 200, WAKE_NET_MAX_WINDOW_MS, &window_ms, err, errlen)) ||
        (rc = int_field(&r, "after_ms", 0, WAKE_NET_MAX_AFTER_MS, &after_ms, err, errlen)) ||
        (rc = int_field(&r, "pool", 1, 50, &n->pool, err, errlen)) ||
        (rc = int_field(&r, "inputs", 1, WAKE_NET_MAX_INPUTS, &n->inputs, err, errlen)) ||
        (rc = int_field(&r, "hidden", 1, WAKE_NET_MAX_HIDDEN, &n->hidden, err, errlen))) {
        wake_net_free(n);
        return rc;
    }
    n->before = window_ms * WZ_SAMPLE_RATE / 1000;
    n->after = after_ms * WZ_SAMPLE_RATE / 1000;
    size_t ni = (size_t)n->inputs, nh = (size_t)n->hidden;
    n->mean = malloc(ni * sizeof(float));
    n->scale = malloc(ni * sizeof(float));
    n->x = malloc(ni * sizeof(float));
    n->w1 = malloc(ni * nh * sizeof(float));
    n->b1 = malloc(nh * sizeof(float));
    n->w2 = malloc(nh * sizeof(float));
    if (!n->mean || !n->scale || !n->x || !n->w1 || !n->b1 || !n->w2) {
        wake_net_free(n);
        return WZ_NOMEM;
    }
    if ((rc = float_field(&r, "mean", n->mean, n->inputs, err, errlen)) ||
        (rc = float_field(&r, "scale", n->scale, n->inputs, err, errlen)) ||
        (rc = float_field(&r, "w1", n->w1, n->inputs * n->hidden, err, errlen)) ||
        (rc = float_field(&r, "b1", n->b1, n->hidden, err, errlen)) ||
        (rc = float_field(&r, "w2", n->w2, n->hidden, err, errlen)) ||
        (rc = float_field(&r, "b2", &n->b2, 1, err, errlen))) {
        wake_net_free(n);
        return rc;
    }
    char tok[8];
    if (token(&r, tok, sizeof(tok)) || r.p < r.end) {
        wake_net_free(n);
        return set_err(err, errlen, r.line, "unexpected text after b2");
    }
    if ((rc = setup_frames(n)) != WZ_OK) {
        wake_net_free(n);
        return rc == WZ_NOMEM ? rc : set_err(err, errlen, 0, "PocketSphinx's front end failed");
    }
    if (n->frames / n->pool * WAKE_NET_CEP != n->inputs) {
        char msg[128];
        snprintf(msg, sizeof(msg), "inputs %d do not match the window: %d frames / pool %d x %d cepstra",
                 n->inputs, n->frames, n->pool, WAKE_NET_CEP);
        wake_net_free(n);
        return set_err(err, errlen, 0, msg);
    }
    *out = n;
    return WZ_OK;
}

int wake_net_load(wake_net **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    char *buf, msg[200];
    size_t len;
    int rc = wz_read_file(path, WAKE_NET_MAX_FILE, &buf, &len);
    if (rc == WZ_IO)
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
    else if (rc == WZ_TOOBIG)
        snprintf(err, errlen, "%s: file is over 4 MiB", path);
    if (rc == WZ_TOOBIG)
        return WZ_CONFIG;
    if (rc != WZ_OK)
        return rc;
    rc = wake_net_parse(out, buf, len, msg, sizeof(msg));
    free(buf);
    if (rc == WZ_CONFIG)
        snprintf(err, errlen, "%s: %s", path, msg);
    return rc;
}

void wake_net_free(wake_net *n)
{
    if (!n)
        return;
    free(n->cep);
    if (n->fe_cfg)
        cmd_ln_free_r(n->fe_cfg);
    free(n->mean);
    free(n->scale);
    free(n->x);
    free(n->w1);
    free(n->b1);
    free(n->w2);
    free(n);
}

int wake_net_before(const wake_net *n) { return n->before; }
int wake_net_after(const wake_net *n) { return n->after; }
int wake_net_inputs(const wake_net *n) { return n->inputs; }

/* ---- scoring ---- */

int wake_net_features(wake_net *n, const int16_t *pcm, float *out)
{
    /* A front end of its own for every window: PocketSphinx's noise
     * removal keeps an estimate from one utterance to the next, so a
     * long-lived one would score a window by what came before it, and
     * differently from the windows eval/train_wake.py learned from. */
    if (cepstra(n->fe_cfg, pcm, n->before + n->after, n->cep, n->frames + 1) != n->frames)
        return WZ_ENGINE;
    /* The last slots * pool frames, so the slots line up with the end. */
    int slots = n->frames / n->pool, first = n->frames - slots * n->pool;
    float mean[WAKE_NET_CEP] = {0}, top = -1e30f;
    for (int f = first; f < n->frames; f++) {
        for (int c = 1; c < WAKE_NET_CEP; c++)
            mean[c] += n->cep[f * WAKE_NET_CEP + c];
        top = fmaxf(top, n->cep[f * WAKE_NET_CEP]);
    }
    for (int c = 1; c < WAKE_NET_CEP; c++)
        mean[c] /= (float)(slots * n->pool);
    mean[0] = top;
    for (int s = 0; s < slots; s++) {
        for (int c = 0; c < WAKE_NET_CEP; c++) {
            float sum = 0;
            for (int k = 0; k < n->pool; k++)
                sum += n->cep[(first + s * n->pool + k) * WAKE_NET_CEP + c];
            out[s * WAKE_NET_CEP + c] = sum / (float)n->pool - mean[c];
        }
    }
    return WZ_OK;
}

float wake_net_score(wake_net *n, const int16_t *pcm)
{
    if (wake_net_features(n, pcm, n->x) != WZ_OK)
        return -1.0f;
    for (int i = 0; i < n->inputs; i++)
        n->x[i] = (n->x[i] - n->mean[i]) * n->scale[i];
    float y = n->b2;
    for (int h = 0; h < n->hidden; h++) {
        const float *w = n->w1 + (size_t)h * (size_t)n->inputs;
        float a = n->b1[h];
        for (int i = 0; i < n->inputs; i++)
            a += w[i] * n->x[i];
        y += n->w2[h] * tanhf(a);
    }
    return 1.0f / (1.0f + expf(-y));
}
