/*
 * extract.h - finds what Polaris says in a record, before any rule runs:
 * polaris-java "ERR-<n>(<NAME>)[:,]" codes, "server error <6 digits>: info",
 * Go SDK "Polaris-<n>(<Name>)" chains and "server code <n>", gRPC statuses,
 * SCT and SDK heartbeat/registration lines, the Polaris server address and
 * instance seen, and version evidence (Spring Boot, jar names).
 * Hand-written scanning (memmem/memchr); no regex, no allocation.
 */
#ifndef HB_EXTRACT_H
#define HB_EXTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "hbscan.h"
#include "record.h"

#define HB_MAX_CODES 8
#define HB_MAX_FACTS 8

/* What the record says happened; HB_EV_NONE for most records. */
enum hb_event {
    HB_EV_NONE = 0,
    HB_EV_REGISTER_OK,    /* "register finished", "register ... successfully" */
    HB_EV_REGISTER_FAIL,  /* "register failed", "instance register request ..."
                           */
    HB_EV_HEARTBEAT_OK,   /* "[AsyncHeartbeat]Instance heartbeat success" */
    HB_EV_HEARTBEAT_FAIL, /* heartbeat failed lines (SDK, SCT, GrpcConnector) */
    HB_EV_REREGISTER_OK,
    HB_EV_REREGISTER_FAIL,
    HB_EV_DEREGISTER,    /* deregister, ok or not */
    HB_EV_DISCOVER_FAIL, /* discover stream / service query failure */
    HB_EV_CONFIG_FAIL,   /* config file pull failure */
    HB_EV_CONNECT_FAIL,  /* "fail to get connection", connection refused */
    HB_EV_STARTUP_FAIL   /* APPLICATION FAILED TO START, context init failure */
};

enum hb_code_kind {
    HB_CODE_SDK,   /* ERR-1006 (polaris-java) */
    HB_CODE_GO,    /* Polaris-1006 (polaris-go) */
    HB_CODE_SERVER /* 400401 */
};

struct hb_code_seen {
    enum hb_code_kind kind;
    int num;
    char key[16]; /* "ERR-1006", "Polaris-1006", "400401": the JSON key */
};

/* A fact that supports a diagnosis but is not a failure by itself. */
enum hb_fact_kind {
    HB_FACT_ADDRESS, /* a Polaris server address: value "host:port" */
    HB_FACT_VERSION  /* key = artifact ("spring-boot", "polaris-java",
                        "spring-cloud-tencent", "grpc", "netty", ...),
                        value = version */
};

struct hb_fact {
    enum hb_fact_kind kind;
    char key[48];
    char value[96];
    /* where it was seen (static string). Addresses: "grpc-url",
       "config-url", "connid", "address", "refused", "remote-addr",
       "switched", "connect-to", "dial" (also copied into key). Versions:
       "jar", "maven-path", "banner", "log". */
    const char *how;
};

/* Everything extracted from one record. Caller storage, self-contained.
   hb_extract_scanned resets every field by hand: a new field needs its
   line there. */
struct hb_polaris {
    int sdk_code;      /* deepest polaris-java ERR code, 0 = none */
    char sdk_name[32]; /* its enum name: "SERVER_USER_ERROR" */
    int go_code;       /* Polaris-NNNN from polaris-go, 0 = none */
    char go_name[48];
    int server_code;       /* 6-digit server code, 0 = none */
    char server_info[128]; /* the text after "server error N: " */
    char grpc_status[24];  /* "UNAVAILABLE", "UNIMPLEMENTED", ... or "" */
    char grpc_desc[160];   /* status description text */
    enum hb_event event;
    char ns[64]; /* instance namespace, service, host, port */
    char service[128];
    char host[64];
    int port;              /* 0 = unknown */
    char server_addr[128]; /* the Polaris server host:port this record names */
    int fail_count;        /* "heartbeat fail count:N", -1 = none */
    struct hb_code_seen codes[HB_MAX_CODES];
    int ncodes; /* distinct codes, in order of appearance */
    struct hb_fact facts[HB_MAX_FACTS];
    int nfacts;
    bool polaris; /* the record mentions Polaris at all
                     (com.tencent.polaris, SCT logger, ERR-, ...) */
    bool failure; /* carries a Polaris code, gRPC failure or a
                     failure event: worth reporting */
};

/* Fills *p from rec: every field is set (zero, "" or -1 when nothing
   was found); the bytes past each string's NUL, and codes[] and facts[]
   past ncodes and nfacts, are not, and readers must not look at them.
   Never fails. */
void hb_extract(const struct hb_record *rec, struct hb_polaris *p);

/*
 * The literals the scanners start from, in id order, matched exactly
 * (static strings; *n receives the count). A caller that scans a record
 * once for several consumers puts them first in its automaton (ids 0..n-1)
 * and hands the scan to hb_extract_scanned.
 */
const char *const *hb_extract_literals(size_t *n);

struct hb_pf_hits; /* prefilter.h */

/* hb_extract with the record's literal scan done by the caller: lit's ids
   0..n-1 are those of hb_extract_literals (the others are ignored); NULL
   scans here. With the fast path off (fastpath.h) lit must be NULL. */
void hb_extract_scanned(const struct hb_record *rec, struct hb_polaris *p,
                        const struct hb_pf_hits *lit);

const char *hb_event_name(enum hb_event e);

#endif
