/*
 * hbscan.h - what every module shares: status codes, exit codes, the
 * diagnostics record, string slices and the causes/severities vocabulary.
 * Nothing here allocates.
 */
#ifndef HBSCAN_H
#define HBSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HB_VERSION "0.1.0"

#if defined(__GNUC__)
#define HB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define HB_NORETURN     __attribute__((noreturn))
#else
#define HB_PRINTF(f, a)
#define HB_NORETURN
#endif

#define HB_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Result of any function that can fail. */
enum hb_status {
    HB_OK = 0,
    HB_EOF,      /* iterator exhausted */
    HB_EIO,      /* read/write/open failed */
    HB_EPARSE,   /* malformed input (rule file, config, SQL) */
    HB_ELIMIT,   /* a cap was hit */
    HB_EDB,      /* SQLite failure */
    HB_EBUSY,    /* database locked by another writer */
    HB_EUSAGE,   /* bad option or argument */
    HB_ENOTFOUND /* named thing does not exist */
};

/* Process exit codes; documented in README and hbscan(1). */
enum hb_exit {
    HB_EXIT_OK = 0,       /* ran, nothing matched --fail-on */
    HB_EXIT_FOUND = 1,    /* --fail-on threshold met */
    HB_EXIT_USAGE = 2,    /* bad command line */
    HB_EXIT_RULES = 3,    /* rule files invalid */
    HB_EXIT_INPUT = 4,    /* some input could not be read (others were) */
    HB_EXIT_DB = 5,       /* incident database unusable */
    HB_EXIT_INTERNAL = 70 /* bug */
};

/*
 * Where and what went wrong. Printed as "path:line:col: msg"; line and col
 * are omitted when 0. Caller storage; hb_diag_set overwrites.
 */
struct hb_diag {
    char path[1024];
    unsigned long line;
    unsigned long col;
    char msg[512];
};

void hb_diag_set(struct hb_diag *d, const char *path, unsigned long line,
                 unsigned long col, const char *fmt, ...) HB_PRINTF(5, 6);
/* Prints "hbscan: path:line:col: msg\n" to fp. NULL d prints nothing. */
void hb_diag_print(const struct hb_diag *d, FILE *fp);

/* A borrowed slice of bytes; not NUL-terminated. */
struct hb_str {
    const char *p;
    size_t n;
};

#define HB_STR_NULL ((struct hb_str){NULL, 0})

/* The fixed cause vocabulary (shared/README.md). Order = enum order. */
enum hb_cause {
    HB_CAUSE_NONE = -1,
    HB_CAUSE_PORT = 0,
    HB_CAUSE_API_GATING,
    HB_CAUSE_VERSION_MISMATCH,
    HB_CAUSE_NETWORK,
    HB_CAUSE_AUTH,
    HB_CAUSE_NOT_FOUND,
    HB_CAUSE_RATE_LIMIT,
    HB_CAUSE_SERVER_ERROR,
    HB_CAUSE_CONFIG,
    HB_CAUSE_COUNT
};

enum hb_severity {
    HB_SEV_INFO = 0,
    HB_SEV_WARNING,
    HB_SEV_ERROR,
    HB_SEV_CRITICAL
};

/* "port", "api-gating", ...; "unknown" for HB_CAUSE_NONE. */
const char *hb_cause_name(enum hb_cause c);
/* Returns HB_CAUSE_NONE for an unknown name. */
enum hb_cause hb_cause_from_name(const char *name);
/* One-line human title of a cause ("Wrong Polaris port"). */
const char *hb_cause_title(enum hb_cause c);
const char *hb_severity_name(enum hb_severity s);
/* Returns -1 for an unknown name. */
int hb_severity_from_name(const char *name);

#define HB_NO_TIME INT64_MIN

#endif
