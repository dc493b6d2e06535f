/* ref.c - independent reference code for the unit tests (see ref.h). It
 * deliberately computes each spec formula a different way from cmodel/:
 * floating point where the model uses integer tricks, sorting where the
 * model uses quick-select. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ref.h"
#include "traces.h"

int ref_sanitize(void)
{
    const char *s = getenv("SP_SANITIZE");
    return s && *s && strcmp(s, "0") != 0;
}

uint32_t ref_stride(uint32_t san)
{
    return ref_sanitize() ? san : 1;
}

uint32_t ref_exp_lut(int i)
{
    long double x = 32768.0L * powl(2.0L, -(long double)i / 256.0L);
    return (uint32_t)floorl(x + 0.5L);
}

uint32_t ref_keep(uint32_t n, uint32_t r16)
{
    if (n == 0)
        return 0;
    double k = floor((double)n * (double)r16 / 65536.0 + 0.5);
    return k < 1.0 ? 1u : (uint32_t)k;
}

int ref_mult_shift(double c, uint32_t *m, int *s)
{
    if (!(c > 0.0) || !isfinite(c))
        return -1;
    for (int S = 62; S >= 0; S--) {
        long double r = roundl((long double)c * ldexpl(1.0L, S));
        if (r <= 65535.0L) {
            *m = r < 1.0L ? 1u : (uint32_t)r;
            *s = S;
            return 0;
        }
    }
    return -1;
}

int64_t ref_head_imp(const int16_t *out, int d, double sv)
{
    uint32_t m;
    int sh;
    if (ref_mult_shift(sv * 256.0, &m, &sh))
        return -1;
    int64_t sum = 0;
    for (int j = 0; j < d; j++)
        sum += llabs((long long)out[j]);
    return ref_rnd(sum * (int64_t)m, sh);
}

int64_t ref_rnd(int64_t x, int s)
{
    if (s <= 0)
        return x;
    /* x = q * 2^s + r with 0 <= r < 2^s (Euclidean division), then round
     * the remainder half up */
    int64_t d = INT64_C(1) << s;
    int64_t r = x % d;
    if (r < 0)
        r += d;
    int64_t q = (x - r) / d;
    return r >= d / 2 ? q + 1 : q;
}

int64_t ref_sat(int64_t x, int bits)
{
    long double hi = ldexpl(1.0L, bits - 1) - 1.0L, lo = -ldexpl(1.0L, bits - 1);
    if ((long double)x > hi)
        return (int64_t)hi;
    if ((long double)x < lo)
        return (int64_t)lo;
    return x;
}

typedef struct {
    uint64_t key;
    int pos;
} ref_kp;

static int kp_cmp(const void *a, const void *b)
{
    const ref_kp *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int pos_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int ref_topk(const uint64_t *key, const int32_t *idx, int n, int k, int32_t *kept)
{
    if (k > n)
        k = n;
    if (k < 0)
        k = 0;
    if (n <= 0)
        return 0;
    ref_kp *a = malloc(sizeof *a * (size_t)n);
    int *sel = malloc(sizeof *sel * (size_t)n);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(sel);
    for (int i = 0; i < n; i++) {
        a[i].key = key[i];
        a[i].pos = i;
    }
    qsort(a, (size_t)n, sizeof *a, kp_cmp);
    for (int i = 0; i < k; i++)
        sel[i] = a[i].pos;
    qsort(sel, (size_t)k, sizeof *sel, pos_cmp);
    for (int i = 0; i < k; i++)
        kept[i] = idx[sel[i]];
    free(a);
    free(sel);
    return k;
}

void ref_head(const sp_trace *tr, int layer, int head, const int16_t *q, const int32_t *tokens,
              int n, double *p, double *out)
{
    size_t lh = (size_t)layer * tr->heads + head;
    const int16_t *k = sp_trace_k(tr, layer, head), *v = sp_trace_v(tr, layer, head);
    double scale = (double)tr->sq[lh] * (double)tr->sk[lh] / sqrt((double)tr->d);
    double m = -INFINITY, s = 0;
    for (int i = 0; i < n; i++) {
        const int16_t *kt = k + (size_t)tokens[i] * tr->d;
        double dot = 0;
        for (int j = 0; j < tr->d; j++)
            dot += (double)q[j] * (double)kt[j];
        p[i] = dot * scale;
        if (p[i] > m)
            m = p[i];
    }
    for (int i = 0; i < n; i++) {
        p[i] = exp(p[i] - m);
        s += p[i];
    }
    for (int i = 0; i < n; i++)
        p[i] /= s;
    for (int j = 0; j < tr->d; j++)
        out[j] = 0;
    for (int i = 0; i < n; i++) {
        const int16_t *vt = v + (size_t)tokens[i] * tr->d;
        for (int j = 0; j < tr->d; j++)
            out[j] += p[i] * (double)vt[j];
    }
}

void ref_synth(const char *spec, const sp_alg_cfg *alg, sp_trace *t)
{
    sp_synth_spec s;
    char err[256] = "";
    int rc = sp_synth_parse(spec, &s, err, sizeof err);
    ck_assert_msg(rc == 0, "synth parse '%s': %s", spec, err);
    rc = sp_synth_generate(&s, alg, t, err, sizeof err);
    ck_assert_msg(rc == 0, "synth generate '%s': %s", spec, err);
}

void ref_set_ratio(uint32_t *q16, double *real, double r)
{
    *real = r;
    *q16 = (uint32_t)floor(r * 65536.0 + 0.5);
}

void ref_set_tau(sp_alg_cfg *a, double tau)
{
    a->tau = tau;
    a->tau_q15 = (uint32_t)floor(tau * 32768.0 + 0.5);
}

int ref_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
