/*
 * textcache.h - the bodies of record texts a store connection has
 * written or found lately, so that a body seen again (the same stack
 * trace in every failed heartbeat) is stored as a reference to its row in
 * the texts table without a query. Pure memory: store.c does the SQL.
 *
 * A hit compares the whole body, so two bodies never share an entry by
 * hash alone. The cache holds at most HB_TEXT_SLOTS bodies of at most
 * HB_TEXT_BODY_MAX bytes (copies), HB_TEXT_CACHE_BYTES in all, in sets of
 * four slots chosen by hash; a new body takes its set's slots in turn (and
 * is not kept when the copies would pass the total).
 */
#ifndef HB_TEXTCACHE_H
#define HB_TEXTCACHE_H

#include <stddef.h>
#include <stdint.h>

#define HB_TEXT_SLOTS       4096
#define HB_TEXT_BODY_MAX    4096       /* longer bodies are not cached */
#define HB_TEXT_CACHE_BYTES (4u << 20) /* bound on the copies, as on RSS */

struct hb_text_cache;

/* The body's hash as stored in texts.hash: the same on every machine and
   in every release (databases keep it). */
uint64_t hb_text_hash(const char *p, size_t n);

struct hb_text_cache *hb_text_cache_new(void);
void hb_text_cache_free(struct hb_text_cache *c);

/* The row id stored for body p[0..n) with hash h, or 0 if not cached. */
int64_t hb_text_cache_get(const struct hb_text_cache *c, uint64_t h,
                          const char *p, size_t n);

/* Remembers that body p[0..n) (hash h) is row id (> 0). */
void hb_text_cache_put(struct hb_text_cache *c, uint64_t h, const char *p,
                       size_t n, int64_t id);

/* Forgets everything: after a rollback, a prune or another writer's
   commit, ids may no longer name these bodies. */
void hb_text_cache_clear(struct hb_text_cache *c);

#endif
