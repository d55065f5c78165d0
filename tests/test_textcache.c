/*
 * test_textcache.c - the cache of record-text bodies: hits compare the
 * whole body (equal hashes are not enough), a set holds four bodies and
 * then evicts in turn, long bodies are not kept, clearing forgets all;
 * and the body hash, which databases keep, does not change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "textcache.h"

static void test_textcache_hash_fixed(void **state)
{
    static const char body[] = "\tat com.tencent.polaris.X(X.java:1)";

    (void)state;
    /* stored in texts.hash: a change here needs a schema step */
    assert_true(hb_text_hash("", 0) == 0xc9af87446e100550ULL);
    assert_true(hb_text_hash(body, sizeof body - 1) == 0xf217cba9413c520dULL);
    /* every length around the 16-byte steps, and the zero padding */
    assert_true(hb_text_hash("a", 1) != hb_text_hash("a\0", 2));
    assert_true(hb_text_hash(body, 16) != hb_text_hash(body, 17));
    assert_true(hb_text_hash(body, 31) != hb_text_hash(body, 32));
}

static void test_textcache_hit_needs_the_body(void **state)
{
    struct hb_text_cache *c = hb_text_cache_new();

    (void)state;
    assert_int_equal(hb_text_cache_get(c, 7, "abc", 3), 0);
    hb_text_cache_put(c, 7, "abc", 3, 11);
    assert_int_equal(hb_text_cache_get(c, 7, "abc", 3), 11);
    /* the same hash with another body, or another length, misses */
    assert_int_equal(hb_text_cache_get(c, 7, "abd", 3), 0);
    assert_int_equal(hb_text_cache_get(c, 7, "ab", 2), 0);
    assert_int_equal(hb_text_cache_get(c, 8, "abc", 3), 0);
    hb_text_cache_clear(c);
    assert_int_equal(hb_text_cache_get(c, 7, "abc", 3), 0);
    hb_text_cache_clear(NULL);
    hb_text_cache_free(c);
}

static void test_textcache_sets_evict_in_turn(void **state)
{
    struct hb_text_cache *c = hb_text_cache_new();
    const uint64_t sets = HB_TEXT_SLOTS / 4;
    char body[8];
    int i;

    (void)state;
    /* five bodies whose hashes pick the same set */
    for (i = 0; i < 5; i++) {
        snprintf(body, sizeof body, "b%d", i);
        hb_text_cache_put(c, 3 + (uint64_t)i * sets, body, 2, 100 + i);
    }
    /* the fifth took the first one's slot; the rest stay */
    assert_int_equal(hb_text_cache_get(c, 3, "b0", 2), 0);
    for (i = 1; i < 5; i++) {
        snprintf(body, sizeof body, "b%d", i);
        assert_int_equal(hb_text_cache_get(c, 3 + (uint64_t)i * sets, body, 2),
                         100 + i);
    }
    hb_text_cache_free(c);
}

static void test_textcache_long_bodies_not_kept(void **state)
{
    struct hb_text_cache *c = hb_text_cache_new();
    char *big = malloc(HB_TEXT_BODY_MAX + 1);

    (void)state;
    memset(big, 'x', HB_TEXT_BODY_MAX + 1);
    hb_text_cache_put(c, 1, big, HB_TEXT_BODY_MAX + 1, 5);
    assert_int_equal(hb_text_cache_get(c, 1, big, HB_TEXT_BODY_MAX + 1), 0);
    hb_text_cache_put(c, 1, big, HB_TEXT_BODY_MAX, 6);
    assert_int_equal(hb_text_cache_get(c, 1, big, HB_TEXT_BODY_MAX), 6);
    /* a shorter body reuses the slot's copy; a longer one gets a new one */
    hb_text_cache_put(c, 2, big, 10, 7);
    hb_text_cache_put(c, 2, big, 3000, 8);
    assert_int_equal(hb_text_cache_get(c, 2, big, 3000), 8);
    hb_text_cache_put(c, 1, "", 0, 9);
    assert_int_equal(hb_text_cache_get(c, 1, "", 0), 9);
    free(big);
    hb_text_cache_free(c);
}

/* The copies stay within HB_TEXT_CACHE_BYTES however many long bodies
   come: past it, a new body is not kept (and the slot it took is empty). */
static void test_textcache_bytes_bounded(void **state)
{
    struct hb_text_cache *c = hb_text_cache_new();
    char *big = malloc(HB_TEXT_BODY_MAX);
    uint64_t h, kept = 0, n = 2 * HB_TEXT_CACHE_BYTES / HB_TEXT_BODY_MAX;

    (void)state;
    for (h = 0; h < n; h++) {
        memset(big, 'a' + (int)(h % 26), HB_TEXT_BODY_MAX);
        memcpy(big, &h, sizeof h);
        hb_text_cache_put(c, h, big, HB_TEXT_BODY_MAX, (int64_t)h + 1);
    }
    for (h = 0; h < n; h++) {
        memset(big, 'a' + (int)(h % 26), HB_TEXT_BODY_MAX);
        memcpy(big, &h, sizeof h);
        kept +=
            hb_text_cache_get(c, h, big, HB_TEXT_BODY_MAX) == (int64_t)h + 1;
    }
    assert_int_equal(kept, HB_TEXT_CACHE_BYTES / HB_TEXT_BODY_MAX);
    /* after a clear, the room is there again */
    hb_text_cache_clear(c);
    hb_text_cache_put(c, 5, big, HB_TEXT_BODY_MAX, 9);
    assert_int_equal(hb_text_cache_get(c, 5, big, HB_TEXT_BODY_MAX), 9);
    free(big);
    hb_text_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_textcache_hash_fixed),
        cmocka_unit_test(test_textcache_hit_needs_the_body),
        cmocka_unit_test(test_textcache_sets_evict_in_turn),
        cmocka_unit_test(test_textcache_long_bodies_not_kept),
        cmocka_unit_test(test_textcache_bytes_bounded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
