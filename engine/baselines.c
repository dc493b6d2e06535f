/* baselines.c - the two dense baselines of a run (12-bit K and V; the
 * run's own full widths) and the algorithm a workload CSV's rows fix
 * (docs/costs.md "Baselines"). A CSV run is evaluated with cfg's hardware
 * and that algorithm, never with the config's algorithm keys. */
#include <stdio.h>
#include <string.h>
#include "engine.h"
#include "tm_workload.h"

const char *const sp_engine_base_names[SP_BASE_N] = {"dense_12bit", "dense_own_widths"};

int sp_engine_base_primary(const sp_engine_input *in)
{
    return in->is_workload ? SP_BASE_12BIT : SP_BASE_OWN;
}

void sp_engine_workload_alg(const sp_workload *w, sp_engine_wl_alg *a)
{
    memset(a, 0, sizeof *a);
    a->k_bits = a->v_bits = a->q_bits = -1;
    a->tau = -1.0;
    a->token_start_layer = a->head_start_layer = w->layers;
    for (size_t i = 0; i < w->n; i++) {
        const sp_wl_row *r = &w->rows[i];
        if (r->k_bits > a->k_bits)
            a->k_bits = r->k_bits;
        if (r->v_bits > a->v_bits)
            a->v_bits = r->v_bits;
        if (r->q_bits > a->q_bits)
            a->q_bits = r->q_bits;
        if (r->lsb_incr > a->lsb_incr)
            a->lsb_incr = r->lsb_incr;
        if (r->tau > a->tau)
            a->tau = r->tau;
        a->requant_rows += r->requant != 0;
        /* the refetch rule of sp_tm_steps_from_workload: auto_requant_incre
         * LSB bits of the planes the run config's requant rule names
         * (sp_workload_refetch_rule), on a row whose width is set */
        if (r->lsb_incr > 0 && r->k_bits > 0 && w->lsb_refetch_k)
            a->k_lsb_refetch = 1;
        if (r->lsb_incr > 0 && r->v_bits > 0 && w->lsb_refetch_v)
            a->v_lsb_refetch = 1;
        if (r->topk_flag && r->layer < a->token_start_layer)
            a->token_start_layer = r->layer;
    }
    /* head pruning: the first layer l after which (iteration, l + 1) holds
     * fewer heads than the file's */
    for (int it = 0; it < w->iters; it++)
        for (int l = 0; l + 1 < w->layers && l < a->head_start_layer; l++)
            if (w->heads_active[(size_t)it * w->layers + l + 1] < w->heads)
                a->head_start_layer = l;
}

void sp_engine_workload_config(const sp_config *cfg, const sp_workload *w, sp_config *eff)
{
    sp_engine_wl_alg wa;
    sp_engine_workload_alg(w, &wa);
    memset(eff, 0, sizeof *eff);
    eff->hw = cfg->hw;
    eff->energy = cfg->energy;
    snprintf(eff->source, sizeof eff->source, "%s", cfg->source);
    sp_alg_cfg *a = &eff->alg;
    a->token_keep = a->head_keep = a->value_keep = 1.0;
    a->token_keep_q16 = a->head_keep_q16 = a->value_keep_q16 = SP_RATIO_ONE;
    a->token_start_layer = wa.token_start_layer;
    a->head_start_layer = wa.head_start_layer;
    a->q_bits = wa.q_bits > 0 ? wa.q_bits : SP_BASE_CANON_BITS;
    a->k_msb = wa.k_bits > 0 ? wa.k_bits : SP_BASE_CANON_BITS;
    a->k_lsb = wa.k_lsb_refetch ? wa.lsb_incr : 0;
    a->v_msb = wa.v_bits > 0 ? wa.v_bits : SP_BASE_CANON_BITS;
    a->v_lsb = wa.v_lsb_refetch ? wa.lsb_incr : 0;
    a->tau = wa.tau > 0 ? wa.tau : 0.0;
    a->tau_q15 = (uint32_t)(a->tau * 32768.0 + 0.5);
}

int sp_engine_dense_run_base(const sp_config *cfg, const sp_engine_input *in, int which, sp_engine_base *d,
                             sp_tm_steps *steps, char *err, size_t errlen)
{
    sp_config eff, dc;
    if (in->is_workload) {
        sp_engine_workload_config(cfg, &in->workload, &eff);
        cfg = &eff;
    }
    sp_engine_dense_config(cfg, &dc);
    if (which == SP_BASE_12BIT) {
        dc.alg.k_msb = dc.alg.v_msb = SP_BASE_CANON_BITS;
        if (in->is_workload) /* a dense CSV's -1 query width: the same 12 bits */
            dc.alg.q_bits = SP_BASE_CANON_BITS;
    }
    sp_tm_steps st;
    int rc;
    memset(d, 0, sizeof *d);
    if (!in->is_workload) {
        rc = sp_tm_steps_dense(&dc, &in->trace, &st, err, errlen);
    } else if (in->has_baseline) {
        rc = sp_tm_steps_from_workload(&dc, &in->baseline, 0, &st, err, errlen);
        if (!rc)
            snprintf(st.source, sizeof st.source, "dense workload csv");
    } else {
        /* derived dense: the full grid, heads pruned from the file included */
        sp_workload grid;
        rc = sp_workload_dense_grid(&in->workload, &grid, err, errlen);
        if (!rc) {
            rc = sp_tm_steps_from_workload(&dc, &grid, 1, &st, err, errlen);
            sp_workload_free(&grid);
        }
    }
    if (rc)
        return -1;
    if (sp_timing_run(&dc, &st, &d->tm, err, errlen)) {
        sp_tm_steps_free(&st);
        return -1;
    }
    sp_energy_compute(&dc, &st, &d->tm, &d->en);
    snprintf(d->source, sizeof d->source, "%s", in->is_workload && in->has_baseline ? in->baseline_path : st.source);
    d->k_bits = dc.alg.k_msb;
    d->v_bits = dc.alg.v_msb;
    d->q_bits = dc.alg.q_bits;
    if (steps)
        *steps = st;
    else
        sp_tm_steps_free(&st);
    return 0;
}

int sp_engine_dense_run(const sp_config *cfg, const sp_engine_input *in, sp_engine_dense *d, sp_tm_steps *steps,
                        char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    d->primary = sp_engine_base_primary(in);
    for (int b = 0; b < SP_BASE_N; b++)
        if (sp_engine_dense_run_base(cfg, in, b, &d->base[b], b == d->primary ? steps : NULL, err, errlen)) {
            if (b != d->primary && d->base[b].tm.total_cycles == 0) {
                /* the other baseline's wider rows may not fit the K or V
                 * buffer that holds the run's (the timing model refuses
                 * it): reported as not run, with the reason */
                char why[512];
                snprintf(why, sizeof why, "%s", err);
                memset(&d->base[b], 0, sizeof d->base[b]);
                snprintf(d->base[b].source, sizeof d->base[b].source, "not run: %s", why);
                err[0] = 0;
                continue;
            }
            if (b > d->primary && steps)
                sp_tm_steps_free(steps);
            return -1;
        }
    return 0;
}

void sp_engine_base_stats(const sp_engine_figures *f, const sp_engine_base *d, sp_stats *s, const char *g)
{
    sp_stats_text(s, g, "source", d->source);
    sp_stats_int(s, g, "k", "bits", (uint64_t)d->k_bits);
    sp_stats_int(s, g, "v", "bits", (uint64_t)d->v_bits);
    sp_stats_int(s, g, "q", "bits", (uint64_t)d->q_bits);
    sp_stats_int(s, g, "total", "cycles", d->tm.total_cycles);
    sp_stats_int(s, g, "dram_data", "bytes", sp_engine_data_bytes(&d->tm));
    sp_stats_int(s, g, "dram_bus", "bytes", sp_engine_bus_bytes(&d->tm));
    sp_stats_real(s, g, "energy_total", "pJ", d->en.total_pj);
    sp_engine_vs_dense v;
    sp_engine_vs_of(&f->tm, &f->en, &d->tm, &d->en, &v);
    sp_stats_real(s, g, "speedup", "ratio", v.speedup);
    sp_stats_real(s, g, "dram_data_reduction", "ratio", v.dram_data_reduction);
    sp_stats_real(s, g, "dram_bus_reduction", "ratio", v.dram_bus_reduction);
    sp_stats_real(s, g, "kv_bits_reduction", "ratio", v.kv_bits_reduction);
    sp_stats_real(s, g, "kv_msb_bits_reduction", "ratio", v.kv_msb_bits_reduction);
    sp_stats_real(s, g, "energy_reduction", "ratio", v.energy_reduction);
}

void sp_engine_wl_alg_stats(const sp_engine_wl_alg *a, sp_stats *s, const char *g)
{
    sp_stats_text(s, g, "note",
                  "the algorithm the workload CSV's rows fix (largest value over rows; -1: not set, full width 12 "
                  "bits); the config's algorithm keys are not used");
    sp_stats_real(s, g, "quant_key", "bits", a->k_bits);
    sp_stats_real(s, g, "quant_value", "bits", a->v_bits);
    sp_stats_real(s, g, "quant_query", "bits", a->q_bits);
    sp_stats_real(s, g, "auto_requant_thres", "ratio", a->tau);
    sp_stats_int(s, g, "auto_requant_incre", "bits", (uint64_t)a->lsb_incr);
    sp_stats_int(s, g, "requant_rows", "count", a->requant_rows);
    sp_stats_text(s, g, "lsb_refetch",
                  a->k_lsb_refetch && a->v_lsb_refetch ? "K and kept V (auto_requant_incre bits on if_requant)"
                  : a->k_lsb_refetch                   ? "K only (auto_requant_incre bits on if_requant)"
                  : a->v_lsb_refetch                   ? "V only (auto_requant_incre bits on if_requant)"
                                                       : "none");
    sp_stats_int(s, g, "token_start_layer", "index", (uint64_t)a->token_start_layer);
    sp_stats_int(s, g, "head_start_layer", "index", (uint64_t)a->head_start_layer);
}
