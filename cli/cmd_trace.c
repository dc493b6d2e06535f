/* cmd_trace.c - `spattn trace info FILE|SPEC` and `spattn trace gen SPEC -o
 * FILE.safetensors` (docs/traces.md). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "params.h"
#include "safetensors.h"
#include "spattn.h"
#include "traces.h"
#include "workload.h"

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

static void bits_range(char *buf, size_t n, int lo, int hi, int full_seen)
{
    if (lo == hi)
        snprintf(buf, n, "%d%s", lo, full_seen ? " (full width)" : "");
    else
        snprintf(buf, n, "%d..%d", lo, hi);
}

static int info_csv(const char *path)
{
    char err[1024];
    sp_workload w;
    if (sp_workload_load_csv(path, &w, err, sizeof err))
        return sp_cli_error("%s", err);
    sp_wl_summary s;
    const int full = 12; /* README of the official files: dense = 12-bit K and V */
    sp_workload_summarize(&w, full, &s);
    int kfull = 0, vfull = 0, qfull = 0;
    for (size_t i = 0; i < w.n; i++) {
        kfull |= w.rows[i].k_bits < 0;
        vfull |= w.rows[i].v_bits < 0;
        qfull |= w.rows[i].q_bits < 0;
    }
    char kb[48], vb[48], qb[48];
    bits_range(kb, sizeof kb, s.k_bits_min, s.k_bits_max, kfull);
    bits_range(vb, sizeof vb, s.v_bits_min, s.v_bits_max, vfull);
    bits_range(qb, sizeof qb, s.q_bits_min, s.q_bits_max, qfull);
    double dense_bits = (double)s.grid_len_sum * 2.0 * full * w.d;
    printf("trace            %s\n", path);
    printf("kind             workload CSV (timing only: counts, no tensors)\n");
    if (w.footer[0])
        printf("run config       %s\n", w.footer);
    printf("head-steps       %zu\n", w.n);
    printf("iterations       %d\n", w.iters);
    printf("layers           %d\n", w.layers);
    printf("heads            %d\n", w.heads);
    printf("D                %d\n", w.d);
    size_t grid = (size_t)w.iters * w.layers * w.heads;
    if (!w.heads_pruned) {
        printf("heads pruned     none (every head-step of the %d x %d x %d grid present)\n", w.iters, w.layers,
               w.heads);
    } else {
        printf("heads pruned     %zu of %zu head-steps (rows absent: nothing fetched or computed)\n", w.heads_pruned,
               grid);
        printf("  per layer      pruned head-steps over all iterations (min..max per iteration)\n");
        for (int l = 0; l < w.layers; l++) {
            int lo = w.heads, hi = 0;
            size_t sum = 0;
            for (int it = 0; it < w.iters; it++) {
                int p = w.heads - w.heads_active[(size_t)it * w.layers + l];
                sum += (size_t)p;
                lo = p < lo ? p : lo;
                hi = p > hi ? p : hi;
            }
            printf("  layer %-8d %zu (%d..%d)\n", l, sum, lo, hi);
        }
    }
    printf("context L        %d..%d tokens\n", s.len_min, s.len_max);
    printf("keys fetched     %.4f of L x heads (%llu of %llu)\n", (double)s.keys_sum / (double)s.grid_len_sum,
           s.keys_sum, s.grid_len_sum);
    printf("values fetched   %.4f of L x heads (%llu of %llu)\n", (double)s.values_sum / (double)s.grid_len_sum,
           s.values_sum, s.grid_len_sum);
    printf("bits             q %s, k %s, v %s (full width counted as %d)\n", qb, kb, vb, full);
    printf("requants         %llu of %zu head-steps (%.2f %%)\n", s.requants, w.n,
           100.0 * (double)s.requants / (double)w.n);
    printf("top-k runs       %llu\n", s.topk_runs);
    if (s.kv_bits)
        printf("K+V bits         %llu MSB + %llu LSB refetch; dense 12-bit K+V %.0f; reduction %.2fx (MSBs)\n",
               s.kv_bits, s.kv_bits_lsb, dense_bits, dense_bits / (double)s.kv_bits);
    else
        printf("K+V bits         0 MSB + %llu LSB refetch; dense 12-bit K+V %.0f; reduction: none defined "
               "(no key or value is fetched)\n", s.kv_bits_lsb, dense_bits);
    sp_workload_free(&w);
    return SP_EXIT_OK;
}

/* progress of a long model run on a terminal: one line on stderr,
 * rewritten when the (iteration, layer) changes */
typedef struct {
    int iters, layers, it, layer;
} progress_t;

static void progress_step(void *ctx, int it, int layer, int head, int row, const sp_head_result *r)
{
    progress_t *p = ctx;
    (void)head, (void)row, (void)r;
    if (it == p->it && layer == p->layer)
        return;
    p->it = it;
    p->layer = layer;
    fprintf(stderr, "\rmodel run: iteration %d of %d, layer %d of %d ", it + 1, p->iters, layer + 1, p->layers);
}

static int info_tensor(const char *spec, const sp_config *cfg, int run)
{
    char err[1024];
    sp_trace t;
    if (sp_trace_open(spec, &cfg->alg, &t, err, sizeof err))
        return sp_cli_error("%s", err);
    printf("trace            %s\n", spec);
    if (ends_with(spec, ".safetensors")) {
        sp_st_file f;
        FILE *fp;
        if (sp_st_read_header(spec, &f, &fp, err, sizeof err)) { /* metadata only: no second read of the tensors */
            sp_trace_free(&t);
            return sp_cli_error("%s", err);
        }
        fclose(fp);
        printf("kind             safetensors (" SP_TRACE_FORMAT ")\n");
        for (int i = 0; i < f.n_meta; i++) {
            const char *k = f.meta[i].key;
            /* kv_heads, head_map, rope: a grouped-query model's export (docs/traces.md s7) */
            static const char *const shown[] = {"model", "source", "weights", "quant", "kv_heads", "head_map", "rope"};
            for (size_t j = 0; j < sizeof shown / sizeof shown[0]; j++)
                if (!strcmp(k, shown[j]))
                    printf("%-16s %s\n", k, f.meta[i].val);
        }
        sp_st_free(&f);
    } else {
        printf("kind             synthetic (generated in memory)\n");
        printf("model            %s\n", t.model);
    }
    size_t lh = (size_t)t.layers * t.heads;
    float mn[3] = {1e30f, 1e30f, 1e30f}, mx[3] = {0, 0, 0};
    const float *sc[3] = {t.sq, t.sk, t.sv};
    for (int j = 0; j < 3; j++)
        for (size_t i = 0; i < lh; i++) {
            if (sc[j][i] < mn[j]) mn[j] = sc[j][i];
            if (sc[j][i] > mx[j]) mx[j] = sc[j][i];
        }
    printf("mode             %s\n", t.mode == SP_MODE_DECODE ? "decode" : "encoder");
    printf("iterations       %d\n", t.iters);
    printf("layers           %d\n", t.layers);
    printf("heads            %d\n", t.heads);
    printf("D                %d\n", t.d);
    if (t.mode == SP_MODE_DECODE)
        printf("context          %d tokens, %d..%d during decode (1 query row per head-step)\n", t.ctx,
               t.ctx + 1, t.ctx + t.iters);
    else
        printf("context          %d tokens (%d query rows per head)\n", t.ctx, t.rows);
    printf("bits             q %d, k %d, v %d\n", t.q_bits, t.k_bits, t.v_bits);
    printf("scales           q %.4g..%.4g, k %.4g..%.4g, v %.4g..%.4g\n", mn[0], mx[0], mn[1], mx[1], mn[2],
           mx[2]);
    printf("contents         fnv1a64 %016llx\n", (unsigned long long)sp_trace_content_hash(&t));
    int rc = SP_EXIT_OK;
    if (run) {
        sp_run_result r;
        /* query-key pairs the run scores: a progress line from about 1e8 */
        double pairs = (double)t.iters * (double)lh * (double)t.rows * (double)t.ntok;
        progress_t pr = {t.iters, t.layers, -1, -1};
        sp_observer obs = {&pr, progress_step, NULL, NULL};
        int show = isatty(2) && pairs >= 1e8;
        int failed = sp_run_model(cfg, &t, show ? &obs : NULL, &r, err, sizeof err);
        if (show)
            fprintf(stderr, "\r%60s\r", "");
        if (failed) {
            rc = sp_cli_error("%s", err);
        } else {
            /* dense: every row sees every token present (no pruning) */
            double dense = 0;
            for (int it = 0; it < t.iters; it++)
                dense += t.mode == SP_MODE_DECODE ? (double)(t.ctx + it + 1) : (double)t.rows * t.ntok;
            dense *= (double)lh;
            const sp_alg_cfg *a = &cfg->alg;
            int last = (t.iters - 1) * t.layers + t.layers - 1;
            char tok[SP_MAX_LAYERS * 8 + 64];
            if (a->token_budget.n > 0) { /* fixed budgets replace the ratio (docs/spec.md s10) */
                char l[SP_MAX_LAYERS * 8 + 8];
                sp_param_list_text(&a->token_budget, l, sizeof l);
                snprintf(tok, sizeof tok, "token budgets %s from iteration %d", l, a->token_budget_start_iter);
            } else {
                snprintf(tok, sizeof tok, "token keep %g from layer %d", a->token_keep, a->token_start_layer);
            }
            printf("model run        config %s: %s, head keep %g from layer %d, value keep %g, tau %g, k %d+%d, "
                   "v %d+%d bits\n", cfg->source, tok, a->head_keep, a->head_start_layer, a->value_keep, a->tau,
                   a->k_msb, a->k_lsb, a->v_msb, a->v_lsb);
            printf("  head-steps     %llu query rows\n", (unsigned long long)r.total.head_steps);
            printf("  keys fetched   %.4f of dense (%llu of %.0f key rows)\n", (double)r.total.keys_msb / dense,
                   (unsigned long long)r.total.keys_msb, dense);
            printf("  values fetched %.4f of dense (%llu)\n", (double)r.total.values_fetched / dense,
                   (unsigned long long)r.total.values_fetched);
            printf("  requants       %llu of %llu head-steps\n", (unsigned long long)r.total.requants,
                   (unsigned long long)r.total.head_steps);
            printf("  last layer     %d tokens, %d heads active\n", r.tokens_active[last], r.heads_active[last]);
            printf("  outputs        fnv1a64 %016llx\n", (unsigned long long)r.out_checksum);
            sp_run_result_free(&r);
        }
    }
    sp_trace_free(&t);
    return rc;
}

/* the config named by -c, else the built-in defaults */
static int load_cfg(const char *cfg_path, sp_config *cfg)
{
    char err[1024];
    if (!cfg_path) {
        sp_config_default(cfg);
        return 0;
    }
    if (sp_config_load(cfg_path, cfg, err, sizeof err))
        return sp_cli_error("%s", err);
    return 0;
}

enum { INFO_CONFIG, INFO_NO_RUN, INFO_N };
static const sp_cli_opt info_opts[INFO_N] = {
    [INFO_CONFIG] = {'c', "config", "CONFIG", NULL, 0,
                     "algorithm settings for the model run (default: the built-in defaults)"},
    [INFO_NO_RUN] = {0, "no-run", NULL, NULL, 0, "describe the trace only; skip the C-model run"},
};

static int cmd_trace_info(int argc, char **argv)
{
    sp_cli_args a;
    int rc;
    if (sp_cli_parse(&sp_cmd_trace_info, argc, argv, &a, &rc))
        return rc;
    const char *spec = a.operand;
    sp_config cfg;
    if (load_cfg(a.val[INFO_CONFIG], &cfg))
        return SP_EXIT_USAGE;
    return ends_with(spec, ".csv") ? info_csv(spec) : info_tensor(spec, &cfg, !a.val[INFO_NO_RUN]);
}

const sp_cli_cmd sp_cmd_trace_info = {
    .name = "trace info",
    .summary = "describe a trace (shape, bits, scales, contents hash) and run the C model on it (docs/traces.md)",
    .operand = "TRACE",
    .operand_doc = "FILE.safetensors, an official workload FILE.csv, or synth:KEY=VALUE,...",
    .missing = "missing the trace (FILE or synth:...)",
    .opts = info_opts,
    .n_opts = INFO_N,
    .fn = cmd_trace_info,
};

enum { GEN_CONFIG, GEN_OUT, GEN_N };
static const sp_cli_opt gen_opts[GEN_N] = {
    [GEN_CONFIG] = {'c', "config", "CONFIG", NULL, 0,
                    "algorithm settings the generator uses (default: the built-in defaults)"},
    [GEN_OUT] = {'o', "out", "FILE.safetensors", NULL, 1, "the safetensors file to write"},
};

static int cmd_trace_gen(int argc, char **argv)
{
    sp_cli_args a;
    int rc;
    if (sp_cli_parse(&sp_cmd_trace_gen, argc, argv, &a, &rc))
        return rc;
    const char *spec = a.operand, *out = a.val[GEN_OUT];
    char err[1024];
    sp_config cfg;
    if (load_cfg(a.val[GEN_CONFIG], &cfg))
        return SP_EXIT_USAGE;
    if (!ends_with(out, ".safetensors"))
        return sp_cli_error("trace gen: output '%s' must end in .safetensors", out);
    if (strncmp(spec, "synth:", 6) && strcmp(spec, "synth"))
        return sp_cli_error("trace gen: '%s' is not a synthetic spec (synth:key=value,...)", spec);
    sp_trace t;
    if (sp_trace_open(spec, &cfg.alg, &t, err, sizeof err))
        return sp_cli_error("%s", err);
    rc = SP_EXIT_OK;
    sp_signals_init(); /* an interrupt removes the temporary file */
    if (sp_trace_write_safetensors(out, &t, err, sizeof err))
        rc = sp_cli_error("%s", err);
    else
        printf("spattn: wrote %s (%s)\n", out, t.id);
    sp_trace_free(&t);
    return rc;
}

const sp_cli_cmd sp_cmd_trace_gen = {
    .name = "trace gen",
    .summary = "write a synthetic trace as a safetensors file (spattn-trace-1, docs/traces.md)",
    .operand = "TRACE",
    .operand_doc = "synth:KEY=VALUE,... (the keys: docs/traces.md)",
    .missing = "missing the trace (synth:...)",
    .opts = gen_opts,
    .n_opts = GEN_N,
    .fn = cmd_trace_gen,
};
