/*
 * diagnose.c - aggregates incidents, observations and config findings per
 * cause (counts, capped sets, top-K evidence, a timeline), correlates them
 * (registration vs heartbeats, instances, server addresses, versions) and
 * ranks hypotheses with a confidence built from rule weights, counts and the
 * knowledge tables. Memory is bounded whatever the input size.
 *
 * Confidence of a cause c:
 *
 *     conf(c) = min(0.99, D(c) * (1 - PROD_i (1 - s_i)))
 *
 * over the distinct supports i of c:
 *   - a rule of cause c hit n times:     s = w * (1 - 0.2 * 0.5^(n-1))
 *     (0.8w for one hit, 0.9w for two, 0.95w for three, -> w)
 *   - a rule naming c as an alternative: s = 0.5 * w * (same count factor)
 *   - a config finding (n of one check): s = w * (same count factor)
 *   - corroborating knowledge (fixed terms): the Polaris port seen next to
 *     a 400401/UNIMPLEMENTED (0.5), versions outside the matrix (0.45, 0.6
 *     next to network failures; +0.25 for a second violation), a
 *     dependency that changed before the failures began (0.3);
 *   - 400401 / UNIMPLEMENTED incidents (rules of cause port or api-gating)
 *     are weighed together, L = wmax * count factor: wrong port seen ->
 *     port L + 0.5, api-gating 0.35L; only the naming port seen -> api-gating
 *     L + 0.5, port 0.2L; no port evidence -> port 0.8L, api-gating 0.75L.
 * D(c) is 1, or for network 0.7 when failures carry a missing method
 * signature and 0.6 when the versions seen break a dependency constraint
 * (the version-matrix term is then 0.6) -- unless most network failures are
 * refused connections, which no version explains.
 * Unclassified incidents are never a cause; they are listed apart.
 */
#include "diagnose.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "knowledge.h"
#include "report.h"
#include "rules.h"
#include "util.h"

#define SET_CAP      64 /* rules, fingerprints per cause; addresses; versions */
#define INST_CAP     256 /* instances */
#define CODE_CAP     256 /* distinct codes */
#define GRPC_CAP     32  /* distinct gRPC statuses */
#define FIND_CAP     256 /* findings kept */
#define UNC_CODE_CAP 32  /* codes of unclassified incidents */
#define LPORT_CAP    16  /* server ports named by 400401/UNIMPLEMENTED */
#define SYN_CAP      8   /* knowledge terms per cause */
#define VIOL_CAP     8   /* version violations kept */
#define HAY_CAP      (HB_INCIDENT_TEXT_CAP + 1100)

enum term_kind { T_RULE, T_ALT, T_LISTENER, T_FINDING };

struct rule_ent {
    char id[96];
    const struct hb_rule_meta *meta; /* borrowed from the ruleset, or NULL */
    double weight;
    uint64_t n;
    enum term_kind kind;
};

struct fp_ent {
    char fp[17];
    uint64_t n;
};

/* Everything kept about one cause (or the unclassified incidents). */
struct acc {
    uint64_t n, n_alt, n_find;
    int64_t first, last;
    enum hb_severity sev;
    enum hb_severity alt_sev; /* of the incidents naming it as alternative */
    struct rule_ent rules[SET_CAP];
    size_t nrules;
    uint64_t rules_over;
    struct fp_ent fps[SET_CAP];
    size_t nfps;
    uint64_t fps_over;
    uint8_t inst[INST_CAP / 8]; /* bit per instance index */
    uint64_t inst_over;
    uint64_t addr; /* bit per address index (SET_CAP = 64) */
    struct hb_evidence ev[HB_EVIDENCE_KEEP];
    size_t nev;
    struct hb_timeline tl;
    uint64_t n_hb, n_reg; /* heartbeat / registration failures */
    int64_t hb_first, hb_last;
    uint64_t n_refused; /* incidents saying "Connection refused" */
    uint64_t n_sig;     /* incidents with a missing-method signature */
    char sig[256];      /* the first one */
    char sig_class[160];
    uint32_t code_notes; /* bit per knowledge code row (first 32) */
};

struct inst {
    char ns[64], service[128], host[64];
    int port;
    uint64_t key; /* inst_key of the fields it was made from */
    char label[272];
    uint64_t fail, reg_ok, hb_ok;
    int64_t fail_first, fail_last;
    int64_t hb_ok_first, hb_ok_last, reg_ok_last;
};

struct addr {
    char value[128];
    int port;
    char how[24];
    bool config;
    uint64_t seen, fails;
    struct hb_evidence ev; /* first sighting */
};

struct ver {
    char artifact[48];
    char version[96];
    uint64_t n;
    int64_t first;
    struct hb_evidence ev;
};

struct cnt {
    char name[24];
    uint64_t n;
};

/* 400401 and UNIMPLEMENTED incidents, weighed together at rank time. */
struct lbucket {
    uint64_t n, n401, nunimpl;
    double wmax;
    uint64_t n_hb, n_reg, n_disc;
    int ports[LPORT_CAP];
    size_t nports;
};

enum lmode { L_NONE, L_WRONG, L_NAMING, L_MIXED };

struct syn {
    const char *id;
    double t;
};

struct viol {
    char what[320];
    char fits[320];
};

/* A hypothesis being built: the strings behind struct hb_hyp. */
struct hstore {
    struct hb_buf title, desc, action;
    char facts[HB_HYP_FACTS][480];
    const char *inst[INST_CAP];
    const char *addrs[SET_CAP];
    const char *rules[SET_CAP + SYN_CAP];
    struct hb_evidence ev[HB_EVIDENCE_KEEP + HB_SUPPORT_KEEP];
};

struct hb_dx {
    const struct hb_ruleset *rs; /* borrowed */
    struct hb_knowledge *know;   /* owned */
    char know_from[1024];
    struct acc acc[HB_CAUSE_COUNT];
    struct acc unc;
    struct cnt unc_codes[UNC_CODE_CAP];
    size_t nunc_codes;
    struct inst *inst; /* owned, up to INST_CAP */
    size_t ninst;
    struct inst anon; /* facts with no instance */
    struct addr addr[SET_CAP];
    size_t naddr;
    struct ver ver[SET_CAP];
    size_t nver;
    struct cnt codes[CODE_CAP];
    size_t ncodes;
    struct cnt grpc[GRPC_CAP];
    size_t ngrpc;
    struct hb_finding find[FIND_CAP]; /* strings owned */
    size_t nfind;
    uint64_t overflow;
    struct lbucket lb;
    uint64_t incidents, obs;
    int64_t first, last;
    char hay[HAY_CAP]; /* scratch: the incident's text */
    bool hay_ok;
    /* ranking */
    bool ranked;
    enum lmode lmode;
    int wrong_port;
    struct syn syn[HB_CAUSE_COUNT][SYN_CAP];
    size_t nsyn[HB_CAUSE_COUNT];
    double demote[HB_CAUSE_COUNT];
    struct viol viol[VIOL_CAP];
    size_t nviol;
    char vfacts[4][400];
    size_t nvfacts;
    struct hstore *hs; /* owned: HB_CAUSE_COUNT */
    struct hb_hyp hyps[HB_CAUSE_COUNT];
    size_t nhyps;
    struct hb_count v_codes[CODE_CAP], v_grpc[GRPC_CAP],
        v_unc_codes[UNC_CODE_CAP];
    struct hb_report_addr v_addr[SET_CAP];
    struct hb_report_version v_ver[SET_CAP];
    struct hb_report_instance v_inst[INST_CAP];
    struct hb_evidence unc_ev[HB_EVIDENCE_KEEP];
    uint16_t canon[INST_CAP]; /* partial instance -> full one */
    struct hb_report report;
};

/* ---- small helpers --------------------------------------------------- */

static void copy(char *dst, size_t cap, const char *s)
{
    hb_strlcpy(dst, s, s ? strlen(s) : 0, cap);
}

static double clamp01(double w)
{
    if (!(w > 0))
        return 0;
    return w > 1 ? 1 : w;
}

/* The count factor: 0.8 for one, 0.9 for two, 0.95 for three ... -> 1. */
static double count_factor(uint64_t n)
{
    double f = 0.2;
    uint64_t i;

    if (n == 0)
        return 0;
    for (i = 1; i < n && i < 40; i++)
        f *= 0.5;
    return 1 - f;
}

static bool bit_get(const uint8_t *set, size_t i)
{
    return (set[i / 8] >> (i % 8)) & 1;
}

static void bit_set(uint8_t *set, size_t i)
{
    set[i / 8] = (uint8_t)(set[i / 8] | (1u << (i % 8)));
}

/* Times before 1990 or from 2100 on are misparsed stamps: no time. */
static bool ts_ok(int64_t ts)
{
    return ts != HB_NO_TIME && ts >= 631152000000LL && ts < 4102444800000LL;
}

static void span_add(int64_t *first, int64_t *last, int64_t ts)
{
    if (!ts_ok(ts))
        return;
    if (*first == HB_NO_TIME || ts < *first)
        *first = ts;
    if (*last == HB_NO_TIME || ts > *last)
        *last = ts;
}

static void count_add(struct cnt *t, size_t *n, size_t cap, const char *name,
                      uint64_t *over)
{
    size_t i;

    if (name == NULL || name[0] == '\0')
        return;
    for (i = 0; i < *n; i++)
        if (strcmp(t[i].name, name) == 0) {
            t[i].n++;
            return;
        }
    if (*n >= cap) {
        if (over)
            (*over)++;
        return;
    }
    copy(t[*n].name, sizeof t[*n].name, name);
    t[*n].n = 1;
    (*n)++;
}

/* Port of "host:port", "grpc://host:port/", "[::1]:8091"; 0 when none. */
static int addr_port(const char *v)
{
    const char *p = v, *colon = NULL;
    long port = 0;

    if (strstr(p, "://"))
        p = strstr(p, "://") + 3;
    for (; *p && *p != '/'; p++)
        if (*p == ':')
            colon = p;
    if (colon == NULL)
        return 0;
    for (p = colon + 1; isdigit((unsigned char)*p); p++)
        if (port < 100000)
            port = port * 10 + (*p - '0');
    if (p == colon + 1 || port < 1 || port > 65535)
        return 0;
    return (int)port;
}

/* "host:port" without a scheme or path. */
static void addr_norm(char *dst, size_t cap, const char *v)
{
    const char *p = strstr(v, "://");
    size_t n;

    p = p ? p + 3 : v;
    while (*p == '/')
        p++;
    n = strcspn(p, "/ \t,;");
    hb_strlcpy(dst, p, n, cap);
}

/* ---- timeline -------------------------------------------------------- */

void hb_timeline_add(struct hb_timeline *t, int64_t ts)
{
    if (!ts_ok(ts)) {
        t->untimed++;
        return;
    }
    if (!t->used) {
        t->used = true;
        t->width_ms = 1000;
        t->origin_ms = ts - ts % 1000 - (ts % 1000 < 0 ? 1000 : 0);
    }
    for (;;) {
        int64_t span = t->width_ms * HB_TL_BUCKETS;
        uint32_t merged[HB_TL_BUCKETS];
        int i, half = HB_TL_BUCKETS / 2;
        bool left;

        if (ts >= t->origin_ms && (ts - t->origin_ms) < span)
            break;
        left = ts < t->origin_ms;
        memset(merged, 0, sizeof merged);
        for (i = 0; i < HB_TL_BUCKETS; i++)
            merged[(left ? half : 0) + i / 2] += t->n[i];
        memcpy(t->n, merged, sizeof merged);
        if (left)
            t->origin_ms -= span;
        t->width_ms *= 2;
    }
    t->n[(ts - t->origin_ms) / t->width_ms]++;
}

void hb_timeline_project(const struct hb_timeline *t, int64_t from, int64_t to,
                         uint64_t *cols, int ncols)
{
    int i;

    for (i = 0; i < ncols; i++)
        cols[i] = 0;
    if (!t->used || ncols <= 0)
        return;
    if (to < from)
        to = from;
    for (i = 0; i < HB_TL_BUCKETS; i++) {
        int64_t mid;
        double pos;
        int c;

        if (t->n[i] == 0)
            continue;
        mid = t->origin_ms + t->width_ms * i + t->width_ms / 2;
        if (mid < from)
            mid = from;
        if (mid > to)
            mid = to;
        pos = to > from ? (double)(mid - from) / (double)(to - from) : 0;
        c = (int)(pos * ncols);
        if (c >= ncols)
            c = ncols - 1;
        cols[c] += t->n[i];
    }
}

/* ---- time formatting (shared with the renderers) -------------------- */

void hb_report_time_utc(int64_t ms, char *buf, size_t cap)
{
    time_t s;
    struct tm tm;
    int64_t frac;

    if (ms == HB_NO_TIME) {
        hb_strlcpy(buf, "", 0, cap);
        return;
    }
    frac = ms % 1000;
    if (frac < 0)
        frac += 1000;
    s = (time_t)((ms - frac) / 1000);
    if (gmtime_r(&s, &tm) == NULL) {
        hb_strlcpy(buf, "", 0, cap);
        return;
    }
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)frac);
}

void hb_report_time_local(int64_t ms, char *buf, size_t cap)
{
    time_t s;
    struct tm tm;
    int64_t frac;

    if (ms == HB_NO_TIME) {
        hb_strlcpy(buf, "?", 1, cap);
        return;
    }
    frac = ms % 1000;
    if (frac < 0)
        frac += 1000;
    s = (time_t)((ms - frac) / 1000);
    if (localtime_r(&s, &tm) == NULL) {
        hb_strlcpy(buf, "?", 1, cap);
        return;
    }
    snprintf(buf, cap, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void hb_report_duration(int64_t ms, char *buf, size_t cap)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}};
    size_t i;

    if (ms < 0)
        ms = 0;
    if (ms < 1000) {
        snprintf(buf, cap, "%dms", (int)ms);
        return;
    }
    for (i = 0; i + 1 < HB_ARRAY_LEN(units); i++)
        if (ms >= units[i].ms) {
            int64_t a = ms / units[i].ms;
            int64_t b = (ms % units[i].ms) / units[i + 1].ms;

            if (b)
                snprintf(buf, cap, "%lld%s%lld%s", (long long)a, units[i].unit,
                         (long long)b, units[i + 1].unit);
            else
                snprintf(buf, cap, "%lld%s", (long long)a, units[i].unit);
            return;
        }
    snprintf(buf, cap, "%llds", (long long)(ms / 1000));
}

/* ---- construction ---------------------------------------------------- */

static void acc_init(struct acc *a)
{
    memset(a, 0, sizeof *a);
    a->first = a->last = HB_NO_TIME;
    a->hb_first = a->hb_last = HB_NO_TIME;
}

static void inst_init(struct inst *in)
{
    memset(in, 0, sizeof *in);
    in->fail_first = in->fail_last = HB_NO_TIME;
    in->hb_ok_first = in->hb_ok_last = in->reg_ok_last = HB_NO_TIME;
}

/* The knowledge directory beside the rules of rs, or "" when unknown. */
static void knowledge_dir_of(const struct hb_ruleset *rs, char *buf, size_t cap)
{
    const struct hb_rule_meta *m;
    const char *slash;

    buf[0] = '\0';
    if (rs == NULL || hb_rules_count(rs) == 0)
        return;
    m = hb_rules_get(rs, 0);
    if (m == NULL || m->file == NULL)
        return;
    slash = strrchr(m->file, '/');
    if (slash == NULL)
        snprintf(buf, cap, "knowledge");
    else
        snprintf(buf, cap, "%.*s/knowledge", (int)(slash - m->file), m->file);
}

struct hb_dx *hb_dx_new(const struct hb_ruleset *rs, const char *knowledge_dir)
{
    static bool warned;
    struct hb_dx *dx = hb_xcalloc(1, sizeof *dx);
    char dir[1024];
    struct hb_diag d;
    unsigned problems = 0;
    int i;

    dx->rs = rs;
    for (i = 0; i < HB_CAUSE_COUNT; i++)
        acc_init(&dx->acc[i]);
    acc_init(&dx->unc);
    inst_init(&dx->anon);
    dx->first = dx->last = HB_NO_TIME;
    if (knowledge_dir)
        copy(dir, sizeof dir, knowledge_dir);
    else
        knowledge_dir_of(rs, dir, sizeof dir);
    memset(&d, 0, sizeof d);
    hb_knowledge_load(&dx->know, dir[0] ? dir : NULL, &problems, &d);
    if (problems && !warned) {
        warned = true;
        hb_diag_print(&d, stderr);
        fprintf(stderr,
                "hbscan: knowledge: %u file%s in %s unusable; using the "
                "built-in defaults for %s\n",
                problems, problems == 1 ? "" : "s", dir,
                problems == 1 ? "it" : "them");
    }
    if (dir[0] && problems < 3)
        copy(dx->know_from, sizeof dx->know_from, dir);
    else
        copy(dx->know_from, sizeof dx->know_from, "built-in");
    dx->hs = hb_xcalloc(HB_CAUSE_COUNT, sizeof *dx->hs);
    for (i = 0; i < HB_CAUSE_COUNT; i++) {
        hb_buf_init(&dx->hs[i].title);
        hb_buf_init(&dx->hs[i].desc);
        hb_buf_init(&dx->hs[i].action);
    }
    return dx;
}

void hb_dx_free(struct hb_dx *dx)
{
    size_t i;

    if (dx == NULL)
        return;
    for (i = 0; i < dx->nfind; i++) {
        struct hb_finding *f = &dx->find[i];

        free((char *)(uintptr_t)f->check_id);
        free((char *)(uintptr_t)f->title);
        free((char *)(uintptr_t)f->description);
        free((char *)(uintptr_t)f->action);
        free((char *)(uintptr_t)f->path);
        free((char *)(uintptr_t)f->text);
    }
    for (i = 0; i < HB_CAUSE_COUNT; i++) {
        hb_buf_fini(&dx->hs[i].title);
        hb_buf_fini(&dx->hs[i].desc);
        hb_buf_fini(&dx->hs[i].action);
    }
    free(dx->hs);
    free(dx->inst);
    hb_knowledge_free(dx->know);
    free(dx);
}

/* ---- instances, addresses, versions ---------------------------------- */

static void inst_label(struct inst *in)
{
    char hp[96] = "";

    if (in->host[0] && in->port)
        snprintf(hp, sizeof hp, "%s:%d", in->host, in->port);
    else if (in->host[0])
        snprintf(hp, sizeof hp, "%s", in->host);
    else if (in->port)
        snprintf(hp, sizeof hp, ":%d", in->port);
    snprintf(in->label, sizeof in->label, "%s%s%s%s%s", in->ns,
             in->ns[0] && in->service[0] ? "/" : "", in->service,
             (in->ns[0] || in->service[0]) && hp[0] ? " " : "", hp);
}

/* A hash of an instance's fields, compared before them. */
static uint64_t inst_key(const char *ns, const char *service, const char *host,
                         int port)
{
    uint64_t h = hb_hash64(ns, strlen(ns) + 1, HB_HASH_SEED ^ (unsigned)port);

    h = hb_hash64(service, strlen(service) + 1, h);
    return hb_hash64(host, strlen(host), h);
}

/* The instance record for these fields; the anonymous one when all are
   empty; NULL when the table is full (counted). *idx: table index or -1. */
static struct inst *inst_get(struct hb_dx *dx, const char *ns,
                             const char *service, const char *host, int port,
                             int *idx)
{
    struct inst *in;
    uint64_t key;
    size_t i;

    *idx = -1;
    if (!service[0] && !host[0]) /* a namespace or a port alone: no instance */
        return &dx->anon;
    key = inst_key(ns, service, host, port);
    for (i = 0; i < dx->ninst; i++) {
        in = &dx->inst[i];
        if (in->key == key && in->port == port && strcmp(in->host, host) == 0 &&
            strcmp(in->service, service) == 0 && strcmp(in->ns, ns) == 0) {
            *idx = (int)i;
            return in;
        }
    }
    if (dx->ninst >= INST_CAP) {
        dx->overflow++;
        return NULL;
    }
    if (dx->ninst % 16 == 0)
        dx->inst = hb_xrealloc(dx->inst, (dx->ninst + 16) * sizeof *dx->inst);
    in = &dx->inst[dx->ninst];
    inst_init(in);
    copy(in->ns, sizeof in->ns, ns);
    copy(in->service, sizeof in->service, service);
    copy(in->host, sizeof in->host, host);
    in->port = port;
    in->key = key;
    inst_label(in);
    *idx = (int)dx->ninst++;
    return in;
}

static void ev_fill(struct hb_evidence *e, const char *kind, const char *source,
                    uint64_t line, int64_t ts, const char *text, const char *fp,
                    double score)
{
    memset(e, 0, sizeof *e);
    e->kind = kind;
    copy(e->source, sizeof e->source, source ? source : "");
    e->line = line;
    e->ts_ms = ts;
    copy(e->text, sizeof e->text, text ? text : "");
    copy(e->fingerprint, sizeof e->fingerprint, fp ? fp : "");
    e->score = score;
    e->count = 1;
}

/* Index of the address (added when new), -1 when the table is full. */
static int addr_get(struct hb_dx *dx, const char *value, const char *how)
{
    char norm[128];
    size_t i;
    struct addr *a;

    addr_norm(norm, sizeof norm, value);
    if (norm[0] == '\0')
        return -1;
    for (i = 0; i < dx->naddr; i++)
        if (strcmp(dx->addr[i].value, norm) == 0)
            return (int)i;
    if (dx->naddr >= SET_CAP) {
        dx->overflow++;
        return -1;
    }
    a = &dx->addr[dx->naddr];
    memset(a, 0, sizeof *a);
    copy(a->value, sizeof a->value, norm);
    copy(a->how, sizeof a->how, how && how[0] ? how : "incident");
    a->port = addr_port(norm);
    a->config = how && strstr(how, "config") != NULL;
    return (int)dx->naddr++;
}

static struct ver *ver_get(struct hb_dx *dx, const char *artifact,
                           const char *version)
{
    size_t i;
    struct ver *v;

    for (i = 0; i < dx->nver; i++)
        if (strcmp(dx->ver[i].artifact, artifact) == 0 &&
            strcmp(dx->ver[i].version, version) == 0)
            return &dx->ver[i];
    if (dx->nver >= SET_CAP) {
        dx->overflow++;
        return NULL;
    }
    v = &dx->ver[dx->nver++];
    memset(v, 0, sizeof *v);
    copy(v->artifact, sizeof v->artifact, artifact);
    copy(v->version, sizeof v->version, version);
    v->first = HB_NO_TIME;
    return v;
}

/* ---- per-cause accumulation ----------------------------------------- */

static struct rule_ent *rule_get(struct acc *a, const char *id,
                                 const struct hb_rule_meta *meta, double w,
                                 enum term_kind kind)
{
    size_t i;
    struct rule_ent *r;

    for (i = 0; i < a->nrules; i++)
        if (a->rules[i].kind == kind && strcmp(a->rules[i].id, id) == 0) {
            if (w > a->rules[i].weight)
                a->rules[i].weight = w;
            return &a->rules[i];
        }
    if (a->nrules >= SET_CAP) {
        a->rules_over++;
        return NULL;
    }
    r = &a->rules[a->nrules++];
    memset(r, 0, sizeof *r);
    copy(r->id, sizeof r->id, id);
    r->meta = meta;
    r->weight = w;
    r->kind = kind;
    return r;
}

/* True when fp is new to this cause. */
static bool fp_add(struct acc *a, const char *fp)
{
    size_t i;

    if (fp == NULL || fp[0] == '\0')
        return true;
    for (i = 0; i < a->nfps; i++)
        if (strcmp(a->fps[i].fp, fp) == 0) {
            a->fps[i].n++;
            return false;
        }
    if (a->nfps >= SET_CAP) {
        a->fps_over++;
        return true;
    }
    copy(a->fps[a->nfps].fp, sizeof a->fps[a->nfps].fp, fp);
    a->fps[a->nfps++].n = 1;
    return true;
}

/* Incidents counted with fingerprint fp (1 when fp is empty or unknown). */
static uint64_t fp_count(const struct acc *a, const char *fp)
{
    size_t i;

    if (fp[0] == '\0')
        return 1;
    for (i = 0; i < a->nfps; i++)
        if (strcmp(a->fps[i].fp, fp) == 0)
            return a->fps[i].n;
    return 1;
}

/* How many kept evidence slots share slot i's fingerprint. */
static int ev_dups(const struct acc *a, size_t i)
{
    size_t j;
    int n = 0;

    if (a->ev[i].fingerprint[0] == '\0')
        return 1;
    for (j = 0; j < a->nev; j++)
        if (strcmp(a->ev[j].fingerprint, a->ev[i].fingerprint) == 0)
            n++;
    return n;
}

/* Less telling: a lower score, then a later time (the first is kept). */
static bool ev_worse(const struct hb_evidence *a, const struct hb_evidence *b)
{
    if (a->score != b->score)
        return a->score < b->score;
    if (a->ts_ms == HB_NO_TIME || b->ts_ms == HB_NO_TIME)
        return a->line > b->line;
    return a->ts_ms > b->ts_ms || (a->ts_ms == b->ts_ms && a->line > b->line);
}

/*
 * Keeps the HB_EVIDENCE_KEEP most telling lines: one of each fingerprint
 * before repeats, higher scores first, earlier lines on ties.
 */
static void ev_offer(struct acc *a, const struct hb_evidence *e)
{
    size_t i;
    long victim = -1;
    bool seen = false;

    for (i = 0; i < a->nev; i++)
        if (e->fingerprint[0] &&
            strcmp(a->ev[i].fingerprint, e->fingerprint) == 0)
            seen = true;
    if (a->nev < HB_EVIDENCE_KEEP) {
        a->ev[a->nev++] = *e;
        return;
    }
    /* a repeat of some fingerprint makes room for a new one first */
    for (i = 0; i < a->nev; i++) {
        if (ev_dups(a, i) < 2)
            continue;
        if (!seen || strcmp(a->ev[i].fingerprint, e->fingerprint) == 0)
            if (victim < 0 || ev_worse(&a->ev[i], &a->ev[victim]))
                victim = (long)i;
    }
    if (victim >= 0 && (!seen || a->ev[victim].score < e->score)) {
        a->ev[victim] = *e;
        return;
    }
    if (seen)
        return;
    for (i = 0; i < a->nev; i++)
        if (victim < 0 || ev_worse(&a->ev[i], &a->ev[victim]))
            victim = (long)i;
    if (victim >= 0 && a->ev[victim].score < e->score)
        a->ev[victim] = *e;
}

/* What the call that failed was: heartbeat, register or discover. */
enum callkind { CALL_NONE, CALL_HB, CALL_REG, CALL_DISC };

static enum callkind call_kind(struct hb_dx *dx, const struct hb_incident *inc);
static const char *hay(struct hb_dx *dx, const struct hb_incident *inc);
static void focus_of(struct hb_evidence *e, const struct hb_incident *inc);

static void acc_add(struct hb_dx *dx, struct acc *a,
                    const struct hb_incident *inc, const char *id,
                    const struct hb_rule_meta *meta, double w,
                    enum term_kind kind, int inst_idx, bool inst_full,
                    int addr_idx)
{
    struct hb_evidence e;
    double score = kind == T_ALT ? w * 0.5 : w;
    enum callkind ck;

    if (id && id[0]) {
        struct rule_ent *r = rule_get(a, id, meta, w, kind);

        if (r)
            r->n++;
    }
    if (kind == T_ALT) {
        if (a->n_alt == 0 || inc->severity > a->alt_sev)
            a->alt_sev = inc->severity;
        a->n_alt++;
    } else {
        enum hb_severity sev = inc->severity;

        if (meta && meta->severity > sev)
            sev = meta->severity;
        if ((a->n == 0 && a->n_find == 0) || sev > a->sev)
            a->sev = sev;
        a->n++;
    }
    span_add(&a->first, &a->last, inc->ts_ms);
    hb_timeline_add(&a->tl, inc->ts_ms);
    fp_add(a, inc->fingerprint);
    if (inst_idx >= 0)
        bit_set(a->inst, (size_t)inst_idx);
    else if (inst_full)
        a->inst_over++;
    if (addr_idx >= 0)
        a->addr |= (uint64_t)1 << addr_idx;
    if (a == &dx->acc[HB_CAUSE_NETWORK] && kind != T_ALT &&
        (strcasestr(inc->evidence, "connection refused") ||
         strcasestr(inc->message, "connection refused") ||
         strcasestr(hay(dx, inc), "connection refused")))
        a->n_refused++;
    ck = call_kind(dx, inc);
    if (ck == CALL_HB) {
        a->n_hb++;
        span_add(&a->hb_first, &a->hb_last, inc->ts_ms);
    } else if (ck == CALL_REG) {
        a->n_reg++;
    }
    ev_fill(&e, "incident", inc->source,
            inc->evidence_line ? inc->evidence_line : inc->first_line,
            inc->ts_ms, inc->evidence[0] ? inc->evidence : inc->message,
            inc->fingerprint, score);
    focus_of(&e, inc);
    ev_offer(a, &e);
}

/* The first code or status of the incident the evidence line shows. */
static void focus_of(struct hb_evidence *e, const struct hb_incident *inc)
{
    char num[16];
    int i;

    for (i = 0; i < inc->ncodes && i < HB_MAX_CODES; i++) {
        /* "400401" or "ERR-1006(" as written */
        const char *k = inc->codes[i].key;

        if (k[0] && strstr(e->text, k)) {
            copy(e->focus, sizeof e->focus, k);
            return;
        }
    }
    if (inc->grpc_status[0] && strstr(e->text, inc->grpc_status)) {
        copy(e->focus, sizeof e->focus, inc->grpc_status);
        return;
    }
    if (inc->server_code) {
        snprintf(num, sizeof num, "%d", inc->server_code);
        if (strstr(e->text, num)) {
            copy(e->focus, sizeof e->focus, num);
            return;
        }
    }
    /* no code: the message, past the log header */
    if (inc->message[0]) {
        char head[40];

        hb_strlcpy(head, inc->message, strnlen(inc->message, 32), sizeof head);
        if (strlen(head) >= 8 && strstr(e->text, head) &&
            strstr(e->text, head) != e->text)
            copy(e->focus, sizeof e->focus, head);
    }
}

/* ---- reading an incident's text ------------------------------------- */

/* The record text (capped) with the message and evidence line, NUL-ended. */
static const char *hay(struct hb_dx *dx, const struct hb_incident *inc)
{
    size_t n = 0, k;

    if (dx->hay_ok)
        return dx->hay;
    if (inc->text.p && inc->text.n) {
        k = inc->text.n < HB_INCIDENT_TEXT_CAP ? inc->text.n
                                               : HB_INCIDENT_TEXT_CAP;
        memcpy(dx->hay, inc->text.p, k);
        n = k;
        dx->hay[n++] = '\n';
    }
    k = strnlen(inc->message, sizeof inc->message);
    memcpy(dx->hay + n, inc->message, k);
    n += k;
    dx->hay[n++] = '\n';
    k = strnlen(inc->evidence, sizeof inc->evidence);
    memcpy(dx->hay + n, inc->evidence, k);
    n += k;
    dx->hay[n] = '\0';
    /* a NUL inside the record text would hide the rest: make it a space */
    for (k = 0; k < n; k++)
        if (dx->hay[k] == '\0')
            dx->hay[k] = ' ';
    dx->hay_ok = true;
    return dx->hay;
}

static const char *capture(const struct hb_incident *inc, const char *name)
{
    int i, j;

    for (i = 0; i < inc->nhits && i < HB_MAX_HITS; i++)
        for (j = 0; j < inc->hits[i].ncaps && j < HB_MAX_CAPS; j++)
            if (strcmp(inc->hits[i].caps[j].name, name) == 0)
                return inc->hits[i].caps[j].value;
    return NULL;
}

static enum callkind call_kind(struct hb_dx *dx, const struct hb_incident *inc)
{
    const char *api = capture(inc, "api");
    const char *h;

    switch (inc->event) {
    case HB_EV_HEARTBEAT_FAIL:
        return CALL_HB;
    case HB_EV_REGISTER_FAIL:
    case HB_EV_REREGISTER_FAIL:
        return CALL_REG;
    case HB_EV_DISCOVER_FAIL:
        return CALL_DISC;
    default:
        break;
    }
    if (api && (strcasestr(api, "heartbeat") || strcasestr(api, "healthcheck")))
        return CALL_HB;
    if (api && strcasestr(api, "register"))
        return CALL_REG;
    if (api && strcasestr(api, "discover"))
        return CALL_DISC;
    /* the header first: a heartbeat's trace also names RegisterFlow */
    if (strcasestr(inc->message, "heartbeat"))
        return CALL_HB;
    if (strcasestr(inc->message, "register"))
        return CALL_REG;
    h = hay(dx, inc);
    if (strcasestr(h, "heartbeat"))
        return CALL_HB;
    if (strcasestr(h, "register"))
        return CALL_REG;
    if (strstr(h, "Discover") || strcasestr(h, "discover"))
        return CALL_DISC;
    return CALL_NONE;
}

static bool java_ident(int c)
{
    return isalnum(c) || c == '_' || c == '$';
}

/*
 * Finds a missing-method signature: "NoSuchMethodError: 'T a.b.C.m(..)'",
 * Spring Boot's "The following method did not exist:" block, or an ERR-1007
 * cause that is a quoted signature 'T a.b.C.m(...)'. Copies it to sig and
 * its declaring class to cls.
 */
static bool find_signature(const char *h, char *sig, size_t sigcap, char *cls,
                           size_t clscap)
{
    static const char *const markers[] = {"NoSuchMethodError",
                                          "NoSuchFieldError",
                                          "AbstractMethodError",
                                          "IncompatibleClassChangeError",
                                          "NoClassDefFoundError",
                                          "following method did not exist",
                                          NULL};
    const char *p;
    size_t i;

    for (p = strchr(h, '\''); p; p = strchr(p + 1, '\'')) {
        const char *q = p + 1, *name, *paren, *end, *dot = NULL;

        /* return type */
        if (!java_ident((unsigned char)*q))
            continue;
        while (java_ident((unsigned char)*q) || *q == '.' || *q == '[' ||
               *q == ']' || *q == '<' || *q == '>')
            q++;
        if (*q != ' ')
            continue;
        name = ++q;
        while (java_ident((unsigned char)*q) || *q == '.') {
            if (*q == '.')
                dot = q;
            q++;
        }
        if (*q != '(' || dot == NULL)
            continue;
        paren = q;
        end = strchr(paren, '\'');
        if (end == NULL || end - p > 600 || memchr(p, '\n', (size_t)(end - p)))
            continue;
        hb_strlcpy(sig, p + 1, (size_t)(end - p - 1), sigcap);
        hb_strlcpy(cls, name, (size_t)(dot - name), clscap);
        return true;
    }
    for (i = 0; markers[i]; i++) {
        const char *m = strstr(h, markers[i]);
        size_t n;

        if (m == NULL)
            continue;
        m += strlen(markers[i]);
        while (*m == ':' || *m == ' ' || *m == '\n' || *m == '\t' || *m == '\'')
            m++;
        n = strcspn(m, "\n'");
        hb_strlcpy(sig, m, n, sigcap);
        /* the class: the dotted name before the last '.' ahead of '(' */
        {
            const char *paren = memchr(m, '(', n), *s, *dot = NULL;

            s = paren ? paren : m + n;
            while (s > m && (java_ident((unsigned char)s[-1]) || s[-1] == '.'))
                s--;
            for (p = s; p < (paren ? paren : m + n); p++)
                if (*p == '.')
                    dot = p;
            if (paren && dot)
                hb_strlcpy(cls, s, (size_t)(dot - s), clscap);
            else
                hb_strlcpy(cls, s, (size_t)((paren ? paren : m + n) - s),
                           clscap);
        }
        return true;
    }
    return false;
}

static bool has_code(const struct hb_incident *inc, int code)
{
    int i;

    if (inc->server_code == code)
        return true;
    for (i = 0; i < inc->ncodes && i < HB_MAX_CODES; i++)
        if (inc->codes[i].kind == HB_CODE_SERVER && inc->codes[i].num == code)
            return true;
    return false;
}

static bool is_unimplemented(struct hb_dx *dx, const struct hb_incident *inc)
{
    if (strcmp(inc->grpc_status, "UNIMPLEMENTED") == 0)
        return true;
    return strstr(inc->message, "UNIMPLEMENTED") ||
           strstr(inc->evidence, "UNIMPLEMENTED") ||
           strstr(hay(dx, inc), "unknown service v1.Polaris");
}

static void codes_of(struct hb_dx *dx, const struct hb_incident *inc,
                     bool unclassified)
{
    char key[24];
    int i;

    for (i = 0; i < inc->ncodes && i < HB_MAX_CODES; i++) {
        count_add(dx->codes, &dx->ncodes, CODE_CAP, inc->codes[i].key,
                  &dx->overflow);
        if (unclassified)
            count_add(dx->unc_codes, &dx->nunc_codes, UNC_CODE_CAP,
                      inc->codes[i].key, &dx->overflow);
    }
    if (inc->ncodes == 0) { /* older producers: the flat fields */
        if (inc->sdk_code) {
            snprintf(key, sizeof key, "ERR-%d", inc->sdk_code);
            count_add(dx->codes, &dx->ncodes, CODE_CAP, key, &dx->overflow);
            if (unclassified)
                count_add(dx->unc_codes, &dx->nunc_codes, UNC_CODE_CAP, key,
                          &dx->overflow);
        }
        if (inc->server_code) {
            snprintf(key, sizeof key, "%d", inc->server_code);
            count_add(dx->codes, &dx->ncodes, CODE_CAP, key, &dx->overflow);
            if (unclassified)
                count_add(dx->unc_codes, &dx->nunc_codes, UNC_CODE_CAP, key,
                          &dx->overflow);
        }
    }
    if (inc->grpc_status[0]) {
        count_add(dx->grpc, &dx->ngrpc, GRPC_CAP, inc->grpc_status,
                  &dx->overflow);
        if (unclassified)
            count_add(dx->unc_codes, &dx->nunc_codes, UNC_CODE_CAP,
                      inc->grpc_status, &dx->overflow);
    }
}

void hb_dx_add_incident(struct hb_dx *dx, const struct hb_incident *inc)
{
    const struct hb_rule_meta *meta = NULL;
    enum hb_cause cause;
    const char *id;
    double w;
    struct inst *in;
    int idx, aidx = -1, i;
    bool full;

    dx->ranked = false;
    dx->hay_ok = false;
    dx->incidents++;
    span_add(&dx->first, &dx->last, inc->ts_ms);
    if (inc->nhits > 0)
        meta = inc->hits[0].rule;
    else if (inc->rule_id && dx->rs)
        meta = hb_rules_find(dx->rs, inc->rule_id);
    cause = inc->cause;
    if (cause == HB_CAUSE_NONE && meta && inc->rule_id)
        cause = meta->cause;
    if (cause < HB_CAUSE_NONE || cause >= HB_CAUSE_COUNT)
        cause = HB_CAUSE_NONE;
    w = inc->weight > 0 ? inc->weight : meta ? meta->weight : 0;
    w = clamp01(w);
    if (w == 0 && cause != HB_CAUSE_NONE)
        w = 0.5;
    id = inc->rule_id ? inc->rule_id : meta ? meta->id : NULL;
    codes_of(dx, inc, cause == HB_CAUSE_NONE);

    in = inst_get(dx, inc->ns, inc->service, inc->host, inc->port, &idx);
    full = in == NULL;
    if (in) {
        in->fail++;
        span_add(&in->fail_first, &in->fail_last, inc->ts_ms);
    }
    if (inc->server_addr[0]) {
        aidx = addr_get(dx, inc->server_addr, "incident");
        if (aidx >= 0)
            dx->addr[aidx].fails++;
    }

    if (cause == HB_CAUSE_NONE) {
        acc_add(dx, &dx->unc, inc, NULL, NULL, 0, T_RULE, idx, full, aidx);
        return;
    }

    /* a NETWORK_ERROR (or any failure) whose cause is a missing method */
    {
        struct acc *va = &dx->acc[HB_CAUSE_VERSION_MISMATCH];
        char sig[256], cls[160];

        if ((cause == HB_CAUSE_NETWORK || cause == HB_CAUSE_VERSION_MISMATCH ||
             cause == HB_CAUSE_CONFIG || inc->sdk_code == 1007) &&
            find_signature(hay(dx, inc), sig, sizeof sig, cls, sizeof cls)) {
            va->n_sig++;
            if (va->sig[0] == '\0') {
                copy(va->sig, sizeof va->sig, sig);
                copy(va->sig_class, sizeof va->sig_class, cls);
            }
            if (cause != HB_CAUSE_VERSION_MISMATCH) {
                acc_add(dx, va, inc, "hbscan:missing-method", NULL,
                        w > 0.85 ? w : 0.85, T_RULE, idx, full, aidx);
                acc_add(dx, &dx->acc[cause], inc, id, meta, w, T_ALT, idx, full,
                        aidx);
                return;
            }
        }
    }

    /* 400401 / UNIMPLEMENTED: port and api-gating are weighed together */
    if ((cause == HB_CAUSE_PORT || cause == HB_CAUSE_API_GATING) &&
        (has_code(inc, 400401) || is_unimplemented(dx, inc))) {
        struct lbucket *lb = &dx->lb;
        enum callkind ck = call_kind(dx, inc);
        int port = inc->server_addr[0] ? addr_port(inc->server_addr) : 0;
        size_t k;

        lb->n++;
        if (has_code(inc, 400401))
            lb->n401++;
        else
            lb->nunimpl++;
        if (w > lb->wmax)
            lb->wmax = w;
        lb->n_hb += ck == CALL_HB;
        lb->n_reg += ck == CALL_REG;
        lb->n_disc += ck == CALL_DISC;
        for (k = 0; port && k < lb->nports; k++)
            if (lb->ports[k] == port)
                break;
        if (port && k == lb->nports && lb->nports < LPORT_CAP)
            lb->ports[lb->nports++] = port;
        acc_add(dx, &dx->acc[HB_CAUSE_PORT], inc, id, meta, w, T_LISTENER, idx,
                full, aidx);
        acc_add(dx, &dx->acc[HB_CAUSE_API_GATING], inc, id, meta, w, T_LISTENER,
                idx, full, aidx);
        return;
    }

    /* codes whose meaning changed between server versions */
    if (inc->server_code) {
        const struct hb_code_change *cc =
            hb_knowledge_code(dx->know, inc->server_code);

        if (cc) {
            size_t row = (size_t)(cc - dx->know->codes);
            const struct hb_code_meaning *hit = NULL;
            int nhit = 0;

            for (i = 0; i < cc->nmeanings; i++)
                if (cc->meanings[i].info[0] &&
                    strstr(hay(dx, inc), cc->meanings[i].info)) {
                    hit = &cc->meanings[i];
                    nhit++;
                }
            if (nhit == 1 && hit->cause != cause) {
                acc_add(dx, &dx->acc[cause], inc, id, meta, w, T_ALT, idx, full,
                        aidx);
                cause = hit->cause;
            } else if (nhit == 0) {
                for (i = 0; i < cc->nmeanings; i++)
                    if (cc->meanings[i].cause != cause)
                        acc_add(dx, &dx->acc[cc->meanings[i].cause], inc, id,
                                meta, w, T_ALT, idx, full, aidx);
            }
            if (row < 32)
                dx->acc[cause].code_notes |= 1u << row;
        }
    }

    acc_add(dx, &dx->acc[cause], inc, id, meta, w, T_RULE, idx, full, aidx);
    if (meta)
        for (i = 0; i < (int)HB_ARRAY_LEN(meta->alternatives); i++) {
            enum hb_cause alt = meta->alternatives[i];

            if (alt == HB_CAUSE_NONE)
                break;
            if (alt >= 0 && alt < HB_CAUSE_COUNT && alt != cause)
                acc_add(dx, &dx->acc[alt], inc, id, meta, w, T_ALT, idx, full,
                        aidx);
        }
}

/* The observed value as it appears in the line ("host:port" of a URL). */
static void focus_value(struct hb_evidence *e, const char *value)
{
    char norm[128];

    if (strstr(e->text, value)) {
        copy(e->focus, sizeof e->focus, value);
        return;
    }
    addr_norm(norm, sizeof norm, value);
    if (norm[0] && strstr(e->text, norm)) {
        copy(e->focus, sizeof e->focus, norm);
        return;
    }
    if (strrchr(norm, ':')) /* ConnID{... host='h', port=p}: the host */
        *strrchr(norm, ':') = '\0';
    if (norm[0] && strstr(e->text, norm))
        copy(e->focus, sizeof e->focus, norm);
}

void hb_dx_add_obs(struct hb_dx *dx, const struct hb_obs *o)
{
    dx->ranked = false;
    dx->obs++;
    span_add(&dx->first, &dx->last, o->ts_ms);
    if (strcmp(o->kind, "address") == 0) {
        int i = addr_get(dx, o->value, o->key);

        if (i >= 0) {
            struct addr *a = &dx->addr[i];

            if (a->seen++ == 0 || a->ev.kind == NULL) {
                ev_fill(&a->ev, "address", o->source, o->line, o->ts_ms,
                        o->text, NULL, 0.3);
                focus_value(&a->ev, o->value);
                {
                    char label[sizeof a->ev.label];

                    snprintf(label, sizeof label, "%s (%s)", a->value,
                             o->key[0] ? o->key : "address");
                    copy(a->ev.label, sizeof a->ev.label, label);
                }
                copy(a->how, sizeof a->how, o->key[0] ? o->key : "address");
                a->config = strstr(o->key, "config") != NULL;
            }
        }
        return;
    }
    if (strcmp(o->kind, "version") == 0) {
        struct ver *v;

        if (o->key[0] == '\0' || o->value[0] == '\0')
            return;
        v = ver_get(dx, o->key, o->value);
        if (v) {
            if (v->n++ == 0) {
                ev_fill(&v->ev, "version", o->source, o->line, o->ts_ms,
                        o->text, NULL, 0.3);
                focus_value(&v->ev, o->value);
                snprintf(v->ev.label, sizeof v->ev.label, "%s %s", v->artifact,
                         v->version);
            }
            if (o->ts_ms != HB_NO_TIME &&
                (v->first == HB_NO_TIME || o->ts_ms < v->first))
                v->first = o->ts_ms;
        }
        return;
    }
    {
        int idx;
        struct inst *in =
            inst_get(dx, o->ns, o->service, o->host, o->port, &idx);

        if (in == NULL)
            return;
        if (strcmp(o->kind, "register-ok") == 0 ||
            strcmp(o->kind, "reregister-ok") == 0) {
            in->reg_ok++;
            if (o->ts_ms != HB_NO_TIME &&
                (in->reg_ok_last == HB_NO_TIME || o->ts_ms > in->reg_ok_last))
                in->reg_ok_last = o->ts_ms;
        } else if (strcmp(o->kind, "heartbeat-ok") == 0) {
            in->hb_ok++;
            span_add(&in->hb_ok_first, &in->hb_ok_last, o->ts_ms);
        }
    }
}

static char *dup_or_null(const char *s)
{
    return s ? hb_xstrdup(s) : NULL;
}

void hb_dx_add_finding(struct hb_dx *dx, const struct hb_finding *f)
{
    struct hb_finding *c;
    struct acc *a;
    struct rule_ent *r;
    struct hb_evidence e;

    dx->ranked = false;
    if (f->cause < 0 || f->cause >= HB_CAUSE_COUNT)
        return;
    a = &dx->acc[f->cause];
    if ((a->n == 0 && a->n_find == 0) || f->severity > a->sev)
        a->sev = f->severity;
    a->n_find++;
    r = rule_get(a, f->check_id ? f->check_id : "config", NULL,
                 clamp01(f->weight > 0 ? f->weight : 0.5), T_FINDING);
    if (r)
        r->n++;
    ev_fill(&e, "finding", f->path, f->line, HB_NO_TIME,
            f->text ? f->text : f->title, f->check_id, clamp01(f->weight));
    ev_offer(a, &e);
    if (dx->nfind >= FIND_CAP) {
        dx->overflow++;
        return;
    }
    c = &dx->find[dx->nfind++];
    *c = *f;
    c->check_id = dup_or_null(f->check_id);
    c->title = dup_or_null(f->title);
    c->description = dup_or_null(f->description);
    c->action = dup_or_null(f->action);
    c->path = dup_or_null(f->path);
    c->text = dup_or_null(f->text);
}

/* ---- ranking --------------------------------------------------------- */

static void syn_add(struct hb_dx *dx, enum hb_cause c, const char *id, double t)
{
    if (dx->nsyn[c] < SYN_CAP) {
        dx->syn[c][dx->nsyn[c]].id = id;
        dx->syn[c][dx->nsyn[c]].t = clamp01(t);
        dx->nsyn[c]++;
    }
}

/* Ports the client uses for naming calls, from addresses seen. */
static void naming_ports(const struct hb_dx *dx, bool *naming, int *wrong)
{
    size_t i;

    *naming = false;
    *wrong = 0;
    for (i = 0; i < dx->naddr; i++) {
        const struct addr *a = &dx->addr[i];

        if (a->config || a->port == 0)
            continue;
        if (a->port == dx->know->naming_port)
            *naming = true;
        else if (*wrong == 0 || a->fails > 0)
            *wrong = a->port;
    }
}

static void decide_listener(struct hb_dx *dx)
{
    const struct lbucket *lb = &dx->lb;
    double L;
    bool naming = false, fail_naming = false;
    int wrong = 0;
    size_t i;

    dx->lmode = L_NONE;
    dx->wrong_port = 0;
    if (lb->n == 0)
        return;
    L = (lb->wmax > 0 ? lb->wmax : 0.8) * count_factor(lb->n);
    /* the ports the failing calls name decide; else every address seen */
    for (i = 0; i < lb->nports; i++) {
        if (lb->ports[i] == dx->know->naming_port)
            fail_naming = true;
        else
            wrong = lb->ports[i];
    }
    if (lb->nports == 0)
        naming_ports(dx, &naming, &wrong);
    else
        naming = fail_naming;
    if (wrong && !naming)
        dx->lmode = L_WRONG;
    else if (wrong && naming)
        dx->lmode = lb->nports ? L_WRONG : L_MIXED;
    else if (naming)
        dx->lmode = L_NAMING;
    dx->wrong_port = wrong;
    switch (dx->lmode) {
    case L_WRONG:
        syn_add(dx, HB_CAUSE_PORT, "hbscan:listener-calls", L);
        syn_add(dx, HB_CAUSE_PORT, "hbscan:port-seen", 0.5);
        syn_add(dx, HB_CAUSE_API_GATING, "hbscan:listener-calls", 0.35 * L);
        break;
    case L_MIXED:
        syn_add(dx, HB_CAUSE_PORT, "hbscan:listener-calls", L);
        syn_add(dx, HB_CAUSE_PORT, "hbscan:port-seen", 0.25);
        syn_add(dx, HB_CAUSE_API_GATING, "hbscan:listener-calls", 0.5 * L);
        break;
    case L_NAMING:
        syn_add(dx, HB_CAUSE_API_GATING, "hbscan:listener-calls", L);
        syn_add(dx, HB_CAUSE_API_GATING, "hbscan:naming-port-seen", 0.5);
        syn_add(dx, HB_CAUSE_PORT, "hbscan:listener-calls", 0.2 * L);
        break;
    case L_NONE:
        syn_add(dx, HB_CAUSE_PORT, "hbscan:listener-calls", 0.8 * L);
        syn_add(dx, HB_CAUSE_API_GATING, "hbscan:listener-calls", 0.75 * L);
        break;
    }
}

static const struct ver *ver_find(const struct hb_dx *dx, const char *artifact,
                                  size_t from)
{
    size_t i;

    for (i = from; i < dx->nver; i++)
        if (strcmp(dx->ver[i].artifact, artifact) == 0)
            return &dx->ver[i];
    return NULL;
}

static void viol_add(struct hb_dx *dx, const char *what, const char *fits)
{
    size_t i;

    for (i = 0; i < dx->nviol; i++)
        if (strcmp(dx->viol[i].what, what) == 0)
            return;
    if (dx->nviol >= VIOL_CAP)
        return;
    copy(dx->viol[dx->nviol].what, sizeof dx->viol[dx->nviol].what, what);
    copy(dx->viol[dx->nviol].fits, sizeof dx->viol[dx->nviol].fits, fits);
    dx->nviol++;
}

static int64_t first_failure(const struct hb_dx *dx)
{
    int64_t t = HB_NO_TIME;
    int c;

    for (c = 0; c < HB_CAUSE_COUNT; c++)
        if (dx->acc[c].n && dx->acc[c].first != HB_NO_TIME &&
            (t == HB_NO_TIME || dx->acc[c].first < t))
            t = dx->acc[c].first;
    if (dx->unc.n && dx->unc.first != HB_NO_TIME &&
        (t == HB_NO_TIME || dx->unc.first < t))
        t = dx->unc.first;
    return t;
}

static void analyze_versions(struct hb_dx *dx)
{
    const struct hb_knowledge *k = dx->know;
    char what[320], fits[320], t1[32], t2[32];
    size_t i, j, d;
    int64_t ff = first_failure(dx);
    const struct acc *net;
    bool soft_net;

    dx->nviol = 0;
    dx->nvfacts = 0;
    for (d = 0; d < k->ndeps; d++) {
        const struct hb_dep_rule *r = &k->deps[d];

        for (i = 0; i < dx->nver; i++) {
            const struct ver *w = &dx->ver[i];

            if (strcmp(w->artifact, r->when_artifact) != 0 ||
                (r->when_from[0] &&
                 hb_version_cmp(w->version, r->when_from) < 0) ||
                (r->when_below[0] &&
                 hb_version_cmp(w->version, r->when_below) >= 0))
                continue;
            for (j = 0; j < dx->nver; j++) {
                const struct ver *v = &dx->ver[j];

                if (strcmp(v->artifact, r->artifact) != 0)
                    continue;
                if ((r->min[0] && hb_version_cmp(v->version, r->min) < 0) ||
                    (r->below[0] &&
                     hb_version_cmp(v->version, r->below) >= 0)) {
                    snprintf(what, sizeof what, "%s %s with %s %s: %s",
                             v->artifact, v->version, w->artifact, w->version,
                             r->why);
                    viol_add(dx, what, r->fits);
                }
            }
        }
    }
    /* SCT's train against the Spring Boot seen */
    for (i = 0; i < dx->nver; i++) {
        const struct ver *s = &dx->ver[i];
        const struct hb_sct_row *row;
        const struct hb_train *tr;
        const char *train;

        if (strcmp(s->artifact, "spring-cloud-tencent") != 0 &&
            strcmp(s->artifact, "spring-cloud") != 0)
            continue;
        row = strcmp(s->artifact, "spring-cloud-tencent") == 0
                  ? hb_knowledge_sct(k, s->version)
                  : NULL;
        train = strcmp(s->artifact, "spring-cloud") == 0 ? s->version
                : row                                    ? row->train
                : strchr(s->version, '-') ? strchr(s->version, '-') + 1
                                          : NULL;
        tr = hb_knowledge_train(k, train);
        for (j = 0; tr && j < dx->nver; j++) {
            const struct ver *b = &dx->ver[j];
            char lines[96] = "";
            int l;
            bool ok = false;

            if (strcmp(b->artifact, "spring-boot") != 0)
                continue;
            for (l = 0; l < tr->nboot; l++) {
                ok = ok || hb_version_in_line(b->version, tr->boot[l]);
                snprintf(lines + strlen(lines), sizeof lines - strlen(lines),
                         "%s%s.x", l ? ", " : "", tr->boot[l]);
            }
            if (ok)
                continue;
            snprintf(what, sizeof what,
                     "Spring Boot %s is outside what Spring Cloud %s (%s) "
                     "accepts: %s (%s %s)",
                     b->version, tr->train, tr->name, lines, s->artifact,
                     s->version);
            if (row && row->boot[0])
                snprintf(fits, sizeof fits,
                         "Spring Boot %s (SCT %s-%s was built with %s)", lines,
                         row->sct, row->train, row->boot);
            else
                snprintf(fits, sizeof fits, "Spring Boot %s", lines);
            viol_add(dx, what, fits);
        }
        if (row && row->polaris_java[0]) {
            const struct ver *pj;

            for (j = 0; (pj = ver_find(dx, "polaris-java", j)) != NULL;
                 j = (size_t)(pj - dx->ver) + 1)
                if (hb_version_cmp(pj->version, row->polaris_java) != 0 &&
                    dx->nvfacts < HB_ARRAY_LEN(dx->vfacts))
                    snprintf(dx->vfacts[dx->nvfacts++], sizeof dx->vfacts[0],
                             "SCT %s-%s pins polaris-java %s; %s is on the "
                             "classpath.",
                             row->sct, row->train, row->polaris_java,
                             pj->version);
        }
    }
    /* an artifact that changed version before the failures began */
    for (i = 0; i < dx->nver && ff != HB_NO_TIME; i++) {
        const struct ver *a = &dx->ver[i];

        for (j = 0; j < dx->nver; j++) {
            const struct ver *b = &dx->ver[j];

            if (i == j || strcmp(a->artifact, b->artifact) != 0 ||
                a->first == HB_NO_TIME || b->first == HB_NO_TIME ||
                !(a->first < b->first) || b->first > ff ||
                dx->nvfacts >= HB_ARRAY_LEN(dx->vfacts))
                continue;
            hb_report_time_local(b->first, t1, sizeof t1);
            hb_report_time_local(ff, t2, sizeof t2);
            snprintf(dx->vfacts[dx->nvfacts++], sizeof dx->vfacts[0],
                     "%s changed from %s to %s at %s; failures began at %s.",
                     a->artifact, a->version, b->version, t1, t2);
            syn_add(dx, HB_CAUSE_VERSION_MISMATCH, "hbscan:upgrade-before",
                    0.3);
        }
    }
    /*
     * Network failures that are not refused connections, next to versions
     * that break the matrix, are more likely the mismatch showing itself.
     */
    net = &dx->acc[HB_CAUSE_NETWORK];
    soft_net = net->n > 0 && net->n_refused * 2 < net->n;
    if (dx->nviol) {
        syn_add(dx, HB_CAUSE_VERSION_MISMATCH, "hbscan:version-matrix",
                soft_net ? 0.6 : 0.45);
        if (dx->nviol > 1)
            syn_add(dx, HB_CAUSE_VERSION_MISMATCH, "hbscan:version-matrix",
                    0.25);
    }
    if ((dx->nviol || dx->acc[HB_CAUSE_VERSION_MISMATCH].n_sig) && soft_net)
        dx->demote[HB_CAUSE_NETWORK] = dx->nviol ? 0.6 : 0.7;
}

static double rule_term(const struct rule_ent *r)
{
    switch (r->kind) {
    case T_RULE:
    case T_FINDING:
        return r->weight * count_factor(r->n);
    case T_ALT:
        return 0.5 * r->weight * count_factor(r->n);
    case T_LISTENER:
        break;
    }
    return 0;
}

static double confidence(const struct hb_dx *dx, int c)
{
    const struct acc *a = &dx->acc[c];
    double keep = 1, conf;
    size_t i;

    for (i = 0; i < a->nrules; i++)
        keep *= 1 - clamp01(rule_term(&a->rules[i]));
    for (i = 0; i < dx->nsyn[c]; i++)
        keep *= 1 - dx->syn[c][i].t;
    conf = (1 - keep) * dx->demote[c];
    if (conf > 0.99)
        conf = 0.99;
    return conf < 0 ? 0 : conf;
}

/* The strongest own rule of a cause (RULE or FINDING kind), or NULL. */
static const struct rule_ent *top_rule(const struct acc *a, bool with_meta)
{
    const struct rule_ent *best = NULL;
    size_t i;

    for (i = 0; i < a->nrules; i++) {
        const struct rule_ent *r = &a->rules[i];

        if (r->kind == T_ALT || (with_meta && r->meta == NULL))
            continue;
        if (best == NULL || rule_term(r) > rule_term(best) ||
            (rule_term(r) == rule_term(best) && r->n > best->n))
            best = r;
    }
    return best;
}

static const struct {
    const char *description;
    const char *action;
} cause_text[HB_CAUSE_COUNT] = {
    [HB_CAUSE_PORT] =
        {"The client sends naming calls (register, heartbeat) to a port where "
         "the Polaris gRPC naming listener (service-grpc) does not serve them.",
         "Check the port in spring.cloud.polaris.address (or "
         "global.serverConnector.addresses in polaris.yaml): naming calls must "
         "go to the service-grpc port, 8091 by default."},
    [HB_CAUSE_API_GATING] =
        {"The Polaris server's service-grpc listener does not open the client "
         "API the call needs (api.client.include / api.client.enable in "
         "polaris-server.yaml).",
         "Open the client API on the service-grpc listener in "
         "polaris-server.yaml (api.client.enable: true, include: [discover, "
         "register, healthcheck]) and restart polaris-server."},
    [HB_CAUSE_VERSION_MISMATCH] =
        {"Libraries on the classpath do not fit together: a method or class "
         "one of them calls is missing from the version of another.",
         "Align the versions with the SCT / Spring Cloud / Spring Boot / "
         "polaris-java matrix; `mvn dependency:tree` shows which versions win "
         "(look for grpc, netty, feign, polaris)."},
    [HB_CAUSE_NETWORK] =
        {"The client cannot reach the Polaris server: connections are refused, "
         "time out or break.",
         "Check that polaris-server is running and listening on the address "
         "and port the client uses, and that firewalls or security groups "
         "between them allow the connection."},
    [HB_CAUSE_AUTH] =
        {"Polaris rejected the client's credentials (client authentication is "
         "on: auth.strategy.option.clientOpen).",
         "Set spring.cloud.polaris.discovery.token (or "
         "spring.cloud.polaris.token) to a token allowed to write the service, "
         "or turn client authentication off on the server."},
    [HB_CAUSE_NOT_FOUND] =
        {"The namespace, service or instance does not exist on the server "
         "(auto-create off, or the instance expired and must re-register).",
         "Create the namespace and service in the Polaris console, or set "
         "naming.autoCreate / namespace.autoCreate: true in "
         "polaris-server.yaml; check spring.cloud.polaris.namespace and the "
         "service name."},
    [HB_CAUSE_RATE_LIMIT] =
        {"The Polaris server's rate limiter refuses the client's calls.",
         "Raise or disable the IP/API limits of plugin.ratelimit in "
         "polaris-server.yaml, or lower the client's call rate "
         "(spring.cloud.polaris.discovery.heartbeat-interval)."},
    [HB_CAUSE_SERVER_ERROR] =
        {"The Polaris server failed while handling the call (store, cache or "
         "health checker).",
         "Read the server's logs (polaris-naming.log, polaris-healthcheck.log, "
         "polaris-store.log) around the failure times and check its store and "
         "health-check configuration."},
    [HB_CAUSE_CONFIG] =
        {"A local configuration problem stops the application or the SDK.",
         "Fix the local configuration named in the evidence."},
};

static void fact(struct hstore *hs, struct hb_hyp *h, const char *fmt, ...)
    HB_PRINTF(3, 4);
static void fact(struct hstore *hs, struct hb_hyp *h, const char *fmt, ...)
{
    va_list ap;

    if (h->nfacts >= HB_HYP_FACTS)
        return;
    va_start(ap, fmt);
    vsnprintf(hs->facts[h->nfacts], sizeof hs->facts[0], fmt, ap);
    va_end(ap);
    h->facts[h->nfacts] = hs->facts[h->nfacts];
    h->nfacts++;
}

/* The addresses (indices) a cause's failures name, else those seen. */
static void listener_port_text(const struct hb_dx *dx, char *buf, size_t cap,
                               int port)
{
    const struct hb_port_info *pi = hb_knowledge_port(dx->know, port);

    if (pi)
        snprintf(buf, cap, "Port %d is the %s listener (%s).", port,
                 pi->listener, pi->purpose);
    else
        snprintf(buf, cap, "Port %d is not a Polaris default port.", port);
}

/* A host to show in the corrected address. */
static void host_for_port(const struct hb_dx *dx, int port, char *buf,
                          size_t cap)
{
    size_t i;

    for (i = 0; i < dx->naddr; i++)
        if (dx->addr[i].port == port) {
            const char *v = dx->addr[i].value;
            const char *colon = strrchr(v, ':');

            hb_strlcpy(buf, v, colon ? (size_t)(colon - v) : strlen(v), cap);
            return;
        }
    copy(buf, cap, "POLARIS_HOST");
}

static const char *missing_apis(const struct lbucket *lb, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (lb->n_hb)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%shealthcheck",
                 buf[0] ? ", " : "");
    if (lb->n_reg)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%sregister",
                 buf[0] ? ", " : "");
    if (lb->n_disc)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%sdiscover",
                 buf[0] ? ", " : "");
    if (buf[0] == '\0')
        snprintf(buf, cap, "register or healthcheck");
    return buf;
}

static const char *grpc_yaml =
    "\n"
    "    apiservers:\n"
    "      - name: service-grpc\n"
    "        option:\n"
    "          listenPort: 8091\n"
    "        api:\n"
    "          client:\n"
    "            enable: true\n"
    "            include: [discover, register, healthcheck]\n";

static void text_port(struct hb_dx *dx, struct hstore *hs)
{
    const struct lbucket *lb = &dx->lb;
    char lt[200], host[96];
    int np = dx->know->naming_port;

    if (dx->wrong_port) {
        listener_port_text(dx, lt, sizeof lt, dx->wrong_port);
        host_for_port(dx, dx->wrong_port, host, sizeof host);
        hb_buf_printf(&hs->desc,
                      "spring.cloud.polaris.address uses :%d; the gRPC naming "
                      "port is %d. %s ",
                      dx->wrong_port, np, lt);
        hb_buf_printf(&hs->action,
                      "spring.cloud.polaris.address uses :%d; the gRPC naming "
                      "port is %d. %s Set spring.cloud.polaris.address="
                      "grpc://%s:%d (polaris.yaml: "
                      "global.serverConnector.addresses: [%s:%d]) and restart "
                      "the application.",
                      dx->wrong_port, np, lt, host, np, host, np);
    } else if (lb->n && dx->lmode == L_NAMING) {
        hb_buf_printf(&hs->action,
                      "The client already uses the gRPC naming port %d, so "
                      "the port is probably right: see api-gating. Check "
                      "only that no proxy or load balancer in front of "
                      "polaris-server maps %d to another listener.",
                      np, np);
    } else if (lb->n) {
        hb_buf_printf(&hs->action,
                      "No Polaris address was seen in the logs, so check the "
                      "port in spring.cloud.polaris.address (or "
                      "global.serverConnector.addresses): naming calls must "
                      "go to the gRPC naming port %d (8090 is the HTTP API, "
                      "8093 the config gRPC listener). If it is already %d, "
                      "the server's listener is gating the API instead: its "
                      "`[APIServer] client open method info` line in "
                      "polaris-apiserver.log lists the methods it opens.",
                      np, np);
    }
    if (lb->n401)
        hb_buf_printf(&hs->desc,
                      "The server answered %llu call%s with 400401 \"client "
                      "api is not open\": the listener reached does not serve "
                      "that API. ",
                      (unsigned long long)lb->n401, lb->n401 == 1 ? "" : "s");
    if (lb->nunimpl)
        hb_buf_printf(&hs->desc,
                      "%llu call%s got UNIMPLEMENTED \"unknown service "
                      "v1.PolarisGRPC\": the listener reached has no naming "
                      "service (e.g. the config listener 8093). ",
                      (unsigned long long)lb->nunimpl,
                      lb->nunimpl == 1 ? "" : "s");
}

static void text_api_gating(struct hb_dx *dx, struct hstore *hs)
{
    const struct lbucket *lb = &dx->lb;
    char apis[64];

    if (lb->n == 0)
        return;
    missing_apis(lb, apis, sizeof apis);
    if (lb->n401)
        hb_buf_printf(&hs->desc,
                      "The service-grpc listener answers 400401 \"client api "
                      "is not open\" to %s calls: its api.client.include "
                      "lacks `%s`. ",
                      lb->n_hb && !lb->n_reg   ? "heartbeat"
                      : lb->n_reg && !lb->n_hb ? "registration"
                                               : "naming",
                      apis);
    if (lb->nunimpl)
        hb_buf_printf(&hs->desc,
                      "UNIMPLEMENTED \"unknown service v1.PolarisGRPC\" means "
                      "the listener registers no client API at all: "
                      "api.client.enable is false or the client block is "
                      "missing. ");
    if (lb->n401)
        hb_buf_printf(&hs->action,
                      "In polaris-server.yaml, add `%s` to api.client.include "
                      "of the service-grpc listener:%s"
                      "and restart polaris-server. Its `[APIServer] client "
                      "open method info` line in polaris-apiserver.log shows "
                      "the methods opened.",
                      apis, grpc_yaml);
    else
        hb_buf_printf(&hs->action,
                      "In polaris-server.yaml, enable the client API of the "
                      "service-grpc listener:%s"
                      "and restart polaris-server.",
                      grpc_yaml);
    if (dx->lmode == L_NONE)
        hb_buf_printf(&hs->action,
                      " If spring.cloud.polaris.address does not use port %d, "
                      "fix the port instead (cause port).",
                      dx->know->naming_port);
}

/* The addresses a cause names: its incidents', else refused ones seen. */
static int network_addr(const struct hb_dx *dx, const struct acc *a)
{
    size_t i;
    int best = -1;

    for (i = 0; i < dx->naddr; i++)
        if ((a->addr >> i) & 1)
            if (best < 0 || dx->addr[i].fails > dx->addr[best].fails)
                best = (int)i;
    if (best >= 0)
        return best;
    for (i = 0; i < dx->naddr; i++)
        if (strstr(dx->addr[i].how, "refused"))
            return (int)i;
    return -1;
}

static void text_network(struct hb_dx *dx, struct hstore *hs,
                         const struct acc *a)
{
    int i = network_addr(dx, a);
    const struct addr *ad;
    char host[96], t1[32];
    const char *colon;

    if (i < 0)
        return;
    ad = &dx->addr[i];
    colon = strrchr(ad->value, ':');
    hb_strlcpy(host, ad->value,
               colon ? (size_t)(colon - ad->value) : strlen(ad->value),
               sizeof host);
    hb_report_time_local(a->first, t1, sizeof t1);
    hb_buf_printf(&hs->action,
                  "The client cannot connect to Polaris at %s (%llu "
                  "failure%s since %s). Check that polaris-server is running "
                  "and listening on port %d (on the server: `ss -ltnp | grep "
                  "%d`), and that firewalls or security groups let this host "
                  "reach %s:%d.",
                  ad->value, (unsigned long long)a->n, a->n == 1 ? "" : "s", t1,
                  ad->port, ad->port, host, ad->port);
    if (ad->port && ad->port != dx->know->naming_port && !ad->config) {
        char lt[200];

        listener_port_text(dx, lt, sizeof lt, ad->port);
        hb_buf_printf(&hs->action,
                      " %s The gRPC naming port is %d: check "
                      "spring.cloud.polaris.address.",
                      lt, dx->know->naming_port);
    }
}

static void text_version(struct hb_dx *dx, struct hstore *hs,
                         const struct acc *a)
{
    const struct hb_signature *sig = NULL;
    const char *artifact = NULL;
    size_t i;
    char seen[256] = "";

    for (i = 0; i < dx->nver && strlen(seen) < sizeof seen - 40; i++)
        snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s%s %s",
                 seen[0] ? ", " : "", dx->ver[i].artifact, dx->ver[i].version);
    if (a->sig[0]) {
        sig = hb_knowledge_signature(dx->know, a->sig);
        if (sig == NULL)
            sig = hb_knowledge_signature(dx->know, a->sig_class);
        artifact =
            sig ? sig->artifact : hb_knowledge_artifact(dx->know, a->sig_class);
        hb_buf_printf(&hs->desc,
                      "A call fails because a method is missing at run time: "
                      "'%s'%s%s%s. ",
                      a->sig, artifact ? " (from " : "",
                      artifact ? artifact : "", artifact ? ")" : "");
    }
    if (sig) {
        hb_buf_printf(&hs->action, "%s. Use %s.", sig->why, sig->fits);
    } else if (dx->nviol) {
        hb_buf_printf(&hs->action, "%s. Use %s.", dx->viol[0].what,
                      dx->viol[0].fits);
    } else if (artifact) {
        const struct ver *v = ver_find(dx, artifact, 0);

        hb_buf_printf(&hs->action,
                      "Align %s%s%s with the version polaris-java and SCT were "
                      "built with (`mvn dependency:tree | grep -E "
                      "'%s|polaris'` shows which version wins).",
                      artifact, v ? " " : "", v ? v->version : "", artifact);
    }
    if (seen[0] && hs->action.len)
        hb_buf_printf(&hs->action, " Versions seen: %s.", seen);
}

/*
 * Sources name an instance differently (the SDK line has ns, service, host
 * and port; a server line only the client host; an SDK register line only
 * ns/service): a partial instance counts as the full one it matches.
 */
static void canonicalize(struct hb_dx *dx)
{
    size_t i, j;

    for (i = 0; i < dx->ninst; i++) {
        const struct inst *p = &dx->inst[i];

        dx->canon[i] = (uint16_t)i;
        if (p->service[0] && p->host[0])
            continue;
        for (j = 0; j < dx->ninst; j++) {
            const struct inst *f = &dx->inst[j];

            if (j == i || !f->service[0] || !f->host[0])
                continue;
            if (p->host[0] ? strcmp(p->host, f->host) == 0 &&
                                 (p->port == 0 || p->port == f->port)
                           : strcmp(p->service, f->service) == 0 &&
                                 (p->ns[0] == 0 || strcmp(p->ns, f->ns) == 0)) {
                dx->canon[i] = (uint16_t)j;
                break;
            }
        }
    }
}

/* The canonical instances a cause touches, as a bit set. */
static size_t affected_set(const struct hb_dx *dx, const struct acc *a,
                           uint8_t *set)
{
    size_t i, n = 0;

    memset(set, 0, INST_CAP / 8);
    for (i = 0; i < dx->ninst; i++)
        if (bit_get(a->inst, i) && !bit_get(set, dx->canon[i])) {
            bit_set(set, dx->canon[i]);
            n++;
        }
    return n;
}

static void build_facts(struct hb_dx *dx, int c, struct hstore *hs,
                        struct hb_hyp *h)
{
    const struct acc *a = &dx->acc[c];
    size_t i, total = 0, affected = 0, last_aff = 0;
    uint64_t reg_ok = 0, hb_ok = 0;
    int64_t hb_ok_first = HB_NO_TIME, hb_ok_last = HB_NO_TIME,
            reg_ok_last = HB_NO_TIME;
    int64_t ff = a->n_hb ? a->hb_first : a->first;
    int64_t fl = a->n_hb ? a->hb_last : a->last;
    char t1[32], t2[32], t3[32];

    uint8_t aff[INST_CAP / 8];

    affected = affected_set(dx, a, aff);
    for (i = 0; i < dx->ninst; i++)
        if (dx->canon[i] == i) {
            total++;
            if (bit_get(aff, i))
                last_aff = i;
        }
    /* the affected instances' observations; all of them when none is known */
    for (i = 0; i <= dx->ninst; i++) {
        const struct inst *in = i < dx->ninst ? &dx->inst[i] : &dx->anon;

        if (affected && i < dx->ninst && !bit_get(aff, dx->canon[i]))
            continue;
        reg_ok += in->reg_ok;
        hb_ok += in->hb_ok;
        span_add(&hb_ok_first, &hb_ok_last, in->hb_ok_first);
        span_add(&hb_ok_first, &hb_ok_last, in->hb_ok_last);
        if (in->reg_ok_last != HB_NO_TIME &&
            (reg_ok_last == HB_NO_TIME || in->reg_ok_last > reg_ok_last))
            reg_ok_last = in->reg_ok_last;
    }
    if (c == HB_CAUSE_VERSION_MISMATCH) {
        for (i = 1; i < dx->nviol; i++)
            fact(hs, h, "%s.", dx->viol[i].what);
        for (i = 0; i < dx->nvfacts; i++)
            fact(hs, h, "%s", dx->vfacts[i]);
    }
    if (h->incidents == 0)
        return;
    /* registration vs heartbeats */
    if (reg_ok && (a->n_hb || c == HB_CAUSE_PORT || c == HB_CAUSE_API_GATING) &&
        (a->n_hb || dx->lb.n_hb)) {
        hb_report_time_local(reg_ok_last, t1, sizeof t1);
        hb_report_time_local(ff, t2, sizeof t2);
        fact(hs, h,
             "Registration succeeded (last seen at %s) but heartbeats fail "
             "(%llu failure%s since %s).",
             t1, (unsigned long long)(a->n_hb ? a->n_hb : a->n),
             (a->n_hb ? a->n_hb : a->n) == 1 ? "" : "s", t2);
    }
    if (hb_ok && ff != HB_NO_TIME) {
        hb_report_time_local(hb_ok_last, t1, sizeof t1);
        hb_report_time_local(ff, t2, sizeof t2);
        if (hb_ok_last < ff) {
            fact(hs, h, "Heartbeats succeeded until %s, fail since %s.", t1,
                 t2);
        } else if (hb_ok_first > fl) {
            hb_report_time_local(fl, t3, sizeof t3);
            hb_report_time_local(hb_ok_first, t1, sizeof t1);
            fact(hs, h,
                 "Heartbeats failed from %s to %s and succeed since %s: "
                 "recovered.",
                 t2, t3, t1);
        } else {
            hb_report_time_local(hb_ok_first, t1, sizeof t1);
            hb_report_time_local(hb_ok_last, t3, sizeof t3);
            fact(hs, h,
                 "Heartbeats also succeeded %llu time%s between %s and %s: "
                 "the failures are intermittent.",
                 (unsigned long long)hb_ok, hb_ok == 1 ? "" : "s", t1, t3);
        }
    }
    /* every instance or only one */
    if (total >= 2 && affected) {
        if (affected == total && dx->overflow == 0)
            fact(hs, h, "Every instance seen fails (%zu of %zu).", affected,
                 total);
        else if (affected == 1)
            fact(hs, h, "Only one of %zu instances seen fails: %s.", total,
                 dx->inst[last_aff].label);
        else
            fact(hs, h, "%zu of %zu instances seen fail.", affected, total);
    }
    /* one server address or all */
    {
        size_t nfail = 0, nall = 0, one = 0;

        for (i = 0; i < dx->naddr; i++) {
            if (dx->addr[i].config)
                continue;
            nall++;
            if ((a->addr >> i) & 1) {
                nfail++;
                one = i;
            }
        }
        if (nfail == 1 && nall == 1)
            fact(hs, h, "All failures name one Polaris server: %s.",
                 dx->addr[one].value);
        else if (nfail == 1)
            fact(hs, h,
                 "Failures name only %s of the %zu Polaris addresses seen.",
                 dx->addr[one].value, nall);
        else if (nfail > 1 && nfail == nall)
            fact(hs, h,
                 "Failures spread over every Polaris address seen (%zu).",
                 nall);
        else if (nfail > 1)
            fact(hs, h, "Failures name %zu of the %zu Polaris addresses seen.",
                 nfail, nall);
    }
    /* codes that changed meaning */
    for (i = 0; i < 32 && i < dx->know->ncodes; i++)
        if ((a->code_notes >> i) & 1)
            fact(hs, h, "%d: %s.", dx->know->codes[i].code,
                 dx->know->codes[i].note);
}

/* Orders evidence: one per fingerprint (best first), then repeats. */
static int ev_cmp(const void *pa, const void *pb)
{
    const struct hb_evidence *a = pa, *b = pb;

    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->ts_ms != b->ts_ms) {
        if (a->ts_ms == HB_NO_TIME)
            return 1;
        if (b->ts_ms == HB_NO_TIME)
            return -1;
        return a->ts_ms < b->ts_ms ? -1 : 1;
    }
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return strcmp(a->source, b->source);
}

static size_t ev_order(const struct hb_evidence *in, size_t n,
                       struct hb_evidence *out)
{
    struct hb_evidence tmp[HB_EVIDENCE_KEEP];
    bool used[HB_EVIDENCE_KEEP] = {false};
    size_t i, j, k = 0;

    memcpy(tmp, in, n * sizeof *in);
    qsort(tmp, n, sizeof *tmp, ev_cmp);
    for (i = 0; i < n; i++) { /* first of each fingerprint */
        bool dup = false;

        for (j = 0; j < i && tmp[i].fingerprint[0]; j++)
            if (strcmp(tmp[j].fingerprint, tmp[i].fingerprint) == 0)
                dup = true;
        if (!dup) {
            out[k++] = tmp[i];
            used[i] = true;
        }
    }
    for (i = 0; i < n; i++)
        if (!used[i])
            out[k++] = tmp[i];
    return k;
}

/* True when the version diagnosis names this artifact. */
static bool version_named(const struct hb_dx *dx, const struct acc *a,
                          const char *artifact)
{
    const struct hb_signature *sig;
    size_t i;

    if (strcmp(artifact, "polaris-java") == 0)
        return true;
    if (a->sig[0]) {
        sig = hb_knowledge_signature(dx->know, a->sig);
        if ((sig && strcmp(sig->artifact, artifact) == 0) ||
            (!sig && hb_knowledge_artifact(dx->know, a->sig_class) &&
             strcmp(hb_knowledge_artifact(dx->know, a->sig_class), artifact) ==
                 0))
            return true;
    }
    for (i = 0; i < dx->nviol; i++)
        if (strncmp(dx->viol[i].what, artifact, strlen(artifact)) == 0 &&
            dx->viol[i].what[strlen(artifact)] == ' ')
            return true;
    return false;
}

static void build_hyp(struct hb_dx *dx, int c, double conf)
{
    struct acc *a = &dx->acc[c];
    struct hstore *hs = &dx->hs[c];
    struct hb_hyp *h = &dx->hyps[dx->nhyps++];
    const struct rule_ent *top = top_rule(a, true);
    size_t i, n;

    memset(h, 0, sizeof *h);
    hb_buf_reset(&hs->title);
    hb_buf_reset(&hs->desc);
    hb_buf_reset(&hs->action);
    h->cause = (enum hb_cause)c;
    h->confidence = conf;
    h->primary = a->n > 0 || a->n_find > 0;
    h->severity = h->primary ? a->sev : a->alt_sev;
    h->incidents = a->n;
    h->alt_incidents = a->n_alt;
    h->findings = a->n_find;
    h->first_ms = a->first;
    h->last_ms = a->last;
    h->timeline = &a->tl;

    if (top && top->kind == T_RULE && top->meta && top->meta->title &&
        c != HB_CAUSE_PORT && c != HB_CAUSE_API_GATING)
        hb_buf_puts(&hs->title, top->meta->title);
    else
        hb_buf_puts(&hs->title, hb_cause_title((enum hb_cause)c));

    switch (c) {
    case HB_CAUSE_PORT:
        text_port(dx, hs);
        break;
    case HB_CAUSE_API_GATING:
        text_api_gating(dx, hs);
        break;
    case HB_CAUSE_NETWORK:
        text_network(dx, hs, a);
        break;
    case HB_CAUSE_VERSION_MISMATCH:
        text_version(dx, hs, a);
        break;
    default:
        break;
    }
    if (hs->desc.len && (c == HB_CAUSE_PORT || c == HB_CAUSE_API_GATING))
        ; /* the computed explanation says more than the shared rule's */
    else if (top && top->meta && top->meta->description &&
             top->meta->description[0])
        hb_buf_puts(&hs->desc, top->meta->description);
    else if (hs->desc.len == 0 || top == NULL)
        hb_buf_puts(&hs->desc, cause_text[c].description);
    if (hs->action.len == 0) {
        const struct rule_ent *r = top_rule(a, false);
        size_t f;

        if (top && top->meta && top->meta->action && top->meta->action[0])
            hb_buf_puts(&hs->action, top->meta->action);
        for (f = 0; hs->action.len == 0 && r && f < dx->nfind; f++)
            if (r->kind == T_FINDING && dx->find[f].check_id &&
                strcmp(dx->find[f].check_id, r->id) == 0 && dx->find[f].action)
                hb_buf_puts(&hs->action, dx->find[f].action);
        if (hs->action.len == 0)
            hb_buf_puts(&hs->action, cause_text[c].action);
    }
    /* strip trailing spaces the builders left */
    while (hs->desc.len && hs->desc.data[hs->desc.len - 1] == ' ')
        hs->desc.data[--hs->desc.len] = '\0';
    h->title = hs->title.data;
    h->description = hs->desc.data;
    h->action = hs->action.data;

    /* instances, addresses, rules */
    {
        uint8_t aff[INST_CAP / 8];

        affected_set(dx, a, aff);
        for (i = 0, n = 0; i < dx->ninst; i++)
            if (bit_get(aff, i))
                hs->inst[n++] = dx->inst[i].label;
    }
    h->instances = hs->inst;
    h->ninstances = n;
    h->instances_more = a->inst_over;
    for (i = 0, n = 0; i < dx->naddr; i++)
        if ((a->addr >> i) & 1)
            hs->addrs[n++] = dx->addr[i].value;
    h->addresses = hs->addrs;
    h->naddresses = n;
    {
        /* strongest first */
        size_t order[SET_CAP], k, m;

        for (i = 0; i < a->nrules; i++)
            order[i] = i;
        for (i = 1; i < a->nrules; i++)
            for (k = i; k > 0 && rule_term(&a->rules[order[k]]) >
                                     rule_term(&a->rules[order[k - 1]]);
                 k--) {
                size_t t = order[k];

                order[k] = order[k - 1];
                order[k - 1] = t;
            }
        n = 0;
        for (i = 0; i < a->nrules; i++) {
            const char *id = a->rules[order[i]].id;

            for (m = 0; m < n; m++)
                if (strcmp(hs->rules[m], id) == 0)
                    break;
            if (m == n)
                hs->rules[n++] = id;
        }
        for (i = 0; i < dx->nsyn[c]; i++) {
            for (m = 0; m < n; m++)
                if (strcmp(hs->rules[m], dx->syn[c][i].id) == 0)
                    break;
            if (m == n)
                hs->rules[n++] = dx->syn[c][i].id;
        }
        h->rules = hs->rules;
        h->nrules = n;
    }
    /* evidence, then addresses or versions that support it */
    n = ev_order(a->ev, a->nev, hs->ev);
    for (i = 0; i < n; i++)
        hs->ev[i].count = fp_count(a, hs->ev[i].fingerprint);
    {
        size_t sup = 0;

        if (c == HB_CAUSE_PORT || c == HB_CAUSE_API_GATING ||
            c == HB_CAUSE_NETWORK) {
            for (i = 0; i < dx->naddr && sup < HB_SUPPORT_KEEP; i++) {
                const struct addr *ad = &dx->addr[i];

                if (ad->ev.kind == NULL || ad->config)
                    continue;
                if (c == HB_CAUSE_PORT && dx->wrong_port &&
                    ad->port != dx->wrong_port)
                    continue;
                hs->ev[n++] = ad->ev;
                sup++;
            }
        } else if (c == HB_CAUSE_VERSION_MISMATCH) {
            /* the versions of the artifacts the diagnosis names */
            for (i = 0; i < dx->nver && sup < HB_SUPPORT_KEEP; i++) {
                if (dx->ver[i].ev.kind == NULL ||
                    !version_named(dx, a, dx->ver[i].artifact))
                    continue;
                hs->ev[n++] = dx->ver[i].ev;
                sup++;
            }
        }
    }
    h->evidence = hs->ev;
    h->nevidence = n;
    build_facts(dx, c, hs, h);
}

static int hyp_cmp(const void *pa, const void *pb)
{
    const struct hb_hyp *a = pa, *b = pb;

    if (a->confidence != b->confidence)
        return a->confidence > b->confidence ? -1 : 1;
    if (a->primary != b->primary)
        return a->primary ? -1 : 1;
    if (a->incidents != b->incidents)
        return a->incidents > b->incidents ? -1 : 1;
    return (int)a->cause - (int)b->cause;
}

static int count_cmp(const void *pa, const void *pb)
{
    const struct hb_count *a = pa, *b = pb;

    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return strcmp(a->name, b->name);
}

static size_t counts_view(const struct cnt *in, size_t n, struct hb_count *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        out[i].name = in[i].name;
        out[i].n = in[i].n;
    }
    qsort(out, n, sizeof *out, count_cmp);
    return n;
}

static void build_view(struct hb_dx *dx)
{
    struct hb_report *r = &dx->report;
    size_t i;

    memset(r, 0, sizeof *r);
    r->incidents = dx->incidents;
    r->observations = dx->obs;
    r->first_ms = dx->first;
    r->last_ms = dx->last;
    r->hyps = dx->hyps;
    r->nhyps = dx->nhyps;
    r->unclassified = dx->unc.n;
    r->unc_first_ms = dx->unc.first;
    r->unc_last_ms = dx->unc.last;
    r->unc_codes = dx->v_unc_codes;
    r->unc_ncodes = counts_view(dx->unc_codes, dx->nunc_codes, dx->v_unc_codes);
    r->unc_evidence = dx->unc_ev;
    r->unc_nevidence = ev_order(dx->unc.ev, dx->unc.nev, dx->unc_ev);
    for (i = 0; i < r->unc_nevidence; i++)
        dx->unc_ev[i].count = fp_count(&dx->unc, dx->unc_ev[i].fingerprint);
    r->unc_timeline = &dx->unc.tl;
    r->codes = dx->v_codes;
    r->ncodes = counts_view(dx->codes, dx->ncodes, dx->v_codes);
    r->grpc = dx->v_grpc;
    r->ngrpc = counts_view(dx->grpc, dx->ngrpc, dx->v_grpc);
    r->findings = dx->find;
    r->nfindings = dx->nfind;
    for (i = 0; i < dx->naddr; i++) {
        const struct addr *a = &dx->addr[i];
        const struct hb_port_info *pi = hb_knowledge_port(dx->know, a->port);
        struct hb_report_addr *v = &dx->v_addr[i];

        v->address = a->value;
        v->port = a->port;
        v->how = a->how;
        v->listener = pi ? pi->listener : NULL;
        v->purpose = pi ? pi->purpose : NULL;
        v->seen = a->seen;
        v->failures = a->fails;
    }
    r->addrs = dx->v_addr;
    r->naddrs = dx->naddr;
    for (i = 0; i < dx->nver; i++) {
        dx->v_ver[i].artifact = dx->ver[i].artifact;
        dx->v_ver[i].version = dx->ver[i].version;
        dx->v_ver[i].seen = dx->ver[i].n;
    }
    r->versions = dx->v_ver;
    r->nversions = dx->nver;
    r->ninstances = 0;
    for (i = 0; i < dx->ninst; i++) {
        struct hb_report_instance *v;
        int64_t dummy = HB_NO_TIME;
        size_t j;

        if (dx->canon[i] != i)
            continue;
        v = &dx->v_inst[r->ninstances++];
        memset(v, 0, sizeof *v);
        v->label = dx->inst[i].label;
        v->first_fail_ms = v->last_fail_ms = v->last_ok_ms = HB_NO_TIME;
        for (j = 0; j < dx->ninst; j++) {
            const struct inst *in = &dx->inst[j];

            if (dx->canon[j] != i)
                continue;
            v->failures += in->fail;
            v->register_ok += in->reg_ok;
            v->heartbeat_ok += in->hb_ok;
            span_add(&v->first_fail_ms, &v->last_fail_ms, in->fail_first);
            span_add(&v->first_fail_ms, &v->last_fail_ms, in->fail_last);
            span_add(&dummy, &v->last_ok_ms, in->hb_ok_last);
        }
    }
    r->instances = dx->v_inst;
    r->overflow = dx->overflow;
    for (i = 0; i < HB_CAUSE_COUNT; i++)
        r->overflow += dx->acc[i].rules_over + dx->acc[i].fps_over;
    r->knowledge = dx->know_from;
}

size_t hb_dx_rank(struct hb_dx *dx)
{
    int c;
    bool failures = false;

    if (dx->ranked)
        return dx->nhyps;
    dx->nhyps = 0;
    for (c = 0; c < HB_CAUSE_COUNT; c++) {
        dx->nsyn[c] = 0;
        dx->demote[c] = 1;
        if (dx->acc[c].n || dx->acc[c].n_find)
            failures = true;
    }
    canonicalize(dx);
    decide_listener(dx);
    if (failures || dx->unc.n)
        analyze_versions(dx);
    for (c = 0; c < HB_CAUSE_COUNT; c++) {
        const struct acc *a = &dx->acc[c];
        double conf;

        if (a->n + a->n_alt + a->n_find == 0 && dx->nsyn[c] == 0)
            continue;
        conf = confidence(dx, c);
        if (conf < 0.01)
            continue;
        build_hyp(dx, c, conf);
    }
    qsort(dx->hyps, dx->nhyps, sizeof dx->hyps[0], hyp_cmp);
    build_view(dx);
    dx->ranked = true;
    return dx->nhyps;
}

enum hb_cause hb_dx_cause_at(struct hb_dx *dx, size_t i, double *confidence_out)
{
    hb_dx_rank(dx);
    if (i >= dx->nhyps) {
        if (confidence_out)
            *confidence_out = 0;
        return HB_CAUSE_NONE;
    }
    if (confidence_out)
        *confidence_out = dx->hyps[i].confidence;
    return dx->hyps[i].cause;
}

const struct hb_report *hb_dx_view(struct hb_dx *dx,
                                   const struct hb_input_stats *st)
{
    hb_dx_rank(dx);
    dx->report.st = st;
    return &dx->report;
}

void hb_dx_report(struct hb_dx *dx, const struct hb_input_stats *st,
                  const struct hb_report_opts *o, FILE *out)
{
    const struct hb_report *r = hb_dx_view(dx, st);
    struct hb_report_opts def;

    if (o == NULL) {
        memset(&def, 0, sizeof def);
        o = &def;
    }
    switch (o->format) {
    case HB_REPORT_JSON:
        hb_report_json(r, o, out);
        break;
    case HB_REPORT_MARKDOWN:
        hb_report_markdown(r, o, out);
        break;
    case HB_REPORT_TEXT:
    default:
        hb_report_text(r, o, out);
        break;
    }
}

bool hb_dx_fail_on_valid(const char *s)
{
    return s && (hb_severity_from_name(s) >= 0 ||
                 hb_cause_from_name(s) != HB_CAUSE_NONE ||
                 strcmp(s, "unknown") == 0 || strcmp(s, "any") == 0);
}

bool hb_dx_fails(struct hb_dx *dx, const char *fail_on)
{
    int sev;
    enum hb_cause c;
    size_t i;

    if (fail_on == NULL)
        return false;
    hb_dx_rank(dx);
    if (strcmp(fail_on, "any") == 0)
        return dx->nhyps > 0 || dx->unc.n > 0;
    if (strcmp(fail_on, "unknown") == 0)
        return dx->unc.n > 0;
    sev = hb_severity_from_name(fail_on);
    c = hb_cause_from_name(fail_on);
    for (i = 0; i < dx->nhyps; i++) {
        const struct hb_hyp *h = &dx->hyps[i];

        if (!h->primary)
            continue;
        if (sev >= 0 && (int)h->severity >= sev)
            return true;
        if (c != HB_CAUSE_NONE && h->cause == c)
            return true;
    }
    return false;
}

/* ---- report options -------------------------------------------------- */

static bool locale_utf8(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    size_t i;

    for (i = 0; i < HB_ARRAY_LEN(vars); i++) {
        const char *v = getenv(vars[i]);

        if (v && v[0])
            return strcasestr(v, "UTF-8") || strcasestr(v, "utf8");
    }
    return false;
}

enum hb_status hb_report_opts_init(struct hb_report_opts *o, const char *format,
                                   const char *color, bool ascii, int fd,
                                   struct hb_diag *d)
{
    const char *nc;

    memset(o, 0, sizeof *o);
    if (format == NULL || strcmp(format, "text") == 0)
        o->format = HB_REPORT_TEXT;
    else if (strcmp(format, "json") == 0)
        o->format = HB_REPORT_JSON;
    else if (strcmp(format, "markdown") == 0 || strcmp(format, "md") == 0)
        o->format = HB_REPORT_MARKDOWN;
    else {
        hb_diag_set(d, "", 0, 0, "unknown format '%s' (text, json or markdown)",
                    format);
        return HB_EUSAGE;
    }
    nc = getenv("NO_COLOR");
    if (color == NULL || strcmp(color, "auto") == 0)
        o->color = isatty(fd) && !(nc && nc[0]);
    else if (strcmp(color, "always") == 0)
        o->color = true;
    else if (strcmp(color, "never") == 0)
        o->color = false;
    else {
        hb_diag_set(d, "", 0, 0,
                    "unknown colour mode '%s' (auto, always or never)", color);
        return HB_EUSAGE;
    }
    o->ascii = ascii || !locale_utf8();
    return HB_OK;
}
