/*
 * test_store.c - the incident store: paths and file mode, round trips,
 * source identity through rotations, batches under injected SQLite faults,
 * a second writer, migrations, read-only queries, merge and prune.
 */
/* LDWRAP: -Wl,--wrap=sqlite3_step */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "rules.h"
#include "schema.h"
#include "store.h"
#include "timeparse.h"
#include "util.h"

/* ---- fault injection ------------------------------------------------ */

int __real_sqlite3_step(sqlite3_stmt *st);
int __wrap_sqlite3_step(sqlite3_stmt *st);

static struct {
    const char *match; /* inject into statements whose SQL contains this */
    int skip;          /* let this many matching steps through first */
    int rc;            /* the error to return */
    int fired;
} fault;

static void fault_set(const char *match, int skip, int rc)
{
    fault.match = match;
    fault.skip = skip;
    fault.rc = rc;
    fault.fired = 0;
}

int __wrap_sqlite3_step(sqlite3_stmt *st)
{
    const char *sql = sqlite3_sql(st);

    if (fault.match && sql && strstr(sql, fault.match)) {
        if (fault.skip-- <= 0) {
            fault.match = NULL;
            fault.fired++;
            return fault.rc;
        }
    }
    return __real_sqlite3_step(st);
}

/* ---- fixtures ------------------------------------------------------- */

static char tmpdir[256];

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hbscan-test-store-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    memset(&fault, 0, sizeof fault);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fault.match = NULL;
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static const char *tpath(const char *name)
{
    static char buf[16][512];
    static int k;

    k = (k + 1) % 16; /* callers keep a few paths at once */
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static struct hb_store *open_ok(const char *path, enum hb_store_mode mode)
{
    struct hb_store *s = NULL;
    struct hb_diag d;

    memset(&d, 0, sizeof d);
    if (hb_store_open(&s, path, mode, 200, &d) != HB_OK)
        fail_msg("open %s: %s", path ? path : "(memory)", d.msg);
    return s;
}

static const struct hb_rule_meta rule_port = {.id = "port-grpc-8080",
                                              .cause = HB_CAUSE_PORT,
                                              .severity = HB_SEV_CRITICAL,
                                              .weight = 0.9};
static const struct hb_rule_meta rule_net = {.id = "net-unavailable",
                                             .cause = HB_CAUSE_NETWORK,
                                             .severity = HB_SEV_ERROR,
                                             .weight = 0.6};

/* A filled incident; rule may be NULL (unclassified). */
static void mk_inc(struct hb_incident *inc, int64_t ts, uint64_t line,
                   const struct hb_rule_meta *rule, const char *service,
                   const char *host, int port)
{
    static const char text[] = "2024-03-13 ERROR heartbeat failed\n"
                               "\tat com.tencent.polaris.X";

    memset(inc, 0, sizeof *inc);
    inc->source = "app.log";
    inc->first_line = line;
    inc->last_line = line + 1;
    inc->evidence_line = line;
    snprintf(inc->evidence, sizeof inc->evidence, "heartbeat failed at %llu",
             (unsigned long long)line);
    inc->ts_ms = ts;
    hb_strlcpy(inc->level, "ERROR", 5, sizeof inc->level);
    hb_strlcpy(inc->format, "spring-boot", 11, sizeof inc->format);
    hb_strlcpy(inc->ns, "default", 7, sizeof inc->ns);
    hb_strlcpy(inc->service, service, strlen(service), sizeof inc->service);
    hb_strlcpy(inc->host, host, strlen(host), sizeof inc->host);
    inc->port = port;
    hb_strlcpy(inc->server_addr, "polaris:8091", 12, sizeof inc->server_addr);
    inc->sdk_code = 1006;
    hb_strlcpy(inc->sdk_name, "SERVER_USER_ERROR", 17, sizeof inc->sdk_name);
    inc->server_code = 400401;
    hb_strlcpy(inc->grpc_status, "UNAVAILABLE", 11, sizeof inc->grpc_status);
    inc->event = HB_EV_HEARTBEAT_FAIL;
    hb_strlcpy(inc->exc_class,
               "com.tencent.polaris.api.exception.PolarisException", 51,
               sizeof inc->exc_class);
    hb_strlcpy(inc->message, "heartbeat failed", 16, sizeof inc->message);
    hb_strlcpy(inc->k8s_pod, "order-7d9f", 10, sizeof inc->k8s_pod);
    inc->cause = HB_CAUSE_NONE;
    inc->severity = HB_SEV_ERROR;
    if (rule) {
        inc->hits[0].rule = rule;
        inc->hits[1].rule = &rule_net;
        inc->nhits = rule == &rule_net ? 1 : 2;
        inc->rule_id = rule->id;
        inc->cause = rule->cause;
        inc->severity = rule->severity;
        inc->weight = rule->weight;
    }
    snprintf(inc->fingerprint, sizeof inc->fingerprint, "%016llx",
             (unsigned long long)hb_hash64(service, strlen(service),
                                           (uint64_t)inc->cause + 1));
    inc->text.p = text;
    inc->text.n = sizeof text - 1;
    inc->codes[0].kind = HB_CODE_SDK;
    inc->codes[0].num = 1006;
    hb_strlcpy(inc->codes[0].key, "ERR-1006", 8, sizeof inc->codes[0].key);
    inc->codes[1].kind = HB_CODE_SERVER;
    inc->codes[1].num = 400401;
    hb_strlcpy(inc->codes[1].key, "400401", 6, sizeof inc->codes[1].key);
    inc->ncodes = 2;
}

static void mk_obs(struct hb_obs *o, int64_t ts, uint64_t line,
                   const char *kind, const char *host, int port)
{
    memset(o, 0, sizeof *o);
    o->source = "app.log";
    o->line = line;
    o->ts_ms = ts;
    hb_strlcpy(o->kind, kind, strlen(kind), sizeof o->kind);
    hb_strlcpy(o->service, "order", 5, sizeof o->service);
    hb_strlcpy(o->host, host, strlen(host), sizeof o->host);
    o->port = port;
    hb_strlcpy(o->text, "heartbeat success", 17, sizeof o->text);
}

static void mk_sid(struct hb_source_id *sid, const char *path, uint64_t dev,
                   uint64_t ino, uint64_t hash, uint64_t size, bool gzip)
{
    memset(sid, 0, sizeof *sid);
    sid->path = path;
    sid->dev = dev;
    sid->ino = ino;
    sid->first_hash = hash;
    sid->size = size;
    sid->gzip = gzip;
}

static int64_t begin_source(struct hb_store *s, const char *path)
{
    struct hb_source_id sid;
    struct hb_source_state st;
    struct hb_diag d;

    mk_sid(&sid, path, 1, hb_hash64(path, strlen(path), 1),
           hb_hash64(path, strlen(path), 2), 1 << 20, false);
    assert_int_equal(hb_store_source_begin(s, &sid, false, &st, &d), HB_OK);
    return st.id;
}

static void put_inc(struct hb_store *s, int64_t src,
                    const struct hb_incident *inc)
{
    struct hb_diag d;

    if (hb_store_put_incident(s, src, inc, &d) != HB_OK)
        fail_msg("put_incident: %s", d.msg);
}

/* Captures a query's first cell and row count. */
struct cap {
    int rows;
    int ncols;
    char first[512];
    char cols[512];
};

static void cap_cols(void *ctx, int n, const char *const *names)
{
    struct cap *c = ctx;
    int i;

    c->ncols = n;
    for (i = 0; i < n; i++) {
        strncat(c->cols, names[i], sizeof c->cols - strlen(c->cols) - 2);
        strcat(c->cols, " ");
    }
}

static void cap_row(void *ctx, int n, const struct hb_val *v)
{
    struct cap *c = ctx;

    if (c->rows++ == 0 && n > 0)
        hb_strlcpy(c->first, v[0].type == HB_VAL_NULL ? "NULL" : v[0].p,
                   v[0].type == HB_VAL_NULL ? 4 : v[0].n, sizeof c->first);
}

static enum hb_status query(struct hb_store *s, const char *sql, struct cap *c,
                            struct hb_diag *d)
{
    struct hb_row_sink sink = {cap_cols, cap_row, c};

    memset(c, 0, sizeof *c);
    memset(d, 0, sizeof *d);
    return hb_store_query(s, sql, &sink, d);
}

/* The first cell of sql's first row, as text. */
static const char *q1(struct hb_store *s, const char *sql)
{
    static struct cap c;
    struct hb_diag d;

    if (query(s, sql, &c, &d) != HB_OK)
        fail_msg("query %s: %s", sql, d.msg);
    return c.first;
}

static long qn(struct hb_store *s, const char *sql)
{
    return atol(q1(s, sql));
}

/* ---- paths and files ------------------------------------------------ */

static void test_store_default_path(void **state)
{
    static const struct {
        const char *opt, *env_db, *xdg, *home, *want;
    } cases[] = {
        {"/x/opt.db", "/x/env.db", "/x/state", "/home/u", "/x/opt.db"},
        {NULL, "/x/env.db", "/x/state", "/home/u", "/x/env.db"},
        {NULL, NULL, "/x/state", "/home/u", "/x/state/hbscan/hbscan.db"},
        {NULL, NULL, "relative/state", "/home/u",
         "/home/u/.local/state/hbscan/hbscan.db"},
        {NULL, "", NULL, "/home/u", "/home/u/.local/state/hbscan/hbscan.db"},
        {"", NULL, NULL, "/h", "/h/.local/state/hbscan/hbscan.db"},
    };
    char buf[256];
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        const char *got;

#define SETENV(k, v) ((v) ? setenv((k), (v), 1) : unsetenv(k))
        SETENV("HBSCAN_DB", cases[i].env_db);
        SETENV("XDG_STATE_HOME", cases[i].xdg);
        SETENV("HOME", cases[i].home);
        got = hb_store_default_path(cases[i].opt, buf, sizeof buf);
        assert_non_null(got);
        assert_string_equal(got, cases[i].want);
    }
    unsetenv("HBSCAN_DB");
    unsetenv("XDG_STATE_HOME");
    /* a path that does not fit is refused, not cut */
    setenv("HOME", "/a/very/long/home/directory", 1);
    assert_null(hb_store_default_path(NULL, buf, 20));
}

static void test_store_file_mode_0600(void **state)
{
    static const mode_t masks[] = {0, 022, 0277};
    struct stat sb;
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(masks); i++) {
        char rel[64];
        const char *db, *dir;
        mode_t old = umask(masks[i]);
        struct hb_store *s;

        snprintf(rel, sizeof rel, "m%zu/state/hbscan/hbscan.db", i);
        db = tpath(rel);
        s = open_ok(db, HB_STORE_RW);
        umask(old);
        assert_int_equal(stat(db, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
        /* the WAL takes the database's mode */
        put_inc(s, 0, &(struct hb_incident){.fingerprint = "x"});
        assert_int_equal(stat(tpath(strcat(rel, "-wal")), &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
        snprintf(rel, sizeof rel, "m%zu/state/hbscan", i);
        dir = tpath(rel);
        assert_int_equal(stat(dir, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0700);
        /* a new database gets 64 KiB pages */
        assert_int_equal(qn(s, "PRAGMA page_size"), 65536);
        hb_store_close(s);
    }
}

static void test_store_ro_missing(void **state)
{
    struct hb_store *s = NULL;
    struct hb_diag d;

    (void)state;
    assert_int_equal(hb_store_open(&s, tpath("none.db"), HB_STORE_RO, 10, &d),
                     HB_ENOTFOUND);
    assert_null(s);
    assert_non_null(strstr(d.msg, "no database at"));
    /* read-only never creates the file */
    assert_int_not_equal(access(tpath("none.db"), F_OK), 0);
}

/* ---- round trip ----------------------------------------------------- */

struct seen {
    int n;
    char order[64];         /* 'i' / 'o' per callback */
    struct hb_incident inc; /* the first incident, copied */
    char rule_id[64];
    char text[256];
    char source[64];
    struct hb_obs obs;
};

static void seen_inc(void *ctx, const struct hb_incident *inc)
{
    struct seen *s = ctx;

    if (s->n < 63)
        s->order[s->n++] = 'i';
    if (strchr(s->order, 'i') == &s->order[s->n - 1]) {
        s->inc = *inc;
        hb_strlcpy(s->rule_id, inc->rule_id,
                   inc->rule_id ? strlen(inc->rule_id) : 0, sizeof s->rule_id);
        hb_strlcpy(s->text, inc->text.p, inc->text.n, sizeof s->text);
        hb_strlcpy(s->source, inc->source, strlen(inc->source),
                   sizeof s->source);
        s->inc.text.p = NULL;
        s->inc.rule_id = NULL;
        s->inc.source = NULL;
    }
}

static void seen_obs(void *ctx, const struct hb_obs *o)
{
    struct seen *s = ctx;

    if (s->n < 63)
        s->order[s->n++] = 'o';
    s->obs = *o;
    s->obs.source = NULL;
}

static void test_store_roundtrip(void **state)
{
    struct hb_store *s = open_ok(NULL, HB_STORE_MEMORY);
    struct hb_incident inc, inc2;
    struct hb_obs o;
    struct hb_filter f;
    struct seen seen;
    struct hb_diag d;
    int64_t src;

    (void)state;
    assert_int_equal(hb_store_run_begin(s, "scan app.log", &d), HB_OK);
    src = begin_source(s, "app.log");
    mk_inc(&inc, 1710360964123, 10, &rule_port, "order", "10.0.0.5", 8080);
    mk_inc(&inc2, 1710360970000, 30, NULL, "order", "10.0.0.5", 8080);
    mk_obs(&o, 1710360965000, 20, "heartbeat-ok", "10.0.0.5", 8080);
    put_inc(s, src, &inc2);
    put_inc(s, src, &inc);
    assert_int_equal(hb_store_put_obs(s, src, &o, &d), HB_OK);
    assert_int_equal(hb_store_checkpoint(s, src, 4096, 40, "spring-boot", &d),
                     HB_OK);
    assert_int_equal(
        hb_store_run_end(s, &(struct hb_run_counts){.incidents = 2}, &d),
        HB_OK);

    /* what SQL users see */
    assert_string_equal(q1(s, "SELECT ts FROM incidents WHERE first_line = 10"),
                        "2024-03-13T20:16:04.123Z");
    assert_string_equal(q1(s, "SELECT instance FROM incidents LIMIT 1"),
                        "10.0.0.5:8080");
    assert_string_equal(q1(s, "SELECT codes FROM incidents LIMIT 1"),
                        "ERR-1006 400401");
    assert_string_equal(
        q1(s, "SELECT cause FROM incidents WHERE rule_id IS NULL"), "unknown");
    assert_int_equal(qn(s, "SELECT count(*) FROM incident_rules"), 2);
    assert_string_equal(q1(s,
                           "SELECT group_concat(rule_id || ':' || rank) FROM "
                           "(SELECT * FROM incident_rules ORDER BY rank)"),
                        "port-grpc-8080:0,net-unavailable:1");
    assert_string_equal(q1(s, "SELECT state FROM instance_state"), "failing");
    assert_int_equal(qn(s, "SELECT offset FROM sources"), 4096);
    assert_string_equal(q1(s, "SELECT format FROM sources"), "spring-boot");
    assert_int_equal(qn(s, "SELECT incidents FROM runs"), 2);
    assert_string_equal(q1(s, "SELECT args FROM runs"), "scan app.log");
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents_per_hour"), 2);

    /* replay: time order across both streams, fields rebuilt */
    memset(&seen, 0, sizeof seen);
    hb_filter_init(&f);
    assert_int_equal(hb_store_replay(s, &f, seen_inc, seen_obs, &seen, &d),
                     HB_OK);
    assert_string_equal(seen.order, "ioi");
    assert_int_equal(seen.inc.first_line, 10);
    assert_int_equal(seen.inc.last_line, 11);
    assert_int_equal(seen.inc.ts_ms, 1710360964123);
    assert_string_equal(seen.inc.service, "order");
    assert_string_equal(seen.inc.host, "10.0.0.5");
    assert_int_equal(seen.inc.port, 8080);
    assert_int_equal(seen.inc.cause, HB_CAUSE_PORT);
    assert_int_equal(seen.inc.severity, HB_SEV_CRITICAL);
    assert_int_equal(seen.inc.event, HB_EV_HEARTBEAT_FAIL);
    assert_int_equal(seen.inc.sdk_code, 1006);
    assert_int_equal(seen.inc.server_code, 400401);
    assert_string_equal(seen.inc.grpc_status, "UNAVAILABLE");
    assert_string_equal(seen.inc.k8s_pod, "order-7d9f");
    assert_string_equal(seen.inc.fingerprint, inc.fingerprint);
    assert_int_equal(seen.inc.nhits, 0);
    assert_int_equal(seen.inc.ncodes, 2);
    assert_int_equal(seen.inc.codes[0].kind, HB_CODE_SDK);
    assert_int_equal(seen.inc.codes[0].num, 1006);
    assert_int_equal(seen.inc.codes[1].kind, HB_CODE_SERVER);
    assert_string_equal(seen.rule_id, "port-grpc-8080");
    assert_string_equal(seen.source, "app.log");
    assert_memory_equal(seen.text, inc.text.p, inc.text.n);
    assert_string_equal(seen.obs.kind, "heartbeat-ok");
    assert_int_equal(seen.obs.port, 8080);
    assert_int_equal(seen.obs.line, 20);
    hb_store_close(s);
}

static void test_store_same_incident_stored_once(void **state)
{
    struct hb_store *s = open_ok(NULL, HB_STORE_MEMORY);
    struct hb_incident inc;
    struct hb_obs o;
    struct hb_diag d;
    int64_t src = begin_source(s, "app.log");

    (void)state;
    mk_inc(&inc, 1000, 5, &rule_port, "order", "h", 1);
    mk_obs(&o, 1000, 6, "register-ok", "h", 1);
    put_inc(s, src, &inc);
    put_inc(s, src, &inc);
    assert_int_equal(hb_store_put_obs(s, src, &o, &d), HB_OK);
    assert_int_equal(hb_store_put_obs(s, src, &o, &d), HB_OK);
    /* another line is another occurrence */
    inc.first_line = 50;
    put_inc(s, src, &inc);
    assert_int_equal(hb_store_checkpoint(s, src, 10, 1, NULL, &d), HB_OK);
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents"), 2);
    assert_int_equal(qn(s, "SELECT count(*) FROM incident_rules"), 4);
    assert_int_equal(qn(s, "SELECT count(*) FROM observations"), 1);
    hb_store_close(s);
}

/*
 * The weaker hits live in incidents.other_rules (JSON) and come back
 * through the incident_rules view with their ranks, exact weights (REAL,
 * even 1) and any id, quotes included. A rule changed in place, at the same
 * address, is not served from the store's cache of formatted hits.
 */
static void test_store_other_rules(void **state)
{
    struct hb_rule_meta odd = {.id = "odd\"id\\x",
                               .cause = HB_CAUSE_AUTH,
                               .severity = HB_SEV_WARNING,
                               .weight = 1.0};
    struct hb_store *s = open_ok(NULL, HB_STORE_MEMORY);
    struct hb_incident inc;
    struct hb_diag d;
    int64_t src = begin_source(s, "app.log");

    (void)state;
    mk_inc(&inc, 1000, 5, &rule_port, "order", "h", 1);
    inc.hits[2].rule = &odd;
    inc.nhits = 3;
    put_inc(s, src, &inc);
    assert_string_equal(q1(s, "SELECT other_rules FROM incidents"),
                        "[[\"net-unavailable\",\"network\",0.6],"
                        "[\"odd\\\"id\\\\x\",\"auth\",1.0]]");
    assert_string_equal(
        q1(s, "SELECT group_concat(rank || ' ' || rule_id || ' ' || cause || "
              "' ' || weight || ' ' || typeof(weight), ', ') FROM (SELECT * "
              "FROM incident_rules ORDER BY rank)"),
        "0 port-grpc-8080 port 0.9 real, 1 net-unavailable network 0.6 real, "
        "2 odd\"id\\x auth 1.0 real");
    odd.id = "token-expired";
    odd.weight = 0.1 + 0.2; /* no short decimal: 17 digits */
    inc.first_line = 6;
    put_inc(s, src, &inc);
    assert_string_equal(q1(s, "SELECT rule_id || ' ' || (weight = 0.1 + 0.2) "
                              "FROM incident_rules WHERE incident_id = 2 AND "
                              "rank = 2"),
                        "token-expired 1");
    /* one hit: no other_rules; unclassified: no rule at all */
    mk_inc(&inc, 1000, 7, &rule_net, "order", "h", 1);
    put_inc(s, src, &inc);
    mk_inc(&inc, 1000, 8, NULL, "order", "h", 1);
    put_inc(s, src, &inc);
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents WHERE other_rules "
                           "IS NULL"),
                     2);
    assert_int_equal(qn(s, "SELECT count(*) FROM incident_rules"), 7);
    assert_int_equal(hb_store_checkpoint(s, src, 10, 1, NULL, &d), HB_OK);
    hb_store_close(s);
}

/* ---- sources -------------------------------------------------------- */

/* One call of source_begin, then optionally a checkpoint / done. */
struct src_step {
    const char *path;
    uint64_t ino, hash, size;
    bool gzip, rescan;
    /* expected */
    uint64_t want_offset, want_line;
    bool want_skip;
    int want_same_as; /* step index whose id must be reused, -1 = new id */
    /* afterwards */
    uint64_t ckpt_offset, ckpt_line; /* 0 = no checkpoint */
    bool done;
};

#define END_STEPS                                                              \
    {                                                                          \
        NULL, 0, 0, 0, false, false, 0, 0, false, 0, 0, 0, false               \
    }

static const struct {
    const char *name;
    struct src_step steps[5];
    const char *want_path;      /* path of the last step's row afterwards */
    int64_t want_stored_offset; /* sources.offset of the last row, -1 skip */
} source_cases[] = {
    {"new file starts at 0",
     {{"a.log", 10, 0xa1, 100, false, false, 0, 0, false, -1, 0, 0, false},
      END_STEPS},
     "a.log",
     0},
    {"known file resumes",
     {{"a.log", 10, 0xa1, 100, false, false, 0, 0, false, -1, 100, 7, false},
      {"a.log", 10, 0xa1, 150, false, false, 100, 7, false, 0, 0, 0, false},
      END_STEPS},
     "a.log",
     100},
    {"renamed file continues, row takes the new path",
     {{"a.log", 10, 0xa1, 100, false, false, 0, 0, false, -1, 100, 7, false},
      {"a.log.1", 10, 0xa1, 120, false, false, 100, 7, false, 0, 0, 0, false},
      END_STEPS},
     "a.log.1",
     100},
    {"new first line is a new file from 0",
     {{"a.log", 10, 0xa1, 100, false, false, 0, 0, false, -1, 100, 7, false},
      {"a.log", 10, 0xb2, 300, false, false, 0, 0, false, -1, 0, 0, false},
      END_STEPS},
     "a.log",
     0},
    {"truncated in place restarts at 0",
     {{"a.log", 10, 0xa1, 100, false, false, 0, 0, false, -1, 100, 7, false},
      {"a.log", 10, 0xa1, 40, false, false, 0, 0, false, 0, 0, 0, false},
      END_STEPS},
     "a.log",
     0},
    {"gzip read to the end is skipped",
     {{"a.log.1.gz", 20, 0xa1, 50, true, false, 0, 0, false, -1, 900, 70, true},
      {"a.log.1.gz", 20, 0xa1, 50, true, false, 0, 0, true, 0, 0, 0, false},
      END_STEPS},
     "a.log.1.gz",
     900},
    {"gzip read in part resumes",
     {{"a.log.1.gz", 20, 0xa1, 50, true, false, 0, 0, false, -1, 300, 20,
       false},
      {"a.log.1.gz", 20, 0xa1, 50, true, false, 300, 20, false, 0, 0, 0, false},
      END_STEPS},
     "a.log.1.gz",
     300},
    {"rotated gzip of a plain file resumes where the plain file stopped",
     {{"a.log", 10, 0xa1, 100, false, false, 0, 0, false, -1, 100, 7, false},
      {"a.log.1.gz", 30, 0xa1, 60, true, false, 100, 7, false, -1, 0, 0, false},
      END_STEPS},
     "a.log.1.gz",
     100},
    {"gzip of an unknown first line starts at 0",
     {{"a.log", 10, 0xa1, 100, false, false, 0, 0, false, -1, 100, 7, false},
      {"b.log.gz", 30, 0xc3, 60, true, false, 0, 0, false, -1, 0, 0, false},
      END_STEPS},
     "b.log.gz",
     0},
    {"rescan ignores the offset",
     {{"a.log", 10, 0xa1, 100, false, false, 0, 0, false, -1, 100, 7, false},
      {"a.log", 10, 0xa1, 100, false, true, 0, 0, false, 0, 0, 0, false},
      END_STEPS},
     "a.log",
     100},
    {"rescan reads a finished gzip again",
     {{"a.gz", 20, 0xa1, 50, true, false, 0, 0, false, -1, 900, 70, true},
      {"a.gz", 20, 0xa1, 50, true, true, 0, 0, false, 0, 0, 0, false},
      END_STEPS},
     "a.gz",
     900},
};

static void test_store_source_identity(void **state)
{
    size_t c;

    (void)state;
    for (c = 0; c < HB_ARRAY_LEN(source_cases); c++) {
        struct hb_store *s = open_ok(NULL, HB_STORE_MEMORY);
        int64_t ids[5] = {0};
        char sql[128];
        int i;

        for (i = 0; source_cases[c].steps[i].path; i++) {
            const struct src_step *p = &source_cases[c].steps[i];
            struct hb_source_id sid;
            struct hb_source_state st;
            struct hb_diag d;

            mk_sid(&sid, p->path, 1, p->ino, p->hash, p->size, p->gzip);
            assert_int_equal(hb_store_source_begin(s, &sid, p->rescan, &st, &d),
                             HB_OK);
            if (st.offset != p->want_offset || st.line != p->want_line ||
                st.skip != p->want_skip)
                fail_msg("%s, step %d: got offset %llu line %llu skip %d",
                         source_cases[c].name, i, (unsigned long long)st.offset,
                         (unsigned long long)st.line, st.skip);
            ids[i] = st.id;
            if (p->want_same_as >= 0)
                assert_int_equal(st.id, ids[p->want_same_as]);
            else
                for (int k = 0; k < i; k++)
                    assert_int_not_equal(st.id, ids[k]);
            if (p->ckpt_offset)
                assert_int_equal(hb_store_checkpoint(s, st.id, p->ckpt_offset,
                                                     p->ckpt_line, "plain", &d),
                                 HB_OK);
            else
                assert_int_equal(hb_store_checkpoint(s, 0, 0, 0, NULL, &d),
                                 HB_OK);
            if (p->done)
                assert_int_equal(hb_store_source_done(s, st.id, &d), HB_OK);
        }
        snprintf(sql, sizeof sql, "SELECT path FROM sources WHERE id = %lld",
                 (long long)ids[i - 1]);
        assert_string_equal(q1(s, sql), source_cases[c].want_path);
        snprintf(sql, sizeof sql, "SELECT offset FROM sources WHERE id = %lld",
                 (long long)ids[i - 1]);
        assert_int_equal(qn(s, sql), source_cases[c].want_stored_offset);
        hb_store_close(s);
    }
}

/* ---- batches and faults --------------------------------------------- */

/* Fills a file store with one committed batch: 3 incidents, offset 300. */
static struct hb_store *committed_batch(const char *path, int64_t *src)
{
    struct hb_store *s = open_ok(path, HB_STORE_RW);
    struct hb_incident inc;
    struct hb_diag d;
    int i;

    *src = begin_source(s, "app.log");
    for (i = 0; i < 3; i++) {
        mk_inc(&inc, 1000 + i, (uint64_t)i + 1, &rule_port, "order", "h", 1);
        put_inc(s, *src, &inc);
    }
    assert_int_equal(hb_store_checkpoint(s, *src, 300, 3, "plain", &d), HB_OK);
    return s;
}

static const struct {
    const char *name;
    const char *match; /* statement to fail */
    int skip;
    int rc;
    enum hb_status want;
    const char *msg;
} faults[] = {
    {"busy inserting", "INTO incident_rows", 1, SQLITE_BUSY, HB_EBUSY,
     "database is locked by another hbscan"},
    {"disk full inserting", "INTO incident_rows", 1, SQLITE_FULL, HB_EDB,
     "database or disk is full"},
    {"disk full on the fourth incident", "INTO incident_rows", 3, SQLITE_FULL,
     HB_EDB, "database or disk is full"},
    {"disk full saving the offset", "UPDATE sources SET offset", 0, SQLITE_FULL,
     HB_EDB, "database or disk is full"},
    {"disk full committing", "COMMIT", 0, SQLITE_FULL, HB_EDB,
     "database or disk is full"},
    {"I/O error inserting", "INTO incident_rows", 0, SQLITE_IOERR, HB_EDB,
     "disk I/O error"},
};

static void test_store_fault_mid_batch(void **state)
{
    size_t c;

    (void)state;
    for (c = 0; c < HB_ARRAY_LEN(faults); c++) {
        char name[64];
        const char *path;
        struct hb_store *s;
        struct hb_incident inc;
        struct hb_diag d;
        enum hb_status rc = HB_OK;
        int64_t src;
        int i;

        snprintf(name, sizeof name, "fault%zu.db", c);
        path = tpath(name);
        s = committed_batch(path, &src);
        fault_set(faults[c].match, faults[c].skip, faults[c].rc);
        memset(&d, 0, sizeof d);
        for (i = 0; i < 4 && rc == HB_OK; i++) {
            mk_inc(&inc, 2000 + i, (uint64_t)i + 10, &rule_port, "order", "h",
                   1);
            rc = hb_store_put_incident(s, src, &inc, &d);
        }
        if (rc == HB_OK)
            rc = hb_store_checkpoint(s, src, 700, 14, "plain", &d);
        if (fault.fired != 1 || rc != faults[c].want)
            fail_msg("%s: fired %d, status %d (%s)", faults[c].name,
                     fault.fired, rc, d.msg);
        if (strstr(d.msg, faults[c].msg) == NULL)
            fail_msg("%s: message '%s'", faults[c].name, d.msg);
        assert_non_null(strstr(d.msg, path));
        hb_store_close(s);

        /* the earlier batch is intact; the failed one left nothing */
        s = open_ok(path, HB_STORE_RO);
        assert_int_equal(qn(s, "SELECT count(*) FROM incidents"), 3);
        assert_int_equal(qn(s, "SELECT count(*) FROM incident_rules"), 6);
        assert_int_equal(qn(s, "SELECT offset FROM sources"), 300);
        assert_int_equal(qn(s, "SELECT line FROM sources"), 3);
        hb_store_close(s);
    }
}

static void test_store_store_usable_after_fault(void **state)
{
    const char *path = tpath("again.db");
    struct hb_store *s;
    struct hb_incident inc;
    struct hb_diag d;
    int64_t src;

    (void)state;
    s = committed_batch(path, &src);
    fault_set("INTO incident_rows", 0, SQLITE_FULL);
    mk_inc(&inc, 5000, 77, &rule_port, "order", "h", 1);
    /* rows wait in the store: the failure shows when they go in */
    assert_int_equal(hb_store_put_incident(s, src, &inc, &d), HB_OK);
    assert_int_equal(hb_store_checkpoint(s, src, 790, 77, NULL, &d), HB_EDB);
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents"), 3);
    /* the next batch starts afresh once space is back */
    put_inc(s, src, &inc);
    assert_int_equal(hb_store_checkpoint(s, src, 800, 77, NULL, &d), HB_OK);
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents"), 4);
    assert_int_equal(qn(s, "SELECT offset FROM sources"), 800);
    hb_store_close(s);
}

static void test_store_uncheckpointed_batch_dropped(void **state)
{
    const char *path = tpath("drop.db");
    struct hb_store *s;
    struct hb_incident inc;
    int64_t src;

    (void)state;
    s = committed_batch(path, &src);
    mk_inc(&inc, 9000, 99, &rule_port, "order", "h", 1);
    put_inc(s, src, &inc);
    hb_store_close(s); /* no checkpoint: the batch is rolled back */
    s = open_ok(path, HB_STORE_RO);
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents"), 3);
    hb_store_close(s);
}

static void test_store_second_writer_busy(void **state)
{
    const char *path = tpath("two.db");
    struct hb_store *a, *b, *r = NULL;
    struct hb_incident inc;
    struct hb_diag d;
    int64_t src;

    (void)state;
    a = committed_batch(path, &src);
    mk_inc(&inc, 9000, 99, &rule_port, "order", "h", 1);
    put_inc(a, src, &inc); /* a holds the write lock until its checkpoint */
    assert_int_equal(hb_store_open(&b, path, HB_STORE_RW, 50, &d), HB_OK);
    memset(&d, 0, sizeof d);
    mk_inc(&inc, 9001, 100, &rule_port, "order", "h", 1);
    assert_int_equal(hb_store_put_incident(b, 0, &inc, &d), HB_EBUSY);
    assert_non_null(strstr(d.msg, "database is locked by another hbscan"));
    assert_non_null(strstr(d.msg, path));
    /* a reader is not blocked and sees only committed rows */
    assert_int_equal(hb_store_open(&r, path, HB_STORE_RO, 50, &d), HB_OK);
    assert_int_equal(qn(r, "SELECT count(*) FROM incidents"), 3);
    /* once a commits, b gets through */
    assert_int_equal(hb_store_checkpoint(a, src, 400, 4, NULL, &d), HB_OK);
    put_inc(b, 0, &inc);
    assert_int_equal(hb_store_checkpoint(b, 0, 0, 0, NULL, &d), HB_OK);
    assert_int_equal(qn(r, "SELECT count(*) FROM incidents"), 5);
    hb_store_close(r);
    hb_store_close(b);
    hb_store_close(a);
}

/* ---- migrations ----------------------------------------------------- */

/* Version 1 as released: frozen here so the upgrade path stays tested. */
static const char v1_schema[] =
    "PRAGMA application_id = 1212306243;"
    "CREATE TABLE sources (id INTEGER PRIMARY KEY, path TEXT NOT NULL,"
    " dev INTEGER NOT NULL, ino INTEGER NOT NULL, first_hash TEXT NOT NULL,"
    " size INTEGER NOT NULL DEFAULT 0, offset INTEGER NOT NULL DEFAULT 0,"
    " line INTEGER NOT NULL DEFAULT 0, format TEXT,"
    " gzip INTEGER NOT NULL DEFAULT 0, complete INTEGER NOT NULL DEFAULT 0,"
    " first_seen TEXT NOT NULL, last_scanned TEXT);"
    "CREATE INDEX sources_identity ON sources(dev, ino, first_hash);"
    "CREATE INDEX sources_first_hash ON sources(first_hash);"
    "CREATE TABLE runs (id INTEGER PRIMARY KEY, run_key TEXT NOT NULL UNIQUE,"
    " started TEXT NOT NULL, started_ms INTEGER NOT NULL, ended TEXT,"
    " ended_ms INTEGER, args TEXT, sources INTEGER, bytes INTEGER,"
    " lines INTEGER, records INTEGER, incidents INTEGER, truncated INTEGER,"
    " cut INTEGER, input_errors INTEGER, version TEXT NOT NULL);"
    "CREATE TABLE incidents (id INTEGER PRIMARY KEY, run_id INTEGER,"
    " source_id INTEGER, source TEXT, first_line INTEGER, last_line INTEGER,"
    " evidence_line INTEGER, evidence TEXT, ts_ms INTEGER, ts TEXT,"
    " level TEXT, format TEXT, namespace TEXT, service TEXT, host TEXT,"
    " port INTEGER, instance TEXT, server_addr TEXT, sdk_code INTEGER,"
    " sdk_name TEXT, server_code INTEGER, grpc_status TEXT, event TEXT,"
    " exc_class TEXT, message TEXT, rule_id TEXT,"
    " cause TEXT NOT NULL DEFAULT 'unknown', severity TEXT,"
    " weight REAL NOT NULL DEFAULT 0, fingerprint TEXT NOT NULL, codes TEXT,"
    " text TEXT, okey INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX incidents_okey ON incidents(okey);"
    "CREATE INDEX incidents_ts ON incidents(ts_ms);"
    "CREATE TABLE incident_rules (incident_id INTEGER NOT NULL,"
    " rank INTEGER NOT NULL, rule_id TEXT NOT NULL, cause TEXT NOT NULL,"
    " weight REAL NOT NULL DEFAULT 0, PRIMARY KEY (incident_id, rank))"
    " WITHOUT ROWID;"
    "CREATE VIEW incident_groups AS SELECT fingerprint, count(*) AS count"
    " FROM incidents GROUP BY fingerprint;"
    "INSERT INTO sources (path, dev, ino, first_hash, offset, line,"
    " first_seen) VALUES ('old.log', 1, 2, '00000000000000aa', 777, 9,"
    " '2024-01-01T00:00:00.000Z');"
    "INSERT INTO runs (run_key, started, started_ms, version) VALUES"
    " ('00000000000000r1', '2024-01-01T00:00:00.000Z', 1704067200000,"
    " '0.0.9');"
    "INSERT INTO incidents (run_id, source_id, source, first_line, ts_ms,"
    " instance, cause, rule_id, fingerprint, okey) VALUES (1, 1, 'old.log',"
    " 5, 1704067200000, 'h:1', 'port', 'port-old', 'ffff', 42);"
    "INSERT INTO incident_rules VALUES (1, 0, 'port-old', 'port', 0.9);"
    "PRAGMA user_version = 1;";

static void raw_db(const char *path, const char *sql)
{
    sqlite3 *db;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("raw sql: %s", sqlite3_errmsg(db));
    sqlite3_close(db);
}

static void test_store_migrate_v1(void **state)
{
    const char *path = tpath("v1.db");
    struct hb_store *s;
    struct hb_source_id sid;
    struct hb_source_state st;
    struct hb_obs o;
    struct hb_diag d;

    (void)state;
    raw_db(path, v1_schema);
    s = open_ok(path, HB_STORE_RW);
    assert_int_equal(qn(s, "PRAGMA user_version"), HB_STORE_SCHEMA_VERSION);
    /* data kept */
    assert_string_equal(q1(s, "SELECT rule_id FROM incidents"), "port-old");
    assert_int_equal(qn(s, "SELECT count(*) FROM incident_rules"), 1);
    assert_string_equal(q1(s, "SELECT version FROM runs"), "0.0.9");
    /* the source still resumes at its offset */
    mk_sid(&sid, "old.log", 1, 2, 0xaa, 1000, false);
    assert_int_equal(hb_store_source_begin(s, &sid, false, &st, &d), HB_OK);
    assert_int_equal(st.offset, 777);
    assert_int_equal(st.line, 9);
    /* version 2 additions work */
    assert_string_equal(q1(s, "SELECT count(k8s_pod) || count(k8s_namespace) "
                              "FROM incidents"),
                        "00");
    mk_obs(&o, 1704067300000, 6, "heartbeat-ok", "h", 1);
    assert_int_equal(hb_store_put_obs(s, st.id, &o, &d), HB_OK);
    assert_int_equal(hb_store_checkpoint(s, st.id, 800, 10, NULL, &d), HB_OK);
    assert_string_equal(q1(s, "SELECT state FROM instance_state"), "ok");
    hb_store_close(s);

    /* a read-only open of a v1 file upgrades it too */
    raw_db(tpath("v1b.db"), v1_schema);
    s = open_ok(tpath("v1b.db"), HB_STORE_RO);
    assert_int_equal(qn(s, "PRAGMA user_version"), HB_STORE_SCHEMA_VERSION);
    assert_int_equal(qn(s, "SELECT count(*) FROM observations"), 0);
    hb_store_close(s);
}

/* The first cell of sql on the database at path, through SQLite alone;
   owned by the caller. */
static char *raw_text(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char *out = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("raw sql %s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        out = hb_xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out ? out : hb_xstrdup("");
}

/* EXPLAIN QUERY PLAN of sql on the database at path, steps joined by
   "; "; owned by the caller. */
static char *raw_plan(const char *path, const char *sql)
{
    struct hb_buf b, q;
    sqlite3 *db;
    sqlite3_stmt *st;

    hb_buf_init(&b);
    hb_buf_init(&q);
    hb_buf_printf(&q, "EXPLAIN QUERY PLAN %s", sql);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, q.data, -1, &st, NULL) != SQLITE_OK)
        fail_msg("raw sql %s: %s", sql, sqlite3_errmsg(db));
    while (sqlite3_step(st) == SQLITE_ROW)
        hb_buf_printf(&b, "%s; ", (const char *)sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    sqlite3_close(db);
    hb_buf_fini(&q);
    return b.data ? b.data : hb_xstrdup("");
}

static char *read_file(const char *path)
{
    struct hb_buf b;
    char chunk[4096];
    size_t n;
    FILE *f = fopen(path, "r");

    if (f == NULL)
        fail_msg("cannot open %s", path);
    hb_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        hb_buf_append(&b, chunk, n);
    fclose(f);
    return b.data;
}

/*
 * A real version 2 database (testdata/store/v2.sql, written by hbscan
 * 0.1.0): every row is kept, incident_rules reads the same through its
 * view, and the same occurrences are still refused, timed or not.
 */
static void test_store_migrate_v2(void **state)
{
    static const char *const same[] = {
        "SELECT group_concat(incident_id || ':' || rank || ':' || rule_id || "
        "':' || cause || ':' || weight || ':' || typeof(weight), ' ') FROM "
        "(SELECT * FROM incident_rules ORDER BY incident_id, rank)",
        "SELECT group_concat(id || ':' || quote(ts_ms) || ':' || okey || ':' "
        "|| fingerprint || ':' || first_line || ':' || length(text) || ':' || "
        "cause, ' ') FROM (SELECT * FROM incidents ORDER BY id)",
        "SELECT (SELECT count(*) FROM observations) || '/' || (SELECT "
        "count(*) FROM sources) || '/' || (SELECT count(*) FROM runs)",
    };
    const char *path = tpath("v2.db");
    char *dump = read_file("testdata/store/v2.sql"), *before[3], *after;
    struct hb_store *s;
    size_t i;

    (void)state;
    raw_db(path, dump);
    free(dump);
    for (i = 0; i < HB_ARRAY_LEN(same); i++)
        before[i] = raw_text(path, same[i]);
    assert_string_equal(before[2], "11/4/1");
    s = open_ok(path, HB_STORE_RW);
    assert_int_equal(qn(s, "PRAGMA user_version"), HB_STORE_SCHEMA_VERSION);
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents"), 8);
    assert_int_equal(qn(s, "SELECT count(*) FROM incident_rules"), 23);
    assert_string_equal(q1(s, "SELECT other_rules FROM incidents WHERE id = 7"),
                        "[[\"server-4xxxxx-request-rejected\",\"config\","
                        "0.35]]");
    assert_int_equal(
        qn(s, "SELECT count(*) FROM incidents WHERE other_rules IS NULL"), 0);
    /* an existing file keeps its pages */
    assert_int_equal(qn(s, "PRAGMA page_size"), 4096);
    hb_store_close(s);
    for (i = 0; i < HB_ARRAY_LEN(same); i++) {
        after = raw_text(path, same[i]);
        assert_string_equal(after, before[i]);
        free(after);
        free(before[i]);
    }
    after = raw_text(path, "SELECT group_concat(name, ' ') FROM (SELECT name "
                           "FROM sqlite_master WHERE type = 'view' ORDER BY "
                           "name)");
    assert_string_equal(after, "incident_groups incident_rules incidents "
                               "incidents_per_hour instance_state");
    free(after);
    after = raw_text(path, "SELECT type || ' ' || sql FROM sqlite_master "
                           "WHERE name = 'incidents_ts'");
    assert_string_equal(after, "index CREATE UNIQUE INDEX incidents_ts ON "
                               "\"incident_rows\"(ts_ms, okey)");
    free(after);
    /* docs/schema.md's example: the views flatten into one pass over the
       rows, each joined by its key (no view materialized, no scan per
       row) */
    after = raw_plan(path, "SELECT r.rule_id, count(*) FROM incident_rules r "
                           "JOIN incidents i ON i.id = r.incident_id WHERE "
                           "i.fingerprint = 'x' GROUP BY 1");
    if (strstr(after, "SEARCH r USING INTEGER PRIMARY KEY") == NULL ||
        strstr(after, "MATERIALIZE") || strstr(after, "SCAN i;"))
        fail_msg("incident_rules joined by a scan: %s", after);
    free(after);
    /* every occurrence again, two of them without a time: none is added */
    raw_db(path, "INSERT OR IGNORE INTO incidents (ts_ms, okey, fingerprint) "
                 "SELECT ts_ms, okey, fingerprint FROM incidents;");
    after = raw_text(path, "SELECT count(*) || '/' || count(ts_ms) FROM "
                           "incidents");
    assert_string_equal(after, "8/6");
    free(after);
}

static void test_store_newer_schema_refused(void **state)
{
    static const enum hb_store_mode modes[] = {HB_STORE_RW, HB_STORE_RO};
    const char *path = tpath("v9.db");
    struct hb_store *s = NULL;
    struct hb_diag d;
    char want[128];
    size_t i;

    (void)state;
    raw_db(path, "PRAGMA application_id = 1212306243;"
                 "CREATE TABLE future (x);PRAGMA user_version = 9;");
    for (i = 0; i < HB_ARRAY_LEN(modes); i++) {
        memset(&d, 0, sizeof d);
        assert_int_equal(hb_store_open(&s, path, modes[i], 10, &d), HB_EDB);
        assert_null(s);
        snprintf(want, sizeof want,
                 "db: schema version 9 is newer than this hbscan supports "
                 "(%d); upgrade hbscan",
                 HB_STORE_SCHEMA_VERSION);
        assert_string_equal(d.msg, want);
    }
    /* the file is left alone */
    s = NULL;
    raw_db(path, "SELECT 1");
}

static void test_store_foreign_db_refused(void **state)
{
    const char *path = tpath("other.db");
    struct hb_store *s = NULL;
    struct hb_diag d;

    (void)state;
    raw_db(path, "CREATE TABLE notes (x); INSERT INTO notes VALUES (1);");
    assert_int_equal(hb_store_open(&s, path, HB_STORE_RW, 10, &d), HB_EDB);
    assert_non_null(strstr(d.msg, "is not an hbscan database"));
    raw_db(tpath("app.db"), "PRAGMA application_id = 7;");
    assert_int_equal(hb_store_open(&s, tpath("app.db"), HB_STORE_RW, 10, &d),
                     HB_EDB);
}

/* ---- read-only queries ---------------------------------------------- */

static const struct {
    const char *sql;
    enum hb_status want;
    const char *msg; /* substring of the refusal */
} queries[] = {
    {"SELECT count(*) FROM incidents", HB_OK, NULL},
    {"SELECT * FROM incident_groups", HB_OK, NULL},
    {"PRAGMA table_info(incidents)", HB_OK, NULL},
    {"SELECT name FROM pragma_table_info('runs')", HB_OK, NULL},
    {"PRAGMA user_version", HB_OK, NULL},
    {"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
     "WHERE x < 3) SELECT sum(x) FROM c",
     HB_OK, NULL},
    {"SELECT 1; -- trailing comment", HB_OK, NULL},
    {"INSERT INTO runs (run_key, started, started_ms, version) "
     "VALUES ('k', 's', 1, 'v')",
     HB_EPARSE, "refused: INSERT"},
    {"UPDATE incidents SET cause = 'port'", HB_EPARSE, "refused: UPDATE"},
    {"DELETE FROM incidents", HB_EPARSE, "refused: DELETE"},
    {"DROP TABLE incidents", HB_EPARSE, "refused"},
    {"CREATE TABLE x (y)", HB_EPARSE, "refused"},
    {"CREATE TEMP VIEW v AS SELECT 1", HB_EPARSE, "refused"},
    {"ATTACH '/tmp/x.db' AS x", HB_EPARSE, "refused: ATTACH"},
    {"DETACH main", HB_EPARSE, "refused: DETACH"},
    {"PRAGMA user_version = 5", HB_EPARSE, "refused: PRAGMA user_version"},
    {"PRAGMA journal_mode = DELETE", HB_EPARSE, "refused: PRAGMA journal_mode"},
    {"PRAGMA writable_schema = 1", HB_EPARSE,
     "refused: PRAGMA writable_schema"},
    {"PRAGMA wal_checkpoint", HB_EPARSE, "refused: PRAGMA wal_checkpoint"},
    {"SELECT load_extension('/tmp/evil.so')", HB_EPARSE,
     "refused: function load_extension()"},
    {"SELECT writefile('/tmp/x', 'y')", HB_EPARSE, "writefile"},
    {"BEGIN", HB_EPARSE, "refused: transactions"},
    {"VACUUM", HB_EPARSE, "refused"},
    {"WITH x AS (SELECT 1) DELETE FROM runs", HB_EPARSE, "refused: DELETE"},
    {"SELECT 1; DELETE FROM runs", HB_EPARSE, "one statement"},
    {"SELEC 1", HB_EPARSE, "syntax error"},
    {"", HB_EPARSE, "no SQL statement"},
};

static void test_store_query_read_only(void **state)
{
    static const enum hb_store_mode modes[] = {HB_STORE_RO, HB_STORE_RW};
    const char *path = tpath("q.db");
    struct hb_store *s;
    struct cap c;
    struct hb_diag d;
    int64_t src;
    size_t m, i;

    (void)state;
    s = committed_batch(path, &src);
    hb_store_close(s);
    for (m = 0; m < HB_ARRAY_LEN(modes); m++) {
        s = open_ok(path, modes[m]);
        for (i = 0; i < HB_ARRAY_LEN(queries); i++) {
            enum hb_status rc = query(s, queries[i].sql, &c, &d);

            if (rc != queries[i].want)
                fail_msg("'%s': status %d, want %d (%s)", queries[i].sql, rc,
                         queries[i].want, d.msg);
            if (queries[i].msg && strstr(d.msg, queries[i].msg) == NULL)
                fail_msg("'%s': message '%s'", queries[i].sql, d.msg);
        }
        /* nothing changed */
        assert_int_equal(qn(s, "SELECT count(*) FROM incidents"), 3);
        assert_int_equal(qn(s, "SELECT count(*) FROM runs"), 0);
        assert_int_equal(qn(s, "PRAGMA user_version"), HB_STORE_SCHEMA_VERSION);
        hb_store_close(s);
    }
}

/* ---- filters, listing ----------------------------------------------- */

static void count_inc(void *ctx, const struct hb_incident *inc)
{
    (void)inc;
    (*(int *)ctx)++;
}

static void count_obs(void *ctx, const struct hb_obs *o)
{
    (void)o;
    (*(int *)ctx) += 100;
}

static void test_store_filters(void **state)
{
    static const struct {
        const char *name;
        int64_t since, until;
        const char *cause, *service, *instance, *code;
        long limit;
        int want; /* incidents + 100 * observations */
    } cases[] = {
        {"all", HB_NO_TIME, HB_NO_TIME, NULL, NULL, NULL, NULL, 0, 204},
        {"since", 2000, HB_NO_TIME, NULL, NULL, NULL, NULL, 0, 102},
        {"until", HB_NO_TIME, 2000, NULL, NULL, NULL, NULL, 0, 101},
        {"cause", HB_NO_TIME, HB_NO_TIME, "port", NULL, NULL, NULL, 0, 202},
        {"unknown", HB_NO_TIME, HB_NO_TIME, "unknown", NULL, NULL, NULL, 0,
         201},
        {"service", HB_NO_TIME, HB_NO_TIME, NULL, "pay", NULL, NULL, 0, 1},
        {"instance", HB_NO_TIME, HB_NO_TIME, NULL, NULL, "h1:80", NULL, 0, 203},
        {"host", HB_NO_TIME, HB_NO_TIME, NULL, NULL, "h2", NULL, 0, 1},
        {"server code", HB_NO_TIME, HB_NO_TIME, NULL, NULL, NULL, "400401", 0,
         204},
        {"sdk code", HB_NO_TIME, HB_NO_TIME, NULL, NULL, NULL, "1006", 0, 204},
        {"ERR code", HB_NO_TIME, HB_NO_TIME, NULL, NULL, NULL, "ERR-1006", 0,
         204},
        {"other code", HB_NO_TIME, HB_NO_TIME, NULL, NULL, NULL, "ERR-1004", 0,
         200},
        {"grpc", HB_NO_TIME, HB_NO_TIME, NULL, NULL, NULL, "unavailable", 0,
         204},
        {"sdk name", HB_NO_TIME, HB_NO_TIME, NULL, NULL, NULL,
         "SERVER_USER_ERROR", 0, 204},
        {"injection is a value", HB_NO_TIME, HB_NO_TIME, "x' OR '1'='1", NULL,
         NULL, NULL, 0, 200},
        {"limit", HB_NO_TIME, HB_NO_TIME, NULL, NULL, NULL, NULL, 2, 202},
    };
    struct hb_store *s = open_ok(NULL, HB_STORE_MEMORY);
    struct hb_incident inc;
    struct hb_obs o;
    struct hb_filter f;
    struct hb_diag d;
    int64_t src = begin_source(s, "app.log");
    size_t i;

    (void)state;
    mk_inc(&inc, 1000, 1, &rule_port, "order", "h1", 80);
    put_inc(s, src, &inc);
    mk_inc(&inc, 2000, 2, &rule_port, "order", "h1", 80);
    put_inc(s, src, &inc);
    mk_inc(&inc, 3000, 3, NULL, "order", "h1", 80);
    put_inc(s, src, &inc);
    mk_inc(&inc, HB_NO_TIME, 4, &rule_net, "pay", "h2", 0);
    put_inc(s, src, &inc);
    mk_obs(&o, 1500, 5, "heartbeat-ok", "h1", 80);
    assert_int_equal(hb_store_put_obs(s, src, &o, &d), HB_OK);
    mk_obs(&o, 2500, 6, "heartbeat-ok", "h1", 80);
    assert_int_equal(hb_store_put_obs(s, src, &o, &d), HB_OK);
    assert_int_equal(hb_store_checkpoint(s, src, 1, 1, NULL, &d), HB_OK);
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        int n = 0;

        hb_filter_init(&f);
        f.since_ms = cases[i].since;
        f.until_ms = cases[i].until;
        f.cause = cases[i].cause;
        f.service = cases[i].service;
        f.instance = cases[i].instance;
        f.code = cases[i].code;
        f.limit = cases[i].limit;
        assert_int_equal(hb_store_replay(s, &f, count_inc, count_obs, &n, &d),
                         HB_OK);
        if (n != cases[i].want)
            fail_msg("%s: got %d, want %d", cases[i].name, n, cases[i].want);
    }
    hb_store_close(s);
}

static void test_store_list_incidents(void **state)
{
    struct hb_store *s = open_ok(NULL, HB_STORE_MEMORY);
    struct hb_incident inc;
    struct hb_filter f;
    struct hb_row_sink sink;
    struct cap c;
    struct hb_diag d;
    int64_t src = begin_source(s, "app.log");
    int i;

    (void)state;
    for (i = 0; i < 5; i++) {
        mk_inc(&inc, 1000 + i, (uint64_t)i + 1, i < 3 ? &rule_port : &rule_net,
               "order", "h1", 80);
        put_inc(s, src, &inc);
    }
    assert_int_equal(hb_store_checkpoint(s, src, 1, 1, NULL, &d), HB_OK);
    hb_filter_init(&f);
    memset(&c, 0, sizeof c);
    sink = (struct hb_row_sink){cap_cols, cap_row, &c};
    assert_int_equal(hb_store_list_incidents(s, &f, false, &sink, &d), HB_OK);
    assert_int_equal(c.rows, 5);
    assert_string_equal(c.cols, "id ts cause severity rule_id service instance "
                                "codes source line evidence ");
    assert_string_equal(c.first, "1");
    /* limit keeps the most recent, still oldest first */
    f.limit = 2;
    memset(&c, 0, sizeof c);
    assert_int_equal(hb_store_list_incidents(s, &f, false, &sink, &d), HB_OK);
    assert_int_equal(c.rows, 2);
    assert_string_equal(c.first, "4");
    /* groups: most frequent first, same columns as the view */
    f.limit = 0;
    memset(&c, 0, sizeof c);
    assert_int_equal(hb_store_list_incidents(s, &f, true, &sink, &d), HB_OK);
    assert_int_equal(c.rows, 2);
    assert_string_equal(c.cols, "fingerprint count first_seen last_seen cause "
                                "rule_id severity service instance codes "
                                "source line sample ");
    assert_int_equal(qn(s, "SELECT count(*) FROM incident_groups"), 2);
    assert_int_equal(qn(s, "SELECT max(count) FROM incident_groups"), 3);
    hb_store_close(s);
}

/* ---- merge and prune ------------------------------------------------ */

static void fill(const char *path, int first, int n)
{
    struct hb_store *s = open_ok(path, HB_STORE_RW);
    struct hb_incident inc;
    struct hb_obs o;
    struct hb_diag d;
    int64_t src;
    int i;

    assert_int_equal(hb_store_run_begin(s, "fill", &d), HB_OK);
    src = begin_source(s, "app.log");
    for (i = first; i < first + n; i++) {
        mk_inc(&inc, 1000 * i, (uint64_t)i, &rule_port, "order", "h", 1);
        put_inc(s, src, &inc);
        mk_obs(&o, 1000 * i + 1, (uint64_t)i, "heartbeat-ok", "h", 1);
        assert_int_equal(hb_store_put_obs(s, src, &o, &d), HB_OK);
    }
    assert_int_equal(hb_store_checkpoint(s, src, (uint64_t)(first + n) * 10,
                                         (uint64_t)(first + n), NULL, &d),
                     HB_OK);
    assert_int_equal(hb_store_run_end(s, &(struct hb_run_counts){0}, &d),
                     HB_OK);
    hb_store_close(s);
}

static void test_store_merge_idempotent(void **state)
{
    const char *out = tpath("out.db");
    struct hb_store *s;
    struct hb_merge_counts c;
    struct hb_diag d;

    (void)state;
    fill(tpath("a.db"), 1, 5); /* incidents 1..5 */
    fill(tpath("b.db"), 4, 5); /* 4..8: 4 and 5 overlap a.db */
    raw_db(tpath("v1.db"), v1_schema);
    s = open_ok(out, HB_STORE_RW);
    assert_int_equal(hb_store_merge(s, tpath("a.db"), &c, &d), HB_OK);
    assert_int_equal(c.incidents, 5);
    assert_int_equal(c.observations, 5);
    assert_int_equal(c.runs, 1);
    assert_int_equal(c.sources, 1);
    assert_int_equal(hb_store_merge(s, tpath("b.db"), &c, &d), HB_OK);
    assert_int_equal(c.incidents, 3);
    assert_int_equal(c.observations, 3);
    assert_int_equal(c.runs, 1);
    assert_int_equal(c.sources, 0); /* same identity */
    /* an older schema merges too */
    assert_int_equal(hb_store_merge(s, tpath("v1.db"), &c, &d), HB_OK);
    assert_int_equal(c.incidents, 1);
    assert_int_equal(c.sources, 1);
    /* again: nothing new */
    assert_int_equal(hb_store_merge(s, tpath("a.db"), &c, &d), HB_OK);
    assert_int_equal(c.incidents + c.observations + c.runs + c.sources, 0);
    assert_int_equal(hb_store_merge(s, tpath("b.db"), &c, &d), HB_OK);
    assert_int_equal(c.incidents + c.observations + c.runs + c.sources, 0);
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents"), 9);
    assert_int_equal(qn(s, "SELECT count(*) FROM incident_rules"), 17);
    assert_int_equal(qn(s, "SELECT count(*) FROM runs"), 3);
    /* ids were mapped: every incident points at an existing run and source */
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents WHERE run_id NOT IN "
                           "(SELECT id FROM runs) OR source_id NOT IN "
                           "(SELECT id FROM sources)"),
                     0);
    /* refusals */
    assert_int_equal(hb_store_merge(s, out, &c, &d), HB_EUSAGE);
    assert_int_equal(hb_store_merge(s, tpath("missing.db"), &c, &d),
                     HB_ENOTFOUND);
    raw_db(tpath("other.db"), "CREATE TABLE t (x);");
    assert_int_equal(hb_store_merge(s, tpath("other.db"), &c, &d), HB_EDB);
    assert_non_null(strstr(d.msg, "not an hbscan database"));
    hb_store_close(s);
}

static void test_store_prune_and_info(void **state)
{
    const char *path = tpath("p.db");
    struct hb_store *s;
    struct hb_store_info info;
    struct hb_incident inc;
    struct hb_diag d;
    uint64_t ni = 0, no = 0;

    (void)state;
    fill(path, 1, 5); /* incidents at 1000..5000, observations +1 */
    s = open_ok(path, HB_STORE_RW);
    mk_inc(&inc, HB_NO_TIME, 99, &rule_port, "order", "h", 1);
    put_inc(s, 0, &inc);
    assert_int_equal(hb_store_checkpoint(s, 0, 0, 0, NULL, &d), HB_OK);
    assert_int_equal(hb_store_info(s, &info, &d), HB_OK);
    assert_int_equal(info.schema_version, HB_STORE_SCHEMA_VERSION);
    assert_int_equal(info.incidents, 6);
    assert_int_equal(info.observations, 5);
    assert_int_equal(info.incident_rules, 12);
    assert_int_equal(info.runs, 1);
    assert_int_equal(info.sources, 1);
    assert_int_equal(info.first_ms, 1000);
    assert_int_equal(info.last_ms, 5001);
    assert_true(info.file_bytes > 0);
    assert_int_equal(hb_store_prune(s, 3000, &ni, &no, &d), HB_OK);
    assert_int_equal(ni, 2);
    assert_int_equal(no, 2);
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents"), 4);
    assert_int_equal(
        qn(s, "SELECT count(*) FROM incidents WHERE ts_ms IS NULL"), 1);
    assert_int_equal(qn(s, "SELECT count(*) FROM incident_rules"), 8);
    assert_int_equal(qn(s, "SELECT min(ts_ms) FROM observations"), 3001);
    assert_int_equal(hb_store_vacuum(s, &d), HB_OK);
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents"), 4);
    hb_store_close(s);
}

/* ---- record texts, stored once (schema 4) ---------------------------- */

/* hex(text) of the incident at first_line, through SQLite alone. */
static char *text_hex(const char *path, uint64_t first_line)
{
    char sql[128];

    snprintf(sql, sizeof sql,
             "SELECT hex(text) FROM incidents WHERE first_line = %llu",
             (unsigned long long)first_line);
    return raw_text(path, sql);
}

static char *hex_of(const char *p, size_t n)
{
    char *out = hb_xmalloc(2 * n + 1);
    size_t i;

    for (i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02X", (unsigned char)p[i]);
    out[2 * n] = '\0';
    return out;
}

/* Fails unless got (owned, freed here; NULL for no row) holds p[0..n) in
   hex; what names the value in the message. */
static void assert_hex(char *got, const char *p, size_t n, const char *what)
{
    char *want = hex_of(p, n);

    if (got == NULL || strcmp(got, want) != 0)
        fail_msg("%s: got %s, want %s", what, got ? got : "NULL", want);
    free(got);
    free(want);
}

/* Fails unless the incident at first_line reads back text p[0..n). */
static void assert_text_at(const char *path, uint64_t first_line, const char *p,
                           size_t n)
{
    char what[48];

    snprintf(what, sizeof what, "text at line %llu",
             (unsigned long long)first_line);
    assert_hex(text_hex(path, first_line), p, n, what);
}

/* Stores one incident with the given text at first_line (and a time from
   it, so that every line is its own occurrence). */
static void put_text(struct hb_store *s, int64_t src, uint64_t line,
                     const char *text, size_t n)
{
    struct hb_incident inc;

    mk_inc(&inc, 1000 + (int64_t)line * 10, line, &rule_port, "order", "h", 1);
    inc.text.p = text;
    inc.text.n = n;
    put_inc(s, src, &inc);
}

static void checkpoint_ok(struct hb_store *s, int64_t src, uint64_t line)
{
    struct hb_diag d;

    if (hb_store_checkpoint(s, src, line * 100, line, NULL, &d) != HB_OK)
        fail_msg("checkpoint: %s", d.msg);
}

/*
 * Every text reads back byte for byte through the view, whatever its
 * line ends; a body after the first line is stored once however often it
 * occurs; a text without one keeps it all in the row.
 */
static void test_store_texts_round_trip(void **state)
{
    static const char *const texts[] = {
        "one line only",
        "ends with a newline\n",
        "\nstarts with a newline",
        "head\r\n\tat x.y(Z.java:1)\r\n",
        "2024-03-13 ERROR x\n\tat a.b(C.java:9)\nCaused by: "
        "java.net.ConnectException: refused",
        "caf\xc3\xa9 \xe2\x82\xac\n\tat \xe4\xb8\xad.b(\xe6\x96\x87.java:1)",
        "bad \xff\xfe bytes\n\tat \x80\x81",
    };
    const char *path = tpath("texts.db");
    struct hb_store *s;
    uint64_t line = 1;
    int64_t src;
    size_t i, rep;

    (void)state;
    s = open_ok(path, HB_STORE_RW);
    src = begin_source(s, "app.log");
    for (rep = 0; rep < 3; rep++)
        for (i = 0; i < HB_ARRAY_LEN(texts); i++)
            put_text(s, src, line++, texts[i], strlen(texts[i]));
    checkpoint_ok(s, src, line);
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents"),
                     3 * HB_ARRAY_LEN(texts));
    /* bodies of texts 2..6, once each; texts 0 and 1 have none */
    assert_int_equal(qn(s, "SELECT count(*) FROM texts"), 5);
    assert_int_equal(
        qn(s, "SELECT count(*) FROM incident_rows WHERE text_id IS NULL"), 6);
    hb_store_close(s);
    for (line = 1, rep = 0; rep < 3; rep++)
        for (i = 0; i < HB_ARRAY_LEN(texts); i++, line++)
            assert_text_at(path, line, texts[i], strlen(texts[i]));
}

/*
 * Pruning deletes the bodies no row points at any more and keeps the
 * shared ones; a body stored again after that is stored anew.
 */
static void test_store_texts_pruned(void **state)
{
    static const char x[] = "head x\n\tat body.X(X.java:1)";
    static const char y[] = "head y\n\tat body.Y(Y.java:2)";
    const char *path = tpath("prune-texts.db");
    struct hb_store *s;
    struct hb_diag d;
    uint64_t ni = 0, no = 0;
    int64_t src;

    (void)state;
    s = open_ok(path, HB_STORE_RW);
    src = begin_source(s, "app.log");
    put_text(s, src, 1, x, sizeof x - 1);   /* t 1010 */
    put_text(s, src, 2, y, sizeof y - 1);   /* t 1020 */
    put_text(s, src, 500, x, sizeof x - 1); /* t 6000 */
    checkpoint_ok(s, src, 500);
    assert_int_equal(qn(s, "SELECT count(*) FROM texts"), 2);
    assert_int_equal(hb_store_prune(s, 2000, &ni, &no, &d), HB_OK);
    assert_int_equal(ni, 2);
    assert_int_equal(qn(s, "SELECT count(*) FROM texts"), 1);
    put_text(s, src, 600, y, sizeof y - 1);
    checkpoint_ok(s, src, 600);
    hb_store_close(s);
    assert_text_at(path, 500, x, sizeof x - 1);
    assert_text_at(path, 600, y, sizeof y - 1);
}

/*
 * A store does not trust the bodies it remembers once another process
 * wrote (its prune may have deleted them), nor after a batch rolled back
 * (the bodies it inserted went with it).
 */
static void test_store_texts_cache_invalidated(void **state)
{
    static const char x[] = "head\n\tat shared.Body(B.java:7)";
    const char *path = tpath("cache-texts.db");
    struct hb_store *s, *other;
    struct hb_diag d;
    uint64_t ni, no;
    int64_t src;
    char *got;

    (void)state;
    s = open_ok(path, HB_STORE_RW);
    src = begin_source(s, "app.log");
    put_text(s, src, 1, x, sizeof x - 1);
    checkpoint_ok(s, src, 1);
    /* another writer prunes every incident, and with them the body */
    other = open_ok(path, HB_STORE_RW);
    assert_int_equal(hb_store_prune(other, INT64_MAX, &ni, &no, &d), HB_OK);
    hb_store_close(other);
    put_text(s, src, 2, x, sizeof x - 1);
    checkpoint_ok(s, src, 2);
    /* a batch whose commit fails takes its new body with it */
    put_text(s, src, 3, "h\n\tat rolled.Back(R.java:1)", 27);
    fault_set("COMMIT", 0, SQLITE_FULL);
    assert_int_equal(hb_store_checkpoint(s, src, 300, 3, NULL, &d), HB_EDB);
    put_text(s, src, 4, "h\n\tat rolled.Back(R.java:1)", 27);
    checkpoint_ok(s, src, 4);
    hb_store_close(s);
    assert_text_at(path, 2, x, sizeof x - 1);
    assert_text_at(path, 4, "h\n\tat rolled.Back(R.java:1)", 27);
    got = raw_text(path, "SELECT count(*) FROM incidents WHERE text IS NULL");
    assert_string_equal(got, "0");
    free(got);
}

/*
 * Incidents wait in the store to go in eight at a time; anything that
 * reads them first sees them, and closing without a checkpoint keeps none
 * (as before they waited).
 */
static void test_store_pending_rows(void **state)
{
    const char *path = tpath("pending.db");
    struct hb_store *s;
    int64_t src;
    uint64_t line;

    (void)state;
    s = open_ok(path, HB_STORE_RW);
    src = begin_source(s, "app.log");
    for (line = 1; line <= 11; line++)
        put_text(s, src, line, "h\n\tat p.Q(R.java:1)", 19);
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents"), 11);
    checkpoint_ok(s, src, 11);
    for (line = 12; line <= 14; line++)
        put_text(s, src, line, "h\n\tat p.Q(R.java:1)", 19);
    hb_store_close(s);
    s = open_ok(path, HB_STORE_RO);
    assert_int_equal(qn(s, "SELECT count(*) FROM incidents"), 11);
    assert_int_equal(qn(s, "SELECT max(first_line) FROM incidents"), 11);
    hb_store_close(s);
}

/*
 * hb_store_defer_commits: a checkpoint below both bounds leaves its batch
 * open (another connection sees nothing of it, a close drops it, offset
 * included); the checkpoint that reaches the row bound commits everything
 * waiting, and so does hb_store_flush; rows 0 commits at each again.
 */
static void test_store_deferred_commits(void **state)
{
    const char *path = tpath("defer.db");
    struct hb_store *s, *r;
    struct hb_diag d;
    int64_t src;
    uint64_t line;

    (void)state;
    s = open_ok(path, HB_STORE_RW);
    src = begin_source(s, "app.log");
    hb_store_defer_commits(s, 5, 3600 * 1000);
    for (line = 1; line <= 4; line++) {
        put_text(s, src, line, "h\n\tat p.Q(R.java:1)", 19);
        checkpoint_ok(s, src, line);
    }
    r = open_ok(path, HB_STORE_RO);
    assert_int_equal(qn(r, "SELECT count(*) FROM incidents"), 0);
    put_text(s, src, 5, "h\n\tat p.Q(R.java:1)", 19);
    checkpoint_ok(s, src, 5); /* the fifth row: the batch commits */
    assert_int_equal(qn(r, "SELECT count(*) FROM incidents"), 5);
    assert_int_equal(qn(r, "SELECT line FROM sources"), 5);
    put_text(s, src, 6, "h\n\tat p.Q(R.java:1)", 19);
    checkpoint_ok(s, src, 6);
    assert_int_equal(qn(r, "SELECT line FROM sources"), 5);
    assert_int_equal(hb_store_flush(s, &d), HB_OK);
    assert_int_equal(qn(r, "SELECT count(*) FROM incidents"), 6);
    assert_int_equal(qn(r, "SELECT line FROM sources"), 6);
    put_text(s, src, 7, "h\n\tat p.Q(R.java:1)", 19);
    checkpoint_ok(s, src, 7);
    put_text(s, src, 8, "h\n\tat p.Q(R.java:1)", 19);
    hb_store_close(s); /* line 7's batch was never committed: dropped */
    assert_int_equal(qn(r, "SELECT count(*) FROM incidents"), 6);
    assert_int_equal(qn(r, "SELECT line FROM sources"), 6);

    s = open_ok(path, HB_STORE_RW);
    src = begin_source(s, "app.log");
    hb_store_defer_commits(s, 5, 0); /* no time allowed: commit each */
    put_text(s, src, 7, "h\n\tat p.Q(R.java:1)", 19);
    checkpoint_ok(s, src, 7);
    assert_int_equal(qn(r, "SELECT line FROM sources"), 7);
    hb_store_defer_commits(s, 0, 3600 * 1000);
    put_text(s, src, 8, "h\n\tat p.Q(R.java:1)", 19);
    checkpoint_ok(s, src, 8);
    assert_int_equal(qn(r, "SELECT count(*) FROM incidents"), 8);
    hb_store_close(s);
    hb_store_close(r);
}

/*
 * An evidence line that is the record's first line or the line after it
 * is read back from there; any other, one cut at its cap, or one that is
 * not valid UTF-8 (SQLite would count its characters differently) stays
 * in the row. Either way the view gives back the same bytes.
 */
static void test_store_evidence_round_trip(void **state)
{
    static char capped[512];
    static const struct {
        const char *text, *evidence;
        int at; /* incident_rows.evidence_at, 0 = NULL */
    } cases[] = {
        {"ERR-1006 one line", "ERR-1006 one line", 1},
        {"header\nERR-1006 in the body\n\tat x", "ERR-1006 in the body", 2},
        {"header\nERR-1006 last", "ERR-1006 last", 2},
        {"ERR-1006 head\nbody", "ERR-1006 head", 1},
        {"header\n\tat x\nCaused by: ERR-1007", "Caused by: ERR-1007", 0},
        {"header\ncaf\xc3\xa9 ERR-1006 \xe4\xb8\xad",
         "caf\xc3\xa9 ERR-1006 \xe4\xb8\xad", 2},
        {"header\nbad \x80\xff ERR-1006", "bad \x80\xff ERR-1006", 0},
        {"header\nsomething else", "not in the text", 0},
    };
    const char *path = tpath("evidence.db");
    struct hb_store *s;
    struct hb_incident inc;
    char sql[160], what[32], *got;
    char text[600];
    int64_t src;
    size_t i;

    (void)state;
    s = open_ok(path, HB_STORE_RW);
    src = begin_source(s, "app.log");
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        mk_inc(&inc, 1000 + (int64_t)i, i + 1, &rule_port, "order", "h", 1);
        inc.text.p = cases[i].text;
        inc.text.n = strlen(cases[i].text);
        hb_strlcpy(inc.evidence, cases[i].evidence, strlen(cases[i].evidence),
                   sizeof inc.evidence);
        put_inc(s, src, &inc);
    }
    /* an evidence line as long as its cap may have been cut: kept */
    memset(capped, 'e', sizeof capped - 1);
    snprintf(text, sizeof text, "header\n%s", capped);
    mk_inc(&inc, 2000, 100, &rule_port, "order", "h", 1);
    inc.text.p = text;
    inc.text.n = strlen(text);
    hb_strlcpy(inc.evidence, capped, sizeof capped - 1, sizeof inc.evidence);
    put_inc(s, src, &inc);
    checkpoint_ok(s, src, 100);
    hb_store_close(s);
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        snprintf(what, sizeof what, "evidence of case %zu", i);
        snprintf(sql, sizeof sql,
                 "SELECT hex(evidence) FROM incidents WHERE first_line = %zu",
                 i + 1);
        assert_hex(raw_text(path, sql), cases[i].evidence,
                   strlen(cases[i].evidence), what);
        snprintf(sql, sizeof sql,
                 "SELECT coalesce(evidence_at, 0) FROM incident_rows WHERE "
                 "first_line = %zu",
                 i + 1);
        got = raw_text(path, sql);
        if (atoi(got) != cases[i].at)
            fail_msg("case %zu: evidence_at %s, want %d", i, got, cases[i].at);
        free(got);
    }
    got = raw_text(path, "SELECT length(i.evidence) || '/' || "
                         "coalesce(r.evidence_at, 0) FROM incidents AS i "
                         "JOIN incident_rows AS r USING (id) WHERE "
                         "i.first_line = 100");
    assert_string_equal(got, "511/0");
    free(got);
}

/*
 * A view a user made over incidents before version 4 reads the new view
 * after the upgrade: the whole text of rows stored since, not only the
 * first line the table keeps.
 */
static void test_store_user_view_survives_upgrade(void **state)
{
    static const char x[] = "head line\n\tat user.View(V.java:3)";
    const char *path = tpath("user-view.db");
    char *dump = read_file("testdata/store/v2.sql"), *got;
    struct hb_store *s;
    int64_t src;

    (void)state;
    raw_db(path, dump);
    free(dump);
    raw_db(path, "CREATE VIEW user_texts AS SELECT first_line, text, evidence "
                 "FROM incidents;");
    s = open_ok(path, HB_STORE_RW);
    src = begin_source(s, "new.log");
    put_text(s, src, 90001, x, sizeof x - 1);
    checkpoint_ok(s, src, 90001);
    hb_store_close(s);
    assert_hex(raw_text(path, "SELECT hex(text) FROM user_texts WHERE "
                              "first_line = 90001"),
               x, sizeof x - 1, "text through the user's view");
    got = raw_text(path, "SELECT count(*) FROM user_texts WHERE text IS NULL");
    assert_string_equal(got, "0");
    free(got);
}

/* Writing through the view, as a user with the sqlite3 shell would. */
static void test_store_view_writes(void **state)
{
    const char *path = tpath("view-writes.db");
    struct hb_store *s;
    int64_t src;
    char *got;

    (void)state;
    s = open_ok(path, HB_STORE_RW);
    src = begin_source(s, "app.log");
    put_text(s, src, 1, "h\n\tat v.W(X.java:1)", 19);
    checkpoint_ok(s, src, 1);
    hb_store_close(s);
    raw_db(path, "INSERT INTO incidents (id, ts_ms, okey, fingerprint, text) "
                 "VALUES (40, 5, 77, 'f', 'a' || char(10) || 'b');"
                 "UPDATE incidents SET cause = 'port' WHERE okey = 77;"
                 "UPDATE incidents SET text = 'new text', service = 'svc' "
                 "WHERE first_line = 1;");
    got = raw_text(path, "SELECT group_concat(quote(text) || '/' || cause || "
                         "'/' || coalesce(service, '-'), ' ') FROM (SELECT * "
                         "FROM incidents ORDER BY id)");
    assert_string_equal(got, "'new text'/port/svc 'a\nb'/port/-");
    free(got);
    got = raw_text(path, "SELECT id FROM incidents WHERE okey = 77");
    assert_string_equal(got, "40");
    free(got);
    raw_db(path, "DELETE FROM incidents WHERE okey = 77");
    got = raw_text(path, "SELECT count(*) || '/' || count(text_id) FROM "
                         "incident_rows");
    assert_string_equal(got, "1/0");
    free(got);
}

/* The rows of sql on the database at path, each row's cells joined by
   "|" (NULL as "-"), one row per line; owned by the caller. */
static char *raw_rows(const char *path, const char *sql)
{
    struct hb_buf b;
    sqlite3 *db;
    sqlite3_stmt *st;
    int c;

    hb_buf_init(&b);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("raw sql %s: %s", sql, sqlite3_errmsg(db));
    while (sqlite3_step(st) == SQLITE_ROW)
        for (c = 0; c < sqlite3_column_count(st); c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);

            hb_buf_printf(&b, "%s%s", v ? v : "-",
                          c + 1 < sqlite3_column_count(st) ? "|" : "\n");
        }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return b.data ? b.data : hb_xstrdup("");
}

/*
 * ts, instance and message, when the store leaves them out of the row
 * (schema 5), read back through the view as they would have been stored:
 * ts as hb_time_format writes it at the edges of the range the view
 * computes and at random times in it, and stored beyond it; instance with
 * and without a port; message when the first line ends with it (whatever
 * its bytes), and stored when it does not.
 */
static void test_store_derived_columns(void **state)
{
    static const int64_t edges[] = {
        0, 1, 999, 1000, 86399999, 86400000, 951782400000 /* 2000-02-29 */,
        4102444800000, 253402300799999,
        /* stored in the row */
        -1, -86400001, 253402300800000, INT64_C(-62135596800000)};
    static const struct {
        const char *text, *message;
        size_t n;
        int at; /* incident_rows.message_at, 0 = NULL (stored) */
    } msgs[] = {
        {"2024 ERROR main : heartbeat failed\n\tat x", "heartbeat failed", 40,
         19},
        {"whole line", "whole line", 10, 1},
        {"t caf\xc3\xa9 \x80\xff end\n\tat x", "caf\xc3\xa9 \x80\xff end", 20,
         3},
        {"a\0b msg\n\tat x", "msg", 13, 5},
        {"head msg then time 10:00:01\n\tat x", "head msg", 33, 0},
        {"line msg\n", "line msg", 9, 0},
        {"x\ny", "y", 3, 0},
    };
    static const struct {
        const char *host;
        int port;
        const char *want;
    } insts[] = {{"10.0.0.5", 8080, "10.0.0.5:8080"},
                 {"10.0.0.5", 0, "10.0.0.5"},
                 {"host", -3, "host"},
                 {"", 8080, "-"}};
    const char *path = tpath("derived.db");
    struct hb_store *s;
    struct hb_incident inc;
    struct hb_buf want;
    char ts[40], sql[200], what[40], *got;
    uint64_t seed = 42, line = 0;
    int64_t src, t;
    size_t i, n_in_range = 0;

    (void)state;
    hb_buf_init(&want);
    s = open_ok(path, HB_STORE_RW);
    src = begin_source(s, "app.log");
    for (i = 0; i < HB_ARRAY_LEN(edges) + 2000; i++) {
        if (i < HB_ARRAY_LEN(edges)) {
            t = edges[i];
        } else {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            t = (int64_t)((seed >> 11) % 253402300800000ULL);
        }
        mk_inc(&inc, t, ++line, &rule_port, "order", "h", 1);
        put_inc(s, src, &inc);
        hb_time_format(t, ts, sizeof ts);
        hb_buf_printf(&want, "%s\n", ts);
        n_in_range += t >= 0 && t <= 253402300799999;
    }
    for (i = 0; i < HB_ARRAY_LEN(msgs); i++) {
        mk_inc(&inc, 5000, 10000 + i, &rule_port, "order", "h", 1);
        inc.text.p = msgs[i].text;
        inc.text.n = msgs[i].n;
        hb_strlcpy(inc.message, msgs[i].message, strlen(msgs[i].message),
                   sizeof inc.message);
        put_inc(s, src, &inc);
    }
    for (i = 0; i < HB_ARRAY_LEN(insts); i++) {
        mk_inc(&inc, 6000, 20000 + i, &rule_port, "order", insts[i].host,
               insts[i].port);
        put_inc(s, src, &inc);
    }
    checkpoint_ok(s, src, 30000);
    hb_store_close(s);

    got = raw_rows(path, "SELECT ts FROM incidents WHERE first_line < 10000 "
                         "ORDER BY first_line");
    assert_string_equal(got, want.data);
    free(got);
    hb_buf_fini(&want);
    snprintf(sql, sizeof sql,
             "SELECT count(*) = %zu FROM incident_rows WHERE first_line < "
             "10000 AND ts IS NULL AND derived & 1",
             n_in_range);
    got = raw_text(path, sql);
    assert_string_equal(got, "1");
    free(got);

    for (i = 0; i < HB_ARRAY_LEN(msgs); i++) {
        snprintf(what, sizeof what, "message of case %zu", i);
        snprintf(sql, sizeof sql,
                 "SELECT hex(message) || '/' || typeof(message) FROM "
                 "incidents WHERE first_line = %zu",
                 10000 + i);
        got = raw_text(path, sql);
        {
            char *hex = hex_of(msgs[i].message, strlen(msgs[i].message));
            char *exp = hb_xmalloc(strlen(hex) + 6);

            sprintf(exp, "%s/text", hex);
            if (strcmp(got, exp) != 0)
                fail_msg("%s: got %s, want %s", what, got, exp);
            free(hex);
            free(exp);
        }
        free(got);
        snprintf(sql, sizeof sql,
                 "SELECT coalesce(message_at, 0) || '/' || (message IS NULL) "
                 "FROM incident_rows WHERE first_line = %zu",
                 10000 + i);
        got = raw_text(path, sql);
        snprintf(what, sizeof what, "%d/%d", msgs[i].at, msgs[i].at != 0);
        if (strcmp(got, what) != 0)
            fail_msg("case %zu: message_at/left out %s, want %s", i, got, what);
        free(got);
    }

    for (i = 0; i < HB_ARRAY_LEN(insts); i++) {
        snprintf(sql, sizeof sql,
                 "SELECT coalesce(i.instance, '-') || '/' || "
                 "(r.instance IS NULL) FROM incidents AS i JOIN incident_rows "
                 "AS r USING (id) WHERE i.first_line = %zu",
                 20000 + i);
        got = raw_text(path, sql);
        snprintf(what, sizeof what, "%s/1", insts[i].want);
        assert_string_equal(got, what);
        free(got);
    }

    /* an update through the view stores the three in the row */
    got = raw_rows(path, "SELECT ts, instance, message FROM incidents WHERE "
                         "first_line IN (2, 10000, 20000) ORDER BY first_line");
    raw_db(path, "UPDATE incidents SET cause = 'network' WHERE first_line IN "
                 "(2, 10000, 20000)");
    {
        char *after = raw_rows(path, "SELECT ts, instance, message FROM "
                                     "incidents WHERE first_line IN (2, "
                                     "10000, 20000) ORDER BY first_line");
        char *stored = raw_rows(path, "SELECT ts, instance, message FROM "
                                      "incident_rows WHERE first_line IN (2, "
                                      "10000, 20000) AND derived IS NULL AND "
                                      "message_at IS NULL ORDER BY "
                                      "first_line");

        assert_string_equal(after, got);
        assert_string_equal(stored, got);
        free(after);
        free(stored);
    }
    free(got);
}

/* Rules whose ids, after an exception class, read alike. */
static const struct hb_rule_meta rule_b = {.id = "b-rule",
                                           .cause = HB_CAUSE_PORT,
                                           .severity = HB_SEV_ERROR,
                                           .weight = 0.5};
static const struct hb_rule_meta rule_dash = {.id = "-rule",
                                              .cause = HB_CAUSE_PORT,
                                              .severity = HB_SEV_ERROR,
                                              .weight = 0.5};

/* Stores an incident at line with its rule and exception class. */
static void put_kind(struct hb_store *s, int64_t src, uint64_t line,
                     const struct hb_rule_meta *rule, const char *exc)
{
    struct hb_incident inc;

    mk_inc(&inc, 1000 + (int64_t)line * 10, line, rule, "order", "h", 1);
    hb_strlcpy(inc.exc_class, exc, strlen(exc), sizeof inc.exc_class);
    put_inc(s, src, &inc);
}

/* Fails unless every row points at a kind that exists. */
static void assert_kinds_whole(const char *path)
{
    char *got = raw_text(path, "SELECT count(*) FROM incident_rows AS r "
                               "LEFT JOIN kinds AS k ON k.id = r.kind_id "
                               "WHERE k.id IS NULL");

    assert_string_equal(got, "0");
    free(got);
}

/*
 * What failed and how it was classified is stored once per kind (schema
 * 6): the same values share a row of kinds, values that differ anywhere
 * (even only in where one text ends and the next begins: "com.A" "b-rule",
 * "com.Ab" "-rule") do not; each
 * incident reads its own back through the view. Kinds no row points at go
 * with prune; kinds of a rolled-back batch or pruned by another writer are
 * not pointed at afterwards; an update through the view stores the values
 * in the row.
 */
static void test_store_kinds(void **state)
{
    const char *path = tpath("kinds.db");
    struct hb_store *s, *other;
    struct hb_diag d;
    uint64_t ni, no;
    int64_t src;
    char *got;

    (void)state;
    s = open_ok(path, HB_STORE_RW);
    src = begin_source(s, "app.log");
    put_kind(s, src, 1, &rule_port, "com.A.E");
    put_kind(s, src, 2, &rule_port, "com.A.E");
    put_kind(s, src, 3, &rule_b, "com.A");
    put_kind(s, src, 4, &rule_dash, "com.Ab");
    put_kind(s, src, 5, NULL, "com.A.E");
    checkpoint_ok(s, src, 5);
    assert_int_equal(qn(s, "SELECT count(*) FROM kinds"), 4);
    hb_store_close(s);
    got = raw_rows(path, "SELECT first_line, exc_class, rule_id, "
                         "cause, severity, weight, codes, "
                         "coalesce(other_rules, '-') FROM incidents ORDER "
                         "BY first_line");
    assert_string_equal(
        got, "1|com.A.E|port-grpc-8080|port|critical|0.9|ERR-1006 400401|"
             "[[\"net-unavailable\",\"network\",0.6]]\n"
             "2|com.A.E|port-grpc-8080|port|critical|0.9|ERR-1006 400401|"
             "[[\"net-unavailable\",\"network\",0.6]]\n"
             "3|com.A|b-rule|port|error|0.5|ERR-1006 400401|"
             "[[\"net-unavailable\",\"network\",0.6]]\n"
             "4|com.Ab|-rule|port|error|0.5|ERR-1006 400401|"
             "[[\"net-unavailable\",\"network\",0.6]]\n"
             "5|com.A.E|-|unknown|error|0.0|ERR-1006 400401|-\n");
    free(got);

    /* prune: the kinds of the rows it deletes, and only those, go */
    s = open_ok(path, HB_STORE_RW);
    src = begin_source(s, "app.log");
    assert_int_equal(hb_store_prune(s, 1000 + 35, &ni, &no, &d), HB_OK);
    assert_int_equal(ni, 3);
    assert_int_equal(qn(s, "SELECT count(*) FROM kinds"), 2);
    /* another writer prunes everything: this store's kinds are gone */
    other = open_ok(path, HB_STORE_RW);
    assert_int_equal(hb_store_prune(other, INT64_MAX, &ni, &no, &d), HB_OK);
    hb_store_close(other);
    put_kind(s, src, 6, &rule_net, "com.A.E");
    checkpoint_ok(s, src, 6);
    /* a batch whose commit fails takes its new kind with it */
    put_kind(s, src, 7, &rule_port, "rolled.Back");
    fault_set("COMMIT", 0, SQLITE_FULL);
    assert_int_equal(hb_store_checkpoint(s, src, 700, 7, NULL, &d), HB_EDB);
    put_kind(s, src, 8, &rule_port, "rolled.Back");
    checkpoint_ok(s, src, 8);
    hb_store_close(s);
    assert_kinds_whole(path);
    got = raw_rows(path, "SELECT first_line, exc_class, rule_id FROM "
                         "incidents ORDER BY first_line");
    assert_string_equal(got, "6|com.A.E|net-unavailable\n"
                             "8|rolled.Back|port-grpc-8080\n");
    free(got);

    /* an update through the view stores the kind's values in the row */
    raw_db(path, "UPDATE incidents SET service = 'svc' WHERE first_line = 8");
    got = raw_rows(path, "SELECT kind_id IS NULL, exc_class, rule_id, cause, "
                         "weight FROM incident_rows WHERE first_line = 8");
    assert_string_equal(got, "1|rolled.Back|port-grpc-8080|port|0.9\n");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_default_path),
        cmocka_unit_test_setup_teardown(test_store_file_mode_0600, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_ro_missing, setup, teardown),
        cmocka_unit_test(test_store_roundtrip),
        cmocka_unit_test(test_store_same_incident_stored_once),
        cmocka_unit_test(test_store_source_identity),
        cmocka_unit_test_setup_teardown(test_store_fault_mid_batch, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_store_usable_after_fault,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_uncheckpointed_batch_dropped,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_second_writer_busy, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_migrate_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_migrate_v2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_other_rules, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_newer_schema_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_foreign_db_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_query_read_only, setup,
                                        teardown),
        cmocka_unit_test(test_store_filters),
        cmocka_unit_test(test_store_list_incidents),
        cmocka_unit_test_setup_teardown(test_store_merge_idempotent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_prune_and_info, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_texts_round_trip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_texts_pruned, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_texts_cache_invalidated,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_deferred_commits, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_pending_rows, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_derived_columns, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_view_writes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_evidence_round_trip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_user_view_survives_upgrade,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
