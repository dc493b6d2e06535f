/* cmd_run.c - `spattn run`: config + trace -> engine -> output directory. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "engine_rtl.h"
#include "report.h"
#include "spattn.h"

static int usage(void)
{
    return sp_cli_error("usage: spattn run -c CONFIG -t TRACE [-o DIR] [--engine cmodel|rtl|cosim] [--baseline DENSE.csv]");
}

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
    if (base && (sp_workload_load_csv(base, &b, err, sizeof err) || sp_workload_check_baseline(&w, &b, err, sizeof err))) {
        sp_workload_free(&b);
        sp_workload_free(&w);
        return sp_cli_error("%s", err);
    }
    sp_outdir od;
    int rc = SP_EXIT_OK;
    if (sp_outdir_begin(&od, out, err, sizeof err)) {
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
    size_t tl = strlen(trace);
    if (tl > 4 && !strcmp(trace + tl - 4, ".csv"))
        return run_workload(&cfg, cfg_path, trace, base, out);
    if (base)
        return sp_cli_error("run: --baseline applies to workload CSV traces only");
    sp_trace tr;
    sp_outdir od;
    if (sp_cli_open_run(trace, &cfg.alg, &tr, out, &od, err, sizeof err))
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
