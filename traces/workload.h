/* workload.h - timing-only workloads: the official SpAtten per-head-step
 * CSV (../shared/workloads/README.md) in memory. Reader: traces/workload_csv.c. */
#ifndef SP_WORKLOAD_H
#define SP_WORKLOAD_H
#include <stddef.h>

typedef struct {
    int iter, layer, head;
    int d;              /* embedding_length_D */
    int len;            /* sentence_length_L, before pruning */
    int keys;           /* key_fetch_num */
    int k_bits;         /* quant_key_bit; -1 = full width */
    int q_bits;         /* quant_query_bit; -1 = full width */
    double tau;         /* auto_requant_thres; -1 = none */
    int requant;        /* if_requant */
    int lsb_incr;       /* auto_requant_incre */
    int values;         /* value_fetch_num */
    int v_bits;         /* quant_value_bit; -1 = full width */
    int acc_imp;        /* if_accumulate_importance */
    int rescale_imp;    /* if_rescale_previous_importance */
    int topk_flag;      /* if_topk */
    int topk_k;         /* topk; -1 = none */
    long line;          /* line of the row in the file */
} sp_wl_row;

/* Cascade head pruning omits the rows of pruned heads: an (iteration,
 * layer) may hold fewer than `heads` rows, and a head absent from a layer
 * stays absent in the later layers of that iteration. Absent rows are
 * pruned heads (nothing fetched or computed). */
typedef struct {
    sp_wl_row *rows;            /* in (iter, layer, head) order, each at most once */
    size_t n;
    int iters, layers, heads;   /* 1 + the largest id of each in the file */
    int *heads_active;          /* [iters][layers]: rows present; heads - that = heads pruned */
    size_t heads_pruned;        /* iters * layers * heads - n */
    int d;                      /* embedding_length_D, the same on every row */
    char path[512];
    char footer[512];           /* trailing "NAME,,,,..." line (the run's config), or "" */
    /* which planes auto_requant_incre LSB bits are refetched for on
     * if_requant: the run config's requant rule ("..._inc4_k" K only,
     * "_inc4_v" V only, "_inc4_kv" both); both when the file names none */
    int lsb_refetch_k, lsb_refetch_v;
} sp_workload;

/* The planes a run-config name's requant rule refetches (sets *k, *v to 0
 * or 1): the "requant..._inc<N>[_k|_v|_kv]" part of names such as
 * "configs/gpt2/...+requant0p05_inc4_k+vtie+...yml"; both when absent. */
void sp_workload_refetch_rule(const char *footer, int *k, int *v);

/* Totals over all rows, for `spattn trace info` and the timing-only mode.
 * Bits of -1 ("full width") count as full_bits. */
typedef struct {
    int len_min, len_max;
    unsigned long long len_sum, keys_sum, values_sum;
    unsigned long long grid_len_sum; /* L summed over the full grid, pruned heads included (dense work) */
    unsigned long long requants, topk_runs, acc_imp;
    int k_bits_min, k_bits_max, v_bits_min, v_bits_max, q_bits_min, q_bits_max;
    unsigned long long kv_bits;     /* sum of (keys * k_bits + values * v_bits) * d, MSBs only */
    unsigned long long kv_bits_lsb; /* LSB refetch: keys * lsb_incr * d where if_requant */
} sp_wl_summary;
void sp_workload_summarize(const sp_workload *w, int full_bits, sp_wl_summary *s);

/* Reads a workload CSV; malformed input gives
 * "FILE:LINE: column 'x': what is wrong" (or "FILE: ..." when no line
 * applies) and -1. Rows are stored in (iter, layer, head) order. */
int sp_workload_load_csv(const char *path, sp_workload *w, char *err, size_t errlen);
void sp_workload_free(sp_workload *w);

/* The dense workload of w over its full grid: every (iteration, layer,
 * head), pruned heads included, with keys = values = sentence_length_L,
 * full-width bits, no requant and no top-k. L of an (iteration, layer) is
 * that of its rows; a layer whose heads were all pruned takes the L of the
 * layer before it. For the derived dense baseline of a head-pruned file.
 * Returns 0, or -1 with "PATH: out of memory". */
int sp_workload_dense_grid(const sp_workload *w, sp_workload *dense, char *err, size_t errlen);

/* A baseline (--baseline DENSE.csv) must describe the run's workload:
 * the same iterations, layers, heads and D, and every head-step of w
 * present in b with the same sentence_length_L. Returns 0, or -1 with
 * "BASE:LINE: baseline ... differs from TRACE:LINE ..." in err. */
int sp_workload_check_baseline(const sp_workload *w, const sp_workload *b, char *err, size_t errlen);
#endif
