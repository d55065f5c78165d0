/*
 * record.c - logical lines to records. A header line (one a format
 * recognises) starts a record; what follows belongs to it until the next
 * header: stack traces, exception lines without a timestamp, blank lines
 * inside a trace, Spring Boot's failure-analysis banner. Without any header
 * (plain text), only trace-shaped lines continue a record.
 */
#include "record.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "fastpath.h"
#include "util.h"

/* A header slice as an offset into the record's first line. */
struct span {
    size_t off, n;
};

struct hdr_spans {
    struct span ts, thread, logger, app, message;
};

struct hb_asm {
    char *source; /* owned */
    unsigned max_lines;
    size_t max_bytes;
    const struct hb_format *forced;
    const struct hb_format *hint; /* format of the last header seen */
    bool defer_chain;             /* emit leaves the chain to the caller */

    /* the record being built */
    struct hb_buf cur; /* owned */
    bool open;         /* cur holds a record */
    bool has_header;   /* it started with a header line */
    bool block;        /* inside an APPLICATION FAILED TO START block */
    bool cut;
    const struct hb_format *cur_fmt;
    struct hb_header cur_hdr; /* slices unused; see spans */
    struct hdr_spans spans;
    uint64_t first_line, last_line, end_offset;
    unsigned nlines;
    size_t head_len;
    /* blank lines seen after the record, not yet known to belong to it */
    unsigned pending_blank;

    /* the record handed out */
    struct hb_buf out; /* owned */

    uint64_t nrecords;
    uint64_t ncut;
    struct hb_fmt_tally fmts; /* headers per format */
};

struct hb_asm *hb_asm_new(const char *source, const struct hb_asm_opts *o)
{
    struct hb_asm *a = hb_xcalloc(1, sizeof *a);

    a->source = hb_xstrdup(source ? source : "-");
    a->max_lines = o && o->max_lines ? o->max_lines : HB_DEFAULT_RECORD_LINES;
    a->max_bytes = o && o->max_bytes ? o->max_bytes : HB_DEFAULT_RECORD_BYTES;
    a->forced = o ? o->forced : NULL;
    a->defer_chain = o && o->defer_chain;
    a->hint = a->forced;
    hb_buf_init(&a->cur);
    hb_buf_init(&a->out);
    return a;
}

void hb_asm_free(struct hb_asm *a)
{
    if (a == NULL)
        return;
    hb_buf_fini(&a->cur);
    hb_buf_fini(&a->out);
    free(a->source);
    free(a);
}

/*
 * The slice s of a line [base, base + len) as an offset, cut to the first
 * kept bytes of the line (a record keeps at most max_bytes of it). A slice
 * outside the line becomes empty.
 */
static struct span to_span(struct hb_str s, const char *base, size_t len,
                           size_t kept)
{
    struct span sp = {0, 0};

    if (s.p == NULL || s.n == 0 || s.p < base || s.p > base + len ||
        s.n > (size_t)(base + len - s.p))
        return sp;
    sp.off = (size_t)(s.p - base);
    sp.n = s.n;
    if (sp.off >= kept)
        sp.off = sp.n = 0;
    else if (sp.off + sp.n > kept)
        sp.n = kept - sp.off;
    return sp;
}

static struct hb_str from_span(struct span sp, const char *base)
{
    if (sp.n == 0)
        return (struct hb_str){base, 0};
    return (struct hb_str){base + sp.off, sp.n};
}

static bool is_ident_start(int c)
{
    return isalpha(c) || c == '_' || c == '$';
}

static bool is_ident(int c)
{
    return isalnum(c) || c == '_' || c == '$';
}

/*
 * Length of a qualified Throwable class name at p ("java.io.IOException",
 * "a.b.Outer$InnerError"), or 0. Needs at least one dot and a last segment
 * naming an Exception, Error or Throwable.
 */
static size_t throwable_len(const char *p, size_t n)
{
    size_t i = 0, seg = 0, dots = 0;

    if (n == 0 || !is_ident_start((unsigned char)p[0]))
        return 0;
    while (i < n) {
        if (is_ident((unsigned char)p[i])) {
            i++;
            continue;
        }
        if (p[i] == '.' && i + 1 < n &&
            is_ident_start((unsigned char)p[i + 1])) {
            dots++;
            seg = ++i;
            continue;
        }
        break;
    }
    if (dots == 0)
        return 0;
    {
        struct hb_str last = {p + seg, i - seg};

        if (hb_str_find(last, "Exception") || hb_str_find(last, "Error") ||
            hb_str_find(last, "Throwable"))
            return i;
    }
    return 0;
}

/* "Class" or "Class: message" alone on a line. */
static bool is_exception_line(const char *p, size_t n)
{
    size_t k = throwable_len(p, n);

    return k > 0 && (k == n || p[k] == ':' || p[k] == '\r');
}

static bool starts(const char *p, size_t n, const char *lit)
{
    size_t k = strlen(lit);

    return n >= k && memcmp(p, lit, k) == 0;
}

/* Lines that continue a record even in plain text. */
static bool is_trace_line(const char *p, size_t n)
{
    if (n == 0)
        return false;
    if (p[0] == '\t' || p[0] == ' ')
        return true;
    if (starts(p, n, "Caused by:") || starts(p, n, "Suppressed:") ||
        starts(p, n, "... ") || starts(p, n, "at "))
        return true;
    return false;
}

static bool is_blank(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

static bool is_star_line(const char *p, size_t n)
{
    size_t i;

    if (n < 10)
        return false;
    for (i = 0; i < n; i++)
        if (p[i] != '*')
            return false;
    return true;
}

void hb_fmt_tally_add(struct hb_fmt_tally *t, const struct hb_format *f,
                      uint64_t n)
{
    size_t i;

    for (i = 0; i < HB_FMT_TALLY_MAX; i++) {
        if (t->fmt[i] == f || t->fmt[i] == NULL) {
            t->fmt[i] = f;
            t->n[i] += n;
            return;
        }
    }
}

void hb_fmt_tally_merge(struct hb_fmt_tally *t, const struct hb_fmt_tally *from)
{
    size_t i;

    for (i = 0; i < HB_FMT_TALLY_MAX && from->fmt[i]; i++)
        hb_fmt_tally_add(t, from->fmt[i], from->n[i]);
}

const char *hb_fmt_tally_best(const struct hb_fmt_tally *t)
{
    size_t i, best = 0;

    for (i = 1; i < HB_FMT_TALLY_MAX && t->fmt[i]; i++)
        if (t->n[i] > t->n[best])
            best = i;
    return t->fmt[best] ? t->fmt[best]->name : "plain";
}

/* Hands the open record out through rec. */
static void emit(struct hb_asm *a, struct hb_record *rec)
{
    struct hb_buf tmp = a->out;
    const char *base;

    a->out = a->cur;
    a->cur = tmp;
    hb_buf_reset(&a->cur);
    base = a->out.data;

    /* every field is set below; chain[] only up to nchain, which is what
       readers look at (a clear of the whole array cost 2% of a scan) */
    rec->source = a->source;
    rec->first_line = a->first_line;
    rec->last_line = a->last_line;
    rec->end_offset = a->end_offset;
    rec->text = (struct hb_str){base, a->out.len};
    rec->head = (struct hb_str){base, a->head_len};
    rec->nlines = a->nlines;
    rec->cut = a->cut;
    rec->nchain = 0;
    rec->hdr = a->cur_hdr;
    if (a->has_header) {
        rec->format = a->cur_fmt->name;
        rec->hdr.ts = from_span(a->spans.ts, base);
        rec->hdr.thread = from_span(a->spans.thread, base);
        rec->hdr.logger = from_span(a->spans.logger, base);
        rec->hdr.app = from_span(a->spans.app, base);
        rec->hdr.message = from_span(a->spans.message, base);
    } else {
        rec->format = "plain";
        rec->hdr.ts_ms = HB_NO_TIME;
        rec->hdr.pid = -1;
        rec->hdr.message = rec->head;
    }
    if (!a->defer_chain)
        hb_record_parse_chain(rec);
    a->open = false;
    a->block = false;
    a->nrecords++;
    if (a->cut)
        a->ncut++;
}

static void start(struct hb_asm *a, const struct hb_line *line,
                  const struct hb_format *fmt, const struct hb_header *h)
{
    size_t n = line->len;

    hb_buf_reset(&a->cur);
    a->cut = false;
    if (n > a->max_bytes) {
        n = a->max_bytes;
        a->cut = true;
    }
    hb_buf_append(&a->cur, line->text, n);
    a->open = true;
    a->has_header = fmt != NULL;
    a->cur_fmt = fmt;
    a->first_line = line->lineno;
    a->last_line = line->lineno_last;
    a->end_offset = line->end;
    a->nlines = 1;
    a->head_len = n;
    a->pending_blank = 0;
    memset(&a->spans, 0, sizeof a->spans);
    if (fmt) {
        a->cur_hdr = *h;
        a->spans.ts = to_span(h->ts, line->text, line->len, n);
        a->spans.thread = to_span(h->thread, line->text, line->len, n);
        a->spans.logger = to_span(h->logger, line->text, line->len, n);
        a->spans.app = to_span(h->app, line->text, line->len, n);
        a->spans.message = to_span(h->message, line->text, line->len, n);
    } else {
        memset(&a->cur_hdr, 0, sizeof a->cur_hdr);
    }
    /* A line that holds '\n' (JSON stack_trace) keeps only its first line
     * as head. */
    if (!line->one_line) {
        const char *nl = memchr(a->cur.data, '\n', a->cur.len);

        if (nl)
            a->head_len = (size_t)(nl - a->cur.data);
    }
}

/* Appends a continuation line, honouring the caps. false: record full. */
static bool append(struct hb_asm *a, const struct hb_line *line)
{
    size_t extra = (size_t)a->pending_blank + 1 + line->len;

    if (a->nlines + a->pending_blank + 1 > a->max_lines ||
        a->cur.len + extra > a->max_bytes)
        return false;
    while (a->pending_blank) {
        hb_buf_putc(&a->cur, '\n');
        a->nlines++;
        a->pending_blank--;
    }
    hb_buf_putc(&a->cur, '\n');
    hb_buf_append(&a->cur, line->text, line->len);
    a->nlines++;
    a->last_line = line->lineno_last;
    a->end_offset = line->end;
    return true;
}

bool hb_asm_feed(struct hb_asm *a, const struct hb_line *line,
                 struct hb_record *rec)
{
    struct hb_header h;
    const struct hb_format *fmt;
    bool done = false;

    if (is_blank(line->text, line->len)) {
        if (a->open)
            a->pending_blank++;
        return false;
    }
    fmt =
        hb_format_parse(a->hint, a->forced != NULL, line->text, line->len, &h);
    if (fmt) {
        if (a->open) {
            emit(a, rec);
            done = true;
        }
        if (!a->forced)
            a->hint = fmt;
        hb_fmt_tally_add(&a->fmts, fmt, 1);
        start(a, line, fmt, &h);
        return done;
    }
    if (a->open) {
        bool cont;

        if (a->has_header || a->block)
            cont = true;
        else if (is_trace_line(line->text, line->len))
            cont = true;
        else if (is_star_line(a->cur.data, a->head_len) && a->nlines == 1 &&
                 hb_str_find((struct hb_str){line->text, line->len},
                             "APPLICATION FAILED TO START"))
            cont = a->block = true;
        else
            cont = is_exception_line(line->text, line->len) && a->nlines > 1 &&
                   !a->pending_blank;
        if (cont) {
            if (append(a, line))
                return false;
            /* Full: hand it out cut, carry on in a fresh record. */
            a->cut = true;
            a->pending_blank = 0;
            emit(a, rec);
            start(a, line, NULL, NULL);
            return true;
        }
        emit(a, rec);
        done = true;
    }
    start(a, line, NULL, NULL);
    return done;
}

bool hb_asm_flush(struct hb_asm *a, struct hb_record *rec)
{
    if (!a->open)
        return false;
    a->pending_blank = 0;
    emit(a, rec);
    return true;
}

void hb_asm_reset(struct hb_asm *a)
{
    a->hint = a->forced;
    a->block = false;
    a->pending_blank = 0;
}

uint64_t hb_asm_records(const struct hb_asm *a)
{
    return a->nrecords;
}

uint64_t hb_asm_cut(const struct hb_asm *a)
{
    return a->ncut;
}

const struct hb_fmt_tally *hb_asm_formats(const struct hb_asm *a)
{
    return &a->fmts;
}

const char *hb_asm_format(const struct hb_asm *a)
{
    return hb_fmt_tally_best(&a->fmts);
}

static void add_exception(struct hb_record *rec, const char *p, size_t n,
                          size_t cls_len)
{
    struct hb_exception *e;
    size_t m = cls_len;

    if (rec->nchain >= HB_MAX_CHAIN) {
        /* Keep the deepest: drop the second entry, keep the outermost. */
        memmove(&rec->chain[1], &rec->chain[2],
                sizeof rec->chain[0] * (HB_MAX_CHAIN - 2));
        rec->nchain = HB_MAX_CHAIN - 1;
    }
    e = &rec->chain[rec->nchain++];
    e->cls = (struct hb_str){p, cls_len};
    if (m < n && p[m] == ':')
        m++;
    while (m < n && p[m] == ' ')
        m++;
    e->msg = (struct hb_str){p + m, n - m};
}

/* The bytes after which an inline exception name may start (NUL too, as
   strchr on the set used to say). */
static bool is_separator(unsigned char c)
{
    switch (c) {
    case '\0':
    case ' ':
    case '\t':
    case '(':
    case '[':
    case ':':
    case '=':
    case ',':
    case '\'':
    case '"':
        return true;
    default:
        return false;
    }
}

/* Exceptions named inside a single line: "...: a.b.FooException: msg" and
 * Spring's "nested exception is a.b.BarException: msg". */
static void scan_inline(struct hb_record *rec, const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && rec->nchain < HB_MAX_CHAIN) {
        size_t k;

        /* Candidates start after a separator, not inside a path or word. */
        if (i > 0 && !is_separator((unsigned char)p[i - 1])) {
            i++;
            continue;
        }
        k = throwable_len(p + i, n - i);
        if (k && i + k < n && p[i + k] == ':') {
            const char *nested;
            size_t end = n;
            struct hb_str rest = {p + i + k, n - i - k};

            nested = hb_str_find(rest, "; nested exception is ");
            if (nested)
                end = (size_t)(nested - p);
            add_exception(rec, p + i, end - i, k);
            i = nested ? end + 22 : n;
            continue;
        }
        i += k ? k : 1;
    }
}

/* The names every Throwable class throwable_len accepts holds one of
   (pair_starts looks for their first two bytes). */
static const char *const names[] = {"Exception", "Error", "Throwable"};

/* Whether q[0..left) starts with one of the names. */
static bool names_at(const char *q, size_t left)
{
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (left >= strlen(names[i]) &&
            memcmp(q, names[i], strlen(names[i])) == 0)
            return true;
    return false;
}

#ifdef __SSE2__
/* The starts among the sixteen at p whose two bytes are "Ex", "Er" or
   "Th" (bit i: p + i). */
static unsigned pair_starts(const char *p)
{
    const __m128i E = _mm_set1_epi8('E'), T = _mm_set1_epi8('T'),
                  x = _mm_set1_epi8('x'), r = _mm_set1_epi8('r'),
                  h = _mm_set1_epi8('h');
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
    __m128i ex =
        _mm_and_si128(_mm_cmpeq_epi8(a, E),
                      _mm_or_si128(_mm_cmpeq_epi8(b, x), _mm_cmpeq_epi8(b, r)));
    __m128i th = _mm_and_si128(_mm_cmpeq_epi8(a, T), _mm_cmpeq_epi8(b, h));

    return (unsigned)_mm_movemask_epi8(_mm_or_si128(ex, th));
}
#endif

/* Whether "Exception", "Error" or "Throwable" occurs in p..n: every class
   throwable_len accepts names one of them. One pass over the record:
   sixteen starts at a time are tested for "Ex", "Er" or "Th" and only
   those are compared in full; the last block overlaps the one before.
   A byte loop serves records under 17 bytes and machines without SSE2. */
static bool names_throwable(const char *p, size_t n)
{
    size_t i = 0;

#ifdef __SSE2__
    if (n >= 17) {
        for (;; i += 16) {
            unsigned bits;

            if (i + 17 > n)
                i = n - 17;
            for (bits = pair_starts(p + i); bits; bits &= bits - 1) {
                size_t at = i + (unsigned)__builtin_ctz(bits);

                if (names_at(p + at, n - at))
                    return true;
            }
            if (i + 17 == n)
                return false;
        }
    }
#endif
    for (; i < n; i++)
        if ((p[i] == 'E' || p[i] == 'T') && names_at(p + i, n - i))
            return true;
    return false;
}

const char *const *hb_throwable_names(size_t *n)
{
    *n = sizeof names / sizeof names[0];
    return names;
}

/* The chain from the text's lines, rec->nchain 0 on entry. */
static void parse_lines(struct hb_record *rec)
{
    const char *p = rec->text.p;
    const char *end = p + rec->text.n;
    bool first = true;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *q = p;
        size_t m = n;

        while (m && (*q == ' ' || *q == '\t')) {
            q++;
            m--;
        }
        if (first) {
            /* The header line: exceptions named in its message. */
            struct hb_str msg =
                rec->hdr.message.p ? rec->hdr.message : rec->head;

            scan_inline(rec, msg.p, msg.n);
            first = false;
        } else if (starts(q, m, "Caused by: ")) {
            size_t k = throwable_len(q + 11, m - 11);

            if (k)
                add_exception(rec, q + 11, m - 11, k);
        } else if (!starts(q, m, "at ") && !starts(q, m, "...") &&
                   !starts(q, m, "Suppressed:") && q == p) {
            size_t k = throwable_len(q, m);

            if (k && (k == m || q[k] == ':'))
                add_exception(rec, q, m, k);
        }
        p = nl ? nl + 1 : end;
    }
}

void hb_record_parse_chain(struct hb_record *rec)
{
    const char *p = rec->text.p;
    const char *end = p + rec->text.n;

    rec->nchain = 0;
    if (p == NULL)
        return;
    /* The header message is a slice of the text, except in records built
       by hand: only then is it searched on its own. */
    if (hb_fastpath_enabled() && !names_throwable(p, rec->text.n)) {
        struct hb_str msg = rec->hdr.message.p ? rec->hdr.message : rec->head;

        if (msg.p == NULL || (msg.p >= p && msg.p + msg.n <= end) ||
            !names_throwable(msg.p, msg.n))
            return;
    }
    parse_lines(rec);
}

void hb_record_parse_chain_named(struct hb_record *rec, bool named)
{
    rec->nchain = 0;
    if (named && rec->text.p)
        parse_lines(rec);
}
