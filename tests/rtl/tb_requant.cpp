/* tb_requant.cpp - rtl/requant.v against sp_requant_decide(). */
#include "Vrequant.h"
#include "tb_common.h"

int main(int argc, char **argv)
{
    sp_rng rng;
    long nvec;
    Vrequant *m = tb_begin<Vrequant>(argc, argv, 20000, &rng, &nvec);
    static const uint32_t edge_p[] = {0, 1, 3276, 3277, 32767, 32768};
    static const uint32_t edge_t[] = {0, 1, 3277, 32768, 32769, 65535, 0xffffffffu};
    for (long v = 0; v < nvec; v++) {
        uint32_t pmax, tau;
        int lsb;
        if (v < 6 * 7 * 2) {
            pmax = edge_p[v % 6];
            tau = edge_t[(v / 6) % 7];
            lsb = (int)(v / 42) * 4;
        } else {
            pmax = (uint32_t)tb_range(&rng, 0, 32768);
            tau = (v & 1) ? (uint32_t)tb_range(&rng, 0, 33000) : pmax + (uint32_t)tb_range(&rng, 0, 2) - 1;
            lsb = (int)tb_range(&rng, 0, 8);
        }
        m->pmax_i = (uint16_t)pmax;
        m->tau_i = tau;
        m->lsb_bits_i = (uint8_t)lsb;
        m->eval();
        TB_CHECK("requant", v, 0, m->requant_o, sp_requant_decide((uint16_t)pmax, tau, lsb));
    }
    return tb_pass(m, "PASS requant %ld vectors\n", nvec);
}
