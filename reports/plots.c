/* plots.c - plot data files and gnuplot scripts (the scripts in reports/plots,
 * embedded at build time) written into the output directory, then gnuplot
 * run there; it writes *.png.part / *.svg.part, renamed when it succeeds
 * and each file is complete. Without gnuplot the data and scripts stay and
 * the note says so. No user text (trace, config, file names) is ever part
 * of a script: the titles name them through labels.dat, which holds their
 * bytes as decimal numbers that the scripts read as data. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "report.h"
#include "tmpout.h"

const char *const sp_report_plot_outputs[] = {"cycles.png", "cycles.svg", "energy.png", "energy.svg",
                                               "dram.png",   "dram.svg",   "util.png",   "util.svg"};
const int sp_report_plot_noutputs = 8;

static int write_data(const char *dir, const sp_engine_result *d, char *err, size_t errlen)
{
    const sp_engine_figures *f = &d->fig;
    sp_buf t = {0};
    sp_buf_printf(&t, "# unit run_cycles dense_cycles\n");
    for (int u = 0; u < SP_U_N; u++)
        sp_buf_printf(&t, "%s %llu %llu\n", sp_unit_names[u], (unsigned long long)f->tm.unit_cycles[u],
                      (unsigned long long)f->dense_tm.unit_cycles[u]);
    int rc = t.oom ? -1 : sp_report_write_file(dir, "units.dat", t.p, err, errlen);
    t.n = 0;
    sp_buf_printf(&t, "# component run_uJ dense_uJ\n");
    for (int k = 0; k < SP_E_N; k++)
        sp_buf_printf(&t, "%s %.6f %.6f\n", sp_energy_names[k], f->en.pj[k] * 1e-6, f->dense_en.pj[k] * 1e-6);
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
                  (unsigned long long)f->tm.bound_cycles, (unsigned long long)f->tm.total_cycles);
    for (int u = 0; u < SP_BU_N; u++)
        sp_buf_printf(&t, "%s %.6f %d\n", sp_bound_unit_names[u],
                      f->tm.total_cycles ? (double)f->tm.bound_work[u] / (double)f->tm.total_cycles : 0.0,
                      u == f->tm.bound_unit);
    if (!rc)
        rc = t.oom ? -1 : sp_report_write_file(dir, "util.dat", t.p, err, errlen);
    /* totals.dat: the run's and the dense baseline's totals, for the titles */
    t.n = 0;
    sp_buf_printf(&t, "# run_cycles dense_cycles run_energy_uJ dense_energy_uJ run_dram_bus_bytes dense_dram_bus_bytes\n");
    sp_buf_printf(&t, "%llu %llu %.6f %.6f %llu %llu\n", (unsigned long long)f->tm.total_cycles,
                  (unsigned long long)f->dense_tm.total_cycles, f->en.total_pj * 1e-6, f->dense_en.total_pj * 1e-6,
                  (unsigned long long)sp_engine_bus_bytes(&f->tm), (unsigned long long)sp_engine_bus_bytes(&f->dense_tm));
    if (!rc)
        rc = t.oom ? -1 : sp_report_write_file(dir, "totals.dat", t.p, err, errlen);
    if (t.oom && !rc)
        rc = -1;
    if (rc && t.oom)
        snprintf(err, errlen, "out of memory writing plot data");
    sp_buf_free(&t);
    return rc;
}

/* one string of labels.dat: its bytes as decimal numbers, one a line,
 * then 0; control bytes and bytes that are not well-formed UTF-8 become
 * '?' (gnuplot writes the title into SVG text, which must be UTF-8) */
static void label_block(sp_buf *t, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 && *p >= 0xc2 ? 2 : (*p & 0xf0) == 0xe0 ? 3
              : (*p & 0xf8) == 0xf0 && *p <= 0xf4 ? 4 : 0;
        for (int i = 1; i < n; i++)
            if ((p[i] & 0xc0) != 0x80)
                n = 0;
        if (n == 0 || (n == 1 && (*p < 32 || *p == 127))) {
            sp_buf_printf(t, "63\n");
            p++;
            continue;
        }
        for (int i = 0; i < n; i++)
            sp_buf_printf(t, "%d\n", p[i]);
        p += n;
    }
    sp_buf_printf(t, "0\n");
}

int sp_report_write_labels(const char *dir, const char *what, const char *const *strs, int n, char *err,
                           size_t errlen)
{
    return sp_report_write_labels_as(dir, "labels.dat", what, strs, n, err, errlen);
}

int sp_report_write_labels_as(const char *dir, const char *name, const char *what, const char *const *strs, int n,
                              char *err, size_t errlen)
{
    sp_buf t = {0};
    sp_buf_printf(&t, "# %s - text of the plot titles: %s.\n"
                  "# Each string is its bytes in decimal, one a line, ending in 0; strings are\n"
                  "# separated by two blank lines (gnuplot's index). The plot scripts rebuild\n"
                  "# them from these numbers, so a name is never read as gnuplot code.\n",
                  name, what);
    for (int i = 0; i < n; i++) {
        if (i)
            sp_buf_printf(&t, "\n\n");
        label_block(&t, strs[i] ? strs[i] : "");
    }
    int rc = t.oom ? -1 : sp_report_write_file(dir, name, t.p, err, errlen);
    if (t.oom)
        snprintf(err, errlen, "out of memory writing plot labels");
    sp_buf_free(&t);
    return rc;
}

int sp_report_plot_complete(const char *path, const char *name, char *err, size_t errlen)
{
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char png_end[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    FILE *f = fopen(path, "rb");
    unsigned char head[16] = {0}, tail[64] = {0};
    long size = -1;
    size_t nh = 0, nt = 0;
    if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        nh = fread(head, 1, sizeof head, f);
        long from = size > (long)sizeof tail ? size - (long)sizeof tail : 0;
        if (fseek(f, from, SEEK_SET) == 0)
            nt = fread(tail, 1, sizeof tail, f);
    }
    if (f)
        fclose(f);
    int ok = 0;
    const char *dot = strrchr(name, '.');
    if (dot && !strcmp(dot, ".png")) {
        ok = nh >= 8 && !memcmp(head, png_sig, 8) && nt >= 12 && !memcmp(tail + nt - 12, png_end, 12);
    } else if (dot && !strcmp(dot, ".svg")) {
        while (nt && (tail[nt - 1] == '\n' || tail[nt - 1] == ' ' || tail[nt - 1] == '\r'))
            nt--;
        ok = nh >= 1 && head[0] == '<' && nt >= 6 && !memcmp(tail + nt - 6, "</svg>", 6);
    }
    if (!ok)
        snprintf(err, errlen, "plot '%s' is incomplete (%ld bytes; is the disk full?)", name, size < 0 ? 0 : size);
    return ok ? 0 : -1;
}

int sp_report_plots(const char *dir, const sp_engine_result *d, const char *trace, const char *config, char *note,
                    size_t notelen, char *err, size_t errlen)
{
    if (write_data(dir, d, err, errlen))
        return -1;
    const char *labels[] = {trace, config};
    if (sp_report_write_labels(dir, "block 0 the trace, block 1 the config", labels, 2, err, errlen))
        return -1;
    for (int i = 0; i < sp_plot_count; i++)
        if (sp_report_write_file(dir, sp_plot_names[i], sp_plot_scripts[i], err, errlen))
            return -1;
    int st;
    if (sp_report_gnuplot(dir, sp_plot_names, sp_plot_count, &st, note, notelen))
        return 1;
    char path[8192], part[8300];
    int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0, rc = 0;
    /* gnuplot exits 0 even when it could not write a file (a full disk):
     * every plot must be complete before any is kept */
    for (size_t i = 0; ok && !rc && i < (size_t)sp_report_plot_noutputs; i++) {
        snprintf(part, sizeof part, "%s/%s.part", dir, sp_report_plot_outputs[i]);
        rc = sp_report_plot_complete(part, sp_report_plot_outputs[i], err, errlen);
    }
    for (size_t i = 0; ok && !rc && i < (size_t)sp_report_plot_noutputs; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, sp_report_plot_outputs[i]);
        snprintf(part, sizeof part, "%s.part", path);
        if (rename(part, path)) {
            snprintf(err, errlen, "cannot rename '%s': %s", part, strerror(errno));
            rc = -1;
        }
    }
    if (!ok || rc)
        for (size_t i = 0; i < (size_t)sp_report_plot_noutputs; i++) {
            snprintf(part, sizeof part, "%s/%s.part", dir, sp_report_plot_outputs[i]);
            remove(part);
        }
    int done = sp_report_gnuplot_done(dir, st, ok, "data and scripts", note, notelen, rc ? NULL : err, errlen);
    return rc ? -1 : done;
}

int sp_report_gnuplot(const char *dir, const char *const *scripts, int n, int *st, char *note, size_t notelen)
{
    fflush(NULL);
    /* registered as it starts: an interrupted spattn kills its process
     * group and reaps it before removing the directory (traces/tmpout.h) */
    sp_cleanup_lock();
    pid_t pid = fork();
    if (pid > 0) {
        setpgid(pid, pid);
        sp_cleanup_add_child_locked(pid);
    }
    sp_cleanup_unlock();
    if (pid < 0) {
        snprintf(note, notelen, "plots not drawn: fork failed: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0); /* its own group: the terminal's ^C goes to spattn, which stops it */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
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
    sp_cleanup_lock();
    sp_cleanup_del_child_locked(pid);
    sp_cleanup_unlock();
    return 0;
}

int sp_report_gnuplot_done(const char *dir, int st, int ok, const char *left, char *note, size_t notelen, char *err,
                           size_t errlen)
{
    char path[8192], part[8300];
    /* the log is kept (renamed) only when gnuplot said something */
    snprintf(path, sizeof path, "%s/gnuplot.log", dir);
    snprintf(part, sizeof part, "%s/gnuplot.log.part", dir);
    struct stat lst;
    if (stat(part, &lst) == 0 && lst.st_size > 0) {
        if (rename(part, path) && err) {
            snprintf(err, errlen, "cannot rename '%s': %s", part, strerror(errno));
            return -1;
        }
    } else {
        remove(part);
    }
    if (ok)
        return 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        snprintf(note, notelen, "plots not drawn: gnuplot not found on PATH (install gnuplot-nox; %s are in the output "
                 "directory)", left);
    else
        snprintf(note, notelen, "plots not drawn: gnuplot failed (see gnuplot.log in the output directory)");
    return 1;
}
