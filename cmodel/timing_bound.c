/* timing_bound.c - the run's bound (timing.h sp_tm_bound, docs/costs.md s1
 * "Bound"): from each unit's work and the least fill and drain it cannot
 * overlap at a layer barrier, whatever the schedule. */
#include <math.h>
#include <string.h>
#include "timing.h"

/* The bound (docs/costs.md s1 "Bound"). Compute units: every unit's work
 * of layer l lies between the end of layer l - 1's pruning node (the
 * controller starts layer l + 1 only after it) and the end of layer l's
 * own, so the run is at least the sum over
 * layers of the largest of fill + work + drain, where fill is what must
 * pass before the unit can start in that layer and drain what must follow
 * its last cycle there, each the least the rules allow: the first key
 * beat after a selection (lat: the DRAM's read latency with its row open
 * and bus free), QK's pipeline, the softmax's passes over the smallest
 * head-step of the layer, the divider, the pruning selection. DRAM: read
 * bus bytes over the peak bytes per cycle, after the first read's
 * latency (writes are left out). */
void sp_tm_bound(const sp_config *cfg, const sp_tm_steps *st, uint64_t lat, sp_tm_result *r)
{
    const sp_hw_cfg *hw = &cfg->hw;
    uint64_t P = (uint64_t)hw->softmax_lanes;
    uint64_t total = 0;
    memset(r->bound_work, 0, sizeof r->bound_work);
    memset(r->bound_term, 0, sizeof r->bound_term);
    for (size_t a = 0; a < st->n;) {
        size_t b = a;
        while (b + 1 < st->n && !st->s[b].layer_end)
            b++;
        uint64_t w[SP_BU_N] = {0}, pmin = UINT64_MAX, qmin = UINT64_MAX;
        uint32_t vmin = UINT32_MAX;
        for (size_t i = a; i <= b; i++) {
            const sp_tm_step *s = &st->s[i];
            uint64_t rows = sp_tm_rows(s);
            uint64_t passes = 1 + (s->requant ? 1 : 0), p = sp_tm_cdiv(s->keys, P);
            uint64_t q = sp_qk_cycles(s->keys, st->hw_d > 0 ? st->hw_d : s->d, hw->n_qk);
            w[SP_BU_QK] += rows * passes * q;
            w[SP_BU_SOFTMAX] += rows * passes * p;
            w[SP_BU_TOPK] += rows * s->vtopk_cycles;
            w[SP_BU_PV] += rows * sp_pv_cycles(s->values, st->hw_d > 0 ? st->hw_d : s->d, hw->n_pv);
            w[SP_BU_IMPORTANCE] += rows * p;
            if (p < pmin)
                pmin = p;
            if (q < qmin)
                qmin = q;
            if (s->values < vmin)
                vmin = s->values;
        }
        const sp_tm_step *e = &st->s[b];
        uint64_t prune = e->layer_end && e->prune_after ? e->prune_cycles : 0;
        w[SP_BU_TOPK] += prune;
        uint64_t fill = (a == 0 || st->s[a - 1].prune_after) ? lat : 0;
        uint64_t tail = pmin + SP_DIV_CYCLES + pmin + SP_SOFTMAX_OVERHEAD; /* exp pass, divider, normalise */
        uint64_t fill_tk = fill + qmin + SP_QK_LATENCY + tail + 1;
        uint64_t t[SP_BU_N];
        t[SP_BU_QK] = fill + w[SP_BU_QK] + SP_QK_LATENCY + tail + prune;
        t[SP_BU_SOFTMAX] = fill + 1 + w[SP_BU_SOFTMAX] + tail + prune;
        /* the engine idles from the last step's value top-k to the layer's
         * selection at least for that step's value fetch and PV */
        t[SP_BU_TOPK] = fill_tk + w[SP_BU_TOPK] + (e->values > 0 ? lat : 0) +
                        sp_pv_cycles(e->values, st->hw_d > 0 ? st->hw_d : e->d, hw->n_pv) + SP_PV_LATENCY;
        t[SP_BU_PV] = fill_tk + (vmin > 0 ? lat : 0) + w[SP_BU_PV] + SP_PV_LATENCY + prune;
        t[SP_BU_IMPORTANCE] = fill_tk - 1 + w[SP_BU_IMPORTANCE] + prune;
        uint64_t m = 0;
        for (int u = 0; u < SP_BU_DRAM; u++) {
            r->bound_work[u] += w[u];
            r->bound_term[u] += t[u];
            if (t[u] > m)
                m = t[u];
        }
        total += m;
        a = b + 1;
    }
    uint64_t rd = 0;
    for (int k = 0; k < SP_DK_N; k++)
        if (k != SP_DK_OUT)
            rd += r->dram.burst_bytes[k];
    double per_cycle = r->dram_peak_bytes_per_s / (hw->clock_mhz * 1e6);
    r->bound_work[SP_BU_DRAM] = per_cycle > 0 ? (uint64_t)floor((double)rd / per_cycle) : 0;
    r->bound_term[SP_BU_DRAM] = rd ? lat + r->bound_work[SP_BU_DRAM] : 0;
    if (r->bound_term[SP_BU_DRAM] > total)
        total = r->bound_term[SP_BU_DRAM];
    r->bound_cycles = total;
    r->bound_unit = 0;
    for (int u = 1; u < SP_BU_N; u++)
        if (r->bound_term[u] > r->bound_term[r->bound_unit])
            r->bound_unit = u;
}

