/* test_api.c - the layer API of libspattn.so against sp_run_model in the
 * same process: every trace layer by layer through spattn_layer must give
 * sp_run_model's outputs hash, every event counter and the last layer's
 * active tokens and heads. Needs no Python; run by `make test-api`. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spattn_api.h"
#include "spattn.h"
#include "traces.h"

static int failed, passed;

static void check(int ok, const char *what, const char *trace)
{
    printf("%s  %s: %s\n", ok ? "ok  " : "FAIL", trace, what);
    if (ok)
        passed++;
    else
        failed++;
}

/* yaml: a config file for both sides (NULL: the built-in defaults) */
static int one(const char *spec, const char *name, const char *sets, const char *yaml)
{
    char err[512];
    spattn_cfg *c = spattn_cfg_new(SPATTN_API_VERSION, yaml, err, sizeof err);
    if (!c) {
        fprintf(stderr, "test_api: %s\n", err);
        return -1;
    }
    /* "key=value;key=value" */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", sets);
    for (char *kv = strtok(buf, ";"); kv; kv = strtok(NULL, ";")) {
        char *eq = strchr(kv, '=');
        *eq = 0;
        if (spattn_cfg_set(c, kv, atof(eq + 1), err, sizeof err)) {
            fprintf(stderr, "test_api: %s\n", err);
            return -1;
        }
    }
    sp_config cfg;
    sp_config_default(&cfg);
    if (yaml && sp_config_load(yaml, &cfg, err, sizeof err)) {
        fprintf(stderr, "test_api: %s\n", err);
        return -1;
    }
    for (char *kv = strtok(strcpy(buf, sets), ";"); kv; kv = strtok(NULL, ";")) {
        char *eq = strchr(kv, '=');
        *eq = 0;
        sp_config_set_key(&cfg, kv, atof(eq + 1), err, sizeof err);
    }
    sp_trace t;
    memset(&t, 0, sizeof t);
    if (sp_trace_open(spec, &cfg.alg, &t, err, sizeof err)) {
        fprintf(stderr, "test_api: %s\n", err);
        return -1;
    }
    sp_run_result r;
    if (sp_run_model(&cfg, &t, NULL, &r, err, sizeof err)) {
        fprintf(stderr, "test_api: %s\n", err);
        return -1;
    }
    int L = t.layers, H = t.heads, d = t.d, N = t.ntok, rows = t.rows;
    spattn_state *s = spattn_state_new(SPATTN_API_VERSION, t.mode == SP_MODE_DECODE ? SPATTN_DECODE : SPATTN_ENCODER,
                                       L, H, d, t.ctx, N, err, sizeof err);
    int nev = spattn_event_count();
    uint64_t *ev = calloc((size_t)nev, sizeof *ev), *tot = calloc((size_t)nev, sizeof *tot);
    int16_t *k = malloc((size_t)H * N * d * sizeof *k), *v = malloc((size_t)H * N * d * sizeof *v);
    int16_t *out = malloc((size_t)H * rows * d * sizeof *out);
    int32_t *tok = malloc((size_t)N * sizeof *tok), hd[SP_MAX_HEADS];
    if (!s || !ev || !tot || !k || !v || !out || !tok) {
        fprintf(stderr, "test_api: %s\n", s ? "out of memory" : err);
        return -1;
    }
    uint64_t hash = SPATTN_HASH_INIT;
    int last_t = 0, last_h = 0;
    for (int it = 0; it < t.iters; it++) {
        if (t.mode == SP_MODE_DECODE)
            spattn_state_append(s);
        int n = spattn_state_ntok(s);
        for (int l = 0; l < L; l++) {
            /* k, v of the tokens present: [heads][n][d] */
            for (int h = 0; h < H; h++) {
                memcpy(k + (size_t)h * n * d, sp_trace_k(&t, l, h), (size_t)n * d * sizeof *k);
                memcpy(v + (size_t)h * n * d, sp_trace_v(&t, l, h), (size_t)n * d * sizeof *v);
            }
            last_t = spattn_state_tokens(s, l, tok);
            last_h = spattn_state_heads(s, l, hd);
            if (spattn_layer(c, s, l, sp_trace_q(&t, it, l, 0), k, v, t.sq + (size_t)l * H, t.sk + (size_t)l * H,
                             t.sv + (size_t)l * H, t.q_bits, t.k_bits, t.v_bits, out, ev, &hash)) {
                fprintf(stderr, "test_api: %s\n", spattn_state_error(s));
                return -1;
            }
            for (int i = 0; i < nev; i++)
                tot[i] += ev[i];
        }
    }
    char what[160];
    snprintf(what, sizeof what, "[%s] outputs hash %016llx (sp_run_model %016llx)", name,
             (unsigned long long)hash, (unsigned long long)r.out_checksum);
    check(hash == r.out_checksum, what, spec);
    const uint64_t *ref = (const uint64_t *)&r.total;
    int bad = 0;
    for (int i = 0; i < nev; i++)
        if (tot[i] != ref[i]) {
            printf("      %s: API %llu, sp_run_model %llu\n", spattn_event_name(i), (unsigned long long)tot[i],
                   (unsigned long long)ref[i]);
            bad++;
        }
    snprintf(what, sizeof what, "[%s] %d event counters equal", name, nev);
    check(!bad && tot[0] > 0, what, spec);
    int li = (t.iters - 1) * L + L - 1;
    snprintf(what, sizeof what, "[%s] last layer %d tokens, %d heads (sp_run_model %d, %d)", name, last_t, last_h,
             r.tokens_active[li], r.heads_active[li]);
    check(last_t == r.tokens_active[li] && last_h == r.heads_active[li], what, spec);
    free(ev); free(tot); free(k); free(v); free(out); free(tok);
    spattn_state_free(s);
    spattn_cfg_free(c);
    sp_run_result_free(&r);
    sp_trace_free(&t);
    return 0;
}

/* Two threads run the same encoder trace through their own states with one
 * shared config: no global state, so both give sp_run_model's hash. */
typedef struct {
    const spattn_cfg *c;
    const sp_trace *t;
    uint64_t hash;
    int rc;
} thr_arg;

static void *thr_run(void *p)
{
    thr_arg *a = p;
    const sp_trace *t = a->t;
    char err[256];
    a->rc = -1;
    a->hash = SPATTN_HASH_INIT;
    spattn_state *s = spattn_state_new(SPATTN_API_VERSION, SPATTN_ENCODER, t->layers, t->heads, t->d, t->ctx,
                                       t->ntok, err, sizeof err);
    int16_t *out = malloc((size_t)t->heads * t->rows * t->d * sizeof *out);
    if (!s || !out)
        return NULL;
    for (int l = 0; l < t->layers; l++)
        if (spattn_layer(a->c, s, l, sp_trace_q(t, 0, l, 0), sp_trace_k(t, l, 0), sp_trace_v(t, l, 0),
                         t->sq + (size_t)l * t->heads, t->sk + (size_t)l * t->heads,
                         t->sv + (size_t)l * t->heads, t->q_bits, t->k_bits,
                         t->v_bits, out, NULL, &a->hash)) {
            spattn_state_free(s);
            free(out);
            return NULL;
        }
    spattn_state_free(s);
    free(out);
    a->rc = 0;
    return NULL;
}

static int threads(const char *spec)
{
    char err[256];
    spattn_cfg *c = spattn_cfg_new(SPATTN_API_VERSION, NULL, err, sizeof err);
    sp_config cfg;
    sp_config_default(&cfg);
    sp_trace t;
    memset(&t, 0, sizeof t);
    sp_run_result r;
    if (!c || sp_trace_open(spec, &cfg.alg, &t, err, sizeof err) || sp_run_model(&cfg, &t, NULL, &r, err, sizeof err)) {
        fprintf(stderr, "test_api: %s\n", err);
        return -1;
    }
    thr_arg a[2] = {{c, &t, 0, -1}, {c, &t, 0, -1}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, thr_run, &a[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    char what[160];
    snprintf(what, sizeof what, "two threads, one config: hashes %016llx, %016llx (sp_run_model %016llx)",
             (unsigned long long)a[0].hash, (unsigned long long)a[1].hash, (unsigned long long)r.out_checksum);
    check(!a[0].rc && !a[1].rc && a[0].hash == r.out_checksum && a[1].hash == r.out_checksum, what, spec);
    sp_run_result_free(&r);
    sp_trace_free(&t);
    spattn_cfg_free(c);
    return 0;
}

int main(void)
{
    const char *traces[] = {
        "traces/data/minilm-austen-encoder.safetensors",
        "synth:mode=decode,layers=6,heads=4,d=64,len=200,iters=5,seed=3",
        "synth:mode=encoder,layers=4,heads=3,d=32,len=40,seed=9",
    };
    /* the defaults, and harder pruning with more requants */
    const char *sets[][2] = {
        {"defaults", "algorithm.tau=0.1"},
        {"keep 0.5/0.6/0.5 from layer 1, tau 0.4",
         "algorithm.token_keep=0.5;algorithm.token_start_layer=1;algorithm.head_keep=0.6;"
         "algorithm.head_start_layer=1;algorithm.value_keep=0.5;algorithm.tau=0.4"},
    };
    char err[256];
    if (spattn_cfg_new(SPATTN_API_VERSION + 1, NULL, err, sizeof err) == NULL && strstr(err, "version"))
        passed++;
    else
        failed++, printf("FAIL  a wrong API version is refused\n");
    for (size_t i = 0; i < sizeof traces / sizeof traces[0]; i++)
        for (size_t j = 0; j < sizeof sets / sizeof sets[0]; j++)
            if (one(traces[i], sets[j][0], sets[j][1], NULL))
                return 1;
    /* fixed token budgets: per layer on an encoder state, bit-exact with
     * sp_run_model; a decode state refuses them with one message */
    const char *by = "build/api/budgets.yaml";
    FILE *f = fopen(by, "w");
    if (!f || fprintf(f, "include: ../../configs/paper.yaml\nalgorithm:\n  token_keep: 1\n"
                         "  token_budget: [30, 20, 10, 5]\n") < 0 || fclose(f)) {
        fprintf(stderr, "test_api: cannot write %s\n", by);
        return 1;
    }
    if (one(traces[2], "budgets 30/20/10/5", "algorithm.tau=0.1", by))
        return 1;
    spattn_cfg *bc = spattn_cfg_new(SPATTN_API_VERSION, by, err, sizeof err);
    spattn_state *ds = spattn_state_new(SPATTN_API_VERSION, SPATTN_DECODE, 4, 1, 8, 4, 8, err, sizeof err);
    if (!bc || !ds || spattn_state_append(ds) < 0)
        return 1;
    int16_t z[8 * 8] = {0}, o[8];
    float one_s = 1.0f;
    int rc = spattn_layer(bc, ds, 0, z, z, z, &one_s, &one_s, &one_s, 8, 8, 8, o, NULL, NULL);
    if (rc && strstr(spattn_state_error(ds), "encoder states only"))
        passed++, printf("ok    a decode state refuses budgets: %s\n", spattn_state_error(ds));
    else
        failed++, printf("FAIL  a decode state ran budgets (rc %d: %s)\n", rc, spattn_state_error(ds));
    spattn_state_free(ds);
    spattn_cfg_free(bc);
    if (threads(traces[0]))
        return 1;
    printf("test_api: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
