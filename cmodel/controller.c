/* controller.c - head / layer / iteration sequencing with cascade token and
 * head pruning (docs/spec.md s10). Mirrors rtl/controller.v, except for
 * the fixed token budgets (algorithm.token_budget), which the RTL lacks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "head.h"
#include "layer.h"

typedef struct {
    int32_t *list; /* active members, ascending */
    int n;
} sp_set;

/* keep only members flagged in keep[] (order preserved) */
static void set_filter(sp_set *s, const unsigned char *keep)
{
    int m = 0;
    for (int i = 0; i < s->n; i++)
        if (keep[s->list[i]])
            s->list[m++] = s->list[i];
    s->n = m;
}

/* Cascade pruning step (docs/spec.md s10): the set `next` keeps its top
 * min(|next|, target) members by importance, and every later set (n_next
 * of them from next on) drops what `next` dropped. The ratio rule's target
 * is keep(|cur|, token_keep) after layer l; a budget's is the next layer's
 * budget. key, kept and flag are scratch of at least `universe` entries.
 * Returns the number kept, or -1 when out of memory. */
static int prune_after_layer(sp_set *next, int n_next, const uint64_t *importance, uint32_t target,
                             const sp_hw_cfg *hw, uint64_t *key, int32_t *kept, unsigned char *flag,
                             size_t universe, sp_events *ev)
{
    sp_topk_stats ts;
    int n = next->n;
    for (int i = 0; i < n; i++)
        key[i] = importance[next->list[i]];
    int kk = sp_topk(key, next->list, n, (int)(target < (uint32_t)n ? target : (uint32_t)n),
                     hw->topk_comparators, hw->topk_round_overhead, kept, &ts);
    if (kk < 0)
        return -1;
    ev->topk_runs++;
    ev->topk_rounds += ts.rounds;
    ev->topk_compares += ts.compares;
    ev->topk_cycles += ts.cycles;
    ev->prune_topk_cycles += ts.cycles;
    ev->prune_topk_compares += ts.compares;
    memset(flag, 0, universe);
    for (int i = 0; i < kk; i++)
        flag[kept[i]] = 1;
    for (int j = 0; j < n_next; j++)
        set_filter(&next[j], flag);
    return kk;
}

/* Budget rule (docs/spec.md s10): the target of the selection that
 * prepares layer m (n_set tokens now) of iteration mit, made at the end of
 * layer m - 1, or with wrap set at the end of the last layer of iteration
 * mit - 1 for m = 0; -1 when there is none: no budgets, an iteration
 * before token_budget_start_iter, or a set already within its budget. The
 * next iteration appends one token to every set before layer 0 runs, so
 * the wrapping selection leaves room for it. */
static int budget_target(const sp_alg_cfg *a, int mit, int m, int wrap, int n_set)
{
    if (a->token_budget.n == 0 || mit < a->token_budget_start_iter)
        return -1;
    int room = a->token_budget.v[m] - (wrap ? 1 : 0);
    return n_set > room ? room : -1;
}

static uint64_t fnv_i16(uint64_t h, const int16_t *x, int n)
{
    for (int i = 0; i < n; i++) {
        uint16_t u = (uint16_t)x[i];
        h = (h ^ (u & 0xff)) * UINT64_C(0x100000001b3);
        h = (h ^ (u >> 8)) * UINT64_C(0x100000001b3);
    }
    return h;
}

static int check_trace(const sp_config *cfg, const sp_trace *tr, char *err, size_t errlen)
{
    const sp_alg_cfg *a = &cfg->alg;
    if (a->token_budget.n > 0 && a->token_budget.n != tr->layers) {
        snprintf(err, errlen, "%s: algorithm.token_budget has %d entries, trace %s has %d layers (one entry each)",
                 cfg->source, a->token_budget.n, tr->id, tr->layers);
        return -1;
    }
    if (tr->d > SP_MAX_D || tr->ntok > SP_MAX_TOKENS || tr->layers > SP_MAX_LAYERS ||
        tr->heads > SP_MAX_HEADS) {
        snprintf(err, errlen, "trace %s: shape beyond the model limits (d <= %d, tokens <= %d, layers/heads <= %d)",
                 tr->id, SP_MAX_D, SP_MAX_TOKENS, SP_MAX_LAYERS);
        return -1;
    }
    int kb = a->k_msb + a->k_lsb, vb = a->v_msb + a->v_lsb;
    /* docs/spec.md s4: the 32-bit QK accumulator must not overflow; max
     * |acc| = 2^(Bq-1) * 2^(Bk-1) * D, so equality with 2^31 overflows too */
    if ((double)(1 << (a->q_bits - 1)) * (double)(1 << (kb - 1)) * tr->d >= 2147483648.0) {
        snprintf(err, errlen, "config: q_bits %d x key bits %d x d %d can overflow the 32-bit QK accumulator",
                 a->q_bits, kb, tr->d);
        return -1;
    }
    struct { const int16_t *x; size_t n; int bits; const char *name; } ts[3] = {
        {tr->q, (size_t)tr->iters * tr->layers * tr->heads * tr->rows * tr->d, a->q_bits, "q"},
        {tr->k, (size_t)tr->layers * tr->heads * tr->ntok * tr->d, kb, "k"},
        {tr->v, (size_t)tr->layers * tr->heads * tr->ntok * tr->d, vb, "v"},
    };
    for (int i = 0; i < 3; i++) {
        int32_t lo = -(1 << (ts[i].bits - 1)), hi = (1 << (ts[i].bits - 1)) - 1;
        /* the min/max (noted at load, or a vectorised pass) first; the
         * element is located only when something is out of range */
        int16_t mn = INT16_MAX, mx = INT16_MIN;
        if (tr->ranges_magic == SP_TRACE_RANGES_MAGIC && tr->ranges_of[i] == ts[i].x) {
            mn = tr->rmin[i]; /* noted when the trace was filled */
            mx = tr->rmax[i];
        } else {
            for (size_t j = 0; j < ts[i].n; j++) {
                mn = ts[i].x[j] < mn ? ts[i].x[j] : mn;
                mx = ts[i].x[j] > mx ? ts[i].x[j] : mx;
            }
        }
        if (mn >= lo && mx <= hi)
            continue;
        for (size_t j = 0; j < ts[i].n; j++)
            if (ts[i].x[j] < lo || ts[i].x[j] > hi) {
                snprintf(err, errlen, "trace %s: %s element %zu = %d does not fit the configured %d bits",
                         tr->id, ts[i].name, j, ts[i].x[j], ts[i].bits);
                return -1;
            }
    }
    return 0;
}

void sp_run_result_free(sp_run_result *r)
{
    free(r->tokens_active);
    free(r->heads_active);
    free(r->steps);
    memset(r, 0, sizeof *r);
}

int sp_run_model(const sp_config *cfg, const sp_trace *tr, const sp_observer *obs,
                 sp_run_result *res, char *err, size_t errlen)
{
    const sp_alg_cfg *a = &cfg->alg;
    memset(res, 0, sizeof *res);
    if (check_trace(cfg, tr, err, errlen))
        return -1;
    int L = tr->layers, H = tr->heads, d = tr->d, N = tr->ntok;
    size_t lh = (size_t)L * H;
    int rc = -1;
    sp_logit_scale *sc = malloc(lh * sizeof *sc), *hsc = malloc(lh * sizeof *hsc);
    uint64_t *imp = calloc((size_t)N, sizeof *imp), *himp = calloc((size_t)H, sizeof *himp);
    uint64_t *key = malloc((size_t)(N > H ? N : H) * sizeof *key);
    /* holds the token top-k (<= N) and the head top-k (<= H) results */
    int32_t *kept = malloc((size_t)(N > H ? N : H) * sizeof *kept);
    unsigned char *flag = malloc((size_t)(N > H ? N : H));
    sp_set *A = calloc((size_t)L, sizeof *A), *HS = calloc((size_t)L, sizeof *HS);
    uint16_t *prob = malloc((size_t)N * sizeof *prob);
    int32_t *vkept = malloc((size_t)N * sizeof *vkept);
    sp_head_scratch scr = {0};
    res->iters = tr->iters;
    res->layers = L;
    res->heads = H;
    res->n_steps = (size_t)tr->iters * lh;
    res->tokens_active = calloc((size_t)tr->iters * L, sizeof(int));
    res->heads_active = calloc((size_t)tr->iters * L, sizeof(int));
    res->steps = calloc(res->n_steps, sizeof *res->steps);
    if (!sc || !hsc || !imp || !himp || !key || !kept || !flag || !A || !HS ||
        !prob || !vkept || !res->tokens_active || !res->heads_active || !res->steps ||
        sp_head_scratch_init(&scr, N)) {
        snprintf(err, errlen, "out of memory for trace %s", tr->id);
        goto done;
    }
    for (int l = 0; l < L; l++) {
        A[l].list = malloc((size_t)N * sizeof(int32_t));
        HS[l].list = malloc((size_t)H * sizeof(int32_t));
        if (!A[l].list || !HS[l].list) {
            snprintf(err, errlen, "out of memory for trace %s", tr->id);
            goto done;
        }
        for (int t = 0; t < tr->ctx; t++)
            A[l].list[t] = t;
        A[l].n = tr->ctx;
        for (int h = 0; h < H; h++)
            HS[l].list[h] = h;
        HS[l].n = H;
    }
    /* logit multiplier and shift per layer and head (spec s4) */
    for (size_t i = 0; i < lh; i++) {
        if (sp_logit_scale_make(tr->sq[i], tr->sk[i], d, &sc[i])) {
            snprintf(err, errlen, "trace %s: layer %zu head %zu: q/k scales %g, %g give no 16-bit logit multiplier",
                     tr->id, i / H, i % H, tr->sq[i], tr->sk[i]);
            goto done;
        }
        if (sp_himp_scale_make(tr->sv[i], &hsc[i])) {
            snprintf(err, errlen, "trace %s: layer %zu head %zu: v scale %g gives no 16-bit head importance multiplier",
                     tr->id, i / H, i % H, tr->sv[i]);
            goto done;
        }
    }
    uint64_t hash = UINT64_C(0xcbf29ce484222325);
    sp_head_result hr;
    memset(&hr, 0, sizeof hr);
    hr.prob = prob;
    hr.kept = vkept;
    for (int it = 0; it < tr->iters; it++) {
        if (tr->mode == SP_MODE_DECODE)
            for (int l = 0; l < L; l++)
                A[l].list[A[l].n++] = tr->ctx + it;
        for (int l = 0; l < L; l++) {
            res->tokens_active[(size_t)it * L + l] = A[l].n;
            res->heads_active[(size_t)it * L + l] = HS[l].n;
            for (int hi = 0; hi < HS[l].n; hi++) {
                int h = HS[l].list[hi];
                size_t lhi = (size_t)l * H + h;
                sp_head_ctx c = {a, &cfg->hw, d, sc[lhi], tr->k + lhi * N * d, tr->v + lhi * N * d, hsc[lhi]};
                sp_step_rec *rec = &res->steps[((size_t)it * L + l) * H + h];
                rec->active = (uint32_t)A[l].n;
                const int16_t *qbase = sp_trace_q(tr, it, l, h);
                int nrows = tr->mode == SP_MODE_DECODE ? 1 : A[l].n;
                for (int ri = 0; ri < nrows; ri++) {
                    int row = tr->mode == SP_MODE_DECODE ? 0 : A[l].list[ri];
                    if (sp_head_step(&c, qbase + (size_t)row * d, A[l].list, A[l].n, &scr, &hr, &rec->ev)) {
                        snprintf(err, errlen, "out of memory in head step");
                        goto done;
                    }
                    sp_imp_accumulate(imp, A[l].list, prob, A[l].n);
                    rec->ev.imp_adds += (uint64_t)A[l].n + 1;
                    himp[h] = sp_imp_add(himp[h], hr.head_imp_add);
                    rec->rows++;
                    rec->kept_values += (uint32_t)hr.n_kept;
                    rec->requant_rows += (uint32_t)hr.requant;
                    hash = fnv_i16(hash, hr.out, d);
                    if (obs && obs->head_step)
                        obs->head_step(obs->ctx, it, l, h, row, &hr);
                }
                rec->it = it;
                rec->layer = l;
                rec->head = h;
            }
            /* the layer's token selection: the budget rule, which wraps
             * from the last layer to the next decode iteration's layer 0,
             * or else the ratio rule */
            int wrap = l == L - 1, m = wrap ? 0 : l + 1;
            int target = -1;
            if (a->token_budget.n > 0) {
                if (!wrap || (tr->mode == SP_MODE_DECODE && it + 1 < tr->iters))
                    target = budget_target(a, wrap ? it + 1 : it, m, wrap, A[m].n);
            } else if (!wrap && l >= a->token_start_layer) {
                target = (int)sp_keep_count((uint32_t)A[l].n, a->token_keep_q16);
            }
            if (wrap && target < 0)
                continue;
            sp_events pev;
            memset(&pev, 0, sizeof pev);
            if (target >= 0) {
                int before = A[m].n;
                int kk = prune_after_layer(A + m, L - m, imp, (uint32_t)target, &cfg->hw, key, kept, flag,
                                           (size_t)N, &pev);
                if (kk < 0) {
                    snprintf(err, errlen, "out of memory in token top-k");
                    goto done;
                }
                pev.tokens_pruned += (uint64_t)(before - kk);
                if (obs && obs->token_prune)
                    obs->token_prune(obs->ctx, it, l, kept, kk);
            }
            if (!wrap && l >= a->head_start_layer) {
                int before = HS[l + 1].n;
                int kk = prune_after_layer(HS + l + 1, L - l - 1, himp, sp_keep_count((uint32_t)HS[l].n,
                                           a->head_keep_q16), &cfg->hw, key, kept, flag, (size_t)H, &pev);
                if (kk < 0) {
                    snprintf(err, errlen, "out of memory in head top-k");
                    goto done;
                }
                pev.heads_pruned += (uint64_t)(before - kk);
                if (obs && obs->head_prune)
                    obs->head_prune(obs->ctx, it, l, kept, kk);
            }
            /* pruning events go to the layer's first active head record */
            if (HS[l].n > 0)
                sp_events_add(&res->steps[((size_t)it * L + l) * H + HS[l].list[0]].ev, &pev);
            else
                sp_events_add(&res->total, &pev);
        }
    }
    for (size_t i = 0; i < res->n_steps; i++) {
        sp_step_rec *rec = &res->steps[i];
        if (rec->rows == 0) {
            rec->it = (int)(i / lh);
            rec->layer = (int)(i / H % L);
            rec->head = (int)(i % H);
        }
        sp_events_add(&res->total, &rec->ev);
    }
    res->out_checksum = hash;
    rc = 0;
done:
    if (A)
        for (int l = 0; l < L; l++)
            free(A[l].list);
    if (HS)
        for (int l = 0; l < L; l++)
            free(HS[l].list);
    free(A); free(HS);
    free(sc); free(hsc); free(imp); free(himp); free(key); free(kept);
    free(flag); free(prob); free(vkept);
    sp_head_scratch_free(&scr);
    if (rc)
        sp_run_result_free(res);
    return rc;
}

/* One layer of the loop above for layer-by-layer callers (cmodel/layer.h);
 * kept apart so that sp_run_model stays as it is. */
int sp_run_layer(const sp_config *cfg, const sp_layer_in *in, sp_layer_state *st, int16_t *out,
                 uint64_t *hash, sp_events *ev, char *err, size_t errlen)
{
    const sp_alg_cfg *a = &cfg->alg;
    int l = in->layer, L = st->layers, H = st->heads, d = in->d, N = st->cap;
    /* budgets: an encoder's one iteration only; a decode caller's
     * iterations are its own, and the selection after the last layer for
     * the next one's layer 0 needs them */
    if (a->token_budget.n > 0 && in->mode == SP_MODE_DECODE) {
        snprintf(err, errlen, "%s: algorithm.token_budget: the layer-by-layer API runs budgets on encoder states "
                 "only (decode budgets need the iterations: use spattn run)", cfg->source);
        return -1;
    }
    if (a->token_budget.n > 0 && a->token_budget.n != L) {
        snprintf(err, errlen, "%s: algorithm.token_budget has %d entries, the state has %d layers (one entry each)",
                 cfg->source, a->token_budget.n, L);
        return -1;
    }
    sp_set A[SP_MAX_LAYERS], HS[SP_MAX_LAYERS];
    for (int j = 0; j < L; j++) {
        A[j] = (sp_set){st->tok + (size_t)j * N, st->n_tok[j]};
        HS[j] = (sp_set){st->head + (size_t)j * H, st->n_head[j]};
    }
    sp_head_result hr;
    memset(&hr, 0, sizeof hr);
    hr.prob = st->prob;
    hr.kept = st->vkept;
    int rc = -1;
    for (int hi = 0; hi < HS[l].n; hi++) {
        int h = HS[l].list[hi];
        sp_head_ctx c = {a, &cfg->hw, d, in->scale[h], in->k + (size_t)h * in->kv_rows * d,
                          in->v + (size_t)h * in->kv_rows * d, in->himp[h]};
        const int16_t *qbase = in->q + (size_t)h * in->q_rows * d;
        int nrows = in->mode == SP_MODE_DECODE ? 1 : A[l].n;
        for (int ri = 0; ri < nrows; ri++) {
            int row = in->mode == SP_MODE_DECODE ? 0 : A[l].list[ri];
            if (sp_head_step(&c, qbase + (size_t)row * d, A[l].list, A[l].n, &st->scr, &hr, ev)) {
                snprintf(err, errlen, "out of memory in head step");
                goto done;
            }
            for (int i = 0; i < A[l].n; i++)
                st->imp[A[l].list[i]] = sp_imp_add(st->imp[A[l].list[i]], st->prob[i]);
            ev->imp_adds += (uint64_t)A[l].n + 1;
            st->himp[h] = sp_imp_add(st->himp[h], hr.head_imp_add);
            memcpy(out + ((size_t)h * in->q_rows + row) * d, hr.out, (size_t)d * sizeof(int16_t));
            *hash = fnv_i16(*hash, hr.out, d);
        }
    }
    int target = -1;
    if (a->token_budget.n > 0 && l < L - 1)
        target = budget_target(a, 0, l + 1, 0, A[l + 1].n);
    else if (l < L - 1 && l >= a->token_start_layer)
        target = (int)sp_keep_count((uint32_t)A[l].n, a->token_keep_q16);
    if (target >= 0) {
        int before = A[l + 1].n;
        int kk = prune_after_layer(A + l + 1, L - l - 1, st->imp, (uint32_t)target, &cfg->hw, st->key,
                                   st->kept, st->flag, (size_t)N, ev);
        if (kk < 0) {
            snprintf(err, errlen, "out of memory in token top-k");
            goto done;
        }
        ev->tokens_pruned += (uint64_t)(before - kk);
    }
    if (l < L - 1 && l >= a->head_start_layer) {
        int before = HS[l + 1].n;
        int kk = prune_after_layer(HS + l + 1, L - l - 1, st->himp, sp_keep_count((uint32_t)HS[l].n,
                                   a->head_keep_q16), &cfg->hw, st->key, st->kept, st->flag, (size_t)H, ev);
        if (kk < 0) {
            snprintf(err, errlen, "out of memory in head top-k");
            goto done;
        }
        ev->heads_pruned += (uint64_t)(before - kk);
    }
    rc = 0;
done:
    for (int j = 0; j < L; j++) {
        st->n_tok[j] = A[j].n;
        st->n_head[j] = HS[j].n;
    }
    return rc;
}
