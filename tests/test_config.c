/*
 * test_config.c - the configuration loader: YAML and .properties to flat
 * (key, value, file, line) entries, relaxed binding, profiles, aliases, and
 * the caps and errors on bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "util.h"

/* Loads text as path into a fresh set; the status must be want. */
static struct hb_cfg *load(const char *path, const char *text,
                           enum hb_status want, struct hb_diag *d)
{
    struct hb_cfg *c = hb_cfg_new();
    struct hb_diag local;
    enum hb_status rc;

    memset(&local, 0, sizeof local);
    rc = hb_cfg_load_mem(c, path, text, strlen(text), HB_CFG_AUTO,
                         d ? d : &local);
    if (rc != want)
        fail_msg("%s: status %d, want %d (%s)", path, rc, want,
                 (d ? d : &local)->msg);
    return c;
}

static const struct hb_cfg_entry *get(const struct hb_cfg *c, const char *key)
{
    size_t pos = 0;

    return hb_cfg_find(c, HB_CFG_ANY_FILE, key, &pos);
}

static void test_config_yaml_nested_keys(void **state)
{
    static const char text[] = "spring:\n"
                               "  application:\n"
                               "    name: demo-svc\n"
                               "  cloud.polaris:\n"
                               "    address: grpc://127.0.0.1:8091\n"
                               "    discovery:\n"
                               "      token:\n";
    struct hb_cfg *c = load("application.yml", text, HB_OK, NULL);
    const struct hb_cfg_entry *e;

    (void)state;
    e = get(c, "spring.application.name");
    assert_non_null(e);
    assert_string_equal(e->value, "demo-svc");
    assert_int_equal(e->line, 3);
    assert_int_equal(e->col, 5);
    assert_string_equal(e->text, "name: demo-svc");
    e = get(c, "spring.cloud.polaris.address");
    assert_non_null(e);
    assert_string_equal(e->key, "spring.cloud.polaris.address");
    assert_string_equal(e->value, "grpc://127.0.0.1:8091");
    assert_int_equal(e->line, 5);
    e = get(c, "spring.cloud.polaris.discovery.token");
    assert_non_null(e);
    assert_true(e->null);
    assert_string_equal(e->value, "");
    e = get(c, "spring.cloud.polaris.discovery");
    assert_non_null(e);
    assert_int_equal(e->kind, HB_CFG_MAP);
    assert_int_equal(hb_cfg_file_at(c, 0)->role, HB_CFG_CLIENT);
    hb_cfg_free(c);
}

static void test_config_relaxed_binding(void **state)
{
    static const char *const forms[] = {
        "spring.cloud.polaris.discovery.heartbeat-interval: 7\n",
        "spring.cloud.polaris.discovery.heartbeatInterval: 7\n",
        "spring.cloud.polaris.discovery.heartbeat_interval: 7\n",
        "SPRING.CLOUD.POLARIS.DISCOVERY.HEARTBEAT_INTERVAL: 7\n",
        "spring:\n  cloud:\n    polaris:\n      discovery:\n"
        "        heartbeatInterval: 7\n",
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(forms); i++) {
        struct hb_cfg *c = load("a.yml", forms[i], HB_OK, NULL);
        const struct hb_cfg_entry *e =
            get(c, "spring.cloud.polaris.discovery.heartbeat-interval");

        assert_non_null(e);
        assert_string_equal(e->value, "7");
        assert_true(hb_cfg_key_is(e, "spring.cloud.polaris.discovery."
                                     "heartbeat_interval"));
        assert_false(hb_cfg_key_is(e, "spring.cloud.polaris.discovery."
                                      "heartbeat"));
        hb_cfg_free(c);
    }
}

static void test_config_list_indices(void **state)
{
    static const char yaml[] = "global:\n"
                               "  serverConnector:\n"
                               "    addresses:\n"
                               "      - 10.0.0.1:8091\n"
                               "      - 10.0.0.2:8091\n"
                               "apiservers:\n"
                               "  - name: service-grpc\n"
                               "    api:\n"
                               "      client:\n"
                               "        include: [discover, register]\n";
    static const char props[] = "a.list[0]=x\na.list[1]=y\n";
    struct hb_cfg *c = load("polaris.yml", yaml, HB_OK, NULL);
    const struct hb_cfg_entry *e;

    (void)state;
    e = get(c, "global.serverConnector.addresses[1]");
    assert_non_null(e);
    assert_string_equal(e->value, "10.0.0.2:8091");
    assert_int_equal(e->line, 5);
    e = get(c, "apiservers[0].api.client.include[1]");
    assert_non_null(e);
    assert_string_equal(e->value, "register");
    assert_int_equal(e->line, 10);
    e = get(c, "apiservers[0].api.client.include");
    assert_non_null(e);
    assert_int_equal(e->kind, HB_CFG_SEQ);
    /* a top-level apiservers makes it a server config */
    assert_int_equal(hb_cfg_file_at(c, 0)->role, HB_CFG_SERVER);
    hb_cfg_free(c);

    c = load("x.properties", props, HB_OK, NULL);
    e = get(c, "a.list[1]");
    assert_non_null(e);
    assert_string_equal(e->value, "y");
    assert_int_equal(e->line, 2);
    hb_cfg_free(c);
}

static void test_config_profiles(void **state)
{
    static const char yaml[] = "spring.cloud.polaris.address: grpc://a:8091\n"
                               "---\n"
                               "spring:\n"
                               "  config:\n"
                               "    activate:\n"
                               "      on-profile: prod\n"
                               "  cloud.polaris.address: grpc://b:8091\n"
                               "---\n"
                               "spring.profiles: dev\n"
                               "spring.cloud.polaris.address: grpc://c:8091\n";
    static const char props[] = "spring.cloud.polaris.address=grpc://a:8091\n"
                                "#---\n"
                                "spring.config.activate.on-profile=test\n"
                                "spring.cloud.polaris.address=grpc://t:8091\n";
    const char *want_profile[] = {NULL, "prod", "dev"};
    const char *want_value[] = {"grpc://a:8091", "grpc://b:8091",
                                "grpc://c:8091"};
    struct hb_cfg *c = load("application.yml", yaml, HB_OK, NULL);
    const struct hb_cfg_entry *e;
    size_t pos = 0, i;

    (void)state;
    for (i = 0; i < 3; i++) {
        e = hb_cfg_find(c, HB_CFG_ANY_FILE, "spring.cloud.polaris.address",
                        &pos);
        assert_non_null(e);
        assert_string_equal(e->value, want_value[i]);
        assert_int_equal(e->doc, i);
        if (want_profile[i])
            assert_string_equal(e->profile, want_profile[i]);
        else
            assert_null(e->profile);
    }
    assert_null(
        hb_cfg_find(c, HB_CFG_ANY_FILE, "spring.cloud.polaris.address", &pos));
    assert_int_equal(hb_cfg_file_at(c, 0)->docs, 3);
    hb_cfg_free(c);

    c = load("application.properties", props, HB_OK, NULL);
    pos = 0;
    e = hb_cfg_find(c, HB_CFG_ANY_FILE, "spring.cloud.polaris.address", &pos);
    assert_null(e->profile);
    e = hb_cfg_find(c, HB_CFG_ANY_FILE, "spring.cloud.polaris.address", &pos);
    assert_string_equal(e->profile, "test");
    assert_int_equal(e->line, 4);
    hb_cfg_free(c);

    /* the profile in the file name applies to documents without one */
    c = load("conf/application-staging.yaml", "a: 1\n", HB_OK, NULL);
    assert_string_equal(get(c, "a")->profile, "staging");
    assert_string_equal(hb_cfg_file_at(c, 0)->profile, "staging");
    hb_cfg_free(c);
}

static void test_config_properties_syntax(void **state)
{
    static const struct {
        const char *text, *key, *value;
        unsigned long line;
    } cases[] = {
        {"a.b=1\n", "a.b", "1", 1},
        {"a.b = 1\n", "a.b", "1", 1},
        {"a.b:1\n", "a.b", "1", 1},
        {"a.b 1\n", "a.b", "1", 1},
        {"  \t a.b=  spaced value  \n", "a.b", "spaced value  ", 1},
        {"# comment\n! also\n\na.b=3\n", "a.b", "3", 4},
        {"a.b=one \\\n    two\nc=d\n", "a.b", "one two", 1},
        {"x=1\r\na.b=crlf\r\n", "a.b", "crlf", 2},
        {"a.b=caf\\u00e9\n", "a.b", "caf\xc3\xa9", 1},
        {"a\\=b=v\n", "a=b", "v", 1},
        {"a.b=tab\\there\n", "a.b", "tab\there", 1},
        {"a.b=ends with backslash\\\\\n", "a.b", "ends with backslash\\", 1},
        {"a.b=\n", "a.b", "", 1},
        {"a.b=last", "a.b", "last", 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        struct hb_cfg *c = load("t.properties", cases[i].text, HB_OK, NULL);
        const struct hb_cfg_entry *e = get(c, cases[i].key);

        if (e == NULL)
            fail_msg("case %zu: no key %s", i, cases[i].key);
        assert_string_equal(e->value, cases[i].value);
        assert_int_equal(e->line, cases[i].line);
        assert_false(e->null);
        hb_cfg_free(c);
    }
}

static void test_config_aliases_and_merge(void **state)
{
    static const char yaml[] = "defaults: &d\n"
                               "  port: 8091\n"
                               "  tags: [a, b]\n"
                               "one:\n"
                               "  <<: *d\n"
                               "  host: x\n"
                               "two: *d\n"
                               "three:\n"
                               "  <<: [*d]\n"
                               "scalar: &s hello\n"
                               "copy: *s\n";
    struct hb_cfg *c = load("a.yml", yaml, HB_OK, NULL);
    const struct hb_cfg_entry *e;

    (void)state;
    e = get(c, "one.port");
    assert_non_null(e);
    assert_string_equal(e->value, "8091");
    assert_int_equal(e->line, 5); /* the line of the merge */
    assert_string_equal(get(c, "one.tags[1]")->value, "b");
    assert_string_equal(get(c, "one.host")->value, "x");
    assert_string_equal(get(c, "two.port")->value, "8091");
    assert_string_equal(get(c, "two.tags[0]")->value, "a");
    assert_string_equal(get(c, "three.port")->value, "8091");
    assert_string_equal(get(c, "copy")->value, "hello");
    assert_null(get(c, "<<"));
    hb_cfg_free(c);
}

/* A key repeated in one mapping is marked; the same path spelled another
 * way, in another document, or overriding a merge is not. */
static void test_config_duplicate_keys(void **state)
{
    static const char yaml[] = "a:\n"
                               "  x: 1\n"
                               "b: 2\n"
                               "a:\n"
                               "  y: 1\n"
                               "c.d: 1\n"
                               "c:\n"
                               "  d: 2\n"
                               "base: &b {k: 1}\n"
                               "m:\n"
                               "  <<: *b\n"
                               "  k: 2\n"
                               "l: [{n: 1, n: 2}]\n"
                               "---\n"
                               "a: 3\n";
    struct hb_cfg *c = load("dup.yml", yaml, HB_OK, NULL);
    size_t i, ndup = 0;

    (void)state;
    for (i = 0; i < hb_cfg_count(c); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(c, i);

        if (e->dup_line == 0)
            continue;
        ndup++;
        if (strcmp(e->key, "a") == 0) {
            assert_int_equal(e->line, 4);
            assert_int_equal(e->dup_line, 1);
            assert_int_equal(e->kind, HB_CFG_MAP);
        } else {
            assert_string_equal(e->key, "l[0].n");
            assert_int_equal(e->dup_line, 13);
        }
    }
    assert_int_equal(ndup, 2);
    hb_cfg_free(c);
}

/* Each level repeats the previous one nine times: 9^6 if expanded. */
static void test_config_alias_bomb_capped(void **state)
{
    static const char yaml[] = "a: &a [x, x, x, x, x, x, x, x, x]\n"
                               "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                               "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                               "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                               "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                               "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    struct hb_diag d;
    struct hb_cfg *c;

    (void)state;
    memset(&d, 0, sizeof d);
    c = load("bomb.yml", yaml, HB_ELIMIT, &d);
    assert_non_null(strstr(d.msg, "aliases expand"));
    assert_true(d.line >= 3);
    assert_int_equal(hb_cfg_count(c), 0);
    assert_int_equal(hb_cfg_nfiles(c), 0);
    hb_cfg_free(c);
}

/* Aliases cost even when they copy nothing; anchors are capped. */
static void test_config_alias_counts_capped(void **state)
{
    struct hb_buf b;
    struct hb_diag d;
    struct hb_cfg *c;
    int i;

    (void)state;
    hb_buf_init(&b);
    hb_buf_puts(&b, "a: &a {}\nm:\n");
    for (i = 0; i < HB_CFG_MAX_ALIAS + 10; i++)
        hb_buf_printf(&b, "  k%d:\n    <<: *a\n", i);
    memset(&d, 0, sizeof d);
    c = load("empty-aliases.yml", b.data, HB_ELIMIT, &d);
    assert_non_null(strstr(d.msg, "aliases expand"));
    hb_cfg_free(c);

    hb_buf_reset(&b);
    for (i = 0; i < HB_CFG_MAX_ANCHORS + 1; i++)
        hb_buf_printf(&b, "k%d: &a%d v\n", i, i);
    c = load("anchors.yml", b.data, HB_ELIMIT, &d);
    assert_non_null(strstr(d.msg, "anchors"));
    assert_int_equal(d.line, HB_CFG_MAX_ANCHORS + 1);
    hb_cfg_free(c);
    hb_buf_fini(&b);
}

static void test_config_depth_capped(void **state)
{
    struct hb_buf b;
    struct hb_diag d;
    struct hb_cfg *c;
    int i;

    (void)state;
    hb_buf_init(&b);
    for (i = 0; i < HB_CFG_MAX_DEPTH + 8; i++)
        hb_buf_printf(&b, "%*sk%d:\n", 2 * i, "", i);
    hb_buf_printf(&b, "%*sleaf: 1\n", 2 * i, "");
    memset(&d, 0, sizeof d);
    c = load("deep.yml", b.data, HB_ELIMIT, &d);
    assert_non_null(strstr(d.msg, "nesting deeper"));
    assert_int_equal(d.line, HB_CFG_MAX_DEPTH + 1);
    assert_int_equal(hb_cfg_count(c), 0);
    hb_cfg_free(c);
    hb_buf_fini(&b);

    /* flow style too */
    hb_buf_init(&b);
    hb_buf_puts(&b, "a: ");
    for (i = 0; i < 200; i++)
        hb_buf_putc(&b, '[');
    for (i = 0; i < 200; i++)
        hb_buf_putc(&b, ']');
    hb_buf_putc(&b, '\n');
    c = load("flow.yml", b.data, HB_ELIMIT, &d);
    hb_cfg_free(c);
    hb_buf_fini(&b);
}

static void test_config_size_capped(void **state)
{
    size_t n = HB_CFG_MAX_BYTES + 1;
    char *big = hb_xmalloc(n + 1);
    struct hb_cfg *c = hb_cfg_new();
    struct hb_diag d;

    (void)state;
    memset(big, '#', n);
    big[n] = '\0';
    memset(&d, 0, sizeof d);
    assert_int_equal(hb_cfg_load_mem(c, "big.yml", big, n, HB_CFG_AUTO, &d),
                     HB_ELIMIT);
    assert_non_null(strstr(d.msg, "larger than"));
    assert_int_equal(hb_cfg_nfiles(c), 0);
    hb_cfg_free(c);
    free(big);
}

static void test_config_bad_input(void **state)
{
    static const struct {
        const char *path;
        const char *text;
        size_t len; /* 0 = strlen */
        enum hb_status rc;
        unsigned long line, col;
        const char *msg;
    } cases[] = {
        {"q.yml", "a:\n  b: \"open\n  c: d\n", 0, HB_EPARSE, 4, 1,
         "quoted scalar started at line 2"},
        {"i.yml", "a:\n  b: 1\n c: 2\n", 0, HB_EPARSE, 3, 2, "YAML"},
        {"nul.yml", "a: 1\nb: x\0y\n", 11, HB_EPARSE, 2, 5, "binary"},
        {"nul.properties", "a=\0", 3, HB_EPARSE, 1, 3, "binary"},
        {"list.yml", "- a\n- b\n", 0, HB_EPARSE, 1, 1, "a list"},
        {"text.yml", "plain words\n", 0, HB_EPARSE, 1, 1, "plain value"},
        {"alias.yml", "a: *nope\n", 0, HB_EPARSE, 1, 4, "undefined alias"},
        {"key.yml", "? [a, b]\n: c\n", 0, HB_EPARSE, 1, 3, "complex"},
        {"utf.yml", "a: \xff\xfe\n", 0, HB_EPARSE, 1, 0, "YAML"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        struct hb_cfg *c = hb_cfg_new();
        struct hb_diag d;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        enum hb_status rc;

        memset(&d, 0, sizeof d);
        rc = hb_cfg_load_mem(c, cases[i].path, cases[i].text, len, HB_CFG_AUTO,
                             &d);
        if (rc != cases[i].rc || strstr(d.msg, cases[i].msg) == NULL)
            fail_msg("%s: rc %d msg '%s'", cases[i].path, rc, d.msg);
        assert_string_equal(d.path, cases[i].path);
        if (d.line != cases[i].line || (cases[i].col && d.col != cases[i].col))
            fail_msg("%s: at %lu:%lu, want %lu:%lu", cases[i].path, d.line,
                     d.col, cases[i].line, cases[i].col);
        assert_int_equal(hb_cfg_count(c), 0);
        assert_int_equal(hb_cfg_nfiles(c), 0);
        hb_cfg_free(c);
    }
}

/* A bad file leaves the set as it was; the next file still loads. */
static void test_config_bad_file_keeps_others(void **state)
{
    struct hb_cfg *c = hb_cfg_new();
    struct hb_diag d;

    (void)state;
    assert_int_equal(hb_cfg_load_mem(c, "a.yml", "a: 1\n", 5, HB_CFG_AUTO, &d),
                     HB_OK);
    assert_int_equal(hb_cfg_load_mem(c, "b.yml", "b: [1\n", 6, HB_CFG_AUTO, &d),
                     HB_EPARSE);
    assert_int_equal(hb_cfg_load_mem(c, "c.yml", "c: 3\n", 5, HB_CFG_AUTO, &d),
                     HB_OK);
    assert_int_equal(hb_cfg_count(c), 2);
    assert_int_equal(hb_cfg_nfiles(c), 2);
    assert_string_equal(hb_cfg_file_at(c, 1)->path, "c.yml");
    assert_int_equal(hb_cfg_at(c, 1)->file, 1);
    assert_null(get(c, "b"));
    hb_cfg_free(c);
}

static void test_config_roles(void **state)
{
    static const struct {
        const char *path, *text;
        enum hb_cfg_role role;
    } cases[] = {
        {"polaris-server.yaml", "bootstrap: {}\napiservers: []\n",
         HB_CFG_SERVER},
        {"polaris.yml", "global:\n  serverConnector: {}\n", HB_CFG_SDK},
        {"x.yml", "provider:\n  rateLimit: {}\n", HB_CFG_SDK},
        {"application.yml", "spring:\n  cloud: {}\nglobal: 1\n", HB_CFG_CLIENT},
        {"empty.yml", "", HB_CFG_CLIENT},
        {"app.properties", "apiservers=1\n", HB_CFG_SERVER},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        struct hb_cfg *c = load(cases[i].path, cases[i].text, HB_OK, NULL);

        if (hb_cfg_file_at(c, 0)->role != cases[i].role)
            fail_msg("%s: role %s", cases[i].path,
                     hb_cfg_role_name(hb_cfg_file_at(c, 0)->role));
        hb_cfg_free(c);
    }
    /* a forced role wins */
    {
        struct hb_cfg *c = hb_cfg_new();

        assert_int_equal(
            hb_cfg_load_mem(c, "s", "a: 1\n", 5, HB_CFG_SERVER, NULL), HB_OK);
        assert_int_equal(hb_cfg_file_at(c, 0)->role, HB_CFG_SERVER);
        hb_cfg_free(c);
    }
}

static void test_config_files(void **state)
{
    struct hb_cfg *c = hb_cfg_new();
    struct hb_diag d;

    (void)state;
    memset(&d, 0, sizeof d);
    assert_int_equal(
        hb_cfg_load(c, "testdata/config/no-such-file.yml", HB_CFG_AUTO, &d),
        HB_EIO);
    assert_non_null(strstr(d.msg, "cannot open"));
    assert_int_equal(hb_cfg_load(c, "testdata/config", HB_CFG_AUTO, &d),
                     HB_EIO);
    assert_non_null(strstr(d.msg, "directory"));
    assert_int_equal(hb_cfg_load(c, "testdata/config/client/application.yml",
                                 HB_CFG_AUTO, &d),
                     HB_OK);
    assert_int_equal(
        hb_cfg_load(c, "testdata/config/bad/binary.yml", HB_CFG_AUTO, &d),
        HB_EPARSE);
    assert_int_equal(d.line, 2);
    assert_int_equal(hb_cfg_nfiles(c), 1);
    assert_non_null(get(c, "spring.cloud.polaris.address"));
    hb_cfg_free(c);
}

static void test_config_long_lines_capped(void **state)
{
    struct hb_buf b;
    struct hb_cfg *c;
    const struct hb_cfg_entry *e;
    int i;

    (void)state;
    hb_buf_init(&b);
    hb_buf_puts(&b, "a: ");
    for (i = 0; i < 500; i++)
        hb_buf_puts(&b, "\xc3\xa9"); /* é: the cut must not split it */
    hb_buf_putc(&b, '\n');
    c = load("long.yml", b.data, HB_OK, NULL);
    e = get(c, "a");
    assert_non_null(e);
    assert_int_equal(strlen(e->value), 1000);
    assert_true(strlen(e->text) <= HB_CFG_MAX_TEXT);
    assert_true(strlen(e->text) % 2 == 1); /* "a: " + whole é's */
    hb_cfg_free(c);
    /* eleven nested keys of 100 bytes: a dotted key over the cap */
    hb_buf_reset(&b);
    for (i = 0; i < 11; i++)
        hb_buf_printf(&b, "%*s%0100d:\n", 2 * i, "", i);
    hb_buf_printf(&b, "%*sleaf: 1\n", 2 * i, "");
    c = load("key.yml", b.data, HB_ELIMIT, NULL);
    hb_cfg_free(c);
    hb_buf_fini(&b);
}

static void test_config_norm(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"spring.cloud.polaris.discovery.heartbeat-interval",
         "spring.cloud.polaris.discovery.heartbeatinterval"},
        {"Spring.Cloud.localPort", "spring.cloud.localport"},
        {"a_b-c[0].D", "abc[0].d"},
        {"", ""},
    };
    char out[64];
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        hb_cfg_norm(cases[i].in, out, sizeof out);
        assert_string_equal(out, cases[i].out);
    }
    hb_cfg_norm("abcdef", out, 4);
    assert_string_equal(out, "abc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_yaml_nested_keys),
        cmocka_unit_test(test_config_relaxed_binding),
        cmocka_unit_test(test_config_list_indices),
        cmocka_unit_test(test_config_profiles),
        cmocka_unit_test(test_config_properties_syntax),
        cmocka_unit_test(test_config_aliases_and_merge),
        cmocka_unit_test(test_config_duplicate_keys),
        cmocka_unit_test(test_config_alias_bomb_capped),
        cmocka_unit_test(test_config_alias_counts_capped),
        cmocka_unit_test(test_config_depth_capped),
        cmocka_unit_test(test_config_size_capped),
        cmocka_unit_test(test_config_bad_input),
        cmocka_unit_test(test_config_bad_file_keeps_others),
        cmocka_unit_test(test_config_roles),
        cmocka_unit_test(test_config_files),
        cmocka_unit_test(test_config_long_lines_capped),
        cmocka_unit_test(test_config_norm),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
