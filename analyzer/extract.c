/*
 * extract.c - reads what Polaris says in one record: SDK, Go SDK and server
 * codes, gRPC statuses, registration/heartbeat events with the instance
 * they name, the Polaris server address and version evidence. One
 * automaton pass finds every literal a scanner starts from (and where it
 * first occurs); scanners whose literals are absent do nothing, the others
 * start at that first occurrence and search (memmem/memchr) only beyond
 * it, so the work is linear in the record size; nothing allocates and
 * every copy is capped.
 */
#include "extract.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "codes.h"
#include "fastpath.h"
#include "prefilter.h"
#include "util.h"

#define MAX_CODE_HITS   32
#define MAX_ADDR_HITS   16
#define MAX_PHRASE_HITS 64
#define MAX_HOST        100
#define JAR_NAME_MAX    128
#define LINE_WINDOW     4096 /* bytes a scanner looks around one candidate */

/* A code seen in the text, before ordering and deduplication. */
struct code_hit {
    size_t pos; /* offset of the code in the text */
    size_t end; /* just past it */
    enum hb_code_kind kind;
    int num;          /* 0: a name-only SDK code that is unknown */
    const char *name; /* enum name (SDK, Go); borrowed from the text */
    size_t name_n;
    const char *info; /* server info text; borrowed */
    size_t info_n;
    bool weak; /* SDK name without "ERR-" (SCT lines) */
};

/* A Polaris server address seen in the text. */
struct addr_hit {
    size_t pos;
    char value[128];
    const char *how;
};

/* The scanning state of one hb_extract call; lives on the stack, set up
   by ex_init (hits[] and addrs[] are read only below nhits/naddrs, so
   their 4 KiB are left as they are). */
struct ex {
    const char *p; /* the record text; borrowed */
    size_t n;
    const struct hb_record *rec;
    struct hb_polaris *pol;
    struct code_hit hits[MAX_CODE_HITS];
    int nhits;
    struct addr_hit addrs[MAX_ADDR_HITS];
    int naddrs;
    enum hb_event ev;
    size_t ev_pos;
    bool ev_failed;  /* a deregister that failed */
    size_t grpc_pos; /* where grpc_status was seen; SIZE_MAX = none */
    /* Which literals of the table below occur and where each first
       starts; NULL when the prefilter is off (every scanner searches). */
    const struct hb_pf_hits *lit;
};

static void ex_init(struct ex *x, const char *p, size_t n,
                    const struct hb_record *rec, struct hb_polaris *pol,
                    const struct hb_pf_hits *lit)
{
    x->p = p;
    x->n = n;
    x->rec = rec;
    x->pol = pol;
    x->nhits = 0;
    x->naddrs = 0;
    x->ev = HB_EV_NONE;
    x->ev_pos = 0;
    x->ev_failed = false;
    x->grpc_pos = SIZE_MAX;
    x->lit = lit;
}

/* The literals the scanners start from, found in one pass per record. */
enum lit_id {
    L_ERR,
    L_POLARIS_DASH,
    L_OLARIS,
    L_OLARIS_UP,
    L_CTP,
    L_CTCP,
    L_SERVER_ERROR,
    /* L_SERVER_ERR_CODE..L_WEAK_SC: the codes of scan_polaris_codes */
    L_SERVER_ERR_CODE,
    L_SERVER_CODE,
    L_X_POLARIS_CODE,
    L_JSON_CODE,
    L_CODE_EQ,
    L_CODE_COLON,
    L_ERRCODE,
    L_WEAK_HB_CODE,
    L_WEAK_HB,
    L_WEAK_SC,
    L_STATUS_OBJ,
    L_RPC_ERROR,
    /* L_GRPC_URL..L_SWITCHED: the addresses of scan_addrs */
    L_GRPC_URL,
    L_ADDRESS,
    L_CONNECT_TO,
    L_DIAL,
    L_GET_CONN_TO,
    L_REFUSED,
    L_REMOTE_ADDR,
    L_CONNID,
    L_SWITCHED,
    L_JAR,
    L_EXCEPTION,
    L_ERROR_COLON,
    /* keys of "key<value>" pairs */
    L_KEY_NS_COLON,
    L_KEY_SVC_COLON,
    L_KEY_HOST_COLON,
    L_KEY_PORT_COLON,
    L_KEY_FAIL_COUNT,
    L_KEY_NS_QUOTED,
    L_KEY_SVC_QUOTED,
    L_KEY_HOST_QUOTED,
    L_KEY_PORT_EQ,
    L_KEY_NS_EQ,
    L_KEY_SVC_EQ,
    L_KEY_HOST_EQ,
    L_KEY_NS_SPACED,
    L_FIXED
};

static const char *const fixed_lits[L_FIXED] = {
    [L_ERR] = "ERR-",
    [L_POLARIS_DASH] = "Polaris-",
    [L_OLARIS] = "olaris",
    [L_OLARIS_UP] = "OLARIS",
    [L_CTP] = "c.t.p.",
    [L_CTCP] = "c.t.c.p.",
    [L_SERVER_ERROR] = "server error ",
    [L_SERVER_ERR_CODE] = "serverErrCode:",
    [L_SERVER_CODE] = "server code ",
    [L_X_POLARIS_CODE] = "X-Polaris-Code:",
    [L_JSON_CODE] = "\"code\":",
    [L_CODE_EQ] = "code = ",
    [L_CODE_COLON] = "code:",
    [L_ERRCODE] = "errCode ",
    [L_WEAK_HB_CODE] = "polaris heartbeat error with code [",
    [L_WEAK_HB] = "polaris heartbeat[",
    [L_WEAK_SC] = "[ServerConnector]code ",
    [L_STATUS_OBJ] = "Status{code=",
    [L_RPC_ERROR] = "rpc error: code = ",
    [L_GRPC_URL] = "grpc://",
    [L_ADDRESS] = "Address: ",
    [L_CONNECT_TO] = "connect to ",
    [L_DIAL] = "dial tcp ",
    [L_GET_CONN_TO] = "get connection to ",
    [L_REFUSED] = "Connection refused: ",
    [L_REMOTE_ADDR] = "remote_addr=",
    [L_CONNID] = "ConnID{",
    [L_SWITCHED] = "connection switched from ",
    [L_JAR] = ".jar",
    [L_EXCEPTION] = "Exception",
    [L_ERROR_COLON] = "Error:",
    [L_KEY_NS_COLON] = "namespace:",
    [L_KEY_SVC_COLON] = "service:",
    [L_KEY_HOST_COLON] = "host:",
    [L_KEY_PORT_COLON] = "port:",
    [L_KEY_FAIL_COUNT] = "heartbeat fail count:",
    [L_KEY_NS_QUOTED] = "namespace='",
    [L_KEY_SVC_QUOTED] = "service='",
    [L_KEY_HOST_QUOTED] = "host='",
    [L_KEY_PORT_EQ] = "port=",
    [L_KEY_NS_EQ] = "namespace=",
    [L_KEY_SVC_EQ] = "service=",
    [L_KEY_HOST_EQ] = "host=",
    [L_KEY_NS_SPACED] = "namespace = ",
};

/* The other literal tables follow the fixed ones, in this order; each
   table is defined further down, before its first use. */
#define LIT_GRPC    L_FIXED
#define N_GRPC_LITS 16 /* grpc_lits */
#define LIT_MARKERS (LIT_GRPC + N_GRPC_LITS)
#define LIT_PHRASES (LIT_MARKERS + HB_ARRAY_LEN(marker_lits))
#define LIT_FRAMES  (LIT_PHRASES + HB_ARRAY_LEN(phrases))
#define LIT_GROUPS  (LIT_FRAMES + HB_ARRAY_LEN(frames))
#define LIT_BOOT    (LIT_GROUPS + HB_ARRAY_LEN(groups))
#define LIT_ZAP     (LIT_BOOT + HB_ARRAY_LEN(boot_lits))
#define LIT_FAILURE (LIT_ZAP + HB_ARRAY_LEN(zap_lits))
#define LIT_TOTAL   (LIT_FAILURE + HB_ARRAY_LEN(failure_lits))
#define LIT_CAP     192 /* room for LIT_TOTAL, checked in lit_build */

/* The gRPC status names of codes.c longer than two bytes (not "OK",
   which scan_grpc_plain passes over), each with its ':' ("UNAVAILABLE:");
   filled by lit_build. */
static char grpc_lits[N_GRPC_LITS][24];

/* Every table's literal by id, with its length: filled once by lit_build,
   so no scanner measures a constant string per record. */
static const char *lit_str[LIT_CAP];
static size_t lit_len[LIT_CAP];

/* ---------------------------------------------------------------------
 * Character classes and small parsers
 */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || is_upper(c);
}

static bool is_alnum(char c)
{
    return is_alpha(c) || is_digit(c);
}

static bool is_word(char c)
{
    return is_alnum(c) || c == '_';
}

static bool is_host_char(char c)
{
    return is_alnum(c) || c == '.' || c == '-' || c == '_';
}

static bool is_version_char(char c)
{
    return is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '+';
}

static char lower(char c)
{
    return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

/* Offset of s[0..m) at or after from, before to; false when absent. */
static bool find_n(const struct ex *x, size_t from, size_t to, const char *s,
                   size_t m, size_t *at)
{
    const char *q;

    if (to > x->n)
        to = x->n;
    if (from >= to || to - from < m)
        return false;
    q = memmem(x->p + from, to - from, s, m);
    if (q == NULL)
        return false;
    *at = (size_t)(q - x->p);
    return true;
}

/* find_n for a string literal, whose length the compiler knows. */
#define find_in(x, from, to, lit, at)                                          \
    find_n(x, from, to, "" lit, sizeof(lit) - 1, at)

/* False only when the prefilter saw no occurrence of literal id. */
static bool maybe(const struct ex *x, size_t id)
{
    return x->lit == NULL || hb_pf_has(x->lit, id);
}

/* The first id in [id, end) that maybe() lets through, else end: a
   word of prefilter bits at a time, so a table loop skips the literals of
   a record in a few steps. */
static size_t next_lit(const struct ex *x, size_t id, size_t end)
{
    if (x->lit == NULL)
        return id < end ? id : end;
    while (id < end) {
        uint64_t bits = x->lit->bits[id / 64] >> (id % 64);

        if (bits) {
            id += (size_t)__builtin_ctzll(bits);
            break;
        }
        id = (id / 64 + 1) * 64;
    }
    return id < end ? id : end;
}

/* maybe() for any literal of ids first..last. */
static bool maybe_any(const struct ex *x, size_t first, size_t last)
{
    return next_lit(x, first, last + 1) <= last;
}

/* seek's slow path, out of line so that seek stays small. */
static bool seek_search(const struct ex *x, size_t id, size_t from, size_t *at)
{
    return find_n(x, from, x->n, lit_str[id], lit_len[id], at);
}

/* The first occurrence of literal id at or after from: the prefilter's
   first one when it lies there, else a search of the rest of the text.
   Inline: most calls end at the bit test. */
static inline bool seek(const struct ex *x, size_t id, size_t from, size_t *at)
{
    if (x->lit) {
        if (!hb_pf_has(x->lit, id))
            return false;
        if (x->lit->first[id] >= from) {
            *at = x->lit->first[id];
            return true;
        }
    }
    return seek_search(x, id, from, at);
}

static bool seek_has(const struct ex *x, size_t id)
{
    size_t at;

    return seek(x, id, 0, &at);
}

/*
 * End of the line holding pos (offset of '\n' or n), looking at most
 * LINE_WINDOW bytes ahead: scanners call this once per candidate, and a
 * giant single-line record must not make that quadratic. Fields and
 * messages sit near their keyword, so the window loses nothing real.
 */
static size_t eol(const struct ex *x, size_t pos)
{
    size_t len;
    const char *q;

    if (pos >= x->n)
        return x->n;
    len = x->n - pos < LINE_WINDOW ? x->n - pos : LINE_WINDOW;
    q = memchr(x->p + pos, '\n', len);
    return q ? (size_t)(q - x->p) : pos + len;
}

/* Start of the line holding pos, at most LINE_WINDOW bytes back. */
static size_t bol(const struct ex *x, size_t pos)
{
    size_t stop = pos > LINE_WINDOW ? pos - LINE_WINDOW : 0;

    while (pos > stop && x->p[pos - 1] != '\n')
        pos--;
    return pos;
}

static bool same_line(const struct ex *x, size_t a, size_t b)
{
    if (b < a)
        return false;
    return memchr(x->p + a, '\n', b - a) == NULL;
}

static bool starts_n(const struct ex *x, size_t i, const char *s, size_t m)
{
    return i <= x->n && x->n - i >= m && memcmp(x->p + i, s, m) == 0;
}

/* starts_n for a string literal. */
#define starts_at(x, i, lit) starts_n(x, i, "" lit, sizeof(lit) - 1)

static size_t skip_spaces(const struct ex *x, size_t i, size_t to)
{
    while (i < to && (x->p[i] == ' ' || x->p[i] == '\t'))
        i++;
    return i;
}

/* Trims trailing blanks and '\r' off [a, b). */
static size_t rtrim(const struct ex *x, size_t a, size_t b)
{
    while (b > a &&
           (x->p[b - 1] == ' ' || x->p[b - 1] == '\t' || x->p[b - 1] == '\r'))
        b--;
    return b;
}

/* Reads 1..maxd digits at i into *v; returns how many, 0 when there are
   none or more than maxd. */
static size_t digits(const struct ex *x, size_t i, size_t maxd, long *v)
{
    size_t k = 0;
    long acc = 0;

    *v = 0;
    while (i + k < x->n && is_digit(x->p[i + k])) {
        if (k == maxd)
            return 0;
        acc = acc * 10 + (x->p[i + k] - '0');
        k++;
    }
    *v = acc;
    return k;
}

/* A 6-digit Polaris server code at i, not glued to other digits. */
static bool server6(const struct ex *x, size_t i, int *code)
{
    long v;

    if (i > 0 && is_digit(x->p[i - 1]))
        return false;
    if (digits(x, i, 6, &v) != 6 || v < 100000 || v > 599999)
        return false;
    *code = (int)v;
    return true;
}

/* Length of the run of word characters at i. */
static size_t word_run(const struct ex *x, size_t i)
{
    size_t k = 0;

    while (i + k < x->n && is_word(x->p[i + k]))
        k++;
    return k;
}

/* Copies [a, b) of the text into dst when dst is still empty. */
static void fill(const struct ex *x, char *dst, size_t cap, size_t a, size_t b)
{
    if (dst[0] != '\0' || b <= a)
        return;
    hb_strlcpy(dst, x->p + a, b - a, cap);
}

/*
 * Parses "host:port" at i. Host: letters, digits, '.', '-', '_' (with at
 * least one letter or dot, so "12:30" is not an address) or a bracketed
 * IPv6. Port 1..65535 not followed by a letter or digit. Writes "host:port"
 * to out and the parts to host/port when not NULL. Returns bytes consumed,
 * 0 when there is no address at i.
 */
static size_t hostport(const struct ex *x, size_t i, char *out, size_t cap,
                       char *host, size_t hcap, int *port)
{
    size_t h = i, k;
    bool dot_or_alpha = false;
    long v;

    if (h < x->n && x->p[h] == '[') {
        while (h < x->n && h - i < MAX_HOST && x->p[h] != ']' &&
               x->p[h] != '\n')
            h++;
        if (h >= x->n || x->p[h] != ']')
            return 0;
        h++;
        dot_or_alpha = true;
    } else {
        while (h < x->n && h - i < MAX_HOST && is_host_char(x->p[h])) {
            if (x->p[h] == '.' || is_alpha(x->p[h]))
                dot_or_alpha = true;
            h++;
        }
    }
    if (h == i || !dot_or_alpha || h >= x->n || x->p[h] != ':')
        return 0;
    k = digits(x, h + 1, 5, &v);
    if (k == 0 || v < 1 || v > 65535)
        return 0;
    if (h + 1 + k < x->n && is_alnum(x->p[h + 1 + k]))
        return 0;
    if (out)
        hb_strlcpy(out, x->p + i, h + 1 + k - i, cap);
    if (host)
        hb_strlcpy(host, x->p + i, h - i, hcap);
    if (port)
        *port = (int)v;
    return h + 1 + k - i;
}

/* ---------------------------------------------------------------------
 * Codes
 */

static void add_hit(struct ex *x, enum hb_code_kind kind, int num, size_t pos,
                    size_t end, const char *name, size_t name_n,
                    const char *info, size_t info_n, bool weak)
{
    struct code_hit *h;

    if (x->nhits >= MAX_CODE_HITS)
        return;
    h = &x->hits[x->nhits++];
    h->pos = pos;
    h->end = end;
    h->kind = kind;
    h->num = num;
    h->name = name;
    h->name_n = name_n;
    h->info = info;
    h->info_n = info_n;
    h->weak = weak;
}

/*
 * "ERR-<n>(<NAME>)" (polaris-java) or "Polaris-<n>(<Name>)" (polaris-go)
 * followed by ':' or ',' (or the end of the line, for a known SDK name).
 */
static void scan_prefixed_codes(struct ex *x, size_t id, enum hb_code_kind kind)
{
    size_t from = 0, at, m = lit_len[id];

    while (x->nhits < MAX_CODE_HITS && seek(x, id, from, &at)) {
        size_t i = at + m, nd, nn;
        long v;
        char c;

        from = at + 1;
        if (at > 0 && (is_word(x->p[at - 1]) || x->p[at - 1] == '-'))
            continue;
        nd = digits(x, i, 6, &v);
        if (nd == 0 || i + nd >= x->n || x->p[i + nd] != '(')
            continue;
        i += nd + 1;
        nn = word_run(x, i);
        if (nn == 0 || nn > 47 || i + nn >= x->n || x->p[i + nn] != ')')
            continue;
        c = i + nn + 1 < x->n ? x->p[i + nn + 1] : '\n';
        if (c != ':' && c != ',') {
            bool eol_ok = c == '\n' || c == '\r';

            if (!eol_ok || (kind == HB_CODE_SDK &&
                            hb_sdk_code_by_name_n(x->p + i, nn) == NULL))
                continue;
        }
        add_hit(x, kind, (int)v, at, i + nn + 1, x->p + i, nn, NULL, 0, false);
        from = i + nn + 1;
    }
}

/* Text from i to the end of the line or to stop (if it comes first). */
static size_t info_end(const struct ex *x, size_t i, const char *stop)
{
    size_t e = eol(x, i), at;

    if (stop && find_n(x, i, e, stop, strlen(stop), &at))
        e = at;
    return rtrim(x, i, e);
}

/*
 * "server error <code>: <info>" (GrpcUtil.checkResponse). Outside a
 * Polaris record it only counts when the code is known and the info is the
 * server's own text for it.
 */
static void scan_server_error(struct ex *x, bool polaris)
{
    size_t from = 0, at;

    while (x->nhits < MAX_CODE_HITS && seek(x, L_SERVER_ERROR, from, &at)) {
        size_t i = at + lit_len[L_SERVER_ERROR], info = 0, ie = 0;
        int code;

        from = at + 1;
        if (!server6(x, i, &code))
            continue;
        if (i + 6 < x->n && x->p[i + 6] == ':') {
            info = skip_spaces(x, i + 7, eol(x, i + 7));
            ie = info_end(x, info, ", cause:");
        }
        if (!polaris) {
            const struct hb_server_code *sc = hb_server_code_find(code);
            size_t k = sc ? strlen(sc->info) : 0;

            if (k == 0 || ie - info < k || memcmp(x->p + info, sc->info, k))
                continue;
        }
        add_hit(x, HB_CODE_SERVER, code, i, i + 6, NULL, 0,
                ie > info ? x->p + info : NULL, ie - info, false);
    }
}

/*
 * A 6-digit code after lit (skipping blanks). known: only codes of the
 * table count. stop: where an info text after ", info "/", reason " ends.
 */
static void scan_code_after(struct ex *x, size_t id, bool known,
                            const char *info_lit, const char *stop)
{
    const char *lit = lit_str[id];
    size_t from = 0, at, m = lit_len[id];

    while (x->nhits < MAX_CODE_HITS && seek(x, id, from, &at)) {
        size_t i = skip_spaces(x, at + m, eol(x, at + m)), e = eol(x, i);
        size_t info = 0, ie = 0, k;
        int code;

        from = at + 1;
        if (at > 0 && is_alnum(x->p[at - 1]) && is_alpha(lit[0]))
            continue;
        if (!server6(x, i, &code))
            continue;
        if (known && hb_server_code_find(code) == NULL)
            continue;
        if (info_lit && find_n(x, i + 6, e, info_lit, strlen(info_lit), &k) &&
            k - (i + 6) < 4) {
            info = k + strlen(info_lit);
            ie = info_end(x, info, stop);
        }
        add_hit(x, HB_CODE_SERVER, code, i, i + 6, NULL, 0,
                ie > info ? x->p + info : NULL, ie - info, false);
    }
}

/* Protobuf text "code:{value:400401} info:{value:\"...\"}" (server logs). */
static void scan_proto_code(struct ex *x)
{
    size_t from = 0, at;

    while (x->nhits < MAX_CODE_HITS && seek(x, L_CODE_COLON, from, &at)) {
        size_t e = eol(x, at), i = skip_spaces(x, at + 5, e);
        size_t info = 0, ie = 0, k;
        bool braced = false;
        int code;

        from = at + 1;
        if (at > 0 && is_word(x->p[at - 1]))
            continue;
        if (i < e && x->p[i] == '{') {
            i = skip_spaces(x, i + 1, e);
            if (!starts_at(x, i, "value:"))
                continue;
            i = skip_spaces(x, i + 6, e);
            braced = true;
        }
        if (!server6(x, i, &code))
            continue;
        if (!braced && hb_server_code_find(code) == NULL)
            continue;
        if (find_in(x, i + 6, e < i + 80 ? e : i + 80, "info:", &k)) {
            k = skip_spaces(x, k + 5, e);
            if (k < e && x->p[k] == '{')
                k = skip_spaces(x, k + 1, e);
            if (starts_at(x, k, "value:"))
                k = skip_spaces(x, k + 6, e);
            if (k < e && x->p[k] == '\\')
                k++;
            if (k < e && x->p[k] == '"') {
                info = ++k;
                while (k < e && x->p[k] != '"' && x->p[k] != '\\')
                    k++;
                ie = k;
            }
        }
        add_hit(x, HB_CODE_SERVER, code, i, i + 6, NULL, 0,
                ie > info ? x->p + info : NULL, ie - info, false);
    }
}

/* An ErrorCode name at i ended by term: a weak SDK hit (SCT lines). */
static void weak_name_at(struct ex *x, size_t i, char term)
{
    size_t nn = word_run(x, i);
    const struct hb_sdk_code *sc;

    if (nn == 0 || nn > 47 || i + nn >= x->n || x->p[i + nn] != term)
        return;
    sc = hb_sdk_code_by_name_n(x->p + i, nn);
    if (sc == NULL && !is_upper(x->p[i]))
        return;
    add_hit(x, HB_CODE_SDK, sc ? sc->code : 0, i, i + nn, x->p + i, nn, NULL, 0,
            true);
}

static void scan_weak_names(struct ex *x, size_t id, char term)
{
    size_t from = 0, at;

    while (x->nhits < MAX_CODE_HITS && seek(x, id, from, &at)) {
        from = at + 1;
        weak_name_at(x, at + lit_len[id], term);
    }
}

/* "[ServerConnector]exceptionCallback: errCode X, info Y": X is a server
   code or an ErrorCode name. */
static void scan_errcode(struct ex *x)
{
    size_t from = 0, at;

    while (x->nhits < MAX_CODE_HITS && seek(x, L_ERRCODE, from, &at)) {
        size_t i = at + 8, e = eol(x, i), info = 0, ie = 0, k;
        int code;

        from = at + 1;
        if (at > 0 && is_alpha(x->p[at - 1]))
            continue;
        if (find_in(x, i, e, " EOF by server", &k))
            continue;
        if (server6(x, i, &code)) {
            if (find_in(x, i + 6, e, ", info ", &k) && k == i + 6) {
                info = k + 7;
                ie = info_end(x, info, ", serviceEventKey");
            }
            add_hit(x, HB_CODE_SERVER, code, i, i + 6, NULL, 0,
                    ie > info ? x->p + info : NULL, ie - info, false);
        } else if (hb_sdk_code_by_name_n(x->p + i, word_run(x, i))) {
            weak_name_at(x, i, ',');
        }
    }
}

static void sort_hits(struct ex *x)
{
    int i, j;

    for (i = 1; i < x->nhits; i++) {
        struct code_hit h = x->hits[i];

        for (j = i; j > 0 && x->hits[j - 1].pos > h.pos; j--)
            x->hits[j] = x->hits[j - 1];
        x->hits[j] = h;
    }
}

/* The server hit that belongs to the SDK/Go hit at index i (the next hit,
   on the same line), or -1. */
static int adjacent_server(const struct ex *x, int i)
{
    const struct code_hit *h;

    if (i + 1 >= x->nhits)
        return -1;
    h = &x->hits[i + 1];
    if (h->kind != HB_CODE_SERVER || !same_line(x, x->hits[i].end, h->pos))
        return -1;
    return i + 1;
}

/* Index of the most specific hit of kind (strong only): the last one with
   a server code next to it, else the deepest (last). *srv gets that
   server hit or -1. */
static int pick_code(const struct ex *x, enum hb_code_kind kind, int *srv)
{
    int i, last = -1, last_adj = -1, adj = -1;

    for (i = 0; i < x->nhits; i++) {
        int s;

        if (x->hits[i].kind != kind || x->hits[i].weak)
            continue;
        last = i;
        s = adjacent_server(x, i);
        if (s >= 0) {
            last_adj = i;
            adj = s;
        }
    }
    if (last_adj >= 0) {
        *srv = adj;
        return last_adj;
    }
    *srv = -1;
    return last;
}

static void add_code_seen(struct hb_polaris *pol, const struct code_hit *h)
{
    struct hb_code_seen c;
    int i;

    if (h->num == 0 && h->kind != HB_CODE_SERVER)
        return;
    /* cleared so that a listed code has zeroed bytes after its key */
    memset(&c, 0, sizeof c);
    c.kind = h->kind;
    c.num = h->num;
    if (h->kind == HB_CODE_SDK)
        snprintf(c.key, sizeof c.key, "ERR-%d", h->num);
    else if (h->kind == HB_CODE_GO)
        snprintf(c.key, sizeof c.key, "Polaris-%d", h->num);
    else
        snprintf(c.key, sizeof c.key, "%d", h->num);
    for (i = 0; i < pol->ncodes; i++)
        if (strcmp(pol->codes[i].key, c.key) == 0)
            return;
    if (pol->ncodes < HB_MAX_CODES)
        pol->codes[pol->ncodes++] = c;
}

static void set_info(struct hb_polaris *pol, const struct code_hit *h)
{
    if (h->info && pol->server_info[0] == '\0')
        hb_strlcpy(pol->server_info, h->info, h->info_n,
                   sizeof pol->server_info);
}

/* Orders the hits, fills codes[] and picks the SDK, Go and server code. */
static void settle_codes(struct ex *x)
{
    struct hb_polaris *pol = x->pol;
    int i, srv = -1, gsrv = -1, sdk, go;

    sort_hits(x);
    for (i = 0; i < x->nhits; i++)
        add_code_seen(pol, &x->hits[i]);

    sdk = pick_code(x, HB_CODE_SDK, &srv);
    if (sdk < 0) {
        for (i = 0; i < x->nhits; i++)
            if (x->hits[i].kind == HB_CODE_SDK && x->hits[i].weak) {
                sdk = i;
                break;
            }
    }
    if (sdk >= 0) {
        pol->sdk_code = x->hits[sdk].num;
        hb_strlcpy(pol->sdk_name, x->hits[sdk].name, x->hits[sdk].name_n,
                   sizeof pol->sdk_name);
    }
    go = pick_code(x, HB_CODE_GO, &gsrv);
    if (go >= 0) {
        pol->go_code = x->hits[go].num;
        hb_strlcpy(pol->go_name, x->hits[go].name, x->hits[go].name_n,
                   sizeof pol->go_name);
    }
    if (srv < 0)
        srv = gsrv;
    if (srv < 0) {
        for (i = 0; i < x->nhits && srv < 0; i++)
            if (x->hits[i].kind == HB_CODE_SERVER &&
                !hb_server_code_ok(x->hits[i].num))
                srv = i;
        for (i = 0; i < x->nhits && srv < 0; i++)
            if (x->hits[i].kind == HB_CODE_SERVER)
                srv = i;
    }
    if (srv >= 0) {
        pol->server_code = x->hits[srv].num;
        set_info(pol, &x->hits[srv]);
        for (i = 0; i < x->nhits; i++)
            if (x->hits[i].kind == HB_CODE_SERVER &&
                x->hits[i].num == pol->server_code)
                set_info(pol, &x->hits[i]);
    }
}

/* ---------------------------------------------------------------------
 * Is this record about Polaris at all?
 */

/* Case-insensitive "polaris" anywhere in [p, p+n). */
static bool mentions_polaris(const char *p, size_t n)
{
    static const char *const stems[] = {"olaris", "OLARIS"};
    size_t k;

    if (p == NULL)
        return false;
    for (k = 0; k < HB_ARRAY_LEN(stems); k++) {
        const char *s = p, *end = p + n, *q;

        while (s < end && (q = memmem(s, (size_t)(end - s), stems[k], 6))) {
            if (q > p && lower(q[-1]) == 'p')
                return true;
            s = q + 1;
        }
    }
    return false;
}

/* An abbreviated SDK/SCT logger ("c.t.p.p.c.g.GrpcConnector",
   "c.t.c.p.r.PolarisServiceRegistry") at a word start. */
static bool has_short_logger(const char *p, size_t n)
{
    static const char *const lits[] = {"c.t.p.", "c.t.c.p."};
    size_t k;

    if (p == NULL)
        return false;
    for (k = 0; k < HB_ARRAY_LEN(lits); k++) {
        const char *s = p, *end = p + n, *q;
        size_t m = strlen(lits[k]);

        while (s < end && (q = memmem(s, (size_t)(end - s), lits[k], m))) {
            if (q == p || (!is_alnum(q[-1]) && q[-1] != '.'))
                return true;
            s = q + 1;
        }
    }
    return false;
}

/* The SDK's and the server's own log files (§3.7, §5.2): every record of
   them is about Polaris. An application merely named "polaris-x" is not. */
static bool polaris_log_file(const char *path)
{
    static const char *const names[] = {
        "polaris.log",          "polaris-instance-heartbeat",
        "polaris-update-event", "polaris-circuitbreaker",
        "polaris-healthcheck",  "polaris-lossless",
        "polaris-event",        "polaris-audit",
        "polaris-naming",       "polaris-apiserver",
        "polaris-config",       "polaris-auth",
        "polaris-store",        "polaris-cache",
        "polaris-eureka",       "polaris-xdsv3",
        "polaris-default",      "polaris-ratelimit",
        "polaris-cmdb",         "polaris-statis",
        "polaris-discoverstat", "polaris-discoverevent",
        "polaris-history",      "nacos-apiserver",
    };
    const char *base;
    size_t k;

    if (path == NULL)
        return false;
    base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (k = 0; k < HB_ARRAY_LEN(names); k++) {
        size_t m = strlen(names[k]);
        const char *rest;

        if (strncmp(base, names[k], m) != 0)
            continue;
        rest = base + m;
        /* "polaris.log", "polaris.log.3", "x.log", "x-error.log",
           lumberjack's "x-2025-06-25T11-17-47.123.log" */
        if (k == 0 && (*rest == '\0' || *rest == '.'))
            return true;
        if (strncmp(rest, ".log", 4) == 0 ||
            strncmp(rest, "-error.log", 10) == 0 ||
            (rest[0] == '-' && is_digit(rest[1])))
            return true;
    }
    return false;
}

static const char *const marker_lits[] = {
    "com.tencent.cloud",
    "[AsyncHeartbeat]",
    "[HealthCheck]",
    "[Health Check]",
    "[Heartbeat][Server]",
    "[healthcheck]",
    "[API-Server]",
    "[APIServer]",
    "[ServerConnector]",
    "ServiceKey{",
    "ConnID{",
    "CommonProviderRequest{",
    "receiveAndNotify:",
    "#instance.yaml", /* the SDK's local cache files (ns#svc#kind) */
};

/* A slice of the record text: what the prefilter saw covers it. */
static bool in_text(const char *p, size_t n, struct hb_str s)
{
    return s.p == NULL || s.n == 0 || (s.p >= p && s.p + s.n <= p + n);
}

static bool polaris_source(const char *path);

/* "olaris" at at is "polaris" in some case (mentions_polaris). */
static bool stem_at(const struct ex *x, size_t at)
{
    return at > 0 && lower(x->p[at - 1]) == 'p';
}

/* "c.t.p." at at starts a word (has_short_logger). */
static bool logger_at(const struct ex *x, size_t at)
{
    return at == 0 || (!is_alnum(x->p[at - 1]) && x->p[at - 1] != '.');
}

/* An occurrence of literal id that ok accepts, from the prefilter's first
   one on. */
static inline bool seek_such(const struct ex *x, size_t id,
                             bool (*ok)(const struct ex *, size_t))
{
    size_t from = 0, at;

    while (seek(x, id, from, &at)) {
        if (ok(x, at))
            return true;
        from = at + 1;
    }
    return false;
}

static bool polaris_markers(const struct ex *x)
{
    const struct hb_header *h = &x->rec->hdr;
    bool stem = maybe(x, L_OLARIS) || maybe(x, L_OLARIS_UP);
    bool abbr = maybe(x, L_CTP) || maybe(x, L_CTCP);
    size_t k;

    if ((stem && (seek_such(x, L_OLARIS, stem_at) ||
                  seek_such(x, L_OLARIS_UP, stem_at))) ||
        (abbr &&
         (seek_such(x, L_CTP, logger_at) || seek_such(x, L_CTCP, logger_at))))
        return true;
    if (polaris_source(x->rec->source))
        return true;
    /* the header slices are part of the text, unless a caller built the
       record by hand */
    if (!in_text(x->p, x->n, h->logger) || !in_text(x->p, x->n, h->thread))
        stem = abbr = true;
    if ((stem && (mentions_polaris(h->logger.p, h->logger.n) ||
                  mentions_polaris(h->thread.p, h->thread.n))) ||
        (abbr && has_short_logger(h->logger.p, h->logger.n)))
        return true;
    for (k = next_lit(x, LIT_MARKERS, LIT_PHRASES); k < LIT_PHRASES;
         k = next_lit(x, k + 1, LIT_PHRASES))
        if (seek_has(x, k))
            return true;
    return false;
}

/* ---------------------------------------------------------------------
 * gRPC status
 */

/* Keeps the earliest status that is not OK (OK only when alone). */
static void set_grpc(struct ex *x, size_t pos, const char *canon, size_t da,
                     size_t db)
{
    bool have = x->grpc_pos != SIZE_MAX;
    bool have_ok = have && strcmp(x->pol->grpc_status, "OK") == 0;

    if (have && strcmp(canon, "OK") == 0)
        return;
    if (have && !have_ok && x->grpc_pos <= pos)
        return;
    x->grpc_pos = pos;
    hb_strlcpy(x->pol->grpc_status, canon, strlen(canon),
               sizeof x->pol->grpc_status);
    x->pol->grpc_desc[0] = '\0';
    if (db > da)
        hb_strlcpy(x->pol->grpc_desc, x->p + da, db - da,
                   sizeof x->pol->grpc_desc);
}

static bool grpc_boundary(char c)
{
    return !is_word(c) && c != '.' && c != '-' && c != '/';
}

/*
 * "UNAVAILABLE: io exception", "cause: DEADLINE_EXCEEDED: ...": the first
 * run of capitals and '_' that starts with a capital at a word boundary,
 * ends at ':' and names a status. Such a run ends at a colon, so the scan
 * jumps from colon to colon (memchr) and reads each run backwards; no run
 * reaches back past the previous colon, so the work stays linear.
 */
static void scan_grpc_plain(struct ex *x)
{
    size_t from = 0;
    const char *q;

    /* such a run is a status name followed by ':', which the literal
       pass looks for (the colons of a record are many) */
    if (!maybe_any(x, LIT_GRPC, LIT_GRPC + N_GRPC_LITS - 1))
        return;
    while (from < x->n && (q = memchr(x->p + from, ':', x->n - from))) {
        size_t j = (size_t)(q - x->p), i = j, d;

        from = j + 1;
        while (i > 0 && (is_upper(x->p[i - 1]) || x->p[i - 1] == '_'))
            i--;
        if (j - i <= 2 || !is_upper(x->p[i]) ||
            (i > 0 && !grpc_boundary(x->p[i - 1])) ||
            !hb_grpc_status_valid(x->p + i, j - i))
            continue;
        d = skip_spaces(x, j + 1, eol(x, j + 1));
        set_grpc(x, i, hb_grpc_status_canonical(x->p + i, j - i), d,
                 info_end(x, d, NULL));
        return;
    }
}

/* grpc-java Status.toString: "Status{code=X, description=D, cause=C}". */
static void scan_grpc_status_obj(struct ex *x)
{
    size_t from = 0, at;

    while (seek(x, L_STATUS_OBJ, from, &at)) {
        size_t i = at + 12, nn = word_run(x, i), e = eol(x, i), d, de;
        const char *canon = hb_grpc_status_canonical(x->p + i, nn);

        from = at + 1;
        if (canon == NULL)
            continue;
        d = de = 0;
        if (find_in(x, i, e, "description=", &d)) {
            size_t close;

            d += 12;
            de = info_end(x, d, ", cause=");
            if (find_in(x, d, de, "}", &close))
                de = close;
        }
        set_grpc(x, at, canon, d, de);
        return;
    }
}

/* grpc-go: "rpc error: code = Unavailable desc = ..." */
static void scan_grpc_go(struct ex *x)
{
    size_t from = 0, at;

    while (seek(x, L_RPC_ERROR, from, &at)) {
        size_t i = at + 18, nn = word_run(x, i), e = eol(x, i), d = 0, de = 0;
        const char *canon = hb_grpc_status_canonical(x->p + i, nn);

        from = at + 1;
        if (canon == NULL)
            continue;
        if (find_in(x, i, e, " desc = ", &d)) {
            d += 8;
            de = info_end(x, d, NULL);
        }
        set_grpc(x, at, canon, d, de);
        return;
    }
}

/* ---------------------------------------------------------------------
 * Polaris server addresses
 */

static void add_addr(struct ex *x, size_t pos, const char *value,
                     const char *how)
{
    struct addr_hit *a;

    if (x->naddrs >= MAX_ADDR_HITS || value[0] == '\0')
        return;
    a = &x->addrs[x->naddrs++];
    a->pos = pos;
    hb_strlcpy(a->value, value, strlen(value), sizeof a->value);
    a->how = how;
}

/* "grpc://h:p", "Address: h:p", "connect to h:p" ... */
static void scan_addr_after(struct ex *x, size_t id, const char *how)
{
    size_t from = 0, at, m = lit_len[id];
    char v[128];

    while (x->naddrs < MAX_ADDR_HITS && seek(x, id, from, &at)) {
        size_t i = at + m, e;
        const char *h = how;

        from = at + 1;
        if (i < x->n && x->p[i] == '/')
            i++;
        if (hostport(x, i, v, sizeof v, NULL, 0, NULL) == 0)
            continue;
        if (strcmp(how, "grpc-url") == 0) {
            size_t b = bol(x, at), k;

            e = eol(x, at);
            if (find_in(x, b, e, "Config server address", &k) ||
                find_in(x, b, e, "config.address", &k))
                h = "config-url";
        }
        add_addr(x, at, v, h);
    }
}

/* netty "Connection refused: /10.0.0.1:8091" or "host/10.0.0.1:8091";
   also grpc's "remote_addr=host/ip:port". Keeps the name the user
   configured (the part before '/') when there is one. */
static void scan_addr_slashed(struct ex *x, size_t id, const char *how)
{
    size_t from = 0, at, m = lit_len[id];
    char v[128], ip[128];
    int port;

    while (x->naddrs < MAX_ADDR_HITS && seek(x, id, from, &at)) {
        size_t i = at + m, h = i;

        from = at + 1;
        while (h < x->n && h - i < MAX_HOST && is_host_char(x->p[h]))
            h++;
        if (h < x->n && x->p[h] == '/') {
            if (hostport(x, h + 1, ip, sizeof ip, NULL, 0, &port) == 0)
                continue;
            if (h > i) {
                char name[MAX_HOST + 1];

                hb_strlcpy(name, x->p + i, h - i, sizeof name);
                snprintf(v, sizeof v, "%s:%d", name, port);
            } else {
                hb_strlcpy(v, ip, strlen(ip), sizeof v);
            }
        } else if (hostport(x, i, v, sizeof v, NULL, 0, NULL) == 0) {
            continue;
        }
        add_addr(x, at, v, how);
    }
}

/* ConnID{id='..', clusterType=.., host='h', port=p} */
static void scan_connid(struct ex *x)
{
    size_t from = 0, at;

    while (x->naddrs < MAX_ADDR_HITS && seek(x, L_CONNID, from, &at)) {
        size_t e = eol(x, at), close, hq, pq, he;
        long port;
        char v[128];

        from = at + 1;
        if (!find_in(x, at, e, "}", &close))
            close = e;
        if (!find_in(x, at, close, "host='", &hq) ||
            !find_in(x, at, close, "port=", &pq))
            continue;
        hq += 6;
        he = hq;
        while (he < close && x->p[he] != '\'')
            he++;
        if (he == hq || he - hq > MAX_HOST ||
            digits(x, pq + 5, 5, &port) == 0 || port < 1 || port > 65535)
            continue;
        snprintf(v, sizeof v, "%.*s:%ld", (int)(he - hq), x->p + hq, port);
        add_addr(x, at, v, "connid");
    }
}

/* "server X connection switched from a to h:p" */
static void scan_switched(struct ex *x)
{
    size_t from = 0, at, to;
    char v[128];

    while (x->naddrs < MAX_ADDR_HITS && seek(x, L_SWITCHED, from, &at)) {
        from = at + 1;
        if (!find_in(x, at, eol(x, at), " to ", &to))
            continue;
        if (hostport(x, to + 4, v, sizeof v, NULL, 0, NULL))
            add_addr(x, at, v, "switched");
    }
}

static void settle_addrs(struct ex *x)
{
    struct hb_polaris *pol = x->pol;
    int i, j, k;

    for (i = 1; i < x->naddrs; i++) {
        struct addr_hit a = x->addrs[i];

        for (j = i; j > 0 && x->addrs[j - 1].pos > a.pos; j--)
            x->addrs[j] = x->addrs[j - 1];
        x->addrs[j] = a;
    }
    for (i = 0; i < x->naddrs; i++) {
        bool dup = false;

        for (k = 0; k < pol->nfacts; k++)
            if (pol->facts[k].kind == HB_FACT_ADDRESS &&
                strcmp(pol->facts[k].value, x->addrs[i].value) == 0)
                dup = true;
        if (dup || pol->nfacts >= HB_MAX_FACTS)
            continue;
        pol->facts[pol->nfacts].kind = HB_FACT_ADDRESS;
        hb_strlcpy(pol->facts[pol->nfacts].key, x->addrs[i].how,
                   strlen(x->addrs[i].how), sizeof pol->facts[0].key);
        hb_strlcpy(pol->facts[pol->nfacts].value, x->addrs[i].value,
                   strlen(x->addrs[i].value), sizeof pol->facts[0].value);
        pol->facts[pol->nfacts].how = x->addrs[i].how;
        pol->nfacts++;
    }
    if (x->naddrs > 0)
        hb_strlcpy(pol->server_addr, x->addrs[0].value,
                   strlen(x->addrs[0].value), sizeof pol->server_addr);
}

/* ---------------------------------------------------------------------
 * Events and the instance they name
 */

/* Bytes that end a value, one table per kind of line. NUL is in each:
   the values used to end where strchr(stops, c) found c, and strchr finds
   the terminator. */
static const bool inst_stops[256] = {
    [0] = true,   [','] = true, ['|'] = true,  ['\''] = true,
    ['}'] = true, [' '] = true, ['\t'] = true, ['\r'] = true,
};
static const bool count_stops[256] = {
    [0] = true,   [','] = true,  ['|'] = true,
    [' '] = true, ['\t'] = true, ['\r'] = true,
};
static const bool config_stops[256] = {
    [0] = true, [','] = true, [' '] = true, ['\t'] = true, ['\r'] = true,
};

#define NO_KEY SIZE_MAX /* a key id: not looked for */

/*
 * The first occurrence of key literal id in [a, e) that starts a word (at
 * a, or after a byte that is not a letter or digit); SIZE_MAX when there
 * is none. The prefilter's first occurrence settles most calls without
 * reading the line: a key it did not see is absent, and one first seen at
 * or after a is either the answer or tells where to search on.
 */
static size_t key_at(const struct ex *x, size_t a, size_t e, size_t id)
{
    size_t from = a, at, m;

    if (id == NO_KEY)
        return SIZE_MAX;
    m = lit_len[id];
    if (x->lit) {
        size_t f;

        if (!hb_pf_has(x->lit, id))
            return SIZE_MAX;
        f = x->lit->first[id];
        if (f >= a) {
            if (f > e || e - f < m)
                return SIZE_MAX;
            if (f == a || !is_alnum(x->p[f - 1]))
                return f;
            from = f + 1;
        }
    }
    while (find_n(x, from, e, lit_str[id], m, &at)) {
        if (at == a || !is_alnum(x->p[at - 1]))
            return at;
        from = at + 1;
    }
    return SIZE_MAX;
}

/* Value of key id (ended by a stop byte) inside [a, e); the key must
   start a word. Returns false when absent or empty. */
static bool kv(const struct ex *x, size_t a, size_t e, size_t id,
               const bool *stops, size_t *va, size_t *vb)
{
    size_t at = key_at(x, a, e, id), i, j;

    if (at == SIZE_MAX)
        return false;
    i = j = at + lit_len[id];
    while (j < e && !stops[(unsigned char)x->p[j]])
        j++;
    j = rtrim(x, i, j);
    if (j == i)
        return false;
    *va = i;
    *vb = j;
    return true;
}

/* Fills ns/service/host/port from "key<value>" pairs of [a, e); each
   argument is a key id or NO_KEY. */
static void instance_kv(struct ex *x, size_t a, size_t e, size_t ns, size_t svc,
                        size_t host, size_t port)
{
    struct hb_polaris *pol = x->pol;
    size_t va, vb;

    if (kv(x, a, e, ns, inst_stops, &va, &vb))
        fill(x, pol->ns, sizeof pol->ns, va, vb);
    if (kv(x, a, e, svc, inst_stops, &va, &vb))
        fill(x, pol->service, sizeof pol->service, va, vb);
    if (kv(x, a, e, host, inst_stops, &va, &vb))
        fill(x, pol->host, sizeof pol->host, va, vb);
    if (pol->port == 0 && kv(x, a, e, port, inst_stops, &va, &vb)) {
        long v;

        if (digits(x, va, 5, &v) == vb - va && v > 0 && v <= 65535)
            pol->port = (int)v;
    }
}

/* "host:port" at i into pol->host/port (when still unknown). */
static bool instance_hostport(struct ex *x, size_t i)
{
    struct hb_polaris *pol = x->pol;
    char host[64];
    int port;

    if (hostport(x, i, NULL, 0, host, sizeof host, &port) == 0)
        return false;
    if (pol->host[0] == '\0')
        hb_strlcpy(pol->host, host, strlen(host), sizeof pol->host);
    if (pol->port == 0)
        pol->port = port;
    return true;
}

/* Word token [*a, *b) starting at i (skipping blanks), within e. */
static bool token(const struct ex *x, size_t i, size_t e, size_t *a, size_t *b)
{
    i = skip_spaces(x, i, e);
    *a = i;
    while (i < e && x->p[i] != ' ' && x->p[i] != '\t' && x->p[i] != '\r')
        i++;
    *b = i;
    return *b > *a;
}

enum phrase_id {
    PH_SCT_REGISTRY,
    PH_ASYNC_HB,
    PH_SCT_HB_CODE,
    PH_SCT_HB_OLD,
    PH_SCT_HB_RUNTIME,
    PH_SCT_HEALTH_URL,
    PH_SCT_HB_SENT,
    PH_GRPC_HB_FAIL,
    PH_FAIL_HB_ID,
    PH_FAIL_REGISTER,
    PH_FAIL_DEREGISTER,
    PH_REG_ERROR,
    PH_REG_TIMEOUT,
    PH_HB_TIMEOUT,
    PH_HB_ERROR,
    PH_DEREG_ERROR,
    PH_DEREG_TIMEOUT,
    PH_SDK_REGISTER_OK,
    PH_SDK_DEREGISTER_OK,
    PH_SCT_DEREG,
    PH_SCT_DEREG_DONE,
    PH_SCT_DEREG_FAIL,
    PH_CONFIG_LOAD_FAIL,
    PH_CONFIG_ADDR_BLANK,
    PH_CONFIG_ADDR,
    PH_GET_CONN,
    PH_REFUSED,
    PH_DISCOVER_NOT_READY,
    PH_RECV_FAIL,
    PH_EXC_CALLBACK,
    PH_QUERY_FAIL,
    PH_APP_FAILED,
    PH_APP_RUN_FAILED,
    PH_SRV_REPORT_FAIL,
    PH_SRV_HB_NOT_FOUND,
    PH_SRV_EXPIRED,
    PH_SRV_CREATE_INSTANCE,
    PH_SERVICE_KEY,
    PH_PROVIDER_REQ,
    PH_SERVICE_IS
};

#define PF_ANY    1u /* counts without any Polaris marker */
#define PF_FAILED 2u /* a deregister that failed */

/* Phrases that announce an event or name the instance. The event is the
   one of the earliest phrase in the record; handlers refine it. */
static const struct phrase {
    enum phrase_id id;
    const char *lit;
    enum hb_event ev;
    unsigned flags;
} phrases[] = {
    {PH_SCT_REGISTRY, "polaris registry, ", HB_EV_NONE, 0},
    {PH_ASYNC_HB, "[AsyncHeartbeat]", HB_EV_NONE, 0},
    {PH_SCT_HB_CODE, "polaris heartbeat error with code [",
     HB_EV_HEARTBEAT_FAIL, 0},
    {PH_SCT_HB_OLD, "polaris heartbeat[", HB_EV_HEARTBEAT_FAIL, 0},
    {PH_SCT_HB_RUNTIME, "polaris heartbeat runtime error", HB_EV_HEARTBEAT_FAIL,
     0},
    {PH_SCT_HEALTH_URL, "backend service health check failed",
     HB_EV_HEARTBEAT_FAIL, 0},
    {PH_SCT_HB_SENT, "Polaris heartbeat is sent", HB_EV_HEARTBEAT_OK, 0},
    {PH_GRPC_HB_FAIL, "heartbeat fail, req: ", HB_EV_HEARTBEAT_FAIL, 0},
    {PH_FAIL_HB_ID, "fail to heartbeat id ", HB_EV_HEARTBEAT_FAIL, 0},
    {PH_FAIL_REGISTER, "fail to register host ", HB_EV_REGISTER_FAIL, 0},
    {PH_FAIL_DEREGISTER, "fail to deregister id ", HB_EV_DEREGISTER, PF_FAILED},
    {PH_REG_ERROR, "instance register request error", HB_EV_REGISTER_FAIL, 0},
    {PH_REG_TIMEOUT, "instance register request timeout", HB_EV_REGISTER_FAIL,
     0},
    {PH_HB_TIMEOUT, "heartbeat request timeout", HB_EV_HEARTBEAT_FAIL, 0},
    {PH_HB_ERROR, "heartbeat request error", HB_EV_HEARTBEAT_FAIL, 0},
    {PH_DEREG_ERROR, "instance deregister request error", HB_EV_DEREGISTER,
     PF_FAILED},
    {PH_DEREG_TIMEOUT, "instance deregister request timeout", HB_EV_DEREGISTER,
     PF_FAILED},
    {PH_SDK_REGISTER_OK, "register ", HB_EV_NONE, 0},
    {PH_SDK_DEREGISTER_OK, "deregister instance ", HB_EV_NONE, 0},
    {PH_SCT_DEREG, "De-registering from Polaris", HB_EV_DEREGISTER, 0},
    {PH_SCT_DEREG_DONE, "De-registration finished", HB_EV_DEREGISTER, 0},
    {PH_SCT_DEREG_FAIL, "ERR_POLARIS_DEREGISTER", HB_EV_DEREGISTER, PF_FAILED},
    {PH_CONFIG_LOAD_FAIL, "failed to load config file", HB_EV_CONFIG_FAIL, 0},
    {PH_CONFIG_ADDR_BLANK, "Config server address is blank", HB_EV_CONFIG_FAIL,
     0},
    {PH_CONFIG_ADDR, "Config server address (", HB_EV_NONE, 0},
    {PH_GET_CONN, "fail to get connection", HB_EV_CONNECT_FAIL, 0},
    {PH_REFUSED, "Connection refused", HB_EV_CONNECT_FAIL, 0},
    {PH_DISCOVER_NOT_READY, "discover service not ready", HB_EV_DISCOVER_FAIL,
     0},
    {PH_RECV_FAIL, "fail to receive message", HB_EV_DISCOVER_FAIL, 0},
    {PH_EXC_CALLBACK, "exceptionCallback: errCode", HB_EV_DISCOVER_FAIL, 0},
    {PH_QUERY_FAIL, "fail to query service", HB_EV_DISCOVER_FAIL, 0},
    {PH_APP_FAILED, "APPLICATION FAILED TO START", HB_EV_STARTUP_FAIL, PF_ANY},
    {PH_APP_RUN_FAILED, "Application run failed", HB_EV_STARTUP_FAIL, PF_ANY},
    {PH_SRV_REPORT_FAIL, "fail to do report for ", HB_EV_HEARTBEAT_FAIL, 0},
    {PH_SRV_HB_NOT_FOUND, "not found heartbeat record by id",
     HB_EV_HEARTBEAT_FAIL, 0},
    {PH_SRV_EXPIRED, "health check expired", HB_EV_HEARTBEAT_FAIL, 0},
    {PH_SRV_CREATE_INSTANCE, "create instance: id=", HB_EV_REGISTER_OK, 0},
    {PH_SERVICE_KEY, "ServiceKey{", HB_EV_NONE, 0},
    {PH_PROVIDER_REQ, "CommonProviderRequest{", HB_EV_NONE, 0},
    {PH_SERVICE_IS, ", service is ", HB_EV_NONE, 0},
};

/* Stack frames that tell which call failed, for records that carry a
   failure but no event line (a bare trace). */
static const struct {
    const char *lit;
    enum hb_event ev;
} frames[] = {
    {"GrpcConnector.heartbeat(", HB_EV_HEARTBEAT_FAIL},
    {"DefaultDiscoveryFlow.heartbeat(", HB_EV_HEARTBEAT_FAIL},
    {"RegisterFlow.doRunHeartbeat(", HB_EV_HEARTBEAT_FAIL},
    {"DefaultProviderAPI.heartbeat(", HB_EV_HEARTBEAT_FAIL},
    {"PolarisServiceRegistry.lambda$heartbeat", HB_EV_HEARTBEAT_FAIL},
    {"PolarisServiceRegistry.heartbeat(", HB_EV_HEARTBEAT_FAIL},
    {"GrpcConnector.registerInstance(", HB_EV_REGISTER_FAIL},
    {"DefaultDiscoveryFlow.registerInstance(", HB_EV_REGISTER_FAIL},
    {"DefaultProviderAPI.register", HB_EV_REGISTER_FAIL},
    {"PolarisServiceRegistry.register(", HB_EV_REGISTER_FAIL},
    {"GrpcConnector.deregisterInstance(", HB_EV_DEREGISTER},
    {"PolarisServiceRegistry.deregister(", HB_EV_DEREGISTER},
    {"PolarisConfigFileConnector.", HB_EV_CONFIG_FAIL},
    {"RemoteConfigFileRepo.", HB_EV_CONFIG_FAIL},
    {"SpecStreamClient.", HB_EV_DISCOVER_FAIL},
    {"GrpcServiceUpdateTask.", HB_EV_DISCOVER_FAIL},
};

/* "polaris registry, ..." (SCT PolarisServiceRegistry). */
static enum hb_event on_sct_registry(struct ex *x, size_t i)
{
    struct hb_polaris *pol = x->pol;
    size_t e = eol(x, i), a1, b1, a2, b2, a, b, k;
    int t;

    if (!token(x, i, e, &a1, &b1))
        return HB_EV_NONE;
    if (find_in(x, i, e, "register failed", &k)) {
        fill(x, pol->service, sizeof pol->service, a1, b1);
        instance_kv(x, k, e, L_KEY_NS_QUOTED, NO_KEY, L_KEY_HOST_QUOTED,
                    L_KEY_PORT_EQ);
        return HB_EV_REGISTER_FAIL;
    }
    if (!find_in(x, i, e, "register finished", &k))
        return HB_EV_NONE;
    if (!token(x, b1, e, &a2, &b2))
        return HB_EV_REGISTER_OK;
    fill(x, pol->ns, sizeof pol->ns, a1, b1);
    fill(x, pol->service, sizeof pol->service, a2, b2);
    /* host:port is the 3rd token (<= 1.13) or the 4th (after the id). */
    for (b = b2, t = 0; t < 2 && token(x, b, e, &a, &b); t++)
        if (instance_hostport(x, a))
            break;
    return HB_EV_REGISTER_OK;
}

/* "[AsyncHeartbeat]..." (polaris-java RegisterFlow, every version). */
static enum hb_event on_async_hb(struct ex *x, size_t i)
{
    struct hb_polaris *pol = x->pol;
    size_t e = eol(x, i), va, vb;
    enum hb_event ev = HB_EV_NONE;
    long v;

    if (starts_at(x, i, "Instance heartbeat success"))
        ev = HB_EV_HEARTBEAT_OK;
    else if (starts_at(x, i, "Instance heartbeat failed"))
        ev = HB_EV_HEARTBEAT_FAIL;
    else if (starts_at(x, i, "Re-register instance success"))
        ev = HB_EV_REREGISTER_OK;
    else if (starts_at(x, i, "Re-register instance failed"))
        ev = HB_EV_REREGISTER_FAIL;
    instance_kv(x, i, e, L_KEY_NS_COLON, L_KEY_SVC_COLON, L_KEY_HOST_COLON,
                L_KEY_PORT_COLON);
    if (pol->fail_count < 0 &&
        kv(x, i, e, L_KEY_FAIL_COUNT, count_stops, &va, &vb) &&
        digits(x, va, 9, &v) == vb - va)
        pol->fail_count = (int)v;
    return ev;
}

/* SDK >= 1.14 "register {ns}/{svc} instance {id} successfully". */
static enum hb_event on_sdk_register(struct ex *x, size_t at, size_t i)
{
    struct hb_polaris *pol = x->pol;
    size_t e = eol(x, i), a, b, slash, k;

    if (at > 0 && (is_alnum(x->p[at - 1]) || x->p[at - 1] == '-'))
        return HB_EV_NONE;
    if (!token(x, i, e, &a, &b) || !find_in(x, a, b, "/", &slash) ||
        !starts_at(x, b, " instance ") ||
        !find_in(x, b, e, " successfully", &k))
        return HB_EV_NONE;
    fill(x, pol->ns, sizeof pol->ns, a, slash);
    fill(x, pol->service, sizeof pol->service, slash + 1, b);
    return HB_EV_REGISTER_OK;
}

/* Runs the handler of phrase ph found at at; returns its event. */
static enum hb_event on_phrase(struct ex *x, const struct phrase *ph, size_t at)
{
    struct hb_polaris *pol = x->pol;
    size_t i = at + lit_len[LIT_PHRASES + (size_t)(ph - phrases)];
    size_t e = eol(x, at), k, va, vb;

    switch (ph->id) {
    case PH_SCT_REGISTRY:
        return on_sct_registry(x, i);
    case PH_ASYNC_HB:
        return on_async_hb(x, i);
    case PH_FAIL_HB_ID:
    case PH_FAIL_DEREGISTER:
        if (find_in(x, i, e, ", host ", &k))
            instance_hostport(x, k + 7);
        break;
    case PH_FAIL_REGISTER:
    case PH_SRV_REPORT_FAIL:
        instance_hostport(x, i);
        break;
    case PH_SDK_REGISTER_OK:
        return on_sdk_register(x, at, i);
    case PH_SDK_DEREGISTER_OK:
        if (at > 0 && is_alnum(x->p[at - 1]))
            return HB_EV_NONE;
        if (!find_in(x, i, e, " successfully", &k))
            return HB_EV_NONE;
        instance_kv(x, i, k, L_KEY_NS_QUOTED, L_KEY_SVC_QUOTED,
                    L_KEY_HOST_QUOTED, L_KEY_PORT_EQ);
        return HB_EV_DEREGISTER;
    case PH_CONFIG_LOAD_FAIL:
        if (kv(x, i, e, L_KEY_NS_SPACED, config_stops, &va, &vb))
            fill(x, pol->ns, sizeof pol->ns, va, vb);
        break;
    case PH_EXC_CALLBACK:
        /* "stream <id> EOF by server(...)": the server ended the stream,
           logged at DEBUG; not a failure by itself */
        if (find_in(x, i, e, " EOF by server", &k))
            return HB_EV_NONE;
        break;
    case PH_CONFIG_ADDR:
        if (find_in(x, i, e, "can not be connected", &k))
            return HB_EV_CONNECT_FAIL;
        if (find_in(x, i, e, "is wrong", &k))
            return HB_EV_CONFIG_FAIL;
        return HB_EV_NONE;
    case PH_SRV_CREATE_INSTANCE:
        instance_kv(x, i, e, L_KEY_NS_EQ, L_KEY_SVC_EQ, L_KEY_HOST_EQ,
                    L_KEY_PORT_EQ);
        break;
    case PH_SERVICE_KEY:
        if (find_in(x, i, e, "}", &k))
            e = k;
        instance_kv(x, i, e, L_KEY_NS_QUOTED, L_KEY_SVC_QUOTED, NO_KEY, NO_KEY);
        break;
    case PH_PROVIDER_REQ:
        if (find_in(x, i, e, "}", &k))
            e = k;
        instance_kv(x, i, e, L_KEY_NS_QUOTED, L_KEY_SVC_QUOTED,
                    L_KEY_HOST_QUOTED, L_KEY_PORT_EQ);
        break;
    case PH_SERVICE_IS:
        if (token(x, i, e, &va, &vb)) {
            while (vb > va && (x->p[vb - 1] == ',' || x->p[vb - 1] == '.'))
                vb--;
            fill(x, pol->service, sizeof pol->service, va, vb);
        }
        break;
    default:
        break;
    }
    return ph->ev;
}

struct phrase_hit {
    size_t pos;
    const struct phrase *ph;
};

static void scan_events(struct ex *x, bool polaris)
{
    struct phrase_hit hits[MAX_PHRASE_HITS];
    size_t k, nh = 0, at;
    size_t i, j;

    for (k = next_lit(x, LIT_PHRASES, LIT_FRAMES);
         k < LIT_FRAMES && nh < MAX_PHRASE_HITS;
         k = next_lit(x, k + 1, LIT_FRAMES)) {
        const struct phrase *ph = &phrases[k - LIT_PHRASES];
        size_t from;
        int extra;

        if ((!polaris && !(ph->flags & PF_ANY)) || !seek(x, k, 0, &at))
            continue;
        hits[nh++] = (struct phrase_hit){at, ph};
        /* more occurrences for phrases whose handler may reject the
           first ("register " inside "fail to register host") */
        if (ph->id != PH_SDK_REGISTER_OK && ph->id != PH_SDK_DEREGISTER_OK &&
            ph->id != PH_CONFIG_ADDR && ph->id != PH_SCT_REGISTRY)
            continue;
        for (extra = 0, from = at + 1; extra < 4 && nh < MAX_PHRASE_HITS;
             extra++, from = at + 1) {
            if (!seek(x, k, from, &at))
                break;
            hits[nh++] = (struct phrase_hit){at, ph};
        }
    }
    for (i = 1; i < nh; i++) {
        struct phrase_hit h = hits[i];

        for (j = i; j > 0 && hits[j - 1].pos > h.pos; j--)
            hits[j] = hits[j - 1];
        hits[j] = h;
    }
    for (i = 0; i < nh; i++) {
        enum hb_event ev = on_phrase(x, hits[i].ph, hits[i].pos);

        if (ev != HB_EV_NONE && x->ev == HB_EV_NONE) {
            x->ev = ev;
            x->ev_pos = hits[i].pos;
            x->ev_failed = (hits[i].ph->flags & PF_FAILED) != 0;
        }
    }
}

/* A bare trace: the failing call from its frames. */
static void scan_frames(struct ex *x)
{
    size_t k, at, best = SIZE_MAX;
    enum hb_event ev = HB_EV_NONE;

    for (k = next_lit(x, LIT_FRAMES, LIT_GROUPS); k < LIT_GROUPS;
         k = next_lit(x, k + 1, LIT_GROUPS))
        if (seek(x, k, 0, &at) && at < best) {
            best = at;
            ev = frames[k - LIT_FRAMES].ev;
        }
    if (ev != HB_EV_NONE) {
        x->ev = ev;
        x->ev_pos = best;
        x->ev_failed = ev == HB_EV_DEREGISTER;
    }
}

/* ---------------------------------------------------------------------
 * Versions
 */

static void add_version(struct ex *x, const char *key, const char *v, size_t n,
                        const char *how)
{
    struct hb_polaris *pol = x->pol;
    char val[96];
    int k;

    if (key == NULL || n == 0 || n >= sizeof val || !is_digit(v[0]))
        return;
    hb_strlcpy(val, v, n, sizeof val);
    for (k = 0; k < pol->nfacts; k++)
        if (pol->facts[k].kind == HB_FACT_VERSION &&
            strcmp(pol->facts[k].key, key) == 0 &&
            strcmp(pol->facts[k].value, val) == 0)
            return;
    if (pol->nfacts >= HB_MAX_FACTS)
        return;
    pol->facts[pol->nfacts].kind = HB_FACT_VERSION;
    hb_strlcpy(pol->facts[pol->nfacts].key, key, strlen(key),
               sizeof pol->facts[0].key);
    hb_strlcpy(pol->facts[pol->nfacts].value, val, n,
               sizeof pol->facts[0].value);
    pol->facts[pol->nfacts].how = how;
    pol->nfacts++;
}

static bool prefix(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);

    return n >= m && memcmp(s, lit, m) == 0;
}

static bool contains(const char *s, size_t n, const char *lit)
{
    return memmem(s, n, lit, strlen(lit)) != NULL;
}

enum artifact_ctx { CTX_NONE, CTX_POLARIS, CTX_CLOUD };

/* The fact key for a Maven artifact name, or NULL when it is not one
   hbscan follows. ctx: the artifact sits in a polaris-java or SCT frame
   or Maven group. */
static const char *artifact_key(const char *a, size_t n, enum artifact_ctx ctx)
{
    if (prefix(a, n, "spring-cloud-starter-tencent") ||
        prefix(a, n, "spring-cloud-tencent"))
        return "spring-cloud-tencent";
    if ((n == 11 && prefix(a, n, "spring-boot")) ||
        prefix(a, n, "spring-boot-"))
        return "spring-boot";
    if (prefix(a, n, "spring-cloud-commons") ||
        prefix(a, n, "spring-cloud-context"))
        return "spring-cloud-commons";
    if (prefix(a, n, "grpc-"))
        return "grpc";
    if (prefix(a, n, "netty"))
        return "netty";
    if (prefix(a, n, "feign-"))
        return "feign";
    if (prefix(a, n, "protobuf-java"))
        return "protobuf";
    if (prefix(a, n, "okhttp"))
        return "okhttp";
    if (prefix(a, n, "polaris-") || contains(a, n, "polaris") ||
        ctx == CTX_POLARIS)
        return "polaris-java";
    if (ctx == CTX_CLOUD)
        return "spring-cloud-tencent";
    return NULL;
}

/* "name-1.2.3.jar" anywhere (stack frame brackets, class paths). */
static void scan_jars(struct ex *x)
{
    size_t from = 0, at;

    while (x->pol->nfacts < HB_MAX_FACTS && seek(x, L_JAR, from, &at)) {
        size_t s = at, k, b, e, f;
        enum artifact_ctx ctx = CTX_NONE;
        const char *name;

        from = at + 1;
        if (at + 4 < x->n && is_word(x->p[at + 4]))
            continue;
        while (s > 0 && at - s < JAR_NAME_MAX && is_version_char(x->p[s - 1]))
            s--;
        name = x->p + s;
        for (k = 1; k + 1 < at - s; k++)
            if (name[k] == '-' && is_digit(name[k + 1]))
                break;
        if (k + 1 >= at - s)
            continue;
        b = bol(x, at);
        e = eol(x, at);
        if (find_in(x, b, e, "com.tencent.polaris.", &f))
            ctx = CTX_POLARIS;
        else if (find_in(x, b, e, "com.tencent.cloud.", &f))
            ctx = CTX_CLOUD;
        add_version(x, artifact_key(name, k, ctx), name + k + 1, at - s - k - 1,
                    "jar");
    }
}

/* Maven repository paths ".../com/tencent/cloud/<artifact>/<version>/". */
static const struct {
    const char *group;
    enum artifact_ctx ctx;
} groups[] = {
    {"/com/tencent/polaris/", CTX_POLARIS},
    {"/com/tencent/cloud/", CTX_CLOUD},
    {"/org/springframework/boot/", CTX_NONE},
    {"/org/springframework/cloud/", CTX_NONE},
    {"/io/grpc/", CTX_NONE},
    {"/io/netty/", CTX_NONE},
    {"/io/github/openfeign/", CTX_NONE},
    {"/com/google/protobuf/", CTX_NONE},
    {"/com/squareup/okhttp3/", CTX_NONE},
};

static void scan_maven_paths(struct ex *x)
{
    size_t k;

    for (k = next_lit(x, LIT_GROUPS, LIT_BOOT); k < LIT_BOOT;
         k = next_lit(x, k + 1, LIT_BOOT)) {
        size_t g = k - LIT_GROUPS, from = 0, at, m = lit_len[k];

        while (x->pol->nfacts < HB_MAX_FACTS && seek(x, k, from, &at)) {
            size_t a = at + m, v, ve;

            from = at + 1;
            v = a;
            while (v < x->n && v - a < JAR_NAME_MAX && is_version_char(x->p[v]))
                v++;
            if (v == a || v >= x->n || x->p[v] != '/')
                continue;
            ve = ++v;
            while (ve < x->n && ve - v < 48 && is_version_char(x->p[ve]))
                ve++;
            if (ve == v || ve >= x->n || x->p[ve] != '/' || !is_digit(x->p[v]))
                continue;
            add_version(x, artifact_key(x->p + a, v - 1 - a, groups[g].ctx),
                        x->p + v, ve - v, "maven-path");
        }
    }
}

/* Spring Boot banner, "Running with Spring Boot v..." and the
   compatibility verifier's "Spring Boot [x]". */
static const char *const boot_lits[] = {":: Spring Boot ::", "Spring Boot v",
                                        "Spring Boot ["};

static void scan_spring_boot(struct ex *x)
{
    size_t k, at;

    for (k = 0; k < HB_ARRAY_LEN(boot_lits); k++) {
        size_t from = 0;

        while (x->pol->nfacts < HB_MAX_FACTS &&
               seek(x, LIT_BOOT + k, from, &at)) {
            size_t i = at + lit_len[LIT_BOOT + k], j;

            from = at + 1;
            if (k == 0) {
                i = skip_spaces(x, i, eol(x, i));
                if (!starts_at(x, i, "(v"))
                    continue;
                i += 2;
            }
            for (j = i; j < x->n && j - i < 48 && is_version_char(x->p[j]);)
                j++;
            while (j > i && (x->p[j - 1] == '.' || x->p[j - 1] == ','))
                j--;
            add_version(x, "spring-boot", x->p + i, j - i,
                        k == 0 ? "banner" : "log");
        }
    }
}

/* ---------------------------------------------------------------------
 * Failure
 */

/* s equals the lower-case ASCII word lit, ignoring case (strcasecmp in
   the C locale, which hbscan keeps, without the library call). */
static bool eq_nocase(const char *s, const char *lit)
{
    for (; *lit; s++, lit++)
        if (lower(*s) != *lit)
            return false;
    return *s == '\0';
}

static bool level_is_error(const struct hb_header *h)
{
    return eq_nocase(h->level, "error") || eq_nocase(h->level, "fatal");
}

/* A zap line at error level ("<ts>\terror\t..." or "error\t..."). */
static const char *const zap_lits[] = {"\terror\t", "\tfatal\t", "\tdpanic\t",
                                       "\tpanic\t"};

static bool zap_error(const struct ex *x)
{
    size_t k;

    if (starts_at(x, 0, "error\t"))
        return true;
    for (k = 0; k < HB_ARRAY_LEN(zap_lits); k++)
        if (seek_has(x, LIT_ZAP + k))
            return true;
    return false;
}

/* Words that say something went wrong, for Polaris records without a code
   ("fail to lock file", "fail to invoke getQuota"). */
static const char *const failure_lits[] = {
    "fail to ",        "failed",        "Failed",     "FAILED",
    "error with code", "runtime error", "Exception:", "Error:",
    " err is ",        "Exception\n",   " timeout",   " timed out",
};

static bool failure_words(const struct ex *x)
{
    size_t k;

    for (k = next_lit(x, LIT_FAILURE, LIT_TOTAL); k < LIT_TOTAL;
         k = next_lit(x, k + 1, LIT_TOTAL))
        if (seek_has(x, k))
            return true;
    return false;
}

static bool has_exception(const struct ex *x)
{
    return x->rec->nchain > 0 || seek_has(x, L_EXCEPTION) ||
           seek_has(x, L_ERROR_COLON);
}

static bool event_failed(enum hb_event ev, bool dereg_failed)
{
    switch (ev) {
    case HB_EV_REGISTER_FAIL:
    case HB_EV_HEARTBEAT_FAIL:
    case HB_EV_REREGISTER_FAIL:
    case HB_EV_DISCOVER_FAIL:
    case HB_EV_CONFIG_FAIL:
    case HB_EV_CONNECT_FAIL:
    case HB_EV_STARTUP_FAIL:
        return true;
    case HB_EV_DEREGISTER:
        return dereg_failed;
    default:
        return false;
    }
}

static bool event_ok(enum hb_event ev, bool dereg_failed)
{
    return ev == HB_EV_REGISTER_OK || ev == HB_EV_HEARTBEAT_OK ||
           ev == HB_EV_REREGISTER_OK ||
           (ev == HB_EV_DEREGISTER && !dereg_failed);
}

static bool code_failed(const struct ex *x)
{
    int i;

    for (i = 0; i < x->nhits; i++) {
        const struct code_hit *h = &x->hits[i];

        if (h->kind == HB_CODE_SERVER ? !hb_server_code_ok(h->num)
                                      : h->num != 0 || h->weak)
            return true;
    }
    return false;
}

/* ---------------------------------------------------------------------
 * Entry points
 */

/* The codes searched for in a Polaris record only; each scanner starts
   from its literal, so none runs when the prefilter saw none of them. */
static void scan_polaris_codes(struct ex *x)
{
    if (!maybe_any(x, L_SERVER_ERR_CODE, L_WEAK_SC))
        return;
    scan_code_after(x, L_SERVER_ERR_CODE, false, NULL, NULL);
    scan_code_after(x, L_SERVER_CODE, false, ", reason ", ", cause");
    scan_code_after(x, L_X_POLARIS_CODE, false, NULL, NULL);
    scan_code_after(x, L_JSON_CODE, true, NULL, NULL);
    scan_code_after(x, L_CODE_EQ, true, NULL, NULL);
    scan_proto_code(x);
    scan_errcode(x);
    scan_weak_names(x, L_WEAK_HB_CODE, ']');
    scan_weak_names(x, L_WEAK_HB, ']');
    scan_weak_names(x, L_WEAK_SC, ',');
}

static void scan_grpc(struct ex *x)
{
    scan_grpc_status_obj(x);
    scan_grpc_go(x);
    scan_grpc_plain(x);
}

/* The Polaris server addresses; as for the codes, each scanner starts from
   its literal. */
static void scan_addrs(struct ex *x)
{
    if (!maybe_any(x, L_GRPC_URL, L_SWITCHED))
        return;
    scan_addr_after(x, L_GRPC_URL, "grpc-url");
    scan_addr_after(x, L_ADDRESS, "address");
    scan_addr_after(x, L_CONNECT_TO, "connect-to");
    scan_addr_after(x, L_DIAL, "dial");
    scan_addr_after(x, L_GET_CONN_TO, "connect-to");
    scan_addr_slashed(x, L_REFUSED, "refused");
    scan_addr_slashed(x, L_REMOTE_ADDR, "remote-addr");
    scan_connid(x);
    scan_switched(x);
}

static struct hb_pf *lit_automaton;
static pthread_once_t lit_once = PTHREAD_ONCE_INIT;

/* Every table's literals by id with their lengths, and one automaton over
   them, built on first use and kept for the run (read-only, shared by the
   workers). */
static void lit_build(void)
{
    const char **all = lit_str;
    size_t k;

    _Static_assert(LIT_TOTAL <= LIT_CAP, "LIT_CAP is too small");

    for (k = 0; k < L_FIXED; k++)
        all[k] = fixed_lits[k];
    for (k = 0; k < HB_ARRAY_LEN(marker_lits); k++)
        all[LIT_MARKERS + k] = marker_lits[k];
    for (k = 0; k < HB_ARRAY_LEN(phrases); k++)
        all[LIT_PHRASES + k] = phrases[k].lit;
    for (k = 0; k < HB_ARRAY_LEN(frames); k++)
        all[LIT_FRAMES + k] = frames[k].lit;
    for (k = 0; k < HB_ARRAY_LEN(groups); k++)
        all[LIT_GROUPS + k] = groups[k].group;
    for (k = 0; k < HB_ARRAY_LEN(boot_lits); k++)
        all[LIT_BOOT + k] = boot_lits[k];
    for (k = 0; k < HB_ARRAY_LEN(zap_lits); k++)
        all[LIT_ZAP + k] = zap_lits[k];
    for (k = 0; k < HB_ARRAY_LEN(failure_lits); k++)
        all[LIT_FAILURE + k] = failure_lits[k];
    {
        size_t i, g = 0;
        const char *name;

        for (i = 0; (name = hb_grpc_status_name(i)) != NULL; i++) {
            if (strlen(name) <= 2)
                continue;
            if (g == N_GRPC_LITS || strlen(name) + 2 > sizeof grpc_lits[0])
                hb_die("extract: N_GRPC_LITS does not fit codes.c");
            snprintf(grpc_lits[g], sizeof grpc_lits[0], "%s:", name);
            all[LIT_GRPC + g] = grpc_lits[g];
            g++;
        }
        if (g != N_GRPC_LITS)
            hb_die("extract: N_GRPC_LITS does not fit codes.c");
    }
    for (k = 0; k < LIT_TOTAL; k++)
        lit_len[k] = strlen(all[k]);
    if (hb_fastpath_enabled())
        lit_automaton = hb_pf_new(all, LIT_TOTAL);
}

/* polaris_log_file for the source of the previous record of this thread:
   a source has thousands of records. */
static bool polaris_source(const char *path)
{
    static _Thread_local char last[512];
    static _Thread_local bool last_ok, last_val;

    if (path == NULL)
        return false;
    if (last_ok && strcmp(last, path) == 0)
        return last_val;
    last_val = polaris_log_file(path);
    last_ok = strlen(path) < sizeof last;
    if (last_ok)
        memcpy(last, path, strlen(path) + 1);
    return last_val;
}

const char *const *hb_extract_literals(size_t *n)
{
    pthread_once(&lit_once, lit_build);
    *n = LIT_TOTAL;
    return lit_str;
}

/* Whether lit saw any of the table's literals. */
static bool any_literal(const struct hb_pf_hits *lit)
{
    size_t w;

    for (w = 0; w < LIT_TOTAL / 64; w++)
        if (lit->bits[w])
            return true;
    return LIT_TOTAL % 64 && (lit->bits[LIT_TOTAL / 64] &
                              (((uint64_t)1 << (LIT_TOTAL % 64)) - 1)) != 0;
}

void hb_extract(const struct hb_record *rec, struct hb_polaris *pol)
{
    hb_extract_scanned(rec, pol, NULL);
}

void hb_extract_scanned(const struct hb_record *rec, struct hb_polaris *pol,
                        const struct hb_pf_hits *given)
{
    struct ex x;
    struct hb_pf_hits own;
    const struct hb_pf_hits *lit = given;
    bool polaris, grpc_fail;
    const char *text = rec->text.p ? rec->text.p : "";
    size_t n = rec->text.p ? rec->text.n : 0;

    /* each field reset by hand, strings to "": clearing the 1.5 KiB of
       the code and fact lists was half of this function's time, and the
       ~800 bytes before them (rep stos) 3% of a scan */
    pol->sdk_code = 0;
    pol->sdk_name[0] = '\0';
    pol->go_code = 0;
    pol->go_name[0] = '\0';
    pol->server_code = 0;
    pol->server_info[0] = '\0';
    pol->grpc_status[0] = '\0';
    pol->grpc_desc[0] = '\0';
    pol->event = HB_EV_NONE;
    pol->ns[0] = '\0';
    pol->service[0] = '\0';
    pol->host[0] = '\0';
    pol->port = 0;
    pol->server_addr[0] = '\0';
    pol->fail_count = -1;
    pol->ncodes = 0;
    pol->nfacts = 0;
    pol->polaris = false;
    pol->failure = false;
    pthread_once(&lit_once, lit_build);
    if (lit == NULL && lit_automaton) {
        hb_pf_scan(lit_automaton, text, n, &own);
        lit = &own;
    }
    /* No literal any scanner starts from: nothing to find, unless the
       source itself is a Polaris log or the header slices lie outside the
       text (a record built by hand). */
    if (lit && !any_literal(lit) && !polaris_source(rec->source) &&
        in_text(text, n, rec->hdr.logger) && in_text(text, n, rec->hdr.thread))
        return;
    ex_init(&x, text, n, rec, pol, lit);

    scan_prefixed_codes(&x, L_ERR, HB_CODE_SDK);
    scan_prefixed_codes(&x, L_POLARIS_DASH, HB_CODE_GO);
    polaris = x.nhits > 0 || polaris_markers(&x);
    scan_server_error(&x, polaris);
    polaris = polaris || x.nhits > 0;

    if (polaris) {
        scan_polaris_codes(&x);
        scan_grpc(&x);
        scan_addrs(&x);
    }
    settle_codes(&x);
    settle_addrs(&x);

    scan_events(&x, polaris);
    grpc_fail = pol->grpc_status[0] && strcmp(pol->grpc_status, "OK") != 0;
    if (x.ev == HB_EV_NONE && polaris &&
        (code_failed(&x) || grpc_fail || has_exception(&x)))
        scan_frames(&x);
    pol->event = x.ev;

    scan_spring_boot(&x);
    scan_jars(&x);
    scan_maven_paths(&x);

    pol->polaris = polaris;
    if (polaris) {
        bool err_line =
            level_is_error(&rec->hdr) || zap_error(&x) || failure_words(&x);

        pol->failure = code_failed(&x) || grpc_fail ||
                       event_failed(x.ev, x.ev_failed) ||
                       (err_line && !event_ok(x.ev, x.ev_failed));
    }
}

const char *hb_event_name(enum hb_event e)
{
    static const char *const names[] = {
        [HB_EV_NONE] = "none",
        [HB_EV_REGISTER_OK] = "register-ok",
        [HB_EV_REGISTER_FAIL] = "register-fail",
        [HB_EV_HEARTBEAT_OK] = "heartbeat-ok",
        [HB_EV_HEARTBEAT_FAIL] = "heartbeat-fail",
        [HB_EV_REREGISTER_OK] = "reregister-ok",
        [HB_EV_REREGISTER_FAIL] = "reregister-fail",
        [HB_EV_DEREGISTER] = "deregister",
        [HB_EV_DISCOVER_FAIL] = "discover-fail",
        [HB_EV_CONFIG_FAIL] = "config-fail",
        [HB_EV_CONNECT_FAIL] = "connect-fail",
        [HB_EV_STARTUP_FAIL] = "startup-fail",
    };

    if ((unsigned)e >= HB_ARRAY_LEN(names) || names[e] == NULL)
        return "none";
    return names[e];
}
