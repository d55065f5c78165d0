/*
 * test_extract.c - hb_extract over a table of records: the real cases of
 * shared/real-cases, every message format of polaris-facts.md §3-§4, and
 * near misses that must stay silent. Records are built by hand (text, head,
 * header fields) so the test does not depend on the record assembler.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "codes.h"
#include "extract.h"
#include "util.h"

#define KEEP (-2) /* fail_count: do not check */

struct xcase {
    const char *name;
    const char *source; /* display name of the input, NULL = "app.log" */
    const char *text;
    const char *level;  /* header level, NULL = plain record */
    const char *logger; /* header logger */
    const char *thread; /* header thread */
    int sdk_code;
    const char *sdk_name;
    int go_code;
    const char *go_name;
    int server_code;
    const char *info; /* server_info */
    const char *grpc;
    const char *grpc_desc; /* NULL = not checked */
    enum hb_event ev;
    const char *ns, *service, *host;
    int port;
    const char *addr;  /* server_addr */
    int fc;            /* expected fail_count; 0 means -1 (none) */
    const char *codes; /* space separated keys */
    const char *facts; /* "a:how=h:p v:key=ver" space separated; NULL = not
                          checked */
    bool polaris, failure;
};

/* Builds a record the way the assembler would present it. */
static void make_record(struct hb_record *rec, const struct xcase *c)
{
    const char *nl;

    memset(rec, 0, sizeof *rec);
    rec->source = c->source ? c->source : "app.log";
    rec->first_line = 1;
    rec->text.p = c->text;
    rec->text.n = strlen(c->text);
    nl = strchr(c->text, '\n');
    rec->head.p = c->text;
    rec->head.n = nl ? (size_t)(nl - c->text) : rec->text.n;
    rec->format = c->level ? "springboot" : "plain";
    rec->hdr.pid = -1;
    rec->hdr.ts_ms = HB_NO_TIME;
    if (c->level)
        hb_strlcpy(rec->hdr.level, c->level, strlen(c->level),
                   sizeof rec->hdr.level);
    if (c->logger) {
        rec->hdr.logger.p = c->logger;
        rec->hdr.logger.n = strlen(c->logger);
    }
    if (c->thread) {
        rec->hdr.thread.p = c->thread;
        rec->hdr.thread.n = strlen(c->thread);
    }
}

static void render_codes(const struct hb_polaris *p, char *out, size_t cap)
{
    int i;

    out[0] = '\0';
    for (i = 0; i < p->ncodes; i++) {
        if (i)
            strncat(out, " ", cap - strlen(out) - 1);
        strncat(out, p->codes[i].key, cap - strlen(out) - 1);
    }
}

static void render_facts(const struct hb_polaris *p, char *out, size_t cap)
{
    int i;

    out[0] = '\0';
    for (i = 0; i < p->nfacts; i++) {
        char one[200];

        snprintf(one, sizeof one, "%s%s:%s=%s", i ? " " : "",
                 p->facts[i].kind == HB_FACT_ADDRESS ? "a" : "v",
                 p->facts[i].key, p->facts[i].value);
        strncat(out, one, cap - strlen(out) - 1);
    }
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static int mismatches;

/* Compares; prints the case name and counts each mismatch, so one run
   shows every broken case. */
static void check_str(const char *cname, const char *what, const char *want,
                      const char *got)
{
    if (strcmp(or_empty(want), got) != 0) {
        print_error("case %s: %s: want \"%s\", got \"%s\"\n", cname, what,
                    or_empty(want), got);
        mismatches++;
    }
}

static void check_int(const char *cname, const char *what, long want, long got)
{
    if (want != got) {
        print_error("case %s: %s: want %ld, got %ld\n", cname, what, want, got);
        mismatches++;
    }
}

static void run_case(const struct xcase *c)
{
    struct hb_record rec;
    struct hb_polaris p;
    char buf[1024];

    make_record(&rec, c);
    hb_extract(&rec, &p);
    check_int(c->name, "polaris", c->polaris, p.polaris);
    check_int(c->name, "failure", c->failure, p.failure);
    check_int(c->name, "sdk_code", c->sdk_code, p.sdk_code);
    check_str(c->name, "sdk_name", c->sdk_name, p.sdk_name);
    check_int(c->name, "go_code", c->go_code, p.go_code);
    check_str(c->name, "go_name", c->go_name, p.go_name);
    check_int(c->name, "server_code", c->server_code, p.server_code);
    check_str(c->name, "server_info", c->info, p.server_info);
    check_str(c->name, "grpc_status", c->grpc, p.grpc_status);
    if (c->grpc_desc)
        check_str(c->name, "grpc_desc", c->grpc_desc, p.grpc_desc);
    check_str(c->name, "event", hb_event_name(c->ev), hb_event_name(p.event));
    check_str(c->name, "ns", c->ns, p.ns);
    check_str(c->name, "service", c->service, p.service);
    check_str(c->name, "host", c->host, p.host);
    check_int(c->name, "port", c->port, p.port);
    check_str(c->name, "server_addr", c->addr, p.server_addr);
    if (c->fc != KEEP)
        check_int(c->name, "fail_count", c->fc ? c->fc : -1, p.fail_count);
    render_codes(&p, buf, sizeof buf);
    check_str(c->name, "codes", c->codes, buf);
    if (c->facts) {
        render_facts(&p, buf, sizeof buf);
        check_str(c->name, "facts", c->facts, buf);
    }
}

static void run_table(const struct xcase *t, size_t n)
{
    size_t i;

    mismatches = 0;
    for (i = 0; i < n; i++)
        run_case(&t[i]);
    assert_int_equal(mismatches, 0);
}

/* ------------------------------------------------------------------ */
/* shared/real-cases, verbatim */

static const struct xcase real_cases[] = {
    {.name = "real-001 bare heartbeat trace, 400401",
     /* Tencent/spring-cloud-tencent#1489 */
     .text =
         "com.tencent.polaris.api.exception.PolarisException: "
         "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is "
         "not open\n"
         "\tat com.tencent.polaris.plugins.connector.grpc.GrpcUtil."
         "checkResponse(GrpcUtil.java:218) ~[connector-polaris-grpc-2.0.0.0."
         "jar:na]\n"
         "\tat com.tencent.polaris.plugins.connector.grpc.GrpcConnector."
         "heartbeat(GrpcConnector.java:529) ~[connector-polaris-grpc-2.0.0.0."
         "jar:na]\n"
         "\tat com.tencent.polaris.plugins.connector.composite."
         "CompositeConnector.heartbeat(CompositeConnector.java:208) "
         "~[connector-composite-2.0.0.0.jar:na]\n"
         "\tat com.tencent.polaris.discovery.client.flow.DefaultDiscoveryFlow."
         "heartbeat(DefaultDiscoveryFlow.java:222) "
         "~[polaris-discovery-client-2.0.0.0.jar:na]\n"
         "\tat com.tencent.polaris.discovery.client.flow.RegisterFlow."
         "doRunHeartbeat(RegisterFlow.java:85) "
         "~[polaris-discovery-client-2.0.0.0.jar:na]\n"
         "\tat com.tencent.polaris.discovery.client.flow.RegisterFlow."
         "lambda$registerInstance$0(RegisterFlow.java:67) "
         "~[polaris-discovery-client-2.0.0.0.jar:na]\n"
         "\tat java.base/java.util.concurrent.Executors$RunnableAdapter.call"
         "(Executors.java:539) ~[na:na]\n"
         "\tat java.base/java.util.concurrent.FutureTask.runAndReset$$$"
         "capture(FutureTask.java:305) ~[na:na]\n"
         "\tat java.base/java.util.concurrent.FutureTask.runAndReset"
         "(FutureTask.java) ~[na:na]",
     .sdk_code = 1006,
     .sdk_name = "SERVER_USER_ERROR",
     .server_code = 400401,
     .info = "client api is not open",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .codes = "ERR-1006 400401",
     .facts = "v:polaris-java=2.0.0.0",
     .polaris = true,
     .failure = true},
    {.name = "real-003 SCT heartbeat[NAME], comma ERR form, 400141",
     /* Tencent/spring-cloud-tencent#233 */
     .text =
         "2022-06-14 20:59:55.744 ERROR 1636 --- [oud-heartbeat-1] "
         "c.t.c.p.registry.PolarisServiceRegistry  : polaris heartbeat"
         "[SERVER_USER_ERROR]\n"
         "\n"
         "com.tencent.polaris.api.exception.PolarisException: "
         "ERR-1006(SERVER_USER_ERROR), server error 400141: heartbeat on "
         "disabled instance\n"
         "        at com.tencent.polaris.plugins.connector.grpc.GrpcUtil."
         "checkResponse(GrpcUtil.java:141) ~[connector-polaris-grpc-1.6.0."
         "jar!/:na]\n"
         "        at com.tencent.polaris.plugins.connector.grpc.GrpcConnector."
         "heartbeat(GrpcConnector.java:397) ~[connector-polaris-grpc-1.6.0."
         "jar!/:na]\n"
         "        at com.tencent.polaris.discovery.client.api."
         "DefaultProviderAPI.heartbeat(DefaultProviderAPI.java:136) "
         "~[polaris-discovery-client-1.6.0.jar!/:na]\n"
         "        at com.tencent.cloud.polaris.registry.PolarisServiceRegistry."
         "lambda$heartbeat$0(PolarisServiceRegistry.java:233) "
         "~[spring-cloud-starter-tencent-polaris-discovery-1.5.0-Hoxton.SR9."
         "jar!/:1.5.0-Hoxton.SR9]\n"
         "        at java.util.concurrent.Executors$RunnableAdapter.call"
         "(Executors.java:511) ~[na:1.8.0_332]\n"
         "        at java.util.concurrent.FutureTask.runAndReset"
         "(FutureTask.java:308) ~[na:1.8.0_332]\n"
         "        at java.util.concurrent.ScheduledThreadPoolExecutor$"
         "ScheduledFutureTask.access$301(ScheduledThreadPoolExecutor.java:"
         "180) ~[na:1.8.0_332]",
     .level = "ERROR",
     .logger = "c.t.c.p.registry.PolarisServiceRegistry",
     .thread = "oud-heartbeat-1",
     .sdk_code = 1006,
     .sdk_name = "SERVER_USER_ERROR",
     .server_code = 400141,
     .info = "heartbeat on disabled instance",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .codes = "ERR-1006 400141",
     .facts = "v:polaris-java=1.6.0 v:spring-cloud-tencent=1.5.0-Hoxton.SR9",
     .polaris = true,
     .failure = true},
    {.name = "real-005 config pull NETWORK_ERROR (NoSuchMethodError text)",
     /* Tencent/spring-cloud-tencent#1212 */
     .text =
         "com.tencent.polaris.api.exception.RetriableException: "
         "ERR-1007(NETWORK_ERROR): failed to load config file. namespace = "
         "herodotus, group = sct-quickstart-caller, file = application.yml, "
         "cause: 'io.grpc.stub.AbstractStub io.grpc.stub.MetadataUtils."
         "attachHeaders(io.grpc.stub.AbstractStub, io.grpc.Metadata)'\n"
         "\tat com.tencent.polaris.plugins.configuration.connector.polaris."
         "PolarisConfigFileConnector.getConfigFile(PolarisConfigFileConnector"
         ".java:85) ~[polaris-configuration-connector-1.14.3.jar:na]\n"
         "\tat com.tencent.polaris.configuration.client.internal."
         "RemoteConfigFileRepo.lambda$doPull$0(RemoteConfigFileRepo.java:126)"
         " ~[polaris-configuration-client-1.14.3.jar:na]\n"
         "\tat com.tencent.polaris.api.plugin.filter.ConfigFileFilterChain."
         "execute(ConfigFileFilterChain.java:49) ~[polaris-plugin-api-1.14.3."
         "jar:na]",
     .sdk_code = 1007,
     .sdk_name = "NETWORK_ERROR",
     .ev = HB_EV_CONFIG_FAIL,
     .ns = "herodotus",
     .codes = "ERR-1007",
     .facts = "v:polaris-java=1.14.3",
     .polaris = true,
     .failure = true},
    {.name = "real-008 leading blank, comma form, 400202",
     /* polarismesh/polaris-java#25 */
     .text = " ERR-1006(SERVER_USER_ERROR), server error 400202: not found "
             "resource",
     .sdk_code = 1006,
     .sdk_name = "SERVER_USER_ERROR",
     .server_code = 400202,
     .info = "not found resource",
     .codes = "ERR-1006 400202",
     .facts = "",
     .polaris = true,
     .failure = true},
    {.name = "real-011 polaris-go discover stream Canceled",
     /* polarismesh/polaris-go#237 */
     .text = "2025-03-10 12:23:13.437619Z     error   network "
             "common/discover.go:482  D3C90F4C-07A5-4A8D-915C-BF45C02DE61E, "
             "receiveAndNotify: fail to receive message from connection "
             "{ID: 3658616006, Address: polaris.xxx.com:8091}, "
             "streamingClient 4146878040, err rpc error: code = Canceled "
             "desc = grpc: the client connection is closing",
     .grpc = "CANCELLED",
     .grpc_desc = "grpc: the client connection is closing",
     .ev = HB_EV_DISCOVER_FAIL,
     .addr = "polaris.xxx.com:8091",
     .codes = "",
     .facts = "a:address=polaris.xxx.com:8091",
     .polaris = true,
     .failure = true},
    {.name = "real-015 fail to lock file (no code)",
     /* polarismesh/polaris-java#249 */
     .text = "[polaris-inmemory-2] fail to persist service ServiceEventKey{"
             "serviceKey=ServiceKey{namespace='xxx', service='xxx'}, "
             "eventType=INSTANCE} after retry 2\n"
             "\n"
             "fail to write file /tmp/xxx#instance.yaml.tmpjava.io."
             "IOException: fail to lock file /tmp/xxx#instance.yaml.tmp, "
             "ignore and retry later",
     .ns = "xxx",
     .service = "xxx",
     .codes = "",
     .facts = "",
     .polaris = true,
     .failure = true},
    {.name = "real-015 second record alone (the assembler splits at the "
             "blank line)",
     .text = "fail to write file /tmp/xxx#instance.yaml.tmpjava.io."
             "IOException: fail to lock file /tmp/xxx#instance.yaml.tmp, "
             "ignore and retry later",
     .codes = "",
     .facts = "",
     .polaris = true,
     .failure = true},
    {.name = "real-017 APPLICATION FAILED TO START in SCT code",
     /* Tencent/spring-cloud-tencent#1231 */
     .text =
         "***************************\n"
         "APPLICATION FAILED TO START\n"
         "***************************\n"
         "\n"
         "Description:\n"
         "\n"
         "An attempt was made to call a method that does not exist. The "
         "attempt was made from the following location:\n"
         "\n"
         "    com.tencent.cloud.polaris.circuitbreaker.feign."
         "PolarisFeignCircuitBreaker$Builder.build(PolarisFeignCircuitBreaker"
         ".java:90)\n"
         "\n"
         "The following method did not exist:\n"
         "\n"
         "    'feign.Feign com.tencent.cloud.polaris.circuitbreaker.feign."
         "PolarisFeignCircuitBreaker$Builder.build()'\n"
         "\n"
         "The calling method's class, com.tencent.cloud.polaris."
         "circuitbreaker.feign.PolarisFeignCircuitBreaker$Builder, was "
         "loaded from the following location:\n"
         "\n"
         "    jar:file:/D:/local-environment/maven-repository/com/tencent/"
         "cloud/spring-cloud-starter-tencent-polaris-circuitbreaker/"
         "1.13.0-2022.0.4/spring-cloud-starter-tencent-polaris-"
         "circuitbreaker-1.13.0-2022.0.4.jar!/com/tencent/cloud/polaris/"
         "circuitbreaker/feign/PolarisFeignCircuitBreaker$Builder.class\n"
         "\n"
         "The called method's class, com.tencent.cloud.polaris."
         "circuitbreaker.feign.PolarisFeignCircuitBreaker$Builder, is "
         "available from the following locations:",
     .ev = HB_EV_STARTUP_FAIL,
     .codes = "",
     .facts = "v:spring-cloud-tencent=1.13.0-2022.0.4",
     .polaris = true,
     .failure = true},
    {.name = "real-020 zap line without timestamp",
     /* polarismesh/website#399 */
     .text = "error\thealthcheck\tleader/checker_leader.go:220\t"
             "[HealthCheck][Leader] follower run serve, do retry\t"
             "{\"error\": \"context deadline exceeded\"}",
     .codes = "",
     .facts = "",
     .polaris = true,
     .failure = true},
    {.name = "real-020 zap heartbeat report failure",
     .text = "2024-11-08T21:35:57.308043Z\terror\thealthcheck\t"
             "healthcheck/report.go:103\t[Heartbeat][Server] fail to do "
             "report for 192.168.1.16:9000, id is "
             "8ba71ca9ca4555bde32320a17199ce323074316c, err is leader "
             "checker uninitialize",
     .level = "ERROR",
     .logger = "healthcheck",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .host = "192.168.1.16",
     .port = 9000,
     .codes = "",
     .facts = "",
     .polaris = true,
     .failure = true},
    {.name = "real-020 both lines in one record",
     .text = "error\thealthcheck\tleader/checker_leader.go:220\t"
             "[HealthCheck][Leader] follower run serve, do retry\t"
             "{\"error\": \"context deadline exceeded\"}\n"
             "2024-11-08T21:35:57.308043Z\terror\thealthcheck\t"
             "healthcheck/report.go:103\t[Heartbeat][Server] fail to do "
             "report for 192.168.1.16:9000, id is "
             "8ba71ca9ca4555bde32320a17199ce323074316c, err is leader "
             "checker uninitialize",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .host = "192.168.1.16",
     .port = 9000,
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "real-024 QuotaCheckReactiveFilter (SCT logger only)",
     /* Tencent/spring-cloud-tencent#1106 */
     .text = "2023-09-11T16:13:20.857+08:00 ERROR 1 --- [or-http-epoll-4] "
             "c.t.c.p.r.f.QuotaCheckReactiveFilter     : fail to invoke "
             "getQuota, service is irked-gateway",
     .level = "ERROR",
     .logger = "c.t.c.p.r.f.QuotaCheckReactiveFilter",
     .thread = "or-http-epoll-4",
     .service = "irked-gateway",
     .codes = "",
     .facts = "",
     .polaris = true,
     .failure = true},
    {.name = "real-024 same line, header not parsed",
     .text = "2023-09-11T16:13:20.857+08:00 ERROR 1 --- [or-http-epoll-4] "
             "c.t.c.p.r.f.QuotaCheckReactiveFilter     : fail to invoke "
             "getQuota, service is irked-gateway",
     .service = "irked-gateway",
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "real-030 PortInUseException line (Spring logger)",
     /* Tencent/spring-cloud-tencent#1032 */
     .text = "2023-06-06 17:00:31.613  WARN 97953 --- [           main] "
             "ConfigServletWebServerApplicationContext : Exception "
             "encountered during context initialization - cancelling refresh "
             "attempt: org.springframework.context.ApplicationContextException"
             ": Failed to start bean 'webServerStartStop'; nested exception is "
             "org.springframework.boot.web.server.PortInUseException: Port "
             "23740 is already in use",
     .level = "WARN",
     .logger = "ConfigServletWebServerApplicationContext",
     .thread = "main",
     .codes = "",
     .facts = "",
     .polaris = false,
     .failure = false},
    {.name = "real-030 GrpcConnector destroy line",
     .text = "2023-06-06 17:00:31.632  INFO 97953 --- [           main] "
             "c.t.p.p.connector.grpc.GrpcConnector     : start to destroy "
             "connector grpc",
     .level = "INFO",
     .logger = "c.t.p.p.connector.grpc.GrpcConnector",
     .thread = "main",
     .codes = "",
     .facts = "",
     .polaris = true,
     .failure = false},
    {.name = "real-030 conditions report line",
     .text = "2023-06-06 17:00:31.626  INFO 97953 --- [           main] "
             "ConditionEvaluationReportLoggingListener : \n"
             "\n"
             "Error starting ApplicationContext. To display the conditions "
             "report re-run your application with 'debug' enabled.",
     .level = "INFO",
     .logger = "ConditionEvaluationReportLoggingListener",
     .codes = "",
     .facts = "",
     .polaris = false,
     .failure = false},
};

static void test_extract_real_cases(void **state)
{
    (void)state;
    run_table(real_cases, HB_ARRAY_LEN(real_cases));
}

/* ------------------------------------------------------------------ */
/* polaris-java exception and connector messages (§3.2-§3.4) */

static const struct xcase sdk_messages[] = {
    {.name = "colon form (SDK >= 1.11)",
     .text = "com.tencent.polaris.api.exception.PolarisException: "
             "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is "
             "not open",
     .sdk_code = 1006,
     .sdk_name = "SERVER_USER_ERROR",
     .server_code = 400401,
     .info = "client api is not open",
     .codes = "ERR-1006 400401",
     .polaris = true,
     .failure = true},
    {.name = "info with cause",
     .text = "ERR-1006(SERVER_USER_ERROR): server error 401001: access is not "
             "approved: token not existed, cause: boom",
     .sdk_code = 1006,
     .sdk_name = "SERVER_USER_ERROR",
     .server_code = 401001,
     .info = "access is not approved: token not existed",
     .codes = "ERR-1006 401001",
     .polaris = true,
     .failure = true},
    {.name = "ServerErrorResponseException with collector prefix",
     .text = "app-7d9f | com.tencent.polaris.api.exception."
             "ServerErrorResponseException: ERR-1015(SERVICE_NOT_FOUND): "
             "server error 400301: not found service",
     .sdk_code = 1015,
     .sdk_name = "SERVICE_NOT_FOUND",
     .server_code = 400301,
     .info = "not found service",
     .codes = "ERR-1015 400301",
     .polaris = true,
     .failure = true},
    {.name = "heartbeat NETWORK_ERROR with ServiceKey and gRPC cause",
     .text = "com.tencent.polaris.api.exception.RetriableException: "
             "ERR-1007(NETWORK_ERROR): fail to heartbeat id 6f1c9a, host "
             "10.0.0.5:8080 service ServiceKey{namespace='default', "
             "service='demo-svc'}, cause: UNAVAILABLE: io exception",
     .sdk_code = 1007,
     .sdk_name = "NETWORK_ERROR",
     .grpc = "UNAVAILABLE",
     .grpc_desc = "io exception",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .ns = "default",
     .service = "demo-svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "ERR-1007",
     .polaris = true,
     .failure = true},
    {.name = "register NETWORK_ERROR with netty refused cause",
     .text = "com.tencent.polaris.api.exception.RetriableException: "
             "ERR-1007(NETWORK_ERROR): fail to register host 10.0.0.5:8080 "
             "service ServiceKey{namespace='prod', service='order'}, cause: "
             "UNAVAILABLE: io exception\n"
             "Caused by: io.grpc.StatusRuntimeException: UNAVAILABLE: io "
             "exception\n"
             "\tat io.grpc.stub.ClientCalls.toStatusRuntimeException"
             "(ClientCalls.java:268) ~[grpc-stub-1.59.1.jar:1.59.1]\n"
             "Caused by: io.grpc.netty.shaded.io.netty.channel."
             "AbstractChannel$AnnotatedConnectException: Connection refused: "
             "/127.0.0.1:8091\n"
             "Caused by: java.net.ConnectException: Connection refused",
     .sdk_code = 1007,
     .sdk_name = "NETWORK_ERROR",
     .grpc = "UNAVAILABLE",
     .grpc_desc = "io exception",
     .ev = HB_EV_REGISTER_FAIL,
     .ns = "prod",
     .service = "order",
     .host = "10.0.0.5",
     .port = 8080,
     .addr = "127.0.0.1:8091",
     .codes = "ERR-1007",
     .facts = "a:refused=127.0.0.1:8091 v:grpc=1.59.1",
     .polaris = true,
     .failure = true},
    {.name = "deregister NETWORK_ERROR",
     .text = "ERR-1007(NETWORK_ERROR): fail to deregister id abc, host "
             "10.0.0.7:9090 service ServiceKey{namespace='default', "
             "service='pay'}, cause: DEADLINE_EXCEEDED: deadline exceeded "
             "after 0.99s. [closed=[], open=[[remote_addr=polaris-server/"
             "10.1.1.1:8091]]]",
     .sdk_code = 1007,
     .sdk_name = "NETWORK_ERROR",
     .grpc = "DEADLINE_EXCEEDED",
     .ev = HB_EV_DEREGISTER,
     .ns = "default",
     .service = "pay",
     .host = "10.0.0.7",
     .port = 9090,
     .addr = "polaris-server:8091",
     .codes = "ERR-1007",
     .facts = "a:remote-addr=polaris-server:8091",
     .polaris = true,
     .failure = true},
    {.name = "UNIMPLEMENTED unknown service (client API disabled)",
     .text = "com.tencent.polaris.api.exception.PolarisException: "
             "ERR-2002(SERVER_ERROR): UNIMPLEMENTED: unknown service "
             "v1.PolarisGRPC",
     .sdk_code = 2002,
     .sdk_name = "SERVER_ERROR",
     .grpc = "UNIMPLEMENTED",
     .grpc_desc = "unknown service v1.PolarisGRPC",
     .codes = "ERR-2002",
     .polaris = true,
     .failure = true},
    {.name = "register timeout after retries, deepest cause wins",
     .text = "com.tencent.polaris.api.exception.PolarisException: "
             "ERR-1004(API_TIMEOUT): instance register request timeout.\n"
             "\tat com.tencent.polaris.discovery.client.flow."
             "DefaultDiscoveryFlow.registerInstance(DefaultDiscoveryFlow."
             "java:120) ~[polaris-discovery-client-1.15.0.jar:na]\n"
             "Caused by: com.tencent.polaris.api.exception.RetriableException:"
             " ERR-1007(NETWORK_ERROR): fail to register host 10.0.0.5:8080 "
             "service ServiceKey{namespace='default', service='svc'}",
     .sdk_code = 1007,
     .sdk_name = "NETWORK_ERROR",
     .ev = HB_EV_REGISTER_FAIL,
     .ns = "default",
     .service = "svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "ERR-1004 ERR-1007",
     .facts = "v:polaris-java=1.15.0",
     .polaris = true,
     .failure = true},
    {.name = "the code next to a server code beats the deeper one",
     .text = "ERR-1006(SERVER_USER_ERROR): server error 400202: not found "
             "resource\n"
             "Caused by: ERR-1014(INTERNAL_ERROR): whatever",
     .sdk_code = 1006,
     .sdk_name = "SERVER_USER_ERROR",
     .server_code = 400202,
     .info = "not found resource",
     .codes = "ERR-1006 400202 ERR-1014",
     .polaris = true,
     .failure = true},
    {.name = "heartbeat timeout",
     .text = "com.tencent.polaris.api.exception.PolarisException: "
             "ERR-1004(API_TIMEOUT): heartbeat request timeout.",
     .sdk_code = 1004,
     .sdk_name = "API_TIMEOUT",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .codes = "ERR-1004",
     .polaris = true,
     .failure = true},
    {.name = "discover not ready",
     .text = "ERR-1004(API_TIMEOUT): discover service not ready",
     .sdk_code = 1004,
     .sdk_name = "API_TIMEOUT",
     .ev = HB_EV_DISCOVER_FAIL,
     .codes = "ERR-1004",
     .polaris = true,
     .failure = true},
    {.name = "invalid register response",
     .text = "ERR-1006(SERVER_USER_ERROR): invalid register response: "
             "missing instance",
     .sdk_code = 1006,
     .sdk_name = "SERVER_USER_ERROR",
     .codes = "ERR-1006",
     .polaris = true,
     .failure = true},
    {.name = "client-side validation",
     .text = "ERR-1001(API_INVALID_ARGUMENT): port value should be in range "
             "(0, 65536).",
     .sdk_code = 1001,
     .sdk_name = "API_INVALID_ARGUMENT",
     .codes = "ERR-1001",
     .polaris = true,
     .failure = true},
    {.name = "SDK destroyed",
     .text = "ERR-1005(INVALID_STATE): ProviderAPI: api instance has been "
             "destroyed",
     .sdk_code = 1005,
     .sdk_name = "INVALID_STATE",
     .codes = "ERR-1005",
     .polaris = true,
     .failure = true},
    {.name = "known SDK name at end of line",
     .text = "polaris call failed: ERR-1008(CIRCUIT_BREAK_ERROR)\nnext",
     .sdk_code = 1008,
     .sdk_name = "CIRCUIT_BREAK_ERROR",
     .codes = "ERR-1008",
     .polaris = true,
     .failure = true},
    {.name = "register retry WARN",
     .text = "2024-05-10 10:20:30.123 WARN [main:c.t.p.d.c.f."
             "DefaultDiscoveryFlow] instance register request error, "
             "retrying.\n"
             "com.tencent.polaris.api.exception.RetriableException: "
             "ERR-1007(NETWORK_ERROR): fail to register host 10.0.0.5:8080 "
             "service ServiceKey{namespace='default', service='svc'}, cause: "
             "UNAVAILABLE: Network closed for unknown reason",
     .level = "WARN",
     .logger = "c.t.p.d.c.f.DefaultDiscoveryFlow",
     .sdk_code = 1007,
     .sdk_name = "NETWORK_ERROR",
     .grpc = "UNAVAILABLE",
     .grpc_desc = "Network closed for unknown reason",
     .ev = HB_EV_REGISTER_FAIL,
     .ns = "default",
     .service = "svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "ERR-1007",
     .polaris = true,
     .failure = true},
    {.name = "heartbeat retry WARN",
     .text = "2024-05-10 10:20:30.123 WARN [polaris-async-register-1:"
             "c.t.p.d.c.f.DefaultDiscoveryFlow] heartbeat request error, "
             "retrying.",
     .level = "WARN",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "deregister retry and timeout",
     .text = "instance deregister request error, retrying.\n"
             "ERR-1004(API_TIMEOUT): instance deregister request timeout.",
     .sdk_code = 1004,
     .sdk_name = "API_TIMEOUT",
     .ev = HB_EV_DEREGISTER,
     .codes = "ERR-1004",
     .polaris = true,
     .failure = true},
    {.name = "SDK register success (>= 1.14)",
     .text = "2024-05-10 10:20:30.123 INFO [main:c.t.p.d.c.f."
             "DefaultDiscoveryFlow] register default/demo-svc instance "
             "6f1c9a successfully",
     .level = "INFO",
     .ev = HB_EV_REGISTER_OK,
     .ns = "default",
     .service = "demo-svc",
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "SDK deregister success",
     .text = "2024-05-10 10:20:30.123 INFO [main:c.t.p.d.c.f."
             "DefaultDiscoveryFlow] deregister instance "
             "InstanceDeregisterRequest{namespace='default', service='svc', "
             "host='10.0.0.5', port=8080} successfully",
     .level = "INFO",
     .ev = HB_EV_DEREGISTER,
     .ns = "default",
     .service = "svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "",
     .polaris = true,
     .failure = false},
};

static void test_extract_sdk_messages(void **state)
{
    (void)state;
    run_table(sdk_messages, HB_ARRAY_LEN(sdk_messages));
}

/* ------------------------------------------------------------------ */
/* [AsyncHeartbeat] lines of every SDK version and GrpcConnector (§3.5) */

static const struct xcase heartbeat_lines[] = {
    {.name = "task started",
     .text = "[AsyncHeartbeat]Instance heartbeat task started, namespace:"
             "default, service:demo-svc, host:10.0.0.5, port:8080",
     .ns = "default",
     .service = "demo-svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "success (<= 2.0.0)",
     .text = "2024-05-10 10:20:30.123 INFO [polaris-async-register-1:c.t.p."
             "d.c.f.RegisterFlow] [AsyncHeartbeat]Instance heartbeat "
             "success, namespace:default, service:demo-svc, host:10.0.0.5, "
             "port:8080",
     .level = "INFO",
     .ev = HB_EV_HEARTBEAT_OK,
     .ns = "default",
     .service = "demo-svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "success (2.0.1+, heartbeat file)",
     .text = "[AsyncHeartbeat]Instance heartbeat success. Reset fail count. "
             "namespace:default, service:svc, host:10.0.0.5, port:8080|"
             "2025-05-10 10:20:30.123",
     .ev = HB_EV_HEARTBEAT_OK,
     .ns = "default",
     .service = "svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "failed with serverErrCode (<= 1.15.7)",
     .text = "2024-05-10 10:20:30.123 ERROR [polaris-async-register-1:c.t.p."
             "d.c.f.RegisterFlow] [AsyncHeartbeat]Instance heartbeat failed, "
             "namespace:default, service:demo-svc, host:10.0.0.5, port:8080, "
             "serverErrCode:400401, heartbeat fail count:2",
     .level = "ERROR",
     .server_code = 400401,
     .ev = HB_EV_HEARTBEAT_FAIL,
     .ns = "default",
     .service = "demo-svc",
     .host = "10.0.0.5",
     .port = 8080,
     .fc = 2,
     .codes = "400401",
     .polaris = true,
     .failure = true},
    {.name = "failed, then exception (1.15.8 - 2.0.0)",
     .text = "[AsyncHeartbeat]Instance heartbeat failed, namespace:default, "
             "service:svc, host:10.0.0.5, port:8080, heartbeat fail count:1|"
             "2024-05-10 10:20:30.123\n"
             "com.tencent.polaris.api.exception.PolarisException: "
             "ERR-1006(SERVER_USER_ERROR): server error 400140: server not "
             "open health check",
     .sdk_code = 1006,
     .sdk_name = "SERVER_USER_ERROR",
     .server_code = 400140,
     .info = "server not open health check",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .ns = "default",
     .service = "svc",
     .host = "10.0.0.5",
     .port = 8080,
     .fc = 1,
     .codes = "ERR-1006 400140",
     .polaris = true,
     .failure = true},
    {.name = "failed because of NOT_FOUND_RESOURCE (2.0.1+)",
     .text = "[AsyncHeartbeat]Instance heartbeat failed because of "
             "NOT_FOUND_RESOURCE. Increase fail count. namespace:default, "
             "service:svc, host:10.0.0.5, port:8080, heartbeat fail count:3|"
             "2025-05-10 10:20:30.123\n"
             "com.tencent.polaris.api.exception.PolarisException: "
             "ERR-1006(SERVER_USER_ERROR): server error 400202: not found "
             "resource",
     .sdk_code = 1006,
     .sdk_name = "SERVER_USER_ERROR",
     .server_code = 400202,
     .info = "not found resource",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .ns = "default",
     .service = "svc",
     .host = "10.0.0.5",
     .port = 8080,
     .fc = 3,
     .codes = "ERR-1006 400202",
     .polaris = true,
     .failure = true},
    {.name = "failed not because of NOT_FOUND_RESOURCE (2.0.1+)",
     .text = "[AsyncHeartbeat]Instance heartbeat failed not because of "
             "NOT_FOUND_RESOURCE. Reset fail count. namespace:ns1, "
             "service:svc, host:10.0.0.5, port:8080, heartbeat fail count:0",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .ns = "ns1",
     .service = "svc",
     .host = "10.0.0.5",
     .port = 8080,
     .fc = KEEP,
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "re-register scheduled",
     .text = "[AsyncHeartbeat]Re-register instance, namespace:default, "
             "service:svc, host:10.0.0.5, port:8080, count:1, delay:7s",
     .ns = "default",
     .service = "svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "re-register success",
     .text = "[AsyncHeartbeat]Re-register instance success, namespace:"
             "default, service:svc, host:10.0.0.5, port:8080",
     .ev = HB_EV_REREGISTER_OK,
     .ns = "default",
     .service = "svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "re-register failed with serverErrCode",
     .text = "[AsyncHeartbeat]Re-register instance failed, namespace:default,"
             " service:svc, host:10.0.0.5, port:8080, serverErrCode:500008",
     .server_code = 500008,
     .ev = HB_EV_REREGISTER_FAIL,
     .ns = "default",
     .service = "svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "500008",
     .polaris = true,
     .failure = true},
    {.name = "re-register failed with trace, register frames",
     .text = "[AsyncHeartbeat]Re-register instance failed, namespace:default,"
             " service:svc, host:10.0.0.5, port:8080, re-register count:2\n"
             "com.tencent.polaris.api.exception.PolarisException: "
             "ERR-1004(API_TIMEOUT): instance register request timeout.",
     .sdk_code = 1004,
     .sdk_name = "API_TIMEOUT",
     .ev = HB_EV_REREGISTER_FAIL,
     .ns = "default",
     .service = "svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "ERR-1004",
     .polaris = true,
     .failure = true},
    {.name = "GrpcConnector heartbeat fail (2.1.0.0+)",
     .text = "2025-07-10 10:20:30.123 WARN [polaris-async-register-1:c.t.p.p."
             "c.g.GrpcConnector] heartbeat fail, req: CommonProviderRequest{"
             "instanceID='6f1c', namespace='default', service='demo-svc', "
             "token='', host='10.0.0.5', port=8080, ttl=5, targetServer=null,"
             " timeoutMs=1000}, msg: ERR-1006(SERVER_USER_ERROR): server "
             "error 400401: client api is not open",
     .level = "WARN",
     .sdk_code = 1006,
     .sdk_name = "SERVER_USER_ERROR",
     .server_code = 400401,
     .info = "client api is not open",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .ns = "default",
     .service = "demo-svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "ERR-1006 400401",
     .polaris = true,
     .failure = true},
};

static void test_extract_heartbeat_lines(void **state)
{
    (void)state;
    run_table(heartbeat_lines, HB_ARRAY_LEN(heartbeat_lines));
}

/* ------------------------------------------------------------------ */
/* Spring Cloud Tencent lines (§4.3) */

static const struct xcase sct_lines[] = {
    {.name = "register finished (1.2 - 1.13)",
     .text = "2024-03-13 20:16:04.123  INFO 12345 --- [           main] "
             "c.t.c.p.registry.PolarisServiceRegistry  : polaris registry, "
             "default demo-svc 10.0.0.5:8080 {} register finished",
     .level = "INFO",
     .logger = "c.t.c.p.registry.PolarisServiceRegistry",
     .ev = HB_EV_REGISTER_OK,
     .ns = "default",
     .service = "demo-svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "register finished (1.14.0-2022.0.5-RC2, with id)",
     .text = "polaris registry, default demo-svc 6f1c9a 10.0.0.5:8080 "
             "{k=v} register finished",
     .ev = HB_EV_REGISTER_OK,
     .ns = "default",
     .service = "demo-svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "register finished (2.0.0.0+)",
     .text = "polaris registry, prod order-svc 6f1c9a 10.0.0.9:18080 "
             "ap-guangzhou ap-guangzhou-3 campus {} register finished",
     .ev = HB_EV_REGISTER_OK,
     .ns = "prod",
     .service = "order-svc",
     .host = "10.0.0.9",
     .port = 18080,
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "register failed with registration and cause",
     .text = "2024-03-13T20:16:04.123+08:00 ERROR 12345 --- [           main]"
             " c.t.c.p.registry.PolarisServiceRegistry  : polaris registry, "
             "demo-svc register failed...PolarisRegistration{ "
             "polarisDiscoveryProperties=PolarisDiscoveryProperties{"
             "namespace='default', service='demo-svc', port=8080}, "
             "host='10.0.0.5', instanceId='null'},\n"
             "\n"
             "com.tencent.polaris.api.exception.PolarisException: "
             "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is "
             "not open",
     .level = "ERROR",
     .sdk_code = 1006,
     .sdk_name = "SERVER_USER_ERROR",
     .server_code = 400401,
     .info = "client api is not open",
     .ev = HB_EV_REGISTER_FAIL,
     .ns = "default",
     .service = "demo-svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "ERR-1006 400401",
     .polaris = true,
     .failure = true},
    {.name = "heartbeat error with code [NAME] (1.7+)",
     .text = "2024-03-13 20:16:04.123 ERROR 1 --- [olaris-heartbeat-1] "
             "c.t.c.p.registry.PolarisServiceRegistry  : polaris heartbeat "
             "error with code [NETWORK_ERROR]",
     .level = "ERROR",
     .sdk_code = 1007,
     .sdk_name = "NETWORK_ERROR",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .codes = "ERR-1007",
     .polaris = true,
     .failure = true},
    {.name = "heartbeat[NAME] (<= 1.6)",
     .text = "polaris heartbeat[SERVER_USER_ERROR]",
     .sdk_code = 1006,
     .sdk_name = "SERVER_USER_ERROR",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .codes = "ERR-1006",
     .polaris = true,
     .failure = true},
    {.name = "heartbeat runtime error",
     .text = "polaris heartbeat runtime error\njava.lang."
             "NullPointerException: null",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "health-check-url failure",
     .text = "2024-03-13 20:16:04.123 ERROR 1 --- [olaris-heartbeat-1] "
             "c.t.c.p.registry.PolarisServiceRegistry  : backend service "
             "health check failed. health check endpoint = /actuator/health",
     .level = "ERROR",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "SCT heartbeat sent",
     .text = "2024-03-13 20:16:04.123 TRACE 1 --- [olaris-heartbeat-1] "
             "c.t.c.p.registry.PolarisServiceRegistry  : Polaris heartbeat "
             "is sent",
     .level = "TRACE",
     .ev = HB_EV_HEARTBEAT_OK,
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "de-registering",
     .text = "c.t.c.p.registry.PolarisServiceRegistry  : De-registering from "
             "Polaris Server now...",
     .ev = HB_EV_DEREGISTER,
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "de-register failed",
     .text = "ERROR 1 --- [main] c.t.c.p.registry.PolarisServiceRegistry : "
             "ERR_POLARIS_DEREGISTER, de-register failed...PolarisRegistration"
             "{host='10.0.0.5'},",
     .ev = HB_EV_DEREGISTER,
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "no service to register (warning, not a failure)",
     .text = "2024-03-13 20:16:04.123  WARN 1 --- [main] c.t.c.p.registry."
             "PolarisServiceRegistry  : No service to register for polaris "
             "client...",
     .level = "WARN",
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "config address cannot be connected",
     .text = "2024-03-13 20:16:04.123 ERROR 1 --- [main] c.t.c.p.c."
             "ConfigurationModifier : Config server address "
             "(grpc://10.0.0.1:8093) can not be connected. Please check your "
             "config in bootstrap.yml with spring.cloud.polaris.address or "
             "spring.cloud.polaris.config.address.",
     .level = "ERROR",
     .ev = HB_EV_CONNECT_FAIL,
     .addr = "10.0.0.1:8093",
     .codes = "",
     .facts = "a:config-url=10.0.0.1:8093",
     .polaris = true,
     .failure = true},
    {.name = "config address blank",
     .text = "Config server address is blank. Please check your config in "
             "bootstrap.yml with spring.cloud.polaris.address or "
             "spring.cloud.polaris.config.address",
     .ev = HB_EV_CONFIG_FAIL,
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "startup property with grpc URL",
     .text = "2024-03-13 20:16:04.123  INFO 1 --- [main] c.t.c.p.context."
             "PolarisContextAutoConfiguration : spring.cloud.polaris.address="
             "grpc://polaris.example.com:8091,grpc://10.0.0.2:8091",
     .level = "INFO",
     .addr = "polaris.example.com:8091",
     .codes = "",
     .facts = "a:grpc-url=polaris.example.com:8091 a:grpc-url=10.0.0.2:8091",
     .polaris = true,
     .failure = false},
    {.name = "quota filter service",
     .text = "c.t.c.p.r.f.QuotaCheckReactiveFilter : fail to invoke getQuota, "
             "service is gw.",
     .service = "gw",
     .codes = "",
     .polaris = true,
     .failure = true},
};

static void test_extract_sct_lines(void **state)
{
    (void)state;
    run_table(sct_lines, HB_ARRAY_LEN(sct_lines));
}

/* ------------------------------------------------------------------ */
/* Connection / discovery lines (§3.6), gRPC forms, Go SDK */

static const struct xcase connection_lines[] = {
    {.name = "fail to get connection, opKey",
     .text = "2024-05-10 10:20:30.123 ERROR [main:c.t.p.p.c.g."
             "ConnectionManager] fail to get connection, opKey is "
             "RegisterInstance, cluster SERVICE_DISCOVER_CLUSTER",
     .level = "ERROR",
     .ev = HB_EV_CONNECT_FAIL,
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "ServerConnector fail to get connection",
     .text = "[ServerConnector]fail to get connection to 10.0.0.1:8091",
     .ev = HB_EV_CONNECT_FAIL,
     .addr = "10.0.0.1:8091",
     .codes = "",
     .facts = "a:connect-to=10.0.0.1:8091",
     .polaris = true,
     .failure = true},
    {.name = "connection switched",
     .text = "2024-05-10 10:20:30.123 INFO [polaris-update-1:c.t.p.p.c.g."
             "ConnectionManager] server polaris.checker connection switched "
             "from null to 10.0.0.2:8091",
     .level = "INFO",
     .addr = "10.0.0.2:8091",
     .codes = "",
     .facts = "a:switched=10.0.0.2:8091",
     .polaris = true,
     .failure = false},
    {.name = "exceptionCallback with ConnID and gRPC status",
     .text = "[ServerConnector]exceptionCallback: errCode NETWORK_ERROR, info "
             "stream 4000123 received error from server(ConnID{id='9c1e', "
             "clusterType=SERVICE_DISCOVER_CLUSTER, host='10.0.0.1', "
             "port=8091}), error is UNAVAILABLE: io exception, "
             "serviceEventKey ServiceEventKey{serviceKey=ServiceKey{"
             "namespace='default', service='demo'}, eventType=INSTANCE}",
     .sdk_code = 1007,
     .sdk_name = "NETWORK_ERROR",
     .grpc = "UNAVAILABLE",
     .ev = HB_EV_DISCOVER_FAIL,
     .ns = "default",
     .service = "demo",
     .addr = "10.0.0.1:8091",
     .codes = "ERR-1007",
     .facts = "a:connid=10.0.0.1:8091",
     .polaris = true,
     .failure = true},
    {.name = "exceptionCallback with a server code",
     .text = "[ServerConnector]exceptionCallback: errCode 400401, info "
             "client api is not open, serviceEventKey x",
     .server_code = 400401,
     .info = "client api is not open",
     .ev = HB_EV_DISCOVER_FAIL,
     .codes = "400401",
     .polaris = true,
     .failure = true},
    {.name = "exceptionCallback for a stream EOF is not a failure",
     .text = "2024-05-10 10:20:30.123 DEBUG [polaris-update-1:c.t.p.p.c.g."
             "SpecStreamClient] [ServerConnector]exceptionCallback: errCode "
             "NETWORK_ERROR, info stream 4000123 EOF by server(ConnID{id='9c',"
             " clusterType=SERVICE_DISCOVER_CLUSTER, host='10.0.0.1', "
             "port=8091}), serviceEventKey x",
     .level = "DEBUG",
     .addr = "10.0.0.1:8091",
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "connect to",
     .text = "[ServerConnector] polaris connect to polaris-grpc.svc:8091 "
             "timeout",
     .addr = "polaris-grpc.svc:8091",
     .codes = "",
     .facts = "a:connect-to=polaris-grpc.svc:8091",
     .polaris = true,
     .failure = true},
    {.name = "SDK config dump is not a failure",
     .text = "polaris config: serverConnector: connectTimeout: 500ms, "
             "messageTimeout: 5s",
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "query service failure with code name",
     .text = "[ServerConnector]code SERVER_USER_ERROR, fail to query service "
             "ServiceKey{namespace='default', service='x'} from server(a)",
     .sdk_code = 1006,
     .sdk_name = "SERVER_USER_ERROR",
     .ev = HB_EV_DISCOVER_FAIL,
     .ns = "default",
     .service = "x",
     .codes = "ERR-1006",
     .polaris = true,
     .failure = true},
    {.name = "netty refused with host name",
     .text = "polaris connector: io.grpc.netty.shaded.io.netty.channel."
             "AbstractChannel$AnnotatedConnectException: finishConnect(..) "
             "failed: Connection refused: polaris.example.com/10.0.0.1:8091",
     .ev = HB_EV_CONNECT_FAIL,
     .addr = "polaris.example.com:8091",
     .codes = "",
     .facts = "a:refused=polaris.example.com:8091",
     .polaris = true,
     .failure = true},
    {.name = "grpc Status object",
     .text = "com.tencent.polaris.x: Status{code=UNAVAILABLE, "
             "description=io exception, cause=io.netty.channel."
             "ConnectTimeoutException: connection timed out}",
     .grpc = "UNAVAILABLE",
     .grpc_desc = "io exception",
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "StatusRuntimeException DEADLINE_EXCEEDED in polaris trace",
     .text = "io.grpc.StatusRuntimeException: DEADLINE_EXCEEDED: deadline "
             "exceeded after 4.999s\n"
             "\tat com.tencent.polaris.plugins.connector.grpc.GrpcConnector."
             "heartbeat(GrpcConnector.java:500) ~[connector-polaris-grpc-"
             "1.15.0.jar:na]",
     .grpc = "DEADLINE_EXCEEDED",
     .grpc_desc = "deadline exceeded after "
                  "4.999s",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .codes = "",
     .facts = "v:polaris-java=1.15.0",
     .polaris = true,
     .failure = true},
    {.name = "Go SDK chain keeps the code next to the server code",
     .text = "register failed: Polaris-1004(ErrCodeAPITimeoutError): retry "
             "exhausted, cause: Polaris-1006(ErrCodeServerUserError): server "
             "code 400401, reason client api is not open",
     .go_code = 1006,
     .go_name = "ErrCodeServerUserError",
     .server_code = 400401,
     .info = "client api is not open",
     .codes = "Polaris-1004 Polaris-1006 400401",
     .polaris = true,
     .failure = true},
    {.name = "Go SDK chain without server code keeps the deepest",
     .text = "Polaris-1004(ErrCodeAPITimeoutError): timeout, cause: "
             "Polaris-1007(ErrCodeNetworkError): rpc error: code = "
             "Unavailable desc = connection error: desc = \"transport: "
             "Error while dialing dial tcp 10.0.0.1:8091: connect: connection"
             " refused\"",
     .go_code = 1007,
     .go_name = "ErrCodeNetworkError",
     .grpc = "UNAVAILABLE",
     .addr = "10.0.0.1:8091",
     .codes = "Polaris-1004 Polaris-1007",
     .facts = "a:dial=10.0.0.1:8091",
     .polaris = true,
     .failure = true},
    {.name = "Go discover stream with Address",
     .text = "receiveAndNotify: fail to receive message from connection "
             "{ID: 1, Address: 10.0.0.3:8091}, err rpc error: code = "
             "Unavailable desc = error reading from server: EOF",
     .grpc = "UNAVAILABLE",
     .grpc_desc = "error reading from server: EOF",
     .ev = HB_EV_DISCOVER_FAIL,
     .addr = "10.0.0.3:8091",
     .codes = "",
     .polaris = true,
     .failure = true},
};

static void test_extract_connection_lines(void **state)
{
    (void)state;
    run_table(connection_lines, HB_ARRAY_LEN(connection_lines));
}

/* ------------------------------------------------------------------ */
/* Polaris server lines (§2.6, §5.2) */

static const struct xcase server_lines[] = {
    {.name = "zap send response with protobuf code",
     .text = "2025-06-25T11:17:48.000001Z\terror\tapiserver\tgrpcserver/"
             "base.go:330\t[API-Server][GRPC] send response\t{\"client-"
             "address\": \"10.0.0.5:53422\", \"user-agent\": \"polaris-java/"
             "2.0.0.0\", \"request-id\": \"1000124\", \"method\": \"/v1."
             "PolarisGRPC/RegisterInstance\", \"response\": \"code:{value:"
             "400401} info:{value:\\\"client api is not open\\\"}\"}",
     .server_code = 400401,
     .info = "client api is not open",
     .codes = "400401",
     .polaris = true,
     .failure = true},
    {.name = "JSON code field",
     .text = "[API-Server][HTTP] send response {\"code\": 400305, \"info\": "
             "\"not found namespace\"}",
     .server_code = 400305,
     .codes = "400305",
     .polaris = true,
     .failure = true},
    {.name = "create instance",
     .source = "/data/polaris/log/runtime/polaris-naming.log",
     .text = "2025-06-25T11:17:47.123456Z\tinfo\tnaming\tservice/instance.go"
             ":97\tcreate instance: id=6f1c, namespace=default, service="
             "demo-svc, host=10.0.0.5, port=8080\t{\"request-id\": "
             "\"1000123\", \"cost\": \"2.1ms\"}",
     .ev = HB_EV_REGISTER_OK,
     .ns = "default",
     .service = "demo-svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "heartbeat record not found",
     .text = "2025-06-25T11:17:47.123456Z\twarn\thealthcheck\thealthcheck/"
             "report.go:80\t[healthcheck] not found heartbeat record by id "
             "6f1c, count: 4",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "ok server code is not a failure",
     .text = "[API-Server][GRPC] response {\"code\": 200000}",
     .server_code = 200000,
     .codes = "200000",
     .polaris = true,
     .failure = false},
    {.name = "HTTP header code",
     .text = "polaris http call: X-Polaris-Code: 429002 X-Polaris-Message: "
             "server limit the ip access",
     .server_code = 429002,
     .codes = "429002",
     .polaris = true,
     .failure = true},
};

static void test_extract_server_lines(void **state)
{
    (void)state;
    run_table(server_lines, HB_ARRAY_LEN(server_lines));
}

/* ------------------------------------------------------------------ */
/* Versions (§4.4, §4.5) */

static const struct xcase version_lines[] = {
    {.name = "Spring Boot 2 banner",
     .text = " :: Spring Boot ::        (v2.7.18)",
     .codes = "",
     .facts = "v:spring-boot=2.7.18"},
    {.name = "Spring Boot 3 banner",
     .text = "  .   ____          _            __ _ _\n"
             " :: Spring Boot ::               (v3.1.12)\n",
     .codes = "",
     .facts = "v:spring-boot=3.1.12"},
    {.name = "Running with Spring Boot",
     .text = "2024-03-13T20:16:04.123+08:00 DEBUG 1 --- [main] c.e.App : "
             "Running with Spring Boot v3.1.12, Spring v6.0.15",
     .codes = "",
     .facts = "v:spring-boot=3.1.12"},
    {.name = "compatibility verifier",
     .text = "***************************\n"
             "APPLICATION FAILED TO START\n"
             "***************************\n"
             "\n"
             "Description:\n"
             "\n"
             "Your project setup is incompatible with our requirements due to "
             "following reasons:\n"
             "\n"
             "- Spring Boot [3.4.1] is not compatible with this Spring Cloud "
             "release train",
     .ev = HB_EV_STARTUP_FAIL,
     .codes = "",
     .facts = "v:spring-boot=3.4.1",
     .polaris = false,
     .failure = false},
    {.name = "jar names of a trace",
     .text = "com.tencent.polaris.api.exception.PolarisException: "
             "ERR-1007(NETWORK_ERROR): x\n"
             "\tat io.grpc.netty.shaded.io.grpc.netty.NettyClientHandler.a"
             "(NettyClientHandler.java:1) ~[grpc-netty-shaded-1.59.1.jar:"
             "1.59.1]\n"
             "\tat io.netty.handler.codec.http2.X.y(X.java:1) "
             "~[netty-codec-http2-4.1.100.Final.jar:4.1.100.Final]\n"
             "\tat org.springframework.cloud.client.Z.z(Z.java:1) "
             "~[spring-cloud-commons-4.0.4.jar:4.0.4]\n"
             "\tat org.springframework.boot.SpringApplication.run("
             "SpringApplication.java:1) ~[spring-boot-3.1.12.jar:3.1.12]\n"
             "\tat feign.Feign.x(Feign.java:1) ~[feign-core-12.5.jar:na]\n"
             "\tat com.google.protobuf.X.y(X.java:1) ~[protobuf-java-3.21.7."
             "jar:na]\n"
             "\tat okhttp3.X.y(X.java:1) ~[okhttp-4.9.3.jar:na]\n"
             "\tat com.tencent.cloud.polaris.X.y(X.java:1) ~[spring-cloud-"
             "tencent-polaris-context-1.13.0-2022.0.4.jar:na]\n"
             "\tat com.tencent.polaris.X.y(X.java:1) ~[router-nearby-2.0.0.0."
             "jar:na]",
     .sdk_code = 1007,
     .sdk_name = "NETWORK_ERROR",
     .codes = "ERR-1007",
     .facts = "v:grpc=1.59.1 v:netty=4.1.100.Final "
              "v:spring-cloud-commons=4.0.4 v:spring-boot=3.1.12 "
              "v:feign=12.5 v:protobuf=3.21.7 v:okhttp=4.9.3 "
              "v:spring-cloud-tencent=1.13.0-2022.0.4",
     .polaris = true,
     .failure = true},
    {.name = "maven path without jar",
     .text = "classpath: /root/.m2/repository/com/tencent/polaris/polaris-all"
             "/1.15.0/ and more",
     .codes = "",
     .facts = "v:polaris-java=1.15.0",
     .polaris = true},
    {.name = "unrelated jars are ignored",
     .text = "\tat com.example.A.b(A.java:1) ~[my-app-1.0.0.jar:na]\n"
             "\tat org.h2.C.d(C.java:1) ~[h2-2.1.214.jar:na]",
     .codes = "",
     .facts = ""},
};

static void test_extract_versions(void **state)
{
    (void)state;
    run_table(version_lines, HB_ARRAY_LEN(version_lines));
}

/* ------------------------------------------------------------------ */
/* Near misses: none may produce codes or a failure */

static const struct xcase near_misses[] = {
    {.name = "redis connection refused",
     .text = "2024-03-13 20:16:04.123 ERROR 1 --- [main] o.s.d.r.c.l."
             "LettuceConnectionFactory : Unable to connect\n"
             "io.lettuce.core.RedisConnectionException: Unable to connect to "
             "localhost/127.0.0.1:6379\n"
             "Caused by: io.netty.channel.AbstractChannel$"
             "AnnotatedConnectException: Connection refused: "
             "localhost/127.0.0.1:6379",
     .level = "ERROR",
     .logger = "o.s.d.r.c.l.LettuceConnectionFactory",
     .codes = "",
     .facts = "",
     .polaris = false,
     .failure = false},
    {.name = "payment DEADLINE_EXCEEDED",
     .text = "2024-03-13 20:16:04.123 ERROR 1 --- [main] c.e.pay.PayClient : "
             "call failed\n"
             "io.grpc.StatusRuntimeException: DEADLINE_EXCEEDED: deadline "
             "exceeded after 2.999s\n"
             "\tat io.grpc.stub.ClientCalls.a(ClientCalls.java:1) "
             "~[grpc-stub-1.58.0.jar:1.58.0]",
     .level = "ERROR",
     .logger = "c.e.pay.PayClient",
     .codes = "",
     .facts = "v:grpc=1.58.0",
     .polaris = false,
     .failure = false},
    {.name = "NPE in business code",
     .text = "java.lang.NullPointerException: null\n"
             "\tat com.example.order.OrderService.place(OrderService.java:42)"
             "\n\tat com.example.order.OrderController.post(OrderController."
             "java:17)",
     .codes = "",
     .facts = "",
     .polaris = false,
     .failure = false},
    {.name = "a file named after polaris but not one of its logs",
     .source = "/var/log/containers/polaris-demo_default_app-1.log",
     .text = "create instance: id=1, namespace=a, service=b",
     .codes = "",
     .polaris = false,
     .failure = false},
    {.name = "random 6-digit numbers",
     .text = "order 400401 took 200000 ms; code = 400401; {\"code\": 500000};"
             " server code 400401, reason none; serverErrCode 400202",
     .codes = "",
     .facts = "",
     .polaris = false,
     .failure = false},
    {.name = "server error with a number that is no Polaris code",
     .text = "upstream said: server error 123456: boom",
     .codes = "",
     .polaris = false,
     .failure = false},
    {.name = "server error with a known number but foreign text",
     .text = "upstream said: server error 400401: quota exceeded",
     .codes = "",
     .polaris = false,
     .failure = false},
    {.name = "ERR- without parens",
     .text = "ERR-1006 SERVER_USER_ERROR happened",
     .codes = "",
     .polaris = false,
     .failure = false},
    {.name = "truncated ERR-10",
     .text = "something ERR-10",
     .codes = "",
     .polaris = false,
     .failure = false},
    {.name = "truncated inside the name",
     .text = "x ERR-1006(SERVER_USER",
     .codes = "",
     .polaris = false,
     .failure = false},
    {.name = "glued prefix",
     .text = "XERR-1006(SERVER_USER_ERROR): y",
     .codes = "",
     .polaris = false,
     .failure = false},
    {.name = "unknown name at end of line",
     .text = "x ERR-1006(NOT_A_CODE)",
     .codes = "",
     .polaris = false,
     .failure = false},
    {.name = "ERR- without parens in a Polaris record",
     .text = "polaris client said ERR-1006 once",
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "Polaris- lower case jar is not a Go code",
     .text = "loaded spring-cloud-tencent-polaris-1.0(x): y",
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "upper-case word before a colon is no gRPC status",
     .text = "polaris config: NOTE: OK: all good",
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "time is not an address",
     .text = "polaris Address: 12:30:45 connect to 10:20",
     .codes = "",
     .polaris = true,
     .failure = false},
    {.name = "empty record",
     .text = "",
     .codes = "",
     .facts = "",
     .polaris = false,
     .failure = false},
};

/* ------------------------------------------------------------------ */
/* "key<value>" pairs (instance fields, fail count, config namespace):
   where a key counts, where its value ends */

static const struct xcase key_values[] = {
    {.name = "keys in any order",
     .text = "[AsyncHeartbeat]Instance heartbeat success, port:8080, "
             "host:10.0.0.5, service:svc, namespace:ns",
     .ev = HB_EV_HEARTBEAT_OK,
     .ns = "ns",
     .service = "svc",
     .host = "10.0.0.5",
     .port = 8080,
     .codes = "",
     .polaris = true},
    {.name = "key at the end of the record, no value",
     .text = "[AsyncHeartbeat]Instance heartbeat success, service:svc, "
             "port:",
     .ev = HB_EV_HEARTBEAT_OK,
     .service = "svc",
     .codes = "",
     .polaris = true},
    {.name = "value at the end of the record",
     .text = "[AsyncHeartbeat]Instance heartbeat success, port:8080, "
             "service:svc",
     .ev = HB_EV_HEARTBEAT_OK,
     .service = "svc",
     .port = 8080,
     .codes = "",
     .polaris = true},
    {.name = "key cut before its colon",
     .text = "[AsyncHeartbeat]Instance heartbeat success, service:svc, "
             "namespac",
     .ev = HB_EV_HEARTBEAT_OK,
     .service = "svc",
     .codes = "",
     .polaris = true},
    {.name = "truncated and overlong ports",
     .text = "[AsyncHeartbeat]Instance heartbeat success, port:80",
     .ev = HB_EV_HEARTBEAT_OK,
     .port = 80,
     .codes = "",
     .polaris = true},
    {.name = "port of six digits is none",
     .text = "[AsyncHeartbeat]Instance heartbeat success, port:808080",
     .ev = HB_EV_HEARTBEAT_OK,
     .codes = "",
     .polaris = true},
    {.name = "port glued to letters is none",
     .text = "[AsyncHeartbeat]Instance heartbeat success, port:8080x",
     .ev = HB_EV_HEARTBEAT_OK,
     .codes = "",
     .polaris = true},
    {.name = "port 65536 is none",
     .text = "[AsyncHeartbeat]Instance heartbeat success, port:65536",
     .ev = HB_EV_HEARTBEAT_OK,
     .codes = "",
     .polaris = true},
    {.name = "repeated key: the first one counts",
     .text = "[AsyncHeartbeat]Instance heartbeat success, namespace:a, "
             "namespace:b, port:1, port:2",
     .ev = HB_EV_HEARTBEAT_OK,
     .ns = "a",
     .port = 1,
     .codes = "",
     .polaris = true},
    {.name = "repeated key whose first value is empty: none",
     .text = "[AsyncHeartbeat]Instance heartbeat success, namespace:, "
             "namespace:b",
     .ev = HB_EV_HEARTBEAT_OK,
     .codes = "",
     .polaris = true},
    {.name = "key inside a word does not count",
     .text = "[AsyncHeartbeat]Instance heartbeat success, myhost:1.1.1.1, "
             "xservice:no, service:yes, host:2.2.2.2",
     .ev = HB_EV_HEARTBEAT_OK,
     .service = "yes",
     .host = "2.2.2.2",
     .codes = "",
     .polaris = true},
    {.name = "key after punctuation counts, even inside a value",
     .text = "[AsyncHeartbeat]Instance heartbeat success, service:host:h1",
     .ev = HB_EV_HEARTBEAT_OK,
     .service = "host:h1",
     .host = "h1",
     .codes = "",
     .polaris = true},
    {.name = "values end at , | ' } and blanks",
     .text = "[AsyncHeartbeat]Instance heartbeat success, namespace:a|b, "
             "service:c'd, host:e}f, port:9\tx",
     .ev = HB_EV_HEARTBEAT_OK,
     .ns = "a",
     .service = "c",
     .host = "e",
     .port = 9,
     .codes = "",
     .polaris = true},
    {.name = "key seen before the phrase: the one after it counts",
     .text = "namespace:early service:one\n[AsyncHeartbeat]Instance "
             "heartbeat success, namespace:late, service:two",
     .ev = HB_EV_HEARTBEAT_OK,
     .ns = "late",
     .service = "two",
     .codes = "",
     .polaris = true},
    {.name = "key seen only before the phrase: none",
     .text = "service:one [AsyncHeartbeat]Instance heartbeat success, "
             "port:8080",
     .ev = HB_EV_HEARTBEAT_OK,
     .port = 8080,
     .codes = "",
     .polaris = true},
    {.name = "key on the next line is not read",
     .text = "[AsyncHeartbeat]Instance heartbeat success, service:svc\n"
             "namespace:next",
     .ev = HB_EV_HEARTBEAT_OK,
     .service = "svc",
     .codes = "",
     .polaris = true},
    {.name = "fail count: digits only",
     .text = "[AsyncHeartbeat]Instance heartbeat failed, heartbeat fail "
             "count:12|2025-05-10 10:20:30.123",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .fc = 12,
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "fail count glued to a letter is none",
     .text = "[AsyncHeartbeat]Instance heartbeat failed, heartbeat fail "
             "count:12x",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "fail count key at the end",
     .text = "[AsyncHeartbeat]Instance heartbeat failed, heartbeat fail "
             "count:",
     .ev = HB_EV_HEARTBEAT_FAIL,
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "quoted keys of Java toString, closed by }",
     .text = "polaris CommonProviderRequest{namespace='ns', service='svc', "
             "host='10.0.0.7', port=8081} ServiceKey{namespace='x'}",
     .ns = "ns",
     .service = "svc",
     .host = "10.0.0.7",
     .port = 8081,
     .codes = "",
     .polaris = true},
    {.name = "quoted key outside the braces is not read",
     .text = "polaris CommonProviderRequest{service='svc'} namespace='out'",
     .service = "svc",
     .codes = "",
     .polaris = true},
    {.name = "config namespace ends at a comma, not at a quote",
     .text = "[ServerConnector] failed to load config file. namespace = "
             "n's, fileGroup = g",
     .ev = HB_EV_CONFIG_FAIL,
     .ns = "n's",
     .codes = "",
     .polaris = true,
     .failure = true},
};

static void test_extract_key_values(void **state)
{
    (void)state;
    run_table(key_values, HB_ARRAY_LEN(key_values));
}

/* A record of n bytes (NUL bytes allowed) in a buffer of exactly that
   size, so the sanitizer build sees any read past it. */
static void extract_bytes(const char *text, size_t n, struct hb_polaris *p,
                          char **keep)
{
    struct hb_record rec;

    *keep = hb_xmalloc(n ? n : 1);
    memcpy(*keep, text, n);
    memset(&rec, 0, sizeof rec);
    rec.text.p = *keep;
    rec.text.n = n;
    rec.head = rec.text;
    hb_extract(&rec, p);
}

/* Every field is set whatever the struct held before (a scan reuses one
   on the stack): a record with everything, then one with nothing, both
   into a struct full of junk. */
static void test_extract_resets_every_field(void **state)
{
    static const char full[] =
        "[AsyncHeartbeat]Instance heartbeat failed, namespace:default, "
        "service:svc, host:10.0.0.5, port:8080, heartbeat fail count:1|"
        "2024-05-10 10:20:30.123\n"
        "com.tencent.polaris.api.exception.PolarisException: "
        "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is "
        "not open, UNAVAILABLE: io exception, connect to 10.0.0.7:8091, "
        "Polaris-1005 (x)";
    static const char *const empty[] = {"polaris said hello", "nothing at all"};
    struct hb_polaris p;
    size_t i;
    char *copy;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(empty); i++) {
        memset(&p, 0xA5, sizeof p);
        extract_bytes(full, sizeof full - 1, &p, &copy);
        free(copy);
        assert_true(p.sdk_code != 0 && p.server_code != 0 && p.port != 0);
        assert_true(p.sdk_name[0] && p.server_info[0] && p.grpc_status[0]);
        assert_true(p.ncodes > 0 && p.fail_count == 1 && p.failure);
        assert_string_equal(p.service, "svc");
        extract_bytes(empty[i], strlen(empty[i]), &p, &copy);
        free(copy);
        assert_int_equal(p.sdk_code, 0);
        assert_string_equal(p.sdk_name, "");
        assert_int_equal(p.go_code, 0);
        assert_string_equal(p.go_name, "");
        assert_int_equal(p.server_code, 0);
        assert_string_equal(p.server_info, "");
        assert_string_equal(p.grpc_status, "");
        assert_string_equal(p.grpc_desc, "");
        assert_int_equal(p.event, HB_EV_NONE);
        assert_string_equal(p.ns, "");
        assert_string_equal(p.service, "");
        assert_string_equal(p.host, "");
        assert_int_equal(p.port, 0);
        assert_string_equal(p.server_addr, "");
        assert_int_equal(p.fail_count, -1);
        assert_int_equal(p.ncodes, 0);
        assert_int_equal(p.nfacts, 0);
        assert_false(p.failure);
        assert_int_equal(p.polaris, i == 0);
    }
}

/* A NUL byte ends a value, like a stop byte. */
static void test_extract_key_value_nul(void **state)
{
    static const char text[] = "[AsyncHeartbeat]Instance heartbeat success, "
                               "namespace:de\0fault, service:s\0, host:\0h, "
                               "port:80\0"
                               "80";
    struct hb_polaris p;
    char *copy;

    (void)state;
    extract_bytes(text, sizeof text - 1, &p, &copy);
    assert_int_equal(p.event, HB_EV_HEARTBEAT_OK);
    assert_string_equal(p.ns, "de");
    assert_string_equal(p.service, "s");
    assert_string_equal(p.host, "");
    assert_int_equal(p.port, 80);
    free(copy);
}

/* Keys are read within the line window (LINE_WINDOW, 4096 bytes) of the
   phrase, on a line of any length; and a value runs to the window end. */
static void test_extract_key_value_long(void **state)
{
    static const char head[] = "[AsyncHeartbeat]Instance heartbeat success, ";
    size_t cap = 64 * 1024, n;
    char *text = hb_xmalloc(cap), *copy;
    struct hb_polaris p;

    (void)state;
    /* near: found after 4000 filler bytes */
    n = (size_t)snprintf(text, cap, "%s", head);
    memset(text + n, 'x', 4000);
    n += 4000;
    n += (size_t)snprintf(text + n, cap - n, " service:near");
    extract_bytes(text, n, &p, &copy);
    assert_string_equal(p.service, "near");
    free(copy);

    /* far: past the window, not read */
    n = (size_t)snprintf(text, cap, "%s", head);
    memset(text + n, 'x', 5000);
    n += 5000;
    n += (size_t)snprintf(text + n, cap - n, " service:far");
    extract_bytes(text, n, &p, &copy);
    assert_string_equal(p.service, "");
    assert_int_equal(p.event, HB_EV_HEARTBEAT_OK);
    free(copy);

    /* a value longer than the field is cut to fit */
    n = (size_t)snprintf(text, cap, "%sservice:", head);
    memset(text + n, 's', 3000);
    n += 3000;
    extract_bytes(text, n, &p, &copy);
    assert_int_equal(strlen(p.service), sizeof p.service - 1);
    free(copy);
    free(text);
}

/* ------------------------------------------------------------------ */
/* Plain gRPC statuses ("UNAVAILABLE: io exception"): which capitals count */

static const struct xcase grpc_plain[] = {
    {.name = "status at the start of the record",
     .text = "UNAVAILABLE: io exception (polaris)",
     .grpc = "UNAVAILABLE",
     .grpc_desc = "io exception (polaris)",
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "status as the last bytes, colon last",
     .text = "polaris call ended DEADLINE_EXCEEDED:",
     .grpc = "DEADLINE_EXCEEDED",
     .grpc_desc = "",
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "the first status in the text wins",
     .text = "polaris x NOT_FOUND: a, UNAVAILABLE: b",
     .grpc = "NOT_FOUND",
     .grpc_desc = "a, UNAVAILABLE: b",
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "glued to a letter, digit, '_', '.', '-' or '/': no status",
     .text = "polaris aUNAVAILABLE: 1UNAVAILABLE: _UNAVAILABLE: "
             "x.UNAVAILABLE: x-UNAVAILABLE: x/UNAVAILABLE:",
     .codes = "",
     .polaris = true},
    {.name = "longer capital runs are no status",
     .text = "polaris XUNAVAILABLE: UNAVAILABLEX: UNAVAILABLE_: U_NAVAILABLE:",
     .codes = "",
     .polaris = true},
    {.name = "a near miss, then the real one",
     .text = "polaris XUNAVAILABLE: then (CANCELLED: by peer)",
     .grpc = "CANCELLED",
     .grpc_desc = "by peer)",
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "after brackets, quotes and blanks",
     .text = "polaris [UNIMPLEMENTED: unknown service v1.PolarisGRPC]",
     .grpc = "UNIMPLEMENTED",
     .grpc_desc = "unknown service v1.PolarisGRPC]",
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "a blank before the colon: no status",
     .text = "polaris UNAVAILABLE : x",
     .codes = "",
     .polaris = true},
    {.name = "OK: is too short to count",
     .text = "polaris OK: fine",
     .codes = "",
     .polaris = true},
    {.name = "many colons, the status on the second line",
     .text = "polaris a:b:c::\n\tcause: DEADLINE_EXCEEDED: deadline exceeded "
             "after 2.9s",
     .grpc = "DEADLINE_EXCEEDED",
     .grpc_desc = "deadline exceeded after 2.9s",
     .codes = "",
     .polaris = true,
     .failure = true},
};

static void test_extract_grpc_plain(void **state)
{
    (void)state;
    run_table(grpc_plain, HB_ARRAY_LEN(grpc_plain));
}

/* Every status of codes.c but OK, written "NAME: desc", is found (the
   literal pass gates the search on each name). */
static void test_extract_grpc_plain_every_status(void **state)
{
    const char *name;
    size_t i, seen = 0;

    (void)state;
    for (i = 0; (name = hb_grpc_status_name(i)) != NULL; i++) {
        char text[96];
        struct hb_polaris p;
        char *copy;

        snprintf(text, sizeof text, "polaris call: %s: desc", name);
        extract_bytes(text, strlen(text), &p, &copy);
        if (strcmp(name, "OK") == 0) {
            assert_string_equal(p.grpc_status, "");
        } else {
            if (strcmp(p.grpc_status, name) != 0)
                fail_msg("'%s': grpc_status '%s'", text, p.grpc_status);
            assert_string_equal(p.grpc_desc, "desc");
            seen++;
        }
        free(copy);
    }
    assert_int_equal(seen, 16);
}

/* A NUL byte is a boundary like any other non-word byte. */
static void test_extract_grpc_plain_nul(void **state)
{
    static const char text[] = "polaris \0UNAVAILABLE: io\0exception";
    struct hb_polaris p;
    char *copy;

    (void)state;
    extract_bytes(text, sizeof text - 1, &p, &copy);
    assert_string_equal(p.grpc_status, "UNAVAILABLE");
    assert_string_equal(p.grpc_desc, "io");
    free(copy);
}

/* ------------------------------------------------------------------ */
/* The header level makes a Polaris line without a code a failure: ERROR
   and FATAL in any case, nothing else */

static const struct xcase levels[] = {
    {.name = "ERROR",
     .text = "polaris client gave up",
     .level = "ERROR",
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "lower-case error",
     .text = "polaris client gave up",
     .level = "error",
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "mixed-case Fatal",
     .text = "polaris client gave up",
     .level = "Fatal",
     .codes = "",
     .polaris = true,
     .failure = true},
    {.name = "WARN is no failure",
     .text = "polaris client gave up",
     .level = "WARN",
     .codes = "",
     .polaris = true},
    {.name = "a prefix of ERROR is no failure",
     .text = "polaris client gave up",
     .level = "ERR",
     .codes = "",
     .polaris = true},
    {.name = "ERROR on a success event is no failure",
     .text = "[AsyncHeartbeat]Instance heartbeat success, port:8080",
     .level = "ERROR",
     .ev = HB_EV_HEARTBEAT_OK,
     .port = 8080,
     .codes = "",
     .polaris = true},
};

static void test_extract_levels(void **state)
{
    (void)state;
    run_table(levels, HB_ARRAY_LEN(levels));
}

/* ------------------------------------------------------------------ */
/* Is the record about Polaris: the word in any case, the short loggers */

static const struct xcase markers[] = {
    {.name = "POLARIS counts",
     .text = "x POLARIS y",
     .codes = "",
     .polaris = true},
    {.name = "pOLARIS counts", .text = "pOLARIS", .codes = "", .polaris = true},
    {.name = "olaris alone or after another letter does not",
     .text = "olaris solaris xOLARIS PolARIS",
     .codes = "",
     .polaris = false},
    {.name = "solaris first, polaris later",
     .text = "running on solaris; loaded the polaris client",
     .codes = "",
     .polaris = true},
    {.name = "short logger at the start",
     .text = "c.t.p.p.c.g.GrpcConnector said hello",
     .codes = "",
     .polaris = true},
    {.name = "short logger inside a word or package does not count",
     .text = "xc.t.p.a a.c.t.p.b 1c.t.c.p.c",
     .codes = "",
     .polaris = false},
    {.name = "short logger after a glued one",
     .text = "org.c.t.p.x then [c.t.c.p.r.PolarisServiceRegistry]",
     .codes = "",
     .polaris = true},
};

static void test_extract_markers(void **state)
{
    (void)state;
    run_table(markers, HB_ARRAY_LEN(markers));
}

static void test_extract_near_misses(void **state)
{
    (void)state;
    run_table(near_misses, HB_ARRAY_LEN(near_misses));
}

/* ------------------------------------------------------------------ */

static void test_extract_event_names(void **state)
{
    static const char *const want[] = {
        "none",           "register-ok",   "register-fail",   "heartbeat-ok",
        "heartbeat-fail", "reregister-ok", "reregister-fail", "deregister",
        "discover-fail",  "config-fail",   "connect-fail",    "startup-fail",
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(want); i++)
        assert_string_equal(hb_event_name((enum hb_event)i), want[i]);
    assert_string_equal(hb_event_name((enum hb_event)99), "none");
}

/* Caps: more codes and facts than fit, huge lines, a NUL-free buffer with
   no terminator after the record. */
static void test_extract_caps(void **state)
{
    static char text[64 * 1024];
    struct hb_record rec;
    struct hb_polaris p;
    size_t n = 0;
    int i;

    (void)state;
    for (i = 0; i < 40 && n + 200 < sizeof text; i++)
        n += (size_t)snprintf(text + n, sizeof text - n,
                              "ERR-%d(SERVER_USER_ERROR): server error %d: x "
                              "grpc://10.0.%d.1:8091 ~[grpc-core-1.%d.0.jar]\n",
                              1000 + i, 400100 + i, i, i);
    while (n < sizeof text)
        text[n++] = 'A';
    memset(&rec, 0, sizeof rec);
    rec.text.p = text;
    rec.text.n = sizeof text; /* not NUL-terminated on purpose */
    rec.head = rec.text;
    hb_extract(&rec, &p);
    assert_int_equal(p.ncodes, HB_MAX_CODES);
    assert_int_equal(p.nfacts, HB_MAX_FACTS);
    assert_true(p.failure);
    assert_string_equal(p.codes[0].key, "ERR-1000");
    for (i = 1; i < p.ncodes; i++)
        assert_string_not_equal(p.codes[i].key, p.codes[i - 1].key);
}

/* Every prefix of every real case, in a buffer of exactly that size (so
   the sanitizer build catches any read past the record): no crash, and
   whatever is found is consistent. */
static void test_extract_truncations(void **state)
{
    size_t i, len;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(real_cases); i++) {
        const char *text = real_cases[i].text;
        size_t n = strlen(text);

        for (len = 0; len <= n; len += 1 + len / 64) {
            char *copy = hb_xmalloc(len ? len : 1);
            struct hb_record rec;
            struct hb_polaris p;

            memcpy(copy, text, len);
            memset(&rec, 0, sizeof rec);
            rec.text.p = copy;
            rec.text.n = len;
            rec.head = rec.text;
            hb_extract(&rec, &p);
            assert_true(p.ncodes >= 0 && p.ncodes <= HB_MAX_CODES);
            assert_true(p.nfacts >= 0 && p.nfacts <= HB_MAX_FACTS);
            assert_true(!p.failure || p.polaris);
            assert_true(strlen(p.server_info) < sizeof p.server_info);
            free(copy);
        }
    }
}

/* Work is linear: a record of many repeated Polaris lines at the byte cap
   is extracted quickly (a quadratic scan would take seconds). */
static void test_extract_linear(void **state)
{
    static const char line[] =
        "[AsyncHeartbeat]Instance heartbeat failed, namespace:default, "
        "service:svc, host:10.0.0.5, port:8080, serverErrCode:400401, "
        "heartbeat fail count:2 register ERR-10 server error 4004 code: "
        "Address: grpc:// Connection refused: ConnID{ .jar polaris\n";
    size_t cap = 256 * 1024, n = 0;
    char *text = hb_xmalloc(cap);
    struct hb_record rec;
    struct hb_polaris p;
    clock_t t0;
    int k;

    (void)state;
    while (n + sizeof line - 1 <= cap) {
        memcpy(text + n, line, sizeof line - 1);
        n += sizeof line - 1;
    }
    memset(&rec, 0, sizeof rec);
    rec.text.p = text;
    rec.text.n = n;
    rec.head.p = text;
    rec.head.n = 10;
    t0 = clock();
    for (k = 0; k < 10; k++)
        hb_extract(&rec, &p);
    assert_true(p.failure);
    assert_int_equal(p.server_code, 400401);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
    free(text);
}

/* The same for one giant line full of near-candidates (a class path, a
   minified dump): per-candidate work must not run to the end of line. */
static void test_extract_linear_one_line(void **state)
{
    static const char chunk[] =
        "polaris code = 12 code: x errCode y ConnID{ Status{code=Q "
        "rpc error: code = Q connection switched from a :: Spring Boot :: "
        "lib-a.jar /com/tencent/cloud/a/b "
        "server error 1 server code 2 \"code\": 3 ";
    size_t cap = 256 * 1024, n = 0;
    char *text = hb_xmalloc(cap);
    struct hb_record rec;
    struct hb_polaris p;
    clock_t t0;

    (void)state;
    while (n + sizeof chunk - 1 <= cap) {
        memcpy(text + n, chunk, sizeof chunk - 1);
        n += sizeof chunk - 1;
    }
    memset(&rec, 0, sizeof rec);
    rec.text.p = text;
    rec.text.n = n;
    rec.head = rec.text;
    t0 = clock();
    hb_extract(&rec, &p);
    assert_true(p.polaris);
    assert_int_equal(p.ncodes, 0);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5);
    free(text);
}

/* Fills text with copies of chunk up to cap bytes, then tail; returns the
   length. */
static size_t repeat_into(char *text, size_t cap, const char *chunk,
                          const char *tail)
{
    size_t n = 0, c = strlen(chunk), t = strlen(tail);

    while (n + c + t <= cap) {
        memcpy(text + n, chunk, c);
        n += c;
    }
    memcpy(text + n, tail, t);
    return n + t;
}

/* Colons, capital runs, "olaris" and keys by the thousand on one line:
   each scanner still finds the one real thing at the end, in linear time. */
static void test_extract_linear_near_misses(void **state)
{
    static const struct {
        const char *chunk, *tail;
    } cases[] = {
        {"polaris ABCDEFGHIJ:", " UNAVAILABLE: at last"},
        {"A", ": polaris UNAVAILABLE: at last"},
        {"solaris ", "polaris UNAVAILABLE: at last"},
        {"[AsyncHeartbeat]Instance heartbeat success, xhost:h xport:1 ",
         "\n[AsyncHeartbeat]Instance heartbeat success, UNAVAILABLE: at last"},
    };
    size_t cap = 256 * 1024, i;
    char *text = hb_xmalloc(cap), *copy;
    struct hb_polaris p;
    clock_t t0;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        size_t n = repeat_into(text, cap, cases[i].chunk, cases[i].tail);

        t0 = clock();
        extract_bytes(text, n, &p, &copy);
        assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5);
        assert_true(p.polaris);
        assert_string_equal(p.grpc_status, "UNAVAILABLE");
        assert_string_equal(p.grpc_desc, "at last");
        assert_string_equal(p.host, "");
        assert_int_equal(p.port, 0);
        free(copy);
    }
    free(text);
}

/* The struct is fully initialised, whatever the caller's storage held:
   the bytes after each code key are zero too. */
static void test_extract_zeroed(void **state)
{
    static const char text[] = "ERR-1006(SERVER_USER_ERROR): server error "
                               "400401: client api is not open";
    struct hb_polaris p;
    char *copy;
    size_t k;
    int i;

    (void)state;
    memset(&p, 0xa5, sizeof p);
    extract_bytes(text, sizeof text - 1, &p, &copy);
    assert_int_equal(p.ncodes, 2);
    for (i = 0; i < HB_MAX_CODES; i++)
        for (k = strlen(p.codes[i].key); k < sizeof p.codes[i].key; k++)
            assert_int_equal(p.codes[i].key[k], 0);
    free(copy);
}

/* Where each fact was seen. */
static void test_extract_fact_how(void **state)
{
    static const char text[] =
        " :: Spring Boot ::        (v2.7.18)\n"
        "polaris at com.tencent.polaris.X.y(X.java:1) ~[polaris-all-1.15.0."
        "jar:na] /com/tencent/cloud/spring-cloud-tencent-commons/1.13.0-"
        "2021.0.9/ ConnID{id='a', clusterType=X, host='10.0.0.1', "
        "port=8091}";
    static const struct {
        enum hb_fact_kind kind;
        const char *key, *value, *how;
    } want[] = {
        {HB_FACT_ADDRESS, "connid", "10.0.0.1:8091", "connid"},
        {HB_FACT_VERSION, "spring-boot", "2.7.18", "banner"},
        {HB_FACT_VERSION, "polaris-java", "1.15.0", "jar"},
        {HB_FACT_VERSION, "spring-cloud-tencent", "1.13.0-2021.0.9",
         "maven-path"},
    };
    struct hb_record rec;
    struct hb_polaris p;
    size_t i;

    (void)state;
    memset(&rec, 0, sizeof rec);
    rec.text.p = text;
    rec.text.n = strlen(text);
    hb_extract(&rec, &p);
    assert_int_equal(p.nfacts, HB_ARRAY_LEN(want));
    for (i = 0; i < HB_ARRAY_LEN(want); i++) {
        assert_int_equal(p.facts[i].kind, want[i].kind);
        assert_string_equal(p.facts[i].key, want[i].key);
        assert_string_equal(p.facts[i].value, want[i].value);
        assert_string_equal(p.facts[i].how, want[i].how);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extract_real_cases),
        cmocka_unit_test(test_extract_sdk_messages),
        cmocka_unit_test(test_extract_heartbeat_lines),
        cmocka_unit_test(test_extract_sct_lines),
        cmocka_unit_test(test_extract_connection_lines),
        cmocka_unit_test(test_extract_server_lines),
        cmocka_unit_test(test_extract_versions),
        cmocka_unit_test(test_extract_key_values),
        cmocka_unit_test(test_extract_resets_every_field),
        cmocka_unit_test(test_extract_key_value_nul),
        cmocka_unit_test(test_extract_key_value_long),
        cmocka_unit_test(test_extract_grpc_plain),
        cmocka_unit_test(test_extract_grpc_plain_every_status),
        cmocka_unit_test(test_extract_grpc_plain_nul),
        cmocka_unit_test(test_extract_levels),
        cmocka_unit_test(test_extract_markers),
        cmocka_unit_test(test_extract_near_misses),
        cmocka_unit_test(test_extract_event_names),
        cmocka_unit_test(test_extract_caps),
        cmocka_unit_test(test_extract_fact_how),
        cmocka_unit_test(test_extract_zeroed),
        cmocka_unit_test(test_extract_truncations),
        cmocka_unit_test(test_extract_linear),
        cmocka_unit_test(test_extract_linear_one_line),
        cmocka_unit_test(test_extract_linear_near_misses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
