/*
 * progress.h - a one-line progress display on stderr for long scans: files
 * done/total, bytes, MB/s, ETA, incidents so far. Only when stderr is a
 * terminal and --quiet was not given; redrawn at most 5 times a second.
 * Updates may come from worker threads (bytes) and the consumer (the rest).
 */
#ifndef HB_PROGRESS_H
#define HB_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct hb_progress; /* opaque */

/* Returns NULL (a valid no-op handle) when progress should not be shown. */
struct hb_progress *hb_progress_new(bool enabled, uint64_t files,
                                    uint64_t bytes);
/* Thread-safe: bytes read since the last call. */
void hb_progress_bytes(struct hb_progress *p, uint64_t n);
/* Consumer thread: a file finished; incidents so far. Redraws if due. */
void hb_progress_file_done(struct hb_progress *p, uint64_t incidents);
/* Consumer thread: redraw if due. */
void hb_progress_tick(struct hb_progress *p, uint64_t incidents);
/* Clears the line. NULL is a no-op. */
void hb_progress_free(struct hb_progress *p);

#endif
