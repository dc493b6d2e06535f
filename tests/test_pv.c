/* test_pv.c - probability x value accumulation and output rounding
 * (docs/spec.md s8): out[d] = sat(rnd(sum p_t v_t[d], 15), 16), checked
 * against a 64-bit reference on random and extreme inputs. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include "ref.h"

static void ref_pv(const uint16_t *p, const int16_t *const *v, int n, int d, int16_t *out)
{
    for (int j = 0; j < d; j++) {
        int64_t acc = 0;
        for (int t = 0; t < n; t++)
            acc += (int64_t)p[t] * v[t][j];
        /* the spec's bound keeps acc within 32 bits */
        ck_assert(acc >= INT32_MIN && acc <= INT32_MAX);
        out[j] = (int16_t)ref_sat(ref_rnd(acc, 15), 16);
    }
}

static void check(const uint16_t *p, const int16_t *const *v, int n, int d, const char *what)
{
    int16_t out[SP_MAX_D], want[SP_MAX_D];
    sp_pv(p, v, n, d, out);
    ref_pv(p, v, n, d, want);
    for (int j = 0; j < d; j++)
        if (out[j] != want[j])
            ck_abort_msg("%s n=%d d=%d: out[%d] = %d, want %d", what, n, d, j, out[j], want[j]);
}

START_TEST(random_rows)
{
    sp_rng r;
    sp_rng_seed(&r, 5);
    int cap = 2048;
    uint16_t *p = malloc(sizeof *p * (size_t)cap);
    int16_t *vv = malloc(sizeof *vv * (size_t)cap * SP_MAX_D);
    const int16_t **rows = malloc(sizeof *rows * (size_t)cap);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(vv);
    ck_assert_ptr_nonnull(rows);
    int trials = ref_sanitize() ? 100 : 600;
    for (int t = 0; t < trials; t++) {
        int n = (int)(sp_rng_next(&r) % (uint64_t)cap), d = 1 + (int)(sp_rng_next(&r) % SP_MAX_D);
        int bv = 2 + (int)(sp_rng_next(&r) % 15);
        /* probabilities summing to at most 2^15 + n/2, as after softmax */
        uint64_t budget = 32768 + (uint64_t)n / 2;
        for (int i = 0; i < n; i++) {
            uint64_t x = budget ? sp_rng_next(&r) % (budget / (uint64_t)(n - i) * 2 + 1) : 0;
            if (x > 32768)
                x = 32768;
            if (x > budget)
                x = budget;
            p[i] = (uint16_t)x;
            budget -= x;
            rows[i] = vv + (size_t)i * SP_MAX_D;
            for (int j = 0; j < d; j++)
                vv[(size_t)i * SP_MAX_D + j] =
                    (int16_t)((int32_t)(sp_rng_next(&r) % (2u << (bv - 1))) - (1 << (bv - 1)));
        }
        check(p, rows, n, d, "random");
        /* the MSB view formed on the fly equals sp_pv on approx rows */
        if (n > 0 && t % 4 == 0) {
            int lsb = (int)(sp_rng_next(&r) % 9);
            int16_t *va = malloc(sizeof *va * (size_t)n * (size_t)d);
            const int16_t **ra = malloc(sizeof *ra * (size_t)n);
            int16_t o1[SP_MAX_D], o2[SP_MAX_D];
            ck_assert_ptr_nonnull(va);
            ck_assert_ptr_nonnull(ra);
            for (int i = 0; i < n; i++) {
                sp_quant_row_msb(rows[i], va + (size_t)i * d, d, lsb);
                ra[i] = va + (size_t)i * d;
            }
            sp_pv_msb(p, rows, n, d, lsb, o1);
            sp_pv(p, ra, n, d, o2);
            for (int j = 0; j < d; j++)
                ck_assert_int_eq(o1[j], o2[j]);
            free(va);
            free(ra);
        }
    }
    free(p);
    free(vv);
    free(rows);
}
END_TEST

START_TEST(extremes)
{
    /* the spec's worst case: sum p = 2^15 + N/2 over N = 16384 tokens with
     * every v at -2^15 or 2^15 - 1: saturates, no accumulator overflow */
    int n = SP_MAX_TOKENS, d = 4;
    uint16_t *p = malloc(sizeof *p * (size_t)n);
    const int16_t **rows = malloc(sizeof *rows * (size_t)n);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(rows);
    static const int16_t vneg[4] = {-32768, -32768, -32768, -32768}, vpos[4] = {32767, 32767, 32767, 32767};
    for (int i = 0; i < n; i++) {
        p[i] = (uint16_t)(i % 2 ? 3 : 2); /* sum 2.5 * 16384 = 40960 */
        rows[i] = vneg;
    }
    int16_t out[4];
    sp_pv(p, rows, n, d, out);
    ck_assert_int_eq(out[0], -32768);
    check(p, rows, n, d, "neg");
    for (int i = 0; i < n; i++)
        rows[i] = vpos;
    sp_pv(p, rows, n, d, out);
    ck_assert_int_eq(out[3], 32767);
    check(p, rows, n, d, "pos");
    /* p = 1.0 on one token gives that row back exactly */
    static const int16_t v1[4] = {-32768, -1, 0, 32767};
    uint16_t one = 32768;
    const int16_t *r1 = v1;
    sp_pv(&one, &r1, 1, 4, out);
    for (int j = 0; j < 4; j++)
        ck_assert_int_eq(out[j], v1[j]);
    /* half of an odd value rounds half up: 0.5 * -3 = -1.5 -> -1, 0.5 * 3 -> 2 */
    static const int16_t v3[2] = {-3, 3};
    uint16_t half = 16384;
    const int16_t *r3 = v3;
    sp_pv(&half, &r3, 1, 2, out);
    ck_assert_int_eq(out[0], -1);
    ck_assert_int_eq(out[1], 2);
    /* no kept tokens: zeros */
    sp_pv(p, rows, 0, 4, out);
    for (int j = 0; j < 4; j++)
        ck_assert_int_eq(out[j], 0);
    free(p);
    free(rows);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pv");
    TCase *tc = tcase_create("pv");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, random_rows);
    tcase_add_test(tc, extremes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
