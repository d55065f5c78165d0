/*
 * fuzz_prefilter.c - libFuzzer target, differential: the input is a literal
 * list and a text. Up to 16 literals come first, one per line, a leading
 * '~' marking one that matches in any case; an empty line ends the list
 * and the rest is the text. The mixed automaton's report (which literals
 * occur, where each first starts) must equal a byte-by-byte search, for
 * the exact, the folding and the mixed build alike (the DFA and the gram
 * paths, strides, compressed trie edges, word compares at the text's end).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prefilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LITS 16

static unsigned char low(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* The first start of lit in t, or -1, folding ASCII letters when nocase. */
static long naive(const unsigned char *t, size_t n, const char *lit,
                  bool nocase)
{
    size_t m = strlen(lit), i, j;

    for (i = 0; m && i + m <= n; i++) {
        for (j = 0; j < m; j++) {
            unsigned char a = t[i + j], b = (unsigned char)lit[j];

            if (nocase ? low(a) != low(b) : a != b)
                break;
        }
        if (j == m)
            return (long)i;
    }
    return -1;
}

static void check(const struct hb_pf *pf, const char *const *lits,
                  const bool *nocase, size_t nl, const unsigned char *t,
                  size_t n)
{
    struct hb_pf_hits h;
    size_t i;

    if (pf == NULL)
        return;
    hb_pf_scan(pf, (const char *)t, n, &h);
    for (i = 0; i < nl; i++) {
        long want = naive(t, n, lits[i], nocase[i]);

        if ((want >= 0) != hb_pf_has(&h, i) ||
            (want >= 0 && h.first[i] != (size_t)want))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1), *p, *end;
    const char *lits[MAX_LITS];
    bool nocase[MAX_LITS], all[MAX_LITS], none[MAX_LITS];
    size_t nl = 0, i;
    struct hb_pf *pf;

    memcpy(copy, data, size);
    copy[size] = '\0';
    p = copy;
    end = copy + size;
    while (p < end && nl < MAX_LITS) {
        char *nlc = memchr(p, '\n', (size_t)(end - p));

        if (nlc == NULL || nlc == p)
            break;
        *nlc = '\0';
        nocase[nl] = *p == '~';
        lits[nl] = nocase[nl] ? p + 1 : p;
        if (strlen(lits[nl]) != (size_t)(nlc - lits[nl])) {
            p = nlc + 1;
            continue; /* a NUL inside: literals are C strings */
        }
        nl++;
        p = nlc + 1;
    }
    if (p < end && *p == '\n')
        p++;
    for (i = 0; i < nl; i++) {
        all[i] = true;
        none[i] = false;
    }
    pf = hb_pf_new_mixed(lits, nocase, nl);
    check(pf, lits, nocase, nl, (const unsigned char *)p, (size_t)(end - p));
    hb_pf_free(pf);
    /* tuned on the first half of the text: anchors past the first gram */
    pf = hb_pf_new_mixed(lits, nocase, nl);
    hb_pf_tune(pf, p, (size_t)(end - p) / 2);
    check(pf, lits, nocase, nl, (const unsigned char *)p, (size_t)(end - p));
    hb_pf_free(pf);
    pf = hb_pf_new_nocase(lits, nl);
    check(pf, lits, all, nl, (const unsigned char *)p, (size_t)(end - p));
    hb_pf_free(pf);
    pf = hb_pf_new(lits, nl);
    check(pf, lits, none, nl, (const unsigned char *)p, (size_t)(end - p));
    hb_pf_free(pf);
    free(copy);
    return 0;
}
