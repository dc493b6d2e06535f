/* files.c - the bottom of reports/: a file written through a temporary
 * name and a rename, a growable text buffer, JSON text with a final
 * newline. Every other report file calls these; they call nothing above. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>
#include "report.h"

int sp_report_write_file(const char *dir, const char *name, const char *text, char *err, size_t errlen)
{
    char path[8192], tmp[8300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.part", path);
    FILE *f = fopen(tmp, "w");
    size_t n = strlen(text);
    if (!f || fwrite(text, 1, n, f) != n || fclose(f)) {
        snprintf(err, errlen, "cannot write '%s': %s", tmp, strerror(errno));
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path)) {
        snprintf(err, errlen, "cannot rename '%s': %s", tmp, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

void sp_buf_printf(sp_buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->n;
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && (size_t)k < room) {
            b->n += (size_t)k;
            return;
        }
        size_t nc = b->cap ? b->cap * 2 : 4096;
        while (nc < b->n + (size_t)k + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
}

void sp_buf_free(sp_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

char *sp_report_json_text(const cJSON *root)
{
    char *text = cJSON_Print(root);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *withnl = malloc(n + 2);
    if (withnl) {
        memcpy(withnl, text, n);
        withnl[n] = '\n';
        withnl[n + 1] = 0;
    }
    cJSON_free(text);
    return withnl;
}
