/* test_defs.c - the constants shared by C, C++ and Verilog (defs/spattn.defs,
 * generated into build/gen/sp_defs.h and sp_defs.vh by build/gen/gen_defs):
 * the generated files are up to date, both list exactly the constants of the
 * definitions file in its order with the same values (and the Verilog one
 * with its group's width), the address map they give is the one docs/rtl.md
 * s2 draws, and bad definitions are refused (exit 2, "file:line:", nothing
 * written). */
#include <check.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cliutil.h"
#include "ref.h"
#include "spattn.h"

#define GEN "build/gen/gen_defs"
#define DEFS "defs/spattn.defs"
#define OUT_H "build/gen/sp_defs.h"
#define OUT_VH "build/gen/sp_defs.vh"
#define MAXC 256

static char tmpdir[] = "/tmp/sp_test_defs_XXXXXX";

typedef struct {
    char name[64];
    long long value;
    int width; /* Verilog: 0 unsized */
} cdef;

/* "#define SP_NAME VALUE /" lines of the C header, in order */
static int read_h(const char *path, cdef *d)
{
    char *text = cu_slurp(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    int n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "#define SP_", 11) != 0 || strncmp(line, "#define SP_DEFS_H", 17) == 0)
            continue;
        ck_assert_int_lt(n, MAXC);
        char rest[8];
        int k = sscanf(line, "#define SP_%63s %lld %7s", d[n].name, &d[n].value, rest);
        ck_assert_msg(k == 3 && strcmp(rest, "/*") == 0, "%s: odd line '%s'", path, line);
        d[n].width = 0;
        n++;
    }
    free(text);
    return n;
}

/* "`define SP_NAME VALUE" or "`define SP_NAME W'dVALUE" lines of the include */
static int read_vh(const char *path, cdef *d)
{
    char *text = cu_slurp(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    int n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "`define SP_", 11) != 0 || strncmp(line, "`define SP_DEFS_VH", 18) == 0)
            continue;
        ck_assert_int_lt(n, MAXC);
        char val[64];
        int k = sscanf(line, "`define SP_%63s %63s", d[n].name, val);
        ck_assert_msg(k == 2, "%s: odd line '%s'", path, line);
        char *tick = strchr(val, '\'');
        d[n].width = 0;
        if (tick) {
            ck_assert_msg(tick[1] == 'd', "%s: '%s' is not W'dV", path, line);
            d[n].width = atoi(val);
            d[n].value = atoll(tick + 2);
        } else {
            d[n].value = atoll(val);
        }
        n++;
    }
    free(text);
    return n;
}

typedef struct {
    char name[64];
    char expr[256];
    char width[64]; /* the group's width expression ("" for none) */
} sdef;

/* the definitions file read here on its own (not with the generator's
 * parser): names, value texts and group widths, in order */
static int read_defs(const char *path, sdef *d)
{
    char *text = cu_slurp(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    int n = 0;
    char width[64] = "";
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        while (*line == ' ')
            line++;
        if (*line == '[') {
            char *w = strstr(strrchr(line, ']'), "width");
            width[0] = 0;
            if (w)
                sscanf(w + 5, " %63s", width);
            continue;
        }
        if (!isupper((unsigned char)*line))
            continue;
        ck_assert_int_lt(n, MAXC);
        char *hash = strchr(line, '#');
        ck_assert_ptr_nonnull(hash);
        *hash = 0;
        ck_assert_int_eq(sscanf(line, "%63s", d[n].name), 1);
        char *e = line + strlen(d[n].name);
        while (*e == ' ')
            e++;
        size_t el = strlen(e);
        while (el && e[el - 1] == ' ')
            e[--el] = 0;
        snprintf(d[n].expr, sizeof d[n].expr, "%s", e);
        snprintf(d[n].width, sizeof d[n].width, "%s", width);
        n++;
    }
    free(text);
    return n;
}

static const cdef *find(const cdef *d, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(d[i].name, name) == 0)
            return &d[i];
    return NULL;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

START_TEST(generated_files_current)
{
    /* build/gen holds what the generator writes from the definitions now */
    char h[300], vh[300], args[700], err[1024];
    snprintf(h, sizeof h, "%s/a.h", tmpdir);
    snprintf(vh, sizeof vh, "%s/a.vh", tmpdir);
    snprintf(args, sizeof args, "%s %s %s", DEFS, h, vh);
    ck_assert_int_eq(cu_run(GEN, args, tmpdir, NULL, 0, err, sizeof err), 0);
    const char *pairs[2][2] = {{h, OUT_H}, {vh, OUT_VH}};
    for (int i = 0; i < 2; i++) {
        size_t la, lb;
        char *a = cu_slurp(pairs[i][0], &la), *b = cu_slurp(pairs[i][1], &lb);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        ck_assert_msg(la == lb && memcmp(a, b, la) == 0, "%s is stale (make gen-defs)", pairs[i][1]);
        free(a);
        free(b);
    }
}
END_TEST

START_TEST(outputs_match_definitions)
{
    static sdef s[MAXC];
    static cdef c[MAXC], v[MAXC];
    int ns = read_defs(DEFS, s), nc = read_h(OUT_H, c), nv = read_vh(OUT_VH, v);
    ck_assert_int_gt(ns, 40);
    ck_assert_int_eq(nc, ns);
    ck_assert_int_eq(nv, ns);
    for (int i = 0; i < ns; i++) {
        ck_assert_str_eq(c[i].name, s[i].name);
        ck_assert_str_eq(v[i].name, s[i].name);
        ck_assert_msg(c[i].value == v[i].value, "SP_%s: C %lld, Verilog %lld", s[i].name, c[i].value, v[i].value);
        if (all_digits(s[i].expr))
            ck_assert_msg(c[i].value == atoll(s[i].expr), "SP_%s = %lld, defined as %s", s[i].name, c[i].value,
                          s[i].expr);
        long long w = 0;
        if (s[i].width[0]) {
            const cdef *wd = all_digits(s[i].width) ? NULL : find(c, nc, s[i].width);
            w = wd ? wd->value : atoll(s[i].width);
            ck_assert_msg(w > 0, "group width '%s' of %s", s[i].width, s[i].name);
        }
        ck_assert_msg(v[i].width == w, "SP_%s: Verilog width %d, group width %lld", s[i].name, v[i].width, w);
        if (w)
            ck_assert_msg(v[i].value < (1LL << w), "SP_%s = %lld wider than %lld bits", s[i].name, v[i].value, w);
    }
}
END_TEST

/* the address map of docs/rtl.md s2, bit by bit:
 * {2'b0, region[2:0], layer[5:0], head[5:0], index[13:4], beat[3:0] ^ swz, index[3:0], 5'b0},
 * swz = {region[0], head[1:0], 1'b0} */
static uint64_t doc_addr(unsigned region, unsigned layer, unsigned head, unsigned index, unsigned beat)
{
    uint64_t a = 0;
    a = (a << 3) | region;
    a = (a << 6) | layer;
    a = (a << 6) | head;
    a = (a << 10) | (index >> 4);
    a = (a << 4) | (beat ^ ((region & 1) << 3 | (head & 3) << 1));
    a = (a << 4) | (index & 15);
    return a << 5;
}

static uint64_t gen_addr(unsigned region, unsigned layer, unsigned head, unsigned index, unsigned beat)
{
    return ((uint64_t)region << SP_ADDR_REGION_SHIFT) | ((uint64_t)layer << SP_ADDR_LAYER_SHIFT) |
           ((uint64_t)head << SP_ADDR_HEAD_SHIFT) | ((uint64_t)(index >> SP_ADDR_IDX_LO_BITS) << SP_ADDR_IDX_HI_SHIFT) |
           ((uint64_t)(beat ^ (((region & 1u) << SP_ADDR_SWZ_HEAD_BITS | (head & ((1u << SP_ADDR_SWZ_HEAD_BITS) - 1)))
                           << SP_ADDR_SWZ_SHIFT)) << SP_ADDR_BEAT_FIELD_SHIFT) |
           ((uint64_t)(index & ((1u << SP_ADDR_IDX_LO_BITS) - 1)) << SP_ADDR_IDX_LO_SHIFT);
}

START_TEST(address_map_as_documented)
{
    ck_assert_int_eq(SP_ADDR_BITS, 40);
    ck_assert_int_eq(SP_ADDR_BEAT_BYTES, 32);
    ck_assert_int_eq(SP_ADDR_PAD_BITS + SP_ADDR_REGION_SHIFT + SP_ADDR_REGION_BITS, SP_ADDR_BITS);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned region = (unsigned)(x % 7), layer = (unsigned)(x >> 3) & 63, head = (unsigned)(x >> 9) & 63;
        unsigned index = (unsigned)(x >> 15) % SP_MAX_TOKENS, beat = (unsigned)(x >> 30) & 15;
        ck_assert_uint_eq(gen_addr(region, layer, head, index, beat), doc_addr(region, layer, head, index, beat));
    }
    /* the regions and observation kinds docs/rtl.md s2 and s4 number */
    ck_assert_int_eq(SP_REGION_SCALE, 0);
    ck_assert_int_eq(SP_REGION_Q, 1);
    ck_assert_int_eq(SP_REGION_K_MSB, 2);
    ck_assert_int_eq(SP_REGION_V_LSB, 5);
    ck_assert_int_eq(SP_REGION_OUT, 6);
    ck_assert_int_eq(SP_OBS_PROB, 1);
    ck_assert_int_eq(SP_OBS_OUT, 4);
    ck_assert_int_eq(SP_OBS_HEAD_END, 11);
}
END_TEST

START_TEST(rtl_buffer_rows)
{
    /* largest power of two of rows, capped at SP_MAX_TOKENS; 0 when none fits */
    ck_assert_uint_eq(sp_rtl_buf_rows(32768, 64, 12), 256);  /* 341 rows fit */
    ck_assert_uint_eq(sp_rtl_buf_rows(196608, 64, 12), 2048); /* exactly 2048 */
    ck_assert_uint_eq(sp_rtl_buf_rows(196607, 64, 12), 1024);
    ck_assert_uint_eq(sp_rtl_buf_rows(1 << 30, 8, 8), SP_MAX_TOKENS);
    ck_assert_uint_eq(sp_rtl_buf_rows(95, 64, 12), 0);
    ck_assert_uint_eq(sp_rtl_buf_rows(96, 64, 12), 1);
    ck_assert_uint_eq(sp_rtl_buf_rows(1000, 0, 12), 0);
}
END_TEST

/* one bad definitions file: exit 2, one stderr line naming file:line and
 * WANT, neither output written */
static void bad(const char *text, int line, const char *want)
{
    char defs[300], h[300], vh[300], args[1000], where[400];
    snprintf(defs, sizeof defs, "%s/bad.defs", tmpdir);
    snprintf(h, sizeof h, "%s/bad.h", tmpdir);
    snprintf(vh, sizeof vh, "%s/bad.vh", tmpdir);
    cu_write_file(defs, text);
    snprintf(args, sizeof args, "%s %s %s", defs, h, vh);
    cu_expect_bad(GEN, args, tmpdir, h, want);
    ck_assert_msg(!cu_exists(vh), "%s left behind", vh);
    snprintf(where, sizeof where, "%s:%d: ", defs, line);
    cu_expect_bad(GEN, args, tmpdir, h, where);
}

START_TEST(bad_definitions)
{
    bad("[g]\nA 1 # a\nA 2 # again\n", 3, "A defined twice");
    bad("[g]\nA B + 1 # a\n", 2, "'B' is not defined above this line");
    bad("[g]\nA 1\n", 2, "missing '# comment'");
    bad("[g]\nA 1 #\n", 2, "comment missing");
    bad("A 1 # before any group\n", 1, "before the first [group]");
    bad("[g] width 3\nA 8 # too wide\n", 2, "does not fit the group's 3 bits");
    bad("[g]\nA 1 << 31 # too large\n", 2, "out of 0..2^31-1");
    bad("[g]\nA 1 - 2 # negative\n", 2, "out of 0..2^31-1");
    bad("[g]\nA 1 # a\nrequire A > 1 # must be big\n", 3, "requirement fails");
    bad("[g]\nA (1 + 2 # unbalanced\n", 2, "expected ')'");
    bad("[g]\nA 0x10 # hex\n", 2, "bad number");
    bad("[g]\nA 7 / 2 # inexact\n", 2, "not exact");
    bad("[g]\nSP_A 1 # prefixed\n", 2, "without the SP_ prefix");
    bad("[g]\nA 1 # a */ b\n", 2, "must not contain");
    bad("[g] depth 3\nA 1 # a\n", 1, "only 'width EXPR'");
    bad("# nothing\n", 1, "no constants defined");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("defs");
    TCase *tc = tcase_create("defs");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, generated_files_current);
    tcase_add_test(tc, outputs_match_definitions);
    tcase_add_test(tc, address_map_as_documented);
    tcase_add_test(tc, rtl_buffer_rows);
    tcase_add_test(tc, bad_definitions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    return cu_run_suite(suite(), "test_defs", tmpdir);
}
