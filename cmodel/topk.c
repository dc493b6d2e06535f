/* topk.c - the top-k engine: zero eliminator plus quick-select with a
 * middle-position pivot over the total order (key desc, index asc)
 * (docs/spec.md s7). The cycle count comes from the same rounds the RTL
 * runs. Mirrors rtl/topk.v. */
#include <stdlib.h>
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
static void partition32(const uint32_t *cand, int32_t nc, uint32_t *g, int32_t *ng_out, uint32_t *l,
                        int32_t *nl_out)
{
    int32_t mid = nc >> 1, ng = 0, nl = 0;
    uint32_t pv = cand[mid];
    for (int32_t i = 0; i < mid; i++) {
        uint32_t e = cand[i];
        int32_t b = e > pv;
        g[ng] = e;
        l[nl] = e;
        ng += b;
        nl += 1 - b;
    }
    for (int32_t i = mid + 1; i < nc; i++) {
        uint32_t e = cand[i];
        int32_t b = e > pv;
        g[ng] = e;
        l[nl] = e;
        ng += b;
        nl += 1 - b;
    }
    *ng_out = ng;
    *nl_out = nl;
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
    int32_t nc = 0;
    for (int32_t i = 0; i < n; i++) {
        cand[nc] = P[i];
        nc += P[i] > 0xffffu;
    }
    s->zeros_removed = (uint32_t)(n - nc);
    if (nc < k) {
        /* all non-zeros, then the first k - nc zeros by index */
        int32_t need = k - nc, i = 0;
        for (;; i++)
            if (P[i] <= 0xffffu && --need == 0)
                return P[i];
    }
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
        /* pos[] needs room for k entries only: stop at the last one */
        for (int32_t i = 0; nk < k; i++) {
            pos[nk] = i;
            nk += P[i] >= thr;
        }
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

/* The general path: keys of any width, one round per pass over positions. */
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
