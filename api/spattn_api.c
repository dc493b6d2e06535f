/* spattn_api.c - the layer-by-layer C API (spattn_api.h) over the C model's
 * controller (cmodel/controller.c, sp_run_layer). No global state. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spattn_api.h"
#include "layer.h"

struct spattn_cfg {
    int version;
    sp_config cfg;
};

struct spattn_state {
    int version;
    sp_mode mode;
    int d, ntok;
    sp_layer_state st;
    char err[512];
};

#define EV(f) {#f, offsetof(sp_events, f)}
static const struct { const char *name; size_t off; } ev_names[] = {
    EV(head_steps), EV(keys_msb), EV(keys_lsb), EV(values_fetched), EV(values_lsb),
    EV(bits_k_msb), EV(bits_k_lsb), EV(bits_v), EV(bits_q), EV(bits_out),
    EV(mac_qk), EV(mac_pv), EV(exp_ops), EV(div_ops), EV(mul_norm), EV(softmax_runs),
    EV(requants), EV(topk_runs), EV(topk_rounds), EV(topk_compares), EV(topk_cycles),
    EV(prune_topk_cycles), EV(prune_topk_compares), EV(imp_adds), EV(tokens_pruned), EV(heads_pruned),
};
#undef EV
#define N_EV ((int)(sizeof ev_names / sizeof ev_names[0]))
/* a counter added to sp_events must be named here too */
_Static_assert(sizeof(ev_names) / sizeof(ev_names[0]) == sizeof(sp_events) / sizeof(uint64_t),
               "every sp_events counter has a name in ev_names");

int spattn_api_version(void) { return SPATTN_API_VERSION; }
const char *spattn_version(void) { return SP_VERSION; }
int spattn_event_count(void) { return N_EV; }
const char *spattn_event_name(int i) { return i >= 0 && i < N_EV ? ev_names[i].name : NULL; }

static int version_ok(int v, char *err, size_t errlen)
{
    if (v == SPATTN_API_VERSION)
        return 1;
    if (err && errlen)
        snprintf(err, errlen, "spattn API version %d requested; this library implements version %d", v,
                 SPATTN_API_VERSION);
    return 0;
}

spattn_cfg *spattn_cfg_new(int api_version, const char *yaml_path, char *err, size_t errlen)
{
    char tmp[512];
    if (!err || !errlen) {
        err = tmp;
        errlen = sizeof tmp;
    }
    if (!version_ok(api_version, err, errlen))
        return NULL;
    spattn_cfg *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->version = api_version;
    if (!yaml_path) {
        sp_config_default(&c->cfg);
    } else if (sp_config_load(yaml_path, &c->cfg, err, errlen)) {
        free(c);
        return NULL;
    }
    return c;
}

void spattn_cfg_free(spattn_cfg *c) { free(c); }

int spattn_cfg_set(spattn_cfg *c, const char *key, double value, char *err, size_t errlen)
{
    char tmp[512];
    if (!err || !errlen) {
        err = tmp;
        errlen = sizeof tmp;
    }
    sp_config n = c->cfg;
    if (sp_config_set_key(&n, key, value, err, errlen) || sp_config_check(&n, err, errlen))
        return -1;
    c->cfg = n;
    return 0;
}

int spattn_cfg_get(const spattn_cfg *c, const char *key, double *value)
{
    return sp_config_get_key(&c->cfg, key, value);
}

void spattn_state_free(spattn_state *s)
{
    if (!s)
        return;
    sp_layer_state *t = &s->st;
    free(t->tok); free(t->head); free(t->n_tok); free(t->n_head);
    free(t->imp); free(t->himp); free(t->prob); free(t->vkept);
    free(t->kept); free(t->key); free(t->flag);
    sp_head_scratch_free(&t->scr);
    free(s);
}

spattn_state *spattn_state_new(int api_version, int mode, int layers, int heads, int d, int ctx, int cap,
                               char *err, size_t errlen)
{
    char tmp[512];
    if (!err || !errlen) {
        err = tmp;
        errlen = sizeof tmp;
    }
    if (!version_ok(api_version, err, errlen))
        return NULL;
    if (mode != SPATTN_DECODE && mode != SPATTN_ENCODER) {
        snprintf(err, errlen, "mode %d is neither SPATTN_DECODE (0) nor SPATTN_ENCODER (1)", mode);
        return NULL;
    }
    if (layers < 1 || layers > SP_MAX_LAYERS || heads < 1 || heads > SP_MAX_HEADS || d < 1 || d > SP_MAX_D ||
        cap < 1 || cap > SP_MAX_TOKENS || ctx < 1 || ctx > cap || (mode == SPATTN_ENCODER && ctx != cap)) {
        snprintf(err, errlen,
                 "state shape layers %d heads %d d %d ctx %d cap %d outside 1..%d, 1..%d, 1..%d, 1 <= ctx <= cap <= %d"
                 " (encoder: ctx = cap)",
                 layers, heads, d, ctx, cap, SP_MAX_LAYERS, SP_MAX_HEADS, SP_MAX_D, SP_MAX_TOKENS);
        return NULL;
    }
    spattn_state *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->version = api_version;
    s->mode = (sp_mode)mode;
    s->d = d;
    s->ntok = ctx;
    sp_layer_state *t = &s->st;
    size_t u = (size_t)(cap > heads ? cap : heads);
    t->layers = layers;
    t->heads = heads;
    t->cap = cap;
    t->tok = malloc((size_t)layers * cap * sizeof *t->tok);
    t->head = malloc((size_t)layers * heads * sizeof *t->head);
    t->n_tok = malloc((size_t)layers * sizeof *t->n_tok);
    t->n_head = malloc((size_t)layers * sizeof *t->n_head);
    t->imp = calloc((size_t)cap, sizeof *t->imp);
    t->himp = calloc((size_t)heads, sizeof *t->himp);
    t->prob = malloc((size_t)cap * sizeof *t->prob);
    t->vkept = malloc((size_t)cap * sizeof *t->vkept);
    t->kept = malloc(u * sizeof *t->kept);
    t->key = malloc(u * sizeof *t->key);
    t->flag = malloc(u);
    if (!t->tok || !t->head || !t->n_tok || !t->n_head || !t->imp || !t->himp || !t->prob || !t->vkept ||
        !t->kept || !t->key || !t->flag || sp_head_scratch_init(&t->scr, cap)) {
        spattn_state_free(s);
        snprintf(err, errlen, "out of memory for a state of %d layers, %d heads, %d tokens", layers, heads, cap);
        return NULL;
    }
    for (int l = 0; l < layers; l++) {
        for (int i = 0; i < ctx; i++)
            t->tok[(size_t)l * cap + i] = i;
        t->n_tok[l] = ctx;
        for (int h = 0; h < heads; h++)
            t->head[(size_t)l * heads + h] = h;
        t->n_head[l] = heads;
    }
    return s;
}

const char *spattn_state_error(const spattn_state *s) { return s->err; }

int spattn_state_ntok(const spattn_state *s) { return s->ntok; }

__attribute__((format(printf, 2, 3))) static int fail(spattn_state *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return -1;
}

int spattn_state_append(spattn_state *s)
{
    sp_layer_state *t = &s->st;
    if (s->mode != SP_MODE_DECODE)
        return fail(s, "append: only a decode state appends tokens");
    if (s->ntok >= t->cap)
        return fail(s, "append: all %d token ids are in use (cap)", t->cap);
    for (int l = 0; l < t->layers; l++)
        t->tok[(size_t)l * t->cap + t->n_tok[l]++] = s->ntok;
    s->err[0] = 0;
    return s->ntok++;
}

int spattn_state_tokens(const spattn_state *s, int layer, int32_t *buf)
{
    const sp_layer_state *t = &s->st;
    if (layer < 0 || layer >= t->layers)
        return -1;
    memcpy(buf, t->tok + (size_t)layer * t->cap, (size_t)t->n_tok[layer] * sizeof *buf);
    return t->n_tok[layer];
}

int spattn_state_heads(const spattn_state *s, int layer, int32_t *buf)
{
    const sp_layer_state *t = &s->st;
    if (layer < 0 || layer >= t->layers)
        return -1;
    memcpy(buf, t->head + (size_t)layer * t->heads, (size_t)t->n_head[layer] * sizeof *buf);
    return t->n_head[layer];
}

static int set_list(spattn_state *s, int layer, const int32_t *list, int n, int limit, int32_t *dst, int *ndst,
                    const char *what)
{
    if (layer < 0 || layer >= s->st.layers)
        return fail(s, "set %s: layer %d outside 0..%d", what, layer, s->st.layers - 1);
    if (n < 0 || n > limit)
        return fail(s, "set %s: %d members, outside 0..%d", what, n, limit);
    for (int i = 0; i < n; i++)
        if (list[i] < 0 || list[i] >= limit || (i > 0 && list[i] <= list[i - 1])) {
            return fail(s, "set %s: member %d = %d is not ascending, unique and in 0..%d", what, i, list[i],
                        limit - 1);
        }
    memcpy(dst, list, (size_t)n * sizeof *dst);
    *ndst = n;
    s->err[0] = 0;
    return 0;
}

int spattn_state_set_tokens(spattn_state *s, int layer, const int32_t *list, int n)
{
    sp_layer_state *t = &s->st;
    if (layer < 0 || layer >= t->layers)
        return fail(s, "set tokens: layer %d outside 0..%d", layer, t->layers - 1);
    return set_list(s, layer, list, n, s->ntok, t->tok + (size_t)layer * t->cap, &t->n_tok[layer], "tokens");
}

int spattn_state_set_heads(spattn_state *s, int layer, const int32_t *list, int n)
{
    sp_layer_state *t = &s->st;
    if (layer < 0 || layer >= t->layers)
        return fail(s, "set heads: layer %d outside 0..%d", layer, t->layers - 1);
    return set_list(s, layer, list, n, t->heads, t->head + (size_t)layer * t->heads, &t->n_head[layer], "heads");
}

void spattn_state_importance(const spattn_state *s, uint64_t *tok, uint64_t *head)
{
    if (tok)
        memcpy(tok, s->st.imp, (size_t)s->st.cap * sizeof *tok);
    if (head)
        memcpy(head, s->st.himp, (size_t)s->st.heads * sizeof *head);
}

int spattn_state_set_importance(spattn_state *s, const uint64_t *tok, const uint64_t *head)
{
    const sp_layer_state *t = &s->st;
    for (int i = 0; tok && i < t->cap; i++)
        if (tok[i] > SP_IMP_MAX)
            return fail(s, "set importance: token %d's importance exceeds 48 bits", i);
    for (int i = 0; head && i < t->heads; i++)
        if (head[i] > SP_IMP_MAX)
            return fail(s, "set importance: head %d's importance exceeds 48 bits", i);
    if (tok)
        memcpy(s->st.imp, tok, (size_t)t->cap * sizeof *tok);
    if (head)
        memcpy(s->st.himp, head, (size_t)t->heads * sizeof *head);
    s->err[0] = 0;
    return 0;
}

/* every element of x[0..n) fits `bits` signed bits and the config's `cbits` */
static int check_range(spattn_state *s, const char *name, const int16_t *x, size_t n, int bits, int cbits)
{
    if (bits < 2 || bits > 16)
        return fail(s, "layer: %s_bits %d outside 2..16", name, bits);
    int32_t lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
    int32_t clo = -(1 << (cbits - 1)), chi = (1 << (cbits - 1)) - 1;
    for (size_t j = 0; j < n; j++) {
        if (x[j] < lo || x[j] > hi || x[j] < clo || x[j] > chi) {
            int lim = x[j] < lo || x[j] > hi ? bits : cbits;
            return fail(s, "layer: %s element %zu = %d does not fit %s %d signed bits", name, j, x[j],
                        lim == bits ? "its" : "the config's", lim);
        }
    }
    return 0;
}

int spattn_layer(const spattn_cfg *c, spattn_state *s, int layer, const int16_t *q, const int16_t *k,
                 const int16_t *v, const float *sq, const float *sk, const float *sv, int q_bits, int k_bits, int v_bits,
                 int16_t *out, uint64_t *events, uint64_t *hash)
{
    sp_layer_state *t = &s->st;
    const sp_alg_cfg *a = &c->cfg.alg;
    int H = t->heads, d = s->d, N = s->ntok;
    int rows = s->mode == SP_MODE_DECODE ? 1 : N;
    s->err[0] = 0;
    if (layer < 0 || layer >= t->layers)
        return fail(s, "layer %d outside 0..%d", layer, t->layers - 1);
    if (!q || !k || !v || !sq || !sk || !sv || !out)
        return fail(s, "layer %d: q, k, v, sq, sk, sv and out are required", layer);
    int kb = a->k_msb + a->k_lsb, vb = a->v_msb + a->v_lsb;
    /* docs/spec.md s4: the QK accumulator bound, as for traces */
    if ((double)(1 << (a->q_bits - 1)) * (double)(1 << (kb - 1)) * d >= 2147483648.0)
        return fail(s, "config: q_bits %d x key bits %d x d %d can overflow the 32-bit QK accumulator",
                    a->q_bits, kb, d);
    size_t nkv = (size_t)H * N * d;
    if (check_range(s, "q", q, (size_t)H * rows * d, q_bits, a->q_bits) ||
        check_range(s, "k", k, nkv, k_bits, kb) || check_range(s, "v", v, nkv, v_bits, vb))
        return -1;
    sp_logit_scale sc[SP_MAX_HEADS];
    for (int h = 0; h < H; h++)
        if (!(sq[h] > 0) || !(sk[h] > 0) || sp_logit_scale_make(sq[h], sk[h], d, &sc[h])) {
            return fail(s, "layer %d head %d: q/k scales %g, %g give no 16-bit logit multiplier", layer, h,
                        (double)sq[h], (double)sk[h]);
        }
    sp_logit_scale hsc[SP_MAX_HEADS];
    for (int h = 0; h < H; h++)
        if (sp_himp_scale_make(sv[h], &hsc[h]))
            return fail(s, "layer %d head %d: v scale %g gives no 16-bit head importance multiplier", layer, h,
                        (double)sv[h]);
    memset(out, 0, (size_t)H * rows * d * sizeof *out);
    sp_events ev;
    memset(&ev, 0, sizeof ev);
    uint64_t hh = hash ? *hash : SPATTN_HASH_INIT;
    sp_layer_in in = {s->mode, layer, d, rows, N, q, k, v, sc, hsc};
    if (sp_run_layer(&c->cfg, &in, t, out, &hh, &ev, s->err, sizeof s->err))
        return -1;
    if (hash)
        *hash = hh;
    if (events)
        for (int i = 0; i < N_EV; i++)
            memcpy(&events[i], (const char *)&ev + ev_names[i].off, sizeof(uint64_t));
    return 0;
}
