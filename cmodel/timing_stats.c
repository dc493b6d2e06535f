/* timing_stats.c - the timing model's part of the statistics (timing.h
 * sp_timing_stats): stats.json "timing" and "dense_baseline.timing". */
#include <stdio.h>
#include "timing.h"

void sp_timing_stats(const sp_tm_result *r, const sp_config *cfg, sp_stats *s, const char *g)
{
    char b[128], d[128];
    sp_stats_int(s, g, "total", "cycles", r->total_cycles);
    sp_stats_real(s, g, "time", "s", r->seconds);
    sp_stats_int(s, g, "head_steps", "count", r->head_steps);
    sp_stats_int(s, g, "requant_steps", "count", r->requants);
    /* the run's bound (docs/costs.md s1 "Bound") */
    sp_stats_int(s, g, "bound", "cycles", r->bound_cycles);
    sp_stats_real(s, g, "achieved_over_bound", "ratio",
                  r->bound_cycles ? (double)r->total_cycles / (double)r->bound_cycles : 0.0);
    sp_stats_text(s, g, "bound_unit", sp_bound_unit_names[r->bound_unit]);
    char w[128], t[128], u[128];
    sp_stats_path(w, sizeof w, g, "bound_work");
    sp_stats_path(t, sizeof t, g, "bound_term");
    sp_stats_path(u, sizeof u, g, "utilisation");
    for (int i = 0; i < SP_BU_N; i++) {
        sp_stats_int(s, w, sp_bound_unit_names[i], "cycles", r->bound_work[i]);
        sp_stats_int(s, t, sp_bound_unit_names[i], "cycles", r->bound_term[i]);
        sp_stats_real(s, u, sp_bound_unit_names[i], "ratio",
                      r->total_cycles ? (double)r->bound_work[i] / (double)r->total_cycles : 0.0);
    }
    sp_stats_path(b, sizeof b, g, "unit_busy");
    for (int i = 0; i < SP_U_N; i++)
        sp_stats_int(s, b, sp_unit_names[i], "cycles", r->unit_cycles[i]);
    sp_stats_path(d, sizeof d, g, "dram");
    sp_dram_stats_put(&r->dram, &cfg->hw.dram, s, d);
    /* the data the units asked for (the DRAM model counts whole bursts) */
    sp_stats_path(b, sizeof b, d, "data_by_kind");
    uint64_t tot = 0;
    for (int i = 0; i < SP_DK_N; i++) {
        sp_stats_int(s, b, sp_dram_kind_names[i], "bytes", (r->data_bits[i] + 7) / 8);
        tot += r->data_bits[i];
    }
    sp_stats_int(s, b, "total", "bytes", (tot + 7) / 8);
    sp_stats_real(s, d, "peak", "bytes_per_s", r->dram_peak_bytes_per_s);
    sp_stats_real(s, d, "achieved", "bytes_per_s", r->dram_achieved_bytes_per_s);
}
