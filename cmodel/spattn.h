/* spattn.h - public interface of libspattn, the bit-accurate C model of a
 * SpAtten-style attention accelerator. Every number format is defined in
 * docs/spec.md; the unit functions here mirror rtl/<unit>.v one to one. */
#ifndef SPATTN_H
#define SPATTN_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#define SP_VERSION "0.1.0"

/* Hard limits of the model (docs/spec.md section 1: SP_MAX_D,
 * SP_MAX_TOKENS, SP_MAX_LAYERS, SP_MAX_HEADS; they bound every accumulator
 * width in the spec, so they are checked at config/trace load) and the
 * fixed-point constants of the datapath (SP_LOGIT_FRAC, SP_LOGIT_BITS,
 * SP_EXP_LUT_BITS, SP_EXP_ONE, SP_PROB_FRAC, SP_PROB_ONE, SP_RECIP_SHIFT,
 * SP_IMP_BITS, SP_RATIO_ONE, ...) are declared once in defs/spattn.defs,
 * shared with the RTL; make generates sp_defs.h from it (build/gen/). */
#include "sp_defs.h"
#define SP_IMP_MAX ((UINT64_C(1) << SP_IMP_BITS) - 1) /* importance saturates at 48 bits */

/* K or V buffer rows of the RTL (docs/rtl.md s1): the largest power of two,
 * at most SP_MAX_TOKENS, of rows of d x bits bits in sram_bytes; 0 when not
 * one row fits. sim/simparams.h sizes MaxTokens and MaxVals with it, the
 * timing model's RTL schedule (cmodel/timing.c) its initialisation pass. */
static inline uint32_t sp_rtl_buf_rows(long sram_bytes, int d, int bits)
{
    long row = (long)d * bits, n = row > 0 ? sram_bytes * 8 / row : 0;
    uint32_t p = 1;
    if (n < 1)
        return 0;
    while ((long)p * 2 <= n && p < SP_MAX_TOKENS)
        p *= 2;
    return p;
}

/* Rows of a K walk the RTL's read port carries a cycle (docs/rtl.md s2):
 * hardware.fetch_rows, at most one K buffer line (qk_multipliers / d keys,
 * 1 when qk folds a key over several beats). sim/simparams.h builds the
 * RTL with it, cmodel/timing.c schedules with it. */
static inline int sp_fetch_rows(int fetch_rows, int n_qk, int d)
{
    int line = n_qk >= d ? n_qk / d : 1;
    return fetch_rows < line ? fetch_rows : line;
}

/* ------------------------------------------------------------------ */
/* Configuration: every key is declared once in cmodel/params.c      */

typedef enum { SP_DRAM_HBM2 = 0, SP_DRAM_DDR4, SP_DRAM_LPDDR4 } sp_dram_kind;

typedef struct {
    sp_dram_kind kind;
    int channels;      /* independent channels */
    int banks;         /* banks per channel */
    int row_bytes;     /* row-buffer size per bank, bytes */
    int burst_bytes;   /* bytes per column access (burst) */
    double clock_mhz;  /* DRAM command clock */
    int tRCD, tRP, tCL, tCCD, tRAS; /* DRAM clock cycles */
    int tREFI, tRFC;   /* refresh interval / duration, DRAM clock cycles */
    double bytes_per_clk_per_channel; /* data bus bytes per DRAM clock */
} sp_dram_cfg;

typedef struct {
    double clock_mhz;        /* accelerator clock */
    int n_qk;                /* multipliers in the QK unit */
    int n_pv;                /* multipliers in the PV unit */
    int k_sram_bytes;        /* key buffer */
    int v_sram_bytes;        /* value buffer */
    int topk_comparators;    /* comparators in the top-k engine */
    int topk_round_overhead; /* extra cycles per quick-select round */
    int softmax_lanes;       /* hardware.softmax_lanes: scores per cycle in the softmax's exp and normalise passes */
    int kv_buffers;          /* hardware.kv_buffers: K buffer slots (2: the next head-step's K prefetch) */
    int fetch_rows;          /* hardware.fetch_rows: K rows the RTL's read port carries a cycle (sp_fetch_rows) */
    sp_dram_cfg dram;
} sp_hw_cfg;

/* A list-typed config key's value: n entries (0: the list is empty or
 * absent), one per layer. */
typedef struct {
    int n;
    int v[SP_MAX_LAYERS];
} sp_int_list;

typedef struct {
    /* keep ratios, Q16: 65536 keeps everything */
    uint32_t token_keep_q16;
    int token_start_layer;   /* token pruning after layers >= this */
    uint32_t head_keep_q16;
    int head_start_layer;
    uint32_t value_keep_q16; /* local value pruning */
    int q_bits;              /* signed query width */
    int k_msb, k_lsb;        /* key: MSB bits fetched first, LSB on refetch */
    int v_msb, v_lsb;        /* value: same split */
    uint32_t tau_q15;        /* requant if max prob < tau (Q1.15); 0 disables */
    /* the same ratios as given by the user, for reports */
    double token_keep, head_keep, value_keep, tau;
    /* fixed token budgets (docs/spec.md s10): token_budget.v[l] is the most
     * keys layer l attends to; n = 0: the ratio cascade instead. They hold
     * from decode iteration token_budget_start_iter on. */
    sp_int_list token_budget;
    int token_budget_start_iter;
} sp_alg_cfg;

typedef struct {
    /* pJ per event; every default names its source in configs/ */
    double mac_qk_pj, mac_pv_pj;
    double exp_pj, div_pj, cmp_pj, add_pj;
    double sram_read_pj_per_byte, sram_write_pj_per_byte;
    double dram_pj_per_bit;
    double leakage_mw_per_mm2;
    int node_nm;
} sp_energy_cfg;

/* Optional `sweep:` section: axes of a full-factorial sweep. Each axis names
 * a numeric key path ("algorithm.token_keep") and the values it takes. */
#define SP_SWEEP_MAX_AXES 8
#define SP_SWEEP_MAX_VALUES 64
typedef struct {
    char key[64];
    int n_values;
    double values[SP_SWEEP_MAX_VALUES];
} sp_sweep_axis;
/* Or `points:`, an explicit list (n_points > 0): then axes[a].key names
 * each key some point sets (n_values 0) and point_values[p][a] is point p's
 * value of it (the base config's value where the point does not set it). */
#define SP_SWEEP_MAX_POINT_LIST 256
#define SP_SWEEP_MAX_TRACES 16
#define SP_SWEEP_MAX_CONFIGS 16
#define SP_SWEEP_MAX_KEYS 128
#define SP_SWEEP_MAX_LIST_KEYS 2
typedef struct {
    int n_axes; /* 0: no sweep */
    sp_sweep_axis axes[SP_SWEEP_MAX_AXES];
    int n_points;
    double point_values[SP_SWEEP_MAX_POINT_LIST][SP_SWEEP_MAX_AXES];
    /* `traces:` (optional): the traces to sweep, file paths resolved
     * against the config file's directory, or synth: specs */
    int n_traces;
    char traces[SP_SWEEP_MAX_TRACES][512];
    /* an axis `key: config` (config_axis = 1 + its index; 0 none): its
     * values are 0..n-1, file i included over the base config; config_vals
     * holds every key's value (cmodel/params.c order) with that file over
     * the base, config_names the file names as written */
    int config_axis;
    char config_names[SP_SWEEP_MAX_CONFIGS][256];
    char config_files[SP_SWEEP_MAX_CONFIGS][512];
    double config_vals[SP_SWEEP_MAX_CONFIGS][SP_SWEEP_MAX_KEYS];
    /* and the list keys' values, in list-key order (sp_param_list_slot) */
    sp_int_list config_lists[SP_SWEEP_MAX_CONFIGS][SP_SWEEP_MAX_LIST_KEYS];
} sp_sweep;

typedef struct {
    sp_hw_cfg hw;
    sp_alg_cfg alg;
    sp_energy_cfg energy;
    sp_sweep sweep;
    char source[512]; /* file the config came from, for reports */
} sp_config;

/* Built-in defaults: each key's declared default (= configs/paper.yaml). */
void sp_config_default(sp_config *c);
/* Each key's declared range, then the rules that relate keys; on error
 * writes a message into err (naming the key) and returns -1. */
int sp_config_check(const sp_config *c, char *err, size_t errlen);
/* Ratio in [0,1] to Q16, rounded to nearest. */
uint32_t sp_ratio_q16(double r);
/* YAML loader (cmodel/config_yaml.c): each file parsed once, strict schema
 * from the key table, `include:` of a base file, every range checked at the
 * line that set the value; errors as "file:line: message". */
int sp_config_load(const char *path, sp_config *cfg, char *err, size_t errlen);
/* Prints the fully resolved config as YAML that sp_config_load accepts
 * (each key's doc, unit and range as a comment). */
void sp_config_print(FILE *f, const sp_config *cfg);
/* Shortest %g form of v that reads back to exactly v (%.0f for integers
 * below 1e15): the number format of the config printer and of sweep.csv. */
void sp_fmt_double(char *buf, size_t len, double v);
/* Numeric fields by key path (as in YAML, e.g. "hardware.dram.channels"),
 * for sweeps: set keeps Q16/Q15 fields in step and rejects a non-integer
 * for an integer key (-1 with a message); no range check (sp_config_check). */
int sp_config_set_key(sp_config *cfg, const char *key, double v, char *err, size_t errlen);
int sp_config_get_key(const sp_config *cfg, const char *key, double *v);
/* List keys ("algorithm.token_budget"): a number key refuses them (-1 with a
 * message); these set (n entries of v, n = 0 clears) and get them (-1 for a
 * key that is not a list). Entries are range-checked by sp_config_check. */
int sp_config_set_list(sp_config *cfg, const char *key, const int *v, int n, char *err, size_t errlen);
int sp_config_get_list(const sp_config *cfg, const char *key, sp_int_list *out);
/* A sweep axis value (cmodel/config_yaml.c): sp_config_set_key, except that
 * hardware.dram.kind (the enum's index) first loads that part's preset
 * (cmodel/dram.c sp_dram_preset: every hardware.dram timing number), and
 * key "config" (value i) sets every key as config file i over the base. */
int sp_sweep_set_key(sp_config *cfg, const char *key, double v, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Traces (in-memory form; readers in traces/)                         */

typedef enum { SP_MODE_DECODE = 0, SP_MODE_ENCODER = 1 } sp_mode;

typedef struct {
    sp_mode mode;
    int layers, heads, d;
    int ctx;    /* tokens present before iteration 0 (decode) or L (encoder) */
    int iters;  /* decode iterations (1 for encoder) */
    int rows;   /* query rows per head-step: 1 (decode) or ctx (encoder) */
    int ntok;   /* tokens in k/v: ctx + iters (decode) or ctx (encoder) */
    int q_bits, k_bits, v_bits; /* signed widths of the stored integers */
    /* q: [iters][layers][heads][rows][d]; k, v: [layers][heads][ntok][d] */
    int16_t *q, *k, *v;
    /* real value = integer * scale, per [layers][heads] */
    float *sq, *sk, *sv;
    char id[256];       /* trace identity for reports */
    char model[128];
    /* min and max of q, k and v, noted once the tensors are filled
     * (sp_trace_note_ranges): the controller's range check then needs no
     * pass over the tensors. Valid only while ranges_of[] still names the
     * tensors and ranges_magic is SP_TRACE_RANGES_MAGIC. */
    uint32_t ranges_magic;
    const int16_t *ranges_of[3];
    int16_t rmin[3], rmax[3];
} sp_trace;

void sp_trace_free(sp_trace *t);
#define SP_TRACE_RANGES_MAGIC 0x52414e47u
/* Notes the min and max of q, k and v (after the tensors are filled; a
 * caller that changes them afterwards calls it again). */
void sp_trace_note_ranges(sp_trace *t);
/* Allocates tensors for the shape already set in t; -1 on overflow/OOM. */
int sp_trace_alloc(sp_trace *t);
static inline int16_t *sp_trace_q(const sp_trace *t, int it, int l, int h)
{
    return t->q + ((((size_t)it * t->layers + l) * t->heads + h) * t->rows) * t->d;
}
static inline int16_t *sp_trace_k(const sp_trace *t, int l, int h)
{
    return t->k + (((size_t)l * t->heads + h) * t->ntok) * t->d;
}
static inline int16_t *sp_trace_v(const sp_trace *t, int l, int h)
{
    return t->v + (((size_t)l * t->heads + h) * t->ntok) * t->d;
}

/* Readers and the generator of traces are declared in traces/traces.h. */

/* Deterministic PRNG (xoshiro256**-style, our own seeding). */
typedef struct { uint64_t s[4]; } sp_rng;
void sp_rng_seed(sp_rng *r, uint64_t seed);
uint64_t sp_rng_next(sp_rng *r);
double sp_rng_uniform(sp_rng *r);  /* [0,1) */
double sp_rng_normal(sp_rng *r);   /* N(0,1) */

/* ------------------------------------------------------------------ */
/* Events: what the timing and energy models count                    */

typedef struct {
    uint64_t head_steps;       /* (iteration, layer, head, row) computed */
    uint64_t keys_msb;         /* key rows fetched at MSB width */
    uint64_t keys_lsb;         /* key rows refetched (LSB planes) */
    uint64_t values_fetched;   /* value rows fetched */
    uint64_t values_lsb;       /* value rows fetched with LSB planes */
    uint64_t bits_k_msb, bits_k_lsb, bits_v, bits_q; /* DRAM bits by kind */
    uint64_t bits_out;
    uint64_t mac_qk;           /* q*k multiply-accumulates (both passes) */
    uint64_t mac_pv;
    uint64_t exp_ops;          /* exp LUT lookups */
    uint64_t div_ops;          /* reciprocal divisions (one per softmax) */
    uint64_t mul_norm;         /* e*R normalisation multiplies */
    uint64_t softmax_runs;
    uint64_t requants;         /* head-steps that refetched LSBs */
    uint64_t topk_runs, topk_rounds, topk_compares, topk_cycles;
    uint64_t prune_topk_cycles, prune_topk_compares; /* token+head pruning share of the topk_* counts */
    uint64_t imp_adds;         /* importance accumulator updates */
    uint64_t tokens_pruned, heads_pruned;
} sp_events;

void sp_events_add(sp_events *dst, const sp_events *src);
/* The counts into group g of a stats registry (cmodel/stats.h), as stats.json's "events". */
struct sp_stats_s;
void sp_events_stats(const sp_events *e, struct sp_stats_s *s, const char *g);

/* ------------------------------------------------------------------ */
/* Unit functions: fixed-point helpers (cmodel/fixed.c)                */

int64_t sp_sat(int64_t x, int bits);            /* saturate to signed bits */
uint64_t sp_usat(uint64_t x, int bits);         /* saturate to unsigned bits */
int64_t sp_shr_round(int64_t x, int s);         /* round half up: (x + 2^(s-1)) >> s */
int sp_fits_signed(int64_t x, int bits);

/* quant (cmodel/quant.c): MSB/LSB split and merge of one signed element */
int32_t sp_quant_msb(int32_t x, int lsb);        /* x >> lsb (floor) */
uint32_t sp_quant_lsb(int32_t x, int lsb);       /* x & (2^lsb - 1) */
int32_t sp_quant_merge(int32_t msb, uint32_t lsb_bits, int lsb);
int32_t sp_quant_approx(int32_t msb, int lsb);   /* (msb << lsb) | half LSB */
/* Whole row: full-width x to the value the datapath sees at MSB width. */
void sp_quant_row_msb(const int16_t *x, int16_t *out, int n, int lsb);

/* qk (cmodel/qk.c) */
int32_t sp_qk_dot(const int16_t *q, const int16_t *k, int d);
/* q . approx(msb(k)) for full-width k rows: the first pass (spec s3, s4) */
int32_t sp_qk_dot_msb(const int16_t *q, const int16_t *k, int d, int lsb);
int32_t sp_qk_logit(int32_t acc, uint32_t mult, int shift);
typedef struct { uint32_t mult; int shift; } sp_logit_scale;
/* M, S for a real factor c (spec s4): S the largest <= 62 with
 * round(c 2^S) <= 65535, M = max(1, round(c 2^S)); -1 when c is not > 0,
 * not finite, or round(c) > 65535 (no S exists). cmodel/fixed.c */
int sp_mult_shift_make(double c, sp_logit_scale *out);
/* Folds scales, 1/sqrt(d), log2(e) and 2^SP_LOGIT_FRAC into mult/shift. */
int sp_logit_scale_make(double sq, double sk, int d, sp_logit_scale *out);
/* y[i] = logit of q . k for the rows k_rows + tokens[i] * d, i < n: full
 * keys when lsb < 0, else approx(msb(k)) with lsb LSB bits (spec s3, s4).
 * full, when not NULL, receives the full-key accumulators q . k of the same
 * rows (for a requant pass without reading the rows again). */
void sp_qk_scores(const int16_t *q, const int16_t *k_rows, const int32_t *tokens, int n, int d, int lsb,
                  sp_logit_scale sc, int32_t *y, int32_t *full);
/* y[i] = sp_qk_logit(acc[i]) for i < n */
void sp_qk_logits(const int32_t *acc, int n, sp_logit_scale sc, int32_t *y);

/* softmax (cmodel/softmax.c) */
uint16_t sp_exp_lut(unsigned idx);                /* 2^15 * 2^(-idx/256), rounded */
uint32_t sp_exp2_neg(uint32_t dist);              /* e for distance below max */
uint32_t sp_softmax_recip(uint32_t sum);          /* floor(2^46 / sum) */
uint16_t sp_softmax_norm(uint32_t e, uint32_t recip);
typedef struct { int32_t max; uint32_t sum; uint32_t recip; uint16_t pmax; } sp_softmax_info;
void sp_softmax(const int32_t *y, int n, uint16_t *p, sp_softmax_info *info, sp_events *ev);

/* requant (cmodel/requant.c) */
int sp_requant_decide(uint16_t pmax, uint32_t tau_q15, int lsb_bits);

/* topk (cmodel/topk.c): keep the k largest of (key desc, index asc). */
typedef struct { uint32_t rounds, compares, cycles, zeros_removed; } sp_topk_stats;
int sp_topk(const uint64_t *key, const int32_t *idx, int n, int k, int comparators,
            int round_overhead, int32_t *kept, sp_topk_stats *st);
uint32_t sp_keep_count(uint32_t n, uint32_t ratio_q16);

/* pv (cmodel/pv.c) */
void sp_pv(const uint16_t *p, const int16_t *const *vrows, int n, int d, int16_t *out);
/* the same with approx(msb(v)) of full-width v rows (no requant, spec s6) */
void sp_pv_msb(const uint16_t *p, const int16_t *const *vrows, int n, int d, int lsb, int16_t *out);

/* importance (cmodel/importance.c) */
uint64_t sp_imp_add(uint64_t acc, uint64_t x);   /* saturating at 48 bits */
/* imp[tokens[i]] = sp_imp_add(imp[tokens[i]], p[i]) for i < n */
void sp_imp_accumulate(uint64_t *imp, const int32_t *tokens, const uint16_t *p, int n);
uint64_t sp_head_imp_of(const int16_t *out, int d);   /* sum_d |out[d]| */
/* Head importance in real units with SP_HIMP_FRAC fractional bits (spec
 * s9): M, S of c = sv * 2^SP_HIMP_FRAC; -1 when sv gives none. */
#define SP_HIMP_FRAC 8
int sp_himp_scale_make(double sv, sp_logit_scale *out);
/* rnd(sum * M, S): sum = sp_head_imp_of (<= 2^23), the product < 2^39 */
uint64_t sp_head_imp_scale(uint64_t sum, sp_logit_scale sc);

/* ------------------------------------------------------------------ */
/* Head step and controller (cmodel/head.c, cmodel/controller.c)      */

/* Result of one head-step for one query row. Arrays are owned by the
 * caller and sized for the trace's token count. */
typedef struct {
    int n_active;          /* active tokens seen */
    int requant;           /* LSBs refetched */
    int n_kept;            /* tokens kept by local value pruning */
    int32_t *tokens;       /* [n_active] active token indexes, ascending */
    uint16_t *prob;        /* [n_active] final probabilities */
    int32_t *kept;         /* [n_kept] kept token indexes, ascending */
    int16_t out[SP_MAX_D]; /* head output */
    uint64_t head_imp_add; /* sp_head_imp_scale(sum |out|): what himp adds */
    sp_softmax_info sm;
    sp_topk_stats vtopk;
} sp_head_result;

/* Observer of every head-step and pruning decision; the co-simulation
 * checker and the engine hook in here. NULL callbacks are skipped. */
typedef struct {
    void *ctx;
    void (*head_step)(void *ctx, int it, int layer, int head, int row, const sp_head_result *r);
    void (*token_prune)(void *ctx, int it, int layer, const int32_t *kept, int n_kept);
    void (*head_prune)(void *ctx, int it, int layer, const int32_t *kept, int n_kept);
} sp_observer;

/* Per (iteration, layer, head) record kept for reports/timing. */
typedef struct {
    int it, layer, head;
    uint32_t rows, active, kept_values, requant_rows;
    sp_events ev;
} sp_step_rec;

typedef struct {
    sp_events total;
    uint64_t out_checksum;             /* FNV-1a over all outputs in order */
    int *tokens_active;                /* [iters][layers] active tokens at layer start */
    int *heads_active;                 /* [iters][layers] */
    sp_step_rec *steps;                /* [iters][layers][heads] */
    size_t n_steps;
    int iters, layers, heads;
} sp_run_result;

int sp_run_model(const sp_config *cfg, const sp_trace *tr, const sp_observer *obs,
                 sp_run_result *res, char *err, size_t errlen);
void sp_run_result_free(sp_run_result *r);

#endif
