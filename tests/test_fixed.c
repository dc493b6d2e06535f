/* test_fixed.c - saturation and rounding helpers (docs/spec.md preamble):
 * edge values for every width, exhaustive over small ranges, against the
 * long-double formulas in ref.c. */
#include <check.h>
#include <stdint.h>
#include "ref.h"

START_TEST(sat_edges)
{
    for (int b = 1; b <= 63; b++) {
        int64_t hi = (int64_t)((UINT64_C(1) << (b - 1)) - 1), lo = -hi - 1;
        int64_t xs[] = {INT64_MIN, INT64_MIN + 1, lo - 1, lo, lo + 1, -1, 0, 1,
                        hi - 1, hi, hi + 1, INT64_MAX - 1, INT64_MAX};
        for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
            int64_t x = xs[i];
            ck_assert_msg(sp_sat(x, b) == ref_sat(x, b), "sat(%lld, %d) = %lld, want %lld",
                          (long long)x, b, (long long)sp_sat(x, b), (long long)ref_sat(x, b));
            ck_assert_int_eq(sp_fits_signed(x, b), x >= lo && x <= hi);
        }
    }
}
END_TEST

START_TEST(sat_exhaustive_small)
{
    /* every x in [-2^17, 2^17) for widths 1..16 */
    for (int b = 1; b <= 16; b++)
        for (int64_t x = -(1 << 17); x < (1 << 17); x++) {
            int64_t want = x < -(INT64_C(1) << (b - 1)) ? -(INT64_C(1) << (b - 1))
                         : x > (INT64_C(1) << (b - 1)) - 1 ? (INT64_C(1) << (b - 1)) - 1 : x;
            if (sp_sat(x, b) != want)
                ck_abort_msg("sat(%lld, %d) = %lld, want %lld", (long long)x, b,
                             (long long)sp_sat(x, b), (long long)want);
        }
}
END_TEST

START_TEST(usat_edges)
{
    for (int b = 1; b <= 64; b++) {
        uint64_t hi = b == 64 ? UINT64_MAX : (UINT64_C(1) << b) - 1;
        uint64_t xs[] = {0, 1, hi - 1, hi, hi + 1, UINT64_MAX - 1, UINT64_MAX};
        for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
            uint64_t x = xs[i];
            uint64_t want = x > hi ? hi : x;
            ck_assert_msg(sp_usat(x, b) == want, "usat(%llu, %d)", (unsigned long long)x, b);
        }
    }
    ck_assert_uint_eq(sp_usat(UINT64_C(1) << 48, 48), (UINT64_C(1) << 48) - 1);
}
END_TEST

START_TEST(shr_round_values)
{
    /* round half up, floor semantics for negatives (spec preamble) */
    ck_assert_int_eq(sp_shr_round(1, 1), 1);   /* 0.5 -> 1 */
    ck_assert_int_eq(sp_shr_round(-1, 1), 0);  /* -0.5 -> 0 */
    ck_assert_int_eq(sp_shr_round(3, 1), 2);   /* 1.5 -> 2 */
    ck_assert_int_eq(sp_shr_round(-3, 1), -1); /* -1.5 -> -1 */
    ck_assert_int_eq(sp_shr_round(-5, 2), -1); /* -1.25 -> -1 */
    ck_assert_int_eq(sp_shr_round(-6, 2), -1); /* -1.5 -> -1 */
    ck_assert_int_eq(sp_shr_round(-7, 2), -2); /* -1.75 -> -2 */
    ck_assert_int_eq(sp_shr_round(12345, 0), 12345);
    ck_assert_int_eq(sp_shr_round(-12345, 0), -12345);
}
END_TEST

START_TEST(shr_round_edges)
{
    /* the datapath's operands stay below 2^48 in magnitude; check every
     * shift with values up to +-2^62 */
    for (int s = 0; s <= 62; s++) {
        int64_t h = s > 0 ? INT64_C(1) << (s - 1) : 0;
        int64_t big = INT64_C(1) << 62;
        int64_t xs[] = {0, 1, -1, h - 1, h, h + 1, -h - 1, -h, -h + 1, 2 * h - 1, 2 * h,
                        -2 * h, 3 * h, -3 * h, big, -big, big - 1, -big + 1, big - h, -big + h,
                        (INT64_C(1) << 47) - 1, -(INT64_C(1) << 47)};
        for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
            int64_t x = xs[i];
            /* x + 2^(s-1) must not overflow int64: the model's domain is
             * |x| <= 2^62 (spec operands are below 2^48) */
            if (x > big || x < -big)
                continue;
            ck_assert_msg(sp_shr_round(x, s) == ref_rnd(x, s), "rnd(%lld, %d) = %lld, want %lld",
                          (long long)x, s, (long long)sp_shr_round(x, s), (long long)ref_rnd(x, s));
        }
    }
}
END_TEST

START_TEST(shr_round_exhaustive_small)
{
    /* every x in [-2^16, 2^16] for shifts 0..24 */
    for (int s = 0; s <= 24; s++)
        for (int64_t x = -(1 << 16); x <= (1 << 16); x++)
            if (sp_shr_round(x, s) != ref_rnd(x, s))
                ck_abort_msg("rnd(%lld, %d) = %lld, want %lld", (long long)x, s,
                             (long long)sp_shr_round(x, s), (long long)ref_rnd(x, s));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fixed");
    TCase *tc = tcase_create("fixed");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sat_edges);
    tcase_add_test(tc, sat_exhaustive_small);
    tcase_add_test(tc, usat_edges);
    tcase_add_test(tc, shr_round_values);
    tcase_add_test(tc, shr_round_edges);
    tcase_add_test(tc, shr_round_exhaustive_small);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
