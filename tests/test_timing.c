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
    c.hw.softmax_lanes = 1; /* softmax: 2 * 512 + 47 + 2 cycles per step, the bottleneck */
    size_t n = 50;
    sp_tm_steps v = tm_fixture_steps(n, 512, 512, 100, 0, 100);
    sp_tm_result r;
    char err[256];
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), 0);
    /* the load pass (512 cycles at one lane) overlaps QK but occupies the
     * softmax unit; steady state: one softmax after another */
    uint64_t sm = 512 + sp_softmax_cycles(512, 1);
    double per = (double)r.total_cycles / (double)n;
    ck_assert_msg(per >= (double)sm && per <= (double)sm * 1.05 + 20,
                  "per step %.1f, softmax %llu", per, (unsigned long long)sm);
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
    /* without pruning, layer 1's keys are prefetched during layer 0 */
    v.s[3].prune_after = 0;
    v.s[3].prune_cycles = 0;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), 0);
    ck_assert_uint_lt(v.s[4].t_start, v.s[3].t_end);
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
    ck_assert_uint_eq(ra.data_bits[SP_DK_K_MSB], rb.data_bits[SP_DK_K_MSB]);
    sp_tm_steps_free(&a);
    sp_tm_steps_free(&b);
    sp_workload_free(&wp);
    sp_workload_free(&wd);
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
    tcase_add_test(tc, test_bad_config);
    tcase_add_test(tc, test_capture_positions);
    tcase_add_test(tc, test_given_positions);
    tcase_add_test(tc, test_workload_dense_equivalence);
    suite_add_tcase(s, tc);
    return ref_run_suite(s);
}
