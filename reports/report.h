/* report.h - a run's output files, written from an engine result
 * (engine/engine.h): stats.json, layers.csv, energy.csv and gnuplot plots
 * (PNG + SVG), each through a temporary name and a rename. reports/ runs
 * no model: the figures come from the result. */
#ifndef SP_REPORT_H
#define SP_REPORT_H
#include <stddef.h>
#include <stdio.h>
#include "ablation.h"
#include "engine.h"
#include "spattn.h"
#include "stats.h"

typedef struct {
    const sp_config *cfg;
    const char *config_path;       /* as given by the user */
    const char *trace_spec;        /* as given by the user */
    const char *engine;            /* "cmodel", "timing" (workload CSV), ... */
    const sp_engine_input *input;  /* what the trace spec opened */
    const sp_engine_result *res;   /* sp_engine_run on cfg and input */
    const sp_ablation *ablation;   /* `run --ablation`: ablation.csv and stats.json "ablation", else NULL */
} sp_report_in;

/* Headline figures, for the command line. */
typedef struct {
    uint64_t cycles, dense_cycles;
    double seconds, dense_seconds;
    double energy_pj, dense_energy_pj, power_w;
    double area_mm2;
    sp_engine_vs_dense vs;
    double dram_achieved_gbps, dram_peak_gbps;
    uint64_t bound_cycles;     /* the run's bound (docs/costs.md s1) */
    const char *bound_unit;    /* its binding unit (a static name) */
    int positions_spread;      /* timing used the spread rule, not the run's positions */
    int plots_drawn;           /* 1: PNG + SVG written */
    char plots_note[256];      /* why not, when not */
    char baseline[600];        /* where the dense baseline came from */
    const char *baseline_name; /* which baseline it is (sp_engine_base_names) */
    int k_bits, v_bits, q_bits; /* its widths */
    int has_other;             /* the other baseline (docs/costs.md "Baselines") was evaluated */
    const char *other_name;
    const char *other_source;  /* the other baseline's source ("not run: why" when it was not) */
    int other_k_bits, other_v_bits, other_q_bits;
    sp_engine_vs_dense other_vs; /* the run against it */
} sp_report_summary;

/* Writes every report file into dir (an empty directory the caller made)
 * and fills *sum (may be NULL). -1 with a message on error. */
int sp_report_write_dir(const char *dir, const sp_report_in *in, sp_report_summary *sum, char *err, size_t errlen);
/* Prints the headline lines (cycles, time, energy, speedup, DRAM reduction,
 * plot paths) for a run written to dir. */
void sp_report_print_summary(FILE *f, const sp_report_summary *s, const char *dir);

/* The per-technique breakdown (ablation_out.c): dir/ablation.csv, the
 * "ablation" object of stats.json, the table on stdout. */
int sp_report_ablation_csv(const char *dir, const sp_ablation *ab, char *err, size_t errlen);
struct cJSON *sp_report_ablation_json(const sp_ablation *ab);
void sp_report_print_ablation(FILE *f, const sp_ablation *ab);

/* Writes text to dir/name through a temporary name and rename. */
int sp_report_write_file(const char *dir, const char *name, const char *text, char *err, size_t errlen);
/* cJSON_Print(root) with a final newline (malloc'ed; NULL when out of
 * memory): the text of stats.json and sweep.json. */
struct cJSON;
char *sp_report_json_text(const struct cJSON *root);
/* Adds every entry of a stats registry to the JSON object root: nested
 * objects by group path, keys name_unit. -1 when out of memory. */
int sp_report_stats_to_json(const sp_stats *s, struct cJSON *root);

/* ---- internal to reports/ ------------------------------------------- */

/* growable text buffer (files.c) */
typedef struct {
    char *p;
    size_t n, cap;
    int oom;
} sp_buf;
void sp_buf_printf(sp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sp_buf_free(sp_buf *b);

/* stats.json text (stats_json.c); files: the "files" object to embed */
char *sp_report_stats_text(const sp_report_in *in, struct cJSON *files, char *err, size_t errlen);
/* layers.csv, energy.csv (csv_out.c) */
int sp_report_csvs(const char *dir, const sp_engine_result *r, char *err, size_t errlen);
/* draws the plots with gnuplot (plots.c; titles naming trace and config,
 * through labels.dat); returns 0 when drawn, 1 when gnuplot is missing or
 * failed (note says why), -1 on a write error or an incomplete plot file
 * (err) */
int sp_report_plots(const char *dir, const sp_engine_result *r, const char *trace, const char *config, char *note,
                    size_t notelen, char *err, size_t errlen);
/* Writes dir/labels.dat: the n strings as data for the plot scripts (each
 * byte a decimal number, one a line, 0 at the end; strings separated by two
 * blank lines); `what` says which string is which in its comment. */
int sp_report_write_labels(const char *dir, const char *what, const char *const *strs, int n, char *err,
                           size_t errlen);
/* The same into dir/name (the sweep redraw's plot_labels.dat). */
int sp_report_write_labels_as(const char *dir, const char *name, const char *what, const char *const *strs, int n,
                              char *err, size_t errlen);
/* 0 when the plot file at path (name: for the message; .png or .svg) is
 * complete: PNG signature and IEND chunk, or SVG text ending in </svg>;
 * else -1 with a message. */
int sp_report_plot_complete(const char *path, const char *name, char *err, size_t errlen);
/* Runs gnuplot on the n scripts (at most 14, names relative to dir) inside
 * dir, in its own process group and registered for an interrupt to kill
 * (traces/tmpout.h), its stdout and stderr into dir/gnuplot.log.part; *st
 * is its wait status. -1 with note set when it could not be started. */
int sp_report_gnuplot(const char *dir, const char *const *scripts, int n, int *st, char *note, size_t notelen);
/* After sp_report_gnuplot (wait status st; ok: every plot is in place):
 * keeps dir/gnuplot.log only when gnuplot printed something; 0 when ok,
 * else 1 with note saying why (`left`: what stays in the directory); -1
 * when the log cannot be renamed (message in err, unless err is NULL). */
int sp_report_gnuplot_done(const char *dir, int st, int ok, const char *left, char *note, size_t notelen, char *err,
                           size_t errlen);
/* the names of the plot files sp_report_plots draws */
extern const char *const sp_report_plot_outputs[];
extern const int sp_report_plot_noutputs;
/* generated from the reports/plots scripts by mk/costs.mk */
extern const char *const sp_plot_scripts[];
extern const char *const sp_plot_names[];
extern const int sp_plot_count;
#endif
