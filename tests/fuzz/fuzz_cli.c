/* fuzz_cli.c - libFuzzer target: the CLI option parser. The input is split
 * at NUL bytes into argv[1..] (argv[0] is the subcommand) and parsed
 * against the option table of `spattn run` plus one flag option (the
 * parser's other kind of entry) and an operand. Only cli_parse() below
 * names the parser's entry point. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cli/main.c defines sp_cli_error beside main(); the target links only
 * cli/options.c, so it formats the message the same way, into a buffer */
int sp_cli_error(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return SP_EXIT_USAGE;
}

/* the option table of `spattn run` (cli/cmd_run.c) plus one flag option
 * and an operand: every kind of entry the parser knows */
static const sp_cli_opt opts[] = {
    {'c', "config", "CONFIG", NULL, 1, "config"},
    {'t', "trace", "TRACE", NULL, 1, "trace"},
    {'o', "out", "DIR", "out-run", 0, "output directory"},
    {0, "engine", "ENGINE", "cmodel", 0, "engine"},
    {0, "baseline", "DENSE.csv", NULL, 0, "baseline"},
    {0, "waves", "FILE.fst", NULL, 0, "waves"},
    {'q', "quiet", NULL, NULL, 0, "a flag"},
};
static const sp_cli_cmd cmd = {
    .name = "run",
    .summary = "fuzzed",
    .operand = "X",
    .operand_doc = "an operand",
    .missing = "missing operand X",
    .opts = opts,
    .n_opts = (int)(sizeof opts / sizeof opts[0]),
    .fn = NULL,
};

/* the parser under test; returns 0 or the exit status */
static int cli_parse(int argc, char **argv)
{
    sp_cli_args a;
    int rc = 0;
    if (sp_cli_parse(&cmd, argc, argv, &a, &rc))
        return rc;
    /* every value set must be a readable NUL-terminated string (ASan
     * checks the reads) */
    size_t total = a.operand ? strlen(a.operand) : 0;
    for (int i = 0; i < cmd.n_opts; i++)
        total += a.val[i] ? strlen(a.val[i]) : 0;
    (void)total;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a private copy with a terminating NUL: argv strings point into it */
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    int argc = 1;
    for (size_t i = 0; i < size; i++)
        argc += buf[i] == 0;
    char **argv = malloc(sizeof(char *) * ((size_t)argc + 2));
    if (!argv) {
        free(buf);
        return 0;
    }
    argv[0] = "run";
    int n = 1;
    if (size) {
        argv[n++] = buf;
        for (size_t i = 0; i < size; i++)
            if (buf[i] == 0)
                argv[n++] = buf + i + 1;
    }
    argv[n] = NULL;
    (void)cli_parse(n, argv);
    free(argv);
    free(buf);
    return 0;
}
