/* fuzz_synth.c - libFuzzer target: the synthetic trace spec parser
 * (sp_synth_parse) on the input as a string; a parsed spec small enough to
 * generate quickly (at most 2^16 q/k/v elements) is also generated. */
#include <stdlib.h>
#include <string.h>
#include "spattn.h"
#include "traces.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    char err[512];
    sp_synth_spec s;
    if (sp_synth_parse(text, &s, err, sizeof err) == 0) {
        double elems = (double)s.layers * s.heads * s.d * (double)(s.len + s.iters) * 3.0;
        if (elems <= 65536.0) {
            sp_config c;
            sp_config_default(&c);
            sp_trace t;
            if (sp_synth_generate(&s, &c.alg, &t, err, sizeof err) == 0)
                sp_trace_free(&t);
        }
    }
    free(text);
    return 0;
}
