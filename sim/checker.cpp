// checker.cpp - see checker.h.
#include "checker.h"
#include "addrmap.h"
#include <cstdio>
#include <cstring>

Checker::Checker(const sp_config *cfg, const sp_trace *tr) : cfg_(cfg), tr_(tr)
{
    imp_.assign((size_t)tr->ntok, 0);
    himp_.assign((size_t)tr->heads, 0);
}

Checker::~Checker()
{
    if (started_) {
        {
            std::lock_guard<std::mutex> g(mu_);
            abort_ = true;
            have_ = false;
        }
        cv_.notify_all();
        th_.join();
        if (c_rc_ == 0)
            sp_run_result_free(&res_);
    }
}

void Checker::start()
{
    started_ = true;
    th_ = std::thread([this] {
        sp_observer obs = {this, cb_step, cb_tok, cb_head};
        c_rc_ = sp_run_model(cfg_, tr_, &obs, &res_, c_err_, sizeof c_err_);
        Rec end;
        end.kind = kRecEnd;
        post(std::move(end));
    });
}

void Checker::post(Rec &&r)
{
    std::unique_lock<std::mutex> g(mu_);
    cv_.wait(g, [this] { return !have_ || abort_; });
    if (abort_)
        return;
    slot_ = std::move(r);
    have_ = true;
    cv_.notify_all();
    // the record's arrays are copies: the model may go on once it is taken
    cv_.wait(g, [this] { return !have_ || abort_; });
}

void Checker::next(Rec &r)
{
    std::unique_lock<std::mutex> g(mu_);
    if (end_seen_) {
        r = Rec();
        r.kind = kRecEnd;
        return;
    }
    cv_.wait(g, [this] { return have_; });
    r = std::move(slot_);
    if (r.kind == kRecEnd)
        end_seen_ = true;
    have_ = false;
    g.unlock();
    cv_.notify_all();
}

void Checker::cb_step(void *ctx, int it, int l, int h, int row, const sp_head_result *r)
{
    Checker *c = static_cast<Checker *>(ctx);
    Rec x;
    x.kind = kRecStep;
    x.it = it; x.layer = l; x.head = h; x.row = row;
    x.n_active = r->n_active;
    x.requant = r->requant;
    x.tokens.assign(r->tokens, r->tokens + r->n_active);
    x.prob.assign(r->prob, r->prob + r->n_active);
    x.kept.assign(r->kept, r->kept + r->n_kept);
    x.out.assign(r->out, r->out + c->tr_->d);
    x.head_imp_add = r->head_imp_add;
    x.pmax = r->sm.pmax;
    c->post(std::move(x));
}

void Checker::cb_tok(void *ctx, int it, int l, const int32_t *kept, int n)
{
    Rec x;
    x.kind = kRecTok;
    x.it = it; x.layer = l;
    x.kept.assign(kept, kept + n);
    static_cast<Checker *>(ctx)->post(std::move(x));
}

void Checker::cb_head(void *ctx, int it, int l, const int32_t *kept, int n)
{
    Rec x;
    x.kind = kRecHead;
    x.it = it; x.layer = l;
    x.kept.assign(kept, kept + n);
    static_cast<Checker *>(ctx)->post(std::move(x));
}

static const char *kind_name(unsigned k)
{
    static const char *n[] = {"none", "prob", "requant", "value-kept", "out", "step-end",
                              "token-imp", "token-keep", "token-end", "head-imp", "head-keep",
                              "head-end"};
    return k < sizeof n / sizeof n[0] ? n[k] : "unknown";
}

bool Checker::fail(const char *unit, const ObsEvent &e, const std::string &what, long long rtl, long long c)
{
    // the RTL cycle: the rising clock edge, counted from 1 after reset is
    // released, that put the item on the observation port (docs/rtl.md s7)
    unsigned long long at = cycle_ > SP_RESET_CYCLES ? (unsigned long long)(cycle_ - SP_RESET_CYCLES) : 0;
    char b[512];
    snprintf(b, sizeof b,
             "MISMATCH unit=%s it=%u layer=%u head=%u row=%u index=%u cycle=%llu: %s: rtl=%lld c=%lld", unit,
             e.it, e.layer, e.head, e.row, e.idx, at, what.c_str(), rtl, c);
    failed_ = true;
    msg_ = b;
    return false;
}

// pmax of a requantized head-step's first softmax (MSB-approx keys),
// recomputed with the C model's unit functions (the observer reports the
// second, final softmax)
uint16_t Checker::pass1_pmax(const Rec &r)
{
    int d = tr_->d, H = tr_->heads;
    size_t lh = (size_t)r.layer * H + r.head;
    sp_logit_scale sc;
    if (sp_logit_scale_make(tr_->sq[lh], tr_->sk[lh], d, &sc))
        return 0;
    const int16_t *q = sp_trace_q(tr_, r.it, r.layer, r.head) + (size_t)r.row * d;
    std::vector<int16_t> km((size_t)d);
    std::vector<int32_t> y((size_t)r.n_active);
    std::vector<uint16_t> p((size_t)r.n_active);
    for (int i = 0; i < r.n_active; i++) {
        sp_quant_row_msb(sp_trace_k(tr_, r.layer, r.head) + (size_t)r.tokens[(size_t)i] * d, km.data(), d,
                         cfg_->alg.k_lsb);
        y[(size_t)i] = sp_qk_logit(sp_qk_dot(q, km.data(), d), sc.mult, sc.shift);
    }
    sp_softmax_info info;
    sp_softmax(y.data(), r.n_active, p.data(), &info, nullptr);
    return info.pmax;
}

// which C record a kind of observation belongs to: the kinds of each record
// are consecutive codes (defs/spattn.defs)
static_assert(kObsProb < kObsRequant && kObsRequant < kObsVKept && kObsVKept < kObsOut && kObsOut < kObsStepEnd &&
                  kObsStepEnd - kObsProb == 4,
              "head-step observation kinds must be consecutive");
static_assert(kObsTokKeep == kObsTokImp + 1 && kObsTokEnd == kObsTokImp + 2, "token kinds must be consecutive");
static_assert(kObsHeadKeep == kObsHeadImp + 1 && kObsHeadEnd == kObsHeadImp + 2, "head kinds must be consecutive");
static int group_of(unsigned k)
{
    if (k >= kObsProb && k <= kObsStepEnd)
        return 1;
    if (k >= kObsTokImp && k <= kObsTokEnd)
        return 2;
    if (k >= kObsHeadImp && k <= kObsHeadEnd)
        return 3;
    return 0;
}

bool Checker::feed(const ObsEvent &e, uint64_t cycle)
{
    cycle_ = cycle;
    if (failed_)
        return false;
    int g = group_of(e.kind);
    if (!g)
        return fail("controller", e, std::string("unknown observation kind ") + std::to_string(e.kind),
                    e.kind, 0);
    return g == 1 ? feed_step(e) : feed_prune(e, g);
}

static const char *const kRecName[] = {"", "head-step", "token-prune", "head-prune", ""};

// an item of a head-step: the open head-step of its (it, layer, head, row),
// else the C model's next record, which must be that head-step
bool Checker::feed_step(const ObsEvent &e)
{
    Rec *rp = nullptr;
    for (Rec &x : steps_)
        if (x.it == (int)e.it && x.layer == (int)e.layer && x.head == (int)e.head && x.row == (int)e.row) {
            rp = &x;
            break;
        }
    if (!rp) {
        if (prune_open_)
            return fail("controller", e, std::string("RTL began a head-step inside a ") + kRecName[prune_.kind], 1,
                        prune_.kind);
        if (steps_.size() >= 4)
            return fail("controller", e, "a fifth head-step in flight (the pipeline holds four)", 5, 4);
        Rec r;
        next(r);
        if (r.kind == kRecEnd) {
            if (c_rc_)
                return fail("cmodel", e, std::string("C model error: ") + c_err_, 0, 0);
            return fail("controller", e, std::string("RTL produced ") + kind_name(e.kind) +
                        " but the C model has finished", 1, 0);
        }
        if (r.kind != kRecStep)
            return fail("controller", e, std::string("RTL began a head-step, C model a ") + kRecName[r.kind], 1,
                        r.kind);
        if ((int)e.it != r.it)
            return fail("controller", e, "iteration", e.it, r.it);
        if ((int)e.layer != r.layer)
            return fail("controller", e, "layer", e.layer, r.layer);
        if ((int)e.head != r.head)
            return fail("controller", e, "head", e.head, r.head);
        if ((int)e.row != r.row)
            return fail("controller", e, "query row", e.row, r.row);
        steps_.push_back(std::move(r));
        rp = &steps_.back();
    }
    Rec &h = *rp;
    switch (e.kind) {
    case kObsProb:
        if (h.n_prob >= h.n_active)
            return fail("controller", e, "more active tokens than the C model", h.n_prob + 1, h.n_active);
        if ((int)e.idx != h.tokens[(size_t)h.n_prob])
            return fail("controller", e, "active token #" + std::to_string(h.n_prob), e.idx,
                        h.tokens[(size_t)h.n_prob]);
        if (e.data != h.prob[(size_t)h.n_prob])
            return fail("softmax", e, "probability of token " + std::to_string(e.idx), (long long)e.data,
                        h.prob[(size_t)h.n_prob]);
        h.n_prob++;
        break;
    case kObsRequant: {
        // the first softmax's pmax (bits 31:16) and the decision (bit 0)
        uint16_t pm = (uint16_t)(e.data >> 16);
        uint16_t want = h.requant ? pass1_pmax(h) : h.pmax;
        if (pm != want)
            return fail("softmax", e, h.requant ? "pmax of the first (MSB-key) softmax" : "pmax", pm, want);
        if ((int)(e.data & 1) != h.requant)
            return fail("requant", e, "requant flag", (long long)(e.data & 1), h.requant);
        h.seen_rq = true;
        break;
    }
    case kObsVKept:
        if (h.n_prob != h.n_active)
            return fail("controller", e, "value kept before the probability stream ended", h.n_prob, h.n_active);
        if (h.n_vkept >= (int)h.kept.size())
            return fail("topk", e, "more kept values than the C model", h.n_vkept + 1, (long long)h.kept.size());
        if ((int)e.idx != h.kept[(size_t)h.n_vkept])
            return fail("topk", e, "value-pruning kept token #" + std::to_string(h.n_vkept), e.idx,
                        h.kept[(size_t)h.n_vkept]);
        h.n_vkept++;
        break;
    case kObsOut:
        if ((int)e.idx != tr_->d || !e.vec)
            return fail("pv", e, "output vector length", e.idx, tr_->d);
        for (int j = 0; j < tr_->d; j++)
            if (e.vec[j] != h.out[(size_t)j]) {
                ObsEvent f = e;
                f.idx = (unsigned)j;
                return fail("pv", f, "output element " + std::to_string(j), e.vec[j], h.out[(size_t)j]);
            }
        h.n_out += tr_->d;
        break;
    case kObsStepEnd: {
        if (&h != &steps_.front())
            return fail("controller", e, "head-step ended before the older one in flight", 1, 0);
        if (h.n_prob != h.n_active)
            return fail("controller", e, "active tokens in head-step", h.n_prob, h.n_active);
        if (!h.seen_rq)
            return fail("requant", e, "no requant decision observed", 0, 1);
        if (h.n_vkept != (int)h.kept.size())
            return fail("topk", e, "kept values in head-step", h.n_vkept, (long long)h.kept.size());
        if (h.n_out != tr_->d)
            return fail("pv", e, "output elements", h.n_out, tr_->d);
        for (int i = 0; i < h.n_active; i++)
            imp_[(size_t)h.tokens[(size_t)i]] = sp_imp_add(imp_[(size_t)h.tokens[(size_t)i]], h.prob[(size_t)i]);
        himp_[(size_t)h.head] = sp_imp_add(himp_[(size_t)h.head], h.head_imp_add);
        if (lt_it_ != h.it || lt_layer_ != h.layer) {
            layer_heads_.clear();
            lt_it_ = h.it;
            lt_layer_ = h.layer;
        }
        if (layer_heads_.empty() || layer_heads_.back() != h.head)
            layer_heads_.push_back(h.head);
        last_tokens_ = h.tokens;
        exp_out_[spaddr::make(spaddr::kOut, (unsigned)h.layer, (unsigned)h.head,
                              (unsigned)(h.it * tr_->rows + h.row), 0)] = h.out;
        n_steps_++;
        n_probs_ += (uint64_t)h.n_prob;
        n_outs_ += (uint64_t)h.n_out;
        n_requant_ += (uint64_t)h.requant;
        n_vk_ += (uint64_t)h.n_vkept;
        steps_.pop_front();
        break;
    }
    }
    return true;
}

// pruning records: importance of every member, then the kept list; they
// come with no head-step in flight (the back end drains first)
bool Checker::feed_prune(const ObsEvent &e, int g)
{
    if (!prune_open_) {
        if (!steps_.empty())
            return fail("controller", e, std::string("RTL began a ") + kRecName[g] + " with a head-step in flight",
                        g, 1);
        next(prune_);
        if (prune_.kind == kRecEnd) {
            if (c_rc_)
                return fail("cmodel", e, std::string("C model error: ") + c_err_, 0, 0);
            return fail("controller", e, std::string("RTL produced ") + kind_name(e.kind) +
                        " but the C model has finished", 1, 0);
        }
        if ((int)prune_.kind != g)
            return fail("controller", e, std::string("RTL began a ") + kRecName[g] + ", C model a " +
                        kRecName[prune_.kind], g, prune_.kind);
        prune_open_ = true;
        n_keep_ = n_imp_ = 0;
        rank_pos_ = 0;
    }
    const Rec &r = prune_;
    if ((int)e.it != r.it)
        return fail("controller", e, "iteration", e.it, r.it);
    if ((int)e.layer != r.layer)
        return fail("controller", e, "layer", e.layer, r.layer);
    bool tok = g == 2;
    const char *what = tok ? "token" : "head";
    if ((int)e.it != lt_it_ || (int)e.layer != lt_layer_)
        return fail("controller", e, std::string(what) + " pruning before any head-step of this layer", e.layer,
                    lt_layer_);
    // the ranked members are those of the next layer's set (spec s10): a
    // subset of this layer's set, in ascending order; the C model's kept
    // list (exact) and the next layer's head-steps pin them down
    std::vector<int32_t> hl(layer_heads_.begin(), layer_heads_.end());
    const std::vector<int32_t> &cur = tok ? last_tokens_ : hl;
    int n_kept = (int)r.kept.size();
    if (e.kind == kObsTokImp || e.kind == kObsHeadImp) {
        while (rank_pos_ < cur.size() && cur[rank_pos_] < (int32_t)e.idx)
            rank_pos_++;
        if (rank_pos_ >= cur.size() || cur[rank_pos_] != (int32_t)e.idx)
            return fail("controller", e, std::string("ranked ") + what + " #" + std::to_string(n_imp_) +
                        " is not an active " + what + " of this layer (or out of order)", e.idx, -1);
        rank_pos_++;
        uint64_t c = tok ? imp_[e.idx] : himp_[e.idx];
        if (e.data != c)
            return fail("importance", e, std::string(what) + " importance of " + std::to_string(e.idx),
                        (long long)e.data, (long long)c);
        n_imp_++;
        n_imps_++;
    } else if (e.kind == kObsTokKeep || e.kind == kObsHeadKeep) {
        if (n_keep_ >= n_kept)
            return fail("topk", e, std::string("more ") + what + "s kept than the C model", n_keep_ + 1, n_kept);
        if ((int)e.idx != r.kept[(size_t)n_keep_])
            return fail("topk", e, std::string("kept ") + what + " #" + std::to_string(n_keep_), e.idx,
                        r.kept[(size_t)n_keep_]);
        n_keep_++;
    } else {
        if (n_keep_ != n_kept)
            return fail("topk", e, std::string(what) + "s kept", n_keep_, n_kept);
        (tok ? n_tprune_ : n_hprune_)++;
        prune_open_ = false;
    }
    return true;
}

bool Checker::finish(uint64_t cycle)
{
    cycle_ = cycle;
    if (failed_)
        return false;
    ObsEvent e = {0, 0, 0, 0, 0, 0, 0, nullptr};
    if (!steps_.empty() || prune_open_)
        return fail("controller", e, "RTL finished inside an open record", 1, 0);
    Rec r;
    next(r);
    if (r.kind != kRecEnd) {
        e.it = (unsigned)r.it;
        e.layer = (unsigned)r.layer;
        e.head = (unsigned)r.head;
        e.row = (unsigned)r.row;
        return fail("controller", e, "RTL finished but the C model has more records (kind)", 0, r.kind);
    }
    if (c_rc_)
        return fail("cmodel", e, std::string("C model error: ") + c_err_, 0, 0);
    return true;
}

bool Checker::check_events(const Activity &a)
{
    const sp_events &t = res_.total;
    ObsEvent e = {0, 0, 0, 0, 0, 0, 0, nullptr};
    struct { const char *what; uint64_t rtl, c; } rows[] = {
        {"K buffer row writes vs keys_msb + keys_lsb", a.kbuf_row_writes, t.keys_msb + t.keys_lsb},
        {"V buffer row writes vs values_fetched + values_lsb", a.vbuf_row_writes,
         t.values_fetched + t.values_lsb},
        {"softmax runs", a.softmax_runs, t.softmax_runs},
        {"top-k comparator uses vs topk_compares", a.topk_compares, t.topk_compares},
        {"top-k engine cycles vs topk_cycles", a.topk_cycles, t.topk_cycles},
    };
    for (auto &r : rows)
        if (r.rtl != r.c)
            return fail("events", e, r.what, (long long)r.rtl, (long long)r.c);
    return true;
}

bool Checker::check_outputs(const std::function<bool(uint64_t, uint8_t *)> &peek, uint64_t wr_beats,
                            int row_beats)
{
    std::vector<uint8_t> row((size_t)row_beats * spaddr::kBeatBytes);
    for (const auto &kv : exp_out_) {
        spaddr::Fields f = spaddr::split(kv.first);
        ObsEvent e = {0, 0, f.layer, f.head, f.index, 0, 0, nullptr};
        for (int b = 0; b < row_beats; b++)
            if (!peek(spaddr::beat_addr(kv.first, (unsigned)b), row.data() + b * spaddr::kBeatBytes))
                return fail("writer", e, "output row not in memory", 0, 1);
        for (int j = 0; j < tr_->d; j++) {
            int16_t v = (int16_t)(uint16_t)(row[2 * (size_t)j] | (row[2 * (size_t)j + 1] << 8));
            if (v != kv.second[(size_t)j]) {
                e.idx = (unsigned)j;
                return fail("writer", e, "output element in memory (row = iteration x rows + query row)", v,
                            kv.second[(size_t)j]);
            }
        }
    }
    ObsEvent e = {0, 0, 0, 0, 0, 0, 0, nullptr};
    if (wr_beats != (uint64_t)exp_out_.size() * (uint64_t)row_beats)
        return fail("writer", e, "output write beats vs head-steps x beats per row", (long long)wr_beats,
                    (long long)exp_out_.size() * row_beats);
    return true;
}

std::string Checker::counts() const
{
    char b[512];
    snprintf(b, sizeof b,
             "head_steps=%llu probs=%llu outputs=%llu requants=%llu values_kept=%llu "
             "token_prunes=%llu head_prunes=%llu importances=%llu",
             (unsigned long long)n_steps_, (unsigned long long)n_probs_, (unsigned long long)n_outs_,
             (unsigned long long)n_requant_, (unsigned long long)n_vk_, (unsigned long long)n_tprune_,
             (unsigned long long)n_hprune_, (unsigned long long)n_imps_);
    return b;
}
