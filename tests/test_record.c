/*
 * test_record.c - record assembly: headers with their stack traces, blank
 * lines before a trace, exception lines without timestamps, the APPLICATION
 * FAILED TO START block, plain text, caps, and exception chains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "util.h"

/* Expected record: lines first..last, and the classes of its chain
 * ("a.B,c.D"), "" for none. */
struct want {
    uint64_t first, last;
    const char *chain;
};

struct asm_case {
    const char *name;
    const char *input; /* lines separated by '\n' */
    struct want recs[8];
    size_t nrecs;
};

#define SB2                                                                    \
    "2024-03-13 20:16:04.123 ERROR 12345 --- [           main] "               \
    "c.t.c.p.registry.PolarisServiceRegistry  : "
#define SB2I                                                                   \
    "2024-03-13 20:16:05.000  INFO 12345 --- [           main] "               \
    "o.s.b.StartupInfoLogger                  : "

static const struct asm_case cases[] = {
    {"header with trace",
     SB2
     "polaris registry, svc register failed...x,\n"
     "com.tencent.polaris.api.exception.PolarisException: "
     "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not "
     "open\n"
     "\tat "
     "com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse("
     "GrpcUtil.java:218)\n"
     "\t... 12 more\n"
     "Caused by: io.grpc.StatusRuntimeException: UNAVAILABLE: io exception\n"
     "\tat "
     "io.grpc.stub.ClientCalls.toStatusRuntimeException(ClientCalls.java:262)\n"
     "Caused by: io.netty.channel.AbstractChannel$AnnotatedConnectException: "
     "Connection refused: /10.0.0.1:8091\n" SB2I "Started\n",
     {{1, 7,
       "com.tencent.polaris.api.exception.PolarisException,io.grpc."
       "StatusRuntimeException,"
       "io.netty.channel.AbstractChannel$AnnotatedConnectException"},
      {8, 8, ""}},
     2},
    {"blank line before the trace (real case 003)",
     SB2 "polaris heartbeat[SERVER_USER_ERROR]\n"
         "\n"
         "com.tencent.polaris.api.exception.PolarisException: "
         "ERR-1006(SERVER_USER_ERROR), server error 400141: heartbeat on "
         "disabled instance\n"
         "        at "
         "com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse("
         "GrpcUtil.java:141)\n"
         "\n" SB2I "next\n",
     {{1, 4, "com.tencent.polaris.api.exception.PolarisException"}, {6, 6, ""}},
     2},
    {"trace without header (real case 001)",
     "com.tencent.polaris.api.exception.PolarisException: "
     "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not "
     "open\n"
     "\tat "
     "com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse("
     "GrpcUtil.java:218)\n"
     "\tat "
     "com.tencent.polaris.plugins.connector.grpc.GrpcConnector.heartbeat("
     "GrpcConnector.java:529)\n",
     {{1, 3, "com.tencent.polaris.api.exception.PolarisException"}},
     1},
    {"plain lines stay apart",
     "[polaris-inmemory-2] fail to persist service x after retry 2\n"
     "\n"
     "fail to write file /tmp/x.tmpjava.io.IOException: fail to lock file "
     "/tmp/x.tmp\n",
     {{1, 1, ""}, {3, 3, ""}},
     2},
    {"application failed to start block (real case 017)",
     "***************************\n"
     "APPLICATION FAILED TO START\n"
     "***************************\n"
     "\n"
     "Description:\n"
     "\n"
     "An attempt was made to call a method that does not exist.\n"
     "\n"
     "    com.tencent.cloud.X$Builder.build(X.java:90)\n"
     "\n"
     "Action:\n"
     "\n"
     "Correct the classpath of your application\n",
     {{1, 13, ""}},
     1},
    {"nested exception in the header message (real case 030)",
     "2023-06-06 17:00:31.613  WARN 97953 --- [           main] "
     "ConfigServletWebServerApplicationContext : Exception encountered during "
     "context initialization - cancelling refresh attempt: "
     "org.springframework.context.ApplicationContextException: Failed to start "
     "bean 'webServerStartStop'; nested exception is "
     "org.springframework.boot.web.server.PortInUseException: Port 23740 is "
     "already in use\n",
     {{1, 1,
       "org.springframework.context.ApplicationContextException,"
       "org.springframework.boot.web.server.PortInUseException"}},
     1},
};

/* Records rec's span and chain ("a.B,c.D") into got/chain. */
static void collect(const struct hb_record *rec, struct want *got,
                    char chain[512], bool *cut)
{
    int i;

    got->first = rec->first_line;
    got->last = rec->last_line;
    chain[0] = '\0';
    for (i = 0; i < rec->nchain; i++) {
        size_t k = strlen(chain);

        snprintf(chain + k, 512 - k, "%s%.*s", i ? "," : "",
                 (int)rec->chain[i].cls.n, rec->chain[i].cls.p);
    }
    *cut |= rec->cut;
}

/* For records of an assembler with defer_chain: what a literal scan would
   tell, from a plain search for the names. */
static void parse_deferred(struct hb_record *rec)
{
    size_t n, i;
    const char *const *names = hb_throwable_names(&n);
    bool named = false;

    assert_int_equal(rec->nchain, 0);
    for (i = 0; i < n; i++)
        if (memmem(rec->text.p, rec->text.n, names[i], strlen(names[i])))
            named = true;
    hb_record_parse_chain_named(rec, named);
}

/* Feeds text line by line; collects records. */
static size_t run(const char *text, const struct hb_asm_opts *o,
                  struct want *got, char chains[][512], size_t cap, bool *cut)
{
    struct hb_asm *a = hb_asm_new("t.log", o);
    struct hb_record rec;
    struct hb_line line;
    const char *p = text;
    size_t n = 0;
    uint64_t lineno = 0, off = 0;

    *cut = false;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char buf[4096];
        bool done;

        memcpy(buf, p, len);
        buf[len] = '\0';
        memset(&line, 0, sizeof line);
        line.text = buf;
        line.len = len;
        line.lineno = line.lineno_last = ++lineno;
        line.offset = off;
        off += len + 1;
        line.end = off;
        line.has_newline = true;
        done = hb_asm_feed(a, &line, &rec);
        if (done && o && o->defer_chain)
            parse_deferred(&rec);
        if (done && n < cap) {
            collect(&rec, &got[n], chains[n], cut);
            n++;
        }
        p = nl ? nl + 1 : p + len;
    }
    if (hb_asm_flush(a, &rec) && n < cap) {
        if (o && o->defer_chain)
            parse_deferred(&rec);
        collect(&rec, &got[n], chains[n], cut);
        n++;
    }
    hb_asm_free(a);
    return n;
}

/* The table, with chains parsed by the assembler or (defer) after it, as
   a scan does once its literal pass has looked for the names. */
static void check_assembly_table(bool defer)
{
    struct hb_asm_opts o;
    size_t i, k;

    memset(&o, 0, sizeof o);
    o.defer_chain = defer;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        const struct asm_case *c = &cases[i];
        struct want got[16];
        char chains[16][512];
        bool cut;
        size_t n = run(c->input, &o, got, chains, 16, &cut);

        if (n != c->nrecs)
            fail_msg("%s: %zu records, want %zu", c->name, n, c->nrecs);
        for (k = 0; k < n; k++) {
            if (got[k].first != c->recs[k].first ||
                got[k].last != c->recs[k].last)
                fail_msg("%s: record %zu spans %llu-%llu, want %llu-%llu",
                         c->name, k, (unsigned long long)got[k].first,
                         (unsigned long long)got[k].last,
                         (unsigned long long)c->recs[k].first,
                         (unsigned long long)c->recs[k].last);
            if (strcmp(chains[k], c->recs[k].chain) != 0)
                fail_msg("%s: record %zu chain '%s', want '%s'", c->name, k,
                         chains[k], c->recs[k].chain);
        }
    }
}

static void test_record_assembly_table(void **state)
{
    (void)state;
    check_assembly_table(false);
    check_assembly_table(true);
}

/* A record whose text names no Throwable (the caller's scan says so) gets
   no chain and its text is not read; named, the full parse. */
static void test_record_chain_named(void **state)
{
    const char *t = "java.net.ConnectException: Connection refused\n"
                    "\tat a.B.c(B.java:1)";
    struct hb_record rec;

    (void)state;
    memset(&rec, 0, sizeof rec);
    rec.text = (struct hb_str){t, strlen(t)};
    rec.head = (struct hb_str){t, (size_t)(strchr(t, '\n') - t)};
    rec.hdr.message = rec.head;
    rec.nchain = 3;
    hb_record_parse_chain_named(&rec, false);
    assert_int_equal(rec.nchain, 0);
    hb_record_parse_chain_named(&rec, true);
    assert_int_equal(rec.nchain, 1);
    assert_true(hb_str_eq(rec.chain[0].cls, "java.net.ConnectException"));
}

static void test_record_header_fields(void **state)
{
    struct hb_asm *a = hb_asm_new("t.log", NULL);
    struct hb_record rec;
    struct hb_line l;
    const char *h = SB2 "polaris registry, svc register failed...x,";

    (void)state;
    memset(&l, 0, sizeof l);
    l.text = h;
    l.len = strlen(h);
    l.lineno = l.lineno_last = 7;
    l.end = l.len + 1;
    assert_false(hb_asm_feed(a, &l, &rec));
    assert_true(hb_asm_flush(a, &rec));
    assert_string_equal(rec.format, "springboot");
    assert_string_equal(rec.hdr.level, "ERROR");
    assert_int_equal(rec.hdr.pid, 12345);
    assert_true(hb_str_eq(rec.hdr.thread, "main"));
    assert_true(
        hb_str_eq(rec.hdr.logger, "c.t.c.p.registry.PolarisServiceRegistry"));
    assert_true(hb_str_starts(rec.hdr.message, "polaris registry, svc"));
    assert_true(hb_str_eq(rec.hdr.ts, "2024-03-13 20:16:04.123"));
    assert_int_equal(rec.first_line, 7);
    assert_int_equal(rec.end_offset, l.len + 1);
    assert_string_equal(rec.source, "t.log");
    hb_asm_free(a);
}

static void test_record_caps_cut_not_lost(void **state)
{
    /* 2000 trace lines, no header; 100-line cap: every line lands in some
     * record, the cut ones are counted. */
    struct hb_buf b;
    struct hb_asm_opts o = {.max_lines = 100};
    struct want got[64];
    char chains[64][512];
    bool cut;
    size_t n, i;
    uint64_t covered = 0;

    (void)state;
    hb_buf_init(&b);
    hb_buf_puts(&b, "java.lang.IllegalStateException: boom\n");
    for (i = 0; i < 1999; i++)
        hb_buf_printf(&b, "\tat a.b.C.m%zu(C.java:%zu)\n", i, i);
    n = run(b.data, &o, got, chains, 64, &cut);
    assert_true(cut);
    assert_int_equal(n, 20);
    for (i = 0; i < n; i++) {
        assert_int_equal(got[i].first, covered + 1);
        covered = got[i].last;
    }
    assert_int_equal(covered, 2000);
    hb_buf_fini(&b);
}

static void test_record_byte_cap(void **state)
{
    struct hb_buf b;
    struct hb_asm_opts o = {.max_bytes = 1024};
    struct want got[64];
    char chains[64][512];
    bool cut;
    size_t n, i;

    (void)state;
    hb_buf_init(&b);
    hb_buf_puts(&b, SB2 "x\n");
    for (i = 0; i < 100; i++)
        hb_buf_printf(&b, "\tat a.b.C.method_with_a_long_name%zu(C.java:1)\n",
                      i);
    n = run(b.data, &o, got, chains, 64, &cut);
    assert_true(cut);
    assert_true(n > 2);
    assert_int_equal(got[n - 1].last, 101);
    hb_buf_fini(&b);
}

static void test_record_header_cut_by_byte_cap(void **state)
{
    /* A header longer than the record cap: every slice stays inside the
     * kept text (a fuzz finding). */
    struct hb_asm_opts o = {.max_bytes = 120};
    struct hb_asm *a = hb_asm_new("t.log", &o);
    struct hb_record rec;
    struct hb_line l;
    struct hb_buf b;
    const struct hb_str *sl[5];
    size_t i;

    (void)state;
    hb_buf_init(&b);
    hb_buf_puts(&b, SB2);
    for (i = 0; i < 40; i++)
        hb_buf_puts(&b, "message ");
    memset(&l, 0, sizeof l);
    l.text = b.data;
    l.len = b.len;
    l.lineno = l.lineno_last = 1;
    l.end = b.len + 1;
    assert_false(hb_asm_feed(a, &l, &rec));
    assert_true(hb_asm_flush(a, &rec));
    assert_true(rec.cut);
    assert_true(rec.text.n <= 120);
    sl[0] = &rec.hdr.ts;
    sl[1] = &rec.hdr.thread;
    sl[2] = &rec.hdr.logger;
    sl[3] = &rec.hdr.app;
    sl[4] = &rec.hdr.message;
    for (i = 0; i < 5; i++) {
        if (sl[i]->n == 0)
            continue;
        assert_true(sl[i]->p >= rec.text.p);
        assert_true(sl[i]->p + sl[i]->n <= rec.text.p + rec.text.n);
    }
    hb_asm_free(a);
    hb_buf_fini(&b);
}

/* An exception named inline at every offset of a one-line record, each
   of the three kinds, and near misses that name none: the quick check
   before the chain parse must find the name wherever it is (16-byte
   blocks and the tail). */
static void test_record_chain_any_offset(void **state)
{
    static const char *const names[] = {"a.FooException", "b.BarError",
                                        "c.Throwable",    "d.Exceptio",
                                        "e.Erro",         "f.Throwabl"};
    size_t at, k;

    (void)state;
    for (at = 0; at < 40; at++) {
        for (k = 0; k < 12; k++) {
            char text[128];
            struct hb_record rec;
            /* k >= 6: the name ends the record, in the last block */
            int n = snprintf(text, sizeof text, "%.*s %s%s", (int)at,
                             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                             names[k % 6], k < 6 ? ": boom" : ":");

            memset(&rec, 0, sizeof rec);
            rec.text = (struct hb_str){text, (size_t)n};
            rec.head = rec.text;
            rec.hdr.message = rec.text;
            hb_record_parse_chain(&rec);
            if (k % 6 < 3) {
                assert_int_equal(rec.nchain, 1);
                assert_int_equal(rec.chain[0].cls.n, strlen(names[k % 6]));
            } else {
                assert_int_equal(rec.nchain, 0);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_assembly_table),
        cmocka_unit_test(test_record_chain_named),
        cmocka_unit_test(test_record_header_fields),
        cmocka_unit_test(test_record_caps_cut_not_lost),
        cmocka_unit_test(test_record_byte_cap),
        cmocka_unit_test(test_record_header_cut_by_byte_cap),
        cmocka_unit_test(test_record_chain_any_offset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
