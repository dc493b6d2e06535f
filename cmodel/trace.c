/* trace.c - allocation of the in-memory trace (readers live in traces/). */
#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE (Linux) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "spattn.h"
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* zeroed, on a 64-byte boundary: a row of 64 int16 values is then two
 * cache lines, not three (a large calloc block starts 16 bytes past a page),
 * which the gathers of kept keys and values pay for on every row */
static int16_t *alloc_rows(size_t n)
{
    if (n > SIZE_MAX / 4)
        return NULL;
    size_t bytes = (n * sizeof(int16_t) + 63) & ~(size_t)63;
    /* planes of several MB on 2 MB boundaries, offered to the kernel for
     * huge pages: the gathers then walk few pages, not thousands */
    const size_t huge = (size_t)2 << 20;
    int big = bytes >= 2 * huge;
    void *p = NULL;
    if (posix_memalign(&p, big ? huge : 64, bytes ? bytes : 64))
        return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (big)
        (void)madvise(p, bytes & ~(huge - 1), MADV_HUGEPAGE);
#endif
    memset(p, 0, bytes);
    return p;
}

int sp_trace_alloc(sp_trace *t)
{
    if (t->layers < 1 || t->heads < 1 || t->d < 1 || t->ntok < 1 || t->rows < 1 || t->iters < 1)
        return -1;
    t->ranges_magic = 0; /* new tensors: no ranges noted yet */
    size_t lh = (size_t)t->layers * (size_t)t->heads;
    size_t nq = (size_t)t->iters * lh * (size_t)t->rows * (size_t)t->d;
    size_t nk = lh * (size_t)t->ntok * (size_t)t->d;
    t->q = alloc_rows(nq);
    t->k = alloc_rows(nk);
    t->v = alloc_rows(nk);
    t->sq = calloc(lh, sizeof(float));
    t->sk = calloc(lh, sizeof(float));
    t->sv = calloc(lh, sizeof(float));
    if (!t->q || !t->k || !t->v || !t->sq || !t->sk || !t->sv) {
        sp_trace_free(t);
        return -1;
    }
    return 0;
}

void sp_trace_free(sp_trace *t)
{
    free(t->q); free(t->k); free(t->v);
    free(t->sq); free(t->sk); free(t->sv);
    t->q = t->k = t->v = NULL;
    t->sq = t->sk = t->sv = NULL;
    t->ranges_magic = 0;
}

void sp_trace_note_ranges(sp_trace *t)
{
    const int16_t *x[3] = {t->q, t->k, t->v};
    size_t lh = (size_t)t->layers * (size_t)t->heads;
    size_t n[3] = {(size_t)t->iters * lh * (size_t)t->rows * (size_t)t->d, lh * (size_t)t->ntok * (size_t)t->d,
                   lh * (size_t)t->ntok * (size_t)t->d};
    for (int i = 0; i < 3; i++) {
        int16_t mn = INT16_MAX, mx = INT16_MIN;
        for (size_t j = 0; j < n[i]; j++) {
            mn = x[i][j] < mn ? x[i][j] : mn;
            mx = x[i][j] > mx ? x[i][j] : mx;
        }
        t->rmin[i] = mn;
        t->rmax[i] = mx;
        t->ranges_of[i] = x[i];
    }
    t->ranges_magic = SP_TRACE_RANGES_MAGIC;
}
