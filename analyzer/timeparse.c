/*
 * timeparse.c - log timestamps to epoch milliseconds without regex or
 * allocation. Stamps without an offset are read in one zone chosen once;
 * for the machine or an IANA zone the UTC offset is looked up per hour and
 * cached, so mktime runs about once per hour of log, not once per line.
 */
#include "timeparse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"

enum zone_kind { ZONE_LOCAL, ZONE_FIXED };

/* Set once by hb_time_set_zone, read by every parse. */
static enum zone_kind zone_kind = ZONE_LOCAL;
static int32_t zone_fixed;    /* seconds east of UTC for ZONE_FIXED */
static unsigned zone_gen = 1; /* bumped on every change; stales caches */
static bool zone_tz_saved;    /* orig_tz holds the TZ we started with */
static char *zone_orig_tz;    /* owned; NULL when TZ was unset */

/* Per-thread cache: hour bucket (local hours since the epoch) -> offset. */
#define HOUR_CACHE 64
struct hour_slot {
    int64_t hour;
    int32_t off;
    unsigned gen;
};
static _Thread_local struct hour_slot hour_cache[HOUR_CACHE];

/* x / c rounded down (c > 0). Branch-free, so that with c a constant the
   compiler multiplies: written as two divisions under a condition, gcc 12
   merged them into one idiv (perf annotate: 7% of parse_stamp). */
static inline int64_t floor_div(int64_t x, int64_t c)
{
    int64_t q = x / c;

    return q - (x - q * c < 0);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1..12). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = floor_div(y, 400);
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = floor_div(z, 146097);
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Offset (seconds east of UTC) of the local zone during local hour
 * `hour` (hours since 1970-01-01T00 local). */
static int32_t local_offset(int64_t hour)
{
    struct hour_slot *s = &hour_cache[(uint64_t)hour % HOUR_CACHE];
    int64_t days = floor_div(hour, 24);
    int64_t y;
    unsigned m, d;
    struct tm tm;
    time_t t;

    if (s->gen == zone_gen && s->hour == hour)
        return s->off;
    civil_from_days(days, &y, &m, &d);
    memset(&tm, 0, sizeof tm);
    tm.tm_year = (int)(y - 1900);
    tm.tm_mon = (int)m - 1;
    tm.tm_mday = (int)d;
    tm.tm_hour = (int)(hour - days * 24);
    tm.tm_isdst = -1;
    t = mktime(&tm);
    s->hour = hour;
    s->gen = zone_gen;
    s->off = t == (time_t)-1 ? 0 : (int32_t)(hour * 3600 - (int64_t)t);
    return s->off;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static unsigned month_days(unsigned y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30,
                                           31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads exactly n digits at s into *v. */
static bool digits(const char *s, size_t n, unsigned *v)
{
    unsigned x = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        x = x * 10 + (unsigned)(s[i] - '0');
    }
    *v = x;
    return true;
}

/* "+08:00" "+0800" "+08" "-05:30" at s: returns bytes used (0 if none) and
 * sets *off to seconds east of UTC. */
static size_t parse_offset(const char *s, size_t n, int32_t *off)
{
    unsigned hh, mm = 0;
    size_t used;

    if (n < 3 || (s[0] != '+' && s[0] != '-') || !digits(s + 1, 2, &hh))
        return 0;
    used = 3;
    if (n >= 6 && s[3] == ':' && digits(s + 4, 2, &mm))
        used = 6;
    else if (n >= 5 && digits(s + 3, 2, &mm))
        used = 5;
    if (used < n && is_digit(s[used]))
        return 0;
    if (hh > 23 || mm > 59)
        return 0;
    *off = (int32_t)(hh * 3600 + mm * 60) * (s[0] == '-' ? -1 : 1);
    return used;
}

/* Converts local wall-clock seconds since the epoch to UTC seconds in the
 * configured zone. */
static int64_t local_to_utc(int64_t local)
{
    /* the last hour looked up: log lines come in time order, so most
       stamps fall in it and need no division */
    static _Thread_local struct {
        int64_t start; /* its first second; INT64_MAX none */
        int32_t off;
        unsigned gen;
    } last = {INT64_MAX, 0, 0};
    int64_t hour;

    if (zone_kind == ZONE_FIXED)
        return local - zone_fixed;
    if (last.gen == zone_gen && local >= last.start &&
        local - last.start < 3600)
        return local - last.off;
    hour = floor_div(local, 3600);
    last.off = local_offset(hour);
    last.start = hour * 3600;
    last.gen = zone_gen;
    return local - last.off;
}

/* Per thread: the first MINUTE_KEY bytes of the last log stamp read in
   full ("yyyy-MM-dd HH:mm", which passed every check) and their seconds
   since the epoch, before any offset. Lines in a row mostly share them;
   then only what follows is read. */
#define MINUTE_KEY 16
static _Thread_local struct {
    char key[MINUTE_KEY];
    int64_t secs;
    bool valid;
} last_minute;

/* The date and, if present, "THH:mm" of a stamp: the bytes read (10, or
   MINUTE_KEY with the minute; 0 when invalid, or when a log stamp, !user,
   lacks the minute) and their seconds since the epoch in *base. */
static size_t parse_minute(const char *s, size_t n, bool user, int64_t *base)
{
    unsigned y, mo, d, h = 0, mi = 0;
    size_t i = 10;
    char dsep;

    if (n < 10 || !digits(s, 4, &y))
        return 0;
    dsep = s[4];
    if ((dsep != '-' && dsep != '/') || s[7] != dsep ||
        !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d))
        return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
        return 0;
    if (i + 6 <= n && (s[i] == 'T' || s[i] == ' ') &&
        digits(s + i + 1, 2, &h) && s[i + 3] == ':' &&
        digits(s + i + 4, 2, &mi)) {
        i += 6;
    } else if (!user) {
        return 0;
    }
    if (h > 23 || mi > 59)
        return 0;
    *base = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 +
            (int64_t)mi * 60;
    return i;
}

/*
 * The parser behind hb_time_parse and hb_time_parse_user.
 * user: allow a date alone and HH:MM without seconds.
 */
static size_t parse_stamp(const char *s, size_t n, int64_t *ms, bool local_z,
                          bool user)
{
    unsigned se = 0, frac = 0;
    size_t i, k;
    int64_t secs, base = 0;
    int32_t off = 0;
    bool has_off = false;

    if (!user && n >= MINUTE_KEY && last_minute.valid &&
        memcmp(s, last_minute.key, MINUTE_KEY) == 0) {
        base = last_minute.secs;
        i = MINUTE_KEY;
    } else {
        i = parse_minute(s, n, user, &base);
        if (i == 0)
            return 0;
        if (!user) {
            memcpy(last_minute.key, s, MINUTE_KEY);
            last_minute.secs = base;
            last_minute.valid = true;
        }
    }
    if (i == MINUTE_KEY) {
        if (i + 3 <= n && s[i] == ':' && digits(s + i + 1, 2, &se))
            i += 3;
        else if (!user)
            return 0;
    }
    if (se > 60)
        return 0;
    /* Fraction of any length; milliseconds are its first three digits. */
    if (i + 1 < n && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1])) {
        i++;
        for (k = 0; i < n && is_digit(s[i]); i++, k++)
            if (k < 3)
                frac = frac * 10 + (unsigned)(s[i] - '0');
        for (; k < 3; k++)
            frac *= 10;
    }
    if (i < n && s[i] == 'Z') {
        i++;
        has_off = !local_z;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        size_t used = parse_offset(s + i, n - i, &off);

        if (used) {
            i += used;
            has_off = true;
        }
    }
    secs = base + se;
    secs = has_off ? secs - off : local_to_utc(secs);
    *ms = secs * 1000 + frac;
    return i;
}

size_t hb_time_parse(const char *s, size_t n, int64_t *ms, bool local_z)
{
    int64_t v;
    size_t used;

    if (s == NULL)
        return 0;
    used = parse_stamp(s, n, &v, local_z, false);
    if (used && ms)
        *ms = v;
    return used;
}

/* Writes v as exactly n decimal digits, zero-padded. */
static void put_digits(char *p, int n, unsigned v)
{
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

void hb_time_format(int64_t ms, char *buf, size_t cap)
{
    int64_t secs, days, rem, y;
    unsigned m, d;
    int msec;

    if (buf == NULL || cap == 0)
        return;
    if (ms == HB_NO_TIME) {
        buf[0] = '\0';
        return;
    }
    secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    msec = (int)(ms - secs * 1000);
    days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    rem = secs - days * 86400;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999 || cap < 25) {
        snprintf(buf, cap, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                 (long long)y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
                 (int)(rem % 60), msec);
        return;
    }
    /* the store formats one per row: digits by hand, not snprintf */
    put_digits(buf, 4, (unsigned)y);
    buf[4] = '-';
    put_digits(buf + 5, 2, m);
    buf[7] = '-';
    put_digits(buf + 8, 2, d);
    buf[10] = 'T';
    put_digits(buf + 11, 2, (unsigned)(rem / 3600));
    buf[13] = ':';
    put_digits(buf + 14, 2, (unsigned)(rem / 60 % 60));
    buf[16] = ':';
    put_digits(buf + 17, 2, (unsigned)(rem % 60));
    buf[19] = '.';
    put_digits(buf + 20, 3, (unsigned)msec);
    buf[23] = 'Z';
    buf[24] = '\0';
}

/* A name usable as TZ: a zoneinfo file under $TZDIR or the system dir. */
static bool zone_file_exists(const char *name)
{
    const char *dirs[2];
    char path[512];
    struct stat st;
    size_t i;

    if (name[0] == '/' || strstr(name, "..") != NULL)
        return false;
    for (i = 0; name[i]; i++) {
        char c = name[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) ||
              c == '/' || c == '_' || c == '-' || c == '+'))
            return false;
    }
    dirs[0] = getenv("TZDIR");
    dirs[1] = "/usr/share/zoneinfo";
    for (i = 0; i < 2; i++) {
        int w;

        if (dirs[i] == NULL || dirs[i][0] == '\0')
            continue;
        w = snprintf(path, sizeof path, "%s/%s", dirs[i], name);
        if (w > 0 && (size_t)w < sizeof path && stat(path, &st) == 0 &&
            S_ISREG(st.st_mode))
            return true;
    }
    return false;
}

/* Points TZ at name (NULL = the value the process started with). */
static void set_tz_env(const char *name)
{
    if (!zone_tz_saved) {
        const char *cur = getenv("TZ");

        zone_orig_tz = cur ? hb_xstrdup(cur) : NULL;
        zone_tz_saved = true;
    }
    if (name)
        setenv("TZ", name, 1);
    else if (zone_orig_tz)
        setenv("TZ", zone_orig_tz, 1);
    else
        unsetenv("TZ");
    tzset();
}

enum hb_status hb_time_set_zone(const char *tz)
{
    int32_t off;

    if (tz == NULL || tz[0] == '\0') {
        if (zone_tz_saved)
            set_tz_env(NULL);
        else
            tzset();
        zone_kind = ZONE_LOCAL;
        zone_gen++;
        return HB_OK;
    }
    if (strcmp(tz, "UTC") == 0 || strcmp(tz, "Z") == 0 ||
        strcmp(tz, "GMT") == 0 || strcmp(tz, "Etc/UTC") == 0) {
        zone_kind = ZONE_FIXED;
        zone_fixed = 0;
        zone_gen++;
        return HB_OK;
    }
    if ((tz[0] == '+' || tz[0] == '-') &&
        parse_offset(tz, strlen(tz), &off) == strlen(tz)) {
        zone_kind = ZONE_FIXED;
        zone_fixed = off;
        zone_gen++;
        return HB_OK;
    }
    if (tz[0] == ':')
        tz++;
    if (!zone_file_exists(tz))
        return HB_EUSAGE;
    set_tz_env(tz);
    zone_kind = ZONE_LOCAL;
    zone_gen++;
    return HB_OK;
}

/* "90m" "2d" "1.5h" "45s" "1w" "500ms", optionally followed by " ago". */
static bool parse_relative(const char *s, size_t n, int64_t *dur_ms)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {
        {"ms", 1},         {"s", 1000},         {"sec", 1000},
        {"m", 60000},      {"min", 60000},      {"h", 3600000},
        {"hour", 3600000}, {"d", 86400000},     {"day", 86400000},
        {"w", 604800000},  {"week", 604800000},
    };
    double v = 0, scale = 1;
    size_t i = 0, j, k;
    bool dot = false, any = false;

    for (; i < n && (is_digit(s[i]) || (s[i] == '.' && !dot)); i++) {
        if (s[i] == '.') {
            dot = true;
            continue;
        }
        any = true;
        if (dot) {
            scale /= 10;
            v += (s[i] - '0') * scale;
        } else {
            v = v * 10 + (s[i] - '0');
        }
        if (v > 1e9)
            return false;
    }
    if (!any)
        return false;
    while (i < n && s[i] == ' ')
        i++;
    for (j = i; j < n && s[j] >= 'a' && s[j] <= 'z'; j++)
        ;
    /* allow plurals ("2days", "3 hours") and a trailing " ago" */
    k = j;
    while (k < n && s[k] == ' ')
        k++;
    if (k < n && !(n - k == 3 && memcmp(s + k, "ago", 3) == 0))
        return false;
    if (j > i + 1 && s[j - 1] == 's' && !(j - i == 2 && s[i] == 'm'))
        j--;
    for (k = 0; k < HB_ARRAY_LEN(units); k++) {
        if (strlen(units[k].unit) == j - i &&
            memcmp(units[k].unit, s + i, j - i) == 0) {
            *dur_ms = (int64_t)(v * (double)units[k].ms);
            return true;
        }
    }
    return false;
}

enum hb_status hb_time_parse_user(const char *s, int64_t now_ms, int64_t *ms)
{
    size_t n, used, i;
    int64_t v;

    if (s == NULL || ms == NULL)
        return HB_EUSAGE;
    while (*s == ' ')
        s++;
    n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n == 0)
        return HB_EUSAGE;
    if (n == 3 && memcmp(s, "now", 3) == 0) {
        *ms = now_ms;
        return HB_OK;
    }
    /* Epoch seconds (10 digits) or milliseconds (13 digits). */
    for (i = 0; i < n && is_digit(s[i]); i++)
        ;
    if (i == n && (n == 10 || n == 13)) {
        v = strtoll(s, NULL, 10);
        *ms = n == 10 ? v * 1000 : v;
        return HB_OK;
    }
    used = parse_stamp(s, n, &v, false, true);
    if (used == n) {
        *ms = v;
        return HB_OK;
    }
    if (parse_relative(s, n, &v)) {
        *ms = now_ms - v;
        return HB_OK;
    }
    return HB_EUSAGE;
}

int64_t hb_time_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
