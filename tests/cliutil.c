/* cliutil.c - helpers for the tests that drive the spattn command; see
 * cliutil.h. */
#include "cliutil.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ref.h"

/* reads FILE into buf (at most len - 1 bytes, NUL-terminated; empty when
 * absent) and removes it */
static void take(const char *file, char *buf, size_t len)
{
    FILE *f = fopen(file, "rb");
    size_t n = f ? fread(buf, 1, len - 1, f) : 0;
    buf[n] = 0;
    if (f)
        fclose(f);
    remove(file);
}

int cu_run(const char *bin, const char *args, const char *dir, char *out, size_t on, char *err, size_t en)
{
    char cmd[4096], outf[300], errf[300];
    snprintf(outf, sizeof outf, "%s/stdout", dir);
    snprintf(errf, sizeof errf, "%s/stderr", dir);
    snprintf(cmd, sizeof cmd, "%s %s >%s 2>%s", bin, args, out ? outf : "/dev/null", errf);
    int st = system(cmd);
    if (out)
        take(outf, out, on);
    take(errf, err, en);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int cu_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *cu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (!b)
        return NULL;
    b[n] = 0;
    if (len)
        *len = (size_t)n;
    return b;
}

void cu_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

void cu_expect_bad(const char *bin, const char *args, const char *dir, const char *out, const char *want)
{
    char err[4096];
    int rc = cu_run(bin, args, dir, NULL, 0, err, sizeof err);
    int lines = 0;
    for (const char *s = err; *s; s++)
        lines += *s == '\n';
    ck_assert_msg(rc == 2, "'%s' exited %d, expected 2 (stderr: %s)", args, rc, err);
    ck_assert_msg(lines == 1, "'%s' printed %d lines: %s", args, lines, err);
    ck_assert_msg(strstr(err, want) != NULL, "'%s': stderr '%s' lacks '%s'", args, err, want);
    ck_assert_msg(!cu_exists(out), "'%s' left %s behind", args, out);
}

int cu_run_suite(Suite *s, const char *test, const char *dir)
{
    int failed = ref_run_suite(s);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "%s: could not remove %s\n", test, dir);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int cu_official_csv(const char *test, const char *name, char *path, size_t len)
{
    const char *dir = getenv("SPATTN_WORKLOADS");
    snprintf(path, len, "%s/%s", dir ? dir : "../shared/workloads", name);
    if (access(path, R_OK)) {
        printf("%s: workload CSV checks skipped: %s not readable (set SPATTN_WORKLOADS)\n", test, path);
        return 0;
    }
    return 1;
}
