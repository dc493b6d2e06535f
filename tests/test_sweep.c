/* test_sweep.c - sweeps (engine/sweep.c, reports/sweep_report.c,
 * cli/cmd_sweep.c): point order and count, per-point configs, the
 * reference run and the accuracy metric (recomputed here from observer
 * streams), pruning monotonicity, Pareto flags, deterministic sweep.csv
 * across runs and -j, and the command's bad-input handling (via $SPATTN;
 * skipped with a printed reason when unset). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cJSON.h>
#include "dram.h"
#include "sweep.h"
#include "sweep_report.h"
#include "traces.h"
#include "cliutil.h"

#define TR_DECODE "synth:layers=3,heads=4,d=16,len=48,iters=3,seed=5"
#define TR_ENCODER "synth:mode=encoder,layers=2,heads=3,d=16,len=24,seed=9"

static const char *bin;
static char tmpdir[256];

static void open_trace(const char *spec, const sp_config *cfg, sp_trace *tr)
{
    char err[512];
    memset(tr, 0, sizeof *tr);
    ck_assert_msg(sp_trace_open(spec, &cfg->alg, tr, err, sizeof err) == 0, "%s", err);
}

static void add_axis(sp_config *c, const char *key, int n, const double *v)
{
    sp_sweep_axis *a = &c->sweep.axes[c->sweep.n_axes++];
    snprintf(a->key, sizeof a->key, "%s", key);
    a->n_values = n;
    for (int i = 0; i < n; i++)
        a->values[i] = v[i];
}

/* the engine's input naming an open tensor trace (borrowed: not freed) */
static const sp_engine_input *as_input(const sp_trace *tr)
{
    static sp_engine_input in;
    memset(&in, 0, sizeof in);
    in.trace = *tr;
    return &in;
}

static void run_sweep(const sp_config *c, const sp_trace *tr, int jobs, sp_sweep_result *r)
{
    char err[1024];
    ck_assert_msg(sp_sweep_run(c, as_input(tr), jobs, r, err, sizeof err) == 0, "%s", err);
}

START_TEST(order_and_count)
{
    sp_config c;
    sp_config_default(&c);
    ck_assert_uint_eq(sp_sweep_npoints(&c.sweep), 0);
    const double tk[] = {0.5, 1.0}, vk[] = {0.25, 0.5, 1.0};
    add_axis(&c, "algorithm.token_keep", 2, tk);
    add_axis(&c, "algorithm.value_keep", 3, vk);
    ck_assert_uint_eq(sp_sweep_npoints(&c.sweep), 6);
    /* axis 0 outermost, last axis fastest */
    const int want[6][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}};
    char err[512];
    for (size_t p = 0; p < 6; p++) {
        int idx[SP_SWEEP_MAX_AXES];
        sp_sweep_index(&c.sweep, p, idx);
        ck_assert_int_eq(idx[0], want[p][0]);
        ck_assert_int_eq(idx[1], want[p][1]);
        sp_config pc;
        ck_assert_msg(sp_sweep_point_config(&c, p, &pc, err, sizeof err) == 0, "%s", err);
        double a, b;
        ck_assert_int_eq(sp_config_get_key(&pc, "algorithm.token_keep", &a), 0);
        ck_assert_int_eq(sp_config_get_key(&pc, "algorithm.value_keep", &b), 0);
        ck_assert(a == tk[want[p][0]] && b == vk[want[p][1]]);
        ck_assert_uint_eq(pc.alg.token_keep_q16, sp_ratio_q16(a));
        ck_assert_uint_eq(pc.alg.value_keep_q16, sp_ratio_q16(b));
    }
    /* three axes: 2 x 3 x 2 = 12, point 7 = (1, 0, 1) */
    const double ch[] = {4, 16};
    add_axis(&c, "hardware.dram.channels", 2, ch);
    ck_assert_uint_eq(sp_sweep_npoints(&c.sweep), 12);
    int idx[SP_SWEEP_MAX_AXES];
    sp_sweep_index(&c.sweep, 7, idx);
    ck_assert(idx[0] == 1 && idx[1] == 0 && idx[2] == 1);
    /* the run keeps that order and records the values */
    sp_trace tr;
    open_trace(TR_DECODE, &c, &tr);
    sp_sweep_result r;
    run_sweep(&c, &tr, 1, &r);
    ck_assert_uint_eq(r.n, 12);
    for (size_t p = 0; p < r.n; p++) {
        sp_sweep_index(&c.sweep, p, idx);
        ck_assert_uint_eq(r.pts[p].index, p);
        for (int a = 0; a < 3; a++)
            ck_assert(r.pts[p].values[a] == c.sweep.axes[a].values[idx[a]]);
    }
    sp_sweep_result_free(&r);
    sp_trace_free(&tr);
}
END_TEST

START_TEST(bad_points)
{
    sp_config c;
    sp_config_default(&c);
    char err[512];
    sp_trace tr;
    open_trace(TR_DECODE, &c, &tr);
    sp_sweep_result r;
    /* no axes */
    ck_assert_int_eq(sp_sweep_run(&c, as_input(&tr), 1, &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "no sweep section"));
    /* unknown key */
    const double v[] = {0.5, 1.0};
    add_axis(&c, "algorithm.token_kep", 2, v);
    ck_assert_int_eq(sp_sweep_check(&c, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "unknown config key 'algorithm.token_kep'"));
    ck_assert_ptr_nonnull(strstr(err, "sweep point 0 (algorithm.token_kep=0.5)"));
    /* each value in range, the combination is not: k_msb + k_lsb > 16 */
    sp_config_default(&c);
    const double km[] = {8, 12}, kl[] = {4, 8};
    add_axis(&c, "algorithm.k_msb", 2, km);
    add_axis(&c, "algorithm.k_lsb", 2, kl);
    ck_assert_int_eq(sp_sweep_check(&c, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "sweep point 3 (algorithm.k_msb=12, algorithm.k_lsb=8): algorithm.k_msb + k_lsb must be <= 16")
                      != NULL, "%s", err);
    ck_assert_int_eq(sp_sweep_run(&c, as_input(&tr), 1, &r, err, sizeof err), -1);
    /* an integer key given a fraction */
    sp_config_default(&c);
    const double fr[] = {2.5};
    add_axis(&c, "hardware.dram.channels", 1, fr);
    ck_assert_int_eq(sp_sweep_check(&c, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "expected an integer"));
    /* too many points: 64^3 */
    sp_config_default(&c);
    for (int a = 0; a < 3; a++) {
        double many[64];
        for (int i = 0; i < 64; i++)
            many[i] = 0.1 + i * 0.01;
        add_axis(&c, a == 0 ? "algorithm.token_keep" : a == 1 ? "algorithm.head_keep" : "algorithm.value_keep", 64,
                 many);
    }
    ck_assert_int_eq(sp_sweep_check(&c, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "sweep has 262144 points, more than 100000"));
    /* jobs out of range */
    sp_config_default(&c);
    add_axis(&c, "algorithm.token_keep", 2, v);
    ck_assert_int_eq(sp_sweep_run(&c, as_input(&tr), 0, &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "jobs"));
    sp_trace_free(&tr);
}
END_TEST

/* observer that keeps every head output by (it, layer, head, row) */
typedef struct {
    int L, H, R, d;
    int16_t *out;
    unsigned char *seen;
} capture;

static void cap_step(void *ctx, int it, int l, int h, int row, const sp_head_result *r)
{
    capture *c = ctx;
    size_t i = (((size_t)it * c->L + l) * c->H + h) * c->R + row;
    memcpy(c->out + i * c->d, r->out, (size_t)c->d * sizeof(int16_t));
    c->seen[i] = 1;
}

static void capture_run(const sp_config *cfg, const sp_trace *tr, capture *c)
{
    size_t n = (size_t)tr->iters * tr->layers * tr->heads * tr->rows;
    c->L = tr->layers, c->H = tr->heads, c->R = tr->rows, c->d = tr->d;
    c->out = calloc(n * tr->d, sizeof *c->out);
    c->seen = calloc(n, 1);
    ck_assert(c->out && c->seen);
    sp_observer obs = {c, cap_step, NULL, NULL};
    sp_run_result res;
    char err[512];
    ck_assert_msg(sp_run_model(cfg, tr, &obs, &res, err, sizeof err) == 0, "%s", err);
    sp_run_result_free(&res);
}

/* the metric of docs/sweep.md written out directly in double; with
 * computed_only, the mean over the head-steps the point computed */
static double mean_rel_err(const capture *ref, const capture *pt, size_t n, int computed_only)
{
    double s = 0;
    size_t cnt = 0;
    for (size_t i = 0; i < n; i++) {
        if (computed_only && !pt->seen[i])
            continue;
        cnt++;
        double dd = 0, rr = 0;
        for (int j = 0; j < ref->d; j++) {
            double o = pt->seen[i] ? pt->out[i * ref->d + j] : 0.0, r = ref->out[i * ref->d + j];
            dd += (o - r) * (o - r);
            rr += r * r;
        }
        s += rr > 0 ? sqrt(dd / rr) : (dd > 0 ? 1.0 : 0.0);
    }
    return cnt ? s / (double)cnt : 0.0;
}

static void check_reference_and_metric(const char *spec)
{
    sp_config c;
    sp_config_default(&c);
    c.alg.head_start_layer = 0;
    c.alg.token_start_layer = 0;
    sp_trace tr;
    open_trace(spec, &c, &tr);
    /* tau x token_keep x head_keep, value_keep 1 */
    const double tau[] = {0.1, 1.0}, tk[] = {0.5, 1.0}, hk[] = {0.5, 1.0};
    add_axis(&c, "algorithm.tau", 2, tau);
    add_axis(&c, "algorithm.token_keep", 2, tk);
    add_axis(&c, "algorithm.head_keep", 2, hk);
    c.alg.value_keep = 1.0;
    c.alg.value_keep_q16 = SP_RATIO_ONE;
    sp_sweep_result r;
    run_sweep(&c, &tr, 1, &r);
    ck_assert_uint_eq(r.n, 8);
    size_t n = r.ref.n;
    ck_assert_uint_eq(n, (size_t)tr.iters * tr.layers * tr.heads * tr.rows);
    ck_assert_uint_eq(r.ref.ev.requants, 0); /* no LSB planes left to refetch */
    ck_assert_uint_gt(r.ref.nonzero, n / 2);
    /* the last point is (tau 1, keep 1, keep 1): every head-step refetches
     * the LSB planes, so it must equal the full-width reference exactly */
    const sp_sweep_point *full = &r.pts[7];
    ck_assert_uint_eq(full->ev.requants, full->ev.head_steps);
    ck_assert_uint_eq(full->steps_run, n);
    ck_assert(full->rel_err_mean == 0.0 && full->rel_err_max == 0.0);
    ck_assert(full->argmax_match == 1.0);
    /* tau 0.1 at keep 1: MSB-only head-steps, small but non-zero error */
    ck_assert(r.pts[3].rel_err_mean > 0.0);
    ck_assert(r.pts[3].rel_err_mean < 0.2);
    /* every point against the metric recomputed from two observer streams */
    capture ref;
    sp_config rc;
    sp_engine_reference_config(&c, &rc);
    capture_run(&rc, &tr, &ref);
    for (size_t i = 0; i < n; i++)
        ck_assert(ref.seen[i]);
    for (size_t i = 0; i < n; i++)
        ck_assert(!memcmp(ref.out + i * tr.d, r.ref.out + i * tr.d, (size_t)tr.d * sizeof(int16_t)));
    int pruned_some = 0;
    for (size_t p = 0; p < r.n; p++) {
        sp_config pc;
        char err[512];
        ck_assert_msg(sp_sweep_point_config(&c, p, &pc, err, sizeof err) == 0, "%s", err);
        capture pt;
        capture_run(&pc, &tr, &pt);
        size_t seen = 0;
        for (size_t i = 0; i < n; i++)
            seen += pt.seen[i];
        ck_assert_uint_eq(r.pts[p].steps_run, seen);
        double want = mean_rel_err(&ref, &pt, n, 0), want_c = mean_rel_err(&ref, &pt, n, 1);
        ck_assert_msg(fabs(r.pts[p].rel_err_mean - want) <= 1e-12 * (1 + want), "point %zu: %.17g vs %.17g", p,
                      r.pts[p].rel_err_mean, want);
        ck_assert_msg(fabs(r.pts[p].rel_err_computed_mean - want_c) <= 1e-12 * (1 + want_c),
                      "point %zu: computed-only %.17g vs %.17g", p, r.pts[p].rel_err_computed_mean, want_c);
        if (seen < n) {
            pruned_some = 1;
            ck_assert(r.pts[p].rel_err_max >= 1.0); /* a head-step pruned away counts as error 1 */
            ck_assert(r.pts[p].rel_err_mean >= (double)(n - seen) / n * 0.5);
        }
        free(pt.out);
        free(pt.seen);
    }
    ck_assert_msg(pruned_some, "no point pruned a head-step: the sweep does not test missing steps");
    free(ref.out);
    free(ref.seen);
    sp_sweep_result_free(&r);
    sp_trace_free(&tr);
}

START_TEST(reference_and_metric_decode)
{
    check_reference_and_metric(TR_DECODE);
}
END_TEST

START_TEST(reference_and_metric_encoder)
{
    check_reference_and_metric(TR_ENCODER);
}
END_TEST

START_TEST(stronger_pruning_fetches_less)
{
    sp_config c;
    sp_config_default(&c);
    c.alg.token_start_layer = 0;
    sp_trace tr;
    open_trace(TR_DECODE, &c, &tr);
    const double tk[] = {0.25, 0.5, 0.75, 1.0}, vk[] = {0.1, 0.5, 1.0};
    add_axis(&c, "algorithm.token_keep", 4, tk);
    add_axis(&c, "algorithm.value_keep", 3, vk);
    sp_sweep_result r;
    run_sweep(&c, &tr, 1, &r);
    for (int t = 0; t < 4; t++)
        for (int v = 0; v < 3; v++) {
            const sp_sweep_point *p = &r.pts[t * 3 + v];
            if (t > 0) {
                const sp_sweep_point *q = &r.pts[(t - 1) * 3 + v];
                ck_assert_msg(q->ev.keys_msb < p->ev.keys_msb, "token_keep %g fetched %llu keys, %g fetched %llu",
                              tk[t - 1], (unsigned long long)q->ev.keys_msb, tk[t], (unsigned long long)p->ev.keys_msb);
                ck_assert_uint_gt(q->ev.tokens_pruned, p->ev.tokens_pruned);
            }
            if (v > 0) {
                const sp_sweep_point *q = &r.pts[t * 3 + v - 1];
                ck_assert_uint_lt(q->ev.values_fetched, p->ev.values_fetched);
                ck_assert_uint_eq(q->ev.keys_msb, p->ev.keys_msb); /* value pruning is local */
                ck_assert(q->energy_pj[SP_E_DRAM] < p->energy_pj[SP_E_DRAM]);
            }
            ck_assert_uint_gt(p->cycles, 0);
            ck_assert(p->energy_total_pj > 0);
            ck_assert_uint_gt(p->dram_bytes, 0);
        }
    /* the flags the run set are the dominance relation over its points */
    for (size_t i = 0; i < r.n; i++) {
        int dom_ce = 0, dom_ee = 0;
        for (size_t j = 0; j < r.n; j++) {
            const sp_sweep_point *a = &r.pts[j], *b = &r.pts[i];
            if (a->cycles <= b->cycles && a->energy_total_pj <= b->energy_total_pj &&
                (a->cycles < b->cycles || a->energy_total_pj < b->energy_total_pj))
                dom_ce = 1;
            if (a->energy_total_pj <= b->energy_total_pj && a->rel_err_mean <= b->rel_err_mean &&
                (a->energy_total_pj < b->energy_total_pj || a->rel_err_mean < b->rel_err_mean))
                dom_ee = 1;
        }
        ck_assert_int_eq(r.pts[i].pareto_cycles_energy, !dom_ce);
        ck_assert_int_eq(r.pts[i].pareto_energy_err, !dom_ee);
    }
    /* the most pruned point is less accurate than the least pruned */
    ck_assert(r.pts[0].rel_err_mean > r.pts[11].rel_err_mean);
    ck_assert_uint_eq(r.pts[11].ev.tokens_pruned, 0);
    sp_sweep_result_free(&r);
    sp_trace_free(&tr);
}
END_TEST

START_TEST(pareto_flags)
{
    const double x[] = {1, 2, 3, 2, 1, 4}, y[] = {5, 3, 1, 4, 5, 1};
    int f[6];
    sp_sweep_pareto(x, y, 6, f);
    /* (1,5) twice: neither dominates the other; (2,4) is dominated by (2,3);
     * (4,1) by (3,1) */
    const int want[] = {1, 1, 1, 0, 1, 0};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(f[i], want[i]);
}
END_TEST

START_TEST(deterministic_csv_and_jobs)
{
    sp_config c;
    sp_config_default(&c);
    sp_trace tr;
    open_trace(TR_DECODE, &c, &tr);
    const double tk[] = {0.5, 0.8, 1.0}, tau[] = {0, 0.3}, ch[] = {2, 8};
    add_axis(&c, "algorithm.token_keep", 3, tk);
    add_axis(&c, "algorithm.tau", 2, tau);
    add_axis(&c, "hardware.dram.channels", 2, ch);
    char *text[3];
    const int jobs[3] = {1, 1, 3};
    for (int k = 0; k < 3; k++) {
        sp_sweep_result r;
        run_sweep(&c, &tr, jobs[k], &r);
        sp_sweep_report_in in = {.cfg = &c, .config_path = "test", .trace_spec = TR_DECODE, .input = as_input(&tr), .res = &r};
        text[k] = sp_sweep_csv_text(&in);
        ck_assert_ptr_nonnull(text[k]);
        char *js = sp_sweep_json_text(&in);
        ck_assert_ptr_nonnull(js);
        ck_assert_ptr_nonnull(strstr(js, "\"trace_id\""));
        free(js);
        sp_sweep_result_free(&r);
    }
    ck_assert_str_eq(text[0], text[1]);
    ck_assert_str_eq(text[0], text[2]);
    /* header + 12 rows; the header names the units */
    int lines = 0;
    for (const char *s = text[0]; *s; s++)
        lines += *s == '\n';
    ck_assert_int_eq(lines, 13);
    const char *head = "point,algorithm.token_keep,algorithm.tau,hardware.dram.channels,cycles,time_us,";
    ck_assert(!strncmp(text[0], head, strlen(head)));
    ck_assert_ptr_nonnull(strstr(text[0], ",energy_total_pJ,dram_bytes,"));
    for (int k = 0; k < 3; k++)
        free(text[k]);
    sp_trace_free(&tr);
}
END_TEST

/* ---- the command ---------------------------------------------------- */

static int run_cmd(const char *args, char *errbuf, size_t errlen)
{
    return cu_run(bin, args, tmpdir, NULL, 0, errbuf, errlen);
}

static void write_cfg(const char *name, const char *sweep)
{
    char path[400], cwd[2048];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "include: %s/configs/paper.yaml\n%s", cwd, sweep);
    fclose(f);
}

static void expect_bad(const char *args_fmt, const char *want)
{
    char args[2048], out[300];
    snprintf(out, sizeof out, "%s/out_bad", tmpdir);
    snprintf(args, sizeof args, args_fmt, tmpdir, out);
    cu_expect_bad(bin, args, tmpdir, out, want);
}

START_TEST(cli_bad_input)
{
    if (!bin)
        return;
    write_cfg("unknown.yaml", "sweep:\n  axes:\n    - key: algorithm.token_kep\n      values: [0.5, 1.0]\n");
    write_cfg("range.yaml", "sweep:\n  axes:\n    - key: algorithm.token_keep\n      values: [0.5, 1.5]\n");
    write_cfg("combo.yaml", "sweep:\n  axes:\n    - key: algorithm.k_msb\n      values: [8, 12]\n"
                            "    - key: algorithm.k_lsb\n      values: [4, 8]\n");
    write_cfg("bits.yaml", "sweep:\n  axes:\n    - key: algorithm.k_lsb\n      values: [4, 2]\n");
    write_cfg("ok.yaml", "sweep:\n  axes:\n    - key: algorithm.token_keep\n      values: [0.5, 1.0]\n");
    /* the %s%.0s dance: every format takes (tmpdir, out) */
    expect_bad("sweep -c configs/paper.yaml -t " TR_DECODE " %.0s-o %s", "configs/paper.yaml: no sweep section");
    expect_bad("sweep -c %s/unknown.yaml -t " TR_DECODE " -o %s", "unknown.yaml:4: sweep axis key must name a numeric config key");
    expect_bad("sweep -c %s/range.yaml -t " TR_DECODE " -o %s", "range.yaml:5: sweep value 1.5: algorithm.token_keep must be in [0, 1], got 1.5");
    expect_bad("sweep -c %s/combo.yaml -t " TR_DECODE " -o %s",
               "combo.yaml:2: sweep point 3 (algorithm.k_msb=12, algorithm.k_lsb=8): algorithm.k_msb + k_lsb must be <= 16, got 20");
    expect_bad("sweep -c %s/bits.yaml -t " TR_DECODE " -o %s", "sweep point 1 (algorithm.k_lsb=2): trace");
    expect_bad("sweep -c %s/ok.yaml -t " TR_DECODE " -o %s -j 0", "-j must be an integer in 1..64, got '0'");
    expect_bad("sweep -c %s/ok.yaml -t " TR_DECODE " -o %s -j 2x", "-j must be an integer in 1..64, got '2x'");
    expect_bad("sweep -c %s/ok.yaml -t " TR_DECODE " -o %s --bogus", "sweep: unknown option '--bogus'");
    expect_bad("sweep -c %s/ok.yaml %.0s-o x", "sweep: missing -t TRACE");
    expect_bad("sweep -c %s/ok.yaml -t synth:layers=0 -o %s", "bad value '0' for 'layers'");
    expect_bad("sweep -c %s/nosuch.yaml -t " TR_DECODE " -o %s", "nosuch.yaml");
    expect_bad("sweep -c %s/ok.yaml -t " TR_DECODE " -o %s --shard 3/3", "--shard must be K/N with 0 <= K < N");
    expect_bad("sweep -c %s/ok.yaml -t " TR_DECODE " -o %s --shard 1/2x", "--shard must be K/N with 0 <= K < N");
    expect_bad("sweep -c %s/ok.yaml -t " TR_DECODE " -o %s --slurm 0", "--slurm must be a task count in 1..10000");
    expect_bad("sweep -c %s/ok.yaml -t " TR_DECODE " -o %s --shard 0/2 --collect",
               "--shard, --collect and --slurm exclude each other");
    expect_bad("sweep -c %s/ok.yaml -t " TR_DECODE " -t " TR_DECODE " -o %s", "sweep: trace '" TR_DECODE "' given twice");
    expect_bad("sweep -c %s/ok.yaml -t " TR_DECODE " -o %s --collect", "sweep --collect: 2 of 2 points are missing");
    /* an error leaves no work directory behind either */
    char wd[600];
    snprintf(wd, sizeof wd, "%s/out_bad.spattn-sweep-work", tmpdir);
    ck_assert_msg(access(wd, F_OK) != 0, "%s left behind", wd);
}
END_TEST

START_TEST(cli_deterministic_and_plots)
{
    if (!bin)
        return;
    write_cfg("two.yaml", "sweep:\n  axes:\n    - key: algorithm.token_keep\n      values: [0.5, 0.75, 1.0]\n"
                          "    - key: algorithm.value_keep\n      values: [0.2, 1.0]\n");
    char args[2048], err[4096], p[400], q[400];
    const char *extra[3] = {"--no-plots", "--no-plots -j 1", "-j 2"};
    char *csv[3];
    for (int k = 0; k < 3; k++) {
        snprintf(args, sizeof args, "sweep -c %s/two.yaml -t " TR_DECODE " -o %s/out%d %s", tmpdir, tmpdir, k, extra[k]);
        ck_assert_msg(run_cmd(args, err, sizeof err) == 0, "%s: %s", args, err);
        snprintf(p, sizeof p, "%s/out%d/sweep.csv", tmpdir, k);
        csv[k] = cu_slurp(p, NULL);
        ck_assert_ptr_nonnull(csv[k]);
        snprintf(p, sizeof p, "%s/out%d/sweep.json", tmpdir, k);
        ck_assert(cu_exists(p));
    }
    ck_assert_str_eq(csv[0], csv[1]);
    ck_assert_str_eq(csv[0], csv[2]);
    snprintf(p, sizeof p, "%s/out0/sweep.json", tmpdir);
    snprintf(q, sizeof q, "%s/out2/sweep.json", tmpdir);
    char *j0 = cu_slurp(p, NULL), *j2 = cu_slurp(q, NULL);
    ck_assert_ptr_nonnull(j0);
    ck_assert_ptr_nonnull(j2);
    ck_assert_str_eq(j0, j2);
    /* sweep.json: 6 points in order, each with its values and the metrics */
    cJSON *root = cJSON_Parse(j0);
    ck_assert_ptr_nonnull(root);
    cJSON *pts = cJSON_GetObjectItem(root, "points");
    ck_assert_int_eq(cJSON_GetArraySize(pts), 6);
    for (int i = 0; i < 6; i++) {
        cJSON *pt = cJSON_GetArrayItem(pts, i);
        ck_assert_int_eq(cJSON_GetObjectItem(pt, "point")->valueint, i);
        cJSON *v = cJSON_GetObjectItem(pt, "values");
        ck_assert(cJSON_GetObjectItem(v, "algorithm.token_keep")->valuedouble == (i / 2 == 0 ? 0.5 : i / 2 == 1 ? 0.75 : 1.0));
        ck_assert(cJSON_GetObjectItem(v, "algorithm.value_keep")->valuedouble == (i % 2 ? 1.0 : 0.2));
        ck_assert(cJSON_GetObjectItem(pt, "cycles")->valuedouble > 0);
        ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(pt, "accuracy"), "out_rel_err_mean"));
    }
    ck_assert_str_eq(cJSON_GetObjectItem(root, "trace")->valuestring, TR_DECODE);
    ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(root, "config_yaml")->valuestring, "sweep:"));
    cJSON_Delete(root);
    free(j0);
    free(j2);
    for (int k = 0; k < 3; k++)
        free(csv[k]);
    /* plots: drawn when gnuplot is on PATH */
    if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
        printf("test_sweep: gnuplot not on PATH; plot files not checked\n");
        return;
    }
    const char *plots[] = {"pareto_energy_cycles.png", "pareto_energy_cycles.svg", "pareto_accuracy_energy.png",
                           "pareto_accuracy_energy.svg"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/out2/%s", tmpdir, plots[i]);
        char *b = cu_slurp(p, NULL);
        ck_assert_msg(b != NULL, "%s missing", p);
        if (i % 2 == 0)
            ck_assert(!memcmp(b, "\x89PNG", 4));
        else
            ck_assert_ptr_nonnull(strstr(b, "<svg"));
        free(b);
        snprintf(p, sizeof p, "%s/out2/%s.part", tmpdir, plots[i]);
        ck_assert(!cu_exists(p));
    }
    snprintf(p, sizeof p, "%s/out2/gnuplot.log", tmpdir);
    ck_assert_msg(!cu_exists(p), "gnuplot printed warnings (see %s)", p);
}
END_TEST

/* ---- inputs: ranges, DRAM kinds, explicit points --------------------- */

static void load_sweep(const char *name, const char *sweep, sp_config *c)
{
    char path[400], err[1024];
    write_cfg(name, sweep);
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    ck_assert_msg(sp_config_load(path, c, err, sizeof err) == 0, "%s", err);
}

START_TEST(range_exact_decimals)
{
    sp_config c;
    load_sweep("range.yaml",
               "sweep:\n  axes:\n    - key: algorithm.token_keep\n      range: [0.1, 0.7, 0.1]\n"
               "    - key: hardware.qk_multipliers\n      range: {from: 64, to: 300, step: 64}\n",
               &c);
    ck_assert_int_eq(c.sweep.axes[0].n_values, 7);
    const char *want[] = {"0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"};
    for (int i = 0; i < 7; i++) /* the double of the decimal, not 0.1 + i * 0.1 */
        ck_assert(c.sweep.axes[0].values[i] == strtod(want[i], NULL));
    ck_assert(0.1 + 2 * 0.1 != 0.3); /* what naive stepping would have given */
    ck_assert_int_eq(c.sweep.axes[1].n_values, 4); /* 64 128 192 256: 320 > 300 */
    ck_assert(c.sweep.axes[1].values[3] == 256);
    ck_assert_int_eq((int)sp_sweep_npoints(&c.sweep), 28);
}
END_TEST

START_TEST(dram_kind_axis_loads_preset)
{
    sp_config c, p;
    char err[512];
    load_sweep("kind.yaml",
               "sweep:\n  axes:\n    - key: hardware.dram.channels\n      values: [2, 8]\n"
               "    - key: hardware.dram.kind\n      values: [hbm2, ddr4, lpddr4]\n",
               &c);
    sp_dram_cfg ddr4;
    sp_dram_preset(SP_DRAM_DDR4, &ddr4);
    /* point 1: channels 2, ddr4: the preset, then the channel axis over it */
    ck_assert_int_eq(sp_sweep_point_config(&c, 1, &p, err, sizeof err), 0);
    ck_assert_int_eq(p.hw.dram.kind, SP_DRAM_DDR4);
    ck_assert_int_eq(p.hw.dram.channels, 2);
    ck_assert_int_eq(p.hw.dram.burst_bytes, ddr4.burst_bytes);
    ck_assert_int_eq(p.hw.dram.tRCD, ddr4.tRCD);
    ck_assert(p.hw.dram.clock_mhz == ddr4.clock_mhz);
    char v[64];
    sp_sweep_value_text(&c.sweep, 1, 2, v, sizeof v);
    ck_assert_str_eq(v, "lpddr4");
}
END_TEST

START_TEST(explicit_points)
{
    sp_config c, p;
    char err[512];
    load_sweep("points.yaml",
               "sweep:\n  points:\n    - {hardware.qk_multipliers: 256, algorithm.token_keep: 0.5}\n"
               "    - {hardware.qk_multipliers: 1024}\n    - {algorithm.token_keep: 0.7, hardware.dram.channels: 8}\n",
               &c);
    ck_assert_int_eq((int)sp_sweep_npoints(&c.sweep), 3);
    ck_assert_int_eq(c.sweep.n_axes, 3);
    ck_assert_str_eq(c.sweep.axes[2].key, "hardware.dram.channels");
    ck_assert_int_eq(sp_sweep_point_config(&c, 1, &p, err, sizeof err), 0);
    ck_assert_int_eq(p.hw.n_qk, 1024);
    ck_assert(p.alg.token_keep == c.alg.token_keep); /* not set: the base's */
    ck_assert_int_eq(sp_sweep_point_config(&c, 2, &p, err, sizeof err), 0);
    ck_assert_int_eq(p.hw.dram.channels, 8);
    ck_assert_int_eq(p.hw.n_qk, c.hw.n_qk);
}
END_TEST

START_TEST(config_file_axis)
{
    sp_config c, p;
    char err[512], path[400];
    snprintf(path, sizeof path, "%s/over.yaml", tmpdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "hardware:\n  qk_multipliers: 128\n  dram:\n    channels: 4\n");
    fclose(f);
    load_sweep("cfgaxis.yaml",
               "sweep:\n  axes:\n    - key: hardware.dram.channels\n      values: [2, 8]\n"
               "    - key: config\n      values: [over.yaml]\n",
               &c);
    ck_assert_int_eq(c.sweep.config_axis, 2);
    ck_assert_int_eq((int)sp_sweep_npoints(&c.sweep), 2);
    /* point 0: over.yaml over the base (qk 128), then the channel axis (2)
     * over it, whatever the axis order in the file */
    ck_assert_int_eq(sp_sweep_point_config(&c, 0, &p, err, sizeof err), 0);
    ck_assert_int_eq(p.hw.n_qk, 128);
    ck_assert_int_eq(p.hw.dram.channels, 2);
    ck_assert(p.alg.token_keep == c.alg.token_keep); /* not in the file: the base's */
    char v[64];
    sp_sweep_value_text(&c.sweep, 1, 0, v, sizeof v);
    ck_assert_str_eq(v, "over.yaml");
}
END_TEST

int main(void)
{
    bin = getenv("SPATTN");
    if (!bin)
        printf("test_sweep: SPATTN is not set (run through `make test`); command checks skipped\n");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/spattn-test-sweep.XXXXXX");
    if (!mkdtemp(tmpdir))
        return EXIT_FAILURE;
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, order_and_count);
    tcase_add_test(tc, bad_points);
    tcase_add_test(tc, reference_and_metric_decode);
    tcase_add_test(tc, reference_and_metric_encoder);
    tcase_add_test(tc, stronger_pruning_fetches_less);
    tcase_add_test(tc, pareto_flags);
    tcase_add_test(tc, deterministic_csv_and_jobs);
    tcase_add_test(tc, cli_bad_input);
    tcase_add_test(tc, cli_deterministic_and_plots);
    tcase_add_test(tc, range_exact_decimals);
    tcase_add_test(tc, dram_kind_axis_loads_preset);
    tcase_add_test(tc, explicit_points);
    tcase_add_test(tc, config_file_axis);
    suite_add_tcase(s, tc);
    return cu_run_suite(s, "test_sweep", tmpdir);
}
