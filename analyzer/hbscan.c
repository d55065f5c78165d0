/*
 * hbscan.c - the shared vocabulary: diagnostics, causes and severities.
 * One table per vocabulary drives names, parsing and titles.
 */
#include "hbscan.h"

#include <stdarg.h>
#include <string.h>

#include "util.h"

void hb_diag_set(struct hb_diag *d, const char *path, unsigned long line,
                 unsigned long col, const char *fmt, ...)
{
    va_list ap;

    if (d == NULL)
        return;
    hb_strlcpy(d->path, path, path ? strlen(path) : 0, sizeof d->path);
    d->line = line;
    d->col = col;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
}

void hb_diag_print(const struct hb_diag *d, FILE *fp)
{
    if (d == NULL)
        return;
    fputs("hbscan: ", fp);
    if (d->path[0]) {
        fputs(d->path, fp);
        if (d->line) {
            fprintf(fp, ":%lu", d->line);
            if (d->col)
                fprintf(fp, ":%lu", d->col);
        }
        fputs(": ", fp);
    }
    fprintf(fp, "%s\n", d->msg);
}

static const struct {
    const char *name;
    const char *title;
} causes[HB_CAUSE_COUNT] = {
    [HB_CAUSE_PORT] = {"port", "Client points at the wrong Polaris port"},
    [HB_CAUSE_API_GATING] = {"api-gating",
                             "Polaris listener does not open the client API"},
    [HB_CAUSE_VERSION_MISMATCH] = {"version-mismatch",
                                   "Incompatible library versions"},
    [HB_CAUSE_NETWORK] = {"network", "Polaris server unreachable"},
    [HB_CAUSE_AUTH] = {"auth", "Polaris rejected the client's credentials"},
    [HB_CAUSE_NOT_FOUND] = {"not-found",
                            "Namespace, service or instance not found"},
    [HB_CAUSE_RATE_LIMIT] = {"rate-limit",
                             "Polaris server rate-limits the client"},
    [HB_CAUSE_SERVER_ERROR] = {"server-error", "Polaris server-side failure"},
    [HB_CAUSE_CONFIG] = {"config", "Local configuration problem"},
};

const char *hb_cause_name(enum hb_cause c)
{
    if (c < 0 || c >= HB_CAUSE_COUNT)
        return "unknown";
    return causes[c].name;
}

const char *hb_cause_title(enum hb_cause c)
{
    if (c < 0 || c >= HB_CAUSE_COUNT)
        return "Unclassified Polaris failure";
    return causes[c].title;
}

enum hb_cause hb_cause_from_name(const char *name)
{
    int i;

    for (i = 0; i < HB_CAUSE_COUNT; i++)
        if (strcmp(causes[i].name, name) == 0)
            return (enum hb_cause)i;
    return HB_CAUSE_NONE;
}

static const char *const severities[] = {"info", "warning", "error",
                                         "critical"};

const char *hb_severity_name(enum hb_severity s)
{
    if ((unsigned)s >= HB_ARRAY_LEN(severities))
        return "info";
    return severities[s];
}

int hb_severity_from_name(const char *name)
{
    size_t i;

    for (i = 0; i < HB_ARRAY_LEN(severities); i++)
        if (strcmp(severities[i], name) == 0)
            return (int)i;
    return -1;
}
