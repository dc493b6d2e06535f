/* sweep.c - full-factorial sweeps over config keys: point order, per-point
 * config, one reference run for accuracy, per-point functional + timing +
 * energy run, Pareto flags. docs/sweep.md defines every output. */
#include <math.h>
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

void sp_sweep_reference_config(const sp_config *base, sp_config *ref)
{
    *ref = *base;
    sp_alg_cfg *a = &ref->alg;
    a->token_keep = a->head_keep = a->value_keep = 1.0;
    a->token_keep_q16 = a->head_keep_q16 = a->value_keep_q16 = SP_RATIO_ONE;
    a->tau = 1.0;
    a->tau_q15 = SP_PROB_ONE;
    /* every plane in the first fetch: the datapath then sees the full
     * integers in its only pass (sp_quant_row_msb with 0 LSBs is a copy) */
    a->k_msb += a->k_lsb;
    a->k_lsb = 0;
    a->v_msb += a->v_lsb;
    a->v_lsb = 0;
    ref->sweep.n_axes = 0;
}

/* token with the largest probability, lowest token index on ties (the
 * active tokens come in ascending order) */
static int32_t argmax_token(const sp_head_result *r)
{
    int best = 0;
    for (int i = 1; i < r->n_active; i++)
        if (r->prob[i] > r->prob[best])
            best = i;
    return r->n_active > 0 ? r->tokens[best] : -1;
}

static size_t rec_index(const sp_sweep_ref *ref, int it, int l, int h, int row)
{
    return (((size_t)it * ref->layers + l) * ref->heads + h) * ref->rows + row;
}

static void ref_head_step(void *ctx, int it, int l, int h, int row, const sp_head_result *r)
{
    sp_sweep_ref *ref = ctx;
    size_t i = rec_index(ref, it, l, h, row);
    int16_t *o = ref->out + i * ref->d;
    int64_t n2 = 0;
    for (int j = 0; j < ref->d; j++) {
        o[j] = r->out[j];
        n2 += (int64_t)r->out[j] * r->out[j];
    }
    ref->norm2[i] = n2;
    ref->argmax[i] = argmax_token(r);
}

void sp_sweep_ref_free(sp_sweep_ref *ref)
{
    free(ref->out);
    free(ref->norm2);
    free(ref->argmax);
    memset(ref, 0, sizeof *ref);
}

int sp_sweep_ref_build(const sp_config *base, const sp_trace *tr, sp_sweep_ref *ref, char *err,
                       size_t errlen)
{
    memset(ref, 0, sizeof *ref);
    ref->iters = tr->iters;
    ref->layers = tr->layers;
    ref->heads = tr->heads;
    ref->rows = tr->rows;
    ref->d = tr->d;
    ref->n = (size_t)tr->iters * tr->layers * tr->heads * tr->rows;
    ref->out = malloc(ref->n * (size_t)tr->d * sizeof *ref->out);
    ref->norm2 = malloc(ref->n * sizeof *ref->norm2);
    ref->argmax = malloc(ref->n * sizeof *ref->argmax);
    if (!ref->out || !ref->norm2 || !ref->argmax) {
        snprintf(err, errlen, "out of memory for the sweep reference of trace %s", tr->id);
        sp_sweep_ref_free(ref);
        return -1;
    }
    /* -1 marks a record the run did not visit (it must visit all) */
    for (size_t i = 0; i < ref->n; i++)
        ref->norm2[i] = -1;
    sp_config rc;
    sp_sweep_reference_config(base, &rc);
    sp_observer obs = {ref, ref_head_step, NULL, NULL};
    sp_run_result res;
    char msg[512];
    if (sp_run_model(&rc, tr, &obs, &res, msg, sizeof msg)) {
        snprintf(err, errlen, "sweep reference run: %s", msg);
        sp_sweep_ref_free(ref);
        return -1;
    }
    ref->ev = res.total;
    sp_run_result_free(&res);
    for (size_t i = 0; i < ref->n; i++) {
        if (ref->norm2[i] < 0) {
            snprintf(err, errlen, "sweep reference run skipped head-step %zu of trace %s", i, tr->id);
            sp_sweep_ref_free(ref);
            return -1;
        }
        ref->nonzero += ref->norm2[i] > 0;
    }
    return 0;
}

/* per-point accumulation through the observer */
typedef struct {
    const sp_sweep_ref *ref;
    double err_sum, err_max;
    uint64_t visited, visited_nonzero, argmax_same;
} acc_ctx;

static void point_head_step(void *ctx, int it, int l, int h, int row, const sp_head_result *r)
{
    acc_ctx *c = ctx;
    const sp_sweep_ref *ref = c->ref;
    size_t i = rec_index(ref, it, l, h, row);
    const int16_t *o = ref->out + i * ref->d;
    int64_t dd = 0;
    for (int j = 0; j < ref->d; j++) {
        int64_t x = (int64_t)r->out[j] - o[j];
        dd += x * x;
    }
    double e;
    if (ref->norm2[i] > 0) {
        e = sqrt((double)dd) / sqrt((double)ref->norm2[i]);
        c->visited_nonzero++;
    } else {
        e = dd > 0 ? 1.0 : 0.0;
    }
    c->err_sum += e;
    if (e > c->err_max)
        c->err_max = e;
    c->visited++;
    c->argmax_same += argmax_token(r) == ref->argmax[i];
}

int sp_sweep_run_point(const sp_config *cfg, const sp_trace *tr, const sp_sweep_ref *ref,
                       sp_sweep_point *pt, char *err, size_t errlen)
{
    acc_ctx ac;
    memset(&ac, 0, sizeof ac);
    ac.ref = ref;
    sp_observer obs = {&ac, point_head_step, NULL, NULL};
    sp_run_result res;
    if (sp_run_model(cfg, tr, &obs, &res, err, errlen))
        return -1;
    sp_tm_steps st;
    sp_tm_result tm;
    sp_energy_report en;
    if (sp_tm_steps_from_run(cfg, tr, &res, &st, err, errlen)) {
        sp_run_result_free(&res);
        return -1;
    }
    int rc = sp_timing_run(cfg, &st, &tm, err, errlen);
    if (rc == 0)
        sp_energy_compute(cfg, &st, &tm, &en);
    sp_tm_steps_free(&st);
    pt->ev = res.total;
    pt->out_checksum = res.out_checksum;
    sp_run_result_free(&res);
    if (rc)
        return -1;
    pt->cycles = tm.total_cycles;
    pt->seconds = tm.seconds;
    for (int k = 0; k < SP_E_N; k++)
        pt->energy_pj[k] = en.pj[k];
    pt->energy_total_pj = en.total_pj;
    uint64_t bits = 0;
    pt->dram_bytes = 0;
    for (int k = 0; k < SP_DK_N; k++) {
        pt->dram_bytes += tm.dram.burst_bytes[k];
        bits += tm.data_bits[k];
    }
    pt->dram_data_bytes = (bits + 7) / 8;
    /* a reference head-step the point never computed has output 0: error
     * 1 when the reference output is non-zero, 0 when it is zero too */
    pt->ref_steps = ref->n;
    pt->steps_run = ac.visited;
    uint64_t missed_nonzero = ref->nonzero - ac.visited_nonzero;
    double sum = ac.err_sum + (double)missed_nonzero;
    pt->rel_err_mean = ref->n ? sum / (double)ref->n : 0.0;
    pt->rel_err_max = ac.err_max;
    pt->rel_err_computed_mean = ac.visited ? ac.err_sum / (double)ac.visited : 0.0;
    if (missed_nonzero > 0)
        pt->rel_err_max = 1.0 > ac.err_max ? 1.0 : ac.err_max;
    pt->argmax_match = ref->n ? (double)ac.argmax_same / (double)ref->n : 1.0;
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
    sp_sweep_ref_free(&res->ref);
    memset(res, 0, sizeof *res);
}

/* workers take the next point index under a lock; each writes only its
 * own point's slot, so the result does not depend on scheduling */
typedef struct {
    const sp_config *base;
    const sp_trace *tr;
    const sp_sweep_ref *ref;
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
        sp_sweep_run_point(&c, P->tr, P->ref, pt, msg, sizeof msg)) {
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

int sp_sweep_run(const sp_config *base, const sp_trace *tr, int jobs, sp_sweep_result *res, char *err,
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
    if (sp_sweep_ref_build(base, tr, &res->ref, err, errlen))
        return -1;
    pool P;
    memset(&P, 0, sizeof P);
    P.base = base;
    P.tr = tr;
    P.ref = &res->ref;
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
    sp_sweep_pareto(y, z, n, f);
    for (size_t p = 0; p < n; p++)
        P.pts[p].pareto_energy_err = f[p];
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
    sp_sweep_ref_free(&res->ref);
    return -1;
}
