/* test_timing.c - the timing model (cmodel/timing.c, docs/costs.md s1):
 * the RTL's head-step pipeline stepped cycle by cycle. Unit formulas and
 * the expected quick-select; the exact work figures; head-steps in
 * flight (front end, ctl_smx, back end); the K prefetch of a second K slot; requant passes; monotone in
 * keys; the layer barrier; the refusals of what the hardware cannot hold;
 * fetched bits against the functional model; records of rows > 1 against
 * their split; the bound; determinism; bounded memory. */
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

/* a memory system with no timing of its own: no refresh, no row or bank
 * waits (so the pipeline's own rules are what a test sees) */
static void fast_dram(sp_config *c)
{
    c->hw.dram.channels = 256;
    c->hw.dram.bytes_per_clk_per_channel = 4096;
    c->hw.dram.burst_bytes = 32;
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

/* the RTL's work figures (docs/rtl.md s9): P softmax lanes, a pass of
 * ceil(n/min(P, KPB)) load beats + 2 ceil(n/P) + 49, a requantizing step's
 * first pass aborted after its divider; at P = 1 and at the default P */
START_TEST(test_rtl_work)
{
    sp_config c;
    sp_config_default(&c);
    if (_i == 0)
        c.hw.softmax_lanes = 1;
    uint64_t P = (uint64_t)c.hw.softmax_lanes, KPB = c.hw.n_qk >= 64 ? (uint64_t)c.hw.n_qk / 64 : 1;
    uint64_t SL = P < KPB ? P : KPB;
    size_t n = 4;
    uint32_t keys = 100, values = 20;
    sp_tm_steps v = tm_fixture_steps(n, keys, 200, values, 2, 77);
    sp_tm_result r;
    char err[256];
    ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
    uint64_t passes = n + n / 2;
    ck_assert_uint_eq(r.unit_work[SP_U_QK], passes * sp_qk_cycles(keys, 64, c.hw.n_qk));
    uint64_t rows = sp_tm_cdiv(keys, P), beats = sp_tm_cdiv(keys, SL);
    ck_assert_uint_eq(r.unit_work[SP_U_SOFTMAX], passes * (beats + 2 * rows + 49) - (n / 2) * rows);
    ck_assert_uint_eq(r.unit_work[SP_U_PV], n * sp_pv_cycles(values, 64, c.hw.n_pv));
    ck_assert_uint_eq(r.unit_work[SP_U_IMPORTANCE], n * rows);
    ck_assert_uint_eq(r.unit_work[SP_U_REQUANT], n);
    ck_assert_uint_eq(r.unit_work[SP_U_TOPK], n * 77);
    ck_assert_uint_eq(r.requants, n / 2);
    /* the port moves one request a cycle, a K request FR rows: a key job
     * (scale, q, keys rows) spans at least its requests; an LSB refetch its
     * keys' requests; a value job (one row a request) its MSB rows plus the
     * LSB rows of a requantized step */
    uint64_t FR = (uint64_t)sp_fetch_rows(c.hw.fetch_rows, c.hw.n_qk, 64);
    ck_assert_uint_ge(r.unit_cycles[SP_U_FETCH_K], n * (sp_tm_cdiv(keys, FR) + 2) - 1);
    ck_assert_uint_ge(r.unit_cycles[SP_U_FETCH_KLSB], (n / 2) * sp_tm_cdiv(keys, FR));
    ck_assert_uint_ge(r.unit_cycles[SP_U_FETCH_V], n * values + (n / 2) * values);
    /* deterministic */
    sp_tm_result r2;
    ck_assert_msg(sp_timing_run(&c, &v, &r2, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(memcmp(&r, &r2, sizeof r), 0);
    sp_tm_steps_free(&v);
}
END_TEST

/* Head-steps in flight: with a long value selection (the back end),
 * the next head-step's front end runs beside it, so the run takes less
 * than the front and back ends one after the other; but the back end
 * holds one head-step at a time and ctl_smx holds its probability
 * stream until the value selection ends (the top-k key buffer), so the
 * run takes at least the back ends' sum. */
START_TEST(test_rtl_overlap)
{
    sp_config c;
    sp_config_default(&c);
    size_t n = 6;
    uint32_t keys = 64, values = 8, sel = 3000;
    sp_tm_steps v = tm_fixture_steps(n, keys, keys, values, 0, sel);
    sp_tm_result r;
    char err[256];
    ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
    uint64_t C = (uint64_t)c.hw.topk_comparators, rows = sp_tm_cdiv(keys, (uint64_t)c.hw.softmax_lanes);
    /* least front end: K rows one a cycle, softmax load (beside the K
     * rows), exp, divider, stream (rows of P) */
    uint64_t front = keys + (2 * rows + 49);
    /* least back end: selection handshake, value rows, pv, output */
    uint64_t back = sel + sp_tm_cdiv(keys, C) + 2 + values + sp_pv_cycles(values, 64, c.hw.n_pv);
    ck_assert_uint_ge(r.total_cycles, n * back);
    ck_assert_uint_lt(r.total_cycles, n * (front + back));
    /* the hold: each further front end waits for the selection before it */
    ck_assert_uint_ge(r.total_cycles, front + n * (sel + sp_tm_cdiv(keys, C) + 2 + rows));
    sp_tm_steps_free(&v);
}
END_TEST

/* the softmax overlapped across head-steps (docs/rtl.md s5): the front end
 * hands a head-step to ctl_smx once its requant decision is made, and the
 * next head-step's q fetch, K walk, qk and softmax load (into the other
 * score bank) run while ctl_smx streams its probabilities. With a fast
 * back end the front ends follow each other faster than the least serial
 * front end of one bank (load L beats, exp L rows, the divider, stream L
 * rows); with a slow value selection three head-steps are in flight (the
 * front end of i+2 starts before the back end of i ends), never four. */
START_TEST(test_rtl_softmax_overlap)
{
    char err[256];
    for (int slow = 0; slow < 2; slow++) {
        sp_config c;
        sp_config_default(&c);
        fast_dram(&c);
        size_t n = 10;
        uint32_t keys = 256, values = 8, sel = slow ? 4000 : 0;
        sp_tm_steps v = tm_fixture_steps(n, keys, keys, values, 0, sel);
        sp_tm_result r;
        ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
        uint64_t rows = sp_tm_cdiv(keys, (uint64_t)c.hw.softmax_lanes);
        int three = 0;
        for (size_t i = 0; i + 3 < n; i++) {
            ck_assert_uint_ge(v.s[i + 3].t_start, v.s[i].t_end); /* at most three in flight */
            three += v.s[i + 2].t_start < v.s[i].t_end;
        }
        if (slow) {
            ck_assert_int_gt(three, 0);
        } else {
            uint64_t spacing = (v.s[n - 1].t_start - v.s[1].t_start) / (n - 2);
            ck_assert_uint_lt(spacing, 3 * rows + 49);
        }
        sp_tm_steps_free(&v);
    }
}
END_TEST

/* K prefetch (hardware.kv_buffers 2, docs/rtl.md s5): the next head-step's
 * K rows are fetched into the other kbuf slot while the running one's front
 * end works, so its qk starts on keys already there: with the K fetch the
 * front end's bound (qk takes 8 keys a cycle at the default 512 multipliers,
 * the port one row), each later head-step saves most of its K walk; with
 * one slot nothing is prefetched. */
START_TEST(test_rtl_prefetch)
{
    sp_config c;
    sp_config_default(&c);
    size_t n = 6;
    uint32_t keys = 120, values = 4, sel = 40;
    sp_tm_steps v = tm_fixture_steps(n, keys, keys, values, 0, sel);
    sp_tm_result r1, r2;
    char err[256];
    c.hw.fetch_rows = 1; /* the port one row a cycle */
    c.hw.kv_buffers = 1;
    ck_assert_msg(sp_timing_run(&c, &v, &r1, err, sizeof err) == 0, "%s", err);
    c.hw.kv_buffers = 2;
    ck_assert_msg(sp_timing_run(&c, &v, &r2, err, sizeof err) == 0, "%s", err);
    /* the same work, the same rows fetched */
    ck_assert_int_eq(memcmp(r1.unit_work, r2.unit_work, sizeof r1.unit_work), 0);
    ck_assert_uint_eq(r1.dram.reads, r2.dram.reads);
    /* every head-step after the first saves at least half its K walk */
    ck_assert_uint_le(r2.total_cycles + (n - 1) * keys / 2, r1.total_cycles);
    sp_tm_steps_free(&v);
}
END_TEST

/* K prefetch across a layer end (docs/rtl.md s5): one head-step per layer;
 * where no pruning selection runs at the layer ends (A_l+1 = A_l, H_l+1 =
 * H_l) the next layer's head-step is prefetched during the last one and
 * each later head-step saves at least half its K walk; where a selection
 * runs at every layer end the prefetch is held and no head-step saves
 * that. */
START_TEST(test_rtl_prefetch_xlayer)
{
    sp_config c;
    sp_config_default(&c);
    size_t n = 5;
    uint32_t keys = 120;
    sp_tm_steps v = tm_fixture_steps(n, keys, keys, 4, 0, 40);
    v.layers = (int)n;
    v.heads = 1;
    for (size_t i = 0; i < n; i++) {
        v.s[i].layer = (int)i;
        v.s[i].head = 0;
        v.s[i].layer_end = 1;
    }
    sp_tm_result r1, r2;
    char err[256];
    c.hw.fetch_rows = 1; /* the port one row a cycle */
    for (int prune = 0; prune < 2; prune++) {
        c.alg.token_start_layer = c.alg.head_start_layer = prune ? 0 : (int)n;
        c.hw.kv_buffers = 1;
        ck_assert_msg(sp_timing_run(&c, &v, &r1, err, sizeof err) == 0, "%s", err);
        c.hw.kv_buffers = 2;
        ck_assert_msg(sp_timing_run(&c, &v, &r2, err, sizeof err) == 0, "%s", err);
        ck_assert_int_eq(memcmp(r1.unit_work, r2.unit_work, sizeof r1.unit_work), 0);
        if (!prune)
            ck_assert_uint_le(r2.total_cycles + (n - 1) * keys / 2, r1.total_cycles);
        else /* held: not that saving */
            ck_assert_uint_gt(r2.total_cycles + (n - 1) * keys / 2, r1.total_cycles);
    }
    sp_tm_steps_free(&v);
}
END_TEST

/* A read port of fetch_rows K rows a cycle (docs/rtl.md s2): the same work
 * and the same rows fetched as with one row a cycle, but each K walk of
 * 120 keys takes 120 / 8 requests instead of 120, so with one K slot (no
 * prefetch to hide the walk) each head-step saves at least half its
 * one-row walk; fetch_rows above a K buffer line (qk_multipliers / D keys)
 * runs as that line. */
START_TEST(test_rtl_fetch_rows)
{
    sp_config c;
    sp_config_default(&c);
    size_t n = 6;
    uint32_t keys = 120;
    sp_tm_steps v = tm_fixture_steps(n, keys, keys, 4, 0, 40);
    sp_tm_result r1, r8, r64;
    char err[256];
    c.hw.kv_buffers = 1;
    c.hw.fetch_rows = 1;
    ck_assert_msg(sp_timing_run(&c, &v, &r1, err, sizeof err) == 0, "%s", err);
    c.hw.fetch_rows = 8;
    ck_assert_msg(sp_timing_run(&c, &v, &r8, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(memcmp(r1.unit_work, r8.unit_work, sizeof r1.unit_work), 0);
    ck_assert_uint_eq(r1.dram.reads, r8.dram.reads);
    ck_assert_uint_le(r8.total_cycles + n * keys / 2, r1.total_cycles);
    c.hw.fetch_rows = 64; /* 512 multipliers / 64 = 8 keys a line */
    ck_assert_msg(sp_timing_run(&c, &v, &r64, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(r64.total_cycles, r8.total_cycles);
    sp_tm_steps_free(&v);
}
END_TEST

/* head-steps out of the controller's walk are refused, with a message */
START_TEST(test_rtl_walk)
{
    sp_config c;
    sp_config_default(&c);
    sp_tm_steps v = tm_fixture_steps(3, 50, 50, 10, 0, 40);
    v.s[0].head = 1;
    v.s[1].head = 0;
    sp_tm_result r;
    char err[256] = "";
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "record 1 "));
    ck_assert_ptr_nonnull(strstr(err, "controller's order"));
    /* an encoder head runs one query row per active key */
    v.s[0].head = 0;
    v.s[1].head = 1;
    v.decode = 0;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "1 query rows for 50 keys"));
    for (size_t i = 0; i < v.n; i++)
        v.s[i].rows = 50;
    ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(r.head_steps, 150);
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
    ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
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
    ck_assert_msg(sp_timing_run(&c, &dv, &dr, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(dr.data_bits[SP_DK_K_MSB], 6ull * 4 * (301 + 302 + 303) * 64 * 12);
    ck_assert_uint_gt(dr.data_bits[SP_DK_V], 4 * r.data_bits[SP_DK_V]);
    /* deterministic */
    sp_tm_result r2;
    ck_assert_msg(sp_timing_run(&c, &v, &r2, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(r2.total_cycles, r.total_cycles);
    ck_assert_uint_eq(r2.dram.row_hits, r.dram.row_hits);
    sp_tm_steps_free(&v);
    sp_tm_steps_free(&dv);
    sp_run_result_free(&rr);
    sp_trace_free(&tr);
}
END_TEST

/* given token positions are the rows fetched (the spread rule gives the
 * same rows when they agree); a position beyond the span is refused */
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
    sp_tm_result r, r2;
    char err[256];
    ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
    v.s[0].key_pos = kp;
    v.s[0].val_pos = vp;
    ck_assert_msg(sp_timing_run(&c, &v, &r2, err, sizeof err) == 0, "%s", err);
    /* same positions as the spread rule (floor(j * 1000 / 100) = 10 j): same result */
    ck_assert_uint_eq(r2.dram.burst_bytes[SP_DK_K_MSB], r.dram.burst_bytes[SP_DK_K_MSB]);
    ck_assert_uint_eq(r2.total_cycles, r.total_cycles);
    /* a 64 x 8-bit row is two beats of the address map */
    ck_assert_uint_eq(r2.dram.burst_bytes[SP_DK_K_MSB], 100 * 64);
    /* other rows, other DRAM rows and banks: another schedule, the same bytes */
    for (int i = 0; i < 100; i++)
        kp[i] = 9 * i + 1;
    ck_assert_msg(sp_timing_run(&c, &v, &r2, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(r2.dram.burst_bytes[SP_DK_K_MSB], 100 * 64);
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
    ck_assert_msg(sp_engine_run(&in, &d, err, sizeof err) == 0, "%s", err);
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
    ck_assert_msg(sp_timing_run(&c, &a, &ra, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(sp_timing_run(&c, &b, &rb, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(ra.total_cycles, rb.total_cycles);
    ck_assert_uint_eq(ra.dram.late_calls, 0);
    ck_assert_uint_le(ra.bound_cycles, ra.total_cycles);
    ck_assert_uint_eq(ra.data_bits[SP_DK_K_MSB], rb.data_bits[SP_DK_K_MSB]);
    /* the pruned file: above its bound, below the dense run */
    sp_tm_steps pr;
    sp_tm_result rp;
    ck_assert_int_eq(sp_tm_steps_from_workload(&c, &wp, 0, &pr, err, sizeof err), 0);
    ck_assert_msg(sp_timing_run(&c, &pr, &rp, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_le(rp.bound_cycles, rp.total_cycles);
    ck_assert_uint_lt(rp.total_cycles, ra.total_cycles);
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
 * as one record per head-step, with one K slot and with two */
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
    ck_assert_msg(sp_engine_run(&in, &d, err, sizeof err) == 0, "%s", err);
    ck_assert_ptr_nonnull(strstr(d.steps.source, "token positions"));
    ck_assert_uint_lt(d.steps.n, d.fig.tm.head_steps); /* rows merged */
    ck_assert_uint_eq(d.dense_steps.n, 3 * 4);          /* one record per head */
    const sp_tm_steps *sets[2] = {&d.steps, &d.dense_steps};
    for (int k = 0; k < 2; k++)
        for (int f = 0; f < 2; f++) {
            sp_config cc = c;
            cc.hw.kv_buffers = f ? 1 : 2;
            sp_tm_steps m = steps_copy(sets[k]), one = steps_copy(sets[k]);
            ck_assert_int_eq(sp_tm_steps_split(&one, err, sizeof err), 0);
            ck_assert_uint_gt(one.n, m.n);
            sp_tm_result ra, rb;
            ck_assert_msg(sp_timing_run(&cc, &m, &ra, err, sizeof err) == 0, "%s", err);
            ck_assert_msg(sp_timing_run(&cc, &one, &rb, err, sizeof err) == 0, "%s", err);
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

/* The quiet-cycle jumps and the batched DRAM calls (sp_tm_fast, the
 * default) against the reference stepping (sp_tm_fast 0: every cycle, one
 * DRAM call a beat): every result field, the DRAM statistics and every
 * record's outputs equal, on random traces (encoder rows > 1, decode) and
 * configs (kv_buffers 1/2, fetch_rows 1/8, softmax lanes 1/8, requants,
 * pruning at layer ends, three memory systems) and on hand-made steps with
 * long value selections and pruning selections. */
static void same_fast_ref(const sp_config *c, const sp_tm_steps *v, const char *what)
{
    sp_tm_steps a = steps_copy(v), b = steps_copy(v);
    sp_tm_result ra, rb;
    char ea[256] = "", eb[256] = "";
    sp_tm_fast = 1;
    int ka = sp_timing_run(c, &a, &ra, ea, sizeof ea);
    sp_tm_fast = 0;
    int kb = sp_timing_run(c, &b, &rb, eb, sizeof eb);
    sp_tm_fast = 1;
    ck_assert_msg(ka == 0 && kb == 0, "%s: %s / %s", what, ea, eb);
    ck_assert_msg(ra.total_cycles == rb.total_cycles, "%s: total %llu fast, %llu reference", what,
                  (unsigned long long)ra.total_cycles, (unsigned long long)rb.total_cycles);
    same_result(&ra, &rb);
    ck_assert_msg(memcmp(&ra.dram, &rb.dram, sizeof ra.dram) == 0, "%s: DRAM statistics differ", what);
    ck_assert(ra.dram_achieved_bytes_per_s == rb.dram_achieved_bytes_per_s);
    ck_assert(ra.seconds == rb.seconds);
    ck_assert_int_eq(memcmp(ra.bound_work, rb.bound_work, sizeof ra.bound_work), 0);
    ck_assert_int_eq(ra.bound_unit, rb.bound_unit);
    for (size_t i = 0; i < v->n; i++) {
        ck_assert_uint_eq(a.s[i].t_start, b.s[i].t_start);
        ck_assert_uint_eq(a.s[i].t_end, b.s[i].t_end);
        ck_assert_int_eq(memcmp(a.s[i].cyc, b.s[i].cyc, sizeof a.s[i].cyc), 0);
        ck_assert_int_eq(memcmp(a.s[i].data_bits, b.s[i].data_bits, sizeof a.s[i].data_bits), 0);
    }
    sp_tm_steps_free(&a);
    sp_tm_steps_free(&b);
}

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

START_TEST(test_fast_equals_reference)
{
    uint32_t x = 11;
    char err[256];
    for (int t = 0; t < 24; t++) {
        sp_config c;
        sp_config_default(&c);
        c.hw.kv_buffers = 1 + (int)(lcg(&x) % 2);
        c.hw.fetch_rows = lcg(&x) % 2 ? 8 : 1;
        c.hw.softmax_lanes = lcg(&x) % 2 ? 8 : 1;
        int mem = (int)(lcg(&x) % 3);
        if (mem == 1)
            fast_dram(&c);
        else if (mem == 2)
            c.hw.dram.burst_bytes = 64; /* two beats a burst: one DRAM call a beat in both */
        c.alg.tau = (lcg(&x) % 3) * 0.25; /* 0: no requant; 0.25, 0.5: some, most */
        c.alg.tau_q15 = (uint32_t)(c.alg.tau * 32768);
        int layers = 2 + (int)(lcg(&x) % 2);
        c.alg.token_start_layer = (int)(lcg(&x) % (unsigned)(layers + 1));
        c.alg.head_start_layer = (int)(lcg(&x) % (unsigned)(layers + 1));
        int decode = (int)(lcg(&x) % 2);
        char spec[160];
        snprintf(spec, sizeof spec, "synth:mode=%s,layers=%d,heads=%u,d=%d,len=%u,%sseed=%u",
                 decode ? "decode" : "encoder", layers, 1 + lcg(&x) % 4, lcg(&x) % 2 ? 64 : 32,
                 12 + lcg(&x) % 60, decode ? "iters=2," : "", lcg(&x) % 1000);
        sp_trace tr;
        ref_synth(spec, &c.alg, &tr);
        sp_run_result rr;
        ck_assert_msg(sp_run_model(&c, &tr, NULL, &rr, err, sizeof err) == 0, "%s: %s", spec, err);
        sp_tm_steps v, dv;
        ck_assert_int_eq(sp_tm_steps_from_run(&c, &tr, &rr, &v, err, sizeof err), 0);
        ck_assert_int_eq(sp_tm_steps_dense(&c, &tr, &dv, err, sizeof err), 0);
        same_fast_ref(&c, &v, spec);
        same_fast_ref(&c, &dv, spec);
        sp_tm_steps_free(&v);
        sp_tm_steps_free(&dv);
        sp_run_result_free(&rr);
        sp_trace_free(&tr);
    }
    /* long selections: the back end's value top-k, requants, and a pruning
     * selection after the layer */
    for (int t = 0; t < 8; t++) {
        sp_config c;
        sp_config_default(&c);
        c.hw.kv_buffers = 1 + t % 2;
        c.hw.fetch_rows = t & 2 ? 8 : 1;
        sp_tm_steps v = tm_fixture_steps(4 + t, 16 + 13 * (uint32_t)t, 200, 3 + (uint32_t)t, t % 3,
                                         lcg(&x) % 3000);
        v.s[v.n - 1].prune_after = 1;
        v.s[v.n - 1].prune_cycles = lcg(&x) % 500;
        c.alg.token_start_layer = c.alg.head_start_layer = 0;
        same_fast_ref(&c, &v, "fixture");
        sp_tm_steps_free(&v);
    }
}
END_TEST

static long peak_kb(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

/* a requant adds a pass: the K LSB rows, a second QK and softmax pass, the
 * values' LSB planes; more cycles for the same head-steps */
START_TEST(test_requant_pass)
{
    sp_config c;
    sp_config_default(&c);
    size_t n = 8;
    uint32_t keys = 200, values = 40;
    sp_tm_steps v = tm_fixture_steps(n, keys, keys, values, 0, 50);
    sp_tm_result r1, r2;
    char err[256];
    ck_assert_msg(sp_timing_run(&c, &v, &r1, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < n; i++)
        v.s[i].requant = 1;
    ck_assert_msg(sp_timing_run(&c, &v, &r2, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(r1.data_bits[SP_DK_K_LSB], 0);
    ck_assert_uint_eq(r2.data_bits[SP_DK_K_LSB], (uint64_t)n * keys * 64 * 4);
    ck_assert_uint_eq(r2.data_bits[SP_DK_K_MSB], r1.data_bits[SP_DK_K_MSB]); /* the MSB planes stay in the slot */
    ck_assert_uint_eq(r2.data_bits[SP_DK_V], (uint64_t)n * values * 64 * 12);
    ck_assert_uint_eq(r2.unit_work[SP_U_QK], 2 * r1.unit_work[SP_U_QK]);
    ck_assert_uint_eq(r1.unit_cycles[SP_U_FETCH_KLSB], 0);
    /* the LSB walk: one request a cycle of FR rows each */
    uint64_t walk = (uint64_t)n * sp_tm_cdiv(keys, (uint64_t)sp_fetch_rows(c.hw.fetch_rows, c.hw.n_qk, 64));
    ck_assert_uint_ge(r2.unit_cycles[SP_U_FETCH_KLSB], walk);
    ck_assert_uint_eq(r2.requants, n);
    ck_assert_uint_gt(r2.total_cycles, r1.total_cycles + walk);
    ck_assert_uint_gt(r2.dram.reads, r1.dram.reads);
    sp_tm_steps_free(&v);
}
END_TEST

/* at one K slot, more keys never take fewer cycles, and a head-step more
 * never fewer either; on a DRAM without timing of its own (with HBM2's, a
 * refresh that falls on the critical path of one run and not the other, or
 * rows spread at a stride of 16 tokens onto one channel, can outweigh a few
 * more keys) */
START_TEST(test_keys_monotone)
{
    sp_config c;
    sp_config_default(&c);
    fast_dram(&c);
    c.hw.kv_buffers = 1;
    char err[256];
    uint64_t last = 0;
    for (uint32_t keys = 64; keys <= 1024; keys += 96) {
        sp_tm_steps v = tm_fixture_steps(4, keys, keys, 20, 2, 60); /* contiguous rows */
        sp_tm_result r;
        ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
        ck_assert_msg(r.total_cycles > last, "%u keys: %llu cycles, fewer keys took %llu", keys,
                      (unsigned long long)r.total_cycles, (unsigned long long)last);
        last = r.total_cycles;
        sp_tm_steps_free(&v);
    }
    uint64_t prev = 0;
    for (size_t n = 1; n <= 6; n++) {
        sp_tm_steps v = tm_fixture_steps(n, 300, 300, 20, 0, 60);
        sp_tm_result r;
        ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
        ck_assert_uint_gt(r.total_cycles, prev);
        prev = r.total_cycles;
        sp_tm_steps_free(&v);
    }
}
END_TEST

/* the layer barrier: the controller starts the next layer's first
 * head-step after the layer's back end drained and its pruning selection
 * ended */
START_TEST(test_layer_barrier)
{
    sp_config c;
    sp_config_default(&c);
    fast_dram(&c); /* no refresh: a shift in time changes no DRAM wait */
    sp_tm_steps v = tm_fixture_steps(8, 500, 500, 100, 0, 100);
    v.layers = 2;
    v.heads = 4;
    for (size_t i = 0; i < 8; i++) {
        v.s[i].layer = (int)(i / 4);
        v.s[i].head = (int)(i % 4);
    }
    v.s[3].layer_end = 1;
    v.s[3].prune_after = 1;
    v.s[3].prune_cycles = 300;
    sp_tm_result r, r0;
    char err[256];
    ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_ge(v.s[4].t_start, v.s[3].t_end + 300);
    ck_assert_uint_eq(r.unit_cycles[SP_U_PRUNE], 300);
    /* within a layer the next head-step's front end starts before the last one's back end ends */
    ck_assert_uint_lt(v.s[5].t_start, v.s[4].t_end);
    v.s[3].prune_after = 0;
    v.s[3].prune_cycles = 0;
    ck_assert_msg(sp_timing_run(&c, &v, &r0, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_gt(v.s[4].t_start, v.s[3].t_end);
    ck_assert_uint_ge(r.total_cycles, r0.total_cycles + 300);
    sp_tm_steps_free(&v);
}
END_TEST

/* what the hardware cannot hold is refused with one message naming the
 * head-step and the key to raise; the same run on hardware that holds it
 * passes */
START_TEST(test_refusals)
{
    sp_config c;
    sp_config_default(&c);
    sp_tm_result r;
    char err[512];
    /* default: 196 KB in two slots of 64 x 12-bit rows: 1024 rows */
    sp_tm_geom g;
    ck_assert_int_eq(sp_tm_geometry(&c, 64, &g, err, sizeof err), 0);
    ck_assert_int_eq(g.max_tokens, 1024);
    sp_tm_steps v = tm_fixture_steps(2, 1025, 1025, 100, 0, 60);
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "head-step 0 "));
    ck_assert_ptr_nonnull(strstr(err, "hardware.k_sram_bytes"));
    ck_assert_ptr_null(strchr(err, '\n'));
    c.hw.kv_buffers = 1; /* one slot of 2048 rows */
    ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
    sp_tm_steps_free(&v);
    /* kept values beyond the V buffer (16 rows of 96 bytes) */
    sp_config_default(&c);
    c.hw.v_sram_bytes = 16 * 96;
    v = tm_fixture_steps(3, 100, 100, 17, 0, 60);
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "hardware.v_sram_bytes"));
    v.s[0].values = v.s[1].values = v.s[2].values = 16;
    ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
    sp_tm_steps_free(&v);
    /* layers beyond the address map's layer field */
    sp_config_default(&c);
    v = tm_fixture_steps(2, 64, 64, 8, 0, 10);
    v.layers = SP_RTL_MAX_LAYERS + 1;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "layers"));
    v.layers = 1;
    /* values the pipeline does not build */
    c.hw.softmax_lanes = 3;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "hardware.softmax_lanes"));
    sp_config_default(&c);
    c.hw.k_sram_bytes = 4096; /* 42 rows of 96 bytes in each slot */
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "hardware.k_sram_bytes"));
    sp_config_default(&c);
    /* a D the multipliers do not divide: given, refused; not given, the
     * smallest D the config builds (32 here) runs the rows zero-padded */
    for (size_t i = 0; i < v.n; i++)
        v.s[i].d = 24;
    v.hw_d = 24;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "hardware.qk_multipliers"));
    v.hw_d = 0;
    ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(r.data_bits[SP_DK_K_MSB], 2ull * 64 * 32 * 8);
    /* one width per plane */
    v.s[1].k_msb = 6;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "record 1 "));
    sp_tm_steps_free(&v);
}
END_TEST

/* each record's outputs add up to the run's: unit cycles (work and job
 * spans), data bits; head-steps start in order and end by the run's end */
START_TEST(test_step_outputs_sum)
{
    sp_config c;
    sp_config_default(&c);
    sp_trace tr;
    ref_synth("synth:mode=decode,layers=4,heads=4,d=64,len=200,iters=2,seed=3", &c.alg, &tr);
    sp_run_result rr;
    char err[256];
    ck_assert_int_eq(sp_run_model(&c, &tr, NULL, &rr, err, sizeof err), 0);
    sp_tm_steps v;
    ck_assert_int_eq(sp_tm_steps_from_run(&c, &tr, &rr, &v, err, sizeof err), 0);
    sp_tm_result r;
    ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
    uint64_t cyc[SP_U_N] = {0}, bits[SP_DK_N] = {0};
    for (size_t i = 0; i < v.n; i++) {
        for (int u = 0; u < SP_U_N; u++)
            cyc[u] += v.s[i].cyc[u];
        for (int k = 0; k < SP_DK_N; k++)
            bits[k] += v.s[i].data_bits[k];
        ck_assert_uint_gt(v.s[i].t_end, v.s[i].t_start);
        ck_assert_uint_le(v.s[i].t_end, r.total_cycles);
        if (i > 0)
            ck_assert_uint_gt(v.s[i].t_start, v.s[i - 1].t_start);
    }
    for (int u = 0; u < SP_U_N; u++)
        ck_assert_msg(cyc[u] == r.unit_cycles[u], "unit %s: records %llu, run %llu", sp_unit_names[u],
                      (unsigned long long)cyc[u], (unsigned long long)r.unit_cycles[u]);
    for (int k = 0; k < SP_DK_N; k++)
        ck_assert_uint_eq(bits[k], r.data_bits[k]);
    ck_assert_uint_gt(r.unit_cycles[SP_U_FETCH_K], 0);
    ck_assert_uint_gt(r.unit_cycles[SP_U_WRITE], 0);
    sp_tm_steps_free(&v);
    sp_run_result_free(&rr);
    sp_trace_free(&tr);
}
END_TEST

/* the bound never exceeds the achieved cycles: a functional run on one K
 * slot and two, lanes 1 to 16, a slow DRAM */
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
    for (int k = 0; k < 2; k++)
        for (int lanes = 1; lanes <= 16; lanes *= 4) {
            sp_config cc = c;
            cc.hw.softmax_lanes = lanes;
            cc.hw.kv_buffers = k ? 1 : 2;
            if (k == 1)
                cc.hw.dram.channels = 2;
            sp_tm_result r;
            ck_assert_msg(sp_timing_run(&cc, &v, &r, err, sizeof err) == 0, "%s", err);
            ck_assert_uint_gt(r.bound_cycles, 0);
            ck_assert_msg(r.bound_cycles <= r.total_cycles, "k %d lanes %d: bound %llu > %llu", k, lanes,
                          (unsigned long long)r.bound_cycles, (unsigned long long)r.total_cycles);
            for (int u = 0; u < SP_BU_N; u++)
                ck_assert_uint_le(r.bound_work[u], r.bound_term[u]);
            ck_assert_uint_le(r.bound_term[r.bound_unit], r.bound_cycles);
            ck_assert_uint_eq(r.bound_work[SP_BU_QK], r.unit_work[SP_U_QK]);
        }
    sp_tm_steps_free(&v);
    sp_run_result_free(&rr);
    sp_trace_free(&tr);
}
END_TEST

/* The model walks a record of rows > 1 in place: 16 layers x 64 heads of
 * 64 encoder rows (65 536 head-steps in 1 024 records) raise the peak RSS
 * by less than 4 MB, where one record per head-step would take more */
START_TEST(test_working_set_bounded)
{
    if (ref_sanitize())
        return; /* the sanitizers' allocator keeps freed memory */
    sp_config c;
    sp_config_default(&c);
    char err[256];
    int L = 16, H = 64;
    uint32_t rows = 64;
    sp_tm_steps v = tm_fixture_steps((size_t)L * H, rows, rows, 4, 0, 3);
    v.decode = 0;
    v.layers = L;
    v.heads = H;
    for (size_t i = 0; i < v.n; i++) {
        v.s[i].layer = (int)(i / (size_t)H);
        v.s[i].head = (int)(i % (size_t)H);
        v.s[i].rows = rows;
        v.s[i].layer_end = v.s[i].head == H - 1;
    }
    size_t split_bytes = (size_t)L * H * rows * sizeof(sp_tm_step);
    ck_assert_uint_gt(split_bytes, 8u << 20);
    sp_tm_result r;
    long before = peak_kb();
    ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
    long grown = peak_kb() - before;
    ck_assert_uint_eq(r.head_steps, (uint64_t)L * H * rows);
    ck_assert_msg(grown < 4 * 1024, "%llu head-steps raised the peak RSS by %ld KB", (unsigned long long)r.head_steps,
                  grown);
    sp_tm_steps_free(&v);
}
END_TEST

/* the active list (ctl_seq SqList, ctl_sel's token walk; docs/rtl.md s5):
 * listed once per iteration, at layer 0, an aligned group of R = fetch_rows
 * present tokens a cycle; a later layer keeps the list (no pruning) or
 * takes the one the pruning walk compacted. So 50 more present tokens (the
 * same keys) cost ceil(150 / R) - ceil(100 / R) cycles per iteration (50 at
 * R = 1), not per layer, with and without token pruning. */
START_TEST(test_list_once_per_iteration)
{
    sp_config c;
    sp_config_default(&c);
    fast_dram(&c);
    enum { I = 3, L = 4, H = 2, K = 40 };
    int32_t kp[K];
    for (int j = 0; j < K; j++)
        kp[j] = 2 * j;
    sp_tm_steps v = tm_fixture_steps(I * L * H, K, 100, 8, 0, 30);
    v.iters = I;
    v.layers = L;
    v.heads = H;
    for (size_t i = 0; i < v.n; i++) {
        v.s[i].it = (int)(i / (L * H));
        v.s[i].layer = (int)(i / H % L);
        v.s[i].head = (int)(i % H);
        v.s[i].layer_end = i % H == H - 1;
        v.s[i].key_pos = kp;
    }
    char err[256];
    for (int k = 0; k < 4; k++) {
        int prune = k & 1;
        c.hw.fetch_rows = k < 2 ? 1 : 8;
        uint64_t R = (uint64_t)sp_fetch_rows(c.hw.fetch_rows, c.hw.n_qk, 64);
        uint64_t want = I * (sp_tm_cdiv(150, R) - sp_tm_cdiv(100, R));
        c.alg.token_start_layer = prune ? 0 : L;
        c.alg.head_start_layer = L;
        sp_tm_result r0, r1;
        for (size_t i = 0; i < v.n; i++)
            v.s[i].span = 100;
        ck_assert_msg(sp_timing_run(&c, &v, &r0, err, sizeof err) == 0, "%s", err);
        for (size_t i = 0; i < v.n; i++)
            v.s[i].span = 150;
        ck_assert_msg(sp_timing_run(&c, &v, &r1, err, sizeof err) == 0, "%s", err);
        ck_assert_int_eq(memcmp(r0.unit_work, r1.unit_work, sizeof r0.unit_work), 0);
        ck_assert_msg(r1.total_cycles == r0.total_cycles + want, "pruning %d, %d rows a cycle: %llu cycles, %llu "
                      "with 50 more present tokens (want +%llu: one listing per iteration)", prune, (int)R,
                      (unsigned long long)r0.total_cycles, (unsigned long long)r1.total_cycles,
                      (unsigned long long)want);
    }
    sp_tm_steps_free(&v);
}
END_TEST

/* the back end in two parts (docs/rtl.md s5): ctl_vsel runs the value
 * selection of head-step i+1 while ctl_back runs i's V walk and pv, so a
 * head-step ends less than its own value selection plus its own V walk
 * after the one before (a back end holding one head-step from its
 * selection to its output needs at least their sum); at most four
 * head-steps in flight (front end, ctl_smx, ctl_vsel, ctl_back) */
START_TEST(test_rtl_vsel_overlap)
{
    sp_config c;
    sp_config_default(&c);
    size_t n = 12;
    uint32_t keys = 64, values = 60, sel = 300;
    sp_tm_steps v = tm_fixture_steps(n, keys, keys, values, 0, sel);
    sp_tm_result r;
    char err[256];
    ck_assert_msg(sp_timing_run(&c, &v, &r, err, sizeof err) == 0, "%s", err);
    uint64_t vsel = sel + sp_tm_cdiv(keys, (uint64_t)c.hw.topk_comparators) + 2; /* ctl_sel's cycles */
    int over = 0;
    for (size_t i = 2; i + 1 < n; i++) {
        uint64_t gap = v.s[i + 1].t_end - v.s[i].t_end, fv = v.s[i + 1].cyc[SP_U_FETCH_V];
        ck_assert_uint_gt(fv, 0);
        over += gap < vsel + fv;
    }
    ck_assert_msg(over == (int)n - 3, "%d of %d head-steps end less than selection + V walk after the one before",
                  over, (int)n - 3);
    int four = 0;
    for (size_t i = 0; i + 4 < n; i++) {
        ck_assert_uint_ge(v.s[i + 4].t_start, v.s[i].t_end);
        four += v.s[i + 3].t_start < v.s[i].t_end;
    }
    ck_assert_int_gt(four, 0);
    sp_tm_steps_free(&v);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("timing");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_unit_formulas);
    tcase_add_test(tc, test_topk_expected_matches_engine);
    tcase_add_loop_test(tc, test_rtl_work, 0, 2); /* P = 1, the default P */
    tcase_add_test(tc, test_rtl_overlap);
    tcase_add_test(tc, test_rtl_prefetch);
    tcase_add_test(tc, test_rtl_prefetch_xlayer);
    tcase_add_test(tc, test_rtl_walk);
    tcase_add_test(tc, test_rtl_fetch_rows);
    tcase_add_test(tc, test_requant_pass);
    tcase_add_test(tc, test_keys_monotone);
    tcase_add_test(tc, test_layer_barrier);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_step_outputs_sum);
    tcase_add_test(tc, test_bits_match_events);
    tcase_add_test(tc, test_given_positions);
    tcase_add_test(tc, test_capture_positions);
    tcase_add_test(tc, test_workload_dense_equivalence);
    tcase_add_test(tc, test_rows_equal_split);
    tcase_add_test(tc, test_fast_equals_reference);
    tcase_add_test(tc, test_rtl_softmax_overlap);
    tcase_add_test(tc, test_bound_le_achieved);
    tcase_add_test(tc, test_working_set_bounded);
    tcase_add_test(tc, test_list_once_per_iteration);
    tcase_add_test(tc, test_rtl_vsel_overlap);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int f = srunner_ntests_failed(r);
    srunner_free(r);
    return f ? 1 : 0;
}
