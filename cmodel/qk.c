/* qk.c - dot product of query and key and the fixed-point logit
 * (docs/spec.md s4). Mirrors rtl/qk.v. */
#include <math.h>
#include "spattn.h"

/* q . ((k & keep) | half): keep = all ones, half = 0 is the plain key;
 * the quant unit's approx(msb(k)) otherwise. int32 accumulation is exact
 * within the loader's width check. */
static inline int32_t dot_masked(const int16_t *q, const int16_t *k, int d, int16_t keep, int16_t half)
{
    int32_t acc = 0;
    for (int j = 0; j < d; j++)
        acc += (int32_t)q[j] * (int32_t)(int16_t)((k[j] & keep) | half);
    return acc;
}

int32_t sp_qk_dot(const int16_t *q, const int16_t *k, int d)
{
    return dot_masked(q, k, d, (int16_t)-1, 0);
}

int32_t sp_qk_dot_msb(const int16_t *q, const int16_t *k, int d, int lsb)
{
    if (lsb == 0)
        return sp_qk_dot(q, k, d);
    return dot_masked(q, k, d, (int16_t)~((1 << lsb) - 1), (int16_t)(1 << (lsb - 1)));
}

int32_t sp_qk_logit(int32_t acc, uint32_t mult, int shift)
{
    int64_t y = sp_shr_round((int64_t)acc * (int64_t)mult, shift);
    return (int32_t)sp_sat(y, SP_LOGIT_BITS);
}

int sp_logit_scale_make(double sq, double sk, int d, sp_logit_scale *out)
{
    /* float is allowed here: this runs once per layer/head at trace load */
    double c = sq * sk * (1.0 / log(2.0)) / sqrt((double)d) * (double)(1 << SP_LOGIT_FRAC);
    if (!(c > 0.0) || !isfinite(c) || c > 65535.0)
        return -1;
    int s = 0;
    while (s < 62 && llround(c * ldexp(1.0, s + 1)) <= 65535)
        s++;
    long long m = llround(c * ldexp(1.0, s));
    out->mult = (uint32_t)(m < 1 ? 1 : m);
    out->shift = s;
    return 0;
}
