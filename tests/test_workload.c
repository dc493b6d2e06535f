/* test_workload.c - the official workload CSV reader (traces/workload_csv.c):
 * the bad corpus in tests/bad/csv/ (exact error lines), a small good file
 * (rows out of order, CRLF, footer), and the two official files found via
 * SPATTN_WORKLOADS (skipped with a printed reason when absent). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ref.h"
#include "workload.h"

static const struct { const char *file, *msg; } corpus[] = {
    {"empty", ": empty file (no header)"},
    {"header-only", ": no data rows"},
    {"bad-header-name", ":1: header column 3 is 'heads_id', expected 'head_id'"},
    {"short-header", ":1: header has 16 columns, expected 17 (iteration_id,...,topk)"},
    {"nul-byte", ":1: line contains a NUL byte"},
    {"too-few-fields", ":2: 16 fields, expected 17"},
    {"too-many-fields", ":2: 18 fields, expected 17"},
    {"not-integer", ":2: column 'layer_id': '1x' is not an integer"},
    {"quoted-field", ":2: column 'head_id': '\"1\"' is not an integer"},
    {"huge-number", ":2: column 'iteration_id': 99999999999999999999 is out of range 0..16383"},
    {"layer-out-of-range", ":2: column 'layer_id': 64 is out of range 0..63"},
    {"negative-len", ":2: column 'sentence_length_L': -5 is out of range 1..16384"},
    {"d-not-whole", ":2: column 'embedding_length_D': 64.5 is not a whole number in 1..256"},
    {"d-differs", ":3: column 'embedding_length_D': 32 differs from 64 on line 2"},
    {"keys-exceed-len", ":2: column 'key_fetch_num': 994 keys exceed sentence_length_L 993"},
    {"values-exceed-keys", ":2: column 'value_fetch_num': 101 values exceed key_fetch_num 100"},
    {"bad-bool", ":2: column 'if_requant': 'true' is not True or False"},
    {"bits-out-of-range", ":2: column 'quant_key_bit': 17 is out of range (-1 or 1..16)"},
    {"bits-zero", ":2: column 'quant_value_bit': 0 is out of range (-1 or 1..16)"},
    {"tau-out-of-range", ":2: column 'auto_requant_thres': 1.5 is out of range (-1 or (0, 1])"},
    {"tau-not-number", ":2: column 'auto_requant_thres': '0.05x' is not a number"},
    {"requant-no-lsb", ":2: column 'auto_requant_incre': if_requant is True but 0 LSB bits are added"},
    {"requant-full-width", ":2: column 'if_requant': True, but keys are full width (quant_key_bit -1): nothing to refetch"},
    {"topk-disagrees", ":2: column 'topk': -1 does not agree with if_topk True"},
    {"topk-exceeds-len", ":2: column 'topk': k 1000 exceeds sentence_length_L 993"},
    {"empty-field", ":2: column 'sentence_length_L': empty"},
    {"empty-line", ":3: empty line"},
    {"duplicate-step", ":4: head-step (iteration 0, layer 0, head 0) already given on line 2"},
    {"missing-step", ": head-step (iteration 0, layer 0, head 1) is missing (3 rows for a 1 x 2 x 2 grid)"},
    {"footer-not-last", ":3: the config-name line must be the last line"},
};

START_TEST(bad_corpus)
{
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        char path[256], want[512], err[512] = "";
        snprintf(path, sizeof path, "tests/bad/csv/%s.csv", corpus[i].file);
        snprintf(want, sizeof want, "%s%s", path, corpus[i].msg);
        sp_workload w;
        ck_assert_msg(sp_workload_load_csv(path, &w, err, sizeof err) == -1, "%s accepted", path);
        ck_assert_str_eq(err, want);
        ck_assert_ptr_null(w.rows);
        ck_assert_uint_eq(w.n, 0);
    }
    char err[512];
    sp_workload w;
    ck_assert_int_eq(sp_workload_load_csv("tests/bad/csv/nope.csv", &w, err, sizeof err), -1);
    ck_assert_str_eq(err, "tests/bad/csv/nope.csv: cannot open: No such file or directory");
    ck_assert_int_eq(sp_workload_load_csv("tests/bad/csv", &w, err, sizeof err), -1);
    ck_assert_str_eq(err, "tests/bad/csv: not a regular file");
}
END_TEST

#define HDR "iteration_id,layer_id,head_id,embedding_length_D,sentence_length_L,key_fetch_num,quant_key_bit," \
            "quant_query_bit,auto_requant_thres,if_requant,auto_requant_incre,value_fetch_num,quant_value_bit," \
            "if_accumulate_importance,if_rescale_previous_importance,if_topk,topk"

START_TEST(small_good_file)
{
    char path[] = "/tmp/sp_wl_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    /* 2 iterations x 1 layer x 2 heads, out of order, CRLF, footer line */
    fputs(HDR "\r\n"
          "1,0,1,32,11,5,4,8,0.1,False,2,3,-1,False,False,False,-1\r\n"
          "0,0,0,32.0,10,10,-1,-1,-1,False,-1,10,-1,False,False,False,-1\r\n"
          "1,0,0,32,11,6,4,8,0.1,True,2,2,5,True,True,True,4\r\n"
          "0,0,1,32,10,10,-1,-1,-1,False,-1,9,-1,True,False,False,-1\r\n"
          "my/config.yml,,,,,,,,,,,,,,,,\r\n", f);
    fclose(f);
    sp_workload w;
    char err[512];
    ck_assert_msg(sp_workload_load_csv(path, &w, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(w.n, 4);
    ck_assert_int_eq(w.iters, 2);
    ck_assert_int_eq(w.layers, 1);
    ck_assert_int_eq(w.heads, 2);
    ck_assert_int_eq(w.d, 32);
    ck_assert_str_eq(w.footer, "my/config.yml");
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(w.rows[i].iter, (int)i / 2);
        ck_assert_int_eq(w.rows[i].head, (int)i % 2);
    }
    const sp_wl_row *r = &w.rows[2];
    ck_assert_int_eq(r->len, 11);
    ck_assert_int_eq(r->keys, 6);
    ck_assert_int_eq(r->k_bits, 4);
    ck_assert_int_eq(r->q_bits, 8);
    ck_assert_double_eq(r->tau, 0.1);
    ck_assert_int_eq(r->requant, 1);
    ck_assert_int_eq(r->lsb_incr, 2);
    ck_assert_int_eq(r->values, 2);
    ck_assert_int_eq(r->v_bits, 5);
    ck_assert_int_eq(r->acc_imp, 1);
    ck_assert_int_eq(r->rescale_imp, 1);
    ck_assert_int_eq(r->topk_flag, 1);
    ck_assert_int_eq(r->topk_k, 4);
    ck_assert_int_eq(w.rows[0].k_bits, -1);
    ck_assert_double_eq(w.rows[0].tau, -1.0);
    sp_wl_summary s;
    sp_workload_summarize(&w, 12, &s);
    ck_assert_int_eq(s.len_min, 10);
    ck_assert_int_eq(s.len_max, 11);
    ck_assert_uint_eq(s.keys_sum, 31);
    ck_assert_uint_eq(s.values_sum, 24);
    ck_assert_uint_eq(s.requants, 1);
    ck_assert_uint_eq(s.topk_runs, 1);
    /* (10*12 + 10*12) + (10*12 + 9*12) + (6*4 + 2*5) + (5*4 + 3*12), times d 32 */
    ck_assert_uint_eq(s.kv_bits, (unsigned long long)(240 + 228 + 34 + 56) * 32);
    ck_assert_uint_eq(s.kv_bits_lsb, 6ULL * 2 * 32);
    ck_assert_int_eq(s.k_bits_min, 4);
    ck_assert_int_eq(s.k_bits_max, 12);
    sp_workload_free(&w);
    remove(path);
}
END_TEST

/* every single-byte change of a small valid file parses or fails with a
 * "FILE:" message; under ASan any over-read fails the test */
START_TEST(byte_flip_fuzz)
{
    static const char good[] = HDR "\n"
                               "0,0,0,32.0,10,10,-1,-1,-1,False,-1,10,-1,False,False,False,-1\n"
                               "0,0,1,32,10,8,4,8,0.1,True,2,3,5,True,True,True,4\n"
                               "cfg.yml,,,,,,,,,,,,,,,,\n";
    static const char vals[] = {',', '\n', '\r', '-', '0', '9', '.', 'T', 'x', ' ', '"', 0};
    char path[] = "/tmp/sp_wlf_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char buf[sizeof good];
    int ok = 0, bad = 0;
    size_t n = sizeof good - 1;
    for (size_t pos = strlen(HDR); pos < n; pos += ref_sanitize() ? 2 : 1)
        for (size_t v = 0; v < sizeof vals; v++) {
            if (good[pos] == vals[v])
                continue;
            memcpy(buf, good, sizeof good);
            buf[pos] = vals[v];
            FILE *f = fopen(path, "wb");
            fwrite(buf, 1, n, f);
            fclose(f);
            sp_workload w;
            char err[512];
            if (sp_workload_load_csv(path, &w, err, sizeof err) == 0) {
                ck_assert_uint_eq(w.n, (size_t)w.iters * w.layers * w.heads);
                sp_workload_free(&w);
                ok++;
            } else {
                ck_assert_msg(!strncmp(err, path, strlen(path)) && err[strlen(path)] == ':', "%s", err);
                bad++;
            }
        }
    ck_assert_int_gt(ok, 0);
    ck_assert_int_gt(bad, ok);
    remove(path);
}
END_TEST

static int official(const char *name, char *path, size_t n)
{
    const char *dir = getenv("SPATTN_WORKLOADS");
    if (!dir || !*dir) {
        printf("official workloads: skipped: SPATTN_WORKLOADS is not set (the Makefile sets it)\n");
        return 0;
    }
    snprintf(path, n, "%s/%s", dir, name);
    if (access(path, R_OK)) {
        printf("official workloads: skipped: %s is absent\n", path);
        return 0;
    }
    return 1;
}

START_TEST(official_pruned)
{
    char path[1024], err[1024];
    if (!official("gpt2-small-wikitext2-pruned.csv", path, sizeof path))
        return;
    sp_workload w;
    ck_assert_msg(sp_workload_load_csv(path, &w, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(w.n, 4608);
    ck_assert_int_eq(w.iters, 32);
    ck_assert_int_eq(w.layers, 12);
    ck_assert_int_eq(w.heads, 12);
    ck_assert_int_eq(w.d, 64);
    ck_assert_ptr_nonnull(strstr(w.footer, ".yml"));
    sp_wl_summary s;
    sp_workload_summarize(&w, 12, &s);
    ck_assert_int_eq(s.len_min, 993);
    ck_assert_int_eq(s.len_max, 1024);
    ck_assert_uint_eq(s.requants, 323);
    ck_assert_uint_eq(s.topk_runs, 124);
    ck_assert_int_eq(s.k_bits_min, 6);
    ck_assert_int_eq(s.k_bits_max, 6);
    /* README of the official files: dense 12-bit K+V / pruned K+V MSBs = 12.08 */
    double ratio = (double)s.len_sum * 24.0 * w.d / (double)s.kv_bits;
    ck_assert_msg(fabs(ratio - 12.08) < 0.005, "ratio %.4f", ratio);
    /* iteration i has context 993 + i on every head */
    for (size_t i = 0; i < w.n; i++)
        ck_assert_int_eq(w.rows[i].len, 993 + w.rows[i].iter);
    sp_workload_free(&w);
}
END_TEST

START_TEST(official_dense)
{
    char path[1024], err[1024];
    if (!official("gpt2-small-wikitext2-dense.csv", path, sizeof path))
        return;
    sp_workload w;
    ck_assert_msg(sp_workload_load_csv(path, &w, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(w.n, 4608);
    sp_wl_summary s;
    sp_workload_summarize(&w, 12, &s);
    ck_assert_uint_eq(s.keys_sum, s.len_sum);
    ck_assert_uint_eq(s.values_sum, s.len_sum);
    ck_assert_uint_eq(s.requants, 0);
    ck_assert_uint_eq(s.kv_bits, s.len_sum * 24ULL * 64);
    sp_workload_free(&w);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("workload");
    TCase *tc = tcase_create("workload");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bad_corpus);
    tcase_add_test(tc, small_good_file);
    tcase_add_test(tc, byte_flip_fuzz);
    tcase_add_test(tc, official_pruned);
    tcase_add_test(tc, official_dense);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
