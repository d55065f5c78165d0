/*
 * test_rowfmt.c - result rows as table, CSV, JSON and NDJSON: escaping,
 * quoting, alignment and fitting a table to a width.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rowfmt.h"
#include "util.h"

#define T(s)                                                                   \
    {                                                                          \
        HB_VAL_TEXT, (s), sizeof(s) - 1                                        \
    }
#define I(s)                                                                   \
    {                                                                          \
        HB_VAL_INT, (s), sizeof(s) - 1                                         \
    }
#define R(s)                                                                   \
    {                                                                          \
        HB_VAL_REAL, (s), sizeof(s) - 1                                        \
    }
#define N                                                                      \
    {                                                                          \
        HB_VAL_NULL, NULL, 0                                                   \
    }

/* Writes rows (ncols values each, nrows rows) in fmt; returns the output. */
static char *render(enum hb_rowfmt fmt, int width, int ncols,
                    const char *const *names, const struct hb_val *vals,
                    int nrows)
{
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    struct hb_rowout *w;
    struct hb_row_sink sink;
    int r;

    assert_non_null(fp);
    w = hb_rowout_new(fp, fmt, width);
    sink = hb_rowout_sink(w);
    sink.columns(sink.ctx, ncols, names);
    for (r = 0; r < nrows; r++)
        sink.row(sink.ctx, ncols, vals + r * ncols);
    hb_rowout_finish(w);
    assert_int_equal(hb_rowout_rows(w), nrows);
    hb_rowout_free(w);
    fclose(fp);
    return out;
}

static void test_rowfmt_cell_escapes(void **state)
{
    static const struct {
        const char *in;
        const char *want;
        size_t width;
    } cases[] = {
        {"plain", "plain", 5},
        {"a\nb", "a\\nb", 4},
        {"t\tr\r", "t\\tr\\r", 6},
        {"\x01\x7f", "\\x01\\x7f", 8},
        {"\xe4\xb8\xad\xe6\x96\x87", "\xe4\xb8\xad\xe6\x96\x87", 4}, /* wide */
        {"caf\xc3\xa9", "caf\xc3\xa9", 4},
        {"bad\xff", "bad\\xff", 7},
        {"\xc2\x85", "\\xc2\\x85", 8}, /* C1 control */
        {"", "", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        struct hb_buf b;
        size_t w;

        hb_buf_init(&b);
        hb_buf_puts(&b, "");
        w = hb_rowfmt_cell(&b, cases[i].in, strlen(cases[i].in));
        assert_string_equal(b.data, cases[i].want);
        assert_int_equal(w, cases[i].width);
        hb_buf_fini(&b);
    }
}

static void test_rowfmt_names(void **state)
{
    (void)state;
    assert_int_equal(hb_rowfmt_from_name("table"), HB_ROWFMT_TABLE);
    assert_int_equal(hb_rowfmt_from_name("csv"), HB_ROWFMT_CSV);
    assert_int_equal(hb_rowfmt_from_name("json"), HB_ROWFMT_JSON);
    assert_int_equal(hb_rowfmt_from_name("ndjson"), HB_ROWFMT_NDJSON);
    assert_int_equal(hb_rowfmt_from_name("yaml"), -1);
}

static const char *const names3[] = {"id", "cause", "msg"};

static void test_rowfmt_csv_rfc4180(void **state)
{
    const struct hb_val rows[] = {
        I("1"),          T("port"), T("a,b"),     I("2"),          N,
        T("say \"hi\""), I("3"),    T(" padded"), T("two\nlines"),
    };
    char *out;

    (void)state;
    out = render(HB_ROWFMT_CSV, 0, 3, names3, rows, 3);
    assert_string_equal(out, "id,cause,msg\r\n"
                             "1,port,\"a,b\"\r\n"
                             "2,,\"say \"\"hi\"\"\"\r\n"
                             "3,\" padded\",\"two\nlines\"\r\n");
    free(out);
}

static void test_rowfmt_json(void **state)
{
    const struct hb_val rows[] = {
        I("1"), R("0.5"), T("q\"\n"), I("2"), R("Inf"), N,
    };
    char *out;

    (void)state;
    out = render(HB_ROWFMT_JSON, 0, 3, names3, rows, 2);
    assert_string_equal(out, "[\n"
                             "{\"id\":1,\"cause\":0.5,\"msg\":\"q\\\"\\n\"},\n"
                             "{\"id\":2,\"cause\":null,\"msg\":null}\n"
                             "]\n");
    free(out);
    out = render(HB_ROWFMT_JSON, 0, 3, names3, rows, 0);
    assert_string_equal(out, "[]\n");
    free(out);
    out = render(HB_ROWFMT_NDJSON, 0, 3, names3, rows, 2);
    assert_string_equal(out, "{\"id\":1,\"cause\":0.5,\"msg\":\"q\\\"\\n\"}\n"
                             "{\"id\":2,\"cause\":null,\"msg\":null}\n");
    free(out);
}

static void test_rowfmt_table(void **state)
{
    const struct hb_val rows[] = {
        I("7"), T("port"), T("heartbeat failed\ttwice"), I("123"), N, T("ok"),
    };
    char *out;

    (void)state;
    /* unlimited: numbers right-aligned, escapes shown, no trailing blanks */
    out = render(HB_ROWFMT_TABLE, 0, 3, names3, rows, 2);
    assert_string_equal(out, " id  cause  msg\n"
                             "---  -----  -----------------------\n"
                             "  7  port   heartbeat failed\\ttwice\n"
                             "123         ok\n");
    free(out);
    /* 24 columns: the widest column is cut with an ellipsis */
    out = render(HB_ROWFMT_TABLE, 24, 3, names3, rows, 2);
    assert_string_equal(out, " id  cause  msg\n"
                             "---  -----  ------------\n"
                             "  7  port   heartbeat f\xe2\x80\xa6\n"
                             "123         ok\n");
    free(out);
    /* headers only for an empty result */
    out = render(HB_ROWFMT_TABLE, 0, 3, names3, rows, 0);
    assert_string_equal(out, "id  cause  msg\n--  -----  ---\n");
    free(out);
}

static void test_rowfmt_table_last_column_gives_way(void **state)
{
    static const char *const two[] = {"name", "text"};
    const struct hb_val rows[] = {
        T("a-rather-long-name-1"),
        T("some free text here"),
    };
    char *out;

    (void)state;
    /* 20 + 2 + 19 = 41 > 30: only the last column is cut */
    out = render(HB_ROWFMT_TABLE, 30, 2, two, rows, 1);
    assert_string_equal(out, "name                  text\n"
                             "--------------------  --------\n"
                             "a-rather-long-name-1  some fr\xe2\x80\xa6\n");
    free(out);
    /* then the widest shrink, down to 6 columns each at most */
    out = render(HB_ROWFMT_TABLE, 14, 2, two, rows, 1);
    assert_string_equal(out, "name    text\n"
                             "------  ------\n"
                             "a-rat\xe2\x80\xa6  some \xe2\x80\xa6\n");
    free(out);
}

static void test_rowfmt_table_streams_after_sizing(void **state)
{
    enum { N_ROWS = HB_ROWFMT_SIZE_ROWS + 5 };
    static const char *const one[] = {"v"};
    struct hb_val *rows = calloc(N_ROWS, sizeof *rows);
    char *out, *last;
    int i;

    (void)state;
    for (i = 0; i < N_ROWS; i++)
        rows[i] = (struct hb_val){HB_VAL_TEXT, "ab", 2};
    rows[N_ROWS - 1] = (struct hb_val){HB_VAL_TEXT, "a much longer value", 19};
    out = render(HB_ROWFMT_TABLE, 10, 1, one, rows, N_ROWS);
    /* widths come from the first rows; a later wider cell is cut */
    last = strrchr(out, '\n');
    *last = '\0';
    last = strrchr(out, '\n') + 1;
    assert_string_equal(last, "a\xe2\x80\xa6");
    free(out);
    free(rows);
}

static void test_rowfmt_term_width_env(void **state)
{
    (void)state;
    setenv("COLUMNS", "97", 1);
    assert_int_equal(hb_term_width(-1), 97);
    setenv("COLUMNS", "junk", 1);
    assert_int_equal(hb_term_width(-1), 0);
    unsetenv("COLUMNS");
    assert_int_equal(hb_term_width(-1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rowfmt_cell_escapes),
        cmocka_unit_test(test_rowfmt_names),
        cmocka_unit_test(test_rowfmt_csv_rfc4180),
        cmocka_unit_test(test_rowfmt_json),
        cmocka_unit_test(test_rowfmt_table),
        cmocka_unit_test(test_rowfmt_table_last_column_gives_way),
        cmocka_unit_test(test_rowfmt_table_streams_after_sizing),
        cmocka_unit_test(test_rowfmt_term_width_env),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
