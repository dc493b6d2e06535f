// harness.h - SystemC module around the Verilated spattn_top: clocks it,
// turns its memory read port into TLM-2.0 b_transport calls (initiator
// socket; the target is mem_target.h), drives reset, run registers and
// start (the trace driver), and feeds the observation port to the checker.
#ifndef SP_HARNESS_H
#define SP_HARNESS_H
#include <memory>
#include <string>
// Verilator's headers first: with SystemC seen first they expect its
// names in the global namespace
#include "rtlport.h"
#include "memmodel.h"
#include "timing_cmp.h"
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#if SIM_TRACE
#include "verilated_fst_c.h"
#endif

struct RtlHarness : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<RtlHarness> socket;
    SC_HAS_PROCESS(RtlHarness);

    // mem: the memory behind the target (read back for the output check)
    RtlHarness(sc_core::sc_module_name n, VerilatedContext *ctx, const sp_config *cfg, const sp_trace *tr,
               Checker *checker, MemModel *mem, sc_core::sc_time period, const char *waves);
    ~RtlHarness() override;

    bool finished = false;      // done_o seen or run stopped
    bool ok = false;            // finished without a mismatch or error
    std::string message;        // first failure
    uint64_t cycle = 0;         // clock edges so far
    uint64_t run_cycles = 0;    // from start to done
    RtlCounters counters{};
    RtlUnitMeter meter;         // per-unit RTL cycles for the timing comparison
    uint64_t watchdog = 20000000;  // cycles without any observation
    // busy cycles by (front-end stage, back-end stage): fphase_o x bphase_o
    uint64_t cover[kFStages][kBStages] = {};
    // busy cycles by (ctl_smx stage, front-end stage) and (ctl_smx stage,
    // back-end stage): xphase_o x fphase_o, xphase_o x bphase_o
    uint64_t cover_xf[kXStages][kFStages] = {};
    uint64_t cover_xb[kXStages][kBStages] = {};
    // busy cycles by (ctl_vsel stage, ctl_smx stage) and (ctl_vsel stage,
    // back-end stage): vphase_o x xphase_o, vphase_o x bphase_o
    uint64_t cover_vx[kVStages][kXStages] = {};
    uint64_t cover_vb[kVStages][kBStages] = {};
    // busy cycles of the K prefetch walk (pfetch_o) by front-end stage
    uint64_t cover_pf[kFStages] = {};

private:
    void tick();
    void stop(bool good, const std::string &msg);
    VerilatedContext *ctx_;
    std::unique_ptr<Vspattn_top> top_;
    const sp_config *cfg_;
    const sp_trace *tr_;
    Checker *checker_;
    MemModel *mem_;
    sc_core::sc_time period_;
    RspQueue rsp_;
    uint64_t last_obs_ = 0;
    uint64_t tk_prev_ = 0, prune_prev_ = 0;  // top-k cycles, pruning-phase cycles
    unsigned fprev_ = 0, bprev_ = 0;         // last cycle's fphase_o, bphase_o
    tlm::tlm_generic_payload pl_;
    std::vector<uint8_t> row_, rsp_row_;
    int16_t vec_[SP_MAX_D];
    uint8_t wbuf_[spaddr::kBeatBytes];
#if SIM_TRACE
    std::unique_ptr<VerilatedFstC> fst_;
#endif
};
#endif
