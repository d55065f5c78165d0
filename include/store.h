/*
 * store.h - the SQLite incident store: schema and migrations, sources with
 * their identity and scanned offsets, runs, incidents and observations,
 * batched writes whose offsets commit with the incidents they produced.
 * The schema is a user interface: docs/schema.md (and README.md).
 * A store is used by one thread at a time (connections are opened without
 * SQLite's own mutexes).
 */
#ifndef HB_STORE_H
#define HB_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "hbscan.h"
#include "incident.h"
#include "rowfmt.h"

/* The schema version this binary writes (PRAGMA user_version). */
#define HB_STORE_SCHEMA_VERSION 6
#define HB_STORE_BUSY_MS        5000 /* default wait for another writer */

struct hb_store; /* opaque; owns the sqlite3 handle and its statements */

enum hb_store_mode {
    HB_STORE_RW,    /* create if missing (0600, parents made), migrate */
    HB_STORE_RO,    /* read-only open + PRAGMA query_only; must exist */
    HB_STORE_MEMORY /* --no-db: an in-memory database for one run */
};

/*
 * Opens (and creates or upgrades) the store. A database with a newer
 * schema than this binary knows is refused (HB_EDB, d says which versions).
 * A second writer waits up to busy_ms, then HB_EBUSY.
 * RW: the file is created 0600 and missing parent directories 0700; the
 * schema is migrated in place (one transaction per version step).
 * RO: HB_ENOTFOUND when the file does not exist; an older schema is
 * upgraded first when the file is writable, else read as it is.
 * path is ignored for HB_STORE_MEMORY. busy_ms <= 0 means HB_STORE_BUSY_MS.
 */
enum hb_status hb_store_open(struct hb_store **out, const char *path,
                             enum hb_store_mode mode, int busy_ms,
                             struct hb_diag *d);
/* Rolls back a batch that was not checkpointed; NULL is a no-op. */
void hb_store_close(struct hb_store *s);
/* The path the store was opened with (":memory:" for HB_STORE_MEMORY). */
const char *hb_store_path(const struct hb_store *s);

/*
 * The database path to use: --db value if given, else $HBSCAN_DB, else
 * $XDG_STATE_HOME/hbscan/hbscan.db, else ~/.local/state/hbscan/hbscan.db.
 * Returns opt, or buf filled (cap bytes), or NULL when no home is known or
 * the path does not fit.
 */
const char *hb_store_default_path(const char *opt, char *buf, size_t cap);

/* Starts a run (row in runs, committed at once). args: the command line. */
enum hb_status hb_store_run_begin(struct hb_store *s, const char *args,
                                  struct hb_diag *d);

struct hb_run_counts {
    uint64_t sources, bytes, lines, records, incidents, truncated, cut;
    unsigned input_errors;
};
/* Ends the run: stores the counts and commits anything still pending. */
enum hb_status hb_store_run_end(struct hb_store *s,
                                const struct hb_run_counts *c,
                                struct hb_diag *d);

/* A source's identity, as measured by the scanner before reading. */
struct hb_source_id {
    const char *path;
    uint64_t dev, ino;
    uint64_t first_hash; /* hb_hash64 of the first line (up to 4 KiB) */
    uint64_t size;       /* bytes on disk */
    bool gzip;
    const char *k8s_namespace, *k8s_pod, *k8s_container; /* may be NULL */
};

/* Where to resume a source. */
struct hb_source_state {
    int64_t id;      /* sources.id */
    uint64_t offset; /* decompressed bytes already scanned */
    uint64_t line;   /* lines already scanned */
    bool skip;       /* nothing new: e.g. a rotated .gz already read */
    bool unchanged;  /* a plain file whose size is its stored offset:
                        nothing to read now (it may still grow) */
};

/*
 * Finds the source by identity (a renamed file keeps its offset; a file
 * whose size is below its offset was truncated and restarts at 0; a gzip
 * whose first line matches a source scanned past the gzip's content is
 * skipped), or creates it. rescan: ignore stored offsets.
 *
 * Identity = dev + ino + first_hash. In detail:
 *  - known identity, plain: resume at its offset/line; the row takes the
 *    new path (rename); size < offset (copytruncate) restarts at 0.
 *  - known identity, gzip: skip when hb_store_source_done marked it read to
 *    the end, else resume at its offset (decompressed bytes).
 *  - new gzip whose first_hash belongs to a plain source: resume at that
 *    source's offset/line (the scanner skips that many decompressed bytes).
 *  - anything else: a new source, from 0.
 * Writes join the current batch. Incidents are also deduplicated by their
 * occurrence key, so a rescan does not store an incident twice.
 */
enum hb_status hb_store_source_begin(struct hb_store *s,
                                     const struct hb_source_id *sid,
                                     bool rescan, struct hb_source_state *st,
                                     struct hb_diag *d);

/*
 * Queue rows in the current batch transaction (opened on first use).
 * An occurrence stored before (same ts_ms and occurrence key; the key
 * alone for a row without a time) is skipped, HB_OK. An incident is one
 * row: its weaker rule hits go into incidents.other_rules (the
 * incident_rules view reads them); its text after the first line is
 * stored once per distinct body (texts). inc and its strings are not
 * kept: incident rows are copied and wait in the store, to be inserted
 * eight at a time, so an error inserting one may be returned by a later
 * put, or by the checkpoint, source_done, run_end, list, replay, query,
 * info or prune that inserts them first; the batch is rolled back either
 * way, as for an error returned here.
 */
enum hb_status hb_store_put_incident(struct hb_store *s, int64_t source_id,
                                     const struct hb_incident *inc,
                                     struct hb_diag *d);
enum hb_status hb_store_put_obs(struct hb_store *s, int64_t source_id,
                                const struct hb_obs *o, struct hb_diag *d);

/*
 * Records that source_id is scanned up to offset/line and commits the
 * batch (see hb_store_defer_commits): the incidents and the offset land
 * together or not at all.
 */
enum hb_status hb_store_checkpoint(struct hb_store *s, int64_t source_id,
                                   uint64_t offset, uint64_t line,
                                   const char *format, struct hb_diag *d);

/*
 * Lets a batch outlive its checkpoints: hb_store_checkpoint and
 * hb_store_source_done then commit only once the open batch holds `rows`
 * incidents and observations or was begun `ms` ago, so that a directory
 * of small files is not a commit (and a WAL frame of every page it
 * touched) per file. A batch still commits whole, rows and offsets
 * together, so what a crash keeps is consistent; it may only be older.
 * rows 0 (the default) commits at every checkpoint. hb_store_flush
 * commits the open batch now; call it when the deferring scan ends.
 */
void hb_store_defer_commits(struct hb_store *s, unsigned rows, unsigned ms);
enum hb_status hb_store_flush(struct hb_store *s, struct hb_diag *d);

/*
 * Marks source_id as read to its end (call after its last checkpoint): a
 * gzip source is then skipped when seen again. Commits, as
 * hb_store_checkpoint does.
 */
enum hb_status hb_store_source_done(struct hb_store *s, int64_t source_id,
                                    struct hb_diag *d);

/* Filters shared by `incidents` and `report`; zero/NULL = no filter. */
struct hb_filter {
    int64_t since_ms, until_ms; /* HB_NO_TIME = open */
    const char *cause;
    const char *service;
    const char *instance; /* "host:port" */
    const char *code;     /* "400401", "ERR-1006", "1006", "UNAVAILABLE" */
    long limit;           /* 0 = none; else the most recent N incidents
                             (or groups), still printed oldest first */
};
void hb_filter_init(struct hb_filter *f);

/*
 * Replays stored incidents and observations matching f (in time order) into
 * the callbacks; used by `hbscan report`. Incident rule metadata is looked up
 * by the caller from inc->rule_id.
 * The incident's strings (source, rule_id, text) are valid only during the
 * callback; hits[] is empty (nhits 0) while rule_id/cause/severity/weight
 * are set. Observations match the time, service and instance filters;
 * cause, code and limit apply to incidents only. Rows without a time come
 * first. Either callback may be NULL.
 */
enum hb_status hb_store_replay(struct hb_store *s, const struct hb_filter *f,
                               void (*inc_fn)(void *,
                                              const struct hb_incident *),
                               void (*obs_fn)(void *, const struct hb_obs *),
                               void *ctx, struct hb_diag *d);

/* Checks a --cause value: a cause name or "unknown". */
bool hb_filter_cause_valid(const char *cause);

/*
 * `hbscan incidents`: the matching incidents (id, ts, cause, severity,
 * rule_id, service, instance, codes, source, line, evidence), oldest first;
 * group: one row per fingerprint as in the incident_groups view, most
 * frequent first. Filter values are bound as SQL parameters.
 */
enum hb_status hb_store_list_incidents(struct hb_store *s,
                                       const struct hb_filter *f, bool group,
                                       const struct hb_row_sink *sink,
                                       struct hb_diag *d);

/*
 * `hbscan query`: runs one user SQL statement under an authorizer that
 * allows reading only (no writes, ATTACH/DETACH, writing pragmas,
 * transactions, load_extension/readfile/writefile). A refused or malformed
 * statement is HB_EPARSE with d explaining; other failures HB_EDB.
 */
enum hb_status hb_store_query(struct hb_store *s, const char *sql,
                              const struct hb_row_sink *sink,
                              struct hb_diag *d);

/* `hbscan db info`. */
struct hb_store_info {
    int schema_version;
    uint64_t file_bytes; /* database file, plus its -wal */
    uint64_t sources, runs, incidents, incident_rules, observations;
    uint64_t texts;            /* distinct record bodies (schema 4) */
    int64_t first_ms, last_ms; /* span of incidents and observations,
                                  HB_NO_TIME when empty */
};
enum hb_status hb_store_info(struct hb_store *s, struct hb_store_info *info,
                             struct hb_diag *d);

/* Rebuilds the file (VACUUM) and truncates the WAL. */
enum hb_status hb_store_vacuum(struct hb_store *s, struct hb_diag *d);

/*
 * Deletes incidents (with their incident_rules) and observations whose
 * time is before before_ms; rows without a time are kept. Commits.
 */
enum hb_status hb_store_prune(struct hb_store *s, int64_t before_ms,
                              uint64_t *incidents, uint64_t *observations,
                              struct hb_diag *d);

/* What one hb_store_merge added. */
struct hb_merge_counts {
    uint64_t runs, sources, incidents, observations;
};

/*
 * Copies the database at in_path (opened read-only, schema 1..current) into
 * s in one transaction: runs by run_key, sources by identity, incidents and
 * observations by occurrence key, so merging the same input twice adds
 * nothing. The input must not be the store itself (HB_EUSAGE).
 */
enum hb_status hb_store_merge(struct hb_store *s, const char *in_path,
                              struct hb_merge_counts *c, struct hb_diag *d);

#endif
