/*
 * report_json.c - the machine-readable report: one JSON object with a
 * documented, stable schema (README "Diagnosis and reports"; "schema" is
 * bumped on any incompatible change). Strings go through hb_buf_json_str, so
 * the output is valid JSON even when the logs are not valid UTF-8.
 */
#include "report.h"

#include <string.h>

#include "util.h"

#define JSON_SCHEMA        1
#define JSON_TIMELINE_COLS 40

static void str(struct hb_buf *b, const char *s)
{
    if (s == NULL)
        hb_buf_puts(b, "null");
    else
        hb_buf_json_str(b, s, strlen(s));
}

static void key(struct hb_buf *b, int indent, const char *k, bool *first)
{
    hb_buf_printf(b, "%s\n%*s", *first ? "" : ",", indent, "");
    *first = false;
    hb_buf_json_str(b, k, strlen(k));
    hb_buf_puts(b, ": ");
}

static void time_val(struct hb_buf *b, int64_t ms)
{
    char t[40];

    if (ms == HB_NO_TIME) {
        hb_buf_puts(b, "null");
        return;
    }
    hb_report_time_utc(ms, t, sizeof t);
    str(b, t);
}

static void u64(struct hb_buf *b, uint64_t v)
{
    hb_buf_printf(b, "%llu", (unsigned long long)v);
}

static void str_list(struct hb_buf *b, const char *const *items, size_t n)
{
    size_t i;

    hb_buf_putc(b, '[');
    for (i = 0; i < n; i++) {
        if (i)
            hb_buf_puts(b, ", ");
        str(b, items[i]);
    }
    hb_buf_putc(b, ']');
}

static void count_map(struct hb_buf *b, const struct hb_count *c, size_t n,
                      int indent)
{
    size_t i;
    bool first = true;

    if (n == 0) {
        hb_buf_puts(b, "{}");
        return;
    }
    hb_buf_putc(b, '{');
    for (i = 0; i < n; i++) {
        key(b, indent + 2, c[i].name, &first);
        u64(b, c[i].n);
    }
    hb_buf_printf(b, "\n%*s}", indent, "");
}

static void evidence_list(struct hb_buf *b, const struct hb_evidence *e,
                          size_t n, int indent)
{
    size_t i;

    if (n == 0) {
        hb_buf_puts(b, "[]");
        return;
    }
    hb_buf_putc(b, '[');
    for (i = 0; i < n; i++) {
        bool first = true;

        hb_buf_printf(b, "%s\n%*s{", i ? "," : "", indent + 2, "");
        key(b, indent + 4, "kind", &first);
        str(b, e[i].kind);
        key(b, indent + 4, "source", &first);
        str(b, e[i].source);
        key(b, indent + 4, "line", &first);
        u64(b, e[i].line);
        key(b, indent + 4, "time", &first);
        time_val(b, e[i].ts_ms);
        key(b, indent + 4, "text", &first);
        str(b, e[i].text);
        if (e[i].label[0]) {
            key(b, indent + 4, "observed", &first);
            str(b, e[i].label);
        }
        if (e[i].fingerprint[0] && strcmp(e[i].kind, "incident") == 0) {
            key(b, indent + 4, "fingerprint", &first);
            str(b, e[i].fingerprint);
            key(b, indent + 4, "count", &first);
            u64(b, e[i].count);
        }
        hb_buf_printf(b, "\n%*s}", indent + 2, "");
    }
    hb_buf_printf(b, "\n%*s]", indent, "");
}

static void timeline(struct hb_buf *b, const struct hb_timeline *t,
                     const struct hb_report *r, int indent)
{
    uint64_t cols[JSON_TIMELINE_COLS];
    bool first = true;
    int i;

    if (t == NULL || !t->used || r->first_ms == HB_NO_TIME) {
        hb_buf_puts(b, "null");
        return;
    }
    hb_timeline_project(t, r->first_ms, r->last_ms, cols, JSON_TIMELINE_COLS);
    hb_buf_putc(b, '{');
    key(b, indent + 2, "start", &first);
    time_val(b, r->first_ms);
    key(b, indent + 2, "end", &first);
    time_val(b, r->last_ms);
    key(b, indent + 2, "bucket_ms", &first);
    hb_buf_printf(b, "%lld",
                  (long long)((r->last_ms - r->first_ms) / JSON_TIMELINE_COLS));
    key(b, indent + 2, "counts", &first);
    hb_buf_putc(b, '[');
    for (i = 0; i < JSON_TIMELINE_COLS; i++)
        hb_buf_printf(b, "%s%llu", i ? ", " : "", (unsigned long long)cols[i]);
    hb_buf_putc(b, ']');
    key(b, indent + 2, "untimed", &first);
    u64(b, t->untimed);
    hb_buf_printf(b, "\n%*s}", indent, "");
}

static void cause(struct hb_buf *b, const struct hb_report *r,
                  const struct hb_hyp *h, int indent)
{
    bool first = true;

    hb_buf_putc(b, '{');
    key(b, indent + 2, "cause", &first);
    str(b, hb_cause_name(h->cause));
    key(b, indent + 2, "confidence", &first);
    hb_buf_printf(b, "%.3f", h->confidence);
    key(b, indent + 2, "severity", &first);
    str(b, hb_severity_name(h->severity));
    key(b, indent + 2, "primary", &first);
    hb_buf_puts(b, h->primary ? "true" : "false");
    key(b, indent + 2, "title", &first);
    str(b, h->title);
    key(b, indent + 2, "description", &first);
    str(b, h->description);
    key(b, indent + 2, "action", &first);
    str(b, h->action);
    key(b, indent + 2, "facts", &first);
    str_list(b, h->facts, h->nfacts);
    key(b, indent + 2, "incidents", &first);
    u64(b, h->incidents);
    key(b, indent + 2, "alternative_incidents", &first);
    u64(b, h->alt_incidents);
    key(b, indent + 2, "findings", &first);
    u64(b, h->findings);
    key(b, indent + 2, "first_seen", &first);
    time_val(b, h->first_ms);
    key(b, indent + 2, "last_seen", &first);
    time_val(b, h->last_ms);
    key(b, indent + 2, "instances", &first);
    str_list(b, h->instances, h->ninstances);
    key(b, indent + 2, "instances_more", &first);
    u64(b, h->instances_more);
    key(b, indent + 2, "servers", &first);
    str_list(b, h->addresses, h->naddresses);
    key(b, indent + 2, "rules", &first);
    str_list(b, h->rules, h->nrules);
    key(b, indent + 2, "timeline", &first);
    timeline(b, h->timeline, r, indent + 2);
    key(b, indent + 2, "evidence", &first);
    evidence_list(b, h->evidence, h->nevidence, indent + 2);
    hb_buf_printf(b, "\n%*s}", indent, "");
}

static void input(struct hb_buf *b, const struct hb_report *r, int indent)
{
    const struct hb_input_stats *st = r->st;
    struct hb_input_stats zero;
    bool first = true;

    if (st == NULL) {
        memset(&zero, 0, sizeof zero);
        st = &zero;
    }
    hb_buf_putc(b, '{');
    key(b, indent + 2, "sources", &first);
    u64(b, st->sources);
    key(b, indent + 2, "bytes", &first);
    u64(b, st->bytes);
    key(b, indent + 2, "lines", &first);
    u64(b, st->lines);
    key(b, indent + 2, "records", &first);
    u64(b, st->records);
    key(b, indent + 2, "truncated", &first);
    u64(b, st->truncated);
    key(b, indent + 2, "cut", &first);
    u64(b, st->cut);
    key(b, indent + 2, "input_errors", &first);
    u64(b, st->input_errors);
    key(b, indent + 2, "database", &first);
    str(b, st->replayed_from);
    key(b, indent + 2, "incidents", &first);
    u64(b, r->incidents);
    key(b, indent + 2, "observations", &first);
    u64(b, r->observations);
    key(b, indent + 2, "first_seen", &first);
    time_val(b, r->first_ms);
    key(b, indent + 2, "last_seen", &first);
    time_val(b, r->last_ms);
    hb_buf_printf(b, "\n%*s}", indent, "");
}

static void findings(struct hb_buf *b, const struct hb_report *r, int indent)
{
    size_t i;

    if (r->nfindings == 0) {
        hb_buf_puts(b, "[]");
        return;
    }
    hb_buf_putc(b, '[');
    for (i = 0; i < r->nfindings; i++) {
        const struct hb_finding *f = &r->findings[i];
        bool first = true;

        hb_buf_printf(b, "%s\n%*s{", i ? "," : "", indent + 2, "");
        key(b, indent + 4, "check", &first);
        str(b, f->check_id);
        key(b, indent + 4, "cause", &first);
        str(b, hb_cause_name(f->cause));
        key(b, indent + 4, "severity", &first);
        str(b, hb_severity_name(f->severity));
        key(b, indent + 4, "weight", &first);
        hb_buf_printf(b, "%.3f", f->weight);
        key(b, indent + 4, "title", &first);
        str(b, f->title);
        key(b, indent + 4, "description", &first);
        str(b, f->description);
        key(b, indent + 4, "action", &first);
        str(b, f->action);
        key(b, indent + 4, "path", &first);
        str(b, f->path);
        key(b, indent + 4, "line", &first);
        hb_buf_printf(b, "%lu", f->line);
        key(b, indent + 4, "text", &first);
        str(b, f->text);
        hb_buf_printf(b, "\n%*s}", indent + 2, "");
    }
    hb_buf_printf(b, "\n%*s]", indent, "");
}

static void context(struct hb_buf *b, const struct hb_report *r, bool *first)
{
    size_t i;

    key(b, 2, "addresses", first);
    hb_buf_putc(b, '[');
    for (i = 0; i < r->naddrs; i++) {
        const struct hb_report_addr *a = &r->addrs[i];
        bool f = true;

        hb_buf_printf(b, "%s\n    {", i ? "," : "");
        key(b, 6, "address", &f);
        str(b, a->address);
        key(b, 6, "port", &f);
        hb_buf_printf(b, "%d", a->port);
        key(b, 6, "seen_as", &f);
        str(b, a->how);
        key(b, 6, "listener", &f);
        str(b, a->listener);
        key(b, 6, "purpose", &f);
        str(b, a->purpose);
        key(b, 6, "observations", &f);
        u64(b, a->seen);
        key(b, 6, "failures", &f);
        u64(b, a->failures);
        hb_buf_puts(b, "\n    }");
    }
    hb_buf_puts(b, r->naddrs ? "\n  ]" : "]");
    key(b, 2, "versions", first);
    hb_buf_putc(b, '[');
    for (i = 0; i < r->nversions; i++) {
        bool f = true;

        hb_buf_printf(b, "%s\n    {", i ? "," : "");
        key(b, 6, "artifact", &f);
        str(b, r->versions[i].artifact);
        key(b, 6, "version", &f);
        str(b, r->versions[i].version);
        key(b, 6, "observations", &f);
        u64(b, r->versions[i].seen);
        hb_buf_puts(b, "\n    }");
    }
    hb_buf_puts(b, r->nversions ? "\n  ]" : "]");
    key(b, 2, "instances", first);
    hb_buf_putc(b, '[');
    for (i = 0; i < r->ninstances; i++) {
        const struct hb_report_instance *in = &r->instances[i];
        bool f = true;

        hb_buf_printf(b, "%s\n    {", i ? "," : "");
        key(b, 6, "instance", &f);
        str(b, in->label);
        key(b, 6, "failures", &f);
        u64(b, in->failures);
        key(b, 6, "register_ok", &f);
        u64(b, in->register_ok);
        key(b, 6, "heartbeat_ok", &f);
        u64(b, in->heartbeat_ok);
        key(b, 6, "first_failure", &f);
        time_val(b, in->first_fail_ms);
        key(b, 6, "last_failure", &f);
        time_val(b, in->last_fail_ms);
        key(b, 6, "last_heartbeat_ok", &f);
        time_val(b, in->last_ok_ms);
        hb_buf_puts(b, "\n    }");
    }
    hb_buf_puts(b, r->ninstances ? "\n  ]" : "]");
}

void hb_report_json(const struct hb_report *r, const struct hb_report_opts *o,
                    FILE *fp)
{
    struct hb_buf b;
    bool first = true;
    size_t i;

    (void)o;
    hb_buf_init(&b);
    hb_buf_putc(&b, '{');
    key(&b, 2, "tool", &first);
    str(&b, "hbscan");
    key(&b, 2, "version", &first);
    str(&b, HB_VERSION);
    key(&b, 2, "schema", &first);
    hb_buf_printf(&b, "%d", JSON_SCHEMA);
    key(&b, 2, "input", &first);
    input(&b, r, 2);
    key(&b, 2, "codes", &first);
    count_map(&b, r->codes, r->ncodes, 2);
    key(&b, 2, "grpc_statuses", &first);
    count_map(&b, r->grpc, r->ngrpc, 2);
    key(&b, 2, "causes", &first);
    if (r->nhyps == 0) {
        hb_buf_puts(&b, "[]");
    } else {
        hb_buf_putc(&b, '[');
        for (i = 0; i < r->nhyps; i++) {
            hb_buf_printf(&b, "%s\n    ", i ? "," : "");
            cause(&b, r, &r->hyps[i], 4);
        }
        hb_buf_puts(&b, "\n  ]");
    }
    key(&b, 2, "unclassified", &first);
    {
        bool f = true;

        hb_buf_putc(&b, '{');
        key(&b, 4, "count", &f);
        u64(&b, r->unclassified);
        key(&b, 4, "first_seen", &f);
        time_val(&b, r->unc_first_ms);
        key(&b, 4, "last_seen", &f);
        time_val(&b, r->unc_last_ms);
        key(&b, 4, "codes", &f);
        count_map(&b, r->unc_codes, r->unc_ncodes, 4);
        key(&b, 4, "evidence", &f);
        evidence_list(&b, r->unc_evidence, r->unc_nevidence, 4);
        hb_buf_puts(&b, "\n  }");
    }
    key(&b, 2, "findings", &first);
    findings(&b, r, 2);
    context(&b, r, &first);
    key(&b, 2, "dropped", &first);
    u64(&b, r->overflow);
    key(&b, 2, "knowledge", &first);
    str(&b, r->knowledge);
    hb_buf_puts(&b, "\n}\n");
    fwrite(b.data, 1, b.len, fp);
    hb_buf_fini(&b);
}
