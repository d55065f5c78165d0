/*
 * rules_samples.c - runs every rule's own samples through the whole
 * pipeline (unwrap, record assembly, extraction, matching), the way a scan
 * would see them. Each sample is also run with the gate off: a difference
 * means a derived prefilter dropped a real match, an engine bug.
 */
#include "rules.h"

#include <string.h>

#include "extract.h"
#include "record.h"
#include "rules_int.h"
#include "unwrap.h"
#include "util.h"

/* What one sample produced for its rule. */
struct outcome {
    bool matched;
    uint64_t line;     /* first matching record's line */
    struct hb_hit hit; /* its hit */
    unsigned nrecords;
    struct hb_record first; /* facts of the first record, for messages */
    struct hb_polaris first_pol;
    char first_head[120];
    char first_root[120];
};

static void on_record(struct hb_matcher *m, const struct hb_rule *r,
                      const struct hb_record *rec, struct outcome *o)
{
    struct hb_polaris pol;
    struct hb_hit hits[1];

    hb_extract(rec, &pol);
    if (o->nrecords++ == 0) {
        o->first = *rec;
        o->first_pol = pol;
        hb_strlcpy(o->first_head, rec->head.p, rec->head.n,
                   sizeof o->first_head);
        o->first_root[0] = '\0';
        if (rec->nchain > 0)
            hb_strlcpy(o->first_root, rec->chain[rec->nchain - 1].cls.p,
                       rec->chain[rec->nchain - 1].cls.n, sizeof o->first_root);
    }
    if (o->matched)
        return;
    if (hb_matcher_run(m, rec, &pol, r->meta.id, hits, 1) > 0) {
        o->matched = true;
        o->line = rec->first_line;
        o->hit = hits[0];
    }
}

static void run_sample(struct hb_matcher *m, const struct hb_rule *r,
                       const struct hb_sample *s, struct outcome *o)
{
    const char *source = s->source ? s->source : "sample";
    struct hb_asm_opts opts;
    struct hb_unwrap *u = hb_unwrap_new(NULL);
    struct hb_asm *a;
    struct hb_record rec;
    struct hb_line in, out;
    struct hb_buf line;
    const char *p = s->log, *end = s->log + strlen(s->log);
    uint64_t lineno = 0, offset = 0;

    memset(o, 0, sizeof *o);
    memset(&opts, 0, sizeof opts);
    a = hb_asm_new(source, &opts);
    hb_buf_init(&line);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

        hb_buf_reset(&line);
        hb_buf_append(&line, p, len);
        memset(&in, 0, sizeof in);
        in.text = line.data;
        in.len = len;
        in.lineno = in.lineno_last = ++lineno;
        in.offset = offset;
        in.end = offset + len + (nl ? 1 : 0);
        in.has_newline = nl != NULL;
        offset = in.end;
        p += len + (nl ? 1 : 0);
        if (hb_unwrap_feed(u, &in, &out) && hb_asm_feed(a, &out, &rec))
            on_record(m, r, &rec, o);
    }
    if (hb_unwrap_flush(u, &out) && hb_asm_feed(a, &out, &rec))
        on_record(m, r, &rec, o);
    if (hb_asm_flush(a, &rec))
        on_record(m, r, &rec, o);
    hb_buf_fini(&line);
    hb_asm_free(a);
    hb_unwrap_free(u);
}

/* "record 1: format springboot, level ERROR, ERR-1006 400401, ..." */
static void describe(const struct outcome *o, char *dst, size_t cap)
{
    const struct hb_polaris *p = &o->first_pol;
    struct hb_buf b;
    int i;

    hb_buf_init(&b);
    hb_buf_printf(&b, "%u record%s; the first: format %s", o->nrecords,
                  o->nrecords == 1 ? "" : "s",
                  o->first.format ? o->first.format : "plain");
    if (o->first.hdr.level[0])
        hb_buf_printf(&b, ", level %s", o->first.hdr.level);
    for (i = 0; i < p->ncodes && i < HB_MAX_CODES; i++)
        hb_buf_printf(&b, "%s%s", i ? " " : ", codes ", p->codes[i].key);
    if (p->grpc_status[0])
        hb_buf_printf(&b, ", grpc %s", p->grpc_status);
    if (p->event != HB_EV_NONE)
        hb_buf_printf(&b, ", event %s", hb_event_name(p->event));
    if (o->first_root[0])
        hb_buf_printf(&b, ", root exception %s", o->first_root);
    hb_buf_printf(&b, ", polaris %s, failure %s", p->polaris ? "true" : "false",
                  p->failure ? "true" : "false");
    hb_strlcpy(dst, b.data, b.len, cap);
    hb_buf_fini(&b);
}

static const char *capture(const struct hb_hit *h, const char *name)
{
    int i;

    for (i = 0; i < h->ncaps; i++)
        if (strcmp(h->caps[i].name, name) == 0)
            return h->caps[i].value;
    return NULL;
}

/* Checks one sample; prints and counts its failures. */
static size_t check_sample(struct hb_matcher *gated, struct hb_matcher *full,
                           const struct hb_rule *r, size_t k, FILE *fp)
{
    const struct hb_sample *s = &r->samples[k];
    struct outcome o, o2;
    char why[400];
    size_t fails = 0, i;

#define FAIL(...)                                                              \
    do {                                                                       \
        fprintf(fp, "%s:%lu: rule %s sample %zu: ", r->meta.file, s->line,     \
                r->meta.id, k + 1);                                            \
        fprintf(fp, __VA_ARGS__);                                              \
        fputc('\n', fp);                                                       \
        fails++;                                                               \
    } while (0)

    run_sample(gated, r, s, &o);
    run_sample(full, r, s, &o2);
    if (o.matched != o2.matched)
        FAIL("the prefilter changes the result (%s with it, %s without): "
             "please report this hbscan bug",
             o.matched ? "match" : "no match",
             o2.matched ? "match" : "no match");
    if (o.nrecords == 0) {
        FAIL("the log produced no record");
        return fails;
    }
    if (s->match && !o.matched) {
        describe(&o, why, sizeof why);
        FAIL("expected a match, got none (%s)", why);
    } else if (!s->match && o.matched) {
        FAIL("expected no match, but line %llu matched",
             (unsigned long long)o.line);
    }
    for (i = 0; o.matched && i < s->nfields; i++) {
        const char *got = capture(&o.hit, s->fields[i].name);

        if (got == NULL)
            FAIL("expected field %s=\"%s\", not captured", s->fields[i].name,
                 s->fields[i].value);
        else if (strcmp(got, s->fields[i].value) != 0)
            FAIL("expected field %s=\"%s\", got \"%s\"", s->fields[i].name,
                 s->fields[i].value, got);
    }
#undef FAIL
    return fails;
}

size_t hb_rules_test_samples(const struct hb_ruleset *rs, FILE *fp,
                             size_t *total)
{
    struct hb_matcher *gated = hb_matcher_new(rs);
    struct hb_matcher *full = hb_matcher_new(rs);
    size_t fails = 0, i, k, n = 0;

    hb_matcher_set_gate(full, false);
    for (i = 0; i < rs->n; i++) {
        const struct hb_rule *r = rs->rules[i];

        for (k = 0; k < r->nsamples; k++, n++)
            fails += check_sample(gated, full, r, k, fp) ? 1 : 0;
    }
    hb_matcher_free(gated);
    hb_matcher_free(full);
    if (total)
        *total = n;
    return fails;
}
