/* tb_exp_lut.cpp - rtl/exp_lut.v against sp_exp_lut() (all 256 entries)
 * and against the spec formula round(2^15 * 2^(-i/256)) in double. */
#include <cmath>
#include "Vexp_lut.h"
#include "tb_common.h"

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    Vexp_lut *m = new Vexp_lut;
    for (unsigned i = 0; i < 256; i++) {
        m->idx_i = (uint8_t)i;
        m->eval();
        TB_CHECK("exp_lut", i, i, m->val_o, sp_exp_lut(i));
        long f = std::lround(32768.0 * std::exp2(-(double)i / 256.0));
        TB_CHECK("exp_lut(formula)", i, i, m->val_o, f);
    }
    return tb_pass(m, "PASS exp_lut 256 vectors\n");
}
