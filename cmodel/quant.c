/* quant.c - MSB/LSB bit-plane split of keys and values (docs/spec.md s3). */
#include "spattn.h"

int32_t sp_quant_msb(int32_t x, int lsb)
{
    return x >> lsb;
}

uint32_t sp_quant_lsb(int32_t x, int lsb)
{
    return (uint32_t)x & ((1u << lsb) - 1u);
}

int32_t sp_quant_merge(int32_t msb, uint32_t lsb_bits, int lsb)
{
    return (int32_t)((uint32_t)msb << lsb) | (int32_t)lsb_bits;
}

int32_t sp_quant_approx(int32_t msb, int lsb)
{
    if (lsb == 0)
        return msb;
    return (int32_t)((uint32_t)msb << lsb) | (int32_t)(1u << (lsb - 1));
}

void sp_quant_row_msb(const int16_t *x, int16_t *out, int n, int lsb)
{
    if (lsb == 0) {
        for (int i = 0; i < n; i++)
            out[i] = x[i];
        return;
    }
    /* clear the LSB plane, set its top bit: same as approx(msb(x)) */
    int16_t keep = (int16_t)~((1 << lsb) - 1), half = (int16_t)(1 << (lsb - 1));
    for (int i = 0; i < n; i++)
        out[i] = (int16_t)((x[i] & keep) | half);
}
