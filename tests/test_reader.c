/*
 * test_reader.c - line splitting, caps, CRLF, NUL bytes, gzip (whole,
 * concatenated, truncated, corrupt, bomb cap), pipes, partial lines, skip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "reader.h"
#include "util.h"

static char tmpdir[] = "/tmp/hbscan-test-reader-XXXXXX";

static const char *write_file(const char *name, const void *data, size_t n)
{
    static char path[512];
    FILE *fp;

    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
    return path;
}

/* gzip-compresses data into a buffer (one member). */
static size_t gz(const char *data, size_t n, unsigned char *out, size_t cap)
{
    z_stream zs;

    memset(&zs, 0, sizeof zs);
    assert_int_equal(
        deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
        Z_OK);
    zs.next_in = (unsigned char *)(uintptr_t)data;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    n = zs.total_out;
    deflateEnd(&zs);
    return n;
}

/* Reads every line of path into one string "a|b|c" (lines joined by '|'). */
static char *slurp(const char *path, const struct hb_reader_opts *o,
                   enum hb_status *last, uint64_t *nlines)
{
    struct hb_reader *r;
    struct hb_line l;
    struct hb_diag d;
    struct hb_buf b;
    enum hb_status rc;

    hb_buf_init(&b);
    hb_buf_puts(&b, "");
    assert_int_equal(hb_reader_open(&r, path, o, &d), HB_OK);
    *nlines = 0;
    while ((rc = hb_reader_next(r, &l, &d)) == HB_OK) {
        if (*nlines)
            hb_buf_putc(&b, '|');
        hb_buf_append(&b, l.text, l.len);
        (*nlines)++;
        assert_int_equal(l.lineno, *nlines);
    }
    *last = rc;
    hb_reader_close(r);
    return b.data;
}

struct split_case {
    const char *name;
    const char *input;
    size_t len;
    const char *want;
    uint64_t nlines;
};

static const struct split_case split_cases[] = {
    {"lf", "a\nb\nc\n", 6, "a|b|c", 3},
    {"crlf", "a\r\nb\r\n", 6, "a|b", 2},
    {"no final newline", "a\nb", 3, "a|b", 2},
    {"empty", "", 0, "", 0},
    {"blank lines", "\n\nx\n", 4, "||x", 3},
    {"lone cr kept mid-line", "a\rb\n", 4, "a\rb", 1},
    {"invalid utf8", "\xff\xfe\x80ok\n", 6, "\xff\xfe\x80ok", 1},
};

static void test_reader_splits_lines(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(split_cases); i++) {
        const struct split_case *c = &split_cases[i];
        const char *p = write_file("split.log", c->input, c->len);
        enum hb_status last;
        uint64_t n;
        char *got = slurp(p, NULL, &last, &n);

        assert_int_equal(last, HB_EOF);
        if (strcmp(got, c->want) != 0 || n != c->nlines)
            fail_msg("%s: got '%s' (%llu lines)", c->name, got,
                     (unsigned long long)n);
        free(got);
    }
}

static void test_reader_keeps_nul_bytes(void **state)
{
    static const char data[] = "a\0b\nc\n";
    const char *p = write_file("nul.log", data, 6);
    struct hb_reader *r;
    struct hb_line l;

    (void)state;
    assert_int_equal(hb_reader_open(&r, p, NULL, NULL), HB_OK);
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_OK);
    assert_int_equal(l.len, 3);
    assert_memory_equal(l.text, "a\0b", 3);
    assert_int_equal(l.offset, 0);
    assert_int_equal(l.end, 4);
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_OK);
    assert_int_equal(l.offset, 4);
    assert_int_equal(l.lineno, 2);
    hb_reader_close(r);
}

static void test_reader_truncates_long_lines(void **state)
{
    /* A 300 KiB line crosses buffer refills; the cap keeps 1000 bytes. */
    size_t n = 300 * 1024;
    char *data = hb_xmalloc(n + 8);
    struct hb_reader_opts o = {.max_line = 1000};
    struct hb_reader *r;
    struct hb_line l;
    const char *p;

    (void)state;
    memset(data, 'x', n);
    memcpy(data + n, "\nend\n", 5);
    p = write_file("long.log", data, n + 5);
    assert_int_equal(hb_reader_open(&r, p, &o, NULL), HB_OK);
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_OK);
    assert_int_equal(l.len, 1000);
    assert_true(l.truncated);
    assert_int_equal(l.end, n + 1);
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_OK);
    assert_string_equal(l.text, "end");
    assert_int_equal(l.lineno, 2);
    assert_false(l.truncated);
    assert_int_equal(hb_reader_truncated(r), 1);
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_EOF);
    hb_reader_close(r);
    free(data);
}

static void test_reader_line_across_refill_is_whole(void **state)
{
    /* Lines below the cap but longer than the read chunk stay intact. */
    size_t n = 200 * 1024;
    char *data = hb_xmalloc(n + 4);
    struct hb_reader *r;
    struct hb_line l;
    const char *p;

    (void)state;
    memset(data, 'y', n);
    data[0] = 'S';
    data[n - 1] = 'E';
    data[n] = '\n';
    p = write_file("span.log", data, n + 1);
    assert_int_equal(hb_reader_open(&r, p, NULL, NULL), HB_OK);
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_OK);
    assert_int_equal(l.len, n);
    assert_int_equal(l.text[0], 'S');
    assert_int_equal(l.text[n - 1], 'E');
    assert_false(l.truncated);
    hb_reader_close(r);
    free(data);
}

static void test_reader_gzip_by_magic(void **state)
{
    const char *text = "first line\nsecond\r\nthird";
    unsigned char buf[512];
    size_t n = gz(text, strlen(text), buf, sizeof buf);
    /* Named .log on purpose: detection is by magic bytes. */
    const char *p = write_file("packed.log", buf, n);
    enum hb_status last;
    uint64_t nl;
    char *got;
    struct hb_reader *r;

    (void)state;
    got = slurp(p, NULL, &last, &nl);
    assert_string_equal(got, "first line|second|third");
    assert_int_equal(last, HB_EOF);
    free(got);
    assert_int_equal(hb_reader_open(&r, p, NULL, NULL), HB_OK);
    assert_true(hb_reader_is_gzip(r));
    assert_int_equal(hb_reader_first_line(r).n, 10);
    hb_reader_close(r);
}

static void test_reader_gzip_concatenated_members(void **state)
{
    unsigned char buf[1024];
    size_t n = gz("a\nb\n", 4, buf, sizeof buf);
    enum hb_status last;
    uint64_t nl;
    char *got;
    const char *p;

    (void)state;
    n += gz("c\n", 2, buf + n, sizeof buf - n);
    p = write_file("multi.gz", buf, n);
    got = slurp(p, NULL, &last, &nl);
    assert_string_equal(got, "a|b|c");
    free(got);
}

/* Bytes after the last member are ignored, as gzip -d does, whatever
   their count (a single padding byte too). */
static void test_reader_gzip_trailing_garbage(void **state)
{
    static const struct {
        const char *name;
        const char *tail;
        size_t n;
    } t[] = {
        {"one NUL byte", "\0", 1},
        {"one newline", "\n", 1},
        {"two NUL bytes", "\0\0", 2},
        {"text", "garbage\n", 8},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(t); i++) {
        unsigned char buf[1024];
        size_t n = gz("a\nb\n", 4, buf, sizeof buf);
        enum hb_status last;
        uint64_t nl;
        char *got;
        const char *p;

        memcpy(buf + n, t[i].tail, t[i].n);
        p = write_file("tail.gz", buf, n + t[i].n);
        got = slurp(p, NULL, &last, &nl);
        if (strcmp(got, "a|b") != 0 || last != HB_EOF)
            print_error("case %s: \"%s\" status %d\n", t[i].name, got,
                        (int)last);
        assert_string_equal(got, "a|b");
        assert_int_equal(last, HB_EOF);
        free(got);
    }
}

static void test_reader_gzip_truncated_keeps_lines(void **state)
{
    char text[20000];
    unsigned char buf[30000];
    size_t n, i;
    struct hb_reader *r;
    struct hb_line l;
    struct hb_diag d;
    enum hb_status rc;
    uint64_t lines = 0;
    const char *p;

    (void)state;
    for (i = 0; i < sizeof text; i++)
        text[i] = (i % 50 == 49) ? '\n' : (char)('a' + (i * 7) % 26);
    n = gz(text, sizeof text, buf, sizeof buf);
    p = write_file("cut.gz", buf, n / 2);
    assert_int_equal(hb_reader_open(&r, p, NULL, &d), HB_OK);
    while ((rc = hb_reader_next(r, &l, &d)) == HB_OK)
        lines++;
    assert_int_equal(rc, HB_EIO);
    assert_non_null(strstr(d.msg, "truncated gzip"));
    assert_true(lines > 10);
    assert_int_equal(hb_reader_next(r, &l, &d), HB_EOF);
    hb_reader_close(r);
}

static void test_reader_gzip_corrupt(void **state)
{
    unsigned char buf[512];
    size_t n = gz("hello\nworld\n", 12, buf, sizeof buf);
    struct hb_reader *r;
    struct hb_line l;
    struct hb_diag d;
    enum hb_status rc;
    const char *p;

    (void)state;
    memset(buf + 12, 0xAA, n - 20);
    p = write_file("bad.gz", buf, n);
    assert_int_equal(hb_reader_open(&r, p, NULL, &d), HB_OK);
    while ((rc = hb_reader_next(r, &l, &d)) == HB_OK)
        ;
    assert_int_equal(rc, HB_EIO);
    assert_non_null(strstr(d.path, "bad.gz"));
    hb_reader_close(r);
}

static void test_reader_gzip_bomb_capped(void **state)
{
    size_t n = 4 * 1024 * 1024;
    char *zeros = hb_xcalloc(1, n);
    unsigned char *buf = hb_xmalloc(n);
    size_t zn;
    struct hb_reader_opts o = {.max_output = 1024 * 1024};
    struct hb_reader *r;
    struct hb_line l;
    struct hb_diag d;
    enum hb_status rc;
    const char *p;

    (void)state;
    zn = gz(zeros, n, buf, n);
    p = write_file("bomb.gz", buf, zn);
    assert_int_equal(hb_reader_open(&r, p, &o, &d), HB_OK);
    while ((rc = hb_reader_next(r, &l, &d)) == HB_OK)
        ;
    assert_int_equal(rc, HB_EIO);
    assert_non_null(strstr(d.msg, "exceeds the cap"));
    hb_reader_close(r);
    free(zeros);
    free(buf);
}

static void test_reader_pipe_and_gzip_on_stdin(void **state)
{
    unsigned char buf[256];
    size_t n = gz("x1\nx2\n", 6, buf, sizeof buf);
    int fds[2];
    struct hb_reader *r;
    struct hb_line l;

    (void)state;
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], buf, n), (ssize_t)n);
    close(fds[1]);
    assert_int_equal(hb_reader_open_fd(&r, fds[0], "<stdin>", true, NULL, NULL),
                     HB_OK);
    assert_true(hb_reader_is_gzip(r));
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_OK);
    assert_string_equal(l.text, "x1");
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_OK);
    assert_string_equal(l.text, "x2");
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_EOF);
    hb_reader_close(r);
}

static void test_reader_hold_partial_and_skip(void **state)
{
    const char *p = write_file("partial.log", "one\ntwo\nthr", 11);
    struct hb_reader_opts o = {.hold_partial = true};
    struct hb_reader *r;
    struct hb_line l;

    (void)state;
    assert_int_equal(hb_reader_open(&r, p, &o, NULL), HB_OK);
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_OK);
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_OK);
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_EOF);
    assert_int_equal(hb_reader_offset(r), 8); /* "thr" not consumed */
    hb_reader_close(r);

    /* Resume after the first line: numbering continues. */
    assert_int_equal(hb_reader_open(&r, p, NULL, NULL), HB_OK);
    assert_int_equal(hb_reader_skip(r, 4, 1, NULL), HB_OK);
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_OK);
    assert_string_equal(l.text, "two");
    assert_int_equal(l.lineno, 2);
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_OK);
    assert_string_equal(l.text, "thr");
    assert_false(l.has_newline);
    assert_true(l.one_line); /* the assembler trusts it not to hold '\n' */
    hb_reader_close(r);
}

static void test_reader_missing_file(void **state)
{
    struct hb_reader *r;
    struct hb_diag d;

    (void)state;
    assert_int_equal(hb_reader_open(&r, "/nonexistent/x.log", NULL, &d),
                     HB_EIO);
    assert_null(r);
    assert_string_equal(d.path, "/nonexistent/x.log");
    assert_non_null(strstr(d.msg, "No such file"));
}

static void test_reader_fifo_without_writer_does_not_hang(void **state)
{
    char path[512];
    struct hb_reader *r;
    struct hb_line l;

    (void)state;
    snprintf(path, sizeof path, "%s/fifo", tmpdir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(hb_reader_open(&r, path, NULL, NULL), HB_OK);
    assert_int_equal(hb_reader_next(r, &l, NULL), HB_EOF);
    hb_reader_close(r);
    unlink(path);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[600];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The first line a first_line_only open sees is the one a full open sees:
   long lines (capped at 4 KiB), a CR at the cap, tiny files, and gzip
   whose first 4 KiB of compressed input decode to less than the cap. */
static void test_reader_first_line_only_same_line(void **state)
{
    static char text[16384];
    static unsigned char zbuf[20000];
    struct hb_reader_opts full = {0}, first = {.first_line_only = true};
    uint64_t x = 88172645463325252ULL;
    size_t i, j, n;

    (void)state;
    for (i = 0; i < 7; i++) {
        struct hb_reader *a, *b;
        struct hb_str fa, fb;
        struct hb_diag d;
        char name[32];
        const char *p;
        bool zip = i >= 5;

        /* 0 short, 1 one byte, 2 two bytes, 3 a 12 KiB first line,
           4 CR LF at the cap, 5 gzip of 3 with incompressible bytes,
           6 gzip of 0 */
        for (j = 0; j < sizeof text; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            text[j] = (char)(14 + x % 242); /* no CR, no LF, barely
                                                compressible */
        }
        n = 0;
        if (i == 0 || i == 6)
            n = (size_t)snprintf(text, sizeof text, "line one\nrest\n");
        else if (i == 1)
            n = 1;
        else if (i == 2)
            text[1] = '\n', n = 2;
        else if (i == 3 || i == 5)
            text[12288] = '\n', n = 12300;
        else if (i == 4)
            text[4095] = '\r', text[4096] = '\n', n = 4200;
        snprintf(name, sizeof name, "first%zu%s", i, zip ? ".gz" : ".log");
        p = zip ? write_file(name, zbuf, gz(text, n, zbuf, sizeof zbuf))
                : write_file(name, text, n);
        assert_int_equal(hb_reader_open(&a, p, &full, &d), HB_OK);
        assert_int_equal(hb_reader_open(&b, p, &first, &d), HB_OK);
        fa = hb_reader_first_line(a);
        fb = hb_reader_first_line(b);
        if (fa.n != fb.n || memcmp(fa.p, fb.p, fa.n) != 0)
            fail_msg("case %zu: first line %zu bytes, first_line_only %zu", i,
                     fa.n, fb.n);
        assert_true(hb_reader_is_gzip(a) == zip && hb_reader_is_gzip(b) == zip);
        hb_reader_close(a);
        hb_reader_close(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_splits_lines),
        cmocka_unit_test(test_reader_keeps_nul_bytes),
        cmocka_unit_test(test_reader_truncates_long_lines),
        cmocka_unit_test(test_reader_line_across_refill_is_whole),
        cmocka_unit_test(test_reader_gzip_by_magic),
        cmocka_unit_test(test_reader_gzip_concatenated_members),
        cmocka_unit_test(test_reader_gzip_trailing_garbage),
        cmocka_unit_test(test_reader_gzip_truncated_keeps_lines),
        cmocka_unit_test(test_reader_gzip_corrupt),
        cmocka_unit_test(test_reader_gzip_bomb_capped),
        cmocka_unit_test(test_reader_pipe_and_gzip_on_stdin),
        cmocka_unit_test(test_reader_hold_partial_and_skip),
        cmocka_unit_test(test_reader_missing_file),
        cmocka_unit_test(test_reader_fifo_without_writer_does_not_hang),
        cmocka_unit_test(test_reader_first_line_only_same_line),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
