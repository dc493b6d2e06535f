/* config_json.c - the config echo of stats.json, from the declaration
 * table (cmodel/params.c): keys, nesting and enum names exactly as the
 * loader reads them, so the echo loads again. */
#include <string.h>
#include "config_json.h"
#include "params.h"

/* The object for section path sec ("hardware.dram") under root, made on
 * first use. */
static cJSON *section(cJSON *root, const char *path, size_t len)
{
    cJSON *o = root;
    const char *p = path, *end = path + len;
    while (o && p < end) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        size_t n = dot ? (size_t)(dot - p) : (size_t)(end - p);
        char name[64];
        if (n >= sizeof name)
            return NULL;
        memcpy(name, p, n);
        name[n] = '\0';
        cJSON *c = cJSON_GetObjectItemCaseSensitive(o, name);
        if (!c)
            c = cJSON_AddObjectToObject(o, name);
        o = c;
        p += n + 1;
    }
    return o;
}

cJSON *sp_config_json(const sp_config *c)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    for (int k = 0; k < sp_n_params; k++) {
        const sp_param *p = &sp_params[k];
        const char *leaf = strrchr(p->path, '.');
        cJSON *o = section(root, p->path, (size_t)(leaf - p->path));
        double v = sp_param_get(c, p);
        char name[32];
        sp_param_value_text(p, v, name, sizeof name);
        const sp_int_list *l = sp_param_list_c(c, p);
        cJSON *item = l                        ? cJSON_CreateIntArray(l->v, l->n)
                      : p->type == SP_PT_ENUM ? cJSON_CreateString(name)
                                              : cJSON_CreateNumber(v);
        if (!o || !item || !cJSON_AddItemToObject(o, leaf + 1, item)) {
            cJSON_Delete(item);
            goto oom;
        }
    }
    if (c->sweep.n_axes > 0) {
        cJSON *sw = cJSON_AddObjectToObject(root, "sweep");
        cJSON *axes = sw ? cJSON_AddArrayToObject(sw, "axes") : NULL;
        if (!axes)
            goto oom;
        for (int a = 0; a < c->sweep.n_axes; a++) {
            const sp_sweep_axis *ax = &c->sweep.axes[a];
            cJSON *o = cJSON_CreateObject();
            if (!o || !cJSON_AddItemToArray(axes, o)) {
                cJSON_Delete(o);
                goto oom;
            }
            cJSON *vals = cJSON_CreateDoubleArray(ax->values, ax->n_values);
            if (!cJSON_AddStringToObject(o, "key", ax->key) || !vals || !cJSON_AddItemToObject(o, "values", vals)) {
                cJSON_Delete(vals);
                goto oom;
            }
        }
    }
    return root;
oom:
    cJSON_Delete(root);
    return NULL;
}
