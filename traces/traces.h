/* traces.h - opening and generating tensor traces (the sp_trace the model
 * runs on is defined in cmodel/spattn.h): trace_open.c, synth.c. The
 * safetensors container is safetensors.h, the workload CSV workload.h. */
#ifndef SP_TRACES_H
#define SP_TRACES_H
#include <stddef.h>
#include <stdint.h>
#include "spattn.h"

/* Opens a tensor trace by spec (traces/trace_open.c): "synth:..." runs the
 * generator, a path ending in .safetensors is read; -1 with a message. */
int sp_trace_open(const char *spec, const sp_alg_cfg *alg, sp_trace *t, char *err, size_t errlen);

/* Synthetic generator (traces/synth.c). peak: how peaked attention is
 * (0 = flat, larger = sharper); see docs/traces.md. */
typedef struct {
    sp_mode mode;
    int layers, heads, d, len, iters;
    uint64_t seed;
    double peak;
} sp_synth_spec;
void sp_synth_spec_default(sp_synth_spec *s);
/* Parses "synth:layers=12,heads=12,..." ; -1 with a message on error. */
int sp_synth_parse(const char *text, sp_synth_spec *s, char *err, size_t errlen);
int sp_synth_generate(const sp_synth_spec *s, const sp_alg_cfg *alg, sp_trace *t,
                      char *err, size_t errlen);
#endif
