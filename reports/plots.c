/* plots.c - plot data files and gnuplot scripts (the scripts in reports/plots,
 * embedded at build time) written into the output directory, then gnuplot
 * run there; it writes *.png.part / *.svg.part, renamed when it succeeds.
 * Without gnuplot the data and scripts stay and the note says so. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "report.h"

static const char *const outputs[] = {"cycles.png", "cycles.svg", "energy.png", "energy.svg", "dram.png", "dram.svg",
                                      "util.png", "util.svg"};

static int write_data(const char *dir, const sp_report_data *d, char *err, size_t errlen)
{
    sp_buf t = {0};
    sp_buf_printf(&t, "# unit run_cycles dense_cycles\n");
    for (int u = 0; u < SP_U_N; u++)
        sp_buf_printf(&t, "%s %llu %llu\n", sp_unit_names[u], (unsigned long long)d->tm.unit_cycles[u],
                      (unsigned long long)d->dense_tm.unit_cycles[u]);
    int rc = t.oom ? -1 : sp_report_write_file(dir, "units.dat", t.p, err, errlen);
    t.n = 0;
    sp_buf_printf(&t, "# component run_uJ dense_uJ\n");
    for (int k = 0; k < SP_E_N; k++)
        sp_buf_printf(&t, "%s %.6f %.6f\n", sp_energy_names[k], d->en.pj[k] * 1e-6, d->dense_en.pj[k] * 1e-6);
    if (!rc)
        rc = t.oom ? -1 : sp_report_write_file(dir, "energy.dat", t.p, err, errlen);
    t.n = 0;
    int layers = d->dense_steps.layers > d->steps.layers ? d->dense_steps.layers : d->steps.layers;
    double *run = calloc((size_t)(layers > 0 ? layers : 1), sizeof *run);
    double *den = calloc((size_t)(layers > 0 ? layers : 1), sizeof *den);
    if (run && den) {
        for (size_t i = 0; i < d->steps.n; i++)
            for (int k = 0; k < SP_DK_N; k++)
                if (d->steps.s[i].layer >= 0 && d->steps.s[i].layer < layers)
                    run[d->steps.s[i].layer] += (double)d->steps.s[i].data_bits[k];
        for (size_t i = 0; i < d->dense_steps.n; i++)
            for (int k = 0; k < SP_DK_N; k++)
                if (d->dense_steps.s[i].layer >= 0 && d->dense_steps.s[i].layer < layers)
                    den[d->dense_steps.s[i].layer] += (double)d->dense_steps.s[i].data_bits[k];
        sp_buf_printf(&t, "# layer run_MB dense_MB (DRAM data, all iterations and heads)\n");
        for (int l = 0; l < layers; l++)
            sp_buf_printf(&t, "%d %.6f %.6f\n", l, run[l] / 8e6, den[l] / 8e6);
    } else {
        t.oom = 1;
    }
    free(run);
    free(den);
    if (!rc)
        rc = t.oom ? -1 : sp_report_write_file(dir, "dram_layers.dat", t.p, err, errlen);
    /* util.dat: per bound unit, work over its throughput / total cycles
     * (docs/costs.md s1 "Bound"); the binding unit's row is marked 1 */
    t.n = 0;
    sp_buf_printf(&t, "# unit utilisation binding (work / throughput over total cycles; bound %llu, total %llu)\n",
                  (unsigned long long)d->tm.bound_cycles, (unsigned long long)d->tm.total_cycles);
    for (int u = 0; u < SP_BU_N; u++)
        sp_buf_printf(&t, "%s %.6f %d\n", sp_bound_unit_names[u],
                      d->tm.total_cycles ? (double)d->tm.bound_work[u] / (double)d->tm.total_cycles : 0.0,
                      u == d->tm.bound_unit);
    if (!rc)
        rc = t.oom ? -1 : sp_report_write_file(dir, "util.dat", t.p, err, errlen);
    if (t.oom && !rc)
        rc = -1;
    if (rc && t.oom)
        snprintf(err, errlen, "out of memory writing plot data");
    sp_buf_free(&t);
    return rc;
}

int sp_report_plots(const char *dir, const sp_report_data *d, char *note, size_t notelen,
                    char *err, size_t errlen)
{
    if (write_data(dir, d, err, errlen))
        return -1;
    for (int i = 0; i < sp_plot_count; i++)
        if (sp_report_write_file(dir, sp_plot_names[i], sp_plot_scripts[i], err, errlen))
            return -1;
    int st;
    if (sp_report_gnuplot(dir, sp_plot_names, sp_plot_count, &st, note, notelen))
        return 1;
    char path[8192], part[8300];
    int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (ok)
        for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, outputs[i]);
            snprintf(part, sizeof part, "%s.part", path);
            if (rename(part, path)) {
                ok = 0;
                break;
            }
        }
    if (!ok)
        for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
            snprintf(part, sizeof part, "%s/%s.part", dir, outputs[i]);
            remove(part);
        }
    return sp_report_gnuplot_done(dir, st, ok, "data and scripts", note, notelen);
}

int sp_report_gnuplot(const char *dir, const char *const *scripts, int n, int *st, char *note, size_t notelen)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(note, notelen, "plots not drawn: fork failed: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        int fd = open("gnuplot.log.part", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        char *argv[16];
        int k = 0;
        argv[k++] = (char *)"gnuplot";
        for (int i = 0; i < n && k < 15; i++)
            argv[k++] = (char *)scripts[i];
        argv[k] = NULL;
        execvp("gnuplot", argv);
        _exit(127);
    }
    *st = 0;
    while (waitpid(pid, st, 0) < 0 && errno == EINTR)
        ;
    return 0;
}

int sp_report_gnuplot_done(const char *dir, int st, int ok, const char *left, char *note, size_t notelen)
{
    char path[8192], part[8300];
    /* the log is kept (renamed) only when gnuplot said something */
    snprintf(path, sizeof path, "%s/gnuplot.log", dir);
    snprintf(part, sizeof part, "%s/gnuplot.log.part", dir);
    FILE *lf = fopen(part, "r");
    long sz = 0;
    if (lf) {
        fseek(lf, 0, SEEK_END);
        sz = ftell(lf);
        fclose(lf);
    }
    if (sz > 0)
        rename(part, path);
    else
        remove(part);
    if (ok)
        return 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        snprintf(note, notelen, "plots not drawn: gnuplot not found on PATH (install gnuplot-nox; %s are in the output "
                 "directory)", left);
    else
        snprintf(note, notelen, "plots not drawn: gnuplot failed (see gnuplot.log in the output directory)");
    return 1;
}
