/* signals.c - SIGINT and SIGTERM while spattn writes output: the signals
 * are blocked in every thread and taken synchronously by one watcher
 * thread (sigwait), so no code runs in signal context. The watcher takes
 * the cleanup lock, kills and reaps registered children (gnuplot, the
 * co-sim), removes registered temporary directories and files
 * (traces/tmpout.h) and exits 128 + the signal (130, 143); _exit ends the
 * sweep's worker threads with it. Also the check of stdout at exit. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "tmpout.h"

static sigset_t watched;

static void *watch(void *arg)
{
    (void)arg;
    int sig = 0;
    while (sigwait(&watched, &sig) != 0)
        ;
    sp_cleanup_lock(); /* waits out a fork or a commit in progress */
    sp_cleanup_run_locked();
    _exit(128 + sig);
    return NULL;
}

void sp_signals_init(void)
{
    static int started;
    if (started)
        return;
    started = 1;
    sigemptyset(&watched);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGTERM);
    /* threads started later (the sweep's workers) inherit the mask */
    sigset_t old;
    pthread_sigmask(SIG_BLOCK, &watched, &old);
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &a, watch, NULL) != 0) {
        pthread_sigmask(SIG_SETMASK, &old, NULL); /* default action: no cleanup, but not deaf */
        fprintf(stderr, "spattn: warning: no signal watcher (temporary output stays if interrupted)\n");
    }
    pthread_attr_destroy(&a);
}

void sp_close_stdout(void)
{
    /* a closed stdout that nothing was written to is not an error */
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int e = errno;
    if (fclose(stdout) != 0 && errno != EBADF && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        fprintf(stderr, "spattn: cannot write standard output: %s\n", strerror(e));
        _exit(SP_EXIT_USAGE);
    }
}
