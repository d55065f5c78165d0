/*
 * buildfile.h - best-effort version discovery in build files (pom.xml,
 * build.gradle(.kts), gradle.properties, `mvn dependency:list|tree` and
 * `gradle dependencies` output) by plain text scanning, and compatibility
 * questions (which Boot lines a Spring Cloud train accepts, which SCT
 * release fits a train) answered from the diagnosis' knowledge tables
 * (knowledge.h), so the version matrix lives in one place.
 */
#ifndef HB_BUILDFILE_H
#define HB_BUILDFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "hbscan.h"
#include "knowledge.h"

enum hb_build_what {
    HB_BUILD_BOOT = 0, /* Spring Boot */
    HB_BUILD_CLOUD, /* Spring Cloud release train (spring-cloud-dependencies) */
    HB_BUILD_COMMONS, /* spring-cloud-commons/-context: names the train too */
    HB_BUILD_SCT,     /* Spring Cloud Tencent, e.g. 1.13.0-2022.0.4 */
    HB_BUILD_POLARIS, /* polaris-java */
    HB_BUILD_GRPC,    /* grpc-java */
    HB_BUILD_NETTY,
    HB_BUILD_COUNT
};

/* Where a version was found; strings owned by the hb_build_info. */
struct hb_build_ver {
    const char *value;    /* NULL when not found */
    const char *artifact; /* "group:artifact" or the property name */
    const char *path;
    unsigned long line; /* of the value (a property's definition if used) */
    const char *text;   /* that source line, trimmed */
};

struct hb_build_info {
    struct hb_build_ver v[HB_BUILD_COUNT];
    unsigned files; /* build files scanned */
    char **pool;    /* owned strings */
    size_t npool, cappool;
};

void hb_build_init(struct hb_build_info *b);
void hb_build_fini(struct hb_build_info *b);

/*
 * True when path/data look like a build file rather than YAML/properties:
 * pom.xml, *.pom, *.xml with <project, *.gradle, *.gradle.kts,
 * gradle.properties, or text holding Maven/Gradle coordinates of the
 * libraries above (dependency listings).
 */
bool hb_build_is_build_file(const char *path, const char *data, size_t len);

/*
 * Scans one file; the first value found for each kind is kept (earlier
 * files win). Unresolvable ${...} versions are skipped. Fails only when the
 * file cannot be read (HB_EIO), is too large (HB_ELIMIT) or is binary
 * (HB_EPARSE); d gets the reason.
 */
enum hb_status hb_build_scan(struct hb_build_info *b, const char *path,
                             struct hb_diag *d);
enum hb_status hb_build_scan_mem(struct hb_build_info *b, const char *path,
                                 const char *data, size_t len,
                                 struct hb_diag *d);

/* "Spring Boot", "Spring Cloud", ... */
const char *hb_build_what_name(enum hb_build_what w);

/* ---- compatibility questions over the knowledge tables -------------- */
/* k is the diagnosis' knowledge (knowledge.h: built-in, or loaded from
 * rules/knowledge/versions.yaml); NULL means the built-in tables. */

/* "3.1.12" -> "3.1"; false when it does not start with N.N. */
bool hb_build_minor_line(const char *v, char *out, size_t cap);
/* Release train of a Spring Cloud version: "2022.0.4" -> "2022.0",
 * "Hoxton.SR12" -> "Hoxton", "Ilford" -> "2020.0". false (out "") when
 * unknown. */
bool hb_build_train_line(const struct hb_knowledge *k, const char *v, char *out,
                         size_t cap);
/* Train named by a spring-cloud-commons version ("4.0.4" -> "2022.0"). */
const char *hb_build_commons_train(const char *commons);
/* The Boot lines a train accepts as "3.0.x, 3.1.x"; false when unknown. */
bool hb_build_train_boots(const struct hb_knowledge *k, const char *train,
                          char *out, size_t cap);
/* 1: boot is accepted by the train, 0: not, -1: cannot tell. */
int hb_build_boot_fits(const struct hb_knowledge *k, const char *train,
                       const char *boot);
/* The train that accepts this Boot version, into out; false when none. */
bool hb_build_boot_train(const struct hb_knowledge *k, const char *boot,
                         char *out, size_t cap);
/* "1.13.0-2022.0.4" -> "1.13.0" + "2022.0.4"; "1.1.0.Hoxton.SR9" ->
 * "1.1.0" + "Hoxton.SR9". false when there is no train suffix. */
bool hb_build_sct_split(const char *sct, char *base, size_t bcap, char *train,
                        size_t tcap);
/* The matrix row for SCT base + train (the exact train, else the same
 * train line); NULL when unknown. */
const struct hb_sct_row *hb_build_sct_find(const struct hb_knowledge *k,
                                           const char *base, const char *train);
/* The newest matrix row for a train, given as a release ("2022.0.5":
 * exactly that release) or a line ("2021.0"); RC and SNAPSHOT trains are
 * skipped. base, when not NULL, is preferred (the same SCT version built
 * for that train). NULL when none. */
const struct hb_sct_row *hb_build_sct_for(const struct hb_knowledge *k,
                                          const char *train, const char *base);

#endif
