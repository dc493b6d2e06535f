/* stats.h - a registry of named statistics (cmodel/stats.c): ordered
 * entries, each a value with its unit in a named group ("timing",
 * "timing.dram.data_by_kind", ...). Every cost model fills its own part
 * (sp_timing_stats, sp_dram_stats_put, sp_energy_stats, sp_area_stats);
 * reports/ writes the registry out (stats.json keys are name_unit). */
#ifndef SP_STATS_H
#define SP_STATS_H
#include <stddef.h>
#include <stdint.h>

typedef enum { SP_STAT_INT = 0, SP_STAT_REAL, SP_STAT_TEXT } sp_stat_kind;

typedef struct {
    char group[64];  /* '.'-separated path of nested groups; "" = top level */
    char name[48];   /* e.g. "total", "fetch_k", "row_hits" */
    char unit[16];   /* e.g. "cycles", "bytes", "count", "pJ"; "" for text */
    sp_stat_kind kind;
    uint64_t i;
    double r;
    char text[640];
} sp_stat;

typedef struct sp_stats_s {
    sp_stat *v;
    size_t n, cap;
    int bad; /* a put failed (out of memory, or a name too long) */
} sp_stats;

void sp_stats_init(sp_stats *s);
void sp_stats_free(sp_stats *s);
/* Appends one entry; a failure sets s->bad (checked once, at the end). */
void sp_stats_int(sp_stats *s, const char *group, const char *name, const char *unit, uint64_t v);
void sp_stats_real(sp_stats *s, const char *group, const char *name, const char *unit, double v);
void sp_stats_text(sp_stats *s, const char *group, const char *name, const char *text);
/* "group.sub" into buf (group "" gives sub) */
const char *sp_stats_path(char *buf, size_t len, const char *group, const char *sub);
/* The entry's key: name, then "_unit" when it has one. */
const char *sp_stat_key(const sp_stat *e, char *buf, size_t len);
/* The value as a double (text: 0). */
double sp_stat_value(const sp_stat *e);
#endif
