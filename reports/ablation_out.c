/* ablation_out.c - the per-technique breakdown (engine/ablation.h) as
 * ablation.csv, as the "ablation" object of stats.json and as a table on
 * stdout. Ratios are against the dense baseline at the run's own widths
 * (the variants' full width, docs/costs.md "Ablation"). */
#include <stdio.h>
#include <stdlib.h>
#include <cJSON.h>
#include "report.h"

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0.0;
}

/* a CSV field in double quotes, inner quotes doubled */
static void quoted(sp_buf *b, const char *t)
{
    sp_buf_printf(b, "\"");
    for (; *t; t++)
        sp_buf_printf(b, *t == '"' ? "\"\"" : "%c", *t);
    sp_buf_printf(b, "\"\n");
}

int sp_report_ablation_csv(const char *dir, const sp_ablation *ab, char *err, size_t errlen)
{
    sp_buf b = {0};
    const sp_ablation_row *d = &ab->row[SP_AB_DENSE];
    sp_buf_printf(&b, "variant,available,cycles,dram_data_bytes,dram_bus_bytes,energy_pJ,speedup_vs_dense_own,"
                      "dram_data_reduction_vs_dense_own,energy_reduction_vs_dense_own,definition\n");
    for (int v = 0; v < SP_AB_N; v++) {
        const sp_ablation_row *r = &ab->row[v];
        if (!r->available) {
            sp_buf_printf(&b, "%s,0,,,,,,,,", sp_ablation_names[v]);
            quoted(&b, r->note);
            continue;
        }
        sp_buf_printf(&b, "%s,1,%llu,%llu,%llu,%.1f,%.6f,%.6f,%.6f,", sp_ablation_names[v],
                      (unsigned long long)r->cycles, (unsigned long long)r->dram_data_bytes,
                      (unsigned long long)r->dram_bus_bytes, r->energy_pj, ratio((double)d->cycles, (double)r->cycles),
                      ratio((double)d->dram_data_bytes, (double)r->dram_data_bytes), ratio(d->energy_pj, r->energy_pj));
        quoted(&b, r->note);
    }
    if (b.oom) {
        sp_buf_free(&b);
        snprintf(err, errlen, "out of memory writing ablation.csv");
        return -1;
    }
    int rc = sp_report_write_file(dir, "ablation.csv", b.p, err, errlen);
    sp_buf_free(&b);
    return rc;
}

struct cJSON *sp_report_ablation_json(const sp_ablation *ab)
{
    const sp_ablation_row *d = &ab->row[SP_AB_DENSE];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "reference", sp_ablation_names[SP_AB_DENSE]);
    cJSON *vs = cJSON_AddObjectToObject(o, "variants");
    for (int v = 0; vs && v < SP_AB_N; v++) {
        const sp_ablation_row *r = &ab->row[v];
        cJSON *e = cJSON_AddObjectToObject(vs, sp_ablation_names[v]);
        if (!e)
            break;
        cJSON_AddBoolToObject(e, "available", r->available);
        cJSON_AddStringToObject(e, "definition", r->note);
        if (!r->available)
            continue;
        cJSON_AddNumberToObject(e, "total_cycles", (double)r->cycles);
        cJSON_AddNumberToObject(e, "dram_data_bytes", (double)r->dram_data_bytes);
        cJSON_AddNumberToObject(e, "dram_bus_bytes", (double)r->dram_bus_bytes);
        cJSON_AddNumberToObject(e, "energy_total_pJ", r->energy_pj);
        cJSON_AddNumberToObject(e, "speedup_ratio", ratio((double)d->cycles, (double)r->cycles));
        cJSON_AddNumberToObject(e, "dram_data_reduction_ratio",
                                ratio((double)d->dram_data_bytes, (double)r->dram_data_bytes));
        cJSON_AddNumberToObject(e, "energy_reduction_ratio", ratio(d->energy_pj, r->energy_pj));
    }
    return o;
}

void sp_report_print_ablation(FILE *f, const sp_ablation *ab)
{
    const sp_ablation_row *d = &ab->row[SP_AB_DENSE];
    fprintf(f, "spattn: ablation (ratios against dense_own_widths)\n");
    fprintf(f, "%-26s %12s %14s %12s %8s %8s %8s\n", "variant", "cycles", "DRAM data B", "energy mJ", "speedup",
            "DRAM x", "energy x");
    for (int v = 0; v < SP_AB_N; v++) {
        const sp_ablation_row *r = &ab->row[v];
        if (!r->available) {
            fprintf(f, "%-26s %s\n", sp_ablation_names[v], r->note);
            continue;
        }
        fprintf(f, "%-26s %12llu %14llu %12.3f %7.2fx %7.2fx %7.2fx\n", sp_ablation_names[v],
                (unsigned long long)r->cycles, (unsigned long long)r->dram_data_bytes, r->energy_pj * 1e-9,
                ratio((double)d->cycles, (double)r->cycles),
                ratio((double)d->dram_data_bytes, (double)r->dram_data_bytes), ratio(d->energy_pj, r->energy_pj));
    }
}
