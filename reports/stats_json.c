/* stats_json.c - stats.json of a tensor-trace run: totals, event counts,
 * kept tokens and heads per layer, config echo, trace id, tool version.
 * Every number's unit is in its key (_count, _bits, ...). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>
#include "report.h"

int sp_report_write_file(const char *dir, const char *name, const char *text, char *err, size_t errlen)
{
    char path[8192], tmp[8300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.part", path);
    FILE *f = fopen(tmp, "w");
    size_t n = strlen(text);
    if (!f || fwrite(text, 1, n, f) != n || fclose(f)) {
        snprintf(err, errlen, "cannot write '%s': %s", tmp, strerror(errno));
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path)) {
        snprintf(err, errlen, "cannot rename '%s': %s", tmp, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

static void num(cJSON *o, const char *k, double v)
{
    cJSON_AddNumberToObject(o, k, v);
}

static cJSON *events_json(const sp_events *e)
{
    cJSON *o = cJSON_CreateObject();
    num(o, "head_steps_count", (double)e->head_steps);
    num(o, "keys_msb_fetched_count", (double)e->keys_msb);
    num(o, "keys_lsb_refetched_count", (double)e->keys_lsb);
    num(o, "values_fetched_count", (double)e->values_fetched);
    num(o, "values_lsb_fetched_count", (double)e->values_lsb);
    num(o, "dram_k_msb_bits", (double)e->bits_k_msb);
    num(o, "dram_k_lsb_bits", (double)e->bits_k_lsb);
    num(o, "dram_v_bits", (double)e->bits_v);
    num(o, "dram_q_bits", (double)e->bits_q);
    num(o, "out_bits", (double)e->bits_out);
    num(o, "mac_qk_count", (double)e->mac_qk);
    num(o, "mac_pv_count", (double)e->mac_pv);
    num(o, "exp_count", (double)e->exp_ops);
    num(o, "div_count", (double)e->div_ops);
    num(o, "norm_mul_count", (double)e->mul_norm);
    num(o, "softmax_count", (double)e->softmax_runs);
    num(o, "requant_count", (double)e->requants);
    num(o, "topk_runs_count", (double)e->topk_runs);
    num(o, "topk_rounds_count", (double)e->topk_rounds);
    num(o, "topk_compares_count", (double)e->topk_compares);
    num(o, "topk_cycles", (double)e->topk_cycles);
    num(o, "importance_adds_count", (double)e->imp_adds);
    num(o, "tokens_pruned_count", (double)e->tokens_pruned);
    num(o, "heads_pruned_count", (double)e->heads_pruned);
    return o;
}

static cJSON *config_json(const sp_config *c)
{
    cJSON *o = cJSON_CreateObject(), *h = cJSON_CreateObject(), *a = cJSON_CreateObject();
    num(h, "clock_mhz", c->hw.clock_mhz);
    num(h, "qk_multipliers", c->hw.n_qk);
    num(h, "pv_multipliers", c->hw.n_pv);
    num(h, "k_sram_bytes", c->hw.k_sram_bytes);
    num(h, "v_sram_bytes", c->hw.v_sram_bytes);
    num(h, "topk_comparators", c->hw.topk_comparators);
    num(a, "token_keep", c->alg.token_keep);
    num(a, "token_start_layer", c->alg.token_start_layer);
    num(a, "head_keep", c->alg.head_keep);
    num(a, "head_start_layer", c->alg.head_start_layer);
    num(a, "value_keep", c->alg.value_keep);
    num(a, "q_bits", c->alg.q_bits);
    num(a, "k_msb", c->alg.k_msb);
    num(a, "k_lsb", c->alg.k_lsb);
    num(a, "v_msb", c->alg.v_msb);
    num(a, "v_lsb", c->alg.v_lsb);
    num(a, "tau", c->alg.tau);
    cJSON_AddItemToObject(o, "hardware", h);
    cJSON_AddItemToObject(o, "algorithm", a);
    return o;
}

int sp_report_write_dir(const char *dir, const sp_report_in *in, char *err, size_t errlen)
{
    const sp_run_result *r = in->res;
    const sp_trace *t = in->trace;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "tool", "spattn " SP_VERSION);
    cJSON_AddStringToObject(root, "engine", in->engine ? in->engine : "cmodel");
    cJSON_AddStringToObject(root, "config_file", in->config_path ? in->config_path : "");
    cJSON_AddStringToObject(root, "trace", in->trace_spec ? in->trace_spec : "");
    cJSON_AddStringToObject(root, "trace_id", t->id);
    cJSON *shape = cJSON_CreateObject();
    cJSON_AddStringToObject(shape, "mode", t->mode == SP_MODE_DECODE ? "decode" : "encoder");
    num(shape, "layers", t->layers);
    num(shape, "heads", t->heads);
    num(shape, "d", t->d);
    num(shape, "context_tokens", t->ctx);
    num(shape, "iterations", t->iters);
    cJSON_AddItemToObject(root, "trace_shape", shape);
    char hex[32];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)r->out_checksum);
    cJSON_AddStringToObject(root, "outputs_fnv1a64", hex);
    cJSON_AddItemToObject(root, "events", events_json(&r->total));
    cJSON *per = cJSON_CreateArray();
    for (int it = 0; it < r->iters; it++) {
        for (int l = 0; l < r->layers; l++) {
            cJSON *o = cJSON_CreateObject();
            num(o, "iteration", it);
            num(o, "layer", l);
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
    cJSON_AddItemToObject(root, "config", config_json(in->cfg));
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) {
        snprintf(err, errlen, "out of memory writing stats.json");
        return -1;
    }
    size_t n = strlen(text);
    char *withnl = malloc(n + 2);
    if (!withnl) {
        free(text);
        snprintf(err, errlen, "out of memory writing stats.json");
        return -1;
    }
    memcpy(withnl, text, n);
    withnl[n] = '\n';
    withnl[n + 1] = 0;
    free(text);
    int rc = sp_report_write_file(dir, "stats.json", withnl, err, errlen);
    free(withnl);
    return rc;
}
