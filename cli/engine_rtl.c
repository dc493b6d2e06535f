/* engine_rtl.c - `spattn run --engine rtl|cosim` runs the SystemC
 * co-simulation binary: $SPATTN_COSIM if set, else sim/spattn_cosim next to
 * the spattn executable (build/sim/spattn_cosim, built by `make cosim`).
 * --waves FILE.fst goes to the co-sim as is (it is built with --trace-fst). */
#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "engine_rtl.h"
#include "tmpout.h"

static int cosim_path(char *buf, size_t len)
{
    const char *env = getenv("SPATTN_COSIM");
    if (env && *env) {
        if (strlen(env) >= len)
            return -1;
        strcpy(buf, env);
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return -1;
    *slash = 0;
    if ((size_t)snprintf(buf, len, "%s/sim/spattn_cosim", exe) >= len)
        return -1;
    return 0;
}

/* the waves file must be FILE.fst in a directory we can write, checked
 * before the co-sim starts (so a bad name costs no simulation) */
static int check_waves(const char *waves)
{
    size_t n = strlen(waves);
    if (n < 5 || strcmp(waves + n - 4, ".fst"))
        return sp_cli_error("run: --waves '%s' must name a FILE.fst (FST waveforms)", waves);
    const char *slash = strrchr(waves, '/');
    char *dir = slash ? strndup(waves, slash == waves ? 1 : (size_t)(slash - waves)) : strdup(".");
    if (!dir)
        return sp_cli_error("run: out of memory");
    int bad = access(dir, W_OK | X_OK);
    int e = errno;
    free(dir);
    if (bad)
        return sp_cli_error("run: --waves '%s': cannot write its directory: %s", waves, strerror(e));
    return 0;
}

int sp_engine_rtl_run(const char *engine, const char *cfg_path, const char *trace, const char *out,
                      const char *waves)
{
    char bin[PATH_MAX], err[1024];
    if (waves && check_waves(waves))
        return SP_EXIT_USAGE;
    if (cosim_path(bin, sizeof bin))
        return sp_cli_error("run: cannot locate the co-simulation binary (set SPATTN_COSIM)");
    if (access(bin, X_OK))
        return sp_cli_error("run: engine %s needs %s (build it with `make cosim`): %s", engine, bin,
                            strerror(errno));
    /* the same atomic output directory as the cmodel engine: the co-sim
     * writes into a fresh temporary directory that replaces DIR only when
     * the run passed */
    sp_outdir od;
    sp_outdir_inputs inputs = {cfg_path, trace, NULL};
    if (sp_outdir_begin(&od, out, &inputs, err, sizeof err))
        return sp_cli_error("%s", err);
    fflush(stdout);
    fflush(stderr);
    /* registered as it starts, so an interrupt stops it (signals.c) */
    sp_cleanup_lock();
    pid_t pid = fork();
    if (pid > 0)
        sp_cleanup_add_child_locked(pid);
    sp_cleanup_unlock();
    if (pid < 0) {
        sp_outdir_abort(&od);
        return sp_cli_error("run: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL); /* spattn's watcher blocks them */
        char *argv[] = {bin, "-c", (char *)cfg_path, "-t", (char *)trace, "-o", od.tmp,
                        "--engine", (char *)engine, waves ? "--waves" : NULL, (char *)waves, NULL};
        execv(bin, argv);
        fprintf(stderr, "spattn: run: exec %s: %s\n", bin, strerror(errno));
        _exit(SP_EXIT_USAGE);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            sp_outdir_abort(&od);
            return sp_cli_error("run: waitpid: %s", strerror(errno));
        }
    sp_cleanup_lock();
    sp_cleanup_del_child_locked(pid);
    sp_cleanup_unlock();
    if (!WIFEXITED(st)) {
        sp_outdir_abort(&od);
        return sp_cli_error("run: %s killed by signal %d", bin, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    }
    if (WEXITSTATUS(st) != 0) {
        sp_outdir_abort(&od);
        return WEXITSTATUS(st);
    }
    if (sp_outdir_commit(&od, err, sizeof err))
        return sp_cli_error("%s", err);
    return SP_EXIT_OK;
}
