/*
 * util.c - allocation that aborts on failure, the growable buffer, JSON
 * string escaping and small slice helpers.
 */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void hb_die(const char *fmt, ...)
{
    va_list ap;

    fputs("hbscan: fatal: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void *hb_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        hb_die("out of memory allocating %zu bytes", n);
    return p;
}

void *hb_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

    if (p == NULL)
        hb_die("out of memory allocating %zu x %zu bytes", nmemb, size);
    return p;
}

void *hb_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        hb_die("out of memory reallocating %zu bytes", n);
    return q;
}

char *hb_xstrdup(const char *s)
{
    return hb_xstrndup(s, strlen(s));
}

char *hb_xstrndup(const char *s, size_t n)
{
    char *p = hb_xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void hb_buf_init(struct hb_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void hb_buf_fini(struct hb_buf *b)
{
    free(b->data);
    hb_buf_init(b);
}

void hb_buf_reset(struct hb_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void hb_buf_reserve(struct hb_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    size_t cap = b->cap ? b->cap : 64;

    if (need <= b->cap)
        return;
    while (cap < need)
        cap *= 2;
    b->data = hb_xrealloc(b->data, cap);
    b->cap = cap;
}

void hb_buf_append(struct hb_buf *b, const void *p, size_t n)
{
    hb_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void hb_buf_puts(struct hb_buf *b, const char *s)
{
    hb_buf_append(b, s, strlen(s));
}

void hb_buf_putc(struct hb_buf *b, char c)
{
    hb_buf_append(b, &c, 1);
}

void hb_buf_printf(struct hb_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    hb_buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

size_t hb_utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0], v;
    size_t len, i;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, v = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, v = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, v = c & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    /* Overlong forms, surrogates and code points past U+10FFFF. */
    if ((len == 3 && v < 0x800) ||
        (len == 4 && (v < 0x10000 || v > 0x10ffff)) ||
        (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

bool hb_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, k;
    unsigned cp;
    uint64_t w;

    while (i < n) {
        if (n - i >= 8) {
            memcpy(&w, p + i, 8);
            if ((w & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        k = hb_utf8_decode(p + i, n - i, &cp);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

void hb_buf_json_str(struct hb_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    hb_buf_putc(b, '"');
    while (i < n) {
        unsigned c = p[i], cp;
        size_t k;

        switch (c) {
        case '"':
            hb_buf_puts(b, "\\\"");
            i++;
            continue;
        case '\\':
            hb_buf_puts(b, "\\\\");
            i++;
            continue;
        case '\n':
            hb_buf_puts(b, "\\n");
            i++;
            continue;
        case '\r':
            hb_buf_puts(b, "\\r");
            i++;
            continue;
        case '\t':
            hb_buf_puts(b, "\\t");
            i++;
            continue;
        default:
            break;
        }
        if (c < 0x20 || c == 0x7f) {
            hb_buf_printf(b, "\\u%04x", c);
            i++;
            continue;
        }
        k = hb_utf8_decode(p + i, n - i, &cp);
        if (k == 0) {
            hb_buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD */
            i++;
            continue;
        }
        hb_buf_append(b, p + i, k);
        i += k;
    }
    hb_buf_putc(b, '"');
}

void hb_strlcpy(char *dst, const char *s, size_t n, size_t cap)
{
    if (cap == 0)
        return;
    if (s == NULL)
        n = 0;
    if (n > cap - 1)
        n = cap - 1;
    if (n)
        memcpy(dst, s, n);
    dst[n] = '\0';
}

bool hb_str_eq(struct hb_str s, const char *lit)
{
    size_t n = strlen(lit);

    return s.n == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

bool hb_str_starts(struct hb_str s, const char *lit)
{
    size_t n = strlen(lit);

    return s.n >= n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

/* Texts up to this long are searched by first byte (memchr) and the rest
   compared: glibc's memmem first clears a 256-entry shift table, ~450
   instructions a call, more than the search of a log line costs. Longer
   ones go to memmem, whose time stays linear whatever the text. */
#define FIND_SHORT 1024

const char *hb_str_find(struct hb_str s, const char *lit)
{
    size_t n = strlen(lit);
    const char *p, *last;

    if (s.p == NULL || n > s.n)
        return NULL;
    if (n == 0 || s.n > FIND_SHORT)
        return memmem(s.p, s.n, lit, n);
    last = s.p + (s.n - n);
    for (p = s.p; p <= last; p++) {
        p = memchr(p, lit[0], (size_t)(last - p) + 1);
        if (p == NULL)
            return NULL;
        if (memcmp(p + 1, lit + 1, n - 1) == 0)
            return p;
    }
    return NULL;
}

uint64_t hb_hash64(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = seed;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t hb_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
