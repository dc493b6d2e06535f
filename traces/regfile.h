/* regfile.h - opens an input file for reading only when it is a regular
 * file: a FIFO, directory, device or socket is refused before any byte is
 * read (a FIFO never blocks the open). Used by every trace reader. */
#ifndef SP_REGFILE_H
#define SP_REGFILE_H
#include <stdio.h>
#include <sys/types.h>

/* Returns the open stream and its size in *size, or NULL with
 * "PATH: cannot open: ..." / "PATH: not a regular file (a FIFO)" in err. */
FILE *sp_fopen_regular(const char *path, off_t *size, char *err, size_t errlen);
#endif
