/* fsm.c: the transition table and its one lookup. */
#include "core/fsm.h"

#include <stddef.h>

typedef struct {
    fsm_state from;
    fsm_event ev;
    fsm_state to;
} fsm_row;

/* The whole state machine. A pair not listed here is rejected. */
static const fsm_row k_table[] = {
    {FSM_IDLE,      FSM_EV_WAKE,                       FSM_LISTENING},
    {FSM_IDLE,      FSM_EV_SPEECH_START,               FSM_LISTENING},
    {FSM_IDLE,      FSM_EV_ANNOUNCE,                   FSM_SPEAKING},
    {FSM_LISTENING, FSM_EV_SPEECH_END,                 FSM_THINKING},
    {FSM_LISTENING, FSM_EV_START_TIMEOUT,              FSM_IDLE},
    {FSM_THINKING,  FSM_EV_TTS_START,                  FSM_SPEAKING},
    {FSM_THINKING,  FSM_EV_NO_REPLY,                   FSM_IDLE},
    {FSM_THINKING,  FSM_EV_WAKE,                       FSM_LISTENING},
    {FSM_SPEAKING,  FSM_EV_PLAYBACK_DONE,              FSM_IDLE},
    {FSM_SPEAKING,  FSM_EV_PLAYBACK_DONE_EXPECT_REPLY, FSM_FOLLOWUP},
    {FSM_SPEAKING,  FSM_EV_WAKE,                       FSM_LISTENING},
    {FSM_SPEAKING,  FSM_EV_STOP_PHRASE,                FSM_IDLE},
    {FSM_FOLLOWUP,  FSM_EV_SPEECH_START,               FSM_LISTENING},
    {FSM_FOLLOWUP,  FSM_EV_WAKE,                       FSM_LISTENING},
    {FSM_FOLLOWUP,  FSM_EV_FOLLOWUP_TIMEOUT,           FSM_IDLE},
    /* ERROR and BRAIN_RESTART: every state, including IDLE, goes to IDLE. */
    {FSM_IDLE,      FSM_EV_ERROR,                      FSM_IDLE},
    {FSM_LISTENING, FSM_EV_ERROR,                      FSM_IDLE},
    {FSM_THINKING,  FSM_EV_ERROR,                      FSM_IDLE},
    {FSM_SPEAKING,  FSM_EV_ERROR,                      FSM_IDLE},
    {FSM_FOLLOWUP,  FSM_EV_ERROR,                      FSM_IDLE},
    {FSM_IDLE,      FSM_EV_BRAIN_RESTART,              FSM_IDLE},
    {FSM_LISTENING, FSM_EV_BRAIN_RESTART,              FSM_IDLE},
    {FSM_THINKING,  FSM_EV_BRAIN_RESTART,              FSM_IDLE},
    {FSM_SPEAKING,  FSM_EV_BRAIN_RESTART,              FSM_IDLE},
    {FSM_FOLLOWUP,  FSM_EV_BRAIN_RESTART,              FSM_IDLE},
};

static const char *const k_state_names[FSM_NSTATES] = {
    [FSM_IDLE] = "idle", [FSM_LISTENING] = "listening", [FSM_THINKING] = "thinking",
    [FSM_SPEAKING] = "speaking", [FSM_FOLLOWUP] = "followup",
};

static const char *const k_event_names[FSM_NEVENTS] = {
    [FSM_EV_WAKE] = "wake",
    [FSM_EV_SPEECH_START] = "speech_start",
    [FSM_EV_SPEECH_END] = "speech_end",
    [FSM_EV_START_TIMEOUT] = "start_timeout",
    [FSM_EV_TTS_START] = "tts_start",
    [FSM_EV_NO_REPLY] = "no_reply",
    [FSM_EV_ANNOUNCE] = "announce",
    [FSM_EV_PLAYBACK_DONE] = "playback_done",
    [FSM_EV_PLAYBACK_DONE_EXPECT_REPLY] = "playback_done_expect_reply",
    [FSM_EV_FOLLOWUP_TIMEOUT] = "followup_timeout",
    [FSM_EV_STOP_PHRASE] = "stop_phrase",
    [FSM_EV_ERROR] = "error",
    [FSM_EV_BRAIN_RESTART] = "brain_restart",
};

void fsm_init(fsm *f, fsm_transition_cb cb, void *user)
{
    f->state = FSM_IDLE;
    f->cb = cb;
    f->user = user;
}

int fsm_next(fsm_state s, fsm_event ev)
{
    for (size_t i = 0; i < WZ_ARRAY_LEN(k_table); i++)
        if (k_table[i].from == s && k_table[i].ev == ev)
            return (int)k_table[i].to;
    return -1;
}

int fsm_handle(fsm *f, fsm_event ev)
{
    int to = fsm_next(f->state, ev);
    if (to < 0)
        return WZ_INVAL;
    fsm_state from = f->state;
    f->state = (fsm_state)to;
    if (f->cb)
        f->cb(f->user, from, f->state, ev);
    return WZ_OK;
}

const char *fsm_state_name(fsm_state s)
{
    return ((unsigned)s < FSM_NSTATES) ? k_state_names[s] : "?";
}

const char *fsm_event_name(fsm_event ev)
{
    return ((unsigned)ev < FSM_NEVENTS) ? k_event_names[ev] : "?";
}
