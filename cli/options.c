/* options.c - the table-driven option parser of every subcommand and the
 * help text made from the same table (cli.h: sp_cli_opt, sp_cli_cmd). */
#include <string.h>
#include "cli.h"

static int is_help(const char *a)
{
    return !strcmp(a, "-h") || !strcmp(a, "--help");
}

/* "-c" or "--config" as the user would write it */
static const char *opt_name(const sp_cli_opt *o, char *buf, size_t n)
{
    if (o->short_name)
        snprintf(buf, n, "-%c", o->short_name);
    else
        snprintf(buf, n, "--%s", o->long_name);
    return buf;
}

/* a word that is an option rather than a value: "-x..." or "--x..."
 * ("-" alone and negative numbers are values) */
static int looks_like_option(const char *a)
{
    return a[0] == '-' && (a[1] == '-' || (a[1] >= 'a' && a[1] <= 'z') || (a[1] >= 'A' && a[1] <= 'Z'));
}

/* the option named by argument a (its text up to '=' for a long one), its
 * attached value (after '=' or after a short name) in *attached */
static int find_opt(const sp_cli_cmd *cmd, const char *a, const char **attached)
{
    *attached = NULL;
    if (a[1] == '-') {
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        for (int i = 0; i < cmd->n_opts; i++)
            if (strlen(cmd->opts[i].long_name) == len && !strncmp(cmd->opts[i].long_name, a + 2, len)) {
                *attached = eq ? eq + 1 : NULL;
                return i;
            }
        return -1;
    }
    for (int i = 0; i < cmd->n_opts; i++) {
        const sp_cli_opt *o = &cmd->opts[i];
        if (!o->short_name || a[1] != o->short_name)
            continue;
        if (!a[2])
            return i;
        if (o->arg) { /* -cVALUE */
            *attached = a + 2;
            return i;
        }
    }
    return -1;
}

int sp_cli_parse(const sp_cli_cmd *cmd, int argc, char **argv, sp_cli_args *a, int *rc)
{
    char nb[64];
    memset(a, 0, sizeof *a);
    *rc = SP_EXIT_USAGE;
    if (cmd->n_opts > SP_CLI_MAX_OPTS) {
        sp_cli_error("%s: option table larger than SP_CLI_MAX_OPTS", cmd->name);
        return 1;
    }
    /* -h / --help anywhere wins over every other problem */
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (is_help(argv[i])) {
            sp_cli_help(stdout, cmd);
            *rc = fflush(stdout) ? SP_EXIT_FAIL : SP_EXIT_OK;
            return 1;
        }
    for (int i = 0; i < cmd->n_opts; i++)
        a->val[i] = cmd->opts[i].def;
    int opts_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!opts_done && !strcmp(arg, "--")) {
            opts_done = 1;
            continue;
        }
        if (opts_done || arg[0] != '-' || !arg[1]) {
            if (!cmd->operand) {
                sp_cli_error("%s: unexpected argument '%s' (it takes options only; spattn %s --help)", cmd->name,
                             arg, cmd->name);
                return 1;
            }
            if (a->operand) {
                sp_cli_error("%s: more than one %s given ('%s' and '%s')", cmd->name, cmd->operand, a->operand,
                             arg);
                return 1;
            }
            a->operand = arg;
            continue;
        }
        const char *attached;
        int k = find_opt(cmd, arg, &attached);
        if (k < 0) {
            sp_cli_error("%s: unknown option '%s'", cmd->name, arg);
            return 1;
        }
        const sp_cli_opt *o = &cmd->opts[k];
        if (!o->arg) {
            if (attached) {
                sp_cli_error("%s: option '--%s' takes no value", cmd->name, o->long_name);
                return 1;
            }
            a->val[k] = "1";
            continue;
        }
        if (attached) {
            a->val[k] = attached;
            continue;
        }
        if (i + 1 >= argc || looks_like_option(argv[i + 1])) {
            sp_cli_error("%s: option '%s' needs a value", cmd->name, arg);
            return 1;
        }
        a->val[k] = argv[++i];
    }
    for (int i = 0; i < cmd->n_opts; i++)
        if (cmd->opts[i].required && !a->val[i]) {
            sp_cli_error("%s: missing %s %s", cmd->name, opt_name(&cmd->opts[i], nb, sizeof nb), cmd->opts[i].arg);
            return 1;
        }
    if (cmd->operand && !a->operand) {
        sp_cli_error("%s: %s", cmd->name, cmd->missing);
        return 1;
    }
    *rc = SP_EXIT_OK;
    return 0;
}

/* column where the option docs start */
#define DOC_COL 30

static void help_line(FILE *f, const char *left, const char *doc, const char *def)
{
    int n = fprintf(f, "  %s", left);
    if (n >= DOC_COL)
        fprintf(f, "\n%*s", DOC_COL, "");
    else
        fprintf(f, "%*s", DOC_COL - n, "");
    fprintf(f, "%s", doc);
    if (def)
        fprintf(f, " (default %s)", def);
    fputc('\n', f);
}

void sp_cli_help(FILE *f, const sp_cli_cmd *cmd)
{
    char nb[64], left[128];
    int optional = 0;
    fprintf(f, "usage: spattn %s", cmd->name);
    for (int i = 0; i < cmd->n_opts; i++) {
        if (cmd->opts[i].required)
            fprintf(f, " %s %s", opt_name(&cmd->opts[i], nb, sizeof nb), cmd->opts[i].arg);
        optional |= !cmd->opts[i].required;
    }
    fprintf(f, "%s%s%s\n", optional ? " [OPTIONS]" : "", cmd->operand ? " " : "", cmd->operand ? cmd->operand : "");
    fprintf(f, "%s\n", cmd->summary);
    if (cmd->operand)
        help_line(f, cmd->operand, cmd->operand_doc, NULL);
    for (int i = 0; i < cmd->n_opts; i++) {
        const sp_cli_opt *o = &cmd->opts[i];
        int n = o->short_name ? snprintf(left, sizeof left, "-%c, ", o->short_name)
                              : snprintf(left, sizeof left, "    ");
        snprintf(left + n, sizeof left - (size_t)n, "--%s%s%s", o->long_name, o->arg ? " " : "", o->arg ? o->arg : "");
        help_line(f, left, o->doc, o->def);
    }
    help_line(f, "-h, --help", "print this help and exit", NULL);
}
