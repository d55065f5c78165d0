/*
 * config_check.c - the configuration preflight: one table of checks {id,
 * cause, severity, function}. Each function reads the loaded entries
 * (client, SDK, server, build versions) and emits findings with file:line
 * evidence, in the words of the failure the log would later show.
 */
#include "config_check.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define MAX_LISTENERS   64
#define MAX_ADDRS       256
#define MAX_UNKNOWN_INC 4
#define MAX_NAME        128    /* Polaris namespace / service name length */
#define MARK            '\x01' /* stands for an unresolved ${...} */

#define PORT_NONE    (-1L)
#define PORT_BAD     (-2L)
#define PORT_UNKNOWN (-3L)

enum { INC_DISCOVER = 1, INC_REGISTER = 2, INC_HEALTHCHECK = 4 };

/* One apiservers[] entry of a server config. Entries are borrowed. */
struct listener {
    size_t file;
    unsigned long idx;
    const struct hb_cfg_entry *at; /* apiservers[i] */
    const char *name;
    long port;
    const struct hb_cfg_entry *port_at;
    bool client_block;
    bool client_enable;
    const struct hb_cfg_entry *client_at, *enable_at, *include_at;
    unsigned include; /* INC_* named in api.client.include */
    unsigned nitems;  /* items in include; 0 opens every group */
    char items[160];  /* "discover, register" */
    const struct hb_cfg_entry *unknown[MAX_UNKNOWN_INC];
    unsigned nunknown;
};

enum addr_kind { ADDR_NAMING, ADDR_CONFIG };

/* One address of a comma-separated list (or one list item). */
struct addr {
    const struct hb_cfg_entry *e; /* borrowed */
    enum addr_kind kind;
    bool sdk;         /* polaris.yml: host:port, no scheme */
    bool first;       /* first item of its entry */
    bool placeholder; /* the value used ${...} from outside the files */
    bool unresolved;  /* ... and some had no default */
    char item[256];   /* after expansion; MARK where unresolved */
    char scheme[16];
    bool has_scheme;
    char host[256];
    long port; /* >= 0, or PORT_* */
};

struct hb_config_set {
    const struct hb_knowledge *know; /* borrowed: ports, version matrix */
    struct hb_cfg *cfg;              /* owned */
    struct hb_build_info build;      /* owned */
    struct hb_finding *f;            /* owned; strings in pool */
    size_t nf, capf;
    char **pool; /* owned strings the findings point to */
    size_t npool, cappool;
    struct hb_diag *errs; /* owned */
    size_t nerrs, caperrs;
    struct listener ls[MAX_LISTENERS];
    size_t nls;
    struct addr *addrs; /* owned */
    size_t naddrs;
    const struct hb_cfg_entry **index; /* owned array; client scalars by norm */
    size_t nindex;
    size_t this_check; /* findings of the check now running */
    size_t dropped;    /* findings past HB_CONFIG_MAX_PER_CHECK */
    bool ran;
};

struct check {
    struct hb_check_info info;
    void (*fn)(struct hb_config_set *s, const struct check *c);
};

/* ---- the set -------------------------------------------------------- */

struct hb_config_set *hb_config_set_new(void)
{
    struct hb_config_set *s = hb_xcalloc(1, sizeof *s);

    s->know = hb_knowledge_builtin();
    s->cfg = hb_cfg_new();
    hb_build_init(&s->build);
    return s;
}

void hb_config_set_knowledge(struct hb_config_set *s,
                             const struct hb_knowledge *k)
{
    s->know = k ? k : hb_knowledge_builtin();
}

void hb_config_set_free(struct hb_config_set *s)
{
    size_t i;

    if (s == NULL)
        return;
    hb_cfg_free(s->cfg);
    hb_build_fini(&s->build);
    for (i = 0; i < s->npool; i++)
        free(s->pool[i]);
    free(s->pool);
    free(s->f);
    free(s->errs);
    free(s->addrs);
    free(s->index);
    free(s);
}

static void keep_error(struct hb_config_set *s, const struct hb_diag *d)
{
    if (s->nerrs == s->caperrs) {
        s->caperrs = s->caperrs ? s->caperrs * 2 : 4;
        s->errs = hb_xrealloc(s->errs, s->caperrs * sizeof *s->errs);
    }
    s->errs[s->nerrs++] = *d;
}

enum hb_status hb_config_set_add_mem(struct hb_config_set *s, const char *path,
                                     const char *data, size_t len,
                                     enum hb_cfg_role role, struct hb_diag *d)
{
    struct hb_diag local;
    enum hb_status rc;

    memset(&local, 0, sizeof local);
    if (role == HB_CFG_BUILD ||
        (role == HB_CFG_AUTO && hb_build_is_build_file(path, data, len)))
        rc = hb_build_scan_mem(&s->build, path, data, len, &local);
    else
        rc = hb_cfg_load_mem(s->cfg, path, data, len, role, &local);
    if (rc != HB_OK) {
        keep_error(s, &local);
        if (d)
            *d = local;
    }
    return rc;
}

enum hb_status hb_config_set_add(struct hb_config_set *s, const char *path,
                                 enum hb_cfg_role role, struct hb_diag *d)
{
    struct hb_diag local;
    struct hb_buf buf;
    enum hb_status rc;

    memset(&local, 0, sizeof local);
    hb_buf_init(&buf);
    rc = hb_cfg_read_file(path, &buf, &local);
    if (rc == HB_OK) {
        rc = hb_config_set_add_mem(s, path, buf.data, buf.len, role, d);
    } else {
        keep_error(s, &local);
        if (d)
            *d = local;
    }
    hb_buf_fini(&buf);
    return rc;
}

size_t hb_config_set_count(const struct hb_config_set *s)
{
    return s->nf;
}

const struct hb_finding *hb_config_set_at(const struct hb_config_set *s,
                                          size_t i)
{
    return i < s->nf ? &s->f[i] : NULL;
}

size_t hb_config_set_nerrors(const struct hb_config_set *s)
{
    return s->nerrs;
}

const struct hb_diag *hb_config_set_error(const struct hb_config_set *s,
                                          size_t i)
{
    return i < s->nerrs ? &s->errs[i] : NULL;
}

const struct hb_cfg *hb_config_set_cfg(const struct hb_config_set *s)
{
    return s->cfg;
}

const struct hb_build_info *hb_config_set_build(const struct hb_config_set *s)
{
    return &s->build;
}

/* ---- findings ------------------------------------------------------- */

static const char *keep(struct hb_config_set *s, char *owned)
{
    if (s->npool == s->cappool) {
        s->cappool = s->cappool ? s->cappool * 2 : 64;
        s->pool = hb_xrealloc(s->pool, s->cappool * sizeof *s->pool);
    }
    s->pool[s->npool++] = owned;
    return owned;
}

/* A formatted string owned by the set. */
static const char *sf(struct hb_config_set *s, const char *fmt, ...)
    HB_PRINTF(2, 3);
static const char *sf(struct hb_config_set *s, const char *fmt, ...)
{
    struct hb_buf b;
    va_list ap;
    int n;

    hb_buf_init(&b);
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    hb_buf_reserve(&b, n > 0 ? (size_t)n : 0);
    va_start(ap, fmt);
    vsnprintf(b.data, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
    va_end(ap);
    return keep(s, b.data);
}

static double weight_of(enum hb_severity sev)
{
    static const double w[] = {0.1, 0.4, 0.7, 1.0};

    return (unsigned)sev < HB_ARRAY_LEN(w) ? w[sev] : 0.5;
}

static void emit(struct hb_config_set *s, const struct check *c,
                 const char *path, unsigned long line, const char *text,
                 const char *title, const char *desc, const char *action)
{
    struct hb_finding *f;

    if (++s->this_check > HB_CONFIG_MAX_PER_CHECK) {
        s->dropped++;
        return;
    }
    if (s->nf == s->capf) {
        s->capf = s->capf ? s->capf * 2 : 16;
        s->f = hb_xrealloc(s->f, s->capf * sizeof *s->f);
    }
    f = &s->f[s->nf++];
    f->check_id = c->info.id;
    f->cause = c->info.cause;
    f->severity = c->info.severity;
    f->weight = weight_of(c->info.severity);
    f->title = title;
    f->description = desc;
    f->action = action;
    f->path = path ? path : "";
    f->line = line;
    f->text = text ? text : "";
}

static const struct hb_cfg_file *file_of(const struct hb_config_set *s,
                                         const struct hb_cfg_entry *e)
{
    return hb_cfg_file_at(s->cfg, e->file);
}

/* A finding about entry e; the profile it belongs to goes into the title. */
static void emit_at(struct hb_config_set *s, const struct check *c,
                    const struct hb_cfg_entry *e, const char *title,
                    const char *desc, const char *action)
{
    if (e->profile)
        title = sf(s, "%s (profile %s)", title, e->profile);
    emit(s, c, file_of(s, e)->path, e->line, e->text, title, desc, action);
}

static void emit_ver(struct hb_config_set *s, const struct check *c,
                     const struct hb_build_ver *v, const char *title,
                     const char *desc, const char *action)
{
    emit(s, c, v->path, v->line, v->text, title, desc, action);
}

/* ---- value helpers -------------------------------------------------- */

static enum hb_cfg_role role_of(const struct hb_config_set *s,
                                const struct hb_cfg_entry *e)
{
    return file_of(s, e)->role;
}

static bool is_client(const struct hb_config_set *s,
                      const struct hb_cfg_entry *e)
{
    return role_of(s, e) == HB_CFG_CLIENT;
}

static bool scalar_in(const struct hb_config_set *s,
                      const struct hb_cfg_entry *e, enum hb_cfg_role role,
                      const char *key)
{
    return e->kind == HB_CFG_SCALAR && role_of(s, e) == role &&
           hb_cfg_key_is(e, key);
}

static bool word_in(const char *v, const char *const *words)
{
    for (; *words; words++)
        if (strcasecmp(v, *words) == 0)
            return true;
    return false;
}

/* Spring's and yaml.v2's spellings of booleans. */
static bool is_true(const char *v)
{
    static const char *const t[] = {"true", "on", "yes", "1", NULL};

    return word_in(v, t);
}

static bool is_false(const char *v)
{
    static const char *const f[] = {"false", "off", "no", "0", NULL};

    return word_in(v, f);
}

/* Strict decimal integer (surrounding blanks allowed). */
static bool parse_long(const char *v, long *out)
{
    long n = 0;
    int digits = 0;
    bool neg = false;

    while (*v == ' ' || *v == '\t')
        v++;
    if (*v == '+' || *v == '-')
        neg = *v++ == '-';
    while (isdigit((unsigned char)*v)) {
        if (++digits > 9)
            return false;
        n = n * 10 + (*v++ - '0');
    }
    while (*v == ' ' || *v == '\t')
        v++;
    if (digits == 0 || *v)
        return false;
    *out = neg ? -n : n;
    return true;
}

static int by_norm(const void *a, const void *b)
{
    const struct hb_cfg_entry *x = *(const struct hb_cfg_entry *const *)a;
    const struct hb_cfg_entry *y = *(const struct hb_cfg_entry *const *)b;
    int c = strcmp(x->norm, y->norm);

    /* equal keys keep load order: the first definition is found first */
    return c ? c : (x < y ? -1 : x > y);
}

/* Client scalars sorted by relaxed key, for placeholder look-ups. */
static void build_index(struct hb_config_set *s)
{
    size_t i, n = hb_cfg_count(s->cfg);

    s->index = hb_xcalloc(n, sizeof *s->index);
    for (i = 0; i < n; i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);

        if (e->kind == HB_CFG_SCALAR && !e->null && is_client(s, e))
            s->index[s->nindex++] = e;
    }
    qsort(s->index, s->nindex, sizeof *s->index, by_norm);
}

/* The first non-empty value a client file gives key (placeholder targets). */
static const char *client_value(const struct hb_config_set *s, const char *key,
                                size_t n)
{
    char k[HB_CFG_MAX_KEY + 1], want[HB_CFG_MAX_KEY + 1];
    size_t lo = 0, hi = s->nindex;

    hb_strlcpy(k, key, n, sizeof k);
    hb_cfg_norm(k, want, sizeof want);
    while (lo < hi) { /* lower bound */
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(s->index[mid]->norm, want) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->nindex && strcmp(s->index[lo]->norm, want) == 0)
        return s->index[lo]->value;
    return NULL;
}

/*
 * Expands ${name} and ${name:default} the way Spring would, as far as the
 * files tell: a key set in a client file, else the default; what neither
 * gives becomes MARK (never guessed). *outside: a default or MARK was used.
 */
static void expand(const struct hb_config_set *s, const char *v,
                   struct hb_buf *out, bool *outside, bool *unresolved,
                   int depth)
{
    const char *p = v;

    while (*p) {
        const char *q, *colon = NULL, *val;
        int nest = 1;

        if (p[0] != '$' || p[1] != '{') {
            hb_buf_putc(out, *p++);
            continue;
        }
        for (q = p + 2; *q; q++) {
            if (q[0] == '$' && q[1] == '{') {
                nest++;
                q++;
            } else if (*q == '}' && --nest == 0) {
                break;
            } else if (*q == ':' && nest == 1 && colon == NULL) {
                colon = q;
            }
        }
        if (*q == '\0') { /* unterminated: literal text */
            hb_buf_puts(out, p);
            return;
        }
        val = depth < 4 ? client_value(s, p + 2,
                                       (size_t)((colon ? colon : q) - p - 2))
                        : NULL;
        if (val) {
            expand(s, val, out, outside, unresolved, depth + 1);
        } else if (colon) {
            char *def = hb_xstrndup(colon + 1, (size_t)(q - colon - 1));

            *outside = true;
            expand(s, def, out, outside, unresolved, depth + 1);
            free(def);
        } else {
            *outside = true;
            *unresolved = true;
            hb_buf_putc(out, MARK);
        }
        p = q + 1;
    }
}

/* The value of a scalar after expansion into buf; false when unresolved. */
static bool value_of(const struct hb_config_set *s,
                     const struct hb_cfg_entry *e, char *buf, size_t cap)
{
    struct hb_buf b;
    bool outside = false, unresolved = false;

    hb_buf_init(&b);
    hb_buf_puts(&b, "");
    expand(s, e->value, &b, &outside, &unresolved, 0);
    hb_strlcpy(buf, b.data, b.len, cap);
    hb_buf_fini(&b);
    return !unresolved;
}

/* ---- addresses ------------------------------------------------------ */

static void trim(const char **p, size_t *n)
{
    while (*n && isspace((unsigned char)**p))
        (*p)++, (*n)--;
    while (*n && isspace((unsigned char)(*p)[*n - 1]))
        (*n)--;
}

static long parse_port(const char *p, size_t n)
{
    long v = 0;
    size_t i;

    if (n == 0)
        return PORT_NONE;
    if (memchr(p, MARK, n))
        return PORT_UNKNOWN;
    if (n > 6)
        return PORT_BAD;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i]))
            return PORT_BAD;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* scheme://host:port[/path] or host:port; IPv6 hosts in brackets. */
static void parse_addr(struct addr *a)
{
    const char *p = a->item, *sep = strstr(p, "://");
    const char *colon = NULL;
    size_t end, i;

    if (sep && (size_t)(sep - p) < sizeof a->scheme) {
        a->has_scheme = true;
        hb_strlcpy(a->scheme, p, (size_t)(sep - p), sizeof a->scheme);
        p = sep + 3;
    }
    end = strcspn(p, "/?#");
    if (p[0] == '[') {
        const char *close = memchr(p, ']', end);

        if (close) {
            hb_strlcpy(a->host, p + 1, (size_t)(close - p - 1), sizeof a->host);
            a->port = close + 1 < p + end && close[1] == ':'
                          ? parse_port(close + 2, (size_t)(p + end - close - 2))
                          : PORT_NONE;
            return;
        }
    }
    for (i = 0; i < end; i++)
        if (p[i] == ':')
            colon = p + i;
    if (colon) {
        hb_strlcpy(a->host, p, (size_t)(colon - p), sizeof a->host);
        a->port = parse_port(colon + 1, (size_t)(p + end - colon - 1));
    } else {
        hb_strlcpy(a->host, p, end, sizeof a->host);
        a->port = PORT_NONE;
    }
}

static void add_addrs(struct hb_config_set *s, const struct hb_cfg_entry *e,
                      enum addr_kind kind, bool sdk)
{
    struct hb_buf b;
    bool outside = false, unresolved = false, first = true;
    const char *p;

    if (e->kind != HB_CFG_SCALAR || e->null)
        return;
    hb_buf_init(&b);
    hb_buf_puts(&b, "");
    expand(s, e->value, &b, &outside, &unresolved, 0);
    for (p = b.data; *p && s->naddrs < MAX_ADDRS;) {
        size_t n = strcspn(p, ","), tn = n;
        const char *t = p;
        struct addr *a;

        trim(&t, &tn);
        p += n + (p[n] == ',');
        if (tn == 0)
            continue;
        a = &s->addrs[s->naddrs++];
        memset(a, 0, sizeof *a);
        a->e = e;
        a->kind = kind;
        a->sdk = sdk;
        a->first = first;
        a->placeholder = outside;
        a->unresolved = unresolved;
        hb_strlcpy(a->item, t, tn, sizeof a->item);
        parse_addr(a);
        first = false;
    }
    hb_buf_fini(&b);
}

/* Keys that hold addresses, as list or comma-separated string. */
static bool addr_key(const struct hb_cfg_entry *e, const char *key)
{
    char want[HB_CFG_MAX_KEY + 1];
    size_t n;

    hb_cfg_norm(key, want, sizeof want);
    n = strlen(want);
    return strncmp(e->norm, want, n) == 0 &&
           (e->norm[n] == '\0' ||
            (e->norm[n] == '[' && strchr(e->norm + n, '.') == NULL));
}

static void collect_addrs(struct hb_config_set *s)
{
    size_t i;

    s->addrs = hb_xcalloc(MAX_ADDRS, sizeof *s->addrs);
    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);
        enum hb_cfg_role r = role_of(s, e);

        if (r == HB_CFG_CLIENT) {
            if (addr_key(e, "spring.cloud.polaris.address"))
                add_addrs(s, e, ADDR_NAMING, false);
            else if (addr_key(e, "spring.cloud.polaris.config.address"))
                add_addrs(s, e, ADDR_CONFIG, false);
        } else if (r == HB_CFG_SDK) {
            if (addr_key(e, "global.serverConnector.addresses"))
                add_addrs(s, e, ADDR_NAMING, true);
            else if (addr_key(e, "config.serverConnector.addresses"))
                add_addrs(s, e, ADDR_CONFIG, true);
        }
    }
}

/* The ports naming calls (register, heartbeat, discover) and the config
 * center must use: service-grpc and config-grpc (8091 and 8093 by default). */
static long naming_port(const struct hb_config_set *s)
{
    return s->know->naming_port;
}

static long config_port(const struct hb_config_set *s)
{
    return s->know->config_port;
}

/* What a known Polaris port is, from the knowledge tables; NULL if none. */
static const char *port_what(struct hb_config_set *s, long port)
{
    const struct hb_port_info *p;
    const char *why = "";

    if (port <= 0 || port > 65535 ||
        (p = hb_knowledge_port(s->know, (int)port)) == NULL)
        return NULL;
    if (p->protocol && strcmp(p->protocol, "http") == 0)
        why = "; polaris-java talks gRPC, so its calls do not work there";
    else if (p->listener && strcmp(p->listener, "config-grpc") == 0)
        why = "; it serves only v1.PolarisConfigGRPC, so naming calls get "
              "UNIMPLEMENTED";
    return sf(s, "the port of %s (%s)%s", p->listener ? p->listener : "?",
              p->purpose ? p->purpose : "", why);
}

/* One digit changed or two neighbours swapped: 8081, 8092, 8019 vs 8091. */
static bool is_typo(long port, long want)
{
    char a[16], b[16];
    size_t i, n, diff = 0, first = 0;

    snprintf(a, sizeof a, "%ld", port);
    snprintf(b, sizeof b, "%ld", want);
    n = strlen(a);
    if (n != strlen(b) || port == want)
        return false;
    for (i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            if (diff++ == 0)
                first = i;
        }
    }
    if (diff == 1)
        return true;
    return diff == 2 && first + 1 < n && a[first] == b[first + 1] &&
           a[first + 1] == b[first];
}

/* What a wrong naming/config port is, or NULL when it is just unusual. */
static const char *port_problem(struct hb_config_set *s, long port, long want)
{
    const char *known = port_what(s, port);

    if (known && is_typo(port, want))
        return sf(s, "%s; maybe a typo of %ld", known, want);
    if (known)
        return known;
    if (is_typo(port, want))
        return sf(s, "not a Polaris port; it looks like a typo of %ld", want);
    return NULL;
}

/* The address checked, or as written when a placeholder hides part of it. */
static const char *shown(const struct addr *a)
{
    return strchr(a->item, MARK) ? a->e->value : a->item;
}

static bool have_server(const struct hb_config_set *s)
{
    size_t i;

    for (i = 0; i < s->nls; i++)
        if (s->ls[i].port >= 0)
            return true;
    return false;
}

/* ---- listeners ------------------------------------------------------ */

static struct listener *listener_slot(struct hb_config_set *s, size_t file,
                                      unsigned long idx)
{
    struct listener *l;
    size_t i;

    for (i = 0; i < s->nls; i++)
        if (s->ls[i].file == file && s->ls[i].idx == idx)
            return &s->ls[i];
    if (s->nls == MAX_LISTENERS)
        return NULL;
    l = &s->ls[s->nls++];
    memset(l, 0, sizeof *l);
    l->file = file;
    l->idx = idx;
    l->name = "";
    l->port = PORT_NONE;
    return l;
}

static unsigned include_bit(const char *v)
{
    if (strcmp(v, "discover") == 0)
        return INC_DISCOVER;
    if (strcmp(v, "register") == 0)
        return INC_REGISTER;
    if (strcmp(v, "healthcheck") == 0)
        return INC_HEALTHCHECK;
    return 0;
}

static void listener_entry(struct hb_config_set *s, struct listener *l,
                           const struct hb_cfg_entry *e, const char *rest)
{
    char v[64];
    long port;

    if (rest[0] == '\0') {
        l->at = e;
    } else if (strcmp(rest, ".name") == 0 && e->kind == HB_CFG_SCALAR) {
        l->name = e->value;
    } else if (strcmp(rest, ".option.listenport") == 0 &&
               e->kind == HB_CFG_SCALAR) {
        if (value_of(s, e, v, sizeof v) && parse_long(v, &port))
            l->port = port;
        l->port_at = e;
    } else if (strcmp(rest, ".api.client") == 0) {
        l->client_block = true;
        l->client_at = e;
    } else if (strcmp(rest, ".api.client.enable") == 0 &&
               e->kind == HB_CFG_SCALAR) {
        l->client_enable = is_true(e->value);
        l->enable_at = e;
    } else if (strcmp(rest, ".api.client.include") == 0) {
        l->include_at = e;
    } else if (strncmp(rest, ".api.client.include[", 20) == 0 &&
               strchr(rest + 20, '.') == NULL && e->kind == HB_CFG_SCALAR) {
        unsigned bit = include_bit(e->value);
        size_t n = strlen(l->items);

        l->include |= bit;
        l->nitems++;
        if (bit == 0 && l->nunknown < MAX_UNKNOWN_INC)
            l->unknown[l->nunknown++] = e;
        snprintf(l->items + n, sizeof l->items - n, "%s%s", n ? ", " : "",
                 e->value);
    }
}

static void collect_listeners(struct hb_config_set *s)
{
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);
        struct listener *l;
        unsigned long idx;
        char *end;

        if (role_of(s, e) != HB_CFG_SERVER ||
            strncmp(e->norm, "apiservers[", 11) != 0)
            continue;
        idx = strtoul(e->norm + 11, &end, 10);
        if (*end != ']')
            continue;
        l = listener_slot(s, e->file, idx);
        if (l)
            listener_entry(s, l, e, end + 1);
    }
}

static bool is_grpc_listener(const struct listener *l)
{
    return strcmp(l->name, "service-grpc") == 0;
}

/* Best evidence line of a listener. */
static const struct hb_cfg_entry *listener_at(const struct listener *l)
{
    return l->at ? l->at : l->port_at ? l->port_at : l->client_at;
}

static const char *listener_kind(const char *name)
{
    static const struct {
        const char *name, *what;
    } kinds[] = {
        {"api-http", "the HTTP OpenAPI (REST) listener; polaris-java talks "
                     "gRPC to service-grpc"},
        {"config-grpc", "the config-center gRPC listener; it serves only "
                        "v1.PolarisConfigGRPC, so register and heartbeat get "
                        "UNIMPLEMENTED"},
        {"service-eureka", "the Eureka-compatible listener"},
        {"service-nacos", "the Nacos-compatible listener"},
        {"xds-v3", "the xDS v3 listener for Envoy"},
        {"prometheus-sd", "the Prometheus service-discovery listener"},
        {"service-l5", "the L5 listener"},
    };
    size_t i;

    for (i = 0; i < HB_ARRAY_LEN(kinds); i++)
        if (strcmp(kinds[i].name, name) == 0)
            return kinds[i].what;
    return "not the service-grpc listener that serves polaris-java";
}

static const char *listener_list(struct hb_config_set *s)
{
    struct hb_buf b;
    size_t i;

    hb_buf_init(&b);
    hb_buf_puts(&b, "");
    for (i = 0; i < s->nls && b.len < 400; i++) {
        if (s->ls[i].port < 0)
            continue;
        hb_buf_printf(&b, "%s%s:%ld", b.len ? ", " : "", s->ls[i].name,
                      s->ls[i].port);
    }
    return keep(s, b.data);
}

static const struct listener *listener_on(const struct hb_config_set *s,
                                          long port)
{
    const struct listener *other = NULL;
    size_t i;

    for (i = 0; i < s->nls; i++) {
        if (s->ls[i].port != port)
            continue;
        if (is_grpc_listener(&s->ls[i]))
            return &s->ls[i];
        if (other == NULL)
            other = &s->ls[i];
    }
    return other;
}

static const struct listener *grpc_listener(const struct hb_config_set *s)
{
    size_t i;

    for (i = 0; i < s->nls; i++)
        if (is_grpc_listener(&s->ls[i]) && s->ls[i].port >= 0)
            return &s->ls[i];
    return NULL;
}

/* Groups a listener opens: every group when include is absent or empty. */
static unsigned opened(const struct listener *l)
{
    if (!l->client_block || !l->client_enable)
        return 0;
    return l->nitems == 0 ? INC_DISCOVER | INC_REGISTER | INC_HEALTHCHECK
                          : l->include;
}

static const char *missing_text(struct hb_config_set *s, unsigned missing)
{
    return sf(s, "%s%s%s%s%s", missing & INC_REGISTER ? "register" : "",
              (missing & INC_REGISTER) && (missing & ~INC_REGISTER) ? ", " : "",
              missing & INC_HEALTHCHECK ? "healthcheck" : "",
              (missing & INC_HEALTHCHECK) && (missing & INC_DISCOVER) ? ", "
                                                                      : "",
              missing & INC_DISCOVER ? "discover" : "");
}

/* ---- client checks -------------------------------------------------- */

static const char *addr_key_name(const struct addr *a)
{
    return a->e->key;
}

static void chk_addr_malformed(struct hb_config_set *s, const struct check *c)
{
    size_t i;

    for (i = 0; i < s->naddrs; i++) {
        const struct addr *a = &s->addrs[i];
        const char *why = NULL, *fix;

        if (a->item[0] == MARK)
            continue; /* the whole address comes from outside */
        if (a->sdk && a->has_scheme)
            why = "polaris.yml addresses are host:port without a scheme";
        else if (!a->sdk && !a->has_scheme)
            why = "it has no scheme: SCT parses each address as a URI "
                  "(grpc://host:port) and keeps only its host and port, so "
                  "without grpc:// Java's URI parser finds neither and the "
                  "SDK gets no usable server address";
        else if (a->host[0] == '\0')
            why = "it has no host";
        else if (a->port == PORT_NONE)
            why = a->sdk
                      ? "it has no port"
                      : "it has no port: the URI port is -1 and the SDK gets "
                        "host:-1 (there is no default port)";
        else if (a->port == PORT_BAD || a->port == 0 || a->port > 65535)
            why = "its port is not a number in 1..65535";
        if (why == NULL)
            continue;
        fix = sf(s, "%s127.0.0.1:%ld", a->sdk ? "" : "grpc://",
                 a->kind == ADDR_CONFIG ? config_port(s) : naming_port(s));
        emit_at(s, c, a->e,
                sf(s, "Malformed Polaris address '%s' in %s", shown(a),
                   addr_key_name(a)),
                sf(s, "%s = %s: %s.", a->e->key, a->e->value, why),
                sf(s,
                   "Write each address as %s (comma-separated for several "
                   "servers).",
                   fix));
    }
}

static void chk_addr_scheme(struct hb_config_set *s, const struct check *c)
{
    size_t i;

    for (i = 0; i < s->naddrs; i++) {
        const struct addr *a = &s->addrs[i];

        if (a->sdk || !a->has_scheme || strcasecmp(a->scheme, "grpc") == 0 ||
            strchr(a->scheme, MARK))
            continue;
        emit_at(s, c, a->e,
                sf(s, "Polaris address '%s' uses %s://, not grpc://", shown(a),
                   a->scheme),
                sf(s,
                   "%s = %s: polaris-java reaches Polaris over gRPC. SCT "
                   "keeps only host:port of each address, so the scheme "
                   "itself is dropped, but %s:// usually means the port "
                   "is an HTTP one (8090 is the OpenAPI port), and the "
                   "config starter rejects addresses not shaped like "
                   "grpc://host:port.",
                   a->e->key, a->e->value, a->scheme),
                sf(s, "Use grpc://%s:%ld.", a->host[0] ? a->host : "HOST",
                   a->kind == ADDR_CONFIG ? config_port(s) : naming_port(s)));
    }
}

static void chk_addr_port(struct hb_config_set *s, const struct check *c)
{
    size_t i;

    if (have_server(s))
        return; /* the server's listeners say more: cross-* checks */
    for (i = 0; i < s->naddrs; i++) {
        const struct addr *a = &s->addrs[i];
        const char *what;

        if (a->kind != ADDR_NAMING || a->port < 0 || a->port == naming_port(s))
            continue;
        what = port_problem(s, a->port, naming_port(s));
        if (what == NULL)
            continue;
        emit_at(s, c, a->e,
                sf(s,
                   "Polaris address %s uses port %ld, not the gRPC naming "
                   "port %ld",
                   shown(a), a->port, naming_port(s)),
                sf(s,
                   "%s = %s: %ld is %s. Registration, heartbeats and "
                   "discovery go to the service-grpc listener (8091 by "
                   "default). Whatever answers on %ld does not serve them: "
                   "expect ERR-1006 'server error 400401: client api is "
                   "not open' from a listener without the client API, "
                   "UNIMPLEMENTED, or UNAVAILABLE / connection refused, "
                   "and instances never turn healthy.",
                   a->e->key, a->e->value, a->port, what, a->port),
                sf(s,
                   "Point %s at %s%s:%ld (the server's service-grpc "
                   "listenPort).",
                   a->e->key, a->sdk ? "" : "grpc://",
                   a->host[0] && a->host[0] != MARK ? a->host : "HOST",
                   naming_port(s)));
    }
}

static void chk_addr_port_unusual(struct hb_config_set *s,
                                  const struct check *c)
{
    size_t i;

    if (have_server(s))
        return;
    for (i = 0; i < s->naddrs; i++) {
        const struct addr *a = &s->addrs[i];

        if (a->kind != ADDR_NAMING || a->port <= 0 || a->port > 65535 ||
            a->port == naming_port(s) ||
            port_problem(s, a->port, naming_port(s)))
            continue;
        emit_at(s, c, a->e,
                sf(s,
                   "Polaris address %s uses port %ld; the gRPC naming "
                   "port is %ld",
                   shown(a), a->port, naming_port(s)),
                sf(s,
                   "%s = %s: %ld is not a default Polaris port. It works "
                   "only if the server's service-grpc listener (or a "
                   "proxy in front of it) listens there.",
                   a->e->key, a->e->value, a->port),
                sf(s, "Check apiservers[name=service-grpc].option.listenPort "
                      "in polaris-server.yaml (give it with --server to "
                      "check) or use port 8091."));
    }
}

static void chk_config_port(struct hb_config_set *s, const struct check *c)
{
    size_t i;

    for (i = 0; i < s->naddrs; i++) {
        const struct addr *a = &s->addrs[i];
        const char *what;

        if (a->kind != ADDR_CONFIG || a->port < 0 || a->port == config_port(s))
            continue;
        what = port_problem(s, a->port, config_port(s));
        if (what == NULL)
            continue;
        emit_at(s, c, a->e,
                sf(s, "Config-center address %s uses port %ld, not %ld",
                   shown(a), a->port, config_port(s)),
                sf(s,
                   "%s = %s: %ld is %s. The config center listens on "
                   "config-grpc (8093 by default); SCT then logs 'Config "
                   "server address (...) can not be connected' or fails "
                   "to load its configuration.",
                   a->e->key, a->e->value, a->port, what),
                sf(s, "Use port 8093 for the config center (the naming "
                      "address keeps 8091)."));
    }
    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);
        char v[64];
        long port;
        const char *what;

        if (!scalar_in(s, e, HB_CFG_CLIENT,
                       "spring.cloud.polaris.config.port") ||
            !value_of(s, e, v, sizeof v) || !parse_long(v, &port) ||
            port == config_port(s))
            continue;
        what = port_problem(s, port, config_port(s));
        if (what == NULL)
            continue;
        emit_at(s, c, e,
                sf(s, "spring.cloud.polaris.config.port is %ld, not %ld", port,
                   config_port(s)),
                sf(s,
                   "%s = %s: %ld is %s. SCT joins the host of "
                   "spring.cloud.polaris.address with this port to reach "
                   "the config center, which listens on config-grpc "
                   "(8093 by default).",
                   e->key, e->value, port, what),
                sf(s, "Set spring.cloud.polaris.config.port to 8093 (or "
                      "remove it: 8093 is the default)."));
    }
}

static void chk_addr_placeholder(struct hb_config_set *s, const struct check *c)
{
    size_t i;

    for (i = 0; i < s->naddrs; i++) {
        const struct addr *a = &s->addrs[i];

        if (!a->first || !a->placeholder)
            continue;
        if (a->unresolved)
            emit_at(s, c, a->e,
                    sf(s,
                       "%s comes from a placeholder the files do not "
                       "resolve",
                       a->e->key),
                    sf(s,
                       "%s = %s: the value is set at run time "
                       "(environment, system property or another config "
                       "source), so it could not be checked here.",
                       a->e->key, a->e->value),
                    sf(s, "Check the value the application really gets: it "
                          "must be grpc://HOST:8091 for naming (8093 for the "
                          "config center)."));
        else
            emit_at(s, c, a->e,
                    sf(s,
                       "%s comes from a placeholder; its default was "
                       "checked",
                       a->e->key),
                    sf(s,
                       "%s = %s: the default (%s) was checked, but the "
                       "value at run time may differ.",
                       a->e->key, a->e->value, a->item),
                    sf(s, "Check the value the application really gets."));
    }
}

static const struct hb_cfg_entry *first_polaris_key(struct hb_config_set *s)
{
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);

        if (is_client(s, e) && e->kind == HB_CFG_SCALAR &&
            strncmp(e->norm, "spring.cloud.polaris.", 21) == 0)
            return e;
    }
    return NULL;
}

static void chk_addr_unset(struct hb_config_set *s, const struct check *c)
{
    const struct hb_cfg_entry *e = first_polaris_key(s);
    size_t i;

    for (i = 0; i < s->naddrs; i++)
        if (s->addrs[i].kind == ADDR_NAMING)
            return;
    if (e == NULL)
        return;
    emit_at(s, c, e, "No Polaris server address is configured",
            sf(s, "The files set spring.cloud.polaris.* but not "
                  "spring.cloud.polaris.address, so the SDK default "
                  "127.0.0.1:8091 is used: right only when a Polaris server "
                  "runs on the same host (or the address is set elsewhere)."),
            "Set spring.cloud.polaris.address: grpc://POLARIS_HOST:8091.");
}

/* Integer properties SCT binds: a non-integer stops the application. */
static const char *const int_keys[] = {
    "spring.cloud.polaris.discovery.heartbeat-interval",
    "spring.cloud.polaris.local-port",
    "spring.cloud.polaris.config.port",
    "spring.cloud.polaris.discovery.weight",
    "spring.cloud.polaris.stat.port",
    NULL,
};

static bool int_key(const struct hb_cfg_entry *e)
{
    const char *const *k;

    for (k = int_keys; *k; k++)
        if (hb_cfg_key_is(e, *k))
            return true;
    return false;
}

static void chk_int_value(struct hb_config_set *s, const struct check *c)
{
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);
        char v[128];
        long n;

        if (e->kind != HB_CFG_SCALAR || e->null || !is_client(s, e) ||
            !int_key(e) || !value_of(s, e, v, sizeof v) || parse_long(v, &n))
            continue;
        emit_at(s, c, e, sf(s, "%s is not an integer: '%s'", e->key, v),
                sf(s,
                   "%s = %s: Spring cannot bind it to an Integer, so the "
                   "application fails to start ('Failed to bind "
                   "properties under ...') and never registers.",
                   e->key, e->value),
                sf(s, "Give %s a plain integer%s.", e->key,
                   hb_cfg_key_is(e, int_keys[0])
                       ? " number of seconds (1..60, no unit)"
                       : ""));
    }
}

static void chk_heartbeat_interval(struct hb_config_set *s,
                                   const struct check *c)
{
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);
        char v[64];
        long n;

        if (!scalar_in(s, e, HB_CFG_CLIENT, int_keys[0]) ||
            !value_of(s, e, v, sizeof v) || !parse_long(v, &n) ||
            (n >= 1 && n <= 60))
            continue;
        emit_at(s, c, e, sf(s, "Heartbeat interval %ld s is outside 1..60", n),
                sf(s,
                   "%s = %s: SCT resets values <= 0 or > 60 to the "
                   "default 5 s, so the instance TTL is 5 s, not %ld s.",
                   e->key, e->value, n),
                "Use a value from 1 to 60 seconds (5 is the default).");
    }
}

static void chk_local_port(struct hb_config_set *s, const struct check *c)
{
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);
        char v[64];
        long n;

        if (!scalar_in(s, e, HB_CFG_CLIENT,
                       "spring.cloud.polaris.local-port") ||
            !value_of(s, e, v, sizeof v) || !parse_long(v, &n) ||
            (n > 0 && n <= 65535))
            continue;
        emit_at(s, c, e, sf(s, "Registered port %ld is not a valid port", n),
                sf(s,
                   "%s = %s: the instance is registered with this port; "
                   "polaris-java rejects it before sending ('ERR-1001"
                   "(API_INVALID_ARGUMENT): port value should be in range "
                   "(0, 65536).') and the server would answer 400132 "
                   "invalid instance port.",
                   e->key, e->value),
                "Remove spring.cloud.polaris.local-port (the web server port "
                "is used) or set the real port, 1..65535.");
    }
}

/* SCT base version from the build files, "" when unknown. */
static void sct_base(const struct hb_config_set *s, char *base, size_t cap)
{
    const char *v = s->build.v[HB_BUILD_SCT].value;
    char train[64];

    base[0] = '\0';
    if (v)
        hb_build_sct_split(v, base, cap, train, sizeof train);
}

static bool heartbeat_enabled_key(const struct hb_config_set *s,
                                  const struct hb_cfg_entry *e)
{
    return scalar_in(s, e, HB_CFG_CLIENT,
                     "spring.cloud.polaris.discovery.heartbeat.enabled") ||
           scalar_in(s, e, HB_CFG_CLIENT,
                     "spring.cloud.polaris.discovery.heartbeat-enabled");
}

static void chk_heartbeat_ignored(struct hb_config_set *s,
                                  const struct check *c)
{
    char base[64];
    size_t i;

    sct_base(s, base, sizeof base);
    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);

        if (!heartbeat_enabled_key(s, e))
            continue;
        if (base[0] && hb_version_cmp(base, "1.9.0") >= 0)
            emit_at(s, c, e,
                    sf(s, "%s is ignored by SCT %s", e->key,
                       s->build.v[HB_BUILD_SCT].value),
                    sf(s,
                       "%s = %s: the key was removed in SCT 1.9.0; since "
                       "then polaris-java sends the heartbeats itself "
                       "(registerInstance) unless "
                       "spring.cloud.polaris.discovery.health-check-url "
                       "is set.",
                       e->key, e->value),
                    "Remove the key.");
        else if (base[0] == '\0' && !is_false(e->value))
            emit_at(s, c, e, sf(s, "%s is ignored since SCT 1.9.0", e->key),
                    sf(s,
                       "%s = %s: the key exists only in SCT 1.2.0 - 1.8.x; "
                       "since 1.9.0 polaris-java sends the heartbeats. "
                       "Give the pom.xml / build.gradle to check against "
                       "the SCT version in use.",
                       e->key, e->value),
                    "Remove the key if SCT is 1.9.0 or newer.");
    }
}

static void chk_heartbeat_disabled(struct hb_config_set *s,
                                   const struct check *c)
{
    char base[64];
    size_t i;

    sct_base(s, base, sizeof base);
    if (base[0] && hb_version_cmp(base, "1.9.0") >= 0)
        return; /* ignored there: chk_heartbeat_ignored says so */
    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);

        if (!heartbeat_enabled_key(s, e) || !is_false(e->value))
            continue;
        emit_at(s, c, e, "Heartbeats are switched off",
                sf(s,
                   "%s = %s: on SCT 1.2.0 - 1.8.x the instance is "
                   "registered without a TTL and SCT runs no heartbeat "
                   "thread, so Polaris never receives a heartbeat from "
                   "it. (Since SCT 1.9.0 the key is ignored.)",
                   e->key, e->value),
                "Remove the key (heartbeats are on by default).");
    }
}

static void chk_register_disabled(struct hb_config_set *s,
                                  const struct check *c)
{
    static const char *const keys[] = {
        "spring.cloud.polaris.discovery.register",
        "spring.cloud.polaris.discovery.enabled",
        "spring.cloud.polaris.enabled",
        NULL,
    };
    const char *const *k;
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);

        for (k = keys; *k; k++) {
            if (!scalar_in(s, e, HB_CFG_CLIENT, *k) || !is_false(e->value))
                continue;
            emit_at(
                s, c, e,
                sf(s, "%s is false: the instance is not registered", e->key),
                sf(s,
                   "%s = %s: SCT registers nothing (DEBUG "
                   "'Registration disabled.'), so no heartbeat is "
                   "ever sent and other services cannot discover "
                   "this one.",
                   e->key, e->value),
                sf(s,
                   "Remove %s (true by default) unless the service "
                   "must stay unregistered.",
                   e->key));
        }
    }
}

static void chk_health_check_url(struct hb_config_set *s, const struct check *c)
{
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);

        if (!scalar_in(s, e, HB_CFG_CLIENT,
                       "spring.cloud.polaris.discovery.health-check-url") ||
            e->null || e->value[0] == '\0')
            continue;
        emit_at(s, c, e, "Heartbeats depend on the local health-check URL",
                sf(s,
                   "%s = %s: SCT (>= 1.9.0) then sends heartbeats from "
                   "its own thread and only while this URL on the local "
                   "instance answers OK; when it fails, SCT logs "
                   "'backend service health check failed' and the "
                   "instance expires.",
                   e->key, e->value),
                "Make sure the URL answers 2xx on the running instance.");
    }
}

/* Polaris' resource-name rule: ^[0-9A-Za-z-.:_]+$, short enough. */
static const char *name_problem(const char *v)
{
    size_t n = strlen(v), i;

    if (n > MAX_NAME)
        return "longer than 128 characters";
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];

        if (!isalnum(ch) && ch != '-' && ch != '.' && ch != ':' && ch != '_')
            return "it has characters other than letters, digits, '-', "
                   "'_', '.' and ':'";
    }
    return NULL;
}

static void check_names(struct hb_config_set *s, const struct check *c,
                        const char *const *keys, const char *what,
                        const char *code)
{
    const char *const *k;
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);
        char v[512];
        const char *why;

        for (k = keys; *k; k++) {
            if (!scalar_in(s, e, HB_CFG_CLIENT, *k) || e->null ||
                !value_of(s, e, v, sizeof v) || v[0] == '\0')
                continue;
            why = name_problem(v);
            if (why == NULL)
                continue;
            emit_at(s, c, e, sf(s, "Invalid Polaris %s name '%s'", what, v),
                    sf(s,
                       "%s = %s: %s. Polaris accepts %s names made of "
                       "letters, digits, '-', '_', '.' and ':' (at most "
                       "128 here, stricter limits may apply), so "
                       "registration fails with %s.",
                       e->key, e->value, why, what, code),
                    sf(s, "Use a %s name such as 'demo-svc'.", what));
        }
    }
}

static void chk_namespace_name(struct hb_config_set *s, const struct check *c)
{
    static const char *const keys[] = {
        "spring.cloud.polaris.namespace",
        "spring.cloud.polaris.discovery.namespace",
        NULL,
    };

    check_names(s, c, keys, "namespace", "400110 invalid namespace name");
}

static void chk_service_name(struct hb_config_set *s, const struct check *c)
{
    static const char *const explicit_keys[] = {
        "spring.cloud.polaris.service",
        "spring.cloud.polaris.discovery.service",
        NULL,
    };
    static const char *const app_name[] = {"spring.application.name", NULL};
    bool has_explicit = false;
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg) && !has_explicit; i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);

        has_explicit = scalar_in(s, e, HB_CFG_CLIENT, explicit_keys[0]) ||
                       scalar_in(s, e, HB_CFG_CLIENT, explicit_keys[1]);
    }
    check_names(s, c, has_explicit ? explicit_keys : app_name, "service",
                "400120 invalid service name");
}

/* A key set twice in one YAML mapping (the loader marks the second). */
static void chk_duplicate_key(struct hb_config_set *s, const struct check *c)
{
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);

        if (e->dup_line == 0 || !is_client(s, e))
            continue;
        emit_at(s, c, e,
                sf(s, "Key '%s' is set twice in one YAML mapping", e->key),
                sf(s,
                   "'%s' is already set at line %lu of the same mapping. "
                   "Spring Boot reads YAML with duplicate keys refused: "
                   "the application stops at start with "
                   "DuplicateKeyException ('found duplicate key'), so "
                   "nothing registers with Polaris.",
                   e->key, e->dup_line),
                sf(s, "Merge the two '%s' entries into one.", e->key));
    }
}

/* ---- auth (client + server) ----------------------------------------- */

static bool have_client(const struct hb_config_set *s)
{
    size_t i;

    for (i = 0; i < hb_cfg_nfiles(s->cfg); i++) {
        enum hb_cfg_role r = hb_cfg_file_at(s->cfg, i)->role;

        if (r == HB_CFG_CLIENT || r == HB_CFG_SDK)
            return true;
    }
    return false;
}

static bool client_has_token(const struct hb_config_set *s)
{
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);

        if (e->kind != HB_CFG_SCALAR || e->null || e->value[0] == '\0')
            continue;
        if (scalar_in(s, e, HB_CFG_CLIENT, "spring.cloud.polaris.token") ||
            scalar_in(s, e, HB_CFG_CLIENT,
                      "spring.cloud.polaris.discovery.token") ||
            scalar_in(s, e, HB_CFG_SDK, "global.serverConnector.token"))
            return true;
    }
    return false;
}

/* The server entry turning client auth on, or NULL. */
static const struct hb_cfg_entry *client_auth_on(const struct hb_config_set *s,
                                                 size_t *pos)
{
    size_t i;

    for (i = *pos; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);

        if ((scalar_in(s, e, HB_CFG_SERVER,
                       "auth.strategy.option.clientOpen") ||
             scalar_in(s, e, HB_CFG_SERVER, "auth.option.clientOpen")) &&
            is_true(e->value)) {
            *pos = i + 1;
            return e;
        }
    }
    *pos = hb_cfg_count(s->cfg);
    return NULL;
}

static void chk_token_missing(struct hb_config_set *s, const struct check *c)
{
    const struct hb_cfg_entry *auth, *at = NULL;
    size_t pos = 0, i;

    auth = client_auth_on(s, &pos);
    if (auth == NULL || !have_client(s) || client_has_token(s))
        return;
    for (i = 0; i < s->naddrs && at == NULL; i++)
        if (s->addrs[i].kind == ADDR_NAMING)
            at = s->addrs[i].e;
    if (at == NULL)
        at = first_polaris_key(s);
    for (i = 0; at == NULL && i < hb_cfg_count(s->cfg); i++)
        if (role_of(s, hb_cfg_at(s->cfg, i)) != HB_CFG_SERVER)
            at = hb_cfg_at(s->cfg, i);
    if (at == NULL)
        return;
    emit_at(s, c, at, "Polaris requires client tokens but the client sets none",
            sf(s,
               "%s:%lu turns client authentication on (%s = %s), and no "
               "client file sets spring.cloud.polaris.token, "
               "spring.cloud.polaris.discovery.token or "
               "global.serverConnector.token. Register and heartbeat are "
               "refused with 401xxx ('access is not approved', 'token "
               "not existed', 'auth token empty').",
               file_of(s, auth)->path, auth->line, auth->key, auth->value),
            "Give the client a token with write access to the service "
            "(spring.cloud.polaris.token), or turn clientOpen off.");
}

/* ---- server checks -------------------------------------------------- */

static void chk_server_grpc_missing(struct hb_config_set *s,
                                    const struct check *c)
{
    size_t f, i;

    for (f = 0; f < hb_cfg_nfiles(s->cfg); f++) {
        const struct hb_cfg_file *file = hb_cfg_file_at(s->cfg, f);
        const struct hb_cfg_entry *top = NULL;
        bool grpc = false;

        if (file->role != HB_CFG_SERVER)
            continue;
        for (i = file->first; i < file->first + file->count; i++)
            if (strcmp(hb_cfg_at(s->cfg, i)->norm, "apiservers") == 0)
                top = hb_cfg_at(s->cfg, i);
        for (i = 0; i < s->nls; i++)
            if (s->ls[i].file == f && is_grpc_listener(&s->ls[i]))
                grpc = true;
        if (top == NULL || grpc)
            continue;
        emit_at(s, c, top, "No service-grpc listener in apiservers",
                sf(s,
                   "%s has no apiservers entry named service-grpc, the "
                   "gRPC listener polaris-java uses to register, "
                   "heartbeat and discover (listeners: %s).",
                   file->path, listener_list(s)),
                "Add the service-grpc listener (listenPort 8091, api.client "
                "enable: true, include: [discover, register, healthcheck]).");
    }
}

static void chk_server_client_disabled(struct hb_config_set *s,
                                       const struct check *c)
{
    size_t i;

    for (i = 0; i < s->nls; i++) {
        const struct listener *l = &s->ls[i];
        const struct hb_cfg_entry *at;

        if (!is_grpc_listener(l) || (l->client_block && l->client_enable))
            continue;
        at = l->enable_at ? l->enable_at : listener_at(l);
        if (at == NULL)
            continue;
        emit_at(s, c, at,
                sf(s,
                   "Listener service-grpc (port %ld) does not serve the "
                   "client API",
                   l->port),
                sf(s,
                   "%s: without api.client enable: true the gRPC client "
                   "services are not registered at all, so every "
                   "register, heartbeat and discover call gets gRPC "
                   "UNIMPLEMENTED 'unknown service v1.PolarisGRPC' "
                   "(SDK: ERR-2002(SERVER_ERROR)).",
                   l->client_block ? "api.client.enable is not true"
                                   : "the listener has no api.client block"),
                "Set api.client.enable: true on service-grpc and restart "
                "polaris-server.");
    }
}

/* A gRPC include list that leaves out one group. */
static void server_missing(struct hb_config_set *s, const struct check *c,
                           unsigned bit, const char *group,
                           const char *consequence)
{
    size_t i;

    for (i = 0; i < s->nls; i++) {
        const struct listener *l = &s->ls[i];
        const struct hb_cfg_entry *at;

        if (!is_grpc_listener(l) || !l->client_block || !l->client_enable ||
            l->nitems == 0 || (l->include & bit))
            continue;
        at = l->include_at ? l->include_at : listener_at(l);
        /* the evidence shows the list even when it is written as a block */
        emit(s, c, file_of(s, at)->path, at->line,
             sf(s, "api.client.include: [%s]", l->items),
             sf(s, "Listener service-grpc (port %ld) does not open %s: %s",
                l->port, group, consequence),
             sf(s,
                "api.client.include is [%s] without %s. The server "
                "answers the %s calls with 400401 'client api is not "
                "open'; the SDK logs ERR-1006(SERVER_USER_ERROR): "
                "server error 400401: client api is not open.",
                l->items, group, group),
             sf(s,
                "Add %s to api.client.include of service-grpc (or "
                "drop include to open every client API) and restart "
                "polaris-server.",
                group));
    }
}

static void chk_server_register(struct hb_config_set *s, const struct check *c)
{
    server_missing(s, c, INC_REGISTER, "register",
                   "registration will get 400401");
}

static void chk_server_healthcheck(struct hb_config_set *s,
                                   const struct check *c)
{
    server_missing(s, c, INC_HEALTHCHECK, "healthcheck",
                   "heartbeats will get 400401");
}

static void chk_server_discover(struct hb_config_set *s, const struct check *c)
{
    server_missing(s, c, INC_DISCOVER, "discover",
                   "discovery and ReportClient will get 400401");
}

static void chk_server_include_unknown(struct hb_config_set *s,
                                       const struct check *c)
{
    size_t i;
    unsigned k;

    for (i = 0; i < s->nls; i++) {
        const struct listener *l = &s->ls[i];

        if (!is_grpc_listener(l))
            continue;
        for (k = 0; k < l->nunknown; k++)
            emit_at(s, c, l->unknown[k],
                    sf(s, "Unknown client API '%s' on service-grpc",
                       l->unknown[k]->value),
                    sf(s,
                       "service-grpc knows only discover, register and "
                       "healthcheck; with '%s' polaris-server does not "
                       "start ('method %s does not exist in grpcserver "
                       "client access'), so clients find nothing "
                       "listening.",
                       l->unknown[k]->value, l->unknown[k]->value),
                    "Remove it from api.client.include.");
    }
}

static void chk_server_port_conflict(struct hb_config_set *s,
                                     const struct check *c)
{
    size_t i, j;

    for (i = 0; i < s->nls; i++) {
        for (j = 0; j < i; j++) {
            const struct listener *a = &s->ls[j], *b = &s->ls[i];

            if (a->file != b->file || a->port < 0 || a->port != b->port ||
                b->port_at == NULL)
                continue;
            emit_at(s, c, b->port_at,
                    sf(s, "Listeners %s and %s both use port %ld", a->name,
                       b->name, b->port),
                    sf(s, "Two apiservers listeners cannot listen on one "
                          "port: the second fails to bind and polaris-server "
                          "does not start (or that listener stays down)."),
                    "Give each listener its own listenPort.");
            break;
        }
    }
}

static void chk_server_healthcheck_off(struct hb_config_set *s,
                                       const struct check *c)
{
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);
        bool off = scalar_in(s, e, HB_CFG_SERVER, "healthcheck.open") &&
                   is_false(e->value);
        bool none = e->kind == HB_CFG_SEQ && role_of(s, e) == HB_CFG_SERVER &&
                    hb_cfg_key_is(e, "healthcheck.checkers") &&
                    (i + 1 >= hb_cfg_count(s->cfg) ||
                     strncmp(hb_cfg_at(s->cfg, i + 1)->norm, e->norm,
                             strlen(e->norm)) != 0);

        if (!off && !none)
            continue;
        emit_at(s, c, e,
                "Polaris health checking is off: heartbeats get 400140",
                sf(s,
                   "%s: the server answers every heartbeat with 400140 "
                   "'server not open health check' (SDK: ERR-1006 server "
                   "error 400140), so no instance is kept healthy by "
                   "heartbeats.",
                   off ? "healthcheck.open is false"
                       : "healthcheck.checkers is empty"),
                "Set healthcheck.open: true with a checker (heartbeatMemory, "
                "heartbeatRedis or heartbeatLeader) and restart "
                "polaris-server.");
    }
}

static void chk_server_auth(struct hb_config_set *s, const struct check *c)
{
    const struct hb_cfg_entry *e;
    size_t pos = 0;

    if (have_client(s) && !client_has_token(s))
        return; /* client-token-missing says it with more weight */
    while ((e = client_auth_on(s, &pos)) != NULL)
        emit_at(s, c, e, "Polaris server requires client tokens",
                sf(s,
                   "%s = %s: register, deregister and heartbeat must "
                   "carry a token with rights on the service, otherwise "
                   "they fail with 401001 'access is not approved', "
                   "401004 'token not existed' or 401003 'token already "
                   "disabled'.",
                   e->key, e->value),
                "Make sure every client sets spring.cloud.polaris.token (or "
                "global.serverConnector.token in polaris.yml).");
}

static void chk_server_autocreate(struct hb_config_set *s,
                                  const struct check *c)
{
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);
        bool svc = scalar_in(s, e, HB_CFG_SERVER, "naming.autoCreate");
        bool ns = scalar_in(s, e, HB_CFG_SERVER, "namespace.autoCreate");

        if ((!svc && !ns) || !is_false(e->value))
            continue;
        emit_at(s, c, e,
                svc ? "Services are not created on registration"
                    : "Namespaces are not created on registration",
                sf(s,
                   "%s = %s: registering an instance of a %s that does "
                   "not exist yet fails with %s.",
                   e->key, e->value, svc ? "service" : "namespace",
                   svc ? "400301 'not found service'"
                       : "400305 'not found namespace'"),
                svc ? "Create every service in Polaris before it starts, or "
                      "set naming.autoCreate: true."
                    : "Create the namespaces first, or set "
                      "namespace.autoCreate: true.");
    }
}

static void chk_server_ratelimit(struct hb_config_set *s, const struct check *c)
{
    size_t i;

    for (i = 0; i < hb_cfg_count(s->cfg); i++) {
        const struct hb_cfg_entry *e = hb_cfg_at(s->cfg, i);

        if (!scalar_in(s, e, HB_CFG_SERVER, "plugin.ratelimit.option.enable") ||
            !is_true(e->value))
            continue;
        emit_at(s, c, e, "The server rate-limits client requests",
                sf(s,
                   "%s = %s: the token-bucket plugin limits requests per "
                   "IP and per API; many instances behind one address "
                   "can see heartbeats refused with 429002 / 403003 "
                   "(403001 / 403002 on servers up to 1.13).",
                   e->key, e->value),
                "Size the ip-limit / api-limit buckets for the number of "
                "instances times one heartbeat per TTL.");
    }
}

/* ---- client + server ------------------------------------------------ */

static void chk_cross_no_listener(struct hb_config_set *s,
                                  const struct check *c)
{
    const struct listener *g = grpc_listener(s);
    size_t i;

    if (!have_server(s))
        return;
    for (i = 0; i < s->naddrs; i++) {
        const struct addr *a = &s->addrs[i];

        if (a->kind != ADDR_NAMING || a->port < 0 || listener_on(s, a->port))
            continue;
        emit_at(s, c, a->e, sf(s, "No Polaris listener on port %ld", a->port),
                sf(s,
                   "%s = %s, but no apiservers listener of the server "
                   "configuration listens on %ld (listeners: %s). "
                   "Register and heartbeat fail with UNAVAILABLE / "
                   "connection refused (ERR-1007 NETWORK_ERROR, then "
                   "ERR-1004 API_TIMEOUT), or reach some other process "
                   "on that port (another Polaris listener answers "
                   "400401 'client api is not open').",
                   a->e->key, a->e->value, a->port, listener_list(s)),
                g ? sf(s, "Use port %ld (service-grpc).", g->port)
                  : "Add a service-grpc listener and use its port.");
    }
}

static void chk_cross_wrong_listener(struct hb_config_set *s,
                                     const struct check *c)
{
    const struct listener *g = grpc_listener(s);
    size_t i;

    for (i = 0; i < s->naddrs; i++) {
        const struct addr *a = &s->addrs[i];
        const struct listener *l;

        if (a->kind != ADDR_NAMING || a->port < 0)
            continue;
        l = listener_on(s, a->port);
        if (l == NULL || is_grpc_listener(l))
            continue;
        emit_at(s, c, a->e,
                sf(s, "Port %ld is listener %s, not service-grpc", a->port,
                   l->name),
                sf(s, "%s = %s reaches %s on port %ld: %s.", a->e->key,
                   a->e->value, l->name, a->port, listener_kind(l->name)),
                g ? sf(s, "Use port %ld (service-grpc).", g->port)
                  : "Add a service-grpc listener and use its port.");
    }
}

static void cross_missing(struct hb_config_set *s, const struct check *c,
                          bool discover_only)
{
    size_t i;

    for (i = 0; i < s->naddrs; i++) {
        const struct addr *a = &s->addrs[i];
        const struct listener *l;
        unsigned missing;

        if (a->kind != ADDR_NAMING || a->port < 0)
            continue;
        l = listener_on(s, a->port);
        if (l == NULL || !is_grpc_listener(l))
            continue;
        missing = (INC_DISCOVER | INC_REGISTER | INC_HEALTHCHECK) & ~opened(l);
        if (missing == 0 || discover_only != (missing == INC_DISCOVER))
            continue;
        if (!l->client_block || !l->client_enable)
            emit_at(s, c, a->e,
                    sf(s,
                       "Port %ld (service-grpc) does not serve the client "
                       "API",
                       a->port),
                    sf(s,
                       "%s = %s reaches service-grpc, whose api.client is "
                       "not enabled: register, heartbeat and discover get "
                       "UNIMPLEMENTED 'unknown service v1.PolarisGRPC'.",
                       a->e->key, a->e->value),
                    "Enable api.client on service-grpc.");
        else
            emit_at(s, c, a->e,
                    sf(s, "Port %ld (service-grpc) does not open %s", a->port,
                       missing_text(s, missing)),
                    sf(s,
                       "%s = %s reaches service-grpc, whose "
                       "api.client.include is [%s]: the client's %s calls "
                       "get 400401 'client api is not open'.",
                       a->e->key, a->e->value, l->items,
                       missing_text(s, missing)),
                    sf(s, "Add %s to api.client.include of service-grpc.",
                       missing_text(s, missing)));
    }
}

static void chk_cross_missing_api(struct hb_config_set *s,
                                  const struct check *c)
{
    cross_missing(s, c, false);
}

static void chk_cross_missing_discover(struct hb_config_set *s,
                                       const struct check *c)
{
    cross_missing(s, c, true);
}

/* ---- build files ---------------------------------------------------- */

struct versions {
    const struct hb_build_ver *boot, *cloud, *commons, *sct, *pj, *grpc;
    char cloud_line[32]; /* "" when unknown */
    bool cloud_exact;    /* from spring-cloud-dependencies */
    char sct_base[64], sct_train[64], sct_line[32];
};

static void versions(const struct hb_config_set *s, struct versions *v)
{
    const struct hb_build_ver *b = s->build.v;
    const char *t;

    memset(v, 0, sizeof *v);
    v->boot = b[HB_BUILD_BOOT].value ? &b[HB_BUILD_BOOT] : NULL;
    v->cloud = b[HB_BUILD_CLOUD].value ? &b[HB_BUILD_CLOUD] : NULL;
    v->commons = b[HB_BUILD_COMMONS].value ? &b[HB_BUILD_COMMONS] : NULL;
    v->sct = b[HB_BUILD_SCT].value ? &b[HB_BUILD_SCT] : NULL;
    v->pj = b[HB_BUILD_POLARIS].value ? &b[HB_BUILD_POLARIS] : NULL;
    v->grpc = b[HB_BUILD_GRPC].value ? &b[HB_BUILD_GRPC] : NULL;
    if (v->cloud && hb_build_train_line(s->know, v->cloud->value, v->cloud_line,
                                        sizeof v->cloud_line))
        v->cloud_exact = true;
    else if (v->commons && (t = hb_build_commons_train(v->commons->value)))
        hb_strlcpy(v->cloud_line, t, strlen(t), sizeof v->cloud_line);
    if (v->sct &&
        hb_build_sct_split(v->sct->value, v->sct_base, sizeof v->sct_base,
                           v->sct_train, sizeof v->sct_train) &&
        !hb_build_train_line(s->know, v->sct_train, v->sct_line,
                             sizeof v->sct_line))
        v->sct_line[0] = '\0';
}

/* "Spring Cloud 2022.0.4" or "Spring Cloud 2022.0 (spring-cloud-commons
 * 4.0.4)". */
static const char *cloud_name(struct hb_config_set *s, const struct versions *v)
{
    if (v->cloud_exact)
        return sf(s, "Spring Cloud %s", v->cloud->value);
    if (v->commons == NULL)
        return sf(s, "Spring Cloud %s", v->cloud_line);
    return sf(s, "Spring Cloud %s (spring-cloud-commons %s)", v->cloud_line,
              v->commons->value);
}

/* The Boot lines a train accepts, "3.0.x, 3.1.x" (set-owned). */
static const char *boots(struct hb_config_set *s, const char *train)
{
    char buf[128];

    if (!hb_build_train_boots(s->know, train, buf, sizeof buf))
        return "(unknown)";
    return sf(s, "%s", buf);
}

/*
 * The SCT release to suggest for a Spring Cloud train, given as a release
 * ("2022.0.5") or a line ("2021.0"): the same SCT version built for it,
 * else the newest SCT for exactly that release, else the newest for the
 * line. "SCT 1.13.0-2021.0.9 (Spring Boot 2.7.18, polaris-java 1.15.0)".
 */
static const char *sct_suggestion(struct hb_config_set *s, const char *base,
                                  const char *train)
{
    const struct hb_sct_row *r = hb_build_sct_for(s->know, train, base);
    char line[32];

    if (r == NULL && hb_build_train_line(s->know, train, line, sizeof line))
        r = hb_build_sct_for(s->know, line, base);
    if (r == NULL)
        return sf(s, "an SCT release built for Spring Cloud %s", train);
    return sf(s, "SCT %s-%s (Spring Boot %s, polaris-java %s)", r->sct,
              r->train, r->boot && r->boot[0] ? r->boot : boots(s, r->train),
              r->polaris_java);
}

static void chk_build_boot_cloud(struct hb_config_set *s, const struct check *c)
{
    struct versions v;
    char other[32];

    versions(s, &v);
    if (!v.boot || !v.cloud_line[0] ||
        hb_build_boot_fits(s->know, v.cloud_line, v.boot->value) != 0)
        return;
    emit_ver(s, c, v.boot,
             sf(s, "Spring Boot %s is not accepted by %s", v.boot->value,
                cloud_name(s, &v)),
             sf(s,
                "Spring Cloud %s accepts Spring Boot %s. Its "
                "compatibility verifier stops the application at start "
                "('Spring Boot [%s] is not compatible with this Spring "
                "Cloud release train'), before anything registers with "
                "Polaris.",
                v.cloud_line, boots(s, v.cloud_line), v.boot->value),
             hb_build_boot_train(s->know, v.boot->value, other, sizeof other)
                 ? sf(s,
                      "Use Spring Boot %s with Spring Cloud %s, or move "
                      "to Spring Cloud %s (with %s) to keep Boot %s.",
                      boots(s, v.cloud_line), v.cloud_line, other,
                      sct_suggestion(s, v.sct_base, other), v.boot->value)
                 : sf(s, "Use Spring Boot %s with Spring Cloud %s.",
                      boots(s, v.cloud_line), v.cloud_line));
}

static void chk_build_sct_cloud(struct hb_config_set *s, const struct check *c)
{
    struct versions v;

    versions(s, &v);
    if (!v.sct || !v.sct_line[0] || !v.cloud_line[0] ||
        strcmp(v.sct_line, v.cloud_line) == 0)
        return;
    emit_ver(s, c, v.sct,
             sf(s, "SCT %s is built for Spring Cloud %s, the build uses %s",
                v.sct->value, v.sct_line, cloud_name(s, &v)),
             sf(s,
                "The suffix of an SCT version names its release train "
                "(%s). Against another train SCT's auto-configurations "
                "do not link or do not start (NoSuchMethodError, "
                "ClassNotFoundException, bean creation errors), so the "
                "service never registers.",
                v.sct_train),
             sf(s, "Use %s, or Spring Cloud %s.",
                sct_suggestion(s, v.sct_base,
                               v.cloud_exact ? v.cloud->value : v.cloud_line),
                v.sct_train));
}

static void chk_build_sct_cloud_patch(struct hb_config_set *s,
                                      const struct check *c)
{
    struct versions v;

    versions(s, &v);
    if (!v.sct || !v.sct_line[0] || !v.cloud_exact ||
        strcmp(v.sct_line, v.cloud_line) != 0 ||
        strcmp(v.sct_train, v.cloud->value) == 0)
        return;
    emit_ver(s, c, v.sct,
             sf(s,
                "SCT %s was built against Spring Cloud %s, the build "
                "uses %s",
                v.sct->value, v.sct_train, v.cloud->value),
             sf(s, "Same release train, different release: the Spring "
                   "Cloud BOM moves library versions SCT was not built "
                   "with. Known breakage: SCT 1.13.0-2022.0.4 fails to "
                   "start under Spring Cloud 2022.0.5 (Feign 12.5 made "
                   "Feign.Builder.build() final)."),
             sf(s, "Use Spring Cloud %s, or %s.", v.sct_train,
                sct_suggestion(s, v.sct_base, v.cloud->value)));
}

static void chk_build_sct_boot(struct hb_config_set *s, const struct check *c)
{
    struct versions v;
    char other[32];

    versions(s, &v);
    if (!v.boot || !v.sct || !v.sct_line[0] || v.cloud_line[0] ||
        hb_build_boot_fits(s->know, v.sct_line, v.boot->value) != 0)
        return;
    emit_ver(s, c, v.boot,
             sf(s, "Spring Boot %s does not fit SCT %s", v.boot->value,
                v.sct->value),
             sf(s,
                "SCT %s is built for Spring Cloud %s, which accepts "
                "Spring Boot %s; the Spring Cloud compatibility verifier "
                "stops the application at start.",
                v.sct->value, v.sct_line, boots(s, v.sct_line)),
             sf(s, "Use Spring Boot %s, or %s.", boots(s, v.sct_line),
                hb_build_boot_train(s->know, v.boot->value, other, sizeof other)
                    ? sct_suggestion(s, v.sct_base, other)
                    : "an SCT release for your Spring Boot line"));
}

static void chk_build_polaris_java(struct hb_config_set *s,
                                   const struct check *c)
{
    const struct hb_sct_row *r;
    struct versions v;
    char have[32], want[32];

    versions(s, &v);
    if (!v.sct || !v.pj || !v.sct_train[0])
        return;
    r = hb_build_sct_find(s->know, v.sct_base, v.sct_train);
    if (r == NULL || !hb_build_minor_line(v.pj->value, have, sizeof have) ||
        !hb_build_minor_line(r->polaris_java, want, sizeof want) ||
        strcmp(have, want) == 0)
        return;
    emit_ver(s, c, v.pj,
             sf(s,
                "polaris-java %s overrides the %s that SCT %s is built "
                "with",
                v.pj->value, r->polaris_java, v.sct->value),
             sf(s,
                "SCT %s-%s pins polaris-java %s. Another minor line "
                "changes the SDK classes and log format SCT calls; "
                "registration or heartbeats may fail with "
                "NoSuchMethodError or behave differently.",
                r->sct, r->train, r->polaris_java),
             sf(s,
                "Drop the polaris-java version override (let the SCT BOM "
                "choose %s).",
                r->polaris_java));
}

static void chk_build_grpc(struct hb_config_set *s, const struct check *c)
{
    struct versions v;

    versions(s, &v);
    if (!v.pj || !v.grpc || hb_version_cmp(v.pj->value, "1.15.0") >= 0 ||
        hb_version_cmp(v.grpc->value, "1.58.0") < 0)
        return;
    emit_ver(s, c, v.grpc,
             sf(s, "grpc-java %s is too new for polaris-java %s", v.grpc->value,
                v.pj->value),
             sf(s, "grpc-java 1.58 removed MetadataUtils.attachHeaders, which "
                   "polaris-java 1.14.x and older call: every call to the "
                   "server then fails with a NoSuchMethodError wrapped as "
                   "ERR-1007(NETWORK_ERROR) (spring-cloud-tencent#1212)."),
             "Remove the grpc-java override (use the version polaris-java "
             "brings), or upgrade SCT / polaris-java to a release built for "
             "newer grpc-java.");
}

/* ---- the table ------------------------------------------------------ */

#define ROW(id, cause, sev, fn, what)                                          \
    {                                                                          \
        {id, cause, sev, what}, fn                                             \
    }

static const struct check checks[] = {
    /* client: addresses */
    ROW("client-address-port", HB_CAUSE_PORT, HB_SEV_CRITICAL, chk_addr_port,
        "naming address on a known non-naming port (8090 HTTP, 8093 config, "
        "...) or a typo of 8091 (8081)"),
    ROW("client-address-malformed", HB_CAUSE_CONFIG, HB_SEV_ERROR,
        chk_addr_malformed,
        "address without grpc:// (SCT) or with one (polaris.yml), without "
        "host or port, or with a bad port"),
    ROW("client-address-scheme", HB_CAUSE_CONFIG, HB_SEV_WARNING,
        chk_addr_scheme, "SCT address with a scheme other than grpc://"),
    ROW("client-address-port-unusual", HB_CAUSE_PORT, HB_SEV_WARNING,
        chk_addr_port_unusual,
        "naming address on a port that is not a Polaris default (no server "
        "config given)"),
    ROW("client-config-port", HB_CAUSE_PORT, HB_SEV_ERROR, chk_config_port,
        "config-center address or spring.cloud.polaris.config.port not on "
        "8093 (8091 is the naming port)"),
    ROW("client-address-placeholder", HB_CAUSE_CONFIG, HB_SEV_INFO,
        chk_addr_placeholder,
        "address from a ${...} placeholder the files do not resolve (a "
        "default is checked)"),
    ROW("client-address-unset", HB_CAUSE_CONFIG, HB_SEV_INFO, chk_addr_unset,
        "spring.cloud.polaris.* set but no address: the SDK uses "
        "127.0.0.1:8091"),
    /* client: discovery settings */
    ROW("client-register-disabled", HB_CAUSE_CONFIG, HB_SEV_WARNING,
        chk_register_disabled,
        "discovery.register / discovery.enabled / polaris.enabled false: "
        "nothing registers, nothing heartbeats"),
    ROW("client-heartbeat-disabled", HB_CAUSE_CONFIG, HB_SEV_WARNING,
        chk_heartbeat_disabled,
        "discovery.heartbeat.enabled false on SCT 1.2-1.8 (or SCT version "
        "unknown)"),
    ROW("client-heartbeat-enabled-ignored", HB_CAUSE_CONFIG, HB_SEV_INFO,
        chk_heartbeat_ignored,
        "discovery.heartbeat.enabled / heartbeat-enabled, ignored since SCT "
        "1.9.0"),
    ROW("client-heartbeat-interval", HB_CAUSE_CONFIG, HB_SEV_WARNING,
        chk_heartbeat_interval,
        "discovery.heartbeat-interval outside 1..60 (SCT resets it to 5)"),
    ROW("client-health-check-url", HB_CAUSE_CONFIG, HB_SEV_INFO,
        chk_health_check_url,
        "discovery.health-check-url set: heartbeats only while it answers OK"),
    ROW("client-duplicate-key", HB_CAUSE_CONFIG, HB_SEV_ERROR,
        chk_duplicate_key,
        "a key repeated in one YAML mapping (two spring: blocks): Spring "
        "Boot refuses the file"),
    ROW("client-int-value", HB_CAUSE_CONFIG, HB_SEV_ERROR, chk_int_value,
        "integer property (heartbeat-interval, local-port, config.port, "
        "weight, stat.port) that is not an integer"),
    ROW("client-local-port", HB_CAUSE_CONFIG, HB_SEV_ERROR, chk_local_port,
        "spring.cloud.polaris.local-port outside 1..65535"),
    ROW("client-namespace-invalid", HB_CAUSE_CONFIG, HB_SEV_ERROR,
        chk_namespace_name,
        "namespace name Polaris rejects (400110): characters, length"),
    ROW("client-service-invalid", HB_CAUSE_CONFIG, HB_SEV_ERROR,
        chk_service_name,
        "service name (or spring.application.name) Polaris rejects (400120)"),
    ROW("client-token-missing", HB_CAUSE_AUTH, HB_SEV_ERROR, chk_token_missing,
        "server requires client tokens (clientOpen) and the client has none"),
    /* server */
    ROW("server-grpc-missing", HB_CAUSE_API_GATING, HB_SEV_CRITICAL,
        chk_server_grpc_missing, "apiservers without a service-grpc listener"),
    ROW("server-client-disabled", HB_CAUSE_API_GATING, HB_SEV_CRITICAL,
        chk_server_client_disabled,
        "service-grpc without api.client enable: true (UNIMPLEMENTED)"),
    ROW("server-register-not-included", HB_CAUSE_API_GATING, HB_SEV_CRITICAL,
        chk_server_register,
        "service-grpc include without register: registration gets 400401"),
    ROW("server-healthcheck-not-included", HB_CAUSE_API_GATING, HB_SEV_CRITICAL,
        chk_server_healthcheck,
        "service-grpc include without healthcheck: heartbeats get 400401"),
    ROW("server-discover-not-included", HB_CAUSE_API_GATING, HB_SEV_WARNING,
        chk_server_discover,
        "service-grpc include without discover: discovery gets 400401"),
    ROW("server-healthcheck-off", HB_CAUSE_API_GATING, HB_SEV_CRITICAL,
        chk_server_healthcheck_off,
        "healthcheck.open false or no checker: heartbeats get 400140"),
    ROW("server-include-unknown", HB_CAUSE_CONFIG, HB_SEV_ERROR,
        chk_server_include_unknown,
        "unknown name in service-grpc include: the server does not start"),
    ROW("server-port-conflict", HB_CAUSE_CONFIG, HB_SEV_ERROR,
        chk_server_port_conflict, "two listeners on one port"),
    ROW("server-client-auth", HB_CAUSE_AUTH, HB_SEV_WARNING, chk_server_auth,
        "client authentication on (auth.strategy.option.clientOpen / "
        "auth.option.clientOpen): tokens required"),
    ROW("server-autocreate-off", HB_CAUSE_NOT_FOUND, HB_SEV_WARNING,
        chk_server_autocreate,
        "naming.autoCreate / namespace.autoCreate false: 400301 / 400305 for "
        "new services"),
    ROW("server-ratelimit-on", HB_CAUSE_RATE_LIMIT, HB_SEV_INFO,
        chk_server_ratelimit,
        "plugin.ratelimit.option.enable true: 429002 / 403003 possible"),
    /* client + server */
    ROW("cross-no-listener", HB_CAUSE_PORT, HB_SEV_CRITICAL,
        chk_cross_no_listener,
        "client address port on which no server listener listens"),
    ROW("cross-wrong-listener", HB_CAUSE_PORT, HB_SEV_CRITICAL,
        chk_cross_wrong_listener,
        "client address port is a listener other than service-grpc"),
    ROW("cross-listener-missing-api", HB_CAUSE_API_GATING, HB_SEV_CRITICAL,
        chk_cross_missing_api,
        "the listener the client reaches does not open register/healthcheck"),
    ROW("cross-listener-missing-discover", HB_CAUSE_API_GATING, HB_SEV_WARNING,
        chk_cross_missing_discover,
        "the listener the client reaches opens all but discover"),
    /* build files */
    ROW("build-boot-cloud", HB_CAUSE_VERSION_MISMATCH, HB_SEV_ERROR,
        chk_build_boot_cloud,
        "Spring Boot line not accepted by the Spring Cloud release train"),
    ROW("build-sct-cloud", HB_CAUSE_VERSION_MISMATCH, HB_SEV_ERROR,
        chk_build_sct_cloud,
        "SCT version suffix names another Spring Cloud train than the build's"),
    ROW("build-sct-cloud-patch", HB_CAUSE_VERSION_MISMATCH, HB_SEV_WARNING,
        chk_build_sct_cloud_patch,
        "SCT built against another release of the same train "
        "(1.13.0-2022.0.4 on 2022.0.5)"),
    ROW("build-sct-boot", HB_CAUSE_VERSION_MISMATCH, HB_SEV_ERROR,
        chk_build_sct_boot,
        "Spring Boot line not accepted by the train SCT is built for (no "
        "Spring Cloud version given)"),
    ROW("build-polaris-java", HB_CAUSE_VERSION_MISMATCH, HB_SEV_WARNING,
        chk_build_polaris_java,
        "polaris-java override on another minor line than SCT pins"),
    ROW("build-grpc-polaris-java", HB_CAUSE_VERSION_MISMATCH, HB_SEV_ERROR,
        chk_build_grpc, "grpc-java >= 1.58 with polaris-java <= 1.14"),
};

size_t hb_config_check_count(void)
{
    return HB_ARRAY_LEN(checks);
}

const struct hb_check_info *hb_config_check_info(size_t i)
{
    return i < HB_ARRAY_LEN(checks) ? &checks[i].info : NULL;
}

const struct hb_check_info *hb_config_check_find(const char *id)
{
    size_t i;

    for (i = 0; i < HB_ARRAY_LEN(checks); i++)
        if (strcmp(checks[i].info.id, id) == 0)
            return &checks[i].info;
    return NULL;
}

size_t hb_config_set_run(struct hb_config_set *s)
{
    size_t i;

    if (s->ran)
        return s->nf;
    s->ran = true;
    build_index(s);
    collect_addrs(s);
    collect_listeners(s);
    for (i = 0; i < HB_ARRAY_LEN(checks); i++) {
        s->this_check = 0;
        checks[i].fn(s, &checks[i]);
    }
    return s->nf;
}

size_t hb_config_set_dropped(const struct hb_config_set *s)
{
    return s->dropped;
}

enum hb_status
hb_config_check_files(const char *const *paths, size_t n,
                      void (*fn)(void *ctx, const struct hb_finding *f),
                      void *ctx, struct hb_config_set **out, struct hb_diag *d)
{
    struct hb_config_set *s = hb_config_set_new();
    enum hb_status rc = HB_OK;
    size_t i;

    for (i = 0; i < n; i++) {
        struct hb_diag local;
        enum hb_status r = hb_config_set_add(s, paths[i], HB_CFG_AUTO, &local);

        if (r != HB_OK && rc == HB_OK) {
            rc = r;
            if (d)
                *d = local;
        }
    }
    hb_config_set_run(s);
    for (i = 0; fn && i < s->nf; i++)
        fn(ctx, &s->f[i]);
    if (out)
        *out = s;
    else
        hb_config_set_free(s);
    return rc;
}
