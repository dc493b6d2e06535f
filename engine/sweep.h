/* sweep.h - design-space sweeps (cmodel/sweep.c): the full-factorial product
 * of a config's `sweep:` axes, each point applied with sp_config_set_key,
 * checked, run through the functional model, the timing model and the
 * energy model, and compared with one reference run of the same trace.
 * Point order, metrics and the accuracy definition: docs/sweep.md. */
#ifndef SP_SWEEP_H
#define SP_SWEEP_H
#include <stddef.h>
#include <stdint.h>
#include "energy.h"
#include "spattn.h"
#include "timing.h"

/* Points: axis 0 is the outermost loop, the last axis the innermost
 * (varies fastest), as nested loops written in the config's order. */
size_t sp_sweep_npoints(const sp_sweep *s); /* 0 when there are no axes */
/* Value index on every axis of point p (p < sp_sweep_npoints). */
void sp_sweep_index(const sp_sweep *s, size_t p, int idx[SP_SWEEP_MAX_AXES]);
/* base with point p applied (sp_config_set_key per axis, then
 * sp_config_check); -1 with "sweep point P (key=v, ...): message". */
int sp_sweep_point_config(const sp_config *base, size_t p, sp_config *out, char *err, size_t errlen);

/* The accuracy reference: base with token_keep = head_keep = value_keep = 1,
 * tau = 1 and full-width keys and values fetched at once (k_msb + k_lsb
 * bits as k_msb, k_lsb = 0; the same for v), so no head-step is pruned
 * or approximated. */
void sp_sweep_reference_config(const sp_config *base, sp_config *ref);

/* Head outputs of the reference run, one record per head-step
 * (iteration, layer, head, row) in that nesting order. */
typedef struct {
    int iters, layers, heads, rows, d;
    size_t n;            /* iters * layers * heads * rows */
    int16_t *out;        /* [n][d] */
    int64_t *norm2;      /* [n] squared L2 norm of out */
    int32_t *argmax;     /* [n] token of the largest probability (lowest index on ties) */
    uint64_t nonzero;    /* records with norm2 > 0 */
    sp_events ev;        /* events of the reference run */
} sp_sweep_ref;

int sp_sweep_ref_build(const sp_config *base, const sp_trace *tr, sp_sweep_ref *ref, char *err,
                       size_t errlen);
void sp_sweep_ref_free(sp_sweep_ref *ref);

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
} sp_sweep_point;

/* One point: run cfg on tr, time it, cost it, compare with ref. */
int sp_sweep_run_point(const sp_config *cfg, const sp_trace *tr, const sp_sweep_ref *ref,
                       sp_sweep_point *pt, char *err, size_t errlen);

typedef struct {
    size_t n;
    sp_sweep_point *pts; /* [n] in point order */
    sp_sweep_ref ref;
} sp_sweep_result;

/* Most points one sweep may have (each one is a full model run). */
#define SP_SWEEP_MAX_POINTS 100000
/* At most SP_SWEEP_MAX_POINTS points, and every point's config is valid (sp_sweep_point_config); -1 with the
 * message of the first that is not. */
int sp_sweep_check(const sp_config *base, char *err, size_t errlen);
/* The whole sweep: reference, then every point on `jobs` threads (>= 1);
 * results are in point order whatever jobs is, and so are errors (the
 * lowest failing point's message). Sets the Pareto flags. */
int sp_sweep_run(const sp_config *base, const sp_trace *tr, int jobs, sp_sweep_result *res, char *err,
                 size_t errlen);
void sp_sweep_result_free(sp_sweep_result *res);

/* Pareto flags over n points: a point is on the front of (x, y), both to
 * be minimised, when no other point is <= in both and < in one. */
void sp_sweep_pareto(const double *x, const double *y, size_t n, int *front);
#endif
