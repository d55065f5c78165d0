-- A version 2 database as hbscan 0.1.0 (schema 2) wrote it: `hbscan scan
-- testdata/demo testdata/store/no-time.log`, dumped with sqlite3 .dump.
-- tests/test_store.c and tests/cli_store.sh migrate it to the current schema.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE sources (
  id           INTEGER PRIMARY KEY,
  path         TEXT NOT NULL,
  dev          INTEGER NOT NULL,
  ino          INTEGER NOT NULL,
  first_hash   TEXT NOT NULL,
  size         INTEGER NOT NULL DEFAULT 0,
  offset       INTEGER NOT NULL DEFAULT 0,
  line         INTEGER NOT NULL DEFAULT 0,
  format       TEXT,
  gzip         INTEGER NOT NULL DEFAULT 0,
  complete     INTEGER NOT NULL DEFAULT 0,
  first_seen   TEXT NOT NULL,
  last_scanned TEXT
, k8s_namespace TEXT, k8s_pod TEXT, k8s_container TEXT);
INSERT INTO sources VALUES(1,'testdata/demo/order-service/application.log',65024,5309239,'cbf29ce484222325',2720,2720,30,'springboot',0,0,'2026-12-02T15:49:17.542Z','2026-12-02T15:49:17.546Z',NULL,NULL,NULL);
INSERT INTO sources VALUES(2,'testdata/demo/order-service/polaris/logs/polaris-instance-heartbeat.log',65024,5309242,'b8075d320c5262fa',7062,7062,54,'polaris-heartbeat',0,0,'2026-12-02T15:49:17.542Z','2026-12-02T15:49:17.546Z',NULL,NULL,NULL);
INSERT INTO sources VALUES(3,'testdata/demo/order-service/polaris/logs/polaris.log',65024,5309243,'3b54cdbe321b1566',850,850,5,'polaris-sdk',0,0,'2026-12-02T15:49:17.542Z','2026-12-02T15:49:17.546Z',NULL,NULL,NULL);
INSERT INTO sources VALUES(4,'testdata/store/no-time.log',65024,5325249,'dbd31fbea2afa64c',257,257,3,'plain',0,0,'2026-12-02T15:49:17.542Z','2026-12-02T15:49:17.546Z',NULL,NULL,NULL);
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  run_key      TEXT NOT NULL UNIQUE,
  started      TEXT NOT NULL,
  started_ms   INTEGER NOT NULL,
  ended        TEXT,
  ended_ms     INTEGER,
  args         TEXT,
  sources      INTEGER,
  bytes        INTEGER,
  lines        INTEGER,
  records      INTEGER,
  incidents    INTEGER,
  truncated    INTEGER,
  cut          INTEGER,
  input_errors INTEGER,
  version      TEXT NOT NULL
);
INSERT INTO runs VALUES(1,'94ed7539172f050f','2026-12-02T15:49:17.539Z',1796226557539,'2026-12-02T15:49:17.547Z',1796226557547,'scan --db /tmp/hbx/v2demo.db -q testdata/demo testdata/store/no-time.log',4,10889,92,25,8,0,0,0,'0.1.0');
CREATE TABLE incidents (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER REFERENCES runs(id),
  source_id     INTEGER REFERENCES sources(id),
  source        TEXT,
  first_line    INTEGER,
  last_line     INTEGER,
  evidence_line INTEGER,
  evidence      TEXT,
  ts_ms         INTEGER,
  ts            TEXT,
  level         TEXT,
  format        TEXT,
  namespace     TEXT,
  service       TEXT,
  host          TEXT,
  port          INTEGER,
  instance      TEXT,
  server_addr   TEXT,
  sdk_code      INTEGER,
  sdk_name      TEXT,
  server_code   INTEGER,
  grpc_status   TEXT,
  event         TEXT,
  exc_class     TEXT,
  message       TEXT,
  rule_id       TEXT,
  cause         TEXT NOT NULL DEFAULT 'unknown',
  severity      TEXT,
  weight        REAL NOT NULL DEFAULT 0,
  fingerprint   TEXT NOT NULL,
  codes         TEXT,
  text          TEXT,
  okey          INTEGER NOT NULL
, k8s_namespace TEXT, k8s_pod TEXT, k8s_container TEXT);
INSERT INTO incidents VALUES(1,1,2,'testdata/demo/order-service/polaris/logs/polaris-instance-heartbeat.log',1,9,2,'com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open',1750845609907,'2025-06-25T10:00:09.907Z','ERROR','polaris-heartbe','default','order-service','10.12.3.44',8080,'10.12.3.44:8080',NULL,1006,'SERVER_USER_ERROR',400401,NULL,'heartbeat-fail','com.tencent.polaris.api.exception.PolarisException','[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:1','server-400401-heartbeat-api-not-open','api-gating','critical',0.8000000000000000444,'6daec15aa5970210','ERR-1006 400401',replace('[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:1|2025-06-25 10:00:09.907\ncom.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open\n	at com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse(GrpcUtil.java:198) ~[connector-polaris-grpc-1.15.8.jar!/:na]\n	at com.tencent.polaris.plugins.connector.grpc.GrpcConnector.heartbeat(GrpcConnector.java:499) ~[connector-polaris-grpc-1.15.8.jar!/:na]\n	at com.tencent.polaris.plugins.connector.composite.CompositeConnector.heartbeat(CompositeConnector.java:201) ~[connector-composite-1.15.8.jar!/:na]\n	at com.tencent.polaris.discovery.client.flow.DefaultDiscoveryFlow.heartbeat(DefaultDiscoveryFlow.java:218) ~[polaris-discovery-client-1.15.8.jar!/:na]\n	at com.tencent.polaris.discovery.client.flow.RegisterFlow.doRunHeartbeat(RegisterFlow.java:81) ~[polaris-discovery-client-1.15.8.jar!/:na]\n	at java.base/java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:539) ~[na:na]\n	at java.base/java.util.concurrent.FutureTask.runAndReset(FutureTask.java:305) ~[na:na]','\n',char(10)),-7591974457968790612,NULL,NULL,NULL);
INSERT INTO incidents VALUES(2,1,2,'testdata/demo/order-service/polaris/logs/polaris-instance-heartbeat.log',10,18,11,'com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open',1750845614914,'2025-06-25T10:00:14.914Z','ERROR','polaris-heartbe','default','order-service','10.12.3.44',8080,'10.12.3.44:8080',NULL,1006,'SERVER_USER_ERROR',400401,NULL,'heartbeat-fail','com.tencent.polaris.api.exception.PolarisException','[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:2','server-400401-heartbeat-api-not-open','api-gating','critical',0.8000000000000000444,'6daec15aa5970210','ERR-1006 400401',replace('[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:2|2025-06-25 10:00:14.914\ncom.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open\n	at com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse(GrpcUtil.java:198) ~[connector-polaris-grpc-1.15.8.jar!/:na]\n	at com.tencent.polaris.plugins.connector.grpc.GrpcConnector.heartbeat(GrpcConnector.java:499) ~[connector-polaris-grpc-1.15.8.jar!/:na]\n	at com.tencent.polaris.plugins.connector.composite.CompositeConnector.heartbeat(CompositeConnector.java:201) ~[connector-composite-1.15.8.jar!/:na]\n	at com.tencent.polaris.discovery.client.flow.DefaultDiscoveryFlow.heartbeat(DefaultDiscoveryFlow.java:218) ~[polaris-discovery-client-1.15.8.jar!/:na]\n	at com.tencent.polaris.discovery.client.flow.RegisterFlow.doRunHeartbeat(RegisterFlow.java:81) ~[polaris-discovery-client-1.15.8.jar!/:na]\n	at java.base/java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:539) ~[na:na]\n	at java.base/java.util.concurrent.FutureTask.runAndReset(FutureTask.java:305) ~[na:na]','\n',char(10)),722453515695064866,NULL,NULL,NULL);
INSERT INTO incidents VALUES(3,1,2,'testdata/demo/order-service/polaris/logs/polaris-instance-heartbeat.log',19,27,20,'com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open',1750845619921,'2025-06-25T10:00:19.921Z','ERROR','polaris-heartbe','default','order-service','10.12.3.44',8080,'10.12.3.44:8080',NULL,1006,'SERVER_USER_ERROR',400401,NULL,'heartbeat-fail','com.tencent.polaris.api.exception.PolarisException','[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:3','server-400401-heartbeat-api-not-open','api-gating','critical',0.8000000000000000444,'6daec15aa5970210','ERR-1006 400401',replace('[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:3|2025-06-25 10:00:19.921\ncom.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open\n	at com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse(GrpcUtil.java:198) ~[connector-polaris-grpc-1.15.8.jar!/:na]\n	at com.tencent.polaris.plugins.connector.grpc.GrpcConnector.heartbeat(GrpcConnector.java:499) ~[connector-polaris-grpc-1.15.8.jar!/:na]\n	at com.tencent.polaris.plugins.connector.composite.CompositeConnector.heartbeat(CompositeConnector.java:201) ~[connector-composite-1.15.8.jar!/:na]\n	at com.tencent.polaris.discovery.client.flow.DefaultDiscoveryFlow.heartbeat(DefaultDiscoveryFlow.java:218) ~[polaris-discovery-client-1.15.8.jar!/:na]\n	at com.tencent.polaris.discovery.client.flow.RegisterFlow.doRunHeartbeat(RegisterFlow.java:81) ~[polaris-discovery-client-1.15.8.jar!/:na]\n	at java.base/java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:539) ~[na:na]\n	at java.base/java.util.concurrent.FutureTask.runAndReset(FutureTask.java:305) ~[na:na]','\n',char(10)),-4824914923559283841,NULL,NULL,NULL);
INSERT INTO incidents VALUES(4,1,2,'testdata/demo/order-service/polaris/logs/polaris-instance-heartbeat.log',28,36,29,'com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open',1750845624928,'2025-06-25T10:00:24.928Z','ERROR','polaris-heartbe','default','order-service','10.12.3.44',8080,'10.12.3.44:8080',NULL,1006,'SERVER_USER_ERROR',400401,NULL,'heartbeat-fail','com.tencent.polaris.api.exception.PolarisException','[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:4','server-400401-heartbeat-api-not-open','api-gating','critical',0.8000000000000000444,'6daec15aa5970210','ERR-1006 400401',replace('[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:4|2025-06-25 10:00:24.928\ncom.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open\n	at com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse(GrpcUtil.java:198) ~[connector-polaris-grpc-1.15.8.jar!/:na]\n	at com.tencent.polaris.plugins.connector.grpc.GrpcConnector.heartbeat(GrpcConnector.java:499) ~[connector-polaris-grpc-1.15.8.jar!/:na]\n	at com.tencent.polaris.plugins.connector.composite.CompositeConnector.heartbeat(CompositeConnector.java:201) ~[connector-composite-1.15.8.jar!/:na]\n	at com.tencent.polaris.discovery.client.flow.DefaultDiscoveryFlow.heartbeat(DefaultDiscoveryFlow.java:218) ~[polaris-discovery-client-1.15.8.jar!/:na]\n	at com.tencent.polaris.discovery.client.flow.RegisterFlow.doRunHeartbeat(RegisterFlow.java:81) ~[polaris-discovery-client-1.15.8.jar!/:na]\n	at java.base/java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:539) ~[na:na]\n	at java.base/java.util.concurrent.FutureTask.runAndReset(FutureTask.java:305) ~[na:na]','\n',char(10)),2468792880728137066,NULL,NULL,NULL);
INSERT INTO incidents VALUES(5,1,2,'testdata/demo/order-service/polaris/logs/polaris-instance-heartbeat.log',37,45,38,'com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open',1750845629935,'2025-06-25T10:00:29.935Z','ERROR','polaris-heartbe','default','order-service','10.12.3.44',8080,'10.12.3.44:8080',NULL,1006,'SERVER_USER_ERROR',400401,NULL,'heartbeat-fail','com.tencent.polaris.api.exception.PolarisException','[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:5','server-400401-heartbeat-api-not-open','api-gating','critical',0.8000000000000000444,'6daec15aa5970210','ERR-1006 400401',replace('[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:5|2025-06-25 10:00:29.935\ncom.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open\n	at com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse(GrpcUtil.java:198) ~[connector-polaris-grpc-1.15.8.jar!/:na]\n	at com.tencent.polaris.plugins.connector.grpc.GrpcConnector.heartbeat(GrpcConnector.java:499) ~[connector-polaris-grpc-1.15.8.jar!/:na]\n	at com.tencent.polaris.plugins.connector.composite.CompositeConnector.heartbeat(CompositeConnector.java:201) ~[connector-composite-1.15.8.jar!/:na]\n	at com.tencent.polaris.discovery.client.flow.DefaultDiscoveryFlow.heartbeat(DefaultDiscoveryFlow.java:218) ~[polaris-discovery-client-1.15.8.jar!/:na]\n	at com.tencent.polaris.discovery.client.flow.RegisterFlow.doRunHeartbeat(RegisterFlow.java:81) ~[polaris-discovery-client-1.15.8.jar!/:na]\n	at java.base/java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:539) ~[na:na]\n	at java.base/java.util.concurrent.FutureTask.runAndReset(FutureTask.java:305) ~[na:na]','\n',char(10)),1160198413977949137,NULL,NULL,NULL);
INSERT INTO incidents VALUES(6,1,2,'testdata/demo/order-service/polaris/logs/polaris-instance-heartbeat.log',46,54,47,'com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open',1750845634942,'2025-06-25T10:00:34.942Z','ERROR','polaris-heartbe','default','order-service','10.12.3.44',8080,'10.12.3.44:8080',NULL,1006,'SERVER_USER_ERROR',400401,NULL,'heartbeat-fail','com.tencent.polaris.api.exception.PolarisException','[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:6','server-400401-heartbeat-api-not-open','api-gating','critical',0.8000000000000000444,'6daec15aa5970210','ERR-1006 400401',replace('[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:6|2025-06-25 10:00:34.942\ncom.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open\n	at com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse(GrpcUtil.java:198) ~[connector-polaris-grpc-1.15.8.jar!/:na]\n	at com.tencent.polaris.plugins.connector.grpc.GrpcConnector.heartbeat(GrpcConnector.java:499) ~[connector-polaris-grpc-1.15.8.jar!/:na]\n	at com.tencent.polaris.plugins.connector.composite.CompositeConnector.heartbeat(CompositeConnector.java:201) ~[connector-composite-1.15.8.jar!/:na]\n	at com.tencent.polaris.discovery.client.flow.DefaultDiscoveryFlow.heartbeat(DefaultDiscoveryFlow.java:218) ~[polaris-discovery-client-1.15.8.jar!/:na]\n	at com.tencent.polaris.discovery.client.flow.RegisterFlow.doRunHeartbeat(RegisterFlow.java:81) ~[polaris-discovery-client-1.15.8.jar!/:na]\n	at java.base/java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:539) ~[na:na]\n	at java.base/java.util.concurrent.FutureTask.runAndReset(FutureTask.java:305) ~[na:na]','\n',char(10)),5486549193861609943,NULL,NULL,NULL);
INSERT INTO incidents VALUES(7,1,4,'testdata/store/no-time.log',2,2,2,'com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open',NULL,NULL,NULL,'plain',NULL,NULL,NULL,NULL,NULL,NULL,1006,'SERVER_USER_ERROR',400401,NULL,NULL,'com.tencent.polaris.api.exception.PolarisException','com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open','server-400401-client-api-not-open','api-gating','critical',0.69999999999999995559,'ef738d950c998759','ERR-1006 400401','com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open',-5256246805314386986,NULL,NULL,NULL);
INSERT INTO incidents VALUES(8,1,4,'testdata/store/no-time.log',3,3,3,'heartbeat failed, ERR-1007(NETWORK_ERROR): fail to heartbeat, cause: UNAVAILABLE: io exception',NULL,NULL,NULL,'plain',NULL,NULL,NULL,NULL,NULL,NULL,1007,'NETWORK_ERROR',NULL,'UNAVAILABLE',NULL,NULL,'heartbeat failed, ERR-1007(NETWORK_ERROR): fail to heartbeat, cause: UNAVAILABLE: io exception','sdk-1007-heartbeat-network-error','network','error',0.6500000000000000222,'abf579705c508345','ERR-1007','heartbeat failed, ERR-1007(NETWORK_ERROR): fail to heartbeat, cause: UNAVAILABLE: io exception',1043713060898831068,NULL,NULL,NULL);
CREATE TABLE incident_rules (
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  rank        INTEGER NOT NULL,
  rule_id     TEXT NOT NULL,
  cause       TEXT NOT NULL,
  weight      REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (incident_id, rank)
) WITHOUT ROWID;
INSERT INTO incident_rules VALUES(1,0,'server-400401-heartbeat-api-not-open','api-gating',0.8000000000000000444);
INSERT INTO incident_rules VALUES(1,1,'server-400401-client-api-not-open','api-gating',0.69999999999999995559);
INSERT INTO incident_rules VALUES(1,2,'server-4xxxxx-request-rejected','config',0.34999999999999997779);
INSERT INTO incident_rules VALUES(2,0,'server-400401-heartbeat-api-not-open','api-gating',0.8000000000000000444);
INSERT INTO incident_rules VALUES(2,1,'server-400401-client-api-not-open','api-gating',0.69999999999999995559);
INSERT INTO incident_rules VALUES(2,2,'server-4xxxxx-request-rejected','config',0.34999999999999997779);
INSERT INTO incident_rules VALUES(3,0,'server-400401-heartbeat-api-not-open','api-gating',0.8000000000000000444);
INSERT INTO incident_rules VALUES(3,1,'server-400401-client-api-not-open','api-gating',0.69999999999999995559);
INSERT INTO incident_rules VALUES(3,2,'server-4xxxxx-request-rejected','config',0.34999999999999997779);
INSERT INTO incident_rules VALUES(4,0,'server-400401-heartbeat-api-not-open','api-gating',0.8000000000000000444);
INSERT INTO incident_rules VALUES(4,1,'server-400401-client-api-not-open','api-gating',0.69999999999999995559);
INSERT INTO incident_rules VALUES(4,2,'server-4xxxxx-request-rejected','config',0.34999999999999997779);
INSERT INTO incident_rules VALUES(5,0,'server-400401-heartbeat-api-not-open','api-gating',0.8000000000000000444);
INSERT INTO incident_rules VALUES(5,1,'server-400401-client-api-not-open','api-gating',0.69999999999999995559);
INSERT INTO incident_rules VALUES(5,2,'server-4xxxxx-request-rejected','config',0.34999999999999997779);
INSERT INTO incident_rules VALUES(6,0,'server-400401-heartbeat-api-not-open','api-gating',0.8000000000000000444);
INSERT INTO incident_rules VALUES(6,1,'server-400401-client-api-not-open','api-gating',0.69999999999999995559);
INSERT INTO incident_rules VALUES(6,2,'server-4xxxxx-request-rejected','config',0.34999999999999997779);
INSERT INTO incident_rules VALUES(7,0,'server-400401-client-api-not-open','api-gating',0.69999999999999995559);
INSERT INTO incident_rules VALUES(7,1,'server-4xxxxx-request-rejected','config',0.34999999999999997779);
INSERT INTO incident_rules VALUES(8,0,'sdk-1007-heartbeat-network-error','network',0.6500000000000000222);
INSERT INTO incident_rules VALUES(8,1,'transport-grpc-unavailable','network',0.5500000000000000444);
INSERT INTO incident_rules VALUES(8,2,'sdk-1007-network-error','network',0.5);
CREATE TABLE observations (
  id        INTEGER PRIMARY KEY,
  run_id    INTEGER REFERENCES runs(id),
  source_id INTEGER REFERENCES sources(id),
  source    TEXT,
  line      INTEGER,
  ts_ms     INTEGER,
  ts        TEXT,
  kind      TEXT NOT NULL,
  key       TEXT,
  value     TEXT,
  namespace TEXT,
  service   TEXT,
  host      TEXT,
  port      INTEGER,
  instance  TEXT,
  text      TEXT,
  okey      INTEGER NOT NULL
);
INSERT INTO observations VALUES(1,1,1,'testdata/demo/order-service/application.log',4,NULL,NULL,'version','spring-boot','2.7.18',NULL,NULL,NULL,NULL,NULL,'( ( )\___ | ''_ | ''_| | ''_ \/ _` | \ \ \ \',6113993215361109844);
INSERT INTO observations VALUES(2,1,1,'testdata/demo/order-service/application.log',14,1750845604902,'2025-06-25T10:00:04.902Z','register-ok',NULL,NULL,'default','order-service','10.12.3.44',8080,'10.12.3.44:8080','2025-06-25 10:00:04.902  INFO 4242 --- [           main] c.t.c.p.registry.PolarisServiceRegistry  : polaris registry, default order-service 10.12.3.44:8080 {} register finished',-904893061425313121);
INSERT INTO observations VALUES(3,1,2,'testdata/demo/order-service/polaris/logs/polaris-instance-heartbeat.log',1,1750845609907,'2025-06-25T10:00:09.907Z','version','polaris-java','1.15.8','default','order-service','10.12.3.44',8080,'10.12.3.44:8080','[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:1|2025-06-25 10:00:09.907',1592012371593636193);
INSERT INTO observations VALUES(4,1,2,'testdata/demo/order-service/polaris/logs/polaris-instance-heartbeat.log',10,1750845614914,'2025-06-25T10:00:14.914Z','version','polaris-java','1.15.8','default','order-service','10.12.3.44',8080,'10.12.3.44:8080','[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:2|2025-06-25 10:00:14.914',-8536197095482438437);
INSERT INTO observations VALUES(5,1,2,'testdata/demo/order-service/polaris/logs/polaris-instance-heartbeat.log',19,1750845619921,'2025-06-25T10:00:19.921Z','version','polaris-java','1.15.8','default','order-service','10.12.3.44',8080,'10.12.3.44:8080','[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:3|2025-06-25 10:00:19.921',-68073727806601494);
INSERT INTO observations VALUES(6,1,2,'testdata/demo/order-service/polaris/logs/polaris-instance-heartbeat.log',28,1750845624928,'2025-06-25T10:00:24.928Z','version','polaris-java','1.15.8','default','order-service','10.12.3.44',8080,'10.12.3.44:8080','[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:4|2025-06-25 10:00:24.928',8263420621928832843);
INSERT INTO observations VALUES(7,1,2,'testdata/demo/order-service/polaris/logs/polaris-instance-heartbeat.log',37,1750845629935,'2025-06-25T10:00:29.935Z','version','polaris-java','1.15.8','default','order-service','10.12.3.44',8080,'10.12.3.44:8080','[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:5|2025-06-25 10:00:29.935',-1375066974945891396);
INSERT INTO observations VALUES(8,1,2,'testdata/demo/order-service/polaris/logs/polaris-instance-heartbeat.log',46,1750845634942,'2025-06-25T10:00:34.942Z','version','polaris-java','1.15.8','default','order-service','10.12.3.44',8080,'10.12.3.44:8080','[AsyncHeartbeat]Instance heartbeat failed, namespace:default, service:order-service, host:10.12.3.44, port:8080, heartbeat fail count:6|2025-06-25 10:00:34.942',-2435929130501739594);
INSERT INTO observations VALUES(9,1,3,'testdata/demo/order-service/polaris/logs/polaris.log',2,1750845602640,'2025-06-25T10:00:02.640Z','address','connid','10.12.0.7:8081',NULL,NULL,NULL,NULL,NULL,'2025-06-25 10:00:02.640 INFO [polaris-connection-1:c.t.p.p.c.g.ConnectionManager] connection ConnID{id=''1f0c7e2a-31d5-4c8e-9a51-0c3f8e5d2b71'', clusterType=SERVICE_DISCOVER_CLUSTER, host=''10.12.0.7'', port=8081} created',8274499045501715624);
INSERT INTO observations VALUES(10,1,3,'testdata/demo/order-service/polaris/logs/polaris.log',4,1750845604893,'2025-06-25T10:00:04.893Z','register-ok',NULL,NULL,'default','order-service',NULL,NULL,NULL,'2025-06-25 10:00:04.893 INFO [main :c.t.p.d.c.f.DefaultDiscoveryFlow] register default/order-service instance 5d1b0f9c3e7a4d21 successfully',-7189103392132316117);
INSERT INTO observations VALUES(11,1,3,'testdata/demo/order-service/polaris/logs/polaris.log',5,1750845609910,'2025-06-25T10:00:09.910Z','address','connid','10.12.0.7:8081',NULL,NULL,NULL,NULL,NULL,'2025-06-25 10:00:09.910 INFO [polaris-connection-2:c.t.p.p.c.g.ConnectionManager] connection ConnID{id=''8b2e4c1d-0a7f-4f6e-b3c9-5e2d7a1f0c88'', clusterType=HEALTH_CHECK_CLUSTER, host=''10.12.0.7'', port=8081} created',-6667159842975709551);
CREATE INDEX sources_identity ON sources(dev, ino, first_hash);
CREATE INDEX sources_first_hash ON sources(first_hash);
CREATE UNIQUE INDEX incidents_okey ON incidents(okey);
CREATE INDEX incidents_ts ON incidents(ts_ms);
CREATE INDEX incidents_cause ON incidents(cause, ts_ms);
CREATE INDEX incidents_service ON incidents(service, ts_ms);
CREATE INDEX incidents_server_code ON incidents(server_code)
  WHERE server_code IS NOT NULL;
CREATE INDEX incidents_sdk_code ON incidents(sdk_code)
  WHERE sdk_code IS NOT NULL;
CREATE INDEX incidents_fingerprint ON incidents(fingerprint);
CREATE VIEW incident_groups AS
SELECT g.fingerprint, g.count, g.first_seen, g.last_seen, i.cause,
       i.rule_id, i.severity, i.service, i.instance, i.codes, i.source,
       i.evidence_line, i.evidence AS sample
FROM (SELECT fingerprint, count(*) AS count, min(ts) AS first_seen,
             max(ts) AS last_seen, max(id) AS last_id
      FROM incidents GROUP BY fingerprint) AS g
JOIN incidents AS i ON i.id = g.last_id;
CREATE VIEW incidents_per_hour AS
SELECT strftime('%Y-%m-%dT%H:00:00Z', ts_ms / 3600000 * 3600,
                'unixepoch') AS hour,
       ts_ms / 3600000 * 3600000 AS hour_ms, cause, count(*) AS count
FROM incidents WHERE ts_ms IS NOT NULL
GROUP BY hour_ms, cause;
CREATE UNIQUE INDEX observations_okey ON observations(okey);
CREATE INDEX observations_ts ON observations(ts_ms);
CREATE INDEX observations_instance ON observations(instance, kind, ts_ms);
CREATE VIEW instance_state AS
WITH fail AS (
  SELECT instance, max(ts_ms) AS ts_ms, ts, cause, rule_id, namespace,
         service, evidence
  FROM incidents WHERE instance IS NOT NULL GROUP BY instance),
good AS (
  SELECT instance, max(ts_ms) AS ts_ms, ts, kind, namespace, service
  FROM observations
  WHERE instance IS NOT NULL
    AND kind IN ('heartbeat-ok', 'register-ok', 'reregister-ok')
  GROUP BY instance),
seen AS (SELECT instance FROM fail UNION SELECT instance FROM good)
SELECT seen.instance,
       coalesce(fail.namespace, good.namespace) AS namespace,
       coalesce(fail.service, good.service) AS service,
       fail.ts AS last_incident, fail.ts_ms AS last_incident_ms,
       fail.cause AS last_cause, fail.rule_id AS last_rule_id,
       fail.evidence AS last_evidence,
       good.ts AS last_ok, good.ts_ms AS last_ok_ms,
       good.kind AS last_ok_kind,
       CASE WHEN fail.instance IS NOT NULL AND (good.instance IS NULL
                 OR coalesce(fail.ts_ms, 0) > coalesce(good.ts_ms, 0))
            THEN 'failing' ELSE 'ok' END AS state
FROM seen
LEFT JOIN fail ON fail.instance = seen.instance
LEFT JOIN good ON good.instance = seen.instance;
COMMIT;
PRAGMA application_id = 1212306243;
PRAGMA user_version = 2;
