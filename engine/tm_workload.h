/* tm_workload.h - timing-model head-step records from an official
 * workload CSV (engine/tm_workload.c): the CSV's counts become the
 * sp_tm_step records that cmodel/timing.c schedules. */
#ifndef SP_TM_WORKLOAD_H
#define SP_TM_WORKLOAD_H
#include <stddef.h>
#include "spattn.h"
#include "timing.h"
#include "workload.h"

/* Counts from the file, top-k cycles from the expected-rounds model
 * (sp_topk_expected: the CSV has no data); -1 (full width) means the
 * config's k_msb + k_lsb (resp. v, q) bits. dense != 0 derives the dense
 * baseline from the same rows (keys = values = L, full width). */
int sp_tm_steps_from_workload(const sp_config *cfg, const sp_workload *w, int dense,
                              sp_tm_steps *out, char *err, size_t errlen);
#endif
