/* tm_fixture.c - hand-made timing-model inputs shared by the timing tests
 * (decode: one query row per head-step; hardware D 64). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "tm_fixture.h"

sp_tm_steps tm_fixture_steps(size_t n, uint32_t keys, uint32_t span, uint32_t values, int requant_every,
                             uint32_t vtopk_cycles)
{
    sp_tm_steps v;
    memset(&v, 0, sizeof v);
    v.s = calloc(n, sizeof *v.s);
    ck_assert_ptr_nonnull(v.s);
    v.n = v.cap = n;
    v.iters = 1;
    v.layers = 1;
    v.heads = (int)n;
    v.decode = 1; /* one query row per head-step */
    v.hw_d = 64;
    for (size_t i = 0; i < n; i++) {
        sp_tm_step *s = &v.s[i];
        s->head = (int)i;
        s->d = 64;
        s->keys = keys;
        s->span = span;
        s->values = values;
        s->requant = (uint8_t)(requant_every > 0 && i % (size_t)requant_every == 0);
        s->q_bits = 12;
        s->k_msb = 8;
        s->k_lsb = 4;
        s->v_msb = 8;
        s->v_lsb = 4;
        s->vtopk_cycles = vtopk_cycles;
    }
    v.s[n - 1].layer_end = 1;
    return v;
}
