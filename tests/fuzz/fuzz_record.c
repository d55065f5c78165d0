/*
 * fuzz_record.c - libFuzzer target: arbitrary bytes split into lines go
 * through format detection, unwrapping (CRI, Docker, JSON) and record
 * assembly, and every record through the extractor. The first byte picks
 * the unwrap mode, the record caps and an optional forced format.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "format.h"
#include "reader.h"
#include "record.h"
#include "unwrap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void use_record(const struct hb_record *rec)
{
    struct hb_polaris p;

    hb_extract(rec, &p);
}

static void feed(struct hb_asm *a, const struct hb_line *line)
{
    struct hb_record rec;

    if (hb_asm_feed(a, line, &rec))
        use_record(&rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const modes[] = {"auto", "cri", "docker", "json",
                                        "none"};
    struct hb_asm_opts o;
    struct hb_unwrap *u;
    struct hb_asm *a;
    struct hb_line out;
    struct hb_record rec;
    uint64_t lineno = 0, off = 0;
    unsigned sel;

    if (size == 0)
        return 0;
    sel = data[0];
    data++;
    size--;
    memset(&o, 0, sizeof o);
    o.max_lines = (sel & 0x80) ? 4 : 0;
    o.max_bytes = (sel & 0x40) ? 300 : 0;
    if (sel & 0x20) {
        size_t n;
        const struct hb_format *t = hb_format_table(&n);

        if (n > 0)
            o.forced = &t[(sel >> 3) % n];
    }
    u = hb_unwrap_new(modes[sel % 5]);
    a = hb_asm_new("fuzz", &o);
    while (off < size) {
        const uint8_t *p = data + off;
        const uint8_t *nl = memchr(p, '\n', size - off);
        size_t len = nl ? (size_t)(nl - p) : size - off;
        /* an exact-size copy so that reads past len are caught */
        char *text = malloc(len + 1);
        struct hb_line in;
        struct hb_header h;

        memcpy(text, p, len);
        text[len] = '\0';
        memset(&in, 0, sizeof in);
        in.text = text;
        in.len = len;
        in.lineno = in.lineno_last = ++lineno;
        in.offset = off;
        in.end = off + len + (nl != NULL);
        in.has_newline = nl != NULL;
        hb_format_parse(NULL, false, text, len, &h);
        if (hb_unwrap_feed(u, &in, &out))
            feed(a, &out);
        free(text);
        off = in.end;
    }
    if (hb_unwrap_flush(u, &out))
        feed(a, &out);
    if (hb_asm_flush(a, &rec))
        use_record(&rec);
    hb_asm_free(a);
    hb_unwrap_free(u);
    return 0;
}
