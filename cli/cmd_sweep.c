/* cmd_sweep.c - `spattn sweep`: every point of the config's `sweep:` axes
 * through the engine (as `spattn run`), on a tensor trace compared with
 * one unpruned full-width reference run; writes sweep.csv, sweep.json and
 * the Pareto plots into one output directory (docs/sweep.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "engine.h"
#include "spattn.h"
#include "sweep.h"
#include "sweep_report.h"


/* line of the top-level `sweep:` key in path (0 when it is not there, e.g.
 * the section comes from an included file) */
static int sweep_line(const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[4096];
    int line = 0, found = 0;
    while (f && !found && fgets(buf, sizeof buf, f)) {
        line++;
        found = !strncmp(buf, "sweep:", 6);
    }
    if (f)
        fclose(f);
    return found ? line : 0;
}

int cmd_sweep(int argc, char **argv);

enum { SW_CONFIG, SW_TRACE, SW_OUT, SW_JOBS, SW_NO_PLOTS, SW_N };
static const sp_cli_opt sweep_opts[SW_N] = {
    [SW_CONFIG] = {'c', "config", "CONFIG", NULL, 1, "the YAML config with a sweep: section (docs/sweep.md)"},
    [SW_TRACE] = {'t', "trace", "TRACE", NULL, 1, "FILE.safetensors or synth:KEY=VALUE,... (a tensor trace)"},
    [SW_OUT] = {'o', "out", "DIR", "out-sweep", 0, "output directory; every command's default is out-COMMAND"},
    [SW_JOBS] = {'j', "jobs", "N", "1", 0, "run points on N threads, 1..64 (the output does not depend on N)"},
    [SW_NO_PLOTS] = {0, "no-plots", NULL, NULL, 0, "write sweep.csv and sweep.json only, no plots"},
};

const sp_cli_cmd sp_cmd_sweep = {
    .name = "sweep",
    .summary = "run every point of CONFIG's sweep: axes; write sweep.csv, sweep.json and Pareto plots into DIR",
    .opts = sweep_opts,
    .n_opts = SW_N,
    .fn = cmd_sweep,
};

int cmd_sweep(int argc, char **argv)
{
    sp_cli_args a;
    int rc;
    if (sp_cli_parse(&sp_cmd_sweep, argc, argv, &a, &rc))
        return rc;
    const char *cfg_path = a.val[SW_CONFIG], *trace = a.val[SW_TRACE], *out = a.val[SW_OUT], *jobs_s = a.val[SW_JOBS];
    int plots = !a.val[SW_NO_PLOTS];
    char *end;
    long jobs = strtol(jobs_s, &end, 10);
    if (!*jobs_s || *end || jobs < 1 || jobs > 64)
        return sp_cli_error("sweep: -j must be an integer in 1..64, got '%s'", jobs_s);

    char err[2048];
    sp_config cfg;
    if (sp_config_load(cfg_path, &cfg, err, sizeof err))
        return sp_cli_error("%s", err);
    if (cfg.sweep.n_axes == 0)
        return sp_cli_error("%s: no sweep section (add sweep: axes: [{key: ..., values: [...]}]; see docs/sweep.md)",
                            cfg_path);
    if (sp_sweep_check(&cfg, err, sizeof err)) {
        int line = sweep_line(cfg_path);
        if (line > 0)
            return sp_cli_error("%s:%d: %s", cfg_path, line, err);
        return sp_cli_error("%s: %s", cfg_path, err);
    }
    sp_engine_input input;
    if (sp_engine_input_open(trace, NULL, &cfg.alg, &input, err, sizeof err))
        return sp_cli_error("%s", err);
    /* a workload CSV fixes the algorithm keys: refused before any output */
    if (input.is_workload && sp_sweep_check_workload(&cfg, trace, err, sizeof err)) {
        sp_engine_input_free(&input);
        int line = sweep_line(cfg_path);
        if (line > 0)
            return sp_cli_error("%s:%d: %s", cfg_path, line, err);
        return sp_cli_error("%s: %s", cfg_path, err);
    }
    sp_outdir od;
    sp_outdir_inputs inputs = {cfg_path, trace, NULL};
    if (sp_outdir_begin(&od, out, &inputs, err, sizeof err)) {
        sp_engine_input_free(&input);
        return sp_cli_error("%s", err);
    }
    sp_sweep_result res;
    rc = SP_EXIT_OK;
    if (sp_sweep_run(&cfg, &input, (int)jobs, &res, err, sizeof err)) {
        rc = sp_cli_error("%s", err);
    } else {
        sp_sweep_report_in in = {&cfg, cfg_path, trace, &input, &res};
        char note[512];
        int wr = sp_sweep_report_write_dir(od.tmp, &in, plots, note, sizeof note, err, sizeof err);
        if (wr < 0 || sp_outdir_commit(&od, err, sizeof err)) {
            rc = sp_cli_error("%s", err);
        } else {
            size_t front = 0;
            for (size_t p = 0; p < res.n; p++)
                front += (size_t)res.pts[p].pareto_cycles_energy;
            if (res.has_ref)
                printf("spattn: wrote %s/sweep.csv (%zu points, %zu on the cycles/energy Pareto front; "
                       "reference %zu head-steps)\n",
                       od.final, res.n, front, res.ref.n);
            else
                printf("spattn: wrote %s/sweep.csv (%zu points, %zu on the cycles/energy Pareto front; "
                       "timing only: no accuracy)\n",
                       od.final, res.n, front);
            if (plots && wr == 0 && res.has_ref)
                printf("spattn: plots %s/pareto_energy_cycles.png, %s/pareto_accuracy_energy.png (+ .svg)\n",
                       od.final, od.final);
            else if (plots && wr == 0)
                printf("spattn: plots %s/pareto_energy_cycles.png (+ .svg)\n", od.final);
            if (wr > 0)
                fprintf(stderr, "spattn: warning: %s\n", note);
        }
        sp_sweep_result_free(&res);
    }
    if (rc != SP_EXIT_OK)
        sp_outdir_abort(&od);
    sp_engine_input_free(&input);
    return rc;
}
