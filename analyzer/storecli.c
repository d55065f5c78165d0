/*
 * storecli.c - option values, store opening and exit codes shared by the
 * database commands, so each cmd_*.c reads as its own options only.
 */
#include "storecli.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "timeparse.h"

int hb_cli_optval(int argc, char **argv, int *i, const char *name,
                  const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);

    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        *val = NULL;
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

int hb_cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "hbscan %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'hbscan %s --help'.\n", cmd);
    return HB_EXIT_USAGE;
}

int hb_cli_exit(enum hb_status rc)
{
    switch (rc) {
    case HB_OK:
    case HB_EOF:
        return HB_EXIT_OK;
    case HB_EUSAGE:
    case HB_EPARSE:
        return HB_EXIT_USAGE;
    case HB_EIO:
    case HB_EDB:
    case HB_EBUSY:
    case HB_ENOTFOUND:
    case HB_ELIMIT:
        return HB_EXIT_DB;
    }
    return HB_EXIT_INTERNAL;
}

enum hb_status hb_cli_open_store(const char *dbopt, enum hb_store_mode mode,
                                 struct hb_store **s)
{
    char buf[PATH_MAX];
    const char *path = hb_store_default_path(dbopt, buf, sizeof buf);
    struct hb_diag d;
    enum hb_status rc;

    *s = NULL;
    if (path == NULL && mode != HB_STORE_MEMORY) {
        fputs("hbscan: db: no database path: set --db or HBSCAN_DB "
              "(HOME is unknown)\n",
              stderr);
        return HB_EDB;
    }
    memset(&d, 0, sizeof d);
    rc = hb_store_open(s, path, mode, 0, &d);
    if (rc != HB_OK) {
        hb_diag_print(&d, stderr);
        if (rc == HB_EUSAGE)
            rc = HB_EDB;
    }
    return rc;
}

bool hb_cli_time(const char *cmd, const char *opt, const char *val, int64_t *ms)
{
    if (hb_time_parse_user(val, hb_time_now_ms(), ms) == HB_OK)
        return true;
    hb_cli_usage(cmd,
                 "%s: cannot read the time '%s' (use ISO-8601 such as "
                 "2024-03-13T20:16:04Z, or relative: 90m, 36h, 2d, 1w)",
                 opt, val);
    return false;
}
