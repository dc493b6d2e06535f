/* energy.c - energy by component: event counts of a timed run (the same
 * head-step records the timing model ran, so the tensor and the CSV paths
 * agree) times the config's pJ per event. Logic and SRAM figures are 45 nm
 * (Horowitz, ISSCC 2014) scaled to the configured node by node_nm / 45
 * (switched capacitance ~ feature size at equal voltage: first order);
 * DRAM pJ/bit is an interface figure and is not scaled. Static energy is
 * leakage per mm^2 x the area model's chip area x run time. docs/costs.md s3. */
#include <string.h>
#include "area.h"
#include "energy.h"

const char *const sp_energy_names[SP_E_N] = {"qk", "softmax", "requant", "topk", "pv", "importance",
                                             "sram_k", "sram_v", "sram_buffers", "dram", "static"};

double sp_energy_mac_pj(double mac_pj, double add_pj, int a, int b)
{
    double mult8 = mac_pj - add_pj;
    if (mult8 < 0)
        mult8 = 0;
    return mult8 * (double)a * (double)b / 64.0 + add_pj;
}

/* bytes touched in the score/probability buffer per key per softmax pass:
 * logit write 3 + load read 3 + exp read 3 + e write 2 + normalise read 2 +
 * probability write 2 (24-bit logits, 16-bit e and p; docs/spec.md s4-5) */
#define SCORE_BYTES_PER_KEY 15.0
/* importance memory: one 48-bit read and write per active key */
#define IMP_BYTES_PER_KEY 12.0

void sp_energy_compute(const sp_config *cfg, const sp_tm_steps *st, const sp_tm_result *tm,
                       sp_energy_report *e)
{
    const sp_energy_cfg *E = &cfg->energy;
    memset(e, 0, sizeof *e);
    double ns = (double)E->node_nm / 45.0;
    e->node_scale = ns;
    double norm_mul = sp_energy_mac_pj(E->mac_qk_pj, E->add_pj, 16, 32) - E->add_pj; /* e x R: 16 x 32 */
    double himp_mul = sp_energy_mac_pj(E->mac_qk_pj, E->add_pj, 24, 16) - E->add_pj; /* a x Mv: 24 x 16 */
    for (size_t i = 0; i < st->n; i++) {
        const sp_tm_step *s = &st->s[i];
        uint32_t rows = sp_tm_rows(s); /* equal head-steps: each adds its own share, in order */
        for (uint32_t row = 0; row < rows; row++) {
        double nd = (double)s->keys * s->d;
        int passes = 1 + (s->requant ? 1 : 0);
        /* QK: pass 1 on MSB keys, pass 2 on full keys */
        e->pj[SP_E_QK] += nd * sp_energy_mac_pj(E->mac_qk_pj, E->add_pj, s->q_bits, s->k_msb);
        if (s->requant)
            e->pj[SP_E_QK] += nd * sp_energy_mac_pj(E->mac_qk_pj, E->add_pj, s->q_bits, s->k_msb + s->k_lsb);
        /* softmax per pass: n max compares, n exp, n sum adds, 1 division, n normalising multiplies */
        e->pj[SP_E_SOFTMAX] += passes * ((double)s->keys * (E->cmp_pj + E->exp_pj + E->add_pj + norm_mul) + E->div_pj);
        if (s->k_lsb > 0)
            e->pj[SP_E_REQUANT] += E->cmp_pj; /* no decision without LSB planes */
        e->pj[SP_E_TOPK] += (double)(s->vtopk_compares + (row + 1 == rows ? s->prune_compares : 0)) * E->cmp_pj;
        int vb = s->v_msb + (s->requant ? s->v_lsb : 0);
        e->pj[SP_E_PV] += (double)s->values * s->d * sp_energy_mac_pj(E->mac_pv_pj, E->add_pj, 16, vb);
        /* token importance: n 48-bit accumulations; head importance
         * (docs/spec.md s9): the L1 sum of the D outputs (D 24-bit adds),
         * its scaling to real units (a 24 x 16 multiply, the multiply part
         * of a MAC by the width rule, and a 40-bit rounding add), and one
         * 48-bit accumulation */
        e->pj[SP_E_IMPORTANCE] += ((double)s->keys + 1) * E->add_pj * 48.0 / 32.0 +
                                  (double)s->d * E->add_pj * 24.0 / 32.0 + himp_mul + E->add_pj * 40.0 / 32.0;
        /* K buffer: fetched planes written once, read by each pass */
        double kw = (double)((s->data_bits[SP_DK_K_MSB] + s->data_bits[SP_DK_K_LSB]) / rows) / 8.0;
        double kr = nd * s->k_msb / 8.0 + (s->requant ? nd * (s->k_msb + s->k_lsb) / 8.0 : 0.0);
        e->pj[SP_E_SRAM_K] += kw * E->sram_write_pj_per_byte + kr * E->sram_read_pj_per_byte;
        double vbytes = (double)(s->data_bits[SP_DK_V] / rows) / 8.0;
        e->pj[SP_E_SRAM_V] += vbytes * (E->sram_write_pj_per_byte + E->sram_read_pj_per_byte);
        double sb = passes * (double)s->keys * SCORE_BYTES_PER_KEY + (double)s->keys * IMP_BYTES_PER_KEY;
        e->pj[SP_E_SRAM_BUF] += sb * 0.5 * (E->sram_read_pj_per_byte + E->sram_write_pj_per_byte);
        }
    }
    for (int k = SP_E_QK; k <= SP_E_SRAM_BUF; k++)
        e->pj[k] *= ns;
    double bits = 0;
    for (int k = 0; k < SP_DK_N; k++)
        bits += (double)tm->dram.burst_bytes[k] * 8.0;
    e->pj[SP_E_DRAM] = bits * E->dram_pj_per_bit;
    e->seconds = tm->seconds;
    /* leakage: a figure per mm^2 x the chip's area (cmodel/area.c) x run
     * time, so a bigger machine leaks more while it runs */
    sp_area_report ar;
    sp_area_compute(cfg, &ar);
    e->static_mw = E->leakage_mw_per_mm2 * ar.total_mm2;
    e->pj[SP_E_STATIC] = e->static_mw * 1e-3 * tm->seconds * 1e12;
    for (int k = 0; k < SP_E_N; k++)
        e->total_pj += e->pj[k];
    e->avg_power_w = tm->seconds > 0 ? e->total_pj * 1e-12 / tm->seconds : 0.0;
}

void sp_energy_stats(const sp_energy_report *e, int node_nm, sp_stats *s, const char *g)
{
    char b[128];
    sp_stats_real(s, g, "total", "pJ", e->total_pj);
    sp_stats_real(s, g, "average_power", "W", e->avg_power_w);
    sp_stats_real(s, g, "leakage_power", "mW", e->static_mw);
    sp_stats_int(s, g, "node", "nm", (uint64_t)node_nm);
    sp_stats_path(b, sizeof b, g, "by_component");
    for (int k = 0; k < SP_E_N; k++)
        sp_stats_real(s, b, sp_energy_names[k], "pJ", e->pj[k]);
}
