/*
 * codes.c - the code tables: Polaris server response codes (spec
 * api/v1/model/code.proto with the server's code2info strings and the old
 * numbers of servers <= 1.13), the polaris-java ErrorCode enum and the gRPC
 * canonical status names. Lookups only; nothing allocates.
 */
#include "codes.h"

#include <string.h>

/* Sorted by code (hb_server_code_find does a binary search). */
static const struct hb_server_code server_codes[] = {
    {0, "Unknown", "", "no server info string; not in en.toml"},
    {200000, "ExecuteSuccess", "execute success", NULL},
    {200001, "DataNoChange", "discover data is no change", NULL},
    {200002, "NoNeedUpdate", "update data is no change, no need to update",
     NULL},
    {400000, "BadRequest", "bad request", NULL},
    {400001, "ParseException", "request decode failed", NULL},
    {400002, "EmptyRequest", "empty request", NULL},
    {400003, "BatchSizeOverLimit", "batch size over the limit", NULL},
    {400004, "InvalidDiscoverResource", "invalid discover resource", NULL},
    {400100, "InvalidRequestID", "invalid request id", NULL},
    {400101, "InvalidUserName", "invalid user name", NULL},
    {400102, "InvalidUserToken", "invalid user token", NULL},
    {400103, "InvalidParameter", "invalid parameter", NULL},
    {400104, "EmptyQueryParameter", "query instance parameter is empty", NULL},
    {400105, "InvalidQueryInsParameter",
     "query instance, service or namespace or host is required", NULL},
    {400110, "InvalidNamespaceName", "invalid namespace name", NULL},
    {400111, "InvalidNamespaceOwners", "invalid namespace owners", NULL},
    {400112, "InvalidNamespaceToken", "invalid namespace token", NULL},
    {400120, "InvalidServiceName", "invalid service name", NULL},
    {400121, "InvalidServiceOwners", "invalid service owners", NULL},
    {400122, "InvalidServiceToken", "invalid service token", NULL},
    {400123, "InvalidServiceMetadata", "invalid service metadata", NULL},
    {400124, "InvalidServicePorts", "invalid service ports", NULL},
    {400125, "InvalidServiceBusiness", "invalid service business", NULL},
    {400126, "InvalidServiceDepartment", "invalid service department", NULL},
    {400127, "InvalidServiceCMDB", "invalid service CMDB", NULL},
    {400128, "InvalidServiceComment", "invalid service comment", NULL},
    {400129, "InvalidServiceAliasComment", "invalid service alias comment",
     NULL},
    {400130, "InvalidInstanceID", "invalid instance id", NULL},
    {400131, "InvalidInstanceHost", "invalid instance host", NULL},
    {400132, "InvalidInstancePort", "invalid instance port", NULL},
    {400133, "InvalidServiceAlias", "invalid service alias", NULL},
    {400134, "InvalidNamespaceWithAlias",
     "request namespace is not allow to create sid type alias", NULL},
    {400135, "InvalidServiceAliasOwners", "invalid service alias owners", NULL},
    {400136, "InvalidInstanceProtocol", "invalid instance protocol", NULL},
    {400137, "InvalidInstanceVersion", "invalid instance version", NULL},
    {400138, "InvalidInstanceLogicSet", "invalid instance logic set", NULL},
    {400139, "InvalidInstanceIsolate", "invalid instance isolate", NULL},
    {400140, "HealthCheckNotOpen", "server not open health check", NULL},
    {400141, "HeartbeatOnDisabledIns", "heartbeat on disabled instance", NULL},
    {400142, "HeartbeatExceedLimit",
     "instance can only heartbeat 1 time per second", NULL},
    {400143, "HeartbeatTypeNotFound", "",
     "no server info string; i18n en.toml: \"heartbeat type not found\""},
    {400150, "InvalidMetadata",
     "the length of metadata is too long or metadata contains invalid "
     "characters",
     NULL},
    {400151, "InvalidRateLimitID", "invalid rate limit id", NULL},
    {400152, "InvalidRateLimitLabels", "invalid rate limit labels", NULL},
    {400153, "InvalidRateLimitAmounts", "invalid rate limit amounts", NULL},
    {400154, "InvalidRateLimitName", "",
     "no server info string; i18n en.toml: \"invalid rate limit name\""},
    {400160, "InvalidCircuitBreakerID", "invalid circuit breaker id", NULL},
    {400161, "InvalidCircuitBreakerVersion", "invalid circuit breaker version",
     NULL},
    {400162, "InvalidCircuitBreakerName", "invalid circuit breaker name", NULL},
    {400163, "InvalidCircuitBreakerNamespace",
     "invalid circuit breaker namespace", NULL},
    {400164, "InvalidCircuitBreakerOwners", "invalid circuit breaker owners",
     NULL},
    {400165, "InvalidCircuitBreakerToken", "invalid circuit breaker token",
     NULL},
    {400166, "InvalidCircuitBreakerBusiness",
     "invalid circuit breaker business", NULL},
    {400167, "InvalidCircuitBreakerDepartment",
     "invalid circuit breaker department", NULL},
    {400168, "InvalidCircuitBreakerComment", "invalid circuit breaker comment",
     NULL},
    {400169, "CircuitBreakerRuleExisted", "",
     "no server info string; not in en.toml"},
    {400170, "ServicesExistedMesh", "services existed mesh", NULL},
    {400171, "ResourcesExistedMesh", "resources existed mesh", NULL},
    {400172, "InvalidMeshParameter", "invalid mesh parameter", NULL},
    {400180, "InvalidPlatformID", "invalid platform id", NULL},
    {400181, "InvalidPlatformName", "invalid platform name", NULL},
    {400182, "InvalidPlatformDomain", "invalid platform domain", NULL},
    {400183, "InvalidPlatformQPS", "invalid platform qps", NULL},
    {400184, "InvalidPlatformToken", "invalid platform token", NULL},
    {400185, "InvalidPlatformOwner", "invalid platform owner", NULL},
    {400186, "InvalidPlatformDepartment", "invalid platform department", NULL},
    {400187, "InvalidPlatformComment", "invalid platform comment", NULL},
    {400188, "NotFoundPlatform", "not found platform", NULL},
    {400190, "InvalidFluxRateLimitId", "invalid flux ratelimit id", NULL},
    {400191, "InvalidFluxRateLimitQps", "invalid flux ratelimit qps", NULL},
    {400192, "InvalidFluxRateLimitSetKey", "invalid flux ratelimit key", NULL},
    {400201, "ExistedResource", "existed resource", NULL},
    {400202, "NotFoundResource", "not found resource", NULL},
    {400203, "NamespaceExistedServices", "some services existed in namespace",
     NULL},
    {400204, "ServiceExistedInstances", "some instances existed in service",
     NULL},
    {400205, "ServiceExistedRoutings", "some routings existed in service",
     NULL},
    {400206, "ServiceExistedRateLimits", "some rate limits existed in service",
     NULL},
    {400207, "ExistReleasedConfig", "exist released config", NULL},
    {400208, "SameInstanceRequest", "the same instance request", NULL},
    {400209, "ServiceExistedCircuitBreakers",
     "some circuit breakers existed in service", NULL},
    {400210, "ServiceExistedAlias", "some aliases existed in service", NULL},
    {400211, "NamespaceExistedMeshResources",
     "some mesh resources existed in namespace", NULL},
    {400212, "NamespaceExistedCircuitBreakers",
     "some circuit breakers existed in namespace", NULL},
    {400213, "ServiceSubscribedByMeshes", "service subscribed by some mesh",
     NULL},
    {400214, "ServiceExistedFluxRateLimits", "", "no server info string"},
    {400215, "UserExisted", "exist user", NULL},
    {400216, "UserGroupExisted", "exist usergroup", NULL},
    {400217, "AuthStrategyRuleExisted", "exist auth strategy rule", NULL},
    {400218, "SubAccountExisted", "some sub-account existed in owner", NULL},
    {400219, "NamespaceExistedConfigGroups",
     "some config group existed in namespace", NULL},
    {400230, "MaximumCapacityExceeded", "",
     "no server info string; not in en.toml"},
    {400301, "NotFoundService", "not found service", NULL},
    {400302, "NotFoundRouting", "not found routing", NULL},
    {400303, "NotFoundInstance", "not found instances", NULL},
    {400304, "NotFoundServiceAlias", "not found service alias", NULL},
    {400305, "NotFoundNamespace", "not found namespace", NULL},
    {400306, "NotFoundSourceService",
     "not found the source service link with the alias", NULL},
    {400307, "NotFoundRateLimit", "not found rate limit", NULL},
    {400308, "NotFoundCircuitBreaker", "not found circuit breaker", NULL},
    {400309, "NotFoundMasterConfig", "not found master config", NULL},
    {400310, "NotFoundTagConfig", "not found tag config", NULL},
    {400311, "NotFoundTagConfigOrService",
     "not found tag config or service, or relation already exists", NULL},
    {400312, "NotFoundUser", "not found user", NULL},
    {400313, "NotFoundOwnerUser", "not found owner user", NULL},
    {400314, "NotFoundUserGroup", "not found usergroup", NULL},
    {400315, "NotFoundAuthStrategyRule", "not found auth strategy rule", NULL},
    {400401, "ClientAPINotOpen", "client api is not open", NULL},
    {400402, "NotAllowBusinessService", "not allow requesting business service",
     NULL},
    {400410, "InvalidUserOwners", "", "no server info string"},
    {400411, "InvalidUserID", "invalid user-id", NULL},
    {400412, "InvalidUserPassword", "invalid user password", NULL},
    {400413, "InvalidUserMobile", "", "no server info string"},
    {400414, "InvalidUserEmail", "", "no server info string"},
    {400420, "InvalidUserGroupOwners", "invalid usergroup owner attribute",
     NULL},
    {400421, "InvalidUserGroupID", "", "no server info string"},
    {400430, "InvalidAuthStrategyOwners", "invalid auth strategy rule owner",
     NULL},
    {400431, "InvalidAuthStrategyName", "invalid auth strategy rule name",
     NULL},
    {400432, "InvalidAuthStrategyID", "", "no server info string"},
    {400440, "InvalidPrincipalType", "invalid principal type", NULL},
    {400501, "NotAllowAliasUpdate", "not allow service alias updating", NULL},
    {400502, "NotAllowAliasCreateInstance",
     "not allow service alias creating instance", NULL},
    {400503, "NotAllowAliasCreateRouting",
     "not allow service alias creating routing config", NULL},
    {400504, "NotAllowCreateAliasForAlias",
     "only source service can create alias", NULL},
    {400505, "NotAllowAliasCreateRateLimit",
     "not allow service alias creating rate limit", NULL},
    {400506, "NotAllowAliasBindRule", "not allow service alias binding rule",
     NULL},
    {400507, "NotAllowDifferentNamespaceBindRule",
     "not allow different namespace binding rule", NULL},
    {400508, "NotAllowModifyDefaultStrategyPrincipal",
     "not allow modify default strategy principal", NULL},
    {400509, "NotAllowModifyOwnerDefaultStrategy",
     "not allow modify main account default strategy", NULL},
    {400700, "InvalidRoutingID", "invalid routing id", NULL},
    {400701, "InvalidRoutingPolicy",
     "invalid routing policy, only support (RulePolicy,MetadataPolicy)", NULL},
    {400702, "InvalidRoutingName", "invalid routing name", NULL},
    {400703, "InvalidRoutingPriority", "",
     "no server info string; i18n en.toml: \"invalid routing priority, "
     "only support [0, 10]\""},
    {400801, "InvalidConfigFileGroupName", "invalid config file group name",
     NULL},
    {400802, "InvalidConfigFileName", "invalid config file name", NULL},
    {400803, "InvalidConfigFileContentLength", "config file content too long",
     NULL},
    {400804, "InvalidConfigFileFormat",
     "invalid config file format, support json,xml,html,properties,text,yaml",
     NULL},
    {400805, "InvalidConfigFileTags",
     "invalid config file tags, tags should be pair, like "
     "key1,value1,key2,value2, both key and value should not blank",
     "i18n en.toml: \"invalid config file tags, tags should be pair, like "
     "key1,value1,key2,value2. and key,value should not blank\""},
    {400806, "InvalidWatchConfigFileFormat", "invalid watch config file format",
     NULL},
    {400807, "NotFoundResourceConfigFile", "config file not existed", NULL},
    {400808, "InvalidConfigFileTemplateName",
     "invalid config file template name", NULL},
    {400809, "EncryptConfigFileException", "",
     "no server info string; not in en.toml"},
    {400810, "GroupExistActiveRelease", "",
     "before Aug 2024 (spec 3c8c88a) 400810 was "
     "DecryptConfigFileException; no server info string"},
    {400811, "DecryptConfigFileException", "",
     "was 400810 before Aug 2024 (spec 3c8c88a); no server info string"},
    {400812, "InvalidConfigReleaseId", "",
     "no server info string; not in en.toml"},
    {400813, "NotMatchContentToFormat", "",
     "no server info string; not in en.toml"},
    {400814, "InvalidConfigContent", "",
     "no server info string; not in en.toml"},
    {400815, "InvalidConfigId", "", "no server info string; not in en.toml"},
    {400900, "InvalidFaultDetectID", "",
     "no server info string; not in en.toml"},
    {400901, "InvalidFaultDetectName", "",
     "no server info string; not in en.toml"},
    {400902, "InvalidFaultDetectNamespace", "",
     "no server info string; not in en.toml"},
    {400903, "FaultDetectRuleExisted", "",
     "no server info string; not in en.toml"},
    {400904, "InvalidMatchRule", "invalid gray config beta labels",
     "not in en.toml"},
    {401000, "Unauthorized", "unauthorized", NULL},
    {401001, "NotAllowedAccess", "access is not approved", NULL},
    {401002, "EmptyAutToken", "auth token empty", NULL},
    {401003, "TokenDisabled", "token already disabled", NULL},
    {401004, "TokenNotExisted", "token not existed", NULL},
    {403001, "AuthTokenForbidden", "token verify exception",
     "on servers <= 1.13 403001 meant IPRateLimit (\"server limit the ip "
     "access\"); on >= 1.14 it is AuthTokenForbidden (Go const "
     "AuthTokenVerifyException), which was 500100 before"},
    {403002, "OperationRoleForbidden", "operation role exception",
     "on servers <= 1.13 403002 meant APIRateLimit (\"server limit the "
     "api access\"); on >= 1.14 it is OperationRoleForbidden (Go const "
     "OperationRoleException), which was 500101 before"},
    {403003, "APIRateLimit", "server limit the api access",
     "was 403002 on servers <= 1.13"},
    {404001, "CMDBNotFindHost", "not found the host cmdb", NULL},
    {409000, "DataConflict", "data is conflict, please try again", NULL},
    {429001, "InstanceTooManyRequests", "your instance has too many requests",
     "i18n en.toml: \"instance has too many requests\""},
    {429002, "IPRateLimit", "server limit the ip access",
     "was 403001 on servers <= 1.13"},
    {500000, "ExecuteException", "execute exception", NULL},
    {500001, "StoreLayerException", "store layer exception", NULL},
    {500002, "CMDBPluginException", "cmdb plugin exception", NULL},
    {500004, "ParseRoutingException", "parsing routing failed", NULL},
    {500005, "ParseRateLimitException", "parse rate limit failed", NULL},
    {500006, "ParseCircuitBreakerException", "parse circuit breaker failed",
     NULL},
    {500007, "HeartbeatException", "heartbeat execute exception", NULL},
    {500008, "InstanceRegisTimeout", "instance async regist timeout", NULL},
    /* Old numbers used only by servers <= 1.13 (literal numbers in
       common/api/v1/codeinfo.go before the spec enum). */
    {500100, "AuthTokenVerifyException", "token verify exception",
     "servers <= 1.13 only; the same error is 403001 (AuthTokenForbidden) "
     "on servers >= 1.14"},
    {500101, "OperationRoleException", "operation role exception",
     "servers <= 1.13 only; the same error is 403002 "
     "(OperationRoleForbidden) on servers >= 1.14"},
};

/* polaris-java ErrorCode (com.tencent.polaris.api.exception.ErrorCode),
   sorted by code. */
static const struct hb_sdk_code sdk_codes[] = {
    {0, "Success", "ok"},
    {1001, "API_INVALID_ARGUMENT", "API argument invalid"},
    {1002, "INVALID_CONFIG", "config invalid"},
    {1003, "PLUGIN_ERROR", "failed to get plugin"},
    {1004, "API_TIMEOUT", "API call timed out"},
    {1005, "INVALID_STATE", "API called after the SDK was destroyed"},
    {1006, "SERVER_USER_ERROR", "server returned a known error code"},
    {1007, "NETWORK_ERROR", "unknown network error talking to the server"},
    {1008, "CIRCUIT_BREAK_ERROR", "circuit broken"},
    {1009, "INSTANCE_INFO_ERROR", "instance info wrong (e.g. weight empty)"},
    {1010, "INSTANCE_NOT_FOUND", "no instance for load balancing"},
    {1011, "INVALID_RULE", "rule invalid"},
    {1012, "ROUTE_RULE_NOT_MATCH", "routing rule error"},
    {1013, "INVALID_RESPONSE", "invalid response"},
    {1014, "INTERNAL_ERROR", "internal error"},
    {1015, "SERVICE_NOT_FOUND", "service does not exist"},
    {1016, "SERVER_EXCEPTION", "server returned a 500-class error"},
    {1017, "LOCATION_NOT_FOUND", "failed to get location"},
    {1018, "LOCATION_MISMATCH", "nearby routing mismatch"},
    {1019, "METADATA_MISMATCH", "metadata routing mismatch"},
    {1020, "CLIENT_CIRCUIT_BREAKING",
     "client resource circuit-broken (since polaris-java 1.11.0)"},
    {1021, "CLIENT_FAULT_INJECTED",
     "fault injected (since polaris-java 2.1.0.0)"},
    {2001, "CONNECT_ERROR", "internal: connect error"},
    {2002, "SERVER_ERROR",
     "internal: server error (a non-retriable gRPC status)"},
    {2003, "RPC_ERROR", "internal: RPC error"},
    {2004, "RPC_TIMEOUT", "internal: RPC timeout"},
    {2005, "INVALID_SERVER_RESPONSE", "server response invalid"},
    {2006, "INVALID_REQUEST", "server says the request is invalid"},
    {2007, "UNAUTHORIZED", "unauthorized"},
    {2008, "REQUEST_LIMIT", "rate limited"},
    {2009, "CMDB_NOT_FOUND", "CMDB info not found"},
    {2100, "UNKNOWN_SERVER_ERROR", "unknown server error"},
    {20010, "NOT_SUPPORT", "not supported (since polaris-java 1.12.0)"},
    {30001, "RSA_KEY_GENERATE_ERROR", "RSA key generation failed"},
    {30002, "RSA_ENCRYPT_ERROR", "RSA encryption failed"},
    {30003, "RSA_DECRYPT_ERROR", "RSA decryption failed"},
    {30004, "AES_KEY_GENERATE_ERROR", "AES key generation failed"},
    {30005, "AES_ENCRYPT_ERROR", "AES encryption failed"},
    {30006, "AES_DECRYPT_ERROR", "AES decryption failed"},
    {40000, "PARAMETER_ERROR", "parameter error"},
};

/* gRPC canonical status codes: the Java/upper-case name and grpc-go's
   CamelCase String() form; index = numeric code. */
static const struct {
    const char *upper;
    const char *camel;
} grpc_statuses[] = {
    {"OK", "OK"},
    {"CANCELLED", "Canceled"},
    {"UNKNOWN", "Unknown"},
    {"INVALID_ARGUMENT", "InvalidArgument"},
    {"DEADLINE_EXCEEDED", "DeadlineExceeded"},
    {"NOT_FOUND", "NotFound"},
    {"ALREADY_EXISTS", "AlreadyExists"},
    {"PERMISSION_DENIED", "PermissionDenied"},
    {"RESOURCE_EXHAUSTED", "ResourceExhausted"},
    {"FAILED_PRECONDITION", "FailedPrecondition"},
    {"ABORTED", "Aborted"},
    {"OUT_OF_RANGE", "OutOfRange"},
    {"UNIMPLEMENTED", "Unimplemented"},
    {"INTERNAL", "Internal"},
    {"UNAVAILABLE", "Unavailable"},
    {"DATA_LOSS", "DataLoss"},
    {"UNAUTHENTICATED", "Unauthenticated"},
};

const struct hb_server_code *hb_server_code_find(int code)
{
    size_t lo = 0, hi = HB_ARRAY_LEN(server_codes);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (server_codes[mid].code == code)
            return &server_codes[mid];
        if (server_codes[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct hb_server_code *hb_server_code_by_name(const char *name)
{
    size_t i;

    if (name == NULL)
        return NULL;
    for (i = 0; i < HB_ARRAY_LEN(server_codes); i++)
        if (strcmp(server_codes[i].name, name) == 0)
            return &server_codes[i];
    return NULL;
}

bool hb_server_code_ok(int code)
{
    return code == 200000 || code == 200001 || code == 200002 || code == 400201;
}

const struct hb_sdk_code *hb_sdk_code_find(int code)
{
    size_t i;

    for (i = 0; i < HB_ARRAY_LEN(sdk_codes); i++)
        if (sdk_codes[i].code == code)
            return &sdk_codes[i];
    return NULL;
}

const struct hb_sdk_code *hb_sdk_code_by_name(const char *name)
{
    return name ? hb_sdk_code_by_name_n(name, strlen(name)) : NULL;
}

const struct hb_sdk_code *hb_sdk_code_by_name_n(const char *name, size_t n)
{
    size_t i;

    for (i = 0; i < HB_ARRAY_LEN(sdk_codes); i++)
        if (strlen(sdk_codes[i].name) == n &&
            memcmp(sdk_codes[i].name, name, n) == 0)
            return &sdk_codes[i];
    return NULL;
}

const struct hb_server_code *hb_server_code_table(size_t *n)
{
    if (n)
        *n = HB_ARRAY_LEN(server_codes);
    return server_codes;
}

const struct hb_sdk_code *hb_sdk_code_table(size_t *n)
{
    if (n)
        *n = HB_ARRAY_LEN(sdk_codes);
    return sdk_codes;
}

static bool name_is(const char *lit, const char *name, size_t n)
{
    return strlen(lit) == n && memcmp(lit, name, n) == 0;
}

const char *hb_grpc_status_name(size_t i)
{
    return i < HB_ARRAY_LEN(grpc_statuses) ? grpc_statuses[i].upper : NULL;
}

bool hb_grpc_status_valid(const char *name, size_t n)
{
    size_t i;

    if (name == NULL)
        return false;
    for (i = 0; i < HB_ARRAY_LEN(grpc_statuses); i++)
        if (name_is(grpc_statuses[i].upper, name, n))
            return true;
    return false;
}

const char *hb_grpc_status_canonical(const char *name, size_t n)
{
    size_t i;

    if (name == NULL)
        return NULL;
    for (i = 0; i < HB_ARRAY_LEN(grpc_statuses); i++)
        if (name_is(grpc_statuses[i].upper, name, n) ||
            name_is(grpc_statuses[i].camel, name, n))
            return grpc_statuses[i].upper;
    return NULL;
}
