/* test_dram.c - the DRAM timing model (cmodel/dram.c, docs/costs.md s2):
 * address map, row hit/miss timing, streaming bandwidth against the
 * configured peak, random rows far below it, refresh, presets; the
 * fast access path (runs of hits in closed form, batches of first visits,
 * those after a rotation of full rows in closed form, the per-channel
 * rule) against the burst-by-burst reference. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dram.h"

/* stated margin: a long sequential read reaches at least this fraction of
 * channels x bytes/clk x clock (losses: refresh tRFC/tREFI = 6.7 % on
 * HBM2, and the in-order row switch every banks x columns bursts) */
#define STREAM_MIN_FRACTION 0.85
/* and a random-row pattern stays below this fraction */
#define RANDOM_MAX_FRACTION 0.25

static sp_dram mk(sp_dram_kind k)
{
    sp_dram_cfg c;
    sp_dram_preset(k, &c);
    sp_dram d;
    char err[256];
    ck_assert_int_eq(sp_dram_init(&d, &c, 1000.0, err, sizeof err), 0);
    return d;
}

static double stream_fraction(sp_dram_kind k, uint64_t bytes, uint32_t req)
{
    sp_dram d = mk(k);
    uint64_t done = 0;
    for (uint64_t a = 0; a < bytes; a += req) {
        uint64_t e = sp_dram_access(&d, a, req, 0, SP_DK_K_MSB, 0, NULL);
        if (e > done)
            done = e;
    }
    double peak = sp_dram_peak_bytes_per_s(&d.cfg);
    double got = sp_dram_achieved_bytes_per_s(&d);
    ck_assert_uint_eq(d.st.useful_bytes[SP_DK_K_MSB], bytes);
    ck_assert_uint_eq(d.st.burst_bytes[SP_DK_K_MSB], bytes);
    /* the completion cycle agrees with the achieved bandwidth */
    double secs = (double)done / 1e9;
    ck_assert(secs > 0);
    sp_dram_free(&d);
    return got / peak;
}

START_TEST(test_map_spreads_channels_then_banks)
{
    sp_dram d = mk(SP_DRAM_HBM2);
    int ch, bank;
    uint64_t row;
    uint32_t col;
    sp_dram_map(&d, 0, &ch, &bank, &row, &col);
    ck_assert_int_eq(ch, 0);
    sp_dram_map(&d, 32, &ch, &bank, &row, &col);
    ck_assert_int_eq(ch, 1);
    ck_assert_int_eq(bank, 0);
    sp_dram_map(&d, 32 * 16, &ch, &bank, &row, &col);
    ck_assert_int_eq(ch, 0);
    ck_assert_int_eq(bank, 1);
    sp_dram_map(&d, 32 * 16 * 16, &ch, &bank, &row, &col);
    ck_assert_int_eq(bank, 0);
    ck_assert_uint_eq(col, 1);
    ck_assert_uint_eq(row, 0);
    sp_dram_map(&d, (uint64_t)32 * 16 * 16 * 32, &ch, &bank, &row, &col);
    ck_assert_uint_eq(col, 0);
    ck_assert_uint_eq(row, 1);
    sp_dram_free(&d);
}
END_TEST

START_TEST(test_hit_and_miss_latency)
{
    sp_dram d = mk(SP_DRAM_HBM2);
    const sp_dram_cfg *c = &d.cfg;
    /* closed bank: ACT + tRCD + tCL + one bus cycle */
    uint64_t e = sp_dram_access(&d, 0, 32, 0, SP_DK_Q, 0, NULL);
    ck_assert_uint_eq(e, (uint64_t)(c->tRCD + c->tCL + 1));
    ck_assert_uint_eq(d.st.row_empty, 1);
    /* same row, later: hit, tCL + 1 */
    uint64_t e2 = sp_dram_access(&d, 0, 32, 0, SP_DK_Q, 1000, NULL);
    ck_assert_uint_eq(e2, 1000 + (uint64_t)(c->tCL + 1));
    ck_assert_uint_eq(d.st.row_hits, 1);
    /* other row of the same bank and channel: PRE + ACT + tRCD + tCL + 1 */
    uint64_t other = (uint64_t)32 * 16 * 16 * 32; /* row 1, bank 0, channel 0 */
    uint64_t e3 = sp_dram_access(&d, other, 32, 0, SP_DK_Q, 2000, NULL);
    ck_assert_uint_eq(e3, 2000 + (uint64_t)(c->tRP + c->tRCD + c->tCL + 1));
    ck_assert_uint_eq(d.st.row_misses, 1);
    sp_dram_free(&d);
}
END_TEST

START_TEST(test_stream_reaches_peak)
{
    /* 8 MB sequential read, 64-byte requests, all issued at cycle 0 */
    double f = stream_fraction(SP_DRAM_HBM2, (uint64_t)8 << 20, 64);
    printf("dram: HBM2 stream %.3f of peak\n", f);
    ck_assert_msg(f >= STREAM_MIN_FRACTION && f <= 1.0, "HBM2 stream reached %.3f of peak", f);
    f = stream_fraction(SP_DRAM_DDR4, (uint64_t)4 << 20, 64);
    printf("dram: DDR4 stream %.3f of peak\n", f);
    ck_assert_msg(f >= STREAM_MIN_FRACTION && f <= 1.0, "DDR4 stream reached %.3f of peak", f);
    f = stream_fraction(SP_DRAM_LPDDR4, (uint64_t)1 << 20, 32);
    printf("dram: LPDDR4 stream %.3f of peak\n", f);
    ck_assert_msg(f >= STREAM_MIN_FRACTION && f <= 1.0, "LPDDR4 stream reached %.3f of peak", f);
}
END_TEST

START_TEST(test_random_rows_stay_low)
{
    sp_dram d = mk(SP_DRAM_HBM2);
    uint64_t x = 12345;
    uint64_t row_span = (uint64_t)32 * 16 * 16 * 32; /* bytes per row index */
    for (int i = 0; i < 200000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t row = (x >> 33) % 16384;
        uint64_t within = (x >> 20) % row_span / 32 * 32;
        sp_dram_access(&d, row * row_span + within, 32, 0, SP_DK_V, 0, NULL);
    }
    double f = sp_dram_achieved_bytes_per_s(&d) / sp_dram_peak_bytes_per_s(&d.cfg);
    printf("dram: HBM2 random rows %.3f of peak\n", f);
    ck_assert_msg(f < RANDOM_MAX_FRACTION, "random rows reached %.3f of peak", f);
    ck_assert(d.st.row_misses > d.st.row_hits * 10);
    sp_dram_free(&d);
}
END_TEST

START_TEST(test_refresh_counts)
{
    sp_dram d = mk(SP_DRAM_HBM2);
    /* one access per channel at cycle 10 * tREFI: ten refreshes due each */
    for (int ch = 0; ch < 16; ch++)
        sp_dram_access(&d, (uint64_t)ch * 32, 32, 0, SP_DK_OTHER, 10 * 3900 + 5, NULL);
    ck_assert_uint_eq(d.st.refreshes, 16 * 10);
    /* a request landing inside a refresh waits for it: tRFC after the due time */
    sp_dram_reset(&d);
    uint64_t e = sp_dram_access(&d, 0, 32, 0, SP_DK_OTHER, 3900, NULL);
    ck_assert_uint_ge(e, 3900 + 260 + 14 + 14);
    sp_dram_free(&d);
}
END_TEST

START_TEST(test_partial_bursts_and_kinds)
{
    sp_dram d = mk(SP_DRAM_HBM2);
    /* 48 bytes at offset 16 touch bytes 16..63: two 32-byte bursts */
    sp_dram_access(&d, 16, 48, 0, SP_DK_K_LSB, 0, NULL);
    ck_assert_uint_eq(d.st.useful_bytes[SP_DK_K_LSB], 48);
    ck_assert_uint_eq(d.st.burst_bytes[SP_DK_K_LSB], 64);
    sp_dram_access(&d, 4096, 8, 1, SP_DK_OUT, 0, NULL);
    ck_assert_uint_eq(d.st.writes, 1);
    ck_assert_uint_eq(d.st.reads, 2);
    sp_dram_free(&d);
}
END_TEST

/* same state and statistics in two models */
static void assert_same(sp_dram *a, sp_dram *b, const char *what, int i)
{
    sp_dram_sync(a); /* the bank state that closed-form paths keep as a formula */
    sp_dram_sync(b);
    ck_assert_msg(memcmp(&a->st, &b->st, sizeof a->st) == 0, "%s: statistics differ after request %d", what, i);
    for (int c = 0; c < a->cfg.channels; c++) {
        ck_assert_msg(a->ch[c].bus_free == b->ch[c].bus_free && a->ch[c].next_ref == b->ch[c].next_ref,
                      "%s: channel %d differs after request %d", what, c, i);
        for (int k = 0; k < a->cfg.banks; k++) {
            const sp_dram_bank *x = &a->ch[c].bank[k], *y = &b->ch[c].bank[k];
            ck_assert_msg(x->bank_open == y->bank_open && x->t_act == y->t_act && x->t_ready == y->t_ready,
                          "%s: channel %d bank %d differs after request %d", what, c, k, i);
        }
    }
}

static uint64_t rnd(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 17;
}

/* Randomized request streams through sp_dram_access and
 * sp_dram_access_ref: every return value, first cycle, statistic and
 * bank state must agree. Streams mix sequential runs (the closed-form
 * case), random rows, a small hot region (row conflicts), short and long
 * requests, partial bursts, reads and writes, idle gaps across refresh
 * windows and a few late calls. */
static void cross_check(const sp_dram_cfg *c, double accel_mhz, uint64_t seed, int n, const char *what)
{
    sp_dram a, b;
    char err[256];
    ck_assert_int_eq(sp_dram_init(&a, c, accel_mhz, err, sizeof err), 0);
    ck_assert_int_eq(sp_dram_init(&b, c, accel_mhz, err, sizeof err), 0);
    uint64_t x = seed, now = 0, seq = 0;
    uint64_t rowspan = (uint64_t)c->channels * (uint64_t)c->banks * (uint64_t)c->row_bytes;
    for (int i = 0; i < n; i++) {
        uint64_t r = rnd(&x), addr;
        uint32_t bytes;
        switch (r % 4) {
        case 0: /* continue a sequential stream */
            addr = seq;
            bytes = (uint32_t)(1 + rnd(&x) % (r % 3 == 0 ? 200000 : 4096));
            seq += bytes + (rnd(&x) % 4 == 0 ? rnd(&x) % 256 : 0);
            break;
        case 1: /* anywhere in 64 rows of the map */
            addr = rnd(&x) % (64 * rowspan);
            bytes = (uint32_t)(1 + rnd(&x) % 20000);
            break;
        case 2: /* a small hot region */
            addr = rnd(&x) % 4096 + (rnd(&x) % 3) * rowspan;
            bytes = (uint32_t)(rnd(&x) % 300); /* 0 included */
            break;
        default: /* one burst-sized access */
            addr = rnd(&x) % (8 * rowspan);
            bytes = (uint32_t)c->burst_bytes;
            break;
        }
        uint64_t g = rnd(&x) % 16;
        if (g < 8)
            now += 0;
        else if (g < 13)
            now += rnd(&x) % 200;
        else if (g < 15)
            now += rnd(&x) % 40000; /* past refresh windows */
        uint64_t t = now;
        if (g == 15 && now > 500)
            t = now - rnd(&x) % 500; /* a late call */
        int wr = rnd(&x) % 5 == 0;
        sp_dram_kindof kind = (sp_dram_kindof)(rnd(&x) % (SP_DK_N + 1)); /* one past the end: "other" */
        uint64_t fa = 7, fb = 9;
        uint64_t ea = sp_dram_access(&a, addr, bytes, wr, kind, t, &fa);
        uint64_t eb = sp_dram_access_ref(&b, addr, bytes, wr, kind, t, &fb);
        ck_assert_msg(ea == eb && fa == fb, "%s: request %d (addr %llu, %u bytes, now %llu): end %llu/%llu first %llu/%llu",
                      what, i, (unsigned long long)addr, bytes, (unsigned long long)t, (unsigned long long)ea,
                      (unsigned long long)eb, (unsigned long long)fa, (unsigned long long)fb);
        if (i % 64 == 0 || i == n - 1)
            assert_same(&a, &b, what, i);
    }
    sp_dram_free(&a);
    sp_dram_free(&b);
}

/* HBM2 with sizes that are not powers of two (the division map) and a
 * short refresh interval */
static void odd_map_cfg(sp_dram_cfg *c)
{
    sp_dram_preset(SP_DRAM_HBM2, c);
    c->channels = 3;
    c->banks = 5;
    c->row_bytes = 96 * 7;
    c->burst_bytes = 96;
    c->tREFI = 700;
    c->tRFC = 90;
}

START_TEST(test_closed_form_matches_reference)
{
    static const sp_dram_kind kinds[3] = {SP_DRAM_HBM2, SP_DRAM_DDR4, SP_DRAM_LPDDR4};
    static const double mhz[3] = {1000.0, 700.0, 1800.0};
    char what[96];
    for (int k = 0; k < 3; k++)
        for (int m = 0; m < 3; m++)
            for (uint64_t seed = 1; seed <= 3; seed++) {
                sp_dram_cfg c;
                sp_dram_preset(kinds[k], &c);
                snprintf(what, sizeof what, "%s at %.0f MHz, seed %llu", sp_dram_kind_name(kinds[k]), mhz[m],
                         (unsigned long long)seed);
                cross_check(&c, mhz[m], seed, 3000, what);
            }
    /* sizes that are not powers of two (the division map), a short refresh
     * interval, a tCCD above banks x burst clocks (no closed-form runs)
     * and a burst of several bus clocks */
    sp_dram_cfg c;
    odd_map_cfg(&c);
    cross_check(&c, 1000.0, 11, 3000, "non-power-of-two map");
    sp_dram_preset(SP_DRAM_DDR4, &c);
    c.banks = 2;
    c.tCCD = 9;
    cross_check(&c, 1000.0, 12, 3000, "tCCD above banks x burst clocks");
    sp_dram_preset(SP_DRAM_LPDDR4, &c);
    c.tCL = 0;
    c.tREFI = 0;
    cross_check(&c, 1333.0, 13, 3000, "tCL 0, no refresh");
}
END_TEST

/* Streams aimed at the fast path's cases, each checked request by request
 * against the reference: (1) long sequential requests that start at and
 * end on row-index boundaries and in the middle of rows, so that batches of
 * first visits end at a row's end (no run after them) or inside it (a run
 * without bank checks), with refresh falling inside batches and runs; (2)
 * scattered requests of at most one burst per channel (the per-channel
 * rule path) over a few rows, mostly row misses, refresh on; (3) both
 * interleaved with the same issue cycle, as a fetch job issues them; (4)
 * most of a region from half a row index on, as a dense baseline fetches
 * K or V: the batches of first visits that follow a rotation of full rows
 * (dram.c rot_batch) and the runs that extend one. */
static void fast_path_check(const sp_dram_cfg *c, double accel_mhz, uint64_t seed, int n, const char *what)
{
    sp_dram a, b;
    char err[256];
    ck_assert_int_eq(sp_dram_init(&a, c, accel_mhz, err, sizeof err), 0);
    ck_assert_int_eq(sp_dram_init(&b, c, accel_mhz, err, sizeof err), 0);
    uint64_t bb = (uint64_t)c->burst_bytes, nch = (uint64_t)c->channels;
    uint64_t rowidx = nch * (uint64_t)c->banks * (uint64_t)c->row_bytes; /* bytes of one row index */
    uint64_t x = seed, now = 0;
    uint64_t hits0 = 0, rot = 0;
    for (int i = 0; i < n; i++) {
        uint64_t r = rnd(&x), addr, g;
        uint32_t bytes;
        switch (r % 4) {
        case 3: /* a dense fetch: most of a region that starts at half a row index, as the timing
                 * model's dense baselines read K and V (full rows after a batch: the rotation of
                 * sp_dram_chan, then the next region's batch in closed form) */
            addr = (rnd(&x) % 32) * (rowidx / 2);
            bytes = (uint32_t)(rowidx / 2 - rnd(&x) % (rowidx / 4));
            break;
        case 0: /* sequential, from a row-index boundary, a few banks after one or before one (a batch
                 * of first visits that ends at the row's end), to a boundary or past it */
            addr = (rnd(&x) % 64) * rowidx;
            g = rnd(&x) % 3;
            if (g == 1)
                addr += (rnd(&x) % (uint64_t)c->banks) * nch * bb;
            else if (g == 2)
                addr += rowidx - (1 + rnd(&x) % (uint64_t)c->banks) * nch * bb;
            bytes = (uint32_t)(rnd(&x) % 2 ? rowidx * (1 + rnd(&x) % 3) - addr % rowidx : 1 + rnd(&x) % (3 * rowidx));
            break;
        case 1: /* scattered rows: one burst per channel at most */
            addr = rnd(&x) % (256 * rowidx);
            bytes = (uint32_t)(1 + rnd(&x) % (nch * bb));
            break;
        default: /* a run of rows of one region, as a fetch job issues them */
            addr = (rnd(&x) % 16) * rowidx + (rnd(&x) % 1024) * 48;
            bytes = 48;
            break;
        }
        g = rnd(&x) % 8;
        now += g < 4 ? 0 : g < 7 ? rnd(&x) % 300 : rnd(&x) % 20000;
        sp_dram_kindof kind = (sp_dram_kindof)(rnd(&x) % SP_DK_N);
        uint64_t fa = 1, fb = 2;
        uint64_t ea = sp_dram_access(&a, addr, bytes, 0, kind, now, &fa);
        uint64_t eb = sp_dram_access_ref(&b, addr, bytes, 0, kind, now, &fb);
        ck_assert_msg(ea == eb && fa == fb, "%s: request %d (addr %llu, %u bytes, now %llu): end %llu/%llu first %llu/%llu",
                      what, i, (unsigned long long)addr, bytes, (unsigned long long)now, (unsigned long long)ea,
                      (unsigned long long)eb, (unsigned long long)fa, (unsigned long long)fb);
        assert_same(&a, &b, what, i);
        for (uint64_t ch = 0; ch < nch; ch++)
            rot += a.ch[ch].rot_ok == 2;
    }
    /* the streams did exercise what they aim at */
    ck_assert_msg(rot > 0, "%s: no channel reached the closed-form batch's rotation", what);
    hits0 = a.st.row_hits;
    ck_assert_msg(hits0 > a.st.bursts / 4 && a.st.row_misses > 1000 && a.st.refreshes > 0,
                  "%s: stream too weak (hits %llu, misses %llu, refreshes %llu of %llu bursts)", what,
                  (unsigned long long)hits0, (unsigned long long)a.st.row_misses,
                  (unsigned long long)a.st.refreshes, (unsigned long long)a.st.bursts);
    sp_dram_free(&a);
    sp_dram_free(&b);
}

START_TEST(test_fast_path_cases_match_reference)
{
    static const sp_dram_kind kinds[3] = {SP_DRAM_HBM2, SP_DRAM_DDR4, SP_DRAM_LPDDR4};
    char what[96];
    for (int k = 0; k < 3; k++)
        for (uint64_t seed = 1; seed <= 2; seed++) {
            sp_dram_cfg c;
            sp_dram_preset(kinds[k], &c);
            snprintf(what, sizeof what, "fast path, %s, seed %llu", sp_dram_kind_name(kinds[k]),
                     (unsigned long long)seed);
            fast_path_check(&c, 1000.0, seed, 1500, what);
        }
    /* a short refresh interval: refreshes inside most batches and runs */
    sp_dram_cfg c;
    sp_dram_preset(SP_DRAM_HBM2, &c);
    c.tREFI = 300;
    c.tRFC = 40;
    fast_path_check(&c, 1000.0, 5, 1500, "fast path, HBM2, refresh every 300 cycles");
}
END_TEST

/* sp_dram_access_runs against the reference one request at a time: lists
 * of runs as a fetch job builds them (ascending, mostly a few bursts,
 * some of a few bursts per channel, some of several rows, some within one
 * burst of the last), each list at one issue cycle; the completion is the latest of
 * the requests' and the first beat the earliest. */
static void runs_check(const sp_dram_cfg *c, double accel_mhz, uint64_t seed, int lists, const char *what)
{
    sp_dram a, b;
    char err[256];
    ck_assert_int_eq(sp_dram_init(&a, c, accel_mhz, err, sizeof err), 0);
    ck_assert_int_eq(sp_dram_init(&b, c, accel_mhz, err, sizeof err), 0);
    uint64_t bb = (uint64_t)c->burst_bytes, nch = (uint64_t)c->channels;
    uint64_t rowidx = nch * (uint64_t)c->banks * ((uint64_t)c->row_bytes / bb); /* bursts of one row index */
    uint64_t x = seed, now = 0, runs[2 * 40];
    for (int i = 0; i < lists; i++) {
        size_t k = (size_t)(rnd(&x) % 41); /* 0 included */
        uint64_t p = (rnd(&x) % 64) * rowidx + rnd(&x) % rowidx;
        for (size_t j = 0; j < k; j++) {
            uint64_t g = rnd(&x) % 8;
            uint64_t len = g < 4 ? 1 + rnd(&x) % nch : g < 6 ? 1 + rnd(&x) % (5 * nch) : 1 + rnd(&x) % (3 * rowidx);
            runs[2 * j] = p;
            runs[2 * j + 1] = p + len - 1;
            p += len + 1 + (g == 7 ? rnd(&x) % (4 * rowidx) : rnd(&x) % 40);
        }
        uint64_t g = rnd(&x) % 8;
        now += g < 3 ? 0 : g < 7 ? rnd(&x) % 400 : rnd(&x) % 20000;
        uint64_t t = now;
        if (g == 2 && now > 300)
            t = now - rnd(&x) % 300; /* a late call */
        int wr = rnd(&x) % 4 == 0;
        sp_dram_kindof kind = (sp_dram_kindof)(rnd(&x) % (SP_DK_N + 1)); /* one past the end: "other" */
        uint64_t fa = 3, fb = UINT64_MAX, eb = 0;
        uint64_t ea = sp_dram_access_runs(&a, runs, k, wr, kind, t, &fa);
        for (size_t j = 0; j < k; j++) {
            uint64_t f, e = sp_dram_access_ref(&b, runs[2 * j] * bb, (uint32_t)((runs[2 * j + 1] - runs[2 * j] + 1) * bb),
                                               wr, kind, t, &f);
            eb = e > eb ? e : eb;
            fb = f < fb ? f : fb;
        }
        if (k == 0)
            eb = fb = t;
        ck_assert_msg(ea == eb && fa == fb, "%s: list %d (%zu runs, now %llu): end %llu/%llu first %llu/%llu", what, i,
                      k, (unsigned long long)t, (unsigned long long)ea, (unsigned long long)eb,
                      (unsigned long long)fa, (unsigned long long)fb);
        assert_same(&a, &b, what, i);
    }
    ck_assert_msg(a.st.row_hits > 0 && a.st.row_misses > 0 && a.st.refreshes > 0 && a.st.late_calls > 0,
                  "%s: stream too weak", what);
    sp_dram_free(&a);
    sp_dram_free(&b);
}

START_TEST(test_runs_match_reference)
{
    static const sp_dram_kind kinds[3] = {SP_DRAM_HBM2, SP_DRAM_DDR4, SP_DRAM_LPDDR4};
    static const double mhz[2] = {1000.0, 700.0};
    char what[96];
    for (int k = 0; k < 3; k++)
        for (int m = 0; m < 2; m++) {
            sp_dram_cfg c;
            sp_dram_preset(kinds[k], &c);
            snprintf(what, sizeof what, "runs, %s at %.0f MHz", sp_dram_kind_name(kinds[k]), mhz[m]);
            runs_check(&c, mhz[m], 21 + (uint64_t)k, 600, what);
        }
    sp_dram_cfg c;
    odd_map_cfg(&c);
    runs_check(&c, 1000.0, 31, 600, "runs, non-power-of-two map");
    sp_dram_preset(SP_DRAM_HBM2, &c);
    c.tREFI = 300;
    c.tRFC = 40;
    runs_check(&c, 1000.0, 32, 600, "runs, HBM2, refresh every 300 cycles");
}
END_TEST

START_TEST(test_bad_config)
{
    sp_dram_cfg c;
    sp_dram_preset(SP_DRAM_HBM2, &c);
    c.row_bytes = 1000; /* not a multiple of 32 */
    sp_dram d;
    char err[256];
    ck_assert_int_eq(sp_dram_init(&d, &c, 1000.0, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "row_bytes"));
}
END_TEST

START_TEST(test_peak_values)
{
    sp_dram_cfg c;
    sp_dram_preset(SP_DRAM_HBM2, &c);
    ck_assert_double_eq_tol(sp_dram_peak_bytes_per_s(&c), 512e9, 1);
    sp_dram_preset(SP_DRAM_DDR4, &c);
    ck_assert_double_eq_tol(sp_dram_peak_bytes_per_s(&c), 102.4e9, 1);
    sp_dram_preset(SP_DRAM_LPDDR4, &c);
    ck_assert_double_eq_tol(sp_dram_peak_bytes_per_s(&c), 25.6e9, 1);
    /* the HBM2 preset is the paper configuration of sp_config_default */
    sp_config cfg;
    sp_config_default(&cfg);
    ck_assert_int_eq(cfg.hw.dram.channels, c.channels * 0 + 16);
    sp_dram_preset(SP_DRAM_HBM2, &c);
    ck_assert_int_eq(cfg.hw.dram.tRCD, c.tRCD);
    ck_assert_int_eq(cfg.hw.dram.tRAS, c.tRAS);
    ck_assert_int_eq(cfg.hw.dram.burst_bytes, c.burst_bytes);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dram");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_map_spreads_channels_then_banks);
    tcase_add_test(tc, test_hit_and_miss_latency);
    tcase_add_test(tc, test_stream_reaches_peak);
    tcase_add_test(tc, test_random_rows_stay_low);
    tcase_add_test(tc, test_refresh_counts);
    tcase_add_test(tc, test_partial_bursts_and_kinds);
    tcase_add_test(tc, test_closed_form_matches_reference);
    tcase_add_test(tc, test_fast_path_cases_match_reference);
    tcase_add_test(tc, test_runs_match_reference);
    tcase_add_test(tc, test_bad_config);
    tcase_add_test(tc, test_peak_values);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int nf = srunner_ntests_failed(r);
    srunner_free(r);
    return nf ? 1 : 0;
}
