/*
 * rowfmt.h - rows of typed values (a query's result) written as an aligned
 * table fitted to the terminal, CSV (RFC 4180), a JSON array of objects or
 * NDJSON. Used by `hbscan query`, `hbscan incidents` and `hbscan db info`.
 */
#ifndef HB_ROWFMT_H
#define HB_ROWFMT_H

#include <stddef.h>
#include <stdio.h>

#include "hbscan.h"
#include "util.h"

enum hb_rowfmt {
    HB_ROWFMT_TABLE,
    HB_ROWFMT_CSV,
    HB_ROWFMT_JSON,  /* one array of objects */
    HB_ROWFMT_NDJSON /* one object per line */
};

/* "table", "csv", "json", "ndjson" -> format; -1 for an unknown name. */
int hb_rowfmt_from_name(const char *name);

enum hb_val_type { HB_VAL_NULL, HB_VAL_INT, HB_VAL_REAL, HB_VAL_TEXT };

/*
 * One cell. p/n is the value's text (for numbers too: "42", "0.8"); p is
 * NULL for HB_VAL_NULL. Borrowed: valid only during the row callback.
 */
struct hb_val {
    enum hb_val_type type;
    const char *p;
    size_t n;
};

/*
 * Where rows go. columns is called once before the first row (also for an
 * empty result), then row once per row with n values.
 */
struct hb_row_sink {
    void (*columns)(void *ctx, int n, const char *const *names);
    void (*row)(void *ctx, int n, const struct hb_val *vals);
    void *ctx;
};

/* Rows kept to size the table's columns; later rows reuse those widths. */
#define HB_ROWFMT_SIZE_ROWS 1000

struct hb_rowout; /* opaque */

/*
 * A writer to fp (borrowed). width: the table's total width in columns,
 * 0 = unlimited (see hb_term_width). Never fails (allocation aborts).
 */
struct hb_rowout *hb_rowout_new(FILE *fp, enum hb_rowfmt fmt, int width);
/* A sink that feeds the writer; ctx is the writer. */
struct hb_row_sink hb_rowout_sink(struct hb_rowout *w);
/* Writes what is still buffered and closes the JSON array. */
void hb_rowout_finish(struct hb_rowout *w);
/* Rows written so far. */
unsigned long hb_rowout_rows(const struct hb_rowout *w);
void hb_rowout_free(struct hb_rowout *w);

/*
 * Width to fit tables to: the terminal's (TIOCGWINSZ) when fd is a TTY,
 * else $COLUMNS, else 0 (unlimited).
 */
int hb_term_width(int fd);

/*
 * Appends a table cell's display form of s to b: newline, tab, CR as
 * \n \t \r, other control bytes and invalid UTF-8 as \xNN. Returns the
 * display width added (East Asian wide characters count 2).
 */
size_t hb_rowfmt_cell(struct hb_buf *b, const char *s, size_t n);

#endif
