/* cli.h - subcommands of the spattn command and shared CLI helpers. */
#ifndef SP_CLI_H
#define SP_CLI_H
#include <stddef.h>
#include <stdio.h>
#include "spattn.h"
#include "tmpout.h"

/* Exit statuses: 0 ok, 1 run failed (e.g. co-sim mismatch), 2 bad input. */
#define SP_EXIT_OK 0
#define SP_EXIT_FAIL 1
#define SP_EXIT_USAGE 2

/* One option of a subcommand. The command's table of these is the single
 * source for parsing and for the help text (sp_cli_help). */
typedef struct {
    char short_name;       /* 'c' for -c; 0 when the option has no short form */
    const char *long_name; /* "config" for --config */
    const char *arg;       /* the value's name in the help ("CONFIG"); NULL for a flag */
    const char *def;       /* default value, named in the help; NULL when none */
    int required;          /* the command stops with "CMD: missing -c CONFIG" without it */
    const char *doc;       /* one line */
} sp_cli_opt;

/* A subcommand: "run", or two words ("trace info"); at most one operand. */
typedef struct {
    const char *name;
    const char *summary;     /* one line */
    const char *operand;     /* the operand in the usage line ("CONFIG"); NULL: the command takes none */
    const char *operand_doc; /* one line on the operand (help) */
    const char *missing;     /* the error when the operand is absent */
    const sp_cli_opt *opts;
    int n_opts;
    int (*fn)(int argc, char **argv); /* argv[0] is the command's last word */
} sp_cli_cmd;

#define SP_CLI_MAX_OPTS 16
/* What sp_cli_parse found: val[i] is the value of opts[i] (its default when
 * not given; a flag's is "1" when given, else NULL), operand the operand. */
typedef struct {
    const char *val[SP_CLI_MAX_OPTS];
    const char *operand;
} sp_cli_args;

/* Parses argv[1..argc) against cmd's table. Options: "-c VALUE", "-cVALUE",
 * "--config VALUE", "--config=VALUE"; "--" ends the options; the last of a
 * repeated option counts. Returns 0 when the command goes on; else the
 * command ends with exit status *rc: 0 after -h / --help printed the help,
 * SP_EXIT_USAGE after one line naming the unknown option, the option that
 * lacks its value, the missing required option or operand. Values are
 * argv's own strings: never copied, never truncated. */
int sp_cli_parse(const sp_cli_cmd *cmd, int argc, char **argv, sp_cli_args *a, int *rc);
/* The command's help: usage line, summary, one line per option. */
void sp_cli_help(FILE *f, const sp_cli_cmd *cmd);

extern const sp_cli_cmd sp_cmd_run, sp_cmd_sweep, sp_cmd_config_show, sp_cmd_trace_info, sp_cmd_trace_gen;
extern const sp_cli_cmd sp_cmd_plot; /* cli/cmd_plot.c */

/* Prints "spattn: <msg>" to stderr and returns SP_EXIT_USAGE. */
int sp_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
#define SP_OUTDIR_MARKER SP_TMP_MARKER /* traces/tmpout.h */
/* Signals (cli/signals.c): from the first call on (sp_outdir_begin makes
 * it; call it before starting threads), SIGINT and SIGTERM are taken by a
 * watcher thread that kills the registered children, removes the
 * registered temporary output (traces/tmpout.h) and exits 130 / 143. */
void sp_signals_init(void);
/* For atexit: flushes and closes stdout; on a write error prints a
 * message and exits 2 (e.g. `spattn run ... >/dev/full`). */
void sp_close_stdout(void);
#endif
