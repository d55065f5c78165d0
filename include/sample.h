/*
 * sample.h - a slice of the input read before a scan, so the literal
 * prefilter can look for the grams that are rare in it (hb_matcher_tune).
 * Only speed depends on the sample; no result does.
 */
#ifndef HB_SAMPLE_H
#define HB_SAMPLE_H

#include <stddef.h>

/*
 * Fills buf[0..cap) with bytes of the first plain regular files among
 * paths[0..n) (16 at most): 32 KiB pieces spread evenly over each, the
 * pieces shared out among the files. Skips "-", gzip files and whatever
 * cannot be opened or read, silently: the scan reports those.
 * Returns the bytes written.
 */
size_t hb_sample_inputs(char *const *paths, size_t n, char *buf, size_t cap);

#endif
