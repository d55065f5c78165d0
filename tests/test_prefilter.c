/*
 * test_prefilter.c - the multi-literal automaton: overlapping literals,
 * literals inside literals, duplicates, empty and binary texts, limits, and
 * a randomised comparison against memmem over a small alphabet (where
 * overlaps are frequent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prefilter.h"

/* What memmem says: the first start of each literal, or -1. */
static void naive(const char *const *lits, size_t n, const char *p, size_t len,
                  long *want)
{
    size_t i;

    for (i = 0; i < n; i++) {
        size_t m = strlen(lits[i]);
        const char *q = m ? memmem(p, len, lits[i], m) : NULL;

        want[i] = q ? (long)(q - p) : -1;
    }
}

static void expect_same(const struct hb_pf *pf, const char *const *lits,
                        size_t n, const char *p, size_t len)
{
    struct hb_pf_hits h;
    long want[64];
    size_t i, found = 0;

    assert_true(n <= 64);
    naive(lits, n, p, len, want);
    hb_pf_scan(pf, p, len, &h);
    for (i = 0; i < n; i++) {
        if (want[i] < 0) {
            assert_false(hb_pf_has(&h, i));
            continue;
        }
        found++;
        assert_true(hb_pf_has(&h, i));
        assert_int_equal(h.first[i], (size_t)want[i]);
    }
    assert_int_equal(h.nfound, found);
}

/* ASCII folding of letters only, as the automaton folds: '@' and '`',
   '[' and '{' differ by the letters' case bit but are not letters. */
static char fold_ascii(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* A folding scan of text gives, for each literal, what memmem gives for
   the lower-cased literal in low (the text lower-cased). */
static void expect_folded(const struct hb_pf *ci, const char *const *lits,
                          size_t n, const char *text, const char *low,
                          size_t len)
{
    struct hb_pf_hits h;
    size_t i, k;

    hb_pf_scan(ci, text, len, &h);
    for (i = 0; i < n; i++) {
        char l[64];
        size_t m = strlen(lits[i]);
        const char *q;

        assert_true(m < sizeof l);
        for (k = 0; k <= m; k++)
            l[k] = fold_ascii(lits[i][k]);
        q = len ? memmem(low, len, l, m) : NULL;
        assert_int_equal(hb_pf_has(&h, i), q != NULL);
        if (q)
            assert_int_equal(h.first[i], (size_t)(q - low));
    }
}

static void test_prefilter_table(void **state)
{
    static const char *const lits[] = {
        "he",     "she", "his",           "hers",  "ERR-", "Polaris-",
        "olaris", "s",   "server error ", "error", "she",  "",
    };
    static const struct {
        const char *name, *text;
    } cases[] = {
        {"empty", ""},
        {"classic", "ushers"},
        {"nested", "server error 400401"},
        {"suffix", "com.tencent.polaris.Polaris-1006(x)"},
        {"no hit", "2025-06-26 04:49:52.002  INFO 31797 --- [main] x : y"},
        {"at end", "xxERR-"},
        {"repeat", "hehehehe"},
        {"overlap", "hishers"},
    };
    struct hb_pf *pf = hb_pf_new(lits, sizeof lits / sizeof lits[0]);
    size_t i;

    (void)state;
    assert_non_null(pf);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("case %s\n", cases[i].name);
        expect_same(pf, lits, sizeof lits / sizeof lits[0], cases[i].text,
                    strlen(cases[i].text));
    }
    hb_pf_free(pf);
}

static void test_prefilter_binary_text(void **state)
{
    static const char *const lits[] = {"a\x01", "\xff\xfe", "b"};
    static const char text[] = "x\0a\x01\xff\xfe\0b";
    struct hb_pf *pf = hb_pf_new(lits, 3);

    (void)state;
    expect_same(pf, lits, 3, text, sizeof text - 1);
    hb_pf_free(pf);
}

static void test_prefilter_random(void **state)
{
    static const char *const lits[] = {"ab", "aab", "ba",  "abab", "bbb",
                                       "c",  "abc", "cab", "aaaa", "bca"};
    struct hb_pf *pf = hb_pf_new(lits, 10);
    char text[64];
    unsigned seed = 12345;
    int round;

    (void)state;
    for (round = 0; round < 2000; round++) {
        size_t len = (size_t)(round % 40), i;

        for (i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            text[i] = "abcd"[(seed >> 16) % 4];
        }
        expect_same(pf, lits, 10, text, len);
    }
    hb_pf_free(pf);
}

/* Literals of three bytes or more take the trigram path. */
static void test_prefilter_random_long(void **state)
{
    static const char *const lits[] = {"aab",  "abab", "bbb",    "abc", "cab",
                                       "aaaa", "bca",  "abcabc", "ccc", "bab"};
    struct hb_pf *pf = hb_pf_new(lits, 10);
    char text[80];
    unsigned seed = 777;
    int round;

    (void)state;
    for (round = 0; round < 3000; round++) {
        size_t len = (size_t)(round % 70), i;

        for (i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            text[i] = "abcd"[(seed >> 16) % 4];
        }
        expect_same(pf, lits, 10, text, len);
    }
    hb_pf_free(pf);
}

/* All of four bytes or more: the 4-byte gram filter, case folded too. */
static void test_prefilter_random_gram4(void **state)
{
    static const char *const lits[] = {"aabA", "abab", "bbbb", "abcab",
                                       "caBd", "aaaa", "bcab", "dddd"};
    struct hb_pf *pf = hb_pf_new(lits, 8);
    struct hb_pf *ci = hb_pf_new_nocase(lits, 8);
    char text[80], low[80];
    unsigned seed = 99;
    int round;

    (void)state;
    for (round = 0; round < 3000; round++) {
        size_t len = (size_t)(round % 70), i;

        for (i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            text[i] = "abcdABD"[(seed >> 16) % 7];
            low[i] = (char)(text[i] | 0x20);
        }
        expect_same(pf, lits, 8, text, len);
        /* folded: the same as the exact scan of the lower-cased text
           for the lower-cased literals */
        expect_folded(ci, lits, 8, text, low, len);
    }
    hb_pf_free(pf);
    hb_pf_free(ci);
}

/* Longer literals: the gram filter looks at one start in 2, 3 or 4. Each
   literal set is random, texts are random over a few letters of both cases
   (overlaps everywhere), every length to 130 bytes, exact and folded. */
static void test_prefilter_random_strides(void **state)
{
    static const size_t minlens[] = {4, 5, 6, 7, 8, 9, 12};
    unsigned seed = 4242;
    size_t t;

    (void)state;
    for (t = 0; t < sizeof minlens / sizeof minlens[0]; t++) {
        char store[12][24], text[140], low[140];
        const char *lits[12];
        struct hb_pf *pf, *ci;
        size_t i, k, round;

        for (i = 0; i < 12; i++) {
            size_t m = minlens[t] + (i % 5);

            for (k = 0; k < m; k++) {
                seed = seed * 1103515245u + 12345u;
                store[i][k] = "abcAB"[(seed >> 16) % 5];
            }
            store[i][m] = '\0';
            lits[i] = store[i];
        }
        pf = hb_pf_new(lits, 12);
        ci = hb_pf_new_nocase(lits, 12);
        assert_non_null(pf);
        assert_non_null(ci);
        for (round = 0; round < 1500; round++) {
            size_t len = round % 131;

            for (i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                text[i] = "abcABc"[(seed >> 16) % 6];
                low[i] = (char)(text[i] | 0x20);
            }
            /* a literal planted at a random place, so hits are common */
            if (len > 30) {
                const char *l = lits[round % 12];

                seed = seed * 1103515245u + 12345u;
                memcpy(text + (seed >> 16) % (len - strlen(l)), l, strlen(l));
                for (i = 0; i < len; i++)
                    low[i] = (char)(text[i] | 0x20);
            }
            expect_same(pf, lits, 12, text, len);
            expect_folded(ci, lits, 12, text, low, len);
        }
        hb_pf_free(pf);
        hb_pf_free(ci);
    }
}

/* A mixed set: some literals in any case, the others exact, in one
   automaton; every literal length from 1 (the DFA) and from 4 (the gram
   filter) up. Exact literals must not be reported for a case variant. */
static void test_prefilter_random_mixed(void **state)
{
    static const size_t minlens[] = {1, 4, 6};
    unsigned seed = 31337;
    size_t t;

    (void)state;
    for (t = 0; t < sizeof minlens / sizeof minlens[0]; t++) {
        char store[10][16], text[120], low[120];
        const char *lits[10];
        bool nocase[10];
        struct hb_pf *pf;
        size_t i, k, round;

        for (i = 0; i < 10; i++) {
            size_t m = minlens[t] + (i % 4);

            for (k = 0; k < m; k++) {
                seed = seed * 1103515245u + 12345u;
                store[i][k] = "abAB"[(seed >> 16) % 4];
            }
            store[i][m] = '\0';
            lits[i] = store[i];
            nocase[i] = i % 2 == 0;
        }
        pf = hb_pf_new_mixed(lits, nocase, 10);
        assert_non_null(pf);
        for (round = 0; round < 2000; round++) {
            size_t len = round % 117;
            struct hb_pf_hits h;

            for (i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                text[i] = "abABc"[(seed >> 16) % 5];
                low[i] = (char)(text[i] | 0x20);
            }
            hb_pf_scan(pf, text, len, &h);
            for (i = 0; i < 10; i++) {
                char l[16];
                size_t m = strlen(lits[i]);
                const char *q;

                for (k = 0; k <= m; k++)
                    l[k] = lits[i][k] ? (char)(lits[i][k] | 0x20) : '\0';
                q = len == 0    ? NULL
                    : nocase[i] ? memmem(low, len, l, m)
                                : memmem(text, len, lits[i], m);
                assert_int_equal(hb_pf_has(&h, i), q != NULL);
                if (q)
                    assert_int_equal(h.first[i],
                                     (size_t)(q - (nocase[i] ? low : text)));
            }
        }
        hb_pf_free(pf);
    }
}

/* Tuned automata (anchors picked from a sample, so walks start out of
   text order) still report every literal and its first start; over a
   two-letter alphabet literals overlap themselves often. */
static void test_prefilter_tuned(void **state)
{
    unsigned seed = 4242;
    size_t t, tuned = 0;

    (void)state;
    for (t = 0; t < 60; t++) {
        char store[12][16], text[200], low[200], sample[300];
        const char *lits[12];
        bool nocase[12];
        struct hb_pf *pf;
        size_t i, k, round, n = 2 + t % 10;
        const char *alpha = t % 3 == 0 ? "abAB" : "ab";

        for (i = 0; i < n; i++) {
            size_t m = 4 + (i * 7 + t) % 9;

            for (k = 0; k < m; k++) {
                seed = seed * 1103515245u + 12345u;
                store[i][k] = alpha[(seed >> 16) % strlen(alpha)];
            }
            store[i][m] = '\0';
            lits[i] = store[i];
            nocase[i] = t % 3 == 0 && i % 2 == 0;
        }
        pf = hb_pf_new_mixed(lits, nocase, n);
        assert_non_null(pf);
        for (i = 0; i < sizeof sample; i++) {
            seed = seed * 1103515245u + 12345u;
            sample[i] = "abABc"[(seed >> 16) % (t % 2 ? 2 : 5)];
        }
        tuned += hb_pf_tune(pf, sample, sizeof sample);
        for (round = 0; round < 300; round++) {
            size_t len = round % 197;
            struct hb_pf_hits h;

            for (i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                text[i] = alpha[(seed >> 16) % strlen(alpha)];
                low[i] = (char)(text[i] | 0x20);
            }
            hb_pf_scan(pf, text, len, &h);
            for (i = 0; i < n; i++) {
                char l[16];
                size_t m = strlen(lits[i]);
                const char *q;

                for (k = 0; k <= m; k++)
                    l[k] = lits[i][k] ? (char)(lits[i][k] | 0x20) : '\0';
                q = len == 0    ? NULL
                    : nocase[i] ? memmem(low, len, l, m)
                                : memmem(text, len, lits[i], m);
                assert_int_equal(hb_pf_has(&h, i), q != NULL);
                if (q)
                    assert_int_equal(h.first[i],
                                     (size_t)(q - (nocase[i] ? low : text)));
            }
        }
        hb_pf_free(pf);
    }
    assert_true(tuned > 10); /* the anchors did move */
}

/* Tuning moves a literal's gram off the sample's common ones; automata
   with a stride keep theirs. */
static void test_prefilter_tune_picks_rare(void **state)
{
    const char *lits[] = {"service:", "port:", "code"};
    const char *longs[] = {"service_unavailable", "connection refused"};
    const char sample[] = "service service port report service support "
                          "service port service";
    const char text[] = "the service is up, port:8091 service:gw";
    struct hb_pf *pf = hb_pf_new(lits, 3), *strided = hb_pf_new(longs, 2);
    struct hb_pf_hits h;

    (void)state;
    assert_non_null(pf);
    assert_non_null(strided);
    assert_true(hb_pf_tune(pf, sample, sizeof sample - 1));
    assert_false(hb_pf_tune(pf, sample, sizeof sample - 1)); /* stable */
    assert_false(hb_pf_tune(strided, sample, sizeof sample - 1));
    assert_false(hb_pf_tune(pf, "", 0));
    assert_int_equal(hb_pf_scan(pf, text, sizeof text - 1, &h), 2);
    assert_int_equal(h.first[0], 29);
    assert_int_equal(h.first[1], 19);
    hb_pf_free(pf);
    hb_pf_free(strided);
}

/* Many anchors far into their literals: 300 grams, each the rarest part
   of two literals at two different offsets up to 63 (more different
   offset sets than a byte could number, which an earlier filter needed);
   every literal is still found, and nothing else. */
static void test_prefilter_tune_many_masks(void **state)
{
    static const char punct[] = "!#$%&()*+,-./:;<=>?@[]^_{|}~";
    enum { NG = 300, NL = 2 * NG };
    char *store = calloc(NL, 80), *text = malloc(4096), *sample = malloc(8192);
    const char *lits[NL + 1];
    struct hb_pf *pf;
    size_t j, i, k, np = sizeof punct - 1;

    (void)state;
    assert_non_null(store);
    for (j = 0; j < NG; j++) {
        size_t a = j % 64, b = (a + 1 + j / 64) % 64;
        char g[5] = {'"', punct[j % np], punct[j / np], '"', '\0'};

        for (k = 0; k < 2; k++) {
            char *l = store + (2 * j + k) * 80;

            memset(l, 'z', k ? b : a);
            memcpy(l + (k ? b : a), g, 4);
            memcpy(l + (k ? b : a) + 4, "zzz", 4);
            lits[2 * j + k] = l;
        }
    }
    lits[NL] = "yyyx"; /* a 4-byte literal: every start is looked at */
    memset(sample, 'z', 8192);
    pf = hb_pf_new(lits, NL + 1);
    assert_non_null(pf);
    assert_true(hb_pf_tune(pf, sample, 8192));
    for (i = 0; i < NL; i += 37) {
        /* one literal in text of 'y': found, at its place */
        struct hb_pf_hits h;
        size_t m = strlen(lits[i]);

        memset(text, 'y', 4096);
        memcpy(text + 100 + i, lits[i], m);
        hb_pf_scan(pf, text, 4096, &h);
        assert_true(hb_pf_has(&h, i));
        assert_int_equal(h.first[i], 100 + i);
        for (k = 0; k <= NL; k++) {
            const char *q = memmem(text, 4096, lits[k], strlen(lits[k]));

            assert_int_equal(hb_pf_has(&h, k), q != NULL);
            if (q)
                assert_int_equal(h.first[k], (size_t)(q - text));
        }
    }
    hb_pf_free(pf);
    free(store);
    free(text);
    free(sample);
}

/* Every start looked at, several literals anchored at one gram: tuned so
   that "abcd", absent from the sample, is each one's anchor, at offsets 0,
   1, 2 and 8. A literal whose anchor would lie before the text's start or
   whose end would pass the text's end is not there; folding compares
   letters only. Checked against memmem on texts folded the same way. */
static void test_prefilter_shared_anchor(void **state)
{
    static const char *const lits[] = {"xxabcdyy",     "abcd",         "zabcd",
                                       "qqqqqqqqabcd", "[api-server]", "a@bc"};
    enum { NLIT = sizeof lits / sizeof lits[0] };
    static const char sample[] = "xxab xabc bcdy cdyy zabc qqqq qqqa qqab "
                                 "qabc [api api- pi-s i-se -ser serv erve "
                                 "rver ver] a@bc";
    static const char *const texts[] = {
        "abcdyy",       "xabcdyy",      "xxabcdyy", "qqqqqqqabcd",
        "qqqqqqqqABCD", "XXABCDY",      "zabc",     "ZaBcD",
        "{API-SERVER}", "[Api-Server]", "A`BC",     "A@BC {api-server] abcd",
    };
    struct hb_pf *pf = hb_pf_new_nocase(lits, NLIT);
    unsigned seed = 5;
    size_t t, i;

    (void)state;
    assert_non_null(pf);
    assert_true(hb_pf_tune(pf, sample, sizeof sample - 1));
    for (t = 0; t < 2000 + sizeof texts / sizeof texts[0]; t++) {
        char text[64], low[64];
        size_t len;

        if (t < sizeof texts / sizeof texts[0]) {
            len = strlen(texts[t]);
            memcpy(text, texts[t], len);
        } else {
            len = t % 40;
            for (i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                text[i] = "abcdABCDxyzq@`"[(seed >> 16) % 14];
            }
        }
        for (i = 0; i < len; i++)
            low[i] = fold_ascii(text[i]);
        expect_folded(pf, lits, NLIT, text, low, len);
    }
    hb_pf_free(pf);
}

/* A literal of thousands of bytes (one long trie edge; fuzz finding: edges
   were spelled from every node inside it, quadratic, past the buffer). */
static void test_prefilter_long_literal(void **state)
{
    size_t m = 3000, i;
    char *lit = malloc(m + 1), *text = malloc(m + 20);
    const char *lits[2];
    bool nocase[2] = {false, true};
    struct hb_pf_hits h;
    struct hb_pf *pf;

    (void)state;
    for (i = 0; i < m; i++)
        lit[i] = (char)('a' + (i * 7) % 26);
    lit[m] = '\0';
    lits[0] = lit;
    lits[1] = "xyz!";
    memcpy(text, "--", 2);
    memcpy(text + 2, lit, m);
    memcpy(text + 2 + m, "XYZ!", 4);
    pf = hb_pf_new_mixed(lits, nocase, 2);
    assert_non_null(pf);
    hb_pf_scan(pf, text, m + 6, &h);
    assert_true(hb_pf_has(&h, 0));
    assert_int_equal(h.first[0], 2);
    assert_true(hb_pf_has(&h, 1));
    assert_int_equal(h.first[1], m + 2);
    /* one byte short: not there */
    hb_pf_scan(pf, text, m + 1, &h);
    assert_false(hb_pf_has(&h, 0));
    hb_pf_free(pf);
    free(lit);
    free(text);
}

static void test_prefilter_limits(void **state)
{
    static const char *lits[HB_PF_MAX_LITS + 1];
    char *big = malloc(HB_PF_MAX_STATES + 2);
    size_t i;

    (void)state;
    for (i = 0; i <= HB_PF_MAX_LITS; i++)
        lits[i] = "x";
    assert_null(hb_pf_new(lits, HB_PF_MAX_LITS + 1));
    memset(big, 'a', HB_PF_MAX_STATES + 1);
    big[HB_PF_MAX_STATES + 1] = '\0';
    lits[0] = big;
    assert_null(hb_pf_new(lits, 1));
    assert_non_null(big);
    free(big);
    {
        struct hb_pf *pf = hb_pf_new(lits + 1, 0);
        struct hb_pf_hits h;

        assert_non_null(pf);
        assert_int_equal(hb_pf_scan(pf, "abc", 3, &h), 0);
        hb_pf_free(pf);
    }
    hb_pf_free(NULL);
}

static void test_prefilter_nocase(void **state)
{
    static const char *const lits[] = {"Heartbeat", "REFUSED", "x1", "[A"};
    static const struct {
        const char *text;
        long first[4];
    } cases[] = {
        {"HEARTBEAT heartbeat", {0, -1, -1, -1}},
        {"conn Refused: X1", {-1, 5, 14, -1}},
        {"[a [A", {-1, -1, -1, 0}},
        {"heart beat \xc8\xe8", {-1, -1, -1, -1}},
    };
    struct hb_pf *pf = hb_pf_new_nocase(lits, 4);
    size_t i, k;

    (void)state;
    assert_non_null(pf);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hb_pf_hits h;

        hb_pf_scan(pf, cases[i].text, strlen(cases[i].text), &h);
        for (k = 0; k < 4; k++) {
            if (cases[i].first[k] < 0) {
                assert_false(hb_pf_has(&h, k));
            } else {
                assert_true(hb_pf_has(&h, k));
                assert_int_equal(h.first[k], (size_t)cases[i].first[k]);
            }
        }
    }
    hb_pf_free(pf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefilter_table),
        cmocka_unit_test(test_prefilter_binary_text),
        cmocka_unit_test(test_prefilter_random),
        cmocka_unit_test(test_prefilter_random_long),
        cmocka_unit_test(test_prefilter_random_gram4),
        cmocka_unit_test(test_prefilter_random_strides),
        cmocka_unit_test(test_prefilter_random_mixed),
        cmocka_unit_test(test_prefilter_tuned),
        cmocka_unit_test(test_prefilter_tune_picks_rare),
        cmocka_unit_test(test_prefilter_tune_many_masks),
        cmocka_unit_test(test_prefilter_shared_anchor),
        cmocka_unit_test(test_prefilter_long_literal),
        cmocka_unit_test(test_prefilter_limits),
        cmocka_unit_test(test_prefilter_nocase),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
