/* plot_sweep.h - the plots of a sweep drawn from its sweep.csv alone
 * (reports/plot_sweep.c; `spattn plot DIR`, docs/sweep.md "Plots"):
 * Pareto fronts (energy vs cycles, area vs cycles, error vs energy), a
 * metric against one axis as lines, and heat maps over two axes. Columns are
 * found by name in the header, so extra columns are ignored; area and
 * accuracy are optional (their plots are skipped with a note). When
 * dir/accuracy.csv (eval/minilm_eval.py --sweep) is there and lists the
 * same points, the accuracy-vs-energy front shows its closed-loop metric
 * (emb_cos_mean, maximised) instead of the open-loop out_rel_err_mean. */
#ifndef SP_PLOT_SWEEP_H
#define SP_PLOT_SWEEP_H
#include <stddef.h>

#define SP_PLOT_SWEEP_MAX_FILES 48

/* What sp_plot_sweep_dir wrote into dir (names, static strings or owned by
 * the struct) and what it skipped. */
typedef struct {
    int n;
    char names[SP_PLOT_SWEEP_MAX_FILES][300];
    char skipped[512]; /* "; "-separated notes on plots not drawn */
    char accuracy[256]; /* which accuracy the accuracy-vs-energy front shows ("" when none) */
} sp_plot_sweep_files;

/* Reads dir/sweep.csv, writes the plot data (plot_*.dat, plot_vars.gp,
 * plot_labels.dat: the names as data, docs/outputs.md) and the scripts of
 * reports/plots/sweep/{front,lines,heat}_*.gp into dir, and runs gnuplot
 * there. trace and config name the sweep in the titles (any text; NULL: not
 * known). Returns -1 with err ("dir/sweep.csv:LINE: ...", or accuracy.csv
 * when it does not match the sweep's points) on bad input or a
 * write error, before any file is written when the CSV is bad; 0 when every
 * plot was drawn; 1 when gnuplot is missing or failed (note says why; the
 * data and scripts are there). out lists every file written (plots only
 * when drawn). */
int sp_plot_sweep_dir(const char *dir, const char *trace, const char *config, sp_plot_sweep_files *out, char *note,
                      size_t notelen, char *err, size_t errlen);

/* generated from reports/plots/sweep/{front,lines,heat}_*.gp by mk/plot.mk */
extern const char *const sp_sweepplot_names[];
extern const char *const sp_sweepplot_scripts[];
extern const int sp_sweepplot_count;
#endif
