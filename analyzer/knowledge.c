/*
 * knowledge.c - loads the knowledge YAML files beside the rules (ports,
 * version matrix, code history) into the tables of knowledge.h with libyaml,
 * falling back to the compiled-in tables (knowledge_data.c) part by part;
 * version comparison and the lookups the diagnosis uses.
 */
#include "knowledge.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"

#define YAML_MAX_DEPTH 32
#define YAML_MAX_NODES 100000

/* ---- arena: every allocation of a loaded knowledge set ---------------- */

struct chunk {
    struct chunk *next;
    size_t used, cap;
    max_align_t data[]; /* cap bytes */
};

struct arena {
    struct chunk *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
    struct chunk *c = a->head;
    size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    void *p;

    if (c == NULL || c->cap - c->used < need) {
        size_t cap = need > 65536 ? need : 65536;

        c = hb_xmalloc(sizeof *c + cap);
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    p = (char *)c->data + c->used;
    c->used += need;
    memset(p, 0, n);
    return p;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void arena_free(struct arena *a)
{
    struct chunk *c, *next;

    if (a == NULL)
        return;
    for (c = a->head; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

/* ---- a small YAML tree ---------------------------------------------- */

enum ykind { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
    enum ykind kind;
    const char *s; /* scalar text */
    unsigned long line, col;
    struct ynode *first; /* children; a map alternates key, value */
    struct ynode *last;
    struct ynode *next;
};

struct yctx {
    yaml_parser_t parser;
    struct arena *arena;
    const char *path;
    struct hb_diag *d;
    bool failed;
    size_t nodes;
};

static void yfail(struct yctx *c, unsigned long line, unsigned long col,
                  const char *msg)
{
    if (c->failed)
        return;
    c->failed = true;
    hb_diag_set(c->d, c->path, line, col, "%s", msg);
}

static bool next_event(struct yctx *c, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&c->parser, ev)) {
        char msg[256];

        snprintf(msg, sizeof msg, "YAML: %s",
                 c->parser.problem ? c->parser.problem : "parse error");
        yfail(c, c->parser.problem_mark.line + 1,
              c->parser.problem_mark.column + 1, msg);
        return false;
    }
    return true;
}

static struct ynode *ynew(struct yctx *c, enum ykind k, const yaml_mark_t *m)
{
    struct ynode *n = arena_alloc(c->arena, sizeof *n);

    n->kind = k;
    n->line = m->line + 1;
    n->col = m->column + 1;
    c->nodes++;
    return n;
}

static void yadd(struct ynode *parent, struct ynode *kid)
{
    if (parent->last)
        parent->last->next = kid;
    else
        parent->first = kid;
    parent->last = kid;
}

/* Builds the node that starts with ev (consumed); NULL on error. */
static struct ynode *parse_node(struct yctx *c, yaml_event_t *ev, int depth)
{
    struct ynode *n = NULL;
    yaml_event_type_t end;

    if (c->nodes >= YAML_MAX_NODES) {
        yfail(c, ev->start_mark.line + 1, ev->start_mark.column + 1,
              "too many YAML nodes");
        yaml_event_delete(ev);
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        n = ynew(c, Y_SCALAR, &ev->start_mark);
        n->s = arena_strndup(c->arena, (const char *)ev->data.scalar.value,
                             ev->data.scalar.length);
        yaml_event_delete(ev);
        return n;
    case YAML_SEQUENCE_START_EVENT:
        n = ynew(c, Y_SEQ, &ev->start_mark);
        end = YAML_SEQUENCE_END_EVENT;
        break;
    case YAML_MAPPING_START_EVENT:
        n = ynew(c, Y_MAP, &ev->start_mark);
        end = YAML_MAPPING_END_EVENT;
        break;
    case YAML_ALIAS_EVENT:
        yfail(c, ev->start_mark.line + 1, ev->start_mark.column + 1,
              "YAML aliases are not supported in knowledge files");
        yaml_event_delete(ev);
        return NULL;
    default:
        yfail(c, ev->start_mark.line + 1, ev->start_mark.column + 1,
              "unexpected YAML event");
        yaml_event_delete(ev);
        return NULL;
    }
    yaml_event_delete(ev);
    if (depth >= YAML_MAX_DEPTH) {
        yfail(c, n->line, n->col, "YAML nested too deeply");
        return NULL;
    }
    for (;;) {
        yaml_event_t kid;
        struct ynode *k;

        if (!next_event(c, &kid))
            return NULL;
        if (kid.type == end) {
            yaml_event_delete(&kid);
            return n;
        }
        k = parse_node(c, &kid, depth + 1);
        if (k == NULL)
            return NULL;
        yadd(n, k); /* map keys are checked to be scalars by check_map */
    }
}

/* Parses the file into a tree; NULL root for an empty document. */
static bool yparse_file(struct yctx *c, const char *path, struct ynode **root)
{
    FILE *fp;
    yaml_event_t ev;
    bool ok = false;
    long size;

    *root = NULL;
    fp = fopen(path, "rb");
    if (fp == NULL) {
        hb_diag_set(c->d, path, 0, 0, "%s", strerror(errno));
        c->failed = true;
        return false;
    }
    if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 &&
        size > HB_KNOW_FILE_MAX) {
        hb_diag_set(c->d, path, 0, 0, "file larger than %d bytes",
                    HB_KNOW_FILE_MAX);
        c->failed = true;
        fclose(fp);
        return false;
    }
    rewind(fp);
    yaml_parser_initialize(&c->parser);
    yaml_parser_set_input_file(&c->parser, fp);
    for (;;) {
        if (!next_event(c, &ev))
            goto out;
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type == YAML_STREAM_START_EVENT ||
            ev.type == YAML_DOCUMENT_START_EVENT ||
            ev.type == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (*root != NULL) {
            yfail(c, ev.start_mark.line + 1, ev.start_mark.column + 1,
                  "only one YAML document is allowed");
            yaml_event_delete(&ev);
            goto out;
        }
        *root = parse_node(c, &ev, 0);
        if (*root == NULL)
            goto out;
    }
    ok = true;
out:
    yaml_parser_delete(&c->parser);
    fclose(fp);
    return ok;
}

/* ---- schema helpers -------------------------------------------------- */

static void kfail(struct yctx *c, const struct ynode *n, const char *fmt, ...)
    HB_PRINTF(3, 4);
static void kfail(struct yctx *c, const struct ynode *n, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    yfail(c, n ? n->line : 0, n ? n->col : 0, msg);
}

/* Checks that n is a map whose keys are scalars from allowed. */
static bool check_map(struct yctx *c, const struct ynode *n,
                      const char *const *allowed, const char *what)
{
    const struct ynode *k;
    size_t i;

    if (n == NULL || n->kind != Y_MAP) {
        kfail(c, n, "%s must be a map", what);
        return false;
    }
    for (k = n->first; k; k = k->next ? k->next->next : NULL) {
        if (k->kind != Y_SCALAR) {
            kfail(c, k, "%s: keys must be plain words", what);
            return false;
        }
        for (i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], k->s) == 0)
                break;
        if (allowed[i] == NULL) {
            kfail(c, k, "unknown key '%s'", k->s);
            return false;
        }
    }
    return true;
}

static const struct ynode *map_get(const struct ynode *m, const char *key)
{
    const struct ynode *k;

    if (m == NULL || m->kind != Y_MAP)
        return NULL;
    for (k = m->first; k && k->next; k = k->next->next)
        if (k->kind == Y_SCALAR && strcmp(k->s, key) == 0)
            return k->next;
    return NULL;
}

/* A scalar value of key (required or "" when optional and absent). */
static const char *get_str(struct yctx *c, const struct ynode *m,
                           const char *key, bool required)
{
    const struct ynode *v = map_get(m, key);

    if (v == NULL) {
        if (required)
            kfail(c, m, "missing key '%s'", key);
        return required ? NULL : "";
    }
    if (v->kind != Y_SCALAR) {
        kfail(c, v, "'%s' must be a single value", key);
        return NULL;
    }
    return v->s;
}

static bool get_int(struct yctx *c, const struct ynode *m, const char *key,
                    long lo, long hi, int *out)
{
    const char *s = get_str(c, m, key, true);
    char *end;
    long v;

    if (s == NULL)
        return false;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        kfail(c, map_get(m, key), "'%s' must be a number in range", key);
        return false;
    }
    *out = (int)v;
    return true;
}

static size_t seq_len(const struct ynode *n)
{
    const struct ynode *k;
    size_t len = 0;

    for (k = n->first; k; k = k->next)
        len++;
    return len;
}

/* The list under key: NULL (and an error) when it is not a list. */
static const struct ynode *get_seq(struct yctx *c, const struct ynode *m,
                                   const char *key, size_t *n)
{
    const struct ynode *v = map_get(m, key);

    if (v == NULL || v->kind != Y_SEQ) {
        kfail(c, v ? v : m, "'%s' must be a list", key);
        return NULL;
    }
    *n = seq_len(v);
    if (*n > HB_KNOW_MAX_ROWS) {
        kfail(c, v, "'%s' has too many entries", key);
        return NULL;
    }
    return v;
}

/* ---- the three files ------------------------------------------------- */

static bool load_ports(struct yctx *c, const struct ynode *root,
                       struct hb_knowledge *k)
{
    static const char *const top[] = {"naming_port", "config_port", "ports",
                                      NULL};
    static const char *const row[] = {"port", "listener", "protocol", "purpose",
                                      NULL};
    const struct ynode *seq, *e;
    struct hb_port_info *ports;
    size_t n, i = 0;

    if (!check_map(c, root, top, "ports.yaml") ||
        !get_int(c, root, "naming_port", 1, 65535, &k->naming_port) ||
        !get_int(c, root, "config_port", 1, 65535, &k->config_port) ||
        (seq = get_seq(c, root, "ports", &n)) == NULL)
        return false;
    ports = arena_alloc(c->arena, (n ? n : 1) * sizeof *ports);
    for (e = seq->first; e; e = e->next, i++) {
        struct hb_port_info *p = &ports[i];

        if (!check_map(c, e, row, "a port entry") ||
            !get_int(c, e, "port", 1, 65535, &p->port) ||
            (p->listener = get_str(c, e, "listener", true)) == NULL ||
            (p->protocol = get_str(c, e, "protocol", false)) == NULL ||
            (p->purpose = get_str(c, e, "purpose", false)) == NULL)
            return false;
    }
    k->ports = ports;
    k->nports = n;
    return true;
}

static bool load_trains(struct yctx *c, const struct ynode *root,
                        struct hb_knowledge *k)
{
    static const char *const row[] = {"train", "name", "boot", NULL};
    const struct ynode *seq, *e, *b;
    struct hb_train *t;
    size_t n, i = 0;

    if ((seq = get_seq(c, root, "trains", &n)) == NULL)
        return false;
    t = arena_alloc(c->arena, (n ? n : 1) * sizeof *t);
    for (e = seq->first; e; e = e->next, i++) {
        const struct ynode *boot;

        if (!check_map(c, e, row, "a train entry") ||
            (t[i].train = get_str(c, e, "train", true)) == NULL ||
            (t[i].name = get_str(c, e, "name", false)) == NULL)
            return false;
        boot = map_get(e, "boot");
        if (boot == NULL || boot->kind != Y_SEQ || boot->first == NULL) {
            kfail(c, boot ? boot : e, "'%s' must be a non-empty list", "boot");
            return false;
        }
        for (b = boot->first; b; b = b->next) {
            if (b->kind != Y_SCALAR || t[i].nboot >= HB_KNOW_MAX_BOOT) {
                kfail(c, b, "'boot': at most %d lines, each a version",
                      HB_KNOW_MAX_BOOT);
                return false;
            }
            t[i].boot[t[i].nboot++] = b->s;
        }
    }
    k->trains = t;
    k->ntrains = n;
    return true;
}

static bool load_sct(struct yctx *c, const struct ynode *root,
                     struct hb_knowledge *k)
{
    static const char *const row[] = {"sct", "train", "boot", "polaris_java",
                                      NULL};
    const struct ynode *seq, *e;
    struct hb_sct_row *r;
    size_t n, i = 0;

    if ((seq = get_seq(c, root, "sct", &n)) == NULL)
        return false;
    r = arena_alloc(c->arena, (n ? n : 1) * sizeof *r);
    for (e = seq->first; e; e = e->next, i++)
        if (!check_map(c, e, row, "an sct entry") ||
            (r[i].sct = get_str(c, e, "sct", true)) == NULL ||
            (r[i].train = get_str(c, e, "train", true)) == NULL ||
            (r[i].boot = get_str(c, e, "boot", false)) == NULL ||
            (r[i].polaris_java = get_str(c, e, "polaris_java", false)) == NULL)
            return false;
    k->sct = r;
    k->nsct = n;
    return true;
}

static bool load_deps(struct yctx *c, const struct ynode *root,
                      struct hb_knowledge *k)
{
    static const char *const row[] = {"artifact", "when", "min", "below",
                                      "why",      "fits", NULL};
    static const char *const when[] = {"artifact", "from", "below", NULL};
    const struct ynode *seq, *e;
    struct hb_dep_rule *r;
    size_t n, i = 0;

    if ((seq = get_seq(c, root, "dependencies", &n)) == NULL)
        return false;
    r = arena_alloc(c->arena, (n ? n : 1) * sizeof *r);
    for (e = seq->first; e; e = e->next, i++) {
        const struct ynode *w;

        if (!check_map(c, e, row, "a dependency entry") ||
            (r[i].artifact = get_str(c, e, "artifact", true)) == NULL ||
            (r[i].min = get_str(c, e, "min", false)) == NULL ||
            (r[i].below = get_str(c, e, "below", false)) == NULL ||
            (r[i].why = get_str(c, e, "why", true)) == NULL ||
            (r[i].fits = get_str(c, e, "fits", true)) == NULL)
            return false;
        w = map_get(e, "when");
        if (w == NULL) {
            kfail(c, e, "missing key '%s'", "when");
            return false;
        }
        if (!check_map(c, w, when, "'when'") ||
            (r[i].when_artifact = get_str(c, w, "artifact", true)) == NULL ||
            (r[i].when_from = get_str(c, w, "from", false)) == NULL ||
            (r[i].when_below = get_str(c, w, "below", false)) == NULL)
            return false;
    }
    k->deps = r;
    k->ndeps = n;
    return true;
}

static bool load_sigs(struct yctx *c, const struct ynode *root,
                      struct hb_knowledge *k)
{
    static const char *const row[] = {"match", "artifact", "why", "fits", NULL};
    const struct ynode *seq, *e;
    struct hb_signature *r;
    size_t n, i = 0;

    if ((seq = get_seq(c, root, "signatures", &n)) == NULL)
        return false;
    r = arena_alloc(c->arena, (n ? n : 1) * sizeof *r);
    for (e = seq->first; e; e = e->next, i++)
        if (!check_map(c, e, row, "a signature entry") ||
            (r[i].match = get_str(c, e, "match", true)) == NULL ||
            (r[i].artifact = get_str(c, e, "artifact", true)) == NULL ||
            (r[i].why = get_str(c, e, "why", true)) == NULL ||
            (r[i].fits = get_str(c, e, "fits", true)) == NULL)
            return false;
    k->sigs = r;
    k->nsigs = n;
    return true;
}

static bool load_pkgs(struct yctx *c, const struct ynode *root,
                      struct hb_knowledge *k)
{
    static const char *const row[] = {"prefix", "artifact", NULL};
    const struct ynode *seq, *e;
    struct hb_package *r;
    size_t n, i = 0;

    if ((seq = get_seq(c, root, "packages", &n)) == NULL)
        return false;
    r = arena_alloc(c->arena, (n ? n : 1) * sizeof *r);
    for (e = seq->first; e; e = e->next, i++)
        if (!check_map(c, e, row, "a package entry") ||
            (r[i].prefix = get_str(c, e, "prefix", true)) == NULL ||
            (r[i].artifact = get_str(c, e, "artifact", true)) == NULL)
            return false;
    k->pkgs = r;
    k->npkgs = n;
    return true;
}

static bool load_versions(struct yctx *c, const struct ynode *root,
                          struct hb_knowledge *k)
{
    static const char *const top[] = {"trains",     "sct",      "dependencies",
                                      "signatures", "packages", NULL};

    return check_map(c, root, top, "versions.yaml") &&
           load_trains(c, root, k) && load_sct(c, root, k) &&
           load_deps(c, root, k) && load_sigs(c, root, k) &&
           load_pkgs(c, root, k);
}

static bool load_codes(struct yctx *c, const struct ynode *root,
                       struct hb_knowledge *k)
{
    static const char *const top[] = {"changes", NULL};
    static const char *const row[] = {"code", "meanings", "note", NULL};
    static const char *const mrow[] = {"servers", "name", "info", "cause",
                                       NULL};
    const struct ynode *seq, *e, *m;
    struct hb_code_change *r;
    size_t n, i = 0;

    if (!check_map(c, root, top, "codes.yaml") ||
        (seq = get_seq(c, root, "changes", &n)) == NULL)
        return false;
    r = arena_alloc(c->arena, (n ? n : 1) * sizeof *r);
    for (e = seq->first; e; e = e->next, i++) {
        const struct ynode *ms;

        if (!check_map(c, e, row, "a code entry") ||
            !get_int(c, e, "code", 100000, 999999, &r[i].code) ||
            (r[i].note = get_str(c, e, "note", false)) == NULL)
            return false;
        ms = map_get(e, "meanings");
        if (ms == NULL || ms->kind != Y_SEQ || ms->first == NULL) {
            kfail(c, ms ? ms : e, "'%s' must be a non-empty list", "meanings");
            return false;
        }
        for (m = ms->first; m; m = m->next) {
            struct hb_code_meaning *cm;
            const char *cause;

            if (r[i].nmeanings >= HB_KNOW_MAX_MEANINGS) {
                kfail(c, m, "at most %d meanings per code",
                      HB_KNOW_MAX_MEANINGS);
                return false;
            }
            cm = &r[i].meanings[r[i].nmeanings++];
            if (!check_map(c, m, mrow, "a meaning") ||
                (cm->servers = get_str(c, m, "servers", true)) == NULL ||
                (cm->name = get_str(c, m, "name", true)) == NULL ||
                (cm->info = get_str(c, m, "info", false)) == NULL ||
                (cause = get_str(c, m, "cause", true)) == NULL)
                return false;
            cm->cause = hb_cause_from_name(cause);
            if (cm->cause == HB_CAUSE_NONE) {
                kfail(c, map_get(m, "cause"), "unknown cause '%s'", cause);
                return false;
            }
        }
    }
    k->codes = r;
    k->ncodes = n;
    return true;
}

/* Loads one file with fn; on failure the caller keeps the built-in part. */
static bool load_one(struct hb_knowledge *k, struct arena *arena,
                     const char *dir, const char *name,
                     bool (*fn)(struct yctx *, const struct ynode *,
                                struct hb_knowledge *),
                     struct hb_diag *d)
{
    struct yctx c;
    struct ynode *root;
    struct hb_knowledge tmp = *k;
    char path[1024];

    memset(&c, 0, sizeof c);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    c.arena = arena;
    c.path = path;
    c.d = d;
    if (!yparse_file(&c, path, &root))
        return false;
    if (root == NULL) {
        hb_diag_set(d, path, 0, 0, "empty file");
        return false;
    }
    if (!fn(&c, root, &tmp))
        return false;
    *k = tmp;
    return true;
}

enum hb_status hb_knowledge_load(struct hb_knowledge **out, const char *dir,
                                 unsigned *problems, struct hb_diag *d)
{
    struct hb_knowledge *k = hb_xcalloc(1, sizeof *k);
    struct arena *arena = hb_xcalloc(1, sizeof *arena);
    struct hb_diag first, cur;
    unsigned bad = 0;
    bool missing = false;

    *k = *hb_knowledge_builtin();
    k->arena = arena;
    memset(&first, 0, sizeof first);
    if (dir) {
        static const struct {
            const char *name;
            bool (*fn)(struct yctx *, const struct ynode *,
                       struct hb_knowledge *);
        } files[] = {{"ports.yaml", load_ports},
                     {"versions.yaml", load_versions},
                     {"codes.yaml", load_codes}};
        bool *flags[3];
        size_t i;

        flags[0] = &k->ports_loaded;
        flags[1] = &k->versions_loaded;
        flags[2] = &k->codes_loaded;
        for (i = 0; i < HB_ARRAY_LEN(files); i++) {
            memset(&cur, 0, sizeof cur);
            if (load_one(k, arena, dir, files[i].name, files[i].fn, &cur)) {
                *flags[i] = true;
                continue;
            }
            if (bad++ == 0)
                first = cur;
            if (strstr(cur.msg, "No such file"))
                missing = true;
        }
    }
    if (problems)
        *problems = bad;
    if (bad && d)
        *d = first;
    *out = k;
    if (bad == 0)
        return HB_OK;
    return missing ? HB_EIO : HB_EPARSE;
}

void hb_knowledge_free(struct hb_knowledge *k)
{
    if (k == NULL)
        return;
    arena_free(k->arena);
    free(k);
}

/* ---- lookups --------------------------------------------------------- */

const struct hb_port_info *hb_knowledge_port(const struct hb_knowledge *k,
                                             int port)
{
    size_t i;

    for (i = 0; i < k->nports; i++)
        if (k->ports[i].port == port)
            return &k->ports[i];
    return NULL;
}

const struct hb_train *hb_knowledge_train(const struct hb_knowledge *k,
                                          const char *tv)
{
    size_t i;

    if (tv == NULL)
        return NULL;
    for (i = 0; i < k->ntrains; i++) {
        size_t n = strlen(k->trains[i].train);

        if (n && strncmp(tv, k->trains[i].train, n) == 0 &&
            (tv[n] == '\0' || tv[n] == '.' || tv[n] == '-'))
            return &k->trains[i];
    }
    return NULL;
}

const struct hb_sct_row *hb_knowledge_sct(const struct hb_knowledge *k,
                                          const char *v)
{
    char sct[48];
    const char *train;
    size_t i, n;

    if (v == NULL)
        return NULL;
    /* "1.13.0-2022.0.4", "2.0.0.0-Hoxton.SR12", old "1.1.0.Hoxton.SR9" */
    train = strchr(v, '-');
    if (train == NULL) {
        for (train = v; *train; train++)
            if (*train == '.' && isalpha((unsigned char)train[1]))
                break;
        if (*train == '\0')
            return NULL;
    }
    n = (size_t)(train - v);
    hb_strlcpy(sct, v, n, sizeof sct);
    train++;
    for (i = 0; i < k->nsct; i++)
        if (strcmp(k->sct[i].sct, sct) == 0 &&
            strcmp(k->sct[i].train, train) == 0)
            return &k->sct[i];
    return NULL;
}

const struct hb_code_change *hb_knowledge_code(const struct hb_knowledge *k,
                                               int code)
{
    size_t i;

    for (i = 0; i < k->ncodes; i++)
        if (k->codes[i].code == code)
            return &k->codes[i];
    return NULL;
}

const struct hb_signature *hb_knowledge_signature(const struct hb_knowledge *k,
                                                  const char *text)
{
    size_t i;

    if (text == NULL)
        return NULL;
    for (i = 0; i < k->nsigs; i++)
        if (k->sigs[i].match[0] && strstr(text, k->sigs[i].match))
            return &k->sigs[i];
    return NULL;
}

const char *hb_knowledge_artifact(const struct hb_knowledge *k,
                                  const char *name)
{
    const char *best = NULL;
    size_t i, bestn = 0;

    if (name == NULL)
        return NULL;
    for (i = 0; i < k->npkgs; i++) {
        size_t n = strlen(k->pkgs[i].prefix);

        if (n > bestn && strncmp(name, k->pkgs[i].prefix, n) == 0) {
            best = k->pkgs[i].artifact;
            bestn = n;
        }
    }
    return best;
}

/* ---- versions -------------------------------------------------------- */

struct vtok {
    bool num;
    unsigned long long n;
    const char *s; /* word start */
    size_t len;
};

/* Next token of a version at *p: a number or a word; false at the end. */
static bool vnext(const char **p, struct vtok *t)
{
    const char *s = *p;

    for (;;) {
        while (*s && !isalnum((unsigned char)*s))
            s++;
        if (*s == '\0') {
            *p = s;
            return false;
        }
        t->s = s;
        if (isdigit((unsigned char)*s)) {
            t->num = true;
            t->n = 0;
            while (isdigit((unsigned char)*s)) {
                if (t->n < 100000000000ULL)
                    t->n = t->n * 10 + (unsigned)(*s - '0');
                s++;
            }
        } else {
            t->num = false;
            while (isalpha((unsigned char)*s))
                s++;
        }
        t->len = (size_t)(s - t->s);
        *p = s;
        /* RELEASE, Final, GA mark a release: same as nothing */
        if (!t->num && ((t->len == 7 && strncasecmp(t->s, "RELEASE", 7) == 0) ||
                        (t->len == 5 && strncasecmp(t->s, "Final", 5) == 0) ||
                        (t->len == 2 && strncasecmp(t->s, "GA", 2) == 0)))
            continue;
        return true;
    }
}

int hb_version_cmp(const char *a, const char *b)
{
    const char *pa = a ? a : "", *pb = b ? b : "";

    for (;;) {
        struct vtok ta, tb;
        bool ha = vnext(&pa, &ta), hb = vnext(&pb, &tb);

        if (!ha && !hb)
            return 0;
        if (!ha) /* a ended: b's word means b is a pre-release */
            return tb.num ? (tb.n == 0 ? 0 : -1) : 1;
        if (!hb)
            return ta.num ? (ta.n == 0 ? 0 : 1) : -1;
        if (ta.num && tb.num) {
            if (ta.n != tb.n)
                return ta.n < tb.n ? -1 : 1;
        } else if (ta.num != tb.num) {
            return ta.num ? 1 : -1; /* "1.0.1" > "1.0-RC1" */
        } else {
            size_t n = ta.len < tb.len ? ta.len : tb.len;
            int r = strncasecmp(ta.s, tb.s, n);

            if (r)
                return r < 0 ? -1 : 1;
            if (ta.len != tb.len)
                return ta.len < tb.len ? -1 : 1;
        }
    }
}

bool hb_version_in_line(const char *v, const char *line)
{
    const char *pv = v ? v : "", *pl = line ? line : "";
    struct vtok tv, tl;
    bool any = false;

    while (vnext(&pl, &tl)) {
        if (!tl.num) /* "3.1.x" */
            break;
        if (!vnext(&pv, &tv) || !tv.num || tv.n != tl.n)
            return false;
        any = true;
    }
    return any;
}
