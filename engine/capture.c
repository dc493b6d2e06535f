/* capture.c - records the active-token and kept-value positions of every
 * head-step of a functional run (through sp_observer), in call order, which
 * is the order of sp_tm_steps_from_run's records. The active list of a
 * head-step is stored once for all of its query rows. */
#include <stdlib.h>
#include <string.h>
#include "engine.h"

void sp_engine_capture_init(sp_engine_capture *c)
{
    memset(c, 0, sizeof *c);
    c->last_it = c->last_layer = c->last_head = -1;
}

void sp_engine_capture_free(sp_engine_capture *c)
{
    free(c->pool);
    free(c->koff);
    free(c->voff);
    free(c->kn);
    free(c->vn);
    sp_engine_capture_init(c);
}

static int reserve(sp_engine_capture *c, size_t more)
{
    if (c->n + more > SP_CAPTURE_MAX_INTS)
        return -1;
    if (c->n + more <= c->cap)
        return 0;
    size_t nc = c->cap ? c->cap : 65536;
    while (nc < c->n + more)
        nc *= 2;
    int32_t *np = realloc(c->pool, nc * sizeof *np);
    if (!np)
        return -1;
    c->pool = np;
    c->cap = nc;
    return 0;
}

static void on_step(void *ctx, int it, int layer, int head, int row, const sp_head_result *r)
{
    sp_engine_capture *c = ctx;
    (void)row;
    if (c->overflow)
        return;
    if (c->calls == c->ccap) {
        size_t nc = c->ccap ? c->ccap * 2 : 1024;
        size_t *ko = realloc(c->koff, nc * sizeof *ko), *vo = ko ? realloc(c->voff, nc * sizeof *vo) : NULL;
        if (ko)
            c->koff = ko;
        if (vo)
            c->voff = vo;
        uint32_t *kn = vo ? realloc(c->kn, nc * sizeof *kn) : NULL;
        if (kn)
            c->kn = kn;
        uint32_t *vn = kn ? realloc(c->vn, nc * sizeof *vn) : NULL;
        if (vn)
            c->vn = vn;
        if (!ko || !vo || !kn || !vn) {
            c->overflow = 1;
            return;
        }
        c->ccap = nc;
    }
    size_t k = c->calls;
    int same = c->calls > 0 && it == c->last_it && layer == c->last_layer && head == c->last_head &&
               c->kn[k - 1] == (uint32_t)r->n_active;
    if (reserve(c, (same ? 0 : (size_t)r->n_active) + (size_t)r->n_kept)) {
        c->overflow = 1;
        return;
    }
    if (same) {
        c->koff[k] = c->koff[k - 1];
    } else {
        c->koff[k] = c->n;
        memcpy(c->pool + c->n, r->tokens, (size_t)r->n_active * sizeof(int32_t));
        c->n += (size_t)r->n_active;
    }
    c->kn[k] = (uint32_t)r->n_active;
    c->voff[k] = c->n;
    memcpy(c->pool + c->n, r->kept, (size_t)r->n_kept * sizeof(int32_t));
    c->n += (size_t)r->n_kept;
    c->vn[k] = (uint32_t)r->n_kept;
    c->calls++;
    c->last_it = it;
    c->last_layer = layer;
    c->last_head = head;
}

sp_observer sp_engine_capture_observer(sp_engine_capture *c)
{
    sp_observer o;
    memset(&o, 0, sizeof o);
    o.ctx = c;
    o.head_step = on_step;
    return o;
}

int sp_engine_capture_apply(const sp_engine_capture *c, sp_tm_steps *st)
{
    if (c->overflow || c->calls != st->n)
        return 0;
    for (size_t i = 0; i < st->n; i++)
        if (c->kn[i] != st->s[i].keys || c->vn[i] != st->s[i].values)
            return 0;
    for (size_t i = 0; i < st->n; i++) {
        st->s[i].key_pos = c->pool + c->koff[i];
        st->s[i].val_pos = c->pool + c->voff[i];
    }
    return 1;
}
