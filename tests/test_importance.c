/* test_importance.c - token and head importance accumulators
 * (docs/spec.md s9): usat(acc + x, 48) and sum_d |out[d]|. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include "ref.h"

START_TEST(imp_add_saturates)
{
    const uint64_t max = (UINT64_C(1) << 48) - 1;
    ck_assert_uint_eq(SP_IMP_MAX, max);
    ck_assert_uint_eq(sp_imp_add(0, 0), 0);
    ck_assert_uint_eq(sp_imp_add(0, 32768), 32768);
    ck_assert_uint_eq(sp_imp_add(max - 32768, 32768), max);
    ck_assert_uint_eq(sp_imp_add(max - 32767, 32768), max);
    ck_assert_uint_eq(sp_imp_add(max, 1), max);
    ck_assert_uint_eq(sp_imp_add(max, 32768), max);
    ck_assert_uint_eq(sp_imp_add(max - 1, 1), max);
    ck_assert_uint_eq(sp_imp_add(max - 2, 1), max - 1);
    /* head importance adds (up to 256 * 2^15 = 2^23 per step) */
    ck_assert_uint_eq(sp_imp_add(max - (UINT64_C(1) << 23), UINT64_C(1) << 23), max);
    /* a long run of additions: exact until it saturates, then stays */
    sp_rng r;
    sp_rng_seed(&r, 9);
    uint64_t acc = max - (UINT64_C(1) << 30), want = acc;
    for (int i = 0; i < 200000; i++) {
        uint64_t x = sp_rng_next(&r) % 32769;
        acc = sp_imp_add(acc, x);
        want = want + x > max ? max : want + x;
        if (acc != want)
            ck_abort_msg("step %d: %llu, want %llu", i, (unsigned long long)acc, (unsigned long long)want);
    }
    ck_assert_uint_eq(acc, max);
}
END_TEST

/* the whole-step accumulation equals sp_imp_add per active token, at and
 * near saturation too */
START_TEST(imp_accumulate_equals_add)
{
    enum { N = 300 };
    uint64_t imp[N], want[N];
    int32_t tokens[N];
    uint16_t p[N];
    sp_rng r;
    sp_rng_seed(&r, 12);
    for (int t = 0; t < N; t++)
        imp[t] = want[t] = t % 3 == 0 ? SP_IMP_MAX - sp_rng_next(&r) % 40000 : sp_rng_next(&r) % 100000;
    for (int trial = 0; trial < 200; trial++) {
        int n = 0;
        for (int t = 0; t < N; t++)
            if (sp_rng_next(&r) % 2) {
                tokens[n] = t;
                p[n++] = (uint16_t)(sp_rng_next(&r) % 32769);
            }
        sp_imp_accumulate(imp, tokens, p, n);
        for (int i = 0; i < n; i++)
            want[tokens[i]] = sp_imp_add(want[tokens[i]], p[i]);
        for (int t = 0; t < N; t++)
            ck_assert_uint_eq(imp[t], want[t]);
    }
}
END_TEST

START_TEST(head_imp_of)
{
    int16_t out[SP_MAX_D];
    for (int j = 0; j < SP_MAX_D; j++)
        out[j] = -32768;
    ck_assert_uint_eq(sp_head_imp_of(out, SP_MAX_D), (uint64_t)SP_MAX_D * 32768);
    for (int j = 0; j < SP_MAX_D; j++)
        out[j] = 32767;
    ck_assert_uint_eq(sp_head_imp_of(out, SP_MAX_D), (uint64_t)SP_MAX_D * 32767);
    ck_assert_uint_eq(sp_head_imp_of(out, 0), 0);
    sp_rng r;
    sp_rng_seed(&r, 10);
    for (int t = 0; t < 10000; t++) {
        int d = 1 + (int)(sp_rng_next(&r) % SP_MAX_D);
        uint64_t want = 0;
        for (int j = 0; j < d; j++) {
            out[j] = (int16_t)(uint16_t)sp_rng_next(&r);
            want += (uint64_t)llabs((long long)out[j]);
        }
        ck_assert_uint_eq(sp_head_imp_of(out, d), want);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("importance");
    TCase *tc = tcase_create("importance");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, imp_add_saturates);
    tcase_add_test(tc, imp_accumulate_equals_add);
    tcase_add_test(tc, head_imp_of);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
