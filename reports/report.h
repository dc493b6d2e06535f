/* report.h - a run's output files: stats.json, layers.csv, energy.csv and
 * gnuplot plots (PNG + SVG), each written through a temporary name and a
 * rename. The cost models (timing, DRAM, energy, area) run here, for the
 * run and for its dense baseline on the same hardware. */
#ifndef SP_REPORT_H
#define SP_REPORT_H
#include <stddef.h>
#include <stdio.h>
#include "area.h"
#include "energy.h"
#include "spattn.h"
#include "timing.h"
#include "workload.h"

/* Token positions of every head-step of a functional run, captured through
 * the controller's observer, so the timing model fetches the rows the run
 * really used (R9 of docs/costs.md). Beyond SP_CAPTURE_MAX_INTS positions
 * the capture stops and the report falls back to the spread rule. */
#define SP_CAPTURE_MAX_INTS (16u << 20)
typedef struct {
    int32_t *pool;
    size_t n, cap;
    size_t *koff, *voff; /* per head-step call: offsets into pool */
    uint32_t *kn, *vn;
    size_t calls, ccap;
    int overflow;
    int last_it, last_layer, last_head;
} sp_report_capture;
void sp_report_capture_init(sp_report_capture *c);
void sp_report_capture_free(sp_report_capture *c);
/* an observer whose head_step callback fills c */
sp_observer sp_report_capture_observer(sp_report_capture *c);

typedef struct {
    const sp_config *cfg;
    const char *config_path; /* as given by the user */
    const char *trace_spec;  /* as given by the user */
    const sp_trace *trace;   /* tensor-trace runs; NULL in timing-only runs */
    const sp_run_result *res;/* tensor-trace runs; NULL in timing-only runs */
    const char *engine;      /* "cmodel", "rtl", "cosim", "timing" */
    /* timing-only runs (an official workload CSV): */
    const sp_workload *workload;
    const sp_workload *baseline; /* the dense CSV; NULL: derived from workload */
    const char *baseline_path;
    const sp_report_capture *capture; /* tensor runs: token positions, or NULL */
} sp_report_in;

/* Headline figures, for the command line. */
typedef struct {
    uint64_t cycles, dense_cycles;
    double seconds, dense_seconds;
    double energy_pj, dense_energy_pj, power_w;
    double area_mm2;
    double speedup;            /* dense cycles / cycles */
    double dram_reduction;     /* dense / run DRAM data bytes (all kinds) */
    double kv_bits_reduction;  /* dense / run K+V data bits */
    double dram_achieved_gbps, dram_peak_gbps;
    uint64_t bound_cycles;     /* the run's bound (docs/costs.md s1) */
    const char *bound_unit;    /* its binding unit (a static name) */
    uint64_t k_tiled_steps, v_tiled_steps; /* contexts streamed through a K/V slot in tiles */
    uint32_t k_tiles_max, v_tiles_max;
    int plots_drawn;           /* 1: PNG + SVG written */
    char plots_note[256];      /* why not, when not */
    char baseline[600];        /* where the dense baseline came from */
} sp_report_summary;

/* Writes every report file into dir (an empty directory the caller made).
 * -1 with a message on error. */
int sp_report_write_dir(const char *dir, const sp_report_in *in, char *err, size_t errlen);
/* The same, also filling *sum (may be NULL). */
int sp_report_write_dir_sum(const char *dir, const sp_report_in *in, sp_report_summary *sum,
                            char *err, size_t errlen);
/* Prints the headline lines (cycles, time, energy, speedup, DRAM reduction,
 * plot paths) for a run written to dir. */
void sp_report_print_summary(FILE *f, const sp_report_summary *s, const char *dir);

/* Writes text to dir/name through a temporary name and rename. */
int sp_report_write_file(const char *dir, const char *name, const char *text, char *err, size_t errlen);
/* cJSON_Print(root) with a final newline (malloc'ed; NULL when out of
 * memory): the text of stats.json and sweep.json. */
struct cJSON;
char *sp_report_json_text(const struct cJSON *root);

/* ---- internal to reports/ ------------------------------------------- */
typedef struct {
    sp_tm_steps steps, dense_steps;
    sp_tm_result tm, dense_tm;
    sp_energy_report en, dense_en;
    sp_area_report area;
} sp_report_data;

/* growable text buffer */
typedef struct {
    char *p;
    size_t n, cap;
    int oom;
} sp_buf;
void sp_buf_printf(sp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sp_buf_free(sp_buf *b);

int sp_report_costs(const sp_report_in *in, sp_report_data *d, char *err, size_t errlen);
void sp_report_data_free(sp_report_data *d);
uint64_t sp_report_data_bytes(const sp_tm_result *r);
int sp_report_csvs(const char *dir, const sp_report_data *d, char *err, size_t errlen);
/* draws the plots with gnuplot; returns 0 when drawn, 1 when gnuplot is
 * missing or failed (note says why), -1 on a write error */
int sp_report_plots(const char *dir, const sp_report_data *d, char *note, size_t notelen,
                    char *err, size_t errlen);
/* Runs gnuplot on the n scripts (at most 14, names relative to dir) inside
 * dir, its stdout and stderr into dir/gnuplot.log.part; *st is its wait
 * status. -1 with note set when it could not be started (fork failed). */
int sp_report_gnuplot(const char *dir, const char *const *scripts, int n, int *st, char *note, size_t notelen);
/* After sp_report_gnuplot (wait status st; ok: every plot is in place):
 * keeps dir/gnuplot.log only when gnuplot printed something; 0 when ok,
 * else 1 with note saying why (`left`: what stays in the directory). */
int sp_report_gnuplot_done(const char *dir, int st, int ok, const char *left, char *note, size_t notelen);
/* generated from the reports/plots scripts by mk/costs.mk */
extern const char *const sp_plot_scripts[];
extern const char *const sp_plot_names[];
extern const int sp_plot_count;
#endif
