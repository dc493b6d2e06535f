// memmodel.h - the memory behind the RTL's read port: the trace image
// (image.h) and the C DRAM timing model (cmodel/dram.c), plus the in-order
// response queue of the port (one 32-byte beat per cycle at most). The TLM
// target (mem_target.h) and the plain C++ loop (bench_loop.cpp) both use it.
#ifndef SP_MEMMODEL_H
#define SP_MEMMODEL_H
#include <cstdint>
#include <deque>
#include <string>
#include <vector>
#include "image.h"
extern "C" {
#include "dram.h"
}

class MemModel {
public:
    ~MemModel();
    bool init(const sp_config &cfg, const sp_trace &tr, int hw_d, std::string &err);
    // A read of the beat at addr issued at accelerator cycle now: copies the
    // data, returns the cycle its data has arrived; false when unmapped.
    bool read(uint64_t addr, uint64_t now, uint8_t *data, uint64_t *done);
    // A posted write of one beat (the head outputs); false when the address
    // is not in the output region.
    // done (optional): the DRAM model's completion cycle of the write
    bool write(uint64_t addr, uint64_t now, const uint8_t *data, uint64_t *done = nullptr);
    bool peek(uint64_t addr, uint8_t *data) const { return img_.read_beat(addr, data); }
    const sp_dram_stats &dram_stats() const { return dram_.st; }
    uint64_t image_bytes() const { return img_.bytes_total(); }
    int out_beats() const { return img_.beats(spaddr::kOut); }

private:
    MemImage img_;
    sp_dram dram_{};
    bool dram_ok_ = false;
};

// In-order responses of whole rows: a row becomes visible at max(the
// arrival of its last beat, the previous row's cycle + 1).
class RspQueue {
public:
    static constexpr size_t kMaxInFlight = SP_FETCH_MAX_OUT;  // rows outstanding (defs/spattn.defs, as the fetcher)
    explicit RspQueue(size_t row_bytes) : row_bytes_(row_bytes) {}
    bool can_accept() const { return q_.size() < kMaxInFlight; }
    void push(uint64_t arrive, const uint8_t *row);
    // The row due at cycle now, if any (pops it into row).
    bool pop(uint64_t now, uint8_t *row);
    bool empty() const { return q_.empty(); }
    size_t row_bytes() const { return row_bytes_; }

private:
    struct Row {
        uint64_t cycle;
        std::vector<uint8_t> data;
    };
    size_t row_bytes_;
    std::deque<Row> q_;
    uint64_t last_ = 0;
    bool any_ = false;
};
#endif
