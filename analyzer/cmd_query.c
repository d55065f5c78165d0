/*
 * cmd_query.c - `hbscan query SQL`: one read-only SQL statement against the
 * incident database, printed as a table fitted to the terminal, CSV, JSON
 * or NDJSON. The store refuses anything that would write.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "rowfmt.h"
#include "store.h"
#include "storecli.h"
#include "util.h"

#define SQL_MAX (1024 * 1024) /* bytes of SQL read from stdin */

static const char help[] =
    "usage: hbscan query [--db PATH] [--format table|csv|json|ndjson] SQL\n"
    "\n"
    "Runs one read-only SQL statement against the incident database and\n"
    "prints its rows. Writes, ATTACH/DETACH, writing pragmas, transactions\n"
    "and file or extension functions are refused. SQL '-' reads the\n"
    "statement from standard input.\n"
    "\n"
    "Tables: sources, runs, incidents, observations.\n"
    "Views: incident_rules, incident_groups, incidents_per_hour,\n"
    "instance_state.\n"
    "The schema is described in docs/schema.md.\n"
    "\n"
    "options:\n"
    "  --db PATH      database file (default: $HBSCAN_DB, else\n"
    "                 $XDG_STATE_HOME/hbscan/hbscan.db, else\n"
    "                 ~/.local/state/hbscan/hbscan.db)\n"
    "  --format FMT   table (default, fitted to the terminal width), csv\n"
    "                 (RFC 4180), json (an array of objects) or ndjson\n"
    "  -h, --help     show this help\n"
    "\n"
    "examples:\n"
    "  hbscan query 'SELECT cause, count(*) AS n FROM incidents GROUP BY "
    "cause'\n"
    "  hbscan query --format csv 'SELECT * FROM incidents_per_hour'\n"
    "  hbscan query \"SELECT * FROM instance_state WHERE state = 'failing'\"\n"
    "\n"
    "exit status: 0 ok, 2 bad usage or SQL (refused or invalid),\n"
    "5 database missing or unusable.\n";

/* Reads the statement from stdin, capped at SQL_MAX bytes. */
static bool read_stdin(struct hb_buf *b)
{
    char chunk[8192];
    size_t n;

    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        if (b->len + n > SQL_MAX)
            return false;
        hb_buf_append(b, chunk, n);
    }
    return !ferror(stdin);
}

int hb_cmd_query(int argc, char **argv)
{
    const char *db = NULL, *fmtname = "table", *sql = NULL, *v;
    struct hb_store *s = NULL;
    struct hb_rowout *out = NULL;
    struct hb_row_sink sink;
    struct hb_diag d;
    struct hb_buf text;
    enum hb_status rc;
    int fmt, i, m, ret;
    bool opts = true;

    hb_buf_init(&text);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (opts && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            fputs(help, stdout);
            return HB_EXIT_OK;
        }
        if (opts && strcmp(a, "--") == 0) {
            opts = false;
            continue;
        }
        if (opts && (m = hb_cli_optval(argc, argv, &i, "--db", &v)) != 0) {
            if (m < 0)
                return hb_cli_usage("query", "--db needs a path");
            db = v;
        } else if (opts &&
                   (m = hb_cli_optval(argc, argv, &i, "--format", &v)) != 0) {
            if (m < 0)
                return hb_cli_usage("query", "--format needs a value");
            fmtname = v;
        } else if (opts && a[0] == '-' && a[1] != '\0') {
            return hb_cli_usage("query", "unknown option '%s'", a);
        } else if (sql == NULL) {
            sql = a;
        } else {
            return hb_cli_usage("query", "give the SQL as one argument "
                                         "(quote it)");
        }
    }
    fmt = hb_rowfmt_from_name(fmtname);
    if (fmt < 0)
        return hb_cli_usage("query",
                            "unknown format '%s' (table, csv, json, "
                            "ndjson)",
                            fmtname);
    if (sql == NULL)
        return hb_cli_usage("query", "missing SQL statement");
    if (strcmp(sql, "-") == 0) {
        if (!read_stdin(&text)) {
            hb_buf_fini(&text);
            return hb_cli_usage("query", "cannot read SQL from standard "
                                         "input (at most 1 MiB)");
        }
        hb_buf_puts(&text, "");
        sql = text.data;
    }
    rc = hb_cli_open_store(db, HB_STORE_RO, &s);
    if (rc != HB_OK) {
        hb_buf_fini(&text);
        return hb_cli_exit(rc);
    }
    out = hb_rowout_new(stdout, (enum hb_rowfmt)fmt,
                        fmt == HB_ROWFMT_TABLE ? hb_term_width(STDOUT_FILENO)
                                               : 0);
    sink = hb_rowout_sink(out);
    memset(&d, 0, sizeof d);
    rc = hb_store_query(s, sql, &sink, &d);
    hb_rowout_finish(out);
    ret = hb_cli_exit(rc);
    if (rc != HB_OK)
        hb_diag_print(&d, stderr);
    hb_rowout_free(out);
    hb_store_close(s);
    hb_buf_fini(&text);
    return ret;
}
