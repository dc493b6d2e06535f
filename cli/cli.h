/* cli.h - subcommands of the spattn command and shared CLI helpers. */
#ifndef SP_CLI_H
#define SP_CLI_H
#include <stddef.h>
#include "spattn.h"

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

/* Output directory written atomically: files go into a fresh temporary
 * directory beside the target, which replaces the target only when the run
 * succeeded. A target that exists must be an earlier spattn output (it holds
 * the marker file) so nothing a user made is removed. */
typedef struct {
    char final[4096];
    char tmp[4160];
} sp_outdir;
int sp_outdir_begin(sp_outdir *o, const char *dir, char *err, size_t errlen);
int sp_outdir_commit(sp_outdir *o, char *err, size_t errlen);
void sp_outdir_abort(sp_outdir *o);
#define SP_OUTDIR_MARKER ".spattn-output"
#endif
