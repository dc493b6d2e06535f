/* fuzz_util.h - shared by the libFuzzer targets: a private temporary
 * directory per process (removed at exit) and writing the fuzz input to a
 * file in it, for readers that take a path. The directory is under
 * $TMPDIR, else /dev/shm when writable, else /tmp. */
#ifndef SP_FUZZ_UTIL_H
#define SP_FUZZ_UTIL_H
#include <stddef.h>
#include <stdint.h>

/* The directory, created on first use; aborts when it cannot be made. */
const char *fuzz_dir(void);
/* Writes data to fuzz_dir()/name and returns the full path (static
 * buffer, valid until the next call). Aborts on I/O failure. */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);
#endif
