/* test_timing_rtl.c - the RTL's schedule (cmodel/timing.c) on
 * hand-made head-steps: its work figures, the overlap of a head-step's back
 * end with the next one's front end, the top-k key-buffer hold, the walk
 * check; and the pipelined schedule's work figures (sp_timing_run). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "timing.h"
#include "tm_fixture.h"

/* the pipelined schedule: each unit's work without waits */
START_TEST(test_work_figures)
{
    sp_config c;
    sp_config_default(&c);
    c.hw.softmax_lanes = 4;
    size_t n = 6;
    uint32_t keys = 100, values = 30;
    sp_tm_steps v = tm_fixture_steps(n, keys, 2 * keys, values, 2, 77);
    sp_tm_result r;
    char err[256];
    ck_assert_int_eq(sp_timing_run(&c, &v, &r, err, sizeof err), 0);
    uint64_t passes = n + n / 2; /* every other step requantizes */
    ck_assert_uint_eq(r.unit_work[SP_U_QK], passes * sp_qk_cycles(keys, 64, c.hw.n_qk));
    /* pipelined softmax: ceil(n/P) per pass, the time each of its stages holds the step */
    ck_assert_uint_eq(r.unit_work[SP_U_SOFTMAX], passes * 25);
    ck_assert_uint_eq(r.unit_work[SP_U_PV], n * sp_pv_cycles(values, 64, c.hw.n_pv));
    ck_assert_uint_eq(r.unit_work[SP_U_IMPORTANCE], n * 25);
    ck_assert_uint_eq(r.unit_work[SP_U_REQUANT], n);
    ck_assert_uint_eq(r.unit_work[SP_U_TOPK], n * 77);
    ck_assert_uint_eq(r.unit_work[SP_U_FETCH_K], 0);
    sp_tm_steps_free(&v);
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
    ck_assert_int_eq(sp_timing_rtl_run(&c, &v, 1, 64, &r, err, sizeof err), 0);
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
    ck_assert_int_eq(sp_timing_rtl_run(&c, &v, 1, 64, &r2, err, sizeof err), 0);
    ck_assert_int_eq(memcmp(&r, &r2, sizeof r), 0);
    sp_tm_steps_free(&v);
}
END_TEST

/* Two head-steps in flight: with a long value selection (the back end),
 * the next head-step's front end runs beside it, so the run takes less
 * than the front and back ends one after the other; but the back end
 * holds one head-step at a time and the front end holds its probability
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
    ck_assert_int_eq(sp_timing_rtl_run(&c, &v, 1, 64, &r, err, sizeof err), 0);
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
    ck_assert_int_eq(sp_timing_rtl_run(&c, &v, 1, 64, &r1, err, sizeof err), 0);
    c.hw.kv_buffers = 2;
    ck_assert_int_eq(sp_timing_rtl_run(&c, &v, 1, 64, &r2, err, sizeof err), 0);
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
        ck_assert_int_eq(sp_timing_rtl_run(&c, &v, 1, 64, &r1, err, sizeof err), 0);
        c.hw.kv_buffers = 2;
        ck_assert_int_eq(sp_timing_rtl_run(&c, &v, 1, 64, &r2, err, sizeof err), 0);
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
    ck_assert_int_eq(sp_timing_rtl_run(&c, &v, 1, 64, &r1, err, sizeof err), 0);
    c.hw.fetch_rows = 8;
    ck_assert_int_eq(sp_timing_rtl_run(&c, &v, 1, 64, &r8, err, sizeof err), 0);
    ck_assert_int_eq(memcmp(r1.unit_work, r8.unit_work, sizeof r1.unit_work), 0);
    ck_assert_uint_eq(r1.dram.reads, r8.dram.reads);
    ck_assert_uint_le(r8.total_cycles + n * keys / 2, r1.total_cycles);
    c.hw.fetch_rows = 64; /* 512 multipliers / 64 = 8 keys a line */
    ck_assert_int_eq(sp_timing_rtl_run(&c, &v, 1, 64, &r64, err, sizeof err), 0);
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
    ck_assert_int_eq(sp_timing_rtl_run(&c, &v, 1, 64, &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "head-step"));
    sp_tm_steps_free(&v);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("timing_rtl");
    TCase *t = tcase_create("rtl");
    tcase_add_test(t, test_work_figures);
    tcase_add_loop_test(t, test_rtl_work, 0, 2); /* P = 1, the default P */
    tcase_add_test(t, test_rtl_overlap);
    tcase_add_test(t, test_rtl_walk);
    tcase_add_test(t, test_rtl_prefetch);
    tcase_add_test(t, test_rtl_prefetch_xlayer);
    tcase_add_test(t, test_rtl_fetch_rows);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int f = srunner_ntests_failed(r);
    srunner_free(r);
    return f ? 1 : 0;
}
