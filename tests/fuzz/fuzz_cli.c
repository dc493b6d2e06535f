/* fuzz_cli.c - libFuzzer target: the CLI option parser. The input is split
 * at NUL bytes into argv[1..] (argv[0] is the subcommand) and parsed
 * against the option table of `spattn run` plus one flag option (the
 * parser's other kind of entry). Only cli_parse() below names
 * the parser's entry point, so a new parser is fuzzed by changing it. */
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

static int usage(void)
{
    return SP_EXIT_USAGE;
}

/* the parser under test; returns 0 or the exit status */
static int cli_parse(int argc, char **argv)
{
    const char *cfg_path = NULL, *trace = NULL, *out = "out", *engine = "cmodel", *base = NULL;
    int quiet = 0;
    const sp_cli_opt opts[] = {
        {"-c", "--config", .value = &cfg_path}, {"-t", "--trace", .value = &trace},
        {"-o", "--out", .value = &out},         {"--engine", NULL, .value = &engine},
        {"--baseline", NULL, .value = &base},   {"-q", "--quiet", .flag = &quiet, .flag_val = 1},
        {0},
    };
    int rc = sp_cli_parse(argc, argv, "run", opts, usage);
    /* every value set must be a readable NUL-terminated string (ASan
     * checks the reads) */
    const char *vals[] = {cfg_path, trace, out, engine, base};
    size_t total = 0;
    for (int i = 0; i < 5; i++)
        total += vals[i] ? strlen(vals[i]) : 0;
    (void)total;
    return rc;
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
