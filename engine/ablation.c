/* ablation.c - the per-technique breakdown of ablation.h. Tensor traces:
 * each variant is an engine run with a config derived from the run's.
 * Workload CSVs: each variant is a workload derived from the file's rows,
 * where the rows allow it, timed on the hardware with the algorithm the
 * file fixes (baselines.c). Definitions: docs/costs.md "Ablation". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ablation.h"
#include "params.h"
#include "tm_workload.h"

const char *const sp_ablation_names[SP_AB_N] = {"dense_12bit", "dense_own_widths", "none", "token_pruning",
                                                "head_pruning", "value_pruning", "progressive_quantization",
                                                "all"};

static void fill(sp_ablation_row *r, const sp_tm_result *tm, const sp_energy_report *en)
{
    r->available = 1;
    r->cycles = tm->total_cycles;
    r->dram_data_bytes = sp_engine_data_bytes(tm);
    r->dram_bus_bytes = sp_engine_bus_bytes(tm);
    r->energy_pj = en->total_pj;
}

void sp_ablation_config(const sp_config *cfg, int variant, sp_config *out)
{
    *out = *cfg;
    out->sweep.n_axes = 0;
    sp_alg_cfg *a = &out->alg;
    const sp_alg_cfg *c = &cfg->alg;
    /* nothing on: keep ratios 1, full-width K and V in one fetch, tau 0 */
    a->token_keep = a->head_keep = a->value_keep = 1.0;
    a->token_budget.n = 0; /* fixed token budgets are token pruning too */
    a->k_msb = c->k_msb + c->k_lsb;
    a->k_lsb = 0;
    a->v_msb = c->v_msb + c->v_lsb;
    a->v_lsb = 0;
    a->tau = 0.0;
    switch (variant) {
    case SP_AB_NONE:
        break;
    case SP_AB_TOKEN:
        a->token_keep = c->token_keep;
        a->token_budget = c->token_budget;
        break;
    case SP_AB_HEAD:
        a->head_keep = c->head_keep;
        break;
    case SP_AB_VALUE:
        a->value_keep = c->value_keep;
        break;
    case SP_AB_QUANT:
        a->k_msb = c->k_msb;
        a->k_lsb = c->k_lsb;
        a->v_msb = c->v_msb;
        a->v_lsb = c->v_lsb;
        a->tau = c->tau;
        break;
    default:
        *out = *cfg;
        return;
    }
    sp_config_derive(out);
}

static int ablate_tensor(const sp_config *cfg, const sp_engine_input *in, const sp_engine_dense *dense,
                         sp_ablation *ab, char *err, size_t errlen)
{
    static const char *const what[SP_AB_N] = {
        [SP_AB_NONE] = "keep ratios 1, full-width K and V in one fetch, tau 0: the functional run with no technique "
                       "on (its top-k selections keep every token and head)",
        [SP_AB_TOKEN] = "token_keep, token_start_layer and token_budget as configured; head_keep 1, value_keep 1, full-width K "
                        "and V in one fetch, tau 0",
        [SP_AB_HEAD] = "head_keep and head_start_layer as configured; token_keep 1, value_keep 1, full-width K "
                       "and V in one fetch, tau 0",
        [SP_AB_VALUE] = "value_keep as configured; token_keep 1, head_keep 1, full-width K and V in one fetch, tau 0",
        [SP_AB_QUANT] = "k_msb, k_lsb, v_msb, v_lsb and tau as configured; keep ratios 1",
    };
    for (int v = SP_AB_NONE; v <= SP_AB_QUANT; v++) {
        sp_config vc;
        sp_ablation_config(cfg, v, &vc);
        sp_engine_in ei = {.cfg = &vc, .input = in, .dense = dense};
        sp_engine_result r;
        if (sp_engine_run(&ei, &r, err, errlen))
            return -1;
        fill(&ab->row[v], &r.fig.tm, &r.fig.en);
        snprintf(ab->row[v].note, sizeof ab->row[v].note, "%s", what[v]);
        sp_engine_result_free(&r);
    }
    return 0;
}

/* ---- workload CSVs ---------------------------------------------------- */

/* a copy of w's shape with room for the full grid; rows filled by the caller */
static int wl_alloc(const sp_workload *w, sp_workload *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    size_t n = (size_t)w->iters * (size_t)w->layers * (size_t)w->heads, il = (size_t)w->iters * (size_t)w->layers;
    o->rows = malloc((n ? n : 1) * sizeof *o->rows);
    o->heads_active = malloc((il ? il : 1) * sizeof *o->heads_active);
    if (!o->rows || !o->heads_active) {
        sp_workload_free(o);
        snprintf(err, errlen, "%s: out of memory", w->path);
        return -1;
    }
    o->iters = w->iters;
    o->layers = w->layers;
    o->heads = w->heads;
    o->d = w->d;
    snprintf(o->path, sizeof o->path, "%s", w->path);
    return 0;
}

/* Derives variant v from w's rows: K and V at full width kb, vb (one
 * fetch) unless the variant is quantization; see docs/costs.md. */
static int wl_variant(const sp_workload *w, int v, int kb, int vb, sp_workload *o, char *err, size_t errlen)
{
    if (wl_alloc(w, o, err, errlen))
        return -1;
    size_t i = 0, k = 0;
    for (int it = 0; it < w->iters; it++) {
        const sp_wl_row *src = NULL;
        int keys = -1;
        for (int l = 0; l < w->layers; l++) {
            size_t first = i;
            while (i < w->n && w->rows[i].iter == it && w->rows[i].layer == l)
                i++;
            if (i > first) {
                src = &w->rows[first];
                keys = 0;
                for (size_t j = first; j < i; j++)
                    if (w->rows[j].keys > keys)
                        keys = w->rows[j].keys; /* the layer's kept tokens */
            }
            if (!src) { /* cannot happen: sp_workload_load_csv rejects a grid without rows */
                snprintf(err, errlen, "%s: iteration %d: no rows up to layer %d", w->path, it, l);
                sp_workload_free(o);
                return -1;
            }
            int present = (int)(i - first);
            o->heads_active[(size_t)it * w->layers + l] = v == SP_AB_HEAD ? present : w->heads;
            size_t j = first;
            for (int h = 0; h < w->heads; h++) {
                const sp_wl_row *row = j < i && w->rows[j].head == h ? &w->rows[j++] : NULL;
                if (v == SP_AB_HEAD && !row)
                    continue; /* the file's pruned head */
                sp_wl_row *r = &o->rows[k++];
                *r = (sp_wl_row){.iter = it, .layer = l, .head = h, .d = w->d, .len = src->len, .keys = src->len,
                                 .values = src->len, .k_bits = kb, .v_bits = vb, .q_bits = src->q_bits,
                                 .tau = -1.0, .lsb_incr = 0, .topk_k = -1, .line = row ? row->line : src->line};
                if (v == SP_AB_TOKEN) {
                    r->keys = r->values = keys;
                    if (row) {
                        r->topk_flag = row->topk_flag;
                        r->topk_k = row->topk_k;
                    }
                } else if (v == SP_AB_QUANT) {
                    r->k_bits = src->k_bits;
                    r->v_bits = src->v_bits;
                    r->lsb_incr = src->lsb_incr;
                    r->tau = src->tau;
                    r->requant = row ? row->requant : 0;
                }
            }
        }
    }
    o->n = k;
    o->heads_pruned = (size_t)w->iters * w->layers * w->heads - k;
    return 0;
}

static int ablate_workload(const sp_config *cfg, const sp_engine_input *in, sp_ablation *ab, char *err,
                           size_t errlen)
{
    static const char *const what[SP_AB_N] = {
        [SP_AB_TOKEN] = "the file's key count of each (iteration, layer) on every head, all values of those keys, "
                        "full width, no requant; its top-k selections",
        [SP_AB_HEAD] = "the file's heads (absent rows are pruned heads), every token, full width, no requant",
        [SP_AB_QUANT] = "every token and head at the file's widths with its requant flags (heads absent from the "
                        "file: no requant)",
    };
    const sp_workload *w = &in->workload;
    sp_config eff;
    sp_engine_workload_config(cfg, w, &eff);
    int kb = eff.alg.k_msb + eff.alg.k_lsb, vb = eff.alg.v_msb + eff.alg.v_lsb;
    ab->row[SP_AB_VALUE].available = 0;
    snprintf(ab->row[SP_AB_VALUE].note, sizeof ab->row[SP_AB_VALUE].note,
             "not available: the file's value counts are taken after token pruning (top values of the kept keys); "
             "value pruning over every token cannot be derived from them");
    for (int v = SP_AB_TOKEN; v <= SP_AB_QUANT; v++) {
        if (v == SP_AB_VALUE)
            continue;
        sp_workload vw;
        if (wl_variant(w, v, kb, vb, &vw, err, errlen))
            return -1;
        /* the file's hardware and widths; start layers of the variant's own
         * selections (none for head pruning or quantization alone) */
        sp_config vc = eff;
        sp_engine_wl_alg wa;
        sp_engine_workload_alg(&vw, &wa);
        vc.alg.token_start_layer = wa.token_start_layer;
        vc.alg.head_start_layer = wa.head_start_layer;
        sp_tm_steps st;
        sp_tm_result tm;
        sp_energy_report en;
        int rc = sp_tm_steps_from_workload(&vc, &vw, 0, &st, err, errlen);
        sp_workload_free(&vw);
        if (rc)
            return -1;
        rc = sp_timing_run(&vc, &st, &tm, err, errlen);
        if (!rc)
            sp_energy_compute(&vc, &st, &tm, &en);
        sp_tm_steps_free(&st);
        if (rc)
            return -1;
        fill(&ab->row[v], &tm, &en);
        snprintf(ab->row[v].note, sizeof ab->row[v].note, "%s%s", what[v],
                 v == SP_AB_HEAD && !w->heads_pruned ? " (this file prunes no head: every head is present)" : "");
    }
    return 0;
}

int sp_ablation_run(const sp_config *cfg, const sp_engine_input *in, const sp_engine_result *all, sp_ablation *ab,
                    char *err, size_t errlen)
{
    memset(ab, 0, sizeof *ab);
    const sp_engine_figures *f = &all->fig;
    sp_engine_dense dense = {f->dense_which, {f->base[0], f->base[1]}};
    fill(&ab->row[SP_AB_DENSE_12BIT], &f->base[SP_BASE_12BIT].tm, &f->base[SP_BASE_12BIT].en);
    snprintf(ab->row[SP_AB_DENSE_12BIT].note, sizeof ab->row[0].note,
             "every token and head, K and V at 12 bits in one fetch (%s)", f->base[SP_BASE_12BIT].source);
    fill(&ab->row[SP_AB_DENSE], &f->base[SP_BASE_OWN].tm, &f->base[SP_BASE_OWN].en);
    snprintf(ab->row[SP_AB_DENSE].note, sizeof ab->row[0].note,
             "every token and head, K %d and V %d bits in one fetch (%s): the variants' full width",
             f->base[SP_BASE_OWN].k_bits, f->base[SP_BASE_OWN].v_bits, f->base[SP_BASE_OWN].source);
    if (in->is_workload) {
        ab->row[SP_AB_NONE] = ab->row[SP_AB_DENSE];
        snprintf(ab->row[SP_AB_NONE].note, sizeof ab->row[0].note, "a workload CSV: dense_own_widths");
    }
    fill(&ab->row[SP_AB_ALL], &f->tm, &f->en);
    snprintf(ab->row[SP_AB_ALL].note, sizeof ab->row[0].note, "the run itself");
    return in->is_workload ? ablate_workload(cfg, in, ab, err, errlen)
                           : ablate_tensor(cfg, in, &dense, ab, err, errlen);
}
