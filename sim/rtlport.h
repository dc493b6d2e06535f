// rtlport.h - helpers to drive the Verilated spattn_top (run registers,
// memory response, observation port, activity counters); shared by the
// SystemC harness and the plain C++ loop.
#ifndef SP_RTLPORT_H
#define SP_RTLPORT_H
#include <cstdint>
#include <cstring>
#include "Vspattn_top.h"
#include "checker.h"
#include "addrmap.h"
#include "sim_params.h"  // SIM_FETCH_ROWS: the build's FetchRows
extern "C" {
#include "spattn.h"
}

inline void rtl_set_run_regs(Vspattn_top *t, const sp_config &c, const sp_trace &tr)
{
    const sp_alg_cfg &a = c.alg;
    t->cfg_decode_i = tr.mode == SP_MODE_DECODE;
    t->cfg_layers_i = (uint8_t)tr.layers;
    t->cfg_heads_i = (uint8_t)tr.heads;
    t->cfg_ctx_i = (uint16_t)tr.ctx;
    t->cfg_iters_i = (uint16_t)tr.iters;
    t->cfg_d_i = (uint16_t)tr.d;
    t->cfg_token_keep_i = a.token_keep_q16;
    t->cfg_token_start_i = (uint8_t)(a.token_start_layer > 127 ? 127 : a.token_start_layer);
    t->cfg_head_keep_i = a.head_keep_q16;
    t->cfg_head_start_i = (uint8_t)(a.head_start_layer > 127 ? 127 : a.head_start_layer);
    t->cfg_value_keep_i = a.value_keep_q16;
    t->cfg_tau_i = (uint16_t)a.tau_q15;
}

// bytes of the read port's response (FetchRows rows), of one row, and rows
constexpr size_t rtl_row_bytes() { return sizeof(Vspattn_top::mem_rsp_data_i); }
constexpr unsigned rtl_fetch_rows() { return SIM_FETCH_ROWS; }
constexpr size_t rtl_one_row_bytes() { return rtl_row_bytes() / SIM_FETCH_ROWS; }
static_assert(rtl_row_bytes() % SIM_FETCH_ROWS == 0, "the response holds FetchRows whole rows");

// beat-0 address of row r of the request on mem_req_addr_o (40 bits a
// row), whatever C type Verilator gave the port (QData or VlWide)
inline uint64_t rtl_addr_at(uint64_t w, unsigned) { return w; }
template <std::size_t N>
inline uint64_t rtl_addr_at(const VlWide<N> &w, unsigned r)
{
    unsigned o = r * (unsigned)spaddr::kAddrBits, i = o / 32, sh = o % 32;
    unsigned __int128 v = 0;
    for (unsigned k = 0; k < 3 && i + k < N; k++)
        v |= (unsigned __int128)w[i + k] << (32 * k);
    return (uint64_t)(v >> sh) & ((UINT64_C(1) << spaddr::kAddrBits) - 1);
}
inline uint64_t rtl_req_addr(const Vspattn_top *t, unsigned r) { return rtl_addr_at(t->mem_req_addr_o, r); }

inline void rtl_set_rsp(Vspattn_top *t, bool valid, const uint8_t *row)
{
    t->mem_rsp_valid_i = valid;
    if (valid)
        for (size_t w = 0; w < rtl_row_bytes() / 4; w++) {
            uint32_t x;
            std::memcpy(&x, row + 4 * w, 4);  // little-endian host
            t->mem_rsp_data_i[w] = x;
        }
}

// element j of the D x 16-bit output port, whatever C type Verilator
// gave it (IData, QData or VlWide)
inline int16_t rtl_vec_el(uint16_t w, int) { return (int16_t)w; }
inline int16_t rtl_vec_el(uint32_t w, int j) { return (int16_t)(uint16_t)(w >> (16 * j)); }
inline int16_t rtl_vec_el(uint64_t w, int j) { return (int16_t)(uint16_t)(w >> (16 * j)); }
template <std::size_t N>
inline int16_t rtl_vec_el(const VlWide<N> &w, int j)
{
    return (int16_t)(uint16_t)(w[(std::size_t)j / 2] >> (16 * (j % 2)));
}

// the beat on the write port, as bytes
inline void rtl_wr_data(const Vspattn_top *t, uint8_t *data)
{
    for (int w = 0; w < spaddr::kBeatBytes / 4; w++) {
        uint32_t x = t->mem_wr_data_o[w];
        std::memcpy(data + 4 * w, &x, 4);  // little-endian host
    }
}

// the first observation port: front end and pruning items (never an
// output: that is the back end's, on the second port)
inline ObsEvent rtl_obs(const Vspattn_top *t)
{
    ObsEvent e;
    e.kind = t->obs_kind_o;
    e.it = t->obs_it_o;
    e.layer = t->obs_layer_o;
    e.head = t->obs_head_o;
    e.row = t->obs_row_o;
    e.idx = t->obs_idx_o;
    e.data = t->obs_data_o;
    e.vec = nullptr;
    return e;
}

// a probability item carries one softmax row: obs_pn_o probabilities
inline int rtl_obs_pn(const Vspattn_top *t) { return (int)t->obs_pn_o; }
// ... of which lane j as its own item (token, probability), as the checker
// takes them: one probability per item, in position order
inline ObsEvent rtl_obs_prob(const Vspattn_top *t, int j)
{
    ObsEvent e = rtl_obs(t);
    e.idx = (uint16_t)rtl_vec_el(t->obs_ptok_o, j);
    e.data = (uint16_t)rtl_vec_el(t->obs_pvec_o, j);
    return e;
}

// the second observation port: the back end's items (its head output rides
// on obs_vec_o)
inline ObsEvent rtl_obs2(const Vspattn_top *t, int16_t *buf, int d)
{
    ObsEvent e;
    e.kind = t->obs2_kind_o;
    e.it = t->obs2_it_o;
    e.layer = t->obs2_layer_o;
    e.head = t->obs2_head_o;
    e.row = t->obs2_row_o;
    e.idx = t->obs2_idx_o;
    e.data = 0;
    e.vec = nullptr;
    if (e.kind == kObsOut) {
        for (int j = 0; j < d; j++)
            buf[j] = rtl_vec_el(t->obs_vec_o, j);
        e.vec = buf;
    }
    return e;
}

// pipeline stages on fphase_o / xphase_o / vphase_o / bphase_o (defs/spattn.defs SP_FST_*, SP_XST_*,
// SP_VST_*, SP_BST_*)
constexpr int kFStages = SP_FST_PHOLD + 1;
constexpr int kXStages = SP_XST_HAND + 1;
constexpr int kVStages = SP_VST_HAND + 1;
constexpr int kBStages = SP_BST_OUT + 1;
static const char *const kFStageNames[kFStages] = {"idle", "q_fetch", "qk", "sm_wait", "requant", "prune_hold"};
static const char *const kXStageNames[kXStages] = {"idle", "hold", "stream", "hand"};
static const char *const kVStageNames[kVStages] = {"idle", "select", "hand"};
static const char *const kBStageNames[kBStages] = {"idle", "v_fetch", "pv", "out"};

constexpr int kPhases = 11;
// controller phases (rtl/spattn_top.v cnt_phase_o, docs/rtl.md s6)
static const char *const kPhaseNames[kPhases] = {"idle_init", "scan", "q_fetch", "k_fetch_qk", "softmax",
                                                 "requant", "value_topk", "value_fetch", "pv", "out",
                                                 "prune"};

struct RtlCounters {
    uint64_t cycles, init, qk_mul, pv_mul, kbuf_wr, kbuf_rd, vbuf_wr, vbuf_rd, dram_beats, dram_wr_beats, cmp,
        topk_cycles, softmax_runs, sm_work;
    uint64_t phase[kPhases];
};

inline RtlCounters rtl_counters(const Vspattn_top *t)
{
    RtlCounters c;
    c.cycles = t->cnt_cycles_o;
    c.init = t->cnt_init_o;
    c.qk_mul = t->cnt_qk_mul_o;
    c.pv_mul = t->cnt_pv_mul_o;
    c.kbuf_wr = t->cnt_kbuf_wr_o;
    c.kbuf_rd = t->cnt_kbuf_rd_o;
    c.vbuf_wr = t->cnt_vbuf_wr_o;
    c.vbuf_rd = t->cnt_vbuf_rd_o;
    c.dram_beats = t->cnt_dram_beats_o;
    c.dram_wr_beats = t->cnt_dram_wr_beats_o;
    c.cmp = t->cnt_cmp_o;
    c.topk_cycles = t->cnt_topk_cycles_o;
    c.softmax_runs = t->cnt_softmax_o;
    c.sm_work = t->cnt_sm_work_o;
    for (int i = 0; i < kPhases; i++)
        c.phase[i] = (uint64_t)t->cnt_phase_o[2 * i] | ((uint64_t)t->cnt_phase_o[2 * i + 1] << 32);
    return c;
}

// cycles of reset before the run starts, and the start pulse (declared once
// in defs/spattn.defs; SP_RUN_START, the cycle after, begins cmodel/timing.c's run)
constexpr uint64_t kResetCycles = SP_RESET_CYCLES;
constexpr uint64_t kStartCycle = SP_START_CYCLE;
#endif
