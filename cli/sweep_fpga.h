/* sweep_fpga.h - `spattn sweep --fpga xcup` (cli/sweep_fpga.c): the FPGA
 * resource counts of each point, from rtl/fpga/xilinx_resources.sh -H
 * (Yosys synth_xilinx -family xcup, spattn_top with its hierarchy kept) at
 * the point's RTL parameters. Minutes per point: only when asked. */
#ifndef SP_SWEEP_FPGA_H
#define SP_SWEEP_FPGA_H
#include <stddef.h>
#include "spattn.h"

#define SP_FPGA_NCOLS 8
/* the sweep.csv columns, in order, and the header text ",fpga_lut,..." */
extern const char *const sp_fpga_cols[SP_FPGA_NCOLS];
extern const char sp_fpga_header[];

typedef struct {
    char script[4096]; /* xilinx_resources.sh */
    char work[4200];   /* the sweep's work directory (DIR.spattn-sweep-work) */
    int d;             /* hardware head dimension (as the co-sim's COSIM_D) */
} sp_sweep_fpga;

/* family must be "xcup"; d_text the hardware D (1..SP_MAX_D). With tools
 * (a run that maps points here, not --collect or --slurm): the script
 * is $SPATTN_FPGA_SCRIPT, else rtl/fpga/xilinx_resources.sh of the tree the
 * spattn executable was built in (EXE_DIR/../rtl/fpga); yosys ($YOSYS, else
 * yosys) must be on PATH. -1 with a one-line message otherwise. */
int sp_sweep_fpga_init(sp_sweep_fpga *f, const char *family, const char *d_text, const char *work, int tools,
                       char *err, size_t errlen);
/* Every point's parameters must be ones the RTL builds (the co-sim's
 * rules, sim/simparams.h, through the script's --check): -1 with "sweep
 * point P: message" for the first that is not. Runs no synthesis. */
int sp_sweep_fpga_check(const sp_sweep_fpga *f, const sp_config *base, size_t npoints, char *err, size_t errlen);
/* Point p of the base config (p within one trace; id its number in the
 * sweep, names the files): maps it and stores the counts in the order of
 * sp_fpga_cols. The work files are removed after a success and kept (the
 * message names the log) after a failure. */
int sp_sweep_fpga_point(const sp_sweep_fpga *f, const sp_config *base, size_t p, size_t id,
                        long counts[SP_FPGA_NCOLS], char *err, size_t errlen);
/* rec (a record of sp_sweep_point_record) with the counts appended to its
 * sweep.csv row and as "fpga" in its point object (malloc'ed; NULL when
 * out of memory or rec is no record). */
char *sp_sweep_fpga_record(const char *rec, const sp_sweep_fpga *f, const long counts[SP_FPGA_NCOLS]);
#endif
