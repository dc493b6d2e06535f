/* test_requant.c - progressive quantization decision (docs/spec.md s6):
 * requant = (Kl > 0) and (tau > 0) and (pmax < tau), tau in Q1.15. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include "ref.h"

START_TEST(decide_all_pmax)
{
    /* every pmax 0..32768 against a spread of thresholds and LSB widths */
    uint32_t taus[] = {0, 1, 2, 1638, 3277, 16384, 32767, 32768};
    for (int l = 0; l <= 8; l++)
        for (size_t i = 0; i < sizeof taus / sizeof taus[0]; i++)
            for (uint32_t p = 0; p <= 32768; p++) {
                int want = l > 0 && taus[i] > 0 && p < taus[i];
                if (sp_requant_decide((uint16_t)p, taus[i], l) != want)
                    ck_abort_msg("decide(pmax %u, tau %u, lsb %d) != %d", p, taus[i], l, want);
            }
}
END_TEST

START_TEST(decide_all_tau)
{
    /* every tau 0..32768 against a spread of pmax values */
    uint16_t ps[] = {0, 1, 3276, 3277, 3278, 16384, 32767, 32768};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        for (uint32_t tau = 0; tau <= 32768; tau++) {
            int want = tau > 0 && ps[i] < tau;
            ck_assert_int_eq(sp_requant_decide(ps[i], tau, 4), want);
        }
}
END_TEST

START_TEST(tau_from_config)
{
    /* tau = round(tau_real * 2^15): the paper's 0.1 and the release's 0.05 */
    sp_config c;
    sp_config_default(&c);
    ck_assert_uint_eq(c.alg.tau_q15, (uint32_t)floor(0.1 * 32768 + 0.5));
    ck_assert_uint_eq(c.alg.tau_q15, 3277);
    /* pmax exactly 1.0 never requants, even at tau = 1.0 */
    ck_assert_int_eq(sp_requant_decide(32768, 32768, 4), 0);
    ck_assert_int_eq(sp_requant_decide(32767, 32768, 4), 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("requant");
    TCase *tc = tcase_create("requant");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, decide_all_pmax);
    tcase_add_test(tc, decide_all_tau);
    tcase_add_test(tc, tau_from_config);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
