/*
 * main.c - argv to a subcommand, and the subcommand's status to an exit
 * code. Nothing else lives here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "hbscan.h"

const char *hb_progname = "hbscan";

const struct hb_command hb_commands[] = {
    {"scan", hb_cmd_scan,
     "read logs, classify Polaris failures, report causes"},
    {"rules", hb_cmd_rules, "check, test, list and show the rule files"},
    {"query", hb_cmd_query,
     "run a read-only SQL query on the incident database"},
    {"incidents", hb_cmd_incidents,
     "list stored incidents by time, cause, service, code"},
    {"merge", hb_cmd_merge, "combine incident databases from several machines"},
    {"db", hb_cmd_db, "show, vacuum or prune the incident database"},
    {"report", hb_cmd_report,
     "rank the causes of the failures stored by scans"},
    {"config", hb_cmd_config,
     "check client, server and build configuration before deploying"},
    {NULL, NULL, NULL},
};

static void usage(FILE *fp)
{
    const struct hb_command *c;

    fputs("usage: hbscan [--version] [--help] COMMAND [ARGS...]\n\n"
          "Finds why services stop heartbeating to a Polaris registry.\n\n"
          "commands:\n",
          fp);
    for (c = hb_commands; c->name; c++)
        fprintf(fp, "  %-10s %s\n", c->name, c->summary);
    fputs(
        "  help CMD   show the options of CMD\n\n"
        "exit status: 0 ok, 1 --fail-on matched, 2 usage, 3 invalid rules,\n"
        "4 some input unreadable, 5 database unusable, 70 internal error.\n"
        "environment: HBSCAN_DB, HBSCAN_RULES, XDG_STATE_HOME, NO_COLOR;\n"
        "HBSCAN_NO_FASTPATH=1 turns every shortcut of the scan off (the same\n"
        "results, slower: for checking the shortcuts).\n"
        "Run `hbscan scan` with no path to read standard input.\n",
        fp);
}

static const struct hb_command *find(const char *name)
{
    const struct hb_command *c;

    for (c = hb_commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* Flushes stdout and turns a failed write into an error exit. */
static int finish(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno != EPIPE)
            fprintf(stderr, "hbscan: error writing output: %s\n",
                    strerror(errno));
        return rc ? rc : HB_EXIT_INTERNAL;
    }
    if (fclose(stdout) != 0 && errno != EPIPE) {
        fprintf(stderr, "hbscan: error writing output: %s\n", strerror(errno));
        return rc ? rc : HB_EXIT_INTERNAL;
    }
    return rc;
}

int main(int argc, char **argv)
{
    const struct hb_command *c;

    if (argc > 0 && argv[0])
        hb_progname = argv[0];
    if (argc < 2) {
        usage(stderr);
        return HB_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return finish(HB_EXIT_OK);
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("hbscan %s\n", HB_VERSION);
        return finish(HB_EXIT_OK);
    }
    if (strcmp(argv[1], "help") == 0) {
        static char help_opt[] = "--help";
        char *help[] = {NULL, help_opt, NULL};

        if (argc < 3) {
            usage(stdout);
            return finish(HB_EXIT_OK);
        }
        c = find(argv[2]);
        if (c == NULL) {
            fprintf(stderr, "hbscan: unknown command '%s'\n", argv[2]);
            return HB_EXIT_USAGE;
        }
        help[0] = argv[2];
        return finish(c->run(2, help));
    }
    c = find(argv[1]);
    if (c == NULL) {
        fprintf(stderr, "hbscan: unknown command '%s' (see hbscan --help)\n",
                argv[1]);
        return HB_EXIT_USAGE;
    }
    return finish(c->run(argc - 1, argv + 1));
}
