/* dram.c - DRAM timing model: per-channel in-order service, per-bank open
 * row (open-page policy), ACT/PRE/column timing, data-bus occupancy and
 * all-bank refresh. Times inside are DRAM clock cycles; the API speaks
 * accelerator cycles. The rules are written out in docs/costs.md s2. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dram.h"

/* cycle counts below this convert between equal clocks without rounding */
#define SP_DRAM_EXACT (UINT64_C(1) << 52)
/* requests of up to this many bursts per channel take scatter_runs (burst
 * by burst) rather than chan_serve (a batch per channel, then runs), whose
 * per-channel setup costs more than it saves on so few bursts */
#define SP_DRAM_SCATTER_PER_CH 4

const char *const sp_dram_kind_names[SP_DK_N] = {"q", "k_msb", "k_lsb", "v", "out", "other"};

void sp_dram_preset(sp_dram_kind kind, sp_dram_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->kind = kind;
    switch (kind) {
    case SP_DRAM_DDR4:
        /* DDR4-3200, 8 Gb x8 devices, one 64-bit rank per channel:
         * DRAMsim3 configs/DDR4_8Gb_x8_3200.ini (JESD79-4 speed bin 3200AA):
         * tCK 0.625 ns, CL = tRCD = tRP = 22, tRAS 52, tCCD_L 8, tREFI 12480,
         * tRFC 560 (350 ns); 4 bank groups x 4 banks; 1024 columns x 64 bit
         * = 8 KB row per rank; BL8 x 64 bit = 64 B per burst, 16 B/clk.
         * 4 channels = 102.4 GB/s (our choice of system). */
        c->channels = 4;
        c->banks = 16;
        c->row_bytes = 8192;
        c->burst_bytes = 64;
        c->clock_mhz = 1600.0;
        c->tRCD = 22; c->tRP = 22; c->tCL = 22; c->tCCD = 8; c->tRAS = 52;
        c->tREFI = 12480; c->tRFC = 560;
        c->bytes_per_clk_per_channel = 16.0;
        break;
    case SP_DRAM_LPDDR4:
        /* LPDDR4-3200 x16 channel (JESD209-4; Micron MT53 datasheet class):
         * tCK 0.625 ns, RL 28 (DBI off), tRCD = tRPpb = 18 ns -> 29 clk,
         * tRAS 42 ns -> 68, BL16 -> tCCD 8, tREFI 3.9 us -> 6240,
         * tRFCab 280 ns -> 448; 8 banks, 2 KB page; BL16 x 16 bit = 32 B,
         * 4 B/clk. 4 channels = 25.6 GB/s (two x32 packages). */
        c->channels = 4;
        c->banks = 8;
        c->row_bytes = 2048;
        c->burst_bytes = 32;
        c->clock_mhz = 1600.0;
        c->tRCD = 29; c->tRP = 29; c->tCL = 28; c->tCCD = 8; c->tRAS = 68;
        c->tREFI = 6240; c->tRFC = 448;
        c->bytes_per_clk_per_channel = 4.0;
        break;
    case SP_DRAM_HBM2:
    default:
        /* HBM2, the SpAtten design point: 16 x 128-bit channels at 1 GHz DDR
         * (512 GB/s); timing from DRAMsim3 configs/HBM2_4Gb_x128.ini
         * (tCK 1 ns, CL = tRCD = tRP = 14, tRAS 34, tCCD_L 2, tREFI 3900,
         * tRFC 260, 16 banks, 64 columns x 128 bit = 1 KB rows); 32-byte
         * accesses as in the public SpAtten fetcher. Same as configs/paper.yaml. */
        c->kind = SP_DRAM_HBM2;
        c->channels = 16;
        c->banks = 16;
        c->row_bytes = 1024;
        c->burst_bytes = 32;
        c->clock_mhz = 1000.0;
        c->tRCD = 14; c->tRP = 14; c->tCL = 14; c->tCCD = 2; c->tRAS = 34;
        c->tREFI = 3900; c->tRFC = 260;
        c->bytes_per_clk_per_channel = 32.0;
        break;
    }
}

double sp_dram_peak_bytes_per_s(const sp_dram_cfg *c)
{
    return (double)c->channels * c->bytes_per_clk_per_channel * c->clock_mhz * 1e6;
}

static int ilog2_exact(uint64_t x)
{
    if (x == 0 || (x & (x - 1)))
        return -1;
    int s = 0;
    while ((UINT64_C(1) << s) < x)
        s++;
    return s;
}

void sp_dram_reset(sp_dram *d)
{
    for (int c = 0; c < d->cfg.channels; c++) {
        d->ch[c].bus_free = 0;
        d->ch[c].next_ref = d->cfg.tREFI > 0 ? (uint64_t)d->cfg.tREFI : UINT64_MAX;
        d->ch[c].rot_ok = 0;
        d->ch[c].lz = 0;
        for (int b = 0; b < d->cfg.banks; b++) {
            d->ch[c].bank[b].bank_open = -1;
            d->ch[c].bank[b].t_act = 0;
            d->ch[c].bank[b].t_ready = 0;
        }
    }
    memset(&d->st, 0, sizeof d->st);
    d->st.first_dram_cycle = UINT64_MAX;
}

int sp_dram_init(sp_dram *d, const sp_dram_cfg *c, double accel_mhz, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    if (c->channels < 1 || c->banks < 1 || c->burst_bytes < 1 || c->row_bytes < c->burst_bytes ||
        c->row_bytes % c->burst_bytes || c->clock_mhz <= 0 || c->bytes_per_clk_per_channel <= 0 ||
        accel_mhz <= 0 || c->tCCD < 1) {
        snprintf(err, errlen, "dram: bad configuration (channels %d, banks %d, row_bytes %d, burst_bytes %d: row_bytes must be a multiple of burst_bytes)",
                 c->channels, c->banks, c->row_bytes, c->burst_bytes);
        return -1;
    }
    d->cfg = *c;
    d->acc_per_dram = accel_mhz / c->clock_mhz;
    d->burst_clks = (int)ceil((double)c->burst_bytes / c->bytes_per_clk_per_channel - 1e-9);
    if (d->burst_clks < 1)
        d->burst_clks = 1;
    d->cols = (uint32_t)(c->row_bytes / c->burst_bytes);
    d->sh_burst = ilog2_exact((uint64_t)c->burst_bytes);
    d->sh_ch = ilog2_exact((uint64_t)c->channels);
    d->sh_bank = ilog2_exact((uint64_t)c->banks);
    d->sh_col = ilog2_exact(d->cols);
    d->pow2 = d->sh_burst >= 0 && d->sh_ch >= 0 && d->sh_bank >= 0 && d->sh_col >= 0;
    d->sh_row = d->sh_bank + d->sh_col;
    d->seg = (uint64_t)c->banks * d->cols;
    sp_dram_tims tm = {(uint64_t)c->tRAS, (uint64_t)c->tRP, (uint64_t)c->tRCD, (uint64_t)c->tCL,
                       (uint64_t)c->tCCD - (uint64_t)c->tCL, (uint64_t)d->burst_clks};
    d->tim = tm;
    d->unit_clk = d->acc_per_dram == 1.0;
    d->scatter_ok = d->pow2 && d->unit_clk;
    d->scatter_max = (uint64_t)c->channels * SP_DRAM_SCATTER_PER_CH;
    d->run_ok = c->tCL >= 0 && (uint64_t)c->tCCD <= (uint64_t)c->banks * (uint64_t)d->burst_clks;
    d->ch = calloc((size_t)c->channels, sizeof *d->ch);
    if (!d->ch) {
        snprintf(err, errlen, "dram: out of memory");
        return -1;
    }
    for (int i = 0; i < c->channels; i++) {
        d->ch[i].bank = calloc((size_t)c->banks, sizeof(sp_dram_bank));
        if (!d->ch[i].bank) {
            sp_dram_free(d);
            snprintf(err, errlen, "dram: out of memory");
            return -1;
        }
    }
    sp_dram_reset(d);
    return 0;
}

void sp_dram_free(sp_dram *d)
{
    if (d->ch)
        for (int i = 0; i < d->cfg.channels; i++)
            free(d->ch[i].bank);
    free(d->ch);
    d->ch = NULL;
}

void sp_dram_map(const sp_dram *d, uint64_t addr, int *ch, int *bank, uint64_t *row, uint32_t *col)
{
    if (d->pow2) {
        uint64_t b = addr >> d->sh_burst;
        *ch = (int)(b & (uint64_t)(d->cfg.channels - 1));
        b >>= d->sh_ch;
        *bank = (int)(b & (uint64_t)(d->cfg.banks - 1));
        b >>= d->sh_bank;
        *col = (uint32_t)(b & (d->cols - 1));
        *row = b >> d->sh_col;
        return;
    }
    uint64_t b = addr / (uint64_t)d->cfg.burst_bytes;
    *ch = (int)(b % (uint64_t)d->cfg.channels);
    b /= (uint64_t)d->cfg.channels;
    *bank = (int)(b % (uint64_t)d->cfg.banks);
    b /= (uint64_t)d->cfg.banks;
    *col = (uint32_t)(b % d->cols);
    *row = b / d->cols;
}

static inline uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* The statistics one request adds while its bursts are served, kept in
 * locals (the compiler holds them in registers) and added to d->st once
 * at the end of the request (flush_counts). */
typedef struct {
    uint64_t hits, misses, empty, refreshes;
    uint64_t first, last; /* data-bus span: earliest start, latest end */
} counts_t;

static inline void flush_counts(sp_dram *d, const counts_t *k)
{
    d->st.row_hits += k->hits;
    d->st.row_misses += k->misses;
    d->st.row_empty += k->empty;
    d->st.refreshes += k->refreshes;
    uint64_t f = d->st.first_dram_cycle, l = d->st.last_dram_cycle;
    d->st.first_dram_cycle = k->first < f ? k->first : f;
    d->st.last_dram_cycle = k->last > l ? k->last : l;
}

/* writes out a channel's bank state kept as a formula (sp_dram_chan lz):
 * bank b's offset in a rotation from bank s is (b - s) mod banks */
static void chan_write(const sp_dram *d, sp_dram_chan *ch)
{
    const uint64_t nbk = (uint64_t)d->cfg.banks, bc = d->tim.bc, rp = d->tim.tRP, at = ch->act_t;
    sp_dram_bank *const bank = ch->bank, *const end = bank + nbk;
    const int row = ch->rot_row;
    /* each rotation from its first bank to the last, then from bank 0 */
    uint64_t r = ch->rot_a;
    for (sp_dram_bank *bk = bank + ch->rot_s; bk < end; bk++, r += bc) {
        bk->bank_open = row;
        bk->t_ready = r;
    }
    for (sp_dram_bank *bk = bank; bk < bank + ch->rot_s; bk++, r += bc) {
        bk->bank_open = row;
        bk->t_ready = r;
    }
    r = ch->act_a;
    for (sp_dram_bank *bk = bank + ch->act_s; bk < end; bk++, r += bc)
        bk->t_act = max_u64(at, r) + rp;
    for (sp_dram_bank *bk = bank; bk < bank + ch->act_s; bk++, r += bc)
        bk->t_act = max_u64(at, r) + rp;
}

static __attribute__((noinline)) void chan_sync_lz(const sp_dram *d, sp_dram_chan *ch)
{
    chan_write(d, ch);
    ch->lz = 0;
}

static inline void chan_sync(const sp_dram *d, sp_dram_chan *ch)
{
    if (__builtin_expect(ch->lz, 0))
        chan_sync_lz(d, ch);
}

/* an access other than the closed-form ones: the bank array written out,
 * the rotation no longer known */
static inline void chan_touch(const sp_dram *d, sp_dram_chan *ch)
{
    if (__builtin_expect(ch->rot_ok, 0)) { /* (lz implies rot_ok) */
        chan_sync(d, ch);
        ch->rot_ok = 0;
    }
}

/* (lz stays set: the next access takes the path it would have taken) */
void sp_dram_sync(sp_dram *d)
{
    for (int c = 0; c < d->cfg.channels; c++)
        if (d->ch[c].lz)
            chan_write(d, &d->ch[c]);
}

/* all-bank refresh of channel ch, due before a burst that may start at ts:
 * a refresh falls due at next_ref and runs when the channel's data bus
 * has drained (never postponed further); banks close and stay busy for
 * tRFC */
static uint64_t refresh_due(const sp_dram_cfg *c, sp_dram_chan *ch, uint64_t ts)
{
    uint64_t n = 0;
    ch->rot_ok = 0;
    while (ts >= ch->next_ref) {
        uint64_t r0 = max_u64(ch->next_ref, ch->bus_free), r1 = r0 + (uint64_t)c->tRFC;
        for (int b = 0; b < c->banks; b++) {
            ch->bank[b].bank_open = -1;
            ch->bank[b].t_ready = max_u64(ch->bank[b].t_ready, r1);
        }
        ch->bus_free = max_u64(ch->bus_free, r1);
        ch->next_ref += (uint64_t)c->tREFI;
        n++;
    }
    return n; /* refreshes run */
}

/* one burst to channel ci, bank bi, row `row` at DRAM cycle t: the
 * general rule (the burst, read and bus counts are the caller's:
 * count_bursts); returns the DRAM cycle its data ends */
static inline __attribute__((always_inline)) uint64_t burst_at(sp_dram *d, int ci, int bi, uint64_t row,
                                                               uint64_t t, counts_t *k)
{
    const sp_dram_cfg *c = &d->cfg;
    sp_dram_chan *ch = &d->ch[ci];
    chan_touch(d, ch);
    if (__builtin_expect(max_u64(t, ch->bus_free) >= ch->next_ref, 0))
        k->refreshes += refresh_due(c, ch, max_u64(t, ch->bus_free));
    sp_dram_bank *bk = &ch->bank[bi];
    uint64_t T = max_u64(t, bk->t_ready), tcol;
    if (bk->bank_open == (int)row) {
        k->hits++;
        tcol = T;
    } else {
        uint64_t tact;
        if (bk->bank_open >= 0) {
            k->misses++;
            uint64_t tpre = max_u64(T, bk->t_act + (uint64_t)c->tRAS);
            tact = tpre + (uint64_t)c->tRP;
        } else {
            k->empty++;
            tact = T;
        }
        bk->t_act = tact;
        bk->bank_open = (int)row;
        tcol = tact + (uint64_t)c->tRCD;
    }
    /* the data bus of the channel serves bursts in call order */
    uint64_t ds = max_u64(tcol + (uint64_t)c->tCL, ch->bus_free);
    /* column command issued tCL before its data slot; same-bank column
     * commands are tCCD apart (tCCD_L: bank groups are not modelled) */
    bk->t_ready = ds - (uint64_t)c->tCL + (uint64_t)c->tCCD;
    uint64_t de = ds + (uint64_t)d->burst_clks;
    ch->bus_free = de;
    if (ds < k->first)
        k->first = ds;
    if (de > k->last)
        k->last = de;
    return de;
}

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

typedef sp_dram_tims tims_t;

static inline tims_t tims_of(const sp_dram *d)
{
    return d->tim;
}

/* The same rule as burst_at for the fast path, written without data-
 * dependent branches (hit, miss and empty select values; the counters and
 * the span are plain sums, minima and maxima), so that a stream of
 * scattered rows does not pay a mispredicted branch per burst; the
 * channel's bus-free cycle is the caller's *bus (a register across a
 * batch; ch->bus_free is stale until the caller stores it back). The
 * bank pointer and the channel are the caller's; tests/test_dram.c holds
 * both rules equal. */
static inline __attribute__((always_inline)) uint64_t burst_fast(const sp_dram *d, const tims_t *p,
                                                                 sp_dram_chan *ch, sp_dram_bank *bk,
                                                                 uint64_t row, uint64_t t, uint64_t *bus,
                                                                 counts_t *k)
{
    uint64_t ts = max_u64(t, *bus);
    chan_touch(d, ch);
    if (__builtin_expect(ts >= ch->next_ref, 0)) {
        ch->bus_free = *bus;
        k->refreshes += refresh_due(&d->cfg, ch, ts);
        *bus = ch->bus_free;
    }
    int open = bk->bank_open;
    uint64_t hit = open == (int)row, empty = open < 0;
    uint64_t T = max_u64(t, bk->t_ready), tact0 = bk->t_act;
    uint64_t tpre = max_u64(T, tact0 + p->tRAS) + p->tRP;
    uint64_t tact = empty ? T : tpre;
    uint64_t tcol = hit ? T : tact + p->tRCD;
    bk->t_act = hit ? tact0 : tact;
    bk->bank_open = (int)row;
    k->hits += hit;
    k->empty += empty; /* misses: the request's bursts less hits and empty (sp_dram_access) */
    uint64_t ds = max_u64(tcol + p->tCL, *bus);
    bk->t_ready = ds + p->ccd_cl;
    uint64_t de = ds + p->bc;
    *bus = de;
    k->first = min_u64(k->first, ds);
    k->last = max_u64(k->last, de);
    return de;
}

/* the counts every burst adds (the callers add them per burst or per request) */
static inline void count_bursts(sp_dram *d, uint64_t n, int is_write)
{
    d->st.bus_busy_dram_cycles += n * (uint64_t)d->burst_clks;
    d->st.bursts += n;
    if (is_write)
        d->st.writes += n;
    else
        d->st.reads += n;
}

/* one burst at byte address addr (the reference path: map, then the
 * rule, its statistics added at once) */
static uint64_t burst(sp_dram *d, uint64_t addr, int is_write, uint64_t t)
{
    int ci, bi;
    uint64_t row;
    uint32_t col;
    sp_dram_map(d, addr, &ci, &bi, &row, &col);
    count_bursts(d, 1, is_write);
    counts_t k = {0, 0, 0, 0, UINT64_MAX, 0};
    uint64_t de = burst_at(d, ci, bi, row, t, &k);
    flush_counts(d, &k);
    return de;
}

/* What both access paths share before the bursts: counts, the zero-byte
 * case (returns 1 with *ret set) and the start cycle t in DRAM cycles. */
static int access_begin(sp_dram *d, uint32_t bytes, sp_dram_kindof *kind, uint64_t now, uint64_t *first,
                        uint64_t *ret, uint64_t *t, int fast)
{
    if ((unsigned)*kind >= SP_DK_N)
        *kind = SP_DK_OTHER;
    d->st.requests++;
    if (now < d->st.last_now)
        d->st.late_calls++;
    else
        d->st.last_now = now;
    if (bytes == 0) {
        if (first)
            *first = now;
        *ret = now;
        return 1;
    }
    d->st.useful_bytes[*kind] += bytes;
    /* with equal clocks the conversion is the identity (exact below 2^52) */
    *t = fast && d->unit_clk && now < SP_DRAM_EXACT ? now : (uint64_t)floor((double)now / d->acc_per_dram + 1e-9);
    return 0;
}

/* ... and after: DRAM cycles of the first burst's end and the last end
 * back to accelerator cycles (fast: the shortcut for equal clocks; the
 * reference path always takes the general conversion) */
static uint64_t access_end(const sp_dram *d, uint64_t now, uint64_t dfirst, uint64_t dlast, uint64_t *first, int fast)
{
    if (fast && d->unit_clk && dlast < SP_DRAM_EXACT) {
        uint64_t done = dlast <= now ? now + 1 : dlast;
        if (first)
            *first = dfirst <= now ? now + 1 : dfirst;
        return done;
    }
    uint64_t done = (uint64_t)ceil((double)dlast * d->acc_per_dram - 1e-9);
    if (done <= now)
        done = now + 1;
    if (first) {
        uint64_t f = (uint64_t)ceil((double)dfirst * d->acc_per_dram - 1e-9);
        *first = f <= now ? now + 1 : f;
    }
    return done;
}

uint64_t sp_dram_access_ref(sp_dram *d, uint64_t addr, uint32_t bytes, int is_write,
                            sp_dram_kindof kind, uint64_t now, uint64_t *first)
{
    uint64_t ret, t;
    if (access_begin(d, bytes, &kind, now, first, &ret, &t, 0))
        return ret;
    uint64_t bb = (uint64_t)d->cfg.burst_bytes;
    uint64_t a0 = addr / bb * bb, a1 = addr + bytes;
    uint64_t dfirst = UINT64_MAX, dlast = 0;
    for (uint64_t a = a0; a < a1; a += bb) {
        uint64_t de = burst(d, a, is_write, t);
        if (dfirst == UINT64_MAX)
            dfirst = de;
        if (de > dlast)
            dlast = de;
        d->st.burst_bytes[kind] += bb;
    }
    return access_end(d, now, dfirst, dlast, first, 0);
}

/* Channel-local burst index q (burst index / channels) into bank, row:
 * the map's fields above the channel (bank | column | row). */
static inline void split_q(const sp_dram *d, uint64_t q, int *bank, uint64_t *row)
{
    if (d->pow2) {
        *bank = (int)(q & (uint64_t)(d->cfg.banks - 1));
        *row = q >> (d->sh_bank + d->sh_col);
        return;
    }
    *bank = (int)(q % (uint64_t)d->cfg.banks);
    *row = q / (uint64_t)d->cfg.banks / d->cols;
}

/* How many of the next n bursts of channel ch (starting at bank bi, row
 * row, channel-local index q) the burst rule serves as plain row hits
 * back to back on the data bus: burst k's data slot is bus_free + k x
 * burst_clks. That holds when (a) no refresh falls due: the rule checks
 * max(t, bus_free) >= next_ref before each burst; (b) every burst hits
 * its bank's open row: the bursts stay inside one row of the map, and
 * each bank's first visit finds that row open; (c) no burst waits for
 * its bank: t + tCL and, on a bank's first visit, t_ready + tCL are at
 * most its slot; a revisit comes banks bursts later, after its previous
 * column command plus tCCD when tCCD <= banks x burst_clks (d->run_ok).
 * 0 when the first burst needs the general rule. */
/* (a) and the row bound of run_len: how many of the next n bursts (channel-
 * local index q onward) stay in this row index and start before the next
 * refresh falls due; 0 when one is due at the first slot */
static inline uint64_t run_room(const sp_dram *d, const sp_dram_chan *ch, uint64_t q, uint64_t n)
{
    uint64_t f0 = ch->bus_free, bc = (uint64_t)d->burst_clks;
    if (f0 >= ch->next_ref)
        return 0;
    uint64_t seg = d->seg; /* bursts of one row index per channel */
    uint64_t m = seg - (d->pow2 ? q & (seg - 1) : q % seg); /* to the end of this row index */
    if (n < m)
        m = n;
    if (f0 + (m - 1) * bc >= ch->next_ref)
        m = (ch->next_ref - f0 - 1) / bc + 1; /* slots that start before next_ref */
    return m;
}

static uint64_t run_len(const sp_dram *d, sp_dram_chan *ch, int bi, uint64_t row, uint64_t q,
                        uint64_t n, uint64_t t)
{
    chan_sync(d, ch); /* (chan_serve calls it when bank bi is open to row) */
    uint64_t f0 = ch->bus_free, tcl = (uint64_t)d->cfg.tCL, bc = (uint64_t)d->burst_clks;
    /* a row miss first: the common reason for 0 (the first bank of a new row) */
    if (ch->bank[bi].bank_open != (int)row || !d->run_ok || t + tcl > f0)
        return 0;
    uint64_t m = run_room(d, ch, q, n);
    uint64_t nb = m < (uint64_t)d->cfg.banks ? m : (uint64_t)d->cfg.banks;
    int b = bi;
    for (uint64_t k = 0; k < nb; k++) {
        const sp_dram_bank *bk = &ch->bank[b];
        if (bk->bank_open != (int)row || bk->t_ready + tcl > f0 + k * bc)
            return k;
        if (++b == d->cfg.banks)
            b = 0;
    }
    return m;
}

/* One burst to bank bk of channel ch, row `row`, issued at t: the rule
 * (burst_at) with the channel's bus-free cycle and next refresh in the
 * caller's *bus and *nref (registers across the caller's loop; ch's copies
 * are stored only around a refresh); row hits and empty-bank opens are
 * added to *cnt as hits + (empty << 32), refreshes to *refs. The one step
 * of batch_rule and scatter_runs. Returns the data slot; *bus gets its end. */
static inline __attribute__((always_inline)) uint64_t rule_step(const sp_dram *d, sp_dram_chan *ch, sp_dram_bank *bk,
                                                                int row, uint64_t t, const tims_t *p, uint64_t rcl,
                                                                uint64_t *bus, uint64_t *nref, uint64_t *cnt,
                                                                uint64_t *refs)
{
    uint64_t ts = max_u64(t, *bus);
    if (__builtin_expect(ts >= *nref, 0)) {
        ch->bus_free = *bus;
        *refs += refresh_due(&d->cfg, ch, ts);
        *bus = ch->bus_free;
        *nref = ch->next_ref;
    }
    int open = bk->bank_open;
    uint64_t T = max_u64(t, bk->t_ready), r; /* r: the data slot's earliest start */
    if (open == row) {
        ++*cnt;
        r = T + p->tCL;
    } else {
        uint64_t tact = T;
        if (__builtin_expect(open >= 0, 1))
            tact = max_u64(T, bk->t_act + p->tRAS) + p->tRP;
        else
            *cnt += UINT64_C(1) << 32;
        bk->t_act = tact;
        bk->bank_open = row;
        r = tact + rcl;
    }
    uint64_t ds = max_u64(r, *bus);
    bk->t_ready = ds + p->ccd_cl;
    *bus = ds + p->bc;
    return ds;
}

/* nb (1 .. banks) bursts of row `row` in channel ch, to banks bi, bi + 1,
 * ... (mod banks), each by the rule (rule_step) at issue cycle t: a
 * channel's first visits to the banks of a new row, so mostly row misses.
 * One channel serves them in order, so the data slots grow: the span is
 * the first slot to the last end.
 * A function of its own, so that the loop stays in registers. Returns the
 * last burst's data end; *de0 gets the first one's. */
static __attribute__((noinline)) uint64_t batch_rule(sp_dram *d, sp_dram_chan *ch, int bi, int row, uint64_t nb,
                                                     uint64_t t, counts_t *K, uint64_t *de0)
{
    const tims_t p = d->tim;
    const uint64_t rcl = p.tRCD + p.tCL, nbk = (uint64_t)d->cfg.banks;
    uint64_t bus = ch->bus_free, nref = ch->next_ref, cnt = 0;
    chan_touch(d, ch);
    /* the first burst (its slot starts the span), then to the last bank,
     * then from bank 0 */
    uint64_t ds0 = rule_step(d, ch, &ch->bank[bi], row, t, &p, rcl, &bus, &nref, &cnt, &K->refreshes);
    uint64_t n1 = nbk - (uint64_t)bi - 1 < nb - 1 ? nbk - (uint64_t)bi - 1 : nb - 1;
    sp_dram_bank *bk = &ch->bank[bi + 1];
    for (sp_dram_bank *e = bk + n1; bk < e; bk++)
        rule_step(d, ch, bk, row, t, &p, rcl, &bus, &nref, &cnt, &K->refreshes);
    bk = ch->bank;
    for (sp_dram_bank *e = bk + (nb - 1 - n1); bk < e; bk++)
        rule_step(d, ch, bk, row, t, &p, rcl, &bus, &nref, &cnt, &K->refreshes);
    ch->bus_free = bus;
    K->hits += cnt & 0xffffffffu;
    K->empty += cnt >> 32;
    K->first = min_u64(K->first, ds0);
    K->last = max_u64(K->last, bus);
    *de0 = ds0 + p.bc;
    return bus;
}

/* t_ready of nb (at most nbk) banks from bank b on (mod nbk): r, r + bc,
 * ... (the last column commands of a run) */
static __attribute__((noinline)) void set_ready(sp_dram_bank *bank, uint64_t b, uint64_t nb, uint64_t nbk, uint64_t r,
                                                uint64_t bc)
{
    uint64_t n1 = nbk - b < nb ? nbk - b : nb; /* to the last bank, then from bank 0 */
    for (sp_dram_bank *x = bank + b, *e = x + n1; x < e; x++, r += bc)
        x->t_ready = r;
    for (sp_dram_bank *x = bank, *e = x + (nb - n1); x < e; x++, r += bc)
        x->t_ready = r;
}

/* A batch of first visits to every bank, in row `row`, on a channel whose
 * banks are in the rotation that ch->rot_ok states (sp_dram_chan) and open
 * to another row: all row misses, and by the rule bank j of the batch
 * (bank bi + j mod banks) activates at max(t, t_ready) + tRP (its t_act +
 * tRAS is at most its t_ready) and could take its data slot at r_j =
 * max(t, t_ready) + tRP + tRCD + tCL. Along the batch t_ready grows by
 * burst_clks per bank up to the rotation's last bank and then drops, so
 * r_j <= r_0 + j x burst_clks: every slot after the first is bus-bound,
 * D0 + j x burst_clks with D0 = max(bus_free, r_0). 0 (nothing changed)
 * when a refresh falls due before a burst of the batch; else the batch
 * is served, the rotation restarts at bank bi, *de0 gets the first
 * burst's data end and *de the last. The banks' new state is kept as a
 * formula (sp_dram_chan lz), so a batch costs the same for any number of
 * banks. */
static __attribute__((noinline)) int rot_batch(sp_dram *d, const tims_t *p, sp_dram_chan *ch, int bi, int row,
                                               uint64_t t, counts_t *K, uint64_t *de0, uint64_t *de)
{
    const uint64_t nbk = (uint64_t)d->cfg.banks, bc = p->bc, rp = p->tRP;
    uint64_t bus0 = ch->bus_free;
    uint64_t b = (uint64_t)bi, rs = (uint64_t)ch->rot_s, tr0 = ch->rot_a + (b >= rs ? b - rs : b + nbk - rs) * bc;
    uint64_t D0 = max_u64(bus0, max_u64(t, tr0) + rp + p->tRCD + p->tCL), end = D0 + nbk * bc;
    if (max_u64(t, bus0) >= ch->next_ref || end - bc >= ch->next_ref)
        return 0;
    /* the new state as a formula (chan_sync_lz writes it out): t_act from
     * the old rotation, t_ready the new one from bank bi */
    ch->act_t = t;
    ch->act_a = ch->rot_a;
    ch->act_s = ch->rot_s;
    ch->lz = 1;
    ch->bus_free = end;
    K->first = min_u64(K->first, D0);
    K->last = max_u64(K->last, end);
    ch->rot_amax = max_u64(t, ch->rot_a + (nbk - 1) * bc) + rp;
    ch->rot_a = D0 + p->ccd_cl;
    ch->rot_s = bi;
    ch->rot_row = row;
    ch->rot_ok = ch->rot_amax + p->tRAS <= ch->rot_a ? 2 : 1;
    *de0 = D0 + bc;
    *de = end;
    return 1;
}

/* After a run of m plain hits in row `row` from bank bi, data slots f0,
 * f0 + burst_clks, ...: the rotation of ch->rot_ok when the run gave every
 * bank its last column command, or when it follows the rotation's last
 * burst back to back on the bus; else none. rot_ok 1: the rotation and
 * rot_amax hold, but not yet rot_amax + tRAS <= rot_a; 2: that too.
 * Returns 1 when the bank array is a formula (lz) that now includes the
 * run's t_ready; 0 when the caller writes them (set_ready). */
static inline int rot_after_run(const sp_dram *d, const tims_t *p, sp_dram_chan *ch, int bi, int row, uint64_t m,
                                uint64_t f0)
{
    const uint64_t nbk = (uint64_t)d->cfg.banks, bc = p->bc;
    if (m >= nbk) {
        uint64_t amax = ch->rot_amax; /* still a bound with rot_ok: a run sets no t_act */
        if (!ch->rot_ok) {
            amax = 0;
            for (uint64_t b = 0; b < nbk; b++)
                amax = max_u64(amax, ch->bank[b].t_act);
        }
        ch->rot_amax = amax;
        ch->rot_a = f0 + (m - nbk) * bc + p->ccd_cl;
        ch->rot_s = (int)(((uint64_t)bi + m) % nbk);
        ch->rot_row = row;
        ch->rot_ok = amax + p->tRAS <= ch->rot_a ? 2 : 1;
        return ch->lz;
    }
    if (ch->rot_ok && row == ch->rot_row && bi == ch->rot_s && f0 == ch->rot_a - p->ccd_cl + nbk * bc) {
        ch->rot_a += m * bc;
        ch->rot_s = (int)(((uint64_t)bi + m) % nbk);
        ch->rot_ok = ch->rot_amax + p->tRAS <= ch->rot_a ? 2 : 1;
        return ch->lz;
    }
    chan_touch(d, ch);
    return 0;
}

/* Serves the n bursts of one request that fall on channel ci (channel-
 * local indexes q, q + 1, ...) in order: runs of plain hits in closed form
 * (run_len); where a run cannot start (a new row: the banks' first
 * visits, or a refresh, or an idle bus), the next bursts up to one per
 * bank and at most to the end of the row index by the rule (burst_fast).
 * When such a batch visited every bank once in one row without a refresh,
 * run_len's bank checks hold without looking: each bank is open to that
 * row, and bank k of the batch, whose data slot ds_k came at least
 * (banks - k) x burst_clks before the bus was free (f0; slots are served
 * in order, burst_clks apart at least), is ready at ds_k + tCCD - tCL <=
 * f0 + k x burst_clks - tCL, its slot in the run, when tCCD <= banks x
 * burst_clks (d->run_ok); and t + tCL <= ds_0 < f0. Same state and
 * statistics as the bursts one by one (tests/test_dram.c checks it). */
static inline __attribute__((always_inline)) void chan_serve(sp_dram *d, const tims_t *p, int ci, uint64_t q,
                                                             uint64_t n, uint64_t t, uint64_t *dfirst,
                                                             uint64_t *dlast, counts_t *K)
{
    const sp_dram_cfg *c = &d->cfg;
    sp_dram_chan *ch = &d->ch[ci];
    uint64_t bc = p->bc, nbk = (uint64_t)c->banks;
    int full = 0; /* the last step was a batch over every bank of one row, no refresh */
    while (n > 0) {
        int bi;
        uint64_t row, m;
        split_q(d, q, &bi, &row);
        if (full)
            m = run_room(d, ch, q, n);
        else if (n > 1 && (int)row == (ch->lz ? ch->rot_row : ch->bank[bi].bank_open))
            m = run_len(d, ch, bi, row, q, n, t);
        else
            m = 0; /* one burst (the rule is as cheap) or a row miss first (a new row) */
        if (m == 0) {
            uint64_t left = d->seg - (d->pow2 ? q & (d->seg - 1) : q % d->seg); /* to the end of the row index */
            uint64_t nb = n < nbk ? n : nbk, r0 = K->refreshes;
            if (left < nb)
                nb = left;
            uint64_t de0, de;
            int rot = nb == nbk && ch->rot_ok == 2 && (int)row != ch->rot_row; /* every bank a row miss */
            if (!(rot && rot_batch(d, p, ch, bi, (int)row, t, K, &de0, &de)))
                de = batch_rule(d, ch, bi, (int)row, nb, t, K, &de0);
            bi = (int)(((uint64_t)bi + nb) % nbk);
            *dfirst = *dfirst == UINT64_MAX ? de0 : *dfirst;
            *dlast = max_u64(*dlast, de); /* ends grow along one channel */
            full = nb == nbk && nb < left && K->refreshes == r0 && d->run_ok; /* the run stays in this row */
            q += nb;
            n -= nb;
            continue;
        }
        full = 0;
        uint64_t f0 = ch->bus_free, fe = f0 + m * bc;
        /* each bank's last column command in the run sets its t_ready */
        uint64_t k0 = m > nbk ? m - nbk : 0;
        if (!rot_after_run(d, p, ch, bi, (int)row, m, f0))
            set_ready(ch->bank, ((uint64_t)bi + k0) % nbk, m - k0, nbk, f0 + k0 * bc + p->ccd_cl, bc);
        ch->bus_free = fe;
        K->hits += m;
        K->first = min_u64(K->first, f0);
        K->last = max_u64(K->last, fe);
        if (*dfirst == UINT64_MAX)
            *dfirst = f0 + bc;
        if (fe > *dlast)
            *dlast = fe;
        q += m;
        n -= m;
    }
}

static __attribute__((noinline)) uint64_t access_general(sp_dram *d, uint64_t addr, uint32_t bytes, int is_write,
                                                         sp_dram_kindof kind, uint64_t now, uint64_t *first)
{
    uint64_t ret, t;
    if (access_begin(d, bytes, &kind, now, first, &ret, &t, 1))
        return ret;
    uint64_t bb = (uint64_t)d->cfg.burst_bytes, nch = (uint64_t)d->cfg.channels;
    uint64_t dfirst = UINT64_MAX, dlast = 0;
    counts_t K = {0, 0, 0, 0, UINT64_MAX, 0};
    uint64_t bursts0 = d->st.bursts;
    tims_t P = tims_of(d);
    /* channels are independent and the statistics are sums, minima and
     * maxima, so the request is served channel by channel; the first
     * burst's channel goes first so that dfirst is that burst's end */
    if (d->pow2) {
        uint64_t b0 = addr >> d->sh_burst, n = ((addr + bytes - 1) >> d->sh_burst) - b0 + 1;
        d->st.burst_bytes[kind] += n * bb;
        count_bursts(d, n, is_write);
        if (n <= nch) { /* one burst per channel (scattered rows): the rule for each */
            uint64_t bm = (uint64_t)d->cfg.banks - 1;
            int shr = d->sh_bank + d->sh_col;
            for (uint64_t i = 0; i < n; i++) {
                uint64_t b = b0 + i, q = b >> d->sh_ch;
                sp_dram_chan *ch = &d->ch[b & (nch - 1)];
                uint64_t bus = ch->bus_free;
                uint64_t de = burst_fast(d, &P, ch, &ch->bank[q & bm], q >> shr, t, &bus, &K);
                ch->bus_free = bus;
                dfirst = i ? dfirst : de;
                dlast = max_u64(dlast, de);
            }
        } else {
            for (uint64_t i = 0; i < nch; i++) {
                uint64_t b = b0 + i;
                chan_serve(d, &P, (int)(b & (nch - 1)), b >> d->sh_ch, ((n - 1 - i) >> d->sh_ch) + 1, t, &dfirst,
                           &dlast, &K);
            }
        }
    } else {
        uint64_t b0 = addr / bb, n = (addr + bytes - 1) / bb - b0 + 1; /* burst indexes b0 .. b0 + n - 1 */
        d->st.burst_bytes[kind] += n * bb;
        count_bursts(d, n, is_write);
        for (uint64_t i = 0; i < n && i < nch; i++) {
            uint64_t b = b0 + i;
            chan_serve(d, &P, (int)(b % nch), b / nch, (n - 1 - i) / nch + 1, t, &dfirst, &dlast, &K);
        }
    }
    K.misses = d->st.bursts - bursts0 - K.hits - K.empty;
    flush_counts(d, &K);
    return access_end(d, now, dfirst, dlast, first, 1);
}

/* Short requests when the map is all powers of two and the clocks are
 * equal (d->scatter_ok, now below 2^52): the scattered rows of a pruned
 * fetch, at most d->scatter_max bursts (a few per channel, too few for a
 * closed-form run after the banks' first visits). scatter_runs serves
 * runs[2j] .. runs[2j + 1] (burst indexes) for j = j0, j0 + 1, ... while a
 * run is that short, burst by burst in address order (each channel's
 * bursts in order) by the rule (rule_step), a lap of channels at a time
 * (one channel-local index: one bank and row), in a function of its own
 * so that the compiler keeps the loop in registers.
 * Their counts go to *a (added to d->st by scatter_flush), the earliest
 * first-burst data end to a->fmin. Returns the index of the first run not
 * served. */
typedef struct {
    uint64_t cnt;        /* row hits + (row empty << 32) */
    uint64_t bursts, refs, lo, hi, fmin;
} scat_t;

static __attribute__((noinline)) size_t scatter_runs(sp_dram *d, const uint64_t *runs, size_t j, size_t k,
                                                     uint64_t t, scat_t *a)
{
    const tims_t p = d->tim;
    sp_dram_chan *const chs = d->ch;
    const uint64_t nch = (uint64_t)d->cfg.channels, bm = (uint64_t)d->cfg.banks - 1, lim = d->scatter_max;
    const uint64_t rcl = p.tRCD + p.tCL;
    const int sc = d->sh_ch, sr = d->sh_row;
    uint64_t cnt = 0, refs = a->refs, lo = a->lo, hi = a->hi, fmin = a->fmin, nb = 0;
    for (; j < k; j++) {
        uint64_t b = runs[2 * j], e = runs[2 * j + 1] + 1;
        if (e - b > lim)
            break;
        nb += e - b;
        sp_dram_chan *ch0 = chs + (b & (nch - 1));
        /* a lap: the bursts up to the last channel, same channel-local
         * index q, so the same bank and row */
        for (int lap = 0; b < e; lap++) {
            uint64_t c = b & (nch - 1), q = b >> sc, stop = b - c + nch < e ? b - c + nch : e;
            const uint64_t bi = q & bm;
            const int row = (int)(q >> sr);
            for (sp_dram_chan *ch = chs + c; b < stop; b++, ch++) {
                uint64_t bus = ch->bus_free, nref = ch->next_ref;
                chan_touch(d, ch);
                uint64_t ds = rule_step(d, ch, ch->bank + bi, row, t, &p, rcl, &bus, &nref,
                                        &cnt, &refs);
                ch->bus_free = bus;
                lo = min_u64(lo, ds);
                hi = max_u64(hi, bus);
            }
            /* the first lap went to distinct channels: the first burst's
             * end is still its channel's bus-free cycle */
            if (lap == 0)
                fmin = min_u64(fmin, ch0->bus_free);
        }
    }
    a->cnt += cnt;
    a->refs = refs;
    a->bursts += nb;
    a->lo = lo;
    a->hi = hi;
    a->fmin = fmin;
    return j;
}

/* What k requests of scatter_runs at cycle now add to the statistics
 * (as access_begin, count_bursts and flush_counts would, request by
 * request: all k share now, so either every one is late or none). */
static inline void scatter_flush(sp_dram *d, const scat_t *a, uint64_t k, uint64_t bytes, int is_write,
                                 sp_dram_kindof kind, uint64_t now)
{
    sp_dram_stats *st = &d->st;
    st->requests += k;
    if (now < st->last_now)
        st->late_calls += k;
    else
        st->last_now = now;
    st->useful_bytes[kind] += bytes;
    st->burst_bytes[kind] += a->bursts << d->sh_burst;
    st->bus_busy_dram_cycles += a->bursts * d->tim.bc;
    st->bursts += a->bursts;
    if (is_write)
        st->writes += a->bursts;
    else
        st->reads += a->bursts;
    uint64_t hits = a->cnt & 0xffffffffu, empty = a->cnt >> 32;
    st->row_hits += hits;
    st->row_empty += empty;
    st->row_misses += a->bursts - hits - empty;
    st->refreshes += a->refs;
    st->first_dram_cycle = min_u64(st->first_dram_cycle, a->lo);
    st->last_dram_cycle = max_u64(st->last_dram_cycle, a->hi);
}

static uint64_t access_scatter(sp_dram *d, uint64_t b0, uint64_t n, uint32_t bytes, int is_write,
                               sp_dram_kindof kind, uint64_t now, uint64_t *first)
{
    scat_t a = {0, 0, 0, UINT64_MAX, 0, UINT64_MAX};
    uint64_t run[2] = {b0, b0 + n - 1};
    scatter_runs(d, run, 0, 1, now, &a);
    scatter_flush(d, &a, 1, bytes, is_write, kind, now);
    return access_end(d, now, a.fmin, a.hi, first, 1);
}

uint64_t sp_dram_access(sp_dram *d, uint64_t addr, uint32_t bytes, int is_write,
                        sp_dram_kindof kind, uint64_t now, uint64_t *first)
{
    if (d->scatter_ok && bytes && (unsigned)kind < SP_DK_N && now < SP_DRAM_EXACT) {
        uint64_t b0 = addr >> d->sh_burst, n = ((addr + bytes - 1) >> d->sh_burst) - b0 + 1;
        if (n <= d->scatter_max)
            return access_scatter(d, b0, n, bytes, is_write, kind, now, first);
    }
    return access_general(d, addr, bytes, is_write, kind, now, first);
}

uint64_t sp_dram_access_runs(sp_dram *d, const uint64_t *runs, size_t k, int is_write, sp_dram_kindof kind,
                             uint64_t now, uint64_t *first)
{
    uint64_t done = 0, f1 = UINT64_MAX, bb = (uint64_t)d->cfg.burst_bytes;
    if (k == 0) {
        if (first)
            *first = now;
        return now;
    }
    if (!d->scatter_ok || (unsigned)kind >= SP_DK_N || now >= SP_DRAM_EXACT) {
        for (size_t j = 0; j < k; j++) {
            uint64_t f, e = sp_dram_access(d, runs[2 * j] * bb, (uint32_t)((runs[2 * j + 1] - runs[2 * j] + 1) * bb),
                                           is_write, kind, now, &f);
            done = max_u64(done, e);
            f1 = min_u64(f1, f);
        }
    } else {
        /* the short runs' counts summed over the call and flushed once;
         * their ends converted once (access_end is monotone in both) */
        scat_t a = {0, 0, 0, UINT64_MAX, 0, UINT64_MAX};
        uint64_t ns = 0;
        for (size_t j = 0; j < k;) {
            size_t j1 = scatter_runs(d, runs, j, k, now, &a);
            ns += j1 - j;
            if (j1 == k)
                break;
            uint64_t f, n = runs[2 * j1 + 1] - runs[2 * j1] + 1;
            uint64_t e = access_general(d, runs[2 * j1] * bb, (uint32_t)(n * bb), is_write, kind, now, &f);
            done = max_u64(done, e);
            f1 = min_u64(f1, f);
            j = j1 + 1;
        }
        if (ns) {
            scatter_flush(d, &a, ns, a.bursts * bb, is_write, kind, now);
            uint64_t f, e = access_end(d, now, a.fmin, a.hi, &f, 1);
            done = max_u64(done, e);
            f1 = min_u64(f1, f);
        }
    }
    if (first)
        *first = f1;
    return done;
}

double sp_dram_achieved_bytes_per_s(const sp_dram *d)
{
    if (d->st.last_dram_cycle <= d->st.first_dram_cycle || d->st.first_dram_cycle == UINT64_MAX)
        return 0.0;
    uint64_t bytes = 0;
    for (int k = 0; k < SP_DK_N; k++)
        bytes += d->st.burst_bytes[k];
    double s = (double)(d->st.last_dram_cycle - d->st.first_dram_cycle) / (d->cfg.clock_mhz * 1e6);
    return (double)bytes / s;
}

const char *sp_dram_kind_name(sp_dram_kind k)
{
    return k == SP_DRAM_HBM2 ? "hbm2" : k == SP_DRAM_DDR4 ? "ddr4" : "lpddr4";
}

void sp_dram_stats_put(const sp_dram_stats *st, const sp_dram_cfg *c, sp_stats *s, const char *g)
{
    char b[128];
    sp_stats_text(s, g, "kind", sp_dram_kind_name(c->kind));
    uint64_t tot = 0;
    sp_stats_path(b, sizeof b, g, "bus_by_kind");
    for (int i = 0; i < SP_DK_N; i++) {
        sp_stats_int(s, b, sp_dram_kind_names[i], "bytes", st->burst_bytes[i]);
        tot += st->burst_bytes[i];
    }
    sp_stats_int(s, b, "total", "bytes", tot);
    sp_stats_int(s, g, "bursts", "count", st->bursts);
    sp_stats_int(s, g, "row_hits", "count", st->row_hits);
    sp_stats_int(s, g, "row_misses", "count", st->row_misses);
    sp_stats_int(s, g, "row_empty", "count", st->row_empty);
    sp_stats_int(s, g, "refreshes", "count", st->refreshes);
}
