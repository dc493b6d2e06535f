/* engine.c - the evaluation of engine.h: opens a trace spec, runs the
 * functional model (tensor traces; capturing token positions and, given a
 * reference, the accuracy), builds the head-step records of the run and of
 * its dense baseline (functional run, or workload CSV), runs the timing +
 * DRAM model and the energy model on both, and the area model; and puts
 * every figure into a stats registry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "engine.h"
#include "engine_int.h"
#include "tm_workload.h"
#include "traces.h"

int sp_engine_input_open(const char *spec, const char *baseline, const sp_alg_cfg *alg, sp_engine_input *in,
                         char *err, size_t errlen)
{
    memset(in, 0, sizeof *in);
    size_t n = strlen(spec);
    if (!(n > 4 && !strcmp(spec + n - 4, ".csv"))) {
        if (baseline) {
            snprintf(err, errlen, "--baseline %s: a dense baseline CSV applies to workload CSV traces only, not %s",
                     baseline, spec);
            return -1;
        }
        return sp_trace_open(spec, alg, &in->trace, err, errlen);
    }
    in->is_workload = 1;
    if (sp_workload_load_csv(spec, &in->workload, err, errlen))
        return -1;
    /* the "-dense.csv" file beside a "-pruned.csv" one */
    const char *p = strstr(spec, "-pruned.csv");
    if (!baseline && p && strlen(spec) < sizeof in->baseline_path - 16) {
        snprintf(in->baseline_path, sizeof in->baseline_path, "%.*s-dense.csv", (int)(p - spec), spec);
        if (access(in->baseline_path, R_OK) == 0)
            baseline = in->baseline_path;
    }
    if (baseline) {
        if (strlen(baseline) >= sizeof in->baseline_path) {
            snprintf(err, errlen, "--baseline: path longer than %zu bytes", sizeof in->baseline_path - 1);
            sp_workload_free(&in->workload);
            return -1;
        }
        if (baseline != in->baseline_path)
            snprintf(in->baseline_path, sizeof in->baseline_path, "%s", baseline);
        if (sp_workload_load_csv(baseline, &in->baseline, err, errlen)) {
            sp_workload_free(&in->workload);
            return -1;
        }
        if (sp_workload_check_baseline(&in->workload, &in->baseline, err, errlen)) {
            sp_workload_free(&in->baseline);
            sp_workload_free(&in->workload);
            return -1;
        }
        in->has_baseline = 1;
    } else {
        in->baseline_path[0] = 0;
    }
    return 0;
}

void sp_engine_input_free(sp_engine_input *in)
{
    if (in->is_workload) {
        sp_workload_free(&in->workload);
        if (in->has_baseline)
            sp_workload_free(&in->baseline);
    } else {
        sp_trace_free(&in->trace);
    }
    memset(in, 0, sizeof *in);
}

uint64_t sp_engine_data_bytes(const sp_tm_result *r)
{
    uint64_t bits = 0;
    for (int k = 0; k < SP_DK_N; k++)
        bits += r->data_bits[k];
    return (bits + 7) / 8;
}

uint64_t sp_engine_bus_bytes(const sp_tm_result *r)
{
    uint64_t b = 0;
    for (int k = 0; k < SP_DK_N; k++)
        b += r->dram.burst_bytes[k];
    return b;
}

void sp_engine_result_free(sp_engine_result *r)
{
    if (r->fig.functional)
        sp_run_result_free(&r->run);
    sp_tm_steps_free(&r->steps);
    sp_tm_steps_free(&r->dense_steps);
    sp_engine_capture_free(&r->cap);
    memset(r, 0, sizeof *r);
}

/* the functional run's observer: token positions, and the accuracy */
typedef struct {
    sp_engine_capture *cap;
    sp_engine_acc *acc;
    sp_observer cap_obs;
    const sp_observer *user;
} run_obs;

static void on_step(void *ctx, int it, int layer, int head, int row, const sp_head_result *r)
{
    run_obs *o = ctx;
    o->cap_obs.head_step(o->cap_obs.ctx, it, layer, head, row, r);
    if (o->acc)
        sp_engine_acc_step(o->acc, it, layer, head, row, r);
    if (o->user && o->user->head_step)
        o->user->head_step(o->user->ctx, it, layer, head, row, r);
}

static void on_token_prune(void *ctx, int it, int layer, const int32_t *kept, int n_kept)
{
    run_obs *o = ctx;
    if (o->user && o->user->token_prune)
        o->user->token_prune(o->user->ctx, it, layer, kept, n_kept);
}

static void on_head_prune(void *ctx, int it, int layer, const int32_t *kept, int n_kept)
{
    run_obs *o = ctx;
    if (o->user && o->user->head_prune)
        o->user->head_prune(o->user->ctx, it, layer, kept, n_kept);
}

static int run_tensor(const sp_engine_in *in, sp_engine_result *r, char *err, size_t errlen)
{
    const sp_config *cfg = in->cfg;
    const sp_trace *tr = &in->input->trace;
    const sp_engine_ref *ref = in->ref;
    if (ref && (ref->iters != tr->iters || ref->layers != tr->layers || ref->heads != tr->heads ||
                ref->rows != tr->rows || ref->d != tr->d)) {
        snprintf(err, errlen, "accuracy reference is not of trace %s (shape differs)", tr->id);
        return -1;
    }
    sp_engine_acc acc;
    memset(&acc, 0, sizeof acc);
    acc.ref = ref;
    run_obs o = {&r->cap, ref ? &acc : NULL, sp_engine_capture_observer(&r->cap), in->observer};
    sp_observer obs = {&o, on_step, on_token_prune, on_head_prune};
    if (sp_run_model(cfg, tr, &obs, &r->run, err, errlen))
        return -1;
    r->fig.functional = 1;
    r->fig.ev = r->run.total;
    r->fig.out_checksum = r->run.out_checksum;
    if (ref) {
        r->fig.has_accuracy = 1;
        sp_engine_acc_finish(&acc, &r->fig.acc);
    }
    if (sp_tm_steps_from_run(cfg, tr, &r->run, &r->steps, err, errlen))
        return -1;
    if (sp_engine_capture_apply(&r->cap, &r->steps))
        snprintf(r->steps.source, sizeof r->steps.source, "tensor trace (token positions of the run)");
    else
        r->fig.positions_spread = 1;
    return 0;
}

void sp_engine_dense_config(const sp_config *cfg, sp_config *d)
{
    memset(d, 0, sizeof *d);
    d->hw = cfg->hw;
    d->energy = cfg->energy;
    sp_alg_cfg *a = &d->alg;
    a->token_keep = a->head_keep = a->value_keep = 1.0;
    a->token_keep_q16 = a->head_keep_q16 = a->value_keep_q16 = SP_RATIO_ONE;
    a->q_bits = cfg->alg.q_bits;
    a->k_msb = cfg->alg.k_msb + cfg->alg.k_lsb;
    a->v_msb = cfg->alg.v_msb + cfg->alg.v_lsb;
}

int sp_engine_run(const sp_engine_in *in, sp_engine_result *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    sp_engine_capture_init(&r->cap);
    const sp_config *cfg = in->cfg;
    const sp_engine_input *ip = in->input;
    sp_engine_figures *f = &r->fig;
    /* a workload CSV's rows fix the algorithm: it runs on cfg's hardware
     * with that algorithm, never with cfg's algorithm keys */
    sp_config eff;
    if (ip->is_workload) {
        sp_engine_workload_config(in->cfg, &ip->workload, &eff);
        cfg = &eff;
        f->is_workload = 1;
        sp_engine_workload_alg(&ip->workload, &f->wl_alg);
    }
    int rc = ip->is_workload ? sp_tm_steps_from_workload(cfg, &ip->workload, 0, &r->steps, err, errlen)
                             : run_tensor(in, r, err, errlen);
    if (!rc)
        rc = sp_timing_run(cfg, &r->steps, &f->tm, err, errlen);
    sp_engine_dense dense;
    if (!rc && in->dense)
        dense = *in->dense;
    else if (!rc)
        rc = sp_engine_dense_run(in->cfg, ip, &dense, &r->dense_steps, err, errlen);
    if (rc) {
        sp_engine_result_free(r);
        return -1;
    }
    sp_energy_compute(cfg, &r->steps, &f->tm, &f->en);
    sp_area_compute(cfg, &f->area);
    const sp_engine_base *pb = &dense.base[dense.primary];
    memcpy(f->base, dense.base, sizeof f->base);
    f->dense_tm = pb->tm;
    f->dense_en = pb->en;
    snprintf(f->timing_input, sizeof f->timing_input, "%s", r->steps.source);
    snprintf(f->dense_source, sizeof f->dense_source, "%s", pb->source);
    f->dense_which = dense.primary;
    f->dense_k_bits = pb->k_bits;
    f->dense_v_bits = pb->v_bits;
    f->dense_q_bits = pb->q_bits;
    return 0;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0.0;
}

void sp_engine_vs_dense_of(const sp_engine_figures *f, sp_engine_vs_dense *v)
{
    sp_engine_vs_of(&f->tm, &f->en, &f->dense_tm, &f->dense_en, v);
}

void sp_engine_vs_of(const sp_tm_result *t, const sp_energy_report *en, const sp_tm_result *d,
                     const sp_energy_report *den, sp_engine_vs_dense *v)
{
    v->speedup = ratio((double)d->total_cycles, (double)t->total_cycles);
    v->dram_data_reduction = ratio((double)sp_engine_data_bytes(d), (double)sp_engine_data_bytes(t));
    v->dram_bus_reduction = ratio((double)sp_engine_bus_bytes(d), (double)sp_engine_bus_bytes(t));
    v->kv_bits_reduction =
        ratio((double)(d->data_bits[SP_DK_K_MSB] + d->data_bits[SP_DK_K_LSB] + d->data_bits[SP_DK_V]),
              (double)(t->data_bits[SP_DK_K_MSB] + t->data_bits[SP_DK_K_LSB] + t->data_bits[SP_DK_V]));
    v->kv_msb_bits_reduction = ratio((double)(d->data_bits[SP_DK_K_MSB] + d->data_bits[SP_DK_V]),
                                     (double)(t->data_bits[SP_DK_K_MSB] + t->data_bits[SP_DK_V]));
    v->energy_reduction = ratio(den->total_pj, en->total_pj);
}

void sp_engine_stats(const sp_config *cfg, const sp_engine_figures *f, sp_stats *s)
{
    if (f->functional)
        sp_events_stats(&f->ev, s, "events");
    else
        sp_stats_text(s, "", "topk_cycles_model",
                      "expected quick-select rounds (sp_topk_expected, docs/costs.md s1): the CSV has no data");
    sp_stats_text(s, "", "timing_input", f->timing_input);
    sp_timing_stats(&f->tm, cfg, s, "timing");
    sp_energy_stats(&f->en, cfg->energy.node_nm, s, "energy");
    sp_area_stats(&f->area, s, "area");
    if (f->has_accuracy) {
        const sp_engine_accuracy *a = &f->acc;
        sp_stats_real(s, "accuracy", "out_rel_err_mean", "ratio", a->rel_err_mean);
        sp_stats_real(s, "accuracy", "out_rel_err_max", "ratio", a->rel_err_max);
        sp_stats_real(s, "accuracy", "out_rel_err_computed_mean", "ratio", a->rel_err_computed_mean);
        sp_stats_real(s, "accuracy", "argmax_match", "ratio", a->argmax_match);
        sp_stats_int(s, "accuracy", "reference_head_steps", "count", a->ref_steps);
        sp_stats_int(s, "accuracy", "head_steps_computed", "count", a->steps_run);
    }
    if (f->is_workload)
        sp_engine_wl_alg_stats(&f->wl_alg, s, "workload_algorithm");
    sp_stats_text(s, "dense_baseline", "source", f->dense_source);
    sp_stats_text(s, "dense_baseline", "definition",
                  "same hardware; every token and head; K and V at k_bits and v_bits in one fetch; value_keep 1; no "
                  "requant, no top-k");
    sp_stats_text(s, "dense_baseline", "baseline", sp_engine_base_names[f->dense_which]);
    sp_stats_int(s, "dense_baseline", "k", "bits", (uint64_t)f->dense_k_bits);
    sp_stats_int(s, "dense_baseline", "v", "bits", (uint64_t)f->dense_v_bits);
    sp_stats_int(s, "dense_baseline", "q", "bits", (uint64_t)f->dense_q_bits);
    sp_timing_stats(&f->dense_tm, cfg, s, "dense_baseline.timing");
    sp_energy_stats(&f->dense_en, cfg->energy.node_nm, s, "dense_baseline.energy");
    sp_engine_vs_dense v;
    sp_engine_vs_dense_of(f, &v);
    sp_stats_real(s, "vs_dense", "speedup", "ratio", v.speedup);
    sp_stats_real(s, "vs_dense", "dram_data_reduction", "ratio", v.dram_data_reduction);
    sp_stats_real(s, "vs_dense", "dram_bus_reduction", "ratio", v.dram_bus_reduction);
    sp_stats_real(s, "vs_dense", "kv_bits_reduction", "ratio", v.kv_bits_reduction);
    sp_stats_real(s, "vs_dense", "kv_msb_bits_reduction", "ratio", v.kv_msb_bits_reduction);
    sp_stats_real(s, "vs_dense", "energy_reduction", "ratio", v.energy_reduction);
    for (int b = 0; b < SP_BASE_N; b++) {
        char g[64];
        snprintf(g, sizeof g, "baselines.%s", sp_engine_base_names[b]);
        sp_engine_base_stats(f, &f->base[b], s, g);
    }
}
