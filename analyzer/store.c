/*
 * store.c - the SQLite incident store: opening (0600 file, WAL, busy
 * timeout), migrations, source identity and offsets, batched inserts whose
 * offsets commit with them, replay for `report`, and the read side of
 * `query`, `incidents`, `merge` and `db`. sqlite3 types stay in this file.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "rules.h"
#include "schema.h"
#include "textcache.h"
#include "timeparse.h"
#include "util.h"

/* Statements cached for the life of the store, prepared on first use. */
enum stmt_id {
    ST_BEGIN,
    ST_COMMIT,
    ST_INS_INCIDENT,
    ST_INS_INCIDENTS,
    ST_INS_OBS,
    ST_TEXT_FIND,
    ST_TEXT_INSERT,
    ST_KIND_FIND,
    ST_KIND_INSERT,
    ST_DATA_VERSION,
    ST_SRC_FIND,
    ST_SRC_FIND_PLAIN,
    ST_SRC_INSERT,
    ST_SRC_UPDATE,
    ST_SRC_HASH,
    ST_SRC_DONE,
    ST_CHECKPOINT,
    ST_RUN_BEGIN,
    ST_RUN_END,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    /* ST_INS_INCIDENT(S): built by insert_sql */
    [ST_INS_OBS] =
        "INSERT OR IGNORE INTO observations (run_id, source_id, source, line, "
        "ts_ms, ts, kind, key, value, namespace, service, host, port, "
        "instance, text, okey) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
        "?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    [ST_TEXT_FIND] = "SELECT id, body FROM texts WHERE hash = ?1",
    [ST_TEXT_INSERT] = "INSERT INTO texts (hash, body) VALUES (?1, ?2)",
    [ST_KIND_FIND] = "SELECT id, key FROM kinds WHERE hash = ?1",
    [ST_KIND_INSERT] =
        "INSERT INTO kinds (hash, key, sdk_code, sdk_name, server_code, "
        "grpc_status, event, exc_class, rule_id, cause, severity, weight, "
        "codes, other_rules) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
        "?10, ?11, ?12, ?13, ?14)",
    [ST_DATA_VERSION] = "PRAGMA data_version",
    [ST_SRC_FIND] = "SELECT id, path, offset, line, complete FROM sources "
                    "WHERE dev = ?1 AND ino = ?2 AND first_hash = ?3 AND "
                    "gzip = ?4 ORDER BY id DESC LIMIT 1",
    [ST_SRC_FIND_PLAIN] = "SELECT offset, line FROM sources WHERE "
                          "first_hash = ?1 AND gzip = 0 "
                          "ORDER BY offset DESC, id DESC LIMIT 1",
    [ST_SRC_INSERT] =
        "INSERT INTO sources (path, dev, ino, first_hash, size, offset, line, "
        "gzip, k8s_namespace, k8s_pod, k8s_container, first_seen) VALUES "
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [ST_SRC_UPDATE] =
        "UPDATE sources SET path = ?2, size = ?3, offset = ?4, line = ?5, "
        "complete = ?6, k8s_namespace = coalesce(?7, k8s_namespace), "
        "k8s_pod = coalesce(?8, k8s_pod), "
        "k8s_container = coalesce(?9, k8s_container), last_scanned = ?10 "
        "WHERE id = ?1",
    [ST_SRC_HASH] = "SELECT first_hash FROM sources WHERE id = ?1",
    [ST_SRC_DONE] = "UPDATE sources SET complete = 1 WHERE id = ?1",
    [ST_CHECKPOINT] = "UPDATE sources SET offset = ?2, line = ?3, "
                      "format = coalesce(?4, format), last_scanned = ?5 "
                      "WHERE id = ?1",
    [ST_RUN_BEGIN] = "INSERT INTO runs (run_key, started, started_ms, args, "
                     "version) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_RUN_END] =
        "UPDATE runs SET ended = ?2, ended_ms = ?3, sources = ?4, bytes = ?5, "
        "lines = ?6, records = ?7, incidents = ?8, truncated = ?9, cut = ?10, "
        "input_errors = ?11 WHERE id = ?1",
};

/*
 * A rule hit as other_rules holds it, ["id","cause",weight], formatted once
 * per rule: the weight's shortest round-trip text takes a few snprintf.
 * Keyed by the rule's address but checked against its id, cause and weight,
 * so a rule freed and another allocated at its place is not mistaken.
 */
#define RULE_CACHE 64

struct rule_json {
    const struct hb_rule_meta *rule; /* borrowed key, never dereferenced
                                        without the checks above */
    char *id;                        /* owned */
    enum hb_cause cause;
    double weight;
    struct hb_buf json; /* owned */
};

/*
 * Incident rows waiting to be inserted, INS_ROWS to a statement: a
 * statement per row was a fifth of an insert's cost (cursors opened and
 * closed, the program started and halted). A value is NULL, an integer
 * or text (copied into text at off); the names and reals of a row are in
 * kinds since schema 6. The rows go in before anything else reads or
 * commits (settle), inside the same transaction, so no caller sees the
 * difference except that an insert's error may surface at a later put or
 * at the checkpoint, which roll the batch back either way.
 */
#define INS_COLS 28
#define INS_ROWS 8

enum pv_type { PV_NULL, PV_INT, PV_TEXT };

struct pval {
    enum pv_type type;
    int64_t i;
    size_t off, len;
};

struct pending {
    struct pval row[INS_ROWS][INS_COLS];
    int nrows;
    struct hb_buf text; /* the rows' copied text */
};

struct hb_store {
    sqlite3 *db; /* owned; closed by hb_store_close */
    char *path;  /* owned */
    enum hb_store_mode mode;
    int version;                /* user_version after opening */
    bool in_tx;                 /* a batch transaction is open */
    int64_t run_id;             /* 0 = no run */
    sqlite3_stmt *st[ST_COUNT]; /* owned; finalized by hb_store_close */
    int64_t hash_id;            /* source whose first_hash is cached */
    uint64_t hash_val;
    struct rule_json rules[RULE_CACHE]; /* owned; freed by hb_store_close */
    struct hb_buf other_rules;          /* owned; one incident's JSON */
    struct hb_text_cache *texts;        /* owned; bodies written or found */
    struct hb_text_cache *kinds;        /* owned; kinds' keys, the same */
    struct hb_buf kind_key;             /* owned; one incident's kind key */
    struct pending pend;                /* owned text */
    int64_t data_version; /* of the last batch begun, 0 = none yet */
    /* hb_store_defer_commits: 0 = a checkpoint commits */
    unsigned defer_rows, defer_ms;
    unsigned tx_rows;     /* incidents and observations in the open batch */
    uint64_t tx_start_ns; /* when it was begun (hb_mono_ns) */
};

const char *hb_store_path(const struct hb_store *s)
{
    return s->path;
}

/* ---- errors --------------------------------------------------------- */

/* Turns a SQLite result code into a status and a message naming the file. */
static enum hb_status db_error(struct hb_store *s, int rc, const char *what,
                               struct hb_diag *d)
{
    const char *msg;

    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        hb_diag_set(d, NULL, 0, 0, "database is locked by another hbscan (%s)",
                    s->path);
        return HB_EBUSY;
    }
    msg = s->db && sqlite3_errcode(s->db) == rc ? sqlite3_errmsg(s->db)
                                                : sqlite3_errstr(rc);
    hb_diag_set(d, NULL, 0, 0, "db: %s: %s (%s)", what, msg, s->path);
    return HB_EDB;
}

static enum hb_status exec_sql(struct hb_store *s, const char *sql,
                               const char *what, struct hb_diag *d)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? HB_OK : db_error(s, rc, what, d);
}

/* The incident insert, for one row or INS_ROWS (see struct pending). */
static char *insert_sql(int rows)
{
    struct hb_buf b;
    int r, c;

    hb_buf_init(&b);
    hb_buf_puts(&b, "INSERT OR IGNORE INTO incident_rows (run_id, source_id, "
                    "source, first_line, last_line, evidence_line, evidence, "
                    "ts_ms, ts, level, format, namespace, service, host, port, "
                    "server_addr, message, fingerprint, head, okey, "
                    "k8s_namespace, k8s_pod, k8s_container, text_id, "
                    "evidence_at, derived, message_at, kind_id, cause, weight) "
                    "VALUES ");
    /* instance and the kind's columns are NULL (schema 5 and 6); cause
       and weight, NOT NULL, constants */
    for (r = 0; r < rows; r++)
        for (c = 0; c < INS_COLS; c++)
            hb_buf_puts(&b, c == 0              ? (r ? ", (?" : "(?")
                            : c + 1 == INS_COLS ? ", ?, '', 0)"
                                                : ", ?");
    return b.data;
}

static enum hb_status stmt_get(struct hb_store *s, enum stmt_id id,
                               sqlite3_stmt **out, struct hb_diag *d)
{
    int rc;

    if (s->st[id] == NULL) {
        char *built = NULL;

        if (id == ST_INS_INCIDENT || id == ST_INS_INCIDENTS)
            built = insert_sql(id == ST_INS_INCIDENT ? 1 : INS_ROWS);
        rc = sqlite3_prepare_v3(s->db, built ? built : stmt_sql[id], -1,
                                SQLITE_PREPARE_PERSISTENT, &s->st[id], NULL);
        free(built);
        if (rc != SQLITE_OK)
            return db_error(s, rc, "prepare", d);
    }
    *out = s->st[id];
    return HB_OK;
}

/*
 * Steps a statement that returns no row (or whose rows are ignored) and
 * resets it. The per-row inserts bind every parameter on every use, so
 * they skip clearing the bindings (step_row); other statements clear them.
 */
static enum hb_status step_row(struct hb_store *s, sqlite3_stmt *st,
                               const char *what, struct hb_diag *d)
{
    int rc = sqlite3_step(st);
    enum hb_status status = HB_OK;

    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        status = db_error(s, rc, what, d);
    sqlite3_reset(st);
    return status;
}

static enum hb_status step_done(struct hb_store *s, sqlite3_stmt *st,
                                const char *what, struct hb_diag *d)
{
    enum hb_status status = step_row(s, st, what, d);

    sqlite3_clear_bindings(st);
    return status;
}

/* ---- batches -------------------------------------------------------- */

static enum hb_status settle(struct hb_store *s, struct hb_diag *d);
static void batch_abort(struct hb_store *s);

/* Forgets the texts and kinds this connection remembers. */
static void caches_clear(struct hb_store *s)
{
    if (s->texts)
        hb_text_cache_clear(s->texts);
    if (s->kinds)
        hb_text_cache_clear(s->kinds);
}

/*
 * The text and kind caches hold only while no other connection wrote:
 * another process's prune may have deleted a row this one remembers.
 * Called with the write lock held, so nothing changes between the check
 * and the use.
 */
static enum hb_status texts_check(struct hb_store *s, struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    int64_t v;

    if (s->texts == NULL)
        return HB_OK;
    if ((rc = stmt_get(s, ST_DATA_VERSION, &st, d)) != HB_OK)
        return rc;
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = db_error(s, sqlite3_errcode(s->db), "reading data_version", d);
        sqlite3_reset(st);
        return rc;
    }
    v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (v != s->data_version)
        caches_clear(s);
    s->data_version = v;
    return HB_OK;
}

static enum hb_status batch_begin(struct hb_store *s, struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;

    if (s->in_tx)
        return HB_OK;
    if ((rc = stmt_get(s, ST_BEGIN, &st, d)) != HB_OK)
        return rc;
    if ((rc = step_done(s, st, "begin", d)) != HB_OK)
        return rc;
    s->in_tx = true;
    s->tx_rows = 0;
    s->tx_start_ns = hb_mono_ns();
    if ((rc = texts_check(s, d)) != HB_OK)
        batch_abort(s);
    return rc;
}

/* Drops the open batch: nothing of it, offsets included, is kept. */
static void batch_abort(struct hb_store *s)
{
    int i;

    for (i = 0; i < ST_COUNT; i++)
        if (s->st[i])
            sqlite3_reset(s->st[i]);
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = false;
    s->hash_id = 0;
    s->pend.nrows = 0;
    hb_buf_reset(&s->pend.text);
    caches_clear(s); /* texts and kinds written in the batch are gone */
}

static enum hb_status batch_commit(struct hb_store *s, struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;

    if (!s->in_tx)
        return HB_OK;
    if ((rc = settle(s, d)) == HB_OK &&
        (rc = stmt_get(s, ST_COMMIT, &st, d)) == HB_OK)
        rc = step_done(s, st, "commit", d);
    if (rc != HB_OK) {
        batch_abort(s);
        return rc;
    }
    s->in_tx = false;
    return HB_OK;
}

/* A failure inside a batch rolls the whole batch back. */
static enum hb_status batch_fail(struct hb_store *s, enum hb_status rc)
{
    if (rc != HB_OK)
        batch_abort(s);
    return rc;
}

/* Where a batch may end: commits it unless hb_store_defer_commits lets it
   grow and it is still below both of its bounds. */
static enum hb_status batch_point(struct hb_store *s, struct hb_diag *d)
{
    if (s->defer_rows && s->in_tx && s->tx_rows < s->defer_rows &&
        hb_mono_ns() - s->tx_start_ns < (uint64_t)s->defer_ms * 1000000u)
        return HB_OK;
    return batch_commit(s, d);
}

void hb_store_defer_commits(struct hb_store *s, unsigned rows, unsigned ms)
{
    s->defer_rows = rows;
    s->defer_ms = ms;
}

enum hb_status hb_store_flush(struct hb_store *s, struct hb_diag *d)
{
    return batch_commit(s, d);
}

/* ---- opening -------------------------------------------------------- */

const char *hb_store_default_path(const char *opt, char *buf, size_t cap)
{
    const char *env, *home;
    struct passwd *pw;
    int n;

    if (opt && *opt)
        return opt;
    env = getenv("HBSCAN_DB");
    if (env && *env)
        return env;
    env = getenv("XDG_STATE_HOME");
    if (env && env[0] == '/') { /* XDG: relative values are ignored */
        n = snprintf(buf, cap, "%s/hbscan/hbscan.db", env);
        return n > 0 && (size_t)n < cap ? buf : NULL;
    }
    home = getenv("HOME");
    if ((home == NULL || *home == '\0') && (pw = getpwuid(getuid())) != NULL)
        home = pw->pw_dir;
    if (home == NULL || *home == '\0')
        return NULL;
    n = snprintf(buf, cap, "%s/.local/state/hbscan/hbscan.db", home);
    return n > 0 && (size_t)n < cap ? buf : NULL;
}

/* mkdir -p of path's parent directory; directories made are 0700. */
static enum hb_status make_parents(const char *path, struct hb_diag *d)
{
    char *dir = hb_xstrdup(path);
    enum hb_status rc = HB_OK;
    char *p;

    p = strrchr(dir, '/');
    if (p == NULL || p == dir)
        goto out;
    *p = '\0';
    for (p = dir + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;

        *p = '\0';
        if (mkdir(dir, 0700) == 0) {
            chmod(dir, 0700); /* whatever the umask took away */
        } else if (errno != EEXIST) {
            hb_diag_set(d, dir, 0, 0, "cannot create directory: %s",
                        strerror(errno));
            rc = HB_EIO;
            goto out;
        }
        *p = c;
        if (c == '\0')
            break;
    }
out:
    free(dir);
    return rc;
}

/* Creates the database file 0600 whatever the umask, if it is missing. */
static enum hb_status create_file(const char *path, struct hb_diag *d)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (fd < 0) {
        if (errno == EEXIST)
            return HB_OK;
        hb_diag_set(d, path, 0, 0, "cannot create database: %s",
                    strerror(errno));
        return HB_EIO;
    }
    if (fchmod(fd, 0600) != 0) {
        hb_diag_set(d, path, 0, 0, "cannot set mode 0600: %s", strerror(errno));
        close(fd);
        return HB_EIO;
    }
    close(fd);
    return HB_OK;
}

static int pragma_int(struct hb_store *s, const char *sql, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc;

    rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static bool has_tables(struct hb_store *s)
{
    int n = 0;

    return pragma_int(s, "SELECT count(*) FROM sqlite_master", &n) ==
               SQLITE_OK &&
           n > 0;
}

/* Checks the file is ours and not newer than us; sets s->version. */
static enum hb_status check_version(struct hb_store *s, struct hb_diag *d)
{
    int v = 0, app = 0, rc;
    bool tables;

    /* one read transaction: another process creating the same new
       database must not be seen half way (tables, but no version yet) */
    rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = pragma_int(s, "PRAGMA user_version", &v);
    if (rc == SQLITE_OK)
        rc = pragma_int(s, "PRAGMA application_id", &app);
    tables = rc == SQLITE_OK && v == 0 && has_tables(s);
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return db_error(s, rc, "reading the schema version", d);
    if (v > HB_STORE_SCHEMA_VERSION) {
        hb_diag_set(d, NULL, 0, 0,
                    "db: schema version %d is newer than this hbscan "
                    "supports (%d); upgrade hbscan",
                    v, HB_STORE_SCHEMA_VERSION);
        return HB_EDB;
    }
    if (app != 0 && app != HB_SCHEMA_APP_ID) {
        hb_diag_set(d, NULL, 0, 0, "db: %s is not an hbscan database", s->path);
        return HB_EDB;
    }
    if (tables) {
        hb_diag_set(d, NULL, 0, 0, "db: %s is not an hbscan database", s->path);
        return HB_EDB;
    }
    s->version = v;
    return HB_OK;
}

/* Applies every step above the file's version, one transaction each. */
static enum hb_status migrate(struct hb_store *s, struct hb_diag *d)
{
    const struct hb_migration *m;
    enum hb_status rc;
    char sql[64];
    int n, i, v;

    m = hb_schema_migrations(&n);
    for (i = 0; i < n; i++) {
        if (m[i].version <= s->version)
            continue;
        if ((rc = exec_sql(s, "BEGIN IMMEDIATE", "migrate", d)) != HB_OK)
            return rc;
        /* another process may have migrated while we waited */
        v = 0;
        if (pragma_int(s, "PRAGMA user_version", &v) == SQLITE_OK &&
            v >= m[i].version) {
            exec_sql(s, "COMMIT", "migrate", d);
            s->version = v;
            continue;
        }
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", m[i].version);
        rc = exec_sql(s, m[i].sql, "migrate", d);
        if (rc == HB_OK && m[i].more)
            rc = exec_sql(s, m[i].more, "migrate", d);
        if (rc == HB_OK)
            rc = exec_sql(s, sql, "migrate", d);
        if (rc == HB_OK)
            rc = exec_sql(s, "COMMIT", "migrate", d);
        if (rc != HB_OK) {
            if (!sqlite3_get_autocommit(s->db))
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            if (rc == HB_EDB) {
                char msg[sizeof d->msg];

                hb_strlcpy(msg, d ? d->msg : "", d ? strlen(d->msg) : 0,
                           sizeof msg);
                hb_diag_set(d, NULL, 0, 0,
                            "db: upgrading the schema to version %d "
                            "failed: %s",
                            m[i].version, msg);
            }
            return rc;
        }
        s->version = m[i].version;
    }
    return HB_OK;
}

static enum hb_status open_db(struct hb_store *s, int flags, int busy_ms,
                              struct hb_diag *d)
{
    int rc;

    /* one thread per connection: SQLite's own mutexes are not needed */
    rc = sqlite3_open_v2(s->path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        hb_diag_set(d, NULL, 0, 0, "db: cannot open %s: %s", s->path,
                    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        return rc == SQLITE_CANTOPEN ? HB_ENOTFOUND : HB_EDB;
    }
    sqlite3_extended_result_codes(s->db, 0);
    sqlite3_busy_timeout(s->db, busy_ms);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    return HB_OK;
}

static void store_free(struct hb_store *s)
{
    int i;

    for (i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    for (i = 0; i < RULE_CACHE; i++) {
        free(s->rules[i].id);
        hb_buf_fini(&s->rules[i].json);
    }
    hb_buf_fini(&s->other_rules);
    hb_text_cache_free(s->texts);
    hb_text_cache_free(s->kinds);
    hb_buf_fini(&s->kind_key);
    hb_buf_fini(&s->pend.text);
    free(s->path);
    free(s);
}

/* A URI-safe copy of path is not needed: paths starting "file:" are made
   relative-explicit so SQLITE_OPEN_URI never reinterprets them. */
static char *plain_path(const char *path)
{
    struct hb_buf b;

    hb_buf_init(&b);
    if (strncmp(path, "file:", 5) == 0)
        hb_buf_puts(&b, "./");
    hb_buf_puts(&b, path);
    return b.data;
}

/*
 * Pages of new databases: 4 KiB pages held two or three incident rows
 * (1-2 KiB before schema 4), so WAL commits wrote (and checkpoints copied)
 * a frame per row or two. 16 KiB pages took a bulk insert from ~44k to
 * ~65k incidents per CPU second; with schema 4's rows of ~800 bytes,
 * 64 KiB pages (the largest) took it from ~130k to ~170k a second.
 */
#define PAGE_SIZE_SQL "PRAGMA page_size = 65536"

static enum hb_status open_rw(struct hb_store *s, int busy_ms,
                              struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    bool wal = false;
    int page = 0, waited;

    if ((rc = make_parents(s->path, d)) != HB_OK)
        return rc;
    if ((rc = create_file(s->path, d)) != HB_OK)
        return rc;
    rc =
        open_db(s, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                busy_ms, d);
    if (rc != HB_OK)
        return rc;
    if ((rc = check_version(s, d)) != HB_OK)
        return rc;
    /* a new file's page size holds for its life (WAL cannot change it) */
    if (s->version == 0 &&
        (rc = exec_sql(s, PAGE_SIZE_SQL, "configure", d)) != HB_OK)
        return rc;
    /* WAL lets readers run beside the writer. NORMAL syncs at checkpoints
       only: a crash loses nothing committed, a power loss at most the last
       commits, whose offsets go with them (docs/schema.md) */
    /* The switch needs the file to itself: when another process is still
       creating the same new database it answers busy at once, without the
       busy handler, so it is tried again for up to busy_ms. */
    for (waited = 0;; waited += 10) {
        int src = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1,
                                     &st, NULL);

        if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW)
            wal = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0),
                                  "wal") == 0;
        sqlite3_finalize(st);
        st = NULL;
        if (wal || waited >= busy_ms ||
            ((src & 0xff) != SQLITE_BUSY && (src & 0xff) != SQLITE_LOCKED))
            break;
        sqlite3_sleep(10);
    }
    if (!wal) {
        hb_diag_set(d, NULL, 0, 0,
                    "db: cannot put %s in WAL mode (locked, or a file "
                    "system without shared memory such as NFS?)",
                    s->path);
        return HB_EDB;
    }
    /* checkpoints every 64 MiB of WAL instead of 1000 pages: each copies
       the pages back and syncs, and a bulk insert of 200k incidents went
       from 85k to 97k a second (16 KiB pages); the WAL goes when the last
       connection closes */
    rc = exec_sql(s,
                  "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; "
                  "PRAGMA cache_size = -8192",
                  "configure", d);
    if (rc == HB_OK && pragma_int(s, "PRAGMA page_size", &page) == SQLITE_OK &&
        page > 0)
        sqlite3_wal_autocheckpoint(s->db, (64 << 20) / page);
    if (rc != HB_OK)
        return rc;
    return migrate(s, d);
}

static enum hb_status open_ro(struct hb_store *s, int busy_ms,
                              struct hb_diag *d)
{
    struct stat sb;
    enum hb_status rc;

    if (stat(s->path, &sb) != 0) {
        hb_diag_set(d, NULL, 0, 0, "db: no database at %s (%s)", s->path,
                    strerror(errno));
        return HB_ENOTFOUND;
    }
    if ((rc = open_db(s, SQLITE_OPEN_READONLY, busy_ms, d)) != HB_OK)
        return rc;
    if ((rc = exec_sql(s, "PRAGMA query_only = 1", "configure", d)) != HB_OK)
        return rc;
    if ((rc = check_version(s, d)) != HB_OK)
        return rc;
    if (s->version == 0) {
        hb_diag_set(d, NULL, 0, 0,
                    "db: %s holds no incidents yet (empty "
                    "database)",
                    s->path);
        return HB_ENOTFOUND;
    }
    return HB_OK;
}

/*
 * Process-wide SQLite settings, made once before SQLite initializes.
 * Memory statistics cost a global mutex round trip on every allocation
 * (about 6% of a bulk insert) and hbscan never reads them.
 */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum hb_status hb_store_open(struct hb_store **out, const char *path,
                             enum hb_store_mode mode, int busy_ms,
                             struct hb_diag *d)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct hb_store *s;
    enum hb_status rc;

    pthread_once(&once, configure_sqlite);
    s = hb_xcalloc(1, sizeof *s);
    *out = NULL;
    if (busy_ms <= 0)
        busy_ms = HB_STORE_BUSY_MS;
    s->mode = mode;
    if (mode != HB_STORE_RO) {
        s->texts = hb_text_cache_new();
        s->kinds = hb_text_cache_new();
    }
    if (mode == HB_STORE_MEMORY) {
        s->path = hb_xstrdup(":memory:");
        rc = open_db(s,
                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                         SQLITE_OPEN_MEMORY | SQLITE_OPEN_URI,
                     busy_ms, d);
        if (rc == HB_OK)
            rc = exec_sql(s, PAGE_SIZE_SQL "; PRAGMA temp_store = MEMORY",
                          "configure", d);
        if (rc == HB_OK)
            rc = migrate(s, d);
    } else if (path == NULL || *path == '\0') {
        s->path = hb_xstrdup("");
        hb_diag_set(d, NULL, 0, 0,
                    "db: no database path (set --db or "
                    "HBSCAN_DB)");
        rc = HB_EUSAGE;
    } else if (mode == HB_STORE_RW) {
        s->path = plain_path(path);
        rc = open_rw(s, busy_ms, d);
    } else {
        s->path = plain_path(path);
        rc = open_ro(s, busy_ms, d);
        if (rc == HB_OK && s->version < HB_STORE_SCHEMA_VERSION &&
            access(s->path, W_OK) == 0) {
            /* upgrade once through a writer, then read the new schema */
            struct hb_store *w;

            if (hb_store_open(&w, path, HB_STORE_RW, busy_ms, d) == HB_OK) {
                hb_store_close(w);
                sqlite3_close(s->db);
                s->db = NULL;
                rc = open_ro(s, busy_ms, d);
            }
        }
    }
    if (rc != HB_OK) {
        store_free(s);
        return rc;
    }
    *out = s;
    return HB_OK;
}

void hb_store_close(struct hb_store *s)
{
    if (s == NULL)
        return;
    if (s->in_tx)
        batch_abort(s);
    store_free(s);
}

/* ---- binding helpers ------------------------------------------------ */

/* Binds a NUL-terminated field; "" and NULL become SQL NULL. */
static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v == NULL || *v == '\0')
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* Binds a fixed-size char array that may lack its terminator. */
#define BIND_ARR(st, i, arr)                                                   \
    bind_textn((st), (i), (arr), strnlen((arr), sizeof(arr)))

static void bind_textn(sqlite3_stmt *st, int i, const char *v, size_t n)
{
    if (v == NULL || n == 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, v, (int)n, SQLITE_STATIC);
}

static void bind_opt_int(sqlite3_stmt *st, int i, int64_t v)
{
    if (v == 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

static void bind_time(sqlite3_stmt *st, int ims, int itext, int64_t ms,
                      char *buf, size_t cap)
{
    if (ms == HB_NO_TIME) {
        sqlite3_bind_null(st, ims);
        sqlite3_bind_null(st, itext);
        return;
    }
    sqlite3_bind_int64(st, ims, ms);
    hb_time_format(ms, buf, cap);
    sqlite3_bind_text(st, itext, buf, -1, SQLITE_STATIC);
}

static void now_text(char *buf, size_t cap, int64_t *ms)
{
    *ms = hb_time_now_ms();
    hb_time_format(*ms, buf, cap);
}

static void hex64(uint64_t v, char out[17])
{
    snprintf(out, 17, "%016" PRIx64, v);
}

/* Feeds v to the hash as 8 little-endian bytes: same key on any machine. */
static uint64_t hash_u64(uint64_t v, uint64_t h)
{
    unsigned char b[8];
    int i;

    for (i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    return hb_hash64(b, 8, h);
}

static uint64_t hash_str(const char *s, size_t cap, uint64_t h)
{
    size_t n = strnlen(s, cap);

    h = hb_hash64(s, n, h);
    return hb_hash64("", 1, h); /* separator: "ab"+"c" != "a"+"bc" */
}

/* "host:port", "host" or "" (one per row: no snprintf). A port that does
   not fit in cap is left out. */
static void instance_of(const char *host, size_t hcap, int port, char *out,
                        size_t cap)
{
    char digits[12];
    size_t n = strnlen(host, hcap), k = 0;
    unsigned v = (unsigned)port;

    if (n >= cap)
        n = cap - 1;
    memcpy(out, host, n);
    out[n] = '\0';
    if (n == 0 || port <= 0)
        return;
    do {
        digits[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (n + 1 + k >= cap)
        return;
    out[n++] = ':';
    while (k)
        out[n++] = digits[--k];
    out[n] = '\0';
}

/* The first_hash of source id, for occurrence keys (0 when unknown). */
static enum hb_status source_hash(struct hb_store *s, int64_t id, uint64_t *out,
                                  struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    int r;

    *out = 0;
    if (id <= 0)
        return HB_OK;
    if (id == s->hash_id) {
        *out = s->hash_val;
        return HB_OK;
    }
    if ((rc = stmt_get(s, ST_SRC_HASH, &st, d)) != HB_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);

        *out = t ? strtoull(t, NULL, 16) : 0;
    }
    sqlite3_reset(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return db_error(s, r, "looking up a source", d);
    s->hash_id = id;
    s->hash_val = *out;
    return HB_OK;
}

/* ---- runs ----------------------------------------------------------- */

static void random_key(char out[17])
{
    uint64_t v = 0;
    struct timespec ts;

    if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v) {
        clock_gettime(CLOCK_REALTIME, &ts);
        v = hash_u64((uint64_t)ts.tv_nsec,
                     hash_u64((uint64_t)ts.tv_sec,
                              hash_u64((uint64_t)getpid(), HB_HASH_SEED)));
    }
    hex64(v, out);
}

enum hb_status hb_store_run_begin(struct hb_store *s, const char *args,
                                  struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    char key[17], now[40];
    int64_t ms;

    if ((rc = batch_begin(s, d)) != HB_OK)
        return rc;
    if ((rc = stmt_get(s, ST_RUN_BEGIN, &st, d)) != HB_OK)
        return batch_fail(s, rc);
    random_key(key);
    now_text(now, sizeof now, &ms);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, ms);
    bind_text(st, 4, args);
    sqlite3_bind_text(st, 5, HB_VERSION, -1, SQLITE_STATIC);
    if ((rc = step_done(s, st, "starting a run", d)) != HB_OK)
        return batch_fail(s, rc);
    s->run_id = sqlite3_last_insert_rowid(s->db);
    rc = batch_commit(s, d);
    if (rc != HB_OK)
        s->run_id = 0;
    return rc;
}

enum hb_status hb_store_run_end(struct hb_store *s,
                                const struct hb_run_counts *c,
                                struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    char now[40];
    int64_t ms;

    if (s->run_id == 0)
        return batch_commit(s, d);
    if ((rc = batch_begin(s, d)) != HB_OK)
        return rc;
    if ((rc = stmt_get(s, ST_RUN_END, &st, d)) != HB_OK)
        return batch_fail(s, rc);
    now_text(now, sizeof now, &ms);
    sqlite3_bind_int64(st, 1, s->run_id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, ms);
    sqlite3_bind_int64(st, 4, (int64_t)c->sources);
    sqlite3_bind_int64(st, 5, (int64_t)c->bytes);
    sqlite3_bind_int64(st, 6, (int64_t)c->lines);
    sqlite3_bind_int64(st, 7, (int64_t)c->records);
    sqlite3_bind_int64(st, 8, (int64_t)c->incidents);
    sqlite3_bind_int64(st, 9, (int64_t)c->truncated);
    sqlite3_bind_int64(st, 10, (int64_t)c->cut);
    sqlite3_bind_int64(st, 11, (int64_t)c->input_errors);
    if ((rc = step_done(s, st, "ending the run", d)) != HB_OK)
        return batch_fail(s, rc);
    return batch_commit(s, d);
}

/* ---- sources -------------------------------------------------------- */

static enum hb_status source_update(struct hb_store *s, int64_t id,
                                    const struct hb_source_id *sid,
                                    uint64_t offset, uint64_t line,
                                    bool complete, struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    char now[40];
    int64_t ms;

    if ((rc = stmt_get(s, ST_SRC_UPDATE, &st, d)) != HB_OK)
        return rc;
    now_text(now, sizeof now, &ms);
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, sid->path ? sid->path : "-");
    sqlite3_bind_int64(st, 3, (int64_t)sid->size);
    sqlite3_bind_int64(st, 4, (int64_t)offset);
    sqlite3_bind_int64(st, 5, (int64_t)line);
    sqlite3_bind_int(st, 6, complete);
    bind_text(st, 7, sid->k8s_namespace);
    bind_text(st, 8, sid->k8s_pod);
    bind_text(st, 9, sid->k8s_container);
    sqlite3_bind_text(st, 10, now, -1, SQLITE_TRANSIENT);
    return step_done(s, st, "updating a source", d);
}

static enum hb_status source_insert(struct hb_store *s,
                                    const struct hb_source_id *sid,
                                    uint64_t offset, uint64_t line, int64_t *id,
                                    struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    char hash[17], now[40];
    int64_t ms;

    if ((rc = stmt_get(s, ST_SRC_INSERT, &st, d)) != HB_OK)
        return rc;
    hex64(sid->first_hash, hash);
    now_text(now, sizeof now, &ms);
    bind_text(st, 1, sid->path ? sid->path : "-");
    sqlite3_bind_int64(st, 2, (int64_t)sid->dev);
    sqlite3_bind_int64(st, 3, (int64_t)sid->ino);
    sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (int64_t)sid->size);
    sqlite3_bind_int64(st, 6, (int64_t)offset);
    sqlite3_bind_int64(st, 7, (int64_t)line);
    sqlite3_bind_int(st, 8, sid->gzip);
    bind_text(st, 9, sid->k8s_namespace);
    bind_text(st, 10, sid->k8s_pod);
    bind_text(st, 11, sid->k8s_container);
    sqlite3_bind_text(st, 12, now, -1, SQLITE_STATIC);
    if ((rc = step_done(s, st, "adding a source", d)) != HB_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(s->db);
    return HB_OK;
}

/* The plain source with this first line read furthest, if any. */
static enum hb_status source_find_plain(struct hb_store *s, const char *hash,
                                        bool *found, uint64_t *offset,
                                        uint64_t *line, struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    int r;

    *found = false;
    if ((rc = stmt_get(s, ST_SRC_FIND_PLAIN, &st, d)) != HB_OK)
        return rc;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *found = true;
        *offset = (uint64_t)sqlite3_column_int64(st, 0);
        *line = (uint64_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return db_error(s, r, "looking up a source", d);
    return HB_OK;
}

enum hb_status hb_store_source_begin(struct hb_store *s,
                                     const struct hb_source_id *sid,
                                     bool rescan, struct hb_source_state *st,
                                     struct hb_diag *d)
{
    sqlite3_stmt *q = NULL;
    enum hb_status rc;
    char hash[17];
    bool found = false, complete = false;
    int64_t id = 0;
    uint64_t offset = 0, line = 0;
    int r;

    memset(st, 0, sizeof *st);
    if ((rc = batch_begin(s, d)) != HB_OK)
        return rc;
    hex64(sid->first_hash, hash);
    if ((rc = stmt_get(s, ST_SRC_FIND, &q, d)) != HB_OK)
        return batch_fail(s, rc);
    sqlite3_bind_int64(q, 1, (int64_t)sid->dev);
    sqlite3_bind_int64(q, 2, (int64_t)sid->ino);
    sqlite3_bind_text(q, 3, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 4, sid->gzip);
    r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
        found = true;
        id = sqlite3_column_int64(q, 0);
        offset = (uint64_t)sqlite3_column_int64(q, 2);
        line = (uint64_t)sqlite3_column_int64(q, 3);
        complete = sqlite3_column_int(q, 4) != 0;
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return batch_fail(s, db_error(s, r, "looking up a source", d));

    if (found) {
        if (!sid->gzip && sid->size < offset) {
            offset = 0; /* truncated in place (copytruncate): start over */
            line = 0;
            complete = false;
        }
        /* the row follows the file: new path, size, offset reset */
        rc = source_update(s, id, sid, offset, line, complete, d);
        if (rc != HB_OK)
            return batch_fail(s, rc);
        if (sid->gzip && complete && !rescan)
            st->skip = true;
        st->unchanged = !sid->gzip && !rescan && sid->size == offset;
    } else {
        if (sid->gzip) {
            bool plain = false;

            rc = source_find_plain(s, hash, &plain, &offset, &line, d);
            if (rc != HB_OK)
                return batch_fail(s, rc);
        }
        rc = source_insert(s, sid, offset, line, &id, d);
        if (rc != HB_OK)
            return batch_fail(s, rc);
    }
    st->id = id;
    if (!rescan && !st->skip) {
        st->offset = offset;
        st->line = line;
    }
    s->hash_id = id;
    s->hash_val = sid->first_hash;
    return HB_OK;
}

enum hb_status hb_store_source_done(struct hb_store *s, int64_t source_id,
                                    struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;

    if ((rc = batch_begin(s, d)) != HB_OK)
        return rc;
    if ((rc = stmt_get(s, ST_SRC_DONE, &st, d)) != HB_OK)
        return batch_fail(s, rc);
    sqlite3_bind_int64(st, 1, source_id);
    if ((rc = step_done(s, st, "marking a source read", d)) != HB_OK)
        return batch_fail(s, rc);
    return batch_point(s, d);
}

enum hb_status hb_store_checkpoint(struct hb_store *s, int64_t source_id,
                                   uint64_t offset, uint64_t line,
                                   const char *format, struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    char now[40];
    int64_t ms;

    if ((rc = batch_begin(s, d)) != HB_OK)
        return rc;
    if (source_id > 0) {
        if ((rc = stmt_get(s, ST_CHECKPOINT, &st, d)) != HB_OK)
            return batch_fail(s, rc);
        now_text(now, sizeof now, &ms);
        sqlite3_bind_int64(st, 1, source_id);
        sqlite3_bind_int64(st, 2, (int64_t)offset);
        sqlite3_bind_int64(st, 3, (int64_t)line);
        bind_text(st, 4, format);
        sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
        if ((rc = step_done(s, st, "saving the offset", d)) != HB_OK)
            return batch_fail(s, rc);
    }
    return batch_point(s, d);
}

/* ---- incidents and observations --------------------------------------- */

static void join_codes(const struct hb_incident *inc, char *out, size_t cap)
{
    size_t len = 0;
    int i;

    out[0] = '\0';
    for (i = 0; i < inc->ncodes && i < HB_MAX_CODES; i++) {
        size_t n = strnlen(inc->codes[i].key, sizeof inc->codes[i].key);

        if (n == 0 || len + n + 2 > cap)
            continue;
        if (len)
            out[len++] = ' ';
        memcpy(out + len, inc->codes[i].key, n);
        len += n;
        out[len] = '\0';
    }
}

static uint64_t incident_key(const struct hb_incident *inc, uint64_t first_hash)
{
    uint64_t h = HB_HASH_SEED;

    h = hash_str(inc->fingerprint, sizeof inc->fingerprint, h);
    h = hash_u64(first_hash, h);
    h = hash_u64(inc->first_line, h);
    return hash_u64((uint64_t)inc->ts_ms, h);
}

/* The shortest text that reads back as w, always with a '.' or an
   exponent so that SQLite reads a REAL back ("1.0", not 1). */
static void put_weight(struct hb_buf *b, double w)
{
    char txt[32];
    int p;

    if (!isfinite(w))
        w = 0;
    for (p = 1; p < 17; p++) {
        snprintf(txt, sizeof txt, "%.*g", p, w);
        if (strtod(txt, NULL) == w)
            break;
    }
    if (p == 17)
        snprintf(txt, sizeof txt, "%.17g", w);
    hb_buf_puts(b, txt);
    if (strpbrk(txt, ".e") == NULL)
        hb_buf_puts(b, ".0");
}

/* ["id","cause",weight] of rule r, from the cache or made there. */
static const struct hb_buf *rule_json(struct hb_store *s,
                                      const struct hb_rule_meta *r)
{
    uintptr_t key = (uintptr_t)r;
    struct rule_json *e = &s->rules[(key >> 4 ^ key >> 12) % RULE_CACHE];
    const char *cause = hb_cause_name(r->cause);

    if (e->rule == r && e->cause == r->cause && e->weight == r->weight &&
        strcmp(e->id, r->id) == 0)
        return &e->json;
    free(e->id);
    e->rule = r;
    e->id = hb_xstrdup(r->id);
    e->cause = r->cause;
    e->weight = r->weight;
    hb_buf_reset(&e->json);
    hb_buf_putc(&e->json, '[');
    hb_buf_json_str(&e->json, r->id, strlen(r->id));
    hb_buf_putc(&e->json, ',');
    hb_buf_json_str(&e->json, cause, strlen(cause));
    hb_buf_putc(&e->json, ',');
    put_weight(&e->json, r->weight);
    hb_buf_putc(&e->json, ']');
    return &e->json;
}

/*
 * incidents.other_rules: the hits after the deciding one, as a JSON array
 * (the incident_rules view gives them ranks 1, 2, ...). NULL when there are
 * none; a replayed incident (nhits 0) keeps only its deciding rule.
 */
static const char *other_rules(struct hb_store *s,
                               const struct hb_incident *inc, size_t *len)
{
    int i, n = 0;

    hb_buf_reset(&s->other_rules);
    for (i = 1; i < inc->nhits && i < HB_MAX_HITS; i++) {
        const struct hb_rule_meta *r = inc->hits[i].rule;
        const struct hb_buf *j;

        if (r == NULL || r->id == NULL)
            continue;
        j = rule_json(s, r);
        hb_buf_putc(&s->other_rules, n++ ? ',' : '[');
        hb_buf_append(&s->other_rules, j->data, j->len);
    }
    if (n == 0)
        return NULL;
    hb_buf_putc(&s->other_rules, ']');
    *len = s->other_rules.len;
    return s->other_rules.data;
}

/*
 * The id of the row of a deduplicated table (texts, kinds) whose key is
 * p[0..n) with hash h: from cache c, else found by hash with the statement
 * find (id, key) and compared (then cached); 0 when there is none yet.
 */
static enum hb_status dedup_find(struct hb_store *s, struct hb_text_cache *c,
                                 enum stmt_id find, uint64_t h, const char *p,
                                 size_t n, int64_t *id, const char *what,
                                 struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    int step;

    if ((*id = hb_text_cache_get(c, h, p, n)) > 0)
        return HB_OK;
    if ((rc = stmt_get(s, find, &st, d)) != HB_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (int64_t)h);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const void *b = sqlite3_column_blob(st, 1);

        if ((size_t)sqlite3_column_bytes(st, 1) == n &&
            (n == 0 || memcmp(b, p, n) == 0)) {
            *id = sqlite3_column_int64(st, 0);
            break;
        }
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = db_error(s, step, what, d);
    sqlite3_reset(st);
    if (rc == HB_OK && *id > 0)
        hb_text_cache_put(c, h, p, n, *id);
    return rc;
}

/*
 * The row of texts holding body p[0..n): from the cache, else found by
 * hash (and compared), else inserted. Inside the batch.
 */
static enum hb_status text_id(struct hb_store *s, const char *p, size_t n,
                              int64_t *id, struct hb_diag *d)
{
    uint64_t h = hb_text_hash(p, n);
    sqlite3_stmt *st = NULL;
    enum hb_status rc;

    rc = dedup_find(s, s->texts, ST_TEXT_FIND, h, p, n, id,
                    "looking up a record text", d);
    if (rc != HB_OK || *id > 0)
        return rc;
    if ((rc = stmt_get(s, ST_TEXT_INSERT, &st, d)) != HB_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (int64_t)h);
    bind_textn(st, 2, p, n);
    if ((rc = step_row(s, st, "storing a record text", d)) != HB_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(s->db);
    hb_text_cache_put(s->texts, h, p, n, *id);
    return HB_OK;
}

/* ---- kinds (schema 6) ----------------------------------------------- */

/*
 * A kind's key: its values in order, each "-" when NULL, "i<digits>;" for
 * an integer ("n" when negative), "r<16 hex digits of the bits>;" for the
 * weight and "t<length>:<bytes>" for text, so that two kinds share a key
 * only when every value is the same, on any machine.
 */
/* Appends tag, the digits of v and end, in one piece. */
static void key_num(struct hb_buf *b, char tag, uint64_t v, char end)
{
    char t[24];
    size_t k = sizeof t;

    t[--k] = end;
    do {
        t[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    t[--k] = tag;
    hb_buf_append(b, t + k, sizeof t - k);
}

/*
 * One value of a kind: text p[0..n) (NULL when p is NULL or n is 0), else
 * the integer v (NULL when 0, as pv_opt_int). Appended to the key, and
 * bound as parameter i of st when st is not NULL.
 */
static void kind_text(struct hb_buf *key, sqlite3_stmt *st, int i,
                      const char *p, size_t n)
{
    if (p == NULL || n == 0) {
        hb_buf_putc(key, '-');
    } else {
        key_num(key, 't', n, ':');
        hb_buf_append(key, p, n);
    }
    if (st)
        bind_textn(st, i, p, n);
}

/* A name from a table (cause, severity, event): text even when empty, as
   pv_static. */
static void kind_name(struct hb_buf *key, sqlite3_stmt *st, int i,
                      const char *p)
{
    size_t n = strlen(p);

    key_num(key, 't', n, ':');
    hb_buf_append(key, p, n);
    if (st)
        sqlite3_bind_text(st, i, p, (int)n, SQLITE_STATIC);
}

#define KIND_ARR(key, st, i, arr)                                              \
    kind_text((key), (st), (i), (arr), strnlen((arr), sizeof(arr)))

static void kind_int(struct hb_buf *key, sqlite3_stmt *st, int i, int64_t v)
{
    if (v == 0) {
        hb_buf_putc(key, '-');
    } else {
        key_num(key, v < 0 ? 'n' : 'i',
                v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, ';');
    }
    if (st)
        bind_opt_int(st, i, v);
}

static void kind_real(struct hb_buf *key, sqlite3_stmt *st, int i, double f)
{
    static const char hex[] = "0123456789abcdef";
    char t[18];
    uint64_t bits;
    int k;

    memcpy(&bits, &f, sizeof bits);
    t[0] = 'r';
    for (k = 0; k < 16; k++)
        t[1 + k] = hex[(bits >> (60 - 4 * k)) & 15];
    t[17] = ';';
    hb_buf_append(key, t, sizeof t);
    if (st)
        sqlite3_bind_double(st, i, f);
}

/*
 * The kind of inc: its twelve values, in the order of kinds' columns from
 * sdk_code (parameter 3 of ST_KIND_INSERT) on. Builds s->kind_key; binds
 * st when not NULL. The one list of what a kind is.
 */
static void kind_values(struct hb_store *s, const struct hb_incident *inc,
                        const char *codes, const char *others, size_t on,
                        sqlite3_stmt *st)
{
    struct hb_buf *k = &s->kind_key;

    hb_buf_reset(k);
    kind_int(k, st, 3, inc->sdk_code);
    KIND_ARR(k, st, 4, inc->sdk_name);
    kind_int(k, st, 5, inc->server_code);
    KIND_ARR(k, st, 6, inc->grpc_status);
    if (inc->event != HB_EV_NONE)
        kind_name(k, st, 7, hb_event_name(inc->event));
    else
        kind_text(k, st, 7, NULL, 0);
    KIND_ARR(k, st, 8, inc->exc_class);
    kind_text(k, st, 9, inc->rule_id, inc->rule_id ? strlen(inc->rule_id) : 0);
    kind_name(k, st, 10, hb_cause_name(inc->cause));
    kind_name(k, st, 11, hb_severity_name(inc->severity));
    kind_real(k, st, 12, inc->weight);
    kind_text(k, st, 13, codes, strlen(codes));
    kind_text(k, st, 14, others, others ? on : 0);
}

/* The row of kinds holding the kind of inc: cached, found or inserted. */
static enum hb_status kind_id(struct hb_store *s, const struct hb_incident *inc,
                              const char *codes, const char *others, size_t on,
                              int64_t *id, struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    uint64_t h;

    kind_values(s, inc, codes, others, on, NULL);
    h = hb_text_hash(s->kind_key.data, s->kind_key.len);
    rc = dedup_find(s, s->kinds, ST_KIND_FIND, h, s->kind_key.data,
                    s->kind_key.len, id, "looking up an incident kind", d);
    if (rc != HB_OK || *id > 0)
        return rc;
    if ((rc = stmt_get(s, ST_KIND_INSERT, &st, d)) != HB_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (int64_t)h);
    kind_values(s, inc, codes, others, on, st);
    sqlite3_bind_blob(st, 2, s->kind_key.data, (int)s->kind_key.len,
                      SQLITE_STATIC);
    if ((rc = step_row(s, st, "storing an incident kind", d)) != HB_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(s->db);
    hb_text_cache_put(s->kinds, h, s->kind_key.data, s->kind_key.len, *id);
    return HB_OK;
}

/* ---- pending incident rows (struct pending) ------------------------- */

static struct pval *pv_at(struct hb_store *s, int col)
{
    return &s->pend.row[s->pend.nrows][col - 1];
}

static void pv_null(struct hb_store *s, int col)
{
    pv_at(s, col)->type = PV_NULL;
}

static void pv_int(struct hb_store *s, int col, int64_t v)
{
    struct pval *v_ = pv_at(s, col);

    v_->type = PV_INT;
    v_->i = v;
}

/* 0 = unknown = NULL, as bind_opt_int */
static void pv_opt_int(struct hb_store *s, int col, int64_t v)
{
    if (v == 0)
        pv_null(s, col);
    else
        pv_int(s, col, v);
}

/* p[0..n) copied; empty even when n == 0 (a NOT NULL column). */
static void pv_copy(struct hb_store *s, int col, const char *p, size_t n)
{
    struct pval *v_ = pv_at(s, col);

    v_->type = PV_TEXT;
    v_->off = s->pend.text.len;
    v_->len = n;
    hb_buf_append(&s->pend.text, p, n);
}

/* p[0..n) copied; NULL, "" become SQL NULL, as bind_textn */
static void pv_textn(struct hb_store *s, int col, const char *p, size_t n)
{
    if (p == NULL || n == 0)
        pv_null(s, col);
    else
        pv_copy(s, col, p, n);
}

static void pv_text(struct hb_store *s, int col, const char *p)
{
    pv_textn(s, col, p, p ? strlen(p) : 0);
}

#define PV_ARR(s, col, arr)                                                    \
    pv_textn((s), (col), (arr), strnlen((arr), sizeof(arr)))

static void pv_bind(struct hb_store *s, sqlite3_stmt *st, int first,
                    const struct pval *v)
{
    int c;

    for (c = 0; c < INS_COLS; c++, v++) {
        switch (v->type) {
        case PV_NULL:
            sqlite3_bind_null(st, first + c);
            break;
        case PV_INT:
            sqlite3_bind_int64(st, first + c, v->i);
            break;
        case PV_TEXT:
            sqlite3_bind_text(st, first + c, s->pend.text.data + v->off,
                              (int)v->len, SQLITE_STATIC);
            break;
        }
    }
}

/* Inserts the pending rows; they are gone afterwards, stored or not. */
static enum hb_status pend_flush(struct hb_store *s, struct hb_diag *d)
{
    struct pending *pd = &s->pend;
    sqlite3_stmt *st = NULL;
    enum hb_status rc = HB_OK;
    int r, k;

    if (pd->nrows == INS_ROWS) {
        if ((rc = stmt_get(s, ST_INS_INCIDENTS, &st, d)) == HB_OK) {
            for (r = 0; r < INS_ROWS; r++)
                pv_bind(s, st, 1 + r * INS_COLS, pd->row[r]);
            rc = step_row(s, st, "storing an incident", d);
        }
    } else {
        for (r = 0; r < pd->nrows && rc == HB_OK; r++) {
            if ((rc = stmt_get(s, ST_INS_INCIDENT, &st, d)) != HB_OK)
                break;
            pv_bind(s, st, 1, pd->row[r]);
            rc = step_row(s, st, "storing an incident", d);
        }
    }
    /* the statements point into text: cleared before it is reused */
    for (k = ST_INS_INCIDENT; k <= ST_INS_INCIDENTS; k++)
        if (s->st[k])
            sqlite3_clear_bindings(s->st[k]);
    pd->nrows = 0;
    hb_buf_reset(&pd->text);
    return rc;
}

/* Before any statement that reads incidents or ends the batch. */
static enum hb_status settle(struct hb_store *s, struct hb_diag *d)
{
    return s->pend.nrows ? pend_flush(s, d) : HB_OK;
}

/* Whether line[0..n) is the evidence ev[0..en) and valid UTF-8 (SQLite's
   substr and instr, which cut it out of the body again, count characters
   alike only then). */
static bool same_line(const char *line, size_t n, const char *ev, size_t en)
{
    return n == en && memcmp(line, ev, n) == 0 && hb_utf8_valid(line, n);
}

/*
 * Where the evidence line can be read again instead of being stored:
 * 1 = it is the row's head, 2 = the body's first line, 0 = neither (or it
 * was cut at its cap, or is empty).
 */
static int evidence_at(const struct hb_incident *inc, const char *head,
                       size_t hn, const char *body, size_t bn)
{
    size_t en = strnlen(inc->evidence, sizeof inc->evidence);
    const char *nl;

    if (en == 0 || en + 1 >= sizeof inc->evidence)
        return 0;
    if (same_line(head, hn, inc->evidence, en))
        return 1;
    if (body == NULL)
        return 0;
    nl = memchr(body, '\n', bn);
    return same_line(body, nl ? (size_t)(nl - body) : bn, inc->evidence, en)
               ? 2
               : 0;
}

/* The last time the view's strftime writes as hb_time_format does
   (9999-12-31T23:59:59.999Z); from 0 on, so that ts_ms / 1000 is a floor. */
#define DERIVED_TS_MAX INT64_C(253402300799999)

/* Bits of incident_rows.derived: which columns the view computes. */
#define DERIVED_TS       1 /* ts from ts_ms */
#define DERIVED_INSTANCE 2 /* instance from host and port */

/* Where in head[0..hn) the message starts when head ends with it (1-based,
   as substr counts), or 0. */
static int64_t message_at(const struct hb_incident *inc, const char *head,
                          size_t hn)
{
    size_t mn = strnlen(inc->message, sizeof inc->message);

    if (mn == 0 || mn > hn || memcmp(head + hn - mn, inc->message, mn) != 0)
        return 0;
    return (int64_t)(hn - mn) + 1;
}

enum hb_status hb_store_put_incident(struct hb_store *s, int64_t source_id,
                                     const struct hb_incident *inc,
                                     struct hb_diag *d)
{
    enum hb_status rc;
    char ts[40], codes[HB_MAX_CODES * 17 + 1];
    const char *others, *nl;
    uint64_t first_hash;
    size_t tn, hn, on = 0;
    int64_t body = 0, msg_at, kind;
    int ev_at, derived = DERIVED_INSTANCE;

    if ((rc = batch_begin(s, d)) != HB_OK)
        return rc;
    if ((rc = source_hash(s, source_id, &first_hash, d)) != HB_OK)
        return batch_fail(s, rc);
    join_codes(inc, codes, sizeof codes);
    others = other_rules(s, inc, &on);
    tn =
        inc->text.n > HB_INCIDENT_TEXT_CAP ? HB_INCIDENT_TEXT_CAP : inc->text.n;
    /* the first line stays in the row; a body after it goes to texts */
    nl = tn ? memchr(inc->text.p, '\n', tn) : NULL;
    hn = nl ? (size_t)(nl - inc->text.p) : tn;
    if (nl && hn + 1 < tn &&
        (rc = text_id(s, nl + 1, tn - hn - 1, &body, d)) != HB_OK)
        return batch_fail(s, rc);
    if (body == 0)
        hn = tn;
    ev_at = evidence_at(inc, inc->text.p, hn, body ? nl + 1 : NULL,
                        body ? tn - hn - 1 : 0);
    msg_at = message_at(inc, inc->text.p, hn);
    if ((rc = kind_id(s, inc, codes, others, on, &kind, d)) != HB_OK)
        return batch_fail(s, rc);

    pv_opt_int(s, 1, s->run_id);
    pv_opt_int(s, 2, source_id > 0 ? source_id : 0);
    pv_text(s, 3, inc->source);
    pv_int(s, 4, (int64_t)inc->first_line);
    pv_int(s, 5, (int64_t)inc->last_line);
    pv_int(s, 6, (int64_t)inc->evidence_line);
    if (ev_at)
        pv_null(s, 7);
    else
        PV_ARR(s, 7, inc->evidence);
    if (inc->ts_ms == HB_NO_TIME) {
        pv_null(s, 8);
        pv_null(s, 9);
    } else if (inc->ts_ms >= 0 && inc->ts_ms <= DERIVED_TS_MAX) {
        pv_int(s, 8, inc->ts_ms);
        pv_null(s, 9);
        derived |= DERIVED_TS;
    } else {
        pv_int(s, 8, inc->ts_ms);
        hb_time_format(inc->ts_ms, ts, sizeof ts);
        pv_text(s, 9, ts);
    }
    PV_ARR(s, 10, inc->level);
    PV_ARR(s, 11, inc->format);
    PV_ARR(s, 12, inc->ns);
    PV_ARR(s, 13, inc->service);
    PV_ARR(s, 14, inc->host);
    pv_opt_int(s, 15, inc->port);
    PV_ARR(s, 16, inc->server_addr);
    if (msg_at)
        pv_null(s, 17);
    else
        PV_ARR(s, 17, inc->message);
    pv_copy(s, 18, inc->fingerprint,
            strnlen(inc->fingerprint, sizeof inc->fingerprint));
    pv_textn(s, 19, inc->text.p, hn);
    pv_int(s, 20, (int64_t)incident_key(inc, first_hash));
    PV_ARR(s, 21, inc->k8s_namespace);
    PV_ARR(s, 22, inc->k8s_pod);
    PV_ARR(s, 23, inc->k8s_container);
    pv_opt_int(s, 24, body);
    pv_opt_int(s, 25, ev_at);
    pv_int(s, 26, derived);
    pv_opt_int(s, 27, msg_at);
    pv_int(s, 28, kind);
    /* an incident stored before (same time and occurrence key) is ignored
       when the rows go in */
    s->tx_rows++;
    if (++s->pend.nrows < INS_ROWS)
        return HB_OK;
    return batch_fail(s, pend_flush(s, d));
}

static uint64_t obs_key(const struct hb_obs *o, uint64_t first_hash)
{
    uint64_t h = HB_HASH_SEED;

    h = hash_u64(first_hash, h);
    h = hash_u64(o->line, h);
    h = hash_u64((uint64_t)o->ts_ms, h);
    h = hash_str(o->kind, sizeof o->kind, h);
    h = hash_str(o->key, sizeof o->key, h);
    return hash_str(o->value, sizeof o->value, h);
}

enum hb_status hb_store_put_obs(struct hb_store *s, int64_t source_id,
                                const struct hb_obs *o, struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    char ts[40], inst[96];
    uint64_t first_hash;

    if ((rc = batch_begin(s, d)) != HB_OK)
        return rc;
    if ((rc = source_hash(s, source_id, &first_hash, d)) != HB_OK)
        return batch_fail(s, rc);
    if ((rc = stmt_get(s, ST_INS_OBS, &st, d)) != HB_OK)
        return batch_fail(s, rc);
    instance_of(o->host, sizeof o->host, o->port, inst, sizeof inst);
    bind_opt_int(st, 1, s->run_id);
    bind_opt_int(st, 2, source_id > 0 ? source_id : 0);
    bind_text(st, 3, o->source);
    sqlite3_bind_int64(st, 4, (int64_t)o->line);
    bind_time(st, 5, 6, o->ts_ms, ts, sizeof ts);
    sqlite3_bind_text(st, 7, o->kind, (int)strnlen(o->kind, sizeof o->kind),
                      SQLITE_STATIC);
    BIND_ARR(st, 8, o->key);
    BIND_ARR(st, 9, o->value);
    BIND_ARR(st, 10, o->ns);
    BIND_ARR(st, 11, o->service);
    BIND_ARR(st, 12, o->host);
    bind_opt_int(st, 13, o->port);
    bind_text(st, 14, inst);
    BIND_ARR(st, 15, o->text);
    sqlite3_bind_int64(st, 16, (int64_t)obs_key(o, first_hash));
    s->tx_rows++;
    return batch_fail(s, step_row(s, st, "storing an observation", d));
}

/* ---- filters -------------------------------------------------------- */

void hb_filter_init(struct hb_filter *f)
{
    memset(f, 0, sizeof *f);
    f->since_ms = HB_NO_TIME;
    f->until_ms = HB_NO_TIME;
}

bool hb_filter_cause_valid(const char *cause)
{
    return strcmp(cause, "unknown") == 0 ||
           hb_cause_from_name(cause) != HB_CAUSE_NONE;
}

#define MAX_PARAMS 16

/* A WHERE clause under construction with its parameters, bound in order. */
struct where {
    struct hb_buf sql;
    struct {
        bool is_text;
        int64_t i;
        char t[160];
    } p[MAX_PARAMS];
    int n;
};

static void where_and(struct where *w, const char *clause)
{
    hb_buf_puts(&w->sql, w->sql.len ? " AND " : " WHERE ");
    hb_buf_puts(&w->sql, clause);
}

static void param_int(struct where *w, int64_t v)
{
    if (w->n >= MAX_PARAMS)
        hb_die("store: too many filter parameters");
    w->p[w->n].is_text = false;
    w->p[w->n].i = v;
    w->n++;
}

static void param_text(struct where *w, const char *v)
{
    if (w->n >= MAX_PARAMS)
        hb_die("store: too many filter parameters");
    w->p[w->n].is_text = true;
    hb_strlcpy(w->p[w->n].t, v, strlen(v), sizeof w->p[w->n].t);
    w->n++;
}

static bool all_digits(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

#define CODE_IN_CODES "instr(' ' || codes || ' ', ?) > 0"

/* --code: a server code, an SDK code (ERR-n, n), a Go code, a name. */
static void where_code(struct where *w, const char *code)
{
    char key[64];

    if (all_digits(code) && strlen(code) <= 9) {
        int64_t n = strtoll(code, NULL, 10);

        where_and(w, "(server_code = ? OR sdk_code = ? OR " CODE_IN_CODES ")");
        param_int(w, n);
        param_int(w, n);
        snprintf(key, sizeof key, " Polaris-%s ", code);
        param_text(w, key);
    } else if (strncasecmp(code, "ERR-", 4) == 0 && all_digits(code + 4) &&
               strlen(code) <= 13) {
        where_and(w, "(sdk_code = ? OR " CODE_IN_CODES ")");
        param_int(w, strtoll(code + 4, NULL, 10));
        snprintf(key, sizeof key, " ERR-%s ", code + 4);
        param_text(w, key);
    } else {
        where_and(w, "(grpc_status = ? COLLATE NOCASE OR "
                     "sdk_name = ? COLLATE NOCASE OR " CODE_IN_CODES ")");
        param_text(w, code);
        param_text(w, code);
        snprintf(key, sizeof key, " %.60s ", code);
        param_text(w, key);
    }
}

/* The filter as a WHERE clause; incidents adds cause and code. */
static void where_build(struct where *w, const struct hb_filter *f,
                        bool incidents)
{
    hb_buf_init(&w->sql);
    hb_buf_puts(&w->sql, "");
    w->n = 0;
    if (f == NULL)
        return;
    if (f->since_ms != HB_NO_TIME) {
        where_and(w, "ts_ms >= ?");
        param_int(w, f->since_ms);
    }
    if (f->until_ms != HB_NO_TIME) {
        where_and(w, "ts_ms < ?");
        param_int(w, f->until_ms);
    }
    if (f->service && *f->service) {
        where_and(w, "service = ?");
        param_text(w, f->service);
    }
    if (f->instance && *f->instance) {
        where_and(w, strchr(f->instance, ':') ? "instance = ?" : "host = ?");
        param_text(w, f->instance);
    }
    if (!incidents)
        return;
    if (f->cause && *f->cause) {
        where_and(w, "cause = ?");
        param_text(w, f->cause);
    }
    if (f->code && *f->code)
        where_code(w, f->code);
}

static void where_bind(const struct where *w, sqlite3_stmt *st, int first)
{
    int i;

    for (i = 0; i < w->n; i++) {
        if (w->p[i].is_text)
            sqlite3_bind_text(st, first + i, w->p[i].t, -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, first + i, w->p[i].i);
    }
}

/* Prepares a one-off statement; SQL errors carry "what". */
static enum hb_status prepare(struct hb_store *s, const char *sql,
                              sqlite3_stmt **st, const char *what,
                              struct hb_diag *d)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

    if (rc != SQLITE_OK) {
        *st = NULL;
        return db_error(s, rc, what, d);
    }
    return HB_OK;
}

/* ---- result rows ---------------------------------------------------- */

/* Feeds every row of st to sink (columns first). */
static enum hb_status emit_rows(struct hb_store *s, sqlite3_stmt *st,
                                const struct hb_row_sink *sink,
                                const char *what, struct hb_diag *d)
{
    int n = sqlite3_column_count(st), i, rc;
    const char **names = hb_xcalloc((size_t)(n ? n : 1), sizeof *names);
    struct hb_val *vals = hb_xcalloc((size_t)(n ? n : 1), sizeof *vals);
    struct hb_buf *blobs = hb_xcalloc((size_t)(n ? n : 1), sizeof *blobs);
    enum hb_status status = HB_OK;

    for (i = 0; i < n; i++) {
        names[i] = sqlite3_column_name(st, i);
        hb_buf_init(&blobs[i]);
    }
    if (sink->columns)
        sink->columns(sink->ctx, n, names);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (i = 0; i < n; i++) {
            int t = sqlite3_column_type(st, i);
            const unsigned char *p;
            int len, k;

            switch (t) {
            case SQLITE_NULL:
                vals[i] = (struct hb_val){HB_VAL_NULL, NULL, 0};
                break;
            case SQLITE_BLOB:
                p = sqlite3_column_blob(st, i);
                len = sqlite3_column_bytes(st, i);
                hb_buf_reset(&blobs[i]);
                hb_buf_puts(&blobs[i], "");
                for (k = 0; k < len; k++)
                    hb_buf_printf(&blobs[i], "%02x", p[k]);
                vals[i] =
                    (struct hb_val){HB_VAL_TEXT, blobs[i].data, blobs[i].len};
                break;
            default:
                p = sqlite3_column_text(st, i);
                len = sqlite3_column_bytes(st, i);
                vals[i] =
                    (struct hb_val){t == SQLITE_INTEGER ? HB_VAL_INT
                                    : t == SQLITE_FLOAT ? HB_VAL_REAL
                                                        : HB_VAL_TEXT,
                                    p ? (const char *)p : "", (size_t)len};
                break;
            }
        }
        if (sink->row)
            sink->row(sink->ctx, n, vals);
    }
    if (rc != SQLITE_DONE)
        status = db_error(s, rc, what, d);
    for (i = 0; i < n; i++)
        hb_buf_fini(&blobs[i]);
    free(blobs);
    free(vals);
    free(names);
    return status;
}

enum hb_status hb_store_list_incidents(struct hb_store *s,
                                       const struct hb_filter *f, bool group,
                                       const struct hb_row_sink *sink,
                                       struct hb_diag *d)
{
    struct where w;
    struct hb_buf sql;
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    long limit = f ? f->limit : 0;

    if ((rc = settle(s, d)) != HB_OK)
        return batch_fail(s, rc);
    where_build(&w, f, true);
    hb_buf_init(&sql);
    if (group) {
        hb_buf_puts(&sql,
                    "SELECT g.fingerprint, g.count, g.first_seen, "
                    "g.last_seen, i.cause, i.rule_id, i.severity, i.service, "
                    "i.instance, i.codes, i.source, i.evidence_line AS line, "
                    "i.evidence AS sample FROM (SELECT fingerprint, count(*) "
                    "AS count, min(ts) AS first_seen, max(ts) AS last_seen, "
                    "max(id) AS last_id FROM incidents");
        hb_buf_puts(&sql, w.sql.data);
        hb_buf_puts(&sql, " GROUP BY fingerprint) AS g JOIN incidents AS i "
                          "ON i.id = g.last_id ORDER BY g.count DESC, "
                          "g.last_seen DESC, g.fingerprint");
        if (limit > 0)
            hb_buf_printf(&sql, " LIMIT %ld", limit);
    } else {
        hb_buf_puts(&sql, "SELECT id, ts, cause, severity, rule_id, service, "
                          "instance, codes, source, evidence_line AS line, "
                          "evidence FROM incidents");
        if (limit > 0) {
            hb_buf_puts(&sql, " WHERE id IN (SELECT id FROM incidents");
            hb_buf_puts(&sql, w.sql.data);
            hb_buf_printf(&sql, " ORDER BY ts_ms DESC, id DESC LIMIT %ld)",
                          limit);
        } else {
            hb_buf_puts(&sql, w.sql.data);
        }
        hb_buf_puts(&sql, " ORDER BY ts_ms, id");
    }
    rc = prepare(s, sql.data, &st, "listing incidents", d);
    if (rc == HB_OK) {
        where_bind(&w, st, 1);
        rc = emit_rows(s, st, sink, "listing incidents", d);
    }
    sqlite3_finalize(st);
    hb_buf_fini(&sql);
    hb_buf_fini(&w.sql);
    return rc;
}

/* ---- replay --------------------------------------------------------- */

#define INC_COLS                                                               \
    "source, first_line, last_line, evidence_line, evidence, ts_ms, ts, "      \
    "level, format, namespace, service, host, port, server_addr, "             \
    "k8s_namespace, k8s_pod, k8s_container, sdk_code, sdk_name, "              \
    "server_code, grpc_status, event, exc_class, message, rule_id, cause, "    \
    "severity, weight, fingerprint, text, codes, id"

#define OBS_COLS                                                               \
    "source, line, ts_ms, kind, key, value, namespace, service, host, "        \
    "port, text, id"

static void col_copy(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
    const char *p = (const char *)sqlite3_column_text(st, i);

    hb_strlcpy(dst, p, p ? (size_t)sqlite3_column_bytes(st, i) : 0, cap);
}

#define COL_ARR(st, i, arr) col_copy((st), (i), (arr), sizeof(arr))

static int64_t col_time(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL
               ? HB_NO_TIME
               : sqlite3_column_int64(st, i);
}

static enum hb_event event_from_name(const char *name)
{
    int e;

    if (name == NULL || *name == '\0')
        return HB_EV_NONE;
    for (e = HB_EV_NONE + 1; e <= HB_EV_STARTUP_FAIL; e++)
        if (strcmp(hb_event_name((enum hb_event)e), name) == 0)
            return (enum hb_event)e;
    return HB_EV_NONE;
}

/* "ERR-1006 Polaris-1006 400401" back into codes[]. */
static void split_codes(struct hb_incident *inc, const char *codes)
{
    const char *p = codes, *e;

    inc->ncodes = 0;
    while (p && *p && inc->ncodes < HB_MAX_CODES) {
        struct hb_code_seen *c = &inc->codes[inc->ncodes];
        size_t n;

        while (*p == ' ')
            p++;
        e = strchr(p, ' ');
        n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0)
            break;
        memset(c, 0, sizeof *c);
        hb_strlcpy(c->key, p, n, sizeof c->key);
        if (strncmp(c->key, "ERR-", 4) == 0) {
            c->kind = HB_CODE_SDK;
            c->num = atoi(c->key + 4);
        } else if (strncmp(c->key, "Polaris-", 8) == 0) {
            c->kind = HB_CODE_GO;
            c->num = atoi(c->key + 8);
        } else {
            c->kind = HB_CODE_SERVER;
            c->num = atoi(c->key);
        }
        inc->ncodes++;
        p += n;
    }
}

static void row_incident(sqlite3_stmt *st, struct hb_incident *inc)
{
    const char *t;
    int sev;

    memset(inc, 0, sizeof *inc);
    inc->source = (const char *)sqlite3_column_text(st, 0);
    inc->first_line = (uint64_t)sqlite3_column_int64(st, 1);
    inc->last_line = (uint64_t)sqlite3_column_int64(st, 2);
    inc->evidence_line = (uint64_t)sqlite3_column_int64(st, 3);
    COL_ARR(st, 4, inc->evidence);
    inc->ts_ms = col_time(st, 5);
    COL_ARR(st, 6, inc->ts_text);
    COL_ARR(st, 7, inc->level);
    COL_ARR(st, 8, inc->format);
    COL_ARR(st, 9, inc->ns);
    COL_ARR(st, 10, inc->service);
    COL_ARR(st, 11, inc->host);
    inc->port = sqlite3_column_int(st, 12);
    COL_ARR(st, 13, inc->server_addr);
    COL_ARR(st, 14, inc->k8s_namespace);
    COL_ARR(st, 15, inc->k8s_pod);
    COL_ARR(st, 16, inc->k8s_container);
    inc->sdk_code = sqlite3_column_int(st, 17);
    COL_ARR(st, 18, inc->sdk_name);
    inc->server_code = sqlite3_column_int(st, 19);
    COL_ARR(st, 20, inc->grpc_status);
    inc->event = event_from_name((const char *)sqlite3_column_text(st, 21));
    COL_ARR(st, 22, inc->exc_class);
    COL_ARR(st, 23, inc->message);
    inc->rule_id = (const char *)sqlite3_column_text(st, 24);
    t = (const char *)sqlite3_column_text(st, 25);
    inc->cause = t ? hb_cause_from_name(t) : HB_CAUSE_NONE;
    t = (const char *)sqlite3_column_text(st, 26);
    sev = t ? hb_severity_from_name(t) : -1;
    inc->severity = sev < 0 ? HB_SEV_ERROR : (enum hb_severity)sev;
    inc->weight = sqlite3_column_double(st, 27);
    COL_ARR(st, 28, inc->fingerprint);
    inc->text.p = (const char *)sqlite3_column_text(st, 29);
    inc->text.n = inc->text.p ? (size_t)sqlite3_column_bytes(st, 29) : 0;
    split_codes(inc, (const char *)sqlite3_column_text(st, 30));
    inc->nhits = 0;
}

static void row_obs(sqlite3_stmt *st, struct hb_obs *o)
{
    memset(o, 0, sizeof *o);
    o->source = (const char *)sqlite3_column_text(st, 0);
    o->line = (uint64_t)sqlite3_column_int64(st, 1);
    o->ts_ms = col_time(st, 2);
    COL_ARR(st, 3, o->kind);
    COL_ARR(st, 4, o->key);
    COL_ARR(st, 5, o->value);
    COL_ARR(st, 6, o->ns);
    COL_ARR(st, 7, o->service);
    COL_ARR(st, 8, o->host);
    o->port = sqlite3_column_int(st, 9);
    COL_ARR(st, 10, o->text);
}

/* Steps st; *more says whether it produced a row. */
static enum hb_status advance(struct hb_store *s, sqlite3_stmt *st, bool *more,
                              struct hb_diag *d)
{
    int rc;

    if (st == NULL) {
        *more = false;
        return HB_OK;
    }
    rc = sqlite3_step(st);
    *more = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return HB_OK;
    return db_error(s, rc, "replaying incidents", d);
}

enum hb_status hb_store_replay(struct hb_store *s, const struct hb_filter *f,
                               void (*inc_fn)(void *,
                                              const struct hb_incident *),
                               void (*obs_fn)(void *, const struct hb_obs *),
                               void *ctx, struct hb_diag *d)
{
    struct where wi, wo;
    struct hb_buf qi, qo;
    sqlite3_stmt *si = NULL, *so = NULL;
    struct hb_incident *inc;
    struct hb_obs obs;
    enum hb_status rc = HB_OK;
    bool mi = false, mo = false;
    long limit = f ? f->limit : 0;

    if ((rc = settle(s, d)) != HB_OK)
        return batch_fail(s, rc);
    inc = hb_xmalloc(sizeof *inc);

    where_build(&wi, f, true);
    where_build(&wo, f, false);
    hb_buf_init(&qi);
    hb_buf_init(&qo);
    hb_buf_puts(&qi, "SELECT " INC_COLS " FROM incidents");
    if (limit > 0) {
        hb_buf_puts(&qi, " WHERE id IN (SELECT id FROM incidents");
        hb_buf_puts(&qi, wi.sql.data);
        hb_buf_printf(&qi, " ORDER BY ts_ms DESC, id DESC LIMIT %ld)", limit);
    } else {
        hb_buf_puts(&qi, wi.sql.data);
    }
    hb_buf_puts(&qi, " ORDER BY ts_ms, id");
    hb_buf_printf(&qo,
                  "SELECT " OBS_COLS " FROM observations%s "
                  "ORDER BY ts_ms, id",
                  wo.sql.data);
    if (inc_fn) {
        if ((rc = prepare(s, qi.data, &si, "replaying incidents", d)) != HB_OK)
            goto out;
        where_bind(&wi, si, 1);
    }
    if (obs_fn) {
        if ((rc = prepare(s, qo.data, &so, "replaying observations", d)) !=
            HB_OK)
            goto out;
        where_bind(&wo, so, 1);
    }
    if ((rc = advance(s, si, &mi, d)) != HB_OK ||
        (rc = advance(s, so, &mo, d)) != HB_OK)
        goto out;
    /* merge the two time-ordered streams; no time sorts first */
    while (mi || mo) {
        bool take_inc = mi;

        if (mi && mo) {
            int64_t ti = col_time(si, 5), to = col_time(so, 2);

            take_inc = ti <= to;
        }
        if (take_inc) {
            row_incident(si, inc);
            inc_fn(ctx, inc);
            rc = advance(s, si, &mi, d);
        } else {
            row_obs(so, &obs);
            obs_fn(ctx, &obs);
            rc = advance(s, so, &mo, d);
        }
        if (rc != HB_OK)
            goto out;
    }
out:
    sqlite3_finalize(si);
    sqlite3_finalize(so);
    hb_buf_fini(&qi);
    hb_buf_fini(&qo);
    hb_buf_fini(&wi.sql);
    hb_buf_fini(&wo.sql);
    free(inc);
    return rc;
}

/* ---- user queries --------------------------------------------------- */

struct auth {
    char denied[160]; /* what the authorizer refused, "" = nothing */
};

/* Pragmas that only read; those in with_arg may name a table or index. */
static const char *const read_pragmas[] = {
    "application_id", "collation_list",  "compile_options",   "data_version",
    "database_list",  "encoding",        "foreign_key_check", "freelist_count",
    "function_list",  "integrity_check", "journal_mode",      "module_list",
    "page_count",     "page_size",       "pragma_list",       "quick_check",
    "schema_version", "table_list",      "user_version",      NULL};
static const char *const arg_pragmas[] = {
    "foreign_key_list", "index_info",  "index_list", "index_xinfo",
    "table_info",       "table_xinfo", NULL};
static const char *const denied_functions[] = {
    "load_extension", "readfile", "writefile", "edit", "fts3_tokenizer", NULL};

static bool in_list(const char *const *list, const char *name)
{
    for (; name && *list; list++)
        if (strcasecmp(*list, name) == 0)
            return true;
    return false;
}

static const char *action_name(int action)
{
    switch (action) {
    case SQLITE_INSERT:
        return "INSERT";
    case SQLITE_UPDATE:
        return "UPDATE";
    case SQLITE_DELETE:
        return "DELETE";
    case SQLITE_ATTACH:
        return "ATTACH";
    case SQLITE_DETACH:
        return "DETACH";
    case SQLITE_TRANSACTION:
        return "transactions";
    case SQLITE_SAVEPOINT:
        return "SAVEPOINT";
    case SQLITE_ALTER_TABLE:
        return "ALTER TABLE";
    case SQLITE_ANALYZE:
        return "ANALYZE";
    case SQLITE_REINDEX:
        return "REINDEX";
    case SQLITE_CREATE_VTABLE:
        return "CREATE VIRTUAL TABLE";
    case SQLITE_DROP_VTABLE:
        return "DROP VIRTUAL TABLE";
    default:
        if (action >= SQLITE_CREATE_INDEX && action <= SQLITE_CREATE_VIEW)
            return "CREATE";
        if (action >= SQLITE_DROP_INDEX && action <= SQLITE_DROP_VIEW)
            return "DROP";
        return "this statement";
    }
}

static int authorize(void *ctx, int action, const char *a1, const char *a2,
                     const char *db, const char *trigger)
{
    struct auth *au = ctx;

    (void)db;
    (void)trigger;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_UPDATE:
        /* SQLite itself asks this while setting up a table-valued function
           (json_each, pragma_table_info); users cannot write sqlite_master
           anyway (defensive mode, no writable_schema) */
        if (a1 && strcmp(a1, "sqlite_master") == 0)
            return SQLITE_OK;
        snprintf(au->denied, sizeof au->denied, "UPDATE");
        return SQLITE_DENY;
    case SQLITE_FUNCTION:
        if (!in_list(denied_functions, a2))
            return SQLITE_OK;
        snprintf(au->denied, sizeof au->denied, "function %s()", a2);
        return SQLITE_DENY;
    case SQLITE_PRAGMA:
        if ((a2 == NULL && in_list(read_pragmas, a1)) ||
            in_list(arg_pragmas, a1))
            return SQLITE_OK;
        snprintf(au->denied, sizeof au->denied, "PRAGMA %s%s%s", a1 ? a1 : "",
                 a2 ? " = " : "", a2 ? a2 : "");
        return SQLITE_DENY;
    default:
        snprintf(au->denied, sizeof au->denied, "%s", action_name(action));
        return SQLITE_DENY;
    }
}

/* True when only blanks and comments remain in tail. */
static bool only_comments(struct hb_store *s, const char *tail)
{
    sqlite3_stmt *st = NULL;
    const char *next = NULL;
    bool empty;

    if (tail == NULL || *tail == '\0')
        return true;
    if (sqlite3_prepare_v2(s->db, tail, -1, &st, &next) != SQLITE_OK)
        return false;
    empty = st == NULL;
    sqlite3_finalize(st);
    return empty;
}

enum hb_status hb_store_query(struct hb_store *s, const char *sql,
                              const struct hb_row_sink *sink, struct hb_diag *d)
{
    struct auth au = {""};
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    enum hb_status rc = HB_OK;
    int r;

    if ((rc = settle(s, d)) != HB_OK)
        return batch_fail(s, rc);
    sqlite3_set_authorizer(s->db, authorize, &au);
    r = sqlite3_prepare_v2(s->db, sql, -1, &st, &tail);
    if (r != SQLITE_OK) {
        if (au.denied[0])
            hb_diag_set(d, NULL, 0, 0,
                        "query: refused: %s (hbscan query is read-only)",
                        au.denied);
        else
            hb_diag_set(d, NULL, 0, 0, "query: %s", sqlite3_errmsg(s->db));
        rc = HB_EPARSE;
        goto out;
    }
    if (st == NULL) {
        hb_diag_set(d, NULL, 0, 0, "query: no SQL statement given");
        rc = HB_EPARSE;
        goto out;
    }
    if (!only_comments(s, tail)) {
        hb_diag_set(d, NULL, 0, 0, "query: give one statement at a time");
        rc = HB_EPARSE;
        goto out;
    }
    if (!sqlite3_stmt_readonly(st)) {
        hb_diag_set(d, NULL, 0, 0,
                    "query: refused: the statement writes (hbscan query is "
                    "read-only)");
        rc = HB_EPARSE;
        goto out;
    }
    rc = emit_rows(s, st, sink, "query", d);
    if (rc == HB_EDB && d) {
        char msg[sizeof d->msg];

        /* a runtime error of the user's SQL: no need for the file name */
        snprintf(msg, sizeof msg, "query: %s", sqlite3_errmsg(s->db));
        hb_diag_set(d, NULL, 0, 0, "%s", msg);
    }
out:
    sqlite3_finalize(st);
    sqlite3_set_authorizer(s->db, NULL, NULL);
    return rc;
}

/* ---- maintenance ---------------------------------------------------- */

static uint64_t count_rows(struct hb_store *s, const char *table)
{
    char sql[96];
    sqlite3_stmt *st = NULL;
    uint64_t n = 0;

    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static uint64_t file_size(const char *path, const char *suffix)
{
    struct hb_buf b;
    struct stat sb;
    uint64_t n = 0;

    hb_buf_init(&b);
    hb_buf_puts(&b, path);
    hb_buf_puts(&b, suffix);
    if (stat(b.data, &sb) == 0)
        n = (uint64_t)sb.st_size;
    hb_buf_fini(&b);
    return n;
}

enum hb_status hb_store_info(struct hb_store *s, struct hb_store_info *info,
                             struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    const char *span =
        s->version >= 2
            ? "SELECT min(lo), max(hi) FROM (SELECT min(ts_ms) AS lo, "
              "max(ts_ms) AS hi FROM incidents UNION ALL SELECT min(ts_ms), "
              "max(ts_ms) FROM observations)"
            : "SELECT min(ts_ms), max(ts_ms) FROM incidents";

    memset(info, 0, sizeof *info);
    if ((rc = settle(s, d)) != HB_OK)
        return batch_fail(s, rc);
    info->schema_version = s->version;
    info->first_ms = info->last_ms = HB_NO_TIME;
    if (s->mode != HB_STORE_MEMORY)
        info->file_bytes = file_size(s->path, "") + file_size(s->path, "-wal");
    info->sources = count_rows(s, "sources");
    info->runs = count_rows(s, "runs");
    info->incidents = count_rows(s, "incidents");
    info->incident_rules = count_rows(s, "incident_rules");
    if (s->version >= 2)
        info->observations = count_rows(s, "observations");
    if (s->version >= 4)
        info->texts = count_rows(s, "texts");
    if ((rc = prepare(s, span, &st, "reading the time span", d)) != HB_OK)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW) {
        info->first_ms = col_time(st, 0);
        info->last_ms = col_time(st, 1);
    }
    sqlite3_finalize(st);
    return HB_OK;
}

enum hb_status hb_store_vacuum(struct hb_store *s, struct hb_diag *d)
{
    enum hb_status rc;

    if ((rc = batch_commit(s, d)) != HB_OK)
        return rc;
    if ((rc = exec_sql(s, "VACUUM", "vacuum", d)) != HB_OK)
        return rc;
    if (s->mode == HB_STORE_MEMORY)
        return HB_OK;
    return exec_sql(s, "PRAGMA wal_checkpoint(TRUNCATE)", "vacuum", d);
}

/* Runs sql with one integer parameter; *changes gets the rows it touched. */
static enum hb_status exec_int(struct hb_store *s, const char *sql, int64_t v,
                               uint64_t *changes, struct hb_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum hb_status rc;

    if ((rc = prepare(s, sql, &st, "prune", d)) != HB_OK)
        return rc;
    sqlite3_bind_int64(st, 1, v);
    rc = step_done(s, st, "prune", d);
    if (rc == HB_OK && changes)
        *changes = (uint64_t)sqlite3_changes(s->db);
    sqlite3_finalize(st);
    return rc;
}

enum hb_status hb_store_prune(struct hb_store *s, int64_t before_ms,
                              uint64_t *incidents, uint64_t *observations,
                              struct hb_diag *d)
{
    enum hb_status rc;
    uint64_t ni = 0, no = 0;

    if ((rc = batch_begin(s, d)) != HB_OK)
        return rc;
    if ((rc = settle(s, d)) != HB_OK)
        return batch_fail(s, rc);
    /* an incident's rule hits are in its row (schema 3); bodies no row
       points at any more go with the last one (schema 4) */
    rc = exec_int(s, "DELETE FROM incident_rows WHERE ts_ms < ?1", before_ms,
                  &ni, d);
    if (rc == HB_OK)
        rc = exec_int(s,
                      "DELETE FROM texts WHERE id NOT IN (SELECT text_id "
                      "FROM incident_rows WHERE text_id IS NOT NULL) AND ?1",
                      1, NULL, d);
    if (rc == HB_OK && s->version >= 6)
        rc = exec_int(s,
                      "DELETE FROM kinds WHERE id NOT IN (SELECT kind_id "
                      "FROM incident_rows WHERE kind_id IS NOT NULL) AND ?1",
                      1, NULL, d);
    caches_clear(s);
    if (rc == HB_OK && s->version >= 2)
        rc = exec_int(s, "DELETE FROM observations WHERE ts_ms < ?1", before_ms,
                      &no, d);
    if (rc != HB_OK)
        return batch_fail(s, rc);
    if ((rc = batch_commit(s, d)) != HB_OK)
        return rc;
    if (incidents)
        *incidents = ni;
    if (observations)
        *observations = no;
    return HB_OK;
}

/* ---- merge ---------------------------------------------------------- */

/* Columns of table in schema db ("main" or "src"), as a list. */
static void table_columns(struct hb_store *s, const char *db, const char *table,
                          char ***out, int *n)
{
    char sql[128];
    sqlite3_stmt *st = NULL;

    *out = NULL;
    *n = 0;
    snprintf(sql, sizeof sql, "PRAGMA %s.table_info(%s)", db, table);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);

        *out = hb_xrealloc(*out, (size_t)(*n + 1) * sizeof **out);
        (*out)[(*n)++] = hb_xstrdup(name ? name : "");
    }
    sqlite3_finalize(st);
}

static void free_columns(char **cols, int n)
{
    int i;

    for (i = 0; i < n; i++)
        free(cols[i]);
    free(cols);
}

/* other_rules of an incident of an older input (schema 1 or 2), whose
   rule hits are rows of its incident_rules table. */
#define OTHER_RULES_OF_OLD                                                     \
    "nullif((SELECT json_group_array(json_array(r.rule_id, r.cause, "          \
    "r.weight)) FROM (SELECT rule_id, cause, weight FROM src.incident_rules "  \
    "WHERE incident_id = t.id AND rank > 0 ORDER BY rank) AS r), '[]')"

/*
 * Copies rows of table from src into main (into main.dst when given): the
 * columns both have, minus id; run_id and source_id are mapped through the
 * temp maps; an older input's incidents get their other_rules from its
 * incident_rules; the input's incidents' text, whole, becomes the head of
 * main.incident_rows (text_id NULL: merged rows keep their text inline).
 * Rows whose unique key exists already are ignored.
 */
static enum hb_status merge_table(struct hb_store *s, const char *table,
                                  const char *dst, const char *where,
                                  uint64_t *added, struct hb_diag *d)
{
    char **mine, **theirs;
    int nm, nt, i, j, used = 0;
    struct hb_buf into, from;
    enum hb_status rc;

    if (dst == NULL)
        dst = table;
    table_columns(s, "main", dst, &mine, &nm);
    table_columns(s, "src", table, &theirs, &nt);
    hb_buf_init(&into);
    hb_buf_init(&from);
    for (i = 0; i < nm; i++) {
        bool common = false;

        bool head = strcmp(mine[i], "head") == 0 && strcmp(dst, table) != 0;

        if (strcmp(mine[i], "id") == 0)
            continue;
        for (j = 0; j < nt && !common; j++)
            common = strcmp(head ? "text" : mine[i], theirs[j]) == 0;
        if (!common && strcmp(mine[i], "other_rules") != 0)
            continue;
        hb_buf_printf(&into, "%s\"%s\"", used ? ", " : "", mine[i]);
        if (head)
            hb_buf_printf(&from, "%st.\"text\"", used ? ", " : "");
        else if (!common)
            hb_buf_printf(&from, "%s" OTHER_RULES_OF_OLD, used ? ", " : "");
        else if (strcmp(mine[i], "run_id") == 0)
            hb_buf_printf(&from,
                          "%s(SELECT dst FROM temp.merge_run WHERE "
                          "src = t.run_id)",
                          used ? ", " : "");
        else if (strcmp(mine[i], "source_id") == 0)
            hb_buf_printf(&from,
                          "%s(SELECT dst FROM temp.merge_src WHERE "
                          "src = t.source_id)",
                          used ? ", " : "");
        else
            hb_buf_printf(&from, "%st.\"%s\"", used ? ", " : "", mine[i]);
        used++;
    }
    if (used == 0 || nt == 0) {
        rc = HB_OK; /* the input has no such table (older schema) */
        *added = 0;
    } else {
        struct hb_buf sql;

        hb_buf_init(&sql);
        hb_buf_printf(&sql,
                      "INSERT OR IGNORE INTO main.%s (%s) SELECT %s "
                      "FROM src.%s AS t%s",
                      dst, into.data, from.data, table, where);
        rc = exec_sql(s, sql.data, "merge", d);
        *added = rc == HB_OK ? (uint64_t)sqlite3_changes(s->db) : 0;
        hb_buf_fini(&sql);
    }
    hb_buf_fini(&into);
    hb_buf_fini(&from);
    free_columns(mine, nm);
    free_columns(theirs, nt);
    return rc;
}

static enum hb_status merge_body(struct hb_store *s, struct hb_merge_counts *c,
                                 struct hb_diag *d)
{
    enum hb_status rc;

    rc = exec_sql(s,
                  "CREATE TEMP TABLE merge_run (src INTEGER PRIMARY KEY, "
                  "dst INTEGER);"
                  "CREATE TEMP TABLE merge_src (src INTEGER PRIMARY KEY, "
                  "dst INTEGER);",
                  "merge", d);
    if (rc == HB_OK)
        rc = merge_table(s, "runs", NULL, "", &c->runs, d);
    if (rc == HB_OK)
        rc = exec_sql(s,
                      "INSERT INTO temp.merge_run SELECT t.id, m.id FROM "
                      "src.runs AS t JOIN main.runs AS m ON "
                      "m.run_key = t.run_key",
                      "merge", d);
    if (rc == HB_OK)
        rc = merge_table(s, "sources", NULL,
                         " WHERE NOT EXISTS (SELECT 1 FROM main.sources AS m "
                         "WHERE m.dev = t.dev AND m.ino = t.ino AND "
                         "m.first_hash = t.first_hash AND m.gzip = t.gzip)",
                         &c->sources, d);
    if (rc == HB_OK)
        rc = exec_sql(s,
                      "INSERT INTO temp.merge_src SELECT t.id, (SELECT "
                      "max(m.id) FROM main.sources AS m WHERE m.dev = t.dev "
                      "AND m.ino = t.ino AND m.first_hash = t.first_hash AND "
                      "m.gzip = t.gzip) FROM src.sources AS t",
                      "merge", d);
    if (rc == HB_OK)
        rc = merge_table(s, "incidents", "incident_rows", "", &c->incidents, d);
    if (rc == HB_OK)
        rc = merge_table(s, "observations", NULL, "", &c->observations, d);
    return rc;
}

static void uri_append(struct hb_buf *b, const char *path)
{
    const unsigned char *p = (const unsigned char *)path;

    hb_buf_puts(b, "file:");
    for (; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#' || *p <= ' ' || *p >= 0x7f)
            hb_buf_printf(b, "%%%02X", *p);
        else
            hb_buf_putc(b, (char)*p);
    }
    hb_buf_puts(b, "?mode=ro");
}

enum hb_status hb_store_merge(struct hb_store *s, const char *in_path,
                              struct hb_merge_counts *c, struct hb_diag *d)
{
    struct stat a, b;
    struct hb_buf uri;
    sqlite3_stmt *st = NULL;
    enum hb_status rc;
    int v = 0, app = 0;
    bool attached = false;

    memset(c, 0, sizeof *c);
    hb_buf_init(&uri);
    if (stat(in_path, &b) != 0) {
        hb_diag_set(d, NULL, 0, 0, "merge: no database at %s (%s)", in_path,
                    strerror(errno));
        rc = HB_ENOTFOUND;
        goto out;
    }
    if (s->mode != HB_STORE_MEMORY && stat(s->path, &a) == 0 &&
        a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
        hb_diag_set(d, NULL, 0, 0, "merge: %s is the output database", in_path);
        rc = HB_EUSAGE;
        goto out;
    }
    if ((rc = batch_commit(s, d)) != HB_OK)
        goto out;
    uri_append(&uri, in_path);
    if ((rc = prepare(s, "ATTACH ?1 AS src", &st, "merge", d)) != HB_OK)
        goto out;
    sqlite3_bind_text(st, 1, uri.data, -1, SQLITE_STATIC);
    rc = step_done(s, st, "opening the input", d);
    sqlite3_finalize(st);
    if (rc != HB_OK)
        goto out;
    attached = true;
    if (pragma_int(s, "PRAGMA src.user_version", &v) != SQLITE_OK ||
        pragma_int(s, "PRAGMA src.application_id", &app) != SQLITE_OK ||
        v == 0 || (app != 0 && app != HB_SCHEMA_APP_ID)) {
        hb_diag_set(d, NULL, 0, 0, "merge: %s is not an hbscan database",
                    in_path);
        rc = HB_EDB;
        goto out;
    }
    if (v > HB_STORE_SCHEMA_VERSION) {
        hb_diag_set(d, NULL, 0, 0,
                    "merge: %s: schema version %d is newer than this hbscan "
                    "supports (%d); upgrade hbscan",
                    in_path, v, HB_STORE_SCHEMA_VERSION);
        rc = HB_EDB;
        goto out;
    }
    if ((rc = batch_begin(s, d)) != HB_OK)
        goto out;
    rc = merge_body(s, c, d);
    if (rc == HB_OK)
        rc = batch_commit(s, d);
    else
        batch_abort(s);
    sqlite3_exec(s->db,
                 "DROP TABLE IF EXISTS temp.merge_run;"
                 "DROP TABLE IF EXISTS temp.merge_src;",
                 NULL, NULL, NULL);
out:
    if (attached)
        sqlite3_exec(s->db, "DETACH src", NULL, NULL, NULL);
    hb_buf_fini(&uri);
    if (rc != HB_OK)
        memset(c, 0, sizeof *c);
    return rc;
}
