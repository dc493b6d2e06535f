/* tb_softmax.cpp - rtl/softmax.v (MaxN = TB_MAXN, Lanes = TB_LANES = P)
 * against sp_softmax(): every probability, max, sum, recip and pmax, with
 * ties, n = 1, n = MaxN, all-equal, extreme and far-apart logits.
 * Part 1, one run at a time: vectors without stalls send full beats (P
 * logits) with take_i held and also check the documented latency with L =
 * ceil(n/P): info_valid_o in cycle 2L+49, row 0 in cycle 2L+50, the last
 * row in cycle 3L+49 (start in cycle 0), and the working cycles (work_o)
 * against the C timing model's unit latency (sp_softmax_cycles + beats).
 * Vectors with stalls also send partial beats (1..P logits, never across
 * a row). Some runs are dropped in INFO (abort_i) and then rerun.
 * Part 2, two runs in flight: a stream of vectors loaded back to back
 * while the run before is in EXP, DIV, INFO or NORM (random take and
 * ready gaps, some runs dropped and reloaded); checks every value, that
 * loads overlap the back side, and that no third run is taken while both
 * banks are full. */
#include <vector>
#include "Vsoftmax.h"
#include "tb_common.h"
extern "C" {
#include "timing.h"
}

#ifndef TB_MAXN
#define TB_MAXN 1024
#endif
#ifndef TB_LANES
#define TB_LANES 1
#endif
#define LW 24

static int32_t sat24(int64_t x) { return (int32_t)sp_sat(x, 24); }


/* one vector of the stream */
struct Run {
    std::vector<int32_t> y;
    std::vector<uint16_t> p;
    sp_softmax_info info;
    int drop; /* dropped in INFO once, then reloaded */
};

static Run make_run(sp_rng *rng)
{
    Run r;
    int n = (tb_range(rng, 0, 15) == 0) ? (int)tb_range(rng, 1, TB_MAXN) : (int)tb_range(rng, 1, 80);
    int32_t base = (int32_t)tb_range(rng, -(1 << 22), 1 << 22);
    r.y.resize((size_t)n);
    for (int t = 0; t < n; t++)
        r.y[(size_t)t] = sat24(base + tb_range(rng, -3000, 3000));
    r.p.resize((size_t)n);
    sp_softmax(r.y.data(), n, r.p.data(), &r.info, nullptr);
    r.drop = tb_range(rng, 0, 5) == 0;
    return r;
}

/* part 2: runs loaded back to back; returns the load cycles spent while
 * the back side held another run */
static long overlap_part(Vsoftmax *m, sp_rng *rng, long nvec)
{
    std::vector<Run> runs;
    for (long v = 0; v < nvec; v++)
        runs.push_back(make_run(rng));
    std::vector<size_t> loadq, backq; /* runs to load; runs loaded, in back-side order */
    for (size_t i = 0; i < runs.size(); i++)
        loadq.push_back(i);
    size_t lq = 0, bq = 0;
    long ld_run = -1, inflight = 0, cyc = 0;
    int sent = 0, got = 0, stall = 0;
    m->start_i = 0;
    m->abort_i = 0;
    m->take_i = 0;
    while (lq < loadq.size() || bq < backq.size()) {
        if (++cyc > 200L * TB_MAXN * (nvec + 1))
            TB_FAIL("softmax(stream hang)", (long)bq, got, 0, 0);
        if ((cyc & 255) == 0)
            stall = (int)tb_range(rng, 0, 1);
        /* the load side: a start when it is free, then the beats */
        m->start_i = 0;
        m->y_valid_i = 0;
        m->y_n_i = 1;
        if (ld_run < 0 && lq < loadq.size()) {
            const Run &r = runs[loadq[lq]];
            m->start_i = 1;
            m->n_i = (uint16_t)r.y.size();
        } else if (ld_run >= 0) {
            const Run &r = runs[(size_t)ld_run];
            int n = (int)r.y.size(), off = sent % TB_LANES;
            int yn = TB_LANES - off < n - sent ? TB_LANES - off : n - sent;
            if (stall && yn > 1)
                yn = (int)tb_range(rng, 1, yn);
            m->y_valid_i = (uint8_t)(!stall || tb_range(rng, 0, 2) != 0);
            m->y_n_i = (uint8_t)yn;
            for (int j = 0; j < TB_LANES; j++)
                tb_set(m->y_i, j * LW, LW, (j >= off && j < off + yn) ? (uint32_t)r.y[(size_t)(sent - off + j)]
                                                                     : (uint32_t)tb_rand(rng));
        }
        /* the back side's consumer */
        Run *b = bq < backq.size() ? &runs[backq[bq]] : nullptr;
        m->take_i = (uint8_t)(!stall || tb_range(rng, 0, 3) == 0);
        m->p_ready_i = (uint8_t)(!stall || tb_range(rng, 0, 2) != 0);
        m->clk_i = 0;
        m->eval();
        int start_taken = m->start_i && m->ld_idle_o;
        if (m->start_i && !m->ld_idle_o && bq + 2 > backq.size())
            TB_FAIL("softmax(start refused with a free bank)", (long)lq, 0, 0, 1);
        if (start_taken && bq + 2 <= backq.size())
            TB_FAIL("softmax(a third run taken)", (long)lq, 0, 1, 0);
        m->abort_i = 0;
        if (m->info_valid_o) {
            if (!b)
                TB_FAIL("softmax(info without a run)", (long)bq, 0, 1, 0);
            TB_CHECK("softmax(stream max)", (long)backq[bq], 0, tb_sext(m->max_o, 24), b->info.max);
            TB_CHECK("softmax(stream sum)", (long)backq[bq], 0, m->sum_o, b->info.sum);
            TB_CHECK("softmax(stream pmax)", (long)backq[bq], 0, m->pmax_o, b->info.pmax);
            if (b->drop) {
                m->take_i = 0;
                m->abort_i = 1;
                m->eval();
            }
        }
        int beat = ld_run >= 0 && m->y_valid_i && m->y_ready_o, beat_n = m->y_n_i;
        if (beat && bq < backq.size())
            inflight++;
        if (m->p_valid_o && m->p_ready_i) {
            int n = (int)b->p.size(), pn = n - got < TB_LANES ? n - got : TB_LANES;
            TB_CHECK("softmax(stream p_n)", (long)backq[bq], got, m->p_n_o, pn);
            for (int j = 0; j < pn; j++)
                TB_CHECK("softmax(stream p)", (long)backq[bq], got + j, tb_get(m->p_o, j * 16, 16),
                         b->p[(size_t)(got + j)]);
            got += pn;
        }
        int dropped = m->info_valid_o && m->abort_i;
        m->clk_i = 1;
        m->eval();
        /* bookkeeping after the edge */
        if (start_taken) {
            ld_run = (long)loadq[lq++];
            sent = 0;
        }
        if (beat) {
            sent += beat_n;
            if (sent == (int)runs[(size_t)ld_run].y.size()) {
                backq.push_back((size_t)ld_run);
                ld_run = -1;
            }
        }
        if (dropped) {
            b->drop = 0;
            loadq.push_back(backq[bq]); /* reloaded later */
            bq++;
            got = 0;
        } else if (b && got == (int)b->p.size()) {
            bq++;
            got = 0;
        }
    }
    m->start_i = 0;
    m->y_valid_i = 0;
    m->take_i = 0;
    m->clk_i = 0;
    m->eval();
    if (m->busy_o)
        TB_FAIL("softmax(busy after the stream)", nvec, 0, 1, 0);
    return inflight;
}

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
            /* a run dropped in INFO (a requant), its bank free again */
            m->start_i = 1;
            m->n_i = (uint16_t)n;
            m->take_i = 0;
            tb_tick(m);
            m->start_i = 0;
            int sent = 0;
            long guard = 0;
            while (!m->info_valid_o) {
                if (++guard > 4L * TB_MAXN + 1000)
                    TB_FAIL("softmax(abort run hang)", v, sent, 0, n);
                int off = sent % TB_LANES, yn = TB_LANES - off < n - sent ? TB_LANES - off : n - sent;
                m->y_valid_i = (uint8_t)(sent < n);
                m->y_n_i = (uint8_t)(sent < n ? yn : 1);
                for (int j = 0; j < TB_LANES; j++)
                    tb_set(m->y_i, j * LW, LW, (uint32_t)y[(size_t)((sent - off + j) % n)]);
                m->clk_i = 0;
                m->eval();
                if (m->y_valid_i && m->y_ready_o)
                    sent += yn;
                m->clk_i = 1;
                m->eval();
            }
            m->y_valid_i = 0;
            TB_CHECK("softmax(abort run max)", v, 0, tb_sext(m->max_o, 24), info.max);
            m->abort_i = 1;
            tb_tick(m);
            m->abort_i = 0;
        }
        if (m->busy_o)
            TB_FAIL("softmax(busy at start)", v, 0, 1, 0);
        const long rows = (n + TB_LANES - 1) / TB_LANES;
        long cyc = 0, first_p = -1, last_p = -1, info_at = -1, work = 1; /* the start cycle */
        int sent = 0, got = 0;
        m->take_i = 1;
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
            work += (m->work_o & 1) + (m->work_o >> 1);
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
            TB_CHECK("softmax(latency first p)", v, 0, first_p, 2L * rows + 50);
            TB_CHECK("softmax(latency last p)", v, 0, last_p, 3L * rows + 49);
            /* full beats: L of them */
            TB_CHECK("softmax(work cycles)", v, 0, work, (int64_t)(sp_softmax_cycles((uint32_t)n, TB_LANES) + rows));
        }
        m->p_ready_i = 0;
        m->clk_i = 0;
        m->eval();
        TB_CHECK("softmax(idle after n)", v, 0, m->busy_o, 0);
    }
    long inflight = overlap_part(m, &rng, nvec);
    return tb_pass(m, "PASS softmax(MaxN=%d, Lanes=%d) %ld vectors, then %ld in a stream (%ld load cycles beside "
                   "another run)\n", TB_MAXN, TB_LANES, nvec, nvec, inflight);
}
