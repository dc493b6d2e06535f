// image.cpp - builds the memory image of a trace (see image.h).
#include "image.h"
#include <cstring>

void MemImage::alloc(unsigned r, int beats, int nidx)
{
    reg_[r].beats = beats;
    reg_[r].nidx = nidx;
    reg_[r].data.assign((size_t)layers_ * heads_ * nidx * beats * spaddr::kBeatBytes, 0);
}

uint8_t *MemImage::row(unsigned r, int l, int h, int idx)
{
    Region &g = reg_[r];
    return g.data.data() + (((size_t)l * heads_ + h) * g.nidx + idx) * g.beats * spaddr::kBeatBytes;
}

// Bit planes lo..lo+n-1 of the d elements x[] as one bitstream: bit
// (p * stride + j) of the row is bit (lo + p) of x[j] (two's complement);
// stride is the hardware D, elements d..stride-1 are zero.
void MemImage::planes(unsigned r, int l, int h, int idx, const int16_t *x, int d, int stride, int lo, int n)
{
    uint8_t *b = row(r, l, h, idx);
    for (int p = 0; p < n; p++)
        for (int j = 0; j < d; j++) {
            unsigned bit = ((uint16_t)x[j] >> (lo + p)) & 1u;
            size_t pos = (size_t)p * stride + j;
            b[pos >> 3] |= (uint8_t)(bit << (pos & 7));
        }
}

static int ceil_beats(long bits)
{
    return (int)((bits + spaddr::kBeatBits - 1) / spaddr::kBeatBits);
}

bool MemImage::build(const sp_config &cfg, const sp_trace &tr, int hw_d, std::string &err)
{
    const sp_alg_cfg &a = cfg.alg;
    layers_ = tr.layers;
    heads_ = tr.heads;
    int d = tr.d;
    alloc(spaddr::kScale, 1, 1);
    int w = hw_d;
    alloc(spaddr::kQ, ceil_beats(16L * w), tr.iters * tr.rows);
    alloc(spaddr::kKMsb, ceil_beats((long)a.k_msb * w), tr.ntok);
    alloc(spaddr::kKLsb, a.k_lsb ? ceil_beats((long)a.k_lsb * w) : 0, tr.ntok);
    alloc(spaddr::kVMsb, ceil_beats((long)a.v_msb * w), tr.ntok);
    alloc(spaddr::kVLsb, a.v_lsb ? ceil_beats((long)a.v_lsb * w) : 0, tr.ntok);
    alloc(spaddr::kOut, ceil_beats(16L * w), tr.iters * tr.rows);  // written by the RTL
    for (int l = 0; l < tr.layers; l++)
        for (int h = 0; h < tr.heads; h++) {
            size_t lh = (size_t)l * tr.heads + h;
            sp_logit_scale sc;
            if (sp_logit_scale_make(tr.sq[lh], tr.sk[lh], d, &sc)) {
                err = "trace " + std::string(tr.id) + ": layer " + std::to_string(l) + " head " +
                      std::to_string(h) + ": q/k scales give no 16-bit logit multiplier";
                return false;
            }
            sp_logit_scale hs;
            if (sp_himp_scale_make(tr.sv[lh], &hs)) {
                err = "trace " + std::string(tr.id) + ": layer " + std::to_string(l) + " head " +
                      std::to_string(h) + ": v scale gives no 16-bit head importance multiplier";
                return false;
            }
            /* scale row: logit M (bytes 0-1), S (2); head importance Mv
             * (bytes 3-4), Sv (5); little endian (rtl/controller.v) */
            uint8_t *s = row(spaddr::kScale, l, h, 0);
            s[0] = (uint8_t)(sc.mult & 0xff);
            s[1] = (uint8_t)(sc.mult >> 8);
            s[2] = (uint8_t)sc.shift;
            s[3] = (uint8_t)(hs.mult & 0xff);
            s[4] = (uint8_t)(hs.mult >> 8);
            s[5] = (uint8_t)hs.shift;
            for (int it = 0; it < tr.iters; it++)
                for (int r = 0; r < tr.rows; r++) {
                    const int16_t *q = sp_trace_q(&tr, it, l, h) + (size_t)r * d;
                    uint8_t *b = row(spaddr::kQ, l, h, it * tr.rows + r);
                    for (int j = 0; j < d; j++) {
                        b[2 * j] = (uint8_t)((uint16_t)q[j] & 0xff);
                        b[2 * j + 1] = (uint8_t)((uint16_t)q[j] >> 8);
                    }
                }
            for (int t = 0; t < tr.ntok; t++) {
                const int16_t *k = sp_trace_k(&tr, l, h) + (size_t)t * d;
                const int16_t *v = sp_trace_v(&tr, l, h) + (size_t)t * d;
                planes(spaddr::kKMsb, l, h, t, k, d, w, a.k_lsb, a.k_msb);
                planes(spaddr::kVMsb, l, h, t, v, d, w, a.v_lsb, a.v_msb);
                if (a.k_lsb)
                    planes(spaddr::kKLsb, l, h, t, k, d, w, 0, a.k_lsb);
                if (a.v_lsb)
                    planes(spaddr::kVLsb, l, h, t, v, d, w, 0, a.v_lsb);
            }
        }
    return true;
}

bool MemImage::locate(uint64_t a, size_t *off) const
{
    spaddr::Fields f = spaddr::split(a);
    if ((a >> spaddr::kAddrBits) || f.offset || f.region >= spaddr::kRegions)
        return false;
    const Region &g = reg_[f.region];
    if ((int)f.layer >= layers_ || (int)f.head >= heads_ || (int)f.index >= g.nidx ||
        (int)f.beat >= g.beats)
        return false;
    *off = ((((size_t)f.layer * heads_ + f.head) * g.nidx + f.index) * g.beats + f.beat) *
           spaddr::kBeatBytes;
    return true;
}

bool MemImage::read_beat(uint64_t a, uint8_t *out) const
{
    size_t off;
    if (!locate(a, &off))
        return false;
    std::memcpy(out, reg_[spaddr::split(a).region].data.data() + off, spaddr::kBeatBytes);
    return true;
}

bool MemImage::write_beat(uint64_t a, const uint8_t *in)
{
    size_t off;
    if (spaddr::split(a).region != spaddr::kOut || !locate(a, &off))
        return false;
    std::memcpy(reg_[spaddr::kOut].data.data() + off, in, spaddr::kBeatBytes);
    return true;
}

uint64_t MemImage::bytes_total() const
{
    uint64_t n = 0;
    for (const Region &g : reg_)
        n += g.data.size();
    return n;
}
