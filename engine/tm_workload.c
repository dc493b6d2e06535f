/* tm_workload.c - sp_tm_steps_from_workload (tm_workload.h): one timing
 * record per kept row of an official workload CSV
 * (../shared/workloads/README.md describes the columns). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tm_workload.h"

/* a zeroed record at the end of v; out of memory: message, the whole list
 * freed, NULL */
static sp_tm_step *append(sp_tm_steps *v, int it, int layer, int head, int d, char *err, size_t errlen)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 1024;
        sp_tm_step *ns = realloc(v->s, nc * sizeof *ns);
        if (!ns) {
            snprintf(err, errlen, "out of memory building timing steps");
            sp_tm_steps_free(v);
            return NULL;
        }
        v->s = ns;
        v->cap = nc;
    }
    sp_tm_step *s = &v->s[v->n++];
    memset(s, 0, sizeof *s);
    s->it = it;
    s->layer = layer;
    s->head = head;
    s->d = d;
    return s;
}

int sp_tm_steps_from_workload(const sp_config *cfg, const sp_workload *w, int dense,
                              sp_tm_steps *out, char *err, size_t errlen)
{
    const sp_alg_cfg *a = &cfg->alg;
    const sp_hw_cfg *hw = &cfg->hw;
    memset(out, 0, sizeof *out);
    out->iters = w->iters;
    out->layers = w->layers;
    out->heads = w->heads;
    snprintf(out->source, sizeof out->source, dense ? "dense (derived from workload)" : "workload csv");
    out->decode = 1; /* one query row per (iteration, layer, head): generation */
    for (size_t i = 0; i < w->n; i++) {
        const sp_wl_row *row = &w->rows[i];
        if (row->d < 1 || row->d > SP_MAX_D || row->len < 1 || row->keys < 0 || row->keys > row->len ||
            row->values < 0 || row->values > row->keys) {
            snprintf(err, errlen, "%s: row %zu: counts out of range for the timing model (D %d, L %d, keys %d, values %d)",
                     w->path, i + 1, row->d, row->len, row->keys, row->values);
            sp_tm_steps_free(out);
            return -1;
        }
        if (row->keys == 0)
            continue; /* a pruned head: nothing fetched or computed */
        sp_tm_step *s = append(out, row->iter, row->layer, row->head, row->d, err, errlen);
        if (!s)
            return -1;
        s->span = (uint32_t)row->len;
        int kfull = a->k_msb + a->k_lsb, vfull = a->v_msb + a->v_lsb;
        s->q_bits = (uint8_t)(row->q_bits > 0 ? row->q_bits : a->q_bits);
        if (dense) {
            s->keys = s->values = (uint32_t)row->len;
            s->k_msb = (uint8_t)kfull;
            s->v_msb = (uint8_t)vfull;
            s->q_bits = (uint8_t)a->q_bits;
        } else {
            s->keys = (uint32_t)row->keys;
            s->values = (uint32_t)row->values;
            s->k_msb = (uint8_t)(row->k_bits > 0 ? row->k_bits : kfull);
            s->v_msb = (uint8_t)(row->v_bits > 0 ? row->v_bits : vfull);
            int incr = row->lsb_incr > 0 ? row->lsb_incr : 0;
            /* the run config's requant rule says which planes get the
             * LSB bits (traces/workload.h sp_workload_refetch_rule) */
            s->k_lsb = (uint8_t)(row->k_bits > 0 && w->lsb_refetch_k ? incr : 0);
            s->v_lsb = (uint8_t)(row->v_bits > 0 && w->lsb_refetch_v ? incr : 0);
            s->requant = row->requant && s->k_lsb > 0;
            if (s->values < s->keys) {
                double cmp;
                s->vtopk_cycles = (uint64_t)llround(sp_topk_expected(s->keys, s->values, hw->topk_comparators,
                                                                     hw->topk_round_overhead, &cmp, NULL));
                s->vtopk_compares = (uint64_t)llround(cmp);
            }
            if (row->topk_flag && row->topk_k >= 0) {
                double cmp;
                s->prune_after = 1;
                s->prune_cycles = (uint64_t)llround(sp_topk_expected(s->keys, (uint32_t)row->topk_k,
                                                                     hw->topk_comparators,
                                                                     hw->topk_round_overhead, &cmp, NULL));
                s->prune_compares = (uint64_t)llround(cmp);
            }
        }
        if (s->q_bits > 16 || s->k_msb + s->k_lsb > 16 || s->v_msb + s->v_lsb > 16) {
            snprintf(err, errlen, "%s: row %zu: more than 16 bits per element", w->path, i + 1);
            sp_tm_steps_free(out);
            return -1;
        }
    }
    /* layer ends: the last kept row of each (iteration, layer); one pass
     * from the end, so the layer's last row is known at each row */
    size_t end = out->n;
    for (size_t i = out->n; i-- > 0;) {
        sp_tm_step *s = &out->s[i];
        s->layer_end = i + 1 == out->n || out->s[i + 1].it != s->it || out->s[i + 1].layer != s->layer;
        if (s->layer_end)
            end = i;
        if (s->prune_after && !s->layer_end) {
            /* a selection flagged mid-layer runs when the layer ends */
            sp_tm_step *e = &out->s[end];
            e->prune_after = 1;
            e->prune_cycles += s->prune_cycles;
            e->prune_compares += s->prune_compares;
            s->prune_after = 0;
            s->prune_cycles = s->prune_compares = 0;
        }
    }
    return 0;
}
