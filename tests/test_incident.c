/*
 * test_incident.c - incidents and observations built from hand-made
 * records: flat fields, evidence line, exception class, captures overriding
 * extraction, Kubernetes paths, text cap, fingerprint stability, and the
 * observations of successful events and facts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "extract.h"
#include "incident.h"
#include "rules.h"
#include "util.h"

/* A record as the assembler would hand it over. message: the header
   message (NULL for a plain record). */
static void make_record(struct hb_record *rec, const char *source,
                        uint64_t first_line, const char *text,
                        const char *level, const char *message)
{
    const char *nl = strchr(text, '\n');
    size_t n = strlen(text);

    memset(rec, 0, sizeof *rec);
    rec->source = source;
    rec->first_line = first_line;
    rec->last_line = first_line;
    for (const char *p = text; (p = strchr(p, '\n')) != NULL; p++)
        rec->last_line++;
    rec->text.p = text;
    rec->text.n = n;
    rec->head.p = text;
    rec->head.n = nl ? (size_t)(nl - text) : n;
    rec->format = level ? "springboot" : "plain";
    rec->hdr.pid = -1;
    rec->hdr.ts_ms = HB_NO_TIME;
    if (level) {
        hb_strlcpy(rec->hdr.level, level, strlen(level), sizeof rec->hdr.level);
        rec->hdr.ts.p = text;
        rec->hdr.ts.n = 23;
        rec->hdr.ts_ms = 1710332164123;
    }
    if (message) {
        const char *m = strstr(text, message);

        rec->hdr.message.p = m;
        rec->hdr.message.n = m ? strlen(message) : 0;
    }
}

static void build(struct hb_incident *inc, struct hb_record *rec,
                  const struct hb_hit *hits, int nhits)
{
    struct hb_polaris pol;

    hb_extract(rec, &pol);
    hb_incident_build(inc, rec, &pol, hits, nhits);
}

static const char sct_fail[] =
    "2024-03-13 20:16:04.123 ERROR 12345 --- [           main] "
    "c.t.c.p.registry.PolarisServiceRegistry  : polaris registry, demo-svc "
    "register failed...PolarisRegistration{host='10.0.0.5'},\n"
    "\n"
    "com.tencent.polaris.api.exception.PolarisException: "
    "ERR-1004(API_TIMEOUT): instance register request timeout.\n"
    "\tat com.tencent.polaris.discovery.client.flow.DefaultDiscoveryFlow."
    "registerInstance(DefaultDiscoveryFlow.java:120) "
    "~[polaris-discovery-client-1.15.0.jar:na]\n"
    "Caused by: com.tencent.polaris.api.exception.ServerErrorResponseException"
    ": ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not "
    "open\n"
    "\t... 12 more";

static void test_incident_build_fields(void **state)
{
    struct hb_record rec;
    struct hb_incident inc;

    (void)state;
    make_record(&rec, "/var/log/app/app.log", 100, sct_fail, "ERROR",
                "polaris registry, demo-svc register failed..."
                "PolarisRegistration{host='10.0.0.5'},");
    build(&inc, &rec, NULL, 0);
    assert_string_equal(inc.source, "/var/log/app/app.log");
    assert_int_equal(inc.first_line, 100);
    assert_int_equal(inc.last_line, 105);
    assert_int_equal(inc.ts_ms, 1710332164123);
    assert_string_equal(inc.ts_text, "2024-03-13 20:16:04.123");
    assert_string_equal(inc.level, "ERROR");
    assert_string_equal(inc.format, "springboot");
    assert_string_equal(inc.service, "demo-svc");
    assert_string_equal(inc.host, "10.0.0.5");
    assert_int_equal(inc.sdk_code, 1006);
    assert_string_equal(inc.sdk_name, "SERVER_USER_ERROR");
    assert_int_equal(inc.server_code, 400401);
    assert_int_equal(inc.event, HB_EV_REGISTER_FAIL);
    /* the line with the server code is the one to read */
    assert_int_equal(inc.evidence_line, 104);
    assert_string_equal(inc.evidence,
                        "Caused by: com.tencent.polaris.api.exception."
                        "ServerErrorResponseException: ERR-1006"
                        "(SERVER_USER_ERROR): server error 400401: client "
                        "api is not open");
    assert_string_equal(inc.exc_class, "com.tencent.polaris.api.exception."
                                       "ServerErrorResponseException");
    assert_string_equal(inc.message, "polaris registry, demo-svc register "
                                     "failed...PolarisRegistration{host="
                                     "'10.0.0.5'},");
    assert_int_equal(inc.ncodes, 3);
    assert_string_equal(inc.codes[0].key, "ERR-1004");
    assert_string_equal(inc.codes[1].key, "ERR-1006");
    assert_string_equal(inc.codes[2].key, "400401");
    assert_null(inc.rule_id);
    assert_int_equal(inc.cause, HB_CAUSE_NONE);
    assert_int_equal(inc.severity, HB_SEV_ERROR);
    assert_int_equal(inc.nhits, 0);
    assert_int_equal(inc.text.n, strlen(sct_fail));
    assert_int_equal(strlen(inc.fingerprint), 16);
    assert_int_equal(strspn(inc.fingerprint, "0123456789abcdef"), 16);
    assert_string_equal(inc.k8s_pod, "");
}

static void test_incident_evidence(void **state)
{
    static const struct {
        const char *name;
        const char *text;
        uint64_t line; /* relative to first_line 1 */
        const char *evidence;
    } t[] = {
        {"trace without code: failure words",
         "[polaris-inmemory-2] persisting cache\n"
         "fail to lock file /tmp/x.yaml.tmp, ignore and retry later",
         2, "fail to lock file /tmp/x.yaml.tmp, ignore and retry later"},
        {"startup failure: the description",
         "***************************\n"
         "APPLICATION FAILED TO START\n"
         "***************************\n"
         "\n"
         "Description:\n"
         "\n"
         "An attempt was made to call a method that does not exist.\n"
         "    com.tencent.cloud.polaris.X.build(X.java:90)",
         7, "An attempt was made to call a method that does not exist."},
        {"gRPC status line",
         "polaris connector gave up\n"
         "Caused by: io.grpc.StatusRuntimeException: UNAVAILABLE: io "
         "exception",
         2,
         "Caused by: io.grpc.StatusRuntimeException: UNAVAILABLE: io "
         "exception"},
        {"SCT name form: the ERR line",
         "polaris heartbeat[SERVER_USER_ERROR]\n"
         "\n"
         "com.tencent.polaris.api.exception.PolarisException: "
         "ERR-1006(SERVER_USER_ERROR), server error 400141: heartbeat on "
         "disabled instance",
         3,
         "com.tencent.polaris.api.exception.PolarisException: "
         "ERR-1006(SERVER_USER_ERROR), server error 400141: heartbeat on "
         "disabled instance"},
        {"nothing special: the head",
         "polaris registry, a b 1.2.3.4:80 {} "
         "register finished",
         1, "polaris registry, a b 1.2.3.4:80 {} register finished"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(t); i++) {
        struct hb_record rec;
        struct hb_incident inc;

        make_record(&rec, "x.log", 1, t[i].text, NULL, NULL);
        build(&inc, &rec, NULL, 0);
        if (inc.evidence_line != t[i].line ||
            strcmp(inc.evidence, t[i].evidence) != 0)
            print_error("case %s: line %lu \"%s\"\n", t[i].name,
                        (unsigned long)inc.evidence_line, inc.evidence);
        assert_int_equal(inc.evidence_line, t[i].line);
        assert_string_equal(inc.evidence, t[i].evidence);
    }
}

/* One physical line whose text holds several (a JSON record with its
   stack trace, CRI partials joined): the evidence line number stays
   within the lines the record came from. */
static void test_incident_evidence_line_in_record(void **state)
{
    static const char text[] =
        "2024-03-13 20:16:04.123 ERROR 1 --- [main] c.t.X : polaris "
        "heartbeat error\n"
        "com.tencent.polaris.api.exception.PolarisException: x\n"
        "\tat a.b.C(C.java:1)\n"
        "Caused by: com.tencent.polaris.api.exception.PolarisException: "
        "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not "
        "open";
    struct hb_record rec;
    struct hb_incident inc;

    (void)state;
    make_record(&rec, "x.log", 7, text, "ERROR", "polaris heartbeat error");
    rec.last_line = 7; /* one line of the file */
    build(&inc, &rec, NULL, 0);
    assert_non_null(strstr(inc.evidence, "400401"));
    assert_int_equal(inc.evidence_line, 7);

    /* two physical lines, the second joined from partials: not past it */
    rec.last_line = 8;
    build(&inc, &rec, NULL, 0);
    assert_true(inc.evidence_line >= 7 && inc.evidence_line <= 8);
}

static void test_incident_exception_class(void **state)
{
    static const struct {
        const char *text;
        const char *cls;
    } t[] = {
        {"java.lang.IllegalStateException: boom\n"
         "\tat a.B.c(B.java:1)\n"
         "Caused by: java.net.ConnectException: Connection refused\n"
         "Caused by: java.io.IOException\n",
         "java.io.IOException"},
        {"com.tencent.polaris.api.exception.PolarisException: ERR-1006"
         "(SERVER_USER_ERROR): x",
         "com.tencent.polaris.api.exception.PolarisException"},
        {"polaris registry, svc register failed...\n"
         "  java.lang.NoSuchMethodError: 'void a.b()'",
         "java.lang.NoSuchMethodError"},
        {"no exception here, polaris", ""},
        {"fail to write /tmp/x#a.tmpjava.io.IOException: polaris", ""},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(t); i++) {
        struct hb_record rec;
        struct hb_incident inc;

        make_record(&rec, "x.log", 1, t[i].text, NULL, NULL);
        build(&inc, &rec, NULL, 0);
        assert_string_equal(inc.exc_class, t[i].cls);
    }
}

/* The assembler's chain, when present, decides. */
static void test_incident_exception_from_chain(void **state)
{
    static const char text[] = "x: y\nCaused by: a.b.CException: z";
    struct hb_record rec;
    struct hb_incident inc;

    (void)state;
    make_record(&rec, "x.log", 1, text, NULL, NULL);
    rec.chain[0].cls = (struct hb_str){"com.x.Outer", 11};
    rec.chain[1].cls = (struct hb_str){"com.x.InnerException", 20};
    rec.nchain = 2;
    build(&inc, &rec, NULL, 0);
    assert_string_equal(inc.exc_class, "com.x.InnerException");
}

static const struct hb_rule_meta port_rule = {
    .id = "port-not-8091",
    .cause = HB_CAUSE_PORT,
    .severity = HB_SEV_CRITICAL,
    .weight = 0.9,
};

static const struct hb_rule_meta gating_rule = {
    .id = "api-gating-400401",
    .cause = HB_CAUSE_API_GATING,
    .severity = HB_SEV_ERROR,
    .weight = 0.6,
};

static void set_cap(struct hb_hit *h, const char *name, const char *value)
{
    struct hb_capture *c = &h->caps[h->ncaps++];

    hb_strlcpy(c->name, name, strlen(name), sizeof c->name);
    hb_strlcpy(c->value, value, strlen(value), sizeof c->value);
}

static void test_incident_hits_and_captures(void **state)
{
    struct hb_hit hits[2];
    struct hb_record rec;
    struct hb_incident inc;

    (void)state;
    memset(hits, 0, sizeof hits);
    hits[0].rule = &port_rule;
    set_cap(&hits[0], "host", "10.9.9.9");
    set_cap(&hits[0], "port", "18080");
    set_cap(&hits[0], "server", "11.154.192.97:8081");
    hits[1].rule = &gating_rule;
    set_cap(&hits[1], "service", "from-second-hit");
    set_cap(&hits[1], "host", "ignored.because.first.hit.wins");
    set_cap(&hits[1], "namespace", "prod");

    make_record(&rec, "x.log", 1, sct_fail, "ERROR", NULL);
    build(&inc, &rec, hits, 2);
    assert_int_equal(inc.nhits, 2);
    assert_string_equal(inc.rule_id, "port-not-8091");
    assert_int_equal(inc.cause, HB_CAUSE_PORT);
    assert_int_equal(inc.severity, HB_SEV_CRITICAL);
    assert_true(inc.weight > 0.89 && inc.weight < 0.91);
    assert_string_equal(inc.host, "10.9.9.9");
    assert_int_equal(inc.port, 18080);
    assert_string_equal(inc.server_addr, "11.154.192.97:8081");
    assert_string_equal(inc.service, "from-second-hit");
    assert_string_equal(inc.ns, "prod");
    assert_string_equal(hb_incident_capture(&inc, "port"), "18080");
    assert_null(hb_incident_capture(&inc, "api"));

    /* a bad port capture leaves the extracted value */
    memset(hits, 0, sizeof hits);
    hits[0].rule = &port_rule;
    set_cap(&hits[0], "port", "80x");
    build(&inc, &rec, hits, 1);
    assert_int_equal(inc.port, 0);
    assert_string_equal(inc.host, "10.0.0.5");
}

static void test_incident_k8s_paths(void **state)
{
    static const struct {
        const char *path;
        const char *ns, *pod, *container;
    } t[] = {
        {"/var/log/pods/prod_order-7d9f-abc12_0f1e2d3c-1111-2222-3333-"
         "444455556666/app/0.log",
         "prod", "order-7d9f-abc12", "app"},
        {"/var/log/containers/order-7d9f-abc12_prod_app-0123456789abcdef"
         ".log",
         "prod", "order-7d9f-abc12", "app"},
        {"/var/log/app/app.log", "", "", ""},
        {"/var/log/containers/noseparators.log", "", "", ""},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(t); i++) {
        struct hb_record rec;
        struct hb_incident inc;

        make_record(&rec, t[i].path, 1, "ERR-1006(SERVER_USER_ERROR): x", NULL,
                    NULL);
        build(&inc, &rec, NULL, 0);
        assert_string_equal(inc.k8s_namespace, t[i].ns);
        assert_string_equal(inc.k8s_pod, t[i].pod);
        assert_string_equal(inc.k8s_container, t[i].container);
    }
}

static void test_incident_text_cap(void **state)
{
    static char text[HB_INCIDENT_TEXT_CAP * 3];
    struct hb_record rec;
    struct hb_incident inc;
    size_t n;

    (void)state;
    n = (size_t)snprintf(text, sizeof text,
                         "ERR-1007(NETWORK_ERROR): fail to heartbeat\n");
    memset(text + n, 'x', sizeof text - n - 1);
    text[sizeof text - 1] = '\0';
    make_record(&rec, "x.log", 1, text, NULL, NULL);
    build(&inc, &rec, NULL, 0);
    assert_int_equal(inc.text.n, HB_INCIDENT_TEXT_CAP);
    assert_ptr_equal(inc.text.p, text);
    assert_true(strlen(inc.message) < sizeof inc.message);
}

static void fingerprint_of(const char *text, const char *level,
                           const char *message, const struct hb_hit *hits,
                           int nhits, char out[17])
{
    struct hb_record rec;
    struct hb_incident inc;

    make_record(&rec, "x.log", 1, text, level, message);
    build(&inc, &rec, hits, nhits);
    memcpy(out, inc.fingerprint, 17);
}

#define PINNED_FP "b20f030709c101af"

/* The same failure at other times, from other threads, instance ids,
   hosts and ports groups together; another code or rule does not. */
static void test_incident_fingerprint_stability(void **state)
{
    static const char *const same[] = {
        "2024-03-13 20:16:04.123 ERROR 1 --- [polaris-async-register-1] "
        "c.t.p.d.c.f.RegisterFlow : heartbeat fail, req: "
        "CommonProviderRequest{instanceID='8ba71ca9ca4555bde32320a17199ce32',"
        " host='10.0.0.5', port=8080}, msg: ERR-1006(SERVER_USER_ERROR): "
        "server error 400401: client api is not open",
        "2025-01-02 03:04:05.678 ERROR 99 --- [polaris-async-register-7] "
        "c.t.p.d.c.f.RegisterFlow : heartbeat fail, req: "
        "CommonProviderRequest{instanceID='0f1e2d3c4b5a69788796a5b4c3d2e1f0',"
        " host='10.2.3.44', port=18080}, msg: ERR-1006(SERVER_USER_ERROR): "
        "server error 400401: client api is not open",
    };
    char a[17], b[17], c[17], d[17], e[17], f[17];
    struct hb_hit hit;

    (void)state;
    fingerprint_of(same[0], "ERROR", NULL, NULL, 0, a);
    fingerprint_of(same[1], "ERROR", NULL, NULL, 0, b);
    assert_string_equal(a, b);

    /* the same with the message split off by the header parser */
    fingerprint_of(same[0], "ERROR", strstr(same[0], "heartbeat fail"), NULL, 0,
                   c);
    fingerprint_of(same[1], "ERROR", strstr(same[1], "heartbeat fail"), NULL, 0,
                   d);
    assert_string_equal(c, d);

    /* UUID-like request ids and host names too */
    fingerprint_of("receiveAndNotify: D3C90F4C-07A5-4A8D-915C-BF45C02DE61E "
                   "fail to receive message from connection {ID: 1, "
                   "Address: polaris.a.com:8091}",
                   NULL, NULL, NULL, 0, e);
    fingerprint_of("receiveAndNotify: EF4ED44E-6AED-4652-A5A2-CB89D4883DFA "
                   "fail to receive message from connection {ID: 27, "
                   "Address: polaris.b.com:8091}",
                   NULL, NULL, NULL, 0, f);
    assert_string_equal(e, f);

    /* another server code */
    fingerprint_of("ERR-1006(SERVER_USER_ERROR): server error 400141: "
                   "heartbeat on disabled instance",
                   NULL, NULL, NULL, 0, c);
    fingerprint_of("ERR-1006(SERVER_USER_ERROR): server error 400202: not "
                   "found resource",
                   NULL, NULL, NULL, 0, d);
    assert_string_not_equal(c, d);

    /* another SDK code with the same words */
    fingerprint_of("ERR-1004(API_TIMEOUT): heartbeat request timeout.", NULL,
                   NULL, NULL, 0, e);
    fingerprint_of("ERR-1007(NETWORK_ERROR): heartbeat request timeout.", NULL,
                   NULL, NULL, 0, f);
    assert_string_not_equal(e, f);

    /* classified vs unclassified */
    memset(&hit, 0, sizeof hit);
    hit.rule = &gating_rule;
    fingerprint_of(same[0], "ERROR", NULL, &hit, 1, c);
    assert_string_not_equal(a, c);

    /* stable across calls and runs: fingerprints are stored, so a change of
       the algorithm must be deliberate (and this value updated) */
    fingerprint_of(same[0], "ERROR", NULL, NULL, 0, d);
    assert_string_equal(a, d);
    assert_string_equal(a, PINNED_FP);
}

struct obs_log {
    int n;
    struct hb_obs o[8];
};

static void collect(void *ctx, const struct hb_obs *o)
{
    struct obs_log *log = ctx;

    if (log->n < 8)
        log->o[log->n++] = *o;
}

static void test_incident_observations(void **state)
{
    static const char ok_text[] =
        "2024-03-13 20:16:04.123  INFO 1 --- [main] c.t.c.p.registry."
        "PolarisServiceRegistry  : polaris registry, default demo-svc "
        "10.0.0.5:8080 {} register finished grpc://10.0.0.1:8091 "
        "~[spring-cloud-starter-tencent-polaris-discovery-1.13.0-2022.0.4."
        "jar:na]";
    static const char fail_text[] =
        "[AsyncHeartbeat]Instance heartbeat failed, namespace:default, "
        "service:svc, host:10.0.0.5, port:8080, serverErrCode:400401, "
        "heartbeat fail count:1";
    struct hb_record rec;
    struct hb_polaris pol;
    struct obs_log log;
    int n;

    (void)state;
    memset(&log, 0, sizeof log);
    make_record(&rec, "app.log", 7, ok_text, "INFO", NULL);
    hb_extract(&rec, &pol);
    n = hb_obs_from_record(&rec, &pol, collect, &log);
    assert_int_equal(n, 3);
    assert_int_equal(log.n, 3);
    assert_string_equal(log.o[0].kind, "register-ok");
    assert_string_equal(log.o[0].ns, "default");
    assert_string_equal(log.o[0].service, "demo-svc");
    assert_string_equal(log.o[0].host, "10.0.0.5");
    assert_int_equal(log.o[0].port, 8080);
    assert_string_equal(log.o[0].value, "10.0.0.1:8091");
    assert_int_equal(log.o[0].line, 7);
    assert_int_equal(log.o[0].ts_ms, 1710332164123);
    assert_int_equal(strncmp(log.o[0].text, "2024-03-13", 10), 0);
    assert_string_equal(log.o[1].kind, "address");
    assert_string_equal(log.o[1].key, "grpc-url");
    assert_string_equal(log.o[1].value, "10.0.0.1:8091");
    assert_string_equal(log.o[2].kind, "version");
    assert_string_equal(log.o[2].key, "spring-cloud-tencent");
    assert_string_equal(log.o[2].value, "1.13.0-2022.0.4");

    /* a failure yields no event observation */
    memset(&log, 0, sizeof log);
    make_record(&rec, "polaris.log", 1, fail_text, NULL, NULL);
    hb_extract(&rec, &pol);
    assert_true(pol.failure);
    assert_int_equal(hb_obs_from_record(&rec, &pol, collect, &log), 0);
    assert_int_equal(log.n, 0);

    /* NULL callback: still counts */
    make_record(&rec, "app.log", 7, ok_text, "INFO", NULL);
    hb_extract(&rec, &pol);
    assert_int_equal(hb_obs_from_record(&rec, &pol, NULL, NULL), 3);
}

static void test_incident_empty_record(void **state)
{
    struct hb_record rec;
    struct hb_polaris pol;
    struct hb_incident inc;

    (void)state;
    memset(&rec, 0, sizeof rec);
    hb_extract(&rec, &pol);
    hb_incident_build(&inc, &rec, &pol, NULL, -3);
    assert_int_equal(inc.nhits, 0);
    assert_string_equal(inc.evidence, "");
    assert_int_equal(inc.text.n, 0);
    assert_int_equal(inc.ts_ms, HB_NO_TIME);
    assert_int_equal(strlen(inc.fingerprint), 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incident_build_fields),
        cmocka_unit_test(test_incident_evidence),
        cmocka_unit_test(test_incident_evidence_line_in_record),
        cmocka_unit_test(test_incident_exception_class),
        cmocka_unit_test(test_incident_exception_from_chain),
        cmocka_unit_test(test_incident_hits_and_captures),
        cmocka_unit_test(test_incident_k8s_paths),
        cmocka_unit_test(test_incident_text_cap),
        cmocka_unit_test(test_incident_fingerprint_stability),
        cmocka_unit_test(test_incident_observations),
        cmocka_unit_test(test_incident_empty_record),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
