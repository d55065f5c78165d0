/*
 * cmd_report.c - `hbscan report`: replays the incidents and observations
 * stored by earlier scans (filtered by time, service, instance, cause or
 * code) into the diagnosis and prints the ranked report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "diagnose.h"
#include "rules.h"
#include "store.h"
#include "timeparse.h"
#include "util.h"

#define MAX_RULE_DIRS  16
#define SOURCE_SET_CAP 4096

static const char usage_text[] =
    "usage: hbscan report [OPTIONS]\n"
    "\n"
    "Ranks the causes of the Polaris failures stored by earlier scans and\n"
    "prints the report (most likely cause first, with its action).\n"
    "\n"
    "selection:\n"
    "  --db PATH          incident database (default: $HBSCAN_DB, else\n"
    "                     $XDG_STATE_HOME/hbscan/hbscan.db)\n"
    "  --since T          only incidents at or after T: ISO time\n"
    "                     (2024-03-13, 2024-03-13T20:16:04+08:00) or an age\n"
    "                     (90m, 36h, 2d, 1w)\n"
    "  --until T          only incidents before T (same forms)\n"
    "  --service S        only this service\n"
    "  --instance H:P     only this instance (host:port)\n"
    "  --cause C          only incidents classified with cause C\n"
    "  --code C           only incidents carrying code C (400401, ERR-1006,\n"
    "                     1006, UNAVAILABLE)\n"
    "\n"
    "output:\n"
    "  --format F         text (default), json or markdown\n"
    "  --color WHEN       auto (default: on a terminal, unless NO_COLOR is\n"
    "                     set), always or never\n"
    "  --ascii            ASCII only (also when the locale is not UTF-8)\n"
    "  --width N          text width in columns (default 100)\n"
    "  --max-evidence N   evidence lines per cause (default 5)\n"
    "  -v, --verbose      every cause and every evidence line\n"
    "\n"
    "  --fail-on X        exit 1 when a cause of severity X or more is found\n"
    "                     (info, warning, error, critical), when cause X is\n"
    "                     found (port, api-gating, version-mismatch, network,\n"
    "                     auth, not-found, rate-limit, server-error, config),\n"
    "                     unknown (unclassified failures) or any\n"
    "  --rules DIR        rule directory for titles and actions (repeatable;\n"
    "                     default: $HBSCAN_RULES, else the installed rules)\n"
    "  --knowledge DIR    knowledge files (default: knowledge/ beside the\n"
    "                     rules)\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 ok, 1 --fail-on matched, 2 usage, 5 database unusable.\n";

struct opts {
    const char *db, *since, *until, *service, *instance, *cause, *code;
    const char *format, *color, *fail_on, *knowledge;
    const char *rules[MAX_RULE_DIRS];
    size_t nrules;
    bool ascii, verbose;
    int width;
    unsigned max_evidence;
};

/* Distinct source names seen during the replay (bounded). */
struct sources {
    uint64_t hash[SOURCE_SET_CAP];
    size_t n;
    uint64_t over;
};

struct replay {
    struct hb_dx *dx;
    struct sources src;
    uint64_t incidents;
};

static void source_add(struct sources *s, const char *name)
{
    uint64_t h;
    size_t i;

    if (name == NULL)
        return;
    h = hb_hash64(name, strlen(name), HB_HASH_SEED) | 1;
    for (i = h % SOURCE_SET_CAP;; i = (i + 1) % SOURCE_SET_CAP) {
        if (s->hash[i] == h)
            return;
        if (s->hash[i] == 0)
            break;
    }
    if (s->n + 1 >= SOURCE_SET_CAP) {
        s->over++;
        return;
    }
    s->hash[i] = h;
    s->n++;
}

static void on_incident(void *ctx, const struct hb_incident *inc)
{
    struct replay *r = ctx;

    r->incidents++;
    source_add(&r->src, inc->source);
    hb_dx_add_incident(r->dx, inc);
}

static void on_obs(void *ctx, const struct hb_obs *o)
{
    struct replay *r = ctx;

    source_add(&r->src, o->source);
    hb_dx_add_obs(r->dx, o);
}

/* "--name value" or "--name=value"; advances *i past what it used. */
static bool opt_value(int argc, char **argv, int *i, const char *name,
                      const char **out)
{
    size_t n = strlen(name);
    const char *a = argv[*i];

    if (strncmp(a, name, n) != 0)
        return false;
    if (a[n] == '=') {
        *out = a + n + 1;
        return true;
    }
    if (a[n] != '\0')
        return false;
    if (*i + 1 >= argc) {
        fprintf(stderr, "hbscan report: %s needs a value\n", name);
        *out = NULL;
        return true;
    }
    *out = argv[++*i];
    return true;
}

static bool parse_uint(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0')
        return false;
    v = strtol(s, &end, 10);
    if (*end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Returns -1 to go on, else an exit code. */
static int parse(int argc, char **argv, struct opts *o)
{
    int i;

    memset(o, 0, sizeof *o);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        long n;

        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            return HB_EXIT_OK;
        }
        if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = true;
            continue;
        }
        if (strcmp(a, "--ascii") == 0) {
            o->ascii = true;
            continue;
        }
#define VALUE(name, field)                                                     \
    if (opt_value(argc, argv, &i, name, &v)) {                                 \
        if (v == NULL)                                                         \
            return HB_EXIT_USAGE;                                              \
        o->field = v;                                                          \
        continue;                                                              \
    }
        VALUE("--db", db)
        VALUE("--since", since)
        VALUE("--until", until)
        VALUE("--service", service)
        VALUE("--instance", instance)
        VALUE("--cause", cause)
        VALUE("--code", code)
        VALUE("--format", format)
        VALUE("--color", color)
        VALUE("--colour", color)
        VALUE("--fail-on", fail_on)
        VALUE("--knowledge", knowledge)
#undef VALUE
        if (opt_value(argc, argv, &i, "--rules", &v)) {
            if (v == NULL)
                return HB_EXIT_USAGE;
            if (o->nrules >= MAX_RULE_DIRS) {
                fprintf(stderr, "hbscan report: at most %d --rules\n",
                        MAX_RULE_DIRS);
                return HB_EXIT_USAGE;
            }
            o->rules[o->nrules++] = v;
            continue;
        }
        if (opt_value(argc, argv, &i, "--width", &v)) {
            if (!parse_uint(v, 40, 1000, &n)) {
                fprintf(stderr,
                        "hbscan report: --width needs a number from 40 to "
                        "1000\n");
                return HB_EXIT_USAGE;
            }
            o->width = (int)n;
            continue;
        }
        if (opt_value(argc, argv, &i, "--max-evidence", &v)) {
            if (!parse_uint(v, 1, 100, &n)) {
                fprintf(stderr, "hbscan report: --max-evidence needs a number "
                                "from 1 to 100\n");
                return HB_EXIT_USAGE;
            }
            o->max_evidence = (unsigned)n;
            continue;
        }
        fprintf(stderr, "hbscan report: unknown option '%s' (see --help)\n", a);
        return HB_EXIT_USAGE;
    }
    if (o->fail_on && !hb_dx_fail_on_valid(o->fail_on)) {
        fprintf(stderr,
                "hbscan report: --fail-on '%s' is neither a severity, a cause, "
                "'unknown' nor 'any'\n",
                o->fail_on);
        return HB_EXIT_USAGE;
    }
    if (o->cause && hb_cause_from_name(o->cause) == HB_CAUSE_NONE &&
        strcmp(o->cause, "unknown") != 0) {
        fprintf(stderr, "hbscan report: unknown cause '%s'\n", o->cause);
        return HB_EXIT_USAGE;
    }
    return -1;
}

static bool parse_time(const char *flag, const char *s, int64_t now,
                       int64_t *ms)
{
    if (s == NULL)
        return true;
    if (hb_time_parse_user(s, now, ms) != HB_OK) {
        fprintf(stderr,
                "hbscan report: %s '%s': use an ISO time (2024-03-13, "
                "2024-03-13T20:16:04+08:00) or an age (90m, 36h, 2d, 1w)\n",
                flag, s);
        return false;
    }
    return true;
}

int hb_cmd_report(int argc, char **argv)
{
    struct opts o;
    struct hb_report_opts ro;
    struct hb_filter f;
    struct hb_diag d;
    struct hb_store *store = NULL;
    struct hb_ruleset *rs = NULL;
    struct replay *rp = NULL;
    struct hb_input_stats st;
    const char *dirs[MAX_RULE_DIRS];
    size_t ndirs;
    char dbbuf[1024], from[1100];
    const char *db;
    int64_t now = hb_time_now_ms();
    int rc;

    rc = parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    memset(&d, 0, sizeof d);
    if (hb_report_opts_init(&ro, o.format, o.color, o.ascii, 1, &d) != HB_OK) {
        fprintf(stderr, "hbscan report: %s\n", d.msg);
        return HB_EXIT_USAGE;
    }
    ro.width = o.width;
    ro.max_evidence = o.max_evidence;
    ro.verbose = o.verbose;
    hb_filter_init(&f);
    if (!parse_time("--since", o.since, now, &f.since_ms) ||
        !parse_time("--until", o.until, now, &f.until_ms))
        return HB_EXIT_USAGE;
    f.service = o.service;
    f.instance = o.instance;
    f.cause = o.cause;
    f.code = o.code;

    /* rules only lend titles and actions: a broken set is not fatal here */
    if (o.nrules) {
        memcpy(dirs, o.rules, o.nrules * sizeof dirs[0]);
        ndirs = o.nrules;
    } else {
        ndirs = hb_rules_default_dirs(dirs, MAX_RULE_DIRS, hb_progname);
    }
    if (ndirs) {
        struct hb_errlist errs;

        memset(&errs, 0, sizeof errs);
        if (hb_rules_load(&rs, dirs, ndirs, &errs) != HB_OK) {
            hb_errlist_print(&errs, stderr);
            fprintf(stderr, "hbscan report: rules unusable; titles and actions "
                            "come from the causes alone\n");
            rs = NULL;
        }
        hb_errlist_fini(&errs);
    }

    db = hb_store_default_path(o.db, dbbuf, sizeof dbbuf);
    if (hb_store_open(&store, db, HB_STORE_RO, 5000, &d) != HB_OK) {
        hb_diag_print(&d, stderr);
        fprintf(stderr,
                "hbscan report: no usable incident database at %s "
                "(run `hbscan scan` first, or give --db)\n",
                db);
        rc = HB_EXIT_DB;
        goto out;
    }
    rp = hb_xcalloc(1, sizeof *rp);
    rp->dx = hb_dx_new(rs, o.knowledge);
    if (hb_store_replay(store, &f, on_incident, on_obs, rp, &d) != HB_OK) {
        hb_diag_print(&d, stderr);
        rc = HB_EXIT_DB;
        goto out;
    }
    memset(&st, 0, sizeof st);
    st.sources = rp->src.n + rp->src.over;
    st.incidents = rp->incidents;
    snprintf(from, sizeof from, "database %s", db);
    st.replayed_from = from;
    hb_dx_report(rp->dx, &st, &ro, stdout);
    rc = o.fail_on && hb_dx_fails(rp->dx, o.fail_on) ? HB_EXIT_FOUND
                                                     : HB_EXIT_OK;
out:
    if (rp)
        hb_dx_free(rp->dx);
    free(rp);
    if (store)
        hb_store_close(store);
    if (rs)
        hb_rules_free(rs);
    return rc;
}
