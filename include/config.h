/*
 * config.h - loads configuration files (application.yml, bootstrap.yml,
 * polaris.yml, polaris-server.yaml: every YAML document; .properties with
 * Spring's "#---" documents) into one flat list of (dotted key, value,
 * file, line) entries: the shape Spring Boot binds from. Keys compare under
 * Spring's relaxed binding, so heartbeat-interval, heartbeatInterval and
 * heartbeat_interval are one key; list items become a[0], a[1].
 */
#ifndef HB_CONFIG_H
#define HB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "hbscan.h"

/* Caps on what one file may make us build (bad input never grows us). */
#define HB_CFG_MAX_BYTES   (4u << 20) /* file size */
#define HB_CFG_MAX_DEPTH   32         /* YAML nesting */
#define HB_CFG_MAX_ENTRIES 100000     /* entries (keys + containers) per file */
#define HB_CFG_MAX_ALIAS   4096 /* YAML aliases + entries they copy, per file */
#define HB_CFG_MAX_ANCHORS 1024 /* YAML anchors per file */
#define HB_CFG_MAX_TOTAL   1000000 /* entries across all files of a set */
#define HB_CFG_MAX_KEY     1024    /* bytes of one dotted key */
#define HB_CFG_MAX_TEXT    200     /* bytes of source line kept per entry */

/* What a file configures; HB_CFG_AUTO asks the loader to tell by content. */
enum hb_cfg_role {
    HB_CFG_AUTO = 0,
    HB_CFG_CLIENT, /* Spring (SCT) application/bootstrap config */
    HB_CFG_SDK,    /* polaris-java polaris.yml (global.serverConnector...) */
    HB_CFG_SERVER, /* polaris-server.yaml (apiservers:) */
    HB_CFG_BUILD   /* pom.xml, build.gradle, dependency list (buildfile.h) */
};

enum hb_cfg_kind { HB_CFG_SCALAR, HB_CFG_MAP, HB_CFG_SEQ };

struct hb_cfg_file {
    const char *path; /* owned by the hb_cfg */
    enum hb_cfg_role role;
    const char *profile; /* from application-<profile>.yml; NULL if none */
    size_t first, count; /* its entries: hb_cfg_at(first .. first+count-1) */
    unsigned docs;       /* YAML / properties documents seen */
};

/*
 * One key. Scalars carry their text; a mapping or sequence gets an entry too
 * (kind MAP/SEQ, value ""), so "is the block there at all" can be asked.
 * Every string is owned by the hb_cfg.
 */
struct hb_cfg_entry {
    const char *key;   /* dotted path as written: "a.b[0].c" */
    const char *norm;  /* relaxed form: lower case, '-' and '_' dropped */
    const char *value; /* scalar text, "" for null and containers */
    enum hb_cfg_kind kind;
    bool null;              /* YAML null (~, null, nothing) */
    bool aliased;           /* copied by a YAML alias or "<<" merge */
    unsigned long dup_line; /* YAML: its mapping already had this key at
                               that line (Spring refuses such files); 0 */
    const char *profile; /* profile its document activates on; NULL = always */
    unsigned doc;        /* 0-based document index within the file */
    size_t file;         /* index for hb_cfg_file_at */
    unsigned long line;  /* 1-based; of the key for mapping values */
    unsigned long col;
    const char *text; /* the source line, trimmed, <= HB_CFG_MAX_TEXT */
};

struct hb_cfg; /* opaque: files, entries and their strings */

struct hb_cfg *hb_cfg_new(void);
void hb_cfg_free(struct hb_cfg *c);

/*
 * Loads path and appends its entries. Format by name: *.properties is a
 * properties file, anything else YAML. role HB_CFG_AUTO: a YAML file with a
 * top-level "apiservers" is SERVER, one with top-level global/consumer/
 * provider and no "spring" is SDK, the rest CLIENT.
 * On failure nothing of the file is kept, d gets "path:line:col: what" and
 * the status is HB_EIO (unreadable, directory, too large) or HB_EPARSE
 * (malformed YAML, binary data, not a mapping, a cap hit).
 * Entry and file pointers stay valid until the next load or hb_cfg_free.
 */
enum hb_status hb_cfg_load(struct hb_cfg *c, const char *path,
                           enum hb_cfg_role role, struct hb_diag *d);
/*
 * Reads a whole file into out (reset first) for the loaders: HB_EIO when it
 * cannot be opened or read or is a directory, HB_ELIMIT past
 * HB_CFG_MAX_BYTES; d says which.
 */
struct hb_buf;
enum hb_status hb_cfg_read_file(const char *path, struct hb_buf *out,
                                struct hb_diag *d);
/* The same from memory (tests; stdin). path names the source in messages. */
enum hb_status hb_cfg_load_mem(struct hb_cfg *c, const char *path,
                               const char *data, size_t len,
                               enum hb_cfg_role role, struct hb_diag *d);

size_t hb_cfg_count(const struct hb_cfg *c);
const struct hb_cfg_entry *hb_cfg_at(const struct hb_cfg *c, size_t i);
size_t hb_cfg_nfiles(const struct hb_cfg *c);
const struct hb_cfg_file *hb_cfg_file_at(const struct hb_cfg *c, size_t i);

/* Writes the relaxed form of key into out (NUL-terminated, truncated). */
void hb_cfg_norm(const char *key, char *out, size_t cap);
/* True when e's key equals key under relaxed binding. */
bool hb_cfg_key_is(const struct hb_cfg_entry *e, const char *key);

/*
 * Iterates the entries whose key equals key (relaxed), in load order.
 * file: restrict to one file index, or HB_CFG_ANY_FILE. *pos starts at 0
 * and is advanced past the match; NULL when there is no more.
 */
#define HB_CFG_ANY_FILE ((size_t)-1)
const struct hb_cfg_entry *hb_cfg_find(const struct hb_cfg *c, size_t file,
                                       const char *key, size_t *pos);

/* "client", "sdk", "server", "build", "auto". */
const char *hb_cfg_role_name(enum hb_cfg_role r);

#endif
