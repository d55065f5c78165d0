/*
 * buildfile.c - finds Spring Boot / Spring Cloud / SCT / polaris-java /
 * grpc / netty versions in build files by plain text scanning (a tolerant
 * tag walker for pom.xml, line scanning for Gradle and dependency
 * listings), and answers compatibility questions from knowledge.h.
 */
#include "buildfile.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "util.h"

#define MAX_BYTES     HB_CFG_MAX_BYTES
#define MAX_VARS      512  /* properties / Gradle variables per file */
#define MAX_COORDS    4096 /* dependency coordinates per file */
#define MAX_XML_DEPTH 64
#define MAX_RESOLVE   5 /* nested ${...} references */

/* ---- compatibility questions --------------------------------------- */

static const struct hb_knowledge *know(const struct hb_knowledge *k)
{
    return k ? k : hb_knowledge_builtin();
}

/* spring-cloud-commons line -> release train (the knowledge tables name
 * trains by Boot lines only). */
static const struct {
    const char *commons, *train;
} commons_trains[] = {
    {"2.1", "Greenwich"}, {"2.2", "Hoxton"}, {"3.0", "2020.0"},
    {"3.1", "2021.0"},    {"4.0", "2022.0"}, {"4.1", "2023.0"},
    {"4.2", "2024.0"},    {"4.3", "2025.0"}, {"5.0", "2025.1"},
};

bool hb_build_minor_line(const char *v, char *out, size_t cap)
{
    size_t n = 0;
    int dots = 0;

    if (v == NULL || !isdigit((unsigned char)v[0]))
        return false;
    while (v[n] && (isdigit((unsigned char)v[n]) || v[n] == '.')) {
        if (v[n] == '.' && ++dots == 2)
            break;
        n++;
    }
    if (dots == 0 || v[n - 1] == '.')
        return false;
    hb_strlcpy(out, v, n, cap);
    return true;
}

static const struct hb_train *find_train(const struct hb_knowledge *k,
                                         const char *v)
{
    const struct hb_train *t;
    size_t i, n;

    if (v == NULL || v[0] == '\0')
        return NULL;
    k = know(k);
    t = hb_knowledge_train(k, v);
    if (t || isdigit((unsigned char)v[0]))
        return t;
    n = strcspn(v, ".-"); /* a code name: "Ilford", "Kilburn.SR1" */
    for (i = 0; i < k->ntrains; i++)
        if (k->trains[i].name && strlen(k->trains[i].name) == n &&
            strncasecmp(v, k->trains[i].name, n) == 0)
            return &k->trains[i];
    return NULL;
}

bool hb_build_train_line(const struct hb_knowledge *k, const char *v, char *out,
                         size_t cap)
{
    const struct hb_train *t = find_train(k, v);

    if (cap)
        out[0] = '\0';
    if (t == NULL)
        return false;
    hb_strlcpy(out, t->train, strlen(t->train), cap);
    return true;
}

const char *hb_build_commons_train(const char *commons)
{
    char minor[32];
    size_t i;

    if (!hb_build_minor_line(commons, minor, sizeof minor))
        return NULL;
    for (i = 0; i < HB_ARRAY_LEN(commons_trains); i++)
        if (strcmp(commons_trains[i].commons, minor) == 0)
            return commons_trains[i].train;
    return NULL;
}

bool hb_build_train_boots(const struct hb_knowledge *k, const char *train,
                          char *out, size_t cap)
{
    const struct hb_train *t = find_train(k, train);
    size_t len = 0;
    int i;

    if (cap)
        out[0] = '\0';
    if (t == NULL || t->nboot == 0)
        return false;
    for (i = 0; i < t->nboot && len + 1 < cap; i++) {
        int n =
            snprintf(out + len, cap - len, "%s%s.x", i ? ", " : "", t->boot[i]);

        if (n < 0)
            break;
        len += (size_t)n;
    }
    return true;
}

int hb_build_boot_fits(const struct hb_knowledge *k, const char *train,
                       const char *boot)
{
    const struct hb_train *t = find_train(k, train);
    char minor[32];
    int i;

    if (t == NULL || t->nboot == 0 ||
        !hb_build_minor_line(boot, minor, sizeof minor))
        return -1;
    for (i = 0; i < t->nboot; i++)
        if (hb_version_in_line(boot, t->boot[i]))
            return 1;
    return 0;
}

bool hb_build_boot_train(const struct hb_knowledge *k, const char *boot,
                         char *out, size_t cap)
{
    size_t i;

    k = know(k);
    if (cap)
        out[0] = '\0';
    for (i = 0; i < k->ntrains; i++) {
        if (hb_build_boot_fits(k, k->trains[i].train, boot) == 1) {
            hb_strlcpy(out, k->trains[i].train, strlen(k->trains[i].train),
                       cap);
            return true;
        }
    }
    return false;
}

bool hb_build_sct_split(const char *sct, char *base, size_t bcap, char *train,
                        size_t tcap)
{
    const char *dash = strchr(sct, '-');
    const char *p;

    if (dash && dash[1]) {
        hb_strlcpy(base, sct, (size_t)(dash - sct), bcap);
        hb_strlcpy(train, dash + 1, strlen(dash + 1), tcap);
        return true;
    }
    /* before 1.2.0: 1.1.0.Hoxton.SR9 */
    for (p = sct; (p = strchr(p, '.')) != NULL; p++) {
        if (isalpha((unsigned char)p[1])) {
            hb_strlcpy(base, sct, (size_t)(p - sct), bcap);
            hb_strlcpy(train, p + 1, strlen(p + 1), tcap);
            return true;
        }
    }
    hb_strlcpy(base, sct, strlen(sct), bcap);
    if (tcap)
        train[0] = '\0';
    return false;
}

static bool same_line(const struct hb_knowledge *k, const char *a,
                      const char *b)
{
    const struct hb_train *ta = find_train(k, a), *tb = find_train(k, b);

    return ta && ta == tb;
}

const struct hb_sct_row *hb_build_sct_find(const struct hb_knowledge *k,
                                           const char *base, const char *train)
{
    const struct hb_sct_row *line = NULL;
    size_t i;

    k = know(k);
    for (i = 0; i < k->nsct; i++) {
        const struct hb_sct_row *r = &k->sct[i];

        if (strcmp(r->sct, base) != 0)
            continue;
        if (strcmp(r->train, train) == 0)
            return r;
        if (line == NULL && same_line(k, r->train, train))
            line = r;
    }
    return line;
}

/* Newer of two rows (SCT version, then train). */
static const struct hb_sct_row *newer(const struct hb_sct_row *a,
                                      const struct hb_sct_row *b)
{
    int c;

    if (a == NULL)
        return b;
    c = hb_version_cmp(b->sct, a->sct);
    return c > 0 || (c == 0 && hb_version_cmp(b->train, a->train) > 0) ? b : a;
}

const struct hb_sct_row *hb_build_sct_for(const struct hb_knowledge *k,
                                          const char *train, const char *base)
{
    const struct hb_sct_row *same = NULL, *best = NULL;
    const struct hb_train *t;
    bool is_line;
    size_t i;

    k = know(k);
    t = find_train(k, train);
    if (t == NULL)
        return NULL;
    is_line = strcmp(t->train, train) == 0 ||
              (t->name && strcasecmp(t->name, train) == 0);
    for (i = 0; i < k->nsct; i++) {
        const struct hb_sct_row *r = &k->sct[i];
        bool fits = is_line ? find_train(k, r->train) == t
                            : strcmp(r->train, train) == 0;

        if (!fits || strstr(r->train, "RC") || strstr(r->train, "SNAPSHOT"))
            continue;
        if (base && strcmp(r->sct, base) == 0)
            same = newer(same, r);
        best = newer(best, r);
    }
    return same ? same : best;
}

/* ---- scanning ------------------------------------------------------- */

const char *hb_build_what_name(enum hb_build_what w)
{
    static const char *const names[HB_BUILD_COUNT] = {
        [HB_BUILD_BOOT] = "Spring Boot",
        [HB_BUILD_CLOUD] = "Spring Cloud",
        [HB_BUILD_COMMONS] = "spring-cloud-commons",
        [HB_BUILD_SCT] = "Spring Cloud Tencent",
        [HB_BUILD_POLARIS] = "polaris-java",
        [HB_BUILD_GRPC] = "grpc-java",
        [HB_BUILD_NETTY] = "netty",
    };

    return (unsigned)w < HB_BUILD_COUNT ? names[w] : "?";
}

struct var {
    char *name;  /* owned */
    char *value; /* owned */
    unsigned long line;
};

struct cand {
    int prio; /* 0 = none */
    char *value;
    char *artifact;
    unsigned long line;
};

struct scan {
    struct hb_build_info *b;
    const char *path;
    const char *data;
    size_t len;
    size_t *lines; /* owned; line start offsets */
    size_t nlines;
    struct var vars[MAX_VARS];
    size_t nvars;
    struct cand cand[HB_BUILD_COUNT];
    size_t coords;
};

void hb_build_init(struct hb_build_info *b)
{
    memset(b, 0, sizeof *b);
}

void hb_build_fini(struct hb_build_info *b)
{
    size_t i;

    for (i = 0; i < b->npool; i++)
        free(b->pool[i]);
    free(b->pool);
    hb_build_init(b);
}

static const char *pool_add(struct hb_build_info *b, const char *s, size_t n)
{
    if (b->npool == b->cappool) {
        b->cappool = b->cappool ? b->cappool * 2 : 16;
        b->pool = hb_xrealloc(b->pool, b->cappool * sizeof *b->pool);
    }
    b->pool[b->npool] = hb_xstrndup(s, n);
    return b->pool[b->npool++];
}

static void index_lines(struct scan *S)
{
    size_t i, cap = 64;

    S->lines = hb_xmalloc(cap * sizeof *S->lines);
    S->nlines = 0;
    S->lines[S->nlines++] = 0;
    for (i = 0; i < S->len; i++) {
        if (S->data[i] != '\n')
            continue;
        if (S->nlines == cap) {
            cap *= 2;
            S->lines = hb_xrealloc(S->lines, cap * sizeof *S->lines);
        }
        S->lines[S->nlines++] = i + 1;
    }
}

static unsigned long line_of(const struct scan *S, size_t off)
{
    size_t lo = 0, hi = S->nlines;

    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;

        if (S->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo + 1;
}

/* [s, e) of 1-based line, trimmed and capped at 200 bytes. */
static void line_span(const struct scan *S, unsigned long line, size_t *s,
                      size_t *e)
{
    *s = *e = 0;
    if (line == 0 || line > S->nlines)
        return;
    *s = S->lines[line - 1];
    *e = line < S->nlines ? S->lines[line] : S->len;
    while (*e > *s && isspace((unsigned char)S->data[*e - 1]))
        (*e)--;
    while (*s < *e && isspace((unsigned char)S->data[*s]))
        (*s)++;
    if (*e - *s > 200) {
        *e = *s + 200;
        while (*e > *s && ((unsigned char)S->data[*e] & 0xc0) == 0x80)
            (*e)--;
    }
}

static void add_var(struct scan *S, const char *name, size_t nlen,
                    const char *value, size_t vlen, unsigned long line)
{
    struct var *v;
    size_t i;

    for (i = 0; i < S->nvars; i++)
        if (strlen(S->vars[i].name) == nlen &&
            memcmp(S->vars[i].name, name, nlen) == 0)
            return; /* first definition wins */
    if (S->nvars == MAX_VARS)
        return;
    v = &S->vars[S->nvars++];
    v->name = hb_xstrndup(name, nlen);
    v->value = hb_xstrndup(value, vlen);
    v->line = line;
}

static const struct var *get_var(const struct scan *S, const char *name,
                                 size_t n)
{
    size_t i;

    for (i = 0; i < S->nvars; i++)
        if (strlen(S->vars[i].name) == n &&
            memcmp(S->vars[i].name, name, n) == 0)
            return &S->vars[i];
    return NULL;
}

static bool is_ident(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '.' || ch == '-';
}

/*
 * Expands ${name} and Gradle's $name from the variables. Returns a new
 * string, or NULL when something stays unresolved; *line becomes the
 * definition line of the first variable used (where to change it).
 */
static char *resolve(const struct scan *S, const char *v, unsigned long *line,
                     int depth)
{
    struct hb_buf out;
    const char *p = v;

    if (depth > MAX_RESOLVE)
        return NULL;
    hb_buf_init(&out);
    hb_buf_puts(&out, "");
    while (*p) {
        const char *name, *end;
        const struct var *var;
        char *sub;

        if (*p != '$') {
            hb_buf_putc(&out, *p++);
            continue;
        }
        if (p[1] == '{') {
            name = p + 2;
            end = strchr(name, '}');
            if (end == NULL)
                goto fail;
            p = end + 1;
        } else {
            name = p + 1;
            end = name;
            while (isalnum((unsigned char)*end) || *end == '_')
                end++;
            if (end == name)
                goto fail;
            p = end;
        }
        var = get_var(S, name, (size_t)(end - name));
        if (var == NULL)
            goto fail;
        if (*line == 0 || depth == 0)
            *line = var->line;
        sub = resolve(S, var->value, line, depth + 1);
        if (sub == NULL)
            goto fail;
        hb_buf_puts(&out, sub);
        free(sub);
    }
    return out.data;
fail:
    hb_buf_fini(&out);
    return NULL;
}

/* The library a coordinate belongs to and how much it says (0: nothing). */
static int classify(const char *g, const char *a, enum hb_build_what *w)
{
    if (strcmp(g, "org.springframework.boot") == 0) {
        *w = HB_BUILD_BOOT;
        if (strcmp(a, "spring-boot-starter-parent") == 0 ||
            strcmp(a, "spring-boot-dependencies") == 0 ||
            strcmp(a, "spring-boot") == 0 ||
            strcmp(a, "spring-boot-gradle-plugin") == 0 ||
            strcmp(a, "org.springframework.boot.gradle.plugin") == 0)
            return 3;
        return strcmp(a, "spring-boot-maven-plugin") == 0 ? 1 : 2;
    }
    if (strcmp(g, "org.springframework.cloud") == 0) {
        if (strcmp(a, "spring-cloud-dependencies") == 0) {
            *w = HB_BUILD_CLOUD;
            return 3;
        }
        if (strcmp(a, "spring-cloud-commons") == 0 ||
            strcmp(a, "spring-cloud-context") == 0) {
            *w = HB_BUILD_COMMONS;
            return 3;
        }
        return 0;
    }
    if (strcmp(g, "com.tencent.cloud") == 0) {
        *w = HB_BUILD_SCT;
        return strcmp(a, "spring-cloud-tencent-dependencies") == 0 ? 3 : 2;
    }
    if (strcmp(g, "com.tencent.polaris") == 0) {
        if (strstr(a, "specification"))
            return 0; /* the API spec has its own numbering */
        *w = HB_BUILD_POLARIS;
        return strcmp(a, "polaris-dependencies") == 0 ||
                       strcmp(a, "polaris-all") == 0
                   ? 3
                   : 2;
    }
    if (strcmp(g, "io.grpc") == 0 && strncmp(a, "grpc-", 5) == 0) {
        *w = HB_BUILD_GRPC;
        return strcmp(a, "grpc-bom") == 0 || strcmp(a, "grpc-api") == 0 ? 3 : 2;
    }
    if (strcmp(g, "io.netty") == 0 && strncmp(a, "netty-", 6) == 0 &&
        strncmp(a, "netty-tcnative", 14) != 0) {
        *w = HB_BUILD_NETTY;
        return strcmp(a, "netty-bom") == 0 ? 3 : 2;
    }
    return 0;
}

/* Property / variable names that carry a version by convention. */
static int classify_var(const char *name, enum hb_build_what *w)
{
    static const struct {
        const char *norm;
        enum hb_build_what w;
    } names[] = {
        {"springbootversion", HB_BUILD_BOOT},
        {"springcloudversion", HB_BUILD_CLOUD},
        {"springclouddependenciesversion", HB_BUILD_CLOUD},
        {"springcloudtencentversion", HB_BUILD_SCT},
        {"sctversion", HB_BUILD_SCT},
        {"polarisversion", HB_BUILD_POLARIS},
        {"polarisjavaversion", HB_BUILD_POLARIS},
        {"grpcversion", HB_BUILD_GRPC},
        {"iogrpcversion", HB_BUILD_GRPC},
        {"nettyversion", HB_BUILD_NETTY},
    };
    char norm[64];
    size_t i, o = 0;

    for (i = 0; name[i] && o + 1 < sizeof norm; i++) {
        char ch = name[i];

        if (ch == '-' || ch == '_' || ch == '.')
            continue;
        norm[o++] = (char)tolower((unsigned char)ch);
    }
    norm[o] = '\0';
    for (i = 0; i < HB_ARRAY_LEN(names); i++) {
        if (strcmp(names[i].norm, norm) == 0) {
            *w = names[i].w;
            return 1;
        }
    }
    return 0;
}

/* "3.1.12", "2022.0.4", "Hoxton.SR12"; not "", "${x}", "latest here". */
static bool looks_like_version(const char *v)
{
    return v && isalnum((unsigned char)v[0]) && strpbrk(v, " \t$") == NULL;
}

/* Offers a candidate; the highest priority wins, the first among equals. */
static void offer(struct scan *S, enum hb_build_what w, int prio,
                  const char *value, const char *artifact, unsigned long line)
{
    struct cand *c = &S->cand[w];

    if (prio <= c->prio || !looks_like_version(value))
        return;
    free(c->value);
    free(c->artifact);
    c->prio = prio;
    c->value = hb_xstrdup(value);
    c->artifact = hb_xstrdup(artifact);
    c->line = line;
}

/* A dependency coordinate g:a:v found at line; v may hold ${...}. */
static void coord(struct scan *S, const char *g, const char *a, const char *v,
                  unsigned long line)
{
    enum hb_build_what w = HB_BUILD_BOOT;
    int prio = classify(g, a, &w);
    unsigned long vline = 0;
    char art[256], *val;

    if (prio == 0 || v == NULL || v[0] == '\0' || ++S->coords > MAX_COORDS)
        return;
    val = resolve(S, v, &vline, 0);
    if (val == NULL)
        return;
    snprintf(art, sizeof art, "%s:%s", g, a);
    offer(S, w, prio, val, art, vline ? vline : line);
    free(val);
}

/* Variables that name versions by convention rank below coordinates. */
static void offer_vars(struct scan *S)
{
    size_t i;

    for (i = 0; i < S->nvars; i++) {
        enum hb_build_what w;
        unsigned long line = 0;
        char *val;

        if (!classify_var(S->vars[i].name, &w))
            continue;
        val = resolve(S, S->vars[i].value, &line, 0);
        if (val)
            offer(S, w, 1, val, S->vars[i].name, S->vars[i].line);
        free(val);
    }
}

/* ---- pom.xml -------------------------------------------------------- */

struct xel {
    char name[64];
    char text[256];
    size_t tlen;
    size_t toff; /* offset of the first text byte */
    char g[128], a[128], v[128];
    unsigned long vline;
};

static bool is_holder(const char *name)
{
    return strcmp(name, "dependency") == 0 || strcmp(name, "parent") == 0 ||
           strcmp(name, "plugin") == 0 || strcmp(name, "extension") == 0;
}

struct pcoord {
    char g[128], a[128], v[128];
    unsigned long line;
};

static void xml_close(struct scan *S, struct xel *st, int depth,
                      struct pcoord *pc, size_t *npc)
{
    struct xel *f = &st[depth - 1];
    struct xel *p = depth >= 2 ? &st[depth - 2] : NULL;
    unsigned long line = line_of(S, f->toff);
    size_t n = f->tlen;

    while (n && isspace((unsigned char)f->text[n - 1]))
        n--;
    f->text[n] = '\0';
    if (p && strcmp(p->name, "properties") == 0)
        add_var(S, f->name, strlen(f->name), f->text, n, line);
    if (p && strcmp(p->name, "project") == 0 && strcmp(f->name, "version") == 0)
        add_var(S, "project.version", 15, f->text, n, line);
    if (p && is_holder(p->name)) {
        if (strcmp(f->name, "groupId") == 0)
            hb_strlcpy(p->g, f->text, n, sizeof p->g);
        else if (strcmp(f->name, "artifactId") == 0)
            hb_strlcpy(p->a, f->text, n, sizeof p->a);
        else if (strcmp(f->name, "version") == 0) {
            hb_strlcpy(p->v, f->text, n, sizeof p->v);
            p->vline = line;
        }
    }
    if (is_holder(f->name) && f->a[0] && f->v[0] && *npc < MAX_COORDS) {
        struct pcoord *c = &pc[(*npc)++];

        /* Maven plugins default to org.apache.maven.plugins */
        memcpy(c->g, f->g, sizeof c->g);
        memcpy(c->a, f->a, sizeof c->a);
        memcpy(c->v, f->v, sizeof c->v);
        c->line = f->vline;
        if (strcmp(f->name, "parent") == 0)
            add_var(S, "project.parent.version", 22, f->v, strlen(f->v),
                    f->vline);
    }
}

static void scan_pom(struct scan *S)
{
    struct xel *st = hb_xcalloc(MAX_XML_DEPTH, sizeof *st);
    struct pcoord *pc = hb_xcalloc(256, sizeof *pc);
    size_t npc = 0, cappc = 256, i = 0, k;
    int depth = 0;

    while (i < S->len) {
        const char *d = S->data;
        char ch = d[i];

        if (ch != '<') {
            struct xel *f = depth ? &st[depth - 1] : NULL;

            if (f && !(f->tlen == 0 && isspace((unsigned char)ch)) &&
                f->tlen + 1 < sizeof f->text) {
                if (f->tlen == 0)
                    f->toff = i;
                f->text[f->tlen++] = ch;
            }
            i++;
            continue;
        }
        if (S->len - i >= 4 && memcmp(d + i, "<!--", 4) == 0) {
            const char *e = memmem(d + i + 4, S->len - i - 4, "-->", 3);

            i = e ? (size_t)(e - d) + 3 : S->len;
            continue;
        }
        if (i + 1 < S->len && (d[i + 1] == '?' || d[i + 1] == '!')) {
            const char *e = memchr(d + i, '>', S->len - i);

            i = e ? (size_t)(e - d) + 1 : S->len;
            continue;
        }
        if (i + 1 < S->len && d[i + 1] == '/') {
            size_t s = i + 2, n;
            int j;

            for (k = s;
                 k < S->len && d[k] != '>' && !isspace((unsigned char)d[k]);
                 k++)
                ;
            n = k - s;
            while (k < S->len && d[k] != '>')
                k++;
            i = k < S->len ? k + 1 : S->len;
            for (j = depth; j > 0; j--)
                if (strlen(st[j - 1].name) == n &&
                    memcmp(st[j - 1].name, d + s, n) == 0)
                    break;
            if (j == 0)
                continue; /* stray close tag */
            depth = j;
            if (npc == cappc) {
                cappc *= 2;
                pc = hb_xrealloc(pc, cappc * sizeof *pc);
            }
            xml_close(S, st, depth, pc, &npc);
            depth--;
            continue;
        }
        {
            size_t s = i + 1, n;
            char quote = 0;
            bool selfclose = false;

            for (k = s; k < S->len && d[k] != '>' && d[k] != '/' &&
                        !isspace((unsigned char)d[k]);
                 k++)
                ;
            n = k - s;
            for (; k < S->len; k++) {
                if (quote) {
                    if (d[k] == quote)
                        quote = 0;
                } else if (d[k] == '"' || d[k] == '\'') {
                    quote = d[k];
                } else if (d[k] == '>') {
                    break;
                }
            }
            selfclose = k > s && k < S->len && d[k - 1] == '/';
            i = k < S->len ? k + 1 : S->len;
            if (selfclose || n == 0)
                continue;
            if (depth == MAX_XML_DEPTH)
                continue; /* too deep to matter; its text is dropped */
            memset(&st[depth], 0, sizeof st[depth]);
            hb_strlcpy(st[depth].name, d + s, n, sizeof st[depth].name);
            depth++;
        }
    }
    offer_vars(S);
    for (k = 0; k < npc; k++)
        coord(S, pc[k].g, pc[k].a, pc[k].v, pc[k].line);
    free(pc);
    free(st);
}

/* ---- Gradle and dependency listings --------------------------------- */

static size_t skip_ws(const char *s, size_t i, size_t e)
{
    while (i < e && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* A quoted string at s[i]; sets [*vs, *ve) and returns the index after. */
static size_t quoted(const char *s, size_t i, size_t e, size_t *vs, size_t *ve)
{
    char q;

    if (i >= e || (s[i] != '"' && s[i] != '\''))
        return 0;
    q = s[i];
    *vs = i + 1;
    for (i = i + 1; i < e && s[i] != q; i++)
        ;
    if (i >= e)
        return 0;
    *ve = i;
    return i + 1;
}

static bool starts(const char *s, size_t i, size_t e, const char *lit)
{
    size_t n = strlen(lit);

    return e - i >= n && memcmp(s + i, lit, n) == 0;
}

/*
 * Variable definitions: name = "v", def/val/var name = "v", ext.name = "v",
 * set("name", "v"), extra["name"] = "v", val name by extra("v"), and
 * gradle.properties' name=v (unquoted, version-looking).
 */
static void line_vars(struct scan *S, size_t s, size_t e, unsigned long line)
{
    const char *d = S->data;
    size_t i = skip_ws(d, s, e), ns, ne, vs = 0, ve = 0, j;

    if (starts(d, i, e, "set(")) {
        j = quoted(d, skip_ws(d, i + 4, e), e, &ns, &ne);
        if (j == 0)
            return;
        j = skip_ws(d, j, e);
        if (j >= e || d[j] != ',')
            return;
        if (quoted(d, skip_ws(d, j + 1, e), e, &vs, &ve))
            add_var(S, d + ns, ne - ns, d + vs, ve - vs, line);
        return;
    }
    if (starts(d, i, e, "def ") || starts(d, i, e, "val ") ||
        starts(d, i, e, "var "))
        i = skip_ws(d, i + 4, e);
    if (starts(d, i, e, "project.ext."))
        i += 12;
    else if (starts(d, i, e, "ext."))
        i += 4;
    if (starts(d, i, e, "extra[")) {
        j = quoted(d, i + 6, e, &ns, &ne);
        if (j == 0 || j >= e || d[j] != ']')
            return;
        i = j + 1;
    } else {
        ns = i;
        while (i < e && is_ident(d[i]))
            i++;
        ne = i;
        if (ne == ns)
            return;
    }
    i = skip_ws(d, i, e);
    if (starts(d, i, e, "by extra(")) {
        if (quoted(d, i + 9, e, &vs, &ve))
            add_var(S, d + ns, ne - ns, d + vs, ve - vs, line);
        return;
    }
    if (i >= e || d[i] != '=' || (i + 1 < e && d[i + 1] == '='))
        return;
    i = skip_ws(d, i + 1, e);
    if (quoted(d, i, e, &vs, &ve)) {
        add_var(S, d + ns, ne - ns, d + vs, ve - vs, line);
        return;
    }
    /* unquoted (gradle.properties): one word */
    if (i < e && isalnum((unsigned char)d[i])) {
        vs = i;
        while (i < e && !isspace((unsigned char)d[i]))
            i++;
        add_var(S, d + ns, ne - ns, d + vs, i - vs, line);
    }
}

static bool in_list(const char *w, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(*list, w, n) == 0)
            return true;
    return false;
}

static const char *const packagings[] = {
    "jar",    "pom", "war", "ear",    "test-jar", "maven-plugin",
    "bundle", "aar", "zip", "tar.gz", NULL};
static const char *const scopes[] = {"compile", "runtime", "provided", "test",
                                     "system",  "import",  NULL};

/* One token holding ':' (a coordinate) at [s, e), then an optional
 * Gradle "-> version" after it up to le. */
static void token_coord(struct scan *S, size_t s, size_t e, size_t le,
                        unsigned long line)
{
    const char *d = S->data;
    size_t part[8][2], np = 0, i = s, k;
    char g[128], a[128], v[128];

    while (np < 8) {
        part[np][0] = i;
        while (i < e && d[i] != ':')
            i++;
        part[np][1] = i;
        np++;
        if (i >= e)
            break;
        i++;
    }
    if (np < 2 || part[0][1] == part[0][0] || part[1][1] == part[1][0])
        return;
    hb_strlcpy(g, d + part[0][0], part[0][1] - part[0][0], sizeof g);
    hb_strlcpy(a, d + part[1][0], part[1][1] - part[1][0], sizeof a);
    v[0] = '\0';
#define PLEN(x) (part[x][1] - part[x][0])
#define PSTR(x) (d + part[x][0])
    if (np == 3) {
        k = 2;
    } else if (np == 4) {
        k = in_list(PSTR(2), PLEN(2), packagings) ? 3 : 2;
    } else if (np == 5) {
        k = in_list(PSTR(4), PLEN(4), scopes) ? 3 : 4;
    } else if (np >= 6) {
        k = 4;
    } else {
        k = 0; /* g:a, maybe followed by "-> version" */
    }
    if (k)
        hb_strlcpy(v, PSTR(k), PLEN(k), sizeof v);
#undef PLEN
#undef PSTR
    i = skip_ws(d, e, le);
    if (starts(d, i, le, "->")) {
        size_t vs = skip_ws(d, i + 2, le), ve = vs;

        while (ve < le && !isspace((unsigned char)d[ve]) && d[ve] != '(')
            ve++;
        if (ve > vs)
            hb_strlcpy(v, d + vs, ve - vs, sizeof v);
    }
    coord(S, g, a, v, line);
}

static bool tok_char(char ch)
{
    return isalnum((unsigned char)ch) || strchr("._-:${}+", ch) != NULL;
}

static void line_coords(struct scan *S, size_t s, size_t e, unsigned long line)
{
    const char *d = S->data;
    const char *boot = "org.springframework.boot";
    size_t i = s, n = strlen(boot);

    /* plugins { id 'org.springframework.boot' version '3.1.12' } */
    for (i = s; i + n + 1 < e; i++) {
        size_t vs, ve, j;

        if ((d[i] != '\'' && d[i] != '"') || memcmp(d + i + 1, boot, n) != 0 ||
            d[i + 1 + n] != d[i])
            continue;
        for (j = i + n + 2; j + 7 < e; j++) {
            if (memcmp(d + j, "version", 7) != 0)
                continue;
            if (quoted(d, skip_ws(d, j + 7, e), e, &vs, &ve)) {
                char val[128];

                hb_strlcpy(val, d + vs, ve - vs, sizeof val);
                coord(S, boot, "org.springframework.boot.gradle.plugin", val,
                      line);
            }
            break;
        }
        break;
    }
    for (i = s; i < e;) {
        size_t ts;
        bool colon = false;

        while (i < e && !tok_char(d[i]))
            i++;
        ts = i;
        while (i < e && tok_char(d[i])) {
            if (d[i] == ':')
                colon = true;
            i++;
        }
        if (colon && i > ts && isalpha((unsigned char)d[ts]))
            token_coord(S, ts, i, e, line);
    }
}

static void scan_text(struct scan *S)
{
    unsigned long line;

    for (line = 1; line <= S->nlines; line++) {
        size_t s = S->lines[line - 1];
        size_t e = line < S->nlines ? S->lines[line] : S->len;

        line_vars(S, s, e, line);
    }
    offer_vars(S);
    for (line = 1; line <= S->nlines; line++) {
        size_t s = S->lines[line - 1];
        size_t e = line < S->nlines ? S->lines[line] : S->len;

        while (e > s && (S->data[e - 1] == '\n' || S->data[e - 1] == '\r'))
            e--;
        line_coords(S, s, e, line);
    }
}

static bool name_ends(const char *path, const char *suffix)
{
    size_t n = strlen(path), m = strlen(suffix);

    return n >= m && strcasecmp(path + n - m, suffix) == 0;
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');

    return b ? b + 1 : path;
}

static bool has_known_coord(const char *data, size_t len)
{
    static const char *const groups[] = {"org.springframework.boot:",
                                         "org.springframework.cloud:",
                                         "com.tencent.cloud:",
                                         "com.tencent.polaris:",
                                         "io.grpc:",
                                         NULL};
    const char *const *g;

    for (g = groups; *g; g++) {
        size_t n = strlen(*g);
        const char *p = data, *end = data + len;

        while ((p = memmem(p, (size_t)(end - p), *g, n)) != NULL) {
            const char *q = p + n;

            while (q < end && is_ident(*q))
                q++;
            if (q > p + n && q < end && *q == ':')
                return true;
            p += n;
        }
    }
    return false;
}

bool hb_build_is_build_file(const char *path, const char *data, size_t len)
{
    const char *base = base_name(path);

    if (strcmp(base, "gradle.properties") == 0 ||
        strcmp(base, "pom.xml") == 0 || name_ends(base, ".pom") ||
        name_ends(base, ".gradle") || name_ends(base, ".gradle.kts"))
        return true;
    if (name_ends(base, ".yml") || name_ends(base, ".yaml") ||
        name_ends(base, ".properties"))
        return false;
    if (data && memmem(data, len, "<project", 8))
        return true;
    return data && has_known_coord(data, len);
}

enum hb_status hb_build_scan_mem(struct hb_build_info *b, const char *path,
                                 const char *data, size_t len,
                                 struct hb_diag *d)
{
    struct scan *S;
    const char *nul;
    size_t i;
    int w;

    if (len > MAX_BYTES) {
        hb_diag_set(d, path, 0, 0, "larger than %u MiB",
                    (unsigned)(MAX_BYTES >> 20));
        return HB_ELIMIT;
    }
    S = hb_xcalloc(1, sizeof *S);
    S->b = b;
    S->path = path;
    S->data = data;
    S->len = len;
    index_lines(S);
    nul = memchr(data, '\0', len);
    if (nul) {
        unsigned long line = line_of(S, (size_t)(nul - data));

        hb_diag_set(d, path, line,
                    (unsigned long)(nul - data) - S->lines[line - 1] + 1,
                    "binary data (NUL byte), not a build file");
        free(S->lines);
        free(S);
        return HB_EPARSE;
    }
    if (name_ends(path, ".xml") || name_ends(path, ".pom") ||
        memmem(data, len, "<project", 8))
        scan_pom(S);
    else
        scan_text(S);
    for (w = 0; w < HB_BUILD_COUNT; w++) {
        struct cand *c = &S->cand[w];
        struct hb_build_ver *v = &b->v[w];

        if (c->prio && v->value == NULL) {
            size_t ts, te;

            line_span(S, c->line, &ts, &te);
            v->value = pool_add(b, c->value, strlen(c->value));
            v->artifact = pool_add(b, c->artifact, strlen(c->artifact));
            v->path = pool_add(b, path, strlen(path));
            v->line = c->line;
            v->text = pool_add(b, data + ts, te - ts);
        }
        free(c->value);
        free(c->artifact);
    }
    for (i = 0; i < S->nvars; i++) {
        free(S->vars[i].name);
        free(S->vars[i].value);
    }
    b->files++;
    free(S->lines);
    free(S);
    return HB_OK;
}

enum hb_status hb_build_scan(struct hb_build_info *b, const char *path,
                             struct hb_diag *d)
{
    struct hb_buf buf;
    enum hb_status rc;

    hb_buf_init(&buf);
    rc = hb_cfg_read_file(path, &buf, d);
    if (rc == HB_OK)
        rc = hb_build_scan_mem(b, path, buf.data, buf.len, d);
    hb_buf_fini(&buf);
    return rc;
}
