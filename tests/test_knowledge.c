/*
 * test_knowledge.c - the knowledge YAML files load and match the compiled-in
 * tables; broken files fall back part by part with a located message;
 * version comparison and the lookups.
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

#include "knowledge.h"
#include "util.h"

#define KDIR "rules/knowledge"

static void same_str(const char *a, const char *b)
{
    assert_string_equal(a ? a : "", b ? b : "");
}

static void test_knowledge_files_match_builtin(void **state)
{
    const struct hb_knowledge *b = hb_knowledge_builtin();
    struct hb_knowledge *k;
    struct hb_diag d;
    unsigned problems = 9;
    size_t i;
    int j;

    (void)state;
    memset(&d, 0, sizeof d);
    assert_int_equal(hb_knowledge_load(&k, KDIR, &problems, &d), HB_OK);
    assert_int_equal(problems, 0);
    assert_true(k->ports_loaded && k->versions_loaded && k->codes_loaded);
    assert_int_equal(k->naming_port, b->naming_port);
    assert_int_equal(k->config_port, b->config_port);
    assert_int_equal(k->nports, b->nports);
    for (i = 0; i < b->nports; i++) {
        assert_int_equal(k->ports[i].port, b->ports[i].port);
        same_str(k->ports[i].listener, b->ports[i].listener);
        same_str(k->ports[i].protocol, b->ports[i].protocol);
        same_str(k->ports[i].purpose, b->ports[i].purpose);
    }
    assert_int_equal(k->ntrains, b->ntrains);
    for (i = 0; i < b->ntrains; i++) {
        same_str(k->trains[i].train, b->trains[i].train);
        same_str(k->trains[i].name, b->trains[i].name);
        assert_int_equal(k->trains[i].nboot, b->trains[i].nboot);
        for (j = 0; j < b->trains[i].nboot; j++)
            same_str(k->trains[i].boot[j], b->trains[i].boot[j]);
    }
    assert_int_equal(k->nsct, b->nsct);
    assert_true(b->nsct > 100);
    for (i = 0; i < b->nsct; i++) {
        same_str(k->sct[i].sct, b->sct[i].sct);
        same_str(k->sct[i].train, b->sct[i].train);
        same_str(k->sct[i].boot, b->sct[i].boot);
        same_str(k->sct[i].polaris_java, b->sct[i].polaris_java);
    }
    assert_int_equal(k->ndeps, b->ndeps);
    for (i = 0; i < b->ndeps; i++) {
        same_str(k->deps[i].artifact, b->deps[i].artifact);
        same_str(k->deps[i].when_artifact, b->deps[i].when_artifact);
        same_str(k->deps[i].when_from, b->deps[i].when_from);
        same_str(k->deps[i].when_below, b->deps[i].when_below);
        same_str(k->deps[i].min, b->deps[i].min);
        same_str(k->deps[i].below, b->deps[i].below);
        same_str(k->deps[i].why, b->deps[i].why);
        same_str(k->deps[i].fits, b->deps[i].fits);
    }
    assert_int_equal(k->nsigs, b->nsigs);
    for (i = 0; i < b->nsigs; i++) {
        same_str(k->sigs[i].match, b->sigs[i].match);
        same_str(k->sigs[i].artifact, b->sigs[i].artifact);
        same_str(k->sigs[i].why, b->sigs[i].why);
        same_str(k->sigs[i].fits, b->sigs[i].fits);
    }
    assert_int_equal(k->npkgs, b->npkgs);
    for (i = 0; i < b->npkgs; i++) {
        same_str(k->pkgs[i].prefix, b->pkgs[i].prefix);
        same_str(k->pkgs[i].artifact, b->pkgs[i].artifact);
    }
    assert_int_equal(k->ncodes, b->ncodes);
    for (i = 0; i < b->ncodes; i++) {
        assert_int_equal(k->codes[i].code, b->codes[i].code);
        assert_int_equal(k->codes[i].nmeanings, b->codes[i].nmeanings);
        same_str(k->codes[i].note, b->codes[i].note);
        for (j = 0; j < b->codes[i].nmeanings; j++) {
            same_str(k->codes[i].meanings[j].servers,
                     b->codes[i].meanings[j].servers);
            same_str(k->codes[i].meanings[j].name,
                     b->codes[i].meanings[j].name);
            same_str(k->codes[i].meanings[j].info,
                     b->codes[i].meanings[j].info);
            assert_int_equal(k->codes[i].meanings[j].cause,
                             b->codes[i].meanings[j].cause);
        }
    }
    hb_knowledge_free(k);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *fp;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_knowledge_broken_files_fall_back(void **state)
{
    static const struct {
        const char *name;
        const char *text;
        const char *msg;
        unsigned long line;
    } cases[] = {
        {"ports.yaml",
         "naming_port: 8091\nconfig_port: 8093\nports:\n  - port: 8090\n"
         "    listner: api-http\n",
         "unknown key 'listner'", 5},
        {"ports.yaml", "naming_port: 8091\nconfig_port: 99999\nports: []\n",
         "'config_port' must be a number in range", 2},
        {"ports.yaml", "naming_port: 8091\nports: [\n", "YAML", 0},
        {"codes.yaml",
         "changes:\n  - code: 403001\n    meanings:\n"
         "      - {servers: x, name: y, cause: speed}\n",
         "unknown cause 'speed'", 4},
        {"codes.yaml", "changes:\n  - &a {code: 1}\n  - *a\n", "alias", 0},
        {"versions.yaml", "trains: 3\n", "'trains' must be a list", 1},
        {"ports.yaml", "", "empty file", 0},
    };
    char dir[] = "/tmp/hbscan-know-XXXXXX";
    size_t i;

    (void)state;
    assert_non_null(mkdtemp(dir));
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hb_knowledge *k;
        struct hb_diag d;
        unsigned problems = 0;
        char path[512];

        memset(&d, 0, sizeof d);
        write_file(dir, cases[i].name, cases[i].text);
        assert_int_not_equal(hb_knowledge_load(&k, dir, &problems, &d), HB_OK);
        assert_true(problems >= 1);
        /* the broken file is named first when it is ports.yaml; else the
           first missing file is; load it alone to check the message */
        hb_knowledge_free(k);
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].name);
        {
            char sub[600];
            const char *others[] = {"ports.yaml", "versions.yaml",
                                    "codes.yaml"};
            size_t j;

            /* copy the good files next to the broken one */
            for (j = 0; j < 3; j++) {
                char src[256];
                FILE *in, *out;
                int c;

                if (strcmp(others[j], cases[i].name) == 0)
                    continue;
                snprintf(src, sizeof src, "%s/%s", KDIR, others[j]);
                snprintf(sub, sizeof sub, "%s/%s", dir, others[j]);
                in = fopen(src, "r");
                out = fopen(sub, "w");
                assert_non_null(in);
                assert_non_null(out);
                while ((c = fgetc(in)) != EOF)
                    fputc(c, out);
                fclose(in);
                fclose(out);
            }
        }
        memset(&d, 0, sizeof d);
        assert_int_equal(hb_knowledge_load(&k, dir, &problems, &d), HB_EPARSE);
        assert_int_equal(problems, 1);
        assert_string_equal(d.path, path);
        assert_non_null(strstr(d.msg, cases[i].msg));
        if (cases[i].line)
            assert_int_equal(d.line, cases[i].line);
        /* the other parts loaded; the broken one is built-in */
        assert_true(k->ports_loaded + k->versions_loaded + k->codes_loaded ==
                    2);
        assert_int_equal(k->naming_port, 8091);
        assert_true(k->nports > 5 && k->nsct > 100 && k->ncodes > 3);
        hb_knowledge_free(k);
        unlink(path);
        {
            const char *others[] = {"ports.yaml", "versions.yaml",
                                    "codes.yaml"};
            size_t j;

            for (j = 0; j < 3; j++) {
                snprintf(path, sizeof path, "%s/%s", dir, others[j]);
                unlink(path);
            }
        }
    }
    rmdir(dir);
}

static void test_knowledge_depth_capped(void **state)
{
    char dir[] = "/tmp/hbscan-know-XXXXXX";
    char text[300], path[512];
    struct hb_knowledge *k;
    struct hb_diag d;
    unsigned problems;
    int i;

    (void)state;
    assert_non_null(mkdtemp(dir));
    strcpy(text, "ports: ");
    for (i = 0; i < 100; i++)
        strcat(text, "[");
    for (i = 0; i < 100; i++)
        strcat(text, "]");
    strcat(text, "\n");
    write_file(dir, "ports.yaml", text);
    memset(&d, 0, sizeof d);
    assert_int_not_equal(hb_knowledge_load(&k, dir, &problems, &d), HB_OK);
    assert_non_null(strstr(d.msg, "nested too deeply"));
    assert_int_equal(k->nports, hb_knowledge_builtin()->nports);
    hb_knowledge_free(k);
    snprintf(path, sizeof path, "%s/ports.yaml", dir);
    unlink(path);
    rmdir(dir);
}

static void test_knowledge_missing_dir(void **state)
{
    struct hb_knowledge *k;
    unsigned problems = 0;

    (void)state;
    assert_int_equal(hb_knowledge_load(&k, "/nonexistent-dir", &problems, NULL),
                     HB_EIO);
    assert_int_equal(problems, 3);
    assert_int_equal(k->nsct, hb_knowledge_builtin()->nsct);
    hb_knowledge_free(k);
    assert_int_equal(hb_knowledge_load(&k, NULL, &problems, NULL), HB_OK);
    assert_int_equal(problems, 0);
    hb_knowledge_free(k);
}

static void test_knowledge_version_cmp(void **state)
{
    static const struct {
        const char *a, *b;
        int want;
    } cases[] = {
        {"1.58", "1.59.1", -1},
        {"1.59.1", "1.58", 1},
        {"3.1.12", "3.1.7", 1},
        {"1.10.5", "1.9.7", 1},
        {"1.0.0", "1.0.0-RC1", 1},
        {"1.0.0-RC1", "1.0.0-RC2", -1},
        {"2.3.12.RELEASE", "2.3.12", 0},
        {"1.58", "1.58.0", 0},
        {"2.0.0.0-RC5", "2.0.0.0", -1},
        {"1.14.3", "1.15.0", -1},
        {"12.5", "12.4", 1},
        {"", "1", -1},
        {"1.2.3", "1.2.3", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int r = hb_version_cmp(cases[i].a, cases[i].b);

        r = r < 0 ? -1 : r > 0 ? 1 : 0;
        if (r != cases[i].want)
            fail_msg("%s vs %s: %d, want %d", cases[i].a, cases[i].b, r,
                     cases[i].want);
    }
}

static void test_knowledge_version_in_line(void **state)
{
    static const struct {
        const char *v, *line;
        bool want;
    } cases[] = {
        {"3.1.7", "3.1", true},
        {"3.1.7", "3.1.x", true},
        {"3.2.1", "3.1", false},
        {"3.10.0", "3.1", false},
        {"2.3.12.RELEASE", "2.3", true},
        {"2.3", "2.3", true},
        {"3", "3.1", false},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (hb_version_in_line(cases[i].v, cases[i].line) != cases[i].want)
            fail_msg("%s in %s", cases[i].v, cases[i].line);
}

static void test_knowledge_lookups(void **state)
{
    const struct hb_knowledge *k = hb_knowledge_builtin();
    const struct hb_sct_row *row;
    const struct hb_train *t;

    (void)state;
    assert_string_equal(hb_knowledge_port(k, 8093)->listener, "config-grpc");
    assert_string_equal(hb_knowledge_port(k, 8090)->listener, "api-http");
    assert_null(hb_knowledge_port(k, 8081));
    row = hb_knowledge_sct(k, "1.13.0-2022.0.4");
    assert_non_null(row);
    assert_string_equal(row->boot, "3.1.7");
    assert_string_equal(row->polaris_java, "1.15.0");
    row = hb_knowledge_sct(k, "2.0.0.0-Hoxton.SR12");
    assert_non_null(row);
    assert_string_equal(row->boot, "2.3.12.RELEASE");
    assert_non_null(hb_knowledge_sct(k, "1.1.0.Hoxton.SR9"));
    assert_null(hb_knowledge_sct(k, "9.9.9-2022.0.4"));
    t = hb_knowledge_train(k, "2022.0.4");
    assert_non_null(t);
    assert_string_equal(t->name, "Kilburn");
    assert_string_equal(hb_knowledge_train(k, "Hoxton.SR12")->boot[1], "2.3");
    assert_null(hb_knowledge_train(k, "2029.0.1"));
    assert_string_equal(
        hb_knowledge_signature(k, "x io.grpc.stub.MetadataUtils.attachHeaders(")
            ->artifact,
        "grpc");
    assert_string_equal(hb_knowledge_artifact(k, "io.grpc.netty.shaded.io.netty"
                                                 ".channel.X"),
                        "grpc");
    assert_string_equal(hb_knowledge_artifact(k, "io.netty.channel.X"),
                        "netty");
    assert_string_equal(hb_knowledge_artifact(k, "org.springframework.boot.X"),
                        "spring-boot");
    assert_null(hb_knowledge_artifact(k, "java.lang.String"));
    assert_int_equal(hb_knowledge_code(k, 403001)->nmeanings, 2);
    assert_null(hb_knowledge_code(k, 400401));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_knowledge_files_match_builtin),
        cmocka_unit_test(test_knowledge_broken_files_fall_back),
        cmocka_unit_test(test_knowledge_depth_capped),
        cmocka_unit_test(test_knowledge_missing_dir),
        cmocka_unit_test(test_knowledge_version_cmp),
        cmocka_unit_test(test_knowledge_version_in_line),
        cmocka_unit_test(test_knowledge_lookups),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
