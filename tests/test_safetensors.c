/* test_safetensors.c - the safetensors container (traces/safetensors.c):
 * round trip of every dtype and of escaped metadata, deterministic bytes,
 * the malformed corpus in tests/bad/traces/ (exact error lines), and
 * truncation / byte-flip fuzzing of a valid image (run under ASan by
 * `make test-san`, so any over-read fails the test). */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "ref.h"
#include "safetensors.h"

static char tmpdir[64];

static void mk_tmp(void)
{
    strcpy(tmpdir, "/tmp/sp_st_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_tmp(void)
{
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d)))
            if (e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..")))
                snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name), remove(p);
        closedir(d);
    }
    rmdir(tmpdir);
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)sz + 1);
    ck_assert_int_eq(fread(b, 1, (size_t)sz, f), (size_t)sz);
    fclose(f);
    *n = (size_t)sz;
    return b;
}

/* a fixed set of tensors of several dtypes */
static int16_t a_i16[2 * 3] = {-32768, -1, 0, 1, 2, 32767};
static float a_f32[4] = {0.5f, -1.25f, 3.0e-7f, 1e30f};
static uint8_t a_u8[1] = {200};
static int64_t a_i64[2] = {-5, 1234567890123LL};
static sp_st_out outs[5] = {
    {"weights.i16", SP_ST_I16, 2, {2, 3}, a_i16},
    {"f", SP_ST_F32, 1, {4}, a_f32},
    {"scalar", SP_ST_U8, 0, {0}, a_u8},
    {"empty", SP_ST_BF16, 2, {3, 0}, NULL},
    {"z64", SP_ST_I64, 1, {2}, a_i64},
};
static sp_st_meta_kv meta[3] = {
    {"model", "m \"quoted\" \\ back\nslash\t\x01"},
    {"format", "x"},
    {"ctx", "12"},
};

START_TEST(roundtrip)
{
    mk_tmp();
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/a.safetensors", tmpdir);
    ck_assert_msg(sp_st_write(path, outs, 5, meta, 3, err, sizeof err) == 0, "%s", err);
    sp_st_file f;
    ck_assert_msg(sp_st_read(path, &f, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(f.n_tensors, 5);
    ck_assert_int_eq(f.n_meta, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_str_eq(sp_st_meta(&f, meta[i].key), meta[i].val);
    for (int i = 0; i < 5; i++) {
        const sp_st_tensor *t = sp_st_find(&f, outs[i].name);
        ck_assert_ptr_nonnull(t);
        ck_assert_int_eq(t->dtype, outs[i].dtype);
        ck_assert_int_eq(t->ndim, outs[i].ndim);
        uint64_t n = 1;
        for (int j = 0; j < t->ndim; j++) {
            ck_assert_uint_eq(t->shape[j], outs[i].shape[j]);
            n *= t->shape[j];
        }
        ck_assert_uint_eq(t->nelem, n);
        ck_assert_uint_eq(t->end - t->begin, n * sp_st_dtype_size(t->dtype));
        if (n)
            ck_assert_int_eq(memcmp(t->data, outs[i].data, (size_t)(t->end - t->begin)), 0);
    }
    ck_assert_ptr_null(sp_st_find(&f, "nope"));
    ck_assert_ptr_null(sp_st_meta(&f, "nope"));
    /* the header is padded so the data starts 8-aligned */
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | f.image[i];
    ck_assert_uint_eq((8 + hlen) % 8, 0);
    ck_assert_int_eq(memcmp(f.image + 8, "{\"__metadata__\":{\"ctx\":\"12\",\"format\":\"x\",", 41), 0);
    sp_st_free(&f);
    rm_tmp();
}
END_TEST

START_TEST(deterministic_bytes)
{
    mk_tmp();
    char p1[128], p2[128], err[512];
    snprintf(p1, sizeof p1, "%s/1.safetensors", tmpdir);
    snprintf(p2, sizeof p2, "%s/2.safetensors", tmpdir);
    sp_st_out rev[5];
    sp_st_meta_kv mrev[3];
    for (int i = 0; i < 5; i++)
        rev[i] = outs[4 - i];
    for (int i = 0; i < 3; i++)
        mrev[i] = meta[2 - i];
    ck_assert_msg(sp_st_write(p1, outs, 5, meta, 3, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(sp_st_write(p2, rev, 5, mrev, 3, err, sizeof err) == 0, "%s", err);
    size_t n1, n2;
    unsigned char *b1 = slurp(p1, &n1), *b2 = slurp(p2, &n2);
    ck_assert_uint_eq(n1, n2);
    ck_assert_int_eq(memcmp(b1, b2, n1), 0);
    /* tensors are laid out in name order */
    sp_st_file f;
    ck_assert_int_eq(sp_st_parse(p1, b1, n1, &f, err, sizeof err), 0);
    const char *order[5] = {"empty", "f", "scalar", "weights.i16", "z64"};
    uint64_t pos = 0;
    for (int i = 0; i < 5; i++) {
        const sp_st_tensor *t = sp_st_find(&f, order[i]);
        ck_assert_uint_eq(t->begin, pos);
        pos = t->end;
    }
    sp_st_free(&f);
    free(b2);
    rm_tmp();
}
END_TEST

START_TEST(write_errors_leave_nothing)
{
    mk_tmp();
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/dup.safetensors", tmpdir);
    sp_st_out dup[2] = {outs[0], outs[0]};
    ck_assert_int_eq(sp_st_write(path, dup, 2, NULL, 0, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "duplicate tensor name 'weights.i16'") != NULL, "%s", err);
    sp_st_meta_kv md[2] = {meta[0], meta[0]};
    ck_assert_int_eq(sp_st_write(path, outs, 1, md, 2, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "duplicate metadata key 'model'") != NULL, "%s", err);
    sp_st_out bad = {"__metadata__", SP_ST_U8, 1, {1}, a_u8};
    ck_assert_int_eq(sp_st_write(path, &bad, 1, NULL, 0, err, sizeof err), -1);
    ck_assert_int_eq(count_files(tmpdir), 0);
    /* directory missing: message names the path, nothing is created */
    ck_assert_int_eq(sp_st_write("/nonexistent-dir/x.safetensors", outs, 1, NULL, 0, err, sizeof err), -1);
    ck_assert_msg(!strncmp(err, "/nonexistent-dir/x.safetensors: cannot create", 45), "%s", err);
    /* an empty file (no tensors, no metadata) is valid */
    ck_assert_int_eq(sp_st_write(path, NULL, 0, NULL, 0, err, sizeof err), 0);
    sp_st_file f;
    ck_assert_msg(sp_st_read(path, &f, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(f.n_tensors, 0);
    ck_assert_uint_eq(f.size, 16);
    sp_st_free(&f);
    rm_tmp();
}
END_TEST

static const struct { const char *file, *msg; } corpus[] = {
    {"empty", "file is 0 bytes, too short for the 8-byte header length"},
    {"short-length", "file is 3 bytes, too short for the 8-byte header length"},
    {"header-past-eof", "header length 1000 runs past the end of the file (10 bytes)"},
    {"huge-header", "header length 1099511627776 exceeds the 104857600-byte limit"},
    {"bad-json", "header is not valid JSON (error near header byte 20)"},
    {"not-object", "header does not start with '{'"},
    {"trailing-bytes", "header has trailing bytes after the JSON object (header byte 3)"},
    {"nul-in-header", "header contains a NUL byte"},
    {"unknown-dtype", "tensor 'a': unknown dtype 'F7'"},
    {"shape-bytes-mismatch", "tensor 'a': shape needs 8 bytes of I16 but data_offsets give 6"},
    {"overlap", "tensor 'b' (bytes 4..12) overlaps the tensor before it"},
    {"gap", "data bytes 8..10 belong to no tensor (gap before 'b')"},
    {"unused-tail", "data bytes 8..12 after the last tensor belong to no tensor"},
    {"offsets-past-end", "tensor 'a': data_offsets [0, 8] run past the 4 data bytes"},
    {"offsets-reversed", "tensor 'a': data_offsets [8, 0] end before begin"},
    {"negative-shape", "tensor 'a': shape[0] is not a non-negative integer"},
    {"fractional-offset", "tensor 'a': data_offsets is not [begin, end] of non-negative integers"},
    {"metadata-not-string", "'__metadata__' value of 'ctx' is not a string"},
    {"duplicate-tensor", "duplicate tensor 'a'"},
    {"duplicate-metadata-key", "'__metadata__' has duplicate key 'a'"},
    {"missing-dtype", "tensor 'a': missing 'dtype'"},
    {"extra-key", "tensor 'a': unknown key 'align'"},
    {"too-many-elements", "tensor 'a': shape has too many elements"},
    {"metadata-escaped-nul", "header has an escaped NUL (\\u0000) in a string at header byte 31"},
    {"metadata-latin1", "header is not valid UTF-8 at header byte 29"},
    {"metadata-surrogate", "header is not valid UTF-8 at header byte 26"},
    {"name-overlong-utf8", "header is not valid UTF-8 at header byte 2"},
};

START_TEST(bad_corpus)
{
    size_t n = sizeof corpus / sizeof corpus[0];
    for (size_t i = 0; i < n; i++) {
        char path[256], want[512], err[512] = "";
        snprintf(path, sizeof path, "tests/bad/traces/%s.safetensors", corpus[i].file);
        snprintf(want, sizeof want, "%s: %s", path, corpus[i].msg);
        sp_st_file f;
        ck_assert_msg(sp_st_read(path, &f, err, sizeof err) == -1, "%s was accepted", path);
        ck_assert_str_eq(err, want);
        ck_assert_ptr_null(f.image);
    }
    char err[512];
    sp_st_file f;
    ck_assert_int_eq(sp_st_read("tests/bad/traces/does-not-exist.safetensors", &f, err, sizeof err), -1);
    ck_assert_str_eq(err, "tests/bad/traces/does-not-exist.safetensors: cannot open: No such file or directory");
    ck_assert_int_eq(sp_st_read("tests/bad/traces", &f, err, sizeof err), -1);
    ck_assert_str_eq(err, "tests/bad/traces: not a regular file (a directory); give a regular file");
    ck_assert_int_eq(sp_st_read("/dev/zero", &f, err, sizeof err), -1);
    ck_assert_str_eq(err, "/dev/zero: not a regular file (a character device); give a regular file");
}
END_TEST

/* a FIFO without a writer is refused at once, before any read (the test's
 * timeout catches an open that blocks) */
START_TEST(fifo_refused)
{
    char dir[] = "/tmp/sp_stf_XXXXXX", path[64], want[160], err[512];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.safetensors", dir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    sp_st_file f;
    ck_assert_int_eq(sp_st_read(path, &f, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: not a regular file (a FIFO); give a regular file", path);
    ck_assert_str_eq(err, want);
    sp_trace t;
    ck_assert_int_eq(sp_trace_read_safetensors(path, &t, err, sizeof err), -1);
    ck_assert_str_eq(err, want);
    remove(path);
    rmdir(dir);
}
END_TEST

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* a 3 GB file (sparse) is judged by its header: a garbage length, or a
 * valid header whose tensors do not cover the file, is refused after
 * reading the 8 + header bytes only (no 3 GB read, no 3 GB of memory) */
START_TEST(big_file_header_first)
{
    char dir[] = "/tmp/sp_stb_XXXXXX", path[64], want[256], err[512];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/big.safetensors", dir);
    const off_t size = 3LL << 30;
    static const struct { const char *head; size_t n; const char *msg; } cases[] = {
        {"garbage!", 8, "header length 2406443243860549991 exceeds the 104857600-byte limit"},
        {"\x02\0\0\0\0\0\0\0[]", 10, "header does not start with '{'"},
        {"\x38\0\0\0\0\0\0\0{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]}}      ", 64,
         "data bytes 8..3221225408 after the last tensor belong to no tensor"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *fp = fopen(path, "wb");
        ck_assert_ptr_nonnull(fp);
        ck_assert_uint_eq(fwrite(cases[i].head, 1, cases[i].n, fp), cases[i].n);
        fclose(fp);
        ck_assert_int_eq(truncate(path, size), 0);
        struct rusage r0, r1;
        getrusage(RUSAGE_SELF, &r0);
        double t0 = now_s();
        sp_st_file f;
        ck_assert_int_eq(sp_st_read(path, &f, err, sizeof err), -1);
        double dt = now_s() - t0;
        getrusage(RUSAGE_SELF, &r1);
        snprintf(want, sizeof want, "%s: %s", path, cases[i].msg);
        ck_assert_str_eq(err, want);
        ck_assert_msg(dt < 1.0, "case %zu took %.2f s", i, dt);
        /* peak resident size grew by less than 64 MB (ru_maxrss is in KB) */
        ck_assert_msg(r1.ru_maxrss - r0.ru_maxrss < 65536, "case %zu: peak RSS grew by %ld KB", i,
                      r1.ru_maxrss - r0.ru_maxrss);
    }
    /* a valid container of 3 GB whose metadata is not a trace's: the trace
     * reader refuses it from the header, before any tensor byte */
    char hdr[256];
    int hl = 0;
    for (int pass = 0; pass < 2; pass++)
        hl = snprintf(hdr, sizeof hdr, "{\"__metadata__\":{\"format\":\"spattn-trace-1\",\"mode\":\"training\"},"
                      "\"q\":{\"dtype\":\"U8\",\"shape\":[%lld],\"data_offsets\":[0,%lld]}}",
                      (long long)(size - 8 - hl), (long long)(size - 8 - hl));
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)((uint64_t)hl >> (8 * i));
    fwrite(len8, 1, 8, fp);
    fwrite(hdr, 1, (size_t)hl, fp);
    fclose(fp);
    ck_assert_int_eq(truncate(path, size), 0);
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    double t0 = now_s();
    sp_trace t;
    ck_assert_int_eq(sp_trace_read_safetensors(path, &t, err, sizeof err), -1);
    double dt = now_s() - t0;
    getrusage(RUSAGE_SELF, &r1);
    snprintf(want, sizeof want, "%s: __metadata__ 'mode' is 'training', expected 'decode' or 'encoder'", path);
    ck_assert_str_eq(err, want);
    ck_assert_msg(dt < 1.0, "trace case took %.2f s", dt);
    ck_assert_msg(r1.ru_maxrss - r0.ru_maxrss < 65536, "trace case: peak RSS grew by %ld KB",
                  r1.ru_maxrss - r0.ru_maxrss);
    remove(path);
    rmdir(dir);
}
END_TEST

/* the escape check reads JSON escapes: an escaped backslash followed by the
 * text "u0000" is a valid string; so are multi-byte UTF-8 characters */
START_TEST(escapes_and_utf8_accepted)
{
    static const char hdr[] = "{\"__metadata__\":{\"a\":\"x\\\\u0000\",\"b\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
                              "\"c\":\"\\u00e9\\\"\"}}";
    size_t hl = sizeof hdr - 1, n = 8 + hl;
    unsigned char *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)hl >> (8 * i));
    memcpy(b + 8, hdr, hl);
    sp_st_file f;
    char err[512];
    ck_assert_msg(sp_st_parse("esc", b, n, &f, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(sp_st_meta(&f, "a"), "x\\u0000");
    ck_assert_str_eq(sp_st_meta(&f, "b"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    ck_assert_str_eq(sp_st_meta(&f, "c"), "\xc3\xa9\"");
    sp_st_free(&f);
}
END_TEST

static unsigned char *valid_image(size_t *n)
{
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/v.safetensors", tmpdir);
    ck_assert_msg(sp_st_write(path, outs, 5, meta, 3, err, sizeof err) == 0, "%s", err);
    return slurp(path, n);
}

/* parse a private exact-size copy, so ASan sees any over-read */
static int parse_copy(const unsigned char *img, size_t n, int *ok_bounds)
{
    unsigned char *b = malloc(n ? n : 1);
    memcpy(b, img, n);
    sp_st_file f;
    char err[512];
    int rc = sp_st_parse("fuzz", b, n, &f, err, sizeof err);
    *ok_bounds = 1;
    if (rc == 0) {
        for (int i = 0; i < f.n_tensors; i++)
            if (f.tensors[i].data < f.image || f.tensors[i].data + (f.tensors[i].end - f.tensors[i].begin) >
                                                   f.image + f.size)
                *ok_bounds = 0;
        sp_st_free(&f);
    } else {
        ck_assert_msg(!strncmp(err, "fuzz: ", 6) && strlen(err) > 7, "bad message '%s'", err);
    }
    return rc;
}

START_TEST(truncation_fuzz)
{
    mk_tmp();
    size_t n;
    unsigned char *img = valid_image(&n);
    int okb;
    ck_assert_int_eq(parse_copy(img, n, &okb), 0);
    for (size_t k = 0; k < n; k++)
        ck_assert_msg(parse_copy(img, k, &okb) == -1, "prefix of %zu bytes accepted", k);
    free(img);
    rm_tmp();
}
END_TEST

START_TEST(byte_flip_fuzz)
{
    mk_tmp();
    size_t n;
    unsigned char *img = valid_image(&n);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | img[i];
    static const unsigned char vals[] = {0x00, '"', '}', '{', '[', ']', ',', ':', '9', '0', '-', ' ',
                                         'e', '.', '\\', 0xff, 0x80};
    int accepted = 0;
    unsigned stride = ref_sanitize() ? 3 : 1;
    for (size_t pos = 0; pos < 8 + hlen; pos += stride)
        for (size_t v = 0; v < sizeof vals; v++) {
            if (img[pos] == vals[v])
                continue;
            unsigned char save = img[pos];
            img[pos] = vals[v];
            int okb;
            if (parse_copy(img, n, &okb) == 0)
                accepted++;
            ck_assert_msg(okb, "flip at %zu to 0x%02x: tensor outside the buffer", pos, vals[v]);
            img[pos] = save;
        }
    /* some flips (inside metadata strings) are harmless; most are not */
    ck_assert_int_gt(accepted, 0);
    free(img);
    rm_tmp();
}
END_TEST

START_TEST(header_length_values)
{
    mk_tmp();
    size_t n;
    unsigned char *img = valid_image(&n);
    uint64_t lens[] = {0, 1, 2, 7, 8, 9, (uint64_t)n - 8, (uint64_t)n - 7, (uint64_t)n, UINT64_MAX,
                       UINT64_MAX - 7, (uint64_t)1 << 63, SP_ST_MAX_HEADER + 1};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        unsigned char save[8];
        memcpy(save, img, 8);
        for (int b = 0; b < 8; b++)
            img[b] = (unsigned char)(lens[i] >> (8 * b));
        int okb;
        ck_assert_msg(parse_copy(img, n, &okb) == -1, "header length %llu accepted",
                      (unsigned long long)lens[i]);
        memcpy(img, save, 8);
    }
    free(img);
    rm_tmp();
}
END_TEST

/* a large header parses in n log n: 200000 zero-size tensors, one duplicated */
START_TEST(many_tensors)
{
    int n = 200000;
    size_t cap = (size_t)n * 64 + 64, len = 0;
    unsigned char *b = malloc(cap);
    len = 8;
    b[len++] = '{';
    for (int i = 0; i < n; i++)
        len += (size_t)sprintf((char *)b + len, "%s\"t%d\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}",
                               i ? "," : "", i == n - 1 ? 7 : i);
    b[len++] = '}';
    uint64_t h = len - 8;
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(h >> (8 * i));
    unsigned char *b2 = malloc(len);
    memcpy(b2, b, len);
    sp_st_file f;
    char err[512];
    ck_assert_int_eq(sp_st_parse("big", b, len, &f, err, sizeof err), -1);
    ck_assert_str_eq(err, "big: duplicate tensor 't7'");
    /* rename the last one: valid */
    unsigned char *p = (unsigned char *)strstr((char *)b2 + len - 80, "\"t7\"");
    ck_assert_ptr_nonnull(p);
    p[2] = 'x';
    ck_assert_msg(sp_st_parse("big", b2, len, &f, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(f.n_tensors, n);
    sp_st_free(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("safetensors");
    TCase *tc = tcase_create("safetensors");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, roundtrip);
    tcase_add_test(tc, deterministic_bytes);
    tcase_add_test(tc, write_errors_leave_nothing);
    tcase_add_test(tc, bad_corpus);
    tcase_add_test(tc, truncation_fuzz);
    tcase_add_test(tc, byte_flip_fuzz);
    tcase_add_test(tc, header_length_values);
    tcase_add_test(tc, many_tensors);
    tcase_add_test(tc, fifo_refused);
    tcase_add_test(tc, big_file_header_first);
    tcase_add_test(tc, escapes_and_utf8_accepted);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ref_run_suite(suite());
}
