/* tb_quant.cpp - rtl/quant.v (TB_LANES lanes, W = 16) against
 * sp_quant_msb/lsb/merge/approx and sp_quant_row_msb. */
#include "Vquant.h"
#include "tb_common.h"

#ifndef TB_LANES
#define TB_LANES 4
#endif

static int16_t rand_elem(sp_rng *r, long v, int lane)
{
    static const int16_t edge[] = {0, 1, -1, 32767, -32768, 255, -256, 128, -129};
    if (v < 9)
        return edge[(v + lane) % 9];
    switch (tb_range(r, 0, 3)) {
    case 0: return edge[tb_range(r, 0, 8)];
    case 1: return (int16_t)tb_range(r, -300, 300);
    default: return (int16_t)(tb_rand(r) & 0xffff);
    }
}

int main(int argc, char **argv)
{
    sp_rng rng;
    long nvec;
    Vquant *m = tb_begin<Vquant>(argc, argv, 20000, &rng, &nvec);
    for (long v = 0; v < nvec; v++) {
        int l = (int)(v < 9 * 9 ? v / 9 : tb_range(&rng, 0, 8));
        int full = (int)(tb_rand(&rng) & 1);
        int16_t x[TB_LANES];
        int32_t mm[TB_LANES];
        uint32_t bb[TB_LANES];
        m->lsb_n_i = (uint8_t)l;
        m->full_i = (uint8_t)full;
        for (int i = 0; i < TB_LANES; i++) {
            x[i] = rand_elem(&rng, v, i);
            mm[i] = sp_quant_msb(x[i], l);
            /* LSB plane: the element's own, or random bits (any b is legal) */
            bb[i] = (tb_rand(&rng) & 1) ? sp_quant_lsb(x[i], l)
                                       : (uint32_t)(tb_rand(&rng) & ((1u << l) - 1u));
            tb_set(m->x_i, i * 16, 16, (uint16_t)x[i]);
            tb_set(m->m_i, i * 16, 16, (uint16_t)mm[i]);
            tb_set(m->b_i, i * 8, 8, bb[i]);
        }
        m->eval();
        for (int i = 0; i < TB_LANES; i++) {
            TB_CHECK("quant(msb)", v, i, tb_sext(tb_get(m->msb_o, i * 16, 16), 16), sp_quant_msb(x[i], l));
            TB_CHECK("quant(lsb)", v, i, tb_get(m->lsb_o, i * 8, 8), sp_quant_lsb(x[i], l));
            int32_t want = full ? sp_quant_merge(mm[i], bb[i], l) : sp_quant_approx(mm[i], l);
            TB_CHECK(full ? "quant(merge)" : "quant(approx)", v, i,
                     tb_sext(tb_get(m->val_o, i * 16, 16), 16), (int16_t)want);
            if (!full) {
                int16_t row;
                sp_quant_row_msb(&x[i], &row, 1, l);
                TB_CHECK("quant(row_msb)", v, i, tb_sext(tb_get(m->val_o, i * 16, 16), 16), row);
            } else if (bb[i] == sp_quant_lsb(x[i], l)) {
                TB_CHECK("quant(merge=x)", v, i, tb_sext(tb_get(m->val_o, i * 16, 16), 16), x[i]);
            }
        }
    }
    return tb_pass(m, "PASS quant %ld vectors\n", nvec);
}
