/*
 * scan_int.h - what scan.c (one source through the pipeline) and
 * scan_jobs.c (--jobs: workers and the ordered consumer) share.
 *
 * A source is read in segments: a segment ends at the first record
 * boundary at or after each multiple of the segment size (a boundary is a
 * header line with no partial line held by the unwrapper). A segment is
 * the unit of parallel work, of a store transaction and of the runs of
 * repeated observations, so a file cut into segments read by several
 * workers gives what one reader gives, and a scan resumed at a committed
 * offset gives what an uninterrupted scan gives.
 *
 * Events carry line numbers relative to the start of the piece of work that
 * produced them (its first line is 1); the direct sink adds the number of
 * lines before it.
 */
#ifndef HB_SCAN_INT_H
#define HB_SCAN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"
#include "scan.h"

/* A source's counters, summed into hb_input_stats by the consumer. */
struct fstats {
    uint64_t lines, records, bytes, truncated, cut;
    bool sourced; /* opened: counts as a source */
    bool io_error;
    const char *wrapper; /* unwrap kind seen, or NULL */
};

/* A commit point: everything before offset is done. */
struct seg_mark {
    uint64_t offset;
    uint64_t line;            /* relative number of the last line before */
    struct hb_fmt_tally fmts; /* headers per format in this piece so far */
    bool complete;            /* read to its end (a gzip is then skipped
                                 when seen again) */
    bool keep_format;         /* leave the stored format as it is */
};

/* Where a piece of work's events go: straight to the sinks, or into a
 * queue replayed in order by the consumer. */
struct sink {
    /* The piece starts at offset (a split piece: its first boundary;
       UINT64_MAX: it has none, the piece is empty); sent before any other
       event. */
    void (*begin)(struct sink *k, uint64_t offset);
    void (*incident)(struct sink *k, const struct hb_incident *inc,
                     const struct hb_record *rec);
    void (*obs)(struct sink *k, const struct hb_obs *o);
    void (*mark)(struct sink *k, const struct seg_mark *m);
};

/* Where a source resumes, decided by the store before reading. */
struct prep {
    int64_t source_id;
    uint64_t offset, line;
    bool skip;      /* nothing new to read */
    bool unchanged; /* a plain file read to its end before and no longer
                       since: a batch scan has nothing to read (follow
                       mode reads on) */
    bool failed;    /* could not even be opened (reported, counted) */
};

/* One piece of work on a source. */
struct piece {
    uint64_t start; /* a record boundary, or with !exact a grid point */
    uint64_t line;  /* exact: lines before start (for messages) */
    bool exact;     /* start is a boundary (the source's first piece) */
    bool single;    /* stop at the first boundary at or after the next
                       grid point (a split piece); else read to the end
                       of the source through every boundary */
    bool follow;    /* no segments: the caller commits (follow mode) */
};

/* The direct sink: store, diagnosis, NDJSON, hook, for one source. Line
 * numbers of events are shifted by base. */
struct direct {
    struct sink base;
    struct hb_scan *sc;
    int64_t source_id;
    enum hb_status rc; /* first store failure */
    struct hb_diag d;
    uint64_t line_base;       /* lines before the current piece */
    uint64_t pos;             /* offset the next piece must start at */
    uint64_t piece_lines;     /* lines of the current piece so far */
    struct hb_fmt_tally fmts; /* headers of the finished pieces */
    struct hb_fmt_tally cur;  /* of the current piece */
};

void direct_init(struct direct *s, struct hb_scan *sc, int64_t id);
/* The current piece is over: its lines and formats join the totals. */
void direct_piece_done(struct direct *s);
/* Prints the store failure this sink met, if it is new. */
void direct_report(const struct direct *s);

/* Measures a source's identity and asks the store where to resume. */
enum hb_status scan_prepare(struct hb_scan *sc, const char *path,
                            struct prep *p, struct hb_diag *d);

/* The segment size: opts.segment_bytes, else HB_SEGMENT_BYTES. */
uint64_t scan_segment_bytes(const struct hb_scan *sc);

/* Runs one piece of path through the pipeline into sink with matcher m.
 * Safe in a worker thread: it touches only its own objects, the read-only
 * ruleset and m. fs is filled for this piece. tick: this thread may
 * redraw the progress line. */
void scan_piece(const struct hb_scan *sc, struct hb_matcher *m,
                const char *path, const struct piece *pc, struct sink *sink,
                struct fstats *fs, bool tick);

/* A source is over: adds its counters to sc's and says, under -v, what
 * it was (s: its sink, every piece done). */
void scan_source_done(struct hb_scan *sc, const char *path,
                      const struct fstats *fs, const struct direct *s);

/* A source with nothing new since its last scan (prep.unchanged): counts
 * it as read. */
void scan_unchanged(struct hb_scan *sc, const char *path);

/* Prepares and scans one source in this thread, straight into the sinks
 * (also the consumer's way with a source named twice). */
enum hb_status scan_one(struct hb_scan *sc, const char *path);

/* The parallel driver (scan_jobs.c). */
enum hb_status scan_parallel(struct hb_scan *sc, char *const *paths, size_t n,
                             unsigned nworkers);

#endif
