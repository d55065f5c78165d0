/*
 * test_codes.c - the code tables: order, lookups by number and name, the
 * old numbers of servers <= 1.13, gRPC names; and, when the shared facts
 * file is reachable (../shared from the project root), every row of its
 * server-code and ErrorCode tables against ours.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codes.h"
#include "util.h"

#define FACTS_PATH "../shared/polaris-facts.md"

static void test_codes_server_table_sorted(void **state)
{
    size_t n, i;
    const struct hb_server_code *t = hb_server_code_table(&n);

    (void)state;
    assert_true(n >= 175);
    for (i = 1; i < n; i++)
        assert_true(t[i - 1].code < t[i].code);
    for (i = 0; i < n; i++) {
        assert_non_null(t[i].name);
        assert_non_null(t[i].info);
        assert_ptr_equal(hb_server_code_find(t[i].code), &t[i]);
    }
}

static void test_codes_server_lookup(void **state)
{
    static const struct {
        int code;
        const char *name;
        const char *info;
    } want[] = {
        {200000, "ExecuteSuccess", "execute success"},
        {400140, "HealthCheckNotOpen", "server not open health check"},
        {400141, "HeartbeatOnDisabledIns", "heartbeat on disabled instance"},
        {400143, "HeartbeatTypeNotFound", ""},
        {400201, "ExistedResource", "existed resource"},
        {400202, "NotFoundResource", "not found resource"},
        {400301, "NotFoundService", "not found service"},
        {400401, "ClientAPINotOpen", "client api is not open"},
        {401001, "NotAllowedAccess", "access is not approved"},
        {403003, "APIRateLimit", "server limit the api access"},
        {429002, "IPRateLimit", "server limit the ip access"},
        {500007, "HeartbeatException", "heartbeat execute exception"},
        {500008, "InstanceRegisTimeout", "instance async regist timeout"},
        {500100, "AuthTokenVerifyException", "token verify exception"},
        {500101, "OperationRoleException", "operation role exception"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(want); i++) {
        const struct hb_server_code *c = hb_server_code_find(want[i].code);

        assert_non_null(c);
        assert_string_equal(c->name, want[i].name);
        assert_string_equal(c->info, want[i].info);
        assert_ptr_equal(hb_server_code_by_name(want[i].name), c);
    }
    assert_string_equal(hb_server_code_find(0)->name, "Unknown");
    assert_null(hb_server_code_find(400999));
    assert_null(hb_server_code_find(999999));
    assert_null(hb_server_code_by_name("NoSuchCode"));
    assert_null(hb_server_code_by_name(NULL));
}

/* 403001/403002 changed meaning in server 1.14: the modern entry is
   returned and its note tells the old one. */
static void test_codes_server_old_numbers(void **state)
{
    const struct hb_server_code *c;

    (void)state;
    c = hb_server_code_find(403001);
    assert_non_null(c);
    assert_string_equal(c->name, "AuthTokenForbidden");
    assert_non_null(c->note);
    assert_non_null(
        strstr(c->note, "on servers <= 1.13 403001 meant IPRateLimit"));
    c = hb_server_code_find(403002);
    assert_string_equal(c->name, "OperationRoleForbidden");
    assert_non_null(
        strstr(c->note, "on servers <= 1.13 403002 meant APIRateLimit"));
    assert_non_null(strstr(hb_server_code_find(429002)->note, "403001"));
    assert_non_null(strstr(hb_server_code_find(403003)->note, "403002"));
    assert_non_null(strstr(hb_server_code_find(500100)->note, "403001"));
    assert_non_null(strstr(hb_server_code_find(500101)->note, "403002"));
}

static void test_codes_server_ok(void **state)
{
    static const struct {
        int code;
        bool ok;
    } t[] = {
        {200000, true},  {200001, true},  {200002, true},  {400201, true},
        {400202, false}, {400401, false}, {500000, false}, {0, false},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(t); i++)
        assert_int_equal(hb_server_code_ok(t[i].code), t[i].ok);
}

static void test_codes_sdk(void **state)
{
    static const struct {
        int code;
        const char *name;
    } want[] = {
        {0, "Success"},
        {1001, "API_INVALID_ARGUMENT"},
        {1004, "API_TIMEOUT"},
        {1006, "SERVER_USER_ERROR"},
        {1007, "NETWORK_ERROR"},
        {1015, "SERVICE_NOT_FOUND"},
        {1020, "CLIENT_CIRCUIT_BREAKING"},
        {1021, "CLIENT_FAULT_INJECTED"},
        {2002, "SERVER_ERROR"},
        {2100, "UNKNOWN_SERVER_ERROR"},
        {20010, "NOT_SUPPORT"},
        {30006, "AES_DECRYPT_ERROR"},
        {40000, "PARAMETER_ERROR"},
    };
    size_t i, n;
    const struct hb_sdk_code *t = hb_sdk_code_table(&n);

    (void)state;
    assert_int_equal(n, 40);
    for (i = 1; i < n; i++)
        assert_true(t[i - 1].code < t[i].code);
    for (i = 0; i < HB_ARRAY_LEN(want); i++) {
        const struct hb_sdk_code *c = hb_sdk_code_find(want[i].code);

        assert_non_null(c);
        assert_string_equal(c->name, want[i].name);
        assert_non_null(c->meaning);
        assert_ptr_equal(hb_sdk_code_by_name(want[i].name), c);
    }
    assert_null(hb_sdk_code_find(2010));
    assert_null(hb_sdk_code_by_name("SERVER_USER"));
    assert_null(hb_sdk_code_by_name(NULL));
    assert_ptr_equal(hb_sdk_code_by_name_n("NETWORK_ERROR)", 13),
                     hb_sdk_code_find(1007));
    assert_null(hb_sdk_code_by_name_n("NETWORK_ERROR)", 14));
}

static void test_codes_grpc(void **state)
{
    static const char *const upper[] = {
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    };
    static const struct {
        const char *in;
        const char *out; /* NULL = not a status */
    } canon[] = {
        {"Canceled", "CANCELLED"},
        {"Unavailable", "UNAVAILABLE"},
        {"DeadlineExceeded", "DEADLINE_EXCEEDED"},
        {"Unimplemented", "UNIMPLEMENTED"},
        {"OK", "OK"},
        {"UNAVAILABLE", "UNAVAILABLE"},
        {"unavailable", NULL},
        {"CANCELED", NULL},
        {"", NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < HB_ARRAY_LEN(upper); i++) {
        assert_true(hb_grpc_status_valid(upper[i], strlen(upper[i])));
        assert_string_equal(
            hb_grpc_status_canonical(upper[i], strlen(upper[i])), upper[i]);
    }
    assert_false(hb_grpc_status_valid("Unavailable", 11));
    assert_false(hb_grpc_status_valid("UNAVAILABL", 10));
    assert_true(hb_grpc_status_valid("UNAVAILABLE: io", 11));
    assert_false(hb_grpc_status_valid(NULL, 0));
    for (i = 0; i < HB_ARRAY_LEN(canon); i++) {
        const char *got =
            hb_grpc_status_canonical(canon[i].in, strlen(canon[i].in));

        if (canon[i].out == NULL)
            assert_null(got);
        else
            assert_string_equal(got, canon[i].out);
    }
}

/* ---------------------------------------------------------------------
 * Cross-check against the facts file
 */

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long n;

    if (fp == NULL)
        return NULL;
    if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
        fseek(fp, 0, SEEK_SET) != 0) {
        fclose(fp);
        return NULL;
    }
    buf = hb_xmalloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        fclose(fp);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

/* Splits "| a | b | c |" into trimmed cells; returns the count. */
static int cells(char *line, char **out, int cap)
{
    int n = 0;
    char *p = strchr(line, '|');

    while (p && n < cap) {
        char *q = strchr(p + 1, '|'), *a, *b;

        if (q == NULL)
            break;
        a = p + 1;
        b = q;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        *b = '\0';
        out[n++] = a;
        p = q;
    }
    return n;
}

static void test_codes_match_facts(void **state)
{
    char *text = slurp(FACTS_PATH), *sec, *end, *line, *save = NULL;
    int server_rows = 0, sdk_rows = 0;

    (void)state;
    if (text == NULL)
        skip();
    sec = strstr(text, "### 1.2");
    end = sec ? strstr(sec, "### 1.3") : NULL;
    assert_non_null(end);
    *end = '\0';
    for (line = strtok_r(sec, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *c[6];
        const struct hb_server_code *sc;
        char info[256];

        if (strncmp(line, "| ", 2) != 0 || cells(line, c, 6) < 3 ||
            atoi(c[0]) < 100000)
            continue;
        sc = hb_server_code_find(atoi(c[0]));
        if (sc == NULL)
            print_error("missing server code %s\n", c[0]);
        assert_non_null(sc);
        assert_string_equal(sc->name, c[1]);
        if (strcmp(c[2], "\xe2\x80\x94") == 0) /* em dash: no info */
            info[0] = '\0';
        else
            hb_strlcpy(info, c[2] + 1, strlen(c[2]) - 2, sizeof info);
        assert_string_equal(sc->info, info);
        server_rows++;
    }
    assert_true(server_rows >= 170);

    sec = strstr(end + 1, "### 3.1");
    end = sec ? strstr(sec, "### 3.2") : NULL;
    assert_non_null(end);
    *end = '\0';
    for (line = strtok_r(sec, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *c[4];
        const struct hb_sdk_code *sc;

        if (strncmp(line, "| ", 2) != 0 || cells(line, c, 4) < 2 ||
            strcmp(c[0], "ErrorCode") == 0 || c[0][0] == '-')
            continue;
        sc = hb_sdk_code_by_name(c[0]);
        if (sc == NULL)
            print_error("missing ErrorCode %s\n", c[0]);
        assert_non_null(sc);
        assert_int_equal(sc->code, atoi(c[1]));
        sdk_rows++;
    }
    assert_int_equal(sdk_rows, 40);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes_server_table_sorted),
        cmocka_unit_test(test_codes_server_lookup),
        cmocka_unit_test(test_codes_server_old_numbers),
        cmocka_unit_test(test_codes_server_ok),
        cmocka_unit_test(test_codes_sdk),
        cmocka_unit_test(test_codes_grpc),
        cmocka_unit_test(test_codes_match_facts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
