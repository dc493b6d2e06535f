/* timing.c - the timing model: the RTL's head-step pipeline
 * (docs/rtl.md s5, docs/costs.md s1): a cycle-stepped model
 * of the controller, unit by unit as in rtl/ (ctl_seq, ctl_front, ctl_smx,
 * ctl_back, ctl_fetch, ctl_sel, fetcher, qk, softmax (load side, back
 * side, two score banks), pv, writer), each
 * FSM with the RTL's state names. The data is not computed here: the
 * head-steps carry what the data decides (active keys and their token
 * positions, the requant decision, the kept values, the top-k cycles).
 * Requests reach the DRAM model (cmodel/dram.c) in the cycle, and in the
 * order, the co-sim harness sends them: per cycle the read row's beats,
 * then the posted write beat. Cycle c of this model is cycle c of the
 * co-sim (sim/harness.cpp): the start pulse in SP_START_CYCLE. With
 * the back end in two parts holding different head-steps: ctl_vsel (the
 * value top-k, kept flags into one of two flag banks) and ctl_back (V walk,
 * pv, head importance, output), so the selection of i+1 runs beside the V
 * walk and pv of i. With
 * hardware.kv_buffers 2 the K buffer has two slots (k_sram_bytes / 2 each)
 * and ctl_fetch's prefetch walk fetches the next head-step of the layer's K
 * MSB rows into the other slot, named by ctl_seq's look-ahead. The read
 * port carries one request a cycle: up to FR = sp_fetch_rows K rows of a
 * K walk's group of FR aligned active-list positions, or one scale, q or V
 * row; its response delivers all of them in one cycle. This is the
 * one schedule: spattn run, sweeps, baselines, ablations and the co-sim's
 * cycle comparison all run it. A record of rows > 1 is walked as that many
 * head-steps (hs_rec) without copying it, so memory follows the records. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "timing.h"

/* a run with no FSM changing state for this long is stuck (a value
 * selection or the pruning may take long: up to a few times 2^20 cycles of
 * top-k on the largest buffers) */
#define SP_RTL_STALL_CYCLES (1 << 26)

/* test hook (tests/test_timing.c), not a user option: 0 steps every cycle
 * and sends each beat to the DRAM model on its own; 1 (the default) jumps
 * over quiet cycles and sends a request's beats in one call. Both give the
 * same results to the bit. */
int sp_tm_fast = 1;

/* one head-step's view, as the RTL walks them */
typedef struct {
    sp_tm_step *s;   /* its record (shared by the record's rows) */
    uint32_t n;      /* |A_l| */
    uint32_t ri;     /* query row within its head (encoder) */
} hstep;

/* controller FSM states (rtl/ctl_*.v) */
enum { SqList, SqHScan, SqStep, SqNextRow, SqBDrain, SqPrune, SqNextL, SqDrain, SqDone };
enum { FtIdle, FtFetchQ, FtQkStart, FtQk, FtSmWait, FtAbort };
enum { SxIdle, SxPHold, SxPStream, SxHand }; /* ctl_smx: the probability stream, the hand-over */
enum { VsIdle, VsSel, VsHand }; /* ctl_vsel: the value selection, the hand-over */
enum { BkIdle, BkVFetch, BkPvStart, BkPv, BkPvWait, BkHImp, BkStepEnd };
enum { FIdle, FScale, FQ, FK };
enum { VIdle, VWalk, VWait };
enum { PIdle, PWalk, PHeld };     /* ctl_fetch: the K prefetch walk */
enum { LaIdle, LaScan, LaFound }; /* ctl_seq: the look-ahead for it */
enum { LdIdle, LdLoad };                    /* softmax load side: logits into a score bank */
enum { StIdle, StExp, StDiv, StInfo, StNorm }; /* softmax back side, on the oldest full bank */

/* a request in flight (rtl/fetcher.v descriptor FIFO): one row, or a
 * group of up to FR rows of a K walk */
typedef struct {
    uint64_t cycle; /* the harness's response cycle (sim/memmodel.cpp RspQueue) */
    unsigned region;
    int bank;       /* kbuf bank of a K row (its slot's top bit) */
    uint32_t rows;  /* rows of the request */
} inflight;

/* memory job meter: the co-sim's RtlUnitMeter (sim/timing_cmp.cpp) */
typedef struct {
    int c;
    uint64_t js, je;
    sp_tm_step *own; /* the head-step the job is counted to */
} mjob;

typedef struct {
    const sp_config *cfg;
    sp_dram dram;
    int D, KPB, KF, TPB, VF, C, MT, KVB;
    int FR; /* rows of a K walk on the read port a cycle: fetch_rows, at most a kbuf line (KPB) */
    int P, SL; /* softmax lanes; logits into softmax a cycle, min(P, KPB) */
    unsigned bq, bkm, bkl, bvm, bvl, bout; /* beats per row of each region */
    int decode;
    /* meter */
    mjob front, back;
    int fcut, vcut;
    unsigned wn, wbeats;
    uint64_t ws, we;
    uint64_t span[4];
    /* the owners of the jobs opened next (front, back, write) */
    sp_tm_step *fown, *bown, *wown, *wjob;
    uint64_t c0; /* the run's first busy cycle */
    /* the head-step walk over the records: record rec holds head-steps
     * base .. base + rows - 1 (hs_rec) */
    sp_tm_steps *st;
    size_t rec, base, nhs;
} rsim;

static const int mjob_unit[4] = {SP_U_FETCH_K, SP_U_FETCH_KLSB, SP_U_FETCH_V, SP_U_WRITE};

/* the record of head-step i (the walk moves a few head-steps at a time) */
static sp_tm_step *hs_rec(rsim *M, size_t i)
{
    const sp_tm_steps *st = M->st;
    while (i < M->base) {
        M->rec--;
        M->base -= sp_tm_rows(&st->s[M->rec]);
    }
    while (i >= M->base + sp_tm_rows(&st->s[M->rec])) {
        M->base += sp_tm_rows(&st->s[M->rec]);
        M->rec++;
    }
    return &st->s[M->rec];
}
#define HS(i) (*hs_rec(M, (i)))

/* a head-step enters the front end in cycle c: the record's start is its
 * first row's; the front jobs from now on are its */
static void on_front(rsim *M, sp_tm_step *s, size_t i, uint64_t c)
{
    hs_rec(M, i);
    if (i == M->base)
        s->t_start = c - M->c0;
    M->fown = s;
}

/* a head-step leaves the back end in cycle c */
static void on_end(rsim *M, sp_tm_step *s, uint64_t c)
{
    if (c + 1 - M->c0 > s->t_end)
        s->t_end = c + 1 - M->c0;
}

static void meter_close(rsim *M, mjob *o)
{
    if (o->c >= 0) {
        M->span[o->c] += o->je - o->js;
        if (o->own)
            o->own->cyc[mjob_unit[o->c]] += o->je - o->js;
    }
    o->c = -1;
}

static void meter_op(rsim *M, int c, uint64_t issue, uint64_t done)
{
    if (c == 3) {
        if (M->wn == 0) {
            M->ws = issue;
            M->we = done;
            M->wjob = M->wown;
        } else if (done > M->we) {
            M->we = done;
        }
        if (++M->wn == M->wbeats) {
            M->span[3] += M->we - M->ws;
            if (M->wjob)
                M->wjob->cyc[SP_U_WRITE] += M->we - M->ws;
            M->wn = 0;
        }
        return;
    }
    mjob *o = c == 2 ? &M->back : &M->front;
    int *cut = c == 2 ? &M->vcut : &M->fcut;
    if (o->c != c || *cut) {
        meter_close(M, o);
        *cut = 0;
        o->c = c;
        o->js = issue;
        o->je = done;
        o->own = c == 2 ? M->bown : M->fown;
    } else if (done > o->je) {
        o->je = done;
    }
}

static int mclass(unsigned region)
{
    return region <= SP_REGION_K_MSB ? 0 : region == SP_REGION_K_LSB ? 1 : region <= SP_REGION_V_LSB ? 2 : 3;
}

static sp_dram_kindof rkind(unsigned region)
{
    switch (region) {
    case SP_REGION_Q: return SP_DK_Q;
    case SP_REGION_K_MSB: return SP_DK_K_MSB;
    case SP_REGION_K_LSB: return SP_DK_K_LSB;
    case SP_REGION_V_MSB:
    case SP_REGION_V_LSB: return SP_DK_V;
    default: return SP_DK_OTHER;
    }
}

/* the fixed address map (docs/rtl.md s2, rtl/fetcher.v): the beat field
 * holds beat ^ swz, swz = {region[0], head[1:0]} << 1 (the bank swizzle) */
static uint64_t raddr(unsigned region, unsigned layer, unsigned head, uint32_t index, uint32_t beat)
{
    uint32_t swz = ((region & 1u) << SP_ADDR_SWZ_HEAD_BITS | (head & ((1u << SP_ADDR_SWZ_HEAD_BITS) - 1)))
                   << SP_ADDR_SWZ_SHIFT;
    return ((uint64_t)region << SP_ADDR_REGION_SHIFT) |
           ((uint64_t)(layer & ((1u << SP_ADDR_LAYER_BITS) - 1)) << SP_ADDR_LAYER_SHIFT) |
           ((uint64_t)(head & ((1u << SP_ADDR_HEAD_BITS) - 1)) << SP_ADDR_HEAD_SHIFT) |
           ((uint64_t)(index >> SP_ADDR_IDX_LO_BITS) << SP_ADDR_IDX_HI_SHIFT) |
           ((uint64_t)((beat ^ swz) & ((1u << SP_ADDR_BEAT_FIELD_BITS) - 1)) << SP_ADDR_BEAT_FIELD_SHIFT) |
           ((uint64_t)(index & ((1u << SP_ADDR_IDX_LO_BITS) - 1)) << SP_ADDR_IDX_LO_SHIFT);
}

static unsigned beats_of(const rsim *M, unsigned region)
{
    switch (region) {
    case SP_REGION_Q: return M->bq;
    case SP_REGION_K_MSB: return M->bkm;
    case SP_REGION_K_LSB: return M->bkl;
    case SP_REGION_V_MSB: return M->bvm;
    case SP_REGION_V_LSB: return M->bvl;
    default: return 1;
    }
}

/* token of active-list position j of step s (the K row index) */
static uint32_t key_tok(const sp_tm_step *s, uint32_t j)
{
    return s->key_pos ? (uint32_t)s->key_pos[j] : (uint32_t)((uint64_t)j * s->span / s->keys);
}

/* the kept values' positions in the active list (the selection's flags) */
static void kept_ords(const sp_tm_step *s, uint32_t *ord)
{
    uint32_t kj = 0;
    for (uint32_t j = 0; j < s->values; j++) {
        if (s->val_pos && s->key_pos) {
            while (kj < s->keys && s->key_pos[kj] < s->val_pos[j])
                kj++;
            ord[j] = kj;
        } else {
            ord[j] = (uint32_t)((uint64_t)j * s->keys / s->values);
        }
    }
}

static int has_pos(const sp_tm_step *s, int32_t t)
{
    uint32_t lo = 0, hi = s->keys;
    while (lo < hi) {
        uint32_t m = (lo + hi) / 2;
        if (s->key_pos[m] < t)
            lo = m + 1;
        else
            hi = m;
    }
    return lo < s->keys && s->key_pos[lo] == t;
}

/* ctl_sel's layer end (prune_i to prune_done_o, both cycles counted):
 * SlTokChk; token pruning (not after the last layer, from token_start on):
 * SlTGather over |A_l| (n + 1), the selection over the m members of A_l+1
 * (SlStart, SlIn and SlWait over the engine's cycles, SlFlags: cycles + lines
 * + 2), SlTWalk (m + 1; it compacts the kept tokens, A_l+1, at the front
 * of the list: no listing at the next layer), SlTEnd; SlHeadChk; head pruning likewise over the
 * cfg heads with hm members of H_l+1, ending in SlHEnd. m and hm follow the
 * depth tables (ctl_tables): a member pruned after layer l in an earlier
 * iteration has depth l + 1 and is not counted. The two selections' engine
 * cycles are the step's prune_cycles. */
static uint64_t prune_len(rsim *M, const sp_tm_steps *st, size_t last, size_t next, int *tdepth, uint32_t ntd,
                          int *hdepth)
{
    const sp_tm_step *p = hs_rec(M, last);
    const sp_tm_step *s = next < M->nhs ? hs_rec(M, next) : NULL;
    size_t nrec = M->rec; /* the next layer's first record (when s) */
    const sp_alg_cfg *a = &M->cfg->alg;
    int l = p->layer, L = st->layers, H = st->heads;
    uint64_t C = (uint64_t)M->C;
    uint64_t c = 1 + 1; /* SlTokChk, SlHeadChk */
    int last_layer = l + 1 >= L;
    if (!last_layer && l >= a->token_start_layer) {
        uint64_t m = 0;
        for (uint32_t j = 0; j < p->keys; j++) {
            uint32_t t = key_tok(p, j);
            if (t >= ntd || tdepth[t] > l + 1)
                m++;
        }
        /* pruned now: members of A_l+1 absent from the next layer's keys */
        if (s && s->it == p->it && s->key_pos && p->key_pos)
            for (uint32_t j = 0; j < p->keys; j++) {
                int32_t t = p->key_pos[j];
                if ((uint32_t)t < ntd && tdepth[t] > l + 1 && !has_pos(s, t))
                    tdepth[t] = l + 1;
            }
        c += ((uint64_t)p->keys + 1) + (sp_tm_cdiv(m, C) + 2) + (m + 1) + 1;
    }
    if (!last_layer && l >= a->head_start_layer) {
        uint64_t hm = 0;
        int hh = H < 64 ? H : 64;
        for (int h = 0; h < hh; h++)
            hm += hdepth[h] > l + 1;
        int in_next[64] = {0};
        for (size_t j = nrec; s && j < st->n && st->s[j].it == p->it && st->s[j].layer == l + 1; j++)
            if (st->s[j].head >= 0 && st->s[j].head < 64)
                in_next[st->s[j].head] = 1;
        for (int h = 0; h < hh; h++)
            if (hdepth[h] > l + 1 && !in_next[h])
                hdepth[h] = l + 1;
        c += ((uint64_t)H + 1) + (sp_tm_cdiv(hm, C) + 2) + (hm + 1) + 1;
    }
    return c + p->prune_cycles - 1; /* prune_done in the last of these cycles */
}

int sp_timing_run(const sp_config *cfg, sp_tm_steps *st, sp_tm_result *r, char *err, size_t errlen)
{
    const sp_hw_cfg *hw = &cfg->hw;
    memset(r, 0, sizeof *r);
    rsim M0;
    rsim *M = &M0;
    memset(M, 0, sizeof *M);
    M->cfg = cfg;
    M->st = st;
    int decode = st->decode;
    int D = st->hw_d;
    sp_tm_geom G;
    if (D < 1) {
        /* no hardware D given: the smallest the config builds that holds
         * the widest step's rows (narrower rows run zero-padded, as in the
         * co-sim) */
        for (size_t i = 0; i < st->n; i++)
            if (st->s[i].d > D)
                D = st->s[i].d;
        if (D < 1)
            D = 1;
        int d0 = D;
        while (D < SP_MAX_D && sp_tm_geometry(cfg, D, &G, err, errlen))
            D++;
        if (sp_tm_geometry(cfg, D, &G, err, errlen)) {
            sp_tm_geometry(cfg, d0, &G, err, errlen); /* the message for the steps' own D */
            return -1;
        }
    }
    if (sp_tm_geometry(cfg, D, &G, err, errlen) || sp_tm_check(cfg, st, &G, err, errlen))
        return -1;
    for (size_t i = 0; i < st->n; i++) {
        sp_tm_step *s = &st->s[i];
        const sp_tm_step *s0 = &st->s[0];
        /* the fetcher's rows have one width per plane; a row fits the buffers' */
        if (s->q_bits != s0->q_bits || s->k_msb != s0->k_msb || s->k_lsb != s0->k_lsb || s->v_msb != s0->v_msb ||
            s->v_lsb != s0->v_lsb) {
            snprintf(err, errlen, "record %zu (iteration %d layer %d head %d): bit widths differ from the first "
                     "record's; the pipeline fetches one width per plane", i, s->it, s->layer, s->head);
            return -1;
        }
        M->nhs += sp_tm_rows(s);
        s->t_start = s->t_end = 0;
        memset(s->cyc, 0, sizeof s->cyc);
        memset(s->data_bits, 0, sizeof s->data_bits);
    }
    /* the run's plane widths: the steps' (a dense baseline fetches full
     * width in its MSB planes), within the buffer rows the config sizes */
    sp_alg_cfg aw = cfg->alg;
    if (st->n > 0) {
        const sp_tm_step *s0 = &st->s[0];
        if (s0->k_msb + s0->k_lsb > cfg->alg.k_msb + cfg->alg.k_lsb ||
            s0->v_msb + s0->v_lsb > cfg->alg.v_msb + cfg->alg.v_lsb) {
            snprintf(err, errlen, "K %d + %d and V %d + %d bits: wider than the buffer rows of algorithm.k_msb + "
                     "k_lsb (%d) and v_msb + v_lsb (%d)", s0->k_msb, s0->k_lsb, s0->v_msb, s0->v_lsb,
                     cfg->alg.k_msb + cfg->alg.k_lsb, cfg->alg.v_msb + cfg->alg.v_lsb);
            return -1;
        }
        aw.k_msb = s0->k_msb;
        aw.k_lsb = s0->k_lsb;
        aw.v_msb = s0->v_msb;
        aw.v_lsb = s0->v_lsb;
    }
    const sp_alg_cfg *a = &aw;
    M->decode = decode;
    M->D = D;
    M->KPB = hw->n_qk >= D ? hw->n_qk / D : 1;
    M->KF = hw->n_qk >= D ? 1 : D / hw->n_qk;
    M->TPB = hw->n_pv >= D ? hw->n_pv / D : 1;
    M->VF = hw->n_pv >= D ? 1 : D / hw->n_pv;
    M->C = hw->topk_comparators;
    M->P = hw->softmax_lanes;
    M->SL = M->P < M->KPB ? M->P : M->KPB;
    M->FR = sp_fetch_rows(hw->fetch_rows, hw->n_qk, D);
    if (M->FR < 1)
        M->FR = 1;
    /* kbuf: kv_buffers slots of MaxTokens rows (sp_tm_geometry) */
    M->KVB = G.kv_buffers;
    M->MT = G.max_tokens;
    if (st->heads < 1 || st->layers < 1 || st->iters < 1) {
        snprintf(err, errlen, "timing steps without iterations, layers or heads");
        return -1;
    }
    unsigned BB = SP_ADDR_BEAT_BITS;
    M->bq = (unsigned)sp_tm_cdiv(16u * (unsigned)D, BB);
    M->bkm = (unsigned)sp_tm_cdiv((uint64_t)a->k_msb * D, BB);
    M->bkl = (unsigned)sp_tm_cdiv((uint64_t)a->k_lsb * D, BB);
    M->bvm = (unsigned)sp_tm_cdiv((uint64_t)a->v_msb * D, BB);
    M->bvl = (unsigned)sp_tm_cdiv((uint64_t)a->v_lsb * D, BB);
    M->wbeats = M->bq;
    M->front.c = M->back.c = -1;
    if (sp_dram_init(&M->dram, &hw->dram, hw->clock_mhz, err, errlen))
        return -1;

    int rc = -1;
    uint32_t maxspan = 1, maxv = 1;
    for (size_t i = 0; i < st->n; i++) {
        if (st->s[i].span > maxspan)
            maxspan = st->s[i].span;
        if (st->s[i].values > maxv)
            maxv = st->s[i].values;
    }
    int *tdepth = malloc((size_t)maxspan * sizeof *tdepth);
    uint32_t *ord = malloc((size_t)maxv * sizeof *ord);
    size_t qcap = 1; /* a power of two above the rows in flight */
    while (qcap < SP_FETCH_MAX_OUT + 2)
        qcap *= 2;
    inflight *q = malloc(qcap * sizeof *q);
    /* one request's beats as burst runs (a beat is one burst, aligned) */
    unsigned maxb = M->bq > M->bkm ? M->bq : M->bkm;
    maxb = maxb > M->bkl ? maxb : M->bkl;
    maxb = maxb > M->bvm ? maxb : M->bvm;
    maxb = maxb > M->bvl ? maxb : M->bvl;
    uint64_t *runs = malloc(2 * (size_t)maxb * (size_t)M->FR * sizeof *runs);
    int batch = sp_tm_fast && hw->dram.burst_bytes == SP_ADDR_BEAT_BYTES;
    if (!tdepth || !ord || !q || !runs) {
        snprintf(err, errlen, "out of memory in the timing model");
        goto done;
    }
    for (uint32_t t = 0; t < maxspan; t++)
        tdepth[t] = st->layers;
    int hdepth[64];
    for (int h = 0; h < 64; h++)
        hdepth[h] = st->layers;
    if (st->n == 0) {
        rc = 0;
        goto done;
    }

    /* ---- state (the RTL's registers) ---- */
    /* ctl_seq */
    int sq = SqList;
    uint64_t sq_cnt = 0;
    int h = 0, it = st->s[0].it, l = st->s[0].layer;
    uint32_t ri = 0, n = st->s[0].keys, npres = st->s[0].span;
    size_t fi = 0; /* next head-step to start */
    /* ctl_front */
    int ft = FtIdle, pass2 = 0;
    hstep F = {0};
    uint32_t kl = 0, kb = 0, yrecv = 0, sercnt = 0, yfed = 0;
    /* qk pipeline */
    int s1v = 0, s1last = 0, s2v = 0, s3v = 0, s4v = 0;
    uint32_t qbeat = 0;
    /* softmax: load side (bank lb), back side (bank eb), full banks; its divider */
    int sl = LdIdle, lb = 0, sm = StIdle, eb = 0, div_done = 0;
    int sfull[2] = {0, 0};
    uint32_t sl_cnt = 0, sbn[2] = {0, 0}, sm_cnt = 0, sm_n = 0, div_cnt = 0;
    /* ctl_smx */
    int sx = SxIdle;
    hstep X = {0};
    uint32_t yx = 0; /* probabilities streamed */
    /* ctl_fetch: front walk, V walk */
    int fs = FIdle, vs = VIdle, qok = 0, wsub = 0;
    uint32_t vcnt = 0, vdone = 0, wj = 0, vp = 0;
    uint32_t kc[2] = {0, 0}, kd[2] = {0, 0}; /* K rows requested / arrived per kbuf bank */
    int kbank = 0, pbank = 0, kst = 0, ps = PIdle;
    unsigned ph = 0;          /* head of the prefetched head-step */
    const sp_tm_step *P = NULL; /* the prefetched head-step */
    /* ctl_seq look-ahead */
    int la = LaIdle, lah = 0, lax = 0; /* lax: the look-ahead is in the next layer */
    uint32_t pn = 0;                  /* ctl_fetch's pn_q: the prefetched head-step's row count */
    /* fetcher */
    int req_valid = 0, out_valid = 0;
    unsigned req_region = 0, req_layer = 0, req_head = 0, out_region = 0;
    int req_bank = 0, out_bank = 0;
    uint32_t req_index = 0, fill = 0, req_rows = 0, out_rows = 0;
    uint32_t req_k0 = 0;          /* active-list position of a K group's first row */
    const sp_tm_step *req_s = NULL; /* ... and its head-step (the K rows' tokens) */
    size_t qh = 0, qn = 0;
    uint64_t rsp_last = 0;
    int rsp_any = 0;
    /* ctl_vsel: the value selection's head-step */
    int vsl = VsIdle;
    hstep S = {0};
    /* ctl_back and pv */
    int bk = BkIdle, brq = 0;
    hstep B = {0};
    uint32_t pv_beats = 0, pv_left = 0;
    unsigned bl = 0, bh = 0;
    uint32_t bidx = 0;
    /* ctl_sel: the cycle of val_done_o / prune_done_o */
    uint64_t val_at = UINT64_MAX, prune_at = UINT64_MAX;
    size_t layer_last = 0; /* the last head-step started in this layer */
    /* writer */
    int wb = 0;
    unsigned wb_beat = 0, wl = 0, whd = 0;
    uint32_t widx = 0;
    /* phase edges for the meter */
    int ft_prev = FtIdle, bk_prev = BkIdle, sx_prev = SxIdle, vsl_prev = VsIdle;

    uint64_t work[SP_U_N] = {0};
    uint64_t c0 = SP_RUN_START + (uint64_t)M->MT; /* SqInit: MaxTokens cycles after the start pulse */
    uint64_t c = c0, cdone = 0, moved = c0; /* moved: the last cycle a controller FSM changed state */
    M->c0 = c0;
    for (;; c++) {
        /* ---- quiet cycles: jump to the next event (sp_tm_fast) ---- */
        if (sp_tm_fast && !req_valid && !wb && !out_valid && !div_done && !(s1v | s2v | s3v | s4v) &&
            ft == ft_prev && bk == bk_prev && sx == sx_prev && vsl == vsl_prev && (qn == 0 || q[qh].cycle > c)) {
            /* every FSM waits on a response, a selection's end (val_at,
             * prune_at), the divider or a free FIFO slot, or counts (the A_l
             * listing, the softmax's exp and normalise rows, the
             * probability stream): no state but those counts changes until
             * the earliest of those events or a count's last step */
            uint32_t KPB = (uint32_t)M->KPB, P = (uint32_t)M->P, want = brq && a->v_lsb > 0 ? 2 * wj : wj;
            int full = fill >= SP_FETCH_MAX_OUT, vsel = vsl == VsSel && c != val_at;
            int kready = kl < kd[kbank] / KPB || kd[kbank] == n;
            if ((vs == VIdle || (vs == VWait && vdone != want)) &&
                (fs == FIdle || (fs == FK && kc[kbank] != n && full)) &&
                (ps == PHeld || (ps == PIdle && !(M->KVB > 1 && la == LaFound && kst)) ||
                 (ps == PWalk && kc[pbank] != pn && full)) &&
                la != LaScan &&
                (bk == BkIdle || (bk == BkVFetch && vs == VWait)) &&
                ((vsl == VsIdle && sx != SxHand) || vsel || (vsl == VsHand && bk != BkIdle)) &&
                (sq == SqStep || (sq == SqPrune && c != prune_at) ||
                 (sq == SqBDrain && !(bk == BkIdle && sx == SxIdle && vsl == VsIdle)) || (sq == SqList && sq_cnt < npres)) &&
                (ft == FtIdle || (ft == FtSmWait && (sm != StInfo || (sx != SxIdle && (pass2 || !F.s->requant)))) ||
                 (ft == FtQk && sercnt == 0 && !(qok && kl != (n + KPB - 1) / KPB && kready))) &&
                (sx == SxIdle || (sx == SxPHold && vsel) || (sx == SxHand && vsl != VsIdle) ||
                 (sx == SxPStream && sm == StNorm)) &&
                (sl == LdIdle || ft == FtQk) && (sm != StIdle || !sfull[eb])) {
                uint64_t T = moved + SP_RTL_STALL_CYCLES + 1; /* the stall check's cycle */
                if (qn && q[qh].cycle < T)
                    T = q[qh].cycle;
                if (vsl == VsSel && val_at < T)
                    T = val_at;
                if (sq == SqPrune && prune_at < T)
                    T = prune_at;
                if (div_cnt && c + div_cnt - 1 < T)
                    T = c + div_cnt - 1; /* the divider's last step */
                if (sq == SqList && c + sp_tm_cdiv(npres - sq_cnt, M->FR) < T)
                    T = c + sp_tm_cdiv(npres - sq_cnt, M->FR);
                /* a row of P a cycle: the last row's cycle (count + P >= n) */
                int sm_row = sm == StExp || (sm == StNorm && sx == SxPStream);
                if (sm_row && c + (sm_n > sm_cnt + P ? (sm_n - sm_cnt - 1) / P : 0) < T)
                    T = c + (sm_n > sm_cnt + P ? (sm_n - sm_cnt - 1) / P : 0);
                if (sx == SxPStream && c + (n > yx + P ? (n - yx - 1) / P : 0) < T)
                    T = c + (n > yx + P ? (n - yx - 1) / P : 0);
                if (T > c) {
                    uint32_t j = (uint32_t)(T - c);
                    if (div_cnt)
                        div_cnt -= j;
                    if (sq == SqList)
                        sq_cnt += (uint64_t)j * (uint64_t)M->FR;
                    if (sm_row)
                        sm_cnt += j * P;
                    if (sx == SxPStream)
                        yx += j * P;
                    c = T;
                }
            }
        }
        /* ---- the harness's memory side of cycle c (sim/harness.cpp) ---- */
        if (ft == FtFetchQ && ft_prev != FtFetchQ)
            M->fcut = 1; /* the front end's new head-step opens a job */
        if (bk == BkVFetch && bk_prev != BkVFetch)
            M->vcut = 1; /* the back end's new head-step opens a job */
        ft_prev = ft;
        bk_prev = bk;
        sx_prev = sx;
        vsl_prev = vsl;
        if (req_valid && batch) { /* the same beats, one DRAM call (sp_dram_access_runs) */
            unsigned nb = beats_of(M, req_region);
            size_t k1 = 0;
            for (uint32_t k = 0; k < req_rows; k++) {
                uint32_t idx = k == 0 ? req_index : key_tok(req_s, req_k0 + k);
                for (unsigned b = 0; b < nb; b++) {
                    uint64_t bi = raddr(req_region, req_layer, req_head, idx, b) / SP_ADDR_BEAT_BYTES;
                    runs[k1++] = bi;
                    runs[k1++] = bi;
                }
            }
            uint64_t arrive = sp_dram_access_runs(&M->dram, runs, k1 / 2, 0, rkind(req_region), c, NULL);
            if (arrive < c)
                arrive = c;
            meter_op(M, mclass(req_region), c, arrive);
            uint64_t rcyc = (rsp_any && arrive <= rsp_last) ? rsp_last + 1 : arrive;
            rsp_last = rcyc;
            rsp_any = 1;
            q[(qh + qn) & (qcap - 1)] = (inflight){rcyc, req_region, req_bank, req_rows};
            qn++;
        } else if (req_valid) { /* the request register's rows: every beat of each at cycle c, row by row */
            uint64_t arrive = c;
            unsigned nb = beats_of(M, req_region);
            for (uint32_t k = 0; k < req_rows; k++) {
                uint32_t idx = k == 0 ? req_index : key_tok(req_s, req_k0 + k);
                for (unsigned b = 0; b < nb; b++) {
                    uint64_t e = sp_dram_access(&M->dram, raddr(req_region, req_layer, req_head, idx, b),
                                                SP_ADDR_BEAT_BYTES, 0, rkind(req_region), c, NULL);
                    if (e > arrive)
                        arrive = e;
                }
            }
            meter_op(M, mclass(req_region), c, arrive);
            uint64_t rcyc = (rsp_any && arrive <= rsp_last) ? rsp_last + 1 : arrive; /* in order, one a cycle */
            rsp_last = rcyc;
            rsp_any = 1;
            q[(qh + qn) & (qcap - 1)] = (inflight){rcyc, req_region, req_bank, req_rows};
            qn++;
        }
        if (wb) { /* writer: one posted beat a cycle */
            uint64_t e = sp_dram_access(&M->dram, raddr(SP_REGION_OUT, wl, whd, widx, wb_beat), SP_ADDR_BEAT_BYTES, 1,
                                        SP_DK_OUT, c, NULL);
            meter_op(M, 3, c, e > c ? e : c);
        }
        int rsp_valid = qn > 0 && q[qh].cycle <= c;
        unsigned rsp_region = rsp_valid ? q[qh].region : 0;
        int rsp_bank = rsp_valid ? q[qh].bank : 0;
        uint32_t rsp_rows = rsp_valid ? q[qh].rows : 0;
        if (rsp_valid) {
            qh = (qh + 1) & (qcap - 1);
            qn--;
        }

        /* ---- combinational signals of cycle c ---- */
        int f_k = out_valid && (out_region == SP_REGION_K_MSB || out_region == SP_REGION_K_LSB);
        int f_v = out_valid && (out_region == SP_REGION_V_MSB || out_region == SP_REGION_V_LSB);
        int f_q = out_valid && out_region == SP_REGION_Q;
        int row_ready = fill < SP_FETCH_MAX_OUT; /* fetcher: descriptor FIFO not full (memory always ready) */
        /* ctl_fetch VWalk: the next kept position in the walk position's line */
        int vr_valid = 0, v_step = 0, v_wait = 0;
        uint32_t kpos = 0;
        if (vs == VWalk) {
            while (vp < B.s->values && ord[vp] < vcnt)
                vp++;
            int found = vp < B.s->values && ord[vp] / (uint32_t)M->C == vcnt / (uint32_t)M->C;
            if (vcnt >= n)
                v_wait = 1;
            else if (!found)
                v_step = 1;
            else if ((kpos = ord[vp]) >= n)
                v_wait = 1;
            else
                vr_valid = 1;
        }
        uint32_t fcnt = kc[kbank], fdone = kd[kbank], kc_p0 = kc[pbank];
        int fr_valid = fs == FScale || fs == FQ || (fs == FK && fcnt != n);
        int pr_valid = ps == PWalk && kc[pbank] != pn; /* the prefetch: after V and the front walk */
        /* the row on the port this cycle (ctl_fetch's request mux) */
        unsigned row_region = vr_valid ? (wsub ? SP_REGION_V_LSB : SP_REGION_V_MSB)
                              : fs == FScale ? SP_REGION_SCALE
                              : fs == FQ     ? SP_REGION_Q
                              : fr_valid && pass2 ? SP_REGION_K_LSB
                                                  : SP_REGION_K_MSB;
        /* (looked up only when a row fires: key_tok divides) */
        uint32_t row_index = !row_ready || !(vr_valid || fr_valid || pr_valid) ? 0
                             : vr_valid ? (kpos < n ? key_tok(B.s, kpos) : 0)
                             : fs == FScale ? 0
                             : fs == FQ     ? (decode ? (uint32_t)F.s->it : key_tok(F.s, F.ri))
                             : fs == FK && fcnt < n ? key_tok(F.s, fcnt)
                             : pr_valid             ? key_tok(P, kc[pbank])
                                                    : 0;
        int v_fire = vr_valid && row_ready;              /* the V walk's row first */
        int f_fire = fr_valid && !vr_valid && row_ready; /* ... the front end's waits */
        int pf_fire = pr_valid && !fr_valid && !vr_valid && row_ready;
        /* a K walk's request: the rest of its group of FR aligned positions */
        uint32_t kgrp = f_fire && fs == FK ? n - fcnt : pf_fire ? pn - kc[pbank] : 1;
        if (kgrp > (uint32_t)M->FR)
            kgrp = (uint32_t)M->FR;
        int sm_y_ready = sl == LdLoad;
        uint32_t sy_n = sercnt < (uint32_t)M->SL ? sercnt : (uint32_t)M->SL; /* logits of the softmax beat */
        int y_ready = sercnt == 0 || (sercnt == sy_n && sm_y_ready);
        int adv = !s4v || y_ready; /* qk: the whole pipeline moves */
        uint32_t klines = (n + (uint32_t)M->KPB - 1) / (uint32_t)M->KPB;
        int kline_ready = kl < fdone / (uint32_t)M->KPB || fdone == n;
        int k_fire = ft == FtQk && qok && kl != klines && kline_ready && adv;
        int y_fire = s4v && y_ready;
        int sy_fire = ft == FtQk && sercnt != 0 && sm_y_ready;
        int p_fire = sm == StNorm && sx == SxPStream;
        int bk_idle = bk == BkIdle;
        int val_done = c == val_at;
        int skey_busy = vsl == VsSel && !val_done; /* top-k key buffer read by the value selection */
        int hand = sx == SxHand && vsl == VsIdle;  /* ctl_smx SxHand: one head-step in ctl_vsel */
        /* ctl_vsel to ctl_back: its kept flags in (val_done or VsHand), the back end free */
        int bhand = ((vsl == VsSel && val_done) || vsl == VsHand) && bk_idle;
        int sm_info = sm == StInfo;                /* the front end's head-step: its decision is ready */
        /* ctl_front hands its head-step to ctl_smx after the decision
         * (kept keys or pass 2); the softmax back side streams it */
        int fx_hand = ft == FtSmWait && sm_info && (pass2 || !F.s->requant) && sx == SxIdle;
        int q_sent = fs == FQ && f_fire;
        int k_req = ft == FtQkStart, sm_start = ft == FtQkStart, sm_abort = ft == FtAbort;
        int wb_ready = !wb;
        int step_start = 0, step_scale = 0, prune_start = 0;

        /* ---- ctl_seq ---- */
        int sq_d = sq;
        switch (sq) {
        case SqList: /* list A_0 (layer 0 of an iteration): every present
                      * token, an aligned group of FR a cycle */
            if (sq_cnt >= npres) {
                sq_d = SqHScan;
                h = 0;
            } else {
                sq_cnt += (uint64_t)M->FR;
            }
            break;
        case SqHScan: /* next active head; after the last, the layer end */
            if (h == st->heads) {
                sq_d = SqBDrain;
            } else if (fi < M->nhs && HS(fi).it == it && HS(fi).layer == l && HS(fi).head == h) {
                sq_d = SqStep;
                step_start = step_scale = 1;
                ri = 0;
            } else {
                h++;
            }
            break;
        case SqStep: /* the front end runs the head-step up to its decision */
            if (fx_hand)
                sq_d = SqNextRow;
            break;
        case SqNextRow: /* next query row (encoder), else next head */
            if (!decode && ri + 1 != n) {
                ri++;
                sq_d = SqStep;
                step_start = 1;
            } else {
                h++;
                sq_d = SqHScan;
            }
            break;
        case SqBDrain: /* layer end: ctl_smx, ctl_vsel and the back end finish */
            if (bk_idle && sx == SxIdle && vsl == VsIdle) {
                sq_d = SqPrune;
                prune_start = 1;
            }
            break;
        case SqPrune: /* ctl_sel prunes */
            if (c == prune_at)
                sq_d = SqNextL;
            break;
        case SqNextL: /* next layer (its list is A_l+1: ctl_sel's token walk
                       * compacted it, or no token was pruned), next
                       * iteration (list A_0), else drain */
            sq_cnt = 0;
            if (l + 1 != st->layers) {
                l++;
                sq_d = SqHScan;
                h = 0;
            } else if (it + 1 != st->iters) {
                l = 0;
                it++;
                sq_d = SqList;
            } else {
                sq_d = SqDrain;
            }
            if (sq_d != SqDrain) {
                if (fi >= M->nhs || HS(fi).it != it || HS(fi).layer != l) {
                    snprintf(err, errlen, "RTL schedule: no head-step for iteration %d layer %d", it, l);
                    goto done;
                }
                npres = HS(fi).span;
                n = HS(fi).keys;
            }
            break;
        case SqDrain: /* the last output write leaves */
            if (!wb)
                sq_d = SqDone;
            break;
        default:
            break;
        }
        /* ctl_seq look-ahead: the head-step after the one starting now */
        int la_d = la;
        if (la == LaScan) { /* one head a cycle (in SqStep: fi is the next head-step) */
            /* past the last head, on into the next layer only where no
             * pruning selection runs at this layer end (ctl_seq's xl_ok):
             * A_l+1 = A_l and H_l+1 = H_l there */
            const sp_alg_cfg *a = &M->cfg->alg;
            int xl_ok = l + 1 != st->layers && l < a->token_start_layer && l < a->head_start_layer;
            if (lah == st->heads) {
                if (xl_ok && !lax) {
                    lax = 1;
                    lah = 0;
                } else {
                    la_d = LaIdle;
                }
            } else if (fi < M->nhs && HS(fi).it == it && HS(fi).layer == l + lax && HS(fi).head == lah) {
                la_d = LaFound;
            } else {
                lah++;
            }
        }
        if (sq == SqStep && fx_hand)
            la_d = LaIdle;
        if (step_start) {
            lax = 0;
            if (!decode && ri + 1 != n) {
                la_d = LaFound;
                lah = h;
            } else {
                la_d = LaScan;
                lah = h + 1;
            }
        }
        if (step_start) {
            if (fi >= M->nhs || HS(fi).it != it || HS(fi).layer != l || HS(fi).head != h ||
                HS(fi).keys != n) {
                snprintf(err, errlen, "RTL schedule: head-step %zu is not the controller's next (iteration %d layer %d head %d)",
                         fi, it, l, h);
                goto done;
            }
        }

        /* ---- ctl_sel: layer-end pruning ---- */
        if (prune_start)
            prune_at = c + 1 + prune_len(M, st, layer_last, fi, tdepth, maxspan, hdepth);

        /* ---- ctl_front ---- */
        int ft_d = ft;
        switch (ft) {
        case FtIdle:
            if (step_start) {
                ft_d = FtFetchQ;
                F.s = &HS(fi);
                F.n = n;
                F.ri = ri;
                on_front(M, F.s, fi, c);
                layer_last = fi;
                fi++;
            }
            break;
        case FtFetchQ: /* scale and q requests */
            if (q_sent) {
                ft_d = FtQkStart;
                pass2 = 0;
            }
            break;
        case FtQkStart: /* softmax start and the K walk */
            ft_d = FtQk;
            kl = kb = yrecv = sercnt = yfed = 0;
            break;
        case FtQk: { /* kbuf lines into qk, logits into softmax, sy_n a cycle */
            uint32_t sercnt_d = sercnt;
            if (k_fire) {
                if (M->KF == 1 || kb == (uint32_t)M->KF - 1) {
                    kb = 0;
                    kl++;
                } else {
                    kb++;
                }
            }
            if (sy_fire) {
                sercnt_d = sercnt - sy_n;
                if (yfed + sy_n == n)
                    ft_d = FtSmWait;
                yfed += sy_n;
            }
            if (y_fire) {
                uint32_t rem = n - yrecv;
                if (rem > (uint32_t)M->KPB) {
                    sercnt_d = (uint32_t)M->KPB;
                    yrecv += (uint32_t)M->KPB;
                } else {
                    sercnt_d = rem;
                    yrecv = n;
                }
            }
            sercnt = sercnt_d;
            break;
        }
        case FtSmWait: /* softmax max, sum, pmax; pass 1 decides requant */
            if (sm_info && !pass2 && F.s->requant)
                ft_d = FtAbort;
            else if (fx_hand)
                ft_d = FtIdle;
            break;
        case FtAbort: /* requant: pass 2 on full keys */
            pass2 = 1;
            ft_d = FtQkStart;
            break;
        default:
            break;
        }

        /* ---- ctl_smx: the probability stream and the hand-over ---- */
        switch (sx) {
        case SxIdle: /* take the front end's head-step after its decision */
            if (fx_hand) {
                X = F;
                yx = 0;
                sx = skey_busy ? SxPHold : SxPStream;
            }
            break;
        case SxPHold: /* held while the value selection reads the key buffer */
            if (!skey_busy)
                sx = SxPStream;
            break;
        case SxPStream: /* probability rows into pbuf, keys, importance */
            if (p_fire) {
                uint32_t pn = n - yx < (uint32_t)M->P ? n - yx : (uint32_t)M->P;
                if (yx + pn == n)
                    sx = SxHand;
                yx += pn;
            }
            break;
        default: /* SxHand: to ctl_vsel once it is idle */
            if (hand)
                sx = SxIdle;
            break;
        }

        /* ---- qk (rtl/qk.v): 4 stages, stalled as a whole ---- */
        if (adv) {
            int last_beat = M->KF == 1 || qbeat == (uint32_t)M->KF - 1;
            s4v = s3v;
            s3v = s2v;
            s2v = s1v && s1last;
            s1v = k_fire;
            if (k_fire) {
                s1last = last_beat;
                qbeat = last_beat ? 0 : qbeat + 1;
            }
        }

        /* ---- softmax (rtl/softmax.v): load side, back side, divider (rtl/recip_div.v) ---- */
        {
            uint32_t P = (uint32_t)M->P;
            /* load side: n logits into bank lb (free), sy_n a beat */
            int ld_last = sl == LdLoad && sy_fire && sl_cnt + sy_n >= sbn[lb];
            if (sl == LdIdle) {
                if (sm_start && n != 0 && !sfull[lb]) {
                    sl = LdLoad;
                    sbn[lb] = n;
                    sl_cnt = 0;
                }
            } else if (sy_fire) {
                sl_cnt += sy_n;
                if (ld_last) {
                    sl = LdIdle;
                    sfull[lb] = 1;
                }
            }
            /* back side: the full bank eb (taken in the cycle its load ends) */
            int sm_d = sm, div_start = sm == StExp && sm_cnt + P >= sm_n;
            switch (sm) {
            case StIdle:
                if (sfull[eb]) {
                    sm_d = StExp;
                    sm_n = sbn[eb];
                    sm_cnt = 0;
                }
                break;
            case StExp: /* a row of P a cycle */
                if (sm_cnt + P >= sm_n) {
                    sm_d = StDiv;
                    sm_cnt = 0;
                } else {
                    sm_cnt += P;
                }
                break;
            case StDiv:
                if (div_done)
                    sm_d = StInfo;
                break;
            case StInfo: /* max, sum, pmax held for the front end's decision */
                if (fx_hand)
                    sm_d = StNorm;
                break;
            case StNorm: /* a row of P a cycle */
                if (p_fire) {
                    if (sm_cnt + P >= sm_n) {
                        sm_d = StIdle;
                        sm_cnt = 0;
                    } else {
                        sm_cnt += P;
                    }
                }
                break;
            default:
                break;
            }
            if (sm_abort)
                sm_d = StIdle;
            if (sm_d == StIdle && sm != StIdle) { /* the bank is free */
                sfull[eb] = 0;
                eb = !eb;
            }
            sm = sm_d;
            if (ld_last)
                lb = !lb;
            int dd = 0;
            if (div_cnt != 0) {
                dd = div_cnt == 1;
                div_cnt--;
            } else if (div_start) {
                div_cnt = SP_DIV_STEPS;
            }
            div_done = dd;
        }

        /* ---- ctl_vsel: the value selection ---- */
        int val_req = 0, v_req = 0, vec_fire = 0;
        switch (vsl) {
        case VsIdle: /* take ctl_smx's head-step; the value selection starts */
            if (hand) {
                vsl = VsSel;
                val_req = 1;
                S = X;
            }
            break;
        case VsSel: /* value top-k (ctl_sel), kept flags into this head-step's flag bank */
            if (val_done)
                vsl = bhand ? VsIdle : VsHand;
            break;
        default: /* VsHand: to the back end once it is idle */
            if (bhand)
                vsl = VsIdle;
            break;
        }
        if (val_req) /* ctl_sel: SlStart, keys, the engine, flags: val_done_o */
            val_at = c + S.s->vtopk_cycles + sp_tm_cdiv(n, (uint64_t)M->C) + 2;

        /* ---- ctl_back and pv ---- */
        switch (bk) {
        case BkIdle: /* take ctl_vsel's head-step; the V walk starts */
            if (bhand) {
                bk = BkVFetch;
                v_req = 1;
                B = S;
                M->bown = S.s;
                brq = S.s->requant;
                bl = (unsigned)S.s->layer;
                bh = (unsigned)S.s->head;
                bidx = decode ? (uint32_t)S.s->it : key_tok(S.s, S.ri);
            }
            break;
        case BkVFetch: /* V rows (ctl_fetch) */
            break;
        case BkPvStart: /* pv's accumulators cleared */
            bk = BkPv;
            pv_left = pv_beats;
            break;
        case BkPv: /* vbuf lines into pv, one beat a cycle */
            if (--pv_left == 0)
                bk = BkPvWait;
            break;
        case BkPvWait: /* pv's output the cycle after its last beat */
            bk = BkHImp;
            break;
        case BkHImp: /* head importance; the output to the writer */
            if (wb_ready) {
                vec_fire = 1;
                bk = BkStepEnd;
            }
            break;
        case BkStepEnd:
            bk = BkIdle;
            on_end(M, B.s, c);
            break;
        default:
            break;
        }

        /* ---- ctl_fetch: front walk ---- */
        int fs_d = fs;
        if (f_k)
            kd[out_bank] += out_rows;
        if (f_q)
            qok = 1;
        switch (fs) {
        case FScale:
            if (f_fire)
                fs_d = FQ;
            break;
        case FQ:
            if (f_fire) {
                fs_d = FIdle;
                qok = 0;
            }
            break;
        case FK:
            if (fcnt != n) {
                if (f_fire)
                    kc[kbank] += kgrp;
            } else {
                fs_d = FIdle;
            }
            break;
        default:
            break;
        }
        /* ctl_fetch: prefetch walk (the next head-step's K MSB rows, other bank) */
        int kbank_q = kbank, ps_q = ps;
        switch (ps) {
        case PIdle:
            if (M->KVB > 1 && la == LaFound && kst) {
                ps = PWalk;
                pbank = !kbank;
                ph = (unsigned)lah;
                P = &HS(fi);
                pn = n; /* |A_l+1| = |A_l| across a layer end without pruning */
                kc[pbank] = kd[pbank] = 0;
            }
            break;
        case PWalk:
            if (kc[pbank] != pn) {
                if (pf_fire)
                    kc[pbank] += kgrp;
            } else {
                ps = PHeld;
            }
            break;
        default: /* PHeld: until the head-step's K walk takes the bank */
            break;
        }
        if (step_start) {
            fs_d = step_scale ? FScale : FQ;
            kst = 0;
            if (M->KVB > 1)
                kbank = !kbank;
        }
        if (k_req) {
            fs_d = FK;
            kst = 1;
            if (!pass2 && ps_q != PIdle) {
                ps = PIdle; /* pass 1 of the prefetched head-step: its bank, its count */
            } else {
                kc[kbank] = 0;
                kd[kbank] = 0;
            }
        }
        /* ---- ctl_fetch: V walk ---- */
        int v_done = 0;
        uint32_t vdone_q = vdone; /* VWait compares the registered count */
        if (f_v)
            vdone++;
        if (vs == VWalk) {
            if (v_wait) {
                vs = VWait;
            } else if (v_step) {
                vcnt = (vcnt / (uint32_t)M->C + 1) * (uint32_t)M->C;
            } else if (v_fire) {
                if (brq && a->v_lsb > 0 && !wsub) {
                    wsub = 1;
                } else {
                    wsub = 0;
                    wj++;
                    vcnt = kpos + 1;
                }
            }
        } else if (vs == VWait) {
            uint32_t want = brq && a->v_lsb > 0 ? 2 * wj : wj;
            if (vdone_q == want) {
                vs = VIdle;
                v_done = 1;
            }
        }
        if (v_req) {
            vs = VWalk;
            vcnt = wj = vdone = 0;
            wsub = 0;
            vp = 0;
            kept_ords(B.s, ord);
        }
        if (bk == BkVFetch && v_done) { /* BkVFetch sees v_done: pv next */
            bk = BkPvStart;
            pv_beats = (uint32_t)sp_tm_cdiv(wj, (uint64_t)M->TPB) * (uint32_t)M->VF;
            if (pv_beats == 0) {
                snprintf(err, errlen, "RTL schedule: head-step with no kept value");
                goto done;
            }
            work[SP_U_PV] += pv_beats;
        }

        /* ---- fetcher ---- */
        int row_fire = v_fire || f_fire || pf_fire;
        if (req_valid) /* the memory is always ready (the harness queue holds 64 rows) */
            req_valid = 0;
        if (row_fire) {
            req_valid = 1;
            fill++;
            req_region = row_region;
            req_index = row_index;
            req_layer = v_fire ? bl : f_fire ? (unsigned)F.s->layer : (unsigned)P->layer; /* V rows: the back end's */
            req_head = v_fire ? bh : f_fire ? (unsigned)F.s->head : ph;
            req_bank = v_fire ? 0 : f_fire ? kbank_q : pbank;
            req_rows = v_fire ? 1 : kgrp;
            req_s = f_fire ? F.s : P;
            req_k0 = f_fire ? fcnt : kc_p0;
        }
        if (rsp_valid)
            fill--;
        out_valid = rsp_valid;
        if (rsp_valid) {
            out_region = rsp_region;
            out_bank = rsp_bank;
            out_rows = rsp_rows;
        }

        /* ---- writer ---- */
        if (wb) {
            if (++wb_beat == M->wbeats)
                wb = 0;
        }
        if (vec_fire) {
            M->wown = B.s;
            wb = 1;
            wb_beat = 0;
            wl = bl;
            whd = bh;
            widx = bidx;
        }

        /* work counted as the RTL's counters count it */
        if (k_fire)
            work[SP_U_QK]++;

        if (ft_d != ft || bk != bk_prev || sx != sx_prev || vsl != vsl_prev || sq_d != sq || rsp_valid)
            moved = c;
        else if (c - moved > SP_RTL_STALL_CYCLES) {
            snprintf(err, errlen, "RTL schedule: no state change for %d cycles at cycle %llu (internal error)",
                     SP_RTL_STALL_CYCLES, (unsigned long long)c);
            goto done;
        }
        fs = fs_d;
        ft = ft_d;
        la = la_d;
        if (sq == SqDrain && sq_d == SqDone) {
            cdone = c + 1;
            break;
        }
        sq = sq_d;
    }
    if (fi != M->nhs) {
        snprintf(err, errlen, "RTL schedule: head-step %zu (iteration %d layer %d head %d) is not in the controller's walk",
                 fi, HS(fi).it, HS(fi).layer, HS(fi).head);
        goto done;
    }
    /* exact units by definition (docs/rtl.md s9): per softmax pass the start
     * cycle, the load beats (min(P, KPB) logits each), the exp rows, the
     * divider and the normalise rows (none in a pass dropped by a requant);
     * one token-importance update per probability row */
    for (size_t i = 0; i < st->n; i++) {
        sp_tm_step *s = &st->s[i];
        uint64_t R = sp_tm_rows(s); /* the record's head-steps, alike */
        uint64_t rows = sp_tm_cdiv(s->keys, (uint64_t)M->P), beats = sp_tm_cdiv(s->keys, (uint64_t)M->SL);
        uint64_t passes = 1 + (s->requant ? 1 : 0);
        uint64_t u[SP_U_N] = {0};
        u[SP_U_QK] = passes * sp_tm_cdiv(s->keys, (uint64_t)M->KPB) * (uint64_t)M->KF;
        u[SP_U_SOFTMAX] = passes * (sp_softmax_cycles(s->keys, M->P) + beats) - (s->requant ? rows : 0);
        u[SP_U_REQUANT] = s->k_lsb > 0;
        u[SP_U_TOPK] = s->vtopk_cycles;
        u[SP_U_PV] = sp_tm_cdiv(s->values, (uint64_t)M->TPB) * (uint64_t)M->VF;
        u[SP_U_IMPORTANCE] = rows;
        for (int k = 0; k < SP_U_N; k++)
            if (k != SP_U_FETCH_K && k != SP_U_FETCH_KLSB && k != SP_U_FETCH_V && k != SP_U_WRITE) {
                s->cyc[k] = R * u[k];
                if (k != SP_U_QK && k != SP_U_PV) /* those two counted as the RTL counts them, in the loop */
                    work[k] += R * u[k];
            }
        if (s->layer_end && s->prune_after) { /* the record's last row ends the layer */
            s->cyc[SP_U_PRUNE] = s->prune_cycles;
            work[SP_U_PRUNE] += s->prune_cycles;
        }
        r->requants += s->requant ? R : 0;
        /* the data each head-step asks for: its query row, the K MSB rows,
         * on a requant the K LSB rows (the MSB planes stay in the K slot),
         * the kept values' planes, the output row */
        uint64_t d = (uint64_t)D;
        s->data_bits[SP_DK_Q] = R * d * s->q_bits;
        s->data_bits[SP_DK_K_MSB] = R * s->keys * d * s->k_msb;
        s->data_bits[SP_DK_K_LSB] = s->requant ? R * s->keys * d * s->k_lsb : 0;
        s->data_bits[SP_DK_V] = R * s->values * d * (s->v_msb + (s->requant ? s->v_lsb : 0));
        s->data_bits[SP_DK_OUT] = R * d * 16;
        for (int k = 0; k < SP_DK_N; k++)
            r->data_bits[k] += s->data_bits[k];
    }
    meter_close(M, &M->front);
    meter_close(M, &M->back);
    if (M->wn > 0) {
        M->span[3] += M->we - M->ws;
        if (M->wjob)
            M->wjob->cyc[SP_U_WRITE] += M->we - M->ws;
    }
    memcpy(r->unit_work, work, sizeof r->unit_work);
    for (int u = 0; u < SP_U_N; u++)
        r->unit_cycles[u] = work[u];
    r->unit_cycles[SP_U_FETCH_K] = M->span[0];
    r->unit_cycles[SP_U_FETCH_KLSB] = M->span[1];
    r->unit_cycles[SP_U_FETCH_V] = M->span[2];
    r->unit_cycles[SP_U_WRITE] = M->span[3];
    r->head_steps = M->nhs;
    r->total_cycles = cdone - c0; /* busy cycles after the initialisation (cnt_cycles_o) */
    r->dram = M->dram.st;
    r->dram_peak_bytes_per_s = sp_dram_peak_bytes_per_s(&hw->dram);
    r->dram_achieved_bytes_per_s = sp_dram_achieved_bytes_per_s(&M->dram);
    r->seconds = (double)r->total_cycles / (hw->clock_mhz * 1e6);
    {
        /* the least read latency: column command to the burst's last beat */
        double lf = floor(((double)hw->dram.tCL + M->dram.burst_clks - 1) * M->dram.acc_per_dram + 1e-9);
        sp_tm_bound(cfg, st, lf < 1 ? 1 : (uint64_t)lf, r);
    }
    rc = 0;
done:
    sp_dram_free(&M->dram);
    free(tdepth);
    free(ord);
    free(q);
    free(runs);
    return rc;
}
