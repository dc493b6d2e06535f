/* report_dir.c - the one writer of a run's output directory
 * (sp_report_write_dir): layers.csv and energy.csv (csv_out.c), the plots
 * (plots.c), then stats.json (stats_json.c) listing them; and the headline
 * lines printed after it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>
#include "report.h"

static void fill_summary(const sp_engine_figures *f, sp_report_summary *s)
{
    memset(s, 0, sizeof *s);
    s->cycles = f->tm.total_cycles;
    s->dense_cycles = f->dense_tm.total_cycles;
    s->seconds = f->tm.seconds;
    s->dense_seconds = f->dense_tm.seconds;
    s->energy_pj = f->en.total_pj;
    s->dense_energy_pj = f->dense_en.total_pj;
    s->power_w = f->en.avg_power_w;
    s->area_mm2 = f->area.total_mm2;
    sp_engine_vs_dense_of(f, &s->vs);
    s->dram_achieved_gbps = f->tm.dram_achieved_bytes_per_s / 1e9;
    s->dram_peak_gbps = f->tm.dram_peak_bytes_per_s / 1e9;
    snprintf(s->baseline, sizeof s->baseline, "%s", f->dense_source);
    s->baseline_name = sp_engine_base_names[f->dense_which];
    s->k_bits = f->dense_k_bits;
    s->v_bits = f->dense_v_bits;
    s->q_bits = f->dense_q_bits;
    {
        int o = f->dense_which == SP_BASE_12BIT ? SP_BASE_OWN : SP_BASE_12BIT;
        const sp_engine_base *d = &f->base[o];
        s->has_other = d->tm.total_cycles > 0; /* 0: not run (its source says why) */
        s->other_name = sp_engine_base_names[o];
        s->other_source = d->source;
        s->other_k_bits = d->k_bits;
        s->other_v_bits = d->v_bits;
        s->other_q_bits = d->q_bits;
        sp_engine_vs_of(&f->tm, &f->en, &d->tm, &d->en, &s->other_vs);
    }
    s->bound_cycles = f->tm.bound_cycles;
    s->bound_unit = sp_bound_unit_names[f->tm.bound_unit];
    s->positions_spread = f->positions_spread;
}

int sp_report_write_dir(const char *dir, const sp_report_in *in, sp_report_summary *sum, char *err, size_t errlen)
{
    sp_report_summary s;
    fill_summary(&in->res->fig, &s);
    if (sp_report_csvs(dir, in->res, err, errlen))
        return -1;
    if (in->ablation && sp_report_ablation_csv(dir, in->ablation, err, errlen))
        return -1;
    char note[256] = "";
    int pr = sp_report_plots(dir, in->res, in->trace_spec, in->config_path, note, sizeof note, err, errlen);
    if (pr < 0)
        return -1;
    s.plots_drawn = pr == 0;
    snprintf(s.plots_note, sizeof s.plots_note, "%s", note);
    cJSON *files = cJSON_CreateObject(), *plots = cJSON_CreateArray();
    cJSON_AddStringToObject(files, "layers", "layers.csv");
    cJSON_AddStringToObject(files, "energy", "energy.csv");
    if (in->ablation)
        cJSON_AddStringToObject(files, "ablation", "ablation.csv");
    for (int i = 0; s.plots_drawn && i < sp_report_plot_noutputs; i++)
        cJSON_AddItemToArray(plots, cJSON_CreateString(sp_report_plot_outputs[i]));
    cJSON_AddItemToObject(files, "plots", plots);
    if (!s.plots_drawn)
        cJSON_AddStringToObject(files, "plots_note", note);
    char *text = sp_report_stats_text(in, files, err, errlen); /* takes files */
    if (!text)
        return -1;
    int rc = sp_report_write_file(dir, "stats.json", text, err, errlen);
    free(text);
    if (!rc && sum)
        *sum = s;
    return rc;
}

void sp_report_print_summary(FILE *f, const sp_report_summary *s, const char *dir)
{
    fprintf(f, "spattn: %llu cycles (%.3f ms), energy %.3f mJ (%.2f W average), area %.2f mm^2\n",
            (unsigned long long)s->cycles, s->seconds * 1e3, s->energy_pj * 1e-9, s->power_w, s->area_mm2);
    fprintf(f, "spattn: dense baseline %s (K %d, V %d, query %d bits; %s): %llu cycles, %.3f mJ -> speedup %.2fx, DRAM data reduction %.2fx (K+V bits %.2fx)\n",
            s->baseline_name ? s->baseline_name : "-", s->k_bits, s->v_bits, s->q_bits, s->baseline,
            (unsigned long long)s->dense_cycles, s->dense_energy_pj * 1e-9, s->vs.speedup, s->vs.dram_data_reduction,
            s->vs.kv_bits_reduction);
    if (s->has_other)
        fprintf(f, "spattn: against %s (K %d, V %d, query %d bits): speedup %.2fx, DRAM data reduction %.2fx (K+V bits %.2fx)\n",
                s->other_name, s->other_k_bits, s->other_v_bits, s->other_q_bits, s->other_vs.speedup,
                s->other_vs.dram_data_reduction, s->other_vs.kv_bits_reduction);
    else if (s->other_name)
        fprintf(stderr, "spattn: notice: baseline %s %s\n", s->other_name, s->other_source ? s->other_source : "not run");
    fprintf(f, "spattn: DRAM achieved %.1f GB/s of %.1f GB/s peak\n", s->dram_achieved_gbps, s->dram_peak_gbps);
    fprintf(f, "spattn: bound %llu cycles (binding unit %s): achieved / bound %.2fx\n", (unsigned long long)s->bound_cycles,
            s->bound_unit ? s->bound_unit : "-", s->bound_cycles ? (double)s->cycles / (double)s->bound_cycles : 0.0);
    if (s->positions_spread)
        fprintf(stderr, "spattn: notice: the run's token positions exceed the capture (%u M positions), so the "
                "timing model fetched rows by the spread rule (timing_input in stats.json; docs/costs.md s1)\n",
                SP_CAPTURE_MAX_INTS >> 20);
    if (s->plots_drawn)
        fprintf(f, "spattn: plots %s/{cycles,energy,dram,util}.{png,svg}\n", dir);
    else
        fprintf(stderr, "spattn: warning: %s\n", s->plots_note); /* a warning, not a failure */
}
