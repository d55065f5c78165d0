/*
 * arena.h - a bump allocator for trees that are built once and freed at
 * once (YAML documents, compiled rules). Allocation aborts on OOM like
 * hb_xmalloc; nothing is freed individually.
 */
#ifndef HB_ARENA_H
#define HB_ARENA_H

#include <stddef.h>

struct hb_arena_block;

/* Caller storage; zero-initialised ({0}) is a valid empty arena. */
struct hb_arena {
    struct hb_arena_block *head; /* owned; freed by hb_arena_fini */
    size_t total;                /* bytes handed out */
};

void hb_arena_init(struct hb_arena *a);
/* Frees every block; the arena is empty (reusable) afterwards. */
void hb_arena_fini(struct hb_arena *a);
/* n zeroed bytes, aligned for any type; valid until hb_arena_fini. */
void *hb_arena_alloc(struct hb_arena *a, size_t n);
/* Copies n bytes of s and appends a NUL. */
char *hb_arena_strndup(struct hb_arena *a, const char *s, size_t n);
char *hb_arena_strdup(struct hb_arena *a, const char *s);

#endif
