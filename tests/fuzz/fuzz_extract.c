/*
 * fuzz_extract.c - libFuzzer target: the input is one record's text (its
 * first line the header). Runs header parsing, exception chain parsing, the
 * extractor, and incident and observation building with their JSON form.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "format.h"
#include "incident.h"
#include "record.h"
#include "scan.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_obs(void *ctx, const struct hb_obs *o)
{
    size_t *n = ctx;

    *n += strlen(o->kind) + strlen(o->value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *head;
    const char *nl;
    const struct hb_format *f;
    struct hb_record rec;
    struct hb_polaris p;
    struct hb_incident inc;
    struct hb_buf b;
    size_t headlen, nobs = 0;
    unsigned lines = 1;

    memcpy(text, data, size);
    text[size] = '\0';
    nl = memchr(text, '\n', size);
    headlen = nl ? (size_t)(nl - text) : size;
    head = malloc(headlen + 1);
    memcpy(head, text, headlen);
    head[headlen] = '\0';
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';

    memset(&rec, 0, sizeof rec);
    rec.source = "fuzz";
    rec.first_line = 1;
    rec.last_line = lines;
    rec.end_offset = size;
    rec.text.p = text;
    rec.text.n = size;
    rec.head.p = text;
    rec.head.n = headlen;
    rec.nlines = lines;
    rec.format = "plain";
    rec.hdr.pid = -1;
    rec.hdr.ts_ms = HB_NO_TIME;
    f = hb_format_parse(NULL, false, head, headlen, &rec.hdr);
    if (f != NULL)
        rec.format = f->name;
    else {
        memset(&rec.hdr, 0, sizeof rec.hdr);
        rec.hdr.pid = -1;
        rec.hdr.ts_ms = HB_NO_TIME;
    }
    hb_record_parse_chain(&rec);
    hb_extract(&rec, &p);
    hb_incident_build(&inc, &rec, &p, NULL, 0);
    hb_buf_init(&b);
    hb_incident_json(&b, &inc);
    hb_buf_fini(&b);
    hb_obs_from_record(&rec, &p, on_obs, &nobs);
    free(head);
    free(text);
    return 0;
}
