/*
 * report_text.c - the terminal report: the most likely cause first with its
 * action, each cause with a sparkline of its incidents over the scanned span,
 * paragraphs wrapped to the width (100 columns by default), colour only when
 * asked, and log text made safe for a terminal (no control bytes).
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define SPARK_COLS     40
#define MAX_HYPS_SHOWN 5

#define SEEN_CAP 64

struct out {
    FILE *fp;
    const struct hb_report_opts *o;
    int width;
    /* facts and evidence already printed for an earlier cause */
    const char *seen_facts[SEEN_CAP];
    size_t nseen_facts;
    const struct hb_evidence *seen_ev[SEEN_CAP];
    size_t nseen_ev;
};

static bool fact_seen(struct out *w, const char *f)
{
    size_t i;

    for (i = 0; i < w->nseen_facts; i++)
        if (strcmp(w->seen_facts[i], f) == 0)
            return true;
    if (w->nseen_facts < SEEN_CAP)
        w->seen_facts[w->nseen_facts++] = f;
    return false;
}

static bool ev_seen(struct out *w, const struct hb_evidence *e)
{
    size_t i;

    for (i = 0; i < w->nseen_ev; i++) {
        const struct hb_evidence *s = w->seen_ev[i];

        if (e->fingerprint[0]
                ? strcmp(s->fingerprint, e->fingerprint) == 0
                : (s->line == e->line && strcmp(s->source, e->source) == 0 &&
                   strcmp(s->label, e->label) == 0 &&
                   strcmp(s->text, e->text) == 0))
            return true;
    }
    if (w->nseen_ev < SEEN_CAP)
        w->seen_ev[w->nseen_ev++] = e;
    return false;
}

/* ANSI styles, empty when colour is off. */
static const char *sty(const struct out *w, const char *code)
{
    return w->o->color ? code : "";
}
#define BOLD   "\033[1m"
#define DIM    "\033[2m"
#define RED    "\033[31m"
#define GREEN  "\033[32m"
#define YELLOW "\033[33m"
#define CYAN   "\033[36m"
#define RESET  "\033[0m"

/* Length of the valid UTF-8 sequence at s (1..4) or 0. */
static size_t u8len(const unsigned char *s, size_t n)
{
    size_t len, i;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4;
    else
        return 0;
    if (len > n)
        return 0;
    for (i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

/*
 * Copies s into b made safe for a terminal: control bytes become spaces,
 * invalid UTF-8 becomes '?', non-ASCII becomes '?' in ASCII mode. Returns
 * the number of columns (one per character).
 */
static size_t safe(struct hb_buf *b, const char *s, size_t n, bool ascii)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, cols = 0;

    while (i < n) {
        size_t k;

        if (p[i] < 0x20 || p[i] == 0x7f) {
            hb_buf_putc(b, ' ');
            i++;
        } else if (p[i] < 0x80) {
            hb_buf_putc(b, (char)p[i]);
            i++;
        } else if ((k = u8len(p + i, n - i)) == 0) {
            hb_buf_putc(b, '?');
            i++;
        } else {
            if (ascii)
                hb_buf_putc(b, '?');
            else
                hb_buf_append(b, p + i, k);
            i += k;
        }
        cols++;
    }
    return cols;
}

/* Byte length of the first cols characters of s (already safe). */
static size_t cols_bytes(const char *s, size_t cols)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (p[i] && cols) {
        i++;
        while ((p[i] & 0xc0) == 0x80)
            i++;
        cols--;
    }
    return i;
}

static size_t ncols_of(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

/* Prints safe text cut to avail columns, with an ellipsis; no newline. */
static void put_cut(const struct out *w, const char *text, size_t avail)
{
    struct hb_buf b;
    size_t cols;

    hb_buf_init(&b);
    cols = safe(&b, text, strlen(text), w->o->ascii);
    if (cols > avail && avail > 3) {
        size_t keep = cols_bytes(b.data, avail - (w->o->ascii ? 3 : 1));

        fwrite(b.data, 1, keep, w->fp);
        fputs(w->o->ascii ? "..." : "\xe2\x80\xa6", w->fp);
    } else if (b.len) {
        fwrite(b.data, 1, cols > avail ? cols_bytes(b.data, avail) : b.len,
               w->fp);
    }
    hb_buf_fini(&b);
}

static void line_cut(const struct out *w, const char *text, size_t avail)
{
    put_cut(w, text, avail);
    fputc('\n', w->fp);
}

static void newline(const struct out *w, size_t indent, size_t *col)
{
    fprintf(w->fp, "\n%*s", (int)indent, "");
    *col = indent;
}

/*
 * Prints text wrapped at the width and ends the line: the first line
 * continues after lead columns already printed, the next ones are indented
 * by indent. A line of the text that starts with a space is printed as is
 * (cut at the width), so configuration snippets keep their shape.
 */
static void wrap(const struct out *w, const char *text, size_t lead,
                 size_t indent)
{
    const size_t width = (size_t)w->width;
    const char *line = text;
    size_t col = lead;
    bool first_line = true;
    struct hb_buf b;

    hb_buf_init(&b);
    while (line) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        const char *p = line, *stop = line + n;
        bool empty = true; /* no word yet on this output line */

        if (!first_line)
            newline(w, indent, &col);
        first_line = false;
        if (n && line[0] == ' ') {
            char *copy = hb_xstrndup(line, n);

            put_cut(w, copy, width > col ? width - col : 1);
            free(copy);
            p = stop;
        }
        while (p < stop) {
            const char *q;
            size_t wc;

            while (p < stop && *p == ' ')
                p++;
            if (p >= stop)
                break;
            for (q = p; q < stop && *q != ' '; q++)
                ;
            hb_buf_reset(&b);
            wc = safe(&b, p, (size_t)(q - p), w->o->ascii);
            if (!empty && col + 1 + wc > width) {
                newline(w, indent, &col);
                empty = true;
            }
            if (!empty) {
                fputc(' ', w->fp);
                col++;
            }
            while (col + wc > width && width > col + 1) { /* too long */
                size_t fit = width - col;
                size_t bytes = cols_bytes(b.data, fit);

                fwrite(b.data, 1, bytes, w->fp);
                memmove(b.data, b.data + bytes, b.len - bytes + 1);
                b.len -= bytes;
                wc -= fit;
                newline(w, indent, &col);
            }
            fwrite(b.data, 1, b.len, w->fp);
            col += wc;
            empty = false;
            p = q;
        }
        line = end ? end + 1 : NULL;
    }
    fputc('\n', w->fp);
    hb_buf_fini(&b);
}

static void span_text(int64_t a, int64_t b, char *buf, size_t cap)
{
    char ta[32], tb[32];

    hb_report_time_local(a, ta, sizeof ta);
    hb_report_time_local(b, tb, sizeof tb);
    if (a == b)
        snprintf(buf, cap, "%s", ta);
    else if (strncmp(ta, tb, 10) == 0)
        snprintf(buf, cap, "%s .. %s", ta, tb + 11);
    else
        snprintf(buf, cap, "%s .. %s", ta, tb);
}

static const char *const blocks[8] = {
    "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
    "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};
static const char ascii_levels[8] = {'_', '.', '-', ':', '=', '+', '*', '#'};

/* "2024-03-13 12:16 .. 13:24" or "03-13 12:16 .. 03-14 09:02". */
static void span_short(int64_t a, int64_t b, char *buf, size_t cap)
{
    char ta[32], tb[32];

    hb_report_time_local(a, ta, sizeof ta);
    hb_report_time_local(b, tb, sizeof tb);
    if (b - a >= 3600000) /* minutes are enough */
        ta[16] = tb[16] = '\0';
    if (strncmp(ta, tb, 10) == 0)
        snprintf(buf, cap, "%s .. %s", ta, tb + 11);
    else
        snprintf(buf, cap, "%s .. %s", ta + 5, tb + 5);
}

/*
 * "Timeline |▁▃█ |  span, 1 mark = 2m": the incidents of one cause over
 * the whole scanned span, so causes compare at a glance.
 */
static void sparkline(const struct out *w, const struct hb_timeline *t,
                      int64_t from, int64_t to, size_t indent)
{
    uint64_t cols[SPARK_COLS], max = 0;
    char dur[32], span[64];
    int i, n = SPARK_COLS;
    long room;
    bool below;

    if (t == NULL || !t->used || from == HB_NO_TIME || to == HB_NO_TIME)
        return;
    span_short(from, to, span, sizeof span);
    /* "Timeline |" + cols + "| " + span + ", 1 mark = " + dur (<= 8) */
    room = (long)w->width - (long)indent - 10 - 2 - (long)strlen(span) - 11 - 8;
    below = room < 10; /* narrow: the span goes on its own line */
    if (below)
        room = (long)w->width - (long)indent - 12;
    if (room < n)
        n = room < 4 ? 4 : (int)room;
    hb_timeline_project(t, from, to, cols, n);
    for (i = 0; i < n; i++)
        if (cols[i] > max)
            max = cols[i];
    fprintf(w->fp, "%*s%sTimeline%s |", (int)indent, "", sty(w, DIM),
            sty(w, RESET));
    for (i = 0; i < n; i++) {
        int lvl;

        if (cols[i] == 0) {
            fputc(' ', w->fp);
            continue;
        }
        lvl = (int)((cols[i] * 8 + max - 1) / max) - 1;
        lvl = lvl < 0 ? 0 : lvl > 7 ? 7 : lvl;
        if (w->o->ascii)
            fputc(ascii_levels[lvl], w->fp);
        else
            fputs(blocks[lvl], w->fp);
    }
    hb_report_duration((to - from) / n, dur, sizeof dur);
    if (below)
        fprintf(w->fp, "|\n%*s%s, 1 mark = %s\n", (int)indent + 10, "", span,
                dur);
    else
        fprintf(w->fp, "| %s, 1 mark = %s\n", span, dur);
}

/*
 * Prints one evidence line cut to avail columns so that its focus (a code,
 * an address) stays visible: "…ERR-1006(SERVER_USER_ERROR): server err…".
 */
static void put_focused(const struct out *w, const char *text,
                        const char *focus, size_t avail)
{
    struct hb_buf b;
    const char *ell = w->o->ascii ? "..." : "\xe2\x80\xa6";
    size_t ellw = w->o->ascii ? 3 : 1;
    size_t cols, at_cols = 0, flen;
    const char *at;

    hb_buf_init(&b);
    cols = safe(&b, text, strlen(text), w->o->ascii);
    at = focus && focus[0] && b.data ? strstr(b.data, focus) : NULL;
    if (cols <= avail || at == NULL || avail < 2 * ellw + 12) {
        hb_buf_fini(&b);
        put_cut(w, text, avail);
        return;
    }
    for (const char *p = b.data; p < at; p++)
        if (((unsigned char)*p & 0xc0) != 0x80)
            at_cols++;
    flen = strlen(focus);
    /* the focus and what follows it (the message) are already in view */
    if (at_cols + flen +
            (cols - at_cols - flen < 40 ? cols - at_cols - flen : 40) + ellw <=
        avail) {
        hb_buf_fini(&b);
        put_cut(w, text, avail);
        return;
    }
    {
        /* start at the word that holds the focus, behind an ellipsis */
        const char *from = at;
        size_t back = 0;

        while (from > b.data && from[-1] != ' ' && back < 40 &&
               back < avail / 3) {
            from--;
            back++;
        }
        fputs(ell, w->fp);
        put_cut(w, from, avail - ellw);
    }
    hb_buf_fini(&b);
}

/* "…/logs/polaris.log" for a long path (text mode, not verbose). */
static const char *short_path(const struct out *w, const char *path)
{
    const char *p = path + strlen(path);
    int slashes = 0;

    if (w->o->verbose || strlen(path) <= 40)
        return path;
    while (p > path) {
        p--;
        if (*p == '/' && ++slashes == 2)
            return p + 1;
    }
    return path;
}

static void evidence(const struct out *w, const struct hb_evidence *e,
                     size_t indent)
{
    char loc[320];
    const char *src = short_path(w, e->source);
    size_t used;

    if (e->line)
        snprintf(loc, sizeof loc, "%s%s:%llu", src == e->source ? "" : ".../",
                 src, (unsigned long long)e->line);
    else
        snprintf(loc, sizeof loc, "%s%s", src == e->source ? "" : ".../",
                 src[0] ? src : "-");
    fprintf(w->fp, "%*s", (int)indent, "");
    used = indent;
    if (strcmp(e->kind, "incident") != 0) {
        struct hb_buf b;

        hb_buf_init(&b);
        hb_buf_putc(&b, '(');
        hb_buf_puts(&b, e->kind);
        if (e->label[0]) {
            hb_buf_putc(&b, ' ');
            safe(&b, e->label, strlen(e->label), w->o->ascii);
        }
        hb_buf_putc(&b, ')');
        fprintf(w->fp, "%s%s%s ", sty(w, DIM), b.data, sty(w, RESET));
        used += ncols_of(b.data) + 1;
        hb_buf_fini(&b);
    }
    if (e->count > 1) {
        char n[32];

        snprintf(n, sizeof n, "x%llu ", (unsigned long long)e->count);
        fprintf(w->fp, "%s%s%s", sty(w, YELLOW), n, sty(w, RESET));
        used += strlen(n);
    }
    {
        struct hb_buf b;

        hb_buf_init(&b);
        used += safe(&b, loc, strlen(loc), w->o->ascii) + 2;
        fprintf(w->fp, "%s%s%s", sty(w, CYAN), b.data ? b.data : "",
                sty(w, RESET));
        hb_buf_fini(&b);
    }
    {
        /* a text that does not fit beside the location goes below it */
        struct hb_buf b;
        size_t cols;

        hb_buf_init(&b);
        cols = safe(&b, e->text, strlen(e->text), w->o->ascii);
        hb_buf_fini(&b);
        if (used + cols > (size_t)w->width && used > indent + 2 + 10) {
            fprintf(w->fp, "\n%*s", (int)indent + 2, "");
            used = indent + 2;
        } else {
            fputs("  ", w->fp);
        }
    }
    put_focused(w, e->text, e->focus, (size_t)w->width - used);
    fputc('\n', w->fp);
}

static const char *conf_style(const struct out *w, double c)
{
    if (c >= 0.7)
        return sty(w, RED BOLD);
    if (c >= 0.4)
        return sty(w, YELLOW);
    return sty(w, DIM);
}

static void list_line(const struct out *w, const char *label,
                      const char *const *items, size_t n, uint64_t more,
                      size_t indent)
{
    struct hb_buf b;
    size_t i, shown = 0;

    if (n == 0)
        return;
    hb_buf_init(&b);
    for (i = 0; i < n && shown < 6; i++, shown++)
        hb_buf_printf(&b, "%s%s", i ? ", " : "", items[i]);
    if (n > shown || more)
        hb_buf_printf(&b, " (+%llu more)",
                      (unsigned long long)(n - shown + more));
    fprintf(w->fp, "%*s%s%s:%s ", (int)indent, "", sty(w, DIM), label,
            sty(w, RESET));
    wrap(w, b.data, indent + strlen(label) + 2, indent + 2);
    hb_buf_fini(&b);
}

/* True when an earlier line of ev has the same fingerprint as ev[i]. */
static bool repeat(const struct hb_evidence *ev, size_t i)
{
    size_t j;

    if (ev[i].fingerprint[0] == '\0')
        return false;
    for (j = 0; j < i; j++)
        if (strcmp(ev[j].fingerprint, ev[i].fingerprint) == 0)
            return true;
    return false;
}

static void hypothesis(struct out *w, const struct hb_report *r,
                       const struct hb_hyp *h, size_t rank, bool first)
{
    char span[80] = "", head[200];
    size_t i, maxev = w->o->max_evidence ? w->o->max_evidence : 5;
    size_t lead;

    if (!first && maxev > 3 && !w->o->verbose)
        maxev = 3;
    if (h->first_ms != HB_NO_TIME)
        span_text(h->first_ms, h->last_ms, span, sizeof span);
    fprintf(w->fp, "%s%zu. %s%s  %sconfidence %.2f%s  %s", sty(w, BOLD), rank,
            hb_cause_name(h->cause), sty(w, RESET),
            conf_style(w, h->confidence), h->confidence, sty(w, RESET),
            hb_severity_name(h->severity));
    lead = (size_t)snprintf(head, sizeof head, "%zu. %s  confidence %.2f  %s",
                            rank, hb_cause_name(h->cause), h->confidence,
                            hb_severity_name(h->severity));
    {
        char counts[160];
        size_t n = 0;

        counts[0] = '\0';
        if (h->incidents)
            n += (size_t)snprintf(
                counts + n, sizeof counts - n, "  %llu incident%s",
                (unsigned long long)h->incidents, h->incidents == 1 ? "" : "s");
        if (h->findings && n < sizeof counts)
            n += (size_t)snprintf(
                counts + n, sizeof counts - n, "  %llu finding%s",
                (unsigned long long)h->findings, h->findings == 1 ? "" : "s");
        if (!h->primary && n < sizeof counts)
            n += (size_t)snprintf(counts + n, sizeof counts - n,
                                  "  alternative for %llu incident%s",
                                  (unsigned long long)h->alt_incidents,
                                  h->alt_incidents == 1 ? "" : "s");
        if (span[0] && lead + n + strlen(span) + 2 <= (size_t)w->width &&
            n < sizeof counts)
            snprintf(counts + n, sizeof counts - n, "  %s", span);
        fprintf(w->fp, "%s\n", counts);
    }
    fprintf(w->fp, "   %s", sty(w, BOLD));
    wrap(w, h->title, 3, 3);
    fputs(sty(w, RESET), w->fp);
    if (h->description && h->description[0]) {
        fputs("   ", w->fp);
        wrap(w, h->description, 3, 3);
    }
    if (h->action && h->action[0]) {
        fprintf(w->fp, "   %sAction:%s ", sty(w, GREEN BOLD), sty(w, RESET));
        wrap(w, h->action, 11, 5);
    }
    for (i = 0; i < h->nfacts; i++) {
        if (fact_seen(w, h->facts[i]) && !w->o->verbose)
            continue; /* said under an earlier cause */
        fprintf(w->fp, "   %s ", w->o->ascii ? "-" : "\xe2\x80\xa2");
        wrap(w, h->facts[i], 5, 5);
    }
    sparkline(w, h->timeline, r->first_ms, r->last_ms, 3);
    list_line(w, "Instances", h->instances, h->ninstances, h->instances_more,
              3);
    list_line(w, "Polaris servers", h->addresses, h->naddresses, 0, 3);
    if (h->nevidence) {
        size_t shown = 0, again = 0;
        bool titled = false;

        for (i = 0; i < h->nevidence; i++) {
            const struct hb_evidence *e = &h->evidence[i];
            bool support = strcmp(e->kind, "incident") != 0 &&
                           strcmp(e->kind, "finding") != 0;

            if (!support &&
                (shown >= maxev || (!w->o->verbose && repeat(h->evidence, i))))
                continue;
            if (ev_seen(w, e) && !w->o->verbose) {
                again++;
                continue;
            }
            if (!titled) {
                fprintf(w->fp, "   %sEvidence:%s\n", sty(w, DIM),
                        sty(w, RESET));
                titled = true;
            }
            evidence(w, e, 5);
            shown += !support;
        }
        if (again)
            fprintf(w->fp, "   %sEvidence:%s %s%zu line%s shown above\n",
                    sty(w, DIM), sty(w, RESET), titled ? "and " : "", again,
                    again == 1 ? "" : "s");
    }
    list_line(w, "Rules", h->rules, h->nrules, 0, 3);
    fputc('\n', w->fp);
}

static void unclassified(const struct out *w, const struct hb_report *r)
{
    size_t i;
    struct hb_buf b;

    if (r->unclassified == 0)
        return;
    fprintf(w->fp, "%sPolaris failures hbscan could not classify: %llu%s\n",
            sty(w, BOLD), (unsigned long long)r->unclassified, sty(w, RESET));
    hb_buf_init(&b);
    for (i = 0; i < r->unc_ncodes; i++)
        hb_buf_printf(&b, "%s%s x%llu", i ? ", " : "", r->unc_codes[i].name,
                      (unsigned long long)r->unc_codes[i].n);
    if (b.len) {
        fprintf(w->fp, "   %sCodes:%s ", sty(w, DIM), sty(w, RESET));
        wrap(w, b.data, 10, 5);
    } else {
        fputs("   No Polaris code in these records.\n", w->fp);
    }
    hb_buf_fini(&b);
    fputs("   ", w->fp);
    wrap(w,
         "No rule explains these; the codes and lines below are what the logs "
         "say. Look them up in the Polaris code table, or add a rule.",
         3, 3);
    sparkline(w, r->unc_timeline, r->first_ms, r->last_ms, 3);
    if (r->unc_nevidence) {
        fprintf(w->fp, "   %sEvidence:%s\n", sty(w, DIM), sty(w, RESET));
        size_t shown = 0, max = w->o->max_evidence ? w->o->max_evidence : 5;

        for (i = 0; i < r->unc_nevidence && shown < max; i++) {
            if (!w->o->verbose && repeat(r->unc_evidence, i))
                continue;
            evidence(w, &r->unc_evidence[i], 5);
            shown++;
        }
    }
    fputc('\n', w->fp);
}

static void findings(const struct out *w, const struct hb_report *r)
{
    size_t i;

    if (r->nfindings == 0)
        return;
    fprintf(w->fp, "%sConfiguration findings: %zu%s\n", sty(w, BOLD),
            r->nfindings, sty(w, RESET));
    for (i = 0; i < r->nfindings; i++) {
        const struct hb_finding *f = &r->findings[i];
        char loc[1100];

        fprintf(w->fp, "   %s[%s] %s%s ", sty(w, BOLD),
                hb_severity_name(f->severity), f->title ? f->title : "",
                sty(w, RESET));
        fputc('\n', w->fp);
        if (f->path) {
            snprintf(loc, sizeof loc, "%s:%lu: %s", f->path, f->line,
                     f->text ? f->text : "");
            fputs("     ", w->fp);
            line_cut(w, loc, (size_t)w->width - 5);
        }
        if (f->action && f->action[0]) {
            fprintf(w->fp, "     %sAction:%s ", sty(w, GREEN), sty(w, RESET));
            wrap(w, f->action, 13, 7);
        }
    }
    fputc('\n', w->fp);
}

static void context(const struct out *w, const struct hb_report *r)
{
    struct hb_buf b;
    size_t i;

    hb_buf_init(&b);
    for (i = 0; i < r->naddrs && i < 8; i++) {
        const struct hb_report_addr *a = &r->addrs[i];

        hb_buf_printf(&b, "%s%s (%s", i ? "; " : "", a->address, a->how);
        if (a->listener)
            hb_buf_printf(&b, ", %s", a->listener);
        else if (a->port)
            hb_buf_puts(&b, ", not a Polaris default port");
        if (a->failures)
            hb_buf_printf(&b, ", %llu failure%s",
                          (unsigned long long)a->failures,
                          a->failures == 1 ? "" : "s");
        hb_buf_putc(&b, ')');
    }
    if (r->naddrs > 8)
        hb_buf_printf(&b, "; +%zu more", r->naddrs - 8);
    if (b.len) {
        fprintf(w->fp, "%sPolaris addresses seen:%s ", sty(w, DIM),
                sty(w, RESET));
        wrap(w, b.data, 24, 3);
    }
    hb_buf_reset(&b);
    for (i = 0; i < r->nversions && i < 16; i++)
        hb_buf_printf(&b, "%s%s %s", i ? ", " : "", r->versions[i].artifact,
                      r->versions[i].version);
    if (b.len) {
        fprintf(w->fp, "%sVersions seen:%s ", sty(w, DIM), sty(w, RESET));
        wrap(w, b.data, 15, 3);
    }
    hb_buf_reset(&b);
    for (i = 0; i < r->ncodes && i < 16; i++)
        hb_buf_printf(&b, "%s%s x%llu", i ? ", " : "", r->codes[i].name,
                      (unsigned long long)r->codes[i].n);
    for (i = 0; i < r->ngrpc && i < 8; i++)
        hb_buf_printf(&b, "%s%s x%llu", b.len ? ", " : "", r->grpc[i].name,
                      (unsigned long long)r->grpc[i].n);
    if (b.len) {
        fprintf(w->fp, "%sCodes seen:%s ", sty(w, DIM), sty(w, RESET));
        wrap(w, b.data, 12, 3);
    }
    hb_buf_fini(&b);
}

static void header(const struct out *w, const struct hb_report *r)
{
    struct hb_buf b;

    hb_buf_init(&b);
    if (r->incidents || r->st == NULL || r->st->replayed_from)
        hb_buf_printf(&b, "hbscan %s: %llu Polaris failure%s", HB_VERSION,
                      (unsigned long long)r->incidents,
                      r->incidents == 1 ? "" : "s");
    else
        hb_buf_printf(&b, "hbscan %s: scanned", HB_VERSION);
    if (r->st && r->st->replayed_from)
        hb_buf_printf(&b, " stored in %s (%llu source%s)", r->st->replayed_from,
                      (unsigned long long)r->st->sources,
                      r->st->sources == 1 ? "" : "s");
    else if (r->st)
        hb_buf_printf(
            &b, "%s %llu records (%llu lines) from %llu source%s",
            r->incidents ? " in" : "", (unsigned long long)r->st->records,
            (unsigned long long)r->st->lines,
            (unsigned long long)r->st->sources, r->st->sources == 1 ? "" : "s");
    wrap(w, b.data, 0, 3);
    if (r->first_ms != HB_NO_TIME) {
        char span[80];

        span_text(r->first_ms, r->last_ms, span, sizeof span);
        fprintf(w->fp, "Scanned span: %s\n", span);
    }
    if (r->st && (r->st->truncated || r->st->cut || r->st->input_errors)) {
        hb_buf_reset(&b);
        hb_buf_printf(&b,
                      "Input limits: %llu line%s truncated, %llu record%s cut, "
                      "%u input%s unreadable.",
                      (unsigned long long)r->st->truncated,
                      r->st->truncated == 1 ? "" : "s",
                      (unsigned long long)r->st->cut,
                      r->st->cut == 1 ? "" : "s", r->st->input_errors,
                      r->st->input_errors == 1 ? "" : "s");
        fprintf(w->fp, "%s", sty(w, YELLOW));
        wrap(w, b.data, 0, 3);
        fputs(sty(w, RESET), w->fp);
    }
    hb_buf_fini(&b);
    fputc('\n', w->fp);
}

void hb_report_text(const struct hb_report *r, const struct hb_report_opts *o,
                    FILE *fp)
{
    struct out w;
    size_t i, shown;

    memset(&w, 0, sizeof w);
    w.fp = fp;
    w.o = o;
    w.width = o->width > 20 ? o->width : (o->width > 0 ? 20 : 100);
    header(&w, r);
    if (r->nhyps == 0) {
        char msg[200];

        if (r->unclassified)
            snprintf(msg, sizeof msg,
                     "No cause identified: %llu Polaris failure%s found, none "
                     "classified.",
                     (unsigned long long)r->unclassified,
                     r->unclassified == 1 ? "" : "s");
        else if (r->st && r->st->replayed_from)
            snprintf(msg, sizeof msg,
                     "No Polaris failure found in %.150s for these filters.",
                     r->st->replayed_from);
        else
            snprintf(msg, sizeof msg,
                     "No Polaris failure found in %llu records from %llu "
                     "source%s.",
                     (unsigned long long)(r->st ? r->st->records : 0),
                     (unsigned long long)(r->st ? r->st->sources : 0),
                     r->st && r->st->sources == 1 ? "" : "s");
        fprintf(fp, "%s", sty(&w, BOLD));
        wrap(&w, msg, 0, 0);
        fprintf(fp, "%s\n", sty(&w, RESET));
    } else {
        const struct hb_hyp *h = &r->hyps[0];

        fprintf(fp, "%sMost likely cause:%s %s%s%s (confidence %.2f)\n",
                sty(&w, BOLD), sty(&w, RESET), sty(&w, RED BOLD),
                hb_cause_name(h->cause), sty(&w, RESET), h->confidence);
        if (r->nhyps > 1 && r->hyps[1].confidence >= h->confidence - 0.1) {
            fprintf(fp, "   ");
            wrap(&w,
                 "The next cause is close: read both actions; the evidence "
                 "below tells them apart.",
                 3, 3);
        }
        fputc('\n', fp);
        shown = 0;
        for (i = 0; i < r->nhyps; i++) {
            if (shown >= MAX_HYPS_SHOWN && !o->verbose)
                break;
            hypothesis(&w, r, &r->hyps[i], i + 1, i == 0);
            shown++;
        }
        if (i < r->nhyps) {
            struct hb_buf b;

            hb_buf_init(&b);
            hb_buf_puts(&b, "Less likely:");
            for (; i < r->nhyps; i++)
                hb_buf_printf(
                    &b, " %s (%.2f)%s", hb_cause_name(r->hyps[i].cause),
                    r->hyps[i].confidence, i + 1 < r->nhyps ? "," : "");
            wrap(&w, b.data, 0, 3);
            fputc('\n', fp);
            hb_buf_fini(&b);
        }
    }
    unclassified(&w, r);
    findings(&w, r);
    context(&w, r);
}
