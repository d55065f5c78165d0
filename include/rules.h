/*
 * rules.h - YAML rule files compiled to PCRE2 (JIT) matchers, and the
 * matching of records against them. Schema: rules/README.md.
 *
 * A ruleset is loaded once per run and is read-only afterwards, so one set
 * may serve several threads provided each has its own hb_matcher.
 */
#ifndef HB_RULES_H
#define HB_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "extract.h"
#include "hbscan.h"
#include "incident.h"
#include "record.h"
#include "util.h"
#include "yamlcfg.h"

#define HB_RULE_FILE_MAX (1024 * 1024) /* bytes per rule file */
#define HB_YAML_MAX_DEPTH 32

/* The public face of a rule; owned by the ruleset. */
struct hb_rule_meta {
    const char *id;
    const char *title;
    const char *description;
    const char *action;
    enum hb_cause cause;
    enum hb_severity severity;
    double weight;                  /* 0..1: how strongly a hit supports cause */
    enum hb_cause alternatives[4];  /* other causes the same evidence may mean,
                                       for the diagnosis to weigh; ended by
                                       HB_CAUSE_NONE */
    const char *const *references;  /* NULL-terminated */
    const char *file;               /* where it was defined */
    unsigned long line;
    unsigned nsamples;
};

/* Per-rule counters for -v. */
struct hb_rule_stats {
    uint64_t tried;      /* records that passed the prefilter */
    uint64_t hits;
    uint64_t limit_hits; /* PCRE2 match/depth limit reached */
    uint64_t nanos;      /* time in the regex engine */
};

struct hb_ruleset; /* opaque */

/* Load errors are collected in a struct hb_errlist (yamlcfg.h):
   hb_errlist_fini, hb_errlist_print, hb_errlist_count. */

/*
 * Loads every *.yaml / *.yml file of each directory, in name order (a
 * directory listed later may override a rule id of an earlier one: see
 * rules/README.md). Collects every error of every file in errs; returns
 * HB_EPARSE when there is at least one (the set is then NULL).
 */
enum hb_status hb_rules_load(struct hb_ruleset **out, const char *const *dirs,
                             size_t ndirs, struct hb_errlist *errs);
/* Loads a single file (tests, `rules check FILE`). */
enum hb_status hb_rules_load_file(struct hb_ruleset **out, const char *path,
                                  struct hb_errlist *errs);
void hb_rules_free(struct hb_ruleset *rs);

size_t hb_rules_count(const struct hb_ruleset *rs);
const struct hb_rule_meta *hb_rules_get(const struct hb_ruleset *rs, size_t i);
const struct hb_rule_meta *hb_rules_find(const struct hb_ruleset *rs,
                                         const char *id);

/*
 * Appends rule i's gate and condition to out as YAML-like text, for
 * `hbscan rules show`: a "literals:" line (declared, derived or none) then
 * "match:" with the tree in evaluation order (cheap conditions first).
 */
void hb_rules_explain(const struct hb_ruleset *rs, size_t i,
                      struct hb_buf *out);

/*
 * The default directories: $HBSCAN_RULES (colon separated), else the build
 * tree's rules/ next to the binary, else $(PREFIX)/share/hbscan/rules.
 */
size_t hb_rules_default_dirs(const char **dirs, size_t cap, const char *argv0);

struct hb_matcher; /* per thread: match data and scratch */
struct hb_matcher *hb_matcher_new(const struct hb_ruleset *rs);
void hb_matcher_free(struct hb_matcher *m);

/*
 * Runs every rule over a record. Writes up to cap hits, strongest first
 * (weight, then severity, then rule order) and returns how many. only_rule
 * (may be NULL) restricts matching to one id.
 */
int hb_matcher_run(struct hb_matcher *m, const struct hb_record *rec,
                   const struct hb_polaris *pol, const char *only_rule,
                   struct hb_hit *hits, int cap);

/*
 * Test hook: with the gate off, every rule is evaluated in full (no cheap
 * pre-evaluation, no derived literal prefilter; declared `literals:` still
 * apply since they are part of the rule). Results must not change.
 */
void hb_matcher_set_gate(struct hb_matcher *m, bool on);

/* Stats of rule i, summed over this matcher's runs. */
const struct hb_rule_stats *hb_matcher_stats(const struct hb_matcher *m,
                                             size_t i);

/*
 * Runs every rule's own samples through the whole pipeline (assembly,
 * extraction, matching). Prints each failure as "file:line: rule ID sample N:
 * what" to fp; returns the number of failures, *total the samples run.
 */
size_t hb_rules_test_samples(const struct hb_ruleset *rs, FILE *fp,
                             size_t *total);

#endif
