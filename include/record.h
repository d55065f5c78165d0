/*
 * record.h - assembles logical lines into records: a header line with its
 * continuation (Java stack traces with "Caused by:", "Suppressed:",
 * "... N more", exception lines without a timestamp, the blank line some
 * layouts print before a trace, Spring Boot's APPLICATION FAILED TO START
 * block). Push style, so the same code serves batch scans and --follow.
 */
#ifndef HB_RECORD_H
#define HB_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "format.h"
#include "hbscan.h"
#include "reader.h"

#define HB_MAX_CHAIN            8
#define HB_DEFAULT_RECORD_LINES 512
#define HB_DEFAULT_RECORD_BYTES (256 * 1024)

/* One exception of a chain: "pkg.Class: message". */
struct hb_exception {
    struct hb_str cls;
    struct hb_str msg; /* first line of the message only */
};

/*
 * A record. All slices point into the assembler's buffer and stay valid
 * until the next hb_asm_feed/hb_asm_flush/hb_asm_free.
 */
struct hb_record {
    const char *source;   /* borrowed: the display name of the input */
    uint64_t first_line;  /* 1-based line of the header */
    uint64_t last_line;   /* last line that belongs to the record */
    uint64_t end_offset;  /* byte offset just past the last line */
    struct hb_str text;   /* the record's lines joined by '\n' */
    struct hb_str head;   /* the first line */
    const char *format;   /* static name of the header's format or "plain" */
    struct hb_header hdr; /* header fields (zeroed, pid -1, when plain) */
    struct hb_exception chain[HB_MAX_CHAIN]; /* outermost first */
    int nchain;      /* deepest "Caused by" is chain[nchain - 1] */
    unsigned nlines; /* lines kept in text */
    bool cut;        /* a line or byte cap dropped lines */
};

struct hb_asm_opts {
    unsigned max_lines;             /* 0 = HB_DEFAULT_RECORD_LINES */
    size_t max_bytes;               /* 0 = HB_DEFAULT_RECORD_BYTES */
    const struct hb_format *forced; /* --input-format; NULL = auto */
    bool defer_chain; /* records come out with nchain 0: the caller parses
                         the chain (hb_record_parse_chain_named) */
};

struct hb_asm; /* opaque; one per source */

struct hb_asm *hb_asm_new(const char *source, const struct hb_asm_opts *o);
void hb_asm_free(struct hb_asm *a);

/*
 * Feeds one logical line. Returns true when it completed the previous
 * record, which is then in *rec (valid until the next call).
 */
bool hb_asm_feed(struct hb_asm *a, const struct hb_line *line,
                 struct hb_record *rec);
/* Ends the pending record (end of input or a quiet interval). */
bool hb_asm_flush(struct hb_asm *a, struct hb_record *rec);

/*
 * Forgets what the assembler learnt from earlier lines (the format hint, a
 * failure banner being read): it then reads the next line as a new
 * assembler would. Counters are kept. Call hb_asm_flush first.
 */
void hb_asm_reset(struct hb_asm *a);

/* Header lines counted per format. */
#define HB_FMT_TALLY_MAX 16
struct hb_fmt_tally {
    const struct hb_format *fmt[HB_FMT_TALLY_MAX]; /* NULL-terminated */
    uint64_t n[HB_FMT_TALLY_MAX];
};

/* Adds n headers of format f (a full tally drops new formats). */
void hb_fmt_tally_add(struct hb_fmt_tally *t, const struct hb_format *f,
                      uint64_t n);
/* Adds every count of from into t. */
void hb_fmt_tally_merge(struct hb_fmt_tally *t,
                        const struct hb_fmt_tally *from);
/* The format with most headers, the first seen on a tie; "plain" if none. */
const char *hb_fmt_tally_best(const struct hb_fmt_tally *t);

/* Counters for the summary, since hb_asm_new. */
uint64_t hb_asm_records(const struct hb_asm *a);
uint64_t hb_asm_cut(const struct hb_asm *a);
const struct hb_fmt_tally *hb_asm_formats(const struct hb_asm *a);
/* The format that parsed most headers so far ("plain" if none). */
const char *hb_asm_format(const struct hb_asm *a);

/*
 * Fills rec->chain from rec->text: the first "Class: msg" line that names a
 * Throwable, then each "Caused by:". Exposed for tests and unwrap.
 */
void hb_record_parse_chain(struct hb_record *rec);

/* The class names every Throwable the chain takes has one of: "Exception",
   "Error", "Throwable" (case as written). *n gets their number. */
const char *const *hb_throwable_names(size_t *n);

/*
 * hb_record_parse_chain for a record of hb_asm whose text a literal scan
 * has searched for hb_throwable_names already: named says whether any
 * occurs. Without one the chain is empty and the text is not read again.
 */
void hb_record_parse_chain_named(struct hb_record *rec, bool named);

#endif
