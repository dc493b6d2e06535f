/* sweep_report.c - output files of `spattn sweep`: sweep.csv (one row per
 * point, units in the column names), sweep.json (the same plus the config
 * echo, the trace id and the reference run), and the Pareto plots drawn by
 * gnuplot from sweep.csv with the scripts of reports/plots/sweep/.
 * docs/sweep.md defines every column. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cJSON.h>
#include "report.h"
#include "sweep_report.h"

/* fixed decimals for physical quantities (same bytes everywhere; far
 * finer than the models' resolution) */
static void put_fix(FILE *f, double v, int decimals)
{
    char b[64];
    snprintf(b, sizeof b, "%.*f", decimals, v);
    if (!strcmp(b, "-0.000") || !strcmp(b, "-0.000000")) /* no negative zero */
        memmove(b, b + 1, strlen(b));
    fputs(b, f);
}

static const char *const count_cols[] = {"head_steps", "keys_fetched", "keys_lsb_refetched", "values_fetched",
                                         "requant_count", "tokens_pruned", "heads_pruned"};
#define N_COUNT ((int)(sizeof count_cols / sizeof count_cols[0]))

static void counts_of(const sp_sweep_point *p, uint64_t c[N_COUNT])
{
    c[0] = p->ev.head_steps;
    c[1] = p->ev.keys_msb;
    c[2] = p->ev.keys_lsb;
    c[3] = p->ev.values_fetched;
    c[4] = p->ev.requants;
    c[5] = p->ev.tokens_pruned;
    c[6] = p->ev.heads_pruned;
}

/* the columns of sweep.csv before the Pareto flags (docs/sweep.md) */
static void csv_header(FILE *f, const sp_sweep *sw, int multi)
{
    fputs("point", f);
    for (int a = 0; a < sw->n_axes; a++)
        fprintf(f, ",%s", sw->axes[a].key);
    if (multi)
        fputs(",trace", f);
    fputs(",cycles,time_us,bound_cycles,achieved_over_bound_ratio", f);
    for (int k = 0; k < SP_E_N; k++)
        fprintf(f, ",energy_%s_pJ", sp_energy_names[k]);
    fputs(",energy_total_pJ,dram_bytes,dram_data_bytes", f);
    for (int k = 0; k < SP_A_N; k++)
        fprintf(f, ",area_%s_mm2", sp_area_names[k]);
    fputs(",area_total_mm2", f);
    fputs(",dense_cycles,dense_energy_total_pJ,dense_dram_bytes,dense_dram_data_bytes", f);
    fputs(",speedup_vs_dense_ratio,dram_reduction_vs_dense_ratio,energy_reduction_vs_dense_ratio", f);
    for (int k = 0; k < N_COUNT; k++)
        fprintf(f, ",%s", count_cols[k]);
    fputs(",out_rel_err_mean,out_rel_err_max,out_rel_err_computed_mean,argmax_match", f);
}

/* one row of sweep.csv without its Pareto flags and newline */
/* a text field of sweep.csv: quoted (RFC 4180) when it holds a comma,
 * quote or line break */
static void put_text(FILE *f, const char *t)
{
    if (!strpbrk(t, ",\"\r\n")) {
        fputs(t, f);
        return;
    }
    fputc('"', f);
    for (; *t; t++) {
        if (*t == '"')
            fputc('"', f);
        fputc(*t, f);
    }
    fputc('"', f);
}

static void csv_row(FILE *f, const sp_sweep *sw, int has_ref, const char *trace_col, size_t id,
                    const sp_sweep_point *p)
{
    const sp_engine_figures *g = &p->fig;
    uint64_t c[N_COUNT];
    counts_of(p, c);
    fprintf(f, "%zu", id);
    for (int a = 0; a < sw->n_axes; a++) {
        char v[64];
        sp_sweep_value_text(sw, a, p->values[a], v, sizeof v);
        fprintf(f, ",%s", v);
    }
    if (trace_col)
        fputc(',', f), put_text(f, trace_col);
    fprintf(f, ",%llu,", (unsigned long long)p->cycles);
    put_fix(f, p->seconds * 1e6, 6);
    fprintf(f, ",%llu,", (unsigned long long)g->tm.bound_cycles);
    put_fix(f, g->tm.bound_cycles ? (double)p->cycles / (double)g->tm.bound_cycles : 0.0, 9);
    for (int k = 0; k < SP_E_N; k++)
        fputc(',', f), put_fix(f, p->energy_pj[k], 3);
    fputc(',', f), put_fix(f, p->energy_total_pj, 3);
    fprintf(f, ",%llu,%llu", (unsigned long long)p->dram_bytes, (unsigned long long)p->dram_data_bytes);
    for (int k = 0; k < SP_A_N; k++)
        fputc(',', f), put_fix(f, g->area.mm2[k], 9);
    fputc(',', f), put_fix(f, g->area.total_mm2, 9);
    fprintf(f, ",%llu,", (unsigned long long)g->dense_tm.total_cycles);
    put_fix(f, g->dense_en.total_pj, 3);
    fprintf(f, ",%llu,%llu", (unsigned long long)sp_engine_bus_bytes(&g->dense_tm),
            (unsigned long long)sp_engine_data_bytes(&g->dense_tm));
    sp_engine_vs_dense v;
    sp_engine_vs_dense_of(g, &v);
    fputc(',', f), put_fix(f, v.speedup, 9);
    fputc(',', f), put_fix(f, v.dram_data_reduction, 9);
    fputc(',', f), put_fix(f, v.energy_reduction, 9);
    for (int k = 0; k < N_COUNT; k++) /* functional-model counts: none for a workload CSV */
        if (has_ref)
            fprintf(f, ",%llu", (unsigned long long)c[k]);
        else
            fputc(',', f);
    if (has_ref) {
        fputc(',', f), put_fix(f, p->rel_err_mean, 9);
        fputc(',', f), put_fix(f, p->rel_err_max, 9);
        fputc(',', f), put_fix(f, p->rel_err_computed_mean, 9);
        fputc(',', f), put_fix(f, p->argmax_match, 9);
    } else { /* a workload CSV: no accuracy measured */
        fputs(",,,,", f);
    }
}

static void num(cJSON *o, const char *k, double v)
{
    cJSON_AddNumberToObject(o, k, v);
}

static const char *trace_id(const sp_sweep_report_in *in)
{
    return in->input->is_workload ? in->input->workload.path : in->input->trace.id;
}

static cJSON *point_json(const sp_config *cfg, int has_ref, const sp_sweep_point *p)
{
    const sp_sweep *sw = &cfg->sweep;
    cJSON *o = cJSON_CreateObject(), *v = cJSON_CreateObject(), *e = cJSON_CreateObject();
    char k[96];
    num(o, "point", (double)p->index);
    for (int a = 0; a < sw->n_axes; a++)
        num(v, sw->axes[a].key, p->values[a]);
    cJSON_AddItemToObject(o, "values", v);
    num(o, "cycles", (double)p->cycles);
    num(o, "time_us", p->seconds * 1e6);
    for (int i = 0; i < SP_E_N; i++) {
        snprintf(k, sizeof k, "%s_pJ", sp_energy_names[i]);
        num(e, k, p->energy_pj[i]);
    }
    num(e, "total_pJ", p->energy_total_pj);
    cJSON_AddItemToObject(o, "energy", e);
    num(o, "dram_bytes", (double)p->dram_bytes);
    num(o, "dram_data_bytes", (double)p->dram_data_bytes);
    uint64_t c[N_COUNT];
    counts_of(p, c);
    for (int i = 0; i < N_COUNT && has_ref; i++)
        num(o, count_cols[i], (double)c[i]);
    if (has_ref) {
        cJSON *acc = cJSON_CreateObject();
        num(acc, "out_rel_err_mean", p->rel_err_mean);
        num(acc, "out_rel_err_max", p->rel_err_max);
        num(acc, "out_rel_err_computed_mean", p->rel_err_computed_mean);
        num(acc, "argmax_match", p->argmax_match);
        num(acc, "reference_head_steps", (double)p->ref_steps);
        num(acc, "head_steps_computed", (double)p->steps_run);
        cJSON_AddItemToObject(o, "accuracy", acc);
        char ck[20];
        snprintf(ck, sizeof ck, "%016llx", (unsigned long long)p->out_checksum);
        cJSON_AddStringToObject(o, "outputs_fnv1a64", ck);
    }
    /* everything the engine measured, as stats.json writes it for a run */
    sp_config pc;
    char perr[256];
    cJSON *st = cJSON_AddObjectToObject(o, "stats");
    sp_stats reg;
    sp_stats_init(&reg);
    int bad = !st || sp_sweep_point_config(cfg, p->index, &pc, perr, sizeof perr);
    if (!bad) {
        sp_engine_stats(&pc, &p->fig, &reg);
        bad = sp_report_stats_to_json(&reg, st);
    }
    sp_stats_free(&reg);
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static char *json_text(const sp_sweep_report_in *in, cJSON *const *recs, const int *front_ce, const int *front_ee)
{
    const sp_sweep *sw = &in->cfg->sweep;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "tool", "spattn " SP_VERSION);
    cJSON_AddStringToObject(root, "engine", in->input->is_workload ? "timing" : "cmodel");
    cJSON_AddStringToObject(root, "config_file", in->config_path);
    cJSON_AddStringToObject(root, "trace", in->trace_spec);
    cJSON_AddStringToObject(root, "trace_id", trace_id(in));
    if (in->n_traces > 1) {
        cJSON *tr = cJSON_AddArrayToObject(root, "traces");
        for (int t = 0; t < in->n_traces; t++) {
            cJSON *o = cJSON_CreateObject();
            const sp_engine_input *ti = in->inputs[t];
            cJSON_AddStringToObject(o, "trace", in->trace_specs[t]);
            cJSON_AddStringToObject(o, "trace_id", ti->is_workload ? ti->workload.path : ti->trace.id);
            if (in->has_ref) {
                cJSON *r = cJSON_AddObjectToObject(o, "reference");
                num(r, "head_steps", (double)in->refs[t]->n);
                num(r, "head_steps_nonzero_output", (double)in->refs[t]->nonzero);
                num(r, "keys_fetched", (double)in->refs[t]->ev.keys_msb);
                num(r, "values_fetched", (double)in->refs[t]->ev.values_fetched);
            }
            cJSON_AddItemToArray(tr, o);
        }
    }
    /* config echo: the resolved base config as YAML that loads again */
    char *yaml = NULL;
    size_t ylen = 0;
    FILE *f = open_memstream(&yaml, &ylen);
    if (f) {
        sp_config_print(f, in->cfg);
        fclose(f);
    }
    cJSON_AddStringToObject(root, "config_yaml", yaml ? yaml : "");
    free(yaml);
    cJSON *swj = cJSON_CreateObject(), *axes = cJSON_CreateArray();
    cJSON_AddStringToObject(swj, "order", sw->n_points ? "the explicit points: list, in its order (each point's values below)"
                                                        : "axis 0 outermost, last axis innermost (varies fastest)");
    num(swj, "points_count", (double)in->n);
    for (int a = 0; a < sw->n_axes; a++) {
        cJSON *ax = cJSON_CreateObject();
        cJSON_AddStringToObject(ax, "key", sw->axes[a].key);
        cJSON_AddItemToObject(ax, "values", cJSON_CreateDoubleArray(sw->axes[a].values, sw->axes[a].n_values));
        if (sw->config_axis == a + 1) { /* values are indices into these */
            cJSON *fl = cJSON_AddArrayToObject(ax, "files");
            for (int i = 0; i < sw->axes[a].n_values; i++)
                cJSON_AddItemToArray(fl, cJSON_CreateString(sw->config_names[i]));
        }
        cJSON_AddItemToArray(axes, ax);
    }
    cJSON_AddItemToObject(swj, "axes", axes);
    cJSON_AddItemToObject(root, "sweep", swj);
    sp_config rc;
    sp_engine_reference_config(in->cfg, &rc);
    cJSON *ref = cJSON_CreateObject(), *ra = cJSON_CreateObject();
    num(ra, "token_keep", rc.alg.token_keep);
    num(ra, "head_keep", rc.alg.head_keep);
    num(ra, "value_keep", rc.alg.value_keep);
    num(ra, "tau", rc.alg.tau);
    num(ra, "k_msb", rc.alg.k_msb);
    num(ra, "k_lsb", rc.alg.k_lsb);
    num(ra, "v_msb", rc.alg.v_msb);
    num(ra, "v_lsb", rc.alg.v_lsb);
    cJSON_AddItemToObject(ref, "algorithm", ra);
    num(ref, "head_steps", (double)in->ref->n);
    num(ref, "head_steps_nonzero_output", (double)in->ref->nonzero);
    num(ref, "keys_fetched", (double)in->ref->ev.keys_msb);
    num(ref, "values_fetched", (double)in->ref->ev.values_fetched);
    if (in->has_ref)
        cJSON_AddItemToObject(root, "reference", ref);
    else
        cJSON_Delete(ref);
    cJSON *pts = cJSON_CreateArray();
    int bad = 0;
    for (size_t i = 0; i < in->n && !bad; i++) {
        cJSON *pj = cJSON_DetachItemFromObject(recs[i], "point");
        cJSON *st = pj ? cJSON_DetachItemFromObject(pj, "stats") : NULL;
        bad = !pj || !st;
        if (pj) {
            cJSON_AddBoolToObject(pj, "pareto_cycles_energy", front_ce[i]);
            if (in->has_ref)
                cJSON_AddBoolToObject(pj, "pareto_energy_err", front_ee[i]);
            cJSON_AddItemToObject(pj, "stats", st);
            cJSON_AddItemToArray(pts, pj);
        }
    }
    cJSON_AddItemToObject(root, "points", pts);
    char *t = bad ? NULL : sp_report_json_text(root);
    cJSON_Delete(root);
    return t;
}

char *sp_sweep_point_record(const sp_config *cfg, int has_ref, const sp_sweep_point *p)
{
    return sp_sweep_point_record_multi(cfg, has_ref, NULL, p->index, p);
}

char *sp_sweep_point_record_multi(const sp_config *cfg, int has_ref, const char *trace_col, size_t id,
                                  const sp_sweep_point *p)
{
    char *row = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&row, &len);
    if (!f)
        return NULL;
    csv_row(f, &cfg->sweep, has_ref, trace_col, id, p);
    int bad = ferror(f);
    fclose(f);
    cJSON *o = cJSON_CreateObject(), *pj = bad ? NULL : point_json(cfg, has_ref, p);
    char *t = NULL;
    if (o && pj && row) {
        cJSON_AddStringToObject(o, "csv", row);
        num(o, "x_cycles", (double)p->cycles);
        num(o, "y_energy_pJ", p->energy_total_pj);
        num(o, "z_out_rel_err_mean", p->rel_err_mean);
        cJSON_ReplaceItemInObject(pj, "point", cJSON_CreateNumber((double)id));
        if (trace_col)
            cJSON_AddStringToObject(pj, "trace", trace_col);
        cJSON_AddItemToObject(o, "point", pj);
        pj = NULL;
        t = cJSON_PrintUnformatted(o);
    }
    cJSON_Delete(pj);
    cJSON_Delete(o);
    free(row);
    return t;
}

/* both texts from in->records (in point order, all present); the Pareto
 * flags from the records' full-precision figures */
static int texts(const sp_sweep_report_in *in, char **csv, char **json)
{
    size_t n = in->n;
    *csv = *json = NULL;
    cJSON **recs = calloc(n ? n : 1, sizeof *recs);
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y),
           *z = malloc((n ? n : 1) * sizeof *z);
    int *fce = calloc(n ? n : 1, sizeof *fce), *fee = calloc(n ? n : 1, sizeof *fee);
    int bad = !recs || !x || !y || !z || !fce || !fee;
    for (size_t i = 0; i < n && !bad; i++) {
        recs[i] = in->records[i] ? cJSON_Parse(in->records[i]) : NULL;
        cJSON *cx = cJSON_GetObjectItem(recs[i], "x_cycles"), *cy = cJSON_GetObjectItem(recs[i], "y_energy_pJ"),
              *cz = cJSON_GetObjectItem(recs[i], "z_out_rel_err_mean"), *cc = cJSON_GetObjectItem(recs[i], "csv");
        bad = !cJSON_IsNumber(cx) || !cJSON_IsNumber(cy) || !cJSON_IsNumber(cz) || !cJSON_IsString(cc);
        if (!bad)
            x[i] = cx->valuedouble, y[i] = cy->valuedouble, z[i] = cz->valuedouble;
    }
    if (!bad) { /* fronts within each trace */
        size_t nt = in->n_traces > 1 ? (size_t)in->n_traces : 1, per = n / nt;
        for (size_t t = 0; t < nt; t++) {
            sp_sweep_pareto(x + t * per, y + t * per, per, fce + t * per);
            if (in->has_ref)
                sp_sweep_pareto(y + t * per, z + t * per, per, fee + t * per);
        }
        size_t len = 0;
        FILE *f = open_memstream(csv, &len);
        bad = !f;
        if (f) {
            csv_header(f, &in->cfg->sweep, in->n_traces > 1);
            if (in->extra_cols)
                fputs(in->extra_cols, f);
            fputs(",pareto_cycles_energy,pareto_energy_err\n", f);
            for (size_t i = 0; i < n; i++) {
                fputs(cJSON_GetObjectItem(recs[i], "csv")->valuestring, f);
                if (in->has_ref)
                    fprintf(f, ",%d,%d\n", fce[i], fee[i]);
                else
                    fprintf(f, ",%d,\n", fce[i]);
            }
            bad = ferror(f);
            fclose(f);
        }
    }
    if (!bad) {
        *json = json_text(in, recs, fce, fee);
        bad = !*json;
    }
    for (size_t i = 0; recs && i < n; i++)
        cJSON_Delete(recs[i]);
    free(recs), free(x), free(y), free(z), free(fce), free(fee);
    if (bad) {
        free(*csv), free(*json);
        *csv = *json = NULL;
        return -1;
    }
    return 0;
}

/* in with records made from in->res when it has none */
static int with_records(const sp_sweep_report_in *in, sp_sweep_report_in *out, char ***owned)
{
    *out = *in;
    *owned = NULL;
    if (in->records)
        return 0;
    out->n = in->res->n;
    out->has_ref = in->res->has_ref;
    out->ref = &in->res->ref;
    char **r = calloc(out->n ? out->n : 1, sizeof *r);
    if (!r)
        return -1;
    for (size_t i = 0; i < out->n; i++)
        if (!(r[i] = sp_sweep_point_record(in->cfg, in->res->has_ref, &in->res->pts[i]))) {
            for (size_t k = 0; k < i; k++)
                free(r[k]);
            free(r);
            return -1;
        }
    out->records = r;
    *owned = r;
    return 0;
}

static void free_owned(char **r, size_t n)
{
    for (size_t i = 0; r && i < n; i++)
        free(r[i]);
    free(r);
}

/* one of the two texts (json 0: sweep.csv, 1: sweep.json) */
static char *one_text(const sp_sweep_report_in *in, int json)
{
    sp_sweep_report_in r;
    char **owned, *t[2] = {NULL, NULL};
    if (with_records(in, &r, &owned))
        return NULL;
    texts(&r, &t[0], &t[1]);
    free_owned(owned, r.n);
    free(t[!json]);
    return t[json];
}

char *sp_sweep_csv_text(const sp_sweep_report_in *in)
{
    return one_text(in, 0);
}

char *sp_sweep_json_text(const sp_sweep_report_in *in)
{
    return one_text(in, 1);
}

static int text_axis(const sp_sweep *sw, int a)
{
    return !strcmp(sw->axes[a].key, "config") || !strcmp(sw->axes[a].key, "hardware.dram.kind");
}

/* sweep_vars.gp: how the plot scripts find this sweep's columns in
 * sweep.csv. Only numbers are written here (column numbers, printf
 * formats); the names (trace, config, swept keys) go to labels.dat, which
 * the scripts read as data. */
static char *vars_text(const sp_sweep_report_in *in)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    const sp_sweep *sw = &in->cfg->sweep;
    fputs("# sweep_vars.gp - written by spattn sweep: the columns of this sweep's keys\n"
          "# in sweep.csv (column 1 is the point; colour = first swept key; labels =\n"
          "# every swept value)\n",
          f);
    /* a DRAM kind or config file is text: the colour is the first numeric
     * axis (the point number when there is none), a label takes the text */
    int color = 1;
    for (int a = sw->n_axes - 1; a >= 0; a--)
        if (!text_axis(sw, a))
            color = a + 2;
    fprintf(f, "color_col = %d\nlab(x) = sprintf(\"", color);
    for (int a = 0; a < sw->n_axes; a++)
        fputs(a ? (text_axis(sw, a) ? "/%s" : "/%g") : (text_axis(sw, a) ? "%s" : "%g"), f);
    fputs("\"", f);
    for (int a = 0; a < sw->n_axes; a++)
        fprintf(f, text_axis(sw, a) ? ", stringcolumn(%d)" : ", column(%d)", a + 2);
    fputs(")\n", f);
    if (ferror(f)) {
        fclose(f);
        free(text);
        return NULL;
    }
    fclose(f);
    return text;
}

/* labels.dat of a sweep: trace, config, the colour key, the label keys */
static int write_labels(const char *dir, const sp_sweep_report_in *in, char *err, size_t errlen)
{
    const sp_sweep *sw = &in->cfg->sweep;
    char names[1024];
    size_t used = 0;
    names[0] = 0;
    for (int a = 0; a < sw->n_axes && used < sizeof names; a++) {
        const char *k = strrchr(sw->axes[a].key, '.');
        int w = snprintf(names + used, sizeof names - used, "%s%s", a ? "/" : "", k ? k + 1 : sw->axes[a].key);
        if (w > 0)
            used += (size_t)w;
    }
    const char *color = "point"; /* as vars_text picks it */
    for (int a = sw->n_axes - 1; a >= 0; a--)
        if (!text_axis(sw, a))
            color = sw->axes[a].key;
    const char *strs[] = {trace_id(in), in->config_path, color, names};
    return sp_report_write_labels(dir, "block 0 the trace, 1 the config, 2 the colour key, 3 the label keys", strs,
                                  4, err, errlen);
}

static const char *const plot_outputs[] = {"png", "svg"};

/* runs gnuplot on the scripts inside dir; 0 drawn, 1 not (note), -1 when
 * a plot file is incomplete or cannot be renamed (err) */
static int draw(const char *dir, int has_ref, char *note, size_t notelen, char *err, size_t errlen)
{
    int st;
    const char *names[8];
    int n = 0;
    for (int i = 0; i < sp_sweep_plot_count && n < 8; i++)
        if (has_ref || !strstr(sp_sweep_plot_names[i], "accuracy"))
            names[n++] = sp_sweep_plot_names[i];
    if (sp_report_gnuplot(dir, names, n, &st, note, notelen))
        return 1;
    int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0, rc = 0;
    char path[8192], part[8300], name[300];
    /* pareto_x.gp writes pareto_x.png.part and pareto_x.svg.part; pass 0
     * checks them all (gnuplot exits 0 even when a write failed), pass 1
     * renames them, or removes them when any is missing or incomplete */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++)
            for (int o = 0; o < 2; o++) {
                const char *nm = names[i];
                size_t stem = strlen(nm) > 3 ? strlen(nm) - 3 : strlen(nm);
                snprintf(name, sizeof name, "%.*s.%s", (int)stem, nm, plot_outputs[o]);
                snprintf(path, sizeof path, "%s/%s", dir, name);
                snprintf(part, sizeof part, "%s.part", path);
                if (pass == 0 && ok && !rc) {
                    if (access(part, F_OK) != 0)
                        ok = 0; /* a script drew nothing */
                    else
                        rc = sp_report_plot_complete(part, name, err, errlen);
                }
                if (pass == 1) {
                    if (ok && !rc && rename(part, path)) {
                        snprintf(err, errlen, "cannot rename '%s': %s", part, strerror(errno));
                        rc = -1;
                    }
                    if (!ok || rc)
                        remove(part);
                }
            }
    int done = sp_report_gnuplot_done(dir, st, ok, "sweep.csv and the scripts", note, notelen, rc ? NULL : err, errlen);
    return rc ? -1 : done;
}

int sp_sweep_report_write_dir(const char *dir, const sp_sweep_report_in *in, int plots, char *note,
                              size_t notelen, char *err, size_t errlen)
{
    note[0] = 0;
    sp_sweep_report_in r;
    char **owned, *csv = NULL, *json = NULL;
    int rc = with_records(in, &r, &owned);
    if (!rc)
        rc = texts(&r, &csv, &json);
    free_owned(owned, r.n);
    in = &r;
    char *vars = plots ? vars_text(in) : NULL;
    if (rc || !csv || !json || (plots && !vars)) {
        snprintf(err, errlen, "out of memory writing the sweep report");
        rc = -1;
    }
    if (!rc)
        rc = sp_report_write_file(dir, "sweep.csv", csv, err, errlen);
    if (!rc)
        rc = sp_report_write_file(dir, "sweep.json", json, err, errlen);
    if (!rc && plots) {
        rc = sp_report_write_file(dir, "sweep_vars.gp", vars, err, errlen);
        if (!rc)
            rc = write_labels(dir, in, err, errlen);
        for (int i = 0; i < sp_sweep_plot_count && !rc; i++)
            if (in->has_ref || !strstr(sp_sweep_plot_names[i], "accuracy"))
                rc = sp_report_write_file(dir, sp_sweep_plot_names[i], sp_sweep_plot_scripts[i], err, errlen);
    }
    free(csv);
    free(json);
    free(vars);
    if (rc || !plots)
        return rc;
    return draw(dir, in->has_ref, note, notelen, err, errlen);
}
