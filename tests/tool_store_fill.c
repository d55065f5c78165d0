/*
 * tool_store_fill.c - fills an incident database through the store API,
 * for the CLI tests (tests/cli_store.sh) until `hbscan scan` writes to it.
 *
 *   tool_store_fill DB < lines      one row per line, fields split by '|':
 *     inc|TS|CAUSE|RULE|SERVICE|HOST:PORT|CODES|SOURCE|LINE|EVIDENCE
 *     obs|TS|KIND|SERVICE|HOST:PORT|SOURCE|LINE|TEXT
 *   tool_store_fill DB --synthetic N   N generated incidents
 *
 * TS is epoch milliseconds, "now-SECONDS" or "-" (no time). CAUSE "-" and
 * RULE "-" make an unclassified incident. CODES are space separated keys
 * (ERR-1006 400401 Polaris-1006 UNAVAILABLE).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "store.h"
#include "timeparse.h"
#include "util.h"

#define MAX_FIELDS  12
#define MAX_SOURCES 64
#define MAX_RULES   64

struct src {
    char path[256];
    int64_t id;
    uint64_t line;
};

static struct src sources[MAX_SOURCES];
static int nsources;
static struct hb_rule_meta rules[MAX_RULES];
static char *rule_ids[MAX_RULES]; /* owned copies of rules[].id */
static int nrules;

static void die_diag(const struct hb_diag *d)
{
    hb_diag_print(d, stderr);
    exit(5);
}

static int64_t parse_ts(const char *s)
{
    if (strcmp(s, "-") == 0 || *s == '\0')
        return HB_NO_TIME;
    if (strncmp(s, "now-", 4) == 0)
        return hb_time_now_ms() - strtoll(s + 4, NULL, 10) * 1000;
    return strtoll(s, NULL, 10);
}

static struct src *source_for(struct hb_store *s, const char *path)
{
    struct hb_source_id sid;
    struct hb_source_state st;
    struct hb_diag d;
    int i;

    for (i = 0; i < nsources; i++)
        if (strcmp(sources[i].path, path) == 0)
            return &sources[i];
    if (nsources == MAX_SOURCES) {
        fprintf(stderr, "too many sources\n");
        exit(2);
    }
    memset(&sid, 0, sizeof sid);
    sid.path = path;
    sid.dev = 1;
    sid.ino = hb_hash64(path, strlen(path), 7);
    sid.first_hash = hb_hash64(path, strlen(path), HB_HASH_SEED);
    sid.size = 1u << 30;
    if (hb_store_source_begin(s, &sid, false, &st, &d) != HB_OK)
        die_diag(&d);
    hb_strlcpy(sources[nsources].path, path, strlen(path),
               sizeof sources[nsources].path);
    sources[nsources].id = st.id;
    sources[nsources].line = st.line;
    return &sources[nsources++];
}

static const struct hb_rule_meta *rule_for(const char *id, const char *cause)
{
    int i;

    for (i = 0; i < nrules; i++)
        if (strcmp(rules[i].id, id) == 0)
            return &rules[i];
    if (nrules == MAX_RULES) {
        fprintf(stderr, "too many rules\n");
        exit(2);
    }
    rule_ids[nrules] = hb_xstrdup(id);
    rules[nrules].id = rule_ids[nrules];
    rules[nrules].cause = hb_cause_from_name(cause);
    rules[nrules].severity = HB_SEV_ERROR;
    rules[nrules].weight = 0.9;
    return &rules[nrules++];
}

static void add_codes(struct hb_incident *inc, const char *codes)
{
    char buf[256], *save = NULL, *tok;

    hb_strlcpy(buf, codes, strlen(codes), sizeof buf);
    for (tok = strtok_r(buf, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        struct hb_code_seen *c;

        if (strncmp(tok, "ERR-", 4) == 0) {
            inc->sdk_code = atoi(tok + 4);
            snprintf(inc->sdk_name, sizeof inc->sdk_name, "SDK_%d",
                     inc->sdk_code);
        } else if (strlen(tok) == 6 && tok[0] >= '0' && tok[0] <= '9') {
            inc->server_code = atoi(tok);
        } else if (strncmp(tok, "Polaris-", 8) != 0) {
            hb_strlcpy(inc->grpc_status, tok, strlen(tok),
                       sizeof inc->grpc_status);
            continue;
        }
        if (inc->ncodes == HB_MAX_CODES)
            continue;
        c = &inc->codes[inc->ncodes++];
        hb_strlcpy(c->key, tok, strlen(tok), sizeof c->key);
    }
}

static void split_hostport(const char *hp, char *host, size_t cap, int *port)
{
    const char *colon = strrchr(hp, ':');

    *port = 0;
    if (colon == NULL) {
        hb_strlcpy(host, hp, strlen(hp), cap);
        return;
    }
    hb_strlcpy(host, hp, (size_t)(colon - hp), cap);
    *port = atoi(colon + 1);
}

static void put_incident(struct hb_store *s, const char *const *f, int n)
{
    struct hb_incident *inc = hb_xcalloc(1, sizeof *inc);
    struct hb_diag d;
    struct src *src;
    uint64_t h;

    if (n < 10) {
        fprintf(stderr, "inc line needs 10 fields\n");
        exit(2);
    }
    src = source_for(s, f[7]);
    inc->source = src->path;
    inc->ts_ms = parse_ts(f[1]);
    inc->first_line = inc->last_line = inc->evidence_line =
        strtoull(f[8], NULL, 10);
    if (inc->evidence_line > src->line)
        src->line = inc->evidence_line;
    inc->cause = HB_CAUSE_NONE;
    inc->severity = HB_SEV_ERROR;
    if (strcmp(f[2], "-") != 0 && strcmp(f[3], "-") != 0) {
        inc->hits[0].rule = rule_for(f[3], f[2]);
        inc->nhits = 1;
        inc->rule_id = inc->hits[0].rule->id;
        inc->cause = inc->hits[0].rule->cause;
        inc->weight = inc->hits[0].rule->weight;
    }
    hb_strlcpy(inc->service, f[4], strlen(f[4]), sizeof inc->service);
    hb_strlcpy(inc->ns, "default", 7, sizeof inc->ns);
    split_hostport(f[5], inc->host, sizeof inc->host, &inc->port);
    add_codes(inc, f[6]);
    hb_strlcpy(inc->evidence, f[9], strlen(f[9]), sizeof inc->evidence);
    hb_strlcpy(inc->message, f[9], strlen(f[9]), sizeof inc->message);
    inc->text.p = f[9];
    inc->text.n = strlen(f[9]);
    hb_strlcpy(inc->level, "ERROR", 5, sizeof inc->level);
    inc->event = HB_EV_HEARTBEAT_FAIL;
    h = hb_hash64(f[2], strlen(f[2]), HB_HASH_SEED);
    h = hb_hash64(f[4], strlen(f[4]), h);
    h = hb_hash64(f[6], strlen(f[6]), h);
    snprintf(inc->fingerprint, sizeof inc->fingerprint, "%016" PRIx64, h);
    if (hb_store_put_incident(s, src->id, inc, &d) != HB_OK)
        die_diag(&d);
    free(inc);
}

static void put_obs(struct hb_store *s, const char *const *f, int n)
{
    struct hb_obs o;
    struct hb_diag d;
    struct src *src;

    if (n < 8) {
        fprintf(stderr, "obs line needs 8 fields\n");
        exit(2);
    }
    memset(&o, 0, sizeof o);
    src = source_for(s, f[5]);
    o.source = src->path;
    o.ts_ms = parse_ts(f[1]);
    hb_strlcpy(o.kind, f[2], strlen(f[2]), sizeof o.kind);
    hb_strlcpy(o.service, f[3], strlen(f[3]), sizeof o.service);
    split_hostport(f[4], o.host, sizeof o.host, &o.port);
    o.line = strtoull(f[6], NULL, 10);
    if (o.line > src->line)
        src->line = o.line;
    hb_strlcpy(o.text, f[7], strlen(f[7]), sizeof o.text);
    if (hb_store_put_obs(s, src->id, &o, &d) != HB_OK)
        die_diag(&d);
}

static void synthetic(struct hb_store *s, long n)
{
    static const char *const causes[] = {"port", "api-gating", "network",
                                         "auth"};
    char ts[32], svc[32], hp[32], line[16], ev[64];
    const char *f[10];
    long i;

    for (i = 0; i < n; i++) {
        snprintf(ts, sizeof ts, "%ld", 1710000000000L + i * 60000L);
        snprintf(svc, sizeof svc, "svc-%ld", i % 3);
        snprintf(hp, sizeof hp, "10.0.0.%ld:8080", i % 5);
        snprintf(line, sizeof line, "%ld", i + 1);
        snprintf(ev, sizeof ev, "synthetic failure %ld", i);
        f[0] = "inc";
        f[1] = ts;
        f[2] = causes[i % 4];
        f[3] = causes[i % 4];
        f[4] = svc;
        f[5] = hp;
        f[6] = i % 2 ? "ERR-1006 400401" : "ERR-1004 UNAVAILABLE";
        f[7] = "synthetic.log";
        f[8] = line;
        f[9] = ev;
        put_incident(s, f, 10);
    }
}

int main(int argc, char **argv)
{
    struct hb_store *s;
    struct hb_diag d;
    struct hb_run_counts rc;
    char buf[4096];
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: tool_store_fill DB [--synthetic N] < lines\n");
        return 2;
    }
    if (hb_store_open(&s, argv[1], HB_STORE_RW, 0, &d) != HB_OK)
        die_diag(&d);
    if (hb_store_run_begin(s, "tool_store_fill", &d) != HB_OK)
        die_diag(&d);
    if (argc >= 4 && strcmp(argv[2], "--synthetic") == 0) {
        synthetic(s, strtol(argv[3], NULL, 10));
    } else {
        while (fgets(buf, sizeof buf, stdin)) {
            char *f[MAX_FIELDS], *p = buf;
            int n = 0;

            buf[strcspn(buf, "\r\n")] = '\0';
            if (buf[0] == '\0' || buf[0] == '#')
                continue;
            while (n < MAX_FIELDS) {
                f[n++] = p;
                p = strchr(p, '|');
                if (p == NULL)
                    break;
                *p++ = '\0';
            }
            if (strcmp(f[0], "inc") == 0)
                put_incident(s, (const char *const *)f, n);
            else if (strcmp(f[0], "obs") == 0)
                put_obs(s, (const char *const *)f, n);
        }
    }
    for (i = 0; i < nsources; i++)
        if (hb_store_checkpoint(s, sources[i].id, sources[i].line * 100,
                                sources[i].line, "spring-boot", &d) != HB_OK)
            die_diag(&d);
    memset(&rc, 0, sizeof rc);
    rc.sources = (uint64_t)nsources;
    if (hb_store_run_end(s, &rc, &d) != HB_OK)
        die_diag(&d);
    hb_store_close(s);
    for (i = 0; i < nrules; i++)
        free(rule_ids[i]);
    return 0;
}
