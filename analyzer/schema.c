/*
 * schema.c - the incident database schema, one migration step per
 * version. Users write SQL against these tables and views, so a released
 * step is never edited: changes go into a new step.
 */
#include "schema.h"

#include "hbscan.h"

/* Version 1: sources, runs, incidents with their rule hits, and views. */
static const char schema_v1[] =
    "PRAGMA application_id = 1212306243;\n"
    "CREATE TABLE sources (\n"
    "  id           INTEGER PRIMARY KEY,\n"
    "  path         TEXT NOT NULL,\n"
    "  dev          INTEGER NOT NULL,\n"
    "  ino          INTEGER NOT NULL,\n"
    "  first_hash   TEXT NOT NULL,\n"
    "  size         INTEGER NOT NULL DEFAULT 0,\n"
    "  offset       INTEGER NOT NULL DEFAULT 0,\n"
    "  line         INTEGER NOT NULL DEFAULT 0,\n"
    "  format       TEXT,\n"
    "  gzip         INTEGER NOT NULL DEFAULT 0,\n"
    "  complete     INTEGER NOT NULL DEFAULT 0,\n"
    "  first_seen   TEXT NOT NULL,\n"
    "  last_scanned TEXT\n"
    ");\n"
    "CREATE INDEX sources_identity ON sources(dev, ino, first_hash);\n"
    "CREATE INDEX sources_first_hash ON sources(first_hash);\n"
    "CREATE TABLE runs (\n"
    "  id           INTEGER PRIMARY KEY,\n"
    "  run_key      TEXT NOT NULL UNIQUE,\n"
    "  started      TEXT NOT NULL,\n"
    "  started_ms   INTEGER NOT NULL,\n"
    "  ended        TEXT,\n"
    "  ended_ms     INTEGER,\n"
    "  args         TEXT,\n"
    "  sources      INTEGER,\n"
    "  bytes        INTEGER,\n"
    "  lines        INTEGER,\n"
    "  records      INTEGER,\n"
    "  incidents    INTEGER,\n"
    "  truncated    INTEGER,\n"
    "  cut          INTEGER,\n"
    "  input_errors INTEGER,\n"
    "  version      TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE incidents (\n"
    "  id            INTEGER PRIMARY KEY,\n"
    "  run_id        INTEGER REFERENCES runs(id),\n"
    "  source_id     INTEGER REFERENCES sources(id),\n"
    "  source        TEXT,\n"
    "  first_line    INTEGER,\n"
    "  last_line     INTEGER,\n"
    "  evidence_line INTEGER,\n"
    "  evidence      TEXT,\n"
    "  ts_ms         INTEGER,\n"
    "  ts            TEXT,\n"
    "  level         TEXT,\n"
    "  format        TEXT,\n"
    "  namespace     TEXT,\n"
    "  service       TEXT,\n"
    "  host          TEXT,\n"
    "  port          INTEGER,\n"
    "  instance      TEXT,\n"
    "  server_addr   TEXT,\n"
    "  sdk_code      INTEGER,\n"
    "  sdk_name      TEXT,\n"
    "  server_code   INTEGER,\n"
    "  grpc_status   TEXT,\n"
    "  event         TEXT,\n"
    "  exc_class     TEXT,\n"
    "  message       TEXT,\n"
    "  rule_id       TEXT,\n"
    "  cause         TEXT NOT NULL DEFAULT 'unknown',\n"
    "  severity      TEXT,\n"
    "  weight        REAL NOT NULL DEFAULT 0,\n"
    "  fingerprint   TEXT NOT NULL,\n"
    "  codes         TEXT,\n"
    "  text          TEXT,\n"
    "  okey          INTEGER NOT NULL\n"
    ");\n"
    "CREATE UNIQUE INDEX incidents_okey ON incidents(okey);\n"
    "CREATE INDEX incidents_ts ON incidents(ts_ms);\n"
    "CREATE INDEX incidents_cause ON incidents(cause, ts_ms);\n"
    "CREATE INDEX incidents_service ON incidents(service, ts_ms);\n"
    "CREATE INDEX incidents_server_code ON incidents(server_code)\n"
    "  WHERE server_code IS NOT NULL;\n"
    "CREATE INDEX incidents_sdk_code ON incidents(sdk_code)\n"
    "  WHERE sdk_code IS NOT NULL;\n"
    "CREATE INDEX incidents_fingerprint ON incidents(fingerprint);\n"
    "CREATE TABLE incident_rules (\n"
    "  incident_id INTEGER NOT NULL REFERENCES incidents(id),\n"
    "  rank        INTEGER NOT NULL,\n"
    "  rule_id     TEXT NOT NULL,\n"
    "  cause       TEXT NOT NULL,\n"
    "  weight      REAL NOT NULL DEFAULT 0,\n"
    "  PRIMARY KEY (incident_id, rank)\n"
    ") WITHOUT ROWID;\n"
    "CREATE VIEW incident_groups AS\n"
    "SELECT g.fingerprint, g.count, g.first_seen, g.last_seen, i.cause,\n"
    "       i.rule_id, i.severity, i.service, i.instance, i.codes, i.source,\n"
    "       i.evidence_line, i.evidence AS sample\n"
    "FROM (SELECT fingerprint, count(*) AS count, min(ts) AS first_seen,\n"
    "             max(ts) AS last_seen, max(id) AS last_id\n"
    "      FROM incidents GROUP BY fingerprint) AS g\n"
    "JOIN incidents AS i ON i.id = g.last_id;\n"
    "CREATE VIEW incidents_per_hour AS\n"
    "SELECT strftime('%Y-%m-%dT%H:00:00Z', ts_ms / 3600000 * 3600,\n"
    "                'unixepoch') AS hour,\n"
    "       ts_ms / 3600000 * 3600000 AS hour_ms, cause, count(*) AS count\n"
    "FROM incidents WHERE ts_ms IS NOT NULL\n"
    "GROUP BY hour_ms, cause;\n";

/* Version 2: Kubernetes identity of sources and incidents, observations
   (successful heartbeats and registrations, addresses, versions) and the
   per-instance state they allow. */
static const char schema_v2[] =
    "ALTER TABLE sources ADD COLUMN k8s_namespace TEXT;\n"
    "ALTER TABLE sources ADD COLUMN k8s_pod TEXT;\n"
    "ALTER TABLE sources ADD COLUMN k8s_container TEXT;\n"
    "ALTER TABLE incidents ADD COLUMN k8s_namespace TEXT;\n"
    "ALTER TABLE incidents ADD COLUMN k8s_pod TEXT;\n"
    "ALTER TABLE incidents ADD COLUMN k8s_container TEXT;\n"
    "CREATE TABLE observations (\n"
    "  id        INTEGER PRIMARY KEY,\n"
    "  run_id    INTEGER REFERENCES runs(id),\n"
    "  source_id INTEGER REFERENCES sources(id),\n"
    "  source    TEXT,\n"
    "  line      INTEGER,\n"
    "  ts_ms     INTEGER,\n"
    "  ts        TEXT,\n"
    "  kind      TEXT NOT NULL,\n"
    "  key       TEXT,\n"
    "  value     TEXT,\n"
    "  namespace TEXT,\n"
    "  service   TEXT,\n"
    "  host      TEXT,\n"
    "  port      INTEGER,\n"
    "  instance  TEXT,\n"
    "  text      TEXT,\n"
    "  okey      INTEGER NOT NULL\n"
    ");\n"
    "CREATE UNIQUE INDEX observations_okey ON observations(okey);\n"
    "CREATE INDEX observations_ts ON observations(ts_ms);\n"
    "CREATE INDEX observations_instance ON observations(instance, kind, "
    "ts_ms);\n"
    "CREATE VIEW instance_state AS\n"
    "WITH fail AS (\n"
    "  SELECT instance, max(ts_ms) AS ts_ms, ts, cause, rule_id, namespace,\n"
    "         service, evidence\n"
    "  FROM incidents WHERE instance IS NOT NULL GROUP BY instance),\n"
    "good AS (\n"
    "  SELECT instance, max(ts_ms) AS ts_ms, ts, kind, namespace, service\n"
    "  FROM observations\n"
    "  WHERE instance IS NOT NULL\n"
    "    AND kind IN ('heartbeat-ok', 'register-ok', 'reregister-ok')\n"
    "  GROUP BY instance),\n"
    "seen AS (SELECT instance FROM fail UNION SELECT instance FROM good)\n"
    "SELECT seen.instance,\n"
    "       coalesce(fail.namespace, good.namespace) AS namespace,\n"
    "       coalesce(fail.service, good.service) AS service,\n"
    "       fail.ts AS last_incident, fail.ts_ms AS last_incident_ms,\n"
    "       fail.cause AS last_cause, fail.rule_id AS last_rule_id,\n"
    "       fail.evidence AS last_evidence,\n"
    "       good.ts AS last_ok, good.ts_ms AS last_ok_ms,\n"
    "       good.kind AS last_ok_kind,\n"
    "       CASE WHEN fail.instance IS NOT NULL AND (good.instance IS NULL\n"
    "                 OR coalesce(fail.ts_ms, 0) > coalesce(good.ts_ms, 0))\n"
    "            THEN 'failing' ELSE 'ok' END AS state\n"
    "FROM seen\n"
    "LEFT JOIN fail ON fail.instance = seen.instance\n"
    "LEFT JOIN good ON good.instance = seen.instance;\n";

/*
 * Version 3: cheaper bulk inserts, same queries.
 * - The weaker rule hits move into incidents.other_rules (JSON, strongest
 *   first); incident_rules becomes a view with the same columns, rank 0
 *   being the deciding rule of the incident row. A table row per hit was
 *   a second statement per hit, a third of an insert's cost. The view is
 *   one join, not a UNION, so that SQLite flattens it into a query that
 *   joins it with incidents and looks incidents up by index, not by scan:
 *   json_each walks "[0,hit1,hit2...]", element 0 standing for the row's
 *   own rule.
 * - The occurrence key is unique together with the time, in the time
 *   index: (ts_ms, okey) grows at its end as a scan reads forward, where an
 *   index on okey alone (a hash) took each insert to a random page. Rows
 *   without a time keep a unique index on okey of their own.
 */
static const char schema_v3[] =
    "ALTER TABLE incidents ADD COLUMN other_rules TEXT;\n"
    "UPDATE incidents SET other_rules = (\n"
    "  SELECT json_group_array(json_array(r.rule_id, r.cause, r.weight))\n"
    "  FROM (SELECT rule_id, cause, weight FROM incident_rules\n"
    "        WHERE incident_id = incidents.id AND rank > 0\n"
    "        ORDER BY rank) AS r)\n"
    "WHERE id IN (SELECT incident_id FROM incident_rules WHERE rank > 0);\n"
    "DROP TABLE incident_rules;\n"
    "CREATE VIEW incident_rules AS\n"
    "SELECT i.id AS incident_id, h.key AS rank,\n"
    "       CASE h.key WHEN 0 THEN i.rule_id\n"
    "            ELSE json_extract(h.value, '$[0]') END AS rule_id,\n"
    "       CASE h.key WHEN 0 THEN i.cause\n"
    "            ELSE json_extract(h.value, '$[1]') END AS cause,\n"
    "       CASE h.key WHEN 0 THEN i.weight\n"
    "            ELSE json_extract(h.value, '$[2]') END AS weight\n"
    "FROM incidents AS i,\n"
    "     json_each('[0' || coalesce(',' || nullif(substr(i.other_rules, 2,\n"
    "               length(i.other_rules) - 2), ''), '') || ']') AS h\n"
    "WHERE i.rule_id IS NOT NULL;\n"
    "DROP INDEX incidents_okey;\n"
    "DROP INDEX incidents_ts;\n"
    "CREATE UNIQUE INDEX incidents_ts ON incidents(ts_ms, okey);\n"
    "CREATE UNIQUE INDEX incidents_okey ON incidents(okey)\n"
    "  WHERE ts_ms IS NULL;\n";

/*
 * Version 4: bulk inserts twice as fast, same queries.
 * - Record text is stored once per distinct body: a row keeps its first
 *   line (head, with the time that makes it unique) and points at the rest
 *   (texts.body), which repeats in every occurrence of the same failure
 *   (the same stack trace every heartbeat). An evidence line that is the
 *   head or the body's first line is not stored again (evidence_at 1 or 2).
 *   The table becomes incident_rows; incidents is a view of it with the
 *   same columns in the same order, text and evidence put back together,
 *   so queries do not change. Rows stored before keep their whole text in
 *   head (text_id NULL) and their evidence in the row.
 * - The table is renamed with legacy_alter_table on, so that the views
 *   that read incidents (ours and any a user made) read the new view, text
 *   included, instead of being rewritten to read the bare rows.
 * - The indexes on cause, service, codes and fingerprint go: each one was
 *   a b-tree insert per row (together more than half of an insert's cost).
 *   The queries they served read the table; the time index stays.
 * - Inserting into, updating or deleting from the view reaches
 *   incident_rows (a new text goes whole into head, a new evidence into the
 *   row).
 */
static const char schema_v4[] =
    "DROP INDEX IF EXISTS incidents_cause;\n"
    "DROP INDEX IF EXISTS incidents_service;\n"
    "DROP INDEX IF EXISTS incidents_server_code;\n"
    "DROP INDEX IF EXISTS incidents_sdk_code;\n"
    "DROP INDEX IF EXISTS incidents_fingerprint;\n"
    "CREATE TABLE texts (\n"
    "  id   INTEGER PRIMARY KEY,\n"
    "  hash INTEGER NOT NULL,\n"
    "  body TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX texts_hash ON texts(hash);\n"
    "ALTER TABLE incidents ADD COLUMN text_id INTEGER REFERENCES "
    "texts(id);\n"
    "ALTER TABLE incidents ADD COLUMN evidence_at INTEGER;\n"
    "PRAGMA legacy_alter_table = ON;\n"
    "ALTER TABLE incidents RENAME TO incident_rows;\n"
    "PRAGMA legacy_alter_table = OFF;\n"
    "CREATE VIEW incidents AS\n"
    "SELECT r.id, r.run_id, r.source_id, r.source, r.first_line,\n"
    "       r.last_line, r.evidence_line,\n"
    "       CASE r.evidence_at WHEN 1 THEN r.text\n"
    "            WHEN 2 THEN substr(t.body, 1,\n"
    "                               instr(t.body || char(10), char(10)) - 1)\n"
    "            ELSE r.evidence END AS evidence,\n"
    "       r.ts_ms, r.ts, r.level, r.format, r.namespace, r.service,\n"
    "       r.host, r.port, r.instance, r.server_addr, r.sdk_code,\n"
    "       r.sdk_name, r.server_code, r.grpc_status, r.event, r.exc_class,\n"
    "       r.message, r.rule_id, r.cause, r.severity, r.weight,\n"
    "       r.fingerprint, r.codes,\n"
    "       CASE WHEN r.text_id IS NULL THEN r.text\n"
    "            ELSE coalesce(r.text, '') || char(10) || t.body END AS text,\n"
    "       r.okey, r.k8s_namespace, r.k8s_pod, r.k8s_container,\n"
    "       r.other_rules\n"
    "FROM incident_rows AS r LEFT JOIN texts AS t ON t.id = r.text_id;\n"
    "ALTER TABLE incident_rows RENAME COLUMN text TO head;\n";

/* Writing through the view: its insert and delete triggers, the same in
   versions 4 and 5 (DROP VIEW drops them, so version 5 makes them again). */
#define INCIDENTS_INSERT_TRIGGER                                               \
    "CREATE TRIGGER incidents_insert INSTEAD OF INSERT ON incidents\n"         \
    "BEGIN\n"                                                                  \
    "  INSERT INTO incident_rows (\n"                                          \
    "    id, run_id, source_id, source, first_line, last_line,\n"              \
    "    evidence_line, evidence, ts_ms, ts, level, format, namespace,\n"      \
    "    service, host, port, instance, server_addr, sdk_code,\n"              \
    "    sdk_name, server_code, grpc_status, event, exc_class, message,\n"     \
    "    rule_id, cause, severity, weight, fingerprint, codes, okey,\n"        \
    "    k8s_namespace, k8s_pod, k8s_container, other_rules, head)\n"          \
    "  VALUES (\n"                                                             \
    "    NEW.id, NEW.run_id, NEW.source_id, NEW.source, NEW.first_line,\n"     \
    "    NEW.last_line, NEW.evidence_line, NEW.evidence, NEW.ts_ms,\n"         \
    "    NEW.ts, NEW.level, NEW.format, NEW.namespace, NEW.service,\n"         \
    "    NEW.host, NEW.port, NEW.instance, NEW.server_addr,\n"                 \
    "    NEW.sdk_code, NEW.sdk_name, NEW.server_code, NEW.grpc_status,\n"      \
    "    NEW.event, NEW.exc_class, NEW.message, NEW.rule_id,\n"                \
    "    coalesce(NEW.cause, 'unknown'), NEW.severity,\n"                      \
    "    coalesce(NEW.weight, 0), NEW.fingerprint, NEW.codes, NEW.okey,\n"     \
    "    NEW.k8s_namespace, NEW.k8s_pod, NEW.k8s_container,\n"                 \
    "    NEW.other_rules, NEW.text);\n"                                        \
    "END;\n"

#define INCIDENTS_DELETE_TRIGGER                                               \
    "CREATE TRIGGER incidents_delete INSTEAD OF DELETE ON incidents\n"         \
    "BEGIN\n"                                                                  \
    "  DELETE FROM incident_rows WHERE id = OLD.id;\n"                         \
    "END;\n"

/* Version 4, continued: writing through the view. */
static const char schema_v4_triggers[] = INCIDENTS_INSERT_TRIGGER
    "CREATE TRIGGER incidents_update INSTEAD OF UPDATE ON incidents\n"
    "BEGIN\n"
    "  UPDATE incident_rows SET\n"
    "    id = NEW.id, run_id = NEW.run_id, source_id = NEW.source_id,\n"
    "    source = NEW.source, first_line = NEW.first_line,\n"
    "    last_line = NEW.last_line, evidence_line = NEW.evidence_line,\n"
    "    ts_ms = NEW.ts_ms, ts = NEW.ts, level = NEW.level,\n"
    "    format = NEW.format, namespace = NEW.namespace,\n"
    "    service = NEW.service, host = NEW.host, port = NEW.port,\n"
    "    instance = NEW.instance, server_addr = NEW.server_addr,\n"
    "    sdk_code = NEW.sdk_code, sdk_name = NEW.sdk_name,\n"
    "    server_code = NEW.server_code, grpc_status = NEW.grpc_status,\n"
    "    event = NEW.event, exc_class = NEW.exc_class,\n"
    "    message = NEW.message, rule_id = NEW.rule_id,\n"
    "    cause = NEW.cause, severity = NEW.severity,\n"
    "    weight = NEW.weight, fingerprint = NEW.fingerprint,\n"
    "    codes = NEW.codes, okey = NEW.okey,\n"
    "    k8s_namespace = NEW.k8s_namespace, k8s_pod = NEW.k8s_pod,\n"
    "    k8s_container = NEW.k8s_container,\n"
    "    other_rules = NEW.other_rules,\n"
    "    evidence = CASE WHEN NEW.evidence IS OLD.evidence AND\n"
    "                         NEW.text IS OLD.text THEN evidence\n"
    "                    ELSE NEW.evidence END,\n"
    "    evidence_at = CASE WHEN NEW.evidence IS OLD.evidence AND\n"
    "                            NEW.text IS OLD.text THEN evidence_at END,\n"
    "    head = CASE WHEN NEW.text IS OLD.text THEN head ELSE NEW.text END,\n"
    "    text_id = CASE WHEN NEW.text IS OLD.text THEN text_id END\n"
    "  WHERE id = OLD.id;\n"
    "END;\n" INCIDENTS_DELETE_TRIGGER;

/*
 * Version 5: smaller rows, same queries. Three columns of a row the store
 * writes are no longer stored when they can be computed from the rest:
 * - ts, the ISO form of ts_ms (UTC, milliseconds), when derived has bit 1;
 * - instance, host and port ("host:port", host alone without a port), when
 *   derived has bit 2;
 * - message, when it is how the head ends: message_at is the byte where it
 *   starts (the head is cut as a blob, so any byte counts as one).
 * They were a sixth of a row's bytes and three of its values. The view
 * puts them back; rows stored before, merged, or written through the view
 * have derived and message_at NULL and keep the columns as they are (an
 * update through the view stores all three).
 */
static const char schema_v5[] =
    "ALTER TABLE incident_rows ADD COLUMN derived INTEGER;\n"
    "ALTER TABLE incident_rows ADD COLUMN message_at INTEGER;\n"
    "DROP VIEW incidents;\n"
    "CREATE VIEW incidents AS\n"
    "SELECT r.id, r.run_id, r.source_id, r.source, r.first_line,\n"
    "       r.last_line, r.evidence_line,\n"
    "       CASE r.evidence_at WHEN 1 THEN r.head\n"
    "            WHEN 2 THEN substr(t.body, 1,\n"
    "                               instr(t.body || char(10), char(10)) - 1)\n"
    "            ELSE r.evidence END AS evidence,\n"
    "       r.ts_ms,\n"
    "       CASE WHEN r.derived & 1 THEN\n"
    "              strftime('%Y-%m-%dT%H:%M:%S', r.ts_ms / 1000, 'unixepoch')\n"
    "              || printf('.%03dZ', r.ts_ms % 1000)\n"
    "            ELSE r.ts END AS ts,\n"
    "       r.level, r.format, r.namespace, r.service, r.host, r.port,\n"
    "       CASE WHEN r.derived & 2 THEN\n"
    "              CASE WHEN r.port > 0 THEN r.host || ':' || r.port\n"
    "                   ELSE r.host END\n"
    "            ELSE r.instance END AS instance,\n"
    "       r.server_addr, r.sdk_code,\n"
    "       r.sdk_name, r.server_code, r.grpc_status, r.event, r.exc_class,\n"
    "       CASE WHEN r.message_at IS NULL THEN r.message\n"
    "            ELSE CAST(substr(CAST(r.head AS BLOB), r.message_at) AS "
    "TEXT)\n"
    "            END AS message,\n"
    "       r.rule_id, r.cause, r.severity, r.weight,\n"
    "       r.fingerprint, r.codes,\n"
    "       CASE WHEN r.text_id IS NULL THEN r.head\n"
    "            ELSE coalesce(r.head, '') || char(10) || t.body END AS text,\n"
    "       r.okey, r.k8s_namespace, r.k8s_pod, r.k8s_container,\n"
    "       r.other_rules\n"
    "FROM incident_rows AS r LEFT JOIN texts AS t ON t.id = r.text_id;\n";

/* The update trigger of versions 5 and 6 up to the columns each clears. */
#define INCIDENTS_UPDATE_TRIGGER_COMMON                                        \
    "CREATE TRIGGER incidents_update INSTEAD OF UPDATE ON incidents\n"         \
    "BEGIN\n"                                                                  \
    "  UPDATE incident_rows SET\n"                                             \
    "    id = NEW.id, run_id = NEW.run_id, source_id = NEW.source_id,\n"       \
    "    source = NEW.source, first_line = NEW.first_line,\n"                  \
    "    last_line = NEW.last_line, evidence_line = NEW.evidence_line,\n"      \
    "    ts_ms = NEW.ts_ms, ts = NEW.ts, level = NEW.level,\n"                 \
    "    format = NEW.format, namespace = NEW.namespace,\n"                    \
    "    service = NEW.service, host = NEW.host, port = NEW.port,\n"           \
    "    instance = NEW.instance, server_addr = NEW.server_addr,\n"            \
    "    sdk_code = NEW.sdk_code, sdk_name = NEW.sdk_name,\n"                  \
    "    server_code = NEW.server_code, grpc_status = NEW.grpc_status,\n"      \
    "    event = NEW.event, exc_class = NEW.exc_class,\n"                      \
    "    message = NEW.message, rule_id = NEW.rule_id,\n"                      \
    "    cause = NEW.cause, severity = NEW.severity,\n"                        \
    "    weight = NEW.weight, fingerprint = NEW.fingerprint,\n"                \
    "    codes = NEW.codes, okey = NEW.okey,\n"                                \
    "    k8s_namespace = NEW.k8s_namespace, k8s_pod = NEW.k8s_pod,\n"          \
    "    k8s_container = NEW.k8s_container,\n"                                 \
    "    other_rules = NEW.other_rules,\n"                                     \
    "    evidence = CASE WHEN NEW.evidence IS OLD.evidence AND\n"              \
    "                         NEW.text IS OLD.text THEN evidence\n"            \
    "                    ELSE NEW.evidence END,\n"                             \
    "    evidence_at = CASE WHEN NEW.evidence IS OLD.evidence AND\n"           \
    "                            NEW.text IS OLD.text THEN evidence_at END,\n" \
    "    head = CASE WHEN NEW.text IS OLD.text THEN head ELSE NEW.text END,\n" \
    "    text_id = CASE WHEN NEW.text IS OLD.text THEN text_id END,\n"

/* Version 5, continued: the view's triggers again; an update stores the
   three columns the view computes. */
static const char schema_v5_triggers[] =
    INCIDENTS_INSERT_TRIGGER INCIDENTS_UPDATE_TRIGGER_COMMON
    "    derived = NULL, message_at = NULL\n"
    "  WHERE id = OLD.id;\n"
    "END;\n" INCIDENTS_DELETE_TRIGGER;

/*
 * Version 6: smaller rows again, same queries. What failed and how it was
 * classified (the codes, the exception class, the deciding rule and the
 * weaker ones) is the same in every occurrence of one failure: a row the
 * store writes points at it in kinds (kind_id) instead of holding its
 * twelve values, stored once each (found by hash of key, their encoding).
 * Such a row keeps cause '' and weight 0 (the columns are NOT NULL); rows
 * with kind_id NULL (stored before, merged, written through the view) keep
 * their values, and an update through the view stores them in the row.
 */
static const char schema_v6[] =
    "CREATE TABLE kinds (\n"
    "  id          INTEGER PRIMARY KEY,\n"
    "  hash        INTEGER NOT NULL,\n"
    "  key         BLOB NOT NULL,\n"
    "  sdk_code    INTEGER,\n"
    "  sdk_name    TEXT,\n"
    "  server_code INTEGER,\n"
    "  grpc_status TEXT,\n"
    "  event       TEXT,\n"
    "  exc_class   TEXT,\n"
    "  rule_id     TEXT,\n"
    "  cause       TEXT NOT NULL,\n"
    "  severity    TEXT,\n"
    "  weight      REAL NOT NULL,\n"
    "  codes       TEXT,\n"
    "  other_rules TEXT\n"
    ");\n"
    "CREATE INDEX kinds_hash ON kinds(hash);\n"
    "ALTER TABLE incident_rows ADD COLUMN kind_id INTEGER REFERENCES "
    "kinds(id);\n"
    "DROP VIEW incidents;\n"
    "CREATE VIEW incidents AS\n"
    "SELECT r.id, r.run_id, r.source_id, r.source, r.first_line,\n"
    "       r.last_line, r.evidence_line,\n"
    "       CASE r.evidence_at WHEN 1 THEN r.head\n"
    "            WHEN 2 THEN substr(t.body, 1,\n"
    "                               instr(t.body || char(10), char(10)) - 1)\n"
    "            ELSE r.evidence END AS evidence,\n"
    "       r.ts_ms,\n"
    "       CASE WHEN r.derived & 1 THEN\n"
    "              strftime('%Y-%m-%dT%H:%M:%S', r.ts_ms / 1000, 'unixepoch')\n"
    "              || printf('.%03dZ', r.ts_ms % 1000)\n"
    "            ELSE r.ts END AS ts,\n"
    "       r.level, r.format, r.namespace, r.service, r.host, r.port,\n"
    "       CASE WHEN r.derived & 2 THEN\n"
    "              CASE WHEN r.port > 0 THEN r.host || ':' || r.port\n"
    "                   ELSE r.host END\n"
    "            ELSE r.instance END AS instance,\n"
    "       r.server_addr,\n"
    "       CASE WHEN r.kind_id IS NULL THEN r.sdk_code\n"
    "            ELSE k.sdk_code END AS sdk_code,\n"
    "       CASE WHEN r.kind_id IS NULL THEN r.sdk_name\n"
    "            ELSE k.sdk_name END AS sdk_name,\n"
    "       CASE WHEN r.kind_id IS NULL THEN r.server_code\n"
    "            ELSE k.server_code END AS server_code,\n"
    "       CASE WHEN r.kind_id IS NULL THEN r.grpc_status\n"
    "            ELSE k.grpc_status END AS grpc_status,\n"
    "       CASE WHEN r.kind_id IS NULL THEN r.event\n"
    "            ELSE k.event END AS event,\n"
    "       CASE WHEN r.kind_id IS NULL THEN r.exc_class\n"
    "            ELSE k.exc_class END AS exc_class,\n"
    "       CASE WHEN r.message_at IS NULL THEN r.message\n"
    "            ELSE CAST(substr(CAST(r.head AS BLOB), r.message_at)\n"
    "                      AS TEXT) END AS message,\n"
    "       CASE WHEN r.kind_id IS NULL THEN r.rule_id\n"
    "            ELSE k.rule_id END AS rule_id,\n"
    "       CASE WHEN r.kind_id IS NULL THEN r.cause\n"
    "            ELSE k.cause END AS cause,\n"
    "       CASE WHEN r.kind_id IS NULL THEN r.severity\n"
    "            ELSE k.severity END AS severity,\n"
    "       CASE WHEN r.kind_id IS NULL THEN r.weight\n"
    "            ELSE k.weight END AS weight,\n"
    "       r.fingerprint,\n"
    "       CASE WHEN r.kind_id IS NULL THEN r.codes\n"
    "            ELSE k.codes END AS codes,\n"
    "       CASE WHEN r.text_id IS NULL THEN r.head\n"
    "            ELSE coalesce(r.head, '') || char(10) || t.body END AS text,\n"
    "       r.okey, r.k8s_namespace, r.k8s_pod, r.k8s_container,\n"
    "       CASE WHEN r.kind_id IS NULL THEN r.other_rules\n"
    "            ELSE k.other_rules END AS other_rules\n"
    "FROM incident_rows AS r LEFT JOIN texts AS t ON t.id = r.text_id\n"
    "     LEFT JOIN kinds AS k ON k.id = r.kind_id;\n";

/* Version 6, continued: the view's triggers again; an update stores the
   kind's values in the row. */
static const char schema_v6_triggers[] =
    INCIDENTS_INSERT_TRIGGER INCIDENTS_UPDATE_TRIGGER_COMMON
    "    derived = NULL, message_at = NULL, kind_id = NULL\n"
    "  WHERE id = OLD.id;\n"
    "END;\n" INCIDENTS_DELETE_TRIGGER;

static const struct hb_migration migrations[] = {
    {1, schema_v1, NULL},
    {2, schema_v2, NULL},
    {3, schema_v3, NULL},
    {4, schema_v4, schema_v4_triggers},
    {5, schema_v5, schema_v5_triggers},
    {6, schema_v6, schema_v6_triggers},
};

const struct hb_migration *hb_schema_migrations(int *n)
{
    *n = (int)HB_ARRAY_LEN(migrations);
    return migrations;
}
