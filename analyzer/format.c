/*
 * format.c - the table of log line formats. Each entry recognises the header
 * line of a record and splits it into fields. The timestamp (with any
 * collector prefix before it) is found once per line and shared by every
 * format; the parsers then only look at a bounded window after it, so a
 * 1 MiB line costs no more than a short one. No regex, no allocation.
 */
#include "format.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "timeparse.h"
#include "util.h"

#define PREFIX_MAX   128  /* bytes of tags/host names allowed before a stamp */
#define FIELD_MAX    1024 /* header fields lie within this many bytes */
#define MAX_BRACKETS 8    /* [app] [group] [thread] [trace] ... */
#define MIN_STAMP    19   /* "yyyy-MM-dd HH:mm:ss" */
#define ESC          '\x1b'

/* What every format needs: where the timestamp is and what preceded it. */
struct pre {
    const char *line;
    const char *end;
    const char *after; /* just past the stamp; NULL when there is none */
    struct hb_str ts;
    int64_t ts_ms;
    bool z;            /* the stamp ends in 'Z' (zap writes local time) */
    bool clock_only;   /* "HH:mm:ss.SSS" without a date; ts_ms unknown */
    struct hb_str tag; /* "[app:ip:port] " or "host " before the stamp */
};

#define LEVEL(w, norm)                                                         \
    {                                                                          \
        w, sizeof(w) - 1, norm                                                 \
    }
static const struct {
    const char *word;
    size_t n;
    char norm[6]; /* copied whole: every header gets one */
} levels[] = {
    LEVEL("INFO", "INFO"),      LEVEL("WARN", "WARN"),
    LEVEL("ERROR", "ERROR"),    LEVEL("DEBUG", "DEBUG"),
    LEVEL("TRACE", "TRACE"),    LEVEL("FATAL", "FATAL"),
    LEVEL("WARNING", "WARN"),   LEVEL("SEVERE", "ERROR"),
    LEVEL("CRITICAL", "FATAL"), LEVEL("PANIC", "FATAL"),
    LEVEL("DPANIC", "ERROR"),   LEVEL("NOTICE", "INFO"),
    LEVEL("FINE", "DEBUG"),     LEVEL("FINER", "TRACE"),
    LEVEL("FINEST", "TRACE"),
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

bool hb_format_level(const char *s, size_t n, char out[6])
{
    size_t i, k;
    char c0;

    if (s == NULL || n < 4 || n > 8)
        return false;
    c0 = upper(s[0]);
    for (i = 0; i < HB_ARRAY_LEN(levels); i++) {
        const char *w = levels[i].word;

        if (levels[i].n != n || w[0] != c0)
            continue;
        for (k = 1; k < n && upper(s[k]) == w[k]; k++)
            ;
        if (k == n) {
            memcpy(out, levels[i].norm, sizeof levels[i].norm);
            return true;
        }
    }
    return false;
}

static void header_init(struct hb_header *h)
{
    memset(h, 0, sizeof *h);
    h->ts_ms = HB_NO_TIME;
    h->pid = -1;
}

static struct hb_str mkstr(const char *p, const char *q)
{
    return (struct hb_str){p, (size_t)(q - p)};
}

static struct hb_str trim(struct hb_str s)
{
    while (s.n > 0 && s.p[0] == ' ')
        s.p++, s.n--;
    while (s.n > 0 && s.p[s.n - 1] == ' ')
        s.n--;
    return s;
}

/* Skips one ANSI CSI sequence ("\x1b[0;39m") at p, if any. */
static const char *skip_ansi(const char *p, const char *e)
{
    const char *q;

    while (p + 1 < e && p[0] == ESC && p[1] == '[') {
        for (q = p + 2; q < e && q < p + 16; q++)
            if (*q >= 0x40 && *q <= 0x7e)
                break;
        if (q >= e || q >= p + 16)
            return p;
        p = q + 1;
    }
    return p;
}

#ifdef __SSE2__
/* Bit i set: p[i] is one of the bytes set in the 16-byte block at p (a, b
   and c; repeat one to look for fewer). */
static unsigned block_has(const char *p, char a, char b, char c)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(a)),
                                          _mm_cmpeq_epi8(v, _mm_set1_epi8(b))),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8(c)));

    return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* The first byte at or after p that is not a space, or e. Spring Boot pads
   the logger name to 40 columns, so runs of thirty spaces are common: they
   are skipped sixteen bytes at a time. */
static const char *skip_spaces(const char *p, const char *e)
{
    if (p < e && *p != ' ')
        return p; /* the usual case: no space at all */
#ifdef __SSE2__
    while (e - p >= 16) {
        unsigned other = block_has(p, ' ', ' ', ' ') ^ 0xffffu;

        if (other)
            return p + __builtin_ctz(other);
        p += 16;
    }
#endif
    while (p < e && *p == ' ')
        p++;
    return p;
}

/* Skips spaces and colour escapes. */
static const char *skip_sp(const char *p, const char *e)
{
    for (;;) {
        p = skip_spaces(p, e);
        if (p < e && *p == ESC) {
            const char *q = skip_ansi(p, e);

            if (q == p)
                return p;
            p = q;
            continue;
        }
        return p;
    }
}

static bool is_sep(const char *p, const char *e)
{
    return p < e && (*p == ' ' || *p == ESC);
}

/* End of a space-delimited token: the first space, TAB or ESC (the vector
   pass and the table stop at the same three bytes). */
static const char *tok_end(const char *p, const char *e)
{
    static const unsigned char stop[256] = {[' '] = 1, ['\t'] = 1, [ESC] = 1};

#ifdef __SSE2__
    while (e - p >= 16) {
        unsigned at = block_has(p, ' ', '\t', ESC);

        if (at)
            return p + __builtin_ctz(at);
        p += 16;
    }
#endif
    while (p < e && !stop[(unsigned char)*p])
        p++;
    return p;
}

/* p at '[': the matching ']' before e, or NULL. */
static const char *bracket_close(const char *p, const char *e)
{
    const char *q = memchr(p + 1, ']', (size_t)(e - p - 1));
    int depth = 0;

    /* no bracket nested inside: the first ']' (most headers) */
    if (q == NULL || memchr(p + 1, '[', (size_t)(q - p - 1)) == NULL)
        return q;
    for (; p < e; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']' && --depth == 0)
            return p;
    }
    return NULL;
}

static const char *field_limit(const char *p, const char *e)
{
    return (size_t)(e - p) > FIELD_MAX ? p + FIELD_MAX : e;
}

static bool all_digits(const char *p, const char *q)
{
    if (p == q)
        return false;
    for (; p < q; p++)
        if (!is_digit(*p))
            return false;
    return true;
}

static long read_pid(const char *p, const char *q)
{
    long v = 0;

    for (; p < q && v < 100000000L; p++)
        v = v * 10 + (*p - '0');
    return v;
}

/* Spring Boot 3.2+ correlation bracket: 16+ spaces or "<hex>-<hex>". */
static bool is_correlation(struct hb_str b)
{
    size_t i, dash = 0, dashes = 0;

    for (i = 0; i < b.n && b.p[i] == ' '; i++)
        ;
    if (i == b.n)
        return b.n >= 16;
    for (i = 0; i < b.n; i++) {
        if (b.p[i] == '-') {
            dash = i;
            dashes++;
        } else if (!is_hex(b.p[i])) {
            return false;
        }
    }
    return dashes == 1 && dash >= 8 && b.n - dash - 1 >= 8;
}

/* Brackets that carry tracing rather than a thread name. */
static bool is_trace_like(struct hb_str b)
{
    size_t i;

    b = trim(b);
    if (b.n == 0 || is_correlation(b) || memchr(b.p, ',', b.n) != NULL)
        return true;
    for (i = 0; i < b.n && (is_hex(b.p[i]) || b.p[i] == '-'); i++)
        ;
    return i == b.n && b.n >= 16;
}

/* Sleuth "[app,traceId,spanId,export]": the app name. */
static struct hb_str sleuth_app(struct hb_str b)
{
    const char *c = memchr(b.p, ',', b.n);

    return c ? trim(mkstr(b.p, c)) : HB_STR_NULL;
}

/* A prefix tag "[app:10.0.0.5:8080]" names the app before the first ':'
 * when an address follows. */
static struct hb_str tag_app(struct hb_str t)
{
    const char *c = memchr(t.p, ':', t.n);

    if (c && c + 1 < t.p + t.n && is_digit(c[1]))
        return mkstr(t.p, c);
    return t;
}

/* Bytes of a bare prefix token ("host-1", "web_1", "pod.ns:8080"). */
static bool is_tag_char(char c)
{
    static const unsigned char tab[256] = {
        ['-'] = 1, ['.'] = 1, ['/'] = 1, [':'] = 1, ['@'] = 1, ['_'] = 1,
        ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
        ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1,
        ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
        ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
        ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
        ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
        ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
        ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
        ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
        ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
        ['y'] = 1, ['z'] = 1,
    };

    return tab[(unsigned char)c] != 0;
}

/* Reads a stamp at p (bounded by e) into c; false leaves c unchanged. */
static bool take_stamp(struct pre *c, const char *p, const char *e)
{
    int64_t ms;
    size_t n = hb_time_parse(p, (size_t)(e - p), &ms, false);

    if (n < MIN_STAMP)
        return false;
    c->ts = (struct hb_str){p, n};
    c->ts_ms = ms;
    c->z = p[n - 1] == 'Z';
    c->after = p + n;
    return true;
}

/* "HH:mm:ss[.SSS]" alone (Logback's default %d{HH:mm:ss.SSS}, a
 * dateformat of HH:mm:ss.SSS): a header, but with no time to convert. */
static void take_clock(struct pre *c, const char *p, const char *e)
{
    const char *q = p + 8;
    int i;

    if (e - p < 9)
        return;
    for (i = 0; i < 8; i++)
        if (i % 3 == 2 ? p[i] != ':' : !is_digit(p[i]))
            return;
    if (p[0] > '2' || p[3] > '5' || p[6] > '6')
        return;
    if (q + 1 < e && (*q == '.' || *q == ',') && is_digit(q[1]))
        for (q++; q < e && is_digit(*q); q++)
            ;
    c->ts = mkstr(p, q);
    c->after = q;
    c->clock_only = true;
}

/*
 * Finds the timestamp: at the start of the line, or after up to three
 * prefix tokens within PREFIX_MAX bytes ("[app:ip:port] ", "host ",
 * "pod-name | ", "[2024-01-01 10:00:00.123]"). A second stamp right after
 * the first (a collector's, then the application's) wins.
 */
static void find_stamp(struct pre *c, const char *line, size_t len)
{
    const char *e = line + len, *lim, *p = line, *q;
    int tokens = 0;

    memset(c, 0, sizeof *c);
    c->line = line;
    c->end = e;
    c->ts_ms = HB_NO_TIME;
    if (len < MIN_STAMP)
        return;
    lim = len < PREFIX_MAX ? e : line + PREFIX_MAX;
    for (;;) {
        p = skip_sp(p, lim);
        if (p >= lim)
            return;
        if (is_digit(*p)) {
            if (take_stamp(c, p, e))
                break;
            if (p == line)
                take_clock(c, p, e);
            return;
        }
        if (++tokens > 3)
            return;
        if (*p == '[') {
            q = memchr(p, ']', (size_t)(lim - p));
            if (q == NULL)
                return;
            if (is_digit(p[1]) && take_stamp(c, p + 1, q)) {
                if (c->after == q) {
                    c->after = q + 1;
                    break;
                }
                c->after = NULL;
                c->ts = HB_STR_NULL;
                c->ts_ms = HB_NO_TIME;
                c->z = false;
            }
            if (c->tag.p == NULL)
                c->tag = trim(mkstr(p + 1, q));
            p = q + 1;
            if (!is_sep(p, e))
                return;
            continue;
        }
        for (q = p; q < lim && is_tag_char(*q); q++)
            ;
        if (q == p || q >= lim || *q != ' ' || q[-1] == ':')
            return;
        if (c->tag.p == NULL)
            c->tag = mkstr(p, q);
        p = skip_sp(q, lim);
        if (p < lim && *p == '|')
            p = skip_sp(p + 1, lim);
        if (p >= lim || !(is_digit(*p) || *p == '['))
            return;
    }
    /* Doubled stamp: keep the inner, application one. */
    q = c->after;
    if (q < e && *q == ' ') {
        struct pre inner = *c;

        q = skip_sp(q, e);
        if (q < e && is_digit(*q) && take_stamp(&inner, q, e))
            *c = inner;
    }
}

static void fill_common(const struct pre *c, struct hb_header *h)
{
    h->ts = c->ts;
    h->ts_ms = c->ts_ms;
    if (c->tag.p)
        h->app = tag_app(c->tag);
}

/* After the ':' of " : msg": the message start (one space dropped). */
static const char *message_after(const char *p, const char *e)
{
    p = skip_ansi(p, e);
    if (p < e && *p == ' ')
        p++;
    return p;
}

/*
 * springboot: "<stamp> <LEVEL> <pid> --- [app] [group] [thread] [corr]
 * logger : msg" (Boot 2.x-4.x, Logback and Log4j2 defaults, console and
 * file; Sleuth's "[app,trace,span]" after the level).
 */
static bool parse_springboot(const struct pre *c, struct hb_header *h)
{
    const char *e = c->end, *lim, *p, *q, *colon;
    struct hb_str br[MAX_BRACKETS], app = HB_STR_NULL;
    int nb = 0, t;
    long pid = -1;

    if (c->after == NULL || !is_sep(c->after, e))
        return false;
    lim = field_limit(c->after, e);
    p = skip_sp(c->after, lim);
    q = tok_end(p, lim);
    if (!hb_format_level(p, (size_t)(q - p), h->level))
        return false;
    p = skip_sp(q, lim);
    if (p < lim && *p == '[') {
        q = bracket_close(p, lim);
        if (q == NULL)
            return false;
        app = sleuth_app(mkstr(p + 1, q));
        p = skip_sp(q + 1, lim);
    }
    if (p < lim && is_digit(*p)) {
        q = tok_end(p, lim);
        if (!all_digits(p, q))
            return false;
        pid = read_pid(p, q);
        p = skip_sp(q, lim);
    }
    if (lim - p < 4 || memcmp(p, "---", 3) != 0 || !is_sep(p + 3, lim))
        return false;
    p = skip_sp(p + 3, lim);
    while (p < lim && *p == '[' && nb < MAX_BRACKETS) {
        q = bracket_close(p, lim);
        if (q == NULL)
            return false;
        br[nb++] = mkstr(p + 1, q);
        p = skip_sp(q + 1, lim);
    }
    if (nb == 0 || p >= lim)
        return false;
    if (*p == ':') {
        h->logger = HB_STR_NULL;
        colon = p;
    } else {
        q = tok_end(p, lim);
        h->logger = mkstr(p, q);
        colon = skip_sp(q, lim);
        if (colon >= lim || *colon != ':')
            return false;
    }
    if (colon + 1 < e && colon[1] != ' ' && colon[1] != ESC)
        return false;
    t = nb >= 2 && is_correlation(br[nb - 1]) ? nb - 2 : nb - 1;
    h->thread = trim(br[t]);
    fill_common(c, h);
    if (t >= 1)
        h->app = trim(br[0]);
    else if (app.n)
        h->app = app;
    h->pid = pid;
    q = message_after(colon + 1, e);
    h->message = mkstr(q, e);
    return true;
}

/* polaris-sdk: "<stamp> LEVEL [thread:logger] msg" (polaris.log). */
static bool parse_polaris_sdk(const struct pre *c, struct hb_header *h)
{
    const char *e = c->end, *lim, *p, *q, *colon;

    if (c->after == NULL || !is_sep(c->after, e))
        return false;
    lim = field_limit(c->after, e);
    p = skip_sp(c->after, lim);
    q = tok_end(p, lim);
    if (!hb_format_level(p, (size_t)(q - p), h->level))
        return false;
    p = skip_sp(q, lim);
    if (p >= lim || *p != '[')
        return false;
    q = bracket_close(p, lim);
    if (q == NULL || (q + 1 < e && q[1] != ' '))
        return false;
    /* The logger (%c{2}) never holds ':' but a thread name may. */
    for (colon = q - 1; colon > p && *colon != ':'; colon--)
        ;
    if (colon == p)
        return false;
    h->thread = trim(mkstr(p + 1, colon));
    h->logger = trim(mkstr(colon + 1, q));
    if (h->logger.n == 0 || memchr(h->logger.p, ' ', h->logger.n))
        return false;
    fill_common(c, h);
    p = q + 1 < e ? q + 2 : e;
    h->message = mkstr(p, e);
    return true;
}

/* "logger:123" -> "logger" */
static struct hb_str strip_line_no(struct hb_str s)
{
    size_t i = s.n;

    while (i > 0 && is_digit(s.p[i - 1]))
        i--;
    if (i > 1 && i < s.n && s.p[i - 1] == ':')
        s.n = i - 1;
    return s;
}

/*
 * logback: custom layouts "<stamp> [thread] LEVEL logger - msg",
 * "<stamp> LEVEL [thread] logger:line - msg", "<stamp> [LEVEL] ..." : a
 * stamp, then brackets, a level, an optional pid and a logger in any
 * order, then " - " or " : ".
 */
static bool parse_logback(const struct pre *c, struct hb_header *h)
{
    const char *e = c->end, *lim, *p, *q, *r, *msg = NULL;
    struct hb_str br[MAX_BRACKETS], logger = HB_STR_NULL;
    bool have_level = false, level_just = false;
    int nb = 0, i;
    long pid = -1;

    if (c->after == NULL || !is_sep(c->after, e))
        return false;
    lim = field_limit(c->after, e);
    p = c->after;
    for (i = 0; i < 12 && msg == NULL; i++) {
        p = skip_sp(p, lim);
        if (p >= lim)
            return false;
        if (*p == '[') {
            struct hb_str b;

            q = bracket_close(p, lim);
            if (q == NULL)
                return false;
            b = trim(mkstr(p + 1, q));
            if (!have_level && hb_format_level(b.p, b.n, h->level)) {
                have_level = true;
            } else {
                /* "LEVEL [thread:logger]" is polaris-sdk's shape */
                if (level_just && memchr(b.p, ':', b.n))
                    return false;
                if (nb < MAX_BRACKETS)
                    br[nb++] = b;
            }
            level_just = false;
            p = q + 1;
            if (p < e && !is_sep(p, e))
                return false;
            continue;
        }
        if ((*p == '-' || *p == ':') && (p + 1 == e || p[1] == ' ')) {
            msg = p + 1;
            break;
        }
        q = tok_end(p, lim);
        if (!have_level && hb_format_level(p, (size_t)(q - p), h->level)) {
            have_level = level_just = true;
            p = q;
            continue;
        }
        level_just = false;
        if (pid < 0 && q - p <= 10 && all_digits(p, q)) {
            pid = read_pid(p, q);
            p = q;
            continue;
        }
        if (q - p > 1 && q[-1] == ':' && (q == e || *q == ' ')) {
            logger = mkstr(p, q - 1);
            msg = q;
            break;
        }
        r = skip_sp(q, lim);
        if (r < e && (*r == '-' || *r == ':') && (r + 1 == e || r[1] == ' ')) {
            logger = mkstr(p, q);
            msg = r + 1;
            break;
        }
        return false;
    }
    if (msg == NULL || !have_level)
        return false;
    fill_common(c, h);
    for (i = nb - 1; i >= 0; i--) {
        if (!is_trace_like(br[i])) {
            h->thread = br[i];
            break;
        }
    }
    for (i = 0; i < nb; i++) {
        struct hb_str a = sleuth_app(br[i]);

        if (a.n) {
            h->app = a;
            break;
        }
    }
    h->pid = pid;
    h->logger = strip_line_no(logger);
    if (msg < e && *msg == ' ')
        msg++;
    h->message = mkstr(msg, e);
    return true;
}

/* "dir/file.go:123" */
static bool is_caller(const char *p, const char *q)
{
    const char *c = q;

    while (c > p && is_digit(c[-1]))
        c--;
    if (c == q || c - p < 5 || c[-1] != ':')
        return false;
    return memcmp(c - 4, ".go", 3) == 0;
}

/* End of a zap field: the next TAB (tab mode) or space (space mode). */
static const char *zap_end(const char *p, const char *e, bool tab)
{
    while (p < e && *p != '\t' && (tab || *p != ' '))
        p++;
    return p;
}

static const char *zap_next(const char *p, const char *e, bool tab)
{
    if (tab)
        return p < e ? p + 1 : e;
    return skip_spaces(p, e);
}

static bool has_space(const char *p, const char *q)
{
    return memchr(p, ' ', (size_t)(q - p)) != NULL;
}

/*
 * polaris-server: zap console lines, TAB-separated "time level [scope]
 * [caller] msg [{json}]", the trailing 'Z' meaning local time; the same
 * with the TABs expanded to spaces (polaris-go), which needs the caller to
 * be told apart from text; and "level TAB scope TAB caller TAB msg" lines
 * whose time is missing.
 */
static bool parse_zap(const struct pre *c, struct hb_header *h)
{
    const char *e = c->end, *lim, *p, *q, *f1, *f1e, *f2, *f2e;
    const char *msg, *caller = NULL;
    struct hb_str scope = HB_STR_NULL;
    bool tab;

    if (c->clock_only)
        return false;
    if (c->after) {
        p = c->after;
        if (p >= e || (*p != '\t' && *p != ' '))
            return false;
        tab = *p == '\t';
        p = zap_next(p, e, tab);
    } else {
        p = c->line;
        if (!is_alpha(*p))
            return false;
        tab = true;
    }
    lim = field_limit(p, e);
    q = zap_end(p, e - p > 9 ? p + 9 : e, tab); /* "warning" at most */
    if (q >= e || !hb_format_level(p, (size_t)(q - p), h->level))
        return false;
    if (c->after == NULL && *q != '\t')
        return false;
    f1 = zap_next(q, e, tab);
    f1e = zap_end(f1, lim, tab);
    msg = f1;
    if (is_caller(f1, f1e)) {
        caller = f1;
        msg = zap_next(f1e, e, tab);
    } else if (f1e < e && f1e > f1 && !has_space(f1, f1e)) {
        f2 = zap_next(f1e, e, tab);
        f2e = zap_end(f2, lim, tab);
        if (is_caller(f2, f2e)) {
            scope = mkstr(f1, f1e);
            caller = f2;
            msg = zap_next(f2e, e, tab);
        } else if (tab && !(f2 < e && *f2 == '{' && f2e == e)) {
            scope = mkstr(f1, f1e);
            msg = f2;
        }
    }
    if (caller == NULL && (!tab || c->after == NULL))
        return false;
    if (c->after) {
        h->ts = c->ts;
        h->ts_ms = c->ts_ms;
        if (c->z)
            hb_time_parse(c->ts.p, c->ts.n, &h->ts_ms, true);
        if (c->tag.p)
            h->app = tag_app(c->tag);
    }
    h->logger = scope;
    h->message = mkstr(msg, e);
    return true;
}

/*
 * polaris-heartbeat: "msg|yyyy-MM-dd HH:mm:ss.SSS"
 * (polaris-instance-heartbeat.log, polaris-lossless-event.log). Only the
 * tail is looked at.
 */
static bool parse_heartbeat(const struct pre *c, struct hb_header *h)
{
    static const char tagname[] = "[AsyncHeartbeat]";
    const char *line = c->line, *e = c->end, *q, *stop;
    int64_t ms;
    size_t n;

    while (e > line && (e[-1] == ' ' || e[-1] == '\r'))
        e--;
    if (e - line < MIN_STAMP + 1 || !is_digit(e[-1]))
        return false;
    stop = e - line > 40 ? e - 40 : line;
    for (q = e - MIN_STAMP - 1; q >= stop && *q != '|'; q--)
        ;
    if (q < stop)
        return false;
    n = hb_time_parse(q + 1, (size_t)(e - q - 1), &ms, false);
    if (n == 0 || n != (size_t)(e - q - 1))
        return false;
    h->ts = (struct hb_str){q + 1, n};
    h->ts_ms = ms;
    h->message = mkstr(line, q);
    /* RegisterFlow logs its failures at ERROR, the rest at INFO. */
    if (h->message.n >= sizeof tagname - 1 &&
        memcmp(line, tagname, sizeof tagname - 1) == 0) {
        struct hb_str m = h->message;

        if (m.n > 200)
            m.n = 200;
        strcpy(h->level, hb_str_find(m, "failed") ? "ERROR" : "INFO");
    }
    return true;
}

/*
 * generic: any other line that starts with a timestamp (after an optional
 * prefix); picks up a level word and a thread bracket among the first
 * tokens.
 */
static bool parse_generic(const struct pre *c, struct hb_header *h)
{
    const char *e = c->end, *lim, *p, *q;
    int i;

    if (c->after == NULL || c->clock_only)
        return false;
    p = c->after;
    if (p < e && (is_alpha(*p) || is_digit(*p) || *p == '.'))
        return false;
    lim = field_limit(p, e);
    for (i = 0; i < 6; i++) {
        while (p < lim && (*p == ' ' || *p == '\t'))
            p++;
        p = skip_sp(p, lim);
        if (p >= lim)
            break;
        if ((*p == '|' || *p == '-') && (p + 1 == e || p[1] == ' ')) {
            p++;
            continue;
        }
        if (*p == '[') {
            struct hb_str b;

            q = bracket_close(p, lim);
            if (q == NULL)
                break;
            b = trim(mkstr(p + 1, q));
            if (h->level[0] || !hb_format_level(b.p, b.n, h->level)) {
                if (h->thread.p == NULL && !is_trace_like(b))
                    h->thread = b;
                else if (h->app.p == NULL && sleuth_app(b).n)
                    h->app = sleuth_app(b);
            }
            p = q + 1;
            continue;
        }
        q = tok_end(p, lim);
        if (q - p > 1 && q[-1] == ':')
            q--;
        if (h->level[0] || !hb_format_level(p, (size_t)(q - p), h->level))
            break;
        p = q < e && *q == ':' ? q + 1 : q;
    }
    h->ts = c->ts;
    h->ts_ms = c->ts_ms;
    if (h->app.p == NULL && c->tag.p)
        h->app = tag_app(c->tag);
    h->message = mkstr(p > e ? e : p, e);
    return true;
}

/* Lines that continue a record and can never start one. */
static bool quick_reject(const char *line, size_t len)
{
    size_t i;

    if (len == 0 || line[0] == '\t')
        return true;
    if (line[0] == ' ') {
        for (i = 1; i < len && i < 16 && line[i] == ' '; i++)
            ;
        return i == len || !is_digit(line[i]);
    }
    if (line[0] == 'a')
        return len >= 3 && line[1] == 't' && line[2] == ' ';
    if (line[0] == 'C')
        return len >= 9 && memcmp(line, "Caused by", 9) == 0;
    if (line[0] == 'S')
        return len >= 11 && memcmp(line, "Suppressed:", 11) == 0;
    return false;
}

typedef bool (*parse_at_fn)(const struct pre *c, struct hb_header *h);

/* Public entry of one format: the shared prefix scan, then its parser. */
static bool run_one(parse_at_fn fn, const char *line, size_t len,
                    struct hb_header *h)
{
    struct pre c;

    header_init(h);
    if (line == NULL || quick_reject(line, len))
        return false;
    find_stamp(&c, line, len);
    if (fn(&c, h))
        return true;
    header_init(h);
    return false;
}

#define PUBLIC_PARSER(name, fn)                                                \
    static bool name(const char *line, size_t len, struct hb_header *h)        \
    {                                                                          \
        return run_one(fn, line, len, h);                                      \
    }

PUBLIC_PARSER(pub_springboot, parse_springboot)
PUBLIC_PARSER(pub_polaris_sdk, parse_polaris_sdk)
PUBLIC_PARSER(pub_logback, parse_logback)
PUBLIC_PARSER(pub_zap, parse_zap)
PUBLIC_PARSER(pub_heartbeat, parse_heartbeat)
PUBLIC_PARSER(pub_generic, parse_generic)

/* Detection priority: the most specific shapes first. */
static const struct hb_format formats[] = {
    {"springboot",
     "Spring Boot: date LEVEL pid --- [app] [thread] logger : msg",
     pub_springboot},
    {"polaris-sdk", "polaris-java polaris.log: date LEVEL [thread:logger] msg",
     pub_polaris_sdk},
    {"logback", "custom Logback/Log4j2: date [thread] LEVEL logger - msg",
     pub_logback},
    {"polaris-server",
     "Polaris server/polaris-go zap: time level scope file.go:N msg", pub_zap},
    {"polaris-heartbeat",
     "polaris-java heartbeat/lossless-event files: msg|date", pub_heartbeat},
    {"generic", "any other line starting with a date (level, [thread] if any)",
     pub_generic},
};

/* Same order as formats[]. weak: never tried ahead of the others. */
static const struct {
    parse_at_fn fn;
    bool weak;
} impls[] = {
    {parse_springboot, false}, {parse_polaris_sdk, false},
    {parse_logback, false},    {parse_zap, false},
    {parse_heartbeat, false},  {parse_generic, true},
};

const struct hb_format *hb_format_table(size_t *n)
{
    if (n)
        *n = HB_ARRAY_LEN(formats);
    return formats;
}

const struct hb_format *hb_format_find(const char *name)
{
    size_t i;

    if (name == NULL)
        return NULL;
    for (i = 0; i < HB_ARRAY_LEN(formats); i++)
        if (strcmp(formats[i].name, name) == 0)
            return &formats[i];
    return NULL;
}

const struct hb_format *hb_format_parse(const struct hb_format *hint,
                                        bool only_hint, const char *line,
                                        size_t len, struct hb_header *h)
{
    struct pre c;
    size_t i, skip = HB_ARRAY_LEN(formats);

    if (h == NULL)
        return NULL;
    header_init(h);
    if (line == NULL || quick_reject(line, len))
        return NULL;
    find_stamp(&c, line, len);
    for (i = 0; hint && i < HB_ARRAY_LEN(formats); i++)
        if (hint == &formats[i])
            break;
    if (hint && i < HB_ARRAY_LEN(formats)) {
        if (only_hint || !impls[i].weak) {
            if (impls[i].fn(&c, h))
                return hint;
            header_init(h);
            if (only_hint)
                return NULL;
            skip = i;
        }
    } else if (hint) {
        if (hint->parse(line, len, h))
            return hint;
        header_init(h);
        if (only_hint)
            return NULL;
    }
    for (i = 0; i < HB_ARRAY_LEN(formats); i++) {
        if (i == skip)
            continue;
        if (impls[i].fn(&c, h))
            return &formats[i];
        header_init(h);
    }
    return NULL;
}
