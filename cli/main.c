/* main.c - the spattn command: dispatch to subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "spattn.h"

int sp_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("spattn: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return SP_EXIT_USAGE;
}

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} cmds[] = {
    {"run", cmd_run, "run -c CONFIG -t TRACE [-o DIR] [--engine cmodel|rtl|cosim] [--baseline DENSE.csv]\n"
                     "                                          simulate a trace, write DIR (default out/)"},
    {"trace", cmd_trace, "trace info|gen ...               inspect a trace (synth:, .safetensors, .csv); write a synthetic one"},
    {"sweep", cmd_sweep, "sweep -c CONFIG -t TRACE [-o DIR] [-j N] run every point of CONFIG's sweep: axes; sweep.csv + Pareto plots"},
    {"config", cmd_config, "config show CONFIG              print the resolved config (includes applied) as YAML"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: spattn COMMAND [ARGS]\n");
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        fprintf(f, "  spattn %s\n", cmds[i].help);
    fprintf(f, "  spattn --version\n");
}

int main(int argc, char **argv)
{
    atexit(sp_close_stdout); /* a failed write to stdout is an error */
    if (argc < 2)
        return usage(stderr), SP_EXIT_USAGE;
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return usage(stdout), SP_EXIT_OK;
    if (!strcmp(argv[1], "--version"))
        return printf("spattn %s\n", SP_VERSION), SP_EXIT_OK;
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(argv[1], cmds[i].name))
            return cmds[i].fn(argc - 1, argv + 1);
    sp_cli_error("unknown command '%s' (try spattn --help)", argv[1]);
    return SP_EXIT_USAGE;
}
