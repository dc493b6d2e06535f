/* dram.h - DRAM timing model (cmodel/dram.c): channels, banks, open-row
 * buffers, tRCD/tRP/tCL/tCCD/tRAS, refresh and an address map. One C
 * implementation: the timing model calls it per fetch job and the SystemC
 * memory target wraps the same functions. docs/costs.md section 2 states
 * the model and the sources of the presets. */
#ifndef SP_DRAM_H
#define SP_DRAM_H
#include <stddef.h>
#include <stdint.h>
#include "spattn.h"
#include "stats.h"

/* What a request carries, for the traffic-by-kind report. */
typedef enum {
    SP_DK_Q = 0,     /* query row */
    SP_DK_K_MSB,     /* key MSB planes (first fetch) */
    SP_DK_K_LSB,     /* key LSB planes (refetch after a requant) */
    SP_DK_V,         /* value rows (MSB planes, plus LSB planes after a requant) */
    SP_DK_OUT,       /* head output written back */
    SP_DK_OTHER,
    SP_DK_N
} sp_dram_kindof;

extern const char *const sp_dram_kind_names[SP_DK_N]; /* "q", "k_msb", ... */

typedef struct {
    uint64_t requests;              /* sp_dram_access calls */
    uint64_t bursts;                /* column accesses */
    uint64_t reads, writes;         /* bursts by direction */
    uint64_t row_hits, row_misses, row_empty; /* open row / other row open / bank closed */
    uint64_t refreshes;
    uint64_t useful_bytes[SP_DK_N];   /* bytes asked for, by kind */
    uint64_t burst_bytes[SP_DK_N];    /* bytes moved on the bus (whole bursts), by kind */
    uint64_t first_dram_cycle, last_dram_cycle; /* span of data-bus activity */
    uint64_t bus_busy_dram_cycles;  /* summed over channels */
    uint64_t late_calls;            /* calls whose now was below an earlier call's (API misuse) */
    uint64_t last_now;
} sp_dram_stats;

typedef struct {
    int bank_open;        /* open row, -1 when closed */
    uint64_t t_act;       /* DRAM cycle of the last ACT */
    uint64_t t_ready;     /* earliest next column command to this bank */
} sp_dram_bank;

/* A channel's banks after a run that gave every bank its last column
 * command in one row, back to back (dram.c chan_serve): with rot_ok 2,
 * every bank b is open to rot_row, its t_ready is rot_a + ((b - rot_s)
 * mod banks) x burst_clks and its t_act + tRAS is at most rot_a, so a
 * batch of first visits to another row is served in closed form (dram.c
 * rot_batch; rot_ok 1: all but the t_act bound), its result kept as a
 * formula (lz) rather than in the bank array. Any other access to the
 * channel writes the array out and clears rot_ok. */
typedef struct {
    uint64_t bus_free;    /* data bus free from this DRAM cycle */
    uint64_t next_ref;    /* next refresh due */
    uint64_t rot_a;       /* rot_ok: the earliest t_ready, that of bank rot_s */
    uint64_t rot_amax;    /* rot_ok: the latest t_act of the channel's banks */
    int rot_ok, rot_s, rot_row;
    /* lz: the bank array is stale (sp_dram_sync writes it): every bank is
     * open to rot_row, t_ready is rot_a's rotation and t_act is max(act_t,
     * act_a + ((b - act_s) mod banks) x burst_clks) + tRP */
    int lz, act_s;
    uint64_t act_t, act_a;
    sp_dram_bank *bank;
} sp_dram_chan;

/* The timing numbers the fast paths use, as 64-bit values set once by
 * sp_dram_init; ccd_cl is tCCD - tCL in wrapping arithmetic (the rule's
 * ds - tCL + tCCD), bc the data-bus cycles of one burst. */
typedef struct {
    uint64_t tRAS, tRP, tRCD, tCL, ccd_cl, bc;
} sp_dram_tims;

typedef struct {
    sp_dram_cfg cfg;
    sp_dram_tims tim;
    double acc_per_dram;  /* accelerator cycles per DRAM cycle */
    int burst_clks;       /* data-bus cycles per burst */
    uint32_t cols;        /* bursts per row */
    int pow2;             /* channels, banks, cols, burst all powers of two */
    int sh_burst, sh_ch, sh_bank, sh_col;
    int sh_row;           /* sh_bank + sh_col: channel-local burst index to row (pow2) */
    uint64_t seg;         /* bursts of one row index in one channel: banks x cols */
    int unit_clk;         /* acc_per_dram is exactly 1 */
    int scatter_ok;       /* pow2 and unit_clk: short requests take dram.c scatter_runs */
    uint64_t scatter_max; /* ... up to this many bursts */
    int run_ok;           /* tCCD <= banks x burst_clks: runs of hits in closed form (dram.c run_len) */
    sp_dram_chan *ch;
    sp_dram_stats st;
} sp_dram;

/* Fills c with a named preset (docs/costs.md cites each number). */
void sp_dram_preset(sp_dram_kind kind, sp_dram_cfg *c);
/* Peak data bandwidth in bytes per second: channels x bytes/clk x clock. */
double sp_dram_peak_bytes_per_s(const sp_dram_cfg *c);

/* accel_mhz: the clock the now/completion cycles of sp_dram_access count.
 * -1 with a message on a bad config or out of memory. */
int sp_dram_init(sp_dram *d, const sp_dram_cfg *c, double accel_mhz, char *err, size_t errlen);
void sp_dram_free(sp_dram *d);
/* Clears state and statistics (banks closed, buses idle). */
void sp_dram_reset(sp_dram *d);
/* Writes out the bank state that closed-form batches and runs keep as a
 * formula (sp_dram_chan lz), so that d->ch[c].bank[b] can be read; the
 * model's later path and results do not change. */
void sp_dram_sync(sp_dram *d);

/* One request of `bytes` bytes at byte address addr, issued at accelerator
 * cycle now. It is split into bursts by the address map; bursts are served
 * in call order per channel (no reordering). Returns the accelerator cycle
 * at which the last data beat has moved; *first (if not NULL) gets the
 * cycle of the first beat. Calls must come with non-decreasing now. */
uint64_t sp_dram_access(sp_dram *d, uint64_t addr, uint32_t bytes, int is_write,
                        sp_dram_kindof kind, uint64_t now, uint64_t *first);
/* k read or write requests of one kind at one cycle now, served in order:
 * request j covers bursts runs[2j] .. runs[2j + 1] (burst indexes: byte
 * address / burst_bytes), whole bursts. The same state and statistics as
 * k sp_dram_access calls; returns the latest of their completion cycles
 * and *first (if not NULL) the earliest of their first beats (k = 0: now). */
uint64_t sp_dram_access_runs(sp_dram *d, const uint64_t *runs, size_t k, int is_write, sp_dram_kindof kind,
                             uint64_t now, uint64_t *first);
/* The same request served burst by burst through the address map: the
 * reference for sp_dram_access, which serves runs of row hits in closed
 * form; both leave identical state and statistics. */
uint64_t sp_dram_access_ref(sp_dram *d, uint64_t addr, uint32_t bytes, int is_write,
                            sp_dram_kindof kind, uint64_t now, uint64_t *first);

/* Address map (docs/costs.md): burst | channel | bank | column | row from
 * the least significant end, so consecutive bursts spread over channels,
 * then banks, then the columns of one row. */
void sp_dram_map(const sp_dram *d, uint64_t addr, int *ch, int *bank, uint64_t *row, uint32_t *col);

/* Achieved data bandwidth over the active span, bytes per second. */
double sp_dram_achieved_bytes_per_s(const sp_dram *d);

/* The DRAM model's own statistics into group g of a registry: part kind,
 * bus bytes by kind (whole bursts), bursts, row hits/misses/empty,
 * refreshes. */
const char *sp_dram_kind_name(sp_dram_kind k); /* "hbm2", "ddr4", "lpddr4" */
void sp_dram_stats_put(const sp_dram_stats *st, const sp_dram_cfg *c, sp_stats *s, const char *g);
#endif
