/*
 * format.h - the table of log line formats. Each entry recognises the
 * header line of a record (a line that starts a new log event) and splits it
 * into fields. Container wrappers (CRI, Docker json-file) and JSON
 * application logs are undone earlier, by unwrap.h.
 */
#ifndef HB_FORMAT_H
#define HB_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hbscan.h"

/* Header fields; slices point into the parsed line. */
struct hb_header {
    struct hb_str ts; /* timestamp text as written */
    int64_t ts_ms;    /* HB_NO_TIME when it could not be converted */
    char level[6];    /* "TRACE" "DEBUG" "INFO" "WARN" "ERROR" "FATAL" or "" */
    long pid;         /* -1 when absent */
    struct hb_str thread;
    struct hb_str logger;
    struct hb_str app;     /* Spring Boot 3.2+ [app] bracket, or a prefix tag */
    struct hb_str message; /* the rest of the line after the header fields */
};

struct hb_format {
    const char *name;        /* "springboot", "logback", "polaris-sdk", ... */
    const char *description; /* one line for --help / -v */
    /* Returns true when line is a header of this format; fills h. */
    bool (*parse)(const char *line, size_t len, struct hb_header *h);
};

/* All formats in detection-priority order; *n receives the count. */
const struct hb_format *hb_format_table(size_t *n);
/* NULL when no format has that name. */
const struct hb_format *hb_format_find(const char *name);

/*
 * Tries hint first (may be NULL), then every other format (unless
 * only_hint). Returns the format that parsed the line as a header, or NULL
 * when the line is not a header of any known format (h is then reset:
 * empty slices, ts_ms HB_NO_TIME, pid -1). The catch-all "generic" is not
 * tried ahead of the others even as the hint, so a precise format wins.
 * Lines starting with TAB, "at ", "Caused by", "Suppressed:" or spaces not
 * followed by a digit are rejected at once. No allocation; only a bounded
 * window (about 1 KiB) after the timestamp and the last 40 bytes are read.
 */
const struct hb_format *hb_format_parse(const struct hb_format *hint,
                                        bool only_hint, const char *line,
                                        size_t len, struct hb_header *h);

/*
 * Normalises a level word of any case ("warning", "Severe", "dpanic") to one
 * of "TRACE" "DEBUG" "INFO" "WARN" "ERROR" "FATAL" in out (NUL-terminated).
 * Returns false, leaving out untouched, when s..n is not a level word.
 */
bool hb_format_level(const char *s, size_t n, char out[6]);

#endif
