/* config.c - built-in defaults and range checks shared by every config
 * loader (the YAML loader in config_yaml.c fills the same struct). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "spattn.h"

uint32_t sp_ratio_q16(double r)
{
    if (!(r >= 0.0))
        return 0;
    if (r >= 1.0)
        return SP_RATIO_ONE;
    return (uint32_t)llround(r * SP_RATIO_ONE);
}

void sp_config_default(sp_config *c)
{
    memset(c, 0, sizeof *c);
    /* hardware: the paper's design point (HPCA 2021, section V) */
    c->hw.clock_mhz = 1000.0;
    c->hw.n_qk = 512;
    c->hw.n_pv = 512;
    c->hw.k_sram_bytes = 196 * 1024;
    c->hw.v_sram_bytes = 196 * 1024;
    c->hw.topk_comparators = 16;
    c->hw.topk_round_overhead = 2;
    c->hw.softmax_lanes = 8; /* = qk_multipliers / 64: softmax keeps pace with QK at D = 64 (docs/costs.md) */
    c->hw.kv_buffers = 2;    /* double-buffered K and V SRAM (docs/costs.md) */
    c->hw.stage_buffers = 4; /* head-steps per inter-stage buffer: covers the softmax's latency (docs/costs.md R11) */
    /* HBM2: 16 channels x 128-bit at 1 GHz DDR = 32 B/clk/channel, 512 GB/s;
     * banks, row size and timing (DRAM clocks, tCK 1 ns) from DRAMsim3
     * configs/HBM2_4Gb_x128.ini; sources per key in configs/paper.yaml */
    c->hw.dram.kind = SP_DRAM_HBM2;
    c->hw.dram.channels = 16;
    c->hw.dram.banks = 16;
    c->hw.dram.row_bytes = 1024;
    c->hw.dram.burst_bytes = 32;
    c->hw.dram.clock_mhz = 1000.0;
    c->hw.dram.tRCD = 14;
    c->hw.dram.tRP = 14;
    c->hw.dram.tCL = 14;
    c->hw.dram.tCCD = 2;
    c->hw.dram.tRAS = 34;
    c->hw.dram.tREFI = 3900;
    c->hw.dram.tRFC = 260;
    c->hw.dram.bytes_per_clk_per_channel = 32.0;
    /* algorithm: paper defaults (tau 0.1; 8+4 bit keys and values) */
    c->alg.token_keep = 0.9;
    c->alg.token_keep_q16 = sp_ratio_q16(0.9);
    c->alg.token_start_layer = 2;
    c->alg.head_keep = 0.9;
    c->alg.head_keep_q16 = sp_ratio_q16(0.9);
    c->alg.head_start_layer = 4;
    c->alg.value_keep = 0.2;
    c->alg.value_keep_q16 = sp_ratio_q16(0.2);
    c->alg.q_bits = 12;
    c->alg.k_msb = 8;
    c->alg.k_lsb = 4;
    c->alg.v_msb = 8;
    c->alg.v_lsb = 4;
    c->alg.tau = 0.1;
    c->alg.tau_q15 = (uint32_t)llround(0.1 * SP_PROB_ONE);
    /* energy: Horowitz ISSCC 2014 (45 nm) per-op figures, see configs/ */
    c->energy.mac_qk_pj = 0.3;   /* int8 mult 0.2 + int32 add 0.1 */
    c->energy.mac_pv_pj = 0.3;
    c->energy.exp_pj = 0.5;
    c->energy.div_pj = 3.1 * 32;
    c->energy.cmp_pj = 0.03;
    c->energy.add_pj = 0.1;
    c->energy.sram_read_pj_per_byte = 10.0 / 8;  /* 8 KB SRAM, 64-bit read 10 pJ */
    c->energy.sram_write_pj_per_byte = 10.0 / 8;
    c->energy.dram_pj_per_bit = 3.9;              /* HBM2 */
    c->energy.static_mw = 0.0;
    c->energy.node_nm = 40;
    snprintf(c->source, sizeof c->source, "(built-in defaults)");
}

#define CHECK(cond, ...)                                  \
    do {                                                  \
        if (!(cond)) {                                    \
            snprintf(err, errlen, __VA_ARGS__);           \
            return -1;                                    \
        }                                                 \
    } while (0)

int sp_config_check(const sp_config *c, char *err, size_t errlen)
{
    const sp_hw_cfg *h = &c->hw;
    const sp_alg_cfg *a = &c->alg;
    CHECK(h->clock_mhz > 0 && h->clock_mhz <= 10000, "hardware.clock_mhz must be in (0, 10000], got %g", h->clock_mhz);
    CHECK(h->n_qk >= 1 && h->n_qk <= 65536, "hardware.qk_multipliers must be in 1..65536, got %d", h->n_qk);
    CHECK(h->n_pv >= 1 && h->n_pv <= 65536, "hardware.pv_multipliers must be in 1..65536, got %d", h->n_pv);
    CHECK(h->k_sram_bytes >= 64, "hardware.k_sram_bytes must be >= 64, got %d", h->k_sram_bytes);
    CHECK(h->v_sram_bytes >= 64, "hardware.v_sram_bytes must be >= 64, got %d", h->v_sram_bytes);
    CHECK(h->topk_comparators >= 1 && h->topk_comparators <= 1024, "hardware.topk_comparators must be in 1..1024, got %d", h->topk_comparators);
    CHECK(h->topk_round_overhead >= 0 && h->topk_round_overhead <= 64, "hardware.topk_round_overhead must be in 0..64, got %d", h->topk_round_overhead);
    CHECK(h->softmax_lanes >= 1 && h->softmax_lanes <= 65536, "hardware.softmax_lanes must be in 1..65536, got %d", h->softmax_lanes);
    CHECK(h->kv_buffers >= 1 && h->kv_buffers <= 2, "hardware.kv_buffers must be 1 or 2, got %d", h->kv_buffers);
    CHECK(h->stage_buffers >= 1 && h->stage_buffers <= 16, "hardware.stage_buffers must be in 1..16, got %d", h->stage_buffers);
    CHECK(h->dram.channels >= 1 && h->dram.channels <= 256, "hardware.dram.channels must be in 1..256, got %d", h->dram.channels);
    CHECK(h->dram.banks >= 1 && h->dram.banks <= 256, "hardware.dram.banks must be in 1..256, got %d", h->dram.banks);
    CHECK(h->dram.burst_bytes >= 1 && h->dram.row_bytes >= h->dram.burst_bytes, "hardware.dram.row_bytes must be >= burst_bytes >= 1, got %d and %d", h->dram.row_bytes, h->dram.burst_bytes);
    CHECK(h->dram.clock_mhz > 0, "hardware.dram.clock_mhz must be > 0, got %g", h->dram.clock_mhz);
    CHECK(h->dram.bytes_per_clk_per_channel > 0, "hardware.dram.bytes_per_clk_per_channel must be > 0, got %g", h->dram.bytes_per_clk_per_channel);
    CHECK(a->token_keep >= 0 && a->token_keep <= 1, "algorithm.token_keep must be in [0, 1], got %g", a->token_keep);
    CHECK(a->head_keep >= 0 && a->head_keep <= 1, "algorithm.head_keep must be in [0, 1], got %g", a->head_keep);
    CHECK(a->value_keep > 0 && a->value_keep <= 1, "algorithm.value_keep must be in (0, 1], got %g", a->value_keep);
    CHECK(a->tau >= 0 && a->tau <= 1, "algorithm.tau must be in [0, 1], got %g", a->tau);
    CHECK(a->token_start_layer >= 0, "algorithm.token_start_layer must be >= 0, got %d", a->token_start_layer);
    CHECK(a->head_start_layer >= 0, "algorithm.head_start_layer must be >= 0, got %d", a->head_start_layer);
    CHECK(a->q_bits >= 2 && a->q_bits <= 16, "algorithm.q_bits must be in 2..16, got %d", a->q_bits);
    CHECK(a->k_msb >= 1 && a->k_msb <= 15, "algorithm.k_msb must be in 1..15, got %d", a->k_msb);
    CHECK(a->k_lsb >= 0 && a->k_lsb <= 8, "algorithm.k_lsb must be in 0..8, got %d", a->k_lsb);
    CHECK(a->k_msb + a->k_lsb <= 16, "algorithm.k_msb + k_lsb must be <= 16, got %d", a->k_msb + a->k_lsb);
    CHECK(a->v_msb >= 1 && a->v_msb <= 15, "algorithm.v_msb must be in 1..15, got %d", a->v_msb);
    CHECK(a->v_lsb >= 0 && a->v_lsb <= 8, "algorithm.v_lsb must be in 0..8, got %d", a->v_lsb);
    CHECK(a->v_msb + a->v_lsb <= 16, "algorithm.v_msb + v_lsb must be <= 16, got %d", a->v_msb + a->v_lsb);
    CHECK(a->token_start_layer <= SP_MAX_LAYERS, "algorithm.token_start_layer must be <= %d, got %d", SP_MAX_LAYERS, a->token_start_layer);
    CHECK(a->head_start_layer <= SP_MAX_LAYERS, "algorithm.head_start_layer must be <= %d, got %d", SP_MAX_LAYERS, a->head_start_layer);
    const sp_dram_cfg *m = &h->dram;
    CHECK(m->kind >= SP_DRAM_HBM2 && m->kind <= SP_DRAM_LPDDR4, "hardware.dram.kind must be hbm2, ddr4 or lpddr4");
    CHECK(m->tRCD >= 0, "hardware.dram.tRCD must be >= 0, got %d", m->tRCD);
    CHECK(m->tRP >= 0, "hardware.dram.tRP must be >= 0, got %d", m->tRP);
    CHECK(m->tCL >= 0, "hardware.dram.tCL must be >= 0, got %d", m->tCL);
    CHECK(m->tCCD >= 1, "hardware.dram.tCCD must be >= 1, got %d", m->tCCD);
    CHECK(m->tRAS >= 0, "hardware.dram.tRAS must be >= 0, got %d", m->tRAS);
    CHECK(m->tREFI >= 0, "hardware.dram.tREFI must be >= 0 (0: no refresh), got %d", m->tREFI);
    CHECK(m->tRFC >= 0 && (m->tREFI == 0 || m->tRFC < m->tREFI), "hardware.dram.tRFC must be in 0..tREFI-1, got %d", m->tRFC);
    const sp_energy_cfg *e = &c->energy;
    CHECK(e->mac_qk_pj >= 0, "energy.mac_qk_pj must be >= 0, got %g", e->mac_qk_pj);
    CHECK(e->mac_pv_pj >= 0, "energy.mac_pv_pj must be >= 0, got %g", e->mac_pv_pj);
    CHECK(e->exp_pj >= 0, "energy.exp_pj must be >= 0, got %g", e->exp_pj);
    CHECK(e->div_pj >= 0, "energy.div_pj must be >= 0, got %g", e->div_pj);
    CHECK(e->cmp_pj >= 0, "energy.cmp_pj must be >= 0, got %g", e->cmp_pj);
    CHECK(e->add_pj >= 0, "energy.add_pj must be >= 0, got %g", e->add_pj);
    CHECK(e->sram_read_pj_per_byte >= 0, "energy.sram_read_pj_per_byte must be >= 0, got %g", e->sram_read_pj_per_byte);
    CHECK(e->sram_write_pj_per_byte >= 0, "energy.sram_write_pj_per_byte must be >= 0, got %g", e->sram_write_pj_per_byte);
    CHECK(e->dram_pj_per_bit >= 0, "energy.dram_pj_per_bit must be >= 0, got %g", e->dram_pj_per_bit);
    CHECK(e->static_mw >= 0, "energy.static_mw must be >= 0, got %g", e->static_mw);
    CHECK(e->node_nm >= 1 && e->node_nm <= 1000, "energy.node_nm must be in 1..1000, got %d", e->node_nm);
    return 0;
}
