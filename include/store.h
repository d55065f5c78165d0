/*
 * store.h - the SQLite incident store: schema and migrations, sources with
 * their identity and scanned offsets, runs, incidents and observations,
 * batched writes whose offsets commit with the incidents they produced.
 * The schema is a user interface: README.md, section "Database schema".
 */
#ifndef HB_STORE_H
#define HB_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "hbscan.h"
#include "incident.h"

struct hb_store; /* opaque */

enum hb_store_mode {
    HB_STORE_RW,     /* create if missing (0600, parents made), migrate */
    HB_STORE_RO,     /* read-only open + PRAGMA query_only; must exist */
    HB_STORE_MEMORY  /* --no-db: an in-memory database for one run */
};

/*
 * Opens (and creates or upgrades) the store. A database with a newer
 * schema than this binary knows is refused (HB_EDB, d says which versions).
 * A second writer waits up to busy_ms, then HB_EBUSY.
 */
enum hb_status hb_store_open(struct hb_store **out, const char *path,
                             enum hb_store_mode mode, int busy_ms,
                             struct hb_diag *d);
void hb_store_close(struct hb_store *s);

/*
 * The database path to use: --db value if given, else $HBSCAN_DB, else
 * $XDG_STATE_HOME/hbscan/hbscan.db, else ~/.local/state/hbscan/hbscan.db.
 */
const char *hb_store_default_path(const char *opt, char *buf, size_t cap);

/* Starts a run (row in runs). */
enum hb_status hb_store_run_begin(struct hb_store *s, const char *args,
                                  struct hb_diag *d);

struct hb_run_counts {
    uint64_t sources, bytes, lines, records, incidents, truncated, cut;
    unsigned input_errors;
};
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
    int64_t id;          /* sources.id */
    uint64_t offset;     /* decompressed bytes already scanned */
    uint64_t line;       /* lines already scanned */
    bool skip;           /* nothing new: e.g. a rotated .gz already read */
};

/*
 * Finds the source by identity (a renamed file keeps its offset; a file
 * whose size is below its offset was truncated and restarts at 0; a gzip
 * whose first line matches a source scanned past the gzip's content is
 * skipped), or creates it. rescan: ignore stored offsets.
 */
enum hb_status hb_store_source_begin(struct hb_store *s,
                                     const struct hb_source_id *sid,
                                     bool rescan, struct hb_source_state *st,
                                     struct hb_diag *d);

/* Queue rows in the current batch transaction (opened on first use). */
enum hb_status hb_store_put_incident(struct hb_store *s, int64_t source_id,
                                     const struct hb_incident *inc,
                                     struct hb_diag *d);
enum hb_status hb_store_put_obs(struct hb_store *s, int64_t source_id,
                                const struct hb_obs *o, struct hb_diag *d);

/*
 * Records that source_id is scanned up to offset/line and commits the
 * batch: the incidents and the offset land together or not at all.
 */
enum hb_status hb_store_checkpoint(struct hb_store *s, int64_t source_id,
                                   uint64_t offset, uint64_t line,
                                   const char *format, struct hb_diag *d);

/* Filters shared by `incidents` and `report`; zero/NULL = no filter. */
struct hb_filter {
    int64_t since_ms, until_ms; /* HB_NO_TIME = open */
    const char *cause;
    const char *service;
    const char *instance;       /* "host:port" */
    const char *code;           /* "400401", "ERR-1006", "1006", "UNAVAILABLE" */
    long limit;                 /* 0 = none */
};
void hb_filter_init(struct hb_filter *f);

/*
 * Replays stored incidents and observations matching f (in time order) into
 * the callbacks; used by `hbscan report`. Incident rule metadata is looked up
 * by the caller from inc->rule_id.
 */
enum hb_status hb_store_replay(struct hb_store *s, const struct hb_filter *f,
                               void (*inc_fn)(void *, const struct hb_incident *),
                               void (*obs_fn)(void *, const struct hb_obs *),
                               void *ctx, struct hb_diag *d);

#endif
