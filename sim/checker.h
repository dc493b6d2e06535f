// checker.h - lock-step checker: runs the C model (sp_run_model) in its
// own thread; each observer callback copies one expected record and hands
// it to the checker, waiting until the checker has taken it (the C model
// runs at most one record ahead). The RTL has up to four head-steps in
// flight (front end, ctl_smx, ctl_vsel, back end, docs/rtl.md s5): the checker keeps the open
// head-step records and matches each observation to its head-step by
// (iteration, layer, head, row); within one head-step the order is
// checked. The first difference stops the run with a message naming the
// unit, iteration, layer, head, row, index and both values.
#ifndef SP_CHECKER_H
#define SP_CHECKER_H
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
extern "C" {
#include "spattn.h"
}

// Kinds on the RTL observation port (rtl/spattn_top.v, docs/rtl.md s4),
// declared once in defs/spattn.defs (generated sp_defs.h; the controller
// reads the same codes from sp_defs.vh).
enum ObsKind : unsigned {
    kObsNone = SP_OBS_NONE, kObsProb = SP_OBS_PROB, kObsRequant = SP_OBS_REQUANT, kObsVKept = SP_OBS_VKEPT,
    kObsOut = SP_OBS_OUT, kObsStepEnd = SP_OBS_STEP_END, kObsTokImp = SP_OBS_TOK_IMP,
    kObsTokKeep = SP_OBS_TOK_KEEP, kObsTokEnd = SP_OBS_TOK_END, kObsHeadImp = SP_OBS_HEAD_IMP,
    kObsHeadKeep = SP_OBS_HEAD_KEEP, kObsHeadEnd = SP_OBS_HEAD_END
};

struct ObsEvent {
    unsigned kind;
    unsigned it, layer, head, row, idx;
    uint64_t data;
    const int16_t *vec;  // kind out: the head output (idx elements)
};

class Checker {
public:
    Checker(const sp_config *cfg, const sp_trace *tr);
    ~Checker();
    void start();
    // Feeds one RTL observation; false after the first mismatch. cycle: the
    // harness's count of rising edges applied since the simulation began
    // (reset included); the item was loaded on edge cycle - 1.
    bool feed(const ObsEvent &e, uint64_t cycle);
    // The RTL said done: the C model must have nothing left.
    bool finish(uint64_t cycle);
    // After finish(): the RTL's activity counters against the C model's
    // event counts (the figures the energy model uses).
    struct Activity {
        uint64_t kbuf_row_writes, vbuf_row_writes, softmax_runs, topk_compares, topk_cycles;
    };
    bool check_events(const Activity &a);
    // After finish(): every head output the C model produced must be in the
    // output region of memory (read back with peek), and the RTL must have
    // written exactly those rows (wr_beats = rows x beats per row).
    bool check_outputs(const std::function<bool(uint64_t, uint8_t *)> &peek, uint64_t wr_beats, int row_beats);
    bool failed() const { return failed_; }
    const std::string &message() const { return msg_; }
    std::string counts() const;
    uint64_t head_steps() const { return n_steps_; }

private:
    enum RecKind { kRecNone, kRecStep, kRecTok, kRecHead, kRecEnd };
    // a C model record, copied out of the model's buffers; for a head-step
    // also what the RTL has shown of it so far
    struct Rec {
        RecKind kind = kRecNone;
        int it = 0, layer = 0, head = 0, row = 0;
        // head-step
        int n_active = 0, requant = 0;
        std::vector<int32_t> tokens;
        std::vector<uint16_t> prob;
        std::vector<int16_t> out;
        uint64_t head_imp_add = 0;
        uint16_t pmax = 0;
        // head-step kept values, or the pruning kept list
        std::vector<int32_t> kept;
        int n_prob = 0, n_vkept = 0, n_out = 0;
        bool seen_rq = false;
    };
    static void cb_step(void *ctx, int it, int l, int h, int row, const sp_head_result *r);
    static void cb_tok(void *ctx, int it, int l, const int32_t *kept, int n);
    static void cb_head(void *ctx, int it, int l, const int32_t *kept, int n);
    void post(Rec &&r);          // C thread: hand over and wait until taken
    void next(Rec &r);           // checker: take the next record
    uint16_t pass1_pmax(const Rec &r);
    bool fail(const char *unit, const ObsEvent &e, const std::string &what, long long rtl, long long c);
    bool feed_step(const ObsEvent &e);
    bool feed_prune(const ObsEvent &e, int g);

    const sp_config *cfg_;
    const sp_trace *tr_;
    std::thread th_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool have_ = false, abort_ = false, started_ = false;
    Rec slot_;
    bool end_seen_ = false;
    int c_rc_ = 0;
    char c_err_[512] = {0};
    sp_run_result res_{};

    std::deque<Rec> steps_;  // open head-steps, oldest first (at most four: front, ctl_smx, ctl_vsel, back)
    Rec prune_;              // the open pruning record
    bool prune_open_ = false;
    int n_keep_ = 0, n_imp_ = 0;
    size_t rank_pos_ = 0;
    std::vector<uint64_t> imp_, himp_;
    std::map<uint64_t, std::vector<int16_t>> exp_out_;  // by output-row address
    std::vector<int32_t> last_tokens_;  // A_l as seen in the layer's last head-step
    std::vector<int> layer_heads_;      // heads computed in the current (it, layer)
    int lt_it_ = -1, lt_layer_ = -1;
    bool failed_ = false;
    uint64_t cycle_ = 0;  // harness cycle of the last feed() / finish(), for the MISMATCH line
    std::string msg_;
    uint64_t n_steps_ = 0, n_probs_ = 0, n_outs_ = 0, n_requant_ = 0, n_vk_ = 0, n_tprune_ = 0,
             n_hprune_ = 0, n_imps_ = 0;
};
#endif
