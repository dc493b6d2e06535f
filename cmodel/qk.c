/* qk.c - dot product of query and key and the fixed-point logit
 * (docs/spec.md s4). Mirrors rtl/qk.v. */
#include <math.h>
#include "spattn.h"
#include "hotloop.h"

/* q . ((k & keep) | half): keep = all ones, half = 0 is the plain key;
 * the quant unit's approx(msb(k)) otherwise. int32 accumulation is exact
 * within the loader's width check. */
static inline int32_t dot_masked(const int16_t *q, const int16_t *k, int d, int16_t keep, int16_t half)
{
    int32_t acc = 0;
    for (int j = 0; j < d; j++)
        acc += (int32_t)q[j] * (int32_t)(int16_t)((k[j] & keep) | half);
    return acc;
}

int32_t sp_qk_dot(const int16_t *q, const int16_t *k, int d)
{
    return dot_masked(q, k, d, (int16_t)-1, 0);
}

int32_t sp_qk_dot_msb(const int16_t *q, const int16_t *k, int d, int lsb)
{
    if (lsb == 0)
        return sp_qk_dot(q, k, d);
    return dot_masked(q, k, d, (int16_t)~((1 << lsb) - 1), (int16_t)(1 << (lsb - 1)));
}

/* y = sat(rnd(acc * M, S), 24) (spec s4), inline for the score loop */
static inline int32_t logit(int32_t acc, uint32_t mult, int shift)
{
    int64_t y = (int64_t)acc * (int64_t)mult;
    if (shift > 0)
        y = (y + (INT64_C(1) << (shift - 1))) >> shift;
    const int64_t hi = (INT64_C(1) << (SP_LOGIT_BITS - 1)) - 1;
    return (int32_t)(y > hi ? hi : (y < -hi - 1 ? -hi - 1 : y));
}

int32_t sp_qk_logit(int32_t acc, uint32_t mult, int shift)
{
    return logit(acc, mult, shift);
}

/* y[i] = logit(acc[i]) over a whole score row (acc may be y). The same
 * value as logit(): with |acc * M| < 2^61, adding 2^62 makes the product
 * non-negative, so the arithmetic shift is a logical one less
 * 2^62 >> S, which the compiler vectorises (AVX2 has no 64-bit
 * arithmetic shift). Larger multipliers take logit() itself. */
static inline void logit_row(const int32_t *acc, int n, sp_logit_scale sc, int32_t *y)
{
    if (sc.mult > (UINT32_C(1) << 30) || sc.shift < 0 || sc.shift > 62) {
        for (int i = 0; i < n; i++)
            y[i] = logit(acc[i], sc.mult, sc.shift);
        return;
    }
    const int64_t bias = INT64_C(1) << 62, hi = (INT64_C(1) << (SP_LOGIT_BITS - 1)) - 1;
    const int64_t add = bias + (sc.shift > 0 ? INT64_C(1) << (sc.shift - 1) : 0), sub = bias >> sc.shift;
    const int64_t m = (int64_t)sc.mult;
    const int sh = sc.shift;
    for (int i = 0; i < n; i++) {
        int64_t v = (int64_t)(((uint64_t)((int64_t)acc[i] * m + add)) >> sh) - sub;
        y[i] = (int32_t)(v > hi ? hi : (v < -hi - 1 ? -hi - 1 : v));
    }
}

/* Rows this many tokens ahead are prefetched: the active tokens are a
 * sparse subset after pruning, which defeats the hardware's stream
 * prefetcher. */
#define QK_PREFETCH_AHEAD 8

/* y[i] = q . view(k), the accumulator (the logits follow in one pass over
 * the row); with full != NULL also full[i] = q . k, read from the same row
 * load */
static inline void scores_rows(const int16_t *q, const int16_t *k_rows, const int32_t *tokens, int n, int d,
                               int16_t keep, int16_t half, int32_t *y, int32_t *full)
{
    size_t row_bytes = (size_t)d * sizeof(int16_t);
    for (int i = 0; i < n; i++) {
        if (i + QK_PREFETCH_AHEAD < n) {
            const char *next = (const char *)(k_rows + (size_t)tokens[i + QK_PREFETCH_AHEAD] * d);
            for (size_t off = 0; off < row_bytes; off += 64)
                sp_prefetch(next + off);
        }
        const int16_t *k = k_rows + (size_t)tokens[i] * d;
        y[i] = dot_masked(q, k, d, keep, half);
        if (full)
            full[i] = dot_masked(q, k, d, (int16_t)-1, 0);
    }
}

SP_HOT_CLONES
void sp_qk_scores(const int16_t *q, const int16_t *k_rows, const int32_t *tokens, int n, int d, int lsb,
                  sp_logit_scale sc, int32_t *y, int32_t *full)
{
    int16_t keep = -1, half = 0;
    if (lsb > 0) {
        keep = (int16_t)~((1 << lsb) - 1);
        half = (int16_t)(1 << (lsb - 1));
    }
    /* copies of the loop for the usual head sizes: with d constant the
     * compiler unrolls the dot product and keeps q in registers */
    switch (d) {
    case 32: scores_rows(q, k_rows, tokens, n, 32, keep, half, y, full); break;
    case 64: scores_rows(q, k_rows, tokens, n, 64, keep, half, y, full); break;
    default: scores_rows(q, k_rows, tokens, n, d, keep, half, y, full); break;
    }
    logit_row(y, n, sc, y);
}

SP_HOT_CLONES
void sp_qk_logits(const int32_t *acc, int n, sp_logit_scale sc, int32_t *y)
{
    logit_row(acc, n, sc, y);
}

int sp_logit_scale_make(double sq, double sk, int d, sp_logit_scale *out)
{
    double c = sq * sk * (1.0 / log(2.0)) / sqrt((double)d) * (double)(1 << SP_LOGIT_FRAC);
    return sp_mult_shift_make(c, out);
}
