/* importance.c - token and head importance accumulators (docs/spec.md s9). */
#include "spattn.h"

uint64_t sp_imp_add(uint64_t acc, uint64_t x)
{
    uint64_t s = acc + x;
    return s > SP_IMP_MAX ? SP_IMP_MAX : s;
}

void sp_imp_accumulate(uint64_t *imp, const int32_t *tokens, const uint16_t *p, int n)
{
    for (int i = 0; i < n; i++) {
        uint64_t s = imp[tokens[i]] + p[i];
        imp[tokens[i]] = s > SP_IMP_MAX ? SP_IMP_MAX : s;
    }
}

uint64_t sp_head_imp_of(const int16_t *out, int d)
{
    uint64_t s = 0;
    for (int j = 0; j < d; j++)
        s += (uint64_t)(out[j] < 0 ? -(int32_t)out[j] : out[j]);
    return s;
}

int sp_himp_scale_make(double sv, sp_logit_scale *out)
{
    return sp_mult_shift_make(sv * (double)(1 << SP_HIMP_FRAC), out);
}

uint64_t sp_head_imp_scale(uint64_t sum, sp_logit_scale sc)
{
    uint64_t x = sum * sc.mult; /* < 2^39: sum <= 256 * 2^15, M < 2^16 */
    return sc.shift > 0 ? (x + (UINT64_C(1) << (sc.shift - 1))) >> sc.shift : x;
}
