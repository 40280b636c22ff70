/* wake.h: wake word and barge-in "stop" phrase spotting with PocketSphinx.
 *
 * Stage 1: PocketSphinx keyphrase search over every configured phrase
 * (wake.words, "phrase/threshold/, ..."), each also under its pronunciation
 * variants (e.g. "wyzer" as W AY Z ER and W AY Z AH), plus the stop phrase
 * (bargein.stop_phrase). Stage 2: the candidate's audio (from 300 ms before
 * it, at most 1.6 s) is re-decoded by a second decoder with a small JSGF
 * grammar that offers the phrase and a loop of confusable filler words
 * ("wise", "her", "there", "writer", ...); the candidate is accepted only if
 * the phrase wins. Stage 3 (wake_net.h, wake.net): for "hey wyzer"
 * phrases, a small network scores the 1.2 s of audio up to the candidate's
 * end, and a candidate stage 2 accepted is rejected if it scores below
 * wake.net_threshold (wake.net_threshold_exact if stage 2 heard the phrase
 * word for word, stronger evidence than its hey-why rule); not while the
 * input is the echo canceller's (wake_hear_echo), where it rejected
 * barge-ins said over the reply's residual echo. After an accepted wake
 * word a refractory period (wake.refractory_ms) ignores further wake hits.
 *
 * Stage 2 runs inline by default, so results depend only on the input
 * (file mode, tests, evaluation). With wake_config.async it runs on a
 * worker thread at normal priority and its verdict is returned by a later
 * wake_process() call, typically 2-5 frames on: the frame thread never
 * waits for it. A candidate that arrives while a check is running is
 * dropped (counted in wake_stats.busy).
 *
 * Positions are in ms on the input timeline: sample 0 is the first sample
 * passed to wake_process() after wake_create() (wake_reset() does not
 * rewind it). PocketSphinx fires about 100 ms (-kws_delay 10 frames) after
 * the phrase ends; hit->end_ms is where the phrase ended, from the search's
 * segment frames, so the core can start the command audio there.
 *
 * hit->detect_ms is when the hit is reported, after stage 2.
 *
 * Memory: ~40 MB (acoustic model + dictionary) plus the stage-2 decoder
 * (the model again, with a dictionary of its ~60 words) and stage 3's
 * weights (~130 KB), loaded in wake_create (~1 s). wake_process() allocates nothing of its own per frame
 * (PocketSphinx may grow internal arrays early on), takes no lock, and
 * normally costs a few percent of a core; inline, a candidate's stage-2
 * check adds one short grammar decode (tens of ms) to that call; async, a
 * sem_post. NOT for the audio callback: call it from the core's processing
 * thread. One wake per thread. */
#ifndef WZ_WAKE_H
#define WZ_WAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wz.h"

struct wz_config;

#define WAKE_MAX_PHRASES 8
/* Default keyphrase threshold of the stop phrase. A one-word phrase alone
 * fired on the assistant's own echo (a story reply under --echo 30:+6, at
 * 1e-15, 1e-10 and even 1e-5); with the stage-2 check it no longer does and
 * a spoken "stop" is still caught at 1e-15. */
#define WAKE_STOP_THRESHOLD 1e-15
#define WAKE_PHRASE_MAX 64     /* bytes, including the NUL */
#define WAKE_WORDS_MAX 1024    /* longest wake.words string accepted */
#define WAKE_NET_PATH_MAX 512

typedef struct {
    char phrase[WAKE_PHRASE_MAX]; /* lower case, single spaces */
    double threshold;             /* keyphrase threshold, e.g. 1e-40 */
} wake_phrase;

/* Parses "hey wyzer/1e-20/, other phrase/1e-15/" (the threshold part is
 * optional: default 1e-40). Phrases: letters, apostrophes and spaces, at
 * most 6 words. Thresholds: 1e-80 .. 1. Returns the count (1..max) or
 * WZ_CONFIG with a message in err. Pure function; fuzzed by
 * fuzz/fuzz_wake_words.c. */
int wake_parse_words(const char *spec, wake_phrase *out, int max, char *err, size_t errlen)
    WZ_MUST_CHECK;

typedef struct {
    const char *hmm, *dict;      /* model paths (cfg stt.hmm / stt.dict) */
    wake_phrase phrases[WAKE_MAX_PHRASES];
    int nphrases;
    char stop_phrase[WAKE_PHRASE_MAX]; /* "" = no stop phrase */
    double stop_threshold;
    int refractory_ms;
    bool verify;                  /* stage-2 grammar check (default true) */
    char net[WAKE_NET_PATH_MAX];  /* stage-3 network's weights file (wake_net.h), for
                                     "hey wyzer" phrases, with verify; "": none */
    double net_threshold;         /* stage 3 passes a candidate scoring at least this */
    double net_threshold_exact;   /* ... or this, if stage 2 heard the phrase word for
                                     word (not by its hey-why rule) */
    bool async;                   /* run stage 2 on a worker thread (default false: inline) */
    int verify_priority;          /* async: SCHED_FIFO priority of that thread, 0 = normal */
    bool early;                   /* set up the early lines for wake_listen_early()
                                     (default false; the core sets it with bargein.hold) */
    bool fast_cmn;                /* the search's cepstral mean follows the input within
                                     seconds (default true); false keeps PocketSphinx's
                                     own slower one, for comparison */
} wake_config;

/* Fills wake_config from cfg: wake.words, wake.refractory_ms, wake.net
 * (empty: <data dir>/wake/hey_wyzer.net; "none": no stage 3),
 * wake.net_threshold(_exact), bargein.stop_phrase, stt.hmm, stt.dict. The config
 * must outlive the wake_config (paths point into it). WZ_CONFIG with err on
 * a bad wake.words. A missing weights file is found by wake_create(). */
int wake_config_from(wake_config *wc, const struct wz_config *cfg, char *err, size_t errlen)
    WZ_MUST_CHECK;

typedef enum { WAKE_NONE = 0, WAKE_HIT = 1, WAKE_STOP = 2 } wake_kind;

typedef struct {
    wake_kind kind;
    char keyword[WAKE_PHRASE_MAX]; /* the configured phrase (not the variant) */
    int64_t end_ms;                /* where the phrase ended, input timeline */
    int64_t start_ms;              /* where it started */
    int64_t detect_ms;             /* input position when it was reported */
} wake_hit;

typedef struct wake wake;

/* Loads the model and sets up both searches. On error *out is NULL, err
 * says why, and WZ_CONFIG (unknown word, bad phrase), WZ_ENGINE
 * (PocketSphinx failed) or WZ_NOMEM is returned. */
int wake_create(wake **out, const wake_config *wc, char *err, size_t errlen) WZ_MUST_CHECK;
void wake_destroy(wake *w);

/* One frame of n samples (1..4800). Returns WAKE_NONE, WAKE_HIT (wake word;
 * *hit filled) or WAKE_STOP (stop phrase; *hit filled; never suppressed by
 * the refractory period), or WZ_INVAL / WZ_ENGINE. */
int wake_process(wake *w, const int16_t *frame, int n, wake_hit *hit);

/* A frame the caller knows holds no speech (its VAD has been off for a
 * while): kept for stage 2 and counted on the timeline, but not decoded. The
 * keyphrase search's acoustic scoring is most of the core's CPU while it
 * listens idle, so skipping silence saves most of it. The first
 * wake_process() after skipped frames restarts the search WAKE_RESUME_MS of
 * input before its frame, so a phrase whose start the VAD was late for is
 * still heard whole. Returns what wake_process() returns: a verdict on an
 * earlier candidate may arrive here. */
#define WAKE_RESUME_MS 300
int wake_skip(wake *w, const int16_t *frame, int n, wake_hit *hit);

/* While on, the keyphrase search also spots each wake phrase without the
 * last phone of its last word ("hey W AY Z" for "hey wyzer"), which it
 * hears 0-180 ms (p50 60 ms) before the whole phrase. Such an early line's
 * report is never accepted by itself: it only makes wake_checking() name a
 * candidate, for WAKE_EARLY_MS or until the whole phrase is reported.
 * The core turns it on while a reply plays, so a barge-in holds the reply
 * sooner; it is off otherwise, so that wake words heard with nothing
 * playing are spotted exactly as without it. A switch restarts the search
 * from WAKE_RESUME_MS of input back. No effect unless wake_config.early. */
#define WAKE_EARLY_MS 200
int wake_listen_early(wake *w, bool on) WZ_MUST_CHECK;

/* The input is the echo canceller's output (on) or the microphone (off).
 * While on, the keyphrase search scores against the microphone's cepstral
 * mean as it was at the switch, and nothing it hears moves that mean: the
 * user's voice reaches the canceller's output through the same microphone,
 * while the residual echo and the suppressed noise would pull the mean
 * away (a mean of the canceller's own output missed 5 of 20 live
 * barge-ins, docs/listening.md). No effect unless wake_config.fast_cmn. */
void wake_hear_echo(wake *w, bool on);

/* Is a stage-1 candidate awaiting its verdict: waiting the 60 ms of audio
 * after it that stage 2 hears (inline too), or being checked (async)? If so,
 * *cand (may be NULL) gets its positions and kind (WAKE_HIT or WAKE_STOP);
 * its verdict comes from a later wake_process()/wake_skip().
 * With wake_listen_early() on, an early line's report is such a candidate
 * too; it goes without a verdict if the whole phrase does not follow.
 * A candidate voided by wake_reset() no longer counts. The core holds
 * playback while this is true, so a barge-in does not wait for the check. */
bool wake_checking(const wake *w, wake_hit *cand);

/* Drops the partial search state (e.g. after barge-in, so the reply's tail
 * cannot complete a phrase). Keeps the input timeline and the refractory
 * deadline. */
int wake_reset(wake *w) WZ_MUST_CHECK;

typedef struct {
    long candidates; /* stage-1 wake hits outside the refractory period */
    long rejected;   /* of those, rejected by stage 2 */
    long busy;       /* candidates dropped because a check was running (async) */
    long by_rule;    /* accepted only by stage 2's "hey"-like + "why"/"my" rule */
    long net_rejected; /* of the rejected, passed by stage 2 but not by stage 3 */
} wake_stats;

/* Counters since wake_create(), for benchmarks and heartbeats. */
void wake_get_stats(const wake *w, wake_stats *out);

/* Input position in ms (samples fed so far). */
int64_t wake_position_ms(const wake *w);

#endif
