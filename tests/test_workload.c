/* test_workload.c - the official workload CSV reader (traces/workload_csv.c):
 * the bad corpus in tests/bad/csv/ (exact error lines; FIFO, device and
 * directory refused), a small good file (rows out of order, CRLF, footer),
 * the two official files found via SPATTN_WORKLOADS (skipped with a printed
 * reason when absent) and variants of them written into a temporary
 * directory (head-pruned, shuffled, footer removed: read, reported by
 * `spattn trace info`, run by `spattn run` with nothing fetched for absent
 * heads), and the --baseline shape check. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cJSON.h>
#include "cliutil.h"
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
    {"layer-out-of-range", ":2: column 'layer_id': 128 is out of range 0..127"},
    {"negative-len", ":2: column 'sentence_length_L': -5 is out of range 1..16384"},
    {"d-not-whole", ":2: column 'embedding_length_D': 64.5 is not a whole number in 1..256"},
    {"d-differs", ":3: column 'embedding_length_D': 32 differs from 64 on line 2"},
    {"keys-exceed-len", ":2: column 'key_fetch_num': 994 keys exceed sentence_length_L 993"},
    {"values-exceed-keys", ":2: column 'value_fetch_num': 101 values exceed key_fetch_num 100"},
    {"bad-bool", ":2: column 'if_requant': 'true' is not True or False"},
    {"bits-out-of-range", ":2: column 'quant_key_bit': 17 is out of range (-1 or 1..16)"},
    {"bits-zero", ":2: column 'quant_value_bit': 0 is out of range (-1 or 1..16)"},
    {"tau-out-of-range", ":2: column 'auto_requant_thres': 1.5 is out of range (-1 or (0, 1])"},
    {"tau-not-number", ":2: column 'auto_requant_thres': '0.05x' is not a decimal number"},
    {"requant-no-lsb", ":2: column 'auto_requant_incre': if_requant is True but 0 LSB bits are added"},
    {"requant-full-width", ":2: column 'if_requant': True, but keys are full width (quant_key_bit -1): nothing to refetch"},
    {"topk-disagrees", ":2: column 'topk': -1 does not agree with if_topk True"},
    {"topk-exceeds-len", ":2: column 'topk': k 1000 exceeds sentence_length_L 993"},
    {"empty-field", ":2: column 'sentence_length_L': empty"},
    {"empty-line", ":3: empty line"},
    {"duplicate-step", ":4: head-step (iteration 0, layer 0, head 0) already given on line 2"},
    {"head-returns", ":4: head 1 of iteration 0 is back in layer 1 after it was pruned (absent from layer 0)"},
    {"empty-layer", ":4: layer 1 of iteration 0 has no rows, but layer 2 (this line) does"},
    {"empty-iteration", ":3: iteration 1 has no rows, but iteration 2 (this line) does"},
    {"hex-integer", ":2: column 'sentence_length_L': '0x40' is not an integer"},
    {"hex-float", ":2: column 'auto_requant_thres': '0x1p-4' is not a decimal number"},
    {"hex-d", ":2: column 'embedding_length_D': '0x40' is not a decimal number"},
    {"exponent-integer", ":2: column 'key_fetch_num': '1e3' is not an integer"},
    {"plus-sign", ":2: column 'head_id': '+1' is not an integer"},
    {"plus-sign-real", ":2: column 'embedding_length_D': '+64.0' is not a decimal number"},
    {"space-in-number", ":2: column 'sentence_length_L': '99 3' is not an integer"},
    {"space-before-real", ":2: column 'auto_requant_thres': ' 0.05' is not a decimal number"},
    {"tau-inf", ":2: column 'auto_requant_thres': 'inf' is not a decimal number"},
    {"tau-overflow", ":2: column 'auto_requant_thres': 1e999 is out of range"},
    {"key-width", ":2: column 'auto_requant_incre': quant_key_bit 14 + 4 LSB bits exceed 16 bits per element"},
    {"value-width", ":2: column 'auto_requant_incre': quant_value_bit 13 + 4 LSB bits exceed 16 bits per element"},
    {"footer-not-last", ":3: the config-name line must be the last line"},
};

/* the run-config line's requant rule names the planes that get the LSBs */
START_TEST(refetch_rule)
{
    static const struct { const char *footer; int k, v; } cases[] = {
        {"configs/gpt2/wikitext2/gpt2_pp11+consider1000+requant0p05_inc4_k+vtie+part8+batch8.yml", 1, 0},
        {"x+requant0p1_inc2_v+y.yml", 0, 1},
        {"x+requant0p1_inc4_kv+y.yml", 1, 1},
        {"x+requant0p1_inc4+y.yml", 1, 1},
        {"x+requant0p1_inc4_k.yml", 1, 0},
        {"x+inc4_k+y.yml", 1, 1}, /* no requant rule */
        {"", 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int k = -1, v = -1;
        sp_workload_refetch_rule(cases[i].footer, &k, &v);
        ck_assert_msg(k == cases[i].k && v == cases[i].v, "'%s': k %d v %d", cases[i].footer, k, v);
    }
}
END_TEST

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
    ck_assert_str_eq(err, "tests/bad/csv: not a regular file (a directory); give a regular file");
    ck_assert_int_eq(sp_workload_load_csv("/dev/zero", &w, err, sizeof err), -1);
    ck_assert_str_eq(err, "/dev/zero: not a regular file (a character device); give a regular file");
    /* a FIFO with no writer is refused at once (the open must not block;
     * the test's timeout catches a hang) */
    char dir[] = "/tmp/sp_wlp_XXXXXX", fifo[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/w.csv", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(sp_workload_load_csv(fifo, &w, err, sizeof err), -1);
    char want[128];
    snprintf(want, sizeof want, "%s: not a regular file (a FIFO); give a regular file", fifo);
    ck_assert_str_eq(err, want);
    remove(fifo);
    rmdir(dir);
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
                size_t act = 0;
                for (int i = 0; i < w.iters * w.layers; i++)
                    act += (size_t)w.heads_active[i];
                ck_assert_uint_eq(act, w.n);
                ck_assert_uint_eq(w.n + w.heads_pruned, (size_t)w.iters * w.layers * w.heads);
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

/* ---- head-pruned, shuffled and footer-less variants of the official
 * pruned file, written into a temporary directory ---- */

typedef struct {
    char **line; /* data rows */
    size_t n;
    char hdr[1024], footer[1024];
} lines_t;

static void read_lines(const char *path, lines_t *L)
{
    memset(L, 0, sizeof *L);
    size_t len;
    char *text = cu_slurp(path, &len);
    ck_assert_ptr_nonnull(text);
    size_t cap = 0;
    int first = 1;
    for (char *p = text, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        *nl = 0;
        if (first) {
            snprintf(L->hdr, sizeof L->hdr, "%s", p);
            first = 0;
        } else if (*p < '0' || *p > '9') {
            snprintf(L->footer, sizeof L->footer, "%s", p);
        } else {
            if (L->n == cap) {
                cap = cap ? cap * 2 : 1024;
                L->line = realloc(L->line, cap * sizeof *L->line);
                ck_assert_ptr_nonnull(L->line);
            }
            L->line[L->n] = strdup(p);
            ck_assert_ptr_nonnull(L->line[L->n]);
            L->n++;
        }
    }
    free(text);
}

static void free_lines(lines_t *L)
{
    for (size_t i = 0; i < L->n; i++)
        free(L->line[i]);
    free(L->line);
}

/* rows kept by a cascade that prunes one more head at each layer from
 * layer 4 on (the highest ids go, as in the release's head-pruned files) */
static int kept(int layer, int head)
{
    return layer < 4 || head < 12 - (layer - 3);
}

/* the text after the 15th comma: "if_topk,topk" */
static char *topk_part(char *row)
{
    char *p = row;
    for (int i = 0; i < 15; i++)
        p = strchr(p, ',') + 1;
    return p;
}

/* writes a variant of L: prune (drop the rows of pruned heads; a top-k
 * flag on a dropped row moves to the last kept row of its layer), shuffle
 * (deterministic), footer (keep the config-name line) */
static void write_variant(const lines_t *L, const char *path, int prune, int shuffle, int footer)
{
    char **v = malloc(L->n * sizeof *v);
    ck_assert_ptr_nonnull(v);
    size_t n = 0, gn = 0; /* gn: rows kept so far when the current layer began */
    char moved[32] = "";
    int git = -1, gl = -1;
    for (size_t i = 0; i <= L->n; i++) {
        int it = -2, l = -2, h = 0;
        if (i < L->n)
            ck_assert_int_eq(sscanf(L->line[i], "%d,%d,%d,", &it, &l, &h), 3);
        if (it != git || l != gl) {
            /* a layer ends: its top-k flag goes on its last kept row */
            if (moved[0] && n > gn) {
                char *row = v[n - 1];
                size_t pre = (size_t)(topk_part(row) - row);
                char *row2 = malloc(pre + sizeof moved);
                ck_assert_ptr_nonnull(row2);
                memcpy(row2, row, pre);
                strcpy(row2 + pre, moved);
                free(row);
                v[n - 1] = row2;
            }
            moved[0] = 0;
            gn = n;
            git = it;
            gl = l;
        }
        if (i == L->n)
            break;
        if (prune && !kept(l, h)) {
            if (!strncmp(topk_part(L->line[i]), "True", 4))
                snprintf(moved, sizeof moved, "%s", topk_part(L->line[i]));
            continue;
        }
        v[n] = strdup(L->line[i]);
        ck_assert_ptr_nonnull(v[n]);
        n++;
    }
    if (shuffle) {
        uint64_t x = 88172645463325252ULL;
        for (size_t i = n - 1; i > 0; i--) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t j = (size_t)(x % (i + 1));
            char *t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
    }
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%s\n", L->hdr);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s\n", v[i]);
        free(v[i]);
    }
    if (footer && L->footer[0])
        fprintf(f, "%s\n", L->footer);
    fclose(f);
    free(v);
}

static void same_rows(const sp_workload *a, const sp_workload *b)
{
    ck_assert_uint_eq(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        sp_wl_row x = a->rows[i], y = b->rows[i];
        x.line = y.line = 0;
        ck_assert_msg(!memcmp(&x, &y, sizeof x), "row %zu differs", i);
    }
}

static const char *spattn(void)
{
    const char *s = getenv("SPATTN");
    return s && *s ? s : "build/spattn";
}

/* stats.json of `spattn run -c configs/paper.yaml -t CSV -o DIR/NAME` */
static cJSON *run_stats(const char *csv, const char *dir, const char *name)
{
    char args[2048], out[4096], er[4096], path[1024];
    snprintf(args, sizeof args, "run -c configs/paper.yaml -t %s -o %s/%s", csv, dir, name);
    int rc = cu_run(spattn(), args, dir, out, sizeof out, er, sizeof er);
    ck_assert_msg(rc == 0, "spattn %s: exit %d: %s", args, rc, er);
    snprintf(path, sizeof path, "%s/%s/stats.json", dir, name);
    char *text = cu_slurp(path, NULL);
    ck_assert_ptr_nonnull(text);
    cJSON *j = cJSON_Parse(text);
    free(text);
    ck_assert_ptr_nonnull(j);
    return j;
}

static double dram_bytes(const cJSON *j, const char *kind)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "timing");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(t, "dram");
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(d, "data_by_kind");
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(k, kind);
    ck_assert_msg(cJSON_IsNumber(x), "stats.json: timing.dram.data_by_kind.%s missing", kind);
    return x->valuedouble;
}

START_TEST(official_variants)
{
    char src[1024], err[1024];
    if (!official("gpt2-small-wikitext2-pruned.csv", src, sizeof src))
        return;
    char dir[] = "/tmp/sp_wlv_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    lines_t L;
    read_lines(src, &L);
    ck_assert_uint_eq(L.n, 4608);
    char full_sh[256], hp[256], hp_sh[256];
    snprintf(full_sh, sizeof full_sh, "%s/full-shuffled.csv", dir);
    snprintf(hp, sizeof hp, "%s/head-pruned.csv", dir);
    snprintf(hp_sh, sizeof hp_sh, "%s/head-pruned-shuffled.csv", dir);
    write_variant(&L, full_sh, 0, 1, 0);
    write_variant(&L, hp, 1, 0, 1);
    write_variant(&L, hp_sh, 1, 1, 0);

    sp_workload w0, w1, w2, w3;
    ck_assert_msg(sp_workload_load_csv(src, &w0, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(sp_workload_load_csv(full_sh, &w1, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(sp_workload_load_csv(hp, &w2, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(sp_workload_load_csv(hp_sh, &w3, err, sizeof err) == 0, "%s", err);
    /* shuffled rows, no footer: the same workload */
    same_rows(&w0, &w1);
    ck_assert_str_eq(w1.footer, "");
    ck_assert_uint_eq(w0.heads_pruned, 0);
    /* head-pruned: H from the file, absent rows counted per layer */
    ck_assert_str_eq(w2.footer, w0.footer);
    ck_assert_str_eq(w3.footer, "");
    same_rows(&w2, &w3);
    ck_assert_int_eq(w2.iters, 32);
    ck_assert_int_eq(w2.layers, 12);
    ck_assert_int_eq(w2.heads, 12);
    ck_assert_uint_eq(w2.n, 4608 - 32 * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8));
    ck_assert_uint_eq(w2.heads_pruned, 32 * 36);
    for (int it = 0; it < 32; it++)
        for (int l = 0; l < 12; l++)
            ck_assert_int_eq(w2.heads_active[it * 12 + l], l < 4 ? 12 : 12 - (l - 3));
    for (size_t i = 0; i < w2.n; i++)
        ck_assert(kept(w2.rows[i].layer, w2.rows[i].head));
    sp_wl_summary s0, s2;
    sp_workload_summarize(&w0, 12, &s0);
    sp_workload_summarize(&w2, 12, &s2);
    ck_assert_uint_eq(s2.topk_runs, s0.topk_runs); /* the moved flags */
    ck_assert_uint_eq(s2.grid_len_sum, s0.grid_len_sum);
    ck_assert_uint_lt(s2.keys_sum, s0.keys_sum);
    /* a dense file is the baseline of both */
    char dense[1024];
    if (official("gpt2-small-wikitext2-dense.csv", dense, sizeof dense)) {
        sp_workload b;
        ck_assert_msg(sp_workload_load_csv(dense, &b, err, sizeof err) == 0, "%s", err);
        ck_assert_msg(sp_workload_check_baseline(&w0, &b, err, sizeof err) == 0, "%s", err);
        ck_assert_msg(sp_workload_check_baseline(&w2, &b, err, sizeof err) == 0, "%s", err);
        /* ... but a head-pruned file is not a baseline of the full one */
        ck_assert_int_eq(sp_workload_check_baseline(&w0, &w2, err, sizeof err), -1);
        char want[2048];
        snprintf(want, sizeof want, "%s: baseline has no head-step (iteration 0, layer 4, head 11) of %s:61: not its "
                 "baseline", hp, src);
        ck_assert_str_eq(err, want);
        sp_workload_free(&b);
    }

    if (!access(spattn(), X_OK)) {
        /* trace info: heads pruned per layer */
        char args[1024], out[16384], er[4096];
        snprintf(args, sizeof args, "trace info %s", hp_sh);
        ck_assert_int_eq(cu_run(spattn(), args, dir, out, sizeof out, er, sizeof er), 0);
        ck_assert_msg(strstr(out, "heads pruned     1152 of 4608 head-steps"), "%s", out);
        ck_assert_msg(strstr(out, "  layer 3        0 (0..0)\n  layer 4        32 (1..1)\n"), "%s", out);
        ck_assert_msg(strstr(out, "  layer 11       256 (8..8)\n"), "%s", out);
        snprintf(args, sizeof args, "trace info %s", full_sh);
        ck_assert_int_eq(cu_run(spattn(), args, dir, out, sizeof out, er, sizeof er), 0);
        ck_assert_msg(strstr(out, "heads pruned     none"), "%s", out);
        /* run: nothing fetched for absent heads; key MSB bytes are exactly
         * those of the rows present (6-bit keys, D 64: 48 bytes a key) */
        cJSON *jf = run_stats(full_sh, dir, "full"), *jp = run_stats(hp_sh, dir, "pruned");
        ck_assert_double_eq(dram_bytes(jf, "k_msb_bytes"), (double)s0.keys_sum * 48);
        ck_assert_double_eq(dram_bytes(jp, "k_msb_bytes"), (double)s2.keys_sum * 48);
        ck_assert_double_lt(dram_bytes(jp, "total_bytes"), dram_bytes(jf, "total_bytes"));
        ck_assert_double_lt(dram_bytes(jp, "v_bytes"), dram_bytes(jf, "v_bytes"));
        /* the derived dense baseline covers the full grid, pruned heads
         * included: the same as the unpruned file's */
        const cJSON *dbf = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(jf, "dense_baseline"),
                                                            "timing");
        const cJSON *dbp = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(jp, "dense_baseline"),
                                                            "timing");
        ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(dbp, "total_cycles"));
        ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(dbp, "total_cycles")->valuedouble,
                            cJSON_GetObjectItemCaseSensitive(dbf, "total_cycles")->valuedouble);
        ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(dbp, "head_steps_count")->valuedouble, 4608);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(jp, "timing");
        ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(t, "head_steps_count")->valuedouble, (double)w2.n);
        cJSON_Delete(jf);
        cJSON_Delete(jp);
    } else {
        printf("official_variants: CLI part skipped: %s not built\n", spattn());
    }
    sp_workload_free(&w0);
    sp_workload_free(&w1);
    sp_workload_free(&w2);
    sp_workload_free(&w3);
    free_lines(&L);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* --baseline: a CSV of another shape is refused with the mismatch named */
START_TEST(baseline_shape)
{
    char dense[1024], pruned[1024], err[2048];
    if (!official("gpt2-small-wikitext2-dense.csv", dense, sizeof dense) ||
        !official("gpt2-small-wikitext2-pruned.csv", pruned, sizeof pruned))
        return;
    char dir[] = "/tmp/sp_wlb_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    lines_t L;
    read_lines(dense, &L);
    char d32[256], it31[256], len[256];
    snprintf(d32, sizeof d32, "%s/d32.csv", dir);
    snprintf(it31, sizeof it31, "%s/it31.csv", dir);
    snprintf(len, sizeof len, "%s/len.csv", dir);
    FILE *a = fopen(d32, "w"), *b = fopen(it31, "w"), *c = fopen(len, "w");
    ck_assert(a && b && c);
    fprintf(a, "%s\n", L.hdr);
    fprintf(b, "%s\n", L.hdr);
    fprintf(c, "%s\n", L.hdr);
    for (size_t i = 0; i < L.n; i++) {
        char *p = strstr(L.line[i], ",64.0,");
        ck_assert_ptr_nonnull(p);
        fprintf(a, "%.*s,32.0,%s\n", (int)(p - L.line[i]), L.line[i], p + 6);
        if (strncmp(L.line[i], "31,", 3))
            fprintf(b, "%s\n", L.line[i]);
        if (!strncmp(L.line[i], "5,3,2,", 6)) /* line 2 + 5*144 + 3*12 + 2 = 760 */
            fprintf(c, "5,3,2,64.0,999,998,-1,-1,-1,False,-1,998,-1,False,False,False,-1\n");
        else
            fprintf(c, "%s\n", L.line[i]);
    }
    fclose(a);
    fclose(b);
    fclose(c);
    sp_workload w, x;
    ck_assert_msg(sp_workload_load_csv(pruned, &w, err, sizeof err) == 0, "%s", err);
    static const char *const want[3] = {
        "%s: baseline embedding_length_D 32 differs from 64 in the run's workload %s: not its baseline",
        "%s: baseline iterations 31 differs from 32 in the run's workload %s: not its baseline",
        "%s:760: baseline sentence_length_L 999 differs from 998 on %s:760: not its baseline",
    };
    const char *files[3] = {d32, it31, len};
    for (int i = 0; i < 3; i++) {
        char exp[2048];
        ck_assert_msg(sp_workload_load_csv(files[i], &x, err, sizeof err) == 0, "%s", err);
        ck_assert_int_eq(sp_workload_check_baseline(&w, &x, err, sizeof err), -1);
        snprintf(exp, sizeof exp, want[i], files[i], pruned);
        ck_assert_str_eq(err, exp);
        sp_workload_free(&x);
        if (!access(spattn(), X_OK)) {
            char args[2048], outdir[512];
            snprintf(outdir, sizeof outdir, "%s/out%d", dir, i);
            snprintf(args, sizeof args, "run -c configs/paper.yaml -t %s --baseline %s -o %s", pruned, files[i], outdir);
            cu_expect_bad(spattn(), args, dir, outdir, exp);
        }
    }
    sp_workload_free(&w);
    free_lines(&L);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* the baseline-*.csv files of the bad corpus against a small run file:
 * each is well-formed, none is that run's baseline */
START_TEST(baseline_corpus)
{
    char dir[] = "/tmp/sp_wlc_XXXXXX", run[64], err[1024], want[1024];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(run, sizeof run, "%s/run.csv", dir);
    cu_write_file(run, HDR "\n"
                       "0,0,0,64.0,10,4,6,16,-1,False,-1,2,6,False,False,False,-1\n"
                       "0,0,1,64.0,10,4,6,16,-1,False,-1,2,6,False,False,False,-1\n"
                       "1,0,0,64.0,11,4,6,16,-1,False,-1,2,6,False,False,False,-1\n"
                       "1,0,1,64.0,11,4,6,16,-1,False,-1,2,6,False,False,False,-1\n");
    static const struct { const char *file, *fmt; } cases[] = {
        {"baseline-other-d", "%s: baseline embedding_length_D 32 differs from 64 in the run's workload %s: not its "
                             "baseline"},
        {"baseline-other-grid", "%s: baseline iterations 1 differs from 2 in the run's workload %s: not its baseline"},
        {"baseline-other-len", "%s:4: baseline sentence_length_L 12 differs from 11 on %s:4: not its baseline"},
        {"baseline-head-missing", "%s: baseline has no head-step (iteration 0, layer 0, head 1) of %s:3: not its "
                                  "baseline"},
    };
    sp_workload w, b;
    ck_assert_msg(sp_workload_load_csv(run, &w, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "tests/bad/csv/%s.csv", cases[i].file);
        ck_assert_msg(sp_workload_load_csv(path, &b, err, sizeof err) == 0, "%s", err);
        ck_assert_int_eq(sp_workload_check_baseline(&w, &b, err, sizeof err), -1);
        snprintf(want, sizeof want, cases[i].fmt, path, run);
        ck_assert_str_eq(err, want);
        sp_workload_free(&b);
        if (!access(spattn(), X_OK)) {
            char args[1024], out[256];
            snprintf(out, sizeof out, "%s/out", dir);
            snprintf(args, sizeof args, "run -c configs/paper.yaml -t %s --baseline %s -o %s", run, path, out);
            cu_expect_bad(spattn(), args, dir, out, want);
        }
    }
    /* its own shape is accepted, and so is a run with a pruned head */
    ck_assert_int_eq(sp_workload_check_baseline(&w, &w, err, sizeof err), 0);
    ck_assert_msg(sp_workload_load_csv("tests/bad/csv/baseline-head-missing.csv", &b, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_uint_eq(b.heads_pruned, 1);
    ck_assert_msg(sp_workload_check_baseline(&b, &w, err, sizeof err) == 0, "%s", err);
    sp_workload_free(&b);
    sp_workload_free(&w);
    remove(run);
    rmdir(dir);
}
END_TEST

/* the derived dense workload of a head-pruned file: every head of every
 * layer, an all-pruned last layer taking L from the layer before it */
START_TEST(dense_grid)
{
    char dir[] = "/tmp/sp_wlg_XXXXXX", path[64], err[512];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/g.csv", dir);
    cu_write_file(path, HDR "\n"
                        "1,0,0,16.0,21,5,6,16,-1,False,-1,2,6,False,False,False,-1\n"
                        "0,0,0,16.0,20,4,6,16,-1,False,-1,2,6,False,False,False,-1\n"
                        "0,0,1,16.0,20,4,6,16,-1,False,-1,2,6,False,False,False,-1\n"
                        "0,1,0,16.0,20,3,6,16,-1,False,-1,1,6,False,False,False,-1\n");
    sp_workload w, g;
    ck_assert_msg(sp_workload_load_csv(path, &w, err, sizeof err) == 0, "%s", err);
    /* iteration 0: 2 then 1 heads; iteration 1: 1 head, then none (every
     * head pruned: the iteration ends early) */
    ck_assert_int_eq(w.layers, 2);
    ck_assert_int_eq(w.heads, 2);
    ck_assert_uint_eq(w.heads_pruned, 4);
    ck_assert_int_eq(w.heads_active[0], 2);
    ck_assert_int_eq(w.heads_active[1], 1);
    ck_assert_int_eq(w.heads_active[2], 1);
    ck_assert_int_eq(w.heads_active[3], 0);
    ck_assert_int_eq(sp_workload_dense_grid(&w, &g, err, sizeof err), 0);
    ck_assert_uint_eq(g.n, 8);
    ck_assert_uint_eq(g.heads_pruned, 0);
    for (size_t i = 0; i < g.n; i++) {
        const sp_wl_row *r = &g.rows[i];
        ck_assert_int_eq(r->iter, (int)i / 4);
        ck_assert_int_eq(r->layer, (int)i / 2 % 2);
        ck_assert_int_eq(r->head, (int)i % 2);
        ck_assert_int_eq(r->len, 20 + r->iter);
        ck_assert_int_eq(r->keys, r->len);
        ck_assert_int_eq(r->values, r->len);
        ck_assert_int_eq(r->k_bits, -1);
        ck_assert_int_eq(r->requant, 0);
        ck_assert_int_eq(r->topk_flag, 0);
    }
    ck_assert_int_eq(sp_workload_check_baseline(&w, &g, err, sizeof err), 0);
    sp_wl_summary sw, sg;
    sp_workload_summarize(&w, 12, &sw);
    sp_workload_summarize(&g, 12, &sg);
    ck_assert_uint_eq(sw.grid_len_sum, 2 * 2 * 20 + 2 * 2 * 21);
    ck_assert_uint_eq(sg.len_sum, sw.grid_len_sum);
    sp_workload_free(&g);
    sp_workload_free(&w);
    remove(path);
    rmdir(dir);
}
END_TEST

/* a workload that fetches no key or value at all: trace info says so
 * instead of printing an infinite reduction */
START_TEST(zero_fetch_info)
{
    if (access(spattn(), X_OK)) {
        printf("zero_fetch_info: skipped: %s not built\n", spattn());
        return;
    }
    char dir[] = "/tmp/sp_wlz_XXXXXX", path[64], args[256], out[8192], er[1024];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/zero.csv", dir);
    cu_write_file(path, HDR "\n"
                        "0,0,0,64.0,10,0,6,16,-1,False,-1,0,6,False,False,False,-1\n"
                        "0,0,1,64.0,10,0,6,16,-1,False,-1,0,6,False,False,False,-1\n");
    snprintf(args, sizeof args, "trace info %s", path);
    ck_assert_int_eq(cu_run(spattn(), args, dir, out, sizeof out, er, sizeof er), 0);
    ck_assert_msg(strstr(out, "K+V bits         0 MSB + 0 LSB refetch; dense 12-bit K+V 30720; reduction: none defined "
                              "(no key or value is fetched)\n"), "%s", out);
    ck_assert_ptr_null(strstr(out, "inf"));
    remove(path);
    rmdir(dir);
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
    tcase_add_test(tc, official_variants);
    tcase_add_test(tc, baseline_shape);
    tcase_add_test(tc, zero_fetch_info);
    tcase_add_test(tc, baseline_corpus);
    tcase_add_test(tc, dense_grid);
    tcase_add_test(tc, refetch_rule);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
