/*
 * yamlcfg.c - libyaml events to a bounded node tree with line/column marks,
 * and the error list every loader shares. The tree lives in one arena; the
 * open collections are kept on an explicit stack capped at max_depth, so a
 * hostile file can neither recurse nor grow memory past its caps.
 */
#include "yamlcfg.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "util.h"

/* ---- error list ---------------------------------------------------------- */

void hb_errlist_add(struct hb_errlist *e, const char *path, unsigned long line,
                    unsigned long col, const char *fmt, ...)
{
    struct hb_diag *d;
    va_list ap;

    if (e->n >= HB_ERRLIST_MAX) {
        e->dropped++;
        return;
    }
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 16;
        e->items = hb_xrealloc(e->items, e->cap * sizeof *e->items);
    }
    d = &e->items[e->n++];
    hb_strlcpy(d->path, path, path ? strlen(path) : 0, sizeof d->path);
    d->line = line;
    d->col = col;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
}

void hb_errlist_fini(struct hb_errlist *e)
{
    free(e->items);
    e->items = NULL;
    e->n = e->cap = e->dropped = 0;
}

void hb_errlist_print(const struct hb_errlist *e, FILE *fp)
{
    size_t i;

    for (i = 0; i < e->n; i++)
        hb_diag_print(&e->items[i], fp);
    if (e->dropped)
        fprintf(fp, "hbscan: ... and %zu more errors\n", e->dropped);
}

size_t hb_errlist_count(const struct hb_errlist *e)
{
    return e->n + e->dropped;
}

/* ---- tree building --------------------------------------------------------
 */

/* An open collection: children gather in a heap vector, then move into the
   arena when the collection ends. */
struct frame {
    struct hb_yaml_node *node;
    struct hb_yaml_node **kids; /* owned; seq items, or key, value, key, ... */
    size_t nkids, cap;
    char *anchor; /* owned; NULL when not anchored */
};

struct anchor {
    char *name; /* owned */
    struct hb_yaml_node *node;
    bool open; /* still being built: an alias to it would be a cycle */
};

struct builder {
    struct hb_yaml_doc *doc;
    const char *path;
    struct hb_errlist *errs;
    size_t max_depth, max_nodes;
    size_t nodes;        /* budget used, alias expansions included */
    struct frame *stack; /* owned; max_depth entries */
    size_t depth;
    struct anchor *anchors; /* owned */
    size_t nanchors, anchors_cap;
    struct hb_yaml_node **roots; /* owned until moved to the doc */
    size_t nroots, roots_cap;
    bool have_root; /* the current document got its root */
    bool failed;
};

static void berr(struct builder *b, const yaml_mark_t *m, const char *fmt, ...)
    HB_PRINTF(3, 4);

static void berr(struct builder *b, const yaml_mark_t *m, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hb_errlist_add(b->errs, b->path, m ? m->line + 1 : 0, m ? m->column + 1 : 0,
                   "%s", msg);
    b->failed = true;
}

static struct anchor *anchor_find(struct builder *b, const char *name)
{
    size_t i;

    /* a later anchor of the same name shadows the earlier one */
    for (i = b->nanchors; i-- > 0;)
        if (strcmp(b->anchors[i].name, name) == 0)
            return &b->anchors[i];
    return NULL;
}

static void anchor_add(struct builder *b, const char *name,
                       struct hb_yaml_node *node, bool open)
{
    struct anchor *a;

    if (b->nanchors == b->anchors_cap) {
        b->anchors_cap = b->anchors_cap ? b->anchors_cap * 2 : 8;
        b->anchors =
            hb_xrealloc(b->anchors, b->anchors_cap * sizeof *b->anchors);
    }
    a = &b->anchors[b->nanchors++];
    a->name = hb_xstrdup(name);
    a->node = node;
    a->open = open;
}

static void anchors_clear(struct builder *b)
{
    size_t i;

    for (i = 0; i < b->nanchors; i++)
        free(b->anchors[i].name);
    b->nanchors = 0;
}

static void anchor_close(struct builder *b, const char *name,
                         const struct hb_yaml_node *node)
{
    size_t i;

    for (i = b->nanchors; i-- > 0;)
        if (b->anchors[i].node == node && strcmp(b->anchors[i].name, name) == 0)
            b->anchors[i].open = false;
}

static bool budget(struct builder *b, size_t weight, const yaml_mark_t *m)
{
    if (weight > b->max_nodes - b->nodes) {
        berr(b, m,
             "document too large: more than %zu nodes (aliases count the "
             "nodes they repeat)",
             b->max_nodes);
        return false;
    }
    b->nodes += weight;
    return true;
}

static struct hb_yaml_node *node_new(struct builder *b, enum hb_yaml_kind k,
                                     const yaml_event_t *ev, const char *tag)
{
    struct hb_yaml_node *n = hb_arena_alloc(&b->doc->arena, sizeof *n);

    n->kind = k;
    n->line = ev->start_mark.line + 1;
    n->col = ev->start_mark.column + 1;
    n->tag = tag ? hb_arena_strdup(&b->doc->arena, tag) : NULL;
    n->weight = 1;
    return n;
}

/* Hands a finished node to its parent (or makes it the document root). */
static void attach(struct builder *b, struct hb_yaml_node *n)
{
    struct frame *f;

    if (b->depth == 0) {
        if (b->nroots == b->roots_cap) {
            b->roots_cap = b->roots_cap ? b->roots_cap * 2 : 4;
            b->roots = hb_xrealloc(b->roots, b->roots_cap * sizeof *b->roots);
        }
        b->roots[b->nroots++] = n;
        b->have_root = true;
        return;
    }
    f = &b->stack[b->depth - 1];
    if (f->nkids == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->kids = hb_xrealloc(f->kids, f->cap * sizeof *f->kids);
    }
    f->kids[f->nkids++] = n;
}

static bool open_collection(struct builder *b, enum hb_yaml_kind k,
                            const yaml_event_t *ev, const char *anchor,
                            const char *tag)
{
    struct frame *f;
    struct hb_yaml_node *n;

    if (b->depth >= b->max_depth) {
        berr(b, &ev->start_mark, "nesting deeper than %zu levels",
             b->max_depth);
        return false;
    }
    if (!budget(b, 1, &ev->start_mark))
        return false;
    n = node_new(b, k, ev, tag);
    f = &b->stack[b->depth++];
    memset(f, 0, sizeof *f);
    f->node = n;
    if (anchor) {
        f->anchor = hb_xstrdup(anchor);
        anchor_add(b, anchor, n, true);
    }
    return true;
}

struct keyref {
    const struct hb_yaml_node *key;
    size_t pos;
};

static int keyref_cmp(const void *pa, const void *pb)
{
    const struct keyref *a = pa, *b = pb;
    size_t n = a->key->len < b->key->len ? a->key->len : b->key->len;
    int c = memcmp(a->key->str, b->key->str, n);

    if (c)
        return c;
    if (a->key->len != b->key->len)
        return a->key->len < b->key->len ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Moves a mapping's pairs into the node, dropping complex and duplicate
   keys (each reported). Sorting finds duplicates in n log n. */
static void finish_map(struct builder *b, struct frame *f)
{
    struct hb_yaml_node *n = f->node;
    size_t npairs = f->nkids / 2, nrefs = 0, i, k;
    struct keyref *refs;
    bool *drop;

    refs = hb_xcalloc(npairs ? npairs : 1, sizeof *refs);
    drop = hb_xcalloc(npairs ? npairs : 1, sizeof *drop);
    for (i = 0; i < npairs; i++) {
        const struct hb_yaml_node *key = f->kids[2 * i];

        if (key->kind != HB_YAML_SCALAR) {
            hb_errlist_add(b->errs, b->path, key->line, key->col,
                           "mapping keys must be scalars, not a %s",
                           hb_yaml_kind_name(key->kind));
            b->failed = true;
            drop[i] = true;
            continue;
        }
        refs[nrefs].key = key;
        refs[nrefs].pos = i;
        nrefs++;
    }
    /* equal keys end up adjacent, the first written first */
    qsort(refs, nrefs, sizeof *refs, keyref_cmp);
    for (i = 0; i < nrefs; i = k) {
        const struct hb_yaml_node *first = refs[i].key;

        for (k = i + 1; k < nrefs; k++) {
            const struct hb_yaml_node *dup = refs[k].key;

            if (dup->len != first->len ||
                memcmp(dup->str, first->str, first->len) != 0)
                break;
            hb_errlist_add(b->errs, b->path, dup->line, dup->col,
                           "duplicate key '%.*s' (first at line %lu)",
                           (int)(first->len > 64 ? 64 : first->len), first->str,
                           first->line);
            b->failed = true;
            drop[refs[k].pos] = true;
        }
    }
    n->keys =
        hb_arena_alloc(&b->doc->arena, (npairs ? npairs : 1) * sizeof *n->keys);
    n->items = hb_arena_alloc(&b->doc->arena,
                              (npairs ? npairs : 1) * sizeof *n->items);
    for (i = 0; i < npairs; i++) {
        if (drop[i])
            continue;
        n->keys[n->n] = f->kids[2 * i];
        n->items[n->n] = f->kids[2 * i + 1];
        n->n++;
    }
    free(refs);
    free(drop);
}

static void close_collection(struct builder *b)
{
    struct frame *f = &b->stack[b->depth - 1];
    struct hb_yaml_node *n = f->node;
    size_t i;

    for (i = 0; i < f->nkids; i++)
        n->weight += f->kids[i]->weight;
    if (n->kind == HB_YAML_MAP) {
        finish_map(b, f);
    } else {
        n->items = hb_arena_alloc(&b->doc->arena,
                                  (f->nkids ? f->nkids : 1) * sizeof *n->items);
        if (f->nkids)
            memcpy(n->items, f->kids, f->nkids * sizeof *n->items);
        n->n = f->nkids;
    }
    if (f->anchor)
        anchor_close(b, f->anchor, n);
    free(f->kids);
    free(f->anchor);
    b->depth--;
    attach(b, n);
}

static void scalar(struct builder *b, const yaml_event_t *ev)
{
    const char *anchor = (const char *)ev->data.scalar.anchor;
    struct hb_yaml_node *n;

    if (!budget(b, 1, &ev->start_mark))
        return;
    n = node_new(b, HB_YAML_SCALAR, ev, (const char *)ev->data.scalar.tag);
    n->str =
        hb_arena_strndup(&b->doc->arena, (const char *)ev->data.scalar.value,
                         ev->data.scalar.length);
    n->len = ev->data.scalar.length;
    switch (ev->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        n->style = HB_YAML_QUOTED;
        break;
    case YAML_LITERAL_SCALAR_STYLE:
    case YAML_FOLDED_SCALAR_STYLE:
        n->style = HB_YAML_BLOCK;
        break;
    default:
        n->style = HB_YAML_PLAIN;
        break;
    }
    if (anchor)
        anchor_add(b, anchor, n, false);
    attach(b, n);
}

static void alias(struct builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    struct anchor *a = anchor_find(b, name);

    if (a == NULL) {
        berr(b, &ev->start_mark, "alias '*%s' names no anchor", name);
        return;
    }
    if (a->open) {
        berr(b, &ev->start_mark,
             "alias '*%s' refers to a node that contains it", name);
        return;
    }
    if (!budget(b, a->node->weight, &ev->start_mark))
        return;
    attach(b, a->node);
}

static void syntax_error(struct builder *b, const yaml_parser_t *p,
                         const char *data, size_t n)
{
    const char *problem = p->problem ? p->problem : "malformed YAML";
    unsigned long line, col;

    if (p->error == YAML_READER_ERROR) {
        /* the reader reports a byte offset, not a mark */
        size_t off = p->problem_offset < n ? p->problem_offset : n, i;

        line = 1;
        col = 1;
        for (i = 0; i < off; i++) {
            if (data[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        if (p->problem_value != -1)
            hb_errlist_add(b->errs, b->path, line, col,
                           "YAML syntax error: %s (byte 0x%02x)", problem,
                           (unsigned)p->problem_value & 0xffu);
        else
            hb_errlist_add(b->errs, b->path, line, col, "YAML syntax error: %s",
                           problem);
    } else {
        line = p->problem_mark.line + 1;
        col = p->problem_mark.column + 1;
        if (p->context)
            hb_errlist_add(b->errs, b->path, line, col,
                           "YAML syntax error: %s (%s at line %lu)", problem,
                           p->context, (unsigned long)p->context_mark.line + 1);
        else
            hb_errlist_add(b->errs, b->path, line, col, "YAML syntax error: %s",
                           problem);
    }
    b->failed = true;
}

static void builder_fini(struct builder *b)
{
    size_t i;

    for (i = 0; i < b->depth; i++) {
        free(b->stack[i].kids);
        free(b->stack[i].anchor);
    }
    free(b->stack);
    anchors_clear(b);
    free(b->anchors);
    free(b->roots);
}

enum hb_status hb_yaml_load_mem(struct hb_yaml_doc **out, const char *name,
                                const char *data, size_t n,
                                const struct hb_yaml_limits *lim,
                                struct hb_errlist *errs)
{
    struct builder b;
    struct hb_yaml_doc *doc;
    yaml_parser_t parser;
    yaml_event_t ev;
    enum hb_status rc = HB_EPARSE;
    size_t max_bytes =
        lim && lim->max_bytes ? lim->max_bytes : HB_YAML_MAX_BYTES;
    bool done = false;

    *out = NULL;
    if (n > max_bytes) {
        hb_errlist_add(errs, name, 0, 0,
                       "file too large: %zu bytes (limit %zu)", n, max_bytes);
        return HB_ELIMIT;
    }
    doc = hb_xcalloc(1, sizeof *doc);
    hb_arena_init(&doc->arena);
    doc->path = hb_arena_strdup(&doc->arena, name);
    memset(&b, 0, sizeof b);
    b.doc = doc;
    b.path = doc->path;
    b.errs = errs;
    b.max_depth =
        lim && lim->max_depth ? lim->max_depth : HB_YAML_DEFAULT_DEPTH;
    b.max_nodes = lim && lim->max_nodes ? lim->max_nodes : HB_YAML_MAX_NODES;
    b.stack = hb_xcalloc(b.max_depth, sizeof *b.stack);

    if (!yaml_parser_initialize(&parser))
        hb_die("yaml: cannot initialise the parser");
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, n);
    while (!done && !b.failed) {
        if (!yaml_parser_parse(&parser, &ev)) {
            syntax_error(&b, &parser, data, n);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            b.have_root = false;
            anchors_clear(&b); /* anchors are per document */
            break;
        case YAML_DOCUMENT_END_EVENT:
            if (!b.have_root) /* an empty document */
                attach(&b, NULL);
            break;
        case YAML_MAPPING_START_EVENT:
            open_collection(&b, HB_YAML_MAP, &ev,
                            (const char *)ev.data.mapping_start.anchor,
                            (const char *)ev.data.mapping_start.tag);
            break;
        case YAML_SEQUENCE_START_EVENT:
            open_collection(&b, HB_YAML_SEQ, &ev,
                            (const char *)ev.data.sequence_start.anchor,
                            (const char *)ev.data.sequence_start.tag);
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            close_collection(&b);
            break;
        case YAML_SCALAR_EVENT:
            scalar(&b, &ev);
            break;
        case YAML_ALIAS_EVENT:
            alias(&b, &ev);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    if (b.failed)
        goto out;
    doc->nroots = b.nroots;
    doc->roots = hb_arena_alloc(&doc->arena,
                                (b.nroots ? b.nroots : 1) * sizeof *doc->roots);
    if (b.nroots)
        memcpy(doc->roots, b.roots, b.nroots * sizeof *doc->roots);
    *out = doc;
    doc = NULL;
    rc = HB_OK;
out:
    builder_fini(&b);
    hb_yaml_free(doc);
    return rc;
}

enum hb_status hb_yaml_load_file(struct hb_yaml_doc **out, const char *path,
                                 const struct hb_yaml_limits *lim,
                                 struct hb_errlist *errs)
{
    size_t max_bytes =
        lim && lim->max_bytes ? lim->max_bytes : HB_YAML_MAX_BYTES;
    enum hb_status rc = HB_EIO;
    struct stat st;
    char *data = NULL;
    size_t len = 0;
    int fd;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        hb_errlist_add(errs, path, 0, 0, "%s", strerror(errno));
        return HB_EIO;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        hb_errlist_add(errs, path, 0, 0, "not a regular file");
        goto out;
    }
    if ((uint64_t)st.st_size > max_bytes) {
        hb_errlist_add(errs, path, 0, 0,
                       "file too large: %lld bytes (limit %zu)",
                       (long long)st.st_size, max_bytes);
        rc = HB_ELIMIT;
        goto out;
    }
    /* read at most one byte past the cap: the file may grow under us */
    data = hb_xmalloc(max_bytes + 1);
    for (;;) {
        ssize_t r = read(fd, data + len, max_bytes + 1 - len);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            hb_errlist_add(errs, path, 0, 0, "%s", strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > max_bytes) {
            hb_errlist_add(errs, path, 0, 0, "file too large: over %zu bytes",
                           max_bytes);
            rc = HB_ELIMIT;
            goto out;
        }
    }
    rc = hb_yaml_load_mem(out, path, data, len, lim, errs);
out:
    free(data);
    close(fd);
    return rc;
}

void hb_yaml_free(struct hb_yaml_doc *doc)
{
    if (doc == NULL)
        return;
    hb_arena_fini(&doc->arena);
    free(doc);
}

/* ---- accessors ------------------------------------------------------------
 */

const char *hb_yaml_kind_name(enum hb_yaml_kind k)
{
    switch (k) {
    case HB_YAML_SCALAR:
        return "scalar";
    case HB_YAML_SEQ:
        return "sequence";
    case HB_YAML_MAP:
        return "mapping";
    }
    return "node";
}

const struct hb_yaml_node *hb_yaml_get(const struct hb_yaml_node *map,
                                       const char *key)
{
    size_t i, n = strlen(key);

    if (map == NULL || map->kind != HB_YAML_MAP)
        return NULL;
    for (i = 0; i < map->n; i++)
        if (map->keys[i]->len == n && memcmp(map->keys[i]->str, key, n) == 0)
            return map->items[i];
    return NULL;
}

static bool plain_is(const struct hb_yaml_node *n, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == n->len && memcmp(n->str, *words, n->len) == 0)
            return true;
    return false;
}

bool hb_yaml_is_null(const struct hb_yaml_node *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};

    if (n == NULL)
        return true;
    return n->kind == HB_YAML_SCALAR && n->style == HB_YAML_PLAIN &&
           n->tag == NULL && plain_is(n, nulls);
}

bool hb_yaml_bool(const struct hb_yaml_node *n, bool *v)
{
    static const char *const yes[] = {"true", "True", "TRUE", NULL};
    static const char *const no[] = {"false", "False", "FALSE", NULL};

    if (n == NULL || n->kind != HB_YAML_SCALAR || n->style != HB_YAML_PLAIN)
        return false;
    if (plain_is(n, yes)) {
        *v = true;
        return true;
    }
    if (plain_is(n, no)) {
        *v = false;
        return true;
    }
    return false;
}

bool hb_yaml_long(const struct hb_yaml_node *n, long *v)
{
    char *end;
    long x;

    if (n == NULL || n->kind != HB_YAML_SCALAR || n->style != HB_YAML_PLAIN ||
        n->len == 0 || strlen(n->str) != n->len)
        return false;
    if (!(n->str[0] == '-' || n->str[0] == '+' ||
          (n->str[0] >= '0' && n->str[0] <= '9')))
        return false;
    errno = 0;
    x = strtol(n->str, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *v = x;
    return true;
}

bool hb_yaml_double(const struct hb_yaml_node *n, double *v)
{
    char *end;
    double x;

    if (n == NULL || n->kind != HB_YAML_SCALAR || n->style != HB_YAML_PLAIN ||
        n->len == 0 || strlen(n->str) != n->len)
        return false;
    if (!(n->str[0] == '-' || n->str[0] == '+' || n->str[0] == '.' ||
          (n->str[0] >= '0' && n->str[0] <= '9')))
        return false;
    errno = 0;
    x = strtod(n->str, &end);
    if (errno != 0 || *end != '\0' || !isfinite(x))
        return false;
    *v = x;
    return true;
}
