/* energy.h - energy model (cmodel/energy.c): events of a timed run x pJ per
 * event from the config, by component. Sources and rules: docs/costs.md s3. */
#ifndef SP_ENERGY_H
#define SP_ENERGY_H
#include "spattn.h"
#include "timing.h"

typedef enum {
    SP_E_QK = 0,      /* q x k multiply-accumulates, both passes */
    SP_E_SOFTMAX,     /* max compares, exp LUT, sum adds, division, normalising multiplies */
    SP_E_REQUANT,     /* the max-prob compare */
    SP_E_TOPK,        /* comparisons of value and pruning selections */
    SP_E_PV,          /* prob x v multiply-accumulates */
    SP_E_IMPORTANCE,  /* 48-bit importance accumulations */
    SP_E_SRAM_K,      /* key buffer writes (fetched planes) and reads (each pass) */
    SP_E_SRAM_V,      /* value buffer writes and reads */
    SP_E_SRAM_BUF,    /* score/probability buffer and importance memory */
    SP_E_DRAM,        /* every bit moved on the DRAM bus (whole bursts) */
    SP_E_STATIC,      /* leakage per mm^2 x chip area x run time */
    SP_E_N
} sp_energy_part;
extern const char *const sp_energy_names[SP_E_N]; /* "qk", "softmax", ... */

typedef struct {
    double pj[SP_E_N];
    double total_pj;
    double seconds;
    double avg_power_w;   /* total / seconds */
    double static_mw;     /* leakage power: leakage_mw_per_mm2 x chip area */
    double node_scale;    /* node_nm / 45: applied to logic and SRAM figures */
} sp_energy_report;

/* Energy of one multiply-accumulate with a x b bit operands: the multiply
 * part (mac_pj - add_pj, an 8 x 8 multiply) scales with a*b/64, the 32-bit
 * accumulate add_pj does not (docs/costs.md s3). 45 nm figure. */
double sp_energy_mac_pj(double mac_pj, double add_pj, int a, int b);

void sp_energy_compute(const sp_config *cfg, const sp_tm_steps *st, const sp_tm_result *tm,
                       sp_energy_report *e);
/* The report into group g of a registry: total, average power, node,
 * by_component. */
void sp_energy_stats(const sp_energy_report *e, int node_nm, sp_stats *s, const char *g);
#endif
