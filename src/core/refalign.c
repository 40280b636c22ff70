/* refalign.c: echo reference by time stamps (see refalign.h). */
#include "core/refalign.h"

#include <stdlib.h>
#include <string.h>

/* The smoothed error follows the raw one with a time constant of 8 chunks
 * (about 80 ms at the 10 ms device period): long against the stamps'
 * jitter (measured within 0.5 ms on the PulseAudio path), short enough
 * that a step (an output underrun shifts the DAC timeline by the gap) is
 * followed within about 100 ms (a 9 ms step: 80 ms, test_refalign). */
#define SMOOTH_SHIFT 3
#define SMOOTH_ONE ((int64_t)1 << SMOOTH_SHIFT)
/* Slew only when the smoothed error exceeds 1 ms: below that the echo
 * canceller's adaptive filter follows the path without help. */
#define SLEW_MIN_MS 1
/* A raw error beyond resync_ms must persist for 3 takes (about 30 ms)
 * before the cursor jumps: one late callback's stamp is not a new
 * timeline. */
#define RESYNC_TAKES 3

struct refalign {
    refalign_config cfg;
    int16_t *hist;
    uint64_t mask;   /* history capacity - 1 (a power of two) */
    uint64_t pushed; /* running count of played samples pushed */
    uint64_t acc;    /* remainder of k * out_rate / in_rate, in 1/in_rate units */
    bool placed;     /* cursor valid */
    int64_t cursor;  /* next played index to return */
    int64_t err_s;   /* smoothed target - cursor, in 1/8 output samples */
    int big;         /* consecutive takes with the raw error beyond resync_ms */
    refalign_stats st;
};

void refalign_config_init(refalign_config *c)
{
    c->in_rate = c->out_rate = 16000;
    c->history_ms = 2000;
    c->lead_ms = 10;
    c->resync_ms = 40;
    c->step_ms = 6;
}

int refalign_create(refalign **out, const refalign_config *c)
{
    *out = NULL;
    if (c->in_rate < 1000 || c->in_rate > 384000 || c->out_rate < 1000 || c->out_rate > 384000 ||
        c->history_ms < 100 || c->history_ms > 10000 || c->lead_ms < 0 || c->lead_ms > 500 ||
        c->resync_ms < 2 || c->resync_ms > 1000 || c->step_ms < 1 || c->step_ms > c->resync_ms)
        return WZ_INVAL;
    refalign *ra = calloc(1, sizeof(*ra));
    if (!ra)
        return WZ_NOMEM;
    ra->cfg = *c;
    uint64_t cap = 1, need = (uint64_t)c->out_rate * (uint64_t)c->history_ms / 1000;
    while (cap < need)
        cap <<= 1;
    ra->hist = calloc(cap, sizeof(int16_t));
    if (!ra->hist) {
        free(ra);
        return WZ_NOMEM;
    }
    ra->mask = cap - 1;
    *out = ra;
    return WZ_OK;
}

void refalign_destroy(refalign *ra)
{
    if (!ra)
        return;
    free(ra->hist);
    free(ra);
}

void refalign_push(refalign *ra, const int16_t *played, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ra->hist[(ra->pushed + i) & ra->mask] = played[i];
    ra->pushed += n;
}

uint64_t refalign_pushed(const refalign *ra) { return ra->pushed; }

size_t refalign_max_out(const refalign *ra, size_t k)
{
    return (size_t)(((uint64_t)k * (uint64_t)ra->cfg.out_rate) / (uint64_t)ra->cfg.in_rate) + 1;
}

/* Played index at the DAC when captured sample cap_index was at the ADC,
 * plus the lead. Rounded to the nearest sample. */
static int64_t stamp_target(const refalign *ra, uint64_t cap_index, refalign_stamp in, refalign_stamp out)
{
    /* t_adc - t_dac_stamp, in ns: (c - C) / in_rate + Tc - Tp + lead. */
    int64_t dc = (int64_t)(cap_index - in.index); /* may be negative */
    int64_t dt_ns = dc * 1000000000LL / ra->cfg.in_rate + (in.time_ns - out.time_ns) +
                    (int64_t)ra->cfg.lead_ms * 1000000LL;
    /* Stamps further apart than 100 s are not one timeline; clamping keeps
     * the arithmetic below in range (the cursor then just resyncs). */
    dt_ns = WZ_MAX(WZ_MIN(dt_ns, 100000000000LL), -100000000000LL);
    int64_t ds = dt_ns * ra->cfg.out_rate;
    ds = ds >= 0 ? (ds + 500000000LL) / 1000000000LL : -((-ds + 500000000LL) / 1000000000LL);
    return (int64_t)out.index + ds;
}

/* Moves the cursor towards target: placed the first time; jumped when the
 * raw error exceeds resync_ms (a stall) or the smoothed one step_ms (a step
 * that persists beyond the jitter); otherwise slewed one sample per call
 * along the smoothed error (clock drift). */
static void steer(refalign *ra, int64_t target)
{
    int64_t err = target - ra->cursor;
    int64_t resync = (int64_t)ra->cfg.out_rate * ra->cfg.resync_ms / 1000;
    int64_t step = ((int64_t)ra->cfg.out_rate * ra->cfg.step_ms / 1000) << SMOOTH_SHIFT;
    if (ra->placed)
        ra->err_s += (err * SMOOTH_ONE - ra->err_s) >> SMOOTH_SHIFT; /* err may be negative: no << */
    ra->big = err > resync || err < -resync ? ra->big + 1 : 0;
    if (!ra->placed || ra->big >= RESYNC_TAKES || ra->err_s > step || ra->err_s < -step) {
        if (ra->placed)
            ra->st.resyncs++;
        ra->placed = true;
        ra->cursor = target;
        ra->err_s = 0;
        ra->big = 0;
        ra->st.last_error = 0;
        return;
    }
    ra->st.last_error = err;
    int64_t slew_min = ((int64_t)ra->cfg.out_rate * SLEW_MIN_MS / 1000) << SMOOTH_SHIFT;
    if (ra->err_s > slew_min)
        ra->cursor++; /* skip one played sample */
    else if (ra->err_s < -slew_min)
        ra->cursor--; /* repeat one */
}

size_t refalign_take(refalign *ra, uint64_t cap_index, size_t k, bool have_stamps, refalign_stamp in,
                     refalign_stamp out, int16_t *dst)
{
    ra->acc += (uint64_t)k * (uint64_t)ra->cfg.out_rate;
    size_t want = (size_t)(ra->acc / (uint64_t)ra->cfg.in_rate);
    ra->acc -= (uint64_t)want * (uint64_t)ra->cfg.in_rate;
    int64_t target = have_stamps ? stamp_target(ra, cap_index, in, out) : (int64_t)ra->pushed - (int64_t)want;
    steer(ra, target);
    int64_t oldest = (int64_t)ra->pushed - (int64_t)(ra->mask + 1);
    for (size_t i = 0; i < want; i++) {
        int64_t j = ra->cursor + (int64_t)i;
        if (j >= (int64_t)ra->pushed) {
            dst[i] = 0;
            ra->st.late++;
        } else {
            dst[i] = j >= 0 && j >= oldest ? ra->hist[(uint64_t)j & ra->mask] : 0;
        }
    }
    ra->cursor += (int64_t)want;
    return want;
}

void refalign_get_stats(const refalign *ra, refalign_stats *st) { *st = ra->st; }
