/* tb_importance.cpp - rtl/importance.v (TB_LANES lanes, D = TB_D) against
 * sp_imp_add(), sp_head_imp_of() and sp_head_imp_scale() (the head's
 * multiplier and shift: every shift 0..62, multipliers at 1, 65535 and
 * random), with accumulators near saturation. */
#include "Vimportance.h"
#include "tb_common.h"

#ifndef TB_LANES
#define TB_LANES 2
#endif
#ifndef TB_D
#define TB_D 64
#endif

static uint64_t rand_acc(sp_rng *r)
{
    switch (tb_range(r, 0, 3)) {
    case 0: return SP_IMP_MAX - (uint64_t)tb_range(r, 0, 70000);
    case 1: return (uint64_t)tb_range(r, 0, 100000);
    case 2: return SP_IMP_MAX;
    default: return tb_rand(r) & SP_IMP_MAX;
    }
}

int main(int argc, char **argv)
{
    sp_rng rng;
    long nvec;
    Vimportance *m = tb_begin<Vimportance>(argc, argv, 20000, &rng, &nvec);
    for (long v = 0; v < nvec; v++) {
        uint64_t acc[TB_LANES], p[TB_LANES];
        for (int i = 0; i < TB_LANES; i++) {
            acc[i] = v < 4 ? (v & 1 ? SP_IMP_MAX : 0) : rand_acc(&rng);
            p[i] = v < 4 ? (v & 2 ? 32768 : 0) : (uint64_t)tb_range(&rng, 0, 32768);
            tb_set(m->tok_acc_i, i * 48, 48, acc[i]);
            tb_set(m->tok_p_i, i * 16, 16, p[i]);
        }
        uint64_t hacc = v < 4 ? (v & 1 ? SP_IMP_MAX : 0) : rand_acc(&rng);
        int16_t out[TB_D];
        int d = (int)tb_range(&rng, 1, TB_D); /* a trace's d <= D: pad with 0 */
        for (int j = 0; j < TB_D; j++) {
            if (j >= d)
                out[j] = 0;
            else if (v < 4)
                out[j] = (v & 2) ? -32768 : 32767;
            else
                out[j] = (tb_rand(&rng) & 3) == 0 ? (int16_t)((tb_rand(&rng) & 1) ? -32768 : 32767)
                                                  : (int16_t)(tb_rand(&rng) & 0xffff);
            tb_set(m->head_out_i, j * 16, 16, (uint16_t)out[j]);
        }
        sp_logit_scale sc;
        switch (tb_range(&rng, 0, 3)) {
        case 0: sc.mult = 65535; break;
        case 1: sc.mult = 1; break;
        default: sc.mult = (uint32_t)tb_range(&rng, 1, 65535); break;
        }
        sc.shift = v < 63 ? (int)v : (int)tb_range(&rng, 0, 62);
        if (v < 4) { /* the largest addition: a = 2^23 (or 2^23 - 256), Mv = 65535, Sv = 0 */
            sc.mult = 65535;
            sc.shift = 0;
        }
        tb_set(m->head_mult_i, 0, 16, sc.mult);
        tb_set(m->head_shift_i, 0, 6, (uint64_t)sc.shift);
        tb_set(m->head_acc_i, 0, 48, hacc);
        m->eval();
        for (int i = 0; i < TB_LANES; i++)
            TB_CHECK("importance(token)", v, i, tb_get(m->tok_sum_o, i * 48, 48), sp_imp_add(acc[i], p[i]));
        uint64_t add = sp_head_imp_scale(sp_head_imp_of(out, d), sc);
        TB_CHECK("importance(head_add)", v, 0, tb_get(m->head_add_o, 0, 48), add);
        TB_CHECK("importance(head)", v, 0, tb_get(m->head_sum_o, 0, 48), sp_imp_add(hacc, add));
    }
    return tb_pass(m, "PASS importance %ld vectors\n", nvec);
}
