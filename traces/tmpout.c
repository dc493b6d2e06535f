/* tmpout.c - temporary outputs beside a target (names, creation, stale
 * removal) and the registry of what an interrupted spattn must undo. */
#include "tmpout.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* FNV-1a 32 of the target's last component */
static uint32_t name_hash(const char *target)
{
    const char *b = strrchr(target, '/');
    b = b ? b + 1 : target;
    uint32_t h = 2166136261u;
    for (; *b; b++)
        h = (h ^ (unsigned char)*b) * 16777619u;
    return h;
}

/* length of target's parent prefix, the final '/' included (0: cwd) */
static size_t parent_len(const char *target)
{
    const char *b = strrchr(target, '/');
    return b ? (size_t)(b - target) + 1 : 0;
}

static unsigned counter;

static int tmp_name(const char *target, char *path, size_t len)
{
    size_t pl = parent_len(target);
    unsigned n = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
    int w = snprintf(path, len, "%.*s" SP_TMP_PREFIX "%08x-%ld-%u", (int)pl, target, (unsigned)name_hash(target),
                     (long)getpid(), n);
    return w > 0 && (size_t)w < len ? 0 : -1;
}

/* ---- registry ------------------------------------------------------- */
#define MAX_PATHS 4
#define MAX_KIDS 4
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static char reg_path[MAX_PATHS][4200];
static pid_t reg_kid[MAX_KIDS];

void sp_cleanup_lock(void)
{
    pthread_mutex_lock(&reg_lock);
}

void sp_cleanup_unlock(void)
{
    pthread_mutex_unlock(&reg_lock);
}

void sp_cleanup_add_path_locked(const char *path)
{
    for (int i = 0; i < MAX_PATHS; i++)
        if (!reg_path[i][0] && strlen(path) < sizeof reg_path[i]) {
            strcpy(reg_path[i], path);
            return;
        }
}

void sp_cleanup_del_path_locked(const char *path)
{
    for (int i = 0; i < MAX_PATHS; i++)
        if (!strcmp(reg_path[i], path))
            reg_path[i][0] = 0;
}

void sp_cleanup_add_child_locked(pid_t pid)
{
    for (int i = 0; i < MAX_KIDS; i++)
        if (!reg_kid[i]) {
            reg_kid[i] = pid;
            return;
        }
}

void sp_cleanup_del_child_locked(pid_t pid)
{
    for (int i = 0; i < MAX_KIDS; i++)
        if (reg_kid[i] == pid)
            reg_kid[i] = 0;
}

int sp_tmp_rm_flat(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    /* a directory with the marker (a finished result: the old one after
     * the swap) loses only the files its marker lists, so a file someone
     * put there meanwhile stays (and so does the directory) */
    int mfd = openat(fd, SP_TMP_MARKER, O_RDONLY | O_NOFOLLOW);
    FILE *m = mfd >= 0 ? fdopen(mfd, "r") : NULL;
    if (mfd >= 0 && !m)
        close(mfd);
    if (m) {
        char line[4200];
        int first = 1;
        while (fgets(line, sizeof line, m)) {
            line[strcspn(line, "\n")] = 0;
            struct stat st;
            if (!first && line[0] && !strchr(line, '/') && fstatat(fd, line, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                S_ISREG(st.st_mode))
                unlinkat(fd, line, 0);
            first = 0;
        }
        fclose(m);
        /* the marker goes last, and only when nothing else is left */
        DIR *d = fdopendir(fd);
        int others = !d;
        struct dirent *e;
        while (d && (e = readdir(d)))
            others |= strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, SP_TMP_MARKER);
        if (!others)
            unlinkat(fd, SP_TMP_MARKER, 0);
        if (d)
            closedir(d);
        else
            close(fd);
        return !others && (rmdir(path) == 0 || errno == ENOENT) ? 0 : -1;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        struct stat st;
        /* unlinkat removes a link itself, never what it points to */
        if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
            unlinkat(fd, e->d_name, 0);
    }
    closedir(d);
    return rmdir(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* removes a registered path: a file, or a directory, first renamed so
 * that nothing more is created in it by name */
static void remove_path(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    char dying[4300];
    snprintf(dying, sizeof dying, "%s-x", path);
    const char *p = rename(path, dying) == 0 ? dying : path;
    for (int pass = 0; pass < 4 && sp_tmp_rm_flat(p) != 0; pass++)
        ;
}

void sp_cleanup_run_locked(void)
{
    for (int i = 0; i < MAX_KIDS; i++)
        if (reg_kid[i] > 0) {
            kill(-reg_kid[i], SIGKILL); /* its process group */
            kill(reg_kid[i], SIGKILL);
            while (waitpid(reg_kid[i], NULL, 0) < 0 && errno == EINTR)
                ;
            reg_kid[i] = 0;
        }
    for (int i = 0; i < MAX_PATHS; i++)
        if (reg_path[i][0]) {
            remove_path(reg_path[i]);
            reg_path[i][0] = 0;
        }
}

/* ---- temporary entries ---------------------------------------------- */
void sp_tmp_clean_stale(const char *target)
{
    size_t pl = parent_len(target);
    char parent[4200], want[32], p[4400];
    snprintf(parent, sizeof parent, "%.*s", (int)(pl ? pl : 1), pl ? target : ".");
    snprintf(want, sizeof want, SP_TMP_PREFIX "%08x-", (unsigned)name_hash(target));
    DIR *d = opendir(parent);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, want, strlen(want)))
            continue;
        char *end;
        errno = 0;
        long pid = strtol(e->d_name + strlen(want), &end, 10);
        if (errno || pid <= 0 || *end != '-' || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* it still runs (or belongs to another user) */
        snprintf(p, sizeof p, "%.*s%s", (int)pl, target, e->d_name);
        struct stat st;
        if (lstat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            sp_tmp_rm_flat(p);
        else
            unlink(p);
    }
    closedir(d);
}

/* A fresh temporary directory (fd NULL) or file (*fd open for writing)
 * beside target, registered for removal on a signal in the same locked
 * step that creates it. */
static int tmp_make(const char *target, char *path, size_t len, int *fd, char *err, size_t errlen)
{
    const char *what = fd ? "file" : "directory";
    sp_tmp_clean_stale(target);
    for (int tries = 0; tries < 100; tries++) {
        if (tmp_name(target, path, len)) {
            snprintf(err, errlen, "output path '%s' is too long", target);
            return -1;
        }
        sp_cleanup_lock();
        int ok = fd ? (*fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) >= 0 : mkdir(path, 0777) == 0;
        if (ok)
            sp_cleanup_add_path_locked(path);
        int e = errno;
        sp_cleanup_unlock();
        if (ok)
            return 0;
        if (e != EEXIST) {
            snprintf(err, errlen, "cannot create a %s beside '%s': %s", what, target, strerror(e));
            errno = e;
            return -1;
        }
    }
    snprintf(err, errlen, "cannot create a %s beside '%s': no free temporary name", what, target);
    return -1;
}

int sp_tmp_mkdir(const char *target, char *path, size_t len, char *err, size_t errlen)
{
    return tmp_make(target, path, len, NULL, err, errlen);
}

int sp_tmp_create(const char *target, char *path, size_t len, int *fd, char *err, size_t errlen)
{
    return tmp_make(target, path, len, fd, err, errlen);
}

int sp_tmp_commit_file(const char *tmp, const char *target)
{
    sp_cleanup_lock();
    int rc = rename(tmp, target);
    int e = errno;
    if (rc == 0)
        sp_cleanup_del_path_locked(tmp);
    sp_cleanup_unlock();
    errno = e;
    return rc;
}

void sp_tmp_discard(const char *path)
{
    remove_path(path);
    sp_cleanup_lock();
    sp_cleanup_del_path_locked(path);
    sp_cleanup_unlock();
}
