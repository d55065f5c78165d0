/*
 * reader.h - turns a file, a pipe or stdin into numbered lines.
 * Detects gzip by its magic bytes (never by name), strips LF/CRLF, keeps NUL
 * bytes and invalid UTF-8, truncates lines over a cap. Memory is bounded by
 * the line cap plus a fixed read buffer, whatever the input size.
 */
#ifndef HB_READER_H
#define HB_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "hbscan.h"

#define HB_DEFAULT_MAX_LINE (1024 * 1024)

struct hb_reader; /* opaque */

struct hb_reader_opts {
    size_t max_line;       /* bytes kept per line; 0 = HB_DEFAULT_MAX_LINE */
    uint64_t start_offset; /* skip this many (decompressed) bytes first */
    uint64_t start_line;  /* line number of the line at start_offset, minus 1 */
    bool hold_partial;    /* do not return a last line lacking '\n' */
    uint64_t max_output;  /* gzip bomb cap on decompressed bytes; 0 = none */
    bool first_line_only; /* only hb_reader_first_line will be asked: a
                             plain file is read no further than its first
                             line's cap (the line is the same) */
};

/*
 * One line. text points into the reader's buffer and is valid until the
 * next hb_reader_next or hb_reader_close. text[len] is '\0' (the line may
 * also contain NUL bytes; len is authoritative).
 */
struct hb_line {
    const char *text;
    size_t len;
    uint64_t lineno;      /* 1-based, in the original (decompressed) stream */
    uint64_t lineno_last; /* same as lineno unless a wrapper joined lines */
    uint64_t offset;      /* byte offset of the line start */
    uint64_t end;         /* byte offset just past the line terminator */
    bool truncated;       /* longer than max_line; the rest was dropped */
    bool has_newline;     /* false only for a last line without '\n' */
    bool one_line;        /* text holds no '\n': set by the reader, kept by
                             hb_unwrap for slices of such a text; false
                             (look) for lines built otherwise */
};

/*
 * Opens path for reading; "-" or NULL reads stdin. On failure returns
 * HB_EIO with d filled ("path: No such file or directory").
 * The reader owns the fd it opened (not stdin's).
 */
enum hb_status hb_reader_open(struct hb_reader **out, const char *path,
                              const struct hb_reader_opts *opts,
                              struct hb_diag *d);
/* Same over an already open fd; the reader closes it iff own_fd. */
enum hb_status hb_reader_open_fd(struct hb_reader **out, int fd,
                                 const char *name, bool own_fd,
                                 const struct hb_reader_opts *opts,
                                 struct hb_diag *d);

/*
 * Next line: HB_OK, HB_EOF, or HB_EIO (d filled: read error, truncated or
 * corrupt gzip). After HB_EIO the lines already returned stay valid data;
 * further calls return HB_EOF.
 */
enum hb_status hb_reader_next(struct hb_reader *r, struct hb_line *line,
                              struct hb_diag *d);

/*
 * Skips forward to a stored position: offset in decompressed bytes, line =
 * the number of lines before it. Used to resume a source after reading its
 * identity. Returns HB_EIO when the stream ends before offset (d filled).
 */
enum hb_status hb_reader_skip(struct hb_reader *r, uint64_t offset,
                              uint64_t line, struct hb_diag *d);

/*
 * Follow mode: after HB_EOF, lets the next hb_reader_next read again from
 * the file (which may have grown); a held partial line continues. With
 * hold_partial false, a held partial line is returned as the last line
 * (used before switching away from a rotated file). Returns false for a
 * stream that cannot grow (gzip, or after an error).
 */
bool hb_reader_rearm(struct hb_reader *r, bool hold_partial);

/* Numbers the next line returned n + 1. */
void hb_reader_set_lineno(struct hb_reader *r, uint64_t n);

bool hb_reader_is_gzip(const struct hb_reader *r);
/* Offset just past the last line returned (a held partial line excluded). */
uint64_t hb_reader_offset(const struct hb_reader *r);
/* Lines truncated by max_line so far. */
uint64_t hb_reader_truncated(const struct hb_reader *r);
/* The first bytes of the stream (up to 4 KiB, up to the first '\n'),
 * available right after open; used for source identity. */
struct hb_str hb_reader_first_line(const struct hb_reader *r);

void hb_reader_close(struct hb_reader *r);

#endif
