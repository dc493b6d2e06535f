/* test_timing_flags.c - the schedule variants of sp_timing_run_flags
 * (cmodel/timing.h) used by the co-sim's cycle comparison (docs/rtl.md s9):
 * per-unit work figures, SP_TM_SERIAL (no head-step overlap),
 * SP_TM_SOFTMAX_ABORT and SP_TM_RTL_ADDRMAP; flags 0 is sp_timing_run. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "timing.h"
#include "tm_fixture.h"

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
    /* flags 0 is sp_timing_run, byte for byte */
    sp_tm_result r0;
    ck_assert_int_eq(sp_timing_run_flags(&c, &v, 0, &r0, err, sizeof err), 0);
    ck_assert_int_eq(memcmp(&r, &r0, sizeof r), 0);
    /* the RTL's serial softmax: the load pass, then 2 ceil(n/P) + 49 */
    sp_tm_result rs;
    ck_assert_int_eq(sp_timing_run_flags(&c, &v, SP_TM_SERIAL, &rs, err, sizeof err), 0);
    ck_assert_uint_eq(rs.unit_work[SP_U_SOFTMAX], passes * (25 + sp_softmax_cycles(keys, 4)));
    /* the abort drops the normalise pass (one ceil(n/P)) of each requant's first softmax */
    ck_assert_int_eq(sp_timing_run_flags(&c, &v, SP_TM_SERIAL | SP_TM_SOFTMAX_ABORT, &r0, err, sizeof err), 0);
    ck_assert_uint_eq(r0.unit_work[SP_U_SOFTMAX], rs.unit_work[SP_U_SOFTMAX] - (n / 2) * 25);
    sp_tm_steps_free(&v);
}
END_TEST

START_TEST(test_serial)
{
    sp_config c;
    sp_config_default(&c);
    c.hw.kv_buffers = 1;
    size_t n = 8;
    sp_tm_steps v = tm_fixture_steps(n, 300, 600, 60, 2, 77);
    sp_tm_result over, ser;
    char err[256];
    ck_assert_int_eq(sp_timing_run(&c, &v, &over, err, sizeof err), 0);
    ck_assert_int_eq(sp_timing_run_flags(&c, &v, SP_TM_SERIAL, &ser, err, sizeof err), 0);
    /* no head-step starts before the previous one has ended */
    for (size_t i = 1; i < n; i++)
        ck_assert_uint_ge(v.s[i].t_start, v.s[i - 1].t_end);
    ck_assert_uint_gt(ser.total_cycles, over.total_cycles);
    /* the same work either way, but for the softmax: the serial one adds
     * its latency, 2 ceil(n/P) + 49, to each pass's ceil(n/P) */
    for (int u = 0; u < SP_U_N; u++)
        if (u != SP_U_SOFTMAX)
            ck_assert_uint_eq(ser.unit_work[u], over.unit_work[u]);
    uint64_t passes = n + n / 2, p = 300 / 8 + 1;
    ck_assert_uint_eq(over.unit_work[SP_U_SOFTMAX], passes * p);
    ck_assert_uint_eq(ser.unit_work[SP_U_SOFTMAX], passes * (p + sp_softmax_cycles(300, 8)));
    ck_assert_uint_le(ser.bound_cycles, ser.total_cycles);
    ck_assert_uint_eq(ser.bound_cycles, over.bound_cycles);
    sp_tm_steps_free(&v);
}
END_TEST

START_TEST(test_rtl_addrmap)
{
    sp_config c;
    sp_config_default(&c);
    c.hw.kv_buffers = 1;
    size_t n = 4;
    sp_tm_steps v = tm_fixture_steps(n, 100, 200, 20, 2, 77);
    sp_tm_result r;
    char err[256];
    ck_assert_int_eq(sp_timing_run_flags(&c, &v, SP_TM_SERIAL | SP_TM_RTL_ADDRMAP, &r, err, sizeof err), 0);
    /* one row per cycle: a key fetch job of 100 rows spans at least 100 cycles */
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_ge(v.s[i].cyc[SP_U_FETCH_K], 100);
    /* the same data bits as the default layout */
    sp_tm_result r0;
    ck_assert_int_eq(sp_timing_run(&c, &v, &r0, err, sizeof err), 0);
    for (int k = 0; k < SP_DK_N; k++)
        ck_assert_uint_eq(r.data_bits[k], r0.data_bits[k]);
    /* per-beat accesses: every K MSB row (64 x 8 bits = 2 beats) is 2 bursts */
    ck_assert_uint_ge(r.dram.bursts, n * (100 * 2 + 100 + 3));
    sp_tm_steps_free(&v);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("timing_flags");
    TCase *t = tcase_create("flags");
    tcase_add_test(t, test_work_figures);
    tcase_add_test(t, test_serial);
    tcase_add_test(t, test_rtl_addrmap);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int f = srunner_ntests_failed(r);
    srunner_free(r);
    return f ? 1 : 0;
}
