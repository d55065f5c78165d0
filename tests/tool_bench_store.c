/*
 * tool_bench_store.c - measures bulk inserts into the incident store: N
 * incidents through hb_store_put_incident into a fresh database in a
 * temporary directory, a checkpoint (commit) every BATCH_ROWS as a
 * scan makes them. Used by `make bench`.
 *
 * The incidents are modelled on what `hbscan scan` stores from tool_gen's
 * corpus: six kinds of heartbeat and registration failure in the measured
 * mix, record text of 160 to 1700 bytes (about 1 KiB on average, stack
 * traces with their "Caused by" chains), one to four rule hits (about three
 * on average), 12 services on 40 instances, the real fingerprint function
 * (a few hundred distinct fingerprints), times that advance irregularly.
 * A pool of 2048 such incidents (so 2048 distinct record bodies) is built
 * before the clock starts; each insert takes one at random and gives it
 * its own lines and time.
 *
 *   tool_bench_store [-n] [-r RUNS] [-p PRELOAD] [N]   (defaults: 5, 0, 200000)
 *
 * The clock stops when the store is closed, so the copy of the WAL back
 * into the database (the last checkpoint) is counted too.
 *
 * -p first stores PRELOAD incidents, untimed, to measure inserts into a
 * database that is already large. Every run is followed by the
 * reference (run_raw), unless -n (for profiling the store alone; the
 * reference figures then repeat the store's). Prints one line per run, then
 * "store: N incidents, median of RUNS runs: S s (cpu C s): R incidents/s (P per
 * cpu second); plain SQLite rows: Q/s; store/plain X".
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "rules.h"
#include "scan.h"
#include "timeparse.h"
#include "store.h"
#include "util.h"

/* Rows per transaction: a scan commits once per segment (scan.h), and an
   8 MiB segment of failure-dense log holds a few thousand incidents. */
#define BATCH_ROWS 4096

#define POOL 2048

/* The rules the corpus's incidents hit (ids, causes, weights as shipped). */
static const struct hb_rule_meta rules[] = {
    {.id = "transport-connection-refused",
     .cause = HB_CAUSE_NETWORK,
     .severity = HB_SEV_CRITICAL,
     .weight = 0.7},
    {.id = "sdk-1007-heartbeat-network-error",
     .cause = HB_CAUSE_NETWORK,
     .severity = HB_SEV_ERROR,
     .weight = 0.65},
    {.id = "transport-grpc-unavailable",
     .cause = HB_CAUSE_NETWORK,
     .severity = HB_SEV_ERROR,
     .weight = 0.55},
    {.id = "server-400401-heartbeat-api-not-open",
     .cause = HB_CAUSE_API_GATING,
     .severity = HB_SEV_CRITICAL,
     .weight = 0.8},
    {.id = "server-400401-client-api-not-open",
     .cause = HB_CAUSE_API_GATING,
     .severity = HB_SEV_CRITICAL,
     .weight = 0.7},
    {.id = "server-4xxxxx-request-rejected",
     .cause = HB_CAUSE_CONFIG,
     .severity = HB_SEV_WARNING,
     .weight = 0.35},
    {.id = "sdk-1004-register-timeout",
     .cause = HB_CAUSE_NETWORK,
     .severity = HB_SEV_ERROR,
     .weight = 0.6},
    {.id = "sdk-1004-heartbeat-timeout",
     .cause = HB_CAUSE_NETWORK,
     .severity = HB_SEV_ERROR,
     .weight = 0.6},
    {.id = "server-log-client-api-not-open",
     .cause = HB_CAUSE_API_GATING,
     .severity = HB_SEV_CRITICAL,
     .weight = 0.82},
    {.id = "transport-sdk-connection-failed",
     .cause = HB_CAUSE_NETWORK,
     .severity = HB_SEV_ERROR,
     .weight = 0.5},
    {.id = "sct-heartbeat-failed",
     .cause = HB_CAUSE_NETWORK,
     .severity = HB_SEV_WARNING,
     .weight = 0.4},
    {.id = "sct-register-failed",
     .cause = HB_CAUSE_CONFIG,
     .severity = HB_SEV_WARNING,
     .weight = 0.3},
};

/* One kind of failure. hits: indexes into rules[], strongest first, -1
   ends; frames (on average) and causes make the text's length. */
struct kind {
    int share; /* out of 368, as in a 200 MB corpus */
    int hits[4];
    const char *level, *format, *exc_class, *sdk_name, *grpc, *codes[2];
    int sdk_code, server_code;
    enum hb_event event;
    bool server_addr;
    int frames, causes;   /* "at" lines, "Caused by" sections */
    const char *msg_head; /* the header's message, before the instance */
    const char *ev_head, *ev_tail; /* the evidence line around it */
};

static const struct kind kinds[] = {
    {94,
     {0, 1, 2, 10},
     "ERROR",
     "springboot",
     "java.net.ConnectException",
     "NETWORK_ERROR",
     "UNAVAILABLE",
     {"ERR-1007", NULL},
     1007,
     0,
     HB_EV_HEARTBEAT_FAIL,
     true,
     8,
     3,
     "[AsyncHeartbeat]Instance heartbeat failed, namespace:default,",
     "com.tencent.polaris.api.exception.RetriableException: "
     "ERR-1007(NETWORK_ERROR): fail to heartbeat id",
     ", cause: UNAVAILABLE: io exception"},
    {163,
     {3, 4, 5, -1},
     "ERROR",
     "springboot",
     "com.tencent.polaris.api.exception.PolarisException",
     "SERVER_USER_ERROR",
     "",
     {"ERR-1006", "400401"},
     1006,
     400401,
     HB_EV_REGISTER_FAIL,
     false,
     5,
     1,
     "polaris registry, register failed,",
     "com.tencent.polaris.api.exception.PolarisException: "
     "ERR-1006(SERVER_USER_ERROR): register instance",
     " failed: server error 400401: client api is not open"},
    {55,
     {6, 11, -1},
     "ERROR",
     "springboot",
     "com.tencent.polaris.api.exception.PolarisException",
     "API_TIMEOUT",
     "",
     {"ERR-1004", NULL},
     1004,
     0,
     HB_EV_REGISTER_FAIL,
     false,
     4,
     1,
     "polaris registry, register failed,",
     "com.tencent.polaris.api.exception.PolarisException: "
     "ERR-1004(API_TIMEOUT): request to register",
     " timed out after 1000 ms"},
    {19,
     {7, 10, -1},
     "WARN",
     "polaris-sdk",
     "com.tencent.polaris.api.exception.PolarisException",
     "API_TIMEOUT",
     "",
     {"ERR-1004", NULL},
     1004,
     0,
     HB_EV_HEARTBEAT_FAIL,
     false,
     3,
     0,
     "heartbeat timed out,",
     "com.tencent.polaris.api.exception.PolarisException: "
     "ERR-1004(API_TIMEOUT): heartbeat",
     " timed out"},
    {24,
     {8, 3, 4, -1},
     "ERROR",
     "polaris-server",
     "",
     "",
     "",
     {"400401", NULL},
     0,
     400401,
     HB_EV_NONE,
     false,
     0,
     0,
     "client api is not open, request rejected,",
     "[Server] heartbeat",
     " rejected: 400401 client api is not open"},
    {13,
     {9, -1},
     "ERROR",
     "polaris-sdk",
     "",
     "",
     "",
     {NULL, NULL},
     0,
     0,
     HB_EV_CONNECT_FAIL,
     false,
     0,
     0,
     "fail to get connection,",
     "fail to get connection",
     ""},
};

static const char *const services[] = {
    "search-api",     "order-service",    "payment-service", "user-center",
    "inventory-svc",  "catalog-svc",      "coupon-svc",      "gateway",
    "notify-service", "shipping-service", "risk-engine",     "billing-core"};

static const char *const frames[] = {
    "com.tencent.polaris.plugins.connector.grpc.GrpcConnector.heartbeat("
    "GrpcConnector.java:499) ~[connector-polaris-grpc-1.15.8.jar!/:na]",
    "com.tencent.polaris.plugins.connector.composite.CompositeConnector."
    "heartbeat(CompositeConnector.java:201) ~[connector-composite-1.15.8.jar"
    "!/:na]",
    "com.tencent.polaris.discovery.client.flow.DefaultDiscoveryFlow."
    "heartbeat(DefaultDiscoveryFlow.java:218) ~[polaris-discovery-client-"
    "1.15.8.jar!/:na]",
    "com.tencent.polaris.discovery.client.flow.RegisterFlow.doRunHeartbeat("
    "RegisterFlow.java:81)",
    "com.tencent.cloud.polaris.registry.PolarisServiceRegistry.register("
    "PolarisServiceRegistry.java:104)",
    "org.springframework.cloud.client.serviceregistry."
    "AbstractAutoServiceRegistration.start(AbstractAutoServiceRegistration."
    "java:232)",
    "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker("
    "ThreadPoolExecutor.java:1136)",
    "io.grpc.stub.ClientCalls.toStatusRuntimeException(ClientCalls.java:268)",
};

static const char *const caused_by[] = {
    "io.grpc.StatusRuntimeException: UNAVAILABLE: io exception",
    "io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection "
    "refused: /10.0.0.7:8091",
    "java.net.ConnectException: Connection refused",
};

/* xorshift64*: the same incidents on every run and machine. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

struct pooled {
    struct hb_incident inc;
    char text[HB_INCIDENT_TEXT_CAP];
};

static void build(struct pooled *p, uint64_t *seed)
{
    struct hb_incident *inc = &p->inc;
    const struct kind *k;
    uint64_t r = rnd(seed), id = rnd(seed);
    int pick = (int)(r % 368), i, n, svc, inst, count = (int)(r >> 40) % 90;
    size_t len;
    char host[32];

    for (k = kinds; pick >= k->share; k++)
        pick -= k->share;
    svc = (int)((r >> 9) % HB_ARRAY_LEN(services));
    inst = svc * 3 + (int)((r >> 17) % 4);
    snprintf(host, sizeof host, "10.12.%d.%d", 40 + inst / 10, 100 + inst);
    memset(inc, 0, sizeof *inc);
    inc->source = "/var/log/app/spring.log";
    for (n = 0; n < 4 && k->hits[n] >= 0; n++)
        ;
    for (i = 0; i < n; i++)
        inc->hits[i].rule = &rules[k->hits[i]];
    inc->nhits = n;
    inc->rule_id = inc->hits[0].rule->id;
    inc->cause = inc->hits[0].rule->cause;
    inc->severity = inc->hits[0].rule->severity;
    inc->weight = inc->hits[0].rule->weight;
    hb_strlcpy(inc->level, k->level, strlen(k->level), sizeof inc->level);
    hb_strlcpy(inc->format, k->format, strlen(k->format), sizeof inc->format);
    strcpy(inc->ns, "default");
    hb_strlcpy(inc->service, services[svc], strlen(services[svc]),
               sizeof inc->service);
    hb_strlcpy(inc->host, host, strlen(host), sizeof inc->host);
    inc->port = 8080 + inst % 2;
    if (k->server_addr)
        strcpy(inc->server_addr, "10.0.0.7:8091");
    inc->sdk_code = k->sdk_code;
    hb_strlcpy(inc->sdk_name, k->sdk_name, strlen(k->sdk_name),
               sizeof inc->sdk_name);
    inc->server_code = k->server_code;
    hb_strlcpy(inc->grpc_status, k->grpc, strlen(k->grpc),
               sizeof inc->grpc_status);
    inc->event = k->event;
    hb_strlcpy(inc->exc_class, k->exc_class, strlen(k->exc_class),
               sizeof inc->exc_class);
    for (i = 0; i < 2 && k->codes[i]; i++)
        hb_strlcpy(inc->codes[i].key, k->codes[i], strlen(k->codes[i]),
                   sizeof inc->codes[i].key);
    inc->ncodes = i;
    snprintf(inc->message, sizeof inc->message,
             "%s service:%s, host:%s, port:%d, count:%d", k->msg_head,
             inc->service, inc->host, inc->port, count);
    snprintf(inc->evidence, sizeof inc->evidence,
             "%s %016" PRIx64 ", host %s:%d service ServiceKey{namespace="
             "'default', service='%s'}%s",
             k->ev_head, id, inc->host, inc->port, inc->service, k->ev_tail);

    /* header, evidence, frames, causes: the length varies with the frames;
       a server log's record is its one line */
    if (k->frames == 0) {
        hb_strlcpy(p->text, inc->evidence, strlen(inc->evidence),
                   sizeof p->text);
        inc->text.p = p->text;
        inc->text.n = strlen(p->text);
        hb_incident_fingerprint(inc);
        return;
    }
    len = (size_t)snprintf(p->text, sizeof p->text,
                           "2025-06-26 04:59:17.063 %s 1 --- [polaris-"
                           "heartbeat-%d] c.t.c.p.r.PolarisServiceRegistry : "
                           "%s\n%s",
                           inc->level, count % 4, inc->message, inc->evidence);
    n = k->frames ? k->frames / 2 + (int)((r >> 32) % (unsigned)k->frames) : 0;
    for (i = 0; i < n && len < sizeof p->text - 200; i++)
        len += (size_t)snprintf(
            p->text + len, sizeof p->text - len, "\n\tat %s",
            frames[(i + (int)(r >> 50)) % (int)HB_ARRAY_LEN(frames)]);
    for (i = 0; i < k->causes && len < sizeof p->text - 200; i++)
        len += (size_t)snprintf(p->text + len, sizeof p->text - len,
                                "\nCaused by: %s\n\t... %d common frames "
                                "omitted",
                                caused_by[i], 8 + i * 6);
    inc->text.p = p->text;
    inc->text.n = len;
    hb_incident_fingerprint(inc);
}

static int cmp_fp(const void *a, const void *b)
{
    return strcmp(((const struct pooled *)a)->inc.fingerprint,
                  ((const struct pooled *)b)->inc.fingerprint);
}

/* What the pool holds, to compare with a real database. */
static void describe(const struct pooled *pool)
{
    struct pooled *sorted = hb_xmalloc(POOL * sizeof *sorted);
    size_t text = 0, hits = 0, fps = 0, i;

    memcpy(sorted, pool, POOL * sizeof *sorted);
    qsort(sorted, POOL, sizeof *sorted, cmp_fp);
    for (i = 0; i < POOL; i++) {
        text += pool[i].inc.text.n;
        hits += (size_t)pool[i].inc.nhits;
        fps += i == 0 || strcmp(sorted[i].inc.fingerprint,
                                sorted[i - 1].inc.fingerprint) != 0;
    }
    printf("incidents: %zu bytes of text and %.1f rule hits on average, "
           "%zu fingerprints, %d per commit\n",
           text / POOL, (double)hits / POOL, fps, BATCH_ROWS);
    free(sorted);
}

/* CPU seconds of this process: steadier than wall time on a shared box. */
static double cpu_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/*
 * A pooled incident packed small: its scalars and its strings one after
 * another (NUL-terminated, the record text last), about 1.5 KiB instead
 * of the 16 KiB of struct pooled, so the pool (3 MiB) can stay in the
 * cache as a scan's working data does.
 */
struct packed {
    const char *source;
    int port, sdk_code, server_code, nhits, ncodes;
    enum hb_event event;
    const struct hb_rule_meta *rule[HB_MAX_HITS];
    const char *rule_id;
    enum hb_cause cause;
    enum hb_severity severity;
    double weight;
    struct hb_code_seen codes[HB_MAX_CODES];
    size_t text_n;
    char *blob;
};

/* The string fields of struct hb_incident the bench fills, by offset. */
static const size_t str_fields[] = {
    offsetof(struct hb_incident, evidence),
    offsetof(struct hb_incident, level),
    offsetof(struct hb_incident, format),
    offsetof(struct hb_incident, ns),
    offsetof(struct hb_incident, service),
    offsetof(struct hb_incident, host),
    offsetof(struct hb_incident, server_addr),
    offsetof(struct hb_incident, sdk_name),
    offsetof(struct hb_incident, grpc_status),
    offsetof(struct hb_incident, exc_class),
    offsetof(struct hb_incident, message),
    offsetof(struct hb_incident, fingerprint),
};

static void pack(struct packed *k, const struct pooled *p)
{
    const struct hb_incident *inc = &p->inc;
    struct hb_buf b = {0};
    size_t i;
    int h;

    k->source = inc->source;
    k->port = inc->port;
    k->sdk_code = inc->sdk_code;
    k->server_code = inc->server_code;
    k->event = inc->event;
    k->nhits = inc->nhits;
    for (h = 0; h < inc->nhits; h++)
        k->rule[h] = inc->hits[h].rule;
    k->rule_id = inc->rule_id;
    k->cause = inc->cause;
    k->severity = inc->severity;
    k->weight = inc->weight;
    k->ncodes = inc->ncodes;
    memcpy(k->codes, inc->codes, sizeof k->codes);
    for (i = 0; i < HB_ARRAY_LEN(str_fields); i++)
        hb_buf_append(&b, (const char *)inc + str_fields[i],
                      strlen((const char *)inc + str_fields[i]) + 1);
    hb_buf_append(&b, inc->text.p, inc->text.n);
    k->text_n = inc->text.n;
    k->blob = b.data;
}

/*
 * Fills w and its text buffer from k as a scan does before it stores an
 * incident: hb_incident_build clears the whole struct and writes each
 * field; the record text has just been assembled. Timed with the inserts,
 * so the copying counts against the store.
 */
static void take(struct hb_incident *w, char *text, const struct packed *k)
{
    const char *b = k->blob;
    size_t i, n;
    int h;

    memset(w, 0, sizeof *w);
    w->source = k->source;
    w->port = k->port;
    w->sdk_code = k->sdk_code;
    w->server_code = k->server_code;
    w->event = k->event;
    for (h = 0; h < k->nhits; h++)
        w->hits[h].rule = k->rule[h];
    w->nhits = k->nhits;
    w->rule_id = k->rule_id;
    w->cause = k->cause;
    w->severity = k->severity;
    w->weight = k->weight;
    for (h = 0; h < k->ncodes; h++)
        w->codes[h] = k->codes[h];
    w->ncodes = k->ncodes;
    for (i = 0; i < HB_ARRAY_LEN(str_fields); i++) {
        n = strlen(b) + 1;
        memcpy((char *)w + str_fields[i], b, n);
        b += n;
    }
    memcpy(text, b, k->text_n);
    w->text.p = text;
    w->text.n = k->text_n;
}

/* Stores n incidents from the pool, committing as a scan does. */
static int fill(struct hb_store *s, int64_t source_id,
                const struct packed *pool, long n, uint64_t *seed,
                uint64_t *line, int64_t *ts)
{
    static struct hb_incident work;
    static char text[HB_INCIDENT_TEXT_CAP];
    struct hb_incident *inc = &work;
    struct hb_diag d;
    long i;

    for (i = 0; i < n; i++) {
        uint64_t r;

        take(inc, text, &pool[rnd(seed) % POOL]);
        r = rnd(seed);

        inc->first_line = *line + 1;
        inc->evidence_line = *line + 2;
        inc->last_line = *line + 1 + (r & 15);
        *line = inc->last_line + (r >> 8) % 4000;
        *ts += (int64_t)((r >> 20) % 9000);
        inc->ts_ms = *ts;
        if (hb_store_put_incident(s, source_id, inc, &d) != HB_OK ||
            ((i + 1) % BATCH_ROWS == 0 &&
             hb_store_checkpoint(s, source_id, *line * 120, *line, "springboot",
                                 &d) != HB_OK)) {
            hb_diag_print(&d, stderr);
            return -1;
        }
    }
    if (hb_store_checkpoint(s, source_id, *line * 120, *line, "springboot",
                            &d) != HB_OK) {
        hb_diag_print(&d, stderr);
        return -1;
    }
    return 0;
}

static void remove_db(const char *dir)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char path[96];
    size_t i;

    for (i = 0; i < HB_ARRAY_LEN(suffix); i++) {
        snprintf(path, sizeof path, "%s/bench.db%s", dir, suffix[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* One run on a fresh database: *wall and *cpu get the timed part. */
static int run(const struct packed *pool, long n, long preload, double *wall,
               double *cpu)
{
    char dir[] = "/tmp/hbscan-bench-XXXXXX", path[96];
    struct hb_source_id sid = {.path = "/var/log/app/spring.log",
                               .dev = 1,
                               .ino = 2,
                               .first_hash = 0x5eed,
                               .size = 1ull << 40};
    struct hb_source_state st;
    struct hb_store *s;
    struct hb_diag d;
    uint64_t seed = 42, line = 0;
    int64_t ts = 1750913957063;
    double t0, c0;
    int rc = -1;

    if (mkdtemp(dir) == NULL) {
        perror("tool_bench_store: mkdtemp");
        return -1;
    }
    snprintf(path, sizeof path, "%s/bench.db", dir);
    if (hb_store_open(&s, path, HB_STORE_RW, 0, &d) != HB_OK) {
        hb_diag_print(&d, stderr);
        remove_db(dir);
        return -1;
    }
    if (hb_store_run_begin(s, "bench", &d) != HB_OK ||
        hb_store_source_begin(s, &sid, false, &st, &d) != HB_OK) {
        hb_diag_print(&d, stderr);
        goto out;
    }
    if (preload > 0 && fill(s, st.id, pool, preload, &seed, &line, &ts) != 0)
        goto out;
    t0 = now_s();
    c0 = cpu_s();
    if (fill(s, st.id, pool, n, &seed, &line, &ts) != 0)
        goto out;
    /* closing checkpoints the WAL into the database: part of the work */
    hb_store_close(s);
    s = NULL;
    *wall = now_s() - t0;
    *cpu = cpu_s() - c0;
    rc = 0;
out:
    hb_store_close(s);
    remove_db(dir);
    return rc;
}

/*
 * The reference: the same incidents written the plain way, each field
 * of the row bound as it is, whole text included, into one table with no
 * index, a prepared statement per row, in WAL mode with synchronous =
 * NORMAL and SQLite's default pages, committing as often as fill() does.
 * It tells how fast this machine writes such rows at all, so that the
 * store's rate reads as a ratio (a rate alone moved by half between two
 * runs an hour apart on this shared machine).
 */
static int run_raw(const struct packed *pool, long n, double *wall, double *cpu)
{
    static struct hb_incident work;
    static char text[HB_INCIDENT_TEXT_CAP];
    char dir[] = "/tmp/hbscan-bench-XXXXXX", path[96], ts[40], sql[512];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    uint64_t seed = 42, line = 0;
    int64_t t = 1750913957063;
    double t0, c0;
    long i;
    int c, rc = -1;

    if (mkdtemp(dir) == NULL) {
        perror("tool_bench_store: mkdtemp");
        return -1;
    }
    snprintf(path, sizeof path, "%s/bench.db", dir);
    strcpy(sql, "CREATE TABLE t (c1");
    for (c = 2; c <= 30; c++)
        snprintf(sql + strlen(sql), sizeof sql - strlen(sql), ", c%d", c);
    strcat(sql, ")");
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        goto out;
    strcpy(sql, "INSERT INTO t VALUES (?");
    for (c = 2; c <= 30; c++)
        strcat(sql, ", ?");
    strcat(sql, ")");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        goto out;
    t0 = now_s();
    c0 = cpu_s();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (i = 0; i < n; i++) {
        const struct hb_incident *inc = &work;
        uint64_t r;
        const char *txt[] = {inc->evidence,    inc->level,    inc->format,
                             inc->ns,          inc->service,  inc->host,
                             inc->server_addr, inc->sdk_name, inc->grpc_status,
                             inc->exc_class,   inc->message,  inc->fingerprint,
                             inc->codes[0].key};
        size_t k;

        take(&work, text, &pool[rnd(&seed) % POOL]);
        r = rnd(&seed);
        line += 1 + (r & 15) + (r >> 8) % 4000;
        t += (int64_t)((r >> 20) % 9000);
        hb_time_format(t, ts, sizeof ts);
        sqlite3_bind_int64(st, 1, (int64_t)line);
        sqlite3_bind_int64(st, 2, (int64_t)line + 15);
        sqlite3_bind_int64(st, 3, (int64_t)line + 1);
        sqlite3_bind_int64(st, 4, t);
        sqlite3_bind_text(st, 5, ts, -1, SQLITE_STATIC);
        for (k = 0; k < HB_ARRAY_LEN(txt); k++)
            sqlite3_bind_text(st, 6 + (int)k, txt[k], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 19, inc->port);
        sqlite3_bind_int(st, 20, inc->sdk_code);
        sqlite3_bind_int(st, 21, inc->server_code);
        sqlite3_bind_text(st, 22, inc->rule_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 23, hb_cause_name(inc->cause), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 24, hb_severity_name(inc->severity), -1,
                          SQLITE_STATIC);
        sqlite3_bind_double(st, 25, inc->weight);
        sqlite3_bind_text(st, 26, inc->text.p, (int)inc->text.n, SQLITE_STATIC);
        sqlite3_bind_int64(st, 27, (int64_t)r);
        sqlite3_bind_text(st, 28, inc->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 29, hb_event_name(inc->event), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 30, inc->nhits);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto out;
        sqlite3_reset(st);
        if ((i + 1) % BATCH_ROWS == 0 &&
            sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL) != SQLITE_OK)
            goto out;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto out;
    sqlite3_finalize(st);
    st = NULL;
    sqlite3_close(db);
    db = NULL;
    *wall = now_s() - t0;
    *cpu = cpu_s() - c0;
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "tool_bench_store: reference: %s\n",
                db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_finalize(st);
    sqlite3_close(db);
    remove_db(dir);
    return rc;
}

int main(int argc, char **argv)
{
    long n = 200000, preload = 0, runs = 5, i;
    struct pooled *full;
    struct packed *pool;
    double *walls, *cpus, *raws, w, c, raw_cpu, rw;
    uint64_t seed = 7;
    int opt, reference = 1;

    while ((opt = getopt(argc, argv, "r:p:n")) != -1) {
        if (opt == 'n')
            reference = 0; /* for profiling the store alone */
        else if (opt == 'r')
            runs = strtol(optarg, NULL, 10);
        else if (opt == 'p')
            preload = strtol(optarg, NULL, 10);
        else
            runs = 0;
    }
    if (optind < argc)
        n = strtol(argv[optind], NULL, 10);
    if (n <= 0 || runs <= 0 || preload < 0 || optind + 1 < argc) {
        fprintf(stderr,
                "usage: tool_bench_store [-n] [-r RUNS] [-p PRELOAD] [N]\n");
        return 2;
    }
    full = hb_xcalloc(POOL, sizeof *full);
    pool = hb_xcalloc(POOL, sizeof *pool);
    for (i = 0; i < POOL; i++) {
        build(&full[i], &seed);
        pack(&pool[i], &full[i]);
    }
    describe(full);
    free(full);
    walls = hb_xcalloc((size_t)runs, sizeof *walls);
    cpus = hb_xcalloc((size_t)runs, sizeof *cpus);
    raws = hb_xcalloc((size_t)runs, sizeof *raws);
    /* the store and the reference take turns */
    for (i = 0; i < runs; i++) {
        if (run(pool, n, preload, &walls[i], &cpus[i]) != 0)
            return 5;
        raws[i] = walls[i];
        if (reference && run_raw(pool, n, &raws[i], &raw_cpu) != 0)
            return 5;
        printf("run %ld: %.0f incidents/s (%.0f per cpu second); reference "
               "%.0f rows/s\n",
               i + 1, (double)n / walls[i], (double)n / cpus[i],
               (double)n / raws[i]);
    }
    qsort(walls, (size_t)runs, sizeof *walls, cmp_double);
    qsort(cpus, (size_t)runs, sizeof *cpus, cmp_double);
    qsort(raws, (size_t)runs, sizeof *raws, cmp_double);
    w = walls[runs / 2];
    c = cpus[runs / 2];
    rw = raws[runs / 2];
    printf("store: %ld incidents%s, median of %ld runs: %.2f s (cpu %.2f s): "
           "%.0f incidents/s (%.0f per cpu second); plain SQLite rows: %.0f/s; "
           "store/plain %.2fx\n",
           n, preload ? " into a filled database" : "", runs, w, c,
           (double)n / w, (double)n / c, (double)n / rw, rw / w);
    free(walls);
    free(cpus);
    free(raws);
    for (i = 0; i < POOL; i++)
        free(pool[i].blob);
    free(pool);
    return 0;
}
