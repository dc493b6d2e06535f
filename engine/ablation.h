/* ablation.h - per-technique breakdown of a run (engine/ablation.c):
 * cycles, DRAM bytes and energy with token pruning, head pruning, value
 * pruning and progressive quantization each alone, all together, and the
 * dense baselines, on the same hardware. Each variant's definition:
 * docs/costs.md "Ablation". */
#ifndef SP_ABLATION_H
#define SP_ABLATION_H
#include "engine.h"

enum {
    SP_AB_DENSE_12BIT, /* the 12-bit dense baseline */
    SP_AB_DENSE,       /* dense at the run's own full widths: the variants' reference */
    SP_AB_NONE,        /* no technique on, the variants' way (tensor traces: a functional run) */
    SP_AB_TOKEN,       /* token pruning alone */
    SP_AB_HEAD,        /* head pruning alone */
    SP_AB_VALUE,       /* local value pruning alone */
    SP_AB_QUANT,       /* progressive quantization alone */
    SP_AB_ALL,         /* all together: the run itself */
    SP_AB_N
};
extern const char *const sp_ablation_names[SP_AB_N];

typedef struct {
    int available;      /* 0: cannot be derived from this input (note says why) */
    char note[800];     /* what the variant is here, or why it is not available */
    uint64_t cycles;
    uint64_t dram_data_bytes, dram_bus_bytes;
    double energy_pj;
} sp_ablation_row;

typedef struct {
    sp_ablation_row row[SP_AB_N];
} sp_ablation;

/* The ablation of the run `all` (sp_engine_run on cfg and in, with its
 * baselines evaluated). -1 with a message. */
int sp_ablation_run(const sp_config *cfg, const sp_engine_input *in, const sp_engine_result *all, sp_ablation *ab,
                    char *err, size_t errlen);
/* The variant configs of a tensor-trace run (SP_AB_NONE .. SP_AB_QUANT). */
void sp_ablation_config(const sp_config *cfg, int variant, sp_config *out);
#endif
