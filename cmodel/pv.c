/* pv.c - probability x value accumulation and output rounding
 * (docs/spec.md s8). Mirrors rtl/pv.v. */
#include "spattn.h"

void sp_pv(const uint16_t *p, const int16_t *const *vrows, int n, int d, int16_t *out)
{
    int32_t acc[SP_MAX_D];
    for (int j = 0; j < d; j++)
        acc[j] = 0;
    for (int t = 0; t < n; t++) {
        const int16_t *v = vrows[t];
        if (p[t] == SP_PROB_ONE) {
            for (int j = 0; j < d; j++)
                acc[j] += (int32_t)v[j] * SP_PROB_ONE;
        } else {
            /* p < 2^15 fits int16: a 16x16->32 multiply that SSE2 vectorises */
            int16_t pt = (int16_t)p[t];
            for (int j = 0; j < d; j++)
                acc[j] += (int32_t)pt * (int32_t)v[j];
        }
    }
    for (int j = 0; j < d; j++)
        out[j] = (int16_t)sp_sat(sp_shr_round(acc[j], SP_PROB_FRAC), 16);
}
