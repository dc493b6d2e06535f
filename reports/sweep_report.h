/* sweep_report.h - output files of `spattn sweep` (reports/sweep_report.c):
 * sweep.csv, sweep.json, and the Pareto plots (PNG + SVG, gnuplot).
 * Columns and fields: docs/sweep.md. A workload CSV sweep has no accuracy:
 * its accuracy columns are empty and only the cycles/energy plot is drawn. */
#ifndef SP_SWEEP_REPORT_H
#define SP_SWEEP_REPORT_H
#include <stddef.h>
#include "spattn.h"
#include "sweep.h"

typedef struct {
    const sp_config *cfg;     /* the base config (with its sweep section) */
    const char *config_path;  /* as given by the user */
    const char *trace_spec;   /* as given by the user */
    const sp_engine_input *input; /* the tensor trace or workload CSV swept */
    const sp_sweep_result *res;
} sp_sweep_report_in;

/* The text of sweep.csv / sweep.json (malloc'ed; NULL when out of memory). */
char *sp_sweep_csv_text(const sp_sweep_report_in *in);
char *sp_sweep_json_text(const sp_sweep_report_in *in);

/* Writes sweep.csv, sweep.json and, when plots != 0, the plot scripts and
 * sweep_vars.gp into dir, then runs gnuplot there. Returns -1 with err on a
 * write error, 0 when everything (plots included) was written, 1 when the
 * plots could not be drawn (note says why; data and scripts are there). */
int sp_sweep_report_write_dir(const char *dir, const sp_sweep_report_in *in, int plots, char *note,
                              size_t notelen, char *err, size_t errlen);

/* generated from reports/plots/sweep/pareto_*.gp by mk/sweep.mk */
extern const char *const sp_sweep_plot_names[];
extern const char *const sp_sweep_plot_scripts[];
extern const int sp_sweep_plot_count;
#endif
