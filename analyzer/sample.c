/*
 * sample.c - reads the slice of the input the prefilter is tuned on:
 * pieces spread over the first files, taken with pread so no reader state
 * is touched and nothing is decoded.
 */
#include "sample.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAMPLE_FILES 16 /* files looked at, at most */
#define PIECE        (32 * 1024)

/* Up to n bytes at off; 0 on any error. */
static size_t read_at(int fd, char *buf, size_t n, off_t off)
{
    ssize_t k = pread(fd, buf, n, off);

    return k > 0 ? (size_t)k : 0;
}

/* Whether fd is a regular file whose first bytes are not gzip's magic. */
static bool plain_file(int fd, struct stat *sb)
{
    unsigned char m[2];

    return fstat(fd, sb) == 0 && S_ISREG(sb->st_mode) && sb->st_size >= 2 &&
           pread(fd, m, 2, 0) == 2 && !(m[0] == 0x1f && m[1] == 0x8b);
}

size_t hb_sample_inputs(char *const *paths, size_t n, char *buf, size_t cap)
{
    size_t used = 0, i, files = n < SAMPLE_FILES ? n : SAMPLE_FILES;
    size_t pieces = cap / PIECE, per;

    per = files ? pieces / files : 0;
    if (per == 0)
        per = 1;
    for (i = 0; i < files && used < cap; i++) {
        struct stat sb;
        uint64_t size, room;
        size_t k, j;
        int fd;

        /* a FIFO is not even opened: opening and closing it would let
           its writer go on and die of SIGPIPE before the scan reads it */
        if (strcmp(paths[i], "-") == 0 || stat(paths[i], &sb) != 0 ||
            !S_ISREG(sb.st_mode))
            continue;
        fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
            continue;
        if (!plain_file(fd, &sb)) {
            close(fd);
            continue;
        }
        /* k pieces spread evenly from the start to the end: a file's
           start is often its startup banner, not its usual lines */
        size = (uint64_t)sb.st_size;
        k = size / PIECE < per ? (size_t)(size / PIECE) + 1 : per;
        room = size > PIECE ? size - PIECE : 0;
        for (j = 0; j < k && used < cap; j++) {
            uint64_t off = k > 1 ? room * j / (k - 1) : 0;
            size_t want = cap - used < PIECE ? cap - used : PIECE;

            used += read_at(fd, buf + used, want, (off_t)off);
        }
        close(fd);
    }
    return used;
}
