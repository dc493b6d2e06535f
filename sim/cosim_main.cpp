// cosim_main.cpp - spattn_cosim: runs the Verilated RTL in a SystemC
// harness against a TLM-2.0 memory target holding the trace, and (engine
// cosim) checks it in lock step against the C model.
//   spattn_cosim -c CONFIG -t TRACE [-o DIR] [--engine rtl|cosim] [--waves FILE.fst]
// Exit status: 0 PASS (or rtl run done), 1 FAIL, 2 bad input.
#include <sys/stat.h>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include "harness.h"  // before <systemc> (see harness.h)
#include "mem_target.h"
#include "plain_loop.h"
#include "sim_params.h"
extern "C" {
#include "simparams.h"
#include "traces.h"
}

static int usage_error(const std::string &msg)
{
    fprintf(stderr, "spattn_cosim: %s\n", msg.c_str());
    return 2;
}

static std::string json_str(const char *s)
{
    std::string o = "\"";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            o += '\\';
            o += (char)c;
        } else if (c < 0x20) {
            char b[8];
            snprintf(b, sizeof b, "\\u%04x", c);
            o += b;
        } else {
            o += (char)c;
        }
    }
    return o + "\"";
}

// The widths the RTL is built for must hold every trace element (the C
// model's own load check, made before the RTL runs: the RTL would wrap).
static std::string check_ranges(const sp_config &cfg, const sp_trace &tr)
{
    const sp_alg_cfg &a = cfg.alg;
    struct { const int16_t *x; size_t n; int bits; const char *name; } ts[3] = {
        {tr.q, (size_t)tr.iters * tr.layers * tr.heads * tr.rows * tr.d, a.q_bits, "q"},
        {tr.k, (size_t)tr.layers * tr.heads * tr.ntok * tr.d, a.k_msb + a.k_lsb, "k"},
        {tr.v, (size_t)tr.layers * tr.heads * tr.ntok * tr.d, a.v_msb + a.v_lsb, "v"},
    };
    for (auto &t : ts) {
        int lo = -(1 << (t.bits - 1)), hi = (1 << (t.bits - 1)) - 1;
        for (size_t j = 0; j < t.n; j++)
            if (t.x[j] < lo || t.x[j] > hi)
                return std::string(t.name) + " element " + std::to_string(j) + " = " + std::to_string(t.x[j]) +
                       " does not fit the configured " + std::to_string(t.bits) + " bits";
    }
    if ((double)(1 << (a.q_bits - 1)) * (double)(1 << (a.k_msb + a.k_lsb - 1)) * tr.d > 2147483648.0)
        return "q_bits x key bits x d can overflow the 32-bit QK accumulator";
    return "";
}

static int write_stats(const std::string &dir, const std::string &text, std::string &err)
{
    if (mkdir(dir.c_str(), 0777) && errno != EEXIST) {
        err = "cannot create output directory " + dir + ": " + strerror(errno);
        return -1;
    }
    std::string path = dir + "/stats.json", tmp = dir + "/.stats.json.tmp";
    FILE *f = fopen(tmp.c_str(), "w");
    if (!f) {
        err = "cannot write " + tmp + ": " + strerror(errno);
        return -1;
    }
    bool bad = fputs(text.c_str(), f) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp.c_str(), path.c_str())) {
        remove(tmp.c_str());
        err = "cannot write " + path;
        return -1;
    }
    return 0;
}

// Our own main: silence SystemC's banner (stdout belongs to the result
// lines) before the kernel starts, then run sc_main through the kernel.
int main(int argc, char **argv)
{
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char **argv)
{
    // the "simulation stopped by user" note of sc_stop is not a result
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    const char *cfg_path = nullptr, *trace = nullptr, *out = nullptr, *engine = "cosim", *waves = nullptr,
               *harness = "systemc";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = nullptr;
        if (!strcmp(a, "-c") || !strcmp(a, "--config")) dst = &cfg_path;
        else if (!strcmp(a, "-t") || !strcmp(a, "--trace")) dst = &trace;
        else if (!strcmp(a, "-o") || !strcmp(a, "--out")) dst = &out;
        else if (!strcmp(a, "--engine")) dst = &engine;
        else if (!strcmp(a, "--waves")) dst = &waves;
        else if (!strcmp(a, "--harness")) dst = &harness;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: spattn_cosim -c CONFIG -t TRACE [-o DIR] [--engine rtl|cosim] [--waves FILE.fst]\n"
                   "       spattn_cosim -c CONFIG -t TRACE --harness plain   (RTL in a plain C++ loop, for make bench)\n");
            return 0;
        } else
            return usage_error(std::string("unknown option '") + a + "'");
        if (i + 1 >= argc)
            return usage_error(std::string("option '") + a + "' needs a value");
        *dst = argv[++i];
    }
    if (!cfg_path)
        return usage_error("missing -c CONFIG");
    if (!trace)
        return usage_error("missing -t TRACE");
    bool cosim = !strcmp(engine, "cosim");
    if (!cosim && strcmp(engine, "rtl"))
        return usage_error(std::string("unknown engine '") + engine + "' (known: rtl, cosim)");
    bool plain = !strcmp(harness, "plain");
    if (!plain && strcmp(harness, "systemc"))
        return usage_error(std::string("unknown harness '") + harness + "' (known: systemc, plain)");
    if (plain && out)
        return usage_error("--harness plain runs the RTL alone and writes no output directory");
#if !SIM_TRACE
    if (waves)
        return usage_error("--waves: this binary was built without FST tracing (make cosim builds it with)");
#endif
    char err[1024];
    static sp_config cfg;
    if (sp_config_load(cfg_path, &cfg, err, sizeof err))
        return usage_error(err);
    sp_simparams built = SIM_PARAMS_INIT, want;
    if (sp_simparams_make(&cfg, built.d, &want, err, sizeof err))
        return usage_error(std::string(cfg_path) + ": " + err);
    if (!sp_simparams_equal(&built, &want)) {
        char b[512], c[512];
        FILE *m = fmemopen(b, sizeof b, "w");
        sp_simparams_print(m, &built);
        fclose(m);
        m = fmemopen(c, sizeof c, "w");
        sp_simparams_print(m, &want);
        fclose(m);
        return usage_error(std::string(cfg_path) + ": this binary's RTL was built for " SIM_CONFIG " (" + b +
                           "); the config needs " + c + "; rebuild with make cosim COSIM_CONFIG=" + cfg_path);
    }
    static sp_trace tr;
    memset(&tr, 0, sizeof tr);
    if (sp_trace_open(trace, &cfg.alg, &tr, err, sizeof err))
        return usage_error(err);
    std::string e;
    int maxn = tr.mode == SP_MODE_DECODE ? tr.ctx + tr.iters : tr.ctx;
    if (tr.d > built.d)
        e = "trace d " + std::to_string(tr.d) + " exceeds the hardware D " + std::to_string(built.d);
    else if (tr.layers > SP_RTL_MAX_LAYERS)
        e = "trace has " + std::to_string(tr.layers) + " layers; the RTL runs at most " +
            std::to_string(SP_RTL_MAX_LAYERS) + " (its layer run register and address field, docs/rtl.md s2)";
    else if (maxn > built.max_tokens)
        e = "trace needs " + std::to_string(maxn) + " active tokens; the K buffer holds " +
            std::to_string(built.max_tokens) + " in each of its " + std::to_string(built.kv_buffers) +
            " slots (hardware.k_sram_bytes / hardware.kv_buffers)";
    else if ((int)sp_keep_count((uint32_t)maxn, cfg.alg.value_keep_q16) > built.max_vals)
        e = "trace keeps up to " + std::to_string(sp_keep_count((uint32_t)maxn, cfg.alg.value_keep_q16)) +
            " values; the V buffer holds " + std::to_string(built.max_vals) + " (hardware.v_sram_bytes)";
    if (e.empty())
        e = check_ranges(cfg, tr);
    if (!e.empty()) {
        sp_trace_free(&tr);
        return usage_error(std::string(trace) + ": " + e);
    }
    MemModel mem;
    if (!mem.init(cfg, tr, built.d, e)) {
        sp_trace_free(&tr);
        return usage_error(e);
    }
    if (plain) {
        VerilatedContext ctx;
        PlainResult pr = plain_loop_run(&ctx, cfg, tr, mem);
        fprintf(stderr, "spattn_cosim: %llu cycles in %.3f s: %.0f cycles/s (plain C++ loop; %.3f s CPU: %.0f cycles/CPU-s)\n",
                (unsigned long long)pr.cycles, pr.seconds, pr.seconds > 0 ? (double)pr.cycles / pr.seconds : 0.0,
                pr.cpu_seconds, pr.cpu_seconds > 0 ? (double)pr.cycles / pr.cpu_seconds : 0.0);
        printf("%s rtl_cycles=%llu init_cycles=%llu dram_beats=%llu\n", pr.ok ? "DONE" : "FAIL",
               (unsigned long long)pr.counters.cycles, (unsigned long long)pr.counters.init,
               (unsigned long long)pr.counters.dram_beats);
        sp_trace_free(&tr);
        return pr.ok ? 0 : 1;
    }
    int rc;
    {
        VerilatedContext ctx;
        Checker checker(&cfg, &tr);
        sc_core::sc_time period(1000.0 / cfg.hw.clock_mhz, sc_core::SC_NS);
        MemTarget target("mem", &mem, period);
        RtlHarness h("rtl", &ctx, &cfg, &tr, cosim ? &checker : nullptr, &mem, period, waves);
        h.socket.bind(target.socket);
        if (cosim)
            checker.start();
        // timed: the simulation loop alone (the checker's C model thread
        // runs inside it); CPU time is the whole process's (both threads)
        auto t0 = std::chrono::steady_clock::now();
        std::clock_t c0 = std::clock();
        sc_core::sc_start();
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double cpu = (double)(std::clock() - c0) / CLOCKS_PER_SEC;
        const RtlCounters &c = h.counters;
        fprintf(stderr, "spattn_cosim: %llu cycles in %.3f s: %.0f cycles/s (SystemC harness, engine %s; %.3f s CPU: %.0f cycles/CPU-s)\n",
                (unsigned long long)h.cycle, secs, secs > 0 ? (double)h.cycle / secs : 0.0, engine, cpu,
                cpu > 0 ? (double)h.cycle / cpu : 0.0);
        const sp_dram_stats &ds = mem.dram_stats();
        std::string counts = cosim ? checker.counts() : std::string("");
        std::string phases;
        for (int i = 0; i < kPhases; i++) {
            char pb[96];
            snprintf(pb, sizeof pb, "%s      \"%s\": %llu", i ? ",\n" : "", kPhaseNames[i],
                     (unsigned long long)c.phase[i]);
            phases += pb;
        }
        // busy cycles by (front-end stage, back-end stage) pair: the
        // OVERLAP COVERAGE table (docs/rtl.md s5; tests/cosim/overlap.sh)
        std::string cov_txt = "OVERLAP COVERAGE (busy cycles by front-end stage x back-end stage; ctl_smx stage x each; ctl_vsel stage x ctl_smx, back end)\n", cov_js;
        for (int f = 0; f < kFStages; f++)
            for (int b = 0; b < kBStages; b++) {
                char cb[160];
                snprintf(cb, sizeof cb, "overlap %-10s %-10s %llu\n", kFStageNames[f], kBStageNames[b],
                         (unsigned long long)h.cover[f][b]);
                cov_txt += cb;
                snprintf(cb, sizeof cb, "%s    \"%s/%s\": %llu", cov_js.empty() ? "" : ",\n", kFStageNames[f],
                         kBStageNames[b], (unsigned long long)h.cover[f][b]);
                cov_js += cb;
            }
        // a later part's stages (rows) beside two other parts' (columns a, then b):
        // "TAG ROW PART COLUMN N" lines and "TAG/ROW/PART/COLUMN" entries
        auto pair_rows = [&](const char *tag, const char *const *rows, int nrows, const char *pa,
                             const char *const *ca, int na, const char *pb, const char *const *cb_,
                             int nb, auto get) {
            for (int r = 0; r < nrows; r++)
                for (int o = 0; o < na + nb; o++) {
                    bool in_a = o < na;
                    uint64_t v = get(r, in_a, in_a ? o : o - na);
                    const char *nm = in_a ? ca[o] : cb_[o - na], *part = in_a ? pa : pb;
                    char cb[160];
                    snprintf(cb, sizeof cb, "%s %-10s %-5s %-10s %llu\n", tag, rows[r], part, nm,
                             (unsigned long long)v);
                    cov_txt += cb;
                    snprintf(cb, sizeof cb, ",\n    \"%s/%s/%s/%s\": %llu", tag, rows[r], part, nm,
                             (unsigned long long)v);
                    cov_js += cb;
                }
        };
        // ctl_smx's stages beside the front end's and the back end's
        pair_rows("smx", kXStageNames, kXStages, "front", kFStageNames, kFStages, "back", kBStageNames,
                  kBStages, [&](int x, bool a, int c) { return a ? h.cover_xf[x][c] : h.cover_xb[x][c]; });
        // ctl_vsel's stages beside ctl_smx's and the back end's
        pair_rows("vsel", kVStageNames, kVStages, "smx", kXStageNames, kXStages, "back", kBStageNames,
                  kBStages, [&](int v, bool a, int c) { return a ? h.cover_vx[v][c] : h.cover_vb[v][c]; });
        // the K prefetch of the next head-step beside the running front end's stages
        for (int f = 0; f < kFStages; f++) {
            char cb[160];
            snprintf(cb, sizeof cb, "prefetch %-10s %llu\n", kFStageNames[f], (unsigned long long)h.cover_pf[f]);
            cov_txt += cb;
            snprintf(cb, sizeof cb, ",\n    \"prefetch/%s\": %llu", kFStageNames[f], (unsigned long long)h.cover_pf[f]);
            cov_js += cb;
        }
        // RTL cycles beside the C timing model's, per unit (docs/rtl.md s9)
        TimingCompare tc;
        if (h.ok)
            tc = timing_compare(cfg, tr, built.d, h.meter, {c.cycles, c.kbuf_rd, c.vbuf_rd, c.sm_work});
        else
            tc.error = "the RTL run did not finish";
        char js[32768];
        snprintf(js, sizeof js,
                 "{\n  \"engine\": \"%s\",\n  \"config\": %s,\n  \"trace\": %s,\n  \"result\": \"%s\",\n"
                 "  \"message\": %s,\n  \"rtl\": {\n    \"cycles\": %llu,\n    \"init_cycles\": %llu,\n"
                 "    \"reset_cycles\": %llu,\n    \"qk_multiplier_enables\": %llu,\n"
                 "    \"pv_multiplier_enables\": %llu,\n    \"kbuf_row_writes\": %llu,\n"
                 "    \"kbuf_line_reads\": %llu,\n    \"vbuf_row_writes\": %llu,\n    \"vbuf_line_reads\": %llu,\n"
                 "    \"dram_read_beats\": %llu,\n    \"dram_write_beats\": %llu,\n    \"topk_comparator_uses\": %llu,\n    \"topk_cycles\": %llu,\n"
                 "    \"softmax_runs\": %llu,\n    \"cycles_by_phase\": {\n%s\n    }\n  },\n  \"dram\": {\n    \"bursts\": %llu,\n    \"row_hits\": %llu,\n"
                 "    \"row_misses\": %llu,\n    \"row_empty\": %llu,\n    \"refreshes\": %llu\n  },\n"
                 "  \"checker\": %s,\n  \"overlap_coverage\": {\n%s\n  },\n%s\n}\n",
                 engine, json_str(cfg_path).c_str(), json_str(tr.id).c_str(),
                 h.ok ? (cosim ? "PASS" : "DONE") : "FAIL", json_str(h.message.c_str()).c_str(),
                 (unsigned long long)c.cycles, (unsigned long long)c.init, (unsigned long long)kResetCycles,
                 (unsigned long long)c.qk_mul, (unsigned long long)c.pv_mul, (unsigned long long)c.kbuf_wr,
                 (unsigned long long)c.kbuf_rd, (unsigned long long)c.vbuf_wr, (unsigned long long)c.vbuf_rd,
                 (unsigned long long)c.dram_beats, (unsigned long long)c.dram_wr_beats, (unsigned long long)c.cmp,
                 (unsigned long long)c.topk_cycles, (unsigned long long)c.softmax_runs, phases.c_str(),
                 (unsigned long long)ds.bursts, (unsigned long long)ds.row_hits,
                 (unsigned long long)ds.row_misses, (unsigned long long)ds.row_empty,
                 (unsigned long long)ds.refreshes, json_str(counts.c_str()).c_str(), cov_js.c_str(), tc.json().c_str());
        std::string werr;
        bool wrote = true;
        if (out && write_stats(out, js, werr)) {
            fprintf(stderr, "spattn_cosim: %s\n", werr.c_str());
            wrote = false;
        }
        if (!h.message.empty())
            printf("%s\n", h.message.c_str());
        fputs(cov_txt.c_str(), stdout);
        fputs(tc.table().c_str(), stdout);
        char tail[256];
        snprintf(tail, sizeof tail, "rtl_cycles=%llu init_cycles=%llu dram_beats=%llu",
                 (unsigned long long)c.cycles, (unsigned long long)c.init, (unsigned long long)c.dram_beats);
        if (cosim)
            printf("%s %s %s\n", h.ok ? "PASS" : "FAIL", counts.c_str(), tail);
        else
            printf("%s %s\n", h.ok ? "DONE" : "FAIL", tail);
        fflush(stdout);
        rc = !h.ok ? 1 : (wrote ? 0 : 2);
    }
    sp_trace_free(&tr);
    return rc;
}
