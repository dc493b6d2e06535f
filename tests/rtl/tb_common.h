/* tb_common.h - shared helpers of the RTL unit testbenches (tests/rtl/):
 * the C model's API, a seeded RNG, clocking, and the first-mismatch report
 * "FAIL <unit> vector <v> index <i>: rtl <x> c <y>" (exit 1). */
#ifndef TB_COMMON_H
#define TB_COMMON_H
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include "verilated.h"
extern "C" {
#include "spattn.h"
}

/* one vector's first mismatch ends the run */
#define TB_FAIL(unit, vec, idx, rtl, c)                                                  \
    do {                                                                                 \
        std::printf("FAIL %s vector %ld index %ld: rtl %" PRId64 " c %" PRId64 "\n", unit, \
                    (long)(vec), (long)(idx), (int64_t)(rtl), (int64_t)(c));             \
        std::exit(1);                                                                    \
    } while (0)

#define TB_CHECK(unit, vec, idx, rtl, c)                  \
    do {                                                  \
        int64_t tb_r_ = (int64_t)(rtl), tb_c_ = (int64_t)(c); \
        if (tb_r_ != tb_c_)                               \
            TB_FAIL(unit, vec, idx, tb_r_, tb_c_);        \
    } while (0)

static inline uint64_t tb_rand(sp_rng *r) { return sp_rng_next(r); }
/* uniform in [lo, hi] */
static inline int64_t tb_range(sp_rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(sp_rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* seed from argv[1] (default 1) and vector count from argv[2] */
static inline void tb_args(int argc, char **argv, uint64_t *seed, long *nvec, long def)
{
    *seed = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 1;
    *nvec = argc > 2 ? std::strtol(argv[2], nullptr, 0) : def;
}

/* the start of a bench: seed and vector count from argv (tb_args, default
 * def vectors), Verilator's arguments, the RNG seeded; returns a new model */
template <typename M> static inline M *tb_begin(int argc, char **argv, long def, sp_rng *rng, long *nvec)
{
    uint64_t seed;
    tb_args(argc, argv, &seed, nvec, def);
    Verilated::commandArgs(argc, argv);
    sp_rng_seed(rng, seed);
    return new M;
}

/* the end of a passing bench: prints the PASS line (printf format), ends
 * and frees the model; returns exit status 0 */
template <typename M> static inline int tb_pass(M *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
template <typename M> static inline int tb_pass(M *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    std::vprintf(fmt, ap);
    va_end(ap);
    m->final();
    delete m;
    return 0;
}

/* flat little-endian element access of Verilator wide ports (VlWide / scalars) */
template <typename T> static inline uint64_t tb_get(const T &w, int lsb, int width)
{
    if constexpr (std::is_integral<T>::value) {
        uint64_t x = (uint64_t)w >> lsb;
        return width >= 64 ? x : (x & ((UINT64_C(1) << width) - 1));
    } else {
        uint64_t v = 0;
        for (int b = 0; b < width; b++) {
            int bit = lsb + b;
            if ((w[bit >> 5] >> (bit & 31)) & 1u)
                v |= UINT64_C(1) << b;
        }
        return v;
    }
}
template <typename T> static inline void tb_set(T &w, int lsb, int width, uint64_t v)
{
    if constexpr (std::is_integral<T>::value) {
        uint64_t m = (width >= 64 ? ~UINT64_C(0) : ((UINT64_C(1) << width) - 1)) << lsb;
        w = (T)(((uint64_t)w & ~m) | ((v << lsb) & m));
    } else {
        for (int b = 0; b < width; b++) {
            int bit = lsb + b;
            uint32_t m = 1u << (bit & 31);
            if ((v >> b) & 1u)
                w[bit >> 5] |= m;
            else
                w[bit >> 5] &= ~m;
        }
    }
}
static inline int64_t tb_sext(uint64_t v, int width)
{
    uint64_t m = UINT64_C(1) << (width - 1);
    v &= (width == 64) ? ~UINT64_C(0) : ((UINT64_C(1) << width) - 1);
    return (int64_t)((v ^ m) - m);
}

/* clock helper: one full cycle (inputs must be set before the call) */
template <typename M> static inline void tb_tick(M *m)
{
    m->clk_i = 0;
    m->eval();
    m->clk_i = 1;
    m->eval();
}
template <typename M> static inline void tb_reset(M *m)
{
    m->clk_i = 0;
    m->rst_ni = 0;
    m->eval();
    m->rst_ni = 1;
    m->eval();
}
#endif
