// plain_loop.h - the same Verilated design and memory model clocked by a
// plain C++ loop, without SystemC or TLM (`spattn_cosim --harness plain`):
// the reference for the SystemC harness's overhead in `make bench`.
#ifndef SP_PLAIN_LOOP_H
#define SP_PLAIN_LOOP_H
#include <cstdint>
#include "memmodel.h"
#include "rtlport.h"

struct PlainResult {
    bool ok;
    uint64_t cycles;
    RtlCounters counters;
    double seconds;      // wall clock of the loop
    double cpu_seconds;  // process CPU time of the loop
};

PlainResult plain_loop_run(VerilatedContext *ctx, const sp_config &cfg, const sp_trace &tr, MemModel &mem);
#endif
