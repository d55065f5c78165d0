/*
 * cmd_merge.c - `hbscan merge OUT.db IN.db...`: combines incident
 * databases from several machines into one, skipping what OUT.db already
 * holds, so merging twice adds nothing.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "store.h"
#include "storecli.h"

static const char help[] =
    "usage: hbscan merge OUT.db IN.db...\n"
    "\n"
    "Adds the runs, sources, incidents and observations of each IN.db (for\n"
    "example one database per machine) to OUT.db, which is created when\n"
    "missing. Inputs are opened read-only and may have an older schema.\n"
    "Rows OUT.db already holds are skipped (incidents and observations by\n"
    "their occurrence key, sources by identity, runs by run key), so\n"
    "merging the same input again adds nothing.\n"
    "\n"
    "options:\n"
    "  -h, --help   show this help\n"
    "\n"
    "example:\n"
    "  hbscan merge all.db host1.db host2.db && hbscan incidents --db all.db\n"
    "\n"
    "exit status: 0 ok, 2 bad usage, 5 a database missing or unusable.\n";

int hb_cmd_merge(int argc, char **argv)
{
    struct hb_store *s = NULL;
    struct hb_merge_counts c;
    struct hb_diag d;
    enum hb_status rc = HB_OK;
    int i, first = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(help, stdout);
            return HB_EXIT_OK;
        }
        if (strcmp(argv[i], "--") == 0) {
            first = i + 1;
            break;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return hb_cli_usage("merge", "unknown option '%s'", argv[i]);
    }
    if (first == 0)
        first = 1;
    if (argc - first < 2)
        return hb_cli_usage("merge", "give the output database and at least "
                                     "one input");
    rc = hb_cli_open_store(argv[first], HB_STORE_RW, &s);
    if (rc != HB_OK)
        return hb_cli_exit(rc);
    for (i = first + 1; i < argc; i++) {
        memset(&d, 0, sizeof d);
        rc = hb_store_merge(s, argv[i], &c, &d);
        if (rc != HB_OK) {
            hb_diag_print(&d, stderr);
            break;
        }
        printf("%s: +%llu incidents, +%llu observations, +%llu sources, "
               "+%llu runs\n",
               argv[i], (unsigned long long)c.incidents,
               (unsigned long long)c.observations,
               (unsigned long long)c.sources, (unsigned long long)c.runs);
    }
    hb_store_close(s);
    return hb_cli_exit(rc);
}
