/* cmd_run.c - `spattn run`: config + trace -> engine -> output directory. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "engine.h"
#include "engine_rtl.h"
#include "report.h"
#include "spattn.h"

static int usage(void)
{
    return sp_cli_error("usage: spattn run -c CONFIG -t TRACE [-o DIR] [--engine cmodel|rtl|cosim] [--baseline DENSE.csv]");
}

int cmd_run(int argc, char **argv)
{
    const char *cfg_path = NULL, *trace = NULL, *out = "out", *engine = "cmodel", *base = NULL;
    const sp_cli_opt opts[] = {
        {"-c", "--config", .value = &cfg_path}, {"-t", "--trace", .value = &trace},
        {"-o", "--out", .value = &out},         {"--engine", NULL, .value = &engine},
        {"--baseline", NULL, .value = &base},   {0},
    };
    int rc = sp_cli_parse(argc, argv, "run", opts, usage);
    if (rc)
        return rc;
    if (!cfg_path)
        return sp_cli_error("run: missing -c CONFIG");
    if (!trace)
        return sp_cli_error("run: missing -t TRACE");
    if (!strcmp(engine, "rtl") || !strcmp(engine, "cosim"))
        return sp_engine_rtl_run(engine, cfg_path, trace, out);
    if (strcmp(engine, "cmodel"))
        return sp_cli_error("run: unknown engine '%s' (known: cmodel, rtl, cosim)", engine);

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
    if (sp_outdir_begin(&od, out, err, sizeof err)) {
        sp_engine_input_free(&input);
        return sp_cli_error("%s", err);
    }
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
        sp_report_in in = {&cfg, cfg_path, trace, input.is_workload ? "timing" : engine, &input, &res};
        sp_report_summary sum;
        if (sp_report_write_dir(od.tmp, &in, &sum, err, sizeof err) || sp_outdir_commit(&od, err, sizeof err)) {
            rc = sp_cli_error("%s", err);
        } else {
            if (input.is_workload)
                printf("spattn: wrote %s/stats.json (timing-only, %zu workload rows)\n", od.final,
                       input.workload.n);
            else
                printf("spattn: wrote %s/stats.json (outputs fnv1a64 %016llx, %llu head-steps)\n", od.final,
                       (unsigned long long)res.fig.out_checksum, (unsigned long long)res.fig.ev.head_steps);
            sp_report_print_summary(stdout, &sum, od.final);
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
