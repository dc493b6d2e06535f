/* test_cli.c - the spattn command end to end: bad input gives one line on
 * stderr, exit status 2 and no output directory; a good run writes
 * stats.json; two runs write the same bytes; a directory spattn did not
 * write is never replaced; every subcommand's --help lists its options;
 * default output directories, long names, --waves passed to the co-sim.
 * Drives the binary named by $SPATTN (set by `make test`); skips with a
 * printed reason when it is unset. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cliutil.h"

static const char *bin;
static char tmpdir[256];

/* runs "bin ARGS" with stderr captured; returns exit status */
static int run(const char *args, char *errbuf, size_t errlen)
{
    return cu_run(bin, args, tmpdir, NULL, 0, errbuf, errlen);
}

#define SMALL "synth:layers=3,heads=2,d=16,len=40,iters=2,seed=7"

/* each bad invocation: exit 2, exactly one stderr line containing `want`,
 * and the output directory does not appear */
static void expect_bad(const char *args_fmt, const char *want)
{
    char args[1024], out[300];
    snprintf(out, sizeof out, "%s/out_bad", tmpdir);
    snprintf(args, sizeof args, args_fmt, out);
    cu_expect_bad(bin, args, tmpdir, out, want);
}

START_TEST(bad_flags_and_specs)
{
    if (!bin)
        return;
    expect_bad("run -c configs/default.yaml -t " SMALL " -o %s --bogus", "unknown option '--bogus'");
    expect_bad("run -t " SMALL " -o %s", "missing -c CONFIG");
    expect_bad("run -c configs/default.yaml -o %s", "missing -t TRACE");
    expect_bad("run -c configs/default.yaml -t synth:layers=0 -o %s", "bad value '0' for 'layers'");
    expect_bad("run -c configs/default.yaml -t synth:colour=red -o %s", "unknown key 'colour'");
    expect_bad("run -c configs/default.yaml -t nosuch.safetensors -o %s", "nosuch.safetensors");
    expect_bad("run -c configs/nosuch.yaml -t " SMALL " -o %s", "nosuch.yaml");
    expect_bad("run -c configs/default.yaml -t " SMALL " -o %s --engine warp", "unknown engine 'warp'");
    expect_bad("frobnicate %s", "unknown command 'frobnicate'");
}
END_TEST

START_TEST(impossible_config_values)
{
    if (!bin)
        return;
    char cfg[300], args[1024];
    snprintf(cfg, sizeof cfg, "%s/keep.yaml", tmpdir);
    char text[512];
    snprintf(text, sizeof text, "include: %s/configs/default.yaml\nalgorithm:\n  token_keep: 1.5\n",
             getenv("PWD") ? getenv("PWD") : ".");
    cu_write_file(cfg, text);
    snprintf(args, sizeof args, "run -c %s -t " SMALL " -o %%s", cfg);
    expect_bad(args, "keep.yaml:3:");
    snprintf(text, sizeof text, "include: %s/configs/default.yaml\nalgorithm:\n  k_msb: 0\n",
             getenv("PWD") ? getenv("PWD") : ".");
    cu_write_file(cfg, text);
    expect_bad(args, "keep.yaml:3:");
}
END_TEST

START_TEST(good_run_is_deterministic)
{
    if (!bin)
        return;
    char args[1024], err[4096], p1[400], p2[400];
    for (int i = 0; i < 2; i++) {
        snprintf(args, sizeof args, "run -c configs/default.yaml -t " SMALL " -o %s/run%d", tmpdir, i);
        ck_assert_int_eq(run(args, err, sizeof err), 0);
    }
    snprintf(p1, sizeof p1, "%s/run0/stats.json", tmpdir);
    snprintf(p2, sizeof p2, "%s/run1/stats.json", tmpdir);
    size_t n1, n2;
    char *a = cu_slurp(p1, &n1), *b = cu_slurp(p2, &n2);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(n1, n2);
    ck_assert_int_eq(memcmp(a, b, n1), 0);
    ck_assert_ptr_nonnull(strstr(a, "\"outputs_fnv1a64\""));
    free(a);
    free(b);
    /* rerunning into an earlier spattn output replaces it */
    snprintf(args, sizeof args, "run -c configs/default.yaml -t " SMALL " -o %s/run0", tmpdir);
    ck_assert_int_eq(run(args, err, sizeof err), 0);
}
END_TEST

START_TEST(foreign_directory_untouched)
{
    if (!bin)
        return;
    char dir[300], keep[400], args[1024], err[4096];
    snprintf(dir, sizeof dir, "%s/mine", tmpdir);
    mkdir(dir, 0755);
    snprintf(keep, sizeof keep, "%s/thesis.tex", dir);
    cu_write_file(keep, "precious\n");
    snprintf(args, sizeof args, "run -c configs/default.yaml -t " SMALL " -o %s", dir);
    ck_assert_int_eq(run(args, err, sizeof err), 2);
    ck_assert_ptr_nonnull(strstr(err, "was not written by spattn"));
    ck_assert(cu_exists(keep));
}
END_TEST

/* every subcommand and the options its --help must list (written here, not
 * taken from the option tables, so a lost option fails the test) */
static const struct {
    const char *cmd;
    const char *opts[8];
} helps[] = {
    {"run", {"-c, --config CONFIG", "-t, --trace TRACE", "-o, --out DIR", "--engine ENGINE", "--baseline DENSE.csv",
             "--waves FILE.fst", "-h, --help", NULL}},
    {"sweep", {"-c, --config CONFIG", "-t, --trace TRACE", "-o, --out DIR", "-j, --jobs N", "--no-plots", "-h, --help",
               NULL}},
    {"config show", {"CONFIG", "-h, --help", NULL}},
    {"trace info", {"TRACE", "-c, --config CONFIG", "--no-run", "-h, --help", NULL}},
    {"trace gen", {"TRACE", "-c, --config CONFIG", "-o, --out FILE.safetensors", "-h, --help", NULL}},
};
#define N_HELPS (sizeof helps / sizeof helps[0])

START_TEST(help_everywhere)
{
    if (!bin)
        return;
    static char out[65536];
    char args[256], err[4096], want[128];
    for (size_t i = 0; i < N_HELPS; i++)
        for (int h = 0; h < 2; h++) {
            snprintf(args, sizeof args, "%s %s", helps[i].cmd, h ? "-h" : "--help");
            int rc = cu_run(bin, args, tmpdir, out, sizeof out, err, sizeof err);
            ck_assert_msg(rc == 0, "'%s' exited %d", args, rc);
            ck_assert_msg(!err[0], "'%s' wrote to stderr: %s", args, err);
            snprintf(want, sizeof want, "usage: spattn %s", helps[i].cmd);
            ck_assert_msg(!strncmp(out, want, strlen(want)), "'%s' starts: %.80s", args, out);
            for (int k = 0; helps[i].opts[k]; k++)
                ck_assert_msg(strstr(out, helps[i].opts[k]), "'%s' lacks '%s':\n%s", args, helps[i].opts[k], out);
        }
    /* --help wins over the other arguments */
    ck_assert_int_eq(cu_run(bin, "run -c nosuch.yaml --help", tmpdir, out, sizeof out, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: spattn run"));
    /* the first word of a two-word command: help of every command under it */
    ck_assert_int_eq(cu_run(bin, "trace --help", tmpdir, out, sizeof out, err, sizeof err), 0);
    ck_assert(strstr(out, "usage: spattn trace info") && strstr(out, "usage: spattn trace gen"));
    ck_assert_int_eq(cu_run(bin, "config -h", tmpdir, out, sizeof out, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: spattn config show"));
    /* top level: every subcommand and every option, and the output rule */
    for (int h = 0; h < 2; h++) {
        ck_assert_int_eq(cu_run(bin, h ? "-h" : "--help", tmpdir, out, sizeof out, err, sizeof err), 0);
        for (size_t i = 0; i < N_HELPS; i++) {
            snprintf(want, sizeof want, "usage: spattn %s", helps[i].cmd);
            ck_assert_msg(strstr(out, want), "spattn --help lacks '%s'", want);
            for (int k = 0; helps[i].opts[k]; k++)
                ck_assert_msg(strstr(out, helps[i].opts[k]), "spattn --help lacks '%s'", helps[i].opts[k]);
        }
        ck_assert(strstr(out, "--version") && strstr(out, "out-COMMAND"));
        ck_assert_ptr_nonnull(strstr(out, "(default out-run)"));
        ck_assert_ptr_nonnull(strstr(out, "(default out-sweep)"));
    }
    /* no arguments: a short usage on stderr, status 2, nothing on stdout */
    ck_assert_int_eq(cu_run(bin, "", tmpdir, out, sizeof out, err, sizeof err), 2);
    ck_assert_msg(!strncmp(err, "usage: spattn ", 14), "%s", err);
    ck_assert_str_eq(out, "");
}
END_TEST

/* unknown options and missing values: one line naming the option, status
 * 2, no output, for every subcommand */
START_TEST(bad_options_every_command)
{
    if (!bin)
        return;
    const char *R = "run -c configs/default.yaml -t " SMALL " -o %s";
    const char *S = "sweep -c configs/sweep-pruning.yaml -t " SMALL " -o %s";
    char a[1024];
    static const struct {
        const char *fmt, *want;
    } plain[] = {
        {"--bogus %.0s", "unknown option '--bogus'"},
        {"run -c configs/default.yaml -t " SMALL " %.0s-o", "run: option '-o' needs a value"},
        {"run -c configs/default.yaml -o %s -t", "run: option '-t' needs a value"},
        {"run -c -t " SMALL " -o %s", "run: option '-c' needs a value"},
        {"run -c configs/default.yaml -t " SMALL " -o %s extra", "run: unexpected argument 'extra'"},
        {"run -c configs/default.yaml -t " SMALL " -o %s --engine", "run: option '--engine' needs a value"},
        {"run -c configs/default.yaml -t " SMALL " -o %s --waves w.fst", "--waves needs --engine rtl or cosim"},
        {"run -c configs/default.yaml -t " SMALL " -o %s --engine rtl --waves w.vcd", "must name a FILE.fst"},
        {"run -c configs/default.yaml -t " SMALL " -o %s --configx y", "run: unknown option '--configx'"},
        {"sweep -c configs/sweep-pruning.yaml -t " SMALL " -o %s -j", "sweep: option '-j' needs a value"},
        {"sweep -c configs/sweep-pruning.yaml -t " SMALL " -o %s --no-plots=yes",
         "sweep: option '--no-plots' takes no value"},
        {"sweep -c configs/sweep-pruning.yaml -t " SMALL " -o %s -q", "sweep: unknown option '-q'"},
        {"config show configs/default.yaml --bogus%.0s", "config show: unknown option '--bogus'"},
        {"config show%.0s", "config show: missing CONFIG"},
        {"config show configs/default.yaml configs/paper.yaml%.0s", "config show: more than one CONFIG given"},
        {"config%.0s", "config: missing subcommand (known: show)"},
        {"config list%.0s", "config: unknown subcommand 'list' (known: show)"},
        {"trace%.0s", "trace: missing subcommand (known: info, gen)"},
        {"trace info " SMALL " --bogus%.0s", "trace info: unknown option '--bogus'"},
        {"trace info " SMALL " -c%.0s", "trace info: option '-c' needs a value"},
        {"trace gen " SMALL " -o %s/x.safetensors --no-run", "trace gen: unknown option '--no-run'"},
        {"trace gen " SMALL " %.0s-o", "trace gen: option '-o' needs a value"},
        {"trace gen " SMALL "%.0s", "trace gen: missing -o FILE.safetensors"},
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        expect_bad(plain[i].fmt, plain[i].want);
    /* the same unknown option in the middle of good run and sweep lines */
    snprintf(a, sizeof a, "%s --frob", R);
    expect_bad(a, "run: unknown option '--frob'");
    snprintf(a, sizeof a, "%s --frob", S);
    expect_bad(a, "sweep: unknown option '--frob'");
}
END_TEST

/* the long and joined forms of an option set the same value */
START_TEST(option_forms)
{
    if (!bin)
        return;
    char args[1024], err[4096], p[400];
    snprintf(args, sizeof args, "run --config=configs/default.yaml -t" SMALL " --out=%s/eq", tmpdir);
    ck_assert_msg(run(args, err, sizeof err) == 0, "%s", err);
    snprintf(p, sizeof p, "%s/eq/stats.json", tmpdir);
    ck_assert(cu_exists(p));
    snprintf(args, sizeof args, "run -c configs/default.yaml -t " SMALL " -o%s/joined", tmpdir);
    ck_assert_msg(run(args, err, sizeof err) == 0, "%s", err);
    snprintf(p, sizeof p, "%s/joined/stats.json", tmpdir);
    ck_assert(cu_exists(p));
    /* '--' ends the options: a trace name that starts with '-' */
    snprintf(args, sizeof args, "trace info -- -no-such");
    ck_assert_int_eq(run(args, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "-no-such") && !strstr(err, "unknown option"), "%s", err);
}
END_TEST

/* run and sweep without -o: out-run and out-sweep in the current directory */
START_TEST(default_output_dirs)
{
    if (!bin)
        return;
    char absbin[2 * PATH_MAX], cwd[PATH_MAX], dir[400], cmd[3 * PATH_MAX], args[PATH_MAX * 2], err[4096], p[500];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    if (bin[0] == '/')
        snprintf(absbin, sizeof absbin, "%s", bin);
    else
        snprintf(absbin, sizeof absbin, "%s/%s", cwd, bin);
    snprintf(dir, sizeof dir, "%s/cwd", tmpdir);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    snprintf(cmd, sizeof cmd, "cd %s && %s", dir, absbin);
    snprintf(args, sizeof args, "run -c %s/configs/default.yaml -t " SMALL, cwd);
    ck_assert_msg(cu_run(cmd, args, tmpdir, NULL, 0, err, sizeof err) == 0, "%s", err);
    snprintf(p, sizeof p, "%s/out-run/stats.json", dir);
    ck_assert_msg(cu_exists(p), "no %s", p);
    snprintf(args, sizeof args, "sweep -c %s/configs/sweep-pruning.yaml -t " SMALL " --no-plots", cwd);
    ck_assert_msg(cu_run(cmd, args, tmpdir, NULL, 0, err, sizeof err) == 0, "%s", err);
    snprintf(p, sizeof p, "%s/out-sweep/sweep.csv", dir);
    ck_assert_msg(cu_exists(p), "no %s", p);
}
END_TEST

/* a 250-character -o name reaches the output code whole */
START_TEST(long_output_name)
{
    if (!bin)
        return;
    char name[251], args[1024], err[4096], p[400];
    int n = snprintf(name, sizeof name, "%s/", tmpdir);
    memset(name + n, 'L', sizeof name - 1 - (size_t)n);
    name[250] = 0;
    ck_assert_uint_eq(strlen(name), 250);
    snprintf(args, sizeof args, "run -c configs/default.yaml -t " SMALL " -o %s", name);
    ck_assert_msg(run(args, err, sizeof err) == 0, "%s", err);
    snprintf(p, sizeof p, "%s/stats.json", name);
    ck_assert_msg(cu_exists(p), "no %s", p);
    /* a trace file of a 250-character name */
    memcpy(name + 250 - 12, ".safetensors", 12);
    snprintf(args, sizeof args, "trace gen " SMALL " -o %s", name);
    ck_assert_msg(run(args, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(cu_exists(name), "no %s", name);
}
END_TEST

/* --engine rtl|cosim hands -c, -t, --engine and --waves to the co-sim
 * binary ($SPATTN_COSIM; here a script that records its arguments and
 * writes a stats.json, standing in for build/sim/spattn_cosim, which this
 * unit test does not build) */
START_TEST(waves_passed_to_cosim)
{
    if (!bin)
        return;
    char script[300], argf[300], text[1024], args[1024], err[4096], want[600];
    snprintf(script, sizeof script, "%s/cosim.sh", tmpdir);
    snprintf(argf, sizeof argf, "%s/cosim.args", tmpdir);
    snprintf(text, sizeof text,
             "#!/bin/sh\nprintf '%%s\\n' \"$@\" > %s\n"
             "while [ $# -gt 0 ]; do [ \"$1\" = -o ] && echo '{}' > \"$2/stats.json\"; shift; done\n",
             argf);
    cu_write_file(script, text);
    ck_assert_int_eq(chmod(script, 0755), 0);
    setenv("SPATTN_COSIM", script, 1);
    snprintf(args, sizeof args, "run -c configs/default.yaml -t " SMALL " -o %s/rtl --engine cosim --waves %s/w.fst",
             tmpdir, tmpdir);
    int rc = run(args, err, sizeof err);
    unsetenv("SPATTN_COSIM");
    ck_assert_msg(rc == 0, "%s", err);
    char *got = cu_slurp(argf, NULL);
    ck_assert_ptr_nonnull(got);
    snprintf(want, sizeof want, "--engine\ncosim\n--waves\n%s/w.fst\n", tmpdir);
    ck_assert_msg(strstr(got, want), "co-sim arguments:\n%s", got);
    ck_assert_msg(strstr(got, "-c\nconfigs/default.yaml\n-t\n" SMALL "\n-o\n"), "co-sim arguments:\n%s", got);
    free(got);
    snprintf(want, sizeof want, "%s/rtl/stats.json", tmpdir);
    ck_assert(cu_exists(want));
    /* without --waves no --waves goes to the co-sim */
    setenv("SPATTN_COSIM", script, 1);
    snprintf(args, sizeof args, "run -c configs/default.yaml -t " SMALL " -o %s/rtl --engine rtl", tmpdir);
    rc = run(args, err, sizeof err);
    unsetenv("SPATTN_COSIM");
    ck_assert_msg(rc == 0, "%s", err);
    got = cu_slurp(argf, NULL);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(!strstr(got, "--waves") && strstr(got, "--engine\nrtl\n"), "co-sim arguments:\n%s", got);
    free(got);
}
END_TEST

int main(void)
{
    bin = getenv("SPATTN");
    if (!bin)
        printf("test_cli: SPATTN is not set (run through `make test`); CLI checks skipped\n");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/spattn-test-cli.XXXXXX");
    if (!mkdtemp(tmpdir))
        return EXIT_FAILURE;
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bad_flags_and_specs);
    tcase_add_test(tc, impossible_config_values);
    tcase_add_test(tc, good_run_is_deterministic);
    tcase_add_test(tc, foreign_directory_untouched);
    tcase_add_test(tc, help_everywhere);
    tcase_add_test(tc, bad_options_every_command);
    tcase_add_test(tc, option_forms);
    tcase_add_test(tc, default_output_dirs);
    tcase_add_test(tc, long_output_name);
    tcase_add_test(tc, waves_passed_to_cosim);
    suite_add_tcase(s, tc);
    return cu_run_suite(s, "test_cli", tmpdir);
}
