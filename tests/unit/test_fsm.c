/* test_fsm: the whole transition table, written out a second time here as
 * the spec, and every pair outside it rejected. */
#include "core/fsm.h"
#include "wz_test.h"

enum { X = -1, I = FSM_IDLE, L = FSM_LISTENING, T = FSM_THINKING, S = FSM_SPEAKING, F = FSM_FOLLOWUP };

/* expected[state][event]: target state, X = rejected. Columns follow fsm_event:
 * wake speech_start speech_end start_timeout tts_start no_reply announce
 * playback_done playback_done_expect_reply followup_timeout stop_phrase error brain_restart */
static const int expected[FSM_NSTATES][FSM_NEVENTS] = {
    [FSM_IDLE]      = {L, L, X, X, X, X, S, X, X, X, X, I, I},
    [FSM_LISTENING] = {X, X, T, I, X, X, X, X, X, X, X, I, I},
    [FSM_THINKING]  = {L, X, X, X, S, I, X, X, X, X, X, I, I},
    [FSM_SPEAKING]  = {L, X, X, X, X, X, X, I, F, X, I, I, I},
    [FSM_FOLLOWUP]  = {L, L, X, X, X, X, X, X, X, I, X, I, I},
};

static int calls, last_from, last_to, last_ev;
static void on_transition(void *user, fsm_state from, fsm_state to, fsm_event ev)
{
    (*(int *)user)++;
    calls++;
    last_from = (int)from;
    last_to = (int)to;
    last_ev = (int)ev;
}

static void test_starts_idle(void)
{
    fsm f;
    fsm_init(&f, NULL, NULL);
    ASSERT_EQ(FSM_IDLE, fsm_get(&f));
    ASSERT_STREQ("idle", fsm_state_name(fsm_get(&f)));
}

static void test_every_pair_matches_spec(void)
{
    int checked = 0;
    for (int s = 0; s < FSM_NSTATES; s++) {
        for (int e = 0; e < FSM_NEVENTS; e++) {
            int user = 0;
            fsm f;
            fsm_init(&f, on_transition, &user);
            f.state = (fsm_state)s; /* place the machine in s directly */
            calls = 0;
            int rc = fsm_handle(&f, (fsm_event)e);
            if (expected[s][e] == X) {
                if (rc != WZ_INVAL)
                    TEST_FAIL_AT("%s + %s accepted, should be rejected", fsm_state_name(s),
                                 fsm_event_name(e));
                ASSERT_EQ(s, fsm_get(&f));
                ASSERT_EQ(0, calls);
                ASSERT_EQ(-1, fsm_next((fsm_state)s, (fsm_event)e));
            } else {
                if (rc != WZ_OK)
                    TEST_FAIL_AT("%s + %s rejected, should go to %s", fsm_state_name(s),
                                 fsm_event_name(e), fsm_state_name(expected[s][e]));
                ASSERT_EQ(expected[s][e], fsm_get(&f));
                ASSERT_EQ(1, calls);
                ASSERT_EQ(1, user);
                ASSERT_EQ(s, last_from);
                ASSERT_EQ(expected[s][e], last_to);
                ASSERT_EQ(e, last_ev);
            }
            checked++;
        }
    }
    ASSERT_EQ(FSM_NSTATES * FSM_NEVENTS, checked);
}

static void test_full_turn_with_followup(void)
{
    int user = 0;
    fsm f;
    fsm_init(&f, on_transition, &user);
    static const fsm_event seq[] = {FSM_EV_WAKE, FSM_EV_SPEECH_END, FSM_EV_TTS_START,
                                    FSM_EV_PLAYBACK_DONE_EXPECT_REPLY, FSM_EV_SPEECH_START,
                                    FSM_EV_SPEECH_END, FSM_EV_TTS_START, FSM_EV_PLAYBACK_DONE};
    static const fsm_state want[] = {FSM_LISTENING, FSM_THINKING, FSM_SPEAKING, FSM_FOLLOWUP,
                                     FSM_LISTENING, FSM_THINKING, FSM_SPEAKING, FSM_IDLE};
    for (size_t i = 0; i < WZ_ARRAY_LEN(seq); i++) {
        ASSERT_EQ(WZ_OK, fsm_handle(&f, seq[i]));
        ASSERT_EQ(want[i], fsm_get(&f));
    }
    ASSERT_EQ((int)WZ_ARRAY_LEN(seq), user);
}

static void test_bargein_paths(void)
{
    fsm f;
    fsm_init(&f, NULL, NULL);
    ASSERT_EQ(WZ_OK, fsm_handle(&f, FSM_EV_WAKE));
    ASSERT_EQ(WZ_OK, fsm_handle(&f, FSM_EV_SPEECH_END));
    ASSERT_EQ(WZ_OK, fsm_handle(&f, FSM_EV_WAKE)); /* wake while THINKING */
    ASSERT_EQ(FSM_LISTENING, fsm_get(&f));
    ASSERT_EQ(WZ_OK, fsm_handle(&f, FSM_EV_SPEECH_END));
    ASSERT_EQ(WZ_OK, fsm_handle(&f, FSM_EV_TTS_START));
    ASSERT_EQ(WZ_OK, fsm_handle(&f, FSM_EV_STOP_PHRASE)); /* "stop" while SPEAKING */
    ASSERT_EQ(FSM_IDLE, fsm_get(&f));
    /* stop phrase means nothing outside SPEAKING */
    ASSERT_EQ(WZ_INVAL, fsm_handle(&f, FSM_EV_STOP_PHRASE));
    ASSERT_EQ(FSM_IDLE, fsm_get(&f));
}

static void test_out_of_range_rejected(void)
{
    fsm f;
    fsm_init(&f, NULL, NULL);
    ASSERT_EQ(WZ_INVAL, fsm_handle(&f, FSM_NEVENTS));
    ASSERT_EQ(WZ_INVAL, fsm_handle(&f, (fsm_event)-1));
    ASSERT_EQ(FSM_IDLE, fsm_get(&f));
    ASSERT_STREQ("?", fsm_state_name(FSM_NSTATES));
    ASSERT_STREQ("?", fsm_event_name(FSM_NEVENTS));
    for (int e = 0; e < FSM_NEVENTS; e++)
        ASSERT_TRUE(fsm_event_name((fsm_event)e) != NULL && fsm_event_name((fsm_event)e)[0] != '?');
}

int main(void)
{
    RUN(test_starts_idle);
    RUN(test_every_pair_matches_spec);
    RUN(test_full_turn_with_followup);
    RUN(test_bargein_paths);
    RUN(test_out_of_range_rejected);
    return TEST_SUMMARY();
}
