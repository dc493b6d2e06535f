/* test_timing.c - the pipeline cycle model (cmodel/timing.c, docs/costs.md
 * s1): unit cycle formulas, the expected quick-select model against the
 * functional engine, the overlap rule in a compute-bound setting, layer
 * barriers, fetched bits against the functional model's events, and the
 * CSV dense baseline against the derived one. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "ref.h"
#include "engine.h"
#include "tm_workload.h"
#include "timing.h"
#include "tm_fixture.h"

/* a memory system that is never the bottleneck */
static void fast_dram(sp_config *c)
{
    c->hw.dram.channels = 256;
    c->hw.dram.bytes_per_clk_per_channel = 4096;
    c->hw.dram.burst_bytes = 64;
    c->hw.dram.row_bytes = 1 << 20;
    c->hw.dram.tRCD = c->hw.dram.tRP = c->hw.dram.tCL = 0;
    c->hw.dram.tCCD = 1;
    c->hw.dram.tREFI = 0;
    c->hw.dram.tRFC = 0;
}

START_TEST(test_unit_formulas)
{
    ck_assert_uint_eq(sp_qk_cycles(993, 64, 512), 125);  /* 8 keys per cycle */
    ck_assert_uint_eq(sp_qk_cycles(10, 64, 32), 20);     /* 2 beats per key */
    ck_assert_uint_eq(sp_pv_cycles(204, 64, 512), 26);
    ck_assert_uint_eq(sp_softmax_cycles(993, 8), 125 + 47 + 125 + SP_SOFTMAX_OVERHEAD);
    ck_assert_uint_eq(sp_softmax_cycles(5, 1), 5 + 47 + 5 + SP_SOFTMAX_OVERHEAD);
    /* with the load pass, one lane: rtl/README.md "Softmax latency" 3n + 49 */
    for (uint32_t n = 1; n < 1100; n += 37)
        ck_assert_uint_eq(n + sp_softmax_cycles(n, 1), 3 * n + 49);
}
END_TEST

/* the expected-rounds model (CSV path) against the functional quick-select
 * on random distinct keys: mean cycles within 10 % */
START_TEST(test_topk_expected_matches_engine)
{
    static const uint32_t cases[][2] = {{993, 204}, {994, 921}, {716, 204}, {204, 102}, {1024, 1}, {300, 150}};
    sp_rng rng;
    sp_rng_seed(&rng, 7);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint32_t n = cases[c][0], k = cases[c][1];
        uint64_t *key = malloc(n * sizeof *key);
        int32_t *idx = malloc(n * sizeof *idx), *kept = malloc(n * sizeof *kept);
        double sum_cyc = 0, sum_cmp = 0, sum_rnd = 0;
        int trials = ref_sanitize() ? 20 : 200;
        for (int t = 0; t < trials; t++) {
            for (uint32_t i = 0; i < n; i++) {
                idx[i] = (int32_t)i;
                key[i] = (sp_rng_next(&rng) >> 20) | 1; /* non-zero, distinct with high probability */
            }
            sp_topk_stats st;
            ck_assert_int_eq(sp_topk(key, idx, (int)n, (int)k, 16, 2, kept, &st), (int)k);
            sum_cyc += st.cycles;
            sum_cmp += st.compares;
            sum_rnd += st.rounds;
        }
        double cmp, rnd, cyc = sp_topk_expected(n, k, 16, 2, &cmp, &rnd);
        double mc = sum_cyc / trials;
        ck_assert_msg(fabs(cyc - mc) <= 0.10 * mc, "n %u k %u: model %.1f cycles, engine mean %.1f", n, k, cyc, mc);
        if (sum_cmp > 0)
            ck_assert_msg(fabs(cmp - sum_cmp / trials) <= 0.10 * (sum_cmp / trials),
                          "n %u k %u: model %.1f compares, engine mean %.1f", n, k, cmp, sum_cmp / trials);
        (void)sum_rnd;
        free(key);
        free(idx);
        free(kept);
    }
    /* k = n: only the zero-eliminator pass */
    ck_assert_double_eq(sp_topk_expected(100, 100, 16, 2, NULL, NULL), 7.0);
}
END_TEST

/* With DRAM out of the way and double buffering, head-steps overlap and
 * the throughput is one step per slowest-unit time. */
START_TEST(test_overlap_compute_bound)
{
    sp_config c;
    sp_config_default(&c);
    fast_dram(&c);
    c.hw.softmax_lanes = 1; /* softmax: 512 cycles per stage and step, the bottleneck */
    size_t n = 50;
    sp_tm_steps v = tm_fixture_steps(n, 512, 512, 100, 0, 100);
    sp_tm_result r;
    char err[256];
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), 0);
    /* pipelined softmax (R6): a new head-step every ceil(n/P) = 512
     * cycles; its latency (3 x 512 + 49) is paid once, as fill and drain */
    uint64_t lat = 512 + sp_softmax_cycles(512, 1);
    ck_assert_uint_ge(r.total_cycles, n * 512);
    ck_assert_uint_le(r.total_cycles, n * 512 + lat + 200);
    /* the softmax and the importance update both take ceil(n/P) per step */
    ck_assert_uint_eq(r.bound_work[SP_BU_SOFTMAX], n * 512);
    ck_assert(r.bound_unit == SP_BU_SOFTMAX || r.bound_unit == SP_BU_IMPORTANCE);
    ck_assert_uint_le(r.bound_cycles, r.total_cycles);
    ck_assert_uint_ge(r.bound_cycles * 105 / 100, r.total_cycles);
    ck_assert_uint_eq(r.unit_cycles[SP_U_TOPK], 100 * n);
    /* serial (one slot) is never faster than double-buffered */
    sp_tm_result r1;
    c.hw.kv_buffers = 1;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r1, err, sizeof err), 0);
    ck_assert_uint_ge(r1.total_cycles, r.total_cycles);
    sp_tm_steps_free(&v);
}
END_TEST

START_TEST(test_memory_bound_and_monotone)
{
    sp_config c;
    sp_config_default(&c);
    sp_tm_steps v = tm_fixture_steps(24, 1000, 1000, 200, 0, 100);
    sp_tm_result r, r2, r3;
    char err[256];
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), 0);
    /* bits: 24 x (1000 keys x 64 x 8 + 200 values x 64 x 8) */
    ck_assert_uint_eq(r.data_bits[SP_DK_K_MSB], 24ull * 1000 * 64 * 8);
    ck_assert_uint_eq(r.data_bits[SP_DK_V], 24ull * 200 * 64 * 8);
    ck_assert_uint_eq(r.data_bits[SP_DK_K_LSB], 0);
    /* contiguous rows of 64 bytes: burst bytes equal data bytes */
    ck_assert_uint_eq(r.dram.burst_bytes[SP_DK_K_MSB] * 8, r.data_bits[SP_DK_K_MSB]);
    /* it cannot beat the DRAM peak: bytes / (bytes per cycle) */
    double bytes = 0;
    for (int k = 0; k < SP_DK_N; k++)
        bytes += (double)r.dram.burst_bytes[k];
    ck_assert(r.total_cycles >= (uint64_t)(bytes / 512.0));
    /* requant adds LSB traffic and a second pass: more cycles */
    for (size_t i = 0; i < v.n; i++)
        v.s[i].requant = 1;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r2, err, sizeof err), 0);
    ck_assert_uint_eq(r2.data_bits[SP_DK_K_LSB], 24ull * 1000 * 64 * 4);
    ck_assert_uint_eq(r2.data_bits[SP_DK_V], 24ull * 200 * 64 * 12);
    ck_assert_uint_gt(r2.total_cycles, r.total_cycles);
    ck_assert_uint_eq(r2.requants, 24);
    /* half the channels: slower */
    c.hw.dram.channels = 8;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r3, err, sizeof err), 0);
    ck_assert_uint_gt(r3.total_cycles, r2.total_cycles);
    sp_tm_steps_free(&v);
}
END_TEST

/* The first head-step of a layer after a pruning top-k fetches no key
 * before the selection ends (R3), and computes nothing before the
 * previous layer's last PV (R5). */
START_TEST(test_layer_barrier)
{
    sp_config c;
    sp_config_default(&c);
    sp_tm_steps v = tm_fixture_steps(8, 500, 500, 100, 0, 100);
    for (size_t i = 0; i < 8; i++)
        v.s[i].layer = (int)(i / 4);
    v.s[3].layer_end = 1;
    v.s[3].prune_after = 1;
    v.s[3].prune_cycles = 300;
    v.s[7].layer_end = 1;
    sp_tm_result r;
    char err[256];
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), 0);
    ck_assert_uint_ge(v.s[4].t_start, v.s[3].t_end + 300 - 300); /* after the layer */
    ck_assert_uint_ge(v.s[4].t_start, v.s[3].t_end);
    ck_assert_uint_eq(r.unit_cycles[SP_U_PRUNE], 300);
    /* within the layer after the selection, prefetch resumes: step 5's
     * keys are fetched while step 4 still computes */
    ck_assert_uint_lt(v.s[5].t_start, v.s[4].t_end);
    ck_assert_uint_le(r.bound_cycles, r.total_cycles);
    /* without pruning, layer 1's keys are prefetched during layer 0 */
    v.s[3].prune_after = 0;
    v.s[3].prune_cycles = 0;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), 0);
    ck_assert_uint_lt(v.s[4].t_start, v.s[3].t_end);
    ck_assert_uint_le(r.bound_cycles, r.total_cycles);
    sp_tm_steps_free(&v);
}
END_TEST

/* A functional run and its timing steps agree on every fetched bit. */
START_TEST(test_bits_match_events)
{
    sp_config c;
    sp_config_default(&c);
    sp_trace tr;
    ref_synth("synth:mode=decode,layers=6,heads=4,d=64,len=300,iters=3,seed=5", &c.alg, &tr);
    sp_run_result rr;
    char err[256];
    ck_assert_int_eq(sp_run_model(&c, &tr, NULL, &rr, err, sizeof err), 0);
    sp_tm_steps v;
    ck_assert_int_eq(sp_tm_steps_from_run(&c, &tr, &rr, &v, err, sizeof err), 0);
    sp_tm_result r;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), 0);
    ck_assert_uint_eq(r.head_steps, rr.total.head_steps);
    ck_assert_uint_eq(r.data_bits[SP_DK_K_MSB], rr.total.bits_k_msb);
    ck_assert_uint_eq(r.data_bits[SP_DK_K_LSB], rr.total.bits_k_lsb);
    ck_assert_uint_eq(r.data_bits[SP_DK_V], rr.total.bits_v);
    ck_assert_uint_eq(r.data_bits[SP_DK_Q], rr.total.bits_q);
    ck_assert_uint_eq(r.requants, rr.total.requants);
    ck_assert_uint_eq(r.dram.late_calls, 0); /* the schedule calls the DRAM model in time order */
    ck_assert_uint_eq(r.unit_cycles[SP_U_PRUNE], rr.total.prune_topk_cycles);
    ck_assert_uint_eq(r.unit_cycles[SP_U_TOPK], rr.total.topk_cycles - rr.total.prune_topk_cycles);
    /* dense baseline of the same trace: more bits (with 4 heads a layer
     * and 300 tokens the pruned run is latency-bound and not faster: the
     * model does not promise a speedup, so none is asserted here) */
    sp_tm_steps dv;
    ck_assert_int_eq(sp_tm_steps_dense(&c, &tr, &dv, err, sizeof err), 0);
    sp_tm_result dr;
    ck_assert_int_eq(sp_timing_run(&c, &dv, &dr, err, sizeof err), 0);
    ck_assert_uint_eq(dr.data_bits[SP_DK_K_MSB], 6ull * 4 * (301 + 302 + 303) * 64 * 12);
    ck_assert_uint_gt(dr.data_bits[SP_DK_V], 4 * r.data_bits[SP_DK_V]);
    /* deterministic */
    sp_tm_result r2;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r2, err, sizeof err), 0);
    ck_assert_uint_eq(r2.total_cycles, r.total_cycles);
    ck_assert_uint_eq(r2.dram.row_hits, r.dram.row_hits);
    sp_tm_steps_free(&v);
    sp_tm_steps_free(&dv);
    sp_run_result_free(&rr);
    sp_trace_free(&tr);
}
END_TEST


/* given token positions are the rows fetched: gaps cost whole bursts */
START_TEST(test_given_positions)
{
    sp_config c;
    sp_config_default(&c);
    sp_tm_steps v = tm_fixture_steps(1, 100, 100, 10, 0, 100);
    int32_t kp[100], vp[10];
    for (int i = 0; i < 100; i++)
        kp[i] = 10 * i; /* every tenth token of 1000 */
    for (int i = 0; i < 10; i++)
        vp[i] = 100 * i;
    v.s[0].span = 1000;
    v.s[0].k_msb = 6; /* 48-byte rows: never burst-aligned neighbours */
    sp_tm_result r, r2;
    char err[256];
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), 0);
    v.s[0].key_pos = kp;
    v.s[0].val_pos = vp;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r2, err, sizeof err), 0);
    /* same positions as the spread rule (floor(j * 1000 / 100) = 10 j): same result */
    ck_assert_uint_eq(r2.dram.burst_bytes[SP_DK_K_MSB], r.dram.burst_bytes[SP_DK_K_MSB]);
    ck_assert_uint_eq(r2.total_cycles, r.total_cycles);
    /* each 48-byte row at 480-byte stride touches two 32-byte bursts */
    ck_assert_uint_eq(r2.dram.burst_bytes[SP_DK_K_MSB], 100 * 64);
    /* contiguous rows: 4800 bytes in 150 bursts */
    for (int i = 0; i < 100; i++)
        kp[i] = i;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r2, err, sizeof err), 0);
    ck_assert_uint_eq(r2.dram.burst_bytes[SP_DK_K_MSB], 4800);
    /* a position beyond the span is refused */
    kp[99] = 1000;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r2, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "beyond its span"));
    sp_tm_steps_free(&v);
}
END_TEST


/* the engine's capture gives the timing model the run's token positions */
START_TEST(test_capture_positions)
{
    sp_config c;
    sp_config_default(&c);
    sp_engine_input ip;
    memset(&ip, 0, sizeof ip);
    ref_synth("synth:mode=decode,layers=4,heads=4,d=64,len=200,iters=2,seed=9", &c.alg, &ip.trace);
    char err[256];
    sp_engine_in in = {.cfg = &c, .input = &ip};
    sp_engine_result d;
    ck_assert_int_eq(sp_engine_run(&in, &d, err, sizeof err), 0);
    const sp_run_result *rr = &d.run;
    ck_assert_uint_eq(d.cap.calls, rr->total.head_steps);
    ck_assert_ptr_nonnull(strstr(d.steps.source, "token positions"));
    ck_assert_ptr_nonnull(d.steps.s[0].key_pos);
    ck_assert_uint_eq(d.fig.tm.data_bits[SP_DK_K_MSB], rr->total.bits_k_msb);
    ck_assert_uint_eq(d.fig.tm.data_bits[SP_DK_V], rr->total.bits_v);
    ck_assert_uint_eq(d.fig.tm.dram.late_calls, 0);
    /* the last layer's keys are a strict subset after cascade pruning */
    const sp_tm_step *last = &d.steps.s[d.steps.n - 1];
    ck_assert_uint_lt(last->keys, last->span);
    for (uint32_t j = 1; j < last->keys; j++)
        ck_assert_int_lt(last->key_pos[j - 1], last->key_pos[j]);
    sp_engine_result_free(&d);
    sp_engine_input_free(&ip);
}
END_TEST

/* R6: the softmax's fixed latency overlaps the next head-steps: with QK
 * and the softmax at the same pace (8 keys per cycle, 8 lanes), steps
 * finish one per ceil(n/8) cycles, far less than the 3 ceil(n/8) + 49 a
 * step spends in the softmax */
START_TEST(test_softmax_latency_overlaps)
{
    sp_config c;
    sp_config_default(&c);
    fast_dram(&c);
    size_t n = 40;
    sp_tm_steps v = tm_fixture_steps(n, 512, 512, 100, 0, 0);
    sp_tm_result r;
    char err[256];
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), 0);
    uint64_t p = 64, lat = p + sp_softmax_cycles(512, 8);
    for (size_t i = 10; i + 1 < n; i++) {
        ck_assert_uint_le(v.s[i + 1].t_end - v.s[i].t_end, p + 2);
        ck_assert_uint_ge(v.s[i].cyc[SP_U_SOFTMAX], lat - p); /* each step still sees the whole latency */
    }
    ck_assert_uint_lt(r.total_cycles, n * p + 2 * lat + 100);
    ck_assert_uint_le(r.bound_cycles, r.total_cycles);
    sp_tm_steps_free(&v);
}
END_TEST

/* R4: the top-k engine works on step i while QK and the softmax work on
 * the next steps: with a 300-cycle value selection per step the run takes
 * about n x 300 cycles, not n x (300 + QK + softmax) */
START_TEST(test_topk_beside_qk)
{
    sp_config c;
    sp_config_default(&c);
    fast_dram(&c);
    size_t n = 30;
    sp_tm_steps v = tm_fixture_steps(n, 512, 512, 100, 0, 300);
    sp_tm_result r;
    char err[256];
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.bound_unit, SP_BU_TOPK);
    ck_assert_uint_eq(r.bound_work[SP_BU_TOPK], n * 300);
    ck_assert_uint_ge(r.total_cycles, n * 300);
    ck_assert_uint_le(r.total_cycles, n * 300 + 64 + sp_softmax_cycles(512, 8) + 64 + 200);
    ck_assert_uint_le(r.bound_cycles, r.total_cycles);
    ck_assert_uint_ge(r.bound_cycles * 105 / 100, r.total_cycles);
    /* the next step's QK ran during this step's top-k: its softmax ended
     * before this step's top-k did */
    for (size_t i = 5; i + 1 < n; i++)
        ck_assert_uint_lt(v.s[i + 1].t_start, v.s[i].t_end);
    sp_tm_steps_free(&v);
}
END_TEST

/* R11: buffers between the stages: one head-step per buffer serialises
 * the softmax's stages and the value side; deeper buffers never slow the
 * run down and four cover the softmax's latency here */
START_TEST(test_stage_buffer_depth)
{
    sp_config c;
    sp_config_default(&c);
    sp_tm_steps v = tm_fixture_steps(48, 400, 1000, 80, 4, 60);
    sp_tm_result r1, r2, r4, r8;
    char err[256];
    c.hw.stage_buffers = 1;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r1, err, sizeof err), 0);
    c.hw.stage_buffers = 2;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r2, err, sizeof err), 0);
    c.hw.stage_buffers = 4;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r4, err, sizeof err), 0);
    c.hw.stage_buffers = 8;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r8, err, sizeof err), 0);
    ck_assert_uint_gt(r1.total_cycles, r2.total_cycles);
    ck_assert_uint_ge(r2.total_cycles, r4.total_cycles);
    ck_assert_uint_ge(r4.total_cycles * 101 / 100, r8.total_cycles);
    /* the bound does not depend on buffering */
    ck_assert_uint_eq(r1.bound_cycles, r4.bound_cycles);
    ck_assert_uint_le(r1.bound_cycles, r4.total_cycles);
    /* out of range is refused */
    c.hw.stage_buffers = 0;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r1, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "stage_buffers"));
    sp_tm_steps_free(&v);
}
END_TEST

/* the bound never exceeds the achieved cycles: fixtures, a functional
 * run, several buffer depths, one K/V slot, slow DRAM */
START_TEST(test_bound_le_achieved)
{
    sp_config c;
    sp_config_default(&c);
    sp_trace tr;
    ref_synth("synth:mode=decode,layers=6,heads=4,d=64,len=300,iters=3,seed=5", &c.alg, &tr);
    sp_run_result rr;
    char err[256];
    ck_assert_int_eq(sp_run_model(&c, &tr, NULL, &rr, err, sizeof err), 0);
    sp_tm_steps v;
    ck_assert_int_eq(sp_tm_steps_from_run(&c, &tr, &rr, &v, err, sizeof err), 0);
    /* k 1: one K/V slot and a slow DRAM (2 channels) */
    for (int k = 0; k < 2; k++)
        for (int sb = 1; sb <= 4; sb *= 2)
            for (int lanes = 1; lanes <= 16; lanes *= 4) {
                sp_config cc = c;
                cc.hw.stage_buffers = sb;
                cc.hw.softmax_lanes = lanes;
                cc.hw.kv_buffers = k ? 1 : 2;
                if (k == 1)
                    cc.hw.dram.channels = 2;
                sp_tm_result r;
                ck_assert_int_eq(sp_timing_run(&cc, &v, &r, err, sizeof err), 0);
                ck_assert_uint_gt(r.bound_cycles, 0);
                ck_assert_msg(r.bound_cycles <= r.total_cycles, "k %d sb %d lanes %d: bound %llu > %llu", k, sb,
                              lanes, (unsigned long long)r.bound_cycles, (unsigned long long)r.total_cycles);
                for (int u = 0; u < SP_BU_N; u++)
                    ck_assert_uint_le(r.bound_work[u], r.bound_term[u]);
                ck_assert_uint_eq(r.bound_term[r.bound_unit] <= r.bound_cycles, 1);
            }
    sp_tm_steps_free(&v);
    sp_run_result_free(&rr);
    sp_trace_free(&tr);
}
END_TEST

/* R12: keys (values) larger than one K (V) slot stream through it in
 * tiles: counted, and a requant refetches the MSB planes of every tile */
START_TEST(test_tiling)
{
    sp_config c;
    sp_config_default(&c);
    /* 98 KB slots; a key row is 64 x 12 bits = 96 bytes: 1045 keys per slot */
    sp_tm_steps v = tm_fixture_steps(2, 4000, 4000, 1500, 1, 100);
    sp_tm_result r;
    char err[256];
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), 0);
    ck_assert_uint_eq(r.k_tiled_steps, 2);
    ck_assert_uint_eq(r.k_tiles_max, 4); /* ceil(4000 x 96 / 100352) */
    ck_assert_uint_eq(r.v_tiled_steps, 2);
    ck_assert_uint_eq(r.v_tiles_max, 2);
    ck_assert_uint_eq(r.k_overflow_steps, 2);
    /* both steps requantize: the MSB planes are fetched twice */
    ck_assert_uint_eq(r.data_bits[SP_DK_K_MSB], 2ull * 2 * 4000 * 64 * 8);
    ck_assert_uint_le(r.bound_cycles, r.total_cycles);
    /* a context that fits: no tiles, one MSB fetch */
    sp_tm_steps w = tm_fixture_steps(2, 1000, 4000, 200, 1, 100);
    ck_assert_int_eq(sp_timing_run(&c, &w, &r, err, sizeof err), 0);
    ck_assert_uint_eq(r.k_tiled_steps, 0);
    ck_assert_uint_eq(r.v_tiled_steps, 0);
    ck_assert_uint_eq(r.data_bits[SP_DK_K_MSB], 2ull * 1000 * 64 * 8);
    sp_tm_steps_free(&v);
    sp_tm_steps_free(&w);
}
END_TEST

START_TEST(test_bad_config)
{
    sp_config c;
    sp_config_default(&c);
    c.hw.softmax_lanes = 0;
    sp_tm_steps v = tm_fixture_steps(2, 10, 10, 2, 0, 100);
    sp_tm_result r;
    char err[256];
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "softmax_lanes"));
    sp_tm_steps_free(&v);
}
END_TEST

/* official files: the dense CSV and the dense baseline derived from the
 * pruned CSV's shape are the same workload */
START_TEST(test_workload_dense_equivalence)
{
    const char *dir = getenv("SPATTN_WORKLOADS");
    char pp[1024], dp[1024];
    snprintf(pp, sizeof pp, "%s/gpt2-small-wikitext2-pruned.csv", dir ? dir : "../shared/workloads");
    snprintf(dp, sizeof dp, "%s/gpt2-small-wikitext2-dense.csv", dir ? dir : "../shared/workloads");
    FILE *f1 = fopen(pp, "r"), *f2 = fopen(dp, "r");
    if (!f1 || !f2) {
        printf("test_timing: skipped the official-workload check: %s or %s not readable (set SPATTN_WORKLOADS)\n", pp, dp);
        if (f1)
            fclose(f1);
        if (f2)
            fclose(f2);
        return;
    }
    fclose(f1);
    fclose(f2);
    if (ref_sanitize())
        return; /* 2 x 4608 steps: too slow under the sanitizers */
    sp_config c;
    sp_config_default(&c);
    char err[512];
    sp_workload wp, wd;
    ck_assert_msg(sp_workload_load_csv(pp, &wp, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(sp_workload_load_csv(dp, &wd, err, sizeof err) == 0, "%s", err);
    sp_tm_steps a, b;
    ck_assert_int_eq(sp_tm_steps_from_workload(&c, &wp, 1, &a, err, sizeof err), 0);
    ck_assert_int_eq(sp_tm_steps_from_workload(&c, &wd, 0, &b, err, sizeof err), 0);
    sp_tm_result ra, rb;
    ck_assert_int_eq(sp_timing_run(&c, &a, &ra, err, sizeof err), 0);
    ck_assert_int_eq(sp_timing_run(&c, &b, &rb, err, sizeof err), 0);
    ck_assert_uint_eq(ra.total_cycles, rb.total_cycles);
    ck_assert_uint_eq(ra.dram.late_calls, 0);
    ck_assert_uint_le(ra.bound_cycles, ra.total_cycles);
    ck_assert_uint_eq(ra.data_bits[SP_DK_K_MSB], rb.data_bits[SP_DK_K_MSB]);
    /* the pruned file: the pipelined schedule within 1.5x of its bound
     * (docs/costs.md s5: 740 629 of 507 236, top-k binding) */
    sp_tm_steps pr;
    sp_tm_result rp;
    ck_assert_int_eq(sp_tm_steps_from_workload(&c, &wp, 0, &pr, err, sizeof err), 0);
    ck_assert_int_eq(sp_timing_run(&c, &pr, &rp, err, sizeof err), 0);
    ck_assert_uint_le(rp.bound_cycles, rp.total_cycles);
    ck_assert_msg(rp.total_cycles * 2 <= rp.bound_cycles * 3, "%llu cycles, bound %llu",
                  (unsigned long long)rp.total_cycles, (unsigned long long)rp.bound_cycles);
    ck_assert_int_eq(rp.bound_unit, SP_BU_TOPK);
    sp_tm_steps_free(&pr);
    sp_tm_steps_free(&a);
    sp_tm_steps_free(&b);
    sp_workload_free(&wp);
    sp_workload_free(&wd);
}
END_TEST

static sp_tm_steps steps_copy(const sp_tm_steps *v)
{
    sp_tm_steps w = *v;
    w.s = malloc((v->n ? v->n : 1) * sizeof *w.s);
    ck_assert_ptr_nonnull(w.s);
    memcpy(w.s, v->s, v->n * sizeof *w.s);
    w.cap = v->n;
    return w;
}

static void same_result(const sp_tm_result *a, const sp_tm_result *b)
{
    ck_assert_uint_eq(a->total_cycles, b->total_cycles);
    ck_assert_uint_eq(a->head_steps, b->head_steps);
    ck_assert_uint_eq(a->requants, b->requants);
    ck_assert_uint_eq(a->bound_cycles, b->bound_cycles);
    ck_assert_uint_eq(a->k_tiled_steps, b->k_tiled_steps);
    for (int u = 0; u < SP_U_N; u++) {
        ck_assert_uint_eq(a->unit_cycles[u], b->unit_cycles[u]);
        ck_assert_uint_eq(a->unit_work[u], b->unit_work[u]);
    }
    for (int k = 0; k < SP_DK_N; k++) {
        ck_assert_uint_eq(a->data_bits[k], b->data_bits[k]);
        ck_assert_uint_eq(a->dram.burst_bytes[k], b->dram.burst_bytes[k]);
    }
    for (int u = 0; u < SP_BU_N; u++)
        ck_assert_uint_eq(a->bound_term[u], b->bound_term[u]);
}

/* Records standing for several equal head-steps (encoder rows: the dense
 * baseline, rows of equal counts, the capture's shared lists) time exactly
 * as one record per head-step, in every schedule variant */
START_TEST(test_rows_equal_split)
{
    sp_config c;
    sp_config_default(&c);
    sp_engine_input ip;
    memset(&ip, 0, sizeof ip);
    ref_synth("synth:mode=encoder,layers=3,heads=4,d=1,len=40,seed=4", &c.alg, &ip.trace);
    char err[256];
    sp_engine_in in = {.cfg = &c, .input = &ip};
    sp_engine_result d;
    ck_assert_int_eq(sp_engine_run(&in, &d, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(d.steps.source, "token positions"));
    ck_assert_uint_lt(d.steps.n, d.fig.tm.head_steps); /* rows merged */
    ck_assert_uint_eq(d.dense_steps.n, 3 * 4);          /* one record per head */
    const sp_tm_steps *sets[2] = {&d.steps, &d.dense_steps};
    for (int k = 0; k < 2; k++)
        for (int f = 0; f < 2; f++) {
            sp_config cc = c;
            cc.hw.kv_buffers = f ? 1 : 2;
            cc.hw.stage_buffers = 3;
            sp_tm_steps m = steps_copy(sets[k]), one = steps_copy(sets[k]);
            ck_assert_int_eq(sp_tm_steps_split(&one, err, sizeof err), 0);
            ck_assert_uint_gt(one.n, m.n);
            sp_tm_result ra, rb;
            ck_assert_int_eq(sp_timing_run(&cc, &m, &ra, err, sizeof err), 0);
            ck_assert_int_eq(sp_timing_run(&cc, &one, &rb, err, sizeof err), 0);
            ck_assert_uint_eq(ra.head_steps, one.n);
            same_result(&ra, &rb);
            /* per (iteration, layer, head): the records' sums and span */
            for (size_t i = 0, j = 0; i < m.n; i++) {
                uint64_t cyc = 0, bits = 0, t0 = one.s[j].t_start, t1 = 0;
                for (uint32_t r = 0; r < sp_tm_rows(&m.s[i]); r++, j++) {
                    cyc += one.s[j].cyc[SP_U_QK] + one.s[j].cyc[SP_U_FETCH_V];
                    bits += one.s[j].data_bits[SP_DK_V];
                    t1 = one.s[j].t_end > t1 ? one.s[j].t_end : t1;
                }
                ck_assert_uint_eq(m.s[i].cyc[SP_U_QK] + m.s[i].cyc[SP_U_FETCH_V], cyc);
                ck_assert_uint_eq(m.s[i].data_bits[SP_DK_V], bits);
                ck_assert_uint_eq(m.s[i].t_start, t0);
                ck_assert_uint_eq(m.s[i].t_end, t1);
            }
            sp_tm_steps_free(&m);
            sp_tm_steps_free(&one);
        }
    sp_engine_result_free(&d);
    sp_engine_input_free(&ip);
}
END_TEST

static long peak_kb(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

/* The schedule's working set is the head-steps in flight, not the trace:
 * 100 000 head-steps as one record each, and as one record of 100 000
 * rows, raise the peak RSS by less than 16 MB (one node array per step,
 * as the schedule once kept, would take about 60 MB) */
START_TEST(test_working_set_bounded)
{
    if (ref_sanitize())
        return; /* the sanitizers' allocator keeps freed memory */
    sp_config c;
    sp_config_default(&c);
    fast_dram(&c);
    char err[256];
    size_t n = 100000;
    sp_tm_steps v = tm_fixture_steps(n, 16, 16, 8, 2, 3);
    sp_tm_steps w = tm_fixture_steps(1, 16, 16, 8, 0, 3);
    w.s[0].rows = (uint32_t)n;
    sp_tm_result r;
    long before = peak_kb();
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), 0);
    ck_assert_uint_eq(r.head_steps, n);
    ck_assert_int_eq(sp_timing_run(&c, &w, &r, err, sizeof err), 0);
    ck_assert_uint_eq(r.head_steps, n);
    long grown = peak_kb() - before;
    ck_assert_msg(grown < 16 * 1024, "the schedule of %zu head-steps raised the peak RSS by %ld KB", n, grown);
    sp_tm_steps_free(&v);
    sp_tm_steps_free(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("timing");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_unit_formulas);
    tcase_add_test(tc, test_topk_expected_matches_engine);
    tcase_add_test(tc, test_overlap_compute_bound);
    tcase_add_test(tc, test_memory_bound_and_monotone);
    tcase_add_test(tc, test_layer_barrier);
    tcase_add_test(tc, test_bits_match_events);
    tcase_add_test(tc, test_softmax_latency_overlaps);
    tcase_add_test(tc, test_topk_beside_qk);
    tcase_add_test(tc, test_stage_buffer_depth);
    tcase_add_test(tc, test_bound_le_achieved);
    tcase_add_test(tc, test_tiling);
    tcase_add_test(tc, test_bad_config);
    tcase_add_test(tc, test_capture_positions);
    tcase_add_test(tc, test_given_positions);
    tcase_add_test(tc, test_workload_dense_equivalence);
    tcase_add_test(tc, test_rows_equal_split);
    tcase_add_test(tc, test_working_set_bounded);
    suite_add_tcase(s, tc);
    return ref_run_suite(s);
}
