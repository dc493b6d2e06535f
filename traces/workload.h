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
} sp_wl_row;

typedef struct {
    sp_wl_row *rows;
    size_t n;
    int iters, layers, heads;
    char path[512];
} sp_workload;

/* Reads a workload CSV; malformed input gives "file:line: message", -1. */
int sp_workload_load_csv(const char *path, sp_workload *w, char *err, size_t errlen);
void sp_workload_free(sp_workload *w);
#endif
