/* bench_timing.c - timing-only runs per second on the official GPT-2 small
 * workload (4608 head-steps): CSV parse + step build + the pipeline and
 * DRAM model, with and without the dense baseline, each with the model's
 * quiet-cycle jumps (sp_tm_fast, the default) and with the reference
 * stepping of every cycle, in turn in one process, and the ratio of the
 * two. Figures are printed, never asserted (shared machines).
 * Skips with a reason when SPATTN_WORKLOADS has no such file.
 * `bench_timing pruned` (or `dense`) runs one of the two, fast only, for a
 * profiler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "timing.h"
#include "tm_workload.h"

/* the thread's CPU time, not wall time: on a shared machine, time spent
 * waiting for a core is not the model's */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *dir = getenv("SPATTN_WORKLOADS");
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/gpt2-small-wikitext2-pruned.csv", dir ? dir : "../shared/workloads");
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("bench_timing: skipped: %s not readable (set SPATTN_WORKLOADS)\n", path);
        return 0;
    }
    fclose(f);
    sp_config cfg;
    if (sp_config_load("configs/paper.yaml", &cfg, err, sizeof err)) {
        fprintf(stderr, "bench_timing: %s\n", err);
        return 2;
    }
    int only = argc > 1 ? (strcmp(argv[1], "dense") == 0 ? 1 : strcmp(argv[1], "pruned") == 0 ? 0 : -2) : -1;
    if (only == -2) {
        fprintf(stderr, "bench_timing: unknown mode '%s' (pruned or dense)\n", argv[1]);
        return 2;
    }
    for (int k = 0; k < 4; k++) {
        int dense = k / 2;
        sp_tm_fast = k % 2 == 0;
        if (only >= 0 && (dense != only || !sp_tm_fast))
            continue;
        static double best[2];
        int reps = 0;
        double t0 = now(), t1, tmin = 1e9;
        uint64_t cycles = 0;
        size_t rows = 0;
        do {
            double a = now();
            sp_workload w;
            sp_tm_steps st;
            sp_tm_result r;
            if (sp_workload_load_csv(path, &w, err, sizeof err) ||
                sp_tm_steps_from_workload(&cfg, &w, dense, &st, err, sizeof err) ||
                sp_timing_run(&cfg, &st, &r, err, sizeof err)) {
                fprintf(stderr, "bench_timing: %s\n", err);
                return 1;
            }
            rows = w.n;
            cycles = r.total_cycles;
            sp_tm_steps_free(&st);
            sp_workload_free(&w);
            t1 = now();
            if (t1 - a < tmin)
                tmin = t1 - a;
            reps++;
        } while (t1 - t0 < 2.0 || reps < 3);
        printf("bench_timing: %s, %s (%zu rows, %llu cycles): %.1f runs/s, best %.3f CPU-s per run, %.2f M head-steps/s, "
               "%.1f M cycles/s\n",
               dense ? "dense baseline derived from the pruned file" : "gpt2-small-wikitext2-pruned.csv",
               sp_tm_fast ? "fast" : "reference stepping", rows, (unsigned long long)cycles, reps / (t1 - t0), tmin,
               rows / tmin / 1e6, (double)cycles / tmin / 1e6);
        best[k % 2] = tmin;
        if (k % 2 == 1)
            printf("bench_timing: %s: fast %.2fx the reference stepping (best CPU-s per run)\n",
                   dense ? "dense" : "pruned", best[1] / best[0]);
    }
    return 0;
}
