/* cmd_plot.c - `spattn plot DIR`: redraw a sweep's plots from DIR/sweep.csv
 * (reports/plot_sweep.c; docs/sweep.md "Plots"). DIR must be an output
 * directory spattn wrote (its marker, docs/outputs.md): a file is written
 * there only when it is absent or listed in the marker, so nothing spattn
 * did not write is ever replaced; the marker then lists the new files too.
 * The trace and config named in the titles come from DIR/sweep.json when it
 * is there. DIR/accuracy.csv (closed-loop accuracy, eval/minilm_eval.py
 * --sweep) is read, never written, here. */
#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "plot_sweep.h"
#include "spattn.h"

#define MAX_NAMES 4096

typedef struct {
    char head[512];
    char *name[MAX_NAMES];
    int n;
} marker;

static void marker_free(marker *m)
{
    for (int i = 0; i < m->n; i++)
        free(m->name[i]);
}

static int listed(const marker *m, const char *name)
{
    for (int i = 0; i < m->n; i++)
        if (!strcmp(m->name[i], name))
            return 1;
    return 0;
}

static int read_marker(const char *dir, marker *m, char *err, size_t errlen)
{
    char path[8192], line[4096];
    snprintf(path, sizeof path, "%s/%s", dir, SP_OUTDIR_MARKER);
    struct stat st;
    if (lstat(path, &st) || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "plot: '%s' is not an output directory of spattn (no %s marker); spattn plot writes "
                 "only into a directory spattn wrote", dir, SP_OUTDIR_MARKER);
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f || !fgets(m->head, sizeof m->head, f) || !strchr(m->head, '\n')) {
        if (f)
            fclose(f);
        snprintf(err, errlen, "plot: cannot read the marker '%s'", path);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!*line)
            continue;
        if (m->n == MAX_NAMES || !(m->name[m->n] = strdup(line))) {
            fclose(f);
            snprintf(err, errlen, "plot: marker '%s' too long", path);
            return -1;
        }
        m->n++;
    }
    fclose(f);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the marker again, with the files written added; written under another
 * name and renamed */
static int write_marker(const char *dir, marker *m, const sp_plot_sweep_files *w, char *err, size_t errlen)
{
    for (int i = 0; i < w->n; i++)
        if (!listed(m, w->names[i]) && m->n < MAX_NAMES)
            if ((m->name[m->n] = strdup(w->names[i])))
                m->n++;
    qsort(m->name, (size_t)m->n, sizeof m->name[0], cmp_str);
    char path[8192], part[8300];
    snprintf(path, sizeof path, "%s/%s", dir, SP_OUTDIR_MARKER);
    snprintf(part, sizeof part, "%s/%s.part", dir, SP_OUTDIR_MARKER);
    FILE *f = fopen(part, "w");
    int ok = f && fputs(m->head, f) >= 0;
    for (int i = 0; ok && i < m->n; i++)
        ok = fprintf(f, "%s\n", m->name[i]) > 0;
    if (f && fclose(f))
        ok = 0;
    if (!ok || rename(part, path)) {
        remove(part);
        snprintf(err, errlen, "plot: cannot write the marker '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* a file the redraw may write: absent, or a regular file the marker lists */
static int may_write(const char *dir, const marker *m, const char *name, char *err, size_t errlen)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    if (lstat(path, &st))
        return 0;
    if (!S_ISREG(st.st_mode) || !listed(m, name)) {
        snprintf(err, errlen, "plot: '%s' exists and spattn did not write it (not in %s); nothing written", path,
                 SP_OUTDIR_MARKER);
        return -1;
    }
    return 0;
}

static char *json_string(const char *dir, const char *key)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&b, &n);
    char chunk[65536];
    size_t k;
    while (mem && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, k, mem);
    fclose(f);
    if (!mem)
        return NULL;
    fclose(mem);
    cJSON *root = cJSON_Parse(b);
    free(b);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    char *s = cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
    cJSON_Delete(root);
    return s;
}

static int cmd_plot(int argc, char **argv)
{
    sp_cli_args a;
    int rc;
    if (sp_cli_parse(&sp_cmd_plot, argc, argv, &a, &rc))
        return rc;
    const char *dir = a.operand;
    char err[16500];
    struct stat st;
    char nodash[4096];
    snprintf(nodash, sizeof nodash, "%s", dir);
    for (size_t L = strlen(nodash); L > 1 && nodash[L - 1] == '/'; L--)
        nodash[L - 1] = 0;
    if (lstat(nodash, &st))
        return sp_cli_error("plot: cannot open '%s': %s", dir, strerror(errno));
    if (S_ISLNK(st.st_mode))
        return sp_cli_error("plot: '%s' is a symbolic link; give the directory itself", dir);
    if (!S_ISDIR(st.st_mode))
        return sp_cli_error("plot: '%s' is not a directory (give a spattn sweep output directory)", dir);
    marker m = {0};
    if (read_marker(nodash, &m, err, sizeof err))
        return marker_free(&m), sp_cli_error("%s", err);
    /* every name the redraw may write (data, scripts, plots, their .part) */
    static const char *const fixed[] = {"plot_points.dat", "plot_fronts.dat", "plot_lines.dat", "plot_heat.dat",    "plot_vars.gp",
                                        "plot_labels.dat", "gnuplot.log",    "gnuplot.log.part", SP_OUTDIR_MARKER ".part"};
    int bad = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && !bad; i++)
        bad = may_write(nodash, &m, fixed[i], err, sizeof err);
    for (int i = 0; i < sp_sweepplot_count && !bad; i++) {
        char nm[300];
        const char *s = sp_sweepplot_names[i];
        size_t stem = strlen(s) - 3;
        static const char *const ext[] = {"gp", "png", "svg", "png.part", "svg.part"};
        for (int e = 0; e < 5 && !bad; e++) {
            snprintf(nm, sizeof nm, "%.*s.%s", (int)stem, s, ext[e]);
            bad = may_write(nodash, &m, nm, err, sizeof err);
        }
    }
    if (bad)
        return marker_free(&m), sp_cli_error("%s", err);
    sp_signals_init(); /* ^C stops gnuplot too */
    char *trace = json_string(nodash, "trace_id"), *config = json_string(nodash, "config_file");
    sp_plot_sweep_files w;
    char note[1024];
    rc = sp_plot_sweep_dir(nodash, trace, config, &w, note, sizeof note, err, sizeof err);
    free(trace);
    free(config);
    char merr[16500];
    int mrc = w.n ? write_marker(nodash, &m, &w, merr, sizeof merr) : 0;
    marker_free(&m);
    if (rc < 0)
        return sp_cli_error("plot: %s", err);
    if (mrc)
        return sp_cli_error("%s", merr);
    int drawn = 0;
    for (int i = 0; i < w.n; i++) {
        const char *d = strrchr(w.names[i], '.');
        if (d && !strcmp(d, ".png")) {
            if (!drawn)
                printf("spattn: plots %s/{", nodash);
            printf("%s%.*s", drawn ? "," : "", (int)(d - w.names[i]), w.names[i]);
            drawn++;
        }
    }
    if (drawn)
        printf("}.{png,svg}\n");
    if (w.accuracy[0])
        printf("spattn: %s\n", w.accuracy);
    if (w.skipped[0])
        printf("spattn: %s\n", w.skipped);
    if (rc == 1)
        fprintf(stderr, "spattn: warning: %s\n", note);
    return SP_EXIT_OK;
}

const sp_cli_cmd sp_cmd_plot = {
    .name = "plot",
    .summary = "redraw a sweep's plots (Pareto fronts, lines, heat maps) from DIR/sweep.csv into DIR (docs/sweep.md)",
    .operand = "DIR",
    .operand_doc = "an output directory of spattn sweep (holds sweep.csv and the .spattn-output marker)",
    .missing = "missing DIR (an output directory of spattn sweep)",
    .opts = NULL,
    .n_opts = 0,
    .fn = cmd_plot,
};
