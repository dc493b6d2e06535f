/* synth.c - seeded synthetic q/k/v traces. Each head has a direction u;
 * every token gets a salience s_t (heavy-tailed) and its key leans along u,
 * so a few tokens draw most attention, as in real models. `peak` scales the
 * logits: 0.05 is nearly flat, 1 moderate, 4 very sharp. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "spattn.h"
#include "traces.h"

/* Largest synthetic trace, q + k + v + scales: the spec's tensors are
 * held in memory whole (sp_trace), so a spec that needs more is refused
 * when it is parsed, with the size it would need. */
#define SYNTH_MAX_BYTES (1ull << 30)

/* bytes of the sp_trace a spec makes (cmodel/trace.c sp_trace_alloc) */
static unsigned long long synth_bytes(const sp_synth_spec *s)
{
    unsigned long long lh = (unsigned long long)s->layers * (unsigned)s->heads;
    int dec = s->mode == SP_MODE_DECODE;
    unsigned long long iters = dec ? (unsigned)s->iters : 1, rows = dec ? 1 : (unsigned)s->len;
    unsigned long long ntok = (unsigned)s->len + (dec ? (unsigned)s->iters : 0);
    return 2ull * (unsigned)s->d * lh * (iters * rows + 2 * ntok) + 3 * 4 * lh;
}

void sp_synth_spec_default(sp_synth_spec *s)
{
    s->mode = SP_MODE_DECODE;
    s->layers = 12;
    s->heads = 12;
    s->d = 64;
    s->len = 1024;
    s->iters = 4;
    s->seed = 1;
    s->peak = 1.0;
}

static int parse_int(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}

int sp_synth_parse(const char *text, sp_synth_spec *s, char *err, size_t errlen)
{
    sp_synth_spec_default(s);
    if (strncmp(text, "synth:", 6) != 0 && strcmp(text, "synth") != 0) {
        snprintf(err, errlen, "trace spec '%s' does not start with 'synth:'", text);
        return -1;
    }
    char buf[512];
    if (strlen(text) >= sizeof buf) {
        snprintf(err, errlen, "trace spec too long");
        return -1;
    }
    strcpy(buf, text[5] == ':' ? text + 6 : "");
    for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            snprintf(err, errlen, "trace spec: '%s' is not key=value", kv);
            return -1;
        }
        *eq = 0;
        const char *k = kv, *v = eq + 1;
        long x;
        int bad = 0;
        if (!strcmp(k, "layers")) { bad = parse_int(v, 1, SP_MAX_LAYERS, &x); s->layers = (int)x; }
        else if (!strcmp(k, "heads")) { bad = parse_int(v, 1, SP_MAX_HEADS, &x); s->heads = (int)x; }
        else if (!strcmp(k, "d")) { bad = parse_int(v, 1, SP_MAX_D, &x); s->d = (int)x; }
        else if (!strcmp(k, "len")) { bad = parse_int(v, 1, SP_MAX_TOKENS, &x); s->len = (int)x; }
        else if (!strcmp(k, "iters")) { bad = parse_int(v, 1, SP_MAX_TOKENS, &x); s->iters = (int)x; }
        else if (!strcmp(k, "seed")) { bad = parse_int(v, 0, 0x7fffffffL, &x); s->seed = (uint64_t)x; }
        else if (!strcmp(k, "peak")) {
            char *end;
            errno = 0;
            double p = strtod(v, &end);
            bad = errno || end == v || *end || !(p >= 0.01 && p <= 64.0);
            s->peak = p;
        } else if (!strcmp(k, "mode")) {
            if (!strcmp(v, "decode")) s->mode = SP_MODE_DECODE;
            else if (!strcmp(v, "encoder")) s->mode = SP_MODE_ENCODER;
            else bad = 1;
        } else {
            snprintf(err, errlen, "trace spec: unknown key '%s' (known: mode, layers, heads, d, len, iters, seed, peak)", k);
            return -1;
        }
        if (bad) {
            snprintf(err, errlen, "trace spec: bad value '%s' for '%s'", v, k);
            return -1;
        }
    }
    if (s->mode == SP_MODE_ENCODER)
        s->iters = 1;
    if ((long)s->len + (s->mode == SP_MODE_DECODE ? s->iters : 0) > SP_MAX_TOKENS) {
        snprintf(err, errlen, "trace spec: len + iters exceeds %d tokens", SP_MAX_TOKENS);
        return -1;
    }
    unsigned long long need = synth_bytes(s);
    if (need > SYNTH_MAX_BYTES) {
        snprintf(err, errlen, "trace spec: the trace would need %.2f GiB of memory for q, k and v (%llu bytes), "
                 "over the %llu GiB a synthetic trace may take; use fewer layers, heads, d, len or iters",
                 (double)need / (double)(1ull << 30), need, SYNTH_MAX_BYTES >> 30);
        return -1;
    }
    return 0;
}

static int16_t quantize(double x, double scale, int bits)
{
    double lim = (double)((1 << (bits - 1)) - 1);
    double r = nearbyint(x / scale);
    return (int16_t)(r > lim ? lim : (r < -lim ? -lim : r));
}

int sp_synth_generate(const sp_synth_spec *s, const sp_alg_cfg *alg, sp_trace *t,
                      char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    /* the trace names its widths, 2..16 (docs/spec.md s2): the symmetric
     * rule below has no 1-bit scale; a 1-bit datapath runs a 2-bit trace */
    struct { const char *what; int bits; } w[3] = {{"algorithm.q_bits", alg->q_bits},
        {"algorithm.k_msb + k_lsb", alg->k_msb + alg->k_lsb}, {"algorithm.v_msb + v_lsb", alg->v_msb + alg->v_lsb}};
    for (int i = 0; i < 3; i++)
        if (w[i].bits < 2 || w[i].bits > 16) {
            snprintf(err, errlen, "trace spec: %s = %d; a synthetic trace's q, k and v widths must be 2..16 bits "
                     "(docs/spec.md s2)", w[i].what, w[i].bits);
            return -1;
        }
    t->mode = s->mode;
    t->layers = s->layers;
    t->heads = s->heads;
    t->d = s->d;
    t->ctx = s->len;
    t->iters = s->mode == SP_MODE_DECODE ? s->iters : 1;
    t->rows = s->mode == SP_MODE_DECODE ? 1 : s->len;
    t->ntok = s->mode == SP_MODE_DECODE ? s->len + s->iters : s->len;
    t->q_bits = alg->q_bits;
    t->k_bits = alg->k_msb + alg->k_lsb;
    t->v_bits = alg->v_msb + alg->v_lsb;
    snprintf(t->id, sizeof t->id, "synth:mode=%s,layers=%d,heads=%d,d=%d,len=%d,iters=%d,seed=%llu,peak=%g",
             s->mode == SP_MODE_DECODE ? "decode" : "encoder", s->layers, s->heads, s->d, s->len,
             t->iters, (unsigned long long)s->seed, s->peak);
    snprintf(t->model, sizeof t->model, "synthetic");
    if (sp_trace_alloc(t)) {
        snprintf(err, errlen, "trace spec: out of memory for %s", t->id);
        return -1;
    }
    sp_rng r;
    sp_rng_seed(&r, s->seed);
    /* real values span about +-4 sigma of the integer range */
    double rq = 4.0 / ((1 << (t->q_bits - 1)) - 1);
    double rk = 4.0 / ((1 << (t->k_bits - 1)) - 1);
    double rv = 4.0 / ((1 << (t->v_bits - 1)) - 1);
    double *sal = malloc(sizeof(double) * (size_t)t->ntok);
    double u[SP_MAX_D];
    if (!sal) {
        sp_trace_free(t);
        snprintf(err, errlen, "trace spec: out of memory");
        return -1;
    }
    /* token salience shared by all heads and layers: heavy-tailed */
    for (int i = 0; i < t->ntok; i++) {
        double e = -log(1.0 - sp_rng_uniform(&r));
        sal[i] = e * e * 0.25;
    }
    /* a progress line on a terminal for traces that take seconds to make */
    int progress = isatty(2) && synth_bytes(s) >= (64ull << 20);
    for (int l = 0; l < t->layers; l++) {
        if (progress)
            fprintf(stderr, "\rsynth: generating layer %d of %d (%.0f MB)", l + 1, t->layers,
                    (double)synth_bytes(s) / 1e6);
        for (int h = 0; h < t->heads; h++) {
            size_t lh = (size_t)l * t->heads + h;
            double un = 0;
            for (int j = 0; j < t->d; j++) {
                u[j] = sp_rng_normal(&r);
                un += u[j] * u[j];
            }
            un = sqrt(un);
            for (int j = 0; j < t->d; j++)
                u[j] /= un;
            t->sq[lh] = (float)(rq * s->peak);
            t->sk[lh] = (float)rk;
            t->sv[lh] = (float)rv;
            int16_t *k = sp_trace_k(t, l, h), *v = sp_trace_v(t, l, h);
            for (int i = 0; i < t->ntok; i++) {
                for (int j = 0; j < t->d; j++) {
                    double x = sp_rng_normal(&r) * 0.7 + sal[i] * u[j] * 2.0;
                    k[(size_t)i * t->d + j] = quantize(x, rk, t->k_bits);
                    v[(size_t)i * t->d + j] = quantize(sp_rng_normal(&r), rv, t->v_bits);
                }
            }
            for (int it = 0; it < t->iters; it++) {
                int16_t *q = sp_trace_q(t, it, l, h);
                for (int row = 0; row < t->rows; row++)
                    for (int j = 0; j < t->d; j++) {
                        double x = sp_rng_normal(&r) * 0.7 + u[j] * 2.0;
                        q[(size_t)row * t->d + j] = quantize(x, rq, t->q_bits);
                    }
            }
        }
    }
    if (progress)
        fprintf(stderr, "\rsynth: generated %d layers%30s\n", t->layers, "");
    free(sal);
    sp_trace_note_ranges(t);
    return 0;
}
