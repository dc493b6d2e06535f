/* area.c - analytical area per unit. Primitives at 45 nm from Horowitz
 * (ISSCC 2014, "Computing's energy problem", area of operations): 8-bit
 * add 36 um^2, 32-bit add 137 um^2, 8-bit multiply 282 um^2, 32-bit
 * multiply 3495 um^2; scaled to the configured node by (node / 45)^2.
 * SRAM: 0.242 um^2 6T bit cell (TSMC 40 nm class) at 50 % array efficiency
 * (periphery of small compiled macros; an estimate), scaled by (node/40)^2.
 * Registers: one flip-flop ~ one full-adder bit, 4.5 um^2 at 45 nm
 * (estimate from the 8-bit adder). Logic is multiplied by
 * SP_AREA_LOGIC_CALIBRATION, SRAM is not. docs/costs.md s4. */
#include <string.h>
#include "area.h"

const char *const sp_area_names[SP_A_N] = {"qk", "pv", "softmax", "topk", "importance",
                                           "sram_k", "sram_v", "sram_buffers"};

#define UM2_ADD_PER_BIT (137.0 / 32.0)  /* [Horowitz] 32-bit add */
#define UM2_MULT8 282.0                 /* [Horowitz] 8 x 8 multiply */
#define UM2_FF_PER_BIT 4.5              /* estimate: ~ one adder bit */
#define UM2_SRAM_CELL_40 0.242          /* 6T cell, 40 nm class */
#define SRAM_ARRAY_EFF 0.5              /* estimate */

static double add_um2(int w) { return UM2_ADD_PER_BIT * w; }
static double mult_um2(int a, int b) { return UM2_MULT8 * (double)a * (double)b / 64.0; }
static double ff_um2(double bits) { return UM2_FF_PER_BIT * bits; }

void sp_area_compute(const sp_config *cfg, sp_area_report *a)
{
    const sp_hw_cfg *h = &cfg->hw;
    const sp_alg_cfg *al = &cfg->alg;
    memset(a, 0, sizeof *a);
    double logic = ((double)cfg->energy.node_nm / 45.0) * ((double)cfg->energy.node_nm / 45.0);
    double sram_bit = UM2_SRAM_CELL_40 / SRAM_ARRAY_EFF * ((double)cfg->energy.node_nm / 40.0) *
                      ((double)cfg->energy.node_nm / 40.0);
    a->node_scale = logic;
    int kb = al->k_msb + al->k_lsb, vb = al->v_msb + al->v_lsb;
    int lanes = h->softmax_lanes > 0 ? h->softmax_lanes : 1;
    /* logic[] in um^2 at 45 nm (scaled by `logic`), mem[] in um^2 at the node */
    double lg[SP_A_N] = {0}, mem[SP_A_N] = {0};
    /* QK: per multiplier a q x k multiply, an adder-tree 32-bit add and its
     * operand registers; per key lane the 32 x 16 logit scaling multiply */
    lg[SP_A_QK] = h->n_qk * (mult_um2(al->q_bits, kb) + add_um2(32) + ff_um2(al->q_bits + kb)) +
                  (h->n_qk >= 64 ? h->n_qk / 64 : 1) * mult_um2(32, 16);
    /* PV: per multiplier a 16-bit prob x v multiply, a 32-bit accumulate,
     * accumulator register */
    lg[SP_A_PV] = h->n_pv * (mult_um2(16, vb) + add_um2(32) + ff_um2(32));
    /* softmax lanes: 24-bit max compare, 32-bit sum add, 16 x 32 normalising
     * multiply, exp LUT (256 x 16 ROM, counted as SRAM cells); one 47-step
     * divider (47-bit subtract + registers) */
    lg[SP_A_SOFTMAX] = lanes * (add_um2(24) + add_um2(32) + mult_um2(16, 32)) + add_um2(47) + ff_um2(47 + 32 + 47);
    mem[SP_A_SOFTMAX] = lanes * 256.0 * 16 * sram_bit;
    /* top-k: C 48-bit comparators with their registers, and candidate /
     * G / L buffers of MaxN x (48-bit key + 11-bit position) */
    lg[SP_A_TOPK] = h->topk_comparators * (add_um2(48) + ff_um2(48 + 11));
    mem[SP_A_TOPK] = 3.0 * SP_AREA_MAXN * (48 + 11) * sram_bit;
    /* importance: a 48-bit saturating add per lane (tokens); for heads
     * (docs/spec.md s9) a 24-bit L1 accumulator with its register taking the
     * 16-bit outputs (|out| by a 16-bit negate), the 24 x 16 multiply to real
     * units, a 40-bit rounding add and the 48-bit saturating add */
    lg[SP_A_IMPORTANCE] = lanes * (add_um2(48) + ff_um2(48)) + add_um2(16) + add_um2(24) + ff_um2(24) +
                          mult_um2(24, 16) + add_um2(40) + add_um2(48);
    mem[SP_A_SRAM_K] = (double)h->k_sram_bytes * 8.0 * sram_bit;
    mem[SP_A_SRAM_V] = (double)h->v_sram_bytes * 8.0 * sram_bit;
    /* score (24-bit) and probability (16-bit) buffers, token importance
     * memory (48-bit), query buffer (256 x 16) */
    mem[SP_A_SRAM_BUF] = ((double)SP_AREA_MAXN * (24 + 16 + 48) + 256.0 * 16) * sram_bit;
    for (int k = 0; k < SP_A_N; k++) {
        a->logic_raw_mm2[k] = lg[k] * logic * 1e-6;
        a->logic_mm2[k] = a->logic_raw_mm2[k] * SP_AREA_LOGIC_CALIBRATION;
        a->sram_mm2[k] = mem[k] * 1e-6;
        a->mm2[k] = a->logic_mm2[k] + a->sram_mm2[k];
        a->logic_total_mm2 += a->logic_mm2[k];
        a->sram_total_mm2 += a->sram_mm2[k];
        a->total_mm2 += a->mm2[k];
    }
}

void sp_area_stats(const sp_area_report *a, sp_stats *s, const char *g)
{
    char b[128];
    sp_stats_real(s, g, "total", "mm2", a->total_mm2);
    sp_stats_real(s, g, "logic", "mm2", a->logic_total_mm2);
    sp_stats_real(s, g, "sram", "mm2", a->sram_total_mm2);
    sp_stats_real(s, g, "logic_calibration", "ratio", SP_AREA_LOGIC_CALIBRATION);
    sp_stats_path(b, sizeof b, g, "by_unit");
    for (int k = 0; k < SP_A_N; k++)
        sp_stats_real(s, b, sp_area_names[k], "mm2", a->mm2[k]);
    sp_stats_path(b, sizeof b, g, "logic_by_unit");
    for (int k = 0; k < SP_A_N; k++)
        sp_stats_real(s, b, sp_area_names[k], "mm2", a->logic_mm2[k]);
    sp_stats_path(b, sizeof b, g, "sram_by_unit");
    for (int k = 0; k < SP_A_N; k++)
        sp_stats_real(s, b, sp_area_names[k], "mm2", a->sram_mm2[k]);
}
