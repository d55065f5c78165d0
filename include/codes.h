/*
 * codes.h - every Polaris code hbscan knows, by number and name:
 * the server's 6-digit response codes (with their old numbers), the
 * polaris-java ErrorCode enum and the gRPC status names. Tables only.
 */
#ifndef HB_CODES_H
#define HB_CODES_H

#include <stdbool.h>

#include "hbscan.h"

struct hb_server_code {
    int code;          /* 400401 */
    const char *name;  /* "ClientAPINotOpen" */
    const char *info;  /* "client api is not open" ("" when the server sends none) */
    const char *note;  /* version notes, or NULL */
};

struct hb_sdk_code {
    int code;          /* 1006 */
    const char *name;  /* "SERVER_USER_ERROR" */
    const char *meaning;
};

/* NULL when unknown. */
const struct hb_server_code *hb_server_code_find(int code);
const struct hb_server_code *hb_server_code_by_name(const char *name);
const struct hb_sdk_code *hb_sdk_code_find(int code);
const struct hb_sdk_code *hb_sdk_code_by_name(const char *name);
const struct hb_server_code *hb_server_code_table(size_t *n);
const struct hb_sdk_code *hb_sdk_code_table(size_t *n);
/* gRPC canonical status name ("UNAVAILABLE") -> true when valid. */
bool hb_grpc_status_valid(const char *name, size_t n);

#endif
