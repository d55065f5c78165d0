#!/bin/sh
# cli_scan.sh HBSCAN - scan from the command line: stdin and gzip, exit
# codes, incremental exactly-once re-scans, rotation, --jobs 2 == --jobs 1,
# and --follow with appends, rotation and truncation.
set -u
HB=${1:-build/hbscan}
case "$HB" in /*) ;; *) HB="$PWD/$HB" ;; esac
export NO_COLOR=1 TZ=UTC
unset HBSCAN_DB
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

# A heartbeat failure record with a distinct server code per call.
failure() { # $1 = ts seconds, $2 = code, $3 = info
    printf '2025-06-25 10:00:%02d.000 ERROR 7 --- [polaris-heartbeat-1] c.t.c.p.registry.PolarisServiceRegistry  : polaris heartbeat error with code [SERVER_USER_ERROR]\n' "$1"
    printf 'com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error %s: %s\n' "$2" "$3"
    printf '\tat com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse(GrpcUtil.java:218)\n'
}
info() { printf '2025-06-25 10:00:%02d.000  INFO 7 --- [main] c.e.App  : ok %s\n' "$1" "$2"; }

count() { # $1 = code, $2 = file
    grep -c "\"server_code\":$1," "$2" 2>/dev/null || true
}

# --- stdin, gzip on stdin, same result as the file ---------------------
{ info 1 a; failure 2 400401 "client api is not open"; info 3 b; } >"$tmp/a.log"
"$HB" scan --no-db -q --format ndjson "$tmp/a.log" >"$tmp/file.nd"
"$HB" scan --no-db -q --format ndjson <"$tmp/a.log" | sed 's/"source":"<stdin>"/"source":"X"/' >"$tmp/stdin.nd"
gzip -c "$tmp/a.log" | "$HB" scan --no-db -q --format ndjson | sed 's/"source":"<stdin>"/"source":"X"/' >"$tmp/gz.nd"
sed "s|\"source\":\"$tmp/a.log\"|\"source\":\"X\"|" "$tmp/file.nd" >"$tmp/file2.nd"
check "one incident from the file" '[ "$(count 400401 "$tmp/file.nd")" = 1 ]'
check "stdin equals file" 'cmp -s "$tmp/file2.nd" "$tmp/stdin.nd"'
check "gzip stdin equals file" 'cmp -s "$tmp/file2.nd" "$tmp/gz.nd"'
check "evidence line is the code line" 'grep -q "\"evidence_line\":3," "$tmp/file.nd"'

# --- exit codes --------------------------------------------------------
"$HB" scan --no-db -q "$tmp/a.log" /nonexistent/x.log >/dev/null 2>"$tmp/err"
rc=$?
check "missing input exits 4" '[ $rc = 4 ]'
check "missing input named on stderr" 'grep -q "/nonexistent/x.log" "$tmp/err"'
"$HB" scan --bogus >/dev/null 2>&1
check "bad option exits 2" '[ $? = 2 ]'
"$HB" scan --no-db -q --fail-on critical "$tmp/a.log" >/dev/null 2>&1
rc=$?
check "--fail-on critical exits 1 on 400401" '[ $rc = 1 ]'
info 1 x >"$tmp/clean.log"
"$HB" scan --no-db -q --fail-on info "$tmp/clean.log" >/dev/null 2>&1
check "--fail-on exits 0 without failures" '[ $? = 0 ]'

# --- scan --config: configuration findings are evidence ----------------
conf_before=$("$HB" scan --no-db -q --format json testdata/real/001/input.log | sed -n 's/^ *"confidence": \([0-9.]*\).*/\1/p' | head -n 1)
"$HB" scan --no-db -q --format json --config testdata/config/client/founding-8081.yml testdata/real/001/input.log >"$tmp/cfg.json"
conf_after=$(sed -n 's/^ *"confidence": \([0-9.]*\).*/\1/p' "$tmp/cfg.json" | head -n 1)
check "--config keeps port first" 'sed -n "/\"causes\": \[/,\$p" "$tmp/cfg.json" | grep -m1 "\"cause\":" | grep -q "\"port\""'
check "--config raises the port confidence" 'awk "BEGIN { exit !($conf_after > $conf_before) }"'
check "--config finding in the report" 'grep -q "founding-8081.yml" "$tmp/cfg.json"'
"$HB" scan --no-db -q --config /nonexistent/application.yml testdata/real/001/input.log >/dev/null 2>&1
check "unreadable --config exits 4" '[ $? = 4 ]'

# --- incremental, exactly once ------------------------------------------
db="$tmp/inc.db"
mkdir "$tmp/inc"
{ info 1 a; failure 2 400401 "client api is not open"; } >"$tmp/inc/app.log"
"$HB" scan -q --db "$db" --format ndjson "$tmp/inc" >"$tmp/r1.nd"
"$HB" scan -q --db "$db" --format ndjson "$tmp/inc" >"$tmp/r2.nd"
check "first run finds 1" '[ "$(count 400401 "$tmp/r1.nd")" = 1 ]'
check "re-scan of unchanged file finds nothing" '[ ! -s "$tmp/r2.nd" ]'
# A partial last line is not consumed until complete.
failure 5 400202 "not found resource" >>"$tmp/inc/app.log"
printf '2025-06-25 10:00:09.000 ERROR 7 --- [x] c.t.c.p.registry.PolarisServiceRegistry  : polaris heartbeat error with code [SERVER_USER_ERROR]\ncom.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400141: heartbeat on dis' >>"$tmp/inc/app.log"
"$HB" scan -q --db "$db" --format ndjson "$tmp/inc" >"$tmp/r3.nd"
check "appended record found once" '[ "$(count 400202 "$tmp/r3.nd")" = 1 ] && [ "$(count 400401 "$tmp/r3.nd")" = 0 ]'
printf 'abled instance\n' >>"$tmp/inc/app.log"
info 10 z >>"$tmp/inc/app.log"
"$HB" scan -q --db "$db" --format ndjson "$tmp/inc" >"$tmp/r4.nd"
check "completed partial line found once" '[ "$(count 400141 "$tmp/r4.nd")" = 1 ] && [ "$(count 400202 "$tmp/r4.nd")" = 0 ]'
# Rotation: app.log -> app.log.1 (same identity, continues), new app.log.
mv "$tmp/inc/app.log" "$tmp/inc/app.log.1"
failure 20 429002 "server limit the ip access" >>"$tmp/inc/app.log.1"
{ info 30 fresh; failure 31 401004 "token not existed"; } >"$tmp/inc/app.log"
"$HB" scan -q --db "$db" --format ndjson "$tmp/inc" >"$tmp/r5.nd"
check "renamed file continues from its offset" '[ "$(count 429002 "$tmp/r5.nd")" = 1 ] && [ "$(count 400141 "$tmp/r5.nd")" = 0 ]'
check "new file read from the start" '[ "$(count 401004 "$tmp/r5.nd")" = 1 ]'
# Rotated and compressed: already read, nothing new.
gzip "$tmp/inc/app.log.1"
"$HB" scan -q --db "$db" --format ndjson "$tmp/inc" >"$tmp/r6.nd"
check "rotated .gz of scanned content adds nothing" '[ ! -s "$tmp/r6.nd" ]'
# copytruncate: the file shrinks, reading restarts at 0.
{ failure 40 500001 "store layer exception"; } >"$tmp/inc/app.log"
"$HB" scan -q --db "$db" --format ndjson "$tmp/inc" >"$tmp/r7.nd"
check "truncated file restarts at 0" '[ "$(count 500001 "$tmp/r7.nd")" = 1 ] && [ "$(count 401004 "$tmp/r7.nd")" = 0 ]'
"$HB" scan -q --db "$db" --rescan --format ndjson "$tmp/inc" >"$tmp/r8.nd"
check "--rescan reads everything again" '[ "$(count 500001 "$tmp/r8.nd")" = 1 ] && [ "$(count 400401 "$tmp/r8.nd")" = 1 ]'

# --- Kubernetes layouts: CRI lines, namespace/pod/container from the path --
k8s="$tmp/var/log/pods/shop_order-svc-7d9f_0b1c-22/order"
mkdir -p "$k8s" "$tmp/var/log/containers"
{
    printf '2025-06-25T10:00:01.000000001Z stdout F 2025-06-25 10:00:01.000 ERROR 7 --- [hb] c.t.c.p.registry.PolarisServiceRegistry  : polaris heartbeat error with code [SERVER_USER_ERROR]\n'
    printf '2025-06-25T10:00:01.000000002Z stdout P com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 4004\n'
    printf '2025-06-25T10:00:01.000000003Z stdout F 01: client api is not open\n'
} >"$k8s/0.log"
ln -s "$k8s/0.log" "$tmp/var/log/containers/order-svc-7d9f_shop_order-0123abcd.log"
"$HB" scan --no-db -q --format ndjson "$tmp/var/log/pods" >"$tmp/k8s.nd"
check "k8s: CRI partial lines joined, code found" '[ "$(count 400401 "$tmp/k8s.nd")" = 1 ]'
check "k8s: namespace, pod, container from the pods path" 'grep -q "\"k8s_namespace\":\"shop\",\"k8s_pod\":\"order-svc-7d9f\",\"k8s_container\":\"order\"" "$tmp/k8s.nd"'
"$HB" scan --no-db -q --format ndjson "$tmp/var/log/containers/order-svc-7d9f_shop_order-0123abcd.log" >"$tmp/k8s2.nd"
check "k8s: fields from the containers path" 'grep -q "\"k8s_namespace\":\"shop\",\"k8s_pod\":\"order-svc-7d9f\",\"k8s_container\":\"order\"" "$tmp/k8s2.nd"'
"$HB" scan -q --db "$tmp/k8s.db" "$tmp/var/log/pods" >/dev/null
check "k8s: columns in the store" '[ "$("$HB" query --db "$tmp/k8s.db" --format csv "select k8s_namespace, k8s_pod, k8s_container from incidents" | tail -n 1 | tr -d "\r")" = "shop,order-svc-7d9f,order" ]'

# --- repeated observations are stored as runs, not one row per line --------
hb="$tmp/hb/polaris/logs"
mkdir -p "$hb"
i=1
while [ $i -le 100 ]; do
    printf '[AsyncHeartbeat]Instance heartbeat success. Reset fail count. namespace:default, service:svc, host:10.0.0.5, port:8080|2025-06-25 10:%02d:%02d.000\n' $((i / 60)) $((i % 60))
    i=$((i + 1))
done >"$hb/polaris-instance-heartbeat.log"
{
    printf '[AsyncHeartbeat]Instance heartbeat failed not because of NOT_FOUND_RESOURCE. Reset fail count. namespace:default, service:svc, host:10.0.0.5, port:8080, heartbeat fail count:1|2025-06-25 10:05:00.000\n'
    printf 'com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open\n'
} >>"$hb/polaris-instance-heartbeat.log"
"$HB" scan -q --db "$tmp/hb.db" --format json "$tmp/hb" >"$tmp/hb.json"
rows=$("$HB" query --db "$tmp/hb.db" --format csv "select count(*) from observations where kind = 'heartbeat-ok'" | tail -n 1 | tr -d '\r')
last=$("$HB" query --db "$tmp/hb.db" --format csv "select max(line) from observations where kind = 'heartbeat-ok'" | tail -n 1 | tr -d '\r')
check "100 heartbeat-ok lines stored as a run of 2 rows" '[ "$rows" = 2 ]'
check "the run keeps the last success before the failure" '[ "$last" = 100 ]'
check "the report still knows heartbeats worked until the failure" 'grep -q "until" "$tmp/hb.json"'

# --- --jobs 2 gives what --jobs 1 gives -----------------------------------
mkdir -p "$tmp/tree/a" "$tmp/tree/b"
i=0
while [ $i -lt 12 ]; do
    { info 1 "f$i"; failure 2 400401 "client api is not open"; info 3 x; failure 4 400202 "not found resource"; } >"$tmp/tree/a/s$i.log"
    i=$((i + 1))
done
for d in testdata/real/*/; do cp "$d/input.log" "$tmp/tree/b/$(basename "$d").log"; done
"$HB" scan --no-db -q --jobs 1 --format ndjson "$tmp/tree" >"$tmp/j1.nd"
"$HB" scan --no-db -q --jobs 2 --format ndjson "$tmp/tree" >"$tmp/j2.nd"
"$HB" scan --no-db -q --jobs 1 --format json "$tmp/tree" >"$tmp/j1.json"
"$HB" scan --no-db -q --jobs 2 --format json "$tmp/tree" >"$tmp/j2.json"
check "jobs 2 incidents == jobs 1" 'cmp -s "$tmp/j1.nd" "$tmp/j2.nd" && [ -s "$tmp/j1.nd" ]'
check "jobs 2 report == jobs 1" 'cmp -s "$tmp/j1.json" "$tmp/j2.json"'
"$HB" scan -q --db "$tmp/j1.db" --jobs 1 --format ndjson "$tmp/tree" >/dev/null
"$HB" scan -q --db "$tmp/j2.db" --jobs 2 --format ndjson "$tmp/tree" >/dev/null
"$HB" scan -q --db "$tmp/j2.db" --jobs 2 --format ndjson "$tmp/tree" >"$tmp/j2again.nd"
check "jobs 2 re-scan finds nothing new" '[ ! -s "$tmp/j2again.nd" ]'
# How often a scan commits changes nothing it stores.
stored() { # DB -> stdout: incidents, observations, offsets
    for q in "select source, first_line, last_line, rule_id, fingerprint, text from incidents order by 1, 2, 4" \
        "select source, line, kind, key, value from observations order by 1, 2, 3, 4, 5" \
        "select path, offset, line, complete from sources order by 1"; do
        "$HB" query --db "$1" --format csv "$q"
    done
}
stored "$tmp/j1.db" >"$tmp/ce.ref"
for ce in 0 1 64; do
    "$HB" scan -q --db "$tmp/ce$ce.db" --jobs 2 --commit-every $ce "$tmp/tree" >/dev/null
    stored "$tmp/ce$ce.db" >"$tmp/ce$ce.got"
    check "--commit-every $ce stores what the default does" 'cmp -s "$tmp/ce.ref" "$tmp/ce$ce.got" && [ "$(grep -c . "$tmp/ce.ref")" -gt 20 ]'
done
"$HB" scan -q --db "$tmp/ce.db" --commit-every -1 "$tmp/tree" >/dev/null 2>"$tmp/ce.err"
rc=$?
check "--commit-every -1 is a usage error" '[ $rc = 2 ] && grep -q "commit-every wants" "$tmp/ce.err"'
# A FIFO among the paths may block: the files before it are committed
# while the scan waits for its writer.
if mkfifo "$tmp/ce.fifo" 2>/dev/null; then
    for j in 1 2; do
        rm -f "$tmp/cef.db"*
        { sleep 3; cat "$tmp/tree/a/s2.log"; } >"$tmp/ce.fifo" &
        wpid=$!
        "$HB" scan -q --db "$tmp/cef.db" --jobs $j "$tmp/tree/a/s1.log" "$tmp/ce.fifo" >/dev/null 2>&1 &
        spid=$!
        sleep 1.5
        seen=$("$HB" query --db "$tmp/cef.db" --format csv "select count(*) from incidents where source like '%s1.log'" 2>/dev/null | tail -n 1 | tr -d '\r')
        wait $spid
        wait $wpid
        after=$("$HB" query --db "$tmp/cef.db" --format csv "select count(*) from incidents" 2>/dev/null | tail -n 1 | tr -d '\r')
        check "jobs $j: a file before a blocking FIFO is committed while it blocks" '[ "$seen" = 2 ] && [ "$after" = 4 ]'
    done
fi
# The same with standard input, a pipe whose writer waits.
rm -f "$tmp/ces.db"*
{ sleep 3; cat "$tmp/tree/a/s2.log"; } | "$HB" scan -q --db "$tmp/ces.db" --jobs 2 "$tmp/tree/a/s1.log" - >/dev/null 2>&1 &
spid=$!
sleep 1.5
seen=$("$HB" query --db "$tmp/ces.db" --format csv "select count(*) from incidents where source like '%s1.log'" 2>/dev/null | tail -n 1 | tr -d '\r')
wait $spid
after=$("$HB" query --db "$tmp/ces.db" --format csv "select count(*) from incidents" 2>/dev/null | tail -n 1 | tr -d '\r')
check "a file before a blocking stdin is committed while it blocks" '[ "$seen" = 2 ] && [ "$after" = 4 ]'
# One file named twice (or reached twice through a link) is one source: the
# second pass resumes at its end in a serial run, and so it must with --jobs.
"$HB" scan -q --db "$tmp/dup1.db" --jobs 1 --format ndjson "$tmp/tree/a/s1.log" "$tmp/tree/a/s1.log" >"$tmp/dup1.nd"
"$HB" scan -q --db "$tmp/dup2.db" --jobs 2 --format ndjson "$tmp/tree/a/s1.log" "$tmp/tree/a/s1.log" >"$tmp/dup2.nd"
check "jobs 2: a file named twice is read once" '[ "$(count 400401 "$tmp/dup2.nd")" = 1 ]'
check "jobs 2: a file named twice == jobs 1" 'cmp -s "$tmp/dup1.nd" "$tmp/dup2.nd"'
# A store failure is reported once, with its reason, not as one empty
# "hbscan: " line per file that followed it.
if command -v sqlite3 >/dev/null 2>&1; then
    "$HB" scan -q --db "$tmp/boom.db" "$tmp/clean.log" >/dev/null 2>&1
    sqlite3 "$tmp/boom.db" "create trigger boom before insert on incident_rows begin select raise(abort, 'boom'); end;"
    for j in 1 2; do
        "$HB" scan -q --db "$tmp/boom.db" --jobs $j "$tmp/tree/a" >/dev/null 2>"$tmp/boom$j.err"
        rc=$?
        check "jobs $j: a store failure exits 5" '[ $rc = 5 ]'
        check "jobs $j: the store failure is said once, with its reason" '[ "$(grep -c "boom" "$tmp/boom$j.err")" = 1 ] && ! grep -q "^hbscan: *$" "$tmp/boom$j.err"'
    done
fi

# --- follow: appends, rotation, truncation, each incident exactly once ----
fdir="$tmp/follow"
mkdir "$fdir"
info 1 start >"$fdir/app.log"
"$HB" scan --follow --db "$tmp/follow.db" --format ndjson --quiet-ms 200 \
    --stop-after 12 "$fdir" >"$tmp/follow.nd" 2>"$tmp/follow.err" &
fpid=$!
sleep 1
failure 2 400401 "client api is not open" >>"$fdir/app.log"
sleep 1
printf '2025-06-25 10:00:05.000 ERROR 7 --- [x] c.t.c.p.registry.PolarisServiceRegistry  : polaris heartbeat error with code [SERVER_USER_ERROR]\ncom.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400202: not fo' >>"$fdir/app.log"
sleep 1
printf 'und resource\n' >>"$fdir/app.log"
sleep 1
mv "$fdir/app.log" "$fdir/app.log.1"
failure 6 429002 "server limit the ip access" >"$fdir/app.log"
sleep 1.5
: >"$fdir/app.log"
failure 8 500001 "store layer exception" >>"$fdir/app.log"
sleep 1
failure 9 401004 "token not existed" >"$fdir/new.log"
sleep 3.5
kill -TERM $fpid 2>/dev/null
wait $fpid
frc=$?
check "follow stops cleanly on SIGTERM" '[ $frc = 0 ]'
for code in 400401 400202 429002 500001 401004; do
    check "follow: $code exactly once" '[ "$(count $code "$tmp/follow.nd")" = 1 ]'
done
# A restart continues where it stopped: nothing is reported twice, not
# even from the rotated file compressed in the meantime.
gzip "$fdir/app.log.1"
"$HB" scan --follow --db "$tmp/follow.db" --format ndjson --stop-after 2 "$fdir" >"$tmp/follow2.nd" 2>/dev/null
check "follow restart reports nothing twice" '[ ! -s "$tmp/follow2.nd" ]'

# A follower of files with nothing new does not keep the database locked:
# another scan can write meanwhile.
mkdir "$tmp/idle"
info 1 idle >"$tmp/idle/app.log"
"$HB" scan -q --db "$tmp/idle.db" "$tmp/idle/app.log" >/dev/null 2>&1
"$HB" scan --follow -q --db "$tmp/idle.db" --stop-after 20 "$tmp/idle" >/dev/null 2>&1 &
fpid=$!
sleep 1.5
"$HB" scan -q --db "$tmp/idle.db" "$tmp/a.log" >/dev/null 2>"$tmp/idle.err"
rc=$?
kill -TERM $fpid 2>/dev/null
wait $fpid
check "an idle follower leaves the database writable" '[ $rc = 0 ] && ! grep -q locked "$tmp/idle.err"'

# An input that exists but cannot be opened (a socket) is reported once,
# not at every poll.
if command -v python3 >/dev/null 2>&1 &&
    python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('$tmp/sock')" 2>/dev/null; then
    "$HB" scan --follow --no-db -q --stop-after 2 "$tmp/sock" >/dev/null 2>"$tmp/sock.err"
    check "follow: an unopenable input is reported once" '[ "$(grep -c "sock:" "$tmp/sock.err")" = 1 ]'
fi

echo "cli_scan: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
