/* safetensors.h - reader and writer of the safetensors container
 * (8-byte little-endian header length, JSON header, raw little-endian
 * tensor bytes) and the spattn tensor-trace naming scheme on top of it
 * (docs/traces.md). Reader: traces/safetensors.c; trace mapping:
 * traces/trace_open.c. */
#ifndef SP_SAFETENSORS_H
#define SP_SAFETENSORS_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "spattn.h"

#define SP_ST_MAX_DIMS 8
#define SP_ST_MAX_HEADER (100u * 1024u * 1024u) /* same cap as the reference reader */
#define SP_ST_MAX_NAME 256

typedef enum {
    SP_ST_BOOL = 0, SP_ST_U8, SP_ST_I8, SP_ST_F8_E5M2, SP_ST_F8_E4M3,
    SP_ST_I16, SP_ST_U16, SP_ST_F16, SP_ST_BF16,
    SP_ST_I32, SP_ST_U32, SP_ST_F32,
    SP_ST_I64, SP_ST_U64, SP_ST_F64,
    SP_ST_NDTYPES
} sp_st_dtype;

const char *sp_st_dtype_name(sp_st_dtype t);
size_t sp_st_dtype_size(sp_st_dtype t);

typedef struct {
    char name[SP_ST_MAX_NAME];
    sp_st_dtype dtype;
    int ndim;
    uint64_t shape[SP_ST_MAX_DIMS];
    uint64_t nelem;
    uint64_t begin, end;          /* data_offsets, relative to the byte buffer */
    const unsigned char *data;    /* points into the file image */
} sp_st_tensor;

typedef struct {
    char *key, *val;
} sp_st_meta_kv;

typedef struct {
    unsigned char *image;         /* whole file (sp_st_read_header: the 8 + header bytes only) */
    size_t size;                  /* file size */
    size_t data_start;            /* 8 + header length: offset of the byte buffer */
    sp_st_tensor *tensors;        /* in header order */
    int n_tensors;
    sp_st_meta_kv *meta;          /* __metadata__, in header order */
    int n_meta;
} sp_st_file;

/* Parses a safetensors image held in memory (takes ownership of buf, which
 * must come from malloc; freed on error too). name is used in messages:
 * "NAME: what is wrong". Returns 0 or -1. */
int sp_st_parse(const char *name, unsigned char *buf, size_t size, sp_st_file *f,
                char *err, size_t errlen);
/* Reads and parses a file: the header first, checked against the file
 * size, then the tensor bytes. Only regular files are read. */
int sp_st_read(const char *path, sp_st_file *f, char *err, size_t errlen);
/* Reads and checks the header only (every check of sp_st_read but none on
 * tensor bytes); f->image holds the 8 + header bytes and the tensors' data
 * pointers are NULL. *fp is left open for sp_st_read_tensor; fclose it. */
int sp_st_read_header(const char *path, sp_st_file *f, FILE **fp, char *err, size_t errlen);
/* Reads the end - begin bytes of tensor t of a file opened by
 * sp_st_read_header into dst. */
int sp_st_read_tensor(const char *path, FILE *fp, const sp_st_file *f, const sp_st_tensor *t, void *dst,
                      char *err, size_t errlen);
void sp_st_free(sp_st_file *f);
const sp_st_tensor *sp_st_find(const sp_st_file *f, const char *name);
const char *sp_st_meta(const sp_st_file *f, const char *key);

/* One tensor to write: data holds nelem little-endian elements. */
typedef struct {
    const char *name;
    sp_st_dtype dtype;
    int ndim;
    uint64_t shape[SP_ST_MAX_DIMS];
    const void *data;
} sp_st_out;

/* Writes tensors (sorted by name in the file) and metadata (keys sorted)
 * deterministically: same input, same bytes. Writes PATH.tmp.PID and
 * renames it, so a failure leaves no file at PATH. */
int sp_st_write(const char *path, const sp_st_out *ts, int n, const sp_st_meta_kv *meta, int nmeta,
                char *err, size_t errlen);

/* ---- spattn trace naming scheme (docs/traces.md) ---- */
#define SP_TRACE_FORMAT "spattn-trace-1"

/* Reads a spattn trace from a safetensors file; every shape, bit width,
 * value range and metadata key is checked. */
int sp_trace_read_safetensors(const char *path, sp_trace *t, char *err, size_t errlen);
/* Writes t; extra metadata (may be NULL/0) is added to the required keys
 * (format, mode, ctx, q_bits, k_bits, v_bits, model, id). */
int sp_trace_write_safetensors_meta(const char *path, const sp_trace *t, const sp_st_meta_kv *extra,
                                    int nextra, char *err, size_t errlen);
int sp_trace_write_safetensors(const char *path, const sp_trace *t, char *err, size_t errlen);
/* FNV-1a 64 over the little-endian bytes of q, k, v (int16) then scale_q,
 * scale_k, scale_v (float32), in tensor order: identifies trace contents
 * (printed by `spattn trace info`, recomputed by the interop test). */
uint64_t sp_trace_content_hash(const sp_trace *t);

#endif
