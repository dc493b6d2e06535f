/* ref.h - independent reference code for the unit tests: a double-precision
 * version of the attention algorithm (float softmax, no quantization), the
 * spec formulas written a second way (long double / sorting instead of the
 * model's integer tricks), and small test helpers. Linked into every test. */
#ifndef SP_TEST_REF_H
#define SP_TEST_REF_H
#include <check.h>
#include <stdint.h>
#include "spattn.h"

/* 1 when the sanitizer run is active (env SP_SANITIZE=1, set by the top
 * Makefile for `make test-san`); exhaustive loops stride by ref_stride()
 * there to stay within the time budget. */
int ref_sanitize(void);
/* stride for exhaustive loops: 1 normally, `san` in the sanitizer run */
uint32_t ref_stride(uint32_t san);

/* spec s5: LUT[i] = round(2^15 * 2^(-i/256)), in long double */
uint32_t ref_exp_lut(int i);
/* spec s7: keep(n, r16) = 0 if n = 0, else max(1, floor(n * r16 / 65536)),
 * computed in double (exact: n * r16 < 2^53) */
uint32_t ref_keep(uint32_t n, uint32_t r16);
/* round half up of x / 2^s (s <= 62), by Euclidean division and the
 * remainder, not by shifting */
int64_t ref_rnd(int64_t x, int s);
/* spec s4 multiplier/shift for a real factor c, searched downward: S the
 * first of 62, 61, ..., 0 with round(c 2^S) <= 65535, M = max(1,
 * round(c 2^S)) (long double). -1 when c is not > 0 or finite, or no S. */
int ref_mult_shift(double c, uint32_t *m, int *s);
/* spec s9: what one head-step adds to the head importance, rnd(sum_d
 * |out[d]| * M, S) with M, S of c = sv * 2^8; -1 when sv gives no M, S */
int64_t ref_head_imp(const int16_t *out, int d, double sv);
/* saturate to signed bits via explicit bounds */
int64_t ref_sat(int64_t x, int bits);

/* Sort-based top-k: sort (key desc, position asc), take k (clamped to
 * 0..n), then write the idx[] of the kept positions in ascending order.
 * Returns the number kept. */
int ref_topk(const uint64_t *key, const int32_t *idx, int n, int k, int32_t *kept);

/* Double-precision head step on the trace's full-width integers and float
 * scales: logit_t = sq * sk * (q . k_t) / sqrt(d), p = softmax(logit) over
 * tokens[0..n), out[j] = sum_t p_t * v_t[j] over all n tokens (no value
 * pruning), in the integer units of v. p has n entries, out has d. */
void ref_head(const sp_trace *tr, int layer, int head, const int16_t *q, const int32_t *tokens,
              int n, double *p, double *out);

/* Generates a synthetic trace from a "synth:..." spec for the given
 * algorithm config; fails the current test on error. */
void ref_synth(const char *spec, const sp_alg_cfg *alg, sp_trace *t);

/* Sets a ratio field pair (Q16 + double) the way the loader would. */
void ref_set_ratio(uint32_t *q16, double *real, double r);
void ref_set_tau(sp_alg_cfg *a, double tau);

/* Runs the suite with CK_NORMAL output (prints the
 * "100%: Checks: N, Failures: 0, Errors: 0" line); returns the exit status
 * for main: 0 when every check passed, 1 otherwise. */
int ref_run_suite(Suite *s);
#endif
