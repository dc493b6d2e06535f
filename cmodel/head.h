/* head.h - one head-step (internal to libspattn; used by controller.c and
 * the tests). */
#ifndef SP_HEAD_H
#define SP_HEAD_H
#include "spattn.h"

typedef struct {
    const sp_alg_cfg *alg;
    const sp_hw_cfg *hw;
    int d;
    sp_logit_scale scale;
    /* full-width rows indexed by token; the MSB-only view (approx) is
     * formed as the rows are read, as the RTL's quant unit does */
    const int16_t *k_full, *v_full;
    sp_logit_scale himp; /* head importance multiplier and shift (spec s9) */
} sp_head_ctx;

/* scratch sized for the trace's token count */
typedef struct {
    int32_t *y;
    int32_t *acc; /* full-key QK accumulators for the requant pass */
    int32_t *kpos;
    const int16_t **vrows;
    uint16_t *pk;
    uint32_t *tk; /* 4 x cap words for sp_topk_prob */
    int cap;
} sp_head_scratch;

int sp_head_scratch_init(sp_head_scratch *s, int cap);
void sp_head_scratch_free(sp_head_scratch *s);

/* top-k of probabilities p[0..n) (the value top-k of spec s7, the same set
 * and rounds as sp_topk with idx = position): kept positions ascending to
 * pos[], buf holds 4n words. Returns the number kept, -1 on OOM. */
int sp_topk_prob(const uint16_t *p, int n, int k, int comparators, int round_overhead, uint32_t *buf,
                 int32_t *pos, sp_topk_stats *st);

/* Runs sections 4-8 of docs/spec.md for one query row over tokens[0..n).
 * Fills r (r->prob and r->kept must have room for n). Returns -1 on OOM. */
int sp_head_step(const sp_head_ctx *c, const int16_t *q, const int32_t *tokens, int n,
                 sp_head_scratch *s, sp_head_result *r, sp_events *ev);
#endif
