// addrmap.h - the fixed memory address map shared by rtl/fetcher.v and the
// TLM memory target (docs/rtl.md section 2). A byte address is the
// concatenation {region[2:0], layer[5:0], head[5:0], index[13:4], beat[3:0],
// index[3:0], 5'b0}: no multiplier is needed to form it, every field has
// room for the limits of docs/spec.md section 1, and the low index bits
// right above the 32-byte offset spread consecutive tokens over DRAM
// channels (cmodel/dram.c maps burst | channel | bank | column | row).
#ifndef SP_ADDRMAP_H
#define SP_ADDRMAP_H
#include <cstdint>

namespace spaddr {
constexpr int kBeatBytes = 32;           // one memory beat (HBM2 burst)
constexpr int kBeatBits = kBeatBytes * 8;
constexpr int kBeatShift = 5;
constexpr int kIdxLoBits = 4;            // index[3:0] at bits [8:5]
constexpr int kBeatFieldBits = 4;        // up to 16 beats (512 bytes) per row, bits [12:9]
constexpr int kBeatFieldShift = kBeatShift + kIdxLoBits;          // 9
constexpr int kIdxHiShift = kBeatFieldShift + kBeatFieldBits;     // 13: index[13:4]
constexpr int kIndexBits = 14;
constexpr int kHeadShift = kIdxHiShift + kIndexBits - kIdxLoBits; // 23
constexpr int kLayerShift = kHeadShift + 6;               // 29
constexpr int kRegionShift = kLayerShift + 6;             // 35
constexpr int kAddrBits = 40;

enum Region : unsigned { kScale = 0, kQ = 1, kKMsb = 2, kKLsb = 3, kVMsb = 4, kVLsb = 5, kOut = 6, kRegions = 7 };

inline uint64_t make(unsigned region, unsigned layer, unsigned head, unsigned index, unsigned beat)
{
    return ((uint64_t)region << kRegionShift) | ((uint64_t)layer << kLayerShift) |
           ((uint64_t)head << kHeadShift) | ((uint64_t)(index >> kIdxLoBits) << kIdxHiShift) |
           ((uint64_t)beat << kBeatFieldShift) | ((uint64_t)(index & ((1u << kIdxLoBits) - 1)) << kBeatShift);
}
struct Fields {
    unsigned region, layer, head, index, beat, offset;
};
inline Fields split(uint64_t a)
{
    Fields f;
    f.offset = (unsigned)(a & (kBeatBytes - 1));
    f.beat = (unsigned)((a >> kBeatFieldShift) & ((1u << kBeatFieldBits) - 1));
    f.index = (unsigned)(((a >> kIdxHiShift) & ((1u << (kIndexBits - kIdxLoBits)) - 1)) << kIdxLoBits) |
              (unsigned)((a >> kBeatShift) & ((1u << kIdxLoBits) - 1));
    f.head = (unsigned)((a >> kHeadShift) & 63u);
    f.layer = (unsigned)((a >> kLayerShift) & 63u);
    f.region = (unsigned)((a >> kRegionShift) & 7u);
    return f;
}
}  // namespace spaddr
#endif
