/* pv.c - probability x value accumulation and output rounding
 * (docs/spec.md s8). Mirrors rtl/pv.v. */
#include "spattn.h"

void sp_pv(const uint16_t *p, const int16_t *const *vrows, int n, int d, int16_t *out)
{
    int32_t acc[SP_MAX_D];
    for (int j = 0; j < d; j++)
        acc[j] = 0;
    for (int t = 0; t < n; t++) {
        int32_t pt = p[t];
        const int16_t *v = vrows[t];
        for (int j = 0; j < d; j++)
            acc[j] += pt * (int32_t)v[j];
    }
    for (int j = 0; j < d; j++)
        out[j] = (int16_t)sp_sat(sp_shr_round(acc[j], SP_PROB_FRAC), 16);
}
