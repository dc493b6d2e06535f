/* topk.c - the top-k engine: zero eliminator plus quick-select with a
 * middle-position pivot over the total order (key desc, index asc)
 * (docs/spec.md s7). The cycle count comes from the same rounds the RTL
 * runs. Mirrors rtl/topk.v. */
#include <stdlib.h>
#include "spattn.h"

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

/* Inputs: key[i], idx[i] for positions i < n, idx strictly ascending.
 * Returns the number kept (k clamped to 0..n) and writes their idx values
 * to kept[] in ascending order; -1 when out of memory. */
int sp_topk(const uint64_t *key, const int32_t *idx, int n, int k, int comparators,
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
