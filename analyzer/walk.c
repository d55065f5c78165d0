/*
 * walk.c - command-line paths to an ordered list of files: recursion,
 * include/exclude globs, rotation families oldest first, symlink loops,
 * and the Kubernetes path layouts.
 */
#include "walk.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

void hb_filelist_fini(struct hb_filelist *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    l->paths = NULL;
    l->n = l->cap = 0;
}

static void push(struct hb_filelist *l, const char *path)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->paths = hb_xrealloc(l->paths, l->cap * sizeof *l->paths);
    }
    l->paths[l->n++] = hb_xstrdup(path);
}

/* Rotation classes, in reading order within a family. */
enum rot_class { ROT_DATED, ROT_NUMBERED, ROT_LIVE };

struct rot {
    char family[512];
    enum rot_class cls;
    long num;      /* app.log.N */
    char date[32]; /* 2025-06-25 or 2025-06-25T10-00-00.000 */
    long idx;      /* app-2025-06-25.N.log */
};

static bool digits(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isdigit((unsigned char)p[i]))
            return false;
    return n > 0;
}

/* "YYYY-MM-DD" at p? */
static bool is_date(const char *p, size_t n)
{
    return n >= 10 && digits(p, 4) && p[4] == '-' && digits(p + 5, 2) &&
           p[7] == '-' && digits(p + 8, 2);
}

static void parse_rot(const char *name, struct rot *r)
{
    char s[512];
    size_t n, i;

    hb_strlcpy(s, name, strlen(name), sizeof s);
    n = strlen(s);
    memset(r, 0, sizeof *r);
    r->cls = ROT_LIVE;
    if (n > 3 && strcmp(s + n - 3, ".gz") == 0)
        s[n -= 3] = '\0';
    /* app.log.N */
    for (i = n; i > 0 && isdigit((unsigned char)s[i - 1]); i--)
        ;
    if (i < n && i > 1 && s[i - 1] == '.' && n - i <= 6) {
        r->cls = ROT_NUMBERED;
        r->num = strtol(s + i, NULL, 10);
        s[i - 1] = '\0';
        n = i - 1;
    }
    /* -DATE, .DATE or _DATE, optional THH-MM-SS(.fff), optional .N */
    for (i = 1; r->cls == ROT_LIVE && i + 10 <= n; i++) {
        size_t j;

        if ((s[i - 1] != '-' && s[i - 1] != '.' && s[i - 1] != '_') ||
            !is_date(s + i, n - i))
            continue;
        j = i + 10;
        if (j + 9 <= n && s[j] == 'T' && digits(s + j + 1, 2) &&
            digits(s + j + 4, 2) && digits(s + j + 7, 2)) {
            j += 9;
            if (j < n && s[j] == '.' && j + 1 < n &&
                isdigit((unsigned char)s[j + 1])) {
                j++;
                while (j < n && isdigit((unsigned char)s[j]))
                    j++;
            }
        }
        hb_strlcpy(r->date, s + i, j - i, sizeof r->date);
        if (j + 1 < n && s[j] == '.' && isdigit((unsigned char)s[j + 1])) {
            size_t k = j + 1;

            while (k < n && isdigit((unsigned char)s[k]))
                k++;
            if (k == n || s[k] == '.') {
                r->idx = strtol(s + j + 1, NULL, 10);
                j = k;
            }
        }
        r->cls = ROT_DATED;
        memmove(s + i - 1, s + j, n - j + 1);
        n -= j - (i - 1);
        break;
    }
    hb_strlcpy(r->family, s, n, sizeof r->family);
}

int hb_walk_compare(const char *a, const char *b)
{
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    size_t da = sa ? (size_t)(sa - a) : 0, db = sb ? (size_t)(sb - b) : 0;
    struct rot ra, rb;
    int c;

    /* Different directories: plain path order. */
    if (da != db || memcmp(a, b, da) != 0)
        return strcmp(a, b);
    parse_rot(sa ? sa + 1 : a, &ra);
    parse_rot(sb ? sb + 1 : b, &rb);
    c = strcmp(ra.family, rb.family);
    if (c)
        return c;
    if (ra.cls != rb.cls)
        return (int)ra.cls - (int)rb.cls;
    if (ra.cls == ROT_NUMBERED && ra.num != rb.num)
        return ra.num > rb.num ? -1 : 1; /* app.log.3 before app.log.1 */
    if (ra.cls == ROT_DATED) {
        c = strcmp(ra.date, rb.date);
        if (c)
            return c;
        if (ra.idx != rb.idx)
            return ra.idx < rb.idx ? -1 : 1;
    }
    return strcmp(a, b);
}

static int cmp_paths(const void *x, const void *y)
{
    return hb_walk_compare(*(char *const *)x, *(char *const *)y);
}

static bool glob_any(const char *const *g, size_t n, const char *path,
                     const char *base)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (fnmatch(g[i], base, 0) == 0 || fnmatch(g[i], path, 0) == 0)
            return true;
    return false;
}

/* The directories on the current path, to cut symlink loops. */
struct ancestors {
    dev_t dev[HB_WALK_MAX_DEPTH];
    ino_t ino[HB_WALK_MAX_DEPTH];
    int n;
};

static void walk_dir(const char *dir, const struct hb_walk_opts *o,
                     struct hb_filelist *out, struct ancestors *anc);

/* Recurses into subdirectory path unless it closes a symlink loop. */
static void enter(const char *path, const struct stat *st,
                  const struct hb_walk_opts *o, struct hb_filelist *out,
                  struct ancestors *anc)
{
    int k;

    for (k = 0; k < anc->n; k++)
        if (anc->dev[k] == st->st_dev && anc->ino[k] == st->st_ino)
            return; /* a loop: already on the path */
    if (anc->n >= HB_WALK_MAX_DEPTH) {
        fprintf(stderr, "hbscan: %s: deeper than %d levels, skipped\n", path,
                HB_WALK_MAX_DEPTH);
        out->errors++;
        return;
    }
    anc->dev[anc->n] = st->st_dev;
    anc->ino[anc->n] = st->st_ino;
    anc->n++;
    walk_dir(path, o, out, anc);
    anc->n--;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Files of dir in rotation order first, then each subdirectory in name
 * order: deterministic whatever readdir returns. */
static void walk_dir(const char *dir, const struct hb_walk_opts *o,
                     struct hb_filelist *out, struct ancestors *anc)
{
    DIR *dp;
    struct dirent *de;
    struct hb_filelist files = {0}, dirs = {0};
    size_t i;

    dp = opendir(dir);
    if (dp == NULL) {
        fprintf(stderr, "hbscan: %s: %s\n", dir, strerror(errno));
        out->errors++;
        return;
    }
    while ((de = readdir(dp)) != NULL) {
        char path[4096];
        struct stat st;

        if (de->d_name[0] == '.')
            continue; /* ., .., and hidden entries */
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >=
            sizeof path) {
            fprintf(stderr, "hbscan: %s/%s: path too long\n", dir, de->d_name);
            out->errors++;
            continue;
        }
        if (o && glob_any(o->exclude, o->nexclude, path, de->d_name))
            continue;
        if (stat(path, &st) != 0) {
            /* A dangling symlink is not an input error. */
            if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
                continue;
            fprintf(stderr, "hbscan: %s: %s\n", path, strerror(errno));
            out->errors++;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            push(&dirs, path);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue; /* FIFOs, sockets, devices: only when named */
        if (o && o->ninclude &&
            !glob_any(o->include, o->ninclude, path, de->d_name))
            continue;
        push(&files, path);
    }
    closedir(dp);
    if (files.n)
        qsort(files.paths, files.n, sizeof *files.paths, cmp_paths);
    for (i = 0; i < files.n; i++)
        push(out, files.paths[i]);
    if (dirs.n)
        qsort(dirs.paths, dirs.n, sizeof *dirs.paths, cmp_str);
    for (i = 0; i < dirs.n; i++) {
        struct stat st;

        if (stat(dirs.paths[i], &st) == 0)
            enter(dirs.paths[i], &st, o, out, anc);
    }
    hb_filelist_fini(&files);
    hb_filelist_fini(&dirs);
}

void hb_walk(const char *path, const struct hb_walk_opts *o,
             struct hb_filelist *out)
{
    struct stat st;
    struct ancestors anc = {.n = 0};

    if (strcmp(path, "-") == 0) {
        push(out, path);
        return;
    }
    if (stat(path, &st) != 0) {
        fprintf(stderr, "hbscan: %s: %s\n", path, strerror(errno));
        out->errors++;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        push(out, path);
        return;
    }
    anc.dev[0] = st.st_dev;
    anc.ino[0] = st.st_ino;
    anc.n = 1;
    {
        char dir[4096];
        size_t n = strlen(path);

        hb_strlcpy(dir, path, n, sizeof dir);
        while (n > 1 && dir[n - 1] == '/')
            dir[--n] = '\0';
        walk_dir(dir, o, out, &anc);
    }
}

/* Copies the field [p, p+n) into dst. */
static void field(char *dst, size_t cap, const char *p, size_t n)
{
    hb_strlcpy(dst, p, n, cap);
}

bool hb_walk_k8s(const char *path, char *ns, size_t nscap, char *pod,
                 size_t podcap, char *container, size_t ccap)
{
    const char *p;

    if ((p = strstr(path, "/pods/")) != NULL) {
        /* <ns>_<pod>_<uid>/<container>/N.log */
        const char *seg = p + 6;
        const char *slash = strchr(seg, '/');
        const char *u1, *u2, *cslash;

        if (slash == NULL)
            return false;
        u1 = memchr(seg, '_', (size_t)(slash - seg));
        if (u1 == NULL)
            return false;
        u2 = memchr(u1 + 1, '_', (size_t)(slash - u1 - 1));
        if (u2 == NULL)
            return false;
        cslash = strchr(slash + 1, '/');
        if (cslash == NULL)
            return false;
        field(ns, nscap, seg, (size_t)(u1 - seg));
        field(pod, podcap, u1 + 1, (size_t)(u2 - u1 - 1));
        field(container, ccap, slash + 1, (size_t)(cslash - slash - 1));
        return true;
    }
    if ((p = strstr(path, "/containers/")) != NULL) {
        /* <pod>_<ns>_<container>-<64 hex id>.log */
        const char *name = p + 12;
        const char *u1 = strchr(name, '_');
        const char *u2 = u1 ? strchr(u1 + 1, '_') : NULL;
        const char *dot = strrchr(name, '.');
        const char *dash;

        if (u1 == NULL || u2 == NULL || dot == NULL || dot < u2 ||
            strchr(name, '/'))
            return false;
        dash = dot;
        while (dash > u2 && *dash != '-')
            dash--;
        if (dash == u2)
            dash = dot;
        field(pod, podcap, name, (size_t)(u1 - name));
        field(ns, nscap, u1 + 1, (size_t)(u2 - u1 - 1));
        field(container, ccap, u2 + 1, (size_t)(dash - u2 - 1));
        return true;
    }
    return false;
}
