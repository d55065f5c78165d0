/*
 * cmd_db.c - `hbscan db info|vacuum|prune`: looking after the incident
 * database file (what it holds, reclaiming space, dropping old rows).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "store.h"
#include "storecli.h"
#include "timeparse.h"

static const char help[] =
    "usage: hbscan db info [--db PATH]\n"
    "       hbscan db vacuum [--db PATH]\n"
    "       hbscan db prune --before T [--vacuum] [--db PATH]\n"
    "\n"
    "Looks after the incident database.\n"
    "\n"
    "  info     path, schema version, file size, rows per table, time span\n"
    "  vacuum   rebuild the file to give free space back to the system\n"
    "  prune    delete incidents and observations older than T: ISO-8601\n"
    "           (2024-03-01) or relative to now (30d, 12h); rows without\n"
    "           a time are kept; --vacuum rebuilds the file afterwards\n"
    "\n"
    "options:\n"
    "  --db PATH    database file (default: $HBSCAN_DB, else\n"
    "               $XDG_STATE_HOME/hbscan/hbscan.db, else\n"
    "               ~/.local/state/hbscan/hbscan.db)\n"
    "  -h, --help   show this help\n"
    "\n"
    "exit status: 0 ok, 2 bad usage, 5 database missing or unusable.\n";

static void print_size(uint64_t n)
{
    if (n >= 1024 * 1024)
        printf("%.1f MiB (%" PRIu64 " bytes)\n", (double)n / (1024 * 1024), n);
    else if (n >= 1024)
        printf("%.1f KiB (%" PRIu64 " bytes)\n", (double)n / 1024, n);
    else
        printf("%" PRIu64 " bytes\n", n);
}

static void print_time(const char *label, int64_t ms)
{
    char buf[40];

    if (ms == HB_NO_TIME) {
        printf("%-16s-\n", label);
        return;
    }
    hb_time_format(ms, buf, sizeof buf);
    printf("%-16s%s\n", label, buf);
}

static int db_info(struct hb_store *s)
{
    struct hb_store_info in;
    struct hb_diag d;
    enum hb_status rc;

    memset(&d, 0, sizeof d);
    rc = hb_store_info(s, &in, &d);
    if (rc != HB_OK) {
        hb_diag_print(&d, stderr);
        return hb_cli_exit(rc);
    }
    printf("%-16s%s\n", "path", hb_store_path(s));
    printf("%-16s%d\n", "schema version", in.schema_version);
    printf("%-16s", "size");
    print_size(in.file_bytes);
    printf("%-16s%" PRIu64 "\n", "sources", in.sources);
    printf("%-16s%" PRIu64 "\n", "runs", in.runs);
    printf("%-16s%" PRIu64 "\n", "incidents", in.incidents);
    printf("%-16s%" PRIu64 "\n", "incident_rules", in.incident_rules);
    printf("%-16s%" PRIu64 "\n", "observations", in.observations);
    if (in.schema_version >= 4)
        printf("%-16s%" PRIu64 " (record bodies, each stored once)\n", "texts",
               in.texts);
    print_time("first", in.first_ms);
    print_time("last", in.last_ms);
    return HB_EXIT_OK;
}

int hb_cmd_db(int argc, char **argv)
{
    const char *db = NULL, *action = NULL, *before = NULL, *v;
    struct hb_store *s = NULL;
    struct hb_diag d;
    enum hb_status rc;
    bool vacuum = false;
    int64_t before_ms = 0;
    uint64_t ni = 0, no = 0;
    int i, m, ret = HB_EXIT_OK;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help, stdout);
            return HB_EXIT_OK;
        }
        if ((m = hb_cli_optval(argc, argv, &i, "--db", &v)) != 0) {
            if (m < 0)
                return hb_cli_usage("db", "--db needs a path");
            db = v;
        } else if ((m = hb_cli_optval(argc, argv, &i, "--before", &v)) != 0) {
            if (m < 0)
                return hb_cli_usage("db", "--before needs a time");
            before = v;
        } else if (strcmp(a, "--vacuum") == 0) {
            vacuum = true;
        } else if (a[0] == '-') {
            return hb_cli_usage("db", "unknown option '%s'", a);
        } else if (action == NULL) {
            action = a;
        } else {
            return hb_cli_usage("db", "unexpected argument '%s'", a);
        }
    }
    if (action == NULL)
        return hb_cli_usage("db", "missing action: info, vacuum or prune");
    if (strcmp(action, "info") != 0 && strcmp(action, "vacuum") != 0 &&
        strcmp(action, "prune") != 0)
        return hb_cli_usage("db", "unknown action '%s' (info, vacuum, prune)",
                            action);
    if (strcmp(action, "prune") == 0) {
        if (before == NULL)
            return hb_cli_usage("db", "prune needs --before T");
        if (!hb_cli_time("db", "--before", before, &before_ms))
            return HB_EXIT_USAGE;
    } else if (before || vacuum) {
        return hb_cli_usage("db", "--before and --vacuum go with prune");
    }

    rc = hb_cli_open_store(
        db, strcmp(action, "info") == 0 ? HB_STORE_RO : HB_STORE_RW, &s);
    if (rc != HB_OK)
        return hb_cli_exit(rc);
    memset(&d, 0, sizeof d);
    if (strcmp(action, "info") == 0) {
        ret = db_info(s);
    } else if (strcmp(action, "vacuum") == 0) {
        rc = hb_store_vacuum(s, &d);
        if (rc == HB_OK)
            printf("vacuumed %s\n", hb_store_path(s));
    } else {
        rc = hb_store_prune(s, before_ms, &ni, &no, &d);
        if (rc == HB_OK) {
            char buf[40];

            hb_time_format(before_ms, buf, sizeof buf);
            printf("pruned %" PRIu64 " incidents and %" PRIu64
                   " observations before %s\n",
                   ni, no, buf);
            if (vacuum)
                rc = hb_store_vacuum(s, &d);
        }
    }
    if (rc != HB_OK) {
        hb_diag_print(&d, stderr);
        ret = hb_cli_exit(rc);
    }
    hb_store_close(s);
    return ret;
}
