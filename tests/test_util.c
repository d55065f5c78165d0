/*
 * test_util.c - the slice helpers: hb_str_find on short texts (searched by
 * first byte) and long ones (memmem) against a naive search, with repeated
 * first bytes, NULs and matches at either end; hb_utf8_valid against a
 * decode of every sequence, with sequences across its 8-byte steps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Valid as decoding one sequence after another says. */
static bool naive_valid(const char *s, size_t n)
{
    size_t i = 0, k;
    unsigned cp;

    while (i < n) {
        if ((k = hb_utf8_decode((const unsigned char *)s + i, n - i, &cp)) == 0)
            return false;
        i += k;
    }
    return true;
}

static void test_util_utf8_valid_cases(void **state)
{
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        {"", true},
        {"abcdefg", true},
        {"abcdefgh", true},
        {"abcdefghijklmnopq", true},
        {"abcdefg\xc3\xa9xyz", true},   /* é across the first 8 bytes */
        {"abcdefgh\xe2\x82\xac", true}, /* € right after them */
        {"abcdefgh\xe2\x82", false},    /* cut at the end */
        {"abcdefghijklmno\xff", false}, /* last byte of the second 8 */
        {"\xc0\xaf"
         "abcdefgh",
         false},                             /* overlong */
        {"abcdefgh\xed\xa0\x80", false},     /* surrogate */
        {"abcdefgh\xf4\x90\x80\x80", false}, /* past U+10FFFF */
        {"\xf0\x9f\x98\x80"
         "abcdefgh",
         true},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(hb_utf8_valid(cases[i].s, strlen(cases[i].s)),
                         cases[i].ok);
    /* the length is what counts: a NUL is ASCII, bytes after n unread */
    assert_true(hb_utf8_valid("abc\0defgh\xff", 9));
    assert_false(hb_utf8_valid("abc\0defgh\xff", 10));
}

/* Random mostly-ASCII strings with a multi-byte or bad byte anywhere. */
static void test_util_utf8_valid_random(void **state)
{
    static const char *const bits[] = {
        "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80", "\xc3",
        "\xe2\x82", "\xfe"};
    char buf[64];
    uint64_t seed = 11;
    int t, valid = 0;

    (void)state;
    for (t = 0; t < 20000; t++) {
        size_t n = 0, want;

        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        want = (size_t)(seed >> 58); /* 0..63 */
        while (n < want) {
            uint64_t r;

            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            r = seed >> 33;
            if (r % 10 == 0) {
                const char *b = bits[(r >> 8) % 7];
                size_t k = strlen(b);

                if (n + k > sizeof buf)
                    break;
                memcpy(buf + n, b, k);
                n += k;
            } else {
                buf[n++] = (char)(32 + (r >> 8) % 95);
            }
        }
        assert_int_equal(hb_utf8_valid(buf, n), naive_valid(buf, n));
        valid += naive_valid(buf, n);
    }
    /* both answers were seen often */
    assert_true(valid > 2000 && valid < 18000);
}

/* The monotonic clock never goes back and counts a sleep. */
static void test_util_mono_ns(void **state)
{
    struct timespec nap = {0, 3000000};
    uint64_t a, b, c;

    (void)state;
    a = hb_mono_ns();
    b = hb_mono_ns();
    assert_true(a > 0 && b >= a);
    nanosleep(&nap, NULL);
    c = hb_mono_ns();
    assert_true(c - b >= 2000000u);
    assert_true(c - b < 10000000000u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_util_str_find_cases),
        cmocka_unit_test(test_util_str_find_random),
        cmocka_unit_test(test_util_utf8_valid_cases),
        cmocka_unit_test(test_util_utf8_valid_random),
        cmocka_unit_test(test_util_mono_ns),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
