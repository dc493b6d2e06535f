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
    const sp_sweep_result *res;   /* the points, when records is NULL */
    /* or: each point's record (sp_sweep_point_record, e.g. read back from
     * the journal), [n] in point order, all present; with has_ref and ref
     * (the reference run of a tensor trace) */
    char *const *records;
    size_t n;
    int has_ref;
    const sp_engine_ref *ref;
    /* several traces (n_traces > 1): the trace is the outermost axis,
     * record i belongs to trace i / (n / n_traces); specs, inputs and (with
     * has_ref) refs of each; input/trace_spec/ref above are trace 0's */
    int n_traces;
    const char *const *trace_specs;
    const sp_engine_input *const *inputs;
    const sp_engine_ref *const *refs;
    /* more sweep.csv columns, which the records' rows already hold: their
     * header text (",name,..."), written before the Pareto flags; or NULL */
    const char *extra_cols;
} sp_sweep_report_in;

/* One point as one line of JSON text (malloc'ed; NULL when out of
 * memory): its sweep.csv row without the Pareto flags, the figures the
 * flags are computed from, and its sweep.json object. The output files are
 * made from these records alone, so a resumed sweep writes the same bytes. */
char *sp_sweep_point_record(const sp_config *cfg, int has_ref, const sp_sweep_point *p);
/* the same for a sweep of several traces: trace_col is written after the
 * axis columns (the trace spec), p->index is within the trace and id the
 * point's number in the whole sweep */
char *sp_sweep_point_record_multi(const sp_config *cfg, int has_ref, const char *trace_col, size_t id,
                                  const sp_sweep_point *p);

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
