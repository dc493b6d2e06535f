/* cmd_config.c - `spattn config show CONFIG`: print the fully resolved
 * config (includes applied, every key) as YAML that loads again. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "spattn.h"

static int usage(void)
{
    return sp_cli_error("usage: spattn config show CONFIG");
}

int cmd_config(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        printf("usage: spattn config show CONFIG\n"
               "  print CONFIG with its includes resolved and every key set (docs/config.md)\n");
        return SP_EXIT_OK;
    }
    if (argc != 3 || strcmp(argv[1], "show"))
        return usage();
    char err[1024];
    sp_config cfg;
    if (sp_config_load(argv[2], &cfg, err, sizeof err))
        return sp_cli_error("%s", err);
    sp_config_print(stdout, &cfg);
    if (fflush(stdout) || ferror(stdout))
        return sp_cli_error("config show: cannot write standard output");
    return SP_EXIT_OK;
}
