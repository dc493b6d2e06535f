/* fuzz_safetensors.c - libFuzzer target: the safetensors container parser
 * (sp_st_parse, in memory) and the spattn-trace-1 reader on top of it
 * (sp_trace_read_safetensors, from a file). Either accepts the input or
 * fails with a message; neither may crash, leak or read out of bounds. */
#include <stdlib.h>
#include <string.h>
#include "fuzz_util.h"
#include "safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    sp_st_file f;
    if (sp_st_parse("fuzz", buf, size, &f, err, sizeof err) == 0) {
        for (int i = 0; i < f.n_meta; i++)
            (void)sp_st_meta(&f, f.meta[i].key);
        /* every tensor's bytes lie inside the image: touch them all */
        unsigned sum = 0;
        for (int i = 0; i < f.n_tensors; i++) {
            const sp_st_tensor *ti = sp_st_find(&f, f.tensors[i].name);
            for (uint64_t b = 0; ti && b < ti->end - ti->begin; b++)
                sum += ti->data[b];
        }
        (void)sum;
        sp_st_free(&f);
    }
    sp_trace t;
    if (sp_trace_read_safetensors(fuzz_write("in.safetensors", data, size), &t, err, sizeof err) == 0) {
        (void)sp_trace_content_hash(&t);
        sp_trace_free(&t);
    }
    return 0;
}
