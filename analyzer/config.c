/*
 * config.c - YAML (libyaml events) and .properties files to a flat list of
 * (dotted key, value, file, line) entries, with Spring's relaxed key form,
 * document profiles and bounded YAML alias expansion.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "util.h"

/* Events one file may produce; bounds empty-document floods. */
#define MAX_EVENTS (HB_CFG_MAX_ENTRIES * 8UL)

struct hb_cfg {
    struct hb_cfg_file *files; /* owned */
    size_t nfiles, capfiles;
    struct hb_cfg_entry *ents; /* owned */
    char **blocks;             /* owned; blocks[i] holds ents[i]'s strings */
    size_t n, cap;
    char **pool; /* owned strings: paths, profiles */
    size_t npool, cappool;
};

struct yframe {
    enum hb_cfg_kind kind; /* HB_CFG_MAP or HB_CFG_SEQ */
    size_t pathlen;        /* key length where this container's keys start */
    unsigned long index;   /* SEQ: next item */
    bool want_key;         /* MAP: next node is a key */
    bool merge;            /* MAP: the pending key is "<<" */
    bool merge_seq;        /* SEQ under "<<": items merge into the map */
    unsigned long kline, kcol; /* MAP: mark of the pending key */
    char *anchor;              /* owned; anchor named on this container */
    char *prefix;              /* owned; the container's key when anchored */
    size_t first;              /* entry index where the container starts */
    unsigned long dup_line;    /* MAP: line where the pending key was first */
    struct keyset *keys;       /* owned; MAP: keys seen, for duplicates */
};

/* Hashes of the keys of one mapping (open addressing), with their lines. */
struct keyset {
    uint64_t *hash;
    unsigned long *line;
    size_t n, cap;
};

struct yanchor {
    char *name;   /* owned */
    char *prefix; /* owned; key of the anchored node */
    size_t first, last;
};

struct loader {
    struct hb_cfg *c;
    const char *path;
    const char *data;
    size_t len;
    size_t *lines; /* owned; start offset of each line */
    size_t nlines;
    size_t file;
    size_t doc_first;
    unsigned doc;
    const char *file_profile;
    struct hb_diag *d;
    struct hb_buf key;
    struct yframe stack[HB_CFG_MAX_DEPTH];
    int depth;
    struct yanchor *anchors; /* owned */
    size_t nanchors, capanchors;
    size_t aliased;
};

struct hb_cfg *hb_cfg_new(void)
{
    return hb_xcalloc(1, sizeof(struct hb_cfg));
}

static void truncate_entries(struct hb_cfg *c, size_t n)
{
    while (c->n > n)
        free(c->blocks[--c->n]);
}

void hb_cfg_free(struct hb_cfg *c)
{
    size_t i;

    if (c == NULL)
        return;
    truncate_entries(c, 0);
    for (i = 0; i < c->npool; i++)
        free(c->pool[i]);
    free(c->pool);
    free(c->ents);
    free(c->blocks);
    free(c->files);
    free(c);
}

static const char *pool_add(struct hb_cfg *c, const char *s, size_t n)
{
    if (c->npool == c->cappool) {
        c->cappool = c->cappool ? c->cappool * 2 : 16;
        c->pool = hb_xrealloc(c->pool, c->cappool * sizeof *c->pool);
    }
    c->pool[c->npool] = hb_xstrndup(s, n);
    return c->pool[c->npool++];
}

size_t hb_cfg_count(const struct hb_cfg *c)
{
    return c->n;
}

const struct hb_cfg_entry *hb_cfg_at(const struct hb_cfg *c, size_t i)
{
    return i < c->n ? &c->ents[i] : NULL;
}

size_t hb_cfg_nfiles(const struct hb_cfg *c)
{
    return c->nfiles;
}

const struct hb_cfg_file *hb_cfg_file_at(const struct hb_cfg *c, size_t i)
{
    return i < c->nfiles ? &c->files[i] : NULL;
}

const char *hb_cfg_role_name(enum hb_cfg_role r)
{
    switch (r) {
    case HB_CFG_CLIENT:
        return "client";
    case HB_CFG_SDK:
        return "sdk";
    case HB_CFG_SERVER:
        return "server";
    case HB_CFG_BUILD:
        return "build";
    case HB_CFG_AUTO:
        break;
    }
    return "auto";
}

/* Relaxed binding: case, '-' and '_' do not matter (Spring Boot's
 * ConfigurationPropertyName compares elements that way). */
static size_t norm_into(const char *key, size_t n, char *out, size_t cap)
{
    size_t i, o = 0;

    if (cap == 0)
        return 0;
    for (i = 0; i < n && o + 1 < cap; i++) {
        unsigned char ch = (unsigned char)key[i];

        if (ch == '-' || ch == '_')
            continue;
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch - 'A' + 'a');
        out[o++] = (char)ch;
    }
    out[o] = '\0';
    return o;
}

void hb_cfg_norm(const char *key, char *out, size_t cap)
{
    norm_into(key, strlen(key), out, cap);
}

bool hb_cfg_key_is(const struct hb_cfg_entry *e, const char *key)
{
    char want[HB_CFG_MAX_KEY + 1];

    hb_cfg_norm(key, want, sizeof want);
    return strcmp(e->norm, want) == 0;
}

const struct hb_cfg_entry *hb_cfg_find(const struct hb_cfg *c, size_t file,
                                       const char *key, size_t *pos)
{
    char want[HB_CFG_MAX_KEY + 1];
    size_t i;

    hb_cfg_norm(key, want, sizeof want);
    for (i = *pos; i < c->n; i++) {
        if (file != HB_CFG_ANY_FILE && c->ents[i].file != file)
            continue;
        if (strcmp(c->ents[i].norm, want) == 0) {
            *pos = i + 1;
            return &c->ents[i];
        }
    }
    *pos = c->n;
    return NULL;
}

/* ---- source lines --------------------------------------------------- */

/* Line starts, counting "\r\n", "\n" and "\r" as one break (as libyaml). */
static void index_lines(struct loader *L)
{
    size_t i, cap = 64;

    L->lines = hb_xmalloc(cap * sizeof *L->lines);
    L->nlines = 0;
    L->lines[L->nlines++] = 0;
    for (i = 0; i < L->len; i++) {
        char ch = L->data[i];

        if (ch != '\n' && ch != '\r')
            continue;
        if (ch == '\r' && i + 1 < L->len && L->data[i + 1] == '\n')
            i++;
        if (L->nlines == cap) {
            cap *= 2;
            L->lines = hb_xrealloc(L->lines, cap * sizeof *L->lines);
        }
        L->lines[L->nlines++] = i + 1;
    }
}

/* The trimmed text of 1-based line, capped without splitting UTF-8. */
static void line_text(const struct loader *L, unsigned long line,
                      const char **p, size_t *n)
{
    size_t s, e;

    *p = "";
    *n = 0;
    if (line == 0 || line > L->nlines)
        return;
    s = L->lines[line - 1];
    e = s;
    while (e < L->len && L->data[e] != '\n' && L->data[e] != '\r')
        e++;
    while (s < e && (L->data[s] == ' ' || L->data[s] == '\t'))
        s++;
    while (e > s && (L->data[e - 1] == ' ' || L->data[e - 1] == '\t'))
        e--;
    if (e - s > HB_CFG_MAX_TEXT) {
        e = s + HB_CFG_MAX_TEXT;
        while (e > s && ((unsigned char)L->data[e] & 0xc0) == 0x80)
            e--;
    }
    *p = L->data + s;
    *n = e - s;
}

/* 1-based line and column of byte offset off. */
static void offset_pos(const struct loader *L, size_t off, unsigned long *line,
                       unsigned long *col)
{
    size_t lo = 0, hi = L->nlines;

    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;

        if (L->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    *line = lo + 1;
    *col = off - L->lines[lo] + 1;
}

/* ---- entries -------------------------------------------------------- */

static enum hb_status add_entry(struct loader *L, const char *key, size_t klen,
                                const char *val, size_t vlen,
                                enum hb_cfg_kind kind, bool null,
                                unsigned long line, unsigned long col)
{
    struct hb_cfg *c = L->c;
    struct hb_cfg_entry *e;
    const char *t;
    size_t tlen, nlen;
    char *b;

    if (c->n - c->files[L->file].first >= HB_CFG_MAX_ENTRIES) {
        hb_diag_set(L->d, L->path, line, col,
                    "more than %d settings in one file", HB_CFG_MAX_ENTRIES);
        return HB_ELIMIT;
    }
    if (c->n >= HB_CFG_MAX_TOTAL) {
        hb_diag_set(L->d, L->path, line, col,
                    "more than %d settings in all files", HB_CFG_MAX_TOTAL);
        return HB_ELIMIT;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->ents = hb_xrealloc(c->ents, c->cap * sizeof *c->ents);
        c->blocks = hb_xrealloc(c->blocks, c->cap * sizeof *c->blocks);
    }
    line_text(L, line, &t, &tlen);
    b = hb_xmalloc(2 * (klen + 1) + vlen + 1 + tlen + 1);
    e = &c->ents[c->n];
    c->blocks[c->n++] = b;
    memcpy(b, key, klen);
    b[klen] = '\0';
    e->key = b;
    b += klen + 1;
    nlen = norm_into(key, klen, b, klen + 1);
    e->norm = b;
    b += nlen + 1;
    memcpy(b, val, vlen);
    b[vlen] = '\0';
    e->value = b;
    b += vlen + 1;
    memcpy(b, t, tlen);
    b[tlen] = '\0';
    e->text = b;
    e->kind = kind;
    e->null = null;
    e->aliased = false;
    e->dup_line = 0;
    e->profile = NULL;
    e->doc = L->doc;
    e->file = L->file;
    e->line = line;
    e->col = col;
    return HB_OK;
}

/* A document ends: its entries take the profile it activates on
 * (spring.config.activate.on-profile, or the older spring.profiles), else
 * the one in the file name. */
static void finish_doc(struct loader *L)
{
    struct hb_cfg *c = L->c;
    const char *profile = L->file_profile;
    size_t i;

    for (i = L->doc_first; i < c->n; i++) {
        const struct hb_cfg_entry *e = &c->ents[i];

        if (e->kind == HB_CFG_SCALAR && e->value[0] &&
            (strcmp(e->norm, "spring.config.activate.onprofile") == 0 ||
             strcmp(e->norm, "spring.profiles") == 0)) {
            profile = pool_add(c, e->value, strlen(e->value));
            break;
        }
    }
    for (i = L->doc_first; i < c->n; i++)
        c->ents[i].profile = profile;
    L->doc++;
    L->doc_first = c->n;
}

/* ---- YAML ----------------------------------------------------------- */

static void keyset_free(struct keyset *k)
{
    if (k == NULL)
        return;
    free(k->hash);
    free(k->line);
    free(k);
}

/* Adds a key; returns the line it was first seen at if already there. */
static unsigned long keyset_add(struct keyset *k, const char *key, size_t n,
                                unsigned long line)
{
    uint64_t h = hb_hash64(key, n, HB_HASH_SEED) | 1; /* 0 = empty slot */
    size_t i;

    if (2 * (k->n + 1) > k->cap) {
        struct keyset old = *k;

        k->cap = k->cap ? 2 * k->cap : 16;
        k->hash = hb_xcalloc(k->cap, sizeof *k->hash);
        k->line = hb_xcalloc(k->cap, sizeof *k->line);
        k->n = 0;
        for (i = 0; i < old.cap; i++) {
            size_t j;

            if (old.hash[i] == 0)
                continue;
            for (j = old.hash[i] & (k->cap - 1); k->hash[j];
                 j = (j + 1) & (k->cap - 1))
                ;
            k->hash[j] = old.hash[i];
            k->line[j] = old.line[i];
            k->n++;
        }
        free(old.hash);
        free(old.line);
    }
    for (i = h & (k->cap - 1); k->hash[i]; i = (i + 1) & (k->cap - 1))
        if (k->hash[i] == h)
            return k->line[i];
    k->hash[i] = h;
    k->line[i] = line;
    k->n++;
    return 0;
}

static void key_truncate(struct loader *L, size_t n)
{
    if (L->key.data == NULL)
        hb_buf_reserve(&L->key, 0);
    L->key.len = n;
    L->key.data[n] = '\0';
}

static enum hb_status key_push(struct loader *L, const char *k, size_t n,
                               unsigned long line, unsigned long col)
{
    if (L->key.len + n + 1 > HB_CFG_MAX_KEY) {
        hb_diag_set(L->d, L->path, line, col, "key longer than %d bytes",
                    HB_CFG_MAX_KEY);
        return HB_ELIMIT;
    }
    if (L->key.len)
        hb_buf_putc(&L->key, '.');
    hb_buf_append(&L->key, k, n);
    return HB_OK;
}

static enum hb_status key_index(struct loader *L, unsigned long i,
                                unsigned long line, unsigned long col)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "[%lu]", i);

    if (L->key.len + (size_t)n > HB_CFG_MAX_KEY) {
        hb_diag_set(L->d, L->path, line, col, "key longer than %d bytes",
                    HB_CFG_MAX_KEY);
        return HB_ELIMIT;
    }
    hb_buf_append(&L->key, tmp, (size_t)n);
    return HB_OK;
}

/* A value (scalar, container or alias) under the top frame is complete. */
static void value_done(struct loader *L)
{
    struct yframe *f;

    if (L->depth == 0)
        return;
    f = &L->stack[L->depth - 1];
    key_truncate(L, f->pathlen);
    if (f->kind == HB_CFG_MAP) {
        f->want_key = true;
        f->merge = false;
        f->dup_line = 0;
    } else if (!f->merge_seq) {
        f->index++;
    }
}

static enum hb_status record_anchor(struct loader *L, const char *name,
                                    const char *prefix, size_t first,
                                    size_t last, const yaml_mark_t *mark)
{
    struct yanchor *a;

    if (L->nanchors == HB_CFG_MAX_ANCHORS) {
        hb_diag_set(L->d, L->path, mark->line + 1, mark->column + 1,
                    "more than %d YAML anchors", HB_CFG_MAX_ANCHORS);
        return HB_ELIMIT;
    }
    if (L->nanchors == L->capanchors) {
        L->capanchors = L->capanchors ? L->capanchors * 2 : 8;
        L->anchors =
            hb_xrealloc(L->anchors, L->capanchors * sizeof *L->anchors);
    }
    a = &L->anchors[L->nanchors++];
    a->name = hb_xstrdup(name);
    a->prefix = hb_xstrdup(prefix);
    a->first = first;
    a->last = last;
    return HB_OK;
}

static bool is_null_scalar(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;

    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/*
 * Where the node now starting lands. Returns the path length to restore
 * afterwards, sets *entry when the node gets its own entry (not when it is
 * merged by "<<"), and *merge when its keys go into the enclosing map.
 */
static enum hb_status node_start(struct loader *L, unsigned long line,
                                 unsigned long col, bool *entry, bool *merge,
                                 unsigned long *eline, unsigned long *ecol)
{
    struct yframe *p = &L->stack[L->depth - 1];

    *entry = false;
    *merge = false;
    *eline = line;
    *ecol = col;
    if (p->kind == HB_CFG_MAP) {
        if (p->want_key) {
            hb_diag_set(L->d, L->path, line, col,
                        "complex mapping keys are not supported");
            return HB_EPARSE;
        }
        if (p->merge) {
            *merge = true;
            return HB_OK;
        }
        *entry = true;
        *eline = p->kline;
        *ecol = p->kcol;
        return HB_OK;
    }
    if (p->merge_seq) {
        *merge = true;
        return HB_OK;
    }
    *entry = true;
    return key_index(L, p->index, line, col);
}

static enum hb_status on_collection_start(struct loader *L,
                                          const yaml_event_t *ev,
                                          enum hb_cfg_kind kind)
{
    unsigned long line = ev->start_mark.line + 1,
                  col = ev->start_mark.column + 1;
    const yaml_char_t *anchor = kind == HB_CFG_MAP
                                    ? ev->data.mapping_start.anchor
                                    : ev->data.sequence_start.anchor;
    struct yframe *f;
    bool entry = false, merge = false;
    unsigned long eline, ecol, dup;
    enum hb_status rc;

    if (L->depth >= HB_CFG_MAX_DEPTH) {
        hb_diag_set(L->d, L->path, line, col, "nesting deeper than %d levels",
                    HB_CFG_MAX_DEPTH);
        return HB_ELIMIT;
    }
    if (L->depth == 0 && kind == HB_CFG_SEQ) {
        hb_diag_set(L->d, L->path, line, col,
                    "the document is a list, not a mapping of settings");
        return HB_EPARSE;
    }
    if (L->depth > 0) {
        rc = node_start(L, line, col, &entry, &merge, &eline, &ecol);
        if (rc != HB_OK)
            return rc;
    }
    dup = L->depth > 0 ? L->stack[L->depth - 1].dup_line : 0;
    f = &L->stack[L->depth++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->want_key = true;
    f->first = L->c->n;
    if (kind == HB_CFG_MAP)
        f->keys = hb_xcalloc(1, sizeof *f->keys);
    if (merge && kind == HB_CFG_SEQ)
        f->merge_seq = true;
    if (entry) {
        rc = add_entry(L, L->key.data, L->key.len, "", 0, kind, false, eline,
                       ecol);
        if (rc != HB_OK)
            return rc;
        L->c->ents[L->c->n - 1].dup_line = dup;
    }
    f->pathlen = L->key.len;
    if (anchor) {
        f->anchor = hb_xstrdup((const char *)anchor);
        f->prefix = hb_xstrndup(L->key.data ? L->key.data : "", L->key.len);
    }
    return HB_OK;
}

static enum hb_status on_collection_end(struct loader *L,
                                        const yaml_event_t *ev)
{
    struct yframe *f = &L->stack[--L->depth];
    enum hb_status rc = HB_OK;

    if (f->anchor)
        rc = record_anchor(L, f->anchor, f->prefix, f->first, L->c->n,
                           &ev->start_mark);
    free(f->anchor);
    free(f->prefix);
    keyset_free(f->keys);
    f->anchor = f->prefix = NULL;
    f->keys = NULL;
    value_done(L);
    return rc;
}

static enum hb_status on_scalar(struct loader *L, const yaml_event_t *ev)
{
    unsigned long line = ev->start_mark.line + 1,
                  col = ev->start_mark.column + 1;
    const char *v = (const char *)ev->data.scalar.value;
    size_t vlen = ev->data.scalar.length;
    struct yframe *f;
    bool entry, merge, null = is_null_scalar(ev);
    unsigned long eline, ecol;
    size_t first = L->c->n;
    enum hb_status rc;

    if (L->depth == 0) {
        if (null)
            return HB_OK; /* an empty document */
        hb_diag_set(L->d, L->path, line, col,
                    "the document is a plain value, not a mapping of settings");
        return HB_EPARSE;
    }
    f = &L->stack[L->depth - 1];
    if (f->kind == HB_CFG_MAP && f->want_key) {
        if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && vlen == 2 &&
            memcmp(v, "<<", 2) == 0) {
            f->merge = true;
        } else {
            rc = key_push(L, v, vlen, line, col);
            if (rc != HB_OK)
                return rc;
            f->dup_line = keyset_add(f->keys, v, vlen, line);
        }
        f->kline = line;
        f->kcol = col;
        f->want_key = false;
        return HB_OK;
    }
    rc = node_start(L, line, col, &entry, &merge, &eline, &ecol);
    if (rc != HB_OK)
        return rc;
    if (entry) {
        rc = add_entry(L, L->key.data, L->key.len, null ? "" : v,
                       null ? 0 : vlen, HB_CFG_SCALAR, null, eline, ecol);
        if (rc != HB_OK)
            return rc;
        if (f->kind == HB_CFG_MAP)
            L->c->ents[L->c->n - 1].dup_line = f->dup_line;
        if (ev->data.scalar.anchor) {
            rc = record_anchor(L, (const char *)ev->data.scalar.anchor,
                               L->key.data, first, L->c->n, &ev->start_mark);
            if (rc != HB_OK)
                return rc;
        }
    }
    value_done(L);
    return HB_OK;
}

/* Copies the anchored entries under the current key (or into the enclosing
 * map for "<<"), within the per-file alias budget. */
static enum hb_status on_alias(struct loader *L, const yaml_event_t *ev)
{
    unsigned long line = ev->start_mark.line + 1,
                  col = ev->start_mark.column + 1;
    const char *name = (const char *)ev->data.alias.anchor;
    const struct yanchor *a = NULL;
    char suffix[HB_CFG_MAX_KEY + 1];
    bool entry, merge;
    unsigned long eline, ecol;
    size_t i, base, plen;
    enum hb_status rc;

    for (i = L->nanchors; i-- > 0;) {
        if (strcmp(L->anchors[i].name, name) == 0) {
            a = &L->anchors[i];
            break;
        }
    }
    if (a == NULL) {
        hb_diag_set(L->d, L->path, line, col, "undefined alias *%s", name);
        return HB_EPARSE;
    }
    if (++L->aliased > HB_CFG_MAX_ALIAS) { /* every alias costs one */
        hb_diag_set(L->d, L->path, line, col,
                    "aliases expand to more than %d settings",
                    HB_CFG_MAX_ALIAS);
        return HB_ELIMIT;
    }
    if (L->depth == 0) {
        hb_diag_set(L->d, L->path, line, col,
                    "the document is an alias, not a mapping of settings");
        return HB_EPARSE;
    }
    if (L->stack[L->depth - 1].kind == HB_CFG_MAP &&
        L->stack[L->depth - 1].want_key) {
        hb_diag_set(L->d, L->path, line, col,
                    "an alias as a mapping key is not supported");
        return HB_EPARSE;
    }
    rc = node_start(L, line, col, &entry, &merge, &eline, &ecol);
    if (rc != HB_OK)
        return rc;
    base = L->key.len;
    plen = strlen(a->prefix);
    for (i = a->first; i < a->last; i++) {
        /* copy out: add_entry may move the entry array */
        struct hb_cfg_entry src = L->c->ents[i];
        const char *suf = src.key + plen;

        if (strncmp(src.key, a->prefix, plen) != 0)
            continue;
        if (merge && *suf == '\0')
            continue; /* the merged map itself */
        if (++L->aliased > HB_CFG_MAX_ALIAS) {
            hb_diag_set(L->d, L->path, line, col,
                        "aliases expand to more than %d settings",
                        HB_CFG_MAX_ALIAS);
            return HB_ELIMIT;
        }
        hb_strlcpy(suffix, suf, strlen(suf), sizeof suffix);
        if (base == 0 && suffix[0] == '.')
            memmove(suffix, suffix + 1, strlen(suffix));
        if (base + strlen(suffix) > HB_CFG_MAX_KEY) {
            hb_diag_set(L->d, L->path, line, col, "key longer than %d bytes",
                        HB_CFG_MAX_KEY);
            return HB_ELIMIT;
        }
        hb_buf_puts(&L->key, suffix);
        rc = add_entry(L, L->key.data, L->key.len, src.value, strlen(src.value),
                       src.kind, src.null, entry ? eline : line,
                       entry ? ecol : col);
        key_truncate(L, base);
        if (rc != HB_OK)
            return rc;
        L->c->ents[L->c->n - 1].aliased = true;
        L->c->ents[L->c->n - 1].dup_line = 0;
    }
    value_done(L);
    return HB_OK;
}

static enum hb_status on_event(struct loader *L, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        L->doc_first = L->c->n;
        L->depth = 0;
        key_truncate(L, 0);
        return HB_OK;
    case YAML_DOCUMENT_END_EVENT:
        finish_doc(L);
        return HB_OK;
    case YAML_MAPPING_START_EVENT:
        return on_collection_start(L, ev, HB_CFG_MAP);
    case YAML_SEQUENCE_START_EVENT:
        return on_collection_start(L, ev, HB_CFG_SEQ);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        return on_collection_end(L, ev);
    case YAML_SCALAR_EVENT:
        return on_scalar(L, ev);
    case YAML_ALIAS_EVENT:
        return on_alias(L, ev);
    default:
        return HB_OK;
    }
}

static enum hb_status load_yaml(struct loader *L)
{
    yaml_parser_t p;
    yaml_event_t ev;
    enum hb_status rc = HB_OK;
    unsigned long events = 0;

    if (!yaml_parser_initialize(&p))
        hb_die("libyaml: cannot initialise a parser");
    yaml_parser_set_input_string(&p, (const unsigned char *)L->data, L->len);
    for (;;) {
        yaml_event_type_t type;

        if (!yaml_parser_parse(&p, &ev)) {
            const char *problem = p.problem ? p.problem : "malformed YAML";

            if (p.context)
                hb_diag_set(L->d, L->path, p.problem_mark.line + 1,
                            p.problem_mark.column + 1,
                            "YAML: %s (%s started at line %lu)", problem,
                            p.context, (unsigned long)p.context_mark.line + 1);
            else
                hb_diag_set(L->d, L->path, p.problem_mark.line + 1,
                            p.problem_mark.column + 1, "YAML: %s", problem);
            rc = HB_EPARSE;
            break;
        }
        if (++events > MAX_EVENTS) {
            hb_diag_set(L->d, L->path, ev.start_mark.line + 1,
                        ev.start_mark.column + 1, "more than %lu YAML events",
                        (unsigned long)MAX_EVENTS);
            yaml_event_delete(&ev);
            rc = HB_ELIMIT;
            break;
        }
        rc = on_event(L, &ev);
        type = ev.type;
        yaml_event_delete(&ev);
        if (rc != HB_OK || type == YAML_STREAM_END_EVENT)
            break;
    }
    while (L->depth > 0) {
        struct yframe *f = &L->stack[--L->depth];

        free(f->anchor);
        free(f->prefix);
        keyset_free(f->keys);
    }
    yaml_parser_delete(&p);
    return rc;
}

/* ---- .properties ---------------------------------------------------- */

static bool at_eol(const struct loader *L, size_t i)
{
    return i >= L->len || L->data[i] == '\n' || L->data[i] == '\r';
}

static size_t skip_eol(const struct loader *L, size_t i)
{
    if (i < L->len && L->data[i] == '\r') {
        i++;
        if (i < L->len && L->data[i] == '\n')
            i++;
    } else if (i < L->len && L->data[i] == '\n') {
        i++;
    }
    return i;
}

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\f';
}

/* Appends the UTF-8 encoding of code point cp. */
static void put_utf8(struct hb_buf *b, unsigned cp)
{
    if (cp < 0x80) {
        hb_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        hb_buf_putc(b, (char)(0xc0 | (cp >> 6)));
        hb_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        if (cp >= 0xd800 && cp <= 0xdfff)
            cp = 0xfffd; /* a lone surrogate half */
        hb_buf_putc(b, (char)(0xe0 | (cp >> 12)));
        hb_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        hb_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    }
}

/* java.util.Properties escapes: \t \n \r \f \uXXXX, others stand for
 * themselves. */
static void unescape(const char *s, size_t n, struct hb_buf *out)
{
    size_t i;

    hb_buf_reset(out);
    hb_buf_reserve(out, n);
    for (i = 0; i < n; i++) {
        char ch = s[i];

        if (ch != '\\') {
            hb_buf_putc(out, ch);
            continue;
        }
        if (++i >= n)
            break;
        ch = s[i];
        if (ch == 't')
            hb_buf_putc(out, '\t');
        else if (ch == 'n')
            hb_buf_putc(out, '\n');
        else if (ch == 'r')
            hb_buf_putc(out, '\r');
        else if (ch == 'f')
            hb_buf_putc(out, '\f');
        else if (ch == 'u' && i + 4 < n) {
            unsigned cp = 0;
            size_t k;
            bool ok = true;

            for (k = 1; ok && k <= 4; k++) {
                char h = s[i + k];

                cp <<= 4;
                if (h >= '0' && h <= '9')
                    cp |= (unsigned)(h - '0');
                else if (h >= 'a' && h <= 'f')
                    cp |= (unsigned)(h - 'a' + 10);
                else if (h >= 'A' && h <= 'F')
                    cp |= (unsigned)(h - 'A' + 10);
                else
                    ok = false;
            }
            if (ok) {
                put_utf8(out, cp);
                i += 4;
            } else {
                hb_buf_putc(out, 'u');
            }
        } else {
            hb_buf_putc(out, ch);
        }
    }
}

/* True when line [s, e) is a "#---" / "!---" document separator. */
static bool is_separator(const char *s, size_t n)
{
    while (n && is_blank(s[n - 1]))
        n--;
    return n == 4 && (s[0] == '#' || s[0] == '!') &&
           memcmp(s + 1, "---", 3) == 0;
}

static enum hb_status load_props(struct loader *L)
{
    struct hb_buf logical, key, val;
    unsigned long lineno = 0;
    size_t i = 0;
    enum hb_status rc = HB_OK;

    hb_buf_init(&logical);
    hb_buf_init(&key);
    hb_buf_init(&val);
    while (i < L->len) {
        unsigned long start;
        size_t s, k, ke;

        lineno++;
        while (i < L->len && is_blank(L->data[i]))
            i++;
        if (at_eol(L, i)) {
            i = skip_eol(L, i);
            continue;
        }
        if (L->data[i] == '#' || L->data[i] == '!') {
            s = i;
            while (!at_eol(L, i))
                i++;
            if (is_separator(L->data + s, i - s))
                finish_doc(L);
            i = skip_eol(L, i);
            continue;
        }
        /* join continuation lines (odd number of trailing backslashes) */
        start = lineno;
        hb_buf_reset(&logical);
        for (;;) {
            size_t bs = 0;

            s = i;
            while (!at_eol(L, i))
                i++;
            for (k = i; k > s && L->data[k - 1] == '\\'; k--)
                bs++;
            if (bs % 2 == 1 && i < L->len) {
                hb_buf_append(&logical, L->data + s, i - s - 1);
                i = skip_eol(L, i);
                lineno++;
                while (i < L->len && is_blank(L->data[i]))
                    i++;
                continue;
            }
            hb_buf_append(&logical, L->data + s, i - s - (bs % 2));
            i = skip_eol(L, i);
            break;
        }
        /* key ends at an unescaped '=', ':' or blank */
        for (ke = 0; ke < logical.len; ke++) {
            char ch = logical.data[ke];

            if (ch == '\\') {
                ke++;
                continue;
            }
            if (ch == '=' || ch == ':' || is_blank(ch))
                break;
        }
        if (ke > logical.len)
            ke = logical.len;
        k = ke;
        while (k < logical.len && is_blank(logical.data[k]))
            k++;
        if (k < logical.len &&
            (logical.data[k] == '=' || logical.data[k] == ':'))
            k++;
        while (k < logical.len && is_blank(logical.data[k]))
            k++;
        unescape(logical.data, ke, &key);
        unescape(logical.data + k, logical.len - k, &val);
        if (key.len == 0)
            continue;
        if (key.len > HB_CFG_MAX_KEY) {
            hb_diag_set(L->d, L->path, start, 1, "key longer than %d bytes",
                        HB_CFG_MAX_KEY);
            rc = HB_ELIMIT;
            break;
        }
        rc = add_entry(L, key.data, key.len, val.data ? val.data : "", val.len,
                       HB_CFG_SCALAR, false, start, 1);
        if (rc != HB_OK)
            break;
    }
    if (rc == HB_OK)
        finish_doc(L);
    hb_buf_fini(&logical);
    hb_buf_fini(&key);
    hb_buf_fini(&val);
    return rc;
}

/* ---- files ---------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* "application-prod.yml" -> "prod" (also bootstrap-*, *.yaml, *.properties) */
static const char *profile_from_name(struct hb_cfg *c, const char *path)
{
    const char *base = strrchr(path, '/');
    const char *dot, *p;

    base = base ? base + 1 : path;
    if (strncmp(base, "application-", 12) == 0)
        p = base + 12;
    else if (strncmp(base, "bootstrap-", 10) == 0)
        p = base + 10;
    else
        return NULL;
    dot = strrchr(p, '.');
    if (dot == NULL || dot == p)
        return NULL;
    if (!ends_with(base, ".yml") && !ends_with(base, ".yaml") &&
        !ends_with(base, ".properties"))
        return NULL;
    return pool_add(c, p, (size_t)(dot - p));
}

static bool has_top(const struct hb_cfg *c, size_t first, const char *name)
{
    size_t i, n = strlen(name);

    for (i = first; i < c->n; i++) {
        const char *nk = c->ents[i].norm;

        if (strncmp(nk, name, n) == 0 &&
            (nk[n] == '\0' || nk[n] == '.' || nk[n] == '['))
            return true;
    }
    return false;
}

static enum hb_cfg_role detect_role(const struct hb_cfg *c, size_t first)
{
    if (has_top(c, first, "apiservers"))
        return HB_CFG_SERVER;
    if (!has_top(c, first, "spring") &&
        (has_top(c, first, "global") || has_top(c, first, "consumer") ||
         has_top(c, first, "provider")))
        return HB_CFG_SDK;
    return HB_CFG_CLIENT;
}

enum hb_status hb_cfg_load_mem(struct hb_cfg *c, const char *path,
                               const char *data, size_t len,
                               enum hb_cfg_role role, struct hb_diag *d)
{
    struct loader L;
    struct hb_cfg_file *f;
    const char *nul;
    size_t i, saved_pool = c->npool;
    enum hb_status rc;

    memset(&L, 0, sizeof L);
    L.c = c;
    L.path = path;
    L.data = data;
    L.len = len;
    L.d = d;
    hb_buf_init(&L.key);
    index_lines(&L);
    if (len > HB_CFG_MAX_BYTES) {
        hb_diag_set(d, path, 0, 0, "larger than %u MiB",
                    (unsigned)(HB_CFG_MAX_BYTES >> 20));
        rc = HB_ELIMIT;
        goto out;
    }
    nul = memchr(data, '\0', len);
    if (nul) {
        unsigned long line, col;

        offset_pos(&L, (size_t)(nul - data), &line, &col);
        hb_diag_set(d, path, line, col,
                    "binary data (NUL byte), not a configuration file");
        rc = HB_EPARSE;
        goto out;
    }
    if (c->nfiles == c->capfiles) {
        c->capfiles = c->capfiles ? c->capfiles * 2 : 8;
        c->files = hb_xrealloc(c->files, c->capfiles * sizeof *c->files);
    }
    L.file = c->nfiles;
    f = &c->files[c->nfiles++];
    memset(f, 0, sizeof *f);
    f->path = pool_add(c, path, strlen(path));
    f->first = c->n;
    f->profile = profile_from_name(c, path);
    L.file_profile = f->profile;
    L.doc_first = c->n;
    if (ends_with(path, ".properties"))
        rc = load_props(&L);
    else
        rc = load_yaml(&L);
    if (rc != HB_OK) {
        truncate_entries(c, f->first);
        c->nfiles--;
        while (c->npool > saved_pool)
            free(c->pool[--c->npool]);
        goto out;
    }
    f->count = c->n - f->first;
    f->docs = L.doc;
    f->role = role == HB_CFG_AUTO ? detect_role(c, f->first) : role;
out:
    for (i = 0; i < L.nanchors; i++) {
        free(L.anchors[i].name);
        free(L.anchors[i].prefix);
    }
    free(L.anchors);
    free(L.lines);
    hb_buf_fini(&L.key);
    return rc;
}

enum hb_status hb_cfg_read_file(const char *path, struct hb_buf *out,
                                struct hb_diag *d)
{
    struct stat st;
    enum hb_status rc = HB_OK;
    int fd;

    hb_buf_reset(out);
    hb_buf_reserve(out, 0);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        hb_diag_set(d, path, 0, 0, "cannot open: %s", strerror(errno));
        return HB_EIO;
    }
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        hb_diag_set(d, path, 0, 0, "is a directory, not a file");
        rc = HB_EIO;
        goto out;
    }
    for (;;) {
        ssize_t got;

        hb_buf_reserve(out, 65536);
        got = read(fd, out->data + out->len, 65536);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            hb_diag_set(d, path, 0, 0, "cannot read: %s", strerror(errno));
            rc = HB_EIO;
            goto out;
        }
        if (got == 0)
            break;
        out->len += (size_t)got;
        out->data[out->len] = '\0';
        if (out->len > HB_CFG_MAX_BYTES) {
            hb_diag_set(d, path, 0, 0, "larger than %u MiB",
                        (unsigned)(HB_CFG_MAX_BYTES >> 20));
            rc = HB_ELIMIT;
            goto out;
        }
    }
out:
    close(fd);
    return rc;
}

enum hb_status hb_cfg_load(struct hb_cfg *c, const char *path,
                           enum hb_cfg_role role, struct hb_diag *d)
{
    struct hb_buf buf;
    enum hb_status rc;

    hb_buf_init(&buf);
    rc = hb_cfg_read_file(path, &buf, d);
    if (rc == HB_OK)
        rc = hb_cfg_load_mem(c, path, buf.data, buf.len, role, d);
    hb_buf_fini(&buf);
    return rc;
}
