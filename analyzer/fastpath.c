/*
 * fastpath.c - reads HBSCAN_NO_FASTPATH once, so every module asks the same
 * question and gets the same answer for the whole run.
 */
#include "fastpath.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool enabled = true;

static void read_env(void)
{
    const char *v = getenv("HBSCAN_NO_FASTPATH");

    enabled = v == NULL || v[0] == '\0' || (v[0] == '0' && v[1] == '\0');
}

bool hb_fastpath_enabled(void)
{
    pthread_once(&once, read_env);
    return enabled;
}
