/*
 * test_match.c - the matcher over hand-built records: every leaf kind,
 * all/any/not, captures, the gate (same results with it off, and it keeps
 * records away from the regex engine), literal derivation, the signatures
 * derived from conditions and the candidate index built on them,
 * strongest-first ordering, and a catastrophic pattern stopped by the
 * match limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fastpath.h"
#include "rules.h"
#include "rules_int.h"
#include "util.h"

/* ---- building rules and records ------------------------------------------ */

struct rdef {
    const char *id;
    const char *severity;
    const char *weight;
    const char *match;    /* a YAML flow mapping */
    const char *literals; /* a YAML flow sequence, or NULL */
};

static struct hb_ruleset *load_defs(const struct rdef *d, size_t n)
{
    char path[] = "/tmp/hbscan-test-match-XXXXXX";
    struct hb_errlist errs = {0};
    struct hb_ruleset *rs = NULL;
    struct hb_buf b;
    size_t i;
    int fd;

    hb_buf_init(&b);
    hb_buf_puts(&b, "rules:\n");
    for (i = 0; i < n; i++) {
        hb_buf_printf(&b,
                      "  - id: %s\n"
                      "    title: t\n"
                      "    cause: network\n"
                      "    severity: %s\n"
                      "    weight: %s\n"
                      "    match: %s\n"
                      "    description: d\n"
                      "    action: a\n"
                      "    samples: [{log: x, match: true}, "
                      "{log: y, match: false}]\n",
                      d[i].id, d[i].severity ? d[i].severity : "error",
                      d[i].weight ? d[i].weight : "0.5", d[i].match);
        if (d[i].literals)
            hb_buf_printf(&b, "    literals: %s\n", d[i].literals);
    }
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
    close(fd);
    if (hb_rules_load_file(&rs, path, &errs) != HB_OK) {
        hb_errlist_print(&errs, stderr);
        fail_msg("rules did not load:\n%s", b.data);
    }
    unlink(path);
    hb_buf_fini(&b);
    return rs;
}

static struct hb_ruleset *load_one(const char *match)
{
    const struct rdef d = {"r", NULL, NULL, match, NULL};

    return load_defs(&d, 1);
}

static const char full_text[] =
    "2024-01-01 10:00:00.000 ERROR 1 --- [polaris-hb-1] "
    "c.t.c.p.registry.PolarisServiceRegistry : heartbeat failed\n"
    "com.tencent.polaris.api.exception.PolarisException: "
    "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not "
    "open\n"
    "\tat com.tencent.polaris.Foo.bar(Foo.java:1)\n"
    "Caused by: io.grpc.StatusRuntimeException: UNAVAILABLE: io exception";

static struct hb_str slice(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);

    assert_non_null(p);
    return (struct hb_str){p, strlen(needle)};
}

static struct hb_str line_of(const char *from)
{
    const char *nl = strchr(from, '\n');

    return (struct hb_str){from, nl ? (size_t)(nl - from) : strlen(from)};
}

/* A Spring Boot record with a two-exception chain and full extraction. */
static void full_record(struct hb_record *r, struct hb_polaris *p,
                        const char *text)
{
    const char *exc = strstr(text, "com.tencent.polaris.api");
    const char *cause = strstr(text, "io.grpc.");

    memset(r, 0, sizeof *r);
    r->source = "/var/log/app.log";
    r->first_line = 10;
    r->last_line = 13;
    r->text = (struct hb_str){text, strlen(text)};
    r->head = line_of(text);
    r->format = "springboot";
    snprintf(r->hdr.level, sizeof r->hdr.level, "ERROR");
    r->hdr.pid = 1;
    r->hdr.thread = slice(text, "polaris-hb-1");
    r->hdr.logger = slice(text, "c.t.c.p.registry.PolarisServiceRegistry");
    r->hdr.message = slice(text, "heartbeat failed");
    if (exc) {
        r->chain[0].cls = slice(text, "com.tencent.polaris.api.exception."
                                      "PolarisException");
        r->chain[0].msg = line_of(strstr(exc, "ERR-"));
        r->nchain = 1;
    }
    if (cause) {
        r->chain[1].cls = slice(text, "io.grpc.StatusRuntimeException");
        r->chain[1].msg = line_of(strstr(cause, "UNAVAILABLE"));
        r->nchain = 2;
    }
    r->nlines = 4;

    memset(p, 0, sizeof *p);
    p->sdk_code = 1006;
    snprintf(p->sdk_name, sizeof p->sdk_name, "SERVER_USER_ERROR");
    p->server_code = 400401;
    snprintf(p->server_info, sizeof p->server_info, "client api is not open");
    snprintf(p->grpc_status, sizeof p->grpc_status, "UNAVAILABLE");
    snprintf(p->grpc_desc, sizeof p->grpc_desc, "io exception");
    p->event = HB_EV_HEARTBEAT_FAIL;
    snprintf(p->server_addr, sizeof p->server_addr, "10.0.0.5:8091");
    p->fail_count = -1;
    p->codes[0] = (struct hb_code_seen){HB_CODE_SDK, 1006, "ERR-1006"};
    p->codes[1] = (struct hb_code_seen){HB_CODE_SERVER, 400401, "400401"};
    p->codes[2] = (struct hb_code_seen){HB_CODE_SERVER, 500000, "500000"};
    p->ncodes = 3;
    p->polaris = true;
    p->failure = true;
}

/* A plain line: no header fields, no chain, nothing extracted. */
static void plain_record(struct hb_record *r, struct hb_polaris *p,
                         const char *text)
{
    memset(r, 0, sizeof *r);
    r->source = "stdin";
    r->first_line = r->last_line = 1;
    r->text = (struct hb_str){text, strlen(text)};
    r->head = line_of(text);
    r->format = "plain";
    r->hdr.pid = -1;
    memset(p, 0, sizeof *p);
    p->fail_count = -1;
}

static int run(struct hb_ruleset *rs, const struct hb_record *rec,
               const struct hb_polaris *pol, struct hb_hit *hits, int cap)
{
    struct hb_matcher *m = hb_matcher_new(rs);
    int n = hb_matcher_run(m, rec, pol, NULL, hits, cap);

    hb_matcher_free(m);
    return n;
}

/* ---- leaves and combinators ---------------------------------------------- */

static void test_match_every_leaf(void **state)
{
    static const struct {
        const char *match;
        bool full, plain; /* expected on the full and on the plain record */
    } cases[] = {
        {"{message: 'heartbeat failed$'}", true, false},
        {"{message: 'ERR-'}", false, false},
        {"{message: '^heartbeat'}", true, true},
        {"{head: '^2024-01-01 10:00'}", true, false},
        {"{head: 'PolarisException'}", false, false},
        {"{text: '^Caused by: io\\.grpc'}", true, false},
        {"{text: '^\\tat com\\.tencent'}", true, false},
        {"{text: 'heartbeat'}", true, true},
        {"{exception: 'StatusRuntimeException$'}", true, false},
        {"{exception: 'IllegalStateException'}", false, false},
        {"{exception_message: '^UNAVAILABLE: io exception$'}", true, false},
        {"{exception_message: '^ERR-1006'}", true, false},
        {"{root_exception: 'StatusRuntimeException'}", true, false},
        {"{root_exception: 'PolarisException'}", false, false},
        {"{logger: 'PolarisServiceRegistry$'}", true, false},
        {"{logger: '.*'}", true, false},
        {"{thread: '^polaris-hb-\\d+$'}", true, false},
        {"{server_info: 'not open'}", true, false},
        {"{grpc_desc: '^io exception$'}", true, false},
        {"{server_addr: ':8091$'}", true, false},
        {"{source: 'app\\.log$'}", true, false},
        {"{source: '^stdin$'}", false, true},
        {"{level: [ERROR]}", true, false},
        {"{level: ERROR}", true, false},
        {"{level: [WARN, INFO]}", false, false},
        {"{sdk_code: [1006]}", true, false},
        {"{sdk_code: ['1001-1005']}", false, false},
        {"{sdk_code: ['1000-1010']}", true, false},
        {"{sdk_name: [SERVER_USER_ERROR]}", true, false},
        {"{sdk_name: NETWORK_ERROR}", false, false},
        {"{server_code: ['400400-400500']}", true, false},
        {"{server_code: [400301]}", false, false},
        {"{server_code: [500000]}", true, false}, /* any code seen */
        {"{go_code: [1006]}", false, false},
        {"{grpc_status: [UNKNOWN, UNAVAILABLE]}", true, false},
        {"{event: [heartbeat-fail]}", true, false},
        {"{event: [register-fail, register-ok]}", false, false},
        {"{format: [springboot]}", true, false},
        {"{format: [plain]}", false, true},
        {"{polaris: true}", true, false},
        {"{polaris: false}", false, true},
        {"{failure: [true]}", true, false},
        {"{all: [{level: ERROR}, {not: {logger: 'Quota'}}]}", true, false},
        {"{any: [{level: WARN}, {go_code: [1]}]}", false, false},
        {"{any: [{level: WARN}, {text: 'heartbeat'}]}", true, true},
        {"{not: {level: ERROR}}", false, true},
        {"{not: {logger: '.*'}}", false, true},
        {"{level: ERROR, event: heartbeat-fail}", true, false},
        {"{level: ERROR, event: register-ok}", false, false},
        {"{all: [{any: [{sdk_code: [1]}, {not: {polaris: false}}]}, "
         "{text: 'client api'}]}",
         true, false},
    };
    struct hb_record full, plain;
    struct hb_polaris fpol, ppol;
    struct hb_hit hits[HB_MAX_HITS];
    size_t i;
    int gate;

    (void)state;
    full_record(&full, &fpol, full_text);
    plain_record(&plain, &ppol, "heartbeat failed somewhere");
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        struct hb_ruleset *rs = load_one(cases[i].match);

        for (gate = 0; gate < 2; gate++) {
            struct hb_matcher *m = hb_matcher_new(rs);
            int nf, np;

            hb_matcher_set_gate(m, gate);
            nf = hb_matcher_run(m, &full, &fpol, NULL, hits, HB_MAX_HITS);
            np = hb_matcher_run(m, &plain, &ppol, NULL, hits, HB_MAX_HITS);
            if ((nf == 1) != cases[i].full || (np == 1) != cases[i].plain)
                fail_msg("%s (gate %d): full %d plain %d, want %d %d",
                         cases[i].match, gate, nf, np, cases[i].full,
                         cases[i].plain);
            hb_matcher_free(m);
        }
        hb_rules_free(rs);
    }
}

/* ---- captures --------------------------------------------------------------
 */

static const char *cap(const struct hb_hit *h, const char *name)
{
    int i;

    for (i = 0; i < h->ncaps; i++)
        if (strcmp(h->caps[i].name, name) == 0)
            return h->caps[i].value;
    return NULL;
}

static void test_match_captures(void **state)
{
    struct hb_record rec;
    struct hb_polaris pol;
    struct hb_hit hits[HB_MAX_HITS];
    struct hb_ruleset *rs;

    (void)state;
    full_record(&rec, &pol, full_text);

    rs = load_one(
        "{all: [{text: 'server error (?<code>\\d+): (?<info>[^\\n]+)'},"
        " {logger: '(?<cls>\\w+)$'}]}");
    assert_int_equal(run(rs, &rec, &pol, hits, HB_MAX_HITS), 1);
    assert_int_equal(hits[0].ncaps, 3);
    assert_string_equal(cap(&hits[0], "code"), "400401");
    assert_string_equal(cap(&hits[0], "info"), "client api is not open");
    assert_string_equal(cap(&hits[0], "cls"), "PolarisServiceRegistry");
    assert_string_equal(hits[0].rule->id, "r");
    hb_rules_free(rs);

    /* nothing under a not is evidence; an any keeps its matching branch */
    rs = load_one("{all: [{level: ERROR}, {not: {text: '(?<x>Quota)?zzz'}},"
                  " {any: [{text: '(?<a>nomatch)'}, {text: '(?<b>heart)'}]}]}");
    assert_int_equal(run(rs, &rec, &pol, hits, HB_MAX_HITS), 1);
    assert_int_equal(hits[0].ncaps, 1);
    assert_string_equal(cap(&hits[0], "b"), "heart");
    hb_rules_free(rs);

    /* a failed all drops what its earlier members captured */
    rs = load_one("{any: [{all: [{text: '(?<early>heartbeat)'}, "
                  "{text: 'nomatch'}]}, {text: '(?<late>client)'}]}");
    assert_int_equal(run(rs, &rec, &pol, hits, HB_MAX_HITS), 1);
    assert_int_equal(hits[0].ncaps, 1);
    assert_string_equal(cap(&hits[0], "late"), "client");
    hb_rules_free(rs);

    /* the first value of a name wins; an unset group is skipped */
    rs = load_one("{all: [{message: '(?<w>heartbeat)'}, "
                  "{text: '(?<w>client)(?<opt>zz)?'}]}");
    assert_int_equal(run(rs, &rec, &pol, hits, HB_MAX_HITS), 1);
    assert_int_equal(hits[0].ncaps, 1);
    assert_string_equal(cap(&hits[0], "w"), "heartbeat");
    hb_rules_free(rs);
}

static void test_match_capture_caps(void **state)
{
    struct hb_record rec;
    struct hb_polaris pol;
    struct hb_hit hits[1];
    struct hb_ruleset *rs;
    struct hb_buf text;
    int i;

    (void)state;
    hb_buf_init(&text);
    hb_buf_puts(&text, "k=");
    for (i = 0; i < 100; i++)
        hb_buf_puts(&text, "\xc3\xa9"); /* é: 200 bytes */
    plain_record(&rec, &pol, text.data);
    rs = load_one("{text: 'k=(?<v>.+)'}");
    assert_int_equal(run(rs, &rec, &pol, hits, 1), 1);
    /* capped at 127 bytes, backed off to a whole character */
    assert_int_equal(strlen(cap(&hits[0], "v")), 126);
    hb_rules_free(rs);

    /* at most HB_MAX_CAPS captures */
    rs = load_one("{text: '(?<a>k)(?<b>=)(?<c>.)(?<d>.)(?<e>.)(?<f>.)(?<g>.)"
                  "(?<h>.)(?<i>.)(?<j>.)'}");
    assert_int_equal(run(rs, &rec, &pol, hits, 1), 1);
    assert_int_equal(hits[0].ncaps, HB_MAX_CAPS);
    hb_rules_free(rs);
    hb_buf_fini(&text);
}

/* ---- ordering --------------------------------------------------------------
 */

static void test_match_strongest_first(void **state)
{
    static const struct rdef defs[] = {
        {"r1", "error", "0.5", "{level: ERROR}", NULL},
        {"r2", "warning", "0.9", "{level: ERROR}", NULL},
        {"r3", "critical", "0.5", "{level: ERROR}", NULL},
        {"r4", "error", "0.5", "{text: 'heartbeat'}", NULL},
        {"r5", "critical", "1", "{level: WARN}", NULL},
    };
    struct hb_record rec;
    struct hb_polaris pol;
    struct hb_hit hits[HB_MAX_HITS];
    struct hb_ruleset *rs;
    struct hb_matcher *m;
    int n;

    (void)state;
    full_record(&rec, &pol, full_text);
    rs = load_defs(defs, HB_ARRAY_LEN(defs));
    n = run(rs, &rec, &pol, hits, HB_MAX_HITS);
    assert_int_equal(n, 4);
    assert_string_equal(hits[0].rule->id, "r2");
    assert_string_equal(hits[1].rule->id, "r3");
    assert_string_equal(hits[2].rule->id, "r1");
    assert_string_equal(hits[3].rule->id, "r4");
    /* a cap keeps the strongest */
    n = run(rs, &rec, &pol, hits, 2);
    assert_int_equal(n, 2);
    assert_string_equal(hits[0].rule->id, "r2");
    assert_string_equal(hits[1].rule->id, "r3");
    /* only_rule */
    m = hb_matcher_new(rs);
    assert_int_equal(hb_matcher_run(m, &rec, &pol, "r3", hits, HB_MAX_HITS), 1);
    assert_string_equal(hits[0].rule->id, "r3");
    assert_int_equal(hb_matcher_run(m, &rec, &pol, "r5", hits, HB_MAX_HITS), 0);
    assert_int_equal(hb_matcher_stats(m, 2)->hits, 1);
    assert_int_equal(hb_matcher_stats(m, 0)->tried, 0);
    assert_null(hb_matcher_stats(m, 5));
    hb_matcher_free(m);
    hb_rules_free(rs);
}

/* ---- the gate --------------------------------------------------------------
 */

static void test_match_required_literals(void **state)
{
    /* want: the literals joined by '|', caseless ones suffixed "/i";
       NULL = none (min length 1 unless noted) */
    static const struct {
        const char *pattern;
        const char *want;
    } cases[] = {
        {"client api is not open", "client api is not open"},
        {"(?i)client api", "client api/i"},
        {"(?i)Client API", "client api/i"},
        {"(?i)connection refused", "connection refu/i"},
        {"(?i)kernel", "ernel/i"},
        {"(?i)caf\xc3\xa9", "caf/i"},
        {"caf(?i)e", "caf"},
        {"(?i)abc(?-i)DEFG", "DEFG"},
        {"client (?i:api)", "client "},
        {"(?x) a b c", NULL},
        {"(?s)abc(?x)def", NULL},
        {"(x(?i)y)abcd", "abcd"},
        {"(?m)^abc$", "abc"},
        {"server error (\\d+): client", "server error "},
        {"foo|bar", "foo|bar"},
        {"foo|(?i)BAR", "foo|bar/i"},
        {"foo|", NULL},
        {"foo|\\d+", NULL},
        {"(foo|bar) bazz", " bazz"},
        {"abc?def", "def"},
        {"abcd+ef", "abcd"},
        {"x{0,3}yz", "yz"},
        {"ab{2}cd", "ab"},
        {"ab{,2}", "ab{,2}"}, /* not a quantifier in PCRE2 10.42 */
        {"\\Qa.b\\E", NULL},
        {"a\\.b\\.c", "a.b.c"},
        {"\\x41BCDEF", "BCDEF"},
        {"\\x{41}BCD", "BCD"},
        {"\\p{Lu}abc", "abc"},
        {"[abc]defg", "defg"},
        {"[]a]bcd", "bcd"},
        {"[[:alpha:]]xyz", "xyz"},
        {"PolarisException$", "PolarisException"},
        {"^\\s*at com\\.tencent", "at com.tencent"},
        {"(?<host>[\\d.]+):(?<port>\\d+)", ":"},
        {"\\xc3\\xa9+x", "x"},
        {"caf\xc3\xa9+", "caf\xc3\xa9"},
        {"caf(?:\xc3\xa9)?", "caf"},
        {"(?s)abc.def", "abc"},
        {"(*UTF)abc", NULL},
        {"a(?#note)bcd", "bcd"},
        {"ab(?R)?cd", "ab"},
        {"ab\\1cd", "ab"},
        {"abc)", NULL},
        {"(abc", NULL},
        {"ab*?cdef", "cdef"},
        {"ab++c", "ab"},
    };
    struct hb_litset set;
    char got[1024];
    size_t i, k;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        bool ok = hb_regex_literals(cases[i].pattern, 1, &set);

        got[0] = '\0';
        for (k = 0; ok && k < set.n; k++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s%s",
                     k ? "|" : "", set.lit[k], set.caseless[k] ? "/i" : "");
        if (ok != (cases[i].want != NULL) ||
            (ok && strcmp(got, cases[i].want) != 0))
            fail_msg("%s: got %s, want %s", cases[i].pattern,
                     ok ? got : "(none)",
                     cases[i].want ? cases[i].want : "(none)");
    }
    /* the minimum length applies to every alternative */
    assert_false(hb_regex_literals("abcd|ef", 3, &set));
    assert_true(hb_regex_literals("abcd|efg", 3, &set));
    assert_int_equal(set.n, 2);
}

/* A pattern of one branch needs each of its runs and required groups. */
static void test_match_regex_clauses(void **state)
{
    static const struct {
        const char *pattern;
        const char *want; /* clauses separated by ' & ' */
    } cases[] = {
        {"abc[0-9]+def", "abc & def"},
        {"(?i)(?:self[- ]?regist\\w*|polaris\\.checker)[^\\n]*"
         "(?:\\bfail\\w*|\\berr(?:or)?\\b)",
         "regi/i|polari/i & fail/i|err/i"},
        {"foo|bar", ""},                /* several branches: none */
        {"abc(?:cd)?efg", "abc & efg"}, /* an optional group needs nothing */
        {"abc(?=def)ghi", "abc & ghi"},
        {"x(?:a|b)y", ""}, /* nothing of 3 bytes */
        {"net listen\\([^)]*:(?<port>\\d+)\\) err", "net listen( & ) err"},
        {"(abc", ""}, /* unsafe */
    };
    struct hb_litset sets[4];
    char got[1024];
    size_t i, k, c, n;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        n = hb_regex_clauses(cases[i].pattern, 3, sets, 4);
        got[0] = '\0';
        for (c = 0; c < n; c++) {
            if (c)
                strcat(got, " & ");
            for (k = 0; k < sets[c].n; k++)
                snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s%s",
                         k ? "|" : "", sets[c].lit[k],
                         sets[c].caseless[k] ? "/i" : "");
        }
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%s: got '%s', want '%s'", cases[i].pattern, got,
                     cases[i].want);
    }
}

/* Records for the gate: each rule must give the same hits gated or not. */
static const char *const gate_texts[] = {
    "server error 400401: client api is not open",
    "ERR-1006(SERVER_USER_ERROR): server error 500000: internal",
    "Connection refused: /10.0.0.5:8081",
    "connection REFUSED by peer",
    "heartbeat failed, fail count:3",
    "quota exceeded for heartbeat",
    "abcXdef",
    "Caused by: io.grpc.StatusRuntimeException: UNAVAILABLE: io exception",
    "",
    "\xff\xfe invalid utf-8 \xc3( client api is not open",
    "\xe2\x84\xaa"
    "ERNEL PANIC", /* KELVIN SIGN folds to k */
    "\xc5\xbf"
    "SL Error", /* LONG S folds to s */
    "CONNECTION REFUSED: /1.2.3.4",
};

static void test_match_gate_keeps_results(void **state)
{
    static const struct rdef defs[] = {
        {"g1", NULL, "0.9", "{text: 'client api is not open'}", NULL},
        {"g2", NULL, "0.8", "{text: '(?i)connection refused'}", NULL},
        {"g3", NULL, "0.7", "{text: 'Connection refused: /?(?<h>[\\d.]+)'}",
         NULL},
        {"g4", NULL, "0.6",
         "{any: [{text: 'heartbeat fail'}, {text: 'quota exceeded'}]}", NULL},
        {"g5", NULL, "0.5",
         "{all: [{text: 'server error'}, {not: {text: 'internal'}}]}", NULL},
        {"g6", NULL, "0.4", "{not: {text: 'heartbeat'}}", NULL},
        {"g7", NULL, "0.3", "{text: 'abc?Xdef'}", NULL},
        {"g8", NULL, "0.2",
         "{any: [{text: 'UNAVAILABLE'}, {sdk_code: [1006]}]}", NULL},
        {"g9", NULL, "0.1",
         "{all: [{server_code: [400401]}, {text: 'client'}]}", NULL},
        {"g10", NULL, "0.1", "{text: '(?i)kernel panic'}", NULL},
        {"g11", NULL, "0.1", "{text: '(?i)ssl error'}", NULL},
        {"g12", NULL, "0.1", "{text: '(?i)UNAVAILABLE|Connection Refused'}",
         NULL},
    };
    struct hb_ruleset *rs = load_defs(defs, HB_ARRAY_LEN(defs));
    struct hb_matcher *on = hb_matcher_new(rs), *off = hb_matcher_new(rs);
    struct hb_hit h1[HB_MAX_HITS], h2[HB_MAX_HITS];
    size_t i;
    int k, n1, n2;

    (void)state;
    hb_matcher_set_gate(off, false);
    for (i = 0; i < HB_ARRAY_LEN(gate_texts); i++) {
        struct hb_record rec;
        struct hb_polaris pol;

        plain_record(&rec, &pol, gate_texts[i]);
        if (strstr(gate_texts[i], "400401")) {
            pol.server_code = 400401;
            pol.sdk_code = 1006;
        }
        n1 = hb_matcher_run(on, &rec, &pol, NULL, h1, HB_MAX_HITS);
        n2 = hb_matcher_run(off, &rec, &pol, NULL, h2, HB_MAX_HITS);
        if (n1 != n2)
            fail_msg("'%s': %d hits gated, %d without", gate_texts[i], n1, n2);
        for (k = 0; k < n1; k++) {
            assert_ptr_equal(h1[k].rule, h2[k].rule);
            assert_int_equal(h1[k].ncaps, h2[k].ncaps);
        }
    }
    /* the gate kept most records away: g1 is tried only where its
       derived literal occurs (two texts), ungated on every one */
    assert_int_equal(hb_matcher_stats(on, 0)->tried, 2);
    assert_int_equal(hb_matcher_stats(off, 0)->tried, HB_ARRAY_LEN(gate_texts));
    /* g9's server_code is checked before any regex */
    assert_int_equal(hb_matcher_stats(on, 8)->tried, 1);
    assert_int_equal(hb_matcher_stats(on, 8)->hits, 1);
    /* caseless gates still see the folded characters */
    assert_int_equal(hb_matcher_stats(on, 9)->hits, 1);
    assert_int_equal(hb_matcher_stats(on, 10)->hits, 1);
    assert_int_equal(hb_matcher_stats(on, 11)->tried, 4);
    assert_int_equal(hb_matcher_stats(on, 11)->hits, 4);
    hb_matcher_free(on);
    hb_matcher_free(off);
    hb_rules_free(rs);
}

static void test_match_declared_literals(void **state)
{
    static const struct rdef defs[] = {
        /* the literal is part of the rule, gate or no gate */
        {"d1", NULL, NULL, "{level: ERROR}", "[\"400401\", \"client api\"]"},
    };
    struct hb_ruleset *rs = load_defs(defs, 1);
    struct hb_record rec;
    struct hb_polaris pol;
    struct hb_hit hits[1];
    struct hb_matcher *m = hb_matcher_new(rs);
    static const char no_literal[] = "2024 ERROR something else";

    (void)state;
    full_record(&rec, &pol, full_text);
    assert_int_equal(hb_matcher_run(m, &rec, &pol, NULL, hits, 1), 1);
    plain_record(&rec, &pol, no_literal);
    snprintf(rec.hdr.level, sizeof rec.hdr.level, "ERROR");
    hb_matcher_set_gate(m, false);
    assert_int_equal(hb_matcher_run(m, &rec, &pol, NULL, hits, 1), 0);
    hb_matcher_set_gate(m, true);
    assert_int_equal(hb_matcher_run(m, &rec, &pol, NULL, hits, 1), 0);
    hb_matcher_free(m);
    hb_rules_free(rs);
}

/* ---- the signature ---------------------------------------------------------
 */

/* A feature bit's name: the field, or "event:", "level:", "format:" and
   the value. */
static void feature_name(unsigned b, char *out, size_t cap)
{
    static const char *const names[HB_FT_EVENT] = {
        "sdk_code",    "go_code",   "server_code", "sdk_name", "grpc_status",
        "server_info", "grpc_desc", "server_addr", "logger",   "thread",
        "chain",       "polaris",   "not_polaris", "failure",  "not_failure",
    };
    size_t nf;

    if (b < HB_FT_EVENT)
        snprintf(out, cap, "%s", names[b]);
    else if (b < HB_FT_LEVEL)
        snprintf(out, cap, "event:%s",
                 hb_event_name((enum hb_event)(b - HB_FT_EVENT)));
    else if (b < HB_FT_FORMAT)
        snprintf(out, cap, "level:%s", hb_ft_levels[b - HB_FT_LEVEL]);
    else if (b == HB_FT_FORMAT)
        snprintf(out, cap, "format:plain");
    else
        snprintf(out, cap, "format:%s",
                 hb_format_table(&nf)[b - HB_FT_FORMAT - 1].name);
}

/* "(f|f|'lit') & (...)": each clause's features, then its literals. */
static void render_sig(const struct hb_sig *sig, char *out, size_t cap)
{
    size_t i, k, len = 0;
    unsigned b;

    out[0] = '\0';
    for (i = 0; i < sig->n; i++) {
        const struct hb_sig_clause *c = &sig->clause[i];
        const char *sep = "";

        len += (size_t)snprintf(out + len, cap - len, "%s(", i ? " & " : "");
        for (b = 0; b < 64; b++) {
            char name[64];

            if (!((c->features >> b) & 1))
                continue;
            feature_name(b, name, sizeof name);
            len += (size_t)snprintf(out + len, cap - len, "%s%s", sep, name);
            sep = "|";
        }
        for (k = 0; k < c->nlits; k++) {
            len += (size_t)snprintf(out + len, cap - len, "%s'%s'", sep,
                                    c->lits[k]);
            sep = "|";
        }
        len += (size_t)snprintf(out + len, cap - len, ")");
    }
}

static void test_match_signature(void **state)
{
    static const struct {
        const char *match, *literals, *want;
    } cases[] = {
        /* a false leaf says little: nothing under a not */
        {"{not: {sdk_code: [1006]}}", NULL, ""},
        {"{not: {any: [{level: ERROR}, {text: 'heartbeat'}]}}", NULL, ""},
        {"{sdk_code: ['1000-1010']}", NULL, "(sdk_code)"},
        {"{any: [{sdk_code: [1007]}, {go_code: [1007]}]}", NULL,
         "(sdk_code|go_code)"},
        /* any over a code and a pattern: either one */
        {"{any: [{sdk_code: [1007]}, {text: 'polaris heartbeat'}]}", NULL,
         "(sdk_code|'polaris heartbeat')"},
        {"{all: [{server_code: [400401]}, {text: 'Client API'}]}", NULL,
         "(server_code) & ('client api')"},
        /* a member that promises nothing: the any promises nothing */
        {"{any: [{level: WARN}, {text: 'x+'}]}", NULL, ""},
        {"{any: [{sdk_code: [1]}, {not: {polaris: true}}]}", NULL, ""},
        {"{level: [WARN, ERROR]}", NULL, "(level:WARN|level:ERROR)"},
        {"{format: [plain, springboot]}", NULL,
         "(format:plain|format:springboot)"},
        {"{event: [heartbeat-fail, register-fail]}", NULL,
         "(event:register-fail|event:heartbeat-fail)"},
        {"{any: [{polaris: true}, {failure: false}]}", NULL,
         "(polaris|not_failure)"},
        {"{polaris: false}", NULL, "(not_polaris)"},
        {"{exception: 'PolarisException'}", NULL,
         "(chain) & ('polarisexception')"},
        {"{all: [{logger: 'Registry$'}, {thread: 'main'}]}", NULL,
         "(logger) & (thread) & ('registry') & ('main')"},
        /* fields that are matched even when empty, or are not text */
        {"{message: '^$'}", NULL, ""},
        {"{head: '^(?:abc)?$'}", NULL, ""},
        {"{source: 'app\\.log'}", NULL, ""},
        {"{server_info: 'not open'}", NULL, "(server_info)"},
        {"{grpc_desc: 'io exception'}", NULL, "(grpc_desc)"},
        {"{server_addr: ':8091$'}", NULL, "(server_addr)"},
        /* any of alls: distributed */
        {"{any: [{all: [{sdk_code: [1006]}, {text: 'abc'}]}, "
         "{all: [{event: [register-fail]}, {text: 'xyz'}]}]}",
         NULL,
         "(sdk_code|event:register-fail) & ('abc'|'xyz') & "
         "(sdk_code|'xyz') & (event:register-fail|'abc')"},
        /* declared literals are part of the rule */
        {"{level: ERROR}", "[\"400401\", \"Client API\"]",
         "(level:ERROR) & ('400401'|'client api')"},
    };
    char got[2048];
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        const struct rdef d = {"r", NULL, NULL, cases[i].match,
                               cases[i].literals};
        struct hb_ruleset *rs = load_defs(&d, 1);

        render_sig(&rs->rules[0]->sig, got, sizeof got);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", cases[i].match, got,
                     cases[i].want);
        hb_rules_free(rs);
    }
}

static void test_match_signature_bounded(void **state)
{
    struct hb_ruleset *rs;
    struct hb_buf b;
    size_t i;

    (void)state;
    /* more clauses than a signature keeps: the first ones stay */
    hb_buf_init(&b);
    hb_buf_puts(&b, "{all: [");
    for (i = 0; i < 2 * HB_SIG_MAX_CLAUSES; i++)
        hb_buf_printf(&b, "%s{text: 'literal%zu'}", i ? ", " : "", i);
    hb_buf_puts(&b, "]}");
    rs = load_one(b.data);
    assert_int_equal(rs->rules[0]->sig.n, HB_SIG_MAX_CLAUSES);
    hb_rules_free(rs);

    /* an any whose literals overflow a clause gives no clause */
    hb_buf_reset(&b);
    hb_buf_puts(&b, "{any: [");
    for (i = 0; i < HB_SIG_MAX_LITS + 1; i++)
        hb_buf_printf(&b, "%s{text: 'literal%zu'}", i ? ", " : "", i);
    hb_buf_puts(&b, "]}");
    rs = load_one(b.data);
    assert_int_equal(rs->rules[0]->sig.n, 0);
    hb_rules_free(rs);
    hb_buf_fini(&b);
}

/* Record variants for the gate: each drops or changes what a clause of a
   signature could ask for. */
enum variant {
    V_FULL,
    V_CODES_LISTED_ONLY, /* headline codes 0, codes[] kept */
    V_HEADLINE_ONLY,     /* codes[] empty */
    V_NO_CODES,
    V_GO_CODE_LISTED, /* 1006 seen as a polaris-go code only */
    V_WARN,
    V_NO_LEVEL,
    V_FORMAT_SDK,
    V_FORMAT_PLAIN,
    V_NOT_POLARIS,
    V_NOT_FAILURE,
    V_NO_EVENT,
    V_REGISTER_FAIL,
    V_NO_CHAIN,
    V_ONE_EXCEPTION,
    V_NO_FIELDS, /* sdk_name, grpc_*, server_* empty */
    V_NO_HEADER, /* logger, thread, message empty */
    V_PLAIN_HEARTBEAT,
    V_PLAIN_REFUSED,
    V_PLAIN_POLARIS_HEARTBEAT,
    V_PLAIN_EMPTY,
    V_PLAIN_CLIENT_API,
    V_PLAIN_REFUSED_POLARIS,
    V_COUNT
};

static void variant_record(enum variant v, struct hb_record *r,
                           struct hb_polaris *p)
{
    static const char *const plain[] = {
        [V_PLAIN_HEARTBEAT] = "heartbeat failed somewhere",
        [V_PLAIN_REFUSED] = "CONNECTION REFUSED: /1.2.3.4",
        [V_PLAIN_POLARIS_HEARTBEAT] = "POLARIS Heartbeat [NETWORK_ERROR]",
        [V_PLAIN_EMPTY] = "",
        [V_PLAIN_CLIENT_API] = "client API is not open (ERR-1006)",
        [V_PLAIN_REFUSED_POLARIS] = "Connection refused by POLARIS",
    };

    if (v >= V_PLAIN_HEARTBEAT) {
        plain_record(r, p, plain[v]);
        return;
    }
    full_record(r, p, full_text);
    switch (v) {
    case V_CODES_LISTED_ONLY:
        p->sdk_code = p->server_code = 0;
        break;
    case V_HEADLINE_ONLY:
        p->ncodes = 0;
        break;
    case V_NO_CODES:
        p->sdk_code = p->server_code = 0;
        p->ncodes = 0;
        break;
    case V_GO_CODE_LISTED:
        p->sdk_code = p->server_code = 0;
        p->codes[0].kind = HB_CODE_GO;
        p->ncodes = 1;
        break;
    case V_WARN:
        snprintf(r->hdr.level, sizeof r->hdr.level, "WARN");
        break;
    case V_NO_LEVEL:
        r->hdr.level[0] = '\0';
        break;
    case V_FORMAT_SDK:
        r->format = "polaris-sdk";
        break;
    case V_FORMAT_PLAIN:
        r->format = "plain";
        break;
    case V_NOT_POLARIS:
        p->polaris = false;
        break;
    case V_NOT_FAILURE:
        p->failure = false;
        break;
    case V_NO_EVENT:
        p->event = HB_EV_NONE;
        break;
    case V_REGISTER_FAIL:
        p->event = HB_EV_REGISTER_FAIL;
        break;
    case V_NO_CHAIN:
        r->nchain = 0;
        break;
    case V_ONE_EXCEPTION:
        r->nchain = 1;
        break;
    case V_NO_FIELDS:
        p->sdk_name[0] = p->grpc_status[0] = p->grpc_desc[0] = '\0';
        p->server_info[0] = p->server_addr[0] = '\0';
        break;
    case V_NO_HEADER:
        r->hdr.logger = r->hdr.thread = r->hdr.message = (struct hb_str){0};
        break;
    default:
        break;
    }
}

static void same_hits(const char *what, const struct hb_hit *a, int na,
                      const struct hb_hit *b, int nb)
{
    int k, c;

    if (na != nb)
        fail_msg("%s: %d hits gated, %d without", what, na, nb);
    for (k = 0; k < na; k++) {
        if (a[k].rule != b[k].rule || a[k].ncaps != b[k].ncaps)
            fail_msg("%s: hit %d differs (%s, %s)", what, k, a[k].rule->id,
                     b[k].rule->id);
        for (c = 0; c < a[k].ncaps; c++) {
            assert_string_equal(a[k].caps[c].name, b[k].caps[c].name);
            assert_string_equal(a[k].caps[c].value, b[k].caps[c].value);
        }
    }
}

static void test_match_gate_never_skips(void **state)
{
    static const struct rdef defs[] = {
        {"not-code", NULL, NULL, "{not: {sdk_code: [1006]}}", NULL},
        {"not-text", NULL, NULL, "{not: {text: 'heartbeat'}}", NULL},
        {"not-any", NULL, NULL,
         "{not: {any: [{level: ERROR}, {text: '(?i)refused'}]}}", NULL},
        {"any-range-regex", NULL, NULL,
         "{any: [{sdk_code: ['1000-1010']}, {text: 'ERR-10\\d\\d'}]}", NULL},
        {"any-go-message", NULL, NULL,
         "{any: [{go_code: [1006]}, {message: '(?i)^heartbeat'}]}", NULL},
        {"any-code-caseless", NULL, NULL,
         "{any: [{sdk_code: [1007]}, "
         "{text: '(?i)polaris heartbeat(?: x)? \\[NETWORK_ERROR\\]'}]}",
         NULL},
        {"server-range", NULL, NULL, "{server_code: ['400000-499999']}", NULL},
        {"server-any-code", NULL, NULL, "{server_code: [500000]}", NULL},
        {"level-set", NULL, NULL, "{level: [WARN, ERROR]}", NULL},
        {"level-warn", NULL, NULL, "{level: WARN}", NULL},
        {"format-plain", NULL, NULL, "{format: [plain]}", NULL},
        {"format-set", NULL, NULL, "{format: [springboot, polaris-sdk]}", NULL},
        {"error-not-polaris", NULL, NULL,
         "{all: [{level: ERROR}, {not: {polaris: true}}]}", NULL},
        {"not-polaris-or-event", NULL, NULL,
         "{any: [{polaris: false}, {event: [heartbeat-fail]}]}", NULL},
        {"failure", NULL, NULL, "{failure: true}", NULL},
        {"no-failure", NULL, NULL, "{failure: false}", NULL},
        {"event-set", NULL, NULL, "{event: [register-fail, heartbeat-fail]}",
         NULL},
        {"exception", NULL, NULL, "{exception: '(?<cls>\\w+Exception)$'}",
         NULL},
        {"root-exception", NULL, NULL, "{root_exception: 'grpc'}", NULL},
        {"exception-message", NULL, NULL, "{exception_message: '^UNAVAILABLE'}",
         NULL},
        {"logger-any", NULL, NULL, "{logger: '.*'}", NULL},
        {"thread", NULL, NULL, "{thread: 'polaris-(?<n>hb)'}", NULL},
        {"message-empty", NULL, NULL, "{message: '^$'}", NULL},
        {"head-heartbeat", NULL, NULL, "{head: '(?i)heartbeat'}", NULL},
        {"server-info", NULL, NULL, "{server_info: '.*'}", NULL},
        {"grpc-desc", NULL, NULL, "{grpc_desc: 'io'}", NULL},
        {"server-addr", NULL, NULL, "{server_addr: ':(?<port>8091)$'}", NULL},
        {"sdk-name", NULL, NULL, "{sdk_name: [SERVER_USER_ERROR]}", NULL},
        {"grpc-status", NULL, NULL, "{grpc_status: [UNAVAILABLE]}", NULL},
        {"any-of-alls", NULL, NULL,
         "{any: [{all: [{sdk_code: [1006]}, {text: '(?i)client api'}]}, "
         "{all: [{event: [register-fail]}, {text: 'heartbeat'}]}]}",
         NULL},
        {"declared", NULL, NULL, "{level: ERROR}", "[\"client api\"]"},
        {"declared-caps", NULL, NULL,
         "{any: [{polaris: true}, {text: 'open'}]}", "[\"API\"]"},
        {"caseless", NULL, NULL, "{text: '(?i)connection refused'}", NULL},
        /* two literal clauses: the one not indexed is searched too */
        {"two-caseless", NULL, NULL,
         "{all: [{text: '(?i)connection refused'}, {text: '(?i)polaris'}]}",
         NULL},
        {"source", NULL, NULL, "{source: '^stdin$'}", NULL},
        {"any-not", NULL, NULL,
         "{any: [{not: {level: ERROR}}, {sdk_code: [1]}]}", NULL},
        /* one pattern, two required parts: each is a clause */
        {"two-parts", NULL, NULL,
         "{text: '(?i)(?:polaris|connection)[^\\n]*(?:refused|heartbeat)'}",
         NULL},
    };
    struct hb_ruleset *rs = load_defs(defs, HB_ARRAY_LEN(defs));
    struct hb_matcher *on = hb_matcher_new(rs), *off = hb_matcher_new(rs);
    struct hb_hit h1[HB_MAX_HITS], h2[HB_MAX_HITS];
    size_t i;
    int v, n1, n2;

    (void)state;
    hb_matcher_set_gate(off, false);
    for (v = 0; v < V_COUNT; v++) {
        struct hb_record rec;
        struct hb_polaris pol;
        char what[64];

        variant_record((enum variant)v, &rec, &pol);
        snprintf(what, sizeof what, "variant %d", v);
        n1 = hb_matcher_run(on, &rec, &pol, NULL, h1, HB_MAX_HITS);
        n2 = hb_matcher_run(off, &rec, &pol, NULL, h2, HB_MAX_HITS);
        same_hits(what, h1, n1, h2, n2);
        /* one rule at a time too (rules test, --rule) */
        for (i = 0; i < HB_ARRAY_LEN(defs); i++) {
            snprintf(what, sizeof what, "variant %d, only %s", v, defs[i].id);
            n1 = hb_matcher_run(on, &rec, &pol, defs[i].id, h1, HB_MAX_HITS);
            n2 = hb_matcher_run(off, &rec, &pol, defs[i].id, h2, HB_MAX_HITS);
            same_hits(what, h1, n1, h2, n2);
        }
    }
    /* the variants are not vacuous: every rule hits some and misses some */
    for (i = 0; i < HB_ARRAY_LEN(defs); i++) {
        uint64_t hits = hb_matcher_stats(off, i)->hits;

        if (hits == 0 || hits == 2 * V_COUNT)
            fail_msg("%s hits %llu of %d records", defs[i].id,
                     (unsigned long long)hits, 2 * V_COUNT);
    }
    hb_matcher_free(on);
    hb_matcher_free(off);
    hb_rules_free(rs);
}

/* A clause literal outside the automaton is searched in the text in any
   case: at every offset of texts long and short (the vector search's
   blocks and its tail), in every case, and not when one byte differs. */
static void test_match_clause_search(void **state)
{
    static const struct rdef defs[] = {
        {"two", NULL, NULL,
         "{all: [{text: '(?i)connection refused'}, {text: '(?i)[a-z]+ "
         "timed out'}, {text: '(?i)mixed'}]}",
         NULL},
    };
    static const char *const words[] = {"timed out", "TIMED OUT", "TiMeD oUt",
                                        "timed ou", "timed-out"};
    struct hb_ruleset *rs = load_defs(defs, HB_ARRAY_LEN(defs));
    struct hb_matcher *on = hb_matcher_new(rs), *off = hb_matcher_new(rs);
    struct hb_hit h1[HB_MAX_HITS], h2[HB_MAX_HITS];
    size_t at, w, nhit = 0;

    (void)state;
    hb_matcher_set_gate(off, false);
    {
        for (at = 0; at < 70; at++) {
            for (w = 0; w < HB_ARRAY_LEN(words); w++) {
                char text[160];
                struct hb_record rec;
                struct hb_polaris pol;
                int n1, n2;

                /* "Connection refused, " + len filler bytes with the word
                   at offset at + " Mixed" */
                snprintf(text, sizeof text, "Connection refused, %.*sx %s%s",
                         (int)at,
                         "abcdefghijklmnopqrstuvwxyzabcdefghijklmnop"
                         "qrstuvwxyzabcdefghijklmnopqrstuvwxyz",
                         words[w], at % 2 ? " MIXED" : " mixed");
                plain_record(&rec, &pol, text);
                n1 = hb_matcher_run(on, &rec, &pol, NULL, h1, HB_MAX_HITS);
                n2 = hb_matcher_run(off, &rec, &pol, NULL, h2, HB_MAX_HITS);
                assert_int_equal(n1, n2);
                assert_int_equal(n1, w < 3);
                nhit += (size_t)n1;
            }
        }
    }
    assert_true(nhit > 100);
    hb_matcher_free(on);
    hb_matcher_free(off);
    hb_rules_free(rs);
}

/* Clause literals outside the automaton are searched once per record for
   every rule whose clause holds them: two rules share "upstream" (its
   derived literal), and each record's answer is its own (records with and
   without it alternate on one matcher), the same as with the gate off. */
static void test_match_clause_memo(void **state)
{
    static const struct rdef defs[] = {
        {"m1", NULL, NULL,
         "{all: [{text: '(?i)connection refused'}, {text: '(?i)upstream'}]}",
         NULL},
        {"m2", NULL, NULL,
         "{all: [{text: '(?i)connection refused'}, {text: '(?i)upstream'}, "
         "{text: 'refused'}]}",
         NULL},
    };
    /* the first lacks it: a stale "not there" would hide the second */
    static const char *const texts[] = {
        "connection refused",         "Connection refused by UPSTREAM host",
        "Connection refused upstrea", "upstream: Connection refused",
        "connection refused",         "connection refused, upstream"};
    struct hb_ruleset *rs = load_defs(defs, HB_ARRAY_LEN(defs));
    struct hb_matcher *on = hb_matcher_new(rs), *off = hb_matcher_new(rs);
    struct hb_hit h1[HB_MAX_HITS], h2[HB_MAX_HITS];
    size_t round, t;

    (void)state;
    hb_matcher_set_gate(off, false);
    for (round = 0; round < 3; round++) {
        for (t = 0; t < HB_ARRAY_LEN(texts); t++) {
            struct hb_record rec;
            struct hb_polaris pol;
            int n1, n2;

            plain_record(&rec, &pol, texts[t]);
            n1 = hb_matcher_run(on, &rec, &pol, NULL, h1, HB_MAX_HITS);
            n2 = hb_matcher_run(off, &rec, &pol, NULL, h2, HB_MAX_HITS);
            assert_int_equal(n1, n2);
            assert_int_equal(n1, t % 2 == 1 ? 2 : 0);
        }
    }
    hb_matcher_free(on);
    hb_matcher_free(off);
    hb_rules_free(rs);
}

/* The shared scan says whether a text names a Throwable, exactly as the
   three names are written, for the chain parse it then skips. */
static void test_match_names_throwable(void **state)
{
    static const struct rdef defs[] = {
        {"n1", NULL, NULL, "{text: '(?i)connection refused'}", NULL},
    };
    static const struct {
        const char *text;
        bool named;
    } cases[] = {
        {"java.net.ConnectException: Connection refused", true},
        {"java.lang.OutOfMemoryError: Java heap space", true},
        {"Throwable caught", true},
        {"an exception, an error, a throwable", false},
        {"EXCEPTION ERROR THROWABLE", false},
        {"Except Erro Throwabl", false},
        {"", false},
    };
    struct hb_ruleset *rs;
    struct hb_matcher *m;
    size_t t;

    (void)state;
    if (!hb_fastpath_enabled())
        skip(); /* no automaton, no shared scan to ask */
    rs = load_defs(defs, HB_ARRAY_LEN(defs));
    m = hb_matcher_new(rs);
    for (t = 0; t < HB_ARRAY_LEN(cases); t++) {
        struct hb_record rec;
        struct hb_polaris pol;
        const struct hb_pf_hits *scan;
        bool named = !cases[t].named;

        plain_record(&rec, &pol, cases[t].text);
        scan = hb_matcher_scan(m, &rec);
        assert_non_null(scan);
        assert_true(hb_matcher_names_throwable(m, scan, &named));
        if (named != cases[t].named)
            fail_msg("'%s': named %d, want %d", cases[t].text, named,
                     cases[t].named);
    }
    {
        bool unused;

        assert_false(hb_matcher_names_throwable(m, NULL, &unused));
    }
    hb_matcher_free(m);
    hb_rules_free(rs);
}

/* The signature keeps records away from rules a cheap leaf could not: an
   any of a code and a pattern, a server_addr pattern. */
static void test_match_signature_gates(void **state)
{
    static const struct rdef defs[] = {
        {"s1", NULL, NULL,
         "{all: [{text: '(?i)heartbeat'}, {any: [{sdk_code: [1007]}, "
         "{text: 'polaris heartbeat \\[NETWORK_ERROR\\]'}]}]}",
         NULL},
        {"s2", NULL, NULL, "{server_addr: ':(?!8091$)\\d+$'}", NULL},
    };
    struct hb_ruleset *rs = load_defs(defs, HB_ARRAY_LEN(defs));
    struct hb_matcher *m = hb_matcher_new(rs);
    struct hb_record rec;
    struct hb_polaris pol;
    struct hb_hit hits[HB_MAX_HITS];

    (void)state;
    plain_record(&rec, &pol, "Instance heartbeat success");
    assert_int_equal(hb_matcher_run(m, &rec, &pol, NULL, hits, 4), 0);
    plain_record(&rec, &pol, "polaris heartbeat [NETWORK_ERROR] x");
    assert_int_equal(hb_matcher_run(m, &rec, &pol, NULL, hits, 4), 1);
    pol.sdk_code = 1007;
    plain_record(&rec, &pol, "heartbeat failed");
    pol.sdk_code = 1007;
    assert_int_equal(hb_matcher_run(m, &rec, &pol, NULL, hits, 4), 1);
    assert_int_equal(hb_matcher_stats(m, 0)->tried, 2);
    assert_int_equal(hb_matcher_stats(m, 0)->hits, 2);
    /* no server address seen: s2 is never tried */
    assert_int_equal(hb_matcher_stats(m, 1)->tried, 0);
    hb_matcher_free(m);
    hb_rules_free(rs);
}

/* More rules than one word of the candidate sets, each keyed by a code or
   by a literal. */
static void test_match_many_rules(void **state)
{
    struct rdef defs[150];
    char match[150][64], id[150][16];
    struct hb_ruleset *rs;
    struct hb_matcher *on, *off;
    struct hb_hit h1[HB_MAX_HITS], h2[HB_MAX_HITS];
    size_t i;
    int n1, n2;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(defs); i++) {
        snprintf(id[i], sizeof id[i], "r%zu", i);
        if (i % 2)
            snprintf(match[i], sizeof match[i], "{sdk_code: [%zu]}", 1000 + i);
        else
            snprintf(match[i], sizeof match[i], "{text: 'lit%03zu'}", i);
        defs[i] = (struct rdef){id[i], NULL, NULL, match[i], NULL};
    }
    rs = load_defs(defs, HB_ARRAY_LEN(defs));
    on = hb_matcher_new(rs);
    off = hb_matcher_new(rs);
    hb_matcher_set_gate(off, false);
    for (i = 0; i < HB_ARRAY_LEN(defs); i++) {
        struct hb_record rec;
        struct hb_polaris pol;
        char text[64];

        snprintf(text, sizeof text, "lit%03zu lit%03zu", i, 149 - i);
        plain_record(&rec, &pol, text);
        pol.sdk_code = (int)(1000 + i);
        n1 = hb_matcher_run(on, &rec, &pol, NULL, h1, HB_MAX_HITS);
        n2 = hb_matcher_run(off, &rec, &pol, NULL, h2, HB_MAX_HITS);
        same_hits(text, h1, n1, h2, n2);
        assert_true(n1 >= 1);
    }
    for (i = 0; i < HB_ARRAY_LEN(defs); i++) {
        assert_true(hb_matcher_stats(on, i)->hits >= 1);
        assert_true(hb_matcher_stats(on, i)->tried <= 2);
    }
    hb_matcher_free(on);
    hb_matcher_free(off);
    hb_rules_free(rs);
}

/* ---- limits ----------------------------------------------------------------
 */

static void test_match_catastrophic_regex_limited(void **state)
{
    struct hb_ruleset *rs = load_one("{text: '(a+)+$'}");
    struct hb_matcher *m = hb_matcher_new(rs);
    struct hb_record rec;
    struct hb_polaris pol;
    struct hb_hit hits[1];
    struct hb_buf text;
    struct timespec t0, t1;
    double secs;
    int i;

    (void)state;
    hb_buf_init(&text);
    for (i = 0; i < 5000; i++)
        hb_buf_putc(&text, 'a');
    hb_buf_putc(&text, 'b');
    plain_record(&rec, &pol, text.data);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(hb_matcher_run(m, &rec, &pol, NULL, hits, 1), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(secs < 2.0);
    assert_int_equal(hb_matcher_stats(m, 0)->limit_hits, 1);
    assert_int_equal(hb_matcher_stats(m, 0)->tried, 1);
    assert_true(hb_matcher_stats(m, 0)->nanos > 0);
    /* the matcher goes on working after a limit hit */
    plain_record(&rec, &pol, "aaa");
    assert_int_equal(hb_matcher_run(m, &rec, &pol, NULL, hits, 1), 1);
    hb_matcher_free(m);
    hb_rules_free(rs);
    hb_buf_fini(&text);
}

static void test_match_empty_ruleset(void **state)
{
    struct hb_ruleset *rs = load_defs(NULL, 0);
    struct hb_matcher *m = hb_matcher_new(rs);
    struct hb_record rec;
    struct hb_polaris pol;
    struct hb_hit hits[1];

    (void)state;
    plain_record(&rec, &pol, "anything");
    assert_int_equal(hb_matcher_run(m, &rec, &pol, NULL, hits, 1), 0);
    assert_null(hb_matcher_stats(m, 0));
    hb_matcher_free(m);
    hb_rules_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_every_leaf),
        cmocka_unit_test(test_match_captures),
        cmocka_unit_test(test_match_capture_caps),
        cmocka_unit_test(test_match_strongest_first),
        cmocka_unit_test(test_match_required_literals),
        cmocka_unit_test(test_match_regex_clauses),
        cmocka_unit_test(test_match_gate_keeps_results),
        cmocka_unit_test(test_match_declared_literals),
        cmocka_unit_test(test_match_signature),
        cmocka_unit_test(test_match_signature_bounded),
        cmocka_unit_test(test_match_gate_never_skips),
        cmocka_unit_test(test_match_clause_search),
        cmocka_unit_test(test_match_clause_memo),
        cmocka_unit_test(test_match_names_throwable),
        cmocka_unit_test(test_match_signature_gates),
        cmocka_unit_test(test_match_many_rules),
        cmocka_unit_test(test_match_catastrophic_regex_limited),
        cmocka_unit_test(test_match_empty_ruleset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
