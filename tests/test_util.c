/*
 * test_util.c - the slice helpers: hb_str_find on short texts (searched by
 * first byte) and long ones (memmem) against a naive search, with repeated
 * first bytes, NULs and matches at either end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

/* The first start of lit in s, by comparing at every start. */
static const char *naive(struct hb_str s, const char *lit)
{
    size_t n = strlen(lit), i;

    if (s.p == NULL || n > s.n)
        return NULL;
    for (i = 0; i + n <= s.n; i++)
        if (memcmp(s.p + i, lit, n) == 0)
            return s.p + i;
    return NULL;
}

static void test_util_str_find_cases(void **state)
{
    static const struct {
        const char *text, *lit;
        long at; /* -1: absent */
    } cases[] = {
        {"heartbeat failed", "failed", 10},
        {"fail count, default, failed", "failed", 21},
        {"fail count, default", "failed", -1},
        {"failed", "failed", 0},
        {"faile", "failed", -1},
        {"ffffailed", "failed", 3},
        {"aaaaaaaaab", "aab", 7},
        {"x", "x", 0},
        {"", "x", -1},
        {"abc", "", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        struct hb_str s = {cases[i].text, strlen(cases[i].text)};
        const char *got = hb_str_find(s, cases[i].lit);
        long at = got ? (long)(got - s.p) : -1;

        if (at != cases[i].at)
            fail_msg("'%s' in '%s': %ld, want %ld", cases[i].lit, cases[i].text,
                     at, cases[i].at);
    }
    assert_null(hb_str_find((struct hb_str){NULL, 0}, "x"));
    {
        /* a NUL in the text is a byte like any other */
        static const char t[] = "a\0failed";

        assert_ptr_equal(hb_str_find((struct hb_str){t, 8}, "failed"), t + 2);
    }
}

/* Random texts over a small alphabet, below and above the length at which
   the search changes method, against the naive search. */
static void test_util_str_find_random(void **state)
{
    static const char *const lits[] = {"ab", "aab",   "abba",
                                       "b",  "baaab", "failed"};
    static char text[3000];
    unsigned seed = 12345;
    size_t round, k;

    (void)state;
    for (round = 0; round < 400; round++) {
        size_t n = round < 200 ? round * 7 % 1100 : 900 + round * 13 % 2100;
        size_t i;

        for (i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            text[i] = "abf\0"[(seed >> 16) % 4];
        }
        for (k = 0; k < HB_ARRAY_LEN(lits); k++) {
            struct hb_str s = {text, n};
            const char *want = naive(s, lits[k]),
                       *got = hb_str_find(s, lits[k]);

            if (got != want)
                fail_msg("round %zu, %zu bytes, '%s': %ld, want %ld", round, n,
                         lits[k], got ? (long)(got - text) : -1,
                         want ? (long)(want - text) : -1);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_util_str_find_cases),
        cmocka_unit_test(test_util_str_find_random),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
