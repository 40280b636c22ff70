/* endpoint.c: start-timeout / speech-start / end-of-speech counting. */
#include "core/endpoint.h"

#include <string.h>

#include "app/config.h"

void endpoint_config_from(endpoint_config *ec, const struct wz_config *cfg)
{
    ec->frame_ms = (int)cfg->audio_frame_ms;
    ec->start_timeout_ms = (int)cfg->listen_start_timeout_ms;
    ec->end_silence_ms = (int)cfg->listen_end_silence_ms;
    ec->max_ms = (int)cfg->listen_max_ms;
    ec->min_speech_ms = (int)cfg->listen_min_speech_ms;
    ec->complete_silence_ms = (int)cfg->listen_complete_silence_ms;
    ec->closed_silence_ms = (int)cfg->listen_closed_silence_ms;
}

/* An optional wait: 0 (off) or lo..hi. */
static bool off_or_within(int ms, int lo, int hi) { return ms == 0 || (ms >= lo && ms <= hi); }

int endpoint_init(endpoint *e, const endpoint_config *ec)
{
    int closed_max = ec->complete_silence_ms ? ec->complete_silence_ms : ec->end_silence_ms;
    if (ec->frame_ms < 1 || ec->frame_ms > 100 || ec->start_timeout_ms < ec->frame_ms ||
        ec->end_silence_ms < ec->frame_ms || ec->max_ms < ec->end_silence_ms ||
        !off_or_within(ec->complete_silence_ms, ec->frame_ms, ec->end_silence_ms) ||
        !off_or_within(ec->closed_silence_ms, ec->frame_ms, closed_max))
        return WZ_INVAL;
    memset(e, 0, sizeof(*e));
    e->cfg = *ec;
    return WZ_OK;
}

void endpoint_start(endpoint *e, bool after_wake)
{
    e->active = true;
    e->in_speech = false;
    e->elapsed_ms = 0;
    e->silence_ms = 0;
    e->speech_ms = 0;
    e->min_speech_ms = after_wake ? e->cfg.min_speech_ms : 0;
    e->complete_ms = -1;
    e->closed_ms = -1;
    memset(&e->info, 0, sizeof(e->info));
    e->info.speech_start_ms = -1;
}

void endpoint_heard_complete(endpoint *e, int64_t until_ms, bool closed)
{
    if (!e->active || !e->in_speech)
        return;
    e->complete_ms = WZ_MAX(e->complete_ms, until_ms);
    if (closed)
        e->closed_ms = WZ_MAX(e->closed_ms, until_ms);
}

void endpoint_cancel(endpoint *e)
{
    e->active = false;
}

static endpoint_result finish(endpoint *e, endpoint_result r, endpoint_end_reason why,
                              endpoint_info *info)
{
    e->active = false;
    e->info.audio_ms = e->elapsed_ms;
    e->info.reason = why;
    if (info)
        *info = e->info;
    return r;
}

/* Whether the brain's hint (the words up to hint_ms are a whole command)
 * ends the utterance after silence_ms (0: that wait is off). The hint must
 * cover every speech frame: a word said after the audio the brain read is
 * not part of the command it saw. */
static bool hint_ends(const endpoint *e, int64_t hint_ms, int silence_ms)
{
    return silence_ms && hint_ms >= e->info.speech_last_ms && e->silence_ms >= silence_ms;
}

endpoint_result endpoint_process(endpoint *e, bool is_speech, endpoint_info *info)
{
    if (!e->active)
        return ENDPOINT_NONE;
    int64_t frame_start = e->elapsed_ms;
    e->elapsed_ms += e->cfg.frame_ms;

    if (!e->in_speech) {
        if (is_speech) {
            e->in_speech = true;
            e->silence_ms = 0;
            e->speech_ms = e->cfg.frame_ms;
            e->info.speech_start_ms = frame_start;
            e->info.speech_last_ms = e->elapsed_ms;
            e->info.audio_ms = e->elapsed_ms;
            if (info)
                *info = e->info;
            return ENDPOINT_SPEECH_START;
        }
        if (e->elapsed_ms >= e->cfg.start_timeout_ms)
            return finish(e, ENDPOINT_TIMEOUT, ENDPOINT_END_SILENCE, info);
        return ENDPOINT_NONE;
    }

    if (is_speech) {
        e->silence_ms = 0;
        e->speech_ms += e->cfg.frame_ms;
        e->info.speech_last_ms = e->elapsed_ms;
    } else {
        e->silence_ms += e->cfg.frame_ms;
        bool blip = e->speech_ms < e->min_speech_ms && e->elapsed_ms < e->cfg.start_timeout_ms;
        if (!blip && e->silence_ms >= e->cfg.end_silence_ms)
            return finish(e, ENDPOINT_SPEECH_END, ENDPOINT_END_SILENCE, info);
        if (!blip && hint_ends(e, e->closed_ms, e->cfg.closed_silence_ms))
            return finish(e, ENDPOINT_SPEECH_END, ENDPOINT_END_CLOSED, info);
        if (!blip && hint_ends(e, e->complete_ms, e->cfg.complete_silence_ms))
            return finish(e, ENDPOINT_SPEECH_END, ENDPOINT_END_COMPLETE, info);
    }
    if (e->elapsed_ms >= e->cfg.max_ms)
        return finish(e, ENDPOINT_SPEECH_END, ENDPOINT_END_MAX, info);
    return ENDPOINT_NONE;
}
