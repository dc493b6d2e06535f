/* hotloop.h - hints for the datapath's hot loops (internal to libspattn).
 * Neither changes a value: the results are integer and the same with or
 * without them. */
#ifndef SP_HOTLOOP_H
#define SP_HOTLOOP_H

/* cache prefetch of a row about to be gathered (keys, kept values) */
#if defined(__GNUC__) || defined(__clang__)
#define sp_prefetch(p) __builtin_prefetch((p), 0, 3)
#else
#define sp_prefetch(p) ((void)(p))
#endif

/* GCC on x86-64 Linux also compiles the function for AVX2 and picks the
 * copy at load time (the library's baseline flags allow only SSE2): twice
 * the lanes in the multiply-accumulate, softmax and logit loops. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define SP_HOT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SP_HOT_CLONES
#endif
#endif
