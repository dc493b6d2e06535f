/* sweep_journal.h - the journal of a resumable sweep (engine/sweep_journal.c):
 * one text file of finished points in a work directory that persists across
 * runs. Line 1 is a header fixing the sweep's identity (a hash of the tool
 * version, the resolved config text and the trace id, and the point count);
 * each further line is one finished point, "P HASH PAYLOAD\n" (PAYLOAD one
 * line of text, HASH its FNV-1a 64 in hex), written with one write() and
 * made durable with fdatasync before the point counts as done. A last line
 * without its newline or with a wrong hash (a kill mid-write) is dropped on
 * open. Format and the resume rules: docs/sweep.md. */
#ifndef SP_SWEEP_JOURNAL_H
#define SP_SWEEP_JOURNAL_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int fd;
    char path[4400];
    pthread_mutex_t lock;
} sp_sweep_journal;

/* "DIR.spattn-sweep-work" (DIR without trailing slashes; when DIR's last
 * component is too long for that, its first 200 bytes, "-" and the FNV-1a
 * 64 of it in hex); -1 when too long */
int sp_sweep_work_dir(const char *out, char *buf, size_t len);
uint64_t sp_sweep_fnv1a(const void *p, size_t n, uint64_t h);
#define SP_FNV_INIT 1469598103934665603ull

/* Opens (creates) workdir/name, locked against a second writer. A new or
 * empty file gets the header; an existing one must carry the same id and
 * npoints (else -1: "... was written by a different sweep"). Records read
 * are stored in rec[p] (malloc'ed payloads; rec has npoints slots, NULL
 * where none); a torn last line is cut off the file. *ndone counts them. */
int sp_sweep_journal_open(sp_sweep_journal *j, const char *workdir, const char *name, uint64_t id,
                          size_t npoints, char **rec, size_t *ndone, char *err, size_t errlen);
/* Appends point p's record (one line, no newline inside) and fdatasyncs;
 * thread safe. */
int sp_sweep_journal_append(sp_sweep_journal *j, size_t p, const char *payload, char *err, size_t errlen);
void sp_sweep_journal_close(sp_sweep_journal *j);
/* Reads every "journal*" file of workdir (all with id and npoints) into
 * rec, as open does but without writing; a point found twice must have the
 * same payload. */
int sp_sweep_journal_read_dir(const char *workdir, uint64_t id, size_t npoints, char **rec, size_t *ndone,
                              char *err, size_t errlen);
#endif
