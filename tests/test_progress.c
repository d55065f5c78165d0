/*
 * test_progress.c - the stderr progress line: off means no output at all,
 * on draws files, bytes and incidents, and gzip data past the on-disk total
 * drops the total and the ETA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"

/* Runs fn with stderr sent to a file; returns what was written. */
static char *capture(void (*fn)(void))
{
    static char buf[4096];
    char path[] = "/tmp/hbscan-test-progress-XXXXXX";
    int fd = mkstemp(path), saved = dup(2);
    FILE *fp;
    size_t n;

    assert_true(fd >= 0 && saved >= 0);
    fflush(stderr);
    dup2(fd, 2);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fp = fopen(path, "r");
    assert_non_null(fp);
    n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    close(fd);
    unlink(path);
    return buf;
}

static void off(void)
{
    struct hb_progress *p = hb_progress_new(false, 3, 100);

    assert_null(p);
    hb_progress_bytes(p, 50);
    hb_progress_file_done(p, 1);
    hb_progress_free(p);
}

static void on(void)
{
    struct hb_progress *p = hb_progress_new(true, 2, 2 * 1048576);

    hb_progress_bytes(p, 1048576);
    usleep(210 * 1000); /* past the 5-per-second redraw limit */
    hb_progress_file_done(p, 7);
    hb_progress_free(p);
}

static void past_total(void)
{
    struct hb_progress *p = hb_progress_new(true, 1, 1048576);

    hb_progress_bytes(p, 3 * 1048576);
    usleep(210 * 1000);
    hb_progress_file_done(p, 0);
    hb_progress_free(p);
}

static void test_progress_off_writes_nothing(void **state)
{
    (void)state;
    assert_string_equal(capture(off), "");
}

static void test_progress_draws_counts(void **state)
{
    const char *s;

    (void)state;
    s = capture(on);
    assert_non_null(strstr(s, "1/2 files, 1.0/2.0 MB"));
    assert_non_null(strstr(s, "7 incidents"));
    /* The line is cleared at the end. */
    assert_non_null(strstr(s + strlen(s) - 4, "\r\033[K"));
}

static void test_progress_gzip_past_total(void **state)
{
    const char *s;

    (void)state;
    s = capture(past_total);
    assert_non_null(strstr(s, "3.0 MB read"));
    assert_null(strstr(s, "ETA"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress_off_writes_nothing),
        cmocka_unit_test(test_progress_draws_counts),
        cmocka_unit_test(test_progress_gzip_past_total),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
