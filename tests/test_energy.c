/* test_energy.c - the energy model (cmodel/energy.c, docs/costs.md s3):
 * every component against a hand computation on hand-made head-steps,
 * the width scaling of MACs, node scaling, DRAM bits and static power. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "area.h"
#include "energy.h"
#include "ref.h"

START_TEST(test_mac_widths)
{
    /* 8 x 8: the reference figure itself (Horowitz: 0.2 mult + 0.1 add) */
    ck_assert_double_eq_tol(sp_energy_mac_pj(0.3, 0.1, 8, 8), 0.3, 1e-12);
    /* 32 x 32: 16 x 0.2 + 0.1 = 3.3, near Horowitz's int32 mult 3.1 + add 0.1 */
    ck_assert_double_eq_tol(sp_energy_mac_pj(0.3, 0.1, 32, 32), 3.3, 1e-12);
    ck_assert_double_eq_tol(sp_energy_mac_pj(0.3, 0.1, 12, 6), 0.2 * 72 / 64 + 0.1, 1e-12);
}
END_TEST

START_TEST(test_components_by_hand)
{
    sp_config c;
    sp_config_default(&c);
    c.energy.node_nm = 45; /* no node scaling */
    c.energy.leakage_mw_per_mm2 = 100;
    sp_tm_steps v;
    memset(&v, 0, sizeof v);
    v.s = calloc(2, sizeof *v.s);
    ck_assert_ptr_nonnull(v.s);
    v.n = v.cap = 2;
    v.layers = v.iters = 1;
    v.heads = 2;
    v.decode = 1;
    for (int i = 0; i < 2; i++) {
        sp_tm_step *s = &v.s[i];
        s->head = i;
        s->d = 64;
        s->keys = s->span = 100;
        s->values = 20;
        s->q_bits = 12;
        s->k_msb = 8;
        s->k_lsb = 4;
        s->v_msb = 8;
        s->v_lsb = 4;
        s->vtopk_compares = 150;
        s->requant = (uint8_t)i; /* step 1 requantizes */
    }
    v.s[1].layer_end = 1;
    sp_tm_result tm;
    char err[256];
    ck_assert_int_eq(sp_timing_run(&c, &v, &tm, err, sizeof err), 0);
    sp_energy_report e;
    sp_energy_compute(&c, &v, &tm, &e);
    const sp_energy_cfg *E = &c.energy;
    double m1 = sp_energy_mac_pj(E->mac_qk_pj, E->add_pj, 12, 8), m2 = sp_energy_mac_pj(E->mac_qk_pj, E->add_pj, 12, 12);
    ck_assert_double_eq_tol(e.pj[SP_E_QK], 6400 * (2 * m1 + m2), 1e-6);
    double pv8 = sp_energy_mac_pj(E->mac_pv_pj, E->add_pj, 16, 8), pv12 = sp_energy_mac_pj(E->mac_pv_pj, E->add_pj, 16, 12);
    ck_assert_double_eq_tol(e.pj[SP_E_PV], 1280 * (pv8 + pv12), 1e-6);
    double norm = 0.2 * 16 * 32 / 64;
    ck_assert_double_eq_tol(e.pj[SP_E_SOFTMAX], 3 * (100 * (E->cmp_pj + E->exp_pj + E->add_pj + norm) + E->div_pj), 1e-6);
    ck_assert_double_eq_tol(e.pj[SP_E_TOPK], 300 * E->cmp_pj, 1e-9);
    ck_assert_double_eq_tol(e.pj[SP_E_REQUANT], 2 * E->cmp_pj, 1e-12);
    /* per head-step: 101 48-bit accumulations (100 tokens + the head), the
     * head's L1 sum (64 24-bit adds), its 24 x 16 scaling multiply (the 8 x 8
     * multiply 0.2 pJ x 384 / 64) and the 40-bit rounding add (s9) */
    double himp = 64 * E->add_pj * 0.75 + 0.2 * 24 * 16 / 64 + E->add_pj * 40 / 32;
    ck_assert_double_eq_tol(E->mac_qk_pj - E->add_pj, 0.2, 1e-12);
    ck_assert_double_eq_tol(e.pj[SP_E_IMPORTANCE], 2 * (101 * E->add_pj * 1.5 + himp), 1e-9);
    /* K buffer: writes 2 x 100 x 64 x 8 bits + 100 x 64 x 4 LSB bits; reads 3 passes */
    double kw = (2.0 * 6400 * 8 + 6400 * 4) / 8, kr = (2.0 * 6400 * 8 + 6400 * 12) / 8;
    ck_assert_double_eq_tol(e.pj[SP_E_SRAM_K], kw * E->sram_write_pj_per_byte + kr * E->sram_read_pj_per_byte, 1e-6);
    double vbytes = (1280.0 * 8 + 1280.0 * 12) / 8;
    ck_assert_double_eq_tol(e.pj[SP_E_SRAM_V], vbytes * (E->sram_write_pj_per_byte + E->sram_read_pj_per_byte), 1e-6);
    /* DRAM: every burst byte x 8 x pJ/bit */
    double bytes = 0;
    for (int k = 0; k < SP_DK_N; k++)
        bytes += (double)tm.dram.burst_bytes[k];
    ck_assert_double_eq_tol(e.pj[SP_E_DRAM], bytes * 8 * E->dram_pj_per_bit, 1e-6);
    /* static: 100 mW/mm^2 x the chip's area x the run time */
    sp_area_report ar;
    sp_area_compute(&c, &ar);
    ck_assert_double_eq_tol(e.static_mw, 100 * ar.total_mm2, 1e-9);
    ck_assert_double_eq_tol(e.pj[SP_E_STATIC], 0.1 * ar.total_mm2 * tm.seconds * 1e12, 1e-6);
    double sum = 0;
    for (int k = 0; k < SP_E_N; k++)
        sum += e.pj[k];
    ck_assert_double_eq_tol(sum, e.total_pj, 1e-6);
    ck_assert_double_eq_tol(e.avg_power_w, e.total_pj * 1e-12 / tm.seconds, 1e-9);
    /* 40 nm: logic and SRAM x 40/45, DRAM unchanged, static follows the smaller area */
    c.energy.node_nm = 40;
    sp_energy_report e2;
    sp_energy_compute(&c, &v, &tm, &e2);
    ck_assert_double_eq_tol(e2.pj[SP_E_QK], e.pj[SP_E_QK] * 40 / 45, 1e-6);
    ck_assert_double_eq_tol(e2.pj[SP_E_DRAM], e.pj[SP_E_DRAM], 1e-6);
    sp_area_compute(&c, &ar);
    ck_assert_double_eq_tol(e2.pj[SP_E_STATIC], 0.1 * ar.total_mm2 * tm.seconds * 1e12, 1e-6);
    ck_assert(e2.pj[SP_E_STATIC] < e.pj[SP_E_STATIC]);
    /* a bigger machine leaks more over the same time: energy depends on the hardware's size */
    c.hw.n_qk *= 2;
    c.hw.k_sram_bytes *= 2;
    sp_energy_report e3;
    sp_energy_compute(&c, &v, &tm, &e3);
    ck_assert(e3.pj[SP_E_STATIC] > 1.2 * e2.pj[SP_E_STATIC]);
    ck_assert_double_eq_tol(e3.pj[SP_E_QK], e2.pj[SP_E_QK], 1e-6);
    sp_tm_steps_free(&v);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("energy");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_mac_widths);
    tcase_add_test(tc, test_components_by_hand);
    suite_add_tcase(s, tc);
    return ref_run_suite(s);
}
