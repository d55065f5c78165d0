/*
 * report.h - the ranked diagnosis as the renderers see it. diagnose.c builds
 * a struct hb_report in hb_dx_rank; report_text.c, report_json.c and
 * report_md.c print it. Everything in it is borrowed from the hb_dx and valid
 * until the next hb_dx_add_*, hb_dx_rank or hb_dx_free.
 */
#ifndef HB_REPORT_H
#define HB_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diagnose.h"
#include "hbscan.h"

#define HB_TL_BUCKETS    256 /* timeline resolution kept per cause */
#define HB_EVIDENCE_KEEP 8   /* evidence lines kept per cause */
#define HB_SUPPORT_KEEP  3   /* address/version lines added as support */
#define HB_HYP_FACTS     8   /* correlation sentences per hypothesis */

/* One line of evidence. */
struct hb_evidence {
    const char *kind; /* static: "incident", "finding", "address",
                         "version" */
    char source[256];
    uint64_t line; /* 0 = unknown */
    int64_t ts_ms; /* HB_NO_TIME = unknown */
    char text[512];
    char fingerprint[17]; /* "" for observations and findings */
    double score;         /* how telling: the rule weight */
    uint64_t count;       /* incidents of the cause with this fingerprint
                             (1 for others) */
    char focus[64];       /* the part of text that matters (a code, an
                             address, a version): kept visible when the
                             text is cut; "" = none */
    char label[96];       /* observations: what was seen ("grpc 1.59.1",
                             "10.0.0.9:8081 (connid)"); "" otherwise */
};

/*
 * Counts over time with bounded memory: bucket i covers
 * [origin + i*width, origin + (i+1)*width); the width doubles (merging
 * buckets) whenever a time falls outside.
 */
struct hb_timeline {
    int64_t origin_ms;
    int64_t width_ms;
    uint32_t n[HB_TL_BUCKETS];
    bool used;
    uint64_t untimed; /* events without a time */
};

void hb_timeline_add(struct hb_timeline *t, int64_t ts_ms);
/* Spreads the counts over ncols columns covering [from, to]. */
void hb_timeline_project(const struct hb_timeline *t, int64_t from, int64_t to,
                         uint64_t *cols, int ncols);

struct hb_count {
    const char *name;
    uint64_t n;
};

/* A ranked hypothesis. */
struct hb_hyp {
    enum hb_cause cause;
    double confidence; /* [0, 1) */
    enum hb_severity severity;
    bool primary; /* false: only suggested by alternatives */
    const char *title;
    const char *description;
    const char *action; /* may hold lines starting with spaces: keep */
    const char *facts[HB_HYP_FACTS]; /* correlation sentences */
    size_t nfacts;
    uint64_t incidents;     /* incidents classified with this cause */
    uint64_t alt_incidents; /* incidents that name it as an alternative */
    uint64_t findings;
    int64_t first_ms, last_ms;    /* HB_NO_TIME when unknown */
    const char *const *instances; /* "ns/service host:port" */
    size_t ninstances;
    uint64_t instances_more;      /* affected instances not listed (cap) */
    const char *const *addresses; /* Polaris server host:port */
    size_t naddresses;
    const char *const *rules; /* rule ids, strongest first */
    size_t nrules;
    const struct hb_evidence *evidence; /* most telling first, then the
                                           supporting observations */
    size_t nevidence;
    const struct hb_timeline *timeline;
};

struct hb_report_addr {
    const char *address; /* host:port */
    int port;
    const char *how;      /* where it was seen: "grpc-url", "connid" ... */
    const char *listener; /* from the knowledge, or NULL */
    const char *purpose;
    uint64_t seen;     /* observations */
    uint64_t failures; /* incidents naming it */
};

struct hb_report_version {
    const char *artifact;
    const char *version;
    uint64_t seen;
};

struct hb_report_instance {
    const char *label; /* "ns/service host:port" */
    uint64_t failures, register_ok, heartbeat_ok;
    int64_t first_fail_ms, last_fail_ms, last_ok_ms;
};

struct hb_report {
    const struct hb_input_stats *st; /* may be NULL */
    uint64_t incidents;              /* all incidents added */
    uint64_t observations;
    int64_t first_ms, last_ms; /* scanned span; HB_NO_TIME when unknown */
    const struct hb_hyp *hyps;
    size_t nhyps;
    /* Polaris failures no rule classified */
    uint64_t unclassified;
    int64_t unc_first_ms, unc_last_ms;
    const struct hb_count *unc_codes;
    size_t unc_ncodes;
    const struct hb_evidence *unc_evidence;
    size_t unc_nevidence;
    const struct hb_timeline *unc_timeline;
    /* every code seen: "ERR-1006", "400401", "Polaris-1006" */
    const struct hb_count *codes;
    size_t ncodes;
    const struct hb_count *grpc; /* gRPC statuses */
    size_t ngrpc;
    const struct hb_finding *findings;
    size_t nfindings;
    const struct hb_report_addr *addrs;
    size_t naddrs;
    const struct hb_report_version *versions;
    size_t nversions;
    const struct hb_report_instance *instances;
    size_t ninstances;
    uint64_t overflow;     /* items dropped by any cap (counted) */
    const char *knowledge; /* "built-in" or the directory */
};

/* The ranked model of dx (ranks first when needed). */
const struct hb_report *hb_dx_view(struct hb_dx *dx,
                                   const struct hb_input_stats *st);

void hb_report_text(const struct hb_report *r, const struct hb_report_opts *o,
                    FILE *out);
void hb_report_json(const struct hb_report *r, const struct hb_report_opts *o,
                    FILE *out);
void hb_report_markdown(const struct hb_report *r,
                        const struct hb_report_opts *o, FILE *out);

/* "2024-03-13T12:16:04.123Z" (UTC), for JSON. */
void hb_report_time_utc(int64_t ms, char *buf, size_t cap);
/* "2024-03-13 20:16:04" in the local zone, for people. */
void hb_report_time_local(int64_t ms, char *buf, size_t cap);
/* "3d4h", "12m5s", "850ms": a duration for people. */
void hb_report_duration(int64_t ms, char *buf, size_t cap);

#endif
