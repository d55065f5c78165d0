/*
 * match.c - records against rules. Patterns are PCRE2 with JIT, run under a
 * match limit, a depth limit and a bounded JIT stack, so one hostile line
 * costs a bounded amount of work. Before any regex, each rule's gate runs:
 * its signature (a necessary condition over record features and literals,
 * derived at load time; an index on one clause of it means a record only
 * meets the rules that can apply), a search for the rule's literals
 * (declared, or derived from its patterns), then the cheap leaves (codes,
 * names, events) in three-valued logic, so most records never reach the
 * regex engine.
 */
#include "rules.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "fastpath.h"
#include "prefilter.h"
#include "rules_int.h"
#include "util.h"

#define MIN_DERIVED_LITERAL 3 /* shorter literals filter too little */

/* ---- compiling ------------------------------------------------------------
 */

bool hb_regex_compile(struct hb_regex *rx, struct hb_arena *a,
                      const char *pattern, size_t len, bool multiline,
                      char *msg, size_t msgcap, size_t *offset)
{
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    PCRE2_SPTR table;
    uint32_t entry = 0, i;
    PCRE2_SIZE off = 0;
    int err = 0;

    memset(rx, 0, sizeof *rx);
    *offset = 0;
    if (multiline)
        opts |= PCRE2_MULTILINE;
    rx->code = pcre2_compile((PCRE2_SPTR)pattern, len, opts, &err, &off, NULL);
    if (rx->code == NULL) {
        PCRE2_UCHAR buf[200];

        if (pcre2_get_error_message(err, buf, sizeof buf) < 0)
            snprintf((char *)buf, sizeof buf, "error %d", err);
        snprintf(msg, msgcap, "%s", (const char *)buf);
        *offset = off;
        return false;
    }
    /* a pattern JIT cannot compile still runs in the interpreter */
    (void)pcre2_jit_compile(rx->code, PCRE2_JIT_COMPLETE);
    rx->pattern = hb_arena_strndup(a, pattern, len);
    pcre2_pattern_info(rx->code, PCRE2_INFO_CAPTURECOUNT, &rx->ngroups);
    pcre2_pattern_info(rx->code, PCRE2_INFO_NAMECOUNT, &rx->nnames);
    if (rx->nnames == 0)
        return true;
    pcre2_pattern_info(rx->code, PCRE2_INFO_NAMEENTRYSIZE, &entry);
    pcre2_pattern_info(rx->code, PCRE2_INFO_NAMETABLE, &table);
    rx->names = hb_arena_alloc(a, rx->nnames * sizeof *rx->names);
    for (i = 0; i < rx->nnames; i++) {
        PCRE2_SPTR e = table + (size_t)i * entry;
        const char *name = (const char *)e + 2;

        rx->names[i].group = ((uint32_t)e[0] << 8) | e[1];
        if (strlen(name) >= sizeof rx->names[i].name) {
            snprintf(msg, msgcap,
                     "capture name '%s' is longer than %zu "
                     "characters",
                     name, sizeof rx->names[i].name - 1);
            hb_regex_fini(rx);
            return false;
        }
        snprintf(rx->names[i].name, sizeof rx->names[i].name, "%s", name);
    }
    return true;
}

void hb_regex_fini(struct hb_regex *rx)
{
    pcre2_code_free(rx->code);
    rx->code = NULL;
}

/* ---- required literals ----------------------------------------------------
 */

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* Escapes that take no argument and stand for a class or an assertion. */
static bool plain_escape(char c)
{
    return strchr("dDwWsSbBhHvVRXAzZGKnrtfea", c) != NULL;
}

/* Skips "{...}" at p[i] if present; returns the index after it. */
static size_t skip_braces(const char *p, size_t n, size_t i, char open,
                          char close)
{
    if (i < n && p[i] == open) {
        while (i < n && p[i] != close)
            i++;
        if (i < n)
            i++;
    }
    return i;
}

/* A counted quantifier "{n}", "{n,}", "{n,m}" at p[i]: its minimum, and the
   index after it; -1 when p[i] does not start one. */
static long counted_quantifier(const char *p, size_t n, size_t i, size_t *end)
{
    long lo = 0;
    size_t j = i + 1;
    bool digits = false;

    while (j < n && p[j] >= '0' && p[j] <= '9') {
        lo = lo * 10 + (p[j] - '0');
        if (lo > 100000)
            lo = 100000;
        j++;
        digits = true;
    }
    if (!digits)
        return -1;
    if (j < n && p[j] == ',') {
        j++;
        while (j < n && p[j] >= '0' && p[j] <= '9')
            j++;
    }
    if (j >= n || p[j] != '}')
        return -1;
    *end = j + 1;
    return lo;
}

struct litscan {
    char cur[256]; /* the run being read */
    size_t ncur;
    bool cur_caseless;
    size_t lastlen; /* bytes of the last literal character in cur, 0 =
                       the last token was not a literal */
    char best[256]; /* the longest run of the current branch */
    size_t nbest;
    bool best_caseless;
    bool caseless; /* (?i) in force at the top level */
    size_t min;    /* shortest literal worth keeping */
    struct hb_litset *out;
    bool failed;
    struct hb_litset group; /* the best literal set of a required group of
                               the current branch; group.n = 0: none */
    /* top level only (NULL below): every required run and group as a set
       of its own, each necessary when the pattern has a single branch */
    struct hb_litset *clauses;
    size_t nclauses, cap;
    bool branches; /* a top-level '|' was read */
};

/* A required run or group set, as a clause of its own. */
static void lit_clause(struct litscan *s, const struct hb_litset *g)
{
    if (s->clauses && s->nclauses < s->cap && g->n > 0)
        s->clauses[s->nclauses++] = *g;
}

#define MAX_GROUP_LEVEL 8 /* nested groups looked into for literals */

static void lit_flush(struct litscan *s)
{
    if (s->clauses && s->ncur >= s->min && s->nclauses < s->cap) {
        struct hb_litset *c = &s->clauses[s->nclauses++];

        c->n = 1;
        memcpy(c->lit[0], s->cur, s->ncur);
        c->lit[0][s->ncur] = '\0';
        c->caseless[0] = s->cur_caseless;
    }
    if (s->ncur > s->nbest) {
        memcpy(s->best, s->cur, s->ncur);
        s->nbest = s->ncur;
        s->best_caseless = s->cur_caseless;
    }
    s->ncur = 0;
    s->lastlen = 0;
}

/*
 * Under (?i) only ASCII letters other than k and s go into a literal:
 * PCRE2 folds K with U+212A and S with U+017F, and any other non-ASCII
 * character may fold to a different byte sequence.
 */
static bool caseless_ok(unsigned char c)
{
    return c < 0x80 && c != 'k' && c != 'K' && c != 's' && c != 'S';
}

static void lit_add(struct litscan *s, const char *c, size_t n)
{
    if (s->caseless && (n != 1 || !caseless_ok((unsigned char)c[0]))) {
        lit_flush(s);
        return;
    }
    if (s->ncur + n >= sizeof s->cur)
        lit_flush(s);
    if (s->ncur == 0)
        s->cur_caseless = s->caseless;
    memcpy(s->cur + s->ncur, c, n);
    if (s->caseless && c[0] >= 'A' && c[0] <= 'Z')
        s->cur[s->ncur] = (char)(c[0] - 'A' + 'a');
    s->ncur += n;
    s->lastlen = n;
}

/* A quantifier follows the last token: min is its minimum repeat count. */
static void lit_quantified(struct litscan *s, long min)
{
    if (s->lastlen && min == 0)
        s->ncur -= s->lastlen; /* the character is optional */
    lit_flush(s);
}

static size_t set_minlen(const struct hb_litset *g)
{
    size_t i, m = (size_t)-1;

    for (i = 0; i < g->n; i++)
        if (strlen(g->lit[i]) < m)
            m = strlen(g->lit[i]);
    return g->n ? m : 0;
}

/* A top-level alternative ends: it must have contributed a literal, or a
   group that is not optional a set of them (the longer shortest wins). */
static void lit_branch(struct litscan *s)
{
    struct hb_litset *o = s->out;
    size_t i;

    lit_flush(s);
    if (s->group.n > 0 && o->n + s->group.n <= HB_RULE_MAX_LITERALS &&
        (s->nbest < s->min || set_minlen(&s->group) > s->nbest)) {
        for (i = 0; i < s->group.n; i++) {
            memcpy(o->lit[o->n], s->group.lit[i], sizeof o->lit[0]);
            o->caseless[o->n++] = s->group.caseless[i];
        }
        s->group.n = 0;
        s->nbest = 0;
        return;
    }
    s->group.n = 0;
    if (s->nbest < s->min || o->n == HB_RULE_MAX_LITERALS) {
        s->failed = true;
        return;
    }
    memcpy(o->lit[o->n], s->best, s->nbest);
    o->lit[o->n][s->nbest] = '\0';
    o->caseless[o->n] = s->best_caseless;
    o->n++;
    s->nbest = 0;
}

/* Index of the ')' closing the group opened at p[i], or n. */
static size_t group_end(const char *p, size_t n, size_t i)
{
    int depth = 0;

    for (; i < n; i++) {
        if (p[i] == '\\') {
            i++;
        } else if (p[i] == '[') {
            i++;
            if (i < n && p[i] == '^')
                i++;
            if (i < n && p[i] == ']')
                i++;
            while (i < n && p[i] != ']') {
                if (p[i] == '\\')
                    i++;
                i++;
            }
        } else if (p[i] == '(') {
            depth++;
        } else if (p[i] == ')' && --depth == 0) {
            return i;
        }
    }
    return n;
}

static bool literals_at(const char *p, size_t min, struct hb_litset *out,
                        int level, struct hb_litset *clauses, size_t cap,
                        size_t *nclauses);

/*
 * The group opened at p[i] (top level of the branch being read): when it
 * is a plain, named, atomic or non-capturing group that is not optional,
 * the literal set its alternatives require, if better than what the branch
 * has (the longer shortest literal wins).
 */
static void lit_group(struct litscan *s, const char *p, size_t n, size_t i,
                      int level)
{
    size_t close = group_end(p, n, i), a = i + 1, q;
    struct hb_litset g;
    char *inner;

    if (close >= n || level >= MAX_GROUP_LEVEL)
        return;
    /* an optional group requires nothing */
    q = close + 1;
    if (q < n && (p[q] == '?' || p[q] == '*'))
        return;
    if (q < n && p[q] == '{' && counted_quantifier(p, n, q, &q) == 0)
        return;
    if (a < n && p[a] == '?') {
        a++;
        if (a < n && (p[a] == ':' || p[a] == '>')) {
            a++;
        } else if (a < n && (p[a] == '<' || p[a] == '\'' ||
                             (p[a] == 'P' && a + 1 < n && p[a + 1] == '<'))) {
            char end = p[a] == '\'' ? '\'' : '>';

            if (p[a] == 'P')
                a++;
            if (a + 1 < n && (p[a + 1] == '=' || p[a + 1] == '!'))
                return; /* a lookbehind consumes nothing */
            a++;        /* the opening '<' or quote */
            while (a < close && p[a] != end)
                a++;
            a++;
        } else {
            return; /* lookahead, conditional, recursion, callout... */
        }
    }
    if (a > close)
        return;
    inner = hb_xmalloc(close - a + 5);
    memcpy(inner, s->caseless ? "(?i)" : "", s->caseless ? 4 : 0);
    memcpy(inner + (s->caseless ? 4 : 0), p + a, close - a);
    inner[(s->caseless ? 4 : 0) + close - a] = '\0';
    if (literals_at(inner, s->min, &g, level + 1, NULL, 0, NULL) && g.n > 0) {
        lit_clause(s, &g);
        if (s->group.n == 0 || set_minlen(&g) > set_minlen(&s->group))
            s->group = g;
    }
    free(inner);
}

/* The length of the UTF-8 sequence starting with byte c (1 for others). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xf0 && c < 0xf8)
        return 4;
    if (c >= 0xe0)
        return c < 0xf0 ? 3 : 1;
    if (c >= 0xc0)
        return 2;
    return 1;
}

/*
 * The literals one of which every match must contain: for each top-level
 * alternative, its longest run of literal characters outside every group
 * (a group may be optional). Runs under a top-level (?i) are caseless and
 * kept in lower case. Gives up (returns false) on anything that makes this
 * unreliable: (?x), \Q...\E, start-of-pattern verbs, unknown escapes,
 * an alternative without a literal of min bytes.
 */
bool hb_regex_literals(const char *p, size_t min, struct hb_litset *out)
{
    return literals_at(p, min, out, 0, NULL, 0, NULL);
}

size_t hb_regex_clauses(const char *p, size_t min, struct hb_litset *clauses,
                        size_t cap)
{
    struct hb_litset *any = hb_xmalloc(sizeof *any);
    size_t n = 0;

    if (!literals_at(p, min, any, 0, clauses, cap, &n))
        n = 0;
    free(any);
    return n;
}

static bool literals_at(const char *p, size_t min, struct hb_litset *out,
                        int level, struct hb_litset *clauses, size_t cap,
                        size_t *nclauses)
{
    struct litscan s;
    size_t n = strlen(p), i = 0, j;
    int depth = 0;
    long lo;

    memset(&s, 0, sizeof s);
    memset(out, 0, sizeof *out);
    s.min = min ? min : 1;
    s.out = out;
    s.clauses = clauses;
    s.cap = cap;
    if (nclauses)
        *nclauses = 0;
    while (i < n) {
        char c = p[i];

        if (c == '\\') {
            char e = i + 1 < n ? p[i + 1] : '\0';

            if (e == '\0')
                return false;
            if (!is_alnum(e)) {
                if (depth == 0)
                    lit_add(&s, &p[i + 1], 1);
                i += 2;
                continue;
            }
            lit_flush(&s);
            i += 2;
            if (e == 'Q')
                return false;
            if (plain_escape(e))
                continue;
            /* escapes with an argument: skip it so it is not read as text */
            switch (e) {
            case 'x':
                if (i < n && p[i] == '{')
                    i = skip_braces(p, n, i, '{', '}');
                else
                    for (j = 0; j < 2 && i < n &&
                                strchr("0123456789abcdefABCDEF", p[i]);
                         j++)
                        i++;
                break;
            case 'o':
            case 'N':
            case 'p':
            case 'P':
                if (i < n && p[i] == '{')
                    i = skip_braces(p, n, i, '{', '}');
                else if (e == 'p' || e == 'P')
                    i++;
                break;
            case 'c':
                i++;
                break;
            case 'g':
            case 'k':
                if (i < n && (p[i] == '{' || p[i] == '<' || p[i] == '\''))
                    i = skip_braces(p, n, i, p[i],
                                    p[i] == '{'   ? '}'
                                    : p[i] == '<' ? '>'
                                                  : '\'');
                else
                    while (i < n && (p[i] == '-' || p[i] == '+' ||
                                     (p[i] >= '0' && p[i] <= '9')))
                        i++;
                break;
            default:
                if (e >= '0' && e <= '9') {
                    while (i < n && p[i] >= '0' && p[i] <= '9')
                        i++;
                    break;
                }
                return false; /* an escape we do not know: be safe */
            }
            continue;
        }
        switch (c) {
        case '[':
            lit_flush(&s);
            j = i + 1;
            if (j < n && p[j] == '^')
                j++;
            if (j < n && p[j] == ']')
                j++;
            while (j < n && p[j] != ']') {
                if (p[j] == '\\')
                    j++;
                else if (p[j] == '[' && j + 1 < n && p[j + 1] == ':') {
                    const char *end = strstr(p + j + 2, ":]");

                    if (end)
                        j = (size_t)(end - p) + 1;
                }
                j++;
            }
            if (j >= n)
                return false;
            i = j + 1;
            continue;
        case '(':
            lit_flush(&s);
            if (i + 1 < n && p[i + 1] == '*')
                return false;
            if (i + 1 < n && p[i + 1] == '?') {
                j = i + 2;
                if (j < n && p[j] == '#') {
                    while (i < n && p[i] != ')')
                        i++;
                    i++;
                    continue;
                }
                /* inline options "(?imsx-imsx)" or "(?i:...)" */
                while (j < n && (is_alnum(p[j]) || p[j] == '-' || p[j] == '^'))
                    j++;
                if (j > i + 2 && j < n && p[j] == ')') {
                    bool on = true;
                    size_t k;

                    /* "(?i)" changes the rest of the enclosing group; at
                       the top level that is what we read literals from.
                       "(?i:...)" is a group like any other. */
                    for (k = i + 2; k < j && depth == 0; k++) {
                        if (p[k] == '-' || p[k] == '^')
                            on = p[k] == '-' ? false : true;
                        if (p[k] == 'x' && on)
                            return false;
                        if (p[k] == 'i')
                            s.caseless = on;
                        if (p[k] == '^')
                            s.caseless = false; /* (?^) unsets all */
                    }
                    i = j + 1;
                    continue;
                }
            }
            if (depth == 0)
                lit_group(&s, p, n, i, level);
            depth++;
            i++;
            continue;
        case ')':
            lit_flush(&s);
            if (--depth < 0)
                return false;
            i++;
            continue;
        case '|':
            if (depth == 0) {
                s.branches = true;
                lit_branch(&s);
                if (s.failed)
                    return false;
            }
            i++;
            continue;
        case '.':
        case '^':
        case '$':
            lit_flush(&s);
            i++;
            continue;
        case '?':
        case '*':
        case '+':
            lit_quantified(&s, c == '+' ? 1 : 0);
            i++;
            if (i < n && (p[i] == '?' || p[i] == '+'))
                i++; /* lazy or possessive */
            continue;
        case '{':
            lo = counted_quantifier(p, n, i, &j);
            if (lo >= 0) {
                lit_quantified(&s, lo);
                i = j;
                if (i < n && (p[i] == '?' || p[i] == '+'))
                    i++;
                continue;
            }
            break; /* a literal '{' */
        default:
            break;
        }
        j = utf8_len((unsigned char)c);
        if (i + j > n)
            j = n - i;
        if (depth == 0)
            lit_add(&s, &p[i], j);
        i += j;
    }
    if (depth != 0)
        return false;
    lit_branch(&s);
    if (s.failed)
        out->n = 0;
    if (nclauses && !s.failed && !s.branches)
        *nclauses = s.nclauses;
    return !s.failed;
}

/* ---- preparing a rule: order and gate -------------------------------------
 */

static void prepare_cond(struct hb_cond *c)
{
    size_t i, j;

    if (c->op == HB_COND_LEAF) {
        c->cost = hb_leaf_table[c->leaf].cost;
        c->has_regex = hb_leaf_table[c->leaf].type == HB_LT_REGEX;
        return;
    }
    c->cost = 0;
    c->has_regex = false;
    for (i = 0; i < c->nkids; i++) {
        prepare_cond(c->kids[i]);
        c->cost += c->kids[i]->cost;
        c->has_regex |= c->kids[i]->has_regex;
    }
    /* stable insertion sort, cheap first: the same truth value, and the
       captures of equal-cost regexes keep the written order */
    for (i = 1; i < c->nkids; i++) {
        struct hb_cond *k = c->kids[i];

        for (j = i; j > 0 && c->kids[j - 1]->cost > k->cost; j--)
            c->kids[j] = c->kids[j - 1];
        c->kids[j] = k;
    }
}

static size_t gate_minlen(const struct hb_litset *g)
{
    size_t i, m = (size_t)-1;

    for (i = 0; i < g->n; i++)
        if (strlen(g->lit[i]) < m)
            m = strlen(g->lit[i]);
    return g->n ? m : 0;
}

/* A set of literals one of which every match of c contains; n = 0 when c
   promises none. */
static void derive_gate(const struct hb_cond *c, struct hb_litset *g)
{
    struct hb_litset k;
    size_t i, j;

    g->n = 0;
    switch (c->op) {
    case HB_COND_LEAF:
        if (hb_leaf_table[c->leaf].type != HB_LT_REGEX ||
            !hb_leaf_table[c->leaf].in_text)
            return;
        if (!hb_regex_literals(c->rx.pattern, MIN_DERIVED_LITERAL, g))
            g->n = 0;
        return;
    case HB_COND_ALL:
        /* any conjunct's gate will do: take the most selective */
        for (i = 0; i < c->nkids; i++) {
            derive_gate(c->kids[i], &k);
            if (k.n == 0)
                continue;
            if (g->n == 0 || gate_minlen(&k) > gate_minlen(g) ||
                (gate_minlen(&k) == gate_minlen(g) && k.n < g->n))
                *g = k;
        }
        return;
    case HB_COND_ANY:
        /* every alternative needs a gate; the gate is their union */
        for (i = 0; i < c->nkids; i++) {
            derive_gate(c->kids[i], &k);
            if (k.n == 0 || g->n + k.n > HB_RULE_MAX_LITERALS) {
                g->n = 0;
                return;
            }
            for (j = 0; j < k.n; j++) {
                memcpy(g->lit[g->n], k.lit[j], sizeof g->lit[0]);
                g->caseless[g->n] = k.caseless[j];
                g->n++;
            }
        }
        return;
    case HB_COND_NOT:
        return;
    }
}

static void set_lengths(struct hb_rule *r)
{
    size_t i;

    r->lit_len = hb_arena_alloc(&r->arena, (r->nliterals ? r->nliterals : 1) *
                                               sizeof *r->lit_len);
    for (i = 0; i < r->nliterals; i++)
        r->lit_len[i] = strlen(r->literals[i]);
}

/* The literal gate derived from the patterns, when none was declared. */
static void derive_literal_gate(struct hb_rule *r)
{
    struct hb_litset *g = hb_xmalloc(sizeof *g);
    size_t i;

    derive_gate(r->cond, g);
    r->nliterals = 0;
    if (g->n > 0) {
        r->literals = hb_arena_alloc(&r->arena, g->n * sizeof *r->literals);
        r->lit_caseless =
            hb_arena_alloc(&r->arena, g->n * sizeof *r->lit_caseless);
        for (i = 0; i < g->n; i++) {
            r->literals[i] = hb_arena_strdup(&r->arena, g->lit[i]);
            r->lit_caseless[i] = g->caseless[i];
        }
        r->nliterals = g->n;
    }
    free(g);
}

/* ---- the signature ---------------------------------------------------------
 *
 * A conjunction of clauses that every match satisfies (rules_int.h). Each
 * condition gives one, bottom up: a leaf the features its truth implies
 * (a code leaf: a code of that kind; a regex leaf on a field that is
 * skipped when empty: that field) and, for a pattern over the record text,
 * the literals one of which it requires; all: the clauses of every member;
 * any: the disjunction, distributed (a or b for a clause a of one member
 * and b of the next); not: nothing, since a false leaf says little. Every
 * step may drop a clause (too many, too many literals), which only weakens
 * the conjunction, so the result stays a necessary condition.
 */

_Static_assert(HB_FT_COUNT <= 64, "record features fit a uint64_t");

const char *const hb_ft_levels[HB_FT_NLEVELS] = {"TRACE", "DEBUG", "INFO",
                                                 "WARN",  "ERROR", "FATAL"};

/* A clause or signature being derived; literals are in the rule arena. */
struct wclause {
    uint64_t features;
    const char *lits[HB_SIG_MAX_LITS];
    size_t nlits;
};

struct wsig {
    struct wclause c[HB_SIG_MAX_CLAUSES];
    size_t n;
};

static uint64_t ft(unsigned f)
{
    return (uint64_t)1 << f;
}

/* The HB_FT_LEVEL offset of a level name, -1 for none. */
static int level_bit(const char *s)
{
    int i;

    for (i = 0; i < HB_FT_NLEVELS; i++)
        if (strcmp(hb_ft_levels[i], s) == 0)
            return i;
    return -1;
}

/* The HB_FT_FORMAT offset of a format name, -1 for none. */
static int format_bit(const char *s)
{
    const struct hb_format *t;
    size_t i, n;

    if (strcmp(s, "plain") == 0)
        return 0;
    t = hb_format_table(&n);
    for (i = 0; i < n && i + 1 < HB_FT_NFORMATS; i++)
        if (strcmp(t[i].name, s) == 0)
            return (int)i + 1;
    return -1;
}

/* Features one of which a true leaf implies; 0 when it implies none that
   is tracked. */
static uint64_t leaf_features(const struct hb_cond *c)
{
    uint64_t f = 0;
    size_t i;
    int b;

    switch (c->leaf) {
    case HB_LEAF_LEVEL:
        for (i = 0; i < c->nvals; i++) {
            if ((b = level_bit(c->names[i])) < 0)
                return 0;
            f |= ft(HB_FT_LEVEL + (unsigned)b);
        }
        return f;
    case HB_LEAF_FORMAT:
        for (i = 0; i < c->nvals; i++) {
            if ((b = format_bit(c->names[i])) < 0)
                return 0;
            f |= ft(HB_FT_FORMAT + (unsigned)b);
        }
        return f;
    case HB_LEAF_EVENT:
        for (i = 0; i < c->nvals; i++) {
            if (c->events[i] < 0 || c->events[i] >= HB_FT_NEVENTS)
                return 0;
            f |= ft(HB_FT_EVENT + (unsigned)c->events[i]);
        }
        return f;
    case HB_LEAF_SDK_CODE:
        return ft(HB_FT_SDK_CODE); /* no range holds 0 (rules.c) */
    case HB_LEAF_GO_CODE:
        return ft(HB_FT_GO_CODE);
    case HB_LEAF_SERVER_CODE:
        return ft(HB_FT_SERVER_CODE);
    case HB_LEAF_SDK_NAME:
        return ft(HB_FT_SDK_NAME);
    case HB_LEAF_GRPC_STATUS:
        return ft(HB_FT_GRPC_STATUS);
    case HB_LEAF_POLARIS:
        return ft(c->flag ? HB_FT_POLARIS : HB_FT_NOT_POLARIS);
    case HB_LEAF_FAILURE:
        return ft(c->flag ? HB_FT_FAILURE : HB_FT_NOT_FAILURE);
    /* regex leaves that leaf_regex skips when their field is empty */
    case HB_LEAF_SERVER_INFO:
        return ft(HB_FT_SERVER_INFO);
    case HB_LEAF_GRPC_DESC:
        return ft(HB_FT_GRPC_DESC);
    case HB_LEAF_SERVER_ADDR:
        return ft(HB_FT_SERVER_ADDR);
    case HB_LEAF_LOGGER:
        return ft(HB_FT_LOGGER);
    case HB_LEAF_THREAD:
        return ft(HB_FT_THREAD);
    case HB_LEAF_EXCEPTION:
    case HB_LEAF_EXCEPTION_MESSAGE:
    case HB_LEAF_ROOT_EXCEPTION:
        return ft(HB_FT_CHAIN);
    default:
        return 0; /* message, head, text, source: an empty one is matched */
    }
}

static bool same_clause(const struct wclause *a, const struct wclause *b)
{
    size_t i;

    if (a->features != b->features || a->nlits != b->nlits)
        return false;
    for (i = 0; i < a->nlits; i++)
        if (strcmp(a->lits[i], b->lits[i]) != 0)
            return false;
    return true;
}

/* Adds a clause unless s is full or already has it. */
static void sig_push(struct wsig *s, const struct wclause *cl)
{
    size_t i;

    if (cl->features == 0 && cl->nlits == 0)
        return; /* not derived from anything: keep nothing */
    for (i = 0; i < s->n; i++)
        if (same_clause(&s->c[i], cl))
            return;
    if (s->n < HB_SIG_MAX_CLAUSES)
        s->c[s->n++] = *cl;
}

/* Adds lit to cl (once); false when cl has no room left. */
static bool clause_add_lit(struct wclause *cl, const char *lit)
{
    size_t i;

    for (i = 0; i < cl->nlits; i++)
        if (strcmp(cl->lits[i], lit) == 0)
            return true;
    if (cl->nlits == HB_SIG_MAX_LITS)
        return false;
    cl->lits[cl->nlits++] = lit;
    return true;
}

/* The lower-case copy of lit in the rule arena; NULL for "", which every
   text holds, so no clause can be made of it. */
static const char *lower_lit(struct hb_rule *r, const char *lit)
{
    char *low;
    size_t i;

    if (lit[0] == '\0')
        return NULL;
    low = hb_arena_strdup(&r->arena, lit);
    for (i = 0; low[i]; i++)
        if (low[i] >= 'A' && low[i] <= 'Z')
            low[i] = (char)(low[i] - 'A' + 'a');
    return low;
}

/* The clause "the text holds one of lits[0..n)"; false when none can be
   made (too many, or an empty literal). */
static bool literal_clause(struct hb_rule *r, const char *const *lits, size_t n,
                           struct wclause *cl)
{
    size_t i;

    memset(cl, 0, sizeof *cl);
    for (i = 0; i < n; i++) {
        const char *low = lower_lit(r, lits[i]);

        if (low == NULL || !clause_add_lit(cl, low))
            return false;
    }
    return n > 0;
}

#define MAX_REGEX_CLAUSES 4 /* clauses taken from one pattern */

static void sig_leaf(struct hb_rule *r, const struct hb_cond *c, struct wsig *s)
{
    struct wclause cl;
    struct hb_litset *g;
    const char *lits[HB_RULE_MAX_LITERALS];
    size_t i, k, n;

    memset(&cl, 0, sizeof cl);
    cl.features = leaf_features(c);
    sig_push(s, &cl);
    if (hb_leaf_table[c->leaf].type != HB_LT_REGEX ||
        !hb_leaf_table[c->leaf].in_text)
        return;
    /* a slice of the text: the literals the pattern needs are in it; a
       pattern of one branch needs each of its runs and required groups */
    g = hb_xmalloc(MAX_REGEX_CLAUSES * sizeof *g);
    if (hb_regex_literals(c->rx.pattern, MIN_DERIVED_LITERAL, g) && g->n) {
        for (i = 0; i < g->n; i++)
            lits[i] = g->lit[i];
        if (literal_clause(r, lits, g->n, &cl))
            sig_push(s, &cl);
    }
    n = hb_regex_clauses(c->rx.pattern, MIN_DERIVED_LITERAL, g,
                         MAX_REGEX_CLAUSES);
    for (k = 0; k < n; k++) {
        for (i = 0; i < g[k].n; i++)
            lits[i] = g[k].lit[i];
        memset(&cl, 0, sizeof cl);
        if (literal_clause(r, lits, g[k].n, &cl))
            sig_push(s, &cl);
    }
    free(g);
}

/* a or b into dst; false when the literals do not fit (no clause). */
static bool clause_or(const struct wclause *a, const struct wclause *b,
                      struct wclause *dst)
{
    size_t i;

    *dst = *a;
    dst->features |= b->features;
    for (i = 0; i < b->nlits; i++)
        if (!clause_add_lit(dst, b->lits[i]))
            return false;
    return true;
}

/* s = s or t, distributed over the clauses. */
static void sig_or(struct wsig *s, const struct wsig *t)
{
    struct wsig *acc = hb_xmalloc(sizeof *acc);
    struct wclause cl;
    size_t i, j;

    acc->n = 0;
    for (i = 0; i < s->n; i++)
        for (j = 0; j < t->n; j++)
            if (clause_or(&s->c[i], &t->c[j], &cl))
                sig_push(acc, &cl);
    *s = *acc;
    free(acc);
}

static void derive_sig(struct hb_rule *r, const struct hb_cond *c,
                       struct wsig *s)
{
    struct wsig *k;
    size_t i, j;

    s->n = 0;
    switch (c->op) {
    case HB_COND_LEAF:
        sig_leaf(r, c, s);
        return;
    case HB_COND_ALL:
        k = hb_xmalloc(sizeof *k);
        for (i = 0; i < c->nkids; i++) {
            derive_sig(r, c->kids[i], k);
            for (j = 0; j < k->n; j++)
                sig_push(s, &k->c[j]);
        }
        free(k);
        return;
    case HB_COND_ANY:
        k = hb_xmalloc(sizeof *k);
        for (i = 0; i < c->nkids; i++) {
            derive_sig(r, c->kids[i], i == 0 ? s : k);
            if (i > 0)
                sig_or(s, k);
            if (s->n == 0)
                break; /* a member without clauses: the any has none */
        }
        free(k);
        return;
    case HB_COND_NOT:
        return;
    }
}

/* Copies s into r->sig, clauses without literals first: they need no scan
   of the text. */
static void store_sig(struct hb_rule *r, const struct wsig *s)
{
    size_t i, k, pass;

    r->sig.n = 0;
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < s->n; i++) {
            const struct wclause *w = &s->c[i];
            struct hb_sig_clause *cl;

            if ((w->nlits > 0) != (pass == 1))
                continue;
            cl = &r->sig.clause[r->sig.n++];
            cl->features = w->features;
            cl->nlits = w->nlits;
            cl->lits = NULL;
            if (w->nlits == 0)
                continue;
            cl->lits = hb_arena_alloc(&r->arena, w->nlits * sizeof *cl->lits);
            for (k = 0; k < w->nlits; k++)
                cl->lits[k] = w->lits[k];
        }
    }
}

/* Every literal of the gate is compared ignoring case. */
static bool gate_caseless(const struct hb_rule *r)
{
    size_t i;

    for (i = 0; i < r->nliterals; i++)
        if (r->lit_caseless == NULL || !r->lit_caseless[i])
            return false;
    return true;
}

/* The condition's clauses and the literal gate's (declared literals are
   part of the rule; derived ones are implied by the condition, but a
   clause dropped on the way may have held them). */
static void derive_signature(struct hb_rule *r)
{
    struct wsig *s = hb_xmalloc(sizeof *s);
    struct wsig *all = hb_xmalloc(sizeof *all);
    struct wclause cl;
    size_t i;

    all->n = 0;
    if (literal_clause(r, r->literals, r->nliterals, &cl)) {
        sig_push(all, &cl);
        r->sig_implies_gate = all->n == 1 && gate_caseless(r);
    }
    derive_sig(r, r->cond, s);
    for (i = 0; i < s->n; i++)
        sig_push(all, &s->c[i]);
    store_sig(r, all);
    free(all);
    free(s);
}

void hb_match_prepare(struct hb_rule *r)
{
    if (r->cond == NULL)
        return;
    prepare_cond(r->cond);
    if (!r->literals_declared)
        derive_literal_gate(r);
    set_lengths(r);
    derive_signature(r);
}

/* ---- the matcher ----------------------------------------------------------
 */

struct ranked {
    struct hb_hit *hit;
    double weight;
    int severity;
    size_t index;
};

#define NO_KEY SIZE_MAX

/*
 * With the gate on, a record meets only its candidate rules. Each rule's
 * signature has one key clause (the most selective by a guess, see
 * key_rank) that indexes it: by_feat[f] holds the rules whose key clause
 * has feature f, by_lit[id] those whose key clause has literal id, and one
 * case-folding automaton holds the key clauses' literals. A rule is a
 * candidate when its key clause holds (or it has no clause); its other
 * clauses, then the literal gate and the cheap leaves, are checked next.
 */
struct hb_matcher {
    const struct hb_ruleset *rs; /* borrowed */
    pcre2_match_data *md;        /* owned, like everything below */
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit;
    struct hb_rule_stats *stats; /* rs->n */
    struct hb_hit *hits;         /* rs->n: this record's hits */
    struct ranked *rank;         /* rs->n */
    bool gate;
    bool timing;   /* measure regex time (stats.nanos) */
    size_t *key;   /* rs->n: the key clause in the rule's sig, or NO_KEY */
    uint64_t used; /* features some clause asks for */
    /* the index; rule sets are bitsets of nwords words */
    size_t nwords;
    uint64_t *always;      /* rules without a clause */
    uint64_t *lit_keyed;   /* rules whose key clause has literals */
    uint64_t *by_feat;     /* HB_FT_COUNT sets */
    uint64_t *by_lit;      /* nlits sets */
    uint64_t *cand;        /* this record's candidates */
    uint64_t key_features; /* features of some key clause */
    struct hb_pf *pf;      /* the key literals; NULL when the fast path is
                              off or they do not fit: every rule keyed by
                              literals is then a candidate */
    size_t nlits;
    size_t lit_base; /* key literal id 0 is automaton id lit_base:
                        the extraction's literals come first when
                        they fit (hb_matcher_scan), then the
                        Throwable names (from names_base), else 0 */
    size_t names_base, nnames;
    struct hb_pf_hits *seen;          /* this record's scan */
    const struct hb_pf_hits *scanned; /* this record's scan when there is
                                         one (seen or the caller's) */
    /* the literals of rule i's clause k, from cl_first[i * MAX + k]: the
       automaton id of each (-1: not in it, searched in the text) and its
       length */
    size_t *cl_first;
    int32_t *cl_id;
    size_t *cl_len;
    /* clause literals searched in the text, numbered once per distinct
       string (cl_memo[at]); this record's answers so far: bit j of known
       says memo j was searched, bit j of found what it said */
    uint32_t *cl_memo;
    size_t nmemo;
    uint64_t *memo_known, *memo_found;
};

/* What a record offers to the leaves. */
struct subject {
    const struct hb_record *rec;
    const struct hb_polaris *pol;
    struct hb_rule_stats *st;
};

static void set_bit(uint64_t *set, size_t i)
{
    set[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Features common enough that a clause holding one selects little. */
#define COMMON_FEATURES                                                        \
    (ft(HB_FT_LOGGER) | ft(HB_FT_THREAD) | ft(HB_FT_CHAIN) |                   \
     ft(HB_FT_POLARIS) | ft(HB_FT_NOT_POLARIS) | ft(HB_FT_FAILURE) |           \
     ft(HB_FT_NOT_FAILURE) |                                                   \
     (((uint64_t)1 << HB_FT_NLEVELS) - 1) << HB_FT_LEVEL |                     \
     (((uint64_t)1 << HB_FT_NFORMATS) - 1) << HB_FT_FORMAT)

/* How good a key a clause makes, lower is better (a guess: no frequencies
   are known): rare features alone, then literals, the longer the shortest
   one the better, then clauses with a common feature. */
static size_t key_rank(const struct hb_sig_clause *c)
{
    size_t i, shortest = 255;

    if (c->features & COMMON_FEATURES)
        return 1000;
    if (c->nlits == 0)
        return 0;
    for (i = 0; i < c->nlits; i++)
        if (strlen(c->lits[i]) < shortest)
            shortest = strlen(c->lits[i]);
    return 1 + (255 - shortest);
}

/* The index of r's key clause, NO_KEY when it has no clause. */
static size_t pick_key(const struct hb_rule *r)
{
    size_t j, key = NO_KEY, best = 0;

    for (j = 0; j < r->sig.n; j++) {
        size_t rank = key_rank(&r->sig.clause[j]);

        if (key == NO_KEY || rank < best) {
            key = j;
            best = rank;
        }
    }
    return key;
}

/* The id of lit among lits[0..*n), added when new. */
static size_t literal_id(const char **lits, size_t *n, const char *lit)
{
    size_t i;

    for (i = 0; i < *n; i++)
        if (strcmp(lits[i], lit) == 0)
            return i;
    lits[*n] = lit;
    return (*n)++;
}

/* Indexes rule i by its key clause; the clause's literals join lits. */
static void index_rule(struct hb_matcher *m, size_t i, const char **lits,
                       size_t *nlits)
{
    const struct hb_sig *sig = &m->rs->rules[i]->sig;
    const struct hb_sig_clause *k;
    uint64_t f;
    size_t j;

    m->key[i] = pick_key(m->rs->rules[i]);
    if (m->key[i] == NO_KEY) {
        set_bit(m->always, i);
        return;
    }
    k = &sig->clause[m->key[i]];
    m->key_features |= k->features;
    for (f = k->features; f; f &= f - 1)
        set_bit(m->by_feat + (size_t)__builtin_ctzll(f) * m->nwords, i);
    if (k->nlits)
        set_bit(m->lit_keyed, i);
    for (j = 0; j < k->nlits; j++)
        set_bit(m->by_lit + literal_id(lits, nlits, k->lits[j]) * m->nwords, i);
}

/*
 * One automaton for the extraction's literals (exact, ids first), the
 * Throwable names (exact, for the chain parse) and the key literals (in
 * any case), so each record is scanned once for all three; the key
 * literals alone when they do not fit together.
 */
static void build_automaton(struct hb_matcher *m, const char **keys)
{
    size_t ne, nn, i;
    const char *const *ex = hb_extract_literals(&ne);
    const char *const *names = hb_throwable_names(&nn);
    size_t base = ne + nn;
    const char **all = hb_xcalloc(base + m->nlits + 1, sizeof *all);
    bool *nocase = hb_xcalloc(base + m->nlits + 1, sizeof *nocase);

    for (i = 0; i < ne; i++)
        all[i] = ex[i];
    for (i = 0; i < nn; i++)
        all[ne + i] = names[i];
    for (i = 0; i < m->nlits; i++) {
        all[base + i] = keys[i];
        nocase[base + i] = true;
    }
    m->pf = hb_pf_new_mixed(all, nocase, base + m->nlits);
    m->lit_base = base;
    m->names_base = ne;
    m->nnames = nn;
    if (m->pf == NULL) {
        m->pf = hb_pf_new_nocase(keys, m->nlits);
        m->lit_base = 0;
        m->nnames = 0;
    }
    free(all);
    free(nocase);
}

/* Each clause literal's automaton id when it is a key literal there (its
   bit then answers for it), and its length. */
static void map_clause_literals(struct hb_matcher *m, const char **keys,
                                size_t nkeylits)
{
    const struct hb_ruleset *rs = m->rs;
    const char **memo;
    size_t i, k, j, t, at = 0;

    m->cl_first =
        hb_xcalloc(rs->n * HB_SIG_MAX_CLAUSES + 1, sizeof *m->cl_first);
    m->cl_id = hb_xcalloc(nkeylits + 1, sizeof *m->cl_id);
    m->cl_len = hb_xcalloc(nkeylits + 1, sizeof *m->cl_len);
    m->cl_memo = hb_xcalloc(nkeylits + 1, sizeof *m->cl_memo);
    memo = hb_xcalloc(nkeylits + 1, sizeof *memo);
    for (i = 0; i < rs->n; i++) {
        const struct hb_sig *sig = &rs->rules[i]->sig;

        for (k = 0; k < sig->n; k++) {
            m->cl_first[i * HB_SIG_MAX_CLAUSES + k] = at;
            for (j = 0; j < sig->clause[k].nlits; j++, at++) {
                const char *lit = sig->clause[k].lits[j];

                m->cl_len[at] = strlen(lit);
                m->cl_id[at] = -1;
                for (t = 0; m->pf && t < m->nlits; t++)
                    if (strcmp(keys[t], lit) == 0)
                        m->cl_id[at] = (int32_t)(m->lit_base + t);
                if (m->cl_id[at] < 0)
                    m->cl_memo[at] = (uint32_t)literal_id(memo, &m->nmemo, lit);
            }
        }
    }
    m->memo_known = hb_xcalloc(m->nmemo / 64 + 1, sizeof *m->memo_known);
    m->memo_found = hb_xcalloc(m->nmemo / 64 + 1, sizeof *m->memo_found);
    free(memo);
}

/* The key clauses, the index and (on the fast path) the automaton. */
static void build_index(struct hb_matcher *m)
{
    const struct hb_ruleset *rs = m->rs;
    const char **lits;
    size_t i, j, nkeylits = 0;

    for (i = 0; i < rs->n; i++) {
        for (j = 0; j < rs->rules[i]->sig.n; j++) {
            nkeylits += rs->rules[i]->sig.clause[j].nlits; /* a bound */
            m->used |= rs->rules[i]->sig.clause[j].features;
        }
    }
    m->key = hb_xcalloc(rs->n + 1, sizeof *m->key);
    m->nwords = rs->n / 64 + 1;
    m->always = hb_xcalloc(m->nwords, sizeof *m->always);
    m->lit_keyed = hb_xcalloc(m->nwords, sizeof *m->lit_keyed);
    m->cand = hb_xcalloc(m->nwords, sizeof *m->cand);
    m->by_feat = hb_xcalloc(HB_FT_COUNT * m->nwords, sizeof *m->by_feat);
    m->by_lit = hb_xcalloc((nkeylits + 1) * m->nwords, sizeof *m->by_lit);
    lits = hb_xcalloc(nkeylits + 1, sizeof *lits);
    for (i = 0; i < rs->n; i++)
        index_rule(m, i, lits, &m->nlits);
    if (hb_fastpath_enabled())
        build_automaton(m, lits);
    if (m->pf)
        m->seen = hb_xmalloc(sizeof *m->seen);
    map_clause_literals(m, lits, nkeylits);
    free(lits);
}

struct hb_matcher *hb_matcher_new(const struct hb_ruleset *rs)
{
    struct hb_matcher *m = hb_xcalloc(1, sizeof *m);
    size_t n = rs->n ? rs->n : 1;

    m->rs = rs;
    m->md = pcre2_match_data_create(rs->max_groups + 1, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    m->jit = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
    if (m->md == NULL || m->mctx == NULL)
        hb_die("pcre2: out of memory");
    pcre2_set_match_limit(m->mctx, HB_MATCH_LIMIT);
    pcre2_set_depth_limit(m->mctx, HB_DEPTH_LIMIT);
    if (m->jit)
        pcre2_jit_stack_assign(m->mctx, NULL, m->jit);
    m->stats = hb_xcalloc(n, sizeof *m->stats);
    m->hits = hb_xcalloc(n, sizeof *m->hits);
    m->rank = hb_xcalloc(n, sizeof *m->rank);
    /* HBSCAN_NO_FASTPATH: every rule evaluated in full, as a reference */
    m->gate = hb_fastpath_enabled();
    m->timing = true;
    build_index(m);
    return m;
}

void hb_matcher_tune(struct hb_matcher *m, const char *sample, size_t n)
{
    if (m->pf && sample && n)
        hb_pf_tune(m->pf, sample, n);
}

void hb_matcher_free(struct hb_matcher *m)
{
    if (m == NULL)
        return;
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    pcre2_jit_stack_free(m->jit);
    free(m->stats);
    free(m->hits);
    free(m->rank);
    free(m->cl_first);
    free(m->cl_id);
    free(m->cl_memo);
    free(m->memo_known);
    free(m->memo_found);
    free(m->cl_len);
    free(m->key);
    free(m->always);
    free(m->lit_keyed);
    free(m->by_feat);
    free(m->by_lit);
    free(m->cand);
    hb_pf_free(m->pf);
    free(m->seen);
    free(m);
}

void hb_matcher_set_gate(struct hb_matcher *m, bool on)
{
    m->gate = on;
}

void hb_matcher_set_timing(struct hb_matcher *m, bool on)
{
    m->timing = on;
}

const struct hb_rule_stats *hb_matcher_stats(const struct hb_matcher *m,
                                             size_t i)
{
    return i < m->rs->n ? &m->stats[i] : NULL;
}

static void add_capture(struct hb_hit *hit, const char *name, const char *v,
                        size_t n)
{
    struct hb_capture *c;
    int i;

    for (i = 0; i < hit->ncaps; i++)
        if (strcmp(hit->caps[i].name, name) == 0)
            return; /* the first value of a name wins */
    if (hit->ncaps >= HB_MAX_CAPS)
        return;
    c = &hit->caps[hit->ncaps++];
    snprintf(c->name, sizeof c->name, "%s", name);
    if (n > HB_CAP_VALUE_MAX) {
        n = HB_CAP_VALUE_MAX;
        /* do not cut a UTF-8 sequence in two */
        while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
            n--;
    }
    hb_strlcpy(c->value, v, n, sizeof c->value);
}

/* One pattern over one string; records captures on a match. */
static bool run_regex(struct hb_matcher *m, struct subject *x,
                      const struct hb_regex *rx, struct hb_str s,
                      struct hb_hit *hit)
{
    uint64_t t0 = m->timing ? hb_mono_ns() : 0;
    PCRE2_SIZE *ov;
    uint32_t i, npairs;
    int rc;

    rc = pcre2_match(rx->code, (PCRE2_SPTR)(s.p ? s.p : ""), s.n, 0, 0, m->md,
                     m->mctx);
    if (m->timing)
        x->st->nanos += hb_mono_ns() - t0;
    if (rc < 0) {
        if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
            rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
            x->st->limit_hits++;
        return false;
    }
    if (rx->nnames == 0 || hit == NULL)
        return true;
    ov = pcre2_get_ovector_pointer(m->md);
    npairs = rc == 0 ? pcre2_get_ovector_count(m->md) : (uint32_t)rc;
    for (i = 0; i < rx->nnames; i++) {
        uint32_t g = rx->names[i].group;

        if (g >= npairs || ov[2 * g] == PCRE2_UNSET)
            continue;
        add_capture(hit, rx->names[i].name, s.p + ov[2 * g],
                    ov[2 * g + 1] - ov[2 * g]);
    }
    return true;
}

static bool has(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static struct hb_str cstr(const char *s)
{
    return (struct hb_str){s, s ? strlen(s) : 0};
}

static bool leaf_regex(struct hb_matcher *m, struct subject *x,
                       const struct hb_cond *c, struct hb_hit *hit)
{
    const struct hb_record *rec = x->rec;
    const struct hb_polaris *pol = x->pol;
    const struct hb_regex *rx = &c->rx;
    int i;

    switch (c->leaf) {
    case HB_LEAF_MESSAGE:
        if (rec->hdr.message.p == NULL || strcmp(rec->format, "plain") == 0)
            return run_regex(m, x, rx, rec->head, hit);
        return run_regex(m, x, rx, rec->hdr.message, hit);
    case HB_LEAF_HEAD:
        return run_regex(m, x, rx, rec->head, hit);
    case HB_LEAF_TEXT:
        return run_regex(m, x, rx, rec->text, hit);
    case HB_LEAF_EXCEPTION:
        for (i = 0; i < rec->nchain; i++)
            if (run_regex(m, x, rx, rec->chain[i].cls, hit))
                return true;
        return false;
    case HB_LEAF_EXCEPTION_MESSAGE:
        for (i = 0; i < rec->nchain; i++)
            if (rec->chain[i].msg.p &&
                run_regex(m, x, rx, rec->chain[i].msg, hit))
                return true;
        return false;
    case HB_LEAF_ROOT_EXCEPTION:
        return rec->nchain > 0 &&
               run_regex(m, x, rx, rec->chain[rec->nchain - 1].cls, hit);
    case HB_LEAF_LOGGER:
        return rec->hdr.logger.n > 0 &&
               run_regex(m, x, rx, rec->hdr.logger, hit);
    case HB_LEAF_THREAD:
        return rec->hdr.thread.n > 0 &&
               run_regex(m, x, rx, rec->hdr.thread, hit);
    case HB_LEAF_SERVER_INFO:
        return has(pol->server_info) &&
               run_regex(m, x, rx, cstr(pol->server_info), hit);
    case HB_LEAF_GRPC_DESC:
        return has(pol->grpc_desc) &&
               run_regex(m, x, rx, cstr(pol->grpc_desc), hit);
    case HB_LEAF_SERVER_ADDR:
        return has(pol->server_addr) &&
               run_regex(m, x, rx, cstr(pol->server_addr), hit);
    case HB_LEAF_SOURCE:
        return has(rec->source) && run_regex(m, x, rx, cstr(rec->source), hit);
    default:
        return false;
    }
}

static bool in_ranges(const struct hb_cond *c, long v)
{
    size_t i;

    if (v == 0)
        return false;
    for (i = 0; i < c->nvals; i++)
        if (v >= c->ranges[i].lo && v <= c->ranges[i].hi)
            return true;
    return false;
}

/* A code leaf matches the headline code or any code of that kind seen. */
static bool code_leaf(const struct hb_cond *c, const struct hb_polaris *pol,
                      int headline, enum hb_code_kind kind)
{
    int i;

    if (in_ranges(c, headline))
        return true;
    for (i = 0; i < pol->ncodes && i < HB_MAX_CODES; i++)
        if (pol->codes[i].kind == kind && in_ranges(c, pol->codes[i].num))
            return true;
    return false;
}

static bool in_names(const struct hb_cond *c, const char *s)
{
    size_t i;

    if (!has(s))
        return false;
    for (i = 0; i < c->nvals; i++)
        if (strcmp(c->names[i], s) == 0)
            return true;
    return false;
}

/* The leaves that need no regex. */
static bool leaf_cheap(const struct subject *x, const struct hb_cond *c)
{
    const struct hb_polaris *pol = x->pol;
    size_t i;

    switch (c->leaf) {
    case HB_LEAF_LEVEL:
        return in_names(c, x->rec->hdr.level);
    case HB_LEAF_SDK_CODE:
        return code_leaf(c, pol, pol->sdk_code, HB_CODE_SDK);
    case HB_LEAF_SDK_NAME:
        return in_names(c, pol->sdk_name);
    case HB_LEAF_SERVER_CODE:
        return code_leaf(c, pol, pol->server_code, HB_CODE_SERVER);
    case HB_LEAF_GO_CODE:
        return code_leaf(c, pol, pol->go_code, HB_CODE_GO);
    case HB_LEAF_GRPC_STATUS:
        return in_names(c, pol->grpc_status);
    case HB_LEAF_EVENT:
        for (i = 0; i < c->nvals; i++)
            if ((int)pol->event == c->events[i])
                return true;
        return false;
    case HB_LEAF_FORMAT:
        return in_names(c, x->rec->format ? x->rec->format : "plain");
    case HB_LEAF_POLARIS:
        return pol->polaris == c->flag;
    case HB_LEAF_FAILURE:
        return pol->failure == c->flag;
    default:
        return false;
    }
}

enum tri { T_FALSE, T_TRUE, T_UNKNOWN };

/* The cheap leaves only; a regex leaf is unknown (Kleene logic). */
static enum tri pre_eval(const struct subject *x, const struct hb_cond *c)
{
    enum tri res, r;
    size_t i;

    switch (c->op) {
    case HB_COND_LEAF:
        if (hb_leaf_table[c->leaf].type == HB_LT_REGEX)
            return T_UNKNOWN;
        return leaf_cheap(x, c) ? T_TRUE : T_FALSE;
    case HB_COND_ALL:
        res = T_TRUE;
        for (i = 0; i < c->nkids; i++) {
            r = pre_eval(x, c->kids[i]);
            if (r == T_FALSE)
                return T_FALSE;
            if (r == T_UNKNOWN)
                res = T_UNKNOWN;
        }
        return res;
    case HB_COND_ANY:
        res = T_FALSE;
        for (i = 0; i < c->nkids; i++) {
            r = pre_eval(x, c->kids[i]);
            if (r == T_TRUE)
                return T_TRUE;
            if (r == T_UNKNOWN)
                res = T_UNKNOWN;
        }
        return res;
    case HB_COND_NOT:
        r = pre_eval(x, c->kids[0]);
        return r == T_UNKNOWN ? T_UNKNOWN : r == T_TRUE ? T_FALSE : T_TRUE;
    }
    return T_UNKNOWN;
}

/* Full evaluation; captures of a subtree that turns out false are undone. */
static bool eval(struct hb_matcher *m, struct subject *x,
                 const struct hb_cond *c, struct hb_hit *hit)
{
    int mark = hit->ncaps;
    size_t i;

    switch (c->op) {
    case HB_COND_LEAF:
        if (hb_leaf_table[c->leaf].type == HB_LT_REGEX)
            return leaf_regex(m, x, c, hit);
        return leaf_cheap(x, c);
    case HB_COND_ALL:
        for (i = 0; i < c->nkids; i++) {
            if (!eval(m, x, c->kids[i], hit)) {
                hit->ncaps = mark;
                return false;
            }
        }
        return true;
    case HB_COND_ANY:
        for (i = 0; i < c->nkids; i++) {
            if (eval(m, x, c->kids[i], hit))
                return true;
            hit->ncaps = mark;
        }
        return false;
    case HB_COND_NOT: {
        bool r = eval(m, x, c->kids[0], hit);

        hit->ncaps = mark; /* nothing under a not is evidence */
        return !r;
    }
    }
    return false;
}

static inline unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Whether p[0..n) is lit[0..n) in ASCII case folding. */
static bool same_ci(const char *p, const char *lit, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (lower((unsigned char)p[i]) != lower((unsigned char)lit[i]))
            return false;
    return true;
}

/*
 * Whether lit[0..n) occurs in h[0..hn) in ASCII case folding, without a
 * lower-cased copy: sixteen starts at a time have their first and last
 * byte compared with the literal's, OR 0x20 on both (a superset of the
 * folding), and only the starts both fit are compared in full.
 */
static bool find_ci(const char *h, size_t hn, const char *lit, size_t n)
{
    size_t i = 0, last;
    unsigned char a, z;

    if (n == 0)
        return true;
    if (h == NULL || n > hn)
        return false;
    last = hn - n; /* the last start */
    a = (unsigned char)(lower((unsigned char)lit[0]) | 0x20);
    z = (unsigned char)(lower((unsigned char)lit[n - 1]) | 0x20);
#ifdef __SSE2__
    {
        const __m128i or = _mm_set1_epi8(0x20), va = _mm_set1_epi8((char)a),
                      vz = _mm_set1_epi8((char)z);

        for (; i + 16 <= last + 1; i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(h + i));
            __m128i y =
                _mm_loadu_si128((const __m128i *)(const void *)(h + i + n - 1));
            unsigned bits = (unsigned)_mm_movemask_epi8(
                _mm_and_si128(_mm_cmpeq_epi8(_mm_or_si128(x, or), va),
                              _mm_cmpeq_epi8(_mm_or_si128(y, or), vz)));

            for (; bits; bits &= bits - 1)
                if (same_ci(h + i + (unsigned)__builtin_ctz(bits), lit, n))
                    return true;
        }
    }
#endif
    for (; i <= last; i++)
        if (((unsigned char)h[i] | 0x20) == a &&
            ((unsigned char)h[i + n - 1] | 0x20) == z && same_ci(h + i, lit, n))
            return true;
    return false;
}

/* How common a byte is in log text, roughly (higher: commoner). */
static int byte_rank(unsigned char c)
{
    static const unsigned char byte_ranks[256] = {
        [' '] = 38, ['e'] = 37, ['t'] = 36, ['a'] = 35, ['o'] = 34, ['i'] = 33,
        ['n'] = 32, ['s'] = 31, ['r'] = 30, ['l'] = 29, ['c'] = 28, ['d'] = 27,
        ['h'] = 26, ['u'] = 25, ['p'] = 24, ['m'] = 23, ['f'] = 22, ['g'] = 21,
        ['w'] = 20, ['.'] = 19, [':'] = 18, ['0'] = 17, ['1'] = 16, ['2'] = 15,
        ['3'] = 14, ['4'] = 13, ['5'] = 12, ['6'] = 11, ['7'] = 10, ['8'] = 9,
        ['9'] = 8,  ['-'] = 7,  ['_'] = 6,  ['/'] = 5,  [','] = 4,  ['='] = 3,
        ['['] = 2,  [']'] = 1};

    return byte_ranks[c];
}

static bool find_lit(const char *h, size_t hn, const char *lit, size_t n)
{
    const char *p, *end;
    size_t a = 0, j;

    if (n == 0)
        return true;
    if (h == NULL || n > hn)
        return false;
    /* memchr to the literal's rarest byte, not its first */
    for (j = 1; j < n; j++)
        if (byte_rank((unsigned char)lit[j]) < byte_rank((unsigned char)lit[a]))
            a = j;
    p = h + a;
    end = h + (hn - n) + a + 1;
    while (p < end) {
        p = memchr(p, lit[a], (size_t)(end - p));
        if (p == NULL)
            return false;
        if (memcmp(p - a, lit, n) == 0)
            return true;
        p++;
    }
    return false;
}

static bool has_literal(const struct hb_rule *r, struct hb_str text)
{
    size_t i;

    for (i = 0; i < r->nliterals; i++) {
        if (r->lit_caseless && r->lit_caseless[i]
                ? find_ci(text.p, text.n, r->literals[i], r->lit_len[i])
                : find_lit(text.p, text.n, r->literals[i], r->lit_len[i]))
            return true;
    }
    return false;
}

/* The record's features (enum hb_feature); level and format only when a
   clause asks for them. */
static uint64_t record_features(const struct hb_matcher *m,
                                const struct hb_record *rec,
                                const struct hb_polaris *pol)
{
    static const enum hb_feature kind_ft[] = {
        [HB_CODE_SDK] = HB_FT_SDK_CODE,
        [HB_CODE_GO] = HB_FT_GO_CODE,
        [HB_CODE_SERVER] = HB_FT_SERVER_CODE,
    };
    uint64_t f = 0;
    int i, b;

    f |= pol->sdk_code ? ft(HB_FT_SDK_CODE) : 0;
    f |= pol->go_code ? ft(HB_FT_GO_CODE) : 0;
    f |= pol->server_code ? ft(HB_FT_SERVER_CODE) : 0;
    for (i = 0; i < pol->ncodes && i < HB_MAX_CODES; i++)
        if (pol->codes[i].num != 0 &&
            (unsigned)pol->codes[i].kind < HB_ARRAY_LEN(kind_ft))
            f |= ft(kind_ft[pol->codes[i].kind]);
    f |= has(pol->sdk_name) ? ft(HB_FT_SDK_NAME) : 0;
    f |= has(pol->grpc_status) ? ft(HB_FT_GRPC_STATUS) : 0;
    f |= has(pol->server_info) ? ft(HB_FT_SERVER_INFO) : 0;
    f |= has(pol->grpc_desc) ? ft(HB_FT_GRPC_DESC) : 0;
    f |= has(pol->server_addr) ? ft(HB_FT_SERVER_ADDR) : 0;
    f |= rec->hdr.logger.n > 0 ? ft(HB_FT_LOGGER) : 0;
    f |= rec->hdr.thread.n > 0 ? ft(HB_FT_THREAD) : 0;
    f |= rec->nchain > 0 ? ft(HB_FT_CHAIN) : 0;
    f |= ft(pol->polaris ? HB_FT_POLARIS : HB_FT_NOT_POLARIS);
    f |= ft(pol->failure ? HB_FT_FAILURE : HB_FT_NOT_FAILURE);
    if ((unsigned)pol->event < HB_FT_NEVENTS)
        f |= ft(HB_FT_EVENT + (unsigned)pol->event);
    if ((m->used >> HB_FT_LEVEL) & (((uint64_t)1 << HB_FT_NLEVELS) - 1) &&
        (b = level_bit(rec->hdr.level)) >= 0)
        f |= ft(HB_FT_LEVEL + (unsigned)b);
    if ((m->used >> HB_FT_FORMAT) & (((uint64_t)1 << HB_FT_NFORMATS) - 1) &&
        (b = format_bit(rec->format ? rec->format : "plain")) >= 0)
        f |= ft(HB_FT_FORMAT + (unsigned)b);
    return f;
}

static void set_or(uint64_t *dst, const uint64_t *src, size_t nwords)
{
    size_t w;

    for (w = 0; w < nwords; w++)
        dst[w] |= src[w];
}

/* Adds to m->cand the rules keyed by a literal the text holds (in any
   case): one scan of the automaton. */
static void select_by_literals(struct hb_matcher *m, struct hb_str text,
                               const struct hb_pf_hits *scan)
{
    size_t w, id, end = m->lit_base + m->nlits;

    if (scan == NULL) {
        hb_pf_scan(m->pf, text.p ? text.p : "", text.n, m->seen);
        scan = m->scanned = m->seen;
        if (scan->nfound == 0)
            return;
    }
    for (w = m->lit_base / 64; w < (end + 63) / 64; w++) {
        uint64_t bits = scan->bits[w];

        for (; bits; bits &= bits - 1) {
            id = w * 64 + (size_t)__builtin_ctzll(bits);
            if (id < m->lit_base || id >= end)
                continue;
            set_or(m->cand, m->by_lit + (id - m->lit_base) * m->nwords,
                   m->nwords);
        }
    }
}

/* Fills m->cand: every rule with the gate off, else the rules whose key
   clause holds for a record with these features and text, and those
   without a clause. The text is scanned only when a rule keyed by
   literals is not in yet. */
static void select_rules(struct hb_matcher *m, uint64_t features,
                         struct hb_str text, const struct hb_pf_hits *scan)
{
    size_t w, i, nw = m->nwords;
    uint64_t f, missing = 0;

    if (!m->gate) {
        memset(m->cand, 0, nw * sizeof *m->cand);
        for (i = 0; i < m->rs->n; i++)
            set_bit(m->cand, i);
        return;
    }
    memcpy(m->cand, m->always, nw * sizeof *m->cand);
    for (f = features & m->key_features; f; f &= f - 1)
        set_or(m->cand, m->by_feat + (size_t)__builtin_ctzll(f) * nw, nw);
    for (w = 0; w < nw; w++)
        missing |= m->lit_keyed[w] & ~m->cand[w];
    if (missing == 0)
        return;
    if (m->pf == NULL)
        set_or(m->cand, m->lit_keyed, nw);
    else
        select_by_literals(m, text, scan);
}

/* Whether clause literal at occurs in the record's text in any case:
   searched once per record however many rules' clauses hold it. */
static bool text_has(struct hb_matcher *m, size_t at, struct hb_str text,
                     const char *lit)
{
    uint32_t j = m->cl_memo[at];
    uint64_t bit = (uint64_t)1 << (j % 64);

    if (!(m->memo_known[j / 64] & bit)) {
        m->memo_known[j / 64] |= bit;
        if (find_ci(text.p, text.n, lit, m->cl_len[at]))
            m->memo_found[j / 64] |= bit;
        else
            m->memo_found[j / 64] &= ~bit;
    }
    return (m->memo_found[j / 64] & bit) != 0;
}

/* Clause k of rule i: one of its features, or one of its literals in
   any case (the automaton's bit, when it has the literal and ran). */
static bool clause_holds(struct hb_matcher *m, size_t i, size_t k,
                         uint64_t features, struct hb_str text)
{
    const struct hb_sig_clause *c = &m->rs->rules[i]->sig.clause[k];
    size_t j, at = m->cl_first[i * HB_SIG_MAX_CLAUSES + k];

    if (features & c->features)
        return true;
    for (j = 0; j < c->nlits; j++, at++) {
        if (m->cl_id[at] >= 0 && m->scanned) {
            if (hb_pf_has(m->scanned, (size_t)m->cl_id[at]))
                return true;
        } else if (text_has(m, at, text, c->lits[j])) {
            return true;
        }
    }
    return false;
}

/* Candidate rule i's signature; its key clause holds unless the automaton
   could not say. */
static bool sig_holds(struct hb_matcher *m, size_t i, uint64_t features,
                      struct hb_str text)
{
    const struct hb_sig *sig = &m->rs->rules[i]->sig;
    size_t k;

    for (k = 0; k < sig->n; k++) {
        if (k == m->key[i] && m->pf)
            continue;
        if (!clause_holds(m, i, k, features, text))
            return false;
    }
    return true;
}

static bool rule_matches(struct hb_matcher *m, const struct hb_rule *r,
                         struct subject *x, struct hb_hit *hit)
{
    enum tri pre = T_UNKNOWN;

    hit->rule = &r->meta;
    hit->ncaps = 0;
    /* declared literals are part of the rule; derived ones only a filter,
       which a signature that holds may already imply */
    if ((m->gate || r->literals_declared) && r->nliterals &&
        !(m->gate && r->sig_implies_gate) && !has_literal(r, x->rec->text))
        return false;
    if (m->gate) {
        pre = pre_eval(x, r->cond);
        if (pre == T_FALSE)
            return false;
    }
    x->st->tried++;
    if (pre == T_TRUE && !r->cond->has_regex)
        return true;
    return eval(m, x, r->cond, hit);
}

static int rank_cmp(const void *pa, const void *pb)
{
    const struct ranked *a = pa, *b = pb;

    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

const struct hb_pf_hits *hb_matcher_scan(struct hb_matcher *m,
                                         const struct hb_record *rec)
{
    if (m->pf == NULL || m->lit_base == 0)
        return NULL;
    hb_pf_scan(m->pf, rec->text.p ? rec->text.p : "", rec->text.n, m->seen);
    return m->seen;
}

bool hb_matcher_names_throwable(const struct hb_matcher *m,
                                const struct hb_pf_hits *scan, bool *named)
{
    size_t i;

    if (m == NULL || scan == NULL || m->nnames == 0)
        return false;
    *named = false;
    for (i = 0; i < m->nnames; i++)
        if (hb_pf_has(scan, m->names_base + i))
            *named = true;
    return true;
}

int hb_matcher_run(struct hb_matcher *m, const struct hb_record *rec,
                   const struct hb_polaris *pol, const char *only_rule,
                   struct hb_hit *hits, int cap)
{
    return hb_matcher_run_scanned(m, rec, pol, only_rule, hits, cap, NULL);
}

int hb_matcher_run_scanned(struct hb_matcher *m, const struct hb_record *rec,
                           const struct hb_polaris *pol, const char *only_rule,
                           struct hb_hit *hits, int cap,
                           const struct hb_pf_hits *scan)
{
    const struct hb_ruleset *rs = m->rs;
    struct subject x = {rec, pol, NULL};
    uint64_t features = 0, bits;
    size_t w, i, n = 0;
    int k;

    m->scanned = scan;
    memset(m->memo_known, 0, (m->nmemo / 64 + 1) * sizeof *m->memo_known);
    if (m->gate)
        features = record_features(m, rec, pol);
    select_rules(m, features, rec->text, scan);
    for (w = 0; w < m->nwords; w++) {
        for (bits = m->cand[w]; bits; bits &= bits - 1) {
            const struct hb_rule *r;

            i = w * 64 + (size_t)__builtin_ctzll(bits);
            r = rs->rules[i];
            if (only_rule && strcmp(r->meta.id, only_rule) != 0)
                continue;
            if (m->gate && !sig_holds(m, i, features, rec->text))
                continue;
            x.st = &m->stats[i];
            if (!rule_matches(m, r, &x, &m->hits[n]))
                continue;
            m->stats[i].hits++;
            m->rank[n].hit = &m->hits[n];
            m->rank[n].weight = r->meta.weight;
            m->rank[n].severity = (int)r->meta.severity;
            m->rank[n].index = i;
            n++;
        }
    }
    if (n > 1)
        qsort(m->rank, n, sizeof *m->rank, rank_cmp);
    for (k = 0; k < cap && (size_t)k < n; k++)
        hits[k] = *m->rank[k].hit;
    return k;
}
