/*
 * scan.c - drives one source through the pipeline and hands incidents and
 * observations to the sinks. Offsets are checkpointed only at record
 * boundaries, together with the rows they produced, so an interrupted scan
 * resumes exactly where its last commit ended.
 */
#include "scan.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract.h"
#include "reader.h"
#include "timeparse.h"
#include "record.h"
#include "unwrap.h"
#include "util.h"
#include "walk.h"

/* Per-source state shared by the record handler. */
struct source_run {
    struct hb_scan *sc;
    int64_t source_id;
    const char *path;
    char k8s_ns[64], k8s_pod[128], k8s_container[64];
    bool k8s;
    unsigned rows;           /* rows since the last checkpoint */
    uint64_t ck_offset;      /* last record boundary */
    uint64_t ck_line;
    enum hb_status rc;       /* first store failure */
    struct hb_diag d;
};

/* Records worth running the rules on: most INFO lines are not. */
static bool worth_matching(const struct hb_record *rec,
                           const struct hb_polaris *pol)
{
    const char *lv = rec->hdr.level;

    if (pol->failure || pol->polaris || rec->nchain > 0)
        return true;
    if (lv[0] == '\0')
        return true; /* plain text or a format without levels */
    return strcmp(lv, "ERROR") == 0 || strcmp(lv, "WARN") == 0 ||
           strcmp(lv, "FATAL") == 0;
}

static void put_obs(void *ctx, const struct hb_obs *o)
{
    struct source_run *sr = ctx;
    struct hb_scan *sc = sr->sc;

    if (sc->dx)
        hb_dx_add_obs(sc->dx, o);
    if (sc->store && sr->rc == HB_OK) {
        sr->rc = hb_store_put_obs(sc->store, sr->source_id, o, &sr->d);
        sr->rows++;
    }
}

static void handle_record(struct source_run *sr, const struct hb_record *rec)
{
    struct hb_scan *sc = sr->sc;
    struct hb_polaris pol;
    struct hb_hit hits[HB_MAX_HITS];
    int nhits = 0;

    sc->stats.records++;
    hb_extract(rec, &pol);
    if (sc->matcher && worth_matching(rec, &pol))
        nhits = hb_matcher_run(sc->matcher, rec, &pol, sc->opts.only_rule,
                               hits, HB_MAX_HITS);
    if (nhits > 0 || (pol.failure && sc->opts.only_rule == NULL)) {
        struct hb_incident inc;

        hb_incident_build(&inc, rec, &pol, hits, nhits);
        if (sr->k8s) {
            hb_strlcpy(inc.k8s_namespace, sr->k8s_ns, strlen(sr->k8s_ns),
                       sizeof inc.k8s_namespace);
            hb_strlcpy(inc.k8s_pod, sr->k8s_pod, strlen(sr->k8s_pod),
                       sizeof inc.k8s_pod);
            hb_strlcpy(inc.k8s_container, sr->k8s_container,
                       strlen(sr->k8s_container), sizeof inc.k8s_container);
        }
        sc->stats.incidents++;
        if (sc->dx)
            hb_dx_add_incident(sc->dx, &inc);
        if (sc->store && sr->rc == HB_OK) {
            sr->rc = hb_store_put_incident(sc->store, sr->source_id, &inc,
                                           &sr->d);
            sr->rows++;
        }
        if (sc->ndjson) {
            struct hb_buf b;

            hb_buf_init(&b);
            hb_incident_json(&b, &inc);
            hb_buf_putc(&b, '\n');
            fwrite(b.data, 1, b.len, sc->ndjson);
            hb_buf_fini(&b);
        }
        if (sc->on_incident)
            sc->on_incident(sc->ctx, &inc, rec);
    }
    if (pol.polaris || pol.nfacts || pol.event != HB_EV_NONE)
        hb_obs_from_record(rec, &pol, put_obs, sr);
    sr->ck_offset = rec->end_offset;
    sr->ck_line = rec->last_line;
    if (sc->store && sr->rc == HB_OK && sr->rows >= HB_CHECKPOINT_ROWS) {
        sr->rc = hb_store_checkpoint(sc->store, sr->source_id, sr->ck_offset,
                                     sr->ck_line, rec->format, &sr->d);
        sr->rows = 0;
    }
}

/* Measures the identity of an open source and asks the store where to
 * resume. Returns false when the source is to be skipped. */
static bool resume(struct source_run *sr, struct hb_reader *r,
                   bool is_stdin, enum hb_status *rc)
{
    struct hb_scan *sc = sr->sc;
    struct hb_source_id sid;
    struct hb_source_state st;
    struct stat sb;
    struct hb_str first = hb_reader_first_line(r);

    memset(&sid, 0, sizeof sid);
    sid.path = sr->path;
    if ((is_stdin ? fstat(0, &sb) : stat(sr->path, &sb)) == 0) {
        sid.dev = (uint64_t)sb.st_dev;
        sid.ino = (uint64_t)sb.st_ino;
        sid.size = (uint64_t)sb.st_size;
    }
    sid.first_hash = hb_hash64(first.p, first.n, HB_HASH_SEED);
    sid.gzip = hb_reader_is_gzip(r);
    if (sr->k8s) {
        sid.k8s_namespace = sr->k8s_ns;
        sid.k8s_pod = sr->k8s_pod;
        sid.k8s_container = sr->k8s_container;
    }
    *rc = hb_store_source_begin(sc->store, &sid, sc->opts.rescan, &st, &sr->d);
    if (*rc != HB_OK)
        return false;
    sr->source_id = st.id;
    if (st.skip) {
        if (sc->opts.verbose)
            fprintf(stderr, "hbscan: %s: already scanned, skipped\n",
                    sr->path);
        return false;
    }
    sr->ck_offset = st.offset;
    sr->ck_line = st.line;
    if (st.offset > 0) {
        struct hb_diag d;

        if (hb_reader_skip(r, st.offset, st.line, &d) != HB_OK) {
            /* Shorter than the stored offset: read it all again. */
            return true;
        }
        if (sc->opts.verbose)
            fprintf(stderr, "hbscan: %s: resuming at line %llu\n", sr->path,
                    (unsigned long long)st.line + 1);
    }
    return true;
}

enum hb_status hb_scan_file(struct hb_scan *sc, const char *path)
{
    struct source_run sr;
    struct hb_reader_opts ro;
    struct hb_reader *r = NULL;
    struct hb_unwrap *uw = NULL;
    struct hb_asm *as = NULL;
    struct hb_asm_opts ao;
    struct hb_line line, logical;
    struct hb_record rec;
    struct hb_diag d;
    enum hb_status rc, io = HB_OK;
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    struct stat sb;
    uint64_t lastline = 0;

    memset(&sr, 0, sizeof sr);
    sr.sc = sc;
    sr.path = name;
    sr.rc = HB_OK;
    sr.k8s = !is_stdin && hb_walk_k8s(path, sr.k8s_ns, sizeof sr.k8s_ns,
                                      sr.k8s_pod, sizeof sr.k8s_pod,
                                      sr.k8s_container,
                                      sizeof sr.k8s_container);
    memset(&ro, 0, sizeof ro);
    ro.max_line = sc->opts.max_line;
    /* A partial last line waits for its newline when offsets persist. */
    ro.hold_partial = sc->store != NULL && !is_stdin;
    /* gzip bomb cap: 1000x the compressed size, at least 1 GiB. */
    ro.max_output = (uint64_t)1 << 30;
    if (!is_stdin && stat(path, &sb) == 0 &&
        (uint64_t)sb.st_size * 1000 > ro.max_output)
        ro.max_output = (uint64_t)sb.st_size * 1000;
    if (is_stdin)
        ro.max_output = (uint64_t)16 << 30;

    rc = hb_reader_open(&r, is_stdin ? "-" : path, &ro, &d);
    if (rc != HB_OK) {
        hb_diag_print(&d, stderr);
        sc->input_errors++;
        return HB_EIO;
    }
    sc->stats.sources++;
    if (sc->store && !resume(&sr, r, is_stdin, &rc)) {
        hb_reader_close(r);
        if (rc == HB_OK)
            return HB_OK; /* nothing new in this source */
        hb_diag_print(&sr.d, stderr);
        return rc;
    }
    uw = hb_unwrap_new(NULL);
    memset(&ao, 0, sizeof ao);
    ao.max_lines = sc->opts.max_record_lines;
    ao.max_bytes = sc->opts.max_record_bytes;
    ao.forced = sc->forced;
    as = hb_asm_new(name, &ao);

    for (;;) {
        rc = hb_reader_next(r, &line, &d);
        if (rc == HB_EOF)
            break;
        if (rc != HB_OK) {
            hb_diag_print(&d, stderr);
            io = HB_EIO;
            break;
        }
        lastline = line.lineno;
        sc->stats.lines++;
        if (!hb_unwrap_feed(uw, &line, &logical))
            continue;
        if (hb_asm_feed(as, &logical, &rec))
            handle_record(&sr, &rec);
        if (sr.rc != HB_OK)
            break;
    }
    if (sr.rc == HB_OK && hb_unwrap_flush(uw, &logical) &&
        hb_asm_feed(as, &logical, &rec))
        handle_record(&sr, &rec);
    if (sr.rc == HB_OK && hb_asm_flush(as, &rec))
        handle_record(&sr, &rec);
    sc->stats.bytes += hb_reader_offset(r);
    sc->stats.truncated += hb_reader_truncated(r);
    sc->stats.cut += hb_asm_cut(as);
    if (sc->opts.verbose)
        fprintf(stderr, "hbscan: %s: format %s%s%s, %llu lines, %llu records\n",
                name, hb_asm_format(as),
                hb_unwrap_kind(uw) ? " in " : "",
                hb_unwrap_kind(uw) ? hb_unwrap_kind(uw) : "",
                (unsigned long long)lastline,
                (unsigned long long)hb_asm_records(as));
    if (sc->store && sr.rc == HB_OK) {
        /* Everything complete was read: the offset is the reader's (a held
         * partial line excluded), unless reading failed midway. */
        uint64_t off = io == HB_OK ? hb_reader_offset(r) : sr.ck_offset;
        uint64_t ln = io == HB_OK ? lastline : sr.ck_line;

        if (io == HB_OK && lastline == 0)
            ln = sr.ck_line;
        sr.rc = hb_store_checkpoint(sc->store, sr.source_id, off, ln,
                                    hb_asm_format(as), &sr.d);
    }
    if (sr.rc != HB_OK)
        hb_diag_print(&sr.d, stderr);
    if (io != HB_OK)
        sc->input_errors++;
    hb_asm_free(as);
    hb_unwrap_free(uw);
    hb_reader_close(r);
    return sr.rc != HB_OK ? sr.rc : io;
}

static void json_key_str(struct hb_buf *b, const char *key, const char *v)
{
    hb_buf_printf(b, ",\"%s\":", key);
    if (v == NULL || v[0] == '\0')
        hb_buf_puts(b, "null");
    else
        hb_buf_json_str(b, v, strlen(v));
}

static void json_key_int(struct hb_buf *b, const char *key, long long v,
                         bool zero_is_null)
{
    if (zero_is_null && v == 0)
        hb_buf_printf(b, ",\"%s\":null", key);
    else
        hb_buf_printf(b, ",\"%s\":%lld", key, v);
}

void hb_incident_json(struct hb_buf *b, const struct hb_incident *inc)
{
    char ts[40];
    char inst[96];
    int i;

    hb_buf_puts(b, "{\"source\":");
    hb_buf_json_str(b, inc->source, strlen(inc->source));
    json_key_int(b, "first_line", (long long)inc->first_line, false);
    json_key_int(b, "last_line", (long long)inc->last_line, false);
    json_key_int(b, "evidence_line", (long long)inc->evidence_line, false);
    json_key_str(b, "evidence", inc->evidence);
    if (inc->ts_ms != HB_NO_TIME) {
        hb_time_format(inc->ts_ms, ts, sizeof ts);
        json_key_str(b, "time", ts);
        json_key_int(b, "ts_ms", (long long)inc->ts_ms, false);
    } else {
        json_key_str(b, "time", NULL);
        json_key_str(b, "ts_ms", NULL);
    }
    json_key_str(b, "ts_text", inc->ts_text);
    json_key_str(b, "level", inc->level);
    json_key_str(b, "format", inc->format);
    json_key_str(b, "namespace", inc->ns);
    json_key_str(b, "service", inc->service);
    json_key_str(b, "host", inc->host);
    json_key_int(b, "port", inc->port, true);
    if (inc->host[0] && inc->port)
        snprintf(inst, sizeof inst, "%s:%d", inc->host, inc->port);
    else
        inst[0] = '\0';
    json_key_str(b, "instance", inst);
    json_key_str(b, "server_addr", inc->server_addr);
    json_key_str(b, "k8s_namespace", inc->k8s_namespace);
    json_key_str(b, "k8s_pod", inc->k8s_pod);
    json_key_str(b, "k8s_container", inc->k8s_container);
    json_key_int(b, "sdk_code", inc->sdk_code, true);
    json_key_str(b, "sdk_name", inc->sdk_name);
    json_key_int(b, "server_code", inc->server_code, true);
    json_key_str(b, "grpc_status", inc->grpc_status);
    json_key_str(b, "event", inc->event != HB_EV_NONE
                                 ? hb_event_name(inc->event)
                                 : NULL);
    json_key_str(b, "exception", inc->exc_class);
    json_key_str(b, "message", inc->message);
    json_key_str(b, "rule_id", inc->rule_id);
    json_key_str(b, "cause", hb_cause_name(inc->cause));
    json_key_str(b, "severity", inc->nhits ? hb_severity_name(inc->severity)
                                           : NULL);
    hb_buf_printf(b, ",\"weight\":%.2f", inc->weight);
    hb_buf_puts(b, ",\"rules\":[");
    for (i = 0; i < inc->nhits; i++) {
        if (i)
            hb_buf_putc(b, ',');
        hb_buf_json_str(b, inc->hits[i].rule->id,
                        strlen(inc->hits[i].rule->id));
    }
    hb_buf_puts(b, "],\"codes\":[");
    for (i = 0; i < inc->ncodes; i++) {
        if (i)
            hb_buf_putc(b, ',');
        hb_buf_json_str(b, inc->codes[i].key, strlen(inc->codes[i].key));
    }
    hb_buf_puts(b, "],\"fields\":{");
    if (inc->nhits) {
        const struct hb_hit *h = &inc->hits[0];

        for (i = 0; i < h->ncaps; i++) {
            if (i)
                hb_buf_putc(b, ',');
            hb_buf_json_str(b, h->caps[i].name, strlen(h->caps[i].name));
            hb_buf_putc(b, ':');
            hb_buf_json_str(b, h->caps[i].value, strlen(h->caps[i].value));
        }
    }
    hb_buf_puts(b, "}");
    json_key_str(b, "fingerprint", inc->fingerprint);
    hb_buf_puts(b, ",\"text\":");
    hb_buf_json_str(b, inc->text.p ? inc->text.p : "", inc->text.n);
    hb_buf_putc(b, '}');
}
