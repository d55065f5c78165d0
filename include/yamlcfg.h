/*
 * yamlcfg.h - a small, bounded YAML reader: libyaml's event stream turned
 * into a read-only node tree whose every node knows its line and column.
 * Used for rule files and for application.yml checks. Every input-grown
 * quantity is capped (file bytes, nesting depth, nodes including alias
 * expansions), and every problem is collected as "path:line:col: message"
 * in a struct hb_errlist, so callers can report all errors at once.
 *
 * Aliases (*name) resolve to the anchored node itself (shared, never
 * copied). Each alias counts the whole size of the subtree it stands for
 * against max_nodes, so a "billion laughs" document is refused after a few
 * thousand nodes instead of being walked. An alias to a node that is still
 * open (a recursive alias) is an error. Merge keys ("<<") are not expanded:
 * they appear as an ordinary key whose value is the aliased mapping.
 * Mapping keys must be scalars; a duplicate key is an error (the first
 * value is kept). Several documents ("---") give several roots.
 */
#ifndef HB_YAMLCFG_H
#define HB_YAMLCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "arena.h"
#include "hbscan.h"

#define HB_ERRLIST_MAX        1000   /* errors kept; more are only counted */
#define HB_YAML_MAX_NODES     100000 /* default node budget, aliases included */
#define HB_YAML_MAX_BYTES     (1024 * 1024) /* default file size cap */
#define HB_YAML_DEFAULT_DEPTH 32

/* A list of errors, each "file:line:col: message". Zero-init is empty. */
struct hb_errlist {
    struct hb_diag *items; /* owned; freed by hb_errlist_fini */
    size_t n, cap;
    size_t dropped; /* errors beyond HB_ERRLIST_MAX, counted only */
};

/* Appends one error (line/col 0 = unknown). Never fails. */
void hb_errlist_add(struct hb_errlist *e, const char *path, unsigned long line,
                    unsigned long col, const char *fmt, ...) HB_PRINTF(5, 6);
void hb_errlist_fini(struct hb_errlist *e);
/* Prints every error as "hbscan: path:line:col: msg", then a count of the
 * dropped ones if any. */
void hb_errlist_print(const struct hb_errlist *e, FILE *fp);
/* Total errors, the dropped ones included. */
size_t hb_errlist_count(const struct hb_errlist *e);

enum hb_yaml_kind { HB_YAML_SCALAR, HB_YAML_SEQ, HB_YAML_MAP };

enum hb_yaml_style {
    HB_YAML_PLAIN,  /* bare word: may mean null, a bool or a number */
    HB_YAML_QUOTED, /* 'single' or "double": always a string */
    HB_YAML_BLOCK   /* | literal or > folded: always a string */
};

struct hb_yaml_node {
    enum hb_yaml_kind kind;
    unsigned long line, col; /* 1-based start of the node (the quote or
                                block indicator for a quoted/block scalar) */
    const char *tag; /* explicit tag ("tag:yaml.org,2002:str") or NULL */
    /* scalar: NUL-terminated; len is authoritative (may hold a "\0" escape) */
    const char *str;
    size_t len;
    enum hb_yaml_style style;
    /* sequence: items[n]; mapping: keys[n] (scalars) and items[n] (values) */
    struct hb_yaml_node **items;
    struct hb_yaml_node **keys;
    size_t n;
    size_t weight; /* nodes in the subtree, alias expansions counted */
};

/* A parsed file. Everything is owned by the doc, freed by hb_yaml_free. */
struct hb_yaml_doc {
    const char *path;            /* display name given to the loader */
    struct hb_yaml_node **roots; /* one per document; a document with no
                                    content has a NULL root */
    size_t nroots;
    struct hb_arena arena;
};

/* Limits; a zero field means the default. */
struct hb_yaml_limits {
    size_t max_bytes;   /* file size; default HB_YAML_MAX_BYTES */
    unsigned max_depth; /* nested collections; default HB_YAML_DEFAULT_DEPTH */
    size_t max_nodes;   /* default HB_YAML_MAX_NODES */
};

/*
 * Parses a whole file. On any error (unreadable, over a cap, YAML syntax,
 * recursive alias, duplicate or complex key) appends every error found to
 * errs (syntax errors stop the parse, so there is one of those at most) and
 * returns HB_EIO (file unreadable), HB_ELIMIT (a cap) or HB_EPARSE with
 * *out NULL. On HB_OK *out is the caller's, freed by hb_yaml_free.
 */
enum hb_status hb_yaml_load_file(struct hb_yaml_doc **out, const char *path,
                                 const struct hb_yaml_limits *lim,
                                 struct hb_errlist *errs);
/* Same over a buffer; name is used in errors. */
enum hb_status hb_yaml_load_mem(struct hb_yaml_doc **out, const char *name,
                                const char *data, size_t n,
                                const struct hb_yaml_limits *lim,
                                struct hb_errlist *errs);
void hb_yaml_free(struct hb_yaml_doc *doc);

/* "scalar", "sequence", "mapping". */
const char *hb_yaml_kind_name(enum hb_yaml_kind k);
/* The value of key in a mapping, or NULL (also when map is not a mapping). */
const struct hb_yaml_node *hb_yaml_get(const struct hb_yaml_node *map,
                                       const char *key);
/* A plain scalar "", "~", "null", "Null", "NULL" (or a missing node). */
bool hb_yaml_is_null(const struct hb_yaml_node *n);
/* YAML 1.2 core booleans: plain true/True/TRUE/false/False/FALSE. */
bool hb_yaml_bool(const struct hb_yaml_node *n, bool *v);
/* A plain decimal integer (optional sign), within long. */
bool hb_yaml_long(const struct hb_yaml_node *n, long *v);
/* A plain finite number ("0.8", "1", "1e-1"). */
bool hb_yaml_double(const struct hb_yaml_node *n, double *v);

#endif
