/* tmpout.h - temporary outputs: short temporary names beside a target,
 * removal of the ones a killed spattn left behind, and the process-wide
 * registry of what an interrupted spattn must undo (temporary directories
 * and files to remove, child processes to kill), which the command's
 * signal watcher (cli/signals.c) acts on. */
#ifndef SP_TMPOUT_H
#define SP_TMPOUT_H
#include <stddef.h>
#include <sys/types.h>

/* Temporary names are "<parent of target>/.spattn-tmp-<hash>-<pid>-<n>":
 * <hash> (8 hex digits, FNV-1a of the target's last component) ties the
 * name to its target, <pid> is the process that made it (when it no
 * longer runs the entry is stale), <n> tells one process's entries apart.
 * The name is short whatever the target's length. */
#define SP_TMP_PREFIX ".spattn-tmp-"

/* Creates a fresh temporary directory (mode 0777 less the umask) beside
 * target, registered for removal on a signal; its path in path. Stale
 * entries of the same target are removed first. -1 with a message. */
int sp_tmp_mkdir(const char *target, char *path, size_t len, char *err, size_t errlen);
/* The same for a regular file (mode 0666 less the umask), opened for
 * writing: the descriptor in *fd. */
int sp_tmp_create(const char *target, char *path, size_t len, int *fd, char *err, size_t errlen);
/* Renames the registered temporary file tmp to target and unregisters it,
 * as one step with respect to the signal watcher. -1 with errno set. */
int sp_tmp_commit_file(const char *tmp, const char *target);
/* Removes a registered temporary file or flat directory and unregisters
 * it. */
void sp_tmp_discard(const char *path);
/* Removes the temporary entries of target whose process no longer runs. */
void sp_tmp_clean_stale(const char *target);
/* The marker file of a finished output directory (cli/outdir.c): a head
 * line, then the name of every file spattn wrote there, one a line. */
#define SP_TMP_MARKER ".spattn-output"
/* Removes a directory spattn wrote: with the marker, the files it lists
 * and the marker; without (a run not finished), every entry that is not a
 * directory; then the directory. -1 when it remains. */
int sp_tmp_rm_flat(const char *path);

/* ---- registry of what a signal must undo ---------------------------- */
/* The lock orders registry changes against the signal watcher: hold it
 * across a step that creates something and registers it (a fork, a
 * rename), so the watcher sees either both or neither. */
void sp_cleanup_lock(void);
void sp_cleanup_unlock(void);
/* With the lock held: register / unregister a path (a directory or file)
 * or a child process (killed with its process group, then reaped). */
void sp_cleanup_add_path_locked(const char *path);
void sp_cleanup_del_path_locked(const char *path);
void sp_cleanup_add_child_locked(pid_t pid);
void sp_cleanup_del_child_locked(pid_t pid);
/* With the lock held: kills and reaps every registered child, removes
 * every registered path. For the signal watcher, which then exits. */
void sp_cleanup_run_locked(void);
#endif
