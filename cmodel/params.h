/* params.h - the declaration table of every config key (cmodel/params.c).
 * One row per key drives the YAML loader and its range checks, the
 * defaults, `spattn config show`, the config echo in stats.json, the sweep
 * key accessors and the key tables of docs/config.md. */
#ifndef SP_PARAMS_H
#define SP_PARAMS_H
#include <stddef.h>
#include <stdio.h>
#include "spattn.h"

typedef enum {
    SP_PT_INT,  /* int member; YAML plain decimal integer */
    SP_PT_NUM,  /* double member; YAML plain decimal number */
    SP_PT_ENUM, /* enum member; YAML one of names[] */
    SP_PT_LIST, /* sp_int_list member; YAML flow or block sequence of plain
                 * decimal integers, each in [min, max]; optional: absent
                 * or [] is the empty list (def is unused) */
} sp_param_type;

typedef struct {
    const char *path;   /* YAML path, "hardware.dram.channels" */
    sp_param_type type;
    size_t off;         /* offsetof(sp_config, member) */
    double def;         /* default (= configs/paper.yaml) */
    double min, max;    /* range, inclusive except min when min_open */
    int min_open;       /* 1: the range is (min, max] */
    const char *unit;
    const char *doc;    /* one line: what the key is */
    const char *source; /* where the default comes from */
    const char *const *names; /* SP_PT_ENUM: value i is names[i]; NULL-terminated */
    int optional;       /* 1: the key may be absent, absent = def (list keys: absent = []) */
} sp_param;

extern const sp_param sp_params[];
extern const int sp_n_params;

/* Index of the key with this YAML path, -1 if none. */
int sp_param_find(const char *path);
/* Value of a key as a double (an enum as its index, a list as its length:
 * list values go through sp_param_list). */
double sp_param_get(const sp_config *c, const sp_param *p);
/* Stores v (already valid for the key's type) into the member; a list key
 * is left alone (its value is set through sp_param_list). */
void sp_param_set(sp_config *c, const sp_param *p, double v);
/* The member of a list key (NULL for another type). */
sp_int_list *sp_param_list(sp_config *c, const sp_param *p);
const sp_int_list *sp_param_list_c(const sp_config *c, const sp_param *p);
/* Index of list key k among the list keys (0, 1, ...), -1 if k is not one. */
int sp_param_list_slot(int k);
/* 0 if every entry is in range; else -1 and "PATH[i] must be in RANGE, got V". */
int sp_param_list_check(const sp_param *p, const sp_int_list *l, char *err, size_t errlen);
/* A list as YAML flow text, "[921, 716]" or "[]". */
void sp_param_list_text(const sp_int_list *l, char *buf, size_t len);
/* Range as text: "1..1024", "[0, 1]", "(0, 1]", "hbm2, ddr4, lpddr4". */
void sp_param_range_text(const sp_param *p, char *buf, size_t len);
/* Value as YAML text: integer, enum name or shortest round-trip number. */
void sp_param_value_text(const sp_param *p, double v, char *buf, size_t len);
/* 0 if v is in range; else -1 and "PATH must be in RANGE, got V". */
int sp_param_check(const sp_param *p, double v, char *err, size_t errlen);
/* Checks that relate keys (k_msb + k_lsb <= 16, ...); on error the message
 * and *key, the index of the key the message is reported at. */
int sp_params_cross_check(const sp_config *c, char *err, size_t errlen, int *key);
/* Q16/Q15 forms of the ratios and tau, from the values as given: the one
 * place they are derived. */
void sp_config_derive(sp_config *c);
/* The key tables of docs/config.md (markdown, one table per section). */
void sp_params_doc_md(FILE *f);

#endif
