/* sweep_journal.c - the append-only journal of finished sweep points
 * (sweep_journal.h; format in docs/sweep.md). */
#define _DEFAULT_SOURCE /* flock */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sweep_journal.h"

#define HDR_FMT "spattn-sweep-journal 1 id=%016" PRIx64 " points=%zu\n"

uint64_t sp_sweep_fnv1a(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

int sp_sweep_work_dir(const char *out, char *buf, size_t len)
{
    size_t n = strlen(out);
    while (n > 1 && out[n - 1] == '/')
        n--;
    const char *base = out + n;
    while (base > out && base[-1] != '/')
        base--;
    size_t bl = (size_t)(out + n - base);
    int w;
    if (bl + 18 > 255) /* a long name: its first 200 bytes and a hash, within NAME_MAX */
        w = snprintf(buf, len, "%.*s-%016" PRIx64 ".spattn-sweep-work", (int)(base - out + 200), out,
                     sp_sweep_fnv1a(base, bl, SP_FNV_INIT));
    else
        w = snprintf(buf, len, "%.*s.spattn-sweep-work", (int)n, out);
    return w < 0 || (size_t)w >= len ? -1 : 0;
}

/* whole file into a malloc'ed buffer */
static char *slurp(int fd, size_t *n)
{
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap + 1);
    if (!b)
        return NULL;
    for (;;) {
        if (len == cap) {
            char *t = realloc(b, 2 * cap + 1);
            if (!t) {
                free(b);
                return NULL;
            }
            b = t, cap *= 2;
        }
        ssize_t r = pread(fd, b + len, cap - len, (off_t)len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(b);
            return NULL;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    b[len] = 0;
    *n = len;
    return b;
}

/* Parses the journal text t[0..n). Returns -1 with err on a foreign or
 * damaged journal; else 0, *good = length of the valid prefix (a torn last
 * line is beyond it; 0 when even the header is torn). */
static int parse(const char *path, const char *t, size_t n, uint64_t id, size_t npoints, char **rec, size_t *ndone,
                 size_t *good, char *err, size_t errlen)
{
    *good = 0;
    const char *nl = memchr(t, '\n', n);
    if (!nl)
        return 0; /* empty, or the header itself was torn */
    uint64_t fid;
    size_t fn;
    char want[128];
    snprintf(want, sizeof want, HDR_FMT, id, npoints);
    if (sscanf(t, "spattn-sweep-journal 1 id=%" SCNx64 " points=%zu", &fid, &fn) != 2) {
        snprintf(err, errlen, "%s:1: not a spattn sweep journal (remove its directory to start over)", path);
        return -1;
    }
    if ((size_t)(nl - t + 1) != strlen(want) || memcmp(t, want, strlen(want))) {
        snprintf(err, errlen,
                 "%s was written by a different sweep (journal id %016" PRIx64 ", %zu points; this sweep's id "
                 "%016" PRIx64 ", %zu points: the config, an included file or the trace changed); remove that "
                 "directory to start over, or use another -o",
                 path, fid, fn, id, npoints);
        return -1;
    }
    size_t pos = (size_t)(nl - t + 1);
    int line = 1;
    *good = pos;
    while (pos < n) {
        line++;
        const char *s = t + pos, *e = memchr(s, '\n', n - pos);
        if (!e)
            return 0; /* torn last line: dropped */
        size_t p;
        uint64_t h;
        int off = 0;
        int ok = sscanf(s, "%zu %16" SCNx64 " %n", &p, &h, &off) == 2 && off > 0 && s + off <= e;
        const char *pl = ok ? s + off : NULL;
        size_t plen = ok ? (size_t)(e - pl) : 0;
        ok = ok && sp_sweep_fnv1a(pl, plen, SP_FNV_INIT) == h;
        if (!ok) {
            if (e + 1 == t + n)
                return 0; /* damaged last line (a kill mid-write): dropped */
            snprintf(err, errlen, "%s:%d: damaged journal line (not the last one); remove its directory to start over",
                     path, line);
            return -1;
        }
        if (p >= npoints) {
            snprintf(err, errlen, "%s:%d: point %zu out of range (%zu points)", path, line, p, npoints);
            return -1;
        }
        if (rec[p]) {
            if (strlen(rec[p]) != plen || memcmp(rec[p], pl, plen)) {
                snprintf(err, errlen, "%s:%d: point %zu recorded twice with different results", path, line, p);
                return -1;
            }
        } else {
            rec[p] = strndup(pl, plen);
            if (!rec[p]) {
                snprintf(err, errlen, "out of memory reading %s", path);
                return -1;
            }
            (*ndone)++;
        }
        pos = (size_t)(e - t + 1);
        *good = pos;
    }
    return 0;
}

static int write_all(int fd, const char *b, size_t n)
{
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w, n -= (size_t)w;
    }
    return 0;
}

int sp_sweep_journal_open(sp_sweep_journal *j, const char *workdir, const char *name, uint64_t id,
                          size_t npoints, char **rec, size_t *ndone, char *err, size_t errlen)
{
    memset(j, 0, sizeof *j);
    j->fd = -1;
    *ndone = 0;
    if (mkdir(workdir, 0777) && errno != EEXIST) {
        snprintf(err, errlen, "cannot create sweep work directory '%s': %s", workdir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (lstat(workdir, &st) || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "sweep work directory '%s' is not a directory", workdir);
        return -1;
    }
    snprintf(j->path, sizeof j->path, "%s/%s", workdir, name);
    int fd = open(j->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open sweep journal '%s': %s", j->path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        snprintf(err, errlen, "sweep journal '%s' is in use by another spattn sweep", j->path);
        close(fd);
        return -1;
    }
    size_t n = 0, good = 0;
    char *t = slurp(fd, &n);
    if (!t) {
        snprintf(err, errlen, "cannot read sweep journal '%s': %s", j->path, strerror(errno));
        close(fd);
        return -1;
    }
    int rc = parse(j->path, t, n, id, npoints, rec, ndone, &good, err, errlen);
    free(t);
    if (!rc && good < n && ftruncate(fd, (off_t)good)) { /* drop a torn tail */
        snprintf(err, errlen, "cannot truncate sweep journal '%s': %s", j->path, strerror(errno));
        rc = -1;
    }
    if (!rc && good == 0) { /* new journal: the header */
        char h[128];
        snprintf(h, sizeof h, HDR_FMT, id, npoints);
        if (ftruncate(fd, 0) || write_all(fd, h, strlen(h)) || fdatasync(fd)) {
            snprintf(err, errlen, "cannot write sweep journal '%s': %s", j->path, strerror(errno));
            rc = -1;
        }
        int dfd = rc ? -1 : open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) { /* the new entry itself durable */
            fsync(dfd);
            close(dfd);
        }
    }
    if (!rc && lseek(fd, 0, SEEK_END) < 0)
        rc = -1;
    if (rc) {
        close(fd);
        return -1;
    }
    j->fd = fd;
    pthread_mutex_init(&j->lock, NULL);
    return 0;
}

int sp_sweep_journal_append(sp_sweep_journal *j, size_t p, const char *payload, char *err, size_t errlen)
{
    size_t plen = strlen(payload);
    char head[64];
    int hl = snprintf(head, sizeof head, "%zu %016" PRIx64 " ", p, sp_sweep_fnv1a(payload, plen, SP_FNV_INIT));
    char *line = malloc((size_t)hl + plen + 2);
    if (!line) {
        snprintf(err, errlen, "out of memory writing the sweep journal");
        return -1;
    }
    memcpy(line, head, (size_t)hl);
    memcpy(line + hl, payload, plen);
    line[hl + plen] = '\n';
    pthread_mutex_lock(&j->lock);
    int bad = write_all(j->fd, line, (size_t)hl + plen + 1) || fdatasync(j->fd);
    int e = errno;
    pthread_mutex_unlock(&j->lock);
    free(line);
    if (bad) {
        snprintf(err, errlen, "cannot write sweep journal '%s': %s", j->path, strerror(e));
        return -1;
    }
    return 0;
}

void sp_sweep_journal_close(sp_sweep_journal *j)
{
    if (j->fd >= 0) {
        close(j->fd);
        pthread_mutex_destroy(&j->lock);
    }
    j->fd = -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sp_sweep_journal_read_dir(const char *workdir, uint64_t id, size_t npoints, char **rec, size_t *ndone,
                              char *err, size_t errlen)
{
    *ndone = 0;
    DIR *d = opendir(workdir);
    if (!d) {
        snprintf(err, errlen, "cannot open sweep work directory '%s': %s", workdir, strerror(errno));
        return -1;
    }
    char *names[4096];
    int nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) && nn < 4096)
        if (!strncmp(de->d_name, "journal", 7))
            names[nn++] = strdup(de->d_name);
    closedir(d);
    qsort(names, (size_t)nn, sizeof *names, cmp_str);
    int rc = 0;
    for (int i = 0; i < nn && !rc; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", workdir, names[i] ? names[i] : "");
        int fd = names[i] ? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
        size_t n = 0, good;
        char *t = fd >= 0 ? slurp(fd, &n) : NULL;
        if (!t) {
            snprintf(err, errlen, "cannot read sweep journal '%s': %s", path, strerror(errno));
            rc = -1;
        } else {
            rc = parse(path, t, n, id, npoints, rec, ndone, &good, err, errlen);
        }
        free(t);
        if (fd >= 0)
            close(fd);
    }
    for (int i = 0; i < nn; i++)
        free(names[i]);
    return rc;
}
