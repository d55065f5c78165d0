/*
 * rowfmt.c - writes rows of typed values as an aligned table fitted to the
 * terminal, CSV (RFC 4180), a JSON array or NDJSON. The table keeps its
 * first HB_ROWFMT_SIZE_ROWS rows to size the columns, then streams, so
 * memory stays bounded whatever the result size.
 */
#include "rowfmt.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"

#define COL_SEP  2 /* spaces between table columns */
#define COL_MIN  6 /* a column is never squeezed below this */
#define ELLIPSIS "\xe2\x80\xa6"

struct cell {
    char *s;  /* owned: the escaped display text */
    size_t w; /* its display width */
    enum hb_val_type type;
};

struct hb_rowout {
    FILE *fp; /* borrowed */
    enum hb_rowfmt fmt;
    size_t width; /* 0 = unlimited */
    int ncols;
    char **names; /* owned, ncols entries */
    unsigned long rows;
    struct cell *pending; /* owned: table rows kept for sizing, nrows*ncols */
    size_t npending;
    size_t *colw; /* owned: table column widths, once sized */
    bool *right;  /* owned: numeric column, aligned right */
    bool sized;
    bool finished;
    struct hb_buf line;
};

static const struct {
    const char *name;
    enum hb_rowfmt fmt;
} formats[] = {
    {"table", HB_ROWFMT_TABLE},
    {"csv", HB_ROWFMT_CSV},
    {"json", HB_ROWFMT_JSON},
    {"ndjson", HB_ROWFMT_NDJSON},
};

int hb_rowfmt_from_name(const char *name)
{
    size_t i;

    for (i = 0; i < HB_ARRAY_LEN(formats); i++)
        if (strcmp(formats[i].name, name) == 0)
            return (int)formats[i].fmt;
    return -1;
}

int hb_term_width(int fd)
{
    struct winsize ws;
    const char *env;
    long v;
    char *end;

    if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    env = getenv("COLUMNS");
    if (env && *env) {
        v = strtol(env, &end, 10);
        if (*end == '\0' && v > 0 && v < 100000)
            return (int)v;
    }
    return 0;
}

/* Terminal columns a code point takes: 0 combining, 2 wide CJK, else 1. */
static size_t cp_width(unsigned cp)
{
    if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
        (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
        (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
        (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
        (cp >= 0x20000 && cp <= 0x3fffd))
        return 2;
    return 1;
}

size_t hb_rowfmt_cell(struct hb_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, w = 0, k;
    unsigned cp;

    while (i < n) {
        unsigned c = p[i];

        if (c == '\n' || c == '\t' || c == '\r') {
            hb_buf_putc(b, '\\');
            hb_buf_putc(b, c == '\n' ? 'n' : c == '\t' ? 't' : 'r');
            w += 2;
            i++;
            continue;
        }
        k = hb_utf8_decode(p + i, n - i, &cp);
        if (k == 0 || c < 0x20 || c == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
            if (k == 0)
                k = 1;
            for (; k > 0; k--, i++) {
                hb_buf_printf(b, "\\x%02x", p[i]);
                w += 4;
            }
            continue;
        }
        hb_buf_append(b, p + i, k);
        w += cp_width(cp);
        i += k;
    }
    return w;
}

struct hb_rowout *hb_rowout_new(FILE *fp, enum hb_rowfmt fmt, int width)
{
    struct hb_rowout *w = hb_xcalloc(1, sizeof *w);

    w->fp = fp;
    w->fmt = fmt;
    w->width = width > 0 ? (size_t)width : 0;
    hb_buf_init(&w->line);
    return w;
}

static void flush_line(struct hb_rowout *w)
{
    if (w->line.len)
        fwrite(w->line.data, 1, w->line.len, w->fp);
    hb_buf_reset(&w->line);
}

static void csv_field(struct hb_buf *b, const char *s, size_t n)
{
    bool quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');
    size_t i;

    for (i = 0; i < n && !quote; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
            quote = true;
    if (!quote) {
        hb_buf_append(b, s, n);
        return;
    }
    hb_buf_putc(b, '"');
    for (i = 0; i < n; i++) {
        if (s[i] == '"')
            hb_buf_putc(b, '"');
        hb_buf_putc(b, s[i]);
    }
    hb_buf_putc(b, '"');
}

static void json_value(struct hb_buf *b, const struct hb_val *v)
{
    switch (v->type) {
    case HB_VAL_NULL:
        hb_buf_puts(b, "null");
        break;
    case HB_VAL_INT:
        hb_buf_append(b, v->p, v->n);
        break;
    case HB_VAL_REAL:
        /* SQLite prints infinities as "Inf", which JSON cannot carry */
        if (v->n == 0 || memchr(v->p, 'I', v->n) || memchr(v->p, 'N', v->n))
            hb_buf_puts(b, "null");
        else
            hb_buf_append(b, v->p, v->n);
        break;
    case HB_VAL_TEXT:
        hb_buf_json_str(b, v->p, v->n);
        break;
    }
}

static void json_object(struct hb_rowout *w, const struct hb_val *vals)
{
    int i;

    hb_buf_putc(&w->line, '{');
    for (i = 0; i < w->ncols; i++) {
        if (i)
            hb_buf_putc(&w->line, ',');
        hb_buf_json_str(&w->line, w->names[i], strlen(w->names[i]));
        hb_buf_putc(&w->line, ':');
        json_value(&w->line, &vals[i]);
    }
    hb_buf_putc(&w->line, '}');
}

/* Appends s (display width sw) padded or cut to exactly cw columns. */
static void table_cell(struct hb_buf *b, const char *s, size_t sw, size_t cw,
                       bool right, bool last)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, used = 0, k;
    unsigned cp;

    if (sw <= cw) {
        if (right)
            for (k = sw; k < cw; k++)
                hb_buf_putc(b, ' ');
        hb_buf_append(b, s, n);
        if (!right && !last)
            for (k = sw; k < cw; k++)
                hb_buf_putc(b, ' ');
        return;
    }
    /* cut to cw - 1 columns and mark the cut; s is valid UTF-8 here */
    while (i < n) {
        k = hb_utf8_decode(p + i, n - i, &cp);
        if (k == 0)
            k = 1, cp = '?';
        if (used + cp_width(cp) > cw - 1)
            break;
        used += cp_width(cp);
        i += k;
    }
    hb_buf_append(b, s, i);
    hb_buf_puts(b, ELLIPSIS);
    used++;
    if (!last)
        for (; used < cw; used++)
            hb_buf_putc(b, ' ');
}

static void table_row(struct hb_rowout *w, const struct cell *cells)
{
    int i;

    for (i = 0; i < w->ncols; i++) {
        size_t cw = w->colw[i];

        /* unlimited width never cuts, even rows wider than the sized ones */
        if (w->width == 0 && cells[i].w > cw)
            cw = cells[i].w;
        if (i)
            hb_buf_puts(&w->line, "  ");
        table_cell(&w->line, cells[i].s, cells[i].w, cw, w->right[i],
                   i == w->ncols - 1);
    }
    while (w->line.len && w->line.data[w->line.len - 1] == ' ')
        w->line.len--;
    hb_buf_putc(&w->line, '\n');
    flush_line(w);
}

static void cell_set(struct cell *c, const struct hb_val *v)
{
    struct hb_buf b;

    hb_buf_init(&b);
    hb_buf_append(&b, "", 0); /* an empty cell is "" too */
    c->w = v->type == HB_VAL_NULL ? 0 : hb_rowfmt_cell(&b, v->p, v->n);
    c->s = b.data;
    c->type = v->type;
}

/*
 * Fits the column widths to w->width: the last column (usually free text)
 * gives way first, then the widest columns shrink together; no column goes
 * below COL_MIN.
 */
static void fit_widths(struct hb_rowout *w)
{
    size_t total = 0, best, bi, last, over;
    int i;

    if (w->width == 0 || w->ncols == 0)
        return;
    for (i = 0; i < w->ncols; i++) {
        if (w->colw[i] > w->width)
            w->colw[i] = w->width;
        total += w->colw[i] + (i ? COL_SEP : 0);
    }
    last = (size_t)w->ncols - 1;
    if (total > w->width && w->colw[last] > COL_MIN) {
        over = total - w->width;
        if (over > w->colw[last] - COL_MIN)
            over = w->colw[last] - COL_MIN;
        w->colw[last] -= over;
        total -= over;
    }
    while (total > w->width) {
        best = 0;
        bi = 0;
        for (i = 0; i < w->ncols; i++)
            if (w->colw[i] > COL_MIN && w->colw[i] > best)
                best = w->colw[i], bi = (size_t)i;
        if (best == 0)
            break;
        w->colw[bi]--;
        total--;
    }
}

/* Sizes the columns from the kept rows, prints header and those rows. */
static void table_size(struct hb_rowout *w)
{
    struct cell *hdr = hb_xcalloc((size_t)w->ncols, sizeof *hdr);
    size_t r;
    int i;

    w->colw = hb_xcalloc((size_t)w->ncols, sizeof *w->colw);
    w->right = hb_xcalloc((size_t)w->ncols, sizeof *w->right);
    for (i = 0; i < w->ncols; i++) {
        struct hb_val v = {HB_VAL_TEXT, w->names[i], strlen(w->names[i])};
        bool numeric = w->npending > 0;

        cell_set(&hdr[i], &v);
        w->colw[i] = hdr[i].w;
        for (r = 0; r < w->npending; r++) {
            const struct cell *c =
                &w->pending[r * (size_t)w->ncols + (size_t)i];

            if (c->w > w->colw[i])
                w->colw[i] = c->w;
            if (c->type == HB_VAL_TEXT)
                numeric = false;
        }
        w->right[i] = numeric;
    }
    fit_widths(w);
    table_row(w, hdr);
    for (i = 0; i < w->ncols; i++) {
        size_t k;

        if (i)
            hb_buf_puts(&w->line, "  ");
        for (k = 0; k < w->colw[i]; k++)
            hb_buf_putc(&w->line, '-');
    }
    hb_buf_putc(&w->line, '\n');
    flush_line(w);
    for (r = 0; r < w->npending; r++)
        table_row(w, &w->pending[r * (size_t)w->ncols]);
    for (r = 0; r < w->npending * (size_t)w->ncols; r++)
        free(w->pending[r].s);
    for (i = 0; i < w->ncols; i++)
        free(hdr[i].s);
    free(hdr);
    free(w->pending);
    w->pending = NULL;
    w->npending = 0;
    w->sized = true;
}

static void on_columns(void *ctx, int n, const char *const *names)
{
    struct hb_rowout *w = ctx;
    int i;

    if (w->names)
        return; /* one result per writer */
    w->ncols = n;
    w->names = hb_xcalloc((size_t)(n ? n : 1), sizeof *w->names);
    for (i = 0; i < n; i++)
        w->names[i] = hb_xstrdup(names[i] ? names[i] : "");
    switch (w->fmt) {
    case HB_ROWFMT_CSV:
        for (i = 0; i < n; i++) {
            if (i)
                hb_buf_putc(&w->line, ',');
            csv_field(&w->line, w->names[i], strlen(w->names[i]));
        }
        hb_buf_puts(&w->line, "\r\n");
        flush_line(w);
        break;
    case HB_ROWFMT_JSON:
        hb_buf_putc(&w->line, '[');
        flush_line(w);
        break;
    case HB_ROWFMT_TABLE:
    case HB_ROWFMT_NDJSON:
        break;
    }
}

static void on_row(void *ctx, int n, const struct hb_val *vals)
{
    struct hb_rowout *w = ctx;
    int i;

    if (w->names == NULL || n != w->ncols)
        return;
    switch (w->fmt) {
    case HB_ROWFMT_CSV:
        for (i = 0; i < n; i++) {
            if (i)
                hb_buf_putc(&w->line, ',');
            if (vals[i].type != HB_VAL_NULL)
                csv_field(&w->line, vals[i].p, vals[i].n);
        }
        hb_buf_puts(&w->line, "\r\n");
        break;
    case HB_ROWFMT_JSON:
        hb_buf_puts(&w->line, w->rows ? ",\n" : "\n");
        json_object(w, vals);
        break;
    case HB_ROWFMT_NDJSON:
        json_object(w, vals);
        hb_buf_putc(&w->line, '\n');
        break;
    case HB_ROWFMT_TABLE: {
        struct cell *cells;

        if (!w->sized) {
            w->pending = hb_xrealloc(w->pending, (w->npending + 1) *
                                                     (size_t)(n ? n : 1) *
                                                     sizeof *w->pending);
            cells = &w->pending[w->npending * (size_t)n];
            for (i = 0; i < n; i++)
                cell_set(&cells[i], &vals[i]);
            w->npending++;
            if (w->npending >= HB_ROWFMT_SIZE_ROWS)
                table_size(w);
        } else {
            cells = hb_xcalloc((size_t)(n ? n : 1), sizeof *cells);
            for (i = 0; i < n; i++)
                cell_set(&cells[i], &vals[i]);
            table_row(w, cells);
            for (i = 0; i < n; i++)
                free(cells[i].s);
            free(cells);
        }
        break;
    }
    }
    w->rows++;
    flush_line(w);
}

struct hb_row_sink hb_rowout_sink(struct hb_rowout *w)
{
    struct hb_row_sink s = {on_columns, on_row, w};

    return s;
}

void hb_rowout_finish(struct hb_rowout *w)
{
    if (w->finished || w->names == NULL)
        return;
    w->finished = true;
    switch (w->fmt) {
    case HB_ROWFMT_TABLE:
        if (!w->sized)
            table_size(w);
        break;
    case HB_ROWFMT_JSON:
        hb_buf_puts(&w->line, w->rows ? "\n]\n" : "]\n");
        break;
    case HB_ROWFMT_CSV:
    case HB_ROWFMT_NDJSON:
        break;
    }
    flush_line(w);
}

unsigned long hb_rowout_rows(const struct hb_rowout *w)
{
    return w->rows;
}

void hb_rowout_free(struct hb_rowout *w)
{
    size_t r;
    int i;

    if (w == NULL)
        return;
    for (r = 0; r < w->npending * (size_t)w->ncols; r++)
        free(w->pending[r].s);
    free(w->pending);
    for (i = 0; w->names && i < w->ncols; i++)
        free(w->names[i]);
    free(w->names);
    free(w->colw);
    free(w->right);
    hb_buf_fini(&w->line);
    free(w);
}
