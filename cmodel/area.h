/* area.h - analytical area model (cmodel/area.c): area per unit from the
 * config, calibrated once against the SpAtten chip (18.71 mm^2 at 40 nm).
 * Primitives, calibration and sources: docs/costs.md s4. */
#ifndef SP_AREA_H
#define SP_AREA_H
#include "spattn.h"
#include "stats.h"

typedef enum {
    SP_A_QK = 0, SP_A_PV, SP_A_SOFTMAX, SP_A_TOPK, SP_A_IMPORTANCE,
    SP_A_SRAM_K, SP_A_SRAM_V, SP_A_SRAM_BUF, SP_A_N
} sp_area_part;
extern const char *const sp_area_names[SP_A_N]; /* "qk", "pv", ... */

/* tokens the on-chip score/probability, importance and top-k buffers hold
 * (rtl/topk.v and rtl/softmax.v MaxN) */
#define SP_AREA_MAXN 1024
/* one factor for what the unit sum leaves out (layout, wiring, clock tree,
 * fetcher and crossbar, control, I/O): 18.71 mm^2 / the raw sum of the
 * paper configuration (docs/costs.md s4 derives it) */
#define SP_AREA_CALIBRATION 7.32

typedef struct {
    double raw_mm2[SP_A_N]; /* unit sums from the primitives, at the config's node */
    double mm2[SP_A_N];     /* x SP_AREA_CALIBRATION */
    double raw_total_mm2, total_mm2;
    double node_scale;      /* (node_nm / 45)^2 */
} sp_area_report;

void sp_area_compute(const sp_config *cfg, sp_area_report *a);
/* The report into group g of a registry: total, unit sum before the
 * calibration, the calibration factor, by_unit. */
void sp_area_stats(const sp_area_report *a, sp_stats *s, const char *g);
#endif
