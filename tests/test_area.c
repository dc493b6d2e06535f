/* test_area.c - the analytical area model (cmodel/area.c, docs/costs.md s4):
 * the paper configuration lands near the SpAtten chip's 18.71 mm^2 with the
 * top-k engine a few per cent of it; units scale with what they are made of;
 * SRAM is not calibrated, so a smaller machine with the same buffers keeps
 * their whole area. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "area.h"
#include "ref.h"

START_TEST(test_paper_point)
{
    sp_config c;
    sp_config_default(&c);
    sp_area_report a;
    sp_area_compute(&c, &a);
    /* within 5 % of 18.71 mm^2 (SpAtten, HPCA 2021, 40 nm) */
    ck_assert_msg(fabs(a.total_mm2 - 18.71) < 0.05 * 18.71, "paper config area %.3f mm^2", a.total_mm2);
    double topk = a.mm2[SP_A_TOPK] / a.total_mm2;
    /* the paper reports about 2.7 %; our split gives a few per cent */
    ck_assert_msg(topk > 0.01 && topk < 0.06, "top-k share %.3f", topk);
    double sum = 0;
    for (int k = 0; k < SP_A_N; k++) {
        ck_assert(a.mm2[k] > 0);
        ck_assert_double_eq_tol(a.logic_mm2[k], a.logic_raw_mm2[k] * SP_AREA_LOGIC_CALIBRATION, 1e-9);
        ck_assert_double_eq_tol(a.mm2[k], a.logic_mm2[k] + a.sram_mm2[k], 1e-12);
        sum += a.mm2[k];
    }
    ck_assert_double_eq_tol(sum, a.total_mm2, 1e-9);
}
END_TEST

/* A SpAtten-1/8-like point: 64 + 64 multipliers (1/8 of 512 + 512) with the
 * paper's buffers. The multiplier arrays shrink 8x; the SRAM does not, so
 * the machine is far below the paper's area but its SRAM share grows. */
START_TEST(test_eighth_point)
{
    sp_config c;
    sp_config_default(&c);
    sp_area_report p, e;
    sp_area_compute(&c, &p);
    c.hw.n_qk = c.hw.n_pv = 64;
    sp_area_compute(&c, &e);
    if (getenv("SP_AREA_REPORT"))
        printf("area: paper %.2f mm^2 (logic %.2f, SRAM %.2f); 1/8 multipliers, same buffers %.2f mm^2 "
               "(logic %.2f, SRAM %.2f)\n",
               p.total_mm2, p.logic_total_mm2, p.sram_total_mm2, e.total_mm2, e.logic_total_mm2, e.sram_total_mm2);
    ck_assert_double_eq_tol(e.sram_total_mm2, p.sram_total_mm2, 1e-12);
    ck_assert_double_eq_tol(e.logic_mm2[SP_A_QK] * 8, p.logic_mm2[SP_A_QK], 0.02 * p.logic_mm2[SP_A_QK]);
    ck_assert_double_eq_tol(e.logic_mm2[SP_A_PV] * 8, p.logic_mm2[SP_A_PV], 1e-9);
    /* the shared logic stays: 1/8 of the arrays is not 1/8 of the chip */
    ck_assert_msg(e.total_mm2 > p.total_mm2 / 8 && e.total_mm2 < p.total_mm2 / 3, "1/8 point %.3f mm^2", e.total_mm2);
    ck_assert(e.sram_total_mm2 / e.total_mm2 > 2.5 * p.sram_total_mm2 / p.total_mm2);
}
END_TEST

START_TEST(test_scaling)
{
    sp_config c;
    sp_config_default(&c);
    sp_area_report a, b;
    sp_area_compute(&c, &a);
    /* twice the multipliers: the QK unit doubles up to its shared scaling multipliers */
    c.hw.n_qk *= 2;
    sp_area_compute(&c, &b);
    ck_assert(b.mm2[SP_A_QK] > 1.95 * a.mm2[SP_A_QK] && b.mm2[SP_A_QK] <= 2.0 * a.mm2[SP_A_QK] + 1e-12);
    ck_assert_double_eq_tol(b.mm2[SP_A_PV], a.mm2[SP_A_PV], 1e-12);
    /* SRAM is linear in bytes */
    sp_config_default(&c);
    c.hw.k_sram_bytes /= 2;
    sp_area_compute(&c, &b);
    ck_assert_double_eq_tol(b.mm2[SP_A_SRAM_K], a.mm2[SP_A_SRAM_K] / 2, 1e-9);
    /* narrower keys: smaller QK multipliers */
    sp_config_default(&c);
    c.alg.k_msb = 6;
    sp_area_compute(&c, &b);
    ck_assert(b.mm2[SP_A_QK] < a.mm2[SP_A_QK]);
    /* 28 nm: everything shrinks by (28/40)^2 */
    sp_config_default(&c);
    c.energy.node_nm = 28;
    sp_area_compute(&c, &b);
    ck_assert_double_eq_tol(b.total_mm2, a.total_mm2 * (28.0 / 40) * (28.0 / 40), 1e-9);
}
END_TEST

/* The importance unit: per softmax lane a 48-bit token update; once, the
 * head path of docs/spec.md s9 with its 24 x 16 multiply to real units
 * (8 x 8 multiply 282 um^2 x 384 / 64 at 45 nm, times the calibration). */
START_TEST(test_importance_head_path)
{
    sp_config c;
    sp_config_default(&c);
    c.energy.node_nm = 45;
    sp_area_report one, two;
    c.hw.softmax_lanes = 1;
    sp_area_compute(&c, &one);
    c.hw.softmax_lanes = 2;
    sp_area_compute(&c, &two);
    double lane = two.logic_raw_mm2[SP_A_IMPORTANCE] - one.logic_raw_mm2[SP_A_IMPORTANCE];
    ck_assert_double_eq_tol(lane, (48 * 137.0 / 32 + 48 * 4.5) * 1e-6, 1e-12);
    double head = one.logic_raw_mm2[SP_A_IMPORTANCE] - lane;
    double mult = 282.0 * 24 * 16 / 64 * 1e-6;
    double adds = (16 + 24 + 40 + 48) * 137.0 / 32 * 1e-6 + 24 * 4.5 * 1e-6;
    ck_assert_double_eq_tol(head, mult + adds, 1e-12);
    ck_assert_double_eq_tol(one.mm2[SP_A_IMPORTANCE], (lane + head) * SP_AREA_LOGIC_CALIBRATION, 1e-12);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("area");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_paper_point);
    tcase_add_test(tc, test_eighth_point);
    tcase_add_test(tc, test_scaling);
    tcase_add_test(tc, test_importance_head_path);
    suite_add_tcase(s, tc);
    return ref_run_suite(s);
}
