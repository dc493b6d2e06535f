/* timing_steps.c - the timing model's input: head-step records from a
 * functional run, a dense baseline or a split into single head-steps, and
 * the unit-latency formulas and expected top-k cost (docs/costs.md s1). The
 * schedule itself is cmodel/timing.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "timing.h"

const char *const sp_unit_names[SP_U_N] = {"fetch_k", "qk", "softmax", "requant", "fetch_k_lsb",
                                           "topk", "fetch_v", "pv", "importance", "prune", "write"};
const char *const sp_bound_unit_names[SP_BU_N] = {"qk", "softmax", "topk", "pv", "importance", "dram"};

void sp_tm_steps_free(sp_tm_steps *v)
{
    free(v->s);
    memset(v, 0, sizeof *v);
}

static sp_tm_step *push_step(sp_tm_steps *v)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 1024;
        sp_tm_step *ns = realloc(v->s, nc * sizeof *ns);
        if (!ns)
            return NULL;
        v->s = ns;
        v->cap = nc;
    }
    sp_tm_step *s = &v->s[v->n++];
    memset(s, 0, sizeof *s);
    return s;
}

/* A new zeroed step at (it, layer, head) with head dimension d; when out of
 * memory, writes the message, frees the whole list and returns NULL. */
static sp_tm_step *new_step(sp_tm_steps *v, int it, int layer, int head, int d, char *err, size_t errlen)
{
    sp_tm_step *s = push_step(v);
    if (!s) {
        snprintf(err, errlen, "out of memory building timing steps");
        sp_tm_steps_free(v);
        return NULL;
    }
    s->it = it;
    s->layer = layer;
    s->head = head;
    s->d = d;
    return s;
}

uint64_t sp_qk_cycles(uint32_t keys, int d, int n_qk)
{
    /* rtl/README.md qk: KPB = max(1, NQk/D) keys per beat, F = max(1, D/NQk) beats per key */
    uint64_t kpb = (uint64_t)(n_qk >= d ? n_qk / d : 1);
    uint64_t f = (uint64_t)(d > n_qk ? sp_tm_cdiv((uint64_t)d, (uint64_t)n_qk) : 1);
    return sp_tm_cdiv(keys, kpb) * f;
}

uint64_t sp_pv_cycles(uint32_t values, int d, int n_pv)
{
    uint64_t tpb = (uint64_t)(n_pv >= d ? n_pv / d : 1);
    uint64_t f = (uint64_t)(d > n_pv ? sp_tm_cdiv((uint64_t)d, (uint64_t)n_pv) : 1);
    return sp_tm_cdiv(values, tpb) * f;
}

uint64_t sp_softmax_cycles(uint32_t n, int lanes)
{
    uint64_t p = sp_tm_cdiv(n, (uint64_t)lanes);
    return p + SP_DIV_CYCLES + p + SP_SOFTMAX_OVERHEAD;
}

static double harmonic(uint32_t n)
{
    if (n < 64) {
        double h = 0;
        for (uint32_t i = 1; i <= n; i++)
            h += 1.0 / i;
        return h;
    }
    double x = (double)n;
    return log(x) + 0.57721566490153286 + 1.0 / (2 * x) - 1.0 / (12 * x * x);
}

double sp_topk_expected(uint32_t n, uint32_t k, int comparators, int round_overhead,
                        double *compares, double *rounds)
{
    double c = comparators > 0 ? comparators : 1;
    double cyc = ceil(n / c), cmp = 0, rnd = 0;
    if (k > n)
        k = n;
    if (k > 0 && k < n) {
        double nn = n, kk = k;
        rnd = harmonic(k) + harmonic(n - k + 1) - 1.0;
        cmp = 2.0 * ((nn + 1) * harmonic(n) - (nn + 3 - kk) * harmonic(n + 1 - k) - (kk + 2) * harmonic(k) + nn + 3);
        if (cmp < 0)
            cmp = 0;
        cyc += (cmp + rnd) / c + rnd * (round_overhead + 0.5);
    }
    if (compares)
        *compares = cmp;
    if (rounds)
        *rounds = rnd;
    return cyc;
}

/* ------------------------------------------------------------------ */
/* builders                                                           */

static void set_widths(sp_tm_step *s, const sp_alg_cfg *a, int dense)
{
    s->q_bits = (uint8_t)a->q_bits;
    s->k_msb = (uint8_t)(dense ? a->k_msb + a->k_lsb : a->k_msb);
    s->k_lsb = (uint8_t)(dense ? 0 : a->k_lsb);
    s->v_msb = (uint8_t)(dense ? a->v_msb + a->v_lsb : a->v_msb);
    s->v_lsb = (uint8_t)(dense ? 0 : a->v_lsb);
}

int sp_tm_steps_from_run(const sp_config *cfg, const sp_trace *tr, const sp_run_result *r,
                         sp_tm_steps *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->iters = r->iters;
    out->layers = r->layers;
    out->heads = r->heads;
    out->decode = tr->mode == SP_MODE_DECODE;
    out->hw_d = 0; /* the smallest the config builds for tr->d (sp_timing_run) */
    snprintf(out->source, sizeof out->source, "tensor trace");
    for (int it = 0; it < r->iters; it++)
        for (int l = 0; l < r->layers; l++) {
            size_t first = out->n;
            uint64_t pc = 0, pcmp = 0;
            for (int h = 0; h < r->heads; h++) {
                const sp_step_rec *rec = &r->steps[((size_t)it * r->layers + l) * r->heads + h];
                pc += rec->ev.prune_topk_cycles;
                pcmp += rec->ev.prune_topk_compares;
                if (rec->rows == 0)
                    continue;
                uint64_t vc = rec->ev.topk_cycles - rec->ev.prune_topk_cycles;
                uint64_t vcmp = rec->ev.topk_compares - rec->ev.prune_topk_compares;
                sp_tm_step *cur = NULL;
                for (uint32_t row = 0; row < rec->rows; row++) {
                    /* rows of an encoder head-step share its counts evenly */
                    uint32_t R = rec->rows;
                    uint32_t values = rec->kept_values / R + (row < rec->kept_values % R ? 1 : 0);
                    uint8_t requant = row < rec->requant_rows;
                    uint64_t tc = vc / R + (row < vc % R ? 1 : 0), tcmp = vcmp / R + (row < vcmp % R ? 1 : 0);
                    if (cur && cur->values == values && cur->requant == requant && cur->vtopk_cycles == tc &&
                        cur->vtopk_compares == tcmp) {
                        cur->rows++; /* the same inputs as the row before: one record */
                        continue;
                    }
                    sp_tm_step *s = new_step(out, it, l, h, tr->d, err, errlen);
                    if (!s)
                        return -1;
                    s->rows = 1;
                    s->keys = rec->active;
                    s->span = (uint32_t)(tr->mode == SP_MODE_DECODE ? tr->ctx + it + 1 : tr->ctx);
                    s->values = values;
                    s->requant = requant;
                    s->vtopk_cycles = tc;
                    s->vtopk_compares = tcmp;
                    set_widths(s, &cfg->alg, 0);
                    cur = s;
                }
            }
            if (out->n > first) {
                sp_tm_step *last = &out->s[out->n - 1];
                last->layer_end = 1;
                last->prune_cycles = pc;
                last->prune_compares = pcmp;
                last->prune_after = pc > 0;
            }
        }
    return 0;
}

void sp_tm_step_row(sp_tm_step *s, int last)
{
    s->rows = 1;
    if (!last) {
        s->layer_end = s->prune_after = 0;
        s->prune_cycles = s->prune_compares = 0;
    }
}

int sp_tm_steps_split(sp_tm_steps *st, char *err, size_t errlen)
{
    size_t need = 0;
    for (size_t i = 0; i < st->n; i++)
        need += sp_tm_rows(&st->s[i]);
    if (need == st->n)
        return 0;
    sp_tm_step *ns = realloc(st->s, need * sizeof *ns);
    if (!ns) {
        snprintf(err, errlen, "out of memory splitting timing steps");
        return -1;
    }
    st->s = ns;
    st->cap = need;
    /* from the back, so no record is overwritten before it is copied */
    for (size_t i = st->n, o = need; i-- > 0;) {
        sp_tm_step rec = ns[i];
        uint32_t rows = sp_tm_rows(&rec);
        for (uint32_t r = rows; r-- > 0;) {
            ns[--o] = rec;
            sp_tm_step_row(&ns[o], r + 1 == rows);
        }
    }
    st->n = need;
    return 0;
}

int sp_tm_steps_dense(const sp_config *cfg, const sp_trace *tr, sp_tm_steps *out,
                      char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->iters = tr->iters;
    out->layers = tr->layers;
    out->heads = tr->heads;
    out->decode = tr->mode == SP_MODE_DECODE;
    out->hw_d = 0; /* the smallest the config builds for tr->d (sp_timing_run) */
    snprintf(out->source, sizeof out->source, "dense (derived)");
    for (int it = 0; it < tr->iters; it++)
        for (int l = 0; l < tr->layers; l++)
            for (int h = 0; h < tr->heads; h++) {
                uint32_t n = (uint32_t)(tr->mode == SP_MODE_DECODE ? tr->ctx + it + 1 : tr->ctx);
                /* one record for the head's query rows: all alike */
                sp_tm_step *s = new_step(out, it, l, h, tr->d, err, errlen);
                if (!s)
                    return -1;
                s->rows = tr->mode == SP_MODE_DECODE ? 1 : n;
                s->keys = s->span = s->values = n;
                set_widths(s, &cfg->alg, 1);
                s->layer_end = h == tr->heads - 1;
            }
    return 0;
}

