/* layer.h - one layer of the controller (cmodel/controller.c) for callers
 * that run a model layer by layer (api/): the same head-steps, importance
 * updates and cascade pruning as sp_run_model, in the same order
 * (docs/spec.md s10). Internal to libspattn. */
#ifndef SP_LAYER_H
#define SP_LAYER_H
#include "head.h"

/* Pruning state carried between layers (and, in decode, iterations). The
 * caller owns every array. tok: [layers][cap] per-layer active tokens,
 * ascending, n_tok[l] of them; head: [layers][heads], n_head[l]; imp: [cap]
 * token importance; himp: [heads] head importance. Scratch: scr (sized cap),
 * prob, vkept [cap]; key, kept [max(cap, heads)]; flag [max(cap, heads)]. */
typedef struct {
    int layers, heads, cap;
    int32_t *tok, *head;
    int *n_tok, *n_head;
    uint64_t *imp, *himp;
    sp_head_scratch scr;
    uint16_t *prob;
    int32_t *vkept, *kept;
    uint64_t *key;
    unsigned char *flag;
} sp_layer_state;

/* One layer's inputs. q: [heads][q_rows][d]; in decode q_rows = 1, in an
 * encoder the row of token t is row t (q_rows = kv_rows). k, v:
 * [heads][kv_rows][d], row t is token t (every active token < kv_rows <= cap);
 * scale: [heads] logit scales (sp_logit_scale_make); himp: [heads] head
 * importance scales (sp_himp_scale_make). */
typedef struct {
    sp_mode mode;
    int layer, d, q_rows, kv_rows;
    const int16_t *q, *k, *v;
    const sp_logit_scale *scale, *himp;
} sp_layer_in;

/* Runs layer in->layer on st: every active head's rows (out[(h * q_rows +
 * row) * d ...], other rows untouched), FNV-1a of the outputs chained into
 * *hash in head-step order, events added to *ev, then the pruning after the
 * layer (not after the last). Inputs must already be range-checked.
 * Returns -1 with a message when out of memory. */
int sp_run_layer(const sp_config *cfg, const sp_layer_in *in, sp_layer_state *st, int16_t *out,
                 uint64_t *hash, sp_events *ev, char *err, size_t errlen);
#endif
