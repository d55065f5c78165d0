/*
 * report_md.c - the report as Markdown, for pasting into an issue or a chat:
 * the most likely cause and its action first, a table of causes, then each
 * cause with its facts and evidence in code blocks. Log text is made safe
 * (no control bytes; code fences longer than any backtick run inside).
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define SPARK_COLS 40

/* Appends text with control bytes as spaces and <, >, | escaped. */
static void inline_text(struct hb_buf *b, const char *s, bool table)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c < 0x20 || c == 0x7f)
            hb_buf_putc(b, ' ');
        else if (c == '<')
            hb_buf_puts(b, "&lt;");
        else if (c == '>')
            hb_buf_puts(b, "&gt;");
        else if (c == '|' && table)
            hb_buf_puts(b, "\\|");
        else
            hb_buf_putc(b, (char)c);
    }
}

/* Longest run of backticks in s. */
static size_t ticks(const char *s)
{
    size_t run = 0, max = 0;

    for (; s && *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > max)
            max = run;
    }
    return max;
}

static void fence(struct hb_buf *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        hb_buf_putc(b, '`');
}

static void code_text(struct hb_buf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;

        hb_buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
}

static void code_line(struct hb_buf *b, const char *s)
{
    code_text(b, s);
    hb_buf_putc(b, '\n');
}

/*
 * An action: prose lines as text, runs of lines that start with a space as a
 * yaml code block (de-indented).
 */
static void action(struct hb_buf *b, const char *text)
{
    const char *line = text;
    bool in_code = false;
    size_t strip = 0;

    hb_buf_puts(b, "**Action:** ");
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        char *copy = hb_xstrndup(line, n);

        if (n && line[0] == ' ') {
            if (!in_code) {
                const char *p = line;

                strip = 0;
                while (p[strip] == ' ')
                    strip++;
                hb_buf_puts(b, "\n\n```yaml\n");
                in_code = true;
            }
            code_line(b, strlen(copy) > strip ? copy + strip : "");
        } else {
            if (in_code) {
                hb_buf_puts(b, "```\n\n");
                in_code = false;
            }
            inline_text(b, copy, false);
            if (end)
                hb_buf_putc(b, ' ');
        }
        free(copy);
        line = end ? end + 1 : NULL;
    }
    if (in_code)
        hb_buf_puts(b, "```\n");
    hb_buf_puts(b, "\n\n");
}

static void sparkline(struct hb_buf *b, const struct hb_timeline *t,
                      const struct hb_report *r, bool ascii)
{
    static const char *const blocks[8] = {
        "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
        "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};
    static const char ascii_levels[8] = {'_', '.', '-', ':',
                                         '=', '+', '*', '#'};
    uint64_t cols[SPARK_COLS], max = 0;
    char a[32], z[32];
    int i;

    if (t == NULL || !t->used || r->first_ms == HB_NO_TIME)
        return;
    hb_timeline_project(t, r->first_ms, r->last_ms, cols, SPARK_COLS);
    for (i = 0; i < SPARK_COLS; i++)
        if (cols[i] > max)
            max = cols[i];
    hb_report_time_local(r->first_ms, a, sizeof a);
    hb_report_time_local(r->last_ms, z, sizeof z);
    hb_buf_puts(b, "Timeline: `|");
    for (i = 0; i < SPARK_COLS; i++) {
        int lvl;

        if (cols[i] == 0) {
            hb_buf_putc(b, ' ');
            continue;
        }
        lvl = (int)((cols[i] * 8 + max - 1) / max) - 1;
        lvl = lvl < 0 ? 0 : lvl > 7 ? 7 : lvl;
        if (ascii)
            hb_buf_putc(b, ascii_levels[lvl]);
        else
            hb_buf_puts(b, blocks[lvl]);
    }
    hb_buf_printf(b, "|` %s .. %s\n\n", a, z);
}

static void evidence(struct hb_buf *b, const struct hb_evidence *e, size_t n,
                     size_t max)
{
    size_t i, f = 3, shown;

    if (n == 0)
        return;
    for (i = 0; i < n; i++)
        if (ticks(e[i].text) >= f)
            f = ticks(e[i].text) + 1;
    fence(b, f);
    hb_buf_puts(b, "text\n");
    for (i = 0, shown = 0; i < n && shown < max; i++) {
        char loc[300];
        size_t j;
        bool dup = false;

        for (j = 0; j < i && e[i].fingerprint[0]; j++)
            if (strcmp(e[j].fingerprint, e[i].fingerprint) == 0)
                dup = true;
        if (dup) /* one line per fingerprint, with its count */
            continue;
        shown++;

        if (e[i].line)
            snprintf(loc, sizeof loc, "%s:%llu", e[i].source,
                     (unsigned long long)e[i].line);
        else
            snprintf(loc, sizeof loc, "%s", e[i].source);
        if (strcmp(e[i].kind, "incident") != 0) {
            hb_buf_printf(b, "(%s", e[i].kind);
            if (e[i].label[0]) {
                hb_buf_putc(b, ' ');
                code_text(b, e[i].label);
            }
            hb_buf_puts(b, ") ");
        }
        for (const char *p = loc; *p; p++)
            hb_buf_putc(b, (unsigned char)*p < 0x20 ? ' ' : *p);
        if (e[i].count > 1)
            hb_buf_printf(b, " (x%llu)", (unsigned long long)e[i].count);
        hb_buf_puts(b, "  ");
        code_line(b, e[i].text);
    }
    fence(b, f);
    hb_buf_puts(b, "\n\n");
}

static void list(struct hb_buf *b, const char *label, const char *const *items,
                 size_t n, uint64_t more)
{
    size_t i;

    if (n == 0)
        return;
    hb_buf_printf(b, "%s: ", label);
    for (i = 0; i < n && i < 10; i++) {
        hb_buf_puts(b, i ? ", `" : "`");
        inline_text(b, items[i], false);
        hb_buf_putc(b, '`');
    }
    if (n > 10 || more)
        hb_buf_printf(b, " (+%llu more)",
                      (unsigned long long)(n > 10 ? n - 10 + more : more));
    hb_buf_puts(b, "  \n");
}

static void hypothesis(struct hb_buf *b, const struct hb_report *r,
                       const struct hb_hyp *h, size_t rank,
                       const struct hb_report_opts *o)
{
    size_t i;
    char t1[32], t2[32];

    hb_buf_printf(b, "### %zu. `%s` (confidence %.2f): ", rank,
                  hb_cause_name(h->cause), h->confidence);
    inline_text(b, h->title, false);
    hb_buf_puts(b, "\n\n");
    if (h->description && h->description[0]) {
        inline_text(b, h->description, false);
        hb_buf_puts(b, "\n\n");
    }
    if (h->action && h->action[0])
        action(b, h->action);
    for (i = 0; i < h->nfacts; i++) {
        hb_buf_puts(b, "- ");
        inline_text(b, h->facts[i], false);
        hb_buf_putc(b, '\n');
    }
    if (h->nfacts)
        hb_buf_putc(b, '\n');
    hb_report_time_local(h->first_ms, t1, sizeof t1);
    hb_report_time_local(h->last_ms, t2, sizeof t2);
    hb_buf_printf(
        b, "Severity: %s, %llu incident%s", hb_severity_name(h->severity),
        (unsigned long long)h->incidents, h->incidents == 1 ? "" : "s");
    if (h->findings)
        hb_buf_printf(b, ", %llu finding%s", (unsigned long long)h->findings,
                      h->findings == 1 ? "" : "s");
    if (!h->primary)
        hb_buf_printf(b, ", alternative for %llu incident%s",
                      (unsigned long long)h->alt_incidents,
                      h->alt_incidents == 1 ? "" : "s");
    if (h->first_ms != HB_NO_TIME)
        hb_buf_printf(b, ", %s .. %s", t1, t2);
    hb_buf_puts(b, "  \n");
    list(b, "Instances", h->instances, h->ninstances, h->instances_more);
    list(b, "Polaris servers", h->addresses, h->naddresses, 0);
    list(b, "Rules", h->rules, h->nrules, 0);
    hb_buf_putc(b, '\n');
    sparkline(b, h->timeline, r, o->ascii);
    evidence(b, h->evidence, h->nevidence,
             (o->max_evidence ? o->max_evidence : 5) + HB_SUPPORT_KEEP);
}

void hb_report_markdown(const struct hb_report *r,
                        const struct hb_report_opts *o, FILE *fp)
{
    struct hb_buf b;
    size_t i;

    hb_buf_init(&b);
    hb_buf_puts(&b, "## hbscan: why Polaris heartbeats fail\n\n");
    if (r->nhyps == 0) {
        if (r->unclassified)
            hb_buf_printf(&b,
                          "**No cause identified**: %llu Polaris failure%s "
                          "found, none classified.\n\n",
                          (unsigned long long)r->unclassified,
                          r->unclassified == 1 ? "" : "s");
        else if (r->st && r->st->replayed_from)
            hb_buf_printf(&b,
                          "**No Polaris failure found** in %s for these "
                          "filters.\n\n",
                          r->st->replayed_from);
        else
            hb_buf_printf(&b,
                          "**No Polaris failure found** in %llu records from "
                          "%llu source%s.\n\n",
                          (unsigned long long)(r->st ? r->st->records : 0),
                          (unsigned long long)(r->st ? r->st->sources : 0),
                          r->st && r->st->sources == 1 ? "" : "s");
    } else {
        const struct hb_hyp *h = &r->hyps[0];

        hb_buf_printf(&b, "**Most likely cause: `%s`** (confidence %.2f): ",
                      hb_cause_name(h->cause), h->confidence);
        inline_text(&b, h->title, false);
        hb_buf_puts(&b, "\n\n| # | cause | confidence | incidents | first seen "
                        "| last seen |\n|---|---|---|---|---|---|\n");
        for (i = 0; i < r->nhyps; i++) {
            char t1[32], t2[32];

            hb_report_time_local(r->hyps[i].first_ms, t1, sizeof t1);
            hb_report_time_local(r->hyps[i].last_ms, t2, sizeof t2);
            hb_buf_printf(&b, "| %zu | `%s`%s | %.2f | %llu | %s | %s |\n",
                          i + 1, hb_cause_name(r->hyps[i].cause),
                          r->hyps[i].primary ? "" : " (alternative)",
                          r->hyps[i].confidence,
                          (unsigned long long)r->hyps[i].incidents, t1, t2);
        }
        hb_buf_putc(&b, '\n');
        for (i = 0; i < r->nhyps; i++)
            hypothesis(&b, r, &r->hyps[i], i + 1, o);
    }
    if (r->unclassified) {
        hb_buf_printf(
            &b, "### Polaris failures hbscan could not classify: %llu\n\n",
            (unsigned long long)r->unclassified);
        if (r->unc_ncodes) {
            hb_buf_puts(&b, "Codes: ");
            for (i = 0; i < r->unc_ncodes; i++)
                hb_buf_printf(&b, "%s`%s` x%llu", i ? ", " : "",
                              r->unc_codes[i].name,
                              (unsigned long long)r->unc_codes[i].n);
            hb_buf_puts(&b, "\n\n");
        } else {
            hb_buf_puts(&b, "No Polaris code in these records.\n\n");
        }
        evidence(&b, r->unc_evidence, r->unc_nevidence,
                 o->max_evidence ? o->max_evidence : 5);
    }
    if (r->nfindings) {
        hb_buf_printf(&b, "### Configuration findings: %zu\n\n", r->nfindings);
        for (i = 0; i < r->nfindings; i++) {
            const struct hb_finding *f = &r->findings[i];

            hb_buf_printf(&b, "- **%s** `%s`: ", hb_severity_name(f->severity),
                          f->check_id ? f->check_id : "");
            inline_text(&b, f->title, false);
            if (f->path) {
                hb_buf_puts(&b, " (`");
                inline_text(&b, f->path, false);
                hb_buf_printf(&b, ":%lu`)", f->line);
            }
            if (f->action) {
                hb_buf_puts(&b, ". ");
                inline_text(&b, f->action, false);
            }
            hb_buf_putc(&b, '\n');
        }
        hb_buf_putc(&b, '\n');
    }
    if (r->naddrs) {
        hb_buf_puts(&b, "Polaris addresses seen: ");
        for (i = 0; i < r->naddrs && i < 10; i++) {
            hb_buf_puts(&b, i ? ", `" : "`");
            inline_text(&b, r->addrs[i].address, false);
            hb_buf_printf(&b, "` (%s%s%s)", r->addrs[i].how,
                          r->addrs[i].listener ? ", " : "",
                          r->addrs[i].listener ? r->addrs[i].listener : "");
        }
        hb_buf_puts(&b, "  \n");
    }
    if (r->nversions) {
        hb_buf_puts(&b, "Versions seen: ");
        for (i = 0; i < r->nversions && i < 16; i++) {
            hb_buf_puts(&b, i ? ", " : "");
            inline_text(&b, r->versions[i].artifact, false);
            hb_buf_putc(&b, ' ');
            inline_text(&b, r->versions[i].version, false);
        }
        hb_buf_puts(&b, "  \n");
    }
    if (r->ncodes) {
        hb_buf_puts(&b, "Codes seen: ");
        for (i = 0; i < r->ncodes; i++)
            hb_buf_printf(&b, "%s`%s` x%llu", i ? ", " : "", r->codes[i].name,
                          (unsigned long long)r->codes[i].n);
        hb_buf_puts(&b, "  \n");
    }
    hb_buf_printf(&b, "\n<sub>hbscan %s", HB_VERSION);
    if (r->st)
        hb_buf_printf(&b, ", %llu sources, %llu lines, %llu records",
                      (unsigned long long)r->st->sources,
                      (unsigned long long)r->st->lines,
                      (unsigned long long)r->st->records);
    hb_buf_printf(&b, ", %llu Polaris failures</sub>\n",
                  (unsigned long long)r->incidents);
    fwrite(b.data, 1, b.len, fp);
    hb_buf_fini(&b);
}
