/* test_softmax.c - exp LUT, exp2_neg, reciprocal, normalisation and the
 * whole fixed-point softmax (docs/spec.md s5). The LUT, exp2_neg and the
 * reciprocal are checked over their whole input ranges; the normalisation
 * over every e for several reciprocals. The exhaustive loops run in full
 * in the sanitizer run too (under 3 s there); only the random softmax
 * trials are fewer with SP_SANITIZE=1. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ref.h"

START_TEST(lut_all_entries)
{
    for (int i = 0; i < 256; i++) {
        uint32_t want = ref_exp_lut(i);
        ck_assert_msg(sp_exp_lut((unsigned)i) == want, "LUT[%d] = %u, want %u", i, sp_exp_lut((unsigned)i), want);
        /* no entry sits near a rounding tie, so the rounding is unambiguous */
        long double x = 32768.0L * powl(2.0L, -(long double)i / 256.0L);
        ck_assert_msg(fabsl(x - floorl(x) - 0.5L) > 1e-6L, "LUT[%d] near a tie", i);
        if (i > 0)
            ck_assert(sp_exp_lut((unsigned)i) < sp_exp_lut((unsigned)i - 1));
    }
    ck_assert_uint_eq(sp_exp_lut(0), 32768);
    ck_assert_uint_eq(sp_exp_lut(255), 16428);
}
END_TEST

START_TEST(exp2_neg_all)
{
    uint32_t lut[256];
    for (int i = 0; i < 256; i++)
        lut[i] = ref_exp_lut(i);
    uint32_t prev = 32768;
    for (uint32_t d = 0; d < (1u << 24); d++) {
        /* e = floor(LUT[f] / 2^n), 0 once n >= 16 */
        uint32_t n = d / 256, f = d % 256;
        uint32_t want = n < 16 ? (uint32_t)floor(ldexp((double)lut[f], -(int)n)) : 0;
        uint32_t e = sp_exp2_neg(d);
        if (e != want)
            ck_abort_msg("exp2_neg(%u) = %u, want %u", d, e, want);
        /* monotone non-increasing and within 1 of 2^15 * 2^(-d/256) */
        if (e > prev)
            ck_abort_msg("exp2_neg not monotone at %u", d);
        prev = e;
        double exact = 32768.0 * exp2(-(double)d / 256.0);
        if (fabs((double)e - exact) > 1.0)
            ck_abort_msg("exp2_neg(%u) = %u, exact %g", d, e, exact);
    }
    ck_assert_uint_eq(sp_exp2_neg(0), 32768);
    ck_assert_uint_eq(sp_exp2_neg(15 * 256 + 255), 16428 >> 15);
    ck_assert_uint_eq(sp_exp2_neg(16 * 256), 0);
    ck_assert_uint_eq(sp_exp2_neg((1u << 24) - 1), 0);
    ck_assert_uint_eq(sp_exp2_neg(UINT32_MAX), 0);
}
END_TEST

START_TEST(recip_all)
{
    /* every sum 32768 .. 2^24, then a stride up to the spec's 2^29 bound */
    for (uint64_t s = 32768; s <= (UINT64_C(1) << 24); s++) {
        uint32_t r = sp_softmax_recip((uint32_t)s);
        /* floor(2^46 / s): r * s <= 2^46 < (r + 1) * s */
        if ((uint64_t)r * s > (UINT64_C(1) << 46) || ((uint64_t)r + 1) * s <= (UINT64_C(1) << 46))
            ck_abort_msg("recip(%llu) = %u", (unsigned long long)s, r);
        if (r != (uint32_t)floorl(ldexpl(1.0L, 46) / (long double)s))
            ck_abort_msg("recip(%llu) = %u differs from long double", (unsigned long long)s, r);
    }
    /* s <= 32768 * N <= 2^29 (N <= 16384, all logits equal), so R >= 2^17;
     * spec s5 writes the bounds as s < 2^29 and R > 2^17, one off at the
     * top end (reported to the lead), which still fits 32 bits */
    for (uint64_t s = (UINT64_C(1) << 24); s <= (UINT64_C(1) << 29); s += 4099) {
        uint32_t r = sp_softmax_recip((uint32_t)s);
        if ((uint64_t)r * s > (UINT64_C(1) << 46) || ((uint64_t)r + 1) * s <= (UINT64_C(1) << 46))
            ck_abort_msg("recip(%llu) = %u", (unsigned long long)s, r);
        if (r < (1u << 17))
            ck_abort_msg("recip(%llu) = %u below 2^17", (unsigned long long)s, r);
    }
    ck_assert_uint_eq(sp_softmax_recip(32768), 1u << 31);
    ck_assert_uint_eq(sp_softmax_recip(1u << 29), 1u << 17);
    ck_assert_uint_eq(sp_softmax_recip((1u << 29) - 1), (uint32_t)((UINT64_C(1) << 46) / ((1u << 29) - 1)));
}
END_TEST

START_TEST(norm_slices)
{
    /* every e in 0..32768 for reciprocals of sums at both ends of the range
     * and in between, including R = 2^31 (s = 32768) */
    uint32_t rs[] = {1u << 31, (1u << 31) - 1, 0x7fff0001u, (uint32_t)((UINT64_C(1) << 46) / 32769),
                     (uint32_t)((UINT64_C(1) << 46) / 50000), (uint32_t)((UINT64_C(1) << 46) / 65536),
                     (uint32_t)((UINT64_C(1) << 46) / 1000003), (uint32_t)((UINT64_C(1) << 46) / ((1u << 29) - 1)),
                     (1u << 17) + 1, 123456789u};
    for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++) {
        uint32_t r = rs[i];
        for (uint32_t e = 0; e <= 32768; e++) {
            long double x = (long double)e * (long double)r / ldexpl(1.0L, 31);
            long double w = floorl(x + 0.5L);
            uint32_t want = w > 32768.0L ? 32768u : (uint32_t)w;
            if (sp_softmax_norm(e, r) != want)
                ck_abort_msg("norm(%u, %u) = %u, want %u", e, r, sp_softmax_norm(e, r), want);
        }
    }
    /* the max token alone: p = 1.0 exactly */
    ck_assert_uint_eq(sp_softmax_norm(32768, 1u << 31), 32768);
}
END_TEST

/* y in 24-bit signed, with the given spread below a random max */
static void random_logits(sp_rng *rng, int32_t *y, int n, int spread)
{
    int32_t top = (int32_t)(sp_rng_next(rng) % (1u << 23)) - (1 << 22);
    for (int t = 0; t < n; t++) {
        uint32_t u = (uint32_t)(sp_rng_next(rng) % (uint32_t)(spread + 1));
        y[t] = top - (int32_t)u;
        if (y[t] < -(1 << 23))
            y[t] = -(1 << 23);
    }
}

START_TEST(softmax_random)
{
    sp_rng rng;
    sp_rng_seed(&rng, 42);
    int cap = 16384;
    int32_t *y = malloc(sizeof *y * (size_t)cap);
    uint16_t *p = malloc(sizeof *p * (size_t)cap);
    ck_assert_ptr_nonnull(y);
    ck_assert_ptr_nonnull(p);
    int spreads[] = {0, 3, 255, 1024, 4096, 16 * 256, 1 << 20, (1 << 24) - 1};
    int trials = ref_sanitize() ? 60 : 400;
    for (int tr = 0; tr < trials; tr++) {
        int n = tr < 8 ? 1 + tr : 1 + (int)(sp_rng_next(&rng) % (tr % 10 == 0 ? 16384u : 300u));
        int spread = spreads[tr % 8];
        random_logits(&rng, y, n, spread);
        if (spread == (1 << 24) - 1) { /* full 24-bit range: max and min both present */
            y[0] = (1 << 23) - 1;
            y[n - 1] = -(1 << 23);
        }
        sp_softmax_info info;
        sp_events ev;
        memset(&ev, 0, sizeof ev);
        sp_softmax(y, n, p, &info, &ev);
        /* composition of the unit functions, written out */
        int32_t m = y[0];
        int first_max = 0;
        for (int t = 1; t < n; t++)
            if (y[t] > m) {
                m = y[t];
                first_max = t;
            }
        uint64_t s = 0;
        for (int t = 0; t < n; t++)
            s += sp_exp2_neg((uint32_t)(m - y[t]));
        ck_assert_int_eq(info.max, m);
        ck_assert_uint_eq(info.sum, s);
        ck_assert_uint_eq(info.recip, (uint32_t)((UINT64_C(1) << 46) / s));
        ck_assert_uint_eq(info.pmax, p[first_max]);
        ck_assert(s >= 32768 && s <= 32768ull * (uint64_t)n);
        long psum = 0;
        double S = 0;
        for (int t = 0; t < n; t++)
            S += exp2(-(double)(m - y[t]) / 256.0);
        for (int t = 0; t < n; t++) {
            uint32_t e = sp_exp2_neg((uint32_t)(m - y[t]));
            ck_assert_uint_eq(p[t], sp_softmax_norm(e, info.recip));
            ck_assert_uint_le(p[t], info.pmax);
            psum += p[t];
            /* provable bound (see tests/README.md): |e - E| <= 1 and
             * |s - S| <= n give |p - 2^15 p_true| <= 1.51 + n p_true */
            double pt = exp2(-(double)(m - y[t]) / 256.0) / S;
            double bound = 1.51 + n * pt;
            if (fabs((double)p[t] - 32768.0 * pt) > bound)
                ck_abort_msg("n=%d spread=%d t=%d: p=%u, exact %g, bound %g", n, spread, t, p[t],
                             32768.0 * pt, bound);
        }
        /* each p is rounded once from a sum <= 2^15 */
        ck_assert_msg(psum <= 32768 + n / 2 + 1 && psum >= 32768 - n - 1, "sum p = %ld, n = %d", psum, n);
        ck_assert_uint_eq(ev.exp_ops, (uint64_t)n);
        ck_assert_uint_eq(ev.mul_norm, (uint64_t)n);
        ck_assert_uint_eq(ev.div_ops, 1);
        ck_assert_uint_eq(ev.softmax_runs, 1);
    }
    free(y);
    free(p);
}
END_TEST

START_TEST(softmax_small_cases)
{
    int32_t y1[1] = {-5};
    uint16_t p[4];
    sp_softmax_info info;
    sp_softmax(y1, 1, p, &info, NULL);
    ck_assert_uint_eq(p[0], 32768);
    ck_assert_uint_eq(info.pmax, 32768);
    /* two equal logits: 1/2 each */
    int32_t y2[2] = {100, 100};
    sp_softmax(y2, 2, p, &info, NULL);
    ck_assert_uint_eq(p[0], 16384);
    ck_assert_uint_eq(p[1], 16384);
    /* one unit of 2^-8 below: e = LUT[1] */
    int32_t y3[2] = {7, 6};
    sp_softmax(y3, 2, p, &info, NULL);
    ck_assert_uint_eq(info.sum, 32768 + sp_exp_lut(1));
    /* 16 full units below: e = 0, the max keeps everything */
    int32_t y4[3] = {0, -16 * 256, 0};
    sp_softmax(y4, 3, p, &info, NULL);
    ck_assert_uint_eq(p[1], 0);
    ck_assert_uint_eq(p[0], 16384);
    ck_assert_uint_eq(info.pmax, 16384);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("softmax");
    TCase *tc = tcase_create("softmax");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, lut_all_entries);
    tcase_add_test(tc, exp2_neg_all);
    tcase_add_test(tc, recip_all);
    tcase_add_test(tc, norm_slices);
    tcase_add_test(tc, softmax_random);
    tcase_add_test(tc, softmax_small_cases);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
