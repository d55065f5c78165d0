/*
 * cmd_scan.c - `hbscan scan`: options, inputs, sinks and the exit status.
 * The pipeline itself is scan.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "config_check.h"
#include "diagnose.h"
#include "follow.h"
#include "format.h"
#include "rules.h"
#include "sample.h"
#include "scan.h"
#include "store.h"
#include "timeparse.h"
#include "util.h"
#include "walk.h"

#define MAX_LIST 64

static const char scan_usage[] =
    "usage: hbscan scan [OPTIONS] [PATH...]\n"
    "\n"
    "Reads log files, directories (recursively) or standard input (no PATH,\n"
    "or -), plain or gzip, assembles multi-line records, extracts Polaris\n"
    "codes, classifies them with the rules, stores incidents and prints a\n"
    "root-cause report: the likely causes ranked, each with evidence\n"
    "(file:line), an explanation and the action to take.\n"
    "\n"
    "output:\n"
    "  -f, --format FMT        text (default), json, markdown, or ndjson (one\n"
    "                          JSON object per incident, streamed)\n"
    "      --color WHEN        auto (default), always, never; NO_COLOR is "
    "honoured\n"
    "      --ascii             ASCII only (also when the locale is not UTF-8)\n"
    "      --width N           text report width in columns (default 100)\n"
    "      --max-evidence N    evidence lines per cause (default 5)\n"
    "      --fail-on WHAT      exit 1 when a cause of this severity "
    "(critical,\n"
    "                          error, warning, info) or this cause name is\n"
    "                          found; `unknown`: unclassified failures; `any`\n"
    "  -q, --quiet             no notes on stderr\n"
    "  -v, --verbose           formats chosen per source, per-rule statistics\n"
    "\n"
    "input:\n"
    "      --input-format NAME force a log format (see --list-formats)\n"
    "      --list-formats      list the log formats and exit\n"
    "      --tz ZONE           zone of timestamps without offset: UTC, "
    "+08:00,\n"
    "                          Asia/Shanghai (default: the machine's zone)\n"
    "      --include GLOB      in directories, read only matching files "
    "(repeatable)\n"
    "      --exclude GLOB      skip matching files and directories "
    "(repeatable)\n"
    "      --max-line BYTES    truncate longer lines (default 1048576)\n"
    "      --max-record-lines N  lines kept per record (default 512)\n"
    "      --max-record-bytes N  bytes kept per record (default 262144)\n"
    "\n"
    "rules and store:\n"
    "      --config FILE       add the findings of `hbscan config check FILE` "
    "to\n"
    "                          the diagnosis as evidence (application.yml,\n"
    "                          polaris-server.yaml, pom.xml ...; repeatable)\n"
    "      --rules DIR         more rule files (repeatable; also "
    "$HBSCAN_RULES)\n"
    "      --knowledge DIR     ports, version matrix, code history (default:\n"
    "                          knowledge/ beside the rules)\n"
    "      --db PATH           incident database (default $HBSCAN_DB, else\n"
    "                          $XDG_STATE_HOME/hbscan/hbscan.db)\n"
    "      --no-db             do not store anything (one-off pipe)\n"
    "      --rescan            ignore stored offsets, read every file whole\n"
    "  -j, --jobs N            files, and segments of large plain files, "
    "parsed\n"
    "                          in parallel (default: the number of cores);\n"
    "                          results are identical to --jobs 1\n"
    "      --segment BYTES     segment size: the unit of parallel work; a\n"
    "                          database commit ends at a segment end\n"
    "                          (default 8388608)\n"
    "      --commit-every ROWS commit at the first segment end after ROWS\n"
    "                          stored rows or 0.5 s (default 8192; 0 = at\n"
    "                          every segment end, as with stdin or a FIFO\n"
    "                          among the paths, and --follow)\n"
    "\n"
    "follow:\n"
    "      --follow            keep reading files as they grow, like tail -F\n"
    "                          (rotation, truncation and new files in watched\n"
    "                          directories handled); print each incident when\n"
    "                          found (a text line, or NDJSON); SIGINT/SIGTERM\n"
    "                          stop it with everything committed\n"
    "      --report-every SECS print the ranked report periodically\n"
    "      --quiet-ms MS       end a pending record after this much silence\n"
    "                          (default 1000)\n"
    "      --stop-after SECS   stop following after SECS (for scripts)\n"
    "\n"
    "Already scanned bytes are skipped on the next run (offsets per file,\n"
    "rotation aware). Exit: 0 ok, 1 --fail-on matched, 2 usage, 3 invalid\n"
    "rules, 4 some input unreadable (the rest was scanned), 5 database "
    "error.\n";

enum {
    OPT_COLOR = 256,
    OPT_FAIL_ON,
    OPT_INPUT_FORMAT,
    OPT_LIST_FORMATS,
    OPT_TZ,
    OPT_INCLUDE,
    OPT_EXCLUDE,
    OPT_MAX_LINE,
    OPT_MAX_REC_LINES,
    OPT_MAX_REC_BYTES,
    OPT_SEGMENT,
    OPT_COMMIT_EVERY,
    OPT_RULES,
    OPT_DB,
    OPT_NO_DB,
    OPT_RESCAN,
    OPT_FOLLOW,
    OPT_REPORT_EVERY,
    OPT_STOP_AFTER,
    OPT_QUIET_MS,
    OPT_ASCII,
    OPT_WIDTH,
    OPT_MAX_EVIDENCE,
    OPT_KNOWLEDGE,
    OPT_CONFIG,
};

static const struct option longopts[] = {
    {"format", required_argument, NULL, 'f'},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"input-format", required_argument, NULL, OPT_INPUT_FORMAT},
    {"list-formats", no_argument, NULL, OPT_LIST_FORMATS},
    {"tz", required_argument, NULL, OPT_TZ},
    {"include", required_argument, NULL, OPT_INCLUDE},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"max-line", required_argument, NULL, OPT_MAX_LINE},
    {"max-record-lines", required_argument, NULL, OPT_MAX_REC_LINES},
    {"max-record-bytes", required_argument, NULL, OPT_MAX_REC_BYTES},
    {"segment", required_argument, NULL, OPT_SEGMENT},
    {"commit-every", required_argument, NULL, OPT_COMMIT_EVERY},
    {"rules", required_argument, NULL, OPT_RULES},
    {"db", required_argument, NULL, OPT_DB},
    {"no-db", no_argument, NULL, OPT_NO_DB},
    {"rescan", no_argument, NULL, OPT_RESCAN},
    {"jobs", required_argument, NULL, 'j'},
    {"follow", no_argument, NULL, OPT_FOLLOW},
    {"report-every", required_argument, NULL, OPT_REPORT_EVERY},
    {"stop-after", required_argument, NULL, OPT_STOP_AFTER},
    {"quiet-ms", required_argument, NULL, OPT_QUIET_MS},
    {"ascii", no_argument, NULL, OPT_ASCII},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"max-evidence", required_argument, NULL, OPT_MAX_EVIDENCE},
    {"knowledge", required_argument, NULL, OPT_KNOWLEDGE},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct scan_args {
    const char *format;
    const char *color;
    const char *fail_on;
    bool quiet, verbose, no_db, rescan;
    const char *input_format;
    const char *tz;
    const char *db;
    const char *include[MAX_LIST];
    size_t ninclude;
    const char *exclude[MAX_LIST];
    size_t nexclude;
    const char *rules[MAX_LIST];
    size_t nrules;
    size_t max_line;
    unsigned max_record_lines;
    size_t max_record_bytes;
    size_t segment;
    unsigned commit_rows;
    unsigned jobs;
    bool follow;
    unsigned report_every, stop_after, quiet_ms;
    bool ascii;
    int width;
    unsigned max_evidence;
    const char *knowledge;
    const char *config[MAX_LIST];
    size_t nconfig;
};

static bool parse_size(const char *s, size_t lo, size_t hi, size_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < lo || v > hi)
        return false;
    *out = (size_t)v;
    return true;
}

static bool add_list(const char **list, size_t *n, const char *v,
                     const char *opt)
{
    if (*n >= MAX_LIST) {
        fprintf(stderr, "hbscan: scan: too many %s options (max %d)\n", opt,
                MAX_LIST);
        return false;
    }
    list[(*n)++] = v;
    return true;
}

static void list_formats(void)
{
    size_t n, i;
    const struct hb_format *t = hb_format_table(&n);

    for (i = 0; i < n; i++)
        printf("%-18s %s\n", t[i].name, t[i].description);
}

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct scan_args *a)
{
    int c;
    size_t v;

    memset(a, 0, sizeof *a);
    a->format = "text";
    a->color = "auto";
    a->commit_rows = HB_COMMIT_ROWS;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+f:j:qvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            a->format = optarg;
            break;
        case OPT_COLOR:
            a->color = optarg;
            break;
        case OPT_FAIL_ON:
            a->fail_on = optarg;
            break;
        case 'q':
            a->quiet = true;
            break;
        case 'v':
            a->verbose = true;
            break;
        case OPT_INPUT_FORMAT:
            a->input_format = optarg;
            break;
        case OPT_LIST_FORMATS:
            list_formats();
            return HB_EXIT_OK;
        case OPT_TZ:
            a->tz = optarg;
            break;
        case OPT_INCLUDE:
            if (!add_list(a->include, &a->ninclude, optarg, "--include"))
                return HB_EXIT_USAGE;
            break;
        case OPT_EXCLUDE:
            if (!add_list(a->exclude, &a->nexclude, optarg, "--exclude"))
                return HB_EXIT_USAGE;
            break;
        case OPT_MAX_LINE:
            if (!parse_size(optarg, 64, (size_t)1 << 30, &a->max_line)) {
                fprintf(stderr,
                        "hbscan: scan: --max-line wants 64..1073741824\n");
                return HB_EXIT_USAGE;
            }
            break;
        case OPT_MAX_REC_LINES:
            if (!parse_size(optarg, 1, 1000000, &v)) {
                fprintf(stderr,
                        "hbscan: scan: --max-record-lines wants 1..1000000\n");
                return HB_EXIT_USAGE;
            }
            a->max_record_lines = (unsigned)v;
            break;
        case OPT_MAX_REC_BYTES:
            if (!parse_size(optarg, 256, (size_t)1 << 30,
                            &a->max_record_bytes)) {
                fprintf(
                    stderr,
                    "hbscan: scan: --max-record-bytes wants 256..1073741824\n");
                return HB_EXIT_USAGE;
            }
            break;
        case OPT_SEGMENT:
            if (!parse_size(optarg, 4096, (size_t)1 << 40, &a->segment)) {
                fprintf(stderr,
                        "hbscan: scan: --segment wants 4096..1099511627776\n");
                return HB_EXIT_USAGE;
            }
            break;
        case OPT_COMMIT_EVERY:
            if (!parse_size(optarg, 0, 100000000, &v)) {
                fprintf(stderr,
                        "hbscan: scan: --commit-every wants 0..100000000\n");
                return HB_EXIT_USAGE;
            }
            a->commit_rows = (unsigned)v;
            break;
        case OPT_RULES:
            if (!add_list(a->rules, &a->nrules, optarg, "--rules"))
                return HB_EXIT_USAGE;
            break;
        case OPT_DB:
            a->db = optarg;
            break;
        case OPT_NO_DB:
            a->no_db = true;
            break;
        case OPT_RESCAN:
            a->rescan = true;
            break;
        case 'j':
            if (!parse_size(optarg, 1, 256, &v)) {
                fprintf(stderr, "hbscan: scan: --jobs wants 1..256\n");
                return HB_EXIT_USAGE;
            }
            a->jobs = (unsigned)v;
            break;
        case OPT_FOLLOW:
            a->follow = true;
            break;
        case OPT_REPORT_EVERY:
        case OPT_STOP_AFTER:
        case OPT_QUIET_MS:
            if (!parse_size(optarg, 1, 86400000, &v)) {
                fprintf(stderr, "hbscan: scan: %s wants a positive number\n",
                        argv[optind - 1]);
                return HB_EXIT_USAGE;
            }
            if (c == OPT_REPORT_EVERY)
                a->report_every = (unsigned)v;
            else if (c == OPT_STOP_AFTER)
                a->stop_after = (unsigned)v;
            else
                a->quiet_ms = (unsigned)v;
            break;
        case OPT_ASCII:
            a->ascii = true;
            break;
        case OPT_WIDTH:
            if (!parse_size(optarg, 40, 1000, &v)) {
                fprintf(stderr, "hbscan: scan: --width wants 40..1000\n");
                return HB_EXIT_USAGE;
            }
            a->width = (int)v;
            break;
        case OPT_MAX_EVIDENCE:
            if (!parse_size(optarg, 1, 1000, &v)) {
                fprintf(stderr, "hbscan: scan: --max-evidence wants 1..1000\n");
                return HB_EXIT_USAGE;
            }
            a->max_evidence = (unsigned)v;
            break;
        case OPT_KNOWLEDGE:
            a->knowledge = optarg;
            break;
        case OPT_CONFIG:
            if (!add_list(a->config, &a->nconfig, optarg, "--config"))
                return HB_EXIT_USAGE;
            break;
        case 'h':
            fputs(scan_usage, stdout);
            return HB_EXIT_OK;
        default:
            if (optopt && optopt < 256)
                fprintf(stderr, "hbscan: scan: bad option -%c\n", optopt);
            else
                fprintf(stderr, "hbscan: scan: bad option %s\n",
                        argv[optind - 1]);
            fputs("see: hbscan scan --help\n", stderr);
            return HB_EXIT_USAGE;
        }
    }
    if (strcmp(a->format, "text") && strcmp(a->format, "json") &&
        strcmp(a->format, "markdown") && strcmp(a->format, "md") &&
        strcmp(a->format, "ndjson")) {
        fprintf(stderr,
                "hbscan: scan: unknown --format '%s' (text, json, "
                "markdown, ndjson)\n",
                a->format);
        return HB_EXIT_USAGE;
    }
    if (a->fail_on && !hb_dx_fail_on_valid(a->fail_on)) {
        fprintf(stderr, "hbscan: scan: --fail-on wants a severity (critical, "
                        "error, warning, info), a cause name, unknown or "
                        "any\n");
        return HB_EXIT_USAGE;
    }
    return -1;
}

/* Loads the default rule directories plus --rules; prints errors. */
static struct hb_ruleset *load_rules(const struct scan_args *a)
{
    const char *dirs[MAX_LIST * 2];
    size_t n = hb_rules_default_dirs(dirs, MAX_LIST, hb_progname);
    struct hb_errlist errs = {0};
    struct hb_ruleset *rs = NULL;
    size_t i;

    for (i = 0; i < a->nrules; i++)
        dirs[n++] = a->rules[i];
    if (hb_rules_load(&rs, dirs, n, &errs) != HB_OK) {
        hb_errlist_print(&errs, stderr);
        fprintf(stderr,
                "hbscan: rules are invalid (%zu error%s); nothing "
                "scanned\n",
                errs.n, errs.n == 1 ? "" : "s");
        hb_errlist_fini(&errs);
        return NULL;
    }
    hb_errlist_fini(&errs);
    return rs;
}

static void add_finding(void *ctx, const struct hb_finding *f)
{
    hb_dx_add_finding(ctx, f);
}

static void args_string(int argc, char **argv, char *buf, size_t cap)
{
    size_t len = 0;
    int i;

    buf[0] = '\0';
    for (i = 0; i < argc && len + 1 < cap; i++) {
        int k = snprintf(buf + len, cap - len, "%s%s", i ? " " : "", argv[i]);

        if (k < 0)
            break;
        len += (size_t)k;
    }
}

static void print_rule_stats(const struct hb_ruleset *rs,
                             const struct hb_scan *sc)
{
    size_t i;

    fprintf(stderr, "%-44s %10s %8s %8s %10s\n", "rule", "tried", "hits",
            "limits", "regex ms");
    for (i = 0; i < hb_rules_count(rs); i++) {
        struct hb_rule_stats s;

        hb_scan_rule_stats(sc, i, &s);
        if (s.tried == 0 && s.hits == 0)
            continue;
        fprintf(stderr, "%-44s %10llu %8llu %8llu %10.1f\n",
                hb_rules_get(rs, i)->id, (unsigned long long)s.tried,
                (unsigned long long)s.hits, (unsigned long long)s.limit_hits,
                (double)s.nanos / 1e6);
    }
}

#define SCAN_SAMPLE_BYTES (512 * 1024) /* read to tune the prefilter */

int hb_cmd_scan(int argc, char **argv)
{
    struct scan_args a;
    struct hb_ruleset *rs = NULL;
    struct hb_store *st = NULL;
    struct hb_scan sc;
    struct hb_filelist files = {0};
    struct hb_walk_opts wo;
    struct hb_report_opts ro;
    struct hb_config_set *cfgset = NULL;
    struct hb_diag d;
    struct hb_run_counts counts;
    char dbpath[4096];
    char argstr[2048];
    char *sample = NULL;
    bool store_failed = false;
    int rc, i;
    size_t k;

    rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    memset(&sc, 0, sizeof sc);
    if (a.tz && hb_time_set_zone(a.tz) != HB_OK) {
        fprintf(stderr, "hbscan: scan: unknown time zone '%s'\n", a.tz);
        return HB_EXIT_USAGE;
    }
    if (a.input_format) {
        sc.forced = hb_format_find(a.input_format);
        if (sc.forced == NULL) {
            fprintf(stderr,
                    "hbscan: scan: unknown input format '%s' (see "
                    "hbscan scan --list-formats)\n",
                    a.input_format);
            return HB_EXIT_USAGE;
        }
    }
    if (a.follow && optind >= argc) {
        fputs("hbscan: scan: --follow needs a PATH\n", stderr);
        return HB_EXIT_USAGE;
    }
    rs = load_rules(&a);
    if (rs == NULL)
        return HB_EXIT_RULES;

    if (!a.no_db) {
        const char *path = hb_store_default_path(a.db, dbpath, sizeof dbpath);

        if (path == NULL ||
            hb_store_open(&st, path, HB_STORE_RW, 5000, &d) != HB_OK) {
            if (path == NULL)
                hb_diag_set(&d, "", 0, 0,
                            "no database path: set --db, HBSCAN_DB or HOME");
            hb_diag_print(&d, stderr);
            fputs("hbscan: use --no-db to scan without storing\n", stderr);
            hb_rules_free(rs);
            return HB_EXIT_DB;
        }
        args_string(argc, argv, argstr, sizeof argstr);
        if (hb_store_run_begin(st, argstr, &d) != HB_OK) {
            hb_diag_print(&d, stderr);
            hb_store_close(st);
            hb_rules_free(rs);
            return HB_EXIT_DB;
        }
    }

    sc.opts.input_format = a.input_format;
    sc.opts.max_line = a.max_line;
    sc.opts.max_record_lines = a.max_record_lines;
    sc.opts.max_record_bytes = a.max_record_bytes;
    sc.opts.segment_bytes = a.segment;
    sc.opts.commit_rows = a.commit_rows;
    sc.opts.rescan = a.rescan;
    sc.opts.jobs = a.jobs;
    if (sc.opts.jobs == 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);

        sc.opts.jobs = nc > 0 ? (unsigned)(nc > 64 ? 64 : nc) : 1;
    }
    sc.opts.verbose = a.verbose && !a.quiet;
    sc.rules = rs;
    sc.matcher = hb_matcher_new(rs);
    sc.store = st;
    sc.dx = hb_dx_new(rs, a.knowledge);
    if (a.nconfig) {
        /* Findings are evidence next to the logs; a bad file is an input
         * error like an unreadable log. */
        if (hb_config_check_files(a.config, a.nconfig, add_finding, sc.dx,
                                  &cfgset, &d) != HB_OK) {
            size_t e;

            for (e = 0; e < hb_config_set_nerrors(cfgset); e++)
                hb_diag_print(hb_config_set_error(cfgset, e), stderr);
            sc.input_errors++;
        }
    }
    if (strcmp(a.format, "ndjson") == 0)
        sc.ndjson = stdout;

    memset(&wo, 0, sizeof wo);
    wo.include = a.include;
    wo.ninclude = a.ninclude;
    wo.exclude = a.exclude;
    wo.nexclude = a.nexclude;
    if (optind >= argc && !a.follow) {
        if (isatty(0) && !a.quiet)
            fputs("hbscan: reading standard input (give a PATH to scan "
                  "files)\n",
                  stderr);
        hb_walk("-", &wo, &files);
    }
    for (i = optind; i < argc && !a.follow; i++)
        hb_walk(argv[i], &wo, &files);
    sc.input_errors += files.errors;

    if (hb_report_opts_init(&ro,
                            strcmp(a.format, "ndjson") == 0 ? "text" : a.format,
                            a.color, a.ascii, 1, &d) != HB_OK) {
        hb_diag_print(&d, stderr);
        rc = HB_EXIT_USAGE;
        goto out;
    }
    ro.verbose = a.verbose;
    if (a.width)
        ro.width = a.width;
    if (a.max_evidence)
        ro.max_evidence = a.max_evidence;
    if (a.follow) {
        struct hb_follow_opts fo;

        memset(&fo, 0, sizeof fo);
        fo.report_every_s = a.report_every;
        fo.max_seconds = a.stop_after;
        fo.quiet_ms = a.quiet_ms;
        fo.walk = &wo;
        fo.report = ro;
        if (sc.ndjson == NULL && ro.format == HB_REPORT_TEXT)
            sc.live = stdout;
        if (hb_follow_run(&sc, argv + optind, (size_t)(argc - optind), &fo) !=
            HB_OK)
            store_failed = true;
    } else {
        uint64_t total = 0;
        struct stat sb;

        for (k = 0; k < files.n; k++)
            if (strcmp(files.paths[k], "-") != 0 &&
                stat(files.paths[k], &sb) == 0)
                total += (uint64_t)sb.st_size;
        /* the prefilter looks for the grams rarest in this input */
        sample = hb_xmalloc(SCAN_SAMPLE_BYTES);
        sc.nsample =
            hb_sample_inputs(files.paths, files.n, sample, SCAN_SAMPLE_BYTES);
        sc.sample = sample;
        hb_matcher_tune(sc.matcher, sc.sample, sc.nsample);
        sc.progress = hb_progress_new(
            !a.quiet && isatty(2) &&
                !(files.n == 1 && strcmp(files.paths[0], "-") == 0),
            files.n, total);
        if (hb_scan_files(&sc, files.paths, files.n) != HB_OK)
            store_failed = true;
        hb_progress_free(sc.progress);
        sc.progress = NULL;
    }
    sc.stats.input_errors = sc.input_errors;

    if (st && !store_failed) {
        memset(&counts, 0, sizeof counts);
        counts.sources = sc.stats.sources;
        counts.bytes = sc.stats.bytes;
        counts.lines = sc.stats.lines;
        counts.records = sc.stats.records;
        counts.incidents = sc.stats.incidents;
        counts.truncated = sc.stats.truncated;
        counts.cut = sc.stats.cut;
        counts.input_errors = sc.input_errors;
        if (hb_store_run_end(st, &counts, &d) != HB_OK) {
            hb_diag_print(&d, stderr);
            store_failed = true;
        }
    }

    if (sc.ndjson == NULL)
        hb_dx_report(sc.dx, &sc.stats, &ro, stdout);
    else
        hb_dx_rank(sc.dx);
    if (!a.quiet && (sc.stats.truncated || sc.stats.cut))
        fprintf(stderr,
                "hbscan: %llu line%s truncated at --max-line, %llu record%s "
                "cut at the record caps\n",
                (unsigned long long)sc.stats.truncated,
                sc.stats.truncated == 1 ? "" : "s",
                (unsigned long long)sc.stats.cut, sc.stats.cut == 1 ? "" : "s");
    if (a.verbose && !a.quiet)
        print_rule_stats(rs, &sc);

    if (store_failed)
        rc = HB_EXIT_DB;
    else if (sc.input_errors)
        rc = HB_EXIT_INPUT;
    else if (a.fail_on && hb_dx_fails(sc.dx, a.fail_on))
        rc = HB_EXIT_FOUND;
    else
        rc = HB_EXIT_OK;
out:
    free(sample);
    hb_filelist_fini(&files);
    hb_dx_free(sc.dx);
    hb_config_set_free(cfgset);
    hb_scan_fini(&sc);
    hb_matcher_free(sc.matcher);
    hb_store_close(st);
    hb_rules_free(rs);
    return rc;
}
