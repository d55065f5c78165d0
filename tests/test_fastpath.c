/*
 * test_fastpath.c - the shortcuts of the scan pipeline keep results: the
 * literal sets derived from required groups, and a matcher whose literals
 * do not fit one automaton against one without the gate, over records that
 * do and do not hold the literals (in either case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <cmocka.h>

#include "prefilter.h"
#include "rules.h"
#include "rules_int.h"
#include "util.h"

static void test_fastpath_group_literals(void **state)
{
    /* want: the literals joined by '|', caseless ones suffixed "/i";
       NULL = none (min length 3) */
    static const struct {
        const char *pattern;
        const char *want;
    } cases[] = {
        {"(?:NoSuchMethodError|VerifyError):x",
         "NoSuchMethodError|VerifyError"},
        {"(?:abcd|efgh)?ij", NULL},
        {"(?:abcd|efgh)*ij", NULL},
        {"(?:abcd|efgh){0,2}ij", NULL},
        {"(?:abcd|efgh){1,2}ij", "abcd|efgh"},
        {"(?:abcd|efgh)+", "abcd|efgh"},
        {"(?<name>abcd|efgh)x", "abcd|efgh"},
        {"(?P<name>abcd|efgh)x", "abcd|efgh"},
        {"(?'name'abcd|efgh)x", "abcd|efgh"},
        {"(abcd|efgh)x", "abcd|efgh"},
        {"(?>abcd|efgh)x", "abcd|efgh"},
        {"(?=abcd)x", NULL},
        {"(?!abcd)xyz", "xyz"},
        {"(?<=abcd)xyz", "xyz"},
        {"(?<!abcd)xyz", "xyz"},
        {"(?:abcd|ef)x", NULL},
        {"(?:abcd|efg)longer", "longer"},
        {"(?i)(?:Abcd|efgh)", "abcd/i|efgh/i"},
        {"(?:a(?:bcde|fghi)|jklm)", "bcde|fghi|jklm"},
        {"(?:x[)]yzw|uvwx)", "yzw|uvwx"},
        {"x|(?:abc|def)", NULL},
        {"wxyz|(?:abc|def)", "wxyz|abc|def"},
    };
    struct hb_litset set;
    char got[1024];
    size_t i, k;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        bool ok = hb_regex_literals(cases[i].pattern, 3, &set);

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
}

static void test_fastpath_deep_groups_bounded(void **state)
{
    char pat[4096];
    struct hb_litset set;
    size_t i, n = 0;

    (void)state;
    for (i = 0; i < 1000; i++)
        pat[n++] = '(';
    memcpy(pat + n, "abcd", 4);
    n += 4;
    for (i = 0; i < 1000; i++)
        pat[n++] = ')';
    pat[n] = '\0';
    /* nested past the look-in limit: no literal, no crash */
    assert_false(hb_regex_literals(pat, 3, &set));
    assert_true(hb_regex_literals("((abcd))", 3, &set));
    assert_string_equal(set.lit[0], "abcd");
}

/* More distinct literals than one automaton takes (HB_PF_MAX_LITS): the
   matcher goes without it, and every rule keyed by literals is tried. */
static void test_fastpath_matcher_without_automaton(void **state)
{
    static const char *const texts[] = {
        "word0010 here", "WORD0011 there", "Word0013", "nothing", "",
    };
    enum { NRULES = HB_PF_MAX_LITS + 100 };
    char path[] = "/tmp/hbscan-test-fastpath-XXXXXX";
    struct hb_errlist errs = {0};
    struct hb_ruleset *rs = NULL;
    struct hb_matcher *on, *off;
    struct hb_hit h1[HB_MAX_HITS], h2[HB_MAX_HITS];
    struct hb_buf b;
    size_t i;
    int fd, k, n1, n2;

    (void)state;
    hb_buf_init(&b);
    hb_buf_puts(&b, "rules:\n");
    for (i = 0; i < NRULES; i++) {
        hb_buf_printf(&b,
                      "  - id: r%zu\n"
                      "    title: t\n"
                      "    cause: network\n"
                      "    severity: error\n"
                      "    weight: 0.5\n",
                      i);
        if (i % 2)
            hb_buf_printf(&b,
                          "    match: {any: [{sdk_code: [1013]}, "
                          "{text: '(?i)word%04zu'}]}\n",
                          i);
        else
            hb_buf_printf(&b, "    match: {text: 'word%04zu'}\n", i);
        hb_buf_puts(&b, "    description: d\n"
                        "    action: a\n"
                        "    samples: [{log: x, match: true}, "
                        "{log: y, match: false}]\n");
    }
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
    close(fd);
    if (hb_rules_load_file(&rs, path, &errs) != HB_OK) {
        hb_errlist_print(&errs, stderr);
        fail_msg("rules did not load");
    }
    unlink(path);
    hb_buf_fini(&b);
    on = hb_matcher_new(rs);
    off = hb_matcher_new(rs);
    hb_matcher_set_gate(off, false);
    for (i = 0; i < HB_ARRAY_LEN(texts); i++) {
        struct hb_record rec;
        struct hb_polaris pol;

        memset(&rec, 0, sizeof rec);
        memset(&pol, 0, sizeof pol);
        rec.source = "stdin";
        rec.text = rec.head = (struct hb_str){texts[i], strlen(texts[i])};
        rec.format = "plain";
        rec.hdr.pid = -1;
        pol.fail_count = -1;
        pol.sdk_code = i == 3 ? 1013 : 0;
        n1 = hb_matcher_run(on, &rec, &pol, NULL, h1, HB_MAX_HITS);
        n2 = hb_matcher_run(off, &rec, &pol, NULL, h2, HB_MAX_HITS);
        if (n1 != n2)
            fail_msg("'%s': %d hits gated, %d without", texts[i], n1, n2);
        for (k = 0; k < n1; k++)
            assert_ptr_equal(h1[k].rule, h2[k].rule);
    }
    /* word0010; WORD0011 and Word0013 in any case; sdk_code 1013 */
    assert_int_equal(hb_matcher_stats(on, 10)->hits, 1);
    assert_int_equal(hb_matcher_stats(on, 11)->hits, 2);
    assert_int_equal(hb_matcher_stats(on, 13)->hits, 2);
    assert_int_equal(hb_matcher_stats(on, 12)->hits, 0);
    hb_matcher_free(on);
    hb_matcher_free(off);
    hb_rules_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fastpath_group_literals),
        cmocka_unit_test(test_fastpath_deep_groups_bounded),
        cmocka_unit_test(test_fastpath_matcher_without_automaton),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
