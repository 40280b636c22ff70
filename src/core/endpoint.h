/* endpoint.h: decides where a spoken request starts and ends, from per-frame
 * VAD decisions.
 *
 * After endpoint_start() (called when a wake word fired, or a follow-up
 * window opened) each endpoint_process() call consumes one frame's VAD
 * decision:
 *   - no speech within start_timeout_ms            -> ENDPOINT_TIMEOUT
 *   - the first speech frame                       -> ENDPOINT_SPEECH_START
 *   - end_silence_ms of non-speech after speech,
 *     or max_ms of audio since endpoint_start()    -> ENDPOINT_SPEECH_END
 *   - complete_silence_ms of non-speech, once the brain has said that
 *     the words up to the end of the speech make a whole command
 *     (endpoint_heard_complete), or closed_silence_ms if it also said
 *     that no more words could change that command -> ENDPOINT_SPEECH_END
 * After a wake word (endpoint_start), speech shorter than min_speech_ms
 * followed by silence is a blip, not a request: the endpointer keeps waiting for more
 * speech until start_timeout_ms, then ends the utterance there.
 * After TIMEOUT or SPEECH_END the endpointer is idle (returns ENDPOINT_NONE)
 * until the next endpoint_start().
 *
 * Times count audio frames, not wall clock, so file mode with --fast gives
 * the same results as live capture. Plain data, no allocation; one owner
 * thread; safe on the audio thread. */
#ifndef WZ_ENDPOINT_H
#define WZ_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/wz.h"

struct wz_config;

typedef enum {
    ENDPOINT_NONE = 0,
    ENDPOINT_SPEECH_START,
    ENDPOINT_SPEECH_END,
    ENDPOINT_TIMEOUT,
} endpoint_result;

typedef enum {
    ENDPOINT_END_SILENCE = 0, /* end_silence_ms of non-speech */
    ENDPOINT_END_MAX,         /* max_ms reached */
    ENDPOINT_END_COMPLETE,    /* complete_silence_ms after a whole command */
    ENDPOINT_END_CLOSED,      /* closed_silence_ms after a command nothing can extend */
} endpoint_end_reason;

typedef struct {
    int frame_ms;
    int start_timeout_ms;
    int end_silence_ms;
    int max_ms;
    int min_speech_ms; /* listen.min_speech_ms: blip limit after a wake word */
    int complete_silence_ms; /* listen.complete_silence_ms; 0: never end early */
    int closed_silence_ms;   /* listen.closed_silence_ms; 0: as complete_silence_ms */
} endpoint_config;

/* Why and where an event happened. All positions are ms since endpoint_start(). */
typedef struct {
    int64_t speech_start_ms;  /* start of the first speech frame */
    int64_t speech_last_ms;   /* end of the last speech frame */
    int64_t audio_ms;         /* audio consumed so far (at SPEECH_END: the whole utterance) */
    endpoint_end_reason reason;
} endpoint_info;

typedef struct endpoint {
    endpoint_config cfg;
    bool active;
    bool in_speech;
    int64_t elapsed_ms;
    int64_t silence_ms;
    int64_t speech_ms;     /* speech frames since speech start */
    int min_speech_ms;     /* this utterance's blip limit (0: none) */
    int64_t complete_ms;   /* the words up to here are a whole command (-1: not known) */
    int64_t closed_ms;     /* ... and nothing can extend it (-1: not known) */
    endpoint_info info;
} endpoint;

/* Reads audio.frame_ms and listen.* from cfg. */
void endpoint_config_from(endpoint_config *ec, const struct wz_config *cfg);

/* WZ_INVAL if a value is out of range (frame_ms 1..100, others >= frame_ms,
 * max_ms >= end_silence_ms, complete_silence_ms 0 or frame_ms..end_silence_ms,
 * closed_silence_ms 0 or frame_ms..complete_silence_ms, or ..end_silence_ms
 * while complete_silence_ms is 0);
 * otherwise the endpointer is idle. */
int endpoint_init(endpoint *e, const endpoint_config *ec) WZ_MUST_CHECK;

/* Arms the endpointer: position 0 is the audio right after this call.
 * after_wake applies cfg.min_speech_ms: the VAD may hear the wake word's
 * tail as speech before the pause. Not in a follow-up, where "no" is a whole
 * answer. */
void endpoint_start(endpoint *e, bool after_wake);

/* The brain read the audio up to until_ms (ms since endpoint_start()) as a
 * whole command, and closed: one that no more words could change. If no
 * speech comes after until_ms, the utterance then ends after
 * complete_silence_ms (closed: closed_silence_ms) of silence instead of
 * end_silence_ms; speech after it voids the hint, as the words are no
 * longer the ones read. */
void endpoint_heard_complete(endpoint *e, int64_t until_ms, bool closed);

/* Stops it without a result (barge-in, error). */
void endpoint_cancel(endpoint *e);

static inline bool endpoint_active(const endpoint *e) { return e->active; }

/* One frame. is_speech is the VAD decision for it. info (may be NULL) is
 * filled on every non-NONE result. */
endpoint_result endpoint_process(endpoint *e, bool is_speech, endpoint_info *info);

#endif
