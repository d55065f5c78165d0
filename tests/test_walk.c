/*
 * test_walk.c - rotation order, Kubernetes path layouts, recursion with
 * hidden files, symlink loops, non-regular files and globs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "walk.h"

static int cmp(const void *a, const void *b)
{
    return hb_walk_compare(*(char *const *)a, *(char *const *)b);
}

struct order_case {
    const char *name;
    const char *files[8];  /* shuffled input */
    const char *sorted[8]; /* expected reading order */
};

static const struct order_case order_cases[] = {
    {"numbered and gz",
     {"d/app.log", "d/app.log.1", "d/app.log.2.gz", "d/app.log.10", NULL},
     {"d/app.log.10", "d/app.log.2.gz", "d/app.log.1", "d/app.log", NULL}},
    {"logback dated",
     {"d/app.log", "d/app-2025-06-25.1.log.gz", "d/app-2025-06-24.0.log.gz",
      "d/app-2025-06-25.0.log.gz", NULL},
     {"d/app-2025-06-24.0.log.gz", "d/app-2025-06-25.0.log.gz",
      "d/app-2025-06-25.1.log.gz", "d/app.log", NULL}},
    {"lumberjack",
     {"d/polaris-naming.log", "d/polaris-naming-2025-06-25T10-00-00.000.log.gz",
      "d/polaris-naming-2025-06-24T09-00-00.000.log.gz", NULL},
     {"d/polaris-naming-2025-06-24T09-00-00.000.log.gz",
      "d/polaris-naming-2025-06-25T10-00-00.000.log.gz", "d/polaris-naming.log",
      NULL}},
    {"families by name",
     {"d/polaris.log.3", "d/app.log", "d/polaris.log", "d/app.log.1", NULL},
     {"d/app.log.1", "d/app.log", "d/polaris.log.3", "d/polaris.log", NULL}},
};

static void test_walk_rotation_order(void **state)
{
    size_t i, n, k;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(order_cases); i++) {
        const struct order_case *c = &order_cases[i];
        const char *v[8];

        for (n = 0; c->files[n]; n++)
            v[n] = c->files[n];
        qsort(v, n, sizeof v[0], cmp);
        for (k = 0; k < n; k++)
            if (strcmp(v[k], c->sorted[k]) != 0)
                fail_msg("%s: position %zu is %s, want %s", c->name, k, v[k],
                         c->sorted[k]);
    }
}

static void test_walk_k8s_layouts(void **state)
{
    char ns[64], pod[128], ct[64];

    (void)state;
    assert_true(
        hb_walk_k8s("/var/log/pods/shop_order-svc-7d9f_0b1c-22/order/0.log", ns,
                    sizeof ns, pod, sizeof pod, ct, sizeof ct));
    assert_string_equal(ns, "shop");
    assert_string_equal(pod, "order-svc-7d9f");
    assert_string_equal(ct, "order");
    assert_true(hb_walk_k8s(
        "/var/log/containers/order-svc-7d9f_shop_order-0123abcd.log", ns,
        sizeof ns, pod, sizeof pod, ct, sizeof ct));
    assert_string_equal(pod, "order-svc-7d9f");
    assert_string_equal(ns, "shop");
    assert_string_equal(ct, "order");
    assert_false(hb_walk_k8s("/var/log/app/app.log", ns, sizeof ns, pod,
                             sizeof pod, ct, sizeof ct));
}

static char tmp[] = "/tmp/hbscan-test-walk-XXXXXX";

static void touch(const char *rel)
{
    char p[512];
    FILE *fp;

    snprintf(p, sizeof p, "%s/%s", tmp, rel);
    fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("x\n", fp);
    fclose(fp);
}

static void test_walk_tree(void **state)
{
    char p[512], q[512];
    struct hb_filelist l = {0};
    size_t i;
    const char *want[] = {"/a/app.log.1", "/a/app.log", "/a/b/z.log",
                          "/top.log"};

    (void)state;
    assert_non_null(mkdtemp(tmp));
    snprintf(p, sizeof p, "%s/a", tmp);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/a/b", tmp);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/.hidden", tmp);
    mkdir(p, 0700);
    touch("a/app.log");
    touch("a/app.log.1");
    touch("a/b/z.log");
    touch(".hidden/secret.log");
    touch("top.log");
    touch("skip.tmp");
    /* A loop back to the root and a FIFO: neither may hang the walk. */
    snprintf(p, sizeof p, "%s/a/b/loop", tmp);
    assert_int_equal(symlink(tmp, p), 0);
    snprintf(q, sizeof q, "%s/a/fifo", tmp);
    assert_int_equal(mkfifo(q, 0600), 0);
    {
        const char *ex[] = {"*.tmp"};
        struct hb_walk_opts o = {.exclude = ex, .nexclude = 1};

        hb_walk(tmp, &o, &l);
    }
    assert_int_equal(l.errors, 0);
    /* top.log sorts before a/ only if files come first: they do. */
    assert_int_equal(l.n, 4);
    assert_string_equal(l.paths[0] + strlen(tmp), want[3]);
    for (i = 1; i < 4; i++)
        assert_string_equal(l.paths[i] + strlen(tmp), want[i - 1]);
    hb_filelist_fini(&l);

    hb_walk("/nonexistent-dir-hbscan", NULL, &l);
    assert_int_equal(l.errors, 1);
    assert_int_equal(l.n, 0);
    hb_filelist_fini(&l);
    snprintf(p, sizeof p, "rm -rf %s", tmp);
    assert_int_equal(system(p), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_rotation_order),
        cmocka_unit_test(test_walk_k8s_layouts),
        cmocka_unit_test(test_walk_tree),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
