/* tb_pv.cpp - rtl/pv.v (D = TB_D, NPv = TB_NPV) against sp_pv(), with
 * random input stalls. One vector = 1..TB_MAXTOK kept tokens with
 * probabilities from sp_softmax (or edge patterns) and values of d <= D. */
#include <vector>
#include "Vpv.h"
#include "tb_common.h"

#ifndef TB_D
#define TB_D 32
#endif
#ifndef TB_NPV
#define TB_NPV 128
#endif
#define TB_MAXTOK 40
static const int TPB = TB_NPV >= TB_D ? TB_NPV / TB_D : 1;
static const int F = TB_NPV >= TB_D ? 1 : TB_D / TB_NPV;
static const int EPB = TB_NPV >= TB_D ? TB_D : TB_NPV;

int main(int argc, char **argv)
{
    sp_rng rng;
    long nvec;
    Vpv *m = tb_begin<Vpv>(argc, argv, 10000, &rng, &nvec);
    tb_reset(m);
    for (long v = 0; v < nvec; v++) {
        int edge = v < 8 ? (int)v : -1;
        int d = edge >= 0 ? TB_D : (int)tb_range(&rng, 1, TB_D);
        int n = edge >= 0 ? (edge < 4 ? 1 : TB_MAXTOK) : (int)tb_range(&rng, 1, TB_MAXTOK);
        int bv = edge >= 0 ? 16 : (int)tb_range(&rng, 2, 16);
        int32_t lo = -(1 << (bv - 1)), hi = (1 << (bv - 1)) - 1;
        std::vector<uint16_t> p((size_t)n);
        std::vector<int16_t> val((size_t)n * TB_D);
        if (edge >= 0 && edge < 4) {
            p[0] = (edge & 1) ? 32768 : 1;
        } else if (edge >= 4) {
            /* a flat softmax: every p rounded up, sum of p is the most */
            std::vector<int32_t> y((size_t)n, 0);
            sp_softmax(y.data(), n, p.data(), nullptr, nullptr);
        } else {
            std::vector<int32_t> y((size_t)n);
            int spread = (int)tb_range(&rng, 0, 4000);
            for (int t = 0; t < n; t++)
                y[(size_t)t] = (int32_t)tb_range(&rng, -spread, spread);
            sp_softmax(y.data(), n, p.data(), nullptr, nullptr);
        }
        for (int t = 0; t < n; t++)
            for (int j = 0; j < TB_D; j++) {
                int16_t e;
                if (edge >= 0)
                    e = (int16_t)((edge & 2) ? lo : hi);
                else if ((tb_rand(&rng) & 7) == 0)
                    e = (int16_t)((tb_rand(&rng) & 1) ? lo : hi);
                else
                    e = (int16_t)tb_range(&rng, lo, hi);
                val[(size_t)t * TB_D + j] = e;
            }
        std::vector<const int16_t *> rows((size_t)n);
        for (int t = 0; t < n; t++)
            rows[(size_t)t] = &val[(size_t)t * TB_D];
        int16_t want[TB_D];
        sp_pv(p.data(), rows.data(), n, d, want);

        m->start_i = 1;
        m->in_valid_i = 0;
        tb_tick(m);
        m->start_i = 0;
        int nbeats = TPB > 1 ? (n + TPB - 1) / TPB : n * F;
        int sent = 0, guard = 0;
        while (sent < nbeats) {
            if (++guard > 100000)
                TB_FAIL("pv(hang)", v, sent, 0, nbeats);
            int iv = (tb_rand(&rng) % 4) != 0;
            m->in_valid_i = (uint8_t)iv;
            m->in_last_i = (uint8_t)(sent == nbeats - 1);
            for (int l = 0; l < TB_NPV; l++) {
                int t, j;
                if (TPB > 1) {
                    t = sent * TPB + l / TB_D;
                    j = l % TB_D;
                } else {
                    t = sent / F;
                    j = (sent % F) * EPB + l;
                }
                uint16_t e = (t < n && j < d) ? (uint16_t)val[(size_t)t * TB_D + j] : (uint16_t)(tb_rand(&rng) & 0xffff);
                tb_set(m->in_v_i, l * 16, 16, e);
            }
            for (int i = 0; i < TPB; i++) {
                int t = TPB > 1 ? sent * TPB + i : sent / F;
                tb_set(m->in_p_i, i * 16, 16, t < n ? p[(size_t)t] : 0);
            }
            m->clk_i = 0;
            m->eval();
            if (m->out_valid_o)
                TB_FAIL("pv(out_valid early)", v, sent, 1, 0);
            if (iv && m->in_ready_o)
                sent++;
            m->clk_i = 1;
            m->eval();
        }
        m->in_valid_i = 0;
        m->clk_i = 0;
        m->eval();
        TB_CHECK("pv(out_valid)", v, 0, m->out_valid_o, 1);
        for (int j = 0; j < d; j++)
            TB_CHECK("pv(out)", v, j, tb_sext(tb_get(m->out_o, j * 16, 16), 16), want[j]);
    }
    return tb_pass(m, "PASS pv(D=%d,NPv=%d) %ld vectors\n", TB_D, TB_NPV, nvec);
}
