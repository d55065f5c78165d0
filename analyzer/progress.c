/*
 * progress.c - the stderr progress line. Bytes arrive through an atomic
 * counter so workers never take a lock; drawing happens only in the
 * consumer thread.
 */
#include "progress.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "timeparse.h"
#include "util.h"

struct hb_progress {
    uint64_t files_total, bytes_total;
    uint64_t files_done;
    _Atomic uint64_t bytes_done;
    int64_t start_ms, last_draw_ms;
    bool drawn;
};

struct hb_progress *hb_progress_new(bool enabled, uint64_t files,
                                    uint64_t bytes)
{
    struct hb_progress *p;

    if (!enabled)
        return NULL;
    p = hb_xcalloc(1, sizeof *p);
    p->files_total = files;
    p->bytes_total = bytes;
    atomic_init(&p->bytes_done, 0);
    p->start_ms = p->last_draw_ms = hb_time_now_ms();
    return p;
}

void hb_progress_bytes(struct hb_progress *p, uint64_t n)
{
    if (p)
        atomic_fetch_add_explicit(&p->bytes_done, n, memory_order_relaxed);
}

static void draw(struct hb_progress *p, uint64_t incidents, bool force)
{
    int64_t now = hb_time_now_ms();
    uint64_t done = atomic_load_explicit(&p->bytes_done, memory_order_relaxed);
    double secs, mbs;
    char eta[32] = "";

    if (!force && now - p->last_draw_ms < 200)
        return;
    p->last_draw_ms = now;
    secs = (double)(now - p->start_ms) / 1000.0;
    mbs = secs > 0 ? (double)done / 1048576.0 / secs : 0;
    if (mbs > 0 && p->bytes_total > done) {
        double left = (double)(p->bytes_total - done) / 1048576.0 / mbs;

        snprintf(eta, sizeof eta, ", ETA %.0fs", left);
    }
    /* Decompressed gzip bytes can outgrow the on-disk total: then the
     * total (and the ETA) mean nothing and only the bytes read are shown. */
    if (done <= p->bytes_total)
        fprintf(stderr,
                "\r\033[K%llu/%llu files, %.1f/%.1f MB, %.1f MB/s%s, "
                "%llu incidents",
                (unsigned long long)p->files_done,
                (unsigned long long)p->files_total, (double)done / 1048576.0,
                (double)p->bytes_total / 1048576.0, mbs, eta,
                (unsigned long long)incidents);
    else
        fprintf(stderr,
                "\r\033[K%llu/%llu files, %.1f MB read, %.1f MB/s, "
                "%llu incidents",
                (unsigned long long)p->files_done,
                (unsigned long long)p->files_total, (double)done / 1048576.0,
                mbs, (unsigned long long)incidents);
    p->drawn = true;
}

void hb_progress_file_done(struct hb_progress *p, uint64_t incidents)
{
    if (p == NULL)
        return;
    p->files_done++;
    draw(p, incidents, false);
}

void hb_progress_tick(struct hb_progress *p, uint64_t incidents)
{
    if (p)
        draw(p, incidents, false);
}

void hb_progress_free(struct hb_progress *p)
{
    if (p == NULL)
        return;
    if (p->drawn)
        fputs("\r\033[K", stderr);
    free(p);
}
