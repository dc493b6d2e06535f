/* simparams.h - RTL elaboration parameters derived from a config (one
 * function, used by the generator sim/simcfg.c at build time and by the
 * co-sim binary at run time to check that it was built for the config it
 * is given). docs/rtl.md section 1 states the rules; the buffer sizing
 * (sp_rtl_buf_rows) and its limits come from cmodel/spattn.h and the
 * generated sp_defs.h (defs/spattn.defs), shared with the timing model. */
#ifndef SP_SIMPARAMS_H
#define SP_SIMPARAMS_H
#include <stdio.h>
#include "spattn.h"

typedef struct {
    int d;              /* head dimension of the hardware (a build choice) */
    int max_tokens;     /* K buffer rows of one slot: largest power of two that fits k_sram_bytes / kv_buffers */
    int max_vals;       /* V buffer rows: the same for v_sram_bytes, at most max_tokens */
    int k_msb, k_lsb, v_msb, v_lsb;
    int n_qk, n_pv, n_cmp, round_overhead;
    int sm_lanes;       /* SoftmaxLanes: hardware.softmax_lanes */
    int kv_buffers;     /* K buffer slots (hardware.kv_buffers): 2 = the K prefetch */
    int fetch_rows;     /* FetchRows: hardware.fetch_rows, at most a kbuf line (qk_multipliers / D) */
} sp_simparams;

static inline int sp_is_pow2(long x)
{
    return x > 0 && (x & (x - 1)) == 0;
}

/* -1 with a message when the config cannot be built as RTL. */
static inline int sp_simparams_make(const sp_config *c, int d, sp_simparams *p, char *err, size_t errlen)
{
    const sp_hw_cfg *h = &c->hw;
    const sp_alg_cfg *a = &c->alg;
    if (d < 1 || d > SP_MAX_D) {
        snprintf(err, errlen, "hardware head dimension %d out of 1..%d", d, SP_MAX_D);
        return -1;
    }
    if (a->token_budget.n > 0) { /* docs/rtl.md: the controller runs the ratio cascade only */
        snprintf(err, errlen, "algorithm.token_budget: the RTL has no fixed token budgets (its controller runs the "
                 "ratio cascade); run budgets with --engine cmodel");
        return -1;
    }
    p->d = d;
    p->k_msb = a->k_msb; p->k_lsb = a->k_lsb;
    p->v_msb = a->v_msb; p->v_lsb = a->v_lsb;
    p->n_qk = h->n_qk; p->n_pv = h->n_pv;
    p->n_cmp = h->topk_comparators;
    p->round_overhead = h->topk_round_overhead;
    /* a slot is k_sram_bytes / kv_buffers (docs/costs.md R2, cmodel/timing.c) */
    p->kv_buffers = h->kv_buffers;
    if (p->kv_buffers < 1 || p->kv_buffers > 2) {
        snprintf(err, errlen, "hardware.kv_buffers %d: the RTL builds 1 or 2 K buffer slots", h->kv_buffers);
        return -1;
    }
    p->max_tokens = (int)sp_rtl_buf_rows(h->k_sram_bytes / p->kv_buffers, d, a->k_msb + a->k_lsb);
    if (p->kv_buffers > 1 && p->max_tokens > SP_MAX_TOKENS / 2)
        p->max_tokens = SP_MAX_TOKENS / 2; /* the slot index and its bank bit fit the address index field */
    p->max_vals = (int)sp_rtl_buf_rows(h->v_sram_bytes, d, a->v_msb + a->v_lsb);
    if (p->max_vals > p->max_tokens)
        p->max_vals = p->max_tokens;
    if (p->max_tokens < SP_RTL_MIN_TOKENS) {
        snprintf(err, errlen, "hardware.k_sram_bytes %d holds only %d keys of %d x %d bits in each of its %d slots "
                 "(hardware.kv_buffers); the RTL needs %d",
                 h->k_sram_bytes, p->max_tokens, d, a->k_msb + a->k_lsb, p->kv_buffers, SP_RTL_MIN_TOKENS);
        return -1;
    }
    if (p->max_vals < 2) {
        snprintf(err, errlen, "hardware.v_sram_bytes %d holds only %d values of %d x %d bits; the RTL needs 2",
                 h->v_sram_bytes, p->max_vals, d, a->v_msb + a->v_lsb);
        return -1;
    }
    int kpb = h->n_qk >= d ? h->n_qk / d : d / h->n_qk;
    if ((h->n_qk >= d ? h->n_qk % d : d % h->n_qk) || !sp_is_pow2(kpb) || (h->n_qk >= d && kpb >= p->max_tokens)) {
        snprintf(err, errlen, "hardware.qk_multipliers %d: the RTL needs qk_multipliers / %d (or its inverse) to be a power of two",
                 h->n_qk, d);
        return -1;
    }
    int tpb = h->n_pv >= d ? h->n_pv / d : d / h->n_pv;
    if ((h->n_pv >= d ? h->n_pv % d : d % h->n_pv) || !sp_is_pow2(tpb) || (h->n_pv >= d && tpb >= p->max_vals)) {
        snprintf(err, errlen, "hardware.pv_multipliers %d: the RTL needs pv_multipliers / %d (or its inverse) to be a power of two",
                 h->n_pv, d);
        return -1;
    }
    if (!sp_is_pow2(p->n_cmp) || p->n_cmp > p->max_tokens / 2) {
        snprintf(err, errlen, "hardware.topk_comparators %d: the RTL needs a power of two, at most %d", p->n_cmp,
                 p->max_tokens / 2);
        return -1;
    }
    /* softmax lanes: a power of two below the buffer depth. The load pass
     * takes min(P, keys per qk beat) logits a cycle (it runs beside qk);
     * the exp and normalise passes and the probability stream take P. */
    p->sm_lanes = h->softmax_lanes;
    if (!sp_is_pow2(p->sm_lanes) || p->sm_lanes >= p->max_tokens) {
        snprintf(err, errlen, "hardware.softmax_lanes %d: the RTL needs a power of two below %d", p->sm_lanes,
                 p->max_tokens);
        return -1;
    }
    /* read port rows: a K request fills at most one kbuf line (KPB keys),
     * so fetch_rows is capped there as in cmodel/timing.c */
    if (!sp_is_pow2(h->fetch_rows)) {
        snprintf(err, errlen, "hardware.fetch_rows %d: the RTL needs a power of two", h->fetch_rows);
        return -1;
    }
    p->fetch_rows = sp_fetch_rows(h->fetch_rows, h->n_qk, d);
    if (p->round_overhead < 2) {
        snprintf(err, errlen, "hardware.topk_round_overhead %d: the RTL top-k needs at least 2", p->round_overhead);
        return -1;
    }
    return 0;
}

static inline int sp_simparams_equal(const sp_simparams *a, const sp_simparams *b)
{
    return a->d == b->d && a->max_tokens == b->max_tokens && a->max_vals == b->max_vals &&
           a->k_msb == b->k_msb && a->k_lsb == b->k_lsb && a->v_msb == b->v_msb &&
           a->v_lsb == b->v_lsb && a->n_qk == b->n_qk && a->n_pv == b->n_pv && a->n_cmp == b->n_cmp &&
           a->round_overhead == b->round_overhead && a->sm_lanes == b->sm_lanes &&
           a->kv_buffers == b->kv_buffers && a->fetch_rows == b->fetch_rows;
}

static inline void sp_simparams_print(FILE *f, const sp_simparams *p)
{
    fprintf(f, "D=%d MaxTokens=%d MaxVals=%d KMsb=%d KLsb=%d VMsb=%d VLsb=%d NQk=%d NPv=%d NCmp=%d RoundOverhead=%d "
            "SoftmaxLanes=%d KvBuffers=%d FetchRows=%d",
            p->d, p->max_tokens, p->max_vals, p->k_msb, p->k_lsb, p->v_msb, p->v_lsb, p->n_qk, p->n_pv,
            p->n_cmp, p->round_overhead, p->sm_lanes, p->kv_buffers, p->fetch_rows);
}
#endif
