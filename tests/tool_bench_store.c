/*
 * tool_bench_store.c - measures bulk inserts into the incident store:
 * N synthetic incidents (one rule hit each, ~300 bytes of text) into a
 * fresh database in a temporary directory, a checkpoint every 10000.
 * Prints "store: N incidents in S s (cpu C s): R incidents/s (P per cpu
 * second)". Used by `make bench`.
 *
 *   tool_bench_store [N]     (default 200000)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "rules.h"
#include "store.h"
#include "util.h"

#define BATCH 10000

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

int main(int argc, char **argv)
{
    static const struct hb_rule_meta rule = {.id = "port-grpc-8080",
                                             .cause = HB_CAUSE_PORT,
                                             .severity = HB_SEV_CRITICAL,
                                             .weight = 0.9};
    static const char text[] =
        "2024-03-13 20:16:04.123 ERROR 1 --- [polaris-heartbeat] "
        "c.t.c.p.PolarisRegistration : heartbeat failed\n"
        "com.tencent.polaris.api.exception.PolarisException: "
        "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is "
        "not open\n\tat com.tencent.polaris.plugins.connector.grpc."
        "GrpcConnector.heartbeat(GrpcConnector.java:512)";
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000, i;
    char dir[] = "/tmp/hbscan-bench-XXXXXX", path[64];
    struct hb_store *s;
    struct hb_source_id sid = {.path = "bench.log",
                               .dev = 1,
                               .ino = 2,
                               .first_hash = 3,
                               .size = 1u << 30};
    struct hb_source_state st;
    struct hb_incident *inc = hb_xcalloc(1, sizeof *inc);
    struct hb_diag d;
    double t0, dt, c0, dc;

    if (n <= 0 || mkdtemp(dir) == NULL) {
        fprintf(stderr, "usage: tool_bench_store [N]\n");
        return 2;
    }
    snprintf(path, sizeof path, "%s/bench.db", dir);
    if (hb_store_open(&s, path, HB_STORE_RW, 0, &d) != HB_OK ||
        hb_store_run_begin(s, "bench", &d) != HB_OK ||
        hb_store_source_begin(s, &sid, false, &st, &d) != HB_OK) {
        hb_diag_print(&d, stderr);
        return 5;
    }
    inc->source = "bench.log";
    inc->hits[0].rule = &rule;
    inc->nhits = 1;
    inc->rule_id = rule.id;
    inc->cause = rule.cause;
    inc->severity = rule.severity;
    inc->weight = rule.weight;
    inc->port = 8080;
    inc->sdk_code = 1006;
    inc->server_code = 400401;
    inc->event = HB_EV_HEARTBEAT_FAIL;
    inc->text.p = text;
    inc->text.n = sizeof text - 1;
    inc->ncodes = 2;
    strcpy(inc->codes[0].key, "ERR-1006");
    strcpy(inc->codes[1].key, "400401");
    strcpy(inc->level, "ERROR");
    strcpy(inc->sdk_name, "SERVER_USER_ERROR");
    strcpy(inc->message, "heartbeat failed");
    strcpy(inc->exc_class,
           "com.tencent.polaris.api.exception.PolarisException");
    strcpy(inc->evidence, "ERR-1006(SERVER_USER_ERROR): server error 400401");

    t0 = now_s();
    c0 = cpu_s();
    for (i = 0; i < n; i++) {
        inc->first_line = inc->last_line = inc->evidence_line =
            (uint64_t)i * 3 + 1;
        inc->ts_ms = 1710360964000 + i * 10;
        snprintf(inc->service, sizeof inc->service, "svc-%ld", i % 50);
        snprintf(inc->host, sizeof inc->host, "10.0.%ld.%ld", i % 7, i % 200);
        snprintf(inc->fingerprint, sizeof inc->fingerprint, "%016" PRIx64,
                 hb_hash64(inc->service, strlen(inc->service), HB_HASH_SEED));
        if (hb_store_put_incident(s, st.id, inc, &d) != HB_OK ||
            ((i + 1) % BATCH == 0 &&
             hb_store_checkpoint(s, st.id, (uint64_t)i * 300, (uint64_t)i * 3,
                                 "spring-boot", &d) != HB_OK)) {
            hb_diag_print(&d, stderr);
            return 5;
        }
    }
    if (hb_store_checkpoint(s, st.id, (uint64_t)n * 300, (uint64_t)n * 3,
                            "spring-boot", &d) != HB_OK) {
        hb_diag_print(&d, stderr);
        return 5;
    }
    dt = now_s() - t0;
    dc = cpu_s() - c0;
    hb_store_close(s);
    printf("store: %ld incidents in %.2f s (cpu %.2f s): %.0f incidents/s "
           "(%.0f per cpu second)\n",
           n, dt, dc, dt > 0 ? (double)n / dt : 0.0,
           dc > 0 ? (double)n / dc : 0.0);
    snprintf(path, sizeof path, "%s/bench.db", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/bench.db-wal", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/bench.db-shm", dir);
    unlink(path);
    rmdir(dir);
    free(inc);
    return 0;
}
