/* sweep.c - full-factorial sweeps over config keys: point order, per-point
 * config, one reference run for accuracy (tensor traces), each point
 * evaluated by the engine (engine.c, as `spattn run`), Pareto flags.
 * docs/sweep.md defines every output. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sweep.h"

size_t sp_sweep_npoints(const sp_sweep *s)
{
    if (s->n_axes <= 0)
        return 0;
    size_t n = 1;
    for (int a = 0; a < s->n_axes; a++)
        n *= (size_t)s->axes[a].n_values;
    return n;
}

void sp_sweep_index(const sp_sweep *s, size_t p, int idx[SP_SWEEP_MAX_AXES])
{
    for (int a = s->n_axes - 1; a >= 0; a--) {
        size_t nv = (size_t)s->axes[a].n_values;
        idx[a] = (int)(p % nv);
        p /= nv;
    }
}

/* "key=v, key=v" of point p */
static void point_label(const sp_sweep *s, size_t p, char *buf, size_t len)
{
    int idx[SP_SWEEP_MAX_AXES];
    sp_sweep_index(s, p, idx);
    size_t used = 0;
    buf[0] = 0;
    for (int a = 0; a < s->n_axes && used < len; a++) {
        int w = snprintf(buf + used, len - used, "%s%s=%g", a ? ", " : "", s->axes[a].key,
                         s->axes[a].values[idx[a]]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

int sp_sweep_point_config(const sp_config *base, size_t p, sp_config *out, char *err, size_t errlen)
{
    const sp_sweep *s = &base->sweep;
    int idx[SP_SWEEP_MAX_AXES];
    char msg[512], label[512];
    sp_sweep_index(s, p, idx);
    *out = *base;
    int bad = 0;
    for (int a = 0; a < s->n_axes && !bad; a++)
        bad = sp_config_set_key(out, s->axes[a].key, s->axes[a].values[idx[a]], msg, sizeof msg) != 0;
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
    double total = 1;
    for (int a = 0; a < s->n_axes; a++)
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
                       sp_sweep_point *pt, char *err, size_t errlen)
{
    sp_engine_in ei = {cfg, in, ref, NULL};
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

/* workers take the next point index under a lock; each writes only its
 * own point's slot, so the result does not depend on scheduling */
typedef struct {
    const sp_config *base;
    const sp_engine_input *in;
    const sp_engine_ref *ref;
    sp_sweep_point *pts;
    size_t n, next;
    int *failed;          /* [n] */
    char (*msg)[1024];    /* [n] */
    pthread_mutex_t lock;
} pool;

static void run_one(pool *P, size_t p)
{
    sp_config c;
    sp_sweep_point *pt = &P->pts[p];
    int idx[SP_SWEEP_MAX_AXES];
    memset(pt, 0, sizeof *pt);
    pt->index = p;
    sp_sweep_index(&P->base->sweep, p, idx);
    for (int a = 0; a < P->base->sweep.n_axes; a++)
        pt->values[a] = P->base->sweep.axes[a].values[idx[a]];
    char msg[512];
    if (sp_sweep_point_config(P->base, p, &c, P->msg[p], sizeof P->msg[p]) ||
        sp_sweep_run_point(&c, P->in, P->ref, pt, msg, sizeof msg)) {
        if (!P->msg[p][0]) {
            char label[400];
            point_label(&P->base->sweep, p, label, sizeof label);
            snprintf(P->msg[p], sizeof P->msg[p], "sweep point %zu (%.300s): %.500s", p, label, msg);
        }
        P->failed[p] = 1;
    }
}

static void *worker(void *arg)
{
    pool *P = arg;
    for (;;) {
        pthread_mutex_lock(&P->lock);
        size_t p = P->next < P->n ? P->next++ : P->n;
        pthread_mutex_unlock(&P->lock);
        if (p >= P->n)
            return NULL;
        run_one(P, p);
    }
}

#define SP_SWEEP_MAX_JOBS 64

int sp_sweep_run(const sp_config *base, const sp_engine_input *in, int jobs, sp_sweep_result *res, char *err,
                 size_t errlen)
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
    pool P;
    memset(&P, 0, sizeof P);
    P.base = base;
    P.in = in;
    P.ref = res->has_ref ? &res->ref : NULL;
    P.n = n;
    P.pts = calloc(n, sizeof *P.pts);
    P.failed = calloc(n, sizeof *P.failed);
    P.msg = calloc(n, sizeof *P.msg);
    if (!P.pts || !P.failed || !P.msg) {
        snprintf(err, errlen, "out of memory for %zu sweep points", n);
        goto fail;
    }
    pthread_mutex_init(&P.lock, NULL);
    if ((size_t)jobs > n)
        jobs = (int)n;
    pthread_t th[SP_SWEEP_MAX_JOBS];
    int started = 0;
    for (int j = 1; j < jobs; j++) {
        if (pthread_create(&th[started], NULL, worker, &P))
            break; /* fewer threads: the calling thread still runs every point left */
        started++;
    }
    worker(&P);
    for (int j = 0; j < started; j++)
        pthread_join(th[j], NULL);
    pthread_mutex_destroy(&P.lock);
    for (size_t p = 0; p < n; p++)
        if (P.failed[p]) {
            snprintf(err, errlen, "%s", P.msg[p]);
            goto fail;
        }
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
    free(P.failed);
    free(P.msg);
    res->n = n;
    res->pts = P.pts;
    return 0;
fail:
    free(P.pts);
    free(P.failed);
    free(P.msg);
    sp_sweep_result_free(res);
    return -1;
}
