/* events.c - event counters that the timing and energy models consume. */
#include "spattn.h"
#include "stats.h"

void sp_events_add(sp_events *dst, const sp_events *src)
{
    /* sp_events is all uint64_t: add field by field as an array */
    uint64_t *d = (uint64_t *)dst;
    const uint64_t *s = (const uint64_t *)src;
    for (size_t i = 0; i < sizeof(sp_events) / sizeof(uint64_t); i++)
        d[i] += s[i];
}

void sp_events_stats(const sp_events *e, sp_stats *s, const char *g)
{
    sp_stats_int(s, g, "head_steps", "count", e->head_steps);
    sp_stats_int(s, g, "keys_msb_fetched", "count", e->keys_msb);
    sp_stats_int(s, g, "keys_lsb_refetched", "count", e->keys_lsb);
    sp_stats_int(s, g, "values_fetched", "count", e->values_fetched);
    sp_stats_int(s, g, "values_lsb_fetched", "count", e->values_lsb);
    sp_stats_int(s, g, "dram_k_msb", "bits", e->bits_k_msb);
    sp_stats_int(s, g, "dram_k_lsb", "bits", e->bits_k_lsb);
    sp_stats_int(s, g, "dram_v", "bits", e->bits_v);
    sp_stats_int(s, g, "dram_q", "bits", e->bits_q);
    sp_stats_int(s, g, "out", "bits", e->bits_out);
    sp_stats_int(s, g, "mac_qk", "count", e->mac_qk);
    sp_stats_int(s, g, "mac_pv", "count", e->mac_pv);
    sp_stats_int(s, g, "exp", "count", e->exp_ops);
    sp_stats_int(s, g, "div", "count", e->div_ops);
    sp_stats_int(s, g, "norm_mul", "count", e->mul_norm);
    sp_stats_int(s, g, "softmax", "count", e->softmax_runs);
    sp_stats_int(s, g, "requant", "count", e->requants);
    sp_stats_int(s, g, "topk_runs", "count", e->topk_runs);
    sp_stats_int(s, g, "topk_rounds", "count", e->topk_rounds);
    sp_stats_int(s, g, "topk_compares", "count", e->topk_compares);
    sp_stats_int(s, g, "topk", "cycles", e->topk_cycles);
    sp_stats_int(s, g, "importance_adds", "count", e->imp_adds);
    sp_stats_int(s, g, "tokens_pruned", "count", e->tokens_pruned);
    sp_stats_int(s, g, "heads_pruned", "count", e->heads_pruned);
}
