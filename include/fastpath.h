/*
 * fastpath.h - one switch for every shortcut of the scan pipeline (literal
 * prefilters, skipped stages, bulk reads). The shortcuts must never change a
 * result; HBSCAN_NO_FASTPATH=1 in the environment turns them all off so
 * tests can compare both paths byte for byte (tests/cli_fastpath.sh).
 */
#ifndef HB_FASTPATH_H
#define HB_FASTPATH_H

#include <stdbool.h>

/* false when HBSCAN_NO_FASTPATH is set to a non-empty value other than
   "0". Read once, on the first call (thread safe); constant afterwards. */
bool hb_fastpath_enabled(void);

#endif
