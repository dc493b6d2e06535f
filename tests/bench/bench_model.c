/* bench_model.c - throughput of the functional C model on the synthetic
 * GPT-2-small decode shape (12 layers, 12 heads, D 64, L 1024, 8
 * iterations): head-steps per second and int MACs per second, one core (thread CPU time).
 * Two configs: the default (paper) pruning and dense (keep everything, no
 * requant). They run in alternating rounds of about 0.4 s each, so both see
 * the same machine load; each figure is the best round, and the
 * pruned/dense ratio of those is printed beside them. Run by `make bench`;
 * the figures are printed, never asserted (machines are shared and noisy).
 *
 *   bench_model                 both configs, 3 rounds each
 *   bench_model pruned|dense N  that config only, N runs (for a profiler) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "spattn.h"
#include "traces.h"

#define ROUNDS 3
#define ROUND_S 0.4

/* the thread's CPU time, not wall time: on a shared machine, time spent
 * waiting for a core is not the model's */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
    const char *name;
    sp_config cfg;
    double best_steps, best_macs; /* per second, best round */
    int runs;
} bench_case;

/* runs the model until min_s seconds and min_runs runs have passed; keeps
 * the round's rates if they beat the best so far */
static int bench_round(bench_case *b, const sp_trace *tr, double min_s, int min_runs)
{
    char err[512];
    sp_run_result r;
    uint64_t steps = 0, macs = 0;
    int reps = 0;
    double t0 = now(), t1;
    do {
        if (sp_run_model(&b->cfg, tr, NULL, &r, err, sizeof err))
            return fprintf(stderr, "bench: %s\n", err), -1;
        steps += r.total.head_steps;
        macs += r.total.mac_qk + r.total.mac_pv;
        sp_run_result_free(&r);
        reps++;
        t1 = now();
    } while (t1 - t0 < min_s || reps < min_runs);
    double dt = t1 - t0;
    b->runs += reps;
    if ((double)macs / dt > b->best_macs) {
        b->best_macs = (double)macs / dt;
        b->best_steps = (double)steps / dt;
    }
    return 0;
}

int main(int argc, char **argv)
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
    /* the paper's pruning, and dense (keep everything, no requant), which
     * is the most MACs per head-step */
    bench_case bc[2] = {{"pruned (default config)", cfg, 0, 0, 0}, {"dense (keep 1.0, tau 0)", cfg, 0, 0, 0}};
    sp_alg_cfg *dense = &bc[1].cfg.alg;
    dense->token_keep_q16 = dense->head_keep_q16 = dense->value_keep_q16 = SP_RATIO_ONE;
    dense->token_keep = dense->head_keep = dense->value_keep = 1.0;
    dense->tau_q15 = 0;
    dense->tau = 0;

    if (argc == 3) {
        int which = strcmp(argv[1], "pruned") == 0 ? 0 : strcmp(argv[1], "dense") == 0 ? 1 : -1;
        int n = atoi(argv[2]);
        if (which < 0 || n < 1)
            return fprintf(stderr, "usage: bench_model [pruned|dense RUNS]\n"), 2;
        if (bench_round(&bc[which], &tr, 0.0, n))
            return 1;
        printf("bench_model %-24s %d runs: %.3e head-steps/s, %.3e int MAC/s (one core, thread CPU time)\n", bc[which].name,
               bc[which].runs, bc[which].best_steps, bc[which].best_macs);
        sp_trace_free(&tr);
        return 0;
    }
    if (argc != 1)
        return fprintf(stderr, "usage: bench_model [pruned|dense RUNS]\n"), 2;
    for (int round = 0; round < ROUNDS; round++)
        for (int k = 0; k < 2; k++)
            if (bench_round(&bc[k], &tr, ROUND_S, 2))
                return 1;
    for (int k = 0; k < 2; k++)
        printf("bench_model %-24s %3d runs, best of %d rounds: %.3e head-steps/s, %.3e int MAC/s (one core, thread CPU time)\n",
               bc[k].name, bc[k].runs, ROUNDS, bc[k].best_steps, bc[k].best_macs);
    printf("bench_model pruned: %.2e int MAC/s = %.2f x dense %.2e (same run)\n", bc[0].best_macs,
           bc[0].best_macs / bc[1].best_macs, bc[1].best_macs);
    sp_trace_free(&tr);
    return 0;
}
