/*
 * cmd_incidents.c - `hbscan incidents`: stored incidents filtered by time,
 * cause, service, instance and code without writing SQL (values are bound
 * as parameters by the store), one per row or grouped by fingerprint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "hbscan.h"
#include "rowfmt.h"
#include "store.h"
#include "storecli.h"

static const char help[] =
    "usage: hbscan incidents [--db PATH] [--since T] [--until T] [--cause C]\n"
    "                        [--service S] [--instance HOST[:PORT]] [--code "
    "X]\n"
    "                        [--group] [--limit N]\n"
    "                        [--format table|csv|json|ndjson]\n"
    "\n"
    "Lists the incidents stored by `hbscan scan`, oldest first. The table\n"
    "shows id, ts, cause, service, instance, codes and evidence (with\n"
    "--group: count, last_seen, cause, rule_id, service, sample); csv,\n"
    "json and ndjson also carry severity, rule_id, source and line (with\n"
    "--group: fingerprint, first_seen, severity, instance, codes, source,\n"
    "line). `hbscan query` reaches every column.\n"
    "\n"
    "options:\n"
    "  --since T        incidents at or after T: ISO-8601 (2024-03-13,\n"
    "                   2024-03-13T20:16:04Z, 2024-03-13 20:16:04+08:00) or\n"
    "                   relative to now (90m, 36h, 2d, 1w)\n"
    "  --until T        incidents before T (same forms)\n"
    "  --cause C        port, api-gating, version-mismatch, network, auth,\n"
    "                   not-found, rate-limit, server-error, config, unknown\n"
    "  --service S      the instance's service name\n"
    "  --instance H:P   the instance's address (host:port, or a host alone)\n"
    "  --code X         a Polaris code: 400401, ERR-1006, 1006, Polaris-1006,\n"
    "                   or a name: UNAVAILABLE, SERVER_USER_ERROR\n"
    "  --group          one row per fingerprint (the same problem): count,\n"
    "                   first and last seen, a sample; most frequent first\n"
    "  --limit N        only the N most recent incidents (with --group: the\n"
    "                   N most frequent groups)\n"
    "  --format FMT     table (default, fitted to the terminal), csv, json,\n"
    "                   ndjson\n"
    "  --db PATH        database file (default: $HBSCAN_DB, else\n"
    "                   $XDG_STATE_HOME/hbscan/hbscan.db, else\n"
    "                   ~/.local/state/hbscan/hbscan.db)\n"
    "  -h, --help       show this help\n"
    "\n"
    "examples:\n"
    "  hbscan incidents --since 2h --cause port\n"
    "  hbscan incidents --code 400401 --group\n"
    "  hbscan incidents --instance 10.0.0.5:8080 --format json\n"
    "\n"
    "exit status: 0 ok, 2 bad usage, 5 database missing or unusable.\n";

/* The columns a terminal table shows; csv/json/ndjson carry them all. */
static const char *const table_cols[] = {
    "id", "ts", "cause", "service", "instance", "codes", "evidence", NULL};
static const char *const group_cols[] = {
    "count", "last_seen", "cause", "rule_id", "service", "sample", NULL};

#define MAX_PICK 16

/* A sink that passes on only the named columns, in the list's order. */
struct pick {
    const struct hb_row_sink *next;
    const char *const *want;
    int map[MAX_PICK]; /* picked column -> index in the full row */
    int n;
};

static void pick_columns(void *ctx, int n, const char *const *names)
{
    struct pick *p = ctx;
    const char *picked[MAX_PICK];
    int i, k;

    p->n = 0;
    for (k = 0; p->want[k] && p->n < MAX_PICK; k++)
        for (i = 0; i < n; i++)
            if (strcmp(names[i], p->want[k]) == 0) {
                p->map[p->n] = i;
                picked[p->n++] = names[i];
                break;
            }
    p->next->columns(p->next->ctx, p->n, picked);
}

static void pick_row(void *ctx, int n, const struct hb_val *vals)
{
    struct pick *p = ctx;
    struct hb_val picked[MAX_PICK];
    int i;

    for (i = 0; i < p->n; i++)
        picked[i] = p->map[i] < n ? vals[p->map[i]]
                                  : (struct hb_val){HB_VAL_NULL, NULL, 0};
    p->next->row(p->next->ctx, p->n, picked);
}

int hb_cmd_incidents(int argc, char **argv)
{
    const char *db = NULL, *fmtname = "table", *v;
    struct hb_filter f;
    struct hb_store *s = NULL;
    struct hb_rowout *out;
    struct hb_row_sink sink, picked;
    struct pick pick;
    struct hb_diag d;
    enum hb_status rc;
    bool group = false;
    int i, m, fmt, ret;

    hb_filter_init(&f);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help, stdout);
            return HB_EXIT_OK;
        }
        if (strcmp(a, "--group") == 0) {
            group = true;
            continue;
        }
#define OPT(name) ((m = hb_cli_optval(argc, argv, &i, name, &v)) != 0)
#define NEED(name)                                                             \
    do {                                                                       \
        if (m < 0)                                                             \
            return hb_cli_usage("incidents", "%s needs a value", name);        \
    } while (0)
        if (OPT("--db")) {
            NEED("--db");
            db = v;
        } else if (OPT("--format")) {
            NEED("--format");
            fmtname = v;
        } else if (OPT("--since")) {
            NEED("--since");
            if (!hb_cli_time("incidents", "--since", v, &f.since_ms))
                return HB_EXIT_USAGE;
        } else if (OPT("--until")) {
            NEED("--until");
            if (!hb_cli_time("incidents", "--until", v, &f.until_ms))
                return HB_EXIT_USAGE;
        } else if (OPT("--cause")) {
            NEED("--cause");
            if (!hb_filter_cause_valid(v))
                return hb_cli_usage("incidents", "unknown cause '%s'", v);
            f.cause = v;
        } else if (OPT("--service")) {
            NEED("--service");
            f.service = v;
        } else if (OPT("--instance")) {
            NEED("--instance");
            f.instance = v;
        } else if (OPT("--code")) {
            NEED("--code");
            f.code = v;
        } else if (OPT("--limit")) {
            char *end;

            NEED("--limit");
            f.limit = strtol(v, &end, 10);
            if (*v == '\0' || *end != '\0' || f.limit <= 0)
                return hb_cli_usage("incidents",
                                    "--limit needs a positive "
                                    "number, not '%s'",
                                    v);
        } else {
            return hb_cli_usage("incidents", "unknown argument '%s'", a);
        }
#undef OPT
#undef NEED
    }
    fmt = hb_rowfmt_from_name(fmtname);
    if (fmt < 0)
        return hb_cli_usage("incidents",
                            "unknown format '%s' (table, csv, "
                            "json, ndjson)",
                            fmtname);
    rc = hb_cli_open_store(db, HB_STORE_RO, &s);
    if (rc != HB_OK)
        return hb_cli_exit(rc);
    out = hb_rowout_new(stdout, (enum hb_rowfmt)fmt,
                        fmt == HB_ROWFMT_TABLE ? hb_term_width(STDOUT_FILENO)
                                               : 0);
    sink = hb_rowout_sink(out);
    if (fmt == HB_ROWFMT_TABLE) {
        memset(&pick, 0, sizeof pick);
        pick.next = &sink;
        pick.want = group ? group_cols : table_cols;
        picked = (struct hb_row_sink){pick_columns, pick_row, &pick};
    } else {
        picked = sink;
    }
    memset(&d, 0, sizeof d);
    rc = hb_store_list_incidents(s, &f, group, &picked, &d);
    hb_rowout_finish(out);
    ret = hb_cli_exit(rc);
    if (rc != HB_OK)
        hb_diag_print(&d, stderr);
    hb_rowout_free(out);
    hb_store_close(s);
    return ret;
}
