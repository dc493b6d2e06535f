/* timing_limits.c - what the pipeline can hold (timing.h sp_tm_geometry,
 * sp_tm_check): the K and V buffer sizes the RTL elaborates for a config
 * (docs/rtl.md s1), the values it builds, and whether a run's head-steps
 * fit them and the address map (docs/rtl.md s2). The co-sim's elaboration
 * (sim/simparams.h sp_simparams_make) takes its buffer sizes and checks
 * from sp_tm_geometry, so the timing model and the co-sim refuse the same
 * hardware for the same reasons. */
#include <stdio.h>
#include "timing.h"

static int pow2(long x)
{
    return x > 0 && (x & (x - 1)) == 0;
}

int sp_tm_geometry(const sp_config *cfg, int d, sp_tm_geom *g, char *err, size_t errlen)
{
    const sp_hw_cfg *h = &cfg->hw;
    const sp_alg_cfg *a = &cfg->alg;
    if (d < 1 || d > SP_MAX_D) {
        snprintf(err, errlen, "hardware head dimension %d out of 1..%d", d, SP_MAX_D);
        return -1;
    }
    if (h->kv_buffers < 1 || h->kv_buffers > 2) {
        snprintf(err, errlen, "hardware.kv_buffers %d: the RTL builds 1 or 2 K buffer slots", h->kv_buffers);
        return -1;
    }
    g->d = d;
    g->kv_buffers = h->kv_buffers;
    /* a K slot is k_sram_bytes / kv_buffers; with two slots the slot index
     * and its bank bit share the address index field */
    g->max_tokens = (int)sp_rtl_buf_rows(h->k_sram_bytes / h->kv_buffers, d, a->k_msb + a->k_lsb);
    if (g->kv_buffers > 1 && g->max_tokens > SP_MAX_TOKENS / 2)
        g->max_tokens = SP_MAX_TOKENS / 2;
    g->max_vals = (int)sp_rtl_buf_rows(h->v_sram_bytes, d, a->v_msb + a->v_lsb);
    if (g->max_vals > g->max_tokens)
        g->max_vals = g->max_tokens;
    if (g->max_tokens < SP_RTL_MIN_TOKENS) {
        snprintf(err, errlen, "hardware.k_sram_bytes %d holds only %d keys of %d x %d bits in each of its %d slots "
                 "(hardware.kv_buffers); the RTL needs %d",
                 h->k_sram_bytes, g->max_tokens, d, a->k_msb + a->k_lsb, g->kv_buffers, SP_RTL_MIN_TOKENS);
        return -1;
    }
    if (g->max_vals < 2) {
        snprintf(err, errlen, "hardware.v_sram_bytes %d holds only %d values of %d x %d bits; the RTL needs 2",
                 h->v_sram_bytes, g->max_vals, d, a->v_msb + a->v_lsb);
        return -1;
    }
    /* qk and pv take a power of two of keys (values) a beat, or a key
     * (value) in a power of two of beats */
    long kpb = h->n_qk >= d ? h->n_qk / d : d / h->n_qk;
    if ((h->n_qk >= d ? h->n_qk % d : d % h->n_qk) || !pow2(kpb) || (h->n_qk >= d && kpb >= g->max_tokens)) {
        snprintf(err, errlen, "hardware.qk_multipliers %d: the RTL needs qk_multipliers / %d (or its inverse) to be a power of two",
                 h->n_qk, d);
        return -1;
    }
    long tpb = h->n_pv >= d ? h->n_pv / d : d / h->n_pv;
    if ((h->n_pv >= d ? h->n_pv % d : d % h->n_pv) || !pow2(tpb) || (h->n_pv >= d && tpb >= g->max_vals)) {
        snprintf(err, errlen, "hardware.pv_multipliers %d: the RTL needs pv_multipliers / %d (or its inverse) to be a power of two",
                 h->n_pv, d);
        return -1;
    }
    if (!pow2(h->topk_comparators) || h->topk_comparators > g->max_tokens / 2) {
        snprintf(err, errlen, "hardware.topk_comparators %d: the RTL needs a power of two, at most %d",
                 h->topk_comparators, g->max_tokens / 2);
        return -1;
    }
    if (!pow2(h->softmax_lanes) || h->softmax_lanes >= g->max_tokens) {
        snprintf(err, errlen, "hardware.softmax_lanes %d: the RTL needs a power of two below %d", h->softmax_lanes,
                 g->max_tokens);
        return -1;
    }
    /* read port rows: a K request fills at most one kbuf line (KPB keys) */
    if (!pow2(h->fetch_rows)) {
        snprintf(err, errlen, "hardware.fetch_rows %d: the RTL needs a power of two", h->fetch_rows);
        return -1;
    }
    g->fetch_rows = sp_fetch_rows(h->fetch_rows, h->n_qk, d);
    if (h->topk_round_overhead < 2) {
        snprintf(err, errlen, "hardware.topk_round_overhead %d: the RTL top-k needs at least 2",
                 h->topk_round_overhead);
        return -1;
    }
    return 0;
}

int sp_tm_check(const sp_config *cfg, const sp_tm_steps *st, const sp_tm_geom *g, char *err, size_t errlen)
{
    (void)cfg;
    if (st->layers > SP_RTL_MAX_LAYERS) {
        snprintf(err, errlen, "%d layers: the pipeline runs at most %d (its layer register and address field)",
                 st->layers, SP_RTL_MAX_LAYERS);
        return -1;
    }
    if (st->heads > (1 << SP_ADDR_HEAD_BITS)) {
        snprintf(err, errlen, "%d heads: the address map holds %d", st->heads, 1 << SP_ADDR_HEAD_BITS);
        return -1;
    }
    if (st->decode && st->iters > (1 << SP_ADDR_INDEX_BITS)) {
        snprintf(err, errlen, "%d iterations: the query and output rows of the address map hold %d", st->iters,
                 1 << SP_ADDR_INDEX_BITS);
        return -1;
    }
    /* the controller's walk: (iteration, layer, head) ascending; one query
     * row per head-step in decode, one per active key in an encoder */
    uint64_t grp = 0; /* rows of the current (iteration, layer, head) so far */
    for (size_t i = 0; i < st->n; i++) {
        const sp_tm_step *s = &st->s[i], *p = i ? &st->s[i - 1] : NULL;
        int same = p && p->it == s->it && p->layer == s->layer && p->head == s->head;
        if (p && !same && (s->it < p->it || (s->it == p->it && (s->layer < p->layer ||
                                                               (s->layer == p->layer && s->head < p->head))))) {
            snprintf(err, errlen, "record %zu (iteration %d layer %d head %d): out of the controller's order", i, s->it,
                     s->layer, s->head);
            return -1;
        }
        if (s->it < 0 || s->it >= st->iters || s->layer < 0 || s->layer >= st->layers || s->head < 0 ||
            s->head >= st->heads || s->keys == 0) {
            snprintf(err, errlen, "record %zu (iteration %d layer %d head %d, %u keys): outside the run's %d "
                     "iterations, %d layers, %d heads, or no key", i, s->it, s->layer, s->head, s->keys, st->iters,
                     st->layers, st->heads);
            return -1;
        }
        grp = (same ? grp : 0) + sp_tm_rows(s);
        if (same && s->keys != p->keys) {
            snprintf(err, errlen, "record %zu (iteration %d layer %d head %d): rows of one head with different keys",
                     i, s->it, s->layer, s->head);
            return -1;
        }
        const sp_tm_step *nx = i + 1 < st->n ? &st->s[i + 1] : NULL;
        int last = !nx || nx->it != s->it || nx->layer != s->layer || nx->head != s->head;
        uint64_t want = st->decode ? 1 : s->keys;
        if ((last && grp != want) || grp > want) {
            snprintf(err, errlen, "record %zu (iteration %d layer %d head %d): %llu query rows for %u keys; the "
                     "controller runs %s", i, s->it, s->layer, s->head, (unsigned long long)grp, s->keys,
                     st->decode ? "one query row per head in decode" : "one query row per active key in an encoder");
            return -1;
        }
    }
    size_t hs = 0; /* head-step number of record i's first row */
    for (size_t i = 0; i < st->n; hs += sp_tm_rows(&st->s[i]), i++) {
        const sp_tm_step *s = &st->s[i];
        if (s->d > g->d) {
            snprintf(err, errlen, "head-step %zu (iteration %d layer %d head %d): D %d exceeds the hardware's %d", hs,
                     s->it, s->layer, s->head, s->d, g->d);
            return -1;
        }
        if (s->keys > (uint32_t)g->max_tokens) {
            snprintf(err, errlen, "head-step %zu (iteration %d layer %d head %d): %u keys; a K buffer slot holds %d "
                     "(raise hardware.k_sram_bytes or lower hardware.kv_buffers)", hs, s->it, s->layer, s->head,
                     s->keys, g->max_tokens);
            return -1;
        }
        if (s->values > (uint32_t)g->max_vals) {
            snprintf(err, errlen, "head-step %zu (iteration %d layer %d head %d): %u kept values; the V buffer holds %d "
                     "(raise hardware.v_sram_bytes%s)", hs, s->it, s->layer, s->head, s->values, g->max_vals,
                     g->max_vals == g->max_tokens ? " and hardware.k_sram_bytes" : "");
            return -1;
        }
        if (s->span > (1u << SP_ADDR_INDEX_BITS) || s->span < s->keys) {
            snprintf(err, errlen, "head-step %zu (iteration %d layer %d head %d): %u keys among %u token positions; "
                     "the address map holds %d", hs, s->it, s->layer, s->head, s->keys, s->span, 1 << SP_ADDR_INDEX_BITS);
            return -1;
        }
        if ((s->key_pos && s->keys && (s->key_pos[s->keys - 1] < 0 || (uint32_t)s->key_pos[s->keys - 1] >= s->span)) ||
            (s->val_pos && s->values && (s->val_pos[s->values - 1] < 0 || (uint32_t)s->val_pos[s->values - 1] >= s->span))) {
            snprintf(err, errlen, "head-step %zu (iteration %d layer %d head %d): token position beyond its span of %u",
                     hs, s->it, s->layer, s->head, s->span);
            return -1;
        }
    }
    return 0;
}
