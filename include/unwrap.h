/*
 * unwrap.h - undoes container and JSON wrappers before format detection:
 * Kubernetes CRI ("<rfc3339nano> stdout F <line>", P partials joined),
 * Docker json-file ({"log":...,"stream":...,"time":...}) and JSON application
 * logs (logstash-logback-encoder / ECS: @timestamp, level, logger_name,
 * thread_name, message, stack_trace), which are rewritten to a Spring Boot
 * 2.x shaped text line followed by the stack trace lines.
 */
#ifndef HB_UNWRAP_H
#define HB_UNWRAP_H

#include <stdbool.h>
#include <stdint.h>

#include "hbscan.h"
#include "reader.h"

#define HB_UNWRAP_MAX (4 * 1024 * 1024) /* cap on a joined/decoded line */

struct hb_unwrap; /* opaque; one per source */

/*
 * mode: NULL/"auto" detects per line; "cri", "docker", "json", "none".
 * With "cri" and "docker" a JSON application record inside the payload is
 * still rewritten. Returns NULL for any other mode name.
 */
struct hb_unwrap *hb_unwrap_new(const char *mode);
void hb_unwrap_free(struct hb_unwrap *u);

/*
 * Feeds one physical line. Returns true when *out holds a logical line
 * (possibly in the unwrapper's own buffer, valid until the next call; the
 * line numbers span every physical line joined into it); false when the
 * line was held (a CRI "P" partial). out->text may contain '\n' for a
 * JSON record with a stack trace.
 */
bool hb_unwrap_feed(struct hb_unwrap *u, const struct hb_line *in,
                    struct hb_line *out);
/* At end of input: returns true and a held partial line, if any. */
bool hb_unwrap_flush(struct hb_unwrap *u, struct hb_line *out);
/* Whether a partial line is held (the next line may be joined to it). */
bool hb_unwrap_pending(const struct hb_unwrap *u);
/* Drops any held partial line; counters are kept. */
void hb_unwrap_reset(struct hb_unwrap *u);
/* Logical lines cut at HB_UNWRAP_MAX so far (their truncated flag is set). */
uint64_t hb_unwrap_cut(const struct hb_unwrap *u);
/* The wrapper seen most ("cri", "docker", "json") or NULL for none. */
const char *hb_unwrap_kind(const struct hb_unwrap *u);

#endif
