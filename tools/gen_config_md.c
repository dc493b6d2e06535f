/* gen_config_md.c - writes DOC (docs/config.md) to stdout with the part
 * between its two marker lines replaced by the key tables made from the
 * declaration table (cmodel/params.c, sp_params_doc_md). `make docs-config`
 * rewrites the file; `make docs-config-check` fails when it differs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "params.h"

static const char begin[] = "<!-- begin keys: generated from cmodel/params.c by make docs-config -->";
static const char end[] = "<!-- end keys -->";

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_config_md DOC.md > OUT.md\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        fprintf(stderr, "gen_config_md: cannot open %s\n", argv[1]);
        return 2;
    }
    char line[4096];
    int state = 0, lineno = 0; /* 0 before, 1 inside, 2 after the markers */
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strcspn(line, "\n");
        if (state == 0 && n == strlen(begin) && !strncmp(line, begin, n)) {
            fputs(line, stdout);
            fputs("\n", stdout);
            sp_params_doc_md(stdout);
            state = 1;
            continue;
        }
        if (state == 1 && n == strlen(end) && !strncmp(line, end, n))
            state = 2;
        if (state != 1)
            fputs(line, stdout);
    }
    fclose(f);
    if (state != 2) {
        fprintf(stderr, "gen_config_md: %s:%d: no '%s' ... '%s' pair of lines\n", argv[1], lineno, begin, end);
        return 2;
    }
    return 0;
}
