// timing_cmp.cpp - see timing_cmp.h.
#include "timing_cmp.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>
extern "C" {
#include "report.h"
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
    if (cur_ != (int)c) {
        finish();
        cur_ = (int)c;
        js_ = issue;
        je_ = done;
    } else if (done > je_) {
        je_ = done;
    }
}

void RtlUnitMeter::finish()
{
    if (cur_ >= 0) {
        span[cur_] += je_ - js_;
        jobs[cur_]++;
    }
    cur_ = -1;
}

void RtlUnitMeter::topk(uint64_t delta, bool prune)
{
    (prune ? topk_prune : topk_value) += delta;
}

void RtlUnitMeter::obs(unsigned kind)
{
    if (kind == 1)
        probs++;  // a final probability: one token-importance update
    else if (kind == 2)
        requants++;  // the requant decision of a head-step
}

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
    sp_report_capture cap;
    sp_report_capture_init(&cap);
    sp_observer obs = sp_report_capture_observer(&cap);
    static sp_run_result res;
    memset(&res, 0, sizeof res);
    if (sp_run_model(&cfg, &tr, &obs, &res, err, sizeof err)) {
        t.error = std::string("C model: ") + err;
        sp_report_capture_free(&cap);
        return t;
    }
    sp_tm_steps st;
    memset(&st, 0, sizeof st);
    int e = sp_tm_steps_from_run(&cfg, &tr, &res, &st, err, sizeof err);
    // the rows the run really fetched (as reports/costs.c does)
    if (!e && !cap.overflow && cap.calls == st.n) {
        bool same = true;
        for (size_t i = 0; i < st.n && same; i++)
            same = cap.kn[i] == st.s[i].keys && cap.vn[i] == st.s[i].values;
        for (size_t i = 0; i < st.n && same; i++) {
            st.s[i].key_pos = cap.pool + cap.koff[i];
            st.s[i].val_pos = cap.pool + cap.voff[i];
        }
    }
    static sp_tm_result given, arch;
    if (!e)
        e = sp_timing_run(&cfg, &st, &given, err, sizeof err);
    // the RTL's microarchitecture (docs/rtl.md s5, s7): one softmax lane,
    // one K/V buffer, head-steps one after another, requant aborts softmax,
    // one row request per cycle, and the datapath D wide (a trace with
    // d < D runs zero-padded)
    static sp_config ac;
    ac = cfg;
    ac.hw.softmax_lanes = 1;
    ac.hw.kv_buffers = 1;
    for (size_t i = 0; i < st.n; i++)
        st.s[i].d = hw_d;
    if (!e)
        e = sp_timing_run_flags(&ac, &st, SP_TM_SERIAL | SP_TM_SOFTMAX_ABORT | SP_TM_RTL_ADDRMAP, &arch, err,
                                sizeof err);
    sp_tm_steps_free(&st);
    sp_run_result_free(&res);
    sp_report_capture_free(&cap);
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
    t.c_config_total = given.total_cycles;
    t.ok = true;
    return t;
}

std::string TimingCompare::table() const
{
    std::string o;
    char b[192];
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
    o += "    \"c_model\": \"softmax_lanes 1, kv_buffers 1, d = hardware D, SP_TM_SERIAL | SP_TM_SOFTMAX_ABORT | SP_TM_RTL_ADDRMAP\",\n";
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
