/* cmd_run.c - `spattn run`: config + trace -> engine -> output directory. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "engine_rtl.h"
#include "report.h"
#include "spattn.h"

int cmd_run(int argc, char **argv);

enum { RUN_CONFIG, RUN_TRACE, RUN_OUT, RUN_ENGINE, RUN_BASELINE, RUN_WAVES, RUN_N };
static const sp_cli_opt run_opts[RUN_N] = {
    [RUN_CONFIG] = {'c', "config", "CONFIG", NULL, 1, "the YAML config: hardware, algorithm, energy (docs/config.md)"},
    [RUN_TRACE] = {'t', "trace", "TRACE", NULL, 1,
                   "FILE.safetensors, an official workload FILE.csv (timing only) or synth:KEY=VALUE,..."},
    [RUN_OUT] = {'o', "out", "DIR", "out-run", 0, "output directory; every command's default is out-COMMAND"},
    [RUN_ENGINE] = {0, "engine", "ENGINE", "cmodel", 0,
                    "cmodel (C model), rtl (Verilated RTL in SystemC) or cosim (both in lock step)"},
    [RUN_BASELINE] = {0, "baseline", "DENSE.csv", NULL, 0,
                      "dense workload CSV for a CSV trace (default: the -dense.csv beside a -pruned.csv)"},
    [RUN_WAVES] = {0, "waves", "FILE.fst", NULL, 0, "with --engine rtl or cosim: write the RTL's waveforms (FST)"},
};

const sp_cli_cmd sp_cmd_run = {
    .name = "run",
    .summary = "simulate a trace; write stats.json, layers.csv, energy.csv and plots into DIR",
    .opts = run_opts,
    .n_opts = RUN_N,
    .fn = cmd_run,
};

/* Timing-only run of an official workload CSV (reports/, docs/costs.md):
 * the dense baseline is --baseline, else the "-dense.csv" file beside a
 * "-pruned.csv" one, else derived from the workload's shape. */
static int run_workload(const sp_config *cfg, const char *cfg_path, const char *trace, const char *base,
                        const char *out)
{
    char err[1024], sib[4096];
    sp_workload w, b;
    if (sp_workload_load_csv(trace, &w, err, sizeof err))
        return sp_cli_error("%s", err);
    const char *p = strstr(trace, "-pruned.csv");
    if (!base && p && strlen(trace) < sizeof sib) {
        snprintf(sib, sizeof sib, "%.*s-dense.csv", (int)(p - trace), trace);
        if (access(sib, R_OK) == 0)
            base = sib;
    }
    if (base && sp_workload_load_csv(base, &b, err, sizeof err)) {
        sp_workload_free(&w);
        return sp_cli_error("%s", err);
    }
    sp_outdir od;
    int rc = SP_EXIT_OK;
    sp_outdir_inputs inputs = {cfg_path, trace, base};
    if (sp_outdir_begin(&od, out, &inputs, err, sizeof err)) {
        rc = sp_cli_error("%s", err);
    } else {
        sp_report_in in = {cfg, cfg_path, trace, NULL, NULL, "timing", &w, base ? &b : NULL, base, NULL};
        sp_report_summary sum;
        if (sp_report_write_dir_sum(od.tmp, &in, &sum, err, sizeof err) || sp_outdir_commit(&od, err, sizeof err)) {
            rc = sp_cli_error("%s", err);
            sp_outdir_abort(&od);
        } else {
            printf("spattn: wrote %s/stats.json (timing-only, %zu workload rows)\n", od.final, w.n);
            sp_report_print_summary(stdout, &sum, od.final);
        }
    }
    if (base)
        sp_workload_free(&b);
    sp_workload_free(&w);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    sp_cli_args a;
    int rc;
    if (sp_cli_parse(&sp_cmd_run, argc, argv, &a, &rc))
        return rc;
    const char *cfg_path = a.val[RUN_CONFIG], *trace = a.val[RUN_TRACE], *out = a.val[RUN_OUT];
    const char *engine = a.val[RUN_ENGINE], *base = a.val[RUN_BASELINE], *waves = a.val[RUN_WAVES];
    if (!strcmp(engine, "rtl") || !strcmp(engine, "cosim")) {
        if (base)
            return sp_cli_error("run: --baseline applies to the cmodel engine only");
        return sp_engine_rtl_run(engine, cfg_path, trace, out, waves);
    }
    if (strcmp(engine, "cmodel"))
        return sp_cli_error("run: unknown engine '%s' (known: cmodel, rtl, cosim)", engine);
    if (waves)
        return sp_cli_error("run: --waves needs --engine rtl or cosim (the C model has no waveforms)");

    char err[1024];
    sp_config cfg;
    if (sp_config_load(cfg_path, &cfg, err, sizeof err))
        return sp_cli_error("%s", err);
    size_t tl = strlen(trace);
    if (tl > 4 && !strcmp(trace + tl - 4, ".csv"))
        return run_workload(&cfg, cfg_path, trace, base, out);
    if (base)
        return sp_cli_error("run: --baseline applies to workload CSV traces only");
    sp_trace tr;
    sp_outdir od;
    if (sp_cli_open_run(trace, cfg_path, &cfg.alg, &tr, out, &od, err, sizeof err))
        return SP_EXIT_USAGE;
    sp_run_result res;
    rc = SP_EXIT_OK;
    sp_report_capture cap; /* token positions for the DRAM model */
    sp_report_capture_init(&cap);
    sp_observer obs = sp_report_capture_observer(&cap);
    if (sp_run_model(&cfg, &tr, &obs, &res, err, sizeof err)) {
        rc = sp_cli_error("%s", err);
    } else {
        sp_report_in in = {&cfg, cfg_path, trace, &tr, &res, engine, NULL, NULL, NULL, &cap};
        sp_report_summary sum;
        if (sp_report_write_dir_sum(od.tmp, &in, &sum, err, sizeof err) || sp_outdir_commit(&od, err, sizeof err)) {
            rc = sp_cli_error("%s", err);
        } else {
            printf("spattn: wrote %s/stats.json (outputs fnv1a64 %016llx, %llu head-steps)\n", od.final,
                   (unsigned long long)res.out_checksum, (unsigned long long)res.total.head_steps);
            sp_report_print_summary(stdout, &sum, od.final);
        }
        sp_run_result_free(&res);
    }
    sp_report_capture_free(&cap);
    if (rc != SP_EXIT_OK)
        sp_outdir_abort(&od);
    sp_trace_free(&tr);
    return rc;
}
