/*
 * test_format.c - header line detection and field splitting for every
 * format: the example lines of polaris-facts.md §5.1, §5.2 and §3.7, lines
 * from shared/real-cases, prefixes and collector stamps, and lines that
 * must never start a record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "format.h"
#include "timeparse.h"

struct fcase {
    const char *line;
    const char *fmt; /* expected format name */
    const char *ts;
    int64_t ms;
    const char *level;
    long pid;
    const char *thread;
    const char *logger;
    const char *app;
    const char *msg;
};

#define NOPID (-1L)
#define HOUR  3600000LL

/* All expected times are for hb_time_set_zone("UTC"). */
static const struct fcase header_cases[] = {
    /* §5.1 Spring Boot 2.x, console thread padding */
    {"2024-03-13 20:16:04.123  INFO 12345 --- [           main] "
     "c.t.c.p.registry.PolarisServiceRegistry  : polaris registry, default "
     "demo-svc 10.0.0.5:8080 {} register finished",
     "springboot", "2024-03-13 20:16:04.123", 1710360964123LL, "INFO", 12345,
     "main", "c.t.c.p.registry.PolarisServiceRegistry", "",
     "polaris registry, default demo-svc 10.0.0.5:8080 {} register finished"},
    /* §5.1 Boot 3.0/3.1 ISO with offset */
    {"2024-03-13T20:16:04.123+08:00 ERROR 12345 --- [           main] "
     "c.t.c.p.registry.PolarisServiceRegistry  : polaris registry, demo-svc "
     "register failed...PolarisRegistration{…},",
     "springboot", "2024-03-13T20:16:04.123+08:00", 1710332164123LL, "ERROR",
     12345, "main", "c.t.c.p.registry.PolarisServiceRegistry", "",
     "polaris registry, demo-svc register failed...PolarisRegistration{…},"},
    /* §5.1 Boot 3.2+: [app] then thread then the 49-space correlation */
    {"2024-03-13T20:16:04.123+08:00  WARN 12345 --- [demo-svc] [           "
     "main] [                                                 ] "
     "c.t.c.p.registry.PolarisServiceRegistry  : No service to register for "
     "polaris client...",
     "springboot", "2024-03-13T20:16:04.123+08:00", 1710332164123LL, "WARN",
     12345, "main", "c.t.c.p.registry.PolarisServiceRegistry", "demo-svc",
     "No service to register for polaris client..."},
    /* Boot 3.4+: [app] [group] [thread] [traceId-spanId], UTC 'Z' */
    {"2024-03-13T20:16:04.123Z  INFO 7 --- [demo-svc] [payments] "
     "[nio-8080-exec-1] [0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331] "
     "c.t.c.p.r.PolarisServiceRegistry  : De-registration finished.",
     "springboot", "2024-03-13T20:16:04.123Z", 1710360964123LL, "INFO", 7,
     "nio-8080-exec-1", "c.t.c.p.r.PolarisServiceRegistry", "demo-svc",
     "De-registration finished."},
    /* Boot 3.2 file variant: [app] [thread], no tracing */
    {"2024-03-13T20:16:04.123+08:00  INFO 7 --- [demo-svc] "
     "[polaris-heartbeat-1] c.t.c.p.r.PolarisServiceRegistry : Polaris "
     "heartbeat is sent",
     "springboot", "2024-03-13T20:16:04.123+08:00", 1710332164123LL, "INFO", 7,
     "polaris-heartbeat-1", "c.t.c.p.r.PolarisServiceRegistry", "demo-svc",
     "Polaris heartbeat is sent"},
    /* Boot 3.x without a PID (${PID:-}) */
    {"2024-03-13T20:16:04.123+08:00 DEBUG --- [main] c.t.Foo : no pid",
     "springboot", "2024-03-13T20:16:04.123+08:00", 1710332164123LL, "DEBUG",
     NOPID, "main", "c.t.Foo", "", "no pid"},
    /* Sleuth: [app,traceId,spanId,export] after the level */
    {"2024-03-13 20:16:04.123  INFO [demo-svc,5e8d,5e8d,false] 12345 --- "
     "[main] c.t.Foo                                  : sleuth",
     "springboot", "2024-03-13 20:16:04.123", 1710360964123LL, "INFO", 12345,
     "main", "c.t.Foo", "demo-svc", "sleuth"},
    /* Log4j2 default (%-40.40c{1.}), a thread name with spaces */
    {"2024-03-13 20:16:04.123 FATAL 99 --- [RMI TCP Connection(2)-127.0.0.1] "
     "o.s.b.w.e.t.TomcatWebServer              : fatal one",
     "springboot", "2024-03-13 20:16:04.123", 1710360964123LL, "FATAL", 99,
     "RMI TCP Connection(2)-127.0.0.1", "o.s.b.w.e.t.TomcatWebServer", "",
     "fatal one"},
    /* a logger with brackets in it (Tomcat) */
    {"2024-03-13T20:16:04.123+08:00  INFO 1 --- [nio-8080-exec-1] "
     "o.a.c.c.C.[Tomcat].[localhost].[/]       : Initializing Spring "
     "DispatcherServlet 'dispatcherServlet'",
     "springboot", "2024-03-13T20:16:04.123+08:00", 1710332164123LL, "INFO", 1,
     "nio-8080-exec-1", "o.a.c.c.C.[Tomcat].[localhost].[/]", "",
     "Initializing Spring DispatcherServlet 'dispatcherServlet'"},
    /* the shape unwrap.c writes for JSON records */
    {"2024-06-25T11:17:47.123Z ERROR 0 --- [] naming : fail {\"a\": 1}",
     "springboot", "2024-06-25T11:17:47.123Z", 1719314267123LL, "ERROR", 0, "",
     "naming", "", "fail {\"a\": 1}"},
    {"2024-07-30T08:41:10.561Z  WARN 67455 --- [demo] [main] org.example.App "
     ": Started",
     "springboot", "2024-07-30T08:41:10.561Z", 1722328870561LL, "WARN", 67455,
     "main", "org.example.App", "demo", "Started"},
    {"2024-07-30T08:41:10.561Z  INFO 0 --- [main] : no logger", "springboot",
     "2024-07-30T08:41:10.561Z", 1722328870561LL, "INFO", 0, "main", "", "",
     "no logger"},
    /* real-cases/003 */
    {"2022-06-14 20:59:55.744 ERROR 1636 --- [oud-heartbeat-1] "
     "c.t.c.p.registry.PolarisServiceRegistry  : polaris "
     "heartbeat[SERVER_USER_ERROR]",
     "springboot", "2022-06-14 20:59:55.744", 1655240395744LL, "ERROR", 1636,
     "oud-heartbeat-1", "c.t.c.p.registry.PolarisServiceRegistry", "",
     "polaris heartbeat[SERVER_USER_ERROR]"},
    /* real-cases/024 */
    {"2023-09-11T16:13:20.857+08:00 ERROR 1 --- [or-http-epoll-4] "
     "c.t.c.p.r.f.QuotaCheckReactiveFilter     : fail to invoke getQuota, "
     "service is irked-gateway",
     "springboot", "2023-09-11T16:13:20.857+08:00", 1694420000857LL, "ERROR", 1,
     "or-http-epoll-4", "c.t.c.p.r.f.QuotaCheckReactiveFilter", "",
     "fail to invoke getQuota, service is irked-gateway"},
    /* real-cases/030: a 40-char logger and an empty message */
    {"2023-06-06 17:00:31.613  WARN 97953 --- [           main] "
     "ConfigServletWebServerApplicationContext : Exception encountered "
     "during context initialization - cancelling refresh attempt",
     "springboot", "2023-06-06 17:00:31.613", 1686070831613LL, "WARN", 97953,
     "main", "ConfigServletWebServerApplicationContext", "",
     "Exception encountered during context initialization - cancelling "
     "refresh attempt"},
    {"2023-06-06 17:00:31.626  INFO 97953 --- [           main] "
     "ConditionEvaluationReportLoggingListener : ",
     "springboot", "2023-06-06 17:00:31.626", 1686070831626LL, "INFO", 97953,
     "main", "ConditionEvaluationReportLoggingListener", "", ""},
    /* console output with ANSI colours (spring.output.ansi.enabled) */
    {"\033[2m2024-03-13 20:16:04.123\033[0;39m \033[32m INFO\033[0;39m "
     "\033[35m12345\033[0;39m \033[2m---\033[0;39m \033[2m[           "
     "main]\033[0;39m \033[36mc.t.c.p.registry.PolarisServiceRegistry "
     "\033[0;39m \033[2m:\033[0;39m colored",
     "springboot", "2024-03-13 20:16:04.123", 1710360964123LL, "INFO", 12345,
     "main", "c.t.c.p.registry.PolarisServiceRegistry", "", "colored"},

    /* §3.7 polaris.log */
    {"2024-05-10 10:20:30.123 WARN "
     "[polaris-async-register-1:c.t.p.p.c.g.GrpcConnector] heartbeat fail, "
     "req: CommonProviderRequest{…}, msg: ERR-1006(SERVER_USER_ERROR): "
     "server error 400401: client api is not open",
     "polaris-sdk", "2024-05-10 10:20:30.123", 1715336430123LL, "WARN", NOPID,
     "polaris-async-register-1", "c.t.p.p.c.g.GrpcConnector", "",
     "heartbeat fail, req: CommonProviderRequest{…}, msg: "
     "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not "
     "open"},
    /* %-5t pads short thread names; log4j2 %c{2} keeps two segments */
    {"2024-05-10 10:20:30.123 INFO [main :grpc.GrpcConnector] connection "
     "ConnID{id='1', clusterType=SERVICE_DISCOVER_CLUSTER} created",
     "polaris-sdk", "2024-05-10 10:20:30.123", 1715336430123LL, "INFO", NOPID,
     "main", "grpc.GrpcConnector", "",
     "connection ConnID{id='1', clusterType=SERVICE_DISCOVER_CLUSTER} "
     "created"},
    /* a thread name holding ':' splits at the last ':' */
    {"2024-05-10 10:20:30.123 ERROR [grpc:pool:3:c.t.p.p.c.g.GrpcConnector] "
     "[ServerConnector]exceptionCallback: errCode 1",
     "polaris-sdk", "2024-05-10 10:20:30.123", 1715336430123LL, "ERROR", NOPID,
     "grpc:pool:3", "c.t.p.p.c.g.GrpcConnector", "",
     "[ServerConnector]exceptionCallback: errCode 1"},

    /* §3.7 heartbeat file: message first */
    {"[AsyncHeartbeat]Instance heartbeat success. Reset fail count. "
     "namespace:default, service:svc, host:10.0.0.5, port:8080|2025-05-10 "
     "10:20:30.123",
     "polaris-heartbeat", "2025-05-10 10:20:30.123", 1746872430123LL, "INFO",
     NOPID, "", "", "",
     "[AsyncHeartbeat]Instance heartbeat success. Reset fail count. "
     "namespace:default, service:svc, host:10.0.0.5, port:8080"},
    {"[AsyncHeartbeat]Instance heartbeat failed not because of "
     "NOT_FOUND_RESOURCE. Reset fail count. namespace:default, service:svc, "
     "host:10.0.0.5, port:8080, heartbeat fail count:1|2025-05-10 "
     "10:20:30.123",
     "polaris-heartbeat", "2025-05-10 10:20:30.123", 1746872430123LL, "ERROR",
     NOPID, "", "", "",
     "[AsyncHeartbeat]Instance heartbeat failed not because of "
     "NOT_FOUND_RESOURCE. Reset fail count. namespace:default, service:svc, "
     "host:10.0.0.5, port:8080, heartbeat fail count:1"},
    /* lossless-event file: no level in the pattern */
    {"lossless online, service:svc|2025-05-10 10:20:30.123",
     "polaris-heartbeat", "2025-05-10 10:20:30.123", 1746872430123LL, "", NOPID,
     "", "", "", "lossless online, service:svc"},

    /* §5.2 zap: time level scope caller msg {json}; 'Z' is local time */
    {"2025-06-25T11:17:47.123456Z\tinfo\tnaming\tservice/instance.go:97\t"
     "create instance: id=6f1c…, namespace=default, service=demo-svc, "
     "host=10.0.0.5, port=8080\t{\"request-id\": \"1000123\", \"cost\": "
     "\"2.1ms\"}",
     "polaris-server", "2025-06-25T11:17:47.123456Z", 1750850267123LL, "INFO",
     NOPID, "", "naming", "",
     "create instance: id=6f1c…, namespace=default, service=demo-svc, "
     "host=10.0.0.5, port=8080\t{\"request-id\": \"1000123\", \"cost\": "
     "\"2.1ms\"}"},
    {"2025-06-25T11:17:48.000001Z\terror\tapiserver\tgrpcserver/base.go:330\t"
     "[API-Server][GRPC] send response\t{\"client-address\": "
     "\"10.0.0.5:53422\", \"user-agent\": \"polaris-java/2.0.0.0\", "
     "\"request-id\": \"1000124\", \"method\": "
     "\"/v1.PolarisGRPC/RegisterInstance\", \"response\": "
     "\"code:{value:400401} info:{value:\\\"client api is not open\\\"}\"}",
     "polaris-server", "2025-06-25T11:17:48.000001Z", 1750850268000LL, "ERROR",
     NOPID, "", "apiserver", "",
     "[API-Server][GRPC] send response\t{\"client-address\": "
     "\"10.0.0.5:53422\", \"user-agent\": \"polaris-java/2.0.0.0\", "
     "\"request-id\": \"1000124\", \"method\": "
     "\"/v1.PolarisGRPC/RegisterInstance\", \"response\": "
     "\"code:{value:400401} info:{value:\\\"client api is not open\\\"}\"}"},
    /* default scope (omitted), caller kept */
    {"2025-06-25T11:17:48.000001Z\twarn\tconfig/server.go:12\tstore slow",
     "polaris-server", "2025-06-25T11:17:48.000001Z", 1750850268000LL, "WARN",
     NOPID, "", "", "", "store slow"},
    /* disableLogCaller: scope then message */
    {"2025-06-25T11:17:48.000001Z\tinfo\tnaming\t[APIServer] client open "
     "method info\t{\"openMethod\": \"x\"}",
     "polaris-server", "2025-06-25T11:17:48.000001Z", 1750850268000LL, "INFO",
     NOPID, "", "naming", "",
     "[APIServer] client open method info\t{\"openMethod\": \"x\"}"},
    /* neither scope nor caller: a lone word then the fields is the msg */
    {"2025-06-25T11:17:48.000001Z\tdpanic\tstarted\t{\"a\": 1}",
     "polaris-server", "2025-06-25T11:17:48.000001Z", 1750850268000LL, "ERROR",
     NOPID, "", "", "", "started\t{\"a\": 1}"},
    /* real-cases/011: polaris-go, TABs expanded to spaces */
    {"2025-03-10 12:23:13.437619Z     error   network common/discover.go:482  "
     "D3C90F4C-07A5-4A8D-915C-BF45C02DE61E, receiveAndNotify: fail to "
     "receive message from connection {ID: 3658616006, Address: "
     "polaris.xxx.com:8091}",
     "polaris-server", "2025-03-10 12:23:13.437619Z", 1741609393437LL, "ERROR",
     NOPID, "", "network", "",
     "D3C90F4C-07A5-4A8D-915C-BF45C02DE61E, receiveAndNotify: fail to "
     "receive message from connection {ID: 3658616006, Address: "
     "polaris.xxx.com:8091}"},
    /* real-cases/020: the first line lost its time */
    {"error\thealthcheck\tleader/checker_leader.go:220\t[HealthCheck][Leader]"
     " follower run serve, do retry\t{\"error\": \"context deadline "
     "exceeded\"}",
     "polaris-server", "", HB_NO_TIME, "ERROR", NOPID, "", "healthcheck", "",
     "[HealthCheck][Leader] follower run serve, do retry\t{\"error\": "
     "\"context deadline exceeded\"}"},
    {"2024-11-08T21:35:57.308043Z\terror\thealthcheck\thealthcheck/"
     "report.go:103\t[Heartbeat][Server] fail to do report for "
     "192.168.1.16:9000, id is 8ba71ca9ca4555bde32320a17199ce323074316c, err "
     "is leader checker uninitialize",
     "polaris-server", "2024-11-08T21:35:57.308043Z", 1731101757308LL, "ERROR",
     NOPID, "", "healthcheck", "",
     "[Heartbeat][Server] fail to do report for 192.168.1.16:9000, id is "
     "8ba71ca9ca4555bde32320a17199ce323074316c, err is leader checker "
     "uninitialize"},

    /* logback custom layouts */
    {"2024-01-01 10:00:00.123 [main] INFO  c.t.c.p.PolarisContext - hello - "
     "world",
     "logback", "2024-01-01 10:00:00.123", 1704103200123LL, "INFO", NOPID,
     "main", "c.t.c.p.PolarisContext", "", "hello - world"},
    {"2024-01-01 10:00:00,123 WARN [http-nio-8080-exec-1] c.t.Foo:42 - "
     "slow",
     "logback", "2024-01-01 10:00:00,123", 1704103200123LL, "WARN", NOPID,
     "http-nio-8080-exec-1", "c.t.Foo", "", "slow"},
    {"2024-01-01 10:00:00.123 [main] [ERROR] com.example.App - bracketed "
     "level",
     "logback", "2024-01-01 10:00:00.123", 1704103200123LL, "ERROR", NOPID,
     "main", "com.example.App", "", "bracketed level"},
    {"2024-01-01 10:00:00.123 [0af7651916cd43dd8448eb211c80319c] [main] "
     "warning com.example.App: colon separated",
     "logback", "2024-01-01 10:00:00.123", 1704103200123LL, "WARN", NOPID,
     "main", "com.example.App", "", "colon separated"},
    {"2024-01-01 10:00:00.123 INFO 4242 [main] com.example.App - with pid",
     "logback", "2024-01-01 10:00:00.123", 1704103200123LL, "INFO", 4242,
     "main", "com.example.App", "", "with pid"},

    /* Logback's default %d{HH:mm:ss.SSS}: no date, so no epoch time */
    {"20:16:04.123 [main] INFO  c.t.c.p.PolarisContext - clock only", "logback",
     "20:16:04.123", HB_NO_TIME, "INFO", NOPID, "main",
     "c.t.c.p.PolarisContext", "", "clock only"},
    {"20:16:04.123  WARN 1 --- [main] c.t.Foo : boot dateformat", "springboot",
     "20:16:04.123", HB_NO_TIME, "WARN", 1, "main", "c.t.Foo", "",
     "boot dateformat"},

    /* prefixes before the stamp */
    {"[demo-svc:10.0.0.5:8080] 2023-01-01 10:00:00.123  INFO 1 --- [main] "
     "c.t.Foo : tagged",
     "springboot", "2023-01-01 10:00:00.123", 1672567200123LL, "INFO", 1,
     "main", "c.t.Foo", "demo-svc", "tagged"},
    {"node-7.example.com 2023-01-01 10:00:00.123  INFO 1 --- [main] c.t.Foo "
     ": hosted",
     "springboot", "2023-01-01 10:00:00.123", 1672567200123LL, "INFO", 1,
     "main", "c.t.Foo", "node-7.example.com", "hosted"},
    {"demo-svc-5d8f7c-x2x9z | 2023-01-01 10:00:00.123 WARN "
     "[main:c.t.p.Foo] piped",
     "polaris-sdk", "2023-01-01 10:00:00.123", 1672567200123LL, "WARN", NOPID,
     "main", "c.t.p.Foo", "demo-svc-5d8f7c-x2x9z", "piped"},
    /* a collector's stamp then the application's: the inner one wins */
    {"2024-01-01T00:00:00.123Z 2024-01-01 08:00:00.123  INFO 1 --- [main] "
     "c.t.Foo : doubled",
     "springboot", "2024-01-01 08:00:00.123", 1704096000123LL, "INFO", 1,
     "main", "c.t.Foo", "", "doubled"},
    {"[2024-01-01 10:00:00.123] [main] INFO c.t.Foo - bracketed stamp",
     "logback", "2024-01-01 10:00:00.123", 1704103200123LL, "INFO", NOPID,
     "main", "c.t.Foo", "", "bracketed stamp"},

    /* generic: a stamp, maybe a level */
    {"2024-01-01 10:00:00 something happened", "generic", "2024-01-01 10:00:00",
     1704103200000LL, "", NOPID, "", "", "", "something happened"},
    {"2024-01-01 10:00:00.123 | ERROR | [worker-1] oops", "generic",
     "2024-01-01 10:00:00.123", 1704103200123LL, "ERROR", NOPID, "worker-1", "",
     "", "oops"},
    {"2024-01-01T10:00:00.123Z severe: disk full", "generic",
     "2024-01-01T10:00:00.123Z", 1704103200123LL, "ERROR", NOPID, "", "", "",
     "disk full"},
};

/* Continuation and unknown lines: never a header. */
static const char *const reject_cases[] = {
    "",
    "\tat com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse("
    "GrpcUtil.java:218) ~[connector-polaris-grpc-2.0.0.0.jar:na]",
    "        at com.tencent.polaris.plugins.connector.grpc.GrpcUtil."
    "checkResponse(GrpcUtil.java:141) ~[connector-polaris-grpc-1.6.0.jar!/"
    ":na]",
    "at java.base/java.lang.Thread.run(Thread.java:833)",
    "Caused by: io.grpc.StatusRuntimeException: UNAVAILABLE: io exception",
    "Suppressed: java.lang.IllegalStateException: x",
    "    ... 12 more",
    "\t... 12 more",
    "java.lang.IllegalStateException: x",
    "com.tencent.polaris.api.exception.PolarisException: "
    "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not "
    "open",
    " ERR-1006(SERVER_USER_ERROR), server error 400202: not found resource",
    "[polaris-inmemory-2] fail to persist service ServiceEventKey{"
    "serviceKey=ServiceKey{namespace='xxx', service='xxx'}, "
    "eventType=INSTANCE} after retry 2",
    "***************************",
    "APPLICATION FAILED TO START",
    "Description:",
    "Error starting ApplicationContext. To display the conditions report "
    "re-run your application with 'debug' enabled.",
    "Description: 2024-01-01 10:00:00 a date inside text",
    "2024-01-01",
    "12:00:00.123 no level here",
    "12:00:00.123\tinfo\tnaming\tservice/instance.go:97\tzap needs a date",
    "99:00:00.123 INFO [main] c.t.Foo - not a clock",
    "2024-01-01 10:00:00x glued",
    "info\tnot a zap line without a caller",
    "error something went wrong",
    "   ",
    "no bar before 2025-05-10 10:20:30.123",
    "message|2025-05-10 10:20:30.123 trailing",
};

static void assert_slice(const char *what, const char *line, struct hb_str got,
                         const char *want)
{
    size_t n = strlen(want);

    if (got.n != n || (n && memcmp(got.p, want, n) != 0))
        fail_msg("%s of \"%.60s...\": got \"%.*s\", want \"%s\"", what, line,
                 (int)got.n, got.p ? got.p : "", want);
}

static void check_header(const struct fcase *c, const struct hb_format *f,
                         const struct hb_header *h)
{
    if (f == NULL)
        fail_msg("not a header: \"%s\"", c->line);
    if (strcmp(f->name, c->fmt) != 0)
        fail_msg("\"%.60s\": format %s, want %s", c->line, f->name, c->fmt);
    assert_slice("ts", c->line, h->ts, c->ts);
    if (h->ts_ms != c->ms)
        fail_msg("\"%.60s\": ms %lld, want %lld", c->line, (long long)h->ts_ms,
                 (long long)c->ms);
    assert_string_equal(h->level, c->level);
    assert_int_equal(h->pid, c->pid);
    assert_slice("thread", c->line, h->thread, c->thread);
    assert_slice("logger", c->line, h->logger, c->logger);
    assert_slice("app", c->line, h->app, c->app);
    assert_slice("message", c->line, h->message, c->msg);
}

static int setup_utc(void **state)
{
    (void)state;
    return hb_time_set_zone("UTC") == HB_OK ? 0 : -1;
}

static void test_format_headers(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(header_cases); i++) {
        const struct fcase *c = &header_cases[i];
        struct hb_header h;
        const struct hb_format *f;

        f = hb_format_parse(NULL, false, c->line, strlen(c->line), &h);
        check_header(c, f, &h);
    }
}

/* The format's own entry, forced (--input-format), gives the same fields. */
static void test_format_forced_entry_agrees(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(header_cases); i++) {
        const struct fcase *c = &header_cases[i];
        const struct hb_format *want = hb_format_find(c->fmt);
        struct hb_header h;

        assert_non_null(want);
        assert_true(want->parse(c->line, strlen(c->line), &h));
        check_header(c, want, &h);
        assert_ptr_equal(
            hb_format_parse(want, true, c->line, strlen(c->line), &h), want);
        check_header(c, want, &h);
    }
}

static void test_format_rejects_non_headers(void **state)
{
    size_t i, k, n;
    const struct hb_format *tab = hb_format_table(&n);

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(reject_cases); i++) {
        const char *l = reject_cases[i];
        struct hb_header h;
        const struct hb_format *f;

        f = hb_format_parse(NULL, false, l, strlen(l), &h);
        if (f != NULL)
            fail_msg("\"%s\" taken as %s", l, f->name);
        assert_int_equal(h.ts_ms, HB_NO_TIME);
        assert_int_equal(h.pid, -1);
        assert_null(h.message.p);
        for (k = 0; k < n; k++)
            if (tab[k].parse(l, strlen(l), &h))
                fail_msg("\"%s\" taken by %s's own parser", l, tab[k].name);
    }
}

static void test_format_zap_z_is_local(void **state)
{
    static const char line[] =
        "2025-06-25T11:17:47.123456Z\tinfo\tnaming\tservice/instance.go:97\tx";
    static const char boot[] =
        "2025-06-25T11:17:47.123Z  INFO 1 --- [main] c.t.Foo : utc";
    struct hb_header h;

    (void)state;
    assert_int_equal(hb_time_set_zone("+08:00"), HB_OK);
    assert_non_null(hb_format_parse(NULL, false, line, strlen(line), &h));
    assert_int_equal(h.ts_ms, 1750850267123LL - 8 * HOUR);
    /* everywhere else 'Z' is UTC */
    assert_non_null(hb_format_parse(NULL, false, boot, strlen(boot), &h));
    assert_int_equal(h.ts_ms, 1750850267123LL);
    assert_int_equal(hb_time_set_zone("UTC"), HB_OK);
}

static void test_format_hints(void **state)
{
    static const char boot[] =
        "2024-03-13 20:16:04.123  INFO 1 --- [main] c.t.Foo : boot";
    static const char sdk[] =
        "2024-05-10 10:20:30.123 WARN [main:c.t.p.Foo] Node - chosen";
    const struct hb_format *generic = hb_format_find("generic");
    const struct hb_format *logback = hb_format_find("logback");
    const struct hb_format *sb = hb_format_find("springboot");
    struct hb_header h;

    (void)state;
    assert_non_null(generic);
    /* the catch-all hint does not shadow a precise format */
    assert_ptr_equal(hb_format_parse(generic, false, boot, strlen(boot), &h),
                     sb);
    assert_string_equal(h.logger.p ? "ok" : "", "ok");
    /* a logback hint does not steal polaris.log lines */
    assert_string_equal(
        hb_format_parse(logback, false, sdk, strlen(sdk), &h)->name,
        "polaris-sdk");
    /* only_hint: nothing else is tried */
    assert_null(hb_format_parse(sb, true, sdk, strlen(sdk), &h));
    assert_int_equal(h.ts_ms, HB_NO_TIME);
    assert_ptr_equal(hb_format_parse(generic, true, boot, strlen(boot), &h),
                     generic);
    assert_ptr_equal(hb_format_parse(NULL, true, boot, strlen(boot), &h), sb);
}

static bool always_parse(const char *line, size_t len, struct hb_header *h)
{
    memset(h, 0, sizeof *h);
    h->ts_ms = 7;
    h->pid = -1;
    h->message = (struct hb_str){line, len};
    return len > 0 && line[0] == '!';
}

static void test_format_foreign_hint(void **state)
{
    static const struct hb_format mine = {"mine", "test", always_parse};
    struct hb_header h;

    (void)state;
    assert_ptr_equal(hb_format_parse(&mine, true, "!x", 2, &h), &mine);
    assert_int_equal(h.ts_ms, 7);
    assert_null(hb_format_parse(&mine, true, "x", 1, &h));
    assert_null(hb_format_parse(&mine, false, "x", 1, &h));
}

static void test_format_table_and_find(void **state)
{
    static const char *const order[] = {
        "springboot",     "polaris-sdk",       "logback",
        "polaris-server", "polaris-heartbeat", "generic",
    };
    size_t n, i;
    const struct hb_format *t = hb_format_table(&n);

    (void)state;
    assert_int_equal(n, HB_ARRAY_LEN(order));
    for (i = 0; i < n; i++) {
        assert_string_equal(t[i].name, order[i]);
        assert_non_null(t[i].description);
        assert_true(strlen(t[i].description) > 10);
        assert_ptr_equal(hb_format_find(order[i]), &t[i]);
    }
    assert_null(hb_format_find("nope"));
    assert_null(hb_format_find(NULL));
    assert_null(hb_format_find("Springboot"));
}

static void test_format_level_words(void **state)
{
    static const struct {
        const char *in;
        const char *want; /* NULL: not a level */
    } cases[] = {
        {"INFO", "INFO"},    {"info", "INFO"},   {"Warn", "WARN"},
        {"WARNING", "WARN"}, {"error", "ERROR"}, {"SEVERE", "ERROR"},
        {"FATAL", "FATAL"},  {"panic", "FATAL"}, {"dpanic", "ERROR"},
        {"TRACE", "TRACE"},  {"DEBUG", "DEBUG"}, {"CRITICAL", "FATAL"},
        {"FINEST", "TRACE"}, {"INF", NULL},      {"INFOS", NULL},
        {"WARNINGS", NULL},  {"", NULL},         {"ERRORERROR", NULL},
        {"---", NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        char out[6] = "x";
        bool ok = hb_format_level(cases[i].in, strlen(cases[i].in), out);

        if (cases[i].want == NULL) {
            assert_false(ok);
            assert_string_equal(out, "x");
        } else {
            assert_true(ok);
            assert_string_equal(out, cases[i].want);
        }
    }
}

/* A 1 MiB line: the header is found, the message runs to the end, and a
 * long non-header line is rejected. */
static void test_format_long_lines(void **state)
{
    static const char head[] =
        "2024-03-13 20:16:04.123  INFO 1 --- [main] c.t.Foo : ";
    size_t n = 1024 * 1024, hl = strlen(head);
    char *buf = malloc(n + 1);
    struct hb_header h;

    (void)state;
    assert_non_null(buf);
    memset(buf, 'x', n);
    buf[n] = '\0';
    memcpy(buf, head, hl);
    assert_non_null(hb_format_parse(NULL, false, buf, n, &h));
    assert_int_equal(h.message.n, n - hl);
    memset(buf, 'x', hl);
    assert_null(hb_format_parse(NULL, false, buf, n, &h));
    /* a thread bracket that never closes */
    memcpy(buf, head, hl);
    memcpy(buf + 36, "[", 1);
    memset(buf + 37, 'y', n - 37);
    assert_null(
        hb_format_parse(hb_format_find("springboot"), true, buf, n, &h));
    free(buf);
}

/* Runs of spaces and tokens of every length around the 16-byte blocks the
 * skips read (Spring Boot pads the level and the logger name): the same
 * fields whatever the padding, and no read past the end (exact-size heap
 * copy under ASan). */
static void test_format_padding_any_length(void **state)
{
    static const char logger[] = "com.tencent.polaris.plugins.connector.grpc"
                                 ".GrpcConnector";
    const struct hb_format *springboot = hb_format_find("springboot");
    size_t pad, ln;

    (void)state;
    assert_non_null(springboot);
    for (pad = 1; pad <= 40; pad++) {
        for (ln = 1; ln <= sizeof logger - 1; ln += 3) {
            char text[256];
            char *line;
            struct hb_header h;
            int n = snprintf(text, sizeof text,
                             "2024-03-13 20:16:04.123%*sWARN 7 --- [main] "
                             "%.*s%*s: m",
                             (int)pad, "", (int)ln, logger, (int)pad, "");

            assert_true(n > 0 && (size_t)n < sizeof text);
            line = malloc((size_t)n);
            assert_non_null(line);
            memcpy(line, text, (size_t)n);
            assert_non_null(hb_format_parse(NULL, false, line, (size_t)n, &h));
            assert_string_equal(h.level, "WARN");
            assert_int_equal(h.logger.n, ln);
            assert_memory_equal(h.logger.p, logger, ln);
            assert_int_equal(h.message.n, 1);
            assert_int_equal(h.message.p[0], 'm');
            free(line);

            /* a colour escape ends the logger too; a TAB ends it where
               Spring Boot has no TAB, so the line is not its header */
            n = snprintf(text, sizeof text,
                         "2024-03-13 20:16:04.123 WARN 7 --- [main] "
                         "%.*s%s : m",
                         (int)ln, logger, pad % 2 ? "\x1b[0;39m" : "\t");
            assert_true(n > 0 && (size_t)n < sizeof text);
            line = malloc((size_t)n);
            assert_non_null(line);
            memcpy(line, text, (size_t)n);
            if (pad % 2) {
                assert_non_null(
                    hb_format_parse(springboot, true, line, (size_t)n, &h));
                assert_int_equal(h.logger.n, ln);
            } else {
                assert_null(
                    hb_format_parse(springboot, true, line, (size_t)n, &h));
            }
            free(line);
        }
    }
}

/* Random bytes and mangled headers: no crash, no read past the end (the
 * sanitizer build checks), and every result is a consistent header. */
static void test_format_garbage(void **state)
{
    static const char seed[] =
        "2024-03-13T20:16:04.123+08:00  WARN 1 --- [a] [b] [c] x.Y : m";
    uint32_t r = 12345;
    char buf[96];
    int i;
    size_t k, n;

    (void)state;
    for (i = 0; i < 20000; i++) {
        struct hb_header h;
        const struct hb_format *f;
        char *line;

        n = (size_t)(r % sizeof buf);
        for (k = 0; k < n; k++) {
            r = r * 1103515245u + 12345u;
            buf[k] = i % 2 ? (char)(r >> 16)
                           : (k < sizeof seed - 1 && (r >> 16) % 7
                                  ? seed[k]
                                  : " []:-|\t0Z\x1b"[(r >> 16) % 11]);
        }
        /* exact-size heap copy so ASan sees any overread */
        line = malloc(n ? n : 1);
        assert_non_null(line);
        memcpy(line, buf, n);
        f = hb_format_parse(NULL, false, line, n, &h);
        if (f) {
            assert_true(h.message.p >= line && h.message.p <= line + n);
            assert_true(h.message.p + h.message.n <= line + n);
            assert_true(h.ts.n == 0 ||
                        (h.ts.p >= line && h.ts.p + h.ts.n <= line + n));
            assert_true(
                h.thread.n == 0 ||
                (h.thread.p >= line && h.thread.p + h.thread.n <= line + n));
        }
        free(line);
        r = r * 1103515245u + 12345u;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_headers),
        cmocka_unit_test(test_format_forced_entry_agrees),
        cmocka_unit_test(test_format_rejects_non_headers),
        cmocka_unit_test(test_format_zap_z_is_local),
        cmocka_unit_test(test_format_hints),
        cmocka_unit_test(test_format_foreign_hint),
        cmocka_unit_test(test_format_table_and_find),
        cmocka_unit_test(test_format_level_words),
        cmocka_unit_test(test_format_long_lines),
        cmocka_unit_test(test_format_padding_any_length),
        cmocka_unit_test(test_format_garbage),
    };

    return cmocka_run_group_tests(tests, setup_utc, NULL);
}
