/*
 * knowledge.h - the facts the diagnosis weighs evidence with, kept as
 * documented YAML data beside the rules (rules/knowledge/ports.yaml,
 * versions.yaml, codes.yaml) with the same tables compiled in as defaults:
 * Polaris default ports and their listeners, the Spring Cloud Tencent /
 * Spring Cloud / Spring Boot / polaris-java matrix, dependency constraints,
 * and server codes whose meaning changed between server versions.
 */
#ifndef HB_KNOWLEDGE_H
#define HB_KNOWLEDGE_H

#include <stdbool.h>
#include <stddef.h>

#include "hbscan.h"

#define HB_KNOW_FILE_MAX     (1024 * 1024) /* bytes per knowledge file */
#define HB_KNOW_MAX_ROWS     4096          /* rows per table */
#define HB_KNOW_MAX_BOOT     8             /* Boot lines per train */
#define HB_KNOW_MAX_MEANINGS 4             /* meanings per changed code */

/* A Polaris (or companion) listener's default port. */
struct hb_port_info {
    int port;
    const char *listener; /* "service-grpc" */
    const char *protocol; /* "grpc", "http" */
    const char *purpose;  /* one line for reports */
};

/* One SCT release built for one Spring Cloud train (§4.4 of the facts). */
struct hb_sct_row {
    const char *sct;          /* "1.13.0" */
    const char *train;        /* "2022.0.4" (suffix of the SCT version) */
    const char *boot;         /* Spring Boot it was built with; "" = unpinned */
    const char *polaris_java; /* polaris-java it pins */
};

/* A Spring Cloud release train and the Boot lines its verifier accepts. */
struct hb_train {
    const char *train;                  /* "2022.0" or "Hoxton" */
    const char *name;                   /* "Kilburn" */
    const char *boot[HB_KNOW_MAX_BOOT]; /* "3.0", "3.1" */
    int nboot;
};

/*
 * A dependency constraint: when artifact `when_artifact` is in
 * [when_from, when_below) (empty = open), `artifact` must be in
 * [min, below) (empty = open).
 */
struct hb_dep_rule {
    const char *artifact;
    const char *when_artifact;
    const char *when_from;
    const char *when_below;
    const char *min;
    const char *below;
    const char *why;  /* why it breaks */
    const char *fits; /* the versions that fit, for the action */
};

/* A method or class whose absence tells which artifact moved. */
struct hb_signature {
    const char *match; /* substring of the signature text */
    const char *artifact;
    const char *why;
    const char *fits;
};

/* Java package prefix -> artifact, for signatures no entry names. */
struct hb_package {
    const char *prefix;   /* "io.grpc." */
    const char *artifact; /* "grpc" */
};

/* What one server code meant on some server versions. */
struct hb_code_meaning {
    const char *servers; /* "<= 1.13" */
    const char *name;    /* "IPRateLimit" */
    const char *info;    /* "server limit the ip access" ("" = none) */
    enum hb_cause cause;
};

struct hb_code_change {
    int code;
    struct hb_code_meaning meanings[HB_KNOW_MAX_MEANINGS];
    int nmeanings;
    const char *note;
};

/*
 * The knowledge tables. Everything, strings included, is owned by the
 * struct and freed by hb_knowledge_free (built-in tables are static).
 */
struct hb_knowledge {
    int naming_port; /* 8091 */
    int config_port; /* 8093 */
    const struct hb_port_info *ports;
    size_t nports;
    const struct hb_sct_row *sct;
    size_t nsct;
    const struct hb_train *trains;
    size_t ntrains;
    const struct hb_dep_rule *deps;
    size_t ndeps;
    const struct hb_signature *sigs;
    size_t nsigs;
    const struct hb_package *pkgs;
    size_t npkgs;
    const struct hb_code_change *codes;
    size_t ncodes;
    /* which parts came from files (the rest are built-in) */
    bool ports_loaded, versions_loaded, codes_loaded;
    void *arena; /* owned: allocations of loaded tables */
};

/*
 * Loads ports.yaml, versions.yaml and codes.yaml from dir. A file that is
 * missing or invalid leaves that part built-in; *problems (may be NULL)
 * receives how many files could not be used and d the first problem
 * ("path:line:col: message"). dir NULL = built-in only. Never fails:
 * returns HB_OK when every file loaded, else HB_EPARSE or HB_EIO (the
 * knowledge is still usable).
 */
enum hb_status hb_knowledge_load(struct hb_knowledge **out, const char *dir,
                                 unsigned *problems, struct hb_diag *d);
/* The compiled-in tables (static; do not free). */
const struct hb_knowledge *hb_knowledge_builtin(void);
void hb_knowledge_free(struct hb_knowledge *k);

/* Lookups; NULL when unknown. */
const struct hb_port_info *hb_knowledge_port(const struct hb_knowledge *k,
                                             int port);
const struct hb_train *hb_knowledge_train(const struct hb_knowledge *k,
                                          const char *train_version);
const struct hb_sct_row *hb_knowledge_sct(const struct hb_knowledge *k,
                                          const char *sct_version);
const struct hb_code_change *hb_knowledge_code(const struct hb_knowledge *k,
                                               int code);
/* The first signature entry whose match occurs in text. */
const struct hb_signature *hb_knowledge_signature(const struct hb_knowledge *k,
                                                  const char *text);
/* The artifact of the longest package prefix of a Java name, or NULL. */
const char *hb_knowledge_artifact(const struct hb_knowledge *k,
                                  const char *java_name);

/*
 * Compares dotted versions numerically ("1.58" < "1.59.1", "3.1.12" >
 * "3.1.7"); non-numeric parts compare as text, "-RC1"-style suffixes sort
 * before the release. Returns <0, 0, >0.
 */
int hb_version_cmp(const char *a, const char *b);
/* True when v is in the Boot line ("3.1" matches "3.1.7", "3.1.x"). */
bool hb_version_in_line(const char *v, const char *line);

#endif
