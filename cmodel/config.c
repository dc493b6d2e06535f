/* config.c - defaults, range checks and key accessors, all driven by the
 * declaration table in cmodel/params.c (the YAML loader in config_yaml.c
 * fills the same struct and checks each value as it reads it). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "params.h"

uint32_t sp_ratio_q16(double r)
{
    if (!(r >= 0.0))
        return 0;
    if (r >= 1.0)
        return SP_RATIO_ONE;
    return (uint32_t)llround(r * SP_RATIO_ONE);
}

void sp_config_default(sp_config *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < sp_n_params; i++)
        sp_param_set(c, &sp_params[i], sp_params[i].def);
    sp_config_derive(c);
    snprintf(c->source, sizeof c->source, "(built-in defaults)");
}

int sp_config_check(const sp_config *c, char *err, size_t errlen)
{
    for (int i = 0; i < sp_n_params; i++) {
        const sp_param *p = &sp_params[i];
        if (p->type == SP_PT_LIST ? sp_param_list_check(p, sp_param_list_c(c, p), err, errlen)
                                  : sp_param_check(p, sp_param_get(c, p), err, errlen))
            return -1;
    }
    int key;
    return sp_params_cross_check(c, err, errlen, &key);
}

int sp_config_set_key(sp_config *cfg, const char *key, double v, char *err, size_t errlen)
{
    int k = sp_param_find(key);
    if (k < 0) {
        snprintf(err, errlen, "unknown config key '%s'", key);
        return -1;
    }
    const sp_param *p = &sp_params[k];
    if (p->type == SP_PT_LIST) {
        snprintf(err, errlen, "%s is a list (one entry per layer), not a number", key);
        return -1;
    }
    if (p->type == SP_PT_NUM) {
        if (!isfinite(v)) {
            snprintf(err, errlen, "%s: value must be finite", key);
            return -1;
        }
    } else {
        if (!(v == floor(v) && v >= INT_MIN && v <= INT_MAX)) {
            snprintf(err, errlen, "%s: expected an integer, got %g", key, v);
            return -1;
        }
        if (p->type == SP_PT_ENUM && !(v >= p->min && v <= p->max)) {
            snprintf(err, errlen, "%s: no DRAM kind %g", key, v);
            return -1;
        }
    }
    sp_param_set(cfg, p, v);
    sp_config_derive(cfg);
    return 0;
}

int sp_config_get_key(const sp_config *cfg, const char *key, double *v)
{
    int k = sp_param_find(key);
    if (k < 0 || sp_params[k].type == SP_PT_LIST)
        return -1;
    *v = sp_param_get(cfg, &sp_params[k]);
    return 0;
}

int sp_config_set_list(sp_config *cfg, const char *key, const int *v, int n, char *err, size_t errlen)
{
    int k = sp_param_find(key);
    if (k < 0 || sp_params[k].type != SP_PT_LIST) {
        snprintf(err, errlen, k < 0 ? "unknown config key '%s'" : "%s is not a list key", key);
        return -1;
    }
    if (n < 0 || n > SP_MAX_LAYERS || (n > 0 && !v)) {
        snprintf(err, errlen, "%s: %d entries, at most %d (one per layer)", key, n, SP_MAX_LAYERS);
        return -1;
    }
    sp_int_list *l = sp_param_list(cfg, &sp_params[k]);
    memset(l, 0, sizeof *l); /* unused entries zero: the list hashes as its value */
    l->n = n;
    for (int i = 0; i < n; i++)
        l->v[i] = v[i];
    return 0;
}

int sp_config_get_list(const sp_config *cfg, const char *key, sp_int_list *out)
{
    int k = sp_param_find(key);
    if (k < 0 || sp_params[k].type != SP_PT_LIST)
        return -1;
    *out = *sp_param_list_c(cfg, &sp_params[k]);
    return 0;
}
