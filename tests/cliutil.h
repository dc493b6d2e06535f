/* cliutil.h - helpers for the tests that drive the spattn command
 * (test_cli, test_sweep, test_trace_open, test_config, test_workload): run it with its
 * output captured, check for a file, read or write a whole file, and the
 * common bad-input check. Linked into every test (top Makefile). */
#ifndef SP_TEST_CLIUTIL_H
#define SP_TEST_CLIUTIL_H
#include <stddef.h>
#include <check.h>

/* runs "BIN ARGS" with stderr captured in err (NUL-terminated, at most
 * en - 1 bytes) and stdout in out (or thrown away when out is NULL); the
 * capture files live in DIR and are removed afterwards. Returns the exit
 * status, -1 when the command did not exit normally. */
int cu_run(const char *bin, const char *args, const char *dir, char *out, size_t on, char *err, size_t en);
/* 1 when PATH exists */
int cu_exists(const char *path);
/* the whole file, NUL-terminated (malloc'd; the caller frees), its length
 * in *len when len is not NULL; NULL when it cannot be read */
char *cu_slurp(const char *path, size_t *len);
/* writes TEXT to PATH, failing the running Check test on error */
void cu_write_file(const char *path, const char *text);
/* the bad-input contract of docs: "BIN ARGS" exits 2, prints exactly one
 * stderr line that contains WANT, and OUT does not appear */
void cu_expect_bad(const char *bin, const char *args, const char *dir, const char *out, const char *want);
/* path of the official workload CSV NAME (SPATTN_WORKLOADS, default
 * ../shared/workloads) in path; 1 when readable, else 0 after a line saying
 * TEST skips its workload checks */
int cu_official_csv(const char *test, const char *name, char *path, size_t len);
/* runs the suite, then removes DIR (rm -rf; a line on stderr naming TEST
 * when that fails); EXIT_SUCCESS when every check passed */
int cu_run_suite(Suite *s, const char *test, const char *dir);

#endif
