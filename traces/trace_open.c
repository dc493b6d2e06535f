/* trace_open.c - opening tensor traces by spec, and the spattn-trace-1
 * naming scheme on top of safetensors (docs/traces.md):
 *   q        I16 [iters, layers, heads, rows, d]
 *   k, v     I16 [layers, heads, ntok, d]
 *   scale_q, scale_k, scale_v   F32 [layers, heads]   real = int * scale
 *   __metadata__: format=spattn-trace-1, mode=decode|encoder, ctx,
 *                 q_bits, k_bits, v_bits (required); model, source,
 *                 kv_heads + head_map (grouped K/V heads, checked), ...
 * decode: rows = 1, ntok = ctx + iters; encoder: iters = 1, rows = ntok = ctx. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "safetensors.h"
#include "traces.h"

static int parse_meta_int(const char *s, long lo, long hi, long *out)
{
    if (!s || !*s)
        return -1;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (p == s && *p == '-')))
            return -1;
    errno = 0;
    char *end;
    long x = strtol(s, &end, 10);
    if (errno || *end || x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static const char *const known_tensors[6] = {"q", "k", "v", "scale_q", "scale_k", "scale_v"};

static int check_shape(const char *path, const sp_st_tensor *t, sp_st_dtype dt, int ndim,
                       const uint64_t *want, char *err, size_t errlen)
{
    if (t->dtype != dt) {
        snprintf(err, errlen, "%s: tensor '%s' has dtype %s, expected %s", path, t->name,
                 sp_st_dtype_name(t->dtype), sp_st_dtype_name(dt));
        return -1;
    }
    if (t->ndim != ndim) {
        snprintf(err, errlen, "%s: tensor '%s' has %d dimensions, expected %d", path, t->name, t->ndim, ndim);
        return -1;
    }
    for (int i = 0; want && i < ndim; i++)
        if (t->shape[i] != want[i]) {
            snprintf(err, errlen, "%s: tensor '%s' dimension %d is %llu, expected %llu", path, t->name, i,
                     (unsigned long long)t->shape[i], (unsigned long long)want[i]);
            return -1;
        }
    return 0;
}

/* reads tensor t from the file into dst, then checks (and, from its
 * little-endian bytes, sets) its n int16 elements in place: they must fit
 * `bits` */
static int load_i16(const char *path, FILE *fp, const sp_st_file *f, const sp_st_tensor *t, int16_t *dst, int bits,
                    char *err, size_t errlen)
{
    if (sp_st_read_tensor(path, fp, f, t, dst, err, errlen))
        return -1;
    int32_t lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
    const unsigned char *p = (const unsigned char *)dst;
    for (uint64_t i = 0; i < t->nelem; i++) {
        int16_t x = (int16_t)(uint16_t)(p[2 * i] | (p[2 * i + 1] << 8));
        if (x < lo || x > hi) {
            snprintf(err, errlen, "%s: tensor '%s' element %llu = %d does not fit its %d signed bits", path,
                     t->name, (unsigned long long)i, x, bits);
            return -1;
        }
        dst[i] = x;
    }
    return 0;
}

static int load_scale(const char *path, FILE *fp, const sp_st_file *f, const sp_st_tensor *t, float *dst,
                      char *err, size_t errlen)
{
    if (sp_st_read_tensor(path, fp, f, t, dst, err, errlen))
        return -1;
    for (uint64_t i = 0; i < t->nelem; i++) {
        float x;
        memcpy(&x, (const unsigned char *)dst + 4 * i, 4);
        if (!isfinite(x) || !(x > 0.0f)) {
            snprintf(err, errlen, "%s: tensor '%s' element %llu = %g is not a finite positive scale", path,
                     t->name, (unsigned long long)i, (double)x);
            return -1;
        }
        dst[i] = x;
    }
    return 0;
}

/* Grouped-query attention metadata (docs/traces.md s2, s7): `kv_heads` G
 * divides heads, and `head_map` starts "query head h uses K/V head h // N"
 * with N = heads / G; the two come together. Returns N (1 without them). */
static int read_head_map(const char *path, const sp_st_file *f, int heads, char *err, size_t errlen)
{
    const char *g = sp_st_meta(f, "kv_heads"), *m = sp_st_meta(f, "head_map");
    if (!g && !m)
        return 1;
    if (!g || !m) {
        snprintf(err, errlen, "%s: __metadata__ '%s' needs '%s' (grouped K/V heads)", path, g ? "kv_heads" : "head_map",
                 g ? "head_map" : "kv_heads");
        return -1;
    }
    long kv;
    if (parse_meta_int(g, 1, heads, &kv) || heads % kv) {
        snprintf(err, errlen, "%s: __metadata__ 'kv_heads' is '%.40s', expected a divisor of heads %d", path, g, heads);
        return -1;
    }
    int n = heads / (int)kv;
    char want[64];
    int wl = snprintf(want, sizeof want, "query head h uses K/V head h // %d", n);
    if (strncmp(m, want, (size_t)wl) || (m[wl] && m[wl] != ';')) {
        snprintf(err, errlen, "%s: __metadata__ 'head_map' is '%.60s', expected it to start '%s' (heads %d, kv_heads %ld)",
                 path, m, want, heads, kv);
        return -1;
    }
    return n;
}

/* the heads of one K/V group hold the same keys, values and scales */
static int check_groups(const char *path, const sp_trace *t, int n, char *err, size_t errlen)
{
    size_t per = (size_t)t->ntok * t->d;
    for (int l = 0; l < t->layers; l++)
        for (int h = 0; h < t->heads; h++) {
            int h0 = h - h % n;
            if (h == h0)
                continue;
            size_t a = (size_t)l * t->heads + h, b = (size_t)l * t->heads + h0;
            if (memcmp(t->k + a * per, t->k + b * per, per * sizeof *t->k) ||
                memcmp(t->v + a * per, t->v + b * per, per * sizeof *t->v) || t->sk[a] != t->sk[b] ||
                t->sv[a] != t->sv[b]) {
                snprintf(err, errlen, "%s: head_map: layer %d head %d does not hold the keys, values and scales of "
                         "head %d, the first of its K/V group", path, l, h, h0);
                return -1;
            }
        }
    return 0;
}

int sp_trace_read_safetensors(const char *path, sp_trace *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    sp_st_file f;
    FILE *fp;
    /* the header is read and checked first: every check of the container
     * and of this scheme runs before a tensor byte is read, and the tensor
     * bytes go straight into the trace (no second copy of the file) */
    if (sp_st_read_header(path, &f, &fp, err, errlen))
        return -1;
    int rc = -1;
    const char *fmt = sp_st_meta(&f, "format");
    if (!fmt || strcmp(fmt, SP_TRACE_FORMAT)) {
        snprintf(err, errlen, "%s: __metadata__ 'format' is %s%.40s%s, expected '" SP_TRACE_FORMAT "'", path,
                 fmt ? "'" : "", fmt ? fmt : "missing", fmt ? "'" : "");
        goto out;
    }
    const char *mode = sp_st_meta(&f, "mode");
    if (mode && !strcmp(mode, "decode"))
        t->mode = SP_MODE_DECODE;
    else if (mode && !strcmp(mode, "encoder"))
        t->mode = SP_MODE_ENCODER;
    else {
        snprintf(err, errlen, "%s: __metadata__ 'mode' is %s%.40s%s, expected 'decode' or 'encoder'", path,
                 mode ? "'" : "", mode ? mode : "missing", mode ? "'" : "");
        goto out;
    }
    struct { const char *key; long lo, hi; int *dst; } ints[4] = {
        {"ctx", 1, SP_MAX_TOKENS, &t->ctx}, {"q_bits", 2, 16, &t->q_bits},
        {"k_bits", 2, 16, &t->k_bits}, {"v_bits", 2, 16, &t->v_bits},
    };
    for (int i = 0; i < 4; i++) {
        long x;
        const char *s = sp_st_meta(&f, ints[i].key);
        if (parse_meta_int(s, ints[i].lo, ints[i].hi, &x)) {
            snprintf(err, errlen, "%s: __metadata__ '%s' is %s%.40s%s, expected an integer in %ld..%ld", path,
                     ints[i].key, s ? "'" : "", s ? s : "missing", s ? "'" : "", ints[i].lo, ints[i].hi);
            goto out;
        }
        *ints[i].dst = (int)x;
    }
    for (int i = 0; i < f.n_tensors; i++) {
        int k = 0;
        while (k < 6 && strcmp(f.tensors[i].name, known_tensors[k]))
            k++;
        if (k == 6) {
            snprintf(err, errlen, "%s: unexpected tensor '%.60s' (" SP_TRACE_FORMAT
                     " has q, k, v, scale_q, scale_k, scale_v)", path, f.tensors[i].name);
            goto out;
        }
    }
    const sp_st_tensor *T[6];
    for (int k = 0; k < 6; k++)
        if (!(T[k] = sp_st_find(&f, known_tensors[k]))) {
            snprintf(err, errlen, "%s: tensor '%s' is missing", path, known_tensors[k]);
            goto out;
        }
    if (check_shape(path, T[0], SP_ST_I16, 5, NULL, err, errlen) ||
        check_shape(path, T[1], SP_ST_I16, 4, NULL, err, errlen))
        goto out;
    const uint64_t *qs = T[0]->shape, *ks = T[1]->shape;
    struct { const char *what; uint64_t v, lo, hi; } dims[6] = {
        {"q dimension 0 (iters)", qs[0], 1, SP_MAX_TOKENS}, {"q dimension 1 (layers)", qs[1], 1, SP_MAX_LAYERS},
        {"q dimension 2 (heads)", qs[2], 1, SP_MAX_HEADS}, {"q dimension 3 (rows)", qs[3], 1, SP_MAX_TOKENS},
        {"q dimension 4 (d)", qs[4], 1, SP_MAX_D}, {"k dimension 2 (ntok)", ks[2], 1, SP_MAX_TOKENS},
    };
    for (int i = 0; i < 6; i++)
        if (dims[i].v < dims[i].lo || dims[i].v > dims[i].hi) {
            snprintf(err, errlen, "%s: %s is %llu, must be in %llu..%llu", path, dims[i].what,
                     (unsigned long long)dims[i].v, (unsigned long long)dims[i].lo,
                     (unsigned long long)dims[i].hi);
            goto out;
        }
    t->iters = (int)qs[0];
    t->layers = (int)qs[1];
    t->heads = (int)qs[2];
    t->rows = (int)qs[3];
    t->d = (int)qs[4];
    t->ntok = (int)ks[2];
    if (t->mode == SP_MODE_DECODE && (t->rows != 1 || (long)t->ntok != (long)t->ctx + t->iters)) {
        snprintf(err, errlen, "%s: decode trace needs rows = 1 and ntok = ctx + iters, got rows %d, ntok %d, ctx %d, iters %d",
                 path, t->rows, t->ntok, t->ctx, t->iters);
        goto out;
    }
    if (t->mode == SP_MODE_ENCODER && (t->iters != 1 || t->rows != t->ctx || t->ntok != t->ctx)) {
        snprintf(err, errlen, "%s: encoder trace needs iters = 1 and rows = ntok = ctx, got iters %d, rows %d, ntok %d, ctx %d",
                 path, t->iters, t->rows, t->ntok, t->ctx);
        goto out;
    }
    int group = read_head_map(path, &f, t->heads, err, errlen);
    if (group < 0)
        goto out;
    uint64_t kv[4] = {(uint64_t)t->layers, (uint64_t)t->heads, (uint64_t)t->ntok, (uint64_t)t->d};
    uint64_t lh[2] = {(uint64_t)t->layers, (uint64_t)t->heads};
    if (check_shape(path, T[1], SP_ST_I16, 4, kv, err, errlen) ||
        check_shape(path, T[2], SP_ST_I16, 4, kv, err, errlen) ||
        check_shape(path, T[3], SP_ST_F32, 2, lh, err, errlen) ||
        check_shape(path, T[4], SP_ST_F32, 2, lh, err, errlen) ||
        check_shape(path, T[5], SP_ST_F32, 2, lh, err, errlen))
        goto out;
    if (sp_trace_alloc(t)) {
        snprintf(err, errlen, "%s: out of memory for the trace tensors", path);
        goto out;
    }
    if (load_i16(path, fp, &f, T[0], t->q, t->q_bits, err, errlen) ||
        load_i16(path, fp, &f, T[1], t->k, t->k_bits, err, errlen) ||
        load_i16(path, fp, &f, T[2], t->v, t->v_bits, err, errlen) ||
        load_scale(path, fp, &f, T[3], t->sq, err, errlen) || load_scale(path, fp, &f, T[4], t->sk, err, errlen) ||
        load_scale(path, fp, &f, T[5], t->sv, err, errlen))
        goto out;
    if (group > 1 && check_groups(path, t, group, err, errlen))
        goto out;
    const char *model = sp_st_meta(&f, "model");
    snprintf(t->model, sizeof t->model, "%s", model ? model : "unknown");
    snprintf(t->id, sizeof t->id, "%s", base_name(path));
    sp_trace_note_ranges(t);
    rc = 0;
out:
    if (rc)
        sp_trace_free(t);
    fclose(fp);
    sp_st_free(&f);
    return rc;
}

int sp_trace_write_safetensors_meta(const char *path, const sp_trace *t, const sp_st_meta_kv *extra,
                                    int nextra, char *err, size_t errlen)
{
    if (t->layers < 1 || t->heads < 1 || t->d < 1 || t->ntok < 1 || t->rows < 1 || t->iters < 1 ||
        !t->q || !t->k || !t->v || !t->sq || !t->sk || !t->sv) {
        snprintf(err, errlen, "%s: trace has no tensors to write", path);
        return -1;
    }
    char ctx[16], qb[8], kb[8], vb[8];
    snprintf(ctx, sizeof ctx, "%d", t->ctx);
    snprintf(qb, sizeof qb, "%d", t->q_bits);
    snprintf(kb, sizeof kb, "%d", t->k_bits);
    snprintf(vb, sizeof vb, "%d", t->v_bits);
    enum { NREQ = 8, NMAX = 64 };
    sp_st_meta_kv meta[NMAX] = {
        {"format", SP_TRACE_FORMAT}, {"mode", t->mode == SP_MODE_DECODE ? "decode" : "encoder"},
        {"ctx", ctx}, {"q_bits", qb}, {"k_bits", kb}, {"v_bits", vb},
        {"model", (char *)(t->model[0] ? t->model : "unknown")}, {"source", (char *)t->id},
    };
    int nm = NREQ;
    for (int i = 0; i < nextra; i++) {
        int j = 0;
        while (j < nm && strcmp(meta[j].key, extra[i].key))
            j++;
        if (j < 6) {
            snprintf(err, errlen, "%s: metadata key '%s' is set from the trace itself", path, extra[i].key);
            return -1;
        }
        if (j == nm) {
            if (nm == NMAX) {
                snprintf(err, errlen, "%s: too many metadata keys", path);
                return -1;
            }
            nm++;
        }
        meta[j] = extra[i];
    }
    sp_st_out ts[6] = {
        {"q", SP_ST_I16, 5, {(uint64_t)t->iters, (uint64_t)t->layers, (uint64_t)t->heads, (uint64_t)t->rows, (uint64_t)t->d}, t->q},
        {"k", SP_ST_I16, 4, {(uint64_t)t->layers, (uint64_t)t->heads, (uint64_t)t->ntok, (uint64_t)t->d}, t->k},
        {"v", SP_ST_I16, 4, {(uint64_t)t->layers, (uint64_t)t->heads, (uint64_t)t->ntok, (uint64_t)t->d}, t->v},
        {"scale_q", SP_ST_F32, 2, {(uint64_t)t->layers, (uint64_t)t->heads}, t->sq},
        {"scale_k", SP_ST_F32, 2, {(uint64_t)t->layers, (uint64_t)t->heads}, t->sk},
        {"scale_v", SP_ST_F32, 2, {(uint64_t)t->layers, (uint64_t)t->heads}, t->sv},
    };
    return sp_st_write(path, ts, 6, meta, nm, err, errlen);
}

int sp_trace_write_safetensors(const char *path, const sp_trace *t, char *err, size_t errlen)
{
    return sp_trace_write_safetensors_meta(path, t, NULL, 0, err, errlen);
}

static uint64_t fnv_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    return h;
}

uint64_t sp_trace_content_hash(const sp_trace *t)
{
    size_t lh = (size_t)t->layers * t->heads;
    size_t nq = (size_t)t->iters * lh * t->rows * t->d, nk = lh * t->ntok * t->d;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    h = fnv_bytes(h, t->q, nq * 2);
    h = fnv_bytes(h, t->k, nk * 2);
    h = fnv_bytes(h, t->v, nk * 2);
    h = fnv_bytes(h, t->sq, lh * 4);
    h = fnv_bytes(h, t->sk, lh * 4);
    return fnv_bytes(h, t->sv, lh * 4);
}

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

int sp_trace_open(const char *spec, const sp_alg_cfg *alg, sp_trace *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (!strncmp(spec, "synth:", 6) || !strcmp(spec, "synth")) {
        sp_synth_spec s;
        sp_config def;
        if (!alg) {
            sp_config_default(&def);
            alg = &def.alg;
        }
        if (sp_synth_parse(spec, &s, err, errlen))
            return -1;
        return sp_synth_generate(&s, alg, t, err, errlen); /* notes the ranges */
    }
    if (ends_with(spec, ".safetensors"))
        return sp_trace_read_safetensors(spec, t, err, errlen); /* notes the ranges */
    if (ends_with(spec, ".csv"))
        snprintf(err, errlen, "%s: a workload CSV holds counts, not tensors; it drives the timing-only mode, not a tensor trace", spec);
    else
        snprintf(err, errlen, "%s: unknown trace kind (expected 'synth:key=value,...' or a .safetensors file)", spec);
    return -1;
}
