/* tb_recip_div.cpp - rtl/recip_div.v (NumW 47, DenW 32): quotient and
 * remainder against C integer division and sp_softmax_recip(), and the
 * latency (done_o exactly 48 cycles after the start cycle). */
#include "Vrecip_div.h"
#include "tb_common.h"

int main(int argc, char **argv)
{
    sp_rng rng;
    long nvec;
    Vrecip_div *m = tb_begin<Vrecip_div>(argc, argv, 10000, &rng, &nvec);
    tb_reset(m);
    const uint64_t two46 = UINT64_C(1) << 46;
    for (long v = 0; v < nvec; v++) {
        uint64_t num, den;
        int kind = (int)(v % 4);
        if (v < 6) {
            static const uint64_t ed[] = {32768, 32769, 65536, (UINT64_C(1) << 29) - 1, 1, 0xffffffffu};
            num = two46;
            den = ed[v];
        } else if (kind < 2) {
            num = two46; /* softmax: 32768 <= s < 2^29 */
            den = (uint64_t)tb_range(&rng, 32768, kind ? 40000 : (1 << 29) - 1);
        } else {
            num = tb_rand(&rng) & ((UINT64_C(1) << 47) - 1);
            den = (tb_rand(&rng) & 0xffffffffu) >> tb_range(&rng, 0, 31);
            if (den == 0)
                den = 1;
        }
        m->start_i = 1;
        m->num_i = num;
        m->den_i = (uint32_t)den;
        tb_tick(m);
        m->start_i = 0;
        int cyc = 1;
        while (!m->done_o && cyc < 100) {
            tb_tick(m);
            cyc++;
        }
        TB_CHECK("recip_div(latency)", v, 0, cyc, 48);
        TB_CHECK("recip_div(busy)", v, 0, m->busy_o, 0);
        TB_CHECK("recip_div(quot)", v, 0, m->quot_o, num / den);
        TB_CHECK("recip_div(rem)", v, 0, m->rem_o, num % den);
        if (num == two46 && den >= 32768) /* the softmax range */
            TB_CHECK("recip_div(sp_softmax_recip)", v, 0, m->quot_o, sp_softmax_recip((uint32_t)den));
        tb_tick(m);
    }
    return tb_pass(m, "PASS recip_div %ld vectors\n", nvec);
}
