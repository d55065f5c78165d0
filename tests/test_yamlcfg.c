/*
 * test_yamlcfg.c - the bounded YAML reader: tree shape and marks, scalar
 * helpers, aliases, and hostile documents (depth, billion laughs, size,
 * binary garbage) that must end in an error, never a crash or a hang.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"
#include "yamlcfg.h"

static struct hb_yaml_doc *parse(const char *text, struct hb_errlist *errs,
                                 enum hb_status *rc)
{
    struct hb_yaml_doc *doc = NULL;

    *rc = hb_yaml_load_mem(&doc, "t.yaml", text, strlen(text), NULL, errs);
    return doc;
}

static bool has_error(const struct hb_errlist *e, unsigned long line,
                      unsigned long col, const char *needle)
{
    size_t i;

    for (i = 0; i < e->n; i++)
        if ((line == 0 || e->items[i].line == line) &&
            (col == 0 || e->items[i].col == col) &&
            strstr(e->items[i].msg, needle))
            return true;
    return false;
}

static void test_yamlcfg_tree_and_marks(void **state)
{
    const char *text = "a: 1\n"
                       "b:\n"
                       "  - x\n"
                       "  - 'y z'\n"
                       "c: {d: true}\n";
    struct hb_errlist errs = {0};
    struct hb_yaml_doc *doc;
    const struct hb_yaml_node *root, *b, *c;
    enum hb_status rc;
    long v = 0;
    bool flag = false;

    (void)state;
    doc = parse(text, &errs, &rc);
    assert_int_equal(rc, HB_OK);
    assert_non_null(doc);
    assert_int_equal(doc->nroots, 1);
    root = doc->roots[0];
    assert_int_equal(root->kind, HB_YAML_MAP);
    assert_int_equal(root->n, 3);
    assert_true(hb_yaml_long(hb_yaml_get(root, "a"), &v));
    assert_int_equal(v, 1);
    b = hb_yaml_get(root, "b");
    assert_int_equal(b->kind, HB_YAML_SEQ);
    assert_int_equal(b->n, 2);
    assert_int_equal(b->items[1]->line, 4);
    assert_int_equal(b->items[1]->col, 5);
    assert_int_equal(b->items[1]->style, HB_YAML_QUOTED);
    assert_string_equal(b->items[1]->str, "y z");
    c = hb_yaml_get(root, "c");
    assert_int_equal(c->line, 5);
    assert_int_equal(c->col, 4);
    assert_true(hb_yaml_bool(hb_yaml_get(c, "d"), &flag));
    assert_true(flag);
    assert_null(hb_yaml_get(root, "missing"));
    assert_int_equal(root->weight, 1 + 2 + 2 + 2 + 1 + 2 + 1);
    hb_yaml_free(doc);
    hb_errlist_fini(&errs);
}

static void test_yamlcfg_scalar_helpers(void **state)
{
    static const struct {
        const char *text;
        bool is_null, is_bool, bval, is_long;
        long lval;
        bool is_double;
        double dval;
    } cases[] = {
        {"v: ~", true, false, false, false, 0, false, 0},
        {"v: null", true, false, false, false, 0, false, 0},
        {"v:", true, false, false, false, 0, false, 0},
        {"v: 'null'", false, false, false, false, 0, false, 0},
        {"v: true", false, true, true, false, 0, false, 0},
        {"v: FALSE", false, true, false, false, 0, false, 0},
        {"v: yes", false, false, false, false, 0, false, 0},
        {"v: \"true\"", false, false, false, false, 0, false, 0},
        {"v: 42", false, false, false, true, 42, true, 42},
        {"v: -7", false, false, false, true, -7, true, -7},
        {"v: 0.8", false, false, false, false, 0, true, 0.8},
        {"v: 1e-1", false, false, false, false, 0, true, 0.1},
        {"v: '42'", false, false, false, false, 0, false, 0},
        {"v: 42abc", false, false, false, false, 0, false, 0},
        {"v: .nan", false, false, false, false, 0, false, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        struct hb_errlist errs = {0};
        struct hb_yaml_doc *doc;
        const struct hb_yaml_node *v;
        enum hb_status rc;
        bool b = false;
        long l = 0;
        double d = 0;

        doc = parse(cases[i].text, &errs, &rc);
        assert_int_equal(rc, HB_OK);
        v = hb_yaml_get(doc->roots[0], "v");
        assert_non_null(v);
        if (hb_yaml_is_null(v) != cases[i].is_null)
            fail_msg("case %s: is_null", cases[i].text);
        if (hb_yaml_bool(v, &b) != cases[i].is_bool ||
            (cases[i].is_bool && b != cases[i].bval))
            fail_msg("case %s: bool", cases[i].text);
        if (hb_yaml_long(v, &l) != cases[i].is_long ||
            (cases[i].is_long && l != cases[i].lval))
            fail_msg("case %s: long", cases[i].text);
        if (hb_yaml_double(v, &d) != cases[i].is_double ||
            (cases[i].is_double &&
             (d - cases[i].dval > 1e-12 || cases[i].dval - d > 1e-12)))
            fail_msg("case %s: double", cases[i].text);
        hb_yaml_free(doc);
        hb_errlist_fini(&errs);
    }
}

static void test_yamlcfg_aliases_shared(void **state)
{
    const char *text = "base: &b {x: 1, y: 2}\n"
                       "copy: *b\n";
    struct hb_errlist errs = {0};
    struct hb_yaml_doc *doc;
    enum hb_status rc;

    (void)state;
    doc = parse(text, &errs, &rc);
    assert_int_equal(rc, HB_OK);
    assert_ptr_equal(hb_yaml_get(doc->roots[0], "base"),
                     hb_yaml_get(doc->roots[0], "copy"));
    hb_yaml_free(doc);
    hb_errlist_fini(&errs);
}

static void test_yamlcfg_errors(void **state)
{
    static const struct {
        const char *text;
        enum hb_status rc;
        unsigned long line, col;
        const char *msg;
    } cases[] = {
        {"a: [1, 2\n", HB_EPARSE, 0, 0, "YAML syntax error"},
        {"a: 1\na: 2\n", HB_EPARSE, 2, 1,
         "duplicate key 'a' (first at line 1)"},
        {"? [1]\n: x\n", HB_EPARSE, 1, 3, "mapping keys must be scalars"},
        {"a: *nope\n", HB_EPARSE, 1, 4, "names no anchor"},
        {"a: &x [1, *x]\n", HB_EPARSE, 1, 11, "contains it"},
        {"a: \"\x01\"\n", HB_EPARSE, 1, 5, "control characters"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        struct hb_errlist errs = {0};
        struct hb_yaml_doc *doc;
        enum hb_status rc;

        doc = parse(cases[i].text, &errs, &rc);
        assert_null(doc);
        assert_int_equal(rc, cases[i].rc);
        if (!has_error(&errs, cases[i].line, cases[i].col, cases[i].msg)) {
            hb_errlist_print(&errs, stderr);
            fail_msg("case %zu: no error %lu:%lu %s", i, cases[i].line,
                     cases[i].col, cases[i].msg);
        }
        hb_errlist_fini(&errs);
    }
}

static void test_yamlcfg_multiple_documents(void **state)
{
    struct hb_errlist errs = {0};
    struct hb_yaml_doc *doc;
    enum hb_status rc;

    (void)state;
    doc = parse("a: 1\n---\nb: 2\n---\n", &errs, &rc);
    assert_int_equal(rc, HB_OK);
    assert_int_equal(doc->nroots, 3);
    assert_non_null(hb_yaml_get(doc->roots[1], "b"));
    assert_true(hb_yaml_is_null(doc->roots[2]));
    hb_yaml_free(doc);
    hb_errlist_fini(&errs);
}

static void test_yamlcfg_deep_nesting_refused(void **state)
{
    struct hb_errlist errs = {0};
    struct hb_yaml_doc *doc = NULL;
    struct hb_buf b;
    enum hb_status rc;
    int i;

    (void)state;
    hb_buf_init(&b);
    for (i = 0; i < 100000; i++)
        hb_buf_putc(&b, '[');
    for (i = 0; i < 100000; i++)
        hb_buf_putc(&b, ']');
    rc = hb_yaml_load_mem(&doc, "deep.yaml", b.data, b.len, NULL, &errs);
    assert_int_equal(rc, HB_EPARSE);
    assert_null(doc);
    assert_true(has_error(&errs, 1, 33, "nesting deeper than 32"));
    hb_buf_fini(&b);
    hb_errlist_fini(&errs);
}

static void test_yamlcfg_billion_laughs_refused(void **state)
{
    const char *text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                       "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                       "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
                       "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    struct hb_errlist errs = {0};
    struct hb_yaml_doc *doc;
    enum hb_status rc;

    (void)state;
    doc = parse(text, &errs, &rc);
    assert_null(doc);
    assert_int_equal(rc, HB_EPARSE);
    assert_true(has_error(&errs, 0, 0, "document too large"));
    hb_errlist_fini(&errs);
}

static void test_yamlcfg_size_cap(void **state)
{
    const struct hb_yaml_limits lim = {64, 0, 0};
    struct hb_errlist errs = {0};
    struct hb_yaml_doc *doc = NULL;
    char big[200];
    enum hb_status rc;

    (void)state;
    memset(big, 'a', sizeof big);
    rc = hb_yaml_load_mem(&doc, "big.yaml", big, sizeof big, &lim, &errs);
    assert_int_equal(rc, HB_ELIMIT);
    assert_null(doc);
    assert_true(has_error(&errs, 0, 0, "file too large"));
    hb_errlist_fini(&errs);
}

static void test_yamlcfg_node_cap(void **state)
{
    const struct hb_yaml_limits lim = {0, 0, 50};
    struct hb_errlist errs = {0};
    struct hb_yaml_doc *doc = NULL;
    struct hb_buf b;
    enum hb_status rc;
    int i;

    (void)state;
    hb_buf_init(&b);
    hb_buf_puts(&b, "[");
    for (i = 0; i < 100; i++)
        hb_buf_puts(&b, "1,");
    hb_buf_puts(&b, "1]");
    rc = hb_yaml_load_mem(&doc, "many.yaml", b.data, b.len, &lim, &errs);
    assert_int_equal(rc, HB_EPARSE);
    assert_true(has_error(&errs, 0, 0, "more than 50 nodes"));
    hb_buf_fini(&b);
    hb_errlist_fini(&errs);
}

static void test_yamlcfg_binary_garbage(void **state)
{
    unsigned char junk[4096];
    uint32_t x = 12345;
    size_t i;
    int round;

    (void)state;
    for (round = 0; round < 20; round++) {
        struct hb_errlist errs = {0};
        struct hb_yaml_doc *doc = NULL;

        for (i = 0; i < sizeof junk; i++) {
            x = x * 1103515245u + 12345u;
            junk[i] = (unsigned char)(x >> 16);
        }
        (void)hb_yaml_load_mem(&doc, "junk.yaml", (const char *)junk,
                               sizeof junk, NULL, &errs);
        /* garbage is an error (or, by luck, a document): never a crash */
        if (doc == NULL)
            assert_true(hb_errlist_count(&errs) > 0);
        hb_yaml_free(doc);
        hb_errlist_fini(&errs);
    }
}

static void test_yamlcfg_file_errors(void **state)
{
    struct hb_errlist errs = {0};
    struct hb_yaml_doc *doc = NULL;

    (void)state;
    assert_int_equal(
        hb_yaml_load_file(&doc, "/nonexistent/x.yaml", NULL, &errs), HB_EIO);
    assert_true(has_error(&errs, 0, 0, "No such file"));
    assert_int_equal(hb_yaml_load_file(&doc, "/", NULL, &errs), HB_EIO);
    assert_true(has_error(&errs, 0, 0, "not a regular file"));
    hb_errlist_fini(&errs);
}

static void test_yamlcfg_errlist_cap(void **state)
{
    struct hb_errlist errs = {0};
    int i;

    (void)state;
    for (i = 0; i < HB_ERRLIST_MAX + 5; i++)
        hb_errlist_add(&errs, "f", 1, 1, "e%d", i);
    assert_int_equal(errs.n, HB_ERRLIST_MAX);
    assert_int_equal(errs.dropped, 5);
    assert_int_equal(hb_errlist_count(&errs), HB_ERRLIST_MAX + 5);
    hb_errlist_fini(&errs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yamlcfg_tree_and_marks),
        cmocka_unit_test(test_yamlcfg_scalar_helpers),
        cmocka_unit_test(test_yamlcfg_aliases_shared),
        cmocka_unit_test(test_yamlcfg_errors),
        cmocka_unit_test(test_yamlcfg_multiple_documents),
        cmocka_unit_test(test_yamlcfg_deep_nesting_refused),
        cmocka_unit_test(test_yamlcfg_billion_laughs_refused),
        cmocka_unit_test(test_yamlcfg_size_cap),
        cmocka_unit_test(test_yamlcfg_node_cap),
        cmocka_unit_test(test_yamlcfg_binary_garbage),
        cmocka_unit_test(test_yamlcfg_file_errors),
        cmocka_unit_test(test_yamlcfg_errlist_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
