/*
 * scan.c - drives sources through the pipeline and hands incidents and
 * observations to the sinks (store, diagnosis, NDJSON). Offsets are
 * checkpointed only at record boundaries, together with the rows they
 * produced, so an interrupted scan resumes exactly where its last commit
 * ended. With --jobs, workers parse files into bounded per-file event
 * queues and this thread replays them in file order.
 */
#include "scan.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract.h"
#include "progress.h"
#include "reader.h"
#include "record.h"
#include "timeparse.h"
#include "unwrap.h"
#include "util.h"
#include "walk.h"

#define OBS_RUNS    128          /* observation runs tracked per source */
#define QUEUE_CHUNK (256 * 1024) /* bytes per event chunk */
/* Chunks a worker may run ahead: a worker blocks when its file is this far
 * ahead of the consumer (3 MiB per worker). */
#define QUEUE_DEPTH 12

/* Where a source resumes, decided by the store before reading. */
struct prep {
    int64_t source_id;
    uint64_t offset, line;
    bool skip;   /* nothing new to read */
    bool failed; /* could not even be opened (reported, counted) */
};

/* Counters of one source, summed into hb_input_stats by the consumer. */
struct fstats {
    uint64_t lines, records, bytes, truncated, cut, incidents;
    bool sourced; /* opened: counts as a source */
    bool io_error;
};

/* Where a source's events go: straight to the sinks, or into a queue. */
struct sink {
    void (*incident)(struct sink *k, const struct hb_incident *inc,
                     const struct hb_record *rec);
    void (*obs)(struct sink *k, const struct hb_obs *o);
    /* complete: the source was read to its end (a gzip is then skipped
     * when seen again). */
    void (*checkpoint)(struct sink *k, uint64_t off, uint64_t line,
                       const char *fmt, bool complete);
};

/* The direct sink: store, diagnosis, NDJSON, hook. */
struct direct {
    struct sink base;
    struct hb_scan *sc;
    int64_t source_id;
    enum hb_status rc; /* first store failure */
    struct hb_diag d;
};

static void direct_incident(struct sink *k, const struct hb_incident *inc,
                            const struct hb_record *rec)
{
    struct direct *s = (struct direct *)k;
    struct hb_scan *sc = s->sc;

    sc->stats.incidents++;
    if (sc->dx)
        hb_dx_add_incident(sc->dx, inc);
    if (sc->store && s->rc == HB_OK)
        s->rc = hb_store_put_incident(sc->store, s->source_id, inc, &s->d);
    if (s->rc != HB_OK)
        sc->store_failed = true;
    if (sc->ndjson) {
        struct hb_buf b;

        hb_buf_init(&b);
        hb_incident_json(&b, inc);
        hb_buf_putc(&b, '\n');
        fwrite(b.data, 1, b.len, sc->ndjson);
        hb_buf_fini(&b);
    }
    if (sc->live)
        hb_incident_line(sc->live, inc);
    if (sc->on_incident && rec)
        sc->on_incident(sc->ctx, inc, rec);
}

static void direct_obs(struct sink *k, const struct hb_obs *o)
{
    struct direct *s = (struct direct *)k;

    if (s->sc->dx)
        hb_dx_add_obs(s->sc->dx, o);
    if (s->sc->store && s->rc == HB_OK)
        s->rc = hb_store_put_obs(s->sc->store, s->source_id, o, &s->d);
    if (s->rc != HB_OK)
        s->sc->store_failed = true;
}

static void direct_checkpoint(struct sink *k, uint64_t off, uint64_t line,
                              const char *fmt, bool complete)
{
    struct direct *s = (struct direct *)k;

    if (s->sc->store && s->rc == HB_OK)
        s->rc = hb_store_checkpoint(s->sc->store, s->source_id, off, line, fmt,
                                    &s->d);
    if (complete && s->sc->store && s->rc == HB_OK)
        s->rc = hb_store_source_done(s->sc->store, s->source_id, &s->d);
    if (s->rc != HB_OK)
        s->sc->store_failed = true;
}

static void direct_init(struct direct *s, struct hb_scan *sc, int64_t id)
{
    memset(s, 0, sizeof *s);
    s->base.incident = direct_incident;
    s->base.obs = direct_obs;
    s->base.checkpoint = direct_checkpoint;
    s->sc = sc;
    s->source_id = id;
    /* After a store failure nothing more is written to it. */
    s->rc = sc->store_failed ? HB_EDB : HB_OK;
}

/* Prints the store failure this sink met; a sink opened after an earlier
 * failure (rc preset, no message) has nothing new to say. */
static void direct_report(const struct direct *s)
{
    if (s->rc != HB_OK && s->d.msg[0])
        hb_diag_print(&s->d, stderr);
}

/* Per-source pipeline state. */
struct source_run {
    const struct hb_scan *sc;
    struct hb_matcher *matcher;
    struct sink *sink;
    struct fstats *fs;
    const char *name;   /* stable: the file list's path or "<stdin>" */
    unsigned rows;      /* rows since the last checkpoint */
    uint64_t ck_offset; /* last record boundary */
    uint64_t ck_line;
    /*
     * Runs of identical observations (a heartbeat-ok every 5 s, the same
     * address on every connection line): the first of a run is emitted at
     * once, the latest is held and emitted when the run ends (an incident,
     * a checkpoint, the end of the source). A run of a thousand heartbeats
     * becomes two rows, its first and its last.
     */
    struct {
        uint64_t key;
        bool pending; /* last holds an unemitted repeat */
        struct hb_obs last;
    } runs[OBS_RUNS];
    unsigned nruns, next_evict;
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

static void emit_obs(struct source_run *sr, const struct hb_obs *o)
{
    sr->sink->obs(sr->sink, o);
    sr->rows++;
}

/*
 * Emits every held repeat. forget: also end the runs, so the next
 * observation starts afresh — done at every checkpoint, so a scan resumed
 * there emits exactly what an uninterrupted scan emits.
 */
static void flush_runs(struct source_run *sr, bool forget)
{
    unsigned i;

    for (i = 0; i < sr->nruns; i++) {
        if (sr->runs[i].pending)
            emit_obs(sr, &sr->runs[i].last);
        sr->runs[i].pending = false;
    }
    if (forget) {
        sr->nruns = 0;
        sr->next_evict = 0;
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
    struct source_run *sr = ctx;
    struct hb_obs copy = *o;
    uint64_t key;
    unsigned i;

    copy.source = sr->name;
    key = obs_run_key(&copy);
    for (i = 0; i < sr->nruns; i++) {
        if (sr->runs[i].key == key) {
            sr->runs[i].last = copy;
            sr->runs[i].pending = true;
            return;
        }
    }
    emit_obs(sr, &copy);
    if (sr->nruns < OBS_RUNS) {
        i = sr->nruns++;
    } else {
        /* Table full: end the oldest run to make room. */
        i = sr->next_evict;
        sr->next_evict = (sr->next_evict + 1) % OBS_RUNS;
        if (sr->runs[i].pending)
            emit_obs(sr, &sr->runs[i].last);
    }
    sr->runs[i].key = key;
    sr->runs[i].pending = false;
}

static void handle_record(struct source_run *sr, const struct hb_record *rec)
{
    const struct hb_scan *sc = sr->sc;
    struct hb_polaris pol;
    struct hb_hit hits[HB_MAX_HITS];
    int nhits = 0;

    sr->fs->records++;
    hb_extract(rec, &pol);
    if (sr->matcher && worth_matching(rec, &pol))
        nhits = hb_matcher_run(sr->matcher, rec, &pol, sc->opts.only_rule, hits,
                               HB_MAX_HITS);
    if (nhits > 0 || (pol.failure && sc->opts.only_rule == NULL)) {
        struct hb_incident inc;

        hb_incident_build(&inc, rec, &pol, hits, nhits);
        inc.source = sr->name;
        sr->fs->incidents++;
        flush_runs(sr, false); /* successes before the failure, in order */
        sr->sink->incident(sr->sink, &inc, rec);
        sr->rows++;
    }
    if (pol.polaris || pol.nfacts || pol.event != HB_EV_NONE)
        hb_obs_from_record(rec, &pol, obs_cb, sr);
    sr->ck_offset = rec->end_offset;
    sr->ck_line = rec->last_line;
    if (sc->store && sr->rows >= HB_CHECKPOINT_ROWS) {
        flush_runs(sr, true);
        sr->sink->checkpoint(sr->sink, sr->ck_offset, sr->ck_line, rec->format,
                             false);
        sr->rows = 0;
    }
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
static enum hb_status prepare(struct hb_scan *sc, const char *path,
                              struct prep *p, struct hb_diag *d)
{
    struct hb_source_id sid;
    struct hb_source_state st;
    struct hb_reader *r = NULL;
    struct hb_reader_opts ro;
    struct stat sb;
    bool is_stdin = strcmp(path, "-") == 0;
    char ns[64], pod[128], ct[64];
    enum hb_status rc;

    memset(p, 0, sizeof *p);
    if (sc->store == NULL)
        return HB_OK;
    memset(&sid, 0, sizeof sid);
    sid.path = is_stdin ? "<stdin>" : path;
    if (!is_stdin) {
        /* Open once to read the identity; the scan opens it again. */
        ro = reader_opts(sc, path, false);
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
    /* stdin cannot be resumed: it is always read whole. */
    rc = hb_store_source_begin(sc->store, &sid, sc->opts.rescan || is_stdin,
                               &st, d);
    if (rc != HB_OK)
        return rc;
    p->source_id = st.id;
    p->offset = st.offset;
    p->line = st.line;
    p->skip = st.skip;
    if (st.skip && sc->opts.verbose)
        fprintf(stderr, "hbscan: %s: already scanned, skipped\n", path);
    return HB_OK;
}

/* An open source: reader, unwrapper and assembler with their state. */
struct session {
    struct source_run sr;
    struct hb_reader_opts ro;
    struct hb_reader *r;
    struct hb_unwrap *uw;
    struct hb_asm *as;
    const char *path;
    uint64_t start_offset;
    uint64_t lastline;
    uint64_t lines_pumped; /* lines read by the last pump */
    bool tick;             /* this thread may redraw the progress line */
};

/* Opens path at p's offset. false: fs->io_error set, and reported when
 * report. */
static bool sess_open(struct session *ss, const struct hb_scan *sc,
                      struct hb_matcher *m, const char *path,
                      const struct prep *p, struct sink *sink,
                      struct fstats *fs, bool report)
{
    struct source_run *sr = &ss->sr;
    struct hb_asm_opts ao;
    struct hb_diag d;
    bool is_stdin = strcmp(path, "-") == 0;

    memset(ss, 0, sizeof *ss);
    ss->path = path;
    sr->sc = sc;
    sr->matcher = m;
    sr->sink = sink;
    sr->fs = fs;
    sr->name = is_stdin ? "<stdin>" : path;
    ss->ro = reader_opts(sc, path, is_stdin);
    if (hb_reader_open(&ss->r, is_stdin ? "-" : path, &ss->ro, &d) != HB_OK) {
        if (report)
            hb_diag_print(&d, stderr);
        fs->io_error = true;
        return false;
    }
    fs->sourced = true;
    sr->ck_offset = p->offset;
    sr->ck_line = p->line;
    if (p->offset > 0) {
        if (hb_reader_skip(ss->r, p->offset, p->line, &d) != HB_OK) {
            /* Shorter than the stored offset: read it all again. */
            hb_reader_close(ss->r);
            if (hb_reader_open(&ss->r, path, &ss->ro, &d) != HB_OK) {
                if (report)
                    hb_diag_print(&d, stderr);
                fs->io_error = true;
                return false;
            }
            sr->ck_offset = sr->ck_line = 0;
        } else {
            ss->start_offset = p->offset;
            if (sc->opts.verbose)
                fprintf(stderr, "hbscan: %s: resuming at line %llu\n", sr->name,
                        (unsigned long long)p->line + 1);
        }
    }
    ss->lastline = sr->ck_line;
    ss->uw = hb_unwrap_new(NULL);
    memset(&ao, 0, sizeof ao);
    ao.max_lines = sc->opts.max_record_lines;
    ao.max_bytes = sc->opts.max_record_bytes;
    ao.forced = sc->forced;
    ss->as = hb_asm_new(sr->name, &ao);
    return true;
}

/* Reads every line available now. */
static void sess_pump(struct session *ss)
{
    struct hb_line line, logical;
    struct hb_record rec;
    struct hb_diag d;
    enum hb_status rc;

    uint64_t reported = hb_reader_offset(ss->r);

    ss->lines_pumped = 0;
    for (;;) {
        rc = hb_reader_next(ss->r, &line, &d);
        if (rc == HB_EOF)
            break;
        if ((ss->lines_pumped & 8191) == 8191 && ss->sr.sc->progress) {
            uint64_t off = hb_reader_offset(ss->r);

            hb_progress_bytes(ss->sr.sc->progress, off - reported);
            reported = off;
            if (ss->tick)
                hb_progress_tick(ss->sr.sc->progress,
                                 ss->sr.sc->stats.incidents);
        }
        if (rc != HB_OK) {
            hb_diag_print(&d, stderr);
            ss->sr.fs->io_error = true;
            break;
        }
        ss->lastline = line.lineno;
        ss->sr.fs->lines++;
        ss->lines_pumped++;
        if (!hb_unwrap_feed(ss->uw, &line, &logical))
            continue;
        if (hb_asm_feed(ss->as, &logical, &rec))
            handle_record(&ss->sr, &rec);
    }
    hb_progress_bytes(ss->sr.sc->progress, hb_reader_offset(ss->r) - reported);
}

/* Ends the pending record (end of input or a quiet interval). When
 * checkpoint, commits the offset of everything consumed; complete: the
 * source is finished for good (a gzip read to its end). */
static void sess_flush(struct session *ss, bool checkpoint, bool complete)
{
    struct hb_line logical;
    struct hb_record rec;
    struct fstats *fs = ss->sr.fs;

    /* One held partial per stream (stdout, stderr): drain them all. */
    while (hb_unwrap_flush(ss->uw, &logical))
        if (hb_asm_feed(ss->as, &logical, &rec))
            handle_record(&ss->sr, &rec);
    if (hb_asm_flush(ss->as, &rec))
        handle_record(&ss->sr, &rec);
    flush_runs(&ss->sr, true);
    if (checkpoint && ss->sr.sc->store) {
        /* Everything complete was read: the offset is the reader's (a
         * held partial line excluded), unless reading failed midway. */
        if (!fs->io_error) {
            ss->sr.ck_offset = hb_reader_offset(ss->r);
            ss->sr.ck_line = ss->lastline;
        }
        ss->sr.sink->checkpoint(ss->sr.sink, ss->sr.ck_offset, ss->sr.ck_line,
                                hb_asm_format(ss->as),
                                complete && !fs->io_error);
        ss->sr.rows = 0;
    }
}

/* Flushes, counts and closes. */
static void sess_close(struct session *ss)
{
    struct fstats *fs = ss->sr.fs;

    if (ss->r == NULL)
        return;
    sess_flush(ss, true, hb_reader_is_gzip(ss->r));
    fs->bytes += hb_reader_offset(ss->r) - ss->start_offset;
    fs->truncated += hb_reader_truncated(ss->r);
    fs->cut += hb_asm_cut(ss->as);
    if (ss->sr.sc->opts.verbose)
        fprintf(stderr, "hbscan: %s: format %s%s%s, %llu lines, %llu records\n",
                ss->sr.name, hb_asm_format(ss->as),
                hb_unwrap_kind(ss->uw) ? " in " : "",
                hb_unwrap_kind(ss->uw) ? hb_unwrap_kind(ss->uw) : "",
                (unsigned long long)ss->lastline,
                (unsigned long long)hb_asm_records(ss->as));
    hb_asm_free(ss->as);
    hb_unwrap_free(ss->uw);
    hb_reader_close(ss->r);
    ss->as = NULL;
    ss->uw = NULL;
    ss->r = NULL;
}

/*
 * Runs one source through the pipeline into sink. Safe to call from a
 * worker thread: it touches only its own objects, the read-only ruleset
 * and the matcher it is given.
 */
static void scan_source(const struct hb_scan *sc, struct hb_matcher *m,
                        const char *path, const struct prep *p,
                        struct sink *sink, struct fstats *fs, bool tick)
{
    struct session ss;

    if (!sess_open(&ss, sc, m, path, p, sink, fs, true))
        return;
    ss.tick = tick;
    sess_pump(&ss);
    sess_close(&ss);
}

static void add_stats(struct hb_scan *sc, const struct fstats *fs)
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
}

/* Prepares and scans one source in this thread, straight into the sinks.
 * Returns the store status. */
static enum hb_status scan_one(struct hb_scan *sc, const char *path)
{
    struct prep p;
    struct direct s;
    struct fstats fs;
    struct hb_diag d;
    enum hb_status rc = prepare(sc, path, &p, &d);

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
    memset(&fs, 0, sizeof fs);
    direct_init(&s, sc, p.source_id);
    scan_source(sc, sc->matcher, path, &p, &s.base, &fs, true);
    add_stats(sc, &fs);
    hb_progress_file_done(sc->progress, sc->stats.incidents);
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

/* ---- parallel: per-file event queues ---------------------------------- */

enum ev_type { EV_INCIDENT = 1, EV_OBS, EV_CHECKPOINT };

struct chunk {
    struct chunk *next;
    size_t len;
    char data[QUEUE_CHUNK];
};

struct job {
    const char *path;
    struct prep prep;
    bool again; /* the source of an earlier job (a path named twice,
                   stdin twice): no worker reads it; the consumer
                   scans it in turn, where it resumes as in a serial
                   run */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct chunk *head, *tail; /* published chunks, owned */
    unsigned depth;
    bool done;
    struct fstats fs;
    /* worker side */
    struct sink base;
    struct chunk *cur; /* being filled, owned by the worker */
};

struct pool {
    struct hb_scan *sc;
    struct job *jobs;
    size_t njobs;
    size_t next; /* next job to take */
    pthread_mutex_t mu;
};

static void job_publish(struct job *j)
{
    struct chunk *c = j->cur;

    j->cur = NULL;
    if (c == NULL)
        return;
    pthread_mutex_lock(&j->mu);
    while (j->depth >= QUEUE_DEPTH)
        pthread_cond_wait(&j->cv, &j->mu);
    if (j->tail)
        j->tail->next = c;
    else
        j->head = c;
    j->tail = c;
    j->depth++;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

/* Appends one event: type byte, 4-byte length, payload parts. */
static void job_put(struct job *j, enum ev_type t, const void *a, size_t an,
                    const void *b, size_t bn)
{
    uint32_t len = (uint32_t)(an + bn);
    size_t need = 1 + sizeof len + len;
    char *p;

    if (need > QUEUE_CHUNK)
        return; /* cannot happen: events are a few KiB */
    if (j->cur && j->cur->len + need > QUEUE_CHUNK)
        job_publish(j);
    if (j->cur == NULL) {
        j->cur = hb_xmalloc(sizeof *j->cur);
        j->cur->next = NULL;
        j->cur->len = 0;
    }
    p = j->cur->data + j->cur->len;
    *p++ = (char)t;
    memcpy(p, &len, sizeof len);
    p += sizeof len;
    memcpy(p, a, an);
    if (bn)
        memcpy(p + an, b, bn);
    j->cur->len += need;
}

static void queue_incident(struct sink *k, const struct hb_incident *inc,
                           const struct hb_record *rec)
{
    struct job *j = (struct job *)((char *)k - offsetof(struct job, base));

    (void)rec;
    job_put(j, EV_INCIDENT, inc, sizeof *inc, inc->text.p, inc->text.n);
}

/* The string fields of an observation, packed as used bytes only: most
   are short, and a record's observations are a third of its size that
   way, so a worker runs three times as far ahead in the same queue. */
#define OBS_STRINGS(o)                                                         \
    {(o)->kind, sizeof(o)->kind}, {(o)->key, sizeof(o)->key},                  \
        {(o)->value, sizeof(o)->value}, {(o)->ns, sizeof(o)->ns},              \
        {(o)->service, sizeof(o)->service}, {(o)->host, sizeof(o)->host},      \
    {                                                                          \
        (o)->text, sizeof(o)->text                                             \
    }

struct obs_field {
    char *p;
    size_t cap;
};

struct obs_cfield {
    const char *p;
    size_t cap;
};

struct obs_head {
    const char *source;
    uint64_t line;
    int64_t ts_ms;
    int port;
};

static void queue_obs(struct sink *k, const struct hb_obs *o)
{
    struct job *j = (struct job *)((char *)k - offsetof(struct job, base));
    struct obs_cfield f[] = {OBS_STRINGS(o)};
    struct obs_head h = {o->source, o->line, o->ts_ms, o->port};
    char buf[sizeof h + sizeof *o];
    size_t n = sizeof h, i;

    memcpy(buf, &h, sizeof h);
    for (i = 0; i < HB_ARRAY_LEN(f); i++) {
        size_t len = strnlen(f[i].p, f[i].cap - 1);

        buf[n++] = (char)(unsigned char)len; /* every cap is <= 256 */
        memcpy(buf + n, f[i].p, len);
        n += len;
    }
    job_put(j, EV_OBS, buf, n, NULL, 0);
}

static void unpack_obs(struct hb_obs *o, const char *p)
{
    struct obs_field f[] = {OBS_STRINGS(o)};
    struct obs_head h;
    size_t i;

    memset(o, 0, sizeof *o);
    memcpy(&h, p, sizeof h);
    p += sizeof h;
    o->source = h.source;
    o->line = h.line;
    o->ts_ms = h.ts_ms;
    o->port = h.port;
    for (i = 0; i < HB_ARRAY_LEN(f); i++) {
        size_t len = (unsigned char)*p++;

        memcpy(f[i].p, p, len);
        p += len;
    }
}

struct ck_event {
    uint64_t off, line;
    const char *fmt; /* static format name */
    bool complete;
};

static void queue_checkpoint(struct sink *k, uint64_t off, uint64_t line,
                             const char *fmt, bool complete)
{
    struct job *j = (struct job *)((char *)k - offsetof(struct job, base));
    struct ck_event ck = {off, line, fmt, complete};

    job_put(j, EV_CHECKPOINT, &ck, sizeof ck, NULL, 0);
}

struct worker {
    struct pool *pool;
    struct hb_matcher *m;
    pthread_t tid;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pool *pl = w->pool;

    for (;;) {
        struct job *j;
        size_t i;

        pthread_mutex_lock(&pl->mu);
        i = pl->next++;
        pthread_mutex_unlock(&pl->mu);
        if (i >= pl->njobs)
            break;
        j = &pl->jobs[i];
        if (!j->prep.failed && !j->prep.skip && !j->again)
            scan_source(pl->sc, w->m, j->path, &j->prep, &j->base, &j->fs,
                        false);
        job_publish(j);
        pthread_mutex_lock(&j->mu);
        j->done = true;
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
    }
    return NULL;
}

/* Replays one chunk of events into the direct sink. */
static void replay(struct direct *s, const struct chunk *c)
{
    const char *p = c->data, *end = c->data + c->len;

    while (p < end && s->rc == HB_OK) {
        enum ev_type t = (enum ev_type) * p++;
        uint32_t len;

        memcpy(&len, p, sizeof len);
        p += sizeof len;
        if (t == EV_INCIDENT) {
            struct hb_incident inc;

            memcpy(&inc, p, sizeof inc);
            inc.text.p = p + sizeof inc;
            inc.text.n = len - sizeof inc;
            s->base.incident(&s->base, &inc, NULL);
        } else if (t == EV_OBS) {
            struct hb_obs o;

            unpack_obs(&o, p);
            s->base.obs(&s->base, &o);
        } else if (t == EV_CHECKPOINT) {
            struct ck_event ck;

            memcpy(&ck, p, sizeof ck);
            s->base.checkpoint(&s->base, ck.off, ck.line, ck.fmt, ck.complete);
        }
        p += len;
    }
}

/* Consumes job j in order; returns the store status. */
static enum hb_status consume(struct hb_scan *sc, struct job *j)
{
    struct direct s;

    direct_init(&s, sc, j->prep.source_id);
    for (;;) {
        struct chunk *c;

        pthread_mutex_lock(&j->mu);
        while (j->head == NULL && !j->done)
            pthread_cond_wait(&j->cv, &j->mu);
        c = j->head;
        if (c) {
            j->head = c->next;
            if (j->head == NULL)
                j->tail = NULL;
            j->depth--;
            pthread_cond_broadcast(&j->cv);
        }
        pthread_mutex_unlock(&j->mu);
        if (c == NULL)
            break; /* done and drained */
        if (s.rc == HB_OK)
            replay(&s, c);
        free(c);
        hb_progress_tick(sc->progress, sc->stats.incidents);
    }
    if (j->again)
        return s.rc != HB_OK ? HB_EDB : scan_one(sc, j->path);
    add_stats(sc, &j->fs);
    hb_progress_file_done(sc->progress, sc->stats.incidents);
    direct_report(&s);
    return s.rc;
}

struct job_key {
    int64_t id;
    size_t idx;
};

static int cmp_job_key(const void *x, const void *y)
{
    const struct job_key *a = x, *b = y;

    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Sets again on every job whose source an earlier job reads: the same
 * stored source, or stdin named again. */
static void mark_again(struct job *jobs, size_t n)
{
    struct job_key *k = hb_xcalloc(n, sizeof *k);
    size_t i, nk = 0;
    bool stdin_seen = false;

    for (i = 0; i < n; i++) {
        if (jobs[i].prep.failed)
            continue;
        if (strcmp(jobs[i].path, "-") == 0) {
            jobs[i].again = stdin_seen;
            stdin_seen = true;
        } else if (jobs[i].prep.source_id > 0) {
            k[nk].id = jobs[i].prep.source_id;
            k[nk].idx = i;
            nk++;
        }
    }
    qsort(k, nk, sizeof *k, cmp_job_key);
    for (i = 1; i < nk; i++)
        if (k[i].id == k[i - 1].id)
            jobs[k[i].idx].again = true;
    free(k);
}

static enum hb_status scan_parallel(struct hb_scan *sc, char *const *paths,
                                    size_t n, unsigned nworkers)
{
    struct pool pl;
    struct worker *ws;
    enum hb_status rc = HB_OK;
    size_t i;
    unsigned k;

    memset(&pl, 0, sizeof pl);
    pl.sc = sc;
    pl.njobs = n;
    pl.jobs = hb_xcalloc(n, sizeof *pl.jobs);
    pthread_mutex_init(&pl.mu, NULL);
    /* Sources are resolved here, in order, before any worker reads. */
    for (i = 0; i < n; i++) {
        struct job *j = &pl.jobs[i];
        struct hb_diag d;

        j->path = paths[i];
        pthread_mutex_init(&j->mu, NULL);
        pthread_cond_init(&j->cv, NULL);
        j->base.incident = queue_incident;
        j->base.obs = queue_obs;
        j->base.checkpoint = queue_checkpoint;
        if (rc == HB_OK) {
            rc = prepare(sc, paths[i], &j->prep, &d);
            if (rc != HB_OK)
                hb_diag_print(&d, stderr);
            else if (j->prep.failed) {
                hb_diag_print(&d, stderr);
                sc->input_errors++;
            }
        }
        if (rc != HB_OK)
            j->prep.skip = true;
    }
    if (rc != HB_OK)
        pl.njobs = 0;
    else
        mark_again(pl.jobs, n);
    ws = hb_xcalloc(nworkers, sizeof *ws);
    sc->worker_matchers = hb_xcalloc(nworkers, sizeof *sc->worker_matchers);
    sc->nworker_matchers = nworkers;
    for (k = 0; k < nworkers; k++) {
        ws[k].pool = &pl;
        ws[k].m = sc->rules ? hb_matcher_new(sc->rules) : NULL;
        if (ws[k].m)
            hb_matcher_set_timing(ws[k].m, sc->opts.verbose);
        sc->worker_matchers[k] = ws[k].m;
        if (pthread_create(&ws[k].tid, NULL, worker_main, &ws[k]) != 0)
            hb_die("cannot start a worker thread");
    }
    for (i = 0; i < pl.njobs; i++) {
        enum hb_status s = consume(sc, &pl.jobs[i]);

        if (s != HB_OK && rc == HB_OK) {
            rc = s;
            sc->store_failed = true; /* drain the remaining jobs */
        }
    }
    for (k = 0; k < nworkers; k++)
        pthread_join(ws[k].tid, NULL);
    for (i = 0; i < n; i++) {
        pthread_mutex_destroy(&pl.jobs[i].mu);
        pthread_cond_destroy(&pl.jobs[i].cv);
    }
    free(ws);
    free(pl.jobs);
    pthread_mutex_destroy(&pl.mu);
    return rc;
}

enum hb_status hb_scan_files(struct hb_scan *sc, char *const *paths, size_t n)
{
    unsigned jobs = sc->opts.jobs;

    /* regex time is only shown by -v: do not pay two clock reads per
       pattern otherwise */
    if (sc->matcher)
        hb_matcher_set_timing(sc->matcher, sc->opts.verbose);
    if (jobs > n)
        jobs = (unsigned)n;
    if (jobs <= 1 || sc->on_incident)
        return scan_serial(sc, paths, n);
    return scan_parallel(sc, paths, n, jobs);
}

/* ---- follow mode ------------------------------------------------------ */

struct hb_tail {
    struct hb_scan *sc;
    char *path; /* owned */
    struct prep prep;
    struct direct sink;
    struct fstats fs;
    struct session ss;
    bool open;
    uint64_t dev, ino;
    bool dirty;   /* records handed out since the last commit */
    bool done;    /* a finished gzip: never polled again */
    bool failing; /* the last start failed and was reported: the
                     retries at every poll stay silent */
};

static bool tail_start(struct hb_tail *t)
{
    struct hb_diag d;
    struct stat st;

    if (prepare(t->sc, t->path, &t->prep, &d) != HB_OK) {
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
    if (t->prep.skip) {
        /* A gzip already read to its end cannot grow: nothing to follow.
         * Commit what prepare wrote so the database is not held. */
        if (t->sc->store)
            t->sink.base.checkpoint(&t->sink.base, t->prep.offset, t->prep.line,
                                    NULL, false);
        t->done = true;
        return false;
    }
    /* A plain source already read whole: resume at its end. */
    if (!sess_open(&t->ss, t->sc, t->sc->matcher, t->path, &t->prep,
                   &t->sink.base, &t->fs, !t->failing)) {
        t->failing = true;
        return false;
    }
    t->open = true;
    t->failing = false;
    /* Commit what prepare wrote: a file with nothing new would otherwise
       keep the write transaction, and the database locked, until it grows. */
    if (t->sc->store)
        t->sink.base.checkpoint(&t->sink.base, t->ss.sr.ck_offset,
                                t->ss.sr.ck_line, NULL, false);
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
    sess_close(&t->ss);
    add_stats(t->sc, &t->fs);
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
    hb_reader_rearm(t->ss.r, true);
    sess_pump(&t->ss);
    n += t->ss.lines_pumped;
    if (stat(t->path, &st) == 0) {
        bool rotated =
            (uint64_t)st.st_ino != t->ino || (uint64_t)st.st_dev != t->dev;
        bool truncated =
            !rotated && (uint64_t)st.st_size < hb_reader_offset(t->ss.r);

        if (rotated) {
            /* Drain the old file, its partial last line included. */
            hb_reader_rearm(t->ss.r, false);
            sess_pump(&t->ss);
            n += t->ss.lines_pumped;
        }
        if (rotated || truncated) {
            tail_stop(t);
            if (tail_start(t)) {
                sess_pump(&t->ss);
                n += t->ss.lines_pumped;
            }
        }
    }
    if (n)
        t->dirty = true;
    /* Commit what complete records produced, so a restart continues here. */
    if (t->open && t->dirty && t->sc->store && t->ss.sr.rows) {
        flush_runs(&t->ss.sr, true);
        t->sink.base.checkpoint(&t->sink.base, t->ss.sr.ck_offset,
                                t->ss.sr.ck_line, hb_asm_format(t->ss.as),
                                false);
        t->ss.sr.rows = 0;
    }
    return n;
}

void hb_tail_flush(struct hb_tail *t)
{
    if (!t->open || !t->dirty)
        return;
    sess_flush(&t->ss, true, false);
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
