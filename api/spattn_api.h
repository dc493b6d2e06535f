/* spattn_api.h - C API of libspattn.so: one attention layer of the C model
 * at a time, for callers that run the rest of a model themselves (the
 * Python binding python/spattn.py, the closed-loop evaluation in eval/).
 *
 * A layer call is bit-exact with `spattn run`: the same head-steps,
 * importance updates and cascade pruning (cmodel/controller.c), so calling
 * layers 0..L-1 (in decode: for each iteration, after spattn_state_append)
 * gives the outputs, outputs hash and event counts of sp_run_model on the
 * same q/k/v (docs/spec.md s10, s13).
 *
 * Handles are opaque. A spattn_cfg is read-only during layer calls and may
 * be shared by threads; a spattn_state belongs to one thread at a time.
 * There is no global state. Every constructor takes SPATTN_API_VERSION and
 * fails when the library does not implement that version.
 * Return values: 0 (or a count) on success, -1 on error; the message is in
 * the err buffer given, or spattn_cfg_error / spattn_state_error. */
#ifndef SPATTN_API_H
#define SPATTN_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPATTN_API_VERSION 2

#define SPATTN_DECODE 0  /* one query row per head and iteration */
#define SPATTN_ENCODER 1 /* every active token is a query row */

/* FNV-1a 64 offset basis: the start value of the outputs hash */
#define SPATTN_HASH_INIT UINT64_C(0xcbf29ce484222325)

typedef struct spattn_cfg spattn_cfg;
typedef struct spattn_state spattn_state;

/* The API version this library implements, and the library's version. */
int spattn_api_version(void);
const char *spattn_version(void);

/* Config: a YAML file (docs/config.md) or, with yaml_path NULL, the
 * built-in defaults (configs/paper.yaml's values). */
spattn_cfg *spattn_cfg_new(int api_version, const char *yaml_path, char *err, size_t errlen);
void spattn_cfg_free(spattn_cfg *c);
/* Sets one numeric key by path ("algorithm.token_keep") and re-checks the
 * whole config's ranges; on error the config is unchanged. */
int spattn_cfg_set(spattn_cfg *c, const char *key, double value, char *err, size_t errlen);
int spattn_cfg_get(const spattn_cfg *c, const char *key, double *value);

/* Pruning state of one model run: layers x heads, token ids 0..cap-1.
 * Every layer starts with tokens 0..ctx-1 and all heads active, importances
 * zero. Encoder: ctx = cap. Decode: cap = ctx + iterations. */
spattn_state *spattn_state_new(int api_version, int mode, int layers, int heads, int d, int ctx, int cap,
                               char *err, size_t errlen);
void spattn_state_free(spattn_state *s);
const char *spattn_state_error(const spattn_state *s);
/* Decode: appends the next token id to every layer's active set (the start
 * of an iteration); returns the new id. */
int spattn_state_append(spattn_state *s);
/* Tokens present so far (ctx + appended): k and v rows a layer call needs. */
int spattn_state_ntok(const spattn_state *s);
/* Active tokens / heads of a layer, ascending, into buf (room for cap /
 * heads); returns the count. */
int spattn_state_tokens(const spattn_state *s, int layer, int32_t *buf);
int spattn_state_heads(const spattn_state *s, int layer, int32_t *buf);
/* Replace a layer's active set: ascending, unique, below cap (tokens, and
 * present) or heads. Callers keep the sets nested (docs/spec.md s10). */
int spattn_state_set_tokens(spattn_state *s, int layer, const int32_t *list, int n);
int spattn_state_set_heads(spattn_state *s, int layer, const int32_t *list, int n);
/* Accumulated importances (48-bit saturating): tok [cap], head [heads];
 * either pointer may be NULL. */
void spattn_state_importance(const spattn_state *s, uint64_t *tok, uint64_t *head);
int spattn_state_set_importance(spattn_state *s, const uint64_t *tok, const uint64_t *head);

/* Event counters of a layer call: names and order of events[]. */
int spattn_event_count(void);
const char *spattn_event_name(int i);

/* One layer (0..layers-1, in order within an iteration):
 * q: [heads][rows][d] with rows = ntok (encoder: the row of token t is row t)
 *    or 1 (decode); k, v: [heads][ntok][d], row t = token t, ntok =
 *    spattn_state_ntok(); signed integers of q_bits, k_bits, v_bits bits
 *    that must also fit the config's widths (q_bits, k_msb+k_lsb, v_msb+v_lsb);
 * sq, sk, sv: [heads] scales (real = integer x scale) of q, k and v (sv
 *    sets the head importance's unit, docs/spec.md s9);
 * out: [heads][rows][d], written for the active heads' active rows, zero
 *    elsewhere; in the units of v (real = out x sv);
 * events: [spattn_event_count()] this layer's counts (may be NULL);
 * hash: FNV-1a 64 chained over the outputs in head-step order (docs/spec.md
 *    s13; start from SPATTN_HASH_INIT; may be NULL).
 * The state's sets and importances are updated (pruning after the layer). */
int spattn_layer(const spattn_cfg *c, spattn_state *s, int layer, const int16_t *q, const int16_t *k,
                 const int16_t *v, const float *sq, const float *sk, const float *sv, int q_bits, int k_bits, int v_bits,
                 int16_t *out, uint64_t *events, uint64_t *hash);

#ifdef __cplusplus
}
#endif
#endif
