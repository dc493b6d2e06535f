/* cmd_run.c - `spattn run`: config + trace -> engine -> output directory. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "engine.h"
#include "engine_rtl.h"
#include "params.h"
#include "report.h"
#include "spattn.h"

int cmd_run(int argc, char **argv);

enum { RUN_CONFIG, RUN_TRACE, RUN_OUT, RUN_ENGINE, RUN_BASELINE, RUN_WAVES, RUN_ABLATION, RUN_N };
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
    [RUN_ABLATION] = {0, "ablation", NULL, NULL, 0,
                      "also each technique alone and the dense baselines: a table, ablation.csv and stats.json "
                      "\"ablation\" (docs/costs.md)"},
};

const sp_cli_cmd sp_cmd_run = {
    .name = "run",
    .summary = "simulate a trace; write stats.json, layers.csv, energy.csv and plots into DIR",
    .opts = run_opts,
    .n_opts = RUN_N,
    .fn = cmd_run,
};

/* A workload CSV's rows fix the algorithm (counts, widths, requant): the
 * config's algorithm keys do not apply to it; say so rather than ignore
 * them silently. */
static void csv_notice(const char *cfg_path)
{
    fprintf(stderr, "spattn: notice: %s: a workload CSV's rows fix the algorithm; these config keys are not used:",
            cfg_path);
    int n = 0;
    for (int i = 0; i < sp_n_params; i++)
        if (!strncmp(sp_params[i].path, "algorithm.", 10))
            fprintf(stderr, "%s %s", n++ ? "," : "", sp_params[i].path + 10);
    fprintf(stderr, " (stats.json workload_algorithm: what the rows use)\n");
}

int cmd_run(int argc, char **argv)
{
    sp_cli_args a;
    int rc;
    if (sp_cli_parse(&sp_cmd_run, argc, argv, &a, &rc))
        return rc;
    const char *cfg_path = a.val[RUN_CONFIG], *trace = a.val[RUN_TRACE], *out = a.val[RUN_OUT];
    const char *engine = a.val[RUN_ENGINE], *base = a.val[RUN_BASELINE], *waves = a.val[RUN_WAVES];
    int ablation = a.val[RUN_ABLATION] != NULL;
    if (!strcmp(engine, "rtl") || !strcmp(engine, "cosim")) {
        if (base)
            return sp_cli_error("run: --baseline applies to the cmodel engine only");
        if (ablation)
            return sp_cli_error("run: --ablation applies to the cmodel engine only");
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
    /* a tensor trace, or an official workload CSV (timing only) with its
     * dense baseline: --baseline, else the "-dense.csv" file beside a
     * "-pruned.csv" one, else derived from the workload's shape */
    sp_engine_input input;
    if (sp_engine_input_open(trace, base, &cfg.alg, &input, err, sizeof err))
        return sp_cli_error("%s", err);
    sp_outdir od;
    sp_outdir_inputs inputs = {cfg_path, trace, input.has_baseline ? input.baseline_path : NULL};
    if (sp_outdir_begin(&od, out, &inputs, err, sizeof err)) {
        sp_engine_input_free(&input);
        return sp_cli_error("%s", err);
    }
    /* after the checks that can refuse the run: a refused run prints its
     * one error line only */
    if (input.is_workload)
        csv_notice(cfg_path);
    /* tensor traces: accuracy against the unpruned full-width reference */
    sp_engine_ref ref;
    int has_ref = 0;
    rc = SP_EXIT_OK;
    if (!input.is_workload) {
        if (sp_engine_ref_build(&cfg, &input.trace, &ref, err, sizeof err))
            rc = sp_cli_error("%s", err);
        else
            has_ref = 1;
    }
    sp_engine_result res;
    sp_engine_in ei = {.cfg = &cfg, .input = &input, .ref = has_ref ? &ref : NULL};
    if (rc == SP_EXIT_OK && sp_engine_run(&ei, &res, err, sizeof err)) {
        rc = sp_cli_error("%s", err);
    } else if (rc == SP_EXIT_OK) {
        sp_ablation ab;
        sp_report_in in = {&cfg, cfg_path, trace, input.is_workload ? "timing" : engine, &input, &res,
                           ablation ? &ab : NULL};
        sp_report_summary sum;
        if (ablation && sp_ablation_run(&cfg, &input, &res, &ab, err, sizeof err)) {
            rc = sp_cli_error("%s", err);
        } else if (sp_report_write_dir(od.tmp, &in, &sum, err, sizeof err) ||
                   sp_outdir_commit(&od, err, sizeof err)) {
            rc = sp_cli_error("%s", err);
        } else {
            if (input.is_workload)
                printf("spattn: wrote %s/stats.json (timing-only, %zu workload rows)\n", od.final,
                       input.workload.n);
            else
                printf("spattn: wrote %s/stats.json (outputs fnv1a64 %016llx, %llu head-steps)\n", od.final,
                       (unsigned long long)res.fig.out_checksum, (unsigned long long)res.fig.ev.head_steps);
            sp_report_print_summary(stdout, &sum, od.final);
            if (ablation)
                sp_report_print_ablation(stdout, &ab);
        }
        sp_engine_result_free(&res);
    }
    if (has_ref)
        sp_engine_ref_free(&ref);
    if (rc != SP_EXIT_OK)
        sp_outdir_abort(&od);
    sp_engine_input_free(&input);
    return rc;
}
