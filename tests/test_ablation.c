/* test_ablation.c - the per-technique breakdown (engine/ablation.c) and
 * the stated baselines (engine/baselines.c). For a synthetic tensor trace
 * and the official workload CSV (skipped with a printed reason when
 * absent): "all" is the run's own figures exactly; each technique alone
 * lies between the dense baseline and all together in DRAM bytes; the
 * variant configs switch exactly one technique on. Through the command: a
 * CSV run does not depend on the config's algorithm keys (stats.json equal
 * but for the config echo), says so on stderr, and `--ablation` writes
 * ablation.csv and stats.json "ablation". */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cJSON.h>
#include "ablation.h"
#include "cliutil.h"

#define TR "synth:layers=6,heads=12,d=32,len=192,iters=3,seed=5"

static const char *bin;
static char tmpdir[256];
static char workload[1024];

static int workload_present(void)
{
    return cu_official_csv("test_ablation", "gpt2-small-wikitext2-pruned.csv", workload, sizeof workload);
}

/* the run and its ablation through the library; checks every invariant */
static void ablate(const char *config, const char *spec, int csv)
{
    char err[1024];
    sp_config cfg;
    ck_assert_msg(!sp_config_load(config, &cfg, err, sizeof err), "%s", err);
    sp_engine_input in;
    ck_assert_msg(!sp_engine_input_open(spec, NULL, &cfg.alg, &in, err, sizeof err), "%s", err);
    sp_engine_in ei = {.cfg = &cfg, .input = &in};
    sp_engine_result r;
    ck_assert_msg(!sp_engine_run(&ei, &r, err, sizeof err), "%s", err);
    sp_ablation ab;
    ck_assert_msg(!sp_ablation_run(&cfg, &in, &r, &ab, err, sizeof err), "%s", err);
    const sp_ablation_row *all = &ab.row[SP_AB_ALL], *d = &ab.row[SP_AB_DENSE];
    /* all together: the run's figures exactly */
    ck_assert_uint_eq(all->cycles, r.fig.tm.total_cycles);
    ck_assert_uint_eq(all->dram_data_bytes, sp_engine_data_bytes(&r.fig.tm));
    ck_assert_uint_eq(all->dram_bus_bytes, sp_engine_bus_bytes(&r.fig.tm));
    ck_assert(all->energy_pj == r.fig.en.total_pj);
    /* the dense rows: the run's two baselines */
    ck_assert_uint_eq(d->cycles, r.fig.base[SP_BASE_OWN].tm.total_cycles);
    ck_assert_uint_eq(ab.row[SP_AB_DENSE_12BIT].cycles, r.fig.base[SP_BASE_12BIT].tm.total_cycles);
    ck_assert_int_eq(r.fig.base[SP_BASE_12BIT].k_bits, 12);
    ck_assert_int_eq(r.fig.base[SP_BASE_12BIT].v_bits, 12);
    /* nothing on: the dense baseline's bytes (its cycles may differ: the
     * functional run's token positions, docs/costs.md "Ablation") */
    ck_assert(ab.row[SP_AB_NONE].available);
    ck_assert_uint_eq(ab.row[SP_AB_NONE].dram_data_bytes, d->dram_data_bytes);
    int singles = 0;
    for (int v = SP_AB_TOKEN; v <= SP_AB_QUANT; v++) {
        const sp_ablation_row *x = &ab.row[v];
        ck_assert_msg(x->note[0], "%s: no definition", sp_ablation_names[v]);
        if (!x->available) {
            ck_assert_msg(csv && v == SP_AB_VALUE, "%s not available", sp_ablation_names[v]);
            ck_assert_ptr_nonnull(strstr(x->note, "not available"));
            continue;
        }
        singles++;
        ck_assert_msg(x->dram_data_bytes <= d->dram_data_bytes && x->dram_data_bytes >= all->dram_data_bytes,
                      "%s: DRAM data %llu not between all %llu and dense %llu", sp_ablation_names[v],
                      (unsigned long long)x->dram_data_bytes, (unsigned long long)all->dram_data_bytes,
                      (unsigned long long)d->dram_data_bytes);
        ck_assert_msg(x->dram_bus_bytes <= d->dram_bus_bytes && x->dram_bus_bytes >= all->dram_bus_bytes,
                      "%s: DRAM bus bytes not between all and dense", sp_ablation_names[v]);
    }
    ck_assert_int_eq(singles, csv ? 3 : 4);
    /* each technique does something on these inputs (the CSV prunes no head) */
    ck_assert_uint_lt(ab.row[SP_AB_TOKEN].dram_data_bytes, d->dram_data_bytes);
    ck_assert_uint_lt(ab.row[SP_AB_QUANT].dram_data_bytes, d->dram_data_bytes);
    if (!csv) {
        ck_assert_uint_lt(ab.row[SP_AB_HEAD].dram_data_bytes, d->dram_data_bytes);
        ck_assert_uint_lt(ab.row[SP_AB_VALUE].dram_data_bytes, d->dram_data_bytes);
    }
    ck_assert_uint_lt(all->dram_data_bytes, ab.row[SP_AB_TOKEN].dram_data_bytes);
    sp_engine_result_free(&r);
    sp_engine_input_free(&in);
}

START_TEST(tensor_trace)
{
    ablate("configs/paper.yaml", TR, 0);
}
END_TEST

START_TEST(workload_csv)
{
    if (!workload_present())
        return;
    ablate("configs/paper.yaml", workload, 1);
}
END_TEST

/* a head-pruned file: the official rows without heads 10 and 11 from
 * layer 6 on; head pruning alone then lies strictly between */
START_TEST(head_pruned_csv)
{
    if (!workload_present())
        return;
    char *text = cu_slurp(workload, NULL);
    ck_assert_ptr_nonnull(text);
    char path[512];
    snprintf(path, sizeof path, "%s/head-pruned.csv", tmpdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    int dropped = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        int it, l, h;
        if (sscanf(line, "%d,%d,%d,", &it, &l, &h) == 3 && l >= 6 && h >= 10) {
            dropped++;
            continue;
        }
        fprintf(f, "%s\n", line);
    }
    ck_assert_int_eq(fclose(f), 0);
    free(text);
    ck_assert_int_eq(dropped, 32 * 6 * 2);
    ablate("configs/paper.yaml", path, 1);
    char err[1024];
    sp_config cfg;
    ck_assert(!sp_config_load("configs/paper.yaml", &cfg, err, sizeof err));
    sp_engine_input in;
    ck_assert_msg(!sp_engine_input_open(path, NULL, &cfg.alg, &in, err, sizeof err), "%s", err);
    sp_engine_in ei = {.cfg = &cfg, .input = &in};
    sp_engine_result r;
    ck_assert_msg(!sp_engine_run(&ei, &r, err, sizeof err), "%s", err);
    ck_assert_int_eq(r.fig.wl_alg.head_start_layer, 5);
    sp_ablation ab;
    ck_assert_msg(!sp_ablation_run(&cfg, &in, &r, &ab, err, sizeof err), "%s", err);
    ck_assert_uint_lt(ab.row[SP_AB_HEAD].dram_data_bytes, ab.row[SP_AB_DENSE].dram_data_bytes);
    ck_assert_uint_gt(ab.row[SP_AB_HEAD].dram_data_bytes, ab.row[SP_AB_ALL].dram_data_bytes);
    sp_engine_result_free(&r);
    sp_engine_input_free(&in);
}
END_TEST

/* each variant config switches exactly its own technique on */
START_TEST(variant_configs)
{
    sp_config c, v;
    sp_config_default(&c);
    sp_ablation_config(&c, SP_AB_TOKEN, &v);
    ck_assert(v.alg.token_keep == c.alg.token_keep && v.alg.head_keep == 1.0 && v.alg.value_keep == 1.0);
    ck_assert_int_eq(v.alg.token_keep_q16, c.alg.token_keep_q16);
    ck_assert_int_eq(v.alg.k_msb, c.alg.k_msb + c.alg.k_lsb);
    ck_assert_int_eq(v.alg.k_lsb, 0);
    ck_assert_int_eq(v.alg.tau_q15, 0);
    sp_ablation_config(&c, SP_AB_HEAD, &v);
    ck_assert(v.alg.token_keep == 1.0 && v.alg.head_keep == c.alg.head_keep && v.alg.value_keep == 1.0);
    sp_ablation_config(&c, SP_AB_VALUE, &v);
    ck_assert(v.alg.token_keep == 1.0 && v.alg.head_keep == 1.0 && v.alg.value_keep == c.alg.value_keep);
    ck_assert_int_eq(v.alg.value_keep_q16, c.alg.value_keep_q16);
    sp_ablation_config(&c, SP_AB_QUANT, &v);
    ck_assert(v.alg.token_keep == 1.0 && v.alg.head_keep == 1.0 && v.alg.value_keep == 1.0);
    ck_assert_int_eq(v.alg.k_msb, c.alg.k_msb);
    ck_assert_int_eq(v.alg.v_lsb, c.alg.v_lsb);
    ck_assert_int_eq(v.alg.tau_q15, c.alg.tau_q15);
}
END_TEST

static cJSON *load_json(const char *path)
{
    char *t = cu_slurp(path, NULL);
    ck_assert_msg(t != NULL, "%s not readable", path);
    cJSON *j = cJSON_Parse(t);
    free(t);
    ck_assert_ptr_nonnull(j);
    return j;
}

/* a CSV run: the config's algorithm keys change nothing but the echo */
START_TEST(csv_ignores_algorithm_keys)
{
    if (!workload_present())
        return;
    char alt[512], args[4096], err[4096], a[512], b[512];
    snprintf(alt, sizeof alt, "%s/alt.yaml", tmpdir);
    char text[1024];
    snprintf(text, sizeof text,
             "include: %s/configs/paper.yaml\nalgorithm:\n  token_keep: 0.5\n  head_keep: 0.5\n  k_msb: 4\n"
             "  v_lsb: 2\n  tau: 0.3\n  q_bits: 8\n  token_start_layer: 0\n",
             getenv("PWD") ? getenv("PWD") : ".");
    cu_write_file(alt, text);
    snprintf(a, sizeof a, "%s/a", tmpdir);
    snprintf(b, sizeof b, "%s/b", tmpdir);
    snprintf(args, sizeof args, "run -c configs/paper.yaml -t %s -o %s", workload, a);
    ck_assert_int_eq(cu_run(bin, args, tmpdir, NULL, 0, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "notice: configs/paper.yaml: a workload CSV's rows fix the algorithm") != NULL, "%s",
                  err);
    ck_assert_ptr_nonnull(strstr(err, "token_keep"));
    snprintf(args, sizeof args, "run -c %s -t %s -o %s", alt, workload, b);
    ck_assert_int_eq(cu_run(bin, args, tmpdir, NULL, 0, err, sizeof err), 0);
    char pa[600], pb[600];
    snprintf(pa, sizeof pa, "%s/stats.json", a);
    snprintf(pb, sizeof pb, "%s/stats.json", b);
    cJSON *ja = load_json(pa), *jb = load_json(pb);
    int n = 0;
    for (cJSON *x = ja->child; x; x = x->next, n++) {
        if (!strcmp(x->string, "config") || !strcmp(x->string, "config_file"))
            continue;
        cJSON *y = cJSON_GetObjectItemCaseSensitive(jb, x->string);
        ck_assert_msg(y && cJSON_Compare(x, y, 1), "stats.json %s differs between the configs", x->string);
    }
    ck_assert_int_eq(n, cJSON_GetArraySize(jb));
    ck_assert(!cJSON_Compare(cJSON_GetObjectItem(ja, "config"), cJSON_GetObjectItem(jb, "config"), 1));
    /* the echo of what the rows use, and the two baselines with widths */
    cJSON *wa = cJSON_GetObjectItem(ja, "workload_algorithm");
    ck_assert_int_eq(cJSON_GetObjectItem(wa, "quant_key_bits")->valueint, 6);
    ck_assert_int_eq(cJSON_GetObjectItem(wa, "quant_query_bits")->valueint, 16);
    ck_assert_int_eq(cJSON_GetObjectItem(wa, "auto_requant_incre_bits")->valueint, 4);
    cJSON *own = cJSON_GetObjectItem(cJSON_GetObjectItem(ja, "baselines"), "dense_own_widths");
    ck_assert_int_eq(cJSON_GetObjectItem(own, "k_bits")->valueint, 10);
    cJSON *db = cJSON_GetObjectItem(ja, "dense_baseline");
    ck_assert_str_eq(cJSON_GetObjectItem(db, "baseline")->valuestring, "dense_12bit");
    ck_assert_int_eq(cJSON_GetObjectItem(db, "k_bits")->valueint, 12);
    cJSON_Delete(ja);
    cJSON_Delete(jb);
}
END_TEST

/* --ablation through the command: table, ablation.csv, stats.json */
START_TEST(cli_ablation)
{
    char args[1024], out[8192], err[4096], dir[512], p[600];
    snprintf(dir, sizeof dir, "%s/abl", tmpdir);
    snprintf(args, sizeof args, "run -c configs/paper.yaml -t %s -o %s --ablation", TR, dir);
    ck_assert_int_eq(cu_run(bin, args, tmpdir, out, sizeof out, err, sizeof err), 0);
    ck_assert_msg(strstr(out, "spattn: ablation") && strstr(out, "progressive_quantization"), "%s", out);
    snprintf(p, sizeof p, "%s/ablation.csv", dir);
    char *csv = cu_slurp(p, NULL);
    ck_assert_ptr_nonnull(csv);
    ck_assert_ptr_nonnull(strstr(csv, "\ntoken_pruning,1,"));
    ck_assert_ptr_nonnull(strstr(csv, "\nall,1,"));
    free(csv);
    snprintf(p, sizeof p, "%s/stats.json", dir);
    cJSON *j = load_json(p);
    cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "ablation"), "variants");
    ck_assert_ptr_nonnull(v);
    double all = cJSON_GetObjectItem(cJSON_GetObjectItem(v, "all"), "total_cycles")->valuedouble;
    double run = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "timing"), "total_cycles")->valuedouble;
    ck_assert(all == run);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "files"), "ablation")->valuestring, "ablation.csv");
    cJSON_Delete(j);
    /* without the flag: no ablation file or object */
    snprintf(args, sizeof args, "run -c configs/paper.yaml -t %s -o %s", TR, dir);
    ck_assert_int_eq(cu_run(bin, args, tmpdir, NULL, 0, err, sizeof err), 0);
    snprintf(p, sizeof p, "%s/ablation.csv", dir);
    ck_assert(!cu_exists(p));
    /* the co-sim engines refuse it */
    snprintf(args, sizeof args, "run -c configs/paper.yaml -t %s -o %s/x --engine rtl --ablation", TR, tmpdir);
    char o2[512];
    snprintf(o2, sizeof o2, "%s/x", tmpdir);
    cu_expect_bad(bin, args, tmpdir, o2, "--ablation applies to the cmodel engine only");
}
END_TEST

int main(void)
{
    bin = getenv("SPATTN");
    if (!bin)
        bin = "build/spattn";
    snprintf(tmpdir, sizeof tmpdir, "/tmp/spattn-test-ablation.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("test_ablation: mkdtemp");
        return EXIT_FAILURE;
    }
    Suite *s = suite_create("ablation");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, tensor_trace);
    tcase_add_test(tc, workload_csv);
    tcase_add_test(tc, head_pruned_csv);
    tcase_add_test(tc, variant_configs);
    tcase_add_test(tc, csv_ignores_algorithm_keys);
    tcase_add_test(tc, cli_ablation);
    suite_add_tcase(s, tc);
    return cu_run_suite(s, "test_ablation", tmpdir);
}
