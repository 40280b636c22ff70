/* cmn_window.c: see cmn_window.h. */
#include "common/cmn_window.h"

#include <sphinxbase/feat.h>
#include <string.h>

#ifdef FIXED_POINT
#error "cmn_window.c folds the cepstral mean in floating point (mfcc_t = float)"
#endif

cmn_t *cmn_window_of(ps_decoder_t *d)
{
    feat_t *ft = d ? ps_get_feat(d) : NULL;
    cmn_t *c = ft ? ft->cmn_struct : NULL;
    return c && c->veclen <= CMN_WINDOW_MAX_CEP ? c : NULL;
}

void cmn_window_seed(cmn_t *c, int frames)
{
    for (int i = 0; i < c->veclen; i++)
        c->sum[i] = c->cmn_mean[i] * (mfcc_t)frames;
    c->nframe = frames;
}

void cmn_window_fold(cmn_t *c, int window)
{
    if (c->nframe <= 0)
        return;
    for (int i = 0; i < c->veclen; i++)
        c->cmn_mean[i] = c->sum[i] / (mfcc_t)c->nframe;
    if (c->nframe > window)
        cmn_window_seed(c, window);
}

void cmn_window_save(const cmn_t *c, cmn_window_state *to)
{
    memcpy(to->mean, c->cmn_mean, (size_t)c->veclen * sizeof(mfcc_t));
    memcpy(to->sum, c->sum, (size_t)c->veclen * sizeof(mfcc_t));
    to->nframe = c->nframe;
}

void cmn_window_load(cmn_t *c, const cmn_window_state *from)
{
    memcpy(c->cmn_mean, from->mean, (size_t)c->veclen * sizeof(mfcc_t));
    memcpy(c->sum, from->sum, (size_t)c->veclen * sizeof(mfcc_t));
    c->nframe = from->nframe;
}
