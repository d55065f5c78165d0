/*
 * textcache.c - a set-associative cache of record-text bodies and their
 * row ids in the texts table (textcache.h).
 */
#include "textcache.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct slot {
    uint64_t hash;
    int64_t id; /* 0 = empty */
    size_t len, cap;
    char *body; /* owned copy, len bytes of cap */
};

/* Sets of WAYS slots: a body's hash picks the set, and a new body takes
   the set's slots in turn. Direct mapping (one slot a set) left a fifth
   of 2048 recurring bodies fighting over slots, each loss a query. */
#define WAYS 4
#define SETS (HB_TEXT_SLOTS / WAYS)

struct hb_text_cache {
    struct slot slot[HB_TEXT_SLOTS];
    unsigned char next[SETS]; /* the set's slot a new body takes */
    size_t bytes;             /* sum of the slots' cap */
};

/* Eight bytes as a little-endian number, whatever the machine. */
static inline uint64_t load_le(const unsigned char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

/*
 * Sixteen bytes a step in two independent lanes (FNV-1a's byte a step took
 * 1.3 us for a 1 KiB body, a quarter of an insert); the tail is
 * zero-padded and the length mixed in, so "a" and "a\0" differ.
 */
uint64_t hb_text_hash(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    unsigned char tail[16] = {0};
    uint64_t a = HB_HASH_SEED, b = ~HB_HASH_SEED;
    size_t i;

    for (i = 0; i + 16 <= n; i += 16) {
        a = mix(a, load_le(s + i));
        b = mix(b, load_le(s + i + 8));
    }
    if (i < n) {
        memcpy(tail, s + i, n - i);
        a = mix(a, load_le(tail));
        b = mix(b, load_le(tail + 8));
    }
    a = mix(a ^ (b * 0xff51afd7ed558ccdULL), (uint64_t)n);
    return a ^ (a >> 32);
}

struct hb_text_cache *hb_text_cache_new(void)
{
    return hb_xcalloc(1, sizeof(struct hb_text_cache));
}

void hb_text_cache_clear(struct hb_text_cache *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < HB_TEXT_SLOTS; i++) {
        free(c->slot[i].body);
        memset(&c->slot[i], 0, sizeof c->slot[i]);
    }
    memset(c->next, 0, sizeof c->next);
    c->bytes = 0;
}

void hb_text_cache_free(struct hb_text_cache *c)
{
    hb_text_cache_clear(c);
    free(c);
}

int64_t hb_text_cache_get(const struct hb_text_cache *c, uint64_t h,
                          const char *p, size_t n)
{
    const struct slot *sl = &c->slot[h % SETS * WAYS];
    int w;

    for (w = 0; w < WAYS; w++, sl++)
        if (sl->id > 0 && sl->hash == h && sl->len == n &&
            memcmp(sl->body, p, n) == 0)
            return sl->id;
    return 0;
}

void hb_text_cache_put(struct hb_text_cache *c, uint64_t h, const char *p,
                       size_t n, int64_t id)
{
    size_t set = h % SETS;
    struct slot *sl = &c->slot[set * WAYS + c->next[set]];

    if (n > HB_TEXT_BODY_MAX || id <= 0)
        return;
    c->next[set] = (unsigned char)((c->next[set] + 1) % WAYS);
    if (sl->cap < n || sl->body == NULL) {
        c->bytes -= sl->cap;
        free(sl->body);
        sl->body = NULL;
        sl->cap = 0;
        sl->id = 0;
        if (c->bytes + n > HB_TEXT_CACHE_BYTES)
            return; /* full: this body is looked up in the database */
        sl->cap = n ? n : 1;
        sl->body = hb_xmalloc(sl->cap);
        c->bytes += sl->cap;
    }
    memcpy(sl->body, p, n);
    sl->hash = h;
    sl->len = n;
    sl->id = id;
}
