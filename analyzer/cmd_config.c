/*
 * cmd_config.c - `hbscan config check`: the configuration preflight
 * (config_check.c) on the command line, rendered by the diagnosis module,
 * and `hbscan config checks`, the table of checks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "config_check.h"
#include "diagnose.h"
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
    "      --fail-on WHAT    exit 1 when a cause of this severity (critical,\n"
    "                        error, warning, info) or this cause name (port,\n"
    "                        api-gating, version-mismatch, auth, not-found,\n"
    "                        rate-limit, server-error, config) is found\n"
    "      --server FILE     read FILE as a polaris-server.yaml (repeatable)\n"
    "  -v, --verbose         more detail in the report\n"
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

static bool valid_fail_on(const char *v)
{
    return hb_severity_from_name(v) >= 0 ||
           hb_cause_from_name(v) != HB_CAUSE_NONE;
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

static int check(int argc, char **argv)
{
    struct hb_config_set *s = NULL;
    struct hb_dx *dx = NULL;
    const char *fail_on = NULL;
    const char **servers = NULL, **files = NULL;
    size_t nservers = 0, nfiles = 0, i;
    enum fmt f = FMT_TEXT;
    const char *color = "auto";
    bool dashdash = false, verbose = false;
    int rc = HB_EXIT_OK, k;

    servers = hb_xcalloc((size_t)argc, sizeof *servers);
    files = hb_xcalloc((size_t)argc, sizeof *files);
    for (k = 1; k < argc; k++) {
        const char *a = argv[k], *v;

        if (dashdash || a[0] != '-' || a[1] == '\0') {
            files[nfiles++] = a;
        } else if (strcmp(a, "--") == 0) {
            dashdash = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            goto out;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            verbose = true;
        } else if ((v = opt_value(argc, argv, &k, "--format")) != NULL ||
                   (v = opt_value(argc, argv, &k, "-f")) != NULL) {
            if (!parse_format(v, &f)) {
                rc = usage_error("unknown format '%s' (text, json, markdown, "
                                 "lines)",
                                 v);
                goto out;
            }
        } else if ((v = opt_value(argc, argv, &k, "--color")) != NULL) {
            if (strcmp(v, "auto") && strcmp(v, "always") &&
                strcmp(v, "never")) {
                rc = usage_error("%s", "--color wants auto, always or never");
                goto out;
            }
            color = v;
        } else if ((v = opt_value(argc, argv, &k, "--fail-on")) != NULL) {
            if (!valid_fail_on(v)) {
                rc = usage_error("--fail-on wants a severity (critical, error, "
                                 "warning, info) or a cause name, not '%s'",
                                 v);
                goto out;
            }
            fail_on = v;
        } else if ((v = opt_value(argc, argv, &k, "--server")) != NULL) {
            if (v[0] == '\0') {
                rc = usage_error("%s needs a file", "--server");
                goto out;
            }
            servers[nservers++] = v;
        } else {
            rc = usage_error("unknown option '%s'", a);
            goto out;
        }
    }
    if (nfiles + nservers == 0) {
        rc = usage_error("%s", "no file to check");
        goto out;
    }
    if (nfiles + nservers > MAX_FILES) {
        rc = usage_error("%s", "too many files (at most 4096)");
        goto out;
    }
    s = hb_config_set_new();
    for (i = 0; i < nservers; i++)
        hb_config_set_add(s, servers[i], HB_CFG_SERVER, NULL);
    for (i = 0; i < nfiles; i++)
        hb_config_set_add(s, files[i], HB_CFG_AUTO, NULL);
    for (i = 0; i < hb_config_set_nerrors(s); i++)
        hb_diag_print(hb_config_set_error(s, i), stderr);
    hb_config_set_run(s);
    if (hb_config_set_dropped(s))
        fprintf(stderr,
                "hbscan: %zu more findings not listed (at most %d per "
                "check)\n",
                hb_config_set_dropped(s), HB_CONFIG_MAX_PER_CHECK);

    dx = hb_dx_new(NULL, NULL);
    for (i = 0; i < hb_config_set_count(s); i++)
        hb_dx_add_finding(dx, hb_config_set_at(s, i));
    if (f == FMT_LINES) {
        print_lines(s);
        hb_dx_rank(dx);
    } else {
        struct hb_input_stats st;
        struct hb_report_opts o;

        memset(&st, 0, sizeof st);
        st.sources = nfiles + nservers;
        st.input_errors = (unsigned)hb_config_set_nerrors(s);
        memset(&o, 0, sizeof o);
        o.format = f == FMT_JSON       ? HB_REPORT_JSON
                   : f == FMT_MARKDOWN ? HB_REPORT_MARKDOWN
                                       : HB_REPORT_TEXT;
        o.verbose = verbose;
        o.color = strcmp(color, "always") == 0 ||
                  (strcmp(color, "auto") == 0 && isatty(STDOUT_FILENO) &&
                   getenv("NO_COLOR") == NULL);
        hb_dx_report(dx, &st, &o, stdout);
    }
    if (hb_config_set_nerrors(s) > 0)
        rc = HB_EXIT_INPUT;
    else if (fail_on && hb_dx_fails(dx, fail_on))
        rc = HB_EXIT_FOUND;
out:
    /* the diagnosis may point into the set's strings: free it first */
    hb_dx_free(dx);
    hb_config_set_free(s);
    free(servers);
    free(files);
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
