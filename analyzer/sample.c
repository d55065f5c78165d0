/*
 * sample.c - reads the slice of the input the prefilter is tuned on: a
 * few pieces of the first files, taken with pread so no reader state is
 * touched and nothing is decoded.
 */
#include "sample.h"

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAMPLE_FILES 16 /* files looked at, at most */

/* Up to n bytes at off; 0 on any error. */
static size_t read_at(int fd, char *buf, size_t n, off_t off)
{
    ssize_t k = pread(fd, buf, n, off);

    return k > 0 ? (size_t)k : 0;
}

size_t hb_sample_inputs(char *const *paths, size_t n, char *buf, size_t cap)
{
    size_t used = 0, i, per = cap / 4;

    for (i = 0; i < n && i < SAMPLE_FILES && used < cap; i++) {
        struct stat sb;
        size_t want, got;
        int fd;

        if (strcmp(paths[i], "-") == 0)
            continue;
        fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
            continue;
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < 2) {
            close(fd);
            continue;
        }
        want = cap - used < per ? cap - used : per;
        got = read_at(fd, buf + used, want, 0);
        if (got >= 2 && (unsigned char)buf[used] == 0x1f &&
            (unsigned char)buf[used + 1] == 0x8b) {
            close(fd); /* gzip: its bytes say nothing about the text */
            continue;
        }
        used += got;
        /* a large file's start is often its startup banner: its middle too */
        if ((uint64_t)sb.st_size > 2 * (uint64_t)per && used < cap) {
            want = cap - used < per ? cap - used : per;
            used += read_at(fd, buf + used, want, sb.st_size / 2);
        }
        close(fd);
    }
    return used;
}
