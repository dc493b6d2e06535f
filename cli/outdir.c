/* outdir.c - atomic output directories: a failed run leaves no partial
 * file, and only an earlier spattn output is ever replaced. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

/* removes a directory tree that spattn wrote (flat, plus one level) */
static int rm_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    char p[8192];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rm_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    return rmdir(path);
}

int sp_outdir_begin(sp_outdir *o, const char *dir, char *err, size_t errlen)
{
    struct stat st;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 0 || n >= sizeof o->final - 32) {
        snprintf(err, errlen, "output directory name '%s' is empty or too long", dir);
        return -1;
    }
    memcpy(o->final, dir, n);
    o->final[n] = 0;
    if (stat(o->final, &st) == 0) {
        char mark[4300];
        snprintf(mark, sizeof mark, "%s/%s", o->final, SP_OUTDIR_MARKER);
        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "output '%s' exists and is not a directory", o->final);
            return -1;
        }
        if (access(mark, F_OK) != 0) {
            DIR *d = opendir(o->final);
            int empty = 1;
            struct dirent *e;
            while (d && (e = readdir(d)))
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                    empty = 0;
            if (d)
                closedir(d);
            if (!empty) {
                snprintf(err, errlen, "output directory '%s' exists and was not written by spattn; "
                         "choose another -o or remove it", o->final);
                return -1;
            }
        }
    }
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp.XXXXXX", o->final);
    if (!mkdtemp(o->tmp)) {
        snprintf(err, errlen, "cannot create a directory beside '%s': %s", o->final, strerror(errno));
        return -1;
    }
    char mark[4300];
    snprintf(mark, sizeof mark, "%s/%s", o->tmp, SP_OUTDIR_MARKER);
    FILE *f = fopen(mark, "w");
    if (!f || fputs("written by spattn; the whole directory is replaced by the next run\n", f) < 0 ||
        fclose(f)) {
        snprintf(err, errlen, "cannot write in '%s': %s", o->tmp, strerror(errno));
        rm_tree(o->tmp);
        return -1;
    }
    return 0;
}

int sp_outdir_commit(sp_outdir *o, char *err, size_t errlen)
{
    char old[4200];
    struct stat st;
    old[0] = 0;
    if (stat(o->final, &st) == 0) {
        snprintf(old, sizeof old, "%s.old.%ld", o->final, (long)getpid());
        if (rename(o->final, old)) {
            snprintf(err, errlen, "cannot replace '%s': %s", o->final, strerror(errno));
            return -1;
        }
    }
    if (rename(o->tmp, o->final)) {
        snprintf(err, errlen, "cannot rename '%s' to '%s': %s", o->tmp, o->final, strerror(errno));
        if (old[0])
            rename(old, o->final);
        return -1;
    }
    if (old[0])
        rm_tree(old);
    return 0;
}

void sp_outdir_abort(sp_outdir *o)
{
    if (o->tmp[0])
        rm_tree(o->tmp);
    o->tmp[0] = 0;
}
