// image.h - the memory image of one trace laid out by the address map of
// addrmap.h (docs/rtl.md section 2): logit scales, q rows, and K and V as
// MSB and LSB bit planes.
#ifndef SP_IMAGE_H
#define SP_IMAGE_H
#include <cstdint>
#include <string>
#include <vector>
extern "C" {
#include "spattn.h"
}
#include "addrmap.h"

class MemImage {
public:
    // Builds every region; false with a message when a logit scale cannot
    // be made (the same check as sp_run_model).
    // hw_d: the hardware's head dimension; rows are laid out for it (a
    // trace with d < hw_d gets zero elements d..hw_d-1).
    bool build(const sp_config &cfg, const sp_trace &tr, int hw_d, std::string &err);
    // Copies the beat at byte address a (beat aligned) into out[32];
    // false when the address maps to nothing.
    bool read_beat(uint64_t a, uint8_t *out) const;
    // Stores a beat at byte address a; only the output region is writable.
    bool write_beat(uint64_t a, const uint8_t *in);
    int beats(unsigned region) const { return reg_[region].beats; }
    uint64_t bytes_total() const;

private:
    struct Region {
        int beats = 0;      // beats per row
        int nidx = 0;       // rows per (layer, head)
        std::vector<uint8_t> data;
    };
    Region reg_[spaddr::kRegions];
    int layers_ = 0, heads_ = 0;
    void alloc(unsigned r, int beats, int nidx);
    uint8_t *row(unsigned r, int l, int h, int idx);
    bool locate(uint64_t a, size_t *off) const;
    void planes(unsigned r, int l, int h, int idx, const int16_t *x, int d, int stride, int lo, int n);
};
#endif
