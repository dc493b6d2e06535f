/* stats_json.c - stats.json of a run (tensor trace or timing-only workload
 * CSV): the engine's statistics registry (events, timing with DRAM by
 * kind, energy by component, area, accuracy, the dense baseline and the
 * ratios against it; each cost model filled its own part), plus trace
 * identity and shape, per-layer counts, config echo, tool version and the
 * list of files. Every number's unit is in its key (_count, _bits, _bytes,
 * _cycles, _pJ, _mm2, _s, _W, _bytes_per_s, _ratio). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>
#include "config_json.h"
#include "report.h"

static void num(cJSON *o, const char *k, double v)
{
    cJSON_AddNumberToObject(o, k, v);
}

static cJSON *group_obj(cJSON *root, const char *path)
{
    cJSON *o = root;
    char part[64];
    while (*path && o) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof part)
            return NULL;
        memcpy(part, path, n);
        part[n] = 0;
        cJSON *c = cJSON_GetObjectItemCaseSensitive(o, part);
        if (!c) {
            c = cJSON_AddObjectToObject(o, part);
        } else if (!cJSON_IsObject(c)) {
            return NULL;
        }
        o = c;
        path += n + (dot ? 1 : 0);
    }
    return o;
}

int sp_report_stats_to_json(const sp_stats *s, cJSON *root)
{
    if (s->bad)
        return -1;
    char key[96];
    for (size_t i = 0; i < s->n; i++) {
        const sp_stat *e = &s->v[i];
        cJSON *o = group_obj(root, e->group);
        if (!o)
            return -1;
        sp_stat_key(e, key, sizeof key);
        cJSON *item = e->kind == SP_STAT_TEXT ? cJSON_AddStringToObject(o, key, e->text)
                                              : cJSON_AddNumberToObject(o, key, sp_stat_value(e));
        if (!item)
            return -1;
    }
    return 0;
}

char *sp_report_stats_text(const sp_report_in *in, cJSON *files, char *err, size_t errlen)
{
    const sp_engine_result *res = in->res;
    const sp_engine_input *ip = in->input;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "tool", "spattn " SP_VERSION);
    cJSON_AddStringToObject(root, "engine", in->engine ? in->engine : "cmodel");
    cJSON_AddStringToObject(root, "config_file", in->config_path ? in->config_path : "");
    cJSON_AddStringToObject(root, "trace", in->trace_spec ? in->trace_spec : "");
    cJSON *shape = cJSON_CreateObject();
    if (!ip->is_workload) {
        const sp_trace *t = &ip->trace;
        cJSON_AddStringToObject(root, "trace_id", t->id);
        cJSON_AddStringToObject(shape, "mode", t->mode == SP_MODE_DECODE ? "decode" : "encoder");
        num(shape, "layers_count", t->layers);
        num(shape, "heads_count", t->heads);
        num(shape, "head_dim_count", t->d);
        num(shape, "context_tokens_count", t->ctx);
        num(shape, "iterations_count", t->iters);
        cJSON_AddItemToObject(root, "trace_shape", shape);
        char hex[32];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)res->fig.out_checksum);
        cJSON_AddStringToObject(root, "outputs_fnv1a64", hex);
    } else {
        const sp_workload *w = &ip->workload;
        cJSON_AddStringToObject(root, "trace_id", w->path);
        cJSON_AddStringToObject(shape, "mode", "timing-only workload csv");
        num(shape, "rows_count", (double)w->n);
        num(shape, "layers_count", w->layers);
        num(shape, "heads_count", w->heads);
        num(shape, "iterations_count", w->iters);
        cJSON_AddItemToObject(root, "trace_shape", shape);
    }
    sp_stats st;
    sp_stats_init(&st);
    sp_engine_stats(in->cfg, &res->fig, &st);
    int bad = sp_report_stats_to_json(&st, root);
    sp_stats_free(&st);
    if (res->fig.functional) {
        const sp_run_result *r = &res->run;
        cJSON *per = cJSON_CreateArray();
        for (int it = 0; it < r->iters; it++) {
            for (int l = 0; l < r->layers; l++) {
                cJSON *o = cJSON_CreateObject();
                num(o, "iteration_index", it);
                num(o, "layer_index", l);
                num(o, "active_tokens_count", r->tokens_active[(size_t)it * r->layers + l]);
                num(o, "active_heads_count", r->heads_active[(size_t)it * r->layers + l]);
                uint64_t rq = 0;
                for (int h = 0; h < r->heads; h++)
                    rq += r->steps[((size_t)it * r->layers + l) * r->heads + h].requant_rows;
                num(o, "requant_rows_count", (double)rq);
                cJSON_AddItemToArray(per, o);
            }
        }
        cJSON_AddItemToObject(root, "per_layer", per);
    }
    if (in->ablation)
        cJSON_AddItemToObject(root, "ablation", sp_report_ablation_json(in->ablation));
    cJSON_AddItemToObject(root, "config", sp_config_json(in->cfg));
    cJSON_AddItemToObject(root, "files", files);
    char *text = bad ? NULL : sp_report_json_text(root);
    cJSON_Delete(root);
    if (!text)
        snprintf(err, errlen, "out of memory writing stats.json");
    return text;
}
