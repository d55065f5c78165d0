/*
 * incident.c - turns a record, its extraction and its rule hits into the
 * flat values the store, the NDJSON stream and the diagnosis use: an
 * incident (with the line a human should read and a fingerprint that groups
 * repeats) or observations (successful events, addresses, versions).
 */
#include "incident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "record.h"
#include "rules.h"
#include "util.h"
#include "walk.h"

#define NORM_CAP 512 /* normalised evidence bytes hashed */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
    return is_alpha(c) || is_digit(c);
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void copy_str(char *dst, size_t cap, struct hb_str s)
{
    hb_strlcpy(dst, s.p, s.p ? s.n : 0, cap);
}

/* ---------------------------------------------------------------------
 * Lines of the record
 */

struct line {
    const char *p;
    size_t n;
    unsigned idx; /* 0-based line index in the record */
};

/* Iterates the lines of text: *l must start zeroed ({NULL, 0, 0}). */
static bool next_line(struct hb_str text, struct line *l)
{
    const char *end = text.p + text.n, *start, *nl;

    if (text.p == NULL)
        return false;
    if (l->p == NULL) {
        start = text.p;
        l->idx = 0;
    } else {
        start = l->p + l->n;
        if (start >= end)
            return false;
        start++; /* the '\n' */
        l->idx++;
    }
    if (start > end || (start == end && l->p != NULL))
        return false;
    nl = memchr(start, '\n', (size_t)(end - start));
    l->p = start;
    l->n = nl ? (size_t)(nl - start) : (size_t)(end - start);
    return true;
}

/* lit inside the line with no digit glued on either side when numeric,
   and followed by '(' for "ERR-n"/"Polaris-n" keys. */
static bool line_has_key(const struct line *l, const char *key, bool want_paren)
{
    size_t m = strlen(key);
    const char *s = l->p, *end = l->p + l->n, *q;

    while (s < end && (q = memmem(s, (size_t)(end - s), key, m))) {
        const char *after = q + m;
        bool before_ok = q == l->p || !is_digit(q[-1]);
        bool after_ok = want_paren ? (after < end && *after == '(')
                                   : (after >= end || !is_digit(*after));

        if (before_ok && after_ok)
            return true;
        s = q + 1;
    }
    return false;
}

static bool line_has(const struct line *l, const char *lit)
{
    return l->n >= strlen(lit) && memmem(l->p, l->n, lit, strlen(lit));
}

static bool line_blank(const struct line *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (l->p[i] != ' ' && l->p[i] != '\t' && l->p[i] != '\r' &&
            l->p[i] != '*')
            return false;
    return true;
}

static bool line_failure_words(const struct line *l)
{
    static const char *const lits[] = {
        "fail",      "Fail",    "FAIL",    "error",     "Error",    "ERROR",
        "Exception", "refused", "timeout", "not ready", " err is ",
    };
    size_t k;

    for (k = 0; k < HB_ARRAY_LEN(lits); k++)
        if (line_has(l, lits[k]))
            return true;
    return false;
}

/* Picks the line a human should read, in order of preference: the one with
   the server code, with the chosen SDK/Go code, with any code, with the
   gRPC status, the startup failure description, one with failure words,
   the first non-blank one. */
static void pick_evidence(struct hb_incident *inc, const struct hb_record *rec,
                          const struct hb_polaris *pol)
{
    enum { P_SERVER, P_SDK, P_CODE, P_GRPC, P_DESC, P_WORDS, P_ANY, P_N };
    struct line l = {NULL, 0, 0}, best[P_N];
    bool have[P_N] = {false};
    bool after_desc = false;
    char key[32];
    int k;

    while (next_line(rec->text, &l)) {
        if (!have[P_SERVER] && pol->server_code) {
            snprintf(key, sizeof key, "%d", pol->server_code);
            if (line_has_key(&l, key, false))
                have[P_SERVER] = true, best[P_SERVER] = l;
        }
        if (!have[P_SDK] && (pol->sdk_code || pol->go_code)) {
            if (pol->sdk_code)
                snprintf(key, sizeof key, "ERR-%d", pol->sdk_code);
            else
                snprintf(key, sizeof key, "Polaris-%d", pol->go_code);
            if (line_has_key(&l, key, true))
                have[P_SDK] = true, best[P_SDK] = l;
        }
        for (k = 0; !have[P_CODE] && k < pol->ncodes; k++)
            if (line_has_key(&l, pol->codes[k].key,
                             pol->codes[k].kind != HB_CODE_SERVER))
                have[P_CODE] = true, best[P_CODE] = l;
        if (!have[P_GRPC] && pol->grpc_status[0] &&
            line_has(&l, pol->grpc_status))
            have[P_GRPC] = true, best[P_GRPC] = l;
        if (!have[P_DESC] && after_desc && !line_blank(&l))
            have[P_DESC] = true, best[P_DESC] = l;
        if (pol->event == HB_EV_STARTUP_FAIL && line_has(&l, "Description:"))
            after_desc = true;
        if (!have[P_WORDS] && pol->failure && line_failure_words(&l))
            have[P_WORDS] = true, best[P_WORDS] = l;
        if (!have[P_ANY] && !line_blank(&l))
            have[P_ANY] = true, best[P_ANY] = l;
    }
    for (k = 0; k < P_N; k++) {
        const char *p;
        size_t n;

        if (!have[k])
            continue;
        p = best[k].p;
        n = best[k].n;
        while (n > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' '))
            n--;
        /* A line of text is a line of the file unless the record's lines
           were joined (CRI partials) or split (a JSON stack_trace): never
           point past the record's last line. */
        inc->evidence_line = rec->first_line + best[k].idx;
        if (rec->last_line >= rec->first_line &&
            inc->evidence_line > rec->last_line)
            inc->evidence_line = rec->last_line;
        hb_strlcpy(inc->evidence, p, n, sizeof inc->evidence);
        return;
    }
    inc->evidence_line = rec->first_line;
}

/* ---------------------------------------------------------------------
 * Exception class
 */

static bool is_class_char(char c)
{
    return is_alnum(c) || c == '_' || c == '.' || c == '$';
}

/* The exception class named at the start of s (after blanks):
   "pkg.Name(Exception|Error)" followed by ':' or the end. */
static bool class_at(const char *s, size_t n, struct hb_str *cls)
{
    size_t i = 0, j;
    bool dot = false;

    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    for (j = i; j < n && is_class_char(s[j]); j++)
        if (s[j] == '.')
            dot = true;
    if (j == i || !dot || (j < n && s[j] != ':' && s[j] != '\r'))
        return false;
    if (!((j - i >= 9 && memcmp(s + j - 9, "Exception", 9) == 0) ||
          (j - i >= 5 && memcmp(s + j - 5, "Error", 5) == 0) ||
          (j - i >= 9 && memcmp(s + j - 9, "Throwable", 9) == 0)))
        return false;
    cls->p = s + i;
    cls->n = j - i;
    return true;
}

/* Deepest exception class: the chain when the assembler filled it, else
   the last "Caused by:" line, else the first line that starts with one. */
static void pick_exception(struct hb_incident *inc, const struct hb_record *rec)
{
    struct line l = {NULL, 0, 0};
    struct hb_str first = HB_STR_NULL, caused = HB_STR_NULL, c;

    if (rec->nchain > 0) {
        copy_str(inc->exc_class, sizeof inc->exc_class,
                 rec->chain[rec->nchain - 1].cls);
        return;
    }
    while (next_line(rec->text, &l)) {
        const char *s = l.p;
        size_t n = l.n;

        while (n > 0 && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
        if (n > 10 && memcmp(s, "Caused by:", 10) == 0) {
            if (class_at(s + 10, n - 10, &c))
                caused = c;
        } else if (first.p == NULL && class_at(s, n, &c)) {
            first = c;
        }
    }
    copy_str(inc->exc_class, sizeof inc->exc_class, caused.p ? caused : first);
}

/* ---------------------------------------------------------------------
 * Building
 */

const char *hb_incident_capture(const struct hb_incident *inc, const char *name)
{
    int i, j;

    for (i = 0; i < inc->nhits; i++)
        for (j = 0; j < inc->hits[i].ncaps && j < HB_MAX_CAPS; j++)
            if (strcmp(inc->hits[i].caps[j].name, name) == 0)
                return inc->hits[i].caps[j].value;
    return NULL;
}

/* Captures named host/port/namespace/service/server override extraction. */
static void apply_captures(struct hb_incident *inc)
{
    const char *v;

    if ((v = hb_incident_capture(inc, "namespace")) != NULL ||
        (v = hb_incident_capture(inc, "ns")) != NULL)
        hb_strlcpy(inc->ns, v, strlen(v), sizeof inc->ns);
    if ((v = hb_incident_capture(inc, "service")) != NULL)
        hb_strlcpy(inc->service, v, strlen(v), sizeof inc->service);
    if ((v = hb_incident_capture(inc, "host")) != NULL)
        hb_strlcpy(inc->host, v, strlen(v), sizeof inc->host);
    if ((v = hb_incident_capture(inc, "port")) != NULL) {
        char *end;
        long port = strtol(v, &end, 10);

        if (end != v && *end == '\0' && port > 0 && port <= 65535)
            inc->port = (int)port;
    }
    if ((v = hb_incident_capture(inc, "server")) != NULL ||
        (v = hb_incident_capture(inc, "server_addr")) != NULL) {
        hb_strlcpy(inc->server_addr, v, strlen(v), sizeof inc->server_addr);
    } else if ((v = hb_incident_capture(inc, "server_host")) != NULL) {
        /* A rule naming the Polaris server it failed to reach. */
        const char *p = hb_incident_capture(inc, "server_port");

        snprintf(inc->server_addr, sizeof inc->server_addr, "%s%s%s", v,
                 p ? ":" : "", p ? p : "");
    }
}

static bool level_is_error(const char *level)
{
    return strcasecmp(level, "ERROR") == 0 || strcasecmp(level, "FATAL") == 0;
}

void hb_incident_build(struct hb_incident *inc, const struct hb_record *rec,
                       const struct hb_polaris *pol, const struct hb_hit *hits,
                       int nhits)
{
    int i;

    memset(inc, 0, sizeof *inc);
    inc->source = rec->source;
    inc->first_line = rec->first_line;
    inc->last_line = rec->last_line;
    inc->ts_ms = rec->hdr.ts.n ? rec->hdr.ts_ms : HB_NO_TIME;
    copy_str(inc->ts_text, sizeof inc->ts_text, rec->hdr.ts);
    hb_strlcpy(inc->level, rec->hdr.level, strlen(rec->hdr.level),
               sizeof inc->level);
    if (rec->format)
        hb_strlcpy(inc->format, rec->format, strlen(rec->format),
                   sizeof inc->format);
    if (rec->source)
        hb_walk_k8s(rec->source, inc->k8s_namespace, sizeof inc->k8s_namespace,
                    inc->k8s_pod, sizeof inc->k8s_pod, inc->k8s_container,
                    sizeof inc->k8s_container);

    hb_strlcpy(inc->ns, pol->ns, strlen(pol->ns), sizeof inc->ns);
    hb_strlcpy(inc->service, pol->service, strlen(pol->service),
               sizeof inc->service);
    hb_strlcpy(inc->host, pol->host, strlen(pol->host), sizeof inc->host);
    inc->port = pol->port;
    hb_strlcpy(inc->server_addr, pol->server_addr, strlen(pol->server_addr),
               sizeof inc->server_addr);
    inc->sdk_code = pol->sdk_code;
    hb_strlcpy(inc->sdk_name, pol->sdk_name, strlen(pol->sdk_name),
               sizeof inc->sdk_name);
    inc->server_code = pol->server_code;
    hb_strlcpy(inc->grpc_status, pol->grpc_status, strlen(pol->grpc_status),
               sizeof inc->grpc_status);
    inc->event = pol->event;
    inc->ncodes = pol->ncodes < HB_MAX_CODES ? pol->ncodes : HB_MAX_CODES;
    for (i = 0; i < inc->ncodes; i++)
        inc->codes[i] = pol->codes[i];

    pick_exception(inc, rec);
    if (rec->hdr.message.p && rec->hdr.message.n)
        copy_str(inc->message, sizeof inc->message, rec->hdr.message);
    else
        copy_str(inc->message, sizeof inc->message, rec->head);
    pick_evidence(inc, rec, pol);

    if (nhits < 0)
        nhits = 0;
    inc->nhits = nhits < HB_MAX_HITS ? nhits : HB_MAX_HITS;
    for (i = 0; i < inc->nhits; i++)
        inc->hits[i] = hits[i];
    if (inc->nhits > 0 && inc->hits[0].rule) {
        const struct hb_rule_meta *r = inc->hits[0].rule;

        inc->rule_id = r->id;
        inc->cause = r->cause;
        inc->severity = r->severity;
        inc->weight = r->weight;
    } else {
        inc->rule_id = NULL;
        inc->cause = HB_CAUSE_NONE;
        inc->severity =
            level_is_error(inc->level) ? HB_SEV_ERROR : HB_SEV_WARNING;
        inc->weight = 0;
    }
    apply_captures(inc);

    inc->text = rec->text;
    if (inc->text.p == NULL)
        inc->text.n = 0;
    if (inc->text.n > HB_INCIDENT_TEXT_CAP)
        inc->text.n = HB_INCIDENT_TEXT_CAP;

    hb_incident_fingerprint(inc);
}

/* ---------------------------------------------------------------------
 * Fingerprint
 */

static bool is_tok_char(char c)
{
    return is_alnum(c) || c == '.' || c == ':' || c == '/' || c == '-' ||
           c == '_';
}

static void put(char *out, size_t *o, size_t cap, const char *s, size_t n)
{
    if (*o + n >= cap)
        n = cap - 1 - *o;
    memcpy(out + *o, s, n);
    *o += n;
}

/* "host:port", "/ip:port", "grpc://host:port": a token ending in ':'
   and 1-5 digits after something host-like. */
static bool token_is_addr(const char *t, size_t n)
{
    size_t k = n, d = 0;

    while (k > 0 && is_digit(t[k - 1]) && d < 6) {
        k--;
        d++;
    }
    return d >= 1 && d <= 5 && k >= 2 && t[k - 1] == ':' &&
           (is_alnum(t[k - 2]) || t[k - 2] == ']');
}

/* Ids: 8+ chars of hex and '-' with at least one digit (UUIDs, instance
   ids, request ids). */
static bool token_is_id(const char *t, size_t n)
{
    size_t k;
    bool digit = false;

    if (n < 8)
        return false;
    for (k = 0; k < n; k++) {
        if (!is_hex(t[k]) && t[k] != '-')
            return false;
        if (is_digit(t[k]))
            digit = true;
    }
    return digit;
}

/* Copies s into out with addresses, ids and digit runs replaced, and blank
   runs squeezed, so repeats of one failure read the same. */
static size_t normalise(const char *s, size_t n, char *out, size_t cap)
{
    size_t i = 0, o = 0;

    while (i < n && o + 1 < cap) {
        size_t j = i;

        if (!is_tok_char(s[i])) {
            bool blank = s[i] == ' ' || s[i] == '\t' || s[i] == '\r';

            if (!blank)
                out[o++] = s[i];
            else if (o > 0 && out[o - 1] != ' ')
                out[o++] = ' ';
            i++;
            continue;
        }
        while (j < n && is_tok_char(s[j]))
            j++;
        /* a trailing ':' or '.' is punctuation, not part of the token */
        while (j > i + 1 && (s[j - 1] == ':' || s[j - 1] == '.'))
            j--;
        if (token_is_addr(s + i, j - i)) {
            put(out, &o, cap, "<addr>", 6);
        } else if (token_is_id(s + i, j - i)) {
            put(out, &o, cap, "#", 1);
        } else {
            size_t k;

            for (k = i; k < j && o + 1 < cap; k++) {
                if (is_digit(s[k])) {
                    if (k == i || !is_digit(s[k - 1]))
                        out[o++] = '0';
                } else {
                    out[o++] = s[k];
                }
            }
        }
        i = j;
    }
    out[o] = '\0';
    return o;
}

static uint64_t mix(uint64_t h, const char *s, size_t n)
{
    h = hb_hash64(s, n, h);
    return hb_hash64("\x1f", 1, h);
}

static uint64_t mix_int(uint64_t h, long v)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%ld", v);

    return mix(h, buf, (size_t)n);
}

void hb_incident_fingerprint(struct hb_incident *inc)
{
    char norm[NORM_CAP];
    const char *rid = inc->rule_id ? inc->rule_id : "unclassified";
    const char *ev = inc->evidence;
    size_t n;
    uint64_t h = HB_HASH_SEED;

    /* The header line's prefix (time, pid, thread) changes between
       repeats: hash only its message when the evidence is the head. */
    if (inc->evidence_line == inc->first_line && inc->message[0] &&
        strstr(inc->evidence, inc->message))
        ev = inc->message;
    n = normalise(ev, strlen(ev), norm, sizeof norm);

    h = mix(h, rid, strlen(rid));
    h = mix(h, hb_cause_name(inc->cause), strlen(hb_cause_name(inc->cause)));
    h = mix_int(h, inc->server_code);
    h = mix_int(h, inc->sdk_code);
    h = mix(h, inc->grpc_status, strlen(inc->grpc_status));
    h = mix(h, inc->exc_class, strlen(inc->exc_class));
    h = mix(h, inc->service, strlen(inc->service));
    h = mix(h, norm, n);
    snprintf(inc->fingerprint, sizeof inc->fingerprint, "%016llx",
             (unsigned long long)h);
}

/* ---------------------------------------------------------------------
 * Observations
 */

static bool event_is_ok(const struct hb_polaris *pol)
{
    switch (pol->event) {
    case HB_EV_REGISTER_OK:
    case HB_EV_HEARTBEAT_OK:
    case HB_EV_REREGISTER_OK:
    case HB_EV_DEREGISTER:
        return !pol->failure;
    default:
        return false;
    }
}

int hb_obs_from_record(const struct hb_record *rec,
                       const struct hb_polaris *pol,
                       void (*fn)(void *ctx, const struct hb_obs *o), void *ctx)
{
    struct hb_obs base, o;
    const char *name;
    int i, n = 0;

    /* most Polaris lines observe nothing: no base to build for them */
    if (!event_is_ok(pol) && pol->nfacts <= 0)
        return 0;
    memset(&base, 0, sizeof base);
    base.source = rec->source;
    base.line = rec->first_line;
    base.ts_ms = rec->hdr.ts.n ? rec->hdr.ts_ms : HB_NO_TIME;
    hb_strlcpy(base.ns, pol->ns, strlen(pol->ns), sizeof base.ns);
    hb_strlcpy(base.service, pol->service, strlen(pol->service),
               sizeof base.service);
    hb_strlcpy(base.host, pol->host, strlen(pol->host), sizeof base.host);
    base.port = pol->port;
    copy_str(base.text, sizeof base.text, rec->head);
    if (strlen(base.text) > 0 && base.text[strlen(base.text) - 1] == '\r')
        base.text[strlen(base.text) - 1] = '\0';

    if (event_is_ok(pol)) {
        o = base;
        name = hb_event_name(pol->event);
        hb_strlcpy(o.kind, name, strlen(name), sizeof o.kind);
        hb_strlcpy(o.value, pol->server_addr, strlen(pol->server_addr),
                   sizeof o.value);
        if (fn)
            fn(ctx, &o);
        n++;
    }
    for (i = 0; i < pol->nfacts && i < HB_MAX_FACTS; i++) {
        const struct hb_fact *f = &pol->facts[i];

        o = base;
        name = f->kind == HB_FACT_ADDRESS ? "address" : "version";
        hb_strlcpy(o.kind, name, strlen(name), sizeof o.kind);
        hb_strlcpy(o.key, f->key, strlen(f->key), sizeof o.key);
        hb_strlcpy(o.value, f->value, strlen(f->value), sizeof o.value);
        if (fn)
            fn(ctx, &o);
        n++;
    }
    return n;
}
