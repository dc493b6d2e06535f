/* engine_int.h - internal to engine/: the per-run accuracy accumulator
 * (accuracy.c) that engine.c's observer feeds. */
#ifndef SP_ENGINE_INT_H
#define SP_ENGINE_INT_H
#include "engine.h"

typedef struct {
    const sp_engine_ref *ref;
    double err_sum, err_max;
    uint64_t visited, visited_nonzero, argmax_same;
} sp_engine_acc;
void sp_engine_acc_step(sp_engine_acc *c, int it, int l, int h, int row, const sp_head_result *r);
void sp_engine_acc_finish(const sp_engine_acc *c, sp_engine_accuracy *a);
#endif
