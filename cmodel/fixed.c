/* fixed.c - saturation and rounding helpers (docs/spec.md, preamble). */
#include <math.h>
#include "spattn.h"

int64_t sp_sat(int64_t x, int bits)
{
    int64_t hi = (INT64_C(1) << (bits - 1)) - 1;
    int64_t lo = -hi - 1;
    return x > hi ? hi : (x < lo ? lo : x);
}

uint64_t sp_usat(uint64_t x, int bits)
{
    uint64_t hi = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    return x > hi ? hi : x;
}

int64_t sp_shr_round(int64_t x, int s)
{
    if (s <= 0)
        return x;
    return (x + (INT64_C(1) << (s - 1))) >> s;
}

int sp_fits_signed(int64_t x, int bits)
{
    return sp_sat(x, bits) == x;
}

int sp_mult_shift_make(double c, sp_logit_scale *out)
{
    /* float is allowed here: it runs once per layer and head at trace load.
     * No S exists when round(c) > 65535 (c >= 65535.5) or c is not > 0. */
    if (!(c > 0.0) || !isfinite(c) || llround(c) > 65535)
        return -1;
    int s = 0;
    while (s < 62 && llround(c * ldexp(1.0, s + 1)) <= 65535)
        s++;
    long long m = llround(c * ldexp(1.0, s));
    out->mult = (uint32_t)(m < 1 ? 1 : m);
    out->shift = s;
    return 0;
}
