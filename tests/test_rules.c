/*
 * test_rules.c - the rule loader: every error kind at its file:line:col
 * (fixtures in testdata/rules/bad/), the good fixtures, layering with
 * override and disable, the default directories, samples, and hostile rule
 * files (deep nesting, billion laughs, huge, binary) refused cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rules.h"
#include "rules_int.h"
#include "util.h"

#define BAD "testdata/rules/bad/"

static bool has_error(const struct hb_errlist *e, const char *path,
                      unsigned long line, unsigned long col, const char *needle)
{
    size_t i;

    for (i = 0; i < e->n; i++)
        if (strcmp(e->items[i].path, path) == 0 && e->items[i].line == line &&
            e->items[i].col == col && strstr(e->items[i].msg, needle))
            return true;
    return false;
}

static void test_rules_bad_fixtures_positions(void **state)
{
    static const struct {
        const char *file;
        unsigned long line, col;
        const char *msg;
    } cases[] = {
        {BAD "01-syntax.yaml", 5, 1, "YAML syntax error: found unexpected end"},
        {BAD "02-unknown-keys.yaml", 7, 5,
         "unknown key 'matches' in rule (allowed: id, title, cause"},
        {BAD "02-unknown-keys.yaml", 10, 11,
         "unknown condition 'txet' (allowed: all, any, not, message"},
        {BAD "02-unknown-keys.yaml", 17, 9,
         "unknown key 'expect' in sample (allowed: log, match"},
        {BAD "02-unknown-keys.yaml", 20, 1, "unknown top-level key 'extra'"},
        {BAD "03-types.yaml", 3, 12,
         "'title' must be a string, not a sequence"},
        {BAD "03-types.yaml", 6, 13, "'weight' must be a number"},
        {BAD "03-types.yaml", 7, 12, "a condition must be a non-empty mapping"},
        {BAD "03-types.yaml", 10, 14, "'samples' must be a list"},
        {BAD "04-missing.yaml", 2, 5, "lacks required key 'title'"},
        {BAD "04-missing.yaml", 2, 5, "lacks required key 'description'"},
        {BAD "04-missing.yaml", 2, 5, "lacks required key 'action'"},
        {BAD "05-values.yaml", 2, 9, "must match [a-z0-9][a-z0-9.-]*"},
        {BAD "05-values.yaml", 4, 12, "unknown cause 'dns' (allowed: port,"},
        {BAD "05-values.yaml", 5, 15, "unknown severity 'fatal'"},
        {BAD "05-values.yaml", 6, 13, "'weight' 1.5 is out of range"},
        {BAD "05-values.yaml", 9, 19, "unknown event 'heartbeat-lost'"},
        {BAD "05-values.yaml", 10, 19, "unknown level 'NOTICE'"},
        {BAD "05-values.yaml", 11, 25, "server codes have six digits"},
        {BAD "05-values.yaml", 24, 25, "unknown grpc_status 'Unavailable'"},
        {BAD "05-values.yaml", 25, 21, "unknown sdk_name 'SERVER_USR_ERROR'"},
        {BAD "05-values.yaml", 26, 20,
         "unknown format 'logbak' (allowed: plain,"},
        {BAD "06-regex.yaml", 8, 31,
         "invalid regular expression in 'text': missing closing parenthesis"},
        {BAD "07-samples.yaml", 12, 7, "at least one 'match: true' and one"},
        {BAD "07-samples.yaml", 14, 17, "sample field 'host' is not a named"},
    };
    static const struct {
        const char *file;
        size_t nerrors;
    } counts[] = {
        {BAD "01-syntax.yaml", 1},  {BAD "02-unknown-keys.yaml", 4},
        {BAD "03-types.yaml", 4},   {BAD "04-missing.yaml", 3},
        {BAD "05-values.yaml", 10}, {BAD "06-regex.yaml", 1},
        {BAD "07-samples.yaml", 2},
    };
    size_t i, k;

    (void)state;
    for (k = 0; k < HB_ARRAY_LEN(counts); k++) {
        struct hb_errlist errs = {0};
        struct hb_ruleset *rs = (struct hb_ruleset *)1;

        assert_int_equal(hb_rules_load_file(&rs, counts[k].file, &errs),
                         HB_EPARSE);
        assert_null(rs);
        if (errs.n != counts[k].nerrors) {
            hb_errlist_print(&errs, stderr);
            fail_msg("%s: %zu errors, want %zu", counts[k].file, errs.n,
                     counts[k].nerrors);
        }
        for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
            if (strcmp(cases[i].file, counts[k].file) != 0)
                continue;
            if (!has_error(&errs, cases[i].file, cases[i].line, cases[i].col,
                           cases[i].msg)) {
                hb_errlist_print(&errs, stderr);
                fail_msg("missing %s:%lu:%lu: %s", cases[i].file, cases[i].line,
                         cases[i].col, cases[i].msg);
            }
        }
        hb_errlist_fini(&errs);
    }
}

static void test_rules_bad_dir_collects_everything(void **state)
{
    const char *dir = "testdata/rules/bad";
    struct hb_errlist errs = {0};
    struct hb_ruleset *rs = NULL;

    (void)state;
    assert_int_equal(hb_rules_load(&rs, &dir, 1, &errs), HB_EPARSE);
    assert_null(rs);
    /* every file's errors, plus the duplicate id across two files */
    assert_int_equal(errs.n, 1 + 4 + 4 + 3 + 10 + 1 + 2 + 1);
    assert_true(has_error(&errs, BAD "09-dup-b.yaml", 2, 5,
                          "duplicate rule id 'dup-id' (first defined at "
                          "testdata/rules/bad/08-dup-a.yaml:2)"));
    hb_errlist_fini(&errs);
}

static void test_rules_good_fixture(void **state)
{
    const char *dir = "testdata/rules/good";
    struct hb_errlist errs = {0};
    struct hb_ruleset *rs = NULL;
    const struct hb_rule_meta *m;

    (void)state;
    assert_int_equal(hb_rules_load(&rs, &dir, 1, &errs), HB_OK);
    assert_int_equal(errs.n, 0);
    assert_int_equal(hb_rules_count(rs), 2);
    m = hb_rules_find(rs, "server-400401-client-api-not-open");
    assert_non_null(m);
    assert_ptr_equal(m, hb_rules_get(rs, 0));
    assert_int_equal(m->cause, HB_CAUSE_API_GATING);
    assert_int_equal(m->alternatives[0], HB_CAUSE_PORT);
    assert_int_equal(m->alternatives[1], HB_CAUSE_NONE);
    assert_int_equal(m->severity, HB_SEV_CRITICAL);
    assert_true(m->weight > 0.79 && m->weight < 0.81);
    assert_string_equal(m->file, "testdata/rules/good/10-server.yaml");
    assert_int_equal(m->line, 3);
    assert_int_equal(m->nsamples, 2);
    assert_string_equal(m->references[0],
                        "https://github.com/Tencent/spring-cloud-tencent/"
                        "issues/1489");
    assert_null(m->references[1]);
    /* folded text loses its trailing newline */
    assert_string_equal(m->action,
                        "Point spring.cloud.polaris.address at the gRPC port "
                        "8091.");
    m = hb_rules_find(rs, "grpc-address-refused");
    assert_non_null(m);
    assert_null(m->references[0]);
    assert_null(hb_rules_find(rs, "nope"));
    assert_null(hb_rules_get(rs, 2));
    hb_rules_free(rs);
}

static void test_rules_override_and_disable(void **state)
{
    const char *dirs[] = {"testdata/rules/override/base",
                          "testdata/rules/override/ops"};
    struct hb_errlist errs = {0};
    struct hb_ruleset *rs = NULL;

    (void)state;
    /* base alone: subdirectories, non-YAML and hidden files are skipped */
    assert_int_equal(hb_rules_load(&rs, dirs, 1, &errs), HB_OK);
    assert_int_equal(hb_rules_count(rs), 3);
    assert_string_equal(hb_rules_get(rs, 0)->id, "ov-a");
    assert_string_equal(hb_rules_get(rs, 1)->id, "ov-b");
    assert_string_equal(hb_rules_get(rs, 2)->id, "ov-c");
    hb_rules_free(rs);

    assert_int_equal(hb_rules_load(&rs, dirs, 2, &errs), HB_OK);
    assert_int_equal(errs.n, 0);
    assert_int_equal(hb_rules_count(rs), 3);
    /* replaced in place, disabled one gone, new one appended */
    assert_string_equal(hb_rules_get(rs, 0)->id, "ov-a");
    assert_string_equal(hb_rules_get(rs, 0)->title, "ops A");
    assert_int_equal(hb_rules_get(rs, 0)->cause, HB_CAUSE_CONFIG);
    assert_string_equal(hb_rules_get(rs, 0)->file,
                        "testdata/rules/override/ops/50-ops.yaml");
    assert_string_equal(hb_rules_get(rs, 1)->id, "ov-c");
    assert_string_equal(hb_rules_get(rs, 2)->id, "ov-d");
    assert_null(hb_rules_find(rs, "ov-b"));
    hb_rules_free(rs);
}

static void test_rules_samples_run(void **state)
{
    const char *good = "testdata/rules/good", *bad = "testdata/rules/failing";
    struct hb_errlist errs = {0};
    struct hb_ruleset *rs = NULL;
    size_t total = 0, fails;
    char *out = NULL;
    size_t outlen = 0;
    FILE *fp;

    (void)state;
    assert_int_equal(hb_rules_load(&rs, &good, 1, &errs), HB_OK);
    fp = open_memstream(&out, &outlen);
    assert_int_equal(hb_rules_test_samples(rs, fp, &total), 0);
    fclose(fp);
    assert_int_equal(total, 4);
    assert_int_equal(outlen, 0);
    free(out);
    hb_rules_free(rs);

    assert_int_equal(hb_rules_load(&rs, &bad, 1, &errs), HB_OK);
    fp = open_memstream(&out, &outlen);
    fails = hb_rules_test_samples(rs, fp, &total);
    fclose(fp);
    assert_int_equal(fails, 3);
    assert_int_equal(total, 3);
    assert_non_null(strstr(out, "testdata/rules/failing/10-failing.yaml:13: "
                                "rule failing-samples sample 1: expected "
                                "field port=\"8081\", got \"8091\""));
    assert_non_null(strstr(out, "10-failing.yaml:16: rule failing-samples "
                                "sample 2: expected a match, got none"));
    assert_non_null(strstr(out, "10-failing.yaml:18: rule failing-samples "
                                "sample 3: expected no match, but line 1 "
                                "matched"));
    free(out);
    hb_rules_free(rs);
}

/* Writes data to a fresh temporary file; returns its path (static). */
static const char *tmpfile_with(const void *data, size_t n)
{
    static char path[64];
    int fd;

    snprintf(path, sizeof path, "/tmp/hbscan-test-rules-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
    return path;
}

static void expect_refused(const void *data, size_t n, const char *needle)
{
    const char *path = tmpfile_with(data, n);
    struct hb_errlist errs = {0};
    struct hb_ruleset *rs = NULL;
    size_t i;
    bool found = false;

    assert_int_equal(hb_rules_load_file(&rs, path, &errs), HB_EPARSE);
    assert_null(rs);
    for (i = 0; i < errs.n; i++)
        found |= strstr(errs.items[i].msg, needle) != NULL;
    if (!found) {
        hb_errlist_print(&errs, stderr);
        fail_msg("no error containing '%s'", needle);
    }
    hb_errlist_fini(&errs);
    unlink(path);
}

static void test_rules_yaml_bombs(void **state)
{
    const char *laughs = "rules:\n"
                         "  - id: lol\n"
                         "    title: &a [x, x, x, x, x, x, x, x, x, x]\n"
                         "    cause: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                         "    action: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                         "    description: &d [*c, *c, *c, *c, *c, *c, *c]\n"
                         "    severity: &e [*d, *d, *d, *d, *d, *d, *d, *d]\n"
                         "    weight: &f [*e, *e, *e, *e, *e, *e, *e, *e]\n"
                         "    samples: [*f, *f, *f, *f, *f, *f, *f, *f]\n";
    struct hb_buf b;
    unsigned char junk[2048];
    uint32_t x = 7;
    size_t i;

    (void)state;
    /* deep nesting inside a condition */
    hb_buf_init(&b);
    hb_buf_puts(&b, "rules:\n  - id: deep\n    match: ");
    for (i = 0; i < 5000; i++)
        hb_buf_puts(&b, "{not: ");
    for (i = 0; i < 5000; i++)
        hb_buf_putc(&b, '}');
    hb_buf_putc(&b, '\n');
    expect_refused(b.data, b.len, "nesting deeper than 32 levels");
    hb_buf_fini(&b);

    expect_refused(laughs, strlen(laughs), "document too large");

    /* a rule file over HB_RULE_FILE_MAX */
    hb_buf_init(&b);
    hb_buf_puts(&b, "rules:\n");
    while (b.len <= HB_RULE_FILE_MAX)
        hb_buf_puts(&b, "# padding padding padding padding padding padding\n");
    {
        const char *path = tmpfile_with(b.data, b.len);
        struct hb_errlist errs = {0};
        struct hb_ruleset *rs = NULL;

        assert_int_equal(hb_rules_load_file(&rs, path, &errs), HB_EPARSE);
        assert_int_equal(errs.n, 1);
        assert_non_null(strstr(errs.items[0].msg, "file too large"));
        hb_errlist_fini(&errs);
        unlink(path);
    }
    hb_buf_fini(&b);

    /* binary garbage, NUL bytes included */
    for (i = 0; i < sizeof junk; i++) {
        x = x * 1664525u + 1013904223u;
        junk[i] = (unsigned char)(x >> 24);
    }
    expect_refused(junk, sizeof junk, "");
    expect_refused("", 0, "empty rule file");
    expect_refused("rules: {}\n", 10, "'rules' must be a list");
    expect_refused("- a\n", 4, "must be a mapping with a 'rules:' list");
    expect_refused("rules: []\n---\nrules: []\n", 24, "one YAML document");
}

static void test_rules_disabled_needs_only_id(void **state)
{
    const char *text = "rules:\n  - id: gone\n    disabled: true\n";
    const char *path = tmpfile_with(text, strlen(text));
    struct hb_errlist errs = {0};
    struct hb_ruleset *rs = NULL;

    (void)state;
    assert_int_equal(hb_rules_load_file(&rs, path, &errs), HB_OK);
    assert_int_equal(hb_rules_count(rs), 0);
    hb_rules_free(rs);
    unlink(path);
}

static void test_rules_missing_dir(void **state)
{
    const char *dir = "/nonexistent/rules";
    struct hb_errlist errs = {0};
    struct hb_ruleset *rs = NULL;

    (void)state;
    assert_int_equal(hb_rules_load(&rs, &dir, 1, &errs), HB_EPARSE);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.items[0].path, dir);
    assert_non_null(strstr(errs.items[0].msg, "No such file"));
    hb_errlist_fini(&errs);
}

static void test_rules_default_dirs(void **state)
{
    const char *dirs[8];
    char root[] = "/tmp/hbscan-test-dirs-XXXXXX";
    char path[256], argv0[256];
    size_t n;

    (void)state;
    setenv("HBSCAN_RULES", "/a:/b::/c", 1);
    n = hb_rules_default_dirs(dirs, 8, "build/hbscan");
    assert_int_equal(n, 3);
    assert_string_equal(dirs[0], "/a");
    assert_string_equal(dirs[1], "/b");
    assert_string_equal(dirs[2], "/c");
    unsetenv("HBSCAN_RULES");

    assert_non_null(mkdtemp(root));
    snprintf(path, sizeof path, "%s/build/san", root);
    snprintf(argv0, sizeof argv0, "%s/build", root);
    assert_int_equal(mkdir(argv0, 0700), 0);
    assert_int_equal(mkdir(path, 0700), 0);
    /* no rules/ anywhere: the installed location */
    snprintf(argv0, sizeof argv0, "%s/build/hbscan", root);
    n = hb_rules_default_dirs(dirs, 8, argv0);
    assert_int_equal(n, 1);
    assert_string_equal(dirs[0], HB_PREFIX "/share/hbscan/rules");
    /* the build tree: <root>/build/hbscan and <root>/build/san/hbscan */
    snprintf(path, sizeof path, "%s/rules", root);
    assert_int_equal(mkdir(path, 0700), 0);
    n = hb_rules_default_dirs(dirs, 8, argv0);
    assert_int_equal(n, 1);
    assert_string_equal(dirs[0], path);
    snprintf(argv0, sizeof argv0, "%s/build/san/hbscan", root);
    n = hb_rules_default_dirs(dirs, 8, argv0);
    assert_string_equal(dirs[0], path);
    /* relative argv0 gives a relative path: build/hbscan -> rules */
    assert_int_equal(chdir(root), 0);
    n = hb_rules_default_dirs(dirs, 8, "build/hbscan");
    assert_string_equal(dirs[0], "rules");
    n = hb_rules_default_dirs(dirs, 8, "./build/san/hbscan");
    assert_string_equal(dirs[0], "rules");
    rmdir(path);
    snprintf(path, sizeof path, "%s/build/san", root);
    rmdir(path);
    snprintf(path, sizeof path, "%s/build", root);
    rmdir(path);
    rmdir(root);
}

static void test_rules_explain(void **state)
{
    const char *dir = "testdata/rules/good";
    struct hb_errlist errs = {0};
    struct hb_ruleset *rs = NULL;
    struct hb_buf b;

    (void)state;
    assert_int_equal(hb_rules_load(&rs, &dir, 1, &errs), HB_OK);
    hb_buf_init(&b);
    hb_rules_explain(rs, 0, &b);
    assert_string_equal(b.data,
                        "literals: ['400401', 'client api is not open']  # "
                        "declared\n"
                        "match:  # in evaluation order\n"
                        "  all:\n"
                        "    - server_code: [400401]\n"
                        "    - not:\n"
                        "        logger: 'Quota'\n"
                        "    - any:\n"
                        "        - exception: 'PolarisException$'\n"
                        "        - text: '(?i)client api is not open'\n");
    hb_buf_reset(&b);
    hb_rules_explain(rs, 1, &b);
    assert_non_null(strstr(b.data, "literals: ['Connection refused: ']  # "
                                   "derived from the patterns\n"));
    hb_buf_fini(&b);
    hb_rules_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_bad_fixtures_positions),
        cmocka_unit_test(test_rules_bad_dir_collects_everything),
        cmocka_unit_test(test_rules_good_fixture),
        cmocka_unit_test(test_rules_override_and_disable),
        cmocka_unit_test(test_rules_samples_run),
        cmocka_unit_test(test_rules_yaml_bombs),
        cmocka_unit_test(test_rules_disabled_needs_only_id),
        cmocka_unit_test(test_rules_missing_dir),
        cmocka_unit_test(test_rules_explain),
        /* last: it changes the working directory */
        cmocka_unit_test(test_rules_default_dirs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
