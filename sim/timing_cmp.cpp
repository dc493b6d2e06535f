// timing_cmp.cpp - see timing_cmp.h. The C side is the engine's
// evaluation (engine/engine.h), its head-steps then rescheduled in the
// RTL's microarchitecture.
#include "timing_cmp.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>
extern "C" {
#include "engine.h"
}

MemClass mem_class_of_region(unsigned region)
{
    // region numbers of sim/addrmap.h: scale, q and K MSB form the key
    // fetch (requested back to back), K LSB the refetch, V MSB/LSB the value
    // fetch, 6 the head outputs
    if (region <= 2)
        return kMcFetchK;
    if (region == 3)
        return kMcFetchKLsb;
    if (region <= 5)
        return kMcFetchV;
    return kMcWrite;
}

void RtlUnitMeter::op(MemClass c, uint64_t issue, uint64_t done)
{
    if (c == kMcWrite) {
        if (wn_ == 0) {
            ws_ = issue;
            we_ = done;
        } else if (done > we_) {
            we_ = done;
        }
        if (++wn_ == write_beats) {
            span[kMcWrite] += we_ - ws_;
            jobs[kMcWrite]++;
            wn_ = 0;
        }
        return;
    }
    Open &o = c == kMcFetchV ? back_ : front_;
    bool &cut = c == kMcFetchV ? vcut_ : fcut_;
    if (o.c != (int)c || cut) {
        close(o);
        cut = false;
        o.c = (int)c;
        o.js = issue;
        o.je = done;
    } else if (done > o.je) {
        o.je = done;
    }
}

void RtlUnitMeter::close(Open &o)
{
    if (o.c >= 0) {
        span[o.c] += o.je - o.js;
        jobs[o.c]++;
    }
    o.c = -1;
}

void RtlUnitMeter::finish()
{
    close(front_);
    close(back_);
    if (wn_ > 0) {
        span[kMcWrite] += we_ - ws_;
        jobs[kMcWrite]++;
        wn_ = 0;
    }
}

void RtlUnitMeter::topk(uint64_t delta, bool prune)
{
    (prune ? topk_prune : topk_value) += delta;
}

void RtlUnitMeter::obs(unsigned kind)
{
    if (kind == 1)
        probs++;  // a row of final probabilities: one token-importance update (P lanes)
    else if (kind == 2)
        requants++;  // the requant decision of a head-step
}

// each query row's own requant flag, kept-value count and value top-k cost
// (sp_tm_steps_from_run shares a head-step's counts evenly over its rows;
// the RTL runs every row with its own)
struct RowCapture {
    struct Row {
        uint8_t requant;
        uint32_t values;
        uint64_t cycles, compares;
    };
    std::vector<Row> rows;
    static void on_step(void *ctx, int, int, int, int, const sp_head_result *r)
    {
        RowCapture *c = (RowCapture *)ctx;
        c->rows.push_back({(uint8_t)(r->requant != 0), (uint32_t)r->n_kept, r->vtopk.cycles, r->vtopk.compares});
    }
};

static double diff_pct(uint64_t rtl, uint64_t c)
{
    if (c == 0)
        return rtl == 0 ? 0.0 : 100.0;
    return 100.0 * ((double)rtl - (double)c) / (double)c;
}

TimingCompare timing_compare(const sp_config &cfg, const sp_trace &tr, int hw_d, const RtlUnitMeter &m,
                             const RtlUnitCounts &rc)
{
    TimingCompare t;
    char err[512] = {0};
    // the engine's evaluation (as `spattn run`), the trace borrowed
    RowCapture rcap;
    sp_observer obs = {&rcap, RowCapture::on_step, nullptr, nullptr};
    static sp_engine_input input;
    memset(&input, 0, sizeof input);
    input.trace = tr;
    sp_engine_in ein = {};
    ein.cfg = &cfg;
    ein.input = &input;
    ein.observer = &obs;
    static sp_engine_result res;
    if (sp_engine_run(&ein, &res, err, sizeof err)) {
        t.error = std::string("C model: ") + err;
        return t;
    }
    sp_tm_steps &st = res.steps;
    // one record per query row: each gets its own counts below
    int e = sp_tm_steps_split(&st, err, sizeof err);
    // each row's own counts (the sums stay the same)
    if (rcap.rows.size() == st.n) {
        for (size_t i = 0; i < st.n; i++) {
            st.s[i].requant = rcap.rows[i].requant && st.s[i].k_lsb > 0;
            st.s[i].values = rcap.rows[i].values;
            st.s[i].vtopk_cycles = rcap.rows[i].cycles;
            st.s[i].vtopk_compares = rcap.rows[i].compares;
        }
    }
    // the rows the run really fetched, when the capture holds exactly the
    // per-row counts (else the spread rule, for every step)
    if (!sp_engine_capture_apply(&res.cap, &st))
        for (size_t i = 0; i < st.n; i++)
            st.s[i].key_pos = st.s[i].val_pos = nullptr;
    // the pipeline's schedule (cmodel/timing.c), cycle by cycle, rows
    // hw_d wide
    static sp_tm_result arch;
    st.decode = tr.mode == SP_MODE_DECODE;
    st.hw_d = hw_d;
    if (!e)
        e = sp_timing_run(&cfg, &st, &arch, err, sizeof err);
    uint64_t given_total = res.fig.tm.total_cycles;
    sp_engine_result_free(&res);
    if (e) {
        t.error = std::string("C timing model: ") + err;
        return t;
    }
    auto add = [&t](const char *u, uint64_t r, uint64_t c, bool ex) { t.rows[t.n++] = {u, r, c, ex}; };
    add("fetch_k", m.span[kMcFetchK], arch.unit_cycles[SP_U_FETCH_K], false);
    add("qk", rc.kbuf_rd, arch.unit_work[SP_U_QK], true);
    add("softmax", rc.sm_work, arch.unit_work[SP_U_SOFTMAX], true);
    add("requant", m.requants, arch.unit_work[SP_U_REQUANT], true);
    add("fetch_k_lsb", m.span[kMcFetchKLsb], arch.unit_cycles[SP_U_FETCH_KLSB], false);
    add("topk", m.topk_value, arch.unit_work[SP_U_TOPK], true);
    add("fetch_v", m.span[kMcFetchV], arch.unit_cycles[SP_U_FETCH_V], false);
    add("pv", rc.vbuf_rd, arch.unit_work[SP_U_PV], true);
    add("importance", m.probs, arch.unit_work[SP_U_IMPORTANCE], true);
    add("prune", m.topk_prune, arch.unit_work[SP_U_PRUNE], true);
    add("write", m.span[kMcWrite], arch.unit_cycles[SP_U_WRITE], false);
    add("total", rc.cycles, arch.total_cycles, false);
    t.c_config_total = given_total;
    t.ok = true;
    return t;
}

std::string TimingCompare::table() const
{
    std::string o;
    char b[256];
    if (!ok)
        return "timing comparison not made: " + error + "\n";
    snprintf(b, sizeof b, "timing %-12s %12s %12s %9s  %s\n", "unit", "rtl", "c_timing", "diff_%", "rule");
    o += b;
    for (int i = 0; i < n; i++) {
        const Row &r = rows[i];
        snprintf(b, sizeof b, "timing %-12s %12llu %12llu %+9.3f  %s\n", r.unit, (unsigned long long)r.rtl,
                 (unsigned long long)r.c, diff_pct(r.rtl, r.c), r.exact_rule ? "exact" : "schedule");
        o += b;
    }
    snprintf(b, sizeof b, "timing %-12s %12s %12llu %9s  %s\n", "total_config", "-",
             (unsigned long long)c_config_total, "-", "C model, config as given (overlap, lanes)");
    o += b;
    return o;
}

std::string TimingCompare::json() const
{
    std::string o = "  \"timing_compare\": {\n";
    char b[256];
    if (!ok) {
        std::string e;
        for (char ch : error)
            if (ch != '"' && ch != '\\' && (unsigned char)ch >= 0x20)
                e += ch;
        return o + "    \"error\": \"" + e + "\"\n  }";
    }
    o += "    \"c_model\": \"the RTL schedule (cmodel/timing.c), rows hardware D wide\",\n";
    snprintf(b, sizeof b, "    \"c_total_cycles_config_as_given\": %llu,\n    \"units\": {\n",
             (unsigned long long)c_config_total);
    o += b;
    for (int i = 0; i < n; i++) {
        const Row &r = rows[i];
        snprintf(b, sizeof b,
                 "      \"%s\": {\"rtl\": %llu, \"c_timing\": %llu, \"diff_pct\": %.4f, \"rule\": \"%s\"}%s\n",
                 r.unit, (unsigned long long)r.rtl, (unsigned long long)r.c, diff_pct(r.rtl, r.c),
                 r.exact_rule ? "exact" : "schedule", i + 1 < n ? "," : "");
        o += b;
    }
    return o + "    }\n  }";
}
