// harness.cpp - see harness.h.
#include "harness.h"
#include <cstdio>

RtlHarness::RtlHarness(sc_core::sc_module_name n, VerilatedContext *ctx, const sp_config *cfg,
                       const sp_trace *tr, Checker *checker, MemModel *mem, sc_core::sc_time period,
                       const char *waves)
    : sc_module(n), socket("socket"), ctx_(ctx), cfg_(cfg), tr_(tr), checker_(checker),
      mem_(mem), period_(period), rsp_(rtl_row_bytes()), row_(rtl_row_bytes()), rsp_row_(rtl_row_bytes())
{
#if SIM_TRACE
    if (waves)
        ctx_->traceEverOn(true);
#endif
    top_.reset(new Vspattn_top(ctx_, "spattn_top"));
#if SIM_TRACE
    if (waves) {
        fst_.reset(new VerilatedFstC);
        top_->trace(fst_.get(), 99);
        fst_->open(waves);
    }
#else
    (void)waves;
#endif
    rtl_set_run_regs(top_.get(), *cfg_, *tr_);
    meter.write_beats = (unsigned)mem_->out_beats();
    top_->rst_ni = 0;
    top_->clk_i = 0;
    top_->start_i = 0;
    top_->mem_req_ready_i = 0;
    top_->mem_rsp_valid_i = 0;
    top_->mem_wr_ready_i = 0;
    top_->eval();
    // one call per clock period from time 0 (next_trigger in tick): a timed
    // method rather than an sc_clock port, so no clock signal updates and
    // edge processes run in the kernel twice a cycle
    SC_METHOD(tick);
}

RtlHarness::~RtlHarness()
{
#if SIM_TRACE
    if (fst_)
        fst_->close();
#endif
    top_->final();
}

void RtlHarness::stop(bool good, const std::string &msg)
{
    finished = true;
    ok = good;
    message = msg;
    counters = rtl_counters(top_.get());
    meter.finish();
    sc_core::sc_stop();
}

void RtlHarness::tick()
{
    if (finished)
        return;
    next_trigger(period_);
    Vspattn_top *t = top_.get();
    // 1. what the last edge produced
    if (cycle > kStartCycle) {
        // top-k cycles end in the cycle of the engine's done: the phase
        // counter that grew on the same edge says which selection it was
        uint64_t tk = t->cnt_topk_cycles_o;
        uint64_t pr = (uint64_t)t->cnt_phase_o[2 * 10] | ((uint64_t)t->cnt_phase_o[2 * 10 + 1] << 32);
        if (tk != tk_prev_)
            meter.topk(tk - tk_prev_, pr != prune_prev_);
        tk_prev_ = tk;
        prune_prev_ = pr;
        // the pipeline stages of this cycle (OVERLAP COVERAGE, docs/rtl.md s5)
        if (t->busy_o) {
            int fs = t->fphase_o < kFStages ? t->fphase_o : 0, bs = t->bphase_o < kBStages ? t->bphase_o : 0;
            int xs = t->xphase_o < kXStages ? t->xphase_o : 0, vs = t->vphase_o < kVStages ? t->vphase_o : 0;
            cover[fs][bs]++;
            cover_xf[xs][fs]++;
            cover_xb[xs][bs]++;
            cover_vx[vs][xs]++;
            cover_vb[vs][bs]++;
        }
        if (t->busy_o && t->pfetch_o)
            cover_pf[t->fphase_o < kFStages ? t->fphase_o : 0]++;
        if (t->fphase_o == SP_FST_QFETCH && fprev_ != SP_FST_QFETCH)
            meter.cut_front();
        if (t->bphase_o == SP_BST_VFETCH && bprev_ != SP_BST_VFETCH)
            meter.cut_back();
        fprev_ = t->fphase_o;
        bprev_ = t->bphase_o;
        // port 2 (the back end, the older head-step) first, then port 1
        if (t->obs2_kind_o) {
            last_obs_ = cycle;
            if (checker_ && !checker_->feed(rtl_obs2(t, vec_, tr_->d), cycle)) {
                stop(false, checker_->message());
                return;
            }
        }
        if (t->obs_kind_o) {
            meter.obs(t->obs_kind_o);
            last_obs_ = cycle;
            if (checker_ && t->obs_kind_o == kObsProb) {
                // a row of probabilities: each one an item, in position order
                for (int j = 0, pn = rtl_obs_pn(t); j < pn; j++)
                    if (!checker_->feed(rtl_obs_prob(t, j), cycle)) {
                        stop(false, checker_->message());
                        return;
                    }
            } else if (checker_ && !checker_->feed(rtl_obs(t), cycle)) {
                stop(false, checker_->message());
                return;
            }
        }
        if (t->done_o) {
            run_cycles = cycle - kStartCycle - 1;
            if (checker_ && !checker_->finish(cycle)) {
                stop(false, checker_->message());
                return;
            }
            if (checker_) {
                RtlCounters c = rtl_counters(t);
                Checker::Activity act = {c.kbuf_wr, c.vbuf_wr, c.softmax_runs, c.cmp, c.topk_cycles};
                MemModel *m = mem_;
                if (!checker_->check_events(act) ||
                    !checker_->check_outputs([m](uint64_t a, uint8_t *d) { return m->peek(a, d); },
                                             c.dram_wr_beats, m->out_beats())) {
                    stop(false, checker_->message());
                    return;
                }
            }
            stop(true, "");
            return;
        }
        if (cycle - last_obs_ > watchdog) {
            char b[160];
            snprintf(b, sizeof b, "MISMATCH unit=controller: no observation for %llu cycles (hang) at cycle %llu",
                     (unsigned long long)watchdog, (unsigned long long)cycle);
            stop(false, b);
            return;
        }
    }
    // 2. memory request: one request (1..FetchRows rows) per cycle, one TLM
    // transaction per beat, row by row; the response carries all its rows
    bool ready = rsp_.can_accept() && cycle >= kResetCycles;
    t->mem_req_ready_i = ready;
    if (ready && t->mem_req_valid_o) {
        uint64_t addr0 = rtl_req_addr(t, 0), arrive = cycle;
        unsigned nb = t->mem_req_beats_o, nr = t->mem_req_rows_o;
        const size_t rb = rtl_one_row_bytes();
        for (unsigned k = 0; k < nr && k < rtl_fetch_rows(); k++)
        for (unsigned b = 0; b < nb && b < rb / spaddr::kBeatBytes; b++) {
            uint64_t addr = spaddr::beat_addr(rtl_req_addr(t, k), b);
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            pl_.set_command(tlm::TLM_READ_COMMAND);
            pl_.set_address(addr);
            pl_.set_data_ptr(row_.data() + k * rb + (size_t)b * spaddr::kBeatBytes);
            pl_.set_data_length(spaddr::kBeatBytes);
            pl_.set_streaming_width(spaddr::kBeatBytes);
            pl_.set_byte_enable_ptr(nullptr);
            pl_.set_dmi_allowed(false);
            pl_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            socket->b_transport(pl_, delay);
            if (pl_.is_response_error()) {
                spaddr::Fields f = spaddr::split(addr);
                char b2[256];
                snprintf(b2, sizeof b2,
                         "MISMATCH unit=fetcher: read of unmapped address 0x%010llx (region %u layer %u head %u index %u beat %u)",
                         (unsigned long long)addr, f.region, f.layer, f.head, f.index, f.beat);
                stop(false, b2);
                return;
            }
            uint64_t a = cycle + (uint64_t)(delay / period_);
            if (a > arrive)
                arrive = a;
        }
        meter.op(mem_class_of_region(spaddr::split(addr0).region), cycle, arrive);
        rsp_.push(arrive, row_.data());
    }
    // 2b. posted write of a head-output beat, through the same socket
    t->mem_wr_ready_i = cycle >= kResetCycles;
    if (cycle >= kResetCycles && t->mem_wr_valid_o) {
        uint64_t addr = t->mem_wr_addr_o;
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        rtl_wr_data(t, wbuf_);
        pl_.set_command(tlm::TLM_WRITE_COMMAND);
        pl_.set_address(addr);
        pl_.set_data_ptr(wbuf_);
        pl_.set_data_length(spaddr::kBeatBytes);
        pl_.set_streaming_width(spaddr::kBeatBytes);
        pl_.set_byte_enable_ptr(nullptr);
        pl_.set_dmi_allowed(false);
        pl_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        socket->b_transport(pl_, delay);
        if (pl_.is_response_error()) {
            char b[160];
            snprintf(b, sizeof b, "MISMATCH unit=writer: write outside the output region at 0x%010llx",
                     (unsigned long long)addr);
            stop(false, b);
            return;
        }
        meter.op(kMcWrite, cycle, cycle + (uint64_t)(delay / period_));
    }
    // 3. the response due now
    rtl_set_rsp(t, rsp_.pop(cycle, rsp_row_.data()), rsp_row_.data());
    // 4. trace driver: reset, then one start pulse
    t->rst_ni = cycle >= kResetCycles;
    t->start_i = cycle == kStartCycle;
    // 5. settle the inputs, then the rising edge
    t->eval();
    t->clk_i = 1;
    t->eval();
#if SIM_TRACE
    if (fst_) {
        fst_->dump((uint64_t)(2 * cycle + 1));
    }
#endif
    t->clk_i = 0;
    cycle++;
#if SIM_TRACE
    if (fst_) {
        t->eval();
        fst_->dump((uint64_t)(2 * cycle));
    }
#endif
}
