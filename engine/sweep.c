/* sweep.c - full-factorial sweeps over config keys: point order, per-point
 * config, one reference run for accuracy (tensor traces), each point
 * evaluated by the engine (engine.c, as `spattn run`), Pareto flags.
 * docs/sweep.md defines every output. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "params.h"
#include "sweep.h"

size_t sp_sweep_npoints(const sp_sweep *s)
{
    if (s->n_axes <= 0)
        return 0;
    if (s->n_points > 0)
        return (size_t)s->n_points;
    size_t n = 1;
    for (int a = 0; a < s->n_axes; a++)
        n *= (size_t)s->axes[a].n_values;
    return n;
}

void sp_sweep_point_values(const sp_sweep *s, size_t p, double v[SP_SWEEP_MAX_AXES])
{
    int idx[SP_SWEEP_MAX_AXES];
    if (s->n_points > 0) {
        for (int a = 0; a < s->n_axes; a++)
            v[a] = s->point_values[p][a];
        return;
    }
    sp_sweep_index(s, p, idx);
    for (int a = 0; a < s->n_axes; a++)
        v[a] = s->axes[a].values[idx[a]];
}

void sp_sweep_index(const sp_sweep *s, size_t p, int idx[SP_SWEEP_MAX_AXES])
{
    if (s->n_points > 0) { /* an explicit list: no value indices */
        for (int a = 0; a < s->n_axes; a++)
            idx[a] = 0;
        return;
    }
    for (int a = s->n_axes - 1; a >= 0; a--) {
        size_t nv = (size_t)s->axes[a].n_values;
        idx[a] = (int)(p % nv);
        p /= nv;
    }
}

void sp_sweep_value_text(const sp_sweep *s, int a, double v, char *buf, size_t len)
{
    if (s->config_axis == a + 1 && v >= 0 && v < s->axes[a].n_values) {
        snprintf(buf, len, "%s", s->config_names[(int)v]);
        return;
    }
    int k = sp_param_find(s->axes[a].key);
    if (k >= 0)
        sp_param_value_text(&sp_params[k], v, buf, len);
    else
        sp_fmt_double(buf, len, v);
}

/* "key=v, key=v" of point p */
static void point_label(const sp_sweep *s, size_t p, char *buf, size_t len)
{
    double pv[SP_SWEEP_MAX_AXES];
    sp_sweep_point_values(s, p, pv);
    size_t used = 0;
    buf[0] = 0;
    for (int a = 0; a < s->n_axes && used < len; a++) {
        char v[64];
        sp_sweep_value_text(s, a, pv[a], v, sizeof v);
        int w = snprintf(buf + used, len - used, "%s%s=%s", a ? ", " : "", s->axes[a].key, v);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

int sp_sweep_point_config(const sp_config *base, size_t p, sp_config *out, char *err, size_t errlen)
{
    const sp_sweep *s = &base->sweep;
    double pv[SP_SWEEP_MAX_AXES];
    char msg[512], label[512];
    sp_sweep_point_values(s, p, pv);
    *out = *base;
    int bad = 0;
    /* a config file first (it sets every key), then a DRAM part (its
     * preset), then the keys they hold may be swept */
    for (int pass = 0; pass < 3; pass++)
        for (int a = 0; a < s->n_axes && !bad; a++)
            if (pass == (!strcmp(s->axes[a].key, "config") ? 0 : !strcmp(s->axes[a].key, "hardware.dram.kind") ? 1 : 2))
                bad = sp_sweep_set_key(out, s->axes[a].key, pv[a], msg, sizeof msg) != 0;
    if (!bad)
        bad = sp_config_check(out, msg, sizeof msg) != 0;
    if (bad) {
        point_label(s, p, label, sizeof label);
        snprintf(err, errlen, "sweep point %zu (%s): %s", p, label, msg);
        return -1;
    }
    return 0;
}

int sp_sweep_check(const sp_config *base, char *err, size_t errlen)
{
    const sp_sweep *s = &base->sweep;
    double total = s->n_points > 0 ? s->n_points : 1;
    for (int a = 0; a < s->n_axes && !s->n_points; a++)
        total *= s->axes[a].n_values;
    if (total > SP_SWEEP_MAX_POINTS) {
        snprintf(err, errlen, "sweep has %.0f points, more than %d (each is a full run); use fewer values",
                 total, SP_SWEEP_MAX_POINTS);
        return -1;
    }
    size_t n = sp_sweep_npoints(s);
    sp_config t;
    for (size_t p = 0; p < n; p++)
        if (sp_sweep_point_config(base, p, &t, err, errlen))
            return -1;
    return 0;
}

int sp_sweep_check_workload(const sp_config *base, const char *path, char *err, size_t errlen)
{
    const sp_sweep *s = &base->sweep;
    for (int i = 0; s->config_axis && i < s->axes[s->config_axis - 1].n_values; i++)
        for (int k = 0; k < sp_n_params; k++)
            if (!strncmp(sp_params[k].path, "algorithm.", 10) &&
                (s->config_vals[i][k] != sp_param_get(base, &sp_params[k]) ||
                 (sp_params[k].type == SP_PT_LIST &&
                  memcmp(&s->config_lists[i][sp_param_list_slot(k)], sp_param_list_c(base, &sp_params[k]),
                         sizeof(sp_int_list))))) {
                snprintf(err, errlen,
                         "sweep config %s sets %s: %s is a workload CSV, whose counts already fix the pruning and "
                         "the bit widths; vary hardware.* or energy.* keys on it, or use a tensor trace",
                         s->config_names[i], sp_params[k].path, path);
                return -1;
            }
    for (int a = 0; a < s->n_axes; a++)
        if (!strncmp(s->axes[a].key, "algorithm.", 10)) {
            snprintf(err, errlen,
                     "sweep axis %s: %s is a workload CSV, whose counts already fix the pruning (keep ratios, "
                     "start layers, tau) and the bit widths; sweep hardware.* or energy.* keys on it, or use a "
                     "tensor trace",
                     s->axes[a].key, path);
            return -1;
        }
    return 0;
}

int sp_sweep_run_point(const sp_config *cfg, const sp_engine_input *in, const sp_engine_ref *ref,
                       const sp_engine_dense *dense, sp_sweep_point *pt, char *err, size_t errlen)
{
    sp_engine_in ei = {.cfg = cfg, .input = in, .ref = ref, .dense = dense};
    sp_engine_result r;
    if (sp_engine_run(&ei, &r, err, errlen))
        return -1;
    const sp_engine_figures *f = &r.fig;
    pt->fig = *f;
    pt->ev = f->ev;
    pt->out_checksum = f->out_checksum;
    pt->cycles = f->tm.total_cycles;
    pt->seconds = f->tm.seconds;
    for (int k = 0; k < SP_E_N; k++)
        pt->energy_pj[k] = f->en.pj[k];
    pt->energy_total_pj = f->en.total_pj;
    pt->dram_bytes = sp_engine_bus_bytes(&f->tm);
    pt->dram_data_bytes = sp_engine_data_bytes(&f->tm);
    if (f->has_accuracy) {
        pt->ref_steps = f->acc.ref_steps;
        pt->steps_run = f->acc.steps_run;
        pt->rel_err_mean = f->acc.rel_err_mean;
        pt->rel_err_max = f->acc.rel_err_max;
        pt->rel_err_computed_mean = f->acc.rel_err_computed_mean;
        pt->argmax_match = f->acc.argmax_match;
    }
    sp_engine_result_free(&r);
    return 0;
}

void sp_sweep_pareto(const double *x, const double *y, size_t n, int *front)
{
    for (size_t i = 0; i < n; i++) {
        front[i] = 1;
        for (size_t j = 0; j < n && front[i]; j++)
            if (j != i && x[j] <= x[i] && y[j] <= y[i] && (x[j] < x[i] || y[j] < y[i]))
                front[i] = 0;
    }
}

void sp_sweep_result_free(sp_sweep_result *res)
{
    free(res->pts);
    if (res->has_ref)
        sp_engine_ref_free(&res->ref);
    memset(res, 0, sizeof *res);
}

/* The points' dense baselines: points whose configs have the same dense
 * config (sp_engine_dense_config, compared as the text sp_config_print
 * writes) share one, evaluated once; a sweep over algorithm keys alone has
 * one dense baseline. */
typedef struct {
    size_t n;        /* distinct dense configs */
    size_t *of;      /* [points] index of each point's dense baseline */
    size_t *first;   /* [n] the first point with that dense config */
    sp_engine_dense *d;
} dense_set;

static void dense_set_free(dense_set *ds)
{
    free(ds->of);
    free(ds->first);
    free(ds->d);
    memset(ds, 0, sizeof *ds);
}

static char *dense_key(const sp_config *c)
{
    sp_config d;
    sp_engine_dense_config(c, &d);
    char *t = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&t, &n);
    if (!f)
        return NULL;
    sp_config_print(f, &d);
    if (fclose(f)) {
        free(t);
        return NULL;
    }
    return t;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* groups the n points by dense config (hash table of 2n slots) */
static int dense_set_build(const sp_config *base, size_t n, dense_set *ds, char *err, size_t errlen)
{
    memset(ds, 0, sizeof *ds);
    size_t nslot = 2 * n;
    char **keys = calloc(n, sizeof *keys);
    size_t *slot = malloc(nslot * sizeof *slot);
    ds->of = malloc(n * sizeof *ds->of);
    ds->first = malloc(n * sizeof *ds->first);
    ds->d = calloc(n, sizeof *ds->d);
    int rc = -1;
    if (!keys || !slot || !ds->of || !ds->first || !ds->d)
        goto done;
    for (size_t i = 0; i < nslot; i++)
        slot[i] = SIZE_MAX;
    for (size_t p = 0; p < n; p++) {
        sp_config c;
        if (sp_sweep_point_config(base, p, &c, err, errlen))
            goto fail;
        char *k = dense_key(&c);
        if (!k)
            goto done;
        size_t i = (size_t)(fnv1a(k) % nslot);
        while (slot[i] != SIZE_MAX && strcmp(keys[slot[i]], k))
            i = (i + 1) % nslot;
        if (slot[i] == SIZE_MAX) {
            slot[i] = ds->n;
            keys[ds->n] = k;
            ds->first[ds->n++] = p;
        } else {
            free(k);
        }
        ds->of[p] = slot[i];
    }
    rc = 0;
done:
    if (rc)
        snprintf(err, errlen, "out of memory for %zu sweep points", n);
fail:
    if (keys)
        for (size_t i = 0; i < ds->n; i++)
            free(keys[i]);
    free(keys);
    free(slot);
    if (rc)
        dense_set_free(ds);
    return rc;
}

/* workers take the next job index under a lock; each writes only its own
 * job's slot, so the result does not depend on scheduling */
typedef struct pool pool;
struct pool {
    const sp_config *base;
    const sp_engine_input *in;
    const sp_engine_ref *ref;
    const dense_set *ds;
    sp_sweep_point *pts;
    const sp_sweep_opts *o;
    unsigned char *need_dense; /* [ds->n] 1: some point to run uses it */
    size_t finished;
    size_t n, next;
    void (*job)(pool *P, size_t j);
    int *failed;          /* [jobs] */
    char (*msg)[1024];    /* [jobs] */
    pthread_mutex_t lock;
};

/* "sweep point P (labels): msg" into P->msg[slot] */
static void fail_point(pool *P, size_t slot, size_t p, const char *msg)
{
    char label[400];
    point_label(&P->base->sweep, p, label, sizeof label);
    snprintf(P->msg[slot], sizeof P->msg[slot], "sweep point %zu (%.300s): %.500s", p, label, msg);
    P->failed[slot] = 1;
}

static void dense_job(pool *P, size_t k)
{
    sp_config c;
    char msg[512];
    size_t p = P->ds->first[k];
    if (P->need_dense && !P->need_dense[k])
        return;
    if (sp_sweep_point_config(P->base, p, &c, P->msg[k], sizeof P->msg[k])) {
        P->failed[k] = 1;
        return;
    }
    if (sp_engine_dense_run(&c, P->in, &P->ds->d[k], NULL, msg, sizeof msg))
        fail_point(P, k, p, msg);
}

static void point_job(pool *P, size_t p)
{
    sp_config c;
    sp_sweep_point *pt = &P->pts[p];
    memset(pt, 0, sizeof *pt);
    if (P->o && P->o->skip && P->o->skip[p])
        return;
    pt->index = p;
    sp_sweep_point_values(&P->base->sweep, p, pt->values);
    char msg[512];
    if (sp_sweep_point_config(P->base, p, &c, P->msg[p], sizeof P->msg[p]))
        P->failed[p] = 1;
    else if (sp_sweep_run_point(&c, P->in, P->ref, &P->ds->d[P->ds->of[p]], pt, msg, sizeof msg))
        fail_point(P, p, p, msg);
    else if (P->o && P->o->done && P->o->done(P->o->ctx, pt, P->msg[p], sizeof P->msg[p]))
        P->failed[p] = 1;
    if (!P->failed[p] && P->o && P->o->progress) {
        pthread_mutex_lock(&P->lock);
        P->o->progress(P->o->ctx, ++P->finished);
        pthread_mutex_unlock(&P->lock);
    }
}

static void *worker(void *arg)
{
    pool *P = arg;
    for (;;) {
        pthread_mutex_lock(&P->lock);
        size_t j = P->next < P->n ? P->next++ : P->n;
        pthread_mutex_unlock(&P->lock);
        if (j >= P->n)
            return NULL;
        P->job(P, j);
    }
}

#define SP_SWEEP_MAX_JOBS 64

/* runs job 0..n-1 on `jobs` threads (the calling one included); -1 with
 * the lowest failing job's message */
static int run_jobs(pool *P, size_t n, void (*job)(pool *, size_t), int jobs, char *err, size_t errlen)
{
    P->n = n;
    P->next = 0;
    P->job = job;
    memset(P->failed, 0, n * sizeof *P->failed);
    for (size_t j = 0; j < n; j++)
        P->msg[j][0] = 0;
    if ((size_t)jobs > n)
        jobs = (int)n;
    pthread_t th[SP_SWEEP_MAX_JOBS];
    int started = 0;
    for (int j = 1; j < jobs; j++) {
        if (pthread_create(&th[started], NULL, worker, P))
            break; /* fewer threads: the calling thread still runs every job left */
        started++;
    }
    worker(P);
    for (int j = 0; j < started; j++)
        pthread_join(th[j], NULL);
    for (size_t j = 0; j < n; j++)
        if (P->failed[j]) {
            snprintf(err, errlen, "%s", P->msg[j]);
            return -1;
        }
    return 0;
}

int sp_sweep_run(const sp_config *base, const sp_engine_input *in, int jobs, sp_sweep_result *res, char *err,
                 size_t errlen)
{
    return sp_sweep_run_opts(base, in, jobs, NULL, res, err, errlen);
}

int sp_sweep_run_opts(const sp_config *base, const sp_engine_input *in, int jobs, const sp_sweep_opts *o,
                      sp_sweep_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    size_t n = sp_sweep_npoints(&base->sweep);
    if (n == 0) {
        snprintf(err, errlen, "%s: no sweep section (add sweep: axes: [...]; see docs/sweep.md)", base->source);
        return -1;
    }
    if (jobs < 1 || jobs > SP_SWEEP_MAX_JOBS) {
        snprintf(err, errlen, "sweep: jobs must be in 1..%d, got %d", SP_SWEEP_MAX_JOBS, jobs);
        return -1;
    }
    if (sp_sweep_check(base, err, errlen))
        return -1;
    if (in->is_workload && sp_sweep_check_workload(base, in->workload.path, err, errlen))
        return -1;
    /* the reference of the base config (its hardware, full widths) */
    if (!in->is_workload) {
        if (sp_engine_ref_build(base, &in->trace, &res->ref, err, errlen))
            return -1;
        res->has_ref = 1;
    }
    dense_set ds;
    if (dense_set_build(base, n, &ds, err, errlen)) {
        sp_sweep_result_free(res);
        return -1;
    }
    pool P;
    memset(&P, 0, sizeof P);
    P.base = base;
    P.in = in;
    P.ref = res->has_ref ? &res->ref : NULL;
    P.ds = &ds;
    P.pts = calloc(n, sizeof *P.pts);
    P.failed = calloc(n, sizeof *P.failed);
    P.msg = calloc(n, sizeof *P.msg);
    P.o = o;
    if (o && o->skip) {
        P.need_dense = calloc(ds.n ? ds.n : 1, 1);
        for (size_t p = 0; P.need_dense && p < n; p++)
            if (!o->skip[p])
                P.need_dense[ds.of[p]] = 1;
    }
    if (!P.pts || !P.failed || !P.msg || (o && o->skip && !P.need_dense)) {
        snprintf(err, errlen, "out of memory for %zu sweep points", n);
        goto fail;
    }
    pthread_mutex_init(&P.lock, NULL);
    /* the dense baselines first, then the points that share them */
    int rc = run_jobs(&P, ds.n, dense_job, jobs, err, errlen);
    if (!rc)
        rc = run_jobs(&P, n, point_job, jobs, err, errlen);
    pthread_mutex_destroy(&P.lock);
    free(P.need_dense);
    P.need_dense = NULL;
    if (rc)
        goto fail;
    if (o)
        goto done;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *z = malloc(n * sizeof *z);
    int *f = malloc(n * sizeof *f);
    if (!x || !y || !z || !f) {
        free(x), free(y), free(z), free(f);
        snprintf(err, errlen, "out of memory for %zu sweep points", n);
        goto fail;
    }
    for (size_t p = 0; p < n; p++) {
        x[p] = (double)P.pts[p].cycles;
        y[p] = P.pts[p].energy_total_pj;
        z[p] = P.pts[p].rel_err_mean;
    }
    sp_sweep_pareto(x, y, n, f);
    for (size_t p = 0; p < n; p++)
        P.pts[p].pareto_cycles_energy = f[p];
    if (res->has_ref) { /* no accuracy without a reference: no such front */
        sp_sweep_pareto(y, z, n, f);
        for (size_t p = 0; p < n; p++)
            P.pts[p].pareto_energy_err = f[p];
    }
    free(x), free(y), free(z), free(f);
done:
    free(P.failed);
    free(P.msg);
    dense_set_free(&ds);
    res->n = n;
    res->pts = P.pts;
    return 0;
fail:
    free(P.need_dense);
    free(P.pts);
    free(P.failed);
    free(P.msg);
    dense_set_free(&ds);
    sp_sweep_result_free(res);
    return -1;
}
