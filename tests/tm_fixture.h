/* tm_fixture.h - hand-made timing-model inputs shared by the timing tests. */
#ifndef SP_TM_FIXTURE_H
#define SP_TM_FIXTURE_H
#include <stddef.h>
#include <stdint.h>
#include "timing.h"

/* n head-steps of one layer (head i = step i, the last ends the layer),
 * D 64, q 12 bits, keys and values 8 + 4 bits, with the given counts.
 * requant_every: 0 none, 1 every step, 2 every even step. */
sp_tm_steps tm_fixture_steps(size_t n, uint32_t keys, uint32_t span, uint32_t values, int requant_every,
                             uint32_t vtopk_cycles);
#endif
