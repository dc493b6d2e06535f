/* test_paper_check.c - the paper check on the official GPT-2 small workload
 * (docs/costs.md s5): DRAM data by kind from the timing-only path against
 * an independent hand computation from the CSV (own parser, own sums), for
 * the pruned file and the dense baseline; the README's hand count (12.08x
 * for K+V MSB bits); and the CLI run writing the same numbers to
 * stats.json. Skipped with a reason when the files are absent. */
#include <check.h>
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ref.h"
#include "timing.h"
#include "tm_workload.h"

typedef struct {
    double q, kmsb, klsb, v, out; /* bits */
    long rows;
} hand_t;

static char pruned[1024], dense[1024];

static int files_present(void)
{
    const char *dir = getenv("SPATTN_WORKLOADS");
    snprintf(pruned, sizeof pruned, "%s/gpt2-small-wikitext2-pruned.csv", dir ? dir : "../shared/workloads");
    snprintf(dense, sizeof dense, "%s/gpt2-small-wikitext2-dense.csv", dir ? dir : "../shared/workloads");
    if (access(pruned, R_OK) || access(dense, R_OK)) {
        printf("test_paper_check: skipped: %s or %s not readable (set SPATTN_WORKLOADS)\n", pruned, dense);
        return 0;
    }
    return 1;
}

/* column index of name in the header line, -1 if absent */
static int col(char *hdr, const char *name)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", hdr);
    int i = 0;
    for (char *t = strtok(buf, ",\r\n"); t; t = strtok(NULL, ",\r\n"), i++)
        if (!strcmp(t, name))
            return i;
    return -1;
}

/* Sums the DRAM data of the spec's fetch rules straight from the text:
 * q: D x q bits; K MSB: keys x D x key bits; on requant K LSB keys x D x
 * incr, and the values' LSBs unless the trailing run-config line's
 * requant rule names K only ("_inc4_k"); out: D x 16. -1 means full
 * width. */
static hand_t hand(const char *path, int full_k, int full_v, int full_q)
{
    hand_t h;
    memset(&h, 0, sizeof h);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char line[2048], hdr[2048];
    ck_assert_ptr_nonnull(fgets(hdr, sizeof hdr, f));
    int cD = col(hdr, "embedding_length_D"), cK = col(hdr, "key_fetch_num"), cKb = col(hdr, "quant_key_bit"),
        cQb = col(hdr, "quant_query_bit"), cR = col(hdr, "if_requant"), cI = col(hdr, "auto_requant_incre"),
        cV = col(hdr, "value_fetch_num"), cVb = col(hdr, "quant_value_bit");
    ck_assert(cD >= 0 && cK >= 0 && cKb >= 0 && cQb >= 0 && cR >= 0 && cI >= 0 && cV >= 0 && cVb >= 0);
    double vlsb = 0;
    int v_refetch = 1;
    while (fgets(line, sizeof line, f)) {
        const char *rq_rule = line[0] >= 'a' && line[0] <= 'z' ? strstr(line, "requant") : NULL;
        const char *inc_at = rq_rule ? strstr(rq_rule, "_inc") : NULL;
        if (inc_at) {
            inc_at += 4;
            while (*inc_at >= '0' && *inc_at <= '9')
                inc_at++;
            if (inc_at[0] == '_' && inc_at[1] == 'k' && (inc_at[2] == '+' || inc_at[2] == '.' || inc_at[2] == ','))
                v_refetch = 0;
        }
        char *fld[32];
        int n = 0;
        for (char *t = strtok(line, ",\r\n"); t && n < 32; t = strtok(NULL, ",\r\n"))
            fld[n++] = t;
        if (n < 17)
            continue;
        double D = atof(fld[cD]), keys = atof(fld[cK]), vals = atof(fld[cV]);
        if (keys <= 0)
            continue;
        int kb = atoi(fld[cKb]), vb = atoi(fld[cVb]), qb = atoi(fld[cQb]), inc = atoi(fld[cI]);
        int rq = !strcmp(fld[cR], "True") && kb > 0 && inc > 0;
        h.rows++;
        h.q += D * (qb > 0 ? qb : full_q);
        h.kmsb += keys * D * (kb > 0 ? kb : full_k);
        h.klsb += rq ? keys * D * inc : 0;
        h.v += vals * D * (vb > 0 ? vb : full_v);
        vlsb += rq && vb > 0 ? vals * D * inc : 0;
        h.out += D * 16;
    }
    h.v += v_refetch ? vlsb : 0;
    fclose(f);
    return h;
}

static void model(const sp_config *c, const char *path, sp_tm_result *r)
{
    char err[512];
    sp_workload w;
    ck_assert_msg(sp_workload_load_csv(path, &w, err, sizeof err) == 0, "%s", err);
    sp_tm_steps st;
    ck_assert_int_eq(sp_tm_steps_from_workload(c, &w, 0, &st, err, sizeof err), 0);
    ck_assert_msg(sp_timing_run(c, &st, r, err, sizeof err) == 0, "%s", err);
    sp_tm_steps_free(&st);
    sp_workload_free(&w);
}

static sp_config paper_cfg(void)
{
    sp_config c;
    char err[512];
    ck_assert_msg(sp_config_load("configs/paper.yaml", &c, err, sizeof err) == 0, "%s", err);
    return c;
}

START_TEST(test_dram_bits_by_hand)
{
    if (!files_present() || ref_sanitize())
        return;
    sp_config c = paper_cfg();
    int fk = c.alg.k_msb + c.alg.k_lsb, fv = c.alg.v_msb + c.alg.v_lsb;
    hand_t hp = hand(pruned, fk, fv, c.alg.q_bits), hd = hand(dense, fk, fv, c.alg.q_bits);
    ck_assert_int_eq(hp.rows, 4608);
    ck_assert_int_eq(hd.rows, 4608);
    sp_tm_result rp, rd;
    model(&c, pruned, &rp);
    model(&c, dense, &rd);
    ck_assert_uint_eq(rp.data_bits[SP_DK_Q], (uint64_t)hp.q);
    ck_assert_uint_eq(rp.data_bits[SP_DK_K_MSB], (uint64_t)hp.kmsb);
    ck_assert_uint_eq(rp.data_bits[SP_DK_K_LSB], (uint64_t)hp.klsb);
    ck_assert_uint_eq(rp.data_bits[SP_DK_V], (uint64_t)hp.v);
    ck_assert_uint_eq(rp.data_bits[SP_DK_OUT], (uint64_t)hp.out);
    ck_assert_uint_eq(rd.data_bits[SP_DK_K_MSB], (uint64_t)hd.kmsb);
    ck_assert_uint_eq(rd.data_bits[SP_DK_K_LSB], 0);
    ck_assert_uint_eq(rd.data_bits[SP_DK_V], (uint64_t)hd.v);
    /* README hand count: dense 12-bit K+V / pruned K+V MSBs = 12.08 */
    ck_assert_int_eq(fk, 12);
    hand_t msb = hand(pruned, fk, fv, c.alg.q_bits);
    double vmsb = 0;
    {
        /* values at MSB width only: the README counts no refetch */
        FILE *f = fopen(pruned, "r");
        char line[2048];
        ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
        while (fgets(line, sizeof line, f)) {
            char *fld[32];
            int n = 0;
            for (char *t = strtok(line, ",\r\n"); t && n < 32; t = strtok(NULL, ",\r\n"))
                fld[n++] = t;
            if (n >= 17)
                vmsb += atof(fld[3]) * atof(fld[11]) * atoi(fld[12]);
        }
        fclose(f);
    }
    double readme = (hd.kmsb + hd.v) / (msb.kmsb + vmsb);
    ck_assert_msg(readme > 12.075 && readme < 12.085, "hand count %.4f, README says 12.08", readme);
    /* and the model's MSB-only K+V ratio is the same number */
    double vmodel_msb = (double)rp.data_bits[SP_DK_V] - (hp.v - vmsb);
    double mratio = (double)(rd.data_bits[SP_DK_K_MSB] + rd.data_bits[SP_DK_V]) /
                    ((double)rp.data_bits[SP_DK_K_MSB] + vmodel_msb);
    ck_assert_double_eq_tol(mratio, readme, 1e-9);
    printf("test_paper_check: K+V bits dense/pruned: %.3f MSB only (README 12.08), %.3f with LSB refetch; all DRAM data %.3f\n",
           readme, (hd.kmsb + hd.v) / (hp.kmsb + hp.klsb + hp.v),
           (hd.q + hd.kmsb + hd.v + hd.out) / (hp.q + hp.kmsb + hp.klsb + hp.v + hp.out));
}
END_TEST

static double jnum(cJSON *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *t = strtok(buf, "."); t; t = strtok(NULL, ".")) {
        o = cJSON_GetObjectItemCaseSensitive(o, t);
        ck_assert_msg(o != NULL, "stats.json lacks %s", path);
    }
    ck_assert(cJSON_IsNumber(o));
    return o->valuedouble;
}


/* every number in stats.json names its unit in its key */
static const char *const units[] = {"_cycles", "_pJ", "_bytes", "_bits", "_count", "_mm2", "_s", "_W", "_nm",
                                    "_mhz", "_ratio", "_index", "_per_s", "_per_byte", "_per_bit", "_mW",
                                    "_per_dram_cycle"};

static int has_unit(const char *k)
{
    size_t n = strlen(k);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t m = strlen(units[i]);
        if (n > m && !strcmp(k + n - m, units[i]))
            return 1;
    }
    return 0;
}

static void check_units(const cJSON *o)
{
    for (const cJSON *c = o ? o->child : NULL; c; c = c->next) {
        if (!o->string && c->string && !strcmp(c->string, "config"))
            continue; /* the config echo keeps the YAML key names; units in docs/config.md */
        if (cJSON_IsNumber(c) && c->string)
            ck_assert_msg(has_unit(c->string), "stats.json key '%s' names no unit", c->string);
        check_units(c);
    }
}

START_TEST(test_cli_paper_run)
{
    const char *bin = getenv("SPATTN");
    if (!files_present())
        return;
    if (!bin) {
        printf("test_paper_check: SPATTN not set (run through make test); CLI check skipped\n");
        return;
    }
    char dir[] = "/tmp/spattn-paper-check.XXXXXX", cmd[4096], path[300];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "%s run -c configs/paper.yaml -t %s -o %s/out > %s/log 2>&1", bin, pruned, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/out/stats.json", dir);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    check_units(j);
    sp_config c = paper_cfg();
    hand_t hp = hand(pruned, 12, 12, c.alg.q_bits), hd = hand(dense, 12, 12, c.alg.q_bits);
    ck_assert_double_eq_tol(jnum(j, "timing.dram.data_by_kind.k_msb_bytes"), hp.kmsb / 8, 0.5);
    ck_assert_double_eq_tol(jnum(j, "timing.dram.data_by_kind.k_lsb_bytes"), hp.klsb / 8, 0.5);
    ck_assert_double_eq_tol(jnum(j, "timing.dram.data_by_kind.v_bytes"), hp.v / 8, 0.5);
    ck_assert_double_eq_tol(jnum(j, "dense_baseline.timing.dram.data_by_kind.k_msb_bytes"), hd.kmsb / 8, 0.5);
    double kv = jnum(j, "vs_dense.kv_bits_reduction_ratio");
    ck_assert_double_eq_tol(kv, (hd.kmsb + hd.v) / (hp.kmsb + hp.klsb + hp.v), 1e-9);
    ck_assert(jnum(j, "vs_dense.speedup_ratio") > 1.0);
    /* the dense file beside the pruned one is the baseline */
    cJSON *src = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "dense_baseline"), "source");
    ck_assert(cJSON_IsString(src) && strstr(src->valuestring, "dense.csv"));
    /* the other report files: one layers.csv row per (iteration, layer,
     * head), energy.csv, and the plots (or a note saying why not) */
    snprintf(path, sizeof path, "%s/out/layers.csv", dir);
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    long lines = 0;
    for (int ch; (ch = fgetc(f)) != EOF;)
        lines += ch == '\n';
    fclose(f);
    ck_assert_int_eq(lines, 1 + 4608);
    snprintf(path, sizeof path, "%s/out/energy.csv", dir);
    ck_assert_int_eq(access(path, R_OK), 0);
    cJSON *plots = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "files"), "plots");
    ck_assert(cJSON_IsArray(plots));
    if (cJSON_GetArraySize(plots) == 0) {
        cJSON *note = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "files"), "plots_note");
        ck_assert(cJSON_IsString(note) && strstr(note->valuestring, "gnuplot"));
        printf("test_paper_check: %s\n", note->valuestring);
    } else {
        for (int i = 0; i < cJSON_GetArraySize(plots); i++) {
            struct stat sb;
            snprintf(path, sizeof path, "%s/out/%s", dir, cJSON_GetArrayItem(plots, i)->valuestring);
            ck_assert_int_eq(stat(path, &sb), 0);
            ck_assert(sb.st_size > 1000);
        }
    }
    cJSON_Delete(j);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("paper_check");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_dram_bits_by_hand);
    tcase_add_test(tc, test_cli_paper_run);
    suite_add_tcase(s, tc);
    return ref_run_suite(s);
}
