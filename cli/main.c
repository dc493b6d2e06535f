/* main.c - the spattn command: dispatch to subcommands; top-level help made
 * from the subcommands' option tables. */
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

static const sp_cli_cmd *const cmds[] = {
    &sp_cmd_run, &sp_cmd_sweep, &sp_cmd_plot, &sp_cmd_config_show, &sp_cmd_trace_info, &sp_cmd_trace_gen,
};
#define N_CMDS (sizeof cmds / sizeof cmds[0])

/* length of the first word of a command name ("trace" of "trace info") */
static size_t word_len(const char *name)
{
    return strcspn(name, " ");
}

static int group_is(const sp_cli_cmd *c, const char *w)
{
    size_t n = word_len(c->name);
    return strlen(w) == n && !strncmp(c->name, w, n);
}

static void short_usage(FILE *f)
{
    fputs("usage: spattn ", f);
    for (size_t i = 0; i < N_CMDS; i++)
        fprintf(f, "%s%s", i ? "|" : "", cmds[i]->name);
    fputs(" [OPTIONS] (spattn --help lists every option)\n", f);
}

static int full_help(void)
{
    printf("usage: spattn COMMAND [OPTIONS] [OPERAND]\n"
           "       spattn --help | --version\n"
           "spattn simulates SpAtten-style attention accelerators (README.md, docs/).\n"
           "Options take a value as the next argument, after '=' (--out=DIR) or joined to a short\n"
           "name (-oDIR); '--' ends the options. run and sweep write one output directory, -o DIR,\n"
           "by default out-COMMAND in the current directory (out-run, out-sweep); it is replaced\n"
           "only by a later spattn output and only when the run succeeded.\n"
           "Exit status: 0 done, 1 the run failed (a co-sim mismatch), 2 bad input (one line on stderr).\n");
    for (size_t i = 0; i < N_CMDS; i++) {
        putchar('\n');
        sp_cli_help(stdout, cmds[i]);
    }
    return fflush(stdout) ? SP_EXIT_FAIL : SP_EXIT_OK;
}

int main(int argc, char **argv)
{
    atexit(sp_close_stdout); /* a failed write to stdout is an error */
    if (argc < 2)
        return short_usage(stderr), SP_EXIT_USAGE;
    const char *w = argv[1];
    if (!strcmp(w, "--help") || !strcmp(w, "-h"))
        return full_help();
    if (!strcmp(w, "--version"))
        return printf("spattn %s\n", SP_VERSION), SP_EXIT_OK;
    if (w[0] == '-')
        return sp_cli_error("unknown option '%s' (try spattn --help)", w);
    int group = 0;
    for (size_t i = 0; i < N_CMDS; i++) {
        const sp_cli_cmd *c = cmds[i];
        if (!group_is(c, w))
            continue;
        group = 1;
        if (!c->name[word_len(c->name)]) /* one-word command */
            return c->fn(argc - 1, argv + 1);
        if (argc > 2 && !strcmp(argv[2], c->name + word_len(c->name) + 1))
            return c->fn(argc - 2, argv + 2);
    }
    if (!group)
        return sp_cli_error("unknown command '%s' (try spattn --help)", w);
    /* a two-word command's first word alone, or with an unknown second */
    char known[128] = "";
    for (size_t i = 0; i < N_CMDS; i++)
        if (group_is(cmds[i], w))
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", known[0] ? ", " : "",
                     cmds[i]->name + word_len(cmds[i]->name) + 1);
    if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        for (size_t i = 0, first = 1; i < N_CMDS; i++)
            if (group_is(cmds[i], w)) {
                if (!first)
                    putchar('\n');
                sp_cli_help(stdout, cmds[i]);
                first = 0;
            }
        return fflush(stdout) ? SP_EXIT_FAIL : SP_EXIT_OK;
    }
    if (argc < 3)
        return sp_cli_error("%s: missing subcommand (known: %s)", w, known);
    return sp_cli_error("%s: unknown subcommand '%s' (known: %s)", w, argv[2], known);
}
