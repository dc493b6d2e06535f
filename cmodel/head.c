/* head.c - one head-step: QK on MSB keys, softmax, requant decision and
 * LSB refetch, local value pruning by top-k, PV (docs/spec.md s4-s8). */
#include <stdlib.h>
#include "head.h"

int sp_head_scratch_init(sp_head_scratch *s, int cap)
{
    size_t n = (size_t)(cap > 0 ? cap : 1);
    s->cap = cap;
    s->y = malloc(n * sizeof *s->y);
    s->acc = malloc(n * sizeof *s->acc);
    s->kpos = malloc(n * sizeof *s->kpos);
    s->vrows = malloc(n * sizeof *s->vrows);
    s->pk = malloc(n * sizeof *s->pk);
    s->tk = malloc(4 * n * sizeof *s->tk);
    if (!s->y || !s->acc || !s->kpos || !s->vrows || !s->pk || !s->tk) {
        sp_head_scratch_free(s);
        return -1;
    }
    return 0;
}

void sp_head_scratch_free(sp_head_scratch *s)
{
    free(s->y); free(s->acc); free(s->kpos); free(s->vrows); free(s->pk); free(s->tk);
    s->y = s->acc = s->kpos = NULL;
    s->vrows = NULL;
    s->pk = NULL;
    s->tk = NULL;
}

int sp_head_step(const sp_head_ctx *c, const int16_t *q, const int32_t *tokens, int n,
                 sp_head_scratch *s, sp_head_result *r, sp_events *ev)
{
    const sp_alg_cfg *a = c->alg;
    int d = c->d;
    uint64_t nd = (uint64_t)n * (uint64_t)d;
    r->n_active = n;
    r->tokens = (int32_t *)tokens;
    ev->head_steps++;
    ev->bits_q += (uint64_t)d * (uint64_t)a->q_bits;
    /* pass 1: MSB planes of the keys */
    ev->keys_msb += (uint64_t)n;
    ev->bits_k_msb += nd * (uint64_t)a->k_msb;
    ev->mac_qk += nd;
    /* when a requant may follow (sp_requant_decide's conditions other than
     * pmax), the full-key accumulators come from the same row loads and
     * pass 2 only applies the logit */
    int may_requant = a->k_lsb > 0 && a->tau_q15 > 0;
    sp_qk_scores(q, c->k_full, tokens, n, d, a->k_lsb, c->scale, s->y, may_requant ? s->acc : NULL);
    sp_softmax(s->y, n, r->prob, &r->sm, ev);
    r->requant = sp_requant_decide(r->sm.pmax, a->tau_q15, a->k_lsb);
    if (r->requant) {
        /* pass 2: the LSB planes complete the keys */
        ev->requants++;
        ev->keys_lsb += (uint64_t)n;
        ev->bits_k_lsb += nd * (uint64_t)a->k_lsb;
        ev->mac_qk += nd;
        sp_qk_logits(s->acc, n, c->scale, s->y);
        sp_softmax(s->y, n, r->prob, &r->sm, ev);
    }
    /* local value pruning: top-k positions by probability */
    int kv = (int)sp_keep_count((uint32_t)n, a->value_keep_q16);
    int nk = sp_topk_prob(r->prob, n, kv, c->hw->topk_comparators, c->hw->topk_round_overhead, s->tk,
                          s->kpos, &r->vtopk);
    if (nk < 0)
        return -1;
    ev->topk_runs++;
    ev->topk_rounds += r->vtopk.rounds;
    ev->topk_compares += r->vtopk.compares;
    ev->topk_cycles += r->vtopk.cycles;
    for (int i = 0; i < nk; i++) {
        int32_t t = tokens[s->kpos[i]];
        r->kept[i] = t;
        s->pk[i] = r->prob[s->kpos[i]];
        s->vrows[i] = c->v_full + (size_t)t * d;
    }
    r->n_kept = nk;
    ev->values_fetched += (uint64_t)nk;
    ev->bits_v += (uint64_t)nk * (uint64_t)d * (uint64_t)(a->v_msb + (r->requant ? a->v_lsb : 0));
    if (r->requant && a->v_lsb > 0) /* no LSB planes, nothing to fetch */
        ev->values_lsb += (uint64_t)nk;
    ev->mac_pv += (uint64_t)nk * (uint64_t)d;
    if (r->requant)
        sp_pv(s->pk, s->vrows, nk, d, r->out);
    else
        sp_pv_msb(s->pk, s->vrows, nk, d, a->v_lsb, r->out);
    ev->bits_out += (uint64_t)d * 16;
    r->head_imp_add = sp_head_imp_scale(sp_head_imp_of(r->out, d), c->himp);
    return 0;
}
