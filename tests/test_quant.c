/* test_quant.c - MSB/LSB bit planes (docs/spec.md s3), exhaustive: every
 * 16-bit signed input and every LSB width 0..8. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "ref.h"

START_TEST(split_merge_exhaustive)
{
    for (int l = 0; l <= 8; l++) {
        for (int32_t x = -32768; x <= 32767; x++) {
            int32_t m = sp_quant_msb(x, l);
            uint32_t b = sp_quant_lsb(x, l);
            /* msb = floor(x / 2^l), computed in floating point */
            int32_t want_m = (int32_t)floor((double)x / (double)(1 << l));
            if (m != want_m)
                ck_abort_msg("msb(%d, %d) = %d, want %d", x, l, m, want_m);
            if (b != (uint32_t)(x - want_m * (1 << l)) || b >= (1u << l))
                ck_abort_msg("lsb(%d, %d) = %u", x, l, b);
            /* msb fits 16 - l bits signed */
            if (m < -(1 << (15 - l)) || m >= (1 << (15 - l)))
                ck_abort_msg("msb(%d, %d) = %d does not fit %d bits", x, l, m, 16 - l);
            if (sp_quant_merge(m, b, l) != x)
                ck_abort_msg("merge(msb, lsb) of %d at l=%d gives %d", x, l, sp_quant_merge(m, b, l));
        }
    }
}
END_TEST

START_TEST(approx_exhaustive)
{
    for (int l = 0; l <= 8; l++) {
        double err_sum = 0;
        for (int32_t x = -32768; x <= 32767; x++) {
            int32_t m = sp_quant_msb(x, l), a = sp_quant_approx(m, l);
            int32_t want = l == 0 ? m : m * (1 << l) + (1 << l) / 2;
            if (a != want)
                ck_abort_msg("approx(%d, %d) = %d, want %d", m, l, a, want);
            /* within half an LSB-plane step of x, inside the interval the
             * LSBs could fill */
            if (abs(a - x) > (l ? 1 << (l - 1) : 0) || a < m * (1 << l) || a > m * (1 << l) + (1 << l) - 1)
                ck_abort_msg("approx(msb(%d)) = %d out of its interval at l=%d", x, a, l);
            err_sum += a - x;
        }
        /* midpoint rule: mean error over every x is exactly +1/2 for l > 0
         * (the interval has an even number of points) and 0 for l = 0 */
        double mean = err_sum / 65536.0;
        ck_assert_msg(fabs(mean - (l ? 0.5 : 0.0)) < 1e-12, "l=%d mean error %g", l, mean);
    }
}
END_TEST

START_TEST(approx_stays_in_width)
{
    /* a B-bit value at MSB width is still a B-bit value, for every split */
    for (int B = 2; B <= 16; B++)
        for (int l = 0; l <= 8 && l < B; l++) {
            int32_t lo = -(1 << (B - 1)), hi = (1 << (B - 1)) - 1;
            for (int32_t x = lo; x <= hi; x++) {
                int32_t a = sp_quant_approx(sp_quant_msb(x, l), l);
                if (a < lo || a > hi)
                    ck_abort_msg("B=%d l=%d: approx of %d is %d", B, l, x, a);
            }
        }
}
END_TEST

START_TEST(row_msb_exhaustive)
{
    static int16_t x[65536], out[65536];
    for (int i = 0; i < 65536; i++)
        x[i] = (int16_t)(i - 32768);
    for (int l = 0; l <= 8; l++) {
        sp_quant_row_msb(x, out, 65536, l);
        for (int i = 0; i < 65536; i++) {
            int32_t want = sp_quant_approx(sp_quant_msb(x[i], l), l);
            if (out[i] != want)
                ck_abort_msg("row_msb(%d, l=%d) = %d, want approx(msb) = %d", x[i], l, out[i], want);
        }
    }
    /* n = 0 touches nothing */
    out[0] = 123;
    sp_quant_row_msb(x, out, 0, 4);
    ck_assert_int_eq(out[0], 123);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("quant");
    TCase *tc = tcase_create("quant");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, split_merge_exhaustive);
    tcase_add_test(tc, approx_exhaustive);
    tcase_add_test(tc, approx_stays_in_width);
    tcase_add_test(tc, row_msb_exhaustive);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
