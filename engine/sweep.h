/* sweep.h - design-space sweeps (engine/sweep.c): the full-factorial product
 * of a config's `sweep:` axes, each point applied with sp_config_set_key,
 * checked and evaluated by the engine (engine.h: the same evaluation as
 * `spattn run`), tensor traces compared with one reference run of the same
 * trace. Point order, metrics and the accuracy definition: docs/sweep.md. */
#ifndef SP_SWEEP_H
#define SP_SWEEP_H
#include <stddef.h>
#include <stdint.h>
#include "engine.h"
#include "spattn.h"

/* Points: axis 0 is the outermost loop, the last axis the innermost
 * (varies fastest), as nested loops written in the config's order; or the
 * explicit `points:` list in its order. */
size_t sp_sweep_npoints(const sp_sweep *s); /* 0 when there are no axes */
/* An axis value as the config writes it: shortest exact decimal, or the
 * name of an enum (hardware.dram.kind: hbm2, ddr4, lpddr4). */
void sp_sweep_value_text(const sp_sweep *s, int a, double v, char *buf, size_t len);
/* The value of every axis key at point p (either form of the section). */
void sp_sweep_point_values(const sp_sweep *s, size_t p, double v[SP_SWEEP_MAX_AXES]);
/* Value index on every axis (all 0 for an explicit point list) of point p (p < sp_sweep_npoints). */
void sp_sweep_index(const sp_sweep *s, size_t p, int idx[SP_SWEEP_MAX_AXES]);
/* base with point p applied (sp_config_set_key per axis, then
 * sp_config_check); -1 with "sweep point P (key=v, ...): message". */
int sp_sweep_point_config(const sp_config *base, size_t p, sp_config *out, char *err, size_t errlen);

/* What one point measured. */
typedef struct {
    size_t index;
    double values[SP_SWEEP_MAX_AXES]; /* the swept key values */
    sp_events ev;                     /* functional model events */
    uint64_t out_checksum;
    uint64_t cycles;                  /* timing model total */
    double seconds;
    double energy_pj[SP_E_N], energy_total_pj;
    uint64_t dram_bytes;              /* moved on the DRAM bus (whole bursts) */
    uint64_t dram_data_bytes;         /* data the units asked for, all kinds */
    /* accuracy against the reference (docs/sweep.md) */
    double rel_err_mean;              /* mean relative L2 error of head outputs */
    double rel_err_max;
    double rel_err_computed_mean;     /* the same mean over the head-steps the point computed */
    double argmax_match;              /* fraction of head-steps with the same argmax token */
    uint64_t ref_steps, steps_run;    /* reference head-steps; of them, computed by this point */
    int pareto_cycles_energy;         /* on the (cycles, energy) front */
    int pareto_energy_err;            /* on the (energy, rel_err_mean) front */
    sp_engine_figures fig;            /* everything the engine measured (sweep.json "stats") */
} sp_sweep_point;

/* One point: the engine on cfg and the input (ref: the accuracy reference
 * of a tensor trace, NULL for a workload CSV; dense: the dense baseline of
 * cfg's dense config when already evaluated, else NULL), its figures into pt. */
int sp_sweep_run_point(const sp_config *cfg, const sp_engine_input *in, const sp_engine_ref *ref,
                       const sp_engine_dense *dense, sp_sweep_point *pt, char *err, size_t errlen);

typedef struct {
    size_t n;
    sp_sweep_point *pts; /* [n] in point order */
    int has_ref;         /* tensor trace: ref holds the reference run */
    sp_engine_ref ref;
} sp_sweep_result;

/* Most points one sweep may have (each one is a full model run). */
#define SP_SWEEP_MAX_POINTS 100000
/* At most SP_SWEEP_MAX_POINTS points, and every point's config is valid (sp_sweep_point_config); -1 with the
 * message of the first that is not. */
int sp_sweep_check(const sp_config *base, char *err, size_t errlen);
/* A workload CSV's counts already encode the pruning and the bit widths,
 * so axes of those keys (keep ratios and start layers, tau, q/k/v bits)
 * cannot apply to it: -1 with "sweep axis KEY: ... FILE" for the first one. */
int sp_sweep_check_workload(const sp_config *base, const char *path, char *err, size_t errlen);
/* The whole sweep: reference (tensor traces), then every point on `jobs`
 * threads (>= 1); results are in point order whatever jobs is, and so are
 * errors (the lowest failing point's message). Sets the Pareto flags. */
int sp_sweep_run(const sp_config *base, const sp_engine_input *in, int jobs, sp_sweep_result *res, char *err,
                 size_t errlen);
void sp_sweep_result_free(sp_sweep_result *res);

/* A resumable or sliced run (cli/cmd_sweep.c): points already done are
 * skipped, each finished point is handed to done() on its worker thread
 * (the journal append; nonzero stops the sweep with err), and progress()
 * is called under a lock after each one. res->pts of skipped points stay
 * zero and no Pareto flags are set (the report computes them from every
 * point's record). */
typedef struct {
    const unsigned char *skip; /* [npoints] 1: do not run; NULL: run all */
    int (*done)(void *ctx, const sp_sweep_point *pt, char *err, size_t errlen);
    void (*progress)(void *ctx, size_t finished);
    void *ctx;
} sp_sweep_opts;
int sp_sweep_run_opts(const sp_config *base, const sp_engine_input *in, int jobs, const sp_sweep_opts *o,
                      sp_sweep_result *res, char *err, size_t errlen);

/* Pareto flags over n points: a point is on the front of (x, y), both to
 * be minimised, when no other point is <= in both and < in one. */
void sp_sweep_pareto(const double *x, const double *y, size_t n, int *front);
#endif
