/* requant.c - progressive quantization decision (docs/spec.md s6). */
#include "spattn.h"

int sp_requant_decide(uint16_t pmax, uint32_t tau_q15, int lsb_bits)
{
    return lsb_bits > 0 && tau_q15 > 0 && (uint32_t)pmax < tau_q15;
}
