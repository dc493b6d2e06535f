/* pv.c - probability x value accumulation and output rounding
 * (docs/spec.md s8). Mirrors rtl/pv.v. */
#include "spattn.h"

/* acc[j] += p * ((v[j] & keep) | half): keep = all ones, half = 0 is the
 * plain value; the quant unit's approx(msb(v)) otherwise */
static inline void pv_masked(const uint16_t *p, const int16_t *const *vrows, int n, int d, int16_t keep,
                             int16_t half, int16_t *out)
{
    int32_t acc[SP_MAX_D];
    for (int j = 0; j < d; j++)
        acc[j] = 0;
    for (int t = 0; t < n; t++) {
        const int16_t *v = vrows[t];
        if (p[t] == SP_PROB_ONE) {
            for (int j = 0; j < d; j++)
                acc[j] += (int32_t)(int16_t)((v[j] & keep) | half) * SP_PROB_ONE;
        } else {
            /* p < 2^15 fits int16: a 16x16->32 multiply that SSE2 vectorises */
            int16_t pt = (int16_t)p[t];
            for (int j = 0; j < d; j++)
                acc[j] += (int32_t)pt * (int32_t)(int16_t)((v[j] & keep) | half);
        }
    }
    for (int j = 0; j < d; j++)
        out[j] = (int16_t)sp_sat(sp_shr_round(acc[j], SP_PROB_FRAC), 16);
}

void sp_pv(const uint16_t *p, const int16_t *const *vrows, int n, int d, int16_t *out)
{
    pv_masked(p, vrows, n, d, (int16_t)-1, 0, out);
}

void sp_pv_msb(const uint16_t *p, const int16_t *const *vrows, int n, int d, int lsb, int16_t *out)
{
    if (lsb == 0)
        pv_masked(p, vrows, n, d, (int16_t)-1, 0, out);
    else
        pv_masked(p, vrows, n, d, (int16_t)~((1 << lsb) - 1), (int16_t)(1 << (lsb - 1)), out);
}
