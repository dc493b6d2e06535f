// plain_loop.cpp - see plain_loop.h. Mirrors RtlHarness::tick step by step.
#include "plain_loop.h"
#include <chrono>
#include <ctime>
#include <memory>
#include <vector>

PlainResult plain_loop_run(VerilatedContext *ctx, const sp_config &cfg, const sp_trace &tr, MemModel &mem)
{
    PlainResult r{false, 0, {}, 0.0, 0.0};
    std::unique_ptr<Vspattn_top> top(new Vspattn_top(ctx, "spattn_top"));
    Vspattn_top *t = top.get();
    rtl_set_run_regs(t, cfg, tr);
    t->rst_ni = 0;
    t->clk_i = 0;
    t->start_i = 0;
    t->mem_req_ready_i = 0;
    t->mem_rsp_valid_i = 0;
    t->mem_wr_ready_i = 0;
    t->eval();
    RspQueue rsp(rtl_row_bytes());
    std::vector<uint8_t> row(rtl_row_bytes()), rrow(rtl_row_bytes());
    uint8_t buf[spaddr::kBeatBytes];
    uint64_t last_obs = 0;
    auto t0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    for (uint64_t cycle = 0;; cycle++) {
        if (cycle > kStartCycle) {
            if (t->obs_kind_o || t->obs2_kind_o)
                last_obs = cycle;
            if (t->done_o) {
                r.ok = true;
                r.cycles = cycle;
                break;
            }
            if (cycle - last_obs > 20000000) {
                r.cycles = cycle;
                break;
            }
        }
        bool ready = rsp.can_accept() && cycle >= kResetCycles;
        t->mem_req_ready_i = ready;
        if (ready && t->mem_req_valid_o) {
            uint64_t arrive = cycle, done;
            unsigned nb = t->mem_req_beats_o, nr = t->mem_req_rows_o;
            const size_t rb = rtl_one_row_bytes();
            bool bad = false;
            for (unsigned k = 0; k < nr && k < rtl_fetch_rows() && !bad; k++)
                for (unsigned b = 0; b < nb && b < rb / spaddr::kBeatBytes; b++) {
                    if (!mem.read(spaddr::beat_addr(rtl_req_addr(t, k), b), cycle,
                                  row.data() + k * rb + (size_t)b * spaddr::kBeatBytes, &done)) {
                        bad = true;
                        break;
                    }
                    if (done > arrive)
                        arrive = done;
                }
            if (bad) {
                r.cycles = cycle;
                break;
            }
            rsp.push(arrive, row.data());
        }
        t->mem_wr_ready_i = cycle >= kResetCycles;
        if (cycle >= kResetCycles && t->mem_wr_valid_o) {
            rtl_wr_data(t, buf);
            if (!mem.write(t->mem_wr_addr_o, cycle, buf)) {
                r.cycles = cycle;
                break;
            }
        }
        rtl_set_rsp(t, rsp.pop(cycle, rrow.data()), rrow.data());
        t->rst_ni = cycle >= kResetCycles;
        t->start_i = cycle == kStartCycle;
        t->eval();
        t->clk_i = 1;
        t->eval();
        t->clk_i = 0;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.cpu_seconds = (double)(std::clock() - c0) / CLOCKS_PER_SEC;
    r.counters = rtl_counters(t);
    t->final();
    return r;
}
