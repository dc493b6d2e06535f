/* config_yaml.c - strict YAML config loader and printer (docs/config.md).
 *
 * Each file is parsed once, with libyaml's event API, into a small tree
 * (nesting is limited while parsing; tags and aliases are refused). The
 * tree is checked against the declaration table (cmodel/params.c): unknown
 * and duplicate keys, wrong shapes and malformed scalars are reported as
 * FILE:LINE, and each scalar is converted by its key's type.
 * `include: base.yaml` loads the base first (path relative to the including
 * file, nested up to SP_INCLUDE_DEPTH, cycles rejected); the including
 * file's keys override it and its `sweep:` section, if any, replaces the
 * base's. The resolved config must set every key (no silent defaults);
 * then every value is range-checked at the line of the key that set it,
 * in whichever file set it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include "dram.h"
#include "params.h"

#define SP_INCLUDE_DEPTH 8
#define MAX_FILES (SP_INCLUDE_DEPTH + 1)
#define MAX_KEYS 128
#if MAX_KEYS > SP_SWEEP_MAX_KEYS
#error "sp_sweep.config_vals holds fewer keys than the loader"
#endif
#define MAX_SECTIONS 16
/* deepest nesting a config needs is 5 (sweep > axes > axis > values >
 * value); a deeper document is refused while it is parsed */
#define SP_YAML_MAX_DEPTH 16

/* ---------------------------------------------------------------- */
/* Loader state                                                      */

typedef struct {
    double val[MAX_KEYS];          /* value of each key set in this file */
    sp_int_list lval[MAX_KEYS];    /* value of each list key set in this file */
    int line[MAX_KEYS];            /* line of each key in this file, 0 if absent */
    char sec_path[MAX_SECTIONS][160];
    int sec_line[MAX_SECTIONS];
    int n_sec;
    char include[4096];
    int include_line;
    int has_sweep;
    sp_sweep sweep;
    int value_line[SP_SWEEP_MAX_AXES][SP_SWEEP_MAX_VALUES];
    int point_line[SP_SWEEP_MAX_POINT_LIST];
} finfo;

typedef struct {
    char files[MAX_FILES][4096]; /* [0] top-level file, [d] included at depth d */
    dev_t dev[MAX_FILES];
    ino_t ino[MAX_FILES];
    finfo *fi[MAX_FILES];
    sp_config cfg;
    int set[MAX_KEYS];
    int origin_file[MAX_KEYS], origin_line[MAX_KEYS];
    int sweep_file; /* file whose sweep section is in effect, -1 for none */
    char *err;
    size_t errlen;
} loadctx;

static int fail(loadctx *L, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(loadctx *L, const char *file, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(L->err, L->errlen, "%s:%d: %s", file, line, msg);
    return -1;
}

/* ---------------------------------------------------------------- */
/* Parse: libyaml events into a tree                                 */

typedef enum { N_SCALAR, N_MAP, N_SEQ } ntype;

typedef struct node {
    ntype type;
    int line;
    int plain;            /* scalar: plain style (not quoted, not a block scalar) */
    char *text;           /* scalar text, NUL-terminated */
    size_t len;
    struct node **kid;    /* map: key, value, key, value ...; seq: items */
    int n, cap;
    struct node *up;
} node;

static void node_free(node *n)
{
    while (n) {
        /* free children iteratively from the deepest: no recursion on depth */
        if (n->n > 0) {
            node *c = n->kid[--n->n];
            c->up = n;
            n = c;
            continue;
        }
        node *up = n->up;
        free(n->kid);
        free(n->text);
        free(n);
        n = up;
    }
}

static int node_add(node *parent, node *c)
{
    if (parent->n == parent->cap) {
        int cap = parent->cap ? 2 * parent->cap : 8;
        node **k = realloc(parent->kid, (size_t)cap * sizeof *k);
        if (!k)
            return -1;
        parent->kid = k;
        parent->cap = cap;
    }
    parent->kid[parent->n++] = c;
    c->up = parent;
    return 0;
}

static int mark_line(const yaml_mark_t *m)
{
    return (int)m->line + 1;
}

static int parser_fail(loadctx *L, const char *file, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR)
        return fail(L, file, 0, "out of memory");
    int line = (int)(p->problem ? p->problem_mark.line : p->context_mark.line) + 1;
    if (p->error == YAML_READER_ERROR)
        return fail(L, file, line, "YAML syntax error: %s", p->problem ? p->problem : "unreadable input");
    if (p->context)
        return fail(L, file, line, "YAML syntax error: %s %s (line %d)", p->problem ? p->problem : "error",
                    p->context, (int)p->context_mark.line + 1);
    return fail(L, file, line, "YAML syntax error: %s", p->problem ? p->problem : "error");
}

/* A tag names a type; config values take theirs from the key table. */
static int tag_fail(loadctx *L, const char *file, int line, const unsigned char *tag)
{
    static const char core[] = "tag:yaml.org,2002:";
    const char *t = (const char *)tag;
    if (!strncmp(t, core, sizeof core - 1))
        return fail(L, file, line, "YAML tag '!!%.60s' is not allowed in a config", t + sizeof core - 1);
    return fail(L, file, line, "YAML tag '%.60s' is not allowed in a config", t);
}

/* Parses one file into *root (NULL for an empty stream). */
static int parse_file(loadctx *L, const char *file, FILE *f, node **root)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    node *cur = NULL; /* open mapping or sequence */
    int depth = 0, docs = 0, rc = -1;
    *root = NULL;
    if (!yaml_parser_initialize(&parser))
        return fail(L, file, 0, "out of memory");
    yaml_parser_set_input_file(&parser, f);
    for (;;) {
        if (!yaml_parser_parse(&parser, &ev)) {
            parser_fail(L, file, &parser);
            goto out;
        }
        int line = mark_line(&ev.start_mark);
        yaml_event_type_t t = ev.type;
        const unsigned char *tag = t == YAML_SCALAR_EVENT           ? ev.data.scalar.tag
                                   : t == YAML_MAPPING_START_EVENT  ? ev.data.mapping_start.tag
                                   : t == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.tag
                                                                    : NULL;
        if (tag) {
            tag_fail(L, file, line, tag);
            yaml_event_delete(&ev);
            goto out;
        }
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_DOCUMENT_START_EVENT && docs++) {
            /* name the second document's first node, as the reader sees it */
            yaml_event_delete(&ev);
            if (!yaml_parser_parse(&parser, &ev)) {
                parser_fail(L, file, &parser);
                goto out;
            }
            fail(L, file, mark_line(&ev.start_mark), "a config file holds one YAML document, found a second");
            yaml_event_delete(&ev);
            goto out;
        }
        if (t == YAML_ALIAS_EVENT) {
            fail(L, file, line, "YAML alias '*%.60s' is not allowed in a config", (const char *)ev.data.alias.anchor);
            yaml_event_delete(&ev);
            goto out;
        }
        if (t == YAML_MAPPING_END_EVENT || t == YAML_SEQUENCE_END_EVENT) {
            cur = cur->up;
            depth--;
        } else if (t == YAML_SCALAR_EVENT || t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT) {
            if (t != YAML_SCALAR_EVENT && depth >= SP_YAML_MAX_DEPTH) {
                fail(L, file, line, "YAML nests deeper than %d levels", SP_YAML_MAX_DEPTH);
                yaml_event_delete(&ev);
                goto out;
            }
            node *n = calloc(1, sizeof *n);
            if (n) {
                n->line = line;
                if (t == YAML_SCALAR_EVENT) {
                    n->type = N_SCALAR;
                    n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                    n->len = ev.data.scalar.length;
                    n->text = malloc(n->len + 1);
                    if (n->text) {
                        memcpy(n->text, ev.data.scalar.value, n->len);
                        n->text[n->len] = '\0';
                    }
                } else {
                    n->type = t == YAML_MAPPING_START_EVENT ? N_MAP : N_SEQ;
                }
            }
            if (!n || (n->type == N_SCALAR && !n->text) || (cur && node_add(cur, n))) {
                node_free(n);
                fail(L, file, 0, "out of memory");
                yaml_event_delete(&ev);
                goto out;
            }
            if (!cur)
                *root = n;
            if (t != YAML_SCALAR_EVENT) {
                cur = n;
                depth++;
            }
        }
        yaml_event_delete(&ev);
    }
    rc = 0;
out:
    yaml_parser_delete(&parser);
    if (rc) {
        node_free(*root);
        *root = NULL;
    }
    return rc;
}

/* ---------------------------------------------------------------- */
/* Check the tree against the key table                              */

typedef struct {
    loadctx *L;
    const char *file;
    finfo *fi;
} walk;

/* What a node is, for messages: 'text', the string "text", a mapping... */
static void describe(const node *n, char *buf, size_t len)
{
    if (n->type == N_MAP)
        snprintf(buf, len, "a mapping");
    else if (n->type == N_SEQ)
        snprintf(buf, len, "a sequence");
    else if (!n->plain)
        snprintf(buf, len, "the string \"%.60s\"", n->text);
    else if (n->len == 0)
        snprintf(buf, len, "nothing");
    else
        snprintf(buf, len, "'%.60s'", n->text);
}

static int is_plain(const node *n)
{
    return n->type == N_SCALAR && n->plain && n->len > 0;
}

/* Decimal integer, optional sign, no leading zeros ("010" is not read as
 * octal or as ten: it is refused). */
static int parse_int(const char *s, long long *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (!(*p >= '0' && *p <= '9'))
        return -1;
    if (p[0] == '0' && p[1] != '\0')
        return -1;
    for (const char *q = p; *q; q++)
        if (!(*q >= '0' && *q <= '9'))
            return -1;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE)
        v = (*s == '-') ? LLONG_MIN : LLONG_MAX;
    *out = v;
    return 0;
}

/* Decimal number (no hex, inf, nan): 0, -1 malformed, 1 beyond the range
 * of a double (overflow, or a nonzero value that underflows). */
static int parse_dbl(const char *s, double *out)
{
    for (const char *q = s; *q; q++)
        if (!strchr("0123456789+-.eE", *q))
            return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0')
        return -1;
    if (errno == ERANGE || !isfinite(v))
        return 1;
    *out = v;
    return 0;
}

/* Converts a scalar for key p; what names it in messages. */
static int convert(walk *w, const node *v, const sp_param *p, const char *what, double *out)
{
    char got[128];
    describe(v, got, sizeof got);
    if (p->type == SP_PT_ENUM) {
        if (v->type == N_SCALAR)
            for (int k = 0; p->names[k]; k++)
                if (!strcmp(v->text, p->names[k])) {
                    *out = k;
                    return 0;
                }
        char range[96];
        sp_param_range_text(p, range, sizeof range);
        return fail(w->L, w->file, v->line, "%s: expected one of %s, got %s", what, range, got);
    }
    if (p->type == SP_PT_INT) {
        long long iv;
        if (!is_plain(v) || parse_int(v->text, &iv))
            return fail(w->L, w->file, v->line, "%s: expected an integer, got %s", what, got);
        if (iv < INT_MIN || iv > INT_MAX)
            return fail(w->L, w->file, v->line, "%s: integer %s does not fit 32 bits", what, v->text);
        *out = (double)iv;
        return 0;
    }
    int r = is_plain(v) ? parse_dbl(v->text, out) : -1;
    if (r < 0)
        return fail(w->L, w->file, v->line, "%s: expected a number, got %s", what, got);
    if (r > 0) {
        double x = fabs(strtod(v->text, NULL));
        return fail(w->L, w->file, v->line, "%s: number %.60s is beyond the range of a double (%s)", what, v->text,
                    x == 0 ? "underflows to 0" : x < 1 ? "underflows to a subnormal" : "overflows");
    }
    return 0;
}

/* Converts a sequence of integers for list key p (each entry checked
 * against the key's range at its own line). */
static int convert_list(walk *w, const node *v, const sp_param *p, sp_int_list *out)
{
    char got[128];
    if (v->type != N_SEQ) {
        describe(v, got, sizeof got);
        return fail(w->L, w->file, v->line, "%s: expected a sequence of integers (one per layer, [] for none), got %s",
                    p->path, got);
    }
    if (v->n > SP_MAX_LAYERS)
        return fail(w->L, w->file, v->line, "%s: %d entries, at most %d (one per layer)", p->path, v->n,
                    SP_MAX_LAYERS);
    memset(out, 0, sizeof *out);
    for (int i = 0; i < v->n; i++) {
        const node *e = v->kid[i];
        long long iv;
        describe(e, got, sizeof got);
        if (!is_plain(e) || parse_int(e->text, &iv))
            return fail(w->L, w->file, e->line, "%s[%d]: expected an integer, got %s", p->path, i, got);
        if (iv < p->min || iv > p->max)
            return fail(w->L, w->file, e->line, "%s[%d] must be in %.0f..%.0f, got %s", p->path, i, p->min, p->max,
                        e->text);
        out->v[i] = (int)iv;
    }
    out->n = v->n;
    return 0;
}

/* Key node of mapping pair i: a non-empty scalar, not repeated. */
static int check_key(walk *w, const node *map, int i, const char *where)
{
    const node *kn = map->kid[i];
    if (kn->type != N_SCALAR || kn->len == 0)
        return fail(w->L, w->file, kn->line, "keys must be names %s", where);
    for (int j = 0; j < i; j += 2) {
        const node *qk = map->kid[j];
        if (qk->type == N_SCALAR && !strcmp(qk->text, kn->text))
            return fail(w->L, w->file, kn->line, "duplicate key '%s' %s (first at line %d)", kn->text, where,
                        qk->line);
    }
    return 0;
}

int sp_sweep_set_key(sp_config *cfg, const char *key, double v, char *err, size_t errlen)
{
    if (!strcmp(key, "config")) {
        const sp_sweep *sw = &cfg->sweep;
        int a = sw->config_axis - 1;
        if (a < 0 || !(v == floor(v) && v >= 0 && v < sw->axes[a].n_values)) {
            snprintf(err, errlen, "config: no config file %g in the sweep", v);
            return -1;
        }
        for (int k = 0; k < sp_n_params; k++) {
            sp_param_set(cfg, &sp_params[k], sw->config_vals[(int)v][k]);
            if (sp_params[k].type == SP_PT_LIST)
                *sp_param_list(cfg, &sp_params[k]) = sw->config_lists[(int)v][sp_param_list_slot(k)];
        }
        sp_config_derive(cfg);
        return 0;
    }
    if (!strcmp(key, "hardware.dram.kind") && v == floor(v) && v >= SP_DRAM_HBM2 && v <= SP_DRAM_LPDDR4)
        sp_dram_preset((sp_dram_kind)(int)v, &cfg->hw.dram);
    return sp_config_set_key(cfg, key, v, err, errlen);
}

/* A plain decimal "[+-]digits[.digits]" (no exponent, at most 15
 * digits) as mantissa and decimal places; -1 when it is not one. */
static int decimal(const char *t, long long *mant, int *places)
{
    const char *c = t;
    int neg = *c == '-', digits = 0;
    if (*c == '-' || *c == '+')
        c++;
    long long m = 0;
    *places = -1;
    for (; *c; c++) {
        if (*c == '.' && *places < 0) {
            *places = 0;
            continue;
        }
        if (*c < '0' || *c > '9' || ++digits > 15)
            return -1;
        m = m * 10 + (*c - '0');
        if (*places >= 0)
            (*places)++;
    }
    if (!digits || *places == 0)
        return -1;
    if (*places < 0)
        *places = 0;
    *mant = neg ? -m : m;
    return 0;
}

/* range: [from, to, step] or {from, to, step}: from, from + step, ... up
 * to and including to when it is hit. The three are exact decimals, so
 * every value is the double nearest its decimal (0.1 + 2 x 0.1 is 0.3, as
 * if written out), whatever the step. */
static int sweep_range(walk *w, const node *r, const sp_param *p, const char *what, sp_sweep_axis *ax, int *lines)
{
    const node *v[3] = {NULL, NULL, NULL};
    static const char *const names[3] = {"from", "to", "step"};
    if (r->type == N_SEQ && r->n == 3) {
        for (int i = 0; i < 3; i++)
            v[i] = r->kid[i];
    } else if (r->type == N_MAP) {
        for (int i = 0; i < r->n; i += 2) {
            if (check_key(w, r, i, "in a sweep range"))
                return -1;
            int k = !strcmp(r->kid[i]->text, "from") ? 0 : !strcmp(r->kid[i]->text, "to") ? 1
                    : !strcmp(r->kid[i]->text, "step") ? 2 : -1;
            if (k < 0)
                return fail(w->L, w->file, r->kid[i]->line,
                            "unknown key '%s' in a sweep range (expected from, to, step)", r->kid[i]->text);
            v[k] = r->kid[i + 1];
        }
    }
    if (!v[0] || !v[1] || !v[2]) {
        char got[128];
        describe(r, got, sizeof got);
        if (r->type == N_SEQ)
            snprintf(got, sizeof got, "a list of %d values", r->n);
        return fail(w->L, w->file, r->line, "sweep range must be [from, to, step] or {from: F, to: T, step: S}, got %s",
                    got);
    }
    if (p->type == SP_PT_ENUM)
        return fail(w->L, w->file, r->line, "%s: a range needs a numeric key; list the values", what);
    long long m[3];
    int pl[3], d = 0;
    for (int i = 0; i < 3; i++) {
        if (v[i]->type != N_SCALAR || !is_plain(v[i]) || decimal(v[i]->text, &m[i], &pl[i]))
            return fail(w->L, w->file, v[i]->line,
                        "sweep range %s must be a plain decimal number (digits, one '.', at most 15 digits), got '%s'",
                        names[i], v[i]->type == N_SCALAR ? v[i]->text : "a collection");
        if (pl[i] > d)
            d = pl[i];
    }
    for (int i = 0; i < 3; i++)
        for (int k = pl[i]; k < d; k++) {
            if (m[i] > LLONG_MAX / 10 || m[i] < LLONG_MIN / 10)
                return fail(w->L, w->file, v[i]->line, "sweep range %s has too many digits", names[i]);
            m[i] *= 10;
        }
    if (m[2] <= 0)
        return fail(w->L, w->file, v[2]->line, "sweep range step must be > 0, got %s", v[2]->text);
    if (m[1] < m[0])
        return fail(w->L, w->file, v[1]->line, "sweep range to (%s) is below from (%s)", v[1]->text, v[0]->text);
    long long n = (m[1] - m[0]) / m[2] + 1;
    if (n > SP_SWEEP_MAX_VALUES)
        return fail(w->L, w->file, r->line, "sweep range gives %lld values, more than %d", n, SP_SWEEP_MAX_VALUES);
    ax->n_values = (int)n;
    d = d < 15 ? d : 15; /* at most 15 digits each */
    for (long long i = 0; i < n; i++) {
        long long x = m[0] + i * m[2];
        unsigned long long ax_ = x < 0 ? (unsigned long long)(-x) : (unsigned long long)x;
        char t[96];
        unsigned long long sc = 1;
        for (int k = 0; k < d; k++)
            sc *= 10;
        if (d)
            snprintf(t, sizeof t, "%s%llu.%0*llu", x < 0 ? "-" : "", ax_ / sc, d, ax_ % sc);
        else
            snprintf(t, sizeof t, "%lld", x);
        ax->values[i] = strtod(t, NULL);
        if (p->type == SP_PT_INT && ax->values[i] != floor(ax->values[i]))
            return fail(w->L, w->file, r->line, "%s: range value %s is not an integer", what, t);
        lines[i] = r->line;
    }
    return 0;
}

/* 0 when n is a list of 1..max entries; else the "WHAT must be a list of
 * 1..MAX ITEMS, got ..." error at its line */
static int check_list(walk *w, const node *n, int max, const char *what, const char *items)
{
    if (n->type == N_SEQ && n->n >= 1 && n->n <= max)
        return 0;
    char got[128];
    describe(n, got, sizeof got);
    if (n->type == N_SEQ)
        snprintf(got, sizeof got, "%d %s", n->n, items);
    return fail(w->L, w->file, n->line, "%s must be a list of 1..%d %s, got %s", what, max, items, got);
}

/* points: a list of mappings {key path: value}; the keys, in order of
 * first use, become the columns (missing values are filled from the
 * resolved base config after loading: NAN until then) */
static int sweep_points(walk *w, const node *pts)
{
    finfo *fi = w->fi;
    sp_sweep *s = &fi->sweep;
    char got[128];
    if (check_list(w, pts, SP_SWEEP_MAX_POINT_LIST, "sweep.points", "points"))
        return -1;
    s->n_axes = 0;
    s->n_points = pts->n;
    for (int p = 0; p < pts->n; p++) {
        const node *pt = pts->kid[p];
        fi->point_line[p] = pt->line;
        for (int a = 0; a < SP_SWEEP_MAX_AXES; a++)
            s->point_values[p][a] = NAN;
        if (pt->type != N_MAP || pt->n < 2) {
            describe(pt, got, sizeof got);
            return fail(w->L, w->file, pt->line,
                        "sweep point must be a mapping of key paths to values ({hardware.qk_multipliers: 256, ...}), "
                        "got %s",
                        got);
        }
        for (int i = 0; i < pt->n; i += 2) {
            if (check_key(w, pt, i, "in a sweep point"))
                return -1;
            const node *kn = pt->kid[i];
            int k = sp_param_find(kn->text);
            if (k >= 0 && sp_params[k].type == SP_PT_LIST)
                return fail(w->L, w->file, kn->line,
                            "sweep point key %s is a list; sweep files that set it as a config axis (key: config)",
                            kn->text);
            if (k < 0 || (sp_params[k].type == SP_PT_ENUM && strcmp(sp_params[k].path, "hardware.dram.kind")))
                return fail(w->L, w->file, kn->line, "sweep point key must name a numeric config key, got '%s'",
                            kn->text);
            int a = 0;
            while (a < s->n_axes && strcmp(s->axes[a].key, kn->text))
                a++;
            if (a == s->n_axes) {
                if (a == SP_SWEEP_MAX_AXES)
                    return fail(w->L, w->file, kn->line, "sweep points set more than %d different keys",
                                SP_SWEEP_MAX_AXES);
                snprintf(s->axes[a].key, sizeof s->axes[a].key, "%s", kn->text);
                s->axes[a].n_values = 0;
                s->n_axes++;
            }
            char what[128];
            snprintf(what, sizeof what, "sweep point value for %s", sp_params[k].path);
            if (convert(w, pt->kid[i + 1], &sp_params[k], what, &s->point_values[p][a]))
                return -1;
        }
    }
    /* a DRAM part loads its preset over the base: given in one point, it
     * must be given in every point (else which part would the rest use?) */
    for (int a = 0; a < s->n_axes; a++)
        if (!strcmp(s->axes[a].key, "hardware.dram.kind"))
            for (int p = 0; p < pts->n; p++)
                if (isnan(s->point_values[p][a]))
                    return fail(w->L, w->file, pts->kid[p]->line,
                                "sweep point %d sets no hardware.dram.kind while another point does; give it in "
                                "every point",
                                p);
    return 0;
}

/* traces: a list of trace specs (synth:...) or files (a relative path is
 * taken from the directory of the file that names it) */
static int sweep_traces(walk *w, const node *tr)
{
    sp_sweep *s = &w->fi->sweep;
    char got[128];
    if (check_list(w, tr, SP_SWEEP_MAX_TRACES, "sweep.traces", "traces"))
        return -1;
    s->n_traces = tr->n;
    for (int i = 0; i < tr->n; i++) {
        const node *t = tr->kid[i];
        if (t->type != N_SCALAR || t->len == 0) {
            describe(t, got, sizeof got);
            return fail(w->L, w->file, t->line, "sweep trace must be a file name or synth: spec, got %s", got);
        }
        const char *slash = strrchr(w->file, '/');
        int n;
        if (!strncmp(t->text, "synth:", 6) || t->text[0] == '/' || !slash)
            n = snprintf(s->traces[i], sizeof s->traces[i], "%s", t->text);
        else
            n = snprintf(s->traces[i], sizeof s->traces[i], "%.*s/%s", (int)(slash - w->file), w->file, t->text);
        if (n < 0 || (size_t)n >= sizeof s->traces[i])
            return fail(w->L, w->file, t->line, "sweep trace name too long (%zu bytes)", strlen(t->text));
        for (int j = 0; j < i; j++)
            if (!strcmp(s->traces[j], s->traces[i]))
                return fail(w->L, w->file, t->line, "sweep trace '%s' given twice", t->text);
    }
    return 0;
}

/* key: config, values: [files]: each file included over the base (loaded
 * after the whole config, in sp_config_load) */
static int sweep_config_axis(walk *w, int a, const node *key, const node *vals, const node *range)
{
    sp_sweep *s = &w->fi->sweep;
    char got[128];
    if (s->config_axis)
        return fail(w->L, w->file, key->line, "sweep axis 'config' given twice");
    if (range || vals->type != N_SEQ || vals->n < 1 || vals->n > SP_SWEEP_MAX_CONFIGS) {
        describe(range ? range : vals, got, sizeof got);
        if (!range && vals->type == N_SEQ)
            snprintf(got, sizeof got, "%d values", vals->n);
        return fail(w->L, w->file, (range ? range : vals)->line,
                    "sweep axis config needs values: a list of 1..%d config files, got %s", SP_SWEEP_MAX_CONFIGS,
                    got);
    }
    s->config_axis = a + 1;
    snprintf(s->axes[a].key, sizeof s->axes[a].key, "config");
    s->axes[a].n_values = vals->n;
    for (int i = 0; i < vals->n; i++) {
        const node *t = vals->kid[i];
        if (t->type != N_SCALAR || t->len == 0 || strlen(t->text) >= sizeof s->config_names[i]) {
            describe(t, got, sizeof got);
            return fail(w->L, w->file, t->line, "sweep config value must be a config file name, got %s", got);
        }
        const char *slash = strrchr(w->file, '/');
        int n = t->text[0] == '/' || !slash
                    ? snprintf(s->config_files[i], sizeof s->config_files[i], "%s", t->text)
                    : snprintf(s->config_files[i], sizeof s->config_files[i], "%.*s/%s", (int)(slash - w->file),
                               w->file, t->text);
        if (n < 0 || (size_t)n >= sizeof s->config_files[i])
            return fail(w->L, w->file, t->line, "sweep config file name too long");
        snprintf(s->config_names[i], sizeof s->config_names[i], "%s", t->text);
        s->axes[a].values[i] = i;
        w->fi->value_line[a][i] = t->line;
        for (int j = 0; j < i; j++)
            if (!strcmp(s->config_files[j], s->config_files[i]))
                return fail(w->L, w->file, t->line, "sweep config '%s' given twice", t->text);
    }
    return 0;
}

static int walk_sweep(walk *w, const node *sw)
{
    finfo *fi = w->fi;
    char got[128];
    if (sw->type != N_MAP) {
        describe(sw, got, sizeof got);
        return fail(w->L, w->file, sw->line, "'sweep' must be a mapping, got %s", got);
    }
    const node *axes = NULL, *points = NULL;
    int points_line = 0;
    for (int i = 0; i < sw->n; i += 2) {
        if (check_key(w, sw, i, "in section 'sweep'"))
            return -1;
        if (!strcmp(sw->kid[i]->text, "axes"))
            axes = sw->kid[i + 1];
        else if (!strcmp(sw->kid[i]->text, "points"))
            points = sw->kid[i + 1], points_line = sw->kid[i]->line;
        else if (!strcmp(sw->kid[i]->text, "traces")) {
            if (sweep_traces(w, sw->kid[i + 1]))
                return -1;
        } else
            return fail(w->L, w->file, sw->kid[i]->line,
                        "unknown key '%s' in section 'sweep' (expected axes, points, traces)", sw->kid[i]->text);
    }
    if (axes && points)
        return fail(w->L, w->file, points_line, "'sweep' has both 'axes' and 'points'; give one");
    if (points)
        return sweep_points(w, points);
    if (!axes)
        return fail(w->L, w->file, sw->line, "'sweep' needs 'axes' or 'points'");
    if (check_list(w, axes, SP_SWEEP_MAX_AXES, "sweep.axes", "axes"))
        return -1;
    sp_sweep *s = &fi->sweep;
    s->n_axes = axes->n;
    for (int a = 0; a < axes->n; a++) {
        const node *ax = axes->kid[a];
        if (ax->type != N_MAP) {
            describe(ax, got, sizeof got);
            return fail(w->L, w->file, ax->line, "sweep axis must be a mapping with key and values, got %s", got);
        }
        const node *key = NULL, *vals = NULL, *range = NULL;
        for (int i = 0; i < ax->n; i += 2) {
            if (check_key(w, ax, i, "in a sweep axis"))
                return -1;
            const char *name = ax->kid[i]->text;
            if (!strcmp(name, "key"))
                key = ax->kid[i + 1];
            else if (!strcmp(name, "values"))
                vals = ax->kid[i + 1];
            else if (!strcmp(name, "range"))
                range = ax->kid[i + 1];
            else
                return fail(w->L, w->file, ax->kid[i]->line,
                            "unknown key '%s' in a sweep axis (expected key, and values or range)", name);
        }
        if (!key || (!vals && !range))
            return fail(w->L, w->file, ax->line, "sweep axis needs 'key' and one of 'values' or 'range'");
        if (vals && range)
            return fail(w->L, w->file, range->line, "sweep axis has both 'values' and 'range'; give one");
        if (key->type == N_SCALAR && !strcmp(key->text, "config")) {
            if (sweep_config_axis(w, a, key, vals, range))
                return -1;
            continue;
        }
        int k = key->type == N_SCALAR ? sp_param_find(key->text) : -1;
        if (k >= 0 && sp_params[k].type == SP_PT_LIST)
            return fail(w->L, w->file, key->line,
                        "sweep axis key %s is a list; sweep files that set it as a config axis (key: config)",
                        key->text);
        if (k < 0 || (sp_params[k].type == SP_PT_ENUM && strcmp(sp_params[k].path, "hardware.dram.kind"))) {
            describe(key, got, sizeof got);
            return fail(w->L, w->file, key->line, "sweep axis key must name a numeric config key, got %s", got);
        }
        for (int b = 0; b < a; b++)
            if (!strcmp(s->axes[b].key, key->text))
                return fail(w->L, w->file, key->line, "sweep axis '%s' given twice", key->text);
        snprintf(s->axes[a].key, sizeof s->axes[a].key, "%s", key->text);
        if (range) {
            char rw[128];
            snprintf(rw, sizeof rw, "sweep range for %s", sp_params[k].path);
            if (sweep_range(w, range, &sp_params[k], rw, &s->axes[a], fi->value_line[a]))
                return -1;
            continue;
        }
        if (check_list(w, vals, SP_SWEEP_MAX_VALUES, "sweep values", "values"))
            return -1;
        char what[128];
        snprintf(what, sizeof what, "sweep value for %s", sp_params[k].path);
        s->axes[a].n_values = vals->n;
        for (int i = 0; i < vals->n; i++) {
            if (convert(w, vals->kid[i], &sp_params[k], what, &s->axes[a].values[i]))
                return -1;
            fi->value_line[a][i] = vals->kid[i]->line;
        }
    }
    return 0;
}

/* A section is a proper prefix of some key path ("hardware.dram"). */
static int is_section(const char *path)
{
    size_t n = strlen(path);
    for (int i = 0; i < sp_n_params; i++)
        if (!strncmp(sp_params[i].path, path, n) && sp_params[i].path[n] == '.')
            return 1;
    return 0;
}

/* Walks a mapping at key path prefix ("" for the top level). */
static int walk_map(walk *w, const node *map, const char *prefix)
{
    char where[96];
    if (*prefix)
        snprintf(where, sizeof where, "in section '%s'", prefix);
    else
        snprintf(where, sizeof where, "at top level");
    for (int i = 0; i < map->n; i += 2) {
        if (check_key(w, map, i, where))
            return -1;
        const node *kn = map->kid[i], *vn = map->kid[i + 1];
        const char *name = kn->text;
        char path[160], got[128];
        snprintf(path, sizeof path, "%s%s%.100s", prefix, *prefix ? "." : "", name);
        if (!*prefix && !strcmp(name, "include")) {
            if (vn->type != N_SCALAR || vn->len == 0 || vn->len >= sizeof w->fi->include) {
                describe(vn, got, sizeof got);
                return fail(w->L, w->file, vn->line, "include: expected a file name, got %s", got);
            }
            snprintf(w->fi->include, sizeof w->fi->include, "%s", vn->text);
            w->fi->include_line = kn->line;
            continue;
        }
        if (!*prefix && !strcmp(name, "sweep")) {
            w->fi->has_sweep = 1;
            if (walk_sweep(w, vn))
                return -1;
            continue;
        }
        int k = sp_param_find(path);
        if (k >= 0) {
            if (sp_params[k].type == SP_PT_LIST ? convert_list(w, vn, &sp_params[k], &w->fi->lval[k])
                                                : convert(w, vn, &sp_params[k], path, &w->fi->val[k]))
                return -1;
            w->fi->line[k] = kn->line;
            continue;
        }
        if (is_section(path)) {
            if (vn->type != N_MAP) {
                describe(vn, got, sizeof got);
                return fail(w->L, w->file, vn->line, "'%s' must be a mapping, got %s", path, got);
            }
            if (w->fi->n_sec < MAX_SECTIONS) {
                snprintf(w->fi->sec_path[w->fi->n_sec], sizeof w->fi->sec_path[0], "%s", path);
                w->fi->sec_line[w->fi->n_sec++] = kn->line;
            }
            if (walk_map(w, vn, path))
                return -1;
            continue;
        }
        if (*prefix)
            return fail(w->L, w->file, kn->line, "unknown key '%s' in section '%s'", name, prefix);
        return fail(w->L, w->file, kn->line,
                    "unknown key '%s' at top level (expected hardware, algorithm, energy, sweep, include)", name);
    }
    return 0;
}

/* Parses and checks one file into fi. */
static int read_file(loadctx *L, const char *file, FILE *f, finfo *fi)
{
    node *root;
    if (parse_file(L, file, f, &root))
        return -1;
    int rc = -1;
    char got[128];
    if (!root) {
        fail(L, file, 1, "empty config (expected a mapping with hardware, algorithm, energy or include)");
    } else if (root->type != N_MAP) {
        describe(root, got, sizeof got);
        fail(L, file, root->line, "a config must be a mapping of sections, got %s", got);
    } else {
        walk w = {L, file, fi};
        rc = walk_map(&w, root, "");
    }
    node_free(root);
    return rc;
}

/* ---------------------------------------------------------------- */
/* Include chain                                                     */

static const char *file_kind(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a plain file";
}

/* Opens a regular file for reading; anything else (a FIFO, a directory, a
 * device) is refused from its stat, before any read, and without blocking
 * on open. On error writes the reason into why and returns NULL. */
static FILE *open_regular(const char *path, struct stat *st, char *why, size_t len)
{
    if (stat(path, st)) {
        snprintf(why, len, "%s", strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st->st_mode)) {
        snprintf(why, len, "not a regular file (%s)", file_kind(st->st_mode));
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        snprintf(why, len, "%s", strerror(errno));
        return NULL;
    }
    struct stat st2;
    if (fstat(fd, &st2) || !S_ISREG(st2.st_mode)) {
        /* replaced between stat and open */
        snprintf(why, len, "not a regular file (%s)", file_kind(st2.st_mode));
        close(fd);
        return NULL;
    }
    *st = st2;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        snprintf(why, len, "%s", strerror(errno));
        close(fd);
    }
    return f;
}

/* Applies a file's keys and sweep over what its bases set. */
static void apply(loadctx *L, int depth)
{
    const finfo *fi = L->fi[depth];
    for (int k = 0; k < sp_n_params; k++)
        if (fi->line[k]) {
            sp_param_set(&L->cfg, &sp_params[k], fi->val[k]);
            if (sp_params[k].type == SP_PT_LIST)
                *sp_param_list(&L->cfg, &sp_params[k]) = fi->lval[k];
            L->set[k] = 1;
            L->origin_file[k] = depth;
            L->origin_line[k] = fi->line[k];
        }
    if (fi->has_sweep) {
        L->cfg.sweep = fi->sweep;
        L->sweep_file = depth;
    }
}

static int load_file(loadctx *L, int depth)
{
    const char *file = L->files[depth];
    const char *parent = depth ? L->files[depth - 1] : NULL;
    int pline = depth ? L->fi[depth - 1]->include_line : 0;
    struct stat st;
    char why[256];
    FILE *f = open_regular(file, &st, why, sizeof why);
    if (!f) {
        if (parent)
            return fail(L, parent, pline, "cannot open include '%s' (%s): %s", L->fi[depth - 1]->include, file, why);
        return fail(L, file, 0, "cannot open config: %s", why);
    }
    L->dev[depth] = st.st_dev;
    L->ino[depth] = st.st_ino;
    for (int d = 0; d < depth; d++)
        if (L->dev[d] == st.st_dev && L->ino[d] == st.st_ino) {
            fclose(f);
            char chain[1024] = "";
            for (int i = d; i <= depth; i++) {
                size_t n = strlen(chain);
                snprintf(chain + n, sizeof chain - n, "%s%s", i > d ? " -> " : "", L->files[i]);
            }
            return fail(L, parent, pline, "include cycle: %s", chain);
        }
    finfo *fi = calloc(1, sizeof *fi);
    if (!fi) {
        fclose(f);
        return fail(L, file, 0, "out of memory");
    }
    L->fi[depth] = fi;
    int rc = read_file(L, file, f, fi);
    fclose(f);
    if (rc)
        return -1;
    if (fi->include[0]) {
        if (depth + 1 >= MAX_FILES)
            return fail(L, file, fi->include_line, "includes nest deeper than %d files", SP_INCLUDE_DEPTH);
        char *dst = L->files[depth + 1];
        const char *slash = strrchr(file, '/');
        int dirlen = (fi->include[0] == '/' || !slash) ? 0 : (int)(slash - file + 1);
        if ((size_t)dirlen + strlen(fi->include) >= sizeof L->files[0])
            return fail(L, file, fi->include_line, "include path too long");
        memcpy(dst, file, (size_t)dirlen);
        memcpy(dst + dirlen, fi->include, strlen(fi->include) + 1);
        if (load_file(L, depth + 1))
            return -1;
    }
    apply(L, depth);
    return 0;
}

/* Line in the top-level file nearest to where key k belongs: its
 * innermost section there, else line 1. */
static int missing_line(const loadctx *L, int k)
{
    const char *path = sp_params[k].path;
    const finfo *fi = L->fi[0];
    int best = 0;
    size_t best_len = 0;
    for (int s = 0; s < fi->n_sec; s++) {
        size_t n = strlen(fi->sec_path[s]);
        if (!strncmp(path, fi->sec_path[s], n) && path[n] == '.' && n > best_len) {
            best = fi->sec_line[s];
            best_len = n;
        }
    }
    return best ? best : 1;
}

/* Range and cross-key checks of the resolved config, at the line of the
 * key that set the offending value. */
static int check_resolved(loadctx *L)
{
    char msg[512];
    for (int k = 0; k < sp_n_params; k++) {
        const sp_param *p = &sp_params[k];
        if (p->type == SP_PT_LIST ? sp_param_list_check(p, sp_param_list_c(&L->cfg, p), msg, sizeof msg)
                                  : sp_param_check(p, sp_param_get(&L->cfg, p), msg, sizeof msg))
            return fail(L, L->files[L->origin_file[k]], L->origin_line[k], "%s", msg);
    }
    int k = -1;
    if (sp_params_cross_check(&L->cfg, msg, sizeof msg, &k)) {
        if (k >= 0)
            return fail(L, L->files[L->origin_file[k]], L->origin_line[k], "%s", msg);
        return fail(L, L->files[0], 1, "%s", msg);
    }
    return 0;
}

/* A loader context for the top file path (NULL with the message when out
 * of memory or the path is too long) */
static loadctx *ctx_begin(const char *path, char *err, size_t errlen)
{
    loadctx *L = calloc(1, sizeof *L);
    if (!L) {
        snprintf(err, errlen, "%s:0: out of memory", path);
        return NULL;
    }
    if (strlen(path) >= sizeof L->files[0]) {
        snprintf(err, errlen, "%.100s...:0: path too long", path);
        free(L);
        return NULL;
    }
    L->err = err;
    L->errlen = errlen;
    L->sweep_file = -1;
    snprintf(L->files[0], sizeof L->files[0], "%s", path);
    return L;
}

/* path included over base (its keys, and its includes' keys, replace the
 * base's): the resolved config, checked; no sweep section allowed */
static int load_over(const char *path, const sp_config *base, sp_config *cfg, char *err, size_t errlen)
{
    loadctx *L = ctx_begin(path, err, errlen);
    if (!L)
        return -1;
    L->cfg = *base;
    memset(&L->cfg.sweep, 0, sizeof L->cfg.sweep);
    for (int k = 0; k < sp_n_params; k++)
        L->set[k] = 1; /* origin: the including file, line 0 */
    int rc = -1;
    if (load_file(L, 0))
        goto out;
    if (L->sweep_file >= 0) {
        fail(L, L->files[L->sweep_file], 0,
             "a config of a sweep's config axis cannot have a sweep section of its own");
        goto out;
    }
    sp_config_derive(&L->cfg);
    if (check_resolved(L))
        goto out;
    *cfg = L->cfg;
    rc = 0;
out:
    for (int d = 0; d < MAX_FILES; d++)
        free(L->fi[d]);
    free(L);
    return rc;
}

int sp_config_load(const char *path, sp_config *cfg, char *err, size_t errlen)
{
    if (sp_n_params > MAX_KEYS) {
        snprintf(err, errlen, "%s:0: internal: %d config keys, the loader holds %d", path, sp_n_params, MAX_KEYS);
        return -1;
    }
    int nl = 0;
    for (int k = 0; k < sp_n_params; k++)
        nl += sp_params[k].type == SP_PT_LIST;
    if (nl > SP_SWEEP_MAX_LIST_KEYS) {
        snprintf(err, errlen, "%s:0: internal: %d list keys, a sweep holds %d", path, nl, SP_SWEEP_MAX_LIST_KEYS);
        return -1;
    }
    loadctx *L = ctx_begin(path, err, errlen);
    if (!L)
        return -1;
    int rc = -1;
    if (load_file(L, 0))
        goto out;
    for (int k = 0; k < sp_n_params; k++)
        if (!L->set[k]) {
            if (!sp_params[k].optional) {
                fail(L, path, missing_line(L, k), "missing required key '%s'", sp_params[k].path);
                goto out;
            }
            if (sp_params[k].type != SP_PT_LIST) /* absent list = [] */
                sp_param_set(&L->cfg, &sp_params[k], sp_params[k].def);
        }
    sp_config_derive(&L->cfg);
    if (check_resolved(L))
        goto out;
    char msg[512];
    sp_sweep *sw = &L->cfg.sweep;
    if (sw->config_axis) { /* each file over the base, every key's value kept */
        sp_config base = L->cfg, o;
        memset(&base.sweep, 0, sizeof base.sweep);
        int a = sw->config_axis - 1;
        for (int i = 0; i < sw->axes[a].n_values; i++) {
            char e2[1024];
            if (load_over(sw->config_files[i], &base, &o, e2, sizeof e2)) {
                fail(L, L->files[L->sweep_file], L->fi[L->sweep_file]->value_line[a][i], "sweep config '%s': %s",
                     sw->config_names[i], e2);
                goto out;
            }
            for (int k = 0; k < sp_n_params; k++) {
                sw->config_vals[i][k] = sp_param_get(&o, &sp_params[k]);
                if (sp_params[k].type == SP_PT_LIST)
                    sw->config_lists[i][sp_param_list_slot(k)] = *sp_param_list_c(&o, &sp_params[k]);
            }
        }
    }
    for (int p = 0; p < sw->n_points; p++) { /* explicit points: fill from the base, check each */
        sp_config t = L->cfg;
        for (int a = 0; a < sw->n_axes; a++)
            if (isnan(sw->point_values[p][a]))
                sp_config_get_key(&L->cfg, sw->axes[a].key, &sw->point_values[p][a]);
        int bad = 0;
        for (int pass = 0; pass < 2 && !bad; pass++)
            for (int a = 0; a < sw->n_axes && !bad; a++)
                if ((pass == 0) == !strcmp(sw->axes[a].key, "hardware.dram.kind"))
                    bad = sp_sweep_set_key(&t, sw->axes[a].key, sw->point_values[p][a], msg, sizeof msg) != 0;
        if (bad || sp_config_check(&t, msg, sizeof msg)) {
            fail(L, L->files[L->sweep_file], L->fi[L->sweep_file]->point_line[p], "sweep point %d: %s", p, msg);
            goto out;
        }
    }
    for (int a = 0; a < sw->n_axes && !sw->n_points; a++)
        for (int i = 0; i < sw->axes[a].n_values; i++) {
            sp_config t = L->cfg;
            const char *sf = L->files[L->sweep_file];
            int line = L->fi[L->sweep_file]->value_line[a][i];
            for (int j = 0; j < i; j++)
                if (sw->axes[a].values[j] == sw->axes[a].values[i]) {
                    fail(L, sf, line, "sweep value %g for %s given twice (first at line %d)", sw->axes[a].values[i],
                         sw->axes[a].key, L->fi[L->sweep_file]->value_line[a][j]);
                    goto out;
                }
            if (sp_sweep_set_key(&t, sw->axes[a].key, sw->axes[a].values[i], msg, sizeof msg) ||
                sp_config_check(&t, msg, sizeof msg)) {
                fail(L, sf, line, "sweep value %g: %s", sw->axes[a].values[i], msg);
                goto out;
            }
        }
    snprintf(L->cfg.source, sizeof L->cfg.source, "%s", path);
    *cfg = L->cfg;
    rc = 0;
out:
    for (int d = 0; d < MAX_FILES; d++)
        free(L->fi[d]);
    free(L);
    return rc;
}

/* ---------------------------------------------------------------- */
/* Printer                                                           */

/* spattn.h: shortest %g form that reads back to exactly v */
void sp_fmt_double(char *buf, size_t len, double v)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, len, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

void sp_config_print(FILE *f, const sp_config *cfg)
{
    const char *src = cfg->source;
    if (src[0] && !strpbrk(src, "\r\n"))
        fprintf(f, "# spattn %s resolved config (from %s)\n", SP_VERSION, src);
    char prev[96] = "";
    for (int k = 0; k < sp_n_params; k++) {
        const sp_param *p = &sp_params[k];
        const char *leaf = strrchr(p->path, '.') + 1;
        char sec[96];
        snprintf(sec, sizeof sec, "%.*s", (int)(leaf - 1 - p->path), p->path);
        if (strcmp(sec, prev)) {
            /* open the top-level section unless still inside it */
            const char *sub = strchr(sec, '.');
            size_t top_len = sub ? (size_t)(sub - sec) : strlen(sec);
            if (strncmp(sec, prev, top_len) || (prev[top_len] != '.' && prev[top_len] != '\0'))
                fprintf(f, "%.*s:\n", (int)top_len, sec);
            if (sub)
                fprintf(f, "  %s:\n", sub + 1);
            snprintf(prev, sizeof prev, "%s", sec);
        }
        int indent = 2 * (int)(strchr(sec, '.') ? 2 : 1);
        char val[SP_MAX_LAYERS * 8 + 8], line[SP_MAX_LAYERS * 8 + 160];
        if (p->type == SP_PT_LIST)
            sp_param_list_text(sp_param_list_c(cfg, p), val, sizeof val);
        else
            sp_param_value_text(p, sp_param_get(cfg, p), val, sizeof val);
        int n = snprintf(line, sizeof line, "%*s%s: %s", indent, "", leaf, val);
        /* doc, unit and range as a comment */
        char range[96];
        sp_param_range_text(p, range, sizeof range);
        fprintf(f, "%s%*s # %s; %s%s%s %s\n", line, n < 40 ? 40 - n : 0, "", p->doc, p->unit, *p->unit ? ", " : "",
                p->type == SP_PT_ENUM ? "one of" : "range", range);
    }
    if (cfg->sweep.n_points > 0) {
        fprintf(f, "sweep:\n  points:\n");
        for (int p = 0; p < cfg->sweep.n_points; p++) {
            fprintf(f, "    - {");
            for (int a = 0; a < cfg->sweep.n_axes; a++) {
                int k = sp_param_find(cfg->sweep.axes[a].key);
                char val[64];
                if (k >= 0)
                    sp_param_value_text(&sp_params[k], cfg->sweep.point_values[p][a], val, sizeof val);
                else
                    sp_fmt_double(val, sizeof val, cfg->sweep.point_values[p][a]);
                fprintf(f, "%s%s: %s", a ? ", " : "", cfg->sweep.axes[a].key, val);
            }
            fprintf(f, "}\n");
        }
    } else if (cfg->sweep.n_axes > 0) {
        fprintf(f, "sweep:\n  axes:\n");
        for (int a = 0; a < cfg->sweep.n_axes; a++) {
            const sp_sweep_axis *ax = &cfg->sweep.axes[a];
            int k = sp_param_find(ax->key);
            fprintf(f, "    - key: %s\n      values: [", ax->key);
            for (int i = 0; i < ax->n_values; i++) {
                char val[64];
                if (cfg->sweep.config_axis == a + 1) { /* file names, quoted */
                    fputs(i ? ", \"" : "\"", f);
                    for (const char *c = cfg->sweep.config_files[i]; *c; c++)
                        if (*c == '"' || *c == '\\')
                            fprintf(f, "\\%c", *c);
                        else
                            fputc(*c, f);
                    fputc('"', f);
                    continue;
                }
                if (k >= 0)
                    sp_param_value_text(&sp_params[k], ax->values[i], val, sizeof val);
                else
                    sp_fmt_double(val, sizeof val, ax->values[i]);
                fprintf(f, "%s%s", i ? ", " : "", val);
            }
            fprintf(f, "]\n");
        }
    }
    if (cfg->sweep.n_axes > 0 && cfg->sweep.n_traces > 0) {
        fprintf(f, "  traces:\n");
        for (int t = 0; t < cfg->sweep.n_traces; t++) {
            fputs("    - \"", f);
            for (const char *c = cfg->sweep.traces[t]; *c; c++)
                if (*c == '"' || *c == '\\')
                    fprintf(f, "\\%c", *c);
                else if ((unsigned char)*c < 0x20)
                    fprintf(f, "\\x%02x", (unsigned char)*c);
                else
                    fputc(*c, f);
            fputs("\"\n", f);
        }
    }
}
