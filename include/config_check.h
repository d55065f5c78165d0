/*
 * config_check.h - configuration preflight (`hbscan config check`, and
 * `hbscan scan --config`): loads client (Spring Cloud Tencent application /
 * bootstrap files), SDK (polaris-java polaris.yml), server
 * (polaris-server.yaml) and build files, and runs one table of checks that
 * report the causes the log diagnosis would reach, before any log exists,
 * as struct hb_finding with file:line evidence.
 */
#ifndef HB_CONFIG_CHECK_H
#define HB_CONFIG_CHECK_H

#include <stddef.h>

#include "buildfile.h"
#include "config.h"
#include "diagnose.h"
#include "hbscan.h"
#include "knowledge.h"

/* One row of the check table (also `hbscan config checks`). */
struct hb_check_info {
    const char *id; /* stable: used by tests, CI filters, --fail-on docs */
    enum hb_cause cause;
    enum hb_severity severity;
    const char *what; /* one line: what it looks for */
};

size_t hb_config_check_count(void);
/* NULL past the end. */
const struct hb_check_info *hb_config_check_info(size_t i);
/* NULL for an unknown id. */
const struct hb_check_info *hb_config_check_find(const char *id);

/*
 * A set of configuration files and the findings about them. It owns every
 * file, entry and finding, and every string a finding points to: they stay
 * valid until hb_config_set_free. Give findings to hb_dx_add_finding and free
 * the set only after hb_dx_report / hb_dx_free (the diagnosis may keep the
 * pointers).
 */
struct hb_config_set;

struct hb_config_set *hb_config_set_new(void);
void hb_config_set_free(struct hb_config_set *s);

/*
 * Adds one file. role HB_CFG_AUTO: build files by name or content
 * (hb_build_is_build_file), else YAML/.properties with the role told by
 * content (a file with apiservers: is a server config). HB_CFG_SERVER forces
 * a server config (--server). A file that cannot be used is skipped: its
 * error is kept (hb_config_set_error), copied to d, and HB_EIO, HB_EPARSE or
 * HB_ELIMIT is returned; the set stays usable. Add every file before
 * hb_config_set_run.
 */
enum hb_status hb_config_set_add(struct hb_config_set *s, const char *path,
                                 enum hb_cfg_role role, struct hb_diag *d);
enum hb_status hb_config_set_add_mem(struct hb_config_set *s, const char *path,
                                     const char *data, size_t len,
                                     enum hb_cfg_role role, struct hb_diag *d);

/* Findings one check reports at most; the rest are only counted. */
#define HB_CONFIG_MAX_PER_CHECK 100

/* The knowledge tables the checks use (ports, version matrix); borrowed,
 * must outlive the set. NULL or never called: the built-in tables. */
void hb_config_set_knowledge(struct hb_config_set *s,
                             const struct hb_knowledge *k);

/* Runs every check once (a second call does nothing); number of findings.
 * Findings come in check-table order, then file order. At most 256
 * addresses and 64 apiservers listeners are followed across all files. */
size_t hb_config_set_run(struct hb_config_set *s);
/* Findings not kept because a check hit HB_CONFIG_MAX_PER_CHECK. */
size_t hb_config_set_dropped(const struct hb_config_set *s);
size_t hb_config_set_count(const struct hb_config_set *s);
/* NULL past the end. */
const struct hb_finding *hb_config_set_at(const struct hb_config_set *s,
                                          size_t i);

/* Files that could not be used, in the order added. */
size_t hb_config_set_nerrors(const struct hb_config_set *s);
const struct hb_diag *hb_config_set_error(const struct hb_config_set *s,
                                          size_t i);

/* What was loaded (for tests and reports); owned by the set. */
const struct hb_cfg *hb_config_set_cfg(const struct hb_config_set *s);
const struct hb_build_info *hb_config_set_build(const struct hb_config_set *s);

/*
 * One call for `hbscan scan --config`: adds paths (role auto), runs the
 * checks and calls fn for each finding. When out is not NULL it receives the
 * set, which owns the findings' strings: the caller frees it with
 * hb_config_set_free when done with them. With out NULL the set is freed
 * before returning, so the strings are valid only during fn.
 * Returns HB_OK, or the status of the first file that could not be used
 * (d describes it; the other files were still checked; every error is in
 * hb_config_set_error).
 */
enum hb_status
hb_config_check_files(const char *const *paths, size_t n,
                      void (*fn)(void *ctx, const struct hb_finding *f),
                      void *ctx, struct hb_config_set **out, struct hb_diag *d);

#endif
