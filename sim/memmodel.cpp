// memmodel.cpp - see memmodel.h.
#include "memmodel.h"
#include <cstring>

MemModel::~MemModel()
{
    if (dram_ok_)
        sp_dram_free(&dram_);
}

bool MemModel::init(const sp_config &cfg, const sp_trace &tr, int hw_d, std::string &err)
{
    if (!img_.build(cfg, tr, hw_d, err))
        return false;
    char e[512];
    if (sp_dram_init(&dram_, &cfg.hw.dram, cfg.hw.clock_mhz, e, sizeof e)) {
        err = e;
        return false;
    }
    dram_ok_ = true;
    return true;
}

static sp_dram_kindof kind_of(unsigned region)
{
    switch (region) {
    case spaddr::kQ: return SP_DK_Q;
    case spaddr::kKMsb: return SP_DK_K_MSB;
    case spaddr::kKLsb: return SP_DK_K_LSB;
    case spaddr::kVMsb:
    case spaddr::kVLsb: return SP_DK_V;
    default: return SP_DK_OTHER;
    }
}

bool MemModel::read(uint64_t addr, uint64_t now, uint8_t *data, uint64_t *done)
{
    if (!img_.read_beat(addr, data))
        return false;
    *done = sp_dram_access(&dram_, addr, spaddr::kBeatBytes, 0, kind_of(spaddr::split(addr).region), now, nullptr);
    return true;
}

bool MemModel::write(uint64_t addr, uint64_t now, const uint8_t *data, uint64_t *done)
{
    if (!img_.write_beat(addr, data))
        return false;
    uint64_t e = sp_dram_access(&dram_, addr, spaddr::kBeatBytes, 1, SP_DK_OUT, now, nullptr);
    if (done)
        *done = e;
    return true;
}

void RspQueue::push(uint64_t arrive, const uint8_t *row)
{
    Row r;
    r.cycle = (any_ && arrive <= last_) ? last_ + 1 : arrive;
    last_ = r.cycle;
    any_ = true;
    r.data.assign(row, row + row_bytes_);
    q_.push_back(std::move(r));
}

bool RspQueue::pop(uint64_t now, uint8_t *row)
{
    if (q_.empty() || q_.front().cycle > now)
        return false;
    std::memcpy(row, q_.front().data.data(), row_bytes_);
    q_.pop_front();
    return true;
}
