/*
 * fuzz_rules.c - libFuzzer target: the input is a rule file. It is written
 * to a temporary *.yaml and loaded; a set that loads has its own samples run
 * through assembly, extraction and matching, and is matched against a fixed
 * Polaris heartbeat failure, so fuzzed regexes meet the matcher too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract.h"
#include "incident.h"
#include "record.h"
#include "rules.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static FILE *devnull;

static const char sample[] =
    "2025-06-25 10:00:09.907 ERROR 4242 --- [           main] "
    "c.t.c.p.registry.PolarisServiceRegistry  : polaris heartbeat error with "
    "code [SERVER_USER_ERROR]\n"
    "com.tencent.polaris.api.exception.PolarisException: "
    "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not "
    "open\n"
    "\tat com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse("
    "GrpcUtil.java:198)\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(path, sizeof path, "/tmp/hbscan-fuzz-rules-%ld.yaml",
             (long)getpid());
    devnull = fopen("/dev/null", "w");
    return 0;
}

static void match_fixed(const struct hb_ruleset *rs)
{
    struct hb_matcher *m = hb_matcher_new(rs);
    struct hb_asm *a = hb_asm_new("fuzz", NULL);
    struct hb_record rec;
    struct hb_polaris p;
    struct hb_hit hits[HB_MAX_HITS];
    struct hb_line line;
    const char *s = sample;
    uint64_t no = 0, off = 0;
    bool have = false;

    while (*s) {
        const char *nl = strchr(s, '\n');

        memset(&line, 0, sizeof line);
        line.text = s; /* the sample's '\n' stands where '\0' should */
        line.len = (size_t)(nl - s);
        line.lineno = line.lineno_last = ++no;
        line.offset = off;
        line.end = off + line.len + 1;
        line.has_newline = true;
        off = line.end;
        {
            char buf[512];

            memcpy(buf, s, line.len);
            buf[line.len] = '\0';
            line.text = buf;
            if (hb_asm_feed(a, &line, &rec)) {
                hb_extract(&rec, &p);
                hb_matcher_run(m, &rec, &p, NULL, hits, HB_MAX_HITS);
            }
        }
        s = nl + 1;
    }
    have = hb_asm_flush(a, &rec);
    if (have) {
        hb_extract(&rec, &p);
        hb_matcher_run(m, &rec, &p, NULL, hits, HB_MAX_HITS);
    }
    hb_asm_free(a);
    hb_matcher_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hb_ruleset *rs = NULL;
    struct hb_errlist errs;
    FILE *fp = fopen(path, "wb");

    if (fp == NULL)
        return 0;
    fwrite(data, 1, size, fp);
    fclose(fp);
    memset(&errs, 0, sizeof errs);
    if (hb_rules_load_file(&rs, path, &errs) == HB_OK && rs != NULL) {
        size_t total = 0;

        for (size_t i = 0; i < hb_rules_count(rs); i++)
            hb_rules_find(rs, hb_rules_get(rs, i)->id);
        hb_rules_test_samples(rs, devnull, &total);
        match_fixed(rs);
        hb_rules_free(rs);
    } else {
        hb_errlist_print(&errs, devnull);
    }
    hb_errlist_fini(&errs);
    unlink(path);
    return 0;
}
