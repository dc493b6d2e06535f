/* costs.c - runs the cost models for a report: head-step records of the
 * run (from the functional model or a workload CSV) and of its dense
 * baseline, the timing + DRAM model on both, energy on both, area. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

void sp_buf_printf(sp_buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->n;
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && (size_t)k < room) {
            b->n += (size_t)k;
            return;
        }
        size_t nc = b->cap ? b->cap * 2 : 4096;
        while (nc < b->n + (size_t)k + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
}

void sp_buf_free(sp_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

uint64_t sp_report_data_bytes(const sp_tm_result *r)
{
    uint64_t bits = 0;
    for (int k = 0; k < SP_DK_N; k++)
        bits += r->data_bits[k];
    return (bits + 7) / 8;
}

void sp_report_data_free(sp_report_data *d)
{
    sp_tm_steps_free(&d->steps);
    sp_tm_steps_free(&d->dense_steps);
}

int sp_report_costs(const sp_report_in *in, sp_report_data *d, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    const sp_config *cfg = in->cfg;
    int rc;
    if (in->workload) {
        rc = sp_tm_steps_from_workload(cfg, in->workload, 0, &d->steps, err, errlen);
        /* derived dense: the full grid, heads pruned from the file included */
        sp_workload grid;
        if (!rc && !in->baseline && !(rc = sp_workload_dense_grid(in->workload, &grid, err, errlen))) {
            rc = sp_tm_steps_from_workload(cfg, &grid, 1, &d->dense_steps, err, errlen);
            sp_workload_free(&grid);
        }
        if (!rc && in->baseline)
            rc = sp_tm_steps_from_workload(cfg, in->baseline, 0, &d->dense_steps, err, errlen);
        if (!rc && in->baseline)
            snprintf(d->dense_steps.source, sizeof d->dense_steps.source, "dense workload csv");
    } else if (in->trace && in->res) {
        rc = sp_tm_steps_from_run(cfg, in->trace, in->res, &d->steps, err, errlen);
        /* token positions of the run, when captured completely: a step has
         * exactly the captured counts, else the spread rule stays */
        const sp_report_capture *c = in->capture;
        if (!rc && c && !c->overflow && c->calls == d->steps.n) {
            int ok = 1;
            for (size_t i = 0; i < d->steps.n && ok; i++)
                ok = c->kn[i] == d->steps.s[i].keys && c->vn[i] == d->steps.s[i].values;
            for (size_t i = 0; i < d->steps.n && ok; i++) {
                d->steps.s[i].key_pos = c->pool + c->koff[i];
                d->steps.s[i].val_pos = c->pool + c->voff[i];
            }
            if (ok)
                snprintf(d->steps.source, sizeof d->steps.source, "tensor trace (token positions of the run)");
        }
        if (!rc)
            rc = sp_tm_steps_dense(cfg, in->trace, &d->dense_steps, err, errlen);
    } else {
        snprintf(err, errlen, "report: nothing to report (no trace result and no workload)");
        return -1;
    }
    if (!rc)
        rc = sp_timing_run(cfg, &d->steps, &d->tm, err, errlen);
    if (!rc)
        rc = sp_timing_run(cfg, &d->dense_steps, &d->dense_tm, err, errlen);
    if (rc) {
        sp_report_data_free(d);
        return -1;
    }
    sp_energy_compute(cfg, &d->steps, &d->tm, &d->en);
    sp_energy_compute(cfg, &d->dense_steps, &d->dense_tm, &d->dense_en);
    sp_area_compute(cfg, &d->area);
    return 0;
}
