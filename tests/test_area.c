/* test_area.c - the analytical area model (cmodel/area.c, docs/costs.md s4):
 * the paper configuration lands near the SpAtten chip's 18.71 mm^2 with the
 * top-k engine a few per cent of it; units scale with what they are made of. */
#include <check.h>
#include <math.h>
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
        ck_assert_double_eq_tol(a.mm2[k], a.raw_mm2[k] * SP_AREA_CALIBRATION, 1e-9);
        sum += a.mm2[k];
    }
    ck_assert_double_eq_tol(sum, a.total_mm2, 1e-9);
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

int main(void)
{
    Suite *s = suite_create("area");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_paper_point);
    tcase_add_test(tc, test_scaling);
    suite_add_tcase(s, tc);
    return ref_run_suite(s);
}
