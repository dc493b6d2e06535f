/* options.c - option parsing shared by `spattn run` and `spattn sweep`:
 * every option has a short and a long name and either takes the next
 * argument as its value or is a flag; -h / --help prints the usage. */
#include <string.h>
#include "cli.h"

int sp_cli_parse(int argc, char **argv, const char *cmd, const sp_cli_opt *opts, int (*usage)(void))
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const sp_cli_opt *o = opts;
        while (o->name && strcmp(a, o->name) && !(o->alt && !strcmp(a, o->alt)))
            o++;
        if (!o->name) {
            if (!strcmp(a, "-h") || !strcmp(a, "--help"))
                return usage();
            return sp_cli_error("%s: unknown option '%s'", cmd, a);
        }
        if (o->flag) {
            *o->flag = o->flag_val;
            continue;
        }
        if (i + 1 >= argc)
            return sp_cli_error("%s: option '%s' needs a value", cmd, a);
        *o->value = argv[++i];
    }
    return 0;
}
