/* fsm.h: the core's turn state machine, driven by a static transition table.
 *
 *   IDLE -> LISTENING -> THINKING -> SPEAKING -> (FOLLOWUP -> LISTENING | IDLE)
 * plus barge-in (a wake word while THINKING or SPEAKING restarts LISTENING,
 * the stop phrase ends SPEAKING), timeouts, and ERROR / BRAIN_RESTART which
 * return any state to IDLE.
 *
 * Every allowed (state, event) pair is one row of a const table in fsm.c;
 * every other pair is rejected with WZ_INVAL and the state is left
 * unchanged, so an invalid transition cannot happen. Each accepted event
 * (including the self-transition IDLE -ERROR-> IDLE) calls the transition
 * callback once, after the state has changed; the core emits its `state`
 * event from there.
 *
 * Plain data, no allocation. Not thread-safe: one fsm belongs to the core's
 * processing thread. Safe on the audio thread (no allocation, no locks), but
 * the callback the caller installs decides what really runs. */
#ifndef WZ_FSM_H
#define WZ_FSM_H

#include "common/wz.h"

typedef enum {
    FSM_IDLE = 0,
    FSM_LISTENING,
    FSM_THINKING,
    FSM_SPEAKING,
    FSM_FOLLOWUP,
    FSM_NSTATES
} fsm_state;

typedef enum {
    FSM_EV_WAKE = 0,        /* wake word detected (also barge-in while THINKING/SPEAKING) */
    FSM_EV_SPEECH_START,    /* speech without wake word: --no-hotword in IDLE, or in FOLLOWUP */
    FSM_EV_SPEECH_END,      /* endpoint closed the utterance, AUDIO_END sent */
    FSM_EV_START_TIMEOUT,   /* no speech within listen.start_timeout_ms */
    FSM_EV_TTS_START,       /* first reply audio reached playback */
    FSM_EV_NO_REPLY,        /* brain finished the turn without audio */
    FSM_EV_ANNOUNCE,        /* brain ANNOUNCE audio starts while IDLE */
    FSM_EV_PLAYBACK_DONE,   /* TTS_END received and jitter buffer drained */
    FSM_EV_PLAYBACK_DONE_EXPECT_REPLY, /* same, reply asked a question */
    FSM_EV_FOLLOWUP_TIMEOUT,/* followup.ms passed without speech */
    FSM_EV_STOP_PHRASE,     /* stop phrase heard while SPEAKING */
    FSM_EV_ERROR,           /* unrecoverable turn error */
    FSM_EV_BRAIN_RESTART,   /* brain process restarted; drop the turn */
    FSM_NEVENTS
} fsm_event;

typedef void (*fsm_transition_cb)(void *user, fsm_state from, fsm_state to, fsm_event ev);

typedef struct fsm {
    fsm_state state;
    fsm_transition_cb cb; /* may be NULL */
    void *user;
} fsm;

/* Starts in IDLE. cb may be NULL. Never fails. */
void fsm_init(fsm *f, fsm_transition_cb cb, void *user);

/* Applies ev. Returns WZ_OK (state changed per the table, callback called
 * once) or WZ_INVAL (pair not in the table, or ev/state out of range: state
 * unchanged, no callback). */
int fsm_handle(fsm *f, fsm_event ev) WZ_MUST_CHECK;

/* The table itself: the target state of (s, ev), or -1 when not allowed. */
int fsm_next(fsm_state s, fsm_event ev);

static inline fsm_state fsm_get(const fsm *f) { return f->state; }

/* Lower-case names ("idle", "listening", ...); "?" when out of range. */
const char *fsm_state_name(fsm_state s);
const char *fsm_event_name(fsm_event ev);

#endif
