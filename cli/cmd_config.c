/* cmd_config.c - `spattn config show CONFIG`: print the fully resolved
 * config (includes applied, every key) as YAML that loads again. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "spattn.h"

static int cmd_config_show(int argc, char **argv)
{
    sp_cli_args a;
    int rc;
    if (sp_cli_parse(&sp_cmd_config_show, argc, argv, &a, &rc))
        return rc;
    char err[1024];
    sp_config cfg;
    if (sp_config_load(a.operand, &cfg, err, sizeof err))
        return sp_cli_error("%s", err);
    sp_config_print(stdout, &cfg);
    if (fflush(stdout) || ferror(stdout))
        return sp_cli_error("config show: cannot write standard output");
    return SP_EXIT_OK;
}

const sp_cli_cmd sp_cmd_config_show = {
    .name = "config show",
    .summary = "print CONFIG with its includes resolved and every key set, as YAML that loads again (docs/config.md)",
    .operand = "CONFIG",
    .operand_doc = "the YAML config file",
    .missing = "missing CONFIG (a YAML config file)",
    .opts = NULL,
    .n_opts = 0,
    .fn = cmd_config_show,
};
