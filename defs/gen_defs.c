/* gen_defs.c - reads defs/spattn.defs (format: defs/README.md) and writes
 * the C header (#define SP_<NAME> value) and the Verilog include
 * (`define SP_<NAME> value) that every part of spattn builds against.
 * Both files are written from the one table built here, to temporary names
 * first; on any error neither is written (message "file:line: what",
 * exit status 2).
 *
 *   gen_defs DEFS OUT.h OUT.vh
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEFS 512
#define MAX_NAME 48
#define MAX_TEXT 256
#define VAL_MAX INT64_C(2147483647)    /* every value fits a C int and a Verilog integer */
#define MID_MAX (INT64_C(1) << 48)     /* bound on intermediate results */

typedef struct {
    int is_group;            /* 1: a group header, 0: a constant */
    char name[MAX_NAME];     /* constant: NAME without the SP_ prefix */
    int64_t value;
    int width;               /* Verilog width of a constant (0: unsized) */
    char text[MAX_TEXT];     /* constant: its comment; group: its title */
} entry;

static entry tab[MAX_DEFS];
static int ntab;
static const char *g_file;
static int g_line;

static void die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: ", g_file, g_line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static const entry *lookup(const char *name)
{
    for (int i = 0; i < ntab; i++)
        if (!tab[i].is_group && strcmp(tab[i].name, name) == 0)
            return &tab[i];
    return NULL;
}

/* ---- expressions: cmp := shift [relop shift]; shift := sum {(<<|>>) sum};
 * sum := prod {(+|-) prod}; prod := atom {(*|/) atom};
 * atom := integer | NAME | ( cmp ) */
static const char *ep;

static void skip_ws(void)
{
    while (*ep == ' ' || *ep == '\t')
        ep++;
}

static int64_t check_mid(int64_t v)
{
    if (v > MID_MAX || v < -MID_MAX)
        die("expression value out of range (|v| > 2^48)");
    return v;
}

static int64_t e_cmp(void);

static int64_t e_atom(void)
{
    skip_ws();
    if (*ep == '(') {
        ep++;
        int64_t v = e_cmp();
        skip_ws();
        if (*ep != ')')
            die("expected ')' in expression");
        ep++;
        return v;
    }
    if (isdigit((unsigned char)*ep)) {
        int64_t v = 0;
        while (isdigit((unsigned char)*ep)) {
            v = check_mid(v * 10 + (*ep - '0'));
            ep++;
        }
        if (isalpha((unsigned char)*ep) || *ep == '_')
            die("bad number (only decimal integers)");
        return v;
    }
    if (isupper((unsigned char)*ep)) {
        char name[MAX_NAME];
        size_t n = 0;
        while (isupper((unsigned char)*ep) || isdigit((unsigned char)*ep) || *ep == '_') {
            if (n + 1 >= sizeof name)
                die("name too long");
            name[n++] = *ep++;
        }
        name[n] = 0;
        const entry *e = lookup(name);
        if (!e)
            die("'%s' is not defined above this line", name);
        return e->value;
    }
    if (*ep == 0)
        die("expression ends early");
    die("unexpected '%c' in expression", *ep);
    return 0;
}

static int64_t e_prod(void)
{
    int64_t v = e_atom();
    for (;;) {
        skip_ws();
        if (*ep == '*') {
            ep++;
            v = check_mid(v * e_atom());
        } else if (*ep == '/') {
            ep++;
            int64_t d = e_atom();
            if (d == 0)
                die("division by zero");
            if (v % d)
                die("division %lld / %lld is not exact", (long long)v, (long long)d);
            v /= d;
        } else {
            return v;
        }
    }
}

static int64_t e_sum(void)
{
    int64_t v = e_prod();
    for (;;) {
        skip_ws();
        if (*ep == '+') {
            ep++;
            v = check_mid(v + e_prod());
        } else if (*ep == '-') {
            ep++;
            v = check_mid(v - e_prod());
        } else {
            return v;
        }
    }
}

static int64_t e_shift(void)
{
    int64_t v = e_sum();
    for (;;) {
        skip_ws();
        int left = ep[0] == '<' && ep[1] == '<', right = ep[0] == '>' && ep[1] == '>';
        if (!left && !right)
            return v;
        ep += 2;
        int64_t s = e_sum();
        if (s < 0 || s > 48 || v < 0)
            die("shift of %lld by %lld out of range", (long long)v, (long long)s);
        v = left ? check_mid(v << s) : v >> s;
    }
}

static int64_t e_cmp(void)
{
    int64_t a = e_shift();
    skip_ws();
    static const char *const ops[] = {"<=", ">=", "==", "!=", "<", ">"};
    for (int i = 0; i < 6; i++) {
        size_t n = strlen(ops[i]);
        if (strncmp(ep, ops[i], n) != 0 || (n == 1 && (ep[1] == '<' || ep[1] == '>')))
            continue;
        ep += n;
        int64_t b = e_shift();
        switch (i) {
        case 0: return a <= b;
        case 1: return a >= b;
        case 2: return a == b;
        case 3: return a != b;
        case 4: return a < b;
        default: return a > b;
        }
    }
    return a;
}

static int64_t eval(const char *s)
{
    ep = s;
    int64_t v = e_cmp();
    skip_ws();
    if (*ep)
        die("unexpected '%s' after expression", ep);
    return v;
}

/* ---- lines */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = 0;
    return s;
}

static void set_text(char *dst, const char *src, const char *what)
{
    if (!*src)
        die("%s missing", what);
    if (strlen(src) >= MAX_TEXT)
        die("%s longer than %d characters", what, MAX_TEXT - 1);
    if (strstr(src, "*/") || strstr(src, "/*"))
        die("%s must not contain '/*' or '*/'", what);
    for (const char *p = src; *p; p++)
        if (!isprint((unsigned char)*p))
            die("%s: only printable ASCII", what);
    strcpy(dst, src);
}

static entry *add(void)
{
    if (ntab >= MAX_DEFS)
        die("more than %d entries", MAX_DEFS);
    memset(&tab[ntab], 0, sizeof tab[ntab]);
    return &tab[ntab++];
}

static void parse_line(char *line, int *group_width, int *have_group)
{
    char *s = trim(line);
    if (*s == 0 || *s == '#')
        return;
    if (*s == '[') {
        char *close = strrchr(s, ']');
        if (!close)
            die("group header without ']'");
        *close = 0;
        char *rest = trim(close + 1);
        entry *g = add();
        g->is_group = 1;
        set_text(g->text, trim(s + 1), "group title");
        *group_width = 0;
        *have_group = 1;
        if (*rest) {
            if (strncmp(rest, "width", 5) != 0 || (rest[5] != ' ' && rest[5] != '\t'))
                die("after a group title only 'width EXPR' may follow");
            int64_t w = eval(rest + 5);
            if (w < 1 || w > 32)
                die("group width %lld out of 1..32", (long long)w);
            *group_width = (int)w;
        }
        return;
    }
    char *hash = strchr(s, '#');
    if (!hash)
        die("missing '# comment'");
    *hash = 0;
    char *comment = trim(hash + 1);
    char *body = trim(s);
    size_t n = 0;
    while (isupper((unsigned char)body[n]) || isdigit((unsigned char)body[n]) || body[n] == '_')
        n++;
    if (n == 0 || !isupper((unsigned char)body[0]) || (body[n] != ' ' && body[n] != '\t' && body[n] != 0))
        die("expected NAME EXPR # comment (NAME: A-Z, 0-9, _, starting with a letter)");
    char name[MAX_NAME];
    if (n >= sizeof name)
        die("name longer than %d characters", MAX_NAME - 1);
    memcpy(name, body, n);
    name[n] = 0;
    char *expr = trim(body + n);
    if (!*expr)
        die("%s has no value", name);
    if (!*have_group)
        die("%s comes before the first [group] header", name);
    if (strncmp(name, "SP_", 3) == 0)
        die("%s: write names without the SP_ prefix (the generator adds it)", name);
    if (lookup(name))
        die("%s defined twice", name);
    int64_t v = eval(expr);
    if (v < 0 || v > VAL_MAX)
        die("%s = %lld out of 0..2^31-1", name, (long long)v);
    if (*group_width && *group_width < 32 && v >= (INT64_C(1) << *group_width))
        die("%s = %lld does not fit the group's %d bits", name, (long long)v, *group_width);
    entry *e = add();
    strcpy(e->name, name);
    e->value = v;
    e->width = *group_width;
    set_text(e->text, comment, "comment");
}

static void parse_require(char *line)
{
    char *s = trim(line);
    char *hash = strchr(s, '#');
    if (!hash)
        die("require needs a '# comment' saying what it guards");
    *hash = 0;
    char *comment = trim(hash + 1);
    if (!*comment)
        die("require needs a '# comment' saying what it guards");
    char *expr = trim(s + 7);
    if (!eval(expr))
        die("requirement fails: %s (%s)", expr, comment);
}

/* ---- outputs */
static void write_h(FILE *f, const char *src)
{
    fprintf(f, "/* sp_defs.h - constants shared by the C model, the co-sim and the RTL.\n"
               " * Generated by gen_defs (defs/gen_defs.c) from %s: edit that file,\n"
               " * not this one. rtl/ reads the same values from sp_defs.vh. */\n"
               "#ifndef SP_DEFS_H\n#define SP_DEFS_H\n",
            src);
    for (int i = 0; i < ntab; i++) {
        const entry *e = &tab[i];
        if (e->is_group)
            fprintf(f, "\n/* %s */\n", e->text);
        else
            fprintf(f, "#define SP_%s %lld /* %s */\n", e->name, (long long)e->value, e->text);
    }
    fprintf(f, "\n#endif\n");
}

static void write_vh(FILE *f, const char *src)
{
    fprintf(f, "// sp_defs.vh - constants shared by the RTL, the C model and the co-sim.\n"
               "// Generated by gen_defs (defs/gen_defs.c) from %s: edit that file,\n"
               "// not this one. The C model reads the same values from sp_defs.h.\n"
               "`ifndef SP_DEFS_VH\n`define SP_DEFS_VH\n",
            src);
    for (int i = 0; i < ntab; i++) {
        const entry *e = &tab[i];
        if (e->is_group) {
            fprintf(f, "\n// %s\n", e->text);
        } else {
            fprintf(f, "// %s\n", e->text);
            if (e->width)
                fprintf(f, "`define SP_%s %d'd%lld\n", e->name, e->width, (long long)e->value);
            else
                fprintf(f, "`define SP_%s %lld\n", e->name, (long long)e->value);
        }
    }
    fprintf(f, "\n`endif\n");
}

static int write_file(const char *path, void (*emit)(FILE *, const char *), const char *src, char *tmp,
                      size_t tmplen)
{
    snprintf(tmp, tmplen, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "gen_defs: cannot write %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    emit(f, src);
    if (fclose(f) != 0) {
        fprintf(stderr, "gen_defs: cannot write %s: %s\n", tmp, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen_defs DEFS OUT.h OUT.vh\n");
        return 2;
    }
    g_file = argv[1];
    FILE *in = fopen(argv[1], "r");
    if (!in) {
        fprintf(stderr, "gen_defs: cannot open %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    char line[1024];
    int group_width = 0, have_group = 0;
    while (fgets(line, sizeof line, in)) {
        g_line++;
        if (!strchr(line, '\n') && !feof(in))
            die("line longer than %d characters", (int)sizeof line - 2);
        char *s = trim(line);
        if (strncmp(s, "require", 7) == 0 && (s[7] == ' ' || s[7] == '\t'))
            parse_require(s);
        else
            parse_line(s, &group_width, &have_group);
    }
    fclose(in);
    int nconst = 0;
    for (int i = 0; i < ntab; i++)
        nconst += !tab[i].is_group;
    if (nconst == 0)
        die("no constants defined in the file");
    char th[1100], tv[1100];
    if (write_file(argv[2], write_h, argv[1], th, sizeof th) != 0)
        return 2;
    if (write_file(argv[3], write_vh, argv[1], tv, sizeof tv) != 0) {
        remove(th);
        return 2;
    }
    if (rename(th, argv[2]) != 0 || rename(tv, argv[3]) != 0) {
        fprintf(stderr, "gen_defs: cannot rename the outputs into place: %s\n", strerror(errno));
        remove(th);
        remove(tv);
        return 2;
    }
    return 0;
}
