/* test_qk.c - dot product, fixed-point logit and the logit scale
 * (docs/spec.md s4). sp_qk_logit is checked exhaustively over the 2^24
 * accumulators [-2^23, 2^23) for several (M, S) pairs (also in the
 * sanitizer run: about 3 s there), and on random accumulators over the
 * whole 32-bit range (fewer under SP_SANITIZE=1). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ref.h"

static int32_t ref_logit(int32_t acc, uint32_t m, int s)
{
    return (int32_t)ref_sat(ref_rnd((int64_t)acc * (int64_t)m, s), 24);
}

START_TEST(logit_slice_exhaustive)
{
    /* (M, S): identity; heavy saturation; the synth default scale
     * (q, k 12-bit, D 64, peak 1); a shift large enough that most of the
     * slice rounds to 0 or +-1 */
    sp_logit_scale def;
    double rq = 4.0 / 2047.0;
    ck_assert_int_eq(sp_logit_scale_make(rq, rq, 64, &def), 0);
    struct { uint32_t m; int s; } ms[] = {{1, 0}, {65535, 0}, {def.mult, def.shift}, {40000, 40}, {3, 1}};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
        for (int64_t a = -(1 << 23); a < (1 << 23); a++) {
            int32_t y = sp_qk_logit((int32_t)a, ms[i].m, ms[i].s), w = ref_logit((int32_t)a, ms[i].m, ms[i].s);
            if (y != w)
                ck_abort_msg("logit(%lld, M=%u, S=%d) = %d, want %d", (long long)a, ms[i].m, ms[i].s, y, w);
        }
}
END_TEST

START_TEST(logit_random_full_range)
{
    sp_rng r;
    sp_rng_seed(&r, 7);
    int n = ref_sanitize() ? 200000 : 2000000;
    for (int i = 0; i < n; i++) {
        int32_t a = (int32_t)(uint32_t)sp_rng_next(&r);
        if (i % 4 == 0) /* small accumulators too */
            a >>= (int)(sp_rng_next(&r) % 31);
        uint32_t m = 1 + (uint32_t)(sp_rng_next(&r) % 65535);
        int s = (int)(sp_rng_next(&r) % 63);
        int32_t y = sp_qk_logit(a, m, s), w = ref_logit(a, m, s);
        if (y != w)
            ck_abort_msg("logit(%d, M=%u, S=%d) = %d, want %d", a, m, s, y, w);
    }
    /* extremes */
    ck_assert_int_eq(sp_qk_logit(INT32_MIN, 65535, 0), -(1 << 23));
    ck_assert_int_eq(sp_qk_logit(INT32_MAX, 65535, 0), (1 << 23) - 1);
    ck_assert_int_eq(sp_qk_logit(INT32_MIN, 65535, 62), 0);
    ck_assert_int_eq(sp_qk_logit(-1, 1, 1), 0);  /* -0.5 rounds up */
    ck_assert_int_eq(sp_qk_logit(-3, 1, 1), -1); /* -1.5 rounds up */
}
END_TEST

START_TEST(dot_random)
{
    sp_rng r;
    sp_rng_seed(&r, 11);
    int16_t q[SP_MAX_D], k[SP_MAX_D];
    /* formats the loader accepts: 2^(Bq-1) * 2^(Bk-1) * D < 2^31 */
    for (int trial = 0; trial < 20000; trial++) {
        int d = 1 + (int)(sp_rng_next(&r) % SP_MAX_D);
        int bq = 2 + (int)(sp_rng_next(&r) % 15), bk = 2 + (int)(sp_rng_next(&r) % 15);
        while ((double)(1 << (bq - 1)) * (double)(1 << (bk - 1)) * d >= 2147483648.0)
            bk--;
        int ext = trial % 3 == 0; /* all at the most negative value */
        int64_t want = 0;
        for (int j = 0; j < d; j++) {
            int32_t lq = 1 << (bq - 1), lk = 1 << (bk - 1);
            q[j] = (int16_t)(ext ? -lq : (int32_t)(sp_rng_next(&r) % (2u * (uint32_t)lq)) - lq);
            k[j] = (int16_t)(ext ? -lk : (int32_t)(sp_rng_next(&r) % (2u * (uint32_t)lk)) - lk);
            want += (int64_t)q[j] * k[j];
        }
        ck_assert_msg(sp_qk_dot(q, k, d) == want, "dot d=%d bq=%d bk=%d", d, bq, bk);
    }
    ck_assert_int_eq(sp_qk_dot(q, k, 0), 0);
}
END_TEST

/* the MSB view formed on the fly equals the dot product with the quant
 * unit's approx rows (spec s3) for every LSB width */
START_TEST(dot_msb_equals_quant_rows)
{
    sp_rng r;
    sp_rng_seed(&r, 41);
    int16_t q[SP_MAX_D], k[SP_MAX_D], ka[SP_MAX_D];
    for (int trial = 0; trial < 20000; trial++) {
        int d = 1 + (int)(sp_rng_next(&r) % SP_MAX_D), lsb = (int)(sp_rng_next(&r) % 9);
        for (int j = 0; j < d; j++) {
            q[j] = (int16_t)((int)(sp_rng_next(&r) % 4095) - 2047);
            k[j] = (int16_t)((int)(sp_rng_next(&r) % 4096) - 2048);
        }
        sp_quant_row_msb(k, ka, d, lsb);
        ck_assert_int_eq(sp_qk_dot_msb(q, k, d, lsb), sp_qk_dot(q, ka, d));
    }
}
END_TEST

/* the batched score loop (gather by token, constant-d copies for 32 and
 * 64) equals the per-token dot and logit for every LSB width, with full
 * keys (lsb -1) and for head sizes on and off the specialised ones; its
 * full-key accumulators equal the plain dot, and sp_qk_logits the logit */
START_TEST(scores_equal_per_token)
{
    sp_rng r;
    sp_rng_seed(&r, 43);
    enum { NTOK = 40 };
    static int16_t krows[NTOK * SP_MAX_D];
    int16_t q[SP_MAX_D];
    int32_t tokens[NTOK], y[NTOK], full[NTOK], yfull[NTOK];
    const int ds[] = {1, 7, 32, 64, 65, 128, SP_MAX_D};
    for (int trial = 0; trial < 2000; trial++) {
        int d = ds[trial % 7], lsb = (int)(sp_rng_next(&r) % 10) - 1;
        for (int j = 0; j < d; j++)
            q[j] = (int16_t)((int)(sp_rng_next(&r) % 4095) - 2047);
        for (int j = 0; j < NTOK * d; j++)
            krows[j] = (int16_t)((int)(sp_rng_next(&r) % 4096) - 2048);
        int n = 0; /* an ascending sparse subset, as after pruning */
        for (int t = 0; t < NTOK; t++)
            if (sp_rng_next(&r) % 3)
                tokens[n++] = t;
        sp_logit_scale sc = {1 + (uint32_t)(sp_rng_next(&r) % 65535), (int)(sp_rng_next(&r) % 40)};
        sp_qk_scores(q, krows, tokens, n, d, lsb, sc, y, full);
        sp_qk_logits(full, n, sc, yfull);
        for (int i = 0; i < n; i++) {
            const int16_t *k = krows + (size_t)tokens[i] * d;
            int32_t acc = lsb < 0 ? sp_qk_dot(q, k, d) : sp_qk_dot_msb(q, k, d, lsb);
            ck_assert_msg(y[i] == sp_qk_logit(acc, sc.mult, sc.shift), "d=%d lsb=%d token %d", d, lsb, tokens[i]);
            ck_assert_int_eq(full[i], sp_qk_dot(q, k, d));
            ck_assert_int_eq(yfull[i], sp_qk_logit(full[i], sc.mult, sc.shift));
        }
    }
}
END_TEST

START_TEST(scale_make)
{
    sp_rng r;
    sp_rng_seed(&r, 3);
    for (int trial = 0; trial < 20000; trial++) {
        double sq = ldexp(0.5 + sp_rng_uniform(&r), -(int)(sp_rng_next(&r) % 20));
        double sk = ldexp(0.5 + sp_rng_uniform(&r), -(int)(sp_rng_next(&r) % 20));
        int d = 1 + (int)(sp_rng_next(&r) % SP_MAX_D);
        double c = sq * sk * (1.0 / log(2.0)) / sqrt((double)d) * 256.0;
        sp_logit_scale sc;
        int rc = sp_logit_scale_make(sq, sk, d, &sc);
        if (llround(c) > 65535) { /* no S exists (spec s4) */
            ck_assert_int_eq(rc, -1);
            continue;
        }
        ck_assert_int_eq(rc, 0);
        /* S: the largest value <= 62 with round(c 2^S) <= 65535 */
        int S = 62;
        while (S > 0 && round(c * ldexp(1.0, S)) > 65535.0)
            S--;
        long long M = llround(c * ldexp(1.0, S));
        ck_assert_int_eq(sc.shift, S);
        ck_assert_uint_eq(sc.mult, (uint32_t)(M < 1 ? 1 : M));
        ck_assert(sc.mult >= 1 && sc.mult <= 65535);
        if (S < 62)
            ck_assert_msg(sc.mult >= 32767, "M=%u S=%d not normalised", sc.mult, S);
        if (S == 62)
            continue;
        /* y / 256 = log2(exp(q.k / sqrt(d))) up to the rounding of M */
        double rel = fabs(sc.mult / ldexp(1.0, sc.shift) - c) / c;
        ck_assert_msg(rel <= 1.0 / 65534.0, "c=%g M=%u S=%d rel %g", c, sc.mult, sc.shift, rel);
    }
    sp_logit_scale sc;
    ck_assert_int_eq(sp_logit_scale_make(0.0, 1.0, 64, &sc), -1);
    ck_assert_int_eq(sp_logit_scale_make(-1.0, 1.0, 64, &sc), -1);
    ck_assert_int_eq(sp_logit_scale_make(NAN, 1.0, 64, &sc), -1);
    ck_assert_int_eq(sp_logit_scale_make(1e6, 1e6, 64, &sc), -1);
}
END_TEST

/* A one-head trace whose q and k are all at the most negative value. */
static void extreme_trace(sp_trace *t, int d, int bq, int bk)
{
    memset(t, 0, sizeof *t);
    t->mode = SP_MODE_DECODE;
    t->layers = t->heads = 1;
    t->d = d;
    t->ctx = 1;
    t->iters = 1;
    t->rows = 1;
    t->ntok = 2;
    t->q_bits = bq;
    t->k_bits = t->v_bits = bk;
    snprintf(t->id, sizeof t->id, "extreme d=%d", d);
    ck_assert_int_eq(sp_trace_alloc(t), 0);
    for (int j = 0; j < d; j++)
        t->q[j] = (int16_t)-(1 << (bq - 1));
    for (int j = 0; j < 2 * d; j++) {
        t->k[j] = (int16_t)-(1 << (bk - 1));
        t->v[j] = 1;
    }
    t->sq[0] = t->sk[0] = t->sv[0] = 1e-4f;
}

START_TEST(accumulator_bound)
{
    /* spec s4: acc is 32-bit signed and no accumulator may overflow. With
     * Bq = Bk = 16 and D = 2, q = k = -2^15 gives acc = 2^31, one past
     * INT32_MAX on the full-width (requant) pass: such a format must be
     * rejected at load, not computed with a wrapped accumulator. */
    sp_config cfg;
    sp_config_default(&cfg);
    cfg.alg.q_bits = 16;
    cfg.alg.k_msb = 8;
    cfg.alg.k_lsb = 8;
    cfg.alg.v_msb = 8;
    cfg.alg.v_lsb = 8;
    ref_set_tau(&cfg.alg, 1.0); /* always requant: full-width keys */
    sp_trace t;
    sp_run_result res;
    char err[256] = "";
    extreme_trace(&t, 2, 16, 16);
    int rc = sp_run_model(&cfg, &t, NULL, &res, err, sizeof err);
    if (rc == 0)
        sp_run_result_free(&res);
    ck_assert_msg(rc == -1, "format with 2^15 * 2^15 * 2 = 2^31 accepted: the QK accumulator overflows");
    ck_assert_msg(strstr(err, "overflow") != NULL, "message: %s", err);
    sp_trace_free(&t);
    /* D = 1: max |acc| = 2^30 fits, and the run goes through */
    extreme_trace(&t, 1, 16, 16);
    rc = sp_run_model(&cfg, &t, NULL, &res, err, sizeof err);
    ck_assert_msg(rc == 0, "%s", err);
    sp_run_result_free(&res);
    sp_trace_free(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("qk");
    TCase *tc = tcase_create("qk");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, logit_slice_exhaustive);
    tcase_add_test(tc, logit_random_full_range);
    tcase_add_test(tc, dot_random);
    tcase_add_test(tc, dot_msb_equals_quant_rows);
    tcase_add_test(tc, scores_equal_per_token);
    tcase_add_test(tc, scale_make);
    tcase_add_test(tc, accumulator_bound);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
