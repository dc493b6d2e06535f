/* cmd_trace.c - `spattn trace info FILE|SPEC` and `spattn trace gen SPEC -o
 * FILE.safetensors` (docs/traces.md). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "safetensors.h"
#include "spattn.h"
#include "workload.h"

static int usage(void)
{
    return sp_cli_error("usage: spattn trace info [-c CONFIG] [--no-run] FILE.safetensors|FILE.csv|synth:...\n"
                        "       spattn trace gen [-c CONFIG] synth:... -o FILE.safetensors");
}

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
            if (!strcmp(k, "model") || !strcmp(k, "source") || !strcmp(k, "weights") || !strcmp(k, "quant"))
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
            printf("model run        config %s: token keep %g from layer %d, head keep %g from layer %d, "
                   "value keep %g, tau %g, k %d+%d, v %d+%d bits\n", cfg->source, a->token_keep,
                   a->token_start_layer, a->head_keep, a->head_start_layer, a->value_keep, a->tau, a->k_msb,
                   a->k_lsb, a->v_msb, a->v_lsb);
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

int cmd_trace(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *sub = argv[1];
    if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
        usage();
        return SP_EXIT_OK;
    }
    if (strcmp(sub, "info") && strcmp(sub, "gen"))
        return sp_cli_error("trace: unknown subcommand '%s' (known: info, gen)", sub);
    const char *cfg_path = NULL, *out = NULL, *spec = NULL;
    int run = 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        if (!strcmp(a, "-c") || !strcmp(a, "--config"))
            dst = &cfg_path;
        else if (!strcmp(sub, "gen") && (!strcmp(a, "-o") || !strcmp(a, "--out")))
            dst = &out;
        else if (!strcmp(sub, "info") && !strcmp(a, "--no-run")) {
            run = 0;
            continue;
        } else if (a[0] == '-' && a[1])
            return sp_cli_error("trace %s: unknown option '%s'", sub, a);
        else if (spec)
            return sp_cli_error("trace %s: more than one trace given ('%s' and '%s')", sub, spec, a);
        else {
            spec = a;
            continue;
        }
        if (i + 1 >= argc)
            return sp_cli_error("trace %s: option '%s' needs a value", sub, a);
        *dst = argv[++i];
    }
    if (!spec)
        return sp_cli_error("trace %s: missing the trace (FILE or synth:...)", sub);
    char err[1024];
    sp_config cfg;
    if (cfg_path) {
        if (sp_config_load(cfg_path, &cfg, err, sizeof err))
            return sp_cli_error("%s", err);
    } else {
        sp_config_default(&cfg);
    }
    if (!strcmp(sub, "info"))
        return ends_with(spec, ".csv") ? info_csv(spec) : info_tensor(spec, &cfg, run);
    /* gen */
    if (!out)
        return sp_cli_error("trace gen: missing -o FILE.safetensors");
    if (!ends_with(out, ".safetensors"))
        return sp_cli_error("trace gen: output '%s' must end in .safetensors", out);
    if (strncmp(spec, "synth:", 6) && strcmp(spec, "synth"))
        return sp_cli_error("trace gen: '%s' is not a synthetic spec (synth:key=value,...)", spec);
    sp_trace t;
    if (sp_trace_open(spec, &cfg.alg, &t, err, sizeof err))
        return sp_cli_error("%s", err);
    int rc = SP_EXIT_OK;
    if (sp_trace_write_safetensors(out, &t, err, sizeof err))
        rc = sp_cli_error("%s", err);
    else
        printf("spattn: wrote %s (%s)\n", out, t.id);
    sp_trace_free(&t);
    return rc;
}
