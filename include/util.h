/*
 * util.h - allocation that aborts on failure, a growable byte buffer, and
 * small string helpers used across modules.
 */
#ifndef HB_UTIL_H
#define HB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hbscan.h"

/* Allocation failure prints a message and aborts: callers never check. */
void *hb_xmalloc(size_t n);
void *hb_xcalloc(size_t nmemb, size_t size);
void *hb_xrealloc(void *p, size_t n);
char *hb_xstrdup(const char *s);
char *hb_xstrndup(const char *s, size_t n);
void hb_die(const char *fmt, ...) HB_PRINTF(1, 2) HB_NORETURN;

/* Growable buffer; always NUL-terminated after any append. init cannot fail. */
struct hb_buf {
    char *data; /* owned; freed by hb_buf_fini */
    size_t len;
    size_t cap;
};

void hb_buf_init(struct hb_buf *b);
void hb_buf_fini(struct hb_buf *b);
void hb_buf_reset(struct hb_buf *b);
void hb_buf_reserve(struct hb_buf *b, size_t extra);
void hb_buf_append(struct hb_buf *b, const void *p, size_t n);
void hb_buf_puts(struct hb_buf *b, const char *s);
void hb_buf_putc(struct hb_buf *b, char c);
void hb_buf_printf(struct hb_buf *b, const char *fmt, ...) HB_PRINTF(2, 3);
/* Appends s as a JSON string literal (with quotes); invalid UTF-8 bytes
 * become U+FFFD so the output is always valid JSON. */
void hb_buf_json_str(struct hb_buf *b, const char *s, size_t n);

/*
 * Decodes one UTF-8 sequence at s (n bytes available): returns its length
 * (1..4) and the code point, or 0 for an invalid, overlong or surrogate
 * sequence.
 */
size_t hb_utf8_decode(const unsigned char *s, size_t n, unsigned *cp);
/* Whether s[0..n) is all valid UTF-8 as hb_utf8_decode reads it. ASCII
 * runs are checked eight bytes at a time. */
bool hb_utf8_valid(const char *s, size_t n);

/* Copies at most cap-1 bytes of s into dst and NUL-terminates. */
void hb_strlcpy(char *dst, const char *s, size_t n, size_t cap);
bool hb_str_eq(struct hb_str s, const char *lit);
bool hb_str_starts(struct hb_str s, const char *lit);
/* memmem over a slice; NULL when absent. */
const char *hb_str_find(struct hb_str s, const char *lit);

/* 64-bit FNV-1a; used for fingerprints and source identity. */
uint64_t hb_hash64(const void *p, size_t n, uint64_t seed);
#define HB_HASH_SEED 0xcbf29ce484222325ULL

/* Nanoseconds of CLOCK_MONOTONIC: for intervals, immune to clock steps. */
uint64_t hb_mono_ns(void);

#endif
