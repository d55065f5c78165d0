/*
 * cmd_config.c - `hbscan config check`: the configuration preflight
 * (config_check.c) on the command line, rendered by the diagnosis module,
 * and `hbscan config checks`, the table of checks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config_check.h"
#include "diagnose.h"
#include "knowledge.h"
#include "util.h"

#define MAX_FILES 4096

static const char usage_text[] =
    "usage: hbscan config check [OPTIONS] FILE...\n"
    "       hbscan config checks [--format text|markdown]\n"
    "\n"
    "Checks Polaris client, server and build configuration before deploying\n"
    "and reports what would make registration or heartbeats fail, with\n"
    "file:line evidence and the cause the log diagnosis would name.\n"
    "\n"
    "FILE is any mix of (told apart by name and content):\n"
    "  application*.yml|yaml|properties, bootstrap*.*  Spring Cloud Tencent\n"
    "  polaris.yml                  polaris-java SDK (global.serverConnector)\n"
    "  polaris-server.yaml          Polaris server (any YAML with "
    "apiservers:)\n"
    "  pom.xml, build.gradle(.kts), gradle.properties, `mvn dependency:list`\n"
    "  or `gradle dependencies` output          library versions\n"
    "Given client and server files, it says whether the client's address\n"
    "reaches a listener that opens register, healthcheck and discover.\n"
    "\n"
    "options:\n"
    "  -f, --format FMT      text (default), json, markdown, or lines: one\n"
    "                        \"path:line: severity: title [cause/check-id]\"\n"
    "                        per finding, most severe first\n"
    "      --color WHEN      auto (default), always, never; NO_COLOR is\n"
    "                        honoured\n"
    "      --ascii           ASCII only (also when the locale is not UTF-8)\n"
    "      --width N         text width in columns (default 100)\n"
    "      --max-evidence N  evidence lines per cause (default 5)\n"
    "  -v, --verbose         every cause and every evidence line\n"
    "      --fail-on WHAT    exit 1 when a cause of this severity (critical,\n"
    "                        error, warning, info) or this cause name (port,\n"
    "                        api-gating, version-mismatch, auth, not-found,\n"
    "                        rate-limit, server-error, config) is found, or\n"
    "                        any finding at all (any)\n"
    "      --server FILE     read FILE as a polaris-server.yaml (repeatable)\n"
    "      --knowledge DIR   ports and version matrix (default: built in;\n"
    "                        rules/knowledge/ holds the same as YAML)\n"
    "  -h, --help            show this help\n"
    "\n"
    "`hbscan config checks` lists every check: id, cause, severity, what.\n"
    "\n"
    "exit status: 0 ok, 1 --fail-on matched, 2 usage, 4 a file could not be\n"
    "read or parsed (the others were still checked; 4 wins over 1).\n";

enum fmt { FMT_TEXT, FMT_JSON, FMT_MARKDOWN, FMT_LINES };

static int usage_error(const char *fmt, ...) HB_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("hbscan: config: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nsee: hbscan config --help\n", stderr);
    return HB_EXIT_USAGE;
}

static bool parse_format(const char *v, enum fmt *f)
{
    static const struct {
        const char *name;
        enum fmt f;
    } names[] = {{"text", FMT_TEXT},
                 {"json", FMT_JSON},
                 {"markdown", FMT_MARKDOWN},
                 {"md", FMT_MARKDOWN},
                 {"lines", FMT_LINES}};
    size_t i;

    for (i = 0; i < HB_ARRAY_LEN(names); i++) {
        if (strcmp(names[i].name, v) == 0) {
            *f = names[i].f;
            return true;
        }
    }
    return false;
}

/* "--opt VALUE" or "--opt=VALUE"; advances *i past what it used. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];

    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc)
        return "";
    return argv[++*i];
}

static int list_checks(int argc, char **argv)
{
    enum fmt f = FMT_TEXT;
    size_t i;
    int k;

    for (k = 1; k < argc; k++) {
        const char *v = opt_value(argc, argv, &k, "--format");

        if (strcmp(argv[k], "-h") == 0 || strcmp(argv[k], "--help") == 0) {
            fputs(usage_text, stdout);
            return HB_EXIT_OK;
        }
        if (v == NULL || !parse_format(v, &f) || f == FMT_JSON)
            return usage_error("bad argument to checks: '%s'", argv[k]);
    }
    if (f == FMT_MARKDOWN)
        fputs("| id | cause | severity | what |\n|---|---|---|---|\n", stdout);
    for (i = 0; i < hb_config_check_count(); i++) {
        const struct hb_check_info *c = hb_config_check_info(i);

        if (f == FMT_MARKDOWN)
            printf("| `%s` | %s | %s | %s |\n", c->id, hb_cause_name(c->cause),
                   hb_severity_name(c->severity), c->what);
        else
            printf("%-32s %-16s %-8s %s\n", c->id, hb_cause_name(c->cause),
                   hb_severity_name(c->severity), c->what);
    }
    return HB_EXIT_OK;
}

/* Most severe first, then by file and line. */
static int by_severity(const void *a, const void *b)
{
    const struct hb_finding *x = *(const struct hb_finding *const *)a;
    const struct hb_finding *y = *(const struct hb_finding *const *)b;
    int c;

    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    c = strcmp(x->path, y->path);
    if (c != 0)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return strcmp(x->check_id, y->check_id);
}

/* One "path:line: severity: title [cause/check-id]" per finding, the form
 * compilers use, so editors and CI annotations can jump to the line. */
static void print_lines(const struct hb_config_set *s)
{
    size_t i, n = hb_config_set_count(s);
    const struct hb_finding **v = hb_xcalloc(n, sizeof *v);

    for (i = 0; i < n; i++)
        v[i] = hb_config_set_at(s, i);
    qsort(v, n, sizeof *v, by_severity);
    for (i = 0; i < n; i++) {
        const struct hb_finding *f = v[i];

        printf("%s:%lu: %s: %s [%s/%s]\n", f->path, f->line,
               hb_severity_name(f->severity), f->title, hb_cause_name(f->cause),
               f->check_id);
    }
    free(v);
}

struct opts {
    enum fmt format;
    const char *color, *fail_on, *knowledge;
    bool ascii, verbose;
    int width;
    unsigned max_evidence;
    const char **servers, **files; /* owned arrays of borrowed argv */
    size_t nservers, nfiles;
};

/* A number in lo..hi for --width / --max-evidence. */
static bool parse_range(const char *v, long lo, long hi, long *out)
{
    char *end;
    long n = strtol(v, &end, 10);

    if (end == v || *end != '\0' || n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

/* Parses argv into o; returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct opts *o)
{
    bool dashdash = false;
    long n;
    int k;

    for (k = 1; k < argc; k++) {
        const char *a = argv[k], *v;

        if (dashdash || a[0] != '-' || a[1] == '\0') {
            o->files[o->nfiles++] = a;
        } else if (strcmp(a, "--") == 0) {
            dashdash = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            return HB_EXIT_OK;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = true;
        } else if (strcmp(a, "--ascii") == 0) {
            o->ascii = true;
        } else if ((v = opt_value(argc, argv, &k, "--format")) != NULL ||
                   (v = opt_value(argc, argv, &k, "-f")) != NULL) {
            if (!parse_format(v, &o->format))
                return usage_error("unknown format '%s' (text, json, "
                                   "markdown, lines)",
                                   v);
        } else if ((v = opt_value(argc, argv, &k, "--color")) != NULL) {
            if (strcmp(v, "auto") && strcmp(v, "always") && strcmp(v, "never"))
                return usage_error("%s", "--color wants auto, always or never");
            o->color = v;
        } else if ((v = opt_value(argc, argv, &k, "--fail-on")) != NULL) {
            if (!hb_dx_fail_on_valid(v))
                return usage_error("--fail-on wants a severity (critical, "
                                   "error, warning, info), a cause name or "
                                   "any, not '%s'",
                                   v);
            o->fail_on = v;
        } else if ((v = opt_value(argc, argv, &k, "--width")) != NULL) {
            if (!parse_range(v, 40, 1000, &n))
                return usage_error("%s", "--width wants 40..1000");
            o->width = (int)n;
        } else if ((v = opt_value(argc, argv, &k, "--max-evidence")) != NULL) {
            if (!parse_range(v, 1, 1000, &n))
                return usage_error("%s", "--max-evidence wants 1..1000");
            o->max_evidence = (unsigned)n;
        } else if ((v = opt_value(argc, argv, &k, "--knowledge")) != NULL) {
            if (v[0] == '\0')
                return usage_error("%s needs a directory", "--knowledge");
            o->knowledge = v;
        } else if ((v = opt_value(argc, argv, &k, "--server")) != NULL) {
            if (v[0] == '\0')
                return usage_error("%s needs a file", "--server");
            o->servers[o->nservers++] = v;
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    if (o->nfiles + o->nservers == 0)
        return usage_error("%s", "no file to check");
    if (o->nfiles + o->nservers > MAX_FILES)
        return usage_error("%s", "too many files (at most 4096)");
    return -1;
}

static int check(int argc, char **argv)
{
    static const char *const fmt_names[] = {"text", "json", "markdown", "text"};
    struct hb_config_set *s = NULL;
    struct hb_knowledge *know = NULL;
    struct hb_dx *dx = NULL;
    struct hb_report_opts ro;
    struct hb_diag d;
    struct opts o;
    size_t i;
    int rc;

    memset(&o, 0, sizeof o);
    o.servers = hb_xcalloc((size_t)argc, sizeof *o.servers);
    o.files = hb_xcalloc((size_t)argc, sizeof *o.files);
    rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        goto out;
    rc = HB_EXIT_OK;
    if (hb_report_opts_init(&ro, fmt_names[o.format], o.color, o.ascii, 1,
                            &d) != HB_OK) {
        hb_diag_print(&d, stderr);
        rc = HB_EXIT_USAGE;
        goto out;
    }
    ro.verbose = o.verbose;
    if (o.width)
        ro.width = o.width;
    if (o.max_evidence)
        ro.max_evidence = o.max_evidence;

    /* the checks use the same tables as the report (problems are reported
     * once, by the diagnosis) */
    dx = hb_dx_new(NULL, o.knowledge);
    if (o.knowledge)
        hb_knowledge_load(&know, o.knowledge, NULL, NULL);
    s = hb_config_set_new();
    hb_config_set_knowledge(s, know);
    for (i = 0; i < o.nservers; i++)
        hb_config_set_add(s, o.servers[i], HB_CFG_SERVER, NULL);
    for (i = 0; i < o.nfiles; i++)
        hb_config_set_add(s, o.files[i], HB_CFG_AUTO, NULL);
    for (i = 0; i < hb_config_set_nerrors(s); i++)
        hb_diag_print(hb_config_set_error(s, i), stderr);
    hb_config_set_run(s);
    if (hb_config_set_dropped(s))
        fprintf(stderr,
                "hbscan: %zu more findings not listed (at most %d per "
                "check)\n",
                hb_config_set_dropped(s), HB_CONFIG_MAX_PER_CHECK);

    for (i = 0; i < hb_config_set_count(s); i++)
        hb_dx_add_finding(dx, hb_config_set_at(s, i));
    if (o.format == FMT_LINES) {
        print_lines(s);
    } else {
        struct hb_input_stats st;

        memset(&st, 0, sizeof st);
        st.sources = o.nfiles + o.nservers;
        st.input_errors = (unsigned)hb_config_set_nerrors(s);
        hb_dx_report(dx, &st, &ro, stdout);
    }
    if (hb_config_set_nerrors(s) > 0)
        rc = HB_EXIT_INPUT;
    else if (o.fail_on && hb_dx_fails(dx, o.fail_on))
        rc = HB_EXIT_FOUND;
out:
    /* the set's strings outlive the diagnosis that was given them */
    hb_dx_free(dx);
    hb_config_set_free(s);
    hb_knowledge_free(know);
    free(o.servers);
    free(o.files);
    return rc;
}

int hb_cmd_config(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return HB_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        return HB_EXIT_OK;
    }
    if (strcmp(argv[1], "check") == 0)
        return check(argc - 1, argv + 1);
    if (strcmp(argv[1], "checks") == 0)
        return list_checks(argc - 1, argv + 1);
    return usage_error("unknown subcommand '%s' (check, checks)", argv[1]);
}
