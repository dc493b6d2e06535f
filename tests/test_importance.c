/* test_importance.c - token and head importance accumulators
 * (docs/spec.md s9): usat(acc + x, 48), sum_d |out[d]|, and the head
 * importance in real units (multiplier and shift from the value scale,
 * spec s4's rule) against the reference in tests/ref.c. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ref.h"
#include "traces.h"

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

/* spec s4's M, S rule (shared by the logit and the head importance) at its
 * edges: c in (65535, 65535.5) rounds to 65535 and takes S = 0; from
 * 65535.5 on no S exists; tiny c gives M = 1, S = 62 */
START_TEST(mult_shift_edges)
{
    sp_logit_scale sc;
    ck_assert_int_eq(sp_mult_shift_make(65535.0, &sc), 0);
    ck_assert_uint_eq(sc.mult, 65535);
    ck_assert_int_eq(sc.shift, 0);
    ck_assert_int_eq(sp_mult_shift_make(65535.25, &sc), 0);
    ck_assert_uint_eq(sc.mult, 65535);
    ck_assert_int_eq(sc.shift, 0);
    ck_assert_int_eq(sp_mult_shift_make(nextafter(65535.5, 0.0), &sc), 0);
    ck_assert_uint_eq(sc.mult, 65535);
    ck_assert_int_eq(sc.shift, 0);
    ck_assert_int_eq(sp_mult_shift_make(65535.5, &sc), -1);
    ck_assert_int_eq(sp_mult_shift_make(1e9, &sc), -1);
    ck_assert_int_eq(sp_mult_shift_make(0.0, &sc), -1);
    ck_assert_int_eq(sp_mult_shift_make(-1.0, &sc), -1);
    ck_assert_int_eq(sp_mult_shift_make(NAN, &sc), -1);
    ck_assert_int_eq(sp_mult_shift_make(INFINITY, &sc), -1);
    ck_assert_int_eq(sp_mult_shift_make(1e-30, &sc), 0);
    ck_assert_uint_eq(sc.mult, 1);
    ck_assert_int_eq(sc.shift, 62);
    /* 32767.5 rounds up to 32768, so S = 1 gives 65535 and stays */
    ck_assert_int_eq(sp_mult_shift_make(32767.5, &sc), 0);
    ck_assert_uint_eq(sc.mult, 65535);
    ck_assert_int_eq(sc.shift, 1);
    ck_assert_int_eq(sp_himp_scale_make(1.0 / 256, &sc), 0); /* c = 1 */
    ck_assert_uint_eq(sc.mult, 32768);
    ck_assert_int_eq(sc.shift, 15);
    ck_assert_int_eq(sp_himp_scale_make(0.0, &sc), -1);
    ck_assert_int_eq(sp_himp_scale_make(65535.5 / 256, &sc), -1);
}
END_TEST

/* randomized v scales over 2^-40 .. 2^9: M, S equal the reference's
 * downward search, or both reject */
START_TEST(himp_scale_vs_ref)
{
    sp_rng r;
    sp_rng_seed(&r, 13);
    for (int t = 0; t < 200000; t++) {
        double sv = ldexp(0.5 + sp_rng_uniform(&r), 9 - (int)(sp_rng_next(&r) % 50));
        sp_logit_scale sc;
        uint32_t m = 0;
        int sh = 0;
        int rc = sp_himp_scale_make(sv, &sc), rr = ref_mult_shift(sv * 256.0, &m, &sh);
        ck_assert_int_eq(rc, rr);
        if (rc == 0) {
            ck_assert_uint_eq(sc.mult, m);
            ck_assert_int_eq(sc.shift, sh);
        }
    }
}
END_TEST

/* per head-step addition in real units: random outputs and scales, and
 * the extremes (every |out| = 32768 at D = 256 with M = 65535, every S) */
START_TEST(head_imp_scaled_vs_ref)
{
    int16_t out[SP_MAX_D];
    sp_rng r;
    sp_rng_seed(&r, 14);
    for (int t = 0; t < 100000; t++) {
        int d = 1 + (int)(sp_rng_next(&r) % SP_MAX_D);
        int amp = 1 + (int)(sp_rng_next(&r) % 16);
        for (int j = 0; j < d; j++)
            out[j] = (int16_t)((int32_t)(sp_rng_next(&r) % (2u << (amp - 1))) - (1 << (amp - 1)));
        double sv = ldexp(0.5 + sp_rng_uniform(&r), 7 - (int)(sp_rng_next(&r) % 40));
        sp_logit_scale sc;
        ck_assert_int_eq(sp_himp_scale_make(sv, &sc), 0);
        int64_t want = ref_head_imp(out, d, sv);
        uint64_t got = sp_head_imp_scale(sp_head_imp_of(out, d), sc);
        if ((int64_t)got != want)
            ck_abort_msg("d %d sv %g: %llu, reference %lld", d, sv, (unsigned long long)got, (long long)want);
    }
    for (int j = 0; j < SP_MAX_D; j++)
        out[j] = -32768;
    uint64_t sum = sp_head_imp_of(out, SP_MAX_D);
    ck_assert_uint_eq(sum, UINT64_C(1) << 23);
    for (int s = 0; s <= 62; s++) {
        sp_logit_scale sc = {65535, s};
        uint64_t want = (uint64_t)ref_rnd((int64_t)sum * 65535, s);
        ck_assert_uint_eq(sp_head_imp_scale(sum, sc), want);
        sc.mult = 1;
        ck_assert_uint_eq(sp_head_imp_scale(sum, sc), (uint64_t)ref_rnd((int64_t)sum, s));
    }
    /* halves round up: 3 * 1 >> 1 = 1.5 -> 2; 1 >> 1 = 0.5 -> 1 */
    ck_assert_uint_eq(sp_head_imp_scale(3, (sp_logit_scale){1, 1}), 2);
    ck_assert_uint_eq(sp_head_imp_scale(1, (sp_logit_scale){1, 1}), 1);
    ck_assert_uint_eq(sp_head_imp_scale(1, (sp_logit_scale){1, 2}), 0);
}
END_TEST

static void note_head_prune(void *ctx, int it, int layer, const int32_t *kept, int n)
{
    (void)it;
    if (layer == 0 && n == 1)
        *(int *)ctx = kept[0];
}

/* The kept head after layer 0 of a 2-layer, 2-head encoder whose head 1
 * is a copy of head 0 (same integers) with v scale sv1 (head 0: sv0);
 * head_keep 0.5 from layer 0. -2 when the run fails (err filled). */
static int kept_head(double sv0, double sv1, char *err, size_t errlen)
{
    sp_config cfg;
    sp_config_default(&cfg);
    cfg.alg.head_keep = 0.5;
    cfg.alg.head_keep_q16 = 32768;
    cfg.alg.head_start_layer = 0;
    sp_trace tr;
    ck_assert_int_eq(sp_trace_open("synth:mode=encoder,layers=2,heads=2,d=16,len=24,seed=5", &cfg.alg, &tr, err,
                                   errlen), 0);
    for (int l = 0; l < tr.layers; l++) {
        memcpy(sp_trace_q(&tr, 0, l, 1), sp_trace_q(&tr, 0, l, 0), (size_t)tr.rows * tr.d * sizeof(int16_t));
        memcpy(sp_trace_k(&tr, l, 1), sp_trace_k(&tr, l, 0), (size_t)tr.ntok * tr.d * sizeof(int16_t));
        memcpy(sp_trace_v(&tr, l, 1), sp_trace_v(&tr, l, 0), (size_t)tr.ntok * tr.d * sizeof(int16_t));
        tr.sq[l * 2 + 1] = tr.sq[l * 2];
        tr.sk[l * 2 + 1] = tr.sk[l * 2];
        tr.sv[l * 2] = (float)sv0;
        tr.sv[l * 2 + 1] = (float)sv1;
    }
    sp_trace_note_ranges(&tr);
    int kept = -1;
    sp_observer obs = {&kept, NULL, NULL, note_head_prune};
    sp_run_result res;
    int rc = sp_run_model(&cfg, &tr, &obs, &res, err, errlen);
    if (rc == 0)
        sp_run_result_free(&res);
    sp_trace_free(&tr);
    return rc ? -2 : kept;
}

/* Heads are compared in real units: of two heads with the same integer
 * outputs, the one with the larger v scale is the more important (with
 * integer units they would tie and the lower index would win); equal
 * scales tie and keep head 0. A v scale with no multiplier (>= 65535.5 /
 * 256) stops the run with a message naming layer and head. */
START_TEST(head_imp_real_units)
{
    char err[256] = "";
    ck_assert_int_eq(kept_head(0.002, 0.004, err, sizeof err), 1);
    ck_assert_int_eq(kept_head(0.004, 0.002, err, sizeof err), 0);
    ck_assert_int_eq(kept_head(0.003, 0.003, err, sizeof err), 0);
    ck_assert_int_eq(kept_head(0.002, 0.00201, err, sizeof err), 1);
    ck_assert_int_eq(kept_head(0.002, 255.9, err, sizeof err), 1);
    ck_assert_int_eq(kept_head(0.002, 256.5, err, sizeof err), -2);
    ck_assert_msg(strstr(err, "layer 0 head 1: v scale 256.5 gives no 16-bit head importance multiplier"), "%s",
                  err);
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
    tcase_add_test(tc, mult_shift_edges);
    tcase_add_test(tc, himp_scale_vs_ref);
    tcase_add_test(tc, head_imp_scaled_vs_ref);
    tcase_add_test(tc, head_imp_real_units);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
