// addrmap.h - the fixed memory address map shared by rtl/fetcher.v,
// rtl/writer.v, the timing model and the TLM memory target (docs/rtl.md
// section 2), in C++ names over the generated sp_defs.h: every field width,
// shift and region code is declared once in defs/spattn.defs. A byte
// address is the concatenation {region, layer, head, index[13:4], beat ^
// swz, index[3:0], 32-byte offset}, swz = {region[0], head[1:0], 1'b0} (the
// bank swizzle): beat b of a row is at beat 0's address ^ (b << the beat
// field's shift), beat_addr.
#ifndef SP_ADDRMAP_H
#define SP_ADDRMAP_H
#include <cstdint>
#include "sp_defs.h"

namespace spaddr {
constexpr int kBeatBytes = SP_ADDR_BEAT_BYTES;  // one memory beat (HBM2 burst)
constexpr int kBeatBits = SP_ADDR_BEAT_BITS;
constexpr int kBeatShift = SP_ADDR_IDX_LO_SHIFT;  // index[3:0] right above the byte offset
constexpr int kIdxLoBits = SP_ADDR_IDX_LO_BITS;
constexpr int kBeatFieldBits = SP_ADDR_BEAT_FIELD_BITS;
constexpr int kBeatFieldShift = SP_ADDR_BEAT_FIELD_SHIFT;
constexpr int kIdxHiShift = SP_ADDR_IDX_HI_SHIFT;
constexpr int kIndexBits = SP_ADDR_INDEX_BITS;
constexpr int kHeadShift = SP_ADDR_HEAD_SHIFT;
constexpr int kLayerShift = SP_ADDR_LAYER_SHIFT;
constexpr int kRegionShift = SP_ADDR_REGION_SHIFT;
constexpr int kAddrBits = SP_ADDR_BITS;

enum Region : unsigned {
    kScale = SP_REGION_SCALE, kQ = SP_REGION_Q, kKMsb = SP_REGION_K_MSB, kKLsb = SP_REGION_K_LSB,
    kVMsb = SP_REGION_V_MSB, kVLsb = SP_REGION_V_LSB, kOut = SP_REGION_OUT, kRegions = SP_REGION_COUNT
};

constexpr unsigned mask(int bits) { return (1u << bits) - 1; }

// the bank swizzle of a row's beat field: {region[0], head[1:0]} << 1
inline unsigned swz(unsigned region, unsigned head)
{
    return ((region & 1u) << SP_ADDR_SWZ_HEAD_BITS | (head & mask(SP_ADDR_SWZ_HEAD_BITS))) << SP_ADDR_SWZ_SHIFT;
}

inline uint64_t make(unsigned region, unsigned layer, unsigned head, unsigned index, unsigned beat)
{
    return ((uint64_t)region << kRegionShift) | ((uint64_t)layer << kLayerShift) |
           ((uint64_t)head << kHeadShift) | ((uint64_t)(index >> kIdxLoBits) << kIdxHiShift) |
           ((uint64_t)((beat ^ swz(region, head)) & mask(kBeatFieldBits)) << kBeatFieldShift) | ((uint64_t)(index & mask(kIdxLoBits)) << kBeatShift);
}
struct Fields {
    unsigned region, layer, head, index, beat, offset;
};
inline Fields split(uint64_t a)
{
    Fields f;
    f.offset = (unsigned)(a & (kBeatBytes - 1));
    f.index = (unsigned)(((a >> kIdxHiShift) & mask(kIndexBits - kIdxLoBits)) << kIdxLoBits) |
              (unsigned)((a >> kBeatShift) & mask(kIdxLoBits));
    f.head = (unsigned)((a >> kHeadShift) & mask(SP_ADDR_HEAD_BITS));
    f.layer = (unsigned)((a >> kLayerShift) & mask(SP_ADDR_LAYER_BITS));
    f.region = (unsigned)((a >> kRegionShift) & mask(SP_ADDR_REGION_BITS));
    f.beat = (unsigned)((a >> kBeatFieldShift) & mask(kBeatFieldBits)) ^ swz(f.region, f.head);
    return f;
}
// beat b of the row whose beat 0 is at addr0
inline uint64_t beat_addr(uint64_t addr0, unsigned b) { return addr0 ^ ((uint64_t)b << kBeatFieldShift); }
}  // namespace spaddr
#endif
