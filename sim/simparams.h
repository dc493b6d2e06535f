/* simparams.h - RTL elaboration parameters derived from a config (one
 * function, used by the generator sim/simcfg.c at build time and by the
 * co-sim binary at run time to check that it was built for the config it
 * is given). docs/rtl.md section 1 states the rules; the buffer sizing
 * and its checks are the timing model's (cmodel/timing_limits.c
 * sp_tm_geometry), so both refuse the same hardware. */
#ifndef SP_SIMPARAMS_H
#define SP_SIMPARAMS_H
#include <stdio.h>
#include "spattn.h"
#include "timing.h"

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

/* -1 with a message when the config cannot be built as RTL. */
static inline int sp_simparams_make(const sp_config *c, int d, sp_simparams *p, char *err, size_t errlen)
{
    const sp_hw_cfg *h = &c->hw;
    const sp_alg_cfg *a = &c->alg;
    if (a->token_budget.n > 0) { /* docs/rtl.md: the controller runs the ratio cascade only */
        snprintf(err, errlen, "algorithm.token_budget: the RTL has no fixed token budgets (its controller runs the "
                 "ratio cascade); run budgets with --engine cmodel");
        return -1;
    }
    sp_tm_geom g;
    if (sp_tm_geometry(c, d, &g, err, errlen)) /* the timing model's buffer sizes and checks */
        return -1;
    p->d = d;
    p->k_msb = a->k_msb; p->k_lsb = a->k_lsb;
    p->v_msb = a->v_msb; p->v_lsb = a->v_lsb;
    p->n_qk = h->n_qk; p->n_pv = h->n_pv;
    p->n_cmp = h->topk_comparators;
    p->round_overhead = h->topk_round_overhead;
    p->sm_lanes = h->softmax_lanes;
    p->kv_buffers = g.kv_buffers;
    p->max_tokens = g.max_tokens;
    p->max_vals = g.max_vals;
    p->fetch_rows = g.fetch_rows;
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
