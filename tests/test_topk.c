/* test_topk.c - the top-k engine and keep counts (docs/spec.md s7).
 * The kept set is checked against a sort-based reference (ref_topk) on
 * random arrays with many ties and zeros; rounds, compares and cycles are
 * checked against a second, list-based walk of the spec's quick-select
 * written here, and against loose invariants that hold whatever the pivot
 * rule. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ref.h"

/* Spec s7 step by step on position lists; returns the stats only. */
static sp_topk_stats spec_walk(const uint64_t *key, int n, int k, uint32_t C, uint32_t ovh)
{
    sp_topk_stats s = {0, 0, 0, 0};
    if (k > n)
        k = n;
    if (k < 0)
        k = 0;
    s.cycles = ((uint32_t)n + C - 1) / C;
    int *cand = malloc(sizeof(int) * (size_t)(n + 1)), *nxt = malloc(sizeof(int) * (size_t)(n + 1));
    ck_assert_ptr_nonnull(cand);
    ck_assert_ptr_nonnull(nxt);
    int nc = 0;
    for (int i = 0; i < n; i++)
        if (key[i] != 0)
            cand[nc++] = i;
    s.zeros_removed = (uint32_t)(n - nc);
    if (nc >= k) {
        int need = k;
        for (;;) {
            if (need == 0 || need == nc)
                break;
            int piv = cand[nc / 2], ng = 0, nl = 0;
            /* G: before the pivot in (key desc, index asc); L: after */
            for (int i = 0; i < nc; i++) {
                int e = cand[i];
                if (e == piv)
                    continue;
                if (key[e] > key[piv] || (key[e] == key[piv] && e < piv))
                    ng++;
            }
            int *g = nxt, *l = nxt + ng;
            for (int i = 0; i < nc; i++) {
                int e = cand[i];
                if (e == piv)
                    continue;
                if (key[e] > key[piv] || (key[e] == key[piv] && e < piv))
                    *g++ = e;
                else
                    l[nl++] = e;
            }
            s.rounds++;
            s.compares += (uint32_t)(nc - 1);
            s.cycles += ((uint32_t)nc + C - 1) / C + ovh;
            if (ng >= need) {
                memcpy(cand, nxt, sizeof(int) * (size_t)ng);
                nc = ng;
            } else if (ng + 1 == need) {
                break;
            } else {
                need -= ng + 1;
                memcpy(cand, nxt + ng, sizeof(int) * (size_t)nl);
                nc = nl;
            }
        }
    }
    free(cand);
    free(nxt);
    return s;
}

/* One random case; returns nothing, aborts the test on mismatch. */
static void check_case(const uint64_t *key, const int32_t *idx, int n, int k, int C, int ovh, int trial)
{
    int32_t kept[512], want[512];
    sp_topk_stats st;
    memset(&st, 0xa5, sizeof st);
    int nk = sp_topk(key, idx, n, k, C, ovh, kept, &st);
    int nw = ref_topk(key, idx, n, k, want);
    if (nk != nw)
        ck_abort_msg("trial %d n=%d k=%d: kept %d, want %d", trial, n, k, nk, nw);
    for (int i = 0; i < nk; i++)
        if (kept[i] != want[i])
            ck_abort_msg("trial %d n=%d k=%d C=%d: kept[%d] = %d, want %d", trial, n, k, C, i, kept[i], want[i]);
    sp_topk_stats w = spec_walk(key, n, k, (uint32_t)C, (uint32_t)ovh);
    if (st.rounds != w.rounds || st.compares != w.compares || st.cycles != w.cycles ||
        st.zeros_removed != w.zeros_removed)
        ck_abort_msg("trial %d n=%d k=%d C=%d: stats (r %u, cmp %u, cyc %u, z %u), spec walk (r %u, cmp %u, cyc %u, z %u)",
                     trial, n, k, C, st.rounds, st.compares, st.cycles, st.zeros_removed, w.rounds, w.compares,
                     w.cycles, w.zeros_removed);
    /* invariants independent of the pivot rule */
    int nz = 0;
    for (int i = 0; i < n; i++)
        nz += key[i] != 0;
    int kc = k > n ? n : (k < 0 ? 0 : k);
    uint32_t zpass = (uint32_t)((n + C - 1) / C);
    if (st.zeros_removed != (uint32_t)(n - nz))
        ck_abort_msg("trial %d: zeros_removed %u, want %d", trial, st.zeros_removed, n - nz);
    if (st.cycles < zpass || st.cycles < zpass + st.rounds * (uint32_t)(ovh + 1))
        ck_abort_msg("trial %d: cycles %u below ceil(n/C) + rounds * (overhead + 1)", trial, st.cycles);
    if (kc > 0 && kc < nz && st.rounds < 1)
        ck_abort_msg("trial %d: 0 < k=%d < nz=%d needs a round", trial, kc, nz);
    if ((kc == 0 || kc >= nz) && st.rounds != 0)
        ck_abort_msg("trial %d: k=%d nz=%d needs no quick-select round, got %u", trial, kc, nz, st.rounds);
    /* each round removes at least the pivot from the candidates */
    if (st.rounds > (uint32_t)nz)
        ck_abort_msg("trial %d: %u rounds for %d candidates", trial, st.rounds, nz);
    if (st.compares > (uint32_t)nz * (uint32_t)nz)
        ck_abort_msg("trial %d: %u compares for %d candidates", trial, st.compares, nz);
    if (st.rounds == 0 && st.cycles != zpass)
        ck_abort_msg("trial %d: no round but cycles %u != %u", trial, st.cycles, zpass);
}

START_TEST(random_vs_sort)
{
    sp_rng r;
    sp_rng_seed(&r, 2021);
    uint64_t key[512];
    int32_t idx[512];
    int trials = ref_sanitize() ? 12000 : 40000;
    int count_nz_lt_k = 0, count_rounds = 0;
    for (int t = 0; t < trials; t++) {
        int n = (int)(sp_rng_next(&r) % (t % 50 == 0 ? 512u : 80u));
        /* alphabets: {0,1}, {0..3}, {0..15}, wide 48-bit, and mostly zero */
        int kind = t % 5;
        for (int i = 0; i < n; i++) {
            uint64_t u = sp_rng_next(&r);
            switch (kind) {
            case 0: key[i] = u & 1; break;
            case 1: key[i] = u & 3; break;
            case 2: key[i] = u & 15; break;
            case 3: key[i] = (u >> 16) & ((UINT64_C(1) << 48) - 1); break;
            default: key[i] = (u % 8 == 0) ? (u >> 60) + 1 : 0; break;
            }
        }
        /* strictly ascending, gapped indexes */
        int32_t x = (int32_t)(sp_rng_next(&r) % 5);
        for (int i = 0; i < n; i++) {
            idx[i] = x;
            x += 1 + (int32_t)(sp_rng_next(&r) % 3);
        }
        int k;
        switch (t % 7) {
        case 0: k = 0; break;
        case 1: k = 1; break;
        case 2: k = n; break;
        case 3: k = n + 3; break; /* clamped to n */
        default: k = n ? (int)(sp_rng_next(&r) % (uint64_t)(n + 1)) : 0; break;
        }
        int C = 1 + (int)(sp_rng_next(&r) % 32), ovh = (int)(sp_rng_next(&r) % 4);
        check_case(key, idx, n, k, C, ovh, t);
        int nz = 0;
        for (int i = 0; i < n; i++)
            nz += key[i] != 0;
        count_nz_lt_k += nz < (k > n ? n : k);
        count_rounds += k > 0 && k < nz;
    }
    /* the generator covers both zero-eliminator branches */
    ck_assert_int_gt(count_nz_lt_k, trials / 10);
    ck_assert_int_gt(count_rounds, trials / 4);
}
END_TEST

START_TEST(small_exact_cases)
{
    uint64_t key[8] = {5, 0, 5, 7, 0, 1, 5, 7};
    int32_t idx[8] = {0, 1, 2, 3, 4, 5, 6, 7}, kept[8];
    sp_topk_stats st;
    /* order: 3(7) 7(7) 0(5) 2(5) 6(5) 5(1) 1(0) 4(0) */
    ck_assert_int_eq(sp_topk(key, idx, 8, 3, 16, 2, kept, &st), 3);
    ck_assert_int_eq(kept[0], 0);
    ck_assert_int_eq(kept[1], 3);
    ck_assert_int_eq(kept[2], 7);
    ck_assert_uint_eq(st.zeros_removed, 2);
    /* cand = positions 0,2,3,5,6,7. Round 1: pivot cand[3] = position 5
     * (key 1, last): G = 0,2,3,6,7 >= need 3 -> cand = G. Round 2: pivot
     * cand[2] = 3 (key 7, first): G = {}, keep 3, need 2, cand = L =
     * 0,2,6,7. Round 3: pivot cand[2] = 6: G = 0,2,7 -> cand = G. Round 4:
     * pivot cand[1] = 2: G = 0,7 = need -> cand = G; need == |cand| keeps
     * 0 and 7 without a round. */
    ck_assert_uint_eq(st.rounds, 4);
    ck_assert_uint_eq(st.compares, 5 + 4 + 3 + 2);
    ck_assert_uint_eq(st.cycles, 1 + 4 * (1 + 2));
    /* nz < k: all non-zeros then the first zeros by index */
    ck_assert_int_eq(sp_topk(key, idx, 8, 7, 4, 2, kept, &st), 7);
    int32_t want7[7] = {0, 1, 2, 3, 5, 6, 7};
    for (int i = 0; i < 7; i++)
        ck_assert_int_eq(kept[i], want7[i]);
    ck_assert_uint_eq(st.rounds, 0);
    ck_assert_uint_eq(st.cycles, 2);
    /* all zero keys: the first k by index */
    uint64_t z[5] = {0, 0, 0, 0, 0};
    ck_assert_int_eq(sp_topk(z, idx, 5, 2, 1, 2, kept, &st), 2);
    ck_assert_int_eq(kept[0], 0);
    ck_assert_int_eq(kept[1], 1);
    ck_assert_uint_eq(st.cycles, 5);
    /* n = 0, k < 0 */
    ck_assert_int_eq(sp_topk(key, idx, 0, 3, 16, 2, kept, &st), 0);
    ck_assert_uint_eq(st.cycles, 0);
    ck_assert_int_eq(sp_topk(key, idx, 8, -1, 16, 2, kept, NULL), 0);
}
END_TEST

START_TEST(keep_count_all_n)
{
    uint32_t ratios[] = {0, 1, 2, 3277, 6554, 13107, 19661, 32768, 45875, 58982, 62259, 65535, 65536};
    for (size_t i = 0; i < sizeof ratios / sizeof ratios[0]; i++)
        for (uint32_t n = 0; n <= SP_MAX_TOKENS; n++) {
            uint32_t got = sp_keep_count(n, ratios[i]), want = ref_keep(n, ratios[i]);
            if (got != want)
                ck_abort_msg("keep(%u, %u) = %u, want %u", n, ratios[i], got, want);
            if (n > 0 && (got < 1 || got > n))
                ck_abort_msg("keep(%u, %u) = %u out of 1..n", n, ratios[i], got);
        }
    /* ratio 1.0 keeps everything; the config rounds ratios to nearest */
    ck_assert_uint_eq(sp_keep_count(1000, 65536), 1000);
    ck_assert_uint_eq(sp_keep_count(1000, 0), 1);
    ck_assert_uint_eq(sp_keep_count(10, sp_ratio_q16(0.9)), 9); /* 10 * 58982 / 65536 = 8.99 -> 9 */
    ck_assert_uint_eq(sp_keep_count(12, sp_ratio_q16(0.9)), 11); /* 10.8 -> 11 */
    ck_assert_uint_eq(sp_keep_count(3, sp_ratio_q16(0.5)), 2);  /* 1.5 -> 2: halves up */
    ck_assert_uint_eq(sp_ratio_q16(0.9), 58982);
    ck_assert_uint_eq(sp_ratio_q16(1.0), 65536);
    ck_assert_uint_eq(sp_ratio_q16(0.0), 0);
    /* r16 = round(r * 65536) over a fine grid, exact halves included */
    for (uint32_t i = 0; i <= 1000000; i++) {
        double rr = i / 1000000.0;
        uint32_t want = (uint32_t)floor(rr * 65536.0 + 0.5);
        if (sp_ratio_q16(rr) != want)
            ck_abort_msg("ratio_q16(%.6f) = %u, want %u", rr, sp_ratio_q16(rr), want);
    }
    for (uint32_t j = 0; j < 65536; j++) {
        double rr = (2.0 * j + 1.0) / 131072.0; /* exactly half way: rounds up */
        ck_assert_uint_eq(sp_ratio_q16(rr), j + 1);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("topk");
    TCase *tc = tcase_create("topk");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, random_vs_sort);
    tcase_add_test(tc, small_exact_cases);
    tcase_add_test(tc, keep_count_all_n);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
