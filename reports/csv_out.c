/* csv_out.c - layers.csv (one row per iteration, layer and head: counts,
 * cycles by unit, DRAM bits by kind, and the dense baseline's) and
 * energy.csv (pJ by component, run and dense). */
#include <stdlib.h>
#include <string.h>
#include "report.h"

typedef struct {
    uint64_t rows, keys, values, requants;
    uint64_t t0, t1;
    uint64_t cyc[SP_U_N];
    uint64_t bits[SP_DK_N];
    int present;
} agg_t;

static agg_t *aggregate(const sp_tm_steps *st, int iters, int layers, int heads)
{
    size_t n = (size_t)iters * layers * heads;
    agg_t *a = calloc(n ? n : 1, sizeof *a);
    if (!a)
        return NULL;
    for (size_t i = 0; i < st->n; i++) {
        const sp_tm_step *s = &st->s[i];
        if (s->it < 0 || s->it >= iters || s->layer < 0 || s->layer >= layers || s->head < 0 || s->head >= heads)
            continue;
        agg_t *g = &a[((size_t)s->it * layers + s->layer) * heads + s->head];
        if (!g->present || s->t_start < g->t0)
            g->t0 = s->t_start;
        if (s->t_end > g->t1)
            g->t1 = s->t_end;
        g->present = 1;
        uint64_t rows = sp_tm_rows(s);
        g->rows += rows;
        g->keys += rows * s->keys;
        g->values += rows * s->values;
        g->requants += s->requant ? rows : 0;
        for (int u = 0; u < SP_U_N; u++)
            g->cyc[u] += s->cyc[u];
        for (int k = 0; k < SP_DK_N; k++)
            g->bits[k] += s->data_bits[k];
    }
    return a;
}

int sp_report_csvs(const char *dir, const sp_engine_result *d, char *err, size_t errlen)
{
    const sp_energy_report *en = &d->fig.en, *den = &d->fig.dense_en;
    int iters = d->dense_steps.iters, layers = d->dense_steps.layers, heads = d->dense_steps.heads;
    if (d->steps.iters > iters)
        iters = d->steps.iters;
    if (d->steps.layers > layers)
        layers = d->steps.layers;
    if (d->steps.heads > heads)
        heads = d->steps.heads;
    agg_t *a = aggregate(&d->steps, iters, layers, heads), *b = aggregate(&d->dense_steps, iters, layers, heads);
    sp_buf t = {0};
    int rc = -1;
    if (!a || !b)
        goto oom;
    sp_buf_printf(&t, "iteration,layer,head,rows_count,keys_count,values_count,requant_rows_count,start_cycle,end_cycle");
    for (int u = 0; u < SP_U_N; u++)
        sp_buf_printf(&t, ",%s_cycles", sp_unit_names[u]);
    for (int k = 0; k < SP_DK_N; k++)
        sp_buf_printf(&t, ",dram_%s_bits", sp_dram_kind_names[k]);
    sp_buf_printf(&t, ",dense_keys_count,dense_values_count,dense_busy_cycles,dense_dram_bits\n");
    for (size_t i = 0; i < (size_t)iters * layers * heads; i++) {
        const agg_t *g = &a[i], *h = &b[i];
        if (!g->present && !h->present)
            continue;
        sp_buf_printf(&t, "%zu,%zu,%zu,%llu,%llu,%llu,%llu,%llu,%llu", i / ((size_t)layers * heads),
                      i / heads % layers, i % heads, (unsigned long long)g->rows, (unsigned long long)g->keys,
                      (unsigned long long)g->values, (unsigned long long)g->requants, (unsigned long long)g->t0,
                      (unsigned long long)g->t1);
        for (int u = 0; u < SP_U_N; u++)
            sp_buf_printf(&t, ",%llu", (unsigned long long)g->cyc[u]);
        for (int k = 0; k < SP_DK_N; k++)
            sp_buf_printf(&t, ",%llu", (unsigned long long)g->bits[k]);
        uint64_t dbits = 0;
        for (int k = 0; k < SP_DK_N; k++)
            dbits += h->bits[k];
        sp_buf_printf(&t, ",%llu,%llu,%llu,%llu\n", (unsigned long long)h->keys, (unsigned long long)h->values,
                      (unsigned long long)(h->t1 - h->t0), (unsigned long long)dbits);
    }
    if (t.oom)
        goto oom;
    if (sp_report_write_file(dir, "layers.csv", t.p, err, errlen))
        goto done;
    t.n = 0;
    sp_buf_printf(&t, "component,run_pJ,dense_pJ,run_share\n");
    for (int k = 0; k < SP_E_N; k++)
        sp_buf_printf(&t, "%s,%.6g,%.6g,%.6f\n", sp_energy_names[k], en->pj[k], den->pj[k],
                      en->total_pj > 0 ? en->pj[k] / en->total_pj : 0.0);
    sp_buf_printf(&t, "total,%.6g,%.6g,1\n", en->total_pj, den->total_pj);
    if (t.oom)
        goto oom;
    if (sp_report_write_file(dir, "energy.csv", t.p, err, errlen))
        goto done;
    rc = 0;
    goto done;
oom:
    snprintf(err, errlen, "out of memory writing layers.csv / energy.csv");
done:
    free(a);
    free(b);
    sp_buf_free(&t);
    return rc;
}
