/*
 * arena.c - bump allocation in blocks of at least 16 KiB; a request larger
 * than a block gets a block of its own.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BLOCK_MIN (16 * 1024)

struct hb_arena_block {
    struct hb_arena_block *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
};

void hb_arena_init(struct hb_arena *a)
{
    a->head = NULL;
    a->total = 0;
}

void hb_arena_fini(struct hb_arena *a)
{
    struct hb_arena_block *b = a->head, *next;

    for (; b; b = next) {
        next = b->next;
        free(b);
    }
    hb_arena_init(a);
}

void *hb_arena_alloc(struct hb_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    struct hb_arena_block *b = a->head;
    size_t need = (n + align - 1) & ~(align - 1);
    void *p;

    if (need < n)
        hb_die("arena: allocation of %zu bytes overflows", n);
    if (b == NULL || b->cap - b->used < need) {
        size_t cap = need > BLOCK_MIN ? need : BLOCK_MIN;

        b = hb_xmalloc(sizeof *b + cap);
        b->used = 0;
        b->cap = cap;
        /* a big one-off block goes behind the current one so the current
           block's free space stays usable */
        if (a->head && need > BLOCK_MIN) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    p = b->data + b->used;
    b->used += need;
    a->total += need;
    memset(p, 0, n);
    return p;
}

char *hb_arena_strndup(struct hb_arena *a, const char *s, size_t n)
{
    char *p = hb_arena_alloc(a, n + 1);

    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *hb_arena_strdup(struct hb_arena *a, const char *s)
{
    return hb_arena_strndup(a, s, strlen(s));
}
