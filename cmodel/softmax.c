/* softmax.c - fixed-point softmax: max, base-2 exp by LUT and shift, sum,
 * one reciprocal, normalising multiply (docs/spec.md s5). Mirrors
 * rtl/softmax.v. */
#include "spattn.h"
#include "hotloop.h"

/* LUT[i] = round(2^15 * 2^(-i/256)); computed with integers only so the
 * table is bit-identical on every host: a 2^(-1/256) step in Q0.62,
 * squared-and-multiplied, rounded once at the end. The test checks each
 * entry against the formula in double precision. */
static uint16_t lut[1 << SP_EXP_LUT_BITS];
/* the same entries as 32-bit words, which an AVX2 gather can read */
static uint32_t lut32[1 << SP_EXP_LUT_BITS];
static int lut_ready;

static void lut_build(void)
{
    /* 2^(-i/256) for i = 0..255 by repeated multiplication in Q2.62 by the
     * constant round(2^(-1/256) * 2^62); the accumulated error (< 2^-54) is
     * far below the final rounding to 16 bits. */
    const unsigned __int128 step = (unsigned __int128)4599216278082138665ull;
    unsigned __int128 x = (unsigned __int128)1 << 62;
    for (int i = 0; i < (1 << SP_EXP_LUT_BITS); i++) {
        /* round(2^15 * x / 2^62) */
        uint64_t v = (uint64_t)((x + ((unsigned __int128)1 << 46)) >> 47);
        lut[i] = (uint16_t)v;
        lut32[i] = (uint32_t)v;
        x = (x * step + ((unsigned __int128)1 << 61)) >> 62;
    }
    lut_ready = 1;
}

uint16_t sp_exp_lut(unsigned idx)
{
    if (!lut_ready)
        lut_build();
    return lut[idx & ((1u << SP_EXP_LUT_BITS) - 1)];
}

uint32_t sp_exp2_neg(uint32_t dist)
{
    uint32_t n = dist >> SP_LOGIT_FRAC;
    if (n >= 16)
        return 0;
    return (uint32_t)sp_exp_lut(dist & ((1u << SP_LOGIT_FRAC) - 1)) >> n;
}

uint32_t sp_softmax_recip(uint32_t sum)
{
    return (uint32_t)((UINT64_C(1) << SP_RECIP_SHIFT) / sum);
}

uint16_t sp_softmax_norm(uint32_t e, uint32_t recip)
{
    uint64_t p = ((uint64_t)e * recip + (UINT64_C(1) << 30)) >> 31;
    return (uint16_t)(p > SP_PROB_ONE ? SP_PROB_ONE : p);
}

SP_HOT_CLONES
void sp_softmax(const int32_t *y, int n, uint16_t *p, sp_softmax_info *info, sp_events *ev)
{
    int32_t m = y[0];
    for (int t = 1; t < n; t++)
        if (y[t] > m)
            m = y[t];
    /* e <= 32768 fits the 16-bit probability slot, which holds it until
     * the normalising pass (the RTL keeps e in the score buffer the same way) */
    if (!lut_ready)
        lut_build();
    uint32_t sum = 0;
    for (int t = 0; t < n; t++) {
        /* sp_exp2_neg without a data-dependent branch */
        uint32_t dist = (uint32_t)(m - y[t]), sh = dist >> SP_LOGIT_FRAC;
        uint32_t e = lut32[dist & ((1u << SP_LOGIT_FRAC) - 1)] >> (sh & 15);
        e = sh < 16 ? e : 0;
        p[t] = (uint16_t)e;
        sum += e;
    }
    uint32_t r = sp_softmax_recip(sum);
    uint16_t pmax = 0;
    for (int t = 0; t < n; t++) {
        p[t] = sp_softmax_norm(p[t], r);
        if (p[t] > pmax)
            pmax = p[t];
    }
    if (info) {
        info->max = m;
        info->sum = sum;
        info->recip = r;
        info->pmax = pmax;
    }
    if (ev) {
        ev->exp_ops += (uint64_t)n;
        ev->div_ops += 1;
        ev->mul_norm += (uint64_t)n;
        ev->softmax_runs += 1;
    }
}
