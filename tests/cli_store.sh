#!/bin/sh
# cli_store.sh HBSCAN - the database commands end to end: query formats and
# refusals, incidents filters, merge idempotence, db info/prune/vacuum.
# Databases are filled with tests/tool_store_fill (next to HBSCAN's build).
set -u
HBSCAN=${1:-build/hbscan}
FILL=$(dirname "$HBSCAN")/tests/tool_store_fill
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1 TZ=UTC
unset COLUMNS XDG_STATE_HOME
export HBSCAN_DB="$tmp/env/hbscan.db"

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '%s\n' "$@" | head -n 20; }

# run NAME WANT_RC CMD... : runs CMD, keeps stdout in $out, stderr in $err
run() {
    name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
    if [ "$rc" -ne "$want" ]; then
        bad "$name: exit $rc, want $want" "$err"
        return 1
    fi
    return 0
}

# expect NAME WANT : compares $out with WANT exactly
expect() {
    if [ "$out" = "$2" ]; then ok; else bad "$1: output differs" "--- want" "$2" "--- got" "$out"; fi
}

# has NAME TEXT WHAT : $out (or $err when WHAT=err) contains TEXT
has() {
    hay=$out
    [ "${3:-out}" = err ] && hay=$err
    case $hay in
    *"$2"*) ok ;;
    *) bad "$1: lacks '$2'" "$hay" ;;
    esac
}

if [ ! -x "$FILL" ]; then
    echo "FAIL missing $FILL (make build/tests/tool_store_fill)"
    echo "0 passed, 1 failed"
    exit 1
fi

db=$tmp/one/x.db
"$FILL" "$db" <<'ROWS'
inc|1710000000000|port|port-grpc-8080|order|10.0.0.1:8080|ERR-1006 400401|app.log|10|connect to 8080 refused
inc|1710000060000|port|port-grpc-8080|order|10.0.0.1:8080|ERR-1006 400401|app.log|20|connect to 8080 refused
inc|1710003600000|network|net-unavailable|order|10.0.0.2:8080|UNAVAILABLE|app.log|30|io exception, "retry"
inc|1710007200000|api-gating|api-not-open|pay|10.0.0.3:9090|ERR-1006 400401|pay.log|5|client api is not open
inc|-|-|-|pay|10.0.0.3:9090||pay.log|9|unknown failure
obs|1710000120000|heartbeat-ok|order|10.0.0.1:8080|app.log|40|heartbeat success
ROWS

# ---- help and usage ----
run "query --help" 0 "$HBSCAN" query --help && has "query help" "usage: hbscan query"
run "help incidents" 0 "$HBSCAN" help incidents && has "incidents help" "usage: hbscan incidents"
run "merge --help" 0 "$HBSCAN" merge --help && has "merge help" "usage: hbscan merge"
run "db --help" 0 "$HBSCAN" db --help && has "db help" "hbscan db prune --before T"
run "query without SQL" 2 "$HBSCAN" query --db "$db" && has "query without SQL msg" "missing SQL" err
run "query bad format" 2 "$HBSCAN" query --db "$db" --format xml 'SELECT 1' && has "bad format msg" "unknown format" err
run "query missing db" 5 "$HBSCAN" query --db "$tmp/nope.db" 'SELECT 1' && has "missing db msg" "no database at" err
[ -e "$tmp/nope.db" ] && bad "query created the missing database" || ok

# ---- query formats ----
run "query table" 0 "$HBSCAN" query --db "$db" \
    "SELECT id, cause, first_line AS line, evidence FROM incidents WHERE id <= 3 ORDER BY id" &&
expect "query table" 'id  cause    line  evidence
--  -------  ----  -----------------------
 1  port       10  connect to 8080 refused
 2  port       20  connect to 8080 refused
 3  network    30  io exception, "retry"'

COLUMNS=30 run "query table fitted" 0 "$HBSCAN" query --db "$db" \
    "SELECT id, cause, evidence FROM incidents WHERE id = 3" &&
expect "query table fitted" 'id  cause    evidence
--  -------  -----------------
 3  network  io exception, "r…'

run "query csv" 0 "$HBSCAN" query --db "$db" --format csv \
    "SELECT id, evidence, rule_id FROM incidents WHERE id IN (3, 5) ORDER BY id" &&
expect "query csv" "$(printf 'id,evidence,rule_id\r\n3,"io exception, ""retry""",net-unavailable\r\n5,unknown failure,\r')"

run "query json" 0 "$HBSCAN" query --db "$db" --format json \
    "SELECT id, weight, rule_id FROM incidents WHERE id IN (1, 5) ORDER BY id" &&
expect "query json" '[
{"id":1,"weight":0.9,"rule_id":"port-grpc-8080"},
{"id":5,"weight":0.0,"rule_id":null}
]'

run "query ndjson" 0 "$HBSCAN" query --db "$db" --format=ndjson \
    "SELECT instance, state FROM instance_state ORDER BY instance" &&
expect "query ndjson" '{"instance":"10.0.0.1:8080","state":"ok"}
{"instance":"10.0.0.2:8080","state":"failing"}
{"instance":"10.0.0.3:9090","state":"failing"}'

run "query stdin" 0 sh -c "echo 'SELECT count(*) AS n FROM incidents' | \"$HBSCAN\" query --db \"$db\" --format csv -" &&
expect "query stdin" "$(printf 'n\r\n5\r')"

run "query view" 0 "$HBSCAN" query --db "$db" --format csv \
    "SELECT hour, cause, count FROM incidents_per_hour ORDER BY hour_ms, cause" &&
expect "query per hour" "$(printf 'hour,cause,count\r\n2024-03-09T16:00:00Z,port,2\r\n2024-03-09T17:00:00Z,network,1\r\n2024-03-09T18:00:00Z,api-gating,1\r')"

# ---- query refusals ----
for sql in "INSERT INTO runs (run_key, started, started_ms, version) VALUES ('k','s',1,'v')" \
    "DELETE FROM incidents" "UPDATE incidents SET cause = 'x'" "DROP TABLE incidents" \
    "ATTACH '$tmp/evil.db' AS evil" "PRAGMA user_version = 7" \
    "SELECT load_extension('/tmp/x.so')" "PRAGMA journal_mode = DELETE"; do
    run "refuse: $sql" 2 "$HBSCAN" query --db "$db" "$sql" && has "refuse msg: $sql" "refused" err
done
run "query syntax error" 2 "$HBSCAN" query --db "$db" "SELEC 1" && has "syntax msg" "syntax error" err
run "still 5 incidents" 0 "$HBSCAN" query --db "$db" --format csv "SELECT count(*) FROM incidents" &&
has "nothing written" "5"
[ -e "$tmp/evil.db" ] && bad "ATTACH created a file" || ok

# ---- incidents ----
count() { printf '%s\n' "$out" | sed 1d | grep -c .; } # rows after the csv header

run "incidents all" 0 "$HBSCAN" incidents --db "$db" --format csv && [ "$(count)" = 5 ] && ok || bad "incidents all: $(count) rows"
run "incidents cause" 0 "$HBSCAN" incidents --db "$db" --format csv --cause port && [ "$(count)" = 2 ] && ok || bad "cause: $(count)"
run "incidents unknown" 0 "$HBSCAN" incidents --db "$db" --format csv --cause unknown && [ "$(count)" = 1 ] && ok || bad "unknown: $(count)"
run "incidents service" 0 "$HBSCAN" incidents --db "$db" --format csv --service pay && [ "$(count)" = 2 ] && ok || bad "service: $(count)"
run "incidents instance" 0 "$HBSCAN" incidents --db "$db" --format csv --instance 10.0.0.1:8080 && [ "$(count)" = 2 ] && ok || bad "instance: $(count)"
run "incidents host" 0 "$HBSCAN" incidents --db "$db" --format csv --instance 10.0.0.2 && [ "$(count)" = 1 ] && ok || bad "host: $(count)"
run "incidents code" 0 "$HBSCAN" incidents --db "$db" --format csv --code 400401 && [ "$(count)" = 3 ] && ok || bad "code: $(count)"
run "incidents ERR code" 0 "$HBSCAN" incidents --db "$db" --format csv --code ERR-1006 && [ "$(count)" = 3 ] && ok || bad "ERR code: $(count)"
run "incidents grpc" 0 "$HBSCAN" incidents --db "$db" --format csv --code UNAVAILABLE && [ "$(count)" = 1 ] && ok || bad "grpc: $(count)"
run "incidents since" 0 "$HBSCAN" incidents --db "$db" --format csv --since 2024-03-09T17:00:00Z && [ "$(count)" = 2 ] && ok || bad "since: $(count)"
run "incidents until" 0 "$HBSCAN" incidents --db "$db" --format csv --until 2024-03-09T17:00:00Z && [ "$(count)" = 2 ] && ok || bad "until: $(count)"
run "incidents relative" 0 "$HBSCAN" incidents --db "$db" --format csv --since 1d && [ "$(count)" = 0 ] && ok || bad "relative: $(count)"
run "incidents limit" 0 "$HBSCAN" incidents --db "$db" --format csv --limit 1 --cause port && [ "$(count)" = 1 ] && ok || bad "limit: $(count)"
has "limit keeps the latest" ",20,"
run "incidents ndjson" 0 "$HBSCAN" incidents --db "$db" --format ndjson --cause network &&
expect "incidents ndjson" '{"id":3,"ts":"2024-03-09T17:00:00.000Z","cause":"network","severity":"error","rule_id":"net-unavailable","service":"order","instance":"10.0.0.2:8080","codes":null,"source":"app.log","line":30,"evidence":"io exception, \"retry\""}'
run "incidents group" 0 "$HBSCAN" incidents --db "$db" --group --format csv &&
[ "$(count)" = 4 ] && ok || bad "group: $(count)"
has "group most frequent first" "$(printf 'fingerprint,count')"
printf '%s\n' "$out" | sed -n 2p | grep -q '^[0-9a-f]*,2,2024-03-09T16:00:00.000Z,2024-03-09T16:01:00.000Z,port,' && ok || bad "group first row" "$out"
run "incidents table" 0 "$HBSCAN" incidents --db "$db" --cause network && has "incidents table" "io exception"
run "incidents bad cause" 2 "$HBSCAN" incidents --db "$db" --cause weather && has "bad cause msg" "unknown cause" err
run "incidents bad time" 2 "$HBSCAN" incidents --db "$db" --since yesterdayish && has "bad time msg" "cannot read the time" err
run "incidents bad limit" 2 "$HBSCAN" incidents --db "$db" --limit 0
run "incidents bad option" 2 "$HBSCAN" incidents --db "$db" --colour

# ---- HBSCAN_DB and file mode ----
"$FILL" "$HBSCAN_DB" <<'ROWS'
inc|1710000000000|auth|auth-token|order|10.0.0.9:80|400102|a.log|1|invalid user token
ROWS
run "HBSCAN_DB used" 0 "$HBSCAN" incidents --format csv && [ "$(count)" = 1 ] && ok || bad "HBSCAN_DB: $(count)"
mode=$(stat -c %a "$HBSCAN_DB")
[ "$mode" = 600 ] && ok || bad "db mode $mode, want 600"
mode=$(stat -c %a "$tmp/env")
[ "$mode" = 700 ] && ok || bad "db dir mode $mode, want 700"

# ---- merge ----
"$FILL" "$tmp/a.db" <<'ROWS'
inc|1710000000000|port|port-grpc-8080|order|10.0.0.1:8080|400401|app.log|1|a1
inc|1710000001000|port|port-grpc-8080|order|10.0.0.1:8080|400401|app.log|2|a2
obs|1710000002000|heartbeat-ok|order|10.0.0.1:8080|app.log|3|ok
ROWS
"$FILL" "$tmp/b.db" <<'ROWS'
inc|1710000001000|port|port-grpc-8080|order|10.0.0.1:8080|400401|app.log|2|a2
inc|1710000005000|network|net-unavailable|pay|10.0.0.3:9090|UNAVAILABLE|pay.log|7|b1
ROWS
out_db=$tmp/merged/all.db
run "merge" 0 "$HBSCAN" merge "$out_db" "$tmp/a.db" "$tmp/b.db" &&
expect "merge counts" "$tmp/a.db: +2 incidents, +1 observations, +1 sources, +1 runs
$tmp/b.db: +1 incidents, +0 observations, +1 sources, +1 runs"
run "merge again" 0 "$HBSCAN" merge "$out_db" "$tmp/b.db" "$tmp/a.db" &&
expect "merge again adds nothing" "$tmp/b.db: +0 incidents, +0 observations, +0 sources, +0 runs
$tmp/a.db: +0 incidents, +0 observations, +0 sources, +0 runs"
run "merged rows" 0 "$HBSCAN" query --db "$out_db" --format csv \
    "SELECT (SELECT count(*) FROM incidents) || '/' || (SELECT count(*) FROM incident_rules) || '/' || (SELECT count(*) FROM runs)" &&
has "merged totals" "3/3/2"
mode=$(stat -c %a "$out_db")
[ "$mode" = 600 ] && ok || bad "merged db mode $mode"
run "merge into itself" 2 "$HBSCAN" merge "$out_db" "$out_db" && has "self merge msg" "is the output database" err
run "merge missing input" 5 "$HBSCAN" merge "$out_db" "$tmp/none.db" && has "missing input msg" "no database at" err
run "merge usage" 2 "$HBSCAN" merge "$out_db"

# ---- db ----
run "db info" 0 "$HBSCAN" db info --db "$db" &&
has "info version" "schema version  6" && has "info incidents" "incidents       5" &&
has "info observations" "observations    1" &&
has "info texts" "texts           0 (record bodies, each stored once)" && has "info first" "first           2024-03-09T16:00:00.000Z" &&
has "info path" "path            $db"
run "db prune" 0 "$HBSCAN" db prune --db "$db" --before 2024-03-09T17:00:00Z --vacuum &&
expect "prune counts" "pruned 2 incidents and 1 observations before 2024-03-09T17:00:00.000Z"
run "after prune" 0 "$HBSCAN" query --db "$db" --format csv "SELECT count(*) FROM incidents" && has "3 left" "3"
run "db vacuum" 0 "$HBSCAN" db vacuum --db "$db" && has "vacuum msg" "vacuumed"
run "db prune needs --before" 2 "$HBSCAN" db prune --db "$db"
run "db unknown action" 2 "$HBSCAN" db fix --db "$db"
run "db info missing" 5 "$HBSCAN" db info --db "$tmp/none.db"

# ---- a newer schema is refused with the exact message ----
cp "$db" "$tmp/new.db"
if command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 "$tmp/new.db" "PRAGMA user_version = 9"
    run "newer schema" 5 "$HBSCAN" query --db "$tmp/new.db" "SELECT 1" &&
    has "newer msg" "db: schema version 9 is newer than this hbscan supports (6); upgrade hbscan" err
fi

# ---- docs/schema.md prints the schema exactly ----
if command -v sqlite3 >/dev/null 2>&1; then
    run "fresh db" 0 "$HBSCAN" scan -q --db "$tmp/fresh.db" testdata/store/no-time.log
    sqlite3 "$tmp/fresh.db" .schema | sed -e ':a' -e 'N' -e '$!ba' \
        -e 's|\n/\* [a-z_]*([a-z0-9_,]*) \*/;|;|g' >"$tmp/schema.got"
    sed -n '/^```sql$/,/^```$/p' docs/schema.md | sed '1d;$d' >"$tmp/schema.want"
    if cmp -s "$tmp/schema.got" "$tmp/schema.want"; then ok; else
        bad "docs/schema.md's schema differs from a new database's" "$(diff "$tmp/schema.want" "$tmp/schema.got")"
    fi
fi

# ---- a version 2 database, as hbscan 0.1.0 wrote it ----
# testdata/store/v2.sql holds a scan of these logs: upgraded in place, it
# keeps its rows, and neither a rescan of the same logs nor merging the
# old file (not upgraded: merge reads it as it is) stores anything twice.
v2logs="testdata/demo testdata/store/no-time.log"
if command -v sqlite3 >/dev/null 2>&1 && [ -f testdata/store/v2.sql ]; then
    sqlite3 "$tmp/v2.db" <testdata/store/v2.sql
    cp "$tmp/v2.db" "$tmp/v2-merge.db"
    run "v2 info" 0 "$HBSCAN" db info --db "$tmp/v2.db" &&
    has "v2 upgraded" "schema version  6" && has "v2 incidents" "incidents       8" &&
    has "v2 rule hits" "incident_rules  23" && has "v2 observations" "observations    11"
    # shellcheck disable=SC2086
    run "v2 rescan" 0 "$HBSCAN" scan -q --db "$tmp/v2.db" --rescan $v2logs
    totals="SELECT (SELECT count(*) FROM incidents) || '/' || (SELECT count(*) FROM incident_rules) || '/' || (SELECT count(*) FROM observations)"
    run "v2 rescan rows" 0 "$HBSCAN" query --db "$tmp/v2.db" --format csv "$totals" &&
    has "rescan after the upgrade adds nothing (else the occurrence keys changed)" "8/23/11"
    run "v2 merge" 0 "$HBSCAN" merge "$tmp/v3.db" "$tmp/v2-merge.db" &&
    expect "v2 merge counts" "$tmp/v2-merge.db: +8 incidents, +11 observations, +4 sources, +1 runs"
    run "v2 merge again" 0 "$HBSCAN" merge "$tmp/v3.db" "$tmp/v2-merge.db" &&
    expect "v2 merge again adds nothing" "$tmp/v2-merge.db: +0 incidents, +0 observations, +0 sources, +0 runs"
    run "v2 merged rows" 0 "$HBSCAN" query --db "$tmp/v3.db" --format csv "$totals" &&
    has "v2 merged rule hits" "8/23/11"
    run "v2 merged ranks" 0 "$HBSCAN" query --db "$tmp/v3.db" --format csv \
        "SELECT group_concat(rank || rule_id, ' ') FROM (SELECT * FROM incident_rules WHERE incident_id = (SELECT id FROM incidents WHERE ts_ms IS NULL ORDER BY first_line DESC LIMIT 1) ORDER BY rank)" &&
    has "v2 merged hits in order" "0sdk-1007-heartbeat-network-error 1transport-grpc-unavailable 2sdk-1007-network-error"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
