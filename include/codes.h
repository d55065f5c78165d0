/*
 * codes.h - every Polaris code hbscan knows, by number and name:
 * the server's 6-digit response codes (with their old numbers), the
 * polaris-java ErrorCode enum and the gRPC status names. Tables only.
 */
#ifndef HB_CODES_H
#define HB_CODES_H

#include <stdbool.h>
#include <stddef.h>

#include "hbscan.h"

struct hb_server_code {
    int code;         /* 400401 */
    const char *name; /* "ClientAPINotOpen" */
    const char
        *info; /* "client api is not open" ("" when the server sends none) */
    const char *note; /* version notes, or NULL */
};

struct hb_sdk_code {
    int code;         /* 1006 */
    const char *name; /* "SERVER_USER_ERROR" */
    const char *meaning;
};

/*
 * NULL when unknown. For a number that changed meaning (403001, 403002)
 * the modern (server >= 1.14) entry is returned; its note tells the old
 * meaning. 500100/500101 are entries of their own (servers <= 1.13 only).
 */
const struct hb_server_code *hb_server_code_find(int code);
const struct hb_server_code *hb_server_code_by_name(const char *name);
const struct hb_sdk_code *hb_sdk_code_find(int code);
const struct hb_sdk_code *hb_sdk_code_by_name(const char *name);
/* Same, for a slice of n bytes (not NUL-terminated). */
const struct hb_sdk_code *hb_sdk_code_by_name_n(const char *name, size_t n);
/* True for the codes the SDK treats as success: 200000 ExecuteSuccess,
   200001 DataNoChange, 200002 NoNeedUpdate, 400201 ExistedResource. */
bool hb_server_code_ok(int code);
const struct hb_server_code *hb_server_code_table(size_t *n);
const struct hb_sdk_code *hb_sdk_code_table(size_t *n);
/* The canonical upper-case name of gRPC status i (0 "OK" .. 16
   "UNAUTHENTICATED"); NULL past the last. */
const char *hb_grpc_status_name(size_t i);
/* gRPC canonical status name ("UNAVAILABLE") -> true when valid. */
bool hb_grpc_status_valid(const char *name, size_t n);
/* The canonical upper-case name for a gRPC status written either way
   ("UNAVAILABLE" or grpc-go's "Unavailable", "Canceled" -> "CANCELLED");
   NULL when name is not a status. */
const char *hb_grpc_status_canonical(const char *name, size_t n);

#endif
