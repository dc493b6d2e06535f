/* outdir.c - atomic output directories. A run writes into a fresh
 * temporary directory beside the target (traces/tmpout.h) and, when it
 * succeeded, swaps it with the old target in one rename (Linux
 * renameat2 RENAME_EXCHANGE), then removes the old one: a kill at any
 * moment leaves the old result or the new one. Only a directory spattn
 * wrote is ever replaced: its marker file lists every file of it, and a
 * directory holding anything else is refused, as is a symbolic link and a
 * target that holds one of the run's inputs. */
#define _GNU_SOURCE /* syscall() */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <yaml.h>
#include "cli.h"
#include "tmpout.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

#define MARKER_HEAD "written by spattn; the next run to this directory replaces it. Its files:\n"

static int rename2(const char *from, const char *to, unsigned flags)
{
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
#else
    (void)from, (void)to, (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the names in dir other than ".", ".." and the marker, sorted (malloc'd;
 * NULL with errno on error) */
static char **list_dir(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **v = NULL;
    size_t cap = 0;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, SP_OUTDIR_MARKER))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nv = realloc(v, cap * sizeof *v);
            if (!nv)
                goto fail;
            v = nv;
        }
        if (!(v[*n] = strdup(e->d_name)))
            goto fail;
        (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(v, *n, sizeof *v, cmp_str);
    return v ? v : calloc(1, sizeof *v);
fail:
    closedir(d);
    while (*n)
        free(v[--*n]);
    free(v);
    errno = ENOMEM;
    return NULL;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* 0 when the existing directory dir may be replaced: it is empty, or its
 * marker (a regular file) lists every other entry, each a regular file */
static int check_owned(const char *dir, char *err, size_t errlen)
{
    size_t n;
    char **names = list_dir(dir, &n);
    if (!names) {
        snprintf(err, errlen, "cannot read output directory '%s': %s", dir, strerror(errno));
        return -1;
    }
    char mark[4300];
    snprintf(mark, sizeof mark, "%s/%s", dir, SP_OUTDIR_MARKER);
    struct stat st;
    int has_marker = lstat(mark, &st) == 0 && S_ISREG(st.st_mode);
    int rc = 0;
    if (!has_marker) {
        if (n || lstat(mark, &st) == 0) {
            snprintf(err, errlen, "output directory '%s' exists and was not written by spattn; "
                     "choose another -o or remove it", dir);
            rc = -1;
        }
        free_list(names, n);
        return rc;
    }
    FILE *f = fopen(mark, "r");
    char line[4200];
    char *listed = calloc(n ? n : 1, 1);
    int head_ok = f && fgets(line, sizeof line, f) && !strcmp(line, MARKER_HEAD);
    while (f && listed && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *key = line, **hit = bsearch(&key, names, n, sizeof *names, cmp_str);
        if (hit)
            listed[hit - names] = 1;
    }
    if (f)
        fclose(f);
    if (!listed) {
        snprintf(err, errlen, "out of memory checking '%s'", dir);
        rc = -1;
    }
    if (!rc && !head_ok && n) {
        snprintf(err, errlen, "output directory '%s' has a marker spattn cannot read (an older spattn wrote it?); "
                 "remove it or choose another -o", dir);
        rc = -1;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        char p[8400];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        int reg = lstat(p, &st) == 0 && S_ISREG(st.st_mode);
        if (!listed[i] || !reg) {
            snprintf(err, errlen, "output directory '%s' holds '%s', which spattn did not write there; "
                     "choose another -o or move it out", dir, names[i]);
            rc = -1;
        }
    }
    free(listed);
    free_list(names, n);
    return rc;
}

/* 1 when real path p lies inside real directory d */
static int inside(const char *p, const char *d)
{
    size_t n = strlen(d);
    if (n == 1 && d[0] == '/')
        return 1;
    return !strncmp(p, d, n) && p[n] == '/';
}

static int check_input(const char *path, const char *real_out, char *err, size_t errlen)
{
    char real[PATH_MAX];
    if (!path || !strncmp(path, "synth:", 6) || !strcmp(path, "synth") || !realpath(path, real))
        return 0;
    if (inside(real, real_out)) {
        snprintf(err, errlen, "input '%s' lies inside the output directory, which the run replaces; "
                 "choose another -o", path);
        return -1;
    }
    return 0;
}

/* the value of the top-level `include:` of a YAML config ("" if none) */
static void config_include(const char *path, char *inc, size_t len)
{
    inc[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    yaml_parser_t p;
    yaml_event_t ev;
    if (!yaml_parser_initialize(&p)) {
        fclose(f);
        return;
    }
    yaml_parser_set_input_file(&p, f);
    int depth = 0, done = 0, is_key = 1, want = 0;
    while (!done && yaml_parser_parse(&p, &ev)) {
        switch (ev.type) {
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            if (depth == 1)
                is_key = 1, want = 0; /* a value that is a collection */
            depth++;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            depth--;
            done = depth == 0;
            break;
        case YAML_SCALAR_EVENT:
            if (depth == 1) {
                const char *v = (const char *)ev.data.scalar.value;
                if (is_key) {
                    want = !strcmp(v, "include");
                } else if (want) {
                    snprintf(inc, len, "%s", v);
                    done = 1;
                }
                is_key = !is_key;
            }
            break;
        case YAML_STREAM_END_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            done = 1;
            break;
        default:
            break;
        }
        if (depth == 1 && (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT))
            is_key = 1;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    fclose(f);
}

/* the config and every file it includes (docs/config.md: an include path
 * is relative to the including file's directory) */
static int check_config(const char *cfg, const char *real_out, char *err, size_t errlen)
{
    char file[4096], inc[4096];
    if (!cfg)
        return 0;
    snprintf(file, sizeof file, "%s", cfg);
    for (int depth = 0; depth < 16 && file[0]; depth++) {
        if (check_input(file, real_out, err, errlen))
            return -1;
        config_include(file, inc, sizeof inc);
        if (!inc[0])
            break;
        const char *slash = strrchr(file, '/');
        int dirlen = (inc[0] == '/' || !slash) ? 0 : (int)(slash - file + 1);
        char next[8200];
        int w = snprintf(next, sizeof next, "%.*s%s", dirlen, file, inc);
        if (w < 0 || (size_t)w >= sizeof file)
            break;
        memcpy(file, next, (size_t)w + 1);
    }
    return 0;
}

int sp_outdir_begin(sp_outdir *o, const char *dir, const sp_outdir_inputs *in, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 0 || n >= sizeof o->final) {
        snprintf(err, errlen, "output directory name '%s' is empty or too long", dir);
        return -1;
    }
    memcpy(o->final, dir, n);
    o->final[n] = 0;
    const char *base = strrchr(o->final, '/');
    base = base ? base + 1 : o->final;
    if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
        snprintf(err, errlen, "output directory '%s' must name a directory of its own (not '.', '..' or '/')",
                 dir);
        return -1;
    }
    struct stat st;
    if (lstat(o->final, &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            snprintf(err, errlen, "output '%s' is a symbolic link; spattn does not replace through links "
                     "(give the directory itself or another -o)", o->final);
            return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "output '%s' exists and is not a directory", o->final);
            return -1;
        }
        char real_out[PATH_MAX];
        if (in && realpath(o->final, real_out) &&
            (check_config(in->config, real_out, err, errlen) || check_input(in->trace, real_out, err, errlen) ||
             check_input(in->baseline, real_out, err, errlen)))
            return -1;
        if (check_owned(o->final, err, errlen))
            return -1;
    }
    sp_signals_init();
    if (sp_tmp_mkdir(o->final, o->tmp, sizeof o->tmp, err, errlen)) {
        o->tmp[0] = 0;
        return -1;
    }
    return 0;
}

/* the marker: its head line, then every file of dir, sorted; written
 * under another name and renamed, so a failed write leaves no marker */
static int write_marker(const char *dir, char *err, size_t errlen)
{
    size_t n;
    char **names = list_dir(dir, &n);
    char mark[4300], part[4400];
    snprintf(mark, sizeof mark, "%s/%s", dir, SP_OUTDIR_MARKER);
    snprintf(part, sizeof part, "%s.part", mark);
    FILE *f = names ? fopen(part, "w") : NULL;
    int ok = f && fputs(MARKER_HEAD, f) >= 0;
    for (size_t i = 0; i < n && ok; i++)
        ok = !strchr(names[i], '\n') && fprintf(f, "%s\n", names[i]) > 0;
    int e = errno;
    if (f && fclose(f) && ok) {
        ok = 0;
        e = errno;
    }
    if (names)
        free_list(names, n);
    if (ok && rename(part, mark)) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        unlink(part);
        snprintf(err, errlen, "cannot write '%s': %s", mark, strerror(e));
        return -1;
    }
    return 0;
}

int sp_outdir_commit(sp_outdir *o, char *err, size_t errlen)
{
    if (write_marker(o->tmp, err, errlen))
        return -1;
    struct stat st;
    int exists = lstat(o->final, &st) == 0;
    /* what was checked at the start may have changed during the run */
    if (exists && (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode))) {
        snprintf(err, errlen, "output '%s' changed during the run (now a link or not a directory)", o->final);
        return -1;
    }
    if (exists && check_owned(o->final, err, errlen))
        return -1;
    /* the swap and the registry change are one step for the signal
     * watcher: after it, the temporary path holds the old result, which
     * an interrupted removal leaves for the watcher (or the next run) */
    sp_cleanup_lock();
    int rc = rename2(o->tmp, o->final, exists ? RENAME_EXCHANGE : RENAME_NOREPLACE);
    int e = errno;
    if (rc != 0 && (e == EINVAL || e == ENOSYS) && !exists) {
        rc = rename(o->tmp, o->final); /* no renameat2 here: plain rename of a new name */
        e = errno;
    }
    if (rc == 0 && !exists)
        sp_cleanup_del_path_locked(o->tmp);
    sp_cleanup_unlock();
    if (rc != 0) {
        if (e == EINVAL || e == ENOSYS)
            snprintf(err, errlen, "cannot replace '%s': this file system cannot swap two directories in one "
                     "step (renameat2 RENAME_EXCHANGE); remove it or choose another -o", o->final);
        else
            snprintf(err, errlen, "cannot move the result to '%s': %s", o->final, strerror(e));
        return -1;
    }
    if (exists) { /* the old result: its listed files, then the directory */
        if (sp_tmp_rm_flat(o->tmp))
            fprintf(stderr, "spattn: warning: the previous result, moved to '%s', holds files spattn did not "
                    "write (added during the run); they are left there\n", o->tmp);
        sp_cleanup_lock();
        sp_cleanup_del_path_locked(o->tmp);
        sp_cleanup_unlock();
    }
    o->tmp[0] = 0;
    return 0;
}

void sp_outdir_abort(sp_outdir *o)
{
    if (o->tmp[0])
        sp_tmp_discard(o->tmp);
    o->tmp[0] = 0;
}
