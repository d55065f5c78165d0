/*
 * prefilter.c - Aho-Corasick over byte classes, compiled to a full DFA so a
 * scan costs one table load per byte. Bytes that occur in no literal share
 * class 0, which keeps the rows short; states that end a literal are
 * numbered last, so the hot loop tests a single comparison per byte.
 */
#include "prefilter.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define TRI_BITS 17 /* gram filter: 2^17 bits, 16 KiB */

struct hb_pf {
    uint8_t cls[256];   /* byte -> class */
    uint8_t fold[256];  /* byte -> the byte the literals are compared as */
    uint64_t *tri;      /* owned; NULL unless every literal has 3 bytes or
                           more: bit hash(first gram bytes) of each literal */
    unsigned gram;      /* 3, or 4 when every literal has 4 bytes */
    uint32_t *child;    /* owned; nstates * ncls: the trie child state on
                           that class, 0 for none (the root is no child) */
    uint32_t acc_state; /* states at or past this end a literal */
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
    free(pf->tri);
    free(pf->child);
    free(pf);
}

static uint32_t gram_hash(uint32_t x)
{
    return (x * 0x9E3779B1u) >> (32 - TRI_BITS);
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

static struct hb_pf *build(const char *const *lits, size_t n, bool nocase);

struct hb_pf *hb_pf_new(const char *const *lits, size_t n)
{
    return build(lits, n, false);
}

struct hb_pf *hb_pf_new_nocase(const char *const *lits, size_t n)
{
    return build(lits, n, true);
}

static struct hb_pf *build(const char *const *lits, size_t n, bool nocase)
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
    /* trie edges, for the gram path's walks: a DFA target one level
       deeper is the child */
    pf->acc_state = pf->acc_row / pf->ncls;
    pf->child = hb_xcalloc((size_t)b.n * pf->ncls, sizeof *pf->child);
    {
        uint32_t s;

        for (s = 0; s < b.n; s++)
            for (c = 0; c < pf->ncls; c++) {
                uint32_t t = (uint32_t)b.go[(size_t)s * pf->ncls + c];

                if (b.depth[t] == b.depth[s] + 1)
                    pf->child[(size_t)map[s] * pf->ncls + c] = map[t];
            }
    }
    /* the trigram filter, when every literal is long enough */
    {
        size_t minlen = n ? (size_t)-1 : 0;

        for (i = 0; i < n; i++)
            if (pf->len[i] < minlen)
                minlen = pf->len[i];
        if (minlen >= 3) {
            pf->gram = minlen >= 4 ? 4 : 3;
            pf->tri = hb_xcalloc(((size_t)1 << TRI_BITS) / 64, sizeof *pf->tri);
            for (i = 0; i < n; i++) {
                const unsigned char *l = (const unsigned char *)lits[i];
                uint32_t x = 0, h;

                for (k = 0; k < pf->gram; k++)
                    x = x << 8 | pf->fold[l[k]];
                h = gram_hash(x);
                pf->tri[h / 64] |= (uint64_t)1 << (h % 64);
            }
        }
    }
    free(map);
    build_fini(&b);
    return pf;
}

/* Records the literals ending at byte i in accepting row r. */
static void report(const struct hb_pf *pf, uint32_t r, size_t i,
                   struct hb_pf_hits *h)
{
    uint32_t a = r / pf->ncls - pf->acc_row / pf->ncls;
    uint32_t k;

    for (k = pf->out_off[a]; k < pf->out_off[a + 1]; k++) {
        uint16_t id = pf->out_ids[k];
        uint64_t bit = (uint64_t)1 << (id % 64);

        if (h->bits[id / 64] & bit)
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
    uint32_t st = 0, d = 0;
    size_t j;

    for (j = i; j < n; j++) {
        st = pf->child[(size_t)st * pf->ncls + pf->cls[s[j]]];
        if (st == 0)
            return;
        d++;
        if (st >= pf->acc_state) {
            uint32_t a = st - pf->acc_state, k;

            for (k = pf->out_off[a]; k < pf->out_off[a + 1]; k++) {
                uint16_t id = pf->out_ids[k];
                uint64_t bit = (uint64_t)1 << (id % 64);

                if (pf->len[id] != d || (h->bits[id / 64] & bit))
                    continue;
                h->bits[id / 64] |= bit;
                h->first[id] = i;
                h->nfound++;
            }
        }
    }
}

/* Every start whose first 3 or 4 bytes hash into the filter is walked;
   the loop carries no dependency from byte to byte, unlike the DFA. */
static size_t scan_tri(const struct hb_pf *pf, const unsigned char *s, size_t n,
                       struct hb_pf_hits *h)
{
    const uint8_t *f = pf->fold;
    const uint64_t *tri = pf->tri;
    uint32_t x = 0, mask = pf->gram == 4 ? 0xffffffffu : 0xffffffu;
    size_t i, g = pf->gram;

    if (n < g)
        return 0;
    for (i = 0; i + 1 < g; i++)
        x = x << 8 | f[s[i]];
    /* x holds the gram starting at i - (g - 1) after each shift */
    for (i = g - 1; i < n; i++) {
        uint32_t hh;

        x = (x << 8 | f[s[i]]) & mask;
        hh = gram_hash(x);
        if ((tri[hh / 64] >> (hh % 64)) & 1)
            walk(pf, s, i + 1 - g, n, h);
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
    if (pf->tri)
        return scan_tri(pf, s, n, h);
    for (i = 0; i < n; i++) {
        r = d[r + cls[s[i]]];
        if (r >= acc)
            report(pf, r, i, h);
    }
    return h->nfound;
}
