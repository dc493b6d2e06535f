/* fixed.c - saturation and rounding helpers (docs/spec.md, preamble). */
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
