/*
 * buildfile.h - best-effort version discovery in build files (pom.xml,
 * build.gradle(.kts), gradle.properties, `mvn dependency:list|tree` and
 * `gradle dependencies` output) by plain text scanning, and the compiled-in
 * compatibility knowledge: Spring Cloud release train -> accepted Spring
 * Boot lines, and the Spring Cloud Tencent release matrix (SCT version +
 * train -> Spring Boot and polaris-java it pins).
 */
#ifndef HB_BUILDFILE_H
#define HB_BUILDFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "hbscan.h"

enum hb_build_what {
    HB_BUILD_BOOT = 0, /* Spring Boot */
    HB_BUILD_CLOUD,    /* Spring Cloud release train (spring-cloud-dependencies) */
    HB_BUILD_COMMONS,  /* spring-cloud-commons/-context: names the train too */
    HB_BUILD_SCT,      /* Spring Cloud Tencent, e.g. 1.13.0-2022.0.4 */
    HB_BUILD_POLARIS,  /* polaris-java */
    HB_BUILD_GRPC,     /* grpc-java */
    HB_BUILD_NETTY,
    HB_BUILD_COUNT
};

/* Where a version was found; strings owned by the hb_build_info. */
struct hb_build_ver {
    const char *value;    /* NULL when not found */
    const char *artifact; /* "group:artifact" or the property name */
    const char *path;
    unsigned long line;   /* of the value (a property's definition if used) */
    const char *text;     /* that source line, trimmed */
};

struct hb_build_info {
    struct hb_build_ver v[HB_BUILD_COUNT];
    unsigned files;        /* build files scanned */
    char **pool;           /* owned strings */
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

/* ---- compatibility knowledge (polaris-facts §4.4) ------------------- */

struct hb_sct_release {
    const char *sct;     /* "1.13.0", "2.0.0.0" */
    const char *train;   /* "2022.0.4", "Hoxton.SR12", "2022.0.5-RC2" */
    const char *boot;    /* Spring Boot pinned; NULL = unpinned */
    const char *polaris; /* polaris-java pinned */
};

/* Compares dotted versions numerically ("1.10.0" > "1.9.2"); non-numeric
 * tails compare as text. <0, 0, >0. */
int hb_build_vercmp(const char *a, const char *b);
/* "3.1.12" -> "3.1"; false when it does not start with N.N. */
bool hb_build_minor_line(const char *v, char *out, size_t cap);
/* Release train line of a Spring Cloud version: "2022.0.4" -> "2022.0",
 * "Hoxton.SR12" -> "Hoxton", "Ilford" -> "2020.0". false (and out "")
 * when unknown. */
bool hb_build_train_line(const char *v, char *out, size_t cap);
/* Train line named by a spring-cloud-commons version ("4.0.4" -> "2022.0"). */
const char *hb_build_commons_train(const char *commons);
/* Boot lines the train accepts, "3.0.x, 3.1.x"; NULL for an unknown train. */
const char *hb_build_train_boots(const char *train_line);
/* 1: boot is accepted by the train, 0: not, -1: cannot tell. */
int hb_build_boot_fits(const char *train_line, const char *boot);
/* The train line that accepts this Boot version; NULL when none known. */
const char *hb_build_boot_train(const char *boot);
/* "1.13.0-2022.0.4" -> "1.13.0" + "2022.0.4"; "1.1.0.Hoxton.SR9" ->
 * "1.1.0" + "Hoxton.SR9". false when there is no train suffix. */
bool hb_build_sct_split(const char *sct, char *base, size_t bcap,
                        char *train, size_t tcap);
/* The matrix row for SCT base + train (exact train first, then the same
 * train line); NULL when unknown. */
const struct hb_sct_release *hb_build_sct_find(const char *base,
                                               const char *train);
/* Matrix rows in order; NULL past the end. */
const struct hb_sct_release *hb_build_sct_at(size_t i);
/* The newest matrix row for a train line (RC and SNAPSHOT trains skipped);
 * NULL when none. */
const struct hb_sct_release *hb_build_sct_latest(const char *train_line);

#endif
