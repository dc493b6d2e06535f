/* tb_topk.cpp - rtl/topk.v (KeyW = TB_KEYW, MaxN = TB_MAXN, NCmp = TB_NCMP,
 * RoundOverhead = TB_RO) against sp_topk(): every kept flag and the stats
 * (cycles, rounds, compares, zeros). Keys: many zeros, all equal, small
 * ranges (ties), full-width and maximum keys; k = 0, 1, n, > n, random;
 * n = 0, 1, MaxN. Without input stalls the wall time from start to done_o
 * must equal stats.cycles + 1. */
#include <vector>
#include "Vtopk.h"
#include "tb_common.h"

#ifndef TB_KEYW
#define TB_KEYW 48
#endif
#ifndef TB_MAXN
#define TB_MAXN 1024
#endif
#ifndef TB_NCMP
#define TB_NCMP 4
#endif
#ifndef TB_RO
#define TB_RO 2
#endif
static const uint64_t KMAX = TB_KEYW >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << TB_KEYW) - 1;

int main(int argc, char **argv)
{
    sp_rng rng;
    long nvec;
    Vtopk *m = tb_begin<Vtopk>(argc, argv, 10000, &rng, &nvec);
    tb_reset(m);
    long total_cycles = 0;
    for (long v = 0; v < nvec; v++) {
        int n;
        if (v < 8)
            n = (int)(v < 2 ? v : (v < 5 ? 1 + (v & 1) * 2 : TB_MAXN));
        else if ((v & 63) == 0)
            n = (int)tb_range(&rng, 1, TB_MAXN);
        else
            n = (int)tb_range(&rng, 0, 80 < TB_MAXN ? 80 : TB_MAXN);
        int kind = (int)tb_range(&rng, 0, 7);
        uint64_t base = tb_rand(&rng) & KMAX;
        std::vector<uint64_t> key((size_t)(n > 0 ? n : 1));
        for (int i = 0; i < n; i++) {
            uint64_t x;
            switch (kind) {
            case 0: x = (tb_rand(&rng) & 1) ? 0 : (uint64_t)tb_range(&rng, 1, 5); break;
            case 1: x = base; break;                                           /* all equal */
            case 2: x = (uint64_t)tb_range(&rng, 0, 3); break;                 /* ties + zeros */
            case 3: x = (tb_rand(&rng) & 1) ? KMAX : KMAX - (uint64_t)tb_range(&rng, 0, 2); break;
            case 4: x = (tb_rand(&rng) % 8) ? 0 : (tb_rand(&rng) & KMAX); break; /* mostly zero */
            case 5: x = (uint64_t)tb_range(&rng, 0, 40000) & KMAX; break;      /* probabilities */
            case 6: x = (uint64_t)i & KMAX; break;                             /* sorted */
            default: x = tb_rand(&rng) & KMAX; break;
            }
            key[(size_t)i] = x;
        }
        int k;
        switch (v < 8 ? (int)(v % 4) : (int)tb_range(&rng, 0, 7)) {
        case 0: k = 0; break;
        case 1: k = 1; break;
        case 2: k = n; break;
        case 3: k = n + (int)tb_range(&rng, 1, 3); break;
        default: k = (int)tb_range(&rng, 0, n); break;
        }
        if (k > TB_MAXN)
            k = TB_MAXN;
        std::vector<int32_t> idx((size_t)(n > 0 ? n : 1)), kept((size_t)(n > 0 ? n : 1));
        for (int i = 0; i < n; i++)
            idx[(size_t)i] = i;
        sp_topk_stats st;
        int nk = sp_topk(key.data(), idx.data(), n, k, TB_NCMP, TB_RO, kept.data(), &st);
        std::vector<uint8_t> want((size_t)(n > 0 ? n : 1), 0);
        for (int i = 0; i < nk; i++)
            want[(size_t)kept[(size_t)i]] = 1;

        int stall_in = (v % 5) == 4, stall_out = (v % 3) == 2;
        m->start_i = 1;
        m->n_i = (uint16_t)n;
        m->k_i = (uint16_t)k;
        m->in_valid_i = 0;
        m->out_ready_i = 0;
        tb_tick(m);
        m->start_i = 0;
        long cyc = 0, done_at = -1;
        int sent = 0, got = 0, nbeats = (n + TB_NCMP - 1) / TB_NCMP;
        for (;;) {
            cyc++;
            /* the engine needs at most ceil(n/C) + (n-1) * (ceil(n/C) + RO) cycles;
             * stalls on 1 in 3 cycles at most triple that */
            if (cyc > 10L * (n + 10) * ((n + TB_NCMP - 1) / TB_NCMP + TB_RO + 2) + 1000)
                TB_FAIL("topk(hang)", v, got, 0, nbeats);
            int iv = sent < nbeats && (!stall_in || (tb_rand(&rng) % 3) != 0);
            m->in_valid_i = (uint8_t)iv;
            for (int l = 0; l < TB_NCMP; l++) {
                int pos = sent * TB_NCMP + l;
                tb_set(m->in_keys_i, l * TB_KEYW, TB_KEYW, pos < n ? key[(size_t)pos] : (tb_rand(&rng) & KMAX));
            }
            m->out_ready_i = (uint8_t)(!stall_out || (tb_rand(&rng) % 3) != 0);
            m->clk_i = 0;
            m->eval();
            if (m->done_o) {
                if (done_at >= 0)
                    TB_FAIL("topk(done twice)", v, 0, cyc, done_at);
                done_at = cyc;
                TB_CHECK("topk(cycles)", v, 0, m->cycles_o, st.cycles);
                TB_CHECK("topk(rounds)", v, 0, m->rounds_o, st.rounds);
                TB_CHECK("topk(compares)", v, 0, m->compares_o, st.compares);
                TB_CHECK("topk(zeros)", v, 0, m->zeros_o, st.zeros_removed);
                if (!stall_in)
                    TB_CHECK("topk(wall cycles to done)", v, 0, cyc, (long)st.cycles + 1);
                total_cycles += st.cycles;
            }
            if (m->out_valid_o && m->out_ready_i) {
                if (done_at < 0)
                    TB_FAIL("topk(flags before done)", v, got, 1, 0);
                for (int l = 0; l < TB_NCMP; l++) {
                    int pos = got * TB_NCMP + l;
                    int f = (int)((m->out_kept_o >> l) & 1u);
                    TB_CHECK("topk(kept)", v, pos, f, pos < n ? want[(size_t)pos] : 0);
                }
                got++;
            }
            if (iv && m->in_ready_o)
                sent++;
            int idle_before = !m->busy_o;
            m->clk_i = 1;
            m->eval();
            if (idle_before && done_at >= 0)
                break;
        }
        TB_CHECK("topk(flag beats)", v, 0, got, nbeats);
        TB_CHECK("topk(input beats)", v, 0, sent, nbeats);
    }
    return tb_pass(m, "PASS topk(KeyW=%d,MaxN=%d,NCmp=%d,RoundOverhead=%d) %ld vectors (%ld engine cycles)\n",
                      TB_KEYW, TB_MAXN, TB_NCMP, TB_RO, nvec, total_cycles);
}
