/* topk.c - the top-k engine: zero eliminator plus quick-select with a
 * middle-position pivot over the total order (key desc, index asc)
 * (docs/spec.md s7). The cycle count comes from the same rounds the RTL
 * runs. Mirrors rtl/topk.v. */
#include <stdlib.h>
#include <string.h>
#include "head.h"

uint32_t sp_keep_count(uint32_t n, uint32_t ratio_q16)
{
    if (n == 0)
        return 0;
    /* nearest, halves up: a ratio that is exact in decimal (0.9 of 10) must
     * not lose a member to its Q16 rounding (58982 / 65536 < 0.9) */
    uint64_t k = ((uint64_t)n * ratio_q16 + 32768) >> 16;
    return k < 1 ? 1 : (uint32_t)k;
}

static uint32_t ceil_div(uint32_t a, uint32_t b)
{
    return (a + b - 1) / b;
}

/* One quick-select round: splits cand[0..nc) (positions, ascending) around
 * the pivot at position nc >> 1 into g (before the pivot in the total
 * order) and l (after it), both in arrival order. Positions are ascending,
 * so an element ahead of the pivot in the list has the smaller index and
 * comes before it on equal keys; one behind it needs a larger key. Both
 * outputs are written and one count advances: no data-dependent branch. */
static void partition(const uint64_t *key, const int32_t *cand, int32_t nc, int32_t *g, int32_t *ng_out,
                      int32_t *l, int32_t *nl_out)
{
    int32_t mid = nc >> 1, ng = 0, nl = 0;
    uint64_t kp = key[cand[mid]];
    for (int32_t i = 0; i < mid; i++) {
        int32_t e = cand[i], b = key[e] >= kp;
        g[ng] = e;
        l[nl] = e;
        ng += b;
        nl += 1 - b;
    }
    for (int32_t i = mid + 1; i < nc; i++) {
        int32_t e = cand[i], b = key[e] > kp;
        g[ng] = e;
        l[nl] = e;
        ng += b;
        nl += 1 - b;
    }
    *ng_out = ng;
    *nl_out = nl;
}

/* The packed word P = key << 16 | (0xffff - position), for keys below
 * 2^16 and at most 2^16 positions: P descending is the total order (key
 * desc, position asc), so a round compares one word and reads no second
 * array. Zero keys are exactly the words below 2^16. */

/* Appends the words of src[0..len) above pv to g[*ng..] and the others to
 * l[*nl..], both in arrival order. Writes stay below *ng + len and
 * *nl + len. */
static void split_scalar(const uint32_t *src, int32_t len, uint32_t pv, uint32_t *g, int32_t *ng,
                         uint32_t *l, int32_t *nl)
{
    int32_t a = *ng, b = *nl;
    for (int32_t i = 0; i < len; i++) {
        uint32_t e = src[i];
        int32_t c = e > pv;
        g[a] = e;
        l[b] = e;
        a += c;
        b += 1 - c;
    }
    *ng = a;
    *nl = b;
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
/* The same split eight words at a time on AVX2: a compare, its mask, and a
 * permutation from a table that moves the chosen lanes to the front. */
#include <immintrin.h>
#define SP_SPLIT_AVX2 1
static uint8_t split_perm[256][8]; /* lanes with mask bit set, ascending */
static int split_have_avx2;

__attribute__((constructor)) static void split_init(void)
{
    for (int m = 0; m < 256; m++) {
        int j = 0;
        for (int bit = 0; bit < 8; bit++)
            if (m >> bit & 1)
                split_perm[m][j++] = (uint8_t)bit;
        while (j < 8)
            split_perm[m][j++] = 0;
    }
    __builtin_cpu_init();
    split_have_avx2 = __builtin_cpu_supports("avx2");
}

__attribute__((target("avx2"))) static void split_avx2(const uint32_t *src, int32_t len, uint32_t pv,
                                                       uint32_t *g, int32_t *ng, uint32_t *l, int32_t *nl)
{
    /* unsigned compare as signed after flipping the top bit */
    const __m256i bias = _mm256_set1_epi32(INT32_MIN);
    const __m256i vp = _mm256_xor_si256(_mm256_set1_epi32((int32_t)pv), bias);
    int32_t a = *ng, b = *nl, i = 0;
    for (; i + 8 <= len; i += 8) {
        __m256i e = _mm256_loadu_si256((const __m256i *)(src + i));
        __m256i gt = _mm256_cmpgt_epi32(_mm256_xor_si256(e, bias), vp);
        unsigned m = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(gt));
        __m256i pg = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)split_perm[m]));
        __m256i pl = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)split_perm[m ^ 0xffu]));
        /* eight lanes written, the kept ones first: a + 8 <= *ng + i + 8 */
        _mm256_storeu_si256((__m256i *)(g + a), _mm256_permutevar8x32_epi32(e, pg));
        _mm256_storeu_si256((__m256i *)(l + b), _mm256_permutevar8x32_epi32(e, pl));
        int c = __builtin_popcount(m);
        a += c;
        b += 8 - c;
    }
    *ng = a;
    *nl = b;
    split_scalar(src + i, len - i, pv, g, ng, l, nl);
}
#endif

static void split(const uint32_t *src, int32_t len, uint32_t pv, uint32_t *g, int32_t *ng, uint32_t *l,
                  int32_t *nl)
{
#ifdef SP_SPLIT_AVX2
    if (split_have_avx2) {
        split_avx2(src, len, pv, g, ng, l, nl);
        return;
    }
#endif
    split_scalar(src, len, pv, g, ng, l, nl);
}

/* One round: the words before and after the pivot at nc >> 1 */
static void partition32(const uint32_t *cand, int32_t nc, uint32_t *g, int32_t *ng_out, uint32_t *l,
                        int32_t *nl_out)
{
    int32_t mid = nc >> 1;
    *ng_out = *nl_out = 0;
    split(cand, mid, cand[mid], g, ng_out, l, nl_out);
    split(cand + mid + 1, nc - mid - 1, cand[mid], g, ng_out, l, nl_out);
}

/* The rounds of the spec over packed words P[0..n), 0 < k <= n; buf holds
 * 3n words. The kept set is the k largest words, so the rounds only need to
 * find the smallest kept word; returns it. */
static uint32_t select_packed(const uint32_t *P, int32_t n, int32_t k, uint32_t c, int round_overhead,
                              uint32_t *buf, sp_topk_stats *s)
{
    uint32_t *cand = buf, *g = buf + n, *l = buf + 2 * (size_t)n;
    /* zero eliminator pass */
    s->cycles += ceil_div((uint32_t)n, c);
    int32_t nc = 0, nz = 0;
    split(P, n, 0xffffu, cand, &nc, l, &nz);
    s->zeros_removed = (uint32_t)nz;
    if (nc < k) /* all non-zeros, then the first k - nc zeros by index */
        return l[k - nc - 1];
    int32_t need = k;
    for (;;) {
        if (need == nc) {
            uint32_t m = cand[0];
            for (int32_t i = 1; i < nc; i++)
                m = cand[i] < m ? cand[i] : m;
            return m;
        }
        uint32_t piv = cand[nc >> 1];
        int32_t ng, nl;
        partition32(cand, nc, g, &ng, l, &nl);
        s->rounds++;
        s->compares += (uint32_t)(nc - 1);
        s->cycles += ceil_div((uint32_t)nc, c) + (uint32_t)round_overhead;
        uint32_t *old = cand;
        if (ng >= need) {
            cand = g; /* continue in G */
            g = old;
            nc = ng;
        } else {
            need -= ng + 1; /* G and the pivot are kept */
            if (need == 0)
                return piv;
            cand = l; /* continue in L */
            l = old;
            nc = nl;
        }
    }
}

/* top-k of the packed words P[0..n), n <= 2^16; writes kept positions
 * ascending to pos[], returns how many */
static int topk_packed(const uint32_t *P, int n, int k, int comparators, int round_overhead, uint32_t *buf,
                       int32_t *pos, sp_topk_stats *st)
{
    sp_topk_stats s = {0, 0, 0, 0};
    k = k > n ? n : (k < 0 ? 0 : k);
    uint32_t c = (uint32_t)(comparators > 0 ? comparators : 1);
    int nk = 0;
    if (k == 0) {
        /* the zero eliminator still runs */
        s.cycles = ceil_div((uint32_t)n, c);
        for (int i = 0; i < n; i++)
            s.zeros_removed += P[i] <= 0xffffu;
    } else {
        uint32_t thr = select_packed(P, n, k, c, round_overhead, buf, &s);
        /* the kept words in arrival order; thr = 0 only when all are kept */
        int32_t nl = 0;
        if (thr > 0)
            split(P, n, thr - 1, buf, &nk, buf + n, &nl);
        else
            memcpy(buf, P, sizeof *buf * (size_t)(nk = n));
        for (int i = 0; i < nk; i++)
            pos[i] = (int32_t)(0xffffu - (buf[i] & 0xffffu));
    }
    if (st)
        *st = s;
    return nk;
}

int sp_topk_prob(const uint16_t *p, int n, int k, int comparators, int round_overhead, uint32_t *buf,
                 int32_t *pos, sp_topk_stats *st)
{
    if (n > 0x10000) {
        /* beyond the packed form's positions: the general path */
        uint64_t *key = malloc(sizeof *key * (size_t)n);
        int32_t *idx = malloc(sizeof *idx * (size_t)n);
        int r = -1;
        if (key && idx) {
            for (int i = 0; i < n; i++) {
                key[i] = p[i];
                idx[i] = i;
            }
            r = sp_topk(key, idx, n, k, comparators, round_overhead, pos, st);
        }
        free(key); free(idx);
        return r;
    }
    uint32_t *P = buf + 3 * (size_t)n;
    for (int i = 0; i < n; i++)
        P[i] = (uint32_t)p[i] << 16 | (uint32_t)(0xffff - i);
    return topk_packed(P, n, k, comparators, round_overhead, buf, pos, st);
}

/* The general path, for keys of 2^16 and above or more than 2^16 positions:
 * the rounds run on position lists and read the keys through them. */
static int topk_wide(const uint64_t *key, const int32_t *idx, int n, int k, int comparators,
                     int round_overhead, int32_t *kept, sp_topk_stats *st)
{
    sp_topk_stats s = {0, 0, 0, 0};
    k = k > n ? n : (k < 0 ? 0 : k);
    uint32_t c = (uint32_t)(comparators > 0 ? comparators : 1);
    size_t sz = (size_t)(n > 0 ? n : 1);
    /* candidate list and the two partition outputs; the rounds rotate
     * through them instead of copying */
    int32_t *buf = malloc(sizeof(int32_t) * 3 * sz);
    unsigned char *sel = calloc(sz, 1);
    if (!buf || !sel) {
        free(buf); free(sel);
        return -1;
    }
    int32_t *cand = buf, *g = buf + sz, *l = buf + 2 * sz;
    /* zero eliminator pass */
    s.cycles += ceil_div((uint32_t)n, c);
    int32_t nc = 0;
    for (int32_t i = 0; i < n; i++) {
        cand[nc] = i;
        nc += key[i] != 0;
    }
    s.zeros_removed = (uint32_t)(n - nc);
    if (nc < k) {
        /* all non-zeros, then the first k - nc zeros by index */
        int32_t need = k - nc;
        for (int32_t i = 0; i < n; i++) {
            if (key[i] != 0)
                sel[i] = 1;
            else if (need > 0) {
                sel[i] = 1;
                need--;
            }
        }
    } else {
        int32_t need = k;
        while (need > 0) {
            if (need == nc) {
                for (int32_t i = 0; i < nc; i++)
                    sel[cand[i]] = 1;
                break;
            }
            int32_t piv = cand[nc >> 1], ng, nl;
            partition(key, cand, nc, g, &ng, l, &nl);
            s.rounds++;
            s.compares += (uint32_t)(nc - 1);
            s.cycles += ceil_div((uint32_t)nc, c) + (uint32_t)round_overhead;
            int32_t *old = cand;
            if (ng >= need) {
                cand = g; /* continue in G */
                g = old;
                nc = ng;
            } else {
                for (int32_t i = 0; i < ng; i++)
                    sel[g[i]] = 1;
                sel[piv] = 1;
                need -= ng + 1;
                cand = l; /* continue in L */
                l = old;
                nc = nl;
            }
        }
    }
    /* kept[] needs room for k entries only: stop at the last one */
    int nk = 0;
    for (int32_t i = 0; i < n && nk < k; i++) {
        kept[nk] = idx[i];
        nk += sel[i];
    }
    free(buf); free(sel);
    if (st)
        *st = s;
    return nk;
}

/* Inputs: key[i], idx[i] for positions i < n, idx strictly ascending.
 * Returns the number kept (k clamped to 0..n) and writes their idx values
 * to kept[] in ascending order; -1 when out of memory. Keys below 2^16
 * take the packed path, others the general one; both give the same set and
 * the same rounds. */
int sp_topk(const uint64_t *key, const int32_t *idx, int n, int k, int comparators,
            int round_overhead, int32_t *kept, sp_topk_stats *st)
{
    uint64_t any = 0;
    for (int i = 0; i < n; i++)
        any |= key[i];
    if (n > 0x10000 || any > 0xffffu)
        return topk_wide(key, idx, n, k, comparators, round_overhead, kept, st);
    size_t sz = (size_t)(n > 0 ? n : 1);
    uint32_t *buf = malloc(sizeof *buf * 4 * sz);
    if (!buf)
        return -1;
    uint32_t *P = buf + 3 * sz;
    for (int i = 0; i < n; i++)
        P[i] = (uint32_t)key[i] << 16 | (uint32_t)(0xffff - i);
    int nk = topk_packed(P, n, k, comparators, round_overhead, buf, kept, st);
    for (int i = 0; i < nk; i++)
        kept[i] = idx[kept[i]];
    free(buf);
    return nk;
}
