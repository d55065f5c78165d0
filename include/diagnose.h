/*
 * diagnose.h - turns incidents, observations and config findings into
 * ranked hypotheses (a cause from the fixed vocabulary with a confidence in
 * [0,1], evidence, explanation and action), using the knowledge files kept
 * beside the rules (rules/knowledge/: ports, version matrix, code history).
 * The memory it keeps is bounded: counts, a few evidence lines per cause,
 * capped sets of instances and addresses.
 */
#ifndef HB_DIAGNOSE_H
#define HB_DIAGNOSE_H

#include <stdbool.h>
#include <stdio.h>

#include "hbscan.h"
#include "incident.h"
#include "rules.h"

/* A configuration finding (hbscan config check, scan --config). */
struct hb_finding {
    const char *check_id; /* stable id, e.g. "client-address-port" */
    enum hb_cause cause;
    enum hb_severity severity;
    double weight;
    const char *title;
    const char *description;
    const char *action;
    const char *path; /* file and line of the evidence */
    unsigned long line;
    const char *text; /* the offending line */
};

struct hb_input_stats {
    uint64_t sources, bytes, lines, records, truncated, cut, incidents;
    unsigned input_errors;
    const char *replayed_from; /* the database `report` read; NULL = a scan */
};

enum hb_report_format { HB_REPORT_TEXT, HB_REPORT_JSON, HB_REPORT_MARKDOWN };

struct hb_report_opts {
    enum hb_report_format format;
    bool color;
    int width;             /* text columns; 0 = 100 */
    unsigned max_evidence; /* per cause; 0 = 5 */
    bool verbose;
    bool ascii; /* text: ASCII sparkline and marks, no UTF-8 */
};

/*
 * Fills o from the report flags shared by scan, report and config check:
 * format "text" | "json" | "markdown" (also "md"; NULL = text), color
 * "auto" | "always" | "never" (NULL = auto: colour when fd is a terminal
 * and NO_COLOR is unset or empty), ascii forced by the caller or chosen when
 * the locale (LC_ALL, LC_CTYPE, LANG) is not UTF-8. Other fields are zeroed.
 * HB_EUSAGE with d filled for an unknown value.
 */
enum hb_status hb_report_opts_init(struct hb_report_opts *o, const char *format,
                                   const char *color, bool ascii, int fd,
                                   struct hb_diag *d);

struct hb_dx; /* opaque */

/*
 * rs may be NULL (config check alone). knowledge_dir: directory of the
 * knowledge YAML files; NULL = "knowledge" beside the rule files of rs (the
 * directory of its first rule), or the built-in tables when rs is NULL.
 * Knowledge that cannot be read is reported on stderr once per process and
 * the built-in defaults are used.
 *
 * Incidents replayed from the store carry rule_id but no hits: their rule
 * metadata is looked up in rs (hb_rules_find); without it the incident's
 * flat cause, severity and weight are used.
 */
struct hb_dx *hb_dx_new(const struct hb_ruleset *rs, const char *knowledge_dir);
void hb_dx_free(struct hb_dx *dx);

void hb_dx_add_incident(struct hb_dx *dx, const struct hb_incident *inc);
void hb_dx_add_obs(struct hb_dx *dx, const struct hb_obs *o);
void hb_dx_add_finding(struct hb_dx *dx, const struct hb_finding *f);

/* Ranks the hypotheses and prints the report. */
void hb_dx_report(struct hb_dx *dx, const struct hb_input_stats *st,
                  const struct hb_report_opts *o, FILE *out);

/*
 * --fail-on: true when a primary hypothesis (one supported by its own rule
 * hits or findings, not only as an alternative) has severity >= the named
 * severity, or has the named cause; "unknown" matches unclassified Polaris
 * failures, "any" any hypothesis or unclassified failure. Ranks if needed.
 */
bool hb_dx_fails(struct hb_dx *dx, const char *fail_on);
/* True when fail_on names a severity, a cause, "unknown" or "any". */
bool hb_dx_fail_on_valid(const char *fail_on);
/* Ranks without printing (idempotent); number of hypotheses. */
size_t hb_dx_rank(struct hb_dx *dx);
/* The i-th ranked cause (tests); HB_CAUSE_NONE past the end. */
enum hb_cause hb_dx_cause_at(struct hb_dx *dx, size_t i, double *confidence);

#endif
