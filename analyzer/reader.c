/*
 * reader.c - bytes to numbered lines. A fixed read buffer, a line buffer
 * that grows only up to the line cap, and zlib's inflate for gzip streams
 * (concatenated members included). Memory does not depend on input size.
 */
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "util.h"

#define READ_CHUNK     (128 * 1024)
#define FIRST_LINE_MAX 4096

struct hb_reader {
    int fd;
    bool own_fd;
    char *name; /* owned */
    size_t max_line;
    bool hold_partial;
    uint64_t max_output;

    bool gzip;
    z_stream zs;
    bool zs_live;       /* inflateInit2 succeeded */
    bool member_done;   /* inflate saw Z_STREAM_END */
    unsigned char *zin; /* owned: compressed input, READ_CHUNK */
    size_t zin_len;

    char *buf;          /* owned: decompressed bytes, READ_CHUNK */
    size_t pos, end;    /* unread window of buf */
    uint64_t base;      /* stream offset of buf[0] */
    bool src_eof;       /* no more bytes will arrive */
    bool failed;        /* error pending or already reported */
    struct hb_diag err; /* the pending error */
    bool err_pending;

    struct hb_buf line; /* a line that crossed a buffer refill */
    bool held;          /* line holds a partial last line (follow) */
    uint64_t held_start;
    bool held_trunc;
    uint64_t lineno;
    uint64_t consumed; /* offset just past the last line returned */
    uint64_t truncated;

    char first[FIRST_LINE_MAX];
    size_t first_len;
};

static const struct hb_reader_opts default_opts = {0};

/* Raw read with EINTR retry; returns bytes, 0 at EOF, -1 on error. */
static ssize_t read_raw(struct hb_reader *r, void *p, size_t n)
{
    ssize_t k;

    do {
        k = read(r->fd, p, n);
    } while (k < 0 && errno == EINTR);
    if (k < 0) {
        hb_diag_set(&r->err, r->name, 0, 0, "read error: %s", strerror(errno));
        r->err_pending = true;
    }
    return k;
}

/*
 * Appends decompressed bytes to buf[end..cap). Returns bytes produced; 0
 * with src_eof set at the end of the stream or on error (err_pending).
 */
static size_t fill_gzip(struct hb_reader *r, size_t room)
{
    size_t produced = 0;

    while (produced == 0) {
        int zrc;

        if (r->zs.avail_in == 0) {
            ssize_t k = read_raw(r, r->zin, READ_CHUNK);

            if (k < 0) {
                r->src_eof = true;
                return 0;
            }
            if (k == 0) {
                if (!r->member_done) {
                    hb_diag_set(&r->err, r->name, 0, 0,
                                "truncated gzip stream (lines decoded so far "
                                "were kept)");
                    r->err_pending = true;
                }
                r->src_eof = true;
                return 0;
            }
            r->zs.next_in = r->zin;
            r->zs.avail_in = (uInt)k;
        }
        if (r->member_done && r->zs.avail_in == 1) {
            /* One byte cannot tell a member from garbage: read on. */
            ssize_t k;

            r->zin[0] = r->zs.next_in[0];
            k = read_raw(r, r->zin + 1, READ_CHUNK - 1);
            if (k <= 0) {
                r->src_eof = true; /* a lone trailing byte is garbage */
                return 0;
            }
            r->zs.next_in = r->zin;
            r->zs.avail_in = (uInt)k + 1;
        }
        if (r->member_done) {
            /* Another gzip member follows, or trailing garbage. */
            if (r->zs.avail_in >= 2 &&
                (r->zs.next_in[0] != 0x1f || r->zs.next_in[1] != 0x8b)) {
                r->src_eof = true; /* ignore trailing garbage, as gzip -d */
                return 0;
            }
            inflateReset(&r->zs);
            r->member_done = false;
        }
        r->zs.next_out = (unsigned char *)r->buf + r->end;
        r->zs.avail_out = (uInt)room;
        zrc = inflate(&r->zs, Z_NO_FLUSH);
        produced = room - r->zs.avail_out;
        if (zrc == Z_STREAM_END) {
            r->member_done = true;
        } else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            hb_diag_set(&r->err, r->name, 0, 0,
                        "corrupt gzip data near compressed byte %lu: %s",
                        (unsigned long)r->zs.total_in,
                        r->zs.msg ? r->zs.msg : "inflate failed");
            r->err_pending = true;
            r->src_eof = true;
            return produced;
        }
    }
    return produced;
}

/* Moves the unread window to the front and reads more. Returns false at EOF. */
static bool refill(struct hb_reader *r)
{
    size_t room;
    size_t got;

    if (r->src_eof)
        return false;
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->base += r->pos;
        r->end -= r->pos;
        r->pos = 0;
    }
    room = READ_CHUNK - r->end;
    if (room == 0)
        return true;
    if (r->gzip && r->max_output && r->base + r->end >= r->max_output) {
        hb_diag_set(&r->err, r->name, 0, 0,
                    "decompressed data exceeds the cap of %llu bytes; rest "
                    "skipped",
                    (unsigned long long)r->max_output);
        r->err_pending = true;
        r->src_eof = true;
        return false;
    }
    if (r->gzip) {
        got = fill_gzip(r, room);
    } else {
        ssize_t k = read_raw(r, r->buf + r->end, room);

        if (k <= 0) {
            r->src_eof = true;
            return false;
        }
        got = (size_t)k;
    }
    r->end += got;
    return got > 0 || !r->src_eof;
}

static void capture_first_line(struct hb_reader *r)
{
    const char *nl = memchr(r->buf, '\n', r->end);
    size_t n = nl ? (size_t)(nl - r->buf) : r->end;

    if (n > FIRST_LINE_MAX)
        n = FIRST_LINE_MAX;
    if (n && r->buf[n - 1] == '\r')
        n--;
    memcpy(r->first, r->buf, n);
    r->first_len = n;
}

enum hb_status hb_reader_open_fd(struct hb_reader **out, int fd,
                                 const char *name, bool own_fd,
                                 const struct hb_reader_opts *opts,
                                 struct hb_diag *d)
{
    struct hb_reader *r;
    enum hb_status rc;
    ssize_t k;
    size_t want;

    if (opts == NULL)
        opts = &default_opts;
    /* capture_first_line looks at FIRST_LINE_MAX bytes at most: a
       re-scan reading 140 identities read 128 KiB of each */
    want = opts->first_line_only ? FIRST_LINE_MAX + 1 : READ_CHUNK;
    r = hb_xcalloc(1, sizeof *r);
    r->fd = fd;
    r->own_fd = own_fd;
    r->name = hb_xstrdup(name ? name : "-");
    r->max_line = opts->max_line ? opts->max_line : HB_DEFAULT_MAX_LINE;
    r->hold_partial = opts->hold_partial;
    r->max_output = opts->max_output;
    r->buf = hb_xmalloc(READ_CHUNK);
    hb_buf_init(&r->line);

    /* Sniff the magic bytes: read until we have 2 bytes or EOF. */
    while (r->end < 2) {
        k = read_raw(r, r->buf + r->end, want - r->end);
        if (k < 0) {
            if (d)
                *d = r->err;
            rc = HB_EIO;
            goto fail;
        }
        if (k == 0) {
            r->src_eof = true;
            break;
        }
        r->end += (size_t)k;
    }
    if (r->end >= 2 && (unsigned char)r->buf[0] == 0x1f &&
        (unsigned char)r->buf[1] == 0x8b) {
        r->gzip = true;
        r->zin = hb_xmalloc(READ_CHUNK);
        memcpy(r->zin, r->buf, r->end);
        /* the first inflate gets as much input as a full first read gave
           (the first line of a gzip file is what one refill decodes) */
        if (want < READ_CHUNK && !r->src_eof &&
            (k = read_raw(r, r->zin + r->end, READ_CHUNK - r->end)) > 0)
            r->end += (size_t)k;
        r->zs.next_in = r->zin;
        r->zs.avail_in = (uInt)r->end;
        r->end = 0;
        r->src_eof = false;
        if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK) {
            hb_diag_set(d, r->name, 0, 0, "cannot initialise zlib");
            rc = HB_EIO;
            goto fail;
        }
        r->zs_live = true;
        refill(r);
    }
    capture_first_line(r);
    if (opts->start_offset) {
        rc = hb_reader_skip(r, opts->start_offset, opts->start_line, d);
        if (rc != HB_OK)
            goto fail;
    }
    *out = r;
    return HB_OK;
fail:
    r->own_fd = own_fd;
    hb_reader_close(r);
    *out = NULL;
    return rc;
}

enum hb_status hb_reader_open(struct hb_reader **out, const char *path,
                              const struct hb_reader_opts *opts,
                              struct hb_diag *d)
{
    int fd;
    int flags;

    if (path == NULL || strcmp(path, "-") == 0)
        return hb_reader_open_fd(out, 0, "<stdin>", false, opts, d);
    /* O_NONBLOCK so a FIFO without a writer cannot hang the open. */
    do {
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        hb_diag_set(d, path, 0, 0, "%s", strerror(errno));
        *out = NULL;
        return HB_EIO;
    }
    flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return hb_reader_open_fd(out, fd, path, true, opts, d);
}

/* Returns the pending error once, then EOF. */
static enum hb_status finish(struct hb_reader *r, struct hb_diag *d)
{
    if (r->err_pending && !r->failed) {
        r->failed = true;
        if (d)
            *d = r->err;
        return HB_EIO;
    }
    return HB_EOF;
}

static void set_line(struct hb_reader *r, struct hb_line *line, const char *p,
                     size_t n, uint64_t start, uint64_t end, bool nl,
                     bool truncated)
{
    if (nl && n && p[n - 1] == '\r')
        n--;
    line->text = p;
    line->len = n;
    line->lineno = ++r->lineno;
    line->lineno_last = line->lineno;
    line->offset = start;
    line->end = end;
    line->has_newline = nl;
    line->one_line = true; /* split at '\n' */
    line->truncated = truncated;
    r->consumed = end;
    if (truncated)
        r->truncated++;
}

enum hb_status hb_reader_next(struct hb_reader *r, struct hb_line *line,
                              struct hb_diag *d)
{
    uint64_t start = r->base + r->pos;
    bool spanning = false; /* bytes of this line are in r->line */
    bool truncated = false;

    if (r->failed)
        return HB_EOF;
    if (r->held) {
        /* Continue the partial line kept at the last EOF. */
        r->held = false;
        start = r->held_start;
        truncated = r->held_trunc;
        spanning = true;
    } else {
        hb_buf_reset(&r->line);
    }
    for (;;) {
        char *p = r->buf + r->pos;
        size_t avail = r->end - r->pos;
        char *nl = avail ? memchr(p, '\n', avail) : NULL;

        if (nl) {
            size_t n = (size_t)(nl - p);

            r->pos += n + 1;
            if (!spanning && n <= r->max_line) {
                set_line(r, line, p, n, start, r->base + r->pos, true, false);
                *nl = '\0';
                if (n && p[n - 1] == '\r')
                    p[n - 1] = '\0';
                return HB_OK;
            }
            if (r->line.len + n > r->max_line) {
                n = r->max_line > r->line.len ? r->max_line - r->line.len : 0;
                truncated = true;
            }
            hb_buf_append(&r->line, p, n);
            set_line(r, line, r->line.data, r->line.len, start,
                     r->base + r->pos, true, truncated);
            if (line->len < r->line.len)
                r->line.data[line->len] = '\0';
            return HB_OK;
        }
        /* No newline in the window: keep what fits, read more. */
        if (avail) {
            size_t keep = avail;

            if (r->line.len + keep > r->max_line) {
                keep =
                    r->max_line > r->line.len ? r->max_line - r->line.len : 0;
                truncated = true;
            }
            hb_buf_append(&r->line, p, keep);
            spanning = true;
            r->pos = r->end;
        }
        if (!refill(r)) {
            /* With hold_partial a last line without '\n' is left
             * unconsumed: hb_reader_offset stays before it, and after
             * hb_reader_rearm the line continues. */
            if (spanning && r->hold_partial && !r->err_pending) {
                r->held = true;
                r->held_start = start;
                r->held_trunc = truncated;
                return HB_EOF;
            }
            if (!spanning || r->hold_partial)
                return finish(r, d);
            set_line(r, line, r->line.data, r->line.len, start,
                     r->base + r->pos, false, truncated);
            return HB_OK;
        }
    }
}

enum hb_status hb_reader_skip(struct hb_reader *r, uint64_t offset,
                              uint64_t line, struct hb_diag *d)
{
    /* A plain seekable file jumps there at once; gzip and pipes read on. */
    if (!r->gzip && r->base + r->end < offset &&
        lseek(r->fd, (off_t)offset, SEEK_SET) == (off_t)offset) {
        r->base = offset;
        r->pos = r->end = 0;
        r->src_eof = false;
        r->lineno = line;
        r->consumed = offset;
        return HB_OK;
    }
    while (r->base + r->end < offset) {
        r->pos = r->end;
        if (!refill(r)) {
            if (r->err_pending && d)
                *d = r->err;
            else
                hb_diag_set(d, r->name, 0, 0,
                            "stream ends before stored offset %llu",
                            (unsigned long long)offset);
            return HB_EIO;
        }
    }
    r->pos = (size_t)(offset - r->base);
    r->lineno = line;
    r->consumed = offset;
    return HB_OK;
}

bool hb_reader_rearm(struct hb_reader *r, bool hold_partial)
{
    r->hold_partial = hold_partial;
    if (r->gzip || r->err_pending || r->failed)
        return r->held;
    r->src_eof = false;
    return true;
}

void hb_reader_set_lineno(struct hb_reader *r, uint64_t n)
{
    r->lineno = n;
}

bool hb_reader_is_gzip(const struct hb_reader *r)
{
    return r->gzip;
}

uint64_t hb_reader_offset(const struct hb_reader *r)
{
    return r->consumed;
}

uint64_t hb_reader_truncated(const struct hb_reader *r)
{
    return r->truncated;
}

struct hb_str hb_reader_first_line(const struct hb_reader *r)
{
    return (struct hb_str){r->first, r->first_len};
}

void hb_reader_close(struct hb_reader *r)
{
    if (r == NULL)
        return;
    if (r->zs_live)
        inflateEnd(&r->zs);
    if (r->own_fd && r->fd >= 0)
        close(r->fd);
    hb_buf_fini(&r->line);
    free(r->zin);
    free(r->buf);
    free(r->name);
    free(r);
}
