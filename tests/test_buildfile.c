/*
 * test_buildfile.c - versions found in pom.xml / Gradle / dependency
 * listings, and the compatibility tables (train lines, Boot lines, SCT
 * release matrix, version order).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buildfile.h"
#include "util.h"

#define D "testdata/config/build/"

struct ver {
    enum hb_build_what w;
    const char *value;
    unsigned long line;
};

static void test_buildfile_fixtures(void **state)
{
    static const struct {
        const char *path;
        struct ver v[7];
    } cases[] = {
        {D "good-pom.xml",
         {{HB_BUILD_BOOT, "3.1.12", 10},
          {HB_BUILD_CLOUD, "2022.0.5", 20},
          {HB_BUILD_SCT, "2.0.0.0-2022.0.5", 21},
          {HB_BUILD_POLARIS, NULL, 0},
          {HB_BUILD_GRPC, NULL, 0}}},
        {D "build.gradle",
         {{HB_BUILD_BOOT, "3.1.12", 3},
          {HB_BUILD_CLOUD, "2021.0.9", 8},
          {HB_BUILD_SCT, "1.13.0-2022.0.4", 13}}},
        {D "build.gradle.kts",
         {{HB_BUILD_BOOT, "2.7.18", 3},
          {HB_BUILD_CLOUD, "2021.0.9", 6},
          {HB_BUILD_SCT, "1.13.0-2021.0.9", 7},
          {HB_BUILD_POLARIS, "2.0.0.0", 12}}},
        {D "dependency-list.txt",
         {{HB_BUILD_BOOT, "2.7.18", 6},
          {HB_BUILD_CLOUD, NULL, 0},
          {HB_BUILD_COMMONS, "3.1.8", 7},
          {HB_BUILD_SCT, "1.12.4-2021.0.8", 9},
          {HB_BUILD_POLARIS, "1.14.3", 11}, /* not polaris-specification */
          {HB_BUILD_GRPC, "1.59.1", 12},
          {HB_BUILD_NETTY, "4.1.100.Final", 15}}}, /* not tcnative */
        {D "sct-patch-pom.xml",
         {{HB_BUILD_BOOT, "3.1.7", 8},
          {HB_BUILD_CLOUD, "2022.0.5", 12},
          {HB_BUILD_SCT, "1.13.0-2022.0.4", 13}}},
    };
    size_t i, k;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        struct hb_build_info b;
        struct hb_diag d;

        hb_build_init(&b);
        assert_int_equal(hb_build_scan(&b, cases[i].path, &d), HB_OK);
        /* rows end at a zero row ({BOOT, NULL}) */
        for (k = 0; k < HB_ARRAY_LEN(cases[i].v) &&
                    (cases[i].v[k].value || cases[i].v[k].w);
             k++) {
            const struct ver *want = &cases[i].v[k];
            const struct hb_build_ver *got = &b.v[want->w];

            if (want->value == NULL) {
                if (got->value)
                    fail_msg("%s: %s found %s", cases[i].path,
                             hb_build_what_name(want->w), got->value);
                continue;
            }
            if (got->value == NULL || strcmp(got->value, want->value) != 0 ||
                got->line != want->line)
                fail_msg("%s: %s = %s at %lu, want %s at %lu", cases[i].path,
                         hb_build_what_name(want->w),
                         got->value ? got->value : "(none)", got->line,
                         want->value, want->line);
            assert_string_equal(got->path, cases[i].path);
            assert_true(got->text[0] != '\0');
        }
        assert_int_equal(b.files, 1);
        hb_build_fini(&b);
    }
}

/* Inline snippets: properties, ${...}, Gradle forms, first file wins. */
static void test_buildfile_snippets(void **state)
{
    static const struct {
        const char *path, *text;
        enum hb_build_what w;
        const char *value;
    } cases[] = {
        {"pom.xml",
         "<project><properties><polaris.version>1.15.2</polaris.version>"
         "</properties></project>",
         HB_BUILD_POLARIS, "1.15.2"},
        {"pom.xml",
         "<project><dependencies><dependency><groupId>io.grpc</groupId>"
         "<artifactId>grpc-netty-shaded</artifactId><version>${g}</version>"
         "</dependency></dependencies><properties><g>1.60.0</g></properties>"
         "</project>",
         HB_BUILD_GRPC, "1.60.0"},
        {"pom.xml",
         "<project><!-- <parent><groupId>org.springframework.boot</groupId>"
         "<artifactId>spring-boot-starter-parent</artifactId><version>9.9.9"
         "</version></parent> --><parent><groupId>org.springframework.boot"
         "</groupId><artifactId>spring-boot-starter-parent</artifactId>"
         "<version>2.3.12.RELEASE</version></parent></project>",
         HB_BUILD_BOOT, "2.3.12.RELEASE"},
        {"pom.xml",
         "<project><dependency><groupId>com.tencent.cloud</groupId>"
         "<artifactId>x</artifactId><version>${missing}</version>"
         "</dependency></project>",
         HB_BUILD_SCT, NULL},
        {"build.gradle", "ext.springBootVersion = '2.6.14'\n", HB_BUILD_BOOT,
         "2.6.14"},
        {"build.gradle",
         "def sct = \"1.11.9-2021.0.6\"\n"
         "implementation \"com.tencent.cloud:spring-cloud-starter-tencent-"
         "polaris-discovery:$sct\"\n",
         HB_BUILD_SCT, "1.11.9-2021.0.6"},
        {"build.gradle.kts", "val springCloudVersion by extra(\"2023.0.1\")\n",
         HB_BUILD_CLOUD, "2023.0.1"},
        {"gradle.properties", "springCloudVersion=Hoxton.SR12\n",
         HB_BUILD_CLOUD, "Hoxton.SR12"},
        {"pom.xml",
         "<project><properties><spring-cloud.version>Greenwich.SR6"
         "</spring-cloud.version></properties></project>",
         HB_BUILD_CLOUD, "Greenwich.SR6"},
        {"build.gradle", "implementation 'io.grpc:grpc-api:${grpcVer}'\n",
         HB_BUILD_GRPC, NULL}, /* unresolved */
        {"gradle.properties", "polarisVersion=1.15.8\n", HB_BUILD_POLARIS,
         "1.15.8"},
        {"deps.txt", "+--- io.grpc:grpc-api:1.58.0 -> 1.64.0 (*)\n",
         HB_BUILD_GRPC, "1.64.0"},
        {"deps.txt",
         "[INFO] +- com.tencent.polaris:polaris-all:jar:1.15.0:compile\n",
         HB_BUILD_POLARIS, "1.15.0"},
        {"deps.txt",
         "[INFO] +- com.tencent.polaris:polaris-x:jar:linux:1.15.1:compile\n",
         HB_BUILD_POLARIS, "1.15.1"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++) {
        struct hb_build_info b;
        const char *got;

        hb_build_init(&b);
        assert_int_equal(hb_build_scan_mem(&b, cases[i].path, cases[i].text,
                                           strlen(cases[i].text), NULL),
                         HB_OK);
        got = b.v[cases[i].w].value;
        if (cases[i].value ? (got == NULL || strcmp(got, cases[i].value) != 0)
                           : got != NULL)
            fail_msg("case %zu: %s = %s, want %s", i,
                     hb_build_what_name(cases[i].w), got ? got : "(none)",
                     cases[i].value ? cases[i].value : "(none)");
        hb_build_fini(&b);
    }
}

static void test_buildfile_first_file_wins(void **state)
{
    struct hb_build_info b;

    (void)state;
    hb_build_init(&b);
    assert_int_equal(hb_build_scan(&b, D "build.gradle", NULL), HB_OK);
    assert_int_equal(hb_build_scan(&b, D "good-pom.xml", NULL), HB_OK);
    assert_string_equal(b.v[HB_BUILD_BOOT].value, "3.1.12");
    assert_string_equal(b.v[HB_BUILD_CLOUD].value, "2021.0.9");
    assert_string_equal(b.v[HB_BUILD_CLOUD].path, D "build.gradle");
    assert_int_equal(b.files, 2);
    hb_build_fini(&b);
}

static void test_buildfile_is_build_file(void **state)
{
    static const struct {
        const char *path, *text;
        bool want;
    } cases[] = {
        {"x/pom.xml", "", true},
        {"build.gradle.kts", "", true},
        {"gradle.properties", "", true},
        {"application.properties", "<project", false},
        {"application.yml", "com.tencent.polaris:polaris-all:1.0", false},
        {"deps.txt", "[INFO]    com.tencent.polaris:polaris-all:jar:1.15.0",
         true},
        {"config", "logging.level.com.tencent.polaris: debug\n", false},
        {"module.xml", "<?xml?><project>", true},
        {"notes.txt", "nothing here", false},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(cases); i++)
        if (hb_build_is_build_file(cases[i].path, cases[i].text,
                                   strlen(cases[i].text)) != cases[i].want)
            fail_msg("%s: want %d", cases[i].path, cases[i].want);
}

static void test_buildfile_trains(void **state)
{
    static const struct {
        const char *v, *line;
    } lines[] = {
        {"2022.0.4", "2022.0"},
        {"2021.0.9-RC1", "2021.0"},
        {"Hoxton.SR12", "Hoxton"},
        {"Greenwich.SR6", "Greenwich"},
        {"Ilford", "2020.0"},
        {"kilburn.SR1", "2022.0"},
        {"2025.1.0", "2025.1"},
        {"Finchley.SR2", NULL},
        {"1999.0.1", NULL},
        {"2022.9.1", NULL},
        {"", NULL},
    };
    char out[32], base[32], train[32];
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(lines); i++) {
        bool ok = hb_build_train_line(NULL, lines[i].v, out, sizeof out);

        if (ok != (lines[i].line != NULL) ||
            strcmp(out, ok ? lines[i].line : "") != 0)
            fail_msg("%s: %s", lines[i].v, ok ? out : "(none)");
    }
    assert_true(hb_build_train_boots(NULL, "2022.0", out, sizeof out));
    assert_string_equal(out, "3.0.x, 3.1.x");
    assert_true(hb_build_train_boots(NULL, "Hoxton.SR12", out, sizeof out));
    assert_string_equal(out, "2.2.x, 2.3.x");
    assert_false(hb_build_train_boots(NULL, "Finchley", out, sizeof out));
    assert_int_equal(hb_build_boot_fits(NULL, "2022.0", "3.1.12"), 1);
    assert_int_equal(hb_build_boot_fits(NULL, "2022.0", "3.2.0"), 0);
    assert_int_equal(hb_build_boot_fits(NULL, "2022.0", "3.10.0"), 0);
    assert_int_equal(hb_build_boot_fits(NULL, "Hoxton", "2.3.12.RELEASE"), 1);
    assert_int_equal(hb_build_boot_fits(NULL, "nope", "3.2.0"), -1);
    assert_int_equal(hb_build_boot_fits(NULL, "2022.0", "latest"), -1);
    assert_true(hb_build_boot_train(NULL, "3.2.4", out, sizeof out));
    assert_string_equal(out, "2023.0");
    assert_true(hb_build_boot_train(NULL, "2.7.18", out, sizeof out));
    assert_string_equal(out, "2021.0");
    assert_false(hb_build_boot_train(NULL, "1.5.22", out, sizeof out));
    assert_string_equal(hb_build_commons_train("4.0.4"), "2022.0");
    assert_string_equal(hb_build_commons_train("2.2.9.RELEASE"), "Hoxton");
    assert_null(hb_build_commons_train("9.9.9"));
    assert_true(hb_build_minor_line("3.1.12", out, sizeof out));
    assert_string_equal(out, "3.1");
    assert_false(hb_build_minor_line("3", out, sizeof out));
    assert_false(hb_build_minor_line("v3.1", out, sizeof out));

    assert_true(hb_build_sct_split("1.13.0-2022.0.4", base, sizeof base, train,
                                   sizeof train));
    assert_string_equal(base, "1.13.0");
    assert_string_equal(train, "2022.0.4");
    assert_true(hb_build_sct_split("1.14.0-2022.0.5-RC2", base, sizeof base,
                                   train, sizeof train));
    assert_string_equal(train, "2022.0.5-RC2");
    assert_true(hb_build_sct_split("1.1.0.Hoxton.SR9", base, sizeof base, train,
                                   sizeof train));
    assert_string_equal(base, "1.1.0");
    assert_string_equal(train, "Hoxton.SR9");
    assert_false(
        hb_build_sct_split("2.0.0.0", base, sizeof base, train, sizeof train));
    assert_string_equal(base, "2.0.0.0");
}

static void test_buildfile_matrix(void **state)
{
    const struct hb_sct_row *r;

    (void)state;
    r = hb_build_sct_find(NULL, "1.13.0", "2022.0.4");
    assert_non_null(r);
    assert_string_equal(r->boot, "3.1.7");
    assert_string_equal(r->polaris_java, "1.15.0");
    r = hb_build_sct_find(NULL, "2.0.0.0", "2022.0.5");
    assert_string_equal(r->boot, "3.1.12");
    assert_string_equal(r->polaris_java, "2.0.0.0");
    /* same train line when the exact release is not in the matrix */
    r = hb_build_sct_find(NULL, "1.13.0", "2022.0.9");
    assert_non_null(r);
    assert_string_equal(r->train, "2022.0.4");
    assert_null(hb_build_sct_find(NULL, "9.9.9", "2022.0.4"));

    r = hb_build_sct_for(NULL, "2021.0", NULL);
    assert_non_null(r);
    assert_string_equal(r->sct, "2.0.0.0"); /* 2.0.1.0 there is an RC */
    r = hb_build_sct_for(NULL, "2021.0", "1.13.0");
    assert_string_equal(r->sct, "1.13.0");
    assert_string_equal(r->train, "2021.0.9");
    r = hb_build_sct_for(NULL, "2022.0.5", "1.13.0"); /* exact release */
    assert_string_equal(r->sct, "2.0.0.0");
    assert_string_equal(r->train, "2022.0.5");
    r = hb_build_sct_for(NULL, "Hoxton", NULL);
    assert_string_equal(r->sct, "2.0.0.0");
    assert_null(hb_build_sct_for(NULL, "2025.0", NULL));
    assert_null(hb_build_sct_for(NULL, "Finchley", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buildfile_fixtures),
        cmocka_unit_test(test_buildfile_snippets),
        cmocka_unit_test(test_buildfile_first_file_wins),
        cmocka_unit_test(test_buildfile_is_build_file),
        cmocka_unit_test(test_buildfile_trains),
        cmocka_unit_test(test_buildfile_matrix),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
