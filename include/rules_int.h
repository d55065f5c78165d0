/*
 * rules_int.h - the inside of a ruleset, shared by rules.c (YAML to rules),
 * match.c (PCRE2, gates, evaluation), rules_samples.c and their tests.
 * Nothing outside the rules module includes this.
 */
#ifndef HB_RULES_INT_H
#define HB_RULES_INT_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "rules.h"

#define HB_RULE_ID_MAX       96
#define HB_RULE_MAX_LITERALS 16
#define HB_MATCH_LIMIT       1000000u /* pcre2 match (backtracking) limit */
#define HB_DEPTH_LIMIT       10000u   /* pcre2 depth (heap frames) limit */
#define HB_CAP_VALUE_MAX     127      /* bytes kept of a capture value */

/* The condition leaves, in the order of hb_leaf_table. */
enum hb_leaf {
    /* regex leaves */
    HB_LEAF_MESSAGE,
    HB_LEAF_HEAD,
    HB_LEAF_TEXT,
    HB_LEAF_EXCEPTION,
    HB_LEAF_EXCEPTION_MESSAGE,
    HB_LEAF_ROOT_EXCEPTION,
    HB_LEAF_LOGGER,
    HB_LEAF_THREAD,
    HB_LEAF_SERVER_INFO,
    HB_LEAF_GRPC_DESC,
    HB_LEAF_SERVER_ADDR,
    HB_LEAF_SOURCE,
    /* list leaves */
    HB_LEAF_LEVEL,
    HB_LEAF_SDK_CODE,
    HB_LEAF_SDK_NAME,
    HB_LEAF_SERVER_CODE,
    HB_LEAF_GO_CODE,
    HB_LEAF_GRPC_STATUS,
    HB_LEAF_EVENT,
    HB_LEAF_FORMAT,
    HB_LEAF_POLARIS,
    HB_LEAF_FAILURE,
    HB_LEAF_COUNT
};

enum hb_leaf_type {
    HB_LT_REGEX, /* a PCRE2 pattern */
    HB_LT_INT,   /* ints and "lo-hi" ranges */
    HB_LT_NAME,  /* names, compared exactly */
    HB_LT_EVENT, /* hb_event_name names */
    HB_LT_BOOL
};

struct hb_leaf_info {
    const char *name;
    enum hb_leaf_type type;
    bool in_text;  /* the value is always a slice of rec->text, so a literal
                      the pattern requires must occur in the text */
    unsigned cost; /* evaluation order inside all/any: cheap first */
};

/* Indexed by enum hb_leaf. */
extern const struct hb_leaf_info hb_leaf_table[HB_LEAF_COUNT];

struct hb_regex {
    pcre2_code *code;    /* owned by the rule (hb_rule.codes) */
    const char *pattern; /* arena */
    uint32_t ngroups;    /* capture groups */
    uint32_t nnames;     /* named groups */
    struct hb_regex_name {
        char name[24];
        uint32_t group;
    } * names; /* arena */
};

enum hb_cond_op { HB_COND_ALL, HB_COND_ANY, HB_COND_NOT, HB_COND_LEAF };

struct hb_range {
    long lo, hi;
};

struct hb_cond {
    enum hb_cond_op op;
    enum hb_leaf leaf;     /* HB_COND_LEAF */
    struct hb_cond **kids; /* all/any: nkids; not: 1 */
    size_t nkids;
    struct hb_regex rx;      /* HB_LT_REGEX */
    struct hb_range *ranges; /* HB_LT_INT */
    const char **names;      /* HB_LT_NAME */
    int *events;             /* HB_LT_EVENT: enum hb_event values */
    size_t nvals;            /* ranges/names/events */
    bool flag;               /* HB_LT_BOOL */
    unsigned cost;           /* leaf cost, or sum over kids */
    bool has_regex;          /* the subtree holds a regex leaf */
    unsigned long line, col;
};

#define HB_FT_NEVENTS  16 /* event bits (enum hb_event values below it) */
#define HB_FT_NLEVELS  6  /* level bits */
#define HB_FT_NFORMATS 16 /* format bits: "plain" and the table's first 15 */

/*
 * Record features: the atoms of a rule's signature, bit numbers in the mask
 * hb_matcher_run computes once per record (a record has the feature when
 * the comment holds). A leaf naming a value without a bit gives no clause.
 */
enum hb_feature {
    HB_FT_SDK_CODE,    /* sdk_code, or a codes[] entry of kind SDK, is not 0 */
    HB_FT_GO_CODE,     /* the same for HB_CODE_GO */
    HB_FT_SERVER_CODE, /* the same for HB_CODE_SERVER */
    HB_FT_SDK_NAME,    /* sdk_name is not empty */
    HB_FT_GRPC_STATUS, /* grpc_status is not empty */
    HB_FT_SERVER_INFO, /* server_info is not empty */
    HB_FT_GRPC_DESC,   /* grpc_desc is not empty */
    HB_FT_SERVER_ADDR, /* server_addr is not empty */
    HB_FT_LOGGER,      /* hdr.logger is not empty */
    HB_FT_THREAD,      /* hdr.thread is not empty */
    HB_FT_CHAIN,       /* nchain > 0 */
    HB_FT_POLARIS,     /* polaris is true */
    HB_FT_NOT_POLARIS, /* polaris is false */
    HB_FT_FAILURE,     /* failure is true */
    HB_FT_NOT_FAILURE, /* failure is false */
    HB_FT_EVENT,       /* + e (e < HB_FT_NEVENTS): event is e */
    HB_FT_LEVEL = HB_FT_EVENT + HB_FT_NEVENTS,  /* + i: hdr.level is
                                                   hb_ft_levels[i] */
    HB_FT_FORMAT = HB_FT_LEVEL + HB_FT_NLEVELS, /* + 0: format is "plain";
                                                   + 1 + i: the format is
                                                   hb_format_table()[i] */
    HB_FT_COUNT = HB_FT_FORMAT + HB_FT_NFORMATS
};

#define HB_SIG_MAX_CLAUSES 8  /* clauses kept per signature */
#define HB_SIG_MAX_LITS    32 /* literals per clause */

/* The level names of the HB_FT_LEVEL bits, in bit order. */
extern const char *const hb_ft_levels[HB_FT_NLEVELS];

/* One clause: the record has one of the features, or its text holds one of
   the literals (ASCII letters in either case). */
struct hb_sig_clause {
    uint64_t features; /* bits 1 << enum hb_feature */
    const char **lits; /* rule arena, lower case; NULL when nlits = 0 */
    size_t nlits;
};

/*
 * A rule's signature: a necessary condition of its match, the conjunction
 * of clause[0..n) (n = 0: none, every record may match). Derived once at
 * load time from the condition tree and the literal gate, and sound by
 * construction: a record that fails one clause cannot match the rule,
 * whatever its patterns would do. It over-approximates; `not:` adds nothing.
 */
struct hb_sig {
    struct hb_sig_clause clause[HB_SIG_MAX_CLAUSES];
    size_t n;
};

struct hb_sample_field {
    const char *name, *value;
};

struct hb_sample {
    const char *log;
    bool match;
    const char *source; /* display name; NULL = "sample" */
    struct hb_sample_field *fields;
    size_t nfields;
    unsigned long line;
    unsigned long fields_line, fields_col;
};

struct hb_rule {
    struct hb_rule_meta meta; /* strings point into arena */
    struct hb_cond *cond;     /* arena */
    const char **literals;    /* the gate: text holds one of them */
    bool *lit_caseless;       /* per literal: compare ignoring ASCII
                                 case (literal is lower case); NULL
                                 = all exact */
    size_t *lit_len;          /* strlen of each literal */
    size_t nliterals;
    bool literals_declared;    /* from `literals:`, else derived */
    struct hb_sample *samples; /* arena */
    size_t nsamples;
    struct hb_sig sig;     /* necessary condition; literals in arena */
    bool sig_implies_gate; /* sig holds the gate's clause and the gate is
                              all caseless: meeting sig meets the gate */
    bool disabled;
    size_t index;       /* position in the ruleset */
    pcre2_code **codes; /* owned: every compiled pattern */
    size_t ncodes, capcodes;
    struct hb_arena arena; /* owns everything above */
};

struct hb_ruleset {
    struct hb_rule **rules; /* owned, in load order (override keeps slot) */
    size_t n;
    uint32_t max_groups; /* most capture groups of any pattern */
};

/* match.c: compiles pattern into rx. On failure returns false and fills
   msg and *offset (byte offset in the pattern). */
bool hb_regex_compile(struct hb_regex *rx, struct hb_arena *a,
                      const char *pattern, size_t len, bool multiline,
                      char *msg, size_t msgcap, size_t *offset);
void hb_regex_fini(struct hb_regex *rx);
/* match.c: orders each all/any cheap first, computes costs, derives the
   literal gate when none was declared, then the signature (r->sig). */
void hb_match_prepare(struct hb_rule *r);
/* Literals one of which a match must contain. */
struct hb_litset {
    size_t n;
    char lit[HB_RULE_MAX_LITERALS][256];
    bool caseless[HB_RULE_MAX_LITERALS]; /* lit is lower case; compare
                                            ignoring ASCII case */
};
/* match.c: the literals (each at least min bytes) one of which every match
   of pattern contains, taken outside any optional part; false when there
   is no such set that is safe to take. Exposed for tests. */
bool hb_regex_literals(const char *pattern, size_t min, struct hb_litset *out);
/* match.c: for a pattern of a single top-level branch, each literal run and
   each required group's set (literals of min bytes or more) separately:
   every match contains one literal of each set. Writes up to cap sets and
   returns how many (0 for several branches or anything unsafe). */
size_t hb_regex_clauses(const char *pattern, size_t min,
                        struct hb_litset *clauses, size_t cap);
/* rules.c: frees a rule and its compiled patterns. */
void hb_rule_free(struct hb_rule *r);

#endif
