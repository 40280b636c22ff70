/* core_priv.h: the core worker's state, shared by core.c (messages, text
 * requests, heartbeats) and core_audio.c (capture, listening, playback).
 * Everything here belongs to the core's one processing thread. */
#ifndef WZ_CORE_PRIV_H
#define WZ_CORE_PRIV_H

#include "core/aec.h"
#include "core/audio_io.h"
#include "core/core.h"
#include "core/endpoint.h"
#include "core/fsm.h"
#include "core/textin.h"
#include "core/vad.h"
#include "core/wake.h"
#include "ipc/msg.h"

/* Raw microphone history kept so the command sent to the brain can start
 * where the wake word ended: detection fires 50-150 ms after the phrase,
 * plus stage-2 verification; 2 s covers both with room to spare. */
#define CORE_PREROLL_MS 2000

/* How much of the echo the canceller removes right now, for telling the
 * user's voice from the reply's own (heard_own_voice() in core_audio.c):
 * the cancellation of each CORE_ERLE_WINDOW_FRAMES frames of playback, the
 * last CORE_ERLE_WINDOWS of them, across replies. */
#define CORE_ERLE_WINDOW_FRAMES 10
#define CORE_ERLE_WINDOWS 16
/* Fewer windows than this: the canceller is untested; a phrase during
 * playback counts as the reply's own. */
#define CORE_ERLE_MIN_WINDOWS 5
/* echo_follows_ref(): the reference is searched up to this much before the
 * canceller's output (the echo's delay after alignment: a few ms live, 30 ms
 * with --echo 30:+6, up to 200 ms with a long --echo), over at least this
 * many frames of phrase. */
#define CORE_ECHO_CORR_LAG_MS 240
#define CORE_ECHO_CORR_MIN_FRAMES 8
/* A phrase whose level follows the reply's less closely than this is the
 * user's, whatever the energy test says. Measured (file mode, Flite voices,
 * --echo 10 to 200 ms): the reply's own phrases 0.81-1.00; the user's over
 * the first reply -0.13 to 0.87, most below 0.4; phrases heard in someone's
 * speech mixed with the reply's residual echo 0.43 and 0.51, which 0.6
 * would have let wake Wyzer (docs/listening.md). */
#define CORE_ECHO_CORR_USER 0.4
/* After the last audible playback frame, the detectors hear the echo
 * canceller's output this much longer: the echo's delay (a few ms once
 * aligned, up to 200 ms with --echo) plus the room's reverberation. */
#define CORE_ECHO_HOLD_MS 600
/* A live microphone that delivers no samples for this long is reported
 * (log warning, `mic` event): the device was removed, suspended, or the
 * server moved the stream to a source that produces nothing. */
#define CORE_MIC_SILENT_MS 3000
/* The wake word search decodes until this long after the VAD last heard
 * speech: the VAD's own hangover is 160 ms, the search reports a phrase
 * ~100 ms after it ends, and stage 1 may need the pause after it. */
#define CORE_WAKE_HOLD_MS 500
/* A reference frame quieter than -60 dBFS (mean square) plays no echo. */
#define CORE_REF_SILENT_MS2 1.07e3f

/* Mean square of one frame's samples at three points of the chain. */
typedef struct {
    float mic;                 /* what the microphone heard */
    float out;                 /* the echo canceller's output (what the detectors hear) */
    float ref;                 /* the playback reference */
} core_level;

/* In --no-hotword and follow-up mode the VAD turns on a few frames after
 * speech begins; send this much before the onset too. */
#define CORE_ONSET_PREROLL_MS 300
/* Request audio travels in 100 ms AUDIO_CHUNKs: with the default 50-slot
 * queue the brain can fall ~4 s behind (a busy machine, the LM pass) before
 * anything is dropped, at the cost of at most 100 ms before the recogniser
 * sees a frame; the last chunk is flushed at the end of speech. */
#define CORE_CHUNK_MS 100
/* --fast waits this long at most for the brain's HEARD after a PAUSE chunk
 * (a guard: the brain answers each one, after its speech-to-text has caught
 * up, which takes seconds on a loaded machine). */
#define CORE_HEARD_WAIT_MS 30000
/* PocketSphinx's keyphrase search reports the phrase ending ~100 ms before
 * its last phone really ends (it fires once the score crosses the
 * threshold). If the energy shows a pause (3 quiet frames) within this
 * window after the reported end, the command starts at that pause instead,
 * so the tail of "wyzer" reaches neither the recogniser nor the endpointer
 * (which would otherwise end the request in the pause). */
#define CORE_WAKE_TAIL_SEARCH_MS 500
#define CORE_PAUSE_FRAMES 3
/* ...but only a quiet run that starts within CORE_PAUSE_NEAR_MS of the
 * reported end may be that short. Further on, the command has usually begun
 * (said straight on), and the gaps between its words ("set a timer | for",
 * "what's | the weather") are 60 ms dips of this depth: taken for the pause,
 * they cut the command's first words. A real pause the search finds that
 * late follows a drawn-out "wyzer" and lasts longer (session 22,
 * docs/listening.md "Where the command starts"). */
#define CORE_PAUSE_NEAR_MS 250
#define CORE_PAUSE_FAR_FRAMES 5
/* Until the first unvoiced frame after the wake word, and at most this long
 * after its reported end, speech is taken as the wake word's tail, not the
 * start of the command: otherwise the endpointer sees "speech" at once and
 * ends the request in the pause before the command. */
#define CORE_WAKE_TAIL_MAX_MS 400
/* Audio sent before the endpointer's start of speech: the VAD turns on a
 * frame or two late, and the recogniser likes a little lead-in. */
#define CORE_SPEECH_PREROLL_MS 200
/* AUDIO_START carries the wake phrase, from this long before its start to
 * its end and at most CORE_WAKE_CONTEXT_MS of it, for the recogniser to
 * adapt to the voice and the room (stt_adapt). Not after a barge-in: the
 * reply's echo would be in it. */
#define CORE_WAKE_CONTEXT_LEAD_MS 300
#define CORE_WAKE_CONTEXT_MS 2000
/* bargein.hold: longest a reply is held for one stage-2 check (it normally
 * takes 50-100 ms; a stuck check must not silence the reply for good). */
#define CORE_HOLD_MAX_MS 1000
/* Reply audio waiting for the playback queue, in seconds at the reply's
 * rate; Flite and Piper produce far faster than real time, and the
 * playback queue itself holds AUDIO_IO_PLAY_QUEUE_MS. */
#define CORE_REPLY_AUDIO_S 120
#define CORE_ANNOUNCE_AUDIO_S 60

/* Audio waiting to be played: one reply or announcement at one rate. */
typedef struct {
    int16_t *pcm;
    size_t len, off, cap;     /* samples stored, sent to playback, capacity */
    int rate;
    bool ended;               /* TTS_END received */
    uint16_t end_flags;
    bool any;                 /* at least one TTS_AUDIO arrived */
} pending_audio;

typedef struct core {
    const wz_link *l;
    uint8_t *rx;
    size_t rx_cap;

    uint64_t next_req;
    uint64_t cur_req;          /* request in flight (capture, thinking or speaking), 0 if none */
    bool cur_failed;
    bool any_failed;
    char reply[CORE_REPLY_MAX];
    size_t reply_len;

    bool brain_ready;
    bool announced_ready;
    bool apology_pending;
    int64_t last_peer_ns;
    int64_t next_hb_ns;
    msg_stats stats;

    bool text_mode, stdin_mode, single_sent;
    char cur_text[CORE_STDIN_LINE_MAX + 1]; /* the typed request in flight */
    bool cur_retried, retry_pending;
    textin in;
    bool shutting_down;
    struct wav_writer *text_wav;  /* --text --output */
    int text_wav_rate;

    /* Audio mode. */
    bool audio_mode;
    bool hotword;              /* wake.enabled and not --no-hotword */
    audio_io *aio;
    vad *vad;
    wake *wake;
    aec *aec;
    endpoint ep;
    fsm fsm;
    int frame_ms;
    size_t frame_n;
    int aec_latency_ms;
    float erle_db[CORE_ERLE_WINDOWS]; /* kept share of the echo per playback window, dB (ring) */
    int erle_n;                /* windows measured so far */
    int64_t last_ref;          /* last frame with audible playback in the reference */
    int64_t no_audio_ns;       /* when capture stopped delivering (0: it delivers) */
    bool mic_silent;           /* reported as silent (`mic` event) */
    int64_t aec_hold;          /* frames the canceller runs after last_ref (aec_idle() later): the echo hold or the tail */
    int64_t last_speech;       /* last frame the VAD called speech */
    int erle_frames;           /* playback frames in the open window */
    double erle_mic, erle_out; /* their energy */
    int16_t *mic, *ref, *clean;
    int16_t *pre;              /* raw mic ring, CORE_PREROLL_MS */
    core_level *pre_lvl;       /* mean square per frame in pre: mic, canceller output, reference */
    bool *pre_vad;             /* VAD decision per frame in pre */
    bool *pre_raw;             /* the same without onset smoothing and hangover */
    size_t pre_frames;         /* capacity in frames */
    int64_t frames;            /* frames processed: pre holds the last ones */
    bool capturing;            /* listening for cur_req's speech; AUDIO_END not sent yet */
    bool seeking_start;        /* after a wake word: looking for the pause before the command */
    bool skip_tail;            /* speech is still the wake word's tail (until a gap) */
    bool audio_started;        /* AUDIO_START sent for the capture */
    int64_t capture_first;     /* first frame the capture may send */
    int64_t audio_first;       /* first frame sent to the brain (AUDIO_START) */
    bool heard_owed;           /* a PAUSE chunk the brain has not answered (HEARD) */
    int64_t heard_sent_ns;     /* when it was sent */
    int64_t wake_start_ms, wake_end_ms;
    int16_t *wake_pcm;         /* the wake phrase for AUDIO_START, CORE_WAKE_CONTEXT_MS */
    size_t wake_n;             /* samples in it; 0: none for this capture */
    double wake_peak;          /* loudest frame energy of the wake word */
    int16_t *chunk;            /* request audio not sent yet, CORE_CHUNK_MS */
    size_t chunk_n, chunk_cap; /* samples */
    int64_t ep_origin_ms;      /* input position of endpoint_start() */
    int64_t followup_until_ms;
    pending_audio play;        /* the reply being played */
    pending_audio announce;    /* an announcement waiting for IDLE */
    uint64_t announce_req;
    bool playing;              /* reply audio handed to the device */
    bool held;                 /* playback held while stage 2 checks a candidate */
    int64_t held_from_ms;
    int64_t hold_expired_end;  /* end_ms of a candidate held for CORE_HOLD_MAX_MS */

    /* Interactive status line (a TTY, not --quiet or --events). */
    bool status_tty;
    int64_t next_status_ms;
    char last_heard[160];
    char last_said[160];
} core;

/* core.c */
/* Starts a new request: a fresh id in cur_req and an empty reply. */
uint64_t core_begin_request(core *c);
/* Ends cur_req: emits `response` (when there is text or in --text mode). */
void core_finish_request(core *c, bool failed);
void core_send_control(core *c, int type, uint64_t req, const char *text);
void core_pump(core *c, int timeout_ms);

/* core_audio.c */
int core_audio_open(core *c, char *err, size_t errlen);
void core_audio_close(core *c);
/* One step: reads and processes a frame, or (with --fast while the brain
 * works) waits for the brain. Returns false when the run is over. */
bool core_audio_step(core *c, int *exit_code);
/* Message hooks from core.c. */
void core_audio_on_tts(core *c, const msg *m);
void core_audio_on_tts_end(core *c, const msg *m);
void core_audio_on_announce(core *c, const msg *m);
void core_audio_on_heard(core *c, const msg *m);
/* Ends capture and playback after the brain died or stopped answering;
 * ev is FSM_EV_BRAIN_RESTART or FSM_EV_ERROR. */
void core_audio_abort(core *c, fsm_event ev);

/* status.c: the one-line live view for people at a terminal. */
void status_init(core *c);
void status_update(core *c);
void status_clear(core *c);

#endif
