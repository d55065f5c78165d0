/*
 * prefilter.h - many literals found in one pass over a text (an
 * Aho-Corasick automaton compiled to a DFA over byte classes; when every
 * literal has 3 bytes or more, a hashed 3- or 4-byte gram filter picks the
 * starts worth a closer look instead: with one start in up to four looked
 * at, when every literal is long enough to hold a gram at each, a trie
 * walk; with every start, a comparison of the literals whose chosen gram
 * it is). Built once
 * per run from a fixed literal list, read-only afterwards (shared by
 * threads); each scan reports which literals occur and where each first
 * starts, so callers skip every stage a record's text cannot feed.
 */
#ifndef HB_PREFILTER_H
#define HB_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HB_PF_MAX_LITS   1024  /* literals per automaton */
#define HB_PF_MAX_STATES 65535 /* automaton states (sum of literal bytes) */

struct hb_pf; /* opaque, immutable after hb_pf_new */

/* What one scan found. Caller storage; hb_pf_scan initialises it. */
struct hb_pf_hits {
    uint64_t bits[HB_PF_MAX_LITS / 64]; /* literal i occurs */
    size_t first[HB_PF_MAX_LITS];       /* its first start offset; valid
                                           only when its bit is set */
    size_t nfound;                      /* distinct literals found */
};

/*
 * Builds the automaton for lits[0..n) (case-sensitive bytes, NUL-terminated;
 * an empty literal is never reported; duplicates each get their own id, the
 * index in lits). The strings are copied. Returns NULL when n exceeds
 * HB_PF_MAX_LITS or the literals need more than HB_PF_MAX_STATES states:
 * callers then search the slow way.
 */
struct hb_pf *hb_pf_new(const char *const *lits, size_t n);
/* The same with ASCII letters matched in either case (only A-Z/a-z fold;
   other bytes compare exactly). */
struct hb_pf *hb_pf_new_nocase(const char *const *lits, size_t n);
/* One flag per literal: nocase[i] matches literal i in any case, the others
   as written (one automaton for literals of both kinds). */
struct hb_pf *hb_pf_new_mixed(const char *const *lits, const bool *nocase,
                              size_t n);
void hb_pf_free(struct hb_pf *pf);

/*
 * Picks, for each literal, the gram the filter looks for: the one of its
 * first 64 grams rarest in sample[0..n) (typical input), so
 * fewer starts need a comparison. Changes speed only, never what a scan
 * reports. Only for automata looking at every start (4-byte literals or
 * shorter); returns whether anything changed. Not thread safe: call before
 * the automaton is shared.
 */
bool hb_pf_tune(struct hb_pf *pf, const char *sample, size_t n);

/* Scans p[0..n) once and fills *h. Returns h->nfound. */
size_t hb_pf_scan(const struct hb_pf *pf, const char *p, size_t n,
                  struct hb_pf_hits *h);

static inline bool hb_pf_has(const struct hb_pf_hits *h, size_t id)
{
    return (h->bits[id / 64] >> (id % 64)) & 1u;
}

#endif
