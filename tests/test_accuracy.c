/* test_accuracy.c - the quantized datapath against the double-precision
 * reference (ref_head: float softmax on the full-width integers and float
 * scales, no value pruning), per head-step, on synthetic traces of several
 * peak values. The model runs with value_keep = 1.0 (nothing pruned
 * locally) so both sides sum over the same tokens; token and head pruning
 * stay on and the reference uses the model's active set of each step.
 * Steps are split by path: MSB-only (requant 0; the run with tau = 0) and
 * full width (requant 1; the run with tau = 1.0). The bounds asserted here
 * are the ones documented in docs/spec.md section 12; they were set from
 * the figures this test prints with SP_ACC_REPORT=1, plus a margin. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ref.h"

typedef struct {
    const sp_trace *tr;
    double *p, *out;
    /* [path]: 0 MSB-only, 1 full width */
    uint64_t steps[2];
    double max_dp[2], max_rel[2], sum_rel[2], max_abs_out[2];
} acc_ctx;

static void on_step(void *ctx, int it, int layer, int head, int row, const sp_head_result *r)
{
    acc_ctx *c = ctx;
    const sp_trace *tr = c->tr;
    const int16_t *q = sp_trace_q(tr, it, layer, head) + (size_t)row * tr->d;
    ref_head(tr, layer, head, q, r->tokens, r->n_active, c->p, c->out);
    int path = r->requant ? 1 : 0;
    double dp = 0, e2 = 0, r2 = 0, ea = 0;
    for (int i = 0; i < r->n_active; i++) {
        double x = fabs(r->prob[i] / 32768.0 - c->p[i]);
        if (x > dp)
            dp = x;
    }
    for (int j = 0; j < tr->d; j++) {
        double e = r->out[j] - c->out[j];
        e2 += e * e;
        r2 += c->out[j] * c->out[j];
        if (fabs(e) > ea)
            ea = fabs(e);
    }
    double rel = sqrt(e2) / sqrt(r2);
    c->steps[path]++;
    if (dp > c->max_dp[path])
        c->max_dp[path] = dp;
    if (rel > c->max_rel[path])
        c->max_rel[path] = rel;
    c->sum_rel[path] += rel;
    if (ea > c->max_abs_out[path])
        c->max_abs_out[path] = ea;
}

typedef struct {
    const char *trace;
    double peak;
    /* asserted bounds (docs/spec.md s12): [path] */
    double dp[2], rel[2];
} acc_case;

#define DEC "synth:layers=6,heads=8,d=64,len=256,iters=4,seed=21"
#define ENC "synth:mode=encoder,layers=2,heads=4,d=32,len=64,seed=22"
/* bounds: measured maximum x about 1.2, rounded up (docs/spec.md s12) */
static const acc_case cases[] = {
    {DEC ",peak=0.25", 0.25, {1.3e-4, 4.5e-5}, {3.5e-2, 1.6e-2}},
    {DEC ",peak=1", 1, {3.8e-3, 1.4e-3}, {3.0e-2, 1.3e-2}},
    {DEC ",peak=4", 4, {2.2e-2, 2.9e-3}, {5.3e-2, 4.0e-3}},
    {DEC ",peak=16", 16, {8.0e-2, 7.5e-4}, {1.6e-1, 2.3e-3}},
    {"synth:layers=2,heads=4,d=64,len=4000,iters=2,seed=23,peak=0.1", 0.1, {2.0e-5, 2.0e-5}, {1.05e-1, 6.6e-2}},
    {ENC ",peak=1", 1, {1.0e-2, 1.2e-3}, {3.3e-2, 9.0e-3}},
    {ENC ",peak=4", 4, {4.1e-2, 1.0e-3}, {1.15e-1, 3.3e-3}},
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

static void run_case(const acc_case *k, double tau, acc_ctx *c)
{
    sp_config cfg;
    sp_config_default(&cfg);
    ref_set_ratio(&cfg.alg.value_keep_q16, &cfg.alg.value_keep, 1.0);
    ref_set_tau(&cfg.alg, tau);
    sp_trace tr;
    ref_synth(k->trace, &cfg.alg, &tr);
    memset(c, 0, sizeof *c);
    c->tr = &tr;
    c->p = malloc(sizeof *c->p * (size_t)tr.ntok);
    c->out = malloc(sizeof *c->out * (size_t)tr.d);
    ck_assert_ptr_nonnull(c->p);
    ck_assert_ptr_nonnull(c->out);
    sp_observer obs = {c, on_step, NULL, NULL};
    sp_run_result res;
    char err[256] = "";
    ck_assert_msg(sp_run_model(&cfg, &tr, &obs, &res, err, sizeof err) == 0, "%s", err);
    sp_run_result_free(&res);
    free(c->p);
    free(c->out);
    c->p = c->out = NULL;
    c->tr = NULL;
    sp_trace_free(&tr);
    if (getenv("SP_ACC_REPORT")) {
        for (int path = 0; path < 2; path++)
            if (c->steps[path])
                printf("accuracy %-60s tau=%.0f %-5s steps %5llu  max|dp| %.3e  max relL2 %.3e  mean relL2 %.3e  max|dout| %.2f\n",
                       k->trace, tau, path ? "full" : "msb", (unsigned long long)c->steps[path], c->max_dp[path],
                       c->max_rel[path], c->sum_rel[path] / (double)c->steps[path], c->max_abs_out[path]);
    }
}

START_TEST(msb_path)
{
    const acc_case *k = &cases[_i];
    acc_ctx c;
    run_case(k, 0.0, &c);
    ck_assert_uint_eq(c.steps[1], 0);
    ck_assert_uint_gt(c.steps[0], 0);
    ck_assert_msg(c.max_dp[0] <= k->dp[0], "%s tau=0: max |p - p_ref| = %g > %g", k->trace, c.max_dp[0], k->dp[0]);
    ck_assert_msg(c.max_rel[0] <= k->rel[0], "%s tau=0: max rel L2 = %g > %g", k->trace, c.max_rel[0], k->rel[0]);
}
END_TEST

START_TEST(full_path)
{
    const acc_case *k = &cases[_i];
    acc_ctx c;
    run_case(k, 1.0, &c);
    ck_assert_uint_gt(c.steps[1], 0);
    ck_assert_msg(c.max_dp[1] <= k->dp[1], "%s tau=1: max |p - p_ref| = %g > %g", k->trace, c.max_dp[1], k->dp[1]);
    ck_assert_msg(c.max_rel[1] <= k->rel[1], "%s tau=1: max rel L2 = %g > %g", k->trace, c.max_rel[1], k->rel[1]);
    /* steps left on the MSB path under tau = 1 have pmax = 1.0 exactly */
    if (c.steps[0]) {
        ck_assert_msg(c.max_dp[0] <= k->dp[0], "%s tau=1 msb steps: max |dp| = %g", k->trace, c.max_dp[0]);
        ck_assert_msg(c.max_rel[0] <= k->rel[0], "%s tau=1 msb steps: rel L2 = %g", k->trace, c.max_rel[0]);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("accuracy");
    TCase *tc = tcase_create("accuracy");
    tcase_set_timeout(tc, 240);
    tcase_add_loop_test(tc, msb_path, 0, NCASES);
    tcase_add_loop_test(tc, full_path, 0, NCASES);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
