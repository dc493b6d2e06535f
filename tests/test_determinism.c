/* test_determinism.c - same inputs, same bytes: two runs of sp_run_model on
 * one synthetic trace give the same out_checksum, the same event counts and
 * the same observer stream; two generations of one synth spec give the same
 * trace bytes. Also checks out_checksum is the FNV-1a 64 of every output
 * (int16 little-endian) in the order of spec s10. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "ref.h"

#define FNV_PRIME UINT64_C(0x100000001b3)

static uint64_t fnv_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * FNV_PRIME;
    return h;
}

static uint64_t fnv_int(uint64_t h, int64_t x)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)x >> (8 * i));
    return fnv_bytes(h, b, 8);
}

typedef struct {
    uint64_t stream; /* hash of every callback and its data */
    uint64_t outs;   /* FNV-1a of the outputs alone */
    uint64_t calls;
} det_ctx;

static void on_step(void *ctx, int it, int layer, int head, int row, const sp_head_result *r)
{
    det_ctx *c = ctx;
    uint64_t h = c->stream;
    h = fnv_int(h, it);
    h = fnv_int(h, layer);
    h = fnv_int(h, head);
    h = fnv_int(h, row);
    h = fnv_int(h, r->n_active);
    h = fnv_int(h, r->requant);
    h = fnv_int(h, r->n_kept);
    for (int i = 0; i < r->n_active; i++) {
        h = fnv_int(h, r->tokens[i]);
        h = fnv_int(h, r->prob[i]);
    }
    for (int i = 0; i < r->n_kept; i++)
        h = fnv_int(h, r->kept[i]);
    h = fnv_int(h, (int64_t)r->head_imp_add);
    c->stream = h;
    c->calls++;
}

static int g_d; /* the trace's d: the callback does not carry it */

static void on_step_out(void *ctx, int it, int layer, int head, int row, const sp_head_result *r)
{
    det_ctx *c = ctx;
    on_step(ctx, it, layer, head, row, r);
    for (int j = 0; j < g_d; j++) {
        unsigned char b[2] = {(unsigned char)((uint16_t)r->out[j] & 0xff), (unsigned char)((uint16_t)r->out[j] >> 8)};
        c->outs = fnv_bytes(c->outs, b, 2);
        c->stream = fnv_bytes(c->stream, b, 2);
    }
}

static void on_prune(void *ctx, int it, int layer, const int32_t *kept, int n)
{
    det_ctx *c = ctx;
    uint64_t h = fnv_int(c->stream, -1);
    h = fnv_int(h, it);
    h = fnv_int(h, layer);
    for (int i = 0; i < n; i++)
        h = fnv_int(h, kept[i]);
    c->stream = h;
    c->calls++;
}

static void run(const sp_config *cfg, const sp_trace *tr, det_ctx *c, sp_run_result *res, int with_obs)
{
    memset(c, 0, sizeof *c);
    c->stream = c->outs = UINT64_C(0xcbf29ce484222325);
    g_d = tr->d;
    sp_observer obs = {c, on_step_out, on_prune, on_prune};
    char err[256] = "";
    ck_assert_msg(sp_run_model(cfg, tr, with_obs ? &obs : NULL, res, err, sizeof err) == 0, "%s", err);
}

static const char *specs[] = {
    "synth:layers=4,heads=6,d=32,len=200,iters=5,seed=3,peak=1",
    "synth:mode=encoder,layers=3,heads=4,d=16,len=48,seed=4,peak=2",
};

START_TEST(two_runs_identical)
{
    sp_config cfg;
    sp_config_default(&cfg);
    cfg.alg.token_start_layer = 1;
    cfg.alg.head_start_layer = 1;
    ref_set_ratio(&cfg.alg.head_keep_q16, &cfg.alg.head_keep, 0.7);
    sp_trace tr;
    ref_synth(specs[_i], &cfg.alg, &tr);
    det_ctx c1, c2, c3;
    sp_run_result r1, r2, r3;
    run(&cfg, &tr, &c1, &r1, 1);
    run(&cfg, &tr, &c2, &r2, 1);
    run(&cfg, &tr, &c3, &r3, 0);
    ck_assert_uint_gt(c1.calls, 0);
    ck_assert_uint_eq(c1.calls, c2.calls);
    ck_assert_uint_eq(c1.stream, c2.stream);
    ck_assert_uint_eq(r1.out_checksum, r2.out_checksum);
    /* the observer does not change the run */
    ck_assert_uint_eq(r1.out_checksum, r3.out_checksum);
    /* out_checksum is FNV-1a 64 of every output, int16 LE, in order */
    ck_assert_uint_eq(r1.out_checksum, c1.outs);
    ck_assert(memcmp(&r1.total, &r2.total, sizeof r1.total) == 0);
    ck_assert(memcmp(&r1.total, &r3.total, sizeof r1.total) == 0);
    ck_assert_uint_eq(r1.n_steps, r2.n_steps);
    for (size_t i = 0; i < r1.n_steps; i++) {
        const sp_step_rec *a = &r1.steps[i], *b = &r2.steps[i];
        ck_assert(a->it == b->it && a->layer == b->layer && a->head == b->head && a->rows == b->rows &&
                  a->active == b->active && a->kept_values == b->kept_values && a->requant_rows == b->requant_rows);
        ck_assert(memcmp(&a->ev, &b->ev, sizeof a->ev) == 0);
    }
    size_t nl = (size_t)r1.iters * (size_t)r1.layers;
    ck_assert(memcmp(r1.tokens_active, r2.tokens_active, nl * sizeof(int)) == 0);
    ck_assert(memcmp(r1.heads_active, r2.heads_active, nl * sizeof(int)) == 0);
    sp_run_result_free(&r1);
    sp_run_result_free(&r2);
    sp_run_result_free(&r3);
    /* a different trace gives a different checksum (the check can fail) */
    sp_trace t2;
    char spec2[128];
    snprintf(spec2, sizeof spec2, "%s", specs[_i]);
    char *seed = strstr(spec2, "seed=");
    ck_assert_ptr_nonnull(seed);
    seed[5] = (char)(seed[5] + 1);
    ref_synth(spec2, &cfg.alg, &t2);
    run(&cfg, &t2, &c3, &r3, 1);
    ck_assert_uint_ne(r3.out_checksum, c1.outs);
    sp_run_result_free(&r3);
    sp_trace_free(&t2);
    sp_trace_free(&tr);
}
END_TEST

static int same_trace(const sp_trace *a, const sp_trace *b)
{
    if (a->mode != b->mode || a->layers != b->layers || a->heads != b->heads || a->d != b->d ||
        a->ctx != b->ctx || a->iters != b->iters || a->rows != b->rows || a->ntok != b->ntok ||
        a->q_bits != b->q_bits || a->k_bits != b->k_bits || a->v_bits != b->v_bits ||
        strcmp(a->id, b->id) || strcmp(a->model, b->model))
        return 0;
    size_t lh = (size_t)a->layers * a->heads;
    size_t nq = (size_t)a->iters * lh * a->rows * a->d, nk = lh * a->ntok * a->d;
    return !memcmp(a->q, b->q, nq * 2) && !memcmp(a->k, b->k, nk * 2) && !memcmp(a->v, b->v, nk * 2) &&
           !memcmp(a->sq, b->sq, lh * sizeof(float)) && !memcmp(a->sk, b->sk, lh * sizeof(float)) &&
           !memcmp(a->sv, b->sv, lh * sizeof(float));
}

START_TEST(synth_same_bytes)
{
    sp_config cfg;
    sp_config_default(&cfg);
    for (int i = 0; i < 2; i++) {
        sp_trace a, b, c;
        ref_synth(specs[i], &cfg.alg, &a);
        ref_synth(specs[i], &cfg.alg, &b);
        ck_assert_msg(same_trace(&a, &b), "two generations of %s differ", specs[i]);
        char spec2[128];
        snprintf(spec2, sizeof spec2, "%s", specs[i]);
        char *seed = strstr(spec2, "seed=");
        seed[5] = (char)(seed[5] + 1);
        ref_synth(spec2, &cfg.alg, &c);
        ck_assert_msg(!same_trace(&a, &c), "seeds differ but the traces are the same: %s", spec2);
        sp_trace_free(&a);
        sp_trace_free(&b);
        sp_trace_free(&c);
    }
    /* and the PRNG stream itself is fixed: splitmix64-seeded xoshiro256**
     * (Blackman and Vigna); expected values from an independent Python
     * transcription of the published algorithms, seed 12345 */
    sp_rng r;
    sp_rng_seed(&r, 12345);
    ck_assert_uint_eq(sp_rng_next(&r), UINT64_C(0xbe6a36374160d49b));
    ck_assert_uint_eq(sp_rng_next(&r), UINT64_C(0x214aaa0637a688c6));
    ck_assert_uint_eq(sp_rng_next(&r), UINT64_C(0xf69d16de9954d388));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("determinism");
    TCase *tc = tcase_create("determinism");
    tcase_set_timeout(tc, 240);
    tcase_add_loop_test(tc, two_runs_identical, 0, 2);
    tcase_add_test(tc, synth_same_bytes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
