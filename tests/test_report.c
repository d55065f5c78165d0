/*
 * test_report.c - the three renderers: the JSON is valid (a small validator
 * below) with the documented keys, Markdown has its sections, the text fits
 * the width, carries colour only when asked, draws a sparkline (ASCII when
 * asked) and never passes control bytes from the logs to the terminal.
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

/* diagnose.c looks rules up by id for replayed incidents; none here. */
const struct hb_rule_meta *hb_rules_find(const struct hb_ruleset *rs,
                                         const char *id)
{
    (void)rs;
    (void)id;
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

/* ---- a tiny JSON validator ------------------------------------------ */

struct jp {
    const char *p, *end;
    int depth;
};

static void ws(struct jp *j)
{
    while (j->p < j->end &&
           (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
        j->p++;
}

static bool lit(struct jp *j, const char *s)
{
    size_t n = strlen(s);

    if ((size_t)(j->end - j->p) < n || memcmp(j->p, s, n) != 0)
        return false;
    j->p += n;
    return true;
}

static bool jstring(struct jp *j)
{
    if (j->p >= j->end || *j->p != '"')
        return false;
    j->p++;
    while (j->p < j->end) {
        unsigned char c = (unsigned char)*j->p;

        if (c == '"') {
            j->p++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            j->p++;
            if (j->p >= j->end)
                return false;
            if (*j->p == 'u') {
                int i;

                for (i = 1; i <= 4; i++)
                    if (j->p + i >= j->end ||
                        !strchr("0123456789abcdefABCDEF", j->p[i]))
                        return false;
                j->p += 5;
                continue;
            }
            if (!strchr("\"\\/bfnrt", *j->p))
                return false;
            j->p++;
            continue;
        }
        if (c >= 0x80) { /* valid UTF-8 only */
            int n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : -1;
            int i;

            if (n < 0 || c > 0xf4)
                return false;
            for (i = 1; i <= n; i++)
                if (j->p + i >= j->end ||
                    ((unsigned char)j->p[i] & 0xc0) != 0x80)
                    return false;
            j->p += n + 1;
            continue;
        }
        j->p++;
    }
    return false;
}

static bool jnumber(struct jp *j)
{
    const char *s = j->p;

    if (j->p < j->end && *j->p == '-')
        j->p++;
    while (j->p < j->end && strchr("0123456789.eE+-", *j->p))
        j->p++;
    return j->p > s;
}

static bool jvalue(struct jp *j);

static bool jcontainer(struct jp *j, char open, char close, bool obj)
{
    j->p++;
    if (++j->depth > 64)
        return false;
    ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        j->depth--;
        return true;
    }
    for (;;) {
        ws(j);
        if (obj) {
            if (!jstring(j))
                return false;
            ws(j);
            if (j->p >= j->end || *j->p != ':')
                return false;
            j->p++;
        }
        if (!jvalue(j))
            return false;
        ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == close) {
            j->p++;
            j->depth--;
            return true;
        }
        (void)open;
        return false;
    }
}

static bool jvalue(struct jp *j)
{
    ws(j);
    if (j->p >= j->end)
        return false;
    switch (*j->p) {
    case '{':
        return jcontainer(j, '{', '}', true);
    case '[':
        return jcontainer(j, '[', ']', false);
    case '"':
        return jstring(j);
    case 't':
        return lit(j, "true");
    case 'f':
        return lit(j, "false");
    case 'n':
        return lit(j, "null");
    default:
        return jnumber(j);
    }
}

static bool json_valid(const char *s, size_t n)
{
    struct jp j = {s, s + n, 0};

    if (!jvalue(&j))
        return false;
    ws(&j);
    return j.p == j.end;
}

static void test_report_validator_works(void **state)
{
    static const struct {
        const char *text;
        bool ok;
    } cases[] = {
        {"{\"a\": [1, 2.5, true, null, \"x\\u001b\"]}", true},
        {"{\"a\": }", false},
        {"{\"a\": [1, 2,]}", false},
        {"\"\xff\"", false},
        {"\"\x01\"", false},
        {"{} {}", false},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(json_valid(cases[i].text, strlen(cases[i].text)),
                         cases[i].ok);
}

/* ---- fixtures ------------------------------------------------------- */

#define T0 1710332164000LL

static const struct hb_rule_meta R401 = {
    .id = "sdk-400401",
    .title = "Client API not open (400401)",
    .description = "400401.",
    .cause = HB_CAUSE_API_GATING,
    .severity = HB_SEV_ERROR,
    .weight = 0.9,
    .alternatives = {HB_CAUSE_PORT, HB_CAUSE_NONE},
};
static const struct hb_rule_meta RNET = {
    .id = "sdk-network-error",
    .title = "Network error",
    .description = "ERR-1007.",
    .action = "Check the network.",
    .cause = HB_CAUSE_NETWORK,
    .severity = HB_SEV_ERROR,
    .weight = 0.7,
    .alternatives = {HB_CAUSE_NONE},
};

static void incident(struct hb_dx *dx, const struct hb_rule_meta *r, int64_t ts,
                     const char *text, int server_code, const char *source)
{
    struct hb_incident inc;
    uint64_t h = hb_hash64(text, strlen(text), HB_HASH_SEED);

    memset(&inc, 0, sizeof inc);
    inc.source = source;
    inc.first_line = inc.evidence_line = (uint64_t)(ts - T0) / 1000 + 1;
    hb_strlcpy(inc.evidence, text, strlen(text), sizeof inc.evidence);
    hb_strlcpy(inc.message, text, strlen(text), sizeof inc.message);
    inc.text.p = text;
    inc.text.n = strlen(text);
    inc.ts_ms = ts;
    strcpy(inc.ns, "default");
    strcpy(inc.service, "demo-svc");
    strcpy(inc.host, "10.0.0.5");
    inc.port = 8080;
    inc.server_code = server_code;
    if (server_code) {
        inc.codes[0].kind = HB_CODE_SERVER;
        inc.codes[0].num = server_code;
        snprintf(inc.codes[0].key, sizeof inc.codes[0].key, "%d", server_code);
        inc.codes[1].kind = HB_CODE_SDK;
        inc.codes[1].num = 1006;
        strcpy(inc.codes[1].key, "ERR-1006");
        inc.ncodes = 2;
    }
    strcpy(inc.grpc_status, server_code ? "" : "UNAVAILABLE");
    if (r) {
        inc.hits[0].rule = r;
        inc.nhits = 1;
        inc.rule_id = r->id;
        inc.cause = r->cause;
        inc.severity = r->severity;
        inc.weight = r->weight;
    } else {
        inc.cause = HB_CAUSE_NONE;
    }
    snprintf(inc.fingerprint, sizeof inc.fingerprint, "%016llx",
             (unsigned long long)h);
    hb_dx_add_incident(dx, &inc);
}

static void address(struct hb_dx *dx, const char *value)
{
    struct hb_obs o;

    memset(&o, 0, sizeof o);
    o.source = "app.log";
    o.line = 3;
    o.ts_ms = T0;
    strcpy(o.kind, "address");
    strcpy(o.key, "grpc-url");
    hb_strlcpy(o.value, value, strlen(value), sizeof o.value);
    snprintf(o.text, sizeof o.text,
             "[SCT] polaris address: %s with a \x1b[2J nasty escape", value);
    hb_dx_add_obs(dx, &o);
}

/* A rich diagnosis: port first, network, unclassified, a finding. */
static struct hb_dx *rich(void)
{
    struct hb_dx *dx = hb_dx_new(NULL, NULL);
    struct hb_finding f = {.check_id = "client-address-port",
                           .cause = HB_CAUSE_PORT,
                           .severity = HB_SEV_ERROR,
                           .weight = 0.8,
                           .title = "address uses 8081",
                           .description = "d",
                           .action = "Use 8091.",
                           .path = "bootstrap.yml",
                           .line = 4,
                           .text = "address: grpc://10.0.0.9:8081"};
    int i;

    address(dx, "grpc://10.0.0.9:8081");
    for (i = 0; i < 120; i++)
        incident(dx, &R401, T0 + i * 30000LL,
                 "ERR-1006(SERVER_USER_ERROR): server error 400401: client "
                 "api is not open",
                 400401, "logs/app.log");
    for (i = 0; i < 5; i++)
        incident(dx, &RNET, T0 + 1800000 + i * 1000LL,
                 "ERR-1007(NETWORK_ERROR): fail to heartbeat id x, host "
                 "10.0.0.5:8080 service ServiceKey{namespace='default', "
                 "service='demo-svc'}, cause: UNAVAILABLE: io exception and "
                 "a line so long that it must be cut to fit the terminal's "
                 "one hundred columns without wrapping it",
                 0, "polaris/logs/polaris.log");
    incident(dx, NULL, T0 + 60000,
             "server error 400999: \x1b]0;title\x07 odd \xff\xfe bytes", 400999,
             "app.log");
    hb_dx_add_finding(dx, &f);
    return dx;
}

static char *render(struct hb_dx *dx, const struct hb_report_opts *o,
                    const struct hb_input_stats *st, size_t *len)
{
    char *buf = NULL;
    FILE *fp = open_memstream(&buf, len);

    assert_non_null(fp);
    hb_dx_report(dx, st, o, fp);
    fclose(fp);
    return buf;
}

static const struct hb_input_stats ST = {.sources = 3,
                                         .bytes = 123456,
                                         .lines = 2000,
                                         .records = 1500,
                                         .truncated = 1,
                                         .cut = 2,
                                         .input_errors = 0,
                                         .incidents = 126};

/* ---- JSON ------------------------------------------------------------ */

static void test_report_json_valid_and_keys(void **state)
{
    static const char *const keys[] = {
        "\"tool\": \"hbscan\"",
        "\"version\": ",
        "\"schema\": 1",
        "\"input\": {",
        "\"sources\": 3",
        "\"bytes\": 123456",
        "\"lines\": 2000",
        "\"records\": 1500",
        "\"truncated\": 1",
        "\"cut\": 2",
        "\"input_errors\": 0",
        "\"codes\": {",
        "\"400401\": 120",
        "\"ERR-1006\": 121",
        "\"grpc_statuses\": {",
        "\"UNAVAILABLE\": 5",
        "\"causes\": [",
        "\"cause\": \"port\"",
        "\"confidence\": 0.",
        "\"title\": ",
        "\"description\": ",
        "\"action\": ",
        "\"incidents\": 120",
        "\"first_seen\": \"2024-03-13T",
        "\"last_seen\": ",
        "\"instances\": [\"default/demo-svc 10.0.0.5:8080\"]",
        "\"rules\": [",
        "\"evidence\": [",
        "\"source\": \"logs/app.log\"",
        "\"line\": ",
        "\"text\": ",
        "\"unclassified\": {",
        "\"count\": 1",
        "\"400999\": 1",
        "\"findings\": [",
        "\"check\": \"client-address-port\"",
        "\"addresses\": [",
        "\"port\": 8081",
        "\"versions\": []",
        "\"timeline\": {",
        "\"counts\": ["};
    struct hb_dx *dx = rich();
    struct hb_report_opts o = {.format = HB_REPORT_JSON};
    size_t len, i;
    char *out = render(dx, &o, &ST, &len);
    const char *port, *net;

    (void)state;
    assert_true(json_valid(out, len));
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strstr(out, keys[i]) == NULL)
            fail_msg("missing %s", keys[i]);
    /* sorted by confidence: port before network */
    port = strstr(out, "\"cause\": \"port\"");
    net = strstr(out, "\"cause\": \"network\"");
    assert_non_null(net);
    assert_true(port < net);
    /* invalid UTF-8 and control bytes stay valid JSON */
    assert_non_null(strstr(out, "\\u001b]0;title\\u0007"));
    assert_non_null(strstr(out, "\xef\xbf\xbd"));
    free(out);
    hb_dx_free(dx);
}

static void test_report_json_empty_causes(void **state)
{
    struct hb_dx *dx = hb_dx_new(NULL, NULL);
    struct hb_report_opts o = {.format = HB_REPORT_JSON};
    size_t len;
    char *out;

    (void)state;
    address(dx, "10.0.0.9:8091");
    out = render(dx, &o, NULL, &len);
    assert_true(json_valid(out, len));
    assert_non_null(strstr(out, "\"causes\": []"));
    assert_non_null(strstr(out, "\"count\": 0"));
    assert_non_null(strstr(out, "\"findings\": []"));
    assert_non_null(strstr(out, "\"codes\": {}"));
    free(out);
    hb_dx_free(dx);
}

/* ---- text ------------------------------------------------------------ */

/* Display columns of a line (UTF-8 code points; ANSI sequences skipped). */
static size_t columns(const char *s, size_t n)
{
    size_t i, c = 0;

    for (i = 0; i < n; i++) {
        if (s[i] == '\033') {
            while (i < n && s[i] != 'm')
                i++;
            continue;
        }
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            c++;
    }
    return c;
}

static void check_width(const char *out, size_t width)
{
    const char *line = out;

    while (*line) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);

        if (columns(line, n) > width)
            fail_msg("line of %zu columns: %.*s", columns(line, n), (int)n,
                     line);
        if (!end)
            break;
        line = end + 1;
    }
}

static void test_report_text_fits_width(void **state)
{
    static const int widths[] = {0, 100, 80, 60};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        struct hb_dx *dx = rich();
        struct hb_report_opts o = {.format = HB_REPORT_TEXT,
                                   .width = widths[i]};
        size_t len;
        char *out = render(dx, &o, &ST, &len);

        check_width(out, widths[i] ? (size_t)widths[i] : 100);
        assert_non_null(strstr(out, "Most likely cause: port"));
        assert_non_null(strstr(out, "1. port"));
        assert_non_null(strstr(out, "Action:"));
        free(out);
        hb_dx_free(dx);
    }
}

static void test_report_text_colour_only_when_asked(void **state)
{
    struct hb_dx *dx = rich();
    struct hb_report_opts o = {.format = HB_REPORT_TEXT};
    size_t len;
    char *out;

    (void)state;
    out = render(dx, &o, &ST, &len);
    /* no colour, and the escapes in the logs are not passed through */
    assert_null(memchr(out, '\033', len));
    assert_null(memchr(out, '\007', len));
    free(out);
    o.color = true;
    out = render(dx, &o, &ST, &len);
    assert_non_null(strstr(out, "\033[1m"));
    assert_null(strstr(out, "\033[2J"));
    assert_null(strstr(out, "\033]0;"));
    free(out);
    hb_dx_free(dx);
}

static void test_report_text_sparkline(void **state)
{
    struct hb_dx *dx = rich();
    struct hb_report_opts o = {.format = HB_REPORT_TEXT};
    size_t len, i;
    char *out;
    bool block = false;
    static const char *const blocks[] = {"\xe2\x96\x81", "\xe2\x96\x84",
                                         "\xe2\x96\x88"};

    (void)state;
    out = render(dx, &o, &ST, &len);
    assert_non_null(strstr(out, "Timeline |"));
    for (i = 0; i < 3; i++)
        block = block || strstr(out, blocks[i]);
    assert_true(block);
    free(out);
    o.ascii = true;
    out = render(dx, &o, &ST, &len);
    assert_non_null(strstr(out, "Timeline |"));
    for (i = 0; i < len; i++)
        if ((unsigned char)out[i] >= 0x80)
            fail_msg("non-ASCII byte at %zu", i);
    assert_non_null(strstr(out, "#"));
    free(out);
    hb_dx_free(dx);
}

static void test_report_text_sections(void **state)
{
    struct hb_dx *dx = rich();
    struct hb_report_opts o = {.format = HB_REPORT_TEXT};
    size_t len;
    char *out = render(dx, &o, &ST, &len);

    (void)state;
    assert_non_null(strstr(out, "126 Polaris failures in 1500 records (2000 "
                                "lines) from 3 sources"));
    assert_non_null(strstr(out, "Input limits: 1 line truncated, 2 records "
                                "cut"));
    assert_non_null(strstr(out, "spring.cloud.polaris.address uses :8081"));
    assert_non_null(strstr(out, "x120 "));
    assert_non_null(
        strstr(out, "Polaris failures hbscan could not classify: 1"));
    assert_non_null(strstr(out, "Configuration findings: 1"));
    assert_non_null(strstr(out, "bootstrap.yml:4"));
    assert_non_null(strstr(out, "Polaris addresses seen: 10.0.0.9:8081"));
    assert_non_null(strstr(out, "Codes seen: "));
    /* the most likely cause comes before the others */
    assert_true(strstr(out, "1. port") < strstr(out, "network"));
    free(out);
    hb_dx_free(dx);
}

/* ---- Markdown -------------------------------------------------------- */

static void test_report_markdown(void **state)
{
    struct hb_dx *dx = rich();
    struct hb_report_opts o = {.format = HB_REPORT_MARKDOWN};
    size_t len;
    char *out = render(dx, &o, &ST, &len);

    (void)state;
    assert_non_null(strstr(out, "## hbscan"));
    assert_non_null(strstr(out, "**Most likely cause: `port`**"));
    assert_non_null(strstr(out, "| # | cause | confidence |"));
    assert_non_null(strstr(out, "| 1 | `port` |"));
    assert_non_null(strstr(out, "### 1. `port`"));
    assert_non_null(strstr(out, "**Action:**"));
    assert_non_null(strstr(out, "```text\n"));
    assert_non_null(strstr(out, "### Polaris failures hbscan could not "
                                "classify: 1"));
    assert_non_null(strstr(out, "### Configuration findings: 1"));
    /* control bytes never reach the page */
    assert_null(memchr(out, '\033', len));
    assert_null(memchr(out, '\007', len));
    free(out);
    hb_dx_free(dx);
}

static void test_report_markdown_none(void **state)
{
    struct hb_dx *dx = hb_dx_new(NULL, NULL);
    struct hb_report_opts o = {.format = HB_REPORT_MARKDOWN};
    size_t len;
    char *out = render(dx, &o, &ST, &len);

    (void)state;
    assert_non_null(strstr(out, "**No Polaris failure found** in 1500 records "
                                "from 3 sources."));
    free(out);
    hb_dx_free(dx);
}

/* ---- options --------------------------------------------------------- */

static void test_report_opts_init(void **state)
{
    static const struct {
        const char *format, *color;
        enum hb_status rc;
        enum hb_report_format want;
        bool color_on;
    } cases[] = {
        {NULL, "never", HB_OK, HB_REPORT_TEXT, false},
        {"json", "always", HB_OK, HB_REPORT_JSON, true},
        {"markdown", "never", HB_OK, HB_REPORT_MARKDOWN, false},
        {"md", "auto", HB_OK, HB_REPORT_MARKDOWN, false}, /* not a tty */
        {"yaml", NULL, HB_EUSAGE, HB_REPORT_TEXT, false},
        {"text", "sometimes", HB_EUSAGE, HB_REPORT_TEXT, false},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hb_report_opts o;
        struct hb_diag d;

        memset(&d, 0, sizeof d);
        assert_int_equal(hb_report_opts_init(&o, cases[i].format,
                                             cases[i].color, false, -1, &d),
                         cases[i].rc);
        if (cases[i].rc != HB_OK) {
            assert_true(d.msg[0] != '\0');
            continue;
        }
        assert_int_equal(o.format, cases[i].want);
        assert_int_equal(o.color, cases[i].color_on);
    }
    {
        struct hb_report_opts o;

        setenv("LC_ALL", "C", 1);
        hb_report_opts_init(&o, NULL, NULL, false, -1, NULL);
        assert_true(o.ascii);
        setenv("LC_ALL", "en_US.UTF-8", 1);
        hb_report_opts_init(&o, NULL, NULL, false, -1, NULL);
        assert_false(o.ascii);
        hb_report_opts_init(&o, NULL, NULL, true, -1, NULL);
        assert_true(o.ascii);
        unsetenv("LC_ALL");
    }
}

static void test_report_duration(void **state)
{
    static const struct {
        int64_t ms;
        const char *want;
    } cases[] = {
        {850, "850ms"},  {1000, "1s"},       {61000, "1m1s"},
        {3600000, "1h"}, {90061000, "1d1h"}, {-5, "0ms"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];

        hb_report_duration(cases[i].ms, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_validator_works),
        cmocka_unit_test(test_report_json_valid_and_keys),
        cmocka_unit_test(test_report_json_empty_causes),
        cmocka_unit_test(test_report_text_fits_width),
        cmocka_unit_test(test_report_text_colour_only_when_asked),
        cmocka_unit_test(test_report_text_sparkline),
        cmocka_unit_test(test_report_text_sections),
        cmocka_unit_test(test_report_markdown),
        cmocka_unit_test(test_report_markdown_none),
        cmocka_unit_test(test_report_opts_init),
        cmocka_unit_test(test_report_duration),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
