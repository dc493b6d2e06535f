/* stats_json.c - stats.json of a run (tensor trace or timing-only workload
 * CSV): event counts, cycles by unit, DRAM traffic by kind, energy by
 * component, area, the dense baseline and the ratios against it, config
 * echo, trace id, tool version; and sp_report_write_dir, which writes every
 * report file. Every number's unit is in its key (_count, _bits, _bytes,
 * _cycles, _pJ, _mm2, _s, _W, _bytes_per_s, _ratio). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>
#include "report.h"

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0.0;
}

int sp_report_write_file(const char *dir, const char *name, const char *text, char *err, size_t errlen)
{
    char path[8192], tmp[8300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.part", path);
    FILE *f = fopen(tmp, "w");
    size_t n = strlen(text);
    if (!f || fwrite(text, 1, n, f) != n || fclose(f)) {
        snprintf(err, errlen, "cannot write '%s': %s", tmp, strerror(errno));
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path)) {
        snprintf(err, errlen, "cannot rename '%s': %s", tmp, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

static void num(cJSON *o, const char *k, double v)
{
    cJSON_AddNumberToObject(o, k, v);
}

static cJSON *events_json(const sp_events *e)
{
    cJSON *o = cJSON_CreateObject();
    num(o, "head_steps_count", (double)e->head_steps);
    num(o, "keys_msb_fetched_count", (double)e->keys_msb);
    num(o, "keys_lsb_refetched_count", (double)e->keys_lsb);
    num(o, "values_fetched_count", (double)e->values_fetched);
    num(o, "values_lsb_fetched_count", (double)e->values_lsb);
    num(o, "dram_k_msb_bits", (double)e->bits_k_msb);
    num(o, "dram_k_lsb_bits", (double)e->bits_k_lsb);
    num(o, "dram_v_bits", (double)e->bits_v);
    num(o, "dram_q_bits", (double)e->bits_q);
    num(o, "out_bits", (double)e->bits_out);
    num(o, "mac_qk_count", (double)e->mac_qk);
    num(o, "mac_pv_count", (double)e->mac_pv);
    num(o, "exp_count", (double)e->exp_ops);
    num(o, "div_count", (double)e->div_ops);
    num(o, "norm_mul_count", (double)e->mul_norm);
    num(o, "softmax_count", (double)e->softmax_runs);
    num(o, "requant_count", (double)e->requants);
    num(o, "topk_runs_count", (double)e->topk_runs);
    num(o, "topk_rounds_count", (double)e->topk_rounds);
    num(o, "topk_compares_count", (double)e->topk_compares);
    num(o, "topk_cycles", (double)e->topk_cycles);
    num(o, "importance_adds_count", (double)e->imp_adds);
    num(o, "tokens_pruned_count", (double)e->tokens_pruned);
    num(o, "heads_pruned_count", (double)e->heads_pruned);
    return o;
}

static cJSON *config_json(const sp_config *c)
{
    cJSON *o = cJSON_CreateObject(), *h = cJSON_CreateObject(), *m = cJSON_CreateObject(),
          *a = cJSON_CreateObject(), *e = cJSON_CreateObject();
    const sp_dram_cfg *d = &c->hw.dram;
    cJSON_AddStringToObject(o, "source", c->source);
    num(h, "clock_mhz", c->hw.clock_mhz);
    num(h, "qk_multipliers_count", c->hw.n_qk);
    num(h, "pv_multipliers_count", c->hw.n_pv);
    num(h, "k_sram_bytes", c->hw.k_sram_bytes);
    num(h, "v_sram_bytes", c->hw.v_sram_bytes);
    num(h, "topk_comparators_count", c->hw.topk_comparators);
    num(h, "topk_round_overhead_cycles", c->hw.topk_round_overhead);
    num(h, "softmax_lanes_count", c->hw.softmax_lanes);
    num(h, "kv_buffers_count", c->hw.kv_buffers);
    num(h, "stage_buffers_count", c->hw.stage_buffers);
    cJSON_AddStringToObject(m, "kind", d->kind == SP_DRAM_HBM2 ? "hbm2" : d->kind == SP_DRAM_DDR4 ? "ddr4" : "lpddr4");
    num(m, "channels_count", d->channels);
    num(m, "banks_count", d->banks);
    num(m, "row_bytes", d->row_bytes);
    num(m, "burst_bytes", d->burst_bytes);
    num(m, "clock_mhz", d->clock_mhz);
    num(m, "tRCD_dram_cycles", d->tRCD);
    num(m, "tRP_dram_cycles", d->tRP);
    num(m, "tCL_dram_cycles", d->tCL);
    num(m, "tCCD_dram_cycles", d->tCCD);
    num(m, "tRAS_dram_cycles", d->tRAS);
    num(m, "tREFI_dram_cycles", d->tREFI);
    num(m, "tRFC_dram_cycles", d->tRFC);
    num(m, "bus_bytes_per_dram_cycle", d->bytes_per_clk_per_channel);
    cJSON_AddItemToObject(h, "dram", m);
    num(a, "token_keep_ratio", c->alg.token_keep);
    num(a, "token_start_layer_index", c->alg.token_start_layer);
    num(a, "head_keep_ratio", c->alg.head_keep);
    num(a, "head_start_layer_index", c->alg.head_start_layer);
    num(a, "value_keep_ratio", c->alg.value_keep);
    num(a, "q_bits", c->alg.q_bits);
    num(a, "k_msb_bits", c->alg.k_msb);
    num(a, "k_lsb_bits", c->alg.k_lsb);
    num(a, "v_msb_bits", c->alg.v_msb);
    num(a, "v_lsb_bits", c->alg.v_lsb);
    num(a, "tau_ratio", c->alg.tau);
    num(e, "mac_qk_pJ", c->energy.mac_qk_pj);
    num(e, "mac_pv_pJ", c->energy.mac_pv_pj);
    num(e, "exp_pJ", c->energy.exp_pj);
    num(e, "div_pJ", c->energy.div_pj);
    num(e, "cmp_pJ", c->energy.cmp_pj);
    num(e, "add_pJ", c->energy.add_pj);
    num(e, "sram_read_pJ_per_byte", c->energy.sram_read_pj_per_byte);
    num(e, "sram_write_pJ_per_byte", c->energy.sram_write_pj_per_byte);
    num(e, "dram_pJ_per_bit", c->energy.dram_pj_per_bit);
    num(e, "static_mW", c->energy.static_mw);
    num(e, "node_nm", c->energy.node_nm);
    cJSON_AddItemToObject(o, "hardware", h);
    cJSON_AddItemToObject(o, "algorithm", a);
    cJSON_AddItemToObject(o, "energy", e);
    return o;
}

static cJSON *timing_json(const sp_tm_result *r, const sp_config *cfg)
{
    cJSON *o = cJSON_CreateObject(), *u = cJSON_CreateObject(), *d = cJSON_CreateObject(),
          *b = cJSON_CreateObject(), *dr = cJSON_CreateObject();
    char k[96];
    num(o, "total_cycles", (double)r->total_cycles);
    num(o, "time_s", r->seconds);
    num(o, "head_steps_count", (double)r->head_steps);
    num(o, "requant_steps_count", (double)r->requants);
    num(o, "k_slot_overflow_steps_count", (double)r->k_overflow_steps);
    num(o, "k_tiled_steps_count", (double)r->k_tiled_steps);
    num(o, "v_tiled_steps_count", (double)r->v_tiled_steps);
    /* the run's bound (docs/costs.md s1 "Bound") */
    num(o, "bound_cycles", (double)r->bound_cycles);
    num(o, "achieved_over_bound_ratio", ratio((double)r->total_cycles, (double)r->bound_cycles));
    cJSON_AddStringToObject(o, "bound_unit", sp_bound_unit_names[r->bound_unit]);
    {
        cJSON *bw = cJSON_CreateObject(), *bt = cJSON_CreateObject(), *ut = cJSON_CreateObject();
        for (int i = 0; i < SP_BU_N; i++) {
            snprintf(k, sizeof k, "%s_cycles", sp_bound_unit_names[i]);
            num(bw, k, (double)r->bound_work[i]);
            num(bt, k, (double)r->bound_term[i]);
            snprintf(k, sizeof k, "%s_ratio", sp_bound_unit_names[i]);
            num(ut, k, ratio((double)r->bound_work[i], (double)r->total_cycles));
        }
        cJSON_AddItemToObject(o, "bound_work", bw);
        cJSON_AddItemToObject(o, "bound_term", bt);
        cJSON_AddItemToObject(o, "utilisation", ut);
    }
    for (int i = 0; i < SP_U_N; i++) {
        snprintf(k, sizeof k, "%s_cycles", sp_unit_names[i]);
        num(u, k, (double)r->unit_cycles[i]);
    }
    cJSON_AddItemToObject(o, "unit_busy", u);
    uint64_t tot = 0, totb = 0;
    for (int i = 0; i < SP_DK_N; i++) {
        snprintf(k, sizeof k, "%s_bytes", sp_dram_kind_names[i]);
        num(d, k, (double)((r->data_bits[i] + 7) / 8));
        num(b, k, (double)r->dram.burst_bytes[i]);
        tot += r->data_bits[i];
        totb += r->dram.burst_bytes[i];
    }
    num(d, "total_bytes", (double)((tot + 7) / 8));
    num(b, "total_bytes", (double)totb);
    cJSON_AddStringToObject(dr, "kind", cfg->hw.dram.kind == SP_DRAM_HBM2 ? "hbm2" : cfg->hw.dram.kind == SP_DRAM_DDR4 ? "ddr4" : "lpddr4");
    cJSON_AddItemToObject(dr, "data_by_kind", d);
    cJSON_AddItemToObject(dr, "bus_by_kind", b);
    num(dr, "bursts_count", (double)r->dram.bursts);
    num(dr, "row_hits_count", (double)r->dram.row_hits);
    num(dr, "row_misses_count", (double)r->dram.row_misses);
    num(dr, "row_empty_count", (double)r->dram.row_empty);
    num(dr, "refreshes_count", (double)r->dram.refreshes);
    num(dr, "peak_bytes_per_s", r->dram_peak_bytes_per_s);
    num(dr, "achieved_bytes_per_s", r->dram_achieved_bytes_per_s);
    cJSON_AddItemToObject(o, "dram", dr);
    return o;
}

/* {"<name><suffix>": v[i], ...} over the n names */
static cJSON *by_name(const char *const *names, int n, const char *suffix, const double *v)
{
    cJSON *c = cJSON_CreateObject();
    char k[96];
    for (int i = 0; i < n; i++) {
        snprintf(k, sizeof k, "%s%s", names[i], suffix);
        num(c, k, v[i]);
    }
    return c;
}

static cJSON *energy_json(const sp_energy_report *e, int node)
{
    cJSON *o = cJSON_CreateObject();
    num(o, "total_pJ", e->total_pj);
    num(o, "average_power_W", e->avg_power_w);
    num(o, "node_nm", node);
    cJSON_AddItemToObject(o, "by_component", by_name(sp_energy_names, SP_E_N, "_pJ", e->pj));
    return o;
}

static cJSON *area_json(const sp_area_report *a)
{
    cJSON *o = cJSON_CreateObject();
    num(o, "total_mm2", a->total_mm2);
    num(o, "unit_sum_before_calibration_mm2", a->raw_total_mm2);
    num(o, "calibration_ratio", SP_AREA_CALIBRATION);
    cJSON_AddItemToObject(o, "by_unit", by_name(sp_area_names, SP_A_N, "_mm2", a->mm2));
    return o;
}

static void fill_summary(const sp_report_data *d, sp_report_summary *s)
{
    s->cycles = d->tm.total_cycles;
    s->dense_cycles = d->dense_tm.total_cycles;
    s->seconds = d->tm.seconds;
    s->dense_seconds = d->dense_tm.seconds;
    s->energy_pj = d->en.total_pj;
    s->dense_energy_pj = d->dense_en.total_pj;
    s->power_w = d->en.avg_power_w;
    s->area_mm2 = d->area.total_mm2;
    s->speedup = ratio((double)s->dense_cycles, (double)s->cycles);
    s->dram_reduction = ratio((double)sp_report_data_bytes(&d->dense_tm), (double)sp_report_data_bytes(&d->tm));
    double kv = (double)(d->tm.data_bits[SP_DK_K_MSB] + d->tm.data_bits[SP_DK_K_LSB] + d->tm.data_bits[SP_DK_V]);
    double dkv = (double)(d->dense_tm.data_bits[SP_DK_K_MSB] + d->dense_tm.data_bits[SP_DK_K_LSB] + d->dense_tm.data_bits[SP_DK_V]);
    s->kv_bits_reduction = ratio(dkv, kv);
    s->dram_achieved_gbps = d->tm.dram_achieved_bytes_per_s / 1e9;
    s->dram_peak_gbps = d->tm.dram_peak_bytes_per_s / 1e9;
    s->bound_cycles = d->tm.bound_cycles;
    s->bound_unit = sp_bound_unit_names[d->tm.bound_unit];
    s->k_tiled_steps = d->tm.k_tiled_steps;
    s->v_tiled_steps = d->tm.v_tiled_steps;
    s->k_tiles_max = d->tm.k_tiles_max;
    s->v_tiles_max = d->tm.v_tiles_max;
    snprintf(s->baseline, sizeof s->baseline, "%s", d->dense_steps.source);
}

char *sp_report_json_text(const cJSON *root)
{
    char *text = cJSON_Print(root);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *withnl = malloc(n + 2);
    if (withnl) {
        memcpy(withnl, text, n);
        withnl[n] = '\n';
        withnl[n + 1] = 0;
    }
    cJSON_free(text);
    return withnl;
}

int sp_report_write_dir_sum(const char *dir, const sp_report_in *in, sp_report_summary *sum,
                            char *err, size_t errlen)
{
    sp_report_data d;
    if (sp_report_costs(in, &d, err, errlen))
        return -1;
    sp_report_summary s;
    memset(&s, 0, sizeof s);
    fill_summary(&d, &s);
    if (in->baseline_path && in->baseline)
        snprintf(s.baseline, sizeof s.baseline, "%s", in->baseline_path);
    int rc = -1;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "tool", "spattn " SP_VERSION);
    cJSON_AddStringToObject(root, "engine", in->engine ? in->engine : "cmodel");
    cJSON_AddStringToObject(root, "config_file", in->config_path ? in->config_path : "");
    cJSON_AddStringToObject(root, "trace", in->trace_spec ? in->trace_spec : "");
    const sp_run_result *r = in->res;
    const sp_trace *t = in->trace;
    if (t && r) {
        cJSON_AddStringToObject(root, "trace_id", t->id);
        cJSON *shape = cJSON_CreateObject();
        cJSON_AddStringToObject(shape, "mode", t->mode == SP_MODE_DECODE ? "decode" : "encoder");
        num(shape, "layers_count", t->layers);
        num(shape, "heads_count", t->heads);
        num(shape, "head_dim_count", t->d);
        num(shape, "context_tokens_count", t->ctx);
        num(shape, "iterations_count", t->iters);
        cJSON_AddItemToObject(root, "trace_shape", shape);
        char hex[32];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)r->out_checksum);
        cJSON_AddStringToObject(root, "outputs_fnv1a64", hex);
        cJSON_AddItemToObject(root, "events", events_json(&r->total));
    } else {
        const sp_workload *w = in->workload;
        cJSON_AddStringToObject(root, "trace_id", w->path);
        cJSON *shape = cJSON_CreateObject();
        cJSON_AddStringToObject(shape, "mode", "timing-only workload csv");
        num(shape, "rows_count", (double)w->n);
        num(shape, "layers_count", w->layers);
        num(shape, "heads_count", w->heads);
        num(shape, "iterations_count", w->iters);
        cJSON_AddItemToObject(root, "trace_shape", shape);
        cJSON_AddStringToObject(root, "topk_cycles_model",
                                "expected quick-select rounds (sp_topk_expected, docs/costs.md s1): the CSV has no data");
    }
    cJSON_AddStringToObject(root, "timing_input", d.steps.source);
    cJSON_AddItemToObject(root, "timing", timing_json(&d.tm, in->cfg));
    cJSON_AddItemToObject(root, "energy", energy_json(&d.en, in->cfg->energy.node_nm));
    cJSON_AddItemToObject(root, "area", area_json(&d.area));
    cJSON *dense = cJSON_CreateObject();
    cJSON_AddStringToObject(dense, "source", s.baseline);
    cJSON_AddStringToObject(dense, "definition",
                            "same hardware; every token and head; full-width K and V (MSB + LSB bits); value_keep 1; no requant, no top-k");
    cJSON_AddItemToObject(dense, "timing", timing_json(&d.dense_tm, in->cfg));
    cJSON_AddItemToObject(dense, "energy", energy_json(&d.dense_en, in->cfg->energy.node_nm));
    cJSON_AddItemToObject(root, "dense_baseline", dense);
    cJSON *vs = cJSON_CreateObject();
    num(vs, "speedup_ratio", s.speedup);
    num(vs, "dram_data_reduction_ratio", s.dram_reduction);
    num(vs, "dram_bus_reduction_ratio",
        ratio((double)(d.dense_tm.dram.burst_bytes[0] + d.dense_tm.dram.burst_bytes[1] + d.dense_tm.dram.burst_bytes[2] +
                       d.dense_tm.dram.burst_bytes[3] + d.dense_tm.dram.burst_bytes[4] + d.dense_tm.dram.burst_bytes[5]),
              (double)(d.tm.dram.burst_bytes[0] + d.tm.dram.burst_bytes[1] + d.tm.dram.burst_bytes[2] +
                       d.tm.dram.burst_bytes[3] + d.tm.dram.burst_bytes[4] + d.tm.dram.burst_bytes[5])));
    num(vs, "kv_bits_reduction_ratio", s.kv_bits_reduction);
    num(vs, "kv_msb_bits_reduction_ratio",
        ratio((double)(d.dense_tm.data_bits[SP_DK_K_MSB] + d.dense_tm.data_bits[SP_DK_V]),
              (double)(d.tm.data_bits[SP_DK_K_MSB] + d.tm.data_bits[SP_DK_V])));
    num(vs, "energy_reduction_ratio", ratio(s.dense_energy_pj, s.energy_pj));
    cJSON_AddItemToObject(root, "vs_dense", vs);
    if (r) {
        cJSON *per = cJSON_CreateArray();
        for (int it = 0; it < r->iters; it++) {
            for (int l = 0; l < r->layers; l++) {
                cJSON *o = cJSON_CreateObject();
                num(o, "iteration_index", it);
                num(o, "layer_index", l);
                num(o, "active_tokens_count", r->tokens_active[(size_t)it * r->layers + l]);
                num(o, "active_heads_count", r->heads_active[(size_t)it * r->layers + l]);
                uint64_t rq = 0;
                for (int h = 0; h < r->heads; h++)
                    rq += r->steps[((size_t)it * r->layers + l) * r->heads + h].requant_rows;
                num(o, "requant_rows_count", (double)rq);
                cJSON_AddItemToArray(per, o);
            }
        }
        cJSON_AddItemToObject(root, "per_layer", per);
    }
    cJSON_AddItemToObject(root, "config", config_json(in->cfg));
    cJSON *files = cJSON_CreateObject();
    cJSON_AddStringToObject(files, "layers", "layers.csv");
    cJSON_AddStringToObject(files, "energy", "energy.csv");
    if (sp_report_csvs(dir, &d, err, errlen))
        goto done;
    char note[256] = "";
    int pr = sp_report_plots(dir, &d, note, sizeof note, err, errlen);
    if (pr < 0)
        goto done;
    s.plots_drawn = pr == 0;
    snprintf(s.plots_note, sizeof s.plots_note, "%s", note);
    cJSON *plots = cJSON_CreateArray();
    if (s.plots_drawn) {
        static const char *const names[] = {"cycles.png", "cycles.svg", "energy.png", "energy.svg", "dram.png", "dram.svg",
                                            "util.png", "util.svg"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            cJSON_AddItemToArray(plots, cJSON_CreateString(names[i]));
    }
    cJSON_AddItemToObject(files, "plots", plots);
    if (!s.plots_drawn)
        cJSON_AddStringToObject(files, "plots_note", note);
    cJSON_AddItemToObject(root, "files", files);
    char *text = sp_report_json_text(root);
    if (!text) {
        snprintf(err, errlen, "out of memory writing stats.json");
        goto done;
    }
    rc = sp_report_write_file(dir, "stats.json", text, err, errlen);
    free(text);
    if (!rc && sum)
        *sum = s;
done:
    cJSON_Delete(root);
    sp_report_data_free(&d);
    return rc;
}

int sp_report_write_dir(const char *dir, const sp_report_in *in, char *err, size_t errlen)
{
    return sp_report_write_dir_sum(dir, in, NULL, err, errlen);
}

void sp_report_print_summary(FILE *f, const sp_report_summary *s, const char *dir)
{
    fprintf(f, "spattn: %llu cycles (%.3f ms), energy %.3f mJ (%.2f W average), area %.2f mm^2\n",
            (unsigned long long)s->cycles, s->seconds * 1e3, s->energy_pj * 1e-9, s->power_w, s->area_mm2);
    fprintf(f, "spattn: dense baseline (%s): %llu cycles, %.3f mJ -> speedup %.2fx, DRAM data reduction %.2fx (K+V bits %.2fx)\n",
            s->baseline, (unsigned long long)s->dense_cycles, s->dense_energy_pj * 1e-9, s->speedup, s->dram_reduction,
            s->kv_bits_reduction);
    fprintf(f, "spattn: DRAM achieved %.1f GB/s of %.1f GB/s peak\n", s->dram_achieved_gbps, s->dram_peak_gbps);
    fprintf(f, "spattn: bound %llu cycles (binding unit %s): achieved / bound %.2fx\n", (unsigned long long)s->bound_cycles,
            s->bound_unit ? s->bound_unit : "-", ratio((double)s->cycles, (double)s->bound_cycles));
    if (s->k_tiled_steps || s->v_tiled_steps)
        fprintf(stderr, "spattn: notice: %llu head-steps' keys (up to %u tiles) and %llu head-steps' values (up to %u tiles) "
                "exceed a K/V SRAM slot and stream through it in tiles (docs/costs.md R12)\n",
                (unsigned long long)s->k_tiled_steps, s->k_tiles_max, (unsigned long long)s->v_tiled_steps, s->v_tiles_max);
    if (s->plots_drawn)
        fprintf(f, "spattn: plots %s/{cycles,energy,dram,util}.{png,svg}\n", dir);
    else
        fprintf(stderr, "spattn: warning: %s\n", s->plots_note); /* a warning, not a failure */
}
