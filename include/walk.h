/*
 * walk.h - expands the paths given on the command line into the list of
 * files to read: directories recursively (hidden entries and non-regular
 * files skipped, symlink loops cut), --include/--exclude globs, and rotation
 * families ordered oldest first (app.log.2.gz, app.log.1, app.log) so time
 * runs forward within each family. The order is deterministic.
 */
#ifndef HB_WALK_H
#define HB_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "hbscan.h"

#define HB_WALK_MAX_DEPTH 64

struct hb_walk_opts {
    const char *const *include; /* globs; a file must match one (if any) */
    size_t ninclude;
    const char *const *exclude; /* globs; a matching file or dir is skipped */
    size_t nexclude;
};

/* The expanded list. */
struct hb_filelist {
    char **paths; /* owned */
    size_t n, cap;
    unsigned errors; /* entries that could not be read (reported) */
};

void hb_filelist_fini(struct hb_filelist *l);

/*
 * Appends the files under path (a file, a directory, or "-") to out. Errors
 * (missing path, unreadable directory) are printed to stderr as
 * "hbscan: path: reason" and counted in out->errors; the walk goes on.
 * A path named explicitly is kept even when hidden or not regular (a FIFO).
 */
void hb_walk(const char *path, const struct hb_walk_opts *o,
             struct hb_filelist *out);

/*
 * Rotation order: negative when a should be read before b. Files of one
 * family (same base after removing .gz, .N, -DATE[.N] and lumberjack stamps)
 * sort oldest first; families sort by name.
 */
int hb_walk_compare(const char *a, const char *b);

/*
 * Kubernetes layouts: /var/log/pods/<ns>_<pod>_<uid>/<container>/N.log and
 * /var/log/containers/<pod>_<ns>_<container>-<id>.log. Returns true and
 * fills the fields (NUL-terminated, capped) when path has either shape.
 */
bool hb_walk_k8s(const char *path, char *ns, size_t nscap, char *pod,
                 size_t podcap, char *container, size_t ccap);

#endif
