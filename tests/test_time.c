/*
 * test_time.c - timestamp parsing, zones, formatting and --since/--until
 * user times. Every case sets its zone so results do not depend on the
 * machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "timeparse.h"

#define T0   1710360964123LL /* 2024-03-13T20:16:04.123Z */
#define HOUR 3600000LL
#define DAY  (24 * HOUR)

struct parse_case {
    const char *in;
    bool local_z;
    size_t used; /* 0 = rejected */
    int64_t ms;  /* expected in the zone of the test */
};

static void run_parse_cases(const struct parse_case *c, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        int64_t ms = 42;
        size_t used =
            hb_time_parse(c[i].in, strlen(c[i].in), &ms, c[i].local_z);

        if (used != c[i].used || (used && ms != c[i].ms))
            fail_msg("case %zu \"%s\": used %zu (want %zu), ms %lld (%lld)", i,
                     c[i].in, used, c[i].used, (long long)ms,
                     (long long)c[i].ms);
    }
}

static void test_time_parse_forms_utc(void **state)
{
    static const struct parse_case cases[] = {
        {"2024-03-13 20:16:04.123", false, 23, T0},
        {"2024-03-13T20:16:04.123", false, 23, T0},
        {"2024-03-13 20:16:04,123", false, 23, T0},
        {"2024-03-13 20:16:04.1", false, 21, T0 - 23},
        {"2024-03-13 20:16:04.12", false, 22, T0 - 3},
        {"2024-03-13 20:16:04.123456", false, 26, T0},
        {"2024-03-13T20:16:04.123456789Z", false, 30, T0},
        {"2024-03-13 20:16:04", false, 19, T0 - 123},
        {"2024/03/13 20:16:04.123", false, 23, T0},
        {"2024-03-13T20:16:04.123Z", false, 24, T0},
        {"2024-03-13T20:16:04.123+08:00", false, 29, T0 - 8 * HOUR},
        {"2024-03-13T20:16:04.123+0800", false, 28, T0 - 8 * HOUR},
        {"2024-03-13T20:16:04.123+08", false, 26, T0 - 8 * HOUR},
        {"2024-03-13T20:16:04.123-05:30", false, 29, T0 + 5 * HOUR + 1800000},
        {"2024-03-13T20:16:04.123Z", true, 24, T0},
        /* followed by text: only the stamp is consumed */
        {"2024-03-13 20:16:04.123  INFO 1 ---", false, 23, T0},
        {"2024-03-13 20:16:04.123|", false, 23, T0},
        {"2024-03-13 20:16:04.123+abc", false, 23, T0},
        {"1970-01-01 00:00:00.000", false, 23, 0},
        {"1969-12-31 23:59:59.999", false, 23, -1},
        /* rejected */
        {"2024-03-13", false, 0, 0},
        {"2024-03-13 20:16", false, 0, 0},
        {"2024-13-13 20:16:04", false, 0, 0},
        {"2024-03-32 20:16:04", false, 0, 0},
        {"2024-03-13 25:16:04", false, 0, 0},
        {"2024-03-13X20:16:04", false, 0, 0},
        {"2024-03/13 20:16:04", false, 0, 0},
        {"20240313 201604", false, 0, 0},
        {"at com.x", false, 0, 0},
        {"", false, 0, 0},
    };

    (void)state;
    assert_int_equal(hb_time_set_zone("UTC"), HB_OK);
    run_parse_cases(cases, HB_ARRAY_LEN(cases));
}

static void test_time_parse_fixed_zone(void **state)
{
    static const struct parse_case cases[] = {
        {"2024-03-13 20:16:04.123", false, 23, T0 - 8 * HOUR},
        {"2024-03-13T20:16:04.123Z", false, 24, T0},
        {"2024-03-13T20:16:04.123Z", true, 24, T0 - 8 * HOUR},
        {"2024-03-13T20:16:04.123+08:00", false, 29, T0 - 8 * HOUR},
        {"2024-03-13T20:16:04.123+00:00", false, 29, T0},
    };

    (void)state;
    assert_int_equal(hb_time_set_zone("+08:00"), HB_OK);
    run_parse_cases(cases, HB_ARRAY_LEN(cases));
    assert_int_equal(hb_time_set_zone("+0800"), HB_OK);
    run_parse_cases(cases, HB_ARRAY_LEN(cases));
    assert_int_equal(hb_time_set_zone("UTC"), HB_OK);
}

static void test_time_parse_iana_zone(void **state)
{
    static const struct parse_case shanghai[] = {
        {"2024-03-13 20:16:04.123", false, 23, T0 - 8 * HOUR},
        {"2024-07-01 12:00:00", false, 19, 1719806400000LL},
        {"2024-03-13T20:16:04.123Z", true, 24, T0 - 8 * HOUR},
        {"2024-03-13T20:16:04.123Z", false, 24, T0},
    };
    /* Berlin: CET (+1) in winter, CEST (+2) in summer: the hour cache
     * must follow DST. */
    static const struct parse_case berlin[] = {
        {"2024-01-01 12:00:00", false, 19, 1704106800000LL},
        {"2024-07-01 12:00:00", false, 19, 1719828000000LL},
        {"2024-01-01 12:30:00", false, 19, 1704106800000LL + 1800000},
        {"2024-07-01 12:59:59.999", false, 23, 1719828000000LL + 3599999},
        /* one after the other across the spring-forward gap: the last
           hour's offset is not carried into the next */
        {"2024-03-31 01:59:59", false, 19, 1711846799000LL},
        {"2024-03-31 03:00:00", false, 19, 1711846800000LL},
        {"2024-03-31 01:00:00", false, 19, 1711843200000LL},
        {"2024-03-31 03:59:59", false, 19, 1711850399000LL},
    };

    (void)state;
    if (hb_time_set_zone("Asia/Shanghai") != HB_OK)
        skip(); /* no tzdata on this machine */
    run_parse_cases(shanghai, HB_ARRAY_LEN(shanghai));
    assert_int_equal(hb_time_set_zone("Europe/Berlin"), HB_OK);
    run_parse_cases(berlin, HB_ARRAY_LEN(berlin));
    run_parse_cases(berlin, HB_ARRAY_LEN(berlin)); /* from the cache */
    /* switching zones must not reuse Berlin's cached offsets */
    assert_int_equal(hb_time_set_zone("Asia/Shanghai"), HB_OK);
    run_parse_cases(shanghai, HB_ARRAY_LEN(shanghai));
    assert_int_equal(hb_time_set_zone("UTC"), HB_OK);
}

static void test_time_set_zone_rejects(void **state)
{
    static const char *const bad[] = {
        "Nowhere/Atlantis", "../../etc/passwd", "/etc/localtime",
        "Asia/Shang hai",   "+25:00",           "+8",
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(bad); i++)
        if (hb_time_set_zone(bad[i]) != HB_EUSAGE)
            fail_msg("zone \"%s\" accepted", bad[i]);
    assert_int_equal(hb_time_set_zone(NULL), HB_OK);
    assert_int_equal(hb_time_set_zone(""), HB_OK);
    assert_int_equal(hb_time_set_zone("-05:30"), HB_OK);
    assert_int_equal(hb_time_set_zone("UTC"), HB_OK);
}

static void test_time_format_utc(void **state)
{
    static const struct {
        int64_t ms;
        const char *want;
    } cases[] = {
        {T0, "2024-03-13T20:16:04.123Z"},
        {0, "1970-01-01T00:00:00.000Z"},
        {-1, "1969-12-31T23:59:59.999Z"},
        {951782400000LL, "2000-02-29T00:00:00.000Z"},
        {253402300799999LL, "9999-12-31T23:59:59.999Z"},
        {253402300800000LL, "10000-01-01T00:00:00.000Z"},
        {-62167219200001LL, "-001-12-31T23:59:59.999Z"},
        {HB_NO_TIME, ""},
    };
    char buf[32];
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        hb_time_format(cases[i].ms, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
    }
    /* a short buffer gets what fits, terminated */
    hb_time_format(T0, buf, 11);
    assert_string_equal(buf, "2024-03-13");
    /* round trip */
    assert_int_equal(hb_time_set_zone("UTC"), HB_OK);
    for (i = 0; i < 4; i++) {
        int64_t ms;

        hb_time_format(cases[i].ms, buf, sizeof buf);
        assert_int_equal(hb_time_parse(buf, strlen(buf), &ms, false), 24);
        assert_int_equal(ms, cases[i].ms);
    }
}

/* Stamps in a row that share their minute: the parser reuses the date and
   minute it read last (per thread), and must still read the rest, and
   apply the zone of the moment, each time. */
static void test_time_parse_same_minute(void **state)
{
    static const struct parse_case utc[] = {
        {"2024-03-13 20:16:04.123", false, 23, T0},
        {"2024-03-13 20:16:05.000", false, 23, T0 + 877},
        {"2024-03-13 20:16:59,999  INFO", false, 23, T0 + 55876},
        {"2024-03-13 20:16:04.123+08:00", false, 29, T0 - 8 * HOUR},
        {"2024-03-13 20:16:6x", false, 0, 0},
        {"2024-03-13 20:16:61", false, 0, 0},
        {"2024-03-13 20:16", false, 0, 0},
        {"2024-03-13 20:16:04", false, 19, T0 - 123},
        {"2024-03-13T20:16:04.123", false, 23, T0},
        {"2024-03-13 20:17:04.123", false, 23, T0 + 60000},
        {"2024-03-13 20:16:04.123", false, 23, T0},
    };
    static const struct parse_case plus8[] = {
        {"2024-03-13 20:16:04.123", false, 23, T0 - 8 * HOUR},
        {"2024-03-13 20:16:04.123Z", false, 24, T0},
    };
    int64_t ms = 0;

    (void)state;
    assert_int_equal(hb_time_set_zone("UTC"), HB_OK);
    run_parse_cases(utc, HB_ARRAY_LEN(utc));
    assert_int_equal(hb_time_set_zone("+08:00"), HB_OK);
    run_parse_cases(plus8, HB_ARRAY_LEN(plus8));
    /* a user time may stop at the minute; a log stamp may not, after it */
    assert_int_equal(hb_time_set_zone("UTC"), HB_OK);
    assert_int_equal(hb_time_parse_user("2024-01-02T03:04", T0, &ms), HB_OK);
    assert_int_equal(ms, 1704164640000LL);
    assert_int_equal(hb_time_parse("2024-01-02T03:04", 16, &ms, false), 0);
    assert_int_equal(hb_time_parse("2024-01-02T03:04:05", 19, &ms, false), 19);
    assert_int_equal(ms, 1704164645000LL);
}

static void test_time_parse_user(void **state)
{
    static const struct {
        const char *in;
        const char *zone;
        enum hb_status rc;
        int64_t ms;
    } cases[] = {
        {"90m", "UTC", HB_OK, T0 - 90 * 60000LL},
        {"2d", "UTC", HB_OK, T0 - 2 * DAY},
        {"36h", "UTC", HB_OK, T0 - 36 * HOUR},
        {"45s", "UTC", HB_OK, T0 - 45000},
        {"1w", "UTC", HB_OK, T0 - 7 * DAY},
        {"500ms", "UTC", HB_OK, T0 - 500},
        {"1.5h", "UTC", HB_OK, T0 - 90 * 60000LL},
        {"3 days ago", "UTC", HB_OK, T0 - 3 * DAY},
        {" 2h ", "UTC", HB_OK, T0 - 2 * HOUR},
        {"now", "UTC", HB_OK, T0},
        {"2024-01-02", "UTC", HB_OK, 1704153600000LL},
        {"2024-01-02", "+08:00", HB_OK, 1704153600000LL - 8 * HOUR},
        {"2024-01-02T03:04", "UTC", HB_OK, 1704164640000LL},
        {"2024-01-02T03:04:05", "UTC", HB_OK, 1704164645000LL},
        {"2024-01-02 03:04:05.500+01:00", "UTC", HB_OK, 1704164645500LL - HOUR},
        {"2024-01-02T03:04:05Z", "+08:00", HB_OK, 1704164645000LL},
        {"1704164645", "UTC", HB_OK, 1704164645000LL},
        {"1704164645123", "UTC", HB_OK, 1704164645123LL},
        {"", "UTC", HB_EUSAGE, 0},
        {"yesterday", "UTC", HB_EUSAGE, 0},
        {"90x", "UTC", HB_EUSAGE, 0},
        {"m", "UTC", HB_EUSAGE, 0},
        {"2024-01-02 junk", "UTC", HB_EUSAGE, 0},
        {"2024-02-30x", "UTC", HB_EUSAGE, 0},
        {"12", "UTC", HB_EUSAGE, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        int64_t ms = 0;
        enum hb_status rc;

        assert_int_equal(hb_time_set_zone(cases[i].zone), HB_OK);
        rc = hb_time_parse_user(cases[i].in, T0, &ms);
        if (rc != cases[i].rc || (rc == HB_OK && ms != cases[i].ms))
            fail_msg("\"%s\": rc %d ms %lld, want rc %d ms %lld", cases[i].in,
                     rc, (long long)ms, cases[i].rc, (long long)cases[i].ms);
    }
    assert_int_equal(hb_time_set_zone("UTC"), HB_OK);
}

static void test_time_now_is_recent(void **state)
{
    int64_t now = hb_time_now_ms();

    (void)state;
    assert_true(now > 1704067200000LL); /* after 2024-01-01 */
    assert_true(now < 4102444800000LL); /* before 2100-01-01 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_parse_forms_utc),
        cmocka_unit_test(test_time_parse_fixed_zone),
        cmocka_unit_test(test_time_parse_iana_zone),
        cmocka_unit_test(test_time_set_zone_rejects),
        cmocka_unit_test(test_time_format_utc),
        cmocka_unit_test(test_time_parse_same_minute),
        cmocka_unit_test(test_time_parse_user),
        cmocka_unit_test(test_time_now_is_recent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
