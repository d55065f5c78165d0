/*
 * scan.c - drives one source through the pipeline (reader -> unwrap ->
 * records -> extraction -> rules -> incidents and observations) and hands
 * what it finds to the sinks (store, diagnosis, NDJSON). Sources are read
 * in segments (scan_int.h): offsets are committed only at segment ends,
 * together with the rows the segment produced, so an interrupted scan
 * resumes exactly where its last commit ended. A batch scan may let one
 * commit span segments and sources (opts.commit_rows, COMMIT_MS). --jobs
 * lives in scan_jobs.c; follow mode at the end of this file.
 */
#include "scan.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract.h"
#include "progress.h"
#include "reader.h"
#include "record.h"
#include "scan_int.h"
#include "timeparse.h"
#include "unwrap.h"
#include "util.h"
#include "walk.h"

#define OBS_RUNS 128 /* observation runs tracked per source */
/* With opts.commit_rows, a batch scan also commits at the first segment end
   this long after its batch began (follow mode commits at every one). */
#define COMMIT_MS 500

/* ---- the direct sink ---------------------------------------------------- */

/* Split pieces are checked against pos by the consumer before their
 * events reach this sink; a piece that starts at 0 (a source read again
 * from its start) has no lines before it. */
static void direct_begin(struct sink *k, uint64_t offset)
{
    struct direct *s = (struct direct *)k;

    if (offset == 0)
        s->line_base = 0;
}

static void direct_incident(struct sink *k, const struct hb_incident *given,
                            const struct hb_record *rec)
{
    struct direct *s = (struct direct *)k;
    struct hb_scan *sc = s->sc;
    struct hb_incident inc = *given;

    inc.first_line += s->line_base;
    inc.last_line += s->line_base;
    inc.evidence_line += s->line_base;
    sc->stats.incidents++;
    if (sc->dx)
        hb_dx_add_incident(sc->dx, &inc);
    if (sc->store && s->rc == HB_OK)
        s->rc = hb_store_put_incident(sc->store, s->source_id, &inc, &s->d);
    if (s->rc != HB_OK)
        sc->store_failed = true;
    if (sc->ndjson) {
        struct hb_buf b;

        hb_buf_init(&b);
        hb_incident_json(&b, &inc);
        hb_buf_putc(&b, '\n');
        fwrite(b.data, 1, b.len, sc->ndjson);
        hb_buf_fini(&b);
    }
    if (sc->live)
        hb_incident_line(sc->live, &inc);
    if (sc->on_incident && rec)
        sc->on_incident(sc->ctx, &inc, rec);
}

static void direct_obs(struct sink *k, const struct hb_obs *given)
{
    struct direct *s = (struct direct *)k;
    struct hb_obs o = *given;

    o.line += s->line_base;
    if (s->sc->dx)
        hb_dx_add_obs(s->sc->dx, &o);
    if (s->sc->store && s->rc == HB_OK)
        s->rc = hb_store_put_obs(s->sc->store, s->source_id, &o, &s->d);
    if (s->rc != HB_OK)
        s->sc->store_failed = true;
}

static void direct_mark(struct sink *k, const struct seg_mark *m)
{
    struct direct *s = (struct direct *)k;
    struct hb_scan *sc = s->sc;

    s->pos = m->offset;
    s->piece_lines = m->line;
    s->cur = m->fmts;
    if (sc->store && s->rc == HB_OK) {
        struct hb_fmt_tally all = s->fmts;

        hb_fmt_tally_merge(&all, &s->cur);
        s->rc = hb_store_checkpoint(
            sc->store, s->source_id, m->offset, s->line_base + m->line,
            m->keep_format ? NULL : hb_fmt_tally_best(&all), &s->d);
    }
    if (m->complete && sc->store && s->rc == HB_OK)
        s->rc = hb_store_source_done(sc->store, s->source_id, &s->d);
    if (s->rc != HB_OK)
        sc->store_failed = true;
}

void direct_init(struct direct *s, struct hb_scan *sc, int64_t id)
{
    memset(s, 0, sizeof *s);
    s->base.begin = direct_begin;
    s->base.incident = direct_incident;
    s->base.obs = direct_obs;
    s->base.mark = direct_mark;
    s->sc = sc;
    s->source_id = id;
    /* After a store failure nothing more is written to it. */
    s->rc = sc->store_failed ? HB_EDB : HB_OK;
}

void direct_piece_done(struct direct *s)
{
    s->line_base += s->piece_lines;
    s->piece_lines = 0;
    hb_fmt_tally_merge(&s->fmts, &s->cur);
    memset(&s->cur, 0, sizeof s->cur);
}

/* A sink opened after an earlier failure (rc preset, no message) has
 * nothing new to say. */
void direct_report(const struct direct *s)
{
    if (s->rc != HB_OK && s->d.msg[0])
        hb_diag_print(&s->d, stderr);
}

/* ---- one piece of a source --------------------------------------------- */

/* An open piece: reader, unwrapper and assembler with their state. */
struct session {
    const struct hb_scan *sc;
    struct hb_matcher *matcher;
    struct sink *sink;
    struct fstats *fs;
    const char *name; /* stable: the file list's path or "<stdin>" */
    struct hb_reader_opts ro;
    struct hb_reader *r;
    struct hb_unwrap *uw;
    struct hb_unwrap *probe; /* boundary tests; made on first use */
    struct hb_asm *as;
    uint64_t seg;         /* segment size; 0: no segments (follow) */
    uint64_t next_grid;   /* the next boundary is the first at or after */
    bool single;          /* stop at the next boundary */
    bool stopped;         /* single: it was reached */
    uint64_t stop_offset; /* where (the piece's end) */
    uint64_t start_offset;
    uint64_t lastline;  /* relative number of the last line read */
    uint64_t ck_offset; /* end of the last record handed out */
    uint64_t ck_line;
    uint64_t lines_pumped; /* lines read by the last pump */
    bool tick;             /* this thread may redraw the progress line */
    /*
     * Runs of identical observations (a heartbeat-ok every 5 s, the same
     * address on every connection line): the first of a run is emitted at
     * once, the latest is held and emitted when the run ends (an incident,
     * the end of the segment or of the source). A run of a thousand
     * heartbeats becomes two rows, its first and its last.
     */
    struct {
        uint64_t key;
        bool pending; /* last holds an unemitted repeat */
        struct hb_obs last;
    } runs[OBS_RUNS];
    unsigned nruns, next_evict;
    bool rows; /* rows handed out since the last mark (follow) */
};

static uint64_t grid_after(const struct session *ss, uint64_t off)
{
    return ss->seg ? (off / ss->seg + 1) * ss->seg : UINT64_MAX;
}

uint64_t scan_segment_bytes(const struct hb_scan *sc)
{
    return sc->opts.segment_bytes ? sc->opts.segment_bytes : HB_SEGMENT_BYTES;
}

/* Records worth running the rules on: most INFO lines are not. */
static bool worth_matching(const struct hb_record *rec,
                           const struct hb_polaris *pol)
{
    const char *lv = rec->hdr.level;

    if (pol->failure || pol->polaris || rec->nchain > 0)
        return true;
    if (lv[0] == '\0')
        return true; /* plain text or a format without levels */
    switch (lv[0]) { /* level is char[6], NUL-terminated: 6-byte compares */
    case 'E':
        return memcmp(lv, "ERROR", 6) == 0;
    case 'W':
        return memcmp(lv, "WARN", 5) == 0;
    case 'F':
        return memcmp(lv, "FATAL", 6) == 0;
    default:
        return false;
    }
}

static void emit_obs(struct session *ss, const struct hb_obs *o)
{
    ss->sink->obs(ss->sink, o);
    ss->rows = true;
}

/* Emits every held repeat. forget: also end the runs, so the next
 * observation starts afresh (at a segment end or a commit). */
static void flush_runs(struct session *ss, bool forget)
{
    unsigned i;

    for (i = 0; i < ss->nruns; i++) {
        if (ss->runs[i].pending)
            emit_obs(ss, &ss->runs[i].last);
        ss->runs[i].pending = false;
    }
    if (forget) {
        ss->nruns = 0;
        ss->next_evict = 0;
    }
}

static uint64_t obs_run_key(const struct hb_obs *o)
{
    uint64_t h = HB_HASH_SEED;

    h = hb_hash64(o->kind, strnlen(o->kind, sizeof o->kind), h);
    h = hb_hash64(o->key, strnlen(o->key, sizeof o->key), h ^ 1);
    h = hb_hash64(o->value, strnlen(o->value, sizeof o->value), h ^ 2);
    h = hb_hash64(o->ns, strnlen(o->ns, sizeof o->ns), h ^ 3);
    h = hb_hash64(o->service, strnlen(o->service, sizeof o->service), h ^ 4);
    h = hb_hash64(o->host, strnlen(o->host, sizeof o->host), h ^ 5);
    return hb_hash64(&o->port, sizeof o->port, h ^ 6);
}

static void obs_cb(void *ctx, const struct hb_obs *o)
{
    struct session *ss = ctx;
    struct hb_obs copy = *o;
    uint64_t key;
    unsigned i;

    copy.source = ss->name;
    key = obs_run_key(&copy);
    for (i = 0; i < ss->nruns; i++) {
        if (ss->runs[i].key == key) {
            ss->runs[i].last = copy;
            ss->runs[i].pending = true;
            return;
        }
    }
    emit_obs(ss, &copy);
    if (ss->nruns < OBS_RUNS) {
        i = ss->nruns++;
    } else {
        /* Table full: end the oldest run to make room. */
        i = ss->next_evict;
        ss->next_evict = (ss->next_evict + 1) % OBS_RUNS;
        if (ss->runs[i].pending)
            emit_obs(ss, &ss->runs[i].last);
    }
    ss->runs[i].key = key;
    ss->runs[i].pending = false;
}

static void handle_record(struct session *ss, struct hb_record *rec)
{
    const struct hb_scan *sc = ss->sc;
    struct hb_polaris pol;
    struct hb_hit hits[HB_MAX_HITS];
    int nhits = 0;
    const struct hb_pf_hits *lit = NULL;
    bool named;

    /* one literal scan of the record feeds the chain parse (the
       assembler left it to us), extraction and rules */
    if (ss->matcher)
        lit = hb_matcher_scan(ss->matcher, rec);
    if (hb_matcher_names_throwable(ss->matcher, lit, &named))
        hb_record_parse_chain_named(rec, named);
    else
        hb_record_parse_chain(rec);
    hb_extract_scanned(rec, &pol, lit);
    if (ss->matcher && worth_matching(rec, &pol))
        nhits = hb_matcher_run_scanned(
            ss->matcher, rec, &pol, sc->opts.only_rule, hits, HB_MAX_HITS, lit);
    if (nhits > 0 || (pol.failure && sc->opts.only_rule == NULL)) {
        struct hb_incident inc;

        hb_incident_build(&inc, rec, &pol, hits, nhits);
        inc.source = ss->name;
        flush_runs(ss, false); /* successes before the failure, in order */
        ss->sink->incident(ss->sink, &inc, rec);
        ss->rows = true;
    }
    if (pol.polaris || pol.nfacts || pol.event != HB_EV_NONE)
        hb_obs_from_record(rec, &pol, obs_cb, ss);
    ss->ck_offset = rec->end_offset;
    ss->ck_line = rec->last_line;
}

static struct hb_reader_opts reader_opts(const struct hb_scan *sc,
                                         const char *path, bool is_stdin)
{
    struct hb_reader_opts ro;
    struct stat sb;

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
    return ro;
}

/*
 * Measures a source's identity and asks the store where to resume. Without
 * a store everything is read from the start. Errors opening the file are
 * reported here (and counted by the caller through p->failed).
 */
enum hb_status scan_prepare(struct hb_scan *sc, const char *path,
                            struct prep *p, struct hb_diag *d)
{
    struct hb_source_id sid;
    struct hb_source_state st;
    struct hb_reader *r = NULL;
    struct hb_reader_opts ro;
    struct stat sb;
    bool is_stdin = strcmp(path, "-") == 0, stream = false;
    char ns[64], pod[128], ct[64];
    enum hb_status rc;

    memset(p, 0, sizeof *p);
    if (sc->store == NULL)
        return HB_OK;
    memset(&sid, 0, sizeof sid);
    sid.path = is_stdin ? "<stdin>" : path;
    /* A FIFO or device named on the command line is a stream like stdin:
       reading its identity would consume what the scan must read. */
    if (!is_stdin && stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        sid.dev = (uint64_t)sb.st_dev;
        sid.ino = (uint64_t)sb.st_ino;
        stream = true;
    } else if (!is_stdin) {
        /* Open once to read the identity; the scan opens it again. */
        ro = reader_opts(sc, path, false);
        ro.first_line_only = true;
        if (hb_reader_open(&r, path, &ro, d) != HB_OK) {
            p->failed = true;
            return HB_OK;
        }
        if (stat(path, &sb) == 0) {
            sid.dev = (uint64_t)sb.st_dev;
            sid.ino = (uint64_t)sb.st_ino;
            sid.size = (uint64_t)sb.st_size;
        }
        {
            struct hb_str first = hb_reader_first_line(r);

            sid.first_hash = hb_hash64(first.p, first.n, HB_HASH_SEED);
        }
        sid.gzip = hb_reader_is_gzip(r);
        hb_reader_close(r);
        if (hb_walk_k8s(path, ns, sizeof ns, pod, sizeof pod, ct, sizeof ct)) {
            sid.k8s_namespace = ns;
            sid.k8s_pod = pod;
            sid.k8s_container = ct;
        }
    }
    /* stdin and other streams cannot be resumed: always read whole. */
    rc = hb_store_source_begin(sc->store, &sid,
                               sc->opts.rescan || is_stdin || stream, &st, d);
    if (rc != HB_OK)
        return rc;
    p->source_id = st.id;
    p->offset = st.offset;
    p->line = st.line;
    p->skip = st.skip;
    p->unchanged = st.unchanged;
    if (st.skip && sc->opts.verbose)
        fprintf(stderr, "hbscan: %s: already scanned, skipped\n", path);
    return HB_OK;
}

/*
 * Whether physical line ln starts a segment: no partial line is held and,
 * unwrapped afresh, it is a header line of some format (of the forced one
 * with --input-format). Which format the assembler's hint would pick does
 * not matter: every format is tried when the hint fails.
 */
static bool is_boundary(struct session *ss, const struct hb_line *ln)
{
    struct hb_line logical;
    struct hb_header h;
    const struct hb_format *forced = ss->sc->forced;
    bool ok;

    if (hb_unwrap_pending(ss->uw))
        return false;
    if (ss->probe == NULL)
        ss->probe = hb_unwrap_new(NULL);
    ok = hb_unwrap_feed(ss->probe, ln, &logical) &&
         hb_format_parse(forced, forced != NULL, logical.text, logical.len,
                         &h) != NULL;
    hb_unwrap_reset(ss->probe);
    return ok;
}

/* Sends a commit point to k; as (may be NULL) gives the formats so far. */
static void mark_to(struct sink *k, const struct hb_asm *as, uint64_t off,
                    uint64_t line, bool complete, bool keep_format)
{
    struct seg_mark m;

    memset(&m, 0, sizeof m);
    m.offset = off;
    m.line = line;
    if (as)
        m.fmts = *hb_asm_formats(as);
    m.complete = complete;
    m.keep_format = keep_format;
    k->mark(k, &m);
}

static void send_mark(struct session *ss, uint64_t off, uint64_t line,
                      bool complete)
{
    mark_to(ss->sink, ss->as, off, line, complete, false);
    ss->rows = false;
}

/* Ends the segment before boundary line ln. */
static void end_segment(struct session *ss, const struct hb_line *ln)
{
    struct hb_record rec;

    if (hb_asm_flush(ss->as, &rec))
        handle_record(ss, &rec);
    flush_runs(ss, true);
    send_mark(ss, ln->offset, ln->lineno - 1, false);
}

/* A split piece without a boundary of its own: nothing to read, nothing to
 * mark. */
static bool empty_piece(struct session *ss)
{
    ss->sink->begin(ss->sink, UINT64_MAX);
    ss->stopped = true;
    ss->stop_offset = ss->start_offset;
    return false;
}

/*
 * Opens path for piece pc. A piece that starts at a grid point reads to
 * the first boundary before the next grid point and numbers it line 1;
 * none there: the piece is empty. begin is sent for such pieces. false:
 * nothing to read (fs->io_error set when it could not be opened, and
 * reported when report).
 */
static bool sess_open(struct session *ss, const struct hb_scan *sc,
                      struct hb_matcher *m, const char *path,
                      const struct piece *pc, struct sink *sink,
                      struct fstats *fs, bool report)
{
    struct hb_asm_opts ao;
    struct hb_diag d;
    bool is_stdin = strcmp(path, "-") == 0;

    memset(ss, 0, sizeof *ss);
    ss->sc = sc;
    ss->matcher = m;
    ss->sink = sink;
    ss->fs = fs;
    ss->name = is_stdin ? "<stdin>" : path;
    ss->ro = reader_opts(sc, path, is_stdin);
    if (hb_reader_open(&ss->r, is_stdin ? "-" : path, &ss->ro, &d) != HB_OK) {
        if (report)
            hb_diag_print(&d, stderr);
        fs->io_error = true;
        return false;
    }
    fs->sourced = true;
    ss->uw = hb_unwrap_new(NULL);
    memset(&ao, 0, sizeof ao);
    ao.max_lines = sc->opts.max_record_lines;
    ao.max_bytes = sc->opts.max_record_bytes;
    ao.forced = sc->forced;
    ao.defer_chain = true; /* handle_record parses it */
    ss->as = hb_asm_new(ss->name, &ao);
    ss->single = pc->single;
    ss->start_offset = pc->start;
    ss->ck_offset = pc->start;
    if (!pc->exact) {
        /* A split piece: the line holding byte start - 1 belongs to the
         * piece before; then the first boundary before the next grid. */
        struct hb_line ln;
        uint64_t limit;

        ss->seg = scan_segment_bytes(sc);
        limit = grid_after(ss, pc->start);
        if (hb_reader_skip(ss->r, pc->start - 1, 0, &d) != HB_OK ||
            hb_reader_next(ss->r, &ln, &d) != HB_OK) {
            return empty_piece(ss);
        }
        for (;;) {
            if (hb_reader_next(ss->r, &ln, &d) != HB_OK || ln.offset >= limit)
                return empty_piece(ss);
            if (is_boundary(ss, &ln))
                break;
        }
        sink->begin(sink, ln.offset);
        hb_reader_set_lineno(ss->r, 1);
        ln.lineno = ln.lineno_last = 1;
        ss->start_offset = ss->ck_offset = ln.offset;
        ss->next_grid = grid_after(ss, ln.offset);
        ss->lastline = 1;
        fs->lines++;
        if (ln.truncated)
            fs->truncated++;
        {
            struct hb_line logical;
            struct hb_record rec;

            if (hb_unwrap_feed(ss->uw, &ln, &logical) &&
                hb_asm_feed(ss->as, &logical, &rec))
                handle_record(ss, &rec);
        }
        return true;
    }
    ss->seg = pc->follow ? 0 : scan_segment_bytes(sc);
    if (pc->start > 0) {
        if (hb_reader_skip(ss->r, pc->start, 0, &d) != HB_OK) {
            /* Shorter than the stored offset: read it all again. */
            hb_reader_close(ss->r);
            if (hb_reader_open(&ss->r, path, &ss->ro, &d) != HB_OK) {
                if (report)
                    hb_diag_print(&d, stderr);
                fs->io_error = true;
                return false;
            }
            ss->start_offset = ss->ck_offset = 0;
        } else if (sc->opts.verbose) {
            fprintf(stderr, "hbscan: %s: resuming at line %llu\n", ss->name,
                    (unsigned long long)pc->line + 1);
        }
    }
    sink->begin(sink, ss->start_offset);
    ss->next_grid = grid_after(ss, ss->start_offset);
    return true;
}

/* Reads every line available now, up to the boundary of a single piece. */
static void sess_pump(struct session *ss)
{
    struct hb_line line, logical;
    struct hb_record rec;
    struct hb_diag d;
    struct hb_progress *pg = ss->sc->progress;
    enum hb_status rc;
    uint64_t reported = hb_reader_offset(ss->r);

    ss->lines_pumped = 0;
    while (!ss->stopped) {
        rc = hb_reader_next(ss->r, &line, &d);
        if (rc == HB_EOF)
            break;
        if ((ss->lines_pumped & 8191) == 8191 && pg) {
            uint64_t off = hb_reader_offset(ss->r);

            hb_progress_bytes(pg, off - reported);
            reported = off;
            if (ss->tick)
                hb_progress_tick(pg, ss->sc->stats.incidents);
        }
        if (rc != HB_OK) {
            hb_diag_print(&d, stderr);
            ss->fs->io_error = true;
            break;
        }
        if (line.offset >= ss->next_grid && is_boundary(ss, &line)) {
            end_segment(ss, &line);
            if (ss->single) {
                ss->stopped = true;
                ss->stop_offset = line.offset;
                break;
            }
            hb_asm_reset(ss->as);
            ss->next_grid = grid_after(ss, line.offset);
        }
        ss->lastline = line.lineno;
        ss->fs->lines++;
        if (line.truncated)
            ss->fs->truncated++;
        ss->lines_pumped++;
        if (!hb_unwrap_feed(ss->uw, &line, &logical))
            continue;
        if (hb_asm_feed(ss->as, &logical, &rec))
            handle_record(ss, &rec);
    }
    if (pg)
        hb_progress_bytes(pg, hb_reader_offset(ss->r) - reported);
}

/* Ends the pending record (end of input or a quiet interval) and marks
 * the offset of everything consumed; complete: the source is finished for
 * good (a gzip read to its end). */
static void sess_flush(struct session *ss, bool complete)
{
    struct hb_line logical;
    struct hb_record rec;
    uint64_t off = ss->ck_offset, line = ss->ck_line;

    if (ss->stopped)
        return; /* the boundary was marked */
    /* One held partial per stream (stdout, stderr): drain them all. */
    while (hb_unwrap_flush(ss->uw, &logical))
        if (hb_asm_feed(ss->as, &logical, &rec))
            handle_record(ss, &rec);
    if (hb_asm_flush(ss->as, &rec))
        handle_record(ss, &rec);
    flush_runs(ss, true);
    /* Everything complete was read: the offset is the reader's (a held
     * partial line excluded), unless reading failed midway. */
    if (!ss->fs->io_error) {
        off = hb_reader_offset(ss->r);
        line = ss->lastline;
    }
    send_mark(ss, off, line, complete && !ss->fs->io_error);
}

/* Flushes, counts and closes. */
static void sess_close(struct session *ss)
{
    struct fstats *fs = ss->fs;

    if (ss->r == NULL)
        return;
    sess_flush(ss, hb_reader_is_gzip(ss->r));
    fs->bytes += (ss->stopped ? ss->stop_offset : hb_reader_offset(ss->r)) -
                 ss->start_offset;
    fs->records += hb_asm_records(ss->as);
    fs->cut += hb_asm_cut(ss->as);
    if (fs->wrapper == NULL)
        fs->wrapper = hb_unwrap_kind(ss->uw);
    hb_asm_free(ss->as);
    hb_unwrap_free(ss->uw);
    hb_unwrap_free(ss->probe);
    hb_reader_close(ss->r);
    ss->as = NULL;
    ss->uw = ss->probe = NULL;
    ss->r = NULL;
}

void scan_piece(const struct hb_scan *sc, struct hb_matcher *m,
                const char *path, const struct piece *pc, struct sink *sink,
                struct fstats *fs, bool tick)
{
    struct session *ss = hb_xmalloc(sizeof *ss);

    if (sess_open(ss, sc, m, path, pc, sink, fs, true)) {
        ss->tick = tick;
        sess_pump(ss);
        sess_close(ss);
    } else {
        sess_close(ss);
    }
    free(ss);
}

void scan_source_done(struct hb_scan *sc, const char *path,
                      const struct fstats *fs, const struct direct *s)
{
    if (fs->sourced)
        sc->stats.sources++;
    sc->stats.lines += fs->lines;
    sc->stats.records += fs->records;
    sc->stats.bytes += fs->bytes;
    sc->stats.truncated += fs->truncated;
    sc->stats.cut += fs->cut;
    if (fs->io_error)
        sc->input_errors++;
    if (sc->opts.verbose && fs->sourced)
        fprintf(stderr, "hbscan: %s: format %s%s%s, %llu lines, %llu records\n",
                strcmp(path, "-") == 0 ? "<stdin>" : path,
                hb_fmt_tally_best(&s->fmts), fs->wrapper ? " in " : "",
                fs->wrapper ? fs->wrapper : "",
                (unsigned long long)s->line_base,
                (unsigned long long)fs->records);
    hb_progress_file_done(sc->progress, sc->stats.incidents);
}

void scan_unchanged(struct hb_scan *sc, const char *path)
{
    sc->stats.sources++;
    if (sc->opts.verbose)
        fprintf(stderr, "hbscan: %s: nothing new since the last scan\n", path);
    hb_progress_file_done(sc->progress, sc->stats.incidents);
}

enum hb_status scan_one(struct hb_scan *sc, const char *path)
{
    struct prep p;
    struct direct s;
    struct fstats fs;
    struct piece pc;
    struct hb_diag d;
    enum hb_status rc = scan_prepare(sc, path, &p, &d);

    if (rc != HB_OK) {
        hb_diag_print(&d, stderr);
        return rc;
    }
    if (p.failed) {
        hb_diag_print(&d, stderr);
        sc->input_errors++;
        return HB_OK;
    }
    if (p.skip)
        return HB_OK;
    if (p.unchanged) {
        scan_unchanged(sc, path);
        return HB_OK;
    }
    memset(&fs, 0, sizeof fs);
    memset(&pc, 0, sizeof pc);
    pc.start = p.offset;
    pc.line = p.line;
    pc.exact = true;
    direct_init(&s, sc, p.source_id);
    s.line_base = p.line;
    s.pos = p.offset;
    scan_piece(sc, sc->matcher, path, &pc, &s.base, &fs, true);
    direct_piece_done(&s);
    scan_source_done(sc, path, &fs, &s);
    direct_report(&s);
    return s.rc;
}

static enum hb_status scan_serial(struct hb_scan *sc, char *const *paths,
                                  size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        enum hb_status rc = scan_one(sc, paths[i]);

        if (rc != HB_OK)
            return rc;
    }
    return HB_OK;
}

/* Whether a path is standard input or another stream (a FIFO, a device),
   whose reads may block for as long as its writer likes. */
static bool any_stream(char *const *paths, size_t n)
{
    struct stat sb;
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(paths[i], "-") == 0 ||
            (stat(paths[i], &sb) == 0 && !S_ISREG(sb.st_mode)))
            return true;
    return false;
}

enum hb_status hb_scan_files(struct hb_scan *sc, char *const *paths, size_t n)
{
    enum hb_status rc;

    /* regex time is only shown by -v: do not pay two clock reads per
       pattern otherwise */
    if (sc->matcher)
        hb_matcher_set_timing(sc->matcher, sc->opts.verbose);
    /* The time bound is looked at only at segment ends: a batch held open
       across a blocking read would keep what came before it uncommitted,
       and the write lock taken, while it blocks. */
    if (sc->store && !any_stream(paths, n))
        hb_store_defer_commits(sc->store, sc->opts.commit_rows, COMMIT_MS);
    if (sc->opts.jobs <= 1 || sc->on_incident)
        rc = scan_serial(sc, paths, n);
    else
        rc = scan_parallel(sc, paths, n, sc->opts.jobs);
    if (sc->store) {
        struct hb_diag d;

        hb_store_defer_commits(sc->store, 0, 0);
        if (!sc->store_failed && hb_store_flush(sc->store, &d) != HB_OK) {
            hb_diag_print(&d, stderr);
            sc->store_failed = true;
            rc = HB_EDB;
        }
    }
    return rc;
}

/* ---- follow mode ------------------------------------------------------ */

struct hb_tail {
    struct hb_scan *sc;
    char *path; /* owned */
    struct prep prep;
    struct direct sink;
    struct fstats fs;
    struct session *ss; /* owned while open */
    bool open;
    uint64_t dev, ino;
    bool dirty;   /* records handed out since the last commit */
    bool done;    /* a finished gzip: never polled again */
    bool failing; /* the last start failed and was reported: the
                     retries at every poll stay silent */
};

/* Commits the position prepare or the last record left, keeping the
 * stored format. */
static void tail_commit(struct hb_tail *t, uint64_t off, uint64_t line,
                        bool keep_format)
{
    mark_to(&t->sink.base, t->ss && t->open ? t->ss->as : NULL, off, line,
            false, keep_format);
}

static bool tail_start(struct hb_tail *t)
{
    struct hb_diag d;
    struct stat st;
    struct piece pc;

    if (scan_prepare(t->sc, t->path, &t->prep, &d) != HB_OK) {
        hb_diag_print(&d, stderr);
        t->sc->store_failed = true;
        return false;
    }
    if (t->prep.failed) {
        if (!t->failing)
            hb_diag_print(&d, stderr);
        t->failing = true;
        return false;
    }
    memset(&t->fs, 0, sizeof t->fs);
    direct_init(&t->sink, t->sc, t->prep.source_id);
    t->sink.line_base = t->prep.line;
    t->sink.pos = t->prep.offset;
    if (t->prep.skip) {
        /* A gzip already read to its end cannot grow: nothing to follow.
         * Commit what prepare wrote so the database is not held. */
        if (t->sc->store)
            tail_commit(t, t->prep.offset, 0, true);
        t->done = true;
        return false;
    }
    /* A plain source already read whole: resume at its end. */
    memset(&pc, 0, sizeof pc);
    pc.start = t->prep.offset;
    pc.line = t->prep.line;
    pc.exact = true;
    pc.follow = true;
    t->ss = hb_xmalloc(sizeof *t->ss);
    if (!sess_open(t->ss, t->sc, t->sc->matcher, t->path, &pc, &t->sink.base,
                   &t->fs, !t->failing)) {
        free(t->ss);
        t->ss = NULL;
        t->failing = true;
        return false;
    }
    t->open = true;
    t->failing = false;
    /* Commit what prepare wrote: a file with nothing new would otherwise
       keep the write transaction, and the database locked, until it grows. */
    if (t->sc->store)
        tail_commit(t, t->ss->ck_offset, t->ss->ck_line, true);
    if (stat(t->path, &st) == 0) {
        t->dev = (uint64_t)st.st_dev;
        t->ino = (uint64_t)st.st_ino;
    }
    return true;
}

static void tail_stop(struct hb_tail *t)
{
    if (!t->open)
        return;
    sess_close(t->ss);
    free(t->ss);
    t->ss = NULL;
    direct_piece_done(&t->sink);
    scan_source_done(t->sc, t->path, &t->fs, &t->sink);
    direct_report(&t->sink);
    t->open = false;
}

struct hb_tail *hb_tail_open(struct hb_scan *sc, const char *path)
{
    struct hb_tail *t = hb_xcalloc(1, sizeof *t);

    t->sc = sc;
    t->path = hb_xstrdup(path);
    tail_start(t);
    return t;
}

uint64_t hb_tail_poll(struct hb_tail *t)
{
    struct stat st;
    uint64_t n = 0;

    if (t->done)
        return 0;
    if (!t->open) {
        if (stat(t->path, &st) != 0 || !tail_start(t))
            return 0; /* not there (yet) */
    }
    hb_reader_rearm(t->ss->r, true);
    sess_pump(t->ss);
    n += t->ss->lines_pumped;
    if (stat(t->path, &st) == 0) {
        bool rotated =
            (uint64_t)st.st_ino != t->ino || (uint64_t)st.st_dev != t->dev;
        bool truncated =
            !rotated && (uint64_t)st.st_size < hb_reader_offset(t->ss->r);

        if (rotated) {
            /* Drain the old file, its partial last line included. */
            hb_reader_rearm(t->ss->r, false);
            sess_pump(t->ss);
            n += t->ss->lines_pumped;
        }
        if (rotated || truncated) {
            tail_stop(t);
            if (tail_start(t)) {
                sess_pump(t->ss);
                n += t->ss->lines_pumped;
            }
        }
    }
    if (n)
        t->dirty = true;
    /* Commit what complete records produced, so a restart continues here. */
    if (t->open && t->dirty && t->sc->store && t->ss->rows) {
        flush_runs(t->ss, true);
        tail_commit(t, t->ss->ck_offset, t->ss->ck_line, false);
    }
    return n;
}

void hb_tail_flush(struct hb_tail *t)
{
    if (!t->open || !t->dirty)
        return;
    sess_flush(t->ss, false);
    t->dirty = false;
}

const char *hb_tail_path(const struct hb_tail *t)
{
    return t->path;
}

void hb_tail_close(struct hb_tail *t)
{
    if (t == NULL)
        return;
    tail_stop(t);
    free(t->path);
    free(t);
}

void hb_scan_fini(struct hb_scan *sc)
{
    unsigned k;

    for (k = 0; k < sc->nworker_matchers; k++)
        hb_matcher_free(sc->worker_matchers[k]);
    free(sc->worker_matchers);
    sc->worker_matchers = NULL;
    sc->nworker_matchers = 0;
}

void hb_scan_rule_stats(const struct hb_scan *sc, size_t rule,
                        struct hb_rule_stats *out)
{
    unsigned k;

    memset(out, 0, sizeof *out);
    if (sc->matcher) {
        *out = *hb_matcher_stats(sc->matcher, rule);
    }
    for (k = 0; k < sc->nworker_matchers; k++) {
        const struct hb_rule_stats *s;

        if (sc->worker_matchers[k] == NULL)
            continue;
        s = hb_matcher_stats(sc->worker_matchers[k], rule);
        out->tried += s->tried;
        out->hits += s->hits;
        out->limit_hits += s->limit_hits;
        out->nanos += s->nanos;
    }
}

void hb_incident_line(FILE *fp, const struct hb_incident *inc)
{
    char ts[40] = "-";

    if (inc->ts_ms != HB_NO_TIME)
        hb_time_format(inc->ts_ms, ts, sizeof ts);
    fprintf(fp, "%s %s:%llu %s %s: %s\n", ts, inc->source,
            (unsigned long long)inc->evidence_line, hb_cause_name(inc->cause),
            inc->rule_id ? inc->rule_id : "unclassified", inc->evidence);
    fflush(fp);
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
    json_key_str(b, "event",
                 inc->event != HB_EV_NONE ? hb_event_name(inc->event) : NULL);
    json_key_str(b, "exception", inc->exc_class);
    json_key_str(b, "message", inc->message);
    json_key_str(b, "rule_id", inc->rule_id);
    json_key_str(b, "cause", hb_cause_name(inc->cause));
    json_key_str(b, "severity",
                 inc->nhits ? hb_severity_name(inc->severity) : NULL);
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
