/* fuzz_config.c - libFuzzer target: the strict YAML config loader
 * (sp_config_load) with includes. The input is the top file, top.yaml, in a
 * temporary directory that also holds two fixed files it may include:
 * paper.yaml (the built-in defaults as printed by sp_config_print, a
 * complete config) and default.yaml (an include of paper.yaml and one
 * override), named as the shipped configs include them. An accepted config
 * is printed back (to /dev/null). */
#include <stdio.h>
#include <stdlib.h>
#include "fuzz_util.h"
#include "spattn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_fixed(void)
{
    static int done;
    if (done)
        return;
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    sp_config def;
    sp_config_default(&def);
    if (!m) {
        perror("fuzz: open_memstream");
        abort();
    }
    sp_config_print(m, &def);
    fclose(m);
    fuzz_write("paper.yaml", (const uint8_t *)text, len);
    free(text);
    static const char inc[] = "include: paper.yaml\nalgorithm:\n  tau: 0.05\n";
    fuzz_write("default.yaml", (const uint8_t *)inc, sizeof inc - 1);
    done = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_fixed();
    char err[1024];
    sp_config cfg;
    if (sp_config_load(fuzz_write("top.yaml", data, size), &cfg, err, sizeof err) == 0) {
        FILE *f = fopen("/dev/null", "w");
        if (f) {
            sp_config_print(f, &cfg);
            fclose(f);
        }
    }
    return 0;
}
