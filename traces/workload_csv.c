/* workload_csv.c - strict reader of the official SpAtten per-head-step
 * workload CSV (../shared/workloads/README.md, docs/traces.md): exact
 * header, 17 fields per row of decimal text, every field parsed and
 * range-checked, rows in any order, no duplicate head-step, the rows of
 * pruned heads absent under the cascade rules (check_heads), and an
 * optional last line "NAME,,,,..." naming the run's config. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "regfile.h"
#include "spattn.h"
#include "workload.h"

#define NCOL 17
#define MAX_LINE 4096

static const char *const cols[NCOL] = {
    "iteration_id", "layer_id", "head_id", "embedding_length_D", "sentence_length_L",
    "key_fetch_num", "quant_key_bit", "quant_query_bit", "auto_requant_thres", "if_requant",
    "auto_requant_incre", "value_fetch_num", "quant_value_bit", "if_accumulate_importance",
    "if_rescale_previous_importance", "if_topk", "topk",
};
enum { C_IT, C_LAYER, C_HEAD, C_D, C_LEN, C_KEYS, C_KBIT, C_QBIT, C_TAU, C_REQ, C_INCR, C_VALS,
       C_VBIT, C_ACC, C_RESC, C_TOPKF, C_TOPK };

typedef struct {
    const char *path;
    long line;
    char *err;
    size_t errlen;
} ctx_t;

static int bad(ctx_t *c, int col, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (col >= 0)
        snprintf(c->err, c->errlen, "%s:%ld: column '%s': %s", c->path, c->line, cols[col], msg);
    else
        snprintf(c->err, c->errlen, "%s:%ld: %s", c->path, c->line, msg);
    return -1;
}

static int get_int(ctx_t *c, int col, const char *s, long lo, long hi, int *out)
{
    const char *p = s + (*s == '-');
    if (!*p) 
        return bad(c, col, "'%.40s' is not an integer", s);
    for (; *p; p++)
        if (*p < '0' || *p > '9')
            return bad(c, col, "'%.40s' is not an integer", s);
    errno = 0;
    long x = strtol(s, NULL, 10);
    if (errno || x < lo || x > hi)
        return bad(c, col, "%.40s is out of range %ld..%ld", s, lo, hi);
    *out = (int)x;
    return 0;
}

/* -1 (not used) or lo..hi */
static int get_opt(ctx_t *c, int col, const char *s, long lo, long hi, int *out)
{
    if (!strcmp(s, "-1")) {
        *out = -1;
        return 0;
    }
    const char *p = s + (*s == '-');
    int digits = *p != 0;
    for (; *p; p++)
        digits &= *p >= '0' && *p <= '9';
    if (!digits)
        return bad(c, col, "'%.40s' is not an integer", s);
    long x = strtol(s, NULL, 10);
    if (x < lo || x > hi)
        return bad(c, col, "%.40s is out of range (-1 or %ld..%ld)", s, lo, hi);
    *out = (int)x;
    return 0;
}

/* decimal text only, as Python's str(float) writes it: [-]D[.D][e[+-]D];
 * no hex, inf, nan, leading '+' or '.', or spaces */
static int decimal_real(const char *s)
{
    const char *p = s + (*s == '-');
    const char *d0 = p;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p == d0)
        return 0;
    if (*p == '.') {
        const char *f0 = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == f0)
            return 0;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        p += *p == '-' || *p == '+';
        const char *e0 = p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == e0)
            return 0;
    }
    return *p == 0;
}

static int get_real(ctx_t *c, int col, const char *s, double *out)
{
    char *end;
    errno = 0;
    if (!decimal_real(s))
        return bad(c, col, "'%.40s' is not a decimal number", s);
    double x = strtod(s, &end);
    if (errno || *end || !isfinite(x))
        return bad(c, col, "%.40s is out of range", s);
    *out = x;
    return 0;
}

static int get_bool(ctx_t *c, int col, const char *s, int *out)
{
    if (!strcmp(s, "True"))
        *out = 1;
    else if (!strcmp(s, "False"))
        *out = 0;
    else
        return bad(c, col, "'%.40s' is not True or False", s);
    return 0;
}

static int parse_row(ctx_t *c, char **f, sp_wl_row *r)
{
    double dd;
    if (get_int(c, C_IT, f[C_IT], 0, SP_MAX_TOKENS - 1, &r->iter) ||
        get_int(c, C_LAYER, f[C_LAYER], 0, SP_MAX_LAYERS - 1, &r->layer) ||
        get_int(c, C_HEAD, f[C_HEAD], 0, SP_MAX_HEADS - 1, &r->head) ||
        get_real(c, C_D, f[C_D], &dd))
        return -1;
    if (dd != floor(dd) || dd < 1 || dd > SP_MAX_D)
        return bad(c, C_D, "%.40s is not a whole number in 1..%d", f[C_D], SP_MAX_D);
    r->d = (int)dd;
    if (get_int(c, C_LEN, f[C_LEN], 1, SP_MAX_TOKENS, &r->len) ||
        get_int(c, C_KEYS, f[C_KEYS], 0, SP_MAX_TOKENS, &r->keys) ||
        get_opt(c, C_KBIT, f[C_KBIT], 1, 16, &r->k_bits) ||
        get_opt(c, C_QBIT, f[C_QBIT], 1, 16, &r->q_bits) ||
        get_real(c, C_TAU, f[C_TAU], &r->tau) ||
        get_bool(c, C_REQ, f[C_REQ], &r->requant) ||
        get_opt(c, C_INCR, f[C_INCR], 0, 16, &r->lsb_incr) ||
        get_int(c, C_VALS, f[C_VALS], 0, SP_MAX_TOKENS, &r->values) ||
        get_opt(c, C_VBIT, f[C_VBIT], 1, 16, &r->v_bits) ||
        get_bool(c, C_ACC, f[C_ACC], &r->acc_imp) ||
        get_bool(c, C_RESC, f[C_RESC], &r->rescale_imp) ||
        get_bool(c, C_TOPKF, f[C_TOPKF], &r->topk_flag) ||
        get_opt(c, C_TOPK, f[C_TOPK], 1, SP_MAX_TOKENS, &r->topk_k))
        return -1;
    if (r->tau != -1.0 && !(r->tau > 0.0 && r->tau <= 1.0))
        return bad(c, C_TAU, "%.40s is out of range (-1 or (0, 1])", f[C_TAU]);
    if (r->keys > r->len)
        return bad(c, C_KEYS, "%d keys exceed sentence_length_L %d", r->keys, r->len);
    if (r->values > r->keys)
        return bad(c, C_VALS, "%d values exceed key_fetch_num %d", r->values, r->keys);
    if (r->requant && r->lsb_incr < 1)
        return bad(c, C_INCR, "if_requant is True but %d LSB bits are added", r->lsb_incr);
    /* widths after an LSB refetch: the timing model adds auto_requant_incre
     * to quantized keys and values alike (cmodel/timing.c) */
    int incr = r->lsb_incr > 0 ? r->lsb_incr : 0;
    if (r->k_bits > 0 && r->k_bits + incr > 16)
        return bad(c, C_INCR, "quant_key_bit %d + %d LSB bits exceed 16 bits per element", r->k_bits, incr);
    if (r->v_bits > 0 && r->v_bits + incr > 16)
        return bad(c, C_INCR, "quant_value_bit %d + %d LSB bits exceed 16 bits per element", r->v_bits, incr);
    if (r->requant && r->k_bits < 0)
        return bad(c, C_REQ, "True, but keys are full width (quant_key_bit -1): nothing to refetch");
    if (r->topk_flag != (r->topk_k != -1))
        return bad(c, C_TOPK, "%.40s does not agree with if_topk %s", f[C_TOPK],
                   r->topk_flag ? "True" : "False");
    if (r->topk_flag && r->topk_k > r->len)
        return bad(c, C_TOPK, "k %d exceeds sentence_length_L %d", r->topk_k, r->len);
    return 0;
}

/* splits s at commas into f[]; returns the number of fields */
static int split(char *s, char **f, int max)
{
    int n = 0;
    for (;;) {
        if (n < max)
            f[n] = s;
        n++;
        char *comma = strchr(s, ',');
        if (!comma)
            break;
        *comma = 0;
        s = comma + 1;
    }
    return n;
}

static int cmp_row(const void *a, const void *b)
{
    const sp_wl_row *x = a, *y = b;
    if (x->iter != y->iter) return x->iter < y->iter ? -1 : 1;
    if (x->layer != y->layer) return x->layer < y->layer ? -1 : 1;
    if (x->head != y->head) return x->head < y->head ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

void sp_workload_free(sp_workload *w)
{
    free(w->rows);
    free(w->heads_active);
    w->rows = NULL;
    w->heads_active = NULL;
    w->n = 0;
}

/* The head sets of sorted rows: per (iteration, layer) the rows present
 * (heads_active), and the cascade rules: within an iteration a head absent
 * from a layer never comes back, and no layer is empty while a later one
 * has rows; no iteration is empty while a later one has rows. */
static int check_heads(ctx_t *c, sp_workload *w)
{
    const sp_wl_row *r = w->rows;
    size_t n = w->n, i = 0;
    int L = w->layers;
    w->heads_active = calloc((size_t)w->iters * (size_t)L, sizeof *w->heads_active);
    if (!w->heads_active) {
        snprintf(c->err, c->errlen, "%s: out of memory", c->path);
        return -1;
    }
    for (int it = 0; it < w->iters; it++) {
        if (i == n || r[i].iter != it) {
            c->line = r[i].line;
            return bad(c, -1, "iteration %d has no rows, but iteration %d (this line) does", it, r[i].iter);
        }
        uint64_t prev = 0;
        int prev_layer = -1;
        for (int l = 0; l < L && i < n && r[i].iter == it; l++) {
            if (r[i].layer != l) {
                c->line = r[i].line;
                return bad(c, -1, "layer %d of iteration %d has no rows, but layer %d (this line) does", l, it,
                           r[i].layer);
            }
            uint64_t mask = 0;
            for (; i < n && r[i].iter == it && r[i].layer == l; i++) {
                if (prev_layer >= 0 && !(prev >> r[i].head & 1)) {
                    c->line = r[i].line;
                    return bad(c, -1, "head %d of iteration %d is back in layer %d after it was pruned "
                               "(absent from layer %d)", r[i].head, it, l, prev_layer);
                }
                mask |= (uint64_t)1 << r[i].head;
                w->heads_active[(size_t)it * L + l]++;
            }
            prev = mask;
            prev_layer = l;
        }
    }
    w->heads_pruned = (size_t)w->iters * (size_t)L * (size_t)w->heads - n;
    return 0;
}

void sp_workload_refetch_rule(const char *footer, int *k, int *v)
{
    *k = *v = 1;
    const char *r = strstr(footer, "requant");
    const char *inc = r ? strstr(r, "_inc") : NULL;
    if (!inc)
        return;
    const char *p = inc + 4;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p == inc + 4 || *p != '_')
        return; /* "_inc<N>" alone: both */
    p++;
    size_t n = strcspn(p, "+.,/");
    if (n == 1 && p[0] == 'k')
        *v = 0;
    else if (n == 1 && p[0] == 'v')
        *k = 0;
}

int sp_workload_load_csv(const char *path, sp_workload *w, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    snprintf(w->path, sizeof w->path, "%s", path);
    ctx_t c = {path, 0, err, errlen};
    FILE *fp = sp_fopen_regular(path, NULL, err, errlen);
    if (!fp)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    sp_wl_row *rows = NULL;
    size_t n = 0, rcap = 0;
    int rc = -1, footer_line = 0;
    ssize_t len;
    char *f[NCOL];
    while ((len = getline(&line, &cap, fp)) >= 0) {
        c.line++;
        if (len > MAX_LINE) {
            bad(&c, -1, "line longer than %d bytes", MAX_LINE);
            goto out;
        }
        if ((size_t)len != strlen(line)) {
            bad(&c, -1, "line contains a NUL byte");
            goto out;
        }
        if (len && line[len - 1] == '\n')
            line[--len] = 0;
        if (len && line[len - 1] == '\r')
            line[--len] = 0;
        if (footer_line) {
            c.line = footer_line;
            bad(&c, -1, "the config-name line must be the last line");
            goto out;
        }
        if (c.line == 1) {
            int k = split(line, f, NCOL);
            if (k != NCOL) {
                bad(&c, -1, "header has %d columns, expected %d (iteration_id,...,topk)", k, NCOL);
                goto out;
            }
            for (int i = 0; i < NCOL; i++)
                if (strcmp(f[i], cols[i])) {
                    bad(&c, -1, "header column %d is '%.40s', expected '%s'", i + 1, f[i], cols[i]);
                    goto out;
                }
            continue;
        }
        if (!len) {
            bad(&c, -1, "empty line");
            goto out;
        }
        int k = split(line, f, NCOL);
        if (k != NCOL) {
            bad(&c, -1, "%d fields, expected %d", k, NCOL);
            goto out;
        }
        if (f[0][0] && !(f[0][0] >= '0' && f[0][0] <= '9') && f[0][0] != '-') {
            int empty = 1;
            for (int i = 1; i < NCOL; i++)
                empty &= !f[i][0];
            if (empty) { /* trailing config-name line */
                snprintf(w->footer, sizeof w->footer, "%s", f[0]);
                footer_line = (int)c.line;
                continue;
            }
        }
        if (n == rcap) {
            size_t nc = rcap ? rcap * 2 : 1024;
            sp_wl_row *p = realloc(rows, nc * sizeof *rows);
            if (!p) {
                bad(&c, -1, "out of memory");
                goto out;
            }
            rows = p;
            rcap = nc;
        }
        for (int i = 0; i < NCOL; i++)
            if (!f[i][0]) {
                bad(&c, i, "empty");
                goto out;
            }
        if (parse_row(&c, f, &rows[n]))
            goto out;
        rows[n].line = c.line;
        if (n && rows[n].d != rows[0].d) {
            bad(&c, C_D, "%d differs from %d on line %ld", rows[n].d, rows[0].d, rows[0].line);
            goto out;
        }
        n++;
    }
    if (ferror(fp)) {
        snprintf(err, errlen, "%s: read error", path);
        goto out;
    }
    if (c.line == 0) {
        snprintf(err, errlen, "%s: empty file (no header)", path);
        goto out;
    }
    if (n == 0) {
        snprintf(err, errlen, "%s: no data rows", path);
        goto out;
    }
    qsort(rows, n, sizeof *rows, cmp_row);
    for (size_t i = 0; i < n; i++) {
        if (rows[i].iter + 1 > w->iters) w->iters = rows[i].iter + 1;
        if (rows[i].layer + 1 > w->layers) w->layers = rows[i].layer + 1;
        if (rows[i].head + 1 > w->heads) w->heads = rows[i].head + 1;
    }
    for (size_t i = 1; i < n; i++)
        if (rows[i].iter == rows[i - 1].iter && rows[i].layer == rows[i - 1].layer &&
            rows[i].head == rows[i - 1].head) {
            c.line = rows[i].line;
            bad(&c, -1, "head-step (iteration %d, layer %d, head %d) already given on line %ld",
                rows[i].iter, rows[i].layer, rows[i].head, rows[i - 1].line);
            goto out;
        }
    sp_wl_row *fit = realloc(rows, n * sizeof *rows);
    w->rows = fit ? fit : rows;
    rows = NULL;
    w->n = n;
    w->d = w->rows[0].d;
    if (check_heads(&c, w))
        goto out;
    sp_workload_refetch_rule(w->footer, &w->lsb_refetch_k, &w->lsb_refetch_v);
    rc = 0;
out:
    free(line);
    free(rows);
    fclose(fp);
    if (rc) {
        sp_workload_free(w);
        w->iters = w->layers = w->heads = 0;
        w->heads_pruned = 0;
    }
    return rc;
}

int sp_workload_dense_grid(const sp_workload *w, sp_workload *dense, char *err, size_t errlen)
{
    memset(dense, 0, sizeof *dense);
    size_t n = (size_t)w->iters * (size_t)w->layers * (size_t)w->heads;
    dense->rows = malloc((n ? n : 1) * sizeof *dense->rows);
    dense->heads_active = malloc(((size_t)w->iters * (size_t)w->layers + 1) * sizeof *dense->heads_active);
    if (!dense->rows || !dense->heads_active) {
        sp_workload_free(dense);
        snprintf(err, errlen, "%s: out of memory", w->path);
        return -1;
    }
    dense->iters = w->iters;
    dense->layers = w->layers;
    dense->heads = w->heads;
    dense->d = w->d;
    snprintf(dense->path, sizeof dense->path, "%s", w->path);
    size_t i = 0, k = 0;
    for (int it = 0; it < w->iters; it++) {
        const sp_wl_row *src = NULL;
        for (int l = 0; l < w->layers; l++) {
            if (i < w->n && w->rows[i].iter == it && w->rows[i].layer == l)
                src = &w->rows[i];
            while (i < w->n && w->rows[i].iter == it && w->rows[i].layer == l)
                i++;
            dense->heads_active[(size_t)it * w->layers + l] = w->heads;
            for (int h = 0; h < w->heads; h++) {
                sp_wl_row *r = &dense->rows[k++];
                *r = (sp_wl_row){.iter = it, .layer = l, .head = h, .d = w->d, .len = src->len, .keys = src->len,
                                 .k_bits = -1, .q_bits = -1, .tau = -1.0, .lsb_incr = -1, .values = src->len,
                                 .v_bits = -1, .topk_k = -1, .line = src->line};
            }
        }
    }
    dense->n = k;
    return 0;
}

int sp_workload_check_baseline(const sp_workload *w, const sp_workload *b, char *err, size_t errlen)
{
    const char *what = NULL;
    int x = 0, y = 0;
    if (b->iters != w->iters)
        what = "iterations", x = b->iters, y = w->iters;
    else if (b->layers != w->layers)
        what = "layers", x = b->layers, y = w->layers;
    else if (b->heads != w->heads)
        what = "heads", x = b->heads, y = w->heads;
    else if (b->d != w->d)
        what = "embedding_length_D", x = b->d, y = w->d;
    if (what) {
        snprintf(err, errlen, "%s: baseline %s %d differs from %d in the run's workload %s: not its baseline",
                 b->path, what, x, y, w->path);
        return -1;
    }
    /* both sorted by (iter, layer, head): one merge walk */
    size_t j = 0;
    for (size_t i = 0; i < w->n; i++) {
        const sp_wl_row *r = &w->rows[i];
        while (j < b->n && cmp_row(&b->rows[j], &(sp_wl_row){.iter = r->iter, .layer = r->layer, .head = r->head,
                                                             .line = -1}) < 0)
            j++;
        const sp_wl_row *q = j < b->n ? &b->rows[j] : NULL;
        if (!q || q->iter != r->iter || q->layer != r->layer || q->head != r->head) {
            snprintf(err, errlen, "%s: baseline has no head-step (iteration %d, layer %d, head %d) of %s:%ld: not "
                     "its baseline", b->path, r->iter, r->layer, r->head, w->path, r->line);
            return -1;
        }
        if (q->len != r->len) {
            snprintf(err, errlen, "%s:%ld: baseline sentence_length_L %d differs from %d on %s:%ld: not its baseline",
                     b->path, q->line, q->len, r->len, w->path, r->line);
            return -1;
        }
    }
    return 0;
}

void sp_workload_summarize(const sp_workload *w, int full_bits, sp_wl_summary *s)
{
    memset(s, 0, sizeof *s);
    if (!w->n)
        return;
    s->len_min = s->len_max = w->rows[0].len;
    s->k_bits_min = s->v_bits_min = s->q_bits_min = 99;
    for (size_t i = 0; i < w->n; i++) {
        const sp_wl_row *r = &w->rows[i];
        int kb = r->k_bits < 0 ? full_bits : r->k_bits;
        int vb = r->v_bits < 0 ? full_bits : r->v_bits;
        int qb = r->q_bits < 0 ? full_bits : r->q_bits;
        if (r->len < s->len_min) s->len_min = r->len;
        if (r->len > s->len_max) s->len_max = r->len;
        if (kb < s->k_bits_min) s->k_bits_min = kb;
        if (kb > s->k_bits_max) s->k_bits_max = kb;
        if (vb < s->v_bits_min) s->v_bits_min = vb;
        if (vb > s->v_bits_max) s->v_bits_max = vb;
        if (qb < s->q_bits_min) s->q_bits_min = qb;
        if (qb > s->q_bits_max) s->q_bits_max = qb;
        s->len_sum += (unsigned long long)r->len;
        s->keys_sum += (unsigned long long)r->keys;
        s->values_sum += (unsigned long long)r->values;
        s->requants += (unsigned long long)r->requant;
        s->topk_runs += (unsigned long long)r->topk_flag;
        s->acc_imp += (unsigned long long)r->acc_imp;
        s->kv_bits += ((unsigned long long)r->keys * (unsigned)kb + (unsigned long long)r->values * (unsigned)vb) *
                      (unsigned)r->d;
        if (r->requant)
            s->kv_bits_lsb += (unsigned long long)r->keys * (unsigned)r->lsb_incr * (unsigned)r->d;
    }
    /* dense work counts every head of every layer: a layer whose heads were
     * all pruned takes L from the layer before it */
    size_t i = 0;
    for (int it = 0; it < w->iters; it++) {
        int len = 0;
        for (int l = 0; l < w->layers; l++) {
            if (i < w->n && w->rows[i].iter == it && w->rows[i].layer == l)
                len = w->rows[i].len;
            s->grid_len_sum += (unsigned long long)len * (unsigned)w->heads;
            while (i < w->n && w->rows[i].iter == it && w->rows[i].layer == l)
                i++;
        }
    }
}
