/* test_config.c - the YAML config loader (cmodel/config_yaml.c, docs/config.md):
 * shipped configs, print -> load round trip, include/override, sweeps,
 * key accessors, every bad config in tests/bad/configs (each names its
 * expected error line in a first-line comment "# expect: ..."), and the
 * exit status of `spattn config show` on a bad config. Run from the
 * project root (the Makefile does). */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "area.h"
#include "cliutil.h"
#include "config_json.h"
#include "dram.h"
#include "energy.h"
#include "params.h"
#include "ref.h"
#include "timing.h"
#include "tm_fixture.h"

#define BAD_DIR "tests/bad/configs/"

/* Every key of docs/config.md, written out here independently of the
 * loader's own table. */
static const char *const all_keys[] = {
    "hardware.clock_mhz", "hardware.qk_multipliers", "hardware.pv_multipliers",
    "hardware.k_sram_bytes", "hardware.v_sram_bytes", "hardware.topk_comparators",
    "hardware.topk_round_overhead", "hardware.softmax_lanes", "hardware.kv_buffers", "hardware.fetch_rows",
    "hardware.dram.kind", "hardware.dram.channels", "hardware.dram.banks",
    "hardware.dram.row_bytes", "hardware.dram.burst_bytes", "hardware.dram.clock_mhz",
    "hardware.dram.tRCD", "hardware.dram.tRP", "hardware.dram.tCL", "hardware.dram.tCCD",
    "hardware.dram.tRAS", "hardware.dram.tREFI", "hardware.dram.tRFC",
    "hardware.dram.bytes_per_clk_per_channel",
    "algorithm.token_keep", "algorithm.token_start_layer", "algorithm.token_budget",
    "algorithm.token_budget_start_iter", "algorithm.head_keep",
    "algorithm.head_start_layer", "algorithm.value_keep", "algorithm.q_bits", "algorithm.k_msb",
    "algorithm.k_lsb", "algorithm.v_msb", "algorithm.v_lsb", "algorithm.tau",
    "energy.mac_qk_pj", "energy.mac_pv_pj", "energy.exp_pj", "energy.div_pj", "energy.cmp_pj",
    "energy.add_pj", "energy.sram_read_pj_per_byte", "energy.sram_write_pj_per_byte",
    "energy.dram_pj_per_bit", "energy.leakage_mw_per_mm2", "energy.node_nm",
};
#define NALL ((int)(sizeof all_keys / sizeof all_keys[0]))

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/spattn-test-config-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            remove(p);
        }
    closedir(d);
    rmdir(tmpdir);
}

static void load_ok(const char *path, sp_config *c)
{
    char err[1024] = "";
    if (sp_config_load(path, c, err, sizeof err))
        ck_abort_msg("%s: unexpected error: %s", path, err);
}

/* Equal in every key, every derived fixed-point field and the sweep. */
static void assert_same(const sp_config *a, const sp_config *b, const char *what)
{
    for (int i = 0; i < NALL; i++) {
        double va, vb;
        sp_int_list la, lb;
        if (sp_config_get_list(a, all_keys[i], &la) == 0) { /* a list key: every entry */
            ck_assert_int_eq(sp_config_get_list(b, all_keys[i], &lb), 0);
            ck_assert_msg(la.n == lb.n && !memcmp(la.v, lb.v, (size_t)la.n * sizeof la.v[0]), "%s: %s differs",
                          what, all_keys[i]);
            continue;
        }
        ck_assert_int_eq(sp_config_get_key(a, all_keys[i], &va), 0);
        ck_assert_int_eq(sp_config_get_key(b, all_keys[i], &vb), 0);
        if (va != vb)
            ck_abort_msg("%s: %s differs: %.17g vs %.17g", what, all_keys[i], va, vb);
    }
    ck_assert_uint_eq(a->alg.token_keep_q16, b->alg.token_keep_q16);
    ck_assert_uint_eq(a->alg.head_keep_q16, b->alg.head_keep_q16);
    ck_assert_uint_eq(a->alg.value_keep_q16, b->alg.value_keep_q16);
    ck_assert_uint_eq(a->alg.tau_q15, b->alg.tau_q15);
    ck_assert_int_eq(a->sweep.n_axes, b->sweep.n_axes);
    for (int x = 0; x < a->sweep.n_axes; x++) {
        ck_assert_str_eq(a->sweep.axes[x].key, b->sweep.axes[x].key);
        ck_assert_int_eq(a->sweep.axes[x].n_values, b->sweep.axes[x].n_values);
        for (int i = 0; i < a->sweep.axes[x].n_values; i++)
            ck_assert(a->sweep.axes[x].values[i] == b->sweep.axes[x].values[i]);
    }
}

/* print -> file -> load gives the same config back */
static void round_trip(const sp_config *c, const char *what)
{
    char p[256];
    snprintf(p, sizeof p, "%s/rt.yaml", tmpdir);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    sp_config_print(f, c);
    ck_assert_int_eq(fclose(f), 0);
    sp_config back;
    load_ok(p, &back);
    assert_same(c, &back, what);
}

START_TEST(paper_is_builtin_default)
{
    sp_config c, d;
    load_ok("configs/paper.yaml", &c);
    sp_config_default(&d);
    assert_same(&c, &d, "paper.yaml vs sp_config_default");
    ck_assert_str_eq(c.source, "configs/paper.yaml");
    /* the paper's design point, by value */
    ck_assert(c.hw.clock_mhz == 1000.0);
    ck_assert_int_eq(c.hw.n_qk, 512);
    ck_assert_int_eq(c.hw.n_pv, 512);
    ck_assert_int_eq(c.hw.k_sram_bytes, 196 * 1024);
    ck_assert_int_eq(c.hw.v_sram_bytes, 196 * 1024);
    ck_assert_int_eq(c.hw.topk_comparators, 16);
    ck_assert_int_eq(c.hw.dram.kind, SP_DRAM_HBM2);
    ck_assert_int_eq(c.hw.dram.channels, 16);
    ck_assert_int_eq(c.alg.k_msb + c.alg.k_lsb, 12);
    ck_assert_int_eq(c.alg.token_start_layer, 2);
    ck_assert_int_eq(c.alg.head_start_layer, 4);
    ck_assert_uint_eq(c.alg.tau_q15, 3277); /* llround(0.1 * 32768) = 3276.8 -> 3277 */
    ck_assert_uint_eq(c.alg.token_keep_q16, 58982);
    ck_assert_int_eq(c.sweep.n_axes, 0);
}
END_TEST

START_TEST(default_overrides_paper)
{
    sp_config c, p;
    load_ok("configs/default.yaml", &c);
    load_ok("configs/paper.yaml", &p);
    ck_assert_int_eq(c.hw.n_qk, 64);
    ck_assert_int_eq(c.hw.n_pv, 64);
    ck_assert_int_eq(c.hw.dram.channels, 4);
    ck_assert_int_eq(c.hw.k_sram_bytes, 32768);
    /* everything default.yaml does not name comes from paper.yaml */
    p.hw.n_qk = c.hw.n_qk;
    p.hw.n_pv = c.hw.n_pv;
    p.hw.k_sram_bytes = c.hw.k_sram_bytes;
    p.hw.v_sram_bytes = c.hw.v_sram_bytes;
    p.hw.softmax_lanes = c.hw.softmax_lanes;
    p.hw.dram.channels = c.hw.dram.channels;
    assert_same(&c, &p, "default.yaml vs paper.yaml");
}
END_TEST

/* The DRAM presets of the timing model (cmodel/dram.c) and the shipped
 * configs name the same parts: they must agree key by key. */
START_TEST(dram_presets_match_configs)
{
    static const struct { const char *file; sp_dram_kind kind; } cases[] = {
        {"configs/paper.yaml", SP_DRAM_HBM2},
        {"configs/ddr4.yaml", SP_DRAM_DDR4},
        {"configs/lpddr4.yaml", SP_DRAM_LPDDR4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sp_config c, p;
        load_ok(cases[i].file, &c);
        p = c;
        sp_dram_preset(cases[i].kind, &p.hw.dram);
        for (int k = 0; k < NALL; k++) {
            if (strncmp(all_keys[k], "hardware.dram.", 14))
                continue;
            double a, b;
            sp_config_get_key(&c, all_keys[k], &a);
            sp_config_get_key(&p, all_keys[k], &b);
            if (a != b)
                ck_abort_msg("%s: %s = %.17g, sp_dram_preset gives %.17g", cases[i].file, all_keys[k], a, b);
        }
    }
}
END_TEST

START_TEST(sweep_preset)
{
    sp_config c;
    load_ok("configs/sweep-pruning.yaml", &c);
    ck_assert_int_eq(c.sweep.n_axes, 2);
    ck_assert_str_eq(c.sweep.axes[0].key, "algorithm.token_keep");
    ck_assert_int_eq(c.sweep.axes[0].n_values, 6);
    ck_assert_str_eq(c.sweep.axes[1].key, "algorithm.value_keep");
    ck_assert_int_eq(c.sweep.axes[1].n_values, 4);
    /* every point of the sweep passes the range check */
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 4; j++) {
            sp_config t = c;
            char err[256];
            ck_assert_int_eq(sp_config_set_key(&t, c.sweep.axes[0].key, c.sweep.axes[0].values[i], err, sizeof err), 0);
            ck_assert_int_eq(sp_config_set_key(&t, c.sweep.axes[1].key, c.sweep.axes[1].values[j], err, sizeof err), 0);
            ck_assert_int_eq(sp_config_check(&t, err, sizeof err), 0);
        }
}
END_TEST

START_TEST(every_shipped_config_round_trips)
{
    make_tmpdir();
    DIR *d = opendir("configs");
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".yaml"))
            continue;
        char p[512];
        snprintf(p, sizeof p, "configs/%s", e->d_name);
        sp_config c;
        load_ok(p, &c);
        round_trip(&c, p);
        n++;
    }
    closedir(d);
    ck_assert_int_ge(n, 2);
    rm_tmpdir();
}
END_TEST

START_TEST(print_names_every_key_once)
{
    sp_config c;
    sp_config_default(&c);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    sp_config_print(f, &c);
    fclose(f);
    int leaves = 0;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        const char *colon = strchr(line, ':');
        if (line[0] != '#' && colon && colon[1] == ' ')
            leaves++;
    }
    free(buf);
    ck_assert_int_eq(leaves, NALL);
}
END_TEST

START_TEST(round_trip_awkward_values)
{
    make_tmpdir();
    sp_config c;
    sp_config_default(&c);
    char err[256];
    /* values whose shortest decimal form needs all 17 digits, or exponents */
    ck_assert_int_eq(sp_config_set_key(&c, "algorithm.token_keep", 1.0 / 3.0, err, sizeof err), 0);
    ck_assert_int_eq(sp_config_set_key(&c, "algorithm.tau", 0.1 + 0.2 - 0.3 + 0.05, err, sizeof err), 0);
    ck_assert_int_eq(sp_config_set_key(&c, "energy.exp_pj", 1e-7, err, sizeof err), 0);
    ck_assert_int_eq(sp_config_set_key(&c, "energy.leakage_mw_per_mm2", 9876.5432101234567, err, sizeof err), 0);
    ck_assert_int_eq(sp_config_set_key(&c, "energy.dram_pj_per_bit", 1.5e-300, err, sizeof err), 0);
    ck_assert_int_eq(sp_config_set_key(&c, "hardware.dram.kind", SP_DRAM_LPDDR4, err, sizeof err), 0);
    ck_assert_int_eq(sp_config_set_key(&c, "hardware.dram.clock_mhz", 1866.5, err, sizeof err), 0);
    c.sweep.n_axes = 2;
    snprintf(c.sweep.axes[0].key, sizeof c.sweep.axes[0].key, "algorithm.value_keep");
    c.sweep.axes[0].n_values = 3;
    c.sweep.axes[0].values[0] = 0.1;
    c.sweep.axes[0].values[1] = 1.0 / 7.0;
    c.sweep.axes[0].values[2] = 1;
    snprintf(c.sweep.axes[1].key, sizeof c.sweep.axes[1].key, "hardware.qk_multipliers");
    c.sweep.axes[1].n_values = 2;
    c.sweep.axes[1].values[0] = 64;
    c.sweep.axes[1].values[1] = 512;
    ck_assert_int_eq(sp_config_check(&c, err, sizeof err), 0);
    round_trip(&c, "awkward values");
    rm_tmpdir();
}
END_TEST

START_TEST(include_override_and_sweep)
{
    make_tmpdir();
    char p[256], sub[256];
    snprintf(sub, sizeof sub, "%s/sub", tmpdir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    /* base = paper.yaml as printed, plus a sweep */
    sp_config d;
    sp_config_default(&d);
    d.sweep.n_axes = 1;
    snprintf(d.sweep.axes[0].key, sizeof d.sweep.axes[0].key, "algorithm.token_keep");
    d.sweep.axes[0].n_values = 2;
    d.sweep.axes[0].values[0] = 0.5;
    d.sweep.axes[0].values[1] = 0.7;
    snprintf(p, sizeof p, "%s/base.yaml", tmpdir);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    sp_config_print(f, &d);
    fclose(f);
    /* middle (in sub/) includes ../base.yaml: paths are relative to the includer */
    snprintf(p, sizeof p, "%s/sub/mid.yaml", tmpdir);
    cu_write_file(p, "include: ../base.yaml\nalgorithm:\n  tau: 0.05\nhardware:\n  dram:\n    kind: ddr4\n");
    snprintf(p, sizeof p, "%s/top.yaml", tmpdir);
    cu_write_file(p, "include: sub/mid.yaml\nalgorithm:\n  tau: 0.25\n  q_bits: 10\n");
    sp_config c;
    load_ok(p, &c);
    ck_assert(c.alg.tau == 0.25);              /* top overrides mid */
    ck_assert_uint_eq(c.alg.tau_q15, 8192);
    ck_assert_int_eq(c.alg.q_bits, 10);
    ck_assert_int_eq(c.hw.dram.kind, SP_DRAM_DDR4); /* from mid */
    ck_assert_int_eq(c.hw.n_qk, 512);               /* from base */
    ck_assert_int_eq(c.sweep.n_axes, 1);            /* base's sweep kept */
    ck_assert(c.sweep.axes[0].values[1] == 0.7);
    /* a sweep in the including file replaces the base's */
    cu_write_file(p, "include: sub/mid.yaml\nsweep:\n  axes:\n    - key: algorithm.q_bits\n      values: [4, 8, 12]\n"
                  "    - key: hardware.dram.channels\n      values: [1, 2]\n");
    load_ok(p, &c);
    ck_assert_int_eq(c.sweep.n_axes, 2);
    ck_assert_str_eq(c.sweep.axes[0].key, "algorithm.q_bits");
    ck_assert_int_eq(c.sweep.axes[0].n_values, 3);
    ck_assert(c.sweep.axes[0].values[2] == 12);
    ck_assert_str_eq(c.sweep.axes[1].key, "hardware.dram.channels");
    ck_assert(c.alg.tau == 0.05);
    round_trip(&c, "include + sweep");
    /* an error in the middle file names that file and line */
    snprintf(p, sizeof p, "%s/sub/mid.yaml", tmpdir);
    cu_write_file(p, "include: ../base.yaml\nalgorithm:\n  tau: 2\n");
    snprintf(p, sizeof p, "%s/top.yaml", tmpdir);
    cu_write_file(p, "include: sub/mid.yaml\n");
    char err[1024], want[512];
    ck_assert_int_ne(sp_config_load(p, &c, err, sizeof err), 0);
    snprintf(want, sizeof want, "%s/sub/mid.yaml:3: algorithm.tau must be in [0, 1], got 2", tmpdir);
    ck_assert_str_eq(err, want);
    /* ... unless the top file overrides the value */
    cu_write_file(p, "include: sub/mid.yaml\nalgorithm:\n  tau: 0.5\n");
    load_ok(p, &c);
    ck_assert(c.alg.tau == 0.5);
    snprintf(p, sizeof p, "%s/sub/mid.yaml", tmpdir);
    remove(p);
    rmdir(sub);
    rm_tmpdir();
}
END_TEST

START_TEST(empty_and_missing_files)
{
    make_tmpdir();
    char p[256], err[1024], want[512];
    sp_config c;
    snprintf(p, sizeof p, "%s/zero.yaml", tmpdir);
    cu_write_file(p, "");
    ck_assert_int_ne(sp_config_load(p, &c, err, sizeof err), 0);
    snprintf(want, sizeof want, "%s:1: empty config (expected a mapping with hardware, algorithm, energy or include)", p);
    ck_assert_str_eq(err, want);
    snprintf(p, sizeof p, "%s/absent.yaml", tmpdir);
    ck_assert_int_ne(sp_config_load(p, &c, err, sizeof err), 0);
    snprintf(want, sizeof want, "%s:0: cannot open config: No such file or directory", p);
    ck_assert_str_eq(err, want);
    ck_assert_int_ne(sp_config_load(tmpdir, &c, err, sizeof err), 0);
    snprintf(want, sizeof want, "%s:0: cannot open config: not a regular file (a directory)", tmpdir);
    ck_assert_str_eq(err, want);
    rm_tmpdir();
}
END_TEST

START_TEST(set_and_get_key)
{
    sp_config c;
    sp_config_default(&c);
    char err[256];
    double v;
    ck_assert_int_eq(sp_config_set_key(&c, "algorithm.token_keep", 0.5, err, sizeof err), 0);
    ck_assert_uint_eq(c.alg.token_keep_q16, 32768);
    ck_assert_int_eq(sp_config_set_key(&c, "algorithm.tau", 0.05, err, sizeof err), 0);
    ck_assert_uint_eq(c.alg.tau_q15, 1638); /* 1638.4 */
    ck_assert_int_eq(sp_config_set_key(&c, "hardware.dram.channels", 8, err, sizeof err), 0);
    ck_assert_int_eq(sp_config_get_key(&c, "hardware.dram.channels", &v), 0);
    ck_assert(v == 8);
    ck_assert_int_ne(sp_config_set_key(&c, "hardware.dram.channels", 8.5, err, sizeof err), 0);
    ck_assert_str_eq(err, "hardware.dram.channels: expected an integer, got 8.5");
    ck_assert_int_ne(sp_config_set_key(&c, "hardware.nope", 1, err, sizeof err), 0);
    ck_assert_str_eq(err, "unknown config key 'hardware.nope'");
    ck_assert_int_ne(sp_config_get_key(&c, "hardware", &v), 0);
    ck_assert_int_ne(sp_config_set_key(&c, "hardware.dram.kind", 3, err, sizeof err), 0);
    ck_assert_int_eq(c.hw.dram.channels, 8); /* failed sets changed nothing */
}
END_TEST

static void echo_round_trip(const sp_config *c, const char *what);

/* The list key algorithm.token_budget: loads from a flow or a block
 * sequence, [] and absence are the empty list, the accessors, the printer
 * and the stats.json echo carry every entry, a number setter refuses it,
 * and a sweep's config axis carries each file's list. */
START_TEST(budget_list_key)
{
    make_tmpdir();
    sp_config c;
    sp_int_list l;
    char err[256], p[512];
    static const int rel[12] = {921, 716, 204, 204, 204, 204, 102, 102, 102, 102, 102, 102};
    char cwd[256];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    load_ok("configs/gpt2-release.yaml", &c);
    ck_assert_int_eq(sp_config_get_list(&c, "algorithm.token_budget", &l), 0);
    ck_assert_int_eq(l.n, 12);
    ck_assert_mem_eq(l.v, rel, sizeof rel);
    ck_assert_int_eq(c.alg.token_budget_start_iter, 1);
    round_trip(&c, "gpt2-release");
    echo_round_trip(&c, "gpt2-release echo");
    load_ok("configs/paper.yaml", &c); /* absent: empty, start iteration 0 */
    ck_assert_int_eq(c.alg.token_budget.n, 0);
    ck_assert_int_eq(c.alg.token_budget_start_iter, 0);
    /* block form, then [] over an include clears it */
    snprintf(p, sizeof p, "%s/block.yaml", tmpdir);
    char text[1024];
    snprintf(text, sizeof text, "include: %s/configs/paper.yaml\nalgorithm:\n  token_keep: 1\n  token_budget:\n"
             "    - 5\n    - 3\n", cwd);
    cu_write_file(p, text);
    load_ok(p, &c);
    ck_assert_int_eq(c.alg.token_budget.n, 2);
    ck_assert_int_eq(c.alg.token_budget.v[0], 5);
    ck_assert_int_eq(c.alg.token_budget.v[1], 3);
    round_trip(&c, "block list");
    char q[512];
    snprintf(q, sizeof q, "%s/clear.yaml", tmpdir);
    cu_write_file(q, "include: block.yaml\nalgorithm:\n  token_keep: 0.5\n  token_budget: []\n");
    load_ok(q, &c);
    ck_assert_int_eq(c.alg.token_budget.n, 0);
    /* accessors */
    sp_config_default(&c);
    double v;
    ck_assert_int_ne(sp_config_set_key(&c, "algorithm.token_budget", 4, err, sizeof err), 0);
    ck_assert_str_eq(err, "algorithm.token_budget is a list (one entry per layer), not a number");
    ck_assert_int_ne(sp_config_get_key(&c, "algorithm.token_budget", &v), 0);
    ck_assert_int_ne(sp_config_set_list(&c, "algorithm.token_keep", rel, 2, err, sizeof err), 0);
    ck_assert_str_eq(err, "algorithm.token_keep is not a list key");
    ck_assert_int_eq(sp_config_set_list(&c, "algorithm.token_budget", rel, 12, err, sizeof err), 0);
    ck_assert_int_ne(sp_config_check(&c, err, sizeof err), 0); /* token_keep 0.9 with budgets */
    ck_assert_str_eq(err, "algorithm.token_budget replaces the ratio cascade: token_keep must be 1 with it, got 0.9");
    ck_assert_int_eq(sp_config_set_key(&c, "algorithm.token_keep", 1, err, sizeof err), 0);
    ck_assert_int_eq(sp_config_check(&c, err, sizeof err), 0);
    int zero[2] = {3, 0};
    ck_assert_int_eq(sp_config_set_list(&c, "algorithm.token_budget", zero, 2, err, sizeof err), 0);
    ck_assert_int_ne(sp_config_check(&c, err, sizeof err), 0);
    ck_assert_str_eq(err, "algorithm.token_budget[1] must be in 1..16384, got 0");
    /* a config axis of files carries each file's list */
    snprintf(p, sizeof p, "%s/a.yaml", tmpdir);
    cu_write_file(p, "algorithm:\n  token_keep: 1\n  token_budget: [7, 5, 3]\n");
    snprintf(p, sizeof p, "%s/b.yaml", tmpdir);
    cu_write_file(p, "algorithm:\n  token_budget: []\n");
    snprintf(p, sizeof p, "%s/sw.yaml", tmpdir);
    snprintf(text, sizeof text, "include: %s/configs/paper.yaml\nsweep:\n  axes:\n    - key: config\n"
             "      values: [a.yaml, b.yaml]\n", cwd);
    cu_write_file(p, text);
    load_ok(p, &c);
    sp_config t = c;
    ck_assert_int_eq(sp_sweep_set_key(&t, "config", 0, err, sizeof err), 0);
    ck_assert_int_eq(t.alg.token_budget.n, 3);
    ck_assert_int_eq(t.alg.token_budget.v[2], 3);
    ck_assert_int_eq(sp_config_check(&t, err, sizeof err), 0);
    ck_assert_int_eq(sp_sweep_set_key(&t, "config", 1, err, sizeof err), 0);
    ck_assert_int_eq(t.alg.token_budget.n, 0);
    rm_tmpdir();
}
END_TEST

/* The stats.json echo (sp_config_json), written out as YAML (JSON is YAML
 * flow syntax), loads again to the same config. */
static void echo_round_trip(const sp_config *c, const char *what)
{
    cJSON *o = sp_config_json(c);
    ck_assert_ptr_nonnull(o);
    char *text = cJSON_PrintUnformatted(o);
    ck_assert_ptr_nonnull(text);
    char p[256];
    snprintf(p, sizeof p, "%s/echo.yaml", tmpdir);
    cu_write_file(p, text);
    sp_config back;
    load_ok(p, &back);
    assert_same(c, &back, what);
    /* the YAML names, not renamed ones */
    ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "algorithm"),
                                                           "token_keep"));
    cJSON_free(text);
    cJSON_Delete(o);
}

START_TEST(stats_echo_loads_again)
{
    make_tmpdir();
    static const char *const files[] = {"configs/paper.yaml", "configs/default.yaml", "configs/ddr4.yaml",
                                        "configs/lpddr4.yaml", "configs/sweep-pruning.yaml",
                                        "configs/gpt2-release.yaml", "configs/long-context.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        sp_config c;
        load_ok(files[i], &c);
        echo_round_trip(&c, files[i]);
    }
    sp_config c;
    sp_config_default(&c);
    char err[256];
    ck_assert_int_eq(sp_config_set_key(&c, "algorithm.token_keep", 1.0 / 3.0, err, sizeof err), 0);
    ck_assert_int_eq(sp_config_set_key(&c, "energy.exp_pj", 1e-7, err, sizeof err), 0);
    ck_assert_int_eq(sp_config_set_key(&c, "hardware.dram.kind", SP_DRAM_DDR4, err, sizeof err), 0);
    ck_assert_int_eq(sp_config_check(&c, err, sizeof err), 0);
    echo_round_trip(&c, "awkward values");
    rm_tmpdir();
}
END_TEST

/* The declaration table against the independent key list: the same keys,
 * each default inside its range, each range closed on the model's side. */
START_TEST(table_matches_keys_and_ranges)
{
    ck_assert_int_eq(sp_n_params, NALL);
    for (int i = 0; i < NALL; i++)
        ck_assert_int_ge(sp_param_find(all_keys[i]), 0);
    char err[256];
    for (int k = 0; k < sp_n_params; k++) {
        const sp_param *p = &sp_params[k];
        if (p->type == SP_PT_LIST) { /* entries in [min, max], at most one per layer */
            sp_int_list l = {2, {(int)p->min, (int)p->max}};
            ck_assert_msg(sp_param_list_check(p, &l, err, sizeof err) == 0, "%s", err);
            l.v[1] = (int)p->max + 1;
            ck_assert_int_ne(sp_param_list_check(p, &l, err, sizeof err), 0);
            l.v[1] = (int)p->min - 1;
            ck_assert_int_ne(sp_param_list_check(p, &l, err, sizeof err), 0);
            l.n = SP_MAX_LAYERS + 1;
            ck_assert_int_ne(sp_param_list_check(p, &l, err, sizeof err), 0);
            ck_assert(p->min >= 1 && p->unit && p->doc && *p->doc && p->source && *p->source);
            continue;
        }
        ck_assert_msg(sp_param_check(p, p->def, err, sizeof err) == 0, "%s", err);
        ck_assert(isfinite(p->min) && isfinite(p->max) && p->min <= p->max);
        ck_assert(p->unit && p->doc && *p->doc && p->source && *p->source);
        ck_assert_int_ne(sp_param_check(p, p->max + (p->type == SP_PT_NUM ? p->max : 1), err, sizeof err), 0);
        ck_assert_int_ne(sp_param_check(p, p->min_open ? p->min : p->min - 1, err, sizeof err), 0);
        ck_assert_int_ne(sp_param_check(p, NAN, err, sizeof err), 0);
    }
}
END_TEST

/* Every key at either end of its range (with the others at their
 * defaults) passes the load-time checks, and then the timing, energy and
 * area models run on it with finite results, or the timing model refuses
 * a hardware size the pipeline does not build (sp_tm_geometry: powers of
 * two, least buffer sizes) with a message naming the key. */
START_TEST(models_take_every_bound)
{
    int runs = 0, unbuilt = 0;
    int lists = 0;
    for (int k = 0; k < sp_n_params; k++) {
        const sp_param *p = &sp_params[k];
        if (p->type == SP_PT_LIST) { /* a per-layer list: its run needs a trace (test_controller.c) */
            lists++;
            continue;
        }
        double ends[2] = {p->min_open ? nextafter(p->min, p->max) : p->min, p->max};
        for (int e = 0; e < 2; e++) {
            sp_config c;
            char err[256];
            sp_config_default(&c);
            ck_assert_int_eq(sp_config_set_key(&c, p->path, ends[e], err, sizeof err), 0);
            if (sp_config_check(&c, err, sizeof err)) {
                int key;
                ck_assert_msg(sp_params_cross_check(&c, err, sizeof err, &key) != 0, "%s", err);
                continue; /* a cross-key rule (row_bytes a multiple of burst_bytes, ...) */
            }
            sp_tm_steps st = tm_fixture_steps(3, 96, 128, 20, 2, 0);
            for (size_t i = 0; i < st.n; i++) { /* the config's widths, as a builder sets them */
                st.s[i].q_bits = (uint8_t)c.alg.q_bits;
                st.s[i].k_msb = (uint8_t)c.alg.k_msb;
                st.s[i].k_lsb = (uint8_t)c.alg.k_lsb;
                st.s[i].v_msb = (uint8_t)c.alg.v_msb;
                st.s[i].v_lsb = (uint8_t)c.alg.v_lsb;
            }
            sp_tm_result r;
            if (sp_timing_run(&c, &st, &r, err, sizeof err)) {
                /* only a size the pipeline does not build at the other
                 * keys' defaults (sp_tm_geometry, the RTL's rules), named */
                sp_tm_geom g;
                char gerr[256];
                ck_assert_msg(sp_tm_geometry(&c, 64, &g, gerr, sizeof gerr) != 0 && strstr(err, p->path),
                              "%s = %.17g: the timing model refuses it: %s", p->path, ends[e], err);
                unbuilt++;
                sp_tm_steps_free(&st);
                continue;
            }
            sp_energy_report en;
            sp_energy_compute(&c, &st, &r, &en);
            sp_area_report ar;
            sp_area_compute(&c, &ar);
            ck_assert_msg(r.total_cycles > 0 && isfinite(r.seconds) && isfinite(en.total_pj) &&
                              isfinite(en.avg_power_w) && isfinite(ar.total_mm2),
                          "%s = %.17g: a cost is not finite", p->path, ends[e]);
            sp_tm_steps_free(&st);
            runs++;
        }
    }
    ck_assert_int_ge(runs + unbuilt, 2 * (NALL - lists) - 8);
    printf("test_config: %d of %d key bounds ran through the timing, energy and area models (%d are sizes the "
           "pipeline does not build at the other keys' defaults; the rest break a cross-key rule; list keys: %d, "
           "run in test_controller.c)\n", runs, 2 * (NALL - lists), unbuilt, lists);
}
END_TEST

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* YAML nested 100,000 levels deep fails at the depth limit, fast. */
START_TEST(deep_nesting_fails_fast)
{
    make_tmpdir();
    enum { DEPTH = 100000 };
    static const char *const open_close[][2] = {{"[", "]"}, {"{a: ", "}"}};
    for (int kind = 0; kind < 2; kind++) {
        size_t ol = strlen(open_close[kind][0]), cl = strlen(open_close[kind][1]);
        char *text = malloc(DEPTH * (ol + cl) + 32);
        ck_assert_ptr_nonnull(text);
        size_t n = (size_t)sprintf(text, "hardware: ");
        for (int i = 0; i < DEPTH; i++, n += ol)
            memcpy(text + n, open_close[kind][0], ol);
        for (int i = 0; i < DEPTH; i++, n += cl)
            memcpy(text + n, open_close[kind][1], cl);
        text[n++] = '\n';
        text[n] = '\0';
        char p[256], err[1024], want[512];
        snprintf(p, sizeof p, "%s/deep.yaml", tmpdir);
        cu_write_file(p, text);
        free(text);
        sp_config c;
        double t0 = now_s();
        ck_assert_int_ne(sp_config_load(p, &c, err, sizeof err), 0);
        double dt = now_s() - t0;
        snprintf(want, sizeof want, "%s:1: YAML nests deeper than 16 levels", p);
        ck_assert_str_eq(err, want);
        ck_assert_msg(dt < 1.0, "took %.3f s", dt);
    }
    rm_tmpdir();
}
END_TEST

/* A FIFO as config or include is refused from its type, without blocking
 * on open or read (the test's timeout would catch a hang). */
START_TEST(fifo_refused)
{
    make_tmpdir();
    char fifo[256], p[256], err[1024], want[1024];
    snprintf(fifo, sizeof fifo, "%s/pipe.yaml", tmpdir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    sp_config c;
    ck_assert_int_ne(sp_config_load(fifo, &c, err, sizeof err), 0);
    snprintf(want, sizeof want, "%s:0: cannot open config: not a regular file (a FIFO)", fifo);
    ck_assert_str_eq(err, want);
    snprintf(p, sizeof p, "%s/top.yaml", tmpdir);
    cu_write_file(p, "# includes a FIFO\ninclude: pipe.yaml\n");
    ck_assert_int_ne(sp_config_load(p, &c, err, sizeof err), 0);
    snprintf(want, sizeof want, "%s:2: cannot open include 'pipe.yaml' (%s): not a regular file (a FIFO)", p, fifo);
    ck_assert_str_eq(err, want);
    rm_tmpdir();
}
END_TEST

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expected line of a bad config: its first line "# expect: MESSAGE". */
static void expected_line(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char line[1024] = "";
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    if (strncmp(line, "# expect: ", 10))
        ck_abort_msg("%s: first line must be '# expect: ...'", path);
    snprintf(out, len, "%s", line + 10);
}

/* The error with every "tests/bad/configs/" removed (messages name files
 * as opened, relative to the project root). */
static void strip_dir(const char *in, char *out, size_t len)
{
    size_t n = 0, dl = strlen(BAD_DIR);
    while (*in && n + 1 < len) {
        if (!strncmp(in, BAD_DIR, dl)) {
            in += dl;
            continue;
        }
        out[n++] = *in++;
    }
    out[n] = '\0';
}

START_TEST(bad_configs_give_expected_line)
{
    DIR *d = opendir(BAD_DIR);
    ck_assert_ptr_nonnull(d);
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml")) {
            ck_assert_int_lt(n, 256);
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    ck_assert_int_ge(n, 40);
    for (int i = 0; i < n; i++) {
        char path[512], want[1024], err[1024], got[1024];
        snprintf(path, sizeof path, BAD_DIR "%s", names[i]);
        expected_line(path, want, sizeof want);
        sp_config c, before;
        memset(&c, 0x5a, sizeof c);
        before = c;
        if (!sp_config_load(path, &c, err, sizeof err))
            ck_abort_msg("%s: loaded, expected error '%s'", path, want);
        strip_dir(err, got, sizeof got);
        if (strcmp(got, want))
            ck_abort_msg("%s:\n  want: %s\n  got:  %s", path, want, got);
        if (memcmp(&c, &before, sizeof c))
            ck_abort_msg("%s: a failed load changed the caller's config", path);
        free(names[i]);
    }
    printf("test_config: %d bad configs gave their expected error line\n", n);
}
END_TEST

/* `spattn config show`: exit 2 and the error line for a bad config, no
 * output on stdout; exit 0 and a loadable config for a good one. */
START_TEST(cli_config_show_exit_status)
{
    const char *bin = getenv("SPATTN");
    if (!bin || !*bin) {
        printf("test_config: cli check skipped: SPATTN is not set (make test-unit sets it)\n");
        return;
    }
    make_tmpdir();
    char cmd[1024], out[256], errf[256];
    snprintf(out, sizeof out, "%s/out.yaml", tmpdir);
    snprintf(errf, sizeof errf, "%s/err.txt", tmpdir);
    const char *bad = BAD_DIR "range_kmsb_klsb.yaml";
    snprintf(cmd, sizeof cmd, "'%s' config show %s >%s 2>%s", bin, bad, out, errf);
    int st = system(cmd);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 2);
    struct stat sb;
    ck_assert_int_eq(stat(out, &sb), 0);
    ck_assert_int_eq((int)sb.st_size, 0);
    char want[1024], line[1024] = "";
    expected_line(bad, want, sizeof want);
    FILE *f = fopen(errf, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    char got[1024];
    strip_dir(line, got, sizeof got);
    ck_assert_ptr_nonnull(strstr(got, want));
    /* usage error is also status 2 */
    snprintf(cmd, sizeof cmd, "'%s' config frobnicate >%s 2>%s", bin, out, errf);
    st = system(cmd);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 2);
    /* good config: status 0, output loads back to the same config */
    snprintf(cmd, sizeof cmd, "'%s' config show configs/default.yaml >%s 2>%s", bin, out, errf);
    st = system(cmd);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 0);
    sp_config a, b;
    load_ok("configs/default.yaml", &a);
    load_ok(out, &b);
    assert_same(&a, &b, "config show output");
    rm_tmpdir();
}
END_TEST

/* `spattn run` with a budget list whose length is not the trace's layer
 * count: exit 2, one line naming the config file and both counts, no
 * output directory */
START_TEST(cli_run_budget_length)
{
    const char *bin = getenv("SPATTN");
    if (!bin || !*bin) {
        printf("test_config: cli check skipped: SPATTN is not set (make test-unit sets it)\n");
        return;
    }
    make_tmpdir();
    char cmd[1024], outd[256], errf[256], line[1024] = "", more[8];
    snprintf(outd, sizeof outd, "%s/run", tmpdir);
    snprintf(errf, sizeof errf, "%s/err.txt", tmpdir);
    const char *t = "synth:mode=decode,layers=6,heads=2,d=16,len=40,iters=2";
    snprintf(cmd, sizeof cmd, "'%s' run -c configs/gpt2-release.yaml -t %s -o %s >/dev/null 2>%s", bin, t, outd, errf);
    int st = system(cmd);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 2);
    struct stat sb;
    ck_assert_int_ne(stat(outd, &sb), 0);
    FILE *f = fopen(errf, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_ptr_null(fgets(more, sizeof more, f));
    fclose(f);
    ck_assert_msg(strstr(line, "spattn: configs/gpt2-release.yaml: algorithm.token_budget has 12 entries, trace ") &&
                      strstr(line, " has 6 layers (one entry each)"),
                  "got: %s", line);
    rm_tmpdir();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, paper_is_builtin_default);
    tcase_add_test(tc, default_overrides_paper);
    tcase_add_test(tc, dram_presets_match_configs);
    tcase_add_test(tc, sweep_preset);
    tcase_add_test(tc, every_shipped_config_round_trips);
    tcase_add_test(tc, print_names_every_key_once);
    tcase_add_test(tc, round_trip_awkward_values);
    tcase_add_test(tc, include_override_and_sweep);
    tcase_add_test(tc, empty_and_missing_files);
    tcase_add_test(tc, set_and_get_key);
    tcase_add_test(tc, stats_echo_loads_again);
    tcase_add_test(tc, budget_list_key);
    tcase_add_test(tc, table_matches_keys_and_ranges);
    tcase_add_test(tc, models_take_every_bound);
    tcase_add_test(tc, deep_nesting_fails_fast);
    tcase_add_test(tc, fifo_refused);
    tcase_add_test(tc, bad_configs_give_expected_line);
    tcase_add_test(tc, cli_config_show_exit_status);
    tcase_add_test(tc, cli_run_budget_length);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
