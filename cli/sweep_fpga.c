/* sweep_fpga.c - FPGA resource counts of sweep points (sweep_fpga.h,
 * docs/sweep.md "FPGA resources"): each point's config is written as YAML
 * into the sweep's work directory and rtl/fpga/xilinx_resources.sh maps
 * spattn_top at its parameters; the summed line (hierarchy kept) gives the
 * counts. */
#include <cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sweep.h"
#include "sweep_fpga.h"
#include "tmpout.h"

const char *const sp_fpga_cols[SP_FPGA_NCOLS] = {"fpga_lut", "fpga_lutram", "fpga_srl", "fpga_ff",
                                                  "fpga_dsp", "fpga_bram36", "fpga_bram18", "fpga_uram"};
const char sp_fpga_header[] = ",fpga_lut,fpga_lutram,fpga_srl,fpga_ff,fpga_dsp,fpga_bram36,fpga_bram18,fpga_uram";
/* the script's CSV fields (1-based) of those columns: lut_logic, lut_mem,
 * srl, ff, dsp, ramb36, ramb18, uram (its --header) */
static const int script_field[SP_FPGA_NCOLS] = {17, 18, 19, 20, 23, 24, 25, 26};

/* s as one single-quoted shell word, appended to buf */
static int sh_word(char *buf, size_t len, const char *s)
{
    size_t n = strlen(buf);
    if (n + 1 >= len)
        return -1;
    buf[n++] = '\'';
    for (; *s; s++) {
        const char *t = *s == '\'' ? "'\\''" : NULL;
        size_t k = t ? 4 : 1;
        if (n + k + 2 >= len)
            return -1;
        if (t)
            memcpy(buf + n, t, k);
        else
            buf[n] = *s;
        n += k;
    }
    buf[n++] = '\'';
    buf[n] = 0;
    return 0;
}

int sp_sweep_fpga_init(sp_sweep_fpga *f, const char *family, const char *d_text, const char *work, int tools,
                       char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    if (strcmp(family, "xcup")) {
        snprintf(err, errlen, "sweep: --fpga '%s': the family mapped is xcup (AMD UltraScale+, Yosys synth_xilinx)",
                 family);
        return -1;
    }
    char *end;
    long d = strtol(d_text, &end, 10);
    if (!*d_text || *end || d < 1 || d > SP_MAX_D) {
        snprintf(err, errlen, "sweep: --fpga-d must be a head dimension in 1..%d, got '%s'", SP_MAX_D, d_text);
        return -1;
    }
    f->d = (int)d;
    snprintf(f->work, sizeof f->work, "%s", work);
    if (!tools)
        return 0;
    const char *env = getenv("SPATTN_FPGA_SCRIPT");
    if (env && *env) {
        snprintf(f->script, sizeof f->script, "%s", env);
    } else {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        char *slash = n > 0 ? (exe[n] = 0, strrchr(exe, '/')) : NULL;
        if (!slash) {
            snprintf(err, errlen, "sweep --fpga: cannot find the spattn executable's directory (set SPATTN_FPGA_SCRIPT)");
            return -1;
        }
        *slash = 0;
        if ((size_t)snprintf(f->script, sizeof f->script, "%s/../rtl/fpga/xilinx_resources.sh", exe) >=
            sizeof f->script)
            return snprintf(err, errlen, "sweep --fpga: executable path too long"), -1;
    }
    if (access(f->script, X_OK)) {
        snprintf(err, errlen, "sweep --fpga: no FPGA script %s (the source tree's rtl/fpga/xilinx_resources.sh; set "
                 "SPATTN_FPGA_SCRIPT)", f->script);
        return -1;
    }
    /* yosys on PATH: checked here so a sweep without it stops before any point runs */
    const char *ys = getenv("YOSYS");
    char cmd[4300] = "command -v ";
    if (sh_word(cmd, sizeof cmd, ys && *ys ? ys : "yosys") ||
        strlen(cmd) + 20 >= sizeof cmd)
        return snprintf(err, errlen, "sweep --fpga: YOSYS too long"), -1;
    strcat(cmd, " >/dev/null 2>&1");
    if (system(cmd) != 0) {
        snprintf(err, errlen, "sweep --fpga: %s not found; the FPGA counts need Yosys (Debian package yosys)",
                 ys && *ys ? ys : "yosys");
        return -1;
    }
    return 0;
}

/* point p's config as YAML (no sweep section) in path */
static int write_point(const sp_config *base, size_t p, const char *path, char *err, size_t errlen)
{
    sp_config *pc = malloc(sizeof *pc);
    if (!pc)
        return snprintf(err, errlen, "out of memory"), -1;
    int rc = sp_sweep_point_config(base, p, pc, err, errlen);
    if (!rc) {
        pc->sweep.n_axes = 0, pc->sweep.n_points = 0, pc->sweep.n_traces = 0;
        FILE *o = fopen(path, "w");
        if (o)
            sp_config_print(o, pc);
        if (!o || ferror(o) | fclose(o))
            rc = -1, snprintf(err, errlen, "cannot write %s", path);
    }
    free(pc);
    return rc;
}

/* runs cmd (sh -c) in its own process group, registered with the signal
 * watcher (killed with its children on SIGINT/SIGTERM); its stdout into
 * out (at most outlen - 1 bytes kept); the exit status, -1 when it could
 * not run or was killed */
static int run_cmd(const char *cmd, char *out, size_t outlen)
{
    int fd[2];
    if (pipe(fd))
        return -1;
    sp_cleanup_lock();
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    if (pid > 0)
        sp_cleanup_add_child_locked(pid);
    sp_cleanup_unlock();
    close(fd[1]);
    if (pid < 0) {
        close(fd[0]);
        return -1;
    }
    size_t n = 0;
    char b[4096];
    ssize_t k;
    while ((k = read(fd[0], b, sizeof b)) > 0 || (k < 0 && errno == EINTR))
        for (ssize_t i = 0; i < k; i++)
            if (n + 1 < outlen)
                out[n++] = b[i];
    out[n] = 0;
    close(fd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    sp_cleanup_lock();
    sp_cleanup_del_child_locked(pid);
    sp_cleanup_unlock();
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* the last non-empty line of text, in place */
static char *last_line(char *text)
{
    size_t n = strlen(text);
    while (n && text[n - 1] == '\n')
        text[--n] = 0;
    char *l = strrchr(text, '\n');
    return l ? l + 1 : text;
}

int sp_sweep_fpga_check(const sp_sweep_fpga *f, const sp_config *base, size_t npoints, char *err, size_t errlen)
{
    char tmp[4400], yaml[4500], cmd[9000], out[2048];
    if (sp_tmp_mkdir(f->work, tmp, sizeof tmp, err, errlen))
        return -1;
    snprintf(yaml, sizeof yaml, "%s/point.yaml", tmp);
    for (size_t p = 0; p < npoints; p++) {
        if (write_point(base, p, yaml, err, errlen)) {
            sp_tmp_discard(tmp);
            return -1;
        }
        snprintf(cmd, sizeof cmd, "%s", "");
        sh_word(cmd, sizeof cmd, f->script);
        snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " --check -d %d ", f->d);
        sh_word(cmd, sizeof cmd, yaml);
        strncat(cmd, " 2>&1", sizeof cmd - strlen(cmd) - 1);
        int rc = run_cmd(cmd, out, sizeof out);
        if (rc != 0) {
            /* "spattn_simcfg: FILE: message": the message is the point's */
            char *m = last_line(out), *at = strstr(m, yaml);
            if (at && !strncmp(at + strlen(yaml), ": ", 2))
                m = at + strlen(yaml) + 2;
            snprintf(err, errlen, "sweep point %zu: --fpga: %s (the RTL's parameter rules, docs/rtl.md s1, at "
                     "--fpga-d %d)", p, *m ? m : "the FPGA script failed", f->d);
            sp_tmp_discard(tmp);
            return -1;
        }
    }
    sp_tmp_discard(tmp);
    return 0;
}

int sp_sweep_fpga_point(const sp_sweep_fpga *f, const sp_config *base, size_t p, size_t id,
                        long counts[SP_FPGA_NCOLS], char *err, size_t errlen)
{
    char yaml[4400], dir[4400], log[4400], name[64], cmd[20000], out[16384];
    snprintf(yaml, sizeof yaml, "%s/fpga-%zu.yaml", f->work, id);
    snprintf(dir, sizeof dir, "%s/fpga-%zu", f->work, id);
    snprintf(log, sizeof log, "%s/fpga-%zu.log", f->work, id);
    snprintf(name, sizeof name, "point%zu", id);
    if (write_point(base, p, yaml, err, errlen))
        return -1;
    cmd[0] = 0;
    sh_word(cmd, sizeof cmd, f->script);
    /* topk with ABC's quick script: its full one runs for hours on the
     * flip-flop candidate buffers (rtl/README.md "FPGA") */
    snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " -H -X topk=-fastabc -d %d -n %s -w ", f->d, name);
    sh_word(cmd, sizeof cmd, dir);
    strncat(cmd, " ", sizeof cmd - strlen(cmd) - 1);
    sh_word(cmd, sizeof cmd, yaml);
    strncat(cmd, " 2>", sizeof cmd - strlen(cmd) - 1);
    sh_word(cmd, sizeof cmd, log);
    int rc = run_cmd(cmd, out, sizeof out);
    /* the summed line: name,family,14 parameters,11 counts,note */
    char *l = last_line(out);
    int ok = rc == 0 && !strncmp(l, name, strlen(name)) && l[strlen(name)] == ',';
    long v[32];
    int nf = 0;
    for (char *s = l; ok && nf < 32; nf++) {
        char *c = strchr(s, ',');
        if (nf >= 13 && nf < 27) {
            char *e;
            v[nf] = strtol(s, &e, 10);
            ok = e != s && (*e == ',' || !*e);
        }
        if (!c)
            break;
        s = c + 1;
    }
    if (!ok || nf < 27) {
        snprintf(err, errlen, "sweep --fpga: point %zu: the FPGA mapping failed (exit %d): see %s", id, rc, log);
        return -1;
    }
    for (int i = 0; i < SP_FPGA_NCOLS; i++)
        counts[i] = v[script_field[i] - 1];
    /* done: the work files go (the work directory's removal takes plain files only) */
    snprintf(cmd, sizeof cmd, "rm -rf ");
    sh_word(cmd, sizeof cmd, dir);
    if (system(cmd) != 0) {
        snprintf(err, errlen, "sweep --fpga: cannot remove %s", dir);
        return -1;
    }
    unlink(yaml);
    unlink(log);
    return 0;
}

char *sp_sweep_fpga_record(const char *rec, const sp_sweep_fpga *f, const long counts[SP_FPGA_NCOLS])
{
    cJSON *o = cJSON_Parse(rec);
    cJSON *csv = cJSON_GetObjectItem(o, "csv"), *pt = cJSON_GetObjectItem(o, "point");
    if (!cJSON_IsString(csv) || !cJSON_IsObject(pt)) {
        cJSON_Delete(o);
        return NULL;
    }
    size_t n = strlen(csv->valuestring);
    char *row = malloc(n + SP_FPGA_NCOLS * 24 + 1);
    cJSON *fo = cJSON_CreateObject();
    char *t = NULL;
    if (row && fo) {
        memcpy(row, csv->valuestring, n + 1);
        /* the row ends with its newline: the columns go before it */
        int nl = n && row[n - 1] == '\n';
        if (nl)
            row[--n] = 0;
        for (int i = 0; i < SP_FPGA_NCOLS; i++)
            n += (size_t)sprintf(row + n, ",%ld", counts[i]);
        if (nl)
            strcpy(row + n, "\n");
        cJSON_AddStringToObject(fo, "family", "xcup");
        cJSON_AddNumberToObject(fo, "hardware_d", f->d);
        cJSON_AddStringToObject(fo, "mapping", "Yosys synth_xilinx -family xcup, out of context, hierarchy kept, "
                                               "topk with abc -fast (rtl/fpga/xilinx_resources.sh -H -X "
                                               "topk=-fastabc)");
        for (int i = 0; i < SP_FPGA_NCOLS; i++)
            cJSON_AddNumberToObject(fo, sp_fpga_cols[i] + 5, (double)counts[i]);
        cJSON_AddItemToObject(pt, "fpga", fo);
        fo = NULL;
        cJSON_ReplaceItemInObject(o, "csv", cJSON_CreateString(row));
        t = cJSON_PrintUnformatted(o);
    }
    cJSON_Delete(fo);
    cJSON_Delete(o);
    free(row);
    return t;
}
