/* test_controller.c - the cascade controller (docs/spec.md s10) against a
 * straightforward re-implementation written here: membership flags per
 * layer instead of compacted lists, sort-based top-k (ref_topk) for every
 * selection, the softmax and PV written out from the spec formulas with
 * 64-bit arithmetic and the long-double exp LUT (ref_exp_lut). Only the
 * logit scale (sp_logit_scale_make, checked in test_qk) is shared with the
 * model. Every head-step (outputs, probabilities, active and kept lists,
 * requant flag) and every token / head pruning decision is compared through
 * the sp_observer callbacks, in order, for decode and encoder traces under
 * many configurations. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cliutil.h"
#include "ref.h"

typedef struct {
    int it, layer, head, row;
    int n_active, requant, n_kept;
    int32_t *tokens, *kept;
    uint16_t *prob;
    int16_t out[SP_MAX_D];
    uint64_t head_imp_add;
} hrec;

typedef struct {
    int kind; /* 0 token, 1 head */
    int it, layer, n;
    int32_t *kept;
} prec;

typedef struct {
    hrec *h;
    size_t nh, caph;
    prec *p;
    size_t np, capp;
    int *tokens_active, *heads_active; /* [iters][layers] */
    uint64_t requants, values_kept, tokens_pruned, heads_pruned;
} ref_log;

static int32_t *dup32(const int32_t *x, int n)
{
    int32_t *y = malloc(sizeof *y * (size_t)(n > 0 ? n : 1));
    ck_assert_ptr_nonnull(y);
    if (n > 0)
        memcpy(y, x, sizeof *y * (size_t)n);
    return y;
}

static void log_free(ref_log *g)
{
    for (size_t i = 0; i < g->nh; i++) {
        free(g->h[i].tokens);
        free(g->h[i].kept);
        free(g->h[i].prob);
    }
    for (size_t i = 0; i < g->np; i++)
        free(g->p[i].kept);
    free(g->h);
    free(g->p);
    free(g->tokens_active);
    free(g->heads_active);
    memset(g, 0, sizeof *g);
}

static hrec *log_head(ref_log *g)
{
    if (g->nh == g->caph) {
        g->caph = g->caph ? 2 * g->caph : 64;
        g->h = realloc(g->h, sizeof *g->h * g->caph);
        ck_assert_ptr_nonnull(g->h);
    }
    hrec *r = &g->h[g->nh++];
    memset(r, 0, sizeof *r);
    return r;
}

static void log_prune(ref_log *g, int kind, int it, int layer, const int32_t *kept, int n)
{
    if (g->np == g->capp) {
        g->capp = g->capp ? 2 * g->capp : 16;
        g->p = realloc(g->p, sizeof *g->p * g->capp);
        ck_assert_ptr_nonnull(g->p);
    }
    prec *p = &g->p[g->np++];
    p->kind = kind;
    p->it = it;
    p->layer = layer;
    p->n = n;
    p->kept = dup32(kept, n);
}

/* value the datapath sees when only the MSB plane is fetched (spec s3),
 * written with division instead of shifts and masks */
static int32_t msb_value(int32_t x, int l)
{
    if (l == 0)
        return x;
    int32_t step = 1 << l;
    int32_t m = x >= 0 ? x / step : -((-x + step - 1) / step); /* floor */
    return m * step + step / 2;
}

/* softmax of spec s5 over y[0..n) into p; returns pmax */
static uint16_t ref_softmax_q(const int64_t *y, int n, uint16_t *p)
{
    int64_t m = y[0];
    for (int i = 1; i < n; i++)
        if (y[i] > m)
            m = y[i];
    static uint64_t e[SP_MAX_TOKENS];
    uint64_t s = 0;
    for (int i = 0; i < n; i++) {
        int64_t dist = m - y[i];
        e[i] = dist / 256 < 16 ? ref_exp_lut((int)(dist % 256)) >> (dist / 256) : 0;
        s += e[i];
    }
    uint64_t R = (UINT64_C(1) << 46) / s;
    uint16_t pmax = 0;
    for (int i = 0; i < n; i++) {
        int64_t v = ref_rnd((int64_t)(e[i] * R), 31);
        p[i] = (uint16_t)(v > 32768 ? 32768 : v);
        if (p[i] > pmax)
            pmax = p[i];
    }
    return pmax;
}

static void ref_pass(const sp_trace *tr, int layer, int head, const int16_t *q, const int32_t *tok, int n,
                     int klsb, const sp_logit_scale *sc, uint16_t *p, uint16_t *pmax)
{
    static int64_t y[SP_MAX_TOKENS];
    const int16_t *k = sp_trace_k(tr, layer, head);
    int d = tr->d;
    for (int i = 0; i < n; i++) {
        int64_t acc = 0;
        for (int j = 0; j < d; j++)
            acc += (int64_t)q[j] * msb_value(k[(size_t)tok[i] * d + j], klsb);
        y[i] = ref_sat(ref_rnd(acc * (int64_t)sc->mult, sc->shift), 24);
    }
    *pmax = ref_softmax_q(y, n, p);
}

static void ref_head_step(const sp_config *cfg, const sp_trace *tr, int layer, int head, const int16_t *q,
                          const int32_t *tok, int n, hrec *r)
{
    const sp_alg_cfg *a = &cfg->alg;
    size_t lh = (size_t)layer * tr->heads + head;
    sp_logit_scale sc;
    ck_assert_int_eq(sp_logit_scale_make(tr->sq[lh], tr->sk[lh], tr->d, &sc), 0);
    int d = tr->d;
    r->n_active = n;
    r->tokens = dup32(tok, n);
    r->prob = malloc(sizeof *r->prob * (size_t)n);
    ck_assert_ptr_nonnull(r->prob);
    uint16_t pmax;
    ref_pass(tr, layer, head, q, tok, n, a->k_lsb, &sc, r->prob, &pmax);
    r->requant = a->k_lsb > 0 && a->tau_q15 > 0 && pmax < a->tau_q15;
    if (r->requant)
        ref_pass(tr, layer, head, q, tok, n, 0, &sc, r->prob, &pmax);
    /* local value pruning on positions, then token ids */
    static uint64_t key[SP_MAX_TOKENS];
    static int32_t pos[SP_MAX_TOKENS], kpos[SP_MAX_TOKENS];
    for (int i = 0; i < n; i++) {
        key[i] = r->prob[i];
        pos[i] = i;
    }
    int kv = (int)ref_keep((uint32_t)n, a->value_keep_q16);
    r->n_kept = ref_topk(key, pos, n, kv, kpos);
    r->kept = malloc(sizeof *r->kept * (size_t)(n > 0 ? n : 1));
    ck_assert_ptr_nonnull(r->kept);
    const int16_t *v = sp_trace_v(tr, layer, head);
    int vl = r->requant ? 0 : a->v_lsb;
    for (int j = 0; j < d; j++) {
        int64_t acc = 0;
        for (int i = 0; i < r->n_kept; i++)
            acc += (int64_t)r->prob[kpos[i]] * msb_value(v[(size_t)tok[kpos[i]] * d + j], vl);
        r->out[j] = (int16_t)ref_sat(ref_rnd(acc, 15), 16);
    }
    int64_t hi = ref_head_imp(r->out, d, tr->sv[(size_t)layer * tr->heads + head]);
    ck_assert_int_ge(hi, 0);
    r->head_imp_add = (uint64_t)hi;
    for (int i = 0; i < r->n_kept; i++)
        r->kept[i] = tok[kpos[i]];
}

static uint64_t imp_add(uint64_t a, uint64_t x)
{
    const uint64_t max = (UINT64_C(1) << 48) - 1;
    return a + x > max ? max : a + x;
}

static void ref_run(const sp_config *cfg, const sp_trace *tr, ref_log *g)
{
    const sp_alg_cfg *a = &cfg->alg;
    int L = tr->layers, H = tr->heads, N = tr->ntok, d = tr->d;
    memset(g, 0, sizeof *g);
    unsigned char *act = calloc((size_t)L * N, 1), *hact = calloc((size_t)L * H, 1);
    uint64_t *imp = calloc((size_t)N, sizeof *imp), *himp = calloc((size_t)H, sizeof *himp);
    int32_t *tok = malloc(sizeof *tok * (size_t)N), *kept = malloc(sizeof *kept * (size_t)N);
    int32_t *nxt = malloc(sizeof *nxt * (size_t)N);
    int32_t hl[SP_MAX_HEADS];
    uint64_t *key = malloc(sizeof *key * (size_t)N);
    g->tokens_active = calloc((size_t)tr->iters * L, sizeof(int));
    g->heads_active = calloc((size_t)tr->iters * L, sizeof(int));
    ck_assert(act && hact && imp && himp && tok && kept && nxt && key && g->tokens_active && g->heads_active);
    for (int l = 0; l < L; l++) {
        for (int t = 0; t < tr->ctx; t++)
            act[(size_t)l * N + t] = 1;
        for (int h = 0; h < H; h++)
            hact[(size_t)l * H + h] = 1;
    }
    for (int it = 0; it < tr->iters; it++) {
        if (tr->mode == SP_MODE_DECODE)
            for (int l = 0; l < L; l++)
                act[(size_t)l * N + tr->ctx + it] = 1;
        for (int l = 0; l < L; l++) {
            int n = 0, nh = 0;
            for (int t = 0; t < N; t++)
                if (act[(size_t)l * N + t])
                    tok[n++] = t;
            for (int h = 0; h < H; h++)
                if (hact[(size_t)l * H + h])
                    hl[nh++] = h;
            g->tokens_active[(size_t)it * L + l] = n;
            g->heads_active[(size_t)it * L + l] = nh;
            for (int hi = 0; hi < nh; hi++) {
                int h = hl[hi];
                int rows = tr->mode == SP_MODE_DECODE ? 1 : n;
                for (int ri = 0; ri < rows; ri++) {
                    int row = tr->mode == SP_MODE_DECODE ? 0 : tok[ri];
                    hrec *r = log_head(g);
                    r->it = it;
                    r->layer = l;
                    r->head = h;
                    r->row = row;
                    ref_head_step(cfg, tr, l, h, sp_trace_q(tr, it, l, h) + (size_t)row * d, tok, n, r);
                    for (int i = 0; i < n; i++)
                        imp[tok[i]] = imp_add(imp[tok[i]], r->prob[i]);
                    himp[h] = imp_add(himp[h], r->head_imp_add);
                    g->requants += (uint64_t)r->requant;
                    g->values_kept += (uint64_t)r->n_kept;
                }
            }
            /* fixed budgets: the selection for layer m of iteration mit,
             * after the last layer the next iteration's layer 0, which
             * leaves room for the token that iteration appends */
            int wrap = l == L - 1, m = wrap ? 0 : l + 1, mit = wrap ? it + 1 : it;
            if (a->token_budget.n > 0 && mit >= a->token_budget_start_iter &&
                (!wrap || (tr->mode == SP_MODE_DECODE && it + 1 < tr->iters))) {
                int nn = 0, room = a->token_budget.v[m] - wrap;
                for (int t = 0; t < N; t++)
                    if (act[(size_t)m * N + t]) {
                        nxt[nn] = t;
                        key[nn++] = imp[t];
                    }
                if (nn > room) {
                    int kk = ref_topk(key, nxt, nn, room, kept);
                    unsigned char *in = calloc((size_t)N, 1);
                    ck_assert_ptr_nonnull(in);
                    for (int i = 0; i < kk; i++)
                        in[kept[i]] = 1;
                    for (int j = m; j < L; j++)
                        for (int t = 0; t < N; t++)
                            act[(size_t)j * N + t] &= in[t];
                    free(in);
                    g->tokens_pruned += (uint64_t)(nn - kk);
                    log_prune(g, 0, it, l, kept, kk);
                }
            }
            if (l == L - 1)
                continue;
            if (a->token_budget.n == 0 && l >= a->token_start_layer) {
                /* candidates: the next layer's tokens; count from this layer's */
                int nn = 0;
                for (int t = 0; t < N; t++)
                    if (act[(size_t)(l + 1) * N + t]) {
                        nxt[nn] = t;
                        key[nn++] = imp[t];
                    }
                int want = (int)ref_keep((uint32_t)n, a->token_keep_q16);
                int kk = ref_topk(key, nxt, nn, want < nn ? want : nn, kept);
                unsigned char *in = calloc((size_t)N, 1);
                ck_assert_ptr_nonnull(in);
                for (int i = 0; i < kk; i++)
                    in[kept[i]] = 1;
                for (int j = l + 1; j < L; j++)
                    for (int t = 0; t < N; t++)
                        act[(size_t)j * N + t] &= in[t];
                free(in);
                g->tokens_pruned += (uint64_t)(nn - kk);
                log_prune(g, 0, it, l, kept, kk);
            }
            if (l >= a->head_start_layer) {
                uint64_t hk[SP_MAX_HEADS];
                int32_t hkept[SP_MAX_HEADS], hn[SP_MAX_HEADS];
                int nn = 0;
                for (int h = 0; h < H; h++)
                    if (hact[(size_t)(l + 1) * H + h]) {
                        hn[nn] = h;
                        hk[nn++] = himp[h];
                    }
                int want = (int)ref_keep((uint32_t)nh, a->head_keep_q16);
                int kk = ref_topk(hk, hn, nn, want < nn ? want : nn, hkept);
                unsigned char in[SP_MAX_HEADS] = {0};
                for (int i = 0; i < kk; i++)
                    in[hkept[i]] = 1;
                for (int j = l + 1; j < L; j++)
                    for (int h = 0; h < H; h++)
                        hact[(size_t)j * H + h] &= in[h];
                g->heads_pruned += (uint64_t)(nn - kk);
                log_prune(g, 1, it, l, hkept, kk);
            }
        }
    }
    free(act); free(hact); free(imp); free(himp); free(tok); free(kept); free(key); free(nxt);
}

/* ---- comparison through the observer ---- */

typedef struct {
    const ref_log *g;
    int d;
    size_t ih, ip;
    int fails;
    char msg[768];
} cmp_ctx;

#define FAIL(...)                                                   \
    do {                                                            \
        if (!c->fails)                                              \
            snprintf(c->msg, sizeof c->msg, __VA_ARGS__);           \
        c->fails++;                                                 \
        return;                                                     \
    } while (0)

static void obs_head(void *ctx, int it, int layer, int head, int row, const sp_head_result *r)
{
    cmp_ctx *c = ctx;
    if (c->fails)
        return;
    if (c->ih >= c->g->nh)
        FAIL("extra head step it %d layer %d head %d row %d", it, layer, head, row);
    const hrec *e = &c->g->h[c->ih++];
    size_t k = c->ih - 1;
    if (it != e->it || layer != e->layer || head != e->head || row != e->row)
        FAIL("step %zu: model at (it %d layer %d head %d row %d), reference at (it %d layer %d head %d row %d)", k,
             it, layer, head, row, e->it, e->layer, e->head, e->row);
    if (r->n_active != e->n_active)
        FAIL("step %zu: n_active %d, reference %d", k, r->n_active, e->n_active);
    for (int i = 0; i < e->n_active; i++) {
        if (r->tokens[i] != e->tokens[i])
            FAIL("step %zu: active token [%d] = %d, reference %d", k, i, r->tokens[i], e->tokens[i]);
        if (r->prob[i] != e->prob[i])
            FAIL("step %zu (it %d layer %d head %d row %d): prob of token %d = %u, reference %u", k, it, layer,
                 head, row, e->tokens[i], r->prob[i], e->prob[i]);
    }
    if (r->requant != e->requant)
        FAIL("step %zu: requant %d, reference %d", k, r->requant, e->requant);
    if (r->n_kept != e->n_kept)
        FAIL("step %zu: n_kept %d, reference %d", k, r->n_kept, e->n_kept);
    for (int i = 0; i < e->n_kept; i++)
        if (r->kept[i] != e->kept[i])
            FAIL("step %zu: kept [%d] = %d, reference %d", k, i, r->kept[i], e->kept[i]);
    for (int j = 0; j < c->d; j++)
        if (r->out[j] != e->out[j])
            FAIL("step %zu (it %d layer %d head %d row %d): out[%d] = %d, reference %d", k, it, layer, head, row, j,
                 r->out[j], e->out[j]);
    if (r->head_imp_add != e->head_imp_add)
        FAIL("step %zu: head importance %llu, reference %llu", k, (unsigned long long)r->head_imp_add,
             (unsigned long long)e->head_imp_add);
}

static void obs_prune(cmp_ctx *c, int kind, int it, int layer, const int32_t *kept, int n)
{
    const char *what = kind ? "head" : "token";
    if (c->fails)
        return;
    if (c->ip >= c->g->np)
        FAIL("extra %s prune at it %d layer %d", what, it, layer);
    const prec *e = &c->g->p[c->ip++];
    if (e->kind != kind || e->it != it || e->layer != layer)
        FAIL("%s prune at it %d layer %d, reference has %s prune at it %d layer %d", what, it, layer,
             e->kind ? "head" : "token", e->it, e->layer);
    if (n != e->n)
        FAIL("%s prune it %d layer %d: kept %d, reference %d", what, it, layer, n, e->n);
    for (int i = 0; i < n; i++)
        if (kept[i] != e->kept[i])
            FAIL("%s prune it %d layer %d: kept[%d] = %d, reference %d", what, it, layer, i, kept[i], e->kept[i]);
}

static void obs_tok(void *ctx, int it, int layer, const int32_t *kept, int n)
{
    obs_prune(ctx, 0, it, layer, kept, n);
}

static void obs_hd(void *ctx, int it, int layer, const int32_t *kept, int n)
{
    obs_prune(ctx, 1, it, layer, kept, n);
}

/* ---- scenarios ---- */

typedef struct {
    const char *name, *trace;
    double token_keep, head_keep, value_keep, tau;
    int token_start, head_start;
    int q_bits, k_msb, k_lsb, v_msb, v_lsb; /* 0: default */
} scenario;

#define DEC "synth:layers=4,heads=4,d=16,len=48,iters=3"
#define ENC "synth:mode=encoder,layers=3,heads=3,d=16,len=24"
static const scenario scen[] = {
    {"decode default", DEC ",seed=1,peak=1", 0.9, 0.9, 0.2, 0.1, 2, 4, 0, 0, 0, 0, 0},
    {"decode keep all", DEC ",seed=2,peak=1", 1.0, 1.0, 1.0, 0.1, 0, 0, 0, 0, 0, 0, 0},
    {"decode aggressive, heads to 1", DEC ",seed=3,peak=2", 0.5, 0.3, 0.1, 0.1, 0, 0, 0, 0, 0, 0, 0},
    {"decode keep 0 (one token, one head)", DEC ",seed=4,peak=1", 0.0, 0.0, 0.05, 0.1, 0, 1, 0, 0, 0, 0, 0},
    {"decode always requant, sharp", DEC ",seed=5,peak=4", 0.8, 0.75, 0.3, 1.0, 1, 1, 0, 0, 0, 0, 0},
    {"decode never requant", DEC ",seed=6,peak=0.5", 0.8, 0.75, 0.3, 0.0, 1, 2, 0, 0, 0, 0, 0},
    {"decode no LSB planes", DEC ",seed=7,peak=1", 0.7, 0.9, 0.5, 0.5, 1, 1, 12, 12, 0, 12, 0},
    {"decode narrow bits, flat", "synth:layers=3,heads=5,d=8,len=40,iters=4,seed=8,peak=0.05", 0.9, 0.8, 0.25,
     0.3, 0, 0, 8, 6, 2, 5, 3},
    {"decode wide bits, very sharp", "synth:layers=3,heads=2,d=32,len=30,iters=3,seed=9,peak=16", 0.6, 0.5, 0.5,
     0.05, 0, 0, 10, 8, 8, 8, 8},
    {"decode starts beyond last layer", DEC ",seed=10,peak=1", 0.5, 0.5, 0.2, 0.1, 10, 10, 0, 0, 0, 0, 0},
    {"decode larger", "synth:layers=6,heads=6,d=32,len=100,iters=4,seed=11,peak=2", 0.9, 0.9, 0.2, 0.1, 1, 2, 0,
     0, 0, 0, 0},
    {"encoder default", ENC ",seed=12,peak=1", 0.9, 0.9, 0.2, 0.1, 0, 1, 0, 0, 0, 0, 0},
    {"encoder aggressive", ENC ",seed=13,peak=2", 0.6, 0.5, 0.3, 0.3, 0, 0, 0, 0, 0, 0, 0},
    {"encoder keep all", ENC ",seed=14,peak=0.5", 1.0, 1.0, 1.0, 0.0, 0, 0, 0, 0, 0, 0, 0},
    {"encoder heads to 1", "synth:mode=encoder,layers=4,heads=4,d=8,len=16,seed=15,peak=1", 0.75, 0.2, 0.5, 0.2,
     1, 0, 0, 0, 0, 0, 0},
    /* more heads than tokens: head top-k lists longer than the token count */
    {"encoder more heads than tokens", "synth:mode=encoder,layers=3,heads=12,d=8,len=3,seed=16,peak=1", 0.7, 0.9,
     0.5, 0.1, 0, 0, 0, 0, 0, 0, 0},
    {"decode more heads than tokens", "synth:layers=3,heads=16,d=8,len=1,iters=2,seed=17,peak=1", 0.5, 0.8, 0.5,
     0.1, 0, 0, 0, 0, 0, 0, 0},
};
#define NSCEN ((int)(sizeof scen / sizeof scen[0]))

static void make_cfg(const scenario *s, sp_config *cfg)
{
    sp_config_default(cfg);
    sp_alg_cfg *a = &cfg->alg;
    ref_set_ratio(&a->token_keep_q16, &a->token_keep, s->token_keep);
    ref_set_ratio(&a->head_keep_q16, &a->head_keep, s->head_keep);
    ref_set_ratio(&a->value_keep_q16, &a->value_keep, s->value_keep);
    ref_set_tau(a, s->tau);
    a->token_start_layer = s->token_start;
    a->head_start_layer = s->head_start;
    if (s->q_bits) {
        a->q_bits = s->q_bits;
        a->k_msb = s->k_msb;
        a->k_lsb = s->k_lsb;
        a->v_msb = s->v_msb;
        a->v_lsb = s->v_lsb;
    }
    char err[256];
    ck_assert_msg(sp_config_check(cfg, err, sizeof err) == 0, "%s: %s", s->name, err);
}

START_TEST(controller_vs_reference)
{
    const scenario *s = &scen[_i];
    sp_config cfg;
    make_cfg(s, &cfg);
    sp_trace tr;
    ref_synth(s->trace, &cfg.alg, &tr);
    ref_log g;
    ref_run(&cfg, &tr, &g);
    cmp_ctx c = {&g, tr.d, 0, 0, 0, ""};
    sp_observer obs = {&c, obs_head, obs_tok, obs_hd};
    sp_run_result res;
    char err[256] = "";
    int rc = sp_run_model(&cfg, &tr, &obs, &res, err, sizeof err);
    ck_assert_msg(rc == 0, "%s: %s", s->name, err);
    ck_assert_msg(c.fails == 0, "%s: %d mismatches; first: %s", s->name, c.fails, c.msg);
    ck_assert_msg(c.ih == g.nh, "%s: model made %zu head steps, reference %zu", s->name, c.ih, g.nh);
    ck_assert_msg(c.ip == g.np, "%s: model made %zu prune decisions, reference %zu", s->name, c.ip, g.np);
    for (int i = 0; i < tr.iters * tr.layers; i++) {
        ck_assert_msg(res.tokens_active[i] == g.tokens_active[i], "%s: tokens active [%d] %d vs %d", s->name, i,
                      res.tokens_active[i], g.tokens_active[i]);
        ck_assert_msg(res.heads_active[i] == g.heads_active[i], "%s: heads active [%d] %d vs %d", s->name, i,
                      res.heads_active[i], g.heads_active[i]);
    }
    /* event totals that follow from the decisions */
    ck_assert_uint_eq(res.total.head_steps, g.nh);
    ck_assert_uint_eq(res.total.requants, g.requants);
    ck_assert_uint_eq(res.total.values_fetched, g.values_kept);
    ck_assert_uint_eq(res.total.tokens_pruned, g.tokens_pruned);
    ck_assert_uint_eq(res.total.heads_pruned, g.heads_pruned);
    ck_assert_uint_eq(res.total.softmax_runs, g.nh + g.requants);
    /* scenario-specific facts */
    if (s->token_keep == 1.0 && s->head_keep == 1.0) {
        ck_assert_uint_eq(res.total.tokens_pruned, 0);
        ck_assert_uint_eq(res.total.heads_pruned, 0);
    }
    if (s->tau == 0.0 || cfg.alg.k_lsb == 0)
        ck_assert_uint_eq(res.total.requants, 0);
    if (s->head_keep <= 0.25 && s->head_start == 0 && tr.layers > 1)
        ck_assert_int_eq(res.heads_active[1], 1);
    ck_assert_int_gt((int)g.nh, 0);
    log_free(&g);
    sp_run_result_free(&res);
    sp_trace_free(&tr);
}
END_TEST

/* one comparison run; fails the test with the scenario name on mismatch */
static void compare_run(const char *name, const sp_config *cfg, const sp_trace *tr)
{
    ref_log g;
    ref_run(cfg, tr, &g);
    cmp_ctx c = {&g, tr->d, 0, 0, 0, ""};
    sp_observer obs = {&c, obs_head, obs_tok, obs_hd};
    sp_run_result res;
    char err[256] = "";
    int rc = sp_run_model(cfg, tr, &obs, &res, err, sizeof err);
    ck_assert_msg(rc == 0, "%s: %s", name, err);
    ck_assert_msg(c.fails == 0, "%s: %d mismatches; first: %s", name, c.fails, c.msg);
    ck_assert_msg(c.ih == g.nh && c.ip == g.np, "%s: model made %zu steps / %zu prunes, reference %zu / %zu", name,
                  c.ih, c.ip, g.nh, g.np);
    ck_assert_uint_eq(res.total.tokens_pruned, g.tokens_pruned);
    ck_assert_uint_eq(res.total.heads_pruned, g.heads_pruned);
    log_free(&g);
    sp_run_result_free(&res);
}

START_TEST(random_configs)
{
    /* small random shapes (d and len down to 1, one layer, one head) and
     * random algorithm settings, including the extremes 0 and 1.0 */
    sp_rng r;
    sp_rng_seed(&r, 1000 + (uint64_t)_i);
    int cases = 50;
    for (int k = 0; k < cases; k++) {
        sp_config cfg;
        sp_config_default(&cfg);
        sp_alg_cfg *a = &cfg.alg;
        double pick[3];
        for (int i = 0; i < 3; i++) {
            uint64_t u = sp_rng_next(&r) % 4;
            pick[i] = u == 0 ? 0.0 : u == 1 ? 1.0 : sp_rng_uniform(&r);
        }
        ref_set_ratio(&a->token_keep_q16, &a->token_keep, pick[0]);
        ref_set_ratio(&a->head_keep_q16, &a->head_keep, pick[1]);
        ref_set_ratio(&a->value_keep_q16, &a->value_keep, pick[2] > 0 ? pick[2] : 0.01);
        uint64_t tu = sp_rng_next(&r) % 4;
        ref_set_tau(a, tu == 0 ? 0.0 : tu == 1 ? 1.0 : sp_rng_uniform(&r) * 0.5);
        a->token_start_layer = (int)(sp_rng_next(&r) % 4);
        a->head_start_layer = (int)(sp_rng_next(&r) % 4);
        int d = 1 + (int)(sp_rng_next(&r) % 16);
        a->k_lsb = (int)(sp_rng_next(&r) % 5);
        a->k_msb = 2 + (int)(sp_rng_next(&r) % 9);
        a->v_lsb = (int)(sp_rng_next(&r) % 5);
        a->v_msb = 2 + (int)(sp_rng_next(&r) % 9);
        a->q_bits = 2 + (int)(sp_rng_next(&r) % 13);
        while ((double)(1 << (a->q_bits - 1)) * (double)(1 << (a->k_msb + a->k_lsb - 1)) * d >= 2147483648.0)
            a->q_bits--;
        char err[256];
        int enc = (int)(sp_rng_next(&r) % 3) == 0, layers = 1 + (int)(sp_rng_next(&r) % 4);
        if (sp_rng_next(&r) % 3 == 0) { /* fixed budgets instead of the ratio */
            int b[4];
            for (int l = 0; l < layers; l++)
                b[l] = 1 + (int)(sp_rng_next(&r) % 32);
            ref_set_ratio(&a->token_keep_q16, &a->token_keep, 1.0);
            ck_assert_int_eq(sp_config_set_list(&cfg, "algorithm.token_budget", b, layers, err, sizeof err), 0);
            a->token_budget_start_iter = (int)(sp_rng_next(&r) % 3);
        }
        ck_assert_msg(sp_config_check(&cfg, err, sizeof err) == 0, "%s", err);
        char spec[200];
        snprintf(spec, sizeof spec, "synth:mode=%s,layers=%d,heads=%d,d=%d,len=%d,iters=%d,seed=%d,peak=%g",
                 enc ? "encoder" : "decode", layers, 1 + (int)(sp_rng_next(&r) % 6), d,
                 1 + (int)(sp_rng_next(&r) % (enc ? 12 : 30)), 1 + (int)(sp_rng_next(&r) % 4),
                 (int)(sp_rng_next(&r) % 1000), 0.05 + 8 * sp_rng_uniform(&r));
        sp_trace tr;
        ref_synth(spec, a, &tr);
        char name[400];
        snprintf(name, sizeof name,
                 "%s budgets %d from %d tok %.3f@%d head %.3f@%d val %.3f tau %.3f q%d k%d+%d v%d+%d", spec,
                 a->token_budget.n, a->token_budget_start_iter, a->token_keep, a->token_start_layer, a->head_keep,
                 a->head_start_layer, a->value_keep, a->tau, a->q_bits, a->k_msb, a->k_lsb, a->v_msb, a->v_lsb);
        compare_run(name, &cfg, &tr);
        sp_trace_free(&tr);
    }
}
END_TEST

/* ---- fixed token budgets (docs/spec.md s10) ---- */

typedef struct {
    const char *name, *trace;
    int n, b[8], start;
    double head_keep;
    int head_start;
} budget_scen;

static const budget_scen bscen[] = {
    {"decode budgets", DEC ",seed=21,peak=1", 4, {40, 30, 20, 10}, 0, 1.0, 0},
    {"decode budgets from iteration 1", DEC ",seed=22,peak=2", 4, {40, 30, 20, 10}, 1, 1.0, 0},
    {"decode budgets above the context (clamp)", DEC ",seed=23,peak=1", 4, {100, 90, 80, 70}, 0, 1.0, 0},
    {"decode budgets of one token", DEC ",seed=24,peak=1", 4, {1, 1, 1, 1}, 0, 1.0, 0},
    {"decode budgets not decreasing", DEC ",seed=25,peak=0.5", 4, {10, 30, 5, 20}, 0, 1.0, 0},
    {"decode budgets with head pruning", DEC ",seed=26,peak=1", 4, {45, 20, 20, 8}, 1, 0.5, 0},
    {"decode budgets start beyond the run", DEC ",seed=27,peak=1", 4, {10, 10, 10, 10}, 5, 1.0, 0},
    {"encoder budgets", ENC ",seed=28,peak=1", 3, {24, 12, 6}, 0, 1.0, 0},
    {"encoder budgets, first layer cut too", ENC ",seed=29,peak=2", 3, {5, 20, 3}, 0, 0.6, 1},
    {"encoder budgets from iteration 1: none", ENC ",seed=30,peak=1", 3, {5, 4, 3}, 1, 1.0, 0},
};
#define NBSCEN ((int)(sizeof bscen / sizeof bscen[0]))

static void budget_cfg(const budget_scen *s, sp_config *cfg)
{
    sp_config_default(cfg);
    char err[256];
    ck_assert_int_eq(sp_config_set_key(cfg, "algorithm.token_keep", 1, err, sizeof err), 0);
    ck_assert_int_eq(sp_config_set_list(cfg, "algorithm.token_budget", s->b, s->n, err, sizeof err), 0);
    cfg->alg.token_budget_start_iter = s->start;
    ref_set_ratio(&cfg->alg.head_keep_q16, &cfg->alg.head_keep, s->head_keep);
    cfg->alg.head_start_layer = s->head_start;
    ck_assert_msg(sp_config_check(cfg, err, sizeof err) == 0, "%s: %s", s->name, err);
}

/* the model against the reference, and the counts: every layer of an
 * iteration held to the budgets attends to at most its budget, and to
 * exactly min(budget, context) in its first such iteration's layer 0 */
START_TEST(budgets_vs_reference)
{
    const budget_scen *s = &bscen[_i];
    sp_config cfg;
    budget_cfg(s, &cfg);
    sp_trace tr;
    ref_synth(s->trace, &cfg.alg, &tr);
    compare_run(s->name, &cfg, &tr);
    sp_run_result res;
    char err[256];
    ck_assert_int_eq(sp_run_model(&cfg, &tr, NULL, &res, err, sizeof err), 0);
    int L = tr.layers, full = tr.mode == SP_MODE_DECODE ? tr.ctx + 1 : tr.ctx;
    for (int it = 0; it < tr.iters; it++)
        for (int l = 0; l < L; l++) {
            int n = res.tokens_active[it * L + l], all = tr.mode == SP_MODE_DECODE ? tr.ctx + it + 1 : tr.ctx;
            if (it < s->start) {
                ck_assert_msg(n == all, "%s: it %d layer %d keeps %d of %d before the budgets start", s->name, it,
                              l, n, all);
                continue;
            }
            ck_assert_msg(n <= s->b[l] || (l == 0 && it == s->start), "%s: it %d layer %d: %d keys, budget %d",
                          s->name, it, l, n, s->b[l]);
            if (l == 0 && it == s->start && s->start > 0)
                ck_assert_int_eq(n, s->b[0] < all ? s->b[0] : all);
        }
    if (s->b[0] >= 100) /* above the context: nothing is cut */
        for (int i = 0; i < tr.iters * L; i++)
            ck_assert_int_eq(res.tokens_active[i], full + (tr.mode == SP_MODE_DECODE ? i / L : 0));
    if (!strcmp(s->name, "decode budgets"))
        ck_assert_uint_gt(res.total.tokens_pruned, 0);
    if (s->start >= tr.iters || (tr.mode == SP_MODE_ENCODER && s->start > 0))
        ck_assert_uint_eq(res.total.tokens_pruned, 0);
    sp_run_result_free(&res);
    sp_trace_free(&tr);
}
END_TEST

typedef struct {
    int n;
    int it[64], layer[64], count[64];
    int32_t first[64][8];
} prune_log;

static void log_tok(void *ctx, int it, int layer, const int32_t *kept, int n)
{
    prune_log *p = ctx;
    if (p->n < 64) {
        p->it[p->n] = it;
        p->layer[p->n] = layer;
        p->count[p->n] = n;
        for (int i = 0; i < 8 && i < n; i++)
            p->first[p->n][i] = kept[i];
        p->n++;
    }
}

/* configs/gpt2-release.yaml on a GPT-2-shaped decode trace with the
 * official workload's context (993 keys in iteration 0): the key count of
 * every (iteration, layer) is the file's, and the selections run where the
 * file's if_topk rows are (after layer 11 of iteration 0; after layers 0,
 * 1, 5 and 11 of iteration 1) */
START_TEST(gpt2_release_counts)
{
    sp_config cfg;
    char err[512];
    if (sp_config_load("configs/gpt2-release.yaml", &cfg, err, sizeof err))
        ck_abort_msg("%s", err);
    sp_trace tr;
    ref_synth("synth:mode=decode,layers=12,heads=12,d=64,len=992,iters=3,seed=5,peak=1", &cfg.alg, &tr);
    prune_log pl;
    memset(&pl, 0, sizeof pl);
    sp_observer obs = {&pl, NULL, log_tok, NULL};
    sp_run_result res;
    ck_assert_msg(sp_run_model(&cfg, &tr, &obs, &res, err, sizeof err) == 0, "%s", err);
    static const int b[12] = {921, 716, 204, 204, 204, 204, 102, 102, 102, 102, 102, 102};
    for (int it = 0; it < 3; it++)
        for (int l = 0; l < 12; l++) {
            int want = it == 0 ? 993 : b[l];
            ck_assert_msg(res.tokens_active[it * 12 + l] == want, "it %d layer %d: %d keys, the file has %d", it, l,
                          res.tokens_active[it * 12 + l], want);
        }
    static const int sel_it[5] = {0, 1, 1, 1, 1}, sel_l[5] = {11, 0, 1, 5, 11}, sel_n[5] = {920, 716, 204, 102, 920};
    ck_assert_int_ge(pl.n, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_msg(pl.it[i] == sel_it[i] && pl.layer[i] == sel_l[i] && pl.count[i] == sel_n[i],
                      "selection %d: it %d after layer %d keeps %d; want it %d layer %d keeps %d", i, pl.it[i],
                      pl.layer[i], pl.count[i], sel_it[i], sel_l[i], sel_n[i]);
    for (int i = 5; i < pl.n; i++)
        ck_assert_int_eq(pl.it[i], 2); /* the last iteration prepares no next one */
    sp_run_result_free(&res);
    sp_trace_free(&tr);
}
END_TEST

/* all 32 iterations of the official file: with gpt2-release.yaml, the key
 * count of every (iteration, layer, head) row of
 * gpt2-small-wikitext2-pruned.csv (key_fetch_num) is the model's */
START_TEST(gpt2_release_matches_official_file)
{
    char path[512], line[512], err[512];
    if (!cu_official_csv("test_controller", "gpt2-small-wikitext2-pruned.csv", path, sizeof path))
        return;
    sp_config cfg;
    if (sp_config_load("configs/gpt2-release.yaml", &cfg, err, sizeof err))
        ck_abort_msg("%s", err);
    sp_trace tr;
    ref_synth("synth:mode=decode,layers=12,heads=12,d=64,len=992,iters=32,seed=6,peak=1", &cfg.alg, &tr);
    sp_run_result res;
    ck_assert_msg(sp_run_model(&cfg, &tr, NULL, &res, err, sizeof err) == 0, "%s", err);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        int it, l, h, len, keys;
        double d;
        if (sscanf(line, "%d,%d,%d,%lf,%d,%d,", &it, &l, &h, &d, &len, &keys) != 6)
            continue; /* the header and the closing line naming the run config */
        ck_assert(it >= 0 && it < 32 && l >= 0 && l < 12);
        ck_assert_msg(res.tokens_active[it * 12 + l] == keys, "iteration %d layer %d head %d: model %d keys, file %d",
                      it, l, h, res.tokens_active[it * 12 + l], keys);
        ck_assert_int_eq(tr.ctx + it + 1, len); /* the same context length */
        rows++;
    }
    fclose(f);
    ck_assert_int_eq(rows, 32 * 12 * 12);
    printf("test_controller: gpt2-release.yaml gives the key count of all %d rows of %s\n", rows, path);
    sp_run_result_free(&res);
    sp_trace_free(&tr);
}
END_TEST

/* equal importance (q = 0: every probability equal) ties every token: a
 * budget keeps the lowest token indices (docs/spec.md s7) */
START_TEST(budget_tie_break)
{
    static const budget_scen s = {"tie", ENC ",seed=31,peak=1", 3, {24, 5, 3}, 0, 1.0, 0};
    sp_config cfg;
    budget_cfg(&s, &cfg);
    sp_trace tr;
    ref_synth(s.trace, &cfg.alg, &tr);
    memset(tr.q, 0, (size_t)tr.iters * tr.layers * tr.heads * tr.rows * tr.d * sizeof *tr.q);
    prune_log pl;
    memset(&pl, 0, sizeof pl);
    sp_observer obs = {&pl, NULL, log_tok, NULL};
    sp_run_result res;
    char err[256];
    ck_assert_int_eq(sp_run_model(&cfg, &tr, &obs, &res, err, sizeof err), 0);
    ck_assert_int_eq(pl.n, 2);
    ck_assert_int_eq(pl.count[0], 5);
    ck_assert_int_eq(pl.count[1], 3);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(pl.first[0][i], i);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(pl.first[1][i], i);
    sp_run_result_free(&res);
    sp_trace_free(&tr);
}
END_TEST

/* a budget list of another length than the trace's layers: one error
 * naming the config file and both counts */
START_TEST(budget_length_error)
{
    static const budget_scen s = {"len", DEC ",seed=32,peak=1", 3, {9, 8, 7}, 0, 1.0, 0};
    sp_config cfg;
    budget_cfg(&s, &cfg);
    snprintf(cfg.source, sizeof cfg.source, "budgets.yaml");
    sp_trace tr;
    ref_synth(s.trace, &cfg.alg, &tr);
    sp_run_result res;
    char err[256] = "";
    ck_assert_int_ne(sp_run_model(&cfg, &tr, NULL, &res, err, sizeof err), 0);
    char want[512];
    snprintf(want, sizeof want, "budgets.yaml: algorithm.token_budget has 3 entries, trace %s has 4 layers (one "
             "entry each)", tr.id);
    ck_assert_str_eq(err, want);
    sp_trace_free(&tr);
}
END_TEST

START_TEST(reference_sees_pruning)
{
    /* the scenarios exercise what they claim: pruning happens where asked,
     * requant fires under tau = 1, value pruning keeps one token at 0.05 */
    sp_config cfg;
    sp_trace tr;
    ref_log g;
    make_cfg(&scen[2], &cfg);
    ref_synth(scen[2].trace, &cfg.alg, &tr);
    ref_run(&cfg, &tr, &g);
    ck_assert_uint_gt(g.tokens_pruned, 0);
    ck_assert_uint_gt(g.heads_pruned, 0);
    ck_assert_int_eq(g.heads_active[1], 1);
    log_free(&g);
    sp_trace_free(&tr);
    make_cfg(&scen[4], &cfg);
    ref_synth(scen[4].trace, &cfg.alg, &tr);
    ref_run(&cfg, &tr, &g);
    ck_assert_uint_gt(g.requants, 0);
    log_free(&g);
    sp_trace_free(&tr);
    make_cfg(&scen[3], &cfg);
    ref_synth(scen[3].trace, &cfg.alg, &tr);
    ref_run(&cfg, &tr, &g);
    ck_assert_int_eq(g.tokens_active[1], 1);
    ck_assert_int_eq(g.heads_active[2], 1);
    log_free(&g);
    sp_trace_free(&tr);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("controller");
    TCase *tc = tcase_create("controller");
    tcase_set_timeout(tc, 240);
    tcase_add_loop_test(tc, controller_vs_reference, 0, NSCEN);
    tcase_add_loop_test(tc, random_configs, 0, 10);
    tcase_add_test(tc, reference_sees_pruning);
    tcase_add_loop_test(tc, budgets_vs_reference, 0, NBSCEN);
    tcase_add_test(tc, gpt2_release_counts);
    tcase_add_test(tc, gpt2_release_matches_official_file);
    tcase_add_test(tc, budget_tie_break);
    tcase_add_test(tc, budget_length_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
