/*
 * scan_jobs.c - --jobs N: worker threads parse pieces of the sources (a
 * whole file, or one segment of a large plain file) into bounded event
 * queues, and this thread alone replays them into the sinks in source and
 * segment order. A split piece finds its own start (the first boundary
 * after its grid point, scan_int.h); the consumer checks that it is where
 * the piece before it ended, and when it is not (a partial CRI line held
 * across the grid point, a file rewritten while read) reads that piece
 * again itself from the right place. So incidents, their order and the
 * stored offsets are those of a serial run.
 */
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan_int.h"
#include "util.h"

#define QUEUE_CHUNK (256 * 1024) /* bytes per event chunk */
/* Chunks a piece may run ahead of the consumer (3 MiB per piece). */
#define QUEUE_DEPTH 12
/* Pieces started ahead of the consumer, per worker. */
#define LOOKAHEAD 2

enum ev_type { EV_BEGIN = 1, EV_INCIDENT, EV_OBS, EV_MARK };

struct chunk {
    struct chunk *next;
    size_t len;
    char data[QUEUE_CHUNK];
};

/* A source as the consumer sees it. */
struct src {
    const char *path;
    struct prep prep;
    bool again;          /* an earlier source is the same file (a path named
                            twice, stdin twice): no worker reads it; the consumer
                            scans it in turn, where it resumes as in a serial run */
    size_t first, njobs; /* its pieces in jobs[] */
};

struct job {
    size_t src;
    struct piece pc;
    bool idle; /* nothing for a worker: failed, skipped, again */
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
    struct src *srcs;
    struct job *jobs;
    size_t njobs;
    size_t next;     /* next job to take */
    size_t consumed; /* jobs the consumer has finished */
    size_t window;   /* next may not pass consumed + window */
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* ---- the queue sink (worker side) ------------------------------------- */

static struct job *job_of(struct sink *k)
{
    return (struct job *)((char *)k - offsetof(struct job, base));
}

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

static void queue_begin(struct sink *k, uint64_t offset)
{
    job_put(job_of(k), EV_BEGIN, &offset, sizeof offset, NULL, 0);
}

static void queue_incident(struct sink *k, const struct hb_incident *inc,
                           const struct hb_record *rec)
{
    (void)rec;
    job_put(job_of(k), EV_INCIDENT, inc, sizeof *inc, inc->text.p, inc->text.n);
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
    job_put(job_of(k), EV_OBS, buf, n, NULL, 0);
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

static void queue_mark(struct sink *k, const struct seg_mark *m)
{
    job_put(job_of(k), EV_MARK, m, sizeof *m, NULL, 0);
}

/* ---- workers ------------------------------------------------------------ */

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
        while (pl->next < pl->njobs && pl->next >= pl->consumed + pl->window)
            pthread_cond_wait(&pl->cv, &pl->mu);
        i = pl->next++;
        pthread_mutex_unlock(&pl->mu);
        if (i >= pl->njobs)
            break;
        j = &pl->jobs[i];
        if (!j->idle)
            scan_piece(pl->sc, w->m, pl->srcs[j->src].path, &j->pc, &j->base,
                       &j->fs, false);
        job_publish(j);
        pthread_mutex_lock(&j->mu);
        j->done = true;
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
    }
    return NULL;
}

/* ---- the consumer --------------------------------------------------------
 */

/* The next published chunk of j, or NULL when j is done and drained. */
static struct chunk *job_take(struct job *j)
{
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
    return c;
}

/* How the consumer treats a piece's events. */
enum verdict { V_UNKNOWN, V_REPLAY, V_DISCARD };

/* Replays one chunk of events into the direct sink; a split piece's
 * first event (its begin) decides whether it is replayed at all. */
static void replay(struct direct *s, const struct job *j, const struct chunk *c,
                   enum verdict *v)
{
    const char *p = c->data, *end = c->data + c->len;

    while (p < end && s->rc == HB_OK && *v != V_DISCARD) {
        enum ev_type t = (enum ev_type) * p++;
        uint32_t len;

        memcpy(&len, p, sizeof len);
        p += sizeof len;
        if (t == EV_BEGIN) {
            uint64_t off;

            memcpy(&off, p, sizeof off);
            if (!j->pc.exact)
                *v = off == UINT64_MAX || off == s->pos ? V_REPLAY : V_DISCARD;
            if (*v != V_DISCARD)
                s->base.begin(&s->base, off);
        } else if (t == EV_INCIDENT) {
            struct hb_incident inc;

            memcpy(&inc, p, sizeof inc);
            inc.text.p = p + sizeof inc;
            inc.text.n = len - sizeof inc;
            s->base.incident(&s->base, &inc, NULL);
        } else if (t == EV_OBS) {
            struct hb_obs o;

            unpack_obs(&o, p);
            s->base.obs(&s->base, &o);
        } else if (t == EV_MARK) {
            struct seg_mark m;

            memcpy(&m, p, sizeof m);
            s->base.mark(&s->base, &m);
        }
        p += len;
    }
}

static void fstats_add(struct fstats *to, const struct fstats *fs)
{
    to->lines += fs->lines;
    to->records += fs->records;
    to->bytes += fs->bytes;
    to->truncated += fs->truncated;
    to->cut += fs->cut;
    to->sourced |= fs->sourced;
    to->io_error |= fs->io_error;
    if (to->wrapper == NULL)
        to->wrapper = fs->wrapper;
}

/* Consumes piece j of a source into s, its counters into total. */
static void consume_job(struct hb_scan *sc, struct pool *pl, struct job *j,
                        struct direct *s, struct fstats *total)
{
    enum verdict v = j->pc.exact ? V_REPLAY : V_UNKNOWN;
    struct chunk *c;

    while ((c = job_take(j)) != NULL) {
        if (s->rc == HB_OK)
            replay(s, j, c, &v);
        free(c);
        hb_progress_tick(sc->progress, sc->stats.incidents);
    }
    if (v == V_DISCARD && s->rc == HB_OK) {
        /* Not where the piece before ended: read it from there. */
        struct piece pc = j->pc;
        struct fstats fs;

        memset(&fs, 0, sizeof fs);
        if (sc->opts.verbose)
            fprintf(stderr,
                    "hbscan: %s: the segment after offset %llu is read again "
                    "from offset %llu\n",
                    pl->srcs[j->src].path, (unsigned long long)j->pc.start,
                    (unsigned long long)s->pos);
        pc.start = s->pos;
        pc.exact = true;
        scan_piece(sc, sc->matcher, pl->srcs[j->src].path, &pc, &s->base, &fs,
                   true);
        fstats_add(total, &fs);
    } else {
        fstats_add(total, &j->fs);
    }
    direct_piece_done(s);
}

/* Consumes every piece of source i; returns the store status. */
static enum hb_status consume_src(struct hb_scan *sc, struct pool *pl, size_t i)
{
    struct src *sr = &pl->srcs[i];
    struct direct s;
    struct fstats total;
    size_t k;

    direct_init(&s, sc, sr->prep.source_id);
    s.line_base = sr->prep.line;
    s.pos = sr->prep.offset;
    memset(&total, 0, sizeof total);
    for (k = 0; k < sr->njobs; k++) {
        struct job *j = &pl->jobs[sr->first + k];

        if (!j->idle)
            consume_job(sc, pl, j, &s, &total);
        else
            while (job_take(j) != NULL) /* nothing was queued */
                ;
        pthread_mutex_lock(&pl->mu);
        pl->consumed = sr->first + k + 1;
        pthread_cond_broadcast(&pl->cv);
        pthread_mutex_unlock(&pl->mu);
    }
    if (sr->again)
        return s.rc != HB_OK ? HB_EDB : scan_one(sc, sr->path);
    if (sr->prep.unchanged && !sr->prep.failed && !sr->prep.skip) {
        scan_unchanged(sc, sr->path);
        return s.rc;
    }
    if (sr->prep.failed || sr->prep.skip) {
        hb_progress_file_done(sc->progress, sc->stats.incidents);
        return s.rc;
    }
    scan_source_done(sc, sr->path, &total, &s);
    direct_report(&s);
    return s.rc;
}

/* ---- planning ------------------------------------------------------------
 */

struct src_key {
    int64_t id;
    size_t idx;
};

static int cmp_src_key(const void *x, const void *y)
{
    const struct src_key *a = x, *b = y;

    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Sets again on every source an earlier one reads: the same stored
 * source, or stdin named again. */
static void mark_again(struct src *srcs, size_t n)
{
    struct src_key *k = hb_xcalloc(n ? n : 1, sizeof *k);
    size_t i, nk = 0;
    bool stdin_seen = false;

    for (i = 0; i < n; i++) {
        if (srcs[i].prep.failed)
            continue;
        if (strcmp(srcs[i].path, "-") == 0) {
            srcs[i].again = stdin_seen;
            stdin_seen = true;
        } else if (srcs[i].prep.source_id > 0) {
            k[nk].id = srcs[i].prep.source_id;
            k[nk].idx = i;
            nk++;
        }
    }
    qsort(k, nk, sizeof *k, cmp_src_key);
    for (i = 1; i < nk; i++)
        if (k[i].id == k[i - 1].id)
            srcs[k[i].idx].again = true;
    free(k);
}

/* The size of path when it is a plain regular file that segments can be
 * read from independently (no gzip: it cannot be entered midway); else 0. */
static uint64_t split_size(const char *path)
{
    struct stat sb;
    unsigned char magic[2];
    int fd;
    bool gz;

    if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return 0;
    gz = pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    close(fd);
    return gz ? 0 : (uint64_t)sb.st_size;
}

static void add_job(struct job **jobs, size_t *nj, size_t *cap, size_t src,
                    bool idle, uint64_t start, bool exact, bool single)
{
    struct job *j;

    if (*nj == *cap) {
        *cap *= 2;
        *jobs = hb_xrealloc(*jobs, *cap * sizeof **jobs);
        memset(*jobs + *nj, 0, (*cap - *nj) * sizeof **jobs);
    }
    j = &(*jobs)[(*nj)++];
    j->src = src;
    j->idle = idle;
    j->pc.start = start;
    j->pc.exact = exact;
    j->pc.single = single; /* every piece but the last ends at a boundary */
}

/* Cuts every readable source into pieces: one per segment of a large
 * plain file, else one. Returns the number of jobs; *out is owned. */
static size_t plan(struct hb_scan *sc, struct src *srcs, size_t n,
                   struct job **out)
{
    uint64_t seg = scan_segment_bytes(sc);
    size_t i, nj = 0, cap = n ? n : 1;
    struct job *jobs = hb_xcalloc(cap, sizeof *jobs);

    for (i = 0; i < n; i++) {
        struct src *sr = &srcs[i];
        bool idle =
            sr->again || sr->prep.failed || sr->prep.skip || sr->prep.unchanged;
        uint64_t start = sr->prep.offset;
        uint64_t size = idle ? 0 : split_size(sr->path);
        uint64_t g = (start / seg + 1) * seg;

        sr->first = nj;
        add_job(&jobs, &nj, &cap, i, idle, start, true, !idle && g < size);
        jobs[nj - 1].pc.line = sr->prep.line;
        for (; !idle && g < size; g += seg)
            add_job(&jobs, &nj, &cap, i, false, g, false, g + seg < size);
        sr->njobs = nj - sr->first;
    }
    *out = jobs;
    return nj;
}

enum hb_status scan_parallel(struct hb_scan *sc, char *const *paths, size_t n,
                             unsigned nworkers)
{
    struct pool pl;
    struct worker *ws;
    enum hb_status rc = HB_OK;
    size_t i;
    unsigned k;

    memset(&pl, 0, sizeof pl);
    pl.sc = sc;
    pl.srcs = hb_xcalloc(n ? n : 1, sizeof *pl.srcs);
    /* Sources are resolved here, in order, before any worker reads. */
    for (i = 0; i < n; i++) {
        struct src *sr = &pl.srcs[i];
        struct hb_diag d;

        sr->path = paths[i];
        if (rc == HB_OK) {
            rc = scan_prepare(sc, paths[i], &sr->prep, &d);
            if (rc != HB_OK)
                hb_diag_print(&d, stderr);
            else if (sr->prep.failed) {
                hb_diag_print(&d, stderr);
                sc->input_errors++;
            }
        }
        if (rc != HB_OK)
            sr->prep.skip = true;
    }
    mark_again(pl.srcs, n);
    pl.njobs = rc == HB_OK ? plan(sc, pl.srcs, n, &pl.jobs) : 0;
    if (nworkers > pl.njobs)
        nworkers = pl.njobs ? (unsigned)pl.njobs : 1;
    pl.window = (size_t)nworkers * LOOKAHEAD;
    pthread_mutex_init(&pl.mu, NULL);
    pthread_cond_init(&pl.cv, NULL);
    for (i = 0; i < pl.njobs; i++) {
        struct job *j = &pl.jobs[i];

        pthread_mutex_init(&j->mu, NULL);
        pthread_cond_init(&j->cv, NULL);
        j->base.begin = queue_begin;
        j->base.incident = queue_incident;
        j->base.obs = queue_obs;
        j->base.mark = queue_mark;
    }
    ws = hb_xcalloc(nworkers, sizeof *ws);
    sc->worker_matchers = hb_xcalloc(nworkers, sizeof *sc->worker_matchers);
    sc->nworker_matchers = nworkers;
    for (k = 0; k < nworkers; k++) {
        ws[k].pool = &pl;
        ws[k].m = sc->rules ? hb_matcher_new(sc->rules) : NULL;
        if (ws[k].m)
            hb_matcher_tune(ws[k].m, sc->sample, sc->nsample);
        if (ws[k].m)
            hb_matcher_set_timing(ws[k].m, sc->opts.verbose);
        sc->worker_matchers[k] = ws[k].m;
        if (pthread_create(&ws[k].tid, NULL, worker_main, &ws[k]) != 0)
            hb_die("cannot start a worker thread");
    }
    for (i = 0; pl.njobs && i < n; i++) {
        enum hb_status s = consume_src(sc, &pl, i);

        if (s != HB_OK && rc == HB_OK) {
            rc = s;
            sc->store_failed = true; /* drain the remaining pieces */
        }
    }
    for (k = 0; k < nworkers; k++)
        pthread_join(ws[k].tid, NULL);
    for (i = 0; i < pl.njobs; i++) {
        pthread_mutex_destroy(&pl.jobs[i].mu);
        pthread_cond_destroy(&pl.jobs[i].cv);
    }
    pthread_mutex_destroy(&pl.mu);
    pthread_cond_destroy(&pl.cv);
    free(ws);
    free(pl.jobs);
    free(pl.srcs);
    return rc;
}
