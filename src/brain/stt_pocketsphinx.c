/* stt_pocketsphinx.c: streaming PocketSphinx STT with two parallel passes.
 *
 * Two decoders are fed the same 16 kHz stream chunk by chunk (ps_process_raw
 * per chunk, so decoding keeps pace with the audio):
 *   - grammar: a JSGF command grammar (stt_set_grammar), on the caller's
 *     thread;
 *   - lm:      the general en-us trigram LM, forward pass only, on a worker
 *     thread of its own, so the two passes use two cores. Measured on the
 *     demo request (2.2 s of speech, 2-core VM): the LM pass took 1.9-2.2 s
 *     and the grammar pass 0.7-1.1 s; one after the other they fell behind
 *     the audio, and the transcript came 0.3-1.2 s after the end of speech.
 * At finish both utterances end and the grammar's *margin* decides: the
 * acoustic score per 10 ms frame of the grammar's best path minus that of
 * the LM's best path, in nats. The LM path is nearly unconstrained, so it is
 * the yardstick for how well any words explain this audio, in this voice and
 * this noise; a grammar path within GRAMMAR_MIN_MARGIN of it, whose words
 * cover about as much of the audio (GRAMMAR_MIN/MAX_COVER), wins. Speech the
 * grammar cannot hold is forced onto its sentences and falls far below.
 * Free-text slots ("search for {query:text}") are loops of filler words in
 * the grammar; a reading through one keeps the grammar's carrier words and
 * takes the slot's words from the LM pass by time (stt_splice.h), and is
 * judged on its carrier words alone.
 * See docs/speech.md for the measurements behind the thresholds. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fe.h>

#include "app/paths.h"
#include "brain/flite_glue.h"
#include "brain/stt.h"
#include "brain/stt_splice.h"
#include "common/cmn_window.h"
#include "common/log.h"

/* Grammar margin (nats per frame, see above) from which the grammar wins.
 * Measured on 120 command clips and 40 free-form ones, 8 synthetic voices,
 * clean to 10 dB SNR (docs/speech.md): correct command readings sit at
 * -2.8..+0.6 (most above -0.8); free-form speech forced onto the grammar at
 * -3.2..-0.8. */
#define GRAMMAR_MIN_MARGIN (-0.9)
/* ...and its words (silence and noise fillers excluded) must span at least
 * this share of the frames the LM's words span. A small grammar can park a
 * long free-form sentence in its noise fillers around a short command and
 * still score well: "tell me a story about a dragon who lives in the
 * mountains" came out as "turn the volume down", margin -0.1, cover 0.40.
 * The other way, grammar words over audio the LM took for noise ("no" heard
 * in 10 dB white noise, where the LM heard nothing) are no better. Correct
 * command readings measured 0.79 to 1.43. */
/* A reading with free-text slots (stt_splice.h) is measured over its carrier
 * words only, against the same GRAMMAR_MIN_MARGIN, and each carrier word must
 * also fit on its own: free-form speech that happens to start like a
 * carrier is forced onto it word by word ("search and rescue teams ..." read
 * as "search for <text>", margin -0.48 but "for" over "and" at -8.3 nats per
 * frame). bench_freetext, 6 synthetic voices, clean (docs/speech.md): carrier
 * words of commands the grammar read right measured -2.4 and up, those of
 * free-form readings -3.2 and down. */
#define GRAMMAR_MIN_WORD_MARGIN (-4.0)
#define GRAMMAR_MIN_COVER 0.7
#define GRAMMAR_MAX_COVER 1.6
/* The LM pass's own confidence: its path score per frame mapped to 0.5 at
 * LM_FIT_MID and 1 at -1 nats/frame. Rough: no lattice, so no posterior. */
#define LM_FIT_MID (-3.1)
/* Search beams of the grammar pass. PocketSphinx's defaults (1e-48, word
 * beam 7e-29) pruned the right path before the end of the utterance in 70 of
 * 120 noisy command clips, which then had no grammar reading at all; these
 * leave 6 of 40 without one. Cost: see docs/speech.md. */
#define GRAMMAR_BEAM "1e-64"
#define GRAMMAR_WBEAM "1e-48"
/* Cepstral mean normalisation. Decoding live, PocketSphinx subtracts a
 * running cepstral mean that starts from the acoustic model's -cmninit and
 * moves only after 8 s of audio or at the end of an utterance, so the first
 * request after start-up, or after the level or the room changed, was
 * decoded against a mean that fits neither voice nor noise. stt_adapt sets
 * the mean from the wake phrase instead: same speaker, same microphone,
 * same noise, heard a moment before. On the evaluation corpus's 120
 * commands (docs/speech.md) the right tool came out of 27 with the fixed
 * mean, 46 with the wake phrase's mean, and 52 with each command's own
 * (unknowable live). The mean is taken over the frames PocketSphinx's own
 * voice activity filter keeps, as the decoder's would be; fewer than
 * CMN_MIN_FRAMES of them tell too little and the mean is left alone. */
#define CMN_MIN_FRAMES 30
#define CMN_CHUNK_FRAMES 64

/* Longest JSGF document accepted (the router's grammar is a few KB). */
#define JSGF_MAX_BYTES (256 * 1024)
#define WORD_MAX 64

/* A best path's segments, kept for the decision and the slot splice. The
 * buffer is reused across utterances; a path has at most one segment per
 * frame (STT_MAX_SAMPLES / 160), which bounds its growth. */
typedef struct {
    stt_seg *s;
    size_t n, cap;
} seg_list;

/* The LM pass's worker: the open utterance's samples, decoded up to `done`
 * and queued up to `queued` (the buffer holds one utterance, STT_MAX_SAMPLES,
 * and is reset at each begin). The caller's thread touches the LM decoder
 * only while the worker is drained (lm_drain). */
typedef struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* samples queued, or all decoded */
    int16_t *buf;
    size_t done, queued;
    bool quit, failed, started;
} lm_worker;

typedef struct ps_stt {
    stt base;
    lm_worker w;
    char hmm[CONFIG_STR_MAX], dict[CONFIG_STR_MAX], extra_dict[CONFIG_STR_MAX + 32];
    ps_decoder_t *lm;
    ps_decoder_t *gram;    /* NULL until a grammar is set */
    bool gram_active;
    bool lm_off;           /* benchmark only: grammar pass alone */
    bool lm_open, gram_open; /* utterance started and not yet ended */
    seg_list gsegs, lsegs; /* the last utterance's best paths (grammar, LM) */
    size_t samples;
    double last_margin;    /* for tests/bench: the decision value */
    double last_word_margin; /* ...and the worst carrier word's margin */
    fe_t *fe;              /* front end for stt_adapt, configured as the decoders' */
    mfcc_t **cep;          /* CMN_CHUNK_FRAMES x ncep */
    int ncep;
    mfcc_t cmn[CMN_WINDOW_MAX_CEP]; /* the mean stt_adapt found ... */
    bool cmn_ready;        /* ... for the next ps_begin */
} ps_stt;

static bool file_exists(const char *p, bool dir)
{
    struct stat st;
    if (stat(p, &st) != 0)
        return false;
    return dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

static ps_decoder_t *new_decoder(const ps_stt *p, const char *lm)
{
    cmd_ln_t *c;
    /* LM pass: forward tree search only. The flat-lexicon second pass and
     * the lattice best path cost ~40% more CPU and most of the finalise time,
     * and on pocketsphinx-testdata they made WER worse (31.0% with, 26.8%
     * without, measured by tests/unit/test_stt_wer.c). */
    if (lm)
        c = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", p->hmm, "-dict", p->dict, "-lm", lm,
                        "-logfn", "/dev/null", "-fwdflat", "no", "-bestpath", "no", NULL);
    else
        c = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", p->hmm, "-dict", p->dict, "-logfn", "/dev/null",
                        "-beam", GRAMMAR_BEAM, "-pbeam", GRAMMAR_BEAM, "-wbeam", GRAMMAR_WBEAM, NULL);
    if (!c)
        return NULL;
    ps_decoder_t *d = ps_init(c);
    cmd_ln_free_r(c); /* ps_init keeps its own reference */
    return d;
}

/* Adds one word unless the dictionary already has it. update=FALSE defers the
 * search rebuild; the caller triggers it once at the end. */
static int add_word(ps_decoder_t *d, const char *word, const char *phones)
{
    char *have = ps_lookup_word(d, word);
    if (have) {
        ckd_free(have);
        return 0;
    }
    return ps_add_word(d, word, phones, FALSE) < 0 ? -1 : 1;
}

/* data/dict/extra.dict: "word PH ON ES" per line, '#' comments. Missing file
 * is fine (logged at debug). */
static void load_extra_dict(ps_stt *p, ps_decoder_t *d)
{
    FILE *f = fopen(p->extra_dict, "r");
    if (!f) {
        log_debug("stt: no supplement dictionary at %s", p->extra_dict);
        return;
    }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *s = line + strspn(line, " \t");
        if (*s == '#' || *s == '\n' || *s == '\0')
            continue;
        s[strcspn(s, "\r\n")] = '\0';
        char *sp = s + strcspn(s, " \t");
        if (!*sp)
            continue;
        *sp++ = '\0';
        sp += strspn(sp, " \t");
        if (add_word(d, s, sp) < 0)
            log_warn("stt: %s: bad entry for '%s'", p->extra_dict, s);
    }
    fclose(f);
}

static void data_dir(const wz_config *cfg, char *out, size_t cap)
{
    char dir[CONFIG_STR_MAX];
    if (paths_data_dir(cfg, dir, sizeof dir) != WZ_OK)
        dir[0] = '\0';
    snprintf(out, cap, "%s/dict/extra.dict", dir);
}

static void *lm_thread(void *arg)
{
    ps_stt *p = arg;
    lm_worker *w = &p->w;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->quit && w->done == w->queued)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->quit)
            break;
        size_t from = w->done, to = w->queued;
        pthread_mutex_unlock(&w->mu);
        /* A canceled utterance is dropped, not decoded: it only has to end. */
        bool skip = atomic_load(&p->base.canceled);
        int rc = skip ? 0 : ps_process_raw(p->lm, w->buf + from, to - from, FALSE, FALSE);
        pthread_mutex_lock(&w->mu);
        w->done = to;
        if (rc < 0)
            w->failed = true;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Waits until the worker has decoded every queued sample. Returns false if a
 * decode failed in this utterance. */
static bool lm_drain(ps_stt *p)
{
    lm_worker *w = &p->w;
    if (!w->started)
        return true;
    pthread_mutex_lock(&w->mu);
    while (w->done != w->queued)
        pthread_cond_wait(&w->cv, &w->mu);
    bool ok = !w->failed;
    pthread_mutex_unlock(&w->mu);
    return ok;
}

/* True when the worker has decoded every queued sample, with *ok as
 * lm_drain() returns it; never waits. */
static bool lm_caught_up(ps_stt *p, bool *ok)
{
    lm_worker *w = &p->w;
    *ok = true;
    if (!w->started)
        return true;
    pthread_mutex_lock(&w->mu);
    bool idle = w->done == w->queued;
    *ok = !w->failed;
    pthread_mutex_unlock(&w->mu);
    return idle;
}

static void lm_queue(ps_stt *p, const int16_t *pcm, size_t n)
{
    lm_worker *w = &p->w;
    pthread_mutex_lock(&w->mu);
    memcpy(w->buf + w->queued, pcm, n * sizeof *pcm); /* n <= room: ps_feed checks */
    w->queued += n;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* A new utterance: the worker is drained, so the buffer starts over. */
static void lm_reset(ps_stt *p)
{
    lm_worker *w = &p->w;
    pthread_mutex_lock(&w->mu);
    w->done = w->queued = 0;
    w->failed = false;
    pthread_mutex_unlock(&w->mu);
}

static int lm_start(ps_stt *p)
{
    lm_worker *w = &p->w;
    w->buf = malloc(STT_MAX_SAMPLES * sizeof *w->buf);
    if (!w->buf)
        return WZ_NOMEM;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, lm_thread, p) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w->buf);
        w->buf = NULL;
        return WZ_IO;
    }
    w->started = true;
    return WZ_OK;
}

static void lm_stop(ps_stt *p)
{
    lm_worker *w = &p->w;
    if (!w->started)
        return;
    pthread_mutex_lock(&w->mu);
    w->quit = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w->buf);
    w->started = false;
}

static int ps_create(stt **out, const wz_config *cfg, char *err, size_t errlen)
{
    if (!file_exists(cfg->stt_hmm, true)) {
        snprintf(err, errlen, "acoustic model folder %s not found (config key stt.hmm)", cfg->stt_hmm);
        return WZ_CONFIG;
    }
    if (!file_exists(cfg->stt_lm, false)) {
        snprintf(err, errlen, "language model %s not found (config key stt.lm)", cfg->stt_lm);
        return WZ_CONFIG;
    }
    if (!file_exists(cfg->stt_dict, false)) {
        snprintf(err, errlen, "dictionary %s not found (config key stt.dict)", cfg->stt_dict);
        return WZ_CONFIG;
    }
    ps_stt *p = calloc(1, sizeof *p);
    if (!p)
        return WZ_NOMEM;
    wz_strlcpy(p->hmm, cfg->stt_hmm, sizeof p->hmm);
    wz_strlcpy(p->dict, cfg->stt_dict, sizeof p->dict);
    data_dir(cfg, p->extra_dict, sizeof p->extra_dict);
    /* Library-level messages go nowhere; -logfn covers each decoder. */
    err_set_logfp(NULL);
    p->lm = new_decoder(p, cfg->stt_lm);
    if (!p->lm) {
        snprintf(err, errlen, "cannot load models (config keys stt.hmm, stt.lm, stt.dict: %s, %s, %s)",
                 cfg->stt_hmm, cfg->stt_lm, cfg->stt_dict);
        free(p);
        return WZ_ENGINE;
    }
    load_extra_dict(p, p->lm);
    p->fe = fe_init_auto_r(ps_get_config(p->lm));
    p->ncep = p->fe ? fe_get_output_size(p->fe) : 0;
    if (p->ncep > 0 && p->ncep <= CMN_WINDOW_MAX_CEP)
        p->cep = (mfcc_t **)ckd_calloc_2d(CMN_CHUNK_FRAMES, (size_t)p->ncep, sizeof(mfcc_t));
    int rc = p->cep ? lm_start(p) : WZ_ENGINE;
    if (rc != WZ_OK) {
        snprintf(err, errlen, p->cep ? "cannot start the speech-to-text worker thread"
                                     : "cannot set up the acoustic front end");
        if (p->cep)
            ckd_free_2d(p->cep);
        fe_free(p->fe);
        ps_free(p->lm);
        free(p);
        return rc;
    }
    *out = &p->base;
    return WZ_OK;
}

static void end_open(ps_stt *p)
{
    (void)lm_drain(p);
    if (p->lm_open)
        ps_end_utt(p->lm);
    if (p->gram_open)
        ps_end_utt(p->gram);
    p->lm_open = p->gram_open = false;
}

static void ps_destroy(stt *s)
{
    ps_stt *p = (ps_stt *)s;
    end_open(p);
    lm_stop(p);
    if (p->gram)
        ps_free(p->gram);
    ps_free(p->lm);
    ckd_free_2d(p->cep);
    fe_free(p->fe);
    free(p->gsegs.s);
    free(p->lsegs.s);
    free(p);
}

/* Every word token of a JSGF body: skips the header, <rule> names, {tags},
 * /weights/, comments and operators. Calls fn for each lower-cased word. */
static int for_each_jsgf_word(const char *j, int (*fn)(const char *w, void *ctx), void *ctx)
{
    const char *s = j;
    while (*s) {
        if (s[0] == '/' && s[1] == '/') { s += strcspn(s, "\n"); continue; }
        if (s[0] == '/' && s[1] == '*') {
            const char *e = strstr(s + 2, "*/");
            s = e ? e + 2 : s + strlen(s);
            continue;
        }
        if (*s == '#' || (strncmp(s, "grammar", 7) == 0 && (s == j || s[-1] == '\n'))) {
            s += strcspn(s, ";"); /* "#JSGF V1.0;" and "grammar x;" */
            continue;
        }
        char close = *s == '<' ? '>' : *s == '{' ? '}' : *s == '/' ? '/' : 0;
        if (close) {
            const char *e = strchr(s + 1, close);
            s = e ? e + 1 : s + strlen(s);
            continue;
        }
        if ((unsigned char)*s > 127 || *s == '\'' || *s == STT_SLOT_MARK || (*s >= 'a' && *s <= 'z') ||
            (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')) {
            char w[WORD_MAX];
            size_t n = 0;
            while (*s && ((unsigned char)*s > 127 || *s == '\'' || *s == '-' || *s == '_' || *s == '.' ||
                          (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))) {
                if (n + 1 >= sizeof w)
                    return WZ_TOOBIG;
                w[n++] = (char)((*s >= 'A' && *s <= 'Z') ? *s + 32 : *s);
                s++;
            }
            w[n] = '\0';
            if (strcmp(w, "public") != 0 && strcmp(w, "import") != 0) {
                int rc = fn(w, ctx);
                if (rc != WZ_OK)
                    return rc;
            }
            continue;
        }
        s++;
    }
    return WZ_OK;
}

typedef struct { ps_decoder_t *d; char *err; size_t errlen; int added; } oov_ctx;

/* A grammar word missing from CMUdict and extra.dict gets Flite's
 * letter-to-sound pronunciation, so templates with new app names just work. */
static int add_missing(const char *w, void *vctx)
{
    oov_ctx *c = vctx;
    char *have = ps_lookup_word(c->d, w);
    if (have) {
        ckd_free(have);
        return WZ_OK;
    }
    char phones[256];
    /* A slot filler "_the" sounds like "the" (stt_splice.h). */
    const char *say = w[0] == STT_SLOT_MARK ? w + 1 : w;
    char *dict = say != w ? ps_lookup_word(c->d, say) : NULL;
    bool known = dict != NULL;
    if (known) {
        wz_strlcpy(phones, dict, sizeof phones);
        ckd_free(dict);
    }
    if ((!known && flite_glue_pronounce(say, phones, sizeof phones) != WZ_OK) ||
        ps_add_word(c->d, w, phones, FALSE) < 0) {
        snprintf(c->err, c->errlen, "grammar word '%s' has no pronunciation (add it to data/dict/extra.dict)", w);
        return WZ_INVAL;
    }
    log_debug("stt: grammar word '%s' pronounced %s by %s", w, phones, known ? "the dictionary" : "Flite");
    c->added++;
    return WZ_OK;
}

static int ps_set_grammar(stt *s, const char *jsgf, char *err, size_t errlen)
{
    ps_stt *p = (ps_stt *)s;
    end_open(p);
    if (!jsgf) {
        p->gram_active = false;
        return WZ_OK;
    }
    if (strlen(jsgf) > JSGF_MAX_BYTES) {
        snprintf(err, errlen, "grammar is larger than %d bytes", JSGF_MAX_BYTES);
        return WZ_TOOBIG;
    }
    if (!p->gram) {
        p->gram = new_decoder(p, NULL);
        if (!p->gram) {
            snprintf(err, errlen, "cannot load acoustic model %s for the grammar pass (config key stt.hmm)", p->hmm);
            return WZ_ENGINE;
        }
        load_extra_dict(p, p->gram);
    }
    oov_ctx c = {p->gram, err, errlen, 0};
    int rc = for_each_jsgf_word(jsgf, add_missing, &c);
    if (rc == WZ_TOOBIG)
        snprintf(err, errlen, "grammar word longer than %d characters", WORD_MAX - 1);
    if (rc != WZ_OK)
        return rc;
    /* ps_set_jsgf_string builds the FSG against the (now complete) dict. */
    if (ps_set_jsgf_string(p->gram, "commands", jsgf) < 0 || ps_set_search(p->gram, "commands") < 0) {
        snprintf(err, errlen, "grammar does not parse as JSGF (see the JSGF 1.0 spec; public rule required)");
        p->gram_active = false;
        return WZ_INVAL;
    }
    p->gram_active = true;
    return WZ_OK;
}

static int ps_feed(stt *s, const int16_t *pcm, size_t n);

/* Each utterance starts with this much silence. The core sends the command
 * from the end of the wake word, often straight into speech, and the
 * grammar pass then lost "set a timer for five minutes" to the LM pass
 * ("set a diner five five minutes"); with 300 ms of leading silence, as the
 * accuracy tests' clips have, the grammar pass wins (confidence 0.07 -> 0.68
 * on that clip). The decoders' cepstral mean needs a little silence first. */
#define PS_LEAD_SILENCE_MS 300

static int ps_adapt(stt *s, const int16_t *pcm, size_t n)
{
    ps_stt *p = (ps_stt *)s;
    double sum[CMN_WINDOW_MAX_CEP] = {0};
    long frames = 0;
    p->cmn_ready = false;
    if (fe_start_utt(p->fe) < 0)
        return WZ_ENGINE;
    while (n > 0) {
        int32 nf = CMN_CHUNK_FRAMES, idx = 0;
        size_t before = n;
        if (fe_process_frames(p->fe, &pcm, &n, p->cep, &nf, &idx) < 0)
            return WZ_ENGINE;
        for (int32 f = 0; f < nf; f++, frames++)
            for (int i = 0; i < p->ncep; i++)
                sum[i] += p->cep[f][i];
        if (nf == 0 && n == before)
            break; /* nothing consumed: the rest is shorter than a frame */
    }
    int32 last = 0; /* the leftover samples make at most one more frame */
    if (fe_end_utt(p->fe, p->cep[0], &last) < 0)
        return WZ_ENGINE;
    for (int i = 0; last > 0 && i < p->ncep; i++)
        sum[i] += p->cep[0][i];
    frames += last > 0;
    if (frames < CMN_MIN_FRAMES)
        return WZ_AGAIN;
    for (int i = 0; i < p->ncep; i++)
        p->cmn[i] = (mfcc_t)(sum[i] / (double)frames);
    p->cmn_ready = true;
    log_debug("stt: cepstral mean from %ld frames of the wake phrase (c0 %.1f)", frames, (double)p->cmn[0]);
    return WZ_OK;
}

/* Starts d's utterance with stt_adapt's mean, if there is one. */
static int start_utt(ps_stt *p, ps_decoder_t *d)
{
    if (ps_start_utt(d) < 0)
        return WZ_ENGINE;
    cmn_t *c = cmn_window_of(d);
    if (p->cmn_ready && c && c->veclen == p->ncep)
        cmn_live_set(c, p->cmn);
    return WZ_OK;
}

static int ps_begin(stt *s)
{
    ps_stt *p = (ps_stt *)s;
    end_open(p); /* an utterance abandoned by cancel */
    lm_reset(p);
    p->samples = 0;
    p->last_margin = 0;
    p->last_word_margin = 0;
    int rc = WZ_OK;
    if (!p->lm_off && (rc = start_utt(p, p->lm)) == WZ_OK)
        p->lm_open = true;
    if (rc == WZ_OK && p->gram_active && (rc = start_utt(p, p->gram)) == WZ_OK)
        p->gram_open = true;
    p->cmn_ready = false; /* one utterance's; the decoders carry it on from there */
    if (rc != WZ_OK)
        return rc;
    static const int16_t silence[PS_LEAD_SILENCE_MS * WZ_SAMPLE_RATE / 1000];
    return ps_feed(s, silence, WZ_ARRAY_LEN(silence));
}


static int ps_feed(stt *s, const int16_t *pcm, size_t n)
{
    ps_stt *p = (ps_stt *)s;
    if (!p->lm_open && !p->gram_open)
        return WZ_INVAL;
    if (n > STT_MAX_SAMPLES - p->samples) {
        stt_set_error(s, "utterance longer than %d s", STT_MAX_SAMPLES / WZ_SAMPLE_RATE);
        return WZ_TOOBIG;
    }
    p->samples += n;
    if (p->lm_open)
        lm_queue(p, pcm, n); /* decoded by the worker while the grammar pass runs here */
    if (p->gram_open && ps_process_raw(p->gram, pcm, n, FALSE, FALSE) < 0)
        return WZ_ENGINE;
    return WZ_OK;
}

static int ps_partial(stt *s, char *buf, size_t cap)
{
    ps_stt *p = (ps_stt *)s;
    int32 score;
    (void)lm_drain(p);
    const char *h = p->lm_open ? ps_get_hyp(p->lm, &score) : NULL;
    wz_strlcpy(buf, h ? h : "", cap);
    return WZ_OK;
}

/* Senone scores are kept right-shifted by 10 bits (SENSCR_SHIFT) in logmath
 * base 1.0001 units; this converts a path score to natural log. */
static double score_nats(ps_decoder_t *d, int32 score)
{
    return (double)score * log(logmath_get_base(ps_get_logmath(d))) * 1024.0;
}

static int path_collect(ps_decoder_t *d, seg_list *out)
{
    out->n = 0;
    for (ps_seg_t *seg = ps_seg_iter(d); seg; seg = ps_seg_next(seg)) {
        if (out->n == out->cap) {
            size_t cap = out->cap ? 2 * out->cap : 64;
            stt_seg *s = realloc(out->s, cap * sizeof *s);
            if (!s) {
                ps_seg_free(seg);
                return WZ_NOMEM;
            }
            out->s = s;
            out->cap = cap;
        }
        stt_seg *o = &out->s[out->n++];
        int32 ascr = 0, lscr = 0, lback = 0;
        (void)ps_seg_prob(seg, &ascr, &lscr, &lback);
        ps_seg_frames(seg, &o->sf, &o->ef);
        o->ascr = score_nats(d, ascr);
        const char *w = ps_seg_word(seg);
        wz_strlcpy(o->word, w ? w : "", sizeof o->word);
    }
    return WZ_OK;
}

/* What the decision needs from a best path. */
typedef struct {
    int span;     /* frames from the first segment's start to the last's end (>= 1) */
    double ascr;  /* acoustic score per segment frame, nats: fillers included,
                   * LM/grammar weights and insertion penalties excluded (they
                   * differ between the two passes, so only the acoustics compare) */
    int words;    /* frames spent in real words (not silence or noise fillers) */
} path_stats;

static path_stats path_measure(const seg_list *p)
{
    path_stats st = {0};
    double sum = 0;
    int frames = 0;
    for (size_t i = 0; i < p->n; i++) {
        const stt_seg *s = &p->s[i];
        sum += s->ascr;
        frames += s->ef - s->sf + 1;
        if (!stt_seg_is_filler(s->word))
            st.words += s->ef - s->sf + 1;
    }
    st.span = p->n ? WZ_MAX(p->s[p->n - 1].ef - p->s[0].sf + 1, 1) : 1;
    st.ascr = frames > 0 ? sum / frames : 0.0;
    return st;
}

/* 0..1: 0.5 at mid, 1 at top or better. */
static double scale01(double v, double mid, double top)
{
    return WZ_MAX(0.0, WZ_MIN(1.0, 0.5 + 0.5 * (v - mid) / (top - mid)));
}

static void put_text(stt_result *res, const char *h)
{
    wz_strlcpy(res->text, h ? h : "", sizeof res->text);
}

/* The grammar pass's reading, ready for the decision. With free-text slots
 * the text is spliced (carrier words from the grammar, slot words from the
 * LM, stt_splice.h) and the margin is measured over the carrier frames only:
 * the slot's filler words are a stand-in for words the grammar cannot hold,
 * and their fit says nothing about whether a command was said. */
typedef struct {
    char text[STT_TEXT_MAX];
    bool usable;   /* false: a slot got no LM words, or the text did not fit */
    int slots;
    double margin; /* nats per frame, see GRAMMAR_MIN_MARGIN */
    double cover;  /* grammar word frames / LM word frames */
    double worst_word; /* lowest margin of one carrier word, nats per frame */
} gram_reading;

static void grammar_reading(const ps_stt *p, gram_reading *r)
{
    path_stats g = path_measure(&p->gsegs), l = path_measure(&p->lsegs);
    stt_splice_stats sp;
    int rc = stt_splice(p->gsegs.s, p->gsegs.n, p->lsegs.s, p->lsegs.n, r->text, sizeof r->text, &sp);
    r->usable = rc == WZ_OK;
    r->slots = sp.slots;
    r->margin = g.ascr - l.ascr;
    if (sp.slots)
        r->margin = sp.carrier_frames > 0 ? (sp.gram_ascr - sp.lm_ascr) / sp.carrier_frames : -INFINITY;
    r->cover = l.words > 0 ? (double)g.words / l.words : INFINITY;
    r->worst_word = sp.worst_word;
}

/* The rule of the grammar pass: its reading wins when its acoustics beat
 * the general pass's by the margin and it covers about the same speech. */
static bool grammar_accepts(const gram_reading *g)
{
    return g->usable && g->margin >= GRAMMAR_MIN_MARGIN && g->cover >= GRAMMAR_MIN_COVER &&
           g->cover <= GRAMMAR_MAX_COVER && (!g->slots || g->worst_word >= GRAMMAR_MIN_WORD_MARGIN);
}

/* Mid-utterance, the reading ps_finish would take if the utterance ended
 * here: both passes' best paths so far, judged by the same rule. Runs on the
 * feeding thread and never waits: while the general pass's worker is still
 * decoding (it can lag by seconds when audio comes faster than real time)
 * it returns WZ_AGAIN, and the general pass is touched only once the worker
 * is idle, as in ps_finish. */
static int ps_heard(stt *s, char *buf, size_t cap)
{
    ps_stt *p = (ps_stt *)s;
    buf[0] = '\0';
    if (!p->gram_active)
        return WZ_UNSUPP;
    if (!p->gram_open || atomic_load(&s->canceled))
        return 0;
    const char *gh = ps_get_hyp(p->gram, NULL);
    if (!gh || !*gh)
        return 0;
    if (path_collect(p->gram, &p->gsegs) != WZ_OK)
        return WZ_NOMEM;
    if (!p->lm_open) {
        wz_strlcpy(buf, gh, cap);
        return 1;
    }
    bool decoded;
    if (!lm_caught_up(p, &decoded))
        return WZ_AGAIN;
    if (!decoded)
        return 0;
    if (path_collect(p->lm, &p->lsegs) != WZ_OK)
        return WZ_NOMEM;
    gram_reading g;
    grammar_reading(p, &g);
    if (!grammar_accepts(&g))
        return 0;
    wz_strlcpy(buf, g.text, cap);
    return 1;
}

static int ps_finish(stt *s, stt_result *res)
{
    ps_stt *p = (ps_stt *)s;
    if (!p->lm_open && !p->gram_open)
        return WZ_INVAL;
    int32 score = 0;
    res->audio_s = (double)p->samples / WZ_SAMPLE_RATE;
    const char *gh = NULL;
    if (p->gram_open) {
        ps_end_utt(p->gram);
        p->gram_open = false;
        gh = ps_get_hyp(p->gram, &score);
        if (gh && !*gh)
            gh = NULL;
        if (gh && path_collect(p->gram, &p->gsegs) != WZ_OK)
            return WZ_NOMEM;
    }
    if (atomic_load(&s->canceled))
        return WZ_CANCELED;
    if (!p->lm_open) { /* benchmark: the grammar pass alone */
        put_text(res, gh);
        wz_strlcpy(res->pass, "grammar", sizeof res->pass);
        res->confidence = gh ? 1.0 : 0.0;
        return WZ_OK;
    }
    bool decoded = lm_drain(p);
    ps_end_utt(p->lm);
    p->lm_open = false;
    if (!decoded) {
        stt_set_error(s, "the general pass could not decode the audio");
        return WZ_ENGINE;
    }
    const char *lh = ps_get_hyp(p->lm, &score);
    if (path_collect(p->lm, &p->lsegs) != WZ_OK)
        return WZ_NOMEM;
    path_stats l = path_measure(&p->lsegs);
    /* rough: no lattice (bestpath is off), so no posterior */
    double lconf = lh && *lh ? scale01(score_nats(p->lm, score) / l.span, LM_FIT_MID, -1.0) : 0.0;
    if (gh) {
        gram_reading g;
        grammar_reading(p, &g);
        double conf = scale01(g.margin, GRAMMAR_MIN_MARGIN, 0.0);
        p->last_margin = g.margin;
        p->last_word_margin = g.worst_word;
        log_debug("stt: grammar '%s' (%d slots: '%s') margin %.2f nats/frame (worst word %.2f), covers %.2f; lm '%s'", gh,
                  g.slots, g.text, g.margin, g.worst_word, g.cover, lh ? lh : "");
        if (grammar_accepts(&g)) {
            put_text(res, g.text);
            wz_strlcpy(res->pass, "grammar", sizeof res->pass);
            res->confidence = conf;
            wz_strlcpy(res->alt_text, lh ? lh : "", sizeof res->alt_text);
            res->alt_confidence = lconf;
            return WZ_OK;
        }
        wz_strlcpy(res->alt_text, g.text, sizeof res->alt_text);
        res->alt_confidence = conf;
    }
    put_text(res, lh);
    wz_strlcpy(res->pass, "lm", sizeof res->pass);
    res->confidence = lconf;
    return WZ_OK;
}

const stt_vtable stt_pocketsphinx_vtable = {
    .name = "pocketsphinx",
    .create = ps_create,
    .destroy = ps_destroy,
    .set_grammar = ps_set_grammar,
    .adapt = ps_adapt,
    .begin = ps_begin,
    .feed = ps_feed,
    .partial = ps_partial,
    .heard = ps_heard,
    .finish = ps_finish,
    .cancel = NULL, /* the base flag suffices: calls are short and check it */
};

/* For tests and the benchmark: the last grammar-vs-LM decision value. */
double stt_pocketsphinx_last_margin(const stt *s)
{
    return s->vt == &stt_pocketsphinx_vtable ? ((const ps_stt *)s)->last_margin : 0.0;
}

double stt_pocketsphinx_last_word_margin(const stt *s)
{
    return s->vt == &stt_pocketsphinx_vtable ? ((const ps_stt *)s)->last_word_margin : 0.0;
}

/* Benchmark only: run the grammar pass alone (no LM decoding, no decision),
 * to measure its own cost. Call between utterances. */
void stt_pocketsphinx_set_lm_enabled(stt *s, bool on)
{
    if (s->vt == &stt_pocketsphinx_vtable)
        ((ps_stt *)s)->lm_off = !on;
}
