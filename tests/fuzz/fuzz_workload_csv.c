/* fuzz_workload_csv.c - libFuzzer target: the official SpAtten workload CSV
 * reader (sp_workload_load_csv) on the input written to a file, and the
 * summary over what it accepted. */
#include "fuzz_util.h"
#include "workload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    sp_workload w;
    if (sp_workload_load_csv(fuzz_write("in.csv", data, size), &w, err, sizeof err) == 0) {
        sp_wl_summary s;
        sp_workload_summarize(&w, 16, &s);
        sp_workload_free(&w);
    }
    return 0;
}
