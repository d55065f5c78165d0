/*
 * timeparse.h - log timestamps to epoch milliseconds. Accepts
 * "yyyy-MM-dd HH:mm:ss[.,]fff" (any fraction length), the ISO 'T' form,
 * an offset "Z", "+08:00", "+0800" or "+08". Stamps without an offset are read
 * in the zone set by hb_time_set_zone (default: the machine's zone).
 */
#ifndef HB_TIMEPARSE_H
#define HB_TIMEPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hbscan.h"

/*
 * Sets the zone for stamps without an offset: NULL or "" = machine zone,
 * "UTC", "+08:00"/"-0530", or an IANA name ("Asia/Shanghai").
 * Returns HB_EUSAGE for a name that cannot be used (no such zoneinfo file).
 * Call before starting threads: an IANA name sets TZ for the whole process
 * (NULL restores the TZ the process started with). Offsets are then cached
 * per hour of local time, so parsing does not call mktime per line.
 */
enum hb_status hb_time_set_zone(const char *tz);

/*
 * Parses a timestamp at the start of s. On success returns the number of
 * bytes consumed and sets *ms; returns 0 when s does not start with one.
 * local_z: treat a trailing 'Z' as local time (Polaris server zap logs).
 */
size_t hb_time_parse(const char *s, size_t n, int64_t *ms, bool local_z);

/* Formats ms as "2024-03-13T20:16:04.123Z" (UTC) into buf (>= 25 bytes);
 * HB_NO_TIME gives "". */
void hb_time_format(int64_t ms, char *buf, size_t cap);

/*
 * Parses a user time for --since/--until: ISO-8601 (as above, date alone
 * or HH:mm without seconds allowed), "now", epoch seconds (10 digits) or
 * milliseconds (13 digits), or relative to now_ms ("90m", "2d", "36h",
 * "45s", "1w", "500ms", "1.5h", "3 days ago"). HB_EUSAGE otherwise.
 */
enum hb_status hb_time_parse_user(const char *s, int64_t now_ms, int64_t *ms);

int64_t hb_time_now_ms(void);

#endif
