/* test_engine.c - the engine (engine/engine.c) is the one evaluation:
 * `spattn run` and a one-point `spattn sweep` of the same config give
 * identical statistics (every key of the registry: cycles, unit busy
 * cycles, DRAM bytes by kind, row hits, energy by component, area,
 * accuracy, the dense baseline, the ratios), for a tensor trace and for the
 * official workload CSV (skipped with a printed reason when absent). Both
 * through the library (the registries entry by entry) and through the
 * command (stats.json against sweep.json's point). Also: a workload CSV
 * sweep refuses the axes the file fixes, naming axis and file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cJSON.h>
#include "cliutil.h"
#include "engine.h"
#include "sweep.h"

/* the synthetic encoder trace on which run and sweep once differed */
#define TR_ENC "synth:mode=encoder,layers=4,heads=4,d=32,len=256"
#define AXIS "hardware.dram.channels"

static const char *bin;
static char tmpdir[256];
static char workload[1024];

static int workload_present(void)
{
    return cu_official_csv("test_engine", "gpt2-small-wikitext2-pruned.csv", workload, sizeof workload);
}

/* cfg with a one-point sweep that sets AXIS to the value cfg already has */
static void one_point(sp_config *cfg)
{
    double v;
    ck_assert_int_eq(sp_config_get_key(cfg, AXIS, &v), 0);
    cfg->sweep.n_axes = 1;
    snprintf(cfg->sweep.axes[0].key, sizeof cfg->sweep.axes[0].key, "%s", AXIS);
    cfg->sweep.axes[0].n_values = 1;
    cfg->sweep.axes[0].values[0] = v;
}

static void same_registry(const sp_stats *a, const sp_stats *b)
{
    ck_assert(!a->bad && !b->bad);
    ck_assert_uint_eq(a->n, b->n);
    char ka[96], kb[96];
    for (size_t i = 0; i < a->n; i++) {
        const sp_stat *x = &a->v[i], *y = &b->v[i];
        ck_assert_str_eq(x->group, y->group);
        ck_assert_str_eq(sp_stat_key(x, ka, sizeof ka), sp_stat_key(y, kb, sizeof kb));
        ck_assert_int_eq(x->kind, y->kind);
        if (x->kind == SP_STAT_TEXT)
            ck_assert_str_eq(x->text, y->text);
        else
            ck_assert_msg(sp_stat_value(x) == sp_stat_value(y), "%s.%s: run %.17g, sweep %.17g", x->group, ka,
                          sp_stat_value(x), sp_stat_value(y));
    }
}

static int has_key(const sp_stats *s, const char *group, const char *key)
{
    char k[96];
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i].group, group) && !strcmp(sp_stat_key(&s->v[i], k, sizeof k), key))
            return 1;
    return 0;
}

/* the run (with a reference for tensor traces, as spattn run) and the
 * one-point sweep of the same config: identical registries */
static void lib_run_vs_sweep(const char *config, const char *spec)
{
    char err[2048];
    sp_config cfg;
    ck_assert_msg(sp_config_load(config, &cfg, err, sizeof err) == 0, "%s", err);
    sp_engine_input in;
    ck_assert_msg(sp_engine_input_open(spec, NULL, &cfg.alg, &in, err, sizeof err) == 0, "%s", err);
    sp_engine_ref ref;
    if (!in.is_workload)
        ck_assert_msg(sp_engine_ref_build(&cfg, &in.trace, &ref, err, sizeof err) == 0, "%s", err);
    sp_engine_in ei = {.cfg = &cfg, .input = &in, .ref = in.is_workload ? NULL : &ref};
    sp_engine_result r;
    ck_assert_msg(sp_engine_run(&ei, &r, err, sizeof err) == 0, "%s", err);
    sp_config sc = cfg;
    one_point(&sc);
    sp_sweep_result sw;
    ck_assert_msg(sp_sweep_run(&sc, &in, 1, &sw, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(sw.n, 1);
    ck_assert_int_eq(sw.has_ref, !in.is_workload);
    ck_assert_msg(sw.pts[0].cycles == r.fig.tm.total_cycles, "cycles: run %llu, sweep %llu",
                  (unsigned long long)r.fig.tm.total_cycles, (unsigned long long)sw.pts[0].cycles);
    sp_stats a, b;
    sp_stats_init(&a);
    sp_stats_init(&b);
    sp_engine_stats(&cfg, &r.fig, &a);
    sp_engine_stats(&cfg, &sw.pts[0].fig, &b);
    same_registry(&a, &b);
    /* the registry holds what the comparison is about */
    ck_assert(has_key(&a, "timing", "total_cycles"));
    ck_assert(has_key(&a, "timing.dram.bus_by_kind", "total_bytes"));
    ck_assert(has_key(&a, "energy", "total_pJ"));
    ck_assert(has_key(&a, "area", "total_mm2"));
    ck_assert(has_key(&a, "dense_baseline.timing", "total_cycles"));
    ck_assert(has_key(&a, "vs_dense", "speedup_ratio"));
    ck_assert_int_eq(has_key(&a, "accuracy", "out_rel_err_mean_ratio"), !in.is_workload);
    if (!in.is_workload) {
        /* the run's token positions reached the timing model in both */
        ck_assert_ptr_nonnull(strstr(r.fig.timing_input, "token positions"));
        ck_assert_int_eq(r.fig.positions_spread, 0);
        ck_assert(r.fig.tm.total_cycles > 0 && r.fig.acc.ref_steps == ref.n);
        sp_engine_ref_free(&ref);
    }
    sp_stats_free(&a);
    sp_stats_free(&b);
    sp_sweep_result_free(&sw);
    sp_engine_result_free(&r);
    sp_engine_input_free(&in);
}

START_TEST(lib_tensor)
{
    lib_run_vs_sweep("configs/default.yaml", TR_ENC);
}
END_TEST

/* positions beyond the capture: the timing model falls back to the spread
 * rule and the result says so (spattn run prints a notice from it). A
 * decode run of 100 iterations over 1000 tokens, nothing pruned: 144
 * records an iteration of about 1050 keys and 210 values, 18 M positions */
START_TEST(lib_capture_overflow)
{
    char err[2048];
    sp_config cfg;
    ck_assert_msg(sp_config_load("configs/paper.yaml", &cfg, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(sp_config_set_key(&cfg, "algorithm.token_keep", 1.0, err, sizeof err), 0);
    ck_assert_int_eq(sp_config_set_key(&cfg, "algorithm.head_keep", 1.0, err, sizeof err), 0);
    ck_assert_msg(sp_config_check(&cfg, err, sizeof err) == 0, "%s", err);
    sp_engine_input in;
    ck_assert_msg(sp_engine_input_open("synth:mode=decode,layers=12,heads=12,d=1,len=1000,iters=100", NULL, &cfg.alg,
                                       &in, err, sizeof err) == 0, "%s", err);
    sp_engine_in ei = {.cfg = &cfg, .input = &in};
    sp_engine_result r;
    ck_assert_msg(sp_engine_run(&ei, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(r.fig.positions_spread, 1); /* > SP_CAPTURE_MAX_INTS */
    ck_assert_ptr_null(strstr(r.fig.timing_input, "token positions"));
    sp_engine_result_free(&r);
    sp_engine_input_free(&in);
}
END_TEST

/* a secondary baseline the K buffer cannot hold (12-bit keys in a buffer
 * sized for 10-bit ones: 64 rows a slot, the context 91 keys) is reported
 * as not run, with the reason; the run and its primary baseline stand */
START_TEST(lib_baseline_not_run)
{
    char err[2048];
    sp_config cfg;
    ck_assert_msg(sp_config_load("tests/cosim/fold.yaml", &cfg, err, sizeof err) == 0, "%s", err);
    sp_engine_input in;
    ck_assert_msg(sp_engine_input_open("synth:mode=decode,layers=2,heads=2,d=32,len=90,iters=1", NULL, &cfg.alg, &in,
                                       err, sizeof err) == 0, "%s", err);
    sp_engine_in ei = {.cfg = &cfg, .input = &in};
    sp_engine_result r;
    ck_assert_msg(sp_engine_run(&ei, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_gt(r.fig.tm.total_cycles, 0);
    ck_assert_uint_gt(r.fig.base[SP_BASE_OWN].tm.total_cycles, 0);
    ck_assert_uint_eq(r.fig.base[SP_BASE_12BIT].tm.total_cycles, 0);
    ck_assert_msg(strstr(r.fig.base[SP_BASE_12BIT].source, "not run: ") == r.fig.base[SP_BASE_12BIT].source &&
                      strstr(r.fig.base[SP_BASE_12BIT].source, "hardware.k_sram_bytes"),
                  "%s", r.fig.base[SP_BASE_12BIT].source);
    sp_engine_result_free(&r);
    /* buffers that hold 12-bit keys and values too: both run */
    cfg.hw.k_sram_bytes = 2 * 5120;
    cfg.hw.v_sram_bytes = 2 * 4096;
    ck_assert_msg(sp_engine_run(&ei, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_gt(r.fig.base[SP_BASE_12BIT].tm.total_cycles, 0);
    sp_engine_result_free(&r);
    sp_engine_input_free(&in);
}
END_TEST

START_TEST(lib_workload)
{
    if (!workload_present())
        return;
    lib_run_vs_sweep("configs/paper.yaml", workload);
}
END_TEST

/* every point of a sweep over an algorithm and a hardware key equals the
 * engine run on that point's config alone (the sweep shares one dense
 * baseline between points of equal dense config; here two of them) */
START_TEST(lib_points_vs_runs)
{
    char err[2048];
    sp_config cfg;
    sp_config_default(&cfg);
    cfg.alg.token_start_layer = 0;
    sp_engine_input in;
    ck_assert_msg(sp_engine_input_open("synth:layers=3,heads=4,d=16,len=64,iters=3,seed=2", NULL, &cfg.alg, &in, err,
                                       sizeof err) == 0, "%s", err);
    const char *keys[2] = {"algorithm.token_keep", "hardware.dram.channels"};
    const double vals[2][2] = {{0.5, 1.0}, {2, 8}};
    cfg.sweep.n_axes = 2;
    for (int a = 0; a < 2; a++) {
        snprintf(cfg.sweep.axes[a].key, sizeof cfg.sweep.axes[a].key, "%s", keys[a]);
        cfg.sweep.axes[a].n_values = 2;
        cfg.sweep.axes[a].values[0] = vals[a][0];
        cfg.sweep.axes[a].values[1] = vals[a][1];
    }
    sp_sweep_result sw;
    ck_assert_msg(sp_sweep_run(&cfg, &in, 2, &sw, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(sw.n, 4);
    ck_assert(sw.pts[0].fig.dense_tm.total_cycles != sw.pts[1].fig.dense_tm.total_cycles); /* 2 vs 8 channels */
    for (size_t p = 0; p < sw.n; p++) {
        sp_config pc;
        ck_assert_msg(sp_sweep_point_config(&cfg, p, &pc, err, sizeof err) == 0, "%s", err);
        sp_engine_in ei = {.cfg = &pc, .input = &in, .ref = &sw.ref};
        sp_engine_result r;
        ck_assert_msg(sp_engine_run(&ei, &r, err, sizeof err) == 0, "%s", err);
        sp_stats a, b;
        sp_stats_init(&a);
        sp_stats_init(&b);
        sp_engine_stats(&pc, &r.fig, &a);
        sp_engine_stats(&pc, &sw.pts[p].fig, &b);
        same_registry(&a, &b);
        sp_stats_free(&a);
        sp_stats_free(&b);
        sp_engine_result_free(&r);
    }
    sp_sweep_result_free(&sw);
    sp_engine_input_free(&in);
}
END_TEST

/* every key of b (recursively) is in a with the same value */
static void json_subset(const cJSON *b, const cJSON *a, const char *path)
{
    char p[512];
    for (const cJSON *c = b->child; c; c = c->next) {
        snprintf(p, sizeof p, "%s.%s", path, c->string);
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(a, c->string);
        ck_assert_msg(o != NULL, "%s: in the sweep point, not in stats.json", p);
        if (cJSON_IsObject(c)) {
            ck_assert_msg(cJSON_IsObject(o), "%s: not an object in stats.json", p);
            json_subset(c, o, p);
        } else if (cJSON_IsNumber(c)) {
            ck_assert_msg(cJSON_IsNumber(o) && o->valuedouble == c->valuedouble, "%s: stats.json %.17g, sweep %.17g",
                          p, o->valuedouble, c->valuedouble);
        } else {
            ck_assert_msg(cJSON_IsString(c) && cJSON_IsString(o) && !strcmp(c->valuestring, o->valuestring),
                          "%s: differs", p);
        }
    }
}

static cJSON *load_json(const char *path)
{
    char *t = cu_slurp(path, NULL);
    ck_assert_msg(t != NULL, "%s not written", path);
    cJSON *j = cJSON_Parse(t);
    free(t);
    ck_assert_msg(j != NULL, "%s: not JSON", path);
    return j;
}

/* spattn run and spattn sweep (one point: AXIS at the config's value) */
static void cli_run_vs_sweep(const char *config, const char *spec, const char *tag)
{
    char err[2048], args[4096], cfgp[512], out_r[512], out_s[512], p[600];
    sp_config cfg;
    ck_assert_msg(sp_config_load(config, &cfg, err, sizeof err) == 0, "%s", err);
    double v;
    ck_assert_int_eq(sp_config_get_key(&cfg, AXIS, &v), 0);
    char cwd[2048];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    snprintf(cfgp, sizeof cfgp, "%s/%s-one.yaml", tmpdir, tag);
    char text[4096];
    snprintf(text, sizeof text, "include: %s/%s\nsweep:\n  axes:\n    - key: %s\n      values: [%g]\n", cwd, config,
             AXIS, v);
    cu_write_file(cfgp, text);
    snprintf(out_r, sizeof out_r, "%s/%s-run", tmpdir, tag);
    snprintf(out_s, sizeof out_s, "%s/%s-sweep", tmpdir, tag);
    snprintf(args, sizeof args, "run -c %s -t %s -o %s", config, spec, out_r);
    ck_assert_msg(cu_run(bin, args, tmpdir, NULL, 0, err, sizeof err) == 0, "%s: %s", args, err);
    snprintf(args, sizeof args, "sweep -c %s -t %s -o %s --no-plots", cfgp, spec, out_s);
    ck_assert_msg(cu_run(bin, args, tmpdir, NULL, 0, err, sizeof err) == 0, "%s: %s", args, err);
    snprintf(p, sizeof p, "%s/stats.json", out_r);
    cJSON *run = load_json(p);
    snprintf(p, sizeof p, "%s/sweep.json", out_s);
    cJSON *sw = load_json(p);
    cJSON *pts = cJSON_GetObjectItem(sw, "points");
    ck_assert_int_eq(cJSON_GetArraySize(pts), 1);
    cJSON *st = cJSON_GetObjectItem(cJSON_GetArrayItem(pts, 0), "stats");
    ck_assert_ptr_nonnull(st);
    /* the headline first, for a readable failure */
    double rc = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "timing"), "total_cycles")->valuedouble;
    double sc = cJSON_GetObjectItem(cJSON_GetObjectItem(st, "timing"), "total_cycles")->valuedouble;
    ck_assert_msg(rc == sc, "%s: spattn run %.0f cycles, one-point sweep %.0f", spec, rc, sc);
    json_subset(st, run, "stats");
    /* and every group of the run's statistics is in the point */
    const char *groups[] = {"timing", "energy", "area", "dense_baseline", "vs_dense", "timing_input"};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        ck_assert_msg(cJSON_GetObjectItem(st, groups[i]) != NULL, "sweep point lacks %s", groups[i]);
    int tensor = strncmp(spec, "synth:", 6) == 0;
    ck_assert_int_eq(cJSON_GetObjectItem(st, "accuracy") != NULL, tensor);
    ck_assert_int_eq(cJSON_GetObjectItem(run, "accuracy") != NULL, tensor);
    ck_assert_int_eq(cJSON_GetObjectItem(st, "events") != NULL, tensor);
    /* sweep.csv's cycles column is the same number */
    snprintf(p, sizeof p, "%s/sweep.csv", out_s);
    char *csv = cu_slurp(p, NULL);
    ck_assert_ptr_nonnull(csv);
    char *row = strchr(csv, '\n');
    ck_assert_ptr_nonnull(row);
    unsigned long long point, cyc;
    double val;
    ck_assert_int_eq(sscanf(row + 1, "%llu,%lf,%llu,", &point, &val, &cyc), 3);
    ck_assert_msg((double)cyc == rc, "sweep.csv cycles %llu, stats.json %.0f", cyc, rc);
    free(csv);
    cJSON_Delete(run);
    cJSON_Delete(sw);
}

START_TEST(cli_tensor)
{
    if (!bin)
        return;
    cli_run_vs_sweep("configs/default.yaml", TR_ENC, "tensor");
}
END_TEST

START_TEST(cli_workload)
{
    if (!bin || !workload_present())
        return;
    cli_run_vs_sweep("configs/paper.yaml", workload, "csv");
}
END_TEST

/* a workload CSV fixes pruning and bit widths: such axes are refused */
START_TEST(workload_axes_refused)
{
    sp_config c;
    sp_config_default(&c);
    char err[1024];
    c.sweep.n_axes = 2;
    snprintf(c.sweep.axes[0].key, sizeof c.sweep.axes[0].key, "hardware.dram.channels");
    c.sweep.axes[0].n_values = 1;
    c.sweep.axes[0].values[0] = 4;
    snprintf(c.sweep.axes[1].key, sizeof c.sweep.axes[1].key, "algorithm.k_msb");
    c.sweep.axes[1].n_values = 1;
    c.sweep.axes[1].values[0] = 6;
    ck_assert_int_eq(sp_sweep_check_workload(&c, "w.csv", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "sweep axis algorithm.k_msb: w.csv is a workload CSV") != NULL, "%s", err);
    c.sweep.n_axes = 1;
    ck_assert_int_eq(sp_sweep_check_workload(&c, "w.csv", err, sizeof err), 0);
    if (!bin || !workload_present())
        return;
    char cfgp[400], out[400], args[2048], cwd[2048];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    snprintf(cfgp, sizeof cfgp, "%s/keep.yaml", tmpdir);
    char text[3000];
    snprintf(text, sizeof text, "include: %s/configs/paper.yaml\nsweep:\n  axes:\n    - key: algorithm.token_keep\n"
             "      values: [0.5, 1.0]\n", cwd);
    cu_write_file(cfgp, text);
    snprintf(out, sizeof out, "%s/out_bad", tmpdir);
    snprintf(args, sizeof args, "sweep -c %s -t %s -o %s", cfgp, workload, out);
    char want[1200];
    snprintf(want, sizeof want, "keep.yaml:2: sweep axis algorithm.token_keep: %s is a workload CSV", workload);
    cu_expect_bad(bin, args, tmpdir, out, want);
}
END_TEST

int main(void)
{
    bin = getenv("SPATTN");
    if (!bin)
        printf("test_engine: SPATTN is not set (run through `make test`); command checks skipped\n");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/spattn-test-engine.XXXXXX");
    if (!mkdtemp(tmpdir))
        return EXIT_FAILURE;
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, lib_tensor);
    tcase_add_test(tc, lib_workload);
    tcase_add_test(tc, lib_capture_overflow);
    tcase_add_test(tc, lib_baseline_not_run);
    tcase_add_test(tc, lib_points_vs_runs);
    tcase_add_test(tc, cli_tensor);
    tcase_add_test(tc, cli_workload);
    tcase_add_test(tc, workload_axes_refused);
    suite_add_tcase(s, tc);
    return cu_run_suite(s, "test_engine", tmpdir);
}
