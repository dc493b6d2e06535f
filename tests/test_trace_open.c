/* test_trace_open.c - the spattn-trace-1 scheme and sp_trace_open
 * (traces/trace_open.c): synthetic specs, write/read round trips with
 * deterministic bytes, the trace-level bad corpus in tests/bad/traces/,
 * the committed MiniLM trace run through sp_run_model (defaults, and a
 * no-pruning full-width config checked against float attention computed
 * here from the same integers), and the `spattn trace` command. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cliutil.h"
#include "ref.h"
#include "traces.h"
#include "safetensors.h"

#define MINILM "traces/data/minilm-austen-encoder.safetensors"

static char tmpdir[64];

static void mk_tmp(void)
{
    strcpy(tmpdir, "/tmp/sp_tr_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_tmp(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static void same_trace(const sp_trace *a, const sp_trace *b)
{
    ck_assert_int_eq(a->mode, b->mode);
    ck_assert_int_eq(a->layers, b->layers);
    ck_assert_int_eq(a->heads, b->heads);
    ck_assert_int_eq(a->d, b->d);
    ck_assert_int_eq(a->ctx, b->ctx);
    ck_assert_int_eq(a->iters, b->iters);
    ck_assert_int_eq(a->rows, b->rows);
    ck_assert_int_eq(a->ntok, b->ntok);
    ck_assert_int_eq(a->q_bits, b->q_bits);
    ck_assert_int_eq(a->k_bits, b->k_bits);
    ck_assert_int_eq(a->v_bits, b->v_bits);
    ck_assert_uint_eq(sp_trace_content_hash(a), sp_trace_content_hash(b));
    size_t lh = (size_t)a->layers * a->heads, nk = lh * a->ntok * a->d;
    ck_assert_int_eq(memcmp(a->k, b->k, nk * 2), 0);
    ck_assert_int_eq(memcmp(a->v, b->v, nk * 2), 0);
    ck_assert_int_eq(memcmp(a->q, b->q, lh * a->iters * a->rows * a->d * 2), 0);
    ck_assert_int_eq(memcmp(a->sq, b->sq, lh * 4), 0);
}

START_TEST(synth_spec)
{
    sp_config cfg;
    sp_config_default(&cfg);
    char err[512];
    const char *spec = "synth:mode=encoder,layers=2,heads=3,d=16,len=20,seed=7,peak=2";
    sp_trace a, b;
    sp_synth_spec s;
    ck_assert_int_eq(sp_trace_open(spec, &cfg.alg, &a, err, sizeof err), 0);
    ck_assert_int_eq(sp_synth_parse(spec, &s, err, sizeof err), 0);
    ck_assert_int_eq(sp_synth_generate(&s, &cfg.alg, &b, err, sizeof err), 0);
    same_trace(&a, &b);
    ck_assert_int_eq(a.mode, SP_MODE_ENCODER);
    ck_assert_int_eq(a.rows, 20);
    sp_trace_free(&a);
    sp_trace_free(&b);
    /* NULL alg means the built-in defaults */
    ck_assert_int_eq(sp_trace_open("synth:layers=1,heads=1,d=8,len=4,iters=2", NULL, &a, err, sizeof err), 0);
    ck_assert_int_eq(a.q_bits, cfg.alg.q_bits);
    ck_assert_int_eq(a.ntok, 6);
    sp_trace_free(&a);
    ck_assert_int_eq(sp_trace_open("synth:layers=0", NULL, &a, err, sizeof err), -1);
    ck_assert_str_eq(err, "trace spec: bad value '0' for 'layers'");
}
END_TEST

/* A trace's widths are 2..16 (docs/spec.md s2): a 1-bit key or value
 * datapath gives no synthetic trace (its scale would be 4 / 0); 2 bits do. */
START_TEST(synth_widths)
{
    sp_config cfg;
    sp_config_default(&cfg);
    char err[512];
    sp_trace t;
    const char *spec = "synth:mode=encoder,layers=1,heads=2,d=8,len=12";
    cfg.alg.k_msb = 1;
    cfg.alg.k_lsb = 0;
    ck_assert_int_eq(sp_trace_open(spec, &cfg.alg, &t, err, sizeof err), -1);
    ck_assert_str_eq(err, "trace spec: algorithm.k_msb + k_lsb = 1; a synthetic trace's q, k and v widths must be "
                          "2..16 bits (docs/spec.md s2)");
    ck_assert_ptr_null(t.k);
    sp_config_default(&cfg);
    cfg.alg.v_msb = 1;
    cfg.alg.v_lsb = 0;
    ck_assert_int_eq(sp_trace_open(spec, &cfg.alg, &t, err, sizeof err), -1);
    ck_assert_str_eq(err, "trace spec: algorithm.v_msb + v_lsb = 1; a synthetic trace's q, k and v widths must be "
                          "2..16 bits (docs/spec.md s2)");
    cfg.alg.v_lsb = 1; /* 1 + 1: the smallest width a trace holds */
    cfg.alg.k_msb = 1;
    cfg.alg.k_lsb = 1;
    ck_assert_msg(sp_trace_open(spec, &cfg.alg, &t, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(t.k_bits, 2);
    ck_assert_int_eq(t.v_bits, 2);
    for (int i = 0; i < t.layers * t.heads; i++)
        ck_assert(isfinite(t.sk[i]) && t.sk[i] > 0 && isfinite(t.sv[i]) && t.sv[i] > 0);
    sp_trace_free(&t);
}
END_TEST

START_TEST(unknown_kinds)
{
    sp_trace t;
    char err[512];
    ck_assert_int_eq(sp_trace_open("foo.bin", NULL, &t, err, sizeof err), -1);
    ck_assert_str_eq(err, "foo.bin: unknown trace kind (expected 'synth:key=value,...' or a .safetensors file)");
    ck_assert_int_eq(sp_trace_open("w.csv", NULL, &t, err, sizeof err), -1);
    ck_assert_str_eq(err, "w.csv: a workload CSV holds counts, not tensors; it drives the timing-only mode, not a tensor trace");
    ck_assert_int_eq(sp_trace_open("nope.safetensors", NULL, &t, err, sizeof err), -1);
    ck_assert_str_eq(err, "nope.safetensors: cannot open: No such file or directory");
    ck_assert_ptr_null(t.q);
}
END_TEST

static void roundtrip(const char *spec)
{
    mk_tmp();
    char p1[128], p2[128], err[512];
    snprintf(p1, sizeof p1, "%s/a.safetensors", tmpdir);
    snprintf(p2, sizeof p2, "%s/b.safetensors", tmpdir);
    sp_trace a, b;
    ck_assert_msg(sp_trace_open(spec, NULL, &a, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(sp_trace_write_safetensors(p1, &a, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(sp_trace_open(p1, NULL, &b, err, sizeof err) == 0, "%s", err);
    same_trace(&a, &b);
    ck_assert_str_eq(b.id, "a.safetensors");
    ck_assert_str_eq(b.model, "synthetic");
    /* the file read back writes the same bytes, except the source id */
    sp_st_meta_kv src = {"source", a.id};
    ck_assert_msg(sp_trace_write_safetensors_meta(p2, &b, &src, 1, err, sizeof err) == 0, "%s", err);
    FILE *f1 = fopen(p1, "rb"), *f2 = fopen(p2, "rb");
    int c1, c2;
    long n = 0;
    do {
        c1 = fgetc(f1);
        c2 = fgetc(f2);
        ck_assert_msg(c1 == c2, "byte %ld differs", n);
        n++;
    } while (c1 != EOF);
    fclose(f1);
    fclose(f2);
    sp_st_file f;
    ck_assert_int_eq(sp_st_read(p1, &f, err, sizeof err), 0);
    ck_assert_str_eq(sp_st_meta(&f, "format"), SP_TRACE_FORMAT);
    ck_assert_str_eq(sp_st_meta(&f, "source"), a.id);
    sp_st_free(&f);
    sp_trace_free(&a);
    sp_trace_free(&b);
    rm_tmp();
}

START_TEST(roundtrip_decode)
{
    roundtrip("synth:layers=3,heads=2,d=24,len=33,iters=5,seed=3");
}
END_TEST

START_TEST(roundtrip_encoder)
{
    roundtrip("synth:mode=encoder,layers=2,heads=4,d=8,len=17,seed=9,peak=0.5");
}
END_TEST

START_TEST(write_metadata_rules)
{
    mk_tmp();
    char p[128], err[512];
    snprintf(p, sizeof p, "%s/m.safetensors", tmpdir);
    sp_trace t;
    ck_assert_int_eq(sp_trace_open("synth:layers=1,heads=1,d=4,len=3,iters=1", NULL, &t, err, sizeof err), 0);
    sp_st_meta_kv bad = {"ctx", "99"};
    ck_assert_int_eq(sp_trace_write_safetensors_meta(p, &t, &bad, 1, err, sizeof err), -1);
    ck_assert_str_eq(strchr(err, ':'), ": metadata key 'ctx' is set from the trace itself");
    ck_assert(!cu_exists(p));
    sp_st_meta_kv extra[2] = {{"model", "mine"}, {"note", "hello"}};
    ck_assert_int_eq(sp_trace_write_safetensors_meta(p, &t, extra, 2, err, sizeof err), 0);
    sp_trace r;
    ck_assert_int_eq(sp_trace_open(p, NULL, &r, err, sizeof err), 0);
    ck_assert_str_eq(r.model, "mine");
    sp_trace_free(&r);
    sp_trace empty;
    memset(&empty, 0, sizeof empty);
    ck_assert_int_eq(sp_trace_write_safetensors(p, &empty, err, sizeof err), -1);
    sp_trace_free(&t);
    rm_tmp();
}
END_TEST

static const struct { const char *file, *msg; } corpus[] = {
    {"no-format", "__metadata__ 'format' is missing, expected 'spattn-trace-1'"},
    {"wrong-format", "__metadata__ 'format' is 'spattn-trace-0', expected 'spattn-trace-1'"},
    {"bad-mode", "__metadata__ 'mode' is 'training', expected 'decode' or 'encoder'"},
    {"ctx-not-int", "__metadata__ 'ctx' is '2a', expected an integer in 1..16384"},
    {"k-bits-17", "__metadata__ 'k_bits' is '17', expected an integer in 2..16"},
    {"q-float", "tensor 'q' has dtype F32, expected I16"},
    {"missing-v", "tensor 'v' is missing"},
    {"extra-tensor", "unexpected tensor 'w' (spattn-trace-1 has q, k, v, scale_q, scale_k, scale_v)"},
    {"decode-two-rows", "decode trace needs rows = 1 and ntok = ctx + iters, got rows 2, ntok 3, ctx 2, iters 1"},
    {"encoder-two-iters", "encoder trace needs iters = 1 and rows = ntok = ctx, got iters 2, rows 2, ntok 2, ctx 2"},
    {"k-heads-mismatch", "tensor 'k' dimension 1 is 3, expected 2"},
    {"q-out-of-range", "tensor 'q' element 2 = 8 does not fit its 4 signed bits"},
    {"zero-scale", "tensor 'scale_k' element 1 = 0 is not a finite positive scale"},
    {"d-too-large", "q dimension 4 (d) is 257, must be in 1..256"},
    {"gqa-kv-heads-not-divisor", "__metadata__ 'kv_heads' is '3', expected a divisor of heads 4"},
    {"gqa-head-map-mismatch", "__metadata__ 'head_map' is 'query head h uses K/V head h // 2; k and v are repeated "
                              "for ', expected it to start 'query head h uses K/V head h // 4' (heads 4, "
                              "kv_heads 1)"},
    {"gqa-no-head-map", "__metadata__ 'kv_heads' needs 'head_map' (grouped K/V heads)"},
    {"gqa-kv-not-shared", "head_map: layer 0 head 1 does not hold the keys, values and scales of head 0, the first "
                          "of its K/V group"},
    /* container errors come through sp_trace_open unchanged */
    {"gap", "data bytes 8..10 belong to no tensor (gap before 'b')"},
};

START_TEST(bad_trace_corpus)
{
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        char path[256], want[512], err[512] = "";
        snprintf(path, sizeof path, "tests/bad/traces/%s.safetensors", corpus[i].file);
        snprintf(want, sizeof want, "%s: %s", path, corpus[i].msg);
        sp_trace t;
        ck_assert_msg(sp_trace_open(path, NULL, &t, err, sizeof err) == -1, "%s accepted", path);
        ck_assert_str_eq(err, want);
        ck_assert_ptr_null(t.q);
        ck_assert_ptr_null(t.sv);
    }
}
END_TEST

START_TEST(minilm_defaults)
{
    sp_trace t;
    char err[512];
    ck_assert_msg(sp_trace_open(MINILM, NULL, &t, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(t.mode, SP_MODE_ENCODER);
    ck_assert_int_eq(t.layers, 6);
    ck_assert_int_eq(t.heads, 12);
    ck_assert_int_eq(t.d, 32);
    ck_assert_int_eq(t.ctx, 120);
    ck_assert_int_eq(t.rows, 120);
    ck_assert_int_eq(t.q_bits, 12);
    ck_assert_str_eq(t.model, "sentence-transformers/all-MiniLM-L6-v2");
    /* symmetric quantisation: every head uses its full range */
    size_t per = (size_t)t.ntok * t.d;
    for (int lh = 0; lh < t.layers * t.heads; lh++) {
        int mk = 0;
        for (size_t i = 0; i < per; i++)
            mk = abs(t.k[lh * per + i]) > mk ? abs(t.k[lh * per + i]) : mk;
        ck_assert_int_eq(mk, 2047);
    }
    sp_config cfg;
    sp_config_default(&cfg);
    sp_run_result r, r2;
    ck_assert_msg(sp_run_model(&cfg, &t, NULL, &r, err, sizeof err) == 0, "%s", err);
    uint64_t dense = (uint64_t)t.layers * t.heads * t.rows * t.ntok;
    ck_assert_uint_gt(r.total.head_steps, 0);
    ck_assert_uint_lt(r.total.head_steps, (uint64_t)t.layers * t.heads * t.rows);
    ck_assert_uint_lt(r.total.keys_msb, dense);
    ck_assert_uint_gt(r.total.keys_msb, dense / 4);
    /* value pruning keeps about 20 % of the active keys (at least one per row) */
    ck_assert_uint_le(r.total.values_fetched, r.total.keys_msb / 5 + r.total.head_steps);
    ck_assert_uint_ge(r.total.values_fetched, r.total.keys_msb / 5 - r.total.head_steps);
    /* some heads are flat enough to requantize, most are not */
    ck_assert_uint_gt(r.total.requants, 0);
    ck_assert_uint_lt(r.total.requants, r.total.head_steps / 2);
    ck_assert_int_eq(r.tokens_active[0], 120);
    ck_assert_int_eq(r.heads_active[0], 12);
    for (int l = 1; l < t.layers; l++) {
        ck_assert_int_le(r.tokens_active[l], r.tokens_active[l - 1]);
        ck_assert_int_le(r.heads_active[l], r.heads_active[l - 1]);
    }
    ck_assert_int_lt(r.tokens_active[t.layers - 1], 120);
    ck_assert_int_lt(r.heads_active[t.layers - 1], 12);
    ck_assert_msg(sp_run_model(&cfg, &t, NULL, &r2, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(r.out_checksum, r2.out_checksum);
    sp_run_result_free(&r);
    sp_run_result_free(&r2);
    sp_trace_free(&t);
}
END_TEST

/* float attention of one row from the trace integers (no pruning) */
typedef struct {
    const sp_trace *t;
    double max_out_err, max_p_err;
    long steps;
} cmp_ctx;

static void cmp_step(void *vctx, int it, int l, int h, int row, const sp_head_result *r)
{
    cmp_ctx *c = vctx;
    const sp_trace *t = c->t;
    size_t lh = (size_t)l * t->heads + h;
    const int16_t *q = sp_trace_q(t, it, l, h) + (size_t)row * t->d;
    const int16_t *k = sp_trace_k(t, l, h), *v = sp_trace_v(t, l, h);
    double s[SP_MAX_TOKENS > 4096 ? 4096 : SP_MAX_TOKENS], mx = -1e300, sum = 0;
    ck_assert_int_eq(r->n_active, t->ntok);
    double f = (double)t->sq[lh] * t->sk[lh] / sqrt((double)t->d);
    for (int i = 0; i < t->ntok; i++) {
        long acc = 0;
        for (int j = 0; j < t->d; j++)
            acc += (long)q[j] * k[(size_t)i * t->d + j];
        s[i] = acc * f;
        mx = s[i] > mx ? s[i] : mx;
    }
    for (int i = 0; i < t->ntok; i++)
        sum += (s[i] = exp(s[i] - mx));
    double vmax = 0;
    for (size_t i = 0; i < (size_t)t->ntok * t->d; i++)
        vmax = fabs((double)v[i]) > vmax ? fabs((double)v[i]) : vmax;
    for (int i = 0; i < t->ntok; i++) {
        ck_assert_int_eq(r->tokens[i], i);
        double e = fabs(s[i] / sum - r->prob[i] / 32768.0);
        c->max_p_err = e > c->max_p_err ? e : c->max_p_err;
    }
    for (int j = 0; j < t->d; j++) {
        double o = 0;
        for (int i = 0; i < t->ntok; i++)
            o += s[i] / sum * v[(size_t)i * t->d + j];
        double e = fabs(o - r->out[j]) / vmax; /* relative to the head's value range */
        c->max_out_err = e > c->max_out_err ? e : c->max_out_err;
    }
    c->steps++;
}

START_TEST(minilm_matches_float_attention)
{
    sp_trace t;
    char err[512];
    ck_assert_msg(sp_trace_open(MINILM, NULL, &t, err, sizeof err) == 0, "%s", err);
    sp_config cfg;
    sp_config_default(&cfg);
    sp_alg_cfg *a = &cfg.alg;
    a->token_keep = a->head_keep = a->value_keep = 1.0;
    a->token_keep_q16 = a->head_keep_q16 = a->value_keep_q16 = SP_RATIO_ONE;
    a->tau = 0;
    a->tau_q15 = 0;
    a->k_msb = 12;
    a->k_lsb = 0;
    a->v_msb = 12;
    a->v_lsb = 0;
    ck_assert_msg(sp_config_check(&cfg, err, sizeof err) == 0, "%s", err);
    cmp_ctx c = {&t, 0, 0, 0};
    sp_observer obs = {&c, cmp_step, NULL, NULL};
    sp_run_result r;
    ck_assert_msg(sp_run_model(&cfg, &t, &obs, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(c.steps, 6 * 12 * 120);
    ck_assert_uint_eq(r.total.requants, 0);
    /* the fixed-point softmax (2^-8 base-2 logits, Q1.15 probabilities) and
     * the rounded PV stay within these bounds of float attention */
    fprintf(stderr, "minilm vs float attention: max |p err| %.3g, max |out err| / max|v| %.3g\n", c.max_p_err,
            c.max_out_err);
    ck_assert_double_lt(c.max_p_err, 4e-3);
    ck_assert_double_lt(c.max_out_err, 4e-3);
    sp_run_result_free(&r);
    sp_trace_free(&t);
}
END_TEST

/* ---- the spattn trace command ---- */

static const char *spattn(void)
{
    const char *s = getenv("SPATTN");
    return s && *s ? s : "build/spattn";
}

/* runs the command; returns its exit status, stdout in out, stderr in er */
static int run(const char *args, char *out, size_t on, char *er, size_t en)
{
    return cu_run(spattn(), args, tmpdir, out, on, er, en);
}

START_TEST(cli_trace)
{
    if (access(spattn(), X_OK)) {
        printf("cli_trace: skipped: %s not built\n", spattn());
        return;
    }
    mk_tmp();
    static char out[65536], er[4096];
    char args[1200], path[256];
    snprintf(path, sizeof path, "%s/g.safetensors", tmpdir);
    snprintf(args, sizeof args, "trace gen synth:layers=2,heads=2,d=8,len=10,iters=3,seed=5 -o %s", path);
    ck_assert_int_eq(run(args, out, sizeof out, er, sizeof er), 0);
    ck_assert(cu_exists(path));
    snprintf(args, sizeof args, "trace info %s", path);
    ck_assert_int_eq(run(args, out, sizeof out, er, sizeof er), 0);
    ck_assert_msg(strstr(out, "layers           2\n") && strstr(out, "iterations       3\n") &&
                  strstr(out, "D                8\n") && strstr(out, "requants") &&
                  strstr(out, "keys fetched"), "%s", out);
    /* the file's contents hash equals the generator's */
    sp_trace t;
    char err[512], want[64];
    ck_assert_int_eq(sp_trace_open("synth:layers=2,heads=2,d=8,len=10,iters=3,seed=5", NULL, &t, err, sizeof err), 0);
    snprintf(want, sizeof want, "fnv1a64 %016llx\n", (unsigned long long)sp_trace_content_hash(&t));
    sp_trace_free(&t);
    ck_assert_msg(strstr(out, want), "%s lacks %s", out, want);
    ck_assert_int_eq(run("trace info synth:mode=encoder,layers=1,heads=2,d=8,len=12", out, sizeof out, er, sizeof er), 0);
    ck_assert_msg(strstr(out, "kind             synthetic"), "%s", out);
    ck_assert_int_eq(run("trace info --no-run " MINILM, out, sizeof out, er, sizeof er), 0);
    ck_assert_msg(strstr(out, "source           austen-pride-prejudice-ch1.txt\n"), "%s", out);
    ck_assert_ptr_null(strstr(out, "keys fetched"));
    const char *wl = getenv("SPATTN_WORKLOADS");
    char csv[512];
    snprintf(csv, sizeof csv, "%s/gpt2-small-wikitext2-pruned.csv", wl ? wl : "");
    if (wl && !access(csv, R_OK)) {
        snprintf(args, sizeof args, "trace info %s", csv);
        ck_assert_int_eq(run(args, out, sizeof out, er, sizeof er), 0);
        ck_assert_msg(strstr(out, "iterations       32\n") && strstr(out, "requants         323 of 4608") &&
                      strstr(out, "reduction 12.08x"), "%s", out);
    } else {
        printf("cli_trace: official CSV part skipped: %s is absent\n", csv);
    }
    /* bad input: one line on stderr, status 2, no file */
    struct { const char *args, *msg; } bad[] = {
        {"trace gen synth:bogus=1 -o %s/x.safetensors",
         "spattn: trace spec: unknown key 'bogus' (known: mode, layers, heads, d, len, iters, seed, peak)\n"},
        {"trace gen synth:layers=2 -o %s/x.bin", NULL},
        {"trace gen synth:layers=2 -o %s/x.safetensors --frobnicate", "spattn: trace gen: unknown option '--frobnicate'\n"},
        {"trace gen synth:layers=2 %s/x.safetensors", NULL},
        {"trace gen " MINILM " -o %s/x.safetensors", NULL},
        {"trace gen synth:layers=2 -o %s/no/such/dir/x.safetensors", NULL},
        {"trace info %s/x.safetensors", NULL},
        {"trace info tests/bad/traces/gap.safetensors%.0s",
         "spattn: tests/bad/traces/gap.safetensors: data bytes 8..10 belong to no tensor (gap before 'b')\n"},
        {"trace info tests/bad/csv/bad-bool.csv%.0s", NULL},
        {"trace frob%.0s", "spattn: trace: unknown subcommand 'frob' (known: info, gen)\n"},
        {"trace info%.0s", "spattn: trace info: missing the trace (FILE or synth:...)\n"},
        {"trace info -c%.0s", "spattn: trace info: option '-c' needs a value\n"},
        {"trace info synth:mode=encoder,layers=16,heads=16,d=256,len=4096%.0s",
         "spattn: trace spec: the trace would need 1.50 GiB of memory for q, k and v (1610615808 bytes), over the "
         "1 GiB a synthetic trace may take; use fewer layers, heads, d, len or iters\n"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(args, sizeof args, bad[i].args, tmpdir);
        ck_assert_msg(run(args, out, sizeof out, er, sizeof er) == 2, "'%s' did not exit 2", args);
        ck_assert_msg(strchr(er, '\n') == er + strlen(er) - 1 && !strncmp(er, "spattn: ", 8),
                      "'%s': stderr not one line: %s", args, er);
        if (bad[i].msg)
            ck_assert_str_eq(er, bad[i].msg);
        ck_assert_msg(!out[0], "'%s' printed to stdout: %s", args, out);
    }
    /* a FIFO given as a trace or a workload is refused at once (no block) */
    static const char *const fifo_cmd[] = {"trace info %s/f.safetensors", "trace info %s/f.csv",
                                           "run -c configs/paper.yaml -t %s/f.csv -o %s/o",
                                           "run -c configs/paper.yaml -t %s/f.safetensors -o %s/o"};
    char fs[300], fc[300], o[300];
    snprintf(fs, sizeof fs, "%s/f.safetensors", tmpdir);
    snprintf(fc, sizeof fc, "%s/f.csv", tmpdir);
    snprintf(o, sizeof o, "%s/o", tmpdir);
    ck_assert_int_eq(mkfifo(fs, 0600), 0);
    ck_assert_int_eq(mkfifo(fc, 0600), 0);
    for (int i = 0; i < 4; i++) {
        char want[400];
        snprintf(args, sizeof args, fifo_cmd[i], tmpdir, tmpdir);
        snprintf(want, sizeof want, "%s: not a regular file (a FIFO); give a regular file", i == 1 || i == 2 ? fc : fs);
        cu_expect_bad(spattn(), args, tmpdir, o, want);
    }
    remove(fs);
    remove(fc);
    /* nothing but g.safetensors was left in the directory */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test \"$(ls -A %s)\" = g.safetensors", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
    rm_tmp();
}
END_TEST

/* the q/k/v ranges noted at load equal a full pass, and the controller's
 * range check still refuses a trace wider than the config's bits */
START_TEST(ranges_noted_at_load)
{
    const char *specs[] = {"synth:mode=decode,layers=2,heads=2,d=16,len=40,iters=2,seed=5",
                           "traces/data/minilm-austen-encoder.safetensors"};
    for (int s = 0; s < 2; s++) {
        sp_trace t;
        char err[512];
        ck_assert_msg(sp_trace_open(specs[s], NULL, &t, err, sizeof err) == 0, "%s", err);
        ck_assert_uint_eq(t.ranges_magic, SP_TRACE_RANGES_MAGIC);
        const int16_t *x[3] = {t.q, t.k, t.v};
        size_t lh = (size_t)t.layers * t.heads;
        size_t n[3] = {(size_t)t.iters * lh * t.rows * t.d, lh * t.ntok * t.d, lh * t.ntok * t.d};
        for (int i = 0; i < 3; i++) {
            int16_t mn = INT16_MAX, mx = INT16_MIN;
            for (size_t j = 0; j < n[i]; j++) {
                mn = x[i][j] < mn ? x[i][j] : mn;
                mx = x[i][j] > mx ? x[i][j] : mx;
            }
            ck_assert_int_eq(t.rmin[i], mn);
            ck_assert_int_eq(t.rmax[i], mx);
        }
        /* 6-bit keys cannot hold these traces' 12-bit keys */
        sp_config c;
        sp_config_default(&c);
        c.alg.k_msb = 4;
        c.alg.k_lsb = 2;
        sp_run_result r;
        ck_assert_int_eq(sp_run_model(&c, &t, NULL, &r, err, sizeof err), -1);
        ck_assert_msg(strstr(err, "does not fit the configured 6 bits") != NULL, "%s", err);
        sp_trace_free(&t);
        ck_assert_uint_eq(t.ranges_magic, 0);
    }
}
END_TEST

/* Grouped K/V heads: a trace whose groups share K/V loads with its
 * kv_heads / head_map / rope metadata, `trace info` prints them, and the
 * same metadata over heads that do not share K/V is refused. */
START_TEST(gqa_metadata)
{
    mk_tmp();
    char p[160], err[512];
    snprintf(p, sizeof p, "%s/gqa.safetensors", tmpdir);
    sp_trace t, u;
    ck_assert_int_eq(sp_trace_open("synth:layers=2,heads=4,d=8,len=10,iters=2,seed=3", NULL, &t, err, sizeof err), 0);
    sp_st_meta_kv meta[3] = {{"kv_heads", "2"},
                             {"head_map", "query head h uses K/V head h // 2; k and v are repeated per query head"},
                             {"rope", "applied to q and k before export (theta 10000, rotate-half pairs)"}};
    /* synthetic heads differ: not a grouped trace */
    ck_assert_int_eq(sp_trace_write_safetensors_meta(p, &t, meta, 3, err, sizeof err), 0);
    ck_assert_int_eq(sp_trace_open(p, NULL, &u, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "head_map: layer 0 head 1 does not hold the keys, values and scales of head 0"), "%s", err);
    size_t per = (size_t)t.ntok * t.d;
    for (int l = 0; l < t.layers; l++)
        for (int h = 1; h < t.heads; h += 2) {
            size_t a = (size_t)l * t.heads + h;
            memcpy(t.k + a * per, t.k + (a - 1) * per, per * sizeof *t.k);
            memcpy(t.v + a * per, t.v + (a - 1) * per, per * sizeof *t.v);
            t.sk[a] = t.sk[a - 1];
            t.sv[a] = t.sv[a - 1];
        }
    ck_assert_int_eq(sp_trace_write_safetensors_meta(p, &t, meta, 3, err, sizeof err), 0);
    ck_assert_msg(sp_trace_open(p, NULL, &u, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(u.heads, 4);
    sp_trace_free(&u);
    /* one changed key of head 3 (layer 1) breaks its group */
    t.k[((size_t)1 * t.heads + 3) * per + 5] ^= 1;
    ck_assert_int_eq(sp_trace_write_safetensors_meta(p, &t, meta, 3, err, sizeof err), 0);
    ck_assert_int_eq(sp_trace_open(p, NULL, &u, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "head_map: layer 1 head 3 does not hold"), "%s", err);
    t.k[((size_t)1 * t.heads + 3) * per + 5] ^= 1;
    ck_assert_int_eq(sp_trace_write_safetensors_meta(p, &t, meta, 3, err, sizeof err), 0);
    sp_trace_free(&t);
    if (!access(spattn(), X_OK)) {
        static char out[65536], er[4096];
        char args[300];
        snprintf(args, sizeof args, "trace info --no-run %s", p);
        ck_assert_int_eq(run(args, out, sizeof out, er, sizeof er), 0);
        ck_assert_msg(strstr(out, "\nkv_heads         2\n") &&
                      strstr(out, "\nhead_map         query head h uses K/V head h // 2; k and v are repeated per "
                                  "query head\n") &&
                      strstr(out, "\nrope             applied to q and k before export (theta 10000, rotate-half "
                                  "pairs)\n"), "%s", out);
        /* the MiniLM trace has none of them */
        ck_assert_int_eq(run("trace info --no-run " MINILM, out, sizeof out, er, sizeof er), 0);
        ck_assert_ptr_null(strstr(out, "kv_heads"));
    } else {
        printf("gqa_metadata: trace info part skipped: %s not built\n", spattn());
    }
    rm_tmp();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("trace_open");
    TCase *tc = tcase_create("trace_open");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, synth_spec);
    tcase_add_test(tc, unknown_kinds);
    tcase_add_test(tc, roundtrip_decode);
    tcase_add_test(tc, roundtrip_encoder);
    tcase_add_test(tc, write_metadata_rules);
    tcase_add_test(tc, bad_trace_corpus);
    tcase_add_test(tc, synth_widths);
    tcase_add_test(tc, gqa_metadata);
    tcase_add_test(tc, minilm_defaults);
    tcase_add_test(tc, minilm_matches_float_attention);
    tcase_add_test(tc, cli_trace);
    tcase_add_test(tc, ranges_noted_at_load);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
