/* params.c - one declaration per config key: YAML path, type, member of
 * sp_config, default, range, unit, doc and the source of the default. The
 * loader, the defaults, the range checks, the printer, the stats.json echo,
 * the sweep accessors and docs/config.md all read this table.
 *
 * Sources: [SpAtten] = Wang, Zhang, Han, HPCA 2021 (arXiv 2012.09852);
 * [Horowitz] = M. Horowitz, "Computing's energy problem", ISSCC 2014 (45 nm);
 * [DRAMsim3] = DRAMsim3 configs/HBM2_4Gb_x128.ini.
 *
 * Ranges are what the models accept: widths from docs/spec.md section 2,
 * layer indexes up to SP_MAX_LAYERS, softmax lanes and K/V slots as
 * cmodel/timing.c takes them; number keys get finite physical bounds so
 * that every product in the cost models stays finite. */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "params.h"

/* member offset that only compiles for a member of the named type */
#define OFF(m, T) _Generic(((sp_config *)0)->m, T: offsetof(sp_config, m))
#define I(path, m, def, lo, hi, unit, doc, src) {path, SP_PT_INT, OFF(m, int), def, lo, hi, 0, unit, doc, src, NULL, 0}
#define N(path, m, def, lo, hi, unit, doc, src) {path, SP_PT_NUM, OFF(m, double), def, lo, hi, 0, unit, doc, src, NULL, 0}
/* number with an open lower bound: (lo, hi] */
#define NO(path, m, def, lo, hi, unit, doc, src) {path, SP_PT_NUM, OFF(m, double), def, lo, hi, 1, unit, doc, src, NULL, 0}
/* list of integers, each entry in [lo, hi]; empty by default */
#define LI(path, m, lo, hi, unit, doc, src) {path, SP_PT_LIST, OFF(m, sp_int_list), 0, lo, hi, 0, unit, doc, src, NULL, 1}
/* an optional int key: absent = def */
#define IOPT(path, m, def, lo, hi, unit, doc, src) {path, SP_PT_INT, OFF(m, int), def, lo, hi, 0, unit, doc, src, NULL, 1}

static const char *const dram_kinds[] = {"hbm2", "ddr4", "lpddr4", NULL};

#define PJ_MAX 1e6 /* 1 uJ per event: far above any circuit, finite in every total */
#define DRAM_T_MAX 1000000 /* DRAM clocks (1 ms at 1 GHz) */

const sp_param sp_params[] = {
    /* hardware: the paper's design point (HPCA 2021, section V) */
    N("hardware.clock_mhz", hw.clock_mhz, 1000, 1, 10000, "MHz", "accelerator clock", "[SpAtten] 1 GHz"),
    I("hardware.qk_multipliers", hw.n_qk, 512, 1, 65536, "multipliers", "multipliers in the Q x K unit",
      "[SpAtten]"),
    I("hardware.pv_multipliers", hw.n_pv, 512, 1, 65536, "multipliers", "multipliers in the prob x V unit",
      "[SpAtten]"),
    I("hardware.k_sram_bytes", hw.k_sram_bytes, 196 * 1024, 64, 1 << 30, "bytes", "key buffer",
      "[SpAtten] 196 KB"),
    I("hardware.v_sram_bytes", hw.v_sram_bytes, 196 * 1024, 64, 1 << 30, "bytes", "value buffer",
      "[SpAtten] 196 KB"),
    I("hardware.topk_comparators", hw.topk_comparators, 16, 1, 1024, "comparators",
      "comparators in the top-k engine", "[SpAtten]"),
    I("hardware.topk_round_overhead", hw.topk_round_overhead, 2, 0, 64, "cycles",
      "cycles per quick-select round beyond the compare passes", "our top-k engine (docs/spec.md)"),
    I("hardware.softmax_lanes", hw.softmax_lanes, 8, 1, 4096, "scores per cycle",
      "scores per cycle in the softmax's exp and normalise passes (a power of two below the K slot's rows)",
      "qk_multipliers / 64: keeps pace with QK at D = 64 (docs/costs.md)"),
    I("hardware.kv_buffers", hw.kv_buffers, 2, 1, 2, "slots",
      "K buffer slots, each k_sram_bytes / kv_buffers: 2 = the next head-step's K MSB rows are prefetched into "
      "the other slot; the V buffer has one slot",
      "docs/costs.md s1"),
    I("hardware.fetch_rows", hw.fetch_rows, 8, 1, 64, "rows",
      "K rows the RTL's read port requests and returns a cycle (a K walk's group; scale, q and V rows one "
      "at a time), at most one K buffer line: qk_multipliers / head dimension (cmodel/timing.c, the RTL: a "
      "power of two)",
      "qk_multipliers / 64: the keys QK takes a cycle at D = 64 (docs/rtl.md s2)"),
    /* DRAM: HBM2, 16 channels x 128 bit at 1 GHz DDR = 512 GB/s */
    {"hardware.dram.kind", SP_PT_ENUM, OFF(hw.dram.kind, sp_dram_kind), SP_DRAM_HBM2, SP_DRAM_HBM2,
     SP_DRAM_LPDDR4, 0, "", "DRAM part (cmodel/dram.c sp_dram_preset holds the same numbers)", "[SpAtten] HBM2",
     dram_kinds, 0},
    I("hardware.dram.channels", hw.dram.channels, 16, 1, 256, "channels", "independent channels", "[SpAtten]"),
    I("hardware.dram.banks", hw.dram.banks, 16, 1, 256, "banks", "banks per channel", "[DRAMsim3] 4 groups x 4"),
    I("hardware.dram.row_bytes", hw.dram.row_bytes, 1024, 1, 1 << 20, "bytes",
      "row-buffer size per bank, a multiple of burst_bytes", "[DRAMsim3] 64 columns x 128 bit"),
    I("hardware.dram.burst_bytes", hw.dram.burst_bytes, 32, 1, 4096, "bytes", "bytes per column access",
      "the public SpAtten fetcher's 32-byte reads"),
    N("hardware.dram.clock_mhz", hw.dram.clock_mhz, 1000, 1, 10000, "MHz", "DRAM command clock",
      "[DRAMsim3] tCK 1 ns"),
    I("hardware.dram.tRCD", hw.dram.tRCD, 14, 0, DRAM_T_MAX, "DRAM clocks", "activate to column command",
      "[DRAMsim3] tRCDRD"),
    I("hardware.dram.tRP", hw.dram.tRP, 14, 0, DRAM_T_MAX, "DRAM clocks", "precharge", "[DRAMsim3]"),
    I("hardware.dram.tCL", hw.dram.tCL, 14, 0, DRAM_T_MAX, "DRAM clocks", "column command to data", "[DRAMsim3]"),
    I("hardware.dram.tCCD", hw.dram.tCCD, 2, 1, DRAM_T_MAX, "DRAM clocks", "column command to column command",
      "[DRAMsim3] tCCD_L"),
    I("hardware.dram.tRAS", hw.dram.tRAS, 34, 0, DRAM_T_MAX, "DRAM clocks", "activate to precharge",
      "[DRAMsim3]"),
    I("hardware.dram.tREFI", hw.dram.tREFI, 3900, 0, DRAM_T_MAX, "DRAM clocks", "refresh interval (0: no refresh)",
      "[DRAMsim3] 3.9 us"),
    I("hardware.dram.tRFC", hw.dram.tRFC, 260, 0, DRAM_T_MAX, "DRAM clocks",
      "refresh duration, below tREFI when refresh is on", "[DRAMsim3] 4 Gb die"),
    N("hardware.dram.bytes_per_clk_per_channel", hw.dram.bytes_per_clk_per_channel, 32, 0.125, 4096,
      "bytes per DRAM clock", "data bus bytes per DRAM clock and channel (1 bit .. 32768 bits)",
      "128-bit bus, double data rate"),
    /* algorithm: paper defaults (tau 0.1; 8 + 4 bit keys and values) */
    N("algorithm.token_keep", alg.token_keep, 0.9, 0, 1, "ratio", "fraction of active tokens kept per pruned layer",
      "tuned per model in [SpAtten]; sweep it"),
    I("algorithm.token_start_layer", alg.token_start_layer, 2, 0, SP_MAX_LAYERS, "layer",
      "tokens are pruned after each layer >= this", "[SpAtten] none in the first 15 % of 12 layers"),
    LI("algorithm.token_budget", alg.token_budget, 1, SP_MAX_TOKENS, "keys",
       "one entry per layer: the most keys that layer attends to (docs/spec.md s10); replaces the ratio cascade, "
       "so token_keep must be 1 with it; [] or absent: the ratio cascade",
       "none by default; the public release's GPT-2 budgets in configs/gpt2-release.yaml"),
    IOPT("algorithm.token_budget_start_iter", alg.token_budget_start_iter, 0, 0, SP_MAX_TOKENS, "iteration",
      "first decode iteration held to token_budget (with the selection after the last layer of the iteration "
      "before it); earlier ones keep every token",
      "0: from the start; the release's GPT-2 workload keeps all keys in iteration 0"),
    N("algorithm.head_keep", alg.head_keep, 0.9, 0, 1, "ratio", "fraction of active heads kept per pruned layer",
      "sweep it"),
    I("algorithm.head_start_layer", alg.head_start_layer, 4, 0, SP_MAX_LAYERS, "layer",
      "heads are pruned after each layer >= this", "[SpAtten] none in the first 30 % of 12 layers"),
    NO("algorithm.value_keep", alg.value_keep, 0.2, 0, 1, "ratio",
       "fraction of active tokens whose V row is fetched", "sweep it"),
    I("algorithm.q_bits", alg.q_bits, 12, 2, 16, "bits", "signed query width", "docs/spec.md section 2"),
    I("algorithm.k_msb", alg.k_msb, 8, 1, 15, "bits", "key MSB bits fetched first", "[SpAtten] 8 + 4"),
    I("algorithm.k_lsb", alg.k_lsb, 4, 0, 8, "bits", "key LSB bits on refetch; k_msb + k_lsb <= 16",
      "[SpAtten] 8 + 4"),
    I("algorithm.v_msb", alg.v_msb, 8, 1, 15, "bits", "value MSB bits", "as keys"),
    I("algorithm.v_lsb", alg.v_lsb, 4, 0, 8, "bits", "value LSB bits; v_msb + v_lsb <= 16", "as keys"),
    N("algorithm.tau", alg.tau, 0.1, 0, 1, "probability", "refetch LSBs if max prob < tau (0 disables)",
      "[SpAtten] (the public release uses 0.05)"),
    /* energy: per-event figures */
    N("energy.mac_qk_pj", energy.mac_qk_pj, 0.3, 0, PJ_MAX, "pJ", "per QK multiply-accumulate",
      "[Horowitz] int8 mult 0.2 + int32 add 0.1"),
    N("energy.mac_pv_pj", energy.mac_pv_pj, 0.3, 0, PJ_MAX, "pJ", "per PV multiply-accumulate",
      "[Horowitz] int8 mult 0.2 + int32 add 0.1"),
    N("energy.exp_pj", energy.exp_pj, 0.5, 0, PJ_MAX, "pJ", "per exp LUT lookup",
      "estimate: 256 x 16-bit LUT read + shift (no published figure)"),
    N("energy.div_pj", energy.div_pj, 3.1 * 32, 0, PJ_MAX, "pJ", "per reciprocal division",
      "estimate: 32 x [Horowitz] int32 mult 3.1"),
    N("energy.cmp_pj", energy.cmp_pj, 0.03, 0, PJ_MAX, "pJ", "per compare", "[Horowitz] int8 add"),
    N("energy.add_pj", energy.add_pj, 0.1, 0, PJ_MAX, "pJ", "per add", "[Horowitz] int32 add"),
    N("energy.sram_read_pj_per_byte", energy.sram_read_pj_per_byte, 10.0 / 8, 0, PJ_MAX, "pJ/byte",
      "SRAM read", "[Horowitz] 8 KB SRAM, 64-bit read 10 pJ"),
    N("energy.sram_write_pj_per_byte", energy.sram_write_pj_per_byte, 10.0 / 8, 0, PJ_MAX, "pJ/byte",
      "SRAM write", "taken equal to the read figure"),
    N("energy.dram_pj_per_bit", energy.dram_pj_per_bit, 3.9, 0, PJ_MAX, "pJ/bit", "DRAM access",
      "HBM2 (O'Connor et al., MICRO 2017)"),
    N("energy.leakage_mw_per_mm2", energy.leakage_mw_per_mm2, 23.6, 0, 1e4, "mW/mm^2",
      "static power per mm^2 of chip area (docs/costs.md s3)",
      "NanGate 45 nm Open Cell Library, typical corner (25 C, 1.1 V): AND2_X1 leaks 25.07 nW on 1.064 um^2"),
    I("energy.node_nm", energy.node_nm, 40, 1, 1000, "nm", "technology node (area scaling)",
      "[SpAtten] TSMC 40 nm"),
};
const int sp_n_params = (int)(sizeof sp_params / sizeof sp_params[0]);

int sp_param_find(const char *path)
{
    for (int i = 0; i < sp_n_params; i++)
        if (!strcmp(sp_params[i].path, path))
            return i;
    return -1;
}

double sp_param_get(const sp_config *c, const sp_param *p)
{
    const char *m = (const char *)c + p->off;
    if (p->type == SP_PT_NUM) {
        double v;
        memcpy(&v, m, sizeof v);
        return v;
    }
    if (p->type == SP_PT_ENUM) {
        sp_dram_kind k;
        memcpy(&k, m, sizeof k);
        return (double)k;
    }
    if (p->type == SP_PT_LIST)
        return ((const sp_int_list *)(const void *)m)->n;
    int v;
    memcpy(&v, m, sizeof v);
    return v;
}

void sp_param_set(sp_config *c, const sp_param *p, double v)
{
    char *m = (char *)c + p->off;
    if (p->type == SP_PT_LIST)
        return;
    if (p->type == SP_PT_NUM) {
        memcpy(m, &v, sizeof v);
    } else if (p->type == SP_PT_ENUM) {
        sp_dram_kind k = (sp_dram_kind)(int)v;
        memcpy(m, &k, sizeof k);
    } else {
        int iv = (int)v;
        memcpy(m, &iv, sizeof iv);
    }
}

sp_int_list *sp_param_list(sp_config *c, const sp_param *p)
{
    return p->type == SP_PT_LIST ? (sp_int_list *)(void *)((char *)c + p->off) : NULL;
}

const sp_int_list *sp_param_list_c(const sp_config *c, const sp_param *p)
{
    return p->type == SP_PT_LIST ? (const sp_int_list *)(const void *)((const char *)c + p->off) : NULL;
}

int sp_param_list_slot(int k)
{
    if (k < 0 || k >= sp_n_params || sp_params[k].type != SP_PT_LIST)
        return -1;
    int slot = 0;
    for (int i = 0; i < k; i++)
        slot += sp_params[i].type == SP_PT_LIST;
    return slot;
}

int sp_param_list_check(const sp_param *p, const sp_int_list *l, char *err, size_t errlen)
{
    if (l->n < 0 || l->n > SP_MAX_LAYERS) {
        snprintf(err, errlen, "%s has %d entries, at most %d (one per layer)", p->path, l->n, SP_MAX_LAYERS);
        return -1;
    }
    for (int i = 0; i < l->n; i++)
        if (l->v[i] < p->min || l->v[i] > p->max) {
            snprintf(err, errlen, "%s[%d] must be in %.0f..%.0f, got %d", p->path, i, p->min, p->max, l->v[i]);
            return -1;
        }
    return 0;
}

void sp_param_list_text(const sp_int_list *l, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < l->n && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%d", i ? ", " : "", l->v[i]);
    if (n < len)
        snprintf(buf + n, len - n, "]");
}

void sp_param_range_text(const sp_param *p, char *buf, size_t len)
{
    char lo[32], hi[32];
    if (p->type == SP_PT_ENUM) {
        size_t n = 0;
        buf[0] = '\0';
        for (int i = 0; p->names[i] && n < len; i++)
            n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", p->names[i]);
        return;
    }
    if (p->type == SP_PT_INT) {
        snprintf(buf, len, "%.0f..%.0f", p->min, p->max);
        return;
    }
    if (p->type == SP_PT_LIST) {
        snprintf(buf, len, "entries %.0f..%.0f", p->min, p->max);
        return;
    }
    sp_fmt_double(lo, sizeof lo, p->min);
    sp_fmt_double(hi, sizeof hi, p->max);
    snprintf(buf, len, "%s%s, %s]", p->min_open ? "(" : "[", lo, hi);
}

void sp_param_value_text(const sp_param *p, double v, char *buf, size_t len)
{
    if (p->type == SP_PT_ENUM) {
        int n = 0;
        while (p->names[n])
            n++;
        snprintf(buf, len, "%s", v >= 0 && v < n ? p->names[(int)v] : "?");
    } else if (p->type == SP_PT_INT) {
        snprintf(buf, len, "%.0f", v);
    } else {
        sp_fmt_double(buf, len, v);
    }
}

int sp_param_check(const sp_param *p, double v, char *err, size_t errlen)
{
    if (p->type == SP_PT_LIST) /* entries: sp_param_list_check */
        return 0;
    if (v >= p->min && v <= p->max && !(p->min_open && v == p->min))
        return 0;
    char range[96], got[32];
    sp_param_range_text(p, range, sizeof range);
    if (p->type == SP_PT_ENUM) {
        snprintf(err, errlen, "%s must be one of %s", p->path, range);
        return -1;
    }
    if (p->type == SP_PT_NUM)
        sp_fmt_double(got, sizeof got, v);
    else
        snprintf(got, sizeof got, "%.0f", v);
    snprintf(err, errlen, "%s must be in %s, got %s", p->path, range, got);
    return -1;
}

/* the message, and the key it is reported at */
static int cross_fail(int *key, const char *path, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int cross_fail(int *key, const char *path, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    *key = sp_param_find(path);
    return -1;
}

int sp_params_cross_check(const sp_config *c, char *err, size_t errlen, int *key)
{
    const sp_alg_cfg *a = &c->alg;
    const sp_dram_cfg *m = &c->hw.dram;
    /* docs/spec.md section 2: Bk, Bv <= 16 (int16 elements) */
    if (a->k_msb + a->k_lsb > 16)
        return cross_fail(key, "algorithm.k_msb", err, errlen, "algorithm.k_msb + k_lsb must be <= 16, got %d",
                          a->k_msb + a->k_lsb);
    if (a->v_msb + a->v_lsb > 16)
        return cross_fail(key, "algorithm.v_msb", err, errlen, "algorithm.v_msb + v_lsb must be <= 16, got %d",
                          a->v_msb + a->v_lsb);
    /* docs/spec.md s10: fixed budgets replace the ratio cascade */
    if (a->token_budget.n > 0 && a->token_keep != 1.0) {
        char v[32];
        sp_fmt_double(v, sizeof v, a->token_keep);
        return cross_fail(key, "algorithm.token_budget", err, errlen,
                          "algorithm.token_budget replaces the ratio cascade: token_keep must be 1 with it, got %s", v);
    }
    /* cmodel/dram.c: a row holds whole bursts */
    if (m->burst_bytes < 1 || m->row_bytes % m->burst_bytes)
        return cross_fail(key, "hardware.dram.row_bytes", err, errlen,
                          "hardware.dram.row_bytes must be a multiple of burst_bytes (%d), got %d", m->burst_bytes,
                          m->row_bytes);
    /* a refresh ends before the next one falls due */
    if (m->tREFI != 0 && m->tRFC >= m->tREFI)
        return cross_fail(key, "hardware.dram.tRFC", err, errlen,
                          "hardware.dram.tRFC must be below tREFI (%d) when refresh is on, got %d", m->tREFI,
                          m->tRFC);
    return 0;
}

void sp_config_derive(sp_config *c)
{
    sp_alg_cfg *a = &c->alg;
    a->token_keep_q16 = sp_ratio_q16(a->token_keep);
    a->head_keep_q16 = sp_ratio_q16(a->head_keep);
    a->value_keep_q16 = sp_ratio_q16(a->value_keep);
    a->tau_q15 = (a->tau >= 0 && a->tau <= 1) ? (uint32_t)llround(a->tau * SP_PROB_ONE) : 0;
}

static const char *const sections[] = {"hardware", "hardware.dram", "algorithm", "energy"};

void sp_params_doc_md(FILE *f)
{
    for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++) {
        size_t sl = strlen(sections[s]);
        fprintf(f, "### %s\n\n", sections[s]);
        fprintf(f, "| key | type | unit | range | default | what | source |\n");
        fprintf(f, "|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < sp_n_params; i++) {
            const sp_param *p = &sp_params[i];
            if (strncmp(p->path, sections[s], sl) || p->path[sl] != '.' || strchr(p->path + sl + 1, '.'))
                continue;
            char range[96], def[48];
            sp_param_range_text(p, range, sizeof range);
            if (p->type == SP_PT_LIST)
                snprintf(def, sizeof def, "[]");
            else
                sp_param_value_text(p, p->def, def, sizeof def);
            const char *type = p->type == SP_PT_INT    ? "int"
                               : p->type == SP_PT_NUM  ? "number"
                               : p->type == SP_PT_LIST ? "int list"
                                                       : "name";
            fprintf(f, "| `%s` | %s%s | %s | %s | %s | %s | %s |\n", p->path + sl + 1, type,
                    p->optional ? " (optional)" : "", p->unit, range, def, p->doc, p->source);
        }
        fprintf(f, "\n");
    }
}
