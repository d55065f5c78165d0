/*
 * incident.h - the flat, self-contained values that flow from matching to
 * the store, the NDJSON stream and the diagnosis: an incident (a record that
 * carries a Polaris failure, classified by the strongest rule it hit, or
 * unclassified) and an observation (a non-failure fact: a successful
 * registration or heartbeat, a Polaris address or a version seen).
 * Both can be rebuilt from the database, so nothing here points at a record.
 */
#ifndef HB_INCIDENT_H
#define HB_INCIDENT_H

#include <stdbool.h>
#include <stdint.h>

#include "extract.h"
#include "hbscan.h"

#define HB_MAX_HITS          8
#define HB_MAX_CAPS          8
#define HB_INCIDENT_TEXT_CAP 4096 /* record text kept per incident */

struct hb_rule_meta; /* rules.h */

struct hb_capture {
    char name[24]; /* "host", "port", "namespace", "service", "api", ... */
    char value[128];
};

/* One rule that matched a record. */
struct hb_hit {
    const struct hb_rule_meta *rule; /* borrowed from the ruleset */
    struct hb_capture caps[HB_MAX_CAPS];
    int ncaps;
};

struct hb_incident {
    const char *source; /* borrowed: display name of the input */
    uint64_t first_line;
    uint64_t last_line;
    uint64_t evidence_line; /* the most telling line (carries the code) */
    char evidence[512];     /* that line's text, capped */
    int64_t ts_ms;          /* HB_NO_TIME when unknown */
    char ts_text[40];
    char level[6];
    char format[16];
    /* instance and server, from captures first, else from extraction */
    char ns[64];
    char service[128];
    char host[64];
    int port;               /* 0 = unknown */
    char server_addr[128];  /* Polaris server host:port, "" = unknown */
    char k8s_namespace[64]; /* from the path (issue: Kubernetes layouts) */
    char k8s_pod[128];
    char k8s_container[64];
    int sdk_code;
    char sdk_name[32];
    int server_code;
    char grpc_status[24];
    enum hb_event event;
    char exc_class[160]; /* deepest exception class, "" = none */
    char message[512];   /* header message, capped */
    /* classification: hits[0] decides; nhits == 0 means unclassified */
    struct hb_hit hits[HB_MAX_HITS];
    int nhits;
    const char *rule_id; /* hits[0]'s id, or NULL */
    enum hb_cause cause; /* HB_CAUSE_NONE when unclassified */
    enum hb_severity severity;
    double weight;        /* hits[0]'s weight, 0 when unclassified */
    char fingerprint[17]; /* 16 hex digits */
    struct hb_str text;   /* record text, capped at HB_INCIDENT_TEXT_CAP;
                             borrowed, valid during the callback */
    /* every code in the record: "ERR-1006", "400401" */
    struct hb_code_seen codes[HB_MAX_CODES];
    int ncodes;
};

/* An observation: kind is an event name ("register-ok", "heartbeat-ok"...),
   "address" or "version". */
struct hb_obs {
    const char *source; /* borrowed */
    uint64_t line;
    int64_t ts_ms;
    char kind[24];
    char key[48];    /* artifact for "version"; how for "address" */
    char value[128]; /* version, or host:port */
    char ns[64];
    char service[128];
    char host[64];
    int port;
    char text[256]; /* the line, capped */
};

struct hb_record;

/*
 * Builds an incident from a record, its extraction and its rule hits
 * (strongest first; nhits may be 0). Captures named host/port/namespace/
 * service/server override extracted values. Computes the fingerprint.
 */
void hb_incident_build(struct hb_incident *inc, const struct hb_record *rec,
                       const struct hb_polaris *pol, const struct hb_hit *hits,
                       int nhits);

/*
 * Builds the observations of a record (an event that is not a failure, each
 * fact); calls fn for each. Returns how many were emitted.
 */
int hb_obs_from_record(const struct hb_record *rec,
                       const struct hb_polaris *pol,
                       void (*fn)(void *ctx, const struct hb_obs *o),
                       void *ctx);

/* Fingerprint: stable across runs and machines for "the same problem". */
void hb_incident_fingerprint(struct hb_incident *inc);

/* A capture's value by name, or NULL. */
const char *hb_incident_capture(const struct hb_incident *inc,
                                const char *name);

#endif
