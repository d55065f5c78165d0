/*
 * tool_gen.c - deterministic synthetic log corpus for the benchmark, the
 * --jobs and crash-safety tests: mostly ordinary Spring Boot / polaris-java /
 * Polaris server lines, some unrelated exceptions, and a few hundred Polaris
 * heartbeat/registration failures per million lines. Same seed, same bytes.
 *
 *   tool_gen --size 1G [--seed 42] [--out FILE]        one file (or stdout)
 *   tool_gen --size 1G --files N --dir D [--seed 42]   a tree of N files
 *
 * Lines are assembled from bodies rendered once at start-up into a large
 * buffer written in chunks, so the generator runs well above 300 MB/s.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#define OUT_CHUNK     (4u << 20)  /* flush when this much is buffered */
#define EVENT_MAX     (64u << 10) /* one event (line or record) stays below */
#define POOL          4096        /* pre-rendered bodies per profile */
#define SEGMENT_LINES 40000       /* single-file mode switches profile after */

/* Failure events per million lines, and unrelated exceptions. */
#define POLARIS_PPM     300
#define OTHER_EXC_PPM   2500
#define REGISTER_OK_PPM 50

enum profile { P_BOOT2, P_BOOT3, P_SDK, P_HB, P_ZAP, P_COUNT };

struct sink {
    FILE *fp;
    gzFile gz;
};

struct gen {
    uint64_t rng;
    int64_t ms;         /* current log time, epoch ms (rendered as +08:00) */
    int64_t cached_sec; /* second rendered in date[] */
    char date[32];      /* "yyyy-MM-dd HH:mm:ss" (19 used) */
    char *buf;
    size_t len;
    struct sink sink;
    uint64_t bytes, lines, polaris, other;
    const char *svc; /* service of the current file/segment */
    int svc_port;
    char host[16];
    int pid;
    bool failed;
};

/* Bodies: everything of a line after the timestamp (and level). */
struct pool {
    char *text; /* owned: all bodies back to back */
    uint32_t off[POOL];
    uint16_t len[POOL];
};

static struct pool pools[P_COUNT];
static struct pool threads_console, threads_file;

static uint64_t rnd(struct gen *g)
{
    uint64_t x = g->rng;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    g->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, n). */
static uint32_t below(struct gen *g, uint32_t n)
{
    return (uint32_t)(((rnd(g) >> 32) * (uint64_t)n) >> 32);
}

static const char *pick(struct gen *g, const char *const *list, size_t n)
{
    return list[below(g, (uint32_t)n)];
}

#define PICK(g, a) pick((g), (a), sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- output */

static void flush(struct gen *g)
{
    if (g->len == 0)
        return;
    if (g->sink.gz) {
        if (gzwrite(g->sink.gz, g->buf, (unsigned)g->len) != (int)g->len)
            g->failed = true;
    } else if (fwrite(g->buf, 1, g->len, g->sink.fp) != g->len) {
        g->failed = true;
    }
    g->len = 0;
}

static void put(struct gen *g, const char *p, size_t n)
{
    memcpy(g->buf + g->len, p, n);
    g->len += n;
}

static void puts_(struct gen *g, const char *s)
{
    put(g, s, strlen(s));
}

static void printf_(struct gen *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void printf_(struct gen *g, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(g->buf + g->len, EVENT_MAX / 2, fmt, ap);
    va_end(ap);
    if (n > 0)
        g->len += (size_t)n < EVENT_MAX / 2 ? (size_t)n : EVENT_MAX / 2 - 1;
}

static void newline(struct gen *g)
{
    g->buf[g->len++] = '\n';
    g->lines++;
}

/* ------------------------------------------------------------ timestamps */

static void tick(struct gen *g)
{
    g->ms += below(g, 4);
    if (g->ms / 1000 != g->cached_sec) {
        time_t t = (time_t)(g->ms / 1000 + 8 * 3600);
        struct tm tm;

        gmtime_r(&t, &tm);
        snprintf(g->date, sizeof g->date, "%04d-%02d-%02d %02d:%02d:%02d",
                 (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
                 tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
                 tm.tm_sec % 100);
        g->cached_sec = g->ms / 1000;
    }
}

static void put_ms(struct gen *g)
{
    unsigned ms = (unsigned)(g->ms % 1000);
    char *p = g->buf + g->len;

    p[0] = '.';
    p[1] = (char)('0' + ms / 100);
    p[2] = (char)('0' + ms / 10 % 10);
    p[3] = (char)('0' + ms % 10);
    g->len += 4;
}

/* "2025-06-25 10:00:01.101" */
static void put_date_space(struct gen *g)
{
    put(g, g->date, 19);
    put_ms(g);
}

/* "2025-06-25T10:00:01.101+08:00" */
static void put_date_iso(struct gen *g)
{
    put(g, g->date, 19);
    g->buf[g->len - 9] = 'T';
    put_ms(g);
    put(g, "+08:00", 6);
}

/* "2025-06-25T10:00:01.101234Z" (zap: local time, literal Z) */
static void put_date_zap(struct gen *g)
{
    put(g, g->date, 19);
    g->buf[g->len - 9] = 'T';
    put_ms(g);
    printf_(g, "%03uZ", below(g, 1000));
}

/* ----------------------------------------------------------------- pools */

static void pool_build(struct gen *g, struct pool *p,
                       void (*render)(struct gen *, char *, size_t))
{
    size_t cap = (size_t)POOL * 512, used = 0;
    char tmp[512];

    p->text = malloc(cap);
    if (p->text == NULL) {
        fprintf(stderr, "tool_gen: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < POOL; i++) {
        size_t n;

        render(g, tmp, sizeof tmp);
        n = strlen(tmp);
        memcpy(p->text + used, tmp, n);
        p->off[i] = (uint32_t)used;
        p->len[i] = (uint16_t)n;
        used += n;
    }
}

static void put_pool(struct gen *g, const struct pool *p)
{
    uint32_t i = below(g, POOL);

    put(g, p->text + p->off[i], p->len[i]);
}

static const char *const services[] = {
    "order-service",    "payment-service", "user-center",  "inventory-svc",
    "gateway",          "notify-service",  "coupon-svc",   "search-api",
    "shipping-service", "risk-engine",     "billing-core", "catalog-svc",
};

static const char *const words[] = {
    "alpha", "bravo", "cart",  "delta", "echo",  "sku",   "promo", "vip",
    "north", "south", "batch", "retry", "cache", "index", "audit", "sync",
};

static const char *const thread_names[] = {
    "main",
    "nio-8080-exec-1",
    "nio-8080-exec-2",
    "nio-8080-exec-7",
    "http-nio-8080-exec-10",
    "scheduling-1",
    "task-3",
    "lettuce-epollEventLoop-4-1",
    "kafka-consumer-0-C-1",
    "HikariPool-1 housekeeper",
    "pool-2-thread-5",
    "reactor-http-epoll-2",
    "RMI TCP Connection(2)-127.0.0.1",
    "SpringApplicationShutdownHook",
};

/* A logger padded like %-40.40logger{39}, then " : " and a message. */
static void render_boot_body(struct gen *g, char *out, size_t cap)
{
    const char *lg;
    char msg[400];
    unsigned a = below(g, 100000), b = below(g, 2000);

    switch (below(g, 20)) {
    case 0:
        lg = "c.e.order.OrderController";
        snprintf(msg, sizeof msg, "order %u accepted", a);
        break;
    case 1:
        lg = "o.s.web.servlet.DispatcherServlet";
        snprintf(msg, sizeof msg, "Completed 200 OK in %u ms", b);
        break;
    case 2:
        lg = "o.s.web.servlet.DispatcherServlet";
        snprintf(msg, sizeof msg, "GET \"/api/v1/orders/%u\", parameters={}",
                 a);
        break;
    case 3:
        lg = "c.e.user.UserQueryService";
        snprintf(msg, sizeof msg, "user %u logged in from 10.%u.%u.%u", a,
                 below(g, 256), below(g, 256), below(g, 256));
        break;
    case 4:
        lg = "com.zaxxer.hikari.pool.HikariPool";
        snprintf(msg, sizeof msg,
                 "HikariPool-1 - Pool stats (total=10, active=%u, idle=%u, "
                 "waiting=0)",
                 b % 10, 10 - b % 10);
        break;
    case 5:
        lg = "c.e.inventory.StockReservation";
        snprintf(msg, sizeof msg, "reserved %u units of sku-%u for cart %s-%u",
                 b % 20 + 1, a, PICK(g, words), b);
        break;
    case 6:
        lg = "c.e.payment.PaymentClient";
        snprintf(msg, sizeof msg,
                 "payment %u authorized, amount=%u.%02u CNY, channel=%s", a, b,
                 b % 100, PICK(g, words));
        break;
    case 7:
        lg = "o.a.k.c.c.internals.SubscriptionState";
        snprintf(msg, sizeof msg,
                 "Resetting offset for partition orders-%u to position "
                 "FetchPosition{offset=%u, offsetEpoch=Optional.empty}",
                 b % 12, a);
        break;
    case 8:
        lg = "c.e.order.service.OrderService";
        snprintf(msg, sizeof msg, "cache miss for key %s:%u, loading",
                 PICK(g, words), a);
        break;
    case 9:
        lg = "c.e.order.filter.SlowRequestFilter";
        snprintf(msg, sizeof msg,
                 "slow request: POST /api/v1/checkout took %u ms", b + 1000);
        break;
    case 10:
        lg = "c.e.order.aop.InvokeLogAspect";
        snprintf(msg, sizeof msg,
                 "Exiting from invoke method, took %u ms, result code 0", b);
        break;
    case 11:
        lg = "c.e.inventory.BatchWriter";
        snprintf(msg, sizeof msg, "[%s] batch %u flushed %u rows",
                 PICK(g, words), a, b);
        break;
    case 12:
        lg = "o.s.web.servlet.DispatcherServlet";
        snprintf(msg, sizeof msg,
                 "Initializing Servlet 'dispatcherServlet' in %u ms", b % 50);
        break;
    case 13:
        lg = "o.s.cloud.openfeign.FeignClientFactoryBean";
        snprintf(msg, sizeof msg,
                 "Feign client %s-client request GET http://%s/items/%u",
                 PICK(g, words), PICK(g, services), a);
        break;
    case 14:
        lg = "i.l.core.protocol.ConnectionWatchdog";
        snprintf(msg, sizeof msg,
                 "Reconnecting, last destination was redis-%u/10.3.%u.%u:6379",
                 b % 3, below(g, 256), below(g, 256));
        break;
    case 15:
        lg = "c.t.c.r.stat.PolarisStatServer";
        snprintf(msg, sizeof msg, "Stat server started on port: %u (http)",
                 20000 + a % 40000);
        break;
    case 16:
        lg = "o.s.k.l.KafkaMessageListenerContainer";
        snprintf(msg, sizeof msg,
                 "%s-group: partitions assigned: [orders-%u, orders-%u]",
                 PICK(g, services), b % 12, (b + 1) % 12);
        break;
    case 17:
        lg = "c.e.coupon.CouponService";
        snprintf(msg, sizeof msg,
                 "coupon %s-%u applied to order %u (discount %u%%)",
                 PICK(g, words), b, a, b % 50);
        break;
    case 18:
        lg = "o.s.r.support.RetryTemplate";
        snprintf(msg, sizeof msg,
                 "Retrying request to %s after %u ms (attempt %u of 3)",
                 PICK(g, services), b, b % 3 + 1);
        break;
    default:
        lg = "o.s.s.web.session.SessionRegistry";
        snprintf(msg, sizeof msg,
                 "Session %08x expired after %u seconds of inactivity",
                 (unsigned)rnd(g), b);
        break;
    }
    snprintf(out, cap, "%-40.40s : %s", lg, msg);
}

static const char *const sdk_threads_loggers[] = {
    "main :c.t.p.c.s.ConfigAPIFactory",
    "polaris-connection-1:c.t.p.p.c.g.ConnectionManager",
    "polaris-connection-2:c.t.p.p.c.g.ConnectionManager",
    "polaris-async-register-1:c.t.p.d.c.f.RegisterFlow",
    "polaris-update-task-1:c.t.p.p.c.g.GrpcServiceUpdateTask",
    "polaris-report-client-1:c.t.p.c.e.ReportClientJob",
    "polaris-stat-1:c.t.p.p.s.p.PrometheusReporter",
    "main :c.t.p.d.c.f.DefaultDiscoveryFlow",
};

static void render_sdk_body(struct gen *g, char *out, size_t cap)
{
    const char *lvl = below(g, 10) < 8 ? "INFO" : "DEBUG";
    const char *tl = PICK(g, sdk_threads_loggers);
    char msg[400];
    unsigned a = below(g, 100000);

    switch (below(g, 8)) {
    case 0:
        snprintf(msg, sizeof msg,
                 "connection ConnID{id='%08x-31d5-4c8e-9a51-%012x', "
                 "clusterType=SERVICE_DISCOVER_CLUSTER, host='10.0.0.7', "
                 "port=8091} created",
                 (unsigned)rnd(g), (unsigned)rnd(g));
        break;
    case 1:
        snprintf(msg, sizeof msg,
                 "[ServerConnector]send request(id=%u) to 10.0.0.7:8091 for "
                 "service ServiceEventKey{serviceKey=ServiceKey{namespace='"
                 "default', service='%s'}, eventType=INSTANCE}",
                 a, PICK(g, services));
        break;
    case 2:
        snprintf(msg, sizeof msg,
                 "[ServerConnector]request(id=%u) receive response for "
                 "ServiceEventKey{serviceKey=ServiceKey{namespace='default', "
                 "service='%s'}, eventType=INSTANCE}",
                 a, PICK(g, services));
        break;
    case 3:
        snprintf(msg, sizeof msg,
                 "[AsyncHeartbeat]Instance heartbeat success, namespace:"
                 "default, service:%s, host:10.1.0.%u, port:8080",
                 services[a % 8], 1 + a % 8);
        break;
    case 4:
        snprintf(msg, sizeof msg, "[doCloseConnection] connection %08x: closed",
                 (unsigned)rnd(g));
        break;
    case 5:
        snprintf(msg, sizeof msg,
                 "register default/%s instance %016" PRIx64 " successfully",
                 PICK(g, services), rnd(g));
        break;
    case 6:
        snprintf(msg, sizeof msg,
                 "[ServerConnector]cluster SERVICE_DISCOVER_CLUSTER, service "
                 "Polaris::polaris.discover has been made ready");
        break;
    default:
        snprintf(msg, sizeof msg, "Polaris config initialized");
        break;
    }
    snprintf(out, cap, " %s [%s] %s", lvl, tl, msg);
}

/* A heartbeat file belongs to a few instances (one JVM each), so hosts
 * come from a small pool, as in real logs. */
static void render_hb_body(struct gen *g, char *out, size_t cap)
{
    unsigned b3 = 1 + below(g, 8);
    const char *svc = services[b3 - 1];

    if (below(g, 20) == 0)
        snprintf(out, cap,
                 "[AsyncHeartbeat]Instance heartbeat task started, namespace:"
                 "default, service:%s, host:10.1.0.%u, port:8080",
                 svc, b3);
    else
        snprintf(out, cap,
                 "[AsyncHeartbeat]Instance heartbeat success. Reset fail "
                 "count. namespace:default, service:%s, host:10.1.0.%u, "
                 "port:8080",
                 svc, b3);
}

static void render_zap_body(struct gen *g, char *out, size_t cap)
{
    unsigned a = below(g, 1000000);

    switch (below(g, 5)) {
    case 0:
        snprintf(out, cap,
                 "\tinfo\tnaming\tservice/instance.go:97\tcreate instance: "
                 "id=%016" PRIx64 ", namespace=default, service=%s, "
                 "host=10.%u.%u.%u, port=8080\t{\"request-id\": \"1%06u\", "
                 "\"cost\": \"%u.%ums\"}",
                 rnd(g), PICK(g, services), below(g, 256), below(g, 256),
                 below(g, 256), a, a % 9, a % 10);
        break;
    case 1:
        snprintf(out, cap,
                 "\tinfo\tapiserver\tgrpcserver/base.go:236\t[API-Server]"
                 "[GRPC] receive request\t{\"client-address\": "
                 "\"10.%u.%u.%u:%u\", \"user-agent\": \"polaris-java/1.15.8\","
                 " \"request-id\": \"4%06u\", \"method\": "
                 "\"/v1.PolarisGRPC/Discover\"}",
                 below(g, 256), below(g, 256), below(g, 256), 30000 + a % 30000,
                 a);
        break;
    case 2:
        snprintf(out, cap,
                 "\tinfo\tcache\tcache/instance.go:211\t[Cache][Instance] "
                 "get more instances\t{\"update\": %u, \"delete\": 0, "
                 "\"last\": \"2025-06-25 11:17:47\", \"used\": \"%uus\"}",
                 a % 7, a % 900);
        break;
    case 3:
        snprintf(out, cap,
                 "\tinfo\thealthcheck\thealthcheck/check.go:155\t[Health "
                 "Check][Check]add check instance is %016" PRIx64
                 ", host is 10.%u.%u.%u:8080",
                 rnd(g), below(g, 256), below(g, 256), below(g, 256));
        break;
    default:
        snprintf(out, cap,
                 "\tdebug\tstore\tsqldb/instance.go:722\t[Store][database] "
                 "get instances count: %u, cost %u ms",
                 a % 400, a % 12);
        break;
    }
}

static void render_thread_console(struct gen *g, char *out, size_t cap)
{
    const char *t = PICK(g, thread_names);
    size_t n = strlen(t);

    /* %15.15t: right-aligned, truncated from the left */
    if (n > 15)
        t += n - 15;
    snprintf(out, cap, "[%15s] ", t);
}

static void render_thread_file(struct gen *g, char *out, size_t cap)
{
    snprintf(out, cap, "[%s] ", PICK(g, thread_names));
}

static void pools_init(uint64_t seed)
{
    struct gen g;

    memset(&g, 0, sizeof g);
    g.rng = seed * 0x9E3779B97F4A7C15ULL + 1;
    pool_build(&g, &pools[P_BOOT2], render_boot_body);
    pools[P_BOOT3] = pools[P_BOOT2];
    pool_build(&g, &pools[P_SDK], render_sdk_body);
    pool_build(&g, &pools[P_HB], render_hb_body);
    pool_build(&g, &pools[P_ZAP], render_zap_body);
    pool_build(&g, &threads_console, render_thread_console);
    pool_build(&g, &threads_file, render_thread_file);
}

/* ------------------------------------------------------- record headers */

static const char *level_of(struct gen *g)
{
    uint32_t r = below(g, 100);

    return r < 80 ? " INFO" : r < 92 ? "DEBUG" : " WARN";
}

/* Header up to the logger for the Spring Boot profiles. */
static void boot_head(struct gen *g, enum profile pf, const char *level)
{
    if (pf == P_BOOT2) {
        put_date_space(g);
    } else {
        put_date_iso(g);
    }
    g->buf[g->len++] = ' ';
    put(g, level, 5);
    printf_(g, " %d --- ", g->pid);
    if (pf == P_BOOT3) {
        if (g->pid & 1)
            printf_(g, "[%s] ", g->svc);
        put_pool(g, &threads_file);
    } else {
        put_pool(g, &threads_console);
    }
}

static void boot_line(struct gen *g, enum profile pf, const char *level,
                      const char *thread, const char *logger, const char *fmt,
                      ...) __attribute__((format(printf, 6, 7)));
static void boot_line(struct gen *g, enum profile pf, const char *level,
                      const char *thread, const char *logger, const char *fmt,
                      ...)
{
    va_list ap;
    int n;

    if (pf == P_BOOT2)
        put_date_space(g);
    else
        put_date_iso(g);
    printf_(g, " %s %d --- ", level, g->pid);
    if (pf == P_BOOT3 && (g->pid & 1))
        printf_(g, "[%s] ", g->svc);
    if (pf == P_BOOT2)
        printf_(g, "[%15.15s] ", thread);
    else
        printf_(g, "[%s] ", thread);
    printf_(g, "%-40.40s : ", logger);
    va_start(ap, fmt);
    n = vsnprintf(g->buf + g->len, EVENT_MAX / 4, fmt, ap);
    va_end(ap);
    if (n > 0)
        g->len += (size_t)n < EVENT_MAX / 4 ? (size_t)n : EVENT_MAX / 4 - 1;
    newline(g);
}

static void sdk_line(struct gen *g, const char *level, const char *tl,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void sdk_line(struct gen *g, const char *level, const char *tl,
                     const char *fmt, ...)
{
    va_list ap;
    int n;

    put_date_space(g);
    printf_(g, " %s [%s] ", level, tl);
    va_start(ap, fmt);
    n = vsnprintf(g->buf + g->len, EVENT_MAX / 4, fmt, ap);
    va_end(ap);
    if (n > 0)
        g->len += (size_t)n < EVENT_MAX / 4 ? (size_t)n : EVENT_MAX / 4 - 1;
    newline(g);
}

/* --------------------------------------------------------- stack traces */

static const char *const biz_frames[] = {
    "com.example.order.OrderController.checkout(OrderController.java:57)",
    "com.example.order.service.OrderService.place(OrderService.java:121)",
    "com.example.payment.PaymentClient.charge(PaymentClient.java:88)",
    "sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)",
    "java.base/"
    "jdk.internal.reflect.DirectMethodHandleAccessor.invoke("
    "DirectMethodHandleAccessor.java:103)",
    "org.springframework.web.method.support.InvocableHandlerMethod.doInvoke("
    "InvocableHandlerMethod.java:205)",
    "org.springframework.web.servlet.DispatcherServlet.doDispatch("
    "DispatcherServlet.java:1072)",
    "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet."
    "java:883)",
    "org.apache.catalina.core.ApplicationFilterChain.internalDoFilter("
    "ApplicationFilterChain.java:227)",
    "org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run("
    "ThreadPoolExecutor.java:659)",
    "java.base/java.lang.Thread.run(Thread.java:840)",
};

static const char *const sdk_frames[] = {
    "com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse("
    "GrpcUtil.java:198) ~[connector-polaris-grpc-1.15.8.jar!/:na]",
    "com.tencent.polaris.plugins.connector.grpc.GrpcConnector.heartbeat("
    "GrpcConnector.java:499) ~[connector-polaris-grpc-1.15.8.jar!/:na]",
    "com.tencent.polaris.plugins.connector.composite.CompositeConnector."
    "heartbeat(CompositeConnector.java:201) "
    "~[connector-composite-1.15.8.jar!/:na]",
    "com.tencent.polaris.discovery.client.flow.DefaultDiscoveryFlow.heartbeat("
    "DefaultDiscoveryFlow.java:218) "
    "~[polaris-discovery-client-1.15.8.jar!/:na]",
    "com.tencent.polaris.discovery.client.flow.RegisterFlow.doRunHeartbeat("
    "RegisterFlow.java:81) ~[polaris-discovery-client-1.15.8.jar!/:na]",
    "java.base/"
    "java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:539) "
    "~[na:na]",
    "java.base/"
    "java.util.concurrent.FutureTask.runAndReset(FutureTask.java:305) ~[na:na]",
};

static void frames(struct gen *g, const char *const *f, size_t n, unsigned k)
{
    if (k > n)
        k = (unsigned)n;
    for (unsigned i = 0; i < k; i++) {
        puts_(g, "\tat ");
        puts_(g, f[i]);
        newline(g);
    }
}

#define FRAMES(g, a, k) frames((g), (a), sizeof(a) / sizeof((a)[0]), (k))

static void more(struct gen *g)
{
    printf_(g, "\t... %u common frames omitted", 5 + below(g, 40));
    newline(g);
}

/* ----------------------------------------------- unrelated exceptions */

static void other_exception(struct gen *g, enum profile pf)
{
    const char *exec = "nio-8080-exec-4";

    g->other++;
    switch (below(g, 4)) {
    case 0: /* NPE in business code, Tomcat's "with root cause" + blank */
        boot_line(g, pf, "ERROR", exec, "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                  "Servlet.service() for servlet [dispatcherServlet] in "
                  "context with path [] threw exception [Request processing "
                  "failed; nested exception is java.lang.NullPointerException]"
                  " with root cause");
        newline(g);
        puts_(g, "java.lang.NullPointerException: Cannot invoke \"com.example."
                 "order.Cart.items()\" because \"cart\" is null");
        newline(g);
        FRAMES(g, biz_frames, 6 + below(g, 10));
        break;
    case 1: /* redis refused */
        boot_line(g, pf, " WARN", "lettuce-epollEventLoop-4-1",
                  "o.s.d.r.c.l.LettuceConnectionFactory",
                  "Unable to connect to redis");
        puts_(g, "io.lettuce.core.RedisConnectionException: Unable to connect "
                 "to redis-0.cache/10.3.0.12:6379");
        newline(g);
        puts_(g, "\tat io.lettuce.core.RedisConnectionException.create("
                 "RedisConnectionException.java:78)");
        newline(g);
        puts_(g, "\tat io.lettuce.core.AbstractRedisClient.getConnection("
                 "AbstractRedisClient.java:330)");
        newline(g);
        puts_(g, "Caused by: io.netty.channel.AbstractChannel$"
                 "AnnotatedConnectException: Connection refused: "
                 "redis-0.cache/10.3.0.12:6379");
        newline(g);
        puts_(g, "Caused by: java.net.ConnectException: Connection refused");
        newline(g);
        puts_(g, "\tat sun.nio.ch.SocketChannelImpl.checkConnect(Native "
                 "Method)");
        newline(g);
        more(g);
        break;
    case 2: /* payment gRPC deadline */
        boot_line(g, pf, "ERROR", exec, "c.e.payment.PaymentClient",
                  "payment call failed for order %u", below(g, 100000));
        printf_(g,
                "io.grpc.StatusRuntimeException: DEADLINE_EXCEEDED: "
                "deadline exceeded after 2.9%08us. [closed=[], "
                "open=[[remote_addr=payment-svc/10.1.4.20:9090]]]",
                below(g, 100000000));
        newline(g);
        puts_(g, "\tat io.grpc.stub.ClientCalls.toStatusRuntimeException("
                 "ClientCalls.java:268)");
        newline(g);
        puts_(g, "\tat io.grpc.stub.ClientCalls.getUnchecked(ClientCalls.java:"
                 "249)");
        newline(g);
        puts_(g, "\tat com.example.payment.grpc.PaymentGrpc$PaymentBlockingStub"
                 ".charge(PaymentGrpc.java:311)");
        newline(g);
        FRAMES(g, biz_frames, 4 + below(g, 6));
        break;
    default: /* SQL timeout */
        boot_line(g, pf, " WARN", exec,
                  "o.h.engine.jdbc.spi.SqlExceptionHelper",
                  "SQL Error: 0, SQLState: null");
        boot_line(g, pf, "ERROR", exec, "c.e.order.service.OrderService",
                  "query failed");
        puts_(g, "org.springframework.dao.QueryTimeoutException: "
                 "PreparedStatementCallback; SQL [select * from orders where "
                 "user_id = ?]; Statement cancelled due to timeout or client "
                 "request; nested exception is com.mysql.cj.jdbc.exceptions."
                 "MySQLTimeoutException: Statement cancelled due to timeout "
                 "or client request");
        newline(g);
        FRAMES(g, biz_frames, 3 + below(g, 6));
        puts_(g, "Caused by: com.mysql.cj.jdbc.exceptions.MySQLTimeoutException"
                 ": Statement cancelled due to timeout or client request");
        newline(g);
        puts_(g,
              "\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal"
              "(ClientPreparedStatement.java:986)");
        newline(g);
        more(g);
        break;
    }
}

/* --------------------------------------------------- Polaris failures */

static const char *const api_errors[] = {
    "ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open",
    "ERR-1006(SERVER_USER_ERROR), server error 400401: client api is not open",
};

static void trace_400401(struct gen *g)
{
    printf_(g, "com.tencent.polaris.api.exception.PolarisException: %s",
            api_errors[below(g, 8) == 0]);
    newline(g);
    FRAMES(g, sdk_frames, 5 + below(g, 3));
}

static void trace_network(struct gen *g, const char *op)
{
    printf_(g,
            "com.tencent.polaris.api.exception.RetriableException: "
            "ERR-1007(NETWORK_ERROR): fail to %s id %016" PRIx64
            ", host %s:%d service ServiceKey{namespace='default', "
            "service='%s'}, cause: UNAVAILABLE: io exception",
            op, rnd(g), g->host, g->svc_port, g->svc);
    newline(g);
    /* no GrpcUtil.checkResponse frame: the RPC itself failed */
    frames(g, sdk_frames + 1, sizeof sdk_frames / sizeof sdk_frames[0] - 1,
           3 + below(g, 3));
    puts_(g, "Caused by: io.grpc.StatusRuntimeException: UNAVAILABLE: io "
             "exception");
    newline(g);
    puts_(g, "\tat io.grpc.stub.ClientCalls.toStatusRuntimeException("
             "ClientCalls.java:268)");
    newline(g);
    more(g);
    puts_(g, "Caused by: io.netty.channel.AbstractChannel$"
             "AnnotatedConnectException: Connection refused: /10.0.0.7:8091");
    newline(g);
    puts_(g, "Caused by: java.net.ConnectException: Connection refused");
    newline(g);
    puts_(g, "\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)");
    newline(g);
    more(g);
}

static void hb_tail(struct gen *g)
{
    g->buf[g->len++] = '|';
    put_date_space(g);
    newline(g);
}

static void polaris_failure(struct gen *g, enum profile pf)
{
    unsigned cnt = 1 + below(g, 30);

    g->polaris++;
    switch (pf) {
    case P_BOOT2:
    case P_BOOT3:
        switch (below(g, 4)) {
        case 0:
            boot_line(g, pf, "ERROR", "main",
                      "c.t.c.p.registry.PolarisServiceRegistry",
                      "polaris registry, %s register failed..."
                      "PolarisRegistration{ polarisDiscoveryProperties="
                      "PolarisDiscoveryProperties{namespace='default', "
                      "service='%s'}, host='%s', instanceId='null'},",
                      g->svc, g->svc, g->host);
            trace_400401(g);
            break;
        case 1:
            boot_line(g, pf, "ERROR", "polaris-polaris-heartbeat-1",
                      "c.t.c.p.registry.PolarisServiceRegistry",
                      "polaris heartbeat error with code [SERVER_USER_ERROR]");
            trace_400401(g);
            break;
        case 2:
            boot_line(g, pf, "ERROR", "polaris-polaris-heartbeat-1",
                      "c.t.c.p.registry.PolarisServiceRegistry",
                      "polaris heartbeat error with code [NETWORK_ERROR]");
            trace_network(g, "heartbeat");
            break;
        default:
            boot_line(g, pf, "ERROR", "main",
                      "c.t.c.p.registry.PolarisServiceRegistry",
                      "polaris registry, %s register failed..."
                      "PolarisRegistration{ host='%s'},",
                      g->svc, g->host);
            puts_(g, "com.tencent.polaris.api.exception.PolarisException: "
                     "ERR-1004(API_TIMEOUT): instance register request "
                     "timeout.");
            newline(g);
            FRAMES(g, sdk_frames, 4);
            break;
        }
        break;
    case P_SDK:
        switch (below(g, 4)) {
        case 0:
            sdk_line(g, "WARN",
                     "polaris-async-register-1:c.t.p.p.c.g.GrpcConnector",
                     "heartbeat fail, req: CommonProviderRequest{instanceID="
                     "'%016" PRIx64 "', namespace='default', service='%s', "
                     "token='', host='%s', port=%d, ttl=5, targetServer=null,"
                     " timeoutMs=1000}, msg: %s",
                     rnd(g), g->svc, g->host, g->svc_port, api_errors[0]);
            break;
        case 1:
            sdk_line(g, "ERROR",
                     "polaris-async-register-1:c.t.p.d.c.f.RegisterFlow",
                     "[AsyncHeartbeat]Instance heartbeat failed, namespace:"
                     "default, service:%s, host:%s, port:%d, serverErrCode:"
                     "400401, heartbeat fail count:%u",
                     g->svc, g->host, g->svc_port, cnt);
            trace_400401(g);
            break;
        case 2:
            sdk_line(g, "ERROR",
                     "polaris-connection-2:c.t.p.p.c.g.ConnectionManager",
                     "fail to get connection, opKey is InstanceHeartbeat, "
                     "cluster HEALTH_CHECK_CLUSTER");
            sdk_line(g, "ERROR",
                     "polaris-async-register-1:c.t.p.d.c.f.RegisterFlow",
                     "[AsyncHeartbeat]Instance heartbeat failed, namespace:"
                     "default, service:%s, host:%s, port:%d, heartbeat fail "
                     "count:%u",
                     g->svc, g->host, g->svc_port, cnt);
            trace_network(g, "heartbeat");
            break;
        default:
            sdk_line(
                g, "WARN",
                "polaris-async-register-1:c.t.p.d.c.f.DefaultDiscoveryFlow",
                "heartbeat request error, retrying.");
            puts_(g, "com.tencent.polaris.api.exception.PolarisException: "
                     "ERR-1004(API_TIMEOUT): heartbeat request timeout.");
            newline(g);
            FRAMES(g, sdk_frames, 3);
            break;
        }
        break;
    case P_HB:
        if (below(g, 2) == 0) {
            printf_(g,
                    "[AsyncHeartbeat]Instance heartbeat failed, namespace:"
                    "default, service:%s, host:%s, port:%d, heartbeat "
                    "fail count:%u",
                    g->svc, g->host, g->svc_port, cnt);
            hb_tail(g);
            trace_400401(g);
        } else {
            printf_(g,
                    "[AsyncHeartbeat]Instance heartbeat failed not because "
                    "of NOT_FOUND_RESOURCE. Reset fail count. namespace:"
                    "default, service:%s, host:%s, port:%d, heartbeat "
                    "fail count:%u",
                    g->svc, g->host, g->svc_port, cnt);
            hb_tail(g);
            trace_network(g, "heartbeat");
        }
        break;
    default:
        put_date_zap(g);
        printf_(g,
                "\terror\tapiserver\tgrpcserver/base.go:330\t[API-Server]"
                "[GRPC] send response\t{\"client-address\": \"%s:%u\", "
                "\"user-agent\": \"polaris-java/1.15.8\", \"request-id\": "
                "\"3%06u\", \"method\": \"/v1.PolarisGRPC/Heartbeat\", "
                "\"response\": \"code:{value:400401} info:{value:\\\"client"
                " api is not open\\\"}\"}",
                g->host, 30000 + below(g, 30000), below(g, 1000000));
        newline(g);
        break;
    }
}

/* ------------------------------------------------------------ one event */

static void event(struct gen *g, enum profile pf)
{
    uint32_t r = below(g, 1000000);

    tick(g);
    if (r < POLARIS_PPM) {
        polaris_failure(g, pf);
        return;
    }
    if (r < POLARIS_PPM + OTHER_EXC_PPM && (pf == P_BOOT2 || pf == P_BOOT3)) {
        other_exception(g, pf);
        return;
    }
    if (r < POLARIS_PPM + OTHER_EXC_PPM + REGISTER_OK_PPM &&
        (pf == P_BOOT2 || pf == P_BOOT3)) {
        boot_line(g, pf, " INFO", "main",
                  "c.t.c.p.registry.PolarisServiceRegistry",
                  "polaris registry, default %s %s:%d {} register finished",
                  g->svc, g->host, g->svc_port);
        return;
    }
    switch (pf) {
    case P_BOOT2:
    case P_BOOT3:
        boot_head(g, pf, level_of(g));
        put_pool(g, &pools[pf]);
        break;
    case P_SDK:
        put_date_space(g);
        put_pool(g, &pools[pf]);
        break;
    case P_HB:
        put_pool(g, &pools[pf]);
        g->buf[g->len++] = '|';
        put_date_space(g);
        break;
    default:
        put_date_zap(g);
        put_pool(g, &pools[pf]);
        break;
    }
    newline(g);
}

/* Writes about `size` bytes of profile pf (single profile when !mixed). */
static void generate(struct gen *g, uint64_t size, enum profile pf, bool mixed)
{
    static const enum profile mix[] = {P_BOOT2, P_BOOT3, P_BOOT2, P_SDK,
                                       P_BOOT3, P_HB,    P_BOOT2, P_ZAP,
                                       P_BOOT3, P_SDK};
    uint64_t seg_left = SEGMENT_LINES;
    size_t seg = 0;

    if (mixed)
        pf = mix[0];
    while (g->bytes + g->len < size && !g->failed) {
        event(g, pf);
        if (mixed && --seg_left == 0) {
            seg = (seg + 1) % (sizeof mix / sizeof mix[0]);
            pf = mix[seg];
            seg_left = SEGMENT_LINES;
            g->svc = services[below(g, sizeof services / sizeof services[0])];
            g->pid = 1000 + (int)below(g, 60000);
        }
        if (g->len >= OUT_CHUNK) {
            g->bytes += g->len;
            flush(g);
        }
    }
    g->bytes += g->len;
    flush(g);
}

/* ---------------------------------------------------------------- driver */

static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s)
        return false;
    switch (*end) {
    case 'k':
    case 'K':
        v <<= 10;
        end++;
        break;
    case 'm':
    case 'M':
        v <<= 20;
        end++;
        break;
    case 'g':
    case 'G':
        v <<= 30;
        end++;
        break;
    default:
        break;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end != '\0')
        return false;
    *out = v;
    return true;
}

static void gen_init(struct gen *g, uint64_t seed, uint64_t salt)
{
    memset(g, 0, sizeof *g);
    g->rng = (seed ^ (salt * 0xD6E8FEB86659FD93ULL)) * 0x9E3779B97F4A7C15ULL;
    if (g->rng == 0)
        g->rng = 1;
    for (int i = 0; i < 8; i++)
        rnd(g);
    g->ms = 1750816800000LL + (int64_t)below(g, 86400) * 1000; /* 2025-06-25 */
    g->cached_sec = -1;
    g->buf = malloc(OUT_CHUNK + EVENT_MAX);
    if (g->buf == NULL) {
        fprintf(stderr, "tool_gen: out of memory\n");
        exit(1);
    }
    g->svc = services[salt % (sizeof services / sizeof services[0])];
    g->svc_port = 8080;
    snprintf(g->host, sizeof g->host, "10.12.%u.%u", below(g, 256),
             1 + below(g, 254));
    g->pid = 1000 + (int)below(g, 60000);
}

static int mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "tool_gen: mkdir %s: %s\n", path, strerror(errno));
            *p = '/';
            return -1;
        }
        *p = '/';
    }
    return 0;
}

/* File kinds of one service, in a tree: name, profile, gzip. */
static const struct {
    const char *name;
    enum profile pf;
    bool gz;
} kinds[] = {
    {"app.log.2.gz", P_BOOT2, true},
    {"app.log.1", P_BOOT2, false},
    {"app.log", P_BOOT2, false},
    {"polaris/logs/polaris.log.1", P_SDK, false},
    {"polaris/logs/polaris.log", P_SDK, false},
    {"polaris/logs/polaris-instance-heartbeat.log", P_HB, false},
    {"server/polaris-apiserver.log", P_ZAP, false},
};

#define NKINDS (sizeof kinds / sizeof kinds[0])

static int write_tree(const char *dir, unsigned nfiles, uint64_t size,
                      uint64_t seed, struct gen *tot)
{
    uint64_t per = nfiles ? size / nfiles : 0;
    char path[4096];

    for (unsigned i = 0; i < nfiles; i++) {
        unsigned svc = i / NKINDS, k = i % NKINDS;
        enum profile pf = kinds[k].pf;
        struct gen g;

        if (pf == P_BOOT2 && svc % 2)
            pf = P_BOOT3;
        snprintf(path, sizeof path, "%s/%s-%03u/%s", dir,
                 services[svc % (sizeof services / sizeof services[0])], svc,
                 kinds[k].name);
        if (mkdirs(path) != 0)
            return -1;
        gen_init(&g, seed, i + 1);
        g.svc = services[svc % (sizeof services / sizeof services[0])];
        /* one clock per tree; rotated files are the older ones */
        g.ms = 1750816800000LL + (int64_t)(seed % 43200) * 1000 -
               (int64_t)(NKINDS - k) * 3600 * 1000;
        if (kinds[k].gz) {
            g.sink.gz = gzopen(path, "wb1");
            if (g.sink.gz == NULL) {
                fprintf(stderr, "tool_gen: %s: cannot create\n", path);
                return -1;
            }
        } else {
            g.sink.fp = fopen(path, "wb");
            if (g.sink.fp == NULL) {
                fprintf(stderr, "tool_gen: %s: %s\n", path, strerror(errno));
                return -1;
            }
        }
        generate(&g, per, pf, false);
        if (g.sink.gz ? gzclose(g.sink.gz) != Z_OK : fclose(g.sink.fp) != 0)
            g.failed = true;
        free(g.buf);
        if (g.failed) {
            fprintf(stderr, "tool_gen: %s: write failed\n", path);
            return -1;
        }
        tot->bytes += g.bytes;
        tot->lines += g.lines;
        tot->polaris += g.polaris;
        tot->other += g.other;
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: tool_gen --size SIZE [--seed N] [--out FILE]\n"
            "       tool_gen --size SIZE --files N --dir DIR [--seed N]\n"
            "SIZE: bytes with an optional K, M or G suffix. Prints counts to\n"
            "stderr with --stats.\n");
}

int main(int argc, char **argv)
{
    uint64_t size = 0, seed = 42;
    unsigned long nfiles = 0;
    const char *out = NULL, *dir = NULL;
    bool stats = false;
    struct gen g;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--stats") == 0) {
            stats = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage();
            return 0;
        }
        if (v == NULL) {
            usage();
            return 2;
        }
        i++;
        if (strcmp(a, "--size") == 0) {
            if (!parse_size(v, &size)) {
                fprintf(stderr, "tool_gen: bad size: %s\n", v);
                return 2;
            }
        } else if (strcmp(a, "--seed") == 0) {
            seed = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--files") == 0) {
            nfiles = strtoul(v, NULL, 10);
        } else if (strcmp(a, "--dir") == 0) {
            dir = v;
        } else if (strcmp(a, "--out") == 0) {
            out = v;
        } else {
            usage();
            return 2;
        }
    }
    if (size == 0 || (nfiles > 0) != (dir != NULL) || nfiles > 1000000) {
        usage();
        return 2;
    }
    pools_init(seed);
    if (dir) {
        memset(&g, 0, sizeof g);
        if (write_tree(dir, (unsigned)nfiles, size, seed, &g) != 0)
            return 1;
    } else {
        gen_init(&g, seed, 0);
        g.sink.fp = out ? fopen(out, "wb") : stdout;
        if (g.sink.fp == NULL) {
            fprintf(stderr, "tool_gen: %s: %s\n", out, strerror(errno));
            return 1;
        }
        generate(&g, size, P_BOOT2, true);
        if ((out ? fclose(g.sink.fp) : fflush(g.sink.fp)) != 0)
            g.failed = true;
        free(g.buf);
        if (g.failed) {
            fprintf(stderr, "tool_gen: write failed\n");
            rc = 1;
        }
    }
    if (stats)
        fprintf(stderr,
                "tool_gen: %" PRIu64 " bytes, %" PRIu64 " lines, %" PRIu64
                " polaris failures, %" PRIu64 " other exceptions\n",
                g.bytes, g.lines, g.polaris, g.other);
    for (int p = 0; p < P_COUNT; p++)
        if (p != P_BOOT3)
            free(pools[p].text);
    free(threads_console.text);
    free(threads_file.text);
    return rc;
}
