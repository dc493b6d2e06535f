/* events.c - event counters that the timing and energy models consume. */
#include "spattn.h"

void sp_events_add(sp_events *dst, const sp_events *src)
{
    /* sp_events is all uint64_t: add field by field as an array */
    uint64_t *d = (uint64_t *)dst;
    const uint64_t *s = (const uint64_t *)src;
    for (size_t i = 0; i < sizeof(sp_events) / sizeof(uint64_t); i++)
        d[i] += s[i];
}
