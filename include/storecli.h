/*
 * storecli.h - command-line plumbing shared by the database commands
 * (query, incidents, merge, db): option values, opening the store named by
 * --db / HBSCAN_DB / the default path, and statuses to exit codes.
 */
#ifndef HB_STORECLI_H
#define HB_STORECLI_H

#include <stdbool.h>
#include <stdint.h>

#include "hbscan.h"
#include "store.h"

/*
 * Matches argv[*i] against "--name VALUE" or "--name=VALUE". Returns 1 and
 * sets *val (advancing *i past a separate value), -1 when the option is
 * there but its value is missing, 0 when argv[*i] is another argument.
 */
int hb_cli_optval(int argc, char **argv, int *i, const char *name,
                  const char **val);

/* Prints "hbscan CMD: message" and a pointer to --help; returns 2. */
int hb_cli_usage(const char *cmd, const char *fmt, ...) HB_PRINTF(2, 3);

/* The exit code for a store status: 0, 2 (usage/SQL), 5 (database). */
int hb_cli_exit(enum hb_status rc);

/*
 * Opens the store at dbopt (or the default path) in mode; prints the
 * reason on failure. *s is NULL on failure.
 */
enum hb_status hb_cli_open_store(const char *dbopt, enum hb_store_mode mode,
                                 struct hb_store **s);

/*
 * Reads a --since/--until/--before value (ISO-8601 or "90m", "2d"...).
 * Prints a usage error and returns false when it cannot.
 */
bool hb_cli_time(const char *cmd, const char *opt, const char *val,
                 int64_t *ms);

#endif
