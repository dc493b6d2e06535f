/* tb_softmax.cpp - rtl/softmax.v (MaxN = TB_MAXN, Lanes = TB_LANES = P)
 * against sp_softmax(): every probability, max, sum, recip and pmax, with
 * ties, n = 1, n = MaxN, all-equal, extreme and far-apart logits. Vectors
 * without stalls send full beats (P logits) and also check the documented
 * latency with L = ceil(n/P): row 0 and info_valid_o in cycle 2L+49, the
 * last row in cycle 3L+48 (start in cycle 0). Vectors with stalls also send
 * partial beats (1..P logits, never across a row). Some vectors are aborted
 * at a random cycle first and then rerun. */
#include <vector>
#include "Vsoftmax.h"
#include "tb_common.h"

#ifndef TB_MAXN
#define TB_MAXN 1024
#endif
#ifndef TB_LANES
#define TB_LANES 1
#endif
#define LW 24

static int32_t sat24(int64_t x) { return (int32_t)sp_sat(x, 24); }

int main(int argc, char **argv)
{
    sp_rng rng;
    long nvec;
    Vsoftmax *m = tb_begin<Vsoftmax>(argc, argv, 10000, &rng, &nvec);
    tb_reset(m);
    for (long v = 0; v < nvec; v++) {
        int n;
        if (v < 4)
            n = v < 2 ? 1 : TB_MAXN;
        else if ((v & 31) == 0)
            n = (int)tb_range(&rng, 1, TB_MAXN);
        else
            n = (int)tb_range(&rng, 1, 64);
        std::vector<int32_t> y((size_t)n);
        int kind = v < 4 ? (int)v : (int)tb_range(&rng, 0, 7);
        int32_t base = (int32_t)tb_range(&rng, -(1 << 23), (1 << 23) - 1);
        for (int t = 0; t < n; t++) {
            int64_t x;
            switch (kind) {
            case 0: x = -(1 << 23); break;                                   /* all min */
            case 1: x = (1 << 23) - 1; break;                                /* all max */
            case 2: x = (t & 1) ? (1 << 23) - 1 : -(1 << 23); break;         /* extremes */
            case 3: x = base; break;                                         /* all equal */
            case 4: x = base + tb_range(&rng, -3, 3) * 256; break;           /* many ties */
            case 5: x = base + tb_range(&rng, -5000, 5000); break;           /* beyond 2^12 */
            case 6: x = tb_range(&rng, -(1 << 23), (1 << 23) - 1); break;    /* anything */
            default: x = base + tb_range(&rng, -2048, 2048); break;          /* typical */
            }
            y[(size_t)t] = sat24(x);
        }
        std::vector<uint16_t> p((size_t)n);
        sp_softmax_info info;
        sp_softmax(y.data(), n, p.data(), &info, nullptr);

        int stall = (v & 3) == 3; /* random valid/ready gaps on 1 in 4 */
        if ((v % 20) == 7) {
            /* start, run a random number of cycles, abort */
            m->start_i = 1;
            m->n_i = (uint16_t)n;
            tb_tick(m);
            m->start_i = 0;
            int c = (int)tb_range(&rng, 0, 3 * n + 60);
            for (int i = 0; i < c; i++) {
                m->y_valid_i = 1;
                for (int j = 0; j < TB_LANES; j++)
                    tb_set(m->y_i, j * LW, LW, (uint32_t)y[(size_t)((i + j) % n)]);
                m->y_n_i = 1;
                m->p_ready_i = 1;
                tb_tick(m);
            }
            m->abort_i = 1;
            tb_tick(m);
            m->abort_i = 0;
            while (m->busy_o) /* the divider finishes a division it began */
                tb_tick(m);
        }
        if (m->busy_o)
            TB_FAIL("softmax(busy at start)", v, 0, 1, 0);
        const long rows = (n + TB_LANES - 1) / TB_LANES;
        long cyc = 0, first_p = -1, last_p = -1, info_at = -1;
        int sent = 0, got = 0;
        m->start_i = 1;
        m->n_i = (uint16_t)n;
        m->y_valid_i = 0;
        m->p_ready_i = 0;
        m->clk_i = 0;
        m->eval();
        m->clk_i = 1;
        m->eval();
        m->start_i = 0;
        while (got < n) {
            cyc++;
            if (cyc > 4L * TB_MAXN + 100000) /* (stalls slow it by a small factor) */
                TB_FAIL("softmax(hang)", v, got, 0, n);
            int yv = sent < n && (!stall || (tb_rand(&rng) % 3) != 0);
            /* the beat: lanes off..off+yn-1 of the row of position sent */
            int off = sent % TB_LANES, yn = 0;
            if (yv) {
                yn = TB_LANES - off < n - sent ? TB_LANES - off : n - sent;
                if (stall)
                    yn = (int)tb_range(&rng, 1, yn);
            }
            m->y_valid_i = (uint8_t)yv;
            m->y_n_i = (uint8_t)(yv ? yn : 1);
            for (int j = 0; j < TB_LANES; j++) {
                int pos = sent - off + j; /* lanes outside the beat get junk */
                uint64_t val = (j >= off && j < off + yn) ? (uint32_t)y[(size_t)pos] : tb_rand(&rng);
                tb_set(m->y_i, j * LW, LW, val);
            }
            m->p_ready_i = (uint8_t)(!stall || (tb_rand(&rng) % 3) != 0);
            m->clk_i = 0;
            m->eval();
            if (m->info_valid_o && info_at < 0) {
                info_at = cyc;
                TB_CHECK("softmax(max)", v, 0, tb_sext(m->max_o, 24), info.max);
                TB_CHECK("softmax(sum)", v, 0, m->sum_o, info.sum);
                TB_CHECK("softmax(recip)", v, 0, m->recip_o, info.recip);
                TB_CHECK("softmax(pmax)", v, 0, m->pmax_o, info.pmax);
            }
            if (m->p_valid_o && m->p_ready_i) {
                int pn = n - got < TB_LANES ? n - got : TB_LANES;
                TB_CHECK("softmax(p_n)", v, got, m->p_n_o, pn);
                for (int j = 0; j < pn; j++)
                    TB_CHECK("softmax(p)", v, got + j, tb_get(m->p_o, j * 16, 16), p[(size_t)(got + j)]);
                if (got == 0)
                    first_p = cyc;
                last_p = cyc;
                got += pn;
            }
            if (yv && m->y_ready_o)
                sent += yn;
            m->clk_i = 1;
            m->eval();
        }
        if (!stall) {
            TB_CHECK("softmax(latency info_valid)", v, 0, info_at, 2L * rows + 49);
            TB_CHECK("softmax(latency first p)", v, 0, first_p, 2L * rows + 49);
            TB_CHECK("softmax(latency last p)", v, 0, last_p, 3L * rows + 48);
        }
        m->p_ready_i = 0;
        m->clk_i = 0;
        m->eval();
        TB_CHECK("softmax(idle after n)", v, 0, m->busy_o, 0);
    }
    return tb_pass(m, "PASS softmax(MaxN=%d, Lanes=%d) %ld vectors\n", TB_MAXN, TB_LANES, nvec);
}
