/* timing.h - cycle model of the SpAtten pipeline (cmodel/timing.c): the
 * RTL's head-step pipeline stepped cycle by cycle, the one schedule of
 * every caller (spattn run, sweeps, baselines, ablations, the co-sim).
 * Input: one record per head-step (one query row of one head of one layer
 * of one iteration) with the counts the functional model produced or an
 * official workload CSV gives. Output: total cycles, per-unit cycles, DRAM
 * statistics from the DRAM model (cmodel/dram.c). docs/costs.md s1. */
#ifndef SP_TIMING_H
#define SP_TIMING_H
#include <stddef.h>
#include <stdint.h>
#include "dram.h"
#include "spattn.h"
#include "stats.h"

typedef enum {
    SP_U_FETCH_K = 0, /* query + key MSB fetch (job span) */
    SP_U_QK,          /* dot products, both passes */
    SP_U_SOFTMAX,     /* both passes */
    SP_U_REQUANT,     /* the requant decision */
    SP_U_FETCH_KLSB,  /* key LSB refetch (job span) */
    SP_U_TOPK,        /* local value pruning */
    SP_U_FETCH_V,     /* value fetch (job span) */
    SP_U_PV,
    SP_U_IMPORTANCE,
    SP_U_PRUNE,       /* cascade token/head pruning top-k after a layer */
    SP_U_WRITE,       /* output write-back (job span) */
    SP_U_N
} sp_unit;
extern const char *const sp_unit_names[SP_U_N]; /* "fetch_k", "qk", ... */

/* Units of the bound: the compute units and the DRAM (bytes on the bus
 * over the peak bytes per accelerator cycle). */
typedef enum { SP_BU_QK = 0, SP_BU_SOFTMAX, SP_BU_TOPK, SP_BU_PV, SP_BU_IMPORTANCE, SP_BU_DRAM, SP_BU_N } sp_bound_unit;
extern const char *const sp_bound_unit_names[SP_BU_N]; /* "qk", "softmax", ... "dram" */

/* One head-step, or `rows` consecutive head-steps of one (iteration,
 * layer, head) that share every input (encoder query rows of equal counts):
 * the schedule still runs each of them as its own head-step; the record
 * holds their inputs once and the sums of their outputs. Inputs first, then
 * what sp_timing_run fills in. */
typedef struct {
    int it, layer, head;
    int d;
    uint32_t rows;        /* head-steps this record stands for; 0 or 1: one */
    uint32_t keys;        /* active keys: fetched (MSB planes) and scored */
    uint32_t span;        /* token positions they lie among (address model) */
    uint32_t values;      /* value rows fetched after local value pruning */
    uint8_t requant;      /* LSB planes refetched, second QK + softmax pass */
    uint8_t q_bits, k_msb, k_lsb, v_msb, v_lsb; /* bits per element */
    uint8_t layer_end;    /* its last head-step is the last of its (iteration, layer) */
    uint8_t prune_after;  /* a pruning top-k runs after this layer */
    uint64_t vtopk_cycles, vtopk_compares; /* local value pruning top-k */
    uint64_t prune_cycles, prune_compares; /* pruning top-k (layer_end only) */
    /* token positions of the keys [keys] and kept values [values], ascending,
     * from the functional run; NULL: spread evenly over the span */
    const int32_t *key_pos, *val_pos;
    /* filled by sp_timing_run (sums over the record's head-steps), read by
     * layers.csv, the energy model and the plots: cycles from the run's
     * start (the controller's first busy cycle) */
    uint64_t t_start, t_end;     /* its first head-step's start .. its last one's step end */
    uint64_t cyc[SP_U_N];        /* per-unit cycles: unit work; fetch and write: job spans */
    uint64_t data_bits[SP_DK_N]; /* DRAM data demanded, by kind */
} sp_tm_step;

/* ceil(a / b) for b > 0: beats, lines and rows of the schedules */
static inline uint64_t sp_tm_cdiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

/* sp_tm_rows(s): the head-steps of record s */
#define sp_tm_rows(s) ((s)->rows ? (s)->rows : 1u)

typedef struct {
    sp_tm_step *s;
    size_t n, cap; /* records (head-steps: the sum of their sp_tm_rows) */
    int iters, layers, heads;
    int decode; /* query and output rows indexed by the iteration (else by the query token) */
    int hw_d;   /* the hardware's head dimension: rows are hw_d elements wide; 0: the
                 * smallest D >= the steps' d that the config builds */
    char source[64]; /* "tensor trace", "workload csv", "dense (derived)" */
} sp_tm_steps;

typedef struct {
    uint64_t total_cycles;       /* first key fetch to last write, accelerator cycles */
    uint64_t unit_cycles[SP_U_N];/* sums of sp_tm_step.cyc */
    /* per-unit work, the exact units of docs/rtl.md s9 (QK and PV: beats
     * into the array; softmax: per pass the start cycle, the load beats,
     * the exp rows, the divider and the normalise rows; importance: one
     * update per probability row; requant 1; top-k and pruning: the
     * selection's cycles). Fetch and write jobs have no such figure (0).
     * Compared with the RTL's counters by the co-sim. unit_cycles is the
     * same for the compute units and the job spans of the fetch and write
     * units as the co-sim measures them. */
    uint64_t unit_work[SP_U_N];
    uint64_t data_bits[SP_DK_N]; /* sums of sp_tm_step.data_bits */
    uint64_t head_steps, requants;
    /* the run's bound (docs/costs.md s1 "Bound"): per unit, its work over
     * its throughput (bound_work) and that plus the fill and drain it
     * cannot overlap at each layer barrier (bound_term); bound_cycles is
     * the largest sum over layers of the per-layer maximum, never above
     * total_cycles; bound_unit the unit with the largest bound_term */
    uint64_t bound_cycles;
    uint64_t bound_work[SP_BU_N], bound_term[SP_BU_N];
    int bound_unit;
    sp_dram_stats dram;
    double dram_peak_bytes_per_s, dram_achieved_bytes_per_s;
    double seconds;              /* total_cycles / clock */
} sp_tm_result;

void sp_tm_steps_free(sp_tm_steps *v);

/* Builders. From a functional run (one step per query row, consecutive rows
 * of equal counts in one record; value top-k and pruning cycles from the
 * engine's own statistics): */
int sp_tm_steps_from_run(const sp_config *cfg, const sp_trace *tr, const sp_run_result *r,
                         sp_tm_steps *out, char *err, size_t errlen);
/* Record s made one of its head-steps: rows 1; a row other than the last
 * loses the layer end and its pruning. */
void sp_tm_step_row(sp_tm_step *s, int last);
/* Every record made one head-step (before sp_timing_run: the co-sim gives
 * each query row its own counts). -1 with a message when out of memory. */
int sp_tm_steps_split(sp_tm_steps *st, char *err, size_t errlen);
/* The dense baseline of a tensor trace on the same hardware: every token
 * and head, full-width K/V, no requant, value_keep 1 (no top-k). */
int sp_tm_steps_dense(const sp_config *cfg, const sp_trace *tr, sp_tm_steps *out,
                      char *err, size_t errlen);
/* The builder from an official workload CSV, sp_tm_steps_from_workload,
 * is in engine/tm_workload.h (the workload type is traces/'). */

/* Expected cost of the quick-select of docs/spec.md s7 on n distinct keys
 * in random order keeping k (a middle-position pivot then is a uniformly
 * random pivot): rounds = H_k + H_(n-k+1) - 1 pivots (element at distance j
 * from rank k is a pivot with probability 1/(j+1)); compares by Knuth's
 * formula for quickselect, 2((n+1)H_n - (n+3-k)H_(n+1-k) - (k+2)H_k + n + 3);
 * cycles = ceil(n/C) + (compares + rounds)/C + rounds (overhead + 1/2). */
double sp_topk_expected(uint32_t n, uint32_t k, int comparators, int round_overhead,
                        double *compares, double *rounds);

/* Softmax cycles over n scores with P lanes, after its last input:
 * exp+sum pass ceil(n/P), 47-cycle restoring divider, normalise pass
 * ceil(n/P), plus SP_SOFTMAX_OVERHEAD; the load (max) pass ceil(n/P)
 * overlaps the QK stream. This is the latency of one head-step; in the
 * pipelined schedule the three passes are stages that each hold a
 * head-step for ceil(n/P) cycles and the divider is pipelined, so the
 * softmax takes a new head-step every ceil(n/P) cycles. */
#define SP_DIV_CYCLES SP_DIV_STEPS
#define SP_SOFTMAX_OVERHEAD 2
#define SP_QK_LATENCY 4 /* rtl/README.md: logits 4 cycles after the last beat */
#define SP_PV_LATENCY 1 /* rtl/README.md: out_valid the cycle after the last beat */
uint64_t sp_softmax_cycles(uint32_t n, int lanes);
uint64_t sp_qk_cycles(uint32_t keys, int d, int n_qk);
uint64_t sp_pv_cycles(uint32_t values, int d, int n_pv);

/* Runs the RTL's head-step pipeline over the steps (docs/costs.md s1,
 * docs/rtl.md s5), cycle by cycle (ctl_seq, ctl_front, ctl_back,
 * ctl_fetch, ctl_sel, fetcher, qk, softmax, pv, writer). A record of rows
 * > 1 runs as that many head-steps. Fills each step's outputs and r:
 * total_cycles (the controller's busy cycles after its initialisation),
 * unit_work, unit_cycles, data bits, the DRAM statistics and the bound.
 * -1 with a one-line message when the hardware cannot run the steps
 * (sp_tm_check: a context beyond a K slot, kept values beyond the V
 * buffer, layers or indexes beyond the address map) or when the steps do
 * not follow the controller's walk. */
int sp_timing_run(const sp_config *cfg, sp_tm_steps *st, sp_tm_result *r, char *err, size_t errlen);
/* Test hook, not a user option (set it only while no run is in flight):
 * 1 (the default) jumps over the cycles in which every FSM waits and sends
 * a request's beats to the DRAM model in one call; 0 steps every cycle and
 * calls it a beat at a time. Both give the same results to the bit
 * (tests/test_timing.c). */
extern int sp_tm_fast;

/* The pipeline's geometry for a config and hardware D (cmodel/timing_limits.c):
 * K buffer slot rows (MaxTokens: the largest power of two of D x (k_msb +
 * k_lsb)-bit rows that fits k_sram_bytes / kv_buffers, at most
 * SP_MAX_TOKENS / 2 with two slots), V buffer rows (MaxVals, at most
 * MaxTokens), and the checks of the values the RTL builds (powers of two,
 * least sizes). -1 with a message naming the config key. */
typedef struct {
    int d, max_tokens, max_vals, kv_buffers;
    int fetch_rows; /* K rows a read request: sp_fetch_rows */
} sp_tm_geom;
int sp_tm_geometry(const sp_config *cfg, int d, sp_tm_geom *g, char *err, size_t errlen);
/* Whether the steps fit the geometry and the address map: -1 with a
 * message naming the head-step and the config keys to raise. */
int sp_tm_check(const sp_config *cfg, const sp_tm_steps *st, const sp_tm_geom *g, char *err, size_t errlen);

/* The bound (docs/costs.md s1 "Bound", cmodel/timing_bound.c): from unit
 * work alone; lat is the DRAM's least read latency in accelerator cycles.
 * Fills r's bound fields; needs r->dram and r->dram_peak_bytes_per_s. */
void sp_tm_bound(const sp_config *cfg, const sp_tm_steps *st, uint64_t lat, sp_tm_result *r);

/* The result into group g of a registry (cmodel/timing_stats.c): cycles,
 * time, head-steps, unit busy cycles, and under g.dram the DRAM model's
 * statistics (sp_dram_stats_put) plus data bytes by kind and bandwidth. */
void sp_timing_stats(const sp_tm_result *r, const sp_config *cfg, sp_stats *s, const char *g);
#endif
