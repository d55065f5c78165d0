/*
 * fuzz_gzip.c - libFuzzer target: the reader over a memfd holding the
 * input (plain, gzip, truncated or corrupt gzip, gzip bombs): every line is
 * read to the end with a small line cap and a decompression cap. The first
 * byte picks the options.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hb_reader_opts o;
    struct hb_reader *r = NULL;
    struct hb_line line;
    struct hb_diag d;
    volatile uint64_t sum = 0;
    unsigned sel;
    int fd;

    if (size == 0)
        return 0;
    sel = data[0];
    data++;
    size--;
    fd = memfd_create("fuzz", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return 0;
    }
    memset(&o, 0, sizeof o);
    o.max_line = (sel & 1) ? 64 : 4096;
    o.hold_partial = (sel & 2) != 0;
    o.max_output = 8u << 20;
    if (sel & 4) {
        o.start_offset = sel >> 3;
        o.start_line = 0;
    }
    if (hb_reader_open_fd(&r, fd, "fuzz", true, &o, &d) != HB_OK)
        return 0;
    hb_reader_first_line(r);
    while (hb_reader_next(r, &line, &d) == HB_OK)
        sum += line.len + (line.len ? (unsigned char)line.text[0] : 0);
    (void)hb_reader_offset(r);
    (void)hb_reader_is_gzip(r);
    hb_reader_close(r);
    return 0;
}
