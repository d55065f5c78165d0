/*
 * schema.h - the incident database's schema as an ordered list of
 * migration steps. Step N brings a database from user_version N-1 to N;
 * a step's text never changes once released (docs/schema.md documents
 * the result). Used by store.c; exposed so tests can build old versions.
 */
#ifndef HB_SCHEMA_H
#define HB_SCHEMA_H

/* PRAGMA application_id of an hbscan database: "HBSC". */
#define HB_SCHEMA_APP_ID 0x48425343

struct hb_migration {
    int version;      /* user_version after the step */
    const char *sql;  /* statements run in one transaction */
    const char *more; /* NULL, or more statements for the same transaction
                         (C promises string literals up to 4095 bytes) */
};

/* The steps in version order; *n receives their count (the last one is
   HB_STORE_SCHEMA_VERSION). */
const struct hb_migration *hb_schema_migrations(int *n);

#endif
