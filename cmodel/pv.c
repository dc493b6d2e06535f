/* pv.c - probability x value accumulation and output rounding
 * (docs/spec.md s8). Mirrors rtl/pv.v. */
#include "spattn.h"
#include "hotloop.h"

/* value rows this many kept tokens ahead are prefetched: the kept tokens
 * are a sparse subset, and the row loads are most of the loop's time (16
 * measured 1.1x faster than 4 on the bench trace: more misses in flight) */
#define PV_PREFETCH_AHEAD 16

/* acc[j] += p * ((v[j] & keep) | half): keep = all ones, half = 0 is the
 * plain value; the quant unit's approx(msb(v)) otherwise */
SP_HOT_CLONES
static void pv_masked(const uint16_t *p, const int16_t *const *vrows, int n, int d, int16_t keep,
                      int16_t half, int16_t *out)
{
    int32_t acc[SP_MAX_D];
    for (int j = 0; j < d; j++)
        acc[j] = 0;
    size_t row_bytes = (size_t)d * sizeof(int16_t);
    for (int t = 0; t < n; t++) {
        const int16_t *v = vrows[t];
        if (t + PV_PREFETCH_AHEAD < n)
            for (size_t off = 0; off < row_bytes; off += 64)
                sp_prefetch((const char *)vrows[t + PV_PREFETCH_AHEAD] + off);
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
    /* out = sat(rnd(acc, 15), 16) */
    for (int j = 0; j < d; j++) {
        int32_t o = (int32_t)(((int64_t)acc[j] + (1 << (SP_PROB_FRAC - 1))) >> SP_PROB_FRAC);
        out[j] = (int16_t)(o > INT16_MAX ? INT16_MAX : (o < INT16_MIN ? INT16_MIN : o));
    }
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
