/* test_spec_example.c - the worked example of docs/spec.md section 11,
 * number by number: if this fails, the spec or the model is wrong. */
#include <check.h>
#include <stdlib.h>
#include "spattn.h"

static const int16_t q[4] = {100, -50, 30, 7};
static const int16_t k[3][4] = {{200, 100, -300, 50}, {-120, 400, 15, -8}, {1000, -200, 90, 300}};
static const int16_t v[3][4] = {{100, -200, 300, -400}, {50, 60, -70, 80}, {-1000, 500, 250, -125}};

START_TEST(logit_scale)
{
    sp_logit_scale sc;
    ck_assert_int_eq(sp_logit_scale_make(1.0 / 256, 1.0 / 256, 4, &sc), 0);
    ck_assert_uint_eq(sc.mult, 47274);
    ck_assert_int_eq(sc.shift, 24);
}
END_TEST

static void pass(const int16_t (*keys)[4], const int32_t acc_exp[3], const int32_t y_exp[3],
                 const uint32_t e_exp[3], uint32_t sum_exp, uint32_t r_exp, const uint16_t p_exp[3],
                 uint16_t *p)
{
    int32_t y[3];
    for (int t = 0; t < 3; t++) {
        int32_t acc = sp_qk_dot(q, keys[t], 4);
        ck_assert_int_eq(acc, acc_exp[t]);
        y[t] = sp_qk_logit(acc, 47274, 24);
        ck_assert_int_eq(y[t], y_exp[t]);
    }
    for (int t = 0; t < 3; t++)
        ck_assert_uint_eq(sp_exp2_neg((uint32_t)(323 - y[t])), e_exp[t]);
    sp_softmax_info in;
    sp_softmax(y, 3, p, &in, NULL);
    ck_assert_int_eq(in.max, 323);
    ck_assert_uint_eq(in.sum, sum_exp);
    ck_assert_uint_eq(in.recip, r_exp);
    for (int t = 0; t < 3; t++)
        ck_assert_uint_eq(p[t], p_exp[t]);
}

START_TEST(worked_example)
{
    int16_t km[3][4];
    static const int16_t km_exp[3][4] = {{200, 104, -296, 56}, {-120, 408, 8, -8}, {1000, -200, 88, 296}};
    for (int t = 0; t < 3; t++) {
        sp_quant_row_msb(k[t], km[t], 4, 4);
        for (int j = 0; j < 4; j++)
            ck_assert_int_eq(km[t][j], km_exp[t][j]);
    }
    ck_assert_uint_eq(sp_exp_lut(49), 28697);
    ck_assert_uint_eq(sp_exp_lut(158), 21363);
    uint16_t p[3];
    pass((const int16_t (*)[4])km, (const int32_t[]){6312, -32216, 114712}, (const int32_t[]){18, -91, 323},
         (const uint32_t[]){14348, 10681, 32768}, 57797, 1217515514u, (const uint16_t[]){8135, 6056, 18578}, p);
    ck_assert_int_eq(sp_requant_decide(18578, 24576, 4), 1);
    pass(k, (const int32_t[]){6350, -31606, 114800}, (const int32_t[]){18, -89, 323},
         (const uint32_t[]){14348, 10739, 32768}, 57855, 1216294947u, (const uint16_t[]){8126, 6082, 18559}, p);
    uint32_t r16 = sp_ratio_q16(0.67);
    ck_assert_uint_eq(r16, 43909);
    ck_assert_uint_eq(sp_keep_count(3, r16), 2);
    uint64_t key[3] = {p[0], p[1], p[2]};
    int32_t idx[3] = {0, 1, 2}, kept[3];
    sp_topk_stats st;
    ck_assert_int_eq(sp_topk(key, idx, 3, 2, 16, 2, kept, &st), 2);
    ck_assert_int_eq(kept[0], 0);
    ck_assert_int_eq(kept[1], 2);
    ck_assert_uint_eq(st.rounds, 1);
    ck_assert_uint_eq(st.cycles, 4);
    uint16_t pk[2] = {p[0], p[2]};
    const int16_t *vr[2] = {v[0], v[2]};
    int16_t out[4];
    sp_pv(pk, vr, 2, 4, out);
    ck_assert_int_eq(out[0], -542);
    ck_assert_int_eq(out[1], 234);
    ck_assert_int_eq(out[2], 216);
    ck_assert_int_eq(out[3], -170);
    ck_assert_uint_eq(sp_head_imp_of(out, 4), 1162);
    /* s9: sv = 1/256 gives Mv = 32768, Sv = 15; the head adds 1162 */
    sp_logit_scale hs;
    ck_assert_int_eq(sp_himp_scale_make(1.0 / 256, &hs), 0);
    ck_assert_uint_eq(hs.mult, 32768);
    ck_assert_int_eq(hs.shift, 15);
    ck_assert_uint_eq(sp_head_imp_scale(1162, hs), 1162);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("spec_example");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, logit_scale);
    tcase_add_test(tc, worked_example);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
