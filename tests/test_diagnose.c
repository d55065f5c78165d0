/*
 * test_diagnose.c - rankings of hand-built incidents, observations and
 * findings: each required behaviour of the diagnosis (port vs api-gating,
 * version-mismatch vs network, refused connections, no failure, the
 * unclassified, alternatives, correlation facts, bounded memory).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diagnose.h"
#include "report.h"
#include "rules.h"
#include "util.h"

/* ---- rules made by hand --------------------------------------------- */

static const struct hb_rule_meta R401 = {
    .id = "sdk-400401",
    .title = "Client API not open (400401)",
    .description = "The server answered 400401 client api is not open.",
    .action = "Check the port and the listener's api.client.include.",
    .cause = HB_CAUSE_API_GATING,
    .severity = HB_SEV_ERROR,
    .weight = 0.9,
    .alternatives = {HB_CAUSE_PORT, HB_CAUSE_NONE},
};
static const struct hb_rule_meta R401P = {
    .id = "sct-400401-port",
    .title = "Client API not open",
    .cause = HB_CAUSE_PORT,
    .severity = HB_SEV_ERROR,
    .weight = 0.85,
    .alternatives = {HB_CAUSE_API_GATING, HB_CAUSE_NONE},
};
static const struct hb_rule_meta RUNIMPL = {
    .id = "grpc-unimplemented",
    .title = "Unknown gRPC service",
    .cause = HB_CAUSE_PORT,
    .severity = HB_SEV_ERROR,
    .weight = 0.8,
    .alternatives = {HB_CAUSE_API_GATING, HB_CAUSE_NONE},
};
static const struct hb_rule_meta RNET = {
    .id = "sdk-network-error",
    .title = "Network error talking to Polaris",
    .description = "ERR-1007 NETWORK_ERROR.",
    .cause = HB_CAUSE_NETWORK,
    .severity = HB_SEV_ERROR,
    .weight = 0.7,
    .alternatives = {HB_CAUSE_NONE},
};
static const struct hb_rule_meta RREFUSED = {
    .id = "netty-connection-refused",
    .title = "Connection refused by the Polaris address",
    .cause = HB_CAUSE_NETWORK,
    .severity = HB_SEV_CRITICAL,
    .weight = 0.9,
    .alternatives = {HB_CAUSE_PORT, HB_CAUSE_NONE},
};
static const struct hb_rule_meta RAUTH = {
    .id = "server-403001",
    .title = "Token verification failed",
    .cause = HB_CAUSE_AUTH,
    .severity = HB_SEV_ERROR,
    .weight = 0.8,
    .alternatives = {HB_CAUSE_NONE},
};
static const struct hb_rule_meta RNF = {
    .id = "server-400202",
    .title = "Instance not found",
    .cause = HB_CAUSE_NOT_FOUND,
    .severity = HB_SEV_WARNING,
    .weight = 0.75,
    .alternatives = {HB_CAUSE_SERVER_ERROR, HB_CAUSE_NONE},
};

/* hb_rules_find for incidents replayed without hits (no ruleset needed). */
static const struct hb_rule_meta *const all_rules[] = {
    &R401, &R401P, &RUNIMPL, &RNET, &RREFUSED, &RAUTH, &RNF};

const struct hb_rule_meta *hb_rules_find(const struct hb_ruleset *rs,
                                         const char *id)
{
    size_t i;

    (void)rs;
    for (i = 0; i < sizeof all_rules / sizeof all_rules[0]; i++)
        if (strcmp(all_rules[i]->id, id) == 0)
            return all_rules[i];
    return NULL;
}
size_t hb_rules_count(const struct hb_ruleset *rs)
{
    (void)rs;
    return 0;
}
const struct hb_rule_meta *hb_rules_get(const struct hb_ruleset *rs, size_t i)
{
    (void)rs;
    (void)i;
    return NULL;
}

/* ---- building incidents --------------------------------------------- */

#define T0 1710332164000LL /* 2024-03-13 12:16:04 UTC */

struct spec {
    const struct hb_rule_meta *rule;
    int64_t ts;
    const char *text;
    int server_code;
    int sdk_code;
    const char *grpc;
    enum hb_event event;
    const char *server;
    const char *service;
    const char *host;
    int port;
};

static void mk(struct hb_incident *inc, const struct spec *s, uint64_t line)
{
    uint64_t h;

    memset(inc, 0, sizeof *inc);
    inc->source = "app.log";
    inc->first_line = inc->last_line = inc->evidence_line = line;
    hb_strlcpy(inc->evidence, s->text, strlen(s->text), sizeof inc->evidence);
    hb_strlcpy(inc->message, s->text, strlen(s->text), sizeof inc->message);
    inc->text.p = s->text;
    inc->text.n = strlen(s->text);
    inc->ts_ms = s->ts;
    strcpy(inc->level, "ERROR");
    strcpy(inc->ns, "default");
    hb_strlcpy(inc->service, s->service ? s->service : "demo-svc",
               strlen(s->service ? s->service : "demo-svc"),
               sizeof inc->service);
    hb_strlcpy(inc->host, s->host ? s->host : "10.0.0.5",
               strlen(s->host ? s->host : "10.0.0.5"), sizeof inc->host);
    inc->port = s->port ? s->port : 8080;
    if (s->server)
        hb_strlcpy(inc->server_addr, s->server, strlen(s->server),
                   sizeof inc->server_addr);
    inc->sdk_code = s->sdk_code;
    inc->server_code = s->server_code;
    if (s->grpc)
        strcpy(inc->grpc_status, s->grpc);
    inc->event = s->event;
    if (s->sdk_code) {
        inc->codes[inc->ncodes].kind = HB_CODE_SDK;
        inc->codes[inc->ncodes].num = s->sdk_code;
        snprintf(inc->codes[inc->ncodes].key, sizeof inc->codes[0].key,
                 "ERR-%d", s->sdk_code);
        inc->ncodes++;
    }
    if (s->server_code) {
        inc->codes[inc->ncodes].kind = HB_CODE_SERVER;
        inc->codes[inc->ncodes].num = s->server_code;
        snprintf(inc->codes[inc->ncodes].key, sizeof inc->codes[0].key, "%d",
                 s->server_code);
        inc->ncodes++;
    }
    if (s->rule) {
        inc->hits[0].rule = s->rule;
        inc->nhits = 1;
        inc->rule_id = s->rule->id;
        inc->cause = s->rule->cause;
        inc->severity = s->rule->severity;
        inc->weight = s->rule->weight;
    } else {
        inc->cause = HB_CAUSE_NONE;
    }
    h = hb_hash64(s->text, strlen(s->text), HB_HASH_SEED);
    snprintf(inc->fingerprint, sizeof inc->fingerprint, "%016llx",
             (unsigned long long)h);
}

static void add(struct hb_dx *dx, const struct spec *s, int n)
{
    struct hb_incident inc;
    int i;

    for (i = 0; i < n; i++) {
        struct spec t = *s;

        t.ts = s->ts + i * 5000LL;
        mk(&inc, &t, 100 + (uint64_t)i);
        hb_dx_add_incident(dx, &inc);
    }
}

static void obs(struct hb_dx *dx, const char *kind, const char *key,
                const char *value, int64_t ts, const char *host)
{
    struct hb_obs o;

    memset(&o, 0, sizeof o);
    o.source = "polaris.log";
    o.line = 7;
    o.ts_ms = ts;
    hb_strlcpy(o.kind, kind, strlen(kind), sizeof o.kind);
    hb_strlcpy(o.key, key, strlen(key), sizeof o.key);
    hb_strlcpy(o.value, value, strlen(value), sizeof o.value);
    if (host) {
        strcpy(o.ns, "default");
        strcpy(o.service, "demo-svc");
        hb_strlcpy(o.host, host, strlen(host), sizeof o.host);
        o.port = 8080;
    }
    snprintf(o.text, sizeof o.text, "%s %s=%s", kind, key, value);
    hb_dx_add_obs(dx, &o);
}

static struct hb_dx *dx_new(void)
{
    return hb_dx_new(NULL, NULL);
}

static const struct hb_hyp *hyp_of(struct hb_dx *dx, enum hb_cause c)
{
    const struct hb_report *r = hb_dx_view(dx, NULL);
    size_t i;

    for (i = 0; i < r->nhyps; i++)
        if (r->hyps[i].cause == c)
            return &r->hyps[i];
    return NULL;
}

static bool has_fact(const struct hb_hyp *h, const char *needle)
{
    size_t i;

    for (i = 0; h && i < h->nfacts; i++)
        if (strstr(h->facts[i], needle))
            return true;
    return false;
}

static const char *TXT401 =
    "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not "
    "open\n\tat com.tencent.polaris.plugins.connector.grpc.GrpcConnector."
    "heartbeat(GrpcConnector.java:529)";

/* ---- port vs api-gating ---------------------------------------------- */

static void test_diagnose_port_first_with_8081(void **state)
{
    const struct hb_rule_meta *rules[] = {&R401, &R401P};
    size_t k;

    (void)state;
    for (k = 0; k < 2; k++) { /* whichever cause the rule picked */
        struct hb_dx *dx = dx_new();
        struct spec s = {.rule = rules[k],
                         .ts = T0 + 60000,
                         .text = TXT401,
                         .server_code = 400401,
                         .sdk_code = 1006,
                         .event = HB_EV_HEARTBEAT_FAIL};
        const struct hb_hyp *h;
        double c0, c1;

        obs(dx, "address", "grpc-url", "grpc://11.154.192.97:8081", T0, NULL);
        add(dx, &s, 20);
        assert_int_equal(hb_dx_cause_at(dx, 0, &c0), HB_CAUSE_PORT);
        assert_int_equal(hb_dx_cause_at(dx, 1, &c1), HB_CAUSE_API_GATING);
        assert_true(c0 > c1 + 0.3);
        h = hyp_of(dx, HB_CAUSE_PORT);
        assert_non_null(strstr(h->action, "spring.cloud.polaris.address uses "
                                          ":8081; the gRPC naming port is "
                                          "8091"));
        assert_non_null(strstr(h->action, "grpc://11.154.192.97:8091"));
        assert_non_null(strstr(h->action, "not a Polaris default port"));
        /* the address line is supporting evidence */
        assert_true(h->nevidence >= 2);
        assert_string_equal(h->evidence[h->nevidence - 1].kind, "address");
        hb_dx_free(dx);
    }
}

static void test_diagnose_port_names_other_listener(void **state)
{
    static const struct {
        const char *addr;
        const char *listener;
    } cases[] = {
        {"10.0.0.9:8090", "api-http"},
        {"10.0.0.9:8093", "config-grpc"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hb_dx *dx = dx_new();
        struct spec s = {.rule = &R401,
                         .ts = T0,
                         .text = TXT401,
                         .server_code = 400401,
                         .server = cases[i].addr};

        add(dx, &s, 3);
        assert_int_equal(hb_dx_cause_at(dx, 0, NULL), HB_CAUSE_PORT);
        assert_non_null(
            strstr(hyp_of(dx, HB_CAUSE_PORT)->action, cases[i].listener));
        hb_dx_free(dx);
    }
}

static void test_diagnose_api_gating_first_on_8091(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec s = {.rule = &R401P,
                     .ts = T0 + 60000,
                     .text = TXT401,
                     .server_code = 400401,
                     .sdk_code = 1006,
                     .event = HB_EV_HEARTBEAT_FAIL};
    const struct hb_hyp *h;
    double c0, c1;

    (void)state;
    obs(dx, "address", "grpc-url", "grpc://10.0.0.9:8091", T0, NULL);
    obs(dx, "register-ok", "", "", T0 + 1000, "10.0.0.5");
    add(dx, &s, 30);
    assert_int_equal(hb_dx_cause_at(dx, 0, &c0), HB_CAUSE_API_GATING);
    assert_int_equal(hb_dx_cause_at(dx, 1, &c1), HB_CAUSE_PORT);
    assert_true(c0 > c1 + 0.3);
    h = hyp_of(dx, HB_CAUSE_API_GATING);
    assert_non_null(
        strstr(h->action, "add `healthcheck` to api.client.include"));
    assert_non_null(strstr(h->action, "- name: service-grpc"));
    assert_non_null(
        strstr(h->action, "include: [discover, register, healthcheck]"));
    assert_true(has_fact(h, "Registration succeeded"));
    assert_true(has_fact(h, "but heartbeats fail (30 failures"));
    hb_dx_free(dx);
}

static void test_diagnose_api_gating_register(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec s = {.rule = &R401,
                     .ts = T0,
                     .server_code = 400401,
                     .server = "10.0.0.9:8091",
                     .text = "polaris registry, demo-svc register failed... "
                             "ERR-1006(SERVER_USER_ERROR): server error "
                             "400401: client api is not open",
                     .event = HB_EV_REGISTER_FAIL};

    (void)state;
    add(dx, &s, 2);
    assert_int_equal(hb_dx_cause_at(dx, 0, NULL), HB_CAUSE_API_GATING);
    assert_non_null(
        strstr(hyp_of(dx, HB_CAUSE_API_GATING)->action, "add `register`"));
    hb_dx_free(dx);
}

static void test_diagnose_both_close_without_port_evidence(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec s = {.rule = &R401,
                     .ts = T0,
                     .text = TXT401,
                     .server_code = 400401,
                     .sdk_code = 1006};
    double c0, c1;
    enum hb_cause a, b;

    (void)state;
    add(dx, &s, 10);
    a = hb_dx_cause_at(dx, 0, &c0);
    b = hb_dx_cause_at(dx, 1, &c1);
    assert_int_equal(a, HB_CAUSE_PORT);
    assert_int_equal(b, HB_CAUSE_API_GATING);
    assert_true(c0 - c1 < 0.1);
    assert_true(c1 > 0.4);
    /* the actions say how to tell them apart */
    assert_non_null(
        strstr(hyp_of(dx, HB_CAUSE_PORT)->action, "client open method info"));
    assert_non_null(strstr(hyp_of(dx, HB_CAUSE_API_GATING)->action,
                           "does not use port 8091"));
    hb_dx_free(dx);
}

static void test_diagnose_unimplemented_on_8093(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec s = {.rule = &RUNIMPL,
                     .ts = T0,
                     .grpc = "UNIMPLEMENTED",
                     .sdk_code = 2002,
                     .server = "10.0.0.9:8093",
                     .text = "ERR-2002(SERVER_ERROR): UNIMPLEMENTED: unknown "
                             "service v1.PolarisGRPC"};
    const struct hb_hyp *h;

    (void)state;
    add(dx, &s, 4);
    assert_int_equal(hb_dx_cause_at(dx, 0, NULL), HB_CAUSE_PORT);
    h = hyp_of(dx, HB_CAUSE_PORT);
    assert_non_null(strstr(h->action, "config-grpc"));
    assert_non_null(strstr(h->description, "UNIMPLEMENTED"));
    hb_dx_free(dx);
}

static void test_diagnose_unimplemented_on_8091_is_api_disabled(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec s = {.rule = &RUNIMPL,
                     .ts = T0,
                     .grpc = "UNIMPLEMENTED",
                     .server = "10.0.0.9:8091",
                     .text = "UNIMPLEMENTED: unknown service v1.PolarisGRPC"};

    (void)state;
    add(dx, &s, 4);
    assert_int_equal(hb_dx_cause_at(dx, 0, NULL), HB_CAUSE_API_GATING);
    assert_non_null(strstr(hyp_of(dx, HB_CAUSE_API_GATING)->description,
                           "api.client.enable is false"));
    hb_dx_free(dx);
}

/* ---- version-mismatch vs network ------------------------------------- */

static void test_diagnose_version_mismatch_above_network(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec sig = {
        .rule = &RNET,
        .ts = T0,
        .sdk_code = 1007,
        .text = "com.tencent.polaris.api.exception.RetriableException: "
                "ERR-1007(NETWORK_ERROR): failed to load config file. "
                "namespace = a, group = b, file = application.yml, cause: "
                "'io.grpc.stub.AbstractStub io.grpc.stub.MetadataUtils."
                "attachHeaders(io.grpc.stub.AbstractStub, io.grpc.Metadata)'"};
    struct spec net = {.rule = &RNET,
                       .ts = T0,
                       .sdk_code = 1007,
                       .grpc = "UNAVAILABLE",
                       .text = "ERR-1007(NETWORK_ERROR): fail to heartbeat "
                               "id x, cause: UNAVAILABLE: io exception"};
    const struct hb_hyp *h;
    double cv, cn;

    (void)state;
    add(dx, &sig, 5);
    add(dx, &net, 5);
    assert_int_equal(hb_dx_cause_at(dx, 0, &cv), HB_CAUSE_VERSION_MISMATCH);
    assert_int_equal(hb_dx_cause_at(dx, 1, &cn), HB_CAUSE_NETWORK);
    assert_true(cv > cn);
    h = hyp_of(dx, HB_CAUSE_VERSION_MISMATCH);
    assert_non_null(strstr(h->description, "MetadataUtils.attachHeaders"));
    assert_non_null(strstr(h->action, "grpc-java 1.58"));
    assert_non_null(strstr(h->action, "1.57.x"));
    hb_dx_free(dx);
}

static void test_diagnose_upgrade_puts_version_above_network(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec net = {.rule = &RNET,
                       .ts = T0 + 3600000,
                       .sdk_code = 1007,
                       .grpc = "UNAVAILABLE",
                       .text = "ERR-1007(NETWORK_ERROR): fail to heartbeat "
                               "id x, cause: UNAVAILABLE: io exception"};
    const struct hb_hyp *h;
    double cv, cn;

    (void)state;
    obs(dx, "version", "polaris-java", "1.14.3", T0, NULL);
    obs(dx, "version", "grpc", "1.56.1", T0, NULL);
    obs(dx, "version", "grpc", "1.59.1", T0 + 1800000, NULL);
    add(dx, &net, 40);
    assert_int_equal(hb_dx_cause_at(dx, 0, &cv), HB_CAUSE_VERSION_MISMATCH);
    assert_int_equal(hb_dx_cause_at(dx, 1, &cn), HB_CAUSE_NETWORK);
    h = hyp_of(dx, HB_CAUSE_VERSION_MISMATCH);
    assert_non_null(strstr(h->action, "grpc 1.59.1 with polaris-java 1.14.3"));
    assert_true(has_fact(h, "grpc changed from 1.56.1 to 1.59.1"));
    hb_dx_free(dx);
}

static void test_diagnose_boot_outside_train(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec net = {.rule = &RNET,
                       .ts = T0,
                       .sdk_code = 1007,
                       .text = "ERR-1007(NETWORK_ERROR): x"};
    const struct hb_hyp *h;

    (void)state;
    obs(dx, "version", "spring-cloud-tencent", "1.13.0-2022.0.4", T0, NULL);
    obs(dx, "version", "spring-boot", "3.2.1", T0, NULL);
    add(dx, &net, 1);
    h = hyp_of(dx, HB_CAUSE_VERSION_MISMATCH);
    assert_non_null(h);
    assert_non_null(strstr(h->action, "Spring Boot 3.2.1 is outside"));
    assert_non_null(strstr(h->action, "3.0.x, 3.1.x"));
    assert_non_null(strstr(h->action, "3.1.7"));
    hb_dx_free(dx);
}

/* ---- network --------------------------------------------------------- */

static void test_diagnose_network_for_refused(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec s = {
        .rule = &RREFUSED,
        .ts = T0,
        .sdk_code = 1007,
        .grpc = "UNAVAILABLE",
        .server = "10.0.0.9:8091",
        .text = "ERR-1007(NETWORK_ERROR): fail to heartbeat ... Caused by: "
                "io.netty.channel.AbstractChannel$AnnotatedConnectException: "
                "Connection refused: /10.0.0.9:8091"};
    const struct hb_hyp *h;

    (void)state;
    add(dx, &s, 12);
    assert_int_equal(hb_dx_cause_at(dx, 0, NULL), HB_CAUSE_NETWORK);
    h = hyp_of(dx, HB_CAUSE_NETWORK);
    assert_non_null(strstr(h->action, "10.0.0.9:8091"));
    assert_non_null(strstr(h->action, "listening on port 8091"));
    assert_true(has_fact(h, "All failures name one Polaris server: "
                            "10.0.0.9:8091"));
    /* the rule's alternative is a secondary hypothesis, lower */
    assert_int_equal(hb_dx_cause_at(dx, 1, NULL), HB_CAUSE_PORT);
    assert_false(hyp_of(dx, HB_CAUSE_PORT)->primary);
    hb_dx_free(dx);
}

static void test_diagnose_refused_keeps_network_despite_versions(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec s = {.rule = &RREFUSED,
                     .ts = T0,
                     .server = "10.0.0.9:8091",
                     .text = "Connection refused: /10.0.0.9:8091"};

    (void)state;
    obs(dx, "version", "polaris-java", "1.14.3", T0, NULL);
    obs(dx, "version", "grpc", "1.59.1", T0, NULL);
    add(dx, &s, 12);
    assert_int_equal(hb_dx_cause_at(dx, 0, NULL), HB_CAUSE_NETWORK);
    hb_dx_free(dx);
}

/* ---- nothing, unclassified ------------------------------------------- */

static void test_diagnose_nothing_for_no_failures(void **state)
{
    struct hb_dx *dx = dx_new();
    struct hb_input_stats st = {.sources = 3, .records = 1000, .lines = 1200};
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    struct hb_report_opts o = {.format = HB_REPORT_TEXT};
    int i;

    (void)state;
    for (i = 0; i < 50; i++)
        obs(dx, "heartbeat-ok", "", "", T0 + i * 5000, "10.0.0.5");
    obs(dx, "address", "grpc-url", "10.0.0.9:8091", T0, NULL);
    obs(dx, "version", "polaris-java", "1.14.3", T0, NULL);
    obs(dx, "version", "grpc", "1.59.1", T0, NULL); /* no failure: no cause */
    assert_int_equal(hb_dx_rank(dx), 0);
    assert_int_equal(hb_dx_cause_at(dx, 0, NULL), HB_CAUSE_NONE);
    hb_dx_report(dx, &st, &o, fp);
    fclose(fp);
    assert_non_null(strstr(buf, "No Polaris failure found in 1000 records "
                                "from 3 sources."));
    assert_false(hb_dx_fails(dx, "info"));
    assert_false(hb_dx_fails(dx, "any"));
    free(buf);
    hb_dx_free(dx);
}

static void test_diagnose_unclassified_honest(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec s = {.rule = NULL,
                     .ts = T0,
                     .server_code = 400999,
                     .sdk_code = 1006,
                     .text = "ERR-1006(SERVER_USER_ERROR): server error "
                             "400999: something new"};
    const struct hb_report *r;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    struct hb_report_opts o = {.format = HB_REPORT_TEXT};

    (void)state;
    add(dx, &s, 3);
    assert_int_equal(hb_dx_rank(dx), 0);
    r = hb_dx_view(dx, NULL);
    assert_int_equal(r->unclassified, 3);
    assert_true(r->unc_ncodes >= 2);
    assert_true(r->unc_nevidence >= 1);
    hb_dx_report(dx, NULL, &o, fp);
    fclose(fp);
    assert_non_null(
        strstr(buf, "Polaris failures hbscan could not classify: 3"));
    assert_non_null(strstr(buf, "400999 x3"));
    assert_non_null(strstr(buf, "ERR-1006 x3"));
    assert_true(hb_dx_fails(dx, "unknown"));
    assert_false(hb_dx_fails(dx, "error"));
    free(buf);
    hb_dx_free(dx);
}

/* ---- confidence, alternatives, replay, findings ---------------------- */

static void test_diagnose_confidence_in_range(void **state)
{
    const struct hb_rule_meta *rules[] = {&R401, &RNET, &RREFUSED, &RAUTH,
                                          &RNF};
    struct hb_dx *dx = dx_new();
    struct hb_finding f = {.check_id = "client-address-port",
                           .cause = HB_CAUSE_PORT,
                           .severity = HB_SEV_ERROR,
                           .weight = 1.0,
                           .title = "address port",
                           .path = "application.yml",
                           .line = 3,
                           .text = "address: grpc://h:8081"};
    size_t i, n;
    int k;

    (void)state;
    for (k = 0; k < 5; k++) {
        struct spec s = {
            .rule = rules[k], .ts = T0, .text = "x", .server_code = 400401};

        add(dx, &s, 1000);
    }
    for (k = 0; k < 10; k++)
        hb_dx_add_finding(dx, &f);
    n = hb_dx_rank(dx);
    assert_true(n >= 5);
    for (i = 0; i < n; i++) {
        double c;

        hb_dx_cause_at(dx, i, &c);
        assert_true(c >= 0.0 && c < 1.0);
        if (i)
            assert_true(
                c <= hyp_of(dx, hb_dx_cause_at(dx, i - 1, NULL))->confidence);
    }
    hb_dx_free(dx);
}

static void test_diagnose_alternatives_secondary(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec s = {.rule = &RNF,
                     .ts = T0,
                     .server_code = 400202,
                     .text = "server error 400202: not found resource"};
    const struct hb_hyp *alt;
    double c0;

    (void)state;
    add(dx, &s, 5);
    assert_int_equal(hb_dx_cause_at(dx, 0, &c0), HB_CAUSE_NOT_FOUND);
    alt = hyp_of(dx, HB_CAUSE_SERVER_ERROR);
    assert_non_null(alt);
    assert_false(alt->primary);
    assert_int_equal(alt->alt_incidents, 5);
    assert_true(alt->confidence < c0);
    assert_true(alt->confidence > 0.2);
    /* a code whose meaning changed: the note is a fact */
    assert_true(has_fact(hyp_of(dx, HB_CAUSE_NOT_FOUND), "400202:"));
    hb_dx_free(dx);
}

static void test_diagnose_replayed_rule_lookup(void **state)
{
    struct hb_dx *dx = hb_dx_new((const struct hb_ruleset *)&R401, NULL);
    struct spec s = {.rule = &RAUTH,
                     .ts = T0,
                     .server_code = 401004,
                     .text = "server error 401004: token not existed"};
    struct hb_incident inc;
    const struct hb_hyp *h;

    (void)state;
    mk(&inc, &s, 10);
    inc.nhits = 0; /* as replayed from the store: the id only */
    inc.hits[0].rule = NULL;
    hb_dx_add_incident(dx, &inc);
    assert_int_equal(hb_dx_cause_at(dx, 0, NULL), HB_CAUSE_AUTH);
    h = hyp_of(dx, HB_CAUSE_AUTH);
    assert_string_equal(h->title, "Token verification failed");
    assert_string_equal(h->rules[0], "server-403001");
    hb_dx_free(dx);
}

static void test_diagnose_code_meaning_changed(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec s = {.rule = &RAUTH,
                     .ts = T0,
                     .server_code = 403001,
                     .text = "server error 403001: server limit the ip "
                             "access"};
    struct spec s2 = {.rule = &RAUTH,
                      .ts = T0,
                      .server_code = 403001,
                      .text = "server error 403001: "};

    (void)state;
    add(dx, &s, 3);
    assert_int_equal(hb_dx_cause_at(dx, 0, NULL), HB_CAUSE_RATE_LIMIT);
    assert_true(
        has_fact(hyp_of(dx, HB_CAUSE_RATE_LIMIT), "servers up to 1.13"));
    hb_dx_free(dx);
    /* without the info text: the rule's cause, the other as alternative */
    dx = dx_new();
    add(dx, &s2, 3);
    assert_int_equal(hb_dx_cause_at(dx, 0, NULL), HB_CAUSE_AUTH);
    assert_non_null(hyp_of(dx, HB_CAUSE_RATE_LIMIT));
    assert_false(hyp_of(dx, HB_CAUSE_RATE_LIMIT)->primary);
    hb_dx_free(dx);
}

static void test_diagnose_findings_add_evidence(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec s = {
        .rule = &R401, .ts = T0, .text = TXT401, .server_code = 400401};
    struct hb_finding f = {.check_id = "client-address-port",
                           .cause = HB_CAUSE_PORT,
                           .severity = HB_SEV_ERROR,
                           .weight = 0.8,
                           .title = "spring.cloud.polaris.address uses 8081",
                           .action = "Use port 8091.",
                           .path = "bootstrap.yml",
                           .line = 4,
                           .text = "address: grpc://10.0.0.9:8081"};
    double before, after;
    const struct hb_hyp *h;
    size_t i;
    bool seen = false;

    (void)state;
    add(dx, &s, 5);
    hb_dx_cause_at(dx, 0, &before);
    hb_dx_add_finding(dx, &f);
    assert_int_equal(hb_dx_cause_at(dx, 0, &after), HB_CAUSE_PORT);
    assert_true(after > before);
    h = hyp_of(dx, HB_CAUSE_PORT);
    assert_int_equal(h->findings, 1);
    for (i = 0; i < h->nevidence; i++)
        if (strcmp(h->evidence[i].kind, "finding") == 0 &&
            strcmp(h->evidence[i].source, "bootstrap.yml") == 0)
            seen = true;
    assert_true(seen);
    hb_dx_free(dx);
    /* findings alone (config check) */
    dx = dx_new();
    hb_dx_add_finding(dx, &f);
    assert_int_equal(hb_dx_cause_at(dx, 0, NULL), HB_CAUSE_PORT);
    assert_string_equal(hyp_of(dx, HB_CAUSE_PORT)->action, "Use port 8091.");
    assert_true(hb_dx_fails(dx, "error"));
    assert_false(hb_dx_fails(dx, "critical"));
    hb_dx_free(dx);
}

static void test_diagnose_fail_on(void **state)
{
    static const struct {
        const char *fail_on;
        bool valid, fails;
    } cases[] = {
        {"info", true, true},     {"warning", true, true},
        {"error", true, true},    {"critical", true, true},
        {"network", true, true},  {"port", true, false},
        {"unknown", true, false}, {"any", true, true},
        {"bogus", false, false},
    };
    struct hb_dx *dx = dx_new();
    struct spec s = {.rule = &RREFUSED, .ts = T0, .text = "refused"};
    size_t i;

    (void)state;
    add(dx, &s, 1);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(hb_dx_fail_on_valid(cases[i].fail_on), cases[i].valid);
        assert_int_equal(hb_dx_fails(dx, cases[i].fail_on), cases[i].fails);
    }
    hb_dx_free(dx);
}

/* ---- correlation ---------------------------------------------------- */

static void test_diagnose_heartbeats_until(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec s = {.rule = &RNET,
                     .ts = T0 + 600000,
                     .sdk_code = 1007,
                     .event = HB_EV_HEARTBEAT_FAIL,
                     .text = "[AsyncHeartbeat]Instance heartbeat failed"};
    int i;

    (void)state;
    for (i = 0; i < 100; i++)
        obs(dx, "heartbeat-ok", "", "", T0 + i * 5000, "10.0.0.5");
    add(dx, &s, 10);
    assert_true(
        has_fact(hyp_of(dx, HB_CAUSE_NETWORK), "Heartbeats succeeded until "));
    assert_true(has_fact(hyp_of(dx, HB_CAUSE_NETWORK), ", fail since "));
    hb_dx_free(dx);
    /* interleaved: intermittent */
    dx = dx_new();
    s.ts = T0;
    add(dx, &s, 10);
    obs(dx, "heartbeat-ok", "", "", T0 + 20000, "10.0.0.5");
    assert_true(has_fact(hyp_of(dx, HB_CAUSE_NETWORK), "intermittent"));
    hb_dx_free(dx);
}

static void test_diagnose_one_instance_or_all(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec s = {.rule = &RNET, .ts = T0, .text = "x", .host = "10.0.0.5"};
    const char *hosts[] = {"10.0.0.5", "10.0.0.6", "10.0.0.7"};
    int i;

    (void)state;
    for (i = 0; i < 3; i++)
        obs(dx, "heartbeat-ok", "", "", T0, hosts[i]);
    add(dx, &s, 4);
    assert_true(has_fact(hyp_of(dx, HB_CAUSE_NETWORK),
                         "Only one of 3 instances seen fails: "
                         "default/demo-svc 10.0.0.5:8080"));
    for (i = 1; i < 3; i++) {
        s.host = hosts[i];
        add(dx, &s, 1);
    }
    assert_true(has_fact(hyp_of(dx, HB_CAUSE_NETWORK),
                         "Every instance seen fails (3 of 3)"));
    hb_dx_free(dx);
}

static void test_diagnose_evidence_distinct_first(void **state)
{
    struct hb_dx *dx = dx_new();
    struct spec a = {.rule = &RNET, .ts = T0, .text = "first kind"};
    struct spec b = {.rule = &RNET, .ts = T0 + 1000, .text = "second kind"};
    const struct hb_hyp *h;

    (void)state;
    add(dx, &a, 50); /* fills the slots with repeats */
    add(dx, &b, 1);
    h = hyp_of(dx, HB_CAUSE_NETWORK);
    assert_true(h->nevidence >= 2);
    assert_string_equal(h->evidence[0].text, "first kind");
    assert_string_equal(h->evidence[1].text, "second kind");
    assert_int_equal(h->evidence[0].line, 100); /* the earliest first */
    hb_dx_free(dx);
}

/* ---- bounded memory ------------------------------------------------- */

static void test_diagnose_bounded_memory_100k(void **state)
{
    struct hb_dx *dx = dx_new();
    struct hb_incident inc;
    struct spec s = {.rule = &RREFUSED, .ts = T0, .text = "Connection refused"};
    const struct hb_report *r;
    const struct hb_hyp *h;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp;
    struct hb_report_opts o = {.format = HB_REPORT_JSON};
    int k;

    (void)state;
    mk(&inc, &s, 1);
    for (k = 0; k < 100000; k++) {
        inc.ts_ms = T0 + (int64_t)k * 1000;
        inc.first_line = inc.evidence_line = (uint64_t)k + 1;
        snprintf(inc.fingerprint, sizeof inc.fingerprint, "%016x", k);
        snprintf(inc.host, sizeof inc.host, "10.%d.%d.%d", k >> 16,
                 (k >> 8) & 255, k & 255);
        snprintf(inc.server_addr, sizeof inc.server_addr, "srv%d:8091", k);
        snprintf(inc.evidence, sizeof inc.evidence, "refused %d", k);
        hb_dx_add_incident(dx, &inc);
        if (k % 1000 == 0) {
            struct hb_obs ob;

            memset(&ob, 0, sizeof ob);
            ob.source = "x";
            strcpy(ob.kind, "version");
            strcpy(ob.key, "grpc");
            snprintf(ob.value, sizeof ob.value, "1.%d.0", k / 1000);
            ob.ts_ms = HB_NO_TIME;
            hb_dx_add_obs(dx, &ob);
        }
    }
    assert_int_equal(hb_dx_cause_at(dx, 0, NULL), HB_CAUSE_NETWORK);
    r = hb_dx_view(dx, NULL);
    assert_int_equal(r->incidents, 100000);
    assert_true(r->ninstances <= 256);
    assert_true(r->naddrs <= 64);
    assert_true(r->nversions <= 64);
    assert_true(r->overflow > 0);
    h = hyp_of(dx, HB_CAUSE_NETWORK);
    assert_int_equal(h->incidents, 100000);
    assert_true(h->nevidence <= HB_EVIDENCE_KEEP + HB_SUPPORT_KEEP);
    assert_true(h->ninstances <= 256);
    assert_true(h->instances_more > 0);
    fp = open_memstream(&buf, &len);
    hb_dx_report(dx, NULL, &o, fp);
    fclose(fp);
    assert_true(len < 200000);
    free(buf);
    hb_dx_free(dx);
}

static void test_diagnose_timeline_doubles(void **state)
{
    struct hb_timeline t;
    uint64_t cols[10], sum = 0;
    int i;

    (void)state;
    memset(&t, 0, sizeof t);
    hb_timeline_add(&t, T0);
    hb_timeline_add(&t, T0 + 86400000LL * 30); /* a month later */
    hb_timeline_add(&t, T0 - 86400000LL);      /* a day before */
    hb_timeline_add(&t, HB_NO_TIME);
    hb_timeline_add(&t, INT64_MAX / 2); /* absurd: no time */
    hb_timeline_add(&t, 1000);          /* 1970: no time */
    assert_int_equal(t.untimed, 3);
    hb_timeline_project(&t, T0 - 86400000LL, T0 + 86400000LL * 30, cols, 10);
    for (i = 0; i < 10; i++)
        sum += cols[i];
    assert_int_equal(sum, 3);
    assert_true(cols[0] >= 1);
    assert_true(cols[9] >= 1);
}

static void test_diagnose_knowledge_fallback(void **state)
{
    struct hb_dx *dx = hb_dx_new(NULL, "/nonexistent/knowledge");
    struct spec s = {.rule = &R401,
                     .ts = T0,
                     .text = TXT401,
                     .server_code = 400401,
                     .server = "h:8093"};

    (void)state;
    add(dx, &s, 1);
    assert_int_equal(hb_dx_cause_at(dx, 0, NULL), HB_CAUSE_PORT);
    assert_string_equal(hb_dx_view(dx, NULL)->knowledge, "built-in");
    assert_non_null(strstr(hyp_of(dx, HB_CAUSE_PORT)->action, "config-grpc"));
    hb_dx_free(dx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diagnose_port_first_with_8081),
        cmocka_unit_test(test_diagnose_port_names_other_listener),
        cmocka_unit_test(test_diagnose_api_gating_first_on_8091),
        cmocka_unit_test(test_diagnose_api_gating_register),
        cmocka_unit_test(test_diagnose_both_close_without_port_evidence),
        cmocka_unit_test(test_diagnose_unimplemented_on_8093),
        cmocka_unit_test(test_diagnose_unimplemented_on_8091_is_api_disabled),
        cmocka_unit_test(test_diagnose_version_mismatch_above_network),
        cmocka_unit_test(test_diagnose_upgrade_puts_version_above_network),
        cmocka_unit_test(test_diagnose_boot_outside_train),
        cmocka_unit_test(test_diagnose_network_for_refused),
        cmocka_unit_test(test_diagnose_refused_keeps_network_despite_versions),
        cmocka_unit_test(test_diagnose_nothing_for_no_failures),
        cmocka_unit_test(test_diagnose_unclassified_honest),
        cmocka_unit_test(test_diagnose_confidence_in_range),
        cmocka_unit_test(test_diagnose_alternatives_secondary),
        cmocka_unit_test(test_diagnose_replayed_rule_lookup),
        cmocka_unit_test(test_diagnose_code_meaning_changed),
        cmocka_unit_test(test_diagnose_findings_add_evidence),
        cmocka_unit_test(test_diagnose_fail_on),
        cmocka_unit_test(test_diagnose_heartbeats_until),
        cmocka_unit_test(test_diagnose_one_instance_or_all),
        cmocka_unit_test(test_diagnose_evidence_distinct_first),
        cmocka_unit_test(test_diagnose_bounded_memory_100k),
        cmocka_unit_test(test_diagnose_timeline_doubles),
        cmocka_unit_test(test_diagnose_knowledge_fallback),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
