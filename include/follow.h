/*
 * follow.h - `hbscan scan --follow`: watches files and directories like
 * tail -F until SIGINT or SIGTERM, printing each incident as it is found.
 */
#ifndef HB_FOLLOW_H
#define HB_FOLLOW_H

#include "scan.h"
#include "walk.h"

struct hb_follow_opts {
    unsigned poll_ms;        /* how often files are checked; 0 = 250 */
    unsigned quiet_ms;       /* a pending record is ended after this much
                                silence; 0 = 1000 */
    unsigned rescan_ms;      /* directories are re-listed for new files;
                                0 = 2000 */
    unsigned report_every_s; /* periodic summary on stdout; 0 = none */
    unsigned max_seconds;    /* stop after this long; 0 = until a signal */
    const struct hb_walk_opts *walk;
    struct hb_report_opts report;
};

/*
 * Runs until SIGINT/SIGTERM (or max_seconds), then ends pending records
 * and commits everything. paths: files and directories as given. Returns
 * HB_OK, or HB_EDB when the store failed.
 */
enum hb_status hb_follow_run(struct hb_scan *sc, char *const *paths, size_t n,
                             const struct hb_follow_opts *o);

#endif
