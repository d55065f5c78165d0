/*
 * test_config_check.c - the configuration checks: for every fixture under
 * testdata/config/, the exact findings (check id, cause, severity, file,
 * line), clean configurations that give none, and the set's API (errors,
 * ownership, forced server role).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_check.h"
#include "util.h"

#define D         "testdata/config/"
#define MAX_FILES 4
#define MAX_WANT  4

struct want {
    const char *id;
    enum hb_cause cause;
    enum hb_severity sev;
    const char *path;
    unsigned long line;
};

struct fixture_case {
    const char *files[MAX_FILES];
    struct want want[MAX_WANT]; /* ends at id NULL; none = clean */
};

#define PORT HB_CAUSE_PORT
#define GATE HB_CAUSE_API_GATING
#define VER  HB_CAUSE_VERSION_MISMATCH
#define AUTH HB_CAUSE_AUTH
#define NF   HB_CAUSE_NOT_FOUND
#define RL   HB_CAUSE_RATE_LIMIT
#define CFG  HB_CAUSE_CONFIG
#define INFO HB_SEV_INFO
#define WARN HB_SEV_WARNING
#define ERR  HB_SEV_ERROR
#define CRIT HB_SEV_CRITICAL

static const struct fixture_case fixtures[] = {
    /* clean configurations */
    {{D "client/application.yml"}, {{NULL}}},
    {{D "client/bootstrap.properties"}, {{NULL}}},
    {{D "client/polaris.yml"}, {{NULL}}},
    {{D "client/token.yml"}, {{NULL}}},
    {{D "server/polaris-server.yaml"}, {{NULL}}},
    {{D "server/minimal.yaml"}, {{NULL}}},
    {{D "server/custom-port.yaml"}, {{NULL}}},
    {{D "build/good-pom.xml"}, {{NULL}}},
    {{D "build/old-sct-pom.xml"}, {{NULL}}},
    {{D "client/application.yml", D "server/polaris-server.yaml",
      D "build/good-pom.xml", D "client/polaris.yml"},
     {{NULL}}},
    {{D "client/custom-port.yml", D "server/custom-port.yaml"}, {{NULL}}},
    {{D "client/bootstrap.properties", D "server/minimal.yaml"}, {{NULL}}},

    /* client: addresses (the founding case first) */
    {{D "client/founding-8081.yml"},
     {{"client-address-port", PORT, CRIT, D "client/founding-8081.yml", 7}}},
    {{D "client/http-8090.yml"},
     {{"client-address-port", PORT, CRIT, D "client/http-8090.yml", 6},
      {"client-address-scheme", CFG, WARN, D "client/http-8090.yml", 6}}},
    {{D "client/config-port-8093.yml"},
     {{"client-address-port", PORT, CRIT, D "client/config-port-8093.yml", 6}}},
    {{D "client/application-prod.yml"},
     {{"client-address-port", PORT, CRIT, D "client/application-prod.yml", 5}}},
    {{D "client/unusual-port.yml"},
     {{"client-address-port-unusual", PORT, WARN, D "client/unusual-port.yml",
       6}}},
    {{D "client/custom-port.yml"},
     {{"client-address-port-unusual", PORT, WARN, D "client/custom-port.yml",
       8}}},
    {{D "client/multi-address.properties"},
     {{"client-address-port", PORT, CRIT, D "client/multi-address.properties",
       3},
      {"client-address-malformed", CFG, ERR,
       D "client/multi-address.properties", 3}}},
    {{D "client/no-scheme.yml"},
     {{"client-address-malformed", CFG, ERR, D "client/no-scheme.yml", 6}}},
    {{D "client/placeholder.yml"},
     {{"client-address-placeholder", CFG, INFO, D "client/placeholder.yml", 6},
      {"client-address-placeholder", CFG, INFO, D "client/placeholder.yml", 14},
      {"client-address-port", PORT, CRIT, D "client/placeholder.yml", 14}}},
    {{D "client/config-port.yml"},
     {{"client-config-port", PORT, ERR, D "client/config-port.yml", 8},
      {"client-config-port", PORT, ERR, D "client/config-port.yml", 9}}},
    {{D "client/polaris-bad.yml"},
     {{"client-address-port", PORT, CRIT, D "client/polaris-bad.yml", 4},
      {"client-address-malformed", CFG, ERR, D "client/polaris-bad.yml", 5},
      {"client-config-port", PORT, ERR, D "client/polaris-bad.yml", 9}}},
    {{D "client/address-unset.yml"},
     {{"client-address-unset", CFG, INFO, D "client/address-unset.yml", 6}}},

    /* client: discovery settings */
    {{D "client/heartbeat.yml"},
     {{"client-heartbeat-enabled-ignored", CFG, INFO, D "client/heartbeat.yml",
       10},
      {"client-heartbeat-interval", CFG, WARN, D "client/heartbeat.yml", 8}}},
    {{D "client/heartbeat.yml", D "build/good-pom.xml"},
     {{"client-heartbeat-enabled-ignored", CFG, INFO, D "client/heartbeat.yml",
       10},
      {"client-heartbeat-interval", CFG, WARN, D "client/heartbeat.yml", 8}}},
    {{D "client/heartbeat-disabled.properties"},
     {{"client-heartbeat-disabled", CFG, WARN,
       D "client/heartbeat-disabled.properties", 3}}},
    {{D "client/heartbeat-disabled.properties", D "build/old-sct-pom.xml"},
     {{"client-heartbeat-disabled", CFG, WARN,
       D "client/heartbeat-disabled.properties", 3}}},
    {{D "client/heartbeat-disabled.properties", D "build/good-pom.xml"},
     {{"client-heartbeat-enabled-ignored", CFG, INFO,
       D "client/heartbeat-disabled.properties", 3}}},
    {{D "client/register-disabled.yml"},
     {{"client-register-disabled", CFG, WARN, D "client/register-disabled.yml",
       8}}},
    {{D "client/health-check-url.yml"},
     {{"client-health-check-url", CFG, INFO, D "client/health-check-url.yml",
       8}}},
    {{D "client/int-values.yml"},
     {{"client-int-value", CFG, ERR, D "client/int-values.yml", 9},
      {"client-local-port", CFG, ERR, D "client/int-values.yml", 7}}},
    {{D "client/names.yml"},
     {{"client-namespace-invalid", CFG, ERR, D "client/names.yml", 7},
      {"client-service-invalid", CFG, ERR, D "client/names.yml", 9}}},
    {{D "client/duplicate-key.yml"},
     {{"client-duplicate-key", CFG, ERR, D "client/duplicate-key.yml", 6},
      {"client-duplicate-key", CFG, ERR, D "client/duplicate-key.yml", 16},
      {"client-duplicate-key", CFG, ERR, D "client/duplicate-key.yml", 21}}},
    {{D "client/app-name.properties"},
     {{"client-service-invalid", CFG, ERR, D "client/app-name.properties", 1}}},

    /* server */
    {{D "server/no-healthcheck.yaml"},
     {{"server-healthcheck-not-included", GATE, CRIT,
       D "server/no-healthcheck.yaml", 11}}},
    {{D "server/no-register.yaml"},
     {{"server-register-not-included", GATE, CRIT, D "server/no-register.yaml",
       11}}},
    {{D "server/no-discover.yaml"},
     {{"server-discover-not-included", GATE, WARN, D "server/no-discover.yaml",
       11}}},
    {{D "server/client-disabled.yaml"},
     {{"server-client-disabled", GATE, CRIT, D "server/client-disabled.yaml",
       10}}},
    {{D "server/client-block-missing.yaml"},
     {{"server-client-disabled", GATE, CRIT,
       D "server/client-block-missing.yaml", 2}}},
    {{D "server/include-unknown.yaml"},
     {{"server-include-unknown", CFG, ERR, D "server/include-unknown.yaml",
       11}}},
    {{D "server/healthcheck-off.yaml"},
     {{"server-healthcheck-off", GATE, CRIT, D "server/healthcheck-off.yaml",
       19}}},
    {{D "server/no-checkers.yaml"},
     {{"server-healthcheck-off", GATE, CRIT, D "server/no-checkers.yaml", 20}}},
    {{D "server/auth-on.yaml"},
     {{"server-client-auth", AUTH, WARN, D "server/auth-on.yaml", 23}}},
    {{D "server/auth-old.yaml"},
     {{"server-client-auth", AUTH, WARN, D "server/auth-old.yaml", 22}}},
    {{D "server/autocreate-off.yaml"},
     {{"server-autocreate-off", NF, WARN, D "server/autocreate-off.yaml", 19},
      {"server-autocreate-off", NF, WARN, D "server/autocreate-off.yaml", 21}}},
    {{D "server/ratelimit-on.yaml"},
     {{"server-ratelimit-on", RL, INFO, D "server/ratelimit-on.yaml", 22}}},
    {{D "server/no-grpc.yaml"},
     {{"server-grpc-missing", GATE, CRIT, D "server/no-grpc.yaml", 1}}},
    {{D "server/port-conflict.yaml"},
     {{"server-port-conflict", CFG, ERR, D "server/port-conflict.yaml", 10}}},

    /* client + server */
    {{D "client/founding-8081.yml", D "server/polaris-server.yaml"},
     {{"cross-no-listener", PORT, CRIT, D "client/founding-8081.yml", 7}}},
    {{D "client/http-8090.yml", D "server/polaris-server.yaml"},
     {{"client-address-scheme", CFG, WARN, D "client/http-8090.yml", 6},
      {"cross-wrong-listener", PORT, CRIT, D "client/http-8090.yml", 6}}},
    {{D "client/application.yml", D "server/no-healthcheck.yaml"},
     {{"server-healthcheck-not-included", GATE, CRIT,
       D "server/no-healthcheck.yaml", 11},
      {"cross-listener-missing-api", GATE, CRIT, D "client/application.yml",
       9}}},
    {{D "client/polaris.yml", D "server/no-register.yaml"},
     {{"server-register-not-included", GATE, CRIT, D "server/no-register.yaml",
       11},
      {"cross-listener-missing-api", GATE, CRIT, D "client/polaris.yml", 6}}},
    {{D "client/application.yml", D "server/no-discover.yaml"},
     {{"server-discover-not-included", GATE, WARN, D "server/no-discover.yaml",
       11},
      {"cross-listener-missing-discover", GATE, WARN,
       D "client/application.yml", 9}}},
    {{D "client/application.yml", D "server/client-disabled.yaml"},
     {{"server-client-disabled", GATE, CRIT, D "server/client-disabled.yaml",
       10},
      {"cross-listener-missing-api", GATE, CRIT, D "client/application.yml",
       9}}},
    {{D "client/application.yml", D "server/auth-on.yaml"},
     {{"client-token-missing", AUTH, ERR, D "client/application.yml", 9}}},
    {{D "client/token.yml", D "server/auth-on.yaml"},
     {{"server-client-auth", AUTH, WARN, D "server/auth-on.yaml", 23}}},

    /* build files */
    {{D "build/boot-mismatch-pom.xml"},
     {{"build-boot-cloud", VER, ERR, D "build/boot-mismatch-pom.xml", 7}}},
    {{D "build/build.gradle"},
     {{"build-boot-cloud", VER, ERR, D "build/build.gradle", 3},
      {"build-sct-cloud", VER, ERR, D "build/build.gradle", 13}}},
    {{D "build/build.gradle.kts"},
     {{"build-polaris-java", VER, WARN, D "build/build.gradle.kts", 12}}},
    {{D "build/dependency-list.txt"},
     {{"build-grpc-polaris-java", VER, ERR, D "build/dependency-list.txt",
       12}}},
    {{D "build/sct-patch-pom.xml"},
     {{"build-sct-cloud-patch", VER, WARN, D "build/sct-patch-pom.xml", 13}}},
    {{D "build/sct-boot-pom.xml"},
     {{"build-sct-boot", VER, ERR, D "build/sct-boot-pom.xml", 8}}},
};

static size_t nwant(const struct fixture_case *fc)
{
    size_t n = 0;

    while (n < MAX_WANT && fc->want[n].id)
        n++;
    return n;
}

static void describe(const struct hb_config_set *s)
{
    size_t i;

    for (i = 0; i < hb_config_set_count(s); i++) {
        const struct hb_finding *f = hb_config_set_at(s, i);

        print_message("  got %s:%lu %s %s %s\n", f->path, f->line, f->check_id,
                      hb_cause_name(f->cause), hb_severity_name(f->severity));
    }
}

static struct hb_config_set *run_files(const char *const *files)
{
    struct hb_config_set *s = hb_config_set_new();
    struct hb_diag d;
    size_t i;

    for (i = 0; i < MAX_FILES && files[i]; i++)
        if (hb_config_set_add(s, files[i], HB_CFG_AUTO, &d) != HB_OK)
            fail_msg("%s: %s", files[i], d.msg);
    hb_config_set_run(s);
    return s;
}

/* Every fixture gives exactly its findings: ids, causes, severities,
 * file:line, and a non-empty title, description, action and text. */
static void test_config_check_fixtures(void **state)
{
    size_t k;

    (void)state;
    for (k = 0; k < HB_ARRAY_LEN(fixtures); k++) {
        const struct fixture_case *fc = &fixtures[k];
        struct hb_config_set *s = run_files(fc->files);
        bool used[16] = {false};
        size_t n = nwant(fc), i, j;

        if (hb_config_set_count(s) != n) {
            describe(s);
            fail_msg("case %zu (%s): %zu findings, want %zu", k, fc->files[0],
                     hb_config_set_count(s), n);
        }
        for (i = 0; i < n; i++) {
            const struct want *w = &fc->want[i];

            for (j = 0; j < hb_config_set_count(s); j++) {
                const struct hb_finding *f = hb_config_set_at(s, j);

                if (!used[j] && strcmp(f->check_id, w->id) == 0 &&
                    strcmp(f->path, w->path) == 0 && f->line == w->line)
                    break;
            }
            if (j == hb_config_set_count(s)) {
                describe(s);
                fail_msg("case %zu: missing %s at %s:%lu", k, w->id, w->path,
                         w->line);
            }
            used[j] = true;
            {
                const struct hb_finding *f = hb_config_set_at(s, j);

                if (f->cause != w->cause || f->severity != w->sev)
                    fail_msg("case %zu: %s is %s/%s", k, w->id,
                             hb_cause_name(f->cause),
                             hb_severity_name(f->severity));
                assert_true(f->title[0] && f->description[0] && f->action[0]);
                assert_true(f->text[0]);
                assert_true(f->weight > 0.0 && f->weight <= 1.0);
            }
        }
        hb_config_set_free(s);
    }
}

/* The table is the contract: unique ids, every row exercised above. */
static void test_config_check_table(void **state)
{
    size_t i, j, k, w;

    (void)state;
    assert_true(hb_config_check_count() >= 30);
    for (i = 0; i < hb_config_check_count(); i++) {
        const struct hb_check_info *c = hb_config_check_info(i);
        bool seen = false;

        assert_non_null(c->what);
        assert_true(c->cause >= 0 && c->cause < HB_CAUSE_COUNT);
        assert_ptr_equal(hb_config_check_find(c->id), c);
        for (j = 0; j < i; j++)
            assert_string_not_equal(hb_config_check_info(j)->id, c->id);
        for (k = 0; k < HB_ARRAY_LEN(fixtures) && !seen; k++)
            for (w = 0; w < MAX_WANT && fixtures[k].want[w].id; w++)
                if (strcmp(fixtures[k].want[w].id, c->id) == 0) {
                    assert_int_equal(fixtures[k].want[w].cause, c->cause);
                    assert_int_equal(fixtures[k].want[w].sev, c->severity);
                    seen = true;
                }
        if (!seen)
            fail_msg("check %s has no fixture", c->id);
    }
    assert_null(hb_config_check_info(hb_config_check_count()));
    assert_null(hb_config_check_find("no-such-check"));
}

/* The founding case: the text names the port, the typo and the fix. */
static void test_config_check_founding_case_text(void **state)
{
    const char *files[] = {D "client/founding-8081.yml", NULL};
    struct hb_config_set *s = run_files(files);
    const struct hb_finding *f = hb_config_set_at(s, 0);

    (void)state;
    assert_non_null(f);
    assert_non_null(strstr(f->title, "8081"));
    assert_non_null(strstr(f->description, "typo of 8091"));
    assert_non_null(strstr(f->description, "400401"));
    assert_non_null(strstr(f->action, "grpc://11.154.192.97:8091"));
    assert_string_equal(f->text, "address: grpc://11.154.192.97:8081");
    hb_config_set_free(s);
}

/* Profile documents say which profile they belong to. */
static void test_config_check_profile_in_title(void **state)
{
    const char *files[] = {D "client/application-prod.yml", NULL};
    struct hb_config_set *s = run_files(files);

    (void)state;
    assert_non_null(strstr(hb_config_set_at(s, 0)->title, "(profile prod)"));
    hb_config_set_free(s);
}

/* Findings name the listener and what it lacks. */
static void test_config_check_cross_text(void **state)
{
    const char *files[] = {D "client/application.yml",
                           D "server/no-healthcheck.yaml", NULL};
    const char *files2[] = {D "client/founding-8081.yml",
                            D "server/polaris-server.yaml", NULL};
    struct hb_config_set *s = run_files(files);
    const struct hb_finding *f;
    size_t i;

    (void)state;
    for (i = 0; (f = hb_config_set_at(s, i)) != NULL; i++)
        if (strcmp(f->check_id, "cross-listener-missing-api") == 0)
            break;
    assert_non_null(f);
    assert_non_null(strstr(f->title, "service-grpc"));
    assert_non_null(strstr(f->title, "healthcheck"));
    assert_non_null(strstr(f->description, "[discover, register]"));
    hb_config_set_free(s);

    s = run_files(files2);
    f = hb_config_set_at(s, 0);
    assert_non_null(strstr(f->description, "service-grpc:8091"));
    assert_non_null(strstr(f->action, "8091"));
    hb_config_set_free(s);
}

/* A bad file is reported and skipped; the others are checked. */
static void test_config_check_bad_files(void **state)
{
    static const char *const bad[] = {
        D "bad/malformed.yml",     D "bad/binary.yml",   D "bad/list.yml",
        D "bad/text.yml",          D "bad/laughs.yml",   D "bad/badindent.yml",
        D "bad/binary.properties", D "no-such-file.yml", D "client",
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(bad); i++) {
        struct hb_config_set *s = hb_config_set_new();
        struct hb_diag d;

        memset(&d, 0, sizeof d);
        assert_int_not_equal(hb_config_set_add(s, bad[i], HB_CFG_AUTO, &d),
                             HB_OK);
        assert_string_equal(d.path, bad[i]);
        assert_true(d.msg[0] != '\0');
        assert_int_equal(hb_config_set_add(s, D "client/founding-8081.yml",
                                           HB_CFG_AUTO, NULL),
                         HB_OK);
        assert_int_equal(hb_config_set_run(s), 1);
        assert_int_equal(hb_config_set_nerrors(s), 1);
        assert_string_equal(hb_config_set_error(s, 0)->path, bad[i]);
        assert_null(hb_config_set_error(s, 1));
        hb_config_set_free(s);
    }
}

static void collect(void *ctx, const struct hb_finding *f)
{
    size_t *n = ctx;

    assert_non_null(f->check_id);
    (*n)++;
}

/* hb_config_check_files: callback per finding, the set handed out owns the
 * strings, the first error comes back. */
static void test_config_check_files_api(void **state)
{
    const char *const paths[] = {D "client/founding-8081.yml",
                                 D "bad/malformed.yml",
                                 D "server/no-healthcheck.yaml"};
    struct hb_config_set *s = NULL;
    struct hb_diag d;
    size_t n = 0;

    (void)state;
    memset(&d, 0, sizeof d);
    assert_int_equal(hb_config_check_files(paths, 3, collect, &n, &s, &d),
                     HB_EPARSE);
    assert_string_equal(d.path, D "bad/malformed.yml");
    assert_int_equal(n, 2); /* cross-no-listener + healthcheck-not-included */
    assert_non_null(s);
    assert_int_equal(hb_config_set_count(s), 2);
    assert_non_null(strstr(hb_config_set_at(s, 0)->title, "8081")
                        ? hb_config_set_at(s, 0)->title
                        : hb_config_set_at(s, 1)->title);
    hb_config_set_free(s);

    n = 0;
    assert_int_equal(hb_config_check_files(paths, 1, collect, &n, NULL, NULL),
                     HB_OK);
    assert_int_equal(n, 1);
}

/* --server forces the role; the detection by content does the rest. */
static void test_config_check_forced_server(void **state)
{
    static const char server[] =
        "apiservers:\n"
        "  - name: service-grpc\n"
        "    option: {listenPort: 8091}\n"
        "    api: {client: {enable: true, include: [discover, register]}}\n";
    static const char partial[] = "healthcheck:\n  open: false\n";
    struct hb_config_set *s = hb_config_set_new();

    (void)state;
    assert_int_equal(hb_config_set_add_mem(s, "srv.conf", server,
                                           strlen(server), HB_CFG_AUTO, NULL),
                     HB_OK);
    assert_int_equal(hb_config_set_add_mem(s, "hc.conf", partial,
                                           strlen(partial), HB_CFG_SERVER,
                                           NULL),
                     HB_OK);
    assert_int_equal(hb_config_set_run(s), 2);
    assert_string_equal(hb_config_set_at(s, 0)->check_id,
                        "server-healthcheck-not-included");
    assert_int_equal(hb_config_set_at(s, 0)->line, 4);
    assert_string_equal(hb_config_set_at(s, 1)->check_id,
                        "server-healthcheck-off");
    assert_string_equal(hb_config_set_at(s, 1)->path, "hc.conf");
    /* a second run does not add findings */
    assert_int_equal(hb_config_set_run(s), 2);
    hb_config_set_free(s);
}

/* Placeholders: resolved from the files, else the default, never guessed. */
static void test_config_check_placeholders(void **state)
{
    static const struct {
        const char *text;
        size_t n;
        const char *first;
    } cases[] = {
        /* resolved from another key of the same files: checked, no info */
        {"polaris.addr: grpc://1.2.3.4:8081\n"
         "spring.cloud.polaris.address: ${polaris.addr}\n",
         1, "client-address-port"},
        {"spring.cloud.polaris.address: ${A:grpc://h:8091}\n", 1,
         "client-address-placeholder"},
        {"spring.cloud.polaris.address: ${A}\n", 1,
         "client-address-placeholder"},
        /* host unknown, port known */
        {"spring.cloud.polaris.address: grpc://${HOST}:8090\n", 2,
         "client-address-port"},
        {"spring.cloud.polaris.address: grpc://${HOST}:${PORT}\n", 1,
         "client-address-placeholder"},
        {"spring.cloud.polaris.address: ${A:${B:grpc://h:8091}}\n", 1,
         "client-address-placeholder"},
        {"spring.cloud.polaris.address: ${unterminated\n", 1,
         "client-address-malformed"},
        {"a: ${b}\nb: ${a}\nspring.cloud.polaris.address: ${a}\n", 1,
         "client-address-placeholder"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        struct hb_config_set *s = hb_config_set_new();

        assert_int_equal(
            hb_config_set_add_mem(s, "application.yml", cases[i].text,
                                  strlen(cases[i].text), HB_CFG_AUTO, NULL),
            HB_OK);
        hb_config_set_run(s);
        if (hb_config_set_count(s) != cases[i].n ||
            strcmp(hb_config_set_at(s, 0)->check_id, cases[i].first) != 0) {
            describe(s);
            fail_msg("case %zu: %zu findings", i, hb_config_set_count(s));
        }
        hb_config_set_free(s);
    }
}

/* Port arithmetic: typos and known ports of a naming address. */
static void test_config_check_ports(void **state)
{
    static const struct {
        const char *addr;
        const char *id; /* NULL: no finding */
    } cases[] = {
        {"grpc://h:8091", NULL},
        {"grpc://h:8081", "client-address-port"},
        {"grpc://h:8019", "client-address-port"},
        {"grpc://h:8092", "client-address-port"},
        {"grpc://h:9091", "client-address-port"},
        {"grpc://h:15010", "client-address-port"},
        {"grpc://h:443", "client-address-port-unusual"},
        {"grpc://h:80911", "client-address-malformed"},
        {"grpc://h:0", "client-address-malformed"},
        {"grpc://h:port", "client-address-malformed"},
        {"grpc://:8091", "client-address-malformed"},
        {"grpc://[::1]:8091", NULL},
        {"grpc://[::1]:8090", "client-address-port"},
        {"grpc://h:8091/", NULL},
        {"GRPC://h:8091", NULL},
        {"tcp://h:8091", "client-address-scheme"},
        {"grpc://a:8091,,grpc://b:8091", NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        struct hb_config_set *s = hb_config_set_new();
        char text[256];

        snprintf(text, sizeof text, "spring.cloud.polaris.address=%s\n",
                 cases[i].addr);
        assert_int_equal(hb_config_set_add_mem(s, "a.properties", text,
                                               strlen(text), HB_CFG_AUTO, NULL),
                         HB_OK);
        hb_config_set_run(s);
        if (cases[i].id == NULL ? hb_config_set_count(s) != 0
                                : hb_config_set_count(s) != 1 ||
                                      strcmp(hb_config_set_at(s, 0)->check_id,
                                             cases[i].id) != 0) {
            describe(s);
            fail_msg("%s: want %s", cases[i].addr,
                     cases[i].id ? cases[i].id : "nothing");
        }
        hb_config_set_free(s);
    }
}

/* Build snippets: named trains, trains from spring-cloud-commons. */
static void test_config_check_build_inline(void **state)
{
    static const struct {
        const char *path, *text, *id, *in_title;
    } cases[] = {
        {"pom.xml",
         "<project><parent><artifactId>spring-boot-starter-parent</artifactId>"
         "<groupId>org.springframework.boot</groupId><version>2.4.13</version>"
         "</parent><properties><spring-cloud.version>Hoxton.SR12"
         "</spring-cloud.version></properties><dependencyManagement>"
         "<dependencies><dependency><groupId>org.springframework.cloud"
         "</groupId><artifactId>spring-cloud-dependencies</artifactId>"
         "<version>${spring-cloud.version}</version></dependency>"
         "</dependencies></dependencyManagement></project>",
         "build-boot-cloud", "Spring Cloud Hoxton.SR12"},
        {"deps.txt",
         "org.springframework.boot:spring-boot:jar:3.2.0:compile\n"
         "org.springframework.cloud:spring-cloud-commons:jar:4.0.4:compile\n",
         "build-boot-cloud", "spring-cloud-commons 4.0.4"},
        {"deps.txt",
         "org.springframework.cloud:spring-cloud-commons:jar:3.1.8:compile\n"
         "com.tencent.cloud:spring-cloud-tencent-commons:jar:1.13.0-2022.0.4"
         ":compile\n",
         "build-sct-cloud", "Spring Cloud 2022.0"},
        {"build.gradle",
         "id 'org.springframework.boot' version '3.2.3'\n"
         "implementation 'com.tencent.cloud:spring-cloud-starter-tencent-"
         "polaris-discovery:1.13.2-2023.0.0'\n"
         "implementation 'com.tencent.polaris:polaris-all:1.15.0'\n",
         NULL, NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        struct hb_config_set *s = hb_config_set_new();
        const struct hb_finding *f;

        assert_int_equal(hb_config_set_add_mem(s, cases[i].path, cases[i].text,
                                               strlen(cases[i].text),
                                               HB_CFG_AUTO, NULL),
                         HB_OK);
        hb_config_set_run(s);
        f = hb_config_set_at(s, 0);
        if (cases[i].id == NULL ? f != NULL
                                : hb_config_set_count(s) != 1 ||
                                      strcmp(f->check_id, cases[i].id) != 0 ||
                                      !strstr(f->title, cases[i].in_title)) {
            describe(s);
            fail_msg("case %zu: want %s", i, cases[i].id ? cases[i].id : "-");
        }
        hb_config_set_free(s);
    }
}

/* Truncated and mangled copies of every fixture: any status, never a
 * crash, and a failure always says where. */
static void test_config_check_mangled_inputs(void **state)
{
    static const char *const files[] = {
        D "client/application.yml",
        D "client/placeholder.yml",
        D "client/multi-address.properties",
        D "client/polaris-bad.yml",
        D "server/polaris-server.yaml",
        D "server/no-healthcheck.yaml",
        D "build/good-pom.xml",
        D "build/build.gradle.kts",
        D "build/dependency-list.txt",
        D "bad/laughs.yml",
    };
    static const char noise[] = ":-[]{}&*!|>'\"%@`#,?\n\t \\$\0\xff";
    uint32_t seed = 12345;
    size_t f, k;

    (void)state;
    for (f = 0; f < HB_ARRAY_LEN(files); f++) {
        struct hb_buf b;
        char *copy;

        hb_buf_init(&b);
        assert_int_equal(hb_cfg_read_file(files[f], &b, NULL), HB_OK);
        copy = hb_xmalloc(b.len + 1);
        for (k = 0; k < 160; k++) {
            struct hb_config_set *s = hb_config_set_new();
            struct hb_diag d;
            size_t len = b.len, i;

            memcpy(copy, b.data, b.len);
            if (k < 40) {
                len = b.len * k / 40; /* a prefix */
            } else {
                for (i = 0; i < 1 + k % 4; i++) {
                    seed = seed * 1103515245u + 12345u;
                    copy[(seed >> 8) % b.len] =
                        noise[(seed >> 20) % (sizeof noise - 1)];
                }
            }
            memset(&d, 0, sizeof d);
            if (hb_config_set_add_mem(s, files[f], copy, len, HB_CFG_AUTO,
                                      &d) != HB_OK) {
                assert_string_equal(d.path, files[f]);
                assert_true(d.msg[0] != '\0');
            }
            hb_config_set_run(s);
            hb_config_set_free(s);
        }
        free(copy);
        hb_buf_fini(&b);
    }
}

/* One check reports at most HB_CONFIG_MAX_PER_CHECK findings. */
static void test_config_check_per_check_cap(void **state)
{
    struct hb_config_set *s = hb_config_set_new();
    struct hb_buf b;
    int i;

    (void)state;
    hb_buf_init(&b);
    hb_buf_puts(&b, "spring.cloud.polaris.address=grpc://h:8091\n");
    for (i = 0; i < HB_CONFIG_MAX_PER_CHECK + 25; i++)
        hb_buf_printf(&b,
                      "spring.cloud.polaris.discovery.heartbeat-interval="
                      "%d\n",
                      100 + i);
    assert_int_equal(hb_config_set_add_mem(s, "many.properties", b.data, b.len,
                                           HB_CFG_AUTO, NULL),
                     HB_OK);
    assert_int_equal(hb_config_set_run(s), HB_CONFIG_MAX_PER_CHECK);
    assert_int_equal(hb_config_set_dropped(s), 25);
    assert_int_equal(hb_config_set_at(s, 0)->line, 2);
    hb_config_set_free(s);
    hb_buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_check_fixtures),
        cmocka_unit_test(test_config_check_table),
        cmocka_unit_test(test_config_check_founding_case_text),
        cmocka_unit_test(test_config_check_profile_in_title),
        cmocka_unit_test(test_config_check_cross_text),
        cmocka_unit_test(test_config_check_bad_files),
        cmocka_unit_test(test_config_check_files_api),
        cmocka_unit_test(test_config_check_forced_server),
        cmocka_unit_test(test_config_check_placeholders),
        cmocka_unit_test(test_config_check_ports),
        cmocka_unit_test(test_config_check_build_inline),
        cmocka_unit_test(test_config_check_mangled_inputs),
        cmocka_unit_test(test_config_check_per_check_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
