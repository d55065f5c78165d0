/*
 * rules.c - rule files (YAML) to a ruleset: schema validation driven by two
 * tables (rule keys, condition leaves), layering of directories (a later
 * directory overrides or disables a rule id of an earlier one), and the
 * default search path. Every error of every file is collected with its
 * file:line:col before the load fails once. Schema: rules/README.md.
 */
#include "rules.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codes.h"
#include "format.h"
#include "rules_int.h"
#include "util.h"
#include "yamlcfg.h"

#define MAX_RULES         4096 /* rule entries in one ruleset (or one file) */
#define MAX_FILES_PER_DIR 1000
#define MAX_LIST          256 /* values of one list leaf, samples of a rule */

/* The condition leaves: name, value type, whether the field is a slice of
   the record text (so a derived literal can gate it), evaluation cost. */
const struct hb_leaf_info hb_leaf_table[HB_LEAF_COUNT] = {
    [HB_LEAF_MESSAGE] = {"message", HB_LT_REGEX, true, 10},
    [HB_LEAF_HEAD] = {"head", HB_LT_REGEX, true, 10},
    [HB_LEAF_TEXT] = {"text", HB_LT_REGEX, true, 40},
    [HB_LEAF_EXCEPTION] = {"exception", HB_LT_REGEX, true, 12},
    [HB_LEAF_EXCEPTION_MESSAGE] = {"exception_message", HB_LT_REGEX, true, 14},
    [HB_LEAF_ROOT_EXCEPTION] = {"root_exception", HB_LT_REGEX, true, 8},
    [HB_LEAF_LOGGER] = {"logger", HB_LT_REGEX, true, 6},
    [HB_LEAF_THREAD] = {"thread", HB_LT_REGEX, true, 6},
    [HB_LEAF_SERVER_INFO] = {"server_info", HB_LT_REGEX, false, 6},
    [HB_LEAF_GRPC_DESC] = {"grpc_desc", HB_LT_REGEX, false, 6},
    [HB_LEAF_SERVER_ADDR] = {"server_addr", HB_LT_REGEX, false, 6},
    [HB_LEAF_SOURCE] = {"source", HB_LT_REGEX, false, 6},
    [HB_LEAF_LEVEL] = {"level", HB_LT_NAME, false, 1},
    [HB_LEAF_SDK_CODE] = {"sdk_code", HB_LT_INT, false, 1},
    [HB_LEAF_SDK_NAME] = {"sdk_name", HB_LT_NAME, false, 1},
    [HB_LEAF_SERVER_CODE] = {"server_code", HB_LT_INT, false, 1},
    [HB_LEAF_GO_CODE] = {"go_code", HB_LT_INT, false, 1},
    [HB_LEAF_GRPC_STATUS] = {"grpc_status", HB_LT_NAME, false, 1},
    [HB_LEAF_EVENT] = {"event", HB_LT_EVENT, false, 1},
    [HB_LEAF_FORMAT] = {"format", HB_LT_NAME, false, 1},
    [HB_LEAF_POLARIS] = {"polaris", HB_LT_BOOL, false, 1},
    [HB_LEAF_FAILURE] = {"failure", HB_LT_BOOL, false, 1},
};

static const char *const levels[] = {"TRACE", "DEBUG", "INFO", "WARN",
                                     "ERROR", "FATAL", NULL};

/* ---- loading context ------------------------------------------------------
 */

struct loader {
    const char *path; /* file being read */
    struct hb_errlist *errs;
    struct hb_rule *rule; /* rule being built */
};

static void lerr(struct loader *l, const struct hb_yaml_node *n,
                 const char *fmt, ...) HB_PRINTF(3, 4);

static void lerr(struct loader *l, const struct hb_yaml_node *n,
                 const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hb_errlist_add(l->errs, l->path, n ? n->line : 0, n ? n->col : 0, "%s",
                   msg);
}

/* "a, b, c" from a NULL-terminated word list, for "allowed:" messages. */
static void join_words(char *dst, size_t cap, const char *const *words)
{
    size_t len = 0;

    dst[0] = '\0';
    for (; *words && len + 1 < cap; words++) {
        int w = snprintf(dst + len, cap - len, "%s%s", len ? ", " : "", *words);

        if (w < 0)
            break;
        len += (size_t)w;
    }
}

static const char *node_str(const struct hb_yaml_node *n)
{
    return n->kind == HB_YAML_SCALAR ? n->str : "";
}

/* A scalar that is a non-empty string (numbers and words accepted as text). */
static const char *want_string(struct loader *l, const struct hb_yaml_node *n,
                               const char *what)
{
    if (n->kind != HB_YAML_SCALAR) {
        lerr(l, n, "'%s' must be a string, not a %s", what,
             hb_yaml_kind_name(n->kind));
        return NULL;
    }
    if (hb_yaml_is_null(n) || n->len == 0) {
        lerr(l, n, "'%s' must not be empty", what);
        return NULL;
    }
    if (strlen(n->str) != n->len) {
        lerr(l, n, "'%s' must not contain NUL characters", what);
        return NULL;
    }
    return n->str;
}

/*
 * Checks a list: a sequence of scalars, or one scalar standing for a list of
 * one. Returns the count (0 after an error); list_item() gets each value.
 */
static size_t want_list(struct loader *l, const struct hb_yaml_node *n,
                        const char *what)
{
    size_t i;

    if (n->kind == HB_YAML_SCALAR) {
        if (hb_yaml_is_null(n)) {
            lerr(l, n, "'%s' must not be empty", what);
            return 0;
        }
        return 1;
    }
    if (n->kind != HB_YAML_SEQ) {
        lerr(l, n, "'%s' must be a list of values, not a %s", what,
             hb_yaml_kind_name(n->kind));
        return 0;
    }
    if (n->n == 0) {
        lerr(l, n, "'%s' must not be an empty list", what);
        return 0;
    }
    if (n->n > MAX_LIST) {
        lerr(l, n, "'%s' has %zu values (at most %d)", what, n->n, MAX_LIST);
        return 0;
    }
    for (i = 0; i < n->n; i++) {
        if (n->items[i]->kind != HB_YAML_SCALAR) {
            lerr(l, n->items[i], "'%s' values must be scalars, not a %s", what,
                 hb_yaml_kind_name(n->items[i]->kind));
            return 0;
        }
    }
    return n->n;
}

static const struct hb_yaml_node *list_item(const struct hb_yaml_node *n,
                                            size_t i)
{
    return n->kind == HB_YAML_SCALAR ? n : n->items[i];
}

/* ---- condition leaves -----------------------------------------------------
 */

static bool parse_uint(const char *s, size_t n, long *v)
{
    long x = 0;
    size_t i;

    if (n == 0 || n > 9)
        return false;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

static bool leaf_int(struct loader *l, struct hb_cond *c,
                     const struct hb_yaml_node *v, const char *what)
{
    size_t n = want_list(l, v, what), i;
    bool ok = n > 0;

    c->ranges =
        hb_arena_alloc(&l->rule->arena, (n ? n : 1) * sizeof *c->ranges);
    for (i = 0; i < n; i++) {
        const struct hb_yaml_node *it = list_item(v, i);
        const char *s = it->str, *dash = memchr(s, '-', it->len);
        struct hb_range r;
        bool good;

        if (dash && dash != s)
            good =
                parse_uint(s, (size_t)(dash - s), &r.lo) &&
                parse_uint(dash + 1, it->len - (size_t)(dash - s) - 1, &r.hi);
        else
            good = parse_uint(s, it->len, &r.lo) && (r.hi = r.lo, true);
        if (!good || r.lo > r.hi) {
            lerr(l, it, "'%s' value '%s' is not a code or a \"low-high\" range",
                 what, s);
            ok = false;
            continue;
        }
        if (c->leaf == HB_LEAF_SERVER_CODE &&
            (r.lo < 100000 || r.hi > 999999)) {
            lerr(l, it, "'%s' value '%s': server codes have six digits", what,
                 s);
            ok = false;
            continue;
        }
        if (r.lo == 0) {
            lerr(l, it, "'%s' value '%s': 0 means no code and never matches",
                 what, s);
            ok = false;
            continue;
        }
        c->ranges[c->nvals++] = r;
    }
    return ok;
}

static bool name_known(enum hb_leaf leaf, const char *s, size_t n,
                       char *allowed, size_t cap)
{
    size_t i;

    allowed[0] = '\0';
    switch (leaf) {
    case HB_LEAF_LEVEL:
        for (i = 0; levels[i]; i++)
            if (strcmp(levels[i], s) == 0)
                return true;
        join_words(allowed, cap, levels);
        return false;
    case HB_LEAF_GRPC_STATUS:
        if (hb_grpc_status_valid(s, n)) {
            /* extraction reports canonical upper-case names */
            for (i = 0; i < n; i++)
                if (islower((unsigned char)s[i]))
                    break;
            if (i == n)
                return true;
        }
        snprintf(allowed, cap,
                 "canonical gRPC status names in upper case, "
                 "e.g. UNAVAILABLE, UNIMPLEMENTED, "
                 "DEADLINE_EXCEEDED, UNAUTHENTICATED");
        return false;
    case HB_LEAF_FORMAT: {
        const struct hb_format *t;
        size_t nf, len;

        if (strcmp(s, "plain") == 0 || hb_format_find(s) != NULL)
            return true;
        t = hb_format_table(&nf);
        len = (size_t)snprintf(allowed, cap, "plain");
        for (i = 0; i < nf && len < cap; i++)
            len +=
                (size_t)snprintf(allowed + len, cap - len, ", %s", t[i].name);
        return false;
    }
    case HB_LEAF_SDK_NAME:
        if (hb_sdk_code_by_name(s) != NULL)
            return true;
        snprintf(allowed, cap,
                 "polaris-java ErrorCode names such as "
                 "SERVER_USER_ERROR, NETWORK_ERROR, "
                 "INVALID_ARGUMENT");
        return false;
    default:
        return true;
    }
}

static bool leaf_name(struct loader *l, struct hb_cond *c,
                      const struct hb_yaml_node *v, const char *what)
{
    size_t n = want_list(l, v, what), i;
    bool ok = n > 0;
    char allowed[400];

    c->names = hb_arena_alloc(&l->rule->arena, (n ? n : 1) * sizeof *c->names);
    for (i = 0; i < n; i++) {
        const struct hb_yaml_node *it = list_item(v, i);

        if (!name_known(c->leaf, it->str, it->len, allowed, sizeof allowed)) {
            lerr(l, it, "unknown %s '%s' (allowed: %s)", what, it->str,
                 allowed);
            ok = false;
            continue;
        }
        c->names[c->nvals++] = hb_arena_strdup(&l->rule->arena, it->str);
    }
    return ok;
}

static int event_from_name(const char *s)
{
    int e;

    for (e = HB_EV_NONE + 1; e <= HB_EV_STARTUP_FAIL; e++)
        if (strcmp(hb_event_name((enum hb_event)e), s) == 0)
            return e;
    return -1;
}

static bool leaf_event(struct loader *l, struct hb_cond *c,
                       const struct hb_yaml_node *v, const char *what)
{
    size_t n = want_list(l, v, what), i;
    bool ok = n > 0;

    c->events =
        hb_arena_alloc(&l->rule->arena, (n ? n : 1) * sizeof *c->events);
    for (i = 0; i < n; i++) {
        int e = event_from_name(list_item(v, i)->str);

        if (e < 0) {
            char allowed[400];
            const char *names[HB_EV_STARTUP_FAIL + 1];
            int k;

            for (k = 0; k < HB_EV_STARTUP_FAIL; k++)
                names[k] = hb_event_name((enum hb_event)(k + 1));
            names[k] = NULL;
            join_words(allowed, sizeof allowed, names);
            lerr(l, list_item(v, i), "unknown event '%s' (allowed: %s)",
                 list_item(v, i)->str, allowed);
            ok = false;
            continue;
        }
        c->events[c->nvals++] = e;
    }
    return ok;
}

static bool leaf_bool(struct loader *l, struct hb_cond *c,
                      const struct hb_yaml_node *v, const char *what)
{
    const struct hb_yaml_node *b = v;

    if (v->kind == HB_YAML_SEQ && v->n == 1)
        b = v->items[0];
    if (!hb_yaml_bool(b, &c->flag)) {
        lerr(l, v, "'%s' must be true or false", what);
        return false;
    }
    return true;
}

static bool leaf_regex(struct loader *l, struct hb_cond *c,
                       const struct hb_yaml_node *v, const char *what)
{
    const char *pat = want_string(l, v, what);
    char msg[256];
    size_t off = 0;
    unsigned long col;

    if (pat == NULL)
        return false;
    if (hb_regex_compile(&c->rx, &l->rule->arena, pat, v->len,
                         c->leaf == HB_LEAF_TEXT, msg, sizeof msg, &off)) {
        struct hb_rule *r = l->rule;

        /* the rule frees its patterns, even those of a condition tree
           that was dropped half-built after an error */
        if (r->ncodes == r->capcodes) {
            r->capcodes = r->capcodes ? r->capcodes * 2 : 8;
            r->codes = hb_xrealloc(r->codes, r->capcodes * sizeof *r->codes);
        }
        r->codes[r->ncodes++] = c->rx.code;
        return true;
    }
    /* the column inside the file: past the opening quote of a one-line
       scalar; a block scalar's text starts on a later line */
    col = v->col;
    if (v->style == HB_YAML_QUOTED)
        col += 1 + off;
    else if (v->style == HB_YAML_PLAIN)
        col += off;
    hb_errlist_add(l->errs, l->path, v->line, col,
                   "invalid regular expression in '%s': %s (at offset %zu "
                   "of the pattern)",
                   what, msg, off);
    return false;
}

/* ---- conditions -----------------------------------------------------------
 */

static const char *const combinators[] = {"all", "any", "not", NULL};

static void allowed_conditions(char *dst, size_t cap)
{
    const char *names[HB_LEAF_COUNT + 4];
    size_t i, k = 0;

    for (i = 0; combinators[i]; i++)
        names[k++] = combinators[i];
    for (i = 0; i < HB_LEAF_COUNT; i++)
        names[k++] = hb_leaf_table[i].name;
    names[k] = NULL;
    join_words(dst, cap, names);
}

static struct hb_cond *parse_cond(struct loader *l,
                                  const struct hb_yaml_node *n);

static struct hb_cond *cond_new(struct loader *l, enum hb_cond_op op,
                                const struct hb_yaml_node *at)
{
    struct hb_cond *c = hb_arena_alloc(&l->rule->arena, sizeof *c);

    c->op = op;
    c->line = at->line;
    c->col = at->col;
    return c;
}

/* all: / any: - a non-empty sequence of conditions. */
static struct hb_cond *parse_group(struct loader *l, enum hb_cond_op op,
                                   const char *what,
                                   const struct hb_yaml_node *v)
{
    struct hb_cond *c = cond_new(l, op, v);
    bool ok = true;
    size_t i;

    if (v->kind != HB_YAML_SEQ || v->n == 0) {
        lerr(l, v, "'%s' must be a non-empty list of conditions", what);
        return NULL;
    }
    c->kids = hb_arena_alloc(&l->rule->arena, v->n * sizeof *c->kids);
    for (i = 0; i < v->n; i++) {
        struct hb_cond *k = parse_cond(l, v->items[i]);

        if (k == NULL)
            ok = false;
        else
            c->kids[c->nkids++] = k;
    }
    return ok ? c : NULL;
}

static struct hb_cond *parse_entry(struct loader *l,
                                   const struct hb_yaml_node *key,
                                   const struct hb_yaml_node *v)
{
    const char *name = key->str;
    struct hb_cond *c;
    bool ok = false;
    size_t i;

    if (strcmp(name, "all") == 0)
        return parse_group(l, HB_COND_ALL, name, v);
    if (strcmp(name, "any") == 0)
        return parse_group(l, HB_COND_ANY, name, v);
    if (strcmp(name, "not") == 0) {
        struct hb_cond *k = parse_cond(l, v);

        if (k == NULL)
            return NULL;
        c = cond_new(l, HB_COND_NOT, key);
        c->kids = hb_arena_alloc(&l->rule->arena, sizeof *c->kids);
        c->kids[0] = k;
        c->nkids = 1;
        return c;
    }
    for (i = 0; i < HB_LEAF_COUNT; i++)
        if (strcmp(hb_leaf_table[i].name, name) == 0)
            break;
    if (i == HB_LEAF_COUNT) {
        char allowed[400];

        allowed_conditions(allowed, sizeof allowed);
        lerr(l, key, "unknown condition '%s' (allowed: %s)", name, allowed);
        return NULL;
    }
    c = cond_new(l, HB_COND_LEAF, key);
    c->leaf = (enum hb_leaf)i;
    switch (hb_leaf_table[i].type) {
    case HB_LT_REGEX:
        ok = leaf_regex(l, c, v, name);
        break;
    case HB_LT_INT:
        ok = leaf_int(l, c, v, name);
        break;
    case HB_LT_NAME:
        ok = leaf_name(l, c, v, name);
        break;
    case HB_LT_EVENT:
        ok = leaf_event(l, c, v, name);
        break;
    case HB_LT_BOOL:
        ok = leaf_bool(l, c, v, name);
        break;
    }
    return ok ? c : NULL;
}

/* A mapping: one key is that condition, several keys are all of them. */
static struct hb_cond *parse_cond(struct loader *l,
                                  const struct hb_yaml_node *n)
{
    struct hb_cond *c;
    bool ok = true;
    size_t i;

    if (n->kind != HB_YAML_MAP || n->n == 0) {
        lerr(l, n,
             "a condition must be a non-empty mapping (e.g. "
             "\"text: 'regex'\" or \"all: [...]\"), not a %s",
             n->kind == HB_YAML_MAP ? "empty mapping"
                                    : hb_yaml_kind_name(n->kind));
        return NULL;
    }
    if (n->n == 1)
        return parse_entry(l, n->keys[0], n->items[0]);
    c = cond_new(l, HB_COND_ALL, n);
    c->kids = hb_arena_alloc(&l->rule->arena, n->n * sizeof *c->kids);
    for (i = 0; i < n->n; i++) {
        struct hb_cond *k = parse_entry(l, n->keys[i], n->items[i]);

        if (k == NULL)
            ok = false;
        else
            c->kids[c->nkids++] = k;
    }
    return ok ? c : NULL;
}

/* ---- rule keys ------------------------------------------------------------
 */

static void key_id(struct loader *l, struct hb_rule *r,
                   const struct hb_yaml_node *v)
{
    const char *s = want_string(l, v, "id");
    size_t i;

    if (s == NULL)
        return;
    if (v->len > HB_RULE_ID_MAX) {
        lerr(l, v, "'id' is longer than %d characters", HB_RULE_ID_MAX);
        return;
    }
    for (i = 0; i < v->len; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');

        if (!alnum && (i == 0 || (ch != '-' && ch != '.'))) {
            lerr(l, v, "'id' '%s' must match [a-z0-9][a-z0-9.-]*", s);
            return;
        }
    }
    r->meta.id = hb_arena_strdup(&r->arena, s);
}

static const char *text_copy(struct loader *l, struct hb_rule *r,
                             const struct hb_yaml_node *v, const char *what)
{
    const char *s = want_string(l, v, what);
    size_t n;

    if (s == NULL)
        return NULL;
    /* folded (>) text keeps one trailing newline; drop trailing blanks */
    n = v->len;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return hb_arena_strndup(&r->arena, s, n);
}

static void key_title(struct loader *l, struct hb_rule *r,
                      const struct hb_yaml_node *v)
{
    r->meta.title = text_copy(l, r, v, "title");
}

static void key_description(struct loader *l, struct hb_rule *r,
                            const struct hb_yaml_node *v)
{
    r->meta.description = text_copy(l, r, v, "description");
}

static void key_action(struct loader *l, struct hb_rule *r,
                       const struct hb_yaml_node *v)
{
    r->meta.action = text_copy(l, r, v, "action");
}

static void cause_names(char *dst, size_t cap)
{
    const char *names[HB_CAUSE_COUNT + 1];
    int i;

    for (i = 0; i < HB_CAUSE_COUNT; i++)
        names[i] = hb_cause_name((enum hb_cause)i);
    names[i] = NULL;
    join_words(dst, cap, names);
}

static bool cause_of(struct loader *l, const struct hb_yaml_node *v,
                     const char *what, enum hb_cause *out)
{
    char allowed[256];
    const char *s = want_string(l, v, what);

    if (s == NULL)
        return false;
    *out = hb_cause_from_name(s);
    if (*out != HB_CAUSE_NONE)
        return true;
    cause_names(allowed, sizeof allowed);
    lerr(l, v, "unknown %s '%s' (allowed: %s)", what, s, allowed);
    return false;
}

static void key_cause(struct loader *l, struct hb_rule *r,
                      const struct hb_yaml_node *v)
{
    cause_of(l, v, "cause", &r->meta.cause);
}

static void key_alternatives(struct loader *l, struct hb_rule *r,
                             const struct hb_yaml_node *v)
{
    const size_t max = HB_ARRAY_LEN(r->meta.alternatives) - 1;
    size_t n = want_list(l, v, "alternatives"), i, k, got = 0;

    if (n > max) {
        lerr(l, v, "'alternatives' lists %zu causes (at most %zu)", n, max);
        return;
    }
    for (i = 0; i < n; i++) {
        enum hb_cause c;

        if (!cause_of(l, list_item(v, i), "alternative cause", &c))
            continue;
        for (k = 0; k < got; k++)
            if (r->meta.alternatives[k] == c)
                break;
        if (k < got) {
            lerr(l, list_item(v, i), "alternative cause '%s' is listed twice",
                 list_item(v, i)->str);
            continue;
        }
        r->meta.alternatives[got++] = c;
    }
}

static void key_severity(struct loader *l, struct hb_rule *r,
                         const struct hb_yaml_node *v)
{
    static const char *const names[] = {"critical", "error", "warning", "info",
                                        NULL};
    const char *s = want_string(l, v, "severity");
    char allowed[128];
    int sev;

    if (s == NULL)
        return;
    sev = hb_severity_from_name(s);
    if (sev < 0) {
        join_words(allowed, sizeof allowed, names);
        lerr(l, v, "unknown severity '%s' (allowed: %s)", s, allowed);
        return;
    }
    r->meta.severity = (enum hb_severity)sev;
}

static void key_weight(struct loader *l, struct hb_rule *r,
                       const struct hb_yaml_node *v)
{
    double w;

    if (!hb_yaml_double(v, &w)) {
        lerr(l, v, "'weight' must be a number in (0, 1], not '%s'",
             node_str(v));
        return;
    }
    if (!(w > 0.0 && w <= 1.0)) {
        lerr(l, v, "'weight' %s is out of range: it must be > 0 and <= 1",
             v->str);
        return;
    }
    r->meta.weight = w;
}

static void key_literals(struct loader *l, struct hb_rule *r,
                         const struct hb_yaml_node *v)
{
    size_t n = want_list(l, v, "literals"), i;

    if (n > HB_RULE_MAX_LITERALS) {
        lerr(l, v, "'literals' lists %zu strings (at most %d)", n,
             HB_RULE_MAX_LITERALS);
        return;
    }
    r->literals = hb_arena_alloc(&r->arena, (n ? n : 1) * sizeof *r->literals);
    for (i = 0; i < n; i++) {
        const char *s = want_string(l, list_item(v, i), "literals");

        if (s)
            r->literals[r->nliterals++] = hb_arena_strdup(&r->arena, s);
    }
    r->literals_declared = r->nliterals > 0;
}

static void key_match(struct loader *l, struct hb_rule *r,
                      const struct hb_yaml_node *v)
{
    r->cond = parse_cond(l, v);
}

static void key_references(struct loader *l, struct hb_rule *r,
                           const struct hb_yaml_node *v)
{
    size_t n = want_list(l, v, "references"), i, k = 0;
    const char **refs = hb_arena_alloc(&r->arena, (n + 1) * sizeof *refs);

    for (i = 0; i < n; i++) {
        const char *s = want_string(l, list_item(v, i), "references");

        if (s)
            refs[k++] = hb_arena_strdup(&r->arena, s);
    }
    refs[k] = NULL;
    r->meta.references = refs;
}

static void key_disabled(struct loader *l, struct hb_rule *r,
                         const struct hb_yaml_node *v)
{
    if (!hb_yaml_bool(v, &r->disabled))
        lerr(l, v, "'disabled' must be true or false");
}

static const char *const sample_keys[] = {"log", "match", "fields", "source",
                                          NULL};

static bool parse_sample(struct loader *l, struct hb_rule *r,
                         const struct hb_yaml_node *v, struct hb_sample *s)
{
    const struct hb_yaml_node *log, *match, *fields, *source;
    bool ok = true;
    size_t i, k;

    if (v->kind != HB_YAML_MAP) {
        lerr(l, v,
             "a sample must be a mapping with 'log' and 'match', not a %s",
             hb_yaml_kind_name(v->kind));
        return false;
    }
    for (i = 0; i < v->n; i++) {
        for (k = 0; sample_keys[k]; k++)
            if (strcmp(v->keys[i]->str, sample_keys[k]) == 0)
                break;
        if (sample_keys[k] == NULL) {
            char allowed[128];

            join_words(allowed, sizeof allowed, sample_keys);
            lerr(l, v->keys[i], "unknown key '%s' in sample (allowed: %s)",
                 v->keys[i]->str, allowed);
            ok = false;
        }
    }
    s->line = v->line;
    log = hb_yaml_get(v, "log");
    match = hb_yaml_get(v, "match");
    fields = hb_yaml_get(v, "fields");
    source = hb_yaml_get(v, "source");
    if (log == NULL) {
        lerr(l, v, "sample lacks 'log'");
        ok = false;
    } else {
        const char *t = want_string(l, log, "log");

        if (t)
            s->log = hb_arena_strdup(&r->arena, t);
        else
            ok = false;
    }
    if (match == NULL) {
        lerr(l, v, "sample lacks 'match: true' or 'match: false'");
        ok = false;
    } else if (!hb_yaml_bool(match, &s->match)) {
        lerr(l, match, "sample 'match' must be true or false");
        ok = false;
    }
    if (source) {
        const char *t = want_string(l, source, "source");

        if (t)
            s->source = hb_arena_strdup(&r->arena, t);
        else
            ok = false;
    }
    if (fields == NULL)
        return ok;
    if (fields->kind != HB_YAML_MAP) {
        lerr(l, fields,
             "sample 'fields' must be a mapping of capture names "
             "to expected values");
        return false;
    }
    s->fields_line = fields->line;
    s->fields_col = fields->col;
    s->fields = hb_arena_alloc(&r->arena,
                               (fields->n ? fields->n : 1) * sizeof *s->fields);
    for (i = 0; i < fields->n; i++) {
        const struct hb_yaml_node *fv = fields->items[i];

        if (fields->keys[i]->str == NULL || fields->keys[i]->str[0] == '\0') {
            lerr(l, fields->keys[i], "a sample field needs a name");
            ok = false;
            continue;
        }
        if (fv->kind != HB_YAML_SCALAR) {
            lerr(l, fv, "expected value of field '%s' must be a scalar",
                 fields->keys[i]->str);
            ok = false;
            continue;
        }
        s->fields[s->nfields].name =
            hb_arena_strdup(&r->arena, fields->keys[i]->str);
        s->fields[s->nfields].value = hb_arena_strdup(&r->arena, fv->str);
        s->nfields++;
    }
    if (s->nfields && !s->match) {
        lerr(l, fields, "sample with 'match: false' cannot expect 'fields'");
        ok = false;
    }
    return ok;
}

static void key_samples(struct loader *l, struct hb_rule *r,
                        const struct hb_yaml_node *v)
{
    size_t i, yes = 0, no = 0;

    if (v->kind != HB_YAML_SEQ) {
        lerr(l, v,
             "'samples' must be a list of {log, match} mappings, not a %s",
             hb_yaml_kind_name(v->kind));
        return;
    }
    if (v->n > MAX_LIST) {
        lerr(l, v, "'samples' has %zu entries (at most %d)", v->n, MAX_LIST);
        return;
    }
    r->samples =
        hb_arena_alloc(&r->arena, (v->n ? v->n : 1) * sizeof *r->samples);
    for (i = 0; i < v->n; i++) {
        struct hb_sample *s = &r->samples[r->nsamples];

        /* A failed sample leaves its slot to the next one: start clean. */
        memset(s, 0, sizeof *s);
        if (!parse_sample(l, r, v->items[i], s))
            continue;
        r->nsamples++;
        if (s->match)
            yes++;
        else
            no++;
    }
    if (yes == 0 || no == 0) {
        if (r->nsamples == v->n)
            lerr(l, v,
                 "'samples' needs at least one 'match: true' and one "
                 "'match: false' sample (has %zu and %zu)",
                 yes, no);
    }
    r->meta.nsamples = (unsigned)r->nsamples;
}

struct rule_key {
    const char *name;
    bool required;
    void (*parse)(struct loader *l, struct hb_rule *r,
                  const struct hb_yaml_node *v);
};

/* The rule schema: one row per key, in the order the docs list them. */
static const struct rule_key rule_keys[] = {
    {"id", true, key_id},
    {"title", true, key_title},
    {"cause", true, key_cause},
    {"alternatives", false, key_alternatives},
    {"severity", true, key_severity},
    {"weight", true, key_weight},
    {"literals", false, key_literals},
    {"match", true, key_match},
    {"description", true, key_description},
    {"action", true, key_action},
    {"references", false, key_references},
    {"disabled", false, key_disabled},
    {"samples", true, key_samples},
};

static void rule_key_names(char *dst, size_t cap)
{
    const char *names[HB_ARRAY_LEN(rule_keys) + 1];
    size_t i;

    for (i = 0; i < HB_ARRAY_LEN(rule_keys); i++)
        names[i] = rule_keys[i].name;
    names[i] = NULL;
    join_words(dst, cap, names);
}

void hb_rule_free(struct hb_rule *r)
{
    size_t i;

    if (r == NULL)
        return;
    for (i = 0; i < r->ncodes; i++)
        pcre2_code_free(r->codes[i]);
    free(r->codes);
    hb_arena_fini(&r->arena);
    free(r);
}

/* Every capture name of the rule's patterns, to check samples' fields. */
static bool cond_has_group(const struct hb_cond *c, const char *name)
{
    size_t i;

    if (c == NULL)
        return false;
    if (c->op == HB_COND_LEAF) {
        if (hb_leaf_table[c->leaf].type != HB_LT_REGEX)
            return false;
        for (i = 0; i < c->rx.nnames; i++)
            if (strcmp(c->rx.names[i].name, name) == 0)
                return true;
        return false;
    }
    for (i = 0; i < c->nkids; i++)
        if (cond_has_group(c->kids[i], name))
            return true;
    return false;
}

/*
 * One rule mapping to a rule. Returns NULL when it has errors (they are in
 * l->errs); *id_out gets the id, even then, when the id itself was valid
 * (borrowed from the document), for the duplicate check.
 */
static struct hb_rule *
parse_rule(struct loader *l, const struct hb_yaml_node *n, const char **id_out)
{
    size_t before = hb_errlist_count(l->errs), i, k;
    const struct hb_yaml_node *idn;
    struct hb_rule *r;
    bool seen[HB_ARRAY_LEN(rule_keys)] = {false};

    *id_out = NULL;
    if (n->kind != HB_YAML_MAP) {
        lerr(l, n, "a rule must be a mapping, not a %s",
             hb_yaml_kind_name(n->kind));
        return NULL;
    }
    r = hb_xcalloc(1, sizeof *r);
    hb_arena_init(&r->arena);
    l->rule = r;
    r->meta.file = hb_arena_strdup(&r->arena, l->path);
    r->meta.line = n->line;
    r->meta.severity = HB_SEV_INFO;
    r->meta.cause = HB_CAUSE_NONE;
    for (i = 0; i < HB_ARRAY_LEN(r->meta.alternatives); i++)
        r->meta.alternatives[i] = HB_CAUSE_NONE;

    /* disabled first: a disabling entry needs nothing but its id */
    for (i = 0; i < n->n; i++)
        if (strcmp(n->keys[i]->str, "disabled") == 0)
            key_disabled(l, r, n->items[i]);
    for (i = 0; i < n->n; i++) {
        const char *key = n->keys[i]->str;

        for (k = 0; k < HB_ARRAY_LEN(rule_keys); k++)
            if (strcmp(rule_keys[k].name, key) == 0)
                break;
        if (k == HB_ARRAY_LEN(rule_keys)) {
            char allowed[256];

            rule_key_names(allowed, sizeof allowed);
            lerr(l, n->keys[i], "unknown key '%s' in rule (allowed: %s)", key,
                 allowed);
            continue;
        }
        seen[k] = true;
        if (rule_keys[k].parse != key_disabled)
            rule_keys[k].parse(l, r, n->items[i]);
    }
    for (k = 0; k < HB_ARRAY_LEN(rule_keys); k++) {
        if (!rule_keys[k].required || seen[k])
            continue;
        if (r->disabled && strcmp(rule_keys[k].name, "id") != 0)
            continue;
        idn = hb_yaml_get(n, "id");
        if (idn && idn->kind == HB_YAML_SCALAR)
            lerr(l, n, "rule '%s' lacks required key '%s'", idn->str,
                 rule_keys[k].name);
        else
            lerr(l, n, "rule lacks required key '%s'", rule_keys[k].name);
    }
    for (i = 0; i < HB_ARRAY_LEN(r->meta.alternatives) &&
                r->meta.alternatives[i] != HB_CAUSE_NONE;
         i++) {
        if (r->meta.alternatives[i] == r->meta.cause)
            lerr(l, hb_yaml_get(n, "alternatives"),
                 "alternative cause '%s' is the rule's own cause",
                 hb_cause_name(r->meta.cause));
    }
    for (i = 0; i < r->nsamples; i++) {
        for (k = 0; k < r->samples[i].nfields; k++) {
            const char *f = r->samples[i].fields[k].name;

            if (r->cond && !cond_has_group(r->cond, f))
                hb_errlist_add(l->errs, l->path, r->samples[i].fields_line,
                               r->samples[i].fields_col,
                               "sample field '%s' is not a named group "
                               "(?<%s>...) of any pattern of the rule",
                               f, f);
        }
    }
    if (r->meta.references == NULL) {
        static const char *const none[] = {NULL};

        r->meta.references = (const char *const *)none;
    }
    /* the document's copy: r (and its arena) may be freed below */
    if (r->meta.id)
        *id_out = hb_yaml_get(n, "id")->str;
    l->rule = NULL;
    if (hb_errlist_count(l->errs) != before) {
        hb_rule_free(r);
        return NULL;
    }
    if (!r->disabled)
        hb_match_prepare(r);
    return r;
}

/* ---- files, directories and layers --------------------------------------- */

/* Where an id was defined in the current layer, for duplicate errors. */
struct seen_id {
    char *id;   /* owned */
    char *file; /* owned */
    unsigned long line;
};

struct layer {
    struct seen_id *ids; /* owned */
    size_t n, cap;
};

static void layer_fini(struct layer *ly)
{
    size_t i;

    for (i = 0; i < ly->n; i++) {
        free(ly->ids[i].id);
        free(ly->ids[i].file);
    }
    free(ly->ids);
    memset(ly, 0, sizeof *ly);
}

/* Records id; false (and an error) when the layer already has it. */
static bool layer_claim(struct loader *l, struct layer *ly, const char *id,
                        const struct hb_yaml_node *at)
{
    size_t i;

    for (i = 0; i < ly->n; i++) {
        if (strcmp(ly->ids[i].id, id) == 0) {
            lerr(l, at, "duplicate rule id '%s' (first defined at %s:%lu)", id,
                 ly->ids[i].file, ly->ids[i].line);
            return false;
        }
    }
    if (ly->n == ly->cap) {
        ly->cap = ly->cap ? ly->cap * 2 : 64;
        ly->ids = hb_xrealloc(ly->ids, ly->cap * sizeof *ly->ids);
    }
    ly->ids[ly->n].id = hb_xstrdup(id);
    ly->ids[ly->n].file = hb_xstrdup(l->path);
    ly->ids[ly->n].line = at->line;
    ly->n++;
    return true;
}

static struct hb_ruleset *set_new(void)
{
    return hb_xcalloc(1, sizeof(struct hb_ruleset));
}

static size_t set_find(const struct hb_ruleset *rs, const char *id)
{
    size_t i;

    for (i = 0; i < rs->n; i++)
        if (strcmp(rs->rules[i]->meta.id, id) == 0)
            return i;
    return (size_t)-1;
}

/* Adds, replaces or (disabled) removes r; takes ownership of r. */
static void set_apply(struct hb_ruleset *rs, struct hb_rule *r)
{
    size_t i = set_find(rs, r->meta.id);

    if (r->disabled) {
        if (i != (size_t)-1) {
            hb_rule_free(rs->rules[i]);
            memmove(&rs->rules[i], &rs->rules[i + 1],
                    (rs->n - i - 1) * sizeof *rs->rules);
            rs->n--;
        }
        hb_rule_free(r);
        return;
    }
    if (i != (size_t)-1) {
        hb_rule_free(rs->rules[i]);
        rs->rules[i] = r;
        return;
    }
    if (rs->n % 64 == 0)
        rs->rules = hb_xrealloc(rs->rules, (rs->n + 64) * sizeof *rs->rules);
    rs->rules[rs->n++] = r;
}

/* A file's errors in line:col order (stable), however they were found. */
static void sort_errors(struct hb_errlist *errs, size_t from)
{
    size_t i, j;

    for (i = from + 1; i < errs->n; i++) {
        struct hb_diag d = errs->items[i];

        for (j = i; j > from && (errs->items[j - 1].line > d.line ||
                                 (errs->items[j - 1].line == d.line &&
                                  errs->items[j - 1].col > d.col));
             j--)
            errs->items[j] = errs->items[j - 1];
        errs->items[j] = d;
    }
}

static void load_one(struct hb_ruleset *rs, struct layer *ly, const char *path,
                     struct hb_errlist *errs)
{
    size_t first_error = errs->n;

    const struct hb_yaml_limits lim = {HB_RULE_FILE_MAX, HB_YAML_MAX_DEPTH,
                                       HB_YAML_MAX_NODES};
    struct loader l = {path, errs, NULL};
    struct hb_yaml_doc *doc = NULL;
    const struct hb_yaml_node *root, *list;
    size_t i;

    if (hb_yaml_load_file(&doc, path, &lim, errs) != HB_OK)
        return;
    if (doc->nroots > 1) {
        hb_errlist_add(errs, path, doc->roots[1] ? doc->roots[1]->line : 0, 0,
                       "a rule file holds one YAML document, not %zu",
                       doc->nroots);
        goto out;
    }
    if (doc->nroots == 0 || hb_yaml_is_null(doc->roots[0])) {
        hb_errlist_add(errs, path, 0, 0,
                       "empty rule file: expected a mapping with a 'rules:' "
                       "list");
        goto out;
    }
    root = doc->roots[0];
    if (root->kind != HB_YAML_MAP) {
        lerr(&l, root,
             "a rule file must be a mapping with a 'rules:' list, "
             "not a %s",
             hb_yaml_kind_name(root->kind));
        goto out;
    }
    for (i = 0; i < root->n; i++)
        if (strcmp(root->keys[i]->str, "rules") != 0)
            lerr(&l, root->keys[i],
                 "unknown top-level key '%s' (allowed: "
                 "rules)",
                 root->keys[i]->str);
    list = hb_yaml_get(root, "rules");
    if (list == NULL) {
        lerr(&l, root, "rule file lacks the 'rules:' list");
        goto out;
    }
    if (hb_yaml_is_null(list))
        goto out; /* "rules:" with nothing: an empty file of rules */
    if (list->kind != HB_YAML_SEQ) {
        lerr(&l, list, "'rules' must be a list of rules, not a %s",
             hb_yaml_kind_name(list->kind));
        goto out;
    }
    for (i = 0; i < list->n; i++) {
        const struct hb_yaml_node *rn = list->items[i];
        const char *id;
        struct hb_rule *r;

        if (rs->n >= MAX_RULES || ly->n >= MAX_RULES) {
            lerr(&l, rn, "too many rules (at most %d)", MAX_RULES);
            break;
        }
        r = parse_rule(&l, rn, &id);
        if (id && !layer_claim(&l, ly, id, rn)) {
            hb_rule_free(r);
            continue;
        }
        if (r)
            set_apply(rs, r);
    }
out:
    sort_errors(errs, first_error);
    hb_yaml_free(doc);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool yaml_name(const char *name)
{
    size_t n = strlen(name);

    if (name[0] == '.')
        return false;
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

/* One layer: a directory's YAML files (.yaml, .yml) in name order, or a
   single file. */
static void load_layer(struct hb_ruleset *rs, const char *dir,
                       struct hb_errlist *errs)
{
    struct layer ly = {NULL, 0, 0};
    char **names = NULL;
    size_t n = 0, i;
    struct dirent *de;
    struct stat st;
    DIR *d;

    if (stat(dir, &st) != 0) {
        hb_errlist_add(errs, dir, 0, 0, "cannot read rules: %s",
                       strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        load_one(rs, &ly, dir, errs);
        layer_fini(&ly);
        return;
    }
    d = opendir(dir);
    if (d == NULL) {
        hb_errlist_add(errs, dir, 0, 0, "cannot read rule directory: %s",
                       strerror(errno));
        return;
    }
    while ((de = readdir(d)) != NULL) {
        if (!yaml_name(de->d_name))
            continue;
        if (n == MAX_FILES_PER_DIR) {
            hb_errlist_add(errs, dir, 0, 0,
                           "more than %d rule files; the rest are ignored",
                           MAX_FILES_PER_DIR);
            break;
        }
        names = hb_xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = hb_xstrdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    for (i = 0; i < n; i++) {
        struct hb_buf path;

        hb_buf_init(&path);
        hb_buf_printf(&path, "%s%s%s", dir,
                      dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/",
                      names[i]);
        /* subdirectories and sockets named *.yaml are not rule files */
        if (stat(path.data, &st) == 0 && S_ISREG(st.st_mode))
            load_one(rs, &ly, path.data, errs);
        hb_buf_fini(&path);
        free(names[i]);
    }
    free(names);
    layer_fini(&ly);
}

static uint32_t cond_max_groups(const struct hb_cond *c)
{
    uint32_t m = 0, k;
    size_t i;

    if (c->op == HB_COND_LEAF)
        return hb_leaf_table[c->leaf].type == HB_LT_REGEX ? c->rx.ngroups : 0;
    for (i = 0; i < c->nkids; i++) {
        k = cond_max_groups(c->kids[i]);
        if (k > m)
            m = k;
    }
    return m;
}

static void set_finish(struct hb_ruleset *rs)
{
    uint32_t g;
    size_t i;

    rs->max_groups = 0;
    for (i = 0; i < rs->n; i++) {
        rs->rules[i]->index = i;
        g = cond_max_groups(rs->rules[i]->cond);
        if (g > rs->max_groups)
            rs->max_groups = g;
    }
}

enum hb_status hb_rules_load(struct hb_ruleset **out, const char *const *dirs,
                             size_t ndirs, struct hb_errlist *errs)
{
    struct hb_ruleset *rs = set_new();
    size_t before = hb_errlist_count(errs), i;

    *out = NULL;
    for (i = 0; i < ndirs; i++)
        load_layer(rs, dirs[i], errs);
    if (hb_errlist_count(errs) != before) {
        hb_rules_free(rs);
        return HB_EPARSE;
    }
    set_finish(rs);
    *out = rs;
    return HB_OK;
}

enum hb_status hb_rules_load_file(struct hb_ruleset **out, const char *path,
                                  struct hb_errlist *errs)
{
    return hb_rules_load(out, &path, 1, errs);
}

void hb_rules_free(struct hb_ruleset *rs)
{
    size_t i;

    if (rs == NULL)
        return;
    for (i = 0; i < rs->n; i++)
        hb_rule_free(rs->rules[i]);
    free(rs->rules);
    free(rs);
}

size_t hb_rules_count(const struct hb_ruleset *rs)
{
    return rs ? rs->n : 0;
}

const struct hb_rule_meta *hb_rules_get(const struct hb_ruleset *rs, size_t i)
{
    return rs && i < rs->n ? &rs->rules[i]->meta : NULL;
}

const struct hb_rule_meta *hb_rules_find(const struct hb_ruleset *rs,
                                         const char *id)
{
    size_t i;

    if (rs == NULL || id == NULL)
        return NULL;
    i = set_find(rs, id);
    return i == (size_t)-1 ? NULL : &rs->rules[i]->meta;
}

/* ---- default directories --------------------------------------------------
 */

#define MAX_DEFAULT_DIRS 16

/* The directory above dir, lexically: "build" -> ".", "." -> "..". */
static void parent_dir(char *dst, size_t cap, const char *dir)
{
    const char *slash = strrchr(dir, '/');
    const char *last = slash ? slash + 1 : dir;

    if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0 || last[0] == '\0') {
        if (strcmp(dir, ".") == 0)
            snprintf(dst, cap, "..");
        else if (strcmp(dir, "/") == 0)
            snprintf(dst, cap, "/");
        else
            snprintf(dst, cap, "%s/..", dir);
        return;
    }
    if (slash == NULL)
        snprintf(dst, cap, ".");
    else if (slash == dir)
        snprintf(dst, cap, "/");
    else
        snprintf(dst, cap, "%.*s", (int)(slash - dir), dir);
}

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "<dir>/rules", written as "rules" when dir is ".". */
static void rules_in(char *dst, size_t cap, const char *dir)
{
    if (strcmp(dir, ".") == 0)
        snprintf(dst, cap, "rules");
    else
        snprintf(dst, cap, "%s%srules", dir,
                 dir[strlen(dir) - 1] == '/' ? "" : "/");
}

size_t hb_rules_default_dirs(const char **dirs, size_t cap, const char *argv0)
{
    static char store[MAX_DEFAULT_DIRS][PATH_MAX];
    const char *env = getenv("HBSCAN_RULES");
    char bin[PATH_MAX], up[PATH_MAX], up2[PATH_MAX];
    size_t n = 0;

    if (cap > MAX_DEFAULT_DIRS)
        cap = MAX_DEFAULT_DIRS;
    if (env && *env) {
        const char *p = env;

        while (*p && n < cap) {
            const char *colon = strchr(p, ':');
            size_t len = colon ? (size_t)(colon - p) : strlen(p);

            if (len > 0 && len < PATH_MAX) {
                memcpy(store[n], p, len);
                store[n][len] = '\0';
                dirs[n] = store[n];
                n++;
            }
            p += len;
            if (*p == ':')
                p++;
        }
        if (n > 0)
            return n;
    }
    if (cap == 0)
        return 0;
    /* the build tree: build/hbscan -> rules, build/san/hbscan -> rules */
    bin[0] = '\0';
    if (argv0 && strchr(argv0, '/')) {
        parent_dir(bin, sizeof bin, argv0);
    } else {
        ssize_t len = readlink("/proc/self/exe", up, sizeof up - 1);

        if (len > 0) {
            up[len] = '\0';
            parent_dir(bin, sizeof bin, up);
        }
    }
    if (bin[0]) {
        parent_dir(up, sizeof up, bin);
        rules_in(store[0], sizeof store[0], up);
        if (is_dir(store[0])) {
            dirs[0] = store[0];
            return 1;
        }
        parent_dir(up2, sizeof up2, up);
        rules_in(store[0], sizeof store[0], up2);
        if (is_dir(store[0])) {
            dirs[0] = store[0];
            return 1;
        }
    }
    snprintf(store[0], sizeof store[0], "%s/share/hbscan/rules", HB_PREFIX);
    dirs[0] = store[0];
    return 1;
}

/* ---- explaining a rule ----------------------------------------------------
 */

/* A YAML single-quoted scalar. */
static void put_quoted(struct hb_buf *b, const char *s)
{
    hb_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            hb_buf_putc(b, '\'');
        hb_buf_putc(b, *s);
    }
    hb_buf_putc(b, '\'');
}

static void put_leaf_values(struct hb_buf *b, const struct hb_cond *c)
{
    size_t i;

    switch (hb_leaf_table[c->leaf].type) {
    case HB_LT_REGEX:
        put_quoted(b, c->rx.pattern);
        return;
    case HB_LT_BOOL:
        hb_buf_puts(b, c->flag ? "true" : "false");
        return;
    default:
        break;
    }
    hb_buf_putc(b, '[');
    for (i = 0; i < c->nvals; i++) {
        if (i)
            hb_buf_puts(b, ", ");
        if (hb_leaf_table[c->leaf].type == HB_LT_INT) {
            if (c->ranges[i].lo == c->ranges[i].hi)
                hb_buf_printf(b, "%ld", c->ranges[i].lo);
            else
                hb_buf_printf(b, "\"%ld-%ld\"", c->ranges[i].lo,
                              c->ranges[i].hi);
        } else if (hb_leaf_table[c->leaf].type == HB_LT_EVENT) {
            hb_buf_puts(b, hb_event_name((enum hb_event)c->events[i]));
        } else {
            hb_buf_puts(b, c->names[i]);
        }
    }
    hb_buf_putc(b, ']');
}

/* Writes c as the value of a mapping entry whose key ends the current line
   (or as a sequence item when item is true). */
static void put_cond(struct hb_buf *b, const struct hb_cond *c, int indent,
                     bool item)
{
    static const char *const ops[] = {"all", "any", "not"};
    size_t i;

    hb_buf_printf(b, "%*s%s", indent, "", item ? "- " : "");
    if (c->op == HB_COND_LEAF) {
        hb_buf_printf(b, "%s: ", hb_leaf_table[c->leaf].name);
        put_leaf_values(b, c);
        hb_buf_putc(b, '\n');
        return;
    }
    hb_buf_printf(b, "%s:\n", ops[c->op]);
    for (i = 0; i < c->nkids; i++)
        put_cond(b, c->kids[i], indent + (item ? 4 : 2), c->op != HB_COND_NOT);
}

void hb_rules_explain(const struct hb_ruleset *rs, size_t i, struct hb_buf *out)
{
    const struct hb_rule *r;
    bool any_case = false;
    size_t k;

    if (rs == NULL || i >= rs->n)
        return;
    r = rs->rules[i];
    hb_buf_puts(out, "literals: ");
    if (r->nliterals == 0) {
        hb_buf_puts(out, "none  # no literal prefilter (cheap conditions still "
                         "run first)\n");
    } else {
        hb_buf_putc(out, '[');
        for (k = 0; k < r->nliterals; k++) {
            if (k)
                hb_buf_puts(out, ", ");
            put_quoted(out, r->literals[k]);
            if (r->lit_caseless && r->lit_caseless[k])
                hb_buf_puts(out, "/i");
        }
        for (k = 0; r->lit_caseless && k < r->nliterals; k++)
            any_case |= r->lit_caseless[k];
        hb_buf_printf(out, "]  # %s%s\n",
                      r->literals_declared ? "declared"
                                           : "derived from the patterns",
                      any_case ? "; /i = in any case" : "");
    }
    hb_buf_puts(out, "match:  # in evaluation order\n");
    if (r->cond)
        put_cond(out, r->cond, 2, false);
}
