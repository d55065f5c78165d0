/*
 * prefilter.c - Aho-Corasick over byte classes, compiled to a full DFA so a
 * scan costs one table load per byte. Bytes that occur in no literal share
 * class 0, which keeps the rows short; states that end a literal are
 * numbered last, so the hot loop tests a single comparison per byte.
 * Literals of 3 bytes or more take a hashed gram filter instead (see
 * build_grams): at a stride it starts trie walks; at stride 1 each
 * literal has one anchor gram, and a start whose gram is someone's anchor
 * compares just those literals, eight bytes at a time.
 */
#include "prefilter.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define GRAM_BITS       16 /* gram filter: 2^16 bytes, 64 KiB */
#define GRAM_MAX_STRIDE 4  /* starts looked at: one in this many at most */
/* stride 1: a literal's gram starts at most this many bytes into it */
#define ANCHOR_MAX 63

struct hb_pf {
    uint8_t cls[256];  /* byte -> class */
    uint8_t fold[256]; /* byte -> the byte the literals are compared as */
    uint8_t *grams;    /* owned; NULL unless every literal has 3 bytes or
                          more: nonzero at the hash of each literal's
                          gram. With a stride, bit o: a literal has the
                          slot's gram o bytes into it; at stride 1, 1
                          at each anchor's slot (the buckets say whose) */
    unsigned gram;     /* bytes per gram: 3, or 4 with literals of 6+ */
    unsigned stride;   /* one start in stride is looked at */
    /* stride 1: literal i's gram is the one anchor[i] bytes into it (0
       until hb_pf_tune picks rarer ones); the literals' folded bytes are
       kept to hash grams again */
    uint8_t *anchor;       /* owned; nlits */
    unsigned char *folded; /* owned; the literals, folded, one after
                              another (lit_off[i] is where i starts) */
    size_t *lit_off;       /* owned; nlits */
    uint32_t gram_or;      /* ORed into loaded bytes: 0x20 in each byte when
                              letters fold (a superset filter; the
                              comparisons decide) */
    uint32_t gram_mask;    /* the gram's bytes of a 32-bit little-endian load */
    /* literals matched exactly in an automaton that folds case (mixed
       sets): walks and reports compare their bytes */
    uint8_t *exact; /* owned; nlits flags, NULL when none */
    /* every literal as 8-byte words (letters OR 0x20 where it folds), for
       lit_at; literal i has words[word_first[i] .. word_first[i + 1]) */
    struct pf_word *words; /* owned */
    uint32_t *word_first;  /* owned; nlits + 1 */
    /* stride 1: the literals anchored at each filter slot, found by
       hashing the slot into buckets (open addressing) */
    struct pf_bucket *buckets; /* owned; bucket_mask + 1 */
    struct pf_cand *cands;     /* owned; nlits */
    uint32_t bucket_mask;
    /* the trie for strided grams' walks (NULL at stride 1 and without
       grams), compact so that it stays in
       cache and path-compressed so that a walk takes few steps: an edge
       spells a run of bytes through nodes of one child and no literal
       (compared eight at a time), the root's edges are found by class,
       every other node's in a short list */
    uint32_t *root;        /* owned; ncls: 1 + the root's edge, 0 none */
    struct pf_node *nodes; /* owned; nstates (only edge ends are used) */
    struct pf_edge *edges; /* owned */
    struct pf_word *spell; /* owned; the edges' bytes after the first */
    uint16_t *term_ids;    /* owned */
    uint32_t acc_state;    /* states at or past this end a literal */
    uint32_t ncls;
    uint32_t nstates;
    uint32_t acc_row;  /* rows at or past this offset end a literal */
    uint32_t *delta;   /* owned; nstates * ncls, targets premultiplied
                          by ncls (a row offset) */
    uint32_t *out_off; /* owned; per accepting state, into out_ids;
                          nacc + 1 entries */
    uint16_t *out_ids; /* owned; literal ids ending at each state */
    size_t *len;       /* owned; length of each literal */
    size_t nlits;
};

/* 8 bytes of a literal: text word XOR key, AND tail must be 0. */
struct pf_word {
    uint64_t key, tail, or ;
};

/* The literals whose anchor gram falls in filter slot key - 1 (key 0: an
   empty bucket): cands[first .. first + count). */
struct pf_bucket {
    uint32_t key;
    uint16_t first, count;
};

/* Literal id, len bytes long, whose anchor gram is anchor bytes in: its
   first word here, so that a check reads no other table for literals of
   8 bytes or less; the others go on at words[rest] (nrest more). */
struct pf_cand {
    struct pf_word w0;
    uint32_t rest;
    uint16_t id, len, nrest;
    uint8_t anchor;
};

struct pf_node {
    uint32_t first_edge, first_term;
    uint16_t nedges, nterm;
};

/* A compressed edge: its first byte's class, len bytes in all (the rest
   in spell[first_word..] as words: text OR or, XOR key, AND tail is 0). */
struct pf_edge {
    uint32_t to;
    uint32_t first_word;
    uint16_t len;
    uint8_t cls;
};

static unsigned char fold(unsigned char c, bool nocase)
{
    return nocase && c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

void hb_pf_free(struct hb_pf *pf)
{
    if (pf == NULL)
        return;
    free(pf->delta);
    free(pf->out_off);
    free(pf->out_ids);
    free(pf->len);
    free(pf->grams);
    free(pf->anchor);
    free(pf->folded);
    free(pf->lit_off);
    free(pf->exact);
    free(pf->words);
    free(pf->word_first);
    free(pf->buckets);
    free(pf->cands);
    free(pf->root);
    free(pf->nodes);
    free(pf->edges);
    free(pf->spell);
    free(pf->term_ids);
    free(pf);
}

/* The filter slot of a gram: its bytes as loaded from memory (host byte
   order), folded and masked by the caller. */
static inline uint32_t gram_hash(uint32_t x)
{
    return (x * 0x9E3779B1u) >> (32 - GRAM_BITS);
}

static inline uint64_t load64(const unsigned char *p)
{
    uint64_t x;

    memcpy(&x, p, sizeof x);
    return x;
}

static inline uint32_t load32(const unsigned char *p)
{
    uint32_t x;

    memcpy(&x, p, sizeof x);
    return x;
}

static inline uint32_t gram_at(const struct hb_pf *pf, const unsigned char *p)
{
    return gram_hash((load32(p) | pf->gram_or) & pf->gram_mask);
}

/* The trie grown into a DFA in place, before renumbering. */
struct build {
    int32_t *go; /* nstates * ncls: trie child, then DFA target */
    uint32_t *fail;
    uint32_t *term;     /* literals ending exactly here: list head + 1 */
    uint32_t *next_lit; /* per literal: next literal of the same node + 1 */
    uint32_t *order;    /* BFS order */
    uint32_t *nout;     /* outputs of each state, suffixes included */
    uint32_t *depth;    /* length of the path from the root */
    uint32_t n;
};

static void build_fini(struct build *b);

/* The trie child of state st on class c in the build, or 0. */
static uint32_t trie_child(const struct build *b, uint32_t ncls, uint32_t st,
                           uint32_t c)
{
    uint32_t to = (uint32_t)b->go[(size_t)st * ncls + c];

    return b->depth[to] == b->depth[st] + 1 ? to : 0;
}

/* The trie's compressed edges (a DFA target one level deeper is the
   child) and the literals ending at each node, in the build's numbering. */
static void build_trie(struct hb_pf *pf, const struct build *b)
{
    uint32_t s, c, ne = 0, nt = 0, nw = 0, t, *kids, *only, *queue;
    uint32_t head = 0, tail_q = 0;
    bool *seen;
    unsigned char rev[256], orb[256];
    bool folds = pf->fold['A'] == 'a';

    /* a class's byte (lower case when letters fold), and its OR mask */
    memset(rev, 0, sizeof rev);
    memset(orb, 0, sizeof orb);
    for (s = 0; s < 256; s++)
        if (pf->cls[s]) {
            rev[pf->cls[s]] = (unsigned char)s;
            orb[pf->cls[s]] = folds && s >= 'a' && s <= 'z' ? 0x20 : 0;
        }
    /* children per state, and the only one's class when there is one */
    kids = hb_xcalloc(b->n, sizeof *kids);
    only = hb_xcalloc(b->n, sizeof *only);
    for (s = 0; s < b->n; s++)
        for (c = 0; c < pf->ncls; c++)
            if (trie_child(b, pf->ncls, s, c)) {
                kids[s]++;
                only[s] = c;
            }
    for (s = 0; s < b->n; s++) {
        ne += kids[s];
        for (t = b->term[s]; t; t = b->next_lit[t - 1])
            nt++;
    }
    pf->root = hb_xcalloc(pf->ncls, sizeof *pf->root);
    pf->nodes = hb_xcalloc(b->n, sizeof *pf->nodes);
    pf->edges = hb_xcalloc(ne + 1, sizeof *pf->edges);
    pf->spell = hb_xcalloc(HB_PF_MAX_STATES / 8 + ne + 1, sizeof *pf->spell);
    pf->term_ids = hb_xcalloc(nt + 1, sizeof *pf->term_ids);
    ne = nt = 0;
    /* only the root and the nodes edges end at: a node inside an edge is
       never stood on, and spelling edges from it too would cost the
       square of a literal's length */
    queue = hb_xcalloc(b->n + 1, sizeof *queue);
    seen = hb_xcalloc(b->n + 1, sizeof *seen);
    queue[tail_q++] = 0;
    seen[0] = true;
    while (head < tail_q) {
        struct pf_node *nd;

        s = queue[head++];
        nd = &pf->nodes[s];

        nd->first_edge = ne;
        nd->first_term = nt;
        for (t = b->term[s]; t; t = b->next_lit[t - 1]) {
            pf->term_ids[nt++] = (uint16_t)(t - 1);
            nd->nterm++;
        }
        for (c = 0; c < pf->ncls; c++) {
            uint32_t to = trie_child(b, pf->ncls, s, c), len = 1;
            unsigned char key[8], orm[8], tail[8];
            struct pf_edge *e;

            if (to == 0)
                continue;
            e = &pf->edges[ne];
            e->cls = (uint8_t)c;
            e->first_word = nw;
            memset(key, 0, 8), memset(orm, 0, 8), memset(tail, 0, 8);
            /* through nodes of one child that end no literal */
            while (kids[to] == 1 && b->term[to] == 0 && len < 0xffff) {
                uint32_t k = (len - 1) % 8, cc = only[to];

                key[k] = rev[cc];
                orm[k] = orb[cc];
                tail[k] = 0xff;
                if (k == 7) {
                    memcpy(&pf->spell[nw].key, key, 8);
                    memcpy(&pf->spell[nw].or, orm, 8);
                    memcpy(&pf->spell[nw++].tail, tail, 8);
                    memset(key, 0, 8), memset(orm, 0, 8), memset(tail, 0, 8);
                }
                to = trie_child(b, pf->ncls, to, cc);
                len++;
            }
            if ((len - 1) % 8) {
                memcpy(&pf->spell[nw].key, key, 8);
                memcpy(&pf->spell[nw].or, orm, 8);
                memcpy(&pf->spell[nw++].tail, tail, 8);
            }
            e->len = (uint16_t)len;
            e->to = to;
            if (s == 0)
                pf->root[c] = ne + 1;
            ne++;
            nd->nedges++;
            if (!seen[to]) {
                seen[to] = true;
                queue[tail_q++] = to;
            }
        }
    }
    free(queue);
    free(seen);
    free(kids);
    free(only);
}

/* Every literal as words for lit_at: its bytes as the automaton compares
   them, and 0x20 to OR into the text's letters where the literal folds
   (A-Z and a-z only: no other byte ORed with 0x20 gives a letter). */
static void build_words(struct hb_pf *pf, const char *const *lits, size_t n)
{
    bool folds = pf->fold['A'] == 'a';
    size_t i, k, b;

    pf->word_first = hb_xcalloc(n + 1, sizeof *pf->word_first);
    for (i = 0; i < n; i++)
        pf->word_first[i + 1] =
            pf->word_first[i] + (uint32_t)((pf->len[i] + 7) / 8);
    pf->words = hb_xcalloc(pf->word_first[n] + 1, sizeof *pf->words);
    for (i = 0; i < n; i++) {
        struct pf_word *w = pf->words + pf->word_first[i];
        bool nocase = folds && !(pf->exact && pf->exact[i]);

        for (k = 0; k < pf->len[i]; k += 8) {
            unsigned char key[8] = {0}, tail[8] = {0}, ors[8] = {0};

            for (b = 0; b < 8 && k + b < pf->len[i]; b++) {
                unsigned char c = (unsigned char)lits[i][k + b];
                bool letter = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';

                key[b] = nocase ? pf->fold[c] : c;
                ors[b] = nocase && letter ? 0x20 : 0;
                tail[b] = 0xff;
            }
            memcpy(&w[k / 8].key, key, 8);
            memcpy(&w[k / 8].tail, tail, 8);
            memcpy(&w[k / 8].or, ors, 8);
        }
    }
}

/* Whether words w[0..nw) are at s[i] (i + their bytes are within n). */
static inline bool words_at(const struct pf_word *w, size_t nw,
                            const unsigned char *s, size_t i, size_t n)
{
    const struct pf_word *end = w + nw;

    for (; w < end; w++, i += 8) {
        uint64_t x = 0;

        if (i + 8 <= n)
            memcpy(&x, s + i, 8);
        else
            memcpy(&x, s + i, n - i);
        if (((x | w->or) ^ w->key) & w->tail)
            return false;
    }
    return true;
}

/* Whether literal id is at s[i] (i + its length is within n), in any
   case where it folds: eight bytes a step. */
static inline bool lit_at(const struct hb_pf *pf, const unsigned char *s,
                          size_t i, size_t n, size_t id)
{
    return words_at(pf->words + pf->word_first[id],
                    pf->word_first[id + 1] - pf->word_first[id], s, i, n);
}

static void build_fini(struct build *b)
{
    free(b->go);
    free(b->fail);
    free(b->term);
    free(b->next_lit);
    free(b->order);
    free(b->nout);
    free(b->depth);
}

static struct hb_pf *build(const char *const *lits, size_t n, bool nocase,
                           const bool *folded);
struct build;
static void build_trie(struct hb_pf *pf, const struct build *b);
static void build_words(struct hb_pf *pf, const char *const *lits, size_t n);

/* The filter slot of literal i's gram o bytes into it. */
static uint32_t lit_gram(const struct hb_pf *pf, size_t i, size_t o)
{
    unsigned char g[4] = {0, 0, 0, 0};

    memcpy(g, pf->folded + pf->lit_off[i] + o, pf->gram);
    return gram_hash((load32(g) | pf->gram_or) & pf->gram_mask);
}

/* Stride 1: grams[] marks each literal's anchor slot, and the buckets
   list the literals anchored there (one pass counts, one places). */
static void fill_anchors(struct hb_pf *pf)
{
    const size_t nslots = (size_t)1 << GRAM_BITS;
    size_t i, nb = 16;
    uint32_t *slot_of = hb_xcalloc(pf->nlits ? pf->nlits : 1, sizeof *slot_of);

    while (nb < 2 * pf->nlits)
        nb *= 2;
    free(pf->buckets);
    pf->buckets = hb_xcalloc(nb, sizeof *pf->buckets);
    pf->bucket_mask = (uint32_t)(nb - 1);
    if (pf->cands == NULL)
        pf->cands = hb_xcalloc(pf->nlits ? pf->nlits : 1, sizeof *pf->cands);
    memset(pf->grams, 0, nslots);
    for (i = 0; i < pf->nlits; i++) {
        uint32_t slot = lit_gram(pf, i, pf->anchor[i]), j = slot;

        for (j &= pf->bucket_mask;
             pf->buckets[j].key != 0 && pf->buckets[j].key != slot + 1;
             j = (j + 1) & pf->bucket_mask)
            ;
        pf->buckets[j].key = slot + 1;
        pf->buckets[j].count++;
        pf->grams[slot] = 1;
        slot_of[i] = j;
    }
    {
        uint16_t at = 0;
        uint32_t j;

        for (j = 0; j < nb; j++) {
            pf->buckets[j].first = at;
            at = (uint16_t)(at + pf->buckets[j].count);
            pf->buckets[j].count = 0;
        }
    }
    /* in literal order within a bucket */
    for (i = 0; i < pf->nlits; i++) {
        struct pf_bucket *b = &pf->buckets[slot_of[i]];
        struct pf_cand *c = &pf->cands[b->first + b->count++];

        c->id = (uint16_t)i;
        c->len = (uint16_t)pf->len[i];
        c->anchor = pf->anchor[i];
        c->w0 = pf->words[pf->word_first[i]];
        c->rest = pf->word_first[i] + 1;
        c->nrest = (uint16_t)(pf->word_first[i + 1] - c->rest);
    }
    free(slot_of);
}

/*
 * Fills grams[] from the literals' grams: with a stride, each literal's
 * first stride grams, as a mask (bit o: some literal has the slot's gram o
 * bytes in; stride <= GRAM_MAX_STRIDE fits a byte). At stride 1, its
 * anchor gram (fill_anchors).
 */
static void fill_grams(struct hb_pf *pf)
{
    const size_t nslots = (size_t)1 << GRAM_BITS;
    size_t i, o;

    if (pf->stride == 1) {
        fill_anchors(pf);
        return;
    }
    memset(pf->grams, 0, nslots);
    for (i = 0; i < pf->nlits; i++)
        for (o = 0; o < pf->stride; o++)
            pf->grams[lit_gram(pf, i, o)] |= (uint8_t)(1u << o);
}

/*
 * The gram filter: every stride-th start is looked at, its gram hashed
 * into grams[], whose byte holds bit o when some literal has that gram at
 * offset o; the literal then starts o bytes before. With a stride, every
 * literal has a gram at each offset below it (minlen >= gram + stride -
 * 1), so each of its occurrences covers a start looked at; at stride 1
 * one gram per literal is enough, and it need not be the first.
 */
static void build_grams(struct hb_pf *pf, const char *const *lits, size_t n,
                        size_t minlen, bool nocase)
{
    size_t i, k, at = 0;

    /* 3-grams looked at one start in two would halve the loads for
       4-byte literals, but grams as common as "er " make walks cost more
       than they save: 4-grams, and a stride only for longer literals */
    pf->gram = minlen >= 4 ? 4 : 3;
    pf->stride = (unsigned)(minlen - pf->gram + 1);
    if (pf->stride > GRAM_MAX_STRIDE)
        pf->stride = GRAM_MAX_STRIDE;
    pf->gram_or = nocase ? 0x20202020u : 0;
    pf->gram_mask = 0;
    for (k = 0; k < pf->gram; k++)
        memset((unsigned char *)&pf->gram_mask + k, 0xff, 1);
    pf->anchor = hb_xcalloc(n ? n : 1, 1);
    pf->lit_off = hb_xcalloc(n ? n : 1, sizeof *pf->lit_off);
    for (i = 0; i < n; i++)
        at += pf->len[i];
    pf->folded = hb_xmalloc(at + 1);
    for (i = at = 0; i < n; i++) {
        pf->lit_off[i] = at;
        for (k = 0; k < pf->len[i]; k++)
            pf->folded[at++] = pf->fold[(unsigned char)lits[i][k]];
    }
    pf->grams = hb_xcalloc((size_t)1 << GRAM_BITS, 1);
    fill_grams(pf);
}

/* A tie-break for grams the sample counts alike (often: not at all): how
   many of their bytes are letters, digits or spaces, which fill ordinary
   text; a gram of punctuation is the rarer guess. Depends on the gram
   alone, so equal grams stay equal and the earliest of them wins. */
static unsigned gram_plainness(const struct hb_pf *pf, size_t i, size_t o)
{
    const unsigned char *g = pf->folded + pf->lit_off[i] + o;
    unsigned k, plain = 0;

    for (k = 0; k < pf->gram; k++) {
        unsigned char c = (unsigned char)(g[k] | 0x20);

        plain += (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ';
    }
    return plain;
}

/* Sets each literal's anchor to its rarest gram up to max bytes in (the
   earliest of equals); true when one moved. */
static bool choose_anchors(struct hb_pf *pf, const uint32_t *count, size_t max)
{
    size_t i, o;
    bool changed = false;

    for (i = 0; i < pf->nlits; i++) {
        size_t best = 0, last = pf->len[i] - pf->gram;
        uint64_t best_cost = UINT64_MAX;

        if (last > max)
            last = max;
        for (o = 0; o <= last; o++) {
            uint64_t cost = (uint64_t)count[lit_gram(pf, i, o)] * 8 +
                            gram_plainness(pf, i, o);

            if (cost < best_cost) {
                best_cost = cost;
                best = o;
            }
        }
        changed |= pf->anchor[i] != best;
        pf->anchor[i] = (uint8_t)best;
    }
    return changed;
}

bool hb_pf_tune(struct hb_pf *pf, const char *sample, size_t n)
{
    const unsigned char *s = (const unsigned char *)sample;
    uint32_t *count;
    size_t p;
    bool changed;

    if (pf == NULL || pf->grams == NULL || pf->stride != 1 || n < pf->gram)
        return false;
    count = hb_xcalloc((size_t)1 << GRAM_BITS, sizeof *count);
    for (p = 0; p + 4 <= n; p++)
        count[gram_at(pf, s + p)]++;
    changed = choose_anchors(pf, count, ANCHOR_MAX);
    fill_grams(pf);
    free(count);
    return changed;
}

struct hb_pf *hb_pf_new(const char *const *lits, size_t n)
{
    return build(lits, n, false, NULL);
}

struct hb_pf *hb_pf_new_nocase(const char *const *lits, size_t n)
{
    return build(lits, n, true, NULL);
}

struct hb_pf *hb_pf_new_mixed(const char *const *lits, const bool *nocase,
                              size_t n)
{
    bool any = false;
    size_t i;

    for (i = 0; i < n; i++)
        any |= nocase[i];
    return any ? build(lits, n, true, nocase) : build(lits, n, false, NULL);
}

/*
 * nocase: the automaton folds ASCII letters. folded (with nocase, may be
 * NULL: all) says per literal whether it matches in any case; the others
 * are compared as written wherever the folding automaton finds them.
 */
static struct hb_pf *build(const char *const *lits, size_t n, bool nocase,
                           const bool *folded)
{
    struct hb_pf *pf = NULL;
    struct build b;
    size_t i, total = 1, k;
    uint32_t c, head, tail, nacc, *map = NULL, *outs_at = NULL;
    bool used[256];

    memset(&b, 0, sizeof b);
    if (n > HB_PF_MAX_LITS)
        return NULL;
    for (i = 0; i < n; i++) {
        total += strlen(lits[i]);
        if (total > HB_PF_MAX_STATES)
            return NULL;
    }
    pf = hb_xcalloc(1, sizeof *pf);
    pf->nlits = n;
    if (folded) {
        pf->exact = hb_xcalloc(n ? n : 1, 1);
        for (i = 0; i < n; i++) {
            pf->exact[i] = !folded[i];
        }
    }
    pf->len = hb_xcalloc(n ? n : 1, sizeof *pf->len);

    /* classes: every byte some literal uses gets its own */
    memset(used, 0, sizeof used);
    for (i = 0; i < n; i++)
        for (k = 0; lits[i][k]; k++)
            used[fold((unsigned char)lits[i][k], nocase)] = true;
    pf->ncls = 1;
    for (i = 0; i < 256; i++)
        pf->cls[i] = used[i] ? (uint8_t)pf->ncls++ : 0;
    /* ASCII letters of either case share the lower-case letter's class */
    if (nocase)
        for (i = 'A'; i <= 'Z'; i++)
            pf->cls[i] = pf->cls[i - 'A' + 'a'];
    for (i = 0; i < 256; i++)
        pf->fold[i] = fold((unsigned char)i, nocase);

    /* the trie */
    b.go = hb_xmalloc(total * pf->ncls * sizeof *b.go);
    memset(b.go, 0xff, total * pf->ncls * sizeof *b.go);
    b.fail = hb_xcalloc(total, sizeof *b.fail);
    b.term = hb_xcalloc(total, sizeof *b.term);
    b.next_lit = hb_xcalloc(n ? n : 1, sizeof *b.next_lit);
    b.order = hb_xcalloc(total, sizeof *b.order);
    b.nout = hb_xcalloc(total, sizeof *b.nout);
    b.depth = hb_xcalloc(total, sizeof *b.depth);
    b.n = 1;
    for (i = 0; i < n; i++) {
        uint32_t s = 0;

        pf->len[i] = strlen(lits[i]);
        if (pf->len[i] == 0)
            continue;
        for (k = 0; k < pf->len[i]; k++) {
            int32_t *t = &b.go[(size_t)s * pf->ncls +
                               pf->cls[(unsigned char)lits[i][k]]];

            if (*t < 0) {
                b.depth[b.n] = (uint32_t)k + 1;
                *t = (int32_t)b.n++;
            }
            s = (uint32_t)*t;
        }
        b.next_lit[i] = b.term[s];
        b.term[s] = (uint32_t)i + 1;
    }

    /* breadth first: failure links, DFA transitions, output counts */
    head = tail = 0;
    b.order[tail++] = 0;
    while (head < tail) {
        uint32_t u = b.order[head++], t;

        for (t = b.term[u]; t; t = b.next_lit[t - 1])
            b.nout[u]++;
        if (u != 0)
            b.nout[u] += b.nout[b.fail[u]];
        for (c = 0; c < pf->ncls; c++) {
            int32_t *g = &b.go[(size_t)u * pf->ncls + c];
            uint32_t via =
                u == 0 ? 0 : (uint32_t)b.go[(size_t)b.fail[u] * pf->ncls + c];

            if (*g >= 0) {
                b.fail[*g] = via;
                b.order[tail++] = (uint32_t)*g;
            } else {
                *g = (int32_t)via;
            }
        }
    }

    /* renumber: plain states first, accepting ones last */
    map = hb_xcalloc(b.n, sizeof *map);
    pf->nstates = b.n;
    {
        uint32_t next = 0, s;

        for (i = 0; i < b.n; i++)
            if (b.nout[b.order[i]] == 0)
                map[b.order[i]] = next++;
        pf->acc_row = next * pf->ncls;
        nacc = b.n - next;
        for (i = 0; i < b.n; i++)
            if (b.nout[b.order[i]] != 0)
                map[b.order[i]] = next++;
        pf->delta = hb_xmalloc((size_t)b.n * pf->ncls * sizeof *pf->delta);
        for (s = 0; s < b.n; s++)
            for (c = 0; c < pf->ncls; c++)
                pf->delta[(size_t)map[s] * pf->ncls + c] =
                    map[b.go[(size_t)s * pf->ncls + c]] * pf->ncls;
    }

    /* outputs of each accepting state: its own literals, then those of
       its failure state (already filled: shallower in BFS order) */
    {
        uint32_t total_out = 0, acc0 = pf->acc_row / pf->ncls;

        pf->out_off = hb_xcalloc(nacc + 1, sizeof *pf->out_off);
        for (i = 0; i < b.n; i++) {
            uint32_t s = b.order[i];

            if (b.nout[s])
                pf->out_off[map[s] - acc0 + 1] = b.nout[s];
        }
        for (i = 0; i < nacc; i++)
            pf->out_off[i + 1] += pf->out_off[i];
        total_out = pf->out_off[nacc];
        pf->out_ids =
            hb_xcalloc(total_out ? total_out : 1, sizeof *pf->out_ids);
        outs_at = pf->out_off; /* alias for readability below */
        for (i = 0; i < b.n; i++) {
            uint32_t s = b.order[i], t, w, f;

            if (b.nout[s] == 0)
                continue;
            w = outs_at[map[s] - acc0];
            for (t = b.term[s]; t; t = b.next_lit[t - 1])
                pf->out_ids[w++] = (uint16_t)(t - 1);
            f = b.fail[s];
            if (s != 0 && b.nout[f]) {
                uint32_t a = outs_at[map[f] - acc0];

                memcpy(&pf->out_ids[w], &pf->out_ids[a],
                       b.nout[f] * sizeof *pf->out_ids);
            }
        }
    }
    pf->acc_state = pf->acc_row / pf->ncls;
    build_words(pf, lits, n);
    /* the gram filter, when every literal is long enough */
    {
        size_t minlen = n ? (size_t)-1 : 0;

        for (i = 0; i < n; i++)
            if (pf->len[i] < minlen)
                minlen = pf->len[i];
        if (minlen >= 3)
            build_grams(pf, lits, n, minlen, nocase);
    }
    /* walks start at strided grams only */
    if (pf->grams && pf->stride > 1)
        build_trie(pf, &b);
    free(map);
    build_fini(&b);
    return pf;
}

/* Whether literal id was found at or before i already. */
static inline bool found_by(const struct hb_pf_hits *h, uint16_t id, size_t i)
{
    return (h->bits[id / 64] >> (id % 64) & 1) && h->first[id] <= i;
}

/* Literal id starts at i, and !found_by(h, id, i): i is its first start
   so far (looks may come out of text order; a later earlier one wins). */
static inline void found_at(struct hb_pf_hits *h, uint16_t id, size_t i)
{
    uint64_t bit = (uint64_t)1 << (id % 64);

    if (!(h->bits[id / 64] & bit)) {
        h->bits[id / 64] |= bit;
        h->nfound++;
    }
    h->first[id] = i;
}

/* Records the literals ending at byte i in accepting row r. */
static void report(const struct hb_pf *pf, const unsigned char *s, uint32_t r,
                   size_t i, struct hb_pf_hits *h)
{
    uint32_t a = r / pf->ncls - pf->acc_row / pf->ncls;
    uint32_t k;

    for (k = pf->out_off[a]; k < pf->out_off[a + 1]; k++) {
        uint16_t id = pf->out_ids[k];
        uint64_t bit = (uint64_t)1 << (id % 64);

        if (h->bits[id / 64] & bit)
            continue;
        if (pf->exact && pf->exact[id] &&
            !lit_at(pf, s, i + 1 - pf->len[id], i + 1, id))
            continue;
        h->bits[id / 64] |= bit;
        h->first[id] = i + 1 - pf->len[id];
        h->nfound++;
    }
}

/* Reports the literals that start at p[i]: walks the trie (the DFA while
   each step goes one level deeper) and keeps outputs as long as the path. */
static void walk(const struct hb_pf *pf, const unsigned char *s, size_t i,
                 size_t n, struct hb_pf_hits *h)
{
    const uint8_t *cls = pf->cls;
    uint32_t st = 0, k, e;
    size_t j = i;

    for (;;) {
        const struct pf_node *nd = &pf->nodes[st];
        const struct pf_edge *ed;

        for (k = 0; k < nd->nterm; k++) {
            uint16_t id = pf->term_ids[nd->first_term + k];

            if (found_by(h, id, i))
                continue;
            if (pf->exact && pf->exact[id] && !lit_at(pf, s, i, n, id))
                continue;
            found_at(h, id, i);
        }
        if (j >= n)
            return;
        if (st == 0) {
            e = pf->root[cls[s[j]]];
            if (e-- == 0)
                return;
        } else {
            uint32_t c = cls[s[j]], end = nd->first_edge + nd->nedges;

            for (e = nd->first_edge; e < end && pf->edges[e].cls != c; e++)
                ;
            if (e == end)
                return;
        }
        ed = &pf->edges[e];
        if (j + ed->len > n)
            return;
        /* the rest of the edge's bytes, eight at a time */
        for (k = 0; k < (ed->len - 1u + 7) / 8; k++) {
            const struct pf_word *w = &pf->spell[ed->first_word + k];
            size_t at = j + 1 + 8 * k;
            uint64_t x = 0;

            if (at + 8 <= n)
                memcpy(&x, s + at, 8);
            else
                memcpy(&x, s + at, n - at);
            if (((x | w->or) ^ w->key) & w->tail)
                return;
        }
        j += ed->len;
        st = ed->to;
    }
}

/* The literals that may start o bytes before position p, for each bit o of
   slot hh's mask, walked in text order. */
static void walk_slot(const struct hb_pf *pf, const unsigned char *s, size_t p,
                      uint32_t hh, size_t n, struct hb_pf_hits *h)
{
    uint64_t m = pf->grams[hh];

    while (m) {
        unsigned o = 63u - (unsigned)__builtin_clzll(m);

        m &= ~((uint64_t)1 << o);
        if (p >= o)
            walk(pf, s, p - o, n, h);
    }
}

/* Stride 1: the literals anchored at filter slot hh, each compared where
   it would start if its anchor were at p. */
static void check_slot(const struct hb_pf *pf, const unsigned char *s, size_t p,
                       uint32_t hh, size_t n, struct hb_pf_hits *h)
{
    const struct pf_bucket *b;
    const struct pf_cand *c, *end;
    uint32_t j = hh & pf->bucket_mask;

    /* ends: there are twice as many buckets as literals */
    while ((b = &pf->buckets[j])->key != hh + 1) {
        if (b->key == 0)
            return;
        j = (j + 1) & pf->bucket_mask;
    }
    for (c = pf->cands + b->first, end = c + b->count; c < end; c++) {
        size_t i = p - c->anchor;

        if (p < c->anchor || c->len > n - i || found_by(h, c->id, i))
            continue;
        if (words_at(&c->w0, 1, s, i, n) &&
            words_at(pf->words + c->rest, c->nrest, s, i + 8, n))
            found_at(h, c->id, i);
    }
}

/* The first group of four starts from p on (p, p + 4, ...) with a gram
   in the filter, or the first past the last whole 8-byte load (p + 8 > n).
   Four grams from one load, one branch for the four; no dependency from
   one start to the next, unlike the DFA, and no call in the loop, so
   everything stays in registers. Inlined with mask constant. */
static inline __attribute__((always_inline)) size_t
next_group(const uint8_t *t, const unsigned char *s, size_t p, size_t n,
           uint64_t fold, uint32_t mask)
{
    for (; p + 8 <= n; p += 4) {
        uint64_t w = load64(s + p) | fold;

        if ((t[gram_hash((uint32_t)w & mask)] |
             t[gram_hash((uint32_t)(w >> 8) & mask)] |
             t[gram_hash((uint32_t)(w >> 16) & mask)] |
             t[gram_hash((uint32_t)(w >> 24) & mask)]) != 0)
            break;
    }
    return p;
}

/* Every start's gram; mask is a constant for 4-byte grams. */
static inline __attribute__((always_inline)) void
scan_every_mask(const struct hb_pf *pf, const unsigned char *s, size_t n,
                struct hb_pf_hits *h, size_t *at, uint32_t mask)
{
    const uint8_t *t = pf->grams;
    const uint64_t fold = (uint64_t)pf->gram_or << 32 | pf->gram_or;
    size_t p = 0;

    while ((p = next_group(t, s, p, n, fold, mask)) + 8 <= n) {
        uint64_t w = load64(s + p) | fold;
        unsigned k;

        for (k = 0; k < 4; k++) {
            uint32_t hh = gram_hash((uint32_t)(w >> 8 * k) & mask);

            if (t[hh])
                check_slot(pf, s, p + k, hh, n, h);
        }
        p += 4;
    }
    *at = p;
}

static void scan_every(const struct hb_pf *pf, const unsigned char *s, size_t n,
                       struct hb_pf_hits *h, size_t *at)
{
    if (pf->gram_mask == 0xffffffffu)
        scan_every_mask(pf, s, n, h, at, 0xffffffffu);
    else
        scan_every_mask(pf, s, n, h, at, pf->gram_mask);
}

/* One start in stride, four per branch. */
static void scan_strided(const struct hb_pf *pf, const unsigned char *s,
                         size_t n, struct hb_pf_hits *h, size_t *at)
{
    const uint8_t *t = pf->grams;
    const size_t k = pf->stride;
    size_t p = 0;

    for (; p + 3 * k + 4 <= n; p += 4 * k) {
        uint32_t h0 = gram_at(pf, s + p);
        uint32_t h1 = gram_at(pf, s + p + k);
        uint32_t h2 = gram_at(pf, s + p + 2 * k);
        uint32_t h3 = gram_at(pf, s + p + 3 * k);

        if ((t[h0] | t[h1] | t[h2] | t[h3]) == 0)
            continue;
        if (t[h0])
            walk_slot(pf, s, p, h0, n, h);
        if (t[h1])
            walk_slot(pf, s, p + k, h1, n, h);
        if (t[h2])
            walk_slot(pf, s, p + 2 * k, h2, n, h);
        if (t[h3])
            walk_slot(pf, s, p + 3 * k, h3, n, h);
    }
    *at = p;
}

static size_t scan_grams(const struct hb_pf *pf, const unsigned char *s,
                         size_t n, struct hb_pf_hits *h)
{
    const size_t k = pf->stride, g = pf->gram;
    size_t p;

    if (n < g)
        return 0;
    if (k == 1)
        scan_every(pf, s, n, h, &p);
    else
        scan_strided(pf, s, n, h, &p);
    /* the last starts: a gram copied out so no load passes the end */
    for (; p + g <= n; p += k) {
        unsigned char b[4] = {0, 0, 0, 0};
        uint32_t hh;

        memcpy(b, s + p, g);
        hh = gram_at(pf, b);
        if (pf->grams[hh] == 0)
            continue;
        if (k == 1)
            check_slot(pf, s, p, hh, n, h);
        else
            walk_slot(pf, s, p, hh, n, h);
    }
    return h->nfound;
}

size_t hb_pf_scan(const struct hb_pf *pf, const char *p, size_t n,
                  struct hb_pf_hits *h)
{
    const uint32_t *d = pf->delta;
    const uint8_t *cls = pf->cls;
    const unsigned char *s = (const unsigned char *)p;
    uint32_t r = 0, acc = pf->acc_row;
    size_t i;

    memset(h->bits, 0, sizeof h->bits);
    h->nfound = 0;
    if (pf->grams)
        return scan_grams(pf, s, n, h);
    for (i = 0; i < n; i++) {
        r = d[r + cls[s[i]]];
        if (r >= acc)
            report(pf, s, r, i, h);
    }
    return h->nfound;
}
