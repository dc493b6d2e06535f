/* timing_event.c - the event-driven schedule of docs/costs.md R1-R12 (sp_timing_run). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "timing.h"

/* ------------------------------------------------------------------ */
/* the schedule                                                        */

enum { N_KF, N_QK1, N_SM1, N_KL, N_QK2, N_SM2, N_TK, N_IMP, N_VF, N_PV, N_OW, N_PR, N_NODES };
enum { D_END, D_START, D_FIRST };

typedef struct {
    uint64_t start, end, first;
    uint8_t state; /* 0 waiting, 1 queued, 2 done */
} node_t;

typedef struct {
    uint64_t ready;
    size_t step;
    uint8_t node;
} hitem;

/* One head-step of the schedule (step i of the run, the row-th of its
 * record). The schedule keeps these in a ring: a step enters when a node of
 * it is first queued and its place is reused once it and the SLOT_KEEP
 * steps after it are done (deps() reaches back at most kv_buffers and
 * stage_buffers steps), so memory follows the steps in flight, not the
 * trace. */
typedef struct {
    node_t nd[N_NODES];
    sp_tm_step *s;  /* its record */
    size_t rec;     /* the record's index */
    uint32_t gpos;  /* its index within its (iteration, layer, head) run of steps */
    uint8_t first;  /* first step of its (iteration, layer) group */
    uint8_t le, pa; /* layer_end, prune_after of this step (the record's last row) */
    uint8_t row0;   /* first row of its record */
    uint8_t left;   /* nodes not yet run */
} slot_t;

typedef struct {
    const sp_config *cfg;
    sp_tm_steps *st;
    slot_t *ring;        /* steps [keep, hi) at index i & wmask */
    size_t wmask, lo, hi, keep_back; /* lo: oldest step with nodes left; steps from lo - keep_back are kept */
    size_t pin;          /* the step just run: steps from pin - keep_back are kept too */
    size_t nv;           /* steps of the run (the records' rows) */
    size_t cur_rec;      /* record and row of step hi */
    uint32_t cur_row;
    hitem *heap;
    size_t hn, hcap;
    sp_dram dram;
    int B;               /* K/V SRAM slots */
    int Bs;              /* head-steps per inter-stage buffer (R11) */
    uint64_t sm_free[3]; /* pipelined softmax: its max, exp + sum and normalise stages free (R6) */
    uint64_t q_region;   /* bytes of the whole query (output) region */
    uint64_t qrows, qrow_bytes; /* query rows per (iteration, layer, head), bytes per head's row */
    uint64_t slot_bytes_k;
    uint64_t region;     /* bytes per (layer, head, plane) region */
    uint64_t fetch_free;
    uint64_t res_free[SP_U_N];
    uint64_t total;
    uint64_t k_overflow;
    uint64_t work[SP_U_N];
} sched;

static slot_t *SL(const sched *S, size_t i)
{
    return &S->ring[i & S->wmask];
}

/* the record of step i */
static sp_tm_step *VS(const sched *S, size_t i)
{
    return SL(S, i)->s;
}

static int exists(const sched *S, size_t i, int x)
{
    const slot_t *q = SL(S, i);
    if (x == N_KL || x == N_QK2 || x == N_SM2)
        return q->s->requant;
    if (x == N_PR)
        return q->le;
    return 1;
}

static node_t *ND(const sched *S, size_t i, int x)
{
    return &SL(S, i)->nd[x];
}

static int qk_final(const sched *S, size_t i)
{
    return VS(S, i)->requant ? N_QK2 : N_QK1;
}

static int sm_final(const sched *S, size_t i)
{
    return VS(S, i)->requant ? N_SM2 : N_SM1;
}

static int same_head(const sp_tm_step *a, const sp_tm_step *b)
{
    return a->it == b->it && a->layer == b->layer && a->head == b->head;
}

/* Brings step S->hi into the ring (growing it when the steps kept fill
 * it). -1: out of memory. */
static int add_step(sched *S)
{
    size_t low = S->lo < S->pin ? S->lo : S->pin;
    size_t keep = low > S->keep_back ? low - S->keep_back : 0;
    if (S->hi - keep > S->wmask) {
        size_t w = (S->wmask + 1) * 2;
        slot_t *nr = malloc(w * sizeof *nr);
        if (!nr)
            return -1;
        for (size_t j = keep; j < S->hi; j++)
            nr[j & (w - 1)] = *SL(S, j);
        free(S->ring);
        S->ring = nr;
        S->wmask = w - 1;
    }
    size_t j = S->hi++;
    slot_t *q = SL(S, j), *p = j > 0 ? SL(S, j - 1) : NULL;
    sp_tm_step *s = &S->st->s[S->cur_rec];
    uint32_t rows = sp_tm_rows(s);
    int last = S->cur_row + 1 == rows;
    memset(q->nd, 0, sizeof q->nd);
    q->s = s;
    q->rec = S->cur_rec;
    q->row0 = S->cur_row == 0;
    q->le = s->layer_end && last;
    q->pa = s->prune_after && last;
    q->first = !p || p->le;
    int same = p && same_head(p->s, s);
    q->gpos = same ? p->gpos + 1 : 0;
    q->left = (uint8_t)(N_NODES - (s->requant ? 0 : 3) - (q->le ? 0 : 1));
    if (last) {
        S->cur_rec++;
        S->cur_row = 0;
    } else {
        S->cur_row++;
    }
    return 0;
}

typedef struct {
    size_t step;
    int node, what;
    uint64_t add;
} dep_t;

/* R1..R9 of docs/costs.md s1 */
static int deps(const sched *S, size_t i, int x, dep_t *d)
{
    int n = 0;
    const sp_tm_step *s = VS(S, i);
    int first_in_group = SL(S, i)->first;
#define DEP(j, nn, w, a) (d[n].step = (j), d[n].node = (nn), d[n].what = (w), d[n].add = (a), n++)
    switch (x) {
    case N_KF:
        if (i > 0)
            DEP(i - 1, N_KF, D_START, 0); /* R1: key fetches in head-step order */
        if (i >= (size_t)S->B)
            DEP(i - (size_t)S->B, qk_final(S, i - (size_t)S->B), D_END, 0); /* R2: K slot free */
        if (first_in_group && i > 0 && SL(S, i - 1)->pa)
            DEP(i - 1, N_PR, D_END, 0); /* R3: the pruned set is known */
        break;
    case N_QK1:
        DEP(i, N_KF, D_FIRST, 0);
        if (i > 0)
            DEP(i - 1, N_QK1, D_START, 0); /* R4: first passes in order; a second pass takes the QK array when its LSB planes arrive */
        if (first_in_group && i > 0)
            DEP(i - 1, N_PR, D_END, 0); /* R5: q of layer l+1 needs layer l's outputs */
        if (i >= (size_t)S->Bs)
            DEP(i - (size_t)S->Bs, sm_final(S, i - (size_t)S->Bs), D_END, 0); /* R11: a score buffer free */
        break;
    case N_SM1:
        DEP(i, N_QK1, D_START, 1); /* R6: softmax loads logits as QK streams them */
        if (i > 0)
            DEP(i - 1, N_SM1, D_START, 0); /* R6: first passes enter the softmax stages in order */
        if (!s->requant && i >= (size_t)S->Bs) {
            DEP(i - (size_t)S->Bs, N_PV, D_END, 0); /* R11: a probability buffer free */
            DEP(i - (size_t)S->Bs, N_IMP, D_END, 0);
        }
        break;
    case N_KL:
        DEP(i, N_SM1, D_END, 1); /* R7: requant decided one cycle after softmax */
        break;
    case N_QK2:
        DEP(i, N_KL, D_FIRST, 0);
        DEP(i, N_QK1, D_END, 0);
        break;
    case N_SM2:
        DEP(i, N_QK2, D_START, 1);
        DEP(i, N_SM1, D_END, 0);
        if (i >= (size_t)S->Bs) {
            DEP(i - (size_t)S->Bs, N_PV, D_END, 0); /* R11: a probability buffer free */
            DEP(i - (size_t)S->Bs, N_IMP, D_END, 0);
        }
        break;
    case N_TK:
        DEP(i, sm_final(S, i), D_END, 1);
        if (i > 0)
            DEP(i - 1, SL(S, i - 1)->le ? N_PR : N_TK, D_END, 0);
        break;
    case N_IMP:
        DEP(i, sm_final(S, i), D_END, 0);
        if (i > 0)
            DEP(i - 1, N_IMP, D_END, 0);
        break;
    case N_VF:
        DEP(i, N_TK, D_END, 0);
        if (i >= (size_t)S->B)
            DEP(i - (size_t)S->B, N_PV, D_END, 0); /* R2: V slot free */
        break;
    case N_PV:
        DEP(i, N_VF, D_FIRST, 0);
        if (i > 0)
            DEP(i - 1, N_PV, D_END, 0);
        if (i >= (size_t)S->Bs)
            DEP(i - (size_t)S->Bs, N_OW, D_START, 0); /* R11: an output buffer free */
        break;
    case N_OW:
        DEP(i, N_PV, D_END, 0);
        break;
    case N_PR:
        DEP(i, N_TK, D_END, 0); /* R8: after the layer's last PV, importance and top-k */
        DEP(i, N_PV, D_END, 0);
        DEP(i, N_IMP, D_END, 0);
        break;
    }
    (void)s;
#undef DEP
    return n;
}

/* wakes[k][x]: the nodes whose deps() may name node x of step i, at step
 * i (k 0), i + 1 (1), i + kv_buffers (2), i + stage_buffers (3) */
#define W1(n) (1u << (n))
static const unsigned wakes[4][N_NODES] = {
    [0] = {[N_KF] = W1(N_QK1), [N_QK1] = W1(N_SM1) | W1(N_QK2), [N_SM1] = W1(N_KL) | W1(N_SM2) | W1(N_TK) | W1(N_IMP),
           [N_KL] = W1(N_QK2), [N_QK2] = W1(N_SM2), [N_SM2] = W1(N_TK) | W1(N_IMP), [N_TK] = W1(N_VF) | W1(N_PR),
           [N_IMP] = W1(N_PR), [N_VF] = W1(N_PV), [N_PV] = W1(N_OW) | W1(N_PR)},
    [1] = {[N_KF] = W1(N_KF), [N_QK1] = W1(N_QK1), [N_QK2] = W1(N_QK1), [N_SM1] = W1(N_SM1), [N_SM2] = W1(N_SM1),
           [N_TK] = W1(N_TK), [N_IMP] = W1(N_IMP) | W1(N_KF), [N_PV] = W1(N_PV), [N_OW] = W1(N_KF),
           [N_PR] = W1(N_KF) | W1(N_QK1) | W1(N_TK)},
    [2] = {[N_QK1] = W1(N_KF), [N_QK2] = W1(N_KF), [N_PV] = W1(N_VF)},
    [3] = {[N_SM1] = W1(N_QK1), [N_SM2] = W1(N_QK1), [N_PV] = W1(N_SM1) | W1(N_SM2), [N_IMP] = W1(N_SM1) | W1(N_SM2),
           [N_OW] = W1(N_PV)},
};
#undef W1

static int hless(const hitem *a, const hitem *b)
{
    if (a->ready != b->ready)
        return a->ready < b->ready;
    if (a->step != b->step)
        return a->step < b->step;
    return a->node < b->node;
}

static int hpush(sched *S, hitem it)
{
    if (S->hn == S->hcap) {
        size_t nc = S->hcap ? S->hcap * 2 : 256;
        hitem *nh = realloc(S->heap, nc * sizeof *nh);
        if (!nh)
            return -1;
        S->heap = nh;
        S->hcap = nc;
    }
    size_t k = S->hn++;
    S->heap[k] = it;
    while (k > 0) {
        size_t p = (k - 1) / 2;
        if (!hless(&S->heap[k], &S->heap[p]))
            break;
        hitem t = S->heap[k];
        S->heap[k] = S->heap[p];
        S->heap[p] = t;
        k = p;
    }
    return 0;
}

static hitem hpop(sched *S)
{
    hitem top = S->heap[0];
    S->heap[0] = S->heap[--S->hn];
    size_t k = 0;
    for (;;) {
        size_t l = 2 * k + 1, r = l + 1, m = k;
        if (l < S->hn && hless(&S->heap[l], &S->heap[m]))
            m = l;
        if (r < S->hn && hless(&S->heap[r], &S->heap[m]))
            m = r;
        if (m == k)
            break;
        hitem t = S->heap[k];
        S->heap[k] = S->heap[m];
        S->heap[m] = t;
        k = m;
    }
    return top;
}

/* queue (i, x) if it exists, is waiting and all its dependencies are done */
static int try_queue(sched *S, size_t i, int x)
{
    if (i >= S->nv)
        return 0;
    while (S->hi <= i)
        if (add_step(S))
            return -1;
    if (!exists(S, i, x))
        return 0;
    node_t *me = ND(S, i, x);
    if (me->state)
        return 0;
    dep_t d[8];
    int n = deps(S, i, x, d);
    uint64_t ready = 0;
    for (int k = 0; k < n; k++) {
        if (!exists(S, d[k].step, d[k].node))
            continue;
        node_t *o = ND(S, d[k].step, d[k].node);
        if (o->state != 2)
            return 0;
        uint64_t t = (d[k].what == D_END ? o->end : d[k].what == D_START ? o->start : o->first) + d[k].add;
        if (t > ready)
            ready = t;
    }
    me->state = 1;
    hitem h = {ready, i, (uint8_t)x};
    return hpush(S, h);
}

/* Address layout (R9): each (layer, head) has one region per plane kind
 * (K MSB, K LSB, V MSB, V LSB), rows of ceil(d * bits / 8) bytes by token
 * position; q and outputs have their own regions. */
enum { P_KM, P_KL, P_VM, P_VL, P_Q, P_OUT };

static uint64_t region_base(const sched *S, const sp_tm_step *s, int plane)
{
    uint64_t lh = (uint64_t)s->layer * (uint64_t)S->st->heads + (uint64_t)s->head;
    if (plane <= P_VL)
        return (lh * 4 + (uint64_t)plane) * S->region;
    uint64_t nlh = (uint64_t)S->st->layers * (uint64_t)S->st->heads;
    uint64_t idx = ((uint64_t)s->it * nlh + lh) * 2 + (plane == P_OUT);
    return nlh * 4 * S->region + idx * S->q_region;
}

/* R9: queries and outputs as the projections lay them out: one vector of
 * heads x D elements per query row (token) and layer, the heads side by
 * side (the Q projection writes it; the output projection reads the
 * concatenated heads); rows of (iteration, layer, query row) in order, the
 * query region, then the output region, after the K/V regions */
static uint32_t row_bytes(int d, int bits);

static uint64_t qo_addr(const sched *S, size_t i, int plane)
{
    const sp_tm_step *s = VS(S, i);
    uint64_t vec = (((uint64_t)s->it * (uint64_t)S->st->layers + (uint64_t)s->layer) * S->qrows + SL(S, i)->gpos) *
                   (uint64_t)S->st->heads + (uint64_t)s->head;
    uint64_t kv = (uint64_t)S->st->layers * (uint64_t)S->st->heads * 4 * S->region;
    return kv + (plane == P_OUT ? S->q_region : 0) + vec * S->qrow_bytes;
}

/* Fetch `count` rows of `rb` bytes from a region: row j sits at token
 * position pos_of[j], or pos(j) = floor(j * span / count) when pos_of is NULL (rows spread
 * evenly over the span: the CSV path and the dense case, where count =
 * span makes them contiguous). Bursts shared with the previous row are
 * not fetched twice; runs of adjacent bursts go out as one request. */
typedef struct {
    uint64_t first, end;
} job_t;

/* one read request for bursts [b0, b1] */
static void fetch_run(sched *S, uint64_t b0, uint64_t b1, sp_dram_kindof kind, uint64_t now, job_t *J)
{
    uint64_t bb = (uint64_t)S->dram.cfg.burst_bytes, f;
    uint64_t e = sp_dram_access(&S->dram, b0 * bb, (uint32_t)((b1 - b0 + 1) * bb), 0, kind, now, &f);
    if (f < J->first)
        J->first = f;
    if (e > J->end)
        J->end = e;
}

/* runs collected by fetch_rows before they go to the DRAM model in one
 * sp_dram_access_runs call (the same requests in the same order) */
#define FETCH_RUNS 128

static void fetch_flush(sched *S, const uint64_t *runs, size_t k, sp_dram_kindof kind, uint64_t now, job_t *J)
{
    uint64_t f, e = sp_dram_access_runs(&S->dram, runs, k, 0, kind, now, &f);
    if (f < J->first)
        J->first = f;
    if (e > J->end)
        J->end = e;
}

/* Row j of fetch_rows at byte address a: its bursts extend the current
 * run [*run0, *run1] when the first is at most one past its end (those
 * already in it are not fetched again), else the run is queued in runs
 * (sent when FETCH_RUNS are queued) and the row starts the next one. */
static inline void fetch_row(sched *S, uint64_t a, uint32_t rb, uint64_t *runs, size_t *k, uint64_t *run0,
                             uint64_t *run1, sp_dram_kindof kind, uint64_t now, job_t *J)
{
    int sh = S->dram.sh_burst; /* >= 0: the burst size is a power of two */
    uint64_t fb, lb, bb = (uint64_t)S->dram.cfg.burst_bytes;
    if (sh >= 0) {
        fb = a >> sh;
        lb = (a + rb - 1) >> sh;
    } else {
        fb = a / bb;
        lb = (a + rb - 1) / bb;
    }
    if (fb <= *run1 + 1) {
        *run1 = lb > *run1 ? lb : *run1;
        return;
    }
    runs[2 * *k] = *run0;
    runs[2 * *k + 1] = *run1;
    if (++*k == FETCH_RUNS) {
        fetch_flush(S, runs, *k, kind, now, J);
        *k = 0;
    }
    *run0 = fb;
    *run1 = lb;
}

static void fetch_rows(sched *S, uint64_t base, uint32_t count, uint32_t span, const int32_t *pos_of,
                       uint32_t rb, sp_dram_kindof kind, uint64_t now, job_t *J)
{
    if (count == 0 || rb == 0)
        return;
    uint64_t bb = (uint64_t)S->dram.cfg.burst_bytes;
    uint64_t run0, run1; /* burst indexes [run0, run1] */
    if (!pos_of && span == count) {
        /* contiguous rows: the loop below would build one run over them */
        fetch_run(S, base / bb, (base + (uint64_t)count * rb - 1) / bb, kind, now, J);
        return;
    }
    uint64_t runs[2 * FETCH_RUNS];
    size_t k = 0;
    /* rows are ascending: each extends the current run or starts the next
     * (fetch_row) */
    if (pos_of) {
        uint64_t a0 = base + (uint64_t)pos_of[0] * rb;
        run0 = a0 / bb;
        run1 = (a0 + rb - 1) / bb;
        for (uint32_t j = 1; j < count; j++) {
            uint64_t a = base + (uint64_t)pos_of[j] * rb;
            fetch_row(S, a, rb, runs, &k, &run0, &run1, kind, now, J);
        }
    } else {
        /* pos(j) = floor(j * span / count): the address steps by
         * floor(span / count) rows, one more when the remainder carries */
        uint64_t a = base, step = (uint64_t)(span / count) * rb, pr = 0, dr = span % count;
        run0 = a / bb;
        run1 = (a + rb - 1) / bb;
        for (uint32_t j = 1; j < count; j++) {
            a += step;
            pr += dr;
            if (pr >= count) {
                pr -= count;
                a += rb;
            }
            fetch_row(S, a, rb, runs, &k, &run0, &run1, kind, now, J);
        }
    }
    runs[2 * k] = run0;
    runs[2 * k + 1] = run1;
    k++;
    fetch_flush(S, runs, k, kind, now, J);
}

static uint32_t row_bytes(int d, int bits)
{
    return (uint32_t)sp_tm_cdiv((uint64_t)d * (uint64_t)bits, 8);
}

/* The pipelined softmax (R6): three stages, each holding one head-step
 * for p = ceil(n/P) cycles: max (loads the logits as QK streams them,
 * SP_QK_LATENCY after QK's first beat, and ends no earlier than QK),
 * exp + sum (then the divider, pipelined: SP_DIV_CYCLES later the
 * reciprocal and pmax are known), normalise (p + SP_SOFTMAX_OVERHEAD). A
 * requantizing step's first pass ends at the divider: pmax decides, its
 * probabilities are never used. The normalise stage writes the
 * probability buffer, which R11 frees. Returns the end; *start is the max
 * stage's start. */
static uint64_t sm_pipe(sched *S, size_t i, int x, uint64_t ready, uint64_t *startp)
{
    sp_tm_step *s = VS(S, i);
    const node_t *q = ND(S, i, x == N_SM1 ? N_QK1 : N_QK2);
    uint64_t p = sp_tm_cdiv(s->keys, (uint64_t)S->cfg->hw.softmax_lanes);
    uint64_t ms = q->start + SP_QK_LATENCY;
    if (ms < S->sm_free[0])
        ms = S->sm_free[0];
    uint64_t me = ms + p;
    if (me < q->end)
        me = q->end;
    S->sm_free[0] = me;
    uint64_t es = me;
    if (es < S->sm_free[1])
        es = S->sm_free[1];
    S->sm_free[1] = es + p;
    uint64_t de = es + p + SP_DIV_CYCLES;
    S->work[SP_U_SOFTMAX] += p;
    if (x == N_SM1 && s->k_lsb > 0) {
        s->cyc[SP_U_REQUANT] += 1; /* the decision, on pmax at the divider's output */
        S->work[SP_U_REQUANT] += 1;
    }
    *startp = ms;
    if (x == N_SM1 && s->requant)
        return de;
    /* the probability buffer of step i - Bs is free by the node's ready
     * time (its other inputs are all earlier than de) */
    uint64_t ns = de;
    if (ns < ready)
        ns = ready;
    if (ns < S->sm_free[2])
        ns = S->sm_free[2];
    S->sm_free[2] = ns + p;
    return ns + p + SP_SOFTMAX_OVERHEAD;
}
static void run_node(sched *S, size_t i, int x, uint64_t ready)
{
    const sp_hw_cfg *hw = &S->cfg->hw;
    sp_tm_step *s = VS(S, i);
    node_t *me = ND(S, i, x);
    uint64_t start = ready, end = ready;
    job_t J = {UINT64_MAX, 0};
    int unit = -1;
    switch (x) {
    case N_KF:
    case N_KL:
    case N_VF:
    case N_OW:
        /* R10: the fetcher issues a job's requests at its start; jobs start
         * in the order they become ready; the DRAM model queues per channel */
        if (start < S->fetch_free)
            start = S->fetch_free;
        S->fetch_free = start;
        if (x == N_KF) {
            unit = SP_U_FETCH_K;
            uint32_t qb = row_bytes(s->d, s->q_bits);
            /* the step's own query row (encoder rows: one per query token) */
            uint64_t e = sp_dram_access(&S->dram, qo_addr(S, i, P_Q), qb, 0, SP_DK_Q, start, NULL);
            s->data_bits[SP_DK_Q] += (uint64_t)s->d * s->q_bits;
            J.end = e;
            fetch_rows(S, region_base(S, s, P_KM), s->keys, s->span, s->key_pos, row_bytes(s->d, s->k_msb), SP_DK_K_MSB, start, &J);
            s->data_bits[SP_DK_K_MSB] += (uint64_t)s->keys * s->d * s->k_msb;
        } else if (x == N_KL) {
            unit = SP_U_FETCH_KLSB;
            fetch_rows(S, region_base(S, s, P_KL), s->keys, s->span, s->key_pos, row_bytes(s->d, s->k_lsb), SP_DK_K_LSB, start, &J);
            s->data_bits[SP_DK_K_LSB] += (uint64_t)s->keys * s->d * s->k_lsb;
            /* R2: keys that do not fit one K slot streamed through it in
             * pass 1, so pass 2 fetches the MSB planes again */
            if ((uint64_t)s->keys * row_bytes(s->d, s->k_msb + s->k_lsb) > S->slot_bytes_k) {
                S->k_overflow++;
                fetch_rows(S, region_base(S, s, P_KM), s->keys, s->span, s->key_pos, row_bytes(s->d, s->k_msb), SP_DK_K_MSB, start, &J);
                s->data_bits[SP_DK_K_MSB] += (uint64_t)s->keys * s->d * s->k_msb;
            }
        } else if (x == N_VF) {
            unit = SP_U_FETCH_V;
            /* kept values: spread evenly over the token positions (R9) */
            uint32_t span = s->keys ? s->span : 0;
            fetch_rows(S, region_base(S, s, P_VM), s->values, span, s->val_pos, row_bytes(s->d, s->v_msb), SP_DK_V, start, &J);
            s->data_bits[SP_DK_V] += (uint64_t)s->values * s->d * s->v_msb;
            if (s->requant && s->v_lsb) {
                fetch_rows(S, region_base(S, s, P_VL), s->values, span, s->val_pos, row_bytes(s->d, s->v_lsb), SP_DK_V, start, &J);
                s->data_bits[SP_DK_V] += (uint64_t)s->values * s->d * s->v_lsb;
            }
        } else {
            unit = SP_U_WRITE;
            uint64_t e = sp_dram_access(&S->dram, qo_addr(S, i, P_OUT), row_bytes(s->d, 16), 1, SP_DK_OUT, start, NULL);
            s->data_bits[SP_DK_OUT] += (uint64_t)s->d * 16;
            J.end = e;
        }
        if (J.end == 0)
            J.end = start;
        if (J.first == UINT64_MAX)
            J.first = J.end;
        me->first = J.first;
        end = J.end;
        break;
    case N_QK1:
    case N_QK2: {
        unit = SP_U_QK;
        if (start < S->res_free[unit])
            start = S->res_free[unit];
        uint64_t c = sp_qk_cycles(s->keys, s->d, hw->n_qk);
        S->work[SP_U_QK] += c;
        node_t *job = ND(S, i, x == N_QK1 ? N_KF : N_KL);
        end = start + c;
        if (end < job->end + 1)
            end = job->end + 1; /* R6: streaming: cannot finish before the last key arrives */
        end += SP_QK_LATENCY;
        break;
    }
    case N_SM1:
    case N_SM2:
        unit = SP_U_SOFTMAX;
        end = sm_pipe(S, i, x, ready, &start);
        break;
    case N_TK:
        unit = SP_U_TOPK;
        if (start < S->res_free[unit])
            start = S->res_free[unit];
        end = start + s->vtopk_cycles;
        S->work[SP_U_TOPK] += s->vtopk_cycles;
        break;
    case N_IMP:
        unit = SP_U_IMPORTANCE;
        if (start < S->res_free[unit])
            start = S->res_free[unit];
        end = start + sp_tm_cdiv(s->keys, (uint64_t)hw->softmax_lanes);
        S->work[SP_U_IMPORTANCE] += sp_tm_cdiv(s->keys, (uint64_t)hw->softmax_lanes);
        break;
    case N_PV: {
        unit = SP_U_PV;
        if (start < S->res_free[unit])
            start = S->res_free[unit];
        node_t *job = ND(S, i, N_VF);
        end = start + sp_pv_cycles(s->values, s->d, hw->n_pv);
        S->work[SP_U_PV] += sp_pv_cycles(s->values, s->d, hw->n_pv);
        if (end < job->end + 1)
            end = job->end + 1;
        end += SP_PV_LATENCY;
        break;
    }
    case N_PR:
        unit = SP_U_PRUNE;
        if (SL(S, i)->pa) {
            if (start < S->res_free[SP_U_TOPK])
                start = S->res_free[SP_U_TOPK];
            end = start + s->prune_cycles;
            S->work[SP_U_PRUNE] += s->prune_cycles;
            S->res_free[SP_U_TOPK] = end; /* the same top-k engine */
        }
        break;
    }
    me->start = start;
    me->end = end;
    if (x != N_KF && x != N_KL && x != N_VF && x != N_OW)
        me->first = start;
    me->state = 2;
    SL(S, i)->left--;
    if (unit >= 0) {
        if (x != N_KF && x != N_KL && x != N_VF && x != N_OW && unit != SP_U_PRUNE)
            S->res_free[unit] = end;
        /* pipelined: the arrays take the next step's beats after this
         * step's last beat; their output latency overlaps them (R4) */
        if (unit == SP_U_QK)
            S->res_free[unit] = end - SP_QK_LATENCY;
        if (unit == SP_U_PV)
            S->res_free[unit] = end - SP_PV_LATENCY;
        s->cyc[unit] += end - start;
    }
    if (x == N_KF && SL(S, i)->row0)
        s->t_start = start;
    if (end > s->t_end)
        s->t_end = end;
    if (end > S->total) {
        S->total = end;
    }
}

/* The bound (docs/costs.md s1 "Bound"). Compute units: every unit's work
 * of layer l lies between the end of layer l - 1's pruning node (R5: the
 * layer's first QK waits for it; its fetches too after a selection, R3)
 * and the end of layer l's own (R8), so the run is at least the sum over
 * layers of the largest of fill + work + drain, where fill is what must
 * pass before the unit can start in that layer and drain what must follow
 * its last cycle there, each the least the rules allow: the first key
 * beat after a selection (lat: the DRAM's read latency with its row open
 * and bus free), QK's pipeline, the softmax's passes over the smallest
 * head-step of the layer, the divider, the pruning selection. DRAM: read
 * bus bytes over the peak bytes per cycle, after the first read's
 * latency (writes are left out). */
static void tm_bound(const sched *S, sp_tm_result *r)
{
    const sp_tm_steps *st = S->st;
    const sp_hw_cfg *hw = &S->cfg->hw;
    uint64_t P = (uint64_t)hw->softmax_lanes;
    double lf = floor(((double)hw->dram.tCL + S->dram.burst_clks - 1) * S->dram.acc_per_dram + 1e-9);
    uint64_t lat = lf < 1 ? 1 : (uint64_t)lf;
    uint64_t total = 0;
    memset(r->bound_work, 0, sizeof r->bound_work);
    memset(r->bound_term, 0, sizeof r->bound_term);
    for (size_t a = 0; a < st->n;) {
        size_t b = a;
        while (b + 1 < st->n && !st->s[b].layer_end)
            b++;
        uint64_t w[SP_BU_N] = {0}, pmin = UINT64_MAX, qmin = UINT64_MAX;
        uint32_t vmin = UINT32_MAX;
        for (size_t i = a; i <= b; i++) {
            const sp_tm_step *s = &st->s[i];
            uint64_t rows = sp_tm_rows(s);
            uint64_t passes = 1 + (s->requant ? 1 : 0), p = sp_tm_cdiv(s->keys, P);
            uint64_t q = sp_qk_cycles(s->keys, s->d, hw->n_qk);
            w[SP_BU_QK] += rows * passes * q;
            w[SP_BU_SOFTMAX] += rows * passes * p;
            w[SP_BU_TOPK] += rows * s->vtopk_cycles;
            w[SP_BU_PV] += rows * sp_pv_cycles(s->values, s->d, hw->n_pv);
            w[SP_BU_IMPORTANCE] += rows * p;
            if (p < pmin)
                pmin = p;
            if (q < qmin)
                qmin = q;
            if (s->values < vmin)
                vmin = s->values;
        }
        const sp_tm_step *e = &st->s[b];
        uint64_t prune = e->layer_end && e->prune_after ? e->prune_cycles : 0;
        w[SP_BU_TOPK] += prune;
        uint64_t fill = (a == 0 || st->s[a - 1].prune_after) ? lat : 0;
        uint64_t tail = pmin + SP_DIV_CYCLES + pmin + SP_SOFTMAX_OVERHEAD; /* exp pass, divider, normalise */
        uint64_t fill_tk = fill + qmin + SP_QK_LATENCY + tail + 1;
        uint64_t t[SP_BU_N];
        t[SP_BU_QK] = fill + w[SP_BU_QK] + SP_QK_LATENCY + tail + prune;
        t[SP_BU_SOFTMAX] = fill + 1 + w[SP_BU_SOFTMAX] + tail + prune;
        /* the engine idles from the last step's value top-k to the layer's
         * selection at least for that step's value fetch and PV (R8) */
        t[SP_BU_TOPK] = fill_tk + w[SP_BU_TOPK] + (e->values > 0 ? lat : 0) +
                        sp_pv_cycles(e->values, e->d, hw->n_pv) + SP_PV_LATENCY;
        t[SP_BU_PV] = fill_tk + (vmin > 0 ? lat : 0) + w[SP_BU_PV] + SP_PV_LATENCY + prune;
        t[SP_BU_IMPORTANCE] = fill_tk - 1 + w[SP_BU_IMPORTANCE] + prune;
        uint64_t m = 0;
        for (int u = 0; u < SP_BU_DRAM; u++) {
            r->bound_work[u] += w[u];
            r->bound_term[u] += t[u];
            if (t[u] > m)
                m = t[u];
        }
        total += m;
        a = b + 1;
    }
    uint64_t rd = 0;
    for (int k = 0; k < SP_DK_N; k++)
        if (k != SP_DK_OUT)
            rd += r->dram.burst_bytes[k];
    double per_cycle = r->dram_peak_bytes_per_s / (hw->clock_mhz * 1e6);
    r->bound_work[SP_BU_DRAM] = per_cycle > 0 ? (uint64_t)floor((double)rd / per_cycle) : 0;
    r->bound_term[SP_BU_DRAM] = rd ? lat + r->bound_work[SP_BU_DRAM] : 0;
    if (r->bound_term[SP_BU_DRAM] > total)
        total = r->bound_term[SP_BU_DRAM];
    r->bound_cycles = total;
    r->bound_unit = 0;
    for (int u = 1; u < SP_BU_N; u++)
        if (r->bound_term[u] > r->bound_term[r->bound_unit])
            r->bound_unit = u;
}

int sp_timing_run(const sp_config *cfg, sp_tm_steps *st, sp_tm_result *r, char *err, size_t errlen)
{
    const sp_hw_cfg *hw = &cfg->hw;
    memset(r, 0, sizeof *r);
    if (hw->softmax_lanes < 1 || hw->softmax_lanes > 4096) {
        snprintf(err, errlen, "config: hardware.softmax_lanes must be in 1..4096, got %d", hw->softmax_lanes);
        return -1;
    }
    if (hw->kv_buffers < 1 || hw->kv_buffers > 8) {
        snprintf(err, errlen, "config: hardware.kv_buffers must be in 1..8, got %d", hw->kv_buffers);
        return -1;
    }
    if (hw->stage_buffers < 1 || hw->stage_buffers > 16) {
        snprintf(err, errlen, "config: hardware.stage_buffers must be in 1..16, got %d", hw->stage_buffers);
        return -1;
    }
    sched S;
    memset(&S, 0, sizeof S);
    S.cfg = cfg;
    S.st = st;
    S.B = hw->kv_buffers;
    S.Bs = hw->stage_buffers;
    S.slot_bytes_k = (uint64_t)hw->k_sram_bytes / (uint64_t)S.B;
    uint64_t slot_bytes_v = (uint64_t)hw->v_sram_bytes / (uint64_t)S.B;
    if (sp_dram_init(&S.dram, &hw->dram, hw->clock_mhz, err, errlen))
        return -1;
    uint32_t maxspan = 1;
    int maxd = 1;
    for (size_t i = 0; i < st->n; i++) {
        sp_tm_step *s = &st->s[i];
        if (s->span > maxspan)
            maxspan = s->span;
        if (s->d > maxd)
            maxd = s->d;
        if (s->span < s->keys)
            s->span = s->keys;
        /* given positions are ascending: the last one bounds them all */
        if ((s->key_pos && s->keys && (s->key_pos[s->keys - 1] < 0 || (uint32_t)s->key_pos[s->keys - 1] >= s->span)) ||
            (s->val_pos && s->values && (s->val_pos[s->values - 1] < 0 || (uint32_t)s->val_pos[s->values - 1] >= s->span))) {
            snprintf(err, errlen, "timing model: head-step %zu: token position beyond its span of %u", i, s->span);
            sp_dram_free(&S.dram);
            return -1;
        }
        s->t_start = s->t_end = 0;
        memset(s->cyc, 0, sizeof s->cyc);
        memset(s->data_bits, 0, sizeof s->data_bits);
    }
    if (st->layers < 1)
        st->layers = 1;
    if (st->heads < 1)
        st->heads = 1;
    S.region = sp_tm_cdiv((uint64_t)maxspan * row_bytes(maxd, 16), 4096) * 4096;
    uint64_t maxrows = 1, run = 0;
    size_t want = 0; /* unit runs of the whole schedule */
    for (size_t i = 0; i < st->n; i++) {
        const sp_tm_step *s = &st->s[i];
        uint64_t rows = sp_tm_rows(s);
        run = (i > 0 && same_head(&st->s[i - 1], s) ? run : 0) + rows;
        if (run > maxrows)
            maxrows = run;
        S.nv += rows;
        want += rows * (size_t)(N_NODES - 1 - (s->requant ? 0 : 3)) + (s->layer_end ? 1 : 0);
        /* R12: contexts larger than a slot stream through it in tiles */
        uint64_t kt = sp_tm_cdiv((uint64_t)s->keys * row_bytes(s->d, s->k_msb + s->k_lsb), S.slot_bytes_k);
        uint64_t vt = sp_tm_cdiv((uint64_t)s->values * row_bytes(s->d, s->v_msb + s->v_lsb), slot_bytes_v);
        if (kt > 1) {
            r->k_tiled_steps += rows;
            if (kt > r->k_tiles_max)
                r->k_tiles_max = (uint32_t)(kt > UINT32_MAX ? UINT32_MAX : kt);
        }
        if (vt > 1) {
            r->v_tiled_steps += rows;
            if (vt > r->v_tiles_max)
                r->v_tiles_max = (uint32_t)(vt > UINT32_MAX ? UINT32_MAX : vt);
        }
    }
    {
        int iters = st->iters, maxit = 0;
        for (size_t i = 0; i < st->n; i++)
            if (st->s[i].it > maxit)
                maxit = st->s[i].it;
        if (iters < maxit + 1)
            iters = maxit + 1;
        S.qrows = maxrows;
        S.qrow_bytes = row_bytes(maxd, 16);
        S.q_region = sp_tm_cdiv((uint64_t)iters * (uint64_t)st->layers * maxrows * (uint64_t)st->heads * S.qrow_bytes, 4096) * 4096;
    }
    /* deps() reaches back 1, kv_buffers and stage_buffers steps */
    S.keep_back = (size_t)(S.B > S.Bs ? S.B : S.Bs) + 1;
    S.wmask = 63;
    S.ring = malloc((S.wmask + 1) * sizeof *S.ring);
    int rc = -1;
    if (!S.ring) {
        snprintf(err, errlen, "out of memory in the timing model");
        goto done;
    }
    for (int x = 0; x < N_NODES; x++)
        if (try_queue(&S, 0, x)) {
            snprintf(err, errlen, "out of memory in the timing model");
            goto done;
        }
    size_t done_nodes = 0;
    while (S.hn > 0) {
        hitem h = hpop(&S);
        run_node(&S, h.step, h.node, h.ready);
        done_nodes++;
        S.pin = h.step;
        while (S.lo < S.hi && SL(&S, S.lo)->left == 0)
            S.lo++;
        /* wake the nodes that may depend on this one (deps() reaches back
         * to steps i - 1, i - B (K/V slots) and i - Bs (stage buffers));
         * a node is queued once, when its last dependency is done, and the
         * heap's order is total, so waking only these changes nothing */
        size_t i = h.step, wake[4] = {i, i + 1, i + (size_t)S.B, i + (size_t)S.Bs};
        unsigned mask[4];
        for (int k = 0; k < 4; k++) {
            mask[k] = wakes[k][h.node];
            for (int m = 0; m < k; m++)
                if (wake[m] == wake[k] && mask[k]) {
                    mask[m] |= mask[k];
                    mask[k] = 0;
                }
        }
        for (int k = 0; k < 4; k++)
            for (int x = 0; mask[k] >> x && wake[k] < S.nv; x++)
                if ((mask[k] >> x & 1u) && try_queue(&S, wake[k], x)) {
                    snprintf(err, errlen, "out of memory in the timing model");
                    goto done;
                }
    }
    if (done_nodes != want) {
        snprintf(err, errlen, "timing model: schedule stalled after %zu of %zu unit runs (internal error)", done_nodes, want);
        goto done;
    }
    for (size_t i = 0; i < st->n; i++) {
        const sp_tm_step *s = &st->s[i];
        for (int u = 0; u < SP_U_N; u++)
            r->unit_cycles[u] += s->cyc[u];
        for (int k = 0; k < SP_DK_N; k++)
            r->data_bits[k] += s->data_bits[k];
        r->requants += s->requant ? sp_tm_rows(s) : 0;
    }
    memcpy(r->unit_work, S.work, sizeof r->unit_work);
    r->head_steps = S.nv;
    r->total_cycles = S.total;
    r->k_overflow_steps = S.k_overflow;
    r->dram = S.dram.st;
    r->dram_peak_bytes_per_s = sp_dram_peak_bytes_per_s(&hw->dram);
    r->dram_achieved_bytes_per_s = sp_dram_achieved_bytes_per_s(&S.dram);
    r->seconds = (double)S.total / (hw->clock_mhz * 1e6);
    tm_bound(&S, r);
    rc = 0;
done:
    sp_dram_free(&S.dram);
    free(S.ring);
    free(S.heap);
    return rc;
}
