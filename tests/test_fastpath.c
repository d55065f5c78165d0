/*
 * test_fastpath.c - the shortcuts of the scan pipeline keep results: the
 * literal sets derived from required groups, and the matcher's gate
 * automaton against a matcher without it, over records that do and do not
 * hold the literals (in either case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fastpath_group_literals),
        cmocka_unit_test(test_fastpath_deep_groups_bounded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
