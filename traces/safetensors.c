/* safetensors.c - safetensors container reader and writer.
 * Format (huggingface/safetensors, docs/traces.md): u64 little-endian N,
 * N bytes of UTF-8 JSON (may be padded with spaces), then the byte buffer.
 * The JSON maps tensor names to {"dtype", "shape", "data_offsets":[b, e]}
 * (offsets relative to the byte buffer) plus an optional "__metadata__"
 * string->string map. The tensors must cover the buffer exactly, without
 * overlap or gap. Every malformed input gives "NAME: what is wrong". */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cJSON.h>
#include "regfile.h"
#include "safetensors.h"
#include "tmpout.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors.c assumes a little-endian host (tensor bytes are copied as is)"
#endif

static const struct { const char *name; size_t size; } dtypes[SP_ST_NDTYPES] = {
    [SP_ST_BOOL] = {"BOOL", 1}, [SP_ST_U8] = {"U8", 1}, [SP_ST_I8] = {"I8", 1},
    [SP_ST_F8_E5M2] = {"F8_E5M2", 1}, [SP_ST_F8_E4M3] = {"F8_E4M3", 1},
    [SP_ST_I16] = {"I16", 2}, [SP_ST_U16] = {"U16", 2}, [SP_ST_F16] = {"F16", 2},
    [SP_ST_BF16] = {"BF16", 2}, [SP_ST_I32] = {"I32", 4}, [SP_ST_U32] = {"U32", 4},
    [SP_ST_F32] = {"F32", 4}, [SP_ST_I64] = {"I64", 8}, [SP_ST_U64] = {"U64", 8},
    [SP_ST_F64] = {"F64", 8},
};

const char *sp_st_dtype_name(sp_st_dtype t)
{
    return (unsigned)t < SP_ST_NDTYPES ? dtypes[t].name : "?";
}

size_t sp_st_dtype_size(sp_st_dtype t)
{
    return (unsigned)t < SP_ST_NDTYPES ? dtypes[t].size : 0;
}

static int fail(char *err, size_t errlen, const char *name, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s: %s", name, msg);
    return -1;
}

void sp_st_free(sp_st_file *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n_meta; i++) {
        free(f->meta[i].key);
        free(f->meta[i].val);
    }
    free(f->meta);
    free(f->tensors);
    free(f->image);
    memset(f, 0, sizeof *f);
}

const sp_st_tensor *sp_st_find(const sp_st_file *f, const char *name)
{
    for (int i = 0; i < f->n_tensors; i++)
        if (!strcmp(f->tensors[i].name, name))
            return &f->tensors[i];
    return NULL;
}

const char *sp_st_meta(const sp_st_file *f, const char *key)
{
    for (int i = 0; i < f->n_meta; i++)
        if (!strcmp(f->meta[i].key, key))
            return f->meta[i].val;
    return NULL;
}

/* JSON number that must be an integer in [0, 2^53]. */
static int json_u64(const cJSON *x, uint64_t *out)
{
    if (!cJSON_IsNumber(x))
        return -1;
    double v = x->valuedouble;
    if (!(v >= 0.0 && v <= 9007199254740992.0) || v != floor(v))
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static int cmp_begin(const void *a, const void *b)
{
    const sp_st_tensor *x = *(const sp_st_tensor *const *)a, *y = *(const sp_st_tensor *const *)b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

static int parse_tensor(const char *name, const cJSON *e, size_t data_len, sp_st_tensor *t,
                        char *err, size_t errlen)
{
    if (strlen(e->string) >= SP_ST_MAX_NAME || !e->string[0])
        return fail(err, errlen, name, "tensor name '%.40s' is empty or longer than %d bytes",
                    e->string, SP_ST_MAX_NAME - 1);
    strcpy(t->name, e->string);
    if (!cJSON_IsObject(e))
        return fail(err, errlen, name, "tensor '%s': entry is not a JSON object", t->name);
    const cJSON *dt = NULL, *sh = NULL, *off = NULL;
    for (const cJSON *c = e->child; c; c = c->next) {
        const cJSON **slot = !strcmp(c->string, "dtype") ? &dt
                           : !strcmp(c->string, "shape") ? &sh
                           : !strcmp(c->string, "data_offsets") ? &off : NULL;
        if (!slot)
            return fail(err, errlen, name, "tensor '%s': unknown key '%.40s'", t->name, c->string);
        if (*slot)
            return fail(err, errlen, name, "tensor '%s': duplicate key '%s'", t->name, c->string);
        *slot = c;
    }
    if (!dt || !sh || !off)
        return fail(err, errlen, name, "tensor '%s': missing '%s'", t->name,
                    !dt ? "dtype" : !sh ? "shape" : "data_offsets");
    if (!cJSON_IsString(dt))
        return fail(err, errlen, name, "tensor '%s': dtype is not a string", t->name);
    int k;
    for (k = 0; k < SP_ST_NDTYPES; k++)
        if (!strcmp(dt->valuestring, dtypes[k].name))
            break;
    if (k == SP_ST_NDTYPES)
        return fail(err, errlen, name, "tensor '%s': unknown dtype '%.20s'", t->name, dt->valuestring);
    t->dtype = (sp_st_dtype)k;
    if (!cJSON_IsArray(sh))
        return fail(err, errlen, name, "tensor '%s': shape is not an array", t->name);
    int nd = cJSON_GetArraySize(sh);
    if (nd > SP_ST_MAX_DIMS)
        return fail(err, errlen, name, "tensor '%s': %d dimensions, at most %d supported", t->name, nd,
                    SP_ST_MAX_DIMS);
    t->ndim = nd;
    uint64_t n = 1;
    int i = 0, overflow = 0;
    for (const cJSON *c = sh->child; c; c = c->next, i++) {
        if (json_u64(c, &t->shape[i]))
            return fail(err, errlen, name, "tensor '%s': shape[%d] is not a non-negative integer", t->name, i);
        if (t->shape[i] && n > UINT64_MAX / t->shape[i])
            overflow = 1;
        else
            n *= t->shape[i];
    }
    if (overflow || n > UINT64_MAX / 8)
        return fail(err, errlen, name, "tensor '%s': shape has too many elements", t->name);
    t->nelem = n;
    if (!cJSON_IsArray(off) || cJSON_GetArraySize(off) != 2 || json_u64(off->child, &t->begin) ||
        json_u64(off->child->next, &t->end))
        return fail(err, errlen, name, "tensor '%s': data_offsets is not [begin, end] of non-negative integers",
                    t->name);
    if (t->end < t->begin)
        return fail(err, errlen, name, "tensor '%s': data_offsets [%llu, %llu] end before begin", t->name,
                    (unsigned long long)t->begin, (unsigned long long)t->end);
    if (t->end > data_len)
        return fail(err, errlen, name, "tensor '%s': data_offsets [%llu, %llu] run past the %zu data bytes",
                    t->name, (unsigned long long)t->begin, (unsigned long long)t->end, data_len);
    uint64_t bytes = n * dtypes[k].size;
    if (t->end - t->begin != bytes)
        return fail(err, errlen, name, "tensor '%s': shape needs %llu bytes of %s but data_offsets give %llu",
                    t->name, (unsigned long long)bytes, dtypes[k].name,
                    (unsigned long long)(t->end - t->begin));
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int find_dup(const sp_st_file *f, const char *name, char *err, size_t errlen)
{
    int n = f->n_tensors > f->n_meta ? f->n_tensors : f->n_meta;
    const char **v = malloc((n ? (size_t)n : 1) * sizeof *v);
    if (!v)
        return fail(err, errlen, name, "out of memory");
    for (int pass = 0; pass < 2; pass++) {
        int m = pass ? f->n_tensors : f->n_meta;
        for (int i = 0; i < m; i++)
            v[i] = pass ? f->tensors[i].name : f->meta[i].key;
        qsort(v, (size_t)m, sizeof *v, cmp_name);
        for (int i = 1; i < m; i++)
            if (!strcmp(v[i], v[i - 1])) {
                if (pass)
                    fail(err, errlen, name, "duplicate tensor '%.60s'", v[i]);
                else
                    fail(err, errlen, name, "'__metadata__' has duplicate key '%.40s'", v[i]);
                free(v);
                return -1;
            }
    }
    free(v);
    return 0;
}

/* a header must be UTF-8 JSON (the safetensors format) whose strings hold
 * no escaped NUL: "\u0000" would cut a C string short, so "decode\u0000x"
 * would read as "decode". Returns the offending header byte, or -1. */
static long bad_text(const unsigned char *h, size_t n, const char **why)
{
    int in_str = 0;
    for (size_t i = 0; i < n;) {
        unsigned c = h[i];
        if (c < 0x80) {
            if (c == '"') {
                in_str = !in_str;
            } else if (c == '\\' && in_str && i + 1 < n) {
                if (h[i + 1] == 'u' && i + 5 < n && !memcmp(h + i + 2, "0000", 4)) {
                    *why = "has an escaped NUL (\\u0000) in a string";
                    return (long)i;
                }
                i += 2;
                continue;
            }
            i++;
            continue;
        }
        /* UTF-8: no overlong form, no surrogate, nothing above U+10FFFF */
        int len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        int ok = len && i + (size_t)len <= n;
        for (int k = 1; ok && k < len; k++)
            ok = (h[i + k] & 0xC0) == 0x80;
        if (ok && len == 3) {
            unsigned c1 = h[i + 1];
            ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
        }
        if (ok && len == 4) {
            unsigned c1 = h[i + 1];
            ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
        }
        if (!ok) {
            *why = "is not valid UTF-8";
            return (long)i;
        }
        i += (size_t)len;
    }
    return -1;
}

/* Parses the 8-byte length and the header of an image of `size` bytes of
 * which the first `have` are in buf (at least the header once its length
 * checks pass); every check on offsets uses `size`, and no tensor byte is
 * touched. Tensor data pointers are set by the caller. */
static int parse_image(const char *name, unsigned char *buf, size_t have, size_t size, sp_st_file *f,
                       char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->image = buf;
    f->size = size;
    cJSON *root = NULL;
    char *hdr = NULL;
    int rc = -1;
    if (size < 8) {
        fail(err, errlen, name, "file is %zu bytes, too short for the 8-byte header length", size);
        goto out;
    }
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = (hlen << 8) | buf[i];
    if (hlen > SP_ST_MAX_HEADER) {
        fail(err, errlen, name, "header length %llu exceeds the %u-byte limit", (unsigned long long)hlen,
             SP_ST_MAX_HEADER);
        goto out;
    }
    if (hlen > size - 8) {
        fail(err, errlen, name, "header length %llu runs past the end of the file (%zu bytes)",
             (unsigned long long)hlen, size);
        goto out;
    }
    if (have < 8 + hlen) {
        fail(err, errlen, name, "short read of the header");
        goto out;
    }
    if (hlen < 2 || buf[8] != '{') {
        fail(err, errlen, name, "header does not start with '{'");
        goto out;
    }
    if (memchr(buf + 8, 0, hlen)) {
        fail(err, errlen, name, "header contains a NUL byte");
        goto out;
    }
    const char *why = NULL;
    long at = bad_text(buf + 8, (size_t)hlen, &why);
    if (at >= 0) {
        fail(err, errlen, name, "header %s at header byte %ld", why, at);
        goto out;
    }
    hdr = malloc(hlen + 1);
    if (!hdr) {
        fail(err, errlen, name, "out of memory for a %llu-byte header", (unsigned long long)hlen);
        goto out;
    }
    memcpy(hdr, buf + 8, hlen);
    hdr[hlen] = 0;
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(hdr, hlen, &end, 0);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        long pos = at && at >= hdr && at <= hdr + hlen ? (long)(at - hdr) : -1;
        fail(err, errlen, name, "header is not valid JSON (error near header byte %ld)", pos);
        goto out;
    }
    for (const char *p = end; p && p < hdr + hlen; p++)
        if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') {
            fail(err, errlen, name, "header has trailing bytes after the JSON object (header byte %ld)",
                 (long)(p - hdr));
            goto out;
        }
    if (!cJSON_IsObject(root)) {
        fail(err, errlen, name, "header is not a JSON object");
        goto out;
    }
    size_t data_len = size - 8 - (size_t)hlen;
    int nt = 0, seen_meta = 0;
    for (const cJSON *e = root->child; e; e = e->next)
        nt += strcmp(e->string, "__metadata__") != 0;
    f->tensors = calloc(nt ? (size_t)nt : 1, sizeof *f->tensors);
    if (!f->tensors) {
        fail(err, errlen, name, "out of memory");
        goto out;
    }
    for (const cJSON *e = root->child; e; e = e->next) {
        if (!strcmp(e->string, "__metadata__")) {
            if (seen_meta++) {
                fail(err, errlen, name, "duplicate '__metadata__'");
                goto out;
            }
            if (!cJSON_IsObject(e)) {
                fail(err, errlen, name, "'__metadata__' is not a JSON object");
                goto out;
            }
            int nm = cJSON_GetArraySize(e);
            f->meta = calloc(nm ? (size_t)nm : 1, sizeof *f->meta);
            if (!f->meta) {
                fail(err, errlen, name, "out of memory");
                goto out;
            }
            for (const cJSON *m = e->child; m; m = m->next) {
                if (!cJSON_IsString(m)) {
                    fail(err, errlen, name, "'__metadata__' value of '%.40s' is not a string", m->string);
                    goto out;
                }
                sp_st_meta_kv *kv = &f->meta[f->n_meta];
                kv->key = strdup(m->string);
                kv->val = strdup(m->valuestring);
                f->n_meta++;
                if (!kv->key || !kv->val) {
                    fail(err, errlen, name, "out of memory");
                    goto out;
                }
            }
            continue;
        }
        sp_st_tensor *t = &f->tensors[f->n_tensors];
        if (parse_tensor(name, e, data_len, t, err, errlen))
            goto out;
        f->n_tensors++;
    }
    /* duplicates, found by sorting (cJSON keeps repeated keys) */
    if (find_dup(f, name, err, errlen))
        goto out;
    /* coverage: sorted by offset, the tensors must tile [0, data_len) */
    {
        const sp_st_tensor **ord = malloc((f->n_tensors ? (size_t)f->n_tensors : 1) * sizeof *ord);
        if (!ord) {
            fail(err, errlen, name, "out of memory");
            goto out;
        }
        for (int i = 0; i < f->n_tensors; i++)
            ord[i] = &f->tensors[i];
        qsort(ord, (size_t)f->n_tensors, sizeof *ord, cmp_begin);
        uint64_t pos = 0;
        int bad = 0;
        for (int i = 0; i < f->n_tensors && !bad; i++) {
            if (ord[i]->begin < pos) {
                fail(err, errlen, name, "tensor '%s' (bytes %llu..%llu) overlaps the tensor before it",
                     ord[i]->name, (unsigned long long)ord[i]->begin, (unsigned long long)ord[i]->end);
                bad = 1;
            } else if (ord[i]->begin > pos) {
                fail(err, errlen, name, "data bytes %llu..%llu belong to no tensor (gap before '%s')",
                     (unsigned long long)pos, (unsigned long long)ord[i]->begin, ord[i]->name);
                bad = 1;
            }
            pos = ord[i]->end;
        }
        free(ord);
        if (bad)
            goto out;
        if (pos != data_len) {
            fail(err, errlen, name, "data bytes %llu..%zu after the last tensor belong to no tensor",
                 (unsigned long long)pos, data_len);
            goto out;
        }
    }
    rc = 0;
out:
    cJSON_Delete(root);
    free(hdr);
    if (rc)
        sp_st_free(f);
    return rc;
}

static void set_data(sp_st_file *f)
{
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = (hlen << 8) | f->image[i];
    f->data_start = 8 + (size_t)hlen;
    for (int i = 0; i < f->n_tensors; i++)
        f->tensors[i].data = f->image + 8 + hlen + f->tensors[i].begin;
}

int sp_st_parse(const char *name, unsigned char *buf, size_t size, sp_st_file *f, char *err, size_t errlen)
{
    if (parse_image(name, buf, size, size, f, err, errlen))
        return -1;
    set_data(f);
    return 0;
}

/* Reads the 8-byte length and the header first and checks them against the
 * file size (the tensors must tile the rest exactly); only then reads the
 * tensor bytes. A bad header costs its own bytes, not the file's. */
int sp_st_read_header(const char *path, sp_st_file *f, FILE **fpp, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    *fpp = NULL;
    off_t fsz;
    FILE *fp = sp_fopen_regular(path, &fsz, err, errlen);
    if (!fp)
        return -1;
    if ((uintmax_t)fsz > (uintmax_t)SIZE_MAX / 2) {
        fclose(fp);
        return fail(err, errlen, path, "file too large");
    }
    size_t size = (size_t)fsz, have = size < 8 ? size : 8;
    unsigned char *buf = malloc(8 + 1), *nb;
    if (!buf) {
        fclose(fp);
        return fail(err, errlen, path, "out of memory");
    }
    if (fread(buf, 1, have, fp) != have) {
        fclose(fp);
        free(buf);
        return fail(err, errlen, path, "read error");
    }
    uint64_t hlen = 0;
    for (int i = 7; i >= 0 && have == 8; i--)
        hlen = (hlen << 8) | buf[i];
    /* read the header only when its length is plausible; parse_image
     * reports the length errors from the 8 bytes alone */
    if (have == 8 && hlen <= SP_ST_MAX_HEADER && hlen <= size - 8) {
        nb = realloc(buf, 8 + (size_t)hlen + 1);
        if (!nb) {
            fclose(fp);
            free(buf);
            return fail(err, errlen, path, "out of memory for a %llu-byte header", (unsigned long long)hlen);
        }
        buf = nb;
        size_t got = fread(buf + 8, 1, (size_t)hlen, fp);
        have += got;
    }
    /* parse_image frees buf on error (through sp_st_free) */
    if (parse_image(path, buf, have, size, f, err, errlen)) {
        fclose(fp);
        return -1;
    }
    f->data_start = have;
    *fpp = fp;
    return 0;
}

int sp_st_read_tensor(const char *path, FILE *fp, const sp_st_file *f, const sp_st_tensor *t, void *dst,
                      char *err, size_t errlen)
{
    size_t n = (size_t)(t->end - t->begin);
    if (!n)
        return 0;
    if (fseeko(fp, (off_t)(f->data_start + t->begin), SEEK_SET) || fread(dst, 1, n, fp) != n)
        return fail(err, errlen, path, "read error in tensor '%s' (the file changed size while read)", t->name);
    return 0;
}

int sp_st_read(const char *path, sp_st_file *f, char *err, size_t errlen)
{
    FILE *fp;
    if (sp_st_read_header(path, f, &fp, err, errlen))
        return -1;
    /* the header is valid and its tensors tile the file's remaining bytes */
    size_t size = f->size, have = f->data_start;
    unsigned char *nb = realloc(f->image, size ? size : 1);
    if (!nb) {
        fclose(fp);
        sp_st_free(f);
        return fail(err, errlen, path, "out of memory for %zu bytes", size);
    }
    f->image = nb;
    size_t rest = size - have, got = rest ? fread(nb + have, 1, rest, fp) : 0;
    int rerr = ferror(fp), more = fgetc(fp) != EOF;
    fclose(fp);
    if (rerr || got != rest || more) {
        sp_st_free(f);
        return fail(err, errlen, path, "read error (the file changed size while read)");
    }
    set_data(f);
    return 0;
}

/* ---- writer ---- */

typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k > 0)
        sb_put(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

static void sb_json_str(sbuf *b, const char *s)
{
    sb_put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            sb_put(b, e, 2);
        } else if (*p < 0x20) {
            sb_printf(b, "\\u%04x", *p);
        } else {
            sb_put(b, (const char *)p, 1);
        }
    }
    sb_put(b, "\"", 1);
}

static int cmp_out(const void *a, const void *b)
{
    return strcmp((*(const sp_st_out *const *)a)->name, (*(const sp_st_out *const *)b)->name);
}

static int cmp_meta(const void *a, const void *b)
{
    return strcmp((*(const sp_st_meta_kv *const *)a)->key, (*(const sp_st_meta_kv *const *)b)->key);
}

int sp_st_write(const char *path, const sp_st_out *ts, int n, const sp_st_meta_kv *meta, int nmeta,
                char *err, size_t errlen)
{
    const sp_st_out **ord = malloc(((size_t)n + 1) * sizeof *ord);
    const sp_st_meta_kv **mord = malloc(((size_t)nmeta + 1) * sizeof *mord);
    uint64_t *bytes = malloc(((size_t)n + 1) * sizeof *bytes);
    sbuf b = {0};
    int rc = -1;
    FILE *fp = NULL;
    char tmp[4200] = "";
    if (!ord || !mord || !bytes) {
        fail(err, errlen, path, "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++)
        ord[i] = &ts[i];
    for (int i = 0; i < nmeta; i++)
        mord[i] = &meta[i];
    qsort(ord, (size_t)n, sizeof *ord, cmp_out);
    qsort(mord, (size_t)nmeta, sizeof *mord, cmp_meta);
    for (int i = 0; i < n; i++) {
        const sp_st_out *t = ord[i];
        if (!t->name[0] || strlen(t->name) >= SP_ST_MAX_NAME || !strcmp(t->name, "__metadata__") ||
            (i && !strcmp(t->name, ord[i - 1]->name))) {
            fail(err, errlen, path, "bad or duplicate tensor name '%.60s'", t->name);
            goto out;
        }
        if ((unsigned)t->dtype >= SP_ST_NDTYPES || t->ndim < 0 || t->ndim > SP_ST_MAX_DIMS) {
            fail(err, errlen, path, "tensor '%s': bad dtype or rank", t->name);
            goto out;
        }
        uint64_t e = 1;
        for (int j = 0; j < t->ndim; j++) {
            if (t->shape[j] && e > (UINT64_MAX / 16) / t->shape[j]) {
                fail(err, errlen, path, "tensor '%s': too many elements", t->name);
                goto out;
            }
            e *= t->shape[j];
        }
        bytes[i] = e * dtypes[t->dtype].size;
    }
    for (int i = 1; i < nmeta; i++)
        if (!strcmp(mord[i]->key, mord[i - 1]->key)) {
            fail(err, errlen, path, "duplicate metadata key '%.60s'", mord[i]->key);
            goto out;
        }
    sb_put(&b, "{", 1);
    if (nmeta) {
        sb_json_str(&b, "__metadata__");
        sb_put(&b, ":{", 2);
        for (int i = 0; i < nmeta; i++) {
            if (i)
                sb_put(&b, ",", 1);
            sb_json_str(&b, mord[i]->key);
            sb_put(&b, ":", 1);
            sb_json_str(&b, mord[i]->val);
        }
        sb_put(&b, "}", 1);
    }
    uint64_t off = 0;
    for (int i = 0; i < n; i++) {
        const sp_st_out *t = ord[i];
        if (nmeta || i)
            sb_put(&b, ",", 1);
        sb_json_str(&b, t->name);
        sb_printf(&b, ":{\"dtype\":\"%s\",\"shape\":[", dtypes[t->dtype].name);
        for (int j = 0; j < t->ndim; j++)
            sb_printf(&b, j ? ",%llu" : "%llu", (unsigned long long)t->shape[j]);
        sb_printf(&b, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
                  (unsigned long long)(off + bytes[i]));
        off += bytes[i];
    }
    sb_put(&b, "}", 1);
    while ((b.n + 8) % 8) /* pad with spaces so the data starts 8-aligned */
        sb_put(&b, " ", 1);
    if (b.oom || b.n > SP_ST_MAX_HEADER) {
        fail(err, errlen, path, b.oom ? "out of memory" : "header too large");
        goto out;
    }
    /* a short temporary name beside path (any valid path works), removed
     * if spattn is interrupted (traces/tmpout.h) */
    int fd;
    char terr[600];
    if (sp_tmp_create(path, tmp, sizeof tmp, &fd, terr, sizeof terr)) {
        fail(err, errlen, path, "cannot create a temporary file beside it: %s", strerror(errno));
        tmp[0] = 0;
        goto out;
    }
    fp = fdopen(fd, "wb");
    if (!fp) {
        close(fd);
        fail(err, errlen, path, "cannot write '%s': %s", tmp, strerror(errno));
        goto out;
    }
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)(((uint64_t)b.n >> (8 * i)) & 0xff);
    int ok = fwrite(len8, 1, 8, fp) == 8 && fwrite(b.s, 1, b.n, fp) == b.n;
    for (int i = 0; i < n && ok; i++)
        if (bytes[i])
            ok = fwrite(ord[i]->data, 1, (size_t)bytes[i], fp) == bytes[i];
    int e = errno;
    if (fclose(fp) && ok) {
        ok = 0;
        e = errno;
    }
    fp = NULL;
    if (!ok) {
        fail(err, errlen, path, "write error on '%s': %s", tmp, strerror(e));
        goto out;
    }
    if (sp_tmp_commit_file(tmp, path)) {
        fail(err, errlen, path, "cannot rename '%s': %s", tmp, strerror(errno));
        goto out;
    }
    tmp[0] = 0;
    rc = 0;
out:
    if (fp)
        fclose(fp);
    if (tmp[0])
        sp_tmp_discard(tmp);
    free(b.s);
    free(ord);
    free(mord);
    free(bytes);
    return rc;
}
