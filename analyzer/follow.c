/*
 * follow.c - the polling loop of --follow: one hb_tail per file, directory
 * re-listing for new files, quiet-interval flushes, periodic summaries and a
 * clean stop on SIGINT/SIGTERM. Polling (not inotify) keeps it portable and
 * works on NFS and overlay filesystems where inotify misses writes.
 */
#include "follow.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "timeparse.h"
#include "util.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

struct watch {
    struct hb_tail *tail;
    int64_t last_activity_ms;
};

struct follower {
    struct hb_scan *sc;
    struct watch *w;
    size_t n, cap;
};

static bool watching(const struct follower *f, const char *path)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        if (strcmp(hb_tail_path(f->w[i].tail), path) == 0)
            return true;
    return false;
}

static void add(struct follower *f, const char *path, int64_t now)
{
    if (watching(f, path))
        return;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->w = hb_xrealloc(f->w, f->cap * sizeof *f->w);
    }
    f->w[f->n].tail = hb_tail_open(f->sc, path);
    f->w[f->n].last_activity_ms = now;
    f->n++;
}

/* Lists the directories again and starts following new files. */
static void discover(struct follower *f, char *const *paths, size_t n,
                     const struct hb_walk_opts *wo, int64_t now)
{
    size_t i, k;

    for (i = 0; i < n; i++) {
        struct stat st;
        struct hb_filelist l = {0};

        if (stat(paths[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
            add(f, paths[i], now); /* a file, possibly not there yet */
            continue;
        }
        hb_walk(paths[i], wo, &l);
        for (k = 0; k < l.n; k++)
            add(f, l.paths[k], now);
        hb_filelist_fini(&l);
    }
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL); /* a signal cuts it short: fine */
}

enum hb_status hb_follow_run(struct hb_scan *sc, char *const *paths, size_t n,
                             const struct hb_follow_opts *o)
{
    struct follower f = {sc, NULL, 0, 0};
    struct sigaction sa;
    unsigned poll_ms = o->poll_ms ? o->poll_ms : 250;
    unsigned quiet_ms = o->quiet_ms ? o->quiet_ms : 1000;
    unsigned rescan_ms = o->rescan_ms ? o->rescan_ms : 2000;
    int64_t start = hb_time_now_ms(), last_rescan, last_report;
    size_t i;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    stop_requested = 0;

    discover(&f, paths, n, o->walk, start);
    last_rescan = last_report = start;
    while (!stop_requested && !sc->store_failed) {
        int64_t now = hb_time_now_ms();

        for (i = 0; i < f.n; i++) {
            if (hb_tail_poll(f.w[i].tail) > 0)
                f.w[i].last_activity_ms = now;
            else if (now - f.w[i].last_activity_ms >= quiet_ms)
                hb_tail_flush(f.w[i].tail);
        }
        if (now - last_rescan >= rescan_ms) {
            discover(&f, paths, n, o->walk, now);
            last_rescan = now;
        }
        if (o->report_every_s &&
            now - last_report >= (int64_t)o->report_every_s * 1000) {
            hb_dx_report(sc->dx, &sc->stats, &o->report, stdout);
            fflush(stdout);
            last_report = now;
        }
        if (o->max_seconds && now - start >= (int64_t)o->max_seconds * 1000)
            break;
        sleep_ms(poll_ms);
    }
    /* Stop: read what is left, end pending records, commit. */
    for (i = 0; i < f.n; i++) {
        hb_tail_poll(f.w[i].tail);
        hb_tail_close(f.w[i].tail);
    }
    free(f.w);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    return sc->store_failed ? HB_EDB : HB_OK;
}
