/* bench_model.c - throughput of the functional C model on the synthetic
 * GPT-2-small decode shape (12 layers, 12 heads, D 64, L 1024): head-steps
 * per second and int MACs per second. Run by `make bench`; the figures are
 * printed, never asserted (machines are shared and noisy). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "spattn.h"
#include "traces.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void)
{
    sp_config cfg;
    sp_config_default(&cfg);
    sp_synth_spec s;
    char err[512];
    if (sp_synth_parse("synth:mode=decode,layers=12,heads=12,d=64,len=1024,iters=8,seed=1", &s, err, sizeof err))
        return fprintf(stderr, "bench: %s\n", err), 2;
    sp_trace tr;
    if (sp_synth_generate(&s, &cfg.alg, &tr, err, sizeof err))
        return fprintf(stderr, "bench: %s\n", err), 2;
    /* two configs: the paper's pruning, and dense (keep everything, no
     * requant) which is the worst case for MACs */
    const char *names[2] = {"pruned (default config)", "dense (keep 1.0, tau 0)"};
    for (int k = 0; k < 2; k++) {
        sp_config c = cfg;
        if (k == 1) {
            c.alg.token_keep_q16 = c.alg.head_keep_q16 = c.alg.value_keep_q16 = SP_RATIO_ONE;
            c.alg.tau_q15 = 0;
        }
        sp_run_result r;
        int reps = 0;
        double t0 = now(), t1;
        uint64_t steps = 0, macs = 0;
        do {
            if (sp_run_model(&c, &tr, NULL, &r, err, sizeof err))
                return fprintf(stderr, "bench: %s\n", err), 1;
            steps += r.total.head_steps;
            macs += r.total.mac_qk + r.total.mac_pv;
            sp_run_result_free(&r);
            reps++;
            t1 = now();
        } while (t1 - t0 < 1.0 || reps < 2);
        double dt = t1 - t0;
        printf("bench_model %-26s %d runs in %.3f s: %.3e head-steps/s, %.3e int MAC/s (one core)\n",
               names[k], reps, dt, (double)steps / dt, (double)macs / dt);
    }
    sp_trace_free(&tr);
    return 0;
}
