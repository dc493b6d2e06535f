/* test_cli.c - the spattn command end to end: bad input gives one line on
 * stderr, exit status 2 and no output directory; a good run writes
 * stats.json; two runs write the same bytes; a directory spattn did not
 * write is never replaced. Drives the binary named by $SPATTN (set by
 * `make test`); skips with a printed reason when it is unset. */
#include <check.h>
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
    suite_add_tcase(s, tc);
    return cu_run_suite(s, "test_cli", tmpdir);
}
