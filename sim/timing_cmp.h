// timing_cmp.h - RTL cycles beside the C timing model's, per unit
// (docs/rtl.md s9). RtlUnitMeter measures the RTL side in the harness
// (memory job spans from the read/write ports, top-k cycles split by
// controller phase, observation counts); timing_compare runs the C timing
// model on the same config and trace, once as configured (the pipelined
// schedule `spattn run` reports) and once as the RTL's schedule
// (cmodel/timing.c, rows D wide), and builds the table and its JSON.
#ifndef SP_TIMING_CMP_H
#define SP_TIMING_CMP_H
#include <cstdint>
#include <string>
#include <vector>
extern "C" {
#include "spattn.h"
#include "timing.h"
}

// memory job classes, as the C model's fetch and write units
enum MemClass { kMcFetchK = 0, kMcFetchKLsb, kMcFetchV, kMcWrite, kMcN };
MemClass mem_class_of_region(unsigned region);

struct RtlUnitMeter {
    // one memory operation: issued in cycle issue, last beat's DRAM
    // completion in cycle done. A job is a run of operations of one class
    // of one pipeline end (the front end's key fetch and LSB refetch, the
    // back end's value fetch: their requests interleave on the one port);
    // its span is first issue to last completion (the C model's job span).
    void op(MemClass c, uint64_t issue, uint64_t done);
    // a head-step's front end starts its requests (fphase_o enters
    // q_fetch) / its back end starts (bphase_o enters value_topk): the
    // next operation of that end opens a new job
    void cut_front() { fcut_ = true; }
    void cut_back() { vcut_ = true; }
    // beats of one output row: a write job is one row's beats (posted
    // writes may overlap the next head-step's reads, so writes are
    // segmented apart from reads)
    unsigned write_beats = 1;
    // the top-k engine's cycle counter grew by delta; prune: the controller
    // was in its pruning phase (else the value selection)
    void topk(uint64_t delta, bool prune);
    void obs(unsigned kind);
    void finish();  // closes the open jobs
    uint64_t span[kMcN] = {0, 0, 0, 0}, jobs[kMcN] = {0, 0, 0, 0};
    uint64_t topk_value = 0, topk_prune = 0, probs = 0, requants = 0;

private:
    struct Open {
        int c = -1;
        uint64_t js = 0, je = 0;
    };
    void close(Open &o);
    Open front_, back_;
    bool fcut_ = false, vcut_ = false;
    unsigned wn_ = 0;  // beats of the open write job
    uint64_t ws_ = 0, we_ = 0;
};

// RTL counters the comparison reads (rtlport.h RtlCounters fields)
struct RtlUnitCounts {
    uint64_t cycles, kbuf_rd, vbuf_rd, sm_work;
};

struct TimingCompare {
    bool ok = false;
    std::string error;
    struct Row {
        const char *unit;
        uint64_t rtl, c;
        bool exact_rule;  // work defined identically: must agree exactly
    };
    Row rows[SP_U_N + 1];  // the units, then "total"
    int n = 0;
    uint64_t c_config_total = 0;  // the C model with the config as given
    std::string table() const;   // the printed table (lines "timing ...")
    std::string json() const;    // "timing_compare": {...} (no trailing comma)
};

// Runs the engine on the config and trace (c_config_total: its cycles, as
// `spattn run` reports them), then the timing model on its head-steps with
// each row's own counts in the RTL's schedule, and fills the comparison.
// hw_d: the hardware D the RTL was built for (rows are D wide)
TimingCompare timing_compare(const sp_config &cfg, const sp_trace &tr, int hw_d, const RtlUnitMeter &m,
                             const RtlUnitCounts &rc);
#endif
