/*
 * cmd_rules.c - `hbscan rules check|test|list|show`: validate the rule
 * files and run their samples, try rules out on real logs (like
 * fail2ban-regex), and print what the loaded rules are.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "extract.h"
#include "hbscan.h"
#include "reader.h"
#include "record.h"
#include "rules.h"
#include "unwrap.h"
#include "util.h"

#define MAX_DIRS          64
#define EXAMPLES_PER_RULE 3
#define MISSED_SHOWN      20
#define EXAMPLE_BYTES     200

static const char usage_text[] =
    "usage: hbscan rules check [--rules DIR]... [DIR|FILE...]\n"
    "       hbscan rules test  [--rules DIR]... [--rule ID] [-v] FILE...\n"
    "       hbscan rules list  [--rules DIR]... [--format text|json]\n"
    "       hbscan rules show  [--rules DIR]... ID\n"
    "\n"
    "Validates, tries out and lists the YAML rules that classify Polaris\n"
    "failures (schema: rules/README.md).\n"
    "\n"
    "  check   load the rules, print every error as file:line:col, then run\n"
    "          every rule's samples; prints \"N rules OK, M samples passed\"\n"
    "  test    run the rules over log files (plain or gzip, - for stdin):\n"
    "          each rule's hits with up to 3 example lines, then the records\n"
    "          that carry a Polaris code or failure but matched no rule\n"
    "  list    one line per rule: id, cause, severity, weight, title\n"
    "  show    one rule in full: texts, references, gate, condition, "
    "file:line\n"
    "\n"
    "options:\n"
    "  --rules DIR     also load DIR (a directory of *.yaml/*.yml, or one "
    "file)\n"
    "                  after the default rules: a rule with the same id\n"
    "                  replaces the earlier one, `disabled: true` removes it;\n"
    "                  repeatable\n"
    "  --rule ID       test: run only this rule\n"
    "  --format FMT    list: text (default) or json\n"
    "  -v, --verbose   test: per-rule statistics (records tried, hits, regex\n"
    "                  limit hits, time in the regex engine)\n"
    "  -h, --help      show this help\n"
    "\n"
    "Default rules: $HBSCAN_RULES (directories separated by ':'), else the\n"
    "rules/ directory of the build tree, else " HB_PREFIX
    "/share/hbscan/rules.\n"
    "With DIR|FILE arguments, check validates exactly those instead.\n"
    "Exit status: 0 ok, 2 usage, 3 invalid rules or failing samples,\n"
    "4 some input unreadable.\n";

struct opts {
    const char *extra[MAX_DIRS]; /* --rules, borrowed from argv */
    size_t nextra;
    const char *only;   /* --rule */
    const char *format; /* --format */
    bool verbose;
    char **args; /* positional, borrowed from argv */
    int nargs;
};

static int usage_error(const char *fmt, ...) HB_PRINTF(1, 2);

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("hbscan: rules: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see hbscan rules --help)\n", stderr);
    return HB_EXIT_USAGE;
}

/* The value of "--name VALUE" or "--name=VALUE" at argv[*i], or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name,
                             bool *bad)
{
    size_t n = strlen(name);
    const char *a = argv[*i];

    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *bad = true;
        return NULL;
    }
    return argv[++*i];
}

/* Parses the options of a subcommand (argv[0] is its name). Returns -1 when
   all went well, else an exit code (help printed, or a usage error). */
static int parse_opts(int argc, char **argv, struct opts *o)
{
    int i;

    memset(o, 0, sizeof *o);
    o->args = hb_xcalloc((size_t)argc + 1, sizeof *o->args);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        bool bad = false;

        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++)
                o->args[o->nargs++] = argv[i];
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            return HB_EXIT_OK;
        }
        if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = true;
            continue;
        }
        if ((v = opt_value(argc, argv, &i, "--rules", &bad)) != NULL) {
            if (o->nextra == MAX_DIRS)
                return usage_error("more than %d --rules options", MAX_DIRS);
            o->extra[o->nextra++] = v;
            continue;
        }
        if ((v = opt_value(argc, argv, &i, "--rule", &bad)) != NULL) {
            o->only = v;
            continue;
        }
        if ((v = opt_value(argc, argv, &i, "--format", &bad)) != NULL) {
            o->format = v;
            continue;
        }
        if (bad)
            return usage_error("option %s needs a value", a);
        if (a[0] == '-' && a[1] != '\0')
            return usage_error("unknown option %s", a);
        o->args[o->nargs++] = argv[i];
    }
    return -1;
}

/* Loads the defaults (or the given paths) then the --rules dirs. */
static int load(const struct opts *o, const char *const *paths, size_t npaths,
                struct hb_ruleset **rs)
{
    const char *dirs[MAX_DIRS * 2];
    struct hb_errlist errs = {0};
    size_t n = 0, i;
    int rc = HB_EXIT_OK;

    if (npaths > MAX_DIRS)
        npaths = MAX_DIRS;
    if (paths && npaths) {
        for (i = 0; i < npaths; i++)
            dirs[n++] = paths[i];
    } else {
        n = hb_rules_default_dirs(dirs, MAX_DIRS, hb_progname);
    }
    for (i = 0; i < o->nextra; i++)
        dirs[n++] = o->extra[i];
    if (hb_rules_load(rs, dirs, n, &errs) != HB_OK) {
        hb_errlist_print(&errs, stderr);
        fprintf(stderr, "hbscan: %zu error%s in the rule files\n",
                hb_errlist_count(&errs),
                hb_errlist_count(&errs) == 1 ? "" : "s");
        rc = HB_EXIT_RULES;
    }
    hb_errlist_fini(&errs);
    return rc;
}

/* ---- check ----------------------------------------------------------------
 */

static int cmd_check(const struct opts *o)
{
    struct hb_ruleset *rs = NULL;
    size_t fails, total = 0;
    int rc;

    rc = load(o, (const char *const *)o->args, (size_t)o->nargs, &rs);
    if (rc != HB_EXIT_OK)
        return rc;
    fails = hb_rules_test_samples(rs, stderr, &total);
    if (fails) {
        printf("%zu rules loaded, %zu of %zu samples failed\n",
               hb_rules_count(rs), fails, total);
        rc = HB_EXIT_RULES;
    } else {
        printf("%zu rules OK, %zu samples passed\n", hb_rules_count(rs), total);
    }
    hb_rules_free(rs);
    return rc;
}

/* ---- list and show ----------------------------------------------------------
 */

static int cmd_list(const struct opts *o)
{
    struct hb_ruleset *rs = NULL;
    const char *fmt = o->format ? o->format : "text";
    size_t i, n, w = 2;
    int rc;

    if (strcmp(fmt, "text") != 0 && strcmp(fmt, "json") != 0)
        return usage_error("unknown --format %s (text or json)", fmt);
    if (o->nargs)
        return usage_error("list takes no argument, got %s", o->args[0]);
    rc = load(o, NULL, 0, &rs);
    if (rc != HB_EXIT_OK)
        return rc;
    n = hb_rules_count(rs);
    if (strcmp(fmt, "json") == 0) {
        struct hb_buf b;

        hb_buf_init(&b);
        hb_buf_puts(&b, "[");
        for (i = 0; i < n; i++) {
            const struct hb_rule_meta *m = hb_rules_get(rs, i);
            size_t k;

            hb_buf_puts(&b, i ? ",\n  {\"id\":" : "\n  {\"id\":");
            hb_buf_json_str(&b, m->id, strlen(m->id));
            hb_buf_printf(&b, ",\"cause\":\"%s\",\"alternatives\":[",
                          hb_cause_name(m->cause));
            for (k = 0; k < HB_ARRAY_LEN(m->alternatives) &&
                        m->alternatives[k] != HB_CAUSE_NONE;
                 k++)
                hb_buf_printf(&b, "%s\"%s\"", k ? "," : "",
                              hb_cause_name(m->alternatives[k]));
            hb_buf_printf(&b, "],\"severity\":\"%s\",\"weight\":%g,\"title\":",
                          hb_severity_name(m->severity), m->weight);
            hb_buf_json_str(&b, m->title, strlen(m->title));
            hb_buf_puts(&b, ",\"file\":");
            hb_buf_json_str(&b, m->file, strlen(m->file));
            hb_buf_printf(&b, ",\"line\":%lu,\"samples\":%u}", m->line,
                          m->nsamples);
        }
        hb_buf_puts(&b, n ? "\n]\n" : "]\n");
        fputs(b.data, stdout);
        hb_buf_fini(&b);
    } else {
        for (i = 0; i < n; i++)
            if (strlen(hb_rules_get(rs, i)->id) > w)
                w = strlen(hb_rules_get(rs, i)->id);
        printf("%-*s  %-16s  %-8s  %-6s  %s\n", (int)w, "ID", "CAUSE",
               "SEVERITY", "WEIGHT", "TITLE");
        for (i = 0; i < n; i++) {
            const struct hb_rule_meta *m = hb_rules_get(rs, i);

            printf("%-*s  %-16s  %-8s  %-6.2f  %s\n", (int)w, m->id,
                   hb_cause_name(m->cause), hb_severity_name(m->severity),
                   m->weight, m->title);
        }
    }
    hb_rules_free(rs);
    return HB_EXIT_OK;
}

/* Prints text indented by two spaces, line by line. */
static void put_block(const char *label, const char *text)
{
    const char *p = text;

    printf("%s:\n", label);
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        printf("%s%.*s\n", n ? "  " : "", (int)n, p);
        p += n + (nl ? 1 : 0);
    }
}

static int cmd_show(const struct opts *o)
{
    struct hb_ruleset *rs = NULL;
    const struct hb_rule_meta *m;
    struct hb_buf b;
    size_t i, k;
    int rc;

    if (o->nargs != 1)
        return usage_error("show needs exactly one rule id");
    rc = load(o, NULL, 0, &rs);
    if (rc != HB_EXIT_OK)
        return rc;
    for (i = 0; i < hb_rules_count(rs); i++)
        if (strcmp(hb_rules_get(rs, i)->id, o->args[0]) == 0)
            break;
    if (i == hb_rules_count(rs)) {
        fprintf(stderr, "hbscan: rules: no rule '%s' (see hbscan rules list)\n",
                o->args[0]);
        hb_rules_free(rs);
        return HB_EXIT_USAGE;
    }
    m = hb_rules_get(rs, i);
    printf("id:           %s\n", m->id);
    printf("title:        %s\n", m->title);
    printf("cause:        %s (%s)\n", hb_cause_name(m->cause),
           hb_cause_title(m->cause));
    if (m->alternatives[0] != HB_CAUSE_NONE) {
        printf("alternatives:");
        for (k = 0; k < HB_ARRAY_LEN(m->alternatives) &&
                    m->alternatives[k] != HB_CAUSE_NONE;
             k++)
            printf("%s%s", k ? ", " : " ", hb_cause_name(m->alternatives[k]));
        printf("\n");
    }
    printf("severity:     %s\n", hb_severity_name(m->severity));
    printf("weight:       %g\n", m->weight);
    printf("defined at:   %s:%lu\n", m->file, m->line);
    printf("samples:      %u\n", m->nsamples);
    put_block("description", m->description);
    put_block("action", m->action);
    if (m->references && m->references[0]) {
        printf("references:\n");
        for (k = 0; m->references[k]; k++)
            printf("  - %s\n", m->references[k]);
    }
    hb_buf_init(&b);
    hb_rules_explain(rs, i, &b);
    fputs(b.data ? b.data : "", stdout);
    hb_buf_fini(&b);
    hb_rules_free(rs);
    return HB_EXIT_OK;
}

/* ---- test -----------------------------------------------------------------
 */

struct tally {
    uint64_t hits;
    char *examples[EXAMPLES_PER_RULE]; /* owned */
    size_t nexamples;
};

struct test_run {
    struct hb_ruleset *rs;
    struct hb_matcher *m;
    const char *only;
    struct tally *per_rule;     /* owned; one per rule */
    char *missed[MISSED_SHOWN]; /* owned */
    uint64_t nmissed, records, matched;
};

/* "file:line: text", the text capped and made printable. */
static char *example(const struct hb_record *rec)
{
    struct hb_buf b;
    size_t i, n = rec->head.n;

    hb_buf_init(&b);
    hb_buf_printf(&b, "%s:%llu: ", rec->source,
                  (unsigned long long)rec->first_line);
    if (n > EXAMPLE_BYTES)
        n = EXAMPLE_BYTES;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)rec->head.p[i];

        hb_buf_putc(&b, c < 0x20 || c == 0x7f ? '?' : (char)c);
    }
    if (n < rec->head.n)
        hb_buf_puts(&b, "...");
    return b.data ? b.data : hb_xstrdup("");
}

static void test_record(struct test_run *t, const struct hb_record *rec)
{
    struct hb_hit hits[HB_MAX_HITS];
    struct hb_polaris pol;
    int n, k;

    t->records++;
    hb_extract(rec, &pol);
    n = hb_matcher_run(t->m, rec, &pol, t->only, hits, HB_MAX_HITS);
    if (n > 0)
        t->matched++;
    for (k = 0; k < n; k++) {
        const struct hb_rule_meta *meta = hits[k].rule;
        struct tally *ta;
        size_t i;

        for (i = 0; i < hb_rules_count(t->rs); i++)
            if (hb_rules_get(t->rs, i) == meta)
                break;
        ta = &t->per_rule[i];
        ta->hits++;
        if (ta->nexamples < EXAMPLES_PER_RULE)
            ta->examples[ta->nexamples++] = example(rec);
    }
    if (n == 0 && (pol.ncodes > 0 || pol.failure)) {
        if (t->nmissed < MISSED_SHOWN)
            t->missed[t->nmissed] = example(rec);
        t->nmissed++;
    }
}

/* Reads one input through the pipeline. Returns false if unreadable. */
static bool test_file(struct test_run *t, const char *path)
{
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    struct hb_reader_opts ropts;
    struct hb_asm_opts aopts;
    struct hb_reader *r = NULL;
    struct hb_unwrap *u;
    struct hb_asm *a;
    struct hb_record rec;
    struct hb_line in, out;
    struct hb_diag d;
    enum hb_status st;

    memset(&ropts, 0, sizeof ropts);
    memset(&aopts, 0, sizeof aopts);
    if (hb_reader_open(&r, path, &ropts, &d) != HB_OK) {
        hb_diag_print(&d, stderr);
        return false;
    }
    u = hb_unwrap_new(NULL);
    a = hb_asm_new(name, &aopts);
    while ((st = hb_reader_next(r, &in, &d)) == HB_OK)
        if (hb_unwrap_feed(u, &in, &out) && hb_asm_feed(a, &out, &rec))
            test_record(t, &rec);
    if (hb_unwrap_flush(u, &out) && hb_asm_feed(a, &out, &rec))
        test_record(t, &rec);
    if (hb_asm_flush(a, &rec))
        test_record(t, &rec);
    if (st == HB_EIO)
        hb_diag_print(&d, stderr);
    hb_asm_free(a);
    hb_unwrap_free(u);
    hb_reader_close(r);
    return st != HB_EIO;
}

static void test_report(const struct test_run *t, int nfiles, bool verbose)
{
    size_t i, k, n = hb_rules_count(t->rs), rules_hit = 0;

    for (i = 0; i < n; i++) {
        const struct hb_rule_meta *m = hb_rules_get(t->rs, i);
        const struct tally *ta = &t->per_rule[i];

        if (ta->hits == 0 && !(t->only && strcmp(t->only, m->id) == 0))
            continue;
        rules_hit += ta->hits > 0;
        printf("rule %s (%s, %s, weight %g): %llu hit%s\n", m->id,
               hb_cause_name(m->cause), hb_severity_name(m->severity),
               m->weight, (unsigned long long)ta->hits,
               ta->hits == 1 ? "" : "s");
        for (k = 0; k < ta->nexamples; k++)
            printf("  %s\n", ta->examples[k]);
    }
    if (t->nmissed) {
        printf("missed: %llu record%s a Polaris code or failure but "
               "matched no rule\n",
               (unsigned long long)t->nmissed,
               t->nmissed == 1 ? " carries" : "s carry");
        for (k = 0; k < t->nmissed && k < MISSED_SHOWN; k++)
            printf("  %s\n", t->missed[k]);
        if (t->nmissed > MISSED_SHOWN)
            printf("  ... %llu more\n",
                   (unsigned long long)(t->nmissed - MISSED_SHOWN));
    }
    if (verbose) {
        printf("%-40s %10s %8s %8s %10s\n", "RULE", "TRIED", "HITS", "LIMITS",
               "REGEX-MS");
        for (i = 0; i < n; i++) {
            const struct hb_rule_stats *s = hb_matcher_stats(t->m, i);

            printf("%-40s %10llu %8llu %8llu %10.3f\n",
                   hb_rules_get(t->rs, i)->id, (unsigned long long)s->tried,
                   (unsigned long long)s->hits,
                   (unsigned long long)s->limit_hits, (double)s->nanos / 1e6);
        }
    }
    printf("%d file%s, %llu records: %llu matched, %llu missed; %zu of %zu "
           "rules hit\n",
           nfiles, nfiles == 1 ? "" : "s", (unsigned long long)t->records,
           (unsigned long long)t->matched, (unsigned long long)t->nmissed,
           rules_hit, t->only ? (size_t)1 : n);
}

static int cmd_test(const struct opts *o)
{
    struct test_run t;
    size_t i, k;
    int rc, f;
    bool unreadable = false;

    if (o->nargs == 0)
        return usage_error("test needs at least one log FILE (- for stdin)");
    memset(&t, 0, sizeof t);
    rc = load(o, NULL, 0, &t.rs);
    if (rc != HB_EXIT_OK)
        return rc;
    if (o->only && hb_rules_find(t.rs, o->only) == NULL) {
        fprintf(stderr, "hbscan: rules: no rule '%s' (see hbscan rules list)\n",
                o->only);
        hb_rules_free(t.rs);
        return HB_EXIT_USAGE;
    }
    t.only = o->only;
    t.m = hb_matcher_new(t.rs);
    t.per_rule = hb_xcalloc(hb_rules_count(t.rs) + 1, sizeof *t.per_rule);
    for (f = 0; f < o->nargs; f++)
        if (!test_file(&t, o->args[f]))
            unreadable = true;
    test_report(&t, o->nargs, o->verbose);
    for (i = 0; i < hb_rules_count(t.rs); i++)
        for (k = 0; k < t.per_rule[i].nexamples; k++)
            free(t.per_rule[i].examples[k]);
    for (k = 0; k < t.nmissed && k < MISSED_SHOWN; k++)
        free(t.missed[k]);
    free(t.per_rule);
    hb_matcher_free(t.m);
    hb_rules_free(t.rs);
    return unreadable ? HB_EXIT_INPUT : HB_EXIT_OK;
}

/* ---- dispatch -------------------------------------------------------------
 */

static const struct {
    const char *name;
    int (*run)(const struct opts *o);
} subcommands[] = {
    {"check", cmd_check},
    {"test", cmd_test},
    {"list", cmd_list},
    {"show", cmd_show},
};

int hb_cmd_rules(int argc, char **argv)
{
    struct opts o;
    size_t i;
    int rc;

    if (argc < 2) {
        fputs(usage_text, stderr);
        return HB_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        return HB_EXIT_OK;
    }
    for (i = 0; i < HB_ARRAY_LEN(subcommands); i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            break;
    if (i == HB_ARRAY_LEN(subcommands))
        return usage_error("unknown subcommand '%s'", argv[1]);
    rc = parse_opts(argc - 1, argv + 1, &o);
    if (rc < 0)
        rc = subcommands[i].run(&o);
    free(o.args);
    return rc;
}
