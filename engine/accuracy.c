/* accuracy.c - the accuracy reference of the engine (engine.h): one
 * unpruned, full-width run of a trace, and the per-head-step comparison of
 * another run's outputs with it. docs/sweep.md "Accuracy" defines every
 * figure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"
#include "engine_int.h"

void sp_engine_reference_config(const sp_config *cfg, sp_config *ref)
{
    *ref = *cfg;
    sp_alg_cfg *a = &ref->alg;
    a->token_keep = a->head_keep = a->value_keep = 1.0;
    a->token_keep_q16 = a->head_keep_q16 = a->value_keep_q16 = SP_RATIO_ONE;
    a->token_budget.n = 0; /* no fixed token budgets either */
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

static size_t rec_index(const sp_engine_ref *ref, int it, int l, int h, int row)
{
    return (((size_t)it * ref->layers + l) * ref->heads + h) * ref->rows + row;
}

/* The reference keeps per head-step only its output and its argmax token
 * (2 d + 2 bytes): the squared norm is recomputed from the output where it
 * is needed, so the reference adds no more than the q tensor's size plus 2
 * bytes a query row. Token indexes fit int16 (SP_MAX_TOKENS). */
_Static_assert(SP_MAX_TOKENS <= 32767, "argmax tokens are stored as int16");
#define REF_UNVISITED INT16_MIN

static int64_t norm2_of(const int16_t *o, int d)
{
    int64_t n2 = 0;
    for (int j = 0; j < d; j++)
        n2 += (int64_t)o[j] * o[j];
    return n2;
}

static void ref_head_step(void *ctx, int it, int l, int h, int row, const sp_head_result *r)
{
    sp_engine_ref *ref = ctx;
    size_t i = rec_index(ref, it, l, h, row);
    memcpy(ref->out + i * ref->d, r->out, (size_t)ref->d * sizeof *ref->out);
    ref->argmax[i] = (int16_t)argmax_token(r);
}

void sp_engine_ref_free(sp_engine_ref *ref)
{
    free(ref->out);
    free(ref->argmax);
    memset(ref, 0, sizeof *ref);
}

int sp_engine_ref_build(const sp_config *cfg, const sp_trace *tr, sp_engine_ref *ref, char *err, size_t errlen)
{
    memset(ref, 0, sizeof *ref);
    ref->iters = tr->iters;
    ref->layers = tr->layers;
    ref->heads = tr->heads;
    ref->rows = tr->rows;
    ref->d = tr->d;
    ref->n = (size_t)tr->iters * tr->layers * tr->heads * tr->rows;
    ref->out = malloc(ref->n * (size_t)tr->d * sizeof *ref->out);
    ref->argmax = malloc(ref->n * sizeof *ref->argmax);
    if (!ref->out || !ref->argmax) {
        snprintf(err, errlen, "out of memory for the accuracy reference of trace %s", tr->id);
        sp_engine_ref_free(ref);
        return -1;
    }
    /* marks a record the run did not visit (it must visit all) */
    for (size_t i = 0; i < ref->n; i++)
        ref->argmax[i] = REF_UNVISITED;
    sp_config rc;
    sp_engine_reference_config(cfg, &rc);
    sp_observer obs = {ref, ref_head_step, NULL, NULL};
    sp_run_result res;
    char msg[512];
    if (sp_run_model(&rc, tr, &obs, &res, msg, sizeof msg)) {
        snprintf(err, errlen, "accuracy reference run: %s", msg);
        sp_engine_ref_free(ref);
        return -1;
    }
    ref->ev = res.total;
    sp_run_result_free(&res);
    for (size_t i = 0; i < ref->n; i++) {
        if (ref->argmax[i] == REF_UNVISITED) {
            snprintf(err, errlen, "accuracy reference run skipped head-step %zu of trace %s", i, tr->id);
            sp_engine_ref_free(ref);
            return -1;
        }
        ref->nonzero += norm2_of(ref->out + i * ref->d, ref->d) > 0;
    }
    return 0;
}

void sp_engine_acc_step(sp_engine_acc *c, int it, int l, int h, int row, const sp_head_result *r)
{
    const sp_engine_ref *ref = c->ref;
    size_t i = rec_index(ref, it, l, h, row);
    const int16_t *o = ref->out + i * ref->d;
    int64_t dd = 0, n2 = 0;
    for (int j = 0; j < ref->d; j++) {
        int64_t x = (int64_t)r->out[j] - o[j];
        dd += x * x;
        n2 += (int64_t)o[j] * o[j];
    }
    double e;
    if (n2 > 0) {
        e = sqrt((double)dd) / sqrt((double)n2);
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

void sp_engine_acc_finish(const sp_engine_acc *c, sp_engine_accuracy *a)
{
    const sp_engine_ref *ref = c->ref;
    /* a reference head-step the run never computed has output 0: error 1
     * when the reference output is non-zero, 0 when it is zero too */
    a->ref_steps = ref->n;
    a->steps_run = c->visited;
    uint64_t missed_nonzero = ref->nonzero - c->visited_nonzero;
    double sum = c->err_sum + (double)missed_nonzero;
    a->rel_err_mean = ref->n ? sum / (double)ref->n : 0.0;
    a->rel_err_max = c->err_max;
    a->rel_err_computed_mean = c->visited ? c->err_sum / (double)c->visited : 0.0;
    if (missed_nonzero > 0)
        a->rel_err_max = 1.0 > c->err_max ? 1.0 : c->err_max;
    a->argmax_match = ref->n ? (double)c->argmax_same / (double)ref->n : 1.0;
}
