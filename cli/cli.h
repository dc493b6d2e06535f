/* cli.h - subcommands of the spattn command and shared CLI helpers. */
#ifndef SP_CLI_H
#define SP_CLI_H
#include <stddef.h>
#include "spattn.h"
#include "tmpout.h"

/* Exit statuses: 0 ok, 1 run failed (e.g. co-sim mismatch), 2 bad input. */
#define SP_EXIT_OK 0
#define SP_EXIT_FAIL 1
#define SP_EXIT_USAGE 2

int cmd_run(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

/* Prints "spattn: <msg>" to stderr and returns SP_EXIT_USAGE. */
int sp_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One option of a subcommand: name and alt (e.g. "-c", "--config"; alt may
 * be NULL); a flag sets *flag = flag_val, any other option stores the next
 * argument in *value. Tables end with an entry whose name is NULL. */
typedef struct {
    const char *name, *alt;
    const char **value;
    int *flag, flag_val;
} sp_cli_opt;
/* Parses argv[1..argc) against opts; -h / --help returns usage(). 0 when
 * all parsed, else the exit status after printing "CMD: unknown option
 * 'X'" or "CMD: option 'X' needs a value" (or the usage). */
int sp_cli_parse(int argc, char **argv, const char *cmd, const sp_cli_opt *opts, int (*usage)(void));

/* Output directory written atomically (cli/outdir.c): files go into a
 * fresh temporary directory beside the target, which replaces the target
 * only when the run succeeded, in one step (a kill leaves the old result
 * or the new one). A target that exists must be empty or an earlier spattn
 * output holding only the files its marker lists, must not be a symbolic
 * link and must not hold an input of the run; else begin fails with a
 * message. */
typedef struct {
    char final[4096];
    char tmp[4200];
} sp_outdir;
/* what the run reads (any may be NULL; a synth: trace is no file); the
 * config's includes are followed */
typedef struct {
    const char *config, *trace, *baseline;
} sp_outdir_inputs;
int sp_outdir_begin(sp_outdir *o, const char *dir, const sp_outdir_inputs *in, char *err, size_t errlen);
int sp_outdir_commit(sp_outdir *o, char *err, size_t errlen);
void sp_outdir_abort(sp_outdir *o);
#define SP_OUTDIR_MARKER SP_TMP_MARKER /* reports/tmpout.h */
/* The start of `spattn run` and `spattn sweep`: opens the trace (with the
 * config's algorithm settings) and begins the output directory. On error
 * prints the message, frees what it opened and returns SP_EXIT_USAGE. */
int sp_cli_open_run(const char *trace, const char *cfg_path, const sp_alg_cfg *alg, sp_trace *tr,
                    const char *out, sp_outdir *od, char *err, size_t errlen);

/* Signals (cli/signals.c): from the first call on (sp_outdir_begin makes
 * it; call it before starting threads), SIGINT and SIGTERM are taken by a
 * watcher thread that kills the registered children, removes the
 * registered temporary output (reports/tmpout.h) and exits 130 / 143. */
void sp_signals_init(void);
/* For atexit: flushes and closes stdout; on a write error prints a
 * message and exits 2 (e.g. `spattn run ... >/dev/full`). */
void sp_close_stdout(void);
#endif
