/* tb_qk.cpp - rtl/qk.v (D = TB_D, NQk = TB_NQK) against sp_qk_dot() and
 * sp_qk_logit(), with random stalls on both streams. One vector = one
 * query, 1..TB_MAXKEYS keys, one (M, S); d <= D with q zero-padded. */
#include <vector>
#include "Vqk.h"
#include "tb_common.h"

#ifndef TB_D
#define TB_D 32
#endif
#ifndef TB_NQK
#define TB_NQK 64
#endif
#define TB_MAXKEYS 24
static const int KPB = TB_NQK >= TB_D ? TB_NQK / TB_D : 1;
static const int F = TB_NQK >= TB_D ? 1 : TB_D / TB_NQK;
static const int EPK = TB_NQK >= TB_D ? TB_D : TB_NQK;

static int16_t rand_val(sp_rng *r, int bits, int edge)
{
    int32_t lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
    switch (edge) {
    case 1: return (int16_t)lo;
    case 2: return (int16_t)hi;
    case 3: return 0;
    default:
        if ((tb_rand(r) & 7) == 0)
            return (int16_t)((tb_rand(r) & 1) ? lo : hi);
        return (int16_t)tb_range(r, lo, hi);
    }
}

int main(int argc, char **argv)
{
    sp_rng rng;
    long nvec;
    Vqk *m = tb_begin<Vqk>(argc, argv, 10000, &rng, &nvec);
    tb_reset(m);
    long cycles = 0;
    for (long v = 0; v < nvec; v++) {
        int edge = v < 12 ? (int)(v % 4) : 0;
        int d = v < 12 ? TB_D : (int)tb_range(&rng, 1, TB_D);
        /* widths the loader accepts: 2^(Bq-1) * 2^(Bk-1) * d <= 2^31 */
        int bq, bk;
        do {
            bq = (int)tb_range(&rng, 2, 16);
            bk = (int)tb_range(&rng, 2, 16);
        } while ((int64_t)d << (bq - 1 + bk - 1) > (INT64_C(1) << 31));
        if (v < 12) {
            bq = 12;
            bk = 12;
        }
        uint32_t mult;
        int shift;
        if (v < 12) {
            mult = (v / 4 == 0) ? 65535 : (v / 4 == 1 ? 1 : 40000);
            shift = (v / 4 == 0) ? 0 : (v / 4 == 1 ? 62 : 20);
        } else {
            mult = (uint32_t)tb_range(&rng, 1, 65535);
            shift = (int)tb_range(&rng, 0, 62);
            if ((tb_rand(&rng) & 3) == 0)
                shift = (int)tb_range(&rng, 8, 24); /* realistic scales */
        }
        int nk = v < 12 ? TB_MAXKEYS : (int)tb_range(&rng, 1, TB_MAXKEYS);
        int16_t q[TB_D];
        std::vector<int16_t> k((size_t)nk * TB_D);
        for (int j = 0; j < TB_D; j++) {
            q[j] = j < d ? rand_val(&rng, bq, edge) : 0;
            tb_set(m->q_i, j * 16, 16, (uint16_t)q[j]);
        }
        for (int t = 0; t < nk; t++)
            for (int j = 0; j < TB_D; j++) /* beyond d: garbage the zero q cancels */
                k[(size_t)t * TB_D + j] = j < d ? rand_val(&rng, bk, edge) : (int16_t)(tb_rand(&rng) & 0xffff);
        m->mult_i = (uint16_t)mult;
        m->shift_i = (uint8_t)shift;
        int nbeats = KPB > 1 ? (nk + KPB - 1) / KPB : nk * F;
        int nout = KPB > 1 ? nbeats : nk; /* output beats */
        int sent = 0, got = 0, guard = 0;
        while (got < nout) {
            if (++guard > 100000) {
                std::printf("FAIL qk vector %ld: hang (got %d of %d outputs)\n", v, got, nout);
                return 1;
            }
            int kv = sent < nbeats && (tb_rand(&rng) % 4) != 0;
            m->k_valid_i = (uint8_t)kv;
            if (kv) {
                for (int l = 0; l < TB_NQK; l++) {
                    int t, j;
                    if (KPB > 1) {
                        t = sent * KPB + l / TB_D;
                        j = l % TB_D;
                    } else {
                        t = sent / F;
                        j = (sent % F) * EPK + l;
                    }
                    uint16_t e = t < nk ? (uint16_t)k[(size_t)t * TB_D + j] : (uint16_t)(tb_rand(&rng) & 0xffff);
                    tb_set(m->k_data_i, l * 16, 16, e);
                }
            }
            m->y_ready_i = (uint8_t)((tb_rand(&rng) % 4) != 0);
            m->clk_i = 0;
            m->eval();
            if (m->y_valid_o && m->y_ready_i) {
                for (int i = 0; i < KPB; i++) {
                    int t = KPB > 1 ? got * KPB + i : got;
                    if (t >= nk)
                        break;
                    int32_t acc = sp_qk_dot(q, &k[(size_t)t * TB_D], TB_D);
                    TB_CHECK("qk(acc)", v, t, tb_sext(tb_get(m->acc_o, i * 32, 32), 32), acc);
                    TB_CHECK("qk(y)", v, t, tb_sext(tb_get(m->y_o, i * 24, 24), 24),
                             sp_qk_logit(acc, mult, shift));
                }
                got++;
            }
            if (kv && m->k_ready_o)
                sent++;
            m->clk_i = 1;
            m->eval();
            cycles++;
        }
        if (sent != nbeats)
            TB_FAIL("qk(beats)", v, 0, sent, nbeats);
    }
    return tb_pass(m, "PASS qk(D=%d,NQk=%d) %ld vectors\n", TB_D, TB_NQK, nvec);
}
