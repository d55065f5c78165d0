/*
 * unwrap.c - undoes container and JSON wrappers before format detection:
 * Kubernetes CRI lines (partials joined), Docker json-file records and JSON
 * application logs (logstash-logback-encoder, ECS, zap JSON), the last
 * rewritten to a Spring Boot 2.x shaped header followed by the stack trace.
 * Buffers are per source and reused; nothing is allocated per line.
 */
#include "unwrap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "timeparse.h"
#include "util.h"

#define JSON_DEPTH   16   /* deeper JSON is treated as malformed */
#define JSON_PATH    128  /* dotted member path ("process.thread.name") */
#define MAX_EXTRAS   16   /* unknown members kept in the message */
#define EXTRAS_BYTES 4096 /* cap on the "{...}" of unknown members */

enum mode { MODE_AUTO, MODE_CRI, MODE_DOCKER, MODE_JSON, MODE_NONE };
enum kind { KIND_CRI, KIND_DOCKER, KIND_JSON, KIND_COUNT };

static const char *const kind_names[KIND_COUNT] = {"cri", "docker", "json"};

/* A line held until its end arrives: CRI "P" parts, Docker log chunks. */
struct partial {
    struct hb_buf buf; /* owned */
    bool active;
    bool cut;        /* HB_UNWRAP_MAX dropped bytes */
    uint64_t lineno; /* first physical line */
    uint64_t offset;
    uint64_t lineno_last; /* last physical line added */
    uint64_t end;
};

struct hb_unwrap {
    enum mode mode;
    struct partial part[2]; /* [0] stdout, [1] stderr */
    struct hb_buf dec;      /* owned; decoded Docker "log" value */
    struct hb_buf out;      /* owned; rewritten JSON application line */
    uint64_t seen[KIND_COUNT];
    uint64_t cut; /* logical lines cut at HB_UNWRAP_MAX */
};

/* ---- JSON ------------------------------------------------------------ */

enum jtype { J_NONE = 0, J_STR, J_NUM, J_LIT };

struct jval {
    enum jtype type;
    const char *p; /* string: the bytes between the quotes, still escaped */
    size_t n;
};

enum field {
    F_TS,
    F_LEVEL,
    F_LOGGER,
    F_THREAD,
    F_MSG,
    F_STACK,
    F_APP,
    F_PID,
    F_ERRTYPE,
    F_ERRMSG,
    F_LOG,
    F_STREAM,
    F_IGNORE,
    F_COUNT
};

/* Member paths we understand; the first of a field seen wins. */
static const struct {
    const char *path;
    enum field f;
} jkeys[] = {
    {"@timestamp", F_TS},
    {"timestamp", F_TS},
    {"time", F_TS},
    {"ts", F_TS},
    {"level", F_LEVEL},
    {"log.level", F_LEVEL},
    {"severity", F_LEVEL},
    {"logger_name", F_LOGGER},
    {"log.logger", F_LOGGER},
    {"logger", F_LOGGER},
    {"loggerName", F_LOGGER},
    {"scope", F_LOGGER},
    {"thread_name", F_THREAD},
    {"process.thread.name", F_THREAD},
    {"thread", F_THREAD},
    {"threadName", F_THREAD},
    {"message", F_MSG},
    {"msg", F_MSG},
    {"stack_trace", F_STACK},
    {"error.stack_trace", F_STACK},
    {"stacktrace", F_STACK},
    {"exception", F_STACK},
    {"service.name", F_APP},
    {"app", F_APP},
    {"application", F_APP},
    {"appName", F_APP},
    {"pid", F_PID},
    {"process.pid", F_PID},
    {"PID", F_PID},
    {"error.type", F_ERRTYPE},
    {"error.message", F_ERRMSG},
    {"log", F_LOG},
    {"stream", F_STREAM},
    {"@version", F_IGNORE},
    {"level_value", F_IGNORE},
    {"ecs.version", F_IGNORE},
};

struct jrec {
    struct jval f[F_COUNT];
    struct {
        char key[64];
        struct jval v;
    } extra[MAX_EXTRAS];
    int nextra;
    char path[JSON_PATH];
    size_t plen;
    bool path_overflow;
};

static const char *j_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

/* p at '"': returns the byte after the closing quote, or NULL. */
static const char *j_string(const char *p, const char *e, struct jval *v)
{
    const char *s = ++p;

    while (p < e && *p != '"') {
        if (*p == '\\') {
            if (++p >= e)
                return NULL;
        }
        p++;
    }
    if (p >= e)
        return NULL;
    v->type = J_STR;
    v->p = s;
    v->n = (size_t)(p - s);
    return p + 1;
}

static void j_leaf(struct jrec *r, const struct jval *v)
{
    size_t i;

    if (r->path_overflow || r->plen == 0)
        return;
    for (i = 0; i < HB_ARRAY_LEN(jkeys); i++) {
        if (strlen(jkeys[i].path) == r->plen &&
            memcmp(jkeys[i].path, r->path, r->plen) == 0) {
            if (r->f[jkeys[i].f].type == J_NONE)
                r->f[jkeys[i].f] = *v;
            return;
        }
    }
    if (r->nextra < MAX_EXTRAS && r->plen < sizeof r->extra[0].key) {
        memcpy(r->extra[r->nextra].key, r->path, r->plen);
        r->extra[r->nextra].key[r->plen] = '\0';
        r->extra[r->nextra].v = *v;
        r->nextra++;
    }
}

/*
 * Scans one JSON value at p; reports scalar members of (nested) objects
 * by dotted path; members inside arrays are validated but not reported.
 * Returns the byte after the value, or NULL when malformed.
 */
static const char *j_value(struct jrec *r, const char *p, const char *e,
                           int depth, bool report)
{
    struct jval v = {J_NONE, NULL, 0};
    const char *q;

    if (p >= e || depth > JSON_DEPTH)
        return NULL;
    switch (*p) {
    case '{':
        p = j_ws(p + 1, e);
        if (p < e && *p == '}')
            return p + 1;
        for (;;) {
            struct jval key;
            size_t saved = r->plen;
            bool saved_of = r->path_overflow;

            if (p >= e || *p != '"' || (p = j_string(p, e, &key)) == NULL)
                return NULL;
            p = j_ws(p, e);
            if (p >= e || *p != ':')
                return NULL;
            p = j_ws(p + 1, e);
            if (report) {
                size_t need = key.n + (saved ? 1 : 0);

                if (saved + need >= sizeof r->path) {
                    r->path_overflow = true;
                } else {
                    if (saved)
                        r->path[r->plen++] = '.';
                    memcpy(r->path + r->plen, key.p, key.n);
                    r->plen += key.n;
                }
            }
            p = j_value(r, p, e, depth + 1, report);
            r->plen = saved;
            r->path_overflow = saved_of;
            if (p == NULL)
                return NULL;
            p = j_ws(p, e);
            if (p < e && *p == ',') {
                p = j_ws(p + 1, e);
                continue;
            }
            if (p < e && *p == '}')
                return p + 1;
            return NULL;
        }
    case '[':
        p = j_ws(p + 1, e);
        if (p < e && *p == ']')
            return p + 1;
        for (;;) {
            p = j_value(r, p, e, depth + 1, false);
            if (p == NULL)
                return NULL;
            p = j_ws(p, e);
            if (p < e && *p == ',') {
                p = j_ws(p + 1, e);
                continue;
            }
            if (p < e && *p == ']')
                return p + 1;
            return NULL;
        }
    case '"':
        q = j_string(p, e, &v);
        break;
    case 't':
    case 'f':
    case 'n': {
        static const char *const lits[] = {"true", "false", "null"};
        size_t i;

        q = NULL;
        for (i = 0; i < 3; i++) {
            size_t n = strlen(lits[i]);

            if ((size_t)(e - p) >= n && memcmp(p, lits[i], n) == 0) {
                v = (struct jval){J_LIT, p, n};
                q = p + n;
                break;
            }
        }
        break;
    }
    default:
        if (*p != '-' && !(*p >= '0' && *p <= '9'))
            return NULL;
        for (q = p + 1;
             q < e && ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' ||
                       *q == 'E' || *q == '+' || *q == '-');
             q++)
            ;
        v = (struct jval){J_NUM, p, (size_t)(q - p)};
        break;
    }
    if (q && report)
        j_leaf(r, &v);
    return q;
}

/* Parses a whole line as one JSON object; false when malformed. */
static bool j_parse(struct jrec *r, const char *s, size_t n)
{
    const char *e = s + n, *p;

    memset(r->f, 0, sizeof r->f);
    r->nextra = 0;
    r->plen = 0;
    r->path_overflow = false;
    p = j_ws(s, e);
    if (p >= e || *p != '{')
        return false;
    p = j_value(r, p, e, 0, true);
    return p != NULL && j_ws(p, e) == e;
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        char c = p[i];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return 0x110000; /* not hex */
    }
    return v;
}

static void put_utf8(struct hb_buf *b, unsigned cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    hb_buf_append(b, u, n);
}

/* The byte of "\n" "\t" "\r" "\b" "\f". */
static char simple_escape(char c)
{
    switch (c) {
    case 'n':
        return '\n';
    case 't':
        return '\t';
    case 'r':
        return '\r';
    case 'b':
        return '\b';
    default:
        return '\f';
    }
}

/* Appends the JSON string body p..n unescaped; \uXXXX and surrogate pairs
 * become UTF-8, a lone surrogate U+FFFD; an unknown escape is kept. */
static void j_unescape(struct hb_buf *b, const char *p, size_t n)
{
    const char *e = p + n;

    hb_buf_reserve(b, n);
    while (p < e) {
        const char *bs = memchr(p, '\\', (size_t)(e - p));
        unsigned cp, lo;

        if (bs == NULL) {
            hb_buf_append(b, p, (size_t)(e - p));
            return;
        }
        hb_buf_append(b, p, (size_t)(bs - p));
        p = bs + 1;
        if (p >= e) {
            hb_buf_putc(b, '\\');
            return;
        }
        switch (*p) {
        case '"':
        case '\\':
        case '/':
            hb_buf_putc(b, *p);
            break;
        case 'n':
        case 't':
        case 'r':
        case 'b':
        case 'f':
            hb_buf_putc(b, simple_escape(*p));
            break;
        case 'u':
            if (e - p < 5 || (cp = hex4(p + 1)) > 0xffff) {
                hb_buf_append(b, bs, 2);
                break;
            }
            p += 4;
            if (cp >= 0xd800 && cp <= 0xdbff && e - p >= 7 && p[1] == '\\' &&
                p[2] == 'u' && (lo = hex4(p + 3)) >= 0xdc00 && lo <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                p += 6;
            } else if (cp >= 0xd800 && cp <= 0xdfff) {
                cp = 0xfffd;
            }
            put_utf8(b, cp);
            break;
        default:
            hb_buf_append(b, bs, 2);
            break;
        }
        p++;
    }
}

/* A JSON string or number as text, unescaped. */
static void put_val(struct hb_buf *b, const struct jval *v)
{
    if (v->type == J_STR)
        j_unescape(b, v->p, v->n);
    else
        hb_buf_append(b, v->p, v->n);
}

/* Writes val with spaces replaced so it stays one header token. */
static void put_token(struct hb_buf *b, const struct jval *v)
{
    size_t start = b->len, i;

    put_val(b, v);
    for (i = start; i < b->len; i++)
        if (b->data[i] == ' ' || b->data[i] == '\n' || b->data[i] == '\t')
            b->data[i] = '_';
}

static bool all_digits(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++)
        ;
    return n > 0 && n < 12 && i == n;
}

/* The timestamp as text hb_time_parse reads; false when unusable. */
static bool put_time(struct hb_buf *b, const struct jval *v)
{
    char tmp[40];
    int64_t ms;

    if (v->type == J_STR && v->n < sizeof tmp &&
        memchr(v->p, '\\', v->n) == NULL &&
        hb_time_parse(v->p, v->n, &ms, false) == v->n) {
        hb_buf_append(b, v->p, v->n);
        return true;
    }
    if (v->type == J_NUM && v->n < sizeof tmp) {
        double d;

        memcpy(tmp, v->p, v->n);
        tmp[v->n] = '\0';
        d = strtod(tmp, NULL);
        if (d <= 0 || d > 1e16)
            return false;
        ms = (int64_t)((d > 1e11 ? d : d * 1000.0) + 0.5);
        hb_time_format(ms, tmp, sizeof tmp);
        hb_buf_puts(b, tmp);
        return true;
    }
    return false;
}

static void trim_newlines(struct hb_buf *b, size_t from)
{
    while (b->len > from &&
           (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
        b->data[--b->len] = '\0';
}

/*
 * Rewrites a JSON application record to
 * "<ts> <LEVEL> <pid> --- [app] [thread] logger : message {extras}"
 * followed by "\n<stack trace>", capped at HB_UNWRAP_MAX (*capped). False
 * when the object lacks a message or a usable timestamp.
 */
static bool rewrite_app(struct hb_buf *out, const struct jrec *r, bool *capped)
{
    const struct jval *f = r->f;
    char level[6] = "INFO";
    size_t start, i;
    bool any = false;

    *capped = false;
    if (f[F_MSG].type == J_NONE || f[F_TS].type == J_NONE)
        return false;
    hb_buf_reset(out);
    if (!put_time(out, &f[F_TS]))
        return false;
    if (f[F_LEVEL].type == J_STR &&
        memchr(f[F_LEVEL].p, '\\', f[F_LEVEL].n) == NULL)
        hb_format_level(f[F_LEVEL].p, f[F_LEVEL].n, level);
    hb_buf_printf(out, " %5s ", level);
    if ((f[F_PID].type == J_NUM || f[F_PID].type == J_STR) &&
        all_digits(f[F_PID].p, f[F_PID].n))
        hb_buf_append(out, f[F_PID].p, f[F_PID].n);
    else
        hb_buf_putc(out, '0');
    hb_buf_puts(out, " --- ");
    if (f[F_APP].type == J_STR && f[F_APP].n > 0) {
        hb_buf_putc(out, '[');
        put_token(out, &f[F_APP]);
        hb_buf_puts(out, "] ");
    }
    hb_buf_putc(out, '[');
    if (f[F_THREAD].type != J_NONE)
        put_val(out, &f[F_THREAD]);
    hb_buf_puts(out, "] ");
    if (f[F_LOGGER].type != J_NONE) {
        put_token(out, &f[F_LOGGER]);
        hb_buf_putc(out, ' ');
    }
    hb_buf_puts(out, ": ");
    start = out->len;
    put_val(out, &f[F_MSG]);
    trim_newlines(out, start);
    /* Members we do not map (MDC, zap fields) stay visible, zap style. */
    start = out->len;
    for (i = 0; i < (size_t)r->nextra; i++) {
        const struct jval *v = &r->extra[i].v;

        if (out->len - start > EXTRAS_BYTES)
            break;
        hb_buf_puts(out, any ? ", " : " {");
        hb_buf_json_str(out, r->extra[i].key, strlen(r->extra[i].key));
        hb_buf_puts(out, ": ");
        if (v->type == J_STR) {
            hb_buf_putc(out, '"');
            hb_buf_append(out, v->p, v->n);
            hb_buf_putc(out, '"');
        } else {
            hb_buf_append(out, v->p, v->n);
        }
        any = true;
    }
    if (any)
        hb_buf_putc(out, '}');
    if (f[F_STACK].type == J_STR && f[F_STACK].n > 0) {
        hb_buf_putc(out, '\n');
        start = out->len;
        put_val(out, &f[F_STACK]);
        trim_newlines(out, start);
    } else if (f[F_ERRTYPE].type == J_STR && f[F_ERRTYPE].n > 0) {
        hb_buf_putc(out, '\n');
        put_val(out, &f[F_ERRTYPE]);
        if (f[F_ERRMSG].type == J_STR) {
            hb_buf_puts(out, ": ");
            start = out->len;
            put_val(out, &f[F_ERRMSG]);
            trim_newlines(out, start);
        }
    }
    if (out->len > HB_UNWRAP_MAX) {
        *capped = true;
        out->len = HB_UNWRAP_MAX;
        out->data[out->len] = '\0';
    }
    return true;
}

/* ---- CRI and Docker --------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/*
 * "2024-01-02T03:04:05.123456789Z stdout F payload": sets the stream
 * (0 stdout, 1 stderr), whether it is a "P" partial and the payload.
 */
static bool cri_split(const char *s, size_t n, int *stream, bool *partial,
                      const char **payload, size_t *plen)
{
    const char *e = s + n, *p, *q;

    if (n < 27 || !is_digit(s[0]) || !is_digit(s[3]) || s[4] != '-' ||
        s[7] != '-' || s[10] != 'T')
        return false;
    p = memchr(s + 11, ' ', n < 48 ? n - 11 : 37);
    if (p == NULL || e - p < 9)
        return false;
    p++;
    if (memcmp(p, "stdout ", 7) == 0)
        *stream = 0;
    else if (memcmp(p, "stderr ", 7) == 0)
        *stream = 1;
    else
        return false;
    p += 7;
    if (*p != 'F' && *p != 'P')
        return false;
    if (p + 1 < e && p[1] != ' ' && p[1] != ':')
        return false;
    *partial = *p == 'P';
    for (q = p + 1; q < e && *q != ' '; q++)
        ;
    *payload = q < e ? q + 1 : e;
    *plen = (size_t)(e - *payload);
    return true;
}

static void part_add(struct partial *pt, const char *p, size_t n,
                     const struct hb_line *in)
{
    size_t room;

    if (!pt->active) {
        hb_buf_reset(&pt->buf);
        pt->active = true;
        pt->cut = false;
        pt->lineno = in->lineno;
        pt->offset = in->offset;
    }
    pt->lineno_last = in->lineno_last;
    pt->end = in->end;
    if (in->truncated)
        pt->cut = true;
    room = HB_UNWRAP_MAX - pt->buf.len;
    if (n > room) {
        n = room;
        pt->cut = true;
    }
    hb_buf_append(&pt->buf, p, n);
}

/* Completes a logical line from payload p..n (the end of in) into out:
 * joined with the held partial of its stream, if any. */
static void complete(struct hb_unwrap *u, int stream, const char *p, size_t n,
                     const struct hb_line *in, struct hb_line *out)
{
    struct partial *pt = &u->part[stream];

    *out = *in;
    if (!pt->active) {
        out->text = p;
        out->len = n;
        return;
    }
    part_add(pt, p, n, in);
    out->text = pt->buf.data;
    out->len = pt->buf.len;
    out->lineno = pt->lineno;
    out->offset = pt->offset;
    out->truncated = pt->cut;
    if (pt->cut)
        u->cut++;
    pt->active = false;
}

/* ---- driver ------------------------------------------------------------ */

struct hb_unwrap *hb_unwrap_new(const char *mode)
{
    static const struct {
        const char *name;
        enum mode m;
    } modes[] = {{"auto", MODE_AUTO},
                 {"cri", MODE_CRI},
                 {"docker", MODE_DOCKER},
                 {"json", MODE_JSON},
                 {"none", MODE_NONE}};
    struct hb_unwrap *u;
    size_t i;

    for (i = 0; mode && i < HB_ARRAY_LEN(modes); i++)
        if (strcmp(mode, modes[i].name) == 0)
            break;
    if (mode && i == HB_ARRAY_LEN(modes))
        return NULL;
    u = hb_xcalloc(1, sizeof *u);
    u->mode = mode ? modes[i].m : MODE_AUTO;
    hb_buf_init(&u->part[0].buf);
    hb_buf_init(&u->part[1].buf);
    hb_buf_init(&u->dec);
    hb_buf_init(&u->out);
    return u;
}

void hb_unwrap_free(struct hb_unwrap *u)
{
    if (u == NULL)
        return;
    hb_buf_fini(&u->part[0].buf);
    hb_buf_fini(&u->part[1].buf);
    hb_buf_fini(&u->dec);
    hb_buf_fini(&u->out);
    free(u);
}

/* Replaces line by the rewrite of JSON record r, if it has one. */
static void use_app(struct hb_unwrap *u, const struct jrec *r,
                    struct hb_line *line)
{
    bool capped;

    if (!rewrite_app(&u->out, r, &capped))
        return;
    u->seen[KIND_JSON]++;
    line->text = u->out.data;
    line->len = u->out.len;
    if (capped && !line->truncated) {
        line->truncated = true;
        u->cut++;
    }
}

/* A JSON application record inside a (possibly unwrapped) line. */
static void unwrap_app(struct hb_unwrap *u, struct hb_line *line)
{
    struct jrec r;
    const char *p = line->text, *e = line->text + line->len;

    while (p < e && *p == ' ')
        p++;
    if (p >= e || *p != '{')
        return;
    if (j_parse(&r, p, (size_t)(e - p)))
        use_app(u, &r, line);
}

static bool is_docker(const struct jrec *r)
{
    return r->f[F_LOG].type == J_STR && r->f[F_MSG].type == J_NONE &&
           (r->f[F_STREAM].type != J_NONE || r->f[F_TS].type != J_NONE);
}

/* Docker json-file record r of line in: false when it was held (a chunk
 * of a longer line, without the trailing "\n"). */
static bool docker_feed(struct hb_unwrap *u, const struct jrec *r,
                        const struct hb_line *in, struct hb_line *out)
{
    const struct jval *log = &r->f[F_LOG];
    const struct jval *st = &r->f[F_STREAM];
    int stream =
        st->type == J_STR && st->n == 6 && memcmp(st->p, "stderr", 6) == 0;
    bool whole;

    u->seen[KIND_DOCKER]++;
    hb_buf_reset(&u->dec);
    j_unescape(&u->dec, log->p, log->n);
    whole = u->dec.len > 0 && u->dec.data[u->dec.len - 1] == '\n';
    trim_newlines(&u->dec, 0);
    if (!whole) {
        part_add(&u->part[stream], u->dec.data, u->dec.len, in);
        return false;
    }
    complete(u, stream, u->dec.data ? u->dec.data : "", u->dec.len, in, out);
    unwrap_app(u, out);
    return true;
}

static bool unwrap_feed(struct hb_unwrap *u, const struct hb_line *in,
                        struct hb_line *out);

bool hb_unwrap_feed(struct hb_unwrap *u, const struct hb_line *in,
                    struct hb_line *out)
{
    bool done = unwrap_feed(u, in, out);
    uintptr_t from = (uintptr_t)in->text, at = (uintptr_t)out->text;

    /* a decoded payload (a JSON string) may hold '\n'; a slice may not */
    if (at < from || at + out->len > from + in->len)
        out->one_line = false;
    return done;
}

static bool unwrap_feed(struct hb_unwrap *u, const struct hb_line *in,
                        struct hb_line *out)
{
    const char *payload, *p, *e;
    size_t plen;
    int stream;
    bool partial;
    struct jrec r;

    *out = *in;
    if (u == NULL || u->mode == MODE_NONE || in->len == 0)
        return true;
    if ((u->mode == MODE_AUTO || u->mode == MODE_CRI) &&
        cri_split(in->text, in->len, &stream, &partial, &payload, &plen)) {
        u->seen[KIND_CRI]++;
        if (partial) {
            part_add(&u->part[stream], payload, plen, in);
            return false;
        }
        complete(u, stream, payload, plen, in, out);
        unwrap_app(u, out);
        return true;
    }
    if (u->mode == MODE_CRI)
        return true;
    for (p = in->text, e = p + in->len; p < e && *p == ' '; p++)
        ;
    if (p >= e || *p != '{' || !j_parse(&r, p, (size_t)(e - p)))
        return true;
    if ((u->mode == MODE_AUTO || u->mode == MODE_DOCKER) && is_docker(&r))
        return docker_feed(u, &r, in, out);
    if (u->mode == MODE_AUTO || u->mode == MODE_JSON)
        use_app(u, &r, out);
    return true;
}

bool hb_unwrap_flush(struct hb_unwrap *u, struct hb_line *out)
{
    struct partial *pt;

    if (u == NULL)
        return false;
    if (u->part[0].active && u->part[1].active)
        pt = &u->part[u->part[0].lineno <= u->part[1].lineno ? 0 : 1];
    else if (u->part[0].active)
        pt = &u->part[0];
    else if (u->part[1].active)
        pt = &u->part[1];
    else
        return false;
    memset(out, 0, sizeof *out);
    out->text = pt->buf.data ? pt->buf.data : "";
    out->len = pt->buf.len;
    out->lineno = pt->lineno;
    out->lineno_last = pt->lineno_last;
    out->offset = pt->offset;
    out->end = pt->end;
    out->truncated = pt->cut;
    out->has_newline = false;
    if (pt->cut)
        u->cut++;
    pt->active = false;
    unwrap_app(u, out);
    return true;
}

bool hb_unwrap_pending(const struct hb_unwrap *u)
{
    return u && (u->part[0].active || u->part[1].active);
}

void hb_unwrap_reset(struct hb_unwrap *u)
{
    if (u == NULL)
        return;
    u->part[0].active = false;
    u->part[1].active = false;
}

const char *hb_unwrap_kind(const struct hb_unwrap *u)
{
    int k, best = -1;

    if (u == NULL)
        return NULL;
    for (k = 0; k < KIND_COUNT; k++)
        if (u->seen[k] > 0 && (best < 0 || u->seen[k] > u->seen[best]))
            best = k;
    return best < 0 ? NULL : kind_names[best];
}

uint64_t hb_unwrap_cut(const struct hb_unwrap *u)
{
    return u ? u->cut : 0;
}
