/* capture.c - records the active-token and kept-value positions of every
 * head-step of a functional run (through sp_observer), in call order, which
 * is the order of sp_tm_steps_from_run's records. A list equal to the one of
 * the call before (the same head) is stored once, and consecutive calls
 * with the same lists are one run, so the capture grows with the distinct
 * lists, not with the query rows. */
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
    free(c->cnt);
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

static int grow_runs(sp_engine_capture *c)
{
    size_t nc = c->ccap ? c->ccap * 2 : 1024;
    uint32_t *cn = realloc(c->cnt, nc * sizeof *cn);
    if (cn)
        c->cnt = cn;
    size_t *ko = cn ? realloc(c->koff, nc * sizeof *ko) : NULL;
    if (ko)
        c->koff = ko;
    size_t *vo = ko ? realloc(c->voff, nc * sizeof *vo) : NULL;
    if (vo)
        c->voff = vo;
    uint32_t *kn = vo ? realloc(c->kn, nc * sizeof *kn) : NULL;
    if (kn)
        c->kn = kn;
    uint32_t *vn = kn ? realloc(c->vn, nc * sizeof *vn) : NULL;
    if (vn)
        c->vn = vn;
    if (!vn)
        return -1;
    c->ccap = nc;
    return 0;
}

static void on_step(void *ctx, int it, int layer, int head, int row, const sp_head_result *r)
{
    sp_engine_capture *c = ctx;
    (void)row;
    if (c->overflow)
        return;
    size_t k = c->ents;
    int head_same = k > 0 && it == c->last_it && layer == c->last_layer && head == c->last_head;
    /* a head's active list is the same for all of its rows */
    int ksame = head_same && c->kn[k - 1] == (uint32_t)r->n_active;
    int vsame = head_same && c->vn[k - 1] == (uint32_t)r->n_kept &&
                (r->n_kept == 0 || memcmp(c->pool + c->voff[k - 1], r->kept, (size_t)r->n_kept * sizeof(int32_t)) == 0);
    c->calls++;
    c->last_it = it;
    c->last_layer = layer;
    c->last_head = head;
    if (ksame && vsame && c->cnt[k - 1] < UINT32_MAX) {
        c->cnt[k - 1]++;
        return;
    }
    if (c->ents == c->ccap && grow_runs(c)) {
        c->overflow = 1;
        return;
    }
    if (reserve(c, (ksame ? 0 : (size_t)r->n_active) + (vsame ? 0 : (size_t)r->n_kept))) {
        c->overflow = 1;
        return;
    }
    if (ksame) {
        c->koff[k] = c->koff[k - 1];
    } else {
        c->koff[k] = c->n;
        memcpy(c->pool + c->n, r->tokens, (size_t)r->n_active * sizeof(int32_t));
        c->n += (size_t)r->n_active;
    }
    if (vsame) {
        c->voff[k] = c->voff[k - 1];
    } else {
        c->voff[k] = c->n;
        memcpy(c->pool + c->n, r->kept, (size_t)r->n_kept * sizeof(int32_t));
        c->n += (size_t)r->n_kept;
    }
    c->cnt[k] = 1;
    c->kn[k] = (uint32_t)r->n_active;
    c->vn[k] = (uint32_t)r->n_kept;
    c->ents++;
}

sp_observer sp_engine_capture_observer(sp_engine_capture *c)
{
    sp_observer o;
    memset(&o, 0, sizeof o);
    o.ctx = c;
    o.head_step = on_step;
    return o;
}

/* The record's rows lie in one or more runs of calls: one record per such
 * piece, each pointing at its run's lists. Pass 1 counts the pieces and
 * checks the counts, pass 2 writes them from the back (in place: a record
 * never moves before it is read). */
int sp_engine_capture_apply(const sp_engine_capture *c, sp_tm_steps *st)
{
    if (c->overflow)
        return 0;
    size_t e = 0, need = 0, calls = 0;
    uint32_t off = 0;
    for (size_t i = 0; i < st->n; i++) {
        const sp_tm_step *s = &st->s[i];
        uint32_t left = sp_tm_rows(s);
        calls += left;
        while (left > 0) {
            if (e >= c->ents || c->kn[e] != s->keys || c->vn[e] != s->values)
                return 0;
            uint32_t take = c->cnt[e] - off < left ? c->cnt[e] - off : left;
            need++;
            left -= take;
            off += take;
            if (off == c->cnt[e]) {
                e++;
                off = 0;
            }
        }
    }
    if (e != c->ents || off != 0 || calls != c->calls)
        return 0;
    if (need > st->n) {
        sp_tm_step *ns = realloc(st->s, need * sizeof *ns);
        if (!ns)
            return 0;
        st->s = ns;
        st->cap = need;
    }
    uint32_t offb = 0; /* calls of run e - 1 already taken from its end */
    for (size_t i = st->n, o = need; i-- > 0;) {
        sp_tm_step rec = st->s[i];
        uint32_t left = sp_tm_rows(&rec);
        int last = 1;
        while (left > 0) {
            uint32_t avail = c->cnt[e - 1] - offb;
            uint32_t take = avail < left ? avail : left;
            sp_tm_step *p = &st->s[--o];
            *p = rec;
            sp_tm_step_row(p, last);
            p->rows = take;
            p->key_pos = c->pool + c->koff[e - 1];
            p->val_pos = c->pool + c->voff[e - 1];
            last = 0;
            left -= take;
            offb += take;
            if (offb == c->cnt[e - 1]) {
                e--;
                offb = 0;
            }
        }
    }
    st->n = need;
    return 1;
}
