/* prefetch.h - cache prefetch hint for the datapath's gathers of key and
 * value rows (internal to libspattn). A hint only: it changes no value, and
 * it is a no-op for compilers without one. */
#ifndef SP_PREFETCH_H
#define SP_PREFETCH_H
#if defined(__GNUC__) || defined(__clang__)
#define sp_prefetch(p) __builtin_prefetch((p), 0, 3)
#else
#define sp_prefetch(p) ((void)(p))
#endif
#endif
