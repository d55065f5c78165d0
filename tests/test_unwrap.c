/*
 * test_unwrap.c - CRI partial joining, Docker json-file decoding, JSON
 * application records rewritten to Spring Boot shaped lines, malformed
 * JSON passed through, and the join cap.
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
#include "unwrap.h"

/* Physical line n sits at offset n*1000 in a fake stream. */
static struct hb_line phys(const char *text, size_t len, uint64_t n)
{
    struct hb_line l;

    memset(&l, 0, sizeof l);
    l.text = text;
    l.len = len;
    l.lineno = l.lineno_last = n;
    l.offset = n * 1000;
    l.end = n * 1000 + len + 1;
    l.has_newline = true;
    l.one_line = true; /* as from the reader */
    return l;
}

static bool feed(struct hb_unwrap *u, const char *text, uint64_t n,
                 struct hb_line *out)
{
    struct hb_line in = phys(text, strlen(text), n);

    return hb_unwrap_feed(u, &in, out);
}

static void assert_text(const struct hb_line *l, const char *want)
{
    size_t n = strlen(want);

    if (l->len != n || memcmp(l->text, want, n) != 0)
        fail_msg("got \"%.*s\"\nwant \"%s\"", (int)l->len, l->text, want);
    assert_int_equal(l->text[l->len], '\0');
}

static void test_unwrap_cri_full_line(void **state)
{
    struct hb_unwrap *u = hb_unwrap_new(NULL);
    struct hb_line out;

    (void)state;
    assert_true(feed(u,
                     "2024-01-02T03:04:05.123456789Z stdout F 2024-01-02 "
                     "03:04:05.123  INFO 1 --- [main] c.t.Foo : hello",
                     1, &out));
    assert_text(&out, "2024-01-02 03:04:05.123  INFO 1 --- [main] c.t.Foo : "
                      "hello");
    assert_int_equal(out.lineno, 1);
    assert_int_equal(out.lineno_last, 1);
    assert_int_equal(out.offset, 1000);
    assert_true(out.one_line); /* a slice of a line the reader split */
    /* an empty payload, with and without the space */
    assert_true(feed(u, "2024-01-02T03:04:05.123456789Z stderr F ", 2, &out));
    assert_text(&out, "");
    assert_true(feed(u, "2024-01-02T03:04:05.123456789Z stderr F", 3, &out));
    assert_text(&out, "");
    assert_string_equal(hb_unwrap_kind(u), "cri");
    hb_unwrap_free(u);
}

static void test_unwrap_cri_partials_joined(void **state)
{
    struct hb_unwrap *u = hb_unwrap_new("cri");
    struct hb_line out;

    (void)state;
    assert_false(feed(u,
                      "2024-01-02T03:04:05.1Z stdout P 2024-01-02 "
                      "03:04:05.123 ERROR 1 --- [main] c.t.Foo : part1 ",
                      10, &out));
    assert_false(feed(u, "2024-01-02T03:04:05.2Z stdout P part2 ", 11, &out));
    /* stderr lines interleave without disturbing the stdout partial */
    assert_true(
        feed(u, "2024-01-02T03:04:05.3Z stderr F java.lang.X: boom", 12, &out));
    assert_text(&out, "java.lang.X: boom");
    assert_int_equal(out.lineno, 12);
    assert_int_equal(out.lineno_last, 12);
    assert_true(feed(u, "2024-01-02T03:04:05.4Z stdout F part3", 13, &out));
    assert_text(&out, "2024-01-02 03:04:05.123 ERROR 1 --- [main] c.t.Foo : "
                      "part1 part2 part3");
    assert_int_equal(out.lineno, 10);
    assert_int_equal(out.lineno_last, 13);
    assert_int_equal(out.offset, 10000);
    assert_int_equal(out.end, 13000 +
                                  strlen("2024-01-02T03:04:05.4Z stdout F "
                                         "part3") +
                                  1);
    assert_false(out.truncated);
    /* the next line starts fresh */
    assert_true(feed(u, "2024-01-02T03:04:05.5Z stdout F next", 14, &out));
    assert_text(&out, "next");
    assert_int_equal(out.lineno, 14);
    hb_unwrap_free(u);
}

static void test_unwrap_flush_held_partial(void **state)
{
    struct hb_unwrap *u = hb_unwrap_new(NULL);
    struct hb_line out;

    (void)state;
    assert_false(hb_unwrap_flush(u, &out));
    assert_false(feed(u, "2024-01-02T03:04:05Z stdout P never ", 5, &out));
    assert_false(feed(u, "2024-01-02T03:04:05Z stdout P ends", 6, &out));
    assert_true(hb_unwrap_flush(u, &out));
    assert_text(&out, "never ends");
    assert_int_equal(out.lineno, 5);
    assert_int_equal(out.lineno_last, 6);
    assert_false(hb_unwrap_flush(u, &out));
    hb_unwrap_free(u);
}

static void test_unwrap_cri_cap(void **state)
{
    size_t chunk = 1024 * 1024, hl = 31, i;
    char *line = malloc(hl + chunk + 1);
    struct hb_unwrap *u = hb_unwrap_new(NULL);
    struct hb_line in, out;

    (void)state;
    assert_non_null(line);
    memcpy(line, "2024-01-02T03:04:05Z stdout P ", 30);
    memset(line + 30, 'a', chunk + 1);
    for (i = 0; i < 5; i++) {
        in = phys(line, 30 + chunk, i + 1);
        assert_false(hb_unwrap_feed(u, &in, &out));
    }
    memcpy(line + 28, "F", 1);
    in = phys(line, 30 + chunk, 6);
    assert_true(hb_unwrap_feed(u, &in, &out));
    assert_int_equal(out.len, HB_UNWRAP_MAX);
    assert_true(out.truncated);
    assert_int_equal(out.lineno, 1);
    assert_int_equal(out.lineno_last, 6);
    assert_int_equal(hb_unwrap_cut(u), 1);
    hb_unwrap_free(u);
    free(line);
}

static void test_unwrap_docker_json(void **state)
{
    struct hb_unwrap *u = hb_unwrap_new(NULL);
    struct hb_line out;

    (void)state;
    assert_true(feed(u,
                     "{\"log\":\"2024-01-02 03:04:05.123  INFO 1 --- [main] "
                     "c.t.Foo : caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" a\\\\b "
                     "\\/x\\ty\\ud800z\\n\",\"stream\":\"stdout\",\"time\":"
                     "\"2024-01-02T03:04:05.1Z\"}",
                     1, &out));
    assert_text(&out, "2024-01-02 03:04:05.123  INFO 1 --- [main] c.t.Foo : "
                      "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" a\\b "
                      "/x\ty\xef\xbf\xbdz");
    /* a line longer than Docker's 16 KiB buffer comes in chunks */
    assert_false(feed(u,
                      "{\"log\":\"chunk1 \",\"stream\":\"stderr\",\"time\":"
                      "\"2024-01-02T03:04:05.1Z\"}",
                      2, &out));
    assert_true(feed(u,
                     "{\"log\":\"chunk2\\r\\n\",\"stream\":\"stderr\",\"time\":"
                     "\"2024-01-02T03:04:05.2Z\"}",
                     3, &out));
    assert_text(&out, "chunk1 chunk2");
    assert_int_equal(out.lineno, 2);
    assert_int_equal(out.lineno_last, 3);
    assert_string_equal(hb_unwrap_kind(u), "docker");
    hb_unwrap_free(u);
}

static void test_unwrap_logstash_json(void **state)
{
    static const char rec[] =
        "{\"@timestamp\":\"2024-03-13T20:16:04.123+08:00\",\"@version\":\"1\","
        "\"message\":\"polaris registry, demo-svc register failed...\","
        "\"logger_name\":\"com.tencent.cloud.polaris.registry."
        "PolarisServiceRegistry\",\"thread_name\":\"main\",\"level\":"
        "\"ERROR\",\"level_value\":40000,\"stack_trace\":\"com.tencent."
        "polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR):"
        " server error 400401: client api is not open\\n\\tat "
        "a.b.C.d(C.java:1)\\n\",\"traceId\":\"abc\"}";
    struct hb_unwrap *u = hb_unwrap_new(NULL);
    struct hb_line out;
    struct hb_header h;
    const char *nl;

    (void)state;
    assert_int_equal(hb_time_set_zone("UTC"), HB_OK);
    assert_true(feed(u, rec, 7, &out));
    assert_text(&out,
                "2024-03-13T20:16:04.123+08:00 ERROR 0 --- [main] "
                "com.tencent.cloud.polaris.registry.PolarisServiceRegistry : "
                "polaris registry, demo-svc register failed... "
                "{\"traceId\": \"abc\"}\n"
                "com.tencent.polaris.api.exception.PolarisException: "
                "ERR-1006(SERVER_USER_ERROR): server error 400401: client api "
                "is not open\n\tat a.b.C.d(C.java:1)");
    assert_int_equal(out.lineno, 7);
    assert_false(out.one_line); /* decoded: it holds '\n' */
    /* the first line is a springboot header */
    nl = memchr(out.text, '\n', out.len);
    assert_non_null(nl);
    assert_string_equal(
        hb_format_parse(NULL, false, out.text, (size_t)(nl - out.text), &h)
            ->name,
        "springboot");
    assert_string_equal(h.level, "ERROR");
    assert_int_equal(h.ts_ms, 1710332164123LL);
    assert_int_equal(h.logger.n, strlen("com.tencent.cloud.polaris.registry."
                                        "PolarisServiceRegistry"));
    assert_string_equal(hb_unwrap_kind(u), "json");
    hb_unwrap_free(u);
}

static void test_unwrap_ecs_and_zap_json(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        /* ECS, flat dotted keys (Spring Boot 3.4 structured logging) */
        {"{\"@timestamp\":\"2024-07-30T08:41:10.561295200Z\",\"log.level\":"
         "\"WARN\",\"process.pid\":67455,\"process.thread.name\":\"main\","
         "\"service.name\":\"demo\",\"log.logger\":\"org.example.App\","
         "\"message\":\"Started\",\"ecs.version\":\"8.11\"}",
         "2024-07-30T08:41:10.561295200Z  WARN 67455 --- [demo] [main] "
         "org.example.App : Started"},
        /* ECS, nested objects; error without a stack trace */
        {"{\"@timestamp\":\"2024-07-30T08:41:10.561Z\",\"log\":{\"level\":"
         "\"warning\",\"logger\":\"org.example.App\"},\"process\":{\"pid\":1,"
         "\"thread\":{\"name\":\"t 1\"}},\"message\":\"nested\\n\","
         "\"error\":{\"type\":\"java.io.IOException\",\"message\":"
         "\"disk\"},\"tags\":[\"a\",{\"b\":[1,2]}]}",
         "2024-07-30T08:41:10.561Z  WARN 1 --- [t 1] org.example.App : "
         "nested\njava.io.IOException: disk"},
        /* zap JSON encoder: epoch seconds, fields kept zap-style */
        {"{\"level\":\"error\",\"ts\":1719314267.123,\"logger\":\"naming\","
         "\"caller\":\"service/instance.go:97\",\"msg\":\"fail\","
         "\"response\":\"code:{value:400401}\",\"n\":3,\"ok\":true}",
         "2024-06-25T11:17:47.123Z ERROR 0 --- [] naming : fail {\"caller\": "
         "\"service/instance.go:97\", \"response\": \"code:{value:400401}\", "
         "\"n\": 3, \"ok\": true}"},
        /* no level, no logger; pid as a string; a logger with spaces */
        {"{\"time\":\"2024-01-02 03:04:05\",\"message\":\"m\",\"pid\":\"42\","
         "\"logger\":\"a b\"}",
         "2024-01-02 03:04:05  INFO 42 --- [] a_b : m"},
    };
    struct hb_unwrap *u = hb_unwrap_new("json");
    struct hb_line out;
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        assert_true(feed(u, cases[i].in, i + 1, &out));
        assert_text(&out, cases[i].want);
    }
    hb_unwrap_free(u);
}

/* Anything we cannot use passes through byte for byte. */
static void test_unwrap_malformed_passes_through(void **state)
{
    static const char *const cases[] = {
        "{\"broken\": ",
        "{\"message\":\"x\",\"@timestamp\":\"2024-01-02T03:04:05Z\"} trailing",
        "{\"message\":\"unterminated",
        "{\"message\":\"x\",\"@timestamp\":\"2024-01-02T03:04:05Z\",\"a\":tru}",
        "{\"message\":\"x\",\"@timestamp\":\"2024-01-02T03:04:05Z\",\"a\":[1,}",
        "{\"message\" \"x\"}",
        "{'message':'x'}",
        "{\"a\":[1,2,{\"b\":3}],\"message\":\"no timestamp\"}",
        "{\"@timestamp\":\"not a time\",\"message\":\"x\"}",
        "{\"log\":5,\"stream\":\"stdout\"}",
        "{}",
        "{",
        "plain text line",
        "2024-01-02T03:04:05Z stdin F not a stream",
        "2024-01-02T03:04:05Z stdout X not a tag",
        "2024-01-02 03:04:05Z stdout F no T",
        "{\"x\":\"\\",
    };
    struct hb_unwrap *u = hb_unwrap_new(NULL);
    struct hb_line out;
    char deep[400];
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        assert_true(feed(u, cases[i], i + 1, &out));
        assert_ptr_equal(out.text, cases[i]);
        assert_int_equal(out.len, strlen(cases[i]));
    }
    /* valid JSON nested deeper than the scanner allows */
    strcpy(deep, "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"message\":"
                 "\"m\",\"x\":");
    i = strlen(deep);
    memset(deep + i, '[', 100);
    memset(deep + i + 100, ']', 100);
    strcpy(deep + i + 200, "}");
    assert_true(feed(u, deep, 99, &out));
    assert_ptr_equal(out.text, deep);
    /* the same record nested within the limit is rewritten */
    memmove(deep + i + 5, deep + i + 195, strlen(deep + i + 195) + 1);
    assert_true(feed(u, deep, 100, &out));
    assert_text(&out, "2024-01-02T03:04:05Z  INFO 0 --- [] : m");
    hb_unwrap_free(u);
    u = hb_unwrap_new(NULL);
    assert_null(hb_unwrap_kind(u));
    hb_unwrap_free(u);
}

static void test_unwrap_nested_wrappers(void **state)
{
    struct hb_unwrap *u = hb_unwrap_new(NULL);
    struct hb_line out;

    (void)state;
    /* CRI around a logstash record, split in two */
    assert_false(feed(u,
                      "2024-01-02T03:04:05.1Z stdout P {\"@timestamp\":"
                      "\"2024-01-02T03:04:05.123Z\",\"level\":\"INFO\",",
                      1, &out));
    assert_true(feed(u,
                     "2024-01-02T03:04:05.1Z stdout F \"message\":\"hi\","
                     "\"thread_name\":\"main\",\"logger_name\":\"x.Y\"}",
                     2, &out));
    assert_text(&out, "2024-01-02T03:04:05.123Z  INFO 0 --- [main] x.Y : hi");
    assert_int_equal(out.lineno, 1);
    assert_int_equal(out.lineno_last, 2);
    /* Docker around a logstash record */
    assert_true(feed(u,
                     "{\"log\":\"{\\\"@timestamp\\\":\\\"2024-01-02T03:04:05."
                     "123Z\\\",\\\"message\\\":\\\"hi\\\\nthere\\\"}\\n\","
                     "\"stream\":\"stdout\",\"time\":\"2024-01-02T03:04:05Z\"}",
                     3, &out));
    assert_text(&out, "2024-01-02T03:04:05.123Z  INFO 0 --- [] : hi\nthere");
    hb_unwrap_free(u);
}

static void test_unwrap_modes(void **state)
{
    static const char cri[] = "2024-01-02T03:04:05Z stdout F payload";
    static const char docker[] =
        "{\"log\":\"payload\\n\",\"stream\":\"stdout\",\"time\":\"x\"}";
    static const char app[] =
        "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"message\":\"m\"}";
    static const struct {
        const char *mode;
        bool cri, docker, app; /* does the mode undo it? */
    } modes[] = {
        {"auto", true, true, true},     {"cri", true, false, false},
        {"docker", false, true, false}, {"json", false, false, true},
        {"none", false, false, false},
    };
    size_t i;

    (void)state;
    assert_null(hb_unwrap_new("bogus"));
    for (i = 0; i < HB_ARRAY_LEN(modes); i++) {
        struct hb_unwrap *u = hb_unwrap_new(modes[i].mode);
        struct hb_line out;

        assert_non_null(u);
        assert_true(feed(u, cri, 1, &out));
        assert_int_equal(out.text != cri, modes[i].cri);
        assert_true(feed(u, docker, 2, &out));
        assert_int_equal(out.text != docker, modes[i].docker);
        assert_true(feed(u, app, 3, &out));
        assert_int_equal(out.text != app, modes[i].app);
        hb_unwrap_free(u);
    }
    hb_unwrap_free(NULL);
}

/* Mangled records and random JSON-ish bytes: never a crash or an
 * overread (the sanitizer build checks), output always NUL-terminated. */
static void test_unwrap_garbage(void **state)
{
    static const char seed[] =
        "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"log\":{\"level\":\"W\"},"
        "\"message\":\"a\\u00e9\\ud83d\\ude00\\n\",\"x\":[1,{\"y\":null}]}";
    static const char alpha[] = "{}[]\":,\\u0d8e9 tnF2024-01T:Z.P";
    struct hb_unwrap *u = hb_unwrap_new(NULL);
    uint32_t r = 99;
    char buf[160];
    int i;
    size_t k, n;

    (void)state;
    for (i = 0; i < 20000; i++) {
        struct hb_line in, out;
        char *line;

        r = r * 1103515245u + 12345u;
        n = (size_t)((r >> 16) % sizeof buf);
        for (k = 0; k < n; k++) {
            r = r * 1103515245u + 12345u;
            if (i % 3 == 0)
                buf[k] = alpha[(r >> 16) % (sizeof alpha - 1)];
            else if (i % 3 == 1)
                buf[k] = k < sizeof seed - 1 && (r >> 16) % 13
                             ? seed[k]
                             : alpha[(r >> 16) % (sizeof alpha - 1)];
            else
                buf[k] = (char)(r >> 16);
        }
        if (i % 7 == 0 && n > 32)
            memcpy(buf,
                   (r >> 20) % 2 ? "2024-01-02T03:04:05Z stdout P "
                                 : "2024-01-02T03:04:05Z stderr F ",
                   30);
        line = malloc(n + 1); /* exact size so ASan sees overreads */
        assert_non_null(line);
        memcpy(line, buf, n);
        line[n] = '\0';
        in = phys(line, n, (uint64_t)i + 1);
        if (hb_unwrap_feed(u, &in, &out)) {
            assert_non_null(out.text);
            assert_int_equal(out.text[out.len], '\0');
            assert_true(out.lineno <= out.lineno_last);
        }
        free(line);
    }
    hb_unwrap_free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unwrap_cri_full_line),
        cmocka_unit_test(test_unwrap_cri_partials_joined),
        cmocka_unit_test(test_unwrap_flush_held_partial),
        cmocka_unit_test(test_unwrap_cri_cap),
        cmocka_unit_test(test_unwrap_docker_json),
        cmocka_unit_test(test_unwrap_logstash_json),
        cmocka_unit_test(test_unwrap_ecs_and_zap_json),
        cmocka_unit_test(test_unwrap_malformed_passes_through),
        cmocka_unit_test(test_unwrap_nested_wrappers),
        cmocka_unit_test(test_unwrap_modes),
        cmocka_unit_test(test_unwrap_garbage),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
