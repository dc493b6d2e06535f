/* config_yaml.c - strict YAML config loader and printer (docs/config.md).
 *
 * Each file is read twice:
 *  1. libyaml (document API) checks the file against the key table below and
 *     records the line of every key: YAML syntax, unknown keys, duplicate
 *     keys, wrong shapes and malformed scalars are reported as FILE:LINE.
 *  2. libcyaml loads the same file against a schema (every field optional,
 *     pointer-valued, so absent keys stay NULL) and gives the typed values.
 * `include: base.yaml` loads the base first (path relative to the including
 * file, nested up to SP_INCLUDE_DEPTH, cycles rejected); the including
 * file's keys override it and its `sweep:` section, if any, replaces the
 * base's. The resolved config must set every key (no silent defaults); then
 * sp_config_check runs and its message is reported at the line of the key
 * that set the offending value. */
#include <cyaml/cyaml.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>
#include "spattn.h"

#define SP_INCLUDE_DEPTH 8
#define MAX_FILES (SP_INCLUDE_DEPTH + 1)

/* ---------------------------------------------------------------- */
/* libcyaml schema: per-file raw values, NULL where a key is absent   */

typedef struct {
    int *kind;
    int *channels, *banks, *row_bytes, *burst_bytes;
    double *clock_mhz;
    int *tRCD, *tRP, *tCL, *tCCD, *tRAS, *tREFI, *tRFC;
    double *bytes_per_clk_per_channel;
} raw_dram;

typedef struct {
    double *clock_mhz;
    int *qk_multipliers, *pv_multipliers, *k_sram_bytes, *v_sram_bytes;
    int *topk_comparators, *topk_round_overhead;
    int *softmax_lanes, *kv_buffers, *stage_buffers;
    raw_dram dram;
} raw_hw;

typedef struct {
    double *token_keep;
    int *token_start_layer;
    double *head_keep;
    int *head_start_layer;
    double *value_keep;
    int *q_bits, *k_msb, *k_lsb, *v_msb, *v_lsb;
    double *tau;
} raw_alg;

typedef struct {
    double *mac_qk_pj, *mac_pv_pj, *exp_pj, *div_pj, *cmp_pj, *add_pj;
    double *sram_read_pj_per_byte, *sram_write_pj_per_byte, *dram_pj_per_bit, *static_mw;
    int *node_nm;
} raw_energy;

typedef struct {
    char *key;
    double *values;
    unsigned values_count;
} raw_axis;

typedef struct {
    raw_axis *axes;
    unsigned axes_count;
} raw_sweep;

typedef struct {
    char *include;
    raw_hw hardware;
    raw_alg algorithm;
    raw_energy energy;
    raw_sweep *sweep;
} raw_cfg;

#define OPT (CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL)
#define FI(k, s, m) CYAML_FIELD_INT_PTR(k, OPT, s, m)
#define FD(k, s, m) CYAML_FIELD_FLOAT_PTR(k, OPT, s, m)

static const cyaml_strval_t dram_kinds[] = {
    {"hbm2", SP_DRAM_HBM2},
    {"ddr4", SP_DRAM_DDR4},
    {"lpddr4", SP_DRAM_LPDDR4},
};

static const cyaml_schema_field_t dram_fields[] = {
    CYAML_FIELD_ENUM_PTR("kind", OPT | CYAML_FLAG_STRICT, raw_dram, kind, dram_kinds, 3),
    FI("channels", raw_dram, channels),
    FI("banks", raw_dram, banks),
    FI("row_bytes", raw_dram, row_bytes),
    FI("burst_bytes", raw_dram, burst_bytes),
    FD("clock_mhz", raw_dram, clock_mhz),
    FI("tRCD", raw_dram, tRCD),
    FI("tRP", raw_dram, tRP),
    FI("tCL", raw_dram, tCL),
    FI("tCCD", raw_dram, tCCD),
    FI("tRAS", raw_dram, tRAS),
    FI("tREFI", raw_dram, tREFI),
    FI("tRFC", raw_dram, tRFC),
    FD("bytes_per_clk_per_channel", raw_dram, bytes_per_clk_per_channel),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t hw_fields[] = {
    FD("clock_mhz", raw_hw, clock_mhz),
    FI("qk_multipliers", raw_hw, qk_multipliers),
    FI("pv_multipliers", raw_hw, pv_multipliers),
    FI("k_sram_bytes", raw_hw, k_sram_bytes),
    FI("v_sram_bytes", raw_hw, v_sram_bytes),
    FI("topk_comparators", raw_hw, topk_comparators),
    FI("topk_round_overhead", raw_hw, topk_round_overhead),
    FI("softmax_lanes", raw_hw, softmax_lanes),
    FI("kv_buffers", raw_hw, kv_buffers),
    FI("stage_buffers", raw_hw, stage_buffers),
    CYAML_FIELD_MAPPING("dram", CYAML_FLAG_OPTIONAL, raw_hw, dram, dram_fields),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t alg_fields[] = {
    FD("token_keep", raw_alg, token_keep),
    FI("token_start_layer", raw_alg, token_start_layer),
    FD("head_keep", raw_alg, head_keep),
    FI("head_start_layer", raw_alg, head_start_layer),
    FD("value_keep", raw_alg, value_keep),
    FI("q_bits", raw_alg, q_bits),
    FI("k_msb", raw_alg, k_msb),
    FI("k_lsb", raw_alg, k_lsb),
    FI("v_msb", raw_alg, v_msb),
    FI("v_lsb", raw_alg, v_lsb),
    FD("tau", raw_alg, tau),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t energy_fields[] = {
    FD("mac_qk_pj", raw_energy, mac_qk_pj),
    FD("mac_pv_pj", raw_energy, mac_pv_pj),
    FD("exp_pj", raw_energy, exp_pj),
    FD("div_pj", raw_energy, div_pj),
    FD("cmp_pj", raw_energy, cmp_pj),
    FD("add_pj", raw_energy, add_pj),
    FD("sram_read_pj_per_byte", raw_energy, sram_read_pj_per_byte),
    FD("sram_write_pj_per_byte", raw_energy, sram_write_pj_per_byte),
    FD("dram_pj_per_bit", raw_energy, dram_pj_per_bit),
    FD("static_mw", raw_energy, static_mw),
    FI("node_nm", raw_energy, node_nm),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t sweep_value_schema = {
    CYAML_VALUE_FLOAT(CYAML_FLAG_DEFAULT, double),
};

static const cyaml_schema_field_t axis_fields[] = {
    CYAML_FIELD_STRING_PTR("key", CYAML_FLAG_POINTER, raw_axis, key, 1, 63),
    CYAML_FIELD_SEQUENCE("values", CYAML_FLAG_POINTER, raw_axis, values, &sweep_value_schema, 1,
                         SP_SWEEP_MAX_VALUES),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t axis_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, raw_axis, axis_fields),
};

static const cyaml_schema_field_t sweep_fields[] = {
    CYAML_FIELD_SEQUENCE("axes", CYAML_FLAG_POINTER, raw_sweep, axes, &axis_schema, 1, SP_SWEEP_MAX_AXES),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t top_fields[] = {
    CYAML_FIELD_STRING_PTR("include", OPT, raw_cfg, include, 1, 4095),
    CYAML_FIELD_MAPPING("hardware", CYAML_FLAG_OPTIONAL, raw_cfg, hardware, hw_fields),
    CYAML_FIELD_MAPPING("algorithm", CYAML_FLAG_OPTIONAL, raw_cfg, algorithm, alg_fields),
    CYAML_FIELD_MAPPING("energy", CYAML_FLAG_OPTIONAL, raw_cfg, energy, energy_fields),
    CYAML_FIELD_MAPPING_PTR("sweep", OPT, raw_cfg, sweep, sweep_fields),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t top_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, raw_cfg, top_fields),
};

/* ---------------------------------------------------------------- */
/* Key table: one row per leaf key, in print order                    */

typedef enum { T_INT, T_DBL, T_KIND } ktype;

typedef struct {
    const char *path;
    ktype type;
    size_t cfg_off; /* member of sp_config */
    size_t raw_off; /* pointer member of raw_cfg */
} keydesc;

#define KI(p, c, r) {p, T_INT, offsetof(sp_config, c), offsetof(raw_cfg, r)}
#define KD(p, c, r) {p, T_DBL, offsetof(sp_config, c), offsetof(raw_cfg, r)}

static const keydesc keys[] = {
    KD("hardware.clock_mhz", hw.clock_mhz, hardware.clock_mhz),
    KI("hardware.qk_multipliers", hw.n_qk, hardware.qk_multipliers),
    KI("hardware.pv_multipliers", hw.n_pv, hardware.pv_multipliers),
    KI("hardware.k_sram_bytes", hw.k_sram_bytes, hardware.k_sram_bytes),
    KI("hardware.v_sram_bytes", hw.v_sram_bytes, hardware.v_sram_bytes),
    KI("hardware.topk_comparators", hw.topk_comparators, hardware.topk_comparators),
    KI("hardware.topk_round_overhead", hw.topk_round_overhead, hardware.topk_round_overhead),
    KI("hardware.softmax_lanes", hw.softmax_lanes, hardware.softmax_lanes),
    KI("hardware.kv_buffers", hw.kv_buffers, hardware.kv_buffers),
    KI("hardware.stage_buffers", hw.stage_buffers, hardware.stage_buffers),
    {"hardware.dram.kind", T_KIND, offsetof(sp_config, hw.dram.kind), offsetof(raw_cfg, hardware.dram.kind)},
    KI("hardware.dram.channels", hw.dram.channels, hardware.dram.channels),
    KI("hardware.dram.banks", hw.dram.banks, hardware.dram.banks),
    KI("hardware.dram.row_bytes", hw.dram.row_bytes, hardware.dram.row_bytes),
    KI("hardware.dram.burst_bytes", hw.dram.burst_bytes, hardware.dram.burst_bytes),
    KD("hardware.dram.clock_mhz", hw.dram.clock_mhz, hardware.dram.clock_mhz),
    KI("hardware.dram.tRCD", hw.dram.tRCD, hardware.dram.tRCD),
    KI("hardware.dram.tRP", hw.dram.tRP, hardware.dram.tRP),
    KI("hardware.dram.tCL", hw.dram.tCL, hardware.dram.tCL),
    KI("hardware.dram.tCCD", hw.dram.tCCD, hardware.dram.tCCD),
    KI("hardware.dram.tRAS", hw.dram.tRAS, hardware.dram.tRAS),
    KI("hardware.dram.tREFI", hw.dram.tREFI, hardware.dram.tREFI),
    KI("hardware.dram.tRFC", hw.dram.tRFC, hardware.dram.tRFC),
    KD("hardware.dram.bytes_per_clk_per_channel", hw.dram.bytes_per_clk_per_channel,
       hardware.dram.bytes_per_clk_per_channel),
    KD("algorithm.token_keep", alg.token_keep, algorithm.token_keep),
    KI("algorithm.token_start_layer", alg.token_start_layer, algorithm.token_start_layer),
    KD("algorithm.head_keep", alg.head_keep, algorithm.head_keep),
    KI("algorithm.head_start_layer", alg.head_start_layer, algorithm.head_start_layer),
    KD("algorithm.value_keep", alg.value_keep, algorithm.value_keep),
    KI("algorithm.q_bits", alg.q_bits, algorithm.q_bits),
    KI("algorithm.k_msb", alg.k_msb, algorithm.k_msb),
    KI("algorithm.k_lsb", alg.k_lsb, algorithm.k_lsb),
    KI("algorithm.v_msb", alg.v_msb, algorithm.v_msb),
    KI("algorithm.v_lsb", alg.v_lsb, algorithm.v_lsb),
    KD("algorithm.tau", alg.tau, algorithm.tau),
    KD("energy.mac_qk_pj", energy.mac_qk_pj, energy.mac_qk_pj),
    KD("energy.mac_pv_pj", energy.mac_pv_pj, energy.mac_pv_pj),
    KD("energy.exp_pj", energy.exp_pj, energy.exp_pj),
    KD("energy.div_pj", energy.div_pj, energy.div_pj),
    KD("energy.cmp_pj", energy.cmp_pj, energy.cmp_pj),
    KD("energy.add_pj", energy.add_pj, energy.add_pj),
    KD("energy.sram_read_pj_per_byte", energy.sram_read_pj_per_byte, energy.sram_read_pj_per_byte),
    KD("energy.sram_write_pj_per_byte", energy.sram_write_pj_per_byte, energy.sram_write_pj_per_byte),
    KD("energy.dram_pj_per_bit", energy.dram_pj_per_bit, energy.dram_pj_per_bit),
    KD("energy.static_mw", energy.static_mw, energy.static_mw),
    KI("energy.node_nm", energy.node_nm, energy.node_nm),
};
#define NKEYS ((int)(sizeof keys / sizeof keys[0]))

/* Sections (mappings) that hold keys; the sweep section is separate. */
static const char *const sections[] = {"hardware", "hardware.dram", "algorithm", "energy"};
#define NSECTIONS ((int)(sizeof sections / sizeof sections[0]))

static int find_key(const char *path)
{
    for (int i = 0; i < NKEYS; i++)
        if (!strcmp(keys[i].path, path))
            return i;
    return -1;
}

static int find_section(const char *path)
{
    for (int i = 0; i < NSECTIONS; i++)
        if (!strcmp(sections[i], path))
            return i;
    return -1;
}

static const char *kind_name(int k)
{
    switch (k) {
    case SP_DRAM_HBM2: return "hbm2";
    case SP_DRAM_DDR4: return "ddr4";
    case SP_DRAM_LPDDR4: return "lpddr4";
    default: return "?";
    }
}

/* Keep the fixed-point forms in step with the ratios as given. */
static void derive(sp_config *c)
{
    sp_alg_cfg *a = &c->alg;
    a->token_keep_q16 = sp_ratio_q16(a->token_keep);
    a->head_keep_q16 = sp_ratio_q16(a->head_keep);
    a->value_keep_q16 = sp_ratio_q16(a->value_keep);
    a->tau_q15 = (a->tau >= 0 && a->tau <= 1) ? (uint32_t)llround(a->tau * SP_PROB_ONE) : 0;
}

int sp_config_set_key(sp_config *cfg, const char *key, double v, char *err, size_t errlen)
{
    int k = find_key(key);
    if (k < 0) {
        snprintf(err, errlen, "unknown config key '%s'", key);
        return -1;
    }
    char *p = (char *)cfg + keys[k].cfg_off;
    if (keys[k].type == T_DBL) {
        if (!isfinite(v)) {
            snprintf(err, errlen, "%s: value must be finite", key);
            return -1;
        }
        memcpy(p, &v, sizeof v);
    } else {
        if (!(v == floor(v) && v >= INT_MIN && v <= INT_MAX)) {
            snprintf(err, errlen, "%s: expected an integer, got %g", key, v);
            return -1;
        }
        if (keys[k].type == T_KIND && !(v >= SP_DRAM_HBM2 && v <= SP_DRAM_LPDDR4)) {
            snprintf(err, errlen, "%s: no DRAM kind %g", key, v);
            return -1;
        }
        int iv = (int)v;
        if (keys[k].type == T_KIND) {
            sp_dram_kind kv = (sp_dram_kind)iv;
            memcpy(p, &kv, sizeof kv);
        } else {
            memcpy(p, &iv, sizeof iv);
        }
    }
    derive(cfg);
    return 0;
}

int sp_config_get_key(const sp_config *cfg, const char *key, double *v)
{
    int k = find_key(key);
    if (k < 0)
        return -1;
    const char *p = (const char *)cfg + keys[k].cfg_off;
    if (keys[k].type == T_DBL) {
        memcpy(v, p, sizeof *v);
    } else if (keys[k].type == T_KIND) {
        sp_dram_kind kv;
        memcpy(&kv, p, sizeof kv);
        *v = (double)kv;
    } else {
        int iv;
        memcpy(&iv, p, sizeof iv);
        *v = iv;
    }
    return 0;
}

/* ---------------------------------------------------------------- */
/* Loader state                                                      */

typedef struct {
    int line[NKEYS];              /* line of each key in this file, 0 if absent */
    int sec_line[NSECTIONS];
    char include[4096];
    int include_line;
    int has_sweep;
    int sweep_line;
    int n_axes;
    int axis_line[SP_SWEEP_MAX_AXES];
    int value_line[SP_SWEEP_MAX_AXES][SP_SWEEP_MAX_VALUES];
} finfo;

typedef struct {
    char files[MAX_FILES][4096]; /* [0] top-level file, [d] included at depth d */
    dev_t dev[MAX_FILES];
    ino_t ino[MAX_FILES];
    finfo *fi[MAX_FILES];
    sp_config cfg;
    int set[NKEYS];
    int origin_file[NKEYS], origin_line[NKEYS];
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
/* Pass 1: libyaml document walk                                     */

typedef struct {
    loadctx *L;
    const char *file;
    yaml_document_t *doc;
    finfo *fi;
} walk;

static int node_line(const yaml_node_t *n)
{
    return (int)n->start_mark.line + 1;
}

static const char *scalar_text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

/* What a node is, for messages: 'text', the string "text", a mapping... */
static void describe(const yaml_node_t *n, char *buf, size_t len)
{
    if (n->type == YAML_MAPPING_NODE)
        snprintf(buf, len, "a mapping");
    else if (n->type == YAML_SEQUENCE_NODE)
        snprintf(buf, len, "a sequence");
    else if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        snprintf(buf, len, "the string \"%.60s\"", scalar_text(n));
    else if (n->data.scalar.length == 0)
        snprintf(buf, len, "nothing");
    else
        snprintf(buf, len, "'%.60s'", scalar_text(n));
}

static int is_plain(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           n->data.scalar.length > 0;
}

/* Decimal integer, optional sign, no leading zeros (libcyaml reads with
 * strtoll base 0, where "010" would be octal). */
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

/* Finite decimal number (no hex, inf, nan). */
static int parse_dbl(const char *s, double *out)
{
    for (const char *q = s; *q; q++)
        if (!strchr("0123456789+-.eE", *q))
            return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Checks a scalar value for key type t; what names it in messages. */
static int check_scalar(walk *w, const yaml_node_t *v, ktype t, const char *what, double *out)
{
    char got[128];
    describe(v, got, sizeof got);
    if (t == T_KIND) {
        if (v->type == YAML_SCALAR_NODE)
            for (int k = SP_DRAM_HBM2; k <= SP_DRAM_LPDDR4; k++)
                if (!strcmp(scalar_text(v), kind_name(k))) {
                    if (out)
                        *out = k;
                    return 0;
                }
        return fail(w->L, w->file, node_line(v), "%s: expected one of hbm2, ddr4, lpddr4, got %s", what, got);
    }
    if (t == T_INT) {
        long long iv;
        if (!is_plain(v) || parse_int(scalar_text(v), &iv))
            return fail(w->L, w->file, node_line(v), "%s: expected an integer, got %s", what, got);
        if (iv < INT_MIN || iv > INT_MAX)
            return fail(w->L, w->file, node_line(v), "%s: integer %s does not fit 32 bits", what,
                        scalar_text(v));
        if (out)
            *out = (double)iv;
        return 0;
    }
    double dv;
    if (!is_plain(v) || parse_dbl(scalar_text(v), &dv))
        return fail(w->L, w->file, node_line(v), "%s: expected a number, got %s", what, got);
    if (out)
        *out = dv;
    return 0;
}

/* Key node of a mapping pair: a non-empty scalar, not repeated. */
static int check_key(walk *w, const yaml_node_t *map, const yaml_node_pair_t *pair, const char *where)
{
    yaml_node_t *kn = yaml_document_get_node(w->doc, pair->key);
    if (kn->type != YAML_SCALAR_NODE || kn->data.scalar.length == 0)
        return fail(w->L, w->file, node_line(kn), "keys must be names %s", where);
    for (const yaml_node_pair_t *q = map->data.mapping.pairs.start; q < pair; q++) {
        yaml_node_t *qk = yaml_document_get_node(w->doc, q->key);
        if (qk->type == YAML_SCALAR_NODE && !strcmp(scalar_text(qk), scalar_text(kn)))
            return fail(w->L, w->file, node_line(kn), "duplicate key '%s' %s (first at line %d)",
                        scalar_text(kn), where, node_line(qk));
    }
    return 0;
}

static int walk_sweep(walk *w, const yaml_node_t *sw)
{
    finfo *fi = w->fi;
    char got[128];
    if (sw->type != YAML_MAPPING_NODE) {
        describe(sw, got, sizeof got);
        return fail(w->L, w->file, node_line(sw), "'sweep' must be a mapping, got %s", got);
    }
    const yaml_node_t *axes = NULL;
    for (yaml_node_pair_t *p = sw->data.mapping.pairs.start; p < sw->data.mapping.pairs.top; p++) {
        if (check_key(w, sw, p, "in section 'sweep'"))
            return -1;
        yaml_node_t *kn = yaml_document_get_node(w->doc, p->key);
        if (strcmp(scalar_text(kn), "axes"))
            return fail(w->L, w->file, node_line(kn), "unknown key '%s' in section 'sweep' (expected axes)",
                        scalar_text(kn));
        axes = yaml_document_get_node(w->doc, p->value);
    }
    if (!axes)
        return fail(w->L, w->file, node_line(sw), "'sweep' needs 'axes'");
    int n = axes->type == YAML_SEQUENCE_NODE
                ? (int)(axes->data.sequence.items.top - axes->data.sequence.items.start)
                : 0;
    if (axes->type != YAML_SEQUENCE_NODE || n < 1 || n > SP_SWEEP_MAX_AXES) {
        describe(axes, got, sizeof got);
        if (axes->type == YAML_SEQUENCE_NODE)
            snprintf(got, sizeof got, "%d axes", n);
        return fail(w->L, w->file, node_line(axes), "sweep.axes must be a list of 1..%d axes, got %s",
                    SP_SWEEP_MAX_AXES, got);
    }
    fi->n_axes = n;
    for (int a = 0; a < n; a++) {
        yaml_node_t *ax = yaml_document_get_node(w->doc, axes->data.sequence.items.start[a]);
        fi->axis_line[a] = node_line(ax);
        if (ax->type != YAML_MAPPING_NODE) {
            describe(ax, got, sizeof got);
            return fail(w->L, w->file, node_line(ax), "sweep axis must be a mapping with key and values, got %s",
                        got);
        }
        yaml_node_t *key = NULL, *vals = NULL;
        for (yaml_node_pair_t *p = ax->data.mapping.pairs.start; p < ax->data.mapping.pairs.top; p++) {
            if (check_key(w, ax, p, "in a sweep axis"))
                return -1;
            yaml_node_t *kn = yaml_document_get_node(w->doc, p->key);
            if (!strcmp(scalar_text(kn), "key"))
                key = yaml_document_get_node(w->doc, p->value);
            else if (!strcmp(scalar_text(kn), "values"))
                vals = yaml_document_get_node(w->doc, p->value);
            else
                return fail(w->L, w->file, node_line(kn), "unknown key '%s' in a sweep axis (expected key, values)",
                            scalar_text(kn));
        }
        if (!key || !vals)
            return fail(w->L, w->file, node_line(ax), "sweep axis needs both 'key' and 'values'");
        int k = key->type == YAML_SCALAR_NODE ? find_key(scalar_text(key)) : -1;
        if (k < 0 || keys[k].type == T_KIND) {
            describe(key, got, sizeof got);
            return fail(w->L, w->file, node_line(key), "sweep axis key must name a numeric config key, got %s",
                        got);
        }
        for (int b = 0; b < a; b++) {
            yaml_node_t *pb = yaml_document_get_node(w->doc, axes->data.sequence.items.start[b]);
            for (yaml_node_pair_t *p = pb->data.mapping.pairs.start; p < pb->data.mapping.pairs.top; p++) {
                yaml_node_t *kn = yaml_document_get_node(w->doc, p->key);
                yaml_node_t *vn = yaml_document_get_node(w->doc, p->value);
                if (!strcmp(scalar_text(kn), "key") && !strcmp(scalar_text(vn), scalar_text(key)))
                    return fail(w->L, w->file, node_line(key), "sweep axis '%s' given twice", scalar_text(key));
            }
        }
        int nv = vals->type == YAML_SEQUENCE_NODE
                     ? (int)(vals->data.sequence.items.top - vals->data.sequence.items.start)
                     : 0;
        if (vals->type != YAML_SEQUENCE_NODE || nv < 1 || nv > SP_SWEEP_MAX_VALUES) {
            describe(vals, got, sizeof got);
            if (vals->type == YAML_SEQUENCE_NODE)
                snprintf(got, sizeof got, "%d values", nv);
            return fail(w->L, w->file, node_line(vals), "sweep values must be a list of 1..%d values, got %s",
                        SP_SWEEP_MAX_VALUES, got);
        }
        char what[128];
        snprintf(what, sizeof what, "sweep value for %s", keys[k].path);
        for (int i = 0; i < nv; i++) {
            yaml_node_t *vn = yaml_document_get_node(w->doc, vals->data.sequence.items.start[i]);
            if (check_scalar(w, vn, keys[k].type, what, NULL))
                return -1;
            fi->value_line[a][i] = node_line(vn);
        }
    }
    return 0;
}

/* Walks a mapping at key path prefix ("" for the top level). */
static int walk_map(walk *w, const yaml_node_t *map, const char *prefix)
{
    char where[96];
    if (*prefix)
        snprintf(where, sizeof where, "in section '%s'", prefix);
    else
        snprintf(where, sizeof where, "at top level");
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        if (check_key(w, map, p, where))
            return -1;
        yaml_node_t *kn = yaml_document_get_node(w->doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(w->doc, p->value);
        const char *name = scalar_text(kn);
        char path[160];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", name);
        char got[128];
        if (!*prefix && !strcmp(name, "include")) {
            if (vn->type != YAML_SCALAR_NODE || vn->data.scalar.length == 0 ||
                vn->data.scalar.length >= sizeof w->fi->include) {
                describe(vn, got, sizeof got);
                return fail(w->L, w->file, node_line(vn), "include: expected a file name, got %s", got);
            }
            snprintf(w->fi->include, sizeof w->fi->include, "%s", scalar_text(vn));
            w->fi->include_line = node_line(kn);
            continue;
        }
        if (!*prefix && !strcmp(name, "sweep")) {
            w->fi->has_sweep = 1;
            w->fi->sweep_line = node_line(kn);
            if (walk_sweep(w, vn))
                return -1;
            continue;
        }
        int k = find_key(path);
        if (k >= 0) {
            if (check_scalar(w, vn, keys[k].type, path, NULL))
                return -1;
            w->fi->line[k] = node_line(kn);
            continue;
        }
        int s = find_section(path);
        if (s >= 0) {
            if (vn->type != YAML_MAPPING_NODE) {
                describe(vn, got, sizeof got);
                return fail(w->L, w->file, node_line(vn), "'%s' must be a mapping, got %s", path, got);
            }
            w->fi->sec_line[s] = node_line(kn);
            if (walk_map(w, vn, path))
                return -1;
            continue;
        }
        if (*prefix)
            return fail(w->L, w->file, node_line(kn), "unknown key '%s' in section '%s'", name, prefix);
        return fail(w->L, w->file, node_line(kn),
                    "unknown key '%s' at top level (expected hardware, algorithm, energy, sweep, include)", name);
    }
    return 0;
}

static int parser_fail(loadctx *L, const char *file, const yaml_parser_t *p)
{
    int line = (int)(p->problem ? p->problem_mark.line : p->context_mark.line) + 1;
    if (p->error == YAML_READER_ERROR)
        return fail(L, file, line, "YAML syntax error: %s", p->problem ? p->problem : "unreadable input");
    if (p->context)
        return fail(L, file, line, "YAML syntax error: %s %s (line %d)", p->problem ? p->problem : "error",
                    p->context, (int)p->context_mark.line + 1);
    return fail(L, file, line, "YAML syntax error: %s", p->problem ? p->problem : "error");
}

static int pass1(loadctx *L, const char *file, FILE *f, finfo *fi)
{
    yaml_parser_t parser;
    yaml_document_t doc, doc2;
    int rc = -1;
    if (!yaml_parser_initialize(&parser))
        return fail(L, file, 0, "out of memory");
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        parser_fail(L, file, &parser);
        yaml_parser_delete(&parser);
        return -1;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        fail(L, file, 1, "empty config (expected a mapping with hardware, algorithm, energy or include)");
        goto out;
    }
    if (root->type != YAML_MAPPING_NODE) {
        char got[128];
        describe(root, got, sizeof got);
        fail(L, file, node_line(root), "a config must be a mapping of sections, got %s", got);
        goto out;
    }
    walk w = {L, file, &doc, fi};
    if (walk_map(&w, root, ""))
        goto out;
    if (!yaml_parser_load(&parser, &doc2)) {
        parser_fail(L, file, &parser);
        goto out;
    }
    yaml_node_t *r2 = yaml_document_get_root_node(&doc2);
    if (r2) {
        fail(L, file, node_line(r2), "a config file holds one YAML document, found a second");
        yaml_document_delete(&doc2);
        goto out;
    }
    yaml_document_delete(&doc2);
    rc = 0;
out:
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

/* ---------------------------------------------------------------- */
/* Pass 2: libcyaml, then overlay onto the resolved config            */

typedef struct {
    char msg[512];
} cylog;

static void cy_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
    cylog *c = ctx;
    if (level < CYAML_LOG_ERROR || c->msg[0])
        return;
    vsnprintf(c->msg, sizeof c->msg, fmt, args);
    size_t n = strlen(c->msg);
    while (n && (c->msg[n - 1] == '\n' || c->msg[n - 1] == ' '))
        c->msg[--n] = '\0';
}

static int pass2(loadctx *L, int depth)
{
    const char *file = L->files[depth];
    finfo *fi = L->fi[depth];
    cylog log = {{0}};
    cyaml_config_t cc = {
        .log_fn = cy_log,
        .log_ctx = &log,
        .mem_fn = cyaml_mem,
        .log_level = CYAML_LOG_ERROR,
        .flags = CYAML_CFG_DEFAULT,
    };
    raw_cfg *raw = NULL;
    cyaml_err_t e = cyaml_load_file(file, &cc, &top_schema, (cyaml_data_t **)&raw, NULL);
    if (e != CYAML_OK)
        /* pass 1 accepts only what this schema accepts; reaching here is a bug */
        return fail(L, file, 1, "libcyaml: %s%s%s", cyaml_strerror(e), log.msg[0] ? ": " : "", log.msg);
    if (!raw)
        return 0; /* nothing set (a mapping with only empty sections) */
    for (int k = 0; k < NKEYS; k++) {
        const void *ptr;
        memcpy(&ptr, (const char *)raw + keys[k].raw_off, sizeof ptr);
        if (!ptr)
            continue;
        if (!fi->line[k]) {
            cyaml_free(&cc, &top_schema, raw, 0);
            return fail(L, file, 1, "internal: libcyaml set %s which pass 1 did not see", keys[k].path);
        }
        char *dst = (char *)&L->cfg + keys[k].cfg_off;
        if (keys[k].type == T_DBL) {
            memcpy(dst, ptr, sizeof(double));
        } else if (keys[k].type == T_KIND) {
            sp_dram_kind kv = (sp_dram_kind) * (const int *)ptr;
            memcpy(dst, &kv, sizeof kv);
        } else {
            memcpy(dst, ptr, sizeof(int));
        }
        L->set[k] = 1;
        L->origin_file[k] = depth;
        L->origin_line[k] = fi->line[k];
    }
    if (raw->sweep) {
        sp_sweep *s = &L->cfg.sweep;
        memset(s, 0, sizeof *s);
        s->n_axes = (int)raw->sweep->axes_count;
        for (int a = 0; a < s->n_axes; a++) {
            const raw_axis *ra = &raw->sweep->axes[a];
            snprintf(s->axes[a].key, sizeof s->axes[a].key, "%s", ra->key);
            s->axes[a].n_values = (int)ra->values_count;
            memcpy(s->axes[a].values, ra->values, ra->values_count * sizeof(double));
        }
        L->sweep_file = depth;
    }
    cyaml_free(&cc, &top_schema, raw, 0);
    return 0;
}

/* ---------------------------------------------------------------- */
/* Include chain                                                     */

static int load_file(loadctx *L, int depth)
{
    const char *file = L->files[depth];
    const char *parent = depth ? L->files[depth - 1] : NULL;
    int pline = depth ? L->fi[depth - 1]->include_line : 0;
    FILE *f = fopen(file, "rb");
    struct stat st;
    int e = 0;
    if (!f)
        e = errno;
    else if (fstat(fileno(f), &st))
        e = errno;
    else if (!S_ISREG(st.st_mode))
        e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    if (e) {
        if (f)
            fclose(f);
        if (parent)
            return fail(L, parent, pline, "cannot open include '%s' (%s): %s", L->fi[depth - 1]->include, file,
                        strerror(e));
        return fail(L, file, 0, "cannot open config: %s", strerror(e));
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
    int rc = pass1(L, file, f, fi);
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
    return pass2(L, depth);
}

/* Line in the top-level file nearest to where key k belongs. */
static int missing_line(const loadctx *L, int k)
{
    const char *path = keys[k].path;
    int best = 0;
    size_t best_len = 0;
    for (int s = 0; s < NSECTIONS; s++) {
        size_t n = strlen(sections[s]);
        if (!strncmp(path, sections[s], n) && path[n] == '.' && L->fi[0]->sec_line[s] && n > best_len) {
            best = L->fi[0]->sec_line[s];
            best_len = n;
        }
    }
    return best ? best : 1;
}

int sp_config_load(const char *path, sp_config *cfg, char *err, size_t errlen)
{
    loadctx *L = calloc(1, sizeof *L);
    if (!L) {
        snprintf(err, errlen, "%s:0: out of memory", path);
        return -1;
    }
    L->err = err;
    L->errlen = errlen;
    L->sweep_file = -1;
    int rc = -1;
    if (strlen(path) >= sizeof L->files[0]) {
        snprintf(err, errlen, "%.100s...:0: path too long", path);
        goto out;
    }
    snprintf(L->files[0], sizeof L->files[0], "%s", path);
    if (load_file(L, 0))
        goto out;
    for (int k = 0; k < NKEYS; k++)
        if (!L->set[k]) {
            fail(L, path, missing_line(L, k), "missing required key '%s'", keys[k].path);
            goto out;
        }
    derive(&L->cfg);
    char msg[512];
    if (sp_config_check(&L->cfg, msg, sizeof msg)) {
        char key[96];
        size_t n = strcspn(msg, " :");
        snprintf(key, sizeof key, "%.*s", (int)(n < sizeof key ? n : sizeof key - 1), msg);
        int k = find_key(key);
        if (k >= 0)
            fail(L, L->files[L->origin_file[k]], L->origin_line[k], "%s", msg);
        else
            fail(L, path, 1, "%s", msg);
        goto out;
    }
    const sp_sweep *sw = &L->cfg.sweep;
    for (int a = 0; a < sw->n_axes; a++)
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
            if (sp_config_set_key(&t, sw->axes[a].key, sw->axes[a].values[i], msg, sizeof msg) ||
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
    for (int k = 0; k < NKEYS; k++) {
        const char *path = keys[k].path;
        const char *leaf = strrchr(path, '.') + 1;
        char sec[96];
        snprintf(sec, sizeof sec, "%.*s", (int)(leaf - 1 - path), path);
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
        double v;
        sp_config_get_key(cfg, path, &v);
        char val[64];
        if (keys[k].type == T_KIND)
            snprintf(val, sizeof val, "%s", kind_name((int)v));
        else if (keys[k].type == T_INT)
            snprintf(val, sizeof val, "%d", (int)v);
        else
            sp_fmt_double(val, sizeof val, v);
        fprintf(f, "%*s%s: %s\n", indent, "", leaf, val);
    }
    if (cfg->sweep.n_axes > 0) {
        fprintf(f, "sweep:\n  axes:\n");
        for (int a = 0; a < cfg->sweep.n_axes; a++) {
            const sp_sweep_axis *ax = &cfg->sweep.axes[a];
            int k = find_key(ax->key);
            fprintf(f, "    - key: %s\n      values: [", ax->key);
            for (int i = 0; i < ax->n_values; i++) {
                char val[64];
                if (k >= 0 && keys[k].type != T_DBL)
                    snprintf(val, sizeof val, "%.0f", ax->values[i]);
                else
                    sp_fmt_double(val, sizeof val, ax->values[i]);
                fprintf(f, "%s%s", i ? ", " : "", val);
            }
            fprintf(f, "]\n");
        }
    }
}
