/*
 * scan.h - the per-source pipeline: reader -> unwrap -> record assembly ->
 * extraction -> rules -> incidents, feeding the store, the diagnosis and
 * the NDJSON stream. cmd_scan.c parses options and calls this; follow mode
 * and parallel workers reuse it.
 */
#ifndef HB_SCAN_H
#define HB_SCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diagnose.h"
#include "incident.h"
#include "progress.h"
#include "rules.h"
#include "store.h"
#include "util.h"

/*
 * Sources are read in segments of about this many bytes: a segment ends at
 * the first record boundary at or after each multiple of it. Segments are
 * what --jobs spreads over the workers (one large file too), where a
 * store transaction may end, and where runs of repeated observations end,
 * so results never depend on --jobs or on where an earlier scan stopped.
 */
#define HB_SEGMENT_BYTES ((uint64_t)8 << 20)

/* hbscan scan's --commit-every: a batch scan commits at the first segment
   end after this many stored rows (or half a second). */
#define HB_COMMIT_ROWS 8192

struct hb_scan_opts {
    const char *input_format; /* NULL = auto */
    unsigned jobs;            /* worker threads; 0 or 1 = serial */
    size_t max_line;
    unsigned max_record_lines;
    size_t max_record_bytes;
    bool rescan;
    bool verbose;
    uint64_t segment_bytes; /* 0 = HB_SEGMENT_BYTES (tests use less) */
    unsigned commit_rows;   /* hb_scan_files commits at a segment end once
                               this many rows wait or 500 ms passed; 0 = at
                               every segment end, as always when a path is
                               stdin or another stream */
    const char *only_rule;  /* `rules test --rule` */
};

/* Everything one scan writes to; borrowed pointers, any may be NULL. */
struct hb_scan {
    struct hb_scan_opts opts;
    const struct hb_format *forced; /* resolved input_format */
    const struct hb_ruleset *rules;
    struct hb_matcher *matcher;          /* owned by the caller; serial runs */
    struct hb_matcher **worker_matchers; /* owned; one per worker */
    unsigned nworker_matchers;
    const char *sample; /* borrowed: input the worker matchers are tuned
                           on (hb_matcher_tune); NULL: not tuned */
    size_t nsample;
    struct hb_store *store;
    struct hb_dx *dx;
    FILE *ndjson; /* one JSON object per incident */
    FILE *live;   /* one text line per incident (follow) */
    /* Optional extra sink, called for every incident (rules test). */
    void (*on_incident)(void *ctx, const struct hb_incident *inc,
                        const struct hb_record *rec);
    void *ctx;
    struct hb_input_stats stats;
    unsigned input_errors;
    bool store_failed;            /* a store write failed: stop writing */
    struct hb_progress *progress; /* stderr progress line, or NULL */
};

/*
 * Scans files in the given order ("-" = stdin). With opts.jobs > 1 the files,
 * and the segments of large plain files, are parsed by worker threads while
 * this thread alone feeds the sinks, in file order, so the incidents, their
 * order and the stored offsets are the same as a serial run. Problems are
 * printed to stderr as "hbscan: path: reason"; unreadable inputs are counted in
 * sc->input_errors and the others still scanned. Returns HB_EDB/HB_EBUSY when
 * the store failed (the run stops there), else HB_OK.
 */
enum hb_status hb_scan_files(struct hb_scan *sc, char *const *paths, size_t n);

/* Frees what hb_scan_files allocated (worker matchers). */
void hb_scan_fini(struct hb_scan *sc);

/* Per-rule statistics summed over every matcher the scan used. */
void hb_scan_rule_stats(const struct hb_scan *sc, size_t rule,
                        struct hb_rule_stats *out);

/*
 * Follow mode: one file read as it grows, like tail -F. hb_tail_poll reads
 * what was appended (complete lines only), switches to the new file when
 * the path now names another inode (rotation: the old file is drained
 * first) and restarts at 0 when the file shrank (copytruncate); it commits
 * the offset of every complete record, and returns the lines read.
 * hb_tail_flush ends a pending record after a quiet interval. A path that
 * does not exist yet is retried at every poll.
 */
struct hb_tail;
struct hb_tail *hb_tail_open(struct hb_scan *sc, const char *path);
uint64_t hb_tail_poll(struct hb_tail *t);
void hb_tail_flush(struct hb_tail *t);
const char *hb_tail_path(const struct hb_tail *t);
void hb_tail_close(struct hb_tail *t);

/* One incident as one human line: "time source:line cause rule: text". */
void hb_incident_line(FILE *fp, const struct hb_incident *inc);

/* One incident as a JSON object on one line (the NDJSON contract). */
void hb_incident_json(struct hb_buf *b, const struct hb_incident *inc);

#endif
