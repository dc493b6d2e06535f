/* report.h - writers of a run's output files (stats.json, ...). */
#ifndef SP_REPORT_H
#define SP_REPORT_H
#include <stddef.h>
#include "spattn.h"

typedef struct {
    const sp_config *cfg;
    const char *config_path; /* as given by the user */
    const char *trace_spec;  /* as given by the user */
    const sp_trace *trace;
    const sp_run_result *res;
    const char *engine;      /* "cmodel", "rtl", "cosim" */
} sp_report_in;

/* Writes every report file of a tensor-trace run into dir (an empty
 * directory the caller made). -1 with a message on error. */
int sp_report_write_dir(const char *dir, const sp_report_in *in, char *err, size_t errlen);

/* Writes text to dir/name through a temporary name and rename. */
int sp_report_write_file(const char *dir, const char *name, const char *text, char *err, size_t errlen);
#endif
