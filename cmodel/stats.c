/* stats.c - the statistics registry of stats.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"

void sp_stats_init(sp_stats *s)
{
    memset(s, 0, sizeof *s);
}

void sp_stats_free(sp_stats *s)
{
    free(s->v);
    sp_stats_init(s);
}

static sp_stat *put(sp_stats *s, const char *group, const char *name, const char *unit, sp_stat_kind kind)
{
    if (s->bad)
        return NULL;
    if (strlen(group) >= sizeof s->v->group || strlen(name) >= sizeof s->v->name ||
        strlen(unit) >= sizeof s->v->unit) {
        s->bad = 1;
        return NULL;
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 128;
        sp_stat *nv = realloc(s->v, nc * sizeof *nv);
        if (!nv) {
            s->bad = 1;
            return NULL;
        }
        s->v = nv;
        s->cap = nc;
    }
    sp_stat *e = &s->v[s->n++];
    memset(e, 0, sizeof *e);
    strcpy(e->group, group);
    strcpy(e->name, name);
    strcpy(e->unit, unit);
    e->kind = kind;
    return e;
}

void sp_stats_int(sp_stats *s, const char *group, const char *name, const char *unit, uint64_t v)
{
    sp_stat *e = put(s, group, name, unit, SP_STAT_INT);
    if (e)
        e->i = v;
}

void sp_stats_real(sp_stats *s, const char *group, const char *name, const char *unit, double v)
{
    sp_stat *e = put(s, group, name, unit, SP_STAT_REAL);
    if (e)
        e->r = v;
}

void sp_stats_text(sp_stats *s, const char *group, const char *name, const char *text)
{
    sp_stat *e = put(s, group, name, "", SP_STAT_TEXT);
    if (!e)
        return;
    if (strlen(text) >= sizeof e->text) {
        s->bad = 1;
        s->n--;
        return;
    }
    strcpy(e->text, text);
}

const char *sp_stats_path(char *buf, size_t len, const char *group, const char *sub)
{
    snprintf(buf, len, "%s%s%s", group, *group && *sub ? "." : "", sub);
    return buf;
}

const char *sp_stat_key(const sp_stat *e, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s", e->name, e->unit[0] ? "_" : "", e->unit);
    return buf;
}

double sp_stat_value(const sp_stat *e)
{
    return e->kind == SP_STAT_INT ? (double)e->i : e->kind == SP_STAT_REAL ? e->r : 0.0;
}
