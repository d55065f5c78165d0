/*
 * fuzz_config.c - libFuzzer target: the input is a configuration file
 * (Spring YAML or .properties, polaris.yml, polaris-server.yaml, a build
 * file); the first byte picks its name, which picks the loader. The file is
 * loaded from memory and every configuration check runs over it.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "config_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {
        "application.yml",
        "bootstrap.yaml",
        "polaris.yml",
        "polaris-server.yaml",
        "application.properties",
        "application-dev.yml",
        "pom.xml",
        "build.gradle",
    };
    struct hb_config_set *s;
    struct hb_diag d;
    size_t n;

    if (size == 0)
        return 0;
    s = hb_config_set_new();
    hb_config_set_add_mem(s, names[data[0] % 8], (const char *)data + 1,
                          size - 1, HB_CFG_AUTO, &d);
    n = hb_config_set_run(s);
    for (size_t i = 0; i < n; i++) {
        const struct hb_finding *f = hb_config_set_at(s, i);

        if (f && f->title)
            d.msg[0] = f->title[0];
    }
    hb_config_set_free(s);
    return 0;
}
