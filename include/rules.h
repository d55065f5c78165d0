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

#define HB_RULE_FILE_MAX  (1024 * 1024) /* bytes per rule file */
#define HB_YAML_MAX_DEPTH 32

/* The public face of a rule; owned by the ruleset. */
struct hb_rule_meta {
    const char *id;
    const char *title;
    const char *description;
    const char *action;
    enum hb_cause cause;
    enum hb_severity severity;
    double weight;                 /* 0..1: how strongly a hit supports cause */
    enum hb_cause alternatives[4]; /* other causes the same evidence may mean,
                                      for the diagnosis to weigh; ended by
                                      HB_CAUSE_NONE */
    const char *const *references; /* NULL-terminated */
    const char *file;              /* where it was defined */
    unsigned long line;
    unsigned nsamples;
};

/* Per-rule counters for -v. */
struct hb_rule_stats {
    uint64_t tried; /* records evaluated in full, past the gate
                       (signature, literals, cheap leaves): a measure of
                       work that a stronger gate lowers, never of hits */
    uint64_t hits;
    uint64_t limit_hits; /* PCRE2 match/depth limit reached */
    uint64_t nanos;      /* time in the regex engine */
};

struct hb_ruleset; /* opaque */

/* Load errors are collected in a struct hb_errlist (yamlcfg.h):
   hb_errlist_fini, hb_errlist_print, hb_errlist_count. */

/*
 * Loads the rule layers in order. Each entry of dirs is a directory (its
 * *.yaml / *.yml files, not subdirectories, in name order) or one file. A
 * later layer may replace a rule id of an earlier one, or remove it with
 * `disabled: true`; an id defined twice within one layer is an error (see
 * rules/README.md). Collects every error of every file in errs ("path:
 * line:col: message", sorted by position per file); returns HB_EPARSE when
 * there is at least one (*out is then NULL), else HB_OK with *out owned by
 * the caller (hb_rules_free). Zero layers give an empty set.
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
 * tree's rules/ (<bindir>/../rules or <bindir>/../../rules, bindir from
 * argv0 when it holds a '/', else /proc/self/exe), else
 * $(PREFIX)/share/hbscan/rules. Writes at most cap paths into dirs and
 * returns how many; the strings are static, valid until the next call.
 */
size_t hb_rules_default_dirs(const char **dirs, size_t cap, const char *argv0);

/* Per thread: PCRE2 match data, match context (match limit, depth limit,
   JIT stack), scratch hits and stats. rs is borrowed and must outlive it. */
struct hb_matcher;
struct hb_matcher *hb_matcher_new(const struct hb_ruleset *rs);
void hb_matcher_free(struct hb_matcher *m);
/* Adapts the literal prefilter to typical input (sample[0..n), e.g. the
   start of the first file): speed only, results never change. Call before
   the first record. */
void hb_matcher_tune(struct hb_matcher *m, const char *sample, size_t n);

/*
 * Runs every rule over a record. Writes up to cap hits, strongest first
 * (weight, then severity, then rule order) and returns how many; each hit
 * carries the named captures of the patterns that matched. only_rule (may
 * be NULL) restricts matching to one id. A pattern that reaches a PCRE2
 * limit counts as not matching (and in stats.limit_hits). Never fails.
 */
int hb_matcher_run(struct hb_matcher *m, const struct hb_record *rec,
                   const struct hb_polaris *pol, const char *only_rule,
                   struct hb_hit *hits, int cap);

/*
 * One scan of rec's text for both the matcher and hb_extract_scanned: the
 * hits to hand to hb_extract_scanned and then to hb_matcher_run_scanned for
 * the same record (valid until the next call). NULL when this matcher's
 * automaton does not carry the extraction's literals (fast path off, or too
 * many literals): each then scans on its own.
 */
const struct hb_pf_hits *hb_matcher_scan(struct hb_matcher *m,
                                         const struct hb_record *rec);
/* Whether hb_matcher_scan's result can tell if rec's text names a
   Throwable (hb_throwable_names); if so *named says. */
bool hb_matcher_names_throwable(const struct hb_matcher *m,
                                const struct hb_pf_hits *scan, bool *named);
/* hb_matcher_run reusing hb_matcher_scan's result for rec (NULL: scan here
   when needed). */
int hb_matcher_run_scanned(struct hb_matcher *m, const struct hb_record *rec,
                           const struct hb_polaris *pol, const char *only_rule,
                           struct hb_hit *hits, int cap,
                           const struct hb_pf_hits *scan);

/*
 * Test hook: with the gate off, every rule is evaluated in full (no
 * signature, no cheap pre-evaluation, no derived literal prefilter;
 * declared `literals:` still apply since they are part of the rule).
 * Results must not change.
 */
void hb_matcher_set_gate(struct hb_matcher *m, bool on);

/*
 * Whether regex time is measured into stats.nanos (two clock reads per
 * pattern run). On by default; scans turn it off unless -v asks for the
 * per-rule statistics.
 */
void hb_matcher_set_timing(struct hb_matcher *m, bool on);

/* Stats of rule i (ruleset order), summed over this matcher's runs; NULL
   when i is out of range. */
const struct hb_rule_stats *hb_matcher_stats(const struct hb_matcher *m,
                                             size_t i);

/*
 * Runs every rule's own samples through the whole pipeline (unwrapping,
 * assembly, extraction, matching), each also with the gate off to catch a
 * prefilter that drops a real match. Prints each failure as "file:line:
 * rule ID sample N: what" to fp; returns the number of failing samples and
 * stores the number of samples run in *total (may be NULL).
 */
size_t hb_rules_test_samples(const struct hb_ruleset *rs, FILE *fp,
                             size_t *total);

#endif
