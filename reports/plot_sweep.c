/* plot_sweep.c - a sweep's plots from its sweep.csv alone (`spattn plot
 * DIR`; docs/sweep.md "Plots"). The columns are found by name in the
 * header: the swept axes are the columns between `point` and `cycles`;
 * cycles and energy_total_pJ are required, area (area_total_mm2 or
 * area_mm2) and accuracy (out_rel_err_mean, non-empty) are optional. The
 * Pareto fronts are computed here from the values read. Everything the
 * scripts read is numbers (plot_*.dat, plot_vars.gp) except plot_labels.dat,
 * where every text (trace, config, axis names, legend lines) is written as
 * its bytes in decimal (docs/outputs.md): a name is never gnuplot code.
 *
 * Labels: with several axes a point's values do not fit beside it, so only
 * the points on a plot's Pareto front are labelled, with their point number,
 * and a legend table beside the plot lists those numbers with every swept
 * value (at most LEG_MAX lines, then a line naming how many more). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "plot_sweep.h"
#include "report.h"

#define LEG_MAX 24
#define MAX_AX 16

typedef struct {
    double point, cyc, en, area, err, acc; /* acc: closed-loop accuracy from accuracy.csv (NAN: none) */
    double ax[MAX_AX];
    int idx[MAX_AX]; /* index of the value in its axis's list */
    int f_ec, f_ac, f_ee;
} row;

typedef struct {
    int n_ax;
    char *ax_name[MAX_AX];
    double vals[MAX_AX][256];
    int n_vals[MAX_AX];
    row *r;
    size_t n;
    int has_area, has_err;
    int closed; /* accuracy.csv matched: the accuracy front uses acc */
} table;

static void table_free(table *t)
{
    for (int a = 0; a < t->n_ax; a++)
        free(t->ax_name[a]);
    free(t->r);
}

static char *slurp(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    char *b = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? 2 * cap : 65536;
            char *nb = realloc(b, cap);
            if (!nb) {
                free(b);
                fclose(f);
                snprintf(err, errlen, "out of memory reading '%s'", path);
                return NULL;
            }
            b = nb;
        }
        size_t k = fread(b + n, 1, 4096, f);
        n += k;
        if (k < 4096)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        snprintf(err, errlen, "cannot read '%s'", path);
        return NULL;
    }
    b[n] = 0;
    if (strlen(b) != n) {
        free(b);
        snprintf(err, errlen, "%s: not a text file (NUL byte)", path);
        return NULL;
    }
    return b;
}

/* splits line (modified in place) at commas; returns the field count or -1
 * when there are more than max */
static int split(char *line, char **f, int max)
{
    int n = 0;
    for (char *p = line;;) {
        if (n == max)
            return -1;
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = 0;
        p = c + 1;
    }
    return n;
}

static int find_col(char **h, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(h[i], name))
            return i;
    return -1;
}

/* a field as a number: 0, or 1 when empty (*v = NAN), or -1 when not a number */
static int num(const char *s, double *v)
{
    if (!*s) {
        *v = NAN;
        return 1;
    }
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return (*end || errno == ERANGE || !isfinite(*v)) ? -1 : 0;
}

#define MAX_COLS 512

/* ends the line at `line` (at its '\n', dropping a '\r' before it);
 * returns the '\n' or NULL at the last line */
static char *cut_line(char *line)
{
    char *nl = strchr(line, '\n');
    if (nl)
        *nl = 0;
    size_t L = strlen(line);
    if (L && line[L - 1] == '\r')
        line[L - 1] = 0;
    return nl;
}

static int parse(const char *path, char *text, table *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    char *h[MAX_COLS], *f[MAX_COLS];
    char *line = text;
    size_t cap = 0;
    int nh = -1, lineno = 0, c_cyc = -1, c_en = -1, c_area = -1, c_err = -1;
    while (line && *line) {
        char *nl = cut_line(line);
        lineno++;
        if (lineno == 1) {
            nh = split(line, h, MAX_COLS);
            if (nh < 0) {
                snprintf(err, errlen, "%s:1: more than %d columns", path, MAX_COLS);
                return -1;
            }
            if (strcmp(h[0], "point")) {
                snprintf(err, errlen, "%s:1: the first column must be 'point' (a sweep.csv of spattn sweep)", path);
                return -1;
            }
            c_cyc = find_col(h, nh, "cycles");
            c_en = find_col(h, nh, "energy_total_pJ");
            c_area = find_col(h, nh, "area_total_mm2");
            if (c_area < 0)
                c_area = find_col(h, nh, "area_mm2");
            c_err = find_col(h, nh, "out_rel_err_mean");
            if (c_cyc < 0 || c_en < 0) {
                snprintf(err, errlen, "%s:1: no '%s' column (a sweep.csv of spattn sweep has it)", path,
                         c_cyc < 0 ? "cycles" : "energy_total_pJ");
                return -1;
            }
            t->n_ax = c_cyc - 1;
            if (t->n_ax < 1 || t->n_ax > MAX_AX) {
                snprintf(err, errlen, "%s:1: expected 1..%d swept-key columns between 'point' and 'cycles', found %d",
                         path, MAX_AX, t->n_ax < 0 ? 0 : t->n_ax);
                return -1;
            }
            for (int a = 0; a < t->n_ax; a++)
                if (!(t->ax_name[a] = strdup(h[1 + a]))) {
                    snprintf(err, errlen, "out of memory");
                    return -1;
                }
            t->has_area = c_area >= 0;
            t->has_err = 0; /* set by the first non-empty value */
        } else if (*line) {
            int nf = split(line, f, MAX_COLS);
            if (nf != nh) {
                snprintf(err, errlen, "%s:%d: %d fields, the header has %d", path, lineno, nf < 0 ? MAX_COLS : nf, nh);
                return -1;
            }
            if (t->n == cap) {
                cap = cap ? 2 * cap : 64;
                row *nr = realloc(t->r, cap * sizeof *nr);
                if (!nr) {
                    snprintf(err, errlen, "out of memory");
                    return -1;
                }
                t->r = nr;
            }
            row *r = &t->r[t->n++];
            memset(r, 0, sizeof *r);
            struct {
                int col;
                double *v;
                int required;
            } want[5] = {{0, &r->point, 1}, {c_cyc, &r->cyc, 1}, {c_en, &r->en, 1}, {c_area, &r->area, 0},
                         {c_err, &r->err, 0}};
            r->area = r->err = r->acc = NAN;
            for (int k = 0; k < 5; k++) {
                if (want[k].col < 0)
                    continue;
                int e = num(f[want[k].col], want[k].v);
                if (e < 0 || (e == 1 && want[k].required)) {
                    snprintf(err, errlen, "%s:%d: column '%s': %s", path, lineno, h[want[k].col],
                             e < 0 ? "not a number" : "empty");
                    return -1;
                }
            }
            if (!isnan(r->err))
                t->has_err = 1;
            for (int a = 0; a < t->n_ax; a++) {
                if (num(f[1 + a], &r->ax[a]) != 0) {
                    snprintf(err, errlen, "%s:%d: column '%s' (a swept key): not a number", path, lineno, h[1 + a]);
                    return -1;
                }
                int i = 0;
                while (i < t->n_vals[a] && t->vals[a][i] != r->ax[a])
                    i++;
                if (i == t->n_vals[a]) {
                    if (i == 256) {
                        snprintf(err, errlen, "%s:%d: column '%s' has more than 256 values", path, lineno, h[1 + a]);
                        return -1;
                    }
                    t->vals[a][t->n_vals[a]++] = r->ax[a];
                }
                r->idx[a] = i;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    if (nh < 0 || t->n == 0) {
        snprintf(err, errlen, "%s: %s", path, nh < 0 ? "empty (no header)" : "no points (header only)");
        return -1;
    }
    /* an area column with no value at all counts as absent */
    int any = 0;
    for (size_t i = 0; i < t->n; i++)
        any |= !isnan(t->r[i].area);
    t->has_area = t->has_area && any;
    return 0;
}

/* Pareto flags, minimising x and y: on the front when no other point is <=
 * in both and < in one; points with a missing coordinate are off it */
static double g_cyc(const row *r) { return r->cyc; }
static double g_en(const row *r) { return r->en; }
static double g_area(const row *r) { return r->area; }
static double g_err(const row *r) { return r->err; }
static double g_nacc(const row *r) { return -r->acc; } /* maximised: minimise its negative */
static double g_acc(const row *r) { return r->acc; }

#define ACC_COL "emb_cos_mean"

/* DIR/accuracy.csv (eval/minilm_eval.py --sweep, docs/eval.md): a header
 * whose first column is `point` and which has ACC_COL, then one row per
 * sweep point, the same point ids in the same order as sweep.csv. Returns 0
 * when absent (t->closed stays 0), 1 when read into t->r[].acc, -1 with
 * err ("DIR/accuracy.csv:LINE: ...") when it does not match. */
static int read_accuracy(const char *dir, table *t, char *err, size_t errlen)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/accuracy.csv", dir);
    if (access(path, F_OK) != 0)
        return 0;
    char *text = slurp(path, err, errlen);
    if (!text)
        return -1;
    char *h[MAX_COLS], *f[MAX_COLS], *line = text;
    int nh = -1, lineno = 0, c_acc = -1, rc = 0;
    size_t i = 0;
    while (!rc && line && *line) {
        char *nl = cut_line(line);
        lineno++;
        if (lineno == 1) {
            nh = split(line, h, MAX_COLS);
            if (nh < 0 || strcmp(h[0], "point") || (c_acc = find_col(h, nh, ACC_COL)) < 0) {
                snprintf(err, errlen, "%s:1: expected a header 'point,...' with a '%s' column (eval/minilm_eval.py "
                         "--sweep writes it)", path, ACC_COL);
                rc = -1;
            }
        } else if (*line) {
            double pt, v;
            int nf = split(line, f, MAX_COLS);
            if (nf != nh) {
                snprintf(err, errlen, "%s:%d: %d fields, the header has %d", path, lineno, nf < 0 ? MAX_COLS : nf, nh);
                rc = -1;
            } else if (i == t->n) {
                snprintf(err, errlen, "%s:%d: more rows than sweep.csv's %zu points", path, lineno, t->n);
                rc = -1;
            } else if (num(f[0], &pt) != 0 || pt != t->r[i].point) {
                snprintf(err, errlen, "%s:%d: point '%s', but row %zu of sweep.csv is point %.0f (accuracy.csv of "
                         "another sweep?)", path, lineno, f[0], i + 1, t->r[i].point);
                rc = -1;
            } else if (num(f[c_acc], &v) != 0 || v < -1 || v > 1) {
                snprintf(err, errlen, "%s:%d: column '%s': not a cosine in [-1, 1]", path, lineno, ACC_COL);
                rc = -1;
            } else {
                t->r[i++].acc = v;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    if (!rc && nh < 0) {
        snprintf(err, errlen, "%s: empty (no header)", path);
        rc = -1;
    }
    if (!rc && i != t->n) {
        snprintf(err, errlen, "%s:%d: %zu points, sweep.csv has %zu (accuracy.csv of another sweep?)", path, lineno, i,
                 t->n);
        rc = -1;
    }
    t->closed = !rc;
    return rc ? -1 : 1;
}

static void pareto(table *t, double (*x)(const row *), double (*y)(const row *), int which)
{
    for (size_t i = 0; i < t->n; i++) {
        double xi = x(&t->r[i]), yi = y(&t->r[i]);
        int on = !isnan(xi) && !isnan(yi);
        for (size_t j = 0; j < t->n && on; j++) {
            double xj = x(&t->r[j]), yj = y(&t->r[j]);
            if (isnan(xj) || isnan(yj))
                continue;
            if (xj <= xi && yj <= yi && (xj < xi || yj < yi))
                on = 0;
        }
        if (which == 0)
            t->r[i].f_ec = on;
        else if (which == 1)
            t->r[i].f_ac = on;
        else
            t->r[i].f_ee = on;
    }
}

static void put_val(sp_buf *b, double v)
{
    if (isnan(v))
        sp_buf_printf(b, " ?");
    else
        sp_buf_printf(b, " %.9g", v);
}

static const char *short_name(const char *key)
{
    const char *d = strrchr(key, '.');
    return d ? d + 1 : key;
}

/* the held axes of the lines and heat plots: 2.. at their first value */
static int held(const table *t, const row *r)
{
    for (int a = 2; a < t->n_ax; a++)
        if (r->idx[a] != 0)
            return 0;
    return 1;
}

typedef struct {
    const char *s[512];
    char *own[512];
    int n;
} labels;

static int lab_add(labels *L, const char *s)
{
    if (L->n == 512)
        return -1;
    L->own[L->n] = strdup(s ? s : "");
    L->s[L->n] = L->own[L->n];
    return L->own[L->n++] ? L->n - 1 : -1;
}

static void lab_free(labels *L)
{
    for (int i = 0; i < L->n; i++)
        free(L->own[i]);
}

/* the legend of one front: one line per front point (number and every
 * swept value); returns the first block and sets *n */
static int legend(labels *L, const table *t, int which, int *n)
{
    int first = L->n, count = 0, total = 0;
    char line[1024];
    for (size_t i = 0; i < t->n; i++) {
        const row *r = &t->r[i];
        int on = which == 0 ? r->f_ec : which == 1 ? r->f_ac : r->f_ee;
        if (!on)
            continue;
        total++;
        if (count == LEG_MAX)
            continue;
        int w = snprintf(line, sizeof line, "#%.0f:", r->point);
        for (int a = 0; a < t->n_ax && w > 0 && (size_t)w < sizeof line; a++)
            w += snprintf(line + w, sizeof line - (size_t)w, "%s%g", a ? " / " : " ", r->ax[a]);
        lab_add(L, line);
        count++;
    }
    if (total > count) {
        snprintf(line, sizeof line, "... %d more on the front (sweep.csv)", total - count);
        lab_add(L, line);
        count++;
    }
    *n = count;
    return first;
}

int sp_plot_sweep_dir(const char *dir, const char *trace, const char *config, sp_plot_sweep_files *out, char *note,
                      size_t notelen, char *err, size_t errlen)
{
    char path[8192];
    memset(out, 0, sizeof *out);
    note[0] = 0;
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    char *text = slurp(path, err, errlen);
    if (!text)
        return -1;
    table t;
    int rc = parse(path, text, &t, err, errlen);
    free(text);
    if (!rc && read_accuracy(dir, &t, err, errlen) < 0)
        rc = -1;
    if (rc) {
        table_free(&t);
        return -1;
    }
    /* the accuracy front: closed loop (maximise acc) when accuracy.csv
     * matched, else the open-loop error (minimised) */
    int has_acc = t.closed || t.has_err;
    double (*g_y)(const row *) = t.closed ? g_acc : g_err;
    double y_scale = t.closed ? 1 : 100;
    pareto(&t, g_cyc, g_en, 0);
    if (t.has_area)
        pareto(&t, g_cyc, g_area, 1);
    if (t.closed)
        pareto(&t, g_en, g_nacc, 2);
    else if (t.has_err)
        pareto(&t, g_en, g_err, 2);

    /* plot_points.dat: fixed columns, then the axes */
    sp_buf b = {0};
    sp_buf_printf(&b, "# plot_points.dat - from sweep.csv by spattn plot: point cycles_k energy_uJ area_mm2 "
                      "%s front_energy_cycles front_area_cycles front_error_energy colour_value axis_values...\n",
                  t.closed ? "closed_loop_" ACC_COL : "err_pct");
    for (size_t i = 0; i < t.n; i++) {
        const row *r = &t.r[i];
        sp_buf_printf(&b, "%.0f", r->point);
        put_val(&b, r->cyc * 1e-3);
        put_val(&b, r->en * 1e-6);
        put_val(&b, r->area);
        put_val(&b, g_y(r) * y_scale);
        sp_buf_printf(&b, " %d %d %d", r->f_ec, r->f_ac, r->f_ee);
        put_val(&b, r->ax[0]);
        for (int a = 0; a < t.n_ax; a++)
            put_val(&b, r->ax[a]);
        sp_buf_printf(&b, "\n");
    }
    char *points = b.oom ? NULL : strdup(b.p ? b.p : "");
    b.n = 0;

    /* plot_fronts.dat: the three fronts (index 0 energy/cycles, 1
     * area/cycles, 2 error/energy), each sorted by x: x y point; a front
     * that does not apply holds one missing row */
    sp_buf_printf(&b, "# plot_fronts.dat - Pareto fronts: index 0 energy_uJ vs cycles_k, 1 area_mm2 vs cycles_k, 2 "
                      "%s vs energy_uJ; columns x y point\n", t.closed ? "closed_loop_" ACC_COL : "err_pct");
    for (int k = 0; k < 3; k++) {
        if (k)
            sp_buf_printf(&b, "\n\n");
        size_t *ord = calloc(t.n, sizeof *ord), m = 0;
        for (size_t i = 0; ord && i < t.n; i++) {
            const row *r = &t.r[i];
            if (k == 0 ? r->f_ec : k == 1 ? r->f_ac : r->f_ee)
                ord[m++] = i;
        }
        double (*gx)(const row *) = k == 2 ? g_en : g_cyc;
        double (*gy)(const row *) = k == 0 ? g_en : k == 1 ? g_area : g_y;
        for (size_t i = 1; i < m; i++) /* insertion sort by x, then y */
            for (size_t j = i; j > 0; j--) {
                const row *a = &t.r[ord[j - 1]], *c = &t.r[ord[j]];
                if (gx(a) < gx(c) || (gx(a) == gx(c) && gy(a) <= gy(c)))
                    break;
                size_t tmp = ord[j];
                ord[j] = ord[j - 1];
                ord[j - 1] = tmp;
            }
        double sx = k == 2 ? 1e-6 : 1e-3, sy = k == 0 ? 1e-6 : k == 1 ? 1 : y_scale;
        for (size_t i = 0; i < m; i++) {
            const row *r = &t.r[ord[i]];
            put_val(&b, gx(r) * sx);
            put_val(&b, gy(r) * sy);
            sp_buf_printf(&b, " %.0f\n", r->point);
        }
        if (!m)
            sp_buf_printf(&b, "? ? ?\n");
        if (!ord)
            b.oom = 1;
        free(ord);
    }
    char *fronts = b.oom ? NULL : strdup(b.p ? b.p : "");
    b.n = 0;

    /* plot_lines.dat: one block per value of axis 1 (one block with one
     * axis): axis-0 value, cycles_k, energy_uJ, err_pct; axes 2.. held */
    int nser = t.n_ax >= 2 ? t.n_vals[1] : 1;
    sp_buf_printf(&b, "# plot_lines.dat - one block per value of the second swept key: x cycles_k energy_uJ err_pct\n");
    for (int j = 0; j < nser; j++) {
        if (j)
            sp_buf_printf(&b, "\n\n");
        for (int i = 0; i < t.n_vals[0]; i++)
            for (size_t p = 0; p < t.n; p++) {
                const row *r = &t.r[p];
                if (r->idx[0] == i && (t.n_ax < 2 || r->idx[1] == j) && held(&t, r)) {
                    put_val(&b, r->ax[0]);
                    put_val(&b, r->cyc * 1e-3);
                    put_val(&b, r->en * 1e-6);
                    put_val(&b, r->err * 100);
                    sp_buf_printf(&b, "\n");
                    break;
                }
            }
    }
    char *lines = b.oom ? NULL : strdup(b.p ? b.p : "");
    b.n = 0;

    /* plot_heat.dat: cell (i, j) of axes 0 and 1, axes 2.. held */
    sp_buf_printf(&b, "# plot_heat.dat - i j cycles_k energy_uJ err_pct (i: index of the first swept key's value, j: "
                      "the second's)\n");
    for (int i = 0; t.n_ax >= 2 && i < t.n_vals[0]; i++) {
        for (int j = 0; j < t.n_vals[1]; j++)
            for (size_t p = 0; p < t.n; p++) {
                const row *r = &t.r[p];
                if (r->idx[0] == i && r->idx[1] == j && held(&t, r)) {
                    sp_buf_printf(&b, "%d %d", i, j);
                    put_val(&b, r->cyc * 1e-3);
                    put_val(&b, r->en * 1e-6);
                    put_val(&b, r->err * 100);
                    sp_buf_printf(&b, "\n");
                    break;
                }
            }
        sp_buf_printf(&b, "\n");
    }
    char *heat = b.oom ? NULL : strdup(b.p ? b.p : "");
    b.n = 0;

    /* plot_labels.dat: every text; plot_vars.gp: numbers only */
    labels L = {0};
    char s[2048];
    snprintf(s, sizeof s, "trace %s, config %s", trace ? trace : "(not recorded)", config ? config : "(not recorded)");
    lab_add(&L, s);                                  /* 0 subtitle */
    lab_add(&L, t.ax_name[0]);                       /* 1 colour / x key */
    lab_add(&L, t.n_ax >= 2 ? t.ax_name[1] : "");    /* 2 second key */
    int w = 0;
    s[0] = 0;
    for (int a = 2; a < t.n_ax && w >= 0 && (size_t)w < sizeof s; a++)
        w += snprintf(s + w, sizeof s - (size_t)w, "%s%s = %g", a > 2 ? ", " : "other swept keys held at: ",
                      short_name(t.ax_name[a]), t.vals[a][0]);
    lab_add(&L, s);                                  /* 3 held note */
    w = snprintf(s, sizeof s, "point:");
    for (int a = 0; a < t.n_ax && w >= 0 && (size_t)w < sizeof s; a++)
        w += snprintf(s + w, sizeof s - (size_t)w, "%s%s", a ? " / " : " ", short_name(t.ax_name[a]));
    lab_add(&L, s);                                  /* 4 legend header */
    int ser0 = L.n;
    for (int j = 0; j < nser; j++) {
        if (t.n_ax >= 2)
            snprintf(s, sizeof s, "%s = %g", short_name(t.ax_name[1]), t.vals[1][j]);
        else
            snprintf(s, sizeof s, "%s", "sweep");
        lab_add(&L, s);                              /* series titles */
    }
    int n_ec, n_ac = 0, n_ee = 0;
    int leg_ec = legend(&L, &t, 0, &n_ec);
    int leg_ac = t.has_area ? legend(&L, &t, 1, &n_ac) : L.n;
    int leg_ee = has_acc ? legend(&L, &t, 2, &n_ee) : L.n;
    /* the accuracy front's axis and title, naming the metric */
    int acc_label = L.n;
    lab_add(&L, t.closed ? "closed loop: embedding cosine to float (" ACC_COL ", accuracy.csv)"
                         : "open loop: mean rel. L2 error of head outputs (%, out_rel_err_mean)");
    lab_add(&L, t.closed ? "Closed-loop accuracy (mean cosine of sentence embeddings to the float model) vs energy"
                         : "Open-loop output error (relative L2 of head outputs vs the unpruned run) vs energy");

    sp_buf_printf(&b, "# plot_vars.gp - written by spattn plot from sweep.csv: numbers only (the names are in\n"
                      "# plot_labels.dat)\n");
    sp_buf_printf(&b, "n_axes = %d\nn_points = %zu\nhas_area = %d\nhas_err = %d\n", t.n_ax, t.n, t.has_area, t.has_err);
    sp_buf_printf(&b, "n_series = %d\nseries_block = %d\n", nser, ser0);
    sp_buf_printf(&b, "leg_ec = %d\nleg_ec_n = %d\nleg_ac = %d\nleg_ac_n = %d\nleg_ee = %d\nleg_ee_n = %d\n", leg_ec,
                  n_ec, leg_ac, n_ac, leg_ee, n_ee);
    sp_buf_printf(&b, "acc_closed = %d\nacc_label = %d\nacc_title = %d\n", t.closed, acc_label, acc_label + 1);
    sp_buf_printf(&b, "n_x = %d\nn_y = %d\n", t.n_vals[0], t.n_ax >= 2 ? t.n_vals[1] : 0);
    /* tic labels of the heat map: the swept values, printed here as numbers */
    sp_buf_printf(&b, "set_heat_tics = \"set xtics (");
    for (int i = 0; i < t.n_vals[0]; i++)
        sp_buf_printf(&b, "%s'%g' %d", i ? ", " : "", t.vals[0][i], i);
    sp_buf_printf(&b, "); set ytics (");
    for (int j = 0; t.n_ax >= 2 && j < t.n_vals[1]; j++)
        sp_buf_printf(&b, "%s'%g' %d", j ? ", " : "", t.vals[1][j], j);
    sp_buf_printf(&b, ")\"\n");
    char *vars = b.oom ? NULL : strdup(b.p ? b.p : "");
    sp_buf_free(&b);

    /* which scripts apply */
    const char *scripts[SP_PLOT_SWEEP_MAX_FILES];
    const char *bodies[SP_PLOT_SWEEP_MAX_FILES];
    int ns = 0;
    for (int i = 0; i < sp_sweepplot_count && ns < 16; i++) {
        const char *nm = sp_sweepplot_names[i];
        int needs_area = strstr(nm, "area") != NULL, needs_err = strstr(nm, "error") != NULL;
        int needs_two = !strncmp(nm, "heat_", 5);
        if (needs_area && !t.has_area)
            continue;
        if (needs_err && !(t.has_err || (t.closed && !strcmp(nm, "front_error_energy.gp"))))
            continue;
        if (needs_two && t.n_ax < 2)
            continue;
        scripts[ns] = nm;
        bodies[ns++] = sp_sweepplot_scripts[i];
    }
    size_t sk = 0;
    out->skipped[0] = 0;
    if (!t.has_area)
        sk += (size_t)snprintf(out->skipped + sk, sizeof out->skipped - sk,
                               "area vs cycles not drawn: sweep.csv has no area_total_mm2 or area_mm2 values");
    if (!t.has_err && sk < sizeof out->skipped)
        sk += (size_t)snprintf(out->skipped + sk, sizeof out->skipped - sk,
                               "%s%serror plots not drawn: sweep.csv has no out_rel_err_mean values (a workload CSV "
                               "trace has no accuracy)", sk ? "; " : "", t.closed ? "open-loop " : "");
    snprintf(out->accuracy, sizeof out->accuracy, "%s",
             t.closed ? "accuracy vs energy front: closed-loop " ACC_COL " from accuracy.csv"
             : t.has_err ? "accuracy vs energy front: open-loop out_rel_err_mean (no accuracy.csv; "
                           "eval/minilm_eval.py --sweep DIR writes it for a MiniLM trace)"
                         : "");
    if (t.n_ax < 2 && sk < sizeof out->skipped)
        snprintf(out->skipped + sk, sizeof out->skipped - sk, "%sheat maps not drawn: one swept key",
                 sk ? "; " : "");

    rc = (!points || !fronts || !lines || !heat || !vars) ? -1 : 0;
    if (rc)
        snprintf(err, errlen, "out of memory writing the plot data");
#define ADD(nm)                                                                                                        \
    do {                                                                                                               \
        if (out->n < SP_PLOT_SWEEP_MAX_FILES)                                                                          \
            snprintf(out->names[out->n++], sizeof out->names[0], "%s", nm);                                            \
    } while (0)
    if (!rc && !(rc = sp_report_write_file(dir, "plot_points.dat", points, err, errlen)))
        ADD("plot_points.dat");
    if (!rc && !(rc = sp_report_write_file(dir, "plot_fronts.dat", fronts, err, errlen)))
        ADD("plot_fronts.dat");
    if (!rc && !(rc = sp_report_write_file(dir, "plot_lines.dat", lines, err, errlen)))
        ADD("plot_lines.dat");
    if (!rc && !(rc = sp_report_write_file(dir, "plot_heat.dat", heat, err, errlen)))
        ADD("plot_heat.dat");
    if (!rc && !(rc = sp_report_write_file(dir, "plot_vars.gp", vars, err, errlen)))
        ADD("plot_vars.gp");
    if (!rc) {
        rc = sp_report_write_labels_as(dir, "plot_labels.dat",
                                       "the sweep's names for spattn plot (block numbers: plot_vars.gp)", L.s, L.n,
                                       err, errlen);
        if (!rc)
            ADD("plot_labels.dat");
    }
    for (int i = 0; i < ns && !rc; i++)
        if (!(rc = sp_report_write_file(dir, scripts[i], bodies[i], err, errlen)))
            ADD(scripts[i]);
    free(points);
    free(fronts);
    free(lines);
    free(heat);
    free(vars);
    lab_free(&L);
    table_free(&t);
    if (rc)
        return -1;

    /* a log of an earlier drawing would be stale */
    snprintf(path, sizeof path, "%s/gnuplot.log", dir);
    remove(path);
    int st;
    if (sp_report_gnuplot(dir, scripts, ns, &st, note, notelen))
        return 1;
    int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    char part[8300], name[300];
    static const char *const ext[] = {"png", "svg"};
    /* pass 0 checks every plot (gnuplot exits 0 even when a write failed),
     * pass 1 renames them, or removes them all when one is bad */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < ns; i++)
            for (int o = 0; o < 2; o++) {
                size_t stem = strlen(scripts[i]) - 3;
                snprintf(name, sizeof name, "%.*s.%s", (int)stem, scripts[i], ext[o]);
                snprintf(path, sizeof path, "%s/%s", dir, name);
                snprintf(part, sizeof part, "%s.part", path);
                if (pass == 0 && ok && !rc) {
                    if (access(part, F_OK) != 0)
                        ok = 0;
                    else
                        rc = sp_report_plot_complete(part, name, err, errlen);
                }
                if (pass == 1) {
                    if (ok && !rc) {
                        if (rename(part, path)) {
                            snprintf(err, errlen, "cannot rename '%s': %s", part, strerror(errno));
                            rc = -1;
                        } else {
                            ADD(name);
                        }
                    }
                    if (!ok || rc)
                        remove(part);
                }
            }
    int done = sp_report_gnuplot_done(dir, st, ok, "plot data and scripts", note, notelen, rc ? NULL : err, errlen);
    snprintf(path, sizeof path, "%s/gnuplot.log", dir);
    if (access(path, F_OK) == 0)
        ADD("gnuplot.log");
#undef ADD
    return rc ? -1 : done;
}
