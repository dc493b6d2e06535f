/* cmd_sweep.c - `spattn sweep`: every point of the config's `sweep:` axes
 * through the engine (as `spattn run`), on a tensor trace compared with
 * one unpruned full-width reference run; writes sweep.csv, sweep.json and
 * the Pareto plots into one output directory (docs/sweep.md). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "engine.h"
#include "spattn.h"
#include "sweep.h"
#include "sweep_fpga.h"
#include "sweep_journal.h"
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

/* The sweep's identity, fixed in the journal header: FNV-1a 64 over the
 * tool version, the resolved config (sp_config_print, sweep section
 * included, so an included file's change counts), the trace id and the
 * bytes of every input file (trace or workload CSV, dense baseline). */
static int hash_file(const char *path, uint64_t *h)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char b[1 << 16];
    size_t n;
    while ((n = fread(b, 1, sizeof b, f)) > 0)
        *h = sp_sweep_fnv1a(b, n, *h);
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : 0;
}

static uint64_t sweep_id(const sp_config *cfg, int nt, char *const *traces, const sp_engine_input *in,
                         const sp_sweep_fpga *fpga)
{
    uint64_t h = SP_FNV_INIT;
    char *t = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&t, &n);
    if (f) {
        fprintf(f, "spattn %s\n", SP_VERSION);
        sp_config_print(f, cfg);
        for (int i = 0; i < nt; i++)
            fprintf(f, "trace %s\n", in[i].is_workload ? in[i].workload.path : in[i].trace.id);
        if (fpga) /* records with FPGA columns are another sweep's */
            fprintf(f, "fpga xcup d %d\n", fpga->d);
        fclose(f);
        h = sp_sweep_fnv1a(t, n, h);
    }
    free(t);
    if (cfg->sweep.config_axis) /* the config axis files' contents, as every key's value */
    {
        h = sp_sweep_fnv1a(cfg->sweep.config_vals, sizeof cfg->sweep.config_vals, h);
        h = sp_sweep_fnv1a(cfg->sweep.config_lists, sizeof cfg->sweep.config_lists, h);
    }
    for (int i = 0; i < nt; i++) {
        if (strncmp(traces[i], "synth:", 6))
            hash_file(traces[i], &h);
        if (in[i].is_workload && in[i].has_baseline)
            hash_file(in[i].baseline_path, &h);
    }
    return h;
}

/* every -t / --trace value of argv, in order (sp_cli_parse keeps the last);
 * the values of the other options are skipped */
#define MAX_TRACES 16
static int all_traces(const sp_cli_cmd *cmd, int argc, char **argv, char **out)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (!strcmp(a, "--"))
            break;
        int takes = 0, is_t = 0;
        for (int k = 0; k < cmd->n_opts; k++) {
            const sp_cli_opt *o = &cmd->opts[k];
            size_t ln = strlen(o->long_name);
            if ((o->short_name && a[0] == '-' && a[1] == o->short_name) ||
                (!strncmp(a, "--", 2) && !strncmp(a + 2, o->long_name, ln) && (!a[2 + ln] || a[2 + ln] == '='))) {
                takes = o->arg != NULL;
                is_t = o->short_name == 't';
                if (a[1] != '-' && a[2])
                    v = a + 2; /* -tVALUE */
                else if (a[1] == '-' && a[2 + ln] == '=')
                    v = a + 3 + ln; /* --trace=VALUE */
                break;
            }
        }
        if (takes && !v && i + 1 < argc)
            v = argv[++i];
        if (is_t && v) {
            if (n == MAX_TRACES)
                return -1;
            out[n++] = (char *)v;
        }
    }
    return n;
}

/* progress on a terminal: points done, rate, time left */
typedef struct {
    sp_sweep_journal *j;
    const sp_config *cfg;
    int has_ref;
    char **rec;
    int tty;
    size_t total, to_run;
    double t0, last;
    const char *trace_col; /* several traces: this trace's spec */
    size_t offset;         /* number of this trace's first point */
    int printed;
    size_t finished_before, finished_here; /* points run for earlier traces, for this one */
    const sp_sweep_fpga *fpga;             /* --fpga: each point's resource counts; NULL: none */
} sweep_ctx;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int point_done(void *ctx, const sp_sweep_point *pt, char *err, size_t errlen)
{
    sweep_ctx *c = ctx;
    size_t id = c->offset + pt->index;
    char *r = sp_sweep_point_record_multi(c->cfg, c->has_ref, c->trace_col, id, pt);
    if (!r) {
        snprintf(err, errlen, "out of memory for the record of sweep point %zu", id);
        return -1;
    }
    if (c->fpga) { /* before the journal: a resumed point has its counts */
        long counts[SP_FPGA_NCOLS];
        char *r2 = NULL;
        if (sp_sweep_fpga_point(c->fpga, c->cfg, pt->index, id, counts, err, errlen)) {
            free(r);
            return -1;
        }
        if (!(r2 = sp_sweep_fpga_record(r, c->fpga, counts))) {
            snprintf(err, errlen, "out of memory for the record of sweep point %zu", id);
            free(r);
            return -1;
        }
        free(r);
        r = r2;
    }
    if (sp_sweep_journal_append(c->j, id, r, err, errlen)) {
        free(r);
        return -1;
    }
    c->rec[id] = r; /* each worker writes only its own point's slot */
    return 0;
}

/* under the sweep's lock, after each point run */
static void progress(void *ctx, size_t finished)
{
    sweep_ctx *c = ctx;
    c->finished_here = finished;
    finished += c->finished_before;
    double t = now_s();
    if (!c->tty || (finished < c->to_run && t - c->last < 0.25))
        return;
    c->last = t;
    double rate = t > c->t0 ? (double)finished / (t - c->t0) : 0;
    size_t done = c->total - c->to_run + finished;
    fprintf(stderr, "\rspattn: sweep %zu/%zu points, %.1f points/s, %.0f s left   ", done, c->total, rate,
            rate > 0 ? (double)(c->to_run - finished) / rate : 0.0);
    c->printed = 1;
    if (finished == c->to_run) {
        fputc('\n', stderr);
        c->printed = 0;
    }
}

/* removes the work directory: the journals, the Slurm script and logs
 * (plain files only; anything else makes rmdir fail and it stays) */
static int rm_work_dir(const char *wd)
{
    DIR *d = opendir(wd);
    if (!d)
        return -1;
    struct dirent *de;
    char p[4600];
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            struct stat st;
            snprintf(p, sizeof p, "%s/%s", wd, de->d_name);
            if (!lstat(p, &st) && S_ISREG(st.st_mode))
                unlink(p);
        }
    closedir(d);
    return rmdir(wd);
}

/* s as one single-quoted shell word */
static void sh_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    fputc('\'', f);
}

/* an absolute form of path (relative to the current directory) */
static void abs_path(const char *path, char *buf, size_t len)
{
    char cwd[4096];
    if (path[0] == '/' || !getcwd(cwd, sizeof cwd))
        snprintf(buf, len, "%s", path);
    else
        snprintf(buf, len, "%s/%s", cwd, path);
}

/* DIR.spattn-sweep-work/sweep.sbatch: task K runs --shard K/N */
static int write_sbatch(const char *wd, int ntasks, long jobs, const char *cfg_path, int nt, char *const *traces,
                        const char *out, int plots, const sp_sweep_fpga *fpga, char *path, size_t plen)
{
    char a[8400], self[4096];
    snprintf(path, plen, "%s/sweep.sbatch", wd);
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0)
        return -1;
    self[sl] = 0;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "#!/bin/sh\n# written by spattn sweep --slurm: one array task per slice of the sweep's points;\n"
               "# each appends to its own journal in this directory. When all are done:\n#   ");
    fprintf(f, "spattn sweep ... --collect (the same -c, -t, -o, from the same directory)\n");
    fprintf(f, "#SBATCH --job-name=spattn-sweep\n#SBATCH --array=0-%d\n#SBATCH --cpus-per-task=%ld\n", ntasks - 1,
            jobs);
    abs_path(wd, a, sizeof a);
    fprintf(f, "#SBATCH --output=%s/slurm-%%A_%%a.out\n", a); /* #SBATCH lines take no quotes */
    /* the paths as given, from this directory: every shard then records
     * exactly what a local run records (file names appear in sweep.json) */
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) {
        fclose(f);
        return -1;
    }
    fputs("cd ", f);
    sh_quote(f, cwd);
    fputs(" || exit 1\nexec ", f);
    sh_quote(f, self);
    fputs(" sweep -c ", f);
    sh_quote(f, cfg_path);
    for (int t = 0; t < nt; t++) {
        fputs(" -t ", f);
        sh_quote(f, traces[t]);
    }
    fputs(" -o ", f);
    sh_quote(f, out);
    if (fpga)
        fprintf(f, " --fpga xcup --fpga-d %d", fpga->d);
    fprintf(f, " -j %ld%s --shard \"$SLURM_ARRAY_TASK_ID/%d\"\n", jobs, plots ? "" : " --no-plots", ntasks);
    return fclose(f) ? -1 : 0;
}

/* A trace that names a real model: one stderr line on how to get the
 * closed-loop accuracy of the points (docs/eval.md), which runs outside the
 * simulator (Python, eval/minilm_eval.py --sweep) */
#define CLOSED_LOOP_MODEL "sentence-transformers/all-MiniLM-L6-v2"
static void closed_loop_notice(int nt, const sp_engine_input *in, const char *dir)
{
    const char *other = NULL;
    for (int t = 0; t < nt; t++) {
        const char *m = in[t].is_workload ? "" : in[t].trace.model;
        if (!strcmp(m, CLOSED_LOOP_MODEL)) {
            fprintf(stderr, "spattn: the trace is %s: closed-loop accuracy of every point (docs/eval.md): make "
                    "eval-sweep DIR=%s (eval/minilm_eval.py --sweep %s), then spattn plot %s\n", m, dir, dir, dir);
            return;
        }
        if (*m && strcmp(m, "unknown") && strcmp(m, "synthetic") && !other)
            other = m;
    }
    if (other)
        fprintf(stderr, "spattn: the trace names model %s; closed-loop accuracy is evaluated only for %s "
                "(docs/eval.md)\n", other, CLOSED_LOOP_MODEL);
}

int cmd_sweep(int argc, char **argv);

enum { SW_CONFIG, SW_TRACE, SW_OUT, SW_JOBS, SW_NO_PLOTS, SW_SHARD, SW_COLLECT, SW_SLURM, SW_FPGA, SW_FPGA_D, SW_N };
static const sp_cli_opt sweep_opts[SW_N] = {
    [SW_CONFIG] = {'c', "config", "CONFIG", NULL, 1, "the YAML config with a sweep: section (docs/sweep.md)"},
    [SW_TRACE] = {'t', "trace", "TRACE", NULL, 0,
                  "FILE.safetensors, synth:KEY=VALUE,... or a workload CSV; repeat for several traces (default: "
                  "the config's sweep.traces)"},
    [SW_OUT] = {'o', "out", "DIR", "out-sweep", 0, "output directory; every command's default is out-COMMAND"},
    [SW_JOBS] = {'j', "jobs", "N", "1", 0, "run points on N threads, 1..64 (the output does not depend on N)"},
    [SW_NO_PLOTS] = {0, "no-plots", NULL, NULL, 0, "write sweep.csv and sweep.json only, no plots"},
    [SW_SHARD] = {0, "shard", "K/N", NULL, 0,
                  "run only slice K of N (0 <= K < N) into DIR.spattn-sweep-work/journal-shard-K-of-N; no output"},
    [SW_COLLECT] = {0, "collect", NULL, NULL, 0,
                    "run nothing: write DIR from the journals in DIR.spattn-sweep-work (every point must be there)"},
    [SW_SLURM] = {0, "slurm", "N", NULL, 0,
                  "write DIR.spattn-sweep-work/sweep.sbatch, a Slurm array job of N --shard tasks; run nothing"},
    [SW_FPGA] = {0, "fpga", "FAMILY", NULL, 0,
                 "add each point's FPGA resource counts (xcup: Yosys synth_xilinx, minutes per point; docs/sweep.md)"},
    [SW_FPGA_D] = {0, "fpga-d", "D", "64", 0, "hardware head dimension of the RTL mapped by --fpga"},
};

const sp_cli_cmd sp_cmd_sweep = {
    .name = "sweep",
    .summary = "run every point of CONFIG's sweep: axes; write sweep.csv, sweep.json and Pareto plots into DIR "
               "(resumes from DIR.spattn-sweep-work after an interrupt)",
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
    int shard_k = -1, shard_n = 0, slurm_n = 0, collect = a.val[SW_COLLECT] != NULL;
    if (a.val[SW_SHARD]) {
        char extra;
        if (sscanf(a.val[SW_SHARD], "%d/%d%c", &shard_k, &shard_n, &extra) != 2 || shard_n < 1 ||
            shard_n > SP_SWEEP_MAX_POINTS || shard_k < 0 || shard_k >= shard_n)
            return sp_cli_error("sweep: --shard must be K/N with 0 <= K < N <= %d, got '%s'", SP_SWEEP_MAX_POINTS,
                                a.val[SW_SHARD]);
    }
    if (a.val[SW_SLURM]) {
        long v = strtol(a.val[SW_SLURM], &end, 10);
        if (!*a.val[SW_SLURM] || *end || v < 1 || v > 10000)
            return sp_cli_error("sweep: --slurm must be a task count in 1..10000, got '%s'", a.val[SW_SLURM]);
        slurm_n = (int)v;
    }
    if ((shard_n > 0) + collect + (slurm_n > 0) > 1)
        return sp_cli_error("sweep: --shard, --collect and --slurm exclude each other");

    if (a.val[SW_FPGA_D] != sweep_opts[SW_FPGA_D].def && !a.val[SW_FPGA])
        return sp_cli_error("sweep: --fpga-d needs --fpga");
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
    char *traces[MAX_TRACES];
    int nt = all_traces(&sp_cmd_sweep, argc, argv, traces);
    if (nt < 0)
        return sp_cli_error("sweep: more than %d traces (-t)", MAX_TRACES);
    if (nt == 0 && trace)
        traces[nt++] = (char *)trace;
    for (int t = 0; nt == 0 && t < cfg.sweep.n_traces; t++)
        traces[t] = cfg.sweep.traces[t];
    if (nt == 0 && cfg.sweep.n_traces > 0)
        nt = cfg.sweep.n_traces;
    if (nt == 0)
        return sp_cli_error("sweep: missing -t TRACE (or a traces: list in the config's sweep section)");
    trace = traces[0];
    for (int t = 0; t < nt; t++)
        for (int u = 0; u < t; u++)
            if (!strcmp(traces[t], traces[u]))
                return sp_cli_error("sweep: trace '%s' given twice", traces[t]);
    sp_engine_input input[MAX_TRACES];
    int opened = 0;
    for (; opened < nt; opened++) {
        if (sp_engine_input_open(traces[opened], NULL, &cfg.alg, &input[opened], err, sizeof err))
            break;
        /* a workload CSV fixes the algorithm keys: refused before any output */
        if (input[opened].is_workload && sp_sweep_check_workload(&cfg, traces[opened], err, sizeof err)) {
            int line = sweep_line(cfg_path);
            char e2[1500];
            snprintf(e2, sizeof e2, "%.1400s", err);
            if (line > 0)
                snprintf(err, sizeof err, "%.500s:%d: %s", cfg_path, line, e2);
            else
                snprintf(err, sizeof err, "%.500s: %s", cfg_path, e2);
            sp_engine_input_free(&input[opened]);
            break;
        }
        if (opened > 0 && input[opened].is_workload != input[0].is_workload) {
            snprintf(err, sizeof err,
                     "sweep: traces %s and %s are of different kinds (a tensor trace and a workload CSV); sweep "
                     "them separately",
                     traces[0], traces[opened]);
            sp_engine_input_free(&input[opened]);
            break;
        }
    }
    if (opened < nt) {
        for (int t = 0; t < opened; t++)
            sp_engine_input_free(&input[t]);
        return sp_cli_error("%s", err);
    }
    size_t per = sp_sweep_npoints(&cfg.sweep), n = per * (size_t)nt;
    char wd[4200];
    rc = SP_EXIT_OK;
    if (n > SP_SWEEP_MAX_POINTS) {
        for (int t = 0; t < nt; t++)
            sp_engine_input_free(&input[t]);
        return sp_cli_error("sweep: %zu points (%zu per trace x %d traces), more than %d", n, per, nt,
                            SP_SWEEP_MAX_POINTS);
    }
    sp_outdir od;
    sp_outdir_inputs inputs = {cfg_path, trace, NULL};
    /* --fpga: the tools and every point's RTL parameters are checked
     * before anything is written (not for --collect and --slurm, which map
     * nothing here) */
    sp_sweep_fpga fpga_st, *fpga = a.val[SW_FPGA] ? &fpga_st : NULL;
    int fpga_here = !collect && slurm_n == 0;
    if (sp_sweep_work_dir(out, wd, sizeof wd))
        rc = sp_cli_error("sweep: output directory name too long: '%s'", out);
    else if (fpga && sp_sweep_fpga_init(fpga, a.val[SW_FPGA], a.val[SW_FPGA_D], wd, fpga_here, err, sizeof err))
        rc = sp_cli_error("%s", err);
    else if (fpga && fpga_here && sp_sweep_fpga_check(fpga, &cfg, per, err, sizeof err)) {
        int line = sweep_line(cfg_path);
        rc = line > 0 ? sp_cli_error("%s:%d: %s", cfg_path, line, err) : sp_cli_error("%s: %s", cfg_path, err);
    }
    else if (slurm_n > 0) { /* the array job only */
        char path[4400];
        if (mkdir(wd, 0777) && errno != EEXIST)
            rc = sp_cli_error("cannot create sweep work directory '%s': %s", wd, strerror(errno));
        else if (write_sbatch(wd, slurm_n, jobs, cfg_path, nt, traces, out, plots, fpga, path, sizeof path))
            rc = sp_cli_error("cannot write '%s': %s", path, strerror(errno));
        else
            printf("spattn: wrote %s (%d tasks over %zu points); submit it with: sbatch %s\n"
                   "spattn: when every task is done: spattn sweep ... --collect (the same -c, -t, -o)\n",
                   path, slurm_n, n, path);
        for (int t = 0; t < nt; t++)
            sp_engine_input_free(&input[t]);
        return rc;
    } else if (shard_n == 0 && sp_outdir_begin(&od, out, &inputs, err, sizeof err))
        rc = sp_cli_error("%s", err);
    if (rc != SP_EXIT_OK) {
        for (int t = 0; t < nt; t++)
            sp_engine_input_free(&input[t]);
        return rc;
    }
    /* the journal: points a killed run finished are not run again; a shard
     * has its own, the whole run reads every journal of the directory */
    sp_sweep_journal j;
    char jname[64];
    if (shard_n > 0)
        snprintf(jname, sizeof jname, "journal-shard-%d-of-%d", shard_k, shard_n);
    else
        snprintf(jname, sizeof jname, "journal");
    char **rec = calloc(n, sizeof *rec);
    unsigned char *skip = calloc(n, 1);
    sp_sweep_result *res = calloc((size_t)nt, sizeof *res);
    size_t ndone = 0, nmore = 0;
    uint64_t id = sweep_id(&cfg, nt, traces, input, fpga);
    if (!rec || !skip || !res)
        rc = sp_cli_error("out of memory for %zu sweep points", n);
    else if (sp_sweep_journal_open(&j, wd, jname, id, n, rec, &ndone, err, sizeof err))
        rc = sp_cli_error("%s", err);
    else if (shard_n == 0 && sp_sweep_journal_read_dir(wd, id, n, rec, &nmore, err, sizeof err)) {
        sp_sweep_journal_close(&j);
        rc = sp_cli_error("%s", err);
    }
    ndone += nmore;
    size_t lo = 0, hi = n;
    if (shard_n > 0) { /* slice K of N: [K n / N, (K + 1) n / N) */
        lo = (size_t)shard_k * n / (size_t)shard_n;
        hi = (size_t)(shard_k + 1) * n / (size_t)shard_n;
    }
    if (rc == SP_EXIT_OK && collect && ndone < n) {
        sp_sweep_journal_close(&j);
        if (ndone == 0) { /* nothing there: leave nothing */
            unlink(j.path);
            rmdir(wd);
        }
        rc = sp_cli_error("sweep --collect: %zu of %zu points are missing from the journals in %s (run the missing "
                          "shards, or run without --collect to compute them here)",
                          n - ndone, n, wd);
    }
    if (rc != SP_EXIT_OK) {
        for (size_t p = 0; rec && p < n; p++)
            free(rec[p]);
        free(rec), free(skip), free(res);
        if (shard_n == 0)
            sp_outdir_abort(&od);
        for (int t = 0; t < nt; t++)
            sp_engine_input_free(&input[t]);
        return rc;
    }
    size_t to_run = 0;
    for (size_t p = 0; p < n; p++) {
        skip[p] = rec[p] != NULL || p < lo || p >= hi;
        to_run += !skip[p];
    }
    sweep_ctx ctx = {&j, &cfg, !input[0].is_workload, rec, isatty(2), hi - lo, to_run, now_s(), 0, NULL, 0, 0, 0, 0, fpga};
    if (ndone && ctx.tty)
        fprintf(stderr, "spattn: resuming %s: %zu of %zu points already done\n", wd, ndone, n);
    int ran = 0;
    for (; ran < nt && rc == SP_EXIT_OK; ran++) {
        ctx.trace_col = nt > 1 ? traces[ran] : NULL;
        ctx.offset = (size_t)ran * per;
        size_t left = 0;
        for (size_t q = 0; q < per; q++)
            left += !skip[ctx.offset + q];
        if (shard_n > 0 && left == 0)
            continue; /* a shard runs no reference for a trace it has no point of */
        sp_sweep_opts so = {skip + ctx.offset, point_done, progress, &ctx};
        if (sp_sweep_run_opts(&cfg, &input[ran], (int)jobs, &so, &res[ran], err, sizeof err)) {
            if (ctx.printed)
                fputc('\n', stderr);
            rc = nt > 1 ? sp_cli_error("trace %s: %s", traces[ran], err) : sp_cli_error("%s", err);
            break;
        }
        ctx.finished_before += ctx.finished_here;
        ctx.finished_here = 0;
    }
    if (rc == SP_EXIT_OK && shard_n > 0) {
        printf("spattn: shard %d/%d: points %zu..%zu of %zu done (%zu run now) in %s/%s\n", shard_k, shard_n, lo,
               hi ? hi - 1 : 0, n, to_run, wd, jname);
    } else if (rc == SP_EXIT_OK) {
        const char *specs[MAX_TRACES];
        const sp_engine_input *ins[MAX_TRACES];
        const sp_engine_ref *refs[MAX_TRACES];
        for (int t = 0; t < nt; t++)
            specs[t] = traces[t], ins[t] = &input[t], refs[t] = &res[t].ref;
        sp_sweep_report_in in = {&cfg, cfg_path, traces[0], &input[0], NULL, rec, n, res[0].has_ref, &res[0].ref,
                                 nt, specs, ins, refs, fpga ? sp_fpga_header : NULL};
        char note[512];
        int wr = sp_sweep_report_write_dir(od.tmp, &in, plots, note, sizeof note, err, sizeof err);
        if (wr < 0 || sp_outdir_commit(&od, err, sizeof err)) {
            rc = sp_cli_error("%s", err);
        } else {
            sp_sweep_journal_close(&j);
            if (rm_work_dir(wd))
                fprintf(stderr, "spattn: warning: cannot remove %s: %s\n", wd, strerror(errno));
            if (res[0].has_ref)
                printf("spattn: wrote %s/sweep.csv (%zu points, %zu resumed from the journal; reference %zu "
                       "head-steps)\n",
                       od.final, n, ndone, res[0].ref.n);
            else
                printf("spattn: wrote %s/sweep.csv (%zu points, %zu resumed from the journal; timing only: no "
                       "accuracy)\n",
                       od.final, n, ndone);
            if (plots && wr == 0 && res[0].has_ref)
                printf("spattn: plots %s/pareto_energy_cycles.png, %s/pareto_accuracy_energy.png (+ .svg)\n",
                       od.final, od.final);
            else if (plots && wr == 0)
                printf("spattn: plots %s/pareto_energy_cycles.png (+ .svg)\n", od.final);
            if (wr > 0)
                fprintf(stderr, "spattn: warning: %s\n", note);
            closed_loop_notice(nt, input, od.final);
        }
    }
    for (int t = 0; t < nt; t++) /* zeroed when not run or failed */
        sp_sweep_result_free(&res[t]);
    sp_sweep_journal_close(&j);
    if (rc != SP_EXIT_OK && ndone == 0) { /* an error before anything was kept: leave nothing */
        unlink(j.path);
        rmdir(wd); /* fails, and stays, when other journals are there */
    }
    for (size_t p = 0; p < n; p++)
        free(rec[p]);
    free(rec), free(skip), free(res);
    if (rc != SP_EXIT_OK && shard_n == 0)
        sp_outdir_abort(&od);
    for (int t = 0; t < nt; t++)
        sp_engine_input_free(&input[t]);
    return rc;
}
