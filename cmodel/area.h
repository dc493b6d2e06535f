/* area.h - analytical area model (cmodel/area.c): area per unit from the
 * config. Logic comes from operation primitives times one calibration
 * factor for the logic the primitives leave out; SRAM comes from a
 * published bit-cell figure at the node and is not calibrated.
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
/* Logic the unit primitives leave out (the fetcher with its per-channel
 * request queues and crossbar, control, clock tree, wiring, placement
 * density, I/O) as one factor on the primitives' logic: the SpAtten chip's
 * 18.71 mm^2 (HPCA 2021, 40 nm) less this model's SRAM of configs/paper.yaml
 * (1.7034 mm^2), over the primitives' logic of that config (0.8528 mm^2):
 * (18.71 - 1.7034) / 0.8528 = 19.94. docs/costs.md s4 derives it; SRAM is
 * never multiplied by it. */
#define SP_AREA_LOGIC_CALIBRATION 19.94

typedef struct {
    double logic_raw_mm2[SP_A_N]; /* logic from the primitives, at the config's node */
    double logic_mm2[SP_A_N];     /* x SP_AREA_LOGIC_CALIBRATION */
    double sram_mm2[SP_A_N];      /* SRAM and ROM arrays (bit cells / array efficiency) */
    double mm2[SP_A_N];           /* logic_mm2 + sram_mm2 */
    double logic_total_mm2, sram_total_mm2, total_mm2;
    double node_scale;            /* logic: (node_nm / 45)^2 */
} sp_area_report;

void sp_area_compute(const sp_config *cfg, sp_area_report *a);
/* The report into group g of a registry: total, unit sum before the
 * calibration, the calibration factor, by_unit. */
void sp_area_stats(const sp_area_report *a, sp_stats *s, const char *g);
#endif
