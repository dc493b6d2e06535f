/* engine.h - evaluation (engine/engine.c): config + tensor trace or
 * official workload CSV -> one result: the functional records (tensor
 * traces), the timing + DRAM model, energy, area, accuracy against an
 * unpruned reference run (tensor traces, when a reference is given), and
 * the dense baseline on the same hardware. `spattn run`, every sweep point
 * and the co-sim's C side call sp_engine_run; reports/ only writes a result
 * out. Rules of every cost: docs/costs.md; accuracy: docs/sweep.md. */
#ifndef SP_ENGINE_H
#define SP_ENGINE_H
#include <stddef.h>
#include <stdint.h>
#include "area.h"
#include "energy.h"
#include "spattn.h"
#include "stats.h"
#include "timing.h"
#include "workload.h"

/* ---- input --------------------------------------------------------- */

/* What a trace spec names: a tensor trace (synth:..., .safetensors) or an
 * official workload CSV (timing only) with its dense baseline CSV when
 * there is one. */
typedef struct {
    int is_workload;
    sp_trace trace;          /* !is_workload */
    sp_workload workload;    /* is_workload */
    sp_workload baseline;    /* is_workload && has_baseline */
    int has_baseline;
    char baseline_path[600];
} sp_engine_input;
/* Opens spec: a name ending in ".csv" is a workload CSV; its dense
 * baseline is baseline (may be NULL), else the "-dense.csv" file beside a
 * "-pruned.csv" one, else none (derived from the workload's shape). Any
 * other spec is a tensor trace opened with alg's widths (traces/traces.h);
 * baseline must then be NULL. -1 with a message naming the file. */
int sp_engine_input_open(const char *spec, const char *baseline, const sp_alg_cfg *alg, sp_engine_input *in,
                         char *err, size_t errlen);
void sp_engine_input_free(sp_engine_input *in);

/* ---- accuracy reference -------------------------------------------- */

/* The reference config: cfg with token_keep = head_keep = value_keep = 1,
 * tau = 1 and full-width keys and values fetched at once (k_msb + k_lsb
 * bits as k_msb, k_lsb = 0; the same for v), so no head-step is pruned or
 * approximated; no sweep axes. */
void sp_engine_reference_config(const sp_config *cfg, sp_config *ref);

/* Head outputs of the reference run, one record per head-step
 * (iteration, layer, head, row) in that nesting order. */
typedef struct {
    int iters, layers, heads, rows, d;
    size_t n;            /* iters * layers * heads * rows */
    int16_t *out;        /* [n][d] */
    int16_t *argmax;     /* [n] token of the largest probability (lowest index on ties), -1: none */
    uint64_t nonzero;    /* records with a non-zero out */
    sp_events ev;        /* events of the reference run */
} sp_engine_ref;
/* Runs the reference config of cfg on tr. */
int sp_engine_ref_build(const sp_config *cfg, const sp_trace *tr, sp_engine_ref *ref, char *err, size_t errlen);
void sp_engine_ref_free(sp_engine_ref *ref);

/* Accuracy of a run against the reference (docs/sweep.md "Accuracy"). */
typedef struct {
    double rel_err_mean;          /* mean relative L2 error of head outputs, all reference head-steps */
    double rel_err_max;
    double rel_err_computed_mean; /* the same mean over the head-steps the run computed */
    double argmax_match;          /* fraction of head-steps with the same argmax token */
    uint64_t ref_steps, steps_run;
} sp_engine_accuracy;

/* ---- evaluation ---------------------------------------------------- */

/* Token positions of every head-step of a functional run, captured through
 * the controller's observer, so the timing model fetches the rows the run
 * really used (docs/costs.md s1 "Addresses"). Beyond SP_CAPTURE_MAX_INTS positions
 * the capture stops and the timing model falls back to the spread rule. */
#define SP_CAPTURE_MAX_INTS (16u << 20)
typedef struct {
    int32_t *pool;
    size_t n, cap;
    /* runs of consecutive head-step calls with the same lists (encoder rows
     * of a head with equal kept values share them): calls in the run,
     * offsets of the key and kept-value lists in pool, their lengths */
    uint32_t *cnt;
    size_t *koff, *voff;
    uint32_t *kn, *vn;
    size_t ents, ccap;
    size_t calls;
    int overflow;
    int last_it, last_layer, last_head;
} sp_engine_capture;
void sp_engine_capture_init(sp_engine_capture *c);
void sp_engine_capture_free(sp_engine_capture *c);
/* an observer whose head_step callback fills c */
sp_observer sp_engine_capture_observer(sp_engine_capture *c);
/* Points the steps of a functional run (sp_tm_steps_from_run) at the
 * captured positions when c holds exactly their counts; 1 when it did. */
int sp_engine_capture_apply(const sp_engine_capture *c, sp_tm_steps *st);


/* The dense baseline's config: cfg's hardware and energy tables with the
 * algorithm of no pruning and full-width keys and values in one fetch
 * (keep ratios 1, start layers 0, tau 0, k_msb + k_lsb bits as k_msb,
 * k_lsb 0, the same for v; q_bits kept), no sweep, no source. Two configs
 * with the same dense config have the same dense baseline. */
void sp_engine_dense_config(const sp_config *cfg, sp_config *dense);

/* ---- baselines (engine/baselines.c) ---------------------------------- */

/* The two dense baselines every run reports (docs/costs.md "Baselines"). */
enum {
    SP_BASE_12BIT, /* K and V at 12 bits (the official workload README's canonical baseline) */
    SP_BASE_OWN,   /* K and V at the run's own full widths (config: k_msb + k_lsb; CSV: MSB + LSB of its rows) */
    SP_BASE_N
};
extern const char *const sp_engine_base_names[SP_BASE_N]; /* "dense_12bit", "dense_own_widths" */
#define SP_BASE_CANON_BITS 12
/* Which of the two is the input's primary baseline: SP_BASE_OWN for a
 * tensor trace, SP_BASE_12BIT for a workload CSV. */
int sp_engine_base_primary(const sp_engine_input *in);

/* One dense baseline's figures. */
typedef struct {
    sp_tm_result tm;
    sp_energy_report en;
    char source[600];          /* where it came from */
    int k_bits, v_bits, q_bits; /* widths of its K, V (one fetch each) and query */
} sp_engine_base;
/* The dense baseline `which` of the input on cfg's hardware: every token
 * and head, K and V in one fetch, no requant, no top-k, no selections;
 * for a workload CSV its dense CSV when the input has one. steps (may be
 * NULL) gets the timed head-step records. */
int sp_engine_dense_run_base(const sp_config *cfg, const sp_engine_input *in, int which, sp_engine_base *b,
                             sp_tm_steps *steps, char *err, size_t errlen);

/* Both dense baselines of a config (sweep points with the same dense
 * config share them). */
typedef struct {
    int primary;               /* sp_engine_base_primary of the input */
    sp_engine_base base[SP_BASE_N];
} sp_engine_dense;
/* Both baselines of the input on cfg's hardware (sp_engine_dense_config of
 * cfg, or of the algorithm a workload CSV fixes); steps (may be NULL) gets
 * the primary one's timed head-step records. */
int sp_engine_dense_run(const sp_config *cfg, const sp_engine_input *in, sp_engine_dense *d, sp_tm_steps *steps,
                        char *err, size_t errlen);

/* What a workload CSV's rows fix (they encode the algorithm: the config's
 * algorithm keys do not apply to a CSV run). */
typedef struct {
    int k_bits, v_bits, q_bits;  /* quant_key_bit, quant_value_bit, quant_query_bit: largest over rows; -1 if none set */
    int lsb_incr;                /* auto_requant_incre: largest over rows; 0 if none */
    double tau;                  /* auto_requant_thres: largest over rows; -1 if none */
    uint64_t requant_rows;       /* rows with if_requant */
    int k_lsb_refetch, v_lsb_refetch; /* 1: the timing model refetches LSBs on if_requant (tm_workload.c) */
    int token_start_layer;       /* first layer with an if_topk row; layers if none */
    int head_start_layer;        /* first layer after which a head is absent; layers if none */
} sp_engine_wl_alg;
void sp_engine_workload_alg(const sp_workload *w, sp_engine_wl_alg *a);
/* cfg's hardware and energy with the algorithm a workload CSV fixes
 * (widths of its rows, -1 = 12 bits; start layers as above; keep ratios 1):
 * the config every CSV run is evaluated with. */
void sp_engine_workload_config(const sp_config *cfg, const sp_workload *w, sp_config *eff);

/* The figures of one evaluation, without the per-step records (what a
 * sweep keeps per point). */
typedef struct {
    int functional;            /* 1: a tensor trace ran through the C model */
    sp_events ev;              /* functional: the model's events */
    uint64_t out_checksum;     /* functional: FNV-1a of every output */
    sp_tm_result tm, dense_tm; /* timing + DRAM: the run, its dense baseline */
    sp_energy_report en, dense_en;
    sp_area_report area;
    int has_accuracy;          /* functional and a reference was given */
    sp_engine_accuracy acc;
    char timing_input[64];     /* where the run's timing records came from */
    int positions_spread;      /* a tensor trace whose token positions overflowed the capture
                                * (SP_CAPTURE_MAX_INTS): timing used the spread rule */
    char dense_source[600];    /* where the dense baseline came from */
    int dense_which;           /* SP_BASE_*: which baseline dense_tm is */
    int dense_k_bits, dense_v_bits, dense_q_bits;
    sp_engine_base base[SP_BASE_N]; /* both dense baselines (dense_tm, dense_en: base[dense_which]) */
    int is_workload;           /* a workload CSV run: wl_alg is what its rows fix */
    sp_engine_wl_alg wl_alg;
} sp_engine_figures;

typedef struct {
    const sp_config *cfg;
    const sp_engine_input *input;
    const sp_engine_ref *ref;  /* tensor traces: accuracy reference, or NULL (no accuracy) */
    const sp_observer *observer; /* tensor traces: also told of every head-step and pruning, or NULL */
    const sp_engine_dense *dense; /* the dense baseline already evaluated for this config's dense config
                                   * (sweep points share it), or NULL: evaluated here */
} sp_engine_in;

typedef struct {
    sp_engine_figures fig;
    sp_run_result run;         /* fig.functional: per (iteration, layer, head) records */
    sp_tm_steps steps, dense_steps; /* the timed head-step records (dense_steps: the primary baseline's; empty when in->dense was given) */
    sp_engine_capture cap;
} sp_engine_result;

/* Evaluates in; -1 with a message. Free the result with sp_engine_result_free. */
int sp_engine_run(const sp_engine_in *in, sp_engine_result *r, char *err, size_t errlen);
void sp_engine_result_free(sp_engine_result *r);

/* Ratios against the dense baseline (0 when the divisor is 0). */
typedef struct {
    double speedup;            /* dense cycles / cycles */
    double dram_data_reduction;/* dense / run DRAM data bytes (all kinds) */
    double dram_bus_reduction; /* the same in whole bursts */
    double kv_bits_reduction;  /* dense / run K+V data bits */
    double kv_msb_bits_reduction; /* dense / run K MSB + V data bits */
    double energy_reduction;
} sp_engine_vs_dense;
void sp_engine_vs_dense_of(const sp_engine_figures *f, sp_engine_vs_dense *v);
/* the same ratios of run (t, en) against any dense (d, den) */
void sp_engine_vs_of(const sp_tm_result *t, const sp_energy_report *en, const sp_tm_result *d,
                     const sp_energy_report *den, sp_engine_vs_dense *v);
/* One baseline into group: its widths, source, cycles, DRAM bytes,
 * energy and the run's ratios against it (baselines.c). */
void sp_engine_base_stats(const sp_engine_figures *f, const sp_engine_base *d, sp_stats *s, const char *group);
/* What a workload CSV's rows fix, into group (baselines.c). */
void sp_engine_wl_alg_stats(const sp_engine_wl_alg *a, sp_stats *s, const char *group);
uint64_t sp_engine_data_bytes(const sp_tm_result *r); /* DRAM data bytes, all kinds */
uint64_t sp_engine_bus_bytes(const sp_tm_result *r);  /* DRAM bus bytes (whole bursts), all kinds */

/* Every figure into a stats registry, in stats.json's groups: "events"
 * (functional), "timing", "energy", "area", "accuracy" (when measured),
 * "dense_baseline" (source, definition, timing, energy), "vs_dense". Each
 * cost model fills its own group (sp_timing_stats, sp_energy_stats,
 * sp_area_stats). */
void sp_engine_stats(const sp_config *cfg, const sp_engine_figures *f, sp_stats *s);
#endif
